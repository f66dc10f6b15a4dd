"""Refusals whose message pointed at the wrong place or gave advice that does not run (hunt round 7): each
refusal now names what happened at the user's line, and the rewrite it advises runs and keeps the program's
meaning (checked here: the rewritten program's derivative against finite differences of the original)."""
import warnings

import numpy as np
import pytest

import s2s
from tests.conftest import check_every_mode, module_from_text, numeric_grad

B = np.array([0.3, -0.2, 0.7])
FACES = np.array([[0, 1, 2], [1, 2, 3], [0, 2, 3], [0, 1, 3]])


def refusal(f, *args) -> str:
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(f)(*args)
    return str(info.value)


# -- 1. a DP table as a list of lists: D[i][j] = ... -------------------------------------------------------

def dtw_lists(a):
    n, m = a.shape[0], B.shape[0]
    D = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        D[i][0] = float(i)
    for j in range(m + 1):
        D[0][j] = float(j)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            D[i][j] = min(D[i - 1][j] + 1.0, D[i][j - 1] + 1.0, D[i - 1][j - 1] + (a[i - 1] - B[j - 1]) ** 2)
    return D[n][m]


def dtw_array(a):  # the rewrite the refusal advises
    n, m = a.shape[0], B.shape[0]
    D = np.zeros((n + 1, m + 1))
    for i in range(n + 1):
        D[i, 0] = float(i)
    for j in range(m + 1):
        D[0, j] = float(j)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            D[i, j] = min(D[i - 1, j] + 1.0, D[i, j - 1] + 1.0, D[i - 1, j - 1] + (a[i - 1] - B[j - 1]) ** 2)
    return D[n, m]


def test_list_of_lists_table_advises_an_array():
    a = np.array([0.1, 0.5, 0.9, 0.2])
    message = refusal(dtw_lists, a)
    assert "an item of the list 'D'" in message and "D = np.zeros((rows, columns))" in message
    assert "D[i, 0] = ..." in message and "test_hunt7_messages.py" in message and "D[i][0] = float(i)" in message
    grad = s2s.grad(dtw_array)(a)
    assert np.abs(grad).sum() > 0.1
    np.testing.assert_allclose(grad, numeric_grad(dtw_lists, (a,), 0), rtol=1e-5, atol=1e-7)
    assert s2s.value_and_grad(dtw_array)(a)[0] == pytest.approx(dtw_lists(a), rel=1e-13)


# -- 2. a memo dict with run-time keys ----------------------------------------------------------------------

def memo_dict(x):
    cache = {}
    a = x
    for t in range(3):
        cache[t] = a
        a = np.sin(a)
    return np.sum(a * cache[2]) + np.sum(cache[t - 1] ** 2)


def memo_dict_straight(x):
    cache = {}
    t = 1
    cache[t] = np.sin(x)
    return np.sum(cache[t])


def memo_list(x):  # the rewrite the refusal advises
    cache = []
    a = x
    for t in range(3):
        cache.append(a)
        a = np.sin(a)
    return np.sum(a * cache[2]) + np.sum(cache[t - 1] ** 2)


@pytest.mark.parametrize("f", [memo_dict, memo_dict_straight])
def test_memo_dict_with_run_time_keys_is_exact(f):  # (refused, advising a list, until fix18dictw)
    check_every_mode(f, np.array([0.2, -0.4, 1.1]))


def test_memo_list_matches_the_dict():
    x = np.array([0.2, -0.4, 1.1])
    check_every_mode(memo_list, x)
    np.testing.assert_allclose(s2s.grad(memo_list)(x), numeric_grad(memo_dict, (x,), 0), rtol=1e-6, atol=1e-8)


def named_key_in_a_loop(x):
    p = {}
    for _ in range(2):
        p["w"] = x * x
    return np.sum(p["w"])


