"""What a transformation returns, and what it refuses (issue 10, item 4).

- A function whose result has no derivative (None, a string, a bool, a container
  holding one) is refused with `s2s.ResultTypeError` naming what it returned, in
  every transformation, never answered with a derivative of 0; generated code
  checks only where the result could be such a value.
- The gradient of an int argument is a float.
- `x ** y` at x == 0: d/dy is 0, and an exponent 0 known only at run time gives
  d/dx 0, not ZeroDivisionError, in both modes.

Every derivative is compared with central finite differences or an analytic value.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import s2s
from conftest import numeric_grad


def central(f, args, i, eps=1e-6):
    """d f / d args[i] by central differences (a scalar argument)."""
    lo, hi = list(args), list(args)
    lo[i] = float(args[i]) - eps
    hi[i] = float(args[i]) + eps
    return (f(*hi) - f(*lo)) / (2 * eps)


# ---------------------------------------------------------------- results without a derivative

def returns_none(x):
    y = x * 2.0
    return None


def returns_str(x):
    return "done"


def returns_comparison(x):
    return x > 0.0


def returns_not(x):
    return not x


def returns_strings(x):
    return ["a", "b"]


def none_on_one_path(x):
    if x > 0.0:
        r = x * x
    else:
        r = None
    return r


def str_from_ternary(x):
    return x * 3.0 if x > 0.0 else "negative"


def bool_and_value(x):
    return x > 0.0 and x * 2.0


def tuple_with_a_bool(x):
    return (x * 2.0, x > 1.0)


BAD = [  # (function, arguments, what the message says it returned)
    (returns_none, (1.5,), "None"),
    (returns_str, (1.5,), "a str ('done')"),
    (returns_comparison, (1.5,), "a bool (True)"),
    (returns_not, (1.5,), "a bool (False)"),
    (returns_strings, (1.5,), "a list holding a str ('a')"),
    (none_on_one_path, (-1.5,), "None"),
    (str_from_ternary, (-1.5,), "a str ('negative')"),
    (bool_and_value, (-1.5,), "a bool (False)"),
]


def _grad(f, args):
    return s2s.grad(f)(*args)


def _value_and_grad(f, args):
    return s2s.value_and_grad(f)(*args)


def _vjp(f, args):
    return s2s.vjp(f)(*args)[1](1.0)


def _jvp(f, args):
    return s2s.jvp(f)(args, (1.0,))


def _jacobian(f, args):
    return s2s.jacobian(f)(*args)


def _jacobian_forward(f, args):
    return s2s.jacobian(f, mode="forward")(*args)


def _hessian(f, args):
    return s2s.hessian(f)(*args)


TRANSFORMS = [("grad", _grad), ("value_and_grad", _value_and_grad), ("vjp", _vjp), ("jvp", _jvp),
              ("jacobian", _jacobian), ("jacobian", _jacobian_forward), ("hessian", _hessian)]


@pytest.mark.parametrize("f,args,what", BAD, ids=[b[0].__name__ for b in BAD])
@pytest.mark.parametrize("name,transform", TRANSFORMS, ids=[
    "grad", "value_and_grad", "vjp", "jvp", "jacobian", "jacobian_forward", "hessian"])
def test_a_result_without_a_derivative_is_refused(name, transform, f, args, what):
    with pytest.raises(s2s.ResultTypeError) as info:
        transform(f, args)
    message = str(info.value)
    assert message.startswith(f"{name} needs a function returning "), message
    assert f"{f.__name__} returned {what} at line " in message, message
    assert "which has no derivative: return a" in message, message
    assert isinstance(info.value, s2s.S2SError) and isinstance(info.value, TypeError)


def test_the_message_names_the_line_and_says_what_to_do():
    with pytest.raises(s2s.ResultTypeError) as info:
        s2s.grad(returns_comparison)(2.0)
    line = returns_comparison.__code__.co_firstlineno + 1
    assert str(info.value) == (
        f"grad needs a function returning a number; returns_comparison returned a bool (True) at line {line}: "
        "return x > 0.0, which has no derivative: return a float: a test has no derivative (float(...) of it "
        "has derivative 0; to differentiate through it, return the value it chooses)")


def test_a_tuple_holding_a_bool_is_refused_by_vjp_and_jvp():
    for name, transform in [("vjp", lambda: s2s.vjp(tuple_with_a_bool)(1.5)),
                            ("jvp", lambda: s2s.jvp(tuple_with_a_bool)((1.5,), (1.0,)))]:
        with pytest.raises(s2s.ResultTypeError, match=rf"^{name} needs .* returned a tuple holding a bool \(True\)"):
            transform()


def test_a_bool_array_is_refused_by_jacobian():
    def positive(x):
        return x > 0.0

    for mode in ("reverse", "forward"):
        with pytest.raises(s2s.ResultTypeError, match="returned an array of dtype bool"):
            s2s.jacobian(positive, mode=mode)(np.array([1.0, -2.0]))


def test_the_paths_that_return_a_number_are_still_differentiated():
    for f, x in [(none_on_one_path, 1.5), (str_from_ternary, 1.5), (bool_and_value, 1.5)]:
        expected = central(f, (x,), 0)
        assert s2s.grad(f)(x) == pytest.approx(expected, rel=1e-6)
        assert s2s.vjp(f)(x)[1](1.0) == pytest.approx(expected, rel=1e-6)
        assert s2s.jvp(f)((x,), (1.0,))[1] == pytest.approx(expected, rel=1e-6)
        assert s2s.hessian(f)(x) == pytest.approx(central(s2s.grad(f), (x,), 0), rel=1e-5)


def test_a_second_derivative_keeps_the_check():
    g = s2s.grad(s2s.grad(none_on_one_path))
    assert g(1.5) == pytest.approx(2.0)
    with pytest.raises(s2s.ResultTypeError, match="none_on_one_path returned None"):
        g(-1.5)


def numeric_result(x, y):
    if x > y:
        r = x * y
    else:
        r = x - y
    return max(r, 0.5) if x > 0.0 else -r


def returns_in_loop(x, limit):
    for i in range(10):
        x = x * 1.5
        if x > limit:
            return x * x
    return x


@pytest.mark.parametrize("f", [numeric_result, returns_in_loop])
def test_no_check_where_the_result_is_proven_numeric(f):
    for source in (s2s.grad(f).source, s2s.vjp(f).source, s2s.jvp(f).source, s2s.value_and_grad(f).source):
        assert "require_number" not in source
    args = (1.0, 3.0)
    assert s2s.grad(f)(*args) == pytest.approx(central(f, args, 0), rel=1e-6)


def test_the_check_is_one_line_before_the_return():
    text = s2s.grad(none_on_one_path).source
    assert text.count("rt.require_number(") == 1
    assert "rt.require_number(r_1, 'grad', 'none_on_one_path', 'line " in text


# ---------------------------------------------------------------- the gradient of an int is a float

def product(x, y):
    return x * y


def square(x):
    return x ** 2


def distance_to_two(x):
    return abs(x - 2)


def headroom(x, y):
    return 2.0 - min(x, y)


def test_the_gradient_of_an_int_argument_is_a_float():
    for wrt, expected in [(0, 3.0), (1, 2.0)]:
        g = s2s.grad(product, wrt=wrt)(2, 3)
        assert type(g) is float and g == expected
    gx, gy = s2s.grad(product, wrt=(0, 1))(2, 3)
    assert (type(gx), type(gy), gx, gy) == (float, float, 3.0, 2.0)
    value, g = s2s.value_and_grad(product)(2, 3)
    assert value == 6 and type(g) is float and g == 3.0


@pytest.mark.parametrize("f,args,expected", [
    (square, (3,), 6.0), (distance_to_two, (5,), 1.0), (distance_to_two, (-1,), -1.0),
    (headroom, (1, 4), -1.0), (headroom, (4, 1), 0.0)])
def test_int_arguments_give_float_gradients(f, args, expected):
    g = s2s.grad(f)(*args)
    assert type(g) is float and g == expected
    assert g == pytest.approx(central(f, args, 0), abs=1e-6)


def test_vjp_jvp_jacobian_and_hessian_of_ints_are_floats():
    g = s2s.vjp(product)(2, 3)[1](1.0)
    assert isinstance(g, float) and g == 3.0
    value, t = s2s.jvp(product)((2, 3), (1.0,))
    assert value == 6 and isinstance(t, float) and t == 3.0
    for mode in ("reverse", "forward"):
        j = s2s.jacobian(product, mode=mode)(2, 3)
        assert j.dtype == np.float64 and j == 3.0
    h = s2s.hessian(square)(3)
    assert h.dtype == np.float64 and h == 2.0


def test_integer_arrays_are_still_refused_for_wrt():
    with pytest.raises(TypeError):
        s2s.grad(lambda_free_sum)(np.array([1, 2, 3]))


def lambda_free_sum(x):
    return np.sum(x * x)


# ---------------------------------------------------------------- x ** y at x == 0

def power(x, y):
    return x ** y


def math_power(x, y):
    return math.pow(x, y)


def power_sum(x, y):
    return np.sum(np.power(x, y))


@pytest.mark.parametrize("f", [power, math_power])
@pytest.mark.parametrize("y", [2.0, 0.5, 3.0])
def test_the_exponent_derivative_at_a_zero_base_is_zero(f, y):
    # 0 ** y is 0 for every y > 0: a constant
    assert s2s.grad(f, wrt=1)(0.0, y) == 0.0
    assert s2s.vjp(f, wrt=1)(0.0, y)[1](1.0) == 0.0
    assert s2s.jvp(f, wrt=1)((0.0, y), (1.0,))[1] == 0.0
    for mode in ("reverse", "forward"):
        assert s2s.jacobian(f, wrt=1, mode=mode)(0.0, y) == 0.0
    assert central(f, (0.0, y), 1) == 0.0  # (the reference: 0 ** (y +- eps) == 0)


def test_the_exponent_derivative_elsewhere_is_unchanged():
    for args in [(2.0, 3.0), (0.5, 1.5), (3, 2)]:
        expected = args[0] ** args[1] * math.log(args[0])
        assert s2s.grad(power, wrt=1)(*args) == pytest.approx(expected, rel=1e-12)
        assert s2s.jvp(power, wrt=1)(args, (1.0,))[1] == pytest.approx(expected, rel=1e-12)
        assert s2s.grad(power, wrt=1)(*args) == pytest.approx(central(power, args, 1), rel=1e-6)


def test_an_array_base_with_zeros():
    x = np.array([0.0, 1.0, 2.0])
    expected = central(lambda y: power_sum(x, y), (2.0,), 0)
    assert s2s.grad(power_sum, wrt=1)(x, 2.0) == pytest.approx(expected, rel=1e-6)
    assert s2s.jvp(power_sum, wrt=1)((x, 2.0), (1.0,))[1] == pytest.approx(expected, rel=1e-6)
    np.testing.assert_allclose(s2s.grad(power_sum)(x, 0), [0.0, 0.0, 0.0])
    np.testing.assert_allclose(s2s.grad(power_sum)(x, 2), 2 * x)


@pytest.mark.parametrize("x", [0.0, 0, 2.0])
def test_a_run_time_exponent_zero(x):
    # x ** n with n == 0 is the constant 1: its derivative is 0, also at x == 0 (not 0 * 0 ** -1)
    assert s2s.grad(power)(x, 0) == 0.0
    assert type(s2s.grad(power)(x, 0)) is float
    assert s2s.vjp(power)(x, 0)[1](1.0) == 0.0
    assert s2s.jvp(power)((x, 0), (1.0,))[1] == 0.0
    for mode in ("reverse", "forward"):
        assert s2s.jacobian(power, mode=mode)(x, 0) == 0.0
    assert s2s.hessian(power)(x, 0) == 0.0
    assert s2s.grad(power, wrt=1)(x, 0) == (0.0 if x == 0 else pytest.approx(math.log(x)))


@pytest.mark.parametrize("n,slope,curvature", [(1, 1.0, 0.0), (2, 0.0, 2.0), (3, 0.0, 0.0)])
def test_a_run_time_integer_exponent_at_zero(n, slope, curvature):
    assert s2s.grad(power)(0.0, n) == slope
    assert s2s.jvp(power)((0.0, n), (1.0,))[1] == slope
    assert s2s.hessian(power)(0.0, n) == curvature
    assert s2s.grad(s2s.grad(power))(0.0, n) == curvature


def _cubed_times(x, y):
    return np.sum(x ** 3) * y


def test_a_0d_array_argument_gets_a_0d_array_derivative():
    """API.md: a gradient has the structure and shape of its argument, an ndarray for an ndarray (the generated
    code computes a 0-d argument's derivative as a number; 3 x^2 y = 36 at x = 2, y = 3)."""
    x = np.array(2.0)
    results = [s2s.grad(_cubed_times)(x, 3.0), s2s.grad(_cubed_times, wrt=(0, 1))(x, 3.0)[0],
               s2s.value_and_grad(_cubed_times)(x, 3.0)[1], s2s.vjp(_cubed_times)(x, 3.0)[1](1.0),
               s2s.vjp(_cubed_times, wrt=(1, 0))(x, 3.0)[1](1.0)[1], s2s.jacobian(_cubed_times)(x, 3.0),
               s2s.jacobian(_cubed_times, mode="forward")(x, 3.0)]
    for g in results:
        assert type(g) is np.ndarray and g.shape == () and g == 36.0
    second = s2s.grad(_cubed_times, wrt=(0, 1))(x, 3.0)[1]
    assert isinstance(second, float) and second == 8.0  # (a float argument: a float)


def _loop_energy(pos, rest):
    energy = 0.0
    for e in range(pos.shape[0] - 1):
        energy = energy + 0.5 * (np.sum((pos[e + 1] - pos[e]) ** 2) - rest[e]) ** 2
    return energy + 0.01 * np.sum(pos ** 2)


def test_the_scalar_check_reads_the_parts_that_make_the_result_a_number():
    """grad checks that the result is a number; where the parameters cannot tell, it read the whole result again
    (`rt.require_scalar(energy + 0.01 * np.sum(pos ** 2))`, the sum computed once more): now the operand that
    decides it. A non-scalar result is refused as before."""
    src = s2s.grad(_loop_energy).source
    assert "rt.require_scalar(energy)\n" in src, src
    pos, rest = np.array([[0.0, 1.0], [1.0, 0.5], [2.0, 2.0]]), np.array([1.0, 2.0])
    expected = numeric_grad(_loop_energy, (pos, rest), 0)
    assert np.allclose(s2s.grad(_loop_energy)(pos, rest), expected, rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="grad needs a function with a scalar result"):
        s2s.grad(_loop_energy)(pos, np.ones((2, 3)))
