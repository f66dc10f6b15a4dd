"""Round 9 linear-algebra hunt (hunt9la), W0 and W2: forward mode's in-place element writes.

W0: forward mode (jvp, jacobian(mode="forward"), hessian) of a loop whose body writes an element and then leaves
the iteration (`if x[i] < 0: y[i] = -x[i]; continue`) lost that write's tangent: the fall-through path wrote the
tangent array in place (`dy[i] = dv`), the branch built a new one (`rt.setitem_adjoint(dy, i) + ...`) and handed it
to the loop by the continue's (or break's) values, which ad/forward_writes.py did not count among the values of the
loop's phi; the loop carried on with the array written in place (jvp [0, 0] where differences give [0, -1]). The
values a loop's `continue`s and `break`s give its phis are now joins like the back edge (ownership, sharing,
versions of one array), and what is live at a jump is what the jump gives the phis.
W2: jvp of a loop writing floats into an int buffer made by np.zeros_like / np.empty_like / np.full_like with
dtype=int took the buffer for floats (its first argument's type) and wrote the tangent in place, ignoring
NumPy's truncation (jvp 4.2 where differences give 2.0): a `dtype=` says what the array holds.
Every derivative checked against central differences.
"""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad


def helper_write(y, i, v):
    y[i] = v
    return y


