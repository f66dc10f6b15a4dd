"""False refusals of the alias stage (hunt round 7): element writes whose value may be a view of the array written.
NumPy reads an overlapping value whole before writing (so the write stores the value as it was, which is s2s's
value of it) where the written part has two or more axes or the parts step through a vector in opposite
directions; where they step alike through a vector it copies in the direction that reads each element before
writing it. `m[k] = max(m[k], x[i])` stores one of max's operands. Each accepted case is checked in every mode
against finite differences (and its value against the function run by NumPy); each refusal kept, by its message."""
import inspect

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad
from s2s.errors import S2SError, UnsupportedSyntaxError

X4 = np.array([0.3, 1.2, -0.7, 0.5])
WEIGHTS = np.arange(16.0).reshape(4, 4)


def refused_at(f, args, line_text, match):
    """`s2s.value_and_grad(f)(*args)` is refused with a message matching `match`, located at f's line holding
    `line_text`; returns the error."""
    with pytest.raises(UnsupportedSyntaxError, match=match) as info:
        s2s.value_and_grad(f)(*args)
    lines, first = inspect.getsourcelines(f)
    assert info.value.lineno == first + next(i for i, text in enumerate(lines) if line_text in text), str(info.value)
    return info.value


def check_modes(f, args):
    """f(*args) (a number) by value_and_grad, jvp and the forward Jacobian with respect to args[0], against f run by
    NumPy and finite differences; the caller's arrays left as they were."""
    kept = [np.copy(a) for a in args]
    numeric = numeric_grad(f, args, 0)
    value, gradient = s2s.value_and_grad(f)(*args)
    assert value == pytest.approx(f(*args), rel=1e-12)
    assert_close(gradient, numeric, what=f"{f.__name__}: grad")
    v = np.linspace(-1.0, 1.0, np.size(args[0])) + 0.25
    primal, tangent = s2s.jvp(f)(tuple(args), (v,))
    assert primal == pytest.approx(f(*args), rel=1e-12)
    assert_close(tangent, np.sum(numeric * v), what=f"{f.__name__}: jvp")
    assert_close(s2s.jacobian(f, mode="forward")(*args), numeric, what=f"{f.__name__}: forward jacobian")
    assert all(np.array_equal(a, b) for a, b in zip(args, kept))


# ----------------------------------------------------------------- rows at integer positions given at run time
def ghost_cell(u, n):
    v = u * 1.0
    v[n - 1] = v[n - 2]  # a row of v if it has two axes: the same row or another one
    return np.sum(v ** 2)


def rows_of_a_matrix(x, n):
    v = np.outer(x, x)
    v[n - 1] = v[n - 2]  # n an array: rows written at once, each with row n - 2 (the same row: with itself)
    return np.sum(v ** 3 * WEIGHTS)


def test_a_row_copied_to_another_given_at_run_time_is_exact():
    """`v[n - 1] = v[n - 2]` was refused ('a value that may be a view of v itself') where `v[2] = v[1]` was accepted:
    an integer given at run time (or an array of them) picks the same row or another one, or reads a copy."""
    check_modes(ghost_cell, (np.arange(5.0) / 3, 5))
    check_modes(rows_of_a_matrix, (X4, 3))
    check_modes(rows_of_a_matrix, (X4, np.array([1, 2, 4])))


# ----------------------------------------------------------------- max and min of two: one of the operands
def segment_max(x, seg):
    m = np.full(3, -1e9)
    for k in range(len(seg)):
        m[seg[k]] = max(m[seg[k]], x[k])  # the same element, written with itself or with x[k]
    return np.sum(m)


def cell_update(x):
    D = np.outer(x, x)
    D[0, 1] = min(D[0, 1], D[1, 0] + 1.0)
    D[1, 2] = max(D[1, 2], 0.3)
    return D.sum()


def clipped_from_another(x):
    m = x * 1.0
    m[0] = max(m[1], 0.5)
    return np.sum(m ** 2)


def floyd_warshall(x):
    D = np.outer(x, x)
    for k in range(4):
        for i in range(4):
            for j in range(4):
                D[i, j] = min(D[i, j], D[i, k] + D[k, j])
    return D.sum()


def test_max_or_min_of_two_written_into_the_array_is_exact():
    """`m[s] = max(m[s], x[k])`, `D[0, 1] = min(D[0, 1], ...)`, `m[0] = max(m[1], 0.5)` were refused, though max of two
    returns one of its operands: each is written as that operand would be."""
    check_modes(segment_max, (np.array([0.3, 1.5, -0.2, 0.8]), np.array([0, 2, 0, 1])))
    check_every_mode(cell_update, X4, hessian=False)
    check_every_mode(clipped_from_another, X4, hessian=False)
    check_every_mode(floyd_warshall, X4, hessian=False)


