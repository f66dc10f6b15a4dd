"""Higher-order derivatives by transforming generated code again.

`hessian(f)` is the forward-mode Jacobian of the generated `grad(f)`;
`jvp(grad(f))` and `grad(grad(f))` transform generated source. That source
calls runtime helpers (their rules are in `rules/runtime_rules.py`, checked
here in reverse mode and in tests/test_forward.py in forward mode) and, for
loops, keeps stacks of saved values (`y_saved.append(y)`, `y_saved.pop()`,
`for y in reversed(y_saved)`), which forward mode follows with parallel
tangent stacks. Every derivative is compared with an analytic formula or with
central finite differences.
"""
import math
import os

import numpy as np
import pytest

import s2s
from s2s.testing import assert_source_matches

from conftest import assert_close, numeric_grad, skip_unless_numpy_has_names_in
from rule_cases import CASES

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")


# ---------------------------------------------------------------- the runtime helpers' reverse rules
RUNTIME_CASES = [c for c in CASES if c[0].startswith("s2s.runtime.")
                 and all(isinstance(a, (float, np.ndarray)) for a in c[2])]


def _weighted_loss(f, w, arity):
    """sum(w * f(...)) as a function s2s can read (it inlines f)."""
    if arity == 1:
        def loss(a):
            return np.sum(w * f(a))
    else:
        def loss(a, b):
            return np.sum(w * f(a, b))
    return loss


@pytest.mark.parametrize("case", RUNTIME_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(RUNTIME_CASES)])
def test_runtime_helper_reverse_rule(case):
    key, f, args, wrt = case
    skip_unless_numpy_has_names_in(key)
    wrt = wrt if isinstance(wrt, tuple) else (wrt,)
    w = np.random.default_rng(5).normal(size=np.shape(f(*args)))
    loss = _weighted_loss(f, w, len(args))
    for i in wrt:
        analytic = s2s.grad(loss, wrt=i)(*args)
        assert_close(analytic, numeric_grad(loss, args, i), what=f"{key}: gradient w.r.t. argument {i}")


# ---------------------------------------------------------------- hessians of NumPy functions
def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def rosenbrock_hessian(x):
    n = len(x)
    h = np.zeros((n, n))
    for i in range(n - 1):
        h[i, i] += 1200.0 * x[i] ** 2 - 400.0 * x[i + 1] + 2.0
        h[i + 1, i + 1] += 200.0
        h[i, i + 1] = h[i + 1, i] = -400.0 * x[i]
    return h


def test_hessian_of_rosenbrock_20_dim():
    x = np.random.default_rng(0).uniform(-1.5, 1.5, size=20)
    h = s2s.hessian(rosenbrock)(x)
    assert h.shape == (20, 20)
    assert_close(h, rosenbrock_hessian(x), rtol=1e-10, atol=1e-9, what="hessian of Rosenbrock")


def quadratic_form(x, A):
    return 0.5 * x @ A @ x


def test_hessian_of_a_quadratic_form():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(4, 4))  # not symmetric: the hessian is its symmetric part
    x = rng.normal(size=4)
    assert_close(s2s.hessian(quadratic_form)(x, A), 0.5 * (A + A.T), rtol=1e-12, atol=1e-12, what="hessian")
    assert_close(s2s.jacobian(s2s.grad(quadratic_form), mode="forward")(x, A), 0.5 * (A + A.T), rtol=1e-12,
                 atol=1e-12, what="forward Jacobian of the gradient")


def mlp_loss(W, x, b):
    return np.sum(np.tanh(W @ x + b) ** 2)


def test_hessian_of_the_mlp_loss_with_respect_to_the_bias():
    rng = np.random.default_rng(2)
    W, x, b = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3)
    t = np.tanh(W @ x + b)
    # d/db sum(t^2) = 2 t (1 - t^2); its derivative is diagonal: 2 (1 - t^2) (1 - 3 t^2)
    expected = np.diag(2.0 * (1.0 - t ** 2) * (1.0 - 3.0 * t ** 2))
    assert_close(s2s.hessian(mlp_loss, wrt="b")(W, x, b), expected, rtol=1e-10, atol=1e-12, what="hessian in b")


def test_jvp_of_the_mlp_gradient_with_respect_to_w():
    rng = np.random.default_rng(3)
    W, x, b = rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=3)
    V = rng.normal(size=(3, 4))
    _, hv = s2s.jvp(s2s.grad(mlp_loss))((W, x, b), (V,))
    t = np.tanh(W @ x + b)
    dt = (1.0 - t ** 2) * (V @ x)
    # grad_W = outer(2 t (1 - t^2), x); its tangent along V: outer(d[2 t (1 - t^2)], x)
    expected = np.outer((2.0 - 6.0 * t ** 2) * dt, x)
    assert_close(hv, expected, rtol=1e-10, atol=1e-12, what="Hessian-vector product")


# ---------------------------------------------------------------- scalar higher derivatives
def sine(x):
    return math.sin(x)


def fourth_power(x):
    return x ** 4


