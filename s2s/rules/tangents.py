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

from .registry import defjvp
from .symbolic import emit, math, np

LN2, LN10 = _math.log(2.0), _math.log(10.0)


def linear(key: str) -> None:
    """`key` is linear in its first argument: its tangent is `key` applied to that tangent."""
    defjvp(key, lambda d, ans, x, *rest, **kwargs: emit(key, d, *rest, **kwargs))


def elementwise(key: str, *parts) -> None:
    defjvp(key, *parts, broadcast=True)


# ---------------------------------------------------------------- arithmetic operators
elementwise("add", lambda d, ans, x, y: d, lambda d, ans, x, y: d)
elementwise("sub", lambda d, ans, x, y: d, lambda d, ans, x, y: -d)
elementwise("mul", lambda d, ans, x, y: d * y, lambda d, ans, x, y: x * d)
elementwise("truediv", lambda d, ans, x, y: d / y, lambda d, ans, x, y: -(ans * d) / y)
elementwise("pow", lambda d, ans, x, y: y * x ** (y - 1) * d, lambda d, ans, x, y: ans * np.log(x) * d)
elementwise("mod", lambda d, ans, x, y: d, lambda d, ans, x, y: -((x // y) * d))
defjvp("neg", lambda d, ans, x: -d)
defjvp("pos", lambda d, ans, x: d)
defjvp("matmul", lambda d, ans, a, b: d @ b, lambda d, ans, a, b: a @ d)

# ---------------------------------------------------------------- builtins
defjvp("builtins.abs", lambda d, ans, x: np.sign(x) * d)
defjvp("builtins.float", lambda d, ans, x: d)
elementwise("builtins.max", lambda d, ans, x, y: (x >= y) * d, lambda d, ans, x, y: (x < y) * d)
elementwise("builtins.min", lambda d, ans, x, y: (x <= y) * d, lambda d, ans, x, y: (x > y) * d)

# ---------------------------------------------------------------- structure
linear("getitem")

# ---------------------------------------------------------------- math: exponentials and logarithms
defjvp("math.exp", lambda d, ans, x: ans * d)
defjvp("math.expm1", lambda d, ans, x: (ans + 1.0) * d)
defjvp("math.log", lambda d, ans, x, base=None: d / x if base is None else d / (x * math.log(base)),
       lambda d, ans, x, base: -(ans * d) / (base * math.log(base)))
defjvp("math.log2", lambda d, ans, x: d / (x * LN2))
defjvp("math.log10", lambda d, ans, x: d / (x * LN10))
defjvp("math.log1p", lambda d, ans, x: d / (1.0 + x))
defjvp("math.sqrt", lambda d, ans, x: d / (2.0 * ans))
defjvp("math.pow", lambda d, ans, x, y: y * x ** (y - 1) * d, lambda d, ans, x, y: ans * math.log(x) * d)

# ---------------------------------------------------------------- math: trigonometric
defjvp("math.sin", lambda d, ans, x: math.cos(x) * d)
defjvp("math.cos", lambda d, ans, x: -(math.sin(x) * d))
defjvp("math.tan", lambda d, ans, x: (1.0 + ans ** 2) * d)
defjvp("math.asin", lambda d, ans, x: d / math.sqrt(1.0 - x ** 2))
defjvp("math.acos", lambda d, ans, x: -d / math.sqrt(1.0 - x ** 2))
defjvp("math.atan", lambda d, ans, x: d / (1.0 + x ** 2))
defjvp("math.atan2", lambda d, ans, y, x: x * d / (x ** 2 + y ** 2), lambda d, ans, y, x: -(y * d) / (x ** 2 + y ** 2))
defjvp("math.hypot", lambda d, ans, x, y: x * d / ans, lambda d, ans, x, y: y * d / ans)

# ---------------------------------------------------------------- math: hyperbolic
defjvp("math.sinh", lambda d, ans, x: math.cosh(x) * d)
defjvp("math.cosh", lambda d, ans, x: math.sinh(x) * d)
defjvp("math.tanh", lambda d, ans, x: (1.0 - ans ** 2) * d)

# ---------------------------------------------------------------- math: piecewise
defjvp("math.fabs", lambda d, ans, x: np.sign(x) * d)

# ---------------------------------------------------------------- numpy: arithmetic
elementwise("numpy.add", lambda d, ans, x, y: d, lambda d, ans, x, y: d)
elementwise("numpy.subtract", lambda d, ans, x, y: d, lambda d, ans, x, y: -d)
elementwise("numpy.multiply", lambda d, ans, x, y: d * y, lambda d, ans, x, y: x * d)
elementwise("numpy.divide", lambda d, ans, x, y: d / y, lambda d, ans, x, y: -(ans * d) / y)
elementwise("numpy.negative", lambda d, ans, x: -d)
elementwise("numpy.power", lambda d, ans, x, y: y * x ** (y - 1) * d, lambda d, ans, x, y: ans * np.log(x) * d)
elementwise("numpy.square", lambda d, ans, x: 2.0 * x * d)
elementwise("numpy.reciprocal", lambda d, ans, x: -(ans ** 2 * d))
elementwise("numpy.abs", lambda d, ans, x: np.sign(x) * d)
elementwise("numpy.absolute", lambda d, ans, x: np.sign(x) * d)
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
elementwise("numpy.hypot", lambda d, ans, x, y: x * d / ans, lambda d, ans, x, y: y * d / ans)
elementwise("numpy.sinh", lambda d, ans, x: np.cosh(x) * d)
elementwise("numpy.cosh", lambda d, ans, x: np.sinh(x) * d)
elementwise("numpy.tanh", lambda d, ans, x: (1.0 - ans ** 2) * d)

# ---------------------------------------------------------------- numpy: selection
elementwise("numpy.maximum", lambda d, ans, x, y: (x >= y) * d, lambda d, ans, x, y: (x < y) * d)
elementwise("numpy.minimum", lambda d, ans, x, y: (x <= y) * d, lambda d, ans, x, y: (x > y) * d)
elementwise("numpy.where", None, lambda d, ans, c, x, y: np.where(c, d, 0.0),
            lambda d, ans, c, x, y: np.where(c, 0.0, d))
elementwise("numpy.clip",
            lambda d, ans, x, lo, hi: np.logical_and(x >= lo, x <= hi) * d,
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
