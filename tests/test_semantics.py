"""Python's semantics kept exactly (issue 10, item 4).

`and`/`or` return an operand and short-circuit; a name read before it is bound
raises UnboundLocalError; a call with the wrong arguments raises the original's
TypeError; `x ** n` has its derivative at 0; a derivative that does not exist
is refused with a clear error. Every derivative is checked against central
finite differences of the original function (or an analytic formula).
"""
import math

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


def check_derivatives(f, args, wrt=0, eps=1e-6):
    """Value of every transform equals f's; grad, jvp and vjp equal central finite differences."""
    expected = f(*args)
    numeric = numeric_grad(f, args, wrt, eps)
    value, g = s2s.value_and_grad(f, wrt=wrt)(*args)
    assert value == expected and type(value) is type(expected), (value, expected)
    assert_close(g, numeric, what="grad")
    assert isinstance(s2s.grad(f, wrt=wrt)(*args), float)
    seed = 1.0 if np.ndim(args[wrt]) == 0 else np.ones(np.shape(args[wrt]))
    value, tangent = s2s.jvp(f, wrt=wrt)(tuple(args), (seed,))
    assert value == expected
    assert_close(tangent, np.sum(numeric * seed), what="jvp")
    value, pullback = s2s.vjp(f, wrt=wrt)(*args)
    assert value == expected
    assert_close(pullback(1.0), numeric, what="vjp")


# --------------------------------------------------------------------------- and / or return an operand

def and_or_operand(x):
    return (x > 0 and x * 2.0) or 3.0


def and_returns_second(x):
    return x > -10.0 and x * x


def and_returns_first(x):
    y = x * 0.0 and x * x  # 0.0 is false: y is x * 0.0
    return y + x


def or_returns_first(x):
    return x * 3.0 or x * x


def or_returns_second(x):
    return (x - x) or np.sin(x)


def or_chain(x):
    return 0.0 or x * 0.0 or x ** 3 or 5.0


def and_chain(x):
    return x and x * 2.0 and x * x * x


def mixed_nesting(x, y):
    return (x < y and y * x) or (y < x and x - y) or x + y


def not_operand(x):
    if not (x > 1.0 and x < 3.0):
        return x * x
    return -x


def bool_in_if(x, y):
    if x > 0 and y > 0 or x < -5.0:
        return x * y
    return x + y


def chained_comparison(x):
    if 0.0 < x < 10.0:
        return x * x
    return x


def chained_comparison_value(x):
    flag = 0.0 < x < 10.0  # a bool: no derivative through it
    return x * flag + x


def long_chain(x, a):
    if a < x <= 2.0 * a < 10.0 != x:
        return np.exp(x)
    return x


def ifexp_of_and(x):
    return x * x if x > 0 and x < 2.0 else 3.0 * x


AND_OR_CASES = [
    (and_or_operand, (1.5,)), (and_or_operand, (-1.5,)),
    (and_returns_second, (2.0,)), (and_returns_first, (2.0,)),
    (or_returns_first, (2.0,)), (or_returns_second, (0.7,)),
    (or_chain, (1.3,)), (and_chain, (1.3,)),
    (mixed_nesting, (1.0, 2.0)), (mixed_nesting, (3.0, 2.0)),
    (not_operand, (2.0,)), (not_operand, (4.0,)),
    (bool_in_if, (2.0, 3.0)), (bool_in_if, (-6.0, 3.0)), (bool_in_if, (2.0, -3.0)),
    (chained_comparison, (3.0,)), (chained_comparison, (12.0,)),
    (chained_comparison_value, (3.0,)), (chained_comparison_value, (12.0,)),
    (long_chain, (3.0, 2.0)), (long_chain, (1.0, 2.0)),
    (ifexp_of_and, (1.0,)), (ifexp_of_and, (3.0,)),
]


@pytest.mark.parametrize("f, args", AND_OR_CASES, ids=lambda v: getattr(v, "__name__", None))
def test_and_or_keep_python_semantics(f, args):
    check_derivatives(f, args)


