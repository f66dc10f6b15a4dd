"""Reductions that are not linear: extrema, products, moments, norms; one record each.

Each `define` gives the reverse rule (adjoints: one per positional argument,
`lambda g, ans, x, ...`) and the tangent rule (`lambda d, ans, x, ...`) side by
side; the longer ones call a documented helper of `s2s.runtime` (`rt.name`).
"""
from __future__ import annotations

import numpy

from s2s import ir
from s2s.rules.primitive import (constant_is, define, given, multilinear, non_default, nondiff, read_first, reading,
                                 refuse)
from s2s.rules.registry import REQUIRED
from s2s.rules.symbolic import Sym, emit, math, np, rt

# the trapezoidal rule by the name this NumPy has: np.trapezoid (NumPy 2), np.trapz (NumPy 1, rules/numpy1.py)
trapezoid = getattr(np, "trapezoid" if hasattr(numpy, "trapezoid") else "trapz")


# ---------------------------------------------------------------- extrema
# (where=m, initial=c: among the entries where m holds, and 0 where the result is c alone: rt.masked_extremum_share;
# the tangent's sum skips the other entries, whose tangents are often NaN where their data is)
def _extremum_adjoint(g, ans, x, axis=None, out=None, keepdims=False, initial=None, where=None):
    if initial is None and where is None:
        return rt.extremum_adjoint(g, ans, x, **non_default(axis=(axis, None), keepdims=(keepdims, False)))
    options = non_default(axis=(axis, None), keepdims=(keepdims, False))
    return rt.sum_adjoint(g, x, **options) * rt.masked_extremum_share(ans, x, **given(where=where), **options)


def _extremum_tangent(d, ans, x, axis=None, out=None, keepdims=False, initial=None, where=None):
    if initial is None and where is None:
        return rt.extremum_tangent(d, ans, x, **given(axis=axis, keepdims=keepdims or None))
    share = rt.masked_extremum_share(ans, x, **given(where=where), **non_default(axis=(axis, None),
                                                                              keepdims=(keepdims, False)))
    return np.sum(d * share, **given(axis=axis, keepdims=keepdims or None, where=where))


# (np.nanmax skips the NaN entries, and so does its tangent: theirs, often NaN too, never reaches it as 0 * nan)
def _nan_extremum_tangent(d, ans, x, axis=None, out=None, keepdims=False, initial=None, where=None):
    return _extremum_tangent(np.where(np.isnan(x), 0.0, d), ans, x, axis, out, keepdims, initial, where)


for _key in ("numpy.max", "numpy.min", "numpy.amax", "numpy.amin"):
    define(_key, [_extremum_adjoint], [_extremum_tangent], full_reduction=True)
for _key in ("numpy.nanmax", "numpy.nanmin"):
    define(_key, [_extremum_adjoint], [_nan_extremum_tangent])
nondiff("s2s.runtime.masked_extremum_share")
# the builtin max(xs) (min) of one sequence, rt.largest (front/lists.py): shared among the items equal to it, as
# np.max's is; its default=, positional, takes the derivative where xs is empty
for _key in ("s2s.runtime.largest", "s2s.runtime.smallest"):
    define(_key, [lambda g, ans, xs, *default: rt.extremum_item_adjoint(g, ans, xs),
                  lambda g, ans, xs, default: rt.default_share(g, xs)],
           [lambda d, ans, xs, *default: rt.extremum_item_tangent(d, ans, xs),
            lambda d, ans, xs, default: rt.default_share(d, xs)])
define("numpy.ptp",
       [lambda g, ans, x, axis=None, out=None, keepdims=False:
        rt.ptp_adjoint(g, x, **non_default(axis=(axis, None), keepdims=(keepdims, False)))],
       [lambda d, ans, x, axis=None, out=None, keepdims=False:
        rt.ptp_tangent(d, x, **given(axis=axis, keepdims=keepdims or None))])

# ---------------------------------------------------------------- products
# (where=m: the product of np.where(m, x, 1), the entries left out carrying none; m fitted to x's shape as NumPy
# fits it, np.broadcast_to raising where it cannot)
def _prod_selected(x, where):
    return None if where is None else np.broadcast_to(where, np.shape(x))


def _prod_adjoint(g, ans, x, axis=None, dtype=None, out=None, keepdims=False, where=None):
    m = _prod_selected(x, where)
    xw = x if m is None else np.where(m, x, 1)
    adjoint = rt.prod_adjoint(g, xw, **non_default(axis=(axis, None), keepdims=(keepdims, False)))
    return adjoint if m is None else np.where(m, adjoint, 0.0)


