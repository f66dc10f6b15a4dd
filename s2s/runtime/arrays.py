"""Numeric helpers for the NumPy reverse rules: reductions, shapes, selection.

Generated code reaches these as `rt.<name>` (`s2s.runtime` re-exports them).
Every helper is pure: it returns a new array and never writes into its
arguments. Each docstring names the derivative it implements, written as the
adjoint (vector-Jacobian product) of the NumPy call it belongs to: `g` is the
adjoint of that call's result, `ans` the result itself.

Products and linear algebra are in linalg.py, joining and splitting in joining.py.
"""
from __future__ import annotations

import math

import numpy as np

from s2s.errors import S2SError
from s2s.runtime.core import DictParts, Parts, Shape, TupleParts, unbroadcast_to_shape, zeros_like
from s2s.runtime.cumprod import cumprod_zero_lines
from s2s.runtime.shapes import array_shape, shape_of, shapes_of

__all__ = [
    "Parts", "reduced_axes", "expand_reduced", "prod_adjoint", "extremum_adjoint", "var_adjoint", "cumsum_adjoint",
    "cumprod_adjoint", "nanmean_adjoint", "norm_adjoint", "vector_norm_adjoint", "matrix_norm_adjoint", "diff_adjoint",
    "diff_ends_adjoint", "trapezoid_adjoint_dx", "taken_indices", "tile_adjoint", "repeat_adjoint", "array_adjoint",
    "shapes_of", "take_adjoint", "take_along_axis_adjoint", "sort_adjoint", "select_adjoint_choices",
    "select_adjoint_default", "sinc_derivative", "ptp_adjoint", "trapezoid_adjoint_y", "trapezoid_adjoint_x",
    "interp_adjoint_x", "interp_adjoint_fp", "mT", "accumulator", "Shape", "shape_of", "array_shape", "add_into",
]


# ---------------------------------------------------------------- shared pieces

_FLOAT64 = np.dtype(np.float64)


def _float_zeros(x):
    x = np.asarray(x)
    return np.zeros(x.shape, dtype=np.result_type(x.dtype, np.float64))


def accumulator(x, init=0.0):
    """A new adjoint of `x` that a reversed loop adds element adjoints into in place (`bx[i] += g`):
    a float array of x's shape for an array, a list of parts for a list or a tuple (the gradient of a
    tuple is made a tuple again where it leaves, by `unbroadcast`), a dict of parts for a dict; `init`,
    the adjoint that came from after the loop (0.0: none), added in."""
    if type(x) is np.ndarray and x.dtype is _FLOAT64 and type(init) is float and init == 0.0:
        return np.zeros(x.shape)  # (once per reversed iteration of an outer loop: a float array first)
    if isinstance(x, dict):
        acc = DictParts((k, zeros_like(v)) for k, v in x.items())
    elif isinstance(x, (tuple, list)):
        acc = Parts(zeros_like(v) for v in x)
    else:
        acc = _float_zeros(x)
        if not (np.ndim(init) == 0 and init == 0):
            acc = acc + init
        return acc
    # (a container adjoint is never a bare zero: np.ndim of a tuple of ragged parts would fail)
    return acc if not isinstance(init, (tuple, list, dict)) and np.ndim(init) == 0 and init == 0 else acc + init


def add_into(acc, g):
    """`acc + g` for an adjoint a reversed loop accumulates, added into `acc` in place where that gives
    the same array: acc is a writable array the loop made (a copy or an earlier sum; never one that
    anything else refers to) of the sum's shape and type. Else (a number, a container, a broadcast
    sum) the sum is a new value."""
    if type(acc) is np.ndarray and type(g) is np.ndarray and g.shape == acc.shape and g.dtype == acc.dtype \
            and acc.flags.writeable:  # (once per reversed iteration: two arrays alike first)
        acc += g
        return acc
    if isinstance(acc, np.ndarray) and acc.flags.writeable and isinstance(g, (np.ndarray, np.generic, float, int)) \
            and (np.shape(g) == acc.shape or np.ndim(g) == 0) and np.result_type(acc, g) == acc.dtype:
        acc += g
        return acc
    return acc + g


