"""Rule gaps the hunts (hunt3edge, hunt3opt, hunt3ho) and fuzz level 7 found: false refusals and refusals that
named s2s's internals, each now a rule checked against finite differences in every mode, or a located refusal.

- np.sum / np.mean with dtype=float (np.float64, np.float32) on a float array: the sum of x cast to the type, so
  the derivative is the cast's (the identity for a float type, zero for an integer one); fuzz level 7's c7.
"""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad
from s2s.errors import NonDifferentiableError

X = np.array([0.5, -1.0, 2.0])


# ----------------------------------------------------------------- 1. dtype= of a float type on a reduction
def sum_dtype_float(q):  # fuzz level 7, c7
    return np.sum(q * q, dtype=float) + np.mean(q, dtype=np.float64)


def sum_dtype_axis(q):
    m = np.reshape(q, (3, 2))
    return np.sum(np.sin(np.sum(m, axis=0, dtype=np.float64))) + np.mean(np.mean(m * m, 1, float))


def sum_dtype_int(q):  # the entries rounded: no derivative through that term
    return np.sum(q * 3.3, dtype=int) + np.sum(q * q)


@pytest.mark.parametrize("f, x", [(sum_dtype_float, X), (sum_dtype_axis, np.linspace(0.3, 1.8, 6))])
def test_sum_mean_with_a_float_dtype(f, x):
    check_every_mode(f, x)


def test_sum_with_an_integer_dtype_has_no_derivative_there():
    x = np.array([0.31, 0.52, 0.17])  # (3.3 x away from the integers)
    assert_close(s2s.grad(sum_dtype_int)(x), 2 * x, what="grad")
    check_every_mode(sum_dtype_int, x)


def sum_dtype_float32(q):
    return np.float64(np.sum(q * q, dtype=np.float32))


def test_sum_with_dtype_float32_is_differentiated_in_float32():
    g = s2s.grad(sum_dtype_float32)(X)
    assert_close(g, 2 * X, rtol=1e-6, what="grad")
    _, t = s2s.jvp(sum_dtype_float32)((X,), (np.ones(3),))
    assert_close(t, np.sum(2 * X), rtol=1e-6, what="jvp")


# np.linspace / np.logspace / np.geomspace with dtype=: the samples cast (the refusal said "may make the samples
# integers", which a float type does not)
def linspace_dtype(x):
    return np.sum(np.linspace(x[0], x[1], 5, dtype=float) ** 2) + np.sum(np.logspace(x[0], x[2], 4, dtype=np.float64))


def geomspace_dtype(x):
    return np.sum(np.sin(np.geomspace(x[1], x[2], 6, dtype=float))) + np.sum(np.linspace(x[0], x[2], 3, dtype=int))


def test_spaced_samples_with_a_float_dtype():
    check_every_mode(linspace_dtype, np.array([0.3, 1.1, 0.7]))


def test_spaced_samples_with_an_integer_dtype_have_no_derivative():
    x = np.array([0.3, 1.1, 2.7])  # (the integer samples 0, 1, 2: rounded away from the steps)
    check_every_mode(geomspace_dtype, x)


# ----------------------------------------------------------------- 6. correction= is NumPy 2's ddof=
def std_correction(x):
    return np.std(x, correction=1) + np.var(x * x, correction=1.5)


def std_ddof(x):  # the same, spelled with ddof=: the reference values
    return np.std(x, ddof=1) + np.var(x * x, ddof=1.5)


def test_std_var_with_correction_are_ddof():
    if np.lib.NumpyVersion(np.__version__) < "2.0.0":
        pytest.skip("correction= is NumPy 2's")
    x = np.array([0.5, -1.0, 2.0, 0.3])
    assert std_correction(x) == std_ddof(x)
    g = check_every_mode(std_correction, x)
    assert_close(g, numeric_grad(std_ddof, (x,), 0), what="grad against ddof=")


def var_correction_where(x):
    return np.var(x, correction=1, where=x > 0)


