"""Dict and list programs s2s refused that are right (round 19, fix19dict).

1. Keys first taken into a list (`ks = [k for k in p]`, `sorted(p)`, `list(p)`) and read on a branch: exact (kept so).
2. A loop over a list p reading another dict a branch joins with p (`q = p if flag else table; q.get(k, 1.5) * k`):
   a lookup's result does not vary with its key, so the read makes no key of k, and the loop iterates p as Python
   does (the keys stage refused the list as the loop ran, 084386d; hunt18reg R1).
3. A list of ints read at its own items through another name on some paths only (`order = nxt; for k in nxt: if k >=
   0: ... x[order[k]]`): rt.dict_keys_only accepts a sequence of ints or bools that carries no derivative (hunt18reg
   R2), and still refuses one the caller differentiates (its items are numbers there); its message names the read
   it found and its line (M1).
4. A loop over a dict reached by an expression (`for k in P['w']: ... P['w'][k]` on some paths only): exact for a
   dict, like the same loop over a name (hunt18reg R4).

Each program is checked in every mode against central differences, its value against Python's.
"""

import numpy as np
import pytest

import s2s
from conftest import assert_close, every_mode, numeric_grad

X = np.array([0.3, -1.2, 0.7, 2.0])


# ---- 1. keys taken into a list, read on a branch ----

def keys_listed_on_a_branch(x, p, flag):
    ks = [k for k in p]
    s = 0.0
    for k in ks:
        if flag:
            s = s + np.sum(p[k] * x ** 2)
        else:
            s = s + np.sum(x)
    return s


def keys_sorted_on_a_branch(x, p, flag):
    ks = sorted(p)
    s = 0.0
    for k in ks:
        if flag:
            s = s + np.sum(p[k] * x ** 2)
    return s


def keys_copied_on_a_branch(x, p, flag):
    ks = list(p)
    s = 0.0
    for k in ks:
        if k != 'a' and flag:
            s = s + np.sum(p[k] * x ** 2)
    return s


def keys_listed_always(x, p):
    ks = [k for k in p]
    s = 0.0
    for k in ks:
        s = s + np.sum(p[k] * x ** 2)
    return s


@pytest.mark.parametrize("f", [keys_listed_on_a_branch, keys_sorted_on_a_branch, keys_copied_on_a_branch])
@pytest.mark.parametrize("flag", [True, False])
def test_keys_taken_into_a_list_then_read_on_a_branch(f, flag):
    p = {'a': 1.5, 'b': np.array([0.5, -2.0, 1.0, 3.0]), 'c': -0.5}
    if f is not keys_listed_on_a_branch and not flag:
        assert s2s.grad(f)(X, p, flag).tolist() == [0.0] * 4
        return
    every_mode(f, X, p, flag)


def test_keys_taken_into_a_list_read_always_and_the_dict_differentiated():
    p = {'a': 1.5, 'b': np.array([0.5, -2.0, 1.0, 3.0])}
    every_mode(keys_listed_always, X, p)
    g = s2s.grad(keys_sorted_on_a_branch, wrt=1)(X, p, True)
    assert_close(g['a'], np.sum(X ** 2))
    assert_close(g['b'], X ** 2)


# ---- 2. a list p read at its items through another dict a branch joins with p (hunt18reg R1) ----

TABLE = {0.25: 2.0, 'a': 4.0}  # (no item of p: a lookup at it is the default on both sides)


def get_through_a_join(p, table, flag):
    q = p if flag else table
    s = 0.0
    for k in p:
        s = s + q.get(k, 1.5) * k * k
    return s


def get_through_an_if(p, table, flag):
    if flag:
        q = p
    else:
        q = table
    s = 0.0
    for k in p:
        s = s + q.get(k, 1.5) * k
    return s * s


@pytest.mark.parametrize("f", [get_through_a_join, get_through_an_if])
def test_a_lookup_of_another_dict_at_a_lists_items_keeps_their_derivative(f):
    # (refused as the loop ran: rt.dict_keys_only(p), a list; q.get(k)'s result does not vary with k)
    every_mode(f, [0.5, 1.5, -0.7], TABLE, False)
    every_mode(f, np.array([0.5, 1.5, -0.7]), TABLE, False)


# ---- 3. a list of ints read at its own items through another name, on some paths only (hunt18reg R2, M1) ----

def successor_products(x, nxt):
    order = nxt
    s = 0.0
    for k in nxt:
        if k >= 0:
            s = s + x[k] * x[order[k]]
    return s


def successor_products_array(x, nxt):
    order = nxt
    s = 0.0
    for k in nxt:
        if k >= 0 and k < 3:
            s = s + x[k] * x[order[k] % 4] ** 2
    return s


