"""The trajectory idiom, `ys.append(step(ys[-1]))` in a loop: its gradient is linear in the steps (issue 13).

The reversed loop cuts the list's adjoint back in place (ad/grown_lists.py, runtime/grown.py) and the forward
sweep saves the item it read, not the list, so the list grows in place (back/growing.py). Each variant is
checked against finite differences in every mode, and the generated text against per-iteration list saves.
"""

import numpy as np
import pytest

import s2s
from trajectory_checks import Y0, check_forward_modes, check_reverse_modes, check_second_order

N = 6


def _step(y, k):
    return y + 0.1 * np.sin(y) * k


def last(y0, k):
    ys = [y0]
    for i in range(N):
        ys.append(_step(ys[-1], k))
    return np.sum(ys[-1] ** 2)


def by_counter(y0, k):
    ys = [y0]
    for i in range(N):
        ys.append(_step(ys[i], k))
    return np.sum(ys[N] ** 2)


def two_step(y0, k):
    ys = [y0, _step(y0, k)]
    for i in range(N):
        ys.append(ys[-1] + 0.1 * (1.5 * np.sin(ys[-1]) * k - 0.5 * np.cos(ys[-2])))
    return np.sum(ys[-1] ** 2)


def stacked(y0, k):
    ys = [y0]
    for i in range(N):
        ys.append(_step(ys[-1], k))
    return np.sum(np.stack(ys) ** 2)


def summed(y0, k):
    ys = [y0]
    for i in range(N):
        ys.append(_step(ys[-1], k))
    return np.sum(sum(ys) * y0)


def read_inside(y0, k):
    ys = [y0]
    loss = 0.0
    for i in range(N):
        loss = loss + np.sum(np.cos(ys[-1]))
        ys.append(_step(ys[-1], k))
    return loss


def linear_step(y0, k):
    ys = [y0]
    for i in range(N):
        ys.append(ys[-1] * 0.9 + k)
    return np.sum(ys[-1] * ys[-1])


def in_while(y0, k):
    ys = [y0]
    while len(ys) < N:
        ys.append(_step(ys[-1], k))
    return np.sum(ys[-1] ** 2) + np.sum(ys[1] * ys[-2])


def reads_first_and_middle(y0, k):
    ys = [y0]
    for i in range(N):
        ys.append(_step(ys[-1], k) + 0.3 * ys[0] * ys[i // 2])
    return np.sum(np.stack(ys) ** 2)


def nested(y0, k):
    total = 0.0
    for j in range(2):
        ys = [y0 * (j + 1)]
        for i in range(3):
            ys.append(_step(ys[-1], k))
        total = total + np.sum(ys[-1] ** 2)
    return total


def with_break(y0, k):
    ys = [y0]
    for i in range(10):
        ys.append(_step(ys[-1], k))
        if i == N:
            break
    return np.sum(ys[-1] ** 2)


def grown_twice(y0, k):
    ys = [y0]
    for i in range(N):
        ys.append(_step(ys[-1], k))
        ys.append(ys[-1] * k)
    return np.sum(ys[-1] ** 2)


def carried(y0, k):
    """One list grown across the iterations of the loop around, saved after each: copied at each append."""
    ys = [y0]
    total = 0.0
    for j in range(2):
        for i in range(3):
            ys.append(_step(ys[-1], k))
        total = total + np.sum(ys[-1] ** 2) * len(ys)
    return total


def doubly_nested(y0, k):
    total = 0.0
    for j in range(2):
        ys = [y0 * (j + 1)]
        for i in range(2):
            for m in range(2):
                ys.append(_step(ys[-1], k))
        total = total + np.sum(np.stack(ys) ** 2)
    return total


def leapfrog(x0, k):
    """States as (position, velocity) tuples: each read's adjoint is a tuple's, added into the list's part."""
    states = [(x0, 0.0 * x0)]
    for i in range(N):
        x, v = states[-1]
        v2 = v - 0.1 * k * np.sin(x)
        states.append((x + 0.1 * v2, v2))
    return np.sum(states[-1][0] ** 2) + np.sum(states[-2][1])


FUNCTIONS = [last, by_counter, two_step, stacked, summed, read_inside, linear_step, in_while, reads_first_and_middle,
             nested, with_break, grown_twice, carried, doubly_nested, leapfrog]


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


@pytest.mark.parametrize("f", [last, by_counter, two_step, stacked, summed, read_inside, nested],
                         ids=lambda f: f.__name__)
def test_no_list_saved_per_iteration(f):
    """Linear cost, not timed: the forward sweep saves items, never the list (whose append would then copy it),
    and the reversed loop cuts the list adjoint back in place."""
    text = s2s.grad(f, wrt=(0, 1)).source
    assert "ys_1_saved" not in text and "rt.appended_adjoint" not in text or f is nested, text
    # (nested: saved after the loop that grows it, which grows it in place: the loop around makes a new one)
    assert "ys_1 + [" not in text, text
    assert "ys_1 += [" in text and "rt.popped_adjoint(" in text and "rt.added_at_part(" in text, text


def test_a_list_adjoint_as_one_number_without_the_list_is_refused():
    """rt.owned_adjoint is given the list only where its adjoint may be a bare 0.0 (which stands for each part); a
    number met without it is refused, not taken for a list of one part."""
    from s2s import runtime as rt
    from s2s.errors import S2SError
    assert len(rt.owned_adjoint(0.0, [Y0, Y0])) == 2
    with pytest.raises(S2SError, match="forward mode"):
        rt.owned_adjoint(0.0)
