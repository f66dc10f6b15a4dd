"""Every corpus function's gradient against central finite differences, and its value."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad
from functions import STRAIGHT
from functions_control import CONTROL

CASES = STRAIGHT + CONTROL


def _id(case):
    fn, args, wrt = case
    return f"{fn.__name__}-{'-'.join(str(np.ndim(a)) for a in args)}-{hash(repr([np.asarray(a).tolist() for a in args])) % 1000}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_gradient_matches_finite_differences(case):
    fn, args, wrt = case
    g = s2s.grad(fn, wrt=wrt)
    result = g(*args)
    wrts = wrt if isinstance(wrt, tuple) else (wrt,)
    results = result if isinstance(wrt, tuple) else (result,)
    assert len(results) == len(wrts)
    for w, r in zip(wrts, results):
        assert_close(r, numeric_grad(fn, args, w), what=f"{fn.__name__} d/d{w}")
        assert np.shape(r) == np.shape(args[w])


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_forward_value_is_the_functions(case):
    fn, args, wrt = case
    value, _ = s2s.value_and_grad(fn, wrt=wrt)(*args)
    expected = fn(*args)
    assert value == expected or np.allclose(value, expected, rtol=1e-13, atol=0), (value, expected)
