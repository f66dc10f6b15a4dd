"""Dicts of parameters as hand-written training code uses them (round 12, hunt12nn).

- The keys of a differentiated dict (`for k in params`, `list(params)`, `sorted(params)`) carry no derivative:
  indexing another dict by them (`m[k]`, an Adam step `{k: b1 * m[k] + g[k] for k in params}`) was refused as
  "its index has a derivative".
- `p = copy.deepcopy(params)` (the usual first line of a hand-written SGD loop) is the identity for derivatives: new
  containers of new arrays holding the same values. It was refused as a call without a rule.
- Activations held in a tuple or list written in the function and iterated (`for W, act in [(W1, gelu), (W2,
  np.tanh)]`, `zip([W1, W2], [gelu, np.tanh])`, `acts[i]` under enumerate) were refused as calls of a value only the
  run time knows, while the same loop over a module's tuple was unrolled: the display's items are as well known.
"""
from __future__ import annotations

import copy
import dataclasses

import numpy as np

import s2s
from tests.conftest import assert_close, check_every_mode


def _leaf_grads(f, p, eps=1e-6):
    """Central differences of the scalar f(p) w.r.t. every leaf of the dict p: a dict of arrays."""
    out = {}
    for k, v in p.items():
        v = np.asarray(v, dtype=float)
        g = np.zeros_like(v)
        for idx in np.ndindex(v.shape):
            vp, vm = v.copy(), v.copy()
            vp[idx] += eps
            vm[idx] -= eps
            g[idx] = (f({**p, k: vp}) - f({**p, k: vm})) / (2 * eps)
        out[k] = g
    return out


def _flat(p: dict) -> np.ndarray:
    return np.concatenate([np.ravel(v) for v in p.values()])


def _unflat(x, p: dict) -> dict:
    out, i = {}, 0
    for k, v in p.items():
        n = np.size(v)
        out[k] = x[i:i + n].reshape(np.shape(v))
        i += n
    return out


def check_dict(f, p, hessian=True):
    """f(p) of a dict of arrays through every transformation, against central differences: value_and_grad, vjp,
    jvp, both Jacobians and (with `hessian`) the Hessian; the caller's dict left as it was."""
    kept = {k: np.array(v, copy=True) for k, v in p.items()}
    fd = _leaf_grads(f, p)
    value, g = s2s.value_and_grad(f)(p)
    assert value == f(p)
    for k in p:
        assert_close(g[k], fd[k], what=f"{f.__name__}: grad[{k!r}]")
    value, pullback = s2s.vjp(f)(p)
    assert value == f(p)
    pulled = pullback(1.0)
    for k in p:
        assert_close(pulled[k], fd[k], what=f"{f.__name__}: vjp[{k!r}]")
    v = {k: np.linspace(-1.0, 1.0, np.size(a)).reshape(np.shape(a)) + 0.25 for k, a in p.items()}
    primal, tangent = s2s.jvp(f)((p,), (v,))
    assert primal == f(p)
    assert_close(tangent, sum(np.sum(fd[k] * v[k]) for k in p), what=f"{f.__name__}: jvp")
    for mode in ("forward", "reverse"):
        jac = s2s.jacobian(f, mode=mode)(p)
        for k in p:
            assert_close(jac[k], fd[k], what=f"{f.__name__}: {mode} jacobian[{k!r}]")
    if hessian:
        h = s2s.hessian(f)(p)
        matrix = np.concatenate([np.concatenate([np.reshape(h[a][b], (np.size(p[a]), np.size(p[b]))) for b in p],
                                                axis=1) for a in p], axis=0)
        flat = _flat(p)
        eps = 1e-4
        for j in range(flat.size):
            e = np.zeros_like(flat)
            e[j] = eps
            column = (_flat(_leaf_grads(f, _unflat(flat + e, p), 1e-5)) -
                      _flat(_leaf_grads(f, _unflat(flat - e, p), 1e-5))) / (2 * eps)
            assert_close(matrix[:, j], column, 1e-4, 1e-5, what=f"{f.__name__}: hessian column {j}")
    for k in p:
        assert np.array_equal(p[k], kept[k]), f"{f.__name__}: the caller's p[{k!r}] changed"
    return g


