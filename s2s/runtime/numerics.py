"""Helpers for the rules of the NumPy functions of numerical code: polynomials, finite differences, quantiles,
determinants (their cofactors, also of a singular matrix), pseudo-inverses and least squares.

Generated code reaches these as `rt.<name>`. Each is pure (it returns new arrays and never writes into its
arguments) and its docstring names the derivative it implements: `g` is the adjoint of the NumPy call's
result, `ans` the result itself, `d` a tangent.
"""
from __future__ import annotations

import math

import numpy as np

from s2s.errors import S2SError
from s2s.runtime.arrays import mT
from s2s.runtime.core import unbroadcast_to_shape
from s2s.runtime.batched import svdvals_tangent

__all__ = ["vander_slope", "polyder_adjoint", "polyadd_adjoint", "polyint_adjoint", "polyint_adjoint_k",
           "polymul_untrimmed", "gradient_adjoint", "quantile_adjoint", "quantile_tangent",
           "quantile_q_tangent", "quantile_q_adjoint", "quantile_slope_adjoint", "pinv_full_rank", "lstsq_full_rank",
           "lstsq_solution_adjoint", "lstsq_tangent", "cov_tangent", "cov_adjoint", "det_adjoint", "det_tangent",
           "cofactors", "invertible"]


# ---------------------------------------------------------------- polynomials
def vander_slope(x, N=None, increasing=False, order=1):
    """The `order`-th derivative of `np.vander(x, N, increasing)` with respect to each x_j, row j: the
    columns x ** k become k (k - 1) ... (k - order + 1) x ** (k - order), 0 where k < order (no 0 ** -1)."""
    x = np.asarray(x)
    n = len(x) if N is None else N
    powers = np.arange(n) if increasing else np.arange(n - 1, -1, -1)
    coefficient = np.ones(n)
    for j in range(order):
        coefficient = coefficient * (powers - j)
    return coefficient * x[:, None] ** np.maximum(powers - order, 0)


def polyder_adjoint(g, p, m=1):
    """Adjoint of `np.polyder(p, m)` (the coefficients p[i] (n - 1 - i) ... (n - m - i), highest power first): g
    times those weights, np.polyder of ones, and 0 for the last m coefficients, which the derivative drops (all of
    them past the degree, where np.polyder gives no coefficients)."""
    weights = np.polyder(np.ones(np.shape(p)), m)
    out = np.zeros(np.shape(p), dtype=np.result_type(g, weights))
    out[:len(weights)] = np.asarray(g) * weights
    return out


def polyadd_adjoint(g, a):
    """Adjoint of `np.polyadd(a, b)` (np.polysub's too) with respect to a: np.polyadd pads the shorter coefficients
    with zeros in front (highest power first), so a's are the last len(a) entries of g, summed back to a's shape
    (a number is one coefficient; a matrix's rows broadcast against the other's)."""
    g = np.asarray(g)
    return unbroadcast_to_shape(g[len(g) - len(np.atleast_1d(a)):], np.shape(a))


def polyint_adjoint(g, p, m=1):
    """Adjoint of `np.polyint(p, m)` with respect to the coefficients p (highest power first): np.polyint divides
    p[i] by the m powers it passes through, the weights np.polyint of ones has; the constants after them pass
    nothing back to p."""
    n = np.size(p)
    return np.asarray(g)[:n] * np.polyint(np.ones(n), m)[:n]


def polyint_adjoint_k(g, p, m, k):
    """Adjoint of `np.polyint(p, m, k)` with respect to the integration constants k: linear in them, each entry's
    weight the result of the constants e_j alone (a number k stands for every constant)."""
    n, g = np.size(p), np.asarray(g)
    if np.ndim(k) == 0:
        return float(g @ np.polyint(np.zeros(n), m, k=1.0))
    return np.reshape([g @ np.polyint(np.zeros(n), m, k=e) for e in np.eye(np.size(k))], np.shape(k))


def polymul_untrimmed(v, a1, a2):
    """`v`, checked to be a derivative of `np.polymul(a1, a2)` where it is np.convolve(a1, a2): np.polymul drops
    its factors' leading zeros (as np.poly1d does), where the result's length jumps and there is no derivative."""
    for a in (a1, a2):
        if np.size(a) > 1 and np.ravel(a)[0] == 0:
            raise S2SError("np.polymul drops the leading zeros of its factors' coefficients, and has no derivative "
                           "at a leading coefficient 0 (the result's length jumps there); to keep the zeros and "
                           "differentiate, write np.convolve(a1, a2)")
    return v


