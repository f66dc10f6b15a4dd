"""Data outside wrt that NumPy's functions compute from (`np.sin(W) @ x`, `np.exp(m.W)`): of an np.matrix, whose `*`
is the matrix product, the result is a matrix too, which the generated code (written for ndarrays) read as an array
and crashed on (`ValueError: shapes (1,2) and (1,2) not aligned`) or could compute wrongly. It is refused like the
matrix itself, at the user's line (ad/data_uses.py follows NumPy's functions as it follows operators); after the
user's own np.asarray it is an ndarray and differentiated."""
import warnings

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad

with warnings.catch_warnings():
    warnings.simplefilter("ignore", PendingDeprecationWarning)
    W = np.matrix([[1.0, 0.5], [0.2, -0.3]])
X = np.array([0.3, -0.7])


class Model:
    def __init__(self, W):
        self.W = W


MATRIX_MODEL = Model(W)
ARRAY_MODEL = Model(np.asarray(W))


def through_an_argument(x, W):
    return np.sum(np.multiply(np.sin(W) @ x, x))


def through_an_attribute(x):
    return np.sum(np.multiply(np.sin(MATRIX_MODEL.W) @ x, x))


def through_two_functions(x, W):
    return np.sum(np.tanh(np.exp(W) * 0.5) @ x)


def converted(x, W):
    return np.sum(np.multiply(np.sin(np.asarray(W)) @ x, x))


def through_an_array_attribute(x):
    return np.sum(np.multiply(np.sin(ARRAY_MODEL.W) @ x, x))


@pytest.mark.parametrize("call", [lambda: s2s.grad(through_an_argument)(X, W),
                                  lambda: s2s.grad(through_an_attribute)(X),
                                  lambda: s2s.grad(through_two_functions)(X, W),
                                  lambda: s2s.jacobian(through_an_argument, mode="forward")(X, W)])
def test_a_matrix_made_by_numpy_is_refused_at_the_users_line(call):
    with pytest.raises(s2s.ArgumentTypeError) as e:
        call()
    assert "matrix" in str(e.value) and "np.asarray" in str(e.value) and __file__.rsplit("/", 1)[-1] in str(e.value)


def test_after_np_asarray_the_gradient_is_right():
    g = s2s.grad(converted)(X, W)
    assert_close(g, numeric_grad(converted, (X, W), 0))


def test_an_array_attribute_is_differentiated():
    assert_close(s2s.grad(through_an_array_attribute)(X), numeric_grad(through_an_array_attribute, (X,), 0))
    assert_close(s2s.grad(through_an_argument)(X, np.asarray(W)),
                 numeric_grad(through_an_argument, (X, np.asarray(W)), 0))
