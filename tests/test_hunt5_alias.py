"""The view/alias analysis after hunts hunt5sig (items 5, 6) and hunt5np (item 7): false refusals and misleading
messages. An element read at integer positions along every axis of an array whose axes s2s knows (`prev = y[t]`
of y = np.zeros(n)) is a number, a copy, and a later write into the array does not show through it; parts of an
array at integer positions, whole along the other axes (`U[0, :] = U[1, :]`), are the same part or disjoint ones.
Each accepted case is checked in every mode against finite differences; each refusal kept, by its message."""
import inspect

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode
from s2s.errors import UnsupportedSyntaxError

Z3 = np.array([0.3, -1.2, 0.8])


def refused_at(f, x, line_text, match):
    """`s2s.value_and_grad(f)(x)` is refused with a message matching `match`, located at f's line holding
    `line_text`; returns the error."""
    with pytest.raises(UnsupportedSyntaxError, match=match) as info:
        s2s.value_and_grad(f)(x)
    lines, first = inspect.getsourcelines(f)
    assert info.value.lineno == first + next(i for i, text in enumerate(lines) if line_text in text), str(info.value)
    return info.value


# ----------------------------------------------------------------- an element of an array of known axes: a number
def recursive_filter(z):
    y = np.zeros(3)
    prev = 0.0
    for t in range(3):
        y[t] = 0.5 * prev + z[t] * z[t]
        prev = y[t]  # a number: NumPy's prev does not see the next y[t] = ...
    return np.sum(y ** 2) + prev * z[0]


def element_then_write(z):
    m = np.zeros(3)
    m[0] = z[0] * 2.0
    a = m[0]
    m[0] = z[1] * z[2]
    return a * m[0] + np.sum(m * z)


def filter_of_shape_and_len(z):
    m = np.zeros(z.shape[0])
    n = np.ones(len(z))
    mp = 1.0
    for t in range(3):
        m[t] = 0.5 * mp + z[t] ** 2
        mp = m[t]
        n[t] = mp * n[t - 1]
    return np.sum(m ** 2) + np.sum(n)


def matrix_entry(z):
    U = np.zeros((2, 3))
    U[1, 2] = z[0] * z[1]
    a = U[1, 2]
    U[1, 2] = z[2] ** 2
    b = U[1][2]  # (an element of a row of U)
    U[1, 2] = a * b
    return np.sum(U) + a + b


def entry_of_a_copy(z):
    V = np.ones((2, 3)).copy()
    total = 0.0
    for i in range(2):
        for j in range(3):
            V[i, j] = z[j] * (i + 1.0)
            w = V[i, j]
            V[i, j] = w * w
            total = total + w * V[i, j]
    return np.sum(V) + total


@pytest.mark.parametrize("f", [recursive_filter, element_then_write, filter_of_shape_and_len, matrix_entry,
                               entry_of_a_copy])
def test_an_element_of_an_array_of_known_axes_is_a_number(f):
    check_every_mode(f, Z3, exact=True)


def test_the_recursive_filter_has_its_analytic_gradient():
    # y0 = z0^2, y1 = y0/2 + z1^2, y2 = y1/2 + z2^2; f = y0^2 + y1^2 + y2^2 + y2 z0
    z0, z1, z2 = Z3
    y0 = z0 ** 2
    y1 = 0.5 * y0 + z1 ** 2
    y2 = 0.5 * y1 + z2 ** 2
    b2 = 2 * y2 + z0
    b1 = 2 * y1 + 0.5 * b2
    b0 = 2 * y0 + 0.5 * b1
    expected = [b0 * 2 * z0 + y2, b1 * 2 * z1, b2 * 2 * z2]
    np.testing.assert_allclose(s2s.grad(recursive_filter)(Z3), expected, rtol=1e-12)


def filter_of_zeros_like(z):
    y = np.zeros_like(z)
    prev = 0.0
    for t in range(3):
        y[t] = 0.5 * prev + z[t]
        prev = y[t]  # refused: a number if y is a vector, s2s cannot tell
    return np.sum(y ** 2)