def test_var_with_where_and_correction_in_every_mode():  # (refused before round 8: tests/test_hunt8_reductions.py)
    if np.lib.NumpyVersion(np.__version__) < "2.0.0":
        pytest.skip("correction= is NumPy 2's")
    check_every_mode(var_correction_where, np.array([0.5, -1.0, 2.0, 0.3, 1.1]))


def var_given_mean(x):
    return np.var(x, mean=np.mean(x, keepdims=True))


def test_var_with_mean_is_refused_at_the_line():
    if np.lib.NumpyVersion(np.__version__) < "2.0.0":
        pytest.skip("mean= is NumPy 2's")
    with pytest.raises(NonDifferentiableError, match="mean=") as e:
        s2s.grad(var_given_mean)(X)
    assert e.value.lineno == var_given_mean.__code__.co_firstlineno + 1


# ----------------------------------------------------------------- 3. np.float32(x), np.half(x): casts
def cast32(x):
    return np.sum(np.sin(np.float32(x)) * x) + np.half(x[0]) * 2.0


def test_float32_and_half_casts_in_every_mode():
    x = np.array([0.5, -1.0, 2.0])
    # (against the analytic derivative: finite differences of float32 values are noise)
    grad = np.cos(x) * x + np.sin(x) + np.array([2.0, 0.0, 0.0])
    hess = np.diag(-np.sin(x) * x + 2.0 * np.cos(x))
    assert np.result_type(s2s.grad(cast32)(x)) == np.float64
    assert_close(s2s.grad(cast32)(x), grad, rtol=1e-5, what="grad")
    v = np.array([0.25, -0.5, 1.0])  # (v[0] exact in float16: its tangent is in half precision)
    value, t = s2s.jvp(cast32)((x,), (v,))
    assert value == cast32(x)
    assert_close(t, grad @ v, rtol=1e-5, what="jvp")
    assert_close(s2s.jacobian(cast32, mode="forward")(x), grad, rtol=1e-5, what="forward jacobian")
    assert_close(s2s.jacobian(cast32)(x), grad, rtol=1e-5, what="reverse jacobian")
    assert_close(s2s.hessian(cast32)(x), hess, rtol=1e-5, atol=1e-6, what="hessian")
    assert_close(s2s.jacobian(s2s.grad(cast32))(x), hess, rtol=1e-5, atol=1e-6, what="grad of grad")


def test_float32_tangent_is_float32():
    _, t = s2s.jvp(lambda x: np.float32(x) * 3.0)((np.array([1.0, 2.0]),), (np.array([1.0, 1.0]),))
    assert np.result_type(t) == np.float32


# ----------------------------------------------------------------- 4. methods that are the NumPy functions
def by_methods(x):
    order = x.argsort()
    ranks = np.sort(x).searchsorted(x)  # (x's entries distinct: each one's rank)
    positive = x.compress(x > 0)
    where = (x > 0).nonzero()
    return np.sum(x[order] * np.arange(1.0, 6.0)) + np.sum(ranks * x) + np.sum(positive ** 3) + np.sum(x[where] ** 2)


def by_functions(x):  # the reference: the same with NumPy's functions
    order = np.argsort(x)
    ranks = np.searchsorted(np.sort(x), x)
    positive = np.compress(x > 0, x)
    where = np.nonzero(x > 0)
    return np.sum(x[order] * np.arange(1.0, 6.0)) + np.sum(ranks * x) + np.sum(positive ** 3) + np.sum(x[where] ** 2)


def compress_axis(x):
    m = np.reshape(x, (2, 3))
    return np.sum(np.sin(m.compress([True, False, True], axis=1)) * m.compress([False, True], 0).sum())


def test_argsort_nonzero_searchsorted_compress_methods():
    x = np.array([0.7, -1.3, 2.1, -0.4, 1.2])
    assert by_methods(x) == by_functions(x)
    g = check_every_mode(by_methods, x)
    assert_close(g, numeric_grad(by_functions, (x,), 0), what="grad against the functions")


