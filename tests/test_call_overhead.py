"""The steady call path of transformed functions (issue 13): the shortcuts a call takes for bare numbers and
float arrays must not skip a check that another argument needs, nor keep a result that a change invalidates.
Derivatives are checked against analytic formulas."""
import dataclasses
import math
import traceback

import numpy as np
import pytest

import s2s
from conftest import module_from_text


def quick(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def quick_grad(x1, x2):
    return 1.0 / x1 + x2, x1 - math.cos(x2)


@dataclasses.dataclass
class Params:
    a: float
    b: float


def scaled(p, x):
    return p.a * x * x + p.b * x


def test_grad_after_bare_numbers_still_refuses_bools_and_int_arrays():
    g = s2s.grad(quick, wrt=(0, 1))
    for _ in range(3):
        assert np.allclose(g(1.5, 0.7), quick_grad(1.5, 0.7))
    with pytest.raises(TypeError, match="is a bool"):
        g(True, 0.7)

    def total(x):
        return np.sum(x * x)
    gt = s2s.grad(total)
    assert np.allclose(gt(np.array([1.0, 2.0])), [2.0, 4.0])
    with pytest.raises(TypeError, match=r"astype\(float\)"):
        gt(np.array([1, 2]))
    with pytest.raises(TypeError, match="is a str"):
        gt("ab")


def test_grad_takes_a_record_after_bare_numbers():
    g = s2s.grad(scaled)
    assert g(Params(2.0, 3.0), 1.5) == Params(1.5 * 1.5, 1.5)  # d/da = x^2, d/db = x
    g2 = s2s.grad(scaled, wrt=1)
    assert g2(Params(2.0, 3.0), 1.5) == pytest.approx(2 * 2.0 * 1.5 + 3.0)
    assert g(Params(1.0, 0.0), 2.0) == Params(4.0, 2.0)


def test_vjp_pullback_checks_the_cotangent_after_fitting_ones():
    def f(x):
        return np.sin(x) * 2.0
    x = np.array([0.1, 0.2, 0.3])
    value, pullback = s2s.vjp(f)(x)
    assert np.allclose(pullback(np.ones(3)), 2.0 * np.cos(x))
    assert np.allclose(pullback(np.ones(3)), 2.0 * np.cos(x))
    with pytest.raises(ValueError, match="takes a cotangent with the structure and shape of the value"):
        pullback(np.ones(4))
    with pytest.raises(ValueError, match="takes a cotangent"):
        pullback((np.ones(3), 1.0))
    value, pullback = s2s.vjp(quick)(1.5, 0.7)
    assert pullback(2.0) == pytest.approx(2.0 * (1.0 / 1.5 + 0.7))
    assert pullback(np.float64(1.0)) == pytest.approx(1.0 / 1.5 + 0.7)
    assert pullback(np.array(1.0)) == pytest.approx(1.0 / 1.5 + 0.7)  # a 0-d array fits a number
    with pytest.raises(ValueError, match="takes a cotangent"):
        pullback(np.ones(2))


def test_jvp_steady_calls_and_trailing_defaults():
    def f(x, y, scale=2.0):
        return scale * x * y
    jf = s2s.jvp(f, wrt=(0, 1))
    for _ in range(3):
        value, tangent = jf((1.5, 3.0), (1.0, 0.0))
        assert (value, tangent) == (pytest.approx(9.0), pytest.approx(6.0))  # d/dx = scale * y
    value, tangent = jf((1.5, 3.0, 4.0), (0.0, 1.0))
    assert (value, tangent) == (pytest.approx(18.0), pytest.approx(6.0))  # d/dy = scale * x
    with pytest.raises(TypeError, match="expected 2 tangent"):
        jf((1.5, 3.0), (1.0,))
    with pytest.raises(TypeError, match="is a bool"):
        jf((True, 3.0), (1.0, 0.0))


def identity(x):
    return x


def cubes(x):
    return np.sum(x ** 3)


def test_forward_jacobian_results_are_the_callers_own_arrays():
    """The identity basis is kept read-only between calls: a Jacobian that is the basis itself is copied."""
    jf = s2s.jacobian(identity, mode="forward")
    first = jf(np.array([1.0, 2.0, 3.0]))
    second = jf(np.array([4.0, 5.0, 6.0]))
    assert first is not second and first.flags.writeable
    first[0, 0] = 7.0  # the caller's array: the next call still sees the identity
    assert np.array_equal(jf(np.array([1.0, 2.0, 3.0])), np.eye(3))
    h = s2s.hessian(cubes)
    x = np.array([1.0, -2.0])
    a, b = h(x), h(x)
    assert a is not b and a.flags.writeable
    a[:] = 0.0
    assert np.allclose(h(x), np.diag(6.0 * x))


def test_forward_jacobian_and_hessian_follow_the_argument_rank():
    """The ranks found for one call are not reused for arguments of another rank or type."""
    h = s2s.hessian(cubes)
    assert np.allclose(h(np.array([1.0, 2.0])), np.diag([6.0, 12.0]))
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    hm = h(m)
    assert hm.shape == (2, 2, 2, 2)
    assert np.allclose(hm.reshape(4, 4), np.diag(6.0 * m.ravel()))
    assert np.allclose(h(np.array([1.0, 2.0, 3.0])), np.diag([6.0, 12.0, 18.0]))
    assert float(h(2.0)) == pytest.approx(12.0)

    def pair(p):
        return p[0] ** 3 + p[0] * p[1]
    hp = s2s.hessian(pair)
    assert np.allclose(hp(np.array([1.0, 2.0])), [[6.0, 1.0], [1.0, 0.0]])
    hh = hp((1.0, 2.0))  # a tuple: a tuple of tuples
    assert np.allclose(np.array(hh, dtype=float), [[6.0, 1.0], [1.0, 0.0]])

    def scale(x, a):
        return a * x
    jf = s2s.jacobian(scale, mode="forward")
    assert np.allclose(jf(np.array([1.0, 2.0]), 3.0), 3.0 * np.eye(2))
    assert np.allclose(jf(np.array([1.0, 2.0]), np.array([2.0, 5.0])), np.diag([2.0, 5.0]))
    assert float(jf(2.0, 3.0)) == pytest.approx(3.0)




def test_redefined_helper_is_noticed_after_steady_calls(tmp_path):
    mod = module_from_text(tmp_path, "overhead_mod_a", "import numpy as np\n"
                       "def helper(x):\n    return x * x\n"
                       "def f(x):\n    return np.sum(helper(x))\n")
    g, h, jf = s2s.grad(mod.f), s2s.hessian(mod.f), s2s.jvp(mod.f)
    x = np.array([1.0, 2.0])
    for _ in range(3):
        assert np.allclose(g(x), 2.0 * x)
        assert np.allclose(h(x), 2.0 * np.eye(2))
        assert jf((x,), (np.ones(2),))[1] == pytest.approx(2.0 * x.sum())
    mod.helper = module_from_text(tmp_path, "overhead_mod_b", "def helper(x):\n    return x * x * x\n").helper
    assert np.allclose(g(x), 3.0 * x ** 2)
    assert np.allclose(h(x), np.diag(6.0 * x))
    assert jf((x,), (np.ones(2),))[1] == pytest.approx(np.sum(3.0 * x ** 2))


def test_reverse_jacobian_of_numbers_and_arrays():
    """The rows of one identity as cotangents: checked against analytic Jacobians, a wrt argument the value
    does not depend on (its derivative is a bare zero) included."""
    def f(x, y, z):
        return np.sin(x) * y
    x, y, z = np.array([0.1, 0.2, 0.3]), 2.0, np.array([1.0, 2.0])
    jx, jy, jz = s2s.jacobian(f, wrt=(0, 1, 2))(x, y, z)
    assert np.allclose(jx, np.diag(np.cos(x) * y))
    assert np.allclose(jy, np.sin(x))
    assert jz.shape == (3, 2) and not jz.any() and jz.flags.writeable
    j = s2s.jacobian(f)
    first, second = j(x, y, z), j(x, y, z)
    assert first is not second and np.allclose(first, second)
    assert np.allclose(s2s.jacobian(cubes)(np.array([1.0, 2.0])), [3.0, 12.0])
    assert float(s2s.jacobian(quick, wrt=1)(1.5, 0.7)) == pytest.approx(1.5 - math.cos(0.7))
    assert s2s.jacobian(identity)(np.zeros(0)).shape == (0, 0)
    m = np.array([[1.0, 2.0], [3.0, 4.0]])
    jm = s2s.jacobian(identity)(m)
    assert jm.shape == (2, 2, 2, 2) and np.allclose(jm.reshape(4, 4), np.eye(4))


def test_grad_fast_call_takes_every_form_of_call_the_original_takes():
    """After the first call a grad's class calls the generated function at once for positional float
    arguments; keywords, defaults, numbers of other types and wrong calls go the general way, unchanged."""
    g = s2s.grad(quick, wrt=(0, 1))
    expected = quick_grad(1.5, 0.7)
    for _ in range(2):
        assert np.allclose(g(1.5, 0.7), expected)
    assert type(g).__call__ is not s2s.api.transformed.Transformed.__call__  # (the fast class is in use)
    assert np.allclose(g(x1=1.5, x2=0.7), expected)
    assert np.allclose(g(1.5, x2=0.7), expected)
    assert np.allclose(g(np.float64(1.5), 0.7), expected)
    assert np.allclose(g(2, 1), quick_grad(2.0, 1.0))
    with pytest.raises(TypeError, match=r"quick\(\) missing 1 required positional argument: 'x2'"):
        g(1.5)
    with pytest.raises(TypeError, match=r"quick\(\) takes 2 positional arguments but 3 were given"):
        g(1.5, 0.7, 0.1)
    with pytest.raises(TypeError, match="is a bool"):
        g(1.5, True)

    def scaled_sum(x, scale=2.0):
        return scale * np.sum(x * x)
    gs = s2s.grad(scaled_sum)
    x = np.array([1.0, -2.0])
    assert np.allclose(gs(x), 4.0 * x)
    assert np.allclose(gs(x, 3.0), 6.0 * x)
    assert np.allclose(gs(x), 4.0 * x)
    assert np.allclose(gs(x, scale=0.5), x)


def test_grad_fast_call_keeps_errors_at_the_users_line():
    def inverse(x, y):
        return x / y
    g = s2s.grad(inverse)
    assert g(1.0, 2.0) == pytest.approx(0.5)
    with pytest.raises(ZeroDivisionError) as info:
        g(1.0, 0.0)
    frames = traceback.extract_tb(info.value.__traceback__)
    assert (__file__, "inverse", "return x / y") in [(frame.filename, frame.name, frame.line) for frame in frames]

    def shifted(x, n):
        return np.sum(x * x) * len(n)
    gt = s2s.grad(shifted)
    assert gt(2.0, "ab") == pytest.approx(8.0)
    with pytest.raises(TypeError, match="has no len"):  # (an error of the call's own, not of binding)
        gt(2.0, 3)


def make_scaled_square(c):
    def f(x):
        return c * x * x
    return f


def test_grad_fast_calls_of_closures_of_one_code_keep_their_own_cells():
    g2, g3 = s2s.grad(make_scaled_square(2.0)), s2s.grad(make_scaled_square(3.0))
    for _ in range(3):
        assert g2(1.5) == pytest.approx(2.0 * 2.0 * 1.5)
        assert g3(1.5) == pytest.approx(2.0 * 3.0 * 1.5)


def test_grad_fast_call_of_a_method():
    class Model:
        def __init__(self, w):
            self.w = w

        @s2s.grad(wrt="x")
        def loss(self, x):
            return self.w * x * x
    m, n = Model(2.0), Model(5.0)
    for _ in range(2):
        assert m.loss(1.5) == pytest.approx(2.0 * 2.0 * 1.5)
        assert n.loss(1.5) == pytest.approx(2.0 * 5.0 * 1.5)


def test_every_transformed_object_names_itself():
    assert repr(s2s.grad(quick)) == "<s2s.grad of quick>"
    assert repr(s2s.jacobian(cubes)) == "<s2s.jacobian of cubes (reverse mode)>"
    assert repr(s2s.jacobian(cubes, mode="forward")) == "<s2s.jacobian of cubes (forward mode)>"
    assert repr(s2s.hessian(cubes)) == "<s2s.hessian of cubes>"


def added(x, y):
    return np.sum(x + y)


def joined(x, y):
    return np.concatenate([x, y]) + 1.0


def shifted(x):
    return x + 1.0


def test_derivatives_share_memory_with_nothing_else():
    """NumPy arrays are written in place (`g *= lr`): a derivative must not be another derivative's array (the
    adjoint of x + y hands one array to both), nor the cotangent or tangent the caller passed (the adjoint of
    x + c is the cotangent itself). Values against the analytic derivatives after writing into each result."""
    x, y = np.array([0.1, -0.3]), np.array([1.0, 2.0])
    for call in (lambda: s2s.grad(added, wrt=(0, 1))(x, y), lambda: s2s.value_and_grad(added, wrt=(0, 1))(x, y)[1]):
        for _ in range(2):  # (the first call, then the fast one)
            gx, gy = call()
            gx *= 5.0
            assert np.array_equal(gy, np.ones(2)) and np.array_equal(gx, 5.0 * np.ones(2))
    ct = np.array([1.0, 2.0, 3.0, 4.0])
    value, pullback = s2s.vjp(joined, wrt=(0, 1))(x, y)
    gx, gy = pullback(ct)
    gx[:] = 0.0
    gy[:] = 0.0
    assert np.array_equal(ct, [1.0, 2.0, 3.0, 4.0])
    assert np.array_equal(pullback(ct)[0], [1.0, 2.0]) and np.array_equal(pullback(ct)[1], [3.0, 4.0])
    value, pullback = s2s.vjp(shifted)(x)
    ct = np.array([1.0, 2.0])
    g = pullback(ct)
    assert g is not ct and not np.shares_memory(g, ct) and np.array_equal(g, ct)
    dx = np.array([1.0, 0.5])
    value, tangent = s2s.jvp(shifted)((x,), (dx,))
    assert not np.shares_memory(tangent, dx) and np.array_equal(tangent, dx)
