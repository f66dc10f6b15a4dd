"""A slice written in a loop (`F[e:e + 2] += np.sin(k[e]) * w`, FEM load vectors and stiffness blocks) had an
all-zero reverse-mode gradient (hunt14reg S1, a regression of 760fe0b): the slice `t5 = slice(e, e + 2)` was taken
for an int, `bF[t5]` for one element read as a copy, and the adjoint of the written value, a view of bF, was zeroed
in place (`bF[t5] = 0.0`) before it was read. A name of a slice is basic indexing (no element written twice) but
never one element (ad/writes._basic_index(slices=False)): the value's adjoint is copied first. Each variant against
finite differences in every mode, with the adjoint of the array owned by the sweep (np.sum(F ** 3), F @ c).
"""
import numpy as np
import pytest

from conftest import check_every_mode

W = np.array([0.5, -0.25])
KE = np.array([[1.0, -1.0], [-1.0, 1.0]])
C = np.array([0.3, -0.7, 1.1, 0.4, -0.2, 0.9])


def load_slice(k):
    F = np.zeros(k.shape[0] + 1)
    for e in range(k.shape[0]):
        F[e:e + 2] += np.sin(k[e]) * W
    return np.sum(F ** 3)


def load_slice_dot(k):
    F = np.zeros(k.shape[0] + 1)
    for e in range(k.shape[0]):
        F[e:e + 2] += k[e] ** 2 * W
    return np.sin(F @ C)


def block_assembly(k):
    K = np.zeros((6, 6))
    for e in range(5):
        K[e:e + 2, e:e + 2] += np.sin(k[e]) * KE
    return np.sum(K ** 3)


def row_part(k):
    K = np.zeros((6, 6))
    for e in range(5):
        K[e, e:e + 2] += k[e] * W
    return np.sum(K ** 3) + np.sum(K[2] * C)


def set_scaled(k):
    F = np.ones(6) * 0.5
    for e in range(5):
        F[e:e + 2] = F[e:e + 2] * 0.5 + k[e]
    return np.sum(F ** 3)


def multiply_subtract(k):
    F = np.ones(6)
    for e in range(5):
        F[e:e + 2] *= k[e]
        F[e:] -= 0.1 * k[e] ** 2
    return np.sum(F ** 3)


def in_while(k):
    F = np.zeros(6)
    e = 0
    while e < 5:
        lo, hi = e, e + 2
        F[lo:hi] += np.cos(k[e]) * W
        e += 1
    return np.sum(F ** 3)


def window(k):
    y = np.zeros(7)
    for i in range(5):
        y[i:i + 3] += k[i] * np.array([0.25, 0.5, 0.25])
    return np.sum(np.tanh(y) ** 2)


@pytest.mark.parametrize("f", [load_slice, load_slice_dot, block_assembly, row_part, set_scaled, multiply_subtract,
                               in_while, window], ids=lambda f: f.__name__)
def test_slice_writes_in_a_loop_match_finite_differences(f):
    check_every_mode(f, np.linspace(0.2, 0.6, 5))