def _prod_tangent(d, ans, x, axis=None, dtype=None, out=None, keepdims=False, where=None):
    m = _prod_selected(x, where)
    if m is None:
        return rt.prod_tangent(d, x, **given(axis=axis, keepdims=keepdims or None))
    return rt.prod_tangent(np.where(m, d, 0.0), np.where(m, x, 1), **given(axis=axis, keepdims=keepdims or None))


define("numpy.prod", [_prod_adjoint], [_prod_tangent], full_reduction=True)
define("numpy.cumprod",
       [lambda g, ans, x, axis=None, dtype=None: rt.cumprod_adjoint(g, ans, x, **non_default(axis=(axis, None)))],
       [lambda d, ans, x, axis=None, dtype=None: rt.cumprod_tangent(d, ans, x, **given(axis=axis))])

# ---------------------------------------------------------------- moments
# (correction=, NumPy 2's spelling of ddof=, is read as ddof: _moment_ddof; where=m: _masked_var_*)
def _var_adjoint(g, x, axis, ddof, keepdims, where):
    if where is not None:
        return _masked_var_adjoint(g, x, axis, ddof, keepdims, where)
    return rt.var_adjoint(g, x, **non_default(axis=(axis, None), ddof=(ddof, 0), keepdims=(keepdims, False)))


def _var_tangent(d, x, axis, ddof, keepdims, where):
    if where is not None:
        return _masked_var_tangent(d, x, axis, ddof, keepdims, where)
    return rt.var_tangent(d, x, **given(axis=axis, ddof=ddof or None, keepdims=keepdims or None))


define("numpy.var",
       [lambda g, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, **kw:
        _var_adjoint(g, x, axis, _moment_ddof("numpy.var", ddof, kw), keepdims, where)],
       [lambda d, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, **kw:
        _var_tangent(d, x, axis, _moment_ddof("numpy.var", ddof, kw), keepdims, where)],
       full_reduction=True)
# (std = sqrt(var): where all entries are equal, a kink like the norm's at 0, the derivative is 0, not 0 / 0)
define("numpy.std",
       [lambda g, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, **kw:
        _var_adjoint(rt.ratio_or_zero(g, 2.0 * ans), x, axis, _moment_ddof("numpy.std", ddof, kw),
                     keepdims, where)],
       [lambda d, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, **kw:
        rt.ratio_or_zero(_var_tangent(d, x, axis, _moment_ddof("numpy.std", ddof, kw), keepdims, where),
                         2.0 * ans)],
       full_reduction=True)


# np.var(x, where=m): the entries where m holds, x_m, as np.var(x_m): g 2 (x - mean) / (n - ddof) there, 0 elsewhere.
# x is read through np.where(m, x, 0.0), so that its other entries (NaN data) enter no product, also when this is
# differentiated again (hessian, grad of grad); n counts the entries where m holds
def _masked_centred(x, axis, where):
    kept = np.where(where, x, 0.0)
    return kept - np.mean(kept, **given(axis=axis), keepdims=True, where=where)


def _masked_count(x, axis, ddof, keepdims, where):
    return np.count_nonzero(np.broadcast_to(where, np.shape(x)), **given(axis=axis, keepdims=keepdims or None)) - ddof


def _masked_var_adjoint(g, x, axis, ddof, keepdims, where):
    spread = rt.sum_adjoint(g, x, **non_default(axis=(axis, None), keepdims=(keepdims, False)))
    return np.where(where, spread * (2.0 * _masked_centred(x, axis, where)) / _masked_count(x, axis, ddof, True, where),
                    0.0)


def _masked_var_tangent(d, x, axis, ddof, keepdims, where):
    total = np.sum(2.0 * _masked_centred(x, axis, where) * d, **given(axis=axis, keepdims=keepdims or None), where=where)
    return total / _masked_count(x, axis, ddof, keepdims, where)


# (where=m: the np.nan* reductions of np.where(m, x, nan), which they skip, so its tangents too: _left_out)
define("numpy.nansum",
       [lambda g, ans, x, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None:
        np.where(np.isnan(_left_out(x, where)), 0.0,
                 rt.sum_adjoint(g, _left_out(x, where), **non_default(axis=(axis, None), keepdims=(keepdims, False))))],
       [lambda d, ans, x, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None:
        np.sum(np.where(np.isnan(_left_out(x, where)), 0.0, d), **given(axis=axis, keepdims=keepdims or None))])
