"""Forward mode: every tangent rule, jvp on control flow, the jvp API, the forward Jacobian.

Tangents are checked against central finite differences along the tangent
direction, (f(x + eps v) - f(x - eps v)) / (2 eps) = J v, and on control flow
also against the reverse-mode gradient: jvp(f)(x, v) = grad f(x) . v.
"""
import math
import dataclasses
import os

import numpy as np
import pytest

import s2s
from s2s.api.jacobian_forward import jacobian_forward
from s2s.rules import registry
from s2s.testing import assert_source_matches

from conftest import assert_close, skip_unless_numpy_has
from functions import STRAIGHT
from functions_control import CONTROL
from golden_forward import quickstart

EPS = 1e-6
GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")


def _plus(x, v, eps):
    if dataclasses.is_dataclass(x):
        return dataclasses.replace(x, **{f.name: _plus(getattr(x, f.name), getattr(v, f.name), eps)
                                         for f in dataclasses.fields(x)})
    if isinstance(x, (tuple, list)):
        return type(x)(_plus(a, b, eps) for a, b in zip(x, v))
    if np.ndim(x) == 0:
        return float(x) + eps * float(v)
    return np.asarray(x, dtype=float) + eps * np.asarray(v, dtype=float)


def _diff(a, b, scale):
    if isinstance(a, (tuple, list)):  # (the function's own container: np.meshgrid's is a list on NumPy 1.x)
        parts = [_diff(p, q, scale) for p, q in zip(a, b)]
        return parts if isinstance(a, list) else tuple(parts)
    return (np.asarray(a, dtype=float) - np.asarray(b, dtype=float)) * scale


def directional_fd(f, args, wrt: tuple, tangents: tuple, eps=EPS):
    """Central finite difference of f at `args` along `tangents` (one per position in `wrt`)."""
    plus, minus = list(args), list(args)
    for w, v in zip(wrt, tangents):
        plus[w] = _plus(args[w], v, eps)
        minus[w] = _plus(args[w], v, -eps)
    return _diff(f(*plus), f(*minus), 1.0 / (2 * eps))


def random_like(x, rng):
    if dataclasses.is_dataclass(x):
        return dataclasses.replace(x, **{f.name: random_like(getattr(x, f.name), rng) for f in dataclasses.fields(x)})
    if isinstance(x, (tuple, list)):
        return type(x)(random_like(a, rng) for a in x)
    if np.ndim(x) == 0:
        return float(rng.normal())
    return rng.normal(size=np.shape(x))


def assert_tree_close(a, b, what, rtol=1e-5, atol=1e-6):
    if isinstance(b, (tuple, list)):
        kind = "list" if isinstance(b, list) else "tuple"  # (a namedtuple counts as a tuple)
        assert isinstance(a, list if kind == "list" else tuple) and len(a) == len(b), \
            f"{what}: {a!r} is not a {kind} of {len(b)}"
        for i, (p, q) in enumerate(zip(a, b)):
            assert_tree_close(p, q, f"{what}[{i}]", rtol, atol)
        return
    assert_close(a, b, rtol=rtol, atol=atol, what=what)


# ---------------------------------------------------------------- the rule tables
def _builtin(table: dict) -> set:
    """The keys of s2s's own rules (rules users registered with s2s.adjoint/s2s.tangent in other tests aside,
    and those of the optional scipy family, which tests/test_scipy_rules.py checks)."""
    return {k for k in table if not k.startswith("s2s.rules.custom.") and k not in registry.optional_keys()}


def test_every_reverse_rule_has_a_tangent_rule():
    registry._load()
    missing = sorted(_builtin(registry.REVERSE) - _builtin(registry.TANGENT))
    extra = sorted(_builtin(registry.TANGENT) - _builtin(registry.REVERSE))
    assert not missing, f"keys with a reverse rule but no tangent rule: {missing}"
    assert not extra, f"keys with a tangent rule but no reverse rule: {extra}"
    assert _builtin(registry.REVERSE) == _builtin(registry.TANGENT)


