"""Calling a function chosen by a branch: `fn = np.sin if c else np.cos; fn(u)`, an if statement or an elif
chain binding `act`, a helper returning one function or another. s2s calls it under a branch on the test that
chose it (`if c: t = np.sin(u) else: t = np.cos(u)`), so every transformation differentiates it like any
branch. Values and derivatives are checked on both sides of each choice against central finite differences
(and analytic formulas), in every mode and to second order; what only the run time knows is refused at the
user's line."""
import functools
import inspect
import math
import re

import numpy as np
import pytest

import s2s
from conftest import numeric_grad, numeric_hessian


def softplus(z):
    return np.log1p(np.exp(z))


def scaled_cos(z, s):
    return np.cos(s * z)


def pick(c):
    if c > 0.0:
        return np.tanh
    return softplus


def apply_twice(g, z):
    return g(g(z))


# ----------------------------------------------------------------- functions of a vector x and a selector c
def conditional_expression(x, c):
    fn = np.sin if c < math.hypot(c, 1.0) - 0.5 else np.cos
    return np.sum(fn(np.log1p(x ** 2)))


def if_statement(x, c):
    if c > 0.0:
        act = np.tanh
    else:
        act = softplus
    h = act(1.5 * x)
    return np.sum(h ** 2)


def elif_chain(x, c):
    if c > 1.0:
        act = np.tanh
    elif c > 0.0:
        act = lambda v: v * c  # noqa: E731
    elif c > -1.0:
        act = np.sin
    else:
        act = softplus
    u = act(x * 2.0)
    return np.sum(u * act(x))  # the same chosen function called twice


def nested_def_or_exp(x, c):
    w = 0.5 + c * c

    def square(v):
        return w * v * v
    fn = square if c > 0.0 else np.exp
    return np.sum(fn(x)) * c


def partial_or_library(x, c):
    fn = functools.partial(scaled_cos, s=2.0) if c > 0.0 else np.sin
    return np.sum(fn(x) * x)


def helper_returns_a_function(x, c):
    return np.sum(pick(c)(x * x))


def passed_to_a_helper(x, c):
    g = np.sin if c > 0.0 else np.tanh
    return np.sum(apply_twice(g, x))


def chosen_before_a_loop(x, c):
    act = np.tanh if c > 0.0 else np.sin
    h = x
    for i in range(3):
        h = act(h * 0.9 + 0.1 * i)
    return np.sum(h * h)


def chosen_in_a_loop_body(x, c):
    total = 0.0
    for i in range(x.shape[0]):
        fn = np.sin if x[i] * c > 0.0 else np.cos
        total = total + fn(x[i]) * x[i]
    return total


def choice_inside_a_branch(x, c):
    if c > -1.0:
        fn = np.sin if c > 0.0 else np.exp
        y = np.sum(fn(x))
    else:
        y = np.sum(x)
    return y * y


def same_function_on_both_sides(x, c):
    fn = np.sin if c > 0.0 else np.sin
    return np.sum(fn(x) * c)


SCALAR = [conditional_expression, if_statement, elif_chain, nested_def_or_exp, partial_or_library,
          helper_returns_a_function, passed_to_a_helper, chosen_before_a_loop, chosen_in_a_loop_body,
          choice_inside_a_branch, same_function_on_both_sides]
X = np.array([0.3, -0.7, 1.1])
SELECTORS = [-1.5, -0.4, 0.6, 1.8]  # every side of every test above, away from the tests' boundaries


def _cases(fns):
    return [pytest.param(f, c, id=f"{f.__name__}-{c}") for f in fns for c in SELECTORS]


