"""Transformed callables used inside differentiated functions, and the messages of refusals around them
(hunt3ho items 5, 6, 9; hunt3opt item 9).

Each derivative is checked against central finite differences of the plain function (conftest's numeric_grad)
or an analytic formula; each refusal is checked for its located line and for advice that fits the case.
"""
from __future__ import annotations

import numpy as np
import pytest

import s2s
from s2s.errors import S2SError

from conftest import assert_close, numeric_grad


# ================================================================ s2s.grad of a method of a module-level object
class Model:
    def __init__(self, a):
        self.a = a

    def loss(self, x):
        return self.a * x ** 3

    @classmethod
    def closs(cls, x):
        return x ** 3


M = Model(2.0)
GRAD_LOSS = s2s.grad(M.loss)  # (a transformed bound method, made at module level)
VG_LOSS = s2s.value_and_grad(M.loss)
GRAD_CLOSS = s2s.grad(M.closs)


def step_named(x):
    return M.loss(x - 0.1 * GRAD_LOSS(x))


def step_inline(x):
    return M.loss(x - 0.1 * s2s.grad(M.loss)(x))


def step_value_and_grad(x):
    value, slope = VG_LOSS(x)
    return value * M.loss(x - 0.1 * slope)


def step_classmethod(x):
    return GRAD_CLOSS(x) * x + s2s.grad(M.closs)(x)


def _plain_step(x, a=2.0):
    return a * (x - 0.1 * 3 * a * x ** 2) ** 3


@pytest.mark.parametrize("f, reference", [
    (step_named, _plain_step),
    (step_inline, _plain_step),
    (step_value_and_grad, lambda x: 2.0 * x ** 3 * _plain_step(x)),
    (step_classmethod, lambda x: 3 * x ** 3 + 3 * x ** 2),
])
def test_grad_through_the_gradient_of_a_method(f, reference):
    for x in (1.0, 0.7, -1.3):
        assert f(x) == pytest.approx(reference(x))
        assert_close(s2s.grad(f)(x), numeric_grad(reference, (x,), 0), what=f.__name__)


def test_the_method_reads_its_object_when_it_runs():
    g = s2s.grad(step_inline)
    before = g(0.7)
    M.a = 3.0
    try:
        assert_close(g(0.7), numeric_grad(lambda x: _plain_step(x, 3.0), (0.7,), 0), what="a = 3")
    finally:
        M.a = 2.0
    assert g(0.7) == pytest.approx(before)


def quartic(w):
    return np.sum(w ** 4)


LOSSES = {"l4": quartic}


def grad_of_dict_entry(w):
    return np.sum(s2s.grad(LOSSES["l4"])(w) * w)


def test_grad_of_a_dict_entry_is_refused_with_what_to_write():
    with pytest.raises(S2SError) as info:
        s2s.grad(grad_of_dict_entry)(np.array([0.5, 1.0]))
    message = str(info.value)
    assert "taken from a container" in message and "defined inside" not in message
    assert "f = LOSSES['l4']" in message
    assert 'return np.sum(s2s.grad(LOSSES["l4"])(w) * w)' in message


def grad_of_nested(w):
    def inner(v):
        return np.sum(v ** 2 * w)  # (reading w, a variable known only at run time)
    return np.sum(s2s.grad(inner)(w))


def test_grad_of_a_nested_function_says_so():
    with pytest.raises(S2SError, match="'inner', a function defined inside the function"):
        s2s.grad(grad_of_nested)(np.array([0.5, 1.0]))


# ================================================================ reverse mode over an inner gradient's loop stacks
def looped_loss(w):
    s = 0.0
    for i in range(2):
        s = s + np.sin(w[i] * s + w[0])
    return s


def unrolled(w):
    for k in range(2):
        w = w - 0.1 * s2s.grad(looped_loss)(w)
    return looped_loss(w)


def unrolled_vector(w):
    for k in range(2):
        w = w - 0.1 * s2s.grad(looped_loss)(w)
    return np.array([looped_loss(w), np.sum(w ** 2)])


def _looped_loss_grad(w):
    """The gradient of looped_loss written out by hand (the chain rule through its two steps)."""
    s1 = np.sin(w[0])
    d1 = np.array([np.cos(w[0]), 0.0])
    u = w[1] * s1 + w[0]
    du = np.array([w[1] * d1[0] + 1.0, s1 + w[1] * d1[1]])
    return d1 + np.cos(u) * du


def _unrolled_plain(w, vector=False):
    for k in range(2):
        w = w - 0.1 * _looped_loss_grad(w)
    value = np.sin(w[1] * np.sin(w[0]) + w[0]) + np.sin(w[0])
    return np.array([value, np.sum(w ** 2)]) if vector else value


W2 = np.array([0.3, 0.8])


def test_the_hand_written_inner_gradient_is_the_finite_differences():
    assert_close(_looped_loss_grad(W2), numeric_grad(looped_loss, (W2,), 0))


