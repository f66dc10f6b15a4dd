"""The loop back-edge aliasing check of round 13 (tests/test_hunt13_loop_aliases.py): its advice and its false refusals
(hunt14reg M1, M2, M3, R1, R2).

M2: `x[0] = k; x = x * 2.0 + k; traj.append(x)` was advised `x = x.copy()` at the top of the loop as if it kept the
program's meaning; NumPy's traj shows the next iteration's element write (10.125), the advised program's does not
(11.125). The refusal now says that traj holds the array and that the copy is a program of another value.
M1: where the array is stored by a helper, in an inner loop, by a list display or under an if, the advised copy was
`traj = x.copy()` (the list replaced by one array); it is now the statement that stores it, with a copy stored.
R1: the check of `x += k` after `x = x * 2.0; traj.append(x)` refused in the first iteration (nothing stored yet), a
0-d state (`x * 2.0` of a 0-d array is a NumPy scalar), and an append in the last iteration only; it now refuses when
the holder really holds the array when run. Each function takes p = [x0_0, x0_1, k].
"""
import numpy as np
import pytest

import s2s
from conftest import check_every_mode

P = np.array([0.5, 1.0, 0.25])


def _refusal(f) -> str:
    with pytest.raises(s2s.S2SError) as e:
        s2s.grad(f)(P)
    return str(e.value)


# ----- M2: element writes, then a rebind to an array a list keeps
def written_then_stored(p):
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(3):
        x[0] = k
        x = x * 2.0 + k
        traj.append(x)
    return np.sum(traj[0] ** 2) + np.sum(traj[1])


def written_then_stored_copy(p):  # (what the refusal advises, for a traj meant to keep each value as stored)
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(3):
        x = x.copy()
        x[0] = k
        x = x * 2.0 + k
        traj.append(x)
    return np.sum(traj[0] ** 2) + np.sum(traj[1])


def written_then_rebound(p):  # (nothing keeps the array: the copy at the top is NumPy's value)
    x = p[:2].copy(); k = p[2]; acc = 0.0
    for t in range(3):
        x[0] = k
        x = x * 2.0 + k
        acc = acc + np.sum(x ** 2)
    return acc


def written_then_rebound_copy(p):
    x = p[:2].copy(); k = p[2]; acc = 0.0
    for t in range(3):
        x = x.copy()
        x[0] = k
        x = x * 2.0 + k
        acc = acc + np.sum(x ** 2)
    return acc


def test_copy_at_the_top_is_not_advised_as_numpys_value_where_a_list_holds_the_array():
    assert written_then_stored(P) == 10.125 and written_then_stored_copy(P) == 11.125
    text = _refusal(written_then_stored)
    assert "'traj' holds that array" in text and "NumPy's 'traj' shows the next iteration's writes" in text, text
    assert "a program of another value" in text and "x = x.copy()" in text, text
    check_every_mode(written_then_stored_copy, P)


def test_copy_at_the_top_where_nothing_keeps_the_array_is_numpys_value():
    text = _refusal(written_then_rebound)
    assert "x = x.copy()" in text and "another value" not in text and "holds that array" not in text, text
    assert written_then_rebound(P) == written_then_rebound_copy(P)
    check_every_mode(written_then_rebound_copy, P)


# ----- M1: the advised copy is the statement that stores the array, wherever it is
def _push(lst, v):
    lst.append(v)


def helper_append(p):
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(3):
        x += k
        x = x * 2.0
        _push(traj, x)
    return np.sum(traj[0])


def helper_append_copy(p):
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(3):
        x += k
        x = x * 2.0
        _push(traj, x.copy())
    return np.sum(traj[0])


def inner_loop_append(p):
    x = p[:2].copy(); k = p[2]; out = []
    for t in range(3):
        x *= 0.5 + k
        for s in range(2):
            x = x + k
            out.append(x)
    return np.sum(np.stack(out) ** 2)


def inner_loop_append_copy(p):
    x = p[:2].copy(); k = p[2]; out = []
    for t in range(3):
        x *= 0.5 + k
        for s in range(2):
            x = x + k
            out.append(x.copy())
    return np.sum(np.stack(out) ** 2)


def list_display(p):
    x = p[:2].copy(); k = p[2]; hold = []
    for t in range(3):
        x += k
        x = x * 2.0
        if t == 0:
            hold = [x, x * 1.0]
    return np.sum(hold[0] ** 2) + np.sum(hold[1])


