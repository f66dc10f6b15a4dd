"""Regressions from the NumPy-semantics bug hunt in products and linear algebra: np.einsum's sublist form,
matmul and np.dot with a stack on one side, np.linalg.solve of a stack with a vector, the second derivatives of
eigh and svd, slogdet's named fields, qr(mode='r'), np.cross of 2-vectors. Every derivative is checked against
finite differences or an analytic formula."""
import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian

W = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]) / 8.0


# ---------------------------------------------------------------- np.einsum in the sublist form

def einsum_sublist_matmul(x):
    return np.sum(np.einsum(x.reshape(2, 3), [0, 1], W, [1, 2], [0, 2]) ** 2)


def einsum_sublist_square(x):
    return np.einsum(x, [0], x, [0], [])


def einsum_sublist_implicit(x):  # no output sublist: the indices used once, in increasing order (here [2, 30])
    a = x.reshape(2, 3)
    return np.sum(np.sin(np.einsum(a, [30, 1], W, [1, 2])) * np.array([[1.0, 2.0], [3.0, 5.0]]))


def einsum_sublist_ellipsis(x):
    a = x.reshape(2, 3)
    return np.sum(np.einsum(a, [Ellipsis, 1], a, (Ellipsis, 1), [Ellipsis]) ** 2)


def einsum_subscripts_in_a_variable(x, spec):
    return np.sum(np.einsum(spec, x, x) ** 2)


@pytest.mark.parametrize("f", [einsum_sublist_matmul, einsum_sublist_square, einsum_sublist_implicit,
                               einsum_sublist_ellipsis])
def test_einsum_sublist_form_every_mode(f):
    check_every_mode(f, np.linspace(-1.0, 1.5, 6) if f is not einsum_sublist_square else np.array([1.0, 2.0, 3.0]))


def test_einsum_sublist_form_gradient_is_not_zero():
    x = np.arange(6.0)
    assert_close(s2s.grad(einsum_sublist_matmul)(x),
                 (2 * (x.reshape(2, 3) @ W) @ W.T).ravel(), what="grad of sum((x @ W) ** 2)")
    v = np.array([1.0, 2.0, 3.0])
    assert_close(s2s.grad(einsum_sublist_square)(v), 2 * v, what="grad of x @ x")
    assert_close(s2s.jvp(einsum_sublist_square)((v,), (np.ones(3),))[1], 2 * v.sum(), what="jvp of x @ x")


def test_einsum_subscripts_given_at_run_time():
    x = np.array([0.5, -1.0, 2.0])
    for spec in ("i,j->ij", "i,i->"):
        assert_close(s2s.grad(einsum_subscripts_in_a_variable)(x, spec),
                     numeric_grad(einsum_subscripts_in_a_variable, (x, spec), 0), what=spec)
        assert_close(s2s.hessian(einsum_subscripts_in_a_variable)(x, spec),
                     numeric_hessian(lambda y: einsum_subscripts_in_a_variable(y, spec), x), 1e-4, 1e-5, what=spec)
