"""The Python numerical code is written in (issue 14): ndarray methods (`.astype`, `.item`, `.tolist`,
`.dtype`), signatures (`*args`, `**kwargs`, keyword-only parameters, defaults computed at definition
time), methods of the user's own objects and dataclass parameters, and statements kept for their effect
(`with np.errstate(...)`, logging, a call whose result is discarded).

Each construct is differentiated in reverse mode, in forward mode and to second order (`hessian`, and
`grad(grad(f))` for scalars), and checked against central finite differences of the original function.
"""
from __future__ import annotations

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad

RNG = np.random.default_rng(14)
V3 = RNG.normal(size=3)
V4 = RNG.normal(size=4)
M23 = RNG.normal(size=(2, 3))


def numeric_hessian(f, args, wrt, eps=1e-4):
    """Central second differences of scalar f with respect to args[wrt]."""
    x = np.asarray(args[wrt], dtype=float)
    scalar = x.ndim == 0
    n = x.size
    out = np.zeros((n, n))

    def at(delta):
        a = list(args)
        v = x.reshape(-1) + delta
        a[wrt] = float(v[0]) if scalar else v.reshape(x.shape)
        return float(f(*a))
    for i in range(n):
        for j in range(n):
            ei, ej = np.eye(n)[i] * eps, np.eye(n)[j] * eps
            out[i, j] = (at(ei + ej) - at(ei - ej) - at(-ei + ej) + at(-ei - ej)) / (4 * eps * eps)
    return out.reshape(x.shape + x.shape)


def check_every_mode(f, args, wrt=0, second_order=True, kwargs=None):
    """grad, value_and_grad, jvp (a random direction), jacobian in both modes and hessian of `f` at `args`,
    against central finite differences of `f` itself."""
    kwargs = kwargs or {}
    g = lambda *a: f(*a, **kwargs)  # noqa: E731
    numeric = numeric_grad(g, args, wrt)
    assert_close(s2s.grad(f, wrt=wrt)(*args, **kwargs), numeric, rtol=1e-5, atol=1e-6, what="grad")
    value, grad = s2s.value_and_grad(f, wrt=wrt)(*args, **kwargs)
    assert_close(value, g(*args), what="value")
    direction = RNG.normal(size=np.shape(args[wrt]))
    direction = float(direction) if np.ndim(args[wrt]) == 0 else direction
    if not kwargs:
        _, tangent = s2s.jvp(f, wrt=wrt)(tuple(args), (direction,))
        assert_close(tangent, np.sum(numeric * direction), rtol=1e-5, atol=1e-6, what="jvp")
        assert_close(s2s.jacobian(f, wrt=wrt, mode="forward")(*args), numeric, what="jacobian (forward)")
        assert_close(s2s.jacobian(f, wrt=wrt)(*args), numeric, what="jacobian (reverse)")
    if second_order and not kwargs:
        assert_close(s2s.hessian(f, wrt=wrt)(*args), numeric_hessian(g, args, wrt), rtol=1e-4, atol=1e-5,
                     what="hessian")
        if np.ndim(args[wrt]) == 0:
            second = s2s.grad(s2s.grad(f, wrt=wrt), wrt=wrt)(*args)
            assert_close(second, numeric_hessian(g, args, wrt), rtol=1e-4, atol=1e-5, what="grad of grad")


# ================================================================ 1. ndarray methods and attributes

def cast_to_float32_and_back(x):
    y = x.astype(np.float32).astype(np.float64)
    return np.sum(np.sin(y) * x)


def cast_to_float(x):
    y = (x * x).astype(float)
    return np.sum(y * np.cos(x))


def cast_to_int_has_no_derivative(x):
    k = (x * 3.0).astype(int)
    mask = x.astype(bool)
    return np.sum(k * x * x) + np.sum(mask * x)


def cast_to_a_type_known_at_run_time(x, like):
    y = np.tanh(x).astype(like.dtype)
    return np.sum(y * y)


def item_of_one_element(x):
    s = np.sum(x * x, keepdims=True)
    return np.exp(0.1 * s.item()) + x[1:2].item() * x[0]


def item_at_an_index(x):
    return x.item(2) * x.item(0) + np.sum(x)


def tolist_of_a_vector(x):
    values = np.sin(x).tolist()
    total = 0.0
    for v in values:
        total = total + v * v
    return total + values[0] * values[2]


def tolist_of_a_matrix(m):
    rows = m.tolist()
    return rows[0][1] * rows[1][2] + rows[1][0] ** 2


def dtype_and_shape_carry_no_derivative(x):
    if x.dtype == np.float64 and x.ndim == 1:
        scale = x.size / x.shape[0]
    else:
        scale = 2.0
    return scale * np.sum(x ** 3)


@pytest.mark.parametrize("f, args", [
    (cast_to_float32_and_back, (V3,)),
    (cast_to_float, (V3,)),
    (cast_to_int_has_no_derivative, (np.array([0.37, 1.21, 2.43]),)),
    (item_of_one_element, (V3,)),
    (item_at_an_index, (V3,)),
    (tolist_of_a_vector, (V3,)),
    (tolist_of_a_matrix, (M23,)),
    (dtype_and_shape_carry_no_derivative, (V4,)),
], ids=lambda v: getattr(v, "__name__", ""))
def test_array_methods(f, args):
    tol = 1e-6 if f is not cast_to_float32_and_back else None
    if tol is None:  # float32 rounding: compare with the derivative computed in float64
        g = s2s.grad(f)(*args)
        assert_close(g, np.cos(V3) * V3 + np.sin(V3), rtol=1e-6, atol=1e-6, what="grad")
        assert g.dtype == np.float64
        _, t = s2s.jvp(f)(args, (np.ones(3),))
        assert_close(t, np.sum(np.cos(V3) * V3 + np.sin(V3)), rtol=1e-6, what="jvp")
        return
    check_every_mode(f, args)


def test_cast_to_a_type_known_at_run_time():
    x = np.array([0.3, -0.7, 1.1])
    check_every_mode(cast_to_a_type_known_at_run_time, (x, np.zeros(1)))
    assert_close(s2s.grad(cast_to_a_type_known_at_run_time)(x, np.zeros(1, dtype=int)), np.zeros(3))
    _, t = s2s.jvp(cast_to_a_type_known_at_run_time)((x, np.zeros(1, dtype=int)), (np.ones(3),))
    assert t == 0.0


def test_cast_adjoint_has_the_argument_type():
    def f(x):
        return np.sum(x.astype(np.float64) ** 2)
    x = np.array([1.0, 2.0], dtype=np.float32)
    g = s2s.grad(f)(x)
    assert g.dtype == np.float32
    assert_close(g, 2 * x)


def test_methods_read_as_written():
    text = s2s.grad(cast_to_float32_and_back).source
    assert "x.astype(float32)" in text and ".astype(float64)" in text and "rt.astype(" not in text
    text = s2s.grad(item_of_one_element).source
    assert "s.item()" in text and "rt.item(" not in text
    assert "values = np.sin(x).tolist()" in s2s.grad(tolist_of_a_vector).source
    assert "x.dtype == float64" in s2s.grad(dtype_and_shape_carry_no_derivative).source
    assert "astype_adjoint" not in s2s.grad(cast_to_int_has_no_derivative).source  # no derivative through int
    assert "dy = dt1.astype(float)" in s2s.jvp(cast_to_float).source


def test_item_of_an_array_of_several_elements_fails_as_numpy_does():
    def f(x):
        return x.item() * 2.0
    with pytest.raises(ValueError, match="size 1"):
        s2s.grad(f)(np.ones(3))