def _rule_table():
    """(key, f, args, wrt) for every TANGENT key, written for this test (tests/rule_cases.py)."""
    from rule_cases import CASES as own
    return own


RULE_CASES = _rule_table()

try:  # the reverse-rule test's per-key table of programs, shared by both modes
    import test_rules as shared_rules
    SHARED_CASES = [(key, n, case) for key in shared_rules._reverse_keys()
                    for n, case in enumerate(shared_rules.CASES.get(key, []))]
except ImportError:
    shared_rules, SHARED_CASES = None, []


def test_rule_table_covers_every_tangent_rule():
    registry._load()
    covered = {case[0] for case in RULE_CASES} | {key for key, _, _ in SHARED_CASES}
    assert _builtin(registry.TANGENT) <= covered, \
        f"tangent rules without a test case: {sorted(_builtin(registry.TANGENT) - covered)}"


@pytest.mark.parametrize("case", RULE_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(RULE_CASES)])
def test_tangent_rule_matches_finite_differences(case):
    key, f, args, wrt = case[:4]
    skip_unless_numpy_has(key)
    wrt = wrt if isinstance(wrt, tuple) else (wrt,)
    rng = np.random.default_rng(1)
    tangents = tuple(random_like(args[w], rng) for w in wrt)
    value, tangent = s2s.jvp(f, wrt=wrt)(args, tangents)
    expected = f(*args)
    assert_tree_close(value, expected, f"{key}: value", rtol=1e-12, atol=0)
    numeric = directional_fd(f, args, wrt, tangents)
    assert_tree_close(tangent, numeric, f"{key}: tangent vs finite differences", rtol=1e-5, atol=1e-6)
    if not isinstance(expected, (tuple, list)):  # (a container: its leaves compared above)
        assert np.shape(tangent) == np.shape(expected), f"{key}: tangent shape {np.shape(tangent)} != value shape"


@pytest.mark.skipif(shared_rules is None, reason="tests/test_rules.py (the shared per-key table) is not there")
@pytest.mark.parametrize("key,n,case", SHARED_CASES, ids=[f"{k}-{n}" for k, n, _ in SHARED_CASES])
def test_tangent_rule_on_the_shared_table(tmp_path, key, n, case):
    """The reverse-rule table's programs, now returning the primitive's whole result: jvp = J v."""
    skip_unless_numpy_has(key)
    rng = shared_rules._rng(key, n)
    args = [make(rng) for make in case.args]
    names = list(shared_rules.PARAMS[:len(args)])
    source = (f"import math\n\nimport numpy as np\n\n\ndef f({', '.join(names)}):\n"
              f"{shared_rules._indent(case.pre)}{shared_rules._indent('return ' + case.expr)}")
    f = shared_rules._load(tmp_path, source)
    wrt = case.wrt if case.wrt is not None else tuple(i for i, a in enumerate(args) if shared_rules._is_float(a))
    if not wrt:
        pytest.skip("no float argument")
    tangents = tuple(random_like(args[w], rng) for w in wrt)
    jf = s2s.jvp(f, wrt=tuple(wrt))
    value, tangent = jf(tuple(args), tangents)
    expected = f(*args)
    numeric = directional_fd(f, args, tuple(wrt), tangents)
    if isinstance(expected, (tuple, list)):  # tuple results (slogdet, eigh, qr, svd) and split's lists
        tangent, numeric = tuple(tangent), tuple(numeric)
    assert_tree_close(tangent, numeric, f"{key}: {case.expr!r}\n{jf.source}", rtol=1e-4, atol=1e-6)


# ---------------------------------------------------------------- control flow: jvp = grad . v = finite differences
def branch_abs(x):
    if x > 0.0:
        y = x * x
    else:
        y = -x
    return y


def branch_one_side_inactive(x, c):
    if c > 0.0:
        y = math.sin(x) * c
    else:
        y = c * 2.0
    return y + x


def nested_branches(x, y):
    if x > 0.0:
        if y > x:
            z = x * y
        else:
            z = math.exp(x - y)
    else:
        z = y * y
    return z + x


def for_power(x, n):
    y = 1.0
    for i in range(n):
        y = y * x + 1.0
    return y


