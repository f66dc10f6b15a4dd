"""Pieces of elementwise derivatives that need care at kinks and zeros: powers, abs's slope, ratios and logs taken as 0."""
from __future__ import annotations

import math

import numpy as np

from s2s.errors import S2SError

__all__ = ["power_slope", "power_slope_dy", "abs_slope", "abs_adjoint", "abs_adjoint_derivative", "abs_curvature",
           "tie_share", "ratio_or_zero", "ratio_derivative", "log_or_zero", "polygamma", "divide", "where",
           "logaddexp_share", "logaddexp2_share", "imag_adjoint"]


def power_slope(x, y, k=1):
    """The k-th derivative of `x ** y` with respect to x, y * (y - 1) * ... * (y - k + 1) * x ** (y - k),
    for an exponent y known only at run time: 0 where the coefficient is 0 (x ** n for an integer n < k
    has a zero k-th derivative), also at x = 0 where the formula reads 0 * 0 ** -1."""
    coefficient = 1.0
    for j in range(k):
        coefficient = coefficient * (y - j)
    if np.ndim(x) == 0 and np.ndim(y) == 0:
        if coefficient == 0:
            return 0.0
        return coefficient * x ** (y - k)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = coefficient * np.power(np.asarray(x, dtype=float), y - k)
    return np.where(np.equal(coefficient, 0), 0.0, slope)


def power_slope_dy(x, y, k=1, m=1):
    """d^m/dy^m of power_slope(x, y, k) = c(y) * x ** (y - k), c(y) = y (y - 1) ... (y - k + 1): the sum over i of
    binomial(m, i) c^(i)(y) log(x) ** (m - i) x ** (y - k) (a mixed derivative of x ** y, k times in x and m in y),
    with log(0) read as 0 as in log_or_zero. Its derivative in x is power_slope_dy(x, y, k + 1, m), in y
    power_slope_dy(x, y, k, m + 1)."""
    coefficients = np.poly(np.arange(k)) if k else np.ones(1)  # c(y), highest power first
    with np.errstate(divide="ignore", invalid="ignore"):
        power = np.power(np.asarray(x, dtype=float), np.asarray(y, dtype=float) - k)
        log = log_or_zero(x)
        out = sum(math.comb(m, i) * np.polyval(np.polyder(coefficients, i), y) * log ** (m - i)
                  for i in range(m + 1)) * power
    return float(out) if np.ndim(out) == 0 else out


def abs_slope(x):
    """The derivative of `abs(x)`: -1 where x < 0, 1 where x > 0, and 0 at 0, the midpoint of the one-sided
    derivatives (PyTorch's convention, np.sign's; JAX takes 1), as a tie of np.maximum takes half each: then
    symmetric compositions of kinked pieces, softplus written `np.maximum(0.0, z) + np.log1p(np.exp(-np.abs(z)))`,
    have their exact derivative at the kink (docs/limitations.md, Kinks). nan stays nan, ints stay ints. 0 for a
    bool: a comparison's result that reached abs through `and`/`or` (`abs(y > 1 or z)`) carries no derivative."""
    if type(x) is float:
        return -1.0 if x < 0.0 else 1.0 if x > 0.0 else 0.0 if x == 0.0 else x
    if type(x) is int:
        return -1 if x < 0 else 1 if x > 0 else 0
    if isinstance(x, (bool, np.bool_)) or getattr(x, "dtype", None) == np.bool_:
        return np.zeros(np.shape(x)) if np.ndim(x) else 0.0
    return np.sign(x)


def abs_adjoint(g, x):
    """The adjoint of `abs(x)`, `g * abs_slope(x)`: g with x's sign, 0 at 0. One call that sees both the adjoint g
    flowing into abs and x, so that a second derivative through it knows whether g moves where x is 0 (its rules:
    s2s/rules/elementwise.py; abs_adjoint_derivative)."""
    return g * abs_slope(x)


def abs_adjoint_derivative(g, x, dx=0.0):
    """A derivative of `abs_adjoint(., x)` in its adjoint, met by a second derivative through abs: the tangent dg of
    the adjoint (forward mode, x moving by dx) or a cotangent (reverse mode), times abs' (x). Exact where x is not
    0; at 0 it is refused where g or dx is not 0: the adjoint into abs that moves there (abs(u) ** 2's, 2 |u|, moves
    with u, though abs' (0) = 0 makes its tangent read 0) needs abs' (0) ** 2 = 1. Where it does not move (a
    constant lam in np.sum(np.abs(w)) * lam) this derivative is never taken, and the second derivative is exact."""
    if np.any(_at_kink(x, g)) or np.any(_at_kink(x, dx)):
        raise _kink_error("where the derivative of the function with respect to abs's result moves (a constant one, "
                          "lam in lam * np.sum(np.abs(w)), has its second derivative)")
    return g * abs_slope(x)


