"""Forward-mode (tangent) rules: the tangent of each primitive's result.

One function per positional argument, as in JAX's `defjvp`: it receives that
argument's tangent `d`, the primal result `ans` and the primal arguments, and
returns that argument's contribution to the result's tangent; `forward.py`
sums the contributions of the arguments that have a tangent and skips the rest
(no zero tangents). Rules are written `coefficient * d` so the generated code
reads like the textbook derivative. `broadcast=True` marks elementwise
primitives with NumPy broadcasting: there a contribution that is `d` itself
may be smaller than the result and is widened to it.

Every key of `registry.REVERSE` has a rule here (checked by the tests).
"""
from __future__ import annotations

import math as _math

from s2s.rules.registry import defjvp, defjvp_full
from s2s.rules.symbolic import emit, math, np, power_log, power_slope, rt

LN2, LN10 = _math.log(2.0), _math.log(10.0)


def linear(key: str) -> None:
    """`key` is linear in its first argument: its tangent is `key` applied to that tangent."""
    defjvp(key, lambda d, ans, x, *rest, **kwargs: emit(key, d, *rest, **kwargs))


def elementwise(key: str, *parts) -> None:
    defjvp(key, *parts, broadcast=True)


def _times(coefficient, d):
    """`coefficient * d`, or the constant 0.0 (no tangent) where the coefficient is a constant 0."""
    return 0.0 if isinstance(coefficient, float) and coefficient == 0.0 else coefficient * d


