"""Bugs hunt5rules found in the custom-rule API (`s2s.adjoint`, `s2s.tangent`, `s2s.nondifferentiable`): each
checked against an analytic value or finite differences, or refused with a clear error.
"""
import dataclasses
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad
from s2s.api import cache
from s2s.rules import custom, registry


@pytest.fixture(autouse=True)
def clean_registry():
    registry._load()
    tables = (registry.REVERSE, registry.TANGENT, registry.NONDIFF, registry._OBJECTS, registry.PRIMITIVES,
              custom.LIBRARY_CHANGED)
    saved = [table.copy() for table in tables]
    yield
    for table, old in zip(tables, saved):
        table.clear()
        table.update(old)
    cache.clear()


# ------------------------------------------------- 1. the names generated code calls rules by: not import order
MA = """
import s2s
def f(x):
    return x * x
@s2s.adjoint(f)
def _(g, ans, x):
    return (2.0 * g * x,)
def loss(x):
    return f(x) * 3.0
"""
MB = """
import s2s
def f(x):
    return x * x * x
@s2s.adjoint(f)
def _(g, ans, x):
    return (3.0 * g * x * x,)
"""
SAVE = """
import sys
import {first}, {second}, s2s
open(sys.argv[1], "w").write(s2s.grad(ma.loss).source)
"""
RUN = """
import {imports}
import gen_loss
print(gen_loss.grad_loss(2.0))
"""


def _python(code: str, directory, *args) -> str:
    env = {k: v for k, v in os.environ.items() if k != "S2S_CACHE_DIR"}
    env["PYTHONPATH"] = os.pathsep.join([str(directory), env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code), *map(str, args)], cwd=directory, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_rule_names_are_the_same_whatever_the_import_order(tmp_path):
    """ma.f and mb.f both have rules: the saved gradient of ma.loss (3 f(x), f = x^2: 6x = 12 at 2) calls ma's,
    in a process importing ma and mb in either order, or gen_loss alone (was custom.f_2: mb's rule, 36, or an
    AttributeError), and its text is byte-identical whichever module was imported first."""
    (tmp_path / "ma.py").write_text(MA)
    (tmp_path / "mb.py").write_text(MB)
    _python(SAVE.format(first="mb", second="ma"), tmp_path, tmp_path / "gen_loss.py")
    _python(SAVE.format(first="ma", second="mb"), tmp_path, tmp_path / "other.py")
    assert (tmp_path / "gen_loss.py").read_text() == (tmp_path / "other.py").read_text()
    for imports in ("ma, mb", "mb, ma", "sys"):
        assert float(_python(RUN.format(imports=imports), tmp_path)) == 12.0


# -------------------------------------------------------------------- 2. the shapes a rule returns are checked
def col(x):  # (3, 1) -> (3,)
    return 2.0 * x[:, 0]


def row(v):
    return 2.0 * v


W3 = np.array([1.0, 2.0, 3.0])


def col_loss(x):
    return np.sum(col(x) * W3)


def row_loss(v):
    return np.sum(row(v) * W3)


def test_an_adjoint_of_another_shape_is_refused_naming_the_rule_and_shapes():
    """A (3,) adjoint for a (3, 1) argument, a (3, 1) one for a (3,) argument, a transposed one: an S2SError
    naming the rule, the argument and both shapes (was [12, 12, 12] for [2, 4, 6], or a NumPy error)."""
    @s2s.adjoint(col)
    def col_adjoint(g, ans, x):
        return (2.0 * g,)  # forgot g[:, None]

    with pytest.raises(s2s.S2SError, match=r"col_adjoint of col returned an adjoint of shape \(3,\) for argument "
                                           r"1 \(x\) of shape \(3, 1\)"):
        s2s.grad(col_loss)(np.ones((3, 1)))

    @s2s.adjoint(row)
    def row_adjoint(g, ans, v):
        return (2.0 * g[:, None],)

    with pytest.raises(s2s.S2SError, match=r"shape \(3, 1\) for argument 1 \(v\) of shape \(3,\)"):
        s2s.grad(row_loss)(np.ones(3))

    def mat(a):
        return 2.0 * a

    @s2s.adjoint(mat)
    def mat_adjoint(g, ans, a):
        return (2.0 * g.T,)

    with pytest.raises(s2s.S2SError, match=r"mat_adjoint of mat .* shape \(3, 2\) for argument 1 \(a\) of shape "
                                           r"\(2, 3\)"):
        s2s.grad(lambda a: np.sum(mat(a) * np.arange(6.0).reshape(2, 3)))(np.ones((2, 3)))


