"""vjp: the pullback can be called many times; the forward sweep runs once where it can."""
import math

import numpy as np
import pytest

import s2s

CALLS = []


def counted(v):
    CALLS.append(1)
    return v


@s2s.adjoint(counted)  # an identity with rules: called, not descended into (it has a side effect)
def _(g, ans, v):
    return (g,)


@s2s.tangent(counted)
def _(tangents, ans, v):
    return tangents[0]


def with_loop(x):
    y = counted(x) * 1.0
    for i in range(3):
        y = np.sin(y) * x
    return y


def with_nested_loops(x):
    s = x * 1.0
    for i in range(2):
        t = s
        for j in range(3):
            t = np.cos(t) + x
        s = s + t
    return s


def numeric_vjp(f, x, v, eps=1e-6):
    out = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps
        out[i] = np.sum(v * (f(x + e) - f(x - e))) / (2 * eps)
    return out


@pytest.mark.parametrize("f", [with_loop, with_nested_loops])
def test_pullback_called_many_times(f):
    x = np.array([0.3, -0.8, 1.1])
    value, pullback = s2s.vjp(f)(x)
    assert np.allclose(value, f(x))
    for v in (np.ones(3), np.array([0.5, -2.0, 1.0]), np.array([0.0, 1.0, 0.0])):
        assert np.allclose(pullback(v), numeric_vjp(f, x, v), rtol=1e-6, atol=1e-8)


def test_forward_sweep_runs_once_for_a_closure_pullback():
    x = np.array([0.3, -0.8, 1.1])
    g = s2s.vjp(with_loop)
    g.source  # transform before counting
    CALLS.clear()
    value, pullback = g(x)
    for _ in range(4):
        pullback(np.ones(3))
    assert len(CALLS) == 1
    assert "def pullback(cotangent):" in g.source
