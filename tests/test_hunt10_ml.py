"""Plain-NumPy ML training code (hunt10ml): each case exact in every mode against central differences, or refused
at the user's line with advice that works; the caller's arguments left as they were.

F2: a forward-pass cache or a grads dict built key by key (`cache = {}` then `cache["z"] = ...`) was refused while
the same writes into `dict({})` were accepted: a dict display is one dict the function made, written in place as a
copy `dict(p)` is. A helper writing a key of such a dict in a loop gave a zero gradient silently (the loop did not
count the write: `c = dict({})`, `np.asarray([...])`); it is refused at the read after the loop, as for an array.
"""
import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

M = np.array([[0.5, -0.3], [0.2, 0.8]])
X2 = np.array([1.0, -0.5])
X3 = np.array([0.3, -0.7, 1.2])


# --------------------------------------------------------------------------- F2: dicts built key by key

def forward_cache(w):  # the tutorial's forward pass: cache = {} then its keys
    cache = {}
    cache["z"] = M @ w
    cache["a"] = np.tanh(cache["z"])
    return np.sum(cache["a"] ** 2)


def forward_cache_copy(w):  # the form accepted before, checked the same way
    cache = dict({})
    cache["z"] = M @ w
    cache["a"] = np.tanh(cache["z"])
    return np.sum(cache["a"] ** 2)


def display_then_key(w):
    cache = {"z": M @ w}
    cache["a"] = np.tanh(cache["z"])
    cache["z"] = cache["z"] * 2.0
    return np.sum(cache["a"] ** 2) + np.sum(cache["z"] * w)


def grads_dict(w):
    grads = dict()
    grads["W"] = w * 2.0
    grads["b"] = np.sin(w)
    return sum(np.sum(v ** 2) for v in grads.values()) + len(grads)


def keyword_display_then_key(w):
    d = dict(z=w * 2.0)
    t = d["z"]  # (the array itself: rebinding the key leaves it as it was)
    d["z"] = np.sin(t)
    return np.sum(t * 3.0) + np.sum(d["z"])


def other_name(w):  # Python's other name sees the writes
    cache = {"z": w * 2.0}
    other = cache
    cache["z"] = np.sin(cache["z"])
    cache["a"] = w ** 3
    return np.sum(other["z"] ** 2) + np.sum(other["a"])


def held_by_a_tuple(w):
    cache = {}
    pair = (cache, 1)
    cache["a"] = np.sin(w)
    return np.sum(pair[0]["a"] ** 2)


def held_by_a_dict(w):
    c = {"a": w}
    d = {"c": c}
    c["a"] = w * 5.0
    return np.sum(d["c"]["a"] * w)


def key_in_a_branch(w):
    c = {"a": w}
    if w[0] > 0:
        c["a"] = c["a"] * 3.0
    else:
        c["b"] = w
    return np.sum(c["a"] ** 2) + len(c)


def made_in_each_iteration(w):
    s = 0.0
    for i in range(3):
        c = {}
        c["a"] = w * i
        s = s + np.sum(c["a"] ** 2)
    return s


def iterated_after_writes(w):
    c = {"z": w}
    c["z"] = c["z"] * 2.0
    c["y"] = np.cos(w)
    s = 0.0
    for k in c:
        s = s + np.sum(c[k] ** 2)
    return s


def put(d, k, v):
    d[k] = v
    return d


def helper_puts_a_key(w):  # (refused before as a helper changing its argument)
    d = {"a": w[0]}
    put(d, "a", w[1] * 3.0)
    return d["a"] * w[2]


def read_by(d, w):
    return np.sum(d["z"] * d["a"]) + w[0]


def given_to_a_helper(w):
    cache = {"z": w}
    cache["a"] = np.cos(w)
    return read_by(cache, w)


@pytest.mark.parametrize("f", [forward_cache, forward_cache_copy, display_then_key, grads_dict,
                               keyword_display_then_key, other_name, held_by_a_tuple, held_by_a_dict,
                               key_in_a_branch, made_in_each_iteration, iterated_after_writes, given_to_a_helper],
                         ids=lambda f: f.__name__)