def for_two_carried(x, y):
    a = x
    b = y
    for i in range(4):
        a, b = b * 0.5, a * b + math.sin(a)
    return a - b


def for_break(x):
    y = x
    for i in range(50):
        y = y * 1.3 + 0.2
        if y > 8.0:
            break
    return y


def for_continue(x):
    s = 0.0
    for i in range(7):
        if i % 2 == 0:
            continue
        s = s + math.cos(x * i)
    return s


def for_break_and_continue(x, y):
    s = y
    for i in range(20):
        if i % 3 == 1:
            continue
        s = s * x + y
        if s > 30.0:
            break
    return s


def while_grow(x):
    y = x
    while y < 12.0:
        y = y * 1.4 + x
    return y


def while_counter_break(x):
    y = x
    n = 0
    while True:
        y = math.sqrt(y * y + 1.0)
        n = n + 1
        if n >= 5:
            break
    return y * x


def newton(a):
    x = a
    while abs(x * x - a) > 1e-12:
        x = 0.5 * (x + a / x)
    return x


def loop_in_branch(x):
    if x > 0.0:
        y = x
        for i in range(3):
            y = y * math.cos(y)
    else:
        y = x * 3.0
    return y


def branch_in_loop(x, y):
    s = 0.0
    for i in range(6):
        if i % 2 == 0:
            s = s + x * y * i
        else:
            s = s - math.sin(x) * i
    return s


def array_rnn(W, h0, xs):
    h = h0
    for x in xs:
        h = np.tanh(W @ h + x)
    return np.sum(h * h)


def array_while(v):
    s = v
    k = 0
    while k < 3:
        s = np.sin(s) * 1.5 + v
        k = k + 1
    return np.mean(s)


def nested_loops_break(x):
    s = 0.0
    for i in range(4):
        t = x
        for j in range(10):
            t = t * 1.2 + 0.1 * i
            if t > 3.0:
                break
        s = s + t * t
    return s


def early_return(x, y):
    if x > y:
        return x * y
    return math.exp(x) - y


CONTROL_FLOW = [
    (branch_abs, (1.3,), 0), (branch_abs, (-0.7,), 0),
    (branch_one_side_inactive, (0.4, 2.0), 0), (branch_one_side_inactive, (0.4, -2.0), 0),
    (nested_branches, (0.5, 1.5), (0, 1)), (nested_branches, (1.5, 0.5), (0, 1)), (nested_branches, (-0.5, 1.0), (0, 1)),
    (for_power, (0.8, 6), 0), (for_power, (0.8, 0), 0),
    (for_two_carried, (0.7, 1.1), (0, 1)),
    (for_break, (0.5,), 0), (for_break, (20.0,), 0),
    (for_continue, (0.3,), 0),
    (for_break_and_continue, (1.2, 0.9), (0, 1)), (for_break_and_continue, (0.5, 0.4), (0, 1)),
    (while_grow, (0.6,), 0), (while_grow, (20.0,), 0),
    (while_counter_break, (0.8,), 0),
    (newton, (2.0,), 0),
    (loop_in_branch, (0.9,), 0), (loop_in_branch, (-0.9,), 0),
    (branch_in_loop, (0.6, 1.4), (0, 1)),
    (array_rnn, (np.random.default_rng(3).normal(size=(3, 3)) * 0.5, np.random.default_rng(4).normal(size=3),
                 np.random.default_rng(5).normal(size=(4, 3))), (0, 1, 2)),
    (array_while, (np.random.default_rng(6).normal(size=5),), 0),
    (nested_loops_break, (0.9,), 0),
    (early_return, (2.0, 1.0), (0, 1)), (early_return, (0.5, 1.0), (0, 1)),
]


def _dot(g, v) -> float:
    return float(np.sum(np.asarray(g, dtype=float) * np.asarray(v, dtype=float)))


