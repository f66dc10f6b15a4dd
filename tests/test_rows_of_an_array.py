"""The adjoint of an array's rows taken as a list (`list(x)`, `max(x, key=...)`, `for r in X`): one array made at C
speed from the rows' parts (rt.tuple_adjoint), where a stack of n broadcasts cost ~10 us a row (`max(x, key=...)`
at n = 4,000: 31 ms -> 5 ms); parts of other shapes (a bare 0.0 among arrays) still go row by row."""
import numpy as np
import pytest

import s2s
from conftest import check_every_mode


def best_by_key(x):
    v = max(x, key=lambda t: np.sin(t))
    return v * 3.0 + np.sum(x ** 2)


def rows_read_some(X):
    rows = list(X)
    return np.sum(rows[0] * rows[2]) + np.sum(np.tanh(rows[1]))


def rows_in_a_loop(X):
    total = 0.0
    for r in list(X):
        total = total + np.sum(np.sin(r) * r)
    return total


def first_row_only(X):
    rows = list(X)
    return np.sum(rows[1] ** 3)


def numbers_of_a_vector(x):
    parts = list(x)
    return parts[0] * parts[3] + np.cos(parts[1])


X1 = np.array([0.3, -0.4, 0.8, 0.1, 0.6])
X2 = np.array([[0.3, -0.4, 0.8], [0.1, 0.6, -0.2], [0.5, 0.2, -0.7]])


@pytest.mark.parametrize("f, x", [(best_by_key, X1), (numbers_of_a_vector, X1), (rows_read_some, X2),
                                  (rows_in_a_loop, X2), (first_row_only, X2)], ids=lambda v: getattr(v, "__name__", ""))
def test_every_mode_against_finite_differences(f, x):
    check_every_mode(f, x, exact=True)


def test_float32_rows_give_a_float32_gradient():
    x = X2.astype(np.float32)
    g = s2s.grad(rows_read_some)(x)
    assert g.shape == x.shape and g.dtype == np.float32
    np.testing.assert_allclose(g, s2s.grad(rows_read_some)(X2), rtol=1e-5)
