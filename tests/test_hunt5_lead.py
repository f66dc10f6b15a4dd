"""Regressions found by the lead engineer during the fifth round of bug hunts."""
import math
import warnings

import numpy as np

import s2s


def _sqrt(x):
    return math.sqrt(x)


def _norm(x, y):
    return math.sqrt(x * x + y * y)


def test_math_sqrt_at_zero_has_an_infinite_derivative_as_np_sqrt():
    # d sqrt(x)/dx = 1 / (2 sqrt(x)) is +inf at 0 where sqrt is defined; the generated `1.0 / (2.0 * ans)` raised
    # ZeroDivisionError from inside the gradient, where np.sqrt's (and JAX's) derivative is inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert s2s.grad(_sqrt)(0.0) == math.inf
        assert s2s.jvp(_sqrt)((0.0,), (1.0,)) == (0.0, math.inf)
        assert np.isnan(s2s.grad(_norm)(0.0, 0.0))  # 0 * inf: nan, as np.sqrt's and jax.grad's
    assert s2s.grad(_sqrt)(4.0) == 0.25
    assert s2s.grad(s2s.grad(_sqrt))(4.0) == -0.25 * 4.0 ** -1.5
    assert s2s.grad(_norm, wrt=(0, 1))(3.0, 4.0) == (0.6000000000000001, 0.8)
