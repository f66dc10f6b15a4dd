"""Second derivatives through recursive functions (issue 14): the rules s2s makes for a recursive function's
adjoint and tangent have rules of their own (s2s/api/recursion.py), so Hessians, grad of grad, Jacobians of
gradients and jvp of gradients differentiate through recursion of data-dependent depth. Each is checked
against central finite differences of a first derivative (tests/test_recursion.py checks those against
finite differences of the function) and, where there is one, an analytic formula."""
import numpy as np
import pytest

import s2s
from conftest import numeric_grad, numeric_hessian


def power(x, n):
    if n == 0:
        return 1.0
    return x * power(x, n - 1)


def uses_power(x):
    return power(x, 4) + power(np.sin(x), 2)


def horner(coefficients, x, i):
    """coefficients[i] + x * (coefficients[i + 1] + x * (...)), recursively."""
    if i == len(coefficients) - 1:
        return coefficients[i]
    return coefficients[i] + x * horner(coefficients, x, i + 1)


C = np.array([0.5, -1.2, 0.3, 0.8, -0.25])


def polynomial_of_sum(c):
    return horner(c, np.sum(c) * 0.3, 0) ** 2


def tree_sum(w, tree):
    """A tree of nested lists with integer leaves: sum of w[leaf] at the leaves, squashed at each node."""
    if isinstance(tree, int):
        return w[tree] * w[tree]
    total = 0.0
    for child in tree:
        total = total + tree_sum(w, child)
    return np.tanh(total * 0.4) + w[0] * total


TREE = [[0, [1, 2]], [3, [[2, 0], 1]], 3]
W = np.array([0.7, -0.4, 0.2, 1.3])


def tree_loss(w):
    return tree_sum(w, TREE) + 0.1 * tree_sum(w, [2, 1]) ** 2


def even(x, n):
    if n == 0:
        return x
    return odd(x * 1.1, n - 1)


def odd(x, n):
    if n == 0:
        return -x
    return even(np.sin(x), n - 1)


def mutual(x):
    return even(x, 5) * x


def shrink(x, scale):
    """The depth is decided by the value of scale (a float): halved until it is below 0.01."""
    if scale < 0.01:
        return np.sum(x * x) * scale
    return np.sum(np.tanh(x)) * scale + shrink(x * 0.9 + scale, scale * 0.5)


def data_depth(x):
    return shrink(x, 0.7) + shrink(x * x, 0.05)


def keyword_recursion(x, depth=3, scale=0.5):
    if depth == 0:
        return x
    return np.tanh(keyword_recursion(x, scale=scale, depth=depth - 1) * scale + x)


def uses_defaults(x):
    return np.sum(keyword_recursion(x) ** 2)


def sum_pair(w, n):
    """A recursive function whose value is a tuple."""
    if n == 0:
        return w[0], w[1] * w[0]
    a, b = sum_pair(w * 0.9, n - 1)
    return a + np.sin(b), b * w[1]


def pair_loss(w):
    a, b = sum_pair(w, 3)
    return a * b + a


def pair_step(pair, n):
    """A recursive function of a tuple of floats (its adjoint is a tuple too)."""
    a, b = pair
    if n == 0:
        return a * b
    return pair_step((np.sin(a) + b, a * b * 0.5), n - 1)


def tuple_argument(x):
    return pair_step((x[0], x[1]), 3) + pair_step((x[1] * x[0], np.cos(x[0])), 2)


def dict_state(w, n):
    """A recursive function whose value is a dict (its generated derivatives read it with rt.dict_part and
    build tangents with rt.dict_tangent, which have rules of their own)."""
    if n == 0:
        return {"a": w[0], "b": w[1] * w[0]}
    s = dict_state(w * 0.9, n - 1)
    return {"a": s["a"] + np.sin(s["b"]), "b": s["b"] * w[1]}


def dict_loss(w):
    s = dict_state(w, 3)
    return s["a"] * s["b"] + s["a"]


def list_total(xs):
    """Recursion over a list, its tail a slice (the adjoint of the empty tail at the bottom is a bare 0.0)."""
    if not xs:
        return 0.0
    return xs[0] ** 2 + np.sin(list_total(xs[1:]))


def of_a_list(v):
    return list_total([v[0], v[1] * v[2], v[2]])