def element_of_a_copy(z):
    m = z.copy()
    a = m[0]
    m[0] = z[1]
    return a * m[0]  # refused


def row_of_a_matrix(z):
    U = np.ones((2, 3))
    row = U[0]  # a view: NumPy's row shows the write below
    U[0, 1] = z[0]
    return np.sum(row * z)  # refused


def test_an_element_of_an_array_of_unknown_axes_is_refused_saying_both_what_it_may_be():
    error = refused_at(filter_of_zeros_like, Z3, "prev = y[t]", r"'prev' holds an element from one iteration to the "
                       r"next \(y\[t\]: a number if 'y' has 1 axis, but a view of 'y' if it has more")
    assert "prev = float(y[t])" in error.hint and "prev = y[t].copy()" in error.hint
    error = refused_at(element_of_a_copy, Z3, "return a * m[0]", r"reading 'a' from line \d+ \(m\[0\]: a number if "
                       r"'m' has 1 axis")
    assert "a = float(m[0])" in error.hint


def test_a_row_of_a_matrix_is_still_a_view():
    error = refused_at(row_of_a_matrix, Z3, "return np.sum(row * z)", r"reading 'row' from line \d+, a view of 'U'")
    assert "would show that change" in error.hint


def rebound_to_a_matrix(x):
    y = np.zeros(2)
    s = 0.0
    for t in range(2):
        a = y[0]  # a number in the first iteration, a row of the matrix below in the second
        y += x[t]  # refused where a still reads the array it changes (NumPy's a shows it)
        s = s + np.sum(a)
        y = np.ones((2, 2)) * x[t]
    return s + np.sum(y)


def test_an_array_a_loop_rebinds_to_one_of_other_axes_has_no_known_axes():
    with pytest.raises(s2s.S2SError, match=r"'y \+= x\[t\]' would change an array in place"):
        s2s.value_and_grad(rebound_to_a_matrix)(np.array([1.0, 2.0]))


def test_float_of_the_element_is_accepted_where_the_axes_are_not_known():
    def filtered(z):
        y = np.zeros_like(z)
        prev = 0.0
        for t in range(3):
            y[t] = 0.5 * prev + z[t]
            prev = float(y[t])
        return np.sum(y ** 2)
    check_every_mode(filtered, Z3)


# ----------------------------------------------------------------- rows and columns written from others of the array
def neumann_boundary(z):
    U = np.outer(z, z) + 0.0
    U[0, :] = U[1, :]  # rows 0 and 1: disjoint
    U[:, 2] = U[:, 0]  # columns: disjoint
    U[1, :] = U[1, :]  # the same row: as it was
    U[2] = U[1, :]  # (U[2] is U[2, :])
    return np.sum(U ** 3)


def neumann_in_a_loop(z):
    U = np.outer(z, z + 1.0)
    for k in range(1, 3):
        U[k, :] = U[k - 1, :] * 0.5 + U[k, :]
        U[0, :] = U[1, :]
    return np.sum(U ** 2)


@pytest.mark.parametrize("f", [neumann_boundary, neumann_in_a_loop])
def test_a_row_written_from_another_row_is_exact(f):
    check_every_mode(f, Z3, exact=True)


def test_the_neumann_boundary_has_its_analytic_value():
    U = np.outer(Z3, Z3)
    U[0, :] = U[1, :].copy()
    U[:, 2] = U[:, 0].copy()
    U[2] = U[1, :].copy()
    assert s2s.value_and_grad(neumann_boundary)(Z3)[0] == np.sum(U ** 3)


def row_from_a_column(z):
    U = np.outer(z, z)
    U[0, :] = U[:, 1]  # refused: row 0 and column 1 share U[0, 1]
    return np.sum(U)


def test_a_row_written_from_a_column_is_refused():
    error = refused_at(row_from_a_column, Z3, "U[0, :] = U[:, 1]", "writing into 'U' a value that may be a view of 'U'")
    assert error.hint.endswith("U[0, :] = U[:, 1].copy()")


