"""`v * 1.0`, `v + 0.0`, `v / 1.0` are v only for floats: a bool mask times 1.0 adds as a number, an integer
product made a float does not wrap around, and `x + 0.0` is +0.0 where x is -0.0 (bug hunt, 2026-12-05: each
gave a wrong value or derivative without an error). The references are analytic, and the function itself."""
import math

import numpy as np
import pytest

import s2s
from conftest import assert_close


def steps(x):
    a = (x > 0.0) * 1.0
    b = (x > 1.0) * 1.0
    return np.sum(x * (a + b))


def mask_difference(x):
    a = (x > 0.0) * 1.0
    b = (x > 1.0) * 1.0
    return np.sum(x * (a - b)) + np.dot(a, a)


def cube(n):
    x = n * 1.0
    return x ** 3


def weighted_counts(w, counts):
    c = counts + 0.0
    return np.sum(w * c ** 2)


def hinge2(x):
    return x * (x > 0.0) + x * (x > 1.0)


def negated_hinge(x):
    return -(x * (x > 0.0))


def scaled_by_data(x, k):
    return x * k * k


def angle(x):
    return math.atan2(x + 0.0, -1.0) + x


def reciprocal(x):
    return 1.0 / (x + 0.0) + x


def test_masks_times_one_add_as_numbers():
    x = np.array([-0.5, 0.5, 1.5])
    value, g = s2s.value_and_grad(steps)(x)
    assert value == steps(x) == 3.5
    assert_close(g, np.array([0.0, 1.0, 2.0]), what="steps")
    assert g.dtype == np.float64
    value, g = s2s.value_and_grad(mask_difference)(x)
    assert value == mask_difference(x)
    assert_close(g, np.array([0.0, 1.0, 0.0]), what="mask difference")
    _, d = s2s.jvp(steps)((x,), (np.ones(3),))
    assert_close(d, 3.0, what="steps, forward")


def test_an_integer_made_a_float_does_not_wrap_around():
    value, g = s2s.value_and_grad(cube)(200)
    assert value == 200.0 ** 3 and g == 3.0 * 200.0 ** 2


@pytest.mark.parametrize("n", [np.uint8(200), np.int32(50000), np.int64(7)])
def test_a_numpy_integer_is_refused_as_an_integer_array_is(n):
    """A derivative with respect to a NumPy integer, whose arithmetic wraps around (uint8 200 * 200 is 64), is
    refused as one with respect to an integer array is (JAX refuses both); a Python int is exact."""
    for transform in (s2s.grad, s2s.value_and_grad, s2s.hessian, s2s.jacobian):
        with pytest.raises(TypeError, match=r"pass float\(n\)"):
            transform(cube)(n)
    with pytest.raises(TypeError, match=r"float\(p\[0\]\) for a value to differentiate"):
        s2s.grad(lambda p: cube(p[0]))((n, 1.0))
    w, counts = np.array([1.0, 2.0]), np.array([200, 3], dtype=np.uint8)
    value, g = s2s.value_and_grad(weighted_counts)(w, counts)
    assert value == weighted_counts(w, counts) == 40018.0
    assert_close(g, np.array([40000.0, 9.0]), what="counts")


@pytest.mark.parametrize("x", [1.5, np.float64(1.5), np.array(1.5)])
def test_a_bool_factor_of_a_number_gives_a_float_adjoint(x):
    assert s2s.grad(hinge2)(x) == 2.0
    assert s2s.grad(negated_hinge)(x) == -1.0
    assert_close(s2s.hessian(hinge2)(x), 0.0, what="hessian")


@pytest.mark.parametrize("k", [np.uint8(200), np.int32(100000), np.array([200, 3], dtype=np.uint8)])
def test_a_product_of_integer_data_is_taken_in_floats(k):
    g = s2s.grad(scaled_by_data)(1.5, k) if np.ndim(k) == 0 else s2s.jacobian(scaled_by_data)(1.5, k)
    assert_close(g, np.asarray(k, dtype=float) ** 2, what="d/dx x k k")


def test_adding_zero_keeps_the_sign_of_zero():
    zero = np.float64(-0.0)
    for f in (angle, reciprocal):
        with np.errstate(divide="ignore"):
            expected = f(zero)
            assert s2s.value_and_grad(f)(zero)[0] == expected, f.__name__
            assert s2s.jvp(f)((zero,), (1.0,))[0] == expected, f.__name__
    assert angle(zero) == math.pi and reciprocal(zero) == math.inf


def test_floats_times_one_are_still_simplified():
    """The conversions are kept only where a bool or an integer may reach them: the quick-start's gradient is
    still `bx = 2.0 * x`, not `2.0 * (1.0 * x)`."""
    def square(x):
        return x * x
    assert "bx = 2.0 * x\n" in s2s.grad(square).source


def empty_sums_twice(a):
    seq = []
    val = sum(seq)
    for j in range(3, 2):
        pass
    else:
        if 1.5 * val <= 1.5:
            pass
    return val + sum(seq)


def test_an_integer_added_to_itself_stays_an_integer():
    # `val + val` (after CSE) was rewritten `2.0 * val`: the jvp's value of an int 0 came out 0.0 (fuzz seed
    # 1180346); `a + a` is `2.0 * a` only where a holds floats
    assert empty_sums_twice(0.5) == 0 and type(empty_sums_twice(0.5)) is int
    value, tangent = s2s.jvp(empty_sums_twice)((0.5,), (1.0,))
    assert type(value) is int and value == 0 and tangent == 0.0
    value, grad = s2s.value_and_grad(empty_sums_twice)(0.5)
    assert type(value) is int and value == 0 and grad == 0.0


def int_written_into_an_array(x):
    y = np.array([x * 1.0, 2 * x])
    y[1] = 0.5
    return np.sum(y) * x  # y = [x, 0.5]: (x + 0.5) x


def times_one(x):
    return x * 1.0


def test_a_python_int_argument_keeps_the_functions_own_values():
    # `x * 1.0` of a differentiated parameter was taken for x (assumed a float): at x = 3 the array held ints,
    # 0.5 was truncated (value 9 for 10.5, gradient 6.0 for 2 x + 0.5 = 6.5), and `x * 1.0` returned the int 3
    value, grad = s2s.value_and_grad(int_written_into_an_array)(3)
    assert value == int_written_into_an_array(3) == 10.5
    assert grad == pytest.approx(6.5)
    value, grad = s2s.value_and_grad(times_one)(3)
    assert type(value) is float and value == 3.0 and grad == 1.0
    value, tangent = s2s.jvp(times_one)((3,), (1.0,))
    assert type(value) is float and tangent == 1.0
