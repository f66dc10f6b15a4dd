"""Messages and small false refusals after the sixth round of hunts (hunt6idx items 6 and 9, hunt6dl items 4, 6
and 7, hunt6py items 5 and 6, hunt6iter item 3): what s2s can do exactly is accepted and checked against finite
differences in every mode; what it refuses says what is true and what to write, at the user's line."""
import inspect
from dataclasses import dataclass

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

M = np.array([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]])


def line_of(f, text: str) -> int:
    lines, first = inspect.getsourcelines(f)
    return first + next(i for i, line in enumerate(lines) if text in line)


def refusal(transform, f, *args):
    with pytest.raises(s2s.S2SError) as info:
        transform(f)(*args)
    return info.value


# ----------------------------------------------------------------- hunt6idx item 6: m.flat read as np.ravel(m)
def flat_element(m):
    return m.flat[4] * m.flat[0] ** 2


def flat_of_made(m):
    y = m * 1.5
    return y.flat[4] * np.sum(y.flat[1:5] ** 2)


def flat_fancy(m):
    return np.sum(m.flat[[0, 4, 4]] ** 3) + len(m.flat)


def flat_loop(m):
    tot = 0.0
    for v in m.flat:
        tot = tot + v ** 3
    return tot


@pytest.mark.parametrize("f", [flat_element, flat_of_made, flat_fancy, flat_loop])
def test_flat_reads_in_every_mode(f):
    check_every_mode(f, M, exact=True)


def test_flat_reverse_over_reverse():
    h = s2s.jacobian(s2s.grad(flat_loop))(M)
    assert_close(h, np.diag(6.0 * M.ravel()).reshape(M.shape + M.shape), what="jacobian(grad) of m.flat loop")


def flat_write(m):
    y = m * 1.0
    y.flat[4] = 2.0
    return np.sum(y)


def test_flat_write_refused_saying_what_to_write():
    err = refusal(s2s.grad, flat_write, M)
    assert err.lineno == line_of(flat_write, "y.flat[4] = 2.0")
    assert "y[np.unravel_index(4, y.shape)] = ..." in str(err)


# ----------------------------------------------------------------- hunt6dl item 4: MAML with record parameters
@dataclass
class Params:
    W: np.ndarray
    b: np.ndarray


def inner_record(p, x):
    return np.sum(np.tanh(x @ p.W + p.b) ** 2)


def maml_record(p, x):
    g = s2s.grad(inner_record)(p, x)
    return inner_record(Params(p.W - 0.3 * g.W, p.b - 0.3 * g.b), x)


def inner_dict(p, x):
    return np.sum(np.tanh(x @ p["W"] + p["b"]) ** 2)


def maml_dict(p, x):
    g = s2s.grad(inner_dict)(p, x)
    return inner_dict({k: p[k] - 0.3 * g[k] for k in p}, x)


RS = np.random.RandomState(0)
W0, B0, X0 = RS.randn(3, 2), RS.randn(2), RS.randn(4, 3)


def test_maml_with_record_parameters_says_what_is_true():
    err = refusal(s2s.grad, maml_record, Params(W0, B0), X0)
    assert err.lineno == line_of(maml_record, "return inner_record(Params(")
    assert "derivative with respect to a record" in str(err) and "not differentiate a derivative of record" in str(err)
    assert "dict or a tuple" in str(err) and "operator" not in str(err)


def test_maml_with_dict_parameters_as_advised():
    def by_w(W):
        return maml_dict({"W": W, "b": B0}, X0)
    numeric = numeric_grad(by_w, (W0,), 0)
    g = s2s.grad(maml_dict)({"W": W0, "b": B0}, X0)
    assert_close(g["W"], numeric, what="grad of MAML, dict params")
    assert_close(s2s.jacobian(by_w, mode="forward")(W0), numeric, what="forward jacobian of MAML")
    assert_close(s2s.jvp(by_w)((W0,), (np.ones_like(W0),))[1], np.sum(numeric), what="jvp of MAML")


# ----------------------------------------------------------------- hunt6dl item 7: list(xs) * array
def list_times_array(x):
    w = list(x[::-1])
    return np.sum(w * x)


def list_as_array_times_array(x):
    w = np.array(list(x[::-1]))
    return np.sum(w * x)


def test_list_times_a_run_time_value_says_numpy_multiplies_an_array():
    x = np.array([0.5, -1.5, 2.0])
    err = refusal(s2s.grad, list_times_array, x)
    assert err.lineno == line_of(list_times_array, "np.sum(w * x)")
    assert "times a value known only at run time" in str(err) and "repeating" not in str(err)
    assert "np.array(xs) * w" in str(err)
    g = check_every_mode(list_as_array_times_array, x, exact=True)
    assert_close(g, 2.0 * x[::-1], what="d/dx sum(x[::-1] * x)")


# ----------------------------------------------------------------- hunt6dl item 6: CS231n rnn_forward's prev_h
H0, WX, WH = RS.randn(2, 2), RS.randn(2, 2), RS.randn(2, 2)


def rnn_view(x):
    N, T, D = x.shape
    h = np.zeros((N, T, H0.shape[1]))
    prev_h = H0
    for t in range(T):
        h[:, t, :] = np.tanh(x[:, t, :] @ WX + prev_h @ WH)
        prev_h = h[:, t, :]
    return np.sum(h ** 2)


def rnn_copy(x):
    N, T, D = x.shape
    h = np.zeros((N, T, H0.shape[1]))
    prev_h = H0
    for t in range(T):
        h[:, t, :] = np.tanh(x[:, t, :] @ WX + prev_h @ WH)
        prev_h = h[:, t, :].copy()
    return np.sum(h ** 2)


def test_rnn_view_kept_across_iterations_advises_copying_the_view():
    x = RS.randn(2, 3, 2)
    err = refusal(s2s.grad, rnn_view, x)
    assert err.lineno == line_of(rnn_view, "for t in range(T):")
    assert "copy what 'prev_h' takes: prev_h = h[:, t, :].copy()" in str(err)
    check_every_mode(rnn_copy, x, exact=True)
