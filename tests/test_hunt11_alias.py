"""Arrays held by containers and records, changed in place afterwards (hunt round 11, hunt11arr's S1, S2, S3, S5).

NumPy's container holds the array itself: `cache = {}; cache["z"] = z; z[0] = 0.0` changes what `cache["z"]` reads.
s2s read the dict (or a namedtuple read by index or unpacked, a shallow `.copy()` of a dict or a list, a list of
records) as it was when the array was stored: the value, the derivative or both came out wrong in every mode,
silently. A container written by key now holds what was stored into it (front/containers.py `key_store`), a record
holds its fields and `p.copy()` of a dict or a list holds p's arrays: an item read at a constant key whose store is
known (`cache["z"]`, `cache.get("z")`, `s[0]`, `zz, t = s`, `h["s"].z`) reads the array as it is then, as NumPy
does; a dict written by key and read whole (`return cache`, `caches.append(cache)`, `cache.values()`) has its arrays
stored again first; any other read of a container holding an array changed since (a loop over a list of records, a
store in a branch) and an in-place operator on an array something else holds are refused at the user's line. Each
followed program is checked in every mode against central differences and its value against the function's.
Also back/folding.py: a value read through `list(d.values())` was computed after the reverse sweep had put back the
array it holds (list(...) was not taken to hold its operand's items), 5.36 for 17.36.
"""
import collections
import typing
from collections import namedtuple
from dataclasses import dataclass

import numpy as np
import pytest

import s2s
from conftest import check_every_mode, numeric_grad
from s2s.errors import S2SError, UnsupportedSyntaxError

X = np.array([0.7, -1.3, 2.1])
W = np.array([[0.5, -1.0, 0.3], [0.2, 0.4, -0.9], [1.1, 0.0, 0.6]])
State = namedtuple("State", "z t")


class Typed(typing.NamedTuple):
    z: np.ndarray
    t: float


@dataclass
class Layer:
    w: np.ndarray
    scale: float


# ----------------------------------------------------------------- S1: a dict filled key by key
def key_store_element_write(x):  # the report's program: the write dropped, value and derivative wrong
    cache = {}
    z = 2.0 * x
    cache["z"] = z
    z[0] = 0.0
    return np.sum(cache["z"] ** 2)


def key_store_derivative_alone(x):  # value right, derivative wrong
    cache = {}
    z = 2.0 * x
    cache["z"] = z
    z[0] = z[0] ** 2
    return np.sum(cache["z"]) + np.sum(z)


def key_store_in_place_relu(x):  # the ML forward cache
    cache = {}
    z = W @ x
    cache["z"] = z
    z[z < 0] = 0.0
    return np.sum(np.tanh(cache["z"]) * x)


def key_store_operator(x):
    cache = {}
    z = W @ x
    cache["z"] = z
    z *= 2.0
    return np.sum(cache["z"] ** 2)


def gradient_accumulator(x):
    grads = {}
    g = np.zeros(3)
    grads["g"] = g
    g += x ** 2
    return np.sum(grads["g"] * x)


def filled_buffer(x):
    store = {}
    z = np.zeros(3)
    store["z"] = z
    z[:] = W @ x
    return np.sum(store["z"] ** 2)


def element_write_loop(x):
    store = {}
    h = np.zeros(3)
    store["h"] = h
    for i in range(3):
        h[i] = np.tanh(x[i])
    return np.sum(store["h"] * x)


def ordered_dict(x):
    d = collections.OrderedDict()
    z = 2.0 * x
    d["z"] = z
    z[1] = z[1] * x[0]
    return np.sum(d["z"] ** 2)


def default_dict(x):
    d = collections.defaultdict(float)
    z = 2.0 * x
    d["z"] = z
    z[1] = z[1] * x[0]
    return np.sum(d["z"] ** 2)


def key_in_a_name(x):
    d = {}
    k = "z"
    z = 2.0 * x
    d[k] = z
    z[0] = x[1] * x[2]
    return np.sum(d["z"] ** 2)


def read_by_get(x):
    d = dict()
    z = 2.0 * x
    d["z"] = z
    z[2] = 0.5
    return np.sum(d.get("z") ** 2)


def display_written_by_key(x):
    z = 2.0 * x
    d = {"z": z}
    d["w"] = x * 3.0
    z[0] = z[0] * x[1]
    return np.sum(d["z"] ** 2) + np.sum(d["w"])


def key_written_after_the_change(x):  # writing another key reads none of the arrays
    d = {}
    z = 2.0 * x
    d["z"] = z
    z[0] = z[0] ** 2
    d["w"] = x
    return np.sum(d["z"] * d["w"])


def dict_in_a_dict(x):
    d = {}
    z = 2.0 * x
    d["z"] = z
    e = {"d": d}
    z[1] = z[1] ** 2
    return np.sum(e["d"]["z"])


