"""The runtime helpers of forward and vector (batched) forward mode, against NumPy and finite differences.

The helpers are faster spellings of what NumPy says directly (rt.cross_product for np.cross); each must give
what the NumPy expression gives, shapes, dtypes and non-finite entries included. Their derivative records are
checked in tests/rule_cases.py (both modes); here the values themselves, and the Jacobians of the benchmark's
programs that go through them against central finite differences.
"""
import os
import re
import sys

import numpy as np
import pytest

import s2s
from s2s import runtime as rt
from s2s.errors import S2SError
from conftest import assert_close

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks import handwritten, workloads  # noqa: E402


# ---------------------------------------------------------------- rt.cross_product is np.cross
SHAPES = [((3,), (3,)), ((15, 3), (3,)), ((3,), (15, 3)), ((4, 3), (4, 3)), ((2, 4, 3), (3,)), ((3,), (2, 4, 3)),
          ((2, 1, 3), (4, 3)), ((0, 3), (3,))]


@pytest.mark.parametrize("sa,sb", SHAPES)
def test_cross_product_is_np_cross(sa, sb):
    rng = np.random.default_rng(len(sa) * 10 + len(sb))
    a, b = rng.normal(size=sa), rng.normal(size=sb)
    got, expected = rt.cross_product(a, b), np.cross(a, b)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    assert_close(got, expected, rtol=1e-14, atol=1e-15, what=f"cross {sa} x {sb}")


def test_cross_product_keeps_np_cross_non_finite_pattern():
    """The matrix product against one vector also multiplies a_i by a zero: an infinite a_i must not make
    component i nan where np.cross leaves a_i out of it."""
    a = np.array([[np.inf, 1.0, 2.0], [0.5, np.nan, -1.0], [1.0, 2.0, 3.0]])
    b = np.array([0.0, 1.0, 0.0])
    for x, y in ((a, b), (b, a), (a[0], b), (b, a[1])):
        with np.errstate(invalid="ignore"):
            np.testing.assert_array_equal(rt.cross_product(x, y), np.cross(x, y))


def test_cross_product_other_dtypes_and_keywords_are_np_cross():
    a, b = np.arange(6).reshape(2, 3), np.array([1, -2, 4])
    got = rt.cross_product(a, b)
    assert got.dtype == np.cross(a, b).dtype
    np.testing.assert_array_equal(got, np.cross(a, b))
    m, v = np.arange(6.0).reshape(3, 2), np.array([0.5, -1.0, 2.0])
    np.testing.assert_array_equal(rt.cross_product(m, v, axisa=0), np.cross(m, v, axisa=0))
    assert rt.cross_product(np.array([1.0, 2.0]), np.array([3.0, -1.0])) == pytest.approx(-7.0)  # 2-vectors


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # (NumPy 2 deprecates np.cross of 2-vectors)
@pytest.mark.parametrize("sa,sb,n", [((3,), (3,), 15), ((3,), (3,), 1), ((3,), (3,), 0), ((4, 3), (4, 3), 5),
                                     ((2,), (2, 3), 3), ((2, 2, 3), (3,), 2)])
def test_cross_tangents_is_the_sum_of_np_cross_of_each(sa, sb, n):
    """rt.cross_tangents(da, db, a, b) is np.cross(da, b) + np.cross(a, db) for batches da, db (vector mode), each
    batch axis in front of the others: the one-step form for 3-vectors to rounding (a matrix product sums a_i b_j
    in its own order), the general one (other shapes, a 2-vector against a 3-vector) as rt.cross_product's sum; a
    bare zero tangent leaves its term out."""
    rng = np.random.default_rng(n + len(sa))
    a, b = rng.normal(size=sa), rng.normal(size=sb)
    da, db = rng.normal(size=(n,) + sa), rng.normal(size=(n,) + sb)

    def cross(u, v):  # of each tangent in the batch
        if n == 0:
            return np.zeros((0,) + np.cross(a, b).shape)
        return np.stack([np.cross(uk, v) for uk in u] if u.ndim > len(sa) else [np.cross(u, vk) for vk in v])
    got = rt.cross_tangents(da, db, a, b)
    expected = cross(da, b) + cross(a, db)
    assert got.shape == expected.shape and got.dtype == np.float64
    assert_close(got, expected, rtol=1e-14, atol=1e-15, what=f"cross tangents {sa} x {sb}")
    assert_close(rt.cross_tangents(0.0, db, a, b), cross(a, db), rtol=1e-14, atol=1e-15, what="da zero")
    assert_close(rt.cross_tangents(da, 0.0, a, b), cross(da, b), rtol=1e-14, atol=1e-15, what="db zero")