def test_compress_method_along_an_axis():
    check_every_mode(compress_axis, np.linspace(-0.8, 1.3, 6))


# ----------------------------------------------------------------- 2. third derivatives through the rules' helpers
# (hunt3ho item 9, fuzz level 7's c9): the Hessian of a function that calls s2s.grad, each checked along V against
# the third difference of f's own values, d^3/dt^3 f(x + t V) at 0
V = np.array([0.3, -0.7, 1.1])
X3 = np.array([0.5, 0.9, 1.3])


def energy(a):  # c9
    return np.prod(np.cos(a * np.ones(3)))


def energy_slope(c):
    return s2s.grad(energy)(c)


def test_third_derivative_through_prod_c9():
    c = 0.7  # energy = cos(c) ** 3
    assert_close(s2s.hessian(energy_slope)(c), 21 * np.sin(c) * np.cos(c) ** 2 - 6 * np.sin(c) ** 3, rtol=1e-10)


def prod_rows(x):
    m = np.reshape(np.concatenate([x, x ** 2, [0.0, 1.5, x[0]]]), (3, 3))  # (a row with a zero entry)
    return np.sum(np.prod(np.sin(m) + 1.0, axis=1) * np.array([1.0, 0.5, 2.0])) + np.prod(m, axis=0, keepdims=True)[0, 1]


def sorted_cubes(x):
    return np.sum(np.sort(x * np.array([1.0, -1.0, 0.5])) ** 3 * np.arange(1.0, 4.0))


def self_power(x):
    return np.sum(x ** x) + np.sum(x[0] ** (x * 2.0))


def through_a_tuple(x):
    t = tuple(x)
    return t[0] * t[1] ** 2 * t[2] ** 3


def through_a_dict(x):
    d = {"a": x[0] * x[2], "b": x[1]}
    return d["a"] ** 3 * d["b"] ** 2


def extrema_and_products(x):
    return np.max(x ** 3) + np.dot(x, x) ** 2 + np.mean(x ** 2) ** 3


def third_prod_rows(x):
    return s2s.grad(prod_rows)(x) @ V


def third_sorted_cubes(x):
    return s2s.grad(sorted_cubes)(x) @ V


def third_self_power(x):
    return s2s.grad(self_power)(x) @ V


def third_through_a_tuple(x):
    return s2s.grad(through_a_tuple)(x) @ V


def third_through_a_dict(x):
    return s2s.grad(through_a_dict)(x) @ V


def third_extrema_and_products(x):
    return s2s.grad(extrema_and_products)(x) @ V


def third_difference(f, x, v, h=4e-3):
    """The central third difference, its h ** 2 error removed by Richardson extrapolation."""
    def at(h):
        return (f(x + 2 * h * v) - 2 * f(x + h * v) + 2 * f(x - h * v) - f(x - 2 * h * v)) / (2 * h ** 3)
    return (4 * at(h / 2) - at(h)) / 3


@pytest.mark.parametrize("f, third", [(prod_rows, third_prod_rows), (sorted_cubes, third_sorted_cubes),
                                      (self_power, third_self_power), (through_a_tuple, third_through_a_tuple),
                                      (through_a_dict, third_through_a_dict),
                                      (extrema_and_products, third_extrema_and_products)])
def test_third_derivatives(f, third):
    expected = third_difference(f, X3, V)
    assert_close(V @ s2s.hessian(third)(X3) @ V, expected, rtol=1e-5, atol=1e-6, what="hessian")
    assert_close(V @ s2s.jacobian(s2s.grad(third), mode="forward")(X3) @ V, expected, rtol=1e-5, atol=1e-6,
                 what="forward jacobian of grad")
    assert_close(V @ s2s.jacobian(s2s.grad(third))(X3) @ V, expected, rtol=1e-5, atol=1e-6,
                 what="reverse jacobian of grad")


A3 = np.array([[2.0, 0.3, 0.1], [0.3, 1.5, -0.2], [0.1, -0.2, 1.0]])


