"""Transformations built from the others: `jacobian`, `hessian`, `check_grad`.

`jacobian(f, mode="reverse")` pulls each basis cotangent through `vjp(f)`;
`mode="forward"` pushes basis tangents through `jvp(f)` (all at once where
vector mode applies). `hessian(f)` is forward-over-reverse: `jacobian` in
forward mode of the generated gradient source `grad(f)`.
"""
from __future__ import annotations

import inspect

import numpy as np

from s2s.api import transform, arguments, pytree, display
from s2s.api.forward import JacobianForward, jacobian_forward
from s2s.errors import ResultTypeError


class JacobianReverse:
    """The Jacobian of f by reverse mode: one pullback per element of f's value."""

    def __init__(self, f, wrt=0):
        self.__wrapped__ = f
        self._wrt = wrt
        self._single = not isinstance(wrt, (tuple, list))
        self._vjp = transform.vjp(f, wrt=wrt)
        self.__name__ = f"jacobian_{getattr(f, '__name__', 'f')}"
        self.__doc__ = getattr(f, "__doc__", None)

    @property
    def source(self) -> str:
        return self._vjp.source

    _repr_html_ = display.repr_html  # a notebook shows the generated source, highlighted

    def __call__(self, *args):
        try:
            value, pullback = self._vjp(*args)
        except ResultTypeError as exc:
            raise exc.retitled("jacobian") from None
        params = self._params = getattr(self, "_params", None) or list(inspect.signature(self.__wrapped__).parameters)
        wrts = [self._wrt] if self._single else list(self._wrt)
        xs = [args[params.index(w) if isinstance(w, str) else w] for w in wrts]
        value_leaves = pytree.leaves(value)
        zeros = [np.zeros(np.shape(v)) if np.ndim(v) else 0.0 for v in value_leaves]
        build_value = pytree.structure(value)
        out = [[] for _ in xs]  # out[k][a]: the block of value leaf a, structured as wrt entry k
        for a, v in enumerate(value_leaves):
            shape = np.shape(v)
            rows = [[[] for _ in pytree.leaves(x)] for x in xs]  # rows[k][b]: one row per element of leaf a
            for idx in np.ndindex(*shape):
                seed = list(zeros)
                if shape:
                    seed[a] = np.zeros(shape)
                    seed[a][idx] = 1.0
                else:
                    seed[a] = 1.0
                grads = pullback(build_value(seed))
                grads = [grads] if self._single else list(grads)
                for k, g in enumerate(grads):
                    for b, part in enumerate(pytree.leaves_like(g, xs[k])):
                        rows[k][b].append(part)
            for k, x in enumerate(xs):
                blocks = [np.array(r, dtype=float).reshape(shape + np.shape(leaf)) if r
                          else np.zeros(shape + np.shape(leaf)) for leaf, r in zip(pytree.leaves(x), rows[k])]
                out[k].append(pytree.structure(x)(blocks))
        out = [build_value(blocks) for blocks in out]
        return out[0] if self._single else tuple(out)


def jacobian(f=None, wrt=0, mode="reverse"):
    """An array of shape `value.shape + arg.shape` (a tuple of them for a tuple `wrt`).

    With respect to a tuple, list or dict argument, the argument's structure with leaves of shape
    `value.shape + leaf.shape`; for a tuple, list or dict value, the value's structure around that."""
    if mode not in ("reverse", "forward"):
        raise ValueError(f"mode must be 'reverse' or 'forward', got {mode!r}")
    if f is None:
        return lambda g: jacobian(g, wrt, mode)
    return JacobianReverse(f, wrt) if mode == "reverse" else jacobian_forward(f, wrt)


