"""Second derivatives of loops over dict items and values (bug hunt, 2026-12-05): the reverse sweep of a
reversed loop copied the adjoint of a list with np.copy (`np.copy` of (key, value) pairs: strings; of values of
two shapes: ValueError), and the adjoint of `dict_items_adjoint` was `d.items()` of the cotangent (pairs
holding the keys) where it is (0.0, value adjoint) per key. References are analytic: the Hessian of
sum(v ** 3) over the values is diag(6 v)."""
import numpy as np
import pytest

import s2s


def over_items(p):
    out = 0.0
    for k, v in p.items():
        out = out + np.sum(v * v * v)
    return out


def over_values(p):
    out = 0.0
    for v in p.values():
        out = out + np.sum(v * v * v)
    return out


def items_of_a_number(x):
    p = {"a": x, "b": x * 2.0}
    out = 0.0
    for k, v in p.items():
        out = out + np.sum(v * v * v)
    return out  # 9 x^3


PARAMS = {"w": np.array([0.3, -0.7]), "b": 1.5}


@pytest.mark.parametrize("f", [over_items, over_values])
@pytest.mark.parametrize("how", [
    lambda f, p: s2s.hessian(f)(p),
    lambda f, p: s2s.jacobian(s2s.grad(f))(p),
    lambda f, p: s2s.jacobian(s2s.grad(f), mode="forward")(p),
], ids=["hessian", "jacobian-reverse-of-grad", "jacobian-forward-of-grad"])
def test_second_derivatives_over_dict_values_of_two_shapes(f, how):
    H = how(f, PARAMS)
    np.testing.assert_allclose(H["w"]["w"], np.diag(6.0 * PARAMS["w"]))
    np.testing.assert_allclose(H["b"]["b"], 6.0 * 1.5)
    np.testing.assert_allclose(H["w"]["b"], np.zeros(2))
    np.testing.assert_allclose(H["b"]["w"], np.zeros(2))


def test_gradient_of_gradient_over_dict_items():
    assert s2s.grad(s2s.grad(items_of_a_number))(0.7) == pytest.approx(54.0 * 0.7)
    assert s2s.hessian(items_of_a_number)(0.7) == pytest.approx(54.0 * 0.7)


def written_list(x):
    ys = [x[:2] * 1.0, x[2:5] * 1.0]
    ys[0] = ys[0] ** 2
    return np.sum(ys[0] ** 2)


def test_a_write_into_a_list_display_rebinds_its_item():
    # (refused until fix16listw: the slot is rebound, as Python does; tests/test_fix16_list_writes.py)
    x = np.array([0.3, -0.5, 0.8, 1.1, 0.2])
    assert s2s.grad(written_list)(x) == pytest.approx(np.r_[4.0 * x[:2] ** 3, np.zeros(3)])
