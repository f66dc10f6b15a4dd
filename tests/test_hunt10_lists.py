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
    with pytest.raises(s2s.S2SError, match="appends it to another list") as info:
        s2s.value_and_grad(f)(X)
    assert "cols" in str(info.value) and "list(cols)" in str(info.value)


def rebound_each_step(x):  # a name, a tuple or a fresh list holding it, rebound each step: what Python gives
    cols = []
    other = []
    pair = ()
    rows = []
    for i in range(3):
        cols.append(x * i)
        other = cols
        pair = (cols, i)
        rows.append(list(cols))
    return np.sum(np.stack(other)) * len(other) + np.sum(np.stack(pair[0]) ** 2) + \
        sum(np.sum(np.stack(r) ** 2) for r in rows)


def test_a_list_rebound_each_step_is_accepted():
    check_every_mode(rebound_each_step, X, hessian=False)
