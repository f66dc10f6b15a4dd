"""Quadratic costs the control hunt found (round 16, fix16ctl).

1. The textbook finite-horizon Riccati recursion, `P = [None] * (N + 1)` written by item `P[t] = ...` in a reversed
   loop (docs/syntax.md), had a gradient quadratic in N: the reversed loop made the list adjoint whole with
   `rt.unbroadcast(bP, P)` every iteration (a bare 0.0 stands for it before the first add), which built a new list
   part by part (`_structured`), and `rt.add_at` then added into that new list by a copy. A list adjoint add_at owns
   (OwnParts) is now kept once its parts are shaped as the list's: unbroadcast returns it as it is, as it returns an
   array of the right shape, and a part written into it is shaped as the item at once.
"""
import numpy as np
import pytest

import s2s
import s2s.runtime.core as core
from tests.conftest import assert_close

A = np.array([[1.0, 0.1], [0.0, 1.0]])
B = np.array([[0.0], [0.1]])


def riccati(q, N):
    P = [None] * (N + 1)
    K = [None] * N
    P[N] = q * np.eye(2)
    for t in range(N - 1, -1, -1):
        S = 1.0 + B.T @ P[t + 1] @ B
        K[t] = np.linalg.solve(S, B.T @ P[t + 1] @ A)
        P[t] = q * np.eye(2) + A.T @ P[t + 1] @ A - K[t].T @ S @ K[t]
    x = np.array([1.0, 0.0])
    J = 0.0
    for t in range(N):
        u = -K[t] @ x
        J = J + x @ x * q + u @ u
        x = A @ x + B @ u
    return J


def riccati_vec(q, N):
    P = [None] * (N + 1)
    P[N] = q[0] * np.eye(2)
    for t in range(N - 1, -1, -1):
        S = q[1] + B.T @ P[t + 1] @ B
        K = np.linalg.solve(S, B.T @ P[t + 1] @ A)
        P[t] = q[0] * np.eye(2) + A.T @ P[t + 1] @ A - K.T @ S @ K
    return np.array([P[0][0, 0], P[0][1, 1] * q[1], P[1][0, 1]])


def _fd(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    cols = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = eps
        cols.append((f(x + e) - f(x - e)) / (2 * eps))
    return np.stack(cols, axis=-1)


@pytest.mark.parametrize("N", [1, 3, 12])
def test_riccati_of_a_list_written_by_item_is_exact_in_every_mode(N):
    q = 0.8
    fd = (riccati(q + 1e-6, N) - riccati(q - 1e-6, N)) / 2e-6
    assert_close(s2s.grad(riccati)(q, N), fd, rtol=1e-6)
    value, g = s2s.value_and_grad(riccati)(q, N)
    assert value == riccati(q, N)
    assert_close(g, fd, rtol=1e-6)
    value, pullback = s2s.vjp(riccati)(q, N)
    assert_close(pullback(1.0), fd, rtol=1e-6)
    value, tangent = s2s.jvp(riccati)((q, N), (1.0,))
    assert value == riccati(q, N)
    assert_close(tangent, fd, rtol=1e-6)
    for mode in ("reverse", "forward"):
        assert_close(s2s.jacobian(riccati, mode=mode)(q, N), fd, rtol=1e-6)
    h = (riccati(q + 1e-4, N) - 2 * riccati(q, N) + riccati(q - 1e-4, N)) / 1e-8
    assert_close(s2s.hessian(riccati)(q, N), h, rtol=1e-4)


def test_riccati_vector_output_is_exact_in_every_mode():
    q, N = np.array([0.9, 1.3]), 6
    value = riccati_vec(q, N)
    fd = _fd(lambda v: riccati_vec(v, N), q)
    for mode in ("reverse", "forward"):
        assert_close(s2s.jacobian(riccati_vec, mode=mode)(q, N), fd, rtol=1e-6)
    cot = np.array([0.3, -1.1, 0.7])
    out, pullback = s2s.vjp(riccati_vec)(q, N)
    assert np.array_equal(out, value)
    assert_close(pullback(cot), cot @ fd, rtol=1e-6)
    out, tangent = s2s.jvp(riccati_vec)((q, N), (np.array([1.0, -0.5]),))
    assert_close(tangent, fd @ np.array([1.0, -0.5]), rtol=1e-6)


def _structured_calls(fn, N, monkeypatch):
    calls = [0]
    real = core._structured

    def counted(g, x):
        calls[0] += 1
        return real(g, x)

    monkeypatch.setattr(core, "_structured", counted)
    try:
        fn(0.8, N)
    finally:
        monkeypatch.setattr(core, "_structured", real)
    return calls[0]


def test_riccati_gradient_makes_the_list_adjoint_whole_once(monkeypatch):
    g = s2s.grad(riccati)
    g(0.8, 3)
    small, large = _structured_calls(g, 100, monkeypatch), _structured_calls(g, 400, monkeypatch)
    assert large < 6 * small, (small, large)  # linear: ~4x (it was ~16x: N parts in each of N iterations)


def test_riccati_tangents_are_written_in_place():
    # 2. Its jvp built each write's tangent list out of place (`rt.setitem_adjoint(dP, t) + rt.setitem_tangent(...)`,
    # two lists of N + 1 an iteration): ad/list_slots.py did not know `[None] * (N + 1)` for a list, so the write was
    # seen through the parts it holds (`q * np.eye(2)`'s tangent, read each iteration). Now `dP[t] = dv`.
    source = s2s.jvp(riccati).source
    assert "setitem_adjoint" not in source and "dP_1[t8] = rt.written_tangent(dt34, P)" in source


def iir(a, x):
    y = [0.0]
    for t in range(1, len(x)):
        y.append(x[t] + a * y[-1])
    return sum(v * v for v in y)


def test_iir_list_grown_by_append_is_exact_in_every_mode():
    x = np.array([0.3, -1.2, 0.8, 0.5, -0.4, 1.1])
    a = 0.7
    fd = (iir(a + 1e-6, x) - iir(a - 1e-6, x)) / 2e-6
    value, g = s2s.value_and_grad(iir)(a, x)
    assert value == iir(a, x)
    assert_close(g, fd, rtol=1e-6)
    assert_close(s2s.jvp(iir)((a, x), (1.0,))[1], fd, rtol=1e-6)
    for mode in ("reverse", "forward"):
        assert_close(s2s.jacobian(iir, mode=mode)(a, x), fd, rtol=1e-6)
    h = (iir(a + 1e-4, x) - 2 * iir(a, x) + iir(a - 1e-4, x)) / 1e-8
    assert_close(s2s.hessian(iir)(a, x), h, rtol=1e-4)
    hx = _fd(lambda v: s2s.grad(iir, wrt=1)(a, v), x)
    assert_close(s2s.hessian(iir, wrt=1)(a, x), hx, rtol=1e-5, atol=1e-7)


def test_iir_hessian_grows_the_list_in_place():
    # 3. The Hessian (jvp of the gradient) rebuilt the list each append (`y_1_1 = y_1_1 + [t6]`), and
    # rt.appended_tangent then copied the tangents too (its list was a new one): O(n^2). The gradient's
    # `by_1 = rt.accumulator(y_1)` was taken for a read that may keep the list (back/growing.py); it keeps none.
    source = s2s.hessian(iir).source
    assert "y_1_1 += [t6]" in source and "y_1_1 = y_1_1 + [" not in source
