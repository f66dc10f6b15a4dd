"""Lists a container of the function's own holds, grown in place by item (round 20, fix20lists).

`d.setdefault(k, []).append(v)`, `collections.defaultdict(list)` with `d[k].append(v)`, `groups[k] = []` then
`groups[k].append(v)`, a list of lists `rows = [[] for _ in range(3)]; rows[i % 3].append(v)`, `d[k] += [v]` and
`d[k].extend([a, b])`, with keys ints, strings or tuples computed as the code runs, were refused (the fuzzer's most
common false refusal at level 8). They are read as the container written at that key with a new list
(front/item_lists.py), exact where nothing else holds the container's lists when they grow; where something may, the
growth or the use is refused at its line, saying what to write, and the advice is checked here to work.

Each program is checked against central differences and its value against Python's (tests/conftest.py).
"""
import collections

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian
from test_hunt13_messages import history_dict_whole

X = np.array([0.3, 0.55, 0.8, 1.15, 1.4, 0.65, 1.9])


# ------------------------------------------------------------------------ d.setdefault(k, []).append(v)
def setdefault_values(x):
    d = {}
    for i in range(len(x)):
        d.setdefault(i % 2, []).append(x[i] * x[i])
    return sum(np.sum(np.stack(v)) * (1.0 + len(v)) for v in d.values())


def setdefault_keys(x):
    d = {}
    for i in range(len(x)):
        d.setdefault(i % 2, []).append(x[i] * x[i])
    s = 0.0
    for k in d:
        s = s + np.sum(np.array(d[k])) * (k + 1) ** 2
    return s


def setdefault_tuple_keys(x):
    d = {}
    for i in range(len(x)):
        d.setdefault((i % 2, i % 3), []).append(np.sin(x[i]))
    return sum(sum(v) ** 2 * (k[0] + 2 * k[1] + 1) for k, v in d.items())


def setdefault_read_in_the_loop(x):
    d = {}
    s = 0.0
    for i in range(len(x)):
        k = i % 2
        d.setdefault(k, []).append(x[i] * s + 1.0)
        s = s + sum(d[k]) * d[k][-1]
    return s


def setdefault_value_reads_the_dict(x):
    d = {}
    for i in range(len(x)):
        d.setdefault(i % 3, []).append(x[i] * len(d))  # (Python has put the key in d before len(d))
    return sum(sum(v) ** 2 for v in d.values())


def setdefault_nested_loops(x):
    d = {}
    for i in range(3):
        for j in range(len(x)):
            if (i + j) % 2 == 0:
                d.setdefault((i, j % 2), []).append(x[j] * 0.2 * (i + 1))
    t = 0.0
    for k, v in d.items():
        t = t + np.sum(np.array(v) ** 3) * (k[0] + 1)
    return t


@pytest.mark.parametrize("f", [setdefault_values, setdefault_keys, setdefault_tuple_keys, setdefault_read_in_the_loop,
                               setdefault_value_reads_the_dict, setdefault_nested_loops])
def test_setdefault_lists_are_exact_in_every_mode(f):
    check_every_mode(f, X, rtol=1e-4, atol=1e-4)


# ------------------------------------------------------------------------ collections.defaultdict(list)
def defaultdict_lists(x):
    d = collections.defaultdict(list)
    for i in range(len(x)):
        d[i % 3].append(np.sin(x[i]))
    s = 0.0
    for k in d:
        s = s + sum(d[k]) ** 2 * (k + 1)
    return s


def defaultdict_read_at_an_absent_key(x):
    d = collections.defaultdict(list)
    for i in range(len(x)):
        d[i % 2].append(x[i] ** 2)
    return sum(d[0]) * sum(d[1]) + sum(d[5]) + len(d)  # (d[5] puts an empty list in d, as Python's does)


def defaultdict_extended_at_string_keys(x):
    d = collections.defaultdict(list)
    for i in range(len(x)):
        d['a' if x[i] > 1.0 else 'b'].extend([x[i], np.cos(x[i])])
    return sum(d['a']) * sum(d['b']) + len(d)


@pytest.mark.parametrize("f", [defaultdict_lists, defaultdict_read_at_an_absent_key])
def test_defaultdict_lists_are_exact_in_every_mode(f):
    check_every_mode(f, X)


def test_lists_at_string_keys_are_exact_but_for_the_jacobian_of_the_gradient():
    every_mode_but_grad_of_grad(defaultdict_extended_at_string_keys)
    every_mode_but_grad_of_grad(history_dict_whole)  # (refused until round 20: test_hunt13_messages)


# ------------------------------------------------------------------------ lists stored by key, then grown
def groups_made_by_key(x):
    groups = {}
    for k in range(3):
        groups[k] = []
    for i in range(len(x)):
        groups[i % 3].append(x[i] ** 2)
    return sum(groups[0]) * sum(groups[1]) + np.sum(np.array(groups[2]))


