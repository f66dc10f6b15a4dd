"""Dicts written by key inside loops (round 18, fix18dictw).

1. `tally = {}; for v in x: tally['neg'] = v * 2.0` (a dict display a loop carries, written at a constant key) and the
   optimiser step `for k in params: params[k] = params[k] - lr * grads[k]` on a dict the function wrote out were
   refused ("assignment to a key of the dict"), where `tally = {**tally, 'neg': ...}` was exact. The generated code
   now writes the one dict in place, as Python does, the reverse sweep writing back what each write replaced
   (front/dict_writes.py, containers._key_write); a dict another name, a container or a call keeps is refused (its
   holder would show the later writes: `snaps.append(d)`, which gave a wrong derivative for `d = dict(p)` too).
2. Keys known only as the code runs (`sums[i % 2] = sums.get(i % 2, 0.0) + q * e`, `counts[k] = counts.get(k, 0) +
   1`, `cache[t] = a`) were refused for a dict the function made, and gave KeyError from the generated code for
   `dict({})`: the reverse sweep's save read the old value as an array's element. It is now `rt.saved_key` (ABSENT
   for a key the write adds) for every key write into a dict the function made (ad/writes.dict_written), and
   `d.get(k, default)`'s adjoint reads a key the reverse sweep put back as ABSENT as not held.

Each program is checked in every mode against central differences, its value against Python's, and the caller's
arguments unchanged.
"""
import copy

import numpy as np
import pytest

import s2s
from conftest import assert_close, every_mode, numeric_grad

X = np.array([0.3, -1.2, 0.7, 2.0])


# ---- 1. a dict the function wrote out, written by key in a loop ----

def tally_last(x):  # (fuzz seed 3701106, level 8)
    tally = {}
    for v in x:
        tally['neg'] = v * 2.0
    return tally['neg'] * x[0]


def tally_by_sign(x):
    tally = {'neg': 0.0, 'pos': 0.0}
    for v in x:
        if v < 0:
            tally['neg'] = tally['neg'] + v * v
        else:
            tally['pos'] = tally['pos'] + np.sin(v)
    return tally['neg'] * tally['pos']


def sgd_step(x, y):  # (fuzz seed 3701071, level 9: a dict written at each of its keys)
    params = {'a': x, 'b': y}
    grads = {'a': 2.0 * x, 'b': y * y}
    for k in params:
        params[k] = params[k] - 0.1 * grads[k]
    return np.sum(params['a'] ** 2) + np.sum(params['b'] * params['a'][0])


def momentum_step(x):
    params = {'w': x, 'b': x[0] * 0.5}
    state = {k: 0.0 * v for k, v in params.items()}
    for k in params:
        state[k] = 0.9 * state[k] + params[k] * params[k]
        params[k] = params[k] - 0.1 * state[k]
    return np.sum(params['w'] ** 2) + params['b']


def keys_by_name(x):
    params = {}
    for k in ['w', 'b']:
        params[k] = x * 2.0
    return np.sum(params['w'] * params['b'])


def alternating_keys(x):
    params = {'a': x, 'b': x[0] * 1.0}
    for _ in range(2):
        params['a'] = params['a'] * params['b']
        params['b'] = params['b'] + np.sum(params['a'])
    return np.sum(params['a'] ** 2) + params['b']


@pytest.mark.parametrize("f", [tally_last, tally_by_sign, momentum_step, keys_by_name, alternating_keys],
                         ids=lambda f: f.__name__)
def test_a_dict_written_out_and_written_by_key_in_a_loop(f):
    every_mode(f, X)


def test_the_optimiser_step_on_a_dict_written_out():
    every_mode(sgd_step, X, X[1:3])
    every_mode(sgd_step, X, X[1:3], wrt=1)


def training_loop(x):  # (fuzz seed 3701071, level 9: a dict written by run-time keys in a loop inside another)
    params = {'a': x, 'b': x[0] * 1.0}
    for step in range(3):
        grads = {'a': 2.0 * params['a'], 'b': params['b'] * params['b']}
        for k in params:
            params[k] = params[k] - 0.1 * grads[k]
    return np.sum(params['a'] ** 3) + params['b']


def training_loop_in_place(x):
    q = {'w': x * 1.0, 'b': x[0] * 1.0}
    for t in range(2):
        for k in q:
            q[k] -= 0.1 * q[k] ** 2
    return np.sum(q['w']) + q['b']


