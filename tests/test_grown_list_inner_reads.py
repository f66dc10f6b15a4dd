"""A list a loop grows and reads in a loop inside its body: an Adams-Bashforth step, `acc = acc + c[j] * fs[-1 - j]`
over the last few right-hand sides, then `fs.append(rhs(ys[-1]))`.

Its gradient was quadratic in the steps (2,000 steps: 9 s): the reversed inner loop added into an accumulator of the
whole list (`rt.accumulator(fs_1, rt.appended_adjoint(bfs))`, zeros of every part per step), which read the list,
so each step saved it and each append copied it. The reversed inner loop now adds into the list adjoint the outer
loop owns and cuts back in place (`bfs_1_3 = rt.added_at_part(bfs_1_3, g, t16)`; ad/grown_lists._cut_into_loop), and
the forward sweep saves the item's shape, not the list (a list grown by appends is not read again in the reverse
sweep: ad/loop_saves). Each variant against finite differences in every mode, and the text against list saves.
"""

import numpy as np
import pytest

import s2s
from trajectory_checks import check_forward_modes, check_reverse_modes, check_second_order, Y0

N = 6


def _rhs(y, k):
    return -k * y + np.sin(y)


def adams_bashforth(y0, k):
    ys = [y0]
    fs = [_rhs(y0, k), _rhs(y0, k), _rhs(y0, k)]
    c = [23.0 / 12.0, -16.0 / 12.0, 5.0 / 12.0]
    for i in range(N):
        acc = 0.0
        for j in range(3):
            acc = acc + c[j] * fs[-1 - j]
        ys.append(ys[-1] + 0.1 * acc)
        fs.append(_rhs(ys[-1], k))
    return np.sum(ys[-1] ** 2) + np.sum(fs[-2])


def two_reads_inside(y0, k):
    fs = [np.sin(y0 * k), np.cos(y0)]
    for i in range(N):
        acc = 0.0
        for j in range(2):
            acc = acc + fs[-1 - j] * fs[-2 + j] * 0.3
        fs.append(np.tanh(acc + y0))
    return np.sum(fs[-1] * fs[-3])


def positive_index(y0, k):
    hs = [y0, y0 * k]
    for i in range(N):
        s = 0.0
        for j in range(i, i + 2):
            s = s + np.sin(hs[j] * k) * 0.5
        hs.append(s)
    return np.sum(hs[-1] ** 2)


def inner_while(y0, k):
    fs = [y0, y0 * 0.5]
    for i in range(N):
        acc = 0.0
        j = 0
        while j < 2:
            acc = acc + k * fs[-1 - j]
            j += 1
        fs.append(np.cos(acc))
    return np.sum(fs[-1])


FUNCTIONS = [adams_bashforth, two_reads_inside, positive_index, inner_while]


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("y0", [Y0, 0.6], ids=["array", "number"])
def test_reverse_modes_match_finite_differences(f, y0):
    check_reverse_modes(f, y0)


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_forward_modes_match_finite_differences(f):
    check_forward_modes(f)


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_second_order_matches_finite_differences(f):
    check_second_order(f)


@pytest.mark.parametrize("f", [adams_bashforth, two_reads_inside], ids=lambda f: f.__name__)
def test_the_list_is_not_saved_per_step(f):
    """Linear cost, not timed: no list saved, the list grows in place, the inner loop adds into the owned adjoint."""
    text = s2s.grad(f, wrt=(0, 1)).source
    assert "fs_1_saved" not in text and "rt.accumulator(" not in text, text
    assert "fs_1 += [" in text and "rt.popped_adjoint(" in text and "rt.added_at_part(" in text, text


def test_the_index_into_the_list_is_recomputed():
    """`-1 - j` is an int the reversed inner loop computes again: not saved per iteration as if the append changed
    it (the list's reads are not the list). A Hessian of such code reads dict keys through the saved stacks
    (ad/inactive.keys), tests/test_hunt14_dicts.py."""
    text = s2s.grad(adams_bashforth, wrt=(0, 1)).source
    assert "-1 - j_1)" in text and "= -1 - j\n" not in text, text
