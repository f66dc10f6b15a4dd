"""Derivatives at kinks and ties: the midpoint of the one-sided derivatives (hunt5prob items 2 and 4).

A tie of two-argument max/min (np.maximum, np.minimum, np.fmax, np.fmin, builtin max/min, np.clip at a bound)
gives each tied operand an equal share; abs' (0) is 0 (np.abs, np.absolute, np.fabs, abs, math.fabs). The
conventions before (a tie went to the first operand, abs' (0) was 1) were conventions, not errors, but they did not
compose: smooth functions written with kinked pieces, the stable softplus, log-sigmoid and BCE-with-logits that
logistic regression meets at w = 0 (every logit exactly 0), got wrong derivatives exactly at the kink. Every
expected value here is analytic: the derivative of the smooth function the program computes, or at a bare kink
the midpoint of its one-sided derivatives.
"""
import math

import numpy as np
import pytest

import s2s

X = np.array([[1.0, 2.0], [-0.5, 1.0], [2.0, -1.0]])
Y = np.array([1.0, 0.0, 1.0])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def check_first_order(f, args, wrt, expected):
    """grad, vjp, jvp, jacobian in both modes (the forward one is vector mode) against `expected`, one gradient per
    wrt entry, of a scalar f."""
    expected = tuple(np.asarray(e, dtype=float) for e in expected)
    for got in (s2s.grad(f, wrt=wrt)(*args), s2s.vjp(f, wrt=wrt)(*args)[1](1.0),
                s2s.jacobian(f, wrt=wrt)(*args), s2s.jacobian(f, wrt=wrt, mode="forward")(*args)):
        got = got if isinstance(got, tuple) else (got,)
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-12, atol=1e-15)
    tangents = tuple(np.arange(1.0, np.size(e) + 1.0).reshape(np.shape(e)) * (k + 1.5)
                     for k, e in enumerate(expected))
    tangents = tuple(float(t) if np.ndim(t) == 0 else t for t in tangents)
    value, tangent = s2s.jvp(f, wrt=wrt)(args, tangents)
    assert value == pytest.approx(f(*args))
    assert tangent == pytest.approx(sum(np.sum(e * t) for e, t in zip(expected, tangents)), abs=1e-14)


# ---------------------------------------------------------------- the table of the report: smooth functions
def bce_loss(w):  # stable BCE with logits, relu written np.maximum(0, z)
    z = X @ w
    return np.sum(np.maximum(0, z) - z * Y + np.log1p(np.exp(-np.abs(z))))


def bce_loss_tf(w):  # the same, as TensorFlow writes it: max(z, 0)
    z = X @ w
    return np.sum(np.maximum(z, 0.0) - z * Y + np.log1p(np.exp(-np.abs(z))))


def log_sigmoid(x):
    return np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))


def softplus_zero_first(x):
    return np.maximum(0.0, x) + np.log1p(np.exp(-np.abs(x)))


def softplus_x_first(x):
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def logaddexp_by_hand(a, b):
    return np.maximum(a, b) + np.log1p(np.exp(-np.abs(b - a)))


def min_times_max(a, b):  # == a * b
    return np.minimum(a, b) * np.maximum(a, b)


def positive_minus_negative_part(x):  # == x
    return np.maximum(x, 0.0) - np.maximum(-x, 0.0)


def test_bce_with_logits_at_zero_weights():
    w = np.zeros(2)
    expected = X.T @ (sigmoid(X @ w) - Y)  # [-1.75, 0]
    check_first_order(bce_loss, (w,), (0,), (expected,))
    check_first_order(bce_loss_tf, (w,), (0,), (expected,))
    w1 = np.array([0.3, -0.2])  # and off the kink
    check_first_order(bce_loss, (w1,), (0,), (X.T @ (sigmoid(X @ w1) - Y),))


def softplus_sum(x):
    return np.sum(softplus_zero_first(x)) + np.sum(softplus_x_first(x))


def logaddexp_by_hand_sum(a, b):
    return np.sum(logaddexp_by_hand(a, b))


