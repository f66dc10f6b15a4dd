"""What a reversed loop saves and what it recomputes (s2s/ad/loop_saves.py): a chain of cheap operations is
recomputed only if it has no more operations than the stacks it spares; derivatives against finite differences."""
import os
import re
import sys

import numpy as np

import s2s
from conftest import numeric_grad

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.workloads import element_loop as element_sin_loop, rnn  # noqa: E402


def sigmoid_cell_loop(w, xs):
    h = np.zeros(xs.shape[1])
    for t in range(xs.shape[0]):
        z = w * h + xs[t]
        s = 1.0 / (1.0 + np.exp(-z))
        h = s * np.tanh(z)
    return np.sum(h * h)


def _reversed_loop(src: str) -> str:
    """The code of the adjoint sweep (from the first reversed loop on), without its comments."""
    return "\n".join(line for line in src[src.index("reversed("):].splitlines() if not line.lstrip().startswith("#"))


def test_a_sigmoid_is_not_recomputed_from_the_loops_input():
    # exp(-z) takes three operations from the saved h (w * h, + xs[t], its exp): more than it spares, so it
    # is saved, as is tanh(z); the sigmoid's adjoint reads the sigmoid alone (-s * s), two operations from
    # exp(-z) for one value: saved too
    rng = np.random.default_rng(1)
    w, xs = rng.normal(size=4), rng.normal(size=(6, 4))
    g = s2s.grad(sigmoid_cell_loop)
    back = _reversed_loop(g.source)
    assert "np.exp(" not in back and "np.tanh(" not in back, g.source
    assert re.search(r"\w+_saved\.append\(t\d+\)", g.source), g.source  # (exp(-z) and tanh(z) are pushed)
    np.testing.assert_allclose(g(w, xs), numeric_grad(sigmoid_cell_loop, (w, xs), 0), rtol=1e-6, atol=1e-8)


def test_an_element_read_is_recomputed_not_saved():
    # x[i] is one operation sparing one stack: recomputed (a stack of n numbers would cost more memory)
    x = np.linspace(-2.0, 2.0, 7)
    g = s2s.grad(element_sin_loop)
    assert "_saved" not in g.source, g.source
    np.testing.assert_allclose(g(x), 2.0 * np.sin(x) * np.cos(x), rtol=1e-12)


def test_a_saved_shape_undoes_broadcasting_as_the_value_would():
    # what a reversed loop saves of a value it reads only for its shape (rt.shape_of), read by rt.unbroadcast
    from s2s import runtime as rt
    g = np.arange(6.0).reshape(2, 3)
    for v in (np.ones(3), np.ones((1, 3)), np.ones((2, 3)), np.ones((2, 1)), 2.0, np.float64(2.0), [[1.0, 2.0, 3.0]]):
        np.testing.assert_array_equal(rt.unbroadcast(g, rt.shape_of(v)), rt.unbroadcast(g, v))
    assert rt.unbroadcast(g, rt.shape_of(g)) is g
    assert rt.unbroadcast(0.0, rt.shape_of(np.ones(3))).tolist() == [0.0, 0.0, 0.0]  # (a bare zero: whole)
    pair = (1.0, np.ones(2))
    assert rt.shape_of(pair) is pair  # a container's adjoint takes its structure: kept as it is


def test_add_into_adds_in_place_only_where_that_is_the_sum():
    from s2s import runtime as rt
    acc, g = np.zeros(3), np.ones(3)
    assert rt.add_into(acc, g) is acc and acc.tolist() == [1.0, 1.0, 1.0]
    frozen = np.zeros(3)
    frozen.flags.writeable = False
    out = rt.add_into(frozen, g)
    assert out is not frozen and frozen.tolist() == [0.0] * 3 and out.tolist() == [1.0] * 3
    single = np.zeros(3, dtype=np.float32)
    out = rt.add_into(single, np.full(3, 1e-12))
    assert out.dtype == np.float64 and out[0] == 1e-12 and single[0] == 0.0  # (not rounded into float32)
    row = np.zeros(3)
    out = rt.add_into(row, np.ones((2, 3)))
    assert out.shape == (2, 3) and row.tolist() == [0.0] * 3  # (a broadcast sum is a new array)
    out = rt.add_into(np.zeros(2), np.array([1j, 2.0]))
    assert out.dtype == np.complex128 and out.tolist() == [1j, 2.0]


