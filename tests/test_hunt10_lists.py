"""A list grown in a loop whose body also appends it to another list (`cols.append(v); rows.append(cols)`):
Python's rows holds the one list, with every append; s2s made a new list per append, so rows held three
different ones (2.8 for 6.3, gradient 4 for 9). Refused where the loop ends, at the append, with a copy as the
advice; a list a name or a tuple holds, rebound each step, stays accepted."""
import numpy as np
import pytest

import s2s
from tests.conftest import check_every_mode

X = np.array([0.3, -0.7, 1.1])


def list_of_one_list(x):  # rows holds the one list cols three times, each with every append (Python's lists)
    cols = []
    rows = []
    for i in range(3):
        cols.append(x * i)
        rows.append(cols)
    return sum(np.sum(np.stack(r)) for r in rows)


def list_of_one_list_extended(x):
    cols = []
    rows = []
    for i in range(3):
        cols += [x * i]
        rows.append(cols)
    return sum(np.sum(np.stack(r)) for r in rows)


@pytest.mark.parametrize("f", [list_of_one_list, list_of_one_list_extended])
def test_a_list_grown_after_a_list_holds_it_is_refused(f):
    # (a new list per append gave 2.8 for 6.3: rows held three different lists)
    with pytest.raises(s2s.S2SError, match="also gives it to .rows.") as info:
        s2s.value_and_grad(f)(X)
    assert "cols" in str(info.value) and "list(cols)" in str(info.value)


def alias_in_loop(x):  # (hunt10reg F1: Python's prev is cols, with the third append)
    cols = []
    prev = []
    for i in range(3):
        cols.append(x * (i + 1.0))
        if i == 1:
            prev = cols
    return sum(prev)


def wrapped_holder(x):
    rows = []
    cols = []
    for i in range(2):
        cols.append(x * (i + 1.0))
        rows.append([cols])
    return sum(rows[0][0])


def _push(rows, cols):
    rows.append(cols)
    return rows


def helper_holder(x):
    rows = []
    cols = []
    for i in range(2):
        cols.append(x * (i + 1.0))
        rows = _push(rows, cols)
    return sum(rows[0])


def best_tracking(x):  # "the best path so far": Python's best is path
    path = []
    best = []
    best_score = -1e9
    for i in range(4):
        path.append(np.sin(x * (i + 1)))
        score = path[-1]
        if score > best_score:
            best_score = score
            best = path
    return sum(best)


def held_at_a_continue(x):
    rows = []
    cols = []
    for i in range(3):
        cols.append(x * (i + 1.0))
        if i == 0:
            rows.append((cols, 1))
            continue
    return sum(rows[0][0])


@pytest.mark.parametrize("f", [alias_in_loop, wrapped_holder, helper_holder, best_tracking, held_at_a_continue])
def test_every_other_holder_is_refused_too(f):
    # (each gave the list as it was when held: 6.0 for 12.0 and so on, silently)
    with pytest.raises(s2s.S2SError, match="also gives it to") as info:
        s2s.value_and_grad(f)(2.0)
    assert "list(" in str(info.value)


def break_after_store(x):  # (stored on a path that leaves the loop: no later append; refused by 20115a5)
    rows = []
    cols = []
    for i in range(5):
        cols.append(np.sin(x) * (i + 1.0))
        if len(cols) == 3:
            rows.append(cols)
            break
    return np.sum(np.array(rows) ** 2)


def return_after_store(x):
    rows = []
    cols = []
    for i in range(5):
        cols.append(np.sin(x) * (i + 1.0))
        if len(cols) == 3:
            rows.append(cols)
            return np.sum(np.array(rows) ** 2)
    return 0.0


def copies_held(x):  # a copy, an item, a fresh list per step: what Python gives
    cols = []
    rows = []
    snap = []
    for i in range(3):
        cols.append(x * i)
        rows.append(list(cols))
        snap = list(cols)
        last = cols[-1]
    fresh = []
    for i in range(2):
        inner = []
        inner.append(x * (i + 2.0))
        fresh.append(inner)
    return sum(np.sum(np.stack(r) ** 2) for r in rows) + np.sum(np.stack(snap)) + np.sum(last) + \
        sum(np.sum(np.stack(r) ** 3) for r in fresh)


@pytest.mark.parametrize("f", [break_after_store, return_after_store, copies_held])
def test_a_list_no_later_append_reaches_is_accepted(f):
    check_every_mode(f, X, hessian=False)
