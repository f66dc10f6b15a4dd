"""Round seven of the bug hunts: module data named like a library module the generated code imports (`special`,
the user's array, beside `from scipy import special as sp`) was given to the generated code in place of the
library module (AttributeError inside the gradient, in every mode). References analytic."""
import numpy as np
import pytest

import s2s
from conftest import assert_close

sp = pytest.importorskip("scipy.special")
special = np.array([2.0, 3.0])  # the user's own data
x = np.array([0.3, 0.6])


def weighted_erf(x):
    return np.sum(special * sp.erf(x))


def test_data_named_like_the_library_module_it_sits_beside():
    derivative = special * 2.0 / np.sqrt(np.pi) * np.exp(-x ** 2)
    assert_close(s2s.grad(weighted_erf)(x), derivative, what="grad")
    assert_close(s2s.jvp(weighted_erf)((x,), (np.ones(2),))[1], np.sum(derivative), what="jvp")
    assert_close(s2s.hessian(weighted_erf)(x), np.diag(-2.0 * x * derivative), what="hessian")


@__import__("functools").lru_cache
def cached_cube(v):
    return v ** 3


def test_a_function_under_lru_cache_is_its_python_function():
    """Bug hunt round 7: `s2s.grad(h)` of an `@functools.lru_cache` function was refused (a C wrapper), and the
    advice (a function calling it) was refused too. The cache remembers the same values: s2s reads __wrapped__."""
    assert s2s.grad(cached_cube)(0.4) == pytest.approx(3 * 0.4 ** 2)
    assert s2s.jvp(cached_cube)((0.4,), (1.0,))[1] == pytest.approx(3 * 0.4 ** 2)
    assert s2s.grad(calls_a_cached_function)(0.4) == pytest.approx(3 * 0.4 ** 2 + 2 * np.cos(0.4))
    assert s2s.hessian(calls_a_cached_function)(0.4) == pytest.approx(6 * 0.4 - 2 * np.sin(0.4))


@__import__("functools").cache
def cached_sine(v, n):
    return np.sin(v) * n


def calls_a_cached_function(x):
    return cached_cube(x) + cached_sine(x, 2)


SCALE = 3.0


def reads_globals(x):
    return globals().get("SCALE", 1.0) * x ** 2


def reads_locals(x):
    return locals()["x"] ** 2


def evaluates(x):
    return eval("x ** 2")


@pytest.mark.parametrize("f, name", [(reads_globals, "globals"), (reads_locals, "locals"), (evaluates, "eval")])
def test_builtins_that_read_the_running_code_are_refused(f, name):
    """Bug hunt round 7: globals(), locals() and eval() ran in the generated code and read its names: (0.25, 1.0) for
    (0.75, 3.0), derivatives 0.0 for 1.0, silently. Refused at the user's line now."""
    with pytest.raises(s2s.UnsupportedSyntaxError, match=rf"{name}\(\), which reads the names of the code"):
        s2s.value_and_grad(f)(0.5)


positional_only = lambda x, y, /: x * y  # noqa: E731
positional_first = lambda x, /, y=2.0: x * y  # noqa: E731


def test_a_lambda_with_positional_only_parameters():
    """Hunt round 7: a lambda with positional-only parameters was "not found" (its parameters read without them),
    and the message said the file had changed."""
    assert s2s.grad(positional_only, wrt=1)(2.0, 3.0) == pytest.approx(2.0)
    assert s2s.grad(positional_first)(3.0) == pytest.approx(2.0)


def doubled(x):
    return x * 2.0


def two(x, y):
    return np.sum(x * y)


@pytest.mark.parametrize("call, kind", [
    (lambda: s2s.grad(doubled)(np.ones(2)), ValueError),
    (lambda: s2s.grad(two, wrt=5)(1.0, 2.0), ValueError),
    (lambda: s2s.grad(two, wrt="z")(1.0, 2.0), ValueError),
    (lambda: s2s.grad(two, wrt=1.5)(1.0, 2.0), TypeError),
    (lambda: s2s.jacobian(two, mode="backward")(1.0, 2.0), ValueError),
    (lambda: s2s.source(doubled), TypeError),
    (lambda: s2s.grad(3), TypeError),
])
def test_mistakes_in_a_call_are_s2s_errors_and_pythons(call, kind):
    """API.md: "All errors derive from s2s.S2SError" (hunt round 7: these were plain ValueError and TypeError);
    they stay the ValueError (grad of an array result: API.md) and TypeError they were."""
    with pytest.raises(s2s.S2SError) as info:
        call()
    assert isinstance(info.value, kind)


@pytest.mark.parametrize("make", [lambda f, x: s2s.jvp(f, (x,)), lambda f, x: s2s.hessian(f, x),
                                  lambda f, x: s2s.jacobian(f, x, mode="forward"), lambda f, x: s2s.vjp(f, x),
                                  lambda f, x: s2s.grad(f, x)])
def test_the_point_passed_where_wrt_goes(make):
    """Hunt round 7 (a JAX user's first hour): `s2s.jvp(f, (x,))`, `s2s.hessian(f, x)` crashed inside NumPy; `y, pb =
    s2s.vjp(f, x)` failed to unpack. Refused when the transformation is made, saying where the arguments go."""
    with pytest.raises(s2s.ArgumentTypeError, match=r"the arguments go to the function s2s\.\w+ returns"):
        make(two, np.array([0.1, 0.2]))
