"""The Python numerical code is written in (issue 14): ndarray methods (`.astype`, `.item`, `.tolist`,
`.dtype`), signatures (`*args`, `**kwargs`, keyword-only parameters, defaults computed at definition
time), methods of the user's own objects and dataclass parameters, and statements kept for their effect
(`with np.errstate(...)`, logging, a call whose result is discarded).

Each construct is differentiated in reverse mode, in forward mode and to second order (`hessian`, and
`grad(grad(f))` for scalars), and checked against central finite differences of the original function.
"""
from __future__ import annotations

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad
from s2s.runtime import trees

RNG = np.random.default_rng(14)
V3 = RNG.normal(size=3)
V4 = RNG.normal(size=4)
M23 = RNG.normal(size=(2, 3))


def numeric_hessian(f, args, wrt, eps=1e-4):
    """Central second differences of scalar f with respect to args[wrt]."""
    x = np.asarray(args[wrt], dtype=float)
    scalar = x.ndim == 0
    n = x.size
    out = np.zeros((n, n))

    def at(delta):
        a = list(args)
        v = x.reshape(-1) + delta
        a[wrt] = float(v[0]) if scalar else v.reshape(x.shape)
        return float(f(*a))
    for i in range(n):
        for j in range(n):
            ei, ej = np.eye(n)[i] * eps, np.eye(n)[j] * eps
            out[i, j] = (at(ei + ej) - at(ei - ej) - at(-ei + ej) + at(-ei - ej)) / (4 * eps * eps)
    return out.reshape(x.shape + x.shape)


def check_every_mode(f, args, wrt=0, second_order=True, kwargs=None):
    """grad, value_and_grad, jvp (a random direction), jacobian in both modes and hessian of `f` at `args`,
    against central finite differences of `f` itself."""
    kwargs = kwargs or {}
    g = lambda *a: f(*a, **kwargs)  # noqa: E731
    numeric = numeric_grad(g, args, wrt)
    assert_close(s2s.grad(f, wrt=wrt)(*args, **kwargs), numeric, rtol=1e-5, atol=1e-6, what="grad")
    value, grad = s2s.value_and_grad(f, wrt=wrt)(*args, **kwargs)
    assert_close(value, g(*args), what="value")
    direction = RNG.normal(size=np.shape(args[wrt]))
    direction = float(direction) if np.ndim(args[wrt]) == 0 else direction
    if not kwargs:
        _, tangent = s2s.jvp(f, wrt=wrt)(tuple(args), (direction,))
        assert_close(tangent, np.sum(numeric * direction), rtol=1e-5, atol=1e-6, what="jvp")
        assert_close(s2s.jacobian(f, wrt=wrt, mode="forward")(*args), numeric, what="jacobian (forward)")
        assert_close(s2s.jacobian(f, wrt=wrt)(*args), numeric, what="jacobian (reverse)")
    if second_order and not kwargs:
        assert_close(s2s.hessian(f, wrt=wrt)(*args), numeric_hessian(g, args, wrt), rtol=1e-4, atol=1e-5,
                     what="hessian")
        if np.ndim(args[wrt]) == 0:
            second = s2s.grad(s2s.grad(f, wrt=wrt), wrt=wrt)(*args)
            assert_close(second, numeric_hessian(g, args, wrt), rtol=1e-4, atol=1e-5, what="grad of grad")


# ================================================================ 1. ndarray methods and attributes

def cast_to_float32_and_back(x):
    y = x.astype(np.float32).astype(np.float64)
    return np.sum(np.sin(y) * x)


def cast_to_float(x):
    y = (x * x).astype(float)
    return np.sum(y * np.cos(x))


def cast_to_int_has_no_derivative(x):
    k = (x * 3.0).astype(int)
    mask = x.astype(bool)
    return np.sum(k * x * x) + np.sum(mask * x)


def cast_to_a_type_known_at_run_time(x, like):
    y = np.tanh(x).astype(like.dtype)
    return np.sum(y * y)


def item_of_one_element(x):
    s = np.sum(x * x, keepdims=True)
    return np.exp(0.1 * s.item()) + x[1:2].item() * x[0]


def item_at_an_index(x):
    return x.item(2) * x.item(0) + np.sum(x)


def tolist_of_a_vector(x):
    values = np.sin(x).tolist()
    total = 0.0
    for v in values:
        total = total + v * v
    return total + values[0] * values[2]


