"""The derivatives of the running extrema `np.maximum.accumulate(x, axis)` and `np.minimum.accumulate(x, axis)`,
and of the running log-sum-exp `np.logaddexp.accumulate(x, axis)` (at the end).

Generated code reaches these as `rt.<name>` (`s2s.runtime` re-exports them). Each entry of the result is the
extremum of its line of x up to it; its derivative goes to the entries of x that hold that extremum, shared
equally among ties as np.max's adjoint shares a tie (the rule of np.max on each prefix). Both helpers are pure,
linear in their first argument, and each the other's transpose; the tangent takes a leading batch axis
(vector forward mode).
"""
from __future__ import annotations

import numpy as np

__all__ = ["running_extremum_adjoint", "running_extremum_tangent", "running_logsumexp_tangent",
           "running_logsumexp_adjoint"]


def _level_sums(v, level, reverse=False):
    """Sums of `v` along its last axis within each level (a run of equal `level`): from the level's start up to
    each entry, or (`reverse`) from each entry to the level's end. Doubling steps (Hillis and Steele, "Data
    parallel algorithms", 1986): log2 of the longest level's length passes, each adding entries of one level
    only, so no level's sum is the difference of two sums that cancel."""
    out = np.array(v, dtype=np.result_type(np.asarray(v).dtype, np.float64))
    step = 1
    while step < level.size:
        same = level[step:] == level[:-step]
        if not same.any():
            break
        if reverse:
            out[..., :-step] += np.where(same, out[..., step:], 0.0)
        else:
            out[..., step:] += np.where(same, out[..., :-step], 0.0)
        step *= 2
    return out


def _running_levels(ans, x, axis):
    """For `ans = np.maximum.accumulate(x, axis)` (or minimum): x's lines along `axis` laid end to end (the
    axis moved last, then flattened), and for each entry whether it holds its running extremum (a hit,
    x == ans), its level (the run of entries of one line with one value of ans), and the number of hits of
    its level up to it: the entries its extremum is shared among, as np.max's adjoint shares a tie. (A NaN
    entry and those after it in its line hold no hit: their derivative is 0, as np.maximum's.)"""
    x, ans = np.asarray(x), np.asarray(ans)
    axis = int(axis) % x.ndim
    xs, values = np.moveaxis(x, axis, -1).ravel(), np.moveaxis(ans, axis, -1).ravel()
    hit = xs == values
    new = np.ones(values.size, dtype=bool)
    new[1:] = values[1:] != values[:-1]
    new[::x.shape[axis]] = True  # (each line starts a level)
    level = np.cumsum(new)
    return axis, hit, level, _level_sums(hit, level)


def _laid_out(v, x, axis):
    """`v` (of x's shape, or a batch of them: leading axes) with x's lines laid end to end as _running_levels
    lays them: shape (batch...) + (x.size,); and the number of batch axes."""
    lead = max(np.ndim(v) - np.ndim(x), 0)
    v = np.broadcast_to(v, np.shape(v)[:lead] + np.shape(x))
    return np.moveaxis(v, axis + lead, -1).reshape(v.shape[:lead] + (-1,)), lead


def _laid_back(v, x, axis, lead):
    """The inverse of _laid_out."""
    shape = np.shape(x)
    v = v.reshape(v.shape[:lead] + shape[:axis] + shape[axis + 1:] + (shape[axis],))
    return np.moveaxis(v, -1, axis + lead)


def running_extremum_adjoint(g, ans, x, axis=0):
    """Adjoint of `ans = np.maximum.accumulate(x, axis)` (and of np.minimum's): each entry's `g` goes to the entries
    of x that hold its running extremum, shared equally among ties (np.max's rule on each prefix)."""
    if np.size(x) == 0:
        return np.zeros(np.shape(g), dtype=float)
    axis, hit, level, count = _running_levels(ans, x, axis)
    flat, lead = _laid_out(g, x, axis)
    share = np.divide(flat, count, out=np.zeros(flat.shape), where=count > 0)
    return _laid_back(np.where(hit, _level_sums(share, level, reverse=True), 0.0), x, axis, lead)