def overwritten_key(x):
    d = {}
    z = 2.0 * x
    d["z"] = z
    d["z"] = x * 1.0
    z[0] = 5.0
    return np.sum(d["z"] ** 2) + np.sum(z)


# ----------------------------------------------------------------- S2: a namedtuple read by index or unpacked
def namedtuple_index(x):
    z = 2.0 * x
    s = State(z, 1.0)
    z[0] = 0.0
    return np.sum(s[0] ** 2)


def namedtuple_unpacked(x):
    z = 2.0 * x
    s = State(z, 1.0)
    z[0] = z[0] ** 2
    zz, t = s
    return np.sum(zz * t) + np.sum(z)


def namedtuple_negative_index(x):
    z = 2.0 * x
    s = State(z, 1.5)
    z[1] = z[1] * x[2]
    return np.sum(s[-2] ** 2) * s[-1]


def namedtuple_replaced(x):
    z = 2.0 * x
    s = State(z, 1.0)
    q = s._replace(t=3.0)
    z[0] = z[0] * x[1]
    return np.sum(q[0]) * q[1]


def typed_namedtuple(x):
    z = 2.0 * x
    s = Typed(z, 1.0)
    z[2] = z[2] * x[0]
    zz, t = s
    return np.sum(zz ** 2) + np.sum(s[0])


def key_stored_record(x):
    h = {}
    z = 2.0 * x
    h["s"] = State(z, 1.0)
    z[0] = -3.0 * z[0]
    return np.sum(h["s"].z ** 2) + np.sum(h["s"][0])


def record_in_a_list_by_index(x):
    z = 2.0 * x
    ps = [State(z, 1.0)]
    z[0] = z[0] ** 2
    return np.sum(ps[0][0]) + np.sum(z)


# ----------------------------------------------------------------- S3: a shallow copy of a dict or a list
def dict_copy_read_after_write(x):
    z = 2.0 * x
    p = {"z": z}
    h = p.copy()
    z[0] = -3.0 * z[0]
    return np.sum(h["z"] ** 2) + 0.1 * np.sum(z)


def list_copy_read_after_write(x):
    z = 2.0 * x
    p = [z, x]
    h = p.copy()
    z[1] = z[1] * x[0]
    return np.sum(h[0] ** 2) + np.sum(h[1])


FOLLOWED = [key_store_element_write, key_store_derivative_alone, key_store_in_place_relu, filled_buffer,
            element_write_loop, ordered_dict, default_dict, key_in_a_name,
            read_by_get, display_written_by_key, key_written_after_the_change, dict_in_a_dict, overwritten_key,
            namedtuple_index, namedtuple_unpacked, namedtuple_negative_index, namedtuple_replaced, typed_namedtuple,
            key_stored_record, record_in_a_list_by_index, dict_copy_read_after_write, list_copy_read_after_write]


@pytest.mark.parametrize("f", FOLLOWED, ids=lambda f: f.__name__)
def test_an_array_held_by_a_container_is_read_as_it_is_now(f):
    check_every_mode(f, X)


def test_the_reports_numbers():
    value, gradient = s2s.value_and_grad(key_store_element_write)(np.array([1.0, 2.0, 3.0]))
    assert value == 52.0 and np.allclose(gradient, [0.0, 16.0, 24.0])
    value, gradient = s2s.value_and_grad(key_store_derivative_alone)(np.array([1.0, 2.0, 3.0]))
    assert value == 28.0 and np.allclose(gradient, [16.0, 4.0, 4.0])
    assert np.allclose(np.diag(s2s.hessian(namedtuple_index)(np.array([1.0, 2.0, 3.0]))), [0.0, 8.0, 8.0])


# ----------------------------------------------------------------- a container read whole: stored again first
def returned_cache(x):
    cache = {}
    z = 2.0 * x
    cache["z"] = z
    cache["x"] = x
    z[0] = z[0] * x[1]
    return cache


def values_read(x):
    d = {}
    z = 2.0 * x
    d["z"] = z
    z[1] = z[1] ** 2
    return np.sum(list(d.values())[0] ** 2)


def items_read(x):
    d = {}
    z = 2.0 * x
    d["z"] = z
    z[1] = z[1] ** 2
    k, v = list(d.items())[0]
    return np.sum(v ** 2)


def display_values_read(x):  # (the value was computed after the reverse sweep put z back: 5.36 for 17.36)
    z = 2.0 * x
    z[1] = z[1] ** 2
    d = {"z": z}
    return np.sum(list(d.values())[0] ** 2)


WS = [np.array([[0.5, -1.0, 0.3], [0.2, 0.4, -0.9], [1.1, 0.1, 0.6]]),
      np.array([[-0.3, 0.8, 0.5], [0.7, -0.2, 0.4], [0.1, 0.9, -0.6]])]


