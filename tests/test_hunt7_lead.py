"""Round seven of the bug hunts (docs/testing.md): what the lead engineer fixed, each against finite differences
or an analytic value."""
import functools
import warnings

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


def log_it(v):
    pass


def calls_helpers_without_a_return(xs):
    def psi(u):
        pass
    prev = psi(abs(xs))
    note = log_it(xs)
    return np.sum(xs ** 2) + (1.0 if prev is None and note is None else 0.0)


def test_a_helper_without_a_return_called_for_its_value_returns_none():
    """Fuzz seed 1405055: `prev = psi(abs(e))` of a nested `def psi(u): pass` was refused ("a function that does
    not return a value on every path"); Python binds None, as it does for a module-level helper."""
    xs = np.array([0.5, -1.0, 2.0])
    value, g = s2s.value_and_grad(calls_helpers_without_a_return)(xs)
    assert_close(value, calls_helpers_without_a_return(xs), what="value")
    assert_close(g, numeric_grad(calls_helpers_without_a_return, (xs,), 0), what="gradient")
    _, t = s2s.jvp(calls_helpers_without_a_return)((xs,), (np.ones(3),))
    assert_close(t, np.sum(2.0 * xs), what="tangent")


def returns_on_one_path_only(x):
    def half(u):
        if u > 0:
            return u
    return half(x)


def test_a_helper_that_returns_a_value_on_some_paths_only_is_still_refused():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="does not return a value on every path"):
        s2s.grad(returns_on_one_path_only)(1.0)


class Model:
    def helper(self, x):
        return np.sin(x)


MODEL = Model()


def calls_a_method_of_a_module_object(x):
    return MODEL.helper(x) * 2.0


@pytest.mark.parametrize("mode", ["grad", "jvp", "hessian"])
def test_an_attribute_set_on_the_object_after_the_first_call_hides_the_method(mode):
    """Bug hunt round 7: `obj.helper = lambda x: x ** 3` after the first transformation was not seen (the method was
    found on the class, and nothing recorded that the object lacked an attribute of its own): the old value and
    derivative in every mode. The cache now checks that the object still lacks it."""
    run = {"grad": lambda x: s2s.grad(calls_a_method_of_a_module_object)(x),
           "jvp": lambda x: s2s.jvp(calls_a_method_of_a_module_object)((x,), (1.0,)),
           "hessian": lambda x: s2s.hessian(calls_a_method_of_a_module_object)(x)}[mode]
    x = 0.4
    try:
        want = {"grad": 2 * np.cos(x), "jvp": (2 * np.sin(x), 2 * np.cos(x)), "hessian": -2 * np.sin(x)}[mode]
        np.testing.assert_allclose(run(x), want)
        MODEL.helper = lambda v: v ** 3
        want = {"grad": 6 * x ** 2, "jvp": (2 * x ** 3, 6 * x ** 2), "hessian": 12 * x}[mode]
        np.testing.assert_allclose(run(x), want)
    finally:
        vars(MODEL).pop("helper", None)


def scaled_square(x, a):
    return a * x ** 2


PART = functools.partial(scaled_square, a=2.0)


def calls_a_module_partial(x):
    return PART(x)


def test_a_module_partial_whose_keywords_change_in_place():
    """Bug hunt round 7: `PART.keywords["a"] = -1.0` after the first call kept the old keyword (1.6 for -0.8)."""
    x = 0.4
    try:
        assert s2s.grad(calls_a_module_partial)(x) == pytest.approx(4 * x)
        PART.keywords["a"] = -1.0
        assert s2s.grad(calls_a_module_partial)(x) == pytest.approx(-2 * x)
        value, tangent = s2s.jvp(calls_a_module_partial)((x,), (1.0,))
        assert (value, tangent) == pytest.approx((-x ** 2, -2 * x))
    finally:
        PART.keywords["a"] = 2.0


def cubes_a_number_sums_an_array(x):
    if np.isscalar(x):
        return x ** 3
    return np.sum(np.sin(x))


def cubes_a_zero_d_value(x):
    if np.ndim(x) == 0:
        return x ** 3
    return np.sum(np.sin(x))


@pytest.mark.parametrize("f", [cubes_a_number_sums_an_array, cubes_a_zero_d_value])
def test_a_branch_on_whether_the_argument_is_a_number(f):
    """Bug hunt round 7: the gradient of an array argument was converted with float() on every path, because the
    branch that returns `x ** 3` makes x a number (TypeError inside the generated code)."""
    x = np.array([0.3, 0.6])
    assert_close(s2s.grad(f)(x), np.cos(x), what="an array's gradient")
    value, g = s2s.value_and_grad(f)(x)
    assert_close(value, f(x), what="value")
    assert_close(g, np.cos(x), what="an array's gradient")
    g = s2s.grad(f)(0.5)
    assert type(g) is float and g == pytest.approx(0.75)


