"""Round 19, the lead's fixes. Every derivative is checked against finite differences, every value against NumPy."""
import random

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, numeric_grad, numeric_hessian


def column_from_row(X):
    Y = X.copy()
    for i in range(2):
        Y[:, i + 1] = Y[i] + 0.5
    return np.sum(Y * X)


def column_from_positive_row(X):
    Y = X.copy()
    for i in range(2):
        Y[:, i + 1] = np.positive(Y[i])
    return np.sum(Y * np.sin(X))


def column_from_named_row(X, b):
    Y = X.copy()
    for i in range(2):
        r = Y[i] + b
        Y[:, i + 1] = r
    return np.sum(Y * Y)


def block_from_transpose(X):
    Y = X * 1.0
    Y[:2, :] = Y.T[:2, :] + 0.0
    return np.sum(Y * X)


X = np.arange(1.0, 10.0).reshape(3, 3) * 0.1 + np.eye(3) * 0.3
T = np.array([[0.3, -1.0, 0.5], [1.2, 0.7, -0.4], [0.9, -0.6, 0.2]])
CASES = [(column_from_row, (X,)), (column_from_positive_row, (X,)), (column_from_named_row, (X, 0.25)),
         (block_from_transpose, (X,))]


@pytest.mark.parametrize("f, args", CASES, ids=[f.__name__ for f, _ in CASES])
def test_a_tangent_written_from_a_view_of_its_own_array(f, args):
    # (hunt19reg S2, pre-existing: `Y[:, i + 1] = Y[i] + 0.5` is a new array, its tangent the view dY[i], written
    # into dY in place: NumPy does not buffer the overlapping write; jvp, forward Jacobian and Hessian were wrong)
    expected = numeric_grad(f, args, 0)
    assert_close(s2s.grad(f)(*args), expected, rtol=1e-6, atol=1e-8)
    value, tangent = s2s.jvp(f)(args, (T,))
    assert value == f(*args)
    assert_close(tangent, np.sum(expected * T), rtol=1e-6, atol=1e-8)
    assert_close(s2s.jacobian(f, mode="forward")(*args), expected, rtol=1e-6, atol=1e-8)
    assert_close(s2s.jacobian(f)(*args), expected, rtol=1e-6, atol=1e-8)
    H = s2s.hessian(f)(*args)
    assert_close(H, numeric_hessian(lambda x: f(x, *args[1:]), args[0]), rtol=1e-4, atol=1e-5)


def test_the_copy_is_made_only_where_the_tangent_may_be_a_view_of_the_array():
    assert "rt.unshared(dt2, dY_3)" in s2s.jvp(column_from_row).source

    def elementwise(x):
        y = np.zeros(3)
        for i in range(3):
            y[i] = x[i] * 2.0
        return np.sum(y)

    assert "unshared" not in s2s.jvp(elementwise).source


def uniform_of_bounds(lo, hi):
    rng = np.random.default_rng(5)
    z = rng.uniform(lo, hi, size=4)
    return np.sum(z ** 2)


def uniform_of_array_bounds(lo, hi):
    rng = np.random.default_rng(5)
    return np.sum(rng.uniform(lo, hi) ** 2)


@pytest.mark.parametrize("f, lo, hi", [
    (uniform_of_bounds, np.float32(0.2), np.float32(1.5)),
    (uniform_of_array_bounds, np.array([0.2, 0.1], np.float32), np.array([1.5, 0.7], np.float32)),
    (uniform_of_bounds, 0.2, 1.5)])
def test_a_uniform_draw_of_float32_bounds_keeps_numpys_value(f, lo, hi):
    # (hunt19reg S1, of 5779359: NumPy takes the bounds as doubles; s2s computed high - low in float32)
    value, (glo, ghi) = s2s.value_and_grad(f, wrt=(0, 1))(lo, hi)
    assert value == f(lo, hi)
    lo64, hi64 = np.asarray(lo, float), np.asarray(hi, float)
    assert_close(glo, numeric_grad(f, (lo64, hi64), 0), rtol=1e-5)
    assert_close(ghi, numeric_grad(f, (lo64, hi64), 1), rtol=1e-5)


def python_uniform(lo, hi):
    random.seed(3)
    return random.uniform(lo, hi) ** 2


def test_pythons_uniform_computes_with_what_it_is_given():
    lo, hi = np.float32(0.2), np.float32(1.5)
    value, _ = s2s.value_and_grad(python_uniform, wrt=(0, 1))(lo, hi)
    assert value == python_uniform(lo, hi) and type(value) is type(python_uniform(lo, hi))
