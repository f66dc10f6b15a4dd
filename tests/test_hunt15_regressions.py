"""Round 15 fixes of regressions of round 14 (hunt15reg C1, R1, R3/M1, R2, M2-M4).

C1: `for a, b in zip(x, x[1:], strict=True): ... break` raised zip's ValueError in every mode where the loop breaks
before the end: rt.zip_lengths checked the lengths before the loop, while Python checks them only as the zip is
read to its end. The check now runs after the loop, given the flag its breaks set (a return in the loop, and any()
stopping at its first true value, leave it as a break does); a loop or a generator read to the end raises Python's
error, after its iterations.
"""
from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

X = np.array([0.3, -1.2, 2.5, 0.7])


def every_mode(f, x):
    """check_every_mode, and vjp's pullback (called twice) against finite differences."""
    gradient = check_every_mode(f, x, exact=True)
    value, pullback = s2s.vjp(f)(x)
    assert value == f(x)
    for _ in range(2):
        assert_close(pullback(1.0), numeric_grad(f, (x,), 0), what=f"{f.__name__}: vjp")
    return gradient


def all_modes(f, x):
    """A call of f(x) in each mode, for the errors they raise."""
    return [lambda: s2s.grad(f)(x), lambda: s2s.value_and_grad(f)(x), lambda: s2s.vjp(f)(x),
            lambda: s2s.jvp(f)((x,), (np.ones_like(x),)), lambda: s2s.jacobian(f, mode="forward")(x),
            lambda: s2s.jacobian(f)(x), lambda: s2s.hessian(f)(x)]


# ------------------------------------------------------------------ C1: zip(..., strict=True) left by a break
def first_pair(x):
    s = 0.0
    for a, b in zip(x, x[1:], strict=True):
        s = s + a * b
        if a > 0.0:
            break
    return s


def returns_early(x):
    s = 0.0
    for a, b in zip(x, x[1:], strict=True):
        s = s + a * b * a
        if a > 0.0:
            return s * 2.0
    return s


def any_found(x):
    if any(a > 0.0 for a, b in zip(x, x[1:], strict=True)):
        return np.sum(x * x * x)
    return np.sum(x)


def counted_with_else(x):
    s = 0.0
    for i, (a, b) in enumerate(zip(x, x[1:], strict=True)):
        s = s + a * b * i
        if a > 2.0:
            break
    else:
        raise RuntimeError("the else clause runs after zip's check, which raises first")
    return s


def nested_break(x):  # (the inner loop's break leaves the inner loop only: the outer zip is read to its end)
    s = 0.0
    for a, b in zip(x, x[1:], strict=True):
        for c in x:
            s = s + a * b * c
            if c < 0.0:
                break
    return s


@pytest.mark.parametrize("f", [first_pair, returns_early, any_found, counted_with_else])
def test_zip_strict_left_by_a_break_does_not_check_the_lengths(f):
    f(X)  # (Python's zip is not read to its end: no error)
    every_mode(f, X)


@pytest.mark.parametrize("f", [first_pair, returns_early, any_found, counted_with_else, nested_break])
def test_zip_strict_read_to_its_end_raises_pythons_error(f):
    x = -np.abs(X)  # (no break)
    with pytest.raises(ValueError) as python:
        f(x)
    for call in all_modes(f, x):
        with pytest.raises(ValueError, match=re.escape(str(python.value))):
            call()


def test_zip_strict_of_equal_lengths_left_by_a_break_is_exact():
    def pairs(x):
        s = 0.0
        for a, b in zip(x, x[::-1], strict=True):
            s = s + np.sin(a) * b
            if s > 10.0:
                break
        return s
    every_mode(pairs, X)


# ------------------------------------------------------------------ R1: a running sum started as a NumPy scalar
# (`run = 0.0; run += v * v; out.append(run)` differentiates since 5521d58; started as a NumPy scalar, which `+=`
# rebinds as it does a float, it was refused as a loop changing 'run' in place while 'out' holds it. A 0-d array
# is changed in place by NumPy, `out` then holding one object each time: refused, as an array row is)
def scalar_started(x):
    run = np.float64(0.0)
    out = []
    for v in x:
        run += v * v
        out.append(run)
    return sum(o * o for o in out)


