"""Round 17's list item writes and round 16's list features finished (fix17list): each program is checked in every
mode against finite differences (grad, vjp, jvp, both Jacobians, the Hessian and grad of grad), its value against
plain NumPy's, and the caller's array left as it was."""
import collections
import copy
import re

import numpy as np
import pytest

import s2s
from conftest import every_mode

X = np.array([0.7, 1.3, -0.4])


# ------------------------------------------------ C2: an item replaced by an array of another shape, not read before
# (the write's adjoint left a zero shaped like the new item in the slot of the old one)

def number_item_by_one_element(x):
    ys = [x[0], x[1], x[2]]
    ys[1] = x[:1] * 3.0
    return np.sum(np.hstack(ys) ** 2)


def array_item_by_narrower(x):
    rows = [x * 1.0, x * 1.0]
    rows[0] = x[:2] * 2.0
    return np.sum(np.concatenate(rows) ** 2)


def array_item_by_narrower_in_loop(x):
    rows = [x * 1.0, x * 2.0, x * 3.0]
    for k in range(2):
        rows[k] = x[k:] * x[k]
    return np.sum(np.concatenate(rows) ** 2)


def list_item_replaced(x):
    M = [[x[0], x[1]], [x[2] * x[0], x[1]]]
    M[1] = [x[2] * 2.0, x[0] * x[1], x[2]]
    return M[0][0] * M[1][0] + M[1][1] * M[1][2] + M[0][1]


@pytest.mark.parametrize("f", [number_item_by_one_element, array_item_by_narrower, array_item_by_narrower_in_loop,
                               list_item_replaced])
def test_item_replaced_by_another_shape(f):
    every_mode(f, X)


# ------------------------------------------------ R2: `ys[k] op= v` on an array item of a display, of a list grown by
# append, of a list deep-copied, was refused as it ran though no other name holds the item (the display's item, read at
# a constant index, is the value itself: no `getitem` to recognise)

def display_item_added(x):
    ys = [x * 2.0, x * 3.0]
    ys[0] += x
    return np.sum(ys[0] * ys[1])


def zeros_item_added(x):
    ys = [np.zeros(3)]
    ys[0] += x
    return np.sum(ys[0] ** 2)


def appended_item_multiplied(x):
    ys = [x * 2.0]
    ys.append(x * 3.0)
    ys[1] *= x
    return np.sum(ys[0] * ys[1])


def deep_copied_list_item_added(x):
    rows = [x * 1.0, x * 2.0]
    old = copy.deepcopy(rows)
    rows[0] += x
    return np.sum(old[0] * rows[0])


def display_item_added_in_loop(x):
    ys = [x * 2.0, x * 3.0]
    for k in range(3):
        ys[k % 2] += x * k
    return np.sum(ys[0] * ys[1])


@pytest.mark.parametrize("f", [display_item_added, zeros_item_added, appended_item_multiplied,
                               deep_copied_list_item_added, display_item_added_in_loop])
def test_item_operator_on_own_array(f):
    every_mode(f, X)


def held_by_name(x):
    a = x * 2.0
    ys = [a, x * 3.0]
    ys[0] += x  # (NumPy changes a too)
    return np.sum(a * ys[1])


def held_twice(x):
    ys = [x * 2.0]
    ys.append(ys[0])
    ys[0] += x  # (NumPy changes ys[1] too)
    return np.sum(ys[0] * ys[1])


def held_by_caller(x):
    ys = [x, x * 3.0]
    ys[0] += 1.0  # (NumPy changes the caller's x)
    return np.sum(ys[0] * ys[1])


@pytest.mark.parametrize("f", [held_by_name, held_twice, held_by_caller])
def test_item_operator_on_shared_array_refused(f):
    with pytest.raises(s2s.S2SError, match="would change an array in place"):
        s2s.grad(f)(X.copy())


# ------------------------------------------------ R4: a list's item written with an item of itself in a loop was refused
# as "a value that may be a view of 'ys' itself" (advising .copy(), which a float has not): a list's slot is bound
# again, no element is copied

