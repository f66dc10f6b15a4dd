"""Helpers of the rules for reductions with `where=` and `initial=` (np.max(x, where=m, initial=c)).

`where=m` reduces only the entries where m holds: their derivative is the reduction's, the others' is 0, written
so that it never multiplies their values (NaN data there stays out of the derivative).
"""
import numpy as np

from s2s.runtime.arrays import expand_reduced, reduced_axes

__all__ = ["masked_extremum_share"]


def masked_extremum_share(ans, x, where=True, axis=None, keepdims=False):
    """d np.max(x, axis, keepdims, where=where, initial=c) / dx (np.min's too): 1/k at each of the k entries where
    `where` holds that equal the result, as np.max's rule shares a tie, and 0 elsewhere, also where the result is
    the initial value c alone (a constant). Piecewise constant: it has no derivative of its own."""
    x = np.asarray(x)
    hit = np.logical_and(x == expand_reduced(ans, x.shape, axis, keepdims), where)
    count = np.sum(hit, axis=reduced_axes(axis, x.ndim), keepdims=True)
    return hit / np.maximum(count, 1)
