"""Round 8, numerics hunt (hunt8numeric): derivatives that overflowed or cancelled where the true one is finite,
each checked against an analytic value or central differences, in every mode that applies."""
import math
import warnings

import numpy as np
import pytest

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
