"""Regressions of NumPy rules found by a bug hunt (huntnp): each checked against finite differences or an
analytic value, in every mode it broke in; what cannot be exact is refused at the user's line."""
from __future__ import annotations

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian

W3 = np.arange(1.0, 4.0)


# ---------------------------------------------------------------- advanced indices separated by a slice

def split_index(x):
    return np.sum(x[0, :, [1, 1, 0]] ** 3 * W3[:, None])


def split_index_setitem(x):
    y = np.zeros((2, 3, 4))
    y[1, :, [2, 0]] = x[0, :, [1, 2]] ** 2
    return np.sum(y * np.arange(24.0).reshape(2, 3, 4))


def bool_index(x):
    return np.sum(x[True] ** 2) + np.sum(x[None, True, 0] * 3.0)


@pytest.mark.parametrize("f, shape", [(split_index, (1, 1, 3)), (split_index, (2, 2, 3)),
                                      (split_index_setitem, (1, 3, 3)), (bool_index, (2, 3))])
def test_advanced_indices_separated_by_a_slice(f, shape):
    x = np.linspace(-1.0, 1.5, int(np.prod(shape))).reshape(shape)
    check_every_mode(f, x)


def split_values(x):
    return x[0, :, [1, 1, 0]] * 2.0


def test_forward_jacobian_of_separated_advanced_indices():
    x = np.array([[[1.0, 2.0, 3.0]]])
    expected = np.zeros((3, 1, 1, 1, 3))
    for k, j in enumerate([1, 1, 0]):
        expected[k, 0, 0, 0, j] = 2.0
    assert_close(s2s.jacobian(split_values, mode="forward")(x), expected)
    assert_close(s2s.jacobian(split_values)(x), expected)


# ---------------------------------------------------------------- order='F' of ravel, reshape, flatten

R6 = np.arange(6.0)


def ravel_f(x):
    return np.sum(x.ravel(order='F') * R6 * x.ravel(order='F'))


def reshape_f(x):
    return np.sum(np.reshape(x, (3, 2), order='F')[:, 0] ** 3)


def reshape_f_positional(x):
    return np.sum(np.reshape(x, (3, 2), 'F') ** 2 * R6.reshape(3, 2))


def flatten_f(x):
    return np.sum(np.sin(x.flatten('F')) * R6)


def method_reshape_f(x):
    return np.sum(x.reshape(3, 2, order='F') ** 2 * R6.reshape(3, 2))


@pytest.mark.parametrize("f", [ravel_f, reshape_f, reshape_f_positional, flatten_f, method_reshape_f])
def test_fortran_order_reshapes(f):
    check_every_mode(f, np.linspace(-1.0, 1.2, 6).reshape(2, 3))


def test_fortran_order_gradient_is_not_c_order():
    x = np.arange(6.0).reshape(2, 3)
    assert_close(s2s.grad(lambda_free_ravel)(x), R6.reshape(3, 2).T)


def lambda_free_ravel(x):
    return np.sum(x.ravel(order='F') * R6)


def ravel_a(x):
    return np.sum(np.ravel(x, order='A') ** 2)


def test_memory_order_is_refused_at_the_line():
    with pytest.raises(s2s.S2SError, match="order='A'"):
        s2s.grad(ravel_a)(np.ones((2, 3)))


# ---------------------------------------------------------------- np.triu / np.tril of a vector (a matrix)

M9 = np.arange(9.0).reshape(3, 3)


def triu_vector(x):
    return np.sum(np.triu(x) * M9)


def tril_vector(x):
    return np.sum(np.tril(x, -1) ** 2 * M9)


def triu_matrix(x):
    return np.sum(np.triu(x, 1) ** 2 * M9)


@pytest.mark.parametrize("f, x", [(triu_vector, np.array([1.0, 2.0, 3.0])), (tril_vector, np.array([1.0, -2.0, 3.0])),
                                  (triu_matrix, np.linspace(-1.0, 1.0, 9).reshape(3, 3))])
