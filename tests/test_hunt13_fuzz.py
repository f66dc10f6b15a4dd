"""Fuzzer findings of round 13, each with its reduced program, checked against finite differences."""
import math

import numpy as np
import pytest

import s2s
from conftest import numeric_grad

P = np.array([-1.255, 0.989, 0.746, -0.0221])


def reduced_on_a_path_not_taken(p, y):  # (fuzz seed 1833014, level 3)
    W22 = np.outer(p, p)
    best, h = (np.sum(W22, axis=1), y)
    if y:
        loss = y * h
        return math.log(1.0 + loss * loss)
    return best


def test_the_adjoint_of_a_reduction_over_an_axis_on_a_path_not_taken():
    """The adjoint of `np.sum(W, axis=1)` on the path the call did not take is a bare 0.0, which
    rt.sum_adjoint expanded at axis 1 (AxisError): a number stands for the whole result."""
    value, (bp, by) = s2s.value_and_grad(reduced_on_a_path_not_taken, wrt=("p", "y"))(P, -1.1167)
    assert value == reduced_on_a_path_not_taken(P, -1.1167)
    assert np.array_equal(bp, np.zeros(4))
    assert by == pytest.approx(numeric_grad(lambda y: reduced_on_a_path_not_taken(P, y), (-1.1167,), 0), rel=1e-6)