def numbers_or_indices(p, x, flag):
    order = p
    s = 0.0
    for k in p:
        if flag:
            s = s + x[k] * order[k]
        else:
            s = s + k * k * 2.0
    return s


def test_a_list_of_ints_read_at_its_own_items_on_some_paths():
    every_mode(successor_products, np.array([0.3, -0.7, 1.1]), [1, 2, -1])
    every_mode(successor_products, np.array([0.3, -0.7, 1.1]), (1, 2, -1))
    every_mode(successor_products_array, X, np.array([1, 2, 3, 0]))
    every_mode(numbers_or_indices, [1, 0], X, True, wrt=1)


def test_a_list_of_ints_the_caller_differentiates_is_refused():
    # (its items are numbers there: a key without a derivative would give 0.0 for d(k * k * 2.0)/dp, not [4, 0])
    for run in (lambda: s2s.grad(numbers_or_indices)([1, 0], X, False),
                lambda: s2s.vjp(numbers_or_indices)([1, 0], X, False)[1](1.0),
                lambda: s2s.jvp(numbers_or_indices)(([1, 0], X, False), ([1.0, 1.0],))[1],
                lambda: s2s.jacobian(numbers_or_indices, mode="forward")([1, 0], X, False),
                lambda: s2s.jacobian(numbers_or_indices)([1, 0], X, False),
                lambda: s2s.grad(numbers_or_indices, wrt=(0, 1))([1, 0], X, False)[0]):
        with pytest.raises(s2s.S2SError, match=r"reads p\[k\] on some paths only \(line \d+: "
                                                r"s = s \+ x\[k\] \* order\[k\]\).*values, differentiated"):
            run()


def test_the_refusal_names_the_read_it_found():
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(successor_products)(np.array([0.3, -0.7, 1.1]), [1.0, 2.0, -1.0])
    line = successor_products.__code__.co_firstlineno + 5
    assert f"reads nxt[k] on some paths only (line {line}: s = s + x[k] * x[order[k]])" in str(info.value), \
        str(info.value)
    assert "nxt is a list here" in str(info.value)


# ---- 4. a loop over a dict reached by an expression, read at its keys on some paths only (hunt18reg R4) ----

def squares_but_x(P):
    return sum(P['w'][k] ** 2 for k in P['w'] if k != 'x')


def squares_but_x_loop(P, x):
    s = 0.0
    for k in P['w']:
        if k != 'x':
            s = s + P['w'][k] * np.sum(x ** 2)
    return s


class Model:
    def __init__(self, weights):
        self.weights = weights


def weighted_but_x(m, x):
    s = 0.0
    for k in m.weights:
        if k != 'x':
            s = s + m.weights[k] * np.sum(x ** 3)
    return s


def test_a_loop_over_a_dict_reached_by_an_expression():
    P = {'w': {'x': 0.5, 'y': 1.5, 'z': -0.3}}
    assert s2s.grad(squares_but_x)(P) == {'w': pytest.approx({'x': 0.0, 'y': 3.0, 'z': -0.6})}
    assert s2s.grad(squares_but_x_loop)(P, X)['w'] == pytest.approx({'x': 0.0, 'y': np.sum(X ** 2),
                                                                        'z': np.sum(X ** 2)})
    every_mode(squares_but_x_loop, P, X, wrt=1)
    every_mode(weighted_but_x, Model({'x': 0.5, 'y': 1.5, 'z': -0.3}), X, wrt=1)
    with pytest.raises(s2s.S2SError, match=r"the loop 'for k in P\['w'\]' reads P\['w'\]\[k\] on some paths only "
                                           r"\(line \d+: s = s \+ P\['w'\]\[k\] \* np.sum\(x \*\* 2\)\)"):
        s2s.grad(squares_but_x_loop, wrt=1)({'w': [0.5, 1.5]}, X)


# ---- 5. a dict a list display keeps, written by key in a loop, read through the list after it ----

def kept_then_scaled(x):
    d = {'a': 1.5, 'b': -0.5}
    kept = [d]
    for k in d:
        d[k] = d[k] * x
    return kept[0]['a'] + d['b']  # (kept[0] IS d: the new values)


def kept_then_grown(x):
    d = {'a': x[0] * 1.0, 'b': 2.0}
    kept = (d, 3.0)
    for v in x:
        d['a'] = d['a'] * v
    return kept[0]['a'] * kept[1] + kept[0]['b'] * d['a']


def kept_on_a_branch(x, flag):
    d = {'a': x[0] * 1.0, 'b': 2.0}
    kept = [d]
    if flag:
        for k in d:
            d[k] = d[k] * x[1]
    return kept[0]['a'] + kept[0]['b'] * x[2]


