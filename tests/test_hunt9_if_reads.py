"""Round 9 linear-algebra hunt (hunt9la), C1: element reads inside an `if` in a loop cost O(size) each.

A reversed loop adds the adjoint of an element read `A[i, j]` of an array defined before the loop into one
accumulator in place (`bA[i, j] += g`). A read inside an `if` gave instead, per reversed iteration, a dense
array of zeros (`bA = rt.getitem_adjoint(g, A, i, j)`), joined with the other branch's 0.0 and added as a
whole (`bA_1 = rt.add_into(bA_1, bA)`): O(n^2) per element of an n x n matrix, O(n^4) for the sum over j != i
of Jacobi / Gauss-Seidel / SOR. Such a read is now added into the accumulator where its branch runs (also in
an else, in both arms, an elif, a nested if). Every derivative checked against central differences (and the
closed form of the sum over j != i), in every mode; the generated adjoint checked to hold no dense zeros.
"""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad


def offdiag(A, x):
    n = len(x)
    s = 0.0
    for i in range(n):
        for j in range(n):
            if j != i:
                s = s + A[i, j] * x[j]
    return s


def read_in_else(A, x):
    n = len(x)
    s = 0.0
    for i in range(n):
        for j in range(n):
            if j == i:
                s = s + x[j] ** 2
            else:
                s = s + np.sin(A[i, j]) * x[j]
    return s


def read_in_both(A, x):
    n = len(x)
    s = 0.0
    for i in range(n):
        for j in range(n):
            if j > i:
                s = s + A[i, j] * x[j] ** 2
            else:
                s = s + 2.0 * A[i, j] ** 2 * x[i] + A[j, i] * x[j]
    return s


def read_in_elif(A, x):
    n = len(x)
    s = 0.0
    for i in range(n):
        for j in range(n):
            if j < i:
                s = s + A[i, j] * x[j]
            elif j > i:
                s = s + np.sin(A[i, j]) * x[i]
            else:
                s = s + x[j] * A[j, j] ** 2
    return s


def read_in_nested_if(A, x):
    n = len(x)
    s = 0.0
    for i in range(n):
        for j in range(n):
            if j != i:
                if A[i, j] > 0:
                    s = s + A[i, j] * x[j] ** 2
                else:
                    s = s - A[i, j] ** 2 * x[j]
    return s


def vector_read_in_if(A, x):
    n = len(x)
    s = 0.0
    for i in range(n):
        if i > 0:
            s = s + x[i] * x[i - 1] * A[i, i - 1]
        s = s + x[i] ** 2
    return s


def written_elsewhere(A, x):
    n = len(x)
    y = x.copy()
    s = 0.0
    for i in range(1, n):
        if i % 2 == 0:
            s = s + y[i - 1] * x[i] + A[i, i] ** 2
        y[i] = y[i - 1] * 0.5 + x[i] ** 2
    return s + np.sum(y ** 2)


def break_other_arm(A, x):
    n = len(x)
    s = 0.0
    for i in range(n):
        if x[i] > 1.5:
            break
        else:
            s = s + A[i, i] * x[i] ** 2 + A[i, n - 1 - i] * x[i]
    return s


def sor(A, b):
    n = len(b)
    x = np.zeros(n)
    for sweep in range(3):
        for i in range(n):
            sigma = 0.0
            for j in range(n):
                if j != i:
                    sigma = sigma + A[i, j] * x[j]
            x[i] = x[i] + 1.2 * ((b[i] - sigma) / A[i, i] - x[i])
    return np.sum(x ** 2)


def lap_if(x):
    n = len(x)
    y = np.zeros(n)
    for i in range(n):
        y[i] = -2 * x[i]
        if i > 0:
            y[i] += x[i - 1]
        if i < n - 1:
            y[i] += x[i + 1]
    return np.sum(y ** 2)


def _inputs(n=4, seed=3):
    rng = np.random.default_rng(seed)
    A = rng.uniform(0.3, 1.0, (n, n)) * rng.choice([-1.0, 1.0], (n, n)) + 4.0 * np.eye(n)
    x = rng.uniform(-1.0, 1.0, n)
    x[-1] = 2.0  # (break_other_arm stops before the last element)
    return A, x


