"""Elementwise primitives: operators, builtins, `math` and NumPy ufuncs, one line each.

`elementwise(key, *partials)` gives each argument's partial derivative as an
expression of (ans, *args); reverse mode multiplies it by the adjoint (and
sums back what broadcasting widened), forward mode by the tangent, vector
forward mode by the batched tangent. `scalar` is the same for functions of
Python numbers (nothing to broadcast). Products (`mul`) are bilinear and the
elementwise linear maps (`np.where`, `np.conj`) their own transposes.
"""
from __future__ import annotations

import inspect
import math as _math

from s2s import ir
from s2s.rules.primitive import SELF, Primitive, bilinear, define, elementwise, linear, nondiff, reading, refuse, \
    scalar
from s2s.rules.registry import REQUIRED
from s2s.rules.symbolic import emit, math, np, power_log, power_slope, quotient_slope, rt

LN2, LN10 = _math.log(2.0), _math.log(10.0)
DEG = _math.pi / 180.0  # d(radians)/d(degrees)
RAD = 180.0 / _math.pi  # d(degrees)/d(radians)


# ---------------------------------------------------------------- kinks: the midpoint of the one-sided derivatives
# At a tie of max(a, b) (min) each operand takes half the derivative, as in PyTorch's and JAX's maximum; abs' (0)
# is 0 (rt.abs_slope), as in PyTorch. Symmetric compositions of kinked pieces then come out exact at the kink:
# softplus np.maximum(0.0, z) + np.log1p(np.exp(-np.abs(z))) has 0.5 at z = 0 in either order of max's operands,
# np.minimum(a, b) * np.maximum(a, b) has (b, a) at a = b (docs/limitations.md, Kinks). The shares are made of
# comparisons, which carry no derivative: their own derivative (a second derivative) is 0.
def _over(a, b, elementwise: bool = False):
    """The share of max(a, b)'s derivative that goes to a: 1 where a > b, 0.5 at a tie, 0 where a < b (a float:
    the adjoint of 2.0 - max(x, y) is -1.0, not the int -1 or -np.True_); `elementwise` for NumPy's (`_compared`)."""
    return _compared("gt", a, b, elementwise) + 0.5 * _compared("eq", a, b, elementwise)


def _under(a, b, elementwise: bool = False):
    """The share of min(a, b)'s derivative that goes to a: 1 where a < b, 0.5 at a tie, 0 where a > b."""
    return _compared("lt", a, b, elementwise) + 0.5 * _compared("eq", a, b, elementwise)


_COMPARISONS = {"gt": np.greater, "lt": np.less, "eq": np.equal}


def _compared(op: str, a, b, elementwise: bool = True):
    """`a > b` (op gt, lt, eq): Python's operator, but for NumPy's elementwise functions between two operands,
    NumPy's comparison: two list arguments NumPy reads as arrays compare as lists in Python, lexicographically, to
    one bool (a list against a number raises, which the call explains: api/arguments.py)."""
    if elementwise and not any(isinstance(v, (int, float)) for v in (a, b)):
        return _COMPARISONS[op](a, b)
    return emit(op, a, b)


def _extremum_share(i: int, share):
    """The partial of builtin max (share `_over`) or min (`_under`) in operand i: with two operands its share
    against the other, with more 1/k where it is one of k operands equal to the result (rt.tie_share)."""
    def partial(ans, *xs):
        return share(xs[i], xs[1 - i]) if len(xs) == 2 else rt.tie_share(xs[i], ans, *xs)
    return partial


# abs' (0) is 0, the midpoint. The adjoint of abs(x) is one call, rt.abs_adjoint(g, x) = g * abs' (x), seeing the
# adjoint g flowing into abs and x: its derivative is dg * abs' (x) + g * abs'' (x) dx. The second term is 0 but at
# x == 0 (a Dirac, ignored as everywhere). The first is exact but at x == 0 where g moves: there an adjoint that
# depends on |x| (abs(u) ** 2's 2 |u|) needs abs' (0) ** 2 = 1, and even its tangent reads 0 (abs' (0) = 0 in it):
# rt.abs_adjoint_derivative refuses where x is 0 and g's tangent or cotangent is not, or x moves (dx: forward mode,
# where g has a tangent at all). Where g is constant (np.sum(np.abs(w)) * lam) no derivative in g is taken: the
# second derivative is the a.e. one (docs/limitations.md, Kinks).
def _absolute(key: str, **options) -> Primitive:
    """abs: derivative rt.abs_slope(x); its adjoint rt.abs_adjoint(g, x)."""
    return define(key, [lambda g, ans, x: rt.abs_adjoint(g, x)], [lambda d, ans, x: rt.abs_slope(x) * d],
                  kind="elementwise", **options)


