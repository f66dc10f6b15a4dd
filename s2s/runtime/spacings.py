"""The derivatives of `np.gradient(f, *spacing)` in its spacings: a number h (evenly spaced points) or an array of
coordinates x (sample points, NumPy's second-order non-uniform differences), for edge_order 1 and 2 and any axes.

Along one axis NumPy's result is, with the steps h = np.diff(x) (h everywhere for a number h) and the slopes
s = np.diff(f) / h, inside `(h[:-1] * s[1:] + h[1:] * s[:-1]) / (h[:-1] + h[1:])`; at the edges the slopes
s[0], s[-1] (edge_order=1) or `s[0] + h[0] * (s[0] - s[1]) / (h[0] + h[1])` and its mirror (edge_order=2). That
formula is evaluated here on numbers carrying one or two directions (`_Jet`), which gives its first and second
derivatives in the steps exactly. `j` names the spacing a derivative is taken in (varargs[j]); `u`, where given,
a second direction in it (a Hessian's). The result of np.gradient is linear in f; so is each helper here.
"""
from __future__ import annotations

import numpy as np

from s2s.errors import S2SError

_GRADIENTS = type(np.gradient(np.zeros((2, 2))))  # (np.gradient along several axes: NumPy 1 a list, 2 a tuple)

__all__ = ["gradient_spacing_tangent", "gradient_spacing_adjoint", "gradient_spacing_transpose",
           "gradient_spacing_third", "results_added"]


class _Jet:
    """A value `v` with its derivatives along two directions, `a` and `b`, and the mixed second one `ab`."""
    __slots__ = ("v", "a", "b", "ab")

    def __init__(self, v, a, b, ab):
        self.v, self.a, self.b, self.ab = v, a, b, ab

    def __getitem__(self, index):
        return _Jet(self.v[index], self.a[index], self.b[index], self.ab[index])

    def __add__(self, o):
        o = _jet(o)
        return _Jet(self.v + o.v, self.a + o.a, self.b + o.b, self.ab + o.ab)

    def __sub__(self, o):
        o = _jet(o)
        return _Jet(self.v - o.v, self.a - o.a, self.b - o.b, self.ab - o.ab)

    def __mul__(self, o):
        o = _jet(o)
        return _Jet(self.v * o.v, self.a * o.v + self.v * o.a, self.b * o.v + self.v * o.b,
                    self.ab * o.v + self.a * o.b + self.b * o.a + self.v * o.ab)

    def __truediv__(self, o):
        o = _jet(o)
        q = self.v / o.v
        qa, qb = (self.a - q * o.a) / o.v, (self.b - q * o.b) / o.v
        return _Jet(q, qa, qb, (self.ab - qa * o.b - qb * o.a - q * o.ab) / o.v)


def _jet(v) -> _Jet:
    return v if isinstance(v, _Jet) else _Jet(v, 0.0, 0.0, 0.0)


def _joined(parts) -> _Jet:
    """The jets `parts` (each of the shape of its value) joined along the last axis."""
    def join(name):
        return np.concatenate([np.broadcast_to(getattr(p, name), np.shape(p.v)) for p in parts], axis=-1)
    return _Jet(join("v"), join("a"), join("b"), join("ab"))


def _formula(F, h: _Jet, edge_order) -> _Jet:
    """np.gradient of F along its last axis with the steps h (NumPy's non-uniform formula)."""
    s = _jet(F[..., 1:] - F[..., :-1]) / h
    inner = (h[:-1] * s[..., 1:] + h[1:] * s[..., :-1]) / (h[:-1] + h[1:])
    if edge_order == 1:
        return _joined([s[..., :1], inner, s[..., -1:]])
    first = s[..., :1] + h[:1] * (s[..., :1] - s[..., 1:2]) / (h[:1] + h[1:2])
    last = s[..., -1:] + h[-1:] * (s[..., -1:] - s[..., -2:-1]) / (h[-2:-1] + h[-1:])
    return _joined([first, inner, last])


def _steps(h, n):
    """The n - 1 steps of a spacing (a number: every step; coordinates: their differences), as floats."""
    h = np.asarray(h)
    h = h.astype(np.result_type(h, float))
    return np.full(n - 1, h) if h.ndim == 0 else np.diff(h)


def _back(bh, h):
    """The adjoint of the spacing `h` given its steps' adjoint `bh` (the transpose of `_steps`)."""
    if np.ndim(h) == 0:
        return np.sum(bh)
    return -np.diff(np.concatenate([[0.0], bh, [0.0]]))


