"""Round 20 (fix20msg): right programs s2s refused, and refusals whose advice named the wrong thing.

1. `[P[k] for k in P] if isinstance(P, dict) else P` (and `type(P) is dict`) with P a list or tuple the function
   made (or a helper was called with) was refused as "its index has a derivative": the branch not taken indexed the
   list by its own items. isinstance and `type(P) is/==` of a container the function made are its type's, folded
   while building, as hasattr(P, 'keys') already was (front/outside.type_test).

Each program is checked against central differences (its derivatives) and NumPy (its value).
"""
import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad


# ---------------------------------------------------------------- 1. isinstance / type() of a container made here
def isinstance_of_a_list(x):
    pack = [x[0] * 2.0, x[1:]]
    vals = [pack[k] for k in pack] if isinstance(pack, dict) else pack
    return np.sum(vals[0] * vals[1])


def type_is_of_a_tuple(x):
    pack = (x[0] * 2.0, x[1:])
    s = 0.0
    for q in ([pack[k] for k in pack] if type(pack) is dict else pack):
        s = s + np.sum(q * q)
    return s


def type_not_equal_of_a_list(x):
    pack = [x[0] * 2.0, x[1:]]
    vals = pack if type(pack) != dict else [pack[k] for k in pack]
    return np.sum(np.tanh(vals[0] * vals[1]))


def _values(pack):
    return [pack[k] for k in pack] if isinstance(pack, (dict,)) else pack


def helper_given_a_list_and_a_dict(x):
    a = _values([x[0] * 2.0, x[1:]])
    b = _values({'w': x[0], 'b': x[1:] * 3.0})
    return np.sum(a[0] * a[1]) + np.sum(b[0] * np.sin(b[1]))


@pytest.mark.parametrize("f", [isinstance_of_a_list, type_is_of_a_tuple, type_not_equal_of_a_list,
                               helper_given_a_list_and_a_dict], ids=lambda f: f.__name__)
def test_isinstance_of_a_container_made_here_is_its_types(f):
    x = np.array([0.3, -0.7, 1.1, 0.4])
    value, g = s2s.value_and_grad(f)(x)
    assert value == f(x)
    check_every_mode(f, x)
