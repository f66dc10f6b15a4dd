"""Rules for NumPy: elementwise math, reductions, products and shape functions."""
from __future__ import annotations

import math as _math

from s2s.rules.registry import defnondiff, defvjp
from s2s.rules.symbolic import np, power_log, power_slope, rt

LN2, LN10 = _math.log(2.0), _math.log(10.0)


def elementwise(key, *adjoints):
    defvjp(key, *adjoints, broadcast=True)


# ---------------------------------------------------------------- arithmetic
elementwise("numpy.add", lambda g, ans, x, y: g, lambda g, ans, x, y: g)
elementwise("numpy.subtract", lambda g, ans, x, y: g, lambda g, ans, x, y: -g)
elementwise("numpy.multiply", lambda g, ans, x, y: g * y, lambda g, ans, x, y: g * x)
elementwise("numpy.divide", lambda g, ans, x, y: g / y, lambda g, ans, x, y: -g * ans / y)
elementwise("numpy.negative", lambda g, ans, x: -g)
elementwise("numpy.power", lambda g, ans, x, y: g * power_slope(x, y),
            lambda g, ans, x, y: g * power_log(ans, x, np.log))
elementwise("numpy.square", lambda g, ans, x: g * (2.0 * x))
elementwise("numpy.reciprocal", lambda g, ans, x: -g * ans ** 2)
elementwise("numpy.abs", lambda g, ans, x: g * rt.sign(x))
elementwise("numpy.absolute", lambda g, ans, x: g * rt.sign(x))

# ---------------------------------------------------------------- exponentials and logarithms
elementwise("numpy.exp", lambda g, ans, x: g * ans)
elementwise("numpy.exp2", lambda g, ans, x: g * ans * LN2)
elementwise("numpy.expm1", lambda g, ans, x: g * (ans + 1.0))
elementwise("numpy.log", lambda g, ans, x: g / x)
elementwise("numpy.log2", lambda g, ans, x: g / (x * LN2))
elementwise("numpy.log10", lambda g, ans, x: g / (x * LN10))
elementwise("numpy.log1p", lambda g, ans, x: g / (1.0 + x))
elementwise("numpy.sqrt", lambda g, ans, x: g / (2.0 * ans))

# ---------------------------------------------------------------- trigonometric and hyperbolic
elementwise("numpy.sin", lambda g, ans, x: g * np.cos(x))
elementwise("numpy.cos", lambda g, ans, x: -g * np.sin(x))
elementwise("numpy.tan", lambda g, ans, x: g * (1.0 + ans ** 2))
elementwise("numpy.arcsin", lambda g, ans, x: g / np.sqrt(1.0 - x ** 2))
elementwise("numpy.arccos", lambda g, ans, x: -g / np.sqrt(1.0 - x ** 2))
elementwise("numpy.arctan", lambda g, ans, x: g / (1.0 + x ** 2))
elementwise("numpy.arctan2", lambda g, ans, y, x: g * x / (x ** 2 + y ** 2), lambda g, ans, y, x: -g * y / (x ** 2 + y ** 2))
elementwise("numpy.hypot", lambda g, ans, x, y: g * rt.ratio_or_zero(x, ans),
            lambda g, ans, x, y: g * rt.ratio_or_zero(y, ans))
elementwise("numpy.sinh", lambda g, ans, x: g * np.cosh(x))
elementwise("numpy.cosh", lambda g, ans, x: g * np.sinh(x))
elementwise("numpy.tanh", lambda g, ans, x: g * (1.0 - ans ** 2))

# ---------------------------------------------------------------- selection
elementwise("numpy.maximum", lambda g, ans, x, y: g * (x >= y), lambda g, ans, x, y: g * (x < y))
elementwise("numpy.minimum", lambda g, ans, x, y: g * (x <= y), lambda g, ans, x, y: g * (x > y))
elementwise("numpy.where", None, lambda g, ans, c, x, y: np.where(c, g, 0.0), lambda g, ans, c, x, y: np.where(c, 0.0, g))
elementwise("numpy.clip",  # a bound of None does not clip
            lambda g, ans, x, lo, hi: g * (x <= hi) if lo is None else g * (x >= lo) if hi is None else
            g * np.logical_and(x >= lo, x <= hi),
            lambda g, ans, x, lo, hi: g * (x < lo),
            lambda g, ans, x, lo, hi: g * (x > hi))

# ---------------------------------------------------------------- reductions
defvjp("numpy.sum", lambda g, ans, x, axis=None, keepdims=False:
       np.full(np.shape(x), g) if axis is None else rt.sum_adjoint(g, x, axis, keepdims))
defvjp("numpy.mean", lambda g, ans, x, axis=None, keepdims=False:
       np.full(np.shape(x), g / np.size(x)) if axis is None else rt.mean_adjoint(g, x, axis, keepdims))

# ---------------------------------------------------------------- products
defvjp("numpy.dot", lambda g, ans, a, b: rt.dot_adjoint_a(g, a, b), lambda g, ans, a, b: rt.dot_adjoint_b(g, a, b))
defvjp("numpy.matmul", lambda g, ans, a, b: rt.matmul_adjoint_a(g, a, b), lambda g, ans, a, b: rt.matmul_adjoint_b(g, a, b))
defvjp("numpy.outer", lambda g, ans, a, b: np.reshape(g @ np.ravel(b), np.shape(a)),
       lambda g, ans, a, b: np.reshape(np.ravel(a) @ g, np.shape(b)))

# ---------------------------------------------------------------- shape
defvjp("numpy.transpose", lambda g, ans, x, axes=None: np.transpose(g) if axes is None else rt.transpose_adjoint(g, axes))
defvjp("numpy.reshape", lambda g, ans, x, shape: np.reshape(g, np.shape(x)))
defvjp("numpy.ravel", lambda g, ans, x: np.reshape(g, np.shape(x)))

# ---------------------------------------------------------------- no derivative
defnondiff("numpy.sign", "numpy.floor", "numpy.ceil", "numpy.round", "numpy.rint", "numpy.trunc",
           "numpy.shape", "numpy.ndim", "numpy.size", "numpy.zeros", "numpy.ones", "numpy.zeros_like",
           "numpy.ones_like", "numpy.empty", "numpy.eye",
           "numpy.argmax", "numpy.argmin", "numpy.argsort", "numpy.isnan", "numpy.isinf", "numpy.isfinite",
           "numpy.logical_and", "numpy.logical_or", "numpy.logical_not", "numpy.equal", "numpy.not_equal",
           "numpy.greater", "numpy.less", "numpy.greater_equal", "numpy.less_equal", "numpy.any", "numpy.all",
           "numpy.int64")
defvjp("numpy.float64", lambda g, ans, x: g)
# (the fill value has a derivative: every entry is it; np.arange and np.linspace have none yet, so a
# derivative that would flow through their start or stop is an error rather than a silent zero)
defvjp("numpy.full", None, lambda g, ans, shape, fill_value, dtype=None: rt.unbroadcast(g, fill_value))