P = {"W": np.array([0.5, -1.0]), "b": np.array([0.3])}
C = {"W": np.array([1.0, 2.0]), "b": np.array([3.0])}


# ---------------------------------------------------------------- F1: the keys of a differentiated dict

def keys_for(p):
    m = {"W": p["W"] * 3, "b": p["b"] * 3}
    s = 0.0
    for k in p:
        s = s + np.sum(m[k] ** 2)
    return s


def keys_list(p):
    keys = list(p)
    m = {"W": np.sin(p["W"]), "b": p["b"] * 3}
    return sum(np.sum(m[k] ** 2) for k in keys)


def keys_sorted(p):
    m = {"W": p["W"] * 3, "b": np.tanh(p["b"])}
    return sum(np.sum(m[k] ** 3) for k in sorted(p))


def keys_module_dict(p):
    s = 0.0
    for k in p:
        s = s + np.sum(C[k]) * np.sum(p["W"] ** 2)
    return s


def keys_enumerate(p):
    m = {"W": p["W"] * 3, "b": p["b"] * 3}
    s = 0.0
    for i, k in enumerate(p):
        s = s + (i + 1) * np.sum(m[k] ** 2)
    return s


def keys_zip(p):
    m = {"W": p["W"] * 3, "b": p["b"] * 3}
    s = 0.0
    for k, v in zip(p, m.values()):
        s = s + np.sum(m[k] * v)
    return s


def keys_tuple_at(p):
    m = {"W": p["W"] * 3, "b": p["b"] * 3}
    ks = [k for k in p]
    return np.sum(m[ks[0]] ** 2) + np.sum(m[list(p)[1]] ** 3) + np.sum(m[tuple(p)[0]])


def keys_compared(p):
    m = {"W": p["W"] * 3, "b": p["b"] * 3}
    out = 0.0
    for k in p:
        out = out + np.sum(m[k] ** 2) * (2.0 if k == "W" else 1.0)
    return out


def adam_steps(p):
    """Two Adam-like steps written as s2s's refusal of `m[k] = ...` advises: new dicts made whole."""
    m = {k: np.zeros_like(v) for k, v in p.items()}
    for _ in range(2):
        g = {"W": np.sin(p["W"]), "b": np.sin(p["b"])}
        m = {k: 0.9 * m[k] + 0.1 * g[k] for k in p}
        p = {k: p[k] - 0.5 * m[k] for k in p}
    return np.sum(p["W"] ** 2) + np.sum(p["b"] ** 3)


def comprehension_of_other(p):
    m = {k: v * 1.5 for k, v in p.items()}
    q = {k: m[k] * 2 for k in p}
    return np.sum(q["W"] ** 2) + np.sum(q["b"] ** 3)


def test_keys_of_a_differentiated_dict_index_other_dicts():
    for f in (keys_for, keys_list, keys_sorted, keys_module_dict, keys_enumerate, keys_zip, keys_tuple_at,
              keys_compared, adam_steps, comprehension_of_other):
        check_dict(f, P)


def test_keys_of_an_unread_dict_index_another_argument():
    """p read only through its keys: what it holds has no effect (a zero gradient); q's is 2 q[k]."""
    def f(p, q):
        s = 0.0
        for k in p:
            s = s + np.sum(q[k] ** 2)
        return s
    q = {"W": np.array([1.0, -2.0]), "b": np.array([0.5])}
    gp, gq = s2s.grad(f, wrt=(0, 1))(P, q)
    assert all(np.array_equal(gp[k], np.zeros_like(P[k])) for k in P)
    assert all(np.array_equal(gq[k], 2 * q[k]) for k in q)


def test_an_item_used_as_a_number_and_an_index_is_still_refused():
    """`x[k] * k` over a list of integers in wrt: k's derivative as a number is not dropped: refused as before."""
    def g(p, x):
        s = 0.0
        for k in p:
            s = s + x[k] * k
        return s
    try:
        s2s.grad(g, wrt=(0, 1))([0, 1], np.array([1.0, 2.0]))
    except s2s.S2SError as e:
        assert "index has a derivative" in str(e)
    else:
        raise AssertionError("refusal expected")


