"""`o.T` of an item of a list where `.T` is the only attribute the function reads of it: s2s cannot tell the item
for an array or an object of the user's while compiling, and read it as NumPy's transpose, silently wrong for a
namedtuple's field `T` (a cash flow's time; fix10attr's note). Such a read is checked where the code runs
(`rt.require_array`): an array or a NumPy number passes, an object is refused at the user's line, a Python number
raises Python's AttributeError."""
from typing import NamedTuple

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, numeric_grad


class CF(NamedTuple):
    amount: float
    T: float


def present_value(r, flows):
    total = 0.0
    for cf in flows:
        total = total + np.exp(-r * cf.T)
    return total


def layers(x, Ws):
    h = x
    for W in Ws:
        h = np.tanh(W.T @ h)
    return np.sum(h ** 2)


def numbers(r, xs):
    s = 0.0
    for v in xs:
        s = s + r * v.T
    return s


def test_a_field_named_like_an_arrays_attribute_is_refused_where_it_runs():
    flows = [CF(10.0, 1.0), CF(20.0, 2.0)]
    for mode in (s2s.grad, s2s.value_and_grad, s2s.jacobian):
        with pytest.raises(s2s.S2SError, match=r"cf\.T of a CF, not an array") as info:
            mode(present_value)(0.05, flows)
        assert "another field of cf" in str(info.value)


def test_arrays_in_a_list_pass_the_check():
    Ws = [np.eye(2) * 0.5, np.array([[1.0, 0.3], [-0.2, 0.8]])]
    x = np.array([0.3, -0.2])
    assert_close(s2s.grad(layers)(x, Ws), numeric_grad(layers, (x, Ws), 0))
    v, t = s2s.jvp(layers)((x, Ws), (np.ones(2),))
    assert_close(t, np.sum(numeric_grad(layers, (x, Ws), 0)))
    assert_close(s2s.hessian(layers)(x, Ws).shape, (2, 2))
    assert "rt.require_array(W, 'W.T')" in s2s.grad(layers).source


def test_a_python_number_raises_as_python_does():
    with pytest.raises(AttributeError, match="'float' object has no attribute 'T'"):
        s2s.grad(numbers)(0.5, [1.0, 2.0])
    assert s2s.grad(numbers)(0.5, [np.float64(1.0), np.float64(2.0)]) == 3.0