def test_log_sigmoid_and_softplus_at_zero():
    check_first_order(log_sigmoid, (0.0,), (0,), (1.0 - sigmoid(0.0),))  # 0.5
    for softplus in (softplus_zero_first, softplus_x_first):
        check_first_order(softplus, (0.0,), (0,), (sigmoid(0.0),))  # 0.5
    check_first_order(softplus_sum, (np.zeros(3),), (0,), (np.full(3, 1.0),))


def test_logaddexp_by_hand_at_equal_arguments():
    a = 0.3
    check_first_order(logaddexp_by_hand, (a, a), (0, 1), (sigmoid(a - a), sigmoid(a - a)))  # (0.5, 0.5)
    v = np.array([0.3, -1.0, 2.0])
    check_first_order(logaddexp_by_hand_sum, (v, v.copy()), (0, 1), (np.full(3, 0.5), np.full(3, 0.5)))


def test_min_times_max_and_parts_at_a_tie():
    check_first_order(min_times_max, (2.0, 2.0), (0, 1), (2.0, 2.0))  # d(ab) = (b, a)
    check_first_order(positive_minus_negative_part, (0.0,), (0,), (1.0,))


# ---------------------------------------------------------------- each function's tie, in every mode
def np_maximum(x, y):
    return np.maximum(x, y) * 3.0


def np_minimum(x, y):
    return np.minimum(x, y) * 3.0


def np_fmax(x, y):
    return np.sum(np.fmax(x, y) * 3.0)


def np_fmin(x, y):
    return np.sum(np.fmin(x, y) * 3.0)


def builtin_max(x, y):
    return max(x, y) * 3.0


def builtin_min(x, y):
    return min(x, y) * 3.0


def builtin_max3(x, y, z):
    return max(x, y, z) * 3.0


def builtin_min3(x, y, z):
    return min(x, y, z) * 3.0


@pytest.mark.parametrize("f", [np_maximum, np_minimum, builtin_max, builtin_min])
def test_two_argument_extrema_split_a_tie_evenly(f):
    check_first_order(f, (0.7, 0.7), (0, 1), (1.5, 1.5))
    check_first_order(f, (-1.0, -1.0), (0, 1), (1.5, 1.5))
    bigger = f in (np_maximum, builtin_max)
    check_first_order(f, (0.7, 0.2), (0, 1), (3.0, 0.0) if bigger else (0.0, 3.0))  # off the tie: as before
    check_first_order(f, (0.7,) * 2, (0,), (1.5,))  # a tie with an inactive operand
    check_first_order(f, (0.0, 0.0), (1,), (1.5,))


def test_numpy_extrema_of_arrays_split_ties_elementwise():
    x, y = np.array([1.0, 2.0, 0.5, 3.0]), np.array([1.0, 1.0, 0.5, 4.0])
    for f, bigger in ((lambda a, b: np.sum(np.maximum(a, b) * 3.0), True),
                      (lambda a, b: np.sum(np.minimum(a, b) * 3.0), False)):
        wins = np.array([1.0, 1.0, 0.5, 0.0]) if bigger else np.array([0.0, 0.0, 0.5, 1.0])
        check_first_order(f, (x, y), (0, 1), (np.where(x == y, 1.5, 3.0 * wins),
                                              np.where(x == y, 1.5, 3.0 * (1.0 - wins))))
    # a broadcast constant operand: np.maximum(x, 0.0), the relu
    relu = np.array([-1.0, 0.0, 2.0])
    check_first_order(lambda a: np.sum(np.maximum(a, 0.0)), (relu,), (0,), ([0.0, 0.5, 1.0],))
    check_first_order(lambda a: np.sum(np.maximum(0.0, a)), (relu,), (0,), ([0.0, 0.5, 1.0],))


@pytest.mark.parametrize("f", [np_fmax, np_fmin])
def test_fmax_and_fmin_split_a_tie_and_skip_nan(f):
    x = np.array([1.0, 2.0, np.nan, 0.0, 0.5])
    y = np.array([1.0, 1.0, 3.0, np.nan, -0.5])
    takes_x = np.array([0.5, 1.0, 0.0, 1.0, 1.0]) if f is np_fmax else np.array([0.5, 0.0, 0.0, 1.0, 0.0])
    takes_y = np.array([0.5, 0.0, 1.0, 0.0, 0.0]) if f is np_fmax else np.array([0.5, 1.0, 1.0, 0.0, 1.0])
    expected = (3.0 * takes_x, 3.0 * takes_y)
    check_first_order(f, (x, y), (0, 1), expected)


