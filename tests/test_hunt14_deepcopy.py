"""An in-place operator on an item of a copy of the parameters (hunt round 14, fix14deep).

The hand-written SGD loop over a deep copy, `q = copy.deepcopy(p); q['w'] -= lr * g['w']`, was refused as changing
an array "that something else still refers to": every in-place operator on a container's item was checked to find
a number. A deep copy's items (and those of `{k: v.copy() for k, v in p.items()}`) are arrays nothing else holds,
so the new value s2s makes is NumPy's: the generated code now checks, when it runs, only what may hold the item
(the container's other items, a deep copy keeping the sharing among those it copied; the caller's arrays, which a
shallow copy holds), and these programs are differentiated in every mode. The check also closes silent wrong
gradients it found: an item of `copy.copy(ws)` of a list, of `p.copy()` at a key known only at run time, or of a
deep copy holding one array twice, changed in place, was taken for a new value (the caller's array, or the other
item, kept its old value: 0 for -0.04). Last: the forward Jacobian through an inner s2s.grad of a dict (d592aca).
"""
import copy
from dataclasses import dataclass

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad
from s2s.errors import S2SError

P = {'w': np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.3]]), 'b': np.array([0.05, -0.1])}
X = np.array([1.0, 2.0, -1.0])


def loss(p, x):
    return np.sum(np.tanh(p['w'] @ x + p['b']) ** 2)


def train(p, x):  # (the brief's program)
    q = copy.deepcopy(p)
    for k in range(3):
        g = s2s.grad(loss)(q, x)
        q['w'] -= 0.1 * g['w']
        q['b'] -= 0.1 * g['b']
    return loss(q, x)


def _loss_grad(p, x):
    z = np.tanh(p['w'] @ x + p['b'])
    dz = 2.0 * z * (1.0 - z ** 2)
    return {'w': np.outer(dz, x), 'b': dz}


def train_by_hand(p, x):
    q = copy.deepcopy(p)
    for k in range(3):
        g = _loss_grad(q, x)
        q['w'] -= 0.1 * g['w']
        q['b'] -= 0.1 * g['b']
    return loss(q, x)


def train_copy_inside(p, x):  # (a deep copy made in the loop: each step from p)
    s = 0.0
    for k in range(2):
        q = copy.deepcopy(p)
        q['w'] *= 1.0 + 0.5 * k
        q['b'] -= 0.1 * np.tanh(q['w'] @ x)
        s = s + loss(q, x)
    return s


def train_comprehension(p, x):
    q = {k: v.copy() for k, v in p.items()}
    for k in range(2):
        g = _loss_grad(q, x)
        q['w'] -= 0.1 * g['w']
        q['b'] -= 0.1 * g['b']
    return loss(q, x)


def train_by_key(p, x):  # (`q[k] *= ...` at keys known only at run time)
    q = copy.deepcopy(p)
    for k in q:
        q[k] *= 0.9 + 0.1 * x[0]
    for k in ['w', 'b']:
        q[k] -= 0.1 * _loss_grad(q, x)[k]
    return loss(q, x)


def train_renamed(p, x):  # (another name for the copy, written through: q sees it, as in NumPy)
    q = copy.deepcopy(p)
    r = q
    r['w'] -= 0.1 * _loss_grad(q, x)['w']
    return loss(q, x) + np.sum(r['b'] * x[:2])


def _numeric_params(f, p, x, eps=1e-6):
    out = {}
    for k in p:
        g = np.zeros_like(p[k])
        for i in np.ndindex(p[k].shape):
            up, down = copy.deepcopy(p), copy.deepcopy(p)
            up[k][i] += eps
            down[k][i] -= eps
            g[i] = (f(up, x) - f(down, x)) / (2 * eps)
        out[k] = g
    return out


@pytest.mark.parametrize("f", [train, train_by_hand, train_copy_inside, train_comprehension, train_by_key,
                               train_renamed])
def test_a_deep_copy_of_the_parameters_updated_in_place(f):
    p, kept = copy.deepcopy(P), copy.deepcopy(P)
    expected = f(copy.deepcopy(P), X)
    by_p, by_x = _numeric_params(f, P, X), numeric_grad(lambda x: f(copy.deepcopy(P), x), (X,), 0)
    value, (gp, gx) = s2s.value_and_grad(f, wrt=(0, 1))(p, X)
    assert value == pytest.approx(expected, rel=1e-12)
    for k in P:
        assert_close(gp[k], by_p[k], what=f"grad wrt p[{k!r}]")
    assert_close(gx, by_x, what="grad wrt x")
    value, pullback = s2s.vjp(f)(p, X)
    assert value == pytest.approx(expected, rel=1e-12)
    assert_close(pullback(2.0)['w'], 2.0 * by_p['w'], what="vjp")
    tangent = {'w': np.full((2, 3), 0.5), 'b': np.array([1.0, -1.0])}
    assert s2s.jvp(f)((p, X), (tangent,))[1] == pytest.approx(
        sum(np.sum(by_p[k] * tangent[k]) for k in P), rel=1e-6, abs=1e-9)
    v = np.array([0.5, -1.0, 0.25])
    assert s2s.jvp(f, wrt=1)((p, X), (v,))[1] == pytest.approx(by_x @ v, rel=1e-6, abs=1e-9)
    for mode in ("forward", "reverse"):
        assert_close(s2s.jacobian(f, wrt=1, mode=mode)(p, X), by_x, what=mode)
    assert all(np.array_equal(p[k], kept[k]) for k in P)


