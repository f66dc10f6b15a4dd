"""Regressions from the fifth bug hunt of signal, PDE and time-series code (hunt5sig): views taken for copies,
np.interp at a repeated sample point, np.convolve of a number, axis reductions of a number, np.gradient's spacing,
and the refusals' messages."""
import warnings

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

# ---------------------------------------------------------------- 1. calls whose result is their operand or a view


def _conj_written(x):
    y = x * 1.0
    v = y.conj()  # a real array's .conj() is the array itself
    v[0] = 5.0 * x[1]
    return np.sum(y * x)


def _conj_added(x):
    y = x * 1.0
    v = y.conjugate()
    v += 1.0
    return np.sum(y * x)


def _matrix_transpose_added(x):
    y = x * 1.0
    v = np.linalg.matrix_transpose(y)  # a view of y, as y.T
    v += 1.0
    return np.sum(y * x)


def _matrix_transpose_stale(x):
    y = x * 1.0
    v = np.linalg.matrix_transpose(y)
    y[0, 0] = 7.0 * x[1, 1]  # v shows the change
    return np.sum(v ** 2)


def _astype_no_copy_written(x):
    y = x * 1.0
    v = np.astype(y, np.float64, copy=False)  # y itself
    v[0] = 5.0 * x[1]
    return np.sum(y * x)


def _unbound_view_written(x):
    y = x * 1.0
    v = np.ndarray.view(y)
    v[0] = 5.0 * x[1]
    return np.sum(y * x)


def _unbound_conj_written(x):
    y = x * 1.0
    v = np.ndarray.conj(y)
    v[0] = 5.0 * x[1]
    return np.sum(y * x)


_VIEW_WRITES = [_conj_written, _conj_added, _unbound_view_written, _unbound_conj_written]
if hasattr(np.linalg, "matrix_transpose"):
    _VIEW_WRITES += [_matrix_transpose_added, _matrix_transpose_stale]
if hasattr(np, "astype"):
    _VIEW_WRITES += [_astype_no_copy_written]


@pytest.mark.parametrize("f", _VIEW_WRITES, ids=lambda f: f.__name__)
def test_a_write_through_a_call_returning_its_operand_or_a_view_is_refused(f):
    # NumPy writes y through v (or v shows a write into y): s2s took v for a new array and gave another value
    # (_conj_written: 2.02 where NumPy gives 0.13) and the derivative without the write; now it refuses the
    # write at the user's line, as for y.T or np.real(y)
    x = np.array([[0.3, -1.2], [0.5, 1.1]]) if "matrix" in f.__name__ else np.array([0.3, -1.2, 0.7])
    with pytest.raises(s2s.S2SError) as caught:
        s2s.value_and_grad(f)(x)
    assert f"{f.__code__.co_filename}:" in str(caught.value)


def _conj_read(x):
    v = (x * x).conj()
    return np.sum(v * x)


def _matrix_transpose_read(x):
    v = np.linalg.matrix_transpose(x * x)
    return np.sum(v[0] * x[:, 1])


def test_reading_conj_and_matrix_transpose_keeps_its_derivative():
    # d/dx sum(x^3) = 3x^2, in every mode; the method is spelled as written, its derivatives with np.conj
    x = np.array([0.3, -1.2, 0.7])
    gradient = check_every_mode(_conj_read, x, exact=True)
    np.testing.assert_allclose(gradient, 3 * x ** 2, rtol=1e-12)
    assert "(x * x).conj()" in s2s.grad(_conj_read).source
    if hasattr(np.linalg, "matrix_transpose"):
        X = np.array([[0.3, -1.2], [0.5, 1.1]])
        # sum_i X[i, 0]^2 X[i, 1]
        analytic = np.stack([2 * X[:, 0] * X[:, 1], X[:, 0] ** 2], axis=1)
        np.testing.assert_allclose(check_every_mode(_matrix_transpose_read, X), analytic, rtol=1e-12)