@pytest.mark.parametrize("f", [builtin_max3, builtin_min3])
def test_builtin_extrema_of_more_operands_split_evenly_among_the_tied(f):
    check_first_order(f, (0.5, 0.5, 0.5), (0, 1, 2), (1.0, 1.0, 1.0))
    extreme = 2.0 if f is builtin_max3 else -2.0
    check_first_order(f, (extreme, 0.5, extreme), (0, 1, 2), (1.5, 0.0, 1.5))
    check_first_order(f, (0.5, extreme, 0.25), (0, 1, 2), (0.0, 3.0, 0.0))
    check_first_order(f, (0.5, 0.5, 0.5), (1,), (1.0,))


def builtin_max9(x, y):  # (was folded into pairwise max: a three-way tie gave 1/4, 1/4, 1/2)
    return max(1.0, x, 2.0, 3.0, 4.0, 5.0, 6.0, y, 7.0) * 3.0


def test_builtin_max_of_nine_operands():
    check_first_order(builtin_max9, (7.0, 7.0), (0, 1), (1.0, 1.0))
    check_first_order(builtin_max9, (8.0, 7.5), (0, 1), (3.0, 0.0))


def clip_scalar(x):
    return np.clip(x, -0.5, 0.5) * 3.0


def clip_bounds(x, lo, hi):
    return np.sum(np.clip(x, lo, hi) * 3.0)


def clip_method(x):
    return np.sum(x.clip(0.0) * 3.0)


def clip_keywords(x, hi):
    return np.sum(np.clip(x, a_min=None, a_max=hi) * 3.0)


def test_clip_at_a_bound_splits_between_x_and_the_bound():
    check_first_order(clip_scalar, (-0.5,), (0,), (1.5,))
    check_first_order(clip_scalar, (0.5,), (0,), (1.5,))
    check_first_order(clip_scalar, (0.2,), (0,), (3.0,))
    x = np.array([-0.5, 0.0, 0.5, 1.0, -1.0])
    # x at lo, inside, at hi, above, below: x's shares, lo's, hi's (np.clip is np.minimum(np.maximum(x, lo), hi))
    check_first_order(clip_bounds, (x, -0.5, 0.5), (0, 1, 2),
                      (3.0 * np.array([0.5, 1.0, 0.5, 0.0, 0.0]), 3.0 * (0.5 + 1.0), 3.0 * (0.5 + 1.0)))
    check_first_order(clip_method, (np.array([-1.0, 0.0, 2.0]),), (0,), ([0.0, 1.5, 3.0],))
    check_first_order(clip_keywords, (np.array([-1.0, 0.25, 2.0]), 0.25), (0, 1), ([3.0, 1.5, 0.0], 1.5 + 3.0))
    # lo == hi == x: the composition's shares, x and lo a quarter each, hi a half
    check_first_order(clip_bounds, (np.array([0.5]), 0.5, 0.5), (0, 1, 2), ([0.75], 0.75, 1.5))


def np_abs(x):
    return np.sum(np.abs(x) * 3.0)


def np_absolute(x):
    return np.sum(np.absolute(x) * 3.0)


def np_fabs(x):
    return np.sum(np.fabs(x) * 3.0)


def builtin_abs(x):
    return abs(x) * 3.0


def math_fabs(x):
    return math.fabs(x) * 3.0


@pytest.mark.parametrize("f", [np_abs, np_absolute, np_fabs])
def test_numpy_abs_is_flat_at_zero(f):
    x = np.array([0.0, -0.0, -2.0, 1.5])
    check_first_order(f, (x,), (0,), ([0.0, 0.0, -3.0, 3.0],))


