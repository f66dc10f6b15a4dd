"""The lead's fixes of round 18, each checked in every mode against finite differences (tests/test_fix17_dict's
every_mode: value_and_grad, grad, vjp, jvp, both Jacobians, the Hessian), the value against plain Python."""
import numpy as np

from tests.test_fix17_dict import every_mode


def relax(st0, k):  # (hunt18sim R1: a copy of the dict written at the keys of the original, then a generator
    st = dict(st0)  # naming its item as the loop does)
    for key in st0:
        st[key] = st[key] - 0.1 * k * st[key] ** 2
    return sum(np.sum(st[key]) for key in st0)


def scaled(st0, k):  # (the loop's item kept for after the loop, key = phi(None, key_1), never read)
    st = st0.copy()
    for key in st0:
        st[key] = st[key] * k
    return sum(np.sum(st[key] ** 2) for key in st0)


def euler_dict_keys(st0, k):  # (the Hessian: the gradient's rt.zero_at and setitem_value_adjoint read at the key)
    st = dict(st0)
    for t in range(5):
        st = dict(st)
        for key in st0:
            st[key] = st[key] - 0.1 * k * st[key] * st[key]
    return np.sum(st["x"] ** 2) + np.sum(st["v"])


def _state():
    return {"a": np.array([0.1, 0.2]), "b": np.array([0.3, -0.4])}


def test_a_dict_copy_written_at_the_originals_keys_then_a_generator_over_them():
    every_mode(relax, _state(), 1.5)


def test_a_loop_item_kept_after_the_loop_is_still_a_key():
    every_mode(scaled, _state(), 1.5)


def test_the_hessian_of_a_dict_copy_written_at_the_originals_keys_in_a_time_loop():
    every_mode(euler_dict_keys, {"x": np.array([0.1, 0.2]), "v": np.array([0.3, -0.4])}, 1.5)
