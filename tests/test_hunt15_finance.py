"""Round 15's finance and geometry hunt (hunt15fin C1, M1, M2, R3).

C1: a recursion slicing its list or tuple argument down to empty (`if not cfs: return 0.0; return (cfs[0] +
f(y, cfs[1:])) / (1 + y)`, the present value of cash flows) crashed in grad of grad, the reverse Jacobian of the
gradient and vjp of the gradient: the second-order pullback adds the adjoints of the rule's tuple part by part
(`rt.adjoint_part_adjoint(...) + rt.adjoint_part_adjoint(...)`), and the empty list's part was 0.0 (its rule's
None) in one and a list in the other, so `0.0 + []` raised, with advice (`pass np.asarray(cfs)`) that breaks `not
cfs`; a list of (t, c) pairs raised a bare TypeError. Every mode is now checked against finite differences."""
import math

import numpy as np
import pytest

import s2s
from conftest import assert_close

Y = 0.04
CFS = [3.0, 3.0, 103.0]
FLOWS = [(1.0, 3.0), (2.0, 3.0), (3.0, 103.0)]


def fib_bond(y, cfs):  # (hunt15fin C1)
    if not cfs:
        return 0.0
    return (cfs[0] + fib_bond(y, cfs[1:])) / (1 + y)


def pv_pairs(y, flows):  # (hunt15fin C1b)
    if len(flows) == 0:
        return 0.0
    (t, c), rest = flows[0], flows[1:]
    return c * math.exp(-y * t) + pv_pairs(y, rest)


def disc_rec(r, ts):
    if len(ts) == 0:
        return 0.0
    return np.exp(-r * ts[0]) * (1.0 + r) + disc_rec(r, ts[1:])


def _fd(f, y, *rest, eps=1e-6):
    return (f(y + eps, *rest) - f(y - eps, *rest)) / (2 * eps)


def _fd2(f, y, *rest, eps=1e-4):
    return (_fd(f, y + eps, *rest, eps=1e-5) - _fd(f, y - eps, *rest, eps=1e-5)) / (2 * eps)


CASES = [(fib_bond, CFS), (fib_bond, tuple(CFS)), (pv_pairs, FLOWS), (pv_pairs, tuple(FLOWS)),
         (disc_rec, [0.5, 1.0, 2.0, 5.0])]


@pytest.mark.parametrize("f, data", CASES)
def test_recursion_to_an_empty_list_every_mode(f, data):
    value = f(Y, data)
    d1, d2 = _fd(f, Y, data), _fd2(f, Y, data)
    v, g = s2s.value_and_grad(f)(Y, data)
    assert v == value
    assert_close(g, d1, what="grad")
    v, pull = s2s.vjp(f)(Y, data)
    assert v == value
    assert_close(pull(1.0), d1, what="vjp")
    v, t = s2s.jvp(f)((Y, data), (1.0,))
    assert v == value
    assert_close(t, d1, what="jvp")
    assert_close(s2s.jacobian(f)(Y, data), d1, what="jacobian reverse")
    assert_close(s2s.jacobian(f, mode="forward")(Y, data), d1, what="jacobian forward")
    assert_close(s2s.hessian(f)(Y, data), d2, 1e-5, 1e-5, what="hessian")
    assert_close(s2s.grad(s2s.grad(f))(Y, data), d2, 1e-5, 1e-5, what="grad of grad")
    assert_close(s2s.jacobian(s2s.grad(f), mode="reverse")(Y, data), d2, 1e-5, 1e-5, what="jacobian(grad) reverse")
    assert_close(s2s.jacobian(s2s.grad(f), mode="forward")(Y, data), d2, 1e-5, 1e-5, what="jacobian(grad) forward")
    assert_close(s2s.vjp(s2s.grad(f))(Y, data)[1](1.0), d2, 1e-5, 1e-5, what="vjp(grad)")
    assert_close(s2s.jvp(s2s.grad(f))((Y, data), (1.0,))[1], d2, 1e-5, 1e-5, what="jvp(grad)")


def test_recursion_to_an_empty_list_in_the_list():
    """The derivatives in the list's items: the gradient, and the gradient in the items of the derivative in y."""
    k = np.arange(1, len(CFS) + 1)
    g = s2s.grad(fib_bond, wrt=1)(Y, CFS)
    assert isinstance(g, list)
    assert_close(g, (1 + Y) ** -k, what="grad in cfs")
    mixed = s2s.grad(s2s.grad(fib_bond), wrt=1)(Y, CFS)
    assert_close(mixed, -k * (1 + Y) ** (-k - 1.0), what="grad in cfs of grad in y")
    h = s2s.hessian(fib_bond, wrt=(0, 1))(Y, CFS)
    assert_close(h[0][1], -k * (1 + Y) ** (-k - 1.0), what="hessian block y, cfs")