# ---------------------------------------------------------------- F7: copy.deepcopy of a differentiated argument

def deep_copied(params):
    p = copy.deepcopy(params)  # (the caller's params left as they are)
    return np.sum(np.tanh(p["W"]) ** 2) * np.sum(p["b"] ** 2)


def deep_copied_sgd(params):
    p = copy.deepcopy(params)
    for _ in range(3):
        g = {"W": np.cos(p["W"]) * p["b"][0], "b": p["b"] * np.sum(p["W"])}
        p["W"] = p["W"] - 0.1 * g["W"]
        p["b"] = p["b"] - 0.1 * g["b"]
    return np.sum(p["W"] ** 2) + np.sum(np.sin(p["b"]))


def deep_copied_written(params):
    p = copy.deepcopy(params)
    p["W"] = p["W"] * p["b"]
    return np.sum(p["W"] ** 3) + np.sum(params["W"])


def test_deepcopy_of_a_differentiated_dict():
    for f in (deep_copied, deep_copied_sgd, deep_copied_written):
        check_dict(f, P)


def test_writes_into_a_deep_copy_in_a_loop():
    """The copy's elements and items written in a loop (an array's, a list's): every mode, the caller's left as they
    were."""
    def array_rows(x):
        q = copy.deepcopy(x)
        for i in range(2):
            q[i] = q[i] * x[i + 1]
        return np.sum(q ** 2)
    check_every_mode(array_rows, np.array([0.3, -0.4, 0.5]))

    def list_items(v):
        ws = [v[:2], v[2:]]
        q = copy.deepcopy(ws)
        for _ in range(2):
            q[0] = q[0] * q[1]
        return np.sum(q[0] ** 2) + np.sum(ws[0])
    check_every_mode(list_items, np.array([0.3, -0.4, 0.5, 0.6]))

    def of_list(ws):
        q = copy.deepcopy(ws)
        for _ in range(2):
            q[0] = q[0] * q[1]
        return np.sum(q[0] ** 2) + np.sum(ws[0])
    ws = [np.array([0.3, -0.4]), np.array([0.5, 0.6])]
    kept = [w.copy() for w in ws]
    g = s2s.grad(of_list)(ws)
    expected = s2s.grad(list_items)(np.concatenate(ws))
    assert_close(np.concatenate(g), expected, 1e-12, 1e-12, what="list argument")
    assert all(np.array_equal(w, k) for w, k in zip(ws, kept))


def test_deepcopy_of_an_array_list_and_record():
    def of_array(x):
        y = copy.deepcopy(x)
        y[0] = y[0] * 3.0  # (a write into the copy: the caller's x is left as it was)
        return np.sum(np.sin(y) * x)
    check_every_mode(of_array, np.array([0.3, -0.7, 1.1]))

    @dataclasses.dataclass
    class Layer:
        W: np.ndarray
        b: float

    def of_list(ws):
        a, b = copy.deepcopy(ws)
        return np.sum(np.tanh(a * b) ** 2)

    def of_record(layer):
        q = copy.deepcopy(layer)
        return np.sum(np.sin(q.W) * q.b)

    ws = [np.array([0.5, -1.0]), np.array([0.3, 0.2])]
    kept = [w.copy() for w in ws]
    g = s2s.grad(of_list)(ws)
    h = 1e-6
    for i in range(2):
        for j in range(2):
            up = [w.copy() for w in ws]
            dn = [w.copy() for w in ws]
            up[i][j] += h
            dn[i][j] -= h
            assert abs(g[i][j] - (of_list(up) - of_list(dn)) / (2 * h)) < 1e-6
    value, t = s2s.jvp(of_list)((ws,), ([np.ones(2), np.zeros(2)],))
    assert value == of_list(ws)
    assert abs(t - (of_list([ws[0] + h, ws[1]]) - of_list([ws[0] - h, ws[1]])) / (2 * h)) < 1e-6
    assert all(np.array_equal(w, k) for w, k in zip(ws, kept))

    layer = Layer(np.array([0.4, -0.2]), 1.5)
    gl = s2s.grad(of_record)(layer)
    assert_close(gl.W, np.cos(layer.W) * 1.5, what="record W")
    assert abs(gl.b - np.sum(np.sin(layer.W))) < 1e-12


