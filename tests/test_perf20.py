"""perf20 (issue 13): costs in generated code, each saving checked exact against finite differences."""
import math

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

W3 = np.array([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6], [-0.2, 0.3, 0.7]])
H0 = np.array([0.3, -0.8, 1.1])


# ---------------------------------------------------------------- `np.sin(h) @ W` read in a reversed loop for its shape
def sin_rows(h0):
    h = h0
    for t in range(4):
        h = np.sin(h) @ W3
    return np.sum(h * h)


def sin_columns(h0):
    h = h0
    for t in range(4):
        h = W3 @ np.sin(h)
    return np.sum(h * h)


def sin_batch(h0):
    """A stack of rows times a matrix (NumPy's general case of `@`: the adjoint summed back by shape)."""
    h = np.reshape(h0, (1, 1, 3)) * np.ones((2, 2, 3))
    for t in range(3):
        h = np.sin(h) @ W3
    return np.sum(h ** 3)


def sin_matrix_rows(h0):
    h = np.outer(h0, h0[::-1])
    for t in range(3):
        h = np.cos(h) @ W3
    return np.sum(h * h)


@pytest.mark.parametrize("f", [sin_rows, sin_columns, sin_batch, sin_matrix_rows], ids=lambda f: f.__name__)
def test_matmul_operand_read_for_its_shape_is_not_recomputed(f):
    """`rt.matmul_adjoint_a(g, np.sin(h), W)` reads np.sin(h) for its shape alone: the reversed loop reads the
    shape of the h it has (rt.array_shape(h)) and computes np.sin(h) once, in the forward loop."""
    check_every_mode(f, H0)
    text = "\n".join(line for line in s2s.grad(f).source.splitlines() if not line.strip().startswith("#"))
    name = "np.cos(" if f is sin_matrix_rows else "np.sin("
    assert text.count(name) == 1, text
    assert "rt.array_shape(" in text, text


def test_matmul_operand_read_for_its_value_is_still_computed():
    """With W's derivative too, np.sin(h) is read for its value (the adjoint of W): computed again, as before."""
    def f(W, h0):
        h = h0
        for t in range(4):
            h = np.sin(h) @ W
        return np.sum(h * h)
    for wrt in (0, 1):
        assert_close(s2s.grad(f, wrt=wrt)(W3, H0), numeric_grad(f, (W3, H0), wrt), what=f"d/d{wrt}")
    assert_close(s2s.grad(f, wrt=1)(W3, list(H0)), numeric_grad(f, (W3, H0), 1), what="a list h0")


def _linear_adjoint(g, a, b, which):
    """The adjoint of `a @ b` in `a` (which 0) or `b` (which 1) as the gradient of sum(g * (a @ b)), entry by entry
    (the product is linear in each: exact)."""
    x = (a, b)[which]
    out = np.zeros(np.shape(x))
    for idx in np.ndindex(np.shape(x)):
        e = np.zeros(np.shape(x))
        e[idx] = 1.0
        out[idx] = np.sum(g * ((e @ b) if which == 0 else (a @ e)))
    return out


def test_matmul_adjoints_take_a_shape_as_they_take_the_array():
    """The operand each adjoint of `a @ b` reads for its shape alone may be a Shape; a row times a matrix (an RNN's
    `h @ W`) takes its short path (`W @ g`, `h[:, None] * g`); each against the product's own linear map."""
    from s2s import runtime as rt
    rng = np.random.default_rng(1)
    for a_shape, b_shape in [((3,), (3, 2)), ((4, 3), (3, 2)), ((2, 4, 3), (3, 2)), ((4, 3), (3,)),
                             ((3,), (3,)), ((2, 4, 3), (2, 3, 5)), ((4, 3), (2, 3, 5)), ((0,), (0, 2))]:
        a, b = rng.normal(size=a_shape), rng.normal(size=b_shape)
        g = rng.normal(size=np.shape(a @ b))
        for got in (rt.matmul_adjoint_a(g, rt.array_shape(a), b), rt.matmul_adjoint_a(g, a, b)):
            assert_close(got, _linear_adjoint(g, a, b, 0), what=f"d/da {a_shape} @ {b_shape}")
        for got in (rt.matmul_adjoint_b(g, a, rt.array_shape(b)), rt.matmul_adjoint_b(g, a, b)):
            assert_close(got, _linear_adjoint(g, a, b, 1), what=f"d/db {a_shape} @ {b_shape}")
        assert rt.matmul_adjoint_a(0.0, rt.array_shape(a), b).shape == a.shape
        assert rt.matmul_adjoint_b(0.0, a, rt.array_shape(b)).shape == b.shape


