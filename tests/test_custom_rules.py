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
        assert "custom.test_custom_rules_softplus(" in text, text
    assert "custom.test_custom_rules_softplus_adjoint(" in g.source
    assert "custom.test_custom_rules_softplus_tangent(" in jf.source
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


# ---------------------------------------------------------------- how a rule takes the call's arguments
def mul(x, y):
    return x * y


def mul_adjoint(g, ans, x, y):
    return g * y, g * x


def mul_tangent(tangents, ans, x, y):
    dx, dy = tangents  # (a 1-tuple here failed: mul(a, y=b) handed the rule one tangent)
    return (0.0 if dx is None else dx * y) + (0.0 if dy is None else x * dy)


def mul_rules():
    s2s.adjoint(mul)(mul_adjoint)
    s2s.tangent(mul)(mul_tangent)


def mul_by_keyword(a, b):
    return np.sum(mul(a, y=b) ** 2)


def mul_all_by_keyword(a, b):
    return np.sum(mul(y=b, x=a) * a)


@pytest.mark.parametrize("f", [mul_by_keyword, mul_all_by_keyword])
def test_an_argument_passed_by_keyword_takes_its_place(f):
    """mul(a, y=b), mul having rules, gave b a zero adjoint (bb = rt.zeros_like(b)) and the tangent rule a
    1-tuple: the keyword argument goes to its parameter's place, in both modes."""
    mul_rules()
    a, b = np.array([0.5, -1.5, 2.0]), np.array([1.25, 0.75, -0.5])
    ga, gb = s2s.grad(f, wrt=(0, 1))(a, b)
    assert_close(ga, numeric_grad(f, (a, b), 0), what="d/da")
    assert_close(gb, numeric_grad(f, (a, b), 1), what="d/db")
    assert "custom.test_custom_rules_mul(a, b)" in s2s.grad(f, wrt=1).source
    va, vb = np.array([1.0, -0.5, 0.25]), np.array([0.5, 2.0, -1.0])
    _, t = s2s.jvp(f, wrt=(0, 1))((a, b), (va, vb))
    assert_close(t, directional(f, (a, b), 0, va) + directional(f, (a, b), 1, vb), what="jvp")


def affine(x, w=2.0, b=0.0):
    return w * x + b


def affine_of(x, c):
    return np.sum(affine(x, b=c) ** 2)


def test_a_keyword_argument_after_a_default_is_placed_with_the_default():
    """affine(x, b=c): the rule takes (x, 2.0, c), w at its default, and c has its adjoint and tangent."""
    s2s.adjoint(affine)(lambda g, ans, x, w=2.0, b=0.0: (g * w, g * x, g))
    s2s.tangent(affine)(lambda tangents, ans, x, w=2.0, b=0.0: sum(t * m for t, m in zip(tangents, (w, x, 1.0))
                                                          if t is not None))
    x, c = np.array([0.3, -0.7]), 0.4
    g = s2s.grad(affine_of, wrt=(0, 1))
    assert "custom.test_custom_rules_affine(x, 2.0, c)" in g.source, g.source
    gx, gc = g(x, c)
    assert_close(gx, numeric_grad(affine_of, (x, c), 0), what="d/dx")
    assert_close(gc, numeric_grad(affine_of, (x, c), 1), what="d/dc")
    _, t = s2s.jvp(affine_of, wrt=1)((x, c), (1.0,))
    assert_close(t, numeric_grad(affine_of, (x, c), 1), what="jvp d/dc")


def mul_spread(p):
    return mul(*p) * p[0]


def mul_mapping(d):
    return mul(**d) + d["x"]


def mul_rest(x, p):
    return mul(x, *p)


def test_starred_arguments_of_a_function_with_rules():
    """mul(*p), mul(**d), mul(x, *p) crashed ('Spread' object has no attribute 'value'): the values fill the
    places as Python fills them, counted when the code runs."""
    mul_rules()
    a, b = 1.5, -2.0
    # mul(*p) * p[0] = a^2 b: (2 a b, a^2)
    assert_close(s2s.grad(mul_spread)((a, b)), (2 * a * b, a * a), rtol=1e-12, what="grad mul(*p)")
    assert_close(s2s.jvp(mul_spread)(((a, b),), ((1.0, 0.5),))[1], 2 * a * b + 0.5 * a * a, rtol=1e-12,
                 what="jvp mul(*p)")
    assert_close(s2s.vjp(mul_spread)((a, b))[1](2.0), (4 * a * b, 2 * a * a), rtol=1e-12, what="vjp mul(*p)")
    g = s2s.grad(mul_mapping)({"x": a, "y": b})  # x y + x: (y + 1, x)
    assert g.keys() == {"x", "y"} and g["x"] == pytest.approx(b + 1.0) and g["y"] == pytest.approx(a)
    assert s2s.jvp(mul_mapping)(({"x": a, "y": b},), ({"x": 0.0, "y": 1.0},))[1] == pytest.approx(a)
    gx, gp = s2s.grad(mul_rest, wrt=(0, 1))(a, (b,))
    assert gx == pytest.approx(b) and gp[0] == pytest.approx(a)
    with pytest.raises(TypeError, match="mul"):  # p of the wrong length: Python's error, when the code runs
        s2s.grad(mul_spread)((a, b, 1.0))