@pytest.mark.parametrize("case", CONTROL_FLOW, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CONTROL_FLOW)])
def test_jvp_is_gradient_dot_v_on_control_flow(case):
    fn, args, wrt = case
    wrts = wrt if isinstance(wrt, tuple) else (wrt,)
    rng = np.random.default_rng(11)
    tangents = tuple(random_like(args[w], rng) for w in wrts)
    value, tangent = s2s.jvp(fn, wrt=wrt)(args, tangents)
    assert value == fn(*args)
    numeric = directional_fd(fn, args, wrts, tangents)
    assert_close(tangent, numeric, what=f"{fn.__name__}: jvp vs finite differences")
    grads = s2s.grad(fn, wrt=wrt)(*args)
    grads = grads if isinstance(wrt, tuple) else (grads,)
    expected = sum(_dot(g, v) for g, v in zip(grads, tangents))
    assert_close(tangent, expected, rtol=1e-9, atol=1e-12, what=f"{fn.__name__}: jvp vs grad . v")


CORPUS = STRAIGHT + CONTROL


@pytest.mark.parametrize("case", CORPUS, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CORPUS)])
def test_jvp_on_the_gradient_corpus(case):
    fn, args, wrt = case
    wrts = wrt if isinstance(wrt, tuple) else (wrt,)
    rng = np.random.default_rng(12)
    tangents = tuple(random_like(args[w], rng) for w in wrts)
    value, tangent = s2s.jvp(fn, wrt=wrt)(args, tangents)
    expected = fn(*args)
    assert value == expected or np.allclose(value, expected, rtol=1e-13, atol=0)
    assert_close(tangent, directional_fd(fn, args, wrts, tangents), what=f"{fn.__name__}: jvp")


# ---------------------------------------------------------------- tuple results and the calling convention
def polar(r, theta):
    return r * math.cos(theta), r * math.sin(theta)


def test_tuple_result_has_tuple_tangent():
    args, v = (1.5, 0.3), (0.2, -0.7)
    value, tangent = s2s.jvp(polar, wrt=(0, 1))(args, v)
    assert value == polar(*args)
    r, t = args
    expected = (math.cos(t) * v[0] - r * math.sin(t) * v[1], math.sin(t) * v[0] + r * math.cos(t) * v[1])
    assert_tree_close(tangent, expected, "polar", rtol=1e-12, atol=1e-14)


def half_constant(x, c):
    return x * 2.0, c + 1.0


def test_tuple_result_with_an_element_that_does_not_depend_on_wrt():
    value, tangent = s2s.jvp(half_constant)((1.5, np.ones(3)), (0.5,))
    assert tangent[0] == 1.0
    assert np.array_equal(tangent[1], np.zeros(3))


def scaled(x, k=3.0):
    return x * k


def test_single_wrt_takes_a_one_tuple_and_defaults_fill_in():
    jf = s2s.jvp(scaled)
    assert jf((2.0,), (1.0,)) == (6.0, 3.0)
    assert jf((2.0, 5.0), (1.0,)) == (10.0, 5.0)
    with pytest.raises(TypeError, match="one per wrt"):
        jf((2.0,), (1.0, 1.0))
    with pytest.raises(TypeError, match="tuple"):
        jf((2.0,), 1.0)


def test_wrt_by_name_and_decorator_forms():
    @s2s.jvp(wrt="k")
    def g(x, k):
        return x * k * k

    assert g((2.0, 3.0), (1.0,)) == (18.0, 12.0)
    assert s2s.jvp(g.__wrapped__, wrt=("k", 0))((2.0, 3.0), (1.0, 1.0)) == (18.0, 21.0)
    assert g.source.splitlines()[-1].strip().startswith("return")
    assert "def jvp_g(x, k, dk):" in g.source


def inactive_result(x, c):
    return c * 2.0


def test_result_that_does_not_depend_on_wrt_has_zero_tangent():
    assert s2s.jvp(inactive_result)((1.0, 2.0), (1.0,)) == (4.0, 0.0)
    value, tangent = s2s.jvp(inactive_result)((1.0, np.ones(2)), (1.0,))
    assert np.array_equal(tangent, np.zeros(2))


def broadcast_add(x, b):
    return np.sum((x + b) ** 2)


