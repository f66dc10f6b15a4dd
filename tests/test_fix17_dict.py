"""Containers read as a dict on one path and iterated on another (round 17, fix17dict).

1. A list, tuple or array argument got a zero derivative in every mode where one path of the function reads it as a
   dict (`if isinstance(p, dict): p['W']`) and another iterates it (`W, b = p`, `for u in p`, a comprehension,
   zip, map, list(p)): ad/inactive.keys took the items of any container read at a string key anywhere in the
   function for a dict's keys, which carry no derivative. It now takes them so only where that read runs whenever
   the item is taken (before it in a block holding it, or after it with nothing between leaving the block), where
   the container is a dict or the run stops at the read. The same held a params tree's list leaves at zero
   (`wd_tree`, `tsum`; a 0-d leaf came back as the float 0.0) and a local name that is a dict on one branch and a
   tuple on the other.

2. `f = ACT['gelu'] if act == 'gelu' else np.tanh; f(w)`, a branch choosing a function a module-level dict holds
   under a constant key, was refused ("give 'f' a function known here on every path"), the form the program had:
   front/functions.py took only function values as the sides of such a branch, where methods.py resolved the
   dict's entry for a direct call only. The entry is now a side too (methods.table_entry, recorded for the cache).

3. s2s.grad(s2s.grad(f)) with f differentiated with respect to an array said the result was not a scalar and
   pointed at f's first line; it now says the function is itself a gradient of that shape and names s2s.hessian
   (api/transformed._gradient_of_gradient).

4. Advice for a call of a function s2s does not know while compiling: `ACT[act](w)` with a run-time key now
   advises a branch on keys written in the code (which item 2 makes work), `type(a)(items)` advises tuple(...) or
   list(...) by isinstance, neither the `Layer.__call__(ACT[act], x)` that did not apply; a parameter called as a
   function (`layer(x)`, a dataclass layer) gets the `Layer.__call__(layer, x)` advice too (front/calls.py).

Each program is checked in every mode against finite differences, its value against NumPy's, and the caller's
arguments unchanged after each call.
"""
import copy
import dataclasses

import numpy as np
import pytest

import s2s
from conftest import assert_close

W = np.array([[1.0, 0.5], [0.2, -0.3]])
B = np.array([0.1, 0.2])
X = np.array([[0.3, -0.7], [1.1, 0.4]])
Y = np.array([[0.2, -0.1], [0.5, 0.3]])


# ---- container trees: leaves in order, and a tree rebuilt from a flat vector ----

def _leaves(t):
    if isinstance(t, dict):
        return [a for k in t for a in _leaves(t[k])]
    if isinstance(t, (list, tuple)):
        return [a for u in t for a in _leaves(u)]
    return [t]


def _rebuilt(t, flat, at=None):
    at = [0] if at is None else at
    if isinstance(t, dict):
        return {k: _rebuilt(v, flat, at) for k, v in t.items()}
    if isinstance(t, (list, tuple)):
        return type(t)(_rebuilt(u, flat, at) for u in t)
    n = np.size(t)
    out = flat[at[0]:at[0] + n].reshape(np.shape(t))
    at[0] += n
    return out if isinstance(t, np.ndarray) else float(out)


def _flat(t):
    return np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in _leaves(t)])


def _fd(f, t, rest, eps=1e-6):
    v = _flat(t)
    out = np.zeros_like(v)
    for i in range(v.size):
        up, down = v.copy(), v.copy()
        up[i] += eps
        down[i] -= eps
        out[i] = (f(_rebuilt(t, up), *copy.deepcopy(rest)) - f(_rebuilt(t, down), *copy.deepcopy(rest))) / (2 * eps)
    return out


def _fd_hessian(f, t, rest, eps=1e-4):
    v = _flat(t)
    rows = []
    for i in range(v.size):
        up, down = v.copy(), v.copy()
        up[i] += eps
        down[i] -= eps
        rows.append((_fd(f, _rebuilt(t, up), rest, 1e-5) - _fd(f, _rebuilt(t, down), rest, 1e-5)) / (2 * eps))
    return np.array(rows)