def in_a_loop(x):
    """Recursive calls in the caller's loops (the gradient keeps them on its loop stacks)."""
    s = 0.0
    for i in range(1, 4):
        s = s + power(x * i * 0.3, i)
    k = 0
    while k < 2:
        s = power(s, 2) * 0.5 + 0.3
        k += 1
    return s


CASES = [(uses_power, 1.3), (polynomial_of_sum, C), (tree_loss, W), (mutual, 0.6),
         (data_depth, np.array([0.4, -0.9, 1.2])), (uses_defaults, np.array([0.3, -0.8])),
         (pair_loss, np.array([0.6, 0.8])), (tuple_argument, np.array([0.4, 0.9])),
         (dict_loss, np.array([0.6, 0.8])), (of_a_list, np.array([0.4, -0.3, 0.9])),
         (in_a_loop, 0.8)]
IDS = [c[0].__name__ for c in CASES]


def fd_jacobian_of_gradient(f, x):
    """H[i, j] = d(grad f)[j] / dx[i], central differences of s2s's first derivative (checked against finite
    differences of f in tests/test_recursion.py)."""
    g = s2s.grad(f)
    if np.ndim(x) == 0:
        return numeric_grad(lambda z: g(z), (x,), 0, 1e-5)
    return np.array([numeric_grad(lambda z, j=j: g(z)[j], (x,), 0, 1e-5) for j in range(np.size(x))])


