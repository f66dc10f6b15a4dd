"""What an element-write loop's gradient saves (issue 13, the cost hunt's C6), and that it stays exact.

`y[i - 1]` read three times in one line is one read (the pipeline's `cse` stage, before differentiation), one
saved value and one adjoint added into y's; an element saved is a number, not a 0-d array of it
(`rt.copy_saved`, where np.copy of a NumPy number took ~3 us and slowed every later operation on it); a fresh
buffer whose loop pushes copies of what it reads needs no restores (no `y_old`). Each program is checked in
every mode against central differences, with arrays of rows (whose reads are views) beside numbers.
"""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad


def euler(p):
    y = np.zeros(6)
    y[0] = p[1]
    for i in range(1, 6):
        y[i] = y[i - 1] + 0.1 * (-p[0] * y[i - 1] + np.sin(y[i - 1]))
    return np.sum(y ** 2)


def euler_rows(p):
    """The same recurrence on rows: y[i - 1] is a view of y, which later writes must not change."""
    y = np.zeros((6, 2))
    y[0] = p[1:]
    for i in range(1, 6):
        y[i] = y[i - 1] + 0.1 * (-p[0] * y[i - 1] + np.sin(y[i - 1]))
    return np.sum(y ** 2)


def reads_the_buffer(p):
    """The adjoint reads y's values as they were (np.sum(y * p) in every iteration): restores stay."""
    y = np.zeros(3)
    s = 0.0
    for i in range(3):
        y[i] = p[i] * p[i]
        s = s + np.sum(y * p)
    return s


def overwrites_what_it_read(p):
    """Each iteration overwrites the element the next one reads twice, in a buffer made from p."""
    y = p * 1.0
    for i in range(1, 3):
        y[i - 1] = y[i] * y[i] + np.tanh(y[i])
    return np.sum(y * y)


@pytest.mark.parametrize("f, p", [(euler, [0.3, 0.5]), (euler_rows, [0.3, 0.5, -0.4]),
                                  (reads_the_buffer, [0.5, -1.2, 0.7]),
                                  (overwrites_what_it_read, [0.4, -0.3, 0.9])])
def test_every_mode_against_finite_differences(f, p):
    check_every_mode(f, np.array(p))


def test_the_euler_loop_saves_one_number_per_iteration():
    src = s2s.grad(euler).source
    # the read y[i - 1] once (and -p[0]); an element of np.zeros(6) is a number: no shape saved per iteration
    assert src.count("_saved = []") <= 2 and "_shape" not in src, src
    assert "np.copy(" not in src.split("for i_1")[0].split("for i in")[1], src  # no copy per element
    assert "rt.copy_saved(" in src and "y_old" not in src, src
    assert src.count("rt.add_at(") == 1, src  # the three reads' adjoints added at once


def test_a_copy_saved_keeps_numbers_and_copies_arrays():
    from s2s import runtime as rt
    row = np.ones(3)
    assert rt.copy_saved(np.float64(1.5)) == 1.5 and type(rt.copy_saved(np.float64(1.5))) is np.float64
    kept = rt.copy_saved(row)
    row[0] = 7.0
    assert kept[0] == 1.0
    assert rt.copy_adjoint(2.5) == 2.5 and rt.copy_adjoint(row) is not row


def test_two_rows_of_a_written_array_read_in_one_line():
    """Rows read twice under two names and a row of the result written back (the copies are of views)."""
    def f(p):
        y = np.outer(np.ones(3), p)
        for i in range(1, 3):
            a = y[i - 1]
            b = y[i - 1]
            y[i] = a * b + np.sin(a)
        return np.sum(y[2] ** 2)
    p = np.array([0.3, -0.6])
    assert_close(s2s.grad(f)(p), numeric_grad(f, (p,), 0), what="grad")
    check_every_mode(f, p)


# ---------------------------------------------------------------- which reads are elements (ad/elements.py)
def shape_slice_index(x):
    # a shape's slice used as an index: U[k] with k a tuple
    U = np.zeros((3, 2))
    k = x.shape[1:]
    for i in range(3):
        U[i] = x[i] * 2.0
    return np.sum(U[(1,)] * x[0]) + np.sum(U)
def rows_columns_elements(x):
    U = np.zeros((4, 3))
    for t in range(4):
        U[t] = np.sin(x) * t
    r = U[1]          # a row, not an element
    e = U[2, 1]       # an element
    c = U[:, 1]       # a column
    return np.sum(r * x) + e * x[0] + np.sum(c ** 2)
def rank_unknown(x, n):
    U = np.zeros(n)   # n a parameter: its rank unknown
    for i in range(3):
        U[i] = x[i] * x[0]
    return np.sum(U * U)
def two_columns(x):
    m = x.shape[0]
    U = np.full((m, 2), 0.5)
    for i in range(m):
        U[i, 0] = U[i - 1, 1] * x[i] + U[i, 1]
        U[i, 1] = np.tanh(U[i, 0]) * x[i - 1]
    return np.sum(U ** 2)


@pytest.mark.parametrize("f", [shape_slice_index, rows_columns_elements, two_columns])
def test_reads_of_known_rank_against_finite_differences(f):
    check_every_mode(f, np.array([0.7, -0.4, 1.1]))


@pytest.mark.parametrize("n", [3, (3, 2)])
def test_a_buffer_of_unknown_rank(n):
    """np.zeros(n) of a parameter n: a row where n is a tuple, so U[i] is no known number."""
    x = np.array([0.7, -0.4, 1.1])
    assert_close(s2s.grad(rank_unknown)(x, n), numeric_grad(rank_unknown, (x, n), 0), what="grad")
