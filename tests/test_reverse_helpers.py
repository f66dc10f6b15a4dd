"""The reverse-mode runtime helpers' fast paths give what their general paths (and NumPy) give.

rt.unbroadcast sums an array's adjoint into a number directly, rt.cross_product forms two 3-vectors' product
from their components, rt.dot_adjoint_a/b of two vectors multiply: each is checked here against the general
path or the NumPy expression it stands for, bit for bit where the arithmetic is the same, and the BA
reprojection Jacobian that goes through all of them against central finite differences.
"""
import os
import sys

import numpy as np
import pytest

import s2s
from s2s import runtime as rt
from s2s.runtime.core import sum_axes
from s2s.runtime.linalg import _einsum_optimize
from conftest import assert_close, numeric_grad

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks import workloads  # noqa: E402


@pytest.mark.parametrize("g", [np.array([0.3, -1.25]), np.arange(12.0).reshape(3, 4) / 7.0,
                               np.random.default_rng(3).normal(size=(2, 3, 5)), np.zeros(0),
                               np.array([True, True, False]), np.arange(5), np.array([[2.5]])])
@pytest.mark.parametrize("x", [1.5, np.float64(-0.5), 3])
def test_unbroadcast_into_a_number_is_the_general_sum(g, x):
    got, general = rt.unbroadcast(g, x), rt.unbroadcast_to_shape(g, ())
    assert type(got) is type(general) and np.shape(got) == ()
    assert got == general or (np.isnan(got) and np.isnan(general))
    assert got == np.sum(g)


def _same_bits(a, b) -> bool:
    return (a == b and np.signbit(a) == np.signbit(b)) or (np.isnan(a) and np.isnan(b))


def test_unbroadcast_into_a_number_sums_few_numbers_as_numpy_does_bit_for_bit():
    """Fewer than 8 float64 numbers are summed in Python, in NumPy's order: the bits of ndarray.sum()."""
    rng = np.random.default_rng(7)
    for n in range(1, 10):
        for _ in range(300):
            g = rng.normal(size=n) * 10.0 ** rng.integers(-12, 12, size=n)
            for view in (g, g[::-1], g[::2], g[1::3]):
                got = rt.unbroadcast(view, 0.5)
                assert type(got) is np.float64 and _same_bits(got, view.sum()), (view, got, view.sum())
    for shape in [(2, 3), (3, 2), (1, 7), (2, 1, 3), (2, 4)]:
        for _ in range(300):
            g = rng.normal(size=shape) * 10.0 ** rng.integers(-12, 12, size=shape)
            for view in (g, g.T):
                assert _same_bits(rt.unbroadcast(view, np.float64(1.0)), view.sum())
    special = [0.0, -0.0, 1.5, np.inf, -np.inf, np.nan]
    for a in special:
        for b in special:
            for g in (np.array([a, b]), np.array([a, b, -0.0]), np.array([[a], [b]])):
                with np.errstate(invalid="ignore"):
                    assert _same_bits(rt.unbroadcast(g, 2.0), g.sum()), g


def test_unbroadcast_of_a_number():
    for g in (0.75, np.float64(-1.5), 0.0):
        for x in (2.0, np.float64(3.0), 4, np.float32(1.0)):
            got = rt.unbroadcast(g, x)
            assert got is g  # a number's adjoint into a number: as it is
        wide = rt.unbroadcast(g, np.ones((2, 1)))  # (a bare number standing for a whole array's adjoint)
        assert wide.shape == (2, 1) and (wide == g).all()


def test_unbroadcast_to_shape_returns_an_adjoint_of_the_shape_as_it_is():
    g = np.arange(6.0).reshape(2, 3)
    assert rt.unbroadcast_to_shape(g, (2, 3)) is g
    assert rt.unbroadcast_to_shape(g, [2, 3]) is g
    assert_close(rt.unbroadcast_to_shape(g, (1, 3)), g.sum(axis=0, keepdims=True), what="summed rows")
    zero = rt.unbroadcast_to_shape(np.array(0.0), ())
    assert type(zero) is np.float64 and zero == 0.0  # a 0-d adjoint of a number comes back a number