# ----------------------------------------------------------------- parts NumPy reads whole, or in a safe order
def reversed_halves(x):
    y = x * 2.0
    y[:3] = y[3:][::-1]  # a view of a view, stepping the other way: copied first
    return np.sum(y ** 3)


def column_reversed(x):
    y = np.outer(x, x)
    y[:, 1] = y[::-1, 1]
    for i in range(2):
        y[:, i] = y[::-1, i + 1]
    y[0] = y[1][::-1]
    y[1:, 1:] = y[:-1, :-1]  # two axes: copied first
    return np.sum(y ** 3 * WEIGHTS)


def integer_column_reversed(x):
    e = np.arange(16).reshape(4, 4)
    e2 = e.copy()
    e2[:, 1] = e2[::-1, 1]
    return np.sum(x * e2[0])


def test_parts_read_whole_before_the_write_are_exact():
    """`y[:3] = y[3:][::-1]`, `y[:, 1] = y[::-1, 1]`, `e2[:, 1] = e2[::-1, 1]` were refused: integers at the same
    axes, and slices stepping through a vector in opposite directions (NumPy copies the part read first)."""
    for f in (reversed_halves, column_reversed, integer_column_reversed):
        check_every_mode(f, X4 if f is not reversed_halves else np.arange(6.0) + 0.5, hessian=f is column_reversed)
    x = np.arange(6.0) + 0.5  # reversed_halves is 16 * (x[3] ** 3 + x[4] ** 3 + x[5] ** 3)
    assert_close(s2s.hessian(reversed_halves)(x), np.diag([0.0, 0.0, 0.0, *(96 * x[3:])]), what="hessian")


def strides_differ_in_a_view(x):
    y = x * 2.0
    z = y[1:]
    y[:2] = z[::2]  # steps 1 and 2 through one vector: NumPy may read an element already written
    return np.sum(y)


def column_at_run_time(x, i):
    y = np.outer(x, x)
    y[:, i] = y[:, 2]  # i an array of integers: each row gets column 2 along it, in an order of NumPy's own
    return np.sum(y)


def column_said_to_be_an_integer(x, i):  # what the message on column_at_run_time advises
    y = np.outer(x, x)
    i = int(i)
    y[:, i] = y[:, 2]
    return np.sum(y ** 3 * WEIGHTS)


def test_parts_numpy_may_read_after_writing_stay_refused():
    refused_at(strides_differ_in_a_view, (X4,), "y[:2] = z[::2]", "a value that may be a view of 'y' itself")
    error = refused_at(column_at_run_time, (X4, 1), "y[:, i] = y[:, 2]", "a value that may be a view of 'y' itself")
    assert error.hint.endswith("y[:, i] = y[:, 2].copy(); or, if 'i' is an integer, say so (i = int(i)): parts at "
                               "integers are the same or disjoint"), error.hint
    check_modes(column_said_to_be_an_integer, (X4, 1))


# ----------------------------------------------------------------- a loop's name holding a row of the table it fills
def rows_from_the_row_before(x):
    R = np.zeros((3, 3))
    prev = R[0]  # a view of row 0, read in the first iteration before any write
    for i in range(3):
        R[i] = x * (i + 1) + prev
        prev = R[i]  # a view of the row just written, read in the next iteration before its write
    return np.sum(R ** 2)


def row_read_after_a_write(x):
    R = np.zeros((3, 3))
    prev = R[0]
    for i in range(3):
        R[i] = x * (i + 1)
        R[i] = R[i] + prev  # NumPy's prev is row 0 as just written, in the first iteration
        prev = R[i]
    return np.sum(R ** 2)


def row_kept_over_a_continue(x):
    R = np.zeros((3, 3))
    prev = R[0]
    for i in range(3):
        R[i] = x * (i + 1) + prev
        if i == 0:
            continue  # prev is still row 0, which the next iteration reads as written
        prev = R[i]
    return np.sum(R ** 2)


def test_a_row_view_read_before_each_iterations_write_is_exact():
    """`prev = R[0]` before a loop writing `R[i] = x * (i + 1) + prev; prev = R[i]` was refused, and the advice
    (`R[i] = (x * (i + 1) + prev).copy()`) gave the same refusal with `.copy().copy()`: each read of prev comes
    before the iteration's write, so NumPy's view shows the rows as s2s's values hold them."""
    check_every_mode(rows_from_the_row_before, np.array([0.3, 1.2, -0.7]))
    for f, line in ((row_read_after_a_write, "R[i] = R[i] + prev"), (row_kept_over_a_continue, "R[i] = x * (i")):
        error = refused_at(f, (np.array([0.3, 1.2, -0.7]),), line, "reading 'prev' \\(taken on lines")
        assert error.hint.endswith("copy it when you take it (prev = R[0].copy(); prev = R[i].copy())"), error.hint
        assert "copy().copy()" not in str(error)