def tolist_of_a_matrix(m):
    rows = m.tolist()
    return rows[0][1] * rows[1][2] + rows[1][0] ** 2


def dtype_and_shape_carry_no_derivative(x):
    if x.dtype == np.float64 and x.ndim == 1:
        scale = x.size / x.shape[0]
    else:
        scale = 2.0
    return scale * np.sum(x ** 3)


@pytest.mark.parametrize("f, args", [
    (cast_to_float32_and_back, (V3,)),
    (cast_to_float, (V3,)),
    (cast_to_int_has_no_derivative, (np.array([0.37, 1.21, 2.43]),)),
    (item_of_one_element, (V3,)),
    (item_at_an_index, (V3,)),
    (tolist_of_a_vector, (V3,)),
    (tolist_of_a_matrix, (M23,)),
    (dtype_and_shape_carry_no_derivative, (V4,)),
], ids=lambda v: getattr(v, "__name__", ""))
def test_array_methods(f, args):
    tol = 1e-6 if f is not cast_to_float32_and_back else None
    if tol is None:  # float32 rounding: compare with the derivative computed in float64
        g = s2s.grad(f)(*args)
        assert_close(g, np.cos(V3) * V3 + np.sin(V3), rtol=1e-6, atol=1e-6, what="grad")
        assert g.dtype == np.float64
        _, t = s2s.jvp(f)(args, (np.ones(3),))
        assert_close(t, np.sum(np.cos(V3) * V3 + np.sin(V3)), rtol=1e-6, what="jvp")
        return
    check_every_mode(f, args)


def test_cast_to_a_type_known_at_run_time():
    x = np.array([0.3, -0.7, 1.1])
    check_every_mode(cast_to_a_type_known_at_run_time, (x, np.zeros(1)))
    assert_close(s2s.grad(cast_to_a_type_known_at_run_time)(x, np.zeros(1, dtype=int)), np.zeros(3))
    _, t = s2s.jvp(cast_to_a_type_known_at_run_time)((x, np.zeros(1, dtype=int)), (np.ones(3),))
    assert t == 0.0


def test_cast_adjoint_has_the_argument_type():
    def f(x):
        return np.sum(x.astype(np.float64) ** 2)
    x = np.array([1.0, 2.0], dtype=np.float32)
    g = s2s.grad(f)(x)
    assert g.dtype == np.float32
    assert_close(g, 2 * x)


def test_methods_read_as_written():
    text = s2s.grad(cast_to_float32_and_back).source
    assert "x.astype(float32)" in text and ".astype(float64)" in text and "rt.astype(" not in text
    text = s2s.grad(item_of_one_element).source
    assert "s.item()" in text and "rt.item(" not in text
    assert "values = np.sin(x).tolist()" in s2s.grad(tolist_of_a_vector).source
    assert "x.dtype == float64" in s2s.grad(dtype_and_shape_carry_no_derivative).source
    assert "astype_adjoint" not in s2s.grad(cast_to_int_has_no_derivative).source  # no derivative through int
    assert "dy = dt1.astype(float)" in s2s.jvp(cast_to_float).source


def test_item_of_an_array_of_several_elements_fails_as_numpy_does():
    def f(x):
        return x.item() * 2.0
    with pytest.raises(ValueError, match="size 1"):
        s2s.grad(f)(np.ones(3))


# ================================================================ 2. signatures

OFFSET = np.array([0.5, -1.0, 2.0])


def default_computed_at_definition(x, scale=np.pi / 2, shift=OFFSET):
    return np.sum(np.sin(scale * x + shift))


def star_args(x, *rest):
    s = np.sum(x * x)
    for r in rest:
        s = s + np.sum(r * np.sin(x))
    return s


def keyword_only(x, *, k=2.0, power=3):
    return np.sum(np.abs(x) ** power) * k


def double_star_kwargs(x, **options):
    return np.sum(np.tanh(x * options["scale"])) + options["bias"]


def _weighted(a, *more, gain=1.5, **opts):
    total = a * gain
    for m in more:
        total = total + m * m
    return total * opts.get("factor", 1.0) + opts.get("shift", 0.0)


def calls_a_helper_with_every_kind_of_argument(x):
    return np.sum(_weighted(x, x * x, np.sin(x), factor=3.0)) + np.sum(_weighted(x, gain=0.5, shift=x))


def _scaled_by_default(v, s=np.e, w=OFFSET):
    return v * s + w