define("numpy.nanmean",
       [lambda g, ans, x, axis=None, dtype=None, out=None, keepdims=False, where=None:
        rt.nanmean_adjoint(g, _left_out(x, where), **non_default(axis=(axis, None), keepdims=(keepdims, False)))],
       [lambda d, ans, x, axis=None, dtype=None, out=None, keepdims=False, where=None:
        rt.nanmean_tangent(d, _left_out(x, where), **given(axis=axis, keepdims=keepdims or None))])


def _left_out(x, where):
    """x, with nan where `where` does not hold: what the np.nan* reductions skip (x's shape: where broadcasts)."""
    return x if where is None else np.where(where, x, float("nan"))


# np.average is linear in x (the weights are constants); returned=True makes it a pair (the average, the sum of the
# weights), whose second part has no derivative in x
def _returned(returned) -> bool:
    if isinstance(returned, Sym):
        refuse("numpy.average", "its returned= is known only at run time (the result a pair or not)",
               "pass returned=True or returned=False as a constant")
    return bool(returned)


def _average_adjoint(g, ans, x, axis=None, weights=None, returned=False, keepdims=False):
    mean_part = g[0] if _returned(returned) else g
    if weights is None:
        return rt.average_adjoint(mean_part, x, **non_default(axis=(axis, None), keepdims=(keepdims, False)))
    # g W / sum W, written in NumPy's terms (weights that depend on x too: differentiated again, hessian)
    read, spread, _, total = _weighted(x, axis, weights, True)
    kept = (lambda v: v) if keepdims or axis is None else (lambda v: np.expand_dims(v, axis))
    return kept(mean_part) * spread / total


def _average_tangent(d, ans, x, axis=None, weights=None, returned=False, keepdims=False):
    mean = np.average(d, **given(axis=axis, weights=weights, keepdims=keepdims or None))
    return rt.sequence_tangent(ans, 0, mean) if _returned(returned) else mean


# ... and in its weights: with W the weights as NumPy reads them (rt.weights_as_read: their axes placed among x's)
# spread over x, m the average (kept axes) and S = sum W, the adjoint is g (x - m) / S at each element, gathered
# back to the weights (rt.weights_as_given), the tangent sum((x - m) dW) / S; returned=True's sum of the weights,
# sum W over the axes, broadcast to the average's shape. Written with rules of their own, so that they are
# differentiated again as any NumPy code (hessian)
def _weighted(x, axis, weights, keepdims):
    read = rt.weights_as_read(weights, x, **non_default(axis=(axis, None)))
    spread = np.broadcast_to(read, np.shape(x))
    options = given(axis=axis)
    mean = np.average(x, **options, weights=spread, keepdims=True)
    return read, spread, x - mean, np.sum(spread, **options, keepdims=keepdims)


def _average_weights_adjoint(g, ans, x, axis=None, weights=None, returned=False, keepdims=False):
    read, spread, centred, total = _weighted(x, axis, weights, True)
    mean_part = g[0] if _returned(returned) else g
    kept = (lambda v: v) if keepdims or axis is None else (lambda v: np.expand_dims(v, axis))
    part = rt.unbroadcast(kept(mean_part) * centred / total, read)
    if _returned(returned):  # (the sum of the weights: each weight's own part of g[1], summed over its copies)
        summed = np.sum(read, **given(axis=axis), keepdims=keepdims)
        part = part + rt.sum_adjoint(rt.unbroadcast(g[1], summed), read,
                                     **non_default(axis=(axis, None), keepdims=(keepdims, False)))
    return rt.weights_as_given(part, weights, x, **non_default(axis=(axis, None)))


def _average_weights_tangent(d, ans, x, axis=None, weights=None, returned=False, keepdims=False):
    read, spread, centred, total = _weighted(x, axis, weights, keepdims)
    options = given(axis=axis)
    dread = rt.weights_as_read(d, x, **non_default(axis=(axis, None)))
    mean = np.sum(centred * dread, **options, keepdims=keepdims) / total
    if not _returned(returned):
        return mean
    return emit("tuple", mean, np.broadcast_to(np.sum(dread, **options, keepdims=keepdims), np.shape(mean)))


# (positions: x, axis, weights)
define("numpy.average", [_average_adjoint, None, _average_weights_adjoint],
       [_average_tangent, None, _average_weights_tangent])