def grouped_in_two_loops(x):
    d = {}
    for t in range(2):
        for i in range(len(x)):
            d[i % 2] = d.get(i % 2, 0.0) + x[i] * (t + 1)
    return d[0] * d[1]


@pytest.mark.parametrize("f", [training_loop, training_loop_in_place, grouped_in_two_loops],
                         ids=lambda f: f.__name__)
def test_a_dict_written_by_key_in_a_loop_inside_another(f):  # (refused until fix18dictw)
    every_mode(f, X)


def in_place_on_the_callers_array(x):
    q = {'w': x, 'b': x[0] * 1.0}
    for t in range(2):
        for k in q:
            q[k] -= 0.1 * q[k] ** 2
    return np.sum(q['w']) + q['b']


def test_an_item_operator_on_the_callers_array_is_refused_when_run():
    with pytest.raises(s2s.S2SError, match="would change an array in place that the caller passed in"):
        s2s.grad(in_place_on_the_callers_array)(X)


def scaled_copy(params, x):
    params = dict(params)
    for k in params:
        params[k] = params[k] * x
    return np.sum(params['a'] * params['b'])


def test_the_optimiser_step_on_a_copy_of_the_callers_dict():
    p = {'a': X.copy(), 'b': X[::-1].copy()}
    every_mode(scaled_copy, p, 0.7, wrt=1)
    g = s2s.grad(scaled_copy)(p, 0.7)
    for key in p:
        along = lambda v, key=key: scaled_copy({**p, key: v}, 0.7)  # noqa: E731
        assert_close(g[key], numeric_grad(along, (p[key],), 0), what=key)
    assert np.array_equal(p['a'], X) and np.array_equal(p['b'], X[::-1])


# ---- 2. keys known only as the code runs ----

def sums_by_parity(xs, e):  # (fuzz seed 3701043, level 8)
    sums = {}
    for i, q in enumerate(xs):
        sums[i % 2] = sums.get(i % 2, 0.0) + q * e
    return sum(w * w for w in sums.values())


def means_by_name(xs, e):
    sums = {}
    counts = {}
    names = ['a', 'b', 'c']
    for i, q in enumerate(xs):
        k = names[i % 3]
        sums[k] = sums.get(k, 0.0) + q * e
        counts[k] = counts.get(k, 0) + 1
    return sum(sums[k] / counts[k] for k in sums)


def by_sign_with_in(xs, e):
    sums = {}
    for q in xs:
        k = 'neg' if q < 0 else 'pos'
        if k in sums:
            sums[k] = sums[k] + q * e
        else:
            sums[k] = q * q
    return sums['pos'] * sums['neg']


def largest_by_parity(xs, e):
    best = {}
    for i, q in enumerate(xs):
        best[i % 2] = max(best.get(i % 2, -1e9), q * e)
    return best[0] + 2.0 * best[1]


def product_from_a_default(xs, e):  # (the default has a derivative: taken where the key is not held yet)
    prods = {}
    for i, q in enumerate(xs):
        prods[i % 2] = prods.get(i % 2, e) * q
    return prods[0] + prods[1]


def sums_in_a_copy(xs, e):  # (dict({}): KeyError from the generated code before)
    sums = dict({})
    for i in range(len(xs)):
        k = i % 2
        sums[k] = sums.get(k, 0.0) + xs[i] * e
    return sums[0] * sums[1]


@pytest.mark.parametrize("f", [sums_by_parity, means_by_name, by_sign_with_in, largest_by_parity,
                               product_from_a_default, sums_in_a_copy], ids=lambda f: f.__name__)
@pytest.mark.parametrize("wrt", [0, 1])
def test_keys_known_only_as_the_code_runs(f, wrt):
    every_mode(f, X, 1.3, wrt=wrt)


def memo(x):
    cache = {}
    a = x
    for t in range(3):
        cache[t] = a
        a = np.sin(a)
    return np.sum(a * cache[2]) + np.sum(cache[t - 1] ** 2)


def items_of_a_grouped_dict(x):
    d = {}
    for t in range(3):
        d[t % 2] = x * t
    total = 0.0
    for k, v in d.items():
        total = total + (k + 1) * np.sum(v * v)
    return total


def test_a_memo_and_a_grouped_dict_read_whole():
    every_mode(memo, X[:3])
    every_mode(items_of_a_grouped_dict, X[:3], reverse_over_reverse=False)  # (wrong there: test_mend20, open)


def returns_the_dict(x):
    d = {}
    for t in range(3):
        d[t] = x * t
    return d


