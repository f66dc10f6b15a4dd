"""Regressions found by the ninth round of bug hunts and fixed by the lead (each fails before its fix)."""
import numpy as np
import pytest

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


def stored_and_read_back(a, n=3):
    traj = np.zeros(n)
    acc = 0.0
    y = 1.0
    for t in range(n):
        traj[t] = y  # store the state
        acc = acc + traj[t]  # ... and read the stored entry back
        y = y * a
    return acc  # 1 + a + a ** 2


def stored_rows(u0, a):
    traj = np.zeros((3, 2))
    acc = 0.0
    u = u0 * 1.0
    for t in range(3):
        traj[t] = u
        acc = acc + traj[t, 1] * a
        u = u * a
    return acc


def test_second_derivatives_of_a_trajectory_read_back():
    """The reverse sweep starts the trajectory's adjoint as 0.0 and rt.add_at(btraj, 1.0, traj, t) makes it an
    array; forward mode over that text kept its tangent the number 0.0 and indexed it (TypeError in hessian, grad
    of grad, jvp of grad; the ODE hunt's 1). The tangent of an add of a value without one is an array too."""
    assert_close(s2s.grad(s2s.grad(stored_and_read_back))(0.8), 2.0, what="grad of grad")
    assert_close(s2s.hessian(stored_and_read_back)(0.8), 2.0, what="hessian")
    assert_close(s2s.jvp(s2s.grad(stored_and_read_back))((0.8,), (1.0,))[1], 2.0, what="jvp of grad")
    u0 = np.array([0.4, -1.1])
    for wrt, x in ((0, u0), (1, 0.7)):
        g = s2s.grad(stored_rows, wrt=wrt)
        expected = np.array([numeric_grad(lambda *args: np.asarray(g(*args)).ravel()[k], (u0, 0.7), wrt)
                             for k in range(np.size(x))])
        assert_close(np.asarray(s2s.hessian(stored_rows, wrt=wrt)(u0, 0.7)).reshape(expected.shape), expected,
                     rtol=1e-4, atol=1e-6, what=f"hessian {wrt}")
        assert_close(np.asarray(s2s.jacobian(g, wrt=wrt, mode="forward")(u0, 0.7)).reshape(expected.shape),
                     expected, rtol=1e-4, atol=1e-6, what=f"forward jacobian of grad {wrt}")


def row_copied_then_written(x):
    A = np.outer(x, x)
    r = A[0] * 1.0  # a copy of the row: the write below does not change r
    A[0] = x
    r2 = A[0] * 2.0
    return np.sum(r * r2)


def column_copied_then_written(x):
    A = np.outer(x, x)
    r = A[:, 1] * 1.0
    A[0, 1] = x[0]
    return np.sum(r * np.sin(A[0]))


def transpose_copied_then_written(x):
    A = np.outer(x, x)
    r = A.T * 1.0
    A[0, 1] = x[0]
    return np.sum(r * A)


def test_vjp_value_keeps_a_copy_of_a_view_written_after():
    """vjp's value came from the function's own forward code, where dropping `* 1.0` of a possibly-integer view
    (drop_conversions) left r a view that the write changed: 3.58 for 1.074 (older than the round; the regressions
    hunt's F1). The conversion of a view of an array written in place is kept."""
    x = np.array([0.3, -0.7, 1.1])
    for f in (row_copied_then_written, column_copied_then_written, transpose_copied_then_written):
        value, pullback = s2s.vjp(f)(x)
        assert value == f(x), f.__name__
        assert_close(pullback(1.0), numeric_grad(f, (x,), 0), what=f.__name__)


def swapped_after_a_loop(x):
    n = len(x)
    y = np.zeros(n)
    for i in range(n):
        y[i] = x[i]
    y[0], y[1] = y[1], y[0]  # y[0], a number, saved in a temporary, then overwritten
    return y


def test_forward_jacobian_of_a_swap_of_elements():
    """Vector forward mode read the number y[0]'s batch of tangents as a column of dy's batch, a view, then wrote
    into dy in place: [[0, 1], [0, 1]] for [[0, 1], [1, 0]] (a regression of 7e8595e, which made y[0] a known
    number; the hand-written algorithms hunt's W1)."""
    x = np.array([1.0, 2.0])
    expected = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert_close(s2s.jacobian(swapped_after_a_loop, mode="forward")(x), expected, what="forward jacobian")
    assert_close(s2s.jacobian(swapped_after_a_loop)(x), expected, what="reverse jacobian")


def stacked_states(X):
    U = np.zeros((2, *X.shape))  # a display with a starred shape: (2,) + tuple(X.shape)
    for t in range(2):
        U[t] = X * (t + 1)
    return np.sum(U[1, 0] * X[0])


def starred_list(X, xs):
    v = np.array([1.0, *xs, 2.0])
    return np.sum(v * X[0, 0]) + len((1, *xs, *xs))


def test_displays_with_a_starred_value_of_run_time_length():
    """`np.zeros((2, *X.shape))` was refused with advice about a call's arguments (the LA hunt's R2): a display
    with *xs is its runs and each xs joined by +, as Python builds it."""
    from conftest import check_every_mode
    X = np.array([[0.3, -0.7], [1.1, 0.5]])
    check_every_mode(stacked_states, X)
    for xs in ([0.5, 0.25], (0.5,), []):
        assert s2s.value_and_grad(starred_list)(X, xs)[0] == starred_list(X, xs)
        assert_close(s2s.grad(starred_list)(X, xs), numeric_grad(starred_list, (X, xs), 0), what="grad")
    # (with respect to the list spread: its pieces are joined as lists since 7f244c3, each item's derivative X[0, 0])
    assert s2s.grad(starred_list, wrt=1)(X, [0.5, 0.25]) == [X[0, 0], X[0, 0]]
    assert s2s.value_and_grad(starred_list, wrt=1)(X, (0.5,)) == (starred_list(X, (0.5,)), (X[0, 0],))


def restored_after_break(x):
    y = x * 1.0
    z = x * 0.5
    s = 0.0
    for i in range(1, 3):
        y = y + z * 0.1
        s = s + np.sum(y * x)
        if y[i] > 0.2:
            y[i] += s * 0.1
            if i == 1:
                break  # the loop's y is this iteration's array, which the reverse sweep restores
            continue
        y[i] += s * 0.1
        y = y + z * 0.1
    return np.sum(y ** 2) + s + np.sum(z * y)


def test_value_and_grad_value_read_before_the_restores():
    """value_and_grad's value folded np.sum(y ** 2) into the return, after the reverse sweep's restores had
    written old elements back into the array a break made the loop's y (3.578 for 3.855; older than the round,
    found by the regressions hunt's generators): codegen's folding now knows a loop's name is what its breaks and
    continues give it too."""
    x = np.array([0.37, -0.71, 0.53])
    value, gradient = s2s.value_and_grad(restored_after_break)(x)
    assert value == pytest.approx(restored_after_break(x), rel=1e-12)
    assert_close(gradient, numeric_grad(restored_after_break, (x,), 0), what="grad")
