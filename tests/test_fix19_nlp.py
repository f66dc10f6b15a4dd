"""Training steps and layer lists of the attention/training hunt (round 19, fix19nlp).

1. C1: s2s.jacobian(f, mode="forward") with respect to a number, of f writing one key of a copied params dict
   (`p = dict(p); p["b"] = p["b"] * lr`, `{**p, "b": ...}`, a new key, one SGD step), raised NumPy's broadcasting
   ValueError: rt.batch_setitem_tangent gave the other keys a bare 0.0 tangent, which a tangent rule multiplied into
   an array of no batch axis (`(1.0 - t ** 2) * dt`), taken then for a batch. They are zeros with the batch axis.
2. C2: s2s.hessian(f) with respect to a number, of f writing an item of a copied list of layers of other shapes
   (`layers = list(layers); layers[0] = layers[0] * s`), raised "setting an array element with a sequence" in
   rt.batch_getitem_adjoint, which stacked the items' tangents as one array. They are item by item.

Each program is checked in every mode against central differences, its value against NumPy's, and the caller's
arguments unchanged.
"""
import copy
import dataclasses

import numpy as np
import pytest

import s2s
from conftest import assert_close, every_mode, numeric_grad

P = {"a": np.array([0.3, -0.2, 0.5]), "b": np.array([1.0, 0.5, -0.7])}


# ---- 1. a key of a copied dict written: forward Jacobians ----

def loss(p):
    return np.sum(np.tanh(p["a"]) * p["b"])


def scaled_key(lr, p):  # (repro_C1)
    p = dict(p)
    p["b"] = p["b"] * lr
    return loss(p)


def scaled_key_copy(lr, p):
    p = p.copy()
    p["b"] = p["b"] * lr
    return loss(p)


def functional_update(s, p):
    q = {**p, "b": p["b"] * s}
    return loss(q)


def new_key(s, p):
    p = dict(p)
    p["c"] = p["a"] * s
    return np.sum(p["c"] * p["b"]) + np.sum(np.exp(p["a"]))


def keys_after_write(s, p):
    p = dict(p)
    p["b"] = p["b"] * s
    out = 0.0
    for k in p:
        out = out + np.sum(np.sin(p[k]))
    return out


def sgd_step_one_key(lr, p):
    p = dict(p)
    p["b"] = p["b"] - lr * s2s.grad(loss)(p)["b"]
    return loss(p)


def key_set_to_constant(s, p):  # (the written value has no tangent: the key's zeros keep the batch axis)
    p = dict(p)
    p["a"] = p["a"] * s
    p["b"] = np.ones(3)
    return np.sum(np.tanh(p["a"]) * np.exp(p["b"])) + np.sum(np.sin(p["b"]) * s)


@pytest.mark.parametrize("f", [scaled_key, scaled_key_copy, functional_update, new_key, keys_after_write,
                               sgd_step_one_key, key_set_to_constant])
def test_key_of_copied_dict(f):
    every_mode(f, 0.7, P)


def test_key_of_copied_dict_vector_result():
    def scaled(lr, p):
        p = dict(p)
        p["b"] = p["b"] * lr
        return np.tanh(p["a"]) * p["b"]
    numeric = (scaled(0.7 + 1e-6, P) - scaled(0.7 - 1e-6, P)) / 2e-6
    assert_close(s2s.jacobian(scaled, mode="forward")(0.7, P), numeric, what="forward jacobian")
    assert_close(s2s.jacobian(scaled)(0.7, P), numeric, what="reverse jacobian")


def test_key_of_copied_dict_wrt_vector():
    s = np.array([0.7, 1.1, 0.9])
    numeric = numeric_grad(lambda v: scaled_key(v, P), (s,), 0)
    assert_close(s2s.jacobian(scaled_key, mode="forward")(s, P), numeric, what="forward jacobian")
    assert_close(s2s.hessian(scaled_key)(s, P), np.zeros((3, 3)), what="hessian")


# ---- 2. an item of a copied list of layers of other shapes written: Hessians ----

LAYERS = [np.linspace(-0.4, 0.5, 6).reshape(2, 3), np.linspace(0.3, -0.2, 6).reshape(3, 2)]


def scaled_layer(s, layers):  # (repro_C2)
    layers = list(layers)
    layers[0] = layers[0] * s
    return np.sum(np.tanh(layers[0] @ layers[1]))


def scaled_last_layer(s, layers):
    layers = list(layers)
    layers[-1] = np.sin(layers[-1] * s)
    return np.sum(np.tanh(layers[0] @ layers[1]) ** 2)


def scaled_layer_tuple(s, layers):
    layers = tuple(layers)
    h = np.tanh(layers[0] * s) @ layers[1]
    return np.sum(h ** 2)


