"""Round 10, finance hunt (hunt10fin): an attribute named like an array's of an object taken from a list
(`cf.T` of a cash flow CF(amount, T)) and reverse over reverse of np.dot of a list grown in a loop."""
import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_hessian


# ---------------------------------------------------------------- C1: np.dot of a list grown by append, twice reversed
def grown(a):
    xs = [a]
    for i in range(2):
        xs.append(a * i)
    return np.dot(xs, xs)


R = np.array([0.3, -0.5])


def recursion(a):  # (a two-term recursion, as an AR or a GARCH variance list)
    xs = [R[0] * a, R[1]]
    for i in range(3):
        xs.append(a * xs[-1] + (1 - a) * xs[-2])
    return np.dot(xs, xs)


W = np.array([0.5, -1.0, 2.0])


def grown_rows(x):
    xs = [x]
    for i in range(2):
        xs.append(np.sin(x) * i)
    return np.sum(np.dot(xs, W) ** 2)


@pytest.mark.parametrize("f,x", [(grown, 0.3), (recursion, 0.3), (grown_rows, np.array([0.2, -0.4, 0.9]))])
def test_dot_of_a_grown_list_reversed_twice(f, x):
    # (the list's adjoint is an array there, np.dot's: the transposes of appended_adjoint and appended_item_adjoint
    # made a list of its rows and of numbers out of it, a ValueError in the vjp of the gradient)
    check_every_mode(f, x)
    expected = numeric_hessian(f, x)
    assert_close(s2s.jacobian(s2s.grad(f), mode="forward")(x), expected, 1e-4, 1e-5)
    _, pullback = s2s.vjp(s2s.grad(f))(x)
    assert_close(pullback(np.ones(np.shape(x))), np.sum(np.reshape(expected, (np.size(x), np.size(x))), 0)
                 .reshape(np.shape(x)), 1e-4, 1e-5)