# ----- W0: functions of a vector with a vector result
def continue_zeros(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        if x[i] < 0:
            y[i] = -x[i]
            continue
        y[i] = x[i] * 2.0
    return y


def continue_copy(x):
    y = x.copy()
    for i in range(len(x)):
        if x[i] < 0:
            y[i] = -x[i] ** 3
            continue
        y[i] = x[i] ** 2
    return y


def break_scan(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        if x[i] < 0:
            y[i] = x[i] * x[0]
            break
        y[i] = np.sin(x[i])
    return y


def elif_continue(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        if x[i] < -0.5:
            y[i] = x[i] ** 2
            continue
        elif x[i] < 0.0:
            y[i] = 3.0 * x[i]
            continue
        y[i] = np.exp(x[i])
    return y


def nested_table(x):
    n = len(x)
    M = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if x[j] < 0:
                M[i, j] = x[i] * x[j]
                continue
            M[i, j] = x[i] + x[j] ** 2
    return M.ravel()


def inplace_operator(x):
    y = x.copy()
    for i in range(len(x)):
        if x[i] < 0:
            y[i] *= -2.0
            continue
        y[i] += x[i] ** 2
    return y


def row_write(x):
    M = np.zeros((len(x), 2))
    for i in range(len(x)):
        if x[i] < 0:
            M[i, :] = x[i] * np.array([1.0, 2.0])
            continue
        M[i, :] = x[i] ** 2
    return M.ravel()


def for_else(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        if x[i] > 1.0:
            y[i] = 5.0 * x[i]
            break
        y[i] = x[i] ** 2
    else:
        y[0] = -x[0]
    return y


def for_else_only(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        if x[i] > 1.0:
            y[i] = 5.0 * x[i]
            break
    else:
        y[0] = -x[0]
    return y * 1.0


def inner_break(x):
    n = len(x)
    M = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if j >= i:
                M[i, j] = x[i] ** 2
                break
            M[i, j] = x[i] * x[j]
    return M.ravel()


def helper_continue(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        if x[i] < 0:
            y = helper_write(y, i, x[i] ** 3)
            continue
        y[i] = x[i] * 2.0
    return y


def two_arrays(x):
    y = np.zeros(len(x))
    z = np.zeros(len(x))
    for i in range(len(x)):
        z[i] = x[i] ** 2
        if x[i] < 0:
            y[i] = z[i] * x[i]
            continue
        y[i] = z[i] + 1
    return y + z


def while_break(x):
    y = x.copy()
    i = 0
    while i < len(x):
        if x[i] > 1.0:
            y[i] = y[i] * 3.0
            break
        y[i] = y[i] ** 2
        i += 1
    return y


def while_continue(x):
    y = np.zeros(len(x))
    i = 0
    while i < len(x):
        i += 1
        if x[i - 1] < 0:
            y[i - 1] = -x[i - 1] * x[0]
            continue
        y[i - 1] = x[i - 1] ** 2
    return y


VECTOR = [continue_zeros, continue_copy, break_scan, elif_continue, nested_table, inplace_operator, row_write,
          for_else, for_else_only, inner_break, helper_continue, two_arrays, while_break, while_continue]
POINTS = [np.array([0.3, -0.7]), np.array([0.3, -0.7, 1.1, -0.2, 0.5])]


def numeric_jacobian(f, x, eps=1e-6):
    return np.stack([(f(x + eps * e) - f(x - eps * e)) / (2 * eps) for e in np.eye(len(x))], axis=1)


@pytest.mark.parametrize("f", VECTOR, ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", POINTS, ids=len)
def test_write_then_jump_every_mode(f, x):
    kept = x.copy()
    expected = numeric_jacobian(f, x)
    for k, v in enumerate(np.eye(len(x))):
        value, tangent = s2s.jvp(f)((x,), (v,))
        assert np.allclose(value, f(x), rtol=1e-12, atol=1e-12), f"{f.__name__}: jvp's value"
        assert_close(tangent, expected[:, k], what=f"{f.__name__}: jvp along e{k}")
    assert_close(s2s.jacobian(f, mode="forward")(x), expected, what=f"{f.__name__}: forward jacobian")
    assert_close(s2s.jacobian(f)(x), expected, what=f"{f.__name__}: reverse jacobian")
    assert np.array_equal(x, kept)


# the same to second order: a number made of each result (hessian, jacobian of grad, every mode)
def s_continue_zeros(x):
    y = continue_zeros(x)
    return np.sum(y * np.sin(y))


def s_continue_copy(x):
    y = continue_copy(x)
    return np.sum(y * np.sin(y))


def s_break_scan(x):
    y = break_scan(x)
    return np.sum(y * np.sin(y))


def s_elif_continue(x):
    y = elif_continue(x)
    return np.sum(y * np.sin(y))


def s_nested_table(x):
    y = nested_table(x)
    return np.sum(y * np.sin(y))


def s_inplace_operator(x):
    y = inplace_operator(x)
    return np.sum(y * np.sin(y))


def s_row_write(x):
    y = row_write(x)
    return np.sum(y * np.sin(y))


def s_for_else(x):
    y = for_else(x)
    return np.sum(y * np.sin(y))


def s_for_else_only(x):
    y = for_else_only(x)
    return np.sum(y * np.sin(y))


def s_inner_break(x):
    y = inner_break(x)
    return np.sum(y * np.sin(y))


def s_helper_continue(x):
    y = helper_continue(x)
    return np.sum(y * np.sin(y))


def s_two_arrays(x):
    y = two_arrays(x)
    return np.sum(y * np.sin(y))


def s_while_break(x):
    y = while_break(x)
    return np.sum(y * np.sin(y))


def s_while_continue(x):
    y = while_continue(x)
    return np.sum(y * np.sin(y))


SCALARS = [s_continue_zeros, s_continue_copy, s_break_scan, s_elif_continue, s_nested_table, s_inplace_operator,
           s_row_write, s_for_else, s_for_else_only, s_inner_break, s_helper_continue, s_two_arrays, s_while_break,
           s_while_continue]


@pytest.mark.parametrize("f", SCALARS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", POINTS, ids=len)
def test_write_then_jump_second_order(f, x):
    check_every_mode(f, x)


def cube_continue(x):  # the report's scalar: its hessian[1, 1] and jvp were wrong
    y = np.zeros(len(x))
    for i in range(len(x)):
        if x[i] < 0:
            y[i] = -x[i] ** 3
            continue
        y[i] = x[i] ** 2
    return np.sum(y * x)


def test_cube_continue_analytic():
    x = np.array([0.3, -0.7, 1.1, -0.2, 0.5])
    grad = np.where(x < 0, -4 * x ** 3, 3 * x ** 2)  # d/dx of -x**4 and x**3
    hess = np.diag(np.where(x < 0, -12 * x ** 2, 6 * x))
    assert_close(s2s.jacobian(cube_continue, mode="forward")(x), grad, what="forward jacobian")
    assert_close(s2s.jvp(cube_continue)((x,), (np.ones(5),))[1], np.sum(grad), what="jvp")
    assert_close(s2s.hessian(cube_continue)(x), hess, what="hessian")
    assert_close(s2s.jacobian(s2s.grad(cube_continue), mode="forward")(x), hess, what="forward jacobian of grad")
    check_every_mode(cube_continue, x)


def test_write_then_continue_in_place():
    """The branch's write and the fall-through's are one array's, both written in place (no O(n) copy per write)."""
    src = s2s.jvp(continue_zeros).source
    assert "dy[i] = dt" in src and "setitem_adjoint" not in src, src


# ----- W2: an int buffer made by a *_like call with dtype= holds no tangent (NumPy truncates what is written)
def bins_zeros_like(x):
    idx = np.zeros_like(x, dtype=int)
    for i in range(len(x)):
        idx[i] = x[i] / 0.5
    return np.sum(x * idx)


def bins_empty_like(x):
    idx = np.empty_like(x, dtype=int)
    for i in range(len(x)):
        idx[i] = x[i] / 0.5
    return np.sum(x * idx)


def bins_full_like(x):
    idx = np.full_like(x, 0, dtype=np.int64)
    for i in range(len(x)):
        idx[i] = x[i] / 0.5
    return np.sum(x * idx)


def bins_positional(x):
    idx = np.zeros_like(x, int)
    for i in range(len(x)):
        idx[i] = x[i] / 0.5
    return np.sum(x * idx)


def floats_like(x):  # a float dtype= keeps the writes in place
    a = np.zeros_like(x, dtype=np.float64)
    b = np.zeros(len(x), dtype=float)
    for i in range(len(x)):
        a[i] = x[i] ** 2
        b[i] = x[i] * a[i]
    return np.sum(a * b)


@pytest.mark.parametrize("f", [bins_zeros_like, bins_empty_like, bins_full_like, bins_positional],
                         ids=lambda f: f.__name__)
def test_int_buffer_like_forward(f):
    x = np.array([1.1, 2.3, 0.7])
    expected = numeric_grad(f, (x,), 0)
    assert_close(expected, np.floor(x / 0.5), what="differences")  # (the bins, constant near x)
    for v in np.eye(3):
        value, tangent = s2s.jvp(f)((x,), (v,))
        assert value == f(x)
        assert_close(tangent, expected @ v, what=f"{f.__name__}: jvp")
    assert_close(s2s.jacobian(f, mode="forward")(x), expected, what=f"{f.__name__}: forward jacobian")


def test_float_dtype_like():
    # (a float dtype= is not taken for a fact of floats: the writes' tangents stay out of place, exact)
    x = np.array([1.1, -2.5, 0.7])
    check_every_mode(floats_like, x)


def int_by_break(x):  # s leaves the loop as the int i: s * 1.0 is a float, not s itself
    s = 0.0
    for i in range(3):
        if x[i] > 0:
            s = i
            break
        s = s + x[i]
    t = s * 1.0
    return x[0] * t, t


def test_break_value_counts_for_floats():
    x = np.array([-0.3, 0.5, 1.0])
    for value in (s2s.jvp(int_by_break)((x,), (np.ones(3),))[0], s2s.vjp(int_by_break)(x)[0]):
        assert value == int_by_break(x) and type(value[1]) is float, value
