"""Signal and image programs (round 19, fix19sig; hunt19sig's report).

1. A library function whose arguments carry no derivative is called as it is, never followed into its source:
   `scipy.signal.windows.hann(len(x))` was followed into scipy's `_general_cosine_impl` (its arguments read as
   depending on x because len(x) reads x) and refused there with a message about scipy's 'xp'. A value made by a
   call whose result carries no derivative whatever its arguments (len(x), x.shape, np.argmax(x)) now counts as
   made outside the function (front/outside.made_outside).

Each program is checked in every mode against central differences, its value against NumPy's.
"""
import numpy as np
import pytest
import scipy.signal as sps
import scipy.signal.windows as ssw

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

X = np.array([0.3, -1.2, 0.7, 2.0, -0.4, 1.1, 0.5, -0.9])


# ---------------------------------------------------------------- 1. windows of an int: called, not followed
def windowed_energy(x):
    w = sps.windows.hann(len(x))
    return np.sum((w * x) ** 2)


def windows_of_shapes(x):
    n = x.shape[0]
    w = ssw.hamming(n) + ssw.blackman(x.size) + ssw.gaussian(len(x), 2.0) + ssw.hann(np.argmax(x) + 3, sym=False)[0]
    return np.sum(w * x ** 2)


@pytest.mark.parametrize("f", [windowed_energy, windows_of_shapes])
def test_window_of_an_int_is_called(f):
    check_every_mode(f, X, exact=True)
    assert "def _general_cosine_impl" not in s2s.grad(f).source
    assert "windows._windows import" in s2s.grad(f).source  # (the call itself, its result a constant)


def test_window_reference_values():
    n = len(X)
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / (n - 1))
    assert_close(s2s.grad(windowed_energy)(X), 2 * w ** 2 * X, 1e-12, 1e-12)