def test_named_key_in_a_loop_is_exact():  # (refused, advising p = {**p, 'w': value}, until fix18dictw)
    check_every_mode(named_key_in_a_loop, np.array([0.5, -1.5]))


# -- 3. integer connectivity bookkeeping ---------------------------------------------------------------------

def seen_set_add(v):
    seen = set()
    for f in FACES:
        seen.add(int(f[0]))
    return np.sum(v)


def seen_set_union(v):
    seen = set()
    for f in FACES:
        seen = seen | {int(f[0])}
    return np.sum(v)


def count_dict(v):
    cnt = {}
    for f in FACES:
        key = int(f[0])
        cnt = {**cnt, key: 1}
    return np.sum(v)


@pytest.mark.parametrize("f, what", [
    (seen_set_add, "the method .add() of the set 'seen', which changes it in place (s2s does not follow sets)"),
    (seen_set_union, "a set display is not supported by s2s (s2s does not follow sets"),
    (count_dict, "a dict display {**cnt, key: ...}, whose key is known only as the code runs"),
])
def test_bookkeeping_refusals_name_the_limitation(f, what):
    message = refusal(f, np.ones(4))
    assert what in message
    assert "build it outside the function and pass it in" in message and "seen.append(k)" in message
    assert "result is discarded" not in message and "other than first" not in message


def loop_energy_set(v):  # what the user meant: each edge (i, j) once, with a set of seen edges
    seen, s = set(), 0.0
    for f in FACES:
        for i, j in ((f[0], f[1]), (f[1], f[2]), (f[2], f[0])):
            key = (min(i, j), max(i, j))
            if key not in seen:
                seen = seen | {key}
                s = s + (v[i] - v[j]) ** 2
    counts = {}
    for f in FACES:
        counts[int(f[0])] = counts.get(int(f[0]), 0) + 1
    return s + sum(c * v[k] ** 2 for k, c in counts.items())


def loop_energy_lists(v):  # the rewrite the refusals advise: a flat list with `in`, an integer array of counts
    seen = []
    s = 0.0
    for f in FACES:
        for i, j in ((f[0], f[1]), (f[1], f[2]), (f[2], f[0])):
            key = (int(min(i, j)), int(max(i, j)))
            if key not in seen:
                seen.append(key)
                s = s + (v[i] - v[j]) ** 2
    cnt = np.zeros(len(v), dtype=int)
    for f in FACES:
        k = int(f[0])
        cnt[k] = cnt[k] + 1
    return s + np.sum(cnt * v ** 2)


def test_bookkeeping_rewrite_matches():
    v = np.array([0.3, -0.4, 0.5, 1.6])
    assert loop_energy_lists(v) == pytest.approx(loop_energy_set(v), rel=1e-13)
    grad = check_every_mode(loop_energy_lists, v)
    np.testing.assert_allclose(grad, numeric_grad(loop_energy_set, (v,), 0), rtol=1e-6, atol=1e-8)


# -- 4. @np.errstate(...) as a decorator: the body under `with np.errstate(...):` ---------------------------

@np.errstate(divide="ignore", invalid="ignore")
def log_decorated(x):
    y = np.log(x)
    return np.sum(np.where(np.isfinite(y), y, 0.0) * x ** 2)