def calls_a_helper_with_computed_defaults(x):
    return np.sum(_scaled_by_default(x) ** 2)


X3 = np.array([0.3, -0.2, 0.9])


@pytest.mark.parametrize("f, args", [
    (default_computed_at_definition, (X3,)),
    (star_args, (X3,)),
    (star_args, (X3, 2.0 * X3, X3 + 1.0)),
    (keyword_only, (X3 + 2.0,)),
    (calls_a_helper_with_every_kind_of_argument, (X3,)),
    (calls_a_helper_with_computed_defaults, (X3,)),
], ids=lambda v: getattr(v, "__name__", "") if callable(v) else str(len(v)))
def test_signatures(f, args):
    check_every_mode(f, args)


def test_defaults_are_the_values_python_computed():
    text = s2s.grad(default_computed_at_definition).source
    assert "def grad_default_computed_at_definition(x, scale=1.5707963267948966, shift=OFFSET):" in text
    # the same call the original accepts, with the defaults it has
    assert_close(s2s.grad(default_computed_at_definition)(X3, 1.0),
                 numeric_grad(lambda x: default_computed_at_definition(x, 1.0), (X3,), 0))
    assert_close(s2s.grad(default_computed_at_definition, wrt="scale")(X3),
                 numeric_grad(lambda s: default_computed_at_definition(X3, s), (np.pi / 2,), 0))


def test_wrt_the_star_args_parameter_is_a_tuple_of_gradients():
    rest = (2.0 * X3, X3 + 1.0)
    g = s2s.grad(star_args, wrt="rest")(X3, *rest)
    assert isinstance(g, tuple) and len(g) == 2
    for k in range(2):
        numeric = numeric_grad(lambda r: star_args(X3, *(rest[:k] + (r,) + rest[k + 1:])), (rest[k],), 0)
        assert_close(g[k], numeric)
    assert s2s.grad(star_args, wrt=1)(X3, *rest)[1].shape == (3,)  # position 1: the *rest parameter
    assert "def grad_star_args(x, *rest):" in s2s.grad(star_args).source


def test_keyword_only_parameters_in_every_transformation():
    x = X3 + 2.0
    for kwargs in ({}, {"power": 2.5}, {"k": 0.5, "power": 4}):
        f = lambda v: keyword_only(v, **kwargs)  # noqa: E731
        numeric = numeric_grad(f, (x,), 0)
        assert_close(s2s.grad(keyword_only)(x, **kwargs), numeric)
        _, t = s2s.jvp(keyword_only)((x,), (np.ones(3),), **kwargs)
        assert_close(t, np.sum(numeric))
        assert_close(s2s.jacobian(keyword_only, mode="forward")(x, **kwargs), numeric)
        assert_close(s2s.jacobian(keyword_only)(x, **kwargs), numeric)
        assert_close(s2s.hessian(keyword_only)(x, **kwargs), numeric_hessian(f, (x,), 0), rtol=1e-4, atol=1e-5)
    # wrt a keyword-only parameter, by name
    assert_close(s2s.grad(keyword_only, wrt="k")(x, power=2.0), np.sum(np.abs(x) ** 2.0))
    _, t = s2s.jvp(keyword_only, wrt="power")((x,), (1.0,), k=1.0)
    assert_close(t, np.sum(np.abs(x) ** 3 * np.log(np.abs(x))))
    assert_close(s2s.hessian(keyword_only, wrt="k")(x, k=1.0), 0.0)
    assert "def grad_keyword_only(x, *, k=2.0, power=3):" in s2s.grad(keyword_only).source


def test_double_star_kwargs():
    options = {"scale": 1.7, "bias": 0.25}
    f = lambda x: double_star_kwargs(x, **options)  # noqa: E731
    assert_close(s2s.grad(double_star_kwargs)(X3, **options), numeric_grad(f, (X3,), 0))
    g = s2s.grad(double_star_kwargs, wrt="options")(X3, **options)
    assert set(g) == {"scale", "bias"} and g["bias"] == 1.0
    assert_close(g["scale"], np.sum(X3 / np.cosh(X3 * 1.7) ** 2))
    assert_close(s2s.hessian(double_star_kwargs)(X3, **options), numeric_hessian(f, (X3,), 0), rtol=1e-4,
                 atol=1e-5)


