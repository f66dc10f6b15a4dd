"""Round 9 ODE hunt (hunt9ode), cost: second derivatives of a loop writing rows of a trajectory were O(n^2).

Forward mode over generated gradient code (s2s.hessian, grad of grad, jacobian of grad) rebuilt whole arrays per
step: the forward sweep's `U[t + 1] = ...` as `rt.setitem_adjoint(dU, t8) + rt.setitem_tangent(dt7, U, t8)` (the
row's tangent `dU[t]`, copied by rt.copy_saved and pushed, and the sums of such rows counted as sharing dU's
memory, and so as read after the write), and the reversed loop's own writes into its adjoint (`bU[t] = 0.0`,
`bU = rt.add_at(bU, g, U, t)`) as `rt.setitem_adjoint(dbU, t)` and `dbU + rt.getitem_adjoint(dg, U, t)`. Now
ad/forward_writes.py writes them all in place where forward mode owns the tangent array and nothing that may
share it is read after (the sums and copies of NumPy values are new arrays; what is written into a NumPy
array's tangents is copied there, not held). The Hessian of a 16,000-step heat equation: 106 s -> 0.64 s.
Values checked against finite differences of the gradient (and a closed form) in every second-order mode.
"""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


def rows(a, n):
    U = np.zeros((n + 1, 50))
    U[0] = 1.0
    for t in range(n):
        U[t + 1] = U[t] * a
    return np.sum(U)


def heat_traj(alpha, n, m=12):
    U = np.zeros((n + 1, m))
    U[0] = np.sin(np.linspace(0, 3, m))
    for t in range(n):
        U[t + 1, 1:-1] = U[t, 1:-1] + alpha * (U[t, 2:] - 2 * U[t, 1:-1] + U[t, :-2])
    return np.sum(U ** 2)


def branches(a, n):
    U = np.zeros((n + 1, 5))
    U[0] = 1.0
    for t in range(n):
        if t % 2 == 0:
            U[t + 1] = U[t] * a
        else:
            U[t + 1] = np.tanh(U[t]) + a
    return np.sum(U ** 2)


def numbers(a, n):
    y = np.zeros(n + 1)
    y[0] = 1.0
    for i in range(1, n + 1):
        y[i] = np.sin(y[i - 1]) * a + y[i - 1]
    return np.sum(y ** 2)


def nested(a, n):
    R = np.zeros((n, 4))
    for i in range(n):
        for k in range(4):
            R[i, k] = a * (i + k) + (R[i - 1, k] * a if i > 0 else 0.0)
    return np.sum(R ** 2)


def kept(a, n):  # the row written is read again after the write, and kept in a list read at the end
    U = np.zeros((n + 1, 3))
    U[0] = np.array([1.0, 0.5, -0.3])
    hist = []
    s = 0.0
    for t in range(n):
        v = np.sin(U[t]) * a
        U[t + 1] = v
        hist.append(v)
        s = s + np.sum(v * U[t + 1])
    return s + np.sum(U) + np.sum(hist[0] * hist[-1])


def listed(a, n):  # a list's adjoint: rt.add_at into it holds the added value (not made in place)
    xs = [a * 1.0, a * 2.0]
    U = np.zeros((n + 1, 3))
    U[0] = 1.0
    for t in range(n):
        U[t + 1] = U[t] * xs[t % 2] + 0.1
    return np.sum(U ** 2)


def rewritten(a, n):  # a copy of the row, written, and rows written twice a step
    U = np.ones((n + 1, 4))
    for t in range(n):
        w = U[t] * 1.0
        U[t + 1, 1:] = w[:-1] * a
        U[t + 1, 0] = w[-1]
        w[0] = a
        U[t] = U[t] + w * 0.1
    return np.sum(U ** 2)


def shifted(a, n):  # the row written is the tangent of the row read (U[t] + 0.1): a view of dU, pushed
    U = np.zeros((n + 1, 3))
    U[0] = a
    acc = np.zeros(3)
    for t in range(n):
        if t % 3 == 0:
            U[t + 1] = U[t] * a
        else:
            U[t + 1] = U[t] + 0.1
        acc = acc + U[t + 1] * U[t]
    return np.sum(acc)


