"""Second derivatives and loop saves, round 18 (issue 13, perf18).

- The Hessian of a list made by repeating a number and written by item, each item read by the next step
  (`ys = [0.0] * n; ys[k] = ys[k - 1] * c * x[k % 3] + ...; return sum(ys)`): the gradient's reversed loop zeroes
  the list adjoint's slot k and adds into slot k - 1 (`bys[k] = 0.0`, `rt.add_at(bys, g, ys, k - 1)`), whose
  tangents were built out of place (`rt.setitem_adjoint(dbys, k)`, `dbys + rt.getitem_adjoint(dg, ys, k - 1)`: two
  lists of n per step, O(n^2); 468 ms at n = 2000). ad/list_slots.py now knows the gradient's list adjoints for
  lists (sum(ys)'s adjoint, its copy, add_at's result) and a slot added into as a write seen only through that list
  object (ad/forward_writes.py): written in place, linear in n (81 ms at n = 2000, 161 ms at n = 4000).

Each against finite differences in every mode that applies, the value against the function's own, and the text
against what the change promises.
"""
from __future__ import annotations

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, every_mode, numeric_grad, numeric_hessian

X = np.array([0.9, 1.1, 0.7])


def decayed_sum(x, n=7):
    ys = [0.0] * n
    ys[0] = x[0]
    for k in range(1, n):
        ys[k] = ys[k - 1] * 0.99 * x[k % 3] + x[(k + 1) % 3]
    return sum(ys)


def decayed_arrays(x, n=6):
    ys = [x * 0.0 for _ in range(n)]
    ys[0] = x * 1.0
    for k in range(1, n):
        ys[k] = ys[k - 1] * x[k % 3] + x ** 2 * 0.1
    return sum(np.sum(y * y) for y in ys)


def read_twice(x, n=6):
    ys = [1.0] * n
    for k in range(1, n):
        ys[k] = ys[k - 1] * x[k % 3] + ys[k - 1] ** 2 * 0.1
    return sum(ys) + ys[2] * ys[3]


def read_two_back(x, n=7):
    ys = [0.5] * n
    for k in range(2, n):
        ys[k] = np.sin(ys[k - 1]) * x[k % 3] + ys[k - 2] * x[(k + 1) % 3]
    return sum(ys)


@pytest.mark.parametrize("f", [decayed_sum, decayed_arrays, read_twice, read_two_back])
def test_repeated_list_read_back_every_mode(f):
    every_mode(f, X)


@pytest.mark.parametrize("n", [3, 40])
def test_decayed_sum_hessian_at_other_lengths(n):
    expected = numeric_hessian(lambda x: decayed_sum(x, n), X)
    assert_close(s2s.hessian(decayed_sum)(X, n), expected, 1e-4, 1e-5, what="hessian")
    assert_close(s2s.jacobian(s2s.grad(decayed_sum))(X, n), expected, 1e-4, 1e-5, what="grad of grad")


def test_list_adjoint_tangents_written_in_place():
    h = s2s.hessian(decayed_sum)
    h(X, 7)
    source = h.source
    assert "setitem_adjoint(dbys" not in source and "getitem_adjoint(dt" not in source, source
    assert "rt.add_at(dbys" in source and "] = 0.0" in source, source


# ------------------------------------------------ a value a reversed loop reads only for its shape (ad/loop_saves.py):
# `h * h` was recomputed per reversed step for rt.unbroadcast's target, np.sin(h) of a number h too, and `h * h * 0.5`
# computed per forward step to push its shape; now the shape read takes h (saved anyway) where the value keeps h's
# shape (ir/shape_keeping.py, or a NumPy function of a number h). (optimize/scatter.py takes the result of `y = x *
# 1.5` for an array, or a number, as it takes x: it had learnt it from `y[k:m] ** 2`, recomputed for its shape alone)

def squared_recurrence(x, w):
    h = x
    for t in range(5):
        h = np.tanh(h * h * w + x)
    return np.sum(h)


def sine_recurrence(x, w):
    h = x
    s = 0.0
    for t in range(5):
        s = s + np.sum(h * h)
        h = np.sin(h) * w
    return s


def summed_squares(x):
    h = x
    s = 0.0
    for t in range(5):
        s = s + np.sum(h * h * 0.5)
        h = np.tanh(h) * x
    return s


C = np.array([0.5, -1.0, 2.0, 0.25])


def number_recurrence(x):
    h = float(x[0])
    s = 0.0
    for t in range(6):
        s = s + np.sum(np.sin(h) * C)
        h = h * 0.9 + float(x[t % 3]) * h
    return s


W = np.array([0.8, -0.6, 1.1])


@pytest.mark.parametrize("f", [squared_recurrence, sine_recurrence])
def test_shape_reads_every_mode(f):
    value, g = s2s.value_and_grad(f, wrt=(0, 1))(X, W)
    assert value == pytest.approx(f(X, W), rel=1e-12)
    assert_close(g[0], numeric_grad(f, (X, W), 0), 1e-5, 1e-6, what="grad x")
    assert_close(g[1], numeric_grad(f, (X, W), 1), 1e-5, 1e-6, what="grad w")
    assert_close(s2s.hessian(f)(X, W), numeric_hessian(lambda x: f(x, W), X), 1e-4, 1e-5, what="hessian")
    v = np.array([0.3, -0.2, 0.5])
    _, t = s2s.jvp(f)((X, W), (v,))
    assert_close(t, numeric_grad(f, (X, W), 0) @ v, 1e-5, 1e-6, what="jvp")
    assert_close(s2s.jacobian(f, mode="forward")(X, W), numeric_grad(f, (X, W), 0), 1e-5, 1e-6, what="jacfwd")
    assert_close(s2s.jacobian(f)(X, W), numeric_grad(f, (X, W), 0), 1e-5, 1e-6, what="jacrev")