def floats_kept_or_scaled_in_loop(x):
    ys = [x[0], x[1], x[2]]
    for k in range(3):
        ys[k] = ys[k] * x[k] if x[k] > 0 else ys[k]
    return ys[0] + ys[1] + ys[2]


def rows_kept_or_reversed_in_loop(x):
    rows = [x * 1.0, x * 2.0, x[::-1] * 1.0]
    for k in range(3):
        rows[k] = rows[k][::-1] * x if x[k] > 0 else rows[k]
    return np.sum(rows[0] * rows[1] + rows[2] ** 2)


def repeated_list_shifted_in_loop(x):
    ys = [0.0] * 4
    ys[0] = x[0]
    for k in range(1, 4):
        ys[k] = ys[k - 1] * x[k % 3] if k % 2 else ys[k - 1]
    return ys[3] * ys[2]


@pytest.mark.parametrize("f", [floats_kept_or_scaled_in_loop, rows_kept_or_reversed_in_loop,
                               repeated_list_shifted_in_loop])
def test_item_written_with_itself_in_loop(f):
    every_mode(f, X)


def row_written_with_row_in_loop(x):
    M = np.outer(x, x)
    for k in range(2):
        M[k + 1] = M[k] if x[k] > 0 else M[k + 1]  # (an array's row: NumPy copies the elements)
    return np.sum(M ** 2)


def test_array_row_written_with_row_keeps_check():
    with pytest.raises(s2s.S2SError, match="may be a view of 'M' itself"):
        s2s.grad(row_written_with_row_in_loop)(X.copy())


# ------------------------------------------------ R1: enumerate(ps, start=1) in a loop changing the items in place was
# refused where enumerate(ps, 1) was exact

def items_scaled_counted_from_one(x):
    ps = [x * 1.0, x * 2.0]
    for i, p in enumerate(ps, start=1):
        p *= 1.0 + 0.1 * i * x
    return np.sum(ps[0] * ps[1])


def items_stepped_counted_from_two(x):
    ps = [x * 1.0, x[::-1] * 2.0]
    for step in range(2):
        for i, p in enumerate(ps, start=2):
            p -= 0.05 * i * p * x
    return np.sum(ps[0] * ps[1])


@pytest.mark.parametrize("f", [items_scaled_counted_from_one, items_stepped_counted_from_two])
def test_item_loop_enumerate_with_start_keyword(f):
    every_mode(f, X)


# ------------------------------------------------ R5: d['a'] += [v] after d['a'] = d['a'] + [..] (a new list d alone
# holds) was refused: the dict written at 'a' was no longer read from its display while compiling, so the operator
# was taken for arithmetic, and the joined list for one another name may hold

def key_list_rebound_then_extended(x):
    d = {'a': [x[0]]}
    d['a'] = d['a'] + [x[1]]
    d['a'] += [x[2]]
    return sum(v * v for v in d['a'])


def key_list_extended_after_other_key(x):
    d = {'a': [x[0]], 'b': x[1]}
    d['a'] = d['a'] + [x[1] * x[2]]
    d['b'] = x[2] * 3.0
    d['a'] += [d['b']]
    return sum(v * v for v in d['a']) + d['b']


def key_array_rebound_then_added(x):
    d = {'a': x * 1.0}
    d['a'] = d['a'] * 2.0
    d['a'] += x
    return np.sum(d['a'] ** 2)


@pytest.mark.parametrize("f", [key_list_rebound_then_extended, key_list_extended_after_other_key,
                               key_array_rebound_then_added])
def test_key_list_extended_after_rebinding(f):
    every_mode(f, X)


def key_list_held_by_name(x):
    d = {'a': [x[0]]}
    d['a'] = d['a'] + [x[1]]
    e = d['a']
    d['a'] += [x[2]]  # (Python extends e too)
    return sum(v * v for v in e) * x[0]