def vector_rows(x, n):
    U = np.zeros((n + 1, x.shape[0]))
    U[0] = x
    for t in range(n):
        U[t + 1] = np.sin(U[t]) * x
    return np.sum(U ** 2)


SCALAR_CASES = [(rows, 0.9, 6), (heat_traj, 0.2, 7), (branches, 0.7, 6), (numbers, 0.8, 7), (nested, 0.6, 4),
                (kept, 0.8, 5), (listed, 0.8, 5), (rewritten, 0.9, 4), (shifted, 0.7, 7)]


@pytest.mark.parametrize("f, a, n", SCALAR_CASES, ids=[c[0].__name__ for c in SCALAR_CASES])
def test_second_derivatives_against_differences_of_the_gradient(f, a, n):
    expected = numeric_grad(lambda a_: s2s.grad(f)(a_, n), (a,), 0)
    assert_close(s2s.hessian(f)(a, n), expected, what="hessian")
    assert_close(s2s.grad(s2s.grad(f))(a, n), expected, what="grad of grad")
    assert_close(s2s.jacobian(s2s.grad(f), mode="forward")(a, n), expected, what="jacobian(grad, forward)")
    assert s2s.hessian(f)(a, n) == s2s.grad(s2s.grad(f))(a, n)


def test_rows_closed_form():
    # sum over t of 50 a^t: the second derivative is 50 * sum t (t - 1) a^(t - 2)
    a, n = 0.9, 9
    exact = 50 * sum(t * (t - 1) * a ** (t - 2) for t in range(2, n + 1))
    assert_close(s2s.hessian(rows)(a, n), exact, rtol=1e-12, what="hessian")
    assert_close(s2s.grad(s2s.grad(rows))(a, n), exact, rtol=1e-12, what="grad of grad")


def test_vector_parameter():
    x, n = np.array([0.3, -0.5, 0.8]), 6
    expected = np.array([numeric_grad(lambda x_: s2s.grad(vector_rows)(x_, n)[i], (x,), 0) for i in range(3)])
    assert_close(s2s.hessian(vector_rows)(x, n), expected, what="hessian")
    assert_close(s2s.jacobian(s2s.grad(vector_rows), mode="forward")(x, n), expected, what="jacobian forward")
    assert_close(s2s.jacobian(s2s.grad(vector_rows))(x, n), expected, what="jacobian reverse")
    x0 = x.copy()
    s2s.hessian(vector_rows)(x, n)
    assert np.array_equal(x, x0)


def _loop_lines(source: str) -> list:
    """The code lines inside the loops of the generated jvp function."""
    out, depth = [], None
    for line in source.splitlines():
        code = line.strip()
        if not code or code.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        if code.startswith("for "):
            depth = indent if depth is None else min(depth, indent)
            continue
        if depth is not None and indent > depth:
            out.append(code)
        elif depth is not None and indent <= depth:
            depth = None
    return out


@pytest.mark.parametrize("f", [rows, heat_traj, branches, vector_rows])
def test_no_whole_array_rebuilt_per_step(f):
    for derived in (s2s.grad(s2s.grad(f)), s2s.hessian(f)):
        lines = _loop_lines(derived.source)
        assert lines
        rebuilt = [l for l in lines if any(h in l for h in ("rt.setitem_adjoint(", "rt.setitem_tangent(",
                                                               "rt.getitem_adjoint(", "rt.batch_setitem("))]
        assert not rebuilt, rebuilt
        assert any(l.startswith("dU") and "] = " in l for l in lines)  # (the forward sweep's row, in place)
        assert any(l.startswith("dbU") and "rt.add_at(dbU" in l for l in lines)  # (the reversed loop's sum)


def test_rows_generated_text():
    source = s2s.grad(s2s.grad(rows)).source
    assert "dU_1[t8] = dt7" in source
    assert "dbU_2_1[t27] = 0.0" in source
    assert "dbU_2_1 = rt.add_at(dbU_2_1, dt20, U, t22)" in source
