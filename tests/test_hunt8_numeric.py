"""Round 8, numerics hunt (hunt8numeric): derivatives that overflowed or cancelled where the true one is finite,
each checked against an analytic value or central differences, in every mode that applies."""
import math
import warnings

import numpy as np
import pytest
import scipy.special

import s2s
from conftest import assert_close, numeric_grad


def _second_derivatives(f, x):
    """f''(x) of a scalar function by every second-order route: the Hessian (forward over reverse), the forward and
    reverse Jacobians of the gradient, the gradient of the gradient (numbers only) and the jvp of the gradient."""
    out = {"hessian": s2s.hessian(f)(x), "jacobian(grad) forward": s2s.jacobian(s2s.grad(f), mode="forward")(x),
           "jacobian(grad)": s2s.jacobian(s2s.grad(f))(x)}
    if np.ndim(x) == 0:
        out["grad(grad)"] = s2s.grad(s2s.grad(f))(x)
        out["jvp(grad)"] = s2s.jvp(s2s.grad(f))((x,), (1.0,))[1]
    return out


# ---------------------------------------------------------------- the tangent of 1 / u does not square the quotient

def log_of_tiny(x):
    return np.log(x * 1e-200)


def mixture_loglik(x):
    return np.sum(np.log(0.3 * np.exp(-0.5 * x ** 2) + 0.7 * np.exp(-0.5 * (x - 1.0) ** 2)))


def naive_logsig(x):
    return np.sum(np.log(1.0 / (1.0 + np.exp(-x))))


def inverse_square(x):
    return np.sum(np.log(1.0 / (x * x)))


def log_reciprocal(x):
    return np.log(np.reciprocal(np.exp(x)))


def log_one_over(x):
    return np.log(1.0 / np.exp(x))


def log_power_minus_one(x):
    return np.log(np.exp(x) ** -1.0)


def log_int_power_minus_one(x):
    return np.log(np.exp(x) ** -1)


def log_np_power_minus_one(x):
    return np.log(np.power(np.exp(x), -1.0))


def log_power_minus_two(x):
    return np.log(x ** -2.0)


def test_second_derivative_of_log_of_a_tiny_quantity():
    for route, value in _second_derivatives(log_of_tiny, 2.0).items():
        assert_close(value, -0.25, what=route)


def test_mixture_hessian_far_in_the_tails():
    x = np.array([30.0, 1.0, -29.0])
    # far out one component is the whole density: log p = log c - (x - m) ** 2 / 2, second derivative -1
    expected = np.array([-1.0, numeric_grad(lambda t: numeric_grad(mixture_loglik, (np.array([t]),), 0)[0],
                                            (1.0,), 0, 1e-4), -1.0])
    for route, h in _second_derivatives(mixture_loglik, x).items():
        assert_close(np.diag(h), expected, 1e-5, 1e-6, what=route)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x32 = np.array([10.0, 1.0, -9.5], np.float32)
        assert_close(np.diag(s2s.hessian(mixture_loglik)(x32)), [-1.0, expected[1], -1.0], 1e-3, 1e-3,
                     what="float32 hessian")


def test_float32_forward_modes_of_quotients():
    x = np.array([-60.0, -10.0, 0.0], np.float32)
    expected = 1.0 / (1.0 + np.exp(x.astype(float)))  # d log(sigmoid(x)) / dx = sigmoid(-x)
    assert_close(s2s.grad(naive_logsig)(x), expected, 1e-6, 1e-6, what="grad")
    assert_close(s2s.jacobian(naive_logsig, mode="forward")(x), expected, 1e-6, 1e-6, what="forward jacobian")
    curvature = -expected * (1.0 - expected)
    assert_close(np.diag(s2s.hessian(naive_logsig)(x)), curvature, 1e-4, 1e-6, what="hessian")
    y = np.array([1e-10, 1e10, 2.0], np.float32)
    assert_close(s2s.jacobian(inverse_square, mode="forward")(y), -2.0 / y.astype(float), 1e-6, 0.0,
                 what="forward jacobian of log(1 / (x * x))")


@pytest.mark.parametrize("f", [log_reciprocal, log_one_over, log_power_minus_one, log_int_power_minus_one,
                               log_np_power_minus_one])
