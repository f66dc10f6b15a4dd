"""A grown list read after the iteration's append, `ys.append(step(ys[-1])); loss += np.sum(ys[-1])`, or in an if:
linear (issue 13).

The read `ys[-1]` after the append is a read of the list the append made (`ys_2[-1]`); its adjoint is added into
the reversed loop's list adjoint in place (`rt.added_at_part(bys_1, g, -1)`) before the append's cut, so the forward
sweep saves the item (or its shape), not the list, and the list grows in place (ad/grown_lists.py `_reads_after`).
Reads in an if (or elif) add into the list adjoint in the branch, before the append or after it. Each variant is
checked against finite differences in every mode, and the generated text against per-iteration list saves
(test_hunt12_trajectory.py checks the reads before the append outside ifs).
"""

import numpy as np
import pytest

import s2s
from trajectory_checks import Y0, check_forward_modes, check_reverse_modes, check_second_order

N = 5


def _step(y, k):
    return y + 0.1 * np.sin(y) * k


def new_state(y0, k):
    ys = [y0]
    loss = 0.0
    for t in range(N):
        ys.append(np.sin(ys[-1]) * k)
        loss = loss + np.sum(ys[-1])
    return loss


def symplectic(x0, k):
    xs = [x0]
    vs = [0.5 * x0]
    for t in range(N):
        vs.append(vs[-1] - 0.1 * k * np.sin(xs[-1]))
        xs.append(xs[-1] + 0.1 * vs[-1])
    return np.sum(xs[-1] ** 2) + np.sum(vs[-1] * xs[-2])


def losses(y0, k):
    ys = [y0]
    ls = []
    for t in range(N):
        ys.append(_step(ys[-1], k))
        ls.append(np.sum(ys[-1] ** 2))
    return sum(ls)


def old_and_new(y0, k):
    """Reads after the append of the new item and of the one before it, at a negative and a counter index."""
    ys = [y0]
    loss = 0.0
    for t in range(N):
        ys.append(_step(ys[-1], k))
        loss = loss + np.sum(ys[-1] * ys[-2]) + np.sum(np.cos(ys[t + 1]) * ys[0])
    return loss


def read_before_and_after(y0, k):
    ys = [y0]
    loss = 0.0
    for t in range(N):
        loss = loss + np.sum(ys[-1] ** 3)
        ys.append(_step(ys[-1], k) * k)
        loss = loss * 0.5 + np.sum(np.sin(ys[-1]))
    return loss + np.sum(ys[-1])


def appended_twice(y0, k):
    ys = [y0]
    loss = 0.0
    for t in range(N):
        ys.append(_step(ys[-1], k))
        ys.append(0.5 * ys[-1] * k + 0.2 * ys[-2])
        loss = loss + np.sum(ys[-1] * ys[-2])
    return loss


def in_while(y0, k):
    ys = [y0]
    loss = 0.0
    while len(ys) < N:
        ys.append(_step(ys[-1], k))
        loss = loss + np.sum(ys[-1] ** 2)
    return loss


def nested(y0, k):
    total = 0.0
    for j in range(2):
        ys = [y0 * (j + 1)]
        for t in range(3):
            ys.append(_step(ys[-1], k))
            total = total + np.sum(ys[-1] ** 2)
    return total


def read_in_if(y0, k):
    """The new item read in an if after the append: added in place in the branch that reads it."""
    ys = [y0]
    loss = 0.0
    for t in range(N):
        ys.append(_step(ys[-1], k))
        if t % 2 == 0:
            loss = loss + np.sum(ys[-1] ** 2)
    return loss


def reads_in_ifs_and_after(y0, k):
    """Reads after the append in both branches of an if, in a second if, and outside them."""
    ys = [y0]
    loss = 0.0
    for t in range(N):
        ys.append(_step(ys[-1], k) * k)
        if t % 2 == 0:
            loss = loss + np.sum(ys[-1] ** 2)
        else:
            loss = loss + np.sum(np.sin(ys[-2]) * ys[t + 1]) + np.sum(ys[-1])
        loss = loss * 0.9 + np.sum(ys[-1] * ys[0])
        if t > 1:
            loss = loss + np.sum(np.cos(ys[-3]))
    return loss


def read_in_elif(y0, k):
    """Reads after the append in an if/elif (an if in the else branch) and in a branch with an if of its own."""
    ys = [y0]
    loss = 0.0
    for t in range(N):
        ys.append(_step(ys[-1], k))
        if t % 3 == 0:
            loss = loss + np.sum(ys[-1])
            if t > 2:
                loss = loss + np.sum(ys[-2] * ys[-1])
        elif t % 3 == 1:
            loss = loss + np.sum(ys[-1] ** 2)
    return loss


