"""Adjoints of several reads of one array written into one buffer by index (optimize/scatter.py).

Every derivative is checked against central finite differences (or an analytic formula); the first and
second derivatives go through the rewritten gradient, which second-order transformations read again.
"""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad, numeric_hessian


def slices(x):
    return np.sum(np.sin(x[0:3]) * (x[3:6] - 0.5)) + x[7] ** 2 * x[6]


def ints(x):
    return x[0] * x[2] + x[-1] ** 3 + np.cos(x[0]) - x[-2] * x[1]


def negative_steps(x):
    return np.sum(x[::-1] * np.cos(x)) + np.sum(x[4:1:-1] ** 2) + np.sum(x[::-2] - x[1:3].sum())


def overlapping(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2) + np.sum(x[1:4] * x[2:7:2] ** 2)


def fancy_repeats(x):
    idx = np.array([1, 1, 3, 0])
    return np.sum(x[idx] ** 3) + np.sum(x[[0, 0, 2]] * x[0:3]) - x[1:4].sum() ** 2


def columns(A):
    return np.sum(A[:, 0] * np.sin(A[:, 1])) + np.sum(A[1] ** 2) - A[2, 3] * A[0, 0] + np.sum(A[:, 0] ** 2)


def loop_and_outside(x):
    s = x[0] * (x[1:3] - 1.0).sum()
    for i in range(len(x) - 1):
        s = s + np.sin(x[i]) * x[i + 1]
    return s + x[-1] ** 2 - np.sum(x[2:] * x[:-2])


def fresh_array(x):
    y = np.exp(x) - 1.0
    return np.sum(y[1:] * y[:-1]) + y[0] ** 2


def ufunc_result(x):
    y = np.sin(x)  # (an array whatever x is: a ufunc's result)
    return np.sum(y[1:] * y[:-1]) + y[0] * y[2]


def gated_loop(x):
    # slices made in a loop from a length known when it runs: one buffer per reversed iteration
    h = x[:2]
    for t in range(3):
        g = np.concatenate((h, x[2:4])) * x[4:8] + 0.5
        b = h.shape[0]
        h = np.tanh(g[0:b]) * np.sin(g[b:2 * b]) + h
    return np.sum(h * h)


def windows(x):
    # y[0:k] and y[k:m] share a bound (disjoint, m counted from the back); y[m - 1:] overlaps y[k:m]
    s = 0.0
    for k in range(1, 4):
        m = k - 5
        y = x * 1.5
        s = s + np.sum(np.sin(y[0:k])) * np.sum(y[k:m] ** 2) + np.sum(np.cos(y[m - 1:]) * y[0:k].sum())
    return s


def packed_gates(x):
    # four parts of one vector, as an LSTM packs its gates: g[0:b], g[b:2 * b], g[2 * b:3 * b], g[3 * b:]
    h = x[:2]
    for t in range(2):
        g = np.concatenate((h, h, x[2:4], x[4:6])) * x[6:14]
        b = h.shape[0]
        h = np.tanh(g[0:b]) * np.sin(g[b:2 * b]) + np.cos(g[2 * b:3 * b]) * g[3 * b:]
    return np.sum(h * h)


def overlapping_gates(x):
    # g[0:2 * b] and g[b:3 * b] overlap (b >= 0): the second write adds to the first
    h = x[:2]
    for t in range(2):
        g = np.concatenate((h, x[2:4], x[4:6])) * x[6:12]
        b = h.shape[0]
        u = np.tanh(g[0:2 * b]) * np.sin(g[b:3 * b])
        h = u[0:2] + u[2:4] * h
    return np.sum(h * h)


CASES = [(slices, 9), (ints, 5), (negative_steps, 7), (overlapping, 8), (fancy_repeats, 5),
         (loop_and_outside, 6), (fresh_array, 5), (ufunc_result, 5), (gated_loop, 8), (windows, 7),
         (packed_gates, 14), (overlapping_gates, 12)]


def _point(n, seed):
    return np.random.default_rng(seed).uniform(-1.2, 1.2, size=n)


@pytest.mark.parametrize("f,n", CASES, ids=[c[0].__name__ for c in CASES])
def test_gradient_and_value(f, n):
    x = _point(n, n)
    value, g = s2s.value_and_grad(f)(x)
    assert value == pytest.approx(f(x))
    assert g.shape == x.shape and g.dtype == np.float64
    assert_close(g, numeric_grad(f, (x,), 0), what=f.__name__)


@pytest.mark.parametrize("f,n", CASES, ids=[c[0].__name__ for c in CASES])
def test_second_order(f, n):
    x = _point(n, n + 1)
    expected = numeric_hessian(f, x)
    atol = 1e-5 * max(1.0, np.abs(expected).max())  # (the differences' noise grows with the entries)
    assert_close(s2s.hessian(f)(x), expected, rtol=1e-4, atol=atol, what="hessian")
    assert_close(s2s.jacobian(s2s.grad(f), mode="reverse")(x), expected, rtol=1e-4, atol=atol, what="grad of grad")
    v = _point(n, 7)
    _, dg = s2s.jvp(s2s.grad(f))((x,), (v,))
    assert_close(dg, expected @ v, rtol=1e-4, atol=atol * n, what="jvp of grad")