def test_tangent_of_a_broadcast_operand_is_widened():
    x, b = np.arange(6.0).reshape(2, 3), 0.5
    value, tangent = s2s.jvp(broadcast_add, wrt=1)((x, b), (1.0,))
    assert_close(tangent, 2.0 * np.sum(x + b), rtol=1e-12, what="d/db")


def test_generated_source_follows_each_value_by_its_tangent():
    src = s2s.jvp(for_break).source
    assert "dy" in src and "_saved" not in src and ".pop()" not in src  # no tape
    lines = [line.strip() for line in src.splitlines()]
    assert "break" in lines


# ---------------------------------------------------------------- the forward-mode Jacobian
def vector_field(x, A):
    return np.tanh(A @ x) * x[0]


def test_jacobian_forward_matches_finite_differences():
    rng = np.random.default_rng(2)
    x, A = rng.normal(size=3), rng.normal(size=(4, 3))
    jac = jacobian_forward(vector_field)(x, A)
    assert jac.shape == (4, 3)
    numeric = np.stack([directional_fd(vector_field, (x, A), (0,), (e,)) for e in np.eye(3)], axis=-1)
    assert_close(jac, numeric, what="jacobian wrt x")
    jac_a = jacobian_forward(vector_field, wrt=1)(x, A)
    assert jac_a.shape == (4, 4, 3)
    basis = np.eye(12).reshape(12, 4, 3)
    numeric_a = np.stack([directional_fd(vector_field, (x, A), (1,), (e,)) for e in basis], axis=-1).reshape(4, 4, 3)
    assert_close(jac_a, numeric_a, what="jacobian wrt A")


def product(x, y):
    return x * y


def test_jacobian_forward_of_scalar_function_and_tuple_wrt():
    jx, jy = jacobian_forward(product, wrt=(0, 1))(0.5, 1.5)
    assert np.shape(jx) == () and np.shape(jy) == ()
    assert (jx, jy) == (1.5, 0.5)


# ---------------------------------------------------------------- golden file
def test_quickstart_forward_source_matches_golden():
    path = os.path.join(GOLDEN, "jvp_quickstart.py")
    assert_source_matches(s2s.jvp(quickstart, wrt=(0, 1)), path)  # S2S_UPDATE_SNAPSHOTS=1 rewrites it
    with open(path) as fh:
        expected = fh.read()
    # the golden file is itself a module that computes the jvp
    namespace: dict = {}
    exec(compile(expected, path, "exec"), namespace)
    y, dy = namespace["jvp_quickstart"](1.5, 2.0, 1.0, -0.5)
    assert_close(dy, (1 / 1.5 + 2.0) * 1.0 + (1.5 - math.cos(2.0)) * -0.5, rtol=1e-13, what="golden jvp")


# ---------------------------------------------------------------- vector mode: all basis tangents in one call
def reprojection(p, obs):
    theta = np.sqrt(p[0] * p[0] + p[1] * p[1] + 1e-3)
    X = p[2:5]
    rotated = X * np.cos(theta) + p[0:3] * np.sin(theta)
    u = rotated[0:2] / rotated[2]
    return (u * (1.0 + p[5] * np.sum(u * u)) - obs) * p[6]


def layer(W, x, b):
    h = np.tanh(W @ x + b)
    return np.mean(np.reshape(np.outer(h, x), (-1,))) + np.transpose(W)[0]


def looped(x, n):
    y = x
    for i in range(n):
        if np.sum(y) > 0.0:
            y = np.sin(y) * 1.5 + x[0]
        else:
            y = y * y
    return y


VECTOR_CASES = [
    (reprojection, (np.array([0.3, -0.2, 0.5, 0.1, 4.0, 0.01, 1.2]), np.array([0.05, -0.02])), 0),
    (layer, (np.random.default_rng(7).normal(size=(3, 2)), np.array([0.4, -0.3]), np.array([0.1, 0.0, -0.1])), (0, 1, 2)),
    (looped, (np.array([0.3, -0.1, 0.6]), 4), 0),
    (vector_field, (np.array([0.2, -0.4, 0.9]), np.random.default_rng(8).normal(size=(4, 3))), (0, 1)),
]


