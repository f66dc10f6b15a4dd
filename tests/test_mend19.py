"""Round-19 mends whose behaviour a user can see. Every derivative is checked against finite differences or an
analytic value, every value against NumPy's."""
import gc
import weakref

import numpy as np

import s2s
from tests.conftest import assert_close, numeric_grad, numeric_hessian

_MADE = []  # weak references to the closures `per_call` checkpoints


def per_call(w, h):
    def layer(h):
        return np.tanh(w * h)
    _MADE.append(weakref.ref(layer))
    return np.sum(s2s.checkpoint(layer)(s2s.checkpoint(layer)(h)))


def with_lambda(w, h):
    for _ in range(2):
        h = s2s.checkpoint(lambda h, w: np.tanh(w * h) + 0.1 * h)(h, w)
    return np.sum(h * h)


def test_a_closure_checkpointed_at_every_call_is_freed():
    w, h = 0.7, np.array([0.3, -1.2, 0.5])
    _MADE.clear()
    for _ in range(4):
        assert_close(per_call(w, h), np.sum(np.tanh(w * np.tanh(w * h))))
    gc.collect()
    assert len(_MADE) == 4 and all(ref() is None for ref in _MADE)


def test_a_wrapper_held_is_the_one_marking_the_function_again_gives():
    def layer(h):
        return 2.0 * h
    held = s2s.checkpoint(layer)
    assert s2s.checkpoint(layer) is held and s2s.checkpoint(held) is held
    ref = weakref.ref(layer)
    del layer, held
    gc.collect()
    assert ref() is None


def test_checkpointed_lambdas_gradients_match_finite_differences():
    w, h = 0.8, np.array([0.4, -0.9, 1.3])
    value = h
    for _ in range(2):
        value = np.tanh(w * value) + 0.1 * value
    assert_close(with_lambda(w, h), np.sum(value * value))
    gw, gh = s2s.grad(with_lambda, wrt=(0, 1))(w, h)
    assert_close(gw, numeric_grad(with_lambda, (w, h), 0), rtol=1e-5, atol=1e-7)
    assert_close(gh, numeric_grad(with_lambda, (w, h), 1), rtol=1e-5, atol=1e-7)
    _, pulled = s2s.vjp(with_lambda, wrt=1)(w, h)
    assert_close(pulled(1.0), gh, rtol=1e-5, atol=1e-7)
    dh = np.array([0.2, 0.5, -0.3])
    _, tangent = s2s.jvp(with_lambda, wrt=1)((w, h), (dh,))
    assert_close(tangent, gh @ dh, rtol=1e-5, atol=1e-7)
    assert_close(s2s.jacobian(with_lambda, wrt=1)(w, h), gh, rtol=1e-5, atol=1e-7)
    assert_close(s2s.jacobian(with_lambda, wrt=1, mode="forward")(w, h), gh, rtol=1e-5, atol=1e-7)
    assert_close(s2s.hessian(with_lambda, wrt=1)(w, h), numeric_hessian(lambda h: with_lambda(w, h), h),
                 rtol=1e-4, atol=1e-5)


def test_checkpoint_leaves_the_users_function_as_it_was():
    def step(h):
        return np.tanh(h)

    before = dict(vars(step))
    wrapper = s2s.checkpoint(step)
    assert vars(step) == before  # (nothing s2s marks is set on the function the user passed)
    assert s2s.checkpoint(step) is wrapper
