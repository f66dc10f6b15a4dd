"""Generated code at the cheap-gradient limit (issue 13): what the reverse sweep saves, and the plain
NumPy it writes for element loops. Each case checks the gradient against finite differences (or an
analytic formula) as well as the text, so a shortcut that drops a value the adjoint needs fails here."""
import re

import numpy as np

import s2s
from conftest import assert_close, numeric_grad, numeric_hessian
from test_loop_saves import lstm_like


def element_write_loop(x):
    n = x.shape[0]
    y = np.zeros(n)
    for i in range(n):
        y[i] = np.sin(x[i])
    return np.sum(y * y)


def test_fresh_buffer_written_by_elements_saves_nothing():
    g = s2s.grad(element_write_loop)
    x = np.array([0.3, -1.2, 2.0, 0.7])
    assert_close(g(x), 2.0 * np.sin(x) * np.cos(x), what="d/dx")
    src = g.source
    assert "_old" not in src and "_saved" not in src, src  # the old elements of np.zeros are never read
    assert "np.sin" not in src.split("adjoint of")[1], src  # not recomputed for its shape
    loop = src[src.index("for i_1 in reversed"):]
    assert "rt." not in loop.split("\n    bx_1")[0], src  # no helper call per element


def view_read_after_overwrite(x):
    y = np.zeros(3)
    y[0] = x[0]
    v = y[0:2]
    w = np.sum(v * x[1:3])
    y[0] = x[2] * 2.0
    return w + np.sum(y * y)


def test_view_of_fresh_buffer_read_after_overwrite_keeps_the_old_element():
    x = np.array([0.5, -0.7, 1.3, 0.2])
    g = s2s.grad(view_read_after_overwrite)
    assert_close(g(x), numeric_grad(view_read_after_overwrite, (x,), 0), what="d/dx")


def rewritten_in_loop(x):
    y = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        y[i] = x[i] * 3.0
        y[i] = y[i] * x[i]
    return np.sum(y)


def test_element_written_twice_in_one_iteration():
    x = np.array([0.5, -0.7, 1.3])
    assert_close(s2s.grad(rewritten_in_loop)(x), 6.0 * x, what="d/dx")


def overwritten_then_read_in_reverse(x):
    y = np.zeros(x.shape[0])
    s = 0.0
    for i in range(x.shape[0]):
        y[i] = x[i] * x[i]
        s = s + np.sum(y)  # reads every element written so far: the reverse sweep needs them restored
    return s


def test_fresh_buffer_read_in_the_loop_keeps_its_restores():
    x = np.array([0.5, -0.7, 1.3])
    g = s2s.grad(overwritten_then_read_in_reverse)
    assert_close(g(x), numeric_grad(overwritten_then_read_in_reverse, (x,), 0), what="d/dx")


def squares_by_index(t):
    s = 0.0
    for i in range(len(t)):
        s = s + t[i] * t[i]
    return s


def test_element_adjoints_of_a_tuple_and_a_list_keep_their_structure():
    g = s2s.grad(squares_by_index)
    got = g((1.0, 2.0, -0.5))
    assert isinstance(got, tuple) and len(got) == 3
    assert_close(np.array(got), np.array([2.0, 4.0, -1.0]), what="tuple")
    got = g([1.0, 2.0])
    assert isinstance(got, list)
    assert_close(np.array(got), np.array([2.0, 4.0]), what="list")
    x = np.array([[1.0, 2.0], [0.5, -1.0]])  # a row per index: the accumulator adds rows
    assert_close(s2s.grad(summed_rows)(x), 2.0 * x, what="rows")
    try:  # (then the loop's sum is a row, not a number: grad refuses it, as the contract says)
        g(x)
    except ValueError as e:
        assert "scalar" in str(e), e
    else:
        raise AssertionError("grad of a function whose result is a row did not raise")


def summed_rows(x):
    return np.sum(squares_by_index(x))


