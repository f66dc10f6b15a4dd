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


def simulate_until(T, dt):
    y = 1.0
    for t in np.arange(0.0, T, dt):
        y = y + dt * np.sin(t) * y
    return y


def test_a_time_grid_of_np_arange_with_differentiated_bounds():
    """`for t in np.arange(0.0, T, dt)` with T and dt differentiated was refused (np.arange had no rule); the
    samples move with start and step, T only counts them (the ODE hunt's 5)."""
    for wrt in (0, 1):
        expected = numeric_grad(simulate_until, (1.05, 0.1), wrt)
        assert_close(s2s.grad(simulate_until, wrt=wrt)(1.05, 0.1), expected, what=f"grad {wrt}")
        assert_close(s2s.jacobian(simulate_until, wrt=wrt, mode="forward")(1.05, 0.1), expected, what=f"jac {wrt}")
