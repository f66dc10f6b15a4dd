"""Regressions of NumPy rules found by a bug hunt (huntnp): each checked against finite differences or an
analytic value, in every mode it broke in; what cannot be exact is refused at the user's line."""
from __future__ import annotations

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

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
