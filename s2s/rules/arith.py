"""Rules for Python operators, structural primitives and builtins."""
from __future__ import annotations

from s2s.rules.registry import defnondiff, defvjp
from s2s.rules.symbolic import emit, np, power_log, power_slope, rt

# ---------------------------------------------------------------- arithmetic operators
defvjp("add", lambda g, ans, x, y: g, lambda g, ans, x, y: g, broadcast=True)
defvjp("sub", lambda g, ans, x, y: g, lambda g, ans, x, y: -g, broadcast=True)
defvjp("mul", lambda g, ans, x, y: g * y, lambda g, ans, x, y: g * x, broadcast=True)
defvjp("truediv", lambda g, ans, x, y: g / y, lambda g, ans, x, y: -g * ans / y, broadcast=True)
defvjp("pow", lambda g, ans, x, y: g * power_slope(x, y), lambda g, ans, x, y: g * power_log(ans, x, np.log),
       broadcast=True)
defvjp("mod", lambda g, ans, x, y: g, lambda g, ans, x, y: -g * (x // y), broadcast=True)
defvjp("neg", lambda g, ans, x: -g)
defvjp("pos", lambda g, ans, x: g)
defvjp("matmul", lambda g, ans, a, b: rt.matmul_adjoint_a(g, a, b), lambda g, ans, a, b: rt.matmul_adjoint_b(g, a, b))
defnondiff("floordiv")  # piecewise constant: zero derivative

# ---------------------------------------------------------------- builtins
def _float(test):
    return emit("builtins.float", test)


defvjp("builtins.abs", lambda g, ans, x: g * rt.sign(x))
defvjp("builtins.float", lambda g, ans, x: g)
defvjp("builtins.sum", lambda g, ans, xs, start=0: rt.sum_builtin_adjoint(g, xs), lambda g, ans, xs, start: g)
# (a test is a bool: float() of it, so that the adjoint of 2.0 - min(x, y) is -1.0, not the int -1 or -np.True_)
defvjp("builtins.max", lambda g, ans, x, y: g * _float(x >= y), lambda g, ans, x, y: g * _float(x < y))
defvjp("builtins.min", lambda g, ans, x, y: g * _float(x <= y), lambda g, ans, x, y: g * _float(x > y))
defnondiff("builtins.len", "builtins.range", "builtins.int", "builtins.bool", "builtins.round",
           "builtins.isinstance", "builtins.print", "builtins.enumerate", "builtins.zip")

# ---------------------------------------------------------------- checks made by generated code
defnondiff("s2s.runtime.require_scalar", "s2s.runtime.require_bound", "s2s.runtime.require_immutable",
           "s2s.runtime.require_number")

# ---------------------------------------------------------------- structure
defvjp("getitem", lambda g, ans, x, *index: rt.getitem_adjoint(g, x, *index))
defnondiff("slice")

# ---------------------------------------------------------------- containers: element i of [a, b, ...] gets part i of the list adjoint
defvjp("list", *(lambda g, ans, *xs, i=i: g[i] for i in range(256)))
defvjp("tuple", *(lambda g, ans, *xs, i=i: g[i] for i in range(256)))