def key_list_is_named_list(x):
    ys = [x[0]]
    d = {'a': [], 'b': x[1]}
    d['a'] = ys
    d['a'] += [x[2] * d['b']]  # (Python extends ys too)
    return sum(ys) * x[1]


@pytest.mark.parametrize("f", [key_list_held_by_name, key_list_is_named_list])
def test_key_list_held_elsewhere_refused(f):
    for transform in (s2s.grad(f), lambda x: s2s.jvp(f)((x,), (np.ones(3),))):
        with pytest.raises(s2s.S2SError, match="changes the list"):
            transform(X.copy())


# ------------------------------------------------ R3: the name of a nested def or a lambda (for a log line) was refused
# as "the function used as a value"

def logs_nested_names(x):
    def inner(v):
        """Cubes.

            Then sums."""
        return np.sum(v ** 3)
    print(f"{inner.__name__}|{inner.__qualname__}|{inner.__module__}|{inner.__doc__!r}")
    return inner(x) * len(inner.__qualname__)


def logs_lambda_names(x):
    sq = lambda v: v * v  # noqa: E731
    print(f"{sq.__name__}|{sq.__qualname__}|{sq.__module__}|{sq.__doc__!r}")
    return np.sum(sq(x)) * len(sq.__name__)


@pytest.mark.parametrize("f", [logs_nested_names, logs_lambda_names])
def test_name_of_nested_function(f, capsys):
    f(X.copy())
    plain = capsys.readouterr().out
    every_mode(f, X)
    s2s.grad(f)(X.copy())
    assert capsys.readouterr().out.splitlines()[-1] == plain.strip()


# ------------------------------------------------ P1: the jvp of a list made by repeating a number and written by item
# was quadratic (`rt.setitem_adjoint(dys, k) + rt.setitem_tangent(dt, ys, k)`, two lists an iteration): ad/list_slots.py
# knew `[None] * n` for a list, not `[0.0] * n`

def decayed_sum(x, n=7):
    ys = [0.0] * n
    ys[0] = x[0]
    for k in range(1, n):
        ys[k] = ys[k - 1] * 0.99 * x[k % 3] + x[(k + 1) % 3]
    return sum(ys)


def repeated_numbers_with_arrays(x, n=4):
    ys = n * [0]
    for k in range(n):
        ys[k] = x * (k + 1.0) if k % 2 else x[k % 3] * 2.0
    return sum(np.sum(y ** 2) for y in ys)


@pytest.mark.parametrize("f", [decayed_sum, repeated_numbers_with_arrays])
def test_repeated_numbers_written_by_item(f):
    every_mode(f, X)


def test_repeated_numbers_tangents_written_in_place():
    source = s2s.jvp(decayed_sum).source
    assert "setitem_adjoint" not in source and re.search(r"dys\w*\[k\] = dt", source), source


# ------------------------------------------------ P2: a list of numbers written by item in nested loops: its jvp wrote
# the tangents out of place (the repeated list entered the loops before any write), and the gradient spent ~25 us a
# write in rt.require_item_shape (np.broadcast_shapes of two numbers) and rt.add_at

def smoothed_in_nested_loops(x, n=6):
    ys = [0.0] * 5
    for t in range(n):
        for k in range(5):
            ys[k] = ys[k] * 0.9 * x[k % 3] + x[(k + t) % 3]
    return sum(ys)


def test_numbers_written_in_nested_loops():
    every_mode(smoothed_in_nested_loops, X)
    source = s2s.jvp(smoothed_in_nested_loops).source
    assert "setitem_adjoint" not in source and re.search(r"dys\w*\[k\] = dt", source), source


def test_list_adjoint_of_numbers_added_in_place():
    from s2s.runtime.indexing import OwnParts
    ys = [0.1, 0.2, 0.3]
    acc = s2s.runtime.add_at(0.0, 0.5, ys, 1)
    assert type(acc) is OwnParts and list(acc) == [0.0, 0.5, 0.0]
    assert s2s.runtime.add_at(acc, np.float64(0.25), ys, -1) is acc and list(acc) == [0.0, 0.5, 0.25]
    assert s2s.runtime.add_at(acc, 1.0, ys, 1) is acc and list(acc) == [0.0, 1.5, 0.25]
    s2s.runtime.require_item_shape(np.float64(0.3), 0.2, "ys[k] = v")  # (a number widens nothing)
    with pytest.raises(s2s.S2SError, match="shape"):
        s2s.runtime.require_item_shape(np.ones(2), 0.2, "ys[k] = v")