# ---------------------------------------------------------------- F4: a local list or tuple of activations, iterated

def gelu(z):
    return 0.5 * z * (1 + np.tanh(0.79788456 * (z + 0.044715 * z ** 3)))


_R = np.random.default_rng(12)
A1, A2 = _R.normal(size=(3, 3)) * 0.7, _R.normal(size=(3, 2)) * 0.7
X0 = _R.normal(size=(2, 3))


def layers_of_pairs(W):
    x = X0
    layers = [(W, gelu), (A2, np.tanh)]  # an nn.Sequential port: (weight, activation) pairs
    for M, act in layers:
        x = act(x @ M)
    return np.sum(x ** 2)


def layers_zipped(W):
    x = X0
    for M, act in zip([W, A2], [gelu, np.tanh]):
        x = act(x @ M)
    return np.sum(x ** 2)


def layers_enumerated(W):
    x = X0
    acts = [gelu, np.tanh]
    for i, M in enumerate([W, A2]):
        x = acts[i](x @ M)
    return np.sum(x ** 2)


def activations_displayed(x):
    for act in (gelu, np.tanh, np.sin):
        x = act(x @ A1)
    return np.sum(x ** 2)


def activations_listed(x):
    fs = [np.tanh, gelu]
    for f in fs:
        x = f(x * 1.5) + x
    return np.sum(x ** 3)


def pair_at_a_constant_index(W):
    layers = [(W, gelu), (A2, np.tanh)]
    M, act = layers[0]
    return np.sum(act(X0 @ M) ** 2) + np.sum(layers[1][1](X0 @ A1 @ layers[1][0]))


def _modular(W):
    """The same network written out (the reference for the loops above)."""
    return np.sum(np.tanh(gelu(X0 @ W) @ A2) ** 2)


def test_local_lists_of_activations_are_unrolled():
    for f in (layers_of_pairs, layers_zipped, layers_enumerated, pair_at_a_constant_index):
        g = check_every_mode(f, A1)
        if f is not pair_at_a_constant_index:
            assert_close(g, s2s.grad(_modular)(A1), 1e-12, 1e-12, what=f.__name__)
    for f in (activations_displayed, activations_listed):
        check_every_mode(f, np.array([0.3, -0.5, 0.8]))


def lambdas_by_default(h):
    fs = [lambda v, k=k: np.tanh(v * k) for k in (1.0, 2.0)]  # (k=k: each lambda its own k)
    return np.sum(fs[1](h)) + np.sum(fs[0](h) ** 2)


def lambdas_late_bound(h):
    fs = [lambda v: v * k for k in (1.0, 3.0)]  # (Python's late binding: both read the last k, 3.0)
    return np.sum(fs[0](h) ** 2) + np.sum(np.sin(fs[1](h)))


def lambdas_looped(h):
    fs = [lambda v, k=k: np.sin(v) * k for k in [1.0, 2.0, 3.0]]
    for f in fs:
        h = f(h)
    return np.sum(h ** 2)


def test_a_list_comprehension_of_lambdas():
    h = np.array([0.3, -0.4])
    assert lambdas_late_bound(h) == np.sum((h * 3.0) ** 2) + np.sum(np.sin(h * 3.0))
    for f in (lambdas_by_default, lambdas_late_bound, lambdas_looped):
        check_every_mode(f, h)


def test_a_lambda_parameter_named_as_the_comprehension_variable():
    """`(lambda x: x * 2.0)(x + 1.0) for x in xs`: the body's x is the lambda's parameter. The comprehension's
    renaming of its variable reached into the lambda's body: the value was 1.0 for 8.2, and the gradient wrong."""
    def f(xs):
        ys = [(lambda x: x * 2.0)(x + 1.0) for x in xs]
        return np.sum(np.stack(ys) ** 2)
    xs = np.array([0.3, -0.4])
    assert_close(check_every_mode(f, xs, exact=True), 8.0 * (xs + 1.0), 1e-12, 1e-12, what="analytic")
