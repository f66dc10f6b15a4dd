"""Hunt round 7 (regressions hunt, fuzz seed 1454001, older than the round): `B = W[::-1] * 1.0` of a view, whose
array the function then writes in place, was simplified to the view itself, so B saw the write: wrong values and
derivatives in every mode (an explicit Euler step keeping the previous state: 39.78 for 29.40). Checked against
finite differences."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad

ONE = 1.0


def reversed_copy(x):
    W = np.zeros(3)
    W[1] = 1.5
    B = W[::-1] * 1.0
    W -= 1.5
    return np.sum(B * x)


def copied_slice(x):
    y = x * 2.0
    y[0] = 1.0
    v = y[1:]
    b = v * ONE
    y[1] = 9.0
    return np.sum(b * x[1:])


def euler_keeping_the_previous_state(x):
    dt = 1.0
    u = x * 1.0
    u[0] = 0.0
    hist = 0.0
    for k in range(3):
        u_old = u[1:] * dt
        u[1:] = u[1:] + dt * np.sin(u[1:])
        hist = hist + np.sum(u_old * u[1:])
    return hist


@pytest.mark.parametrize("f", [reversed_copy, copied_slice, euler_keeping_the_previous_state])
def test_a_product_by_one_of_a_view_is_a_copy(f):
    x = np.array([0.3, -1.2, 0.7])
    value, g = s2s.value_and_grad(f)(x)
    assert value == pytest.approx(f(x))
    want = numeric_grad(f, (x,), 0)
    assert_close(g, want, what="grad")
    assert_close(s2s.jacobian(f, mode="forward")(x), want, what="forward jacobian")
    assert_close(s2s.jvp(f)((x,), (np.ones(3),))[1], np.sum(want), what="jvp")
