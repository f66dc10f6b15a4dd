"""Costs of generated code, round 19 (issue 13, perf19).

- A NumPy function's value read only for its shape in a reversed loop (`h = np.sin(h) * w`: the adjoint of the
  product unbroadcasts to np.sin(h)'s shape) was computed again per reversed step, a whole array's sines for a
  shape: now the read takes `rt.array_shape(h)`, the shape NumPy reads of the h the reversed loop has anyway (of a
  list too, which np.sin reads as an array), nothing saved and nothing recomputed (ad/loop_saves.py).
- rt.unbroadcast of a number's adjoint into a number (every operation of a scalar loop whose values s2s cannot
  prove numbers, as `s[2]` of an array of unknown rank) returns at its first test.

Each against finite differences in every mode that applies, the value against the function's own, and the text
against what the change promises.
"""
from __future__ import annotations

import numpy as np
import pytest

import s2s
from s2s import runtime as rt
from tests.conftest import assert_close, check_every_mode, numeric_grad

X = np.array([0.9, 1.1, 0.7])


def _reversed_loop(source: str) -> str:
    """The generated code from the first reversed loop on, without its comments (which quote the user's lines)."""
    return "\n".join(line for line in source[source.index("reversed("):].splitlines()
                     if not line.strip().startswith("#"))


# ------------------------------------------------ np.sin(h) of an array, read in the reversed loop for its shape

def sine_recurrence(x):
    h = x
    s = 0.0
    for t in range(5):
        s = s + np.sum(h * h)
        h = np.sin(h) * 0.8
    return s


C = np.array([0.5, -0.3, 0.8])


def sine_plus(x):
    h = x * 1.0
    for t in range(5):
        h = np.sin(h) * C + x
    return np.sum(h * h)


def exp_scaled(x):
    h = x
    for t in range(4):
        h = np.exp(-h) * 0.5 * x[1] + x[2]
    return np.sum(h)


def sine_of_argument(x, w):
    h = x
    s = 0.0
    for t in range(4):
        s = s + np.sum(h) * w
        h = np.sin(h) * w
    return s


@pytest.mark.parametrize("f", [sine_recurrence, sine_plus, exp_scaled])
def test_function_read_for_its_shape_every_mode(f):
    check_every_mode(f, X)


@pytest.mark.parametrize("f", [sine_plus, sine_of_argument])
def test_function_read_for_its_shape_not_recomputed(f):
    source = s2s.grad(f).source
    loop = _reversed_loop(source)
    assert "np.sin" not in loop and "rt.array_shape(h" in loop, source


def test_function_read_for_its_shape_of_a_list():
    # (h is the caller's list at the first step: np.sin reads it as an array, whose shape the adjoint is unbroadcast
    # to; h's own unbroadcast would split it into the list's parts)
    g = s2s.grad(sine_of_argument, wrt=(0, 1))
    for x in ([0.3, -0.5, 1.2], [[0.3, -0.5], [1.2, 0.1]], 0.4):
        gx, gw = g(x, 0.7)
        assert_close(np.asarray(gx), numeric_grad(sine_of_argument, (np.asarray(x, dtype=float), 0.7), 0), 1e-5, 1e-6)
        assert_close(gw, numeric_grad(sine_of_argument, (np.asarray(x, dtype=float), 0.7), 1), 1e-5, 1e-6)
        assert type(gx) is type(x) if not isinstance(x, float) else np.ndim(gx) == 0
    value, pullback = s2s.vjp(sine_of_argument)([0.3, -0.5, 1.2], 0.7)
    assert value == pytest.approx(sine_of_argument(np.array([0.3, -0.5, 1.2]), 0.7), rel=1e-12)
    assert_close(np.asarray(pullback(1.0)),
                 numeric_grad(sine_of_argument, (np.array([0.3, -0.5, 1.2]), 0.7), 0), 1e-5, 1e-6)


def test_array_shape():
    assert rt.array_shape(np.zeros((2, 3))).shape == (2, 3)
    assert rt.array_shape([[1.0, 2.0]]).shape == (1, 2)
    assert rt.array_shape(0.5).shape == () and rt.array_shape(np.float64(0.5)).shape == ()
    assert rt.array_shape(3).shape == ()
    g = np.ones((2, 2))
    assert_close(rt.unbroadcast(g, rt.array_shape([1.0, 2.0])), np.array([2.0, 2.0]), 0, 0)


# ------------------------------------------------ rt.unbroadcast of numbers

@pytest.mark.parametrize("g, x", [(np.float64(1.5), np.float64(2.0)), (1.5, 2.0), (np.float64(1.5), 2.0),
                                  (1.5, rt.shape_of(2.0)), (np.float64(1.5), rt.shape_of(np.float64(2.0)))])