@pytest.mark.parametrize("f", [train_by_hand, train_comprehension])
def test_its_hessian(f):
    hessian = np.array([numeric_grad(lambda y: numeric_grad(lambda x: f(P, x), (y,), 0, 1e-4)[i], (X,), 0, 1e-4)
                        for i in range(3)])
    assert_close(s2s.hessian(f, wrt=1)(P, X), hessian, 1e-4, 1e-5)


def list_steps(ws, x):
    q = copy.deepcopy(ws)
    for t in range(3):
        q[0] -= 0.1 * np.sin(q[0] * x)
        q[1] *= 0.5 + 0.1 * x[0]
    return np.sum(q[0] ** 2) + np.sum(q[1])


def nested_steps(p, x):  # (a nested dict: its layer read by name, the layer's arrays by key)
    q = copy.deepcopy(p)
    layer = {k: v.copy() for k, v in q['layer'].items()}
    layer['w'] -= 0.1 * np.cos(layer['w'] * x)
    return np.sum(layer['w'] ** 2) + q['scale'] * np.sum(q['layer']['w'])


@dataclass
class Params:
    w: np.ndarray
    b: np.ndarray


def record_steps(r, x):  # (a deep copy of a record: its fields read into a dict of copies)
    q = copy.deepcopy(r)
    d = {'w': q.w.copy(), 'b': q.b}
    d['w'] *= x
    return np.sum(d['w'] ** 2) + np.sum(d['b']) + np.sum(q.w)


@pytest.mark.parametrize("f, p", [(list_steps, [np.array([0.2, 0.4, 0.1]), np.array([1.0, 2.0])]),
                                  (nested_steps, {'layer': {'w': np.array([0.2, 0.4, 0.1])}, 'scale': 0.5}),
                                  (record_steps, Params(np.array([0.2, 0.4, 0.1]), np.array([1.0, 2.0])))])
def test_other_containers_copied_deeply(f, p):
    kept = copy.deepcopy(p)
    numeric = numeric_grad(lambda x: f(copy.deepcopy(p), x), (X,), 0)
    value, gradient = s2s.value_and_grad(f, wrt=1)(p, X)
    assert value == pytest.approx(f(copy.deepcopy(p), X), rel=1e-12)
    assert_close(gradient, numeric, what="grad")
    for mode in ("forward", "reverse"):
        assert_close(s2s.jacobian(f, wrt=1, mode=mode)(p, X), numeric, what=mode)
    v = np.array([0.5, -1.0, 0.25])
    assert s2s.jvp(f, wrt=1)((p, X), (v,))[1] == pytest.approx(numeric @ v, rel=1e-6)
    assert_close(s2s.hessian(lambda x: f(p, x))(X), np.array([numeric_grad(
        lambda y: numeric_grad(lambda x: f(copy.deepcopy(p), x), (y,), 0, 1e-4)[i], (X,), 0, 1e-4)
        for i in range(3)]), 1e-4, 1e-5)
    assert repr(p) == repr(kept)


# the truly shared items: refused (they were silent wrong gradients where the key or index was not a string)

def shallow_dict(p, x):
    q = copy.copy(p)
    q['w'] -= 0.1 * x
    return np.sum(p['w'] ** 2)


def shallow_list(ws, x):
    q = copy.copy(ws)
    q[0] -= 0.1 * x
    return np.sum(ws[0] ** 2)


def copied_by_run_time_key(p, x):
    q = p.copy()
    for k in p:
        q[k] *= x[0]
    return np.sum(p['w'] @ x)


def deep_copy_holding_one_array_twice(ws, x):
    q = copy.deepcopy(ws)
    q[0] -= 0.1 * x
    return np.sum(q[1] ** 2)


def deep_copy_by_key_twice(p, x):
    q = copy.deepcopy(p)
    for k in ['w']:
        q[k] *= x[0]
    return np.sum(q['v'] * x)


@pytest.mark.parametrize("f, p, said", [
    (shallow_dict, {'w': np.array([0.2, 0.4, 0.1])}, "the caller passed in"),
    (shallow_list, [np.array([0.2, 0.4, 0.1])], "the caller passed in"),
    (copied_by_run_time_key, {'w': np.array([0.2, 0.4, 0.1])}, "the caller passed in"),
    (deep_copy_holding_one_array_twice, "twice", "another item of a list holding it"),
    (deep_copy_by_key_twice, "twice by key", "another item of a dict holding it")])
