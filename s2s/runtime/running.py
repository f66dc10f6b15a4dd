"""The derivatives of the running extrema `np.maximum.accumulate(x, axis)` and `np.minimum.accumulate(x, axis)`.

Generated code reaches these as `rt.<name>` (`s2s.runtime` re-exports them). Each entry of the result is the
extremum of its line of x up to it; its derivative goes to the entries of x that hold that extremum, shared
equally among ties as np.max's adjoint shares a tie (the rule of np.max on each prefix). Both helpers are pure,
linear in their first argument, and each the other's transpose; the tangent takes a leading batch axis
(vector forward mode).
"""
from __future__ import annotations

import numpy as np

__all__ = ["running_extremum_adjoint", "running_extremum_tangent"]


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
