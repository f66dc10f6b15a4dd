"""A constant scipy.sparse matrix in a product with the array differentiated (`A @ X` of a graph's adjacency, `x @ A`,
`A.T @ x`), in every mode, against finite differences (bug hunt round 7: every mode crashed inside the runtime's
product helpers, which read a sparse matrix as a 0-d object)."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad

sparse = pytest.importorskip("scipy.sparse")

A = sparse.csr_matrix(np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 2.0]]))
X = np.arange(6.0).reshape(3, 2) / 5
x = np.array([0.3, -0.5, 0.8])


def propagate(X, A):
    return np.sum(np.tanh(A @ X) ** 2)


def propagate_vector(x, A):
    return np.sum(np.sin(A @ x) * x)


def from_the_right(X, A):
    return np.sum((X.T @ A) ** 2)


def transposed(x, A):
    return np.sum((A.T @ x) ** 3)


def quadratic_form(x, A):
    return x @ (A @ x)


def module_matrix(x):
    return np.sum(np.cos(A @ x))


CASES = [(propagate, X), (propagate_vector, x), (from_the_right, X), (transposed, x), (quadratic_form, x),
         (module_matrix, x)]


def _args(f, v):
    return (v,) if f is module_matrix else (v, A)


@pytest.mark.parametrize("f, v", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_gradient_and_jacobians(f, v):
    args = _args(f, v)
    want = numeric_grad(f, args, 0)
    assert_close(s2s.grad(f)(*args), want, what="grad")
    assert_close(s2s.vjp(f)(*args)[1](1.0), want, what="vjp")
    t = np.linspace(0.5, 1.5, v.size).reshape(v.shape)
    assert_close(s2s.jvp(f)(args, (t,))[1], np.sum(want * t), what="jvp")
    assert_close(s2s.jacobian(f, mode="forward")(*args), want, what="forward jacobian")
    assert_close(s2s.jacobian(f, mode="reverse")(*args), want, what="reverse jacobian")


@pytest.mark.parametrize("f, v", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_hessian(f, v):
    args = _args(f, v)
    grad = s2s.grad(f)
    want = np.stack([numeric_grad(lambda w, *rest: grad(w, *rest)[i], args, 0) for i in np.ndindex(v.shape)])
    assert_close(s2s.hessian(f)(*args).reshape(want.shape), want, what="hessian", rtol=1e-5)


def test_the_sparse_matrix_as_the_argument_differentiated_is_refused():
    with pytest.raises(TypeError, match="csr_matrix, which has no derivative"):
        s2s.grad(lambda A, x: np.sum(A @ x))(A, x)


def through_the_method(x, A):
    return np.sum(A.dot(x) ** 2)


def arrays_through_the_method(X, W):
    return np.sum(X.dot(W).dot(X.T) ** 2)


def test_the_dot_method_of_a_sparse_matrix_and_of_an_array():
    """`A.dot(x)` was read as np.dot(A, x), which NumPy computes for a sparse matrix as a 0-d object times x (an
    array of sparse matrices): every mode failed. The method is called as written now, with np.dot's rules."""
    want = numeric_grad(through_the_method, (x, A), 0)
    assert_close(s2s.grad(through_the_method)(x, A), want, what="grad")
    assert_close(s2s.jvp(through_the_method)((x, A), (np.ones(3),))[1], np.sum(want), what="jvp")
    assert_close(s2s.jacobian(through_the_method, mode="forward")(x, A), want, what="forward jacobian")
    W = np.arange(9.0).reshape(3, 3) / 10
    want = numeric_grad(arrays_through_the_method, (X.T.copy(), W), 0)
    assert_close(s2s.grad(arrays_through_the_method)(X.T.copy(), W), want, what="grad of arrays")
    assert_close(s2s.jacobian(arrays_through_the_method, mode="forward")(X.T.copy(), W), want, what="forward")


def through_the_method_cubed(x, A):
    return np.sum(A.dot(x) ** 3)


def from_the_right_by_the_method(x, A):
    return np.sum(np.sin(A.T.dot(x)) * x)


@pytest.mark.parametrize("f", [through_the_method_cubed, from_the_right_by_the_method], ids=lambda f: f.__name__)
def test_second_order_through_the_dot_method(f):
    """Reverse over reverse of `A.dot(x)` crashed ('no supported conversion for types: float64, object'): the
    dot adjoints' transposes wrote np.dot(A, G), which reads a sparse matrix as one object; rt.dot multiplies it
    as scipy does. Against differences of the gradient, in every second-order mode."""
    grad = s2s.grad(f)
    want = np.stack([numeric_grad(lambda w, *rest: grad(w, *rest)[i], (x, A), 0) for i in range(3)])
    assert_close(s2s.jacobian(grad)(x, A), want, what="reverse over reverse", rtol=1e-5)
    assert_close(s2s.jacobian(grad, mode="forward")(x, A), want, what="forward over reverse", rtol=1e-5)
    assert_close(s2s.hessian(f)(x, A), want, what="hessian", rtol=1e-5)
    assert_close(s2s.vjp(grad)(x, A)[1](np.ones(3)), want.sum(axis=0), what="vjp of the gradient", rtol=1e-5)