def test_unbroadcast_number_into_number(g, x):
    out = rt.unbroadcast(g, x)
    assert out is g


@pytest.mark.parametrize("g, x, expected", [(0.0, np.zeros(3), np.zeros(3)), (2.0, rt.shape_of(np.zeros(2)),
                                                                             np.full(2, 2.0)),
                                            (np.ones(3), 1.0, 3.0), (np.ones((2, 2)), rt.shape_of(np.zeros(2)),
                                                                     np.full(2, 2.0))])
def test_unbroadcast_numbers_and_arrays(g, x, expected):
    assert_close(rt.unbroadcast(g, x), expected, 0, 0)


def cartpole_dyn(s, u, p):
    x, xd, th, thd = s[0], s[1], s[2], s[3]
    mc, mp, l, g = p["mc"], p["mp"], p["l"], 9.81
    st, ct = np.sin(th), np.cos(th)
    tmp = (u + mp * l * thd ** 2 * st) / (mc + mp)
    thdd = (g * st - ct * tmp) / (l * (4.0 / 3.0 - mp * ct ** 2 / (mc + mp)))
    xdd = tmp - mp * l * thdd * ct / (mc + mp)
    return np.array([xd, xdd, thd, thdd])


P = {"mc": 1.0, "mp": 0.1, "l": 0.5}
S0 = np.array([0.0, 0.1, 0.2, -0.1])


def mpc_cost(us):
    s = S0
    cost = 0.0
    for t in range(len(us)):
        s = s + 0.05 * cartpole_dyn(s, us[t], P)
        cost = cost + 0.1 * us[t] ** 2 + s[2] ** 2 + 0.01 * s[0] ** 2
    return cost + 10.0 * (s[2] ** 2 + s[3] ** 2)


def test_scalar_dynamics_every_mode():
    check_every_mode(mpc_cost, np.array([0.5, -0.2, 0.3, 0.1]))


# ------------------------------------------------ np.concatenate of a display in a loop: recomputed from its parts
# (an LSTM's gates `np.concatenate((x, h, x, h)) * w`, an RNN's `W @ np.concatenate([xs[t], h])`): the reversed loop
# joined its parts again rather than saving the joined array per step (LSTM gradient peak memory 1.21x -> 1.13x the
# hand-written backward pass; an RNN of 200 steps of width 64: 428 -> 289 kB)

RNG = np.random.default_rng(3)
XS = RNG.normal(size=(5, 2))
H0 = RNG.normal(size=3) * 0.5
W0 = RNG.normal(size=(3, 5)) * 0.4


def rnn_joined_list(W):
    h = H0
    s = 0.0
    for t in range(len(XS)):
        z = np.concatenate([XS[t], h])
        h = np.tanh(W @ z)
        s = s + np.sum(h * h)
    return s


def rnn_joined_tuple(W):
    h = H0
    s = 0.0
    for t in range(len(XS)):
        h = np.tanh(W @ np.concatenate((XS[t], h)))
        s = s + np.sum(h * h)
    return s


def gates_joined(w):
    h = H0
    x = np.array([0.3, -0.2, 0.6])
    s = 0.0
    for t in range(4):
        gates = np.concatenate((x, h, x, h)) * w
        h = np.tanh(gates[0:3]) * (1.0 / (1.0 + np.exp(-gates[6:9]))) + gates[3:6] * gates[9:]
        s = s + np.sum(h)
    return s


def joined_list_kept(W):
    h = H0
    kept = []
    s = 0.0
    for t in range(len(XS)):
        parts = [XS[t], h]
        z = np.concatenate(parts)
        kept.append(parts)
        h = np.tanh(W @ z)
        s = s + np.sum(h * h)
    return s + np.sum(kept[0][1])


@pytest.mark.parametrize("f, x", [(rnn_joined_list, W0), (rnn_joined_tuple, W0),
                                  (gates_joined, RNG.normal(size=12) * 0.5), (joined_list_kept, W0)])
def test_joined_display_every_mode(f, x):
    check_every_mode(f, x)
    value, pullback = s2s.vjp(f)(x)
    assert value == pytest.approx(f(x), rel=1e-12)
    assert_close(pullback(1.0), numeric_grad(f, (x,), 0), 1e-5, 1e-6, what=f"{f.__name__}: vjp")


@pytest.mark.parametrize("f", [rnn_joined_list, rnn_joined_tuple, gates_joined])
def test_joined_display_not_saved(f):
    source = s2s.grad(f).source
    forward = source[:source.index("reversed(")]
    joined = [line.split("=")[0].strip() for line in forward.splitlines() if "= np.concatenate(" in line]
    assert "np.concatenate(" in _reversed_loop(source), source
    assert not any(f".append({name})" in forward for name in joined), source