def test_cross_product_of_two_vectors_is_np_cross_bit_for_bit():
    rng = np.random.default_rng(0)
    for _ in range(50):
        a, b = rng.normal(size=3) * 10.0 ** rng.integers(-5, 5), rng.normal(size=3)
        got = rt.cross_product(a, b)
        assert got.dtype == np.float64 and got.shape == (3,)
        np.testing.assert_array_equal(got, np.cross(a, b))
    for a, b in ((np.array([np.inf, 1.0, 2.0]), np.array([0.0, 1.0, 0.0])),
                 (np.array([0.5, np.nan, -1.0]), np.array([1.0, 2.0, 3.0])),
                 (np.array([1e308, 1e308, 0.0]), np.array([1e308, -1e308, 2.0]))):
        with np.errstate(invalid="ignore", over="ignore"):
            np.testing.assert_array_equal(rt.cross_product(a, b), np.cross(a, b))
            np.testing.assert_array_equal(rt.cross_product(b, a), np.cross(b, a))


def test_cross_adjoints_of_vectors_against_finite_differences():
    a, b, g = np.array([0.3, -1.2, 0.8]), np.array([1.1, 0.4, -0.7]), np.array([0.5, 2.0, -1.5])
    def f(a, b):
        return np.sum(g * np.cross(a, b))
    assert_close(rt.cross_adjoint_a(g, a, b), numeric_grad(f, (a, b), 0), what="d/da")
    assert_close(rt.cross_adjoint_b(g, a, b), numeric_grad(f, (a, b), 1), what="d/db")


def test_cross_adjoints_of_integer_and_broadcast_vectors_are_np_cross():
    g, a, b = np.array([1, -2, 3]), np.array([2, 0, 1]), np.array([0, 1, 4])
    for got, expected in ((rt.cross_adjoint_a(g, a, b), np.cross(b, g)), (rt.cross_adjoint_b(g, a, b), np.cross(g, a))):
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
    rows = np.arange(6.0).reshape(2, 3) / 4.0  # g of two rows against one a: a's adjoint sums them back
    assert_close(rt.cross_adjoint_a(rows, np.ones(3), np.array([0.5, -1.0, 2.0])),
                 np.cross(np.array([0.5, -1.0, 2.0]), rows).sum(axis=0), what="summed rows")


def test_zeros_like_an_array_is_float():
    for x in (np.ones(3), np.arange(4).reshape(2, 2), np.ones(2, dtype=np.float32), np.ones(2, dtype=">f8")):
        z = rt.zeros_like(x)
        assert z.shape == x.shape and z.dtype.kind == "f" and not z.any()
        assert z.dtype == np.result_type(x.dtype, np.float64)


def test_dot_adjoints_of_two_vectors():
    a, b = np.array([0.3, -1.2, 0.8]), np.array([1.1, 0.4, -0.7])
    g = np.float64(1.75)
    assert_close(rt.dot_adjoint_a(g, a, b), g * b, rtol=0.0, atol=0.0, what="d/da")
    assert_close(rt.dot_adjoint_b(g, a, b), g * a, rtol=0.0, atol=0.0, what="d/db")
    for zero in (0.0, np.float64(0.0)):  # no contribution: a zero array of the argument's shape
        assert_close(rt.dot_adjoint_a(zero, a, b), np.zeros(3), what="zero")
        assert rt.dot_adjoint_b(zero, a, np.array([1, 2, 3])).dtype == np.float64
    bi = np.array([1, 2, 3])  # an integer vector: the adjoint is float all the same
    assert rt.dot_adjoint_a(g, a, bi).dtype == np.float64


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("rotated", [True, False])
def test_bundle_adjustment_jacobian_against_finite_differences(mode, rotated):
    p, feat = workloads.ba_inputs()
    if not rotated:
        p = p.copy()
        p[0:3] = 0.0  # the `else` branch: no rotation
    J = s2s.jacobian(workloads.ba_residual, mode=mode)(p, feat)
    assert J.shape == (2, 15)
    rows = [numeric_grad(lambda p: workloads.ba_residual(p, feat)[i], (p,), 0) for i in range(2)]
    assert_close(J, np.array(rows), rtol=1e-6, atol=1e-8, what=f"BA Jacobian ({mode})")