@pytest.mark.parametrize("f", [scaled_layer, scaled_last_layer, scaled_layer_tuple])
def test_item_of_copied_ragged_list(f):
    every_mode(f, 0.7, LAYERS)


# ---- 3. a dict given to an inner s2s.grad, then written by key in a loop (SGD, Adam by hand) ----

def train_new_dict(lr, params, steps=2):  # (repro_R1: the inner gradient's rt.getitem_adjoint(g, p, 'b') and
    for t in range(steps):                # rt.settled_like(bp, p) were taken for holders of the dict)
        grads = s2s.grad(loss)(params)
        new = {}
        for k in params:
            new[k] = params[k] - lr * grads[k]
        params = new
    return loss(params)


def loss_over_keys(p):  # (its gradient accumulates by rt.add_at(bp, g, p, k) and rt.unbroadcast(bp, p))
    total = 0.0
    for k in p:
        total = total + np.sum(np.tanh(p[k]) ** 2)
    return total


def train_over_keys(lr, params, steps=2):
    for t in range(steps):
        grads = s2s.grad(loss_over_keys)(params)
        new = {}
        for k in params:
            new[k] = params[k] - lr * grads[k]
        params = new
    return loss(params)


def sgd_same_dict(lr, p, steps=2):  # (one dict written in place at each step)
    p = dict(p)
    for _ in range(steps):
        g = s2s.grad(loss)(p)
        for k in p:
            p[k] = p[k] - lr * g[k]
    return loss(p)


def sgd_in_place_arrays(lr, p, steps=2):
    p = {k: v.copy() for k, v in p.items()}
    for _ in range(steps):
        g = s2s.grad(loss)(p)
        for k in p:
            p[k] -= lr * g[k]
    return loss(p)


def adam_dict(lr, params, steps=2):  # (repro_M1, smaller)
    state = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in params.items()}
    for t in range(1, steps + 1):
        grads = s2s.grad(loss)(params)
        new = {}
        for k in params:
            m, v = state[k]
            m = 0.9 * m + 0.1 * grads[k]
            v = 0.99 * v + 0.01 * grads[k] ** 2
            state[k] = (m, v)
            new[k] = params[k] - lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.99 ** t)) + 1e-8)
        params = new
    return loss(params)


@pytest.mark.parametrize("f", [train_new_dict, sgd_same_dict, sgd_in_place_arrays])
def test_dict_written_after_inner_grad(f):
    every_mode(f, 0.3, P)


def test_dict_written_after_inner_grad_of_a_loop():
    """(vjp over the inner gradient's loop is refused: ReverseOverStacksError, documented; grad takes it forward)"""
    numeric = numeric_grad(train_over_keys, (0.3, P), 0)
    assert_close(s2s.grad(train_over_keys)(0.3, P), numeric, what="grad")
    assert_close(s2s.jvp(train_over_keys)((0.3, P), (1.0,))[1], numeric, what="jvp")
    assert_close(s2s.jacobian(train_over_keys, mode="forward")(0.3, P), numeric, what="forward jacobian")
    assert s2s.value_and_grad(train_over_keys)(0.3, P)[0] == pytest.approx(train_over_keys(0.3, P), rel=1e-12)


def test_adam_over_dict():
    every_mode(adam_dict, 0.05, P, hessian=False)


def test_dict_written_after_inner_grad_wrt_params():
    for f in (train_new_dict, sgd_same_dict):
        for key in P:
            def of_key(x, f=f, key=key):
                return f(0.3, {**P, key: x})
            numeric = numeric_grad(of_key, (P[key],), 0)
            for mode in ("grad", "forward"):
                got = s2s.grad(f, wrt=1)(0.3, P) if mode == "grad" else \
                    s2s.jacobian(f, wrt=1, mode="forward")(0.3, P)
                assert_close(got[key], numeric, what=f"{f.__name__} {mode} [{key}]")


def stored_loss(p):
    ps = []
    ps.append(p)
    return np.sum(np.tanh(ps[0]["a"]) * ps[0]["b"])


def train_by_vjp(lr, params, steps=2):
    for t in range(steps):
        v, pullback = s2s.vjp(stored_loss)(params)
        grads = pullback(1.0)
        new = {}
        for k in params:
            new[k] = params[k] - lr * grads[k]
        params = new
    return loss(params)


def test_holder_in_inner_derivative_named_at_the_users_line():
    """A holder inside an inner derivative's generated code is named by the user's line that called it (M1: it
    said "(line 55)", a line of the generated gradient)."""
    import inspect
    lines, first = inspect.getsourcelines(train_by_vjp)
    call = first + next(i for i, text in enumerate(lines) if "s2s.vjp(stored_loss)" in text)
    try:
        got = s2s.grad(train_by_vjp)(0.3, P)
    except s2s.S2SError as e:
        assert f"(line {call})" in str(e), str(e)
    else:
        assert_close(got, numeric_grad(train_by_vjp, (0.3, P), 0), what="grad")