@pytest.mark.parametrize("f", [number_recurrence, summed_squares])
def test_shape_reads_every_mode_one_argument(f):
    every_mode(f, X)


def _reversed_loop(source: str) -> str:
    """The generated code from the first reversed loop on, without its comments (which quote the user's lines)."""
    return "\n".join(line for line in source[source.index("reversed("):].splitlines()
                     if not line.strip().startswith("#"))


def test_product_shape_read_from_the_saved_value():
    source = s2s.grad(squared_recurrence).source
    assert "h * h" not in _reversed_loop(source) and "rt.unbroadcast(bt4, t3_shape) * w, h) * h, h)" in source, source


def test_numpy_function_of_a_number_not_recomputed_for_its_shape():
    source = s2s.grad(number_recurrence).source
    assert "np.sin" not in _reversed_loop(source) and "t3_shape" not in source, source


def test_nothing_computed_forward_for_a_shape_only():
    source = s2s.grad(summed_squares).source  # (h * h * 0.5 was computed per step for rt.shape_of, then pushed)
    code = "\n".join(line for line in source.splitlines() if not line.strip().startswith("#"))
    assert "_shape" not in code and "h * h" not in code, source


# ------------------------------------------------ the Rosenbrock Hessian (vector forward over reverse): its second write
# `bx[1:] += bt4` into the array the first one made (rt.batch_setitem_tangent: zeros with the tangents written) copied
# the whole batch (rt.batch_setitem); it is forward mode's own, written in place now (rt.batch_setitem_into), whose
# slice write skips batch_write's index analysis where the value has the slice's rank

def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_hessian(x):
    n = len(x)
    H = np.zeros((n, n))
    i = np.arange(n - 1)
    H[i, i] += 1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0
    H[i + 1, i + 1] += 200.0
    H[i, i + 1] = H[i + 1, i] = -400.0 * x[:-1]
    return H


def test_rosenbrock_hessian_written_in_place():
    x = np.random.default_rng(0).uniform(-1.5, 1.5, size=20)
    h = s2s.hessian(rosenbrock)
    assert_close(h(x), rosenbrock_hessian(x), 1e-12, 1e-9, what="hessian")
    assert_close(h(x), numeric_hessian(rosenbrock, x), 1e-4, 1e-3, what="hessian against finite differences")
    assert "rt.batch_setitem_into(dbx_1, dt11" in h.source and "rt.batch_setitem(" not in h.source, h.source
    assert_close(s2s.jacobian(s2s.grad(rosenbrock), mode="forward")(x), rosenbrock_hessian(x), 1e-12, 1e-9)


@pytest.mark.parametrize("index, value_shape", [((slice(1, None),), (4, 2)), ((slice(1, None),), (4, 1)),
                                                ((slice(None, 2),), (4, 2, 3)), ((slice(0, 3, 2),), (4, 1, 1)),
                                                ((slice(1, None),), (4,)), ((slice(1, 2),), (4, 1, 3))])
def test_batch_setitem_into_a_slice(index, value_shape):
    from s2s import runtime as rt
    rng = np.random.default_rng(1)
    ans = np.zeros((3,) + ((3,) if len(value_shape) == 3 else ()))
    base = rng.normal(size=(4,) + ans.shape)
    value = rng.normal(size=value_shape)
    expected = rt.batch_setitem(base.copy(), value, ans, *index)
    got = rt.batch_setitem_into(base, value, ans, *index)
    assert got is base and np.array_equal(got, expected)


# ------------------------------------------------ an LSTM's gradient memory: each gate's sigmoid `1.0 / (1.0 +
# np.exp(-g))` was saved per step besides its `np.exp(-g)`, which the adjoint reads too; the two operations of a value
# with a number count half each (ad/loop_saves.py), so the sigmoid is recomputed from the saved exp: 1.56x -> 1.22x
# the hand-written gradient's peak memory (which keeps the gates alone)

def test_lstm_gradient_memory_near_the_hand_written_one():
    import gc
    import os
    import sys
    import tracemalloc
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    from benchmarks import handwritten, workloads

    args = workloads.lstm_inputs(chars=32)
    g = s2s.grad(workloads.lstm_objective, wrt=(0, 1))
    got, expected = g(*args), handwritten.lstm_grad(*args)
    for a, b in zip(got, expected):
        assert_close(a, b, 1e-10, 1e-12, what="LSTM gradient against the hand-written one")

    def peak(fn):
        gc.collect()
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            result = fn()  # (kept until the peak is read)
            return tracemalloc.get_traced_memory()[1] - base + 0 * len(result)
        finally:
            tracemalloc.stop()
    ours, hand = peak(lambda: g(*args)), peak(lambda: handwritten.lstm_grad(*args))
    assert ours <= 1.3 * hand, (ours, hand)
    saved = [line for line in g.source.splitlines() if line.strip().endswith("_saved = []")]
    assert len(saved) <= 17, saved