# ---------------------------------------------------------------- finite differences
def _gradient_axes(f, axis):
    ndim = np.ndim(f)
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(a % ndim for a in axes)


def gradient_adjoint(g, f, *varargs, axis=None, edge_order=1):
    """Adjoint of `np.gradient(f, *varargs, axis=axis, edge_order=edge_order)` with respect to f: along each
    axis the transpose of the difference operator NumPy applies there (its matrix, built by np.gradient of
    the identity, so that edges, edge_order and constant coordinate arrays are NumPy's own), summed over
    the axes. `g` is one adjoint, or one per axis (a list) where np.gradient returns one array per axis."""
    f = np.asarray(f)
    axes = _gradient_axes(f, axis)
    parts = list(g) if isinstance(g, (list, tuple)) else [g]
    if len(varargs) == 1 and len(axes) > 1:
        varargs = varargs * len(axes)  # (one spacing for every axis)
    out = np.zeros(f.shape, dtype=np.result_type(f.dtype, np.float64))
    for k, a in enumerate(axes):
        part = np.broadcast_to(np.asarray(parts[k], dtype=out.dtype), f.shape)
        spacing = () if not varargs else (varargs[k],)
        d = np.gradient(np.eye(f.shape[a]), *spacing, axis=0, edge_order=edge_order)  # out along a = d @ f
        out = out + np.moveaxis(np.tensordot(d.T, np.moveaxis(part, a, 0), axes=1), 0, a)
    return out