def list_display_copy(p):
    x = p[:2].copy(); k = p[2]; hold = []
    for t in range(3):
        x += k
        x = x * 2.0
        if t == 0:
            hold = [x.copy(), x * 1.0]
    return np.sum(hold[0] ** 2) + np.sum(hold[1])


def append_under_if(p):
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(3):
        x += k
        x = x * 2.0
        if t % 2 == 0:
            traj.append(x)
    return np.sum(traj[0] ** 2)


def append_under_if_copy(p):
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(3):
        x += k
        x = x * 2.0
        if t % 2 == 0:
            traj.append(x.copy())
    return np.sum(traj[0] ** 2)


@pytest.mark.parametrize("f, copied, advice", [
    (helper_append, helper_append_copy, "_push(traj, x.copy())"),
    (inner_loop_append, inner_loop_append_copy, "out.append(x.copy())"),
    (list_display, list_display_copy, "hold = [x.copy(), x * 1.0]"),
    (append_under_if, append_under_if_copy, "traj.append(x.copy())"),
], ids=lambda v: getattr(v, "__name__", "advice"))
def test_advised_copy_is_the_statement_that_stores_the_array(f, copied, advice):
    text = _refusal(f)
    assert f"store a copy ({advice})" in text, text
    assert f(P) != copied(P)  # (the refusal is of a program whose NumPy value is not the copy's)
    check_every_mode(copied, P)


# ----- R1: refused where the holder holds the array when run, not before
def zero_d(p):  # (x * 2.0 of a 0-d array is a NumPy scalar: x += k then rebinds a number)
    x = np.array(p[0]); k = p[2]; out = []
    for t in range(3):
        x += k
        x = x * 2.0
        out.append(x)
    return float(out[0]) + float(out[2]) * p[1]


def zero_d_times_zero_d(p):  # (a 0-d array times a 0-d array: a NumPy scalar too)
    x = np.array(p[0]); k = p[2]; out = []
    for t in range(3):
        x += k
        x = x * np.ones(())
        out.append(x)
    return float(out[0]) + float(out[2]) * p[1]


def last_iteration_only(p):  # (no x += k runs after the append)
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(3):
        x += k
        if t == 2:
            x = x * 2.0
            traj.append(x)
    return np.sum(traj[0] ** 2)


def stored_view_last(p):
    x = p[:2].copy(); k = p[2]; out = []
    for t in range(3):
        x *= 1.0 + k
        x = np.sin(x)
        if t == 2:
            out.append(x[:1])
    return np.sum(out[0]) + np.sum(x ** 2)


def one_iteration(p):  # (the loop runs once: the first iteration's x is the array made before it)
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(1):
        x += k
        x = x * 2.0
        traj.append(x)
    return np.sum(traj[0] ** 2)


def rebound_each_iteration(p):  # (prev is rebound before it is read: only traj, stored in the last, holds x)
    x = p[:2].copy(); k = p[2]; traj = []; prev = p[:2] * 1.0
    for t in range(3):
        x += k
        x = x * 2.0
        prev = x
        if t == 2:
            traj.append(x)
    return np.sum(traj[0] ** 2) + np.sum(prev)


@pytest.mark.parametrize("f", [zero_d, zero_d_times_zero_d, last_iteration_only, stored_view_last, one_iteration,
                               rebound_each_iteration],
                         ids=lambda f: f.__name__)
def test_first_and_unstored_iterations_are_exact(f):
    check_every_mode(f, P)


def stored_first(p):  # (the second iteration's x += k changes the array the first stored)
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(3):
        x += k
        x = x * 2.0
        if t == 0:
            traj.append(x)
    return np.sum(traj[0] ** 2)


def stored_view_early(p):
    x = p[:2].copy(); k = p[2]; out = []
    for t in range(3):
        x *= 1.0 + k
        x = np.sin(x)
        if t == 1:
            out.append(x[:1])
    return np.sum(out[0]) + np.sum(x ** 2)


def zero_d_kept(p):  # (np.array of a number: a 0-d array, which the next iteration changes)
    x = np.array(p[0]); k = p[2]; out = []
    for t in range(3):
        x += k
        x = np.array(x * 2.0)
        out.append(x)
    return float(out[0]) + float(out[2]) * p[1]


def two_holders(p):  # (traj holds the array from the first iteration on, prev only in the last: both checked)
    x = p[:2].copy(); k = p[2]; traj = []; prev = p[:2] * 1.0
    for t in range(3):
        x += k
        x = x * 2.0
        if t == 2:
            prev = x
        traj.append(x)
    return np.sum(traj[0] ** 2) + np.sum(prev)