def test_and_or_issue_example():
    assert s2s.grad(and_or_operand)(1.5) == 2.0
    assert s2s.value_and_grad(and_or_operand)(1.5) == (3.0, 2.0)
    assert s2s.value_and_grad(and_or_operand)(-1.5) == (3.0, 0.0)
    assert s2s.grad(s2s.grad(and_or_operand))(1.5) == 0.0


def square_and_or(x):
    return x > 0 and x * x or -x


def test_and_or_second_order():
    assert s2s.grad(s2s.grad(square_and_or))(1.5) == 2.0
    assert s2s.grad(s2s.grad(square_and_or))(-1.5) == 0.0
    assert_close(s2s.hessian(square_and_or)(1.5), 2.0)


def bounded_scan(x, n):
    i = 0
    s = 0.0
    while i < n and x[i] > 0.0:  # x[i] must not be read once i == n
        s = s + x[i] ** 2
        i = i + 1
    return s


def reciprocal_or(x, d):
    return (d == 0.0 or 1.0 / d > 0.5) and x * 2.0 or x  # 1 / d must not run for d == 0


def chain_short_circuit(x, xs, i):
    if 0 <= i < len(xs) < xs[i]:  # xs[i] must not run when i is out of range
        return x * x
    return x


@pytest.mark.parametrize("f, args", [
    (bounded_scan, (np.array([1.0, 2.0, 3.0]), 3)),
    (bounded_scan, (np.array([1.0, -2.0, 3.0]), 3)),
    (reciprocal_or, (1.5, 0.0)), (reciprocal_or, (1.5, 1.0)), (reciprocal_or, (1.5, 4.0)),
    (chain_short_circuit, (1.5, [1.0, 2.0], 5)), (chain_short_circuit, (1.5, [1.0, 9.0], 1)),
])
def test_short_circuit_skips_the_second_operand(f, args):
    expected = f(*args)
    numeric = numeric_grad(f, args, 0)
    assert_close(s2s.grad(f)(*args), numeric, what="grad")
    assert s2s.value_and_grad(f)(*args)[0] == expected
    seed = np.ones(np.shape(args[0])) if np.ndim(args[0]) else 1.0
    value, tangent = s2s.jvp(f)(args, (seed,))
    assert value == expected
    assert_close(tangent, np.sum(numeric * seed), what="jvp")
    assert_close(s2s.vjp(f)(*args)[1](1.0), numeric, what="vjp")


def test_and_reads_well():
    text = s2s.grad(bounded_scan).source
    assert "while i < n and x[i] > 0.0:" in text, text


def truthiness_of_array(x):
    return np.ones(2) and x * 2.0  # Python raises: the truth value of an array is ambiguous


def test_truthiness_is_pythons():
    with pytest.raises(ValueError, match="ambiguous"):
        truthiness_of_array(1.0)
    with pytest.raises(ValueError, match="ambiguous"):
        s2s.grad(truthiness_of_array)(1.0)


# --------------------------------------------------------------------------- names read before they are bound

def bound_in_one_branch(x, c):
    if c:
        y = x * 2.0
    return y * x


def bound_in_else(x, c):
    if c > 0:
        pass
    else:
        y = x * x
    return y


def bound_in_loop(x, n):
    for i in range(n):
        y = x * (i + 1.0)
    return y


def bound_in_while(x, n):
    k = 0
    while k < n:
        y = np.sin(x) * k
        k = k + 1
    return y + x


def bound_after_two_ifs(x, a, b):
    if a:
        y = x * 3.0
    if b:
        y = x * x
    return y


def bound_via_elif(x):
    if x > 1.0:
        y = x * x
    elif x > 0.0:
        y = x
    return y


UNBOUND_CASES = [
    (bound_in_one_branch, (2.0, True), (2.0, False)),
    (bound_in_else, (2.0, -1.0), (2.0, 1.0)),
    (bound_in_loop, (2.0, 3), (2.0, 0)),
    (bound_in_while, (2.0, 3), (2.0, 0)),
    (bound_after_two_ifs, (2.0, False, True), (2.0, False, False)),
    (bound_after_two_ifs, (2.0, True, False), (2.0, False, False)),
    (bound_via_elif, (0.5,), (-1.0,)),
    (bound_via_elif, (2.0,), (-1.0,)),
]


