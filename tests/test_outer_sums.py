"""A reversed loop's sum of outer products (the adjoint of W in `W @ h`) is gathered and added 8-16 at a time as
one matrix product (optimize/outer_sums.py, rt.add_outer / rt.outer_total): the same gradient as adding each
outer product at once, against finite differences at every number of iterations around the batch size, in
every mode that differentiates the generated code again."""
from __future__ import annotations

import numpy as np
import pytest

import s2s
from s2s import runtime as rt
from conftest import assert_close, numeric_grad


def rnn(W, U, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def batched_rnn(W, xs, h0):
    h = h0  # (width, batch): each step's adjoint of W is a matrix product already
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + xs[t])
    return np.sum(h * h)


def inputs(steps, width=4, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(width, width)) / 2, rng.normal(size=(width, width)) / 2,
            rng.normal(size=(steps, width)), rng.normal(size=width))


def test_the_generated_loop_gathers_the_outer_products():
    text = s2s.grad(rnn, wrt=(0, 1)).source
    assert "bW = rt.add_outer(bW, " in text and "bU = rt.add_outer(bU, " in text
    assert "rt.outer_total(bW)" in text and "rt.add_into" not in text and "matmul_adjoint_a" not in text


@pytest.mark.parametrize("steps", [0, 1, 2, 7, 8, 9, 16, 17, 40])
def test_gradient_against_finite_differences_around_the_batch_size(steps):
    args = inputs(steps)
    bW, bU = s2s.grad(rnn, wrt=(0, 1))(*args)
    assert_close(bW, numeric_grad(rnn, args, 0), rtol=1e-6, atol=1e-8, what=f"dW after {steps} steps")
    assert_close(bU, numeric_grad(rnn, args, 1), rtol=1e-6, atol=1e-8, what=f"dU after {steps} steps")
    assert type(bW) is np.ndarray and bW.shape == (4, 4) and bW.dtype == np.float64


def test_matrix_adjoints_take_the_plain_sum():
    rng = np.random.default_rng(1)
    args = (rng.normal(size=(3, 3)) / 2, rng.normal(size=(6, 3, 2)), rng.normal(size=(3, 2)))
    assert_close(s2s.grad(batched_rnn)(*args), numeric_grad(batched_rnn, args, 0), rtol=1e-6, atol=1e-8,
                 what="dW of a batch")


def test_a_pullback_run_twice_gives_the_same_sum():
    args = inputs(20)
    value, pullback = s2s.vjp(rnn)(*args)
    first, second = pullback(1.0), pullback(1.0)
    assert_close(first, numeric_grad(rnn, args, 0), rtol=1e-6, atol=1e-8, what="vjp dW")
    assert np.array_equal(first, second)


def test_second_derivatives_through_the_gathered_sum():
    args = inputs(18, width=3)
    W = args[0]
    grad_W = s2s.grad(rnn)
    fd = np.array([numeric_grad(lambda w: grad_W(w, *args[1:]).ravel()[i], (W,), 0).ravel() for i in range(9)])
    assert_close(s2s.hessian(rnn)(*args).reshape(9, 9), fd, rtol=1e-5, atol=1e-7, what="Hessian in W")
    assert_close(s2s.jacobian(grad_W)(*args).reshape(9, 9), fd, rtol=1e-5, atol=1e-7, what="Jacobian of grad")


def test_add_outer_sums_as_add_into_does():
    rng = np.random.default_rng(2)
    a = rng.normal(size=(5, 3))
    pairs = [(rng.normal(size=5), rng.normal(size=3)) for _ in range(21)]
    for init in (0.0, rng.normal(size=(5, 3))):
        acc, want = (init.copy() if type(init) is np.ndarray else init), init
        for g, b in pairs:
            acc = rt.add_outer(acc, g, a, b)
            want = want + np.outer(g, b)
        assert_close(rt.outer_total(acc), want, rtol=1e-12, what="a gathered sum")
    # vectors of another shape or type than the first: the sum so far, then added at once
    acc = rt.add_outer(0.0, pairs[0][0], a, pairs[0][1])
    acc = rt.add_outer(acc, rng.normal(size=(5, 2)), a, rng.normal(size=(3, 2)))
    assert type(acc) is np.ndarray
    acc = rt.add_outer(acc, pairs[1][0].astype(np.float32), a, pairs[1][1])
    assert type(rt.outer_total(acc)) is np.ndarray and rt.outer_total(2.5) == 2.5