@pytest.mark.parametrize("f", [builtin_abs, math_fabs, lambda x: np.abs(x) * 3.0])
def test_abs_of_a_number_is_flat_at_zero(f):
    check_first_order(f, (0.0,), (0,), (0.0,))
    check_first_order(f, (-0.0,), (0,), (0.0,))
    check_first_order(f, (-2.0,), (0,), (-3.0,))


def test_copysign_at_zero_takes_the_midpoint():
    check_first_order(lambda x: np.sum(np.copysign(x, -1.0)), (np.array([0.0, 2.0]),), (0,), ([0.0, -1.0],))
    check_first_order(lambda x: math.copysign(x, 1.0), (0.0,), (0,), (0.0,))


# ---------------------------------------------------------------- second order
def x_times_relu(x):  # x ** 2 right of 0, 0 left of it: second derivatives 2 and 0, the midpoint 1 at 0
    return x * np.maximum(x, 0.0)


def test_second_derivatives_take_the_tie_shares_as_constants():
    """The shares are comparisons: their derivative is 0, so a second derivative at a tie is the shares times the
    curvature of what follows (here the midpoint of the one-sided second derivatives)."""
    assert s2s.hessian(x_times_relu)(0.0) == pytest.approx(1.0)
    assert s2s.grad(s2s.grad(x_times_relu))(0.0) == pytest.approx(1.0)
    assert s2s.jvp(s2s.grad(x_times_relu))((0.0,), (1.0,))[1] == pytest.approx(1.0)
    assert s2s.hessian(x_times_relu)(0.5) == pytest.approx(2.0)
    assert s2s.hessian(lambda x: np.sum(np.maximum(x, 0.0) * 3.0))(np.zeros(2)) == pytest.approx(np.zeros((2, 2)))
    np.testing.assert_allclose(s2s.hessian(lambda x: np.sum(np.clip(x, 0.0, 1.0) * x))(np.array([0.0, 1.0])),
                               np.diag([1.0, 1.0]))  # midpoints of (2, 0) and (0, 2)


def softplus_hessian_point(z):
    return np.sum(np.maximum(0.0, z) + np.log1p(np.exp(-np.abs(z))))


def test_second_derivatives_through_abs_at_zero_are_refused_at_the_users_line():
    """Exact second derivatives of a smooth function of abs(x) at 0 would need abs' (0) ** 2 = 1 (abs(x) ** 2 has
    2), the first derivatives abs' (0) = 0: refused there, located; exact elsewhere (softplus'' = s (1 - s))."""
    for second in (s2s.hessian(softplus_hessian_point), s2s.jacobian(s2s.grad(softplus_hessian_point)),
                   s2s.jacobian(s2s.grad(softplus_hessian_point), mode="forward")):
        with pytest.raises(s2s.S2SError, match="the kink of abs") as info:
            second(np.array([0.0, 1.0]))
        assert f"test_hunt5_ties.py:{softplus_hessian_point.__code__.co_firstlineno + 1}" in str(info.value)
        assert "np.logaddexp(0.0, z)" in str(info.value)
    z = np.array([0.3, -1.0])
    np.testing.assert_allclose(s2s.hessian(softplus_hessian_point)(z), np.diag(sigmoid(z) * (1.0 - sigmoid(z))))
    with pytest.raises(s2s.S2SError, match="the kink of abs"):
        s2s.grad(s2s.grad(lambda x: math.fabs(x) ** 2))(0.0)
    assert s2s.grad(s2s.grad(lambda x: math.fabs(x) ** 2))(-0.5) == pytest.approx(2.0)


def abs_of_a_clamped_value(a, x):
    # fuzz seed 1301245 (level 1): max(a, x - x) is 0 near a = -1.33, so is abs of it: a Hessian of 0, where abs's
    # argument is 0 but does not move
    a = max(a, x - x)
    return abs(a)


def test_a_second_derivative_where_abs_sits_at_zero_without_moving():
    """The adjoint flowing into abs is the constant 1: nothing crosses the kink, and the Hessian is 0 by every
    route (reverse over reverse refused it at every 0 before 'the adjoint into abs moves' was the refusal)."""
    assert s2s.hessian(abs_of_a_clamped_value)(-1.3295, 0.8944) == 0.0
    assert s2s.jacobian(s2s.grad(abs_of_a_clamped_value), mode="forward")(-1.3295, 0.8944) == 0.0
    assert s2s.hessian(abs_of_a_clamped_value)(1.5, 0.8944) == 0.0
    assert s2s.grad(s2s.grad(abs_of_a_clamped_value))(-1.3295, 0.8944) == 0.0