def _python_message(f, args) -> str:
    with pytest.raises(UnboundLocalError) as info:
        f(*args)
    return str(info.value)


@pytest.mark.parametrize("f, bound_args, unbound_args", UNBOUND_CASES, ids=lambda v: getattr(v, "__name__", None))
def test_unbound_name_raises_like_python(f, bound_args, unbound_args):
    check_derivatives(f, bound_args)
    message = _python_message(f, unbound_args)
    with pytest.raises(UnboundLocalError) as info:
        s2s.grad(f)(*unbound_args)
    assert str(info.value) == message
    with pytest.raises(UnboundLocalError) as info:
        s2s.jvp(f)(unbound_args, (1.0,))
    assert str(info.value) == message
    with pytest.raises(UnboundLocalError) as info:
        s2s.vjp(f)(*unbound_args)
    assert str(info.value) == message


def bound_everywhere_it_is_read(x, c):
    if c:
        y = x * 2.0
    if c:
        return y * x
    return x


def test_name_read_only_where_bound_needs_no_check():
    check_derivatives(bound_everywhere_it_is_read, (2.0, True))
    check_derivatives(bound_everywhere_it_is_read, (2.0, False))
    assert "require_bound" not in s2s.grad(bound_everywhere_it_is_read).source


# --------------------------------------------------------------------------- x ** n at x = 0

def power_0(x):
    return x ** 0


def power_1(x):
    return x ** 1


def power_2(x):
    return x ** 2


def power_3(x):
    return x ** 3


def power_2_float(x):
    return x ** 2.0


def numpy_power_2(x):
    return np.power(x, 2)


def numpy_power_0(x):
    return np.power(x, 0) * 3.0 + x


def math_pow_2(x):
    return math.pow(x, 2)


def zero_to_the_y(y):
    return 0.0 ** y


def zero_to_the_y_plus(y):
    return 0.0 ** y + 2.0 ** y


def numpy_zero_power(y):
    return np.power(0.0, y) + y


# (f, first derivative at 0, second derivative at 0)
POWERS_AT_ZERO = [
    (power_0, 0.0, 0.0), (power_1, 1.0, 0.0), (power_2, 0.0, 2.0), (power_3, 0.0, 0.0),
    (power_2_float, 0.0, 2.0), (numpy_power_2, 0.0, 2.0), (numpy_power_0, 1.0, 0.0), (math_pow_2, 0.0, 2.0),
]


@pytest.mark.parametrize("f, first, second", POWERS_AT_ZERO, ids=lambda v: getattr(v, "__name__", None))
def test_power_derivative_at_zero_is_exact(f, first, second):
    assert s2s.grad(f)(0.0) == first
    assert s2s.jvp(f)((0.0,), (1.0,))[1] == first
    assert s2s.vjp(f)(0.0)[1](1.0) == first
    assert s2s.grad(s2s.grad(f))(0.0) == second
    assert s2s.hessian(f)(0.0) == second
    check_derivatives(f, (0.7,))


def test_power_at_zero_elementwise():
    x = np.array([0.0, 1.5, -2.0])
    assert_close(s2s.grad(lambda_sum_square)(x), 2.0 * x)
    assert_close(s2s.grad(lambda_sum_power_0)(x), np.zeros(3))
    assert_close(s2s.jvp(lambda_sum_power_0)((x,), (np.ones(3),))[1], 0.0)


def lambda_sum_square(x):
    return np.sum(x ** 2)


def lambda_sum_power_0(x):
    return np.sum(x ** 0 * 2.0 + np.power(x, 0))


@pytest.mark.parametrize("f, expected", [(zero_to_the_y, 0.0), (zero_to_the_y_plus, 4.0 * math.log(2.0)),
                                         (numpy_zero_power, 1.0)], ids=lambda v: getattr(v, "__name__", None))
def test_zero_base_has_a_zero_exponent_derivative(f, expected):
    with np.errstate(all="raise"):  # no log(0) on the way
        assert_close(s2s.grad(f)(2.0), expected)
        assert_close(s2s.jvp(f)((2.0,), (1.0,))[1], expected)
        assert_close(s2s.vjp(f)(2.0)[1](1.0), expected)
    check_derivatives(f, (2.0,))


