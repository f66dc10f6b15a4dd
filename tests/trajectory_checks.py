"""The mode-by-mode checks of a trajectory function `f(y0, k)` (a state grown in a list, read after the append),
shared by tests/test_hunt12_trajectory.py and tests/test_hunt13_trajectory.py: every mode against finite differences.
"""
from __future__ import annotations

import copy

import numpy as np

import s2s
from conftest import assert_close, numeric_grad, numeric_hessian

Y0 = np.array([0.2, 0.7, 1.3])
K = 0.8


def check_reverse_modes(f, y0, k=K):
    """grad, value_and_grad, vjp (its pullback run twice) and the reverse Jacobian of `f` at (`y0`, `k`); `y0` is
    left as it was."""
    args = (copy.deepcopy(y0), k)
    want = tuple(numeric_grad(f, args, i) for i in (0, 1))
    got = s2s.grad(f, wrt=(0, 1))(*args)
    for g, w in zip(got, want):
        assert_close(g, w, what=f"grad {f.__name__}")
    value, got = s2s.value_and_grad(f, wrt=(0, 1))(*args)
    assert_close(value, f(*args), what="value")
    for g, w in zip(got, want):
        assert_close(g, w, what="value_and_grad")
    value, pullback = s2s.vjp(f, wrt=(0, 1))(*args)
    assert_close(value, f(*args), what="vjp value")
    for _ in range(2):  # (a pullback run again: the list adjoint it cuts back in place is its own copy)
        for g, w in zip(pullback(2.0), want):
            assert_close(g, 2.0 * w, what="vjp")
    assert_close(s2s.jacobian(f)(*args), want[0], what="reverse jacobian")
    assert_close(args[0], y0, what="argument unchanged")


def check_forward_modes(f, y0=Y0, k=K):
    """jvp in both arguments and the forward Jacobian of `f`."""
    dy = np.array([0.3, -0.2, 0.5])
    value, tangent = s2s.jvp(f, wrt=(0, 1))((y0, k), (dy, 0.7))
    want = numeric_grad(f, (y0, k), 0) @ dy + 0.7 * numeric_grad(f, (y0, k), 1)
    assert_close(value, f(y0, k), what="jvp value")
    assert_close(tangent, want, what=f"jvp {f.__name__}")
    assert_close(s2s.jacobian(f, mode="forward")(y0, k), numeric_grad(f, (y0, k), 0), what="forward jacobian")


def check_second_order(f, y0=Y0, k=K):
    """The Hessian in each argument, forward over reverse and reverse over reverse (the list adjoint a reversed loop
    cuts back in place is saved as a copy, or read as a new list), and grad of grad."""
    want = numeric_hessian(lambda y: f(y, k), y0)
    assert_close(s2s.hessian(f)(y0, k), want, rtol=1e-4, atol=1e-5, what=f"hessian {f.__name__}")
    assert_close(s2s.jacobian(s2s.grad(f))(y0, k), want, rtol=1e-4, atol=1e-5, what=f"jacobian of grad {f.__name__}")
    want = numeric_hessian(lambda kk: f(y0, kk), k)
    assert_close(s2s.hessian(f, wrt=1)(y0, k), want, rtol=1e-4, atol=1e-5, what="hessian in k")
    assert_close(s2s.grad(s2s.grad(f, wrt=1), wrt=1)(y0, k), want, rtol=1e-4, atol=1e-5, what="grad of grad")