def test_the_lstm_cells_adjoint_helpers_on_float_vectors_give_what_numpy_gives():
    # the common case each reversed LSTM cell meets (float64 vectors; one slice or int), and the others
    from s2s import runtime as rt
    g, x = np.arange(1.0, 4.0), np.linspace(0.0, 1.0, 8)
    for index in (slice(2, 5), slice(-3, None), slice(1, 7, 2)):
        out = rt.getitem_adjoint(g, x, index)
        want = np.zeros(8)
        want[index] = g
        assert out.dtype == np.float64 and out.tolist() == want.tolist() and out is not x
    assert rt.getitem_adjoint(2.5, x, 3).tolist() == [0.0, 0.0, 0.0, 2.5, 0.0, 0.0, 0.0, 0.0]
    assert rt.getitem_adjoint(g[:2], x, np.array([1, 1])).tolist()[1] == 3.0  # (a repeated index adds up)
    assert rt.getitem_adjoint(g, x.astype(np.complex128), slice(0, 3)).dtype == np.complex128
    assert rt.getitem_adjoint(g, np.arange(8), slice(0, 3)).dtype == np.float64  # (an int array's adjoint)
    pieces = (np.ones(3), np.ones(2), np.ones(4))
    parts = rt.concatenate_adjoint(np.arange(9.0), pieces)
    assert [p.tolist() for p in parts] == [[0.0, 1.0, 2.0], [3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]
    parts = rt.concatenate_adjoint(np.arange(6.0).reshape(3, 2), (np.ones((1, 2)), np.ones((2, 2))))
    assert [p.shape for p in parts] == [(1, 2), (2, 2)] and parts[1].tolist() == [[2.0, 3.0], [4.0, 5.0]]
    acc = rt.accumulator(np.ones((2, 3)))
    assert acc.dtype == np.float64 and acc.tolist() == [[0.0] * 3] * 2
    assert rt.accumulator(np.ones(2, dtype=np.int64)).dtype == np.float64
    assert rt.accumulator(np.ones(2), np.array([1.0, 2.0])).tolist() == [1.0, 2.0]


def lstm_like(w, xs):
    h, c = np.zeros(2), np.zeros(2)
    for t in range(xs.shape[0]):
        gates = np.concatenate((xs[t], h, xs[t], h)) * w
        i, f = 1.0 / (1.0 + np.exp(-gates[0:2])), 1.0 / (1.0 + np.exp(-gates[2:4]))
        c = f * c + i * np.tanh(gates[6:8])
        h = 1.0 / (1.0 + np.exp(-gates[4:6])) * np.tanh(c)
    return np.sum(h * h) + np.sum(c)


def test_an_lstm_like_loop_against_finite_differences():
    rng = np.random.default_rng(4)
    w, xs = rng.normal(size=8), rng.normal(size=(5, 2))
    g = s2s.grad(lstm_like)
    np.testing.assert_allclose(g(w, xs), numeric_grad(lstm_like, (w, xs), 0), rtol=1e-6, atol=1e-8)


def test_stack_adjoint_gives_each_stacked_array_its_own_row():
    from s2s import runtime as rt
    g = np.arange(12.0).reshape(3, 4)
    parts = rt.stack_adjoint(g, [np.ones(4)] * 3)
    assert [p.tolist() for p in parts] == g.tolist()
    assert not any(np.shares_memory(p, g) for p in parts) and not np.shares_memory(parts[0], parts[1])
    g[0, 0] = 99.0
    assert parts[0][0] == 0.0  # (a later write into g does not reach the parts, as with np.take's copies)
    assert [float(p) for p in rt.stack_adjoint(np.arange(3.0), [1.0, 2.0, 3.0])] == [0.0, 1.0, 2.0]
    assert [p.tolist() for p in rt.stack_adjoint(g, [np.ones(3)] * 4, axis=1)] == g.T.tolist()


def test_a_loop_saves_one_shape_object_per_shape():
    # a value read only for its shape is saved as rt.shape_of(v) each iteration: one object per shape
    from s2s import runtime as rt
    a, b = rt.shape_of(np.ones((2, 3))), rt.shape_of(np.zeros((2, 3)))
    assert a is b and a.shape == (2, 3) and np.shape(a) == (2, 3) and np.ndim(a) == 2
    assert rt.shape_of(np.ones(3)) is not a and rt.shape_of(np.ones(3)).shape == (3,)
    assert rt.shape_of(1.5).shape == () and rt.shape_of(np.float64(1.5)) is rt.shape_of(2.0)
    assert rt.shape_of(np.int64(3)).shape == () and rt.shape_of([[1.0, 2.0]]) == [[1.0, 2.0]]
    g = np.ones((4, 2, 3))
    np.testing.assert_array_equal(rt.unbroadcast(g, rt.shape_of(np.ones((2, 3)))), np.full((2, 3), 4.0))


def test_an_rnn_saves_its_states_and_shapes_and_its_gradient_is_right():
    rng = np.random.default_rng(5)
    W, U, xs, h0 = rng.normal(size=(3, 3)) / 2, rng.normal(size=(3, 3)) / 2, rng.normal(size=(6, 3)), np.zeros(3)
    g = s2s.grad(rnn, wrt=(0, 1))
    saved = set(re.findall(r"(\w+)_saved = \[\]", g.source))
    assert len(saved) == 3 and sum(n.endswith("_shape") for n in saved) == 2, g.source  # h, and two shapes
    gW, gU = g(W, U, xs, h0)
    np.testing.assert_allclose(gW, numeric_grad(rnn, (W, U, xs, h0), 0), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(gU, numeric_grad(rnn, (W, U, xs, h0), 1), rtol=1e-6, atol=1e-8)


def test_a_value_read_for_its_shape_alone_is_saved_as_its_shape_not_recomputed():
    # the preallocated LSTM writes hidden and cell into rows of new_state: each write's adjoint reads its value
    # for the shape alone; recomputing them takes five operations, np.tanh(cell) among them: their shapes are
    # saved (rt.shape_of), and tanh(cell), which the adjoint reads, is saved
    from benchmarks.workloads import lstm_inputs, lstm_objective_prealloc
    args = lstm_inputs(layers=2, hidden=3, chars=4)
    g = s2s.grad(lstm_objective_prealloc, wrt=(0, 1))
    back = _reversed_loop(g.source)
    assert "np.tanh(" not in back and re.search(r"rt\.unbroadcast\(\w+\[\w+\], cell_shape\)", back), g.source
    assert re.search(r"rt\.unbroadcast\(\w+\[\w+\], hidden_shape\)", back), g.source
    got = g(*args)
    for k in (0, 1):
        np.testing.assert_allclose(got[k], numeric_grad(lstm_objective_prealloc, args, k), rtol=1e-6, atol=1e-8)


def test_a_value_read_by_np_shape_alone_is_saved_as_its_shape():
    # the LSTM's loss adds np.sum(ygold * ynorm) per step: the sum's adjoint reads the product for its shape
    # alone (np.full(np.shape(t), g)); the product is saved as its shape, not as a vector per step
    from benchmarks.workloads import lstm_inputs, lstm_objective
    args = lstm_inputs(layers=2, hidden=3, chars=4)
    g = s2s.grad(lstm_objective, wrt=(0, 1))
    back = _reversed_loop(g.source)
    read = re.findall(r"np\.full\(np\.shape\((\w+)\)", back)
    assert read and all(name.endswith("_shape") for name in read), g.source
    got = g(*args)
    for k in (0, 1):
        np.testing.assert_allclose(got[k], numeric_grad(lstm_objective, args, k), rtol=1e-6, atol=1e-8)