def groups_at_string_keys_made_when_absent(x):
    d = {}
    for i in range(len(x)):
        key = 'even' if i % 2 == 0 else 'odd'
        if key not in d:
            d[key] = []
        d[key].append(x[i])
    t = 0.0
    for v in d['even']:
        t = t + v * v
    return t * sum(d['odd'])


def groups_extended_by_operator(x):
    d = {}
    for k in range(2):
        d[k] = []
    for i in range(len(x)):
        d[i % 2] += [x[i], x[i] ** 2]
    return np.sum(np.array(d[0])) * np.sum(np.array(d[1]))


def groups_read_after_the_loop(x):
    d = {}
    for i in range(len(x)):
        d.setdefault(i % 2, []).append(x[i] ** 3)
    a = d[0]  # (no growth follows: a holds the list as Python's does)
    b = list(d.values())
    return sum(a) * sum(b[1])


@pytest.mark.parametrize("f", [groups_made_by_key, groups_at_string_keys_made_when_absent,
                               groups_extended_by_operator, groups_read_after_the_loop])
def test_lists_stored_by_key_then_grown_are_exact_in_every_mode(f):
    check_every_mode(f, X)


def test_a_list_stored_without_a_derivative_has_a_list_of_tangents():
    # (forward mode wrote the tangent of `d[key] = []` as a bare 0.0, and `list(dd[key])` raised TypeError)
    primal, tangent = s2s.jvp(groups_at_string_keys_made_when_absent)((X,), (np.ones_like(X),))
    assert primal == pytest.approx(groups_at_string_keys_made_when_absent(X), rel=1e-12)
    assert tangent == pytest.approx(np.sum(numeric_grad(groups_at_string_keys_made_when_absent, (X,), 0)), rel=1e-6)


# ------------------------------------------------------------------------ a list of lists
def rows_of_a_comprehension(x):
    rows = [[] for _ in range(3)]
    for i in range(len(x)):
        rows[i % 3].append(x[i])
    s = 0.0
    for r in rows:
        s = s + np.prod(np.array(r))
    return s


def rows_appended_first(x):
    rows = []
    for r in range(3):
        rows.append([])
    for i in range(len(x)):
        rows[i % 3].append(np.sin(x[i]))
    return sum(sum(r) ** 2 for r in rows)


@pytest.mark.parametrize("f", [rows_of_a_comprehension, rows_appended_first])
def test_a_list_of_lists_grown_by_item_is_exact(f):
    every_mode_but_grad_of_grad(f)


def every_mode_but_grad_of_grad(f):
    """check_every_mode without s2s.jacobian(s2s.grad(f)): that stops with a clear S2SError ('joining lists') for a
    list grown in a list's slot or at a constant string key, as it does for the same program written `xs =
    list(rows[0]); xs.append(v); rows[0] = xs` (before round 20 too: open)."""
    expected, numeric = f(X), numeric_grad(f, (X,), 0)
    value, gradient = s2s.value_and_grad(f)(X)
    assert value == pytest.approx(expected, rel=1e-12)
    assert_close(gradient, numeric, what="grad")
    v = np.linspace(-1.0, 1.0, X.size) + 0.25
    assert_close(s2s.jvp(f)((X,), (v,))[1], np.sum(numeric * v), what="jvp")
    assert_close(s2s.jacobian(f, mode="forward")(X), numeric, what="forward jacobian")
    assert_close(s2s.jacobian(f)(X), numeric, what="reverse jacobian")
    assert_close(s2s.hessian(f)(X), numeric_hessian(f, X), 1e-4, 1e-5, what="hessian")


def ring_of_integers(v):  # (bookkeeping without a derivative, refused by name in test_hunt7_messages until round 20)
    ring = [[] for _ in range(3)]
    for f in ((0, 1), (1, 2), (2, 0), (0, 2)):
        ring[f[0]].append(f[1])
    return np.sum(v * np.array([len(r) for r in ring]))


def test_integer_rings_are_exact():
    v = np.array([0.5, 1.5, 2.5])
    assert s2s.value_and_grad(ring_of_integers)(v)[0] == ring_of_integers(v)
    assert_close(s2s.grad(ring_of_integers)(v), np.array([2.0, 1.0, 1.0]))


# ------------------------------------------------------------------------ refusals, and their advice
def held_before_the_loop(x):
    d = {0: [], 1: []}
    a = d[0]
    for i in range(len(x)):
        d[i % 2].append(x[i])
    return sum(a) * sum(d[1])  # (Python's a is d[0], grown)


def held_before_the_loop_advised(x):
    d = {0: [], 1: []}
    for i in range(len(x)):
        d[i % 2].append(x[i])
    a = d[0]
    return sum(a) * sum(d[1])


