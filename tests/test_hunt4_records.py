"""Records (dataclasses, namedtuples) as parameters: bugs hunt4oop found, each checked against finite differences
or an analytic value, or refused with a message saying what to write.
"""
import math
from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple

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


# ----------------------------------------------------------------- fields named as ndarray attributes
# g.T, d.shape, s.size of a record were read as NumPy's transpose, shape and size (a derivative of 0, or the
# value's tangent an array). A name whose other attributes no array has (g.P, d.rate, s.mean) holds an object:
# its attributes are its fields, whatever their names.
@dataclass
class GasD:
    T: float
    P: float






class GasT(NamedTuple):
    T: float
    P: float


@dataclass
class Gamma:
    shape: float
    rate: float


class Stats(NamedTuple):
    mean: float
    size: float


def free_energy(g, n):
    return n * g.T * np.log(g.P)


def gamma_logpdf(d, x):
    return d.shape * math.log(d.rate) - math.lgamma(d.shape) + (d.shape - 1.0) * math.log(x) - d.rate * x


def stats_value(s):
    return s.mean * 2.0 + s.size


@pytest.mark.parametrize("kind", [GasD, GasT])
def test_record_field_named_T(kind):
    g = kind(300.0, 2.0)
    grad = s2s.grad(free_energy)(g, 1.5)
    assert type(grad) is kind
    assert_close([grad.T, grad.P], [1.5 * np.log(2.0), 1.5 * 300.0 / 2.0], what="grad")
    assert_close(s2s.grad(free_energy, wrt=1)(g, 1.5), 300.0 * np.log(2.0), what="grad wrt n")
    value, tangent = s2s.jvp(free_energy)((g, 1.5), (kind(1.0, 0.0),))
    assert np.ndim(tangent) == 0
    assert_close(tangent, 1.5 * np.log(2.0), what="jvp along T")


def test_record_field_named_shape():
    from scipy.special import digamma
    d = Gamma(2.0, 3.0)
    grad = s2s.grad(gamma_logpdf)(d, 0.5)
    assert_close(grad.shape, np.log(3.0) - digamma(2.0) + np.log(0.5), what="shape")
    assert_close(grad.rate, 2.0 / 3.0 - 0.5, what="rate")
    value, tangent = s2s.jvp(gamma_logpdf)((d, 0.5), (Gamma(1.0, 0.0),))
    assert_close(tangent, grad.shape, what="jvp along shape")


def test_record_field_named_size():
    s = Stats(1.0, 10.0)
    grad = s2s.grad(stats_value)(s)
    assert_close([grad.mean, grad.size], [2.0, 1.0], what="grad")
    assert_close(s2s.jvp(stats_value)((s,), (Stats(0.0, 1.0),))[1], 1.0, what="jvp along size")


# ----------------------------------------------------------------- attributes of a record that are not fields
# A property of a record was differentiated as a field (reverse: a gradient of 0; forward: the property of the
# tangent), a class constant as a field too (forward: the constant as its tangent). Where the record's class is
# known while compiling (the self of a method), a property's getter is inlined as a method of the record and a
# class constant read as a constant; an attribute __post_init__ sets is refused.
@dataclass
class Linear:
    W: np.ndarray
    EPS: ClassVar[float] = 0.5

    @property
    def Wt(self):
        return self.W.T

    def loss(self, x):
        return np.sum((self.Wt @ x) ** 2) + self.EPS * np.sum(self.W)


class Cubes(NamedTuple):
    w: np.ndarray
    EPS = 0.25

    @property
    def cubes(self):
        return np.sum(self.w ** 3)

    def loss(self, x):
        return self.cubes * x + self.EPS * np.sum(self.w)


def test_property_and_class_constant_of_self_in_every_mode():
    m = Linear(np.array([[1.0], [2.0]]))
    x = np.array([1.0, -0.5])
    expected = numeric_field_grad(Linear.loss, m, "W", x)
    assert_close(s2s.grad(Linear.loss)(m, x).W, expected, what="grad")
    assert_close(s2s.jacobian(Linear.loss, mode="forward")(m, x).W, expected, what="forward jacobian")
    dW = np.array([[1.0], [0.0]])
    assert_close(s2s.jvp(Linear.loss)((m, x), (Linear(dW),))[1], np.sum(expected * dW), what="jvp")
    hessian = s2s.hessian(Linear.loss)(m, x).W.W
    assert_close(hessian.reshape(2, 2), 2 * np.outer(x, x), what="hessian")  # ((W^T x)^2: 2 x x^T)


def test_property_and_class_constant_of_a_namedtuple_self():
    c = Cubes(np.array([1.0, 2.0]))
    grad = s2s.grad(Cubes.loss)(c, 2.0)
    assert type(grad) is Cubes
    assert_close(grad.w, 3 * c.w ** 2 * 2.0 + 0.25, what="grad")
    assert_close(s2s.jvp(Cubes.loss)((c, 2.0), (Cubes(np.array([0.0, 1.0])),))[1], 24.0 + 0.25, what="jvp")
    assert_close(s2s.hessian(Cubes.loss)(c, 2.0).w.w, np.diag(6 * c.w * 2.0), what="hessian")


