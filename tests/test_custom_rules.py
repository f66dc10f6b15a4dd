"""User derivative rules: `s2s.adjoint`, `s2s.tangent`, `s2s.nondifferentiable`, and `s2s.check_grad`.

Every derivative is compared with central finite differences of the original
function or with an analytic formula, in reverse mode (`grad`) and in forward
mode (`jvp`). Rules are registered inside each test and the registry is put
back afterwards, so an overridden library rule (np.tanh) never leaks into other
tests.
"""
import numpy as np
import pytest

import s2s
from s2s.api import cache
from s2s.rules import registry

from conftest import assert_close, numeric_grad

EPS = 1e-6


@pytest.fixture(autouse=True)
def clean_registry():
    registry._load()
    saved = (dict(registry.REVERSE), dict(registry.TANGENT), set(registry.NONDIFF), dict(registry._OBJECTS))
    yield
    registry.REVERSE.clear()
    registry.REVERSE.update(saved[0])
    registry.TANGENT.clear()
    registry.TANGENT.update(saved[1])
    registry.NONDIFF.clear()
    registry.NONDIFF.update(saved[2])
    registry._OBJECTS.clear()
    registry._OBJECTS.update(saved[3])
    cache.clear()


def directional(f, args, wrt, v, eps=EPS):
    """(f(x + eps v) - f(x - eps v)) / (2 eps) along argument `wrt`."""
    plus, minus = list(args), list(args)
    plus[wrt] = args[wrt] + eps * v
    minus[wrt] = args[wrt] - eps * v
    return (np.asarray(f(*plus)) - np.asarray(f(*minus))) / (2 * eps)


# ---------------------------------------------------------------- a user function with both rules
def softplus(x):
    return np.log(1.0 + np.exp(x))


def softplus_adjoint(g, ans, x):
    return (g / (1.0 + np.exp(-x)),)


def softplus_tangent(tangents, ans, x):
    return tangents[0] / (1.0 + np.exp(-x))


def softplus_loss(x, w):
    return np.sum(softplus(x * w) ** 2)


def test_user_function_with_rules_is_not_descended_into():
    s2s.adjoint(softplus)(softplus_adjoint)
    s2s.tangent(softplus)(softplus_tangent)
    x, w = np.array([0.3, -1.2, 2.0]), 0.7
    g = s2s.grad(softplus_loss)
    jf = s2s.jvp(softplus_loss, wrt=(0, 1))
    for text in (g.source, jf.source):
        assert "np.exp" not in text and "np.log" not in text, text  # the body of softplus is not there
        assert "custom.softplus(" in text, text
    assert "custom.softplus_adjoint(" in g.source
    assert "custom.softplus_tangent(" in jf.source
    assert_close(g(x, w), numeric_grad(softplus_loss, (x, w), 0), what="grad vs finite differences")
    v = np.array([0.5, -1.0, 0.25])
    value, tangent = jf((x, w), (v, 0.3))
    expected = directional(softplus_loss, (x, w), 0, v) + 0.3 * numeric_grad(softplus_loss, (x, w), 1)
    assert_close(value, softplus_loss(x, w), rtol=1e-12, what="jvp value")
    assert_close(tangent, expected, what="jvp tangent vs finite differences")


def test_user_function_with_rules_in_a_loop():
    s2s.adjoint(softplus)(softplus_adjoint)
    s2s.tangent(softplus)(softplus_tangent)

    def f(x):
        y = x
        for _ in range(3):
            y = softplus(y) - 0.5 * y
        return np.sum(y)

    x = np.array([0.1, -0.4])
    assert_close(s2s.grad(f)(x), numeric_grad(f, (x,), 0), what="grad")
    v = np.array([1.0, 2.0])
    _, t = s2s.jvp(f)((x,), (v,))
    assert_close(t, directional(f, (x,), 0, v), what="jvp")


# ---------------------------------------------------------------- a library function overridden
def tanh_model(x):
    return np.sum(np.tanh(2.0 * x) * x)


def test_library_function_overridden():
    calls = []

    @s2s.adjoint(np.tanh)
    def _(g, ans, x):
        calls.append("adjoint")
        return (g * (1.0 - ans) * (1.0 + ans),)

    @s2s.tangent(np.tanh)
    def _(tangents, ans, x):
        calls.append("tangent")
        return (1.0 - ans) * (1.0 + ans) * tangents[0]

    g = s2s.grad(tanh_model)
    jf = s2s.jvp(tanh_model)
    assert "custom.numpy_tanh_adjoint(" in g.source, g.source
    assert "custom.numpy_tanh_tangent(" in jf.source, jf.source
    x = np.array([0.2, -0.5, 1.5])
    x_ = x.copy()
    analytic = np.tanh(2 * x) + 2.0 * x / np.cosh(2 * x) ** 2
    assert_close(g(x), analytic, what="grad")
    v = np.array([1.0, -2.0, 0.5])
    _, t = jf((x,), (v,))
    assert_close(t, analytic @ v, what="jvp")
    assert calls == ["adjoint", "tangent"]
    np.testing.assert_array_equal(x, x_)


