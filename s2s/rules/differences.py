"""Finite differences, linear in what they difference: np.diff (with prepend= and append=), np.ediff1d (with to_end=
and to_begin=) and np.gradient (also linear in 1 / h of one number spacing h), and the transposes of their runtime
adjoints; records written as linear.py's are.
"""
from __future__ import annotations

import numpy as _np

from s2s.rules.primitive import define, given, linear, non_default
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


# np.gradient(f, *spacing): linear in f (central differences inside, one-sided at the edges); in one number spacing
# h, linear in 1 / h: d/dh = -ans / h (rt.gradient_spacing refuses coordinates, and spacings of several axes)
def _spacing_adjoint(j, first):
    """The adjoint with respect to args[j] of a function linear in 1 / h of one spacing h, its spacings args[first:]."""
    return lambda G, ans, *args, axis=None, edge_order=1: \
        -(1.0 / rt.gradient_spacing(args[j], ans, *args[first:j], *args[j + 1:])) * np.sum(G * ans)


def _spacing_tangent(j, first):
    return lambda d, ans, *args, axis=None, edge_order=1: \
        -(ans / rt.gradient_spacing(args[j], ans, *args[first:j], *args[j + 1:])) * d


_SPACINGS = 8
define("numpy.gradient",
       [lambda g, ans, f, *varargs, axis=None, edge_order=1:
        rt.gradient_adjoint(g, f, *varargs, **given(axis=axis), **non_default(edge_order=(edge_order, 1)))]
       + [_spacing_adjoint(j, 1) for j in range(1, 1 + _SPACINGS)],
       [lambda d, ans, f, *varargs, axis=None, edge_order=1:
        np.gradient(d, *varargs, **given(axis=axis), **non_default(edge_order=(edge_order, 1)))]
       + [_spacing_tangent(j, 1) for j in range(1, 1 + _SPACINGS)])
# its adjoint rt.gradient_adjoint(g, f, *spacing) (the transposed differences): linear in g, in 1 / h too (f gives
# only a shape); the checked spacing rt.gradient_spacing(h, ans, *others) is h
define(RT + "gradient_adjoint",
       [lambda G, ans, g, f, *varargs, axis=None, edge_order=1:
        np.gradient(G, *varargs, **given(axis=axis), **non_default(edge_order=(edge_order, 1))), None]
       + [_spacing_adjoint(j, 2) for j in range(2, 2 + _SPACINGS)],
       [lambda d, ans, g, f, *varargs, axis=None, edge_order=1:
        rt.gradient_adjoint(d, f, *varargs, **given(axis=axis), **non_default(edge_order=(edge_order, 1))), None]
       + [_spacing_tangent(j, 2) for j in range(2, 2 + _SPACINGS)])
define(RT + "gradient_spacing", [lambda g, ans, h, result, *others: g] + [None] * (1 + _SPACINGS),
       [lambda d, ans, h, result, *others: d] + [None] * (1 + _SPACINGS))