class Hessian:
    """Forward-over-reverse: the forward-mode Jacobian of the generated gradient `grad(f)`."""

    def __init__(self, f, wrt=0):
        if isinstance(wrt, (tuple, list)):
            raise TypeError("hessian takes a single wrt (a position or a name)")
        self.__wrapped__ = f
        self._wrt = wrt
        self._grad = transform.grad(f, wrt=wrt)
        self._jac = JacobianForward(self._grad, wrt=wrt, value_like_wrt=True)
        self.__name__ = f"hessian_{getattr(f, '__name__', 'f')}"

    @property
    def source(self) -> str:
        return self._jac.source

    _repr_html_ = display.repr_html

    def __call__(self, *args):
        arguments.check_wrt(self.__name__, arguments.wrt_positions(self.__wrapped__, self._wrt), args, {})
        params = self._params = getattr(self, "_params", None) or list(inspect.signature(self.__wrapped__).parameters)
        x = args[params.index(self._wrt) if isinstance(self._wrt, str) else self._wrt]
        try:
            h = self._jac(*args)
        except ResultTypeError as exc:
            raise exc.retitled("hessian") from None
        if pytree.is_container(x):  # H[a][b], a container of containers shaped like x
            return h
        return np.asarray(h, dtype=float).reshape(np.shape(x) + np.shape(x))


def hessian(f=None, wrt=0):
    """An array of shape `arg.shape + arg.shape` for scalar f; for a container argument, a container of
    containers (`H[a][b]` has shape `leaf_a.shape + leaf_b.shape`)."""
    if f is None:
        return lambda g: Hessian(g, wrt)
    return Hessian(f, wrt)


def check_grad(f, *args, wrt=0, rtol=1e-5, atol=1e-7, eps=1e-6):
    """Compare reverse- and forward-mode derivatives with central finite differences.

    Returns None when they agree; raises AssertionError with a per-element
    report (analytic vs numeric) where they do not.
    """
    params = list(inspect.signature(f).parameters)
    wrts = list(wrt) if isinstance(wrt, (tuple, list)) else [wrt]
    problems = []
    for w in wrts:
        index = params.index(w) if isinstance(w, str) else w
        numeric = _central_differences(f, args, index, eps)
        modes = [("reverse", lambda: jacobian(f, wrt=w, mode="reverse")(*args)),
                 ("forward", lambda: jacobian(f, wrt=w, mode="forward")(*args))]
        for mode, compute in modes:
            analytic = np.asarray(compute(), dtype=float)
            if analytic.shape != numeric.shape:
                problems.append(f"{mode} mode, d/d{params[index]}: shape {analytic.shape}, "
                                f"finite differences give {numeric.shape}")
                continue
            bad = ~np.isclose(analytic, numeric, rtol=rtol, atol=atol)
            if bad.any():
                lines = [f"{mode} mode, d/d{params[index]}: {int(bad.sum())} of {bad.size} element(s) differ"
                         f" (rtol={rtol}, atol={atol})",
                         f"    {'index':<16}{'analytic':>20}{'numeric':>20}{'difference':>16}"]
                for idx in zip(*np.nonzero(bad)) if bad.ndim else [()]:
                    a, n = analytic[idx], numeric[idx]
                    lines.append(f"    {str(tuple(int(i) for i in idx)):<16}{a:>20.10g}{n:>20.10g}{a - n:>16.3g}")
                problems.append("\n".join(lines))
    if problems:
        raise AssertionError(f"check_grad({getattr(f, '__name__', 'f')}): derivatives disagree with central "
                             f"finite differences\n" + "\n".join(problems))


def _central_differences(f, args, index, eps):
    args = list(args)
    x = args[index]
    scalar = np.ndim(x) == 0
    x = np.asarray(x, dtype=float)
    value = np.asarray(f(*args), dtype=float)
    out = np.zeros(value.shape + x.shape)
    for idx in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        ap, am = list(args), list(args)
        ap[index], am[index] = (float(xp), float(xm)) if scalar else (xp, xm)
        diff = (np.asarray(f(*ap), dtype=float) - np.asarray(f(*am), dtype=float)) / (2 * eps)
        out[(Ellipsis,) + idx] = diff
    return out
