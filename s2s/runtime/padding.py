"""np.pad's derivatives in both modes (its rules are in s2s/rules/linear.py), reached as `rt.<name>`.

np.pad is linear in `x` in the modes PAD_LINEAR_MODES names: 'constant' (constant_values= is a constant: 0 in the
derivative), the modes that copy entries ('edge', 'wrap', 'reflect' and 'symmetric' with reflect_type='even'), and
those that combine them ('reflect' and 'symmetric' with reflect_type='odd', 'mean' with or without stat_length=,
'linear_ramp', whose end_values= are constants). Its tangent is np.pad of the tangent, its adjoint the transpose.
'maximum', 'minimum' and 'median' (PAD_STATISTICS) pick entries by value: piecewise linear in x, the pad along each
axis a statistic of a window of the array padded along the axes before it (NumPy pads one axis after another), whose
derivative is np.max's (shared among tied entries) or np.median's (the middle entries of a stable sort): their
tangent and adjoint read x (pad_statistic_tangent, pad_statistic_adjoint). 'empty' leaves the pad undefined: refused
(the rule refuses a constant mode at the user's line; these helpers check a mode known only at run time).
"""
from __future__ import annotations

import numpy as np

from s2s.errors import S2SError
from s2s.runtime.arrays import extremum_adjoint
from s2s.runtime.numerics import quantile_adjoint

__all__ = ["pad_adjoint", "pad_tangent", "pad_adjoint_values", "pad_statistic_tangent", "pad_statistic_adjoint"]


PAD_LINEAR_MODES = ("constant", "edge", "reflect", "symmetric", "wrap", "mean", "linear_ramp")
PAD_STATISTICS = {"maximum": np.max, "minimum": np.min, "median": np.median}


def pad_linear_mode(mode) -> None:
    """Refuse a mode np.pad is not linear in (one known only at run time; the rule refuses a constant one)."""
    if mode not in PAD_LINEAR_MODES and mode not in PAD_STATISTICS:
        raise S2SError(f"np.pad: the derivative for mode={mode!r} is not supported by s2s (use mode='constant', "
                       f"'edge', 'reflect', 'symmetric', 'wrap', 'mean', 'linear_ramp', 'maximum', 'minimum' or "
                       f"'median', or pad with np.concatenate of the values you mean: np.concatenate([[v], x, [v]]))")


def pad_adjoint(g, x, pad_width, mode="constant", **options):
    """Adjoint of `np.pad(x, pad_width, mode, reflect_type=, stat_length=)` for the modes linear in `x`. Those
    that copy entries (constant, edge, reflect, symmetric, wrap): the adjoint of every copy is added back to its
    source entry. The others (reflect_type='odd': 2 * edge - mirror; mean; linear_ramp): NumPy pads one axis at
    a time, each axis's pad a matrix P (the pad of the identity) acting along that axis, so the adjoint is P.T
    along each axis."""
    pad_linear_mode(mode)
    if mode in PAD_STATISTICS:
        return pad_statistic_adjoint(g, x, pad_width, mode, **options)
    x = np.asarray(x)
    if mode in ("mean", "linear_ramp") or options.get("reflect_type", "even") != "even":
        return _pad_transposed(np.asarray(g, dtype=float), x.shape, pad_width, mode, options)
    source = np.arange(x.size).reshape(x.shape)
    if mode == "constant":
        where = np.pad(source, pad_width, mode="constant", constant_values=-1)
    else:
        where = np.pad(source, pad_width, mode=mode, **{k: v for k, v in options.items() if k == "reflect_type"})
    inside = where >= 0
    out = np.bincount(where[inside], weights=np.asarray(g, dtype=float)[inside], minlength=x.size)
    return out.reshape(x.shape)


def _pad_transposed(g, shape, pad_width, mode, options):
    """`g` through the transpose of each axis's pad matrix (NumPy's pads along different axes commute)."""
    widths = _pad_pairs(pad_width, len(shape))
    lengths = _pad_pairs(options["stat_length"], len(shape)) if options.get("stat_length") is not None else None
    for axis, n in enumerate(shape):
        kept = {"reflect_type": options["reflect_type"]} if "reflect_type" in options else {}
        if lengths is not None:
            kept["stat_length"] = (tuple(lengths[axis]), (1, 1))
        matrix = np.pad(np.eye(n), (tuple(widths[axis]), (0, 0)), mode=mode, **kept)
        g = np.moveaxis(np.tensordot(matrix.T, np.moveaxis(g, axis, 0), axes=1), 0, axis)
    return g


def _pad_pairs(width, ndim):
    """np.pad's (before, after) per axis from its pad_width= or stat_length= (a number, a pair, pairs per axis,
    or a dict axis -> width)."""
    if isinstance(width, dict):
        pairs = np.zeros((ndim, 2), dtype=int)
        for axis, w in width.items():
            pairs[axis] = _pad_pairs(w, 1)[0]
        return pairs
    width = np.asarray(width, dtype=int)
    if width.size == 1:
        return np.full((ndim, 2), width.ravel()[0])
    if width.size == 2 and width.shape != (2, 1):
        return np.broadcast_to(width.ravel(), (ndim, 2))
    return np.broadcast_to(width, (ndim, 2))