def element_started(x):
    run = x[0] * 0.0
    out = []
    for v in x:
        run *= 0.5
        run += v * v
        out.append(run)
    return sum(o * o for o in out)


def sum_started(x):
    run = np.sum(x[:0])
    out = []
    for v in x:
        run += np.sin(v)
        out.append(run)
    return sum(o * o * o for o in out)


@pytest.mark.parametrize("f", [scalar_started, element_started, sum_started])
def test_a_running_number_started_as_a_numpy_scalar_is_exact(f):
    every_mode(f, X)


def zero_d_started(x):
    run = np.array(0.0)
    out = []
    for v in x:
        run += v * v
        out.append(run)
    return sum(o * o for o in out)


def row_started(m):
    run = m[0] * 0.0
    out = []
    for v in m:
        run += v * v
        out.append(run)
    return sum(np.sum(o * o) for o in out)


def start_held(m):
    run = m[0] * 0.0
    hist = [run]
    out = []
    for v in m:
        run += v * v
        out.append(run)
    return sum(np.sum(o * o) for o in out) + np.sum(hist[0])


@pytest.mark.parametrize("f, x", [(zero_d_started, X), (row_started, X.reshape(2, 2)), (start_held, X.reshape(2, 2))])
def test_a_running_array_changed_in_place_while_a_list_holds_it_is_refused(f, x):
    f(x)
    for call in all_modes(f, x):
        with pytest.raises(s2s.S2SError, match="in place"):
            call()


# ------------------------------------------------------------------ R3/M1: a dict's items written by run-time keys
# in a loop inside another (`for t in range(3): for k in q: q[k] -= lr * g(q)[k]`) was refused as buffers swapped,
# advising q = q.copy(), which was refused again. The refusal now says what it is and advises a copy of the dict
# anew at the top of the outer loop's body, which is exact (checked below, as advised)
W = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.3]])
XS = np.array([1.0, 2.0, -1.0])
B = np.array([0.05, -0.1])


def _loss(p, x):
    return np.sum(np.tanh(p['w'] @ x + p['b']) ** 2)


def _step(p, x):
    z = np.tanh(p['w'] @ x + p['b'])
    dz = 2.0 * z * (1.0 - z ** 2)
    return {'w': np.outer(dz, x), 'b': dz}


def per_key(p, x):
    q = {k: v.copy() for k, v in p.items()}
    for t in range(3):
        for k in q:
            q[k] -= 0.05 * _step(q, x)[k]
    return _loss(q, x)


def per_key_copied(p, x):  # as advised
    q = {k: v.copy() for k, v in p.items()}
    for t in range(3):
        q = {k: v.copy() for k, v in q.items()}
        for k in q:
            q[k] -= 0.05 * _step(q, x)[k]
    return _loss(q, x)


def per_key_new_values(p, x):  # as advised, the items written as new values
    q = dict(p)
    for t in range(3):
        q = dict(q)
        for k in q:
            q[k] = q[k] - 0.05 * _step(q, x)[k]
    return _loss(q, x)


def momentum_copied(p, x):  # (hunt15reg p/b2.py dc_momentum, as advised)
    q = {k: v.copy() for k, v in p.items()}
    m = {k: np.zeros_like(v) for k, v in p.items()}
    for t in range(3):
        m = {k: v.copy() for k, v in m.items()}
        q = {k: v.copy() for k, v in q.items()}
        g = _step(q, x)
        for k in q:
            m[k] *= 0.9
            m[k] += g[k]
            q[k] -= 0.1 * m[k]
    return _loss(q, x)


def per_key_of_b(b):
    return per_key_copied({'w': W, 'b': b}, XS)


def new_values_of_b(b):
    return per_key_new_values({'w': W, 'b': b}, XS)


def momentum_of_b(b):
    return momentum_copied({'w': W, 'b': b}, XS)