@pytest.mark.parametrize("spec,shapes", [("kij,nkj->nki", [(25, 10, 10), (1000, 25, 10)]),
                                         ("kij,nkj->nki", [(5, 2, 2), (1000, 5, 2)]),  # short last axes
                                         ("i,j->ij", [(400,), (300,)]),  # no contraction: the plain loop
                                         ("ij,jk->ik", [(200, 300), (300, 40)]),
                                         ("ij->ji", [(400, 300)]),
                                         ("ii->i", [(400, 400)])])
def test_einsum_adjoint_of_a_long_contraction_is_the_plain_one(spec, shapes):
    """On a long contraction, or one whose arrays' last axes are short, the adjoint's einsum lets NumPy choose
    the contraction order (BLAS: 10-20x faster on the GMM's batched products) and returns einsum's own new array uncopied: the same adjoint as
    the plain loop, a new writeable float array that shares memory with neither the cotangent nor an operand."""
    rng = np.random.default_rng(0)
    ops = [rng.normal(size=s) for s in shapes]
    g = rng.normal(size=np.shape(np.einsum(spec, *ops)))
    for i, op in enumerate(ops):
        got = rt.einsum_adjoint(g, spec, i, *ops)
        # the plain adjoint: d/d op_i of sum(g * einsum(...)), by the einsum of g with the others, unoptimised
        terms, out = spec.split("->")[0].split(","), spec.split("->")[1]
        others = [t for j, t in enumerate(terms) if j != i]
        plain = np.einsum(",".join([out] + others) + "->" + terms[i] if len(set(terms[i])) == len(terms[i])
                          else ",".join([out] + others) + "->" + terms[i][0], g, *[o for j, o in enumerate(ops) if j != i])
        if len(set(terms[i])) != len(terms[i]):  # 'ii->i': the adjoint sits on the diagonal
            plain = np.diag(plain)
        assert_close(got, plain, what=f"adjoint of operand {i} of {spec}")
        assert got.dtype == np.float64 and got.flags.writeable and got.shape == op.shape
        assert not any(np.may_share_memory(got, a) for a in [g] + ops)


# ---------------------------------------------------------------- the reverse-mode Jacobian's rows
def grid(x, a):
    return np.outer(np.array([1.0, a]), x[:3]) * x[3] + a


def number(a, b):
    return a * a * b


def constant_in_x(x, a):
    return np.array([a * 2.0, a + 1.0])


def test_reverse_jacobian_of_a_matrix_value_with_respect_to_an_array_and_a_number():
    x, a = np.array([0.4, -1.1, 0.7, 1.9]), 0.6
    jx, ja = s2s.jacobian(grid, wrt=(0, 1))(x, a)
    assert jx.shape == (2, 3, 4) and ja.shape == (2, 3)
    for idx in np.ndindex(2, 3):
        assert_close(jx[idx], numeric_grad(lambda x, a: grid(x, a)[idx], (x, a), 0), what=f"d grid{idx} / dx")
        assert_close(ja[idx], numeric_grad(lambda x, a: grid(x, a)[idx], (x, a), 1), what=f"d grid{idx} / da")


def test_reverse_jacobian_of_a_number_and_of_rows_that_do_not_depend_on_the_argument():
    j = s2s.jacobian(number)(1.5, -2.0)
    assert np.shape(j) == () and j == pytest.approx(2 * 1.5 * -2.0)
    jx = s2s.jacobian(constant_in_x)(np.array([0.5, 1.0, 2.0]), 0.3)
    assert jx.shape == (2, 3) and jx.dtype == np.float64 and not jx.any()
    assert_close(s2s.jacobian(constant_in_x, wrt=1)(np.ones(3), 0.3), np.array([2.0, 1.0]), what="d/da")


@pytest.mark.parametrize("terms,output,letters,chosen", [
    (["nki", "kij"], "nkj", dict(n=1000, k=5, i=2, j=2), True),  # GMM d=2: plain 350 µs, BLAS 17 µs
    (["nki", "kij"], "nkj", dict(n=10, k=5, i=2, j=2), False),  # 200 multiply-adds: the search costs more
    (["ij", "j"], "i", dict(i=100, j=100), False),  # long last axes: the plain loop runs at ~0.5 ns each
    (["ij", "jk"], "ik", dict(i=200, j=300, k=40), True),  # a long matrix product
    (["i", "j"], "ij", dict(i=400, j=300), False),  # an outer product: nothing for BLAS to contract
])
def test_einsum_adjoint_chooses_the_contraction_order_where_it_pays(terms, output, letters, chosen):
    assert _einsum_optimize(terms, output, letters) is chosen