# ----------------------------------------------------------------- an in-place operator on a row: its own name
def normalised_rows(x):
    alpha = np.outer(x, x)
    for t in range(3):
        row = alpha[t]
        s = row.sum()
        row /= s  # NumPy changes alpha's row t
    return np.sum(alpha ** 2)


def normalised_rows_by_name(x):  # what the message on normalised_rows advises
    alpha = np.outer(x, x)
    for t in range(3):
        row = alpha[t]
        s = row.sum()
        alpha[t] = row / s
    return np.sum(alpha ** 2)


def test_an_in_place_operator_on_a_row_advises_writing_the_row_by_the_arrays_name():
    """`row = alpha[t]; row /= s` advised 'row = row / s' or copying, both of which drop the change of alpha NumPy
    makes; it now advises `alpha[t] = row / s`, which is exact."""
    with pytest.raises(S2SError, match=r"write into it by its own name \(alpha\[t\] = row / s, an element write"):
        s2s.grad(normalised_rows)(X4)
    check_every_mode(normalised_rows_by_name, X4, hessian=False)


# ----------------------------------------------------------------- a row of the row before: other rows written
def edit_distance(x):
    y = np.array([0.1, 0.9])
    D = np.zeros((4, 3))
    for i in range(1, 4):
        up = D[i - 1]  # row i - 1; the writes below go to row i (i from 1: both rows at least 0, and different)
        D[i, 0] = i
        for j in range(1, 3):
            D[i, j] = min(up[j] + 1, D[i, j - 1] + 1, up[j - 1] + (x[i - 1] - y[j - 1]) ** 2)
    return D[3, 2]


def first_row_kept(x):
    D = np.zeros((4, 3))
    D[0] = x
    top = D[0]
    for i in range(1, 4):
        D[i] = top * i + x  # rows from 1: row 0 as written before the loop
    return np.sum(D ** 2) + np.sum(top * x)


def next_row_read(x):
    D = np.outer(np.ones(4), x)
    for i in range(3):
        nxt = D[i + 1]
        D[i] = D[i] * 2.0
        D[i, 0] = nxt[0] + nxt[1] * x[2]  # a part of row i + 1, which the writes into row i leave alone
    return np.sum(D ** 2)


def row_of_a_range_from_zero(x):
    D = np.zeros((4, 3))
    for i in range(0, 4):
        up = D[i - 1]  # i = 0: row -1, which is row 0 where D has one row
        D[i] = x * (i + 1)
        D[i, 0] = up[1] + x[0]
    return np.sum(D ** 2)


def row_written_in_the_loop(x):
    D = np.zeros((5, 3))
    D[0] = x
    top = D[1]
    for i in range(2, 5):
        D[i - 1] = top * i + x  # row 1 in the first iteration: NumPy's top shows it in the next
    return np.sum(D ** 2)


def test_a_row_read_while_other_rows_are_written_is_exact():
    """`up = D[i - 1]` read while the loop writes `D[i, 0]` and `D[i, j]` (an edit distance's table) was refused
    ('reading up after line N changed D in place'), counting writes without telling rows apart: integers along one
    axis, each a constant or a range's target counting up from a constant (plus or minus a constant), both at least
    0 and different, are different rows. Where a row may be the same (a range from 0: row -1; row 1 written by
    `D[i - 1]` of i from 2), refused, advising the copy as the user took it."""
    x = np.array([0.3, 1.2, -0.7])
    for f in (edit_distance, first_row_kept, next_row_read):
        check_every_mode(f, x, hessian=False)
    error = refused_at(row_of_a_range_from_zero, (x,), "D[i, 0] = up[1]", "reading 'up' from line")
    assert "copy it when you take it (up = D[i - 1].copy())" in error.hint, error.hint
    refused_at(row_written_in_the_loop, (x,), "D[i - 1] = top", "reading 'top' from line")


def row_view_then_its_row_written_again(x):
    R = np.zeros((3, 2))
    R[0] = x
    prev = R[0]
    for i in range(1, 3):
        R[i] = prev ** 2
        R[i - 1] = R[i - 1] * 2.0  # the row prev views, written after prev was read
        prev = R[i]
    return np.sum(R)


def test_a_row_view_whose_row_is_written_again_is_refused():
    """Regressions hunt (round 7): accepted by 2b112df, this gave right first derivatives but a wrong Hessian
    ([6.16, 38.56] for [5.08, 21.28]): the gradient saved the view itself, which the Hessian's forward sweep reads
    without the restores of R. A loop's view is kept over iterations only where the loop's one write is the row
    it views, at the integer a range counts."""
    with pytest.raises(s2s.S2SError, match="'prev'"):
        s2s.hessian(row_view_then_its_row_written_again)(np.array([0.3, -1.2]))