def floor_of(x, y):
    return np.floor(x * y)


def floor_spread(p):
    return floor_of(*p) + p[0] * p[1]


def test_starred_arguments_of_a_nondifferentiable_function():
    s2s.nondifferentiable(floor_of)
    a, b = 1.5, -2.5
    assert_close(s2s.grad(floor_spread)((a, b)), (b, a), rtol=1e-12, what="grad")
    assert s2s.jvp(floor_spread)(((a, b),), ((1.0, 0.0),))[1] == pytest.approx(b)


def total(*xs):
    return sum(xs)


def total_spread(p):
    return total(*p)


def total_built(a, b):
    xs = (a, b)
    return total(*xs) * a


def test_starred_arguments_into_the_star_parameter_of_a_function_with_rules():
    """total(*p) of `def total(*xs)`: the rule takes one adjoint per argument, whose number is known only when the
    code runs: refused at the line; a tuple the function builds is spread as it is written."""
    s2s.adjoint(total)(lambda g, ans, *xs: tuple(g for _ in xs))
    with pytest.raises(s2s.S2SError, match=r"\*p, whose number of values is known only at run time") as info:
        s2s.grad(total_spread)((1.0, 2.0))
    assert "return total(*p)" in str(info.value)
    a, b = 0.5, 3.0  # (a + b) a: (2 a + b, a)
    assert_close(s2s.grad(total_built, wrt=(0, 1))(a, b), (2 * a + b, a), rtol=1e-12, what="grad")


def kw_scaled(x, *, s):
    return x * s


def kw_scaled_of(x, s):
    return kw_scaled(x, s=s)


def test_a_keyword_only_argument_with_a_derivative_is_refused():
    """s of `def kw_scaled(x, *, s)` stays a keyword: the rule has no adjoint (or tangent) for it, so a derivative
    through it is an error at the line, never a zero; without one the rule is used as it is."""
    s2s.adjoint(kw_scaled)(lambda g, ans, x, *, s: (g * s,))
    s2s.tangent(kw_scaled)(lambda tangents, ans, x, *, s: tangents[0] * s)
    for transform in (lambda: s2s.grad(kw_scaled_of, wrt=1)(2.0, 3.0),
                      lambda: s2s.jvp(kw_scaled_of, wrt=1)((2.0, 3.0), (1.0,))):
        with pytest.raises(s2s.NonDifferentiableError, match="keyword argument 's' carries a derivative") as info:
            transform()
        assert "return kw_scaled(x, s=s)" in str(info.value)
        assert "Make 's' a positional parameter of kw_scaled" in str(info.value)
    assert s2s.grad(kw_scaled_of)(2.0, 3.0) == pytest.approx(3.0)
    assert s2s.jvp(kw_scaled_of)((2.0, 3.0), (1.0,))[1] == pytest.approx(3.0)


# ---------------------------------------------------------------- a function with rules is not descended into
def ste_round(x):
    return np.round(x)


def test_the_rule_of_the_function_transformed_itself_is_used():
    """s2s.grad(ste_round), ste_round having rules (a straight-through estimator), descended into np.round and
    gave 0.0: the function transformed is no more descended into than one it calls (JAX's custom_vjp)."""
    s2s.adjoint(ste_round)(lambda g, ans, x: (g,))
    s2s.tangent(ste_round)(lambda tangents, ans, x: tangents[0])
    g = s2s.grad(ste_round)
    assert g(0.3) == 1.0 and "np.round" not in g.source and "custom.test_custom_rules_ste_round_adjoint(" in g.source
    assert s2s.jvp(ste_round)((0.3,), (2.0,)) == (0.0, 2.0)
    x = np.array([0.2, 0.7])
    assert_close(s2s.jacobian(ste_round)(x), np.eye(2), rtol=0, what="jacobian")
    s2s.nondifferentiable(ste_round)
    assert s2s.grad(ste_round)(0.3) == 0.0


