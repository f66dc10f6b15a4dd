"""Rules for the `math` module (scalar functions)."""
from __future__ import annotations

import math as _math

from s2s.rules.registry import defnondiff, defvjp
from s2s.rules.symbolic import math, np, power_log, power_slope, rt

LN2, LN10 = _math.log(2.0), _math.log(10.0)

# ---------------------------------------------------------------- exponentials and logarithms
defvjp("math.exp", lambda g, ans, x: g * ans)
defvjp("math.expm1", lambda g, ans, x: g * (ans + 1.0))
defvjp("math.log", lambda g, ans, x, base=None: g / x if base is None else g / (x * math.log(base)),
       lambda g, ans, x, base: -g * ans / (base * math.log(base)))
defvjp("math.log2", lambda g, ans, x: g / (x * LN2))
defvjp("math.log10", lambda g, ans, x: g / (x * LN10))
defvjp("math.log1p", lambda g, ans, x: g / (1.0 + x))
defvjp("math.sqrt", lambda g, ans, x: g / (2.0 * ans))
defvjp("math.pow", lambda g, ans, x, y: g * power_slope(x, y), lambda g, ans, x, y: g * power_log(ans, x, math.log))

# ---------------------------------------------------------------- trigonometric
defvjp("math.sin", lambda g, ans, x: g * math.cos(x))
defvjp("math.cos", lambda g, ans, x: -g * math.sin(x))
defvjp("math.tan", lambda g, ans, x: g * (1.0 + ans ** 2))
defvjp("math.asin", lambda g, ans, x: g / math.sqrt(1.0 - x ** 2))
defvjp("math.acos", lambda g, ans, x: -g / math.sqrt(1.0 - x ** 2))
defvjp("math.atan", lambda g, ans, x: g / (1.0 + x ** 2))
defvjp("math.atan2", lambda g, ans, y, x: g * x / (x ** 2 + y ** 2), lambda g, ans, y, x: -g * y / (x ** 2 + y ** 2))
defvjp("math.hypot", lambda g, ans, x, y: g * rt.ratio_or_zero(x, ans), lambda g, ans, x, y: g * rt.ratio_or_zero(y, ans))

# ---------------------------------------------------------------- hyperbolic
defvjp("math.sinh", lambda g, ans, x: g * math.cosh(x))
defvjp("math.cosh", lambda g, ans, x: g * math.sinh(x))
defvjp("math.tanh", lambda g, ans, x: g * (1.0 - ans ** 2))

# ---------------------------------------------------------------- piecewise
defvjp("math.fabs", lambda g, ans, x: g * rt.sign(x))
defnondiff("math.floor", "math.ceil", "math.trunc", "math.isnan", "math.isinf", "math.isfinite", "math.copysign")
