"""Round 18, fix18misc: a crash, a nan, messages, the fuzzer's reference check.

- `y -= v` on a name whose last plain assignment bound arithmetic of 0-d arrays (a NumPy scalar), where the function
  wrote the elements of the array the name held before (`tot0[...] = ...`): it rebinds the name, as NumPy does; it
  was written as an element write into the NumPy scalar (a TypeError from the generated code; fuzzer level 7, seed
  3301086).

Each derivative is checked in every mode against finite differences (tests.conftest.check_every_mode), each value
against NumPy's own.
"""
import numpy as np
import pytest

import s2s
from tests.conftest import check_every_mode


# ------------------------------------------------------------------ `y -= v` after `y = <arithmetic>`
def rebound_scalar(p):  # fuzzer level 7, seed 3301086
    z0 = np.array(0.0)
    z0[...] = p[0] * 0.5
    tot0 = np.copy(z0)
    tot0[...] = tot0 * 0.5
    tot0 = 2.0 * z0 + p[1]
    tot0 -= 0.3
    return tot0


def rebound_scalar_twice(p):
    z = np.zeros(())
    z[...] = p[0] ** 2
    acc = np.copy(z)
    acc[...] = acc * p[1]
    acc = np.sin(z) * p[1]
    acc -= 0.3 * p[0]
    acc *= p[1]
    return acc


def rebound_vector(p):  # an array there: NumPy's in-place change of the new array, then an element write into it
    y = np.copy(p)
    y[0] = 3.0 * p[1]
    y = 2.0 * y + p
    y -= 0.3 * p[::-1]
    y[1] = y[1] * p[0]
    return np.sum(y * y)


@pytest.mark.parametrize("f", [rebound_scalar, rebound_scalar_twice, rebound_vector], ids=lambda f: f.__name__)
def test_augmented_assignment_after_a_rebinding(f):
    p = np.array([0.4, 0.7])
    check_every_mode(f, p, exact=True)
    value, _ = s2s.value_and_grad(f)(p)
    assert type(value) is type(f(p))


def test_augmented_assignment_after_a_rebinding_keeps_numpy_type():
    p = np.array([0.4, 0.7])
    assert type(rebound_scalar(p)) is np.float64
    value, _ = s2s.value_and_grad(rebound_scalar)(p)
    assert type(value) is np.float64 and value == rebound_scalar(p)

