"""Helpers of library calls s2s reads as compositions of others (rules' `lowered`, front/library_loops.py): the
variables of `np.cov(m, y)` joined in rows as NumPy joins them, the divisor of `np.linspace(..., retstep=True)`'s
step, the check that np.linalg.qr(a, mode='complete') has the reduced factors, the last bits of statistics.variance,
stdev, pvariance and pstdev, and the shape of the standard draw of rng.normal(loc, scale) read as loc + scale * z."""
from __future__ import annotations

import numpy as np

from s2s.errors import S2SError

__all__ = ["cov_rows", "cov_rows_part", "linspace_divisor", "spread_divisor", "spread_rounding", "spread_root",
           "qr_wide", "draw_shape", "standard_draw", "draw_exp"]


def _rows(v, rowvar):
    """v as np.cov reads m or y: at least 2-D, variables in rows (transposed for rowvar=False unless one row)."""
    x = np.array(v, ndmin=2)
    if x.ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    return x.T if not rowvar and x.shape[0] != 1 else x


def cov_rows(m, y, rowvar=True):
    """The variables np.cov(m, y, rowvar) reads: m's rows then y's (NumPy's concatenate((X, y), axis=0)), each
    in rows as `rowvar` says. Linear in m and y (its transpose: cov_rows_part)."""
    return np.concatenate((_rows(m, rowvar), _rows(y, rowvar)), axis=0)


def cov_rows_part(g, m, y, rowvar=True, part=0):
    """The part of `g`, shaped as cov_rows(m, y, rowvar), that came from m (part 0) or y (part 1), in that
    argument's own shape: the transpose of cov_rows in it. Linear in g."""
    g = np.asarray(g)
    k = _rows(m, rowvar).shape[0]
    piece, v = (g[:k], m) if part == 0 else (g[k:], y)
    return np.reshape(piece.T if not rowvar and np.array(v, ndmin=2).shape[0] != 1 else piece, np.shape(v))


def linspace_divisor(num, endpoint=True):
    """What np.linspace(start, stop, num, endpoint) divides stop - start by for its step: num - 1 (num without
    the endpoint), NaN where that is not positive (NumPy's step is NaN there). Carries no derivative."""
    div = (num - 1) if endpoint else num
    return div if div > 0 else np.nan


def spread_divisor(data, name):
    """What statistics.`name` divides the sum of squares of `data` (a list) by: len(data) - 1 for variance and
    stdev, len(data) for pvariance and pstdev; Python's StatisticsError where there are too few points for it (two,
    one). Carries no derivative."""
    import statistics
    if name in ("variance", "stdev") and len(data) < 2:
        raise statistics.StatisticsError(f"{name} requires at least two data points")
    if not len(data):
        raise statistics.StatisticsError(f"{name} requires at least one data point")
    return len(data) - 1 if name in ("variance", "stdev") else len(data)


def spread_rounding(data, value, name):
    """statistics.`name`(data) (its exact sum of squares, rounded once) less `value`, the same spread computed in
    floats (front/library_loops.spread_value): 0 or the last bits; added to `value` it gives Python's value. Carries
    no derivative."""
    import statistics
    return getattr(statistics, name)(data) - value


def spread_root(value):
    """math.sqrt(value) of statistics.stdev's and pstdev's sum of squares over its divisor (front/library_loops
    .spread_value): at equal points value is 0, a kink where s2s takes the derivative 0, as np.std's and the
    2-norm's (docs/limitations.md, Kinks), not 0.5 / 0."""
    import math
    return math.sqrt(value)


def qr_wide(a):
    """`a`, checked to have no more rows than columns: np.linalg.qr(x, mode='complete')'s r or x's tangent, where
    the complete factors are the reduced ones (bit for bit), whose rules s2s has. A tall x's complete q has
    columns past x's, any orthonormal completion of them, without a derivative: refused."""
    if np.shape(a)[-2] > np.shape(a)[-1]:
        raise S2SError("np.linalg.qr(a, mode='complete') of a tall a (more rows than columns) has no derivative in "
                       "s2s: the columns of q past a's are any orthonormal completion of them; write q, r = "
                       "np.linalg.qr(a), the reduced factors (q of a's shape, r square)")
    return a


