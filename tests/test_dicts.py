"""Dict displays with constant keys (issue 14): `{"W": W, "b": b}` and `dict(W=W, b=b)`, read by key, passed to
helpers and returned; checked against central finite differences in both modes and to second order."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad, numeric_hessian


def layer(p, x):
    return np.tanh(p["W"] @ x + p["b"])


def two_layers(W, b, x):
    params = {"W": W, "b": b}
    h = layer(params, x)
    q = dict(W=W * 2.0, b=b)
    return np.sum(layer(q, h) ** 2)


def returns_a_dict(W, b):
    return {"w": W * 2.0, "s": np.sum(b * b)}


W = np.array([[0.3, -0.2], [0.1, 0.5]])
B = np.array([0.1, -0.3])
X = np.array([1.0, 2.0])


def test_reverse_forward_and_second_order():
    for wrt in (0, 1):
        expected = numeric_grad(two_layers, (W, B, X), wrt)
        assert_close(s2s.grad(two_layers, wrt=wrt)(W, B, X), expected, what=f"grad {wrt}")
        assert_close(s2s.jacobian(two_layers, wrt=wrt, mode="forward")(W, B, X), expected, what=f"forward {wrt}")
    h = 1e-4
    expected = np.array([(numeric_grad(two_layers, (W, B + e, X), 1) - numeric_grad(two_layers, (W, B - e, X), 1))
                         / (2 * h) for e in np.eye(2) * h])
    assert_close(s2s.hessian(two_layers, wrt=1)(W, B, X), expected, rtol=1e-4, atol=1e-5, what="hessian")


def test_a_dict_result_through_vjp_and_jvp():
    value, pullback = s2s.vjp(returns_a_dict, wrt=(0, 1))(W, B)
    assert set(value) == {"w", "s"}
    gW, gb = pullback({"w": np.ones((2, 2)), "s": 2.0})
    assert_close(gW, 2.0 * np.ones((2, 2)), what="W")
    assert_close(gb, 4.0 * B, what="b")
    _, tangent = s2s.jvp(returns_a_dict, wrt=1)((W, B), (np.array([1.0, 0.0]),))
    assert_close(tangent["s"], 2.0 * B[0], what="tangent s")
    assert_close(tangent["w"], np.zeros((2, 2)), what="tangent w")


def writes_a_key(W):
    d = {"W": W}
    d["W"] = W * 2.0
    return np.sum(d["W"])


def test_writing_a_key_after_the_display():  # (refused until the display became one dict written in place)
    assert_close(s2s.grad(writes_a_key)(W), 2.0 * np.ones_like(W), what="grad")


def test_generated_code_reads_the_values_themselves():
    code = [line for line in s2s.grad(two_layers).source.splitlines() if not line.lstrip().startswith("#")]
    assert not any("['W']" in line or '["W"]' in line for line in code), code


def penalty(params, scale):
    total = 0.0
    for name, layer in params.items():
        total = total + np.sum(layer["W"] ** 2) * scale
    keys = params.keys()
    return total + sum(np.sum(layer["b"] ** 3) for layer in params.values()) + len(keys)


PARAMS = {"l0": {"W": np.array([[0.3, -0.2], [0.1, 0.5]]), "b": np.array([0.2, -0.4])},
          "l1": {"W": np.array([[1.1, 0.4]]), "b": np.array([0.7])}}


def test_a_dict_arguments_values_items_and_keys():
    g = s2s.grad(penalty)(PARAMS, 0.5)
    flat, unflatten = s2s.flatten(PARAMS)

    def f(v):
        return penalty(unflatten(v), 0.5)
    assert_close(s2s.flatten(g)[0], numeric_grad(f, (flat,), 0), what="grad")
    assert_close(s2s.flatten(s2s.jacobian(penalty, mode="forward")(PARAMS, 0.5))[0], numeric_grad(f, (flat,), 0),
                 what="forward")
    assert_close(s2s.grad(penalty, wrt=1)(PARAMS, 0.5), numeric_grad(penalty, (PARAMS, 0.5), 1), what="grad scale")


def scaled_prior(w, scale=1.0, shift=0.0):
    return np.sum((w - shift) ** 2) / scale ** 2


def posterior(w, x, **prior):
    return np.sum(np.tanh(w * x)) + scaled_prior(w, **prior)


def test_keywords_spread_from_a_dict_known_only_at_run_time():
    w, x = np.array([0.3, -0.7]), np.array([1.5, 0.5])
    for prior in ({"scale": 2.0}, {"scale": 2.0, "shift": 0.4}, {}):
        def f(w_):
            return posterior(w_, x, **prior)
        assert_close(s2s.grad(posterior)(w, x, **prior), numeric_grad(f, (w,), 0), what=f"grad {prior}")
        assert_close(s2s.jacobian(posterior, mode="forward")(w, x, **prior), numeric_grad(f, (w,), 0),
                     what=f"forward {prior}")
    with pytest.raises(TypeError, match="unexpected keyword argument 'scal'"):
        s2s.grad(posterior)(w, x, scal=2.0)


def comprehended(params, x):
    scaled = {name: 2.0 * value for name, value in params.items() if name != "skip"}
    sq = {k: np.sum(v ** 2) for k, v in zip(["a", "b"], [x, x * x])}
    return np.sum(scaled["w"] * x) + scaled["c"] ** 2 + sq["a"] * sq["b"]


def test_dict_comprehensions():
    params = {"w": np.array([0.3, -0.4]), "c": 1.5, "skip": 7.0}
    x = np.array([0.7, 1.2])
    g = s2s.grad(comprehended)(params, x)
    assert_close(g["w"], 2.0 * x, what="w")
    assert_close(g["c"], 8.0 * 1.5, what="c")
    assert g["skip"] == 0.0
    expected = numeric_grad(comprehended, (params, x), 1)
    assert_close(s2s.grad(comprehended, wrt=1)(params, x), expected, what="x")
    assert_close(s2s.jacobian(comprehended, wrt=1, mode="forward")(params, x), expected, what="forward x")
    assert_close(s2s.hessian(comprehended, wrt=1)(params, x), numeric_hessian(lambda z: comprehended(params, z), x),
                 rtol=1e-4, atol=1e-5, what="hessian x")