@pytest.mark.parametrize("x", [0.3, -1.2, 2.5])
def test_grad_grad_sin(x):
    assert s2s.grad(s2s.grad(sine))(x) == pytest.approx(-math.sin(x), rel=1e-12)


@pytest.mark.parametrize("x", [0.5, -1.5, 2.0])
def test_grad_grad_grad_fourth_power(x):
    assert s2s.grad(s2s.grad(fourth_power))(x) == pytest.approx(12.0 * x ** 2, rel=1e-12)
    assert s2s.grad(s2s.grad(s2s.grad(fourth_power)))(x) == pytest.approx(24.0 * x, rel=1e-12)


def test_jvp_of_a_grad():
    def f(x):
        return math.exp(x) * math.sin(x)

    x = 0.8
    value, tangent = s2s.jvp(s2s.grad(f))((x,), (2.0,))
    assert value == pytest.approx(math.exp(x) * (math.sin(x) + math.cos(x)), rel=1e-12)
    assert tangent == pytest.approx(2.0 * 2.0 * math.exp(x) * math.cos(x), rel=1e-12)  # f'' = 2 e^x cos x


def test_hessian_of_a_scalar_function_of_a_scalar():
    h = s2s.hessian(fourth_power)(1.5)
    assert np.shape(h) == () and float(h) == pytest.approx(12.0 * 1.5 ** 2, rel=1e-12)


# ---------------------------------------------------------------- loops and branches
def loop_and_branch(x, n):
    y = x
    for i in range(n):
        if np.sum(y) > 0.0:
            y = np.sin(y) * x
        else:
            y = y * y + 0.1
    return np.sum(y * x)


def while_loop(x):
    y = x
    while np.sum(y * y) < 10.0:
        y = y * 1.5 + np.sin(x)
    return np.sum(y ** 3)


def nested_loops(x, n):
    s = 0.0
    for i in range(n):
        for j in range(i + 1):
            if j % 2 == 0:
                s = s + np.sum(np.sin(x * i + j) * x)
            else:
                s = s - np.sum(x ** 2) * 0.1
    return s


def zipped_loop(xs, w):
    total = 0.0
    for x, c in zip(xs, w):
        total = total + np.tanh(c * x) ** 2
    return total


def second_differences(f, x, rest, h=1e-4):
    """Central second differences of f: an estimate of the hessian that uses f alone."""
    n = x.size
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei, ej = np.zeros(n), np.zeros(n)
            ei[i], ej[j] = h, h
            out[i, j] = (f(x + ei + ej, *rest) - f(x + ei - ej, *rest) - f(x - ei + ej, *rest)
                         + f(x - ei - ej, *rest)) / (4 * h * h)
    return out


def gradient_differences(f, x, rest, eps=1e-6):
    """Central differences of the gradient, column by column."""
    g = s2s.grad(f)
    n = x.size
    out = np.zeros((n, n))
    for i in range(n):
        e = np.zeros(n)
        e[i] = eps
        out[:, i] = (g(x + e, *rest) - g(x - e, *rest)) / (2 * eps)
    return out


@pytest.mark.parametrize("f,x,rest", [
    (loop_and_branch, np.array([0.3, 0.5, -0.2]), (3,)),
    (loop_and_branch, np.array([-0.3, -0.5, 0.2]), (4,)),
    (while_loop, np.array([0.3, 0.5, -0.2]), ()),
    (nested_loops, np.array([0.4, -0.7]), (4,)),
    (zipped_loop, np.array([0.4, -0.7, 1.1]), (np.array([1.0, 2.0, 0.5]),)),
], ids=["loop-branch-positive", "loop-branch-negative", "while", "nested", "zip"])
def test_hessian_with_loops_and_branches(f, x, rest):
    h = s2s.hessian(f)(x, *rest)
    assert h.shape == (x.size, x.size)
    assert_close(h, gradient_differences(f, x, rest), rtol=1e-5, atol=1e-6, what="hessian vs differences of grad")
    assert_close(h, second_differences(f, x, rest), rtol=1e-4, atol=1e-4, what="hessian vs second differences")
    v = np.linspace(-1.0, 1.0, x.size)
    _, hv = s2s.jvp(s2s.grad(f))((x,) + rest, (v,))
    assert_close(hv, h @ v, rtol=1e-10, atol=1e-10, what="jvp of grad vs hessian . v")


def test_forward_mode_keeps_a_parallel_tangent_stack():
    text = s2s.jvp(s2s.grad(loop_and_branch)).source
    assert "y_saved.append(y)" in text and "dy_saved.append(dy)" in text, text
    assert "dy_saved = []" in text


# ---------------------------------------------------------------- the golden file of a second derivative
def curve(x):
    y = math.sin(x) * x ** 2
    return y


def test_grad_grad_golden():
    gg = s2s.grad(s2s.grad(curve))
    x = 0.7
    expected = (2.0 - x * x) * math.sin(x) + 4.0 * x * math.cos(x)
    assert gg(x) == pytest.approx(expected, rel=1e-12)
    assert_source_matches(gg, os.path.join(GOLDEN, "grad_grad_f.py"))