def draw_shape(draw, size, *parameters):
    """The shape of the standard draw z of `draw(*parameters, size=size)` (rng.normal, np.random.normal,
    rng.exponential, rng.uniform, rng.lognormal...: a method of NumPy's Generator or RandomState), which s2s reads as
    loc + scale * z (ad/located_draws.py): `size`, or the parameters' broadcast shape; NumPy's errors first where a
    scale is negative, a range high - low out of bounds, or the parameters do not broadcast to `size`. None for a
    draw of Python's random.Random (random.gauss, r.uniform), which draws one number. Carries no derivative."""
    import random
    owner = getattr(draw, "__self__", None)
    name = getattr(draw, "__name__", "draw")
    if isinstance(owner, random.Random) and name in ("gauss", "normalvariate", "uniform"):
        return None
    if not isinstance(owner, (np.random.Generator, np.random.RandomState)):
        cls = type(owner).__name__
        raise S2SError(f"{cls}.{name}(): s2s took .{name}(...) for the draw of a NumPy random generator, which is "
                       f"loc + scale * z (its derivative through loc and scale), and it is a method of an object of "
                       f"the class {cls}: call it through its class, {cls}.{name}(obj, ...), which s2s then reads, or "
                       f"pass a NumPy generator")
    _check_parameters(owner, name, parameters)
    shapes = [np.shape(p) for p in parameters]
    if size is None:
        return np.broadcast_shapes(*shapes)
    shape = (int(size),) if np.ndim(size) == 0 else tuple(int(n) for n in size)
    if any(shapes) and np.broadcast_shapes(shape, *shapes) != shape:
        raise ValueError(f"Output size {shape} is not compatible with broadcast dimensions of inputs "
                         f"{np.broadcast_shapes(*shapes)}.")
    return shape


def _check_parameters(owner, name, parameters):
    """NumPy's errors of `owner.name(*parameters)` (the draw's own checks, before a number is drawn)."""
    if name == "uniform":
        with np.errstate(over="ignore", invalid="ignore"):
            span = np.subtract(parameters[1], parameters[0], dtype=float)
        generator = isinstance(owner, np.random.Generator)
        if generator and np.any(span < 0):
            raise ValueError("high - low < 0")
        if not np.all(np.isfinite(span)):
            raise OverflowError("high - low range exceeds valid bounds" if generator else "Range exceeds valid bounds")
        return
    scale = parameters[-1]
    if np.any(np.signbit(scale) & ~np.isnan(scale)):
        raise ValueError("sigma < 0" if name == "lognormal" else "scale < 0")


def standard_draw(draw, shape):
    """The standard draw of `draw` from the same stream, which s2s reads the draw as located and scaled
    (ad/located_draws.py): rng.random(shape) for .uniform of a NumPy generator (uniform(low, high) is
    low + (high - low) * rng.random(shape), bit for bit); of Python's random.Random, r.random() for r.uniform(a, b)
    (a + (b - a) * r.random()) and r.gauss(0.0, 1.0) for r.gauss(mu, sigma) (mu + z * sigma), normalvariate alike.
    Carries no derivative."""
    owner = draw.__self__
    if shape is not None:
        return owner.random(shape)
    return owner.random() if draw.__name__ == "uniform" else draw(0.0, 1.0)


def _c_exp(x):
    import math
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


_C_EXP = np.frompyfunc(_c_exp, 1, 1)


def draw_exp(x):
    """exp(x) as C's exp computes it, entry by entry (math.exp), which rng.lognormal(mean, sigma) applies to
    mean + sigma * z (np.exp may differ from it in the last bit): the draw bit for bit. Its derivative is itself."""
    if np.ndim(x) == 0:
        return _c_exp(float(x)) if isinstance(x, (float, int)) else np.float64(_c_exp(float(x)))
    return np.asarray(_C_EXP(np.asarray(x, dtype=float)), dtype=float)