# --------------------------------------------------------------------------- calls the original would refuse

def two_params(x, y=2.0):
    return x * y


def _original_error(call) -> str:
    with pytest.raises(TypeError) as info:
        call(two_params)
    return str(info.value)


BAD_CALLS = [
    lambda f: f(1.0, 2.0, 3.0),
    lambda f: f(),
    lambda f: f(1.0, z=3.0),
    lambda f: f(y=1.0),
    lambda f: f(1.0, x=2.0),
]


@pytest.mark.parametrize("call", BAD_CALLS)
@pytest.mark.parametrize("transform", [s2s.grad, s2s.value_and_grad, s2s.vjp, lambda f: s2s.grad(s2s.grad(f))],
                         ids=["grad", "value_and_grad", "vjp", "grad_grad"])
def test_a_bad_call_raises_the_originals_type_error(transform, call):
    message = _original_error(call)
    assert message.startswith("two_params()")
    with pytest.raises(TypeError) as info:
        call(transform(two_params))
    assert str(info.value) == message


@pytest.mark.parametrize("primals", [(1.0, 2.0, 3.0), ()])
def test_a_bad_jvp_call_raises_the_originals_type_error(primals):
    message = _original_error(lambda f: f(*primals))
    with pytest.raises(TypeError) as info:
        s2s.jvp(two_params)(primals, (1.0,))
    assert str(info.value) == message


def test_good_calls_still_work():
    assert s2s.grad(two_params)(3.0) == 2.0
    assert s2s.grad(two_params)(x=3.0, y=4.0) == 4.0
    assert s2s.grad(two_params, wrt="y")(3.0, y=4.0) == 3.0
    assert s2s.jvp(two_params)((3.0,), (1.0,)) == (6.0, 2.0)


# --------------------------------------------------------------------------- derivatives that do not exist

def sum_of_squares(x):
    return np.sum(x * x)


@pytest.mark.parametrize("value", [np.array([1, 2]), np.array([True, False]), np.arange(3, dtype=np.uint8),
                                   np.array(3)], ids=["int64", "bool", "uint8", "0-d int"])
def test_integer_array_wrt_is_refused(value):
    for call in (lambda: s2s.grad(sum_of_squares)(value), lambda: s2s.vjp(sum_of_squares)(value),
                 lambda: s2s.jvp(sum_of_squares)((value,), (np.ones(np.shape(value)),)),
                 lambda: s2s.jacobian(sum_of_squares)(value), lambda: s2s.hessian(sum_of_squares)(value)):
        with pytest.raises(TypeError, match=r"astype\(float\)"):
            call()


def test_bool_wrt_is_refused():
    with pytest.raises(TypeError, match="bool"):
        s2s.grad(two_params)(True)


def test_a_python_int_is_differentiated_as_a_float():
    assert s2s.grad(sum_of_squares)(3) == 6.0
    assert s2s.grad(two_params, wrt="y")(3, 4) == 3.0


def test_an_integer_array_that_is_not_wrt_is_fine():
    assert s2s.grad(two_params)(3.0, np.int64(2)) == 2.0
    assert_close(s2s.grad(scaled_sum)(np.array([1.0, 2.0]), np.array([3, 4])), np.array([3.0, 4.0]))


def scaled_sum(x, k):
    return np.sum(x * k)


@pytest.mark.parametrize("wrt", [(0, 0), ("x", 0), ("y", 1, "x")])
def test_the_same_argument_twice_in_wrt_is_refused(wrt):
    for transform in (s2s.grad, s2s.vjp, s2s.jvp):
        with pytest.raises(ValueError, match="twice"):
            transform(two_params, wrt=wrt).source


def test_a_for_loops_target_keeps_its_last_value_after_the_loop():
    def h(x, n):
        for i in range(n):
            x = x * 1.5
        return x * i
    assert abs(s2s.grad(h)(0.7, 3) - 1.5 ** 3 * 2) < 1e-12
    with pytest.raises(UnboundLocalError):
        s2s.grad(h)(0.7, 0)  # as h(0.7, 0) raises
    with pytest.raises(UnboundLocalError):
        h(0.7, 0)
