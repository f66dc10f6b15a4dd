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


def rnn_read_after_write(x):
    h = np.zeros((2, 2))
    prev = H0[0]
    tot = 0.0
    for t in range(x.shape[0]):
        h[0] = np.tanh(x[t] @ WX + prev @ WH)
        tot = tot + np.sum(prev ** 2)  # (NumPy's prev is h[0] as just written)
        prev = h[0]
    return tot


def rnn_copy(x):
    h = np.zeros((2, 2))
    prev = H0[0]
    tot = 0.0
    for t in range(x.shape[0]):
        h[0] = np.tanh(x[t] @ WX + prev @ WH)
        tot = tot + np.sum(prev ** 2)
        prev = h[0].copy()
    return tot


def row_overwritten(x):
    h = np.zeros((2, 2))
    prev = H0[0]
    tot = 0.0
    for t in range(x.shape[0]):
        h[0] = np.tanh(x[t] @ WX + prev @ WH)  # (the row prev views, written after prev was read)
        tot = tot + np.sum(h[0] ** 2)
        prev = h[0]
    return tot + np.sum(prev)


def carried_twice(x):
    h = np.zeros((2, 2))
    prev, old = H0[0], H0[1]
    tot = 0.0
    for t in range(x.shape[0]):
        tot = tot + np.sum(old ** 2)
        h[0] = np.tanh(x[t] @ WX + prev @ WH)
        old = prev  # (a view of h[0] over the next iteration's write)
        prev = h[0]
    return tot


def test_view_kept_across_iterations_read_before_the_writes():
    check_every_mode(rnn_view, RS.randn(2, 3, 2), exact=True)
    check_every_mode(row_overwritten, RS.randn(3, 2), exact=True)


@pytest.mark.parametrize("f", [rnn_read_after_write, carried_twice])
def test_view_kept_across_iterations_read_after_a_write_advises_copying_it(f):
    x = RS.randn(3, 2)
    err = refusal(s2s.grad, f, x)
    assert err.lineno == line_of(f, "for t in range(x.shape[0]):")
    assert "keep a copy where" in str(err) and ("prev = h[0].copy()" in str(err) or "old = ....copy()" in str(err))
    check_every_mode(rnn_copy, x, exact=True)


# ----------------------------------------------------------------- hunt6py item 5: str methods of dict keys
def l2_no_bias(params):
    s = 0.0
    for name, w in params.items():
        if not name.startswith("b"):
            s = s + np.sum(w ** 2)
    return s


def l2_ending(params):
    return sum(np.sum(w ** 3) for k, w in params.items() if k.upper().endswith("1"))


PARAMS = {"W1": np.array([1.0, 2.0]), "b1": np.array([0.5]), "W2": np.array([3.0, -1.5])}


@pytest.mark.parametrize("f, expected", [
    (l2_no_bias, {"W1": 2.0 * PARAMS["W1"], "b1": np.zeros(1), "W2": 2.0 * PARAMS["W2"]}),
    (l2_ending, {"W1": 3.0 * PARAMS["W1"] ** 2, "b1": 3.0 * PARAMS["b1"] ** 2, "W2": np.zeros(2)}),
])
def test_string_methods_of_dict_keys(f, expected):
    value, g = s2s.value_and_grad(f)(PARAMS)
    assert value == f(PARAMS)
    for k in PARAMS:
        assert_close(g[k], expected[k], what=f"{f.__name__} [{k}]")
    w2 = PARAMS["W2"]
    numeric = numeric_grad(lambda w: f({**PARAMS, "W2": w}), (w2,), 0)
    assert_close(s2s.jacobian(lambda w: f({**PARAMS, "W2": w}), mode="forward")(w2), numeric, what="forward")
    assert_close(s2s.grad(lambda w: f({**PARAMS, "W2": w}))(w2), numeric, what="reverse")
    assert "name.startswith('b')" in s2s.grad(l2_no_bias).source  # (called as written)


def formatted(x):
    label = "x = {:.3f}".format(x[0])
    return x[0] * len(label)


def test_format_of_a_string_constant():
    x = np.array([1.25, 2.0])
    check_every_mode(formatted, x, exact=True)


def string_method_of_a_number(x):
    return x.startswith("b") * x


def test_string_method_of_what_carries_a_derivative_is_refused():
    with pytest.raises(s2s.S2SError, match="startswith"):
        s2s.grad(string_method_of_a_number)(1.5)


# ----------------------------------------------------------------- hunt6py item 6, hunt6idx item 9: messages
def index_of_local_list(x):
    xs = [x[0], x[1]]
    return xs.index(x[1]) * x[0]


def index_as_advised(x):
    xs = [x[0], x[1]]
    return int(np.flatnonzero(np.array(xs) == x[1])[0]) * x[0]


def update_dict(p):
    q = dict(p)
    q.update(w=p["w"] * 2.0)
    return q["w"] * q["b"]


def update_as_advised(p):
    q = dict(p)
    q = {**q, "w": p["w"] * 2.0}
    return q["w"] * q["b"]


def fill_array(x):
    y = x * 2.0
    y.fill(3.0)
    return np.sum(y * x)


def fill_as_advised(x):
    y = x * 2.0
    y[...] = 3.0
    return np.sum(y * x) + np.sum(np.full_like(y, 0.5) * x)


def view_of_made(x):
    y = x * 2.0
    z = y.view()
    return np.sum(z * x)


def nested_recursion(x):
    def rec(v, n):
        return v if n == 0 else rec(v * x[0], n - 1)
    return rec(x[1], 3)