def running_extremum_tangent(d, ans, x, axis=0):
    """Tangent of `ans = np.maximum.accumulate(x, axis)` (and of np.minimum's): at each entry, the mean of the
    tangents of the entries of x that hold its running extremum; `d` may carry leading batch axes."""
    if np.size(x) == 0:
        return np.zeros(np.shape(d), dtype=float)
    axis, hit, level, count = _running_levels(ans, x, axis)
    flat, lead = _laid_out(d, x, axis)
    total = _level_sums(np.where(hit, flat, 0.0), level)
    out = np.divide(total, count, out=np.zeros(total.shape), where=count > 0)
    return _laid_back(out, x, axis, lead)


# ---------------------------------------------------------------- the running log-sum-exp
# y = np.logaddexp.accumulate(x, axis): y_i = log sum_{j <= i} exp(x_j) along the axis, so dy_i / dx_j = exp(x_j - y_i)
# for j <= i (0 after i), a matrix A. Its products with a vector are sums of exp(x_j + log v_j - y_i), computed as
# NumPy's own running log-sum-exp of the positive and of the negative parts of v (no exp(x) that overflows, and
# every term at most |v|): exact in every digit the sum has.
def _signed_log_sums(v, shifted, axis, reverse=False):
    """log of the running sums (from the end with `reverse`) of exp(shifted) * v, over v's positive and its
    negative entries apart: (log of the positive part's sums, log of the negative part's)."""
    parts = []
    for positive in (True, False):
        keep = v > 0 if positive else v < 0
        with np.errstate(divide="ignore"):
            terms = np.where(keep, shifted + np.log(np.where(keep, np.abs(v), 1.0)), -np.inf)
        if reverse:
            terms = np.flip(terms, axis)
        sums = np.logaddexp.accumulate(terms, axis=axis)
        parts.append(np.flip(sums, axis) if reverse else sums)
    return parts


def _batch_axis(v, x, axis):
    """The axis of `v` (x's shape, or a batch of them: leading axes) along which x accumulates."""
    return int(axis) % np.ndim(x) + np.ndim(v) - np.ndim(x)


def running_logsumexp_tangent(d, ans, x, axis=0):
    """Tangent of `ans = np.logaddexp.accumulate(x, axis)`: sum_{j <= i} exp(x_j - ans_i) d_j at each i (the softmax
    of each prefix, times d); `d` may carry leading batch axes. Linear in d."""
    d = np.broadcast_to(d, np.shape(d)[:max(np.ndim(d) - np.ndim(x), 0)] + np.shape(x))
    positive, negative = _signed_log_sums(d, x, _batch_axis(d, x, axis))
    with np.errstate(invalid="ignore"):  # (a line of -inf entries: its result -inf, no derivative)
        out = np.exp(positive - ans) - np.exp(negative - ans)
    return np.where(np.isneginf(ans), 0.0, out)


def running_logsumexp_adjoint(g, ans, x, axis=0):
    """Adjoint of `ans = np.logaddexp.accumulate(x, axis)`: sum_{i >= j} g_i exp(x_j - ans_i) at each j (a reversed
    running sum); `g` may carry leading batch axes. Linear in g."""
    g = np.broadcast_to(g, np.shape(g)[:max(np.ndim(g) - np.ndim(x), 0)] + np.shape(x))
    with np.errstate(invalid="ignore"):
        shifted = np.where(np.isneginf(ans), -np.inf, -np.asarray(ans, dtype=float))
    positive, negative = _signed_log_sums(g, shifted, _batch_axis(g, x, axis), reverse=True)
    with np.errstate(invalid="ignore"):
        out = np.exp(x + positive) - np.exp(x + negative)
    return np.where(np.isneginf(x), 0.0, out)