@pytest.mark.parametrize("f", [stored_first, stored_view_early, zero_d_kept, two_holders], ids=lambda f: f.__name__)
def test_a_holder_holding_the_array_when_run_is_refused(f):
    for transform in (lambda: s2s.value_and_grad(f)(P), lambda: s2s.jvp(f)((P,), (np.ones(3),)),
                      lambda: s2s.jacobian(f, mode="forward")(P), lambda: s2s.jacobian(f)(P),
                      lambda: s2s.hessian(f)(P)):
        with pytest.raises(s2s.S2SError) as e:
            transform()
        assert "in the iteration before" in str(e.value) and "still holds" in str(e.value), str(e.value)


# ----- M3: the advice of an in-place change that a view, or a list holding one, read afterwards shows
def view_stored(p):
    x = p[:2].copy(); k = p[2]; hist = []
    for t in range(3):
        x = x * 2.0
        hist.append(x.reshape(2))
        x += k
    return np.sum(np.stack(hist) ** 2)


def view_stored_element_write(p):  # (the advice of round 13: refused again, as hist is read after the write)
    x = p[:2].copy(); k = p[2]; hist = []
    for t in range(3):
        x = x * 2.0
        hist.append(x.reshape(2))
        x[:] = x + k
    return np.sum(np.stack(hist) ** 2)


def view_stored_after(p):  # (the change first, then the store: NumPy's value)
    x = p[:2].copy(); k = p[2]; hist = []
    for t in range(3):
        x = x * 2.0
        x = x + k
        hist.append(x.reshape(2))
    return np.sum(np.stack(hist) ** 2)


def view_stored_new_value(p):  # (hist keeping each value as it was stored: another value)
    x = p[:2].copy(); k = p[2]; hist = []
    for t in range(3):
        x = x * 2.0
        hist.append(x.reshape(2))
        x = x + k
    return np.sum(np.stack(hist) ** 2)


def shallow_list_copy(p):
    x = p[:2].copy(); k = p[2]; hist = []
    for t in range(3):
        x = x * 2.0
        hist.append(x)
    snap = list(hist)
    x += k
    return np.sum(np.stack(snap) ** 2)


def test_in_place_change_a_stored_view_shows_names_the_holder_not_an_element_write():
    text = _refusal(view_stored)
    assert "that 'hist' holds too" in text and "x[:] =" not in text and "x = x + k" in text, text
    assert "reading 'hist'" in _refusal(view_stored_element_write)
    assert view_stored(P) == view_stored_after(P) != view_stored_new_value(P)
    check_every_mode(view_stored_after, P)
    check_every_mode(view_stored_new_value, P)


def test_in_place_change_of_the_array_itself_is_not_called_a_view_of_it():
    text = _refusal(shallow_list_copy)
    assert "a view of 'x'" not in text and "x = x + k" in text, text


def plain_alias(p):  # (another name of the array: the element write s2s follows is still the advice)
    x = p[:2] * 2.0; k = p[2]
    y = x
    x += k
    return np.sum(y ** 2) + np.sum(x)


def plain_alias_element_write(p):
    x = p[:2] * 2.0; k = p[2]
    y = x
    x[:] = x + k
    return np.sum(y ** 2) + np.sum(x)


def test_another_name_of_the_array_is_still_advised_an_element_write():
    assert "'x[:] = x + k', an element write s2s follows" in _refusal(plain_alias)
    assert plain_alias(P) == plain_alias_element_write(P)
    check_every_mode(plain_alias_element_write, P)


# ----- R2: a history two deep (b *= 0.5; b = a; a = x): by the time b holds x's array nothing else does
def two_deep(p):
    x = p[:2].copy(); k = p[2]; a = p[:2] * 1.0; b = p[:2] * 2.0
    for t in range(4):
        b *= 0.5
        b = a
        a = x
        x = x + k
    return np.sum(a) + np.sum(b ** 2) + np.sum(x)


def two_deep_new_value(p):
    x = p[:2].copy(); k = p[2]; a = p[:2] * 1.0; b = p[:2] * 2.0
    for t in range(4):
        b = b * 0.5
        b = a
        a = x
        x = x + k
    return np.sum(a) + np.sum(b ** 2) + np.sum(x)


