"""An in-place operator on an item of a copy of the parameters, and the derivatives of training loops over one
(hunt round 14, fix14deep).

The forward Jacobian (a batch of tangents) of a function calling s2s.grad on a dict of parameters crashed with
NumPy's IndexError.
"""
import numpy as np

import s2s
from conftest import assert_close, numeric_grad

P = {'w': np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.3]]), 'b': np.array([0.05, -0.1])}
X = np.array([1.0, 2.0, -1.0])


def loss(p, x):
    return np.sum(np.tanh(p['w'] @ x + p['b']) ** 2)


# The forward Jacobian (a batch of tangents) of a function calling s2s.grad on a dict crashed with NumPy's
# IndexError: the batched tangent of the inner gradient's `rt.getitem_adjoint(g, p, 'w')` indexed an array by
# 'w'; it is now a part per key, as the adjoint is.

def inner_gradient(p, x):
    g = s2s.grad(loss)(p, x)
    return np.sum(g['w'] * x) + np.sum(g['b'] ** 2)


def test_the_forward_jacobian_through_an_inner_gradient_of_a_dict():
    numeric = numeric_grad(lambda x: inner_gradient(P, x), (X,), 0)
    for mode in ("forward", "reverse"):
        assert_close(s2s.jacobian(inner_gradient, wrt=1, mode=mode)(P, X), numeric, what=mode)
    assert_close(s2s.hessian(inner_gradient, wrt=1)(P, X), np.array([numeric_grad(
        lambda y: numeric_grad(lambda x: inner_gradient(P, x), (y,), 0, 1e-4)[i], (X,), 0, 1e-4) for i in range(3)]),
        1e-4, 1e-5)
