"""`check_grad`: s2s's derivatives of a function against central finite differences.

Every evaluation (the function itself at each shifted point, its reverse- and forward-mode Jacobians) starts
from the same states of the random generators the function reaches (`draws.Draws`), so a function that draws
random numbers is compared with itself on one draw; a function whose calls differ all the same (an iterator's
next item, a generator made without a seed) is reported as such.
"""
from __future__ import annotations

import warnings

import numpy as np

from s2s.api import arguments, cache, draws, pytree, transform, wrappers
from s2s.api.derived import jacobian
from s2s.api.forward import jvp
from s2s.api.parameters import resolve_wrt
from s2s.api.transform import grad
from s2s.errors import ArgumentTypeError, NonDifferentiableError, S2SError
from s2s.runtime import trees


def check_grad(f, *args, wrt=0, rtol=1e-5, atol=1e-7, eps=1e-6):
    """Check s2s's derivatives of `f` at `args` against central finite differences.

    Computes the Jacobian with respect to each `wrt` parameter in reverse mode
    (`jacobian(f, w, mode="reverse")`) and in forward mode (`mode="forward"`), and compares both
    with `(f(x + eps) - f(x - eps)) / (2 * eps)`, element by element, with `numpy.isclose`; where
    f's value is a number, `grad(f, w)` too (its shape and values), unless the reverse Jacobian
    already disagrees.
    Use it to test your own `@s2s.adjoint` and `@s2s.tangent` rules, or a function whose
    derivative you doubt. `f` itself is called as it is (not transformed) for the differences.
    A function that draws random numbers (from a generator passed in, NumPy's global state, a
    generator its module holds) is compared with itself on one draw: every evaluation starts
    from the generator states the first one started from, and the generators are left as one
    call of `f` leaves them.

    Parameters
    ----------
    f : callable
        A Python function whose source s2s can read; its value may be a number, an array, or a
        tuple, list or dict of them (each part checked, named by its path: `d[1]/dx`).
    *args
        The point: every positional argument of `f`. The `wrt` arguments are numbers, float
        arrays, or tuples, lists, dicts and dataclasses of them (checked leaf by leaf, each named
        by its path in the report: `d/dp['w']`). An int in a container that `f` takes only as an
        int (a count for `range`, an index: a float there raises) is held fixed, not checked.
    wrt : int, str, or tuple of int and str, default 0
        The parameter(s) to check, as in `grad`: also one left at its default, or a `*args`
        parameter (the tuple of the extra arguments, leaf by leaf).
    rtol, atol : float, default 1e-5 and 1e-7
        The tolerances of `numpy.isclose(analytic, numeric, rtol, atol)`.
    eps : float, default 1e-6
        The finite-difference step.

    Returns
    -------
    None
        When both modes agree with the finite differences. A mode that a custom rule the function
        calls does not cover (an `@s2s.adjoint` without `@s2s.tangent`) is not checked: a
        `UserWarning` says so, and the other mode is checked as usual.

    Raises
    ------
    AssertionError
        Where a mode disagrees: the message names the function and, per mode and parameter, how
        many elements differ and a table of index, analytic value, numeric value and difference.
        Where `f` gives different values on two calls from the same generator states (it takes an
        iterator's next item, or draws from a generator made without a seed), it says so.
    S2SError, ValueError, TypeError
        As `jacobian`, when `f` cannot be transformed.

    Examples
    --------
    >>> import numpy as np
    >>> import s2s
    >>> def f(x):
    ...     return np.sum(np.sin(x) * x)
    >>> s2s.check_grad(f, np.array([0.5, 1.0, 2.0])) is None
    True
    >>> def cubed(x):
    ...     return x ** 3
    >>> @s2s.tangent(cubed)
    ... def cubed_tangent(tangents, ans, x):
    ...     return 3.0 * x ** 2 * tangents[0]
    >>> @s2s.adjoint(cubed)
    ... def cubed_adjoint(g, ans, x):
    ...     return (g * 2.0 * x,)  # wrong: 3.0 * x ** 2
    >>> def loss(x):
    ...     return cubed(x) + x
    >>> try:
    ...     s2s.check_grad(loss, 2.0)
    ... except AssertionError as error:
    ...     for line in str(error).splitlines():
    ...         if line.startswith(("check_grad", "reverse mode", "forward mode", "    ")):
    ...             print(line)
    check_grad(loss): derivatives disagree with central finite differences
    reverse mode, d/dx: 1 of 1 element(s) differ (rtol=1e-05, atol=1e-07)
        index                       analytic             numeric      difference
        ()                                 5                  13              -8
    """
    f = wrappers.library_call(f)  # (np.sin, with s2s's rule: a function calling it, as the transformations see it)
    params = cache.parameter_names(f)
    names, _ = resolve_wrt(params, wrt, getattr(f, "__qualname__", getattr(f, "__name__", "f")))
    wrts = list(wrt) if isinstance(wrt, (tuple, list)) else [wrt]
    one = _OneDraw(f, wrts[0], args)  # (every call below from the same generator states: one draw)
    value = one(f, *args)
    one.repeatable(f, args, value)
    value_paths = pytree.paths(value) if trees.is_container(value) else [""]
    problems, skipped = [], []
    for w, name in zip(wrts, names):
        x = arguments.argument(params, args, {}, name, f)
        call = _caller(f, args, name, one)
        parts, build = (trees.leaves(x), trees.structure(x)) if trees.is_container(x) else ([x], lambda v: v[0])
        paths = pytree.paths(x) if trees.is_container(x) else [""]
        numeric = []  # numeric[b]: the differences of each value leaf by leaf b of x (None: an int held fixed)
        for b, leaf in enumerate(parts):
            try:
                numeric.append(_central_differences(lambda v, b=b: call(build(_put(parts, b, v))), leaf, eps))
            except Exception:
                if not _integer(leaf):
                    raise
                if not trees.is_container(x):
                    raise ArgumentTypeError(f"check_grad({getattr(f, '__name__', 'f')}): the argument '{name}' is the "
                                            f"int "
                                            f"{leaf!r}, which {getattr(f, '__name__', 'f')} takes only as an int (a "
                                            f"count, "
                                            f"an index: a float there raised an error), so it has no derivative to "
                                            f"check; check with respect to the float arguments (wrt=...)") from None
                numeric.append(None)  # (a count in a container of parameters, range(n): not perturbed)
        before, reverse_skipped = len(problems), len(skipped)
        for mode in ("reverse", "forward", "grad"):
            if mode == "forward":
                reverse_skipped = len(skipped) > reverse_skipped
            elif mode == "grad" and (reverse_skipped or len(problems) > before or value_paths != [""] or
                                     np.ndim(value) != 0):
                continue  # (grad, of a number: where the reverse Jacobian agrees, which it would only repeat)
            try:
                result = one(grad(f, wrt=w) if mode == "grad" else jacobian(f, wrt=w, mode=mode), *args)
            except NonDifferentiableError as exc:  # (a rule of the user's for one mode only: the other is checked)
                if f"no {mode}-mode rule" not in str(exc):
                    raise
                skipped.append((mode, exc))
                continue
            found = trees.leaves(result) if trees.is_container(result) else [result]
            if len(found) != len(value_paths) * len(parts):
                problems.append(f"{mode} mode, d/d{name}: {len(found)} parts, the value has {len(value_paths)} "
                                f"and the argument {len(parts)}")
                continue
            for a, value_path in enumerate(value_paths):
                for b, path in enumerate(paths):
                    if numeric[b] is None:
                        continue
                    num = numeric[b][a]
                    analytic = np.asarray(found[a * len(parts) + b], dtype=float)
                    if analytic.shape != num.shape and analytic.ndim == 0:  # (a bare zero for a whole part)
                        analytic = np.broadcast_to(analytic, num.shape)
                    problem = _compared(mode, f"d{value_path}/d{name}{path}", analytic, num, rtol, atol)
                    if problem:
                        problems.append(problem)
    if len(skipped) == 2 * len(wrts):
        raise skipped[0][1]
    notes = [f"{mode} mode not checked: {str(exc).splitlines()[0]}" for mode, exc in skipped[:1]]
    if problems:
        problems += notes
        code = getattr(arguments.original(f), "__code__", None)
        where = f"  {code.co_filename}:{code.co_firstlineno}\n" if code is not None else ""
        raise AssertionError(f"check_grad({getattr(f, '__name__', 'f')}): derivatives disagree with central "
                             f"finite differences\n{where}" + "\n".join(problems) +
                             "\nWhere one mode disagrees, check the custom rules the function calls (@s2s.adjoint "
                             "for reverse, @s2s.tangent for forward); where both do, check the function "
                             "for a kink or a step near this point, or try another eps. print(s2s.grad(f).source) "
                             "shows the generated code.")
    for note in notes:  # (what was checked agrees: say what was not)
        warnings.warn(f"check_grad({getattr(f, '__name__', 'f')}): {note}", stacklevel=2)