def _abs_adjoint_tangent(batched: bool):
    """The tangent of rt.abs_adjoint(g, x) (and of rt.abs_adjoint_derivative(g, x, dx)): dg * abs' (x), x's tangent
    dx only checked; none where g has none. (Vector mode: the batch of a number g standing for x's shape widened.)"""
    def tangent(tangents, ans, g, x, *checked):
        dg, dx = tangents[0], tangents[1] if len(tangents) > 1 else None
        if dg is None:
            return 0.0
        dg = rt.batch_align(dg, ans) if batched else dg
        return rt.abs_adjoint_derivative(dg, x) if dx is None else rt.abs_adjoint_derivative(dg, x, dx)
    return tangent


for _key in ("s2s.runtime.abs_adjoint", "s2s.runtime.abs_adjoint_derivative"):
    define(_key, [lambda G, ans, g, x, *checked: rt.abs_adjoint_derivative(G, x), None, None],
           tangent_fn=_abs_adjoint_tangent(False), batched_fn=_abs_adjoint_tangent(True), broadcast=True,
           batched=[lambda d, ans, g, x, *checked: _abs_adjoint_tangent(True)((d,), ans, g, x), None, None],
           rank_of_argument=1)
# abs' (x) itself, in abs's tangent rt.abs_slope(x) * dx differentiated again (forward mode twice, reverse over
# forward): refused at 0 where x moves (forward mode: |max(a, 0)| at a < 0 is flat), at every 0 in reverse mode
define("s2s.runtime.abs_slope", [lambda g, ans, x: g * rt.abs_curvature(x)],
       [lambda d, ans, x: rt.abs_curvature(x, d)], broadcast=True, batched=[lambda d, ans, x: rt.abs_curvature(x, d)])


class Unless:
    """A mask partial of `masked` that is 1 where `mask` does not hold (np.fmax's y where x is not chosen)."""
    def __init__(self, mask):
        self.mask = mask


class Tie:
    """A mask partial of `masked` that is 1 where `mask` holds, 0.5 where `tie` does (np.fmax's x at x == y)."""
    def __init__(self, mask, tie):
        self.mask, self.tie = mask, tie


def _passed(mask, v):
    """v where the 0/1 partial `mask` is 1, else 0.0 (half of v at a `Tie`): rt.where (np.where, a number for
    numbers), not v * mask, whose 0 * nan is nan."""
    if isinstance(mask, Tie):
        return rt.where(mask.tie, 0.5 * v, _passed(mask.mask, v))
    return rt.where(mask.mask, 0.0, v) if isinstance(mask, Unless) else rt.where(mask, v, 0.0)


def _through(mask, first: str):
    """The adjoint (first 'g') or tangent ('d') of a mask partial `mask(ans, *args, **kwargs)`, taking the keyword
    arguments the mask takes (an operand passed by keyword, np.nan_to_num(z, nan=v), takes its derivative)."""
    def rule(v, ans, *args, **kwargs):
        return _passed(mask(ans, *args, **kwargs), v)
    rule.__signature__ = inspect.Signature([inspect.Parameter(first, inspect.Parameter.POSITIONAL_OR_KEYWORD)] +
                                           list(inspect.signature(mask).parameters.values()))
    return rule


def masked(key: str, *masks) -> Primitive:
    """An elementwise function that passes argument i through where `masks[i](ans, *args, **kwargs)` holds (an
    `Unless(mask)`: where it does not) and is constant in it elsewhere (None: no derivative), as `elementwise`
    with those 0/1 partials, but written `rt.where(mask, g, 0.0)`: the function skips a NaN (np.fmax(x, nan) is
    x, np.nan_to_num(nan) is 0.0), and so does its derivative, where `g * mask` would give 0 * nan = nan (JAX's
    select does the same)."""
    return define(key, [None if m is None else _through(m, "g") for m in masks],
                  [None if m is None else _through(m, "d") for m in masks], broadcast=True, kind="elementwise")