def _mixed_hessian(f, A, x, eps=1e-4):
    """Central second differences of f(A, x) over the entries of A and x together: (A.size + n) squared."""
    p = np.concatenate([A.ravel(), x])

    def g(p):
        return f(p[:A.size].reshape(A.shape), p[A.size:])
    out = np.zeros((p.size, p.size))
    for a in range(p.size):
        for b in range(p.size):
            e, d = np.zeros(p.size), np.zeros(p.size)
            e[a], d[b] = eps, eps
            out[a, b] = (g(p + e + d) - g(p + e - d) - g(p - e + d) + g(p - e - d)) / (4 * eps * eps)
    return out


def check_two(f, A, x, hessian=True):
    kept = A.copy(), x.copy()
    value = f(A, x)
    gA, gx = numeric_grad(f, (A, x), 0), numeric_grad(f, (A, x), 1)
    got = s2s.grad(f, wrt=(0, 1))(A, x)
    assert_close(got[0], gA, what=f"{f.__name__}: grad A")
    assert_close(got[1], gx, what=f"{f.__name__}: grad x")
    v, got = s2s.value_and_grad(f, wrt=(0, 1))(A, x)
    assert v == pytest.approx(value, rel=1e-12, abs=1e-12)
    assert_close(got[0], gA, what=f"{f.__name__}: value_and_grad A")
    assert_close(got[1], gx, what=f"{f.__name__}: value_and_grad x")
    v, pullback = s2s.vjp(f, wrt=(0, 1))(A, x)
    assert v == pytest.approx(value, rel=1e-12, abs=1e-12)
    got = pullback(2.0)
    assert_close(got[0], 2.0 * gA, what=f"{f.__name__}: vjp A")
    assert_close(got[1], 2.0 * gx, what=f"{f.__name__}: vjp x")
    dA, dx = np.cos(np.arange(A.size)).reshape(A.shape), np.linspace(-1.0, 1.0, x.size)
    v, t = s2s.jvp(f, wrt=(0, 1))((A, x), (dA, dx))
    assert v == pytest.approx(value, rel=1e-12, abs=1e-12)
    assert_close(t, np.sum(gA * dA) + np.sum(gx * dx), what=f"{f.__name__}: jvp")
    for mode in ("reverse", "forward"):
        assert_close(s2s.jacobian(f, wrt=0, mode=mode)(A, x), gA, what=f"{f.__name__}: jacobian A {mode}")
        assert_close(s2s.jacobian(f, wrt=1, mode=mode)(A, x), gx, what=f"{f.__name__}: jacobian x {mode}")
    if hessian:
        H = _mixed_hessian(f, A, x)
        m = A.size
        assert_close(s2s.hessian(f, wrt=0)(A, x).reshape(m, m), H[:m, :m], 1e-4, 1e-5, what=f"{f.__name__}: hessian A")
        assert_close(s2s.hessian(f, wrt=1)(A, x), H[m:, m:], 1e-4, 1e-5, what=f"{f.__name__}: hessian x")
        cross = s2s.jacobian(s2s.grad(f, wrt=0), wrt=1)(A, x)  # d(grad A)/dx: grad of grad, across arguments
        assert_close(cross.reshape(m, x.size), H[:m, m:], 1e-4, 1e-5, what=f"{f.__name__}: grad of grad")
    assert np.array_equal(A, kept[0]) and np.array_equal(x, kept[1]), f"{f.__name__}: an argument changed"


def _adjoint(f, wrt=(0, 1)) -> str:
    source = s2s.grad(f, wrt=wrt).source
    return source[source.index("# adjoint of"):]


@pytest.mark.parametrize("f", [offdiag, read_in_else, read_in_both, read_in_elif, read_in_nested_if,
                               vector_read_in_if, break_other_arm])
def test_reads_inside_if_every_mode(f):
    A, x = _inputs()
    check_two(f, A, x)
    adjoint = _adjoint(f)  # (the reads' adjoints added where they are made: no zeros of A's or x's size)
    assert "getitem_adjoint" not in adjoint and "add_into" not in adjoint, adjoint


def test_offdiag_closed_form():
    A, x = _inputs(6, seed=1)
    gA, gx = s2s.grad(offdiag, wrt=(0, 1))(A, x)
    off = 1.0 - np.eye(6)
    assert_close(gA, off * x[None, :], what="d/dA sum_{j != i} A[i, j] x[j]")
    assert_close(gx, np.sum(A * off, axis=0), what="d/dx sum_{j != i} A[i, j] x[j]")
    assert "bA_2[i_1, j_1] += t5" in s2s.grad(offdiag, wrt=(0, 1)).source