def test_cross_tangents_of_two_2_vectors_leave_vector_mode():
    """np.cross of two 2-vectors is a number: vector mode, which takes the result to have the operands' rank,
    leaves it to one tangent at a time (NotBatchable: the caller's fallback, exact)."""
    from s2s.rules.registry import NotBatchable
    with pytest.raises(NotBatchable):
        rt.cross_tangents(np.ones((3, 2)), 0.0, np.ones(2), np.ones(2))


def test_cross_tangents_keeps_np_cross_non_finite_pattern():
    a, b = np.array([0.5, -1.0, 2.0]), np.array([0.0, 1.0, 0.0])
    da = np.array([[np.inf, 1.0, 2.0], [0.5, np.nan, -1.0], [1.0, 2.0, 3.0]])
    db = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [np.inf, 0.0, 0.0]])
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(rt.cross_tangents(da, db, a, b), np.cross(da, b) + np.cross(a, db))


def test_tangents_of_np_cross_with_both_tangents_are_one_call():
    """np.cross(k, X) with both k and X depending on the argument: in vector mode one rt.cross_tangents."""
    p = workloads.ba_inputs()[0]
    jac = s2s.jacobian(workloads.ba_residual, mode="forward")
    got = jac(p, np.array([0.1, -0.2]))
    assert "rt.cross_tangents(dk, dX, k, X)" in jac.source, jac.source
    assert_close(got, handwritten.ba_jacobian(p, np.array([0.1, -0.2])), rtol=1e-10, atol=1e-12, what="BA")


def test_tangents_of_np_cross_are_spelled_cross_product():
    def f(k, X):
        return np.cross(k, X) * 2.0
    k, X = np.array([0.3, -0.2, 0.9]), np.array([1.0, 2.0, -0.5])
    jf = s2s.jvp(f, wrt=(0, 1))
    assert "rt.cross_product(dk, X)" in jf.source and "np.cross(dk" not in jf.source, jf.source
    dk, dX = np.array([0.1, 0.4, -0.3]), np.array([-0.2, 0.5, 0.7])
    _, t = jf((k, X), (dk, dX))
    step = 1e-6
    numeric = (f(k + step * dk, X + step * dX) - f(k - step * dk, X - step * dX)) / (2 * step)
    assert_close(t, numeric, rtol=1e-7, atol=1e-9, what="jvp of np.cross")


# ---------------------------------------------------------------- the benchmark's programs, vector mode
def _numeric_jacobian(f, args, step=1e-6):
    x = np.asarray(args[0], dtype=float)
    cols = []
    for e in np.eye(x.size):
        up = f(*((x + step * e.reshape(x.shape),) + tuple(args[1:])))
        down = f(*((x - step * e.reshape(x.shape),) + tuple(args[1:])))
        cols.append((np.asarray(up) - np.asarray(down)) / (2 * step))
    return np.stack(cols, axis=-1)


def test_bundle_adjustment_jacobian_in_vector_mode():
    p, feat = workloads.ba_inputs()
    jac = s2s.jacobian(workloads.ba_residual, mode="forward")
    got = jac(p, feat)
    assert "vector forward-mode" in jac.source
    assert_close(got, _numeric_jacobian(workloads.ba_residual, (p, feat)), rtol=1e-6, atol=1e-8, what="BA Jacobian")
    # the branch at a zero rotation too (np.cross of two arguments with tangents)
    p0 = p.copy()
    p0[0:3] = 0.0
    got = jac(p0, feat)
    num = _numeric_jacobian(workloads.ba_residual, (p0, feat))
    assert_close(got[:, 3:], num[:, 3:], rtol=1e-6, atol=1e-8, what="BA Jacobian at a zero rotation")