def test_a_dict_built_key_by_key(f):
    check_every_mode(f, X2)


def test_a_helper_writing_a_key_of_the_display():
    check_every_mode(helper_puts_a_key, X3)


def returns_the_cache(w):
    cache = {}
    cache["z"] = w
    cache["a"] = w ** 2
    return cache


def test_a_dict_built_key_by_key_returned():
    value, pullback = s2s.vjp(returns_the_cache)(X2)
    assert set(value) == {"z", "a"} and np.array_equal(value["a"], X2 ** 2)
    for _ in range(2):  # (the reverse sweep puts keys back into its own dict, not into the value returned)
        assert_close(pullback({"z": np.ones(2), "a": np.array([1.0, 2.0])}), 1.0 + np.array([1.0, 2.0]) * 2 * X2)
    assert set(value) == {"z", "a"} and np.array_equal(value["z"], X2) and np.array_equal(value["a"], X2 ** 2)
    for mode in ("reverse", "forward"):
        jac = s2s.jacobian(returns_the_cache, mode=mode)(X2)
        assert_close(jac["z"], np.eye(2), what=mode)
        assert_close(jac["a"], np.diag(2 * X2), what=mode)


def bumps_a_shared_array(w):  # Python's `+=` changes z itself, which the function reads again
    z = w * 2.0
    cache = {"z": z}
    cache["z"] += w
    return np.sum(z ** 2) + np.sum(cache["z"])


def test_an_in_place_operator_on_a_shared_value_is_refused():
    for transform in (s2s.grad, lambda f: (lambda x: s2s.jvp(f)((x,), (x,)))):
        with pytest.raises(s2s.S2SError, match="would change an array in place"):
            transform(bumps_a_shared_array)(X2)


def memo_by_number(w):
    cache = {}
    t = 1
    cache[t] = np.sin(w)
    return np.sum(cache[t])


def memo_copy_by_number(w):  # (dict({}): KeyError from the generated code before)
    cache = dict({})
    t = 1
    cache[t] = np.sin(w)
    return np.sum(cache[t])


def memo_by_computed_string(w):  # (dict({}): KeyError from the generated code before)
    cache = dict({})
    cache["z" + str(1)] = np.sin(w)
    return np.sum(cache["z1"])


@pytest.mark.parametrize("f", [memo_by_number, memo_copy_by_number, memo_by_computed_string])
def test_a_key_known_only_at_run_time_is_exact(f):  # (refused until fix18dictw: rt.saved_key keeps a new key's ABSENT)
    check_every_mode(f, X2)


def scaled(x, **kwargs):
    kwargs["scale"] = kwargs["scale"] * 2.0
    return x * kwargs["scale"]


def writes_its_kwargs(w):
    return np.sum(scaled(w, scale=w[0]) ** 2)


def test_a_key_written_into_a_helpers_kwargs_stays_refused():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="a key of the dict 'kwargs'"):
        s2s.grad(writes_its_kwargs)(X2)


def put_array(a, v):
    a[0] = v[0]
    return 0.0


def put_key(d, v):
    d["a"] = v
    return 0.0


def helper_writes_a_copy_in_a_loop(w):  # (grad [0, 0] before, silently: right [8, -4])
    c = dict({})
    s = 0.0
    for i in range(3):
        s = s + put_key(c, w * i)
    return np.sum(c["a"] ** 2) + s


def helper_writes_for_effect_in_a_loop(w):
    c = dict({})
    for i in range(3):
        put_key(c, w * i)
    return np.sum(c["a"] ** 2)


def helper_writes_a_display_in_a_loop(w):
    c = {}
    for i in range(3):
        put_key(c, w * i)
    return np.sum(c["a"] ** 2)


def helper_writes_a_copy_of_a_dict_in_a_loop(w):
    p = {"a": w}
    c = dict(p)
    for i in range(3):
        put_key(c, w * i)
    return np.sum(c["a"] ** 2)


