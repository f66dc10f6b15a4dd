"""An in-place operator on an item of a shallow copy at a literal key, and on a list a list holds (hunt round 15,
fix15alias; hunt15reg S2, fix15inplace's report).

1. `q = dict(p); q['w'] *= 2.0` written on one line with other statements (`q = dict(p); q['w'] *= 2.0; return ...`,
   docs/semantics.md's `rows = list(z); rows[0] *= 2.0`) was read as a new value, `q['w'] = q['w'] * 2.0`: the
   alias stage took the line's first statement for the operator's, so the run-time check (`rt.require_unshared`)
   was left out, and NumPy's caller saw its array changed where s2s's did not. The statement is now found on the
   line by the item it writes (item_operators.augmented_item): refused where the item is the caller's array,
   exact where it is the function's own copy (a deep copy, a comprehension of copies).
2. `for r in rows: r *= 2; s += len(rows[0])` of a list of lists: Python repeats the list r in place, which rows
   shows; s2s made a new list (1.2 for NumPy's 2.4). The check before such an operator (`rt.require_immutable`)
   now refuses a list, a dict, a set or a bytearray that the operator changes in place.
"""
import copy

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad
from s2s.errors import S2SError

P = {'w': np.array([0.3, -0.2]), 'b': np.array([0.05, -0.1])}
WS = [np.array([0.3, -0.2]), np.array([0.05, -0.1])]
Z = np.array([[0.3, -0.2], [0.05, -0.1]])
X = np.array([0.3, -1.2, 0.5, 0.8])


# --- 1. the caller's array changed through a shallow copy at a literal key: refused -----------------------------

def via_dict(p):
    q = dict(p); q['w'] *= 2.0; return np.sum(q['w'] ** 2)  # noqa: E702


def via_splat(p):
    q = {**p}; q['w'] *= 2.0; return np.sum(q['w'] ** 2)  # noqa: E702


def via_comp(p):
    q = {k: v for k, v in p.items()}; q['w'] *= 2.0; return np.sum(q['w'] ** 2)  # noqa: E702


def via_copy(p):
    q = p.copy(); q['w'] *= 2.0; return np.sum(q['w'] ** 2)  # noqa: E702


def in_branch(p):
    q = dict(p)
    if p['b'][0] > 0: q['w'] *= 2.0  # noqa: E701
    return np.sum(q['w'] ** 2)


def keys_loop(p):
    q = dict(p)
    for k in q: q[k] *= 2.0  # noqa: E701
    return np.sum(q['w'] ** 2)


def via_list(ws):
    q = list(ws); q[1] *= 2.0; return np.sum(q[1] ** 2)  # noqa: E702


def last_item(ws):
    q = list(ws); q[-1] *= 2.0; return np.sum(q[1] ** 2)  # noqa: E702


def swapped(ws):  # (after the swap q[1] is ws[0])
    q = list(ws); q[0], q[1] = q[1], q[0]; q[1] *= 2.0; return np.sum(q[1] ** 2)  # noqa: E702


def rows_of_array(z):  # (docs/semantics.md's example)
    rows = list(z); rows[0] *= 2.0; return np.sum(rows[0] ** 2)  # noqa: E702


def rows_of_argument(x):  # (the caller's array x, through its views)
    p = {'w': x[:2], 'b': x[2:]}; q = dict(p); q['w'] *= 2.0; return np.sum(q['w'] ** 2 * q['b'])  # noqa: E702


REFUSED = [(via_dict, P), (via_splat, P), (via_comp, P), (via_copy, P), (in_branch, P), (keys_loop, P),
           (via_list, WS), (last_item, WS), (swapped, WS), (rows_of_array, Z), (rows_of_argument, X)]


def _same(a, b):
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(np.array_equal(u, w) for u, w in zip(a, b))
    return np.array_equal(a, b)


def _tangent(a):
    if isinstance(a, dict):
        return {k: np.ones_like(v) for k, v in a.items()}
    if isinstance(a, list):
        return [np.ones_like(v) for v in a]
    return np.ones_like(a)