def abs_curvature(x, d=None):
    """The derivative of `abs_slope(x)` (times the tangent d of x, where given), met by a second derivative of a
    tangent through abs (forward mode twice; the first derivative of a tangent program): 0 where x is not 0. At 0
    (where d, given, is not 0: x at 0 but moving) it is refused, as in abs_adjoint_derivative; reverse mode, which
    does not know d, refuses at every 0."""
    shape = np.shape(x) if d is None else np.broadcast_shapes(np.shape(x), np.shape(d))
    if np.any(_at_kink(x, 1.0 if d is None else d)):
        raise _kink_error("through the tangent of abs where its argument moves")
    return np.zeros(shape) if shape else 0.0


def _at_kink(x, moving):
    """Where x (a float argument of abs) is 0 and `moving` is not."""
    if isinstance(x, (bool, np.bool_)) or getattr(x, "dtype", None) == np.bool_ or np.iscomplexobj(x):
        return False
    if type(x) is float and type(moving) is float:
        return x == 0.0 and moving != 0.0
    return np.equal(x, 0) & np.not_equal(moving, 0)


def _kink_error(where: str) -> S2SError:
    return S2SError(f"abs (np.abs, math.fabs): a second derivative at 0, the kink of abs, {where}, is not computed by "
                    "s2s: it depends there on the function's own curvature (2 for abs(u) ** 2, 0.25 for softplus "
                    "written with abs), which the rule does not see (the first derivative there is the midpoint, 0); "
                    "take it where the argument of abs is not 0, or write the function without abs: u ** 2 for "
                    "abs(u) ** 2, np.logaddexp(0.0, z) for np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))")


_NUMBERS = (float, np.float64, int)


def tie_share(x, ans, *operands):
    """The share of the derivative of `max(*operands)` (or min) that goes to its operand x: 1/k where x is one of
    the k operands equal to the result `ans` (the midpoint convention at a tie), 0 where it is not, or where none
    is (a NaN result). A float, as 1.0 * a test."""
    if type(ans) in _NUMBERS and type(x) in _NUMBERS:  # (a loop of numbers, max(r0, r1, r2) per cell of a DP)
        if not x == ans:
            return 0.0
        count = 0
        for o in operands:
            if type(o) not in _NUMBERS:
                break
            count += o == ans
        else:
            return 1.0 / count
    count = sum(1.0 * (o == ans) for o in operands)
    return 1.0 * (x == ans) / count if count else 0.0 * count


def ratio_or_zero(x, y):
    """`x / y`, and 0 where y is 0: the derivative of hypot (x / hypot(x, y)) at the origin, a kink where s2s
    takes 0 (docs/limitations.md, Kinks) rather than divide by zero. Its own derivative is ratio_derivative's,
    refused there."""
    if np.ndim(x) == 0 and np.ndim(y) == 0:
        return 0.0 if y == 0 else x / y
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.equal(y, 0), 0.0, np.divide(x, np.where(np.equal(y, 0), 1.0, y)))


def ratio_derivative(x, y):
    """`x / y` in a derivative of `ratio_or_zero(., y)` (a second derivative through hypot, the 2-norm, np.std or
    math.dist), refused where y is 0 (refuse_at_root)."""
    refuse_at_root(y)
    return x / y


def refuse_at_root(y):
    """Refuse a second derivative where the root y (hypot, a norm, np.std, statistics.stdev, math.dist) is 0.
    There the first derivative was taken as 0 (ratio_or_zero); the second does not exist for the function itself
    (a norm at 0 is a cone) and for a smooth function of it depends on that function's curvature (2 I for
    np.linalg.norm(w) ** 2, whose outer derivative 2 |w| moves with w), which the rule does not see: 0 would be a
    wrong number."""
    if np.any(np.equal(y, 0)):
        raise S2SError("hypot, np.linalg.norm, np.std, statistics.stdev, math.dist: a second derivative at the kink "
                       "(hypot or a norm of zeros, np.std or statistics.stdev of equal entries, math.dist of equal "
                       "points) is not computed by s2s: the first derivative there is taken as 0, the second "
                       "does not exist for the function itself "
                       "and depends on the function's own curvature around it (2 I for np.linalg.norm(w) ** 2), "
                       "which the rule does not see; take it at another point, or write a smooth function without "
                       "the square root: w @ w for np.linalg.norm(w) ** 2, a * a + b * b for np.hypot(a, b) ** 2, "
                       "np.var(x) for np.std(x) ** 2, statistics.variance(x) for statistics.stdev(x) ** 2, "
                       "np.sum((p - q) ** 2) for math.dist(p, q) ** 2; where the "
                       "argument is 0 all around the point (np.linalg.norm(r) of r = np.maximum(q, 0.0) where q < 0, "
                       "inside a signed distance function's box), take the root only where it is not 0: "
                       "np.linalg.norm(r) if np.any(r) else 0.0, whose derivatives are exact on both sides")


def divide(x, y):
    """`x / y` as NumPy divides floats: inf or nan where y is 0 (with NumPy's RuntimeWarning), where Python's `/` of
    two numbers raises ZeroDivisionError. The derivatives that are infinite at a point where their function is
    defined (math.sqrt at 0, x ** 0.5 at 0, math.asin at 1) divide by it, as JAX's and NumPy's do."""
    try:
        return x / y
    except ZeroDivisionError:
        return float(np.divide(np.float64(x), y))