def helper_writes_a_converted_list_in_a_loop(w):  # (grad [0, 0] before, silently: right [8, -1])
    y = np.asarray([w[0], w[1]])
    for i in range(3):
        put_array(y, w * i)
    return np.sum(y ** 2)


# (helper_writes_a_converted_list_in_a_loop: followed, right in every mode, tests/test_hunt11_loops.py)
@pytest.mark.parametrize("f", [helper_writes_a_copy_in_a_loop, helper_writes_for_effect_in_a_loop,
                               helper_writes_a_display_in_a_loop, helper_writes_a_copy_of_a_dict_in_a_loop],
                         ids=lambda f: f.__name__)
def test_a_helper_writing_in_a_loop_is_refused(f):
    assert numeric_grad(f, (X2,), 0) == pytest.approx([8.0, -4.0 if "converted" not in f.__name__ else -1.0])
    for transform in (s2s.grad, s2s.vjp, lambda f: (lambda x: s2s.jvp(f)((x,), (x,)))):
        with pytest.raises(s2s.UnsupportedSyntaxError, match="wrote into it in place through another name"):
            transform(f)(X2)


# --------------------------------------------------------------------------- F3: writes into a dict or list parameter

def sgd_in_place(p, lr):  # a hand-written optimizer's step into the caller's dict
    for k in p:
        p[k] = p[k] - lr * p[k] ** 2  # refused
    return sum(np.sum(v) for v in p.values())


def sgd_new_dict(p, lr):  # the rewrite the refusal advises
    p = {k: p[k] - lr * p[k] ** 2 for k in p}
    return sum(np.sum(v) for v in p.values())


def sgd_list_in_place(p, lr):
    for i in range(len(p)):
        p[i] = p[i] - lr * p[i] ** 2  # refused
    return sum(np.sum(v) for v in p)


def sgd_list_copy(p, lr):
    p = list(p)
    for i in range(len(p)):
        p[i] = p[i] - lr * p[i] ** 2
    return sum(np.sum(v) for v in p)


def sgd_new_list(p, lr):
    p = [p[i] - lr * p[i] ** 2 for i in range(len(p))]
    return sum(np.sum(v) for v in p)


def sgd_dict_copy(p, lr):
    p = dict(p)
    for k in p:
        p[k] -= lr * p[k] ** 2  # refused
    return sum(np.sum(v) for v in p.values())


@pytest.mark.parametrize("f, advice", [
    (sgd_in_place, "p = {k: p[k] - lr * p[k] ** 2 for k in p}"),
    (sgd_list_in_place, "p = [p[i] - lr * p[i] ** 2 for i in range(len(p))]")],
    ids=lambda f: getattr(f, "__name__", ""))
def test_a_write_into_a_dict_or_list_parameter_advises_what_works(f, advice):
    import inspect
    lines, start = inspect.getsourcelines(f)
    line = next(i for i, text in enumerate(lines) if "# refused" in text)
    arg = {"a": X3[:2], "b": X3[2:]} if "list" not in f.__name__ else [X3[:2], X3[2:]]
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(f)(arg, 0.1)
    assert advice in info.value.hint and "np.copy(p)" not in info.value.hint.split(";")[0], info.value.hint
    assert info.value.lineno == start + line and info.value.offset == 9, str(info.value)  # (its column, indented)


def test_a_write_into_a_list_copy_of_the_parameter_is_exact():
    # (`p = list(p); p[i] = ...` rebinds slots of the function's own list, exact since round 16's list item writes)
    arg = [X3[:2], X3[2:]]
    got = s2s.grad(sgd_list_copy)(arg, 0.1)
    for k in range(2):
        assert_close(got[k], 1.0 - 0.2 * arg[k])
    assert np.array_equal(arg[0], X3[:2]) and np.array_equal(arg[1], X3[2:])


