"""Round 12's findings of the lead's own fuzzing and review, each against finite differences or an analytic
value, in the modes that apply."""
from __future__ import annotations

import copy

import numpy as np

import s2s
from conftest import assert_close


# ------------------------------------------------ fuzz seed 1780787: an item read on a path the call did not take

def unpacked_in_a_branch_not_taken(b, theta):
    hist2 = np.zeros(4)
    prev2 = theta[2]
    if 1.5 < b < 1.0:
        b, b = prev2
    return (b, hist2)


def summed_in_a_branch_not_taken(b, theta):
    prev2 = theta[2]
    if b > 1.0:
        b = np.sum(prev2)
    return b


THETA = [-1.5076, np.array([-0.7702, 0.2658, -0.2997, -0.0573]), np.array([0.4791, 0.7562, 0.6228, 1.0323])]


def _is_zero_like(got, like):
    assert type(got) is list and len(got) == len(like)
    for g, x in zip(got, like):
        assert type(g) is type(x) and np.shape(g) == np.shape(x), (g, x)
        assert_close(g, np.zeros_like(x))


def test_the_derivative_of_an_item_read_on_a_path_not_taken_is_a_zero_array_not_a_zero_number():
    """The branch's adjoint of `theta[2]` was `rt.getitem_adjoint(0.0, theta, 2)`, which put the bare 0.0 where
    zeros_like(theta) had the item's zero array: the derivative came out [0.0, zeros(4), 0.0]."""
    cotangent = (0.514, np.array([-0.7, -0.365, 0.063, 0.55]))
    _is_zero_like(s2s.vjp(unpacked_in_a_branch_not_taken, wrt="theta")(-0.4921, copy.deepcopy(THETA))[1](cotangent),
                  THETA)
    _is_zero_like(s2s.grad(summed_in_a_branch_not_taken, wrt=1)(-0.5, copy.deepcopy(THETA)), THETA)
    g = s2s.grad(summed_in_a_branch_not_taken, wrt=1)(2.0, copy.deepcopy(THETA))  # (the path taken: ones)
    assert_close(g[2], np.ones(4))
    assert_close(g[1], np.zeros(4))


# ------------------------------------------------ hunt12ctl M3: a row of `for r in Y` written, and the advice

def rows_doubled_in_place(X):
    Y = X * 1.0
    for r in Y:
        r[0] = r[0] * 2.0
    return np.sum(Y ** 2)


def rows_doubled_by_index(X):  # (what the refusal advises)
    Y = X * 1.0
    for i in range(len(Y)):
        Y[i, 0] = Y[i, 0] * 2.0
    return np.sum(Y ** 2)


def test_a_row_of_a_loop_written_in_place_is_refused_with_advice_that_keeps_the_program():
    """The refusal named 'k', the loop counter s2s made, and advised r = np.copy(r), which leaves Y unchanged: the
    value 4 * 3 + 3 where the original's is 4 * 3 * 4 + 3. It names the loop's array and advises the index loop."""
    X = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.25]])
    try:
        s2s.grad(rows_doubled_in_place)(X)
    except s2s.S2SError as exc:
        message = str(exc)
    else:
        raise AssertionError("not refused")
    assert "'k'" not in message and "np.copy(r)" not in message, message
    assert "a row of 'Y'" in message and "for i in range(len(Y)): Y[i, ...] = ..." in message, message
    assert rows_doubled_by_index(X) == rows_doubled_in_place(X)
    expected = 2.0 * X * np.array([4.0, 1.0])  # d/dX of sum((X * [2, 1]) ** 2)
    assert_close(s2s.grad(rows_doubled_by_index)(X), expected)
    assert_close(s2s.jacobian(rows_doubled_by_index, mode="forward")(X), expected)