def test_a_helper_called_as_python_refuses_it():
    def too_many(x):
        return _scaled_by_default(x, 1.0, OFFSET, 3.0)

    def unknown_keyword(x):
        return _scaled_by_default(x, gain=1.0)

    def twice(x):
        return _scaled_by_default(x, 2.0, s=1.0)
    for f, message in ((too_many, "4 positional arguments"), (unknown_keyword, "keyword argument 'gain'"),
                       (twice, "two values for its argument 's'")):
        with pytest.raises(s2s.UnsupportedSyntaxError, match=message) as info:
            s2s.grad(f)(X3)
        assert "test_language.py" in str(info.value)


# ================================================================ 4. statements kept for their effect

import logging  # noqa: E402
import warnings  # noqa: E402

LOGGER = logging.getLogger("s2s.tests.language")
SEEN: list = []


def _check_finite(x):
    if not np.all(np.isfinite(x)):
        raise ValueError("x must be finite")


def _remember(v):
    SEEN.append(float(np.sum(v)))


def safe_log_under_errstate(x):
    _check_finite(x)
    logging.debug("x = %s", x)
    LOGGER.info("norm of x: %f", np.linalg.norm(x))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(x > 0, np.log(np.abs(x) + 1.0), x)
        y = r * x
    _remember(y)
    return np.sum(y * y)


def return_inside_errstate(x):
    with np.errstate(all="ignore"):
        if x > 0:
            return np.log(x) * x
        z = x * x
    return z


@pytest.mark.parametrize("f, args", [
    (safe_log_under_errstate, (np.array([0.5, -1.0, 2.0]),)),
    (return_inside_errstate, (1.3,)),
    (return_inside_errstate, (-0.7,)),
], ids=lambda v: getattr(v, "__name__", "") if callable(v) else str(v[0]))
def test_statements_kept_for_their_effect(f, args):
    check_every_mode(f, args)


def test_effects_run_in_the_generated_code(caplog):
    x = np.array([0.5, -1.0, 2.0])
    SEEN.clear()
    with caplog.at_level(logging.INFO, logger="s2s.tests.language"):
        s2s.grad(safe_log_under_errstate)(x)
    assert any("norm of x" in r.getMessage() for r in caplog.records)
    assert len(SEEN) == 1  # the helper called for its effect ran once, in the forward sweep
    with pytest.raises(ValueError, match="must be finite"):
        s2s.grad(safe_log_under_errstate)(np.array([np.nan, 1.0, 1.0]))
    text = s2s.grad(safe_log_under_errstate).source
    assert "with np.errstate(divide='ignore', invalid='ignore'):" in text
    assert "LOGGER.info('norm of x: %f', np.linalg.norm(x))" in text


def test_errstate_is_in_force_in_the_forward_sweep():
    def divides(x):
        with np.errstate(divide="raise"):
            y = 1.0 / x
        return np.sum(y)
    with pytest.raises(FloatingPointError):
        s2s.grad(divides)(np.array([1.0, 0.0]))
    assert_close(s2s.grad(divides)(np.array([2.0, 4.0])), [-0.25, -0.0625])


def test_other_with_statements_are_refused():
    def opens(x):
        with open("log.txt") as fh:
            fh.write("x")
        return x

    def catches(x):
        with warnings.catch_warnings():
            y = x * 2.0
        return y
    for f in (opens, catches):
        with pytest.raises(s2s.UnsupportedSyntaxError, match="with statement") as info:
            s2s.grad(f)(1.0)
        assert "np.errstate" in str(info.value)


def test_a_library_call_that_writes_into_its_argument_is_refused():
    def sorts(x):
        y = x * 2.0
        y.sort()
        return np.sum(y * x)

    def copies(x):
        y = np.zeros(3)
        np.copyto(y, x)
        return np.sum(y)
    with pytest.raises(s2s.UnsupportedSyntaxError, match="changes its list \\(or array\\) in place") as info:
        s2s.grad(sorts)(np.ones(3))
    assert "y = np.sort(y)" in str(info.value)
    # np.copyto into an array the function made is the element write y[...] = x (round 20, hunt20sim)
    assert np.array_equal(s2s.grad(copies)(np.ones(3)), np.ones(3))


# ================================================================ 3. the user's objects: methods and dataclasses

import dataclasses  # noqa: E402
from typing import NamedTuple  # noqa: E402


@dataclasses.dataclass
class Affine:
    W: np.ndarray
    b: np.ndarray
    scale: float = 1.0


class Pair(NamedTuple):
    a: np.ndarray
    c: float