def test_a_dict_written_by_run_time_keys_returned():
    value, pullback = s2s.vjp(returns_the_dict)(X)
    assert sorted(value) == [0, 1, 2] and all(np.array_equal(value[t], X * t) for t in range(3))
    assert_close(pullback({0: X, 1: X, 2: X}), 3.0 * X, what="vjp")


def copied_after_the_loop(x):  # (fuzz seed 3701071, level 9: copy.deepcopy(state_) after the loop)
    d = {'a': x[0] * 1.0, 'b': x[1] * 1.0}
    for k in d:
        d[k] = d[k] * x[2]
    e = copy.deepcopy(d)
    f = d.copy()
    d['a'] = d['a'] * 3.0
    return e['a'] + f['a'] * d['a'] + d['b']


def snapshots_copied(x):  # (what the refusal of snaps.append(d) advises)
    d = {'a': x[0] * 1.0, 'b': x[1] * 1.0}
    snaps = []
    for k in ['a', 'b', 'a']:
        d[k] = d[k] * x[2]
        snaps.append(d.copy())
    return snaps[0]['a'] * snaps[1]['b'] + d['a']


@pytest.mark.parametrize("f", [copied_after_the_loop, snapshots_copied], ids=lambda f: f.__name__)
def test_copies_of_a_dict_written_by_key_in_a_loop(f):
    every_mode(f, X[:3])


# ---- 3. what stays refused: another holder of the dict, two dicts a branch joins ----

def appended_each_step(x):
    d = {'a': x[0] * 1.0}
    snaps = []
    for v in x:
        d['a'] = d['a'] * v
        snaps.append(d)
    return snaps[0]['a'] * 2.0


def appended_copy_each_step(x):  # (dict(p): a wrong derivative before)
    d = dict({'a': x[0] * 1.0})
    snaps = []
    for v in x:
        d['a'] = d['a'] * v
        snaps.append(d)
    return snaps[0]['a'] + d['a']


def held_by_a_list(x):  # (exact since fix19dict: test_fix19_dict)
    d = {'a': x[0] * 1.0}
    kept = [d]
    for v in x:
        d['a'] = d['a'] * v
    return kept[0]['a'] + d['a']


def joined_with_a_list(x):  # (fuzz seed 3701071, level 9: a conditional expression joins the dict and a list)
    d = {'a': x[0] * 1.0, 'b': x[1] * 1.0}
    for t in range(2):
        for k in d:
            d[k] = d[k] * x[2]
    s = 0.0
    for e in [d[k] for k in d] if hasattr(d, 'keys') else d:
        s = s + e
    return s


@pytest.mark.parametrize("f", [appended_each_step, appended_copy_each_step], ids=lambda f: f.__name__)
def test_a_dict_another_container_keeps_is_refused(f):
    for transform in (s2s.grad, s2s.jvp):
        with pytest.raises(s2s.UnsupportedSyntaxError, match="keeps that dict") as info:
            s2s.grad(f)(X) if transform is s2s.grad else s2s.jvp(f)((X,), (X,))
        assert info.value.lineno is not None and "d['a'] = d['a'] * v" in str(info.value)
        assert "dict(d)" in str(info.value)


def test_a_join_of_the_dict_and_a_list_is_refused():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="keeps that dict") as info:
        s2s.grad(joined_with_a_list)(X)
    assert info.value.lineno is not None


def another_name(x):
    d = {'a': x[0] * 1.0}
    e = d
    s = 0.0
    for v in x:
        s = s + e['a'] * v
        d['a'] = d['a'] * v
    return s + e['a'] + d['a']


def another_name_in_a_branch(x):
    d = {'a': x[0] * 1.0}
    e = d
    for v in x:
        if v > 0:
            e['a'] = e['a'] * v
        else:
            d['a'] = d['a'] + v
    return e['a'] * d['a']


@pytest.mark.parametrize("f", [another_name, another_name_in_a_branch], ids=lambda f: f.__name__)
def test_a_dict_read_through_another_name_is_the_one_dict(f):  # (`e = d` before the loop: e is d, as in Python)
    every_mode(f, X)


def two_dicts_joined(x):
    params = dict(w=x, b=1.0)
    if x > 0:
        params = dict(w=x * 2.0, b=3.0)
    for k in ["w"]:
        params[k] = params[k] * 2.0
    return params["w"] + params["b"] * x


def test_two_dicts_a_branch_joins_stay_refused():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="assignment to a key of the dict 'params'"):
        s2s.grad(two_dicts_joined)(1.5)