def test_an_operator_on_an_item_of_a_dict_copy_is_refused_as_the_callers():
    """`p = dict(p)` holds the caller's arrays, which `p[k] -= v` changes (a key write into a dict from pairs in a
    loop is taken since fix14deep, as into a deep copy): refused when it runs, advising the new value, which is
    exact (`p[k] = p[k] - ...`, test_hunt14_deepcopy)."""
    with pytest.raises(s2s.S2SError, match=r"the caller passed in \('p'.*'p\[k\] = p\[k\] - lr \* p\[k\] \*\* 2'"):
        s2s.grad(sgd_dict_copy)({"a": X3[:2], "b": X3[2:]}, 0.1)


@pytest.mark.parametrize("rewrite", [sgd_new_dict, sgd_new_list], ids=lambda f: f.__name__)
def test_the_advised_rewrite_is_exact(rewrite):
    as_dict = rewrite is sgd_new_dict

    def loss(x):
        return rewrite({"a": x[:2], "b": x[2:]} if as_dict else [x[:2], x[2:]], 0.1)
    check_every_mode(loss, X3)


# (found writing the test above: a helper rebinding its parameter to a comprehension that reads it, `p = [p[i] ...
# for i in range(len(p))]`, where the caller has no name p: the comprehension's list was named p, the name it
# reads, so it read the empty list: value 0 and gradient 0, silently; `p = [v * 2.0 for v in p]` was refused as
# an append to the list the loop iterates over)

def step_list(p, lr):
    p = [p[i] - lr * p[i] ** 2 for i in range(len(p))]
    return sum(np.sum(v) for v in p)


def doubled(p):
    p = [v * 2.0 for v in p]
    return np.sum(p[0]) * np.sum(p[1] ** 2)


def halves(p):
    p = {k: p[k] * 0.5 for k in p}
    return np.sum(p["a"] ** 2) + np.sum(p["b"])


def calls_step_list(x):
    return step_list([x[:2], x[2:]], 0.1)


def calls_doubled(x):
    return doubled((x[:2], x[2:]))


def calls_halves(x):
    return halves({"a": x[:2], "b": x[2:]})


@pytest.mark.parametrize("f", [calls_step_list, calls_doubled, calls_halves], ids=lambda f: f.__name__)
def test_a_helper_rebinding_its_parameter_to_a_comprehension_of_it(f):
    check_every_mode(f, X3)


# --------------------------------------------------------------------------- F4: f-string keys

P = {"W1": np.array([[0.5, -0.2], [0.1, 0.3]]), "b1": np.array([0.1, 0.0]),
     "W2": np.array([[1.0, 0.5], [-0.5, 0.2]]), "b2": np.zeros(2)}


def layers_fstring(w, x):  # the deep-network tutorial's layer loop, its keys f-strings
    p = {"W1": w[:4].reshape(2, 2), "b1": w[4:6], "W2": w[6:10].reshape(2, 2), "b2": w[10:]}
    A = x
    for l in range(1, 3):
        A = np.tanh(p[f"W{l}"] @ A + p[f"b{l}"])
    return np.sum(A ** 2)


def layers_concatenated(w, x):  # the spelling accepted before
    p = {"W1": w[:4].reshape(2, 2), "b1": w[4:6], "W2": w[6:10].reshape(2, 2), "b2": w[10:]}
    A = x
    for l in range(1, 3):
        A = np.tanh(p["W" + str(l)] @ A + p["b" + str(l)])
    return np.sum(A ** 2)


def rows_by_fstring(x):  # keys of a dict comprehension, and format specs, conversions, braces and `=`
    d = {f"row{i}": x[i] * (i + 1.0) for i in range(3)}
    text = f"{{a}}{x[0]:.3f}|{3!r:>{5}}|{'s'=}"
    return sum(np.sum(v ** 2) for v in d.values()) + len(text)