# ---------------------------------------------------------------- a dict the function made has no float check
def messages(x):
    msgs = {}
    for i in range(3):
        msgs[i] = x * float(i + 1)
    total = 0.0
    for i in range(3):
        total = total + np.sum(np.sin(msgs[i]))
    return total


def test_dict_written_at_run_time_keys_has_no_float_array_check():
    """`msgs = {}` written at keys known as the code runs: a dict's slot takes any value, nothing is truncated,
    so no rt.require_float_array(msgs, ...) is emitted for it."""
    check_every_mode(messages, H0, hessian=False)
    assert "require_float_array" not in s2s.grad(messages).source


def int_buffer(x):
    y = np.zeros(3, dtype=int)
    for i in range(3):
        y[i] = x[i] * 2.0
    return np.sum(y)


def test_array_of_integers_still_checked():
    with pytest.raises(s2s.S2SError, match="array of int"):
        s2s.grad(int_buffer)(H0)


# ---------------------------------------------------------------- an HMM's log-forward: no shape saved per step
def hmm_shifted(log_A, log_B, log_pi, obs):
    """The forward algorithm in log space, shifted by each step's maximum for range."""
    A = np.exp(log_A)
    alpha = log_pi + log_B[:, obs[0]]
    for t in range(1, len(obs)):
        m = np.max(alpha)
        alpha = np.log(np.exp(alpha - m) @ A) + m + log_B[:, obs[t]]
    m = np.max(alpha)
    return m + np.log(np.sum(np.exp(alpha - m)))


LOG_A = np.log(np.array([[0.7, 0.2, 0.1], [0.3, 0.5, 0.2], [0.25, 0.25, 0.5]]))
LOG_B = np.log(np.array([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.1, 0.2, 0.7]]))
LOG_PI = np.log(np.array([0.5, 0.3, 0.2]))
OBS = [0, 2, 1, 1, 0, 2]


def test_hmm_forward_saves_no_shape_per_step():
    """`np.log(s @ A) + m` (m = np.max(alpha), a number) has the shape of s @ A, which the reversed loop has:
    its shape is read there (rt.array_shape), not saved at every step (`t9_shape_saved`)."""
    args = (LOG_A, LOG_B, LOG_PI, OBS)
    got = s2s.grad(hmm_shifted, wrt=(0, 1, 2))(*args)
    for w, g in zip((0, 1, 2), got):
        assert_close(g, numeric_grad(hmm_shifted, args, w), what=f"d/d{w}")
    assert "_shape_saved" not in s2s.grad(hmm_shifted, wrt=(0, 1, 2)).source
    check_every_mode(lambda a: hmm_shifted(LOG_A, LOG_B, a, OBS), LOG_PI)


def shifted_list(xs, c):
    h = xs
    for t in range(3):
        m = np.max(h)
        h = np.sin(h) - m + c
    return np.sum(h * h)


def test_number_added_to_a_list_is_read_as_an_array():
    """`np.sin(h) - m + c` with h a list on the first step: its shape is NumPy's shape of h as an array."""
    c = np.array([[0.1], [-0.2]])
    for xs in ([0.3, -0.4, 0.9], np.array([0.3, -0.4, 0.9])):
        got = s2s.grad(shifted_list, wrt=(0, 1))(xs, c)
        assert_close(got[0], numeric_grad(shifted_list, (np.asarray(xs), c), 0), what="d/dxs")
        assert_close(got[1], numeric_grad(shifted_list, (np.asarray(xs), c), 1), what="d/dc")


# ---------------------------------------------------------------- a checkpointed call's pullback: the adjoints read


def cell(h, W, x):
    return np.tanh(W @ h + W @ x)