def mT(a):
    """The matrix transpose of the last two axes (`a.mT` in NumPy 2)."""
    return np.swapaxes(a, -1, -2)


def reduced_axes(axis, ndim: int) -> tuple:
    """The non-negative axes a reduction with `axis` removes (all of them for None; none of a 0-d array's, which
    NumPy reduces along axis 0 or -1 to itself: `np.sum(x ** 2, axis=-1)` of a number)."""
    if axis is None or ndim == 0:
        return tuple(range(ndim))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return tuple(sorted(int(a) % ndim for a in axes))


def expand_reduced(g, shape, axis=None, keepdims=False):
    """`g`, the adjoint of a reduction of an array of `shape` over `axis`, reshaped to broadcast against it."""
    g = np.asarray(g)
    if not keepdims:
        g = np.expand_dims(g, reduced_axes(axis, len(shape))) if len(shape) else g
    return g


# ---------------------------------------------------------------- reductions

def prod_adjoint(g, x, axis=None, keepdims=False):
    """Adjoint of `np.prod(x, axis, keepdims)`: `g` times the product of the other factors.

    Computed from exclusive prefix and suffix products, so zeros in `x` are exact.
    """
    x = np.asarray(x)
    if x.size == 0:  # no entries, so no factors (the product of an empty axis is the constant 1)
        return expand_reduced(g, x.shape, axis, keepdims) * np.zeros(x.shape)
    axes = reduced_axes(axis, x.ndim)
    keep = [a for a in range(x.ndim) if a not in axes]
    perm = keep + list(axes)
    xt = np.transpose(x, perm)
    lead = xt.shape[:len(keep)]
    flat = xt.reshape(lead + (-1,))
    ones = np.ones(lead + (1,), dtype=np.result_type(x.dtype, np.float64))
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = np.transpose((left * right).reshape(xt.shape), np.argsort(perm))
    return expand_reduced(g, x.shape, axis, keepdims) * others


def extremum_adjoint(g, ans, x, axis=None, keepdims=False):
    """Adjoint of `np.max`/`np.min` (and the nan-ignoring variants): `g` shared equally among the extremal entries."""
    x = np.asarray(x)
    if axis is None and np.ndim(ans) == 0:  # the extremum of the whole array: one count, no expanding
        hit = x == ans
        count = np.count_nonzero(hit)
        if count:
            return np.multiply(hit, g / count, dtype=float)
    hit = x == expand_reduced(ans, x.shape, axis, keepdims)
    g = expand_reduced(g, x.shape, axis, keepdims)
    if np.count_nonzero(hit) == np.size(ans) and not np.isnan(ans).any():
        # one extremal entry per result (each non-NaN result is hit at least once): no ties to share among, and
        # no count along the reduced axes (NumPy's reductions along a short axis cost ~20 µs per 5,000 entries)
        return np.where(hit, g, 0.0)
    count = np.sum(hit, axis=reduced_axes(axis, x.ndim), keepdims=True)
    return g * hit / count


def var_adjoint(g, x, axis=None, ddof=0, keepdims=False):
    """Adjoint of `np.var(x, axis, ddof=ddof, keepdims)`: `g * 2 (x - mean) / (n - ddof)`.

    Centred twice: the rounding of the mean leaves x - mean a multiple of ones (1e-16 of it) where all
    entries are equal, which np.std's adjoint divides by a std of that same size (an O(1) gradient along
    ones, where the function is constant); the second centring takes it out."""
    x = np.asarray(x)
    axes = reduced_axes(axis, x.ndim)
    n = int(np.prod([x.shape[a] for a in axes]))
    centred = x - np.mean(x, axis=axes, keepdims=True)
    centred = centred - np.mean(centred, axis=axes, keepdims=True)
    return expand_reduced(g, x.shape, axis, keepdims) * 2.0 * centred / (n - ddof)