def test_stable_log1p_rule_for_tiny_arguments():
    # d/dx log1p(x) = 1 / (1 + x); the rule spells it as the user wants and sees the result too
    @s2s.adjoint(np.log1p)
    def _(g, ans, x):
        return (g * np.exp(-ans),)  # exp(-log1p(x)) = 1 / (1 + x)

    @s2s.tangent(np.log1p)
    def _(tangents, ans, x):
        return tangents[0] * np.exp(-ans)

    def f(x):
        return np.sum(np.log1p(x) * 3.0)

    x = np.array([1e-12, 0.5, -0.25])
    assert "custom.numpy_log1p_adjoint" in s2s.grad(f).source
    assert_close(s2s.grad(f)(x), 3.0 / (1.0 + x), rtol=1e-12, what="grad")
    _, t = s2s.jvp(f)((x,), (np.ones(3),))
    assert_close(t, np.sum(3.0 / (1.0 + x)), rtol=1e-12, what="jvp")


# ---------------------------------------------------------------- nondifferentiable
def stop_gradient(x):
    return x


def test_nondifferentiable_user_function():
    assert s2s.nondifferentiable(stop_gradient) is stop_gradient

    def f(x):
        return x * stop_gradient(x) + 2.0 * x

    # x * c(x) with c constant: the derivative is c(x) + 2 = x + 2, not 2x + 2
    assert s2s.grad(f)(3.0) == pytest.approx(5.0)
    assert s2s.jvp(f)((3.0,), (1.0,))[1] == pytest.approx(5.0)
    assert "stop_gradient" in s2s.grad(f).source


def test_nondifferentiable_library_function():
    s2s.nondifferentiable(np.sin)

    def f(x):
        return np.sum(np.sin(x) * x)

    x = np.array([0.3, 1.1])
    assert_close(s2s.grad(f)(x), np.sin(x), rtol=1e-12, what="grad")
    assert_close(s2s.jvp(f)((x,), (np.ones(2),))[1], np.sum(np.sin(x)), rtol=1e-12, what="jvp")


# ---------------------------------------------------------------- None means zero; broadcasting summed back
def scaled(x, s):
    return x * s


def test_none_adjoints_and_tangents_are_zero():
    seen = []

    @s2s.adjoint(scaled)
    def _(g, ans, x, s):
        return g * s, None  # s is treated as a constant

    @s2s.tangent(scaled)
    def _(tangents, ans, x, s):
        seen.append(tuple(t is None for t in tangents))
        dx, ds = tangents
        return dx * s if ds is None else dx * s + x * ds

    def f(x, s):
        return np.sum(scaled(x, s) ** 2)

    x, s = np.array([1.0, -2.0]), 1.5
    gx, gs = s2s.grad(f, wrt=(0, 1))(x, s)
    assert_close(gx, numeric_grad(f, (x, s), 0), what="d/dx")
    assert gs == 0.0 and isinstance(gs, float)
    _, t = s2s.jvp(f)((x, s), (np.array([1.0, 1.0]),))
    assert_close(t, directional(f, (x, s), 0, np.ones(2)), what="jvp d/dx")
    assert seen == [(False, True)]  # s has no tangent: the rule got None for it
    _, t = s2s.jvp(f, wrt=(0, 1))((x, s), (np.zeros(2), 1.0))
    assert_close(t, numeric_grad(f, (x, s), 1), what="jvp d/ds")


def shift(x, b):
    return x + b


def test_rule_adjoints_are_summed_back_to_argument_shapes():
    @s2s.adjoint(shift)
    def _(g, ans, x, b):
        return g, g  # b's adjoint has the result's (broadcast) shape

    @s2s.tangent(shift)
    def _(tangents, ans, x, b):
        return sum(t for t in tangents if t is not None)

    def f(x, b):
        return np.sum(np.sin(shift(x, b)))

    rng = np.random.default_rng(3)
    x, b = rng.normal(size=(3, 4)), rng.normal(size=4)
    gx, gb = s2s.grad(f, wrt=(0, 1))(x, b)
    assert gb.shape == (4,) and gx.shape == (3, 4)
    assert_close(gb, numeric_grad(f, (x, b), 1), what="d/db")
    assert_close(gx, numeric_grad(f, (x, b), 0), what="d/dx")
    s = 2.5
    assert_close(s2s.grad(f, wrt=1)(x, s), numeric_grad(f, (x, s), 1), what="d/db for a scalar b")
    v = rng.normal(size=4)
    _, t = s2s.jvp(f, wrt=1)((x, b), (v,))
    assert_close(t, directional(f, (x, b), 1, v), what="jvp d/db")


