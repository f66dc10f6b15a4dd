"""Derivatives with respect to a list, tuple or dict come back as a plain list, tuple or dict: they came back as
the runtime's Parts, TupleParts and DictParts, whose `+` adds part by part and `*` scales, so joining the
gradient lists as the parameter lists were joined (`g_enc + g_dec`) summed them (bug hunt, 2026-12-05).
References are analytic."""
import numpy as np
import pytest

import s2s

ENC = [np.array([1.0, 2.0]), np.array([3.0])]
DEC = [np.array([0.5, 0.5]), np.array([2.0])]


def loss(enc, dec):
    return np.sum(enc[0] * dec[0]) + np.sum(enc[1] ** 2 * dec[1])


def product(t):
    return t[0] * t[1]


def doubled(d):
    return d["a"] * 2.0


def test_gradient_lists_join_as_lists():
    g_enc, g_dec = s2s.grad(loss, wrt=(0, 1))(ENC, DEC)
    assert type(g_enc) is list and type(g_dec) is list
    grads = g_enc + g_dec
    expected = [DEC[0], 2 * ENC[1] * DEC[1], ENC[0], ENC[1] ** 2]
    assert len(grads) == 4
    for g, e in zip(grads, expected):
        np.testing.assert_allclose(g, e)


def test_a_tuple_gradient_repeats_as_a_tuple():
    g = s2s.grad(product)((1.0, 2.0))
    assert type(g) is tuple and 2 * g == (2.0, 1.0, 2.0, 1.0)


def test_a_dict_gradient_is_a_dict():
    g = s2s.grad(doubled)({"a": 1.0})
    assert type(g) is dict and g == {"a": 2.0}
    with pytest.raises(TypeError):
        g + {"a": 5.0}  # noqa: B018 (as Python's dicts do)


def test_pullbacks_give_plain_containers_too():
    _, pullback = s2s.vjp(loss, wrt=(0, 1))(ENC, DEC)
    g_enc, g_dec = pullback(1.0)
    assert type(g_enc) is list and type(g_dec) is list
    np.testing.assert_allclose(g_dec[1], ENC[1] ** 2)
