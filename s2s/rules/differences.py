"""Finite differences, linear in what they difference: np.diff (with prepend= and append=), np.ediff1d (with to_end=
and to_begin=) and np.gradient (also linear in 1 / h of one number spacing h), and the transposes of their runtime
adjoints; records written as linear.py's are.
"""
from __future__ import annotations

import numpy as _np

from s2s.rules.primitive import define, given, linear, non_default, nondiff
from s2s.rules.registry import REQUIRED
from s2s.rules.symbolic import Sym, emit, np, rt

RT = "s2s.runtime."


def _diff_adjoint(g, ans, a, n=1, axis=-1, prepend=None, append=None):
    options = non_default(n=(n, 1), axis=(axis, -1))
    if prepend is None and append is None:
        return rt.diff_adjoint(g, a, **options)
    return rt.diff_ends_adjoint(g, a, **options, **_end_shapes(prepend, append))


def _end_shapes(prepend, append) -> dict:
    """np.diff's prepend= and append= as rt.diff_ends_adjoint takes them: their shapes (no derivative)."""
    return given(prepend=None if prepend is None else np.shape(prepend),
                 append=None if append is None else np.shape(append))


def _zero_ends(prepend=None, append=None, end=None, value=None) -> dict:
    """Zeros of the ends' shapes (a number's: 0.0, which broadcasts as the number did), with `value` at `end`."""
    def zeros(shape):
        return None if shape is None else 0.0 if isinstance(shape, tuple) and not shape else np.zeros(shape)
    ends = given(prepend=zeros(prepend), append=zeros(append))
    if end is not None:
        ends[end] = value
    return ends


def _diff_end(end: str):
    """np.diff's prepend= or append= (`end`): its adjoint, the joined differences' adjoint at that end, and its
    tangent, the differences of zeros with the end's tangent there."""
    def adjoint(g, ans, a, n=1, axis=-1, prepend=None, append=None):
        return rt.diff_ends_adjoint(g, a, **non_default(n=(n, 1), axis=(axis, -1)), **_end_shapes(prepend, append),
                                    end=end)

    def tangent(d, ans, a, n=1, axis=-1, prepend=None, append=None):
        return _ends_differences(d, a, n, axis, end, **_end_shapes(prepend, append))
    return adjoint, tangent


def _ends_differences(d, a, n, axis, end, prepend=None, append=None):
    """The differences of zeros of a's shape joined with d at `end` and zeros at the other end (given by shapes)."""
    return np.diff(np.zeros(np.shape(a)), **non_default(n=(n, 1), axis=(axis, -1)),
                   **_zero_ends(prepend, append, end, d))


_PREPEND, _APPEND = _diff_end("prepend"), _diff_end("append")
# np.diff(a, n, axis, prepend=, append=) is the differences of [prepend, a, append] joined along the axis: linear in
# each of them (a number at an end is repeated along a's other axes)
define("numpy.diff", [_diff_adjoint, None, None, _PREPEND[0], _APPEND[0]],
       [lambda d, ans, a, n=1, axis=-1, prepend=None, append=None:
        np.diff(d, **non_default(n=(n, 1), axis=(axis, -1)), **_zero_ends(**_end_shapes(prepend, append))),
        None, None, _PREPEND[1], _APPEND[1]], kind="linear")
# (its adjoints' transposes, the ends given by their shapes: differences of G and zeros, or of zeros and G at an end)
linear("s2s.runtime.diff_ends_adjoint", lambda G, ans, g, a, n=1, axis=-1, prepend=None, append=None, end=None:
       np.diff(G, **non_default(n=(n, 1), axis=(axis, -1)), **_zero_ends(prepend, append)) if end is None else
       _ends_differences(G, a, n, axis, end, prepend, append), None)


def _size(v):
    """The length of a sequence, known now (a constant) or at run time (np.size)."""
    return np.size(v) if isinstance(v, Sym) else int(_np.size(v))


def _part(g, start, stop):
    """g[start:stop], bounds known now or at run time."""
    if isinstance(start, Sym) or isinstance(stop, Sym):
        return emit("getitem", g, emit("slice", start, stop, None))
    return g if start is None and stop is None else emit("getitem", g, slice(start, stop))


def _ediff1d_bounds(g, to_end, to_begin):
    """Where the differences lie in np.ediff1d's result: after to_begin's entries, before to_end's."""
    start = None if to_begin is None else _size(to_begin)
    if to_end is None:
        stop = None
    elif isinstance(to_end, Sym):
        stop = np.size(g) - np.size(to_end)
    else:
        stop = -_size(to_end) if _size(to_end) else None
    return start, stop


def _ediff1d_tangent(tangents, ans, ary, to_end=None, to_begin=None):
    """np.ediff1d of the tangents, zeros for the parts that have none."""
    t = list(tangents) + [None] * 3
    part = lambda i, v: t[i] if t[i] is not None else np.zeros(np.shape(v))  # noqa: E731
    return np.ediff1d(part(0, ary), **given(to_end=None if to_end is None else part(1, to_end),
                                            to_begin=None if to_begin is None else part(2, to_begin)))


