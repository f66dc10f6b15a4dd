"""Every corpus function through vjp, reverse-mode jacobian and hessian (forward over reverse on the
generated gradient), against central finite differences of f and of its gradient."""
import numpy as np
import pytest

import s2s
from conftest import numeric_grad
from functions import STRAIGHT
from functions_control import CONTROL

CASES = STRAIGHT + CONTROL


def _first(wrt):
    return wrt[0] if isinstance(wrt, tuple) else wrt


@pytest.mark.parametrize("fn,args,wrt", CASES, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_vjp_and_reverse_jacobian(fn, args, wrt):
    w = _first(wrt)
    numeric = numeric_grad(fn, args, w)
    value, pullback = s2s.vjp(fn, wrt=w)(*args)
    assert np.allclose(pullback(1.0), numeric, rtol=1e-5, atol=1e-6)
    assert np.allclose(s2s.jacobian(fn, wrt=w)(*args), numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn,args,wrt", CASES, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_hessian_against_differences_of_the_gradient(fn, args, wrt):
    w = _first(wrt)
    g = s2s.grad(fn, wrt=w)
    x = np.asarray(args[w], dtype=float)
    columns = []
    for idx in np.ndindex(*x.shape):
        step = np.zeros(x.shape)
        step[idx] = 1e-5
        up, down = list(args), list(args)
        up[w], down[w] = (x + step, x - step) if x.shape else (float(x) + 1e-5, float(x) - 1e-5)
        columns.append((np.asarray(g(*up)) - np.asarray(g(*down))) / 2e-5)
    numeric = np.stack(columns, axis=-1).reshape(x.shape + x.shape)
    h = s2s.hessian(fn, wrt=w)(*args)
    assert np.shape(h) == x.shape + x.shape
    assert np.allclose(h, numeric, rtol=1e-4, atol=1e-5), (h, numeric)


SCALAR_CASES = [c for c in CASES if np.ndim(c[1][_first(c[2])]) == 0]


@pytest.mark.parametrize("fn,args,wrt", SCALAR_CASES, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(SCALAR_CASES)])
def test_grad_of_grad_against_differences_of_the_gradient(fn, args, wrt):
    w = _first(wrt)
    g = s2s.grad(fn, wrt=w)
    up, down = list(args), list(args)
    up[w], down[w] = float(args[w]) + 1e-5, float(args[w]) - 1e-5
    numeric = (g(*up) - g(*down)) / 2e-5
    assert np.allclose(s2s.grad(g, wrt=w)(*args), numeric, rtol=1e-4, atol=1e-5)
