"""Regressions of NumPy rules found by a bug hunt (huntnp): each checked against finite differences or an
analytic value, in every mode it broke in; what cannot be exact is refused at the user's line."""
from __future__ import annotations

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

W3 = np.arange(1.0, 4.0)


# ---------------------------------------------------------------- advanced indices separated by a slice

def split_index(x):
    return np.sum(x[0, :, [1, 1, 0]] ** 3 * W3[:, None])


def split_index_setitem(x):
    y = np.zeros((2, 3, 4))
    y[1, :, [2, 0]] = x[0, :, [1, 2]] ** 2
    return np.sum(y * np.arange(24.0).reshape(2, 3, 4))


def bool_index(x):
    return np.sum(x[True] ** 2) + np.sum(x[None, True, 0] * 3.0)


@pytest.mark.parametrize("f, shape", [(split_index, (1, 1, 3)), (split_index, (2, 2, 3)),
                                      (split_index_setitem, (1, 3, 3)), (bool_index, (2, 3))])
def test_advanced_indices_separated_by_a_slice(f, shape):
    x = np.linspace(-1.0, 1.5, int(np.prod(shape))).reshape(shape)
    check_every_mode(f, x)


def split_values(x):
    return x[0, :, [1, 1, 0]] * 2.0


def test_forward_jacobian_of_separated_advanced_indices():
    x = np.array([[[1.0, 2.0, 3.0]]])
    expected = np.zeros((3, 1, 1, 1, 3))
    for k, j in enumerate([1, 1, 0]):
        expected[k, 0, 0, 0, j] = 2.0
    assert_close(s2s.jacobian(split_values, mode="forward")(x), expected)
    assert_close(s2s.jacobian(split_values)(x), expected)
