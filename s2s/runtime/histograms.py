"""np.histogram's derivatives (rules/histograms.py).

`hist, edges = np.histogram(a, bins, range, weights=w)`: each entry of `a` falls in one bin (or none), a choice
that is piecewise constant in `a`, so the counts carry no derivative; with `weights=` the histogram is linear in
the weights, the sum of each bin's weights. The edges are `bins` itself where it is an array; where `bins` is a
number (or a name of NumPy's rules, 'auto') and `range` is not given they are `np.linspace(a.min(), a.max(),
nbins + 1)` and follow a's extremes (an extreme shared by several entries shares its derivative among them, as
np.min's does); with `range=` they are constants. `density=True` is read as NumPy computes it from the counts and
the edges (rules/histograms.py), with the rules of those operations. np.histogram2d: the same for each sample's
cell and each coordinate's edges. np.histogramdd(sample, bins, range, weights=w): the same for each sample's cell in
D dimensions and each dimension's edges (sample an (N, D) array, or a sequence of D arrays).
"""
from __future__ import annotations

import numpy as np

__all__ = ["histogram_bins", "histogram_gather", "histogram_scatter", "histogram_ends_adjoint",
           "histogram_ends_tangent", "histogram_fixed", "histogram2d_fixed", "histogram2d_gather",
           "histogram2d_scatter", "histogramdd_gather", "histogramdd_scatter",
           "histogramdd_ends_adjoint", "histogramdd_ends_tangent"]


def histogram_bins(a, edges):
    """The bin of each entry of `a` (flattened) between `edges`, as np.histogram places it: edges[k] <= v <
    edges[k + 1], the last bin closed on the right; nbins for an entry outside the edges (or NaN)."""
    a, edges = np.ravel(a), np.asarray(edges)
    n = edges.size - 1
    at = np.searchsorted(edges, a, side="right") - 1
    at = np.where(a == edges[-1], n - 1, at)
    return np.where((a >= edges[0]) & (a <= edges[-1]), at, n)


def histogram_gather(g, a, edges, like):
    """The adjoint of np.histogram's weights (`like`: their shape): each entry gets `g` of its bin, 0 outside."""
    n = np.size(edges) - 1
    g = np.append(np.broadcast_to(np.asarray(g, dtype=float), (n,)), 0.0)
    return g[histogram_bins(a, edges)].reshape(np.shape(like))


def histogram_scatter(v, a, edges):
    """The sum of `v` (shaped as `a`) over each bin: np.histogram's tangent in its weights (and the transpose of
    histogram_gather)."""
    n = np.size(edges) - 1
    v = np.broadcast_to(np.asarray(v, dtype=float), np.shape(a)).ravel()
    return np.bincount(histogram_bins(a, edges), weights=v, minlength=n + 1)[:n]


def histogram_fixed(bins, range) -> bool:
    """Are np.histogram's edges fixed, not np.linspace(a.min(), a.max(), nbins + 1) (bins an array of edges, or
    range given)?"""
    return range is not None or np.ndim(bins) != 0


def _shares(a):
    a = np.asarray(a)
    low, high = a == np.min(a), a == np.max(a)
    return low / np.sum(low), high / np.sum(high)


def histogram_ends_adjoint(g, a, edges, fixed=False):
    """The adjoint of np.histogram's edges in `a` (`g`: the edges' adjoint): edge k = lo + (hi - lo) k / nbins
    with lo, hi = a.min(), a.max(); zero where the edges are `fixed` (histogram_fixed)."""
    if fixed or np.size(a) == 0:
        return np.zeros(np.shape(a))
    g = np.broadcast_to(np.asarray(g, dtype=float), np.shape(edges))
    t = np.linspace(0.0, 1.0, np.size(edges))
    low, high = _shares(a)
    return np.sum(g * (1.0 - t)) * low + np.sum(g * t) * high


def histogram_ends_tangent(d, a, edges, fixed=False):
    """The tangent of np.histogram's edges from a's tangent `d` (the transpose of histogram_ends_adjoint)."""
    if fixed or np.size(a) == 0:
        return np.zeros(np.shape(edges))
    d = np.broadcast_to(np.asarray(d, dtype=float), np.shape(a))
    t = np.linspace(0.0, 1.0, np.size(edges))
    low, high = _shares(a)
    return np.sum(d * low) * (1.0 - t) + np.sum(d * high) * t



# ---------------------------------------------------------------- np.histogram2d(x, y, bins, range, weights=w)
def histogram2d_fixed(bins, range, axis: int) -> bool:
    """Are np.histogram2d's edges along `axis` (0: x, 1: y) fixed, not np.linspace(min, max, nbins + 1) of that
    coordinate (bins an array of edges there, or its range given)? bins is a number, a pair, or the edges of both."""
    try:
        count = len(bins)
    except TypeError:
        count = 1
    own = bins[axis] if count == 2 else bins if count == 1 else np.asarray(bins)
    return np.ndim(own) != 0 or range is not None and range[axis] is not None


def _cells(x, y, xedges, yedges):
    nx, ny = np.size(xedges) - 1, np.size(yedges) - 1
    ix, iy = histogram_bins(x, xedges), histogram_bins(y, yedges)
    return np.where((ix < nx) & (iy < ny), ix * ny + iy, nx * ny), nx, ny


