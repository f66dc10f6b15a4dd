"""Generated code at the cheap-gradient limit, round 17 (issue 13).

- A reversed element loop over a range from zero (or a non-negative start) writes each element's adjoint into its
  new accumulator, `bx[i_1] = by_1[i_1] * np.cos(x[i_1])`, where it added it to the zero there (optimize/
  first_writes.py); where an index may come twice (two reads per iteration, a range from a negative start, an
  accumulator something was added into), the sum stays.

Each form against finite differences in every mode, its value against NumPy, and its text against the rewrite.
"""

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad


def element_loop(x):
    n = x.shape[0]
    y = np.zeros(n)
    for i in range(n):
        y[i] = np.sin(x[i])
    return np.sum(y * y)


def element_cos(x):  # a negative derivative: the reversed loop subtracted it from the zero, now writes -g
    y = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        y[i] = np.cos(x[i]) * 2.0
    return np.sum(y * y)


def element_from_one(x):
    n = x.shape[0]
    y = np.zeros(n)
    for i in range(1, n):
        y[i] = np.exp(x[i]) * 0.5
    return np.sum(y * y)


def element_every_other(x):
    y = np.zeros(x.shape[0])
    for i in range(0, x.shape[0], 2):
        y[i] = x[i] * x[i] * x[i]
    return np.sum(np.sin(y))


def element_and_whole(x):  # x read after the loop too: its accumulator starts from that adjoint
    n = x.shape[0]
    y = np.zeros(n)
    for i in range(n):
        y[i] = np.sin(x[i])
    return np.sum(y * y) + np.sum(x * x) * 0.3


def element_two_reads(x):  # x[i] and x[i - 1]: two adjoints per element
    n = x.shape[0]
    y = np.zeros(n)
    for i in range(1, n):
        y[i] = x[i] * x[i - 1]
    return np.sum(y * y)


def element_negative_start(x):  # range(-2, n - 2): x[-2] and x[n - 2] are one element
    n = x.shape[0]
    y = np.zeros(n)
    for i in range(-2, n - 2):
        y[i + 2] = np.sin(x[i])
    return np.sum(y * y)


def element_steps(x):  # in a loop of steps: each reversed step's accumulator starts from the step's adjoint
    y = x * 1.0
    for step in range(3):
        z = np.zeros(y.shape[0])
        for i in range(y.shape[0]):
            z[i] = np.tanh(y[i]) * 0.9
        y = z + 0.1 * y
    return np.sum(y * y)


def pairs_loop(x):  # x[i] and x[i + 1] of a range stepping by 2: all different elements (the LSTM's state rows)
    y = np.zeros(x.shape[0])
    for i in range(0, x.shape[0] - 1, 2):
        y[i] = np.sin(x[i]) * 2.0
        y[i + 1] = np.exp(x[i + 1]) - 0.5
    return np.sum(y * y)


def pairs_overlapping(x):  # x[i] and x[i + 2] of a range stepping by 2: x[2] is read twice
    y = np.zeros(x.shape[0])
    for i in range(0, x.shape[0] - 2, 2):
        y[i] = np.sin(x[i]) * np.exp(x[i + 2])
    return np.sum(y * y)


def state_rows(state, w):  # the LSTM's form: rows i and i + 1 of a stacked state, in a loop of steps
    for t in range(3):
        new = []
        for i in range(0, state.shape[0], 2):
            h = np.tanh(state[i] * w + state[i + 1])
            new.append(h)
            new.append(state[i + 1] * 0.5 + h)
        state = np.stack(new)
    return np.sum(state * state)


REWRITTEN = [element_loop, element_cos, element_from_one, element_every_other, pairs_loop]
KEPT = [element_and_whole, element_two_reads, element_negative_start, element_steps, pairs_overlapping]
X = np.array([0.3, -1.2, 0.7, 2.1, -0.4])


@pytest.mark.parametrize("f", REWRITTEN + KEPT)
def test_element_loops_every_mode(f):
    check_every_mode(f, X)


@pytest.mark.parametrize("f", REWRITTEN + KEPT)
def test_element_loops_vjp(f):
    value, pullback = s2s.vjp(f)(X)
    assert value == pytest.approx(f(X), rel=1e-12)
    assert_close(pullback(2.0), 2.0 * numeric_grad(f, (X,), 0), what=f.__name__)


@pytest.mark.parametrize("f", REWRITTEN)
def test_written_not_added(f):
    source = s2s.grad(f).source
    reversed_loop = source.split("for i_1")[1]
    assert "        bx[i_1] = " in reversed_loop and "+=" not in reversed_loop, source


@pytest.mark.parametrize("f", KEPT)
def test_added_where_an_element_may_come_twice(f):
    source = s2s.grad(f).source
    assert "+=" in source, source


def test_element_loop_text():
    source = s2s.grad(element_loop).source
    assert "        bx[i_1] = by_1[i_1] * np.cos(x[i_1])\n" in source, source


def test_negated_contribution_text():
    source = s2s.grad(element_cos).source
    assert "        bx[i_1] = -(" in source, source


def test_element_loop_of_a_list_and_of_rows():
    # a list of numbers (the accumulator a list of parts) and an array of rows (each write a row)
    xs = [0.3, -1.2, 0.7]
    g = s2s.grad(element_loop_list)(xs)
    assert_close(np.array(g), 2.0 * np.sin(xs) * np.cos(xs), what="list")
    rows = np.array([[0.3, 0.2], [-1.2, 0.5], [0.7, 1.1]])
    g = s2s.grad(rows_loop)(rows)
    assert_close(g, numeric_grad(rows_loop, (rows,), 0), what="rows")
    assert "] = " in s2s.grad(rows_loop).source.split("reversed")[1]


