"""Runtime helpers of the scipy rules (spelled `rt.name` in generated code; see s2s/rules/scipy.py).

`scipy.stats.multivariate_normal.logpdf(x, mean, cov)` reads its covariance
from `cov` in one of three forms: a matrix, of which only the lower triangle
is read (scipy factors it with `eigh(cov, lower=True)`), a vector holding the
diagonal, or a number times the identity. `covariance_matrix` builds the
matrix scipy reads, and `covariance_adjoint` is its transpose: it takes the
gradient with respect to that matrix back to the form of `cov`. Each is linear
in its first argument and the other's transpose, so both modes and higher
orders follow. They need NumPy only, not scipy.

`xdivy(x, y)` is the partial derivative in y of scipy.special.xlogy(x, y) (and of the functions scipy builds on
it: rel_entr, kl_div, the discrete log-pmfs): x / y, and 0 where x is 0, for every y, 0 included, as the function
is 0 along x = 0 (TensorFlow's tf.math.xdivy; JAX's xlogy rule divides, giving nan at (0, 0)).

`log_ndtr_slope(x)` is the derivative of scipy.special.log_ndtr, pdf(x) / cdf(x), read through erfcx (scipy's, imported
where it is called) so that neither tail underflows, and its own derivative -r (x + r) does not cancel.

`gaussian_filter_tangent` and `gaussian_filter_adjoint` are the derivatives of scipy.ndimage.gaussian_filter(x, sigma)
in x: linear in x (cval= a constant), one gaussian_filter1d per axis, each a matrix along its axis that the boundary
mode shapes; the tangent filters d as scipy filters x (cval 0), the adjoint applies each axis's matrix transposed
(the correlation with the same kernel, its boundary reflected back), the axes in reverse.
"""
from __future__ import annotations

import numpy as np

__all__ = ["covariance_matrix", "covariance_adjoint", "xdivy", "log_ndtr_slope", "gaussian_filter_tangent",
           "gaussian_filter_adjoint"]


def covariance_matrix(cov, like):
    """The covariance matrix scipy.stats.multivariate_normal reads from `cov`: a matrix's lower triangle
    mirrored, a vector as the diagonal, a number times the identity (its size the last axis of `like`)."""
    cov = np.asarray(cov, dtype=float)
    if cov.ndim == 2:
        return np.tril(cov) + np.tril(cov, -1).T
    if cov.ndim == 1:
        return np.diag(cov)
    return cov * np.eye(np.shape(like)[-1] if np.ndim(like) else 1)


def covariance_adjoint(g, cov):
    """The adjoint of `cov` from the adjoint `g` of `covariance_matrix(cov, ...)` (its transpose): for a
    matrix, the lower triangle of g + g.T with the diagonal counted once; the diagonal of g for a vector;
    its trace for a number."""
    g = np.asarray(g, dtype=float)
    ndim = np.ndim(cov)
    if ndim == 2:
        return np.tril(g + g.T) - np.diag(np.diag(g))
    if ndim == 1:
        return np.diagonal(g).copy()
    return np.trace(g)


def xdivy(x, y):
    """`x / y`, and 0 where x is 0 (0 / 0 too); x != 0 over y = 0 is infinite, as NumPy divides."""
    if np.ndim(x) == 0 and np.ndim(y) == 0:
        if x == 0:
            return 0.0
        return x / y if y != 0 else float(np.divide(np.float64(x), y))
    zero = np.equal(x, 0)
    return np.where(zero, 0.0, np.divide(x, np.where(zero, 1.0, y)))


def log_ndtr_slope(x):
    """d/dx scipy.special.log_ndtr(x) = pdf(x) / cdf(x) = sqrt(2 / pi) / erfcx(-x / sqrt(2)) (cdf(x) is
    erfcx(-x / sqrt 2) exp(-x^2 / 2) / 2), to rounding in both tails: about -x far to the left, 0 where erfcx
    overflows (x > 37, where the slope is below 1e-300). Its derivative, -r (x + r) with r this slope
    (rules/runtime_helpers.py), keeps ~10 digits at x = -1000, where differentiating exp(-x^2 / 2 - log_ndtr(x))
    lost 5 to the cancellation of x^2 / 2 against log_ndtr."""
    from scipy import special
    return _SQRT_2_OVER_PI / special.erfcx(-np.asarray(x) / _SQRT_2)


_SQRT_2 = float(np.sqrt(2.0))
_SQRT_2_OVER_PI = float(np.sqrt(2.0 / np.pi))


def _gaussian_plan(ndim, sigma, order, mode, radius, axes):
    """scipy.ndimage.gaussian_filter's passes: (axis, sigma, order, mode, radius) per axis it filters (each
    parameter one value or one per axis; an axis whose sigma is 0 is left as it is, as scipy does)."""
    axes = list(range(ndim)) if axes is None else [int(a) % ndim for a in np.atleast_1d(axes)]

    def each(v):
        return [v] * len(axes) if v is None or isinstance(v, str) or np.ndim(v) == 0 else list(v)
    return [p for p in zip(axes, each(sigma), each(order), each(mode), each(radius)) if p[1] > 1e-15]


def _gaussian_pass(v, sigma, axis, order, mode, truncate, radius):
    from scipy import ndimage
    kept = {} if radius is None else {"radius": radius}
    return ndimage.gaussian_filter1d(v, sigma, axis, order, mode=mode, cval=0.0, truncate=truncate, **kept)


def gaussian_filter_tangent(d, x, sigma, order=0, mode="reflect", truncate=4.0, radius=None, axes=None):
    """Tangent of scipy.ndimage.gaussian_filter(x, sigma, order, mode=, truncate=, radius=, axes=) in x: d filtered
    as x is, cval 0 (d may have leading batch axes)."""
    d = np.array(d, dtype=float)
    lead = d.ndim - np.ndim(x)
    for axis, s, o, m, r in _gaussian_plan(np.ndim(x), sigma, order, mode, radius, axes):
        d = _gaussian_pass(d, s, axis + lead, o, m, truncate, r)
    return d


def gaussian_filter_adjoint(g, x, sigma, order=0, mode="reflect", truncate=4.0, radius=None, axes=None):
    """Adjoint of scipy.ndimage.gaussian_filter(x, sigma, ...) in x: along each axis, in reverse, the transpose of
    that axis's pass, the matrix A = gaussian_filter1d(np.eye(n), ...) (its columns the filtered unit vectors; the
    boundary mode folds the kernel back into the edge columns) applied as A.T (g may have leading batch axes)."""
    g = np.array(g, dtype=float)
    lead = g.ndim - np.ndim(x)
    for axis, s, o, m, r in reversed(_gaussian_plan(np.ndim(x), sigma, order, mode, radius, axes)):
        matrix = _gaussian_pass(np.eye(np.shape(x)[axis]), s, 0, o, m, truncate, r)
        g = np.moveaxis(np.tensordot(matrix.T, np.moveaxis(g, axis + lead, 0), axes=1), 0, axis + lead)
    return g