# np.trapezoid(y, dx=h) is linear in the spacing h too: its tangent is the rule with the tangent for the spacing
# (np.trapezoid(y, dx=dh)), its adjoint g times each interval's mean of y; dx is unused where x is given
def _trapezoid_adjoint_dx(g, ans, y, x=None, dx=1.0, axis=-1):
    return np.zeros(np.shape(dx)) if x is not None else rt.trapezoid_adjoint_dx(g, y, dx, **non_default(axis=(axis, -1)))


def _trapezoid_tangent_dx(d, ans, y, x=None, dx=1.0, axis=-1):
    return np.zeros(np.shape(ans)) if x is not None else trapezoid(y, dx=d, **non_default(axis=(axis, -1)))


define("numpy.trapezoid",  # linear in y, and in the sample points' differences
       [lambda g, ans, y, x=None, dx=1.0, axis=-1:
        rt.trapezoid_adjoint_y(g, y, **non_default(dx=(dx, 1.0), axis=(axis, -1))) if x is None else
        rt.trapezoid_adjoint_y(g, y, x, **non_default(axis=(axis, -1))),  # (x by position: it may have a tangent)
        lambda g, ans, y, x=None, dx=1.0, axis=-1: rt.trapezoid_adjoint_x(g, y, x, **non_default(axis=(axis, -1))),
        _trapezoid_adjoint_dx],
       [lambda d, ans, y, x=None, dx=1.0, axis=-1:
        trapezoid(d, **given(x=x, dx=None if dx is None or dx == 1.0 else dx, axis=None if axis == -1 else axis)),
        lambda d, ans, y, x=None, dx=1.0, axis=-1: trapezoid(y, d, **given(axis=None if axis == -1 else axis)),
        _trapezoid_tangent_dx])

# ---------------------------------------------------------------- norms
define("numpy.linalg.norm",
       [lambda g, ans, x, ord=None, axis=None, keepdims=False:
        g * rt.ratio_or_zero(x, ans) if ord is None and axis is None and keepdims is False else
        rt.norm_adjoint(g, ans, x, **non_default(ord=(ord, None), axis=(axis, None), keepdims=(keepdims, False)))],
       [lambda d, ans, x, ord=None, axis=None, keepdims=False:
        rt.norm_tangent(d, ans, x, **given(ord=ord, axis=axis, keepdims=keepdims or None))],
       parameters=(("x", REQUIRED), ("ord", None), ("axis", None), ("keepdims", False)))  # (norm(x=v): v's place)
define("numpy.linalg.vector_norm",
       [lambda g, ans, x, axis=None, keepdims=False, ord=2:
        rt.vector_norm_adjoint(g, ans, x, **non_default(axis=(axis, None), keepdims=(keepdims, False), ord=(ord, 2)))],
       [lambda d, ans, x, axis=None, keepdims=False, ord=2:
        rt.vector_norm_tangent(d, ans, x, **given(axis=axis, keepdims=keepdims or None, ord=None if ord == 2 else ord))])
define("numpy.linalg.matrix_norm",
       [lambda g, ans, x, keepdims=False, ord="fro":
        rt.matrix_norm_adjoint(g, ans, x, **non_default(keepdims=(keepdims, False), ord=(ord, "fro")))],
       [lambda d, ans, x, keepdims=False, ord="fro":
        rt.matrix_norm_tangent(d, ans, x, **given(keepdims=keepdims or None, ord=None if ord == "fro" else ord))])

# ---------------------------------------------------------------- math: products and distances of sequences
def _prod_rank(ranks, kwargs):
    """math.prod(xs) multiplies xs's items: a number for a vector xs, a row for a matrix (its rank less one)."""
    return ranks[0] - 1 if ranks and ranks[0] else None


# math.prod(xs, start=1) = start * x_0 * x_1 * ...: np.prod's rules on the sequence as an array (its items
# numbers, or arrays of one shape, stacked along a first axis); d/d start = the product of the items
define("math.prod",
       [lambda g, ans, xs, start=1: rt.prod_adjoint(g * start, np.array(xs), axis=0),
        lambda g, ans, xs, start=1: g * math.prod(xs)],
       [lambda d, ans, xs, start=1: start * rt.prod_tangent(np.array(d), np.array(xs), axis=0),
        lambda d, ans, xs, start=1: d * math.prod(xs)], of_sequences=True, rank=_prod_rank)
# math.dist(p, q) = |p - q|: d/dp = (p - q) / ans = -d/dq, 0 where p == q (the kink; math.hypot's convention).
# (p and q are sequences of numbers or vectors: as arrays, so that the difference's own derivative, in
# hessian and grad(grad), is one of arrays too)
def _unit(p, q, ans):
    return rt.ratio_or_zero(np.asarray(p) - np.asarray(q), ans)