def test_an_adjoint_that_broadcasts_up_or_down_to_the_argument_is_taken():
    """A (1,) adjoint, or a number, for a (3,) argument stands for the array it broadcasts to; a (2, 3) one is
    summed back: checked against finite differences."""
    def scaled(v, s):
        return s * v

    @s2s.adjoint(scaled)
    def _(g, ans, v, s):
        return (g * s, g * v)  # g * v has v's shape (3,) for the number s: summed back

    def loss(v, s):
        return np.sum(scaled(v, s) * W3)

    v, s = np.array([0.5, -1.0, 2.0]), 1.5
    gv, gs = s2s.grad(loss, wrt=(0, 1))(v, s)
    assert_close(gv, numeric_grad(loss, (v, s), 0), what="d/dv")
    assert_close(gs, numeric_grad(loss, (v, s), 1), what="d/ds")

    def shift(v):
        return v + 1.0

    @s2s.adjoint(shift)
    def _(g, ans, v):
        return (np.ones(1) * 2.0,)  # a (1,) adjoint: 2 for each element (not the true derivative: a marker)

    assert_close(s2s.grad(lambda v: np.sum(shift(v)))(v), np.full(3, 2.0))

    @s2s.adjoint(shift)
    def _(g, ans, v):
        return (np.stack([g, g]),)  # (2, 3) for (3,): summed back, 2 each

    assert_close(s2s.grad(lambda v: np.sum(shift(v)))(v), np.full(3, 2.0))


def test_a_tangent_of_another_shape_is_refused_and_a_smaller_one_widened():
    """A (3, 1) tangent for a (3,) result: an S2SError naming the rule and both shapes (was jvp 12 for 2); a
    number for an array result broadcasts up to it."""
    @s2s.tangent(col)
    def col_tangent(tangents, ans, x):
        return 2.0 * tangents[0]  # forgot [:, 0]

    x = np.ones((3, 1))
    with pytest.raises(s2s.S2SError, match=r"col_tangent of col returned a tangent of shape \(3, 1\) for the result "
                                           r"of shape \(3,\)"):
        s2s.jvp(col_loss)((x,), (np.array([[1.0], [0.0], [0.0]]),))

    def total(v):
        return v * 0.0 + np.sum(v)  # every element is the sum

    @s2s.tangent(total)
    def _(tangents, ans, v):
        return np.sum(tangents[0])  # a number: every element's tangent

    def loss(v):
        return np.sum(total(v) * W3)

    v = np.array([0.5, -1.0, 2.0])
    assert_close(s2s.jacobian(loss, mode="forward")(v), numeric_grad(loss, (v,), 0))


# ------------------------------------------------------------------ 3. lists and integers returned by a rule
def dot2(x):
    return 2.0 * x[0] + 3.0 * x[1]


def pair(x):
    return np.array([x[0] * x[1], x[0] + x[1]])


def test_a_list_adjoint_of_an_array_is_an_array():
    """[2g, 3g] for an array: read as a float array (was kept a list: grad [2, 3, 2, 3] for [4, 6])."""
    @s2s.adjoint(dot2)
    def _(g, ans, x):
        return ([2.0 * g, 3.0 * g],)

    def f(x):
        return dot2(x) + dot2(x)

    x = np.array([1.0, 1.0])
    g = s2s.grad(f)(x)
    assert isinstance(g, np.ndarray)
    assert_close(g, numeric_grad(f, (x,), 0))


def test_a_list_tangent_of_an_array_result_is_an_array():
    @s2s.tangent(pair)
    def _(t, ans, x):
        dx = t[0]
        return [dx[0] * x[1] + x[0] * dx[1], dx[0] + dx[1]]

    def f(x):
        return pair(x) + pair(x)

    x = np.array([2.0, 3.0])
    assert_close(s2s.jvp(f)((x,), (np.array([1.0, 0.0]),))[1], np.array([6.0, 2.0]))
    assert_close(s2s.jacobian(f, mode="forward")(x), np.array([[6.0, 4.0], [2.0, 2.0]]))


