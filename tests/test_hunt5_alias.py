"""The view/alias analysis after hunts hunt5sig (items 5, 6) and hunt5np (item 7): false refusals and misleading
messages. An element read at integer positions along every axis of an array whose axes s2s knows (`prev = y[t]`
of y = np.zeros(n)) is a number, a copy, and a later write into the array does not show through it; parts of an
array at integer positions, whole along the other axes (`U[0, :] = U[1, :]`), are the same part or disjoint ones.
Each accepted case is checked in every mode against finite differences; each refusal kept, by its message."""
import inspect

import numpy as np
import pytest

import s2s
from conftest import check_every_mode
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
        y[t] = z[t] * 2.0  # refused
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
    for f in (list_written_in_a_loop, list_written_in_nested_loops):
        error = refused_at(f, Z3, "y[t] = z[t] * 2.0", "assignment to an element of the list 'y'")
        assert "y = np.zeros(n)" in error.hint and "did not create" not in str(error)
    error = refused_at(row_written, Z3, "row[1] = z[0]", "assignment to an element of 'row', a view of another array")
    assert "row = np.copy(row)" in error.hint
    refused_at(argument_written, Z3, "z[0] = 1.0", "assignment to an element of 'z', which the function did not create")