def _same_kind(got, t, what):
    """`got` has the structure of `t`, with an array where `t` has one (a 0-d leaf: a 0-d array, not a float)."""
    if isinstance(t, dict):
        assert isinstance(got, dict) and list(got) == list(t), what
        for k in t:
            _same_kind(got[k], t[k], what)
    elif isinstance(t, (list, tuple)):
        assert type(got) is type(t) and len(got) == len(t), what
        for a, b in zip(got, t):
            _same_kind(a, b, what)
    elif isinstance(t, np.ndarray):
        assert isinstance(got, np.ndarray) and got.shape == t.shape, f"{what}: {got!r} for a leaf of shape {t.shape}"


def every_mode(f, t, *rest, hessian=True):
    """f(t, *rest) (a number) by every transformation with respect to the container t."""
    kept = copy.deepcopy((t, rest))

    def unchanged(what):
        for a, b in zip(_leaves((t, rest)), _leaves(kept)):
            assert np.array_equal(a, b), f"{f.__name__}: {what} changed the caller's arguments"

    expected = f(copy.deepcopy(t), *copy.deepcopy(rest))
    numeric = _fd(f, t, rest)
    assert np.max(np.abs(numeric)) > 1e-3  # (a derivative that is not zero: the bug gave zeros)
    value, gradient = s2s.value_and_grad(f)(t, *rest)
    unchanged("value_and_grad")
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-12)
    _same_kind(gradient, t, f"{f.__name__}: value_and_grad")
    assert_close(_flat(gradient), numeric, what=f"{f.__name__}: value_and_grad")
    gradient = s2s.grad(f)(t, *rest)
    _same_kind(gradient, t, f"{f.__name__}: grad")
    assert_close(_flat(gradient), numeric, what=f"{f.__name__}: grad")
    unchanged("grad")
    primal, pullback = s2s.vjp(f)(t, *rest)
    assert primal == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert_close(_flat(pullback(1.0)), numeric, what=f"{f.__name__}: vjp")
    unchanged("vjp")
    v = np.linspace(-1.0, 1.0, numeric.size) + 0.25
    primal, tangent = s2s.jvp(f)((t, *rest), (_rebuilt(t, v),))
    unchanged("jvp")
    assert primal == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert_close(tangent, np.sum(numeric * v), what=f"{f.__name__}: jvp")
    assert_close(_flat(s2s.jacobian(f, mode="forward")(t, *rest)), numeric, what=f"{f.__name__}: forward jacobian")
    unchanged("the forward jacobian")
    assert_close(_flat(s2s.jacobian(f)(t, *rest)), numeric, what=f"{f.__name__}: reverse jacobian")
    unchanged("the reverse jacobian")
    if hessian:
        H = s2s.hessian(f)(t, *rest)
        unchanged("the hessian")
        outer = _leaves(H) if not isinstance(t, np.ndarray) else None
        if outer is None:
            flat = np.reshape(H, (numeric.size, numeric.size))
        else:  # (a block per pair of leaves: H's leaves in order, each block of the shape of the leaves)
            blocks = iter(_leaves(H))
            sizes = [np.size(a) for a in _leaves(t)]
            flat = np.concatenate([np.concatenate([np.reshape(next(blocks), (m, n)) for n in sizes], axis=1)
                                   for m in sizes], axis=0)
        assert_close(flat, _fd_hessian(f, t, rest), 1e-4, 1e-5, what=f"{f.__name__}: hessian")


# ---- 1. read as a dict on one path, iterated on another ----

def model(params, x, y):
    if isinstance(params, dict):
        W, b = params["W"], params["b"]
    else:
        W, b = params
    return np.mean((np.tanh(x @ W + b) - y) ** 2)


def penalty(a):
    if isinstance(a, dict):
        return np.sum(a["w"] ** 2)
    return sum(np.sum(u ** 3) for u in a)


def rows(a):
    if isinstance(a, dict):
        return np.sum(a["w"] ** 2)
    return sum(np.sum(np.sin(r) ** 2) for r in a)


def zipped(a, c):
    if isinstance(a, dict):
        return np.sum(a["w"] ** 2)
    return sum(np.sum(u * v * u) for u, v in zip(a, c))


def enumerated(a):
    if type(a) is dict:
        return sum(np.sum(v ** 2) for v in a.values())
    return sum((i + 1.0) * np.sum(u ** 3) for i, u in enumerate(a))


def mapped(a):
    if isinstance(a, dict):
        return np.sum(a["w"] ** 2)
    return sum(map(lambda u: np.sum(np.cos(u)), a))