def test_reciprocal_of_a_huge_number(f):
    # f(x) = -x: 1 / e ** 400 is 1.9e-174, its square underflowed to 0
    assert s2s.grad(f)(400.0) == pytest.approx(-1.0)
    assert s2s.jvp(f)((400.0,), (1.0,))[1] == pytest.approx(-1.0)
    assert s2s.value_and_grad(f)(400.0)[0] == pytest.approx(-400.0)
    for route, value in _second_derivatives(f, 400.0).items():
        assert abs(value) < 1e-9, route
    for route, value in _second_derivatives(f, 0.3).items():
        assert abs(value) < 1e-9, route


def test_negative_power_of_a_tiny_number():
    # log(x ** -2) = -2 log x: d/dx = -2 / x; x ** -3 (the textbook slope) overflows first
    x = 1e-110
    assert s2s.grad(log_power_minus_two)(x) == pytest.approx(-2e110)
    assert s2s.grad(log_power_minus_two)(0.5) == pytest.approx(-4.0)
    assert s2s.grad(s2s.grad(log_power_minus_two))(0.5) == pytest.approx(8.0)
    assert s2s.hessian(log_power_minus_two)(0.5) == pytest.approx(8.0)
    assert s2s.grad(lambda x: x ** -3.0)(-2.0) == pytest.approx(-3.0 / 16.0)
    assert s2s.grad(lambda x: x ** -2)(3.0) == pytest.approx(-2.0 / 27.0)
    xs = np.array([0.5, -2.0, 4.0])
    assert_close(s2s.grad(lambda x: np.sum(np.abs(x) ** -2.5))(xs), -2.5 * np.abs(xs) ** -3.5 * np.sign(xs),
                 what="abs ** -2.5")
    assert_close(s2s.jacobian(lambda x: np.power(x, -2.0), mode="forward")(xs), np.diag(-2.0 / xs ** 3),
                 what="forward jacobian of np.power(x, -2.0)")


# ---------------------------------------------------------------- second derivatives at the kink of a root: refused

def norm_squared(w):
    return np.linalg.norm(w) ** 2


def ridge(w):
    return np.sum((np.array([[1.0, 2.0], [3.0, 4.0]]) @ w - 1.0) ** 2) + 0.1 * np.linalg.norm(w) ** 2


def hypot_squared(w):
    return np.hypot(w[0], w[1]) ** 2


def hypots_squared(w):
    return np.sum(np.hypot(w, 2.0 * w) ** 2)


def math_hypot_squared(w):
    return math.hypot(w[0], w[1]) ** 2


def dist_squared(w):
    return math.dist([w[0], w[1]], [0.0, 0.0]) ** 2


def std_squared(w):
    return np.std(w) ** 2


def norm_scaled(w):
    return 3.0 * np.linalg.norm(w)


def row_norms_squared(w):
    return np.sum(np.linalg.norm(np.reshape(w, (2, 2)), axis=1) ** 2)


def two_norm_squared(w):
    return np.linalg.norm(w, 2) ** 2


def frobenius_squared(w):
    return np.linalg.norm(np.reshape(w, (2, 2)), "fro") ** 2


def three_norm_squared(w):
    return np.linalg.norm(w, 3) ** 2


def rbf(x, y):
    return np.exp(-np.linalg.norm(x - y) ** 2 / 2.0)


ROOTS = [norm_squared, ridge, hypot_squared, hypots_squared, math_hypot_squared, dist_squared, std_squared,
         norm_scaled, row_norms_squared, two_norm_squared, frobenius_squared, three_norm_squared]


@pytest.mark.parametrize("f", ROOTS)
def test_second_derivative_at_the_kink_of_a_root_is_refused(f):
    kink = np.ones(4) if f is std_squared else np.array([0.0, 0.0, 1.0, 2.0]) if f is row_norms_squared else \
        np.zeros(4) if f in (hypots_squared, frobenius_squared) else np.zeros(2)
    # the first derivative there is the convention (0 at the kink), and exact
    assert_close(s2s.grad(f)(kink), numeric_grad(f, (kink,), 0), 1e-5, 1e-5, what="grad")
    routes = [s2s.hessian(f), s2s.jacobian(s2s.grad(f), mode="forward"), s2s.jacobian(s2s.grad(f))]
    for route in routes:
        with pytest.raises(s2s.S2SError, match="a second derivative at the kink"):
            route(kink)
    away = np.array([0.3, -0.5, 0.7, 1.1])[:kink.size]
    expected = np.array([numeric_grad(lambda v: numeric_grad(f, (v,), 0, 1e-5)[i], (away,), 0, 1e-4)
                         for i in range(away.size)])
    for route in routes:
        assert_close(route(away), expected, 1e-4, 1e-5, what=f"{f.__name__} away from the kink")


