"""The steady call path of transformed functions (issue 13): the shortcuts a call takes for bare numbers and
float arrays must not skip a check that another argument needs, nor keep a result that a change invalidates.
Derivatives are checked against analytic formulas."""
import dataclasses
import math

import numpy as np
import pytest

import s2s


def quick(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def quick_grad(x1, x2):
    return 1.0 / x1 + x2, x1 - math.cos(x2)


@dataclasses.dataclass
class Params:
    a: float
    b: float


def scaled(p, x):
    return p.a * x * x + p.b * x


def test_grad_after_bare_numbers_still_refuses_bools_and_int_arrays():
    g = s2s.grad(quick, wrt=(0, 1))
    for _ in range(3):
        assert np.allclose(g(1.5, 0.7), quick_grad(1.5, 0.7))
    with pytest.raises(TypeError, match="is a bool"):
        g(True, 0.7)

    def total(x):
        return np.sum(x * x)
    gt = s2s.grad(total)
    assert np.allclose(gt(np.array([1.0, 2.0])), [2.0, 4.0])
    with pytest.raises(TypeError, match=r"astype\(float\)"):
        gt(np.array([1, 2]))
    with pytest.raises(TypeError, match="is a str"):
        gt("ab")


def test_grad_takes_a_record_after_bare_numbers():
    g = s2s.grad(scaled)
    assert g(Params(2.0, 3.0), 1.5) == Params(1.5 * 1.5, 1.5)  # d/da = x^2, d/db = x
    g2 = s2s.grad(scaled, wrt=1)
    assert g2(Params(2.0, 3.0), 1.5) == pytest.approx(2 * 2.0 * 1.5 + 3.0)
    assert g(Params(1.0, 0.0), 2.0) == Params(4.0, 2.0)


def test_vjp_pullback_checks_the_cotangent_after_fitting_ones():
    def f(x):
        return np.sin(x) * 2.0
    x = np.array([0.1, 0.2, 0.3])
    value, pullback = s2s.vjp(f)(x)
    assert np.allclose(pullback(np.ones(3)), 2.0 * np.cos(x))
    assert np.allclose(pullback(np.ones(3)), 2.0 * np.cos(x))
    with pytest.raises(ValueError, match="takes a cotangent with the structure and shape of the value"):
        pullback(np.ones(4))
    with pytest.raises(ValueError, match="takes a cotangent"):
        pullback((np.ones(3), 1.0))
    value, pullback = s2s.vjp(quick)(1.5, 0.7)
    assert pullback(2.0) == pytest.approx(2.0 * (1.0 / 1.5 + 0.7))
    assert pullback(np.float64(1.0)) == pytest.approx(1.0 / 1.5 + 0.7)
    assert pullback(np.array(1.0)) == pytest.approx(1.0 / 1.5 + 0.7)  # a 0-d array fits a number
    with pytest.raises(ValueError, match="takes a cotangent"):
        pullback(np.ones(2))