def _power_slope(ans, x, y, power=None):
    """d(x ** y)/dx; for a constant 0 < y < 1, y / x ** (1 - y): infinite at x = 0, where x ** y is 0 (Python's
    0.0 ** (y - 1) raises ZeroDivisionError; NumPy and JAX give inf). `power`: as symbolic.power_slope's."""
    if isinstance(y, float) and 0.0 < y < 1.0:
        return rt.divide(y, x ** (1.0 - y) if power is None else power(x, 1.0 - y))
    return power_slope(ans, x, y, power)


def _over_square(v, h, divide=lambda a, b: a / b):
    """v / h ** 2 as (v / h) / h: arctan2's partials x / (x ** 2 + y ** 2) with h = hypot(x, y), whose square under-
    or overflows for tiny or huge x and y (1e-170: 0, and a ZeroDivisionError for numbers) where the partial does
    not. `divide` for math's: rt.divide (nan at the origin, as NumPy's; Python's / raises there)."""
    return divide(divide(v, h), h)


# ---------------------------------------------------------------- arithmetic operators
elementwise("add", lambda ans, x, y: 1.0, lambda ans, x, y: 1.0)
elementwise("sub", lambda ans, x, y: 1.0, lambda ans, x, y: -1.0)
bilinear("mul", lambda g, ans, x, y: g * y, lambda g, ans, x, y: g * x, elementwise=True, elementwise_product=True)
elementwise("truediv", lambda ans, x, y: 1.0 / y, quotient_slope)
elementwise("pow", lambda ans, x, y: _power_slope(ans, x, y), lambda ans, x, y: power_log(ans, x, np.log))
elementwise("mod", lambda ans, x, y: 1.0, lambda ans, x, y: -(x // y))
elementwise("neg", lambda ans, x: -1.0, broadcast=False, pointwise=True)
elementwise("pos", lambda ans, x: 1.0, broadcast=False, pointwise=True)

# ---------------------------------------------------------------- builtins
_absolute("builtins.abs", pointwise=True)
scalar("builtins.float", lambda ans, x: 1.0)
EXTREMUM_ARGUMENTS = 32  # the operands of max(a, b, ...) and min(...) with a rule (a call with more is refused)
scalar("builtins.max", *(_extremum_share(i, _over) for i in range(EXTREMUM_ARGUMENTS)), tangent_broadcast=True,
       pointwise=False)
scalar("builtins.min", *(_extremum_share(i, _under) for i in range(EXTREMUM_ARGUMENTS)), tangent_broadcast=True,
       pointwise=False)

# ---------------------------------------------------------------- math: exponentials and logarithms
HYPOT_ARGUMENTS = 8  # math.hypot's coordinates with a rule (a call with more is refused)

scalar("math.exp", lambda ans, x: ans)
scalar("math.expm1", lambda ans, x: ans + 1.0)
scalar("math.log", lambda ans, x, base=None: 1.0 / x if base is None else 1.0 / (x * math.log(base)),
       lambda ans, x, base: -ans / (base * math.log(base)))
scalar("math.log2", lambda ans, x: 1.0 / (x * LN2))
scalar("math.log10", lambda ans, x: 1.0 / (x * LN10))
scalar("math.log1p", lambda ans, x: 1.0 / (1.0 + x))
scalar("math.sqrt", lambda ans, x: rt.divide(0.5, ans))  # (inf at 0, as np.sqrt's)
scalar("math.pow", lambda ans, x, y: _power_slope(ans, x, y), lambda ans, x, y: power_log(ans, x, math.log))

# ---------------------------------------------------------------- math: trigonometric and hyperbolic
scalar("math.sin", lambda ans, x: math.cos(x))
scalar("math.cos", lambda ans, x: -math.sin(x))
scalar("math.tan", lambda ans, x: 1.0 + ans ** 2)
scalar("math.asin", lambda ans, x: rt.divide(1.0, math.sqrt(1.0 - x * x)))  # (inf at 1, as np.arcsin's)
scalar("math.acos", lambda ans, x: -rt.divide(1.0, math.sqrt(1.0 - x * x)))
scalar("math.atan", lambda ans, x: 1.0 / (1.0 + x * x))
scalar("math.atan2", lambda ans, y, x: _over_square(x, math.hypot(x, y), rt.divide),  # (nan at the origin, as
       lambda ans, y, x: -_over_square(y, math.hypot(x, y), rt.divide))  # np.arctan2's)
# math.hypot(*coordinates) (any number of them since Python 3.8): d/dx_i = x_i / ans, 0 at the origin
scalar("math.hypot", *(lambda ans, *xs, i=i: rt.ratio_or_zero(xs[i], ans) for i in range(HYPOT_ARGUMENTS)))
scalar("math.sinh", lambda ans, x: math.cosh(x))
scalar("math.cosh", lambda ans, x: math.sinh(x))
scalar("math.tanh", lambda ans, x: 1.0 - ans ** 2)
_absolute("math.fabs", pointwise=True)
scalar("math.asinh", lambda ans, x: 1.0 / math.sqrt(x * x + 1.0))
scalar("math.acosh", lambda ans, x: rt.divide(1.0, math.sqrt(x * x - 1.0)))
scalar("math.atanh", lambda ans, x: 1.0 / (1.0 - x * x))
scalar("math.degrees", lambda ans, x: RAD)
scalar("math.radians", lambda ans, x: DEG)

# ---------------------------------------------------------------- math: more exponentials, roots and the gamma function
if hasattr(_math, "exp2"):  # (Python >= 3.11)
    scalar("math.exp2", lambda ans, x: ans * LN2)
    scalar("math.cbrt", lambda ans, x: rt.divide(1.0, 3.0 * ans ** 2))
scalar("math.lgamma", lambda ans, x: rt.polygamma(0, x))  # psi(x), the digamma function
scalar("math.gamma", lambda ans, x: ans * rt.polygamma(0, x))
scalar("s2s.runtime.polygamma", None, lambda ans, n, x: rt.polygamma(n + 1, x))
# x - n y for the integer n the remainder takes (truncated for fmod, rounded for remainder): n = (x - ans) / y,
# rounded, since the difference is n y to rounding
scalar("math.fmod", lambda ans, x, y: 1.0, lambda ans, x, y: -np.rint((x - ans) / y))
scalar("math.remainder", lambda ans, x, y: 1.0, lambda ans, x, y: -np.rint((x - ans) / y))
scalar("math.ldexp", lambda ans, x, i: math.ldexp(1.0, i), None)  # x * 2 ** i
# math.modf(x) = (fractional part, integral part): slopes 1 and 0; math.frexp(x) = (mantissa, exponent), x = mantissa
# * 2 ** exponent: the mantissa's slope is 2 ** -exponent
define("math.modf", [lambda g, ans, x: g[0]], [lambda d, ans, x: emit("tuple", d, 0.0)])
define("math.frexp", [lambda g, ans, x: g[0] * math.ldexp(1.0, -ans[1])],
       [lambda d, ans, x: emit("tuple", d * math.ldexp(1.0, -ans[1]), 0.0)])

# ---------------------------------------------------------------- numpy: arithmetic
elementwise("numpy.add", lambda ans, x, y: 1.0, lambda ans, x, y: 1.0)
elementwise("numpy.subtract", lambda ans, x, y: 1.0, lambda ans, x, y: -1.0)
bilinear("numpy.multiply", lambda g, ans, x, y: g * y, lambda g, ans, x, y: g * x, elementwise=True, tangent_op="mul",
         elementwise_product=True)
elementwise("numpy.divide", lambda ans, x, y: 1.0 / y, lambda ans, x, y: -ans / y)
elementwise("numpy.true_divide", lambda ans, x, y: 1.0 / y, lambda ans, x, y: -ans / y)
elementwise("numpy.negative", lambda ans, x: -1.0)
elementwise("numpy.positive", lambda ans, x: 1.0)
elementwise("numpy.power", lambda ans, x, y: _power_slope(ans, x, y, np.power),
            lambda ans, x, y: power_log(ans, x, np.log))
elementwise("numpy.float_power", lambda ans, x, y: y * np.float_power(x, y - 1), lambda ans, x, y: ans * np.log(x))
elementwise("numpy.square", lambda ans, x: 2.0 * x)
elementwise("numpy.reciprocal", lambda ans, x: quotient_slope(ans, 1.0, x))  # -ans * ans, as 1.0 / x's
_absolute("numpy.abs", broadcast=True)
_absolute("numpy.absolute", broadcast=True)
_absolute("numpy.fabs", broadcast=True)
elementwise("numpy.float64", lambda ans, x: 1.0, broadcast=False, tangent_broadcast=True)
elementwise("numpy.copysign", lambda ans, x, y: rt.abs_slope(x) * np.copysign(1.0, ans), None)  # |x| times y's sign
scalar("math.copysign", lambda ans, x, y: rt.abs_slope(x) * math.copysign(1.0, ans), None)  # y's sign is a step
elementwise("numpy.mod", lambda ans, x, y: 1.0, lambda ans, x, y: -np.floor_divide(x, y))
elementwise("numpy.remainder", lambda ans, x, y: 1.0, lambda ans, x, y: -np.floor_divide(x, y))
elementwise("numpy.fmod", lambda ans, x, y: 1.0, lambda ans, x, y: -np.trunc(x / y))
# x where it is finite, else the replacement (nan, posinf, neginf; copy=False changes a float array x in place)
masked("numpy.nan_to_num", lambda ans, x, copy=True, nan=0.0, posinf=None, neginf=None: np.isfinite(x), None,
       lambda ans, x, copy=True, nan=0.0, posinf=None, neginf=None: np.isnan(x),
       lambda ans, x, copy=True, nan=0.0, posinf=None, neginf=None: np.isposinf(x),
       lambda ans, x, copy=True, nan=0.0, posinf=None, neginf=None: np.isneginf(x))
linear("numpy.conjugate", SELF, elementwise=True)
linear("numpy.conj", SELF, elementwise=True)
linear("numpy.real", SELF, elementwise=True)
# np.imag(x) (x.imag) of a real x is 0: its adjoint rt.imag_adjoint(g, x) the zeros, which carry no derivative (a
# complex x is refused there, as every derivative through complex numbers is); its tangent np.imag(dx)
linear("numpy.imag", lambda g, ans, x: rt.imag_adjoint(g, x), tangent=lambda d, ans, x: np.imag(d), elementwise=True)
nondiff("s2s.runtime.imag_adjoint")

# ---------------------------------------------------------------- numpy: exponentials, logarithms, roots
elementwise("numpy.exp", lambda ans, x: ans)
elementwise("numpy.exp2", lambda ans, x: ans * LN2)
elementwise("numpy.expm1", lambda ans, x: ans + 1.0)
elementwise("numpy.log", lambda ans, x: 1.0 / x)
elementwise("numpy.log2", lambda ans, x: 1.0 / (x * LN2))
elementwise("numpy.log10", lambda ans, x: 1.0 / (x * LN10))
elementwise("numpy.log1p", lambda ans, x: 1.0 / (1.0 + x))
# log(exp(x) + exp(y)): each operand's share exp(x - ans), its limit where ans is infinite (rt.logaddexp_share: 1/2
# each where x and y are the same infinity, not JAX's nan); the share's own derivative is b * share in x and
# -b * share in ans (b = ln 2 for logaddexp2), so the second derivative in x is b * share * (1 - share), 0 at +-inf
elementwise("numpy.logaddexp", lambda ans, x, y: rt.logaddexp_share(x, y, ans),
            lambda ans, x, y: rt.logaddexp_share(y, x, ans))
elementwise("numpy.logaddexp2", lambda ans, x, y: rt.logaddexp2_share(x, y, ans),
            lambda ans, x, y: rt.logaddexp2_share(y, x, ans))
elementwise("s2s.runtime.logaddexp_share", lambda share, x, y, ans: share, None, lambda share, x, y, ans: -share)
elementwise("s2s.runtime.logaddexp2_share", lambda share, x, y, ans: LN2 * share, None,
            lambda share, x, y, ans: -LN2 * share)
elementwise("numpy.sqrt", lambda ans, x: 1.0 / (2.0 * ans))
elementwise("numpy.cbrt", lambda ans, x: 1.0 / (3.0 * ans ** 2))

# ---------------------------------------------------------------- numpy: trigonometric, hyperbolic, angles
elementwise("numpy.sin", lambda ans, x: np.cos(x))
elementwise("numpy.cos", lambda ans, x: -np.sin(x))
elementwise("numpy.tan", lambda ans, x: 1.0 + ans ** 2)
elementwise("numpy.arcsin", lambda ans, x: 1.0 / np.sqrt(1.0 - x * x))
elementwise("numpy.arccos", lambda ans, x: -1.0 / np.sqrt(1.0 - x * x))
elementwise("numpy.arctan", lambda ans, x: 1.0 / (1.0 + x * x))
elementwise("numpy.arctan2", lambda ans, y, x: _over_square(x, np.hypot(x, y)),
            lambda ans, y, x: -_over_square(y, np.hypot(x, y)))
elementwise("numpy.hypot", lambda ans, x, y: rt.ratio_or_zero(x, ans), lambda ans, x, y: rt.ratio_or_zero(y, ans))
elementwise("numpy.sinh", lambda ans, x: np.cosh(x))
elementwise("numpy.cosh", lambda ans, x: np.sinh(x))
elementwise("numpy.tanh", lambda ans, x: 1.0 - ans ** 2)
elementwise("numpy.arcsinh", lambda ans, x: 1.0 / np.sqrt(x * x + 1.0))
elementwise("numpy.arccosh", lambda ans, x: 1.0 / np.sqrt(x * x - 1.0))
elementwise("numpy.arctanh", lambda ans, x: 1.0 / (1.0 - x * x))
elementwise("numpy.sinc", lambda ans, x: rt.sinc_derivative(x))
elementwise("numpy.deg2rad", lambda ans, x: DEG)
elementwise("numpy.radians", lambda ans, x: DEG)
elementwise("numpy.rad2deg", lambda ans, x: RAD)
elementwise("numpy.degrees", lambda ans, x: RAD)

# ---------------------------------------------------------------- numpy: selection
elementwise("numpy.maximum", lambda ans, x, y: _over(x, y, True), lambda ans, x, y: _over(y, x, True))
elementwise("numpy.minimum", lambda ans, x, y: _under(x, y, True), lambda ans, x, y: _under(y, x, True))


def _takes_x(test, y):
    """Where np.fmax / np.fmin returns x alone: where `test` (x > y, x < y) holds or y is NaN; for a constant y,
    the test alone (or everywhere, for a constant NaN)."""
    if isinstance(y, (int, float)) and not isinstance(y, bool):
        return test if y == y else True
    return np.logical_or(test, np.isnan(y))


# np.fmax(x, y) is x where x > y or y is NaN, y where y > x or x is NaN: the derivative goes to the one chosen, half to
# each at a tie (x == y, neither NaN)
masked("numpy.fmax", lambda ans, x, y: Tie(_takes_x(_compared("gt", x, y), y), _compared("eq", x, y)),
       lambda ans, x, y: Tie(_takes_x(_compared("gt", y, x), x), _compared("eq", x, y)))
masked("numpy.fmin", lambda ans, x, y: Tie(_takes_x(_compared("lt", x, y), y), _compared("eq", x, y)),
       lambda ans, x, y: Tie(_takes_x(_compared("lt", y, x), x), _compared("eq", x, y)))
# np.heaviside(x, h0): 0 left of 0, 1 right of it, h0 at 0: a step in x (no derivative), h0 itself where x == 0
elementwise("numpy.heaviside", None, lambda ans, x, h0: np.equal(x, 0.0))  # (a list x == 0.0: False)
linear("numpy.where", None, SELF, SELF, elementwise=True)
linear("s2s.runtime.where", None, SELF, SELF, elementwise=True)  # (np.where, a number for numbers: masked's rules)


# NumPy's clip is np.minimum(np.maximum(x, lo), hi), and its derivatives are that composition's: at a bound x and the
# bound take half each; where the bounds cross, lo > hi, it returns hi everywhere; at lo == hi == x, x and lo a
# quarter, hi a half. A bound of None does not clip.
def _inside(x, lo, hi):
    """x's share: x above lo (half at lo) times x below hi (half at hi)."""
    return _under(x, hi, True) if lo is None else _over(x, lo, True) if hi is None else \
        _over(x, lo, True) * _under(x, hi, True)


def _below(x, lo, hi):
    """lo's share: lo above x (half at x) times lo below hi (half at hi: lo == hi)."""
    return _over(lo, x, True) if hi is None else _over(lo, x, True) * _under(lo, hi, True)


def _above(x, lo, hi):
    """hi's share: hi below x raised to lo (half at a tie)."""
    return _under(hi, x, True) if lo is None else _under(hi, np.maximum(x, lo), True)


# np.clip(a, a_min, a_max), its bounds also by keyword: a_min=, a_max=, and NumPy >= 2.1's min=, max=; x.clip(lo)
elementwise("numpy.clip",
            lambda ans, x, a_min=None, a_max=None, min=None, max=None:
            _inside(x, a_min if min is None else min, a_max if max is None else max),
            lambda ans, x, a_min=None, a_max=None, min=None, max=None: _below(x, a_min, a_max if max is None else max),
            lambda ans, x, a_min=None, a_max=None, min=None, max=None: _above(x, a_min if min is None else min, a_max),
            lambda ans, x, a_min=None, a_max=None, min=None, max=None: _below(x, min, a_max if max is None else max),
            lambda ans, x, a_min=None, a_max=None, min=None, max=None: _above(x, a_min if min is None else min, max)
            ).facts["parameters"] = (("a", REQUIRED), ("a_min", None), ("a_max", None))  # (a_min=: a tangent's place)
# x.clip(min, max), spelled so in generated code: its bounds are min and max, one may be left out (x.clip(0.0))
elementwise("numpy.ndarray.clip", lambda ans, x, min=None, max=None: _inside(x, min, max),
            lambda ans, x, min=None, max=None: _below(x, min, max),
            lambda ans, x, min=None, max=None: _above(x, min, max)
            ).facts["parameters"] = (("self", REQUIRED), ("min", None), ("max", None))

# ---------------------------------------------------------------- math: the error function
TWO_OVER_SQRT_PI = 2.0 / _math.sqrt(_math.pi)  # d erf(x)/dx = 2 / sqrt(pi) * exp(-x ** 2)

scalar("math.erf", lambda ans, x: TWO_OVER_SQRT_PI * math.exp(-(x * x)))
scalar("math.erfc", lambda ans, x: -TWO_OVER_SQRT_PI * math.exp(-(x * x)))

# ---------------------------------------------------------------- rt.divide: x / y, inf or nan where y is 0
scalar("s2s.runtime.divide", lambda ans, x, y: rt.divide(1.0, y), lambda ans, x, y: -rt.divide(ans, y))


# ---------------------------------------------------------------- builtins read as operators
def _modular_pow(*args, **kwargs):
    refuse("builtins.pow", "pow(x, y, mod) is modular exponentiation (of integers): it has no derivative",
           "Compute it from values that carry no derivative, or write pow(x, y) % mod if a float "
           "remainder is meant.")


# pow(x, y) is x ** y (its rules, its spelling in generated code); pow(x, y, mod) is refused where differentiated
reading("builtins.pow", lambda materialise, x, y, mod=None:
        ir.Call("pow", (x, y)) if mod is None or isinstance(mod, ir.Const) and mod.value is None else
        ir.Call("builtins.pow", (x, y, mod)),
        _modular_pow, parameters=(("base", REQUIRED), ("exp", REQUIRED), ("mod", None)))
def _divmod(quotient: str, remainder: str):
    """divmod(x, y) is (x // y, x % y): the quotient carries no derivative, the remainder has the rule of %.
    The tuple is built as the front end builds one written out (its `sequence`), so that `q, r = divmod(x, y)`
    and `divmod(x, y)[1]` find the parts again instead of indexing a tuple at run time."""
    def lowered(materialise, x, y):
        parts = tuple(materialise(ir.Call(op, (x, y))) for op in (quotient, remainder))
        sequence = getattr(getattr(materialise, "__self__", None), "sequence", None)
        return sequence("tuple", parts) if sequence is not None else ir.Call("tuple", parts)
    return lowered


reading("builtins.divmod", _divmod("floordiv", "mod"))
# np.divmod(x, y): np.floor_divide and np.remainder (NumPy's types for numbers), spelled as rules spell calls
reading("numpy.divmod", _divmod(f"{np._prefix}.floor_divide", f"{np._prefix}.remainder"))


# ---------------------------------------------------------------- numpy: the parts of a float
elementwise("numpy.ldexp", lambda ans, x, n: np.exp2(n), None)  # x * 2 ** n
# np.modf(x) = (fractional part, integral part): slopes 1 and 0
define("numpy.modf", [lambda g, ans, x: g[0]], [lambda d, ans, x: emit("tuple", d, rt.zeros_like(ans[1]))])
# np.frexp(x) = (mantissa, exponent), x = mantissa * 2 ** exponent: the mantissa's slope is 2 ** -exponent
define("numpy.frexp", [lambda g, ans, x: g[0] * np.exp2(-ans[1])],
       [lambda d, ans, x: emit("tuple", np.exp2(-ans[1]) * d, rt.zeros_like(ans[1]))])
