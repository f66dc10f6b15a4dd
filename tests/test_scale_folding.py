"""A constant times a constant times a value is one product where that is exact (optimize/simplify.py,
`_Peephole._scaled`): `100.0 * (2 * d)` of a square's adjoint is `200.0 * d`, `-(2.0 * y)` is `-2.0 * y`. Kept
as two where folding could change a value or a type: neither constant a power of two (two roundings), both
integers (an int array stays int; `-1 * (-1 * xs)` of a list is not `xs`), or the inner value changed in place
between the two products. Checked against finite differences and the function's own values."""
from __future__ import annotations

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def thirds(x):
    y = 3.0 * x
    return np.sum(0.1 * y)  # (neither 3.0 nor 0.1 a power of two: two roundings, kept)


def integers(n, x):
    m = 3 * n
    return np.sum((2 * m) * x)


def changed_between(x):
    y = x + 1.5
    z = 2.0 * y
    y[0] = 7.0
    return np.sum(4.0 * z) + np.sum(y)


def negated(x):
    return np.sum(np.sin(-(2.0 * x)) * x)


def test_the_rosenbrock_gradient_scales_once():
    text = s2s.grad(rosenbrock).source
    assert "200.0 * t" in text and "100.0 * (2 *" not in text
    x = np.linspace(-1.2, 1.3, 7)
    assert_close(s2s.grad(rosenbrock)(x), numeric_grad(rosenbrock, (x,), 0))
    h = s2s.hessian(rosenbrock)(x)
    expected = np.diag(np.r_[1200.0 * x[:-1] ** 2 - 400.0 * x[1:] + 2.0, 0.0] + np.r_[0.0, np.full(6, 200.0)])
    expected += np.diag(-400.0 * x[:-1], 1) + np.diag(-400.0 * x[:-1], -1)
    assert_close(h, expected)


@pytest.mark.parametrize("fn", [thirds, negated])
def test_folded_or_not_the_gradient_is_right(fn):
    x = np.array([0.3, -1.2, 2.5])
    for g in (s2s.grad(fn)(x), s2s.jacobian(fn, mode="forward")(x)):
        assert_close(g, numeric_grad(fn, (x,), 0))


def test_two_roundings_stay_two():
    x = np.array([1.0 / 3.0, 0.7])
    value, _ = s2s.value_and_grad(thirds)(x)
    assert value == thirds(x)  # bit for bit: 0.1 * (3.0 * x) is not 0.3 * x


def test_integer_products_keep_their_type():
    x = np.array([0.5, -1.5])
    assert_close(s2s.grad(integers, wrt=1)(np.array([1, 2]), x), numeric_grad(lambda x: integers(np.array([1, 2]), x), (x,), 0))
    assert "6" not in s2s.grad(integers, wrt=1).source.split("def ")[1].split("\n", 2)[1]


def test_a_value_changed_in_place_between_the_products_is_not_read_after_the_change():
    x = np.array([0.3, -1.2, 2.5])
    value, g = s2s.value_and_grad(changed_between)(x.copy())
    assert value == changed_between(x.copy())
    assert_close(g, numeric_grad(lambda x: changed_between(x.copy()), (x,), 0))
