"""Simulation programs' costs and messages (round 18, fix18sim; hunt18sim's report).

1. A delay equation reading its history at a clamped index, `ys[max(0, i - d)]`, made the gradient O(n^2): an index
   computed by builtin max/min of ints (or abs of one) was not known to be an int, so the sweep saved the list at each
   step and copied it at each append. Such an index is an int now (ad/loop_saves._python_ints): the list grows in
   place and its adjoint is cut back in place, as for `ys[i]` (hunt18sim P2).

Each program is checked in every mode against finite differences (grad, vjp, jvp, both Jacobians, the Hessian and
grad of grad) and its value against plain NumPy's.
"""
import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

X = np.array([0.7, 1.3, -0.4])


def every_mode(f, x=X, hessian=True):
    gradient = check_every_mode(f, x, hessian=hessian)
    value, pullback = s2s.vjp(f)(x.copy())
    assert value == pytest.approx(f(x.copy()), rel=1e-12, abs=1e-12)
    assert_close(pullback(1.0), numeric_grad(f, (x.copy(),), 0), 1e-5, 1e-6, what=f"{f.__name__}: vjp")
    return gradient


def assert_grown_in_place(f):
    source = s2s.grad(f).source
    assert "ys_1_saved" not in source and "ys_1 += [" in source and "rt.added_at_part" in source, source


# ------------------------------------------------ P2: a history read at a clamped index, ys[max(0, i - d)]

def delay_clamped(x):
    ys = [x[0]]
    for i in range(12):
        ys.append(ys[-1] - 0.1 * x[1] * np.sin(ys[max(0, i - 3)]) + 0.05 * x[2])
    return ys[-1] ** 2


def delay_min_of_len(x):
    ys = [x[0], x[1]]
    for i in range(10):
        ys.append(ys[-1] * 0.9 + 0.2 * x[2] * ys[min(len(ys) - 1, i // 2)] ** 2)
    return ys[-1]


def delay_abs_and_int(x):
    ys = [x[0], x[1], x[2]]
    for i in range(10):
        ys.append(np.tanh(ys[-1] + x[1] * ys[abs(i - 5) // 2]) + 0.1 * ys[int(i / 3)] * x[2])
    return ys[-1] + ys[3]


def delay_vector(x):
    ys = [x * 1.0]
    for i in range(8):
        ys.append(ys[-1] - 0.2 * np.cos(ys[max(i - 2, 0, -1)]) * x[0])
    return np.sum(ys[-1] ** 2)


@pytest.mark.parametrize("f", [delay_clamped, delay_min_of_len, delay_abs_and_int, delay_vector])
def test_history_read_at_a_clamped_index_is_exact_and_grown_in_place(f):
    every_mode(f)
    assert_grown_in_place(f)


def clamped_with_a_float(x):  # max of an int and a float is not an int: the list is not read as by an int index
    ys = [x[0]]
    for i in range(5):
        ys.append(ys[-1] * x[1] + ys[int(max(0, i - 1.5))])
    return ys[-1]


def test_max_of_a_float_is_still_exact():
    every_mode(clamped_with_a_float)
