"""Round 13 (fix13dtype): an s2s transformation called inside a function s2s differentiates is inlined, and its
results are made what its call on its own returns (front/inlining.py `settled`, runtime/settled.py): a Python
number's derivative a float, a float32 argument's in float32, a 0-d array's a 0-d array, jvp's tangent in its
value's dtype. Before, the inlined derivative came out as the generated code computed it (float64), so the outer
function's value and derivatives were float64 where the original, calling the transformation, gives float32.

Each outer function is checked in float32 against the original (the value's type and dtype, in value_and_grad,
jvp and vjp) and in float64 against finite differences in every mode (conftest.check_every_mode)."""
import math

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad


def cost(a):
    return np.sum(np.linalg.solve(2.0 * np.eye(4) + 0.1 * np.sin(a * np.eye(4)), -1.0 * np.ones(4)))


def energy2(a):
    return math.hypot(a, a) + np.std(a * np.eye(3))


def e5(a):  # (energy2 without np.std, whose third derivative s2s does not have: its gradient is float64 too)
    return math.hypot(a, 2.0 * a) + np.sum(np.tanh(a * np.eye(3)))


def e3(a):  # (its gradient is float64 for a float32 a: the adjoint of a[0] is written into float64 zeros)
    return math.sin(a[0]) + np.sum(a * a)


def e4(a, b):
    return math.sin(a[0]) * b + np.sum(a ** 2)


def f_constant(v):  # the fuzzer's reproducer: a constant Python float argument, its derivative a float
    g = s2s.grad(cost)(2.0)
    return g * np.std(v)


def f_element(v):  # an np.float32 argument (an element of a float32 array): its derivative an np.float32
    return s2s.grad(e5)(v[0]) + np.sum(v)


def f_array(v):
    return np.sum(s2s.grad(e3)(v) * v)


def f_value_and_grad(v):  # a tuple wrt: each derivative its argument's (a constant float's a float)
    val, (ga, gb) = s2s.value_and_grad(e4, wrt=(0, 1))(v, 1.5)
    return val + np.sum(ga * v) + gb * np.std(v)


def f_vjp(v):  # vjp's pullback: its result in the argument's dtype
    val, pullback = s2s.vjp(e3)(v)
    return val * np.sum(pullback(1.0) * v)


def f_jvp(v):  # jvp's tangent: in its value's dtype (a float64 tangent of a float32 argument's: float32)
    y, t = s2s.jvp(e3)((v,), (np.linspace(0.5, 2.0, 4),))
    return y + t


def f_zero_d(v):  # a 0-d array argument: its derivative a 0-d array of its dtype
    return np.sum(s2s.grad(e5)(np.asarray(v[1])) * v)


def f_runtime_float(v, s):  # a Python float known only at run time: a float
    return s2s.grad(e5)(s) * np.sum(v)


OUTER = [f_constant, f_element, f_array, f_value_and_grad, f_vjp, f_jvp, f_zero_d]
V = np.array([0.3, 1.2, -0.7, 0.5])
NUMPY_2 = int(np.__version__.split(".")[0]) >= 2  # (NumPy 1's value-based casting makes some originals float64)


def _same_kind(got, expected, what):
    assert type(got) is type(expected), f"{what}: {type(got).__name__}, the original gives {type(expected).__name__}"
    assert np.asarray(got).dtype == np.asarray(expected).dtype, f"{what}: {np.asarray(got).dtype} vs " \
                                                                f"{np.asarray(expected).dtype}"
    assert_close(got, expected, 1e-5, 1e-6, what=what)


@pytest.mark.parametrize("f", OUTER, ids=lambda f: f.__name__)
def test_float32_value_is_the_originals(f):
    v = V.astype(np.float32)
    expected = f(v)
    assert np.asarray(expected).dtype == np.float32 or not NUMPY_2  # (what the original, calling it, gives)
    value, grad = s2s.value_and_grad(f)(v)
    _same_kind(value, expected, f"{f.__name__}: value_and_grad's value")
    assert grad.dtype == np.float32
    primal, tangent = s2s.jvp(f)((v,), (np.ones(4, np.float32),))
    _same_kind(primal, expected, f"{f.__name__}: jvp's value")
    value, pullback = s2s.vjp(f)(v)
    _same_kind(value, expected, f"{f.__name__}: vjp's value")
    assert pullback(np.float32(1.0)).dtype == np.float32
    assert_close(s2s.jacobian(f)(v), s2s.grad(f)(v), 1e-5, 1e-6, what=f"{f.__name__}: jacobian")


@pytest.mark.parametrize("f", OUTER, ids=lambda f: f.__name__)
def test_float64_every_mode_against_finite_differences(f):
    assert_close(s2s.value_and_grad(f)(V)[0], f(V), 1e-12, 0.0, what=f.__name__)
    check_every_mode(f, V.copy())


def test_python_float_known_at_run_time():
    v = V.astype(np.float32)
    expected = f_runtime_float(v, 1.3)
    assert type(s2s.grad(e5)(1.3)) is float and (expected.dtype == np.float32 or not NUMPY_2)
    value, (gv, gs) = s2s.value_and_grad(f_runtime_float, wrt=(0, 1))(v, 1.3)
    _same_kind(value, expected, "value_and_grad's value")
    assert_close(gv, numeric_grad(f_runtime_float, (V, 1.3), 0), 1e-5, 1e-6, what="grad wrt v")
    assert_close(gs, numeric_grad(f_runtime_float, (V, 1.3), 1), 1e-5, 1e-6, what="grad wrt s")
    assert_close(s2s.grad(s2s.grad(f_runtime_float, wrt=1), wrt=1)(V, 1.3),
                 (numeric_grad(lambda s: s2s.grad(f_runtime_float, wrt=1)(V, s), (1.3 + 1e-4,), 0) +
                  numeric_grad(lambda s: s2s.grad(f_runtime_float, wrt=1)(V, s), (1.3 - 1e-4,), 0)) / 2,
                 1e-4, 1e-6, what="grad of grad wrt s")


def test_generated_code_reads_as_written():
    text = s2s.value_and_grad(f_constant).source
    assert "float(" in text and "settled_like" not in text  # (a constant float: float() of its derivative)
    text = s2s.value_and_grad(f_element).source
    assert text.count("rt.settled_like(") == 1


def test_the_fuzzers_reproducer_with_a_dict():
    def h(p):
        return s2s.grad(energy2)(p["w"]) + np.sum(p["b"])
    p = {"w": np.float32(1.531), "b": np.ones(3, np.float32)}
    value, grad = s2s.value_and_grad(h)(p)
    _same_kind(value, h(p), "value_and_grad's value")
    assert grad["w"].dtype == np.float32
    p64 = {"w": 1.531, "b": np.ones(3)}
    g64 = s2s.grad(h)(p64)
    eps = 1e-6
    numeric = (h({"w": 1.531 + eps, "b": p64["b"]}) - h({"w": 1.531 - eps, "b": p64["b"]})) / (2 * eps)
    assert_close(g64["w"], numeric, 1e-5, 1e-6, what="grad wrt p['w']")
    assert_close(g64["b"], np.ones(3), 1e-12, 0.0, what="grad wrt p['b']")
