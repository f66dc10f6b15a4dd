"""Records (namedtuples, typing.NamedTuples, dataclasses, dicts) carried by time-stepping loops, and calls of
s2s inside differentiated code (hunt round 9, the ODE hunt's findings 2, 8, 6 and 7). Each derivative is checked
against central differences in every mode that applies (values against the function run as it is)."""
import collections
import dataclasses
import typing

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad

State = collections.namedtuple("State", ["x", "v"])
P = collections.namedtuple("P", "pos vel")


class TState(typing.NamedTuple):
    x: float
    v: float


@dataclasses.dataclass
class DState:
    x: float
    v: float


def check_modes(f, args, wrt, v=1.0):
    """value_and_grad, jvp, both Jacobians, the Hessian and grad of grad of f (a number) with respect to the
    number args[wrt], against central differences; the values against f; the arguments left as they were."""
    kept = [a for a in args]
    value = f(*args)
    numeric = numeric_grad(f, args, wrt)
    primal, gradient = s2s.value_and_grad(f, wrt=wrt)(*args)
    assert primal == value
    assert_close(gradient, numeric, what=f"{f.__name__}: grad")
    primal, tangent = s2s.jvp(f, wrt=wrt)(args, (v,))
    assert primal == value
    assert_close(tangent, numeric * v, what=f"{f.__name__}: jvp")
    assert_close(s2s.jacobian(f, wrt=wrt, mode="forward")(*args), numeric, what=f"{f.__name__}: forward jacobian")
    assert_close(s2s.jacobian(f, wrt=wrt)(*args), numeric, what=f"{f.__name__}: reverse jacobian")
    up, down = list(args), list(args)
    up[wrt] += 1e-4
    down[wrt] -= 1e-4
    second = (numeric_grad(f, up, wrt, 1e-5) - numeric_grad(f, down, wrt, 1e-5)) / 2e-4
    assert_close(s2s.hessian(f, wrt=wrt)(*args), second, 1e-4, 1e-5, what=f"{f.__name__}: hessian")
    assert_close(s2s.grad(s2s.grad(f, wrt=wrt), wrt=wrt)(*args), second, 1e-4, 1e-5,
                 what=f"{f.__name__}: grad of grad")
    assert all(a is b for a, b in zip(args, kept))


# ---------------------------------------------------------------- 2: a record state that starts without a tangent
# (forward mode's zero tangent of a namedtuple, rt.zeros_like, was a plain tuple: ds.x raised AttributeError)

def nt_loop(x0, k):
    s = State(x0, 0.0)
    for i in range(2):
        s = State(s.x + s.v, s.v - k * s.x)
    return s.x


def typed_loop(x0, k):
    s = TState(x0, 0.0)
    for i in range(3):
        s = TState(s.x + s.v, s.v - k * s.x)
    return s.x * s.v


def dataclass_loop(x0, k):
    s = DState(x0, 0.0)
    for i in range(3):
        s = DState(s.x + s.v, s.v - k * s.x)
    return s.x * s.v


def dict_of_records(x0, k):
    st = {"s": State(x0, 0.0), "e": 0.0}
    for i in range(3):
        s = st["s"]
        st = {"s": State(s.x + 0.1 * s.v, s.v - 0.1 * k * s.x), "e": st["e"] + s.x ** 2}
    return st["e"] + st["s"].v


def dict_state(x0, k):
    s = {"x": x0, "v": 0.0}
    for i in range(3):
        s = {"x": s["x"] + 0.1 * s["v"], "v": s["v"] - 0.1 * k * s["x"]}
    return s["x"] * s["v"]


def array_fields(x0, k):
    s = P(np.array([1.0, 0.5]) * x0, np.zeros(2))
    for i in range(3):
        s = P(s.pos + 0.1 * s.vel, s.vel - 0.1 * k * np.sin(s.pos))
    return np.sum(s.pos ** 2)


def stored_state(x0, k):
    s = State(x0, 0.0)
    traj = np.zeros((3, 2))
    for i in range(3):
        s = State(s.x + 0.1 * s.v, s.v - 0.1 * k * s.x)
        traj[i] = s
    return np.sum(traj ** 2)


def record_argument(s, k):
    for i in range(3):
        s = P(s.pos + 0.1 * s.vel, s.vel - 0.1 * k * s.pos)
    return s.pos * s.vel


def constant_start(k):
    s = State(1.0, 0.0)
    for i in range(3):
        s = State(s.x + 0.1 * s.v, s.v - 0.1 * k * s.x)
    return s.x ** 2 + s.v


@pytest.mark.parametrize("f, args, wrt", [
    (nt_loop, (0.5, 1.2), 1), (nt_loop, (0.5, 1.2), 0), (typed_loop, (0.5, 1.2), 1),
    (dataclass_loop, (0.5, 1.2), 1), (dict_of_records, (0.5, 1.2), 1), (dict_state, (0.5, 1.2), 1),
    (array_fields, (0.5, 1.2), 1), (stored_state, (0.5, 1.2), 1), (record_argument, (P(1.0, 0.3), 1.2), 1),
    (constant_start, (1.2,), 0)], ids=lambda a: getattr(a, "__name__", None))
def test_record_state_without_a_tangent_every_mode(f, args, wrt):
    check_modes(f, args, wrt)


def returned_state(k, n=3):
    s = State(1.0, 0.0)
    for i in range(n):
        s = State(s.x + 0.1 * s.v, s.v - 0.1 * k * s.x)
    return s


def test_returned_record_state_forward_modes():
    """The tangent of a returned namedtuple is one of its class, in jvp and the forward Jacobian, also where the
    loop runs no step (the zero tangent itself)."""
    eps = 1e-6
    for n in (3, 0):
        numeric = [(a - b) / (2 * eps) for a, b in zip(returned_state(1.3 + eps, n), returned_state(1.3 - eps, n))]
        value, tangent = s2s.jvp(returned_state)((1.3, n), (1.0,))
        assert value == returned_state(1.3, n)
        assert type(tangent) is State
        assert_close(list(tangent), numeric, what="jvp")
        for mode in ("forward", "reverse"):
            jac = s2s.jacobian(returned_state, mode=mode)(1.3, n)
            assert type(jac) is State
            assert_close([float(j) for j in jac], numeric, what=f"{mode} jacobian")