# ---------------------------------------------------------------- check_grad
def cube(x):
    return x ** 3


def cube_model(x):
    return np.sum(cube(x) + x)


def test_check_grad_passes_on_a_correct_function():
    def f(x, y):
        return np.sum(np.tanh(x) * y ** 2)

    x, y = np.array([0.1, 0.5, -0.3]), np.array([1.0, 2.0, -1.5])
    assert s2s.check_grad(f, x, y) is None
    assert s2s.check_grad(f, x, y, wrt=(0, 1)) is None


def test_check_grad_passes_with_a_correct_custom_rule():
    s2s.adjoint(cube)(lambda g, ans, x: (3.0 * g * x ** 2,))
    s2s.tangent(cube)(lambda tangents, ans, x: 3.0 * x ** 2 * tangents[0])
    assert s2s.check_grad(cube_model, np.array([0.5, -1.0, 2.0])) is None


def test_check_grad_reports_a_wrong_custom_rule():
    s2s.adjoint(cube)(lambda g, ans, x: (2.0 * g * x ** 2,))  # wrong: 3 x^2 is right
    s2s.tangent(cube)(lambda tangents, ans, x: 3.0 * x ** 2 * tangents[0])  # right
    x = np.array([0.5, 0.0, 2.0])
    with pytest.raises(AssertionError) as info:
        s2s.check_grad(cube_model, x)
    report = str(info.value)
    assert "reverse mode" in report and "forward mode" not in report, report
    assert "2 of 3 element(s) differ" in report, report  # x = 0 has the same (zero) slope either way
    assert "analytic" in report and "numeric" in report
    # one line per wrong element: its index, the rule's value and the finite difference
    assert "(0,)" in report and "(2,)" in report and "(1,)" not in report, report
    assert "9" in report and "13" in report  # at x = 2: 2 * 4 + 1 = 9 from the rule, 3 * 4 + 1 = 13 really


def quad_square(x):
    return x ** 2


def params_model(p, x):
    return np.sum(quad_square(p["w"]) * x) + p["b"][0] * np.sin(p["b"][1])


def test_check_grad_of_a_dict_of_parameters_leaf_by_leaf():
    """A dict (with a tuple inside) of parameters is checked leaf by leaf, each named by its path; a wrong rule
    shows under the leaf it belongs to (at w = 1.5, x = 2: the rule's 2 * 1.5 * 2 + ... against the true 4 * 1.5 * 2)."""
    p = {"w": np.array([0.5, 1.5]), "b": (0.7, 0.3)}
    x = np.array([1.0, 2.0])
    assert s2s.check_grad(params_model, p, x) is None
    s2s.adjoint(quad_square)(lambda g, ans, x: (g * x,))  # wrong: 2 x is right
    s2s.tangent(quad_square)(lambda tangents, ans, x: 2.0 * x * tangents[0])
    try:
        with pytest.raises(AssertionError) as info:
            s2s.check_grad(params_model, p, x)
        report = str(info.value)
        assert "reverse mode, d/dp['w']: 2 of 2 element(s) differ" in report, report
        assert "d/dp['b']" not in report and "forward mode" not in report, report
    finally:
        s2s.adjoint(quad_square)(lambda g, ans, x: (2.0 * g * x,))


CUBE_MODULE = '''
import numpy as np
import s2s


def cube(x):
    return x ** 3


@s2s.adjoint(cube)
def _(g, ans, x):
    return (3.0 * x ** 2 * g,)


def f(z, w):
    return np.sum(cube(z) * w)
'''


def test_a_custom_rule_of_a_module_python_cannot_import_by_name(tmp_path):
    """Generated code imports the module of each custom rule it calls (so that a new process loading it from
    the disk cache registers the rule); a module loaded with spec_from_file_location, not in sys.modules, made
    that import fail inside s2s with ModuleNotFoundError. Its rules are registered in this process: the
    derivative works, against the analytic one."""
    import importlib.util
    path = tmp_path / "cube_rule_module.py"
    path.write_text(CUBE_MODULE)
    spec = importlib.util.spec_from_file_location("cube_rule_module_not_in_sys_modules", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    z, w = np.array([0.5, -1.0]), np.array([2.0, 3.0])
    np.testing.assert_allclose(s2s.grad(module.f)(z, w), 3.0 * z ** 2 * w)
    np.testing.assert_allclose(s2s.vjp(module.f)(z, w)[1](2.0), 6.0 * z ** 2 * w)