def test_two_dimensional_columns():
    A = _point(12, 3).reshape(3, 4)
    assert_close(s2s.grad(columns)(A), numeric_grad(columns, (A,), 0), what="grad")
    H = s2s.hessian(columns)(A)
    assert H.shape == (3, 4, 3, 4)
    assert_close(H, numeric_hessian(columns, A), rtol=1e-4, atol=1e-5, what="hessian")


def test_rosenbrock_reads_as_written_by_hand():
    from benchmarks.workloads import rosenbrock
    src = s2s.grad(rosenbrock).source
    assert "getitem_adjoint" not in src
    lines = [line.strip() for line in src.splitlines()]
    start = lines.index("bx = rt.zeros_like(x)")
    # (x[:-1], read twice, is one read: its adjoint one sum, bt2)
    assert lines[start + 1:start + 4] == ["bx[:-1] = bt2", "bx[1:] += bt4", "return bx"]
    # x[1:] and x[:-1] have one shape whatever x's length: no broadcast to undo, no ones to seed the sum
    assert "unbroadcast" not in src and "np.full" not in src
    x = _point(20, 0)
    a, b = x[:-1], x[1:]
    expected = np.zeros_like(x)  # the analytic gradient
    expected[:-1] = -400.0 * a * (b - a * a) - 2.0 * (1.0 - a)
    expected[1:] += 200.0 * (b - a * a)
    assert_close(s2s.grad(rosenbrock)(x), expected, rtol=1e-12, atol=1e-12, what="rosenbrock")


def test_a_ufunc_result_is_an_array():
    src = s2s.grad(ufunc_result).source
    assert "rt.getitem_adjoint(" not in src and "by = rt.zeros_like(y)" in src


def test_disjoint_parts_are_plain_writes():
    src = s2s.grad(slices).source
    assert "getitem_adjoint" not in src
    body = [line.strip() for line in src.splitlines()]
    writes = [line for line in body if line.startswith("bx[")]
    assert len(writes) == 4 and not any("bx" in line.split(" = ")[1] for line in writes), writes


def test_reads_after_a_reversed_loop_share_a_buffer():
    src = s2s.grad(loop_and_outside).source
    assert "rt.getitem_adjoint(" not in src and src.count("= rt.zeros_like(x)") == 2  # (line 42; line 39)
    assert "rt.accumulator(x" in src  # (the loop's x[i] still add into their accumulator in place)


def test_slices_made_in_a_loop_are_written_into_one_buffer_per_iteration():
    src = s2s.grad(gated_loop).source
    back = [line.strip() for line in src[src.index("reversed("):].splitlines()]
    assert not any("rt.getitem_adjoint(" in line for line in back[:back.index("# adjoint of line 57: h = x[:2]")]), src
    assert "bg = rt.zeros_like(g)" in back, src
    writes = [line for line in back if line.startswith("bg[")]
    # g[0:b] and g[b:2 * b] share the bound b: the second write is a plain one too
    assert len(writes) == 2 and not any(map(_adds, writes)), writes
    src = s2s.grad(packed_gates).source  # (g[0:b] ends before g[2 * b:3 * b] starts, b a shape's entry: >= 0)
    writes = [line.strip() for line in src.splitlines() if line.strip().startswith("bg[")]
    assert len(writes) == 4 and not any(map(_adds, writes)), src
    src = s2s.grad(overlapping_gates).source
    writes = [line.strip() for line in src.splitlines() if line.strip().startswith("bg[")]
    assert len(writes) == 2 and _adds(writes[1]), src
    src = s2s.grad(windows).source
    writes = [line.strip() for line in src.splitlines() if line.strip().startswith("by[")]
    # (the two reads y[0:k] are one, merged before differentiation; each write after the first overlaps an
    # earlier one, or may: y[0:k] and y[m - 1:] share no bound)
    assert len(writes) == 3 and [_adds(line) for line in writes] == [False] + [True] * 2, src


def _adds(write: str) -> bool:
    """Does the buffer write `write` add to what the buffer holds (`bg[s] += v`, `bg[s] = bg[s] * c + v`)?"""
    target, _, value = write.partition(" = ")
    return " += " in write or target.split("[")[0] + "[" in value


def test_fancy_index_keeps_its_accumulating_term():
    src = s2s.grad(fancy_repeats).source
    assert "rt.getitem_adjoint(" in src  # x[idx], x[[0, 0, 2]]: repeated elements add up (np.add.at)
    x = np.array([0.5, -0.3, 0.8, 1.1, -0.7])
    # x1^3 twice + x3^3 + x0^3, + x0 x0 + x0 x1 + x2 x2, - (x1 + x2 + x3)^2
    s = x[1] + x[2] + x[3]
    g = np.array([3 * x[0] ** 2 + 2 * x[0] + x[1], 6 * x[1] ** 2 + x[0] - 2 * s, 2 * x[2] - 2 * s,
                  3 * x[3] ** 2 - 2 * s, 0.0])
    assert_close(s2s.grad(fancy_repeats)(x), g, rtol=1e-12, atol=1e-12, what="fancy")