@pytest.mark.parametrize("f, arg", REFUSED, ids=[f.__name__ for f, _ in REFUSED])
def test_the_callers_array_changed_through_a_copy_is_refused(f, arg):
    numpy_changes = copy.deepcopy(arg)
    f(numpy_changes)
    assert not _same(numpy_changes, arg)  # (NumPy changes the caller's array)
    runs = [lambda a: s2s.value_and_grad(f)(a), lambda a: s2s.vjp(f)(a)[1](1.0),
            lambda a: s2s.jvp(f)((a,), (_tangent(a),))]
    if isinstance(arg, np.ndarray):
        runs += [lambda a: s2s.jacobian(f)(a), lambda a: s2s.jacobian(f, mode="forward")(a),
                 lambda a: s2s.hessian(f)(a)]
    for run in runs:
        mine = copy.deepcopy(arg)
        with pytest.raises(S2SError, match=r"\*= 2\.0' would change an array in place"):
            run(mine)
        assert _same(mine, arg), f"{f.__name__}: the caller's data changed"


def test_the_refusal_quotes_the_operator_not_its_line():
    with pytest.raises(S2SError) as refused:
        s2s.grad(via_dict)(copy.deepcopy(P))
    message = str(refused.value)
    assert "'q['w'] *= 2.0' would change an array in place that the caller passed in ('p'" in message
    assert "('q['w'] = q['w'] * 2.0')" in message
    assert "q = dict(p);" not in message.splitlines()[0]


# --- 1. the item is the function's own: exact in every mode --------------------------------------------------

def deep_line(x):
    p = {'w': x[:2], 'b': x[2:]}; q = copy.deepcopy(p); q['w'] *= 2.0; return np.sum(q['w'] ** 2 * q['b'])  # noqa


def copies_line(x):
    p = {'w': x[:2], 'b': x[2:]}; q = {k: v.copy() for k, v in p.items()}; q['w'] *= np.sin(x[0])  # noqa: E702
    return np.sum(q['w'] ** 2 * q['b'])


def rows_copied_line(x):
    z = x.reshape(2, 2); rows = list(z * 1.0); rows[0] *= 2.0; return np.sum(rows[0] ** 2 * rows[1])  # noqa: E702


def new_value_line(x):  # (a new value, as Python makes: no check, nothing refused)
    p = {'w': x[:2], 'b': x[2:]}; q = dict(p); q['w'] = q['w'] * 2.0; return np.sum(q['w'] ** 2 * q['b'])  # noqa


def new_value_beside_operator(x):  # (the caller's item written anew, the own copy's changed in place)
    p = {'w': x[:2], 'b': x[2:]}; q = dict(p); s = copy.deepcopy(p)  # noqa: E702
    q['b'] = q['b'] * 2.0; s['w'] *= 2.0; return np.sum(s['w'] ** 2 * q['b'])  # noqa: E702


def deep_in_loop(x):
    p = {'w': x[:2], 'b': x[2:]}
    q = copy.deepcopy(p)
    for t in range(3):
        q['w'] -= 0.1 * np.cos(q['w']) * q['b']; q['b'] *= 0.9  # noqa: E702
    return np.sum(q['w'] ** 2) + np.sum(q['b'])


EXACT = [deep_line, copies_line, rows_copied_line, new_value_line, new_value_beside_operator, deep_in_loop]


@pytest.mark.parametrize("f", EXACT, ids=[f.__name__ for f in EXACT])
def test_the_functions_own_copy_is_exact_in_every_mode(f):
    numeric = numeric_grad(f, (X.copy(),), 0)
    value, pullback = s2s.vjp(f)(X.copy())
    assert value == pytest.approx(f(X.copy()), rel=1e-12)
    assert_close(pullback(1.0), numeric, what="vjp")
    check_every_mode(f, X.copy())


def dict_deep(p):
    q = copy.deepcopy(p); q['w'] *= 2.0; return np.sum(q['w'] ** 2 * q['b'])  # noqa: E702


def dict_copies(p):
    q = {k: v.copy() for k, v in p.items()}; q['w'] *= 2.0; return np.sum(q['w'] ** 2 * q['b'])  # noqa: E702