def cumsum_adjoint(g, x, axis=None):
    """Adjoint of `np.cumsum(x, axis)`: the reversed cumulative sum of `g`. (Of a 0-d x along axis 0 or -1,
    NumPy's result has one entry, its adjoint x's shape.)"""
    if axis is None or np.ndim(x) == 0:
        return np.reshape(np.cumsum(np.asarray(g)[::-1])[::-1], np.shape(x))
    return np.flip(np.cumsum(np.flip(g, axis), axis), axis)


def cumprod_adjoint(g, ans, x, axis=None):
    """Adjoint of `np.cumprod(x, axis)`: reversed cumulative sum of `g * ans`, divided by `x`; along a line of
    x holding a zero, the entries from its first zero on without dividing (runtime/cumprod.py)."""
    if axis is None or np.ndim(x) == 0:  # (flattened: a 0-d x along axis 0 or -1 too)
        flat = cumprod_adjoint(np.ravel(g * np.ones_like(ans)), np.ravel(ans), np.ravel(x), 0)
        return np.reshape(flat, np.shape(x))
    x = np.asarray(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = cumsum_adjoint(g * ans, x, axis) / x
    return cumprod_zero_lines(out, g, x, axis, adjoint=True)


def nanmean_adjoint(g, x, axis=None, keepdims=False):
    """Adjoint of `np.nanmean(x, axis, keepdims)`: `g / count` at the non-NaN entries, 0 at NaNs."""
    x = np.asarray(x)
    present = ~np.isnan(x)
    count = np.sum(present, axis=reduced_axes(axis, x.ndim), keepdims=True)
    return expand_reduced(g, x.shape, axis, keepdims) * present / count


def _vector_norm_adjoint(g, ans, x, ord, axis):
    """Adjoint of a vector p-norm of `x` along `axis` (tuple) with the keepdims-shaped `g`, `ans`."""
    if ord is None or ord == 2:
        return g * x / np.where(ans == 0, 1.0, ans)
    if ord == 1:
        return g * np.sign(x)
    if ord == 0:
        return np.zeros_like(x, dtype=float)
    if ord in (np.inf, -np.inf):
        hit = np.abs(x) == ans
        return g * np.sign(x) * hit / np.sum(hit, axis=axis, keepdims=True)
    return g * np.sign(x) * np.abs(x) ** (ord - 1) / np.where(ans == 0, 1.0, ans) ** (ord - 1)  # (0 at 0)


def _matrix_norm_adjoint(g, ans, x, ord):
    """Adjoint of a matrix norm over the last two axes; `g`, `ans` have shape (..., 1, 1)."""
    if ord in (None, "fro"):
        return g * x / np.where(ans == 0, 1.0, ans)
    if ord in ("nuc", 2, -2):
        u, s, vh = np.linalg.svd(x, full_matrices=False)
        if ord == "nuc":
            return g * (u @ vh)
        i = 0 if ord == 2 else s.shape[-1] - 1  # the largest or the smallest singular value
        return g * (u[..., :, i:i + 1] * vh[..., i:i + 1, :])
    if ord in (1, -1, np.inf, -np.inf):
        rows = ord in (np.inf, -np.inf)  # inf: max row sum; 1: max column sum
        sums = np.sum(np.abs(x), axis=-1 if rows else -2, keepdims=True)
        hit = sums == ans
        return g * np.sign(x) * hit / np.sum(hit, axis=-2 if rows else -1, keepdims=True)
    raise S2SError(f"np.linalg.norm: the derivative of the matrix norm ord={ord!r} is not supported by s2s "
                   f"(use ord=None, 'fro', 1, -1, np.inf, -np.inf, 2, -2 or 'nuc')")


def norm_adjoint(g, ans, x, ord=None, axis=None, keepdims=False):
    """Adjoint of `np.linalg.norm(x, ord, axis, keepdims)` (vector norms, and the matrix norms
    'fro', 'nuc', 1, -1, 2, -2, inf, -inf).  Where the norm is not differentiable (a zero vector,
    ties in a max) it uses the subgradient that shares `g` among the tied entries."""
    x = np.asarray(x)
    if axis is None:  # the matrix norm `ord` of a 2-D x, else the 2-norm of all entries
        axes, matrix, pair = tuple(range(x.ndim)), x.ndim == 2 and ord is not None, (0, 1)
    else:
        axes = reduced_axes(axis, x.ndim)
        matrix, pair = len(axes) == 2, axis
    g = expand_reduced(g, x.shape, axes, keepdims)
    ans = expand_reduced(ans, x.shape, axes, keepdims)
    if not matrix:
        return _vector_norm_adjoint(g, ans, x, ord, axes)
    move = lambda v: np.moveaxis(v, pair, (-2, -1))  # noqa: E731
    return np.moveaxis(_matrix_norm_adjoint(move(g), move(ans), move(x), ord), (-2, -1), pair)


def vector_norm_adjoint(g, ans, x, axis=None, keepdims=False, ord=2):
    """Adjoint of `np.linalg.vector_norm(x, axis, keepdims, ord)` (axis=None: all entries form one vector)."""
    x = np.asarray(x)
    axes = reduced_axes(axis, x.ndim)
    g, ans = expand_reduced(g, x.shape, axes, keepdims), expand_reduced(ans, x.shape, axes, keepdims)
    return _vector_norm_adjoint(g, ans, x, ord, axes)


def matrix_norm_adjoint(g, ans, x, keepdims=False, ord="fro"):
    """Adjoint of `np.linalg.matrix_norm(x, keepdims, ord)` (the norm of each matrix in the last two axes)."""
    g, ans = expand_reduced(g, np.shape(x), (-2, -1), keepdims), expand_reduced(ans, np.shape(x), (-2, -1), keepdims)
    return _matrix_norm_adjoint(g, ans, np.asarray(x), ord)


def ptp_adjoint(g, x, axis=None, keepdims=False):
    """Adjoint of `np.ptp(x, axis, keepdims)` = max - min: `g` to the maximal, `-g` to the minimal entries."""
    top = np.max(x, axis=axis, keepdims=keepdims)
    bottom = np.min(x, axis=axis, keepdims=keepdims)
    return extremum_adjoint(g, top, x, axis, keepdims) - extremum_adjoint(g, bottom, x, axis, keepdims)


def _trapezoid_weights(n, x, dx, axis, ndim):
    """The weight of each sample in the trapezoidal rule, shaped to broadcast along `axis`."""
    if n < 2:  # one sample or none: no interval, and the integral is 0 whatever they are
        shape = [1] * ndim
        shape[axis % ndim] = n
        return np.zeros(shape)
    if x is None:
        w = np.full(n, float(dx))
        w[0] = w[-1] = dx / 2.0
        shape = [1] * ndim
        shape[axis % ndim] = n
        return w.reshape(shape)
    d = np.diff(np.asarray(x, dtype=float), axis=-1 if np.ndim(x) == 1 else axis)
    if np.ndim(x) == 1:
        shape = [1] * ndim
        shape[axis % ndim] = n - 1
        d = d.reshape(shape)
    widths = [(0, 0)] * ndim
    widths[axis % ndim] = (1, 0)
    before = np.pad(d, widths)
    widths[axis % ndim] = (0, 1)
    return (before + np.pad(d, widths)) / 2.0


def trapezoid_adjoint_y(g, y, x=None, dx=1.0, axis=-1):
    """Adjoint of `np.trapezoid(y, x, dx, axis)` with respect to `y`: `g` times each sample's weight."""
    y = np.asarray(y)
    return np.expand_dims(g, axis) * _trapezoid_weights(y.shape[axis], x, dx, axis, y.ndim)


def trapezoid_adjoint_x(g, y, x, axis=-1):
    """Adjoint of `np.trapezoid(y, x, axis=axis)` with respect to the sample points `x`: each interval's
    adjoint `g (y_i + y_i+1) / 2` sent back through `np.diff`."""
    y = np.asarray(y, dtype=float)
    n = y.shape[axis]
    mid = (np.take(y, np.arange(n - 1), axis=axis) + np.take(y, np.arange(1, n), axis=axis)) / 2.0
    gx = diff_adjoint(np.expand_dims(g, axis) * mid, y, axis=axis)
    if np.ndim(x) == 1 and y.ndim > 1:
        gx = np.sum(np.moveaxis(gx, axis, -1).reshape(-1, n), axis=0)
    return gx


def trapezoid_adjoint_dx(g, y, dx, axis=-1):
    """Adjoint of `np.trapezoid(y, dx=dx, axis=axis)` with respect to the spacing `dx` (the rule is linear in it,
    the sum of dx times each interval's mean of y): `g` times those means, summed back to dx's shape."""
    y = np.asarray(y, dtype=float)
    n = y.shape[axis]
    mid = (np.take(y, np.arange(n - 1), axis=axis) + np.take(y, np.arange(1, n), axis=axis)) / 2.0
    out = unbroadcast_to_shape(np.expand_dims(g, axis) * mid, np.shape(dx))
    return float(out) if np.ndim(out) == 0 and not isinstance(dx, np.ndarray) else out


def diff_adjoint(g, x, n=1, axis=-1):
    """Adjoint of `np.diff(x, n, axis)` (`x` gives only its shape): `n` times the negated backward difference,
    zero-padded (see _diff_back)."""
    return _diff_back(g, np.shape(x), n, axis)


def _diff_back(g, shape, n, axis):
    """The adjoint, of `shape`, of the n-th differences along `axis` of an array of that shape. Once n reaches
    its length along the axis the differences run out (NumPy's result is empty, so is g): the adjoint is zero."""
    g = np.asarray(g)
    if n >= shape[axis]:
        return np.zeros(shape, g.dtype if g.dtype.kind in "fc" else float)
    for _ in range(n):
        widths = [(0, 0)] * g.ndim
        widths[axis % g.ndim] = (1, 1)
        g = -np.diff(np.pad(g, widths), axis=axis)
    return g


def diff_ends_adjoint(g, a, n=1, axis=-1, prepend=None, append=None, end=None):
    """Adjoint for `a` of `np.diff(a, n, axis, prepend=, append=)`, given the shapes of the ends (np.shape(p)): that
    of the differences of [prepend, a, append] joined along the axis (_diff_back), without the entries of the ends
    (a number's end is one entry); with `end` ("prepend" or "append"), for that end: its entries, summed for a
    number (which NumPy repeats along a's other axes)."""
    shape = list(np.shape(a))
    ax = axis % len(shape)
    start = 0 if prepend is None else 1 if len(prepend) == 0 else prepend[ax]
    stop = start + shape[ax]
    shape[ax] = stop + (0 if append is None else 1 if len(append) == 0 else append[ax])
    full = _diff_back(g, tuple(shape), n, ax)
    where = slice(start, stop) if end is None else slice(0, start) if end == "prepend" else slice(stop, None)
    part = full[(slice(None),) * ax + (where,)]
    return np.sum(part) if end is not None and len(prepend if end == "prepend" else append) == 0 else part


# ---------------------------------------------------------------- shape

def array_adjoint(g, x):
    """Adjoint of `np.array(x)` / `np.asarray(x)`: `g` itself, or for a (nested) list or tuple of arrays, `g`
    split into one part per element (a tuple for a tuple: a gradient has its argument's structure)."""
    if isinstance(x, (list, tuple)):
        if type(g) is np.ndarray and g.ndim == 1 and g.shape[0] == len(x):
            parts = list(g)  # (np.array(x) had one axis: every item is a number, whose part is its entry)
        else:
            parts = (array_adjoint(g[i], v) for i, v in enumerate(x))
        return TupleParts(parts) if isinstance(x, tuple) else Parts(parts)
    return unbroadcast_to_shape(g, np.shape(x)) if np.ndim(x) < np.ndim(g) else g


def tile_adjoint(g, x, reps):
    """Adjoint of `np.tile(x, reps)`: the tiles of `g` summed."""
    shape = np.shape(x)
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    n = max(len(shape), len(reps))
    s = (1,) * (n - len(shape)) + tuple(shape)
    r = (1,) * (n - len(reps)) + reps
    interleaved = np.reshape(g, [d for pair in zip(r, s) for d in pair])
    return np.reshape(np.sum(interleaved, axis=tuple(range(0, 2 * n, 2))), shape)


def repeat_adjoint(g, x, repeats, axis=None):
    """Adjoint of `np.repeat(x, repeats, axis)`: the adjoints of the copies of each element summed."""
    x = np.asarray(x)
    src = x.ravel() if axis is None else x
    ax = 0 if axis is None else axis % x.ndim
    owner = np.repeat(np.arange(src.shape[ax]), repeats)
    out = _float_zeros(src)
    np.add.at(np.moveaxis(out, ax, 0), owner, np.moveaxis(np.asarray(g), ax, 0))
    return out.reshape(x.shape)


# ---------------------------------------------------------------- selection

def taken_indices(x, indices, axis=None, mode="raise"):
    """The indices `np.take(x, indices, axis, mode=mode)` reads, in range: mode='wrap' wraps them around the
    axis' length (x's size for axis=None), 'clip' clips them to it."""
    n = np.size(x) if axis is None else np.shape(x)[axis]
    indices = np.asarray(indices)
    if mode == "wrap":
        return np.mod(indices, n)
    if mode == "clip":
        return np.clip(indices, 0, n - 1)
    return indices


def take_adjoint(g, x, indices, axis=None):
    """Adjoint of `np.take(x, indices, axis)`: `g` added at the taken positions (repeats add up)."""
    out = _float_zeros(x)
    if axis is None:
        np.add.at(out.reshape(-1), indices, g)
        return out
    ax = axis % out.ndim
    k = np.ndim(indices)
    g = np.moveaxis(np.asarray(g), list(range(ax, ax + k)), list(range(k)))
    np.add.at(np.moveaxis(out, ax, 0), indices, g)
    return out


def take_along_axis_adjoint(g, x, indices, axis):
    """Adjoint of `np.take_along_axis(x, indices, axis)`: `g` added back at the indexed positions."""
    out = _float_zeros(x)
    if axis is None:
        np.add.at(out.reshape(-1), indices, g)
        return out
    ax = axis % out.ndim
    shape = np.broadcast_shapes(np.shape(indices), np.shape(g))
    index = []
    for d in range(out.ndim):
        if d == ax:
            index.append(np.broadcast_to(indices, shape))
        else:
            grid = np.arange(shape[d]).reshape([-1 if e == d else 1 for e in range(out.ndim)])
            index.append(np.broadcast_to(grid, shape) if out.shape[d] != 1 else np.zeros(shape, dtype=int))
    np.add.at(out, tuple(index), g)
    return out


def sort_adjoint(g, x, axis=-1):
    """Adjoint of `np.sort(x, axis)`: `g` permuted back to where each sorted element came from."""
    if axis is None:
        out = np.zeros(np.size(x))
        out[np.argsort(np.ravel(x))] = g
        return out.reshape(np.shape(x))
    out = _float_zeros(x)
    np.put_along_axis(out, np.argsort(x, axis=axis), g, axis=axis)
    return out


def _select_owner(condlist):
    """For every position, the index of the first true condition (len(condlist) where none is)."""
    conds = np.asarray(np.broadcast_arrays(*condlist), dtype=bool)
    first = np.argmax(conds, axis=0)
    return np.where(np.any(conds, axis=0), first, len(condlist))


def select_adjoint_choices(g, condlist, choicelist):
    """Adjoint of `np.select(condlist, choicelist, default)` with respect to the choices (a list): choice `i`
    receives `g` where condition `i` is the first true one."""
    owner = _select_owner(condlist)
    return Parts(unbroadcast_to_shape(np.where(owner == i, g, 0.0), np.shape(c)) for i, c in enumerate(choicelist))


def select_adjoint_default(g, condlist, default):
    """Adjoint of `np.select(condlist, choicelist, default)` with respect to `default`: `g` where no condition holds."""
    owner = _select_owner(condlist)
    return unbroadcast_to_shape(np.where(owner == len(condlist), g, 0.0), np.shape(default))


_NUMBERS = (float, int, np.float64)  # (a point of np.interp read one at a time: interp_adjoint_fp's own path)


def _interp_segment(x, xp):
    """For each x: the index j of the segment [xp[j], xp[j+1]] NumPy's value comes from, where inside it x lies
    (t, in [0, 1] inside the sample points) and the inverse of its width. A segment of no width (repeated last sample
    points, `np.interp(2.0, [0, 1, 2, 2], fp)`, where NumPy's value is fp[-1], constant to the right) has t 1 at and
    after its end (0 before: repeated first points) and 0 for the inverse width: no slope, as outside the range."""
    xp = np.asarray(xp, dtype=float)
    x = np.asarray(x)
    j = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, len(xp) - 2)
    width = xp[j + 1] - xp[j]
    flat = width == 0
    inverse = 1.0 / np.where(flat, 1.0, width)
    t = np.where(flat, (x >= xp[j + 1]) * 1.0, (x - xp[j]) * inverse)
    return j, t, np.where(flat, 0.0, inverse)