define("math.dist", [lambda g, ans, p, q: g * _unit(p, q, ans), lambda g, ans, p, q: -g * _unit(p, q, ans)],
       [lambda d, ans, p, q: np.dot(_unit(p, q, ans), d), lambda d, ans, p, q: -np.dot(_unit(p, q, ans), d)],
       of_sequences=True, rank=lambda ranks, kwargs: 0)

# ---------------------------------------------------------------- np.nanprod: np.prod with nan entries as 1
define("numpy.nanprod",
       [lambda g, ans, x, axis=None, dtype=None, out=None, keepdims=False:
        np.where(np.isnan(x), 0.0, rt.prod_adjoint(g, np.where(np.isnan(x), 1.0, x),
                                                   **non_default(axis=(axis, None), keepdims=(keepdims, False))))],
       [lambda d, ans, x, axis=None, dtype=None, out=None, keepdims=False:
        rt.prod_tangent(np.where(np.isnan(x), 0.0, d), np.where(np.isnan(x), 1.0, x),
                        **given(axis=axis, keepdims=keepdims or None))])

# ---------------------------------------------------------------- quantiles: np.quantile's default 'linear' method
# The derivative goes to the (at most two) sorted entries each quantile interpolates, with the interpolation
# weights (rt.quantile_adjoint); ties take it in the order of a stable sort. np.median is the quantile 0.5,
# np.percentile q / 100, the np.nan* forms the same over the entries that are not nan. In q, a quantile is
# piecewise linear, c (x[hi] - x[lo]) on the segment between the sorted entries lo, hi its virtual index
# q (n - 1) lies on (c = n - 1; at a sorted entry the segment to the right, as np.interp's): rt.quantile_q_tangent.


def _quantile_checks(key, method="linear", overwrite_input=False, out=None, weights=None, interpolation=None):
    name = "np." + key.split(".")[-1]
    if isinstance(method, Sym) or method != "linear" or interpolation is not None:
        refuse(key, f"{name} with a method other than 'linear' (the default) has no rule in s2s",
               "use the default method='linear', or sort and index: np.sort(x)[k]")
    if weights is not None:
        refuse(key, f"{name} with weights= has no rule in s2s", "leave weights out (method='linear')")
    if isinstance(overwrite_input, Sym) or overwrite_input:
        refuse(key, f"{name} with overwrite_input=True reorders its input in place, which the derivative reads",
               "leave overwrite_input out")
    if out is not None:
        refuse(key, f"{name} with out= has no rule in s2s", "assign the result instead: y = " + name + "(...)")


def _fraction(q, percent):
    """q as a fraction: q / 100 for a percentile."""
    if not percent:
        return q
    return q / 100.0 if isinstance(q, (int, float)) and not isinstance(q, bool) else np.true_divide(q, 100)


def _quantile_record(key, percent=False, ignore_nan=False):
    nan = {"ignore_nan": True} if ignore_nan else {}

    def adjoint(g, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, **kw):
        _quantile_checks(key, method, overwrite_input, out, **kw)
        return rt.quantile_adjoint(g, a, _fraction(q, percent),
                                   **non_default(axis=(axis, None), keepdims=(keepdims, False)), **nan)

    def tangent(d, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, **kw):
        _quantile_checks(key, method, overwrite_input, out, **kw)
        return rt.quantile_tangent(d, a, _fraction(q, percent), **given(axis=axis, keepdims=keepdims or None), **nan)

    def q_adjoint(g, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, **kw):
        _quantile_checks(key, method, overwrite_input, out, **kw)
        slope = rt.quantile_q_adjoint(g, a, a, _fraction(q, percent),
                                      **non_default(axis=(axis, None), keepdims=(keepdims, False)), **nan)
        return slope / 100.0 if percent else slope

    def q_tangent(d, ans, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False, **kw):
        _quantile_checks(key, method, overwrite_input, out, **kw)
        slope = rt.quantile_q_tangent(d, a, a, _fraction(q, percent),
                                      **given(axis=axis, keepdims=keepdims or None), **nan)
        return slope / 100.0 if percent else slope
    define(key, [adjoint, q_adjoint], [tangent, q_tangent])


