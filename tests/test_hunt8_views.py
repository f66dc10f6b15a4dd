"""Round 8, copies taken for views and a rule's parameter rebound to a copy (hunt8autograd F6, F4 and minor notes).
Each derivative checked against central differences (conftest.check_every_mode: value_and_grad, jvp, both
Jacobians, the Hessian, the Jacobian of the gradient) or an analytic value; the caller's array left as it was."""
import numpy as np
import pytest

import s2s
from s2s.errors import S2SError
from tests.conftest import assert_close, check_every_mode, numeric_grad

W = np.array([[0.3, -0.2], [0.5, 0.1]])
X3 = np.array([0.5, -0.2, 0.8])

# --------------------------------------------------------------------------- F6: x.flatten() is a new array (NumPy
# copies it always), where s2s read it as np.ravel, a view: writing into it was refused as changing the caller's array


def flat_element_write(W):
    theta = W.flatten()
    theta[0] = 0.0
    return np.sum(theta ** 2) + np.sum(W)


def flat_in_place(W):
    theta = W.flatten()
    theta *= 0.5
    return np.sum(theta ** 2) + np.sum(W)


def flat_of_computed(W):
    v = (W * 2.0).flatten()
    v += 1.0
    v[1] = v[0] * v[2]
    return np.sum(v ** 2)


def flat_fortran(W):
    theta = W.flatten("F")
    theta[1] = 3.0 * theta[0]
    return np.sum(theta ** 3)


def flat_by_function(W):
    theta = np.ndarray.flatten(W)
    theta[0] = 0.0
    return np.sum(theta ** 2)


@pytest.mark.parametrize("f", [flat_element_write, flat_in_place, flat_of_computed, flat_fortran, flat_by_function])
def test_a_write_into_a_flattened_copy_is_followed(f):
    check_every_mode(f, W)


def test_a_flattened_copy_has_the_analytic_gradient():
    assert_close(s2s.grad(flat_element_write)(W).ravel(), 2 * W.ravel() * np.array([0, 1, 1, 1]) + 1)
    assert_close(s2s.grad(flat_in_place)(W).ravel(), 0.5 * W.ravel() + 1)


def test_generated_code_writes_flatten_as_the_user_did():
    text = s2s.grad(flat_element_write).source
    assert "theta = W.flatten()" in text and "np.ravel" not in text


def test_a_raveled_view_is_still_refused():
    def f(W):
        theta = W.ravel()
        theta[0] = 0.0
        return np.sum(theta ** 2)
    with pytest.raises(S2SError):
        s2s.grad(f)(W)