# ----------------------------------------------------------------- messages that name what the user wrote
def written_through_and(x):
    y = x * 1.0
    v = x.size > 0 and y
    v[0] = 3.0 * x[1]
    return np.sum(y * x)  # refused: NumPy's y is v on one path


def test_a_write_through_an_and_names_the_users_variable():
    error = refused_at(written_through_and, Z3, "return np.sum(y * x)", r"after line \d+ wrote into 'v', which")
    assert "v = np.copy(v)" in error.hint and "t3" not in str(error)


def list_written_in_a_loop(z):
    y = [0.0, 0.0, 0.0]
    for t in range(3):
        y[t] = z[t] * 2.0  # (refused until fix16listw: a slot of the list rebound)
    return sum(y)


def list_written_in_nested_loops(z):
    y = [0.0] * 3
    for s in range(2):
        for t in range(3):
            y[t] = z[t] * 2.0  # refused
    return sum(y)


def row_written(z):
    M = np.zeros((2, 3))
    row = M[0]
    row[1] = z[0]  # refused
    return np.sum(M) + z[1]


def argument_written(z):
    z[0] = 1.0  # refused
    return np.sum(z)


def test_an_element_write_into_a_list_or_a_view_the_function_made_says_what_it_is():
    assert_close(check_every_mode(list_written_in_a_loop, Z3), np.full(3, 2.0))  # (a list display written by item)
    # (`y = [0.0] * 3` written by item is a list made as the code runs, as `[0.0] * n` is: hunt12ctl F2)
    assert_close(check_every_mode(list_written_in_nested_loops, Z3), np.full(3, 2.0))
    error = refused_at(row_written, Z3, "row[1] = z[0]", "assignment to an element of 'row', a view of another array")
    assert "row = np.copy(row)" in error.hint
    refused_at(argument_written, Z3, "z[0] = 1.0", "assignment to an element of 'z', which the function did not create")


# ----------------------------------------------------------------- NumPy 2's x.mT, np.unstack; np.rollaxis
X3D = np.arange(24.0).reshape(2, 3, 4) / 10 - 0.9
W3D = np.linspace(0.1, 0.5, 24)


def matrix_transpose_attribute(x):
    return np.sum(x.mT @ x) + np.sum(np.sin(x).mT[1] * x[0].T)


def rolled_to_the_front(x):
    return np.sum(np.rollaxis(x, 2) ** 2 * W3D.reshape(4, 2, 3))


def rolled_to_the_end(x):
    return np.sum(np.rollaxis(x, 0, 3) ** 3 * W3D.reshape(3, 4, 2))


def rolled_from_the_end(x):
    return np.sum(np.rollaxis(x, -1, -2) ** 3 * W3D.reshape(2, 4, 3))


def unstacked(x):
    return np.sum(np.unstack(x)[1] ** 2 * np.unstack(x)[0])


def unstacked_along_an_axis(x):
    a, b, c, d = np.unstack(np.sin(x), axis=2)
    return np.sum(a * b + c ** 2 * d)


@pytest.mark.parametrize("f", [matrix_transpose_attribute, rolled_to_the_front, rolled_to_the_end,
                               rolled_from_the_end, unstacked, unstacked_along_an_axis])
def test_numpy_2_views_differentiate_in_every_mode(f):
    if not hasattr(np, "unstack"):
        pytest.skip("NumPy 2's x.mT and np.unstack")
    check_every_mode(f, X3D, exact=True)


def test_rollaxis_is_read_as_the_moveaxis_numpy_makes_or_refused():
    from s2s import ir
    from s2s.rules.linear import _rolled
    x = np.arange(120.0).reshape(2, 3, 4, 5)
    read = 0
    for axis in range(-4, 4):
        for start in range(-4, 5):
            moved = _rolled((ir.Var("x"), ir.Const(axis), ir.Const(start)))
            if moved is not None:
                read += 1
                assert np.array_equal(np.moveaxis(x, moved[1].value, moved[2].value), np.rollaxis(x, axis, start))
                assert np.moveaxis(x, moved[1].value, moved[2].value).shape == np.rollaxis(x, axis, start).shape
    assert read == 40  # (every start=0, and the axes of one sign)