def _caller(f, args: tuple, name: str, one):
    """`call(v)`: f called with `args` by `one` (a `_OneDraw`), the parameter `name` given the value `v` (a parameter
    left at its default, a `*args` or `**kwargs` parameter too: as Python binds them)."""
    def call(v):
        bound = arguments.bound(f, args, {})
        bound.arguments[name] = v
        return one(f, *bound.args, **bound.kwargs)
    return call


class _OneDraw:
    """Calls of `f` and of its derivatives at (or near) `args`, each from the states of the random generators f
    reaches that the first call started from (`draws.Draws`, told by f's generated code what f may draw from and
    from where): the finite differences and both modes see one draw, and the generators are left as one call of
    f leaves them."""

    def __init__(self, f, wrt, args: tuple):
        self._draws = draws.Draws(args)
        self._fn = None  # generated code of f: what f may draw from (None: f cannot be transformed, nor checked)
        for make in (transform.vjp, jvp):  # (jvp: a rule of the user's without an adjoint)
            try:
                self._fn = make(f, wrt=wrt)._current()
                break
            except (S2SError, TypeError, ValueError):
                continue  # (the Jacobians below raise it again, where they are taken)

    def __call__(self, g, *args, **kwargs):
        if self._fn is not None:
            self._draws.before(self._fn)
        return g(*args, **kwargs)

    def repeatable(self, f, args: tuple, value) -> None:
        """Fail where `f`, which may draw, gave `value` at `args` and another value from the same generator
        states: it takes something no state put back repeats (an iterator's next item, a generator made without
        a seed), and its finite differences would be differences of other draws, not derivatives."""
        if self._fn is None or not draws.may_draw(self._fn)[0] or draws.same(value, self(f, *args)):
            return
        name = getattr(f, "__name__", "f")
        code = getattr(arguments.original(f), "__code__", None)
        where = f"  {code.co_filename}:{code.co_firstlineno}\n" if code is not None else ""
        raise AssertionError(f"check_grad({name}): {name} drew different values on each call: two calls with the "
                             f"same arguments, from the same states of the random generators it reaches, gave "
                             f"different values, so its finite differences are not derivatives and nothing can be "
                             f"checked\n{where}{name} takes something whose state s2s cannot put back between the "
                             f"calls (an iterator's next item, a generator made inside without a seed, a helper "
                             f"counting its calls). Take the batch or draw the numbers before the call and pass them "
                             f"in as an argument, or seed the generator where it is made")