def forward_caches(x):  # the ML forward pass: per-layer caches, an in-place ReLU after the store
    h = x
    caches = []
    for W in WS:
        cache = {}
        z = W @ h
        cache["z"] = z
        z[z < 0] = 0.0
        h = np.tanh(z)
        caches.append(cache)
    return np.sum(h ** 2) + 0.1 * sum(np.sum(c["z"] ** 2) for c in caches)


def read_after_a_loop(x):
    cache = {}
    z = 2.0 * x
    cache["z"] = z
    for i in range(3):
        z[i] = z[i] * x[i]
    return np.sum(list(cache.values())[0] ** 2)


def caches_of_a_nested_loop(x):
    cs = []
    for i in range(2):
        cache = {}
        z = x * (i + 1.0)
        cache["z"] = z
        cache["w"] = x * 1.0
        for j in range(3):
            z[j] = z[j] * x[j]
        cs.append(cache)
    return sum(np.sum(c["z"] * c["w"]) for c in cs)


@pytest.mark.parametrize("f", [values_read, items_read, display_values_read, forward_caches, read_after_a_loop,
                               caches_of_a_nested_loop],
                         ids=lambda f: f.__name__)
def test_a_container_read_whole_holds_its_arrays_as_they_are(f):
    check_every_mode(f, np.array([0.5, -1.0, 0.3]))


def test_a_returned_container_holds_its_arrays_as_they_are():
    x = np.array([0.5, -1.0, 0.3])
    value, pullback = s2s.vjp(returned_cache)(x)
    expected = returned_cache(x.copy())
    assert set(value) == {"z", "x"} and all(np.allclose(value[k], expected[k]) for k in expected)
    cotangent = {"z": np.array([1.0, 2.0, 3.0]), "x": np.array([0.5, 0.5, 0.5])}

    def contracted(x):
        out = returned_cache(x)
        return sum(np.sum(out[k] * cotangent[k]) for k in cotangent)
    assert np.allclose(pullback(cotangent), numeric_grad(contracted, (x,), 0))
    e = np.array([1e-6, 0.0, 0.0])
    primal, tangent = s2s.jvp(returned_cache)((x,), (e / 1e-6,))
    assert np.allclose(primal["z"], expected["z"])
    assert np.allclose(tangent["z"], (returned_cache(x + e)["z"] - returned_cache(x - e)["z"]) / 2e-6)


# ----------------------------------------------------------------- refused: reads of the whole container


def layers_iterated(x):  # S5: a list of records, iterated
    w = 2.0 * x
    layers = [Layer(w, 1.0)]
    w[0] = w[0] ** 2
    tot = 0.0
    for layer in layers:
        tot = tot + np.sum(layer.w ** 2) * layer.scale
    return tot + np.sum(w)


def namedtuples_iterated(x):
    z = 2.0 * x
    cs = (State(z, 1.0), State(x, 2.0))
    z[0] = 0.0
    return sum(np.sum(c.z) * c.t for c in cs)


def stored_in_a_branch(x):  # which array d["z"] holds depends on the path
    d = {}
    z = 2.0 * x
    d["z"] = z
    if x[0] < 0.0:
        d["z"] = x * 3.0
    z[0] = 0.0
    return np.sum(d["z"] ** 2)


def read_in_a_loop_of_a_dict_made_before(x):  # (stored again in the loop, the dict no loop carries: refused)
    cache = {}
    z = 2.0 * x
    cache["z"] = z
    tot = 0.0
    for i in range(3):
        z[i] = np.sin(z[i])
        tot = tot + np.sum(list(cache.values())[0] ** 2)
    return tot


def read_in_a_loop_of_an_array_kept_across_iterations(x):  # (the dict saved per iteration would hold the array
    z = 2.0 * x                                             # as a later iteration leaves it: refused)
    tot = 0.0
    for i in range(3):
        cache = {}
        cache["z"] = z
        z[i] = np.sin(z[i])
        tot = tot + np.sum(list(cache.values())[0] ** 2)
    return tot


def namedtuple_iterated(x):
    z = 2.0 * x
    s = State(z, 1.0)
    z[0] = 0.0
    tot = 0.0
    for v in s:
        tot = tot + np.sum(v)
    return tot