def accumulated_after_the_loop(x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + np.sin(x[i])
    return s + np.sum(x * x)


def test_element_accumulator_starts_from_the_adjoint_after_the_loop():
    x = np.array([0.5, -0.7, 1.3])
    g = s2s.grad(accumulated_after_the_loop)
    assert_close(g(x), np.cos(x) + 2.0 * x, what="d/dx")
    assert "rt.add_at" not in g.source, g.source


def test_element_loop_second_derivatives():
    x = np.array([0.3, -1.2, 2.0])
    assert_close(s2s.hessian(element_write_loop)(x), np.diag(2.0 * np.cos(2.0 * x)), what="hessian")


def rnn(W, U, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def rnn_args():
    rng = np.random.default_rng(3)
    return (rng.normal(size=(4, 4)) / 2.0, rng.normal(size=(4, 3)) / 2.0, rng.normal(size=(5, 3)),
            rng.normal(size=4) * 0.1)


def test_rnn_saves_one_array_per_step():
    g = s2s.grad(rnn, wrt=(0, 1))
    args = rnn_args()
    got = g(*args)
    for k in (0, 1):
        assert_close(got[k], numeric_grad(rnn, args, k), what=f"d/d{'WU'[k]}")
    src = g.source
    # h is saved; W @ h and U @ xs[t] only by shape; the new h is the next step's h, not saved again
    assert src.count("_saved = []") == 3 and "h_1_saved" not in src and "t4_saved" not in src, src
    assert "rt.shape_of(" in src, src


def rnn_broadcast_state(W, xs, h0):
    h = h0  # (n, 1) at first: W @ h + xs[t] broadcasts it to (n, n) in the first step only
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
    return np.sum(h)


def test_shape_saved_per_step_follows_a_shape_that_changes():
    rng = np.random.default_rng(5)
    args = (rng.normal(size=(3, 3)) / 2.0, rng.normal(size=(4, 3)), rng.normal(size=(3, 1)))
    got = s2s.grad(rnn_broadcast_state, wrt=(0, 1, 2))(*args)
    for k in (0, 1, 2):
        assert_close(got[k], numeric_grad(rnn_broadcast_state, args, k), what=f"argument {k}")


def carried_through_branch(x, n):
    y = x
    for i in range(n):
        if i % 2 == 0:
            y = np.sin(y) * x
        else:
            y = y * y + x
    return np.sum(y)


def test_carried_value_defined_in_a_branch():
    x = np.array([0.4, -0.3])
    got = s2s.grad(carried_through_branch)(x, 5)
    assert_close(got, numeric_grad(lambda x: carried_through_branch(x, 5), (x,), 0), what="d/dx")


def test_rnn_second_derivative():
    W, U, xs, h0 = rnn_args()
    v = np.random.default_rng(1).normal(size=W.shape)
    hvp = s2s.jvp(s2s.grad(lambda W: rnn(W, U, xs, h0)))((W,), (v,))[1]
    eps = 1e-5
    fd = (s2s.grad(rnn)(W + eps * v, U, xs, h0) - s2s.grad(rnn)(W - eps * v, U, xs, h0)) / (2 * eps)
    assert_close(hvp, fd, what="Hessian-vector product")


def written_at_repeated_indices(x, idx):
    y = np.zeros(3)
    for i in idx:  # not a range: an element is written twice, and only the last write reaches the result
        y[i] = np.sin(x[i]) * x[0]
    return np.sum(y * y)


def test_element_written_by_repeated_loop_indices_keeps_its_zeroing():
    x = np.array([0.3, -1.2, 2.0])
    idx = np.array([1, 1, 2])
    got = s2s.grad(written_at_repeated_indices)(x, idx)
    assert_close(got, numeric_grad(lambda x: written_at_repeated_indices(x, idx), (x,), 0), what="d/dx")


def squared_norm_rows(x, b):
    z = x + b  # broadcast: b's adjoint is summed back
    return np.sum(np.sum(z * z, axis=1))


def test_no_unbroadcast_between_values_of_one_shape():
    x = np.arange(6.0).reshape(2, 3) / 5.0
    b = np.array([0.1, -0.2, 0.3])
    g = s2s.grad(squared_norm_rows, wrt=(0, 1))
    got = g(x, b)
    assert_close(got[0], 2.0 * (x + b), what="d/dx")
    assert_close(got[1], 2.0 * np.sum(x + b, axis=0), what="d/db")
    # z * z has z's shape: its adjoint needs no summing back; z = x + b may have broadcast b (and x)
    assert "rt.unbroadcast(bt" not in g.source.split("bz = ")[1].split("\n")[0], g.source
    assert "rt.unbroadcast(bz, b)" in g.source, g.source


def two_elements_per_step(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s = s + x[i] * x[i + 1] + x[i]  # two elements' adjoints per reversed iteration, one of them twice
    return s


def test_several_element_adjoints_per_iteration_add_in_place():
    x = np.array([0.5, -0.7, 1.3, 0.2])
    g = s2s.grad(two_elements_per_step)
    assert_close(g(x), numeric_grad(two_elements_per_step, (x,), 0), what="d/dx")
    assert "rt.add_at" not in g.source, g.source


def rows_written_in_loop(x, n):
    state = np.zeros((4, 3))
    out = 0.0
    for t in range(n):
        new = np.zeros(state.shape)
        for i in range(0, 4, 2):
            new[i] = np.tanh(state[i] + x)
            new[i + 1] = state[i + 1] * x + new[i]
        state = new
        out = out + np.sum(state * state)
    return out


def test_row_writes_zero_the_adjoint_in_place_and_copy_the_row():
    x = np.array([0.3, -0.5, 0.8])
    g = s2s.grad(rows_written_in_loop)
    assert_close(g(x, 3), numeric_grad(lambda x: rows_written_in_loop(x, 3), (x,), 0), what="d/dx")
    assert "rt.zero_at" not in g.source, g.source


def gated_steps(w, b, xs):
    h = np.zeros(3)
    for t in range(xs.shape[0]):
        gates = np.concatenate((xs[t], h)) * w + b  # saved: a concatenation is not cheap to recompute
        f = 1.0 / (1.0 + np.exp(-gates[0:3]))  # recomputed from the saved exp(-gates[0:3]), not from gates
        h = f * np.tanh(gates[3:])
    return np.sum(h * h)


def test_cheap_values_after_a_saved_one_are_recomputed_not_saved():
    rng = np.random.default_rng(2)
    args = (rng.normal(size=6), rng.normal(size=6), rng.normal(size=(4, 3)))
    g = s2s.grad(gated_steps, wrt=(0, 1))
    got = g(*args)
    for k in (0, 1):
        assert_close(got[k], numeric_grad(gated_steps, args, k), what=f"argument {k}")
    saved = [line.strip() for line in g.source.splitlines() if line.strip().endswith("_saved = []")]
    # the concatenation (and its parts' shapes), exp(-gates[0:3]) and tanh: the adjoint of 1.0 / y reads the
    # sigmoid alone (-f * f), two operations of exp with a number, each counted half: recomputed, not saved too
    # (perf18: an LSTM's gradient memory 1.56x -> 1.22x the hand-written one's, which keeps only the gates)
    assert len(saved) <= 4, saved
    back = "\n".join(line for line in g.source[g.source.index("reversed("):].splitlines()
                     if not line.strip().startswith("#"))  # (the comments quote the user's lines)
    assert "np.exp(" not in back and "1.0 / (1.0 + t10)" in back, g.source


def nested_element_loops(M, v):
    s = 0.0
    for i in range(M.shape[0]):
        for j in range(M.shape[1]):
            s = s + M[i, j] * v[j] * M[i, j]
    return s


def test_element_accumulators_have_second_derivatives():
    M = np.arange(6.0).reshape(2, 3) / 5.0
    v = np.array([0.3, 0.2, -0.1])
    H = s2s.hessian(nested_element_loops)(M, v)
    assert_close(H.reshape(6, 6), np.diag(2.0 * np.tile(v, 2)), what="hessian in M")
    hv = s2s.hessian(nested_element_loops, wrt=1)(M, v)  # the accumulator of M is inactive here
    assert_close(hv, np.zeros((3, 3)), what="hessian in v")


def test_array_adjoint_summed_over_iterations_in_place():
    g = s2s.grad(rnn, wrt=(0, 1))
    assert "rt.add_outer(bW, " in g.source, g.source  # (outer products, gathered: optimize/outer_sums.py)
    args = rnn_args()
    first = g(*args)
    again = g(*args)  # nothing kept between calls: the sums start afresh
    for a, b in zip(first, again):
        assert_close(a, b, what="second call")


def reciprocals(x):
    return np.sum(1.0 / x) + np.sum(1 / (1.0 + x * x)) + np.sum(2.0 / x)


def test_the_adjoint_of_one_over_y_reads_the_quotient_not_y():
    # d(1 / y)/dy = -(1 / y) ** 2: -ans * ans; a numerator other than 1 keeps -ans / y
    x = np.array([0.5, -1.5, 2.0])
    g = s2s.grad(reciprocals)
    assert_close(g(x), -1.0 / x ** 2 - 2.0 * x / (1.0 + x * x) ** 2 - 2.0 / x ** 2, what="d/dx")
    back = [line for line in g.source[g.source.index("# adjoint"):].splitlines() if not line.lstrip().startswith("#")]
    assert sum(line.count(" / ") for line in back) == 2, g.source  # (2.0 / x's alone: -(2.0 / x) / x)
    with np.errstate(divide="ignore", invalid="ignore"):
        at_zero = s2s.grad(lambda x: np.sum(1.0 / x))(np.array([0.0, -0.0, np.inf]))
    assert at_zero.tolist()[:2] == [-np.inf, -np.inf] and at_zero[2] == 0.0  # (as -1 / y ** 2 there)


def broadcast_products(a, B, xs):
    h = np.ones(3) * 0.5
    for t in range(xs.shape[0]):
        c = np.tanh(h * a + B * xs[t])  # (2, 3): the adjoint of h * a, a (3,), is summed over the first axis
        h = np.sum(c, axis=0) * 0.3 + h * xs[t]
    return np.sum(h ** 2)


def test_a_product_made_only_for_its_shape_is_not_recomputed():
    # rt.unbroadcast(bt8, h_1 * a) then rt.unbroadcast(. * a, h_1): one sum, rt.unbroadcast(bt8 * a, h_1)
    # (optimize/products.py), here where the adjoint is larger than the product
    rng = np.random.default_rng(5)
    args = (rng.normal(size=3), rng.normal(size=(2, 3)), rng.normal(size=(4, 3)) * 0.5)
    g = s2s.grad(broadcast_products, wrt=(0, 1, 2))
    back = g.source[g.source.index("reversed("):]
    assert not re.search(r"rt\.unbroadcast\(\w+, \w+ \* \w+\)", back), g.source
    assert "rt.unbroadcast(bt8 * a, h_1)" in back and "h_1 * a" not in back, g.source
    for k, got in enumerate(g(*args)):
        assert_close(got, numeric_grad(broadcast_products, args, k), what=f"argument {k}")
    H = s2s.hessian(lambda a: broadcast_products(a, args[1], args[2]))(args[0])
    assert_close(H, numeric_hessian(lambda a: broadcast_products(a, args[1], args[2]), args[0]), rtol=1e-4,
                 atol=1e-5, what="hessian in a")
    src = s2s.grad(lstm_like).source  # (c = f * c + i * tanh(...): neither product is made again)
    assert not re.search(r"rt\.unbroadcast\(\w+, \w+ \* \w+\)", src[src.index("reversed("):]), src


def state_per_step(x, steps):
    state = np.ones(2)
    total = 0.0
    for t in range(steps):
        new = np.zeros(2)  # a fresh buffer on every step, read by the next step through `state`
        new[0] = np.sin(state[0] * x)
        new[1] = state[0] * state[1] + x
        total = total + np.sum(new * state)
        state = new
    return total + np.sum(state)


def test_a_buffer_made_anew_each_step_saves_no_old_elements():
    """The next step reads the buffer through the loop variable; its restores would come after those reads in
    the reversed loop, so none are made (ADBench's preallocated LSTM)."""
    g = s2s.grad(state_per_step)
    for x in (0.3, -1.1, 2.0):
        assert_close(g(x, 4), numeric_grad(state_per_step, (x, 4), 0), what="d/dx")
    assert "_old" not in g.source, g.source


def rows_per_step(x, steps):
    state = np.ones(3)
    total = 0.0
    for t in range(steps):
        new = np.zeros(3)
        for i in range(3):
            new[i] = np.sin(state[i] * x) + 0.1 * np.sum(new * new)  # reads the elements written so far
        total = total + np.sum(new * new)
        state = new
    return total


def previous_step_read_after_continue(x, steps):
    state = np.ones(2)
    total = 0.0
    for t in range(steps):
        new = np.zeros(2)
        new[0] = state[1] * x
        new[1] = np.cos(state[0]) + x
        if t == 1:
            total = total + new[0]
            continue
        total = total + np.sum(new * state)
        state = new
    return total + np.sum(state * state)


def test_buffers_made_each_step_written_or_kept_otherwise():
    for f in (rows_per_step, previous_step_read_after_continue):
        g = s2s.grad(f)
        for x in (0.4, -0.9):
            assert_close(g(x, 4), numeric_grad(f, (x, 4), 0), what=f"d{f.__name__}/dx")