def listed(a):
    if hasattr(a, "keys"):
        return np.sum(a["w"] ** 2)
    items = list(a)
    return np.sum(items[0] * items[1]) + np.sum(items[-1] ** 3)


def looped(a, as_dict):
    total = 0.0
    if as_dict:
        total = np.sum(a["w"] ** 2)
    else:
        for u in a:
            total = total + np.sum(np.exp(u))
    return total


@pytest.mark.parametrize("f, t, rest", [
    (model, (W, B), (X, Y)),
    (model, [W, B], (X, Y)),
    (model, {"W": W, "b": B}, (X, Y)),
    (penalty, [np.array([1.0, 0.5]), np.array([0.1])], ()),
    (penalty, (np.array([1.0, -0.5]), np.array(0.3)), ()),
    (rows, np.array([[1.0, 0.5], [0.1, 2.0]]), ()),
    (rows, [np.array([1.0, 0.5]), np.array([0.1, 2.0])], ()),
    (zipped, [np.array([1.0, 0.5]), np.array([0.1, 2.0])], ([np.array([1.0, 2.0]), np.array([-1.0, 0.5])],)),
    (enumerated, [np.array([1.0, 0.5]), np.array([0.1, 2.0])], ()),
    (enumerated, {"p": np.array([1.0, 0.5]), "q": np.array([0.1])}, ()),
    (mapped, [np.array([1.0, 0.5]), np.array([0.1, 2.0])], ()),
    (listed, [np.array([1.0, 0.5]), np.array([0.1, 2.0])], ()),
    (looped, [np.array([1.0, 0.5]), np.array([0.1, 2.0])], (False,)),
    (looped, {"w": np.array([1.0, 0.5])}, (True,)),
], ids=lambda v: getattr(v, "__name__", None) or type(v).__name__)
def test_iterated_where_another_path_reads_a_dict(f, t, rest):
    every_mode(f, t, *rest)


# ---- params trees, recursive ----

def wd_tree(params):
    if isinstance(params, dict):
        return sum(wd_tree(v) for v in params.values())
    if isinstance(params, (list, tuple)):
        return sum(wd_tree(v) for v in params)
    return np.sum(params ** 2)