# ---------------------------------------------------------------- second order: where abs's adjoint does not move
# The adjoint of |u| is g * abs' (u), g the adjoint flowing into abs's result; its derivative dg * abs' (u) +
# g * abs'' (u) du. The second term is 0 (abs'' is a Dirac at 0, ignored as everywhere); the first is wrong at u = 0
# only where g moves. An L1 penalty's g is the constant lam: its Hessian at exact zeros is the a.e. one, as in
# PyTorch and JAX (and as in s2s before abs' (0) became 0).
LAM = 0.3
W0 = np.array([0.0, -1.5, 0.0, 2.0])


def l1_penalised(w):
    return np.sum(np.abs(w)) * LAM + np.sum(w ** 2)


def l1_penalised_lam(w, lam):  # lam an argument, not differentiated
    return lam * np.sum(np.fabs(w)) + np.sum(w ** 2)


def l1_of_a_number(x):
    return abs(x) * LAM + x ** 2 + math.fabs(x) * 2.0 + np.absolute(x) * 0.5


@pytest.mark.parametrize("w", [np.zeros(3), W0, W0 + 0.25])
def test_the_hessian_of_an_l1_penalty_at_zeros_is_the_almost_everywhere_one(w):
    expected = 2.0 * np.eye(np.size(w))  # d2/dw2 (lam |w| + w^2) = 2 away from 0, and its limit at 0
    for second in (s2s.hessian(l1_penalised), s2s.jacobian(s2s.grad(l1_penalised)),
                   s2s.jacobian(s2s.grad(l1_penalised), mode="forward")):
        np.testing.assert_array_equal(second(w), expected)
    for second in (s2s.hessian(l1_penalised_lam, wrt=0), s2s.jacobian(s2s.grad(l1_penalised_lam, wrt=0), wrt=0),
                   s2s.jacobian(s2s.grad(l1_penalised_lam, wrt=0), wrt=0, mode="forward")):
        np.testing.assert_array_equal(second(w, LAM), expected)
    d = np.arange(1.0, np.size(w) + 1.0)
    np.testing.assert_array_equal(s2s.jvp(s2s.grad(l1_penalised))((w,), (d,))[1], 2.0 * d)
    np.testing.assert_allclose(s2s.grad(l1_penalised)(w), LAM * np.sign(w) + 2.0 * w)  # (first order: unchanged)


@pytest.mark.parametrize("x", [0.0, -0.0, 0.7, -1.2])
def test_the_second_derivative_of_an_l1_penalty_of_a_number(x):
    for second in (s2s.grad(s2s.grad(l1_of_a_number)), s2s.hessian(l1_of_a_number),
                   s2s.jacobian(s2s.grad(l1_of_a_number), mode="forward")):
        assert second(x) == 2.0
    assert s2s.jvp(s2s.grad(l1_of_a_number))((x,), (1.5,))[1] == 3.0


def abs_squared(u):
    return np.sum(np.abs(u) ** 2)


def smooth_through_abs_710989(u):
    # fuzz seed 710989 (level 1): sqrt(1 + abs(2u) ** 2) is sqrt(1 + 4 u ** 2), smooth at u = 0, second derivative 4
    return math.sqrt(1.0 + abs(2.0 * u) ** 2)


def every_second_derivative(f):
    return (s2s.hessian(f), s2s.jacobian(s2s.grad(f)), s2s.jacobian(s2s.grad(f), mode="forward"), s2s.grad(s2s.grad(f)))


@pytest.mark.parametrize("f, x, line", [(abs_squared, W0, 1), (smooth_through_abs_710989, 0.0, 2),
                                        (softplus_hessian_point, W0, 1)])