# ------------------------------------------------ M1: a write into an inner list of a list of lists the function made
# was blamed on the caller ("an element of M[1], which the caller passed in ('x')"): the walk to what the write changes
# took a list display for a view of its first item

def inner_list_written(x):
    M = [[x[0], x[1]], [x[2], x[0] * x[1]]]
    M[1][0] = M[0][1] * 3.0
    return M[0][0] + M[1][0]


def inner_list_copied_written_and_stored(x):
    M = [[x[0], x[1]], [x[2], x[0] * x[1]]]
    row = list(M[1])
    row[0] = M[0][1] * 3.0
    M[1] = row
    return M[0][0] + M[1][0] * M[1][1]


def test_inner_list_write_is_no_callers():
    with pytest.raises(s2s.S2SError, match=r"an item of the list 'M'") as info:
        s2s.grad(inner_list_written)(X.copy())
    assert "caller" not in str(info.value) and "row = list(M[1]); row[0] = ...; M[1] = row" in str(info.value)
    every_mode(inner_list_copied_written_and_stored, X)  # (the advice)


def callers_array_in_list_written(x):
    M = [[x, x * 2.0]]
    M[0][0][1] = 5.0  # (NumPy changes the caller's x)
    return np.sum(M[0][0])


def test_callers_array_in_list_still_named():
    with pytest.raises(s2s.S2SError, match=r"which the caller passed in.*\('x'\)"):
        s2s.grad(callers_array_in_list_written)(X.copy())


# ------------------------------------------------ M2: a defaultdict(float) accumulated in nested loops was refused as a
# name rebound to another array each step: the alias stage took `float`, the factory, for module data the dict may
# hold, so the inner loop's dict was no version of the outer's

def accumulated_in_nested_loops(x):
    log = collections.defaultdict(float)
    for ep in range(2):
        for i in range(3):
            log[i % 2] += x[i] * (ep + i) * x[(i + 1) % 3]
    return log[0] * log[1]


def test_defaultdict_in_nested_loops():
    every_mode(accumulated_in_nested_loops, X)


# ------------------------------------------------ M3: `for k in list(d): d[k] *= 2.0` on a defaultdict was refused as a
# read of "a view of 'd'" after d changed, advising a copy named after an s2s temporary ('t8 = list(v.copy() ...)'):
# list(d) of a dict is a new list of its keys, which hold no array

def doubled_over_copied_keys(x):
    d = collections.defaultdict(float)
    for i, v in enumerate(x):
        d[i % 2] += v * x[(i + 1) % 3]
    for k in list(d):
        d[k] *= 2.0
    return d[0] * d[1]


def sorted_keys_scaled(x):
    d = collections.defaultdict(float)
    for i in range(3):
        d[2 - i] += x[i] ** 2
    for k in sorted(d):
        d[k] *= 1.0 + k
    return d[0] * d[1] + d[2]


@pytest.mark.parametrize("f", [doubled_over_copied_keys, sorted_keys_scaled])
def test_loop_over_copied_keys_of_defaultdict(f):
    every_mode(f, X, hessian=False)  # (the gradient's own d[k] = ... at keys of list(d) is refused again: left as is)


def values_listed_then_changed(x):
    d = {"a": x * 1.0, "b": x * 2.0}
    vs = list(d.values())
    d["a"] *= 2.0  # (NumPy changes vs[0] too)
    return np.sum(vs[0] * d["b"])


def test_listed_values_still_followed():
    with pytest.raises(s2s.S2SError):
        s2s.grad(values_listed_then_changed)(X.copy())