def _median_record(key, ignore_nan=False):
    nan = {"ignore_nan": True} if ignore_nan else {}

    def adjoint(g, ans, a, axis=None, out=None, overwrite_input=False, keepdims=False):
        _quantile_checks(key, overwrite_input=overwrite_input, out=out)
        return rt.quantile_adjoint(g, a, 0.5, **non_default(axis=(axis, None), keepdims=(keepdims, False)), **nan)

    def tangent(d, ans, a, axis=None, out=None, overwrite_input=False, keepdims=False):
        _quantile_checks(key, overwrite_input=overwrite_input, out=out)
        return rt.quantile_tangent(d, a, 0.5, **given(axis=axis, keepdims=keepdims or None), **nan)
    define(key, [adjoint], [tangent])


# rt.quantile_q_tangent(s, v, a, q) = c (v[hi] - v[lo]) s is linear in s and in v (a's sorted order and the segments
# q lies on are piecewise constant: a zero derivative in a and q); rt.quantile_q_adjoint(g, v, a, q) its transpose in s
# and rt.quantile_slope_adjoint(h, s, a, q) in v, themselves linear in their first two arguments. The derivatives of
# quantile_adjoint(g, a, q) and quantile_tangent(d, a, q) in q are the same slopes of g's and d's entries.
_QUANTILE_HELPERS = "s2s.runtime.quantile_"
multilinear(_QUANTILE_HELPERS + "q_tangent", lambda G, ans, s, v, a, q, **kw: rt.quantile_q_adjoint(G, v, a, q, **kw),
            lambda G, ans, s, v, a, q, **kw: rt.quantile_slope_adjoint(G, s, a, q, **kw), None, None)
multilinear(_QUANTILE_HELPERS + "q_adjoint", lambda G, ans, g, v, a, q, **kw: rt.quantile_q_tangent(G, v, a, q, **kw),
            lambda G, ans, g, v, a, q, **kw: rt.quantile_slope_adjoint(g, G, a, q, **kw), None, None,
            rank_of_argument=3)
multilinear(_QUANTILE_HELPERS + "slope_adjoint",
            lambda G, ans, h, s, a, q, **kw: rt.quantile_q_tangent(s, G, a, q, **kw),
            lambda G, ans, h, s, a, q, **kw: rt.quantile_q_adjoint(h, G, a, q, **kw), None, None,
            rank_of_argument=2)
define(_QUANTILE_HELPERS + "adjoint", [lambda G, ans, g, a, q, **kw: rt.quantile_tangent(G, a, q, **kw), None,
                                       lambda G, ans, g, a, q, **kw: rt.quantile_q_adjoint(g, G, a, q, **kw)],
       [lambda d, ans, g, a, q, **kw: rt.quantile_adjoint(d, a, q, **kw), None,
        lambda d, ans, g, a, q, **kw: rt.quantile_slope_adjoint(g, d, a, q, **kw)], rank_of_argument=1)
define(_QUANTILE_HELPERS + "tangent", [lambda G, ans, d, a, q, **kw: rt.quantile_adjoint(G, a, q, **kw), None,
                                       lambda G, ans, d, a, q, **kw: rt.quantile_q_adjoint(G, d, a, q, **kw)],
       [lambda D, ans, d, a, q, **kw: rt.quantile_tangent(D, a, q, **kw), None,
        lambda D, ans, d, a, q, **kw: rt.quantile_q_tangent(D, d, a, q, **kw)])
_quantile_record("numpy.quantile")
_quantile_record("numpy.percentile", percent=True)
_quantile_record("numpy.nanquantile", ignore_nan=True)
_quantile_record("numpy.nanpercentile", percent=True, ignore_nan=True)
_median_record("numpy.median")
_median_record("numpy.nanmedian", ignore_nan=True)

def _moment_ddof(key, ddof, kw):
    """np.var's and np.std's ddof, or correction= (NumPy 2's name for it) where given; mean= refused."""
    return _nan_moment_options(key, ddof=ddof, **kw)


# ---------------------------------------------------------------- the nan-ignoring moments and running sums/products
# (each rule masks the nan entries before it multiplies, so that no 0 * nan reaches a second derivative)
def _nan_moment_options(key, mean=None, correction=None, ddof=0):
    """ddof (or its NumPy 2 spelling correction=); mean= is refused."""
    if mean is not None:
        refuse(key, f"np.{key.split('.')[-1]} with mean= has no rule in s2s",
               "leave it out (the mean is computed again from x)")
    return ddof if correction is None else correction


def _nan_centered(x, axis):
    """x minus its nanmean along axis (kept for broadcasting), 0 where x is nan; and the count of the others."""
    missing = np.isnan(x)
    centered = np.where(missing, 0.0, x - np.nanmean(x, **given(axis=axis), keepdims=True))
    return centered, missing


