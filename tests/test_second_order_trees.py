"""Second derivatives through a recursion over a nested tuple (bug hunt, 2026-12-05): the Hessian and the jvp
of the gradient wrote into a tuple's adjoint (`'TupleParts' object does not support item assignment`: the
pass that writes sums of index adjoints into one buffer took `t` for an array because the other branch of
`if isinstance(t, tuple)` multiplies it), and the gradient of the gradient summed a tuple's adjoint into the
bare 0.0 that stood for it (ValueError). The second-order code also imported `tuple` from its own namespace.
References are analytic: f = a^2 + b^2 + c^2 with weights."""
import numpy as np
import pytest

import s2s


def tree_sum(t):
    if isinstance(t, tuple):
        return tree_sum(t[0]) + tree_sum(t[1])
    return t * t


def f(a, b, c):
    return tree_sum(((a, b), c))


def weighted(a, b, c):
    return tree_sum(((a * 2.0, b), c * c))  # 4 a^2 + b^2 + c^4


@pytest.mark.parametrize("transform", [
    lambda: s2s.hessian(f)(1.3, 0.7, 0.2),
    lambda: s2s.grad(s2s.grad(f))(1.3, 0.7, 0.2),
    lambda: s2s.jvp(s2s.grad(f))((1.3, 0.7, 0.2), (1.0,))[1],
], ids=["hessian", "grad-of-grad", "jvp-of-grad"])
def test_second_derivative_through_a_tree_recursion(transform):
    assert transform() == pytest.approx(2.0)


def test_second_derivatives_of_a_weighted_tree():
    assert s2s.grad(weighted, wrt=(0, 1, 2))(1.3, 0.7, 0.2) == pytest.approx((8 * 1.3, 2 * 0.7, 4 * 0.2 ** 3))
    assert s2s.hessian(weighted, wrt=2)(1.3, 0.7, 0.2) == pytest.approx(12 * 0.2 ** 2)
    assert s2s.grad(s2s.grad(weighted, wrt=1), wrt=1)(1.3, 0.7, 0.2) == pytest.approx(2.0)
    np.testing.assert_allclose(s2s.jacobian(s2s.grad(weighted))(1.3, 0.7, 0.2), 8.0)


def test_second_order_code_reads_builtins_by_their_own_names():
    text = s2s.grad(s2s.grad(f)).source
    assert "import tuple" not in text
    # (isinstance of the tuple the first-order code built, (t1, c), is folded to True while building, 2e2c590; that
    # of the parameter c is asked as the code runs, of tuple by its own name)
    assert "isinstance(c, tuple)" in text
