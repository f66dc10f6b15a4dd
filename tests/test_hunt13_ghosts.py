"""Round 13's PDE hunt (hunt13pde R1, R2): two false refusals with wrong explanations.

R1: a ghost-cell copy written with an Ellipsis (`u[..., 0] = u[..., 1]`, `u[0, ...] = u[-1, ...]`, through a view
`v = u[..., 1]`, in 2-D and 3-D) was refused as "a value that may be a view of 'u' itself" that "NumPy may read ...
after the write changed it", though the same copy spelled with `:`s (`u[:, 0] = u[:, 1]`) was accepted: the parts
were not compared where an index held an Ellipsis. An Ellipsis now stands for the `:`s it spells, for each number of
axes the array may have, so the Ellipsis forms are accepted where the `:` forms are, and refused where those are
(`u[..., 2] = u[1]`, a column and a row NumPy copies element by element). An index s2s does not follow
(`u[tuple(a)] = u[tuple(b)]` of lists of slices) is still refused, now saying that s2s cannot tell the parts apart.

R2: a trajectory loop carrying the previous row as a view (`prev = U[0]; for t: U[t + 1] = step(prev); prev =
U[t + 1]`) was refused ("after line 5 changed 'U'", a write made before the view was taken): the row written and the
row the view comes back as are one row, but `t + 1` was computed twice, and two names were taken for two rows; and
the view read after the loop (`np.sum(prev ** 3)`) was refused though no write follows the last iteration's.

Every accepted form is checked in every mode against finite differences; a truly overlapping write (`u[1:] =
u[:-1]`) is kept right."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

X2 = np.random.default_rng(0).standard_normal((3, 4))
X3 = np.random.default_rng(1).standard_normal((2, 3, 4))
U0 = np.linspace(0.0, 1.0, 5) ** 2


def neumann_dots(u0):  # (hunt13pde R1)
    u = u0.copy()
    u[..., 0] = u[..., 1]
    u[..., -1] = u[..., -2]
    return np.sum(u ** 3)


def neumann_colons(u0):
    u = u0.copy()
    u[:, 0] = u[:, 1]
    u[:, -1] = u[:, -2]
    return np.sum(u ** 3)


def periodic_row(u0):
    u = u0.copy()
    u[0, ...] = u[-1, ...]
    return np.sum(u ** 3)


def through_a_view(u0):
    u = u0.copy()
    v = u[..., 1]
    u[..., 0] = v
    return np.sum(u ** 3)


def known_axes(u0):  # (an array made with its shape: its number of axes known)
    u = np.zeros((3, 4))
    u[:] = u0
    u[..., 0] = u[..., 1]
    return np.sum(u ** 3)


def both_ends(u0):
    u = u0.copy()
    u[0, ..., 0] = u[-1, ..., -1]
    return np.sum(u ** 3)


def view_of_a_view(u0):
    u = u0.copy()
    v = u[..., 1:]
    u[..., 0] = v[..., 0]
    return np.sum(u ** 3)


def shifted(u0):  # truly overlapping: NumPy copies in the direction that reads each element before writing it
    u = u0.copy()
    u[1:] = u[:-1]
    return np.sum(u ** 3 * np.arange(1.0, 1.0 + u.size).reshape(u.shape))


def shifted_dots(u0):
    u = u0.copy()
    u[..., 1:] = u[..., :-1]
    return np.sum(u ** 3 * np.arange(1.0, 1.0 + u.size).reshape(u.shape))


@pytest.mark.parametrize("f", [neumann_dots, neumann_colons, periodic_row, through_a_view, known_axes, both_ends,
                               view_of_a_view, shifted, shifted_dots])
def test_ghost_cells_with_an_ellipsis_are_right_in_every_mode(f):
    check_every_mode(f, X2)


@pytest.mark.parametrize("f", [neumann_dots, periodic_row, through_a_view, shifted_dots])
def test_ghost_cells_with_an_ellipsis_in_three_and_one_dimensions(f):
    check_every_mode(f, X3, hessian=False)
    check_every_mode(f, X3[0, 0])


def neumann_dots_spelled(u0):
    u = u0.copy()
    u[:, :, 0] = u[:, :, 1]
    u[:, :, -1] = u[:, :, -2]
    return np.sum(u ** 3)


def test_the_ellipsis_is_the_colons_it_stands_for():
    assert_close(s2s.grad(neumann_dots)(X3), s2s.grad(neumann_dots_spelled)(X3))
    assert s2s.value_and_grad(neumann_dots)(X2)[0] == neumann_colons(X2)


def column_from_row(u0):
    u = u0.copy()
    u[..., 2] = u[1]
    return np.sum(u ** 3)


def column_from_row_known(u0):
    u = np.zeros((3, 3))
    u[:] = u0
    u[..., 2] = u[1, ...]
    return np.sum(u ** 3)


@pytest.mark.parametrize("f", [column_from_row, column_from_row_known])
def test_a_column_written_from_a_row_that_crosses_it_is_still_refused(f):
    # NumPy copies u[1] into the column element by element: u[2, 2] gets the new u[1, 2]
    u = np.arange(9.0).reshape(3, 3)
    assert f(u) != np.sum(np.concatenate([u[:, :2], u[1][:, None]], axis=1) ** 3)
    with pytest.raises(s2s.S2SError, match=r"the parts may overlap.*\.copy\(\)"):
        s2s.grad(f)(u)


def generic(u0):  # (the dimension-generic ghost cells of hunt13pde R1)
    u = u0.copy()
    for ax in range(u.ndim):
        a = [slice(None)] * u.ndim
        b = [slice(None)] * u.ndim
        a[ax] = 0
        b[ax] = 1
        u[tuple(a)] = u[tuple(b)]
    return np.sum(u ** 3)


def generic_as_advised(u0):
    u = u0.copy()
    for ax in range(u.ndim):
        a = [slice(None)] * u.ndim
        b = [slice(None)] * u.ndim
        a[ax] = 0
        b[ax] = 1
        u[tuple(a)] = u[tuple(b)].copy()
    return np.sum(u ** 3)


def test_an_index_s2s_does_not_follow_is_refused_for_what_it_is_and_the_advice_works():
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(generic)(X2)
    message = str(info.value)
    assert "s2s cannot tell which parts of 'u' the indexes take" in message
    assert "u[tuple(a)] = u[tuple(b)].copy()" in message
    assert generic_as_advised(X2) == generic(X2)
    check_every_mode(generic_as_advised, X2)


def trajectory(u0, D=0.3):  # (hunt13pde R2)
    U = np.zeros((4, u0.shape[0]))
    U[0] = u0
    prev = U[0]
    for t in range(3):
        U[t + 1] = prev + D * (np.roll(prev, 1) - 2 * prev + np.roll(prev, -1))
        prev = U[t + 1]
    return np.sum(U ** 2)


def trajectory_shifted(u0, D=0.3):  # (the row taken two steps on from the loop's target, at the write and the view)
    U = np.zeros((5, u0.shape[0]))
    U[0] = u0
    U[1] = u0
    prev = U[1]
    for t in range(3):
        U[t + 1 + 1] = prev * (1.0 - D) + D * U[t] ** 2
        prev = U[t + 1 + 1]
    return np.sum(U ** 2)


@pytest.mark.parametrize("f", [trajectory, trajectory_shifted])
def test_a_trajectory_carrying_the_row_it_wrote_as_a_view_is_right_in_every_mode(f):
    check_every_mode(f, U0)
    kept = U0.copy()
    numeric = numeric_grad(f, (U0, 0.3), 1)
    value, gradient = s2s.value_and_grad(f, wrt=1)(U0, 0.3)
    assert value == f(U0, 0.3)
    assert_close(gradient, numeric, what="grad wrt D")
    assert_close(s2s.jvp(f, wrt=1)((U0, 0.3), (1.0,))[1], numeric, what="jvp wrt D")
    for mode in ("forward", "reverse"):
        assert_close(s2s.jacobian(f, wrt=1, mode=mode)(U0, 0.3), numeric, what=f"{mode} jacobian wrt D")
    second = (numeric_grad(f, (U0, 0.3 + 1e-4), 1, 1e-5) - numeric_grad(f, (U0, 0.3 - 1e-4), 1, 1e-5)) / 2e-4
    assert_close(s2s.hessian(f, wrt=1)(U0, 0.3), second, 1e-4, 1e-5, what="hessian wrt D")
    assert np.array_equal(U0, kept)


def trajectory_read_after(u0, D):  # the view read again after a write changed the row it shows
    U = np.zeros((4, u0.shape[0]))
    U[0] = u0
    prev = U[0]
    for t in range(3):
        U[t + 1] = prev * (1.0 - D)
        U[t] *= 2.0
        prev = U[t + 1] + prev
    return np.sum(U ** 2)


def test_a_trajectory_whose_view_a_later_write_changes_is_still_refused():
    with pytest.raises(s2s.S2SError, match="copy it when you take it"):
        s2s.grad(trajectory_read_after, wrt=1)(U0, 0.3)


def trajectory_read_after_the_loop(u0, D=0.3):  # (hunt13pde b34.py, as the hunt wrote it)
    U = np.zeros((4, u0.shape[0]))
    U[0] = u0
    prev = U[0]
    for t in range(3):
        U[t + 1] = prev * (1.0 - D) + D * np.roll(prev, 1)
        prev = U[t + 1]
    return np.sum(U ** 2) + np.sum(prev ** 3)


def trajectory_in_a_while_loop(u0, D=0.3):
    U = np.zeros((4, u0.shape[0]))
    U[0] = u0
    prev = U[0]
    i = 0
    while i < 3:
        U[i + 1] = prev * (1.0 - D) + D * np.roll(prev, 1)
        prev = U[i + 1]
        i += 1
    return np.sum(U ** 2) + np.sum(prev ** 3)


def trajectory_of_no_steps(u0, D=0.3):
    U = np.zeros((4, u0.shape[0]))
    U[0] = u0
    prev = U[0]
    for t in range(0):
        U[t + 1] = prev * (1.0 - D)
        prev = U[t + 1]
    return np.sum(U ** 2) + np.sum(prev ** 3)


@pytest.mark.parametrize("f", [trajectory_read_after_the_loop, trajectory_in_a_while_loop, trajectory_of_no_steps])
def test_the_carried_view_read_after_the_loop_is_right_in_every_mode(f):
    # (after the loop it is the view entering it, or the one the last iteration took after its write)
    check_every_mode(f, U0)


def trajectory_changed_after_the_loop(u0, D=0.3):  # the row prev views changed after the loop: NumPy's prev shows it
    U = np.zeros((4, u0.shape[0]))
    U[0] = u0
    prev = U[0]
    for t in range(3):
        U[t + 1] = prev * (1.0 - D) + D * np.roll(prev, 1)
        prev = U[t + 1]
    U[3] *= 2.0
    return np.sum(U ** 2) + np.sum(prev ** 3)


def trajectory_skipping_a_row(u0, D=0.3):  # the view comes back as another row than the one written
    U = np.zeros((5, u0.shape[0]))
    U[0] = u0
    prev = U[0]
    for t in range(3):
        U[t + 1] = prev * (1.0 - D) + 1.0
        prev = U[t + 2]
    return np.sum(U ** 2)


def trajectory_skipping_a_row_as_advised(u0, D=0.3):
    U = np.zeros((5, u0.shape[0]))
    U[0] = u0
    prev = U[0].copy()
    for t in range(3):
        U[t + 1] = prev * (1.0 - D) + 1.0
        prev = U[t + 2].copy()
    return np.sum(U ** 2)


def test_a_carried_view_s2s_does_not_follow_names_the_loops_write_and_the_advice_works():
    with pytest.raises(s2s.S2SError, match="after line .* changed 'U' in place"):
        s2s.grad(trajectory_changed_after_the_loop)(U0)
    with pytest.raises(s2s.S2SError) as info:  # (it named line 3's write, made before the view was taken)
        s2s.grad(trajectory_skipping_a_row)(U0)
    message = str(info.value)
    line = trajectory_skipping_a_row.__code__.co_firstlineno + 5
    assert f"the loop carries from one iteration to the next while line {line} writes 'U'" in message
    assert "prev = U[0].copy(); prev = U[t + 2].copy()" in message
    assert trajectory_skipping_a_row_as_advised(U0) == trajectory_skipping_a_row(U0)
    check_every_mode(trajectory_skipping_a_row_as_advised, U0)