def test_triangle_of_a_vector(f, x):
    gradient = check_every_mode(f, x)
    assert gradient.shape == x.shape


# ---------------------------------------------------------------- np.clip of a number; its keyword spellings

def clip_number(x):
    return np.clip(x, 0.0, 1.0) * x


@pytest.mark.parametrize("x", [0.6, np.float64(0.6), 1.5])
def test_clip_of_a_number_has_a_float_gradient(x):
    gradient = s2s.grad(clip_number)(x)
    assert type(gradient) is not np.bool_ and not isinstance(gradient, bool)
    assert gradient == pytest.approx(numeric_grad(clip_number, (x,), 0))
    expected = 2.0 if float(x) < 1.0 else 0.0  # d2/dx2 of x ** 2 inside, of 1.0 * x above
    assert s2s.hessian(clip_number)(x) == pytest.approx(expected)


def clip_keywords(x):
    return np.sum(np.clip(x, a_min=None, a_max=0.5) ** 2) + np.sum(np.clip(x, a_min=-0.5, a_max=None) ** 3)


def clip_min_max(x):
    return np.sum(np.clip(x, min=0.0, max=0.5) ** 2)


def clip_active_bound(x):
    return np.sum(np.clip(x[1:], a_min=x[0], a_max=1.0) ** 2)


@pytest.mark.parametrize("f", [clip_keywords, clip_active_bound])
def test_clip_bounds_by_keyword(f):
    check_every_mode(f, np.array([-0.2, -0.8, 0.3, 0.9, 1.4]))


def test_clip_min_max_keywords():
    if "min" not in str(getattr(np.clip, "__signature__", "")) and np.lib.NumpyVersion(np.__version__) < "2.1.0":
        pytest.skip("np.clip's min= and max= are NumPy >= 2.1")
    check_every_mode(clip_min_max, np.array([-0.2, 0.3, 0.9]))


# ---------------------------------------------------------------- keywords: supported exactly, or refused at the line

def diff_prepend(x):
    return np.sum(np.diff(x, prepend=1.0) ** 2 * W3)


def diff_both(x):
    return np.sum(np.diff(x, 2, prepend=[0.5, -1.0], append=2.0) ** 3)


def diff_axis0(x):
    return np.sum(np.diff(x, axis=0, append=np.ones((1, 3))) ** 2 * W3)


def mean_dtype_none(x):
    return np.mean(x ** 2, dtype=None) + np.sum(x, dtype=None) ** 2


def take_wrap(x):
    return np.sum(np.take(x, [0, 5, -7], mode='wrap') ** 2 * W3) + np.sum(np.take(x, [0, 9], mode='clip') ** 3)


def take_wrap_axis(x):
    return np.sum(np.take(x, [1, 4], axis=1, mode='wrap') ** 2)


@pytest.mark.parametrize("f, x", [(diff_prepend, W3 * 0.3), (diff_both, np.array([0.3, -0.7, 1.1])),
                                  (diff_axis0, np.linspace(-1.0, 1.0, 6).reshape(2, 3)),
                                  (mean_dtype_none, np.array([0.3, -0.7, 1.1])),
                                  (take_wrap, np.array([0.3, -0.7, 1.1, 0.4])),
                                  (take_wrap_axis, np.linspace(-1.0, 1.0, 6).reshape(2, 3))])
def test_keywords_with_rules(f, x):
    check_every_mode(f, x)


def sum_initial(x):
    return np.sum(x ** 2, initial=5.0)


def sum_where(x):
    return np.sum(x, where=x > 0)


def max_initial(x):
    return np.max(x, initial=0.0)


def exp_where(x):
    return np.sum(np.exp(x, where=x > 0))


def multiply_dtype(x):
    return np.sum(np.multiply(x, 2.0, dtype=np.float64))


def diff_active_end(x):
    return np.sum(np.diff(x, prepend=x[0] ** 2))