def per_key_new_values_in_place(p, x):  # as the refusal advises since fix18dictw: the one dict written by key
    q = {k: v.copy() for k, v in p.items()}
    for t in range(3):
        for k in q:
            q[k] = q[k] - 0.05 * _step(q, x)[k]
    return _loss(q, x)


def per_key_as_written_of_b(b):
    return per_key({'w': W, 'b': b}, XS)


def in_place_of_b(b):
    return per_key_new_values_in_place({'w': W, 'b': b}, XS)


def test_items_written_by_run_time_keys_in_a_loop_inside_another_are_refused_saying_what_to_write():
    """(refused while compiling, advising a copy at the top of the outer body, until fix18dictw: the dict's key writes
    are followed now; the in-place operator on an item the comprehension's copies may share is checked when run)"""
    with pytest.raises(s2s.S2SError, match="would change an array in place") as info:
        s2s.grad(per_key_as_written_of_b)(B)  # (per_key inlined, of a dict holding the module's W)
    assert "q[k] = q[k] - 0.05 * _step(q, x)[k]" in str(info.value)
    p = {'w': W.copy(), 'b': B.copy()}
    gradient = s2s.grad(per_key)(p, XS)  # (of the caller's dict: checked when run to hold none of its arrays)
    assert np.array_equal(p['w'], W) and np.array_equal(p['b'], B)
    assert_close(gradient['w'], numeric_grad(lambda w: per_key({'w': w, 'b': B}, XS), (W,), 0), what="grad of w")
    assert_close(gradient['b'], numeric_grad(lambda b: per_key({'w': W, 'b': b}, XS), (B,), 0), what="grad of b")
    assert per_key_copied({'w': W, 'b': B}, XS) == per_key({'w': W, 'b': B}, XS)
    assert per_key_new_values({'w': W, 'b': B}, XS) == per_key({'w': W, 'b': B}, XS)
    assert per_key_new_values_in_place({'w': W, 'b': B}, XS) == per_key({'w': W, 'b': B}, XS)
    every_mode(in_place_of_b, B)


ADVISED = {per_key_of_b: per_key_copied, new_values_of_b: per_key_new_values, momentum_of_b: momentum_copied}


@pytest.mark.parametrize("f", list(ADVISED))
def test_what_the_dict_refusal_advises_is_exact(f):
    every_mode(f, B)
    p = {'w': W.copy(), 'b': B.copy()}
    gradient = s2s.grad(ADVISED[f])(p, XS)
    assert np.array_equal(p['w'], W) and np.array_equal(p['b'], B)
    assert_close(gradient['w'], numeric_grad(lambda w: ADVISED[f]({'w': w, 'b': B}, XS), (W,), 0), what="grad of w")


# ------------------------------------------------------------------ R2: the advised loop over a module's functions
# (s2s.grad(LOSSES[t]) is advised `for fn in LOSSES: ... s2s.grad(fn)`, which was refused where the body only passes
# fn to s2s.grad, not calls it: the loop over a module's tuple now runs once per entry there too; the advice says
# to make a module's list a tuple, which the loop needs)
def _sine_loss(x):
    return np.sum(np.sin(x) ** 2)


def _cube_loss(x):
    return np.sum(x ** 3)


LOSSES = (_sine_loss, _cube_loss)
LOSSES_LIST = [_sine_loss, _cube_loss]


def by_index(x):
    tot = 0.0
    for t in range(2):
        tot = tot + np.sum(s2s.grad(LOSSES_LIST[t])(x) * x)
    return tot


def by_loop(x):  # as advised
    tot = 0.0
    for fn in LOSSES:
        tot = tot + np.sum(s2s.grad(fn)(x) * x)
    return tot


def by_enumerate(x):
    tot = 0.0
    for t, fn in enumerate(LOSSES):
        tot = tot + (t + 1.0) * np.sum(s2s.grad(fn)(x) * np.cos(x))
    return tot


def test_a_function_of_a_list_by_a_run_time_index_is_advised_a_tuple():
    with pytest.raises(s2s.S2SError, match=r"for fn in LOSSES_LIST: \.\.\. s2s\.grad\(fn\).*LOSSES_LIST made a "
                                           r"tuple \(LOSSES_LIST = \(\.\.\.\)"):
        s2s.grad(by_index)(X)


