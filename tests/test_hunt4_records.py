"""Records (dataclasses, namedtuples) as parameters: bugs hunt4oop found, each checked against finite differences
or an analytic value, or refused with a message saying what to write.
"""
from dataclasses import dataclass, field

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


def numeric_field_grad(f, record, name, *rest):
    """Central differences of f(record, *rest) with respect to the field `name` of `record` (its class's
    constructor is not called: the field is set on a copy)."""
    def at(v):
        copy = object.__new__(type(record))
        for k, value in vars(record).items():
            object.__setattr__(copy, k, value)
        object.__setattr__(copy, name, v)
        return f(copy, *rest)
    return numeric_grad(at, (getattr(record, name),), 0)


# ----------------------------------------------------------------- derivative records built without the class's code
# The gradient with respect to a dataclass was built with dataclasses.replace, which runs __init__ and
# __post_init__: a normalising one normalised the gradient, a validating one raised, field(init=False) made
# replace raise. The fields are set directly now (pytree.record_of).
@dataclass
class Gaussian:
    mu: np.ndarray
    sigma: np.ndarray

    def __post_init__(self):
        if np.any(self.sigma <= 0):
            raise ValueError("sigma must be positive")


@dataclass
class Direction:
    w: np.ndarray

    def __post_init__(self):
        self.w = self.w / np.linalg.norm(self.w)


@dataclass
class Layer:
    W: np.ndarray
    n_out: int = field(init=False)

    def __post_init__(self):
        self.n_out = self.W.shape[0]


def nll(g, x):
    return np.sum(0.5 * ((x - g.mu) / g.sigma) ** 2 + np.log(g.sigma))


def proj(d, x):
    return np.sum(d.w * x) ** 2


def layer_out(l, x):
    return np.sum(np.tanh(l.W @ x)) / l.n_out


X = np.array([3.0, -1.0])


def test_gradient_record_skips_a_validating_post_init():
    g = Gaussian(np.zeros(2), np.array([1.0, 2.0]))
    grad = s2s.grad(nll)(g, X)
    assert type(grad) is Gaussian
    assert_close(grad.mu, numeric_field_grad(nll, g, "mu", X), what="mu")  # (-3, 0.25): negative sigma's too
    assert_close(grad.sigma, numeric_field_grad(nll, g, "sigma", X), what="sigma")
    _, pullback = s2s.vjp(nll)(g, X)
    assert_close(pullback(1.0).sigma, [-8.0, 0.375], what="vjp sigma")


def test_gradient_record_skips_a_normalising_post_init():
    d = Direction(np.array([3.0, 4.0]))
    assert_close(s2s.grad(proj)(d, X).w, 2 * np.sum(d.w * X) * X, what="grad w")
    assert_close(s2s.hessian(proj)(d, X).w.w, 2 * np.outer(X, X), what="hessian w, w")
    assert_close(s2s.jacobian(proj, mode="forward")(d, X).w, 2 * np.sum(d.w * X) * X, what="forward jacobian")


def test_gradient_record_with_an_init_false_field():
    layer = Layer(np.array([[1.0, 0.5], [-0.5, 2.0]]))
    grad = s2s.grad(layer_out)(layer, X)
    assert_close(grad.W, numeric_field_grad(layer_out, layer, "W", X), what="W")
    assert_close(grad.n_out, -np.sum(np.tanh(layer.W @ X)) / 2 ** 2, what="n_out")


def test_unflatten_sets_fields():
    d = Direction(np.array([3.0, 4.0]))
    vector, unflatten = s2s.flatten(d)
    back = unflatten(vector * 2)
    assert type(back) is Direction and np.array_equal(back.w, d.w * 2)  # (not normalised again)


# ----------------------------------------------------------------- grad of a function returning a record or a dict
@dataclass
class Params:
    W: np.ndarray
    b: np.ndarray


def step(p):
    return p


@pytest.mark.parametrize("argument", [Params(np.array([1.0, 2.0]), np.array([3.0])), {"a": np.ones(2)}],
                         ids=["dataclass", "dict"])
def test_grad_of_a_record_result_is_refused(argument):
    with pytest.raises(ValueError, match="not a scalar"):
        s2s.grad(step)(argument)
    with pytest.raises(ValueError, match="not a scalar"):
        s2s.value_and_grad(step)(argument)


# ----------------------------------------------------------------- plain lists and tuples in a pullback's records
@dataclass
class Model:
    layers: list
    t: tuple


def model_loss(p):
    return np.sum(p.layers[0] * p.layers[1]) + p.t[0] * p.t[1]


def test_vjp_record_holds_plain_lists_and_tuples():
    p = Model([np.array([1.0, 2.0]), np.array([3.0, 4.0])], (1.5, 2.5))
    _, pullback = s2s.vjp(model_loss)(p)
    g = pullback(1.0)
    assert type(g.layers) is list and type(g.t) is tuple
    assert len(g.layers + [np.zeros(2)]) == 3  # joined, as Python joins lists
    assert_close(g.layers[0], p.layers[1], what="layers[0]")
    assert_close(g.layers[1], p.layers[0], what="layers[1]")
    assert_close(np.array(g.t), [2.5, 1.5], what="t")


# ----------------------------------------------------------------- jvp of a bound method, wrt by name
class Plain:
    def loss(self, a, x, y):
        return np.sum(a * x * x) + 10.0 * np.sum(y)


def test_jvp_of_a_bound_method_wrt_a_name():
    m = Plain()
    a, x, y = 1.0, np.array([2.0, 1.0]), np.array([3.0, 1.0, 1.0])
    dx = np.array([1.0, 0.0])
    for wrt in ("x", 1):
        value, tangent = s2s.jvp(m.loss, wrt=wrt)((a, x, y), (dx,))
        assert_close(tangent, 2 * a * np.sum(x * dx), what=f"wrt={wrt!r}")
    assert_close(s2s.jacobian(m.loss, wrt="x", mode="forward")(a, x, y), 2 * a * x, what="forward jacobian")
    value, tangent = s2s.jvp(m.loss, wrt=("y", "a"))((a, x, y), (np.ones(3), 1.0))
    assert_close(tangent, 30.0 + np.sum(x * x), what="wrt=('y', 'a')")