def test_rosenbrock_hessian_in_vector_mode():
    x, = workloads.rosenbrock_inputs()
    hess = s2s.hessian(workloads.rosenbrock)
    h = hess(x)
    assert_close(h, handwritten.rosenbrock_hessian(x), rtol=1e-12, atol=1e-10, what="Rosenbrock Hessian (analytic)")
    # the tangents of the gradient alone: the lines that only made the gradient itself are gone
    text = hess.source
    code = "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))
    assert "vector forward-mode" in text and "return dbx" in code and "rt.getitem_adjoint(" not in code, text


def test_hessian_keeps_the_gradient_checks():
    """The gradient's own value is dead code in a Hessian, its checks are not."""
    def f(x):
        return x * x
    with pytest.raises(ValueError, match="hessian needs"):
        s2s.hessian(f)(np.array([0.5, 1.0]))
    assert s2s.hessian(f)(0.5) == pytest.approx(2.0)


# ---------------------------------------------------------------- vector mode spells NumPy where ranks are known
def indexed(x):
    return x[1:3] * x[0] + x[None, 2] + x[..., -1]


def indexed_matrix(m):
    return np.sin(m[1, :]) + m[:, 0].sum() * m[0, 1]


def indexed_in_loop(x):
    total = 0.0
    for i in range(3):
        total = total + x[i] * x[i + 1]
    return total


def reductions(m):
    return (np.sum(m, axis=0) * np.mean(m, axis=-1, keepdims=True) + np.sum(m * m) + np.mean(m, axis=(0, 1))
            + np.sum(m, axis=1, keepdims=True))


def products(a, m, v):
    return np.dot(a, v) * (m @ v) + a @ m + np.dot(m, m) @ a + np.dot(v, a)


PLAIN = [
    (indexed, (np.array([0.3, -1.1, 0.8, 2.0]),), 0, ["dx[:, 1:3]", "dx[:, 0]", "dx[:, None, 2]", "dx[:, ..., -1]"]),
    (indexed_matrix, (np.arange(6.0).reshape(2, 3) / 5.0 - 0.4,), 0, ["dm[:, 1, :]", "dm[:, :, 0]", "dm[:, 0, 1]"]),
    (indexed_in_loop, (np.array([0.3, -1.1, 0.8, 2.0]),), 0, ["dx[:, i]"]),
    (reductions, (np.arange(6.0).reshape(2, 3) / 5.0 - 0.4,), 0,
     ["dm.sum(axis=1)", "dm.mean(axis=-1, keepdims=True)", "dm.mean(axis=(1, 2))",
      "dm.sum(axis=2, keepdims=True)"]),
]
for _w in range(3):
    PLAIN.append((products, (np.array([0.5, -0.2, 0.9]), np.arange(9.0).reshape(3, 3) / 7.0 - 0.5,
                             np.array([1.2, 0.4, -0.7])), _w, ["@"]))


@pytest.mark.parametrize("fn,args,wrt,spelled", PLAIN, ids=[f"{p[0].__name__}-{p[2]}" for p in PLAIN])
def test_vector_mode_spells_numpy_where_ranks_are_known(fn, args, wrt, spelled):
    jac = s2s.jacobian(fn, wrt=wrt, mode="forward")
    got = jac(*args)
    text = jac.source
    assert "vector forward-mode" in text, text
    for piece in spelled:
        assert piece in text, f"{piece!r} not in\n{text}"
    assert "rt.batch_getitem(" not in text and "rt.batch_sum(" not in text and "rt.batch_mean(" not in text, text
    assert "rt.batch_dot" not in text and "rt.batch_matmul" not in text, text

    def at(x):
        return fn(*(args[:wrt] + (x,) + args[wrt + 1:]))
    x = args[wrt]
    step = 1e-6
    cols = [(np.asarray(at(x + step * e.reshape(x.shape))) - np.asarray(at(x - step * e.reshape(x.shape)))) / (2 * step)
            for e in np.eye(x.size)]
    numeric = np.stack(cols, axis=-1).reshape(np.shape(at(x)) + x.shape)
    assert_close(got, numeric, rtol=1e-6, atol=1e-8, what=f"{fn.__name__} wrt {wrt}")