def read_in_if_before(y0, k):
    """Reads in an if/elif before the append: added in place into the list adjoint the append's cut leaves."""
    ys = [y0]
    loss = 0.0
    for t in range(N):
        if t % 3 == 0:
            loss = loss + np.sum(ys[-1] ** 2)
        elif t % 3 == 1:
            loss = loss + np.sum(ys[t] * ys[0])
        ys.append(_step(ys[-1], k))
        loss = loss + np.sum(np.sin(ys[-1]))
    return loss


def read_in_if_between_appends(y0, k):
    ys = [y0]
    loss = 0.0
    for t in range(N):
        ys.append(_step(ys[-1], k))
        if t % 2 == 0:
            loss = loss + np.sum(ys[-1] * ys[-2])
        else:
            loss = loss + np.sum(np.cos(ys[0]))
        ys.append(ys[-1] * 0.9 + 0.1 * ys[-2])
        if t > 1:
            loss = loss + np.sum(ys[-3])
    return loss + np.sum(ys[-1])


def if_appends_then_if_reads(y0, k):
    ys = [y0]
    loss = 0.0
    for t in range(N):
        if t % 2 == 0:
            ys.append(np.sin(ys[-1]) * k)
        else:
            ys.append(np.cos(ys[-1]) * k)
        if t % 3 == 0:
            loss = loss + np.sum(ys[-1] * ys[-2])
    return loss + np.sum(ys[-1])


def if_appends_read_around(y0, k):
    """An item appended in each branch of an if, the list read before the if and after it (the reads before it
    were taken at positions the cut after the if had moved: an internal IndexError)."""
    ys = [y0]
    loss = 0.0
    for t in range(N):
        loss = loss + np.sum(ys[-1] ** 2) * 0.3
        if t % 2 == 0:
            ys.append(np.sin(ys[-1]) * k)
        else:
            ys.append(np.cos(ys[-1]) * k)
        loss = loss + np.sum(ys[-1] * ys[-2])
    return loss


def with_break(y0, k):
    ys = [y0]
    loss = 0.0
    for t in range(N + 4):
        ys.append(_step(ys[-1], k))
        loss = loss + np.sum(ys[-1] * ys[-2])
        if t == N:
            break
    return loss


def stacked_at_the_end(y0, k):
    """The list stacked after the loop: its adjoint an array of rows, added into in place."""
    ys = [y0]
    loss = 0.0
    for t in range(N):
        ys.append(_step(ys[-1], k))
        loss = loss + np.sum(np.sin(ys[-1]))
        if t % 2 == 1:
            loss = loss + np.sum(ys[-2] * ys[-1])
    return loss + np.sum(np.stack(ys) ** 2) + np.sum(sum(ys) * k)


def stacked_after(y0, k):
    """The list read whole after the append: saved per iteration (quadratic), but exact."""
    ys = [y0]
    loss = 0.0
    for t in range(N):
        ys.append(_step(ys[-1], k))
        loss = loss + np.sum(np.stack(ys)[-1] * ys[-1])
    return loss


FUNCTIONS = [new_state, symplectic, losses, old_and_new, read_before_and_after, appended_twice, in_while, nested,
             read_in_if, reads_in_ifs_and_after, read_in_elif, read_in_if_before, read_in_if_between_appends,
             if_appends_then_if_reads, if_appends_read_around,
             with_break, stacked_at_the_end, stacked_after]
LINEAR = [f for f in FUNCTIONS if f not in (nested, stacked_after)]


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


@pytest.mark.parametrize("f", LINEAR, ids=lambda f: f.__name__)
def test_no_list_saved_per_iteration(f):
    """Linear cost, not timed: the forward sweep saves items (or their shapes), never a list (whose append would
    then copy it), and the reversed loop adds the read after the append into the list adjoint in place."""
    text = s2s.grad(f, wrt=(0, 1)).source
    assert "s_1_saved" not in text and "rt.appended_adjoint" not in text, text
    in_loops = [line for line in text.splitlines() if line.startswith(" " * 8)]
    assert not any("rt.getitem_adjoint(" in line for line in in_loops), text
    assert "s_1 + [" not in text and "s_1 += [" in text, text
    assert "rt.popped_adjoint(" in text and "rt.added_at_part(" in text, text
