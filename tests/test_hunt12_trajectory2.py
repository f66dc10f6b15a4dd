"""Trajectories appended under an if/else or twice per iteration (hunt12reg F6), and the refusal of reverse mode
over the stacks of a gradient called in a loop, which named a variable s2s made (hunt12reg F11)."""
import copy

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad, numeric_hessian
from s2s.errors import S2SError


def loss(w, X, y):
    tot = 0.0
    for i in range(X.shape[0]):
        tot = tot + (np.tanh(X[i] @ w) - y[i]) ** 2
    return tot / X.shape[0]


def sgd(w, X, y):
    for k in range(3):
        w = w - 0.1 * s2s.grad(loss)(w, X, y)
    return loss(w, X, y)


def test_refusal_of_vjp_over_an_unrolled_sgd_loop_names_the_users_loop():
    rs = np.random.RandomState(0)
    X, y, w = rs.randn(5, 4), rs.randn(5), rs.randn(4) * 0.1
    with pytest.raises(S2SError) as info:
        s2s.vjp(sgd)(w, X, y)
    text = str(info.value)
    assert "_saved" not in text and "'t6" not in text, text
    assert "the loop 'for i in range(X.shape[0]):' of loss" in text, text
    assert "w = w - 0.1 * s2s.grad(loss)(w, X, y)" in text and "forward mode" in text, text


N = 5


def two_appends(y0, k):
    ys = [y0]
    for t in range(N):
        ys.append(ys[-1] * 0.9 + 0.1 * k)
        ys.append(np.sin(ys[-1]) * k)
    return np.sum(ys[-1] ** 2) + np.sum(ys[N // 2])


def position_velocity(x0, k):
    """Position and velocity appended one after the other: the second reads the first and the item before it."""
    ys = [x0, 0.0 * x0]
    for t in range(N):
        ys.append(ys[-2] + 0.1 * ys[-1])
        ys.append(ys[-2] - 0.1 * k * np.sin(ys[-1]))
    return np.sum(ys[-2] ** 2) + np.sum(ys[-1] * ys[3])


def three_appends(y0, k):
    ys = [y0]
    for t in range(N):
        ys.append(np.tanh(ys[-1] * k))
        ys.append(ys[-1] + ys[0] * 0.1)
        ys.append(ys[-1] * ys[t])
    return np.sum(np.stack(ys) ** 2)


def in_while(y0, k):
    ys = [y0]
    while len(ys) < 2 * N:
        ys.append(np.cos(ys[-1]) * k)
        ys.append(ys[-1] + 0.5 * ys[-2])
    return np.sum(ys[-1] ** 2)


def if_else(y0, k):
    ys = [y0]
    for t in range(N):
        if t % 3 == 0:
            ys.append(ys[-1] * k)
        else:
            ys.append(ys[-1] * 0.5 + np.sin(ys[-1]))
    return np.sum(ys[-1] ** 2)


def if_only(y0, k):
    ys = [y0]
    for t in range(N):
        if t % 2 == 0:
            ys.append(np.tanh(ys[-1] * k))
    return np.sum(ys[-1] ** 2) + len(ys)


def if_with_reads(y0, k):
    """Reads outside the if (ys[0]) and of the item before the last in a branch (ys[-2]); the branch taken by a
    value, not the counter."""
    ys = [y0, y0 * k]
    for t in range(N):
        z = ys[0] * 0.1
        if np.sum(ys[-1]) > 1.0:
            ys.append(np.sin(ys[-1]) + z)
        else:
            ys.append(ys[-1] * k - 0.3 * ys[-2])
    return np.sum(ys[-1] ** 2) + np.sum(ys[2])


def read_after_if(y0, k):
    """Appended under an if only, read after it in the same iteration (the list the if joins)."""
    ys = [y0]
    out = 0.0
    for t in range(N):
        if t % 2:
            ys.append(ys[-1] * k + 0.1 * np.sin(ys[0]))
        out = out + np.sum(ys[-1] * ys[-1]) + np.sum(ys[0])
    return out + np.sum(ys[-1] ** 2)


FUNCTIONS = [two_appends, position_velocity, three_appends, in_while, if_else, if_only, if_with_reads,
             read_after_if]
Y0 = np.array([0.2, 0.7, 1.3])
K = 0.8


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("y0", [Y0, 0.6], ids=["array", "number"])
def test_reverse_modes_match_finite_differences(f, y0):
    y = copy.deepcopy(y0)
    want = tuple(numeric_grad(f, (y, K), i) for i in (0, 1))
    for g, w in zip(s2s.grad(f, wrt=(0, 1))(y, K), want):
        assert_close(g, w, what=f"grad {f.__name__}")
    value, got = s2s.value_and_grad(f, wrt=(0, 1))(y, K)
    assert_close(value, f(y0, K), what="value")
    assert_close(got[0], want[0], what="value_and_grad")
    value, pullback = s2s.vjp(f, wrt=(0, 1))(y, K)
    assert_close(value, f(y0, K), what="vjp value")
    for _ in range(2):  # (the pullback run again: the list adjoint it cuts back in place is its own)
        for g, w in zip(pullback(2.0), want):
            assert_close(g, 2.0 * w, what="vjp")
    assert_close(s2s.jacobian(f)(y, K), want[0], what="jacobian")
    assert_close(y, y0, what="argument unchanged")


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_forward_and_second_order_match_finite_differences(f):
    dy = np.array([0.3, -0.2, 0.5])
    value, tangent = s2s.jvp(f, wrt=(0, 1))((Y0, K), (dy, 0.7))
    assert_close(value, f(Y0, K), what="jvp value")
    assert_close(tangent, numeric_grad(f, (Y0, K), 0) @ dy + 0.7 * numeric_grad(f, (Y0, K), 1), what="jvp")
    assert_close(s2s.jacobian(f, mode="forward")(Y0, K), numeric_grad(f, (Y0, K), 0), what="forward jacobian")
    want = numeric_hessian(lambda y: f(y, K), Y0)
    assert_close(s2s.hessian(f)(Y0, K), want, rtol=1e-4, atol=1e-5, what=f"hessian {f.__name__}")
    assert_close(s2s.jacobian(s2s.grad(f))(Y0, K), want, rtol=1e-4, atol=1e-5, what="jacobian of grad")
    want = numeric_hessian(lambda k: f(Y0, k), K)
    assert_close(s2s.grad(s2s.grad(f, wrt=1), wrt=1)(Y0, K), want, rtol=1e-4, atol=1e-5, what="grad of grad")


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_cost_linear(f):
    """Linear cost, not timed: the forward sweep grows the list in place and saves items, never the list, and
    the reversed loop cuts the list adjoint back in place (was a copy of the list per append both ways)."""
    text = s2s.grad(f, wrt=(0, 1)).source
    assert "_saved.append(ys" not in text and "rt.appended_adjoint" not in text, text
    assert " + [" not in text and "ys_1 += [" in text, text
    assert "rt.popped_adjoint(" in text and "rt.added_at_part(" in text, text