def test_kink_refusals_of_numbers_and_pairs():
    with pytest.raises(s2s.S2SError, match="w @ w for np.linalg.norm"):
        s2s.grad(s2s.grad(lambda a, b: np.hypot(a, b) ** 2))(0.0, 0.0)
    with pytest.raises(s2s.S2SError, match="a second derivative at the kink"):
        s2s.grad(s2s.grad(lambda a: math.hypot(a, 0.0) ** 2))(0.0)
    x = np.array([0.5, -1.0])
    with pytest.raises(s2s.S2SError, match="a second derivative at the kink"):
        s2s.hessian(rbf)(x, x.copy())
    with pytest.raises(s2s.S2SError, match="a second derivative at the kink"):
        s2s.hessian(rbf, wrt=(0, 1))(x, x.copy())
    assert s2s.grad(s2s.grad(lambda a, b: np.hypot(a, b) ** 2))(0.3, -0.4) == pytest.approx(2.0)
    d = np.array([-0.1, 0.2])  # x - y: the Hessian in x of exp(-|d| ** 2 / 2) is k (d d^T - I)
    k = math.exp(-0.5 * d @ d)
    assert_close(s2s.hessian(rbf)(x, x - d), k * (np.outer(d, d) - np.eye(2)), what="rbf hessian off the diagonal")


# ---------------------------------------------------------------- np.sinc near 0: no cancellation

def sinc(x):
    return np.sinc(x)


def sinc_sum(x):
    return np.sum(np.sinc(x))


