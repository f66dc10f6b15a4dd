"""Regressions from the ninth round's signal/image processing hunt (hunt9signal), each failing before its fix."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad


# ---------------------------------------------------------------- np.diff once the differences run out
# np.diff(x, n) along an axis of length L has max(L - n, 0) entries: none once n >= L, and its derivative is zero;
# the adjoint padded g back n times and so had n entries whatever L was (a wrong shape, or a broadcast error)

def second_diff_penalty(x):
    return np.sum(np.diff(x, n=2) ** 2) + np.sum(x ** 2)


def fourth_diff_weighted(x):
    return np.sum(np.diff(x, n=4) ** 2) + np.sum(x * np.arange(1.0, len(x) + 1))


def first_diff_only(x):
    return np.sum(np.diff(x) ** 2)


def diff_with_ends(x):
    return np.sum(np.diff(x, n=3, prepend=0.0) ** 2) + np.sum(x ** 2)


def diff_with_array_ends(x):
    return np.sum(np.diff(x, n=2, prepend=[1.0], append=[0.5, 2.0]) ** 2) + np.sum(np.sin(x))


def diff_rows(u):
    return np.sum(np.diff(u, n=3, axis=0) ** 2) + np.sum(u ** 3)


def diff_columns(u):
    return np.sum(np.diff(u, n=2, axis=-1) ** 2) + np.sum(u ** 3)


def diff_rows_of_a_reshape(x):
    return np.sum(np.diff(x.reshape(1, 4), n=2, axis=0) ** 2) + np.sum(np.cos(x))


def ediff_penalty(x):
    return np.sum(np.ediff1d(x) ** 2) + np.sum(x ** 2)


def seg_pen(x):
    bounds = [0, 4, 5, 7]
    tot = 0.0
    for i in range(len(bounds) - 1):
        seg = x[bounds[i]:bounds[i + 1]]
        tot = tot + np.sum(np.diff(seg, n=2) ** 2) + 0.1 * np.sum(seg ** 2)
    return tot


def _vjp_check(f, x):
    """vjp's value is f(x) and its cotangent times 1 is the gradient (against differences)."""
    value, back = s2s.vjp(f)(x)
    assert value == pytest.approx(f(x), rel=1e-12, abs=1e-12)
    bx = back(1.0)
    assert_close(bx, numeric_grad(f, (x,), 0), what=f"{f.__name__}: vjp")


@pytest.mark.parametrize("f, x", [
    (second_diff_penalty, np.array([0.7])),
    (second_diff_penalty, np.array([0.7, -0.4])),
    (second_diff_penalty, np.array([0.7, -0.4, 1.3])),
    (second_diff_penalty, np.zeros(0)),
    (fourth_diff_weighted, np.array([0.7, -0.4, 1.3])),
    (fourth_diff_weighted, np.array([0.7, -0.4, 1.3, 0.2])),
    (fourth_diff_weighted, np.array([0.7, -0.4, 1.3, 0.2, -0.9])),
    (first_diff_only, np.zeros(0)),
    (first_diff_only, np.array([0.3])),
    (diff_with_ends, np.array([0.7])),
    (diff_with_ends, np.array([0.7, -0.2])),
    (diff_with_ends, np.array([0.7, -0.2, 0.4, 1.1])),
    (diff_with_array_ends, np.zeros(0)),
    (diff_with_array_ends, np.array([0.3])),
    (diff_with_array_ends, np.array([0.3, -0.8])),
    (diff_rows, np.array([[0.3, -1.2, 0.7], [2.0, 0.5, 1.1]])),
    (diff_rows, np.arange(12.0).reshape(4, 3) / 7.0),
    (diff_columns, np.array([[0.3, -1.2], [2.0, 0.5]])),
    (diff_columns, np.array([[0.3, -1.2, 0.4], [2.0, 0.5, -0.6]])),
    (diff_rows_of_a_reshape, np.array([0.3, -1.2, 0.7, 2.0])),
    (ediff_penalty, np.zeros(0)),
    (ediff_penalty, np.array([0.3])),
    (seg_pen, np.array([0.3, -1.2, 0.7, 2.0, 0.5, 1.1, -0.8])),
])
def test_diff_whose_differences_run_out(f, x):
    check_every_mode(f, x)
    _vjp_check(f, x)


def test_diff_whose_differences_run_out_as_the_report_gave_it():
    x = np.array([0.7])
    assert_close(s2s.grad(lambda v: np.sum(np.diff(v, n=2) ** 2) + np.sum(v))(x), [1.0], what="pen2")
    gradient = s2s.grad(seg_pen)(np.array([0.3, -1.2, 0.7, 2.0, 0.5, 1.1, -0.8]))
    assert_close(gradient, [6.86, -15.04, 9.34, -0.8, 0.1, 0.22, -0.16], what="seg_pen")
