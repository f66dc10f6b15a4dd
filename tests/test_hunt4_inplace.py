"""In-place operators on arrays whose type `a + v` would not keep: a 0-d array (np.array(0.0)) and an array given
a dtype other than float64. NumPy writes their elements; s2s made a new array of NumPy's promotion (an np.float64
for the 0-d one, float64 for float32) before."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


def accumulates_0d(x):
    acc = np.array(0.0)
    for v in x:
        acc += v * v
    return acc


def accumulates_float32(x):
    acc = np.zeros(3, dtype=np.float32)
    for i in range(2):
        acc += x * x
        acc *= x
    return np.sum(acc)


def test_0d_accumulator_stays_an_array():
    x = np.array([1.0, 2.0, 3.0])
    value, g = s2s.value_and_grad(accumulates_0d)(x)
    assert type(value) is np.ndarray and value.shape == () and value == 14.0
    assert type(s2s.vjp(accumulates_0d)(x)[0]) is np.ndarray
    assert_close(g, 2.0 * x)
    assert_close(s2s.hessian(accumulates_0d)(x), 2.0 * np.eye(3))


def test_float32_accumulator_keeps_its_dtype():
    x = np.array([1.0, 2.0, 3.0])
    value, g = s2s.value_and_grad(accumulates_float32)(x)
    assert value == accumulates_float32(x) and value.dtype == np.float32
    assert_close(g, 4.0 * x ** 3 + 3.0 * x ** 2)  # acc = x^4 + x^3
    assert_close(g, numeric_grad(accumulates_float32, (x,), 0, eps=1e-3), rtol=1e-3)
    value, tangent = s2s.jvp(accumulates_float32)((x,), (np.ones(3),))
    assert value.dtype == np.float32 and tangent == pytest.approx(186.0)
    assert_close(s2s.hessian(accumulates_float32)(x), np.diag(12.0 * x ** 2 + 6.0 * x))


# ----------------------------------------------------------------- a derivative of a function calling s2s.jvp
A2 = np.array([[2.0, 0.3], [0.3, 1.0]])


def solves(t):
    return np.sum(np.linalg.solve(A2 * t, np.ones(2)))


def solves_directional(t):
    return s2s.jvp(solves)((t,), (1.0,))[1]


def sines(t):
    return np.sum(np.sin(t * np.array([1.0, 2.0])) ** 2)


def sines_directional(t):
    return s2s.jvp(sines)((t,), (1.0,))[1]


def test_derivative_of_a_jvp():
    # elementwise tangents: differentiated again (d2/dt2 of sin(t)^2 + sin(2t)^2 is 2 cos(2t) + 8 cos(4t))
    assert s2s.grad(sines_directional)(0.7) == pytest.approx(2.0 * np.cos(1.4) + 8.0 * np.cos(2.8))
    # a helper of the generated jvp (rt.solve_tangent_a): refused, saying what to take instead (it said to register
    # a rule for the helper)
    with pytest.raises(s2s.NonDifferentiableError) as info:
        s2s.grad(solves_directional)(0.7)
    assert "s2s.hessian(f)" in str(info.value) and "@s2s.adjoint(rt." not in str(info.value)
    assert s2s.hessian(solves)(0.7) == pytest.approx(2.0 * np.sum(np.linalg.solve(A2, np.ones(2))) / 0.7 ** 3)


# ----------------------------------------------------------------- private names: self.__scale in a method
class _Scaled_:
    def __init__(self, s):
        self.__scale = s

    def loss(self, x):
        return np.sum(x * self.__scale) ** 2

    def _helper(self, x):
        __twice = 2.0 * self.__scale
        return x * __twice

    def loss2(self, x):
        return np.sum(self._helper(x) ** 2)


def test_private_attribute_names_are_mangled():
    # Python reads self.__scale in class _Scaled_ as self._Scaled___scale; the generated code read self.__scale
    # (AttributeError)
    m, x = _Scaled_(3.0), np.array([1.0, 2.0])
    assert_close(s2s.grad(m.loss)(x), 2.0 * 9.0 * 3.0 * np.ones(2))
    assert_close(s2s.grad(m.loss2)(x), 2.0 * 36.0 * x)
    assert_close(s2s.hessian(m.loss2)(x), 72.0 * np.eye(2))