def test_integer_adjoints_of_floats_are_floats():
    """(3, 2) returned for float arguments: the gradient is floats, as API.md says (was ints)."""
    def lin(x, y):
        return 3 * x + 2 * y

    @s2s.adjoint(lin)
    def _(g, ans, x, y):
        return (3, 2)

    r = s2s.grad(lambda x, y: lin(x, y), wrt=(0, 1))(1.0, 2.0)
    assert r == (3.0, 2.0) and all(type(v) is float for v in r)

    @s2s.adjoint(lin)
    def _(g, ans, x, y):
        return (3 * np.ones(np.shape(x), dtype=int), None)

    r = s2s.grad(lambda x: np.sum(lin(x, 1.0)))(np.array([1.0, 2.0]))
    assert r.dtype == np.float64 and list(r) == [3.0, 3.0]


# ------------------------------------------------------------------ 4. a dataclass adjoint of a dataclass
@dataclasses.dataclass
class P:
    w: float
    b: float


def lin_p(p, x):
    return p.w * x + p.b


def test_the_adjoint_of_a_dataclass_may_be_the_dataclass():
    """P(w=g x, b=g) for a P argument: its fields are the adjoints (was P(w=P(..), b=P(..)))."""
    @s2s.adjoint(lin_p)
    def _(g, ans, p, x):
        return (P(w=g * x, b=g), g * p.w)

    def loss(p, x):
        return lin_p(p, x) ** 2

    p, x = P(2.0, 0.5), 3.0
    gp = s2s.grad(loss)(p, x)
    value = 2.0 * 3.0 + 0.5
    assert gp == P(w=2 * value * x, b=2 * value)  # d/dw (w x + b)^2 = 2 (w x + b) x, d/db = 2 (w x + b)


# ------------------------------------------------------------------------ 5. a rule changing what it is passed
def dbl(x):
    return 2.0 * x


def dbl_loss(x):
    return np.sum(dbl(x) + x)


def test_a_rule_writing_into_g_in_place_is_refused_at_its_line():
    """g *= 2.0 in the rule changed the adjoint x's other term reads (grad [4, 4] for [3, 3])."""
    @s2s.adjoint(dbl)
    def _(g, ans, x):
        g *= 2.0
        return (g,)

    with pytest.raises(s2s.S2SError, match=r"writes in place(.|\n)*g \*= 2\.0"):
        s2s.grad(dbl_loss)(np.array([1.0, 2.0]))


def test_a_rule_writing_into_its_tangent_or_ans_is_refused():
    @s2s.tangent(dbl)
    def _(tangents, ans, x):
        d = tangents[0]
        d *= 2.0
        return d

    dx = np.array([1.0, 1.0])
    with pytest.raises(s2s.S2SError, match="writes in place"):
        s2s.jvp(dbl)((np.array([1.0, 2.0]),), (dx,))
    assert list(dx) == [1.0, 1.0]

    def myexp(x):
        return np.exp(x)

    @s2s.adjoint(myexp)
    def _(g, ans, x):
        ans *= g
        return (ans,)

    with pytest.raises(s2s.S2SError, match="writes in place"):
        s2s.value_and_grad(lambda x: np.sum(myexp(x)) + np.sum(myexp(x) * x))(np.array([0.0, 1.0]))


def test_a_rule_returning_g_itself_leaves_the_cotangent_unchanged():
    """return (2.0 * g,) and return (g,): the pullback's cotangent is the caller's, unchanged, and the gradient
    is right."""
    @s2s.adjoint(dbl)
    def _(g, ans, x):
        return (g,)  # (a wrong rule, 1 for 2: the marker of what it returns)

    x, ct = np.array([1.0, 2.0]), np.array([1.0, 1.0])
    _, pullback = s2s.vjp(dbl)(x)
    g = pullback(ct)
    assert list(g) == [1.0, 1.0] and list(ct) == [1.0, 1.0]
    g[0] = 5.0  # the gradient is the caller's to change
    assert list(ct) == [1.0, 1.0]


# ----------------------------------------------------------------------------- 10. a tangent rule returning None
def floor_of(x):
    return np.floor(x)


def test_a_tangent_rule_returning_none_is_a_zero_tangent():
    """None from a tangent rule means zero (was TypeError: NoneType * float, or None returned as the tangent)."""
    @s2s.tangent(floor_of)
    def _(tangents, ans, x):
        return None

    def f(x):
        return np.sum(floor_of(x) * x)

    x = np.array([1.5, 2.5])
    value, tangent = s2s.jvp(f)((x,), (np.ones(2),))
    assert value == pytest.approx(1.5 + 5.0) and tangent == pytest.approx(1.0 + 2.0)  # d(floor(x) x) = floor(x) dx
    assert list(s2s.jvp(floor_of)((x,), (np.ones(2),))[1]) == [0.0, 0.0]