def pad_tangent(d, pad_width, mode="constant", x=None, **options):
    """Tangent of `np.pad(x, pad_width, mode, reflect_type=, stat_length=)` for the modes linear in `x`: pad `d`
    the same way (constant_values= and end_values= are constants: 0 in the tangent); for a statistic's mode (given
    `x`, where the mode is known only as the code runs), pad_statistic_tangent."""
    pad_linear_mode(mode)
    if mode in PAD_STATISTICS:
        return pad_statistic_tangent(d, x, pad_width, mode, **options)
    return np.pad(d, pad_width) if mode == "constant" else np.pad(d, pad_width, mode=mode, **options)


def pad_adjoint_values(g, x, pad_width, constant_values):
    """Adjoint of `np.pad(x, pad_width, constant_values=v)` with respect to v (linear in it): for each number of v
    (one, or one per axis and side), the sum of g over the entries the pad wrote it to, found by padding zeros
    with that number 1 and the others 0 (NumPy pads one axis after another: the corners take later axes' values)."""
    values = np.asarray(constant_values, dtype=float)
    zeros = np.zeros(np.shape(x))
    out = np.zeros(values.shape)
    for k in np.ndindex(values.shape):
        unit = np.zeros(values.shape)
        unit[k] = 1.0
        out[k] = np.sum(g * np.pad(zeros, pad_width, constant_values=unit))
    return float(out) if out.ndim == 0 and not isinstance(constant_values, np.ndarray) else out


def _statistic_plan(x, pad_width, mode, stat_length):
    """NumPy's np.pad(x, pad_width, mode, stat_length=) axis by axis: for each axis, (its pad widths, the length of
    the window at each end, the weights of each window's statistic: np.max's shared among tied entries, np.median's
    on the middle entries) read from x padded along the axes before it (numpy/lib/_arraypad_impl.py, _get_stats)."""
    x = np.asarray(x, dtype=float)
    widths = _pad_pairs(pad_width, x.ndim)
    lengths = _pad_pairs(stat_length, x.ndim) if stat_length is not None else None
    plan = []
    for axis in range(x.ndim):
        before, after = (int(w) for w in widths[axis])
        n = x.shape[axis]
        ends = [n if lengths is None else min(int(length), n) for length in
                ((None, None) if lengths is None else lengths[axis])]
        windows = (np.take(x, range(ends[0]), axis=axis), np.take(x, range(n - ends[1], n), axis=axis))
        weights, stats = [], []
        for window in windows:
            stat = PAD_STATISTICS[mode](window, axis=axis, keepdims=True)
            ones = np.ones(np.shape(stat))
            weights.append(quantile_adjoint(ones, window, 0.5, axis=axis, keepdims=True) if mode == "median" else
                           extremum_adjoint(ones, stat, window, axis=axis, keepdims=True))
            stats.append(stat)
        plan.append((before, after, ends, weights))
        x = np.concatenate([np.repeat(stats[0], before, axis=axis), x, np.repeat(stats[1], after, axis=axis)], axis)
    return plan


def pad_statistic_tangent(d, x, pad_width, mode, stat_length=None):
    """Tangent of `np.pad(x, pad_width, mode, stat_length=)` for mode 'maximum', 'minimum' or 'median' (linear in
    d, its weights read from x; d may have leading batch axes): along each axis in turn, d with the statistic's
    tangent of each end's window repeated over that end's pad."""
    d = np.asarray(d, dtype=float)
    ndim = np.ndim(x)
    for axis, (before, after, ends, weights) in enumerate(_statistic_plan(x, pad_width, mode, stat_length)):
        at = axis - ndim  # (counted from the end: leading batch axes of d broadcast against the weights)
        n = d.shape[at]
        left = np.sum(np.take(d, range(ends[0]), axis=at) * weights[0], axis=at, keepdims=True)
        right = np.sum(np.take(d, range(n - ends[1], n), axis=at) * weights[1], axis=at, keepdims=True)
        d = np.concatenate([np.repeat(left, before, axis=at), d, np.repeat(right, after, axis=at)], axis=at)
    return d


def pad_statistic_adjoint(g, x, pad_width, mode, stat_length=None):
    """Adjoint of `np.pad(x, pad_width, mode, stat_length=)` for mode 'maximum', 'minimum' or 'median': the transpose
    of pad_statistic_tangent, the axes taken in reverse (g may have leading batch axes)."""
    g = np.asarray(g, dtype=float)
    ndim = np.ndim(x)
    for axis, (before, after, ends, weights) in reversed(list(enumerate(
            _statistic_plan(x, pad_width, mode, stat_length)))):
        at = axis - ndim
        n = g.shape[at] - before - after
        middle = np.take(g, range(before, before + n), axis=at)
        left = np.sum(np.take(g, range(before), axis=at), axis=at, keepdims=True) * weights[0]
        right = np.sum(np.take(g, range(before + n, before + n + after), axis=at), axis=at, keepdims=True) * weights[1]
        middle = middle + np.concatenate([left, np.zeros(middle.shape[:at] + (n - ends[0],) +
                                                         middle.shape[at:][1:])], axis=at)
        middle = middle + np.concatenate([np.zeros(middle.shape[:at] + (n - ends[1],) + middle.shape[at:][1:]),
                                          right], axis=at)
        g = middle
    return g