def element_loop_list(xs):
    y = np.zeros(len(xs))
    for i in range(len(xs)):
        y[i] = np.sin(xs[i])
    return np.sum(y * y)


def rows_loop(x):
    y = np.zeros(x.shape)
    for i in range(x.shape[0]):
        y[i] = np.sin(x[i]) * x[i]
    return np.sum(y * y)


def test_state_rows_every_mode():
    state = np.array([[0.3, -0.2], [0.5, 0.1], [-0.7, 0.4], [0.2, 0.9]])
    w = np.array([0.8, -1.1])
    value, g = s2s.value_and_grad(state_rows, wrt=(0, 1))(state, w)
    assert value == pytest.approx(state_rows(state, w), rel=1e-12)
    assert_close(g[0], numeric_grad(state_rows, (state, w), 0), what="state")
    assert_close(g[1], numeric_grad(state_rows, (state, w), 1), what="w")
    for mode in ("reverse", "forward"):
        assert_close(s2s.jacobian(state_rows, mode=mode)(state, w), numeric_grad(state_rows, (state, w), 0),
                     what=mode)
    _, tangent = s2s.jvp(state_rows)((state, w), (np.ones_like(state),))
    assert_close(tangent, np.sum(numeric_grad(state_rows, (state, w), 0)), what="jvp")
    source = s2s.grad(state_rows).source
    assert "bstate_1_1[i_1] = " in source and "bstate_1_1[t" in source and "bstate_1_1[i_1] +=" not in source, source


def test_negative_zero_adjoint_is_a_zero():
    # 0.0 + -0.0 is 0.0 where the write keeps -0.0: a zero either way
    g = s2s.grad(element_loop)(np.array([0.0, np.pi / 2]))
    assert_close(g, [0.0, 0.0], atol=1e-15)


def parts_loop(xs):  # a list of arrays: the accumulator a list of parts, each written once with a new array
    y = np.zeros(len(xs))
    for i in range(len(xs)):
        y[i] = np.sum(np.sin(xs[i]) * xs[i])
    return np.sum(y * y)


def test_element_loop_of_a_list_of_arrays():
    xs = [np.array([0.3, -1.2]), np.array([0.7, 2.1]), np.array([-0.4, 0.9])]
    g = s2s.grad(parts_loop)(xs)
    flat = np.concatenate(xs)

    def f(v):
        return parts_loop([v[0:2], v[2:4], v[4:6]])
    numeric = numeric_grad(f, (flat,), 0)
    assert_close(np.concatenate(g), numeric, what="list of arrays")
    assert "bxs[i_1] = " in s2s.grad(parts_loop).source
    value, pullback = s2s.vjp(parts_loop)(xs)
    assert value == pytest.approx(parts_loop(xs), rel=1e-12)
    assert_close(np.concatenate(pullback(1.0)), numeric, what="vjp")


# ----- last_reads: an element's adjoint zeroed after its last read, where nothing reads it again


def prealloc_rows(state, w):  # the preallocated LSTM's form: rows i and i + 1 of a new buffer, in a loop of steps
    for t in range(3):
        new = np.zeros(state.shape)
        for i in range(0, state.shape[0], 2):
            h = np.tanh(state[i] * w + state[i + 1])
            new[i] = h
            new[i + 1] = state[i + 1] * 0.5 + h
        state = new
    return np.sum(state * state)


def rows_overwritten(state, w):  # new[i + 1] is written again by the next iteration's new[i]: its adjoint zeroed
    for t in range(2):
        new = np.zeros(state.shape)
        for i in range(state.shape[0] - 1):
            new[i] = np.tanh(state[i] * w)
            new[i + 1] = state[i + 1] * 0.5
        state = new
    return np.sum(state * state)


STATE = np.array([[0.3, -0.2], [0.5, 0.1], [-0.7, 0.4], [0.2, 0.9]])
W = np.array([0.8, -1.1])


@pytest.mark.parametrize("f", [prealloc_rows, rows_overwritten])
def test_row_buffers_every_mode(f):
    value, g = s2s.value_and_grad(f, wrt=(0, 1))(STATE, W)
    assert value == pytest.approx(f(STATE, W), rel=1e-12)
    numeric = numeric_grad(f, (STATE, W), 0)
    assert_close(g[0], numeric, what="state")
    assert_close(g[1], numeric_grad(f, (STATE, W), 1), what="w")
    for mode in ("reverse", "forward"):
        assert_close(s2s.jacobian(f, mode=mode)(STATE, W), numeric, what=mode)
    _, tangent = s2s.jvp(f)((STATE, W), (np.ones_like(STATE),))
    assert_close(tangent, np.sum(numeric), what="jvp")
    value, pullback = s2s.vjp(f, wrt=(0, 1))(STATE, W)
    assert_close(pullback(0.5)[1], 0.5 * numeric_grad(f, (STATE, W), 1), what="vjp")


def test_dead_zeroings_dropped():
    source = s2s.grad(prealloc_rows).source
    assert "] = 0.0" not in source, source
    assert "] = 0.0" in s2s.grad(rows_overwritten).source  # (read again by the next iteration: kept)


def test_hessian_through_row_buffer():
    def f(v):
        return prealloc_rows(v.reshape(4, 2), W)
    x = STATE.ravel()
    from conftest import numeric_hessian
    assert_close(s2s.hessian(f)(x), numeric_hessian(f, x), 1e-4, 1e-5, what="hessian")