def test_check_grad_checks_the_rule_of_the_function_itself():
    """check_grad(cube) compares cube's own rule with finite differences (it compared cube's body before)."""
    s2s.adjoint(cube)(lambda g, ans, x: (3.0 * g * x ** 2,))
    s2s.tangent(cube)(lambda tangents, ans, x: 3.0 * x ** 2 * tangents[0])
    assert s2s.check_grad(cube, 1.5) is None
    s2s.adjoint(cube)(lambda g, ans, x: (2.0 * g * x ** 2,))  # wrong
    with pytest.raises(AssertionError, match="reverse mode"):
        s2s.check_grad(cube, 1.5)


class Quantizer:
    def __init__(self, s):
        self.s = s

    def quant(self, x):
        return np.round(x * self.s) / self.s


QUANTIZER = Quantizer(4.0)


def quant_of_module_object(x):
    return QUANTIZER.quant(x) * 2.0


def quant_of_local_object(x):
    q = Quantizer(4.0)
    return q.quant(x) * 2.0


def test_the_rule_of_a_method():
    """A rule on Quantizer.quant was ignored for QUANTIZER.quant(x) (descended into: 0.0) and the call on an
    object made in the function was refused: both call the rule, the object first."""
    s2s.adjoint(Quantizer.quant)(lambda g, ans, self, x: (None, g))
    s2s.tangent(Quantizer.quant)(lambda tangents, ans, self, x: tangents[1])
    for f in (quant_of_module_object, quant_of_local_object):
        g = s2s.grad(f)
        assert g(0.3) == 2.0 and "np.round" not in g.source, g.source
        assert s2s.jvp(f)((0.3,), (1.0,))[1] == 2.0
    assert s2s.grad(QUANTIZER.quant)(0.3) == 1.0


class Rounder:
    def __init__(self, s):
        self.s = s

    def quant(self, x):
        return np.round(x * self.s) / self.s + x ** 2


def rounded_by_local_object(x):
    q = Rounder(4.0)
    return q.quant(x) * 2.0


def rounded_through_the_class(x):
    q = Rounder(4.0)
    return Rounder.quant(q, x) * 2.0


def test_a_method_of_an_object_of_a_plain_class_made_in_the_function_is_descended_into():
    """Without a rule, q.quant(x) on an object made in the function was refused (a method of an object s2s does not
    see into); it is Rounder.quant(q, x), descended into as that call is (np.round's derivative is 0)."""
    for f in (rounded_by_local_object, rounded_through_the_class):
        assert s2s.grad(f)(0.3) == 4.0 * 0.3
        assert s2s.jvp(f)((0.3,), (1.0,))[1] == 4.0 * 0.3


# ---------------------------------------------------------------- a rule returning too many adjoints
def three(x, y):
    return x * y


def three_of(x, y):
    return three(x, y)


def test_a_rule_returning_more_adjoints_than_arguments_is_an_error():
    @s2s.adjoint(three)
    def three_adjoint(g, ans, x, y):
        return g * y, g * x, 0.0  # one too many

    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(three_of, wrt=(0, 1))(2.0, 3.0)
    message = str(info.value)
    assert "three_adjoint of three returns 3 adjoints, but three takes 2 positional argument(s)" in message
    assert "return g * y, g * x, 0.0" in message and "return three(x, y)" in message, message


def affine_at_defaults(x):
    return affine(x) * x


def test_a_rule_may_return_the_adjoints_of_parameters_left_at_their_defaults():
    """affine(x) passes one argument; its rule returns three adjoints, for x, w and b: accepted (w and b are
    affine's parameters), x's taken."""
    s2s.adjoint(affine)(lambda g, ans, x, w=2.0, b=0.0: (g * w, g * x, g))
    assert s2s.grad(affine_at_defaults)(1.5) == pytest.approx(4.0 * 1.5)


def quant_of_module_object_by_keyword(x):
    return QUANTIZER.quant(x=x) * 2.0