def two_deep_a_kept(p):  # (a = x on even iterations only: a and b hold one array when b *= 0.5 runs)
    x = p[:2].copy(); k = p[2]; a = p[:2] * 1.0; b = p[:2] * 2.0
    for t in range(5):
        b *= 0.5
        b = a
        if t % 2 == 0:
            a = x
        x = x + k
    return np.sum(a ** 2) + np.sum(b ** 2) + np.sum(x)


def two_deep_x_read_after(p):  # (x's array made before the loop, read after it by its first name)
    x = p[:2].copy(); k = p[2]; a = p[:2] * 1.0; b = p[:2] * 2.0; x0 = x
    for t in range(4):
        b *= 0.5
        b = a
        a = x
        x = x + k
    return np.sum(a) + np.sum(b ** 2) + np.sum(x) + np.sum(x0 ** 2)


def two_deep_in_a_list(p):  # (x's array held by a list made before the loop)
    x = p[:2].copy(); k = p[2]; a = p[:2] * 1.0; b = p[:2] * 2.0; hist = [x]
    for t in range(4):
        b *= 0.5
        b = a
        a = x
        x = x + k
    return np.sum(a) + np.sum(b ** 2) + np.sum(x) + np.sum(hist[0] ** 2)


def two_deep_callers(p):  # (x a view of the caller's p)
    x = p[:2]; k = p[2]; a = p[:2] * 1.0; b = p[:2] * 2.0
    for t in range(4):
        b *= 0.5
        b = a
        a = x
        x = x + k
    return np.sum(a) + np.sum(b ** 2) + np.sum(x)


def test_two_deep_history_is_exact():
    assert two_deep(P) == two_deep_new_value(P)
    check_every_mode(two_deep, P)


@pytest.mark.parametrize("f", [two_deep_a_kept, two_deep_x_read_after, two_deep_in_a_list, two_deep_callers],
                         ids=lambda f: f.__name__)
def test_two_deep_history_sharing_an_array_is_refused(f):
    for transform in (lambda: s2s.value_and_grad(f)(P), lambda: s2s.jvp(f)((P,), (np.ones(3),)),
                      lambda: s2s.jacobian(f)(P), lambda: s2s.hessian(f)(P)):
        with pytest.raises(s2s.S2SError) as e:
            transform()
        assert "'b *= 0.5' would change in place" in str(e.value), str(e.value)


# ----- R1 with break, continue, an inner loop, a tuple, a dict: refused where the holder holds the array when run
def break_after_store(p):
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(4):
        x += k
        x = x * 2.0
        if t == 1:
            traj.append(x)
            break
    return np.sum(traj[0] ** 2) + np.sum(x)


def continue_before_store(p):
    x = p[:2].copy(); k = p[2]; traj = []
    for t in range(4):
        x += k
        x = x * 2.0
        if t < 3:
            continue
        traj.append(x)
    return np.sum(traj[0] ** 2) + np.sum(x)


def tuple_stored_last(p):
    x = p[:2].copy(); k = p[2]; v = p[:2] * k; out = []
    for t in range(3):
        v *= 0.9
        v = v - k * x
        x = x + v
        if t == 2:
            out.append((x, v))
    return np.sum(out[0][1]) + np.sum(out[0][0])


@pytest.mark.parametrize("f", [break_after_store, continue_before_store, tuple_stored_last], ids=lambda f: f.__name__)
def test_stores_no_later_change_reaches_are_exact(f):
    check_every_mode(f, P)


def inner_loop_stored_early(p):
    x = p[:2].copy(); k = p[2]; out = []
    for t in range(3):
        x *= 0.5 + k
        for s in range(2):
            x = x + k
            if t == 1 and s == 1:
                out.append(x)
    return np.sum(np.stack(out) ** 2)


def dict_stored_first(p):
    x = p[:2].copy(); k = p[2]; d = {'a': p[:2] * 1.0}
    for t in range(3):
        x += k
        x = x * 2.0
        if t == 0:
            d = {'a': x}
    return np.sum(d['a'] ** 2)


@pytest.mark.parametrize("f", [inner_loop_stored_early, dict_stored_first], ids=lambda f: f.__name__)
def test_stores_a_later_change_reaches_are_refused(f):
    for transform in (lambda: s2s.value_and_grad(f)(P), lambda: s2s.jvp(f)((P,), (np.ones(3),)),
                      lambda: s2s.jacobian(f)(P), lambda: s2s.hessian(f)(P)):
        with pytest.raises(s2s.S2SError) as e:
            transform()
        assert "still holds" in str(e.value), str(e.value)