def log_with(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(x)
        return np.sum(np.where(np.isfinite(y), y, 0.0) * x ** 2)


def test_errstate_decorator_is_the_with_statement():
    x = np.array([0.4, 1.5, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_every_mode(log_decorated, x)
        np.testing.assert_allclose(s2s.grad(log_decorated)(x), s2s.grad(log_with)(x), rtol=1e-15)
        before = np.geterr()
        zero = np.array([0.0, 1.5, 2.0])  # log(0): the settings hold in the derivative too (no warning raised)
        value, _ = s2s.value_and_grad(log_decorated)(zero)
        assert value == log_decorated(zero) and np.geterr() == before
    text = s2s.grad(log_decorated).source
    assert "with np.errstate(divide='ignore', invalid='ignore'):" in text and "try" not in text


class Log:
    def __init__(self):
        self.lines = []

    def write(self, text):
        self.lines.append(text)


LOG = Log()


@np.errstate(all="log", call=LOG)
def log_logged(x):
    return np.sum(np.log(x) * x)


def handler(kind, flag):
    pass


@np.errstate(all="call", call=handler)
def log_handled(x):
    return np.sum(np.log(x) * x)


def test_errstate_decorator_with_a_call_setting():
    x = np.array([0.5, 2.0])
    np.testing.assert_allclose(s2s.grad(log_logged)(x), numeric_grad(log_logged, (x,), 0), rtol=1e-6)
    LOG.lines.clear()
    s2s.grad(log_logged)(np.array([0.0, 2.0]))
    assert LOG.lines and "divide by zero" in LOG.lines[0]  # (as the decorated function's would)
    # a function as call= is refused, as in `with np.errstate(call=handler):`, at the decorator's line
    message = refusal(log_handled, x)
    assert "the function 'handler' used as a value" in message
    assert '@np.errstate(all="call", call=handler)' in message


# -- 5. .source of a function calling a module-level bound method --------------------------------------------

LAYER = """
import numpy as np


class Layer:
    def __init__(self, s):
        self.s = s

    def fwd(self, x):
        return np.tanh(self.s * x)


act = Layer(3.0).fwd


def f_bound(x):
    return np.sum(act(x))
"""


def test_source_of_a_module_bound_method_imports_its_object(tmp_path):
    mod = module_from_text(tmp_path, "hunt7_bound_layer", LAYER)
    text = s2s.grad(mod.f_bound).source
    assert "import hunt7_bound_layer" in text and "act_self = hunt7_bound_layer.act.__self__" in text
    assert "data from a closure" not in text
    namespace = {}
    exec(compile(text, "<text>", "exec"), namespace)  # noqa: S102 (the text, run by itself)
    x = np.array([0.1, -0.3])
    np.testing.assert_allclose(namespace["grad_f_bound"](x), numeric_grad(mod.f_bound, (x,), 0), rtol=1e-6)


class Layer:
    def __init__(self, s):
        self.s = s

    def fwd(self, x):
        return np.tanh(self.s * x)


act = Layer(3.0).fwd


def f_script_bound(x):
    return np.sum(act(x))


def test_source_of_a_script_bound_method_names_its_object(monkeypatch):
    monkeypatch.setattr(act.__func__, "__module__", "__main__")  # (as a script's: nothing imports it)
    monkeypatch.setattr(f_script_bound, "__module__", "__main__")
    monkeypatch.setitem(__import__("sys").modules, "__main__", __import__("sys").modules[__name__])
    text = s2s.grad(f_script_bound).source
    assert "(the object of the bound method act: act.__self__)" in text
    assert "exec(text, {\"act_self\": act.__self__})" in text
    with pytest.raises(RuntimeError, match=r"act_self \(the object of the script's bound method act\).*"
                                           r"'act_self': act.__self__"):
        exec(compile(text, "<text>", "exec"), {})  # noqa: S102
    namespace = {"act_self": act.__self__}  # the advice, followed
    exec(compile(text, "<text>", "exec"), namespace)  # noqa: S102
    x = np.array([0.1, -0.3])
    np.testing.assert_allclose(namespace["grad_f_script_bound"](x), numeric_grad(f_script_bound, (x,), 0), rtol=1e-6)


# -- 6. builtin max with a key -------------------------------------------------------------------------------

def best_of(delta):
    k = max(range(delta.shape[0]), key=lambda k: delta[k])
    return delta[k] ** 2 + np.sum(delta)


def test_max_with_key_is_supported():
    delta = np.array([1.0, 3.0, 2.0])
    np.testing.assert_allclose(s2s.grad(best_of)(delta), numeric_grad(best_of, (delta,), 0), rtol=1e-6)