# ---- 4. an in-place operator on the item just appended ----

def residual_stack(Ws, x):  # (repro_R3)
    hs = [x]
    for W in Ws:
        hs.append(np.tanh(hs[-1] @ W))
        hs[-1] += hs[-2]
    return np.sum(hs[-1] ** 2)


def residual_all_kept(x):
    hs = [x]
    for i in range(3):
        hs.append(np.sin(hs[-1]))
        hs[-1] *= hs[-2]
        hs.append(hs[-1])
    return np.sum(np.stack(hs) ** 2)


def scaled_copies(x, n=3):
    hs = [x]
    out = 0.0
    for i in range(n):
        hs.append(x * (i + 1.0))
        hs[-1] += hs[0]
        out = out + np.sum(hs[-1] ** 2)
    return out + np.sum(x)


X3 = np.array([0.3, -0.4, 0.8])


def _vector_modes(f, x):
    plain = lambda v: f(v.copy())  # noqa: E731
    kept = x.copy()
    numeric = numeric_grad(plain, (x,), 0)
    value, gradient = s2s.value_and_grad(f)(x)
    assert value == pytest.approx(plain(x), rel=1e-12)
    assert_close(gradient, numeric, what=f"{f.__name__}: value_and_grad")
    assert_close(s2s.vjp(f)(x)[1](1.0), numeric, what=f"{f.__name__}: vjp")
    assert_close(s2s.jvp(f)((x,), (np.ones(3),))[1], np.sum(numeric), what=f"{f.__name__}: jvp")
    assert_close(s2s.jacobian(f, mode="forward")(x), numeric, what=f"{f.__name__}: forward jacobian")
    assert_close(s2s.jacobian(f)(x), numeric, what=f"{f.__name__}: reverse jacobian")
    from conftest import numeric_hessian
    assert_close(s2s.hessian(f)(x), numeric_hessian(plain, x), 1e-4, 1e-5, what=f"{f.__name__}: hessian")
    assert np.array_equal(x, kept)


@pytest.mark.parametrize("f", [residual_all_kept, scaled_copies])
def test_operator_on_appended_item(f):
    _vector_modes(f, X3)


def test_residual_stack():
    Ws = [np.linspace(-0.5, 0.6, 9).reshape(3, 3), np.linspace(0.4, -0.3, 9).reshape(3, 3)]
    x = np.array([[0.2, -0.1, 0.5], [0.7, 0.3, -0.6]])
    for wrt in (0, 1):
        for which in range(2 if wrt == 0 else 1):
            def of(v, which=which, wrt=wrt):
                args = [list(Ws), x.copy()]
                if wrt == 0:
                    args[0][which] = v
                else:
                    args[1] = v
                return residual_stack(*args)
            numeric = numeric_grad(of, ((Ws[which] if wrt == 0 else x).copy(),), 0)
            got = s2s.grad(residual_stack, wrt=wrt)(Ws, x)
            assert_close(got[which] if wrt == 0 else got, numeric, what=f"grad wrt {wrt} [{which}]")
    numeric = numeric_grad(lambda v: residual_stack(Ws, v), (x.copy(),), 0)
    assert_close(s2s.jacobian(residual_stack, wrt=1, mode="forward")(Ws, x), numeric, what="forward jacobian")
    assert_close(s2s.jvp(residual_stack, wrt=1)((Ws, x), (np.ones_like(x),))[1], np.sum(numeric), what="jvp")


def appended_then_read(x):  # (h itself is the item: NumPy's h shows the change)
    hs = [x]
    h = np.tanh(x)
    hs.append(h)
    hs[-1] += 1.0
    return np.sum(h ** 3)


def appended_caller(x):
    hs = []
    hs.append(x)
    hs[-1] += 1.0
    return np.sum(hs[-1] ** 2)


def appended_twice(x):
    hs = [x]
    h = np.tanh(x)
    hs.append(h)
    hs.append(h)
    hs[-1] += 1.0
    return np.sum(hs[1] ** 3)


def appended_view(x):
    M = np.outer(x, x)
    hs = []
    hs.append(M[0])
    hs[-1] *= 2.0
    return np.sum(M ** 2)


@pytest.mark.parametrize("f", [appended_then_read, appended_caller, appended_twice, appended_view])
def test_operator_on_appended_item_held_elsewhere_refused(f):
    with pytest.raises(s2s.S2SError):
        s2s.grad(f)(X3.copy())


# ---- 5. the derivative of a function calling s2s.jvp of a function that grows a list ----

