"""Second derivatives of functions whose gradient code reads an array through another name after writing its old
elements back (fuzz seed 1225076, level 7: Hessian -0.95 for -5.51). The gradient s2s generates saves
`u = tot0 if c else 0.9` by reference and restores tot0's elements before reading u; differentiating that code
again, dead-code elimination dropped the restore (the join u, and the loop stack holding it, were not known to
be tot0), so u read the array's new elements."""
import math

import numpy as np
import pytest

import s2s
from conftest import numeric_hessian


def joined_alias(y, a):
    tot0 = np.array(y, dtype=float)
    u = tot0 if 0.9 > a else 0.9
    tot0[...] = u * u
    return tot0 * tot0


def joined_alias_under_atan(y, a):
    tot0 = np.array(y, dtype=float)
    tot0[...] = tot0 * 0.5 + math.atan(tot0 if 0.9 > a else 0.9)
    return tot0 * tot0


def joined_alias_in_a_loop(y, a):
    tot0 = np.array(y, dtype=float)
    for elem in (0.1, 0.9):
        tot0[...] = tot0 * 0.5 + math.atan(tot0 if elem > a else elem)
    return tot0 * tot0


def joined_alias_in_nested_loops(y, a):
    tot0 = np.array(y, dtype=float)
    for i in range(2):
        for elem in (0.1, 0.9):
            tot0[...] = tot0 * 0.5 + math.atan(tot0 if elem > a else elem)
    return tot0 * tot0


def fuzz_1225076(y, a):
    cum = np.cos(np.arange(4) * a)
    tot0 = np.array(y, dtype=float)
    for elem in cum:
        tot0[...] = tot0 * 0.5 + math.atan(tot0 if elem > a or a > elem else elem)
    return tot0 * tot0 + np.sum(cum)


@pytest.mark.parametrize("f", [joined_alias, joined_alias_under_atan, joined_alias_in_a_loop,
                               joined_alias_in_nested_loops, fuzz_1225076], ids=lambda f: f.__name__)
def test_second_derivative_through_a_joined_alias(f):
    a = 0.4377
    expected = numeric_hessian(lambda y: float(f(y, a)), -0.6202)
    for second in (s2s.hessian(f), s2s.grad(s2s.grad(f)), s2s.jacobian(s2s.grad(f))):
        assert float(second(-0.6202, a)) == pytest.approx(expected, rel=1e-5, abs=1e-6)
    assert joined_alias(-0.6202, a) == pytest.approx(0.6202 ** 4)  # (the reference is the function's own)
