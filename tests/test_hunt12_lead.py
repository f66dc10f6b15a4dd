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


# ------------------------------------------------ hunt12ctl M2: a method of an object of a plain class made here

class Arm:
    def __init__(self, L):
        self.L = L

    def fk(self, q):
        th = np.cumsum(q)
        return np.array([self.L @ np.cos(th), self.L @ np.sin(th)])


class ArmWithOwnFk(Arm):
    def __init__(self, L):
        super().__init__(L)
        self.fk = lambda q: q * 0.0


def reach(q):
    arm = Arm(np.array([1.0, 0.5, 0.25]))
    p = arm.fk(q)
    return p @ p + np.sum(q ** 3)


def reach_own(q):
    arm = ArmWithOwnFk(np.array([1.0, 0.5]))
    return np.sum(arm.fk(q))


def test_a_method_of_an_object_of_a_plain_class_made_in_the_function_is_its_class_s():
    """`arm = Arm(L); arm.fk(q)` was refused (a method of an object s2s does not see into), where Arm.fk(arm, q)
    worked: the object a call of a plain class makes is of that class, whose method is called."""
    from conftest import numeric_grad
    q = np.array([0.3, -0.4, 0.7])
    expected = numeric_grad(reach, (q,), 0)
    assert_close(s2s.grad(reach)(q), expected)
    assert_close(s2s.jacobian(reach, mode="forward")(q), expected)
    value, g = s2s.value_and_grad(reach)(q)
    assert value == reach(q)
    h = s2s.hessian(reach)(q)
    assert_close(h, np.array([numeric_grad(lambda v: s2s.grad(reach)(v)[i], (q,), 0) for i in range(3)]), rtol=1e-5)


def test_an_object_holding_its_own_attribute_of_the_method_s_name_is_refused_as_the_code_runs():
    try:
        s2s.grad(reach_own)(np.array([0.3, -0.4]))
    except s2s.S2SError as exc:
        assert "holds its own 'fk'" in str(exc)
    else:
        raise AssertionError("not refused")