def rolled_across_signs(x):
    return np.sum(np.rollaxis(x, -1, 1) ** 2)  # refused: where axis -1 ends depends on x.ndim


def transposed_view_read_after_write(x):
    y = x * 1.0
    v = y.mT
    y[0, 0, 0] = 5.0
    return np.sum(v)  # refused: NumPy's v shows the write


def unstacked_views_read_after_write(x):
    y = x * 1.0
    parts = np.unstack(y, axis=1)
    y[0, 0, 0] = 5.0
    return np.sum(parts[0])  # refused


def rolled_view_written(x):
    y = x * 1.0
    v = np.rollaxis(y, 2)
    v[0, 0, 0] = 5.0  # refused: writes y
    return np.sum(y)


def test_the_numpy_2_views_are_views_and_a_rollaxis_across_signs_is_refused():
    if not hasattr(np, "unstack"):
        pytest.skip("NumPy 2's x.mT and np.unstack")
    with pytest.raises(s2s.NonDifferentiableError, match="np.rollaxis with these arguments") as info:
        s2s.grad(rolled_across_signs)(X3D)
    assert "np.moveaxis(x, -1, 1)" in str(info.value)
    refused_at(transposed_view_read_after_write, X3D, "return np.sum(v)", "reading 'v' from line \\d+, a view of 'y'")
    error = refused_at(unstacked_views_read_after_write, X3D, "return np.sum(parts[0])", "reading 'parts'")
    assert "parts = tuple(v.copy() for v in np.unstack(y, axis=1))" in error.hint
    refused_at(rolled_view_written, X3D, "v[0, 0, 0] = 5.0", "assignment to an element of 'v', a view")


# ----------------------------------------------------------------- buffers swapped each step: refused, saying what to write
Z4 = np.array([0.3, 0.6, 0.9, 0.15])


def pingpong_in_place(a0):
    a = a0 * 1.0
    b = a0[::-1] * 1.0
    for t in range(3):  # refused
        a += 0.5 * b ** 2
        a, b = b, a
    return np.sum(a * b)


def pingpong_as_new_values(a0):  # what the refusal advises
    a = a0 * 1.0
    b = a0[::-1] * 1.0
    for t in range(3):
        a = a + 0.5 * b ** 2
        a, b = b, a
    return np.sum(a * b)


def heat_with_swapped_buffers(u0):
    u = u0 * 1.0
    un = np.zeros_like(u)
    for t in range(3):  # refused
        un[1:-1] = u[1:-1] + 0.1 * (u[2:] - 2 * u[1:-1] + u[:-2])
        u, un = un, u
    return np.sum(u ** 2)


def heat_with_a_new_array_each_step(u0):  # what the refusal advises (un's zero ends kept, as the swap keeps them)
    u = u0 * 1.0
    un = np.zeros_like(u)
    for t in range(3):
        un = un.copy()
        un[1:-1] = u[1:-1] + 0.1 * (u[2:] - 2 * u[1:-1] + u[:-2])
        u, un = un, u
    return np.sum(u ** 2)


def test_swapped_buffers_are_refused_saying_what_to_write():
    error = refused_at(pingpong_in_place, Z4, "for t in range(3):", r"a loop that changes 'a' in place, then swaps "
                       r"it with 'b' \(a, b = b, a")
    assert "a = a + ..." in error.hint and "shows the later change" not in str(error)
    error = refused_at(heat_with_swapped_buffers, Z4, "for t in range(3):", r"write into 'un' while the name is "
                       r"rebound to another array \('u'\)")
    assert "un = un.copy()" in error.hint  # (un = u.copy() would keep u's ends where NumPy's swap keeps un's zeros)
    assert heat_with_a_new_array_each_step(Z4) == heat_with_swapped_buffers(Z4)


@pytest.mark.parametrize("f", [pingpong_as_new_values, heat_with_a_new_array_each_step])
def test_what_the_swap_refusals_advise_is_exact(f):
    check_every_mode(f, Z4, exact=True)