@pytest.mark.parametrize("f", [dict_deep, dict_copies])
def test_a_copy_of_the_callers_dict_is_exact(f):
    mine = copy.deepcopy(P)
    value, gradient = s2s.value_and_grad(f)(mine)
    assert _same(mine, P)
    assert value == pytest.approx(f(copy.deepcopy(P)), rel=1e-12)
    for key in P:
        def by_key(v, key=key):
            return f({**copy.deepcopy(P), key: v})
        assert_close(gradient[key], numeric_grad(by_key, (P[key].copy(),), 0), what=key)
    _, tangent = s2s.jvp(f)((copy.deepcopy(P),), (_tangent(P),))
    assert_close(tangent, sum(np.sum(gradient[k]) for k in P), what="jvp")


# --- 2. a list a list holds, changed in place by an augmented operator -------------------------------------------

def rows_repeated_read(x):  # (fix15inplace: the body reads rows, so item_loops does not rewrite the loop)
    rows = [[x[0], x[1]], [x[2]]]
    s = 0.0
    for r in rows:
        r *= 2
        s += len(rows[0]) * x[0]
    return s


def rows_repeated_twice(x):
    rows = [[x[0], x[1]], [x[2]]]
    s = 0.0
    for t in range(2):
        for r in rows:
            r *= 2
            s += len(rows[0]) * x[0]
    return s


def rows_extended(x):
    rows = [[x[0], x[1]], [x[2]]]
    s = 0.0
    for r in rows:
        r += [1.0]
        s += len(rows[0]) * x[0]
    return s


def rows_extend_call(x):
    rows = [[x[0], x[1]], [x[2]]]
    s = 0.0
    for r in rows:
        r.extend([x[1]])
        s += len(rows[0]) * x[0]
    return s


def arrays_read(x):  # (NumPy changes arrs[0] in place: exact or refused)
    arrs = [x * 1.0, x ** 2]
    s = 0.0
    for a in arrs:
        a *= 2.0
        s += np.sum(arrs[0])
    return s


LISTS = [rows_repeated_read, rows_repeated_twice, rows_extended, rows_extend_call, arrays_read]


@pytest.mark.parametrize("f", LISTS, ids=[f.__name__ for f in LISTS])
def test_a_list_a_list_holds_changed_in_place_is_refused_in_every_mode(f):
    t = np.ones_like(X)
    for run in (lambda: s2s.value_and_grad(f)(X.copy()), lambda: s2s.vjp(f)(X.copy())[1](1.0),
                lambda: s2s.jvp(f)((X.copy(),), (t,)), lambda: s2s.jacobian(f)(X.copy()),
                lambda: s2s.jacobian(f, mode="forward")(X.copy())):
        with pytest.raises(S2SError):
            run()


def test_the_refusal_of_a_repeated_list_names_the_users_line():
    with pytest.raises(S2SError) as refused:
        s2s.grad(rows_repeated_read)(X.copy())
    message = str(refused.value)
    assert "'r *= 2' changes the list 'r' in place" in message
    assert "('r = r * 2')" in message and "rows = [r * 2 for r in rows]" in message
    assert "test_hunt15_shallow_copies.py:" in message and "r *= 2" in message.splitlines()[-1]


def callers_list(x, r):
    r *= 2
    return x[0] * len(r)


def test_the_callers_list_repeated_is_refused():
    r = [1.0]
    with pytest.raises(S2SError, match="'r \\*= 2' changes the list 'r' in place"):
        s2s.grad(callers_list)(X.copy(), r)
    assert r == [1.0]


def numbers_read(x):  # (numbers: the operator rebinds the name, the list keeps its items)
    vals = [x[0], x[1] * 2.0]
    s = 0.0
    for v in vals:
        v *= 2.0
        s += vals[0] * v
    return s


def own_list_repeated(x):  # (nothing else holds r: the new list is Python's)
    r = [x[0], x[1]]
    r *= 2
    return sum(r) * x[2]


@pytest.mark.parametrize("f", [numbers_read, own_list_repeated])
def test_a_list_nothing_else_holds_is_exact_in_every_mode(f):
    check_every_mode(f, X.copy())


# --- the check before an operator on a name quotes the operator, where its line holds more -----------------------

def view_of_argument_line(x):
    y = x[0:2]; y += 1.0; return np.sum(y ** 2) + np.sum(x)  # noqa: E702


def view_of_own_line(x):
    a = x * 1.0; v = a[:2]; v *= 2.0; return np.sum(a ** 2)  # noqa: E702