def _nanvar_adjoint(key, g, x, axis, ddof, keepdims):
    centered, missing = _nan_centered(x, axis)
    count = np.count_nonzero(np.logical_not(missing), **given(axis=axis), keepdims=True)
    return rt.sum_adjoint(g, x, **non_default(axis=(axis, None), keepdims=(keepdims, False))) * (2.0 * centered) \
        / (count - ddof)


def _nanvar_tangent(key, d, x, axis, ddof, keepdims):
    """(the product masked, not only x - mean: the tangent of a NaN entry is often NaN too, and 0 * nan is nan)"""
    missing = np.isnan(x)
    count = np.count_nonzero(np.logical_not(missing), **given(axis=axis, keepdims=keepdims or None))
    centered = x - np.nanmean(x, **given(axis=axis), keepdims=True)
    return np.sum(np.where(missing, 0.0, 2.0 * centered * d), **given(axis=axis, keepdims=keepdims or None)) \
        / (count - ddof)


define("numpy.nanvar",
       [lambda g, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, **kw: _nanvar_adjoint(
           "numpy.nanvar", g, _left_out(x, where), axis, _nan_moment_options("numpy.nanvar", ddof=ddof, **kw),
           keepdims)],
       [lambda d, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, **kw: _nanvar_tangent(
           "numpy.nanvar", d, _left_out(x, where), axis, _nan_moment_options("numpy.nanvar", ddof=ddof, **kw),
           keepdims)])
# (nanstd = sqrt(nanvar): 0 where the entries that are not nan are all equal, as np.std's)
define("numpy.nanstd",
       [lambda g, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, **kw: _nanvar_adjoint(
           "numpy.nanstd", rt.ratio_or_zero(g, 2.0 * ans), _left_out(x, where), axis,
           _nan_moment_options("numpy.nanstd", ddof=ddof, **kw), keepdims)],
       [lambda d, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None, **kw:
        rt.ratio_or_zero(_nanvar_tangent("numpy.nanstd", d, _left_out(x, where), axis,
                                         _nan_moment_options("numpy.nanstd", ddof=ddof, **kw), keepdims), 2.0 * ans)])
define("numpy.nancumsum",
       [lambda g, ans, x, axis=None, dtype=None, out=None:
        np.where(np.isnan(x), 0.0, rt.cumsum_adjoint(g, x, **non_default(axis=(axis, None))))],
       [lambda d, ans, x, axis=None, dtype=None, out=None: np.cumsum(np.where(np.isnan(x), 0.0, d), **given(axis=axis))])
define("numpy.nancumprod",
       [lambda g, ans, x, axis=None, dtype=None, out=None:
        np.where(np.isnan(x), 0.0, rt.cumprod_adjoint(g, ans, np.where(np.isnan(x), 1.0, x),
                                                      **non_default(axis=(axis, None))))],
       [lambda d, ans, x, axis=None, dtype=None, out=None:
        rt.cumprod_tangent(np.where(np.isnan(x), 0.0, d), ans, np.where(np.isnan(x), 1.0, x), **given(axis=axis))])

# ---------------------------------------------------------------- np.cov(m): quadratic in m (no y=; weights constant)
def _cov_options(y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, dtype=None):
    if y is not None or dtype is not None:
        refuse("numpy.cov", "np.cov with y= or dtype= has no rule in s2s",
               "stack the variables into one array first: np.cov(np.vstack([x, y])); cast the result for dtype=")
    if isinstance(rowvar, Sym) or isinstance(bias, Sym):
        refuse("numpy.cov", "np.cov with rowvar= or bias= known only at run time", "write them as constants")
    return non_default(rowvar=(rowvar, True), bias=(bias, False), ddof=(ddof, None), fweights=(fweights, None),
                       aweights=(aweights, None))


def _cov_other(*args, **kwargs):
    """The derivative of np.cov in an argument other than m (y=, the weights): refused."""
    _cov_options(*args, **kwargs)
    refuse("numpy.cov", "np.cov is differentiated in m (the weights, fweights= and aweights=, taken as constants), "
                        "not in its other arguments",
           "write the weighted covariance out, for observations in the rows of P (np.cov(P.T, aweights=w)): "
           "c = w @ P / w.sum(); Q = P - c; C = (Q * w[:, None]).T @ Q / (w.sum() - (w ** 2).sum() / w.sum())")