def test_a_list_element_keeps_the_batched_helper():
    """An element of a list (whose tangent is a list of batched tangents) has no rank: rt.batch_getitem."""
    def f(x, y):
        pair = [x * 2.0, y]
        return pair[0] * pair[1]
    x, y = np.array([0.5, -1.0]), np.array([2.0, 0.3])
    jac = s2s.jacobian(f, mode="forward")
    assert_close(jac(x, y), np.diag(2.0 * y), rtol=1e-12, atol=0, what="list element")


# ---------------------------------------------------------------- the batched helpers' fast paths are their general case
def _each_tangent(helper, d, *rest):
    return np.stack([np.asarray(helper(dk, *rest), dtype=np.result_type(d.dtype, np.float64)) for dk in d])


@pytest.mark.parametrize("shape,index", [((5,), (slice(None, -1),)), ((5,), (slice(1, None),)), ((5,), (2,)),
                                         ((3, 4), (1,)), ((3, 4), (slice(None), 2)), ((3, 4), (np.int64(1),)),
                                         ((5,), (np.array([0, 2, 2]),))])
def test_batch_getitem_adjoint_is_each_tangents_getitem_adjoint(shape, index):
    x = np.zeros(shape)
    g = x[index]
    rng = np.random.default_rng(3)
    for dtype in (np.float64, np.complex128, np.float32):
        d = (rng.normal(size=(4,) + np.shape(g))).astype(dtype)
        got = rt.batch_getitem_adjoint(d, x, *index)
        expected = _each_tangent(rt.getitem_adjoint, d, x.astype(np.result_type(dtype, np.float64)), *index)
        assert got.shape == expected.shape and got.dtype == np.result_type(dtype, np.float64)
        np.testing.assert_array_equal(got, expected)
    assert rt.batch_getitem_adjoint(0.0, x, *index) == 0.0  # a bare zero stands for all n tangents


@pytest.mark.parametrize("shape,index", [((5,), (slice(None, -1),)), ((5,), (slice(1, None),)), ((5,), (2,)),
                                         ((3, 4), (1,)), ((3, 4), (slice(None), 2)), ((5,), (np.array([0, 2, 2]),)),
                                         ((3, 4), (Ellipsis, None))])
def test_batch_getitem_is_each_tangents_getitem(shape, index):
    d = np.random.default_rng(5).normal(size=(4,) + shape)
    got = rt.batch_getitem(d, *index)
    np.testing.assert_array_equal(got, np.stack([dk[index[0] if len(index) == 1 else index] for dk in d]))
    assert np.shares_memory(got, d) == all(isinstance(i, (slice, int, type(None), type(Ellipsis))) for i in index)
    assert rt.batch_getitem(0.0, *index) == 0.0  # a bare zero stands for all n tangents
    stack = [d[0], d[1]]  # a loop's stack of batched tangents: its element
    assert rt.batch_getitem(stack, 1) is stack[1]


@pytest.mark.parametrize("shape,index,value_shape", [((5,), (slice(1, None),), (4,)), ((5,), (slice(None, -1),), (4,)),
                                                     ((5,), (2,), ()), ((3, 4), (1,), (4,)), ((3, 4), (1,), ()),
                                                     ((3, 4), (slice(None), 2), (3,)), ((3, 4), (slice(1, None),), (4,)),
                                                     ((5,), (np.array([0, 2, 2]),), (3,)), ((5,), (slice(None),), ())])