# np.ediff1d(ary, to_end, to_begin) = [to_begin..., np.diff(ravel(ary))..., to_end...]: jointly linear; each
# part of the adjoint goes back to where it came from
define("numpy.ediff1d",
       [lambda g, ans, ary, to_end=None, to_begin=None:
        np.reshape(rt.diff_adjoint(_part(g, *_ediff1d_bounds(g, to_end, to_begin)), np.ravel(ary)), np.shape(ary)),
        lambda g, ans, ary, to_end=None, to_begin=None:
        np.reshape(_part(g, _ediff1d_bounds(g, to_end, to_begin)[1], None), np.shape(to_end)),
        lambda g, ans, ary, to_end=None, to_begin=None:
        np.reshape(_part(g, None, _ediff1d_bounds(g, to_end, to_begin)[0]), np.shape(to_begin))],
       tangent_fn=_ediff1d_tangent, parameters=(("ary", REQUIRED), ("to_end", None), ("to_begin", None)))


# np.gradient(f, *spacing): linear in f (central differences inside, one-sided at the edges); in its spacings (a
# number h, or coordinates x: NumPy's non-uniform differences) through rt.gradient_spacing_tangent / _adjoint
# (runtime/spacings.py), whose own derivatives are written below
_SPACINGS = 8


def _options(axis, edge_order) -> dict:
    return dict(**given(axis=axis), **non_default(edge_order=(edge_order, 1)))


def _spacing_adjoint(j):
    return lambda G, ans, f, *varargs, axis=None, edge_order=1: \
        rt.gradient_spacing_adjoint(G, None, f, j, *varargs, **_options(axis, edge_order))


def _spacing_tangent(j):
    return lambda d, ans, f, *varargs, axis=None, edge_order=1: \
        rt.gradient_spacing_tangent(d, None, f, j, *varargs, **_options(axis, edge_order))


def _gradient_tangent(tangents, ans, f, *varargs, axis=None, edge_order=1):
    """np.gradient of f's tangent plus the spacings' tangents: added as np.gradient's results (one array, or one
    per axis: rt.results_added, not `+` of tuples)."""
    t = list(tangents) + [None] * (1 + len(varargs))
    parts = ([np.gradient(t[0], *varargs, **_options(axis, edge_order))] if t[0] is not None else []) + \
        [_spacing_tangent(j)(t[1 + j], ans, f, *varargs, axis=axis, edge_order=edge_order)
         for j in range(len(varargs)) if t[1 + j] is not None]
    return parts[0] if len(parts) == 1 else rt.results_added(*parts)


define("numpy.gradient",
       [lambda g, ans, f, *varargs, axis=None, edge_order=1:
        rt.gradient_adjoint(g, f, *varargs, **_options(axis, edge_order))]
       + [_spacing_adjoint(j) for j in range(_SPACINGS)],
       [lambda d, ans, f, *varargs, axis=None, edge_order=1: np.gradient(d, *varargs, **_options(axis, edge_order))]
       + [_spacing_tangent(j) for j in range(_SPACINGS)], tangent_fn=_gradient_tangent)
# its adjoint rt.gradient_adjoint(g, f, *spacing) (the transposed differences): linear in g (f gives only a shape);
# in spacing j, the transpose in f of the spacing's tangent (and the spacing's adjoint of f -> its transpose)
define(RT + "gradient_adjoint",
       [lambda G, ans, g, f, *varargs, axis=None, edge_order=1: np.gradient(G, *varargs, **_options(axis, edge_order)),
        None]
       + [(lambda j: lambda G, ans, g, f, *varargs, axis=None, edge_order=1:
           rt.gradient_spacing_adjoint(g, None, G, j, *varargs, **_options(axis, edge_order)))(j)
          for j in range(_SPACINGS)],
       [lambda d, ans, g, f, *varargs, axis=None, edge_order=1:
        rt.gradient_adjoint(d, f, *varargs, **_options(axis, edge_order)), None]
       + [(lambda j: lambda d, ans, g, f, *varargs, axis=None, edge_order=1:
           rt.gradient_spacing_transpose(g, d, None, f, j, *varargs, **_options(axis, edge_order)))(j)
          for j in range(_SPACINGS)])


# the spacing helpers, (d, u, f, j, *spacings) of rt.gradient_spacing_tangent, (g, u, f, j, *spacings) of _adjoint
# and (g, d, u, f, j, *spacings) of _transpose: each linear in its directions d, u (u None: a first derivative) and
# in g and f; in another spacing than j, zero; in spacing j again, a second derivative (along u), a third refused
def _spacing_rules(head, adjoint, tangent):
    """The rules of a spacing helper in its spacings (after `head` leading arguments): `adjoint(G, args, o)` and
    `tangent(t, args, o)` of a first derivative in spacing j (o: the options to pass on)."""
    def rule(i, of):
        def at(G, ans, *args, axis=None, edge_order=1):
            j, u, vs = args[head - 1], args[head - 3], args[head:]
            if i != j:
                return 0.0 * (vs[i] if of is adjoint else ans)
            if u is not None:
                return rt.gradient_spacing_third(u)
            return of(G, args, _options(axis, edge_order))
        return at
    return [rule(i, adjoint) for i in range(_SPACINGS)], [rule(i, tangent) for i in range(_SPACINGS)]