def _cov_adjoint(g, ans, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, dtype=None):
    return rt.cov_adjoint(g, m, **_cov_options(y, rowvar, bias, ddof, fweights, aweights, dtype))


def _cov_tangent(d, ans, m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, dtype=None):
    return rt.cov_tangent(d, m, **_cov_options(y, rowvar, bias, ddof, fweights, aweights, dtype))


RT = "s2s.runtime."
_COV_PARAMETERS = (("m", REQUIRED), ("y", None), ("rowvar", True), ("bias", False), ("ddof", None),
                   ("fweights", None), ("aweights", None))


def _cov_joined(materialise, *args, **kwargs):
    """np.cov(m, y, rowvar, ...) is np.cov of m's variables and y's joined in rows (NumPy's own reading:
    concatenate((X, y), axis=0), each in rows as rowvar says, rt.cov_rows), rowvar then the default; a call
    without y (or with a dtype=, or a rowvar known only at run time) is kept, with the rule below."""
    bound = dict(zip([name for name, _ in _COV_PARAMETERS], args), **kwargs)
    y, rowvar = bound.pop("y", ir.Const(None)), bound.pop("rowvar", ir.Const(True))
    if constant_is(y, None) or not isinstance(rowvar, ir.Const) or \
            not constant_is(bound.get("dtype", ir.Const(None)), None):
        return ir.Call("numpy.cov", tuple(args), tuple(kwargs.items()))
    joined = materialise(ir.Call(RT + "cov_rows", (bound.pop("m"), y) + (() if rowvar.value is True else (rowvar,))))
    return ir.Call("numpy.cov", (joined,), tuple((k, v) for k, v in bound.items()
                                                if not constant_is(v, dict(_COV_PARAMETERS)[k])))


# (named parameters: a keyword argument with a derivative, aweights=w, meets _cov_other's refusal)
read_first(define("numpy.cov", [_cov_adjoint] + [lambda g, ans, m, *args, **kwargs: _cov_other(*args, **kwargs)] * 6,
                  [_cov_tangent] + [lambda d, ans, m, *args, **kwargs: _cov_other(*args, **kwargs)] * 6),
           _cov_joined, _COV_PARAMETERS)


# ---------------------------------------------------------------- np.corrcoef(x, y, rowvar): np.cov, scaled
def _corrcoef(materialise, x, y=ir.Const(None), rowvar=ir.Const(True), dtype=ir.Const(None)):
    """NumPy's own reading: c = np.cov(x, y, rowvar); d = np.sqrt(np.diagonal(c)); np.clip(c / d[:, None] /
    d[None, :], -1, 1), the covariance's rules then; np.atleast_2d and the reshape back keep one variable's 0-d c."""
    if not isinstance(rowvar, ir.Const) or not constant_is(dtype, None):
        return ir.Call("numpy.corrcoef", (x, y, rowvar), (("dtype", dtype),))
    c = materialise(_cov_joined(materialise, x, *(() if constant_is(y, None) else (y,)),
                                **({} if rowvar.value is True else {"rowvar": rowvar})))
    c2 = materialise(ir.Call(f"{np._prefix}.atleast_2d", (c,)))
    d = materialise(ir.Call(f"{np._prefix}.sqrt", (materialise(ir.Call(f"{np._prefix}.diagonal", (c2,))),)))
    rows = materialise(ir.Call("truediv", (c2, materialise(ir.Call("getitem", (d, ir.Const(slice(None)),
                                                                              ir.Const(None)))))))
    r = materialise(ir.Call("truediv", (rows, materialise(ir.Call("getitem", (d, ir.Const(None),
                                                                             ir.Const(slice(None))))))))
    clipped = materialise(ir.Call(f"{np._prefix}.clip", (r, ir.Const(-1.0), ir.Const(1.0))))
    return ir.Call(f"{np._prefix}.reshape", (clipped, materialise(ir.Call(f"{np._prefix}.shape", (c,)))))


def _corrcoef_refusal(x, y=None, rowvar=True, dtype=None):
    if dtype is not None:
        refuse("numpy.corrcoef", "np.corrcoef with dtype= has no derivative rule in s2s", "cast the result instead")
    refuse("numpy.corrcoef", "np.corrcoef with a rowvar= known only at run time has no derivative rule in s2s",
           "write rowvar as a constant (rowvar=False for variables in columns)")


reading("numpy.corrcoef", _corrcoef, _corrcoef_refusal,
        parameters=(("x", REQUIRED), ("y", None), ("rowvar", True), ("dtype", None)))
