"""Hunt round 4's findings fixed by the lead, each against finite differences."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


def svd_of_a_stack(a):
    U, s, Vh = np.linalg.svd(a, full_matrices=False)
    return np.sum(U ** 3) + np.sum(s ** 2) + np.sum(Vh[..., 0, :] ** 3)


@pytest.mark.parametrize("shape", [(3, 2, 1), (2, 1, 3), (3, 3, 3), (2, 2, 2), (2, 3, 4)])
def test_svd_tangent_of_a_stack(shape):
    # rt.svd_tangent built diag(s) with np.eye(len(s)), the stack's length: a broadcast error, or a wrong tangent
    # where the stack's length equalled the number of singular values (hunt4lin item 7)
    a = np.random.default_rng(3).normal(size=shape)
    v = np.random.default_rng(4).normal(size=shape)
    numeric = numeric_grad(svd_of_a_stack, (a,), 0)
    assert_close(s2s.jvp(svd_of_a_stack)((a,), (v,))[1], np.sum(numeric * v), rtol=1e-4)
    assert_close(s2s.jacobian(svd_of_a_stack, mode="forward")(a), numeric, rtol=1e-4)