# ------------------------------------------------------------------------------- 6. rules on bound methods
class Model:
    def __init__(self, w):
        self.w = w

    def act(self, x):
        return self.w * x * x

    def loss(self, x):
        return self.act(x) * 1.0 + x


def test_a_rule_for_a_bound_method_is_refused_naming_the_class_function():
    """@s2s.adjoint(m1.act) was ignored by grad(m1.loss) (12 for 1000) and broke m2.act (AttributeError act_self);
    nondifferentiable(m1.act) held in jvp only: refused, saying to register Model.act."""
    m1 = Model(2.0)
    for register in (lambda: s2s.adjoint(m1.act), lambda: s2s.tangent(m1.act),
                     lambda: s2s.nondifferentiable(m1.act)):
        with pytest.raises(s2s.S2SError, match=r"(?s)method act bound to one Model object.*test_hunt5_rules.py.*"
                                               r"Model\.act"):
            register()


def test_a_rule_for_the_class_function_applies_to_every_object():
    m1, m2 = Model(2.0), Model(3.0)

    @s2s.adjoint(Model.act)
    def _(g, ans, self, x):
        return (None, 2.0 * g * self.w * x)

    @s2s.tangent(Model.act)
    def _(tangents, ans, self, x):
        return 2.0 * tangents[1] * self.w * x

    for m in (m1, m2):
        assert s2s.grad(m.loss)(3.0) == pytest.approx(2.0 * m.w * 3.0 + 1.0)
        assert s2s.jvp(m.loss)((3.0,), (1.0,))[1] == pytest.approx(2.0 * m.w * 3.0 + 1.0)
    s2s.nondifferentiable(Model.act)
    for m in (m1, m2):
        assert s2s.grad(m.loss)(3.0) == 1.0 and s2s.jvp(m.loss)((3.0,), (1.0,))[1] == 1.0


# --------------------------------------------------- 7. a rule registered after a recursive function was transformed
def rp(x, n):  # x ** n, recursively
    if n == 0:
        return 1.0
    return x * rp(x, n - 1)


def rp_of(x):
    return rp(x, 3) + x


def test_a_rule_registered_after_a_recursive_function_was_transformed_is_used_at_the_top():
    """grad(rp) before the rule made s2s's own rules for rp; registered afterwards, the user's rule (10 times
    the true derivative, a marker) was ignored by grad(rp) itself (84 for 120), as in a process registering it
    first it is not."""
    assert s2s.grad(rp)(2.0, 3) == pytest.approx(12.0)
    assert s2s.jvp(rp)((2.0, 3), (1.0,))[1] == pytest.approx(12.0)

    @s2s.adjoint(rp)
    def _(g, ans, x, n):
        return (g * n * x ** (n - 1) * 10.0, None)

    @s2s.tangent(rp)
    def _(t, ans, x, n):
        return t[0] * n * x ** (n - 1) * 10.0

    assert s2s.grad(rp)(2.0, 3) == pytest.approx(120.0)
    assert s2s.jvp(rp)((2.0, 3), (1.0,))[1] == pytest.approx(120.0)
    assert s2s.grad(rp_of)(2.0) == pytest.approx(121.0)


def test_nondifferentiable_after_a_recursive_function_was_transformed_holds_at_the_top():
    assert s2s.grad(rp_of)(2.0) == pytest.approx(13.0)
    s2s.nondifferentiable(rp)
    assert s2s.grad(rp)(2.0, 3) == 0.0  # (was 4.0)
    assert s2s.jvp(rp)((2.0, 3), (1.0,))[1] == 0.0
    assert s2s.grad(rp_of)(2.0) == 1.0


# ------------------------------------------------------------------ 9. rules on pow and np.clip (x.clip) are used
def test_a_rule_on_builtin_pow_is_used():
    """pow(a, b) was read as a ** b whatever rule pow had (6 for the rule's 100)."""
    @s2s.adjoint(pow)
    def _(g, ans, a, b):
        return (g * 100.0, None)  # (a marker, not pow's derivative)

    @s2s.tangent(pow)
    def _(tangents, ans, a, b):
        return tangents[0] * 100.0

    def f(a):
        return pow(a, 2.0) + a

    assert s2s.grad(f)(3.0) == 101.0
    assert s2s.jvp(f)((3.0,), (1.0,)) == (12.0, 101.0)