def interp_adjoint_x(g, x, xp, fp):
    """Adjoint of `np.interp(x, xp, fp)` w.r.t. `x`: `g` times the slope of its segment (0 outside the range)."""
    xp, fp = np.asarray(xp, dtype=float), np.asarray(fp, dtype=float)
    j, _, inverse_width = _interp_segment(x, xp)
    inside = (np.asarray(x) >= xp[0]) & (np.asarray(x) <= xp[-1])
    return g * np.where(inside, (fp[j + 1] - fp[j]) * inverse_width, 0.0)


def interp_adjoint_fp(g, x, xp, fp):
    """Adjoint of `np.interp(x, xp, fp)` w.r.t. `fp`: each `g` split between the two ends of its segment
    (all of it to the first / last value outside the range)."""
    if type(x) in _NUMBERS and type(g) in _NUMBERS:  # (one point, a time step's forcing: two writes, no np.add.at)
        xp = np.asarray(xp, dtype=float)
        j = min(max(int(np.searchsorted(xp, x, side="right")) - 1, 0), len(xp) - 2)
        width = xp[j + 1] - xp[j]
        t = (1.0 if x >= xp[j + 1] else 0.0) if width == 0 else (x - xp[j]) * (1.0 / width)
        t = 0.0 if t < 0.0 else 1.0 if t > 1.0 else t
        out = np.zeros(np.shape(fp))
        out[j] += g * (1.0 - t)
        out[j + 1] += g * t
        return out
    j, t, _ = _interp_segment(x, xp)
    t = np.clip(t, 0.0, 1.0)
    out = np.zeros(np.shape(fp))
    g = np.broadcast_to(g, np.shape(t))
    np.add.at(out, j, g * (1.0 - t))
    np.add.at(out, j + 1, g * t)
    return out


