"""Lists a loop grows and reads in forms whose gradient was quadratic in the steps (issue 13, round 15): the append in
one branch of an if and the list read in the other, the list read in a loop two deep after the append, and the list
read before an inner loop and in it (and in loops on both sides of the append, or in a loop in the branch that does
not append). The generated code saved the list per step and so copied it at each append (`fs_1 = fs_1 + [..]`), and
built a whole list adjoint per step (`rt.getitem_adjoint(g, fs_1, -1)`, `rt.accumulator(fs_1, ..)`). The reversed
loop now adds into the list adjoint it owns, in place (ad/grown_lists.py, ad/grown_inner.py). Each form against finite
differences in every mode (tests/trajectory_checks.py), and its text against list saves; the forms still quadratic
against finite differences.
"""

import numpy as np
import pytest

import s2s
from trajectory_checks import check_forward_modes, check_reverse_modes, check_second_order, Y0

N = 7


def branch_grow(y0, k):
    fs = [y0]
    acc = 0.0
    for t in range(N):
        if t % 2 == 0:
            fs.append(np.sin(fs[-1]) * k)
        else:
            acc = acc + np.sum(fs[-1] * fs[-2])
    return acc + np.sum(fs[-1])


def branch_grow_else(y0, k):
    fs = [y0 * k]
    acc = 0.0
    for t in range(N):
        if t % 3 == 1:
            acc = acc + np.sum(np.cos(fs[-1]) * k)
        else:
            fs.append(np.tanh(fs[-1] * k) + y0)
    return acc + np.sum(fs[-1] * fs[-2])


def branch_grow_no_else(y0, k):
    fs = [y0, y0 * k]
    acc = 0.0
    for t in range(N):
        if t % 2 == 0:
            fs.append(np.sin(fs[-1]) * k + fs[-2] * 0.1)
        elif t % 3 == 0:
            acc = acc + np.sum(fs[-1] ** 2)
    return acc + np.sum(fs[-1] * fs[0])


def two_deep(y0, k):
    fs = [y0]
    acc = 0.0
    for t in range(N):
        fs.append(np.sin(fs[-1]) * k)
        for j in range(2):
            for i in range(2):
                acc = acc + np.sum(fs[-1 - i] * 0.1 * (j + 1))
    return acc


def two_deep_products(y0, k):
    fs = [y0, y0 * k]
    acc = 0.0
    for t in range(N):
        fs.append(np.cos(fs[-1]) * k + 0.1 * fs[-2])
        for j in range(2):
            for i in range(j + 1):
                acc = acc + np.sum(fs[-1 - i] * fs[-1 - j]) * k
    return acc + np.sum(fs[-1])


def before_and_in(y0, k):
    fs = [y0]
    for t in range(N):
        y = fs[-1] * 0.5
        for j in range(min(2, len(fs))):
            y = y + fs[-1 - j] * k
        fs.append(np.tanh(y))
    return np.sum(fs[-1])


def before_and_in_two(y0, k):
    fs = [y0, np.sin(y0)]
    for t in range(N):
        y = fs[-1] * fs[-2] * k
        for j in range(2):
            y = y + np.sin(fs[-1 - j]) * 0.3
        fs.append(np.tanh(y))
    return np.sum(fs[-1] * fs[-3])


def loop_in_branch(y0, k):
    fs = [y0]
    acc = 0.0
    for t in range(N):
        if t % 2 == 0:
            fs.append(np.sin(fs[-1]) * k)
        else:
            for j in range(2):
                acc = acc + np.sum(fs[-1 - j] * k)
    return acc + np.sum(fs[-1])


def loops_before_and_after(y0, k):
    fs = [y0]
    acc = 0.0
    for t in range(N):
        y = fs[-1]
        for j in range(min(2, len(fs))):
            y = y + fs[-1 - j] * k
        fs.append(np.tanh(y))
        for j in range(2):
            acc = acc + np.sum(fs[-1 - j]) * k
    return acc + np.sum(fs[-1])