def test_an_item_something_else_holds_is_refused(f, p, said):
    w = np.array([0.2, 0.4, 0.1])
    p = [w, w] if p == "twice" else {'w': w, 'v': w} if p == "twice by key" else p
    for transform in ("grad", "jvp"):
        with pytest.raises(S2SError, match=said):
            if transform == "grad":
                s2s.grad(f, wrt=1)(p, X)
            else:
                s2s.jvp(f, wrt=1)((p, X), (X,))
    assert np.array_equal(w, [0.2, 0.4, 0.1])


def read_before(p, x):
    q = copy.deepcopy(p)
    a = q['w']
    q['w'] -= 0.1 * x
    return np.sum(a * x)


def stored_array(p, x):
    a = p['w'] * 2.0
    q = {'w': a, 'b': p['b']}
    q['w'] *= x
    return np.sum(a)


def stored_in_the_loop(p, x):  # (from the second iteration on, q['w'] is a)
    q = copy.deepcopy(p)
    a = x * 2.0
    for i in range(2):
        q['w'] -= 0.1 * x
        q['w'] = a
    return np.sum(a * x)


def copied_again(p, x):  # (r holds q's arrays)
    q = copy.deepcopy(p)
    r = q.copy()
    q['w'] *= x
    return np.sum(r['w'])


def dict_of_the_callers(p, x):  # (dict(p) holds p's arrays)
    q = dict(p)
    for k in q:
        q[k] -= 0.1 * q[k] * x[0]
    return np.sum(q['w'])


@pytest.mark.parametrize("f", [read_before, stored_array, stored_in_the_loop, copied_again, dict_of_the_callers])
def test_another_name_for_the_item_is_refused(f):
    """`a = q['w']` before `q['w'] -= v` is the same array in NumPy (it shows the change); so is `a` stored into
    the dict (before, or in the loop: the next iteration changes it), an item of a shallow copy of the dict, or of
    dict(p) of the caller's: s2s refuses each rather than give the old value (the last three were silent wrong
    gradients, 4 for 3.8 and 0 for 0.2, while they were checked by their position in the program alone)."""
    p = {'w': np.array([0.2, 0.4, 0.1]), 'b': np.array([1.0])}
    with pytest.raises(S2SError):
        s2s.grad(f, wrt=1)(p, X)


def dict_of_the_callers_anew(p, x):  # (the advice of the refusal above)
    q = dict(p)
    for k in q:
        q[k] = q[k] - 0.1 * q[k] * x[0]
    return np.sum(q['w'] ** 2) + np.sum(q['b'])


def test_a_dict_of_the_callers_written_by_key_in_a_loop():
    """A key write into `dict(p)` (or a comprehension's dict) in a loop was refused as into a dict display, whose
    keys s2s follows by name: its keys are known only at run time, as a deep copy's, and the write is exact."""
    p = {'w': np.array([0.2, 0.4, 0.1]), 'b': np.array([1.0])}
    f = dict_of_the_callers_anew
    numeric = numeric_grad(lambda x: f(p, x), (X,), 0)
    assert s2s.value_and_grad(f, wrt=1)(p, X)[0] == pytest.approx(f(p, X), rel=1e-12)
    assert_close(s2s.grad(f, wrt=1)(p, X), numeric)
    for mode in ("forward", "reverse"):
        assert_close(s2s.jacobian(f, wrt=1, mode=mode)(p, X), numeric, what=mode)
    assert_close(s2s.grad(f)(p, X)['w'], 2 * p['w'] * (1 - 0.1 * X[0]) ** 2, what="wrt p")


# The forward Jacobian (a batch of tangents) of a function calling s2s.grad on a dict crashed with NumPy's
# IndexError: the batched tangent of the inner gradient's `rt.getitem_adjoint(g, p, 'w')` indexed an array by
# 'w'; it is now a part per key, as the adjoint is.

def inner_gradient(p, x):
    g = s2s.grad(loss)(p, x)
    return np.sum(g['w'] * x) + np.sum(g['b'] ** 2)


def test_the_forward_jacobian_through_an_inner_gradient_of_a_dict():
    numeric = numeric_grad(lambda x: inner_gradient(P, x), (X,), 0)
    for mode in ("forward", "reverse"):
        assert_close(s2s.jacobian(inner_gradient, wrt=1, mode=mode)(P, X), numeric, what=mode)
    assert_close(s2s.hessian(inner_gradient, wrt=1)(P, X), np.array([numeric_grad(
        lambda y: numeric_grad(lambda x: inner_gradient(P, x), (y,), 0, 1e-4)[i], (X,), 0, 1e-4) for i in range(3)]),
        1e-4, 1e-5)
