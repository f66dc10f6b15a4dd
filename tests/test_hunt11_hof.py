"""hunt11hof: composed transformations and the public API (the errors API.md names, wrt positions, tangents of
records, s2s.grad of a NumPy function, inner transformations inside a differentiated function)."""
from collections import namedtuple
from dataclasses import dataclass

import numpy as np
import pytest

import s2s
from tests.conftest import numeric_grad


# --- minor notes: the contract of API.md ("All errors derive from s2s.S2SError"; wrt is a position) ---

def _pair(x):
    return (x, x * 2.0)


@pytest.mark.parametrize("transform", [s2s.grad, s2s.value_and_grad, s2s.hessian])
def test_tuple_result_under_grad_is_a_call_error(transform):
    with pytest.raises(s2s.CallError) as info:  # (an S2SError and a ValueError)
        transform(_pair)(1.0)
    assert isinstance(info.value, ValueError) and "s2s.vjp" in str(info.value)
    assert "test_hunt11_hof.py" in str(info.value) and "return (x, x * 2.0)" in str(info.value)


def _xy(x, y):
    return x * y ** 2


def test_numpy_integer_positions_as_wrt():
    x, y = 2.0, 3.0
    dy = numeric_grad(_xy, (x, y), 1)
    assert s2s.grad(_xy, wrt=np.int64(1))(x, y) == pytest.approx(dy)
    assert s2s.grad(_xy, wrt=(np.int32(0), "y"))(x, y) == pytest.approx((numeric_grad(_xy, (x, y), 0), dy))
    assert s2s.value_and_grad(_xy, wrt=np.int64(1))(x, y)[1] == pytest.approx(dy)
    assert s2s.vjp(_xy, wrt=np.int64(1))(x, y)[1](1.0) == pytest.approx(dy)
    assert s2s.jvp(_xy, wrt=np.int64(1))((x, y), (1.0,))[1] == pytest.approx(dy)
    assert float(s2s.jacobian(_xy, wrt=np.int64(1), mode="forward")(x, y)) == pytest.approx(dy)
    assert float(s2s.jacobian(_xy, wrt=np.int64(1))(x, y)) == pytest.approx(dy)
    assert float(s2s.hessian(_xy, wrt=np.int64(1))(x, y)) == pytest.approx(2 * x)
    assert s2s.check_grad(_xy, x, y, wrt=np.int64(1)) is None
    for i in np.arange(2):  # (the loop the position usually comes from)
        assert s2s.grad(_xy, wrt=i)(x, y) == pytest.approx(numeric_grad(_xy, (x, y), int(i)))
    with pytest.raises(s2s.ArgumentTypeError):
        s2s.grad(_xy, wrt=1.0)(x, y)
    with pytest.raises(s2s.ArgumentTypeError):
        s2s.grad(_xy, wrt=np.bool_(True))(x, y)


P = namedtuple("P", "w b")


@dataclass
class D:
    w: float
    b: float


def _fields(q):
    return q.w * 2.0 + q.b * 10.0


@pytest.mark.parametrize("point, tangent", [(P(1.0, 2.0), (0.0, 1.0)), (P(1.0, 2.0), [0.0, 1.0]),
                                            (P(1.0, 2.0), {"w": 0.0, "b": 1.0}), (D(1.0, 2.0), (0.0, 1.0)),
                                            (D(1.0, 2.0), {"w": 0.0, "b": 1.0})])
def test_record_tangent_of_another_structure_is_refused(point, tangent):
    with pytest.raises(s2s.CallError) as info:  # (was an AttributeError from inside the generated code)
        s2s.jvp(_fields)((point,), (tangent,))
    name = type(point).__name__
    assert f"pass a {name} of the tangents of its fields, {name}(w=..., b=...)" in str(info.value)
    assert s2s.jvp(_fields)((point,), (type(point)(0.0, 1.0),)) == (22.0, 10.0)
