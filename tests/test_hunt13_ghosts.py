"""Round 13's PDE hunt (hunt13pde R1): a false refusal with a wrong explanation.

R1: a ghost-cell copy written with an Ellipsis (`u[..., 0] = u[..., 1]`, `u[0, ...] = u[-1, ...]`, through a view
`v = u[..., 1]`, in 2-D and 3-D) was refused as "a value that may be a view of 'u' itself" that "NumPy may read ...
after the write changed it", though the same copy spelled with `:`s (`u[:, 0] = u[:, 1]`) was accepted: the parts
were not compared where an index held an Ellipsis. An Ellipsis now stands for the `:`s it spells, for each number of
axes the array may have, so the Ellipsis forms are accepted where the `:` forms are, and refused where those are
(`u[..., 2] = u[1]`, a column and a row NumPy copies element by element). An index s2s does not follow
(`u[tuple(a)] = u[tuple(b)]` of lists of slices) is still refused, now saying that s2s cannot tell the parts apart.

Every accepted form is checked in every mode against finite differences; a truly overlapping write (`u[1:] =
u[:-1]`) is kept right."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode

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