def where(condition, x, y):
    """`np.where(condition, x, y)`, and `x if condition else y` where none is an array (np.where makes a 0-d array
    of numbers, where a number's derivative is a float). The derivative of a function that skips NaN (np.fmax,
    np.nan_to_num) is `where(mask, g, 0.0)`: g where it takes the operand, 0.0 elsewhere, so that a nan or inf
    of g where it does not never reaches the result as 0 * nan."""
    if type(condition) is not np.ndarray and type(x) is not np.ndarray and type(y) is not np.ndarray:
        return x if condition else y
    return np.where(condition, x, y)


def logaddexp_share(x, y, ans):
    """x's share exp(x - ans) of ans = np.logaddexp(x, y), the derivative of ans in x (it and y's sum to 1). Where
    ans is infinite (an operand +inf, or both -inf) the formula reads inf - inf; there the share is its limit, as
    max's: 1 where x > y, 0 where x < y (an operand at +inf takes all of the derivative; at -inf it adds nothing),
    and 1/2 where x and y are the same infinity, the limit along x = y and the midpoint s2s takes at ties of max
    (JAX and PyTorch give nan at logaddexp(-inf, -inf) and at +inf: a nan, multiplied by a 0 adjoint, poisons a
    log-space sum of probabilities that are 0, as in an HMM's or CTC's forward recursion)."""
    return _exp_share(np.exp, x, y, ans)


def logaddexp2_share(x, y, ans):
    """x's share 2 ** (x - ans) of ans = np.logaddexp2(x, y), with logaddexp_share's limits where ans is infinite."""
    return _exp_share(np.exp2, x, y, ans)


def _exp_share(exp, x, y, ans):
    if np.ndim(ans) == 0 and np.isfinite(ans) or np.all(np.isfinite(ans)):
        return exp(x - ans)
    with np.errstate(invalid="ignore"):
        share = np.where(np.isinf(ans), 1.0 * np.greater(x, y) + 0.5 * np.equal(x, y), exp(x - ans))
    return share if np.ndim(share) else share[()]


def log_or_zero(x):
    """`log(x)` in d(x ** y)/dy = x ** y * log(x), with 0 where x is 0: 0 ** y is 0 for every y > 0, a
    constant, where the formula would read 0 * log(0) (nan)."""
    if np.ndim(x) == 0:
        return 0.0 if x == 0 else np.log(x)
    with np.errstate(divide="ignore"):
        return np.where(np.equal(x, 0), 0.0, np.log(np.where(np.equal(x, 0), 1.0, x)))


# B_2, B_4, ..., B_16: the Bernoulli numbers of the asymptotic series of the polygamma functions
_BERNOULLI = (1.0 / 6.0, -1.0 / 30.0, 1.0 / 42.0, -1.0 / 30.0, 5.0 / 66.0, -691.0 / 2730.0, 7.0 / 6.0, -3617.0 / 510.0)


def polygamma(n, x):
    """The n-th derivative of the digamma function, psi^(n)(x), of a number x other than 0 and the negative integers:
    psi = d lgamma(x)/dx is the derivative of math.lgamma, gamma(x) psi(x) that of math.gamma. x is moved past 20 by
    the recurrence psi^(n)(x) = psi^(n)(x + 1) - (-1)^n n! / x^(n + 1), then the asymptotic series is summed
    (Abramowitz and Stegun 6.3.18 and 6.4.11), exact to rounding."""
    x = float(x)
    sign = -1.0 if n % 2 else 1.0  # (-1)^n
    factorial = math.factorial(n)
    shift = 0.0
    while x < 20.0:
        shift -= sign * factorial / x ** (n + 1)
        x += 1.0
    if n == 0:
        series, power = math.log(x) - 0.5 / x, x * x
        for k, b in enumerate(_BERNOULLI, 1):
            series -= b / (2 * k * power)
            power *= x * x
    else:
        series = math.factorial(n - 1) / x ** n + factorial / (2.0 * x ** (n + 1))
        for k, b in enumerate(_BERNOULLI, 1):
            series += b * math.factorial(2 * k + n - 1) / (math.factorial(2 * k) * x ** (2 * k + n))
        series *= -sign  # (-1)^(n + 1)
    return series + shift


def imag_adjoint(g, x):
    """The adjoint of `np.imag(x)` (x.imag) for a real x, whose imaginary part is 0 whatever x is: zeros of g's
    shape. A complex x (data the function is not differentiated with respect to, multiplied in) is refused: the
    derivative through it is complex, which s2s does not compute (docs/limitations.md, Complex numbers)."""
    if np.iscomplexobj(x):
        raise S2SError("np.imag (.imag) of a complex value in a derivative: s2s differentiates real functions, and "
                       "its rules are written for real numbers: pass the real and imaginary parts as two real "
                       "arguments")
    return np.zeros(np.shape(g)) if np.ndim(g) else 0.0
