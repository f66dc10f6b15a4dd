"""Silent wrong derivatives found by the real-program bug hunt over ML and statistics programs, each checked
against finite differences (or refused at the user's line where s2s cannot be exact)."""
from __future__ import annotations

import numpy as np
import pytest

import s2s

from conftest import assert_close, numeric_hessian


def numeric_jacobian(f, args, wrt, eps=1e-6):
    """Central differences of array-valued f with respect to args[wrt]: shape value.shape + arg.shape."""
    args = [np.asarray(a, dtype=float) for a in args]
    x = args[wrt]
    columns = []
    for idx in np.ndindex(x.shape):
        plus, minus = list(args), list(args)
        plus[wrt], minus[wrt] = x.copy(), x.copy()
        plus[wrt][idx] += eps
        minus[wrt][idx] -= eps
        columns.append((np.asarray(f(*plus)) - np.asarray(f(*minus))) / (2 * eps))
    value_shape = np.shape(f(*args))
    return np.moveaxis(np.array(columns), 0, -1).reshape(value_shape + x.shape)


# ---------------------------------------------------------------- np.correlate, every mode and every pair of lengths
# NumPy's 'same' correlates the longer operand with the shorter and reverses the result when v is the longer, so it
# is not np.convolve(a, v[::-1], 'same') when len(a) < len(v) and len(a) is even: the reverse rule was shifted by one

def correlate_valid(a, v):
    return np.correlate(a, v, mode="valid")


def correlate_same(a, v):
    return np.correlate(a, v, mode="same")


def correlate_full(a, v):
    return np.correlate(a, v, mode="full")


def sin_correlate_valid(z, n):  # a = z[:n], v = z[n:]: the Hessian in both operands at once
    return np.sum(np.sin(np.correlate(z[:n], z[n:], mode="valid")))


def sin_correlate_same(z, n):  # a = z[:n], v = z[n:]: the Hessian in both operands at once
    return np.sum(np.sin(np.correlate(z[:n], z[n:], mode="same")))


def sin_correlate_full(z, n):  # a = z[:n], v = z[n:]: the Hessian in both operands at once
    return np.sum(np.sin(np.correlate(z[:n], z[n:], mode="full")))


CORRELATES = {"valid": (correlate_valid, sin_correlate_valid), "same": (correlate_same, sin_correlate_same),
              "full": (correlate_full, sin_correlate_full)}
LENGTHS = [(n, m) for n in range(1, 7) for m in range(1, 7)]


def _operands(n, m):
    rng = np.random.default_rng(10 * n + m)
    return rng.normal(size=n), rng.normal(size=m)


def test_correlate_same_shorter_even_first_operand():
    # the hunt's reproducer: a = [1, 2], v = [1, 10, 100] gives [210, 21, 2]; d/da is [[10, 100], [1, 10], [0, 1]]
    a, v = np.array([1.0, 2.0]), np.array([1.0, 10.0, 100.0])
    expected = np.array([[10.0, 100.0], [1.0, 10.0], [0.0, 1.0]])
    assert_close(s2s.jacobian(correlate_same, wrt=0)(a, v), expected, what="reverse jacobian")
    assert_close(s2s.jacobian(correlate_same, wrt=0, mode="forward")(a, v), expected, what="forward jacobian")


@pytest.mark.parametrize("mode", sorted(CORRELATES))
@pytest.mark.parametrize("n, m", LENGTHS)
def test_correlate_every_mode_and_length(mode, n, m):
    f, _ = CORRELATES[mode]
    a, v = _operands(n, m)
    for wrt in (0, 1):
        numeric = numeric_jacobian(f, (a, v), wrt)
        assert_close(s2s.jacobian(f, wrt=wrt)(a, v), numeric, what=f"reverse jacobian wrt {wrt}")
        assert_close(s2s.jacobian(f, wrt=wrt, mode="forward")(a, v), numeric, what=f"forward jacobian wrt {wrt}")
    da, dv = np.linspace(-1.0, 1.0, n) + 0.3, np.linspace(1.0, -0.5, m)
    value, tangent = s2s.jvp(f, wrt=(0, 1))((a, v), (da, dv))
    assert np.array_equal(value, f(a, v))
    expected = numeric_jacobian(f, (a, v), 0) @ da + numeric_jacobian(f, (a, v), 1) @ dv
    assert_close(tangent, expected, what="jvp")
    cotangent = np.linspace(0.5, -1.5, np.size(value))
    _, pullback = s2s.vjp(f, wrt=(0, 1))(a, v)
    ga, gv = pullback(cotangent)
    assert_close(ga, cotangent @ numeric_jacobian(f, (a, v), 0), what="vjp wrt a")
    assert_close(gv, cotangent @ numeric_jacobian(f, (a, v), 1), what="vjp wrt v")


@pytest.mark.parametrize("mode", sorted(CORRELATES))
@pytest.mark.parametrize("n, m", LENGTHS)
def test_correlate_hessian_every_mode_and_length(mode, n, m):
    _, f = CORRELATES[mode]
    z = np.concatenate(_operands(n, m))
    assert_close(s2s.hessian(f)(z, n), numeric_hessian(lambda z: f(z, n), z), 1e-4, 1e-5, what="hessian")
