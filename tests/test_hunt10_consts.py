"""Constants of different types that Python's `==` calls equal (`2 == 2.0 == True`) are different constants in
the IR: `energy = 2 if False else 2.0` returned the int 2 (the fuzzer's seed 1696018 at level 6: float32
arguments gave int64 values), a join of `2` and `2.0` having been folded to its first operand."""
import numpy as np

import s2s
from s2s import ir


def int_or_float(xs):
    energy = 2 if False else 2.0
    return energy


def float_or_int(x, flag=False):
    a = 1 if flag else 1.0
    return a * x


def test_a_join_of_two_and_two_point_zero_is_the_float():
    value, tangent = s2s.jvp(int_or_float)((np.ones(2),), (np.ones(2),))
    assert type(value) is float and value == 2.0
    value, g = s2s.value_and_grad(float_or_int)(3)
    assert type(value) is float and value == 3.0 and g == 1.0


def test_constants_compare_by_type_and_value():
    assert ir.Const(2) != ir.Const(2.0) and ir.Const(1) != ir.Const(True) and ir.Const(2.0) == ir.Const(2.0)
    assert ir.Const((1, 2.0)) != ir.Const((1.0, 2)) and ir.Const((1, 2.0)) == ir.Const((1, 2.0))
    assert len({ir.Const(0), ir.Const(0.0), ir.Const(False), ir.Const(-0.0)}) == 4


def signed_zeros(x):  # (hunt10reg F2: the two calls were merged, 0.0 and -0.0 being one constant)
    return x * np.copysign(1.0, 0.0) + x * np.copysign(1.0, -0.0) * 3.0


def test_minus_zero_is_its_own_constant():
    x = 1.5
    assert signed_zeros(x) == -3.0
    value, g = s2s.value_and_grad(signed_zeros)(x)
    assert value == -3.0 and g == -2.0