def _sinc_taylor(x, n):
    """The n-th derivative of sinc near 0 from its Taylor series, sum of (-1)^k (pi x)^2k / (2k + 1)!, to x^12."""
    return sum((-1) ** k * math.pi ** (2 * k) * x ** (2 * k - n) / ((2 * k + 1) * math.factorial(2 * k - n))
               for k in range((n + 1) // 2, 7))


@pytest.mark.parametrize("x", [1e-12, 1e-9, 1e-8, -1e-6, 1e-4, 3e-3])
def test_sinc_derivatives_near_zero(x):
    assert s2s.grad(sinc)(x) == pytest.approx(_sinc_taylor(x, 1), rel=1e-12)
    assert s2s.jvp(sinc)((x,), (1.0,))[1] == pytest.approx(_sinc_taylor(x, 1), rel=1e-12)
    for route, value in _second_derivatives(sinc, x).items():
        assert value == pytest.approx(_sinc_taylor(x, 2), rel=1e-12), route
    assert s2s.grad(s2s.grad(s2s.grad(sinc)))(x) == pytest.approx(_sinc_taylor(x, 3), rel=1e-10)
    xs = np.array([x, -2.0 * x, 0.0])
    assert_close(np.diag(s2s.hessian(sinc_sum)(xs)), [_sinc_taylor(v, 2) for v in xs], 1e-12, 0.0, what="hessian")


def test_sinc_derivatives_away_from_zero():
    xs = np.array([0.3, 0.32, -0.7, 1.5, 2.3])
    assert_close(s2s.grad(sinc_sum)(xs), numeric_grad(sinc_sum, (xs,), 0), 1e-7, 1e-9, what="grad")
    h = 1e-4
    second = (s2s.grad(sinc_sum)(xs + h) - s2s.grad(sinc_sum)(xs - h)) / (2 * h)
    assert_close(np.diag(s2s.hessian(sinc_sum)(xs)), second, 1e-6, 1e-8, what="hessian")
    for x in xs:
        third = (s2s.grad(s2s.grad(sinc))(x + h) - s2s.grad(s2s.grad(sinc))(x - h)) / (2 * h)
        assert s2s.grad(s2s.grad(s2s.grad(sinc)))(x) == pytest.approx(third, rel=1e-6)


# ---------------------------------------------------------------- rules on Python floats: NumPy's inf and nan, no crash

def arctan(x):
    return np.arctan(x)


def math_atan(x):
    return math.atan(x)


def arcsinh(x):
    return np.arcsinh(x)


def math_asinh(x):
    return math.asinh(x)


def arccosh(x):
    return np.arccosh(x)


def math_erf(x):
    return math.erf(x)


def erf(x):
    return scipy.special.erf(x)


def ndtr(x):
    return scipy.special.ndtr(x)


def log_ndtr(x):
    return scipy.special.log_ndtr(x)


def arctan2(y, x):
    return np.arctan2(y, x)


def math_atan2(y, x):
    return math.atan2(y, x)


def np_sqrt_power(x):
    return np.power(x, 0.5)


@pytest.mark.parametrize("f,x,slope", [(arctan, 1e200, 1e-400), (math_atan, -1e200, 0.0), (arcsinh, 1e200, 1e-200),
                                       (math_asinh, 1e200, 1e-200), (arccosh, 1e200, 1e-200), (math_erf, 1e160, 0.0),
                                       (erf, -1e160, 0.0), (ndtr, 1e160, 0.0), (log_ndtr, 1e160, 0.0)])
def test_squares_of_huge_numbers_do_not_raise(f, x, slope):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert s2s.grad(f)(x) == pytest.approx(slope, abs=1e-199)  # (1 / sqrt(x * x + 1) is 0 there: x * x is inf)
        assert s2s.jvp(f)((x,), (1.0,))[1] == pytest.approx(slope, abs=1e-199)
        assert abs(s2s.hessian(f)(x)) < 1e-300
        assert abs(s2s.grad(s2s.grad(f))(x)) < 1e-300
    at = 1.5 if f is arccosh else 0.5
    assert s2s.grad(f)(at) == pytest.approx(numeric_grad(f, (at,), 0), rel=1e-7)
    assert s2s.grad(s2s.grad(f))(at) == pytest.approx(numeric_grad(s2s.grad(f), (at,), 0), rel=1e-6)


@pytest.mark.parametrize("f", [arctan2, math_atan2])
def test_arctan2_at_tiny_huge_and_zero_points(f):
    for scale in (1e-170, 1e200, 1.0):
        y, x = 3.0 * scale, 4.0 * scale
        by, bx = s2s.grad(f, wrt=(0, 1))(y, x)
        assert by == pytest.approx(0.16 / scale) and bx == pytest.approx(-0.12 / scale)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert all(math.isnan(v) for v in s2s.grad(f, wrt=(0, 1))(0.0, 0.0))  # (no derivative at the origin: nan)
    # the Hessian of atan2(y, x): [[-2xy, y^2 - x^2], [y^2 - x^2, 2xy]] / r^4, at (3, 4) * 1e-100: r^4 = 625e-400
    h = s2s.hessian(lambda v: np.arctan2(v[0], v[1]))(np.array([3e-100, 4e-100]))
    assert_close(h * 1e-200, np.array([[-24.0, -7.0], [-7.0, 24.0]]) / 625.0, 1e-9, 0.0, what="hessian")


def test_arctan2_in_float32():
    by, bx = s2s.grad(arctan2, wrt=(0, 1))(np.float32(3e-23), np.float32(4e-23))
    assert by == pytest.approx(1.6e22, rel=1e-6) and bx == pytest.approx(-1.2e22, rel=1e-6)


def test_numpy_power_of_numbers_has_numpy_values():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert s2s.grad(np_sqrt_power)(0.0) == math.inf
        assert math.isnan(s2s.grad(np_sqrt_power)(-1.0))
        assert s2s.grad(np_sqrt_power)(4.0) == pytest.approx(0.25)
        assert s2s.grad(lambda x: np.power(x, 2.5))(-1.0) != s2s.grad(lambda x: np.power(x, 2.5))(-1.0)  # nan
    assert s2s.grad(lambda x: np.power(x, 2.5))(4.0) == pytest.approx(20.0)
