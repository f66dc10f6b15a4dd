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
        return np.sum(v ** 2)
    return np.sum(s2s.grad(inner)(w))


def test_grad_of_a_nested_function_says_so():
    with pytest.raises(S2SError, match="'inner', a function defined inside the function"):
        s2s.grad(grad_of_nested)(np.array([0.5, 1.0]))