def a_named_list_stored(x):
    lst = []
    d = {}
    d[0] = lst
    for i in range(len(x)):
        d[0].append(x[i])
    return sum(lst) * 2.0  # (Python's lst is d[0], grown)


def a_named_list_stored_advised(x):
    d = {}
    d[0] = []
    for i in range(len(x)):
        d[0].append(x[i])
    return sum(d[0]) * 2.0


def lists_kept_while_growing(x):
    d = {0: [], 1: []}
    out = []
    for i in range(len(x)):
        for v in d.values():
            out.append(v)  # (Python's out holds d's lists, grown later)
        d[i % 2].append(x[i])
    return sum(out[0]) + sum(out[-1])


def grown_while_iterated(x):
    d = {0: [x[0]]}
    for v in d[0]:
        if len(d[0]) < 4:
            d[0].append(v * 2.0)  # (Python's loop sees the new items)
    return sum(d[0])


def grown_while_iterated_advised(x):
    d = {0: [x[0]]}
    for v in list(d[0]):
        if len(d[0]) < 4:
            d[0].append(v * 2.0)
    return sum(d[0])


def one_list_three_times(x):
    rows = [[]] * 3
    for i in range(len(x)):
        rows[i % 3].append(x[i])
    return sum(rows[0])


def a_default_not_new(x):
    d = {}
    first = []
    for i in range(len(x)):
        d.setdefault(i % 2, first).append(x[i])
    return sum(d[0]) * sum(first)


@pytest.mark.parametrize("f, said, fix, line", [
    (held_before_the_loop, "'a = d[0]', which may hold a list 'd' holds while a later 'd[i % 2].append(x[i])' grows",
     "read 'd' this way after the loops that grow its lists", 2),
    (a_named_list_stored, "'d[0] = lst', storing into 'd', whose lists the function grows in place",
     "store a new list: d[0] = []", 3),
    (lists_kept_while_growing, "may hold a list 'd' holds while a later 'd[i % 2].append(x[i])' grows",
     "after the loops that grow its lists", 4),
    (grown_while_iterated, "'d[0].append(v * 2.0)', growing a list of 'd' inside a loop over 'd' or its lists",
     "loop over a copy: for v in list(d[0])", 4),
    (a_default_not_new, "'d.setdefault(i % 2, first)' growing a default that may not be a new list",
     "d.setdefault(k, [])", 4),
])
def test_a_list_that_something_else_may_hold_is_refused_at_its_line(f, said, fix, line):
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(f)(X)
    assert said in str(info.value) and fix in str(info.value), str(info.value)
    assert info.value.lineno == f.__code__.co_firstlineno + line


def grown_over_its_keys(x):
    d = {0: [], 1: []}
    for k in d:
        d[k].append(x[k] * 2.0)
    return sum(d[0]) * sum(d[1])


def grown_over_its_keys_advised(x):
    d = {0: [], 1: []}
    for k in list(d):
        d[k].append(x[k] * 2.0)
    return sum(d[0]) * sum(d[1])


def test_a_loop_over_the_dict_growing_its_lists_is_refused_with_the_copy_of_its_keys():
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"loop over a copy: for k in list\(d\)"):
        s2s.grad(grown_over_its_keys)(X)
    every_mode_but_grad_of_grad(grown_over_its_keys_advised)


@pytest.mark.parametrize("f", [held_before_the_loop_advised, a_named_list_stored_advised,
                               grown_while_iterated_advised])
def test_the_advice_is_exact(f):
    check_every_mode(f, X)


def test_one_list_held_three_times_stays_refused():
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"rows\[i % 3\]\.append\(\)"):
        s2s.grad(one_list_three_times)(X)


def grouped_into_given(x, d):
    for i in range(len(x)):
        d.setdefault(i % 2, []).append(x[i])  # (the caller's dict and lists would change)
    return sum(sum(v) ** 2 for v in d.values())


def grouped_into_own(x, d):  # the advice
    groups = {k: list(v) for k, v in d.items()}
    for i in range(len(x)):
        groups.setdefault(i % 2, []).append(x[i])
    return sum(sum(v) ** 2 for v in groups.values())


def test_setdefault_on_the_callers_dict_is_refused_with_advice_that_works():
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(grouped_into_given)(X, {})
    text = str(info.value)
    assert "d.setdefault(...) of a dict the function did not make itself here" in text, text
    assert "groups = {} (or {k: list(v) for k, v in d.items()}" in text and "groups.setdefault(k, []).append(v)" in text
    assert info.value.lineno == grouped_into_given.__code__.co_firstlineno + 2
    given = {0: [0.5], 3: [1.5, -0.5]}
    f = lambda x: grouped_into_own(x, given)  # noqa: E731
    check_every_mode(f, X)
    assert given == {0: [0.5], 3: [1.5, -0.5]}