def sinc_derivative(x, n=1):
    """The n-th derivative of `np.sinc(x) = sin(pi x) / (pi x)`. Where |pi x| >= 1, from x s_m + m s_(m-1) =
    (d/dx) ** (m - 1) cos(pi x) (the m-th derivative of x sinc(x) = sin(pi x) / pi), m = 1 .. n; nearer 0, where
    those differences cancel (all digits of sinc' lost at x = 1e-8), the Taylor series of sin(t) / t, t = pi x,
    differentiated n times: the sum over k of (-1) ** k pi ** 2k x ** (2k - n) / ((2k + 1) (2k - n)!)."""
    x = np.asarray(x, dtype=float)
    near = np.abs(np.pi * x) < 1.0
    small = np.where(near, x, 0.0)
    series = np.zeros(x.shape)
    for k in range((n + 1) // 2, (n + 1) // 2 + 14):  # (terms fall by (pi x) ** 2 / (2k - n) ** 2: 14 reach 1e-30)
        series = series + (-1.0) ** k * np.pi ** (2 * k) / ((2 * k + 1) * math.factorial(2 * k - n)) * \
            small ** (2 * k - n)
    far = np.where(near, 1.0, x)
    out = np.sinc(far)
    turns = (np.cos(np.pi * far), -np.sin(np.pi * far), -np.cos(np.pi * far), np.sin(np.pi * far))
    for m in range(1, n + 1):
        out = (np.pi ** (m - 1) * turns[(m - 1) % 4] - m * out) / far
    return np.where(near, series, out)