@dataclass
class Derived:
    w: np.ndarray

    def __post_init__(self):
        self.w2 = self.w * 2.0

    def loss(self):
        return np.sum(self.w2 ** 2)


def test_attribute_post_init_sets_is_refused_at_the_line():
    with pytest.raises(s2s.S2SError, match=r"self\.w2.*not one of its fields[\s\S]*compute it from them"):
        s2s.grad(Derived.loss)(Derived(np.ones(2)))


@dataclass
class Shape:
    w: np.ndarray

    @property
    def size2(self):
        return np.sum(self.w ** 2)

    def total(self):
        return self.size2


@dataclass
class Wider(Shape):
    @property
    def size2(self):
        return np.sum(self.w ** 4)


def test_property_subclasses_define_otherwise_is_refused():
    with pytest.raises(s2s.S2SError, match="subclasses of the record Shape define otherwise"):
        s2s.grad(Shape.total)(Shape(np.ones(2)))


# Where the record is an argument (its class known only as the code runs), the reverse sweep finds what the
# attribute is: a class constant gets no derivative, a property or an attribute __post_init__ sets is refused at
# the user's line (the gradient was 0, or a KeyError).
@dataclass
class Weighted:
    w: np.ndarray
    SCALE: ClassVar[np.ndarray] = np.array([1.0, 2.0])

    @property
    def l2(self):
        return np.sum(self.w ** 2)


def weighted_loss(p):
    return np.sum(p.w * p.SCALE)


def property_loss(p):
    return p.l2


def test_class_constant_of_an_argument_record_in_reverse_mode():
    q = Weighted(np.array([1.0, 1.0]))
    assert_close(s2s.grad(weighted_loss)(q).w, Weighted.SCALE, what="grad")


def test_property_of_an_argument_record_is_refused_in_reverse_mode():
    with pytest.raises(s2s.S2SError, match=r"\.l2 of a Weighted: it is not one of its fields but a property") as err:
        s2s.grad(property_loss)(Weighted(np.ones(2)))
    assert "return p.l2" in str(err.value) or any("property_loss" in str(f) for f in err.traceback)


# In forward mode the tangent of a record argument was read as a record: `dp.l2` evaluated the property on the
# tangent (2 for 6), `dp.EPS` gave the constant as its tangent (4 for 2.5). The generated code reads the tangent's
# fields only now (rt.tangent_of_record): a class constant's tangent is 0, a property is refused.
class WeightedT(NamedTuple):
    w: np.ndarray
    EPS = 0.5

    @property
    def l2(self):
        return np.sum(self.w ** 2)


@dataclass
class WeightedD:
    w: np.ndarray
    EPS: ClassVar[float] = 0.5

    @property
    def l2(self):
        return np.sum(self.w ** 2)


def eps_loss(p):
    return np.sum(p.w ** 2) + p.EPS * np.sum(p.w)


def identity(p):
    return p


@pytest.mark.parametrize("kind", [WeightedD, WeightedT])
def test_class_constant_of_an_argument_record_in_forward_mode(kind):
    p = kind(np.array([1.0, 2.0]))
    expected = 2 * p.w + 0.5
    assert_close(s2s.jvp(eps_loss)((p,), (kind(np.array([1.0, 0.0])),))[1], expected[0], what="jvp")
    assert_close(s2s.jacobian(eps_loss, mode="forward")(p).w, expected, what="forward jacobian")
    if kind is WeightedD:  # (a namedtuple's .EPS in the reverse sweep: rt.getattr_adjoint, not this fix's)
        assert_close(s2s.hessian(eps_loss)(p).w.w, 2 * np.eye(2), what="hessian")
    value, tangent = s2s.jvp(identity)((p,), (kind(np.ones(2)),))
    assert type(tangent) is kind and np.array_equal(tangent.w, np.ones(2))


@pytest.mark.parametrize("kind", [WeightedD, WeightedT])
def test_property_of_an_argument_record_is_refused_in_forward_mode(kind):
    with pytest.raises(s2s.S2SError, match=r"\.l2 of a Weighted.: it is not one of its fields but a property"):
        s2s.jvp(property_loss)((kind(np.ones(2)),), (kind(np.ones(2)),))


@dataclass
class Box:
    size: float
    ndim: float

    def volume(self):
        return self.size ** 3 * self.ndim


def test_fields_named_only_as_ndarray_attributes_in_a_method():
    b = Box(2.0, 1.5)
    grad = s2s.grad(Box.volume)(b)
    assert_close([grad.size, grad.ndim], [3 * 2.0 ** 2 * 1.5, 2.0 ** 3], what="grad")
    assert_close(s2s.jvp(Box.volume)((b,), (Box(1.0, 0.0),))[1], 18.0, what="jvp along size")