def test_reverse_jacobian_falls_back_to_forward_mode():
    expected = numeric_grad(_unrolled_plain, (W2,), 0)
    assert_close(s2s.jacobian(unrolled)(W2), expected, what="jacobian")
    rows = [numeric_grad(lambda w, i=i: _unrolled_plain(w, vector=True)[i], (W2,), 0) for i in range(2)]
    jac = s2s.jacobian(unrolled_vector)
    assert_close(jac(W2), np.array(rows), what="jacobian of a vector")
    assert_close(jac(W2 + 0.1), np.array([numeric_grad(lambda w, i=i: _unrolled_plain(w, vector=True)[i],
                                                       (W2 + 0.1,), 0) for i in range(2)]), what="again")
    assert "def " in jac.source


def test_vjp_refusal_points_at_the_inner_gradient_and_says_forward_mode():
    with pytest.raises(S2SError) as info:
        s2s.vjp(unrolled)(W2)
    error = info.value
    assert error.lineno == unrolled.__code__.co_firstlineno + 2
    assert "w = w - 0.1 * s2s.grad(looped_loss)(w)" in str(error)
    assert "s2s.jvp(f)" in str(error) and 'mode="forward"' in str(error) and "hessian" not in str(error)
    value, tangent = s2s.jvp(unrolled)((W2,), (np.array([1.0, -0.5]),))
    assert tangent == pytest.approx(numeric_grad(_unrolled_plain, (W2,), 0) @ np.array([1.0, -0.5]))


# ================================================================ messages about transformed callables and rules
def sin_x_squared(x):
    return np.sum(np.sin(x) * x ** 2)


@pytest.mark.parametrize("make", [s2s.vjp, s2s.jacobian])
def test_a_transformation_of_a_jvp_called_like_the_jvp_says_how_to_call_it(make):
    x, v = np.array([0.3, 0.8]), np.array([1.0, -0.5])
    transformed = make(s2s.jvp(sin_x_squared))
    with pytest.raises(TypeError) as info:
        transformed((x,), (v,))
    message = str(info.value)
    assert "jvp_sin_x_squared(x, dx)" in message and "call it as (x, dx)" in message
    assert "takes 1 positional argument" not in message
    with pytest.raises(TypeError, match=r"call it as \(x, dx\)"):
        transformed(x, v, v)
    # called as the message says: the tangent's derivative with respect to x is the Hessian times v
    hessian = np.diag(2 * np.cos(x) * 2 * x + (2 - x ** 2) * np.sin(x))
    if make is s2s.vjp:
        value, pullback = transformed(x, v)
        assert_close(pullback((0.0, 1.0)), hessian @ v)
    else:
        assert_close(transformed(x, v)[1], hessian @ v)


def test_a_rule_missing_a_default_is_told_to_write_it():
    def powk(x, k=3.0):
        return x ** k

    with pytest.raises(TypeError) as info:
        @s2s.adjoint(powk)
        def _(g, ans, x, k):
            return g * k * x ** (k - 1), None
    message = str(info.value)
    assert "write def _(g, ans, x, k=3.0):" in message and "leaves out k" in message


# ================================================================ library functions without a rule
T5 = np.arange(5.0)
Y5 = np.array([1.0, 2.5, 2.0, 4.0, 3.5])


def with_polyfit(y):
    return np.polyfit(T5, y, 1) @ np.array([1.0, 3.0])


def polyfit_as_advised(y):
    A = np.vander(T5, 2)
    p = np.linalg.lstsq(A, y)[0]
    return p @ np.array([1.0, 3.0])


# (np.corrcoef, once here, has a rule now: tests/test_hunt20stat.py)
@pytest.mark.parametrize("f, instead, name", [(with_polyfit, polyfit_as_advised, "np.polyfit")])
def test_a_numpy_function_without_a_rule_says_what_to_write(f, instead, name):
    with pytest.raises(S2SError) as info:
        s2s.grad(f)(Y5)
    message = str(info.value)
    assert "no Python source" not in message and "does not descend into numpy's own Python source" in message
    assert f"for {name}(" in message
    assert instead(Y5) == pytest.approx(f(Y5))  # the advice computes the same value...
    assert_close(s2s.grad(instead)(Y5), numeric_grad(f, (Y5,), 0), what=name)  # ...and s2s differentiates it


def divided_into(a, b):
    z = np.zeros(3)
    y = np.divide(a, b, out=z, where=b != 0)
    return np.sum(y * a)


def divided_as_advised(a, b):
    z = np.zeros(3)
    z = np.where(b != 0, np.divide(a, np.where(b != 0, b, 1.0)), z)
    y = z
    return np.sum(y * a)


def popped_first(x):
    out = [x, x * 2.0]
    return out.pop(0)


def test_a_masked_division_into_out_is_told_to_write_the_masked_result_whole():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 0.0, 4.0])
    with pytest.raises(s2s.S2SError, match=r"z = np.where\(b != 0, np.divide\(a, np.where\(b != 0, b, 1.0\)\), z\); "
                                           r"y = z"):
        s2s.grad(divided_into)(a, b)
    # the advice: 2 a / b where b != 0, 0 where b is 0 (no nan from the masked-off division)
    np.testing.assert_allclose(s2s.grad(divided_as_advised)(a, b), [1.0, 0.0, 1.5])
    assert divided_as_advised(a, b) == divided_into(a, b)


def test_pop_of_the_first_item_is_told_to_read_the_first():
    with pytest.raises(s2s.S2SError, match=r"first = out\[0\]; out = out\[1:\]"):
        s2s.grad(popped_first)(1.0)