def test_where_the_adjoint_into_abs_moves_at_zero_it_is_still_refused(f, x, line):
    """The adjoint into abs depends on |u| (2 |u| for abs(u) ** 2): where abs's argument is 0 the second derivative
    needs abs' (0) ** 2 = 1, and the adjoint's own tangent reads 0 there (abs' (0) = 0 in it): refused at the
    user's line by every route (grad(grad(f)) of a number only)."""
    routes = every_second_derivative(f) if np.ndim(x) == 0 else every_second_derivative(f)[:3]
    for second in routes:
        with pytest.raises(s2s.S2SError, match="the kink of abs") as info:
            second(x)
        assert f"test_hunt5_ties.py:{f.__code__.co_firstlineno + line}" in str(info.value)


def test_away_from_zero_the_second_derivatives_through_abs_are_the_analytic_ones():
    u = np.array([0.5, -1.0, 2.0])
    for second in every_second_derivative(abs_squared)[:3]:
        np.testing.assert_allclose(second(u), 2.0 * np.eye(3))
    for second in every_second_derivative(smooth_through_abs_710989):
        assert second(-0.3) == pytest.approx(4.0 / (1.0 + 4.0 * 0.09) ** 1.5)
    for second in every_second_derivative(softplus_hessian_point)[:3]:
        np.testing.assert_allclose(second(u), np.diag(sigmoid(u) * (1.0 - sigmoid(u))))


def sum_abs_times_sum_squares(w):  # the adjoint into abs is sum(w ** 2), a number standing for w's shape, moving
    return np.sum(np.abs(w)) * np.sum(w ** 2)


def test_a_moving_adjoint_into_abs_of_another_shape():
    w = np.array([0.5, -1.0, 2.0])
    s = np.sign(w)
    expected = np.outer(s, 2.0 * w) + np.outer(2.0 * w, s) + 2.0 * np.sum(np.abs(w)) * np.eye(3)
    for second in every_second_derivative(sum_abs_times_sum_squares)[:3]:
        np.testing.assert_allclose(second(w), expected)
    for second in every_second_derivative(sum_abs_times_sum_squares)[:3]:
        with pytest.raises(s2s.S2SError, match="the kink of abs"):
            second(np.array([0.5, 0.0, 2.0]))


def scaled_abs(w, u):
    return w ** 2 * abs(u)


def test_where_abs_sits_at_zero_and_its_adjoint_moves_with_another_variable():
    """w ** 2 |u| at u = 0: its gradient in w, 2 w |u|, is flat there, but its gradient in u, w ** 2 abs' (u),
    jumps from -w ** 2 to w ** 2: the mixed second derivative, taken through the moving adjoint w ** 2, is refused;
    the one in w alone is 2 |u| = 0."""
    assert s2s.hessian(scaled_abs)(1.5, 0.0) == 0.0
    with pytest.raises(s2s.S2SError, match="the kink of abs"):
        s2s.grad(s2s.grad(scaled_abs, wrt=1), wrt=0)(1.5, 0.0)
    with pytest.raises(s2s.S2SError, match="the kink of abs"):
        s2s.hessian(scaled_abs, wrt=(0, 1))(1.5, 0.0)
    assert s2s.grad(s2s.grad(scaled_abs, wrt=1), wrt=0)(1.5, -0.5) == pytest.approx(-3.0)  # 2 w abs' (u)


# ---------------------------------------------------------------- np.heaviside: a derivative in h0 where x == 0
XH = np.array([-0.4, 0.0, 0.5, 0.0])


def heaviside_of_h0(h0):
    return np.sum(np.heaviside(XH, h0))


def heaviside_of_both(x, h0):
    return np.sum(np.heaviside(x, h0) * 3.0)


def test_heaviside_in_h0_is_one_where_x_is_zero():
    check_first_order(heaviside_of_h0, (0.5,), (0,), (2.0,))
    check_first_order(heaviside_of_both, (XH, 0.5), (0, 1), (np.zeros(4), 6.0))
    check_first_order(heaviside_of_both, (XH, np.array([0.5, 1.0, 0.0, 0.25])), (1,), ([0.0, 3.0, 0.0, 3.0],))
    assert s2s.hessian(heaviside_of_h0)(0.5) == 0.0
