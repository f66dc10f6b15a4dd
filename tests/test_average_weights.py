"""np.average in its weights= (refused before): g (x - average) / sum(w) at each element, summed back to the
weights' shape; in forward mode sum((x - average) dw) / sum(w); second derivatives too (the rules are NumPy code
with rules of its own). Checked against finite differences."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad

X = np.array([[1.0, -2.0, 3.0], [0.5, 2.0, -1.0]])
ROW = np.array([0.5, 1.0, 2.0])
COLUMN = np.array([1.5, 0.7])


def whole(x, w):
    return np.sum(np.average(x ** 2, weights=w) ** 2)


def along_rows(x, w):
    return np.sum(np.average(x ** 2, axis=1, weights=w) ** 2)


def along_columns(x, w):
    return np.sum(np.average(np.sin(x), axis=0, weights=w) ** 2)


def kept_axis(x, w):
    return np.sum(np.average(x, axis=1, weights=w, keepdims=True) * x)


def with_the_sum_of_the_weights(x, w):
    m, s = np.average(x, axis=1, weights=w, returned=True)
    return np.sum(m * s ** 2)


def with_the_sum_of_the_weights_by_column(x, w):
    m, s = np.average(x, axis=0, weights=w, returned=True)
    return np.sum(m ** 2 * s)


CASES = [(whole, X + 3.0), (along_rows, ROW), (along_columns, COLUMN), (kept_axis, ROW),
         (with_the_sum_of_the_weights, ROW), (with_the_sum_of_the_weights, X + 3.0),
         (with_the_sum_of_the_weights_by_column, COLUMN)]


@pytest.mark.parametrize("f, w", CASES, ids=[f"{f.__name__}-{np.ndim(w)}" for f, w in CASES])
def test_average_in_its_weights_in_every_first_order_mode(f, w):
    expected = numeric_grad(f, (X, w), 1)
    value, g = s2s.value_and_grad(f, wrt=1)(X, w)
    assert value == f(X, w)
    assert_close(g, expected, what="grad")
    assert_close(s2s.vjp(f, wrt=1)(X, w)[1](1.0), expected, what="vjp")
    t = np.linspace(0.3, -1.0, w.size).reshape(w.shape)
    assert_close(s2s.jvp(f, wrt=1)((X, w), (t,))[1], np.sum(expected * t), what="jvp")
    assert_close(s2s.jacobian(f, wrt=1, mode="forward")(X, w), expected, what="forward jacobian")
    both = s2s.grad(f, wrt=(0, 1))(X, w)
    assert_close(both[0], numeric_grad(f, (X, w), 0), what="x")
    assert_close(both[1], expected, what="weights, with x")


@pytest.mark.parametrize("f, w", CASES, ids=[f"{f.__name__}-{np.ndim(w)}" for f, w in CASES])
def test_average_second_derivatives_in_the_weights_and_x(f, w):
    n = w.size

    def grad_w(v):
        return s2s.grad(f, wrt=1)(X, v.reshape(w.shape)).ravel()

    expected = np.array([numeric_grad(lambda v, i=i: grad_w(v)[i], (w.ravel(),), 0) for i in range(n)])
    for h in (s2s.hessian(f, wrt=1)(X, w), s2s.jacobian(s2s.grad(f, wrt=1), wrt=1, mode="reverse")(X, w)):
        assert_close(np.reshape(h, (n, n)), expected, 1e-4, 1e-5, what="hessian in the weights")
    mixed = s2s.jacobian(s2s.grad(f, wrt=1), wrt=0, mode="forward")(X, w)
    expected = np.array([numeric_grad(lambda v, i=i: s2s.grad(f, wrt=1)(v, w).ravel()[i], (X,), 0)
                         for i in range(n)])
    assert_close(np.reshape(mixed, (n, X.size)), expected.reshape(n, X.size), 1e-4, 1e-5, what="mixed")


def weights_of_x(x):
    return np.average(x, weights=x ** 2)


def pair_of_x(x):
    mean, total = np.average(x, axis=0, weights=x[:, 0] ** 2, returned=True)
    return np.sum(mean * total)


def mean_of_the_pair(x):
    return np.sum(np.average(x, axis=0, weights=x[:, 0] ** 2, returned=True)[0])


@pytest.mark.parametrize("f, x", [(weights_of_x, np.array([1.0, 2.0, 4.0])), (pair_of_x, X.T.copy()),
                                  (mean_of_the_pair, X.T.copy())])
def test_weights_that_depend_on_x_in_every_mode(f, x):
    """Bug hunt round 7: with returned=True, the tangents in x and in the weights were joined as tuples (the pair's
    tangent was x's alone: silent, in jvp and the forward Jacobian); the Hessian of np.average(x, weights=x ** 2)
    was refused (rt.average_adjoint had no rule in its weights)."""
    want = numeric_grad(f, (x,), 0)
    assert_close(s2s.grad(f)(x), want, what="grad")
    assert_close(s2s.jacobian(f, mode="forward")(x), want, what="forward jacobian")
    assert_close(s2s.jvp(f)((x,), (np.ones_like(x),))[1], np.sum(want), what="jvp")
    grad = s2s.grad(f)
    hessian = np.array([numeric_grad(lambda v: grad(v)[i], (x,), 0) for i in np.ndindex(x.shape)])
    assert_close(s2s.hessian(f)(x).reshape(hessian.shape), hessian, what="hessian")