def affine_loss(p, x):
    y = np.tanh(p.W @ x + p.b) * p.scale
    return np.sum(y * y)


def pair_loss(q, x):
    return np.sum(q.a * x) * q.c + q.c ** 2


class TwoLayerModel:
    """A model whose loss is a method reading its own data (`self.W`, `self.n_layers`)."""

    def __init__(self, W, n_layers):
        self.W = W
        self.n_layers = n_layers

    def forward_pass(self, params, x):
        h = x
        for _ in range(self.n_layers):
            h = np.tanh(self.W @ h * params[0] + params[1])
        return h

    def penalty(self, params):
        return 0.01 * np.sum(params ** 2)

    def loss(self, params, x):
        h = self.forward_pass(params, x)
        return np.sum(h ** 2) + self.penalty(params)

    @staticmethod
    def squash(v):
        return v / (1.0 + v * v)

    def squashed_loss(self, params, x):
        return np.sum(self.squash(self.W @ x * params[0]) + params[1] ** 2)


AFFINE = Affine(RNG.normal(size=(2, 3)), RNG.normal(size=2), 0.8)
PAIR = Pair(RNG.normal(size=3), 0.7)
MODEL = TwoLayerModel(RNG.normal(size=(3, 3)) * 0.5, 3)
PARAMS = np.array([0.8, 0.1])


def _numeric_record_grad(f, record, args):
    """Central differences of f with respect to each leaf of the dataclass or namedtuple `record`."""
    vector, unflatten = s2s.flatten(record)
    g = numeric_grad(lambda v: f(unflatten(v), *args), (vector,), 0)
    return g, unflatten


@pytest.mark.parametrize("f, record", [(affine_loss, AFFINE), (pair_loss, PAIR)], ids=["dataclass", "namedtuple"])
def test_gradient_with_respect_to_a_record_is_that_record(f, record):
    numeric, unflatten = _numeric_record_grad(f, record, (V3,))
    g = s2s.grad(f)(record, V3)
    assert type(g) is type(record)
    assert_close(s2s.flatten(g)[0], numeric, what="grad")
    value, g2 = s2s.value_and_grad(f)(record, V3)
    assert type(g2) is type(record) and value == pytest.approx(f(record, V3))
    _, pullback = s2s.vjp(f)(record, V3)
    assert_close(s2s.flatten(pullback(1.0))[0], numeric, what="vjp")
    direction = RNG.normal(size=numeric.shape)
    _, t = s2s.jvp(f)((record, V3), (unflatten(direction),))
    assert_close(t, numeric @ direction, what="jvp")
    for mode in ("reverse", "forward"):
        j = s2s.jacobian(f, mode=mode)(record, V3)
        assert type(j) is type(record)
        assert_close(s2s.flatten(j)[0], numeric, what=f"jacobian ({mode})")
    h = s2s.hessian(f)(record, V3)
    assert type(h) is type(record) and type(h[0] if isinstance(h, tuple) else h.W) is type(record)
    parts = [getattr(h, f.name) for f in dataclasses.fields(h)] if dataclasses.is_dataclass(h) else list(h)
    flat_rows = np.concatenate([np.concatenate([np.reshape(block, (np.size(leaf), -1))
                                                for block in trees.leaves(inner)], axis=1)
                                for leaf, inner in zip(trees.leaves(record), parts)])
    vector, _ = s2s.flatten(record)
    expected = numeric_hessian(lambda v: f(unflatten(v), V3), (vector,), 0)
    assert_close(flat_rows, expected, rtol=1e-4, atol=1e-5, what="hessian")


def test_attributes_of_a_record_read_as_written():
    text = s2s.grad(affine_loss).source
    assert "p.W" in text and "p.b" in text
    assert "rt.getattr_adjoint(" in text


def test_flatten_a_dataclass():
    vector, unflatten = s2s.flatten(AFFINE)
    assert vector.shape == (2 * 3 + 2 + 1,)
    back = unflatten(vector)
    assert isinstance(back, Affine) and back.W.shape == (2, 3) and isinstance(back.scale, float)


def test_a_bound_method_in_every_mode():
    loss = MODEL.loss
    check_every_mode(loss, (PARAMS, V3))
    check_every_mode(MODEL.squashed_loss, (PARAMS, V3))
    # self.W is data: it has no derivative, and the gradient is with respect to the method's own arguments
    g = s2s.grad(loss, wrt=(0, 1))(PARAMS, V3)
    assert_close(g[1], numeric_grad(loss, (PARAMS, V3), 1))


