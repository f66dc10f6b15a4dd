"""Recursive functions of data-dependent depth (issue 14): a recursive callee is called, not inlined, and
its derivatives are its own transformations (s2s/api/recursion.py). Checked against central finite
differences in reverse and forward mode."""
import numpy as np
import pytest

import s2s
from conftest import numeric_grad


def power(x, n):
    if n == 0:
        return 1.0
    return x * power(x, n - 1)


def uses_power(x):
    return power(x, 4) + power(np.sin(x), 2)


def tree_value(w, tree):
    """A binary tree of nested tuples with leaf indices: tanh(w0 * left + w1 * right + w2)."""
    if isinstance(tree, int):
        return np.cos(w[3] * tree)
    left, right = tree
    return np.tanh(w[0] * tree_value(w, left) + w[1] * tree_value(w, right) + w[2])


def tree_loss(w):
    return tree_value(w, ((0, 1), (2, ((1, 0), 3)))) ** 2 + tree_value(w, 2)


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


def keyword_recursion(x, depth=3, scale=0.5):
    if depth == 0:
        return x
    return np.tanh(keyword_recursion(x, scale=scale, depth=depth - 1) * scale + x)


W = np.array([0.7, -0.4, 0.2, 1.3])
CASES = [(uses_power, 1.3), (tree_loss, W), (mutual, 0.6), (keyword_recursion, np.array([0.3, -0.8]))]


def fd_grad(f, x):
    return numeric_grad(lambda z: np.sum(f(z)), (x,), 0)


@pytest.mark.parametrize("fn,x", CASES, ids=[c[0].__name__ for c in CASES])
def test_reverse_mode(fn, x):
    value, pullback = s2s.vjp(fn)(x)
    np.testing.assert_allclose(value, fn(x))
    np.testing.assert_allclose(pullback(np.ones_like(value)), fd_grad(fn, x), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fn,x", CASES, ids=[c[0].__name__ for c in CASES])
def test_forward_mode(fn, x):
    t = np.ones_like(np.asarray(x, dtype=float)) * 0.7
    _, tangent = s2s.jvp(fn)((x,), (t if np.ndim(x) else 0.7,))
    expected = fd_grad(lambda z: np.sum(fn(z)), x)
    np.testing.assert_allclose(np.sum(tangent), np.sum(expected * 0.7), rtol=1e-6, atol=1e-8)


def test_the_recursive_call_stays_a_call():
    text = s2s.grad(tree_loss).source
    assert "tree_value(" in text and "tree_value_adjoint(" in text, text


def test_a_recursive_function_of_a_module_no_longer_in_sys_modules(tmp_path):
    """The generated code calls a recursive function's rules through s2s.rules.custom: it must not import the
    function's module, which may be gone (loaded from a file and never added, or removed since; the fuzzer's
    programs are), not even in a transformation made later in the process."""
    import importlib.util
    import sys
    path = tmp_path / "recursive_gone.py"
    path.write_text("import math\n\n\ndef chain(a, n):\n    if n <= 0:\n        return a\n"
                    "    return chain(math.tanh(a) * 1.2 + 0.1, n - 1)\n\n\ndef f(x):\n    return chain(x * x, 3) + x\n")
    spec = importlib.util.spec_from_file_location("recursive_gone", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["recursive_gone"] = module
    spec.loader.exec_module(module)
    del sys.modules["recursive_gone"]
    first = s2s.grad(module.f)
    assert "import recursive_gone" not in first.source, first.source

    def later(x):  # a program transformed afterwards, calling the same recursive function
        return module.chain(np.sin(x), 2) * x
    for fn, x in ((module.f, 0.3), (later, 0.7)):
        assert "recursive_gone" not in sys.modules
        np.testing.assert_allclose(s2s.grad(fn)(x), fd_grad(fn, x), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(s2s.jvp(fn)((x,), (1.0,))[1], fd_grad(fn, x), rtol=1e-6, atol=1e-8)


def identity_deep(a, n):
    if n <= 0:
        return a
    return identity_deep(a, n - 1)


def calls_with_an_integer(a):
    return np.sin(identity_deep(a, 2)) * 1.5


def picks(coeffs, theta):
    return identity_deep(theta[-1], 3) * np.sum(coeffs)


def test_an_integer_argument_that_is_data_has_a_derivative():
    """An integer the caller differentiates (f(2); a parameter list holding 2) reaches the recursive function:
    its adjoint was None, a silently zero derivative (fuzz seeds 94170 and 94232, reduced)."""
    for x in (2, 2.0):
        assert s2s.grad(calls_with_an_integer)(x) == pytest.approx(1.5 * np.cos(2.0), rel=1e-12)
        assert s2s.jvp(calls_with_an_integer)((x,), (1.0,))[1] == pytest.approx(1.5 * np.cos(2.0), rel=1e-12)
    coeffs, theta = np.array([0.5, -1.5, 2.0]), [np.array([0.3, 0.1]), -0.7, 2]
    g_coeffs, g_theta = s2s.grad(picks, wrt=(0, 1))(coeffs, theta)
    np.testing.assert_allclose(g_coeffs, np.full(3, 2.0))
    assert g_theta[2] == pytest.approx(1.0) and g_theta[1] == 0.0
    assert s2s.hessian(calls_with_an_integer)(2) == pytest.approx(-1.5 * np.sin(2.0), rel=1e-12)


def indexed_product(x, k):
    if k == 0:
        return x[0]
    return x[k] * indexed_product(x, k - 1)


def test_an_integer_used_as_an_index_is_a_constant():
    """s2s refuses to differentiate x[k] with respect to k: the recursive function is then differentiated with
    respect to its float arguments only, as before."""
    x = np.array([1.5, -0.5, 2.0, 0.7])

    def f(x):
        return indexed_product(x, 3)
    np.testing.assert_allclose(s2s.grad(f)(x), fd_grad(f, x), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(s2s.hessian(f)(x), [[0.0 if i == j else np.prod(np.delete(x, [i, j])) for j in range(4)]
                                                   for i in range(4)], rtol=1e-12, atol=1e-12)


def walk(x, *steps):
    if not steps:
        return x
    return walk(np.sin(x) * steps[0], *steps[1:])


def test_a_recursive_function_with_star_args_is_refused_at_its_call():
    """Its rules differentiate by position, which *args' values have not (it failed when called, with 'wrt=2 is
    out of range' at its def)."""
    def f(x):
        return walk(x, 1.1, 0.9, 1.2)
    with pytest.raises(s2s.UnsupportedSyntaxError, match="a recursive call of walk, which takes \\*args") as info:
        s2s.grad(f)(0.7)
    assert "give walk named parameters" in str(info.value) and info.value.lineno == walk.__code__.co_firstlineno + 3