# (a reduction's initial= and where= have rules since round 8: tests/test_hunt8_reductions.py)
# (np.diff's prepend=/append= have derivatives since d5e70c6: tests/test_hunt10_geom.py)
@pytest.mark.parametrize("f", [sum_initial, sum_where, max_initial, diff_active_end], ids=lambda f: f.__name__)
def test_reduction_keywords_with_rules(f):
    check_every_mode(f, np.array([0.5, -1.0, 2.0]))


@pytest.mark.parametrize("f, keyword, modes", [
    # (np.mean(x, dtype=np.float32): a rule, tests/test_hunt3_rules.py)
    (exp_where, "where", ("grad", "jvp")), (multiply_dtype, "dtype", ("grad",))])
def test_keywords_without_rules_are_refused_at_the_line(f, keyword, modes):
    x = np.array([0.5, -1.0, 2.0])
    for mode in modes:
        run = {"grad": lambda: s2s.grad(f)(x), "jvp": lambda: s2s.jvp(f)((x,), (np.ones(3),)),
               "hessian": lambda: s2s.hessian(f)(x)}[mode]
        with pytest.raises(s2s.NonDifferentiableError, match=keyword) as caught:
            run()
        assert caught.value.lineno == f.__code__.co_firstlineno + 1, mode


# ---------------------------------------------------------------- jvp: a Python number as the tangent of a NumPy number

def item_twice(x):
    return x.item() * 2.0


def empty_index(x):
    return x[()] * 3.0


def cast(x):
    return x.astype(np.float64) ** 2


@pytest.mark.parametrize("f, x, slope", [(item_twice, np.float64(0.6), 2.0), (empty_index, np.float64(0.6), 3.0),
                                         (cast, np.array(0.6), 1.2), (cast, np.float64(0.6), 1.2),
                                         (item_twice, np.array([0.6]), 2.0)])
def test_jvp_of_a_numpy_number_with_a_float_tangent(f, x, slope):
    value, tangent = s2s.jvp(f)((x,), (0.5,))
    assert value == f(x)
    assert float(np.squeeze(tangent)) == pytest.approx(0.5 * slope)


# ---------------------------------------------------------------- false refusals: math functions, x.take, keyword first arguments

import math  # noqa: E402


def math_inverse_hyperbolic(x):
    return math.asinh(x) + math.acosh(x + 2.0) * math.atanh(x / 2.0) + math.degrees(x) + math.radians(x) ** 2


def math_gamma(x):
    return math.lgamma(x + 2.0) * math.gamma(x + 0.5) + math.lgamma(-x - 0.5)


def math_remainders(x):
    return math.fmod(x * 7.0, 2.0 + x) * x + math.remainder(x * 5.0, 1.5 - x) * x + math.ldexp(x * x, 3)


def math_parts(x):
    fraction, whole = math.modf(x * 3.0)
    mantissa, exponent = math.frexp(x * 5.0)
    return fraction * whole * x + mantissa * exponent * x


@pytest.mark.parametrize("f", [math_inverse_hyperbolic, math_gamma, math_remainders, math_parts])
@pytest.mark.parametrize("x", [0.3, -0.4])
def test_math_functions_with_rules(f, x):
    gradient = s2s.grad(f)(x)
    assert isinstance(gradient, float)
    assert gradient == pytest.approx(numeric_grad(f, (x,), 0), rel=1e-6, abs=1e-7)
    assert s2s.jvp(f)((x,), (1.0,))[1] == pytest.approx(gradient)
    assert_close(s2s.hessian(f)(x), numeric_hessian(f, x), 1e-4, 1e-5, what=f.__name__)


def log_gamma(x):
    return math.lgamma(x)