def test_methods_read_as_written():
    text = s2s.grad(MODEL.loss).source
    assert "self.W" in text and "range(self.n_layers)" in text
    assert "def grad_loss(self, params, x):" in text


class Decorated:
    def __init__(self, scale):
        self.scale = scale

    def helper(self, x):
        return np.sin(x) * self.scale

    @s2s.grad(wrt="x")
    def gradient(self, x):
        return np.sum(self.helper(x) ** 2)


def test_a_method_decorated_in_its_class_calls_its_siblings():
    obj = Decorated(1.5)
    assert_close(obj.gradient(V3), 2 * (np.sin(V3) * 1.5) * np.cos(V3) * 1.5)


def test_an_attribute_of_an_object_that_is_not_a_record_has_no_derivative():
    class Holder:
        def __init__(self, w):
            self.w = w

    def f(h, x):
        return np.sum(h.w * x)
    with pytest.raises(TypeError, match="'h' is a Holder, which has no derivative"):
        s2s.grad(f)(Holder(V3), V3)
    assert_close(s2s.grad(f, wrt=1)(Holder(V3), V3), V3)  # the object's data read, differentiated w.r.t. x


def test_errstate_covers_the_adjoint_of_its_lines():
    def reciprocal_sum(x):
        with np.errstate(divide="raise"):
            y = np.sqrt(x)
        return np.sum(y)
    x = np.array([0.0, 1.0])
    assert reciprocal_sum(x) == 1.0  # sqrt(0) is fine; its derivative 0.5 / sqrt(0) divides by zero
    with pytest.raises(FloatingPointError):
        s2s.grad(reciprocal_sum)(x)
    text = s2s.grad(reciprocal_sum).source
    assert text.count("with np.errstate(divide='raise'):") == 2


def test_a_default_read_from_a_module_constant_is_read_again_in_the_next_process(tmp_path):
    """`def f(x, w=SCALE, *, s=SCALE)`: the same source with another SCALE in the next process (S2S_CACHE_DIR) gives
    the derivative for that SCALE."""
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    script = "import s2s, defaults_mod\nprint(s2s.grad(defaults_mod.f)(1.5))\n"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, str(tmp_path)]), S2S_CACHE_DIR=str(tmp_path / "c"))
    for signature in ("x, w=SCALE, s=SCALE", "x, w=SCALE, *, s=SCALE"):
        out = []
        for scale in (2.0, 3.0):
            (tmp_path / "defaults_mod.py").write_text(f"SCALE = {scale}\n\n\ndef f({signature}):\n"
                                                       f"    return x * x * s + w * x\n")
            done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
            out.append(float(done.stdout))
        assert out == [2 * 1.5 * 2.0 + 2.0, 2 * 1.5 * 3.0 + 3.0], signature


# ================================================================ 5. del: refused, as the contract says

def frees_a_temporary(x):
    y = x * 2.0
    z = np.sin(y)
    del y
    return np.sum(z * x)


def deletes_then_rebinds(x):
    a, b = x * 1.5, x * 2.0
    del a, b
    a = np.cos(x)
    return np.sum(a * x)


def deletes_in_a_branch(x):
    y = x * 2.0
    if np.sum(x) > 0:
        del y
        y = x * x
    return np.sum(y * x)


def deletes_in_a_loop(x):
    for i in range(3):
        t = x * i
        del t
    return x


def deletes_an_element(x):
    ys = [x, x * 2.0]
    del ys[0]
    return ys[0]


@pytest.mark.parametrize("f, line", [
    (frees_a_temporary, 3), (deletes_then_rebinds, 2), (deletes_in_a_branch, 3), (deletes_in_a_loop, 3),
    (deletes_an_element, 2),
], ids=lambda v: getattr(v, "__name__", "") if callable(v) else "")
def test_del_is_refused_at_its_line(f, line):
    """API.md lists del among the constructs refused with UnsupportedSyntaxError (the `del` lines s2s writes in
    its own code are read again for higher derivatives: tests/test_freeing.py)."""
    for transform in (s2s.grad, s2s.jvp):
        with pytest.raises(s2s.UnsupportedSyntaxError, match="a del statement is not supported") as info:
            transform(f).source
        assert "leave the name unused" in str(info.value) and info.value.lineno == f.__code__.co_firstlineno + line