def tsum(a):
    if isinstance(a, dict):
        return sum(tsum(a[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return sum(tsum(u) for u in a)
    return np.sum(np.tanh(a) ** 2)


TREE = {"l1": {"W": np.array([0.3, -0.4]), "b": np.array(0.2)}, "l2": [np.array([1.0, 0.5]), np.array(0.1)]}


@pytest.mark.parametrize("f", [wd_tree, tsum], ids=lambda f: f.__name__)
@pytest.mark.parametrize("t", [TREE, [np.array([1.0, 0.5]), np.array(0.1)]], ids=["tree", "list"])
def test_params_tree(f, t):
    every_mode(f, t, hessian=f is tsum)


# ---- a local name that is a dict on one branch, a tuple on the other ----

def local_join(p, as_dict):
    W, b = p[0], p[1]
    q = {"W": W, "b": b} if as_dict else (W, b)
    if isinstance(q, dict):
        return np.sum(q["W"] ** 2) + np.sum(np.sin(q["b"]))
    A, C = q
    return np.sum(A ** 3) + np.sum(np.sin(C))


def helper_unpack(params):
    if isinstance(params, dict):
        return params["W"], params["b"]
    W, b = params
    return W, b


def via_helper(params, x):
    W, b = helper_unpack(params)
    return np.sum(np.tanh(x @ W + b))


@pytest.mark.parametrize("as_dict", [False, True])
def test_local_dict_or_tuple(as_dict):
    every_mode(local_join, [W, B], as_dict)


@pytest.mark.parametrize("t", [(W, B), {"W": W, "b": B}], ids=["tuple", "dict"])
def test_unpacked_in_a_helper(t):
    every_mode(via_helper, t, X)


# ---- what stays a dict's keys: the read runs on the item's path ----

def keys_read_too(p, m):
    total = 0.0
    scale = p["s"]
    for k in p:
        total = total + m[k] * np.sum(p[k] ** 2)
    return total * scale


def test_keys_of_a_dict_read_on_the_same_path():
    p = {"s": np.array(1.5), "w": np.array([1.0, 0.5])}
    every_mode(keys_read_too, p, {"s": 2.0, "w": 3.0})


# ---- 2. a branch choosing a function from a module-level dict by a constant key ----

ACT = {"relu": lambda h: np.maximum(h, 0.0), "tanh": np.tanh, "gelu": lambda h: h / (1.0 + np.exp(-1.702 * h))}


def act_or_tanh(w, act):
    f = ACT["gelu"] if act == "gelu" else np.tanh
    return np.sum(f(w) ** 2)


def act_or_act(w, act):
    if act == "gelu":
        f = ACT["gelu"]
    elif act == "relu":
        f = ACT["relu"]
    else:
        f = ACT["tanh"]
    return np.sum(f(w) * w)


@pytest.mark.parametrize("f", [act_or_tanh, act_or_act], ids=lambda f: f.__name__)
@pytest.mark.parametrize("act", ["gelu", "relu", "tanh"])
def test_function_chosen_from_a_module_dict(f, act):
    every_mode(f, np.array([0.3, -0.5, 1.2]), act, hessian=not (f is act_or_act and act == "relu"))


# ---- 3. grad of a gradient with respect to an array: the refusal names s2s.hessian ----

def logreg(w, X, y):
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - y * z)


def test_grad_of_a_vector_gradient_names_the_hessian():
    w, y = np.array([0.3, -0.2]), np.array([0.0, 1.0])
    for outer in (s2s.grad, s2s.value_and_grad):
        for _ in range(2):  # (the same on a second call, the generated code cached)
            with pytest.raises(s2s.CallError) as info:
                outer(s2s.grad(logreg))(w, X, y)
            assert "itself a gradient, s2s.grad(logreg)" in str(info.value), str(info.value)
            assert "shape (2,)" in str(info.value) and "s2s.hessian(logreg)" in str(info.value)
    with pytest.raises(s2s.CallError) as info:
        s2s.grad(s2s.grad(logreg, wrt="X"), wrt="X")(w, X, y)
    assert "s2s.hessian(logreg, wrt='X')" in str(info.value), str(info.value)
    every_mode(logreg, w, X, y)  # (the advice: the Hessian, exact)


# ---- 4. advice for a call of a function s2s does not know while compiling ----

def act_by_key(w, act):
    return np.sum(ACT[act](w))


def sin_all(a):
    if isinstance(a, (list, tuple)):
        return type(a)(np.sin(u) for u in a)
    return np.sin(a)


def sin_all_by_kind(a):
    if isinstance(a, (list, tuple)):
        return tuple(np.sin(u) for u in a) if isinstance(a, tuple) else list(np.sin(u) for u in a)
    return np.sin(a)


def first_sines(a):
    return np.sum(sin_all(a)[0] * sin_all(a)[1])


def first_sines_by_kind(a):
    return np.sum(sin_all_by_kind(a)[0] * sin_all_by_kind(a)[1])


@dataclasses.dataclass
class Layer:
    W: np.ndarray

    def __call__(self, x):
        return np.tanh(x @ self.W)


def call_layer(layer, x):
    return np.sum(layer(x) ** 2)


def call_layer_by_class(layer, x):
    return np.sum(Layer.__call__(layer, x) ** 2)


def test_advice_for_functions_known_only_when_run():
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(act_by_key)(np.array([0.3]), "relu")
    assert "fn = ACT['relu'] if act == 'relu' else ACT['tanh']" in info.value.hint
    assert "Layer.__call__" not in info.value.hint
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(first_sines)([np.array([0.3]), np.array([0.5])])
    assert "tuple(items) if isinstance(a, tuple) else list(items)" in info.value.hint
    assert "Layer.__call__" not in info.value.hint
    for t in ([np.array([0.3, 1.0]), np.array([0.5, -0.2])], (np.array([0.3, 1.0]), np.array([0.5, -0.2]))):
        every_mode(first_sines_by_kind, t)  # (the advice, exact)
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(call_layer)(np.array([[0.3, 0.1], [0.2, -0.4]]), X)
    assert "Layer.__call__(layer, x)" in info.value.hint
    W0 = np.array([[0.3, 0.1], [0.2, -0.4]])
    g = s2s.grad(call_layer_by_class)(Layer(W0), X)  # (the advice, exact)
    numeric = _fd(lambda W: call_layer(Layer(W), X), W0, ())
    assert_close(np.ravel(g.W), numeric)