@pytest.mark.parametrize("fn,x", CASES, ids=IDS)
def test_hessian(fn, x):
    h = s2s.hessian(fn)(x)
    np.testing.assert_allclose(h, fd_jacobian_of_gradient(fn, x), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(h, numeric_hessian(fn, x), rtol=1e-4, atol=1e-5)  # finite differences of f only


@pytest.mark.parametrize("fn,x", CASES, ids=IDS)
def test_jacobian_of_gradient_in_both_modes(fn, x):
    expected = fd_jacobian_of_gradient(fn, x)
    for mode in ("reverse", "forward"):
        np.testing.assert_allclose(s2s.jacobian(s2s.grad(fn), mode=mode)(x), expected, rtol=1e-6, atol=1e-7,
                                   err_msg=mode)


@pytest.mark.parametrize("fn,x", CASES, ids=IDS)
def test_jvp_of_gradient(fn, x):
    v = np.linspace(0.5, -0.7, np.size(x)).reshape(np.shape(x)) if np.ndim(x) else 0.8
    _, tangent = s2s.jvp(s2s.grad(fn))((x,), (v,))
    np.testing.assert_allclose(tangent, fd_jacobian_of_gradient(fn, x) @ v if np.ndim(x) else
                               fd_jacobian_of_gradient(fn, x) * v, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("fn,x", [c for c in CASES if np.ndim(c[1]) == 0], ids=[i for c, i in zip(CASES, IDS)
                                                                                  if np.ndim(c[1]) == 0])
def test_grad_of_grad(fn, x):
    np.testing.assert_allclose(s2s.grad(s2s.grad(fn))(x), fd_jacobian_of_gradient(fn, x), rtol=1e-6, atol=1e-7)


def directional(fn, x):
    """The derivative of fn at x along a fixed direction, written with s2s.jvp called inside a function."""
    v = np.linspace(0.5, -0.7, np.size(x)).reshape(np.shape(x)) if np.ndim(x) else 0.8
    jf = s2s.jvp(fn)

    def along(z):
        return jf((z,), (v,))[1]
    return along, v


@pytest.mark.parametrize("fn,x", CASES, ids=IDS)
def test_jvp_of_jvp_and_grad_of_jvp(fn, x):
    """Forward over forward and reverse over forward: the tangent rule's own rules."""
    along, v = directional(fn, x)
    hv = fd_jacobian_of_gradient(fn, x) @ v if np.ndim(x) else fd_jacobian_of_gradient(fn, x) * v
    np.testing.assert_allclose(s2s.grad(along)(x), hv, rtol=1e-6, atol=1e-7)
    _, second = s2s.jvp(along)((x,), (v,))
    np.testing.assert_allclose(second, np.sum(hv * v), rtol=1e-6, atol=1e-7)


def test_a_jvp_called_inside_a_function_takes_its_two_tuples():
    """jf((z,), (v,)) of an s2s.jvp inside a function s2s transforms: the generated jvp_f it inlines takes the
    primals and tangents one by one (they were passed as the two tuples: x * t became (z,) * t, a TypeError)."""
    def f(x, y):
        return np.sin(x) * x * y
    jf = s2s.jvp(f)

    def along(z):
        return jf((z, 2.0), (0.7,))[1]  # 0.7 * 2 * (sin z + z cos z)
    z = 1.3
    exact = 1.4 * (2 * np.cos(z) - z * np.sin(z))
    assert s2s.grad(along)(z) == pytest.approx(exact, rel=1e-12)
    assert s2s.jvp(along)((z,), (1.0,))[1] == pytest.approx(exact, rel=1e-12)

    def unpacked(z, pair):
        return jf(pair, (0.7,))[1] * z
    with pytest.raises(s2s.UnsupportedSyntaxError, match="not tuples written in the function") as info:
        s2s.grad(unpacked)(z, (z, 2.0))
    assert "jf((x, y), (dx,))" in str(info.value)

    def too_few(z):
        return jf((z,), (0.7,))[1]
    with pytest.raises(s2s.UnsupportedSyntaxError, match="1 primal"):
        s2s.grad(too_few)(z)


def test_power_against_its_formula():
    """d2/dx2 (x^4 + sin(x)^2) = 12 x^2 + 2 cos(2x), through power's recursion in both second orders."""
    x = 1.3
    exact = 12 * x * x + 2 * np.cos(2 * x)
    assert s2s.hessian(uses_power)(x) == pytest.approx(exact, rel=1e-12)
    assert s2s.grad(s2s.grad(uses_power))(x) == pytest.approx(exact, rel=1e-12)


def test_polynomial_against_its_formula():
    """The Hessian of horner's polynomial with respect to its coefficients at a fixed point is zero (it is
    linear in them); with respect to the point, p''(x)."""
    x = 0.7
    assert np.allclose(s2s.hessian(horner)(C, x, 0), 0.0)
    second = sum(k * (k - 1) * C[k] * x ** (k - 2) for k in range(2, len(C)))
    assert s2s.hessian(horner, wrt=1)(C, x, 0) == pytest.approx(second, rel=1e-12)
    assert s2s.grad(s2s.grad(horner, wrt=1), wrt=1)(C, x, 0) == pytest.approx(second, rel=1e-12)


def deep_chain(a, n):
    if n <= 0:
        return a
    return deep_chain(a + 0.05 * np.sin(a) * a, n - 1)


def deep(x):
    return deep_chain(x, 60) * x


def test_deep_recursion():
    """Depth 60 (more than any fixed inlining depth): the second derivative recurses as deep."""
    x = 0.8
    np.testing.assert_allclose(s2s.hessian(deep)(x), fd_jacobian_of_gradient(deep, x), rtol=1e-6)


def test_gradient_of_a_function_whose_gradient_calls_a_recursive_helper():
    """A Newton step written with s2s.grad of a function that calls a recursive helper, differentiated."""
    inner = s2s.grad(uses_power)

    def newton(x):
        return x - 0.1 * inner(x)

    def loss(x):
        return newton(x) ** 2
    x = 0.9
    expected = numeric_grad(loss, (x,), 0, 1e-6)
    assert s2s.grad(loss)(x) == pytest.approx(expected, rel=1e-6)


def test_third_derivatives_are_refused_naming_the_function():
    with pytest.raises(s2s.NonDifferentiableError, match="second derivative s2s made for the recursive function "
                                                         "power; third derivatives through recursion are not made"
                       ) as info:
        s2s.grad(s2s.grad(s2s.grad(uses_power)))(1.3)
    assert "write power as a loop" in str(info.value)
    for third in (lambda: s2s.jvp(s2s.grad(s2s.grad(uses_power)))((1.3,), (1.0,)),
                  lambda: s2s.hessian(s2s.grad(uses_power))(1.3)):  # (forward over it: the same refusal)
        with pytest.raises(s2s.NonDifferentiableError, match="third derivatives through recursion are not made"):
            third()


def test_the_second_order_source_calls_the_rules_of_the_rules():
    """(power is custom.test_recursion_second_power: named after its module, whatever was met first.)"""
    text = s2s.hessian(uses_power).source
    assert "custom.test_recursion_second_power_adjoint_tangent(" in text, text
    text = s2s.grad(s2s.grad(uses_power)).source
    assert "custom.test_recursion_second_power_adjoint_adjoint(" in text, text


CACHED_MODULE = '''
import numpy as np


def chain(a, n):
    if n <= 0:
        return a
    return chain(np.tanh(a) * 1.2 + 0.1, n - 1)


def f(x):
    return np.sum(chain(x * x, 3) + np.sin(x))
'''

CACHED_SCRIPT = '''
import sys
import numpy as np
import s2s, s2s.api.transform
if sys.argv[1] == "forbid":
    def refuse(*args, **kwargs):
        raise RuntimeError("transformed again")
    s2s.api.transform._primal = refuse
import cached_second
x = np.array([0.5, -1.0, 2.0])
h = s2s.jacobian(s2s.grad(cached_second.f))(x)
t = s2s.jvp(s2s.grad(cached_second.f))((x,), (np.array([1.0, 0.5, -2.0]),))[1]
print(",".join(repr(float(v)) for v in list(h.ravel()) + list(t)))
'''


def test_second_derivatives_through_recursion_from_the_disk_cache(tmp_path):
    """The stored text of a second derivative calls the rules of a recursive function's rules
    (custom.chain_adjoint_adjoint, custom.chain_adjoint_tangent): a process that compiles it without
    transforming anything makes them again, and the helpers they differentiate come from the cache too."""
    import os
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    (tmp_path / "cached_second.py").write_text(CACHED_MODULE)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, str(tmp_path)]), S2S_CACHE_DIR=str(tmp_path / "cache"))
    runs = [subprocess.run([sys.executable, "-c", CACHED_SCRIPT, mode], env=env, capture_output=True, text=True)
            for mode in ("build", "forbid")]
    for run in runs:
        assert run.returncode == 0, run.stderr
    assert runs[0].stdout == runs[1].stdout
    stored = "".join(p.read_text() for p in (tmp_path / "cache").iterdir())
    assert "chain_adjoint_adjoint" in stored and "chain_adjoint_tangent" in stored

    def chain(a, n):
        for _ in range(n):
            a = np.tanh(a) * 1.2 + 0.1
        return a

    def f(x):
        return np.sum(chain(x * x, 3) + np.sin(x))
    x = np.array([0.5, -1.0, 2.0])
    values = np.array([float(v) for v in runs[1].stdout.split(",")])
    np.testing.assert_allclose(values[:9].reshape(3, 3), numeric_hessian(f, x), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(values[9:], numeric_hessian(f, x) @ np.array([1.0, 0.5, -2.0]), rtol=1e-4, atol=1e-6)


def test_grad_of_grad_through_a_user_rule_read_for_two_arguments():
    """The adjoints of two arguments taken from one rule's tuple of adjoints add element by element when the
    gradient is differentiated again (rt.adjoint_part_adjoint; they were joined as tuples: d2/dx2 x^4 was 18 x^2
    at x = 1.5, not 12 x^2). The recursive rules meet it for every function with two float arguments."""
    def mul(x, y):
        return x * y

    @s2s.adjoint(mul)
    def mul_adjoint(g, ans, x, y):
        return (g * y, g * x)

    def f(x):
        return mul(x, x * x) * x
    assert s2s.grad(s2s.grad(f))(1.5) == pytest.approx(12 * 1.5 ** 2, rel=1e-12)


def test_third_derivative_through_a_user_rule_read_for_two_arguments():
    """rt.adjoint_part_adjoint, which grad of grad writes for a rule's tuple of adjoints, has a rule of its own
    (linear in g): hessian of grad and grad of grad of grad go through it (it had none)."""
    def mul(x, y):
        return x * y

    @s2s.adjoint(mul)
    def mul_adjoint(g, ans, x, y):
        return (g * y, g * x)

    @s2s.tangent(mul)
    def mul_tangent(tangents, ans, x, y):
        dx, dy = tangents
        return (0.0 if dx is None else dx * y) + (0.0 if dy is None else x * dy)

    def f(x):
        return mul(x, x * x) * x
    assert s2s.hessian(s2s.grad(f))(1.5) == pytest.approx(24 * 1.5, rel=1e-12)
    assert s2s.grad(s2s.grad(s2s.grad(f)))(1.5) == pytest.approx(24 * 1.5, rel=1e-12)