def test_the_rule_of_a_method_is_used_by_position_or_keyword():
    """A rule registered on Quantizer.quant (its rule takes the object first) is used where the module object's
    method is called, by position or keyword, and where it is transformed itself. (A rule for the bound method
    QUANTIZER.quant alone is refused: tests/test_hunt5_rules.py.)"""
    s2s.adjoint(Quantizer.quant)(lambda g, ans, self, x: (None, 3.0 * g))
    s2s.tangent(Quantizer.quant)(lambda tangents, ans, self, x: 3.0 * tangents[1])
    for f in (quant_of_module_object, quant_of_module_object_by_keyword):
        assert s2s.grad(f)(0.3) == 6.0
        assert s2s.jvp(f)((0.3,), (1.0,))[1] == 6.0
    assert s2s.grad(QUANTIZER.quant)(0.3) == 3.0
    assert s2s.jvp(QUANTIZER.quant)((0.3,), (2.0,)) == (0.25, 6.0)


LIN_W = np.array([1.0, 2.0, -3.0])


def lin(x, w=LIN_W, b=0.5):
    return np.sum(w * x) + b


def lin_of(x, c):
    return lin(x, b=c) ** 2


def test_an_array_default_skipped_by_a_keyword_is_read_by_its_module_name():
    """lin(x, b=c) with w=LIN_W skipped: the rule takes (x, LIN_W, c), LIN_W imported from its module by the
    generated code (was w_default, a name its text did not define)."""
    s2s.adjoint(lin)(lambda g, ans, x, w=LIN_W, b=0.5: (g * w, g * x, g))
    x, c = np.array([0.1, 0.2, -0.3]), 0.7
    g = s2s.grad(lin_of, wrt=(0, 1))
    assert "custom.test_custom_rules_lin(x, LIN_W, c)" in g.source and "import LIN_W" in g.source, g.source
    gx, gc = g(x, c)
    assert_close(gx, numeric_grad(lin_of, (x, c), 0), what="d/dx")
    assert_close(gc, numeric_grad(lin_of, (x, c), 1), what="d/dc")


def outer_of(x, w):
    return np.sum(np.outer(x, b=w) ** 2)


def test_a_keyword_argument_of_a_library_function_with_a_rule_of_yours():
    """np.outer with the user's rules, w passed as b=w (a silent zero once): np.outer's Python signature puts b=w
    in its place (registry.positional), so w's derivative is the rule's in both modes, as x's is."""
    s2s.adjoint(np.outer)(lambda g, ans, a, b: (g @ b, g.T @ a))
    s2s.tangent(np.outer)(lambda tangents, ans, a, b: sum(
        np.outer(*parts) for t, parts in zip(tangents, ((tangents[0], b), (a, tangents[-1]))) if t is not None))
    x, w = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.25])
    assert_close(s2s.grad(outer_of)(x, w), numeric_grad(outer_of, (x, w), 0), what="d/dx")
    v = np.array([1.0, 2.0, -1.0])
    assert_close(s2s.jvp(outer_of)((x, w), (v,))[1], directional(outer_of, (x, w), 0, v), what="jvp d/dx")
    assert_close(s2s.grad(outer_of, wrt=1)(x, w), numeric_grad(outer_of, (x, w), 1), what="d/dw")
    assert_close(s2s.jvp(outer_of, wrt=1)((x, w), (np.ones(2),))[1], directional(outer_of, (x, w), 1, np.ones(2)),
                 what="jvp d/dw")


def clipped(x, lo):
    return np.sum(np.clip(x, a_min=lo, a_max=1.0) ** 2)


def test_a_rule_of_yours_for_a_library_function_whose_record_places_its_keywords():
    """np.clip(x, a_min=lo): its record places a_min and a_max (registry.positional), so the user's rule takes
    (x, lo, 1.0) and gives lo its adjoint and tangent."""
    s2s.adjoint(np.clip)(lambda g, ans, a, a_min=None, a_max=None: (
        g * ((a > a_min) & (a < a_max)), np.sum(g * (a <= a_min)), None))
    s2s.tangent(np.clip)(lambda tangents, ans, a, a_min=None, a_max=None: sum(
        t * m for t, m in zip(tangents, ((a > a_min) & (a < a_max), a <= a_min)) if t is not None))
    x, lo = np.array([-1.0, 0.2, 0.6, 2.0]), -0.5
    gx, glo = s2s.grad(clipped, wrt=(0, 1))(x, lo)
    assert_close(gx, numeric_grad(clipped, (x, lo), 0), what="d/dx")
    assert_close(glo, numeric_grad(clipped, (x, lo), 1), what="d/dlo")
    assert_close(s2s.jvp(clipped, wrt=1)((x, lo), (1.0,))[1], numeric_grad(clipped, (x, lo), 1), what="jvp d/dlo")
