"""A complex argument that is not differentiated, in a second derivative: grad and jvp refuse the complex
derivative they come out with, but the Hessian, jacobian(grad) and grad(grad) differentiated the generated
gradient with the rules for real numbers and returned 0 where d2|x + c|/dx2 = b^2 / (x^2 + b^2)^1.5 for c = ib
(bug hunt, 2026-12-05). They refuse now; a real argument is unaffected (reference: the formula)."""
import numpy as np
import pytest

import s2s


def modulus(x, c):
    return np.sum(np.abs(x + c))


def scalar_modulus(x, c):
    return abs(x + c)


X = np.array([-4.0, 9.0])
C = np.array([1j, 2j])


@pytest.mark.parametrize("call", [
    lambda: s2s.hessian(modulus)(X, C),
    lambda: s2s.jacobian(s2s.grad(modulus), mode="forward")(X, C),
    lambda: s2s.jacobian(s2s.grad(modulus))(X, C),
    lambda: s2s.grad(s2s.grad(scalar_modulus))(0.5, 1j),
    lambda: s2s.hessian(scalar_modulus)(0.5, 1j),
    lambda: s2s.hessian(modulus)(X, [1j, 2j]),
], ids=["hessian", "jacfwd-of-grad", "jacrev-of-grad", "grad-of-grad", "hessian-scalar", "hessian-list"])
def test_second_derivatives_refuse_a_complex_argument(call):
    with pytest.raises(s2s.S2SError, match="complex argument reached a second derivative"):
        call()


def test_a_real_argument_still_works():
    b = np.array([1.0, 2.0])

    def expected(x):
        return np.diag(b ** 2 / (x ** 2 + b ** 2) ** 1.5)
    np.testing.assert_allclose(s2s.hessian(real_modulus)(X, b), expected(X))
    np.testing.assert_allclose(s2s.jacobian(s2s.grad(real_modulus))(X, b), expected(X))


def real_modulus(x, b):
    return np.sum(np.sqrt(x ** 2 + b ** 2))