def _added(rules):
    """A tangent_fn of `rules` (one per argument): their tangents added as np.gradient's results (rt.results_added:
    a tuple of one array per axis is added array by array, not joined by `+`)."""
    def tangent(tangents, ans, *args, **kwargs):
        parts = [rules[i](t, ans, *args, **kwargs) for i, t in enumerate(tangents) if t is not None]
        return parts[0] if len(parts) == 1 else rt.results_added(*parts)
    return tangent


_T, _A, _X = rt.gradient_spacing_tangent, rt.gradient_spacing_adjoint, rt.gradient_spacing_transpose
_T_IN = _spacing_rules(4, lambda G, a, o: _A(G, a[0], *a[2:], **o), lambda t, a, o: _T(a[0], t, *a[2:], **o))
_T_TANGENTS = [
    lambda t, ans, d, u, f, j, *vs, axis=None, edge_order=1: _T(t, u, f, j, *vs, **_options(axis, edge_order)),
    lambda t, ans, d, u, f, j, *vs, axis=None, edge_order=1: _T(d, t, f, j, *vs, **_options(axis, edge_order)),
    lambda t, ans, d, u, f, j, *vs, axis=None, edge_order=1: _T(d, u, t, j, *vs, **_options(axis, edge_order)),
    None] + _T_IN[1]
define(RT + "gradient_spacing_tangent",
       [lambda G, ans, d, u, f, j, *vs, axis=None, edge_order=1: _A(G, u, f, j, *vs, **_options(axis, edge_order)),
        lambda G, ans, d, u, f, j, *vs, axis=None, edge_order=1: _A(G, d, f, j, *vs, **_options(axis, edge_order)),
        lambda G, ans, d, u, f, j, *vs, axis=None, edge_order=1: _X(G, d, u, f, j, *vs, **_options(axis, edge_order)),
        None] + _T_IN[0],
       _T_TANGENTS, tangent_fn=_added(_T_TANGENTS))
_A_IN = _spacing_rules(4, lambda G, a, o: _A(a[0], G, *a[2:], **o), lambda t, a, o: _A(a[0], t, *a[2:], **o))
define(RT + "gradient_spacing_adjoint",
       [lambda G, ans, g, u, f, j, *vs, axis=None, edge_order=1: _T(G, u, f, j, *vs, **_options(axis, edge_order)),
        lambda G, ans, g, u, f, j, *vs, axis=None, edge_order=1: _A(g, G, f, j, *vs, **_options(axis, edge_order)),
        lambda G, ans, g, u, f, j, *vs, axis=None, edge_order=1: _X(g, G, u, f, j, *vs, **_options(axis, edge_order)),
        None] + _A_IN[0],
       [lambda t, ans, g, u, f, j, *vs, axis=None, edge_order=1: _A(t, u, f, j, *vs, **_options(axis, edge_order)),
        lambda t, ans, g, u, f, j, *vs, axis=None, edge_order=1: _A(g, t, f, j, *vs, **_options(axis, edge_order)),
        lambda t, ans, g, u, f, j, *vs, axis=None, edge_order=1: _A(g, u, t, j, *vs, **_options(axis, edge_order)),
        None] + _A_IN[1])
_X_IN = _spacing_rules(5, lambda G, a, o: _A(a[0], a[1], G, *a[4:], **o), lambda t, a, o: _X(a[0], a[1], t, *a[3:], **o))
define(RT + "gradient_spacing_transpose",
       [lambda G, ans, g, d, u, f, j, *vs, axis=None, edge_order=1: _T(d, u, G, j, *vs, **_options(axis, edge_order)),
        lambda G, ans, g, d, u, f, j, *vs, axis=None, edge_order=1: _A(g, u, G, j, *vs, **_options(axis, edge_order)),
        lambda G, ans, g, d, u, f, j, *vs, axis=None, edge_order=1: _A(g, d, G, j, *vs, **_options(axis, edge_order)),
        None, None] + _X_IN[0],
       [lambda t, ans, g, d, u, f, j, *vs, axis=None, edge_order=1: _X(t, d, u, f, j, *vs, **_options(axis, edge_order)),
        lambda t, ans, g, d, u, f, j, *vs, axis=None, edge_order=1: _X(g, t, u, f, j, *vs, **_options(axis, edge_order)),
        lambda t, ans, g, d, u, f, j, *vs, axis=None, edge_order=1: _X(g, d, t, f, j, *vs, **_options(axis, edge_order)),
        None, None] + _X_IN[1])
nondiff(RT + "gradient_spacing_third")  # (it refuses as it runs: its derivatives are never read)
# rt.results_added(*parts): np.gradient's results (an array, or a tuple of them) added: linear in each part
define(RT + "results_added", [lambda G, ans, *parts: G] * _SPACINGS,
       [lambda d, ans, *parts: d] * _SPACINGS,
       tangent_fn=lambda tangents, ans, *parts: rt.results_added(*[t for t in tangents if t is not None]))