def _axes(f, j, varargs, axis):
    """(position of the result, axis) of each result of np.gradient that the spacing varargs[j] makes."""
    f = np.asarray(f)
    if axis is None:
        axes = tuple(range(f.ndim))
    else:
        axes = tuple(a % f.ndim for a in (axis if isinstance(axis, tuple) else (axis,)))
    return [(k, a) for k, a in enumerate(axes) if (0 if len(varargs) == 1 else k) == j], len(axes)


def _along(F, h, d, u, edge_order, part):
    """The derivative (`part` 'a': along d; 'ab': along d and u) of the formula of F (axis last) in its steps."""
    zero = np.zeros_like(h)
    return getattr(_formula(F, _Jet(h, zero if d is None else d, zero if u is None else u, zero), edge_order), part)


def _float(f):
    f = np.asarray(f)
    return f.astype(np.result_type(f, float))


def gradient_spacing_tangent(d, u, f, j, *varargs, axis=None, edge_order=1):
    """The derivative of `np.gradient(f, *varargs, axis=axis, edge_order=edge_order)` in its spacing varargs[j]
    along `d` (and along `u` too, where given: a second derivative), shaped as np.gradient's result."""
    f = _float(f)
    places, count = _axes(f, j, varargs, axis)
    out = [np.zeros(f.shape) for _ in range(count)]
    for k, a in places:
        F = np.moveaxis(f, a, -1)
        n = F.shape[-1]
        du = None if u is None else _steps(u, n)
        part = _along(F, _steps(varargs[j], n), _steps(d, n), du, edge_order, "a" if u is None else "ab")
        out[k] = out[k] + np.moveaxis(np.broadcast_to(part, F.shape), -1, a)
    return out[0] if count == 1 else _GRADIENTS(out)


def gradient_spacing_adjoint(g, u, f, j, *varargs, axis=None, edge_order=1):
    """The adjoint in the spacing varargs[j] of np.gradient(f, *varargs, ...) (along `u` too, where given: the
    transpose of gradient_spacing_tangent in d), given the result's adjoint `g` (one per result, a list or tuple,
    where np.gradient gives several)."""
    f = _float(f)
    places, count = _axes(f, j, varargs, axis)
    gs = list(g) if isinstance(g, (list, tuple)) else [g]
    h = varargs[j]
    total = 0.0
    for k, a in places:
        F = np.moveaxis(f, a, -1)
        G = np.broadcast_to(np.moveaxis(np.broadcast_to(gs[k], f.shape), a, -1), F.shape)
        n = F.shape[-1]
        steps = _steps(h, n)
        du = None if u is None else _steps(u, n)
        bh = np.array([np.sum(G * _along(F, steps, e, du, edge_order, "a" if u is None else "ab"))
                       for e in np.eye(n - 1)])
        total = total + _back(bh, h)
    return np.reshape(total, np.shape(h)) if np.ndim(h) else float(total)


def gradient_spacing_transpose(g, d, u, f, j, *varargs, axis=None, edge_order=1):
    """The transpose in f of `f -> gradient_spacing_tangent(d, u, f, j, *varargs, ...)`, at the result's adjoint
    `g` (f gives only the shape): the derivative in varargs[j] of the adjoint in f, rt.gradient_adjoint."""
    f = np.asarray(f)
    places, _ = _axes(f, j, varargs, axis)
    gs = list(g) if isinstance(g, (list, tuple)) else [g]
    out = np.zeros(f.shape, dtype=np.result_type(f.dtype, float))
    for k, a in places:
        n = f.shape[a]
        du = None if u is None else _steps(u, n)
        m = _along(np.eye(n), _steps(varargs[j], n), _steps(d, n), du, edge_order, "a" if u is None else "ab")
        part = np.moveaxis(np.broadcast_to(gs[k], f.shape), a, -1) @ m.T  # (m[q, i]: result i of f = e_q)
        out = out + np.moveaxis(part, -1, a)
    return out


def gradient_spacing_third(*args, **kwargs):
    """A third derivative of np.gradient in its spacing: refused."""
    raise S2SError("a third derivative of np.gradient(y, x) in its spacing x is not supported by s2s (its first "
                   "and second derivatives are): differentiate at most twice in x")


def results_added(*parts):
    """The results of np.gradient (each an array, or a tuple of one array per axis) added, as arrays."""
    if isinstance(parts[0], (tuple, list)):
        return type(parts[0])(results_added(*same) for same in zip(*parts))
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    return total