@pytest.mark.parametrize("f", [by_loop, by_enumerate])
def test_a_loop_over_a_modules_functions_passed_only_to_s2s_grad_is_exact(f):
    value, gradient = s2s.value_and_grad(f)(X)
    assert value == f(X)
    numeric = numeric_grad(f, (X,), 0)
    assert_close(gradient, numeric, what=f"{f.__name__}: grad")
    assert_close(s2s.vjp(f)(X)[1](1.0), numeric, what=f"{f.__name__}: vjp")
    v = np.linspace(-1.0, 1.0, X.size)
    primal, tangent = s2s.jvp(f)((X,), (v,))
    assert primal == f(X)
    assert_close(tangent, np.sum(numeric * v), what=f"{f.__name__}: jvp")
    assert_close(s2s.jacobian(f, mode="forward")(X), numeric, what=f"{f.__name__}: forward jacobian")
    assert_close(s2s.jacobian(f)(X), numeric, what=f"{f.__name__}: reverse jacobian")


# ------------------------------------------------------------------ M2: {**q, k: v} of a run-time key
# (refused as "whose key is not a string": it is a string, known only as the code runs; the refusal says so and
# advises the comprehension that gives a key a new value, which is exact)
def display_by_key(x):
    q = {'a': x * 1.0, 'b': x ** 2}
    for k in ['a', 'b']:
        q = {**q, k: q[k] * 0.5 + np.sin(q['a'])}
    return np.sum(q['a'] * q['b'])


def comprehension_by_key(x):  # as advised
    q = {'a': x * 1.0, 'b': x ** 2}
    for k in ['a', 'b']:
        v = q[k] * 0.5 + np.sin(q['a'])
        q = {j: v if j == k else w for j, w in q.items()}
    return np.sum(q['a'] * q['b'])


def test_a_dict_display_of_a_run_time_key_is_refused_saying_what_it_is():
    with pytest.raises(s2s.S2SError, match=r"\{\*\*q, k: \.\.\.\}, whose key is known only as the code runs") as info:
        s2s.grad(display_by_key)(X)
    assert "q = {j: v if j == k else w for j, w in q.items()}" in str(info.value)
    assert comprehension_by_key(X) == display_by_key(X)
    every_mode(comprehension_by_key, X)


# ------------------------------------------------------------------ M3: itertools.starmap
# (refused for its arguments, zip(...) not read wholly, then 'np.multiply used as a value': the refusal now names
# starmap and gives the comprehension of 333b718's advice, which is exact)
Y = np.array([1.0, 2.0, -0.5, 0.25])


def starmapped(x):
    return sum(itertools.starmap(np.multiply, zip(x, Y)))


def starmap_as_advised(x):
    return sum(np.multiply(a, b) for a, b in zip(x, Y))


def test_itertools_starmap_is_refused_with_the_comprehension_to_write():
    with pytest.raises(s2s.S2SError, match=r"itertools\.starmap\(f, pairs\)") as info:
        s2s.grad(starmapped)(X)
    assert "[f(a, b) for a, b in pairs]" in str(info.value) and "used as a value" not in str(info.value)
    assert starmap_as_advised(X) == starmapped(X)
    every_mode(starmap_as_advised, X)


# ------------------------------------------------------------------ M4: the name that holds the array changed
# (`run *= 0.5` after `out.append(run)`, read back by `sum(... for o in out)`: the refusal named the generator's 'o')
def running_rows(x):
    run = x[0] * 0.0
    out = []
    for v in x:
        run = run + v * v
        out.append(run)
        run *= 0.5
    return sum(np.sum(o * o) for o in out)


def test_an_in_place_change_of_an_array_a_list_holds_names_the_list():
    with pytest.raises(s2s.S2SError, match="that 'out' holds too") as info:
        s2s.grad(running_rows)(X.reshape(2, 2))
    assert "'o'" not in str(info.value)
