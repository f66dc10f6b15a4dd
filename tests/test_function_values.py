"""Functions as values: nested defs, lambdas, helpers passed as arguments, functools.partial, and calls of
functions s2s returned, inside the differentiated function (issue 14). Derivatives are checked against
central finite differences, in reverse mode, forward mode and to second order."""
import functools
import re

import numpy as np
import pytest

import s2s
from conftest import numeric_grad, numeric_hessian


def fd_grad(f, x):
    return numeric_grad(f, (x,), 0)


def relu(z):
    return np.maximum(z, 0.0)


def layer(W, x, act):
    return act(W @ x)


def rk4(dynamics, y0, t0, t1, steps):
    h = (t1 - t0) / steps
    y = y0
    t = t0
    for _ in range(steps):
        k1 = dynamics(t, y)
        k2 = dynamics(t + h / 2, y + h / 2 * k1)
        k3 = dynamics(t + h / 2, y + h / 2 * k2)
        k4 = dynamics(t + h, y + h * k3)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        t = t + h
    return y


def loglike(theta):
    return -np.sum((theta - 1.5) ** 4) - np.sum(np.cos(theta))


dloglike = s2s.grad(loglike)


# ----------------------------------------------------------------- the user functions
def nested_helper(x):
    def sq(v):
        return v * v + x  # reads x of the enclosing function
    return np.sum(sq(x) * sq(2.0 * x))


def closure_late_binding(x):
    scale = 2.0
    f = lambda v: scale * np.sin(v)  # noqa: E731
    a = f(x)
    scale = 3.0  # Python's closures see the value when called
    b = f(x)
    return np.sum(a * b)


def activation_as_argument(x):
    W = np.array([[0.3, -0.2, 0.1], [0.1, 0.5, -0.4], [0.2, 0.2, 0.3]])
    h = layer(W, x, np.tanh)
    h = layer(W, h, relu)
    h = layer(W, h, lambda t: t * np.exp(-t * t))
    return np.sum(h * h)


def partial_of_helper(x):
    W = np.array([[0.5, -0.3, 0.2], [0.4, 0.1, -0.6], [0.0, 0.3, 0.8]])
    apply = functools.partial(layer, W)
    return np.sum(apply(apply(x, np.sin), act=np.tanh))


def ode_fit(p):
    def lotka_volterra(t, y):
        return np.array([p[0] * y[0] - p[1] * y[0] * y[1], p[1] * y[0] * y[1] - p[2] * y[1]])
    y = rk4(lotka_volterra, np.array([1.0, 0.5]), 0.0, 1.0, 8)
    return np.sum((y - np.array([1.2, 0.4])) ** 2)


def factory_closure(x):
    def make_scaled(a):
        return lambda v: a * v * v
    double = make_scaled(2.0)
    triple = make_scaled(3.0)
    return np.sum(double(x) + triple(np.sin(x)))


def newton_step_with_inner_grad(theta):
    g = dloglike(theta)
    step = theta + 0.1 * g
    return loglike(step)


def inner_grad_made_inside(theta):
    g = s2s.grad(loglike)(theta)
    return np.sum(g * g) + loglike(theta)


def nested_def_in_loop(x):
    total = 0.0
    for k in range(3):
        def term(v):
            return np.sin(k * v) + v
        total = total + np.sum(term(x))
    return total


def tuple_of_activations(x):
    acts = (np.tanh, relu, np.sin)
    y = x
    y = acts[0](y)
    y = acts[2](acts[1](y + 0.5))
    return np.sum(y)


def with_map(x):
    hs = list(map(np.tanh, [x, 2.0 * x]))
    zs = list(map(lambda a, b: a * b, hs, [x, x + 1.0]))
    ys = list(zs)
    ys.append(relu(x))
    return sum(np.sum(z * z) for z in map(relu, ys))


CASES = [with_map, nested_helper, closure_late_binding, activation_as_argument, partial_of_helper, ode_fit,
         factory_closure, newton_step_with_inner_grad, inner_grad_made_inside, nested_def_in_loop,
         tuple_of_activations]
POINT = np.array([0.7, -0.3, 1.1])


def point_for(fn):
    return np.array([1.1, 0.4, 0.9]) if fn is ode_fit else POINT


@pytest.mark.parametrize("fn", CASES, ids=[c.__name__ for c in CASES])
def test_reverse_mode(fn):
    x = point_for(fn)
    value, g = s2s.value_and_grad(fn)(x)
    assert np.isclose(value, fn(x))
    np.testing.assert_allclose(g, fd_grad(fn, x), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("fn", CASES, ids=[c.__name__ for c in CASES])
def test_forward_mode(fn):
    x = point_for(fn)
    np.testing.assert_allclose(s2s.jacobian(fn, mode="forward")(x), fd_grad(fn, x), rtol=1e-6, atol=1e-7)
    v = np.array([0.3, -1.0, 0.5])
    value, tangent = s2s.jvp(fn)((x,), (v,))
    assert np.isclose(tangent, fd_grad(fn, x) @ v, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("fn", CASES, ids=[c.__name__ for c in CASES])
def test_second_order(fn):
    x = point_for(fn)
    expected = numeric_hessian(fn, x)
    np.testing.assert_allclose(s2s.hessian(fn)(x), expected, rtol=1e-4, atol=1e-6 * max(1.0, np.abs(expected).max()))


def test_generated_code_inlines_the_helpers():
    """No trace of a function value in generated code: the calls are inlined, each under its line."""
    text = s2s.grad(activation_as_argument).source
    code = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert not any(re.search(r"\bact\b", line) for line in code), text
    assert "np.tanh(" in text and "np.maximum(" in text
    text = s2s.grad(newton_step_with_inner_grad).source
    assert "dloglike" not in text and "grad_loglike" not in text


# ----------------------------------------------------------------- refusals at the user's line
def returns_a_function(x):
    f = lambda v: v * x  # noqa: E731
    return f  # error-here


def function_carried_around_a_loop(x):  # (one chosen by a branch is called under it: test_chosen_functions.py)
    f = np.sin
    for i in range(3):
        if x > i:
            f = np.cos
    return f(x)  # error-here


def reads_before_assigning(x):
    def g(v):
        y = v + w  # error-here
        w = 2.0
        return y
    w = 1.0
    return g(x)


def decorated_nested(x):
    @functools.lru_cache  # error-here
    def g(v):
        return v
    return g(x)


def grad_of_a_nested_function(x):
    # (g reads x, a variable known only at run time; one reading only its closure and module is accepted:
    # tests/test_hunt8_front.py)
    def g(v):
        return v ** 3 * x
    return s2s.grad(g)(x)  # error-here


REFUSED = [(returns_a_function, "used as a value"), (function_carried_around_a_loop, "only the run time knows"),
           (reads_before_assigning, "before this function assigns it"), (decorated_nested, "decorator"),
           (grad_of_a_nested_function, "defined inside the function")]


@pytest.mark.parametrize("fn,words", REFUSED, ids=[r[0].__name__ for r in REFUSED])
def test_refused_at_the_users_line(fn, words):
    import inspect
    lines, start = inspect.getsourcelines(fn)
    line = start + next(i for i, text in enumerate(lines) if "error-here" in text)
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(fn)(0.5)
    message = str(info.value)
    assert words in message
    assert f"{__file__}:{line}" in message or f"test_function_values.py:{line}" in message, message