def histogram2d_gather(g, x, y, xedges, yedges, like):
    """The adjoint of np.histogram2d's weights (`like`: their shape): each sample gets g of its cell, 0 outside."""
    cells, nx, ny = _cells(x, y, xedges, yedges)
    g = np.append(np.broadcast_to(np.asarray(g, dtype=float), (nx, ny)).ravel(), 0.0)
    return g[cells].reshape(np.shape(like))


def histogram2d_scatter(v, x, y, xedges, yedges):
    """The sum of `v` (one value per sample) over each cell: np.histogram2d's tangent in its weights."""
    cells, nx, ny = _cells(x, y, xedges, yedges)
    v = np.broadcast_to(np.asarray(v, dtype=float), np.shape(x)).ravel()
    return np.bincount(cells, weights=v, minlength=nx * ny + 1)[:nx * ny].reshape(nx, ny)


# ---------------------------------------------------------------- np.histogramdd(sample, bins, range, weights=w)
def _columns(sample) -> list:
    """The D coordinates of np.histogramdd's sample, as NumPy reads it: the columns of an (N, D) array, else of
    np.atleast_2d(sample).T (a sequence of D arrays of N values)."""
    sample = np.asarray(sample) if isinstance(sample, np.ndarray) and sample.ndim == 2 else np.atleast_2d(sample).T
    return [sample[:, k] for k in range(sample.shape[1])]


def _fixed_dd(bins, range, ndim) -> tuple:
    """For each of np.histogramdd's `ndim` dimensions: are its edges fixed (given as an array in bins, or its range
    given), not np.linspace(min, max, n + 1) of that coordinate?"""
    per = [bins] * ndim if np.ndim(bins) == 0 else list(bins)
    ranges = [None] * ndim if range is None else list(range)
    return tuple(bool(np.ndim(b) != 0 or r is not None) for b, r in zip(per, ranges))


def _cells_dd(sample, edges):
    columns = _columns(sample)
    counts = [np.size(e) - 1 for e in edges]
    cells, outside = np.zeros(np.size(columns[0]), dtype=np.intp), np.zeros(np.size(columns[0]), dtype=bool)
    for column, e, n in zip(columns, edges, counts):
        at = histogram_bins(column, e)
        outside |= at == n
        cells = cells * n + np.minimum(at, n - 1)
    total = int(np.prod(counts))
    return np.where(outside, total, cells), counts, total


def histogramdd_gather(g, sample, edges, like):
    """The adjoint of np.histogramdd's weights (`like`: their shape): each sample gets g of its cell, 0 outside."""
    cells, counts, total = _cells_dd(sample, edges)
    g = np.append(np.broadcast_to(np.asarray(g, dtype=float), tuple(counts)).ravel(), 0.0)
    return g[cells].reshape(np.shape(like))


def histogramdd_scatter(v, sample, edges):
    """The sum of `v` (one value per sample) over each cell: np.histogramdd's tangent in its weights."""
    cells, counts, total = _cells_dd(sample, edges)
    v = np.broadcast_to(np.asarray(v, dtype=float), np.shape(cells))
    return np.bincount(cells, weights=v, minlength=total + 1)[:total].reshape(counts)


def histogramdd_ends_adjoint(g, sample, edges, bins=10, range=None):
    """The adjoint of np.histogramdd's edges (`g`: their adjoints, one per dimension) in `sample`, in sample's form
    (an (N, D) array, or a sequence of D arrays): each dimension's edges follow its coordinate's extremes where
    they are not fixed (given in bins, or by range)."""
    columns = _columns(sample)
    fixed = _fixed_dd(bins, range, len(columns))
    parts = [np.zeros(np.shape(c)) if f or gk is None else histogram_ends_adjoint(gk, c, e)
             for c, e, f, gk in zip(columns, edges, fixed, _each(g, len(columns)))]
    if isinstance(sample, np.ndarray) and sample.ndim == 2:
        return np.stack(parts, axis=1)
    return type(sample)(parts) if isinstance(sample, (list, tuple)) else np.stack(parts)


def histogramdd_ends_tangent(d, sample, edges, bins=10, range=None):
    """The tangents of np.histogramdd's edges (a list, one per dimension) from sample's tangent `d` (in sample's
    form): the transpose of histogramdd_ends_adjoint."""
    columns = _columns(sample)
    fixed = _fixed_dd(bins, range, len(columns))
    if isinstance(sample, np.ndarray) and sample.ndim == 2:
        ds = _columns(np.broadcast_to(np.asarray(d, dtype=float), sample.shape))
    else:  # (a sequence of D coordinates: its tangent one per coordinate)
        ds = [np.broadcast_to(np.asarray(dk, dtype=float), np.shape(c)) for dk, c in zip(
            d if isinstance(d, (list, tuple)) else np.broadcast_to(np.asarray(d, dtype=float), (len(columns),) +
                                                                   np.shape(columns[0])), columns)]
    return [np.zeros(np.shape(e)) if f else histogram_ends_tangent(dk, c, e)
            for c, e, f, dk in zip(columns, edges, fixed, ds)]


def _each(g, n) -> list:
    """The edges' adjoints, one per dimension (None for one without: g 0.0 where no edge was read)."""
    if isinstance(g, (list, tuple)):
        return [None if np.ndim(v) == 0 and v == 0 else v for v in g]
    return [None] * n