def test_extremum_adjoint_shares_among_ties_and_keeps_nan_rows_nan():
    """The adjoint of np.max along an axis: a row's cotangent goes to its one largest entry, is shared equally
    between tied largest entries, and is NaN along a row whose maximum is NaN (no entry equals it) — also when
    a NaN row and a tied row together hold as many hits as there are rows (the no-tie shortcut must not apply)."""
    g = np.array([1.0, 2.0, 3.0])
    x = np.array([[0.0, 5.0, 1.0], [4.0, 4.0, 1.0], [2.0, 7.0, 3.0]])
    assert_close(rt.extremum_adjoint(g, np.max(x, axis=1), x, axis=1),
                 np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 3.0, 0.0]]), what="max along rows, one tie")
    x_nan = np.array([[0.0, np.nan, 1.0], [4.0, 4.0, 1.0], [2.0, 7.0, 3.0]])
    with np.errstate(invalid="ignore"):  # 0/0 along the NaN row, as NumPy warns
        got = rt.extremum_adjoint(g, np.max(x_nan, axis=1), x_nan, axis=1)
    assert np.isnan(got[0]).all()
    assert_close(got[1:], np.array([[1.0, 1.0, 0.0], [0.0, 3.0, 0.0]]), what="max along rows beside a NaN row")
    assert_close(rt.extremum_adjoint(2.0, 7.0, x), np.where(x == 7.0, 2.0, 0.0), what="max of the whole array")


@pytest.mark.parametrize("shape, axes", [((1000, 5), (0,)), ((1000, 5), (1,)), ((1000, 5, 2), (0,)),
                                         ((4, 5, 2), (1, 2)), ((4, 5, 2), (0, 1)), ((4, 5, 2), (1,)),
                                         ((3, 0), (0,)), ((1, 7), (0,)), ((70000, 2), (0,))])
@pytest.mark.parametrize("keepdims", [True, False])
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "float32"])
def test_sum_axes_is_numpys_sum(shape, axes, keepdims, layout):
    """sum_axes (rt.unbroadcast's sums) sums leading or trailing axes of a contiguous float64 array as a product with ones (BLAS)
    and anything else with NumPy's sum: the same values, shapes and a new writeable array either way."""
    g = np.random.default_rng(3).normal(size=shape)
    if layout == "transposed":
        g = np.ascontiguousarray(g.T).T
    elif layout == "float32":
        g = g.astype(np.float32)
    got = sum_axes(g, axes, keepdims)
    want = g.sum(axis=axes, keepdims=keepdims)
    assert got.shape == want.shape and got.dtype == want.dtype and got.flags.writeable
    assert_close(got, want, rtol=1e-12 if layout != "float32" else 1e-5, atol=1e-9, what=f"sum over {axes}")
    assert not np.may_share_memory(got, g)


@pytest.mark.parametrize("spec, shapes", [
    ("ik,ij->ij", [(1, 4), (5, 3)]),  # operand 0 broadcasts along i and alone sums k
    ("...k,kj->...j", [(2, 3, 4), (4, 5)]),
    ("ii->i", [(3, 3)]),
    ("kij,nkj->nki", [(5, 2, 2), (40, 5, 2)]),
])
def test_einsum_adjoint_against_finite_differences(spec, shapes):
    """Each operand's adjoint (planned once per shapes, then read from the plan) against central differences
    of sum(g * einsum(...)), twice in a row."""
    rng = np.random.default_rng(4)
    ops = [rng.normal(size=s) for s in shapes]
    g = rng.normal(size=np.shape(np.einsum(spec, *ops)))
    for i in range(len(ops)):
        def f(a, i=i):
            return np.sum(g * np.einsum(spec, *ops[:i], a, *ops[i + 1:]))
        for _ in range(2):
            assert_close(rt.einsum_adjoint(g, spec, i, *ops), numeric_grad(f, (ops[i],), 0), rtol=1e-6,
                         atol=1e-8, what=f"adjoint of operand {i} of {spec}")