def solved(x):
    return np.sum(np.linalg.solve(A3 + np.diag(x), x) ** 2)


def third_solved(x):
    return s2s.grad(solved)(x) @ V


def inverted(x):  # what the refusal says to write: the same values
    return np.sum((np.linalg.inv(A3 + np.diag(x)) @ x) ** 2)


def third_inverted(x):
    return s2s.grad(inverted)(x) @ V


def test_third_derivative_through_solve_is_refused_saying_what_to_write():
    with pytest.raises(NonDifferentiableError) as e:
        s2s.hessian(third_solved)(X3)
    message = str(e.value)
    assert "third derivatives through np.linalg.solve are not supported" in message
    assert "np.linalg.inv(a) @ b" in message and "Register a rule" not in message
    assert_close(V @ s2s.hessian(third_inverted)(X3) @ V, third_difference(inverted, X3, V), rtol=1e-5, what="inv")


# ----------------------------------------------------------------- 5. np.pad's constant_values=, np.trapezoid's dx=
def padded_with_a_value(x):
    return np.sum(np.pad(x * x, 2, constant_values=x[0]) ** 2 * np.arange(1.0, 9.0))


def padded_per_side(x):
    m = np.reshape(x, (2, 2))
    v = np.stack([x[:2] * 3.0, np.sin(x[2:])])  # ((before, after) of axis 0, (before, after) of axis 1)
    return np.sum(np.pad(m, ((1, 0), (1, 2)), constant_values=v) ** 3 * np.arange(15.0).reshape(3, 5))


def integral_with_spacing(x):
    return np.trapezoid(np.sin(x) * x, dx=x[1] * 0.5) + np.trapezoid(np.reshape(x, (2, 2)), dx=x[0], axis=0)[1]


@pytest.mark.parametrize("f", [padded_with_a_value, padded_per_side, pytest.param(integral_with_spacing, marks=(
    pytest.mark.skipif(not hasattr(np, "trapezoid"), reason=f"no np.trapezoid in NumPy {np.__version__}")))])
def test_differentiated_pad_values_and_spacing(f):
    check_every_mode(f, np.array([0.5, -1.1, 0.7, 1.3]))


def builtin_max_of_arrays(a, b):
    return np.sum(max(a, b) * 2.0) + np.sum(min(a, b) * 3.0)


def builtin_extrema_of_one_value(s):
    return 2.0 - max(s, s) + min(s, 2.0 * s)


def test_builtin_max_and_min_of_one_element_arrays():
    # the partials were float(a >= b), which raised TypeError for arrays of one element (Python's max takes them);
    # `1.0 * (a >= b)` once lost its 1.0 inside a rule, leaving two NumPy bools subtracted (float32 max(s, s))
    a, b = np.array([1.5]), np.array([0.5])
    ga, gb = s2s.grad(builtin_max_of_arrays, wrt=(0, 1))(a, b)
    np.testing.assert_allclose(ga, [2.0])
    np.testing.assert_allclose(gb, [3.0])
    assert s2s.grad(builtin_max_of_arrays, wrt=(0, 1))(0.5, 1.5) == pytest.approx((3.0, 2.0))
    value, tangent = s2s.jvp(builtin_max_of_arrays, wrt=(0, 1))((a, b), (np.ones(1), 2.0 * np.ones(1)))
    assert value == builtin_max_of_arrays(a, b) and tangent == pytest.approx(2.0 + 6.0)
    for s in (np.float32(0.5), 0.5, np.float64(-0.5)):
        # at s = 0.5: max(s, s) gives each operand half (slope -1 in all), min(s, 2s) picks s (slope 1): 0
        # at s = -0.5: min(s, 2s) picks 2s (slope 2): 1
        assert s2s.grad(builtin_extrema_of_one_value)(s) == pytest.approx(0.0 if s > 0 else 1.0)
        assert s2s.hessian(builtin_extrema_of_one_value)(s) == 0.0