def test_f_string_keys():
    w = np.concatenate([P["W1"].ravel(), P["b1"], P["W2"].ravel(), P["b2"]])
    x = np.array([1.0, -2.0])
    g = check_every_mode(lambda w: layers_fstring(w, x), w)
    assert_close(g, s2s.grad(layers_concatenated)(w, x))
    grads = s2s.grad(lambda p: layers_fstring(np.concatenate([p["W1"].ravel(), p["b1"], p["W2"].ravel(),
                                                               p["b2"]]), x))(P)
    assert_close(grads["W1"].ravel(), [0.46089864, -0.92179729, 0.18016555, -0.36033111])  # (FD, the report's)
    check_every_mode(rows_by_fstring, X3)


# --------------------------------------------------------------------------- F5: functions held by a module's tuple

def relu(z):
    return np.maximum(z, 0.0)


class Scaled:  # a layer object
    def __init__(self, a):
        self.a = a

    def __call__(self, x):
        return np.tanh(self.a * x)


ACTIVATIONS = (np.tanh, relu, np.sin)
STACK = (Scaled(0.7), np.sin, Scaled(-1.3))
ACTIVATION_LIST = [np.tanh, relu, np.sin]


def through_the_tuple(x):  # (nn.Sequential's port: refused before as a value only the run time knows)
    for layer in ACTIVATIONS:
        x = layer(x * 1.3 + 0.1)
    return np.sum(x ** 2)


def through_layer_objects(x):
    h = x
    for layer in STACK:
        h = layer(h) + 0.5 * h
    return np.sum(h ** 2) + np.sum(layer(x))  # (the name keeps the last entry)


def by_constant_index(x):
    x = ACTIVATIONS[0](x * 1.3 + 0.1)
    x = STACK[-1](x)
    return np.sum(ACTIVATIONS[2](x) ** 2)


@pytest.mark.parametrize("f", [through_the_tuple, through_layer_objects, by_constant_index], ids=lambda f: f.__name__)
def test_functions_of_a_module_tuple(f):
    check_every_mode(f, np.array([0.3, -0.2, 0.9]), hessian=f is not through_the_tuple)


def through_the_list(x):
    for layer in ACTIVATION_LIST:  # refused
        x = layer(x)
    return np.sum(x ** 2)


def list_by_constant_index(x):
    return np.sum(ACTIVATION_LIST[0](x) ** 2)  # refused


@pytest.mark.parametrize("f", [through_the_list, list_by_constant_index], ids=lambda f: f.__name__)
def test_functions_of_a_module_list_are_refused_with_the_tuple_advice(f):
    import inspect
    lines, start = inspect.getsourcelines(f)
    line = next(i for i, text in enumerate(lines) if "# refused" in text)
    with pytest.raises(s2s.UnsupportedSyntaxError, match="ACTIVATION_LIST") as info:
        s2s.grad(f)(X3)
    assert info.value.lineno == start + line and "only the run time knows" not in str(info.value)
    assert "make it a tuple, ACTIVATION_LIST = (...)" in info.value.hint


def test_a_module_tuple_rebound_between_calls():
    import sys
    module = sys.modules[__name__]
    g = s2s.grad(through_the_tuple)
    kept = module.ACTIVATIONS
    try:
        for table in (ACTIVATIONS, (np.sin, np.cos)):
            module.ACTIVATIONS = table
            assert_close(g(X3), numeric_grad(through_the_tuple, (X3,), 0))
    finally:
        module.ACTIVATIONS = kept


def int_keys_of_a_comprehension(x):  # (a key that is no string, which the dict holds: accepted before, and still)
    d = {i: x * i for i in range(3)}
    d[1] = d[1] * 2.0
    return np.sum(d[1] * d[2])


def int_key_of_a_display(x):
    d = {0: x, "b": x * 3.0}
    d[0] = d[0] * 2.0
    d["b"] = np.sin(d["b"])
    return np.sum(d[0] * d["b"])


@pytest.mark.parametrize("f", [int_keys_of_a_comprehension, int_key_of_a_display], ids=lambda f: f.__name__)
def test_a_constant_key_the_dict_holds(f):
    check_every_mode(f, X2)
