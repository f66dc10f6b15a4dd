"""Regressions found by the ninth round of bug hunts and fixed by the lead (each fails before its fix)."""
import numpy as np

import s2s
from conftest import assert_close, numeric_grad


def written_into_ints(y):
    u = np.zeros(4, dtype=int)
    u[0] = y[0]  # NumPy truncates: no derivative flows through the write
    return np.sum(u) * y


def written_into_arange(y0):
    u = np.arange(4)
    u[0] = y0
    return np.sum(u ** 2) + y0


def test_forward_jacobian_of_a_write_into_an_integer_array():
    """The vector forward sweep's zero tangent of the write had no batch axis (TypeError, ValueError); every
    mode that accepts the function agrees with finite differences."""
    y = np.array([1.5, 2.0])
    expected = np.stack([numeric_grad(lambda v: written_into_ints(v)[k], (y,), 0) for k in range(2)])
    assert_close(s2s.jacobian(written_into_ints, mode="forward")(y), expected, what="forward jacobian")
    assert_close(s2s.jvp(written_into_ints)((y,), (np.array([1.0, -2.0]),))[1], expected @ [1.0, -2.0], what="jvp")
    assert_close(s2s.jacobian(written_into_arange, mode="forward")(0.37), 1.0, what="forward jacobian")
    assert_close(s2s.jvp(written_into_arange)((0.37,), (1.0,))[1], 1.0, what="jvp")
