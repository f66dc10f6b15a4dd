"""Derivatives of `np.cumprod` that stay exact where the entries hold a zero.

The textbook adjoint of y = cumprod(x), reversed cumsum(g * y) / x, divides by the entries: `nan` at a zero
(after a mask, `np.maximum(x, 0.0)`, `np.arange(n) * c`). Along a line of x (the entries along `axis`) whose
first zero is at z, with L = prod(x[:z]) and Q = cumprod([1, x[z + 1:]]), every partial derivative
prod(x[j] for j <= k, j != i) with i or k past z holds the factor x[z] = 0 but those with i = z, which are
L * Q[k - z]; before z the division is exact (x[i] != 0, y[k] = 0 for k >= z). The helpers here redo such
lines without dividing, and leave the others to the division formulas (one pass, no copy, when x has no zero).

`cumprod_adjoint(g, ans, x)` (arrays.py) is read as a function of g, ans and x by the records of its second
derivatives (rules/runtime_helpers.py): on a line with a zero its entries from z on are the polynomials of x
above, which do not read ans, so their tangent in ans is 0 there and their tangent in x is the polynomial's.
"""
from __future__ import annotations

import numpy as np

__all__ = ["cumprod_zero_lines", "cumprod_adjoint_transpose", "cumprod_adjoint_ans", "cumprod_adjoint_tangent_x",
           "cumprod_adjoint_adjoint_x"]


def _zero_lines(x, axis):
    """The index (in the array with `axis` moved last) of each line of x holding a zero."""
    hits = np.any(np.moveaxis(x, axis, -1) == 0, axis=-1)
    return [()] if hits.ndim == 0 else [tuple(i) for i in np.argwhere(hits)]


def _last(axis, *arrays):
    """Each array with `axis` moved last (a view: writes go to the array)."""
    return [np.moveaxis(a, axis, -1) for a in arrays]


def _line(xs):
    """For a line holding a zero: its first zero z, L = prod(xs[:z]) and Q = cumprod([1, xs[z + 1:]])."""
    z = int(np.argmax(xs == 0))
    return z, np.prod(xs[:z]), np.cumprod(np.concatenate([[1.0], xs[z + 1:]]))