@pytest.mark.parametrize("f, quoted, advice", [(view_of_argument_line, "'y += 1.0' would change an array in place "
                                                "that the caller passed in ('x'", "('y = y + 1.0')"),
                                               (view_of_own_line, "'v *= 2.0' would change an array in place that is "
                                                "a view of 'a'", "('v = v * 2.0')")])
def test_the_check_of_an_operator_on_a_line_of_several_quotes_the_operator(f, quoted, advice):
    mine = X.copy()
    with pytest.raises(S2SError) as refused:
        s2s.grad(f)(mine)
    assert quoted in str(refused.value) and advice in str(refused.value)
    assert np.array_equal(mine, X)


# --- `q = ws + vs` of the caller's lists: an array's sum s2s reads, or a list holding the caller's arrays ----------

def joined(ws):
    q = ws + []
    q[0] *= 2.0
    return np.sum(q[0] ** 2)


def joined_two(ws, vs):
    q = ws + vs
    q[1] *= 2.0
    return np.sum(q[1] ** 2)


def test_an_item_of_the_callers_lists_joined_is_refused():
    for f, args in ((joined, (WS,)), (joined_two, (WS[:1], WS[1:]))):
        numpy_changes = copy.deepcopy(args)
        f(*numpy_changes)
        assert not _same(numpy_changes[-1], args[-1])
        mine = copy.deepcopy(args)
        with pytest.raises(S2SError, match=r"\*= 2\.0' would change an array in place that the caller passed in"):
            s2s.value_and_grad(f)(*mine)
        assert all(_same(m, a) for m, a in zip(mine, args))


def joined_arrays(x):  # (arrays: q is a new array, its row changed in place)
    z = x.reshape(2, 2)
    q = z + z
    q[0] *= np.sin(x[1])
    return np.sum(q ** 2)


def repeated_array(x):
    q = x * 2
    q[1] *= 3.0
    return np.sum(np.sin(q))


@pytest.mark.parametrize("f", [joined_arrays, repeated_array])
def test_an_item_of_arrays_joined_is_exact_in_every_mode(f):
    check_every_mode(f, X.copy())


def joined_by_name(ws):
    q = ws + []
    a = q[0]
    a *= 2.0
    return np.sum(a ** 2)


def joined_arrays_by_name(x):  # (a row of the new array q: checked as it runs, and passed)
    q = x + x
    a = q[1]
    a *= np.cos(x[0, 0])
    return np.sum(a ** 2)


def test_an_item_of_the_callers_lists_joined_changed_by_its_name_is_refused():
    numpy_changes = copy.deepcopy(WS)
    joined_by_name(numpy_changes)
    assert not _same(numpy_changes, WS)
    mine = copy.deepcopy(WS)
    with pytest.raises(S2SError, match="'a \\*= 2.0' would change an array in place that the caller passed in"):
        s2s.value_and_grad(joined_by_name)(mine)
    assert _same(mine, WS)


def test_a_view_of_arrays_joined_changed_by_its_name_is_exact_in_every_mode():
    assert "rt.require_unshared(a, 'a *= np.cos(x[0, 0])', q, x, held_by='q', names=('x',))" in \
        s2s.grad(joined_arrays_by_name).source
    check_every_mode(joined_arrays_by_name, X.reshape(2, 2))


# --- a list a dict holds, changed in place at a literal key (rt.require_unshared of a list) -----------------------

def dict_list_repeated(x):
    d = {'a': [x[0]], 'b': [x[1]]}
    e = d['a']
    d['a'] *= 2
    return len(e) * x[0]


def dict_list_extended(x):
    d = {'a': [x[0]], 'b': [x[1]]}
    e = d['a']
    d['a'] += [x[2]]
    return sum(e)


@pytest.mark.parametrize("f", [dict_list_repeated, dict_list_extended])
def test_a_list_a_dict_holds_changed_in_place_is_refused(f):
    assert f(X.copy()) != pytest.approx(X[0])  # (NumPy's e shows the change)
    t = np.ones_like(X)
    for run in (lambda: s2s.value_and_grad(f)(X.copy()), lambda: s2s.jvp(f)((X.copy(),), (t,)),
                lambda: s2s.jacobian(f, mode="forward")(X.copy())):
        with pytest.raises(S2SError, match="changes the list 'd\\['a'\\]' in place"):
            run()