def test_array_written_elsewhere_in_the_loop():
    A, x = _inputs(5)
    check_two(written_elsewhere, A, x)
    assert "bA_1[i_1, i_1] +=" in _adjoint(written_elsewhere)


def test_sor_every_mode():
    A, b = _inputs(4)
    check_two(sor, A, b, hessian=False)
    H = _mixed_hessian(sor, A, b, eps=1e-3)
    assert_close(s2s.hessian(sor, wrt=1)(A, b), H[16:, 16:], 1e-3, 1e-4, what="sor: hessian b")
    # (the element's adjoint added in place; bt7 * t6, popped from a stack, is no longer folded into it past the
    # write of bx_2 since 4abc649 follows what containers hold)
    assert "add_into(bA_1, bA)" not in _adjoint(sor) and "bA_2[i_1, j_1] += bt" in _adjoint(sor)


def test_stencil_with_boundary_ifs():
    x = np.linspace(-1.0, 1.3, 7) ** 2
    kept = x.copy()
    g = s2s.grad(lap_if)(x)
    assert_close(g, numeric_grad(lap_if, (x,), 0), what="lap_if: grad")
    L = -2.0 * np.eye(7) + np.eye(7, k=1) + np.eye(7, k=-1)
    assert_close(g, 2.0 * L.T @ (L @ x), what="lap_if: grad = 2 L^T L x")
    assert_close(s2s.hessian(lap_if)(x), 2.0 * L.T @ L, what="lap_if: hessian")
    assert_close(s2s.jacobian(s2s.grad(lap_if))(x), 2.0 * L.T @ L, what="lap_if: grad of grad")
    v = np.cos(np.arange(7.0))
    value, t = s2s.jvp(lap_if)((x,), (v,))
    assert value == pytest.approx(lap_if(x)) and t == pytest.approx(g @ v)
    assert_close(s2s.jacobian(lap_if, mode="forward")(x), g, what="lap_if: forward jacobian")
    assert np.array_equal(x, kept)
    adjoint = _adjoint(lap_if, 0)  # (y's adjoint, joined after each if, zeroed in place: no copy of it)
    assert "getitem_adjoint" not in adjoint and "add_into" not in adjoint and "setitem_adjoint" not in adjoint, \
        adjoint


# ----- the same cost for an array written in the loop: its adjoint, joined after an if, is the sweep's own
def writes_in_both_arms(x):
    n = len(x)
    y = x.copy()
    s = 0.0
    for i in range(n):
        if x[i] > 0:
            y[i] = y[i] * x[i]
        else:
            y[i - 1] = y[i - 1] + x[i] ** 2
        if i > 0:
            y[i] += x[i - 1] * y[i]
        s = s + y[i] * x[i]
    return s + np.sum(y * y * np.arange(1.0, n + 1))


def nested_write_then_break(x):
    n = len(x)
    y = np.zeros(n)
    for i in range(n):
        y[i] = -2 * x[i]
        if i % 2 == 0:
            if x[i] < 0.6:
                y[i] *= 1.5
            else:
                y[i] += 1.0
        if x[i] > 1.0:
            y[i] = y[i] + 1.0
            break
    return np.sum(y * y * np.arange(1.0, n + 1))


def write_then_continue(x):
    n = len(x)
    y = x * 1.0
    for i in range(n):
        if i < n - 1:
            y[i] += x[i + 1] * y[i]
        if x[i] > 1.0:
            y[i] = np.sin(x[i])
            continue
        if i > 1:
            y[i - 2] = y[i - 1] * 0.5
    return np.sum(y * y * np.arange(1.0, n + 1))


@pytest.mark.parametrize("f", [lap_if, writes_in_both_arms, nested_write_then_break, write_then_continue])
def test_array_written_in_ifs_every_mode(f):
    x = np.array([0.3, -0.7, 1.1, -0.2, 0.5, 0.9])
    check_every_mode(f, x, rtol=1e-5, atol=1e-6)
    v, pullback = s2s.vjp(f)(x)
    assert v == pytest.approx(f(x)) and np.allclose(pullback(2.0), 2.0 * numeric_grad(f, (x,), 0), 1e-5, 1e-6)
    adjoint = _adjoint(f, 0)  # (zeroed in place after the join: rt.zero_at, never a copy per iteration)
    assert "setitem_adjoint" not in adjoint, adjoint