@pytest.mark.parametrize("f, arg, text, says, not_says", [
    (index_of_local_list, np.array([1.5, 2.5]), "return xs.index", "np.flatnonzero(np.array(xs) == v)", "argument"),
    (update_dict, {"w": 1.0, "b": 2.0}, "q.update(", "q = {**q, 'w': p['w'] * 2.0}", "assign the result"),
    (fill_array, np.ones(2), "y.fill(", "y = np.full_like(y, value)", "assign the result"),
    (view_of_made, np.ones(2), "y.view()", "'y' (a value the function computes)", "an argument"),
    (nested_recursion, np.array([1.5, 2.0]), "else rec(", "define rec at module level", "(write the recursion"),
])
def test_messages_say_what_is_true(f, arg, text, says, not_says):
    err = refusal(s2s.grad, f, arg)
    assert err.lineno == line_of(f, text), str(err)
    assert says in str(err) and not_says not in str(err), str(err)


def test_what_the_messages_advise_works():
    x = np.array([1.5, 2.5])
    g = s2s.grad(index_as_advised)(x)
    assert_close(g, [1.0, 0.0], what="index as advised")
    assert index_as_advised(x) == 1.5
    g = s2s.grad(update_as_advised)({"w": 1.5, "b": 2.0})
    assert_close([g["w"], g["b"]], [4.0, 3.0], what="update as advised")
    check_every_mode(fill_as_advised, x, exact=True)


def rec_module(v, n, c):
    return v if n == 0 else rec_module(v * c, n - 1, c)


def recursion_at_module_level(x):
    return rec_module(x[1], 3, x[0])


def test_recursion_moved_to_module_level_as_advised():
    check_every_mode(recursion_at_module_level, np.array([1.5, 2.0]))


# ----------------------------------------------------------------- hunt6idx item 9: rows, cols = zip(*pairs)
PAIRS = [(0, 1), (1, 0), (1, 1)]


def unzipped(m):
    pairs = [(0, 1), (1, 0), (1, 1)]
    rows, cols = zip(*pairs)
    return np.sum(m[list(rows), list(cols)] ** 2)


def unzipped_generator(m):
    a, b = (np.sum(r) for r in m)
    return a * b


def unzipped_argument(m, pairs):
    rows, cols = zip(*pairs)
    return np.sum(m[list(rows), list(cols)] ** 2)


def test_unpacking_an_iterator_reads_it_wholly():
    m = np.array([[0.5, -1.0], [1.5, 0.3]])
    expected = np.zeros_like(m)
    for r, c in PAIRS:
        expected[r, c] = 2.0 * m[r, c]
    assert_close(check_every_mode(unzipped, m, exact=True), expected, what="zip(*pairs)")
    check_every_mode(unzipped_generator, m, exact=True)


def unzipped_as_advised(m, pairs):
    rows, cols = [p[0] for p in pairs], [p[1] for p in pairs]
    return np.sum(m[rows, cols] ** 2)


def test_zip_of_a_run_time_sequence_spread_says_what_to_write():
    m = np.array([[0.5, -1.0], [1.5, 0.3]])
    err = refusal(s2s.grad, unzipped_argument, m, PAIRS)
    assert err.lineno == line_of(unzipped_argument, "zip(*pairs)")
    assert "rows = [p[0] for p in pairs]" in str(err)
    assert_close(s2s.grad(unzipped_as_advised)(m, PAIRS), numeric_grad(unzipped_as_advised, (m, PAIRS), 0),
                 what="unzipped as advised")


# ----------------------------------------------------------------- hunt6iter item 3: s2s.jacobian in a Newton solver
def residual(x, p):
    return np.array([x[0] ** 2 + x[1] - p[0], x[0] - x[1] ** 3 + p[1]])


jvp_residual = s2s.jvp(residual)


def newton_with_jacobian(p):
    x = np.array([1.0, 1.0])
    for k in range(8):
        x = x - np.linalg.solve(s2s.jacobian(residual)(x, p), residual(x, p))
    return np.sum(x)


def newton_as_advised(p):
    x = np.array([1.0, 1.0])
    for k in range(8):
        J = np.stack([jvp_residual((x, p), (e,))[1] for e in np.eye(x.size)], axis=1)
        x = x - np.linalg.solve(J, residual(x, p))
    return np.sum(x)


def quartic(w, a):
    return np.sum((w - a) ** 4) + np.sum(w * w)


hvp = s2s.jvp(s2s.grad(quartic))


def newton_with_hessian(a):
    w = np.zeros(2)
    for k in range(5):
        w = w - np.linalg.solve(s2s.hessian(quartic)(w, a), s2s.grad(quartic)(w, a))
    return np.sum(w ** 2)


def newton_hessian_as_advised(a):
    w = np.zeros(2)
    for k in range(5):
        H = np.stack([hvp((w, a), (e,))[1] for e in np.eye(w.size)], axis=1)
        w = w - np.linalg.solve(H, s2s.grad(quartic)(w, a))
    return np.sum(w ** 2)


@pytest.mark.parametrize("f, fixed, spelled", [
    (newton_with_jacobian, newton_as_advised, "s2s.jacobian(residual)(x, p)"),
    (newton_with_hessian, newton_hessian_as_advised, "s2s.hessian(quartic)(x, p)"),
])
def test_matrix_of_s2s_inside_a_solver_says_how_to_write_the_step(f, fixed, spelled):
    p = np.array([2.0, 0.5])
    err = refusal(s2s.grad, f, p)
    assert "np.stack([" in str(err) and f"in place of {spelled}" in str(err), str(err)
    numeric = numeric_grad(fixed, (p,), 0)
    assert_close(s2s.grad(fixed)(p), numeric, rtol=1e-4, what=f"{fixed.__name__} grad")
    assert_close(s2s.jacobian(fixed, mode="forward")(p), numeric, rtol=1e-4, what=f"{fixed.__name__} forward")