def _line_adjoint(g, xs):
    """The adjoint of cumprod(xs) of one line for the cotangent g, exact (used for the tail after a zero)."""
    if xs.size == 0:
        return np.zeros(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.cumsum((g * np.cumprod(xs))[::-1])[::-1] / xs
    return cumprod_zero_lines(out, g, xs, 0, adjoint=True)


def cumprod_zero_lines(out, v, x, axis, adjoint):
    """`out`, the adjoint (`adjoint=True`, v the cotangent g) or tangent (v the tangent d) of np.cumprod(x, axis)
    from the formulas that divide by x, with each line holding a zero done again: the adjoint is L (g[z:] . Q)
    at z and 0 after it, the tangent d[z] L Q from z on."""
    if np.all(x != 0):
        return out
    out = np.array(out, dtype=np.result_type(out, np.float64))
    lines_x, lines_v, lines_out = _last(axis, x, np.broadcast_to(v, x.shape), out)
    for line in _zero_lines(x, axis):
        xs, vs, res = lines_x[line], lines_v[line], lines_out[line]
        z, low, tail = _line(xs)
        if adjoint:
            res[z], res[z + 1:] = low * np.dot(vs[z:], tail), 0.0
        else:
            res[z:] = vs[z] * low * tail
    return out


def _flat(axis, *arrays):
    """axis=None: the arrays raveled, along axis 0 (the flat cumprod's)."""
    return (0, *(np.ravel(a) for a in arrays)) if axis is None else (axis, *(np.asarray(a) for a in arrays))


def cumprod_adjoint_transpose(G, x, axis=None):
    """The transpose in `ans` of cumprod_adjoint(g, ans, x, axis) = reversed cumsum(g * ans) / x, without g:
    the cumulative sum of G / x (flat for axis=None, as g is). On a line with a zero, the entries from its first
    zero on do not read ans: their G counts for nothing."""
    axis, G, x = _flat(axis, G, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.asarray(G) / x
    if not np.all(x != 0):
        v = np.array(v, dtype=float)
        lines_x, lines_v = _last(axis, x, v)
        for line in _zero_lines(x, axis):
            lines_v[line][int(np.argmax(lines_x[line] == 0)):] = 0.0
    return np.cumsum(v, axis=axis)


def cumprod_adjoint_ans(g, v, x, axis=None):
    """The tangent in `ans` (v) of cumprod_adjoint(g, ans, x, axis): reversed cumsum(g * v) / x, and 0 from the
    first zero on along a line holding one (those entries do not read ans)."""
    shape = np.shape(x)
    axis, g, v, x = _flat(axis, g, v, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.flip(np.cumsum(np.flip(g * v, axis), axis), axis) / x
    if not np.all(x != 0):
        out = np.array(out, dtype=float)
        lines_x, lines_out = _last(axis, x, out)
        for line in _zero_lines(x, axis):
            lines_out[line][int(np.argmax(lines_x[line] == 0)):] = 0.0
    return np.reshape(out, shape)


def cumprod_adjoint_tangent_x(d, out, g, x, axis=None):
    """The tangent in x (d) of out = cumprod_adjoint(g, ans, x, axis), ans held: -out d / x; on a line with a
    zero at z, the derivatives of the entries from z on (L (g[z:] . Q) at z, 0 after it) as polynomials of x:
    L (g[z:] . Q) sum(d[:z] / x[:z]) + L (d[z + 1:] . T) at z and d[z] L T after it, with T the adjoint of the
    tail's cumprod, cumprod(x[z + 1:]), for g[z + 1:]."""
    shape = np.shape(x)
    axis, d, out, g, x = _flat(axis, d, out, g, x)
    res = _off_zeros(-out * d, x)
    for xs, ds, gs, rs, z, low, tail, t in _zero_line_parts(axis, x, d, g, res):
        rs[z] = low * np.dot(gs[z:], tail) * np.sum(ds[:z] / xs[:z]) + low * np.dot(ds[z + 1:], t)
        rs[z + 1:] = ds[z] * low * t
    return np.reshape(res, shape)


def cumprod_adjoint_adjoint_x(C, out, g, x, axis=None):
    """The adjoint in x of out = cumprod_adjoint(g, ans, x, axis), ans held, for the cotangent C of out: the
    transpose of cumprod_adjoint_tangent_x, -C out / x; on a line with a zero at z, C[z] L (g[z:] . Q) / x[j]
    more for j < z, L (C[z + 1:] . T) at z and C[z] L T after it."""
    shape = np.shape(x)
    axis, C, out, g, x = _flat(axis, C, out, g, x)
    res = _off_zeros(-C * out, x)
    for xs, cs, gs, rs, z, low, tail, t in _zero_line_parts(axis, x, C, g, res):
        rs[:z] += cs[z] * low * np.dot(gs[z:], tail) / xs[:z]
        rs[z] = low * np.dot(cs[z + 1:], t)
        rs[z + 1:] = cs[z] * low * t
    return np.reshape(res, shape)


def _off_zeros(numerator, x):
    """numerator / x as a float array (its entries on lines with a zero are then set by the caller)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(numerator / x, dtype=float)  # (a new array: the quotient)


def _zero_line_parts(axis, x, d, g, res):
    """For each line of x (along `axis`) with a zero: that line of x, d, g and res (views: writing into the
    last writes into res), the first zero's position z, the product L of the entries before it, the tail's
    product Q of `_line`, and T, the adjoint of the tail's cumprod for g after z."""
    if np.all(x != 0):
        return
    lines = _last(axis, x, np.broadcast_to(d, x.shape), np.broadcast_to(g, x.shape), res)
    for line in _zero_lines(x, axis):
        xs, ds, gs, rs = (a[line] for a in lines)
        z, low, tail = _line(xs)
        yield xs, ds, gs, rs, z, low, tail, _line_adjoint(gs[z + 1:], xs[z + 1:])