def pair_sum(p):
    return p[0] * p[1] + p[0] ** 2 + np.sum(p[1:3])


def test_containers_keep_the_old_form():
    p = (0.5, 2.0, -0.25)
    src = s2s.grad(pair_sum).source
    assert "zeros_like" not in src
    g = s2s.grad(pair_sum)(p)
    assert isinstance(g, tuple) and len(g) == 3
    assert g[0] == pytest.approx(p[1] + 2 * p[0])
    assert g[1] == pytest.approx(p[0] + 1.0)
    assert g[2] == pytest.approx(1.0)


def complex_chain(z):
    return np.sum(z[1:] * z[:-1]) + z[0] ** 2


def test_complex_input_is_refused():
    """s2s differentiates real functions (docs/limitations.md, Complex numbers): a complex argument is refused
    before the generated code runs, so no buffer of the wrong dtype is made."""
    z = np.array([1.0 + 2.0j, -0.5 + 0.1j, 0.3 - 1.0j, 2.0 + 0.0j])
    with pytest.raises(TypeError, match="the argument 'z' .*complex128"):
        s2s.grad(complex_chain)(z)


def float32_parts(x):
    return np.sum(x[1:] * x[:-1]) + x[0]


def test_buffer_dtype_is_getitem_adjoints():
    x = np.array([0.5, -1.5, 2.0], dtype=np.float32)
    g = s2s.grad(float32_parts)(x)
    assert g.dtype == np.float32  # (the argument's precision, as JAX gives it: api/precision.py)
    assert_close(g, [x[1] + 1.0, x[0] + x[2], x[1]], what="float32")


def test_vjp_keeps_its_closure_and_pulls_back_twice():
    from benchmarks.workloads import ba_inputs, ba_residual
    p, feat = ba_inputs()[:2]
    vjp = s2s.vjp(ba_residual)
    value, pullback = vjp(p, feat)
    assert "def pullback_" not in vjp.source  # (no second run of the forward sweep inside the pullback)
    e0, e1 = np.array([1.0, 0.0]), np.array([0.0, 1.0])
    first, again, other = pullback(e0), pullback(e0), pullback(e1)
    assert np.array_equal(first, again)
    for row, g in ((0, first), (1, other)):
        assert_close(g, numeric_grad(lambda q: ba_residual(q, feat)[row], (p,), 0), what=f"row {row}")


@pytest.mark.parametrize("shape,index,value_shape,dtype", [
    ((6,), (slice(1, None),), (5,), np.float64),
    ((6,), (slice(None, None, -2),), (), np.float64),
    ((6,), (4,), (), np.float64),
    ((3, 4), (slice(None), 0), (3,), np.float64),
    ((3, 4), (1,), (1,), np.float64),
    ((5,), (slice(0, 3),), (3,), np.complex128),
    ((5,), (np.array([0, 2, 2]),), (3,), np.float64),
], ids=["slice", "step_scalar", "int", "column", "row_broadcast", "complex", "fancy"])
def test_batch_setitem_tangent_is_setitem_tangent_per_tangent(shape, index, value_shape, dtype):
    from s2s import runtime as rt
    r = np.random.default_rng(1)
    ans = np.zeros(shape, dtype=dtype)
    d = r.normal(size=(4,) + value_shape).astype(dtype)
    batch = rt.batch_setitem_tangent(d, ans, *index)
    assert batch.shape == (4,) + shape
    for k in range(4):
        np.testing.assert_array_equal(batch[k], rt.setitem_tangent(d[k], ans, *index))
    assert rt.batch_setitem_tangent(0.0, ans, *index) == 0.0


def trimmed_alike(x):
    return np.sum(x[2:] * x[:-2]) + np.sum(np.sin(x[1:-1]) * x[:-2])


def trimmed_differently(x):
    return np.sum((x[1:] - 0.5) * x[:-2].sum()) + np.sum(x[2:4] * x[-2:])


@pytest.mark.parametrize("f", [trimmed_alike, trimmed_differently])
def test_parts_trimmed_by_as_much_share_a_shape(f):
    src = s2s.grad(f).source
    if f is trimmed_alike:  # x[2:], x[:-2], x[1:-1]: n - 2 elements each
        assert "unbroadcast" not in src and "np.full" not in src
    else:  # x[1:] against x[:-2] (a sum: a number), x[2:4] against x[-2:] (equal only for long x)
        assert "rt.unbroadcast(" in src
    for n in (2, 3, 6) if f is trimmed_alike else (4, 7):
        x = _point(n, n)
        assert_close(s2s.grad(f)(x), numeric_grad(f, (x,), 0), what=f"{f.__name__} n={n}")