# ---------------------------------------------------------------- quantiles (linear interpolation), medians
def _sorted_rows(a, axis, ignore_nan):
    """(perm, rows, order, count) of `a` reduced over `axis`: the reduced axes moved last and merged (rows R of n
    entries each), the stable sort order of each row (nan last), and the entries of each row that count (those that
    are not nan, where `ignore_nan`)."""
    a = np.asarray(a)
    if axis is None:
        axes = tuple(range(a.ndim))
    else:
        axes = tuple(ax % max(a.ndim, 1) for ax in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    rest = [ax for ax in range(a.ndim) if ax not in axes]
    perm = rest + list(axes)
    moved = np.transpose(a, perm)
    rows = moved.shape[:len(rest)]
    x = moved.reshape(rows + (math.prod(moved.shape[len(rest):]),))
    order = np.argsort(x, axis=-1, kind="stable")
    count = np.sum(~np.isnan(x), axis=-1) if ignore_nan else np.full(rows, x.shape[-1])
    return perm, rows, order, count


def _positions(q, rows, count):
    """The virtual index q (n_r - 1) of each quantile k in each row r (NumPy's 'linear' method): (quantiles, rows)."""
    q = np.asarray(q, dtype=float)
    return np.reshape(q, q.shape + (1,) * len(rows)) * (count - 1)


def _quantile_plan(a, q, axis, ignore_nan):
    """np.quantile(a, q, axis, method='linear') as weights on sorted entries (_sorted_rows): for each quantile k
    and row r the two sorted positions lo, hi interpolated between with weights 1 - t and t at the virtual index
    q (n_r - 1) (NumPy's 'linear' method; n_r the entries that are not nan where `ignore_nan`, the np.nanquantile
    family). `valid` is False for a row of nothing but nan, or of no entries at all (NumPy's quantile of them is
    nan; the derivative has nowhere to go: the adjoint and tangent are zero)."""
    perm, rows, order, count = _sorted_rows(a, axis, ignore_nan)
    pos = _positions(q, rows, count)
    last = np.maximum(count - 1, 0)
    lo = np.clip(np.floor(pos), 0, last).astype(np.intp)
    hi = np.minimum(lo + 1, last)
    t = np.clip(pos - lo, 0.0, 1.0)
    valid = np.broadcast_to(count > 0, pos.shape)
    return perm, rows, order, lo, hi, np.where(valid, t, 0.0), valid


def _result_rows(v, q, rows):
    """A quantile's result (or its adjoint) as (quantiles, rows): keepdims' axes of length 1 dropped."""
    v = np.asarray(v)
    return np.broadcast_to(v, np.shape(q) + rows) if v.ndim == 0 else np.reshape(v, np.shape(q) + rows)


def quantile_adjoint(g, a, q, axis=None, keepdims=False, ignore_nan=False):
    """Adjoint of `np.quantile(a, q, axis, keepdims=keepdims)` (method='linear'; np.median is q = 0.5,
    np.percentile q / 100, np.nan* with `ignore_nan`) with respect to a: each quantile's adjoint goes to the
    (at most two) entries it interpolates, with the interpolation weights; entries tied in value take it in
    the order of a stable sort (a kink: docs/limitations.md)."""
    a = np.asarray(a)
    perm, rows, order, lo, hi, t, valid = _quantile_plan(a, q, axis, ignore_nan)
    g = _result_rows(np.asarray(g, dtype=np.result_type(a.dtype, np.float64)), q, rows)
    return _scattered(a, q, perm, rows, order, ((lo, np.where(valid, 1.0 - t, 0.0) * g), (hi, t * g)))


def _scattered(a, q, perm, rows, order, parts):
    """The array of a's shape whose entry at each row's sorted position index[k] gets weight[k] added, for each
    (index, weight) of `parts` (both (quantiles, rows)) and each quantile k."""
    dtype = np.result_type(*(w.dtype for _, w in parts), np.float64)
    n = order.shape[-1]
    if n == 0:
        return np.zeros(a.shape, dtype)
    at_sorted = np.zeros(rows + (n,), dtype=dtype)
    for k in np.ndindex(np.shape(q)):
        for index, weight in parts:
            index = index[k][..., None]
            np.put_along_axis(at_sorted, index, np.take_along_axis(at_sorted, index, -1) + weight[k][..., None], -1)
    out = np.zeros_like(at_sorted)
    np.put_along_axis(out, order, at_sorted, -1)
    return np.transpose(np.reshape(out, [a.shape[p] for p in perm]), np.argsort(perm))


def quantile_tangent(d, a, q, axis=None, keepdims=False, ignore_nan=False):
    """Tangent of `np.quantile(a, q, axis, keepdims=keepdims)` (see quantile_adjoint) from the tangent d of a:
    the interpolation of d's entries at the sorted positions of a's."""
    a = np.asarray(a)
    perm, rows, order, lo, hi, t, valid = _quantile_plan(a, q, axis, ignore_nan)
    ds = _sorted_entries(d, a, perm, order)
    value = np.where(valid, (1.0 - t) * _picked(ds, lo, q, rows) + t * _picked(ds, hi, q, rows), 0.0) \
        if ds.shape[-1] else np.zeros(np.shape(valid))
    return _kept_dims(value, a, q, perm, rows, keepdims)


def _sorted_entries(d, a, perm, order):
    """d's entries (d broadcast to a's shape) in the rows of _sorted_rows, each row in a's sorted order."""
    d = np.transpose(np.broadcast_to(d, a.shape), perm).reshape(order.shape)
    return np.take_along_axis(d, order, -1)


def _picked(ds, index, q, rows):
    """ds[..., index] for each quantile: (quantiles, rows)."""
    flat = np.reshape(index, (np.size(q),) + rows)
    taken = np.take_along_axis(ds, np.moveaxis(flat, 0, -1), -1)
    return np.reshape(np.moveaxis(taken, -1, 0), np.shape(index))


def _kept_dims(value, a, q, perm, rows, keepdims):
    """A result (quantiles, rows) in the shape np.quantile gives it: keepdims' reduced axes of length 1."""
    if keepdims:
        reduced = set(perm[len(rows):])
        value = np.reshape(value, np.shape(q) + tuple(1 if ax in reduced else a.shape[ax] for ax in range(a.ndim)))
    return value if np.ndim(value) else value[()]


# ---------------------------------------------------------------- quantiles: the derivative in q
def _slope_plan(a, q, axis, ignore_nan):
    """(perm, rows, order, lo, hi, c) of np.quantile(a, q, axis) (method='linear') as a function of q: the sorted
    positions lo, hi = lo + 1 of the segment each quantile's virtual index q (n_r - 1) lies on, and c = n_r - 1, so
    that d(quantile)/dq = c (x[hi] - x[lo]). At a sorted position (a kink) the segment to the right, at q = 1 the
    last one, as np.interp's; c is 0 for a row of fewer than two entries (nothing to interpolate between)."""
    perm, rows, order, count = _sorted_rows(a, axis, ignore_nan)
    pos = _positions(q, rows, count)
    lo = np.clip(np.floor(pos), 0, np.maximum(count - 2, 0)).astype(np.intp)
    hi = np.minimum(lo + 1, np.maximum(count - 1, 0))
    return perm, rows, order, lo, hi, np.broadcast_to(np.maximum(count - 1, 0), pos.shape).astype(float)


def _q_shaped(s, ndim):
    """s (of q's shape, or a number) with axes of length 1 after q's, to multiply a (quantiles, rows) array."""
    return np.reshape(s, np.shape(s) + (1,) * (ndim - np.ndim(s)))


def quantile_q_tangent(s, v, a, q, axis=None, keepdims=False, ignore_nan=False):
    """The derivative of `np.quantile(a, q, axis, keepdims=keepdims)` (method='linear', np.nan* with `ignore_nan`)
    in q, times s (q's shape): c (v[hi] - v[lo]) s, v's entries taken at a's sorted positions (_slope_plan). With v
    a itself, the tangent from q's tangent s; linear in s and in v (the positions are piecewise constant in a and
    q): with another v, the derivative of quantile_tangent(v, a, q) in q."""
    a = np.asarray(a)
    perm, rows, order, lo, hi, c = _slope_plan(a, q, axis, ignore_nan)
    vs = _sorted_entries(v, a, perm, order)
    slope = np.where(c > 0, c * (_picked(vs, hi, q, rows) - _picked(vs, lo, q, rows)), 0.0) if vs.shape[-1] \
        else np.zeros(c.shape)
    return _kept_dims(slope * _q_shaped(s, slope.ndim), a, q, perm, rows, keepdims)


def quantile_q_adjoint(g, v, a, q, axis=None, keepdims=False, ignore_nan=False):
    """The transpose of quantile_q_tangent in s: the adjoint of q (its shape) from the adjoint g of the quantiles,
    the sum over each quantile's rows of g c (v[hi] - v[lo])."""
    slope = np.asarray(quantile_q_tangent(1.0, v, a, q, axis=axis, ignore_nan=ignore_nan))
    rows = slope.shape[np.ndim(q):]
    out = np.sum(_result_rows(g, q, rows) * slope, axis=tuple(range(np.ndim(q), slope.ndim)))
    return out if np.ndim(out) else out[()]


def quantile_slope_adjoint(h, s, a, q, axis=None, keepdims=False, ignore_nan=False):
    """The transpose of quantile_q_tangent in v (a's shape): h s c added at each quantile's sorted position hi and
    taken away at lo, h the adjoint of the quantiles, s of q's shape. The derivative in q of quantile_adjoint(h, a,
    q) times s, too."""
    a = np.asarray(a)
    perm, rows, order, lo, hi, c = _slope_plan(a, q, axis, ignore_nan)
    w = c * _result_rows(np.asarray(h, dtype=np.result_type(a.dtype, np.float64)), q, rows) * _q_shaped(s, c.ndim)
    return _scattered(a, q, perm, rows, order, ((lo, -w), (hi, w)))


# ---------------------------------------------------------------- pseudo-inverses and least squares of full rank
def _pinv_rcond(a, rcond, options):
    """The relative cutoff np.linalg.pinv applies to a's singular values (NumPy 1 and 2 spell it alike)."""
    if rcond is not None:
        return rcond
    if "rtol" not in options:
        return 1e-15
    rtol = options["rtol"]
    return max(np.shape(a)[-2:]) * np.finfo(np.result_type(a, np.float64)).eps if rtol is None else rtol


def pinv_full_rank(ans, a, rcond=None, **options):
    """`ans` (= np.linalg.pinv(a, rcond, ...)) once it is checked that every singular value of a was above
    pinv's cutoff, so that a has full rank and the pseudo-inverse is differentiable (Golub and Pereyra 1973):
    the derivative of a rank-deficient a's cut-off pseudo-inverse is not that of a continuous function."""
    s = np.linalg.svd(np.asarray(a), compute_uv=False)
    cutoff = np.asarray(_pinv_rcond(a, rcond, options))[..., None] * np.max(s, axis=-1, keepdims=True)
    if np.any(s <= cutoff):
        raise S2SError("np.linalg.pinv: the matrix is rank-deficient (a singular value at or below the cutoff "
                       "rcond * max(s)), where the pseudo-inverse has no derivative; s2s differentiates pinv of "
                       "full-rank matrices only (regularise it: np.linalg.solve(a.T @ a + lam * np.eye(n), a.T))")
    return ans


def lstsq_full_rank(x, rank, a):
    """The solution `x` of np.linalg.lstsq(a, b) once it is checked that a has full column rank (rank equal
    to its number of columns): there the solution is that of the normal equations a.T a x = a.T b, whose
    derivative s2s takes."""
    if rank != np.shape(a)[-1]:
        raise S2SError(f"np.linalg.lstsq: the matrix has rank {rank} for {np.shape(a)[-1]} columns; s2s "
                       "differentiates least squares of full column rank only (a minimum-norm solution of a "
                       "rank-deficient or wide system has no derivative there)")
    return x


def lstsq_solution_adjoint(g):
    """The adjoint of np.linalg.lstsq's solution, g[0], from the adjoint g of its result (x, residuals, rank,
    s), once it is checked that no derivative reaches the residuals or the singular values (their reverse
    rule is not in s2s: an S2SError, not a silent zero)."""
    for k, what in ((1, "residuals"), (3, "singular values")):
        if len(g) > k and np.any(np.asarray(g[k]) != 0):
            raise S2SError(f"np.linalg.lstsq: s2s has no reverse-mode derivative through the {what} it returns "
                           "(only through the solution x); compute them from x: np.sum((b - a @ x) ** 2, axis=0), "
                           "np.linalg.svd(a, compute_uv=False)")
    return g[0]


def lstsq_tangent(da, db, ans, a, b):
    """Tangent of np.linalg.lstsq(a, b) = (x, residuals, rank, s) for a of full column rank (see
    lstsq_full_rank), `da`/`db` None where a/b have none: the solution's from the normal equations
    a^T a dx = a^T (db - da x) + da^T r (r = b - a x), the residuals' 2 r^T (db - da x) (a^T r = 0), the singular
    values' diag(U^T da V); the rank has none."""
    x, residuals, rank, s = ans
    x = lstsq_full_rank(x, rank, a)
    a = np.asarray(a)
    r = b - a @ x
    change = (0.0 if db is None else db) - (0.0 if da is None else da @ x)  # db - da x
    rhs = a.T @ change + (0.0 if da is None else da.T @ r)
    dx = np.linalg.solve(a.T @ a, np.broadcast_to(rhs, np.shape(x)))
    dres = np.zeros(np.shape(residuals))
    if np.size(residuals):
        dres = np.reshape(2.0 * np.sum(r * change, axis=0), np.shape(residuals))
    ds = np.zeros(np.shape(s)) if da is None else svdvals_tangent(da, a)
    return dx, dres, 0, ds


# ---------------------------------------------------------------- covariance (np.cov without y= or weights)
def _cov_layout(v, m, rowvar):
    """v (m or a tangent of it) as np.cov reads m: variables in rows (at least 2-D), and whether it transposed."""
    x = np.array(v, ndmin=2, dtype=np.result_type(np.asarray(m).dtype, np.float64))
    transposed = not rowvar and np.ndim(m) >= 2 and np.shape(np.array(m, ndmin=2))[0] != 1
    return (x.T if transposed else x), transposed


def _cov_weights(fweights, aweights):
    """np.cov's weight of each observation (None: one each), fweights times aweights, and its aweights."""
    f = None if fweights is None else np.asarray(fweights, dtype=np.float64)
    a = None if aweights is None else np.asarray(aweights, dtype=np.float64)
    return (a if f is None else f if a is None else f * a), a


def _cov_factor(x, bias, ddof, w=None, a=None):
    """What np.cov divides by: N - ddof, or with weights w, their sum less ddof's share (of aweights a)."""
    ddof = ddof if ddof is not None else 0 if bias else 1
    if w is None:
        return x.shape[1] - ddof
    total = np.sum(w)
    return total if ddof == 0 else total - ddof if a is None else total - ddof * np.sum(w * a) / total


def _centered(x, w=None):
    return x - (np.mean(x, axis=1, keepdims=True) if w is None else (x @ w / np.sum(w))[:, None])


def cov_tangent(d, m, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None):
    """Tangent of np.cov(m, rowvar=rowvar, bias=bias, ddof=ddof, fweights=, aweights=) from the tangent d of m
    (the weights constants): with X the variables (rows) centred on their weighted means and W the weights,
    (dX W X^T + X W dX^T) / factor, squeezed as np.cov squeezes."""
    w, a = _cov_weights(fweights, aweights)
    x, _ = _cov_layout(m, m, rowvar)
    dx, _ = _cov_layout(d, m, rowvar)
    xc, dc = _centered(x, w), _centered(dx, w)
    scale = 1.0 if w is None else w
    return np.squeeze(((dc * scale) @ xc.T + (xc * scale) @ dc.T) / _cov_factor(x, bias, ddof, w, a))


def cov_adjoint(g, m, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None):
    """Adjoint of np.cov(m, rowvar=rowvar, bias=bias, ddof=ddof, fweights=, aweights=) with respect to m (the
    weights constants): (g + g^T) X W / factor, then the transpose of the centring (a row less its sum times
    w / sum(w); its mean unweighted), in m's layout. Linear in g and in m."""
    w, a = _cov_weights(fweights, aweights)
    x, transposed = _cov_layout(m, m, rowvar)
    k = x.shape[0]
    g = np.reshape(np.asarray(g, dtype=x.dtype), (k, k))
    s = (g + g.T) @ _centered(x, w) * (1.0 if w is None else w) / _cov_factor(x, bias, ddof, w, a)
    s = _centered(s) if w is None else s - np.sum(s, axis=1, keepdims=True) * w / np.sum(w)
    return np.reshape(s.T if transposed else s, np.shape(m))


# ---------------------------------------------------------------- determinants
def det_adjoint(g, ans, a):
    """Adjoint of `np.linalg.det(a)`: `g det(a) inv(a)^T`, the cofactor matrix times g (for a singular a, where
    there is no inverse, the cofactors themselves: `cofactors`)."""
    try:
        inverse = np.linalg.inv(a)
    except np.linalg.LinAlgError:
        return np.asarray(g)[..., None, None] * cofactors(a)
    return np.asarray(g * ans)[..., None, None] * mT(inverse)


def det_tangent(d, ans, a):
    """Tangent of `np.linalg.det(a)`: det(a) trace(inv(a) d), the sum of the cofactors times d (for a singular a,
    `cofactors`)."""
    try:
        return ans * np.trace(np.linalg.solve(a, d), axis1=-2, axis2=-1)
    except np.linalg.LinAlgError:
        return np.sum(cofactors(a) * d, axis=(-2, -1))


det_tangent.__s2s_refusal__ = (  # (errors.missing_rule: differentiating generated jvp code again)
    "derivatives of the tangent of np.linalg.det are not supported by s2s",
    "Take second derivatives with s2s.hessian(f), or write a small matrix's determinant by its formula "
    "(a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0])")


def invertible(a, function: str):
    """`a`, checked to have an inverse: the second derivatives of `function` (np.linalg.det's, through the inverse)
    at a singular matrix are refused with an S2SError, not NumPy's LinAlgError from inside them."""
    try:
        np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise S2SError(f"{function}: a second derivative at a singular matrix is not computed by s2s (first "
                       f"derivatives are exact there: the cofactors); take it at an invertible matrix") from None
    return a


def cofactors(a):
    """The cofactor matrix of `a` (stacks too), det(a) inv(a)^T where a has an inverse, from the SVD
    a = U diag(s) V^T: det(U) det(V) U diag(the product of the other singular values) V^T, exact for a singular a
    (of rank n - 1 it is not zero)."""
    u, s, vh = np.linalg.svd(a)
    n = np.shape(s)[-1]
    others = np.prod(np.where(np.eye(n, dtype=bool), 1.0, s[..., None, :]), axis=-1)
    sign = np.linalg.det(u) * np.linalg.det(vh)
    return np.asarray(sign)[..., None, None] * ((u * others[..., None, :]) @ vh)