@pytest.mark.parametrize("f,c", _cases(SCALAR))
def test_value_and_gradient(f, c):
    x = X.copy()
    value, g = s2s.value_and_grad(f)(x, c)
    assert value == pytest.approx(f(X.copy(), c), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(g, numeric_grad(f, (X, c), 0), rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(x, X)  # the caller's argument is unchanged


@pytest.mark.parametrize("f,c", _cases(SCALAR))
def test_jvp(f, c):
    v = np.array([0.4, -1.0, 0.25])
    value, tangent = s2s.jvp(f)((X.copy(), c), (v,))
    assert value == pytest.approx(f(X.copy(), c), rel=1e-12, abs=1e-12)
    assert tangent == pytest.approx(numeric_grad(f, (X, c), 0) @ v, rel=1e-5, abs=1e-7)


@pytest.mark.parametrize("f,c", _cases(SCALAR))
def test_hessian(f, c):
    expected = numeric_hessian(lambda x: f(x, c), X.copy())
    got = s2s.hessian(f)(X.copy(), c)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6 * max(1.0, np.abs(expected).max()))


def scalar_choice(u, c):
    fn = np.sin if c > 0.0 else np.exp
    return fn(u) * u


@pytest.mark.parametrize("c", SELECTORS)
def test_gradient_of_gradient_against_the_formula(c):
    u = 0.7
    if c > 0.0:  # (u sin u)'' = 2 cos u - u sin u
        first, second = math.sin(u) + u * math.cos(u), 2 * math.cos(u) - u * math.sin(u)
    else:  # (u e^u)'' = (u + 2) e^u
        first, second = (u + 1) * math.exp(u), (u + 2) * math.exp(u)
    assert s2s.grad(scalar_choice)(u, c) == pytest.approx(first, rel=1e-12)
    assert s2s.grad(s2s.grad(scalar_choice))(u, c) == pytest.approx(second, rel=1e-12)


# ----------------------------------------------------------------- a vector result: vjp, both Jacobians
def vector_result(x, c):
    if c > 0.5:
        act = np.tanh
    elif c > -0.5:
        act = np.sin
    else:
        act = lambda v: v ** 3  # noqa: E731
    y = act(x[::-1] * x)
    return y * c


def fd_jacobian(f, x, c, eps=1e-6):
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = eps
        cols.append((f(x + e, c) - f(x - e, c)) / (2 * eps))
    return np.stack(cols, axis=-1)


def expected_jacobian(x, c):
    """Analytic: y_i = c act(x_i x_{n-1-i})."""
    u = x[::-1] * x
    d = 1 - np.tanh(u) ** 2 if c > 0.5 else np.cos(u) if c > -0.5 else 3 * u ** 2
    n = x.size
    J = np.zeros((n, n))
    for i in range(n):
        J[i, i] += c * d[i] * x[n - 1 - i]
        J[i, n - 1 - i] += c * d[i] * x[i]
    return J


@pytest.mark.parametrize("c", SELECTORS)
def test_jacobians_in_both_modes(c):
    x = np.array([0.3, -0.7, 1.1, 0.5])
    reference = expected_jacobian(x, c)
    np.testing.assert_allclose(fd_jacobian(vector_result, x, c), reference, rtol=1e-6, atol=1e-8)
    for mode in ("reverse", "forward"):
        np.testing.assert_allclose(s2s.jacobian(vector_result, mode=mode)(x, c), reference, rtol=1e-12,
                                   atol=1e-14, err_msg=mode)


@pytest.mark.parametrize("c", SELECTORS)
def test_vjp(c):
    x = np.array([0.3, -0.7, 1.1, 0.5])
    cot = np.array([1.0, -2.0, 0.5, 0.25])
    value, pullback = s2s.vjp(vector_result)(x, c)
    np.testing.assert_allclose(value, vector_result(x, c), rtol=1e-15)
    np.testing.assert_allclose(pullback(cot), cot @ expected_jacobian(x, c), rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------- the code s2s writes
def test_the_call_is_written_inside_the_branch():
    text = s2s.grad(conditional_expression).source
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert not re.search(r"\bfn\b", code), text  # no function value left in generated code
    assert re.search(r"if (\w+):\n\s+(\w+) = np\.sin\((\w+)\)\n\s+else:\n\s+\2 = np\.cos\(\3\)", code), text


def test_the_join_takes_the_users_name():
    text = s2s.grad(if_statement).source
    assert re.search(r"\n\s+h = np\.tanh\(", text) or re.search(r"\n\s+h = t\d+\n", text), text
    assert "np.log1p(np.exp(" in text  # softplus inlined in its arm


def test_the_test_is_computed_once():
    text = s2s.grad(elif_chain).source
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert text.count("c > 1.0") == 1 and text.count("c > 0.0") == 1 and text.count("c > -1.0") == 1, text


def chosen_while_compiling(u):
    fn = np.sin if True else np.cos
    return fn(u) * u


def test_a_choice_known_while_compiling_is_no_branch():
    text = s2s.grad(chosen_while_compiling).source
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "if " not in code and "np.cos(u)" in code, text
    assert s2s.grad(chosen_while_compiling)(0.7) == pytest.approx(math.sin(0.7) + 0.7 * math.cos(0.7), rel=1e-12)


def two_arguments(u, c):
    fn = np.arctan2 if c > 0.0 else (lambda p, q: p * q)
    args = (u, 2.0)
    return fn(*args)


@pytest.mark.parametrize("c", [-1.0, 1.0])
def test_arguments_spread(c):
    u = 0.3
    expected = 2.0 if c < 0.0 else 2.0 / (u * u + 4.0)  # d/du of u * 2, of arctan2(u, 2)
    assert s2s.grad(two_arguments)(u, c) == pytest.approx(expected, rel=1e-12)
    assert s2s.grad(two_arguments)(u, c) == pytest.approx(numeric_grad(two_arguments, (u, c), 0), rel=1e-6)


# ----------------------------------------------------------------- a name unbound or None on some paths
def unknown_kind_raises(x, kind):
    if kind == 0:
        act = np.tanh
    elif kind == 1:
        act = softplus
    else:
        raise ValueError("unknown kind")
    return np.sum(act(x) * x)


def unbound_on_one_path(x, c):
    if c > 0.0:
        fn = np.sin
    return np.sum(fn(x))


def none_on_one_path(x, c):
    fn = None
    if c > 0.0:
        fn = np.sin
    return np.sum(fn(x))


@pytest.mark.parametrize("kind", [0, 1])
def test_an_else_that_raises_leaves_no_branch_of_its_own(kind):
    x = X.copy()
    np.testing.assert_allclose(s2s.grad(unknown_kind_raises)(x, kind), numeric_grad(unknown_kind_raises, (X, kind), 0),
                               rtol=1e-6, atol=1e-8)
    text = s2s.grad(unknown_kind_raises).source
    assert "TypeError" not in text and text.count("np.tanh(x)") == 1, text  # (the path that raises never calls)
    with pytest.raises(ValueError, match="unknown kind"):
        s2s.grad(unknown_kind_raises)(x, 2)


@pytest.mark.parametrize("f,error", [(unbound_on_one_path, UnboundLocalError), (none_on_one_path, TypeError)])
def test_a_name_unbound_or_none_raises_as_python_does(f, error):
    np.testing.assert_allclose(s2s.grad(f)(X.copy(), 0.5), np.cos(X), rtol=1e-12)
    with pytest.raises(error):
        f(X.copy(), -0.5)
    with pytest.raises(error):
        s2s.grad(f)(X.copy(), -0.5)
    with pytest.raises(error):
        s2s.jvp(f)((X.copy(), -0.5), (X.copy(),))


# ----------------------------------------------------------------- refusals at the user's line
def carried_around_a_loop(x, c):
    fn = np.sin
    for i in range(3):
        if c > i:
            fn = np.cos
    return np.sum(fn(x))  # error-here


def chosen_in_a_loop_called_after(x, c):
    for i in range(3):
        fn = np.sin if c > i else np.cos
    return np.sum(fn(x))  # error-here


def taken_by_a_runtime_index(x, c):
    fns = [np.sin, np.cos]
    k = int(c > 0.0)
    return np.sum(fns[k](x))  # error-here


def a_parameter_holding_a_function(x, g=np.sin):
    return np.sum(g(x))  # error-here


def a_parameter_on_one_side(x, c, g=np.sin):
    fn = g if c > 0.0 else np.cos
    return np.sum(fn(x))  # error-here


RUN_TIME = "a value only the run time knows"
ONE_SIDE = "chosen by a branch where one side holds a value only the run time knows"
REFUSED = [(carried_around_a_loop, RUN_TIME), (chosen_in_a_loop_called_after, RUN_TIME),
           (taken_by_a_runtime_index, RUN_TIME), (a_parameter_holding_a_function, RUN_TIME),
           (a_parameter_on_one_side, ONE_SIDE)]


@pytest.mark.parametrize("f,words", REFUSED, ids=[r[0].__name__ for r in REFUSED])
def test_refused_at_the_users_line(f, words):
    lines, start = inspect.getsourcelines(f)
    line = start + next(i for i, text in enumerate(lines) if "error-here" in text)
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(f)(X.copy(), 0.5)
    message = str(info.value)
    assert words in message, message
    assert f"test_chosen_functions.py:{line}" in message, message