def test_batch_setitem_writes_each_values_tangent_into_the_arrays(shape, index, value_shape):
    """rt.batch_setitem(d_base, d_value, ans, *index) is, for each tangent, a copy of the array's tangent with the
    value's written as NumPy writes it (broadcast, the last of a repeated index sticking), signed zeros included;
    and the sum of the base and value parts it replaces, where those are not signed zeros."""
    rng = np.random.default_rng(6)
    ans = np.zeros(shape)
    d_base, d_value = rng.normal(size=(4,) + shape), rng.normal(size=(4,) + value_shape)
    d_base[0].flat[0], d_value[1].flat[0] = -0.0, -0.0
    got = rt.batch_setitem(d_base, d_value, ans, *index)
    key = index[0] if len(index) == 1 else index
    expected = []
    for base, value in zip(d_base, d_value):
        y = base.copy()
        y[key] = value
        expected.append(y)
    expected = np.stack(expected)
    assert got.dtype == np.float64 and got.shape == expected.shape and not np.shares_memory(got, d_base)
    assert got.tobytes() == expected.tobytes()  # (bit for bit)
    np.testing.assert_array_equal(got, rt.batch_setitem_base(d_base, *index) +
                                  rt.batch_setitem_tangent(d_value, ans, *index))
    np.testing.assert_array_equal(rt.batch_setitem(0.0, d_value, ans, *index),
                                  rt.batch_setitem_tangent(d_value, ans, *index))
    np.testing.assert_array_equal(rt.batch_setitem(d_base, None, ans, *index), rt.batch_setitem_base(d_base, *index))
    assert rt.batch_setitem(0.0, 0.0, ans, *index) == 0.0
    wide = rt.batch_setitem(d_base.astype(np.float32), d_value.astype(np.complex128), ans, *index)  # (other dtypes)
    assert wide.dtype == np.complex128
    np.testing.assert_allclose(wide, expected, rtol=1e-6)


def test_an_element_write_of_a_value_with_tangents_into_an_array_with_tangents():
    """y = x * 2.0; y[1:] = y[1:] * y[:-1]: in vector mode the tangent of the write is one rt.batch_setitem (the
    base's tangents with the value's written in); the Jacobian against the analytic one, and the jvp's."""
    def f(x):
        y = x * 2.0
        y[1:] = y[1:] * y[:-1]
        return y
    x = np.array([0.5, -1.5, 2.0, 0.25])
    jac = s2s.jacobian(f, mode="forward")
    got = jac(x)
    assert "rt.batch_setitem(" in jac.source and "rt.batch_setitem_base(" not in jac.source, jac.source
    expected = np.diag(np.r_[2.0, 4.0 * x[:-1]])
    expected[np.arange(1, 4), np.arange(3)] = 4.0 * x[1:]
    assert_close(got, expected, rtol=1e-14, atol=0, what="element write")
    assert_close(s2s.jacobian(f)(x), expected, rtol=1e-14, atol=0, what="element write, reverse mode")


def test_a_gradients_buffer_and_its_writes_have_the_arguments_rank_and_shape():
    """The Hessian differentiates bx = rt.zeros_like(x); bx[:-1] = ...; bx[1:] = bx[1:] + ...: the buffer and its
    writes have x's rank, so the tangents of bx[1:] and of the sum are spelled in NumPy (no rt.batch_getitem, no
    rt.batch_align); and x's shape, which the tangents of the writes read, so the buffer's values (the gradient,
    which a Hessian does not return) are not computed. The Hessian is the analytic one."""
    x = workloads.rosenbrock_inputs(n=7)[0]
    hess = s2s.hessian(workloads.rosenbrock)
    got = hess(x)
    text = hess.source
    assert "rt.batch_getitem(" not in text and "rt.batch_align(" not in text, text
    assert "[:, 1:]" in text and re.search(r"rt\.batch_setitem_into\(dbx_1, dt\d+, x, slice\(1, None, None\)\)", text), text
    code = "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))
    assert "zeros_like" not in code and "bx[" not in code and "bx = " not in code, text
    assert_close(got, handwritten.rosenbrock_hessian(x), rtol=1e-12, atol=1e-12, what="Rosenbrock Hessian")


