"""Starred expressions (issue 14): `f(*params)`, `[a, *rest]` and `first, *rest = values`, where the values
are known while compiling (a tuple or list the function writes); refused at the user's line otherwise."""
import inspect

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


def model(a, b, c, x):
    return a * np.sin(b * x) + c


def spread_everywhere(params, x):
    p = (params[0], params[1], 0.5)
    first, *rest = p
    q = [first * 2.0, *rest]
    head, *middle, last = (x[0], x[1], x[2], x[3])
    return np.sum(model(*q, x)) + sum(rest) * last + np.sum(np.stack(middle)) * head


X = np.linspace(0.0, 1.0, 4)
P = np.array([0.3, 1.7])


def test_reverse_and_forward():
    assert_close(s2s.grad(spread_everywhere)(P, X), numeric_grad(spread_everywhere, (P, X), 0), what="grad")
    assert_close(s2s.grad(spread_everywhere, wrt=1)(P, X), numeric_grad(spread_everywhere, (P, X), 1),
                 what="grad x")
    assert_close(s2s.jacobian(spread_everywhere, mode="forward")(P, X), numeric_grad(spread_everywhere, (P, X), 0),
                 what="forward")


def test_second_order():
    h = 1e-4
    expected = np.array([(numeric_grad(spread_everywhere, (P + e, X), 0) - numeric_grad(spread_everywhere, (P - e, X), 0))
                         / (2 * h) for e in np.eye(2) * h])
    assert_close(s2s.hessian(spread_everywhere)(P, X), expected, what="hessian", rtol=1e-4, atol=1e-5)


def spread_of_an_argument(params, x):
    return np.sum(model(*params, x))  # error-here


def unpack_an_argument(params):
    first, *rest = params
    return first * rest[1]


@pytest.mark.parametrize("fn", [spread_of_an_argument])
def test_unknown_length_is_refused_at_the_line(fn):
    lines, start = inspect.getsourcelines(fn)
    line = start + next(i for i, text in enumerate(lines) if "error-here" in text)
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(fn)(np.array([0.3, 1.7, 0.5]), X)
    assert f"test_starred.py:{line}" in str(info.value)
    assert "known only at run time" in str(info.value)


def test_starred_unpacking_of_an_argument_is_taken_by_position():
    """`first, *rest = params` of an array: taken by position when it runs (172d5c4; refused before as of values
    whose number is known only at run time)."""
    params = np.array([0.3, 1.7, 0.5])
    assert_close(s2s.grad(unpack_an_argument)(params), numeric_grad(unpack_an_argument, (params,), 0), what="grad")
    assert_close(s2s.jacobian(unpack_an_argument, mode="forward")(params),
                 numeric_grad(unpack_an_argument, (params,), 0), what="forward jacobian")


def model_last(x, a, b, c):
    return a * np.sin(b * x) + c


def forwards(fn, x, *args):
    return fn(x, *args) * 2.0


def spread_of_an_argument_last(params, x):
    return np.sum(model_last(x, *params)) + np.sum(forwards(model_last, x, *params))


def test_a_spread_of_run_time_length_into_a_helper():
    """`f(x, *params)` with params an argument: its values fill the helper's parameters (counted when it runs,
    a TypeError as Python's if they are not as many), or pass on through the helper's *args."""
    p = np.array([0.3, 1.7, 0.5])
    for wrt in (0, 1):
        expected = numeric_grad(spread_of_an_argument_last, (p, X), wrt)
        assert_close(s2s.grad(spread_of_an_argument_last, wrt=wrt)(p, X), expected, what=f"grad {wrt}")
        assert_close(s2s.jacobian(spread_of_an_argument_last, wrt=wrt, mode="forward")(p, X), expected,
                     what=f"forward {wrt}")
    with pytest.raises(TypeError, match="takes 3 more positional"):
        s2s.grad(spread_of_an_argument_last)(np.array([0.3, 1.7]), X)


def combine3(a, b, c=1.5):
    return a * b + c


def spread_with_a_default_left(x, coeffs):
    return combine3(*coeffs) * x


def test_a_spread_that_leaves_a_defaulted_parameter():
    """Fuzz seeds 7029, 7069, 7169, 7244, 7319 (level 5): combine3(*coeffs) with two values was refused at run time
    ('takes 3 more positional arguments'), where Python gives c its default."""
    x = 0.7
    for coeffs in ((0.3, 2.0), (0.3, 2.0, 0.5), np.array([0.3, 2.0])):
        value, (gx, gc) = s2s.value_and_grad(spread_with_a_default_left, wrt=(0, 1))(x, coeffs)
        assert np.isclose(value, spread_with_a_default_left(x, coeffs))
        assert np.isclose(gx, numeric_grad(spread_with_a_default_left, (x, coeffs), 0))
        assert_close(np.array(gc), numeric_grad(lambda c: spread_with_a_default_left(x, c), (np.array(coeffs),), 0),
                     what=str(coeffs))
        _, tangent = s2s.jvp(spread_with_a_default_left, wrt=0)((x, coeffs), (1.0,))
        assert np.isclose(tangent, gx)
    with pytest.raises(TypeError, match="takes 2 to 3 more positional"):
        s2s.grad(spread_with_a_default_left)(x, (0.3,))