@pytest.mark.parametrize("case", VECTOR_CASES, ids=[c[0].__name__ for c in VECTOR_CASES])
def test_vector_mode_jacobian_matches_finite_differences(case):
    fn, args, wrt = case
    jac = jacobian_forward(fn, wrt=wrt)
    got = jac(*args)
    got = got if isinstance(wrt, tuple) else (got,)
    assert jac._vector.get(0) is not False, "vector mode was expected to apply"
    assert "vector forward-mode" in jac.source
    for w, j in zip(wrt if isinstance(wrt, tuple) else (wrt,), got):
        x = np.asarray(args[w], dtype=float)
        basis = np.eye(x.size).reshape((x.size,) + x.shape)
        numeric = np.stack([directional_fd(fn, args, (w,), (e,)) for e in basis], axis=-1)
        numeric = numeric.reshape(np.shape(fn(*args)) + x.shape)
        assert_close(j, numeric, what=f"{fn.__name__}: vector-mode jacobian wrt {w}")


def uses_cumprod(x):
    return np.cumprod(x) * 2.0


def test_jacobian_falls_back_to_one_call_per_tangent_without_a_batched_rule():
    x = np.array([0.5, 1.5, 2.0])
    jac = jacobian_forward(uses_cumprod)
    got = jac(x)
    assert jac._vector.get(0) is False
    numeric = np.stack([directional_fd(uses_cumprod, (x,), (0,), (e,)) for e in np.eye(3)], axis=-1)
    assert_close(got, numeric, what="cumprod jacobian")


# ---------------------------------------------------------------- what the generator emits on the tangent path
def squares(x, w):
    return np.sum(w * w * x)


def test_square_has_one_tangent_contribution():
    text = s2s.jvp(squares, wrt=1).source
    assert "2.0 * w * dw" in text, text  # not dw * w + w * dw
    x, w = np.array([1.0, 2.0]), np.array([0.5, -1.5])
    _, t = s2s.jvp(squares, wrt=1)((x, w), (np.array([1.0, 0.0]),))
    assert t == pytest.approx(2.0 * 0.5 * 1.0)


def rotate_about(k, X):
    return np.cross(k, X) * np.dot(k, X) + X / np.sqrt(np.sum(k * k))


def test_vector_mode_aligns_tangents_by_rank_and_batches_cross():
    k, X = np.array([0.3, -0.2, 0.9]), np.array([1.0, 2.0, -0.5])
    jac = jacobian_forward(rotate_about, wrt=(0, 1))
    got = jac(k, X)
    text = jac.source
    assert "vector forward-mode" in text and "batch_align" not in text, text  # ranks known: d[:, None]
    for w, j in zip((0, 1), got):
        numeric = np.stack([directional_fd(rotate_about, (k, X), (w,), (e,)) for e in np.eye(3)], axis=-1)
        assert_close(j, numeric, what=f"wrt {w}")


# ---------------------------------------------------------------- a keyword argument's tangent is never dropped
def norm_of_order(x, p):
    return np.linalg.norm(x, ord=p)


def filled_by_keyword(x, v):
    return np.sum(np.full(3, fill_value=v) * x)


def filled_by_position(x, v):
    return np.sum(np.full(3, v) * x)


def test_a_keyword_argument_with_a_tangent_is_refused_not_dropped():
    """The tangent rules take their arguments by position: a keyword argument that carries a tangent gave a
    silent zero (jvp of np.average(x, weights=w) in w was 0.0, which has rules since); it is refused at its line,
    as reverse mode does. An operand with a rule passed by keyword (np.full(3, fill_value=v)) is put in its place
    by the front end."""
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(s2s.NonDifferentiableError, match="keyword argument") as info:
        s2s.jvp(norm_of_order, wrt=1)((x, 3.0), (1.0,))
    assert info.value.lineno > 0
    for f in (filled_by_position, filled_by_keyword):
        _, t = s2s.jvp(f, wrt=1)((x, 0.7), (1.0,))
        assert t == pytest.approx(6.0)
    assert s2s.grad(filled_by_keyword, wrt=1)(x, 0.7) == pytest.approx(6.0)
