"""Front-end evaluation order and iteration: each expression evaluated once and where Python evaluates it,
dicts iterated by key, generators and stored iterators consumed as Python consumes them, sequences repeated
and joined as sequences. Each case checked against the original function and finite differences (or an
analytic value), or refused at the user's line."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


# ---------------------------------------------------------------- a = b = v: v evaluated once, one object

def chained_zeros(x):
    a = b = np.zeros(2)
    a[0] = x
    return np.sum(b) * x  # x * x: b is a


def chained_random(x):
    a = b = np.random.normal(size=3)
    return np.sum((a - b) ** 2) + x  # x: a and b are one draw


def chained_in_loop(x):
    a = b = np.zeros(3)
    for i in range(3):
        a[i] = x[i] ** 2
    return np.sum(b * x)


def test_chained_assignment_binds_one_object():
    value, grad = s2s.value_and_grad(chained_zeros)(3.0)
    assert_close(value, 9.0, rtol=1e-12, what="value")
    assert_close(grad, 6.0, what="d/dx")


def test_chained_assignment_evaluates_once():
    np.random.seed(1)
    value, grad = s2s.value_and_grad(chained_random)(1.5)
    assert value == 1.5 and grad == 1.0


def test_chained_assignment_written_in_a_loop():
    x = np.array([0.3, -0.7, 1.2])
    value, grad = s2s.value_and_grad(chained_in_loop)(x)
    assert_close(value, chained_in_loop(x), rtol=1e-12, what="value")
    assert_close(grad, 3 * x ** 2, what="d/dx")


# ---------------------------------------------------------------- y[i] += v: y and i evaluated once

def random_index_iadd(x):
    y = np.zeros(50)
    for k in range(20):
        y[np.random.randint(50)] += x
    return np.sum(y) * x  # 20 x**2 whatever the indices


def _pick():
    return np.random.randint(3)


def helper_index_iadd(x):
    y = np.array([1.0, 2.0, 3.0])
    y[_pick()] += x
    return np.sum(y * y)


def test_augmented_element_index_evaluated_once():
    np.random.seed(0)
    value, grad = s2s.value_and_grad(random_index_iadd)(1.5)
    assert_close(value, 20 * 1.5 ** 2, rtol=1e-12, what="value")
    assert_close(grad, 40 * 1.5, what="d/dx")


def test_augmented_element_helper_index_called_once():
    for seed in range(6):
        np.random.seed(seed)
        i = np.random.randint(3)
        np.random.seed(seed)
        value, grad = s2s.value_and_grad(helper_index_iadd)(1.5)
        assert_close(value, 14.0 - (i + 1.0) ** 2 + (i + 2.5) ** 2, rtol=1e-12, what="value")
        assert_close(grad, 2 * (i + 2.5), what="d/dx")
