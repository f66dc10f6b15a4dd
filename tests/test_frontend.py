"""Reading functions: decorated, methods, lambdas, closures, helpers defined later."""
import math

import numpy as np
import pytest

import s2s


@s2s.grad
def decorated(x):
    return x * math.sin(x)


@s2s.grad(wrt="y")
def decorated_with_options(x, y):
    return x * y ** 2


class Model:
    def __init__(self, scale):
        self.scale = scale

    def energy(self, x):
        return x ** 3 * 2.0

    @s2s.grad(wrt=1)
    def energy_grad(self, x):
        return x ** 3 * 2.0


def calls_later_helper(x):
    return defined_after(x) * 2.0


def defined_after(v):
    return math.exp(v)


def test_decorated_function_source_has_no_decorator_line():
    assert abs(decorated(0.3) - (math.sin(0.3) + 0.3 * math.cos(0.3))) < 1e-12
    assert "@s2s" not in decorated.source and "s2s.grad" not in decorated.source
    assert decorated_with_options(2.0, 3.0) == 12.0


def test_methods():
    m = Model(2.0)
    assert s2s.grad(Model.energy, wrt=1)(m, 2.0) == 24.0
    bound = s2s.grad(m.energy)  # a bound method: self is passed, wrt counts from x
    assert bound(2.0) == 24.0 and "def grad_energy(self, x)" in bound.source
    assert m.energy_grad(2.0) == 24.0


def test_lambda_and_closure():
    g = s2s.grad(lambda x: x * x + 1.0)
    assert g(3.0) == 6.0
    k = 4.0

    def inner(x):
        return k * x ** 2

    assert s2s.grad(inner)(1.5) == 12.0


def test_helper_defined_after_the_function():
    assert abs(s2s.grad(calls_later_helper)(0.5) - 2.0 * math.exp(0.5)) < 1e-12


def test_wrapped_and_source():
    g = s2s.grad(decorated.__wrapped__)
    assert g.__wrapped__ is decorated.__wrapped__
    assert s2s.source(g) == g.source
    assert "def decorated" in s2s.ssa(decorated.__wrapped__)


def test_gradient_types_follow_the_arguments():
    def f(x, y):
        return np.sum(x * y)
    gx, gy = s2s.grad(f, wrt=(0, 1))(np.ones(3), 2)
    assert isinstance(gx, np.ndarray) and gx.shape == (3,)
    assert isinstance(gy, float)


def test_gradient_of_an_integer_valued_expression_is_a_float():
    def f(x):
        s = "abc"
        return x * len(s)
    g = s2s.grad(f)(2.0)
    assert g == 3.0 and isinstance(g, float)


def container_loss(params, x):
    W, b = params
    return np.sum(np.tanh(W @ x + b))


def dict_loss(params, x):
    return np.sum(params["W"] @ x) * params["b"]


def list_loss(ws, x):
    s = 0.0
    for w in ws:
        s = s + np.sum(w * x) ** 2
    return s


def test_gradients_of_containers_have_their_structure():
    x = np.array([0.5, -1.0])
    params = (np.array([[1.0, 0.2], [-0.3, 0.8]]), np.array([0.1, -0.2]))
    g = s2s.grad(container_loss)(params, x)
    assert isinstance(g, tuple) and len(g) == 2 and g[0].shape == (2, 2) and g[1].shape == (2,)
    h = 1.0 - np.tanh(params[0] @ x + params[1]) ** 2
    assert np.allclose(g[0], np.outer(h, x)) and np.allclose(g[1], h)
    d = s2s.grad(dict_loss)({"W": np.eye(2), "b": 3.0}, x)
    assert isinstance(d, dict) and set(d) == {"W", "b"}
    assert np.allclose(d["W"], 3.0 * np.outer(np.ones(2), x)) and np.isclose(d["b"], np.sum(x))
    ws = [np.ones(2), np.array([2.0, -1.0])]
    lg = s2s.grad(list_loss)(ws, x)
    assert isinstance(lg, list) and len(lg) == 2
    assert all(np.allclose(gw, 2 * np.sum(w * x) * x) for gw, w in zip(lg, ws))


def test_stages_in_both_modes():
    rev = s2s.stages(decorated.__wrapped__)
    assert list(rev) == ["source", "ssa", "adjoint", "optimized", "python"]
    fwd = s2s.stages(decorated.__wrapped__, mode="forward")
    assert list(fwd) == ["source", "ssa", "tangent", "optimized", "python"]
    assert "def jvp_decorated(x, dx)" in fwd["python"]


def _scaled(v):
    return np.sin(v) * 2.0


def _calls_a_helper(x):
    return _scaled(x) + _scaled(x * x)


def test_the_builders_of_inlined_functions_share_one_state(monkeypatch):
    """front/ssa.Shared: the tables the builders of a function and of the functions inlined into it share are one
    object handed on whole (a field added to it is shared too), and no builder rebinds one of them."""
    from s2s.front import ssa
    from s2s.front.source import read_function
    builders = []
    body = ssa._Builder.function_body

    def spy(self, *args, **kwargs):
        builders.append(self)
        return body(self, *args, **kwargs)
    monkeypatch.setattr(ssa._Builder, "function_body", spy)
    ssa.build_ssa(read_function(_calls_a_helper))
    assert len(builders) == 3  # the function, then _scaled twice
    first = builders[0]
    for sub in builders[1:]:
        assert sub.shared is first.shared and sub.depth == 1
        assert sub.roots is first.roots and sub.namer is first.namer and sub.defined is first.defined
        assert sub.env is not first.env and sub.block is not first.block  # (each body its own)
    assert "_calls_a_helper" not in first.deps and any(k.endswith(":_scaled") for k in first.deps)
    with pytest.raises(AttributeError):
        first.roots = {}


def sliced(cf, x):
    return np.sum(cf[1:] * x) + np.sum(cf[:2]) + np.sum(cf[::2]) + np.sum(cf[1:3]) + cf[-1] + np.sum(cf[:])


def test_ssa_text_prints_slices_as_written():
    # `cf[1:]` printed as `cf[1]` (the colon stripped with the empty stop)
    text = s2s.ssa(sliced)
    for part in ("cf[1:]", "cf[:2]", "cf[::2]", "cf[1:3]", "cf[-1]", "cf[:]"):
        assert part in text