def kept_in_the_loop(x):
    d = {'a': x[0] * 1.0}
    box = {'d': d}
    s = 0.0
    for v in x:
        s = s + box['d']['a'] * v
        d['a'] = d['a'] * v
    return s + box['d']['a']


def kept_after_the_loop(x):
    d = {'a': 1.5, 'b': -0.5}
    for k in d:
        d[k] = d[k] * x
    kept = [d]
    return kept[0]['a'] + d['b']


def kept_and_grown(x):  # (the list grown: its reads are of the list, which s2s does not follow to d's writes)
    d = {'a': x[0] * 1.0}
    kept = [d]
    kept.append(x[1])
    for v in x:
        d['a'] = d['a'] * v
    return kept[0]['a'] * kept[1]


def test_a_dict_a_display_keeps_written_by_key_in_a_loop():
    every_mode(kept_then_scaled, 0.7)
    every_mode(kept_after_the_loop, 0.7)
    every_mode(kept_then_grown, X)
    every_mode(kept_on_a_branch, X, True)
    every_mode(kept_on_a_branch, X, False)
    every_mode(kept_in_the_loop, X)


def test_a_dict_a_grown_list_keeps_stays_refused():
    # (without the refusal: d/dx of kept[0]['a'] read d's first values, [-1.2, -0.15, 0, 0] for [1.21, -0.30, ...])
    for run in (lambda: s2s.grad(kept_and_grown)(X), lambda: s2s.jvp(kept_and_grown)((X,), (X,))):
        with pytest.raises(s2s.UnsupportedSyntaxError, match="keeps that dict"):
            run()


# ---- 6. lists a dict display holds at constant keys, grown in place (front/dict_lists.py) ----

def split_by_sign(x, w):
    bins = {'pos': [], 'neg': []}
    for v in x:
        if v > 0:
            bins['pos'].append(v * w)
        else:
            bins['neg'].append(v)
    return sum(bins['pos']) - sum(bins['neg'])


def histogram_summary(x):
    hist = {'lo': [], 'hi': [], 'n': 0}
    for v in x:
        hist['n'] += 1
        if v > 0.5:
            hist['hi'].append(v ** 2)
        else:
            hist['lo'].extend([v, 2.0 * v])
    return (np.sum(hist['hi']) + hist['lo'][-1] * len(hist['lo'])) / hist['n']


def split_then_squared(x):
    bins = {'pos': [], 'neg': []}
    for v in x:
        bins['pos'].append(v * 2.0)
        if len(bins['pos']) > 2:
            bins['pos'] = [sum(bins['pos'])]
    return sum([u ** 2 for u in bins['pos']])


def split_returned(x, w):
    bins = {'pos': [], 'neg': []}
    for v in x:
        bins['pos'].append(v * w)
    return bins


def grouped_by_key(x, keys):
    d = {}
    for i, k in enumerate(keys):
        d.setdefault(k, []).append(x[i] ** 2)
    return sum(sum(v) for v in d.values())


def test_lists_a_dict_display_holds_grown_in_place():
    every_mode(split_by_sign, X, 1.5)
    every_mode(split_by_sign, list(X), 1.5)
    every_mode(split_by_sign, X, 1.5, wrt=1, hessian=False)
    every_mode(histogram_summary, X)
    every_mode(split_then_squared, X)
    source = s2s.grad(split_by_sign).source
    assert "bins_pos" in source and "bins['pos']" not in source.replace("# line", "#").split("#")[0]


def test_a_dict_of_lists_used_whole_or_at_run_time_keys_is_exact():
    # (refused until round 20: a dict of lists returned whole, and d.setdefault(k, []).append(v); fix20lists reads
    # them as the dict written at the key with a new list, front/item_lists.py)
    split = lambda x: split_returned(x, 1.0)['pos'][0]  # noqa: E731
    assert_close(s2s.jacobian(split)(X), numeric_grad(split, (X,), 0))
    every_mode(grouped_by_key, X, ['a', 'b', 'a', 'c'])


def grouped_by_joining(x, keys):
    d = {}
    for i, k in enumerate(keys):
        d[k] = d.get(k, []) + [x[i] ** 2]
    return sum(sum(v) for v in d.values())


def test_a_list_joined_to_a_get_of_an_absent_key_is_refused_in_every_mode():
    # (jvp and the forward Jacobian raised Python's TypeError from the generated code, 0.0 + [dt]: the tangent of
    # d.get(k, []) where k is absent was the number 0.0, not the empty list's zeros)
    args = (X, ['a', 'b', 'a', 'c'])
    for run in (lambda: s2s.grad(grouped_by_joining)(*args), lambda: s2s.jvp(grouped_by_joining)(args, (X,)),
                lambda: s2s.jacobian(grouped_by_joining, mode="forward")(*args)):
        with pytest.raises(s2s.S2SError, match="joining lists"):
            run()
