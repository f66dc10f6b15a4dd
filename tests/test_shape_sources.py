"""Shapes read from values the reverse sweep keeps anyway (optimize/shapes.py): `rt.sum_adjoint(g, t, ...)` of
`t = lx * lx` reads lx, an einsum's adjoints take the cotangent before it is summed back to the einsum's
shape, so neither value is kept for its shape alone. Against finite differences, and where a rewrite would be
wrong (lists that `+` joins and `* 2` repeats, shapes that change from one iteration to the next) it is not
made."""
from __future__ import annotations

import numpy as np

import s2s
from conftest import assert_close, numeric_grad


def mixture_terms(means, lower, x):
    xc = x[:, None, :] - means[None, :, :]
    lx = xc * 0.5 + np.einsum("kij,nkj->nki", lower, xc)
    return np.sum(np.exp(-0.5 * np.sum(lx * lx, axis=2)))


def einsum_then_broadcast(a, b, c):
    return np.sum(np.tanh(np.einsum("ij,j->i", a, b) + c))


def lists_joined_and_repeated(x):
    ys = [x, x * 2.0]
    zs = ys + ys
    ws = ys * 2
    return np.sum(zs[3] * ws[2]) + np.sum(np.array(zs) * 0.5)


def growing(x):
    s = 0.0
    for i in range(3):
        x = np.concatenate([x, x[:1] * 0.5])
        v = x * x
        s = s + np.sum(v * np.arange(v.shape[0]))
    return s


def test_the_shape_reads_move_to_values_kept_anyway():
    rng = np.random.default_rng(5)
    args = (rng.normal(size=(3, 2)), rng.normal(size=(3, 2, 2)) * 0.3, rng.normal(size=(8, 2)))
    grad = s2s.grad(mixture_terms, wrt=(0, 1))
    text = grad.source
    assert "lx = t1 * 0.5 + np.einsum(" in text or "+ np.einsum('kij,nkj->nki', lower, xc)" in text, text
    assert "rt.einsum_adjoint(blx, 'kij,nkj->nki', 0, lower, xc)" in text
    assert "np.sum(lx * lx, axis=2)" in text and "rt.sum_adjoint(" in text and ", lx, 2" in text
    for i, g in enumerate(grad(*args)):
        assert_close(g, numeric_grad(mixture_terms, args, i), rtol=1e-6, atol=1e-8, what=f"argument {i}")


def test_einsum_adjoint_of_a_cotangent_broadcast_larger():
    rng = np.random.default_rng(6)
    args = (rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(5, 3)))
    text = s2s.grad(einsum_then_broadcast, wrt=(0, 1, 2)).source
    assert "rt.unbroadcast(t8, t1)" not in text and "rt.einsum_adjoint(t8, 'ij,j->i', 0, a, b)" in text, text
    got = s2s.grad(einsum_then_broadcast, wrt=(0, 1, 2))(*args)
    for i, g in enumerate(got):
        assert_close(g, numeric_grad(einsum_then_broadcast, args, i), rtol=1e-6, atol=1e-8, what=f"argument {i}")


def test_loops_keep_their_own_shapes():
    x = np.array([0.4, -1.1, 0.7])
    assert_close(s2s.grad(growing)(x), numeric_grad(growing, (x,), 0), rtol=1e-6, atol=1e-8, what="growing")


def test_lists_joined_with_plus_stay_joined():
    """`ys + ys` of a list is not `2.0 * ys` (simplify's `a + a`, for numbers, arrays and adjoints only): the
    lists are joined and repeated as the function does (a new list of the parts, front/expressions.py), and the
    gradient is the finite differences'."""
    x = np.array([0.4, -1.1, 0.7])
    text = s2s.grad(lists_joined_and_repeated).source
    assert "zs = [x, t1, x, t1]" in text and "2.0 * ys" not in text, text
    assert_close(s2s.grad(lists_joined_and_repeated)(x), numeric_grad(lists_joined_and_repeated, (x,), 0),
                 rtol=1e-6, atol=1e-8, what="joined lists")
