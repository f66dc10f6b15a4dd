"""A value computed before an `if` and read on one of its paths only: its adjoint on the other path is zero, and
the adjoint of its definition multiplied that zero by a derivative that is NaN where the `if` guards against the
value (`r = np.sqrt(v)` of a negative v): NaN gradients where the derivative is 0 (hunt10lang 2; JAX, autograd
and s2s's forward mode give 0). The adjoint statements that read the zero now run in the branch that gives the
adjoint (optimize/zero_branches.py). Every mode against finite differences, at points on both paths."""
import warnings

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad


def guarded_sqrt(x):
    r = np.sqrt(x[1])
    if x[1] > 0:
        return r + x[0]
    return x[0] * 2.0


def skip_invalid(x):
    t = 0.0
    for v in x:
        r = np.sqrt(v)
        if v < 0:
            continue
        t = t + r
    return t


def nan_test(x):
    r = np.sqrt(x[0])
    if np.isnan(r):
        return 0.0 * np.sum(x)
    return r * x[1]


def log_in_branch(x):
    total = 0.0
    for v in x:
        lv = np.log(np.abs(v))
        total = total + (lv * v if v != 0.0 else 0.0)
    return total


def accumulated(x):  # (an accumulator the zero path leaves as it was: bx_1 = bx on that path)
    s = np.sum(x ** 2)
    r = np.sqrt(x[0])
    if x[0] > 0.5:
        s = s + r * x[1]
    return s


CASES = [guarded_sqrt, skip_invalid, nan_test, log_in_branch, accumulated]
POINTS = [np.array([0.3, -0.7, 0.4]), np.array([-0.3, 0.7, 0.9]), np.array([0.8, 0.2, -1.2])]


@pytest.mark.parametrize("f", CASES, ids=[f.__name__ for f in CASES])
@pytest.mark.parametrize("k", range(len(POINTS)))
def test_no_nan_where_the_path_taken_does_not_read_the_value(f, k):
    x = POINTS[k]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = numeric_grad(f, (x,), 0)
        if not np.all(np.isfinite(expected)):
            pytest.skip("the function is not differentiable at this point")
        g = s2s.grad(f)(x)
        assert np.all(np.isfinite(g)), g
        assert_close(g, expected, what=f.__name__)
        check_every_mode(f, x, hessian=k == 0 and f is not log_in_branch)


def test_the_adjoint_runs_in_the_branch_that_reads_the_value():
    text = s2s.grad(guarded_sqrt).source
    assert "\n        bt1 = 1.0 / (2.0 * r)\n" in text, text  # (inside `if t3:`, where br was 1.0)


def tanh_or(c):
    c = np.tanh(c) or c
    return c


def tanh_or_chain(x):
    y = np.tanh(x[0]) or x[1]
    return y * x[1] + np.exp(y) * x[0]


@pytest.mark.parametrize("c", [1.527, -0.3, 0.0])
def test_moved_statements_take_the_values_they_read_along(c):
    """The fuzzer's seed 1733511 (level 3): the statements moved into the branch read `1.0 - t3`, whose `t3 =
    t1 ** 2` was left after the if (a value only moved statements read, through another: UnboundLocalError in
    every reverse mode). The values moved statements read are found from the last statement back now."""
    expected = 1.0 - np.tanh(c) ** 2 if np.tanh(c) else 1.0
    assert_close(s2s.grad(tanh_or)(c), expected)
    value, g = s2s.value_and_grad(tanh_or)(c)
    assert_close(value, tanh_or(c))
    assert_close(g, expected)
    assert "else:\n        bc_1 = 1.0" in s2s.value_and_grad(tanh_or).source  # (the join's constants folded)


@pytest.mark.parametrize("x", [np.array([0.4, 1.3]), np.array([-0.2, 1.3])])
def test_moved_chain_against_finite_differences(x):
    assert_close(s2s.grad(tanh_or_chain)(x), numeric_grad(tanh_or_chain, (x,), 0), atol=1e-6)
    check_every_mode(tanh_or_chain, x)