@pytest.mark.parametrize("dshape,x", [((4, 3), np.zeros(3)), ((4, 2, 3), np.zeros(3)), ((4, 2, 3), np.zeros((1, 3))),
                                      ((4, 3), 0.5), ((4,), 0.5), ((4, 2, 3), np.zeros((2, 1)))])
def test_batch_unbroadcast_and_align_are_each_tangents_own(dshape, x):
    d = np.random.default_rng(4).normal(size=dshape)
    got = rt.batch_unbroadcast(d, x)
    np.testing.assert_allclose(got, _each_tangent(rt.unbroadcast, d, x), rtol=1e-15, atol=0)
    assert rt.batch_unbroadcast(0.0, x) == 0.0
    wide = np.zeros((2, 5) + np.shape(x))
    aligned = rt.batch_align(got, wide)
    np.testing.assert_array_equal(aligned, np.stack([np.broadcast_to(g, wide.shape) for g in got]))
    assert rt.batch_align(0.0, wide) == 0.0 and rt.batch_align(got, x) is got


def signs(x, w):
    t = 1.0 - x
    u = t * 3.0
    v = w * u
    return -v


def test_a_sign_moves_out_through_later_lines():
    """dt = -dx, du = 3.0 * dt, dv = w * du, dy = -dv: the two signs cancel (one product chain, no negation)."""
    x, w = np.array([0.3, -1.2]), np.array([2.0, 0.5])
    jf = s2s.jvp(signs)
    code = [line for line in jf.source.splitlines() if not line.strip().startswith("#")]
    assert not any("-" in line.split("=", 1)[-1] for line in code if "=" in line and line.strip().startswith("d")), \
        jf.source
    dx = np.array([1.0, -0.5])
    _, t = jf((x, w), (dx,))
    assert_close(t, 3.0 * w * dx, rtol=1e-15, atol=0, what="tangent")


def quotient(a, b):
    return a / b


def test_quotient_rule_divides_once():
    a, b = np.array([0.3, -1.2, 2.0]), np.array([1.5, 0.7, -2.2])
    jf = s2s.jvp(quotient, wrt=(0, 1))
    assert "(da - y * db) / b" in jf.source, jf.source
    da, db = np.array([1.0, 0.5, -0.3]), np.array([-0.2, 0.4, 1.1])
    _, t = jf((a, b), (da, db))
    assert_close(t, da / b - a * db / b ** 2, rtol=1e-14, atol=0, what="quotient tangent")
    jac = s2s.jacobian(quotient, wrt=(0, 1), mode="forward")
    ja, jb = jac(a, b)
    assert "vector forward-mode" in jac.source
    assert_close(ja, np.diag(1.0 / b), rtol=1e-14, atol=0, what="d/da")
    assert_close(jb, np.diag(-a / b ** 2), rtol=1e-14, atol=0, what="d/db")


def _written_in_branches(x, flag):
    y = np.sum(x[1:] * x[:-1])
    if flag > 0.0:
        y = y + np.sum(x[:2] ** 3)
    for i in range(2):
        y = y + x[i] * x[i + 1] ** 2
    return y


def test_hessians_through_buffers_written_in_branches_and_loops():
    """A gradient whose buffer is written under an if and in a loop (its writes there read no parameter's shape:
    a phi is not followed) has the Hessian of second differences of the gradient, in both branches."""
    x = np.array([0.4, -1.1, 0.7, 1.3])
    for flag in (1.0, -1.0):
        got = s2s.hessian(_written_in_branches)(x, flag)
        grad = s2s.grad(_written_in_branches)
        step = 1e-6
        numeric = np.stack([(grad(x + step * e, flag) - grad(x - step * e, flag)) / (2 * step) for e in np.eye(4)])
        assert_close(got, numeric, rtol=1e-6, atol=1e-6, what=f"flag {flag}")