def _integer(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _compared(mode: str, what: str, analytic, numeric, rtol, atol) -> str:
    """The report of where `analytic` and `numeric` (the derivatives `what`: d/dx, d[1]/dp['w']) differ, or ''."""
    if analytic.shape != numeric.shape:
        return f"{mode} mode, {what}: shape {analytic.shape}, finite differences give {numeric.shape}"
    bad = ~np.isclose(analytic, numeric, rtol=rtol, atol=atol)
    if not bad.any():
        return ""
    lines = [f"{mode} mode, {what}: {int(bad.sum())} of {bad.size} element(s) differ (rtol={rtol}, atol={atol})",
             f"    {'index':<16}{'analytic':>20}{'numeric':>20}{'difference':>16}"]
    for idx in zip(*np.nonzero(bad)) if bad.ndim else [()]:
        a, n = analytic[idx], numeric[idx]
        lines.append(f"    {str(tuple(int(i) for i in idx)):<16}{a:>20.10g}{n:>20.10g}{a - n:>16.3g}")
    return "\n".join(lines)


def _put(items, index: int, value) -> list:
    """A copy of the sequence `items` with `value` at `index`."""
    out = list(items)
    out[index] = value
    return out


def _central_differences(g, x, eps) -> list:
    """d g(x) / dx by central differences, one array per leaf of g's value (a number, an array or a container of
    them), of shape `value_leaf.shape + x.shape` (x a number or an array)."""
    scalar = np.ndim(x) == 0
    x = np.asarray(x, dtype=float)
    value = g(float(x) if scalar else x)
    shapes = [np.shape(v) for v in (trees.leaves(value) if trees.is_container(value) else [value])]
    out = [np.zeros(shape + x.shape) for shape in shapes]
    for idx in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        if scalar:
            xp, xm = float(xp), float(xm)
        plus, minus = g(xp), g(xm)
        if trees.is_container(value):
            plus, minus = trees.leaves(plus), trees.leaves(minus)
        else:
            plus, minus = [plus], [minus]
        for block, p, m in zip(out, plus, minus):
            block[(Ellipsis,) + idx] = (np.asarray(p, dtype=float) - np.asarray(m, dtype=float)) / (2 * eps)
    return out