def read_and_loop_after(y0, k):
    fs = [y0]
    acc = 0.0
    for t in range(N):
        fs.append(np.sin(fs[-1]) * k)
        acc = acc + np.sum(fs[-1] ** 2)
        for i in range(2):
            acc = acc + np.sum(fs[-1 - i] * 0.1)
    return acc


def read_in_if_and_loop_after(y0, k):
    fs = [y0]
    acc = 0.0
    for t in range(N):
        fs.append(np.sin(fs[-1]) * k)
        if t % 2 == 0:
            acc = acc + np.sum(fs[-1] ** 2)
        for i in range(2):
            acc = acc + np.sum(fs[-1 - i] * fs[-1]) * 0.1
    return acc


def loop_then_read_after(y0, k):
    fs = [y0]
    acc = 0.0
    for t in range(N):
        fs.append(np.sin(fs[-1]) * k)
        for i in range(2):
            acc = acc + np.sum(fs[-1 - i] * 0.1)
        acc = acc + np.sum(fs[-1] * fs[-2])
    return acc


def reads_around_loop_after(y0, k):
    fs = [y0]
    acc = 0.0
    for t in range(N):
        fs.append(np.sin(fs[-1]) * k)
        acc = acc + np.sum(fs[-1] ** 2)
        for i in range(2):
            acc = acc + np.sum(fs[-1 - i] * 0.1)
        acc = acc + np.sum(fs[-1] * fs[-2]) * k
    return acc


def while_after(y0, k):
    fs = [y0]
    acc = 0.0
    for t in range(N):
        fs.append(np.sin(fs[-1]) * k)
        j = 0
        while j < min(2, len(fs)):
            acc = acc + np.sum(fs[-1 - j] * fs[-1]) * k
            j += 1
    return acc


def whole_list_in_loop(y0, k):
    fs = [y0]
    acc = 0.0
    for t in range(N):
        fs.append(np.sin(fs[-1]) * k)
        for j in range(2):
            acc = acc + np.sum(fs[-1 - j]) + np.sum(sum(fs)) * 0.01
    return acc


FUNCTIONS = [branch_grow, branch_grow_else, branch_grow_no_else, two_deep, two_deep_products, before_and_in,
             before_and_in_two, loop_in_branch, loops_before_and_after, read_and_loop_after, read_in_if_and_loop_after,
             loop_then_read_after]
# (still a new list per append, the values right: reads both before and after the inner loop that follows the append,
# a while loop's index, which the reversed loop pops and cannot tell is an int, the whole list read in the loop)
QUADRATIC = [reads_around_loop_after, while_after, whole_list_in_loop]


@pytest.mark.parametrize("f", FUNCTIONS + QUADRATIC, ids=lambda f: f.__name__)
@pytest.mark.parametrize("y0", [Y0, 0.6], ids=["array", "number"])
def test_reverse_modes_match_finite_differences(f, y0):
    check_reverse_modes(f, y0)


@pytest.mark.parametrize("f", FUNCTIONS + QUADRATIC, ids=lambda f: f.__name__)
def test_forward_modes_match_finite_differences(f):
    check_forward_modes(f)


@pytest.mark.parametrize("f", FUNCTIONS + QUADRATIC, ids=lambda f: f.__name__)
def test_second_order_matches_finite_differences(f):
    check_second_order(f)


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_the_list_is_not_saved_per_step(f):
    """Linear cost, not timed: no list saved, the list grows in place, the reversed loop cuts and adds into the list
    adjoint it owns, and builds no list of zeros per step."""
    text = s2s.grad(f, wrt=(0, 1)).source
    loop = text[text.index("for t in"):text.index("# adjoint of line")]
    assert "fs_1_saved" not in text and "rt.accumulator(" not in text, text
    assert "fs_1 += [" in loop and "fs_1 = fs_1 + [" not in loop, text
    assert "rt.popped_adjoint(" in text and "rt.added_at_part(" in text, text
    reversed_loop = text[text.index("rt.owned_adjoint("):]
    assert "rt.getitem_adjoint(" not in reversed_loop and "rt.appended_adjoint(" not in reversed_loop, text
