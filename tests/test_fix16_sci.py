"""Second derivatives in reverse mode of a list a loop grows and reads (issue 13, round 16): `s2s.jacobian(s2s.grad(f))`
of a trajectory kept in a list of arrays (`tr.append(tr[-1] + h * g(tr[-1]))`, a two-step AB2 list) took 0.38 / 0.97 /
3.0 / 14.4 s at 125 / 250 / 500 / 1000 steps: the gradient's list adjoint, cut back in place by its reversed loop
(rt.popped_adjoint, rt.added_at_part), was read as new lists when reversed again (a copy of the list adjoint, a list of
zeros and a whole sum per step, the list adjoint saved per step). Reversed again, its adjoint now grows back in place
(rt.pushed_part, rt.added_at_part: ad/shrunk_lists.py), also where the list is read after the append (a loss along
the trajectory: the adds before the cut moved past it). Each form against finite differences in every mode, and the
text of the gradient's vjp against list-long work per step.
"""

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad, numeric_hessian
from trajectory_checks import K, Y0, check_forward_modes, check_reverse_modes, check_second_order

N = 6


def euler_list(y0, k):
    tr = [y0]
    for i in range(N):
        tr.append(tr[-1] + 0.1 * k * np.sin(tr[-1]))
    return np.sum(tr[-1] ** 2)


def ab2_list(y0, k):
    tr = [y0, y0 + 0.1 * np.sin(y0)]
    for i in range(N):
        tr.append(tr[-1] + 0.1 * k * (1.5 * np.sin(tr[-1]) - 0.5 * np.sin(tr[-2])))
    return np.sum(tr[-1] ** 2) + np.sum(tr[1] * tr[-3])


def first_and_last(y0, k):
    tr = [y0 * k]
    for i in range(N):
        tr.append(np.tanh(tr[-1]) * k + 0.2 * tr[0])
    return np.sum(tr[-1] * tr[2])


def stacked(y0, k):
    tr = [y0]
    for i in range(N):
        tr.append(tr[-1] + 0.1 * np.cos(k * tr[-1]))
    return np.sum(np.stack(tr) ** 2)


def nested(y0, k):
    total = 0.0
    for j in range(2):
        tr = [y0 * (j + 1)]
        for i in range(N):
            tr.append(tr[-1] + 0.1 * k * np.sin(tr[-1]))
        total = total + np.sum(tr[-1] ** 2)
    return total


def read_in_if(y0, k):
    tr = [y0]
    acc = 0.0
    for i in range(N):
        tr.append(tr[-1] + 0.1 * k * np.sin(tr[-1]))
        if i % 2 == 0:
            acc = acc + np.sum(tr[-1] * tr[-2])
    return acc + np.sum(tr[-1])


def loss_along(y0, k):
    tr = [y0]
    loss = 0.0
    for i in range(N):
        tr.append(tr[-1] + 0.1 * k * np.sin(tr[-1]))
        loss = loss + np.sum(tr[-1] * tr[-2] ** 2)
    return loss


def scalar_list(x0, k):
    tr = [x0]
    for i in range(N):
        tr.append(tr[-1] + 0.1 * k * np.sin(tr[-1]))
    return tr[-1] ** 2


FORMS = [euler_list, ab2_list, first_and_last, stacked, nested, read_in_if, loss_along]


@pytest.mark.parametrize("f", FORMS, ids=lambda f: f.__name__)
def test_every_mode(f):
    check_reverse_modes(f, Y0)
    check_forward_modes(f)
    check_second_order(f)


@pytest.mark.parametrize("f", FORMS, ids=lambda f: f.__name__)
def test_reverse_over_reverse(f):
    """The vjp of the gradient (its pullback run twice), and the Jacobian of the gradient in both modes and in both
    arguments, against finite differences of the gradient."""
    g = s2s.grad(f, wrt=(0, 1))
    y0 = Y0.copy()
    want_yy = numeric_hessian(lambda y: f(y, K), Y0)
    want_yk = numeric_grad(lambda kk: numeric_grad(f, (Y0, kk), 0, 1e-5), (K,), 0, 1e-4)
    value, pullback = s2s.vjp(s2s.grad(f))(y0, K)
    assert_close(value, numeric_grad(f, (Y0, K), 0), what="vjp value")
    v = np.array([0.4, -1.1, 0.3])
    for _ in range(2):
        assert_close(pullback(v), want_yy @ v, rtol=1e-4, atol=1e-5, what=f"vjp of grad {f.__name__}")
    for mode in ("reverse", "forward"):
        assert_close(s2s.jacobian(s2s.grad(f), mode=mode)(y0, K), want_yy, rtol=1e-4, atol=1e-5, what=mode)
        jk = s2s.jacobian(lambda y, kk: g(y, kk)[0], wrt=1, mode=mode)(y0, K)
        assert_close(jk, want_yk, rtol=1e-4, atol=1e-5, what=f"{mode} jacobian in k")
    assert_close(y0, Y0, what="argument unchanged")


def test_scalar_list_grad_of_grad():
    want = numeric_hessian(lambda x: scalar_list(x, K), 0.3)
    assert_close(s2s.grad(s2s.grad(scalar_list))(0.3, K), want, rtol=1e-4, atol=1e-5)
    assert_close(s2s.jacobian(s2s.grad(scalar_list))(0.3, K), want, rtol=1e-4, atol=1e-5)
    assert_close(s2s.hessian(scalar_list)(0.3, K), want, rtol=1e-4, atol=1e-5)
    want_k = numeric_hessian(lambda kk: scalar_list(0.3, kk), K)
    assert_close(s2s.grad(s2s.grad(scalar_list, wrt=1), wrt=1)(0.3, K), want_k, rtol=1e-4, atol=1e-5)


grad_euler = s2s.grad(euler_list)
W = np.array([0.5, -0.3, 0.8])


def slope(y0, k):
    return np.sum(grad_euler(y0, k) * W)


def test_function_of_the_gradient():
    """A function of the gradient through its gradient (reverse over reverse, the list adjoint grown back in place)
    and its jvp, against finite differences."""
    check_reverse_modes(slope, Y0)
    check_forward_modes(slope)
    assert "rt.pushed_part(" in s2s.grad(slope).source


@pytest.mark.parametrize("f", [euler_list, ab2_list, first_and_last, stacked, nested, loss_along],
                         ids=lambda f: f.__name__)
def test_grown_back_in_place(f):
    """The gradient's vjp grows the list adjoint back in place: no list of zeros, no copy of all its parts, per step."""
    source = s2s.vjp(s2s.grad(f)).source
    assert "rt.pushed_part(" in source
    for spelled in ("appended_item_transpose", "appended_adjoint_transpose", "popped_transpose",
                    "rt.appended_adjoint("):
        assert spelled not in source, spelled