def unrolled(W, h0, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = s2s.checkpoint(cell)(h, W, xs[t])
    return np.sum(h * h)


def unrolled_plain(W, h0, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + W @ xs[t])
    return np.sum(h * h)


XS = np.array([[0.2, -0.1, 0.4], [0.5, 0.3, -0.6], [-0.2, 0.1, 0.3], [0.0, 0.7, -0.4]])


def test_checkpointed_pullback_computes_only_the_adjoints_the_caller_reads():
    """xs[t] is data and h0's gradient is not asked for: the pullback gives the adjoints of h and W alone
    (`wanted=(0, 1)`), never W.T @ g for the data; each derivative against finite differences."""
    args = (W3, H0, XS)
    text = s2s.grad(unrolled, wrt=0).source
    assert "wanted=(0, 1)" in text, text
    assert_close(s2s.grad(unrolled, wrt=0)(*args), numeric_grad(unrolled_plain, args, 0), what="d/dW")
    got = s2s.grad(unrolled, wrt=(0, 1))(*args)
    for w, g in zip((0, 1), got):
        assert_close(g, numeric_grad(unrolled_plain, args, w), what=f"d/d{w}")
    from s2s.api import recursion
    made = {key[2] for key in recursion._HELPERS if key[0] is cell and len(key) == 3}
    assert (0, 1) in made and (0, 1, 2) not in made, made


def test_checkpointed_pullback_read_in_part_differentiated_again():
    """The pullback giving h's adjoint alone, differentiated again in what it did not give (W): forward over
    reverse (Hessian, jvp of the gradient) and reverse over reverse (grad of grad), against finite differences."""
    check_every_mode(lambda h0: unrolled(W3, h0, XS), H0)

    def inner_gradient_norm(W):  # d/dW of a function of the gradient in h0 (the inner call reads h's adjoint only)
        return np.sum(s2s.grad(unrolled, wrt=1)(W, H0, XS) ** 2)

    def plain_norm(W):
        return np.sum(s2s.grad(unrolled_plain, wrt=1)(W, H0, XS) ** 2)
    assert "wanted=(0,)" in s2s.grad(unrolled, wrt=1).source
    assert_close(s2s.grad(inner_gradient_norm)(W3), numeric_grad(plain_norm, (W3,), 0), rtol=1e-4, what="grad of grad")
    v = np.arange(9.0).reshape(3, 3) / 9.0
    _, t = s2s.jvp(inner_gradient_norm)((W3,), (v,))
    eps = 1e-6
    assert_close(t, (plain_norm(W3 + eps * v) - plain_norm(W3 - eps * v)) / (2 * eps), rtol=1e-4, what="jvp")


def sorted_rows(h0):
    """np.sort(h) @ W: the sorted row is read for its shape alone (the sort's adjoint reads h): its shape saved."""
    h = h0
    for t in range(3):
        h = np.sort(h) @ W3 + 0.1 * h
    return np.sum(h ** 3)


def test_matmul_operand_saved_as_its_shape():
    check_every_mode(sorted_rows, H0)


# ---------------------------------------------------------------- fuzz seed 4340042: an empty list's np.array, twice
def repeated_atan(x, n):
    seq = []
    for j in range(n):
        seq.append(math.atan(x))
    return math.sin(x) * np.sum(np.array(seq))


@pytest.mark.parametrize("n", [0, 1, 3])
def test_second_derivative_through_an_array_of_a_list_a_loop_may_leave_empty(n):
    """grad of grad of sin(x) * sum(np.array(seq)), seq empty where the loop does not run (it stacked no parts:
    NumPy's 'need at least one array to stack'), against second differences."""
    x, e = 0.7, 1e-4
    want = (repeated_atan(x + e, n) - 2 * repeated_atan(x, n) + repeated_atan(x - e, n)) / e ** 2
    for got in (s2s.grad(s2s.grad(repeated_atan))(x, n), s2s.hessian(repeated_atan)(x, n),
                s2s.jvp(s2s.grad(repeated_atan))((x, n), (1.0,))[1]):
        assert abs(got - want) <= 1e-5 * max(1.0, abs(want)), (got, want)
