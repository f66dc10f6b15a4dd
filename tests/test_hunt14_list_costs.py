"""Lists grown in a loop, round 14's findings on their derivatives (hunt14reg C1 and P1, hunt14ctl P1-P3).

C1: the reverse-over-reverse Hessian (`s2s.jacobian(s2s.grad(f))`) of a list grown in a loop with `continue` read the
zero a reversed loop's list adjoint starts from (a bare 0.0 standing for every part) as a list in the transposes of
an append's adjoint (`rt.appended_item_transpose`, `rt.appended_adjoint_transpose`): TypeError 'float' object is
not subscriptable. Each program is checked in every mode against finite differences.
"""

import numpy as np

import s2s
from trajectory_checks import check_forward_modes, check_reverse_modes, check_second_order, Y0


def _step(y, k):
    return y + 0.1 * np.tanh(k * y)


def continue_before_append(y0, k):
    ys = [y0]
    loss = 0.0
    for t in range(7):
        loss = loss + np.sum(ys[-1] ** 2)
        if t % 2 == 1:
            continue
        ys.append(_step(ys[-1], k))
    return loss


def continue_then_break(y0, k):
    ys = [y0]
    loss = 0.0
    for t in range(8):
        ys.append(_step(ys[-1], k))
        if t % 3 == 1:
            continue
        if t == 6:
            break
        loss = loss + np.sum(ys[-1] ** 2)
    return loss


def continue_after_append(y0, k):
    ys = [y0]
    loss = 0.0
    for t in range(7):
        ys.append(_step(ys[-1], k))
        if t % 2 == 1:
            continue
        loss = loss + np.sum(ys[-1] ** 2)
    return loss


def test_continue_before_append_every_mode():
    check_reverse_modes(continue_before_append, Y0)
    check_forward_modes(continue_before_append)
    check_second_order(continue_before_append)


def test_continue_then_break_every_mode():
    check_reverse_modes(continue_then_break, Y0)
    check_forward_modes(continue_then_break)
    check_second_order(continue_then_break)


def test_continue_after_append_every_mode():
    check_reverse_modes(continue_after_append, Y0)
    check_forward_modes(continue_after_append)
    check_second_order(continue_after_append)