def example_loss(w, x):
    return np.tanh(x @ w) ** 2


def batch_loss(w, X):
    return np.mean([example_loss(w, x) for x in X])


def jvp_of_comprehension(w, X):  # (repro_R5: "cannot differentiate the call to rt.appended_tangent")
    v, t = s2s.jvp(batch_loss)((w, X), (np.ones_like(w),))
    return v + t ** 2


def rnn(w, xs):  # (reads the list it grows: the reverse sweep keeps each iteration's list of tangents)
    hs = [np.zeros(2) + 0.1]
    for x in xs:
        hs.append(np.tanh(w * hs[-1] + x))
    return np.sum(hs[-1] ** 2) + np.mean([np.sum(h * h[0]) for h in hs])


def jvp_of_rnn(w, xs):
    v, t = s2s.jvp(rnn)((w, xs), (np.ones_like(w),))
    return v + t ** 2


def _all_modes(f, w, other):
    plain = lambda v: f(v, copy.deepcopy(other))  # noqa: E731
    numeric = numeric_grad(plain, (w,), 0)
    assert_close(s2s.grad(f)(w, other), numeric, what=f"{f.__name__}: grad")
    assert_close(s2s.vjp(f)(w, other)[1](1.0), numeric, what=f"{f.__name__}: vjp")
    assert_close(s2s.jvp(f)((w, other), (np.ones_like(w),))[1], np.sum(numeric), what=f"{f.__name__}: jvp")
    assert_close(s2s.jacobian(f, mode="forward")(w, other), numeric, what=f"{f.__name__}: forward jacobian")
    assert_close(s2s.jacobian(f)(w, other), numeric, what=f"{f.__name__}: reverse jacobian")
    from conftest import numeric_hessian
    assert_close(s2s.hessian(f)(w, other), numeric_hessian(plain, w), 1e-4, 1e-5, what=f"{f.__name__}: hessian")


def test_grad_of_jvp_of_comprehension():
    X = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6], [-0.3, 0.2, 0.9], [0.5, 0.5, -0.1]])
    _all_modes(jvp_of_comprehension, np.array([0.4, -0.7, 0.2]), X)


def test_grad_of_jvp_of_grown_list_read_in_its_loop():
    xs = [np.array([0.3, 0.1]), np.array([-0.2, 0.5]), np.array([0.4, -0.6])]
    _all_modes(jvp_of_rnn, np.array([0.7, -0.4]), xs)


# ---- 6. a training loop over record parameters with s2s.grad inside (R2: documented, with the working form) ----

@dataclasses.dataclass
class Params:
    W: np.ndarray
    b: np.ndarray


def record_loss(p, x):
    return np.sum(np.tanh(x @ p.W + p.b) ** 2)


def record_loss_fields(W, b, x):
    return record_loss(Params(W, b), x)


def train_record_by_fields(lr, p, x, steps=2):
    for _ in range(steps):
        gW, gb = s2s.grad(record_loss_fields, wrt=(0, 1))(p.W, p.b, x)
        p = Params(p.W - lr * gW, p.b - lr * gb)
    return record_loss(p, x)


def train_record(lr, p, x, steps=2):
    for _ in range(steps):
        g = s2s.grad(record_loss)(p, x)
        p = Params(p.W - lr * g.W, p.b - lr * g.b)
    return record_loss(p, x)


XR = np.array([[0.3, -0.5], [1.1, 0.2], [-0.4, 0.8]])
PR = Params(np.array([[0.5, -0.3], [0.2, 0.7]]), np.array([0.1, -0.2]))


def test_training_over_record_fields():
    every_mode(train_record_by_fields, 0.1, PR, XR)


def test_training_over_record_refused_with_the_fields_form():
    with pytest.raises(s2s.S2SError, match=r"s2s\.grad\(loss_fields, wrt=\(0, 1\)\)"):
        s2s.grad(train_record)(0.1, PR, XR)


# ---- 7. M2: the advice for a method's self names the transformation called, and wrt= ----

class PlainModel:
    def __init__(self, W):
        self.W = W

    def loss(self, x):
        return np.sum(np.tanh(x @ self.W) ** 2)


@pytest.mark.parametrize("transform", ["grad", "jacobian", "hessian"])
def test_self_advice_names_the_transformation(transform):
    m, x = PlainModel(np.eye(2)), np.ones((3, 2))
    with pytest.raises(s2s.S2SError, match=rf"s2s\.{transform}\(Class\.method, wrt=1\)"):
        getattr(s2s, transform)(PlainModel.loss)(m, x)
    assert_close(s2s.jacobian(PlainModel.loss, wrt=1)(m, x), numeric_grad(PlainModel.loss, (m, x), 1),
                 what="the advice's form")