def test_lgamma_derivative_is_digamma():
    # psi(1) = -Euler's constant, psi(1/2) = -gamma - 2 log 2 (Abramowitz and Stegun 6.3.2, 6.3.3); psi'(1) = pi^2 / 6
    euler = 0.5772156649015329
    assert s2s.grad(log_gamma)(1.0) == pytest.approx(-euler, rel=1e-14)
    assert s2s.grad(log_gamma)(0.5) == pytest.approx(-euler - 2.0 * math.log(2.0), rel=1e-14)
    assert s2s.hessian(log_gamma)(1.0) == pytest.approx(math.pi ** 2 / 6.0, rel=1e-13)


def take_method(x):
    return np.sum(x.take([0, 2]) ** 2 * W3[:2])


def sum_of_a_keyword(x):
    return np.sum(a=x ** 2) + np.mean(a=x, axis=0) ** 2


def take_along_keywords(x):
    return np.sum(np.take_along_axis(arr=x, indices=np.argsort(x), axis=0) * W3)


def norm_of_a_keyword(x):
    return np.linalg.norm(x=x) ** 3


@pytest.mark.parametrize("f", [take_method, sum_of_a_keyword, take_along_keywords, norm_of_a_keyword])
def test_first_argument_by_keyword_and_take_method(f):
    check_every_mode(f, np.array([0.5, -1.0, 2.0]))


# ---------------------------------------------------------------- infinite derivatives of numbers: inf or nan, not ZeroDivisionError

def square_root_power(x):
    return x ** 0.5


def power_three_halves(x):
    return x ** 1.5


def angle_on_the_axis(x):
    return math.atan2(x, 0.0)


def arcsine(x):
    return math.asin(x) + math.acos(x) * 2.0


def arccosine(x):
    return math.acos(x) * 2.0


def math_power(x):
    return math.pow(x, 0.25)


@pytest.mark.filterwarnings("ignore:divide by zero", "ignore:invalid value")
def test_infinite_derivatives_of_numbers_are_inf_or_nan():
    assert s2s.grad(square_root_power)(0.0) == np.inf
    assert s2s.grad(math_power)(0.0) == np.inf
    assert s2s.hessian(power_three_halves)(0.0) == np.inf  # 0.75 / x ** 0.5
    assert np.isnan(s2s.grad(angle_on_the_axis)(0.0))  # (JAX's and np.arctan2's value: 0 / 0)
    assert s2s.grad(arccosine)(1.0) == -np.inf
    with pytest.warns(RuntimeWarning, match="divide by zero"):  # NumPy's warning, as np.sqrt's derivative gives
        s2s.grad(square_root_power)(0.0)


@pytest.mark.parametrize("f, x", [(square_root_power, 0.7), (power_three_halves, 0.7), (angle_on_the_axis, -0.4),
                                  (arcsine, 0.3), (math_power, 1.3)])
def test_those_derivatives_elsewhere(f, x):
    assert s2s.grad(f)(x) == pytest.approx(numeric_grad(f, (x,), 0), rel=1e-7)
    assert_close(s2s.hessian(f)(x), numeric_hessian(f, x), 1e-4, 1e-5, what=f.__name__)


def clip_method(x):
    return np.sum(x.clip(0.0) ** 2) + np.sum(x.clip(max=0.5) * x) + np.sum(x.clip(-0.5, 0.8) * x)


def clip_method_bound(x):
    return np.sum(x[1:].clip(x[0]) ** 2)


@pytest.mark.parametrize("f", [clip_method, clip_method_bound])
def test_clip_method_with_one_bound(f):
    check_every_mode(f, np.array([0.3, -0.7, 1.2, 0.6, -0.2]))


def split_index_add_at(x):
    y = np.zeros((2, 3, 4))
    np.add.at(y, (1, slice(None), [2, 0, 2]), x[0, :, [1, 2, 1]] ** 2)
    return np.sum(y * np.arange(24.0).reshape(2, 3, 4) * y)


def test_add_at_with_advanced_indices_separated_by_a_slice():
    check_every_mode(split_index_add_at, np.linspace(-1.0, 1.3, 9).reshape(1, 3, 3))