# ---------------------------------------------------------------- arithmetic operators
elementwise("add", lambda d, ans, x, y: d, lambda d, ans, x, y: d)
elementwise("sub", lambda d, ans, x, y: d, lambda d, ans, x, y: -d)
elementwise("mul", lambda d, ans, x, y: d * y, lambda d, ans, x, y: x * d)
elementwise("truediv", lambda d, ans, x, y: d / y, lambda d, ans, x, y: -(ans * d) / y)
elementwise("pow", lambda d, ans, x, y: _times(power_slope(x, y), d), lambda d, ans, x, y: _times(power_log(ans, x, np.log), d))
elementwise("mod", lambda d, ans, x, y: d, lambda d, ans, x, y: -((x // y) * d))
defjvp("neg", lambda d, ans, x: -d)
defjvp("pos", lambda d, ans, x: d)
defjvp("matmul", lambda d, ans, a, b: d @ b, lambda d, ans, a, b: a @ d)

# ---------------------------------------------------------------- builtins
defjvp("builtins.abs", lambda d, ans, x: rt.sign(x) * d)
defjvp("builtins.sum", lambda d, ans, xs, start=0: rt.sum_builtin_tangent(d), lambda d, ans, xs, start: d)
defjvp("builtins.float", lambda d, ans, x: d)
elementwise("builtins.max", lambda d, ans, x, y: (x >= y) * d, lambda d, ans, x, y: (x < y) * d)
elementwise("builtins.min", lambda d, ans, x, y: (x <= y) * d, lambda d, ans, x, y: (x > y) * d)

# ---------------------------------------------------------------- structure
linear("getitem")
defjvp("numpy.full", None, lambda d, ans, shape, fill_value, dtype=None: rt.broadcast_tangent(d, ans))
defjvp("numpy.full_like", None, lambda d, ans, a, fill_value, dtype=None: rt.broadcast_tangent(d, ans))

# ---------------------------------------------------------------- math: exponentials and logarithms
defjvp("math.exp", lambda d, ans, x: ans * d)
defjvp("math.expm1", lambda d, ans, x: (ans + 1.0) * d)
defjvp("math.log", lambda d, ans, x, base=None: d / x if base is None else d / (x * math.log(base)),
       lambda d, ans, x, base: -(ans * d) / (base * math.log(base)))
defjvp("math.log2", lambda d, ans, x: d / (x * LN2))
defjvp("math.log10", lambda d, ans, x: d / (x * LN10))
defjvp("math.log1p", lambda d, ans, x: d / (1.0 + x))
defjvp("math.sqrt", lambda d, ans, x: d / (2.0 * ans))
defjvp("math.pow", lambda d, ans, x, y: _times(power_slope(x, y), d), lambda d, ans, x, y: _times(power_log(ans, x, math.log), d))

# ---------------------------------------------------------------- math: trigonometric
defjvp("math.sin", lambda d, ans, x: math.cos(x) * d)
defjvp("math.cos", lambda d, ans, x: -(math.sin(x) * d))
defjvp("math.tan", lambda d, ans, x: (1.0 + ans ** 2) * d)
defjvp("math.asin", lambda d, ans, x: d / math.sqrt(1.0 - x ** 2))
defjvp("math.acos", lambda d, ans, x: -d / math.sqrt(1.0 - x ** 2))
defjvp("math.atan", lambda d, ans, x: d / (1.0 + x ** 2))
defjvp("math.atan2", lambda d, ans, y, x: x * d / (x ** 2 + y ** 2), lambda d, ans, y, x: -(y * d) / (x ** 2 + y ** 2))
defjvp("math.hypot", lambda d, ans, x, y: rt.ratio_or_zero(x, ans) * d, lambda d, ans, x, y: rt.ratio_or_zero(y, ans) * d)

# ---------------------------------------------------------------- math: hyperbolic
defjvp("math.sinh", lambda d, ans, x: math.cosh(x) * d)
defjvp("math.cosh", lambda d, ans, x: math.sinh(x) * d)
defjvp("math.tanh", lambda d, ans, x: (1.0 - ans ** 2) * d)

# ---------------------------------------------------------------- math: piecewise
defjvp("math.fabs", lambda d, ans, x: rt.sign(x) * d)

# ---------------------------------------------------------------- numpy: arithmetic
elementwise("numpy.add", lambda d, ans, x, y: d, lambda d, ans, x, y: d)
elementwise("numpy.subtract", lambda d, ans, x, y: d, lambda d, ans, x, y: -d)
elementwise("numpy.multiply", lambda d, ans, x, y: d * y, lambda d, ans, x, y: x * d)
elementwise("numpy.divide", lambda d, ans, x, y: d / y, lambda d, ans, x, y: -(ans * d) / y)
elementwise("numpy.negative", lambda d, ans, x: -d)
elementwise("numpy.power", lambda d, ans, x, y: _times(power_slope(x, y), d),
            lambda d, ans, x, y: _times(power_log(ans, x, np.log), d))
elementwise("numpy.square", lambda d, ans, x: 2.0 * x * d)
elementwise("numpy.reciprocal", lambda d, ans, x: -(ans ** 2 * d))
elementwise("numpy.abs", lambda d, ans, x: rt.sign(x) * d)
elementwise("numpy.absolute", lambda d, ans, x: rt.sign(x) * d)
elementwise("numpy.float64", lambda d, ans, x: d)

# ---------------------------------------------------------------- numpy: exponentials and logarithms
elementwise("numpy.exp", lambda d, ans, x: ans * d)
elementwise("numpy.exp2", lambda d, ans, x: ans * LN2 * d)
elementwise("numpy.expm1", lambda d, ans, x: (ans + 1.0) * d)
elementwise("numpy.log", lambda d, ans, x: d / x)
elementwise("numpy.log2", lambda d, ans, x: d / (x * LN2))
elementwise("numpy.log10", lambda d, ans, x: d / (x * LN10))
elementwise("numpy.log1p", lambda d, ans, x: d / (1.0 + x))
elementwise("numpy.sqrt", lambda d, ans, x: d / (2.0 * ans))

# ---------------------------------------------------------------- numpy: trigonometric and hyperbolic
elementwise("numpy.sin", lambda d, ans, x: np.cos(x) * d)
elementwise("numpy.cos", lambda d, ans, x: -(np.sin(x) * d))
elementwise("numpy.tan", lambda d, ans, x: (1.0 + ans ** 2) * d)
elementwise("numpy.arcsin", lambda d, ans, x: d / np.sqrt(1.0 - x ** 2))
elementwise("numpy.arccos", lambda d, ans, x: -d / np.sqrt(1.0 - x ** 2))
elementwise("numpy.arctan", lambda d, ans, x: d / (1.0 + x ** 2))
elementwise("numpy.arctan2", lambda d, ans, y, x: x * d / (x ** 2 + y ** 2),
            lambda d, ans, y, x: -(y * d) / (x ** 2 + y ** 2))
elementwise("numpy.hypot", lambda d, ans, x, y: rt.ratio_or_zero(x, ans) * d,
            lambda d, ans, x, y: rt.ratio_or_zero(y, ans) * d)
elementwise("numpy.sinh", lambda d, ans, x: np.cosh(x) * d)
elementwise("numpy.cosh", lambda d, ans, x: np.sinh(x) * d)
elementwise("numpy.tanh", lambda d, ans, x: (1.0 - ans ** 2) * d)

# ---------------------------------------------------------------- numpy: selection
elementwise("numpy.maximum", lambda d, ans, x, y: (x >= y) * d, lambda d, ans, x, y: (x < y) * d)
elementwise("numpy.minimum", lambda d, ans, x, y: (x <= y) * d, lambda d, ans, x, y: (x > y) * d)
elementwise("numpy.where", None, lambda d, ans, c, x, y: np.where(c, d, 0.0),
            lambda d, ans, c, x, y: np.where(c, 0.0, d))
elementwise("numpy.clip",  # a bound of None does not clip
            lambda d, ans, x, lo, hi: (x <= hi) * d if lo is None else (x >= lo) * d if hi is None else
            np.logical_and(x >= lo, x <= hi) * d,
            lambda d, ans, x, lo, hi: (x < lo) * d,
            lambda d, ans, x, lo, hi: (x > hi) * d)

# ---------------------------------------------------------------- numpy: reductions
linear("numpy.sum")
linear("numpy.mean")

# ---------------------------------------------------------------- numpy: products
defjvp("numpy.dot", lambda d, ans, a, b: np.dot(d, b), lambda d, ans, a, b: np.dot(a, d))
defjvp("numpy.matmul", lambda d, ans, a, b: d @ b, lambda d, ans, a, b: a @ d)
defjvp("numpy.outer", lambda d, ans, a, b: np.outer(d, b), lambda d, ans, a, b: np.outer(a, d))

# ---------------------------------------------------------------- numpy: shape
linear("numpy.transpose")
linear("numpy.reshape")
linear("numpy.ravel")


# ================================================================ the NumPy rules of numpy_extra.py
DEG = _math.pi / 180.0
TANGENT_HELPERS = "s2s.runtime.batched"  # where the longer tangents live (spelled rt.name)


def _kw(**pairs) -> dict:
    """Keyword arguments that were given (not None), passed on to the tangent's call unchanged."""
    return {k: v for k, v in pairs.items() if v is not None}


# ---------------------------------------------------------------- structure: sequences
# forward.py builds the tangent of a tuple/list itself (zeros for elements without one);
# these rules say the same for the table, one element per argument.
defjvp("tuple", *(lambda d, ans, *xs, i=i: rt.sequence_tangent(ans, i, d) for i in range(256)))
defjvp("list", *(lambda d, ans, *xs, i=i: rt.sequence_tangent(ans, i, d) for i in range(256)))

# ---------------------------------------------------------------- numpy extra: elementwise
elementwise("numpy.true_divide", lambda d, ans, x, y: d / y, lambda d, ans, x, y: -(ans * d) / y)
elementwise("numpy.float_power", lambda d, ans, x, y: y * np.float_power(x, y - 1) * d,
            lambda d, ans, x, y: ans * np.log(x) * d)
elementwise("numpy.positive", lambda d, ans, x: d)
elementwise("numpy.fabs", lambda d, ans, x: rt.sign(x) * d)
elementwise("numpy.conjugate", lambda d, ans, x: np.conjugate(d))
elementwise("numpy.conj", lambda d, ans, x: np.conj(d))
elementwise("numpy.real", lambda d, ans, x: np.real(d))
elementwise("numpy.copysign", lambda d, ans, x, y: np.sign(x) * np.sign(ans) * d, None)
elementwise("numpy.mod", lambda d, ans, x, y: d, lambda d, ans, x, y: -(np.floor_divide(x, y) * d))
elementwise("numpy.remainder", lambda d, ans, x, y: d, lambda d, ans, x, y: -(np.floor_divide(x, y) * d))
elementwise("numpy.fmod", lambda d, ans, x, y: d, lambda d, ans, x, y: -(np.trunc(x / y) * d))
elementwise("numpy.nan_to_num", lambda d, ans, x: np.isfinite(x) * d)
elementwise("numpy.logaddexp", lambda d, ans, x, y: np.exp(x - ans) * d, lambda d, ans, x, y: np.exp(y - ans) * d)
elementwise("numpy.logaddexp2", lambda d, ans, x, y: np.exp2(x - ans) * d, lambda d, ans, x, y: np.exp2(y - ans) * d)
elementwise("numpy.cbrt", lambda d, ans, x: d / (3.0 * ans ** 2))
elementwise("numpy.arcsinh", lambda d, ans, x: d / np.sqrt(x ** 2 + 1.0))
elementwise("numpy.arccosh", lambda d, ans, x: d / np.sqrt(x ** 2 - 1.0))
elementwise("numpy.arctanh", lambda d, ans, x: d / (1.0 - x ** 2))
elementwise("numpy.sinc", lambda d, ans, x: rt.sinc_derivative(x) * d)
elementwise("numpy.deg2rad", lambda d, ans, x: DEG * d)
elementwise("numpy.radians", lambda d, ans, x: DEG * d)
elementwise("numpy.rad2deg", lambda d, ans, x: d / DEG)
elementwise("numpy.degrees", lambda d, ans, x: d / DEG)
elementwise("numpy.fmax", lambda d, ans, x, y: (x >= y) * d, lambda d, ans, x, y: (x < y) * d)
elementwise("numpy.fmin", lambda d, ans, x, y: (x <= y) * d, lambda d, ans, x, y: (x > y) * d)

# ---------------------------------------------------------------- numpy extra: reductions
_extremum = lambda d, ans, x, axis=None, out=None, keepdims=False: \
    rt.extremum_tangent(d, ans, x, **_kw(axis=axis, keepdims=keepdims or None))  # noqa: E731
for _key in ("numpy.max", "numpy.min", "numpy.amax", "numpy.amin", "numpy.nanmax", "numpy.nanmin"):
    defjvp(_key, _extremum)
defjvp("numpy.prod", lambda d, ans, x, axis=None, dtype=None, out=None, keepdims=False:
       rt.prod_tangent(d, x, **_kw(axis=axis, keepdims=keepdims or None)))
defjvp("numpy.var", lambda d, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False:
       rt.var_tangent(d, x, **_kw(axis=axis, ddof=ddof or None, keepdims=keepdims or None)))
defjvp("numpy.std", lambda d, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False:
       rt.var_tangent(d, x, **_kw(axis=axis, ddof=ddof or None, keepdims=keepdims or None)) / (2.0 * ans))
linear("numpy.cumsum")
defjvp("numpy.cumprod", lambda d, ans, x, axis=None, dtype=None: rt.cumprod_tangent(d, ans, x, **_kw(axis=axis)))
defjvp("numpy.nansum", lambda d, ans, x, axis=None, dtype=None, out=None, keepdims=False:
       np.sum(np.where(np.isnan(x), 0.0, d), **_kw(axis=axis, keepdims=keepdims or None)))
defjvp("numpy.nanmean", lambda d, ans, x, axis=None, dtype=None, out=None, keepdims=False:
       rt.nanmean_tangent(d, x, **_kw(axis=axis, keepdims=keepdims or None)))
defjvp("numpy.average", lambda d, ans, x, axis=None, weights=None, returned=False, keepdims=False:
       np.average(d, **_kw(axis=axis, weights=weights, keepdims=keepdims or None)))
linear("numpy.diff")
defjvp("numpy.linalg.norm", lambda d, ans, x, ord=None, axis=None, keepdims=False:
       rt.norm_tangent(d, ans, x, **_kw(ord=ord, axis=axis, keepdims=keepdims or None)))
defjvp("numpy.linalg.vector_norm", lambda d, ans, x, axis=None, keepdims=False, ord=2:
       rt.vector_norm_tangent(d, ans, x, **_kw(axis=axis, keepdims=keepdims or None, ord=None if ord == 2 else ord)))
defjvp("numpy.linalg.matrix_norm", lambda d, ans, x, keepdims=False, ord="fro":
       rt.matrix_norm_tangent(d, ans, x, **_kw(keepdims=keepdims or None, ord=None if ord == "fro" else ord)))

# ---------------------------------------------------------------- numpy extra: shape (all linear)
for _key in ("numpy.squeeze", "numpy.expand_dims", "numpy.atleast_1d", "numpy.atleast_2d", "numpy.atleast_3d",
             "numpy.swapaxes", "numpy.moveaxis", "numpy.matrix_transpose", "numpy.broadcast_to", "numpy.tile",
             "numpy.repeat", "numpy.flip", "numpy.fliplr", "numpy.flipud", "numpy.rot90", "numpy.roll",
             "numpy.copy", "numpy.tril", "numpy.triu", "numpy.diagonal", "numpy.diag", "numpy.trace",
             "numpy.take", "numpy.take_along_axis"):
    linear(_key)
defjvp("numpy.pad", lambda d, ans, x, pad_width, mode="constant", **options:
       rt.pad_tangent(d, pad_width, mode))
for _key in ("numpy.array", "numpy.asarray", "numpy.asanyarray", "numpy.ascontiguousarray"):
    defjvp(_key, lambda d, ans, x, dtype=None, **_: rt.array_tangent(d, ans))

# ---------------------------------------------------------------- numpy extra: joining and splitting (linear)
for _key in ("numpy.concatenate", "numpy.stack", "numpy.hstack", "numpy.vstack", "numpy.dstack",
             "numpy.column_stack", "numpy.split", "numpy.array_split", "numpy.hsplit", "numpy.vsplit",
             "numpy.dsplit"):
    linear(_key)

# ---------------------------------------------------------------- numpy extra: products (bilinear)
def bilinear(key: str) -> None:
    """`key` is linear in each of its first two arguments: each tangent replaces its argument."""
    defjvp(key, lambda d, ans, a, b, *rest, **kwargs: emit(key, d, b, *rest, **kwargs),
           lambda d, ans, a, b, *rest, **kwargs: emit(key, a, d, *rest, **kwargs))


for _key in ("numpy.inner", "numpy.vdot", "numpy.tensordot", "numpy.kron", "numpy.cross", "numpy.convolve"):
    bilinear(_key)
defjvp("numpy.einsum", None, *(lambda d, ans, subscripts, *operands, i=i, **kwargs:
                              emit("numpy.einsum", subscripts, *operands[:i], d, *operands[i + 1:], **kwargs)
                              for i in range(26)))
defjvp("numpy.linalg.matrix_power", lambda d, ans, a, n: rt.matrix_power_tangent(d, a, n))

# ---------------------------------------------------------------- numpy extra: selection
defjvp("numpy.sort", lambda d, ans, x, axis=-1, **_: rt.sort_tangent(d, x, axis))
defjvp("numpy.select", None, lambda d, ans, conds, choices, default=0: np.select(conds, d, 0.0),
       lambda d, ans, conds, choices, default=0: rt.select_default_tangent(d, conds))

# ---------------------------------------------------------------- numpy extra: linear algebra
defjvp("numpy.linalg.inv", lambda d, ans, a: -(ans @ d @ ans))
defjvp("numpy.linalg.solve", lambda d, ans, a, b: rt.solve_tangent_a(d, ans, a),
       lambda d, ans, a, b: np.linalg.solve(a, d))
defjvp("numpy.linalg.det", lambda d, ans, a: ans * rt.trace_solve(a, d))
defjvp("numpy.linalg.slogdet", lambda d, ans, a: rt.slogdet_tangent(d, a))
defjvp("numpy.linalg.cholesky", lambda d, ans, a, upper=False: rt.cholesky_tangent(d, ans, upper))
defjvp("numpy.linalg.eigh", lambda d, ans, a, UPLO="L": rt.eigh_tangent(d, ans, UPLO))
defjvp("numpy.linalg.eigvalsh", lambda d, ans, a, UPLO="L": rt.eigvalsh_tangent(d, a, UPLO))
defjvp("numpy.linalg.qr", lambda d, ans, a, mode="reduced": rt.qr_tangent(d, ans, mode))
defjvp("numpy.linalg.svd", lambda d, ans, a, full_matrices=True, compute_uv=True, hermitian=False:
       rt.svd_tangent(d, ans, a, full_matrices, compute_uv))
defjvp("numpy.linalg.svdvals", lambda d, ans, a: rt.svdvals_tangent(d, a))


# ---------------------------------------------------------------- numpy extra: later additions
def _no_tangent(what: str):
    """The tangent contribution of an argument whose derivative is not implemented: an error when it is
    active, never a silent zero (as `numpy_extra._no_rule` in reverse mode)."""
    def part(d, ans, *args, **kwargs):
        raise ValueError(f"no derivative rule for {what}; pass it as a constant or register one with s2s.tangent")
    return part


defjvp("numpy.ptp", lambda d, ans, x, axis=None, out=None, keepdims=False:
       rt.ptp_tangent(d, x, **_kw(axis=axis, keepdims=keepdims or None)))
defjvp("numpy.trapezoid",  # linear in y, and in the sample points' differences
       lambda d, ans, y, x=None, dx=1.0, axis=-1:
       np.trapezoid(d, **_kw(x=x, dx=None if dx is None or dx == 1.0 else dx, axis=None if axis == -1 else axis)),
       lambda d, ans, y, x=None, dx=1.0, axis=-1: np.trapezoid(y, d, **_kw(axis=None if axis == -1 else axis)))
defjvp_full("numpy.append", lambda tangents, ans, arr, values, axis=None:
            rt.append_tangent(tangents[0], tangents[1] if len(tangents) > 1 else None, arr, values, **_kw(axis=axis)))
bilinear("numpy.correlate")
defjvp("numpy.linalg.multi_dot", lambda d, ans, arrays: rt.multi_dot_tangent(d, arrays))
defjvp("numpy.interp", lambda d, ans, x, xp, fp: rt.interp_slope(x, xp, fp) * d,
       _no_tangent("the sample points xp of np.interp"), lambda d, ans, x, xp, fp: np.interp(x, xp, d))


# ---------------------------------------------------------------- vector mode
# With a leading batch axis on every tangent ((n,) + shape), elementwise rules hold
# as written (operands of a broadcasting operation are aligned by `rt.batch_align`);
# these are the rules that name axes or shapes. A key with neither is not batchable.
BATCHED: dict[str, tuple] = {}
POINTWISE = {"neg", "pos", "builtins.abs", "builtins.float"}  # plus every math.* key: scalars


def batched(key: str, *parts) -> None:
    BATCHED[key] = parts


batched("getitem", lambda d, ans, x, *index: rt.batch_getitem(d, *index))
batched("numpy.sum", lambda d, ans, x, axis=None, keepdims=False: rt.batch_sum(d, axis, keepdims))
batched("numpy.mean", lambda d, ans, x, axis=None, keepdims=False: rt.batch_mean(d, axis, keepdims))
batched("numpy.transpose", lambda d, ans, x, axes=None: rt.batch_transpose(d, axes))
batched("numpy.reshape", lambda d, ans, x, shape: rt.batch_reshape(d, shape))
batched("numpy.ravel", lambda d, ans, x: rt.batch_reshape(d, -1))
batched("matmul", lambda d, ans, a, b: d @ b, lambda d, ans, a, b: rt.batch_matmul_right(a, d, b))
batched("numpy.matmul", lambda d, ans, a, b: d @ b, lambda d, ans, a, b: rt.batch_matmul_right(a, d, b))
batched("numpy.dot", lambda d, ans, a, b: rt.batch_dot_left(d, a, b), lambda d, ans, a, b: rt.batch_dot_right(a, d, b))
def _last_axis_only(kwargs: dict, key: str) -> None:
    if kwargs:  # axisa/axisb/axisc/axis name axes that the batch axis would shift
        from s2s.ad.forward import NotBatchable
        raise NotBatchable(key)


batched("numpy.cross",  # vectors in the last axis: the batch axis is one more leading axis
        lambda d, ans, a, b, **kwargs: _last_axis_only(kwargs, "numpy.cross") or np.cross(d, b),
        lambda d, ans, a, b, **kwargs: _last_axis_only(kwargs, "numpy.cross") or np.cross(a, d))
batched("numpy.outer", lambda d, ans, a, b: rt.batch_outer_left(d, b), lambda d, ans, a, b: rt.batch_outer_right(a, d))


def batched_parts(key: str, rule) -> tuple | None:
    """(parts, align) of `key` for batched tangents, or None when it has no batched form."""
    if key in BATCHED:
        return BATCHED[key], False
    if rule.fn is None and rule.broadcast:
        return rule.parts, len(rule.parts) > 1
    if rule.fn is None and (key in POINTWISE or key.startswith("math.")):
        return rule.parts, False
    return None