@pytest.mark.parametrize("f, line, match", [
    (layers_iterated, "for layer in layers", r"reading 'layers' .* after line \d+ changed 'w' in place"),
    (namedtuples_iterated, "for c in cs", r"changed 'z' in place"),
    (namedtuple_iterated, "for v in s", r"changed 'z' in place"),
    (stored_in_a_branch, 'return np.sum(d["z"]', r"reading 'd', which holds 'z'"),
    (read_in_a_loop_of_a_dict_made_before, "tot = tot + np.sum(list(cache", r"reading 'cache', which holds 'z'"),
    (read_in_a_loop_of_an_array_kept_across_iterations, "tot = tot + np.sum(list(cache",
     r"reading 'cache', which holds 'z'"),
], ids=lambda v: getattr(v, "__name__", ""))
def test_a_container_read_whole_after_its_array_changed_is_refused(f, line, match):
    import inspect
    lines, first = inspect.getsourcelines(f)
    where = first + next(i for i, text in enumerate(lines) if line in text)
    for transform in (s2s.value_and_grad, s2s.hessian, lambda g: s2s.jacobian(g, mode="forward")):
        with pytest.raises(UnsupportedSyntaxError, match=match) as info:
            transform(f)(X)
        assert info.value.lineno == where


def test_the_advice_for_a_list_of_records_works():
    def fixed(x):  # "make it after line ..."
        w = 2.0 * x
        w[0] = w[0] ** 2
        layers = [Layer(w, 1.0)]
        tot = 0.0
        for layer in layers:
            tot = tot + np.sum(layer.w ** 2) * layer.scale
        return tot + np.sum(w)
    with pytest.raises(UnsupportedSyntaxError, match=r"holds 'w' itself, not a copy.*make it after line"):
        s2s.grad(layers_iterated)(X)
    check_every_mode(fixed, X)
    assert fixed(X.copy()) == layers_iterated(X.copy())


# ----------------------------------------------------------------- refused: in-place operators through another holder
def layers_scaled(x):  # S5's report program
    w = 2.0 * x
    layers = [Layer(w, 1.0)]
    w *= 3.0
    tot = 0.0
    for layer in layers:
        tot = tot + np.sum(layer.w ** 2) * layer.scale
    return tot + np.sum(w)


def copy_item_changed(x):  # S3's report program
    z = 2.0 * x
    p = {"w": z}
    q = p.copy()
    w = q["w"]
    w += 1.0
    return np.sum(z ** 2)


def list_copy_item_changed(x):
    z = 2.0 * x
    p = [z, x]
    q = p.copy()
    w = q[0]
    w *= 3.0
    return np.sum(z ** 2)


def item_changed_through_a_second_name(x):  # the other direction: NumPy changes z
    d = {}
    z = 2.0 * x
    d["z"] = z
    a = d["z"]
    a += 1.0
    return np.sum(z ** 2)


def unpacked_item_changed(x):
    z = 2.0 * x
    s = State(z, 1.0)
    a, b = s
    a += 1.0
    return np.sum(z ** 2)


def namedtuple_scaled(x):
    z = 2.0 * x
    s = State(z, 1.0)
    z *= 3.0
    return np.sum(s[0])


def key_item_updated(x):
    d = {}
    z = W @ x
    d["z"] = z
    d["z"] += 1.0
    return np.sum(z ** 2)


@pytest.mark.parametrize("f", [key_store_operator, gradient_accumulator, layers_scaled, copy_item_changed,
                               list_copy_item_changed,
                               item_changed_through_a_second_name, unpacked_item_changed, namedtuple_scaled,
                               key_item_updated], ids=lambda f: f.__name__)
def test_an_in_place_operator_on_an_array_another_holder_shows_is_refused(f):
    for transform in (s2s.value_and_grad, s2s.hessian, lambda g: s2s.jacobian(g, mode="forward")):
        with pytest.raises(S2SError, match=r"would change an array in place"):
            transform(f)(X)


def test_an_item_of_a_copy_of_the_callers_dict_or_list_changed_in_place_is_refused():
    def of_dict(params):
        q = params.copy()
        w = q["w"]
        w += 1.0  # NumPy changes params["w"]
        return np.sum(params["w"] ** 2)

    def of_list(L):
        M = L.copy()
        w = M[0]
        w += 1.0  # NumPy changes L[0]
        return np.sum(L[0] ** 2)
    P = {"w": np.array([1.0, 2.0, 3.0])}
    with pytest.raises(S2SError, match=r"would change an array in place that the caller passed in \('params'"):
        s2s.value_and_grad(of_dict)(P)
    assert np.array_equal(P["w"], [1.0, 2.0, 3.0])
    L = [np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.5])]
    with pytest.raises(S2SError, match=r"would change an array in place that the caller passed in \('L'"):
        s2s.grad(of_list)(L)
    assert np.array_equal(L[0], [1.0, 2.0, 3.0])


def test_a_copy_of_the_callers_array_is_still_an_array_of_its_own():
    def f(x):
        y = x.copy()
        y += x ** 2
        y[0] = y[0] * x[1]
        return np.sum(y ** 2)
    check_every_mode(f, X)