SCRIPT = '''
import numpy as np, s2s
W = np.array([1.0, -2.0, 0.5])
def f(x):
    return np.sum(W * np.tanh(x) ** 2)
open("f_grad.py", "w").write(s2s.grad(f).source)
'''

IMPORTER = '''
import numpy as np
W = np.array([100.0, 0.0, 0.0])  # another script's W
try:
    import f_grad
except RuntimeError as e:
    print("refused:", e)
ns = {"W": np.array([1.0, -2.0, 0.5])}
exec(open("f_grad.py").read(), ns)
print(",".join(repr(float(v)) for v in ns["grad_f"](np.array([0.1, 0.2, 0.3]))))
'''


def test_the_source_of_a_scripts_function_does_not_import_from_main(tmp_path):
    """Bug hunt round 7: the text of a function of a script run as __main__ imported its data `from __main__`, so
    another script importing the text ran it with its own W. Such data is now what the text asks to be given."""
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(s2s.__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, str(tmp_path)]), PYTHONDONTWRITEBYTECODE="1")
    env.pop("S2S_CACHE_DIR", None)
    (tmp_path / "script.py").write_text(SCRIPT)
    done = subprocess.run([sys.executable, "script.py"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "from __main__" not in (tmp_path / "f_grad.py").read_text()
    done = subprocess.run([sys.executable, "-c", IMPORTER], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    refused, values = done.stdout.splitlines()
    assert refused.startswith("refused: grad_f needs W")
    x, w = np.array([0.1, 0.2, 0.3]), np.array([1.0, -2.0, 0.5])
    assert_close(np.array([float(v) for v in values.split(",")]), 2 * w * np.tanh(x) / np.cosh(x) ** 2,
                 what="the text run with the script's W")


def loops_over_iterators(x):
    s = 0.0
    for i, j in __import__("itertools").product(range(2), range(3)):
        s = s + x[i] * x[j]
    for idx in np.ndindex(2, 2):
        s = s + x[idx[0]] * idx[1]
    for v in filter(None, [1.0, -2.0, 0.0]):
        s = s + v * x[2]
    for k, (a, b) in enumerate(__import__("itertools").combinations(range(3), 2)):
        s = s + k * x[a] * x[b]
    for v in iter([x[0], x[1]]):
        s = s + v ** 2
    return s


def test_a_for_loop_over_an_iterator():
    """Bug hunt round 7: a for loop over itertools.product(...), np.ndindex(...), filter(...), iter(xs) ran by index
    (`range(len(t3))`): TypeError "object of type 'itertools.product' has no len()" inside the generated code."""
    x = np.array([0.5, -1.0, 2.0])
    value, g = s2s.value_and_grad(loops_over_iterators)(x)
    assert_close(value, loops_over_iterators(x), what="value")
    assert_close(g, numeric_grad(loops_over_iterators, (x,), 0), what="gradient")
    assert_close(s2s.jvp(loops_over_iterators)((x,), (np.ones(3),))[1], np.sum(g), what="tangent")
    want = np.array([[4.0, 2.0, 2.0], [2.0, 4.0, 3.0], [2.0, 3.0, 0.0]])  # (the x0^2, x1^2 of iter: +2 each)
    assert_close(s2s.hessian(loops_over_iterators)(x), want, what="hessian")


def warns(x):
    if x > 10.0:
        warnings.warn("large x")
    warnings.warn("computed", RuntimeWarning)
    return x ** 2


def test_warnings_warn_is_called_as_written():
    """Bug hunt round 7: warnings.warn (whose __module__ is '_warnings', C's) was refused, where logging and
    warnings calls are documented to run as written."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert s2s.grad(warns)(3.0) == pytest.approx(6.0)
        assert s2s.jvp(warns)((3.0,), (1.0,)) == pytest.approx((9.0, 6.0))
    assert [str(w.message) for w in caught] == ["computed", "computed"]


def jitter_through_flat(w):
    K = np.outer(w, w)
    K.flat[::5] += 0.5
    return np.sum(K ** 2)


def jitter_as_advised(w):
    K = np.outer(w, w)
    K[np.unravel_index(np.arange(K.size)[::5], K.shape)] += 0.5
    return np.sum(K ** 2)


def test_the_advice_for_a_flat_slice_is_python_that_runs():
    """Bug hunt round 7 (fix7py's patch): `K.flat[::5] += 0.5` advised `K[np.unravel_index(::5, K.shape)]`, not
    valid Python."""
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"np\.unravel_index\(np\.arange\(K\.size\)\[::5\]"):
        s2s.grad(jitter_through_flat)(np.ones(4))
    w = np.array([0.5, -1.0, 2.0, 0.3])
    assert_close(s2s.grad(jitter_as_advised)(w), numeric_grad(jitter_through_flat, (w,), 0), what="the advice")


def sine(t):
    return np.sin(t)


def scaled_norm(x, s):
    return np.sum((x * s) ** 2)


def product_of_two(t, u):
    return np.sin(t) * u


def test_a_python_numbers_gradient_is_a_python_float():
    """API.md: "a Python float for a float or int". Hunt round 7: where NumPy computed the derivative of a float
    argument (np.cos(t)) it came out np.float64 (type(g) is float failed), inside containers a float."""
    x = np.array([1.0, 2.0, 3.0])
    for g, want in [(s2s.grad(sine)(0.5), np.cos(0.5)), (s2s.grad(sine)(0.5), np.cos(0.5)),
                    (s2s.grad(scaled_norm, wrt=1)(x, 2.0), 4 * np.sum(x * x)),
                    (s2s.grad(scaled_norm, wrt=1)(x, 2), 4 * np.sum(x * x)),
                    (s2s.value_and_grad(sine)(0.5)[1], np.cos(0.5)),
                    (s2s.grad(sine, return_value=True)(0.5)[1], np.cos(0.5)),
                    (s2s.grad(s2s.grad(sine))(0.5), -np.sin(0.5))]:
        assert type(g) is float and g == pytest.approx(want)
    _, pullback = s2s.vjp(product_of_two, wrt=(0, 1))(0.5, 2.0)
    assert [type(g) for g in pullback(1.0)] == [float, float]
    assert type(s2s.vjp(sine)(0.5)[1](1.0)) is float
    for _ in range(2):  # (the first call, then the entry's fast call)
        gt, gu = s2s.grad(product_of_two, wrt=(0, 1))(0.5, 2.0)
        assert type(gt) is float and type(gu) is float
        assert (gt, gu) == pytest.approx((2.0 * np.cos(0.5), np.sin(0.5)))


def builds_an_array(x):
    return np.array([x[0] * x[1], x[0]])


def test_reverse_mode_over_the_jvp_of_a_function_building_an_array():
    """Hunt round 7: `s2s.grad` of a function calling `s2s.jvp(f)` where f builds its result with np.array([...])
    was refused: rt.array_tangent had no adjoint (the message called it a third derivative)."""
    v = np.array([1.0, 2.0])
    jf = s2s.jvp(builds_an_array)

    def outer(x):
        return np.sum(jf((x,), (v,))[1] ** 2)  # (x1 + 2 x0)^2 + 1
    x = np.array([0.3, 0.7])
    assert_close(s2s.grad(outer)(x), np.array([4.0, 2.0]) * (x[1] + 2 * x[0]), what="grad")
    assert_close(s2s.hessian(outer)(x), np.array([[8.0, 4.0], [4.0, 2.0]]), what="hessian")


def reverse_only(x, y):
    return x * y


@s2s.adjoint(reverse_only)
def _reverse_only_adjoint(g, ans, x, y):
    return g * y * 1.01, g * x  # deliberately wrong in x


def right_reverse_only(x, y):
    return x * y


@s2s.adjoint(right_reverse_only)
def _right_reverse_only_adjoint(g, ans, x, y):
    return g * y, g * x


def test_check_grad_of_a_rule_for_reverse_mode_only():
    """Hunt round 7 (API.md's check_grad): a function whose rule has only @s2s.adjoint, as API.md's first example,
    raised NonDifferentiableError (no forward-mode rule) instead of checking the rule: now reverse mode is checked
    (an AssertionError where it is wrong), and a warning says forward mode was not."""
    c, x = np.array([1.0, 2.0, 3.0]), np.array([0.1, 0.2, 0.3])
    with pytest.raises(AssertionError, match=r"reverse mode, d/dv: 3 of 3 element\(s\) differ"):
        s2s.check_grad(lambda v: np.sum(reverse_only(v, c)), x)
    with pytest.warns(UserWarning, match="forward mode not checked"):
        assert s2s.check_grad(lambda v: np.sum(right_reverse_only(v, c)), x) is None
