"""Round six of the bug hunts (docs/testing.md): what the lead engineer fixed, each against finite differences
or an analytic value."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad

X = np.array([1.5, -2.0, 3.0])
NUMPY_VERSION = tuple(int(v) for v in np.__version__.split(".")[:2])
NUMPY2 = pytest.mark.skipif(NUMPY_VERSION < (2, 0), reason=f"np.astype is NumPy 2's ({np.__version__})")


def astype_to_float(x):
    return np.sum(np.astype(x * 3.0, np.float64) ** 2)


def astype_to_int(x):
    return np.sum(np.astype(x, int) * x)


def astype_to_a_type_known_when_run(x, like):
    return np.sum(np.astype(x, like.dtype) * x)


@NUMPY2
def test_np_astype_is_the_method_astype():
    """np.astype (NumPy 2) had no rule: refused in every mode."""
    assert_close(s2s.grad(astype_to_float)(X), 18.0 * X, what="float")
    assert_close(s2s.jvp(astype_to_float)((X,), (np.ones(3),))[1], np.sum(18.0 * X), what="jvp")
    assert_close(s2s.hessian(astype_to_float)(X), 18.0 * np.eye(3), what="hessian")
    assert_close(s2s.grad(astype_to_int)(X), np.trunc(X), what="int: no derivative through the cast")
    for like, expected in ((np.zeros(2, int), np.trunc(X)), (np.zeros(2), 2.0 * X)):
        assert_close(s2s.grad(astype_to_a_type_known_when_run)(X, like), expected, what=str(like.dtype))
    assert_close(s2s.grad(astype_to_float)(X), numeric_grad(astype_to_float, (X,), 0), what="finite differences")


def write_through_get(p):
    w = p.get("w")
    w[0] = 5.0  # (NumPy writes into the caller's p["w"]: refused, as p["w"][0] = 5.0 is)
    return np.sum(p["w"] * p["w"])


def test_a_write_into_what_a_dicts_get_returned_is_refused():
    """hunt6idx item 1: the write went into a copy in s2s's dataflow: later reads of p["w"] missed it (16.8 for
    40.25), and the caller's array changed."""
    p = {"w": np.array([1.25, 2.5, -3.0])}
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(write_through_get)(p)
    assert info.value.lineno == write_through_get.__code__.co_firstlineno + 2
    assert np.array_equal(p["w"], [1.25, 2.5, -3.0])