def test_a_rule_on_np_clip_holds_for_the_method_clip():
    """x.clip(lo, hi) ignored np.clip's straight-through rule ([0, 1, 0] for [1, 1, 1]), where x.sum() uses
    np.sum's."""
    @s2s.adjoint(np.clip)
    def _(g, ans, x, lo=None, hi=None, out=None):
        return (g, None, None)  # (one adjoint per argument of the call; NumPy 1 counts no out= there)

    def by_method(x):
        return np.sum(x.clip(0.0, 1.0) * x)

    x = np.array([-0.5, 0.5, 2.0])
    expected = np.clip(x, 0.0, 1.0) + x  # d/dx sum(clip(x) * x) with clip's derivative taken as 1
    assert_close(s2s.grad(by_method)(x), expected)
    assert_close(s2s.grad(lambda x: np.sum(np.clip(x, 0.0, 1.0) * x))(x), expected)
    s2s.nondifferentiable(np.clip)
    assert_close(s2s.grad(by_method)(x), np.clip(x, 0.0, 1.0))


# --------------------------------------------------------------------------- 10. np.clip's signature message
@pytest.mark.skipif(np.lib.NumpyVersion(np.__version__) < "2.0.0", reason="NumPy 1's np.clip takes a_min, a_max "
                    "without defaults: no <no value> marker")
def test_the_signature_message_suggests_python():
    """np.clip's defaults are NumPy's <no value> marker: the message wrote a_min=<no value>, which is no Python."""
    with pytest.raises(TypeError) as info:
        @s2s.adjoint(np.clip)
        def clip_adjoint(g, ans, x, lo, hi):
            return (g, None, None)
    message = str(info.value)
    assert "<no value>" not in message and "def clip_adjoint(g, ans, a, a_min=None, a_max=None" in message, message


# ------------------------------------------ 8. a function with a rule returning its argument, or writing into it
def head(x):
    return x[:2]  # a view of its argument


def head_written(x):
    v = x * 1.0
    y = head(v)
    y[0] = 5.0  # NumPy: v[0] is 5.0 now
    return np.sum(v * v)


def test_writing_into_what_a_function_with_a_rule_returned_is_refused():
    """head's result is a view of v: written, s2s took it for a new array and dropped the call as dead code
    (value_and_grad (14, [2, 4, 6]) for (38, [0, 4, 6])). Refused at the write, as a view's is; writing into a
    copy is exact."""
    @s2s.adjoint(head)
    def _(g, ans, x):
        out = np.zeros_like(x)
        out[:2] = g
        return (out,)

    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"'y', which head\(\) may have returned as 'v' itself "
                                                         r"or a view of it") as info:
        s2s.value_and_grad(head_written)(x)
    assert info.value.lineno == head_written.__code__.co_firstlineno + 3

    def copied(x):
        v = x * 1.0
        y = np.copy(head(v))
        y[0] = 5.0
        return np.sum(v * v) + np.sum(y * y)

    value, g = s2s.value_and_grad(copied)(x)
    assert value == pytest.approx(copied(x))
    assert_close(g, numeric_grad(copied, (x,), 0))


def test_nondifferentiable_function_returning_its_argument_is_refused_where_written():
    s2s.nondifferentiable(head)
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"which head\(\) may have returned"):
        s2s.grad(head_written)(np.array([1.0, 2.0, 3.0]))


def scale_(v, s):
    v *= s  # in place for an array
    return v


def sort_(v):
    v.sort()
    return v


def test_a_rule_for_a_function_writing_into_its_parameter_is_refused():
    """w = scale_(v, s) changed v in place, which s2s did not see (value 14 for 56)."""
    with pytest.raises(s2s.S2SError, match=r"(?s)scale_, which writes into its parameter 'v'.*v \*= s"):
        @s2s.adjoint(scale_)
        def _(g, ans, v, s):
            return (g * s, np.sum(g * ans) / s)
    with pytest.raises(s2s.S2SError, match=r"(?s)sort_, which writes into its parameter 'v'.*v\.sort\(\)"):
        s2s.nondifferentiable(sort_)
