"""Regressions from the NumPy-semantics bug hunt in products and linear algebra: np.einsum's sublist form,
matmul and np.dot with a stack on one side, np.linalg.solve of a stack with a vector, the second derivatives of
eigh and svd, slogdet's named fields, qr(mode='r'), np.cross of 2-vectors. Every derivative is checked against
finite differences or an analytic formula."""
import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian

W = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]) / 8.0


# ---------------------------------------------------------------- np.einsum in the sublist form

def einsum_sublist_matmul(x):
    return np.sum(np.einsum(x.reshape(2, 3), [0, 1], W, [1, 2], [0, 2]) ** 2)


def einsum_sublist_square(x):
    return np.einsum(x, [0], x, [0], [])


def einsum_sublist_implicit(x):  # no output sublist: the indices used once, in increasing order (here [2, 30])
    a = x.reshape(2, 3)
    return np.sum(np.sin(np.einsum(a, [30, 1], W, [1, 2])) * np.array([[1.0, 2.0], [3.0, 5.0]]))


def einsum_sublist_ellipsis(x):
    a = x.reshape(2, 3)
    return np.sum(np.einsum(a, [Ellipsis, 1], a, (Ellipsis, 1), [Ellipsis]) ** 2)


def einsum_subscripts_in_a_variable(x, spec):
    return np.sum(np.einsum(spec, x, x) ** 2)


@pytest.mark.parametrize("f", [einsum_sublist_matmul, einsum_sublist_square, einsum_sublist_implicit,
                               einsum_sublist_ellipsis])
def test_einsum_sublist_form_every_mode(f):
    check_every_mode(f, np.linspace(-1.0, 1.5, 6) if f is not einsum_sublist_square else np.array([1.0, 2.0, 3.0]))


def test_einsum_sublist_form_gradient_is_not_zero():
    x = np.arange(6.0)
    assert_close(s2s.grad(einsum_sublist_matmul)(x),
                 (2 * (x.reshape(2, 3) @ W) @ W.T).ravel(), what="grad of sum((x @ W) ** 2)")
    v = np.array([1.0, 2.0, 3.0])
    assert_close(s2s.grad(einsum_sublist_square)(v), 2 * v, what="grad of x @ x")
    assert_close(s2s.jvp(einsum_sublist_square)((v,), (np.ones(3),))[1], 2 * v.sum(), what="jvp of x @ x")


def test_einsum_subscripts_given_at_run_time():
    x = np.array([0.5, -1.0, 2.0])
    for spec in ("i,j->ij", "i,i->"):
        assert_close(s2s.grad(einsum_subscripts_in_a_variable)(x, spec),
                     numeric_grad(einsum_subscripts_in_a_variable, (x, spec), 0), what=spec)
        assert_close(s2s.hessian(einsum_subscripts_in_a_variable)(x, spec),
                     numeric_hessian(lambda y: einsum_subscripts_in_a_variable(y, spec), x), 1e-4, 1e-5, what=spec)


# ---------------------------------------------------------------- products with a stack of matrices on one side

PRODUCTS = """
import numpy as np

def f(x):
    a = x[:{na}].reshape({sa})
    b = x[{na}:].reshape({sb})
    y = {product}
    return np.sum(np.sin(y)) + 0.5 * np.sum(y ** 2)
"""

MATMUL_SHAPES = [((2,), (2, 3)), ((2,), (4, 2, 3)), ((3, 2), (2,)), ((4, 3, 2), (2,)), ((2, 2), (4, 2, 2)),
                 ((4, 2, 2), (2, 2)), ((2, 1, 2, 3), (3, 3, 2)), ((3,), (3,)), ((2, 3, 3), (2, 3, 3)),
                 ((2, 2), (2, 2, 2))]
DOT_SHAPES = [((2, 3, 4), (4,)), ((4,), (2, 4, 3)), ((2, 3), (4, 3, 2)), ((2, 2, 3), (3, 3, 2)), ((3,), (3,)),
              ((), (2, 3)), ((2, 3), ()), ((2, 3), (3, 2)), ((3, 2), (2,))]


def _product_function(tmp_path, name, product, sa, sb):
    from tests.conftest import module_from_text
    na = int(np.prod(sa))
    return module_from_text(tmp_path, name, PRODUCTS.format(na=na, sa=sa, sb=sb, product=product)).f, \
        na + int(np.prod(sb))


@pytest.mark.parametrize("sa, sb", MATMUL_SHAPES)
def test_matmul_with_a_stack_every_mode(tmp_path, sa, sb):
    """The batch of tangents was lined up with the other operand's stack axes (a silently wrong Hessian where the
    stack had as many matrices as the batch had tangents, a crash otherwise)."""
    f, n = _product_function(tmp_path, f"mm_{len(sa)}_{len(sb)}_{abs(hash((sa, sb)))}", "a @ b", sa, sb)
    check_every_mode(f, np.linspace(-0.9, 0.8, n))


@pytest.mark.parametrize("sa, sb", DOT_SHAPES)
def test_dot_of_any_ranks_every_mode(tmp_path, sa, sb):
    """np.dot is no matmul above two axes (the last axis of a against the second-to-last of b)."""
    f, n = _product_function(tmp_path, f"dot_{len(sa)}_{len(sb)}_{abs(hash((sa, sb)))}", "np.dot(a, b)", sa, sb)
    check_every_mode(f, np.linspace(-0.9, 0.8, n))


def shared_weights(A, B):
    return np.sum((A @ B) ** 2)


def test_matmul_shared_matrix_hessian_is_analytic():
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((2, 2)), rng.standard_normal((4, 2, 2))
    G = 2 * sum(Bk @ Bk.T for Bk in B)  # d2/dA[i,j]dA[k,l] = 2 delta_ik G[j,l]
    assert_close(s2s.hessian(shared_weights)(A, B).reshape(4, 4), np.kron(np.eye(2), G), what="hessian")


def dot_stack_vector(A, v):
    return np.sum(np.dot(A, v) ** 2)


def test_dot_of_a_stack_and_a_vector_gradient_wrt_the_stack():
    rng = np.random.default_rng(1)
    A, v = rng.standard_normal((2, 3, 4)), rng.standard_normal(4)
    assert_close(s2s.grad(dot_stack_vector)(A, v), 2 * np.dot(A, v)[..., None] * v, what="grad wrt A")


# ---------------------------------------------------------------- np.linalg.solve of a stack of matrices

SOLVE = """
import numpy as np

def f(x):
    a = x[:{na}].reshape({sa}) + 3.0 * np.eye({n})
    b = x[{na}:].reshape({sb})
    y = np.linalg.solve(a, b)
    return np.sum(np.sin(y)) + 0.5 * np.sum(y ** 2)
"""

# b of one axis is one vector for every matrix of the stack in NumPy 2 (an error in NumPy 1); b with one axis fewer
# than a is a stack of vectors in NumPy 1 (in NumPy 2 a matrix, an error unless its shape fits)
SOLVE_SHAPES = [((3, 3), (3,)), ((2, 3, 3), (3,)), ((3, 3, 3), (3,)), ((2, 3, 3), (2, 3)), ((3, 3, 3), (3, 3)),
                ((2, 3, 3), (3, 2)), ((2, 3, 3), (2, 3, 2)), ((3, 3), (2, 3, 1)), ((2, 2, 2), (2, 2))]


@pytest.mark.parametrize("sa, sb", SOLVE_SHAPES)
def test_solve_of_a_stack_every_mode(tmp_path, sa, sb):
    """The tangent of x = solve(a, b) in a, -solve(a, da x), took x of a stack of solves (k, n) for a matrix (with
    k == n, a wrong jvp, forward Jacobian and Hessian; a crash otherwise)."""
    from tests.conftest import module_from_text
    try:
        np.linalg.solve(np.ones(sa) + 3.0 * np.eye(sa[-1]), np.ones(sb))
    except ValueError:
        pytest.skip(f"np.linalg.solve of shapes {sa} and {sb} is an error in NumPy {np.__version__}")
    na = int(np.prod(sa))
    f = module_from_text(tmp_path, f"solve_{abs(hash((sa, sb)))}",
                         SOLVE.format(na=na, sa=sa, sb=sb, n=sa[-1])).f
    check_every_mode(f, np.sin(np.arange(na + int(np.prod(sb))) * 1.7) * 0.5)


# ---------------------------------------------------------------- factorizations: second derivatives, named fields

def eigh_with_a_constant_adjoint(x):  # the adjoint of w is constant (np.sum(w)): its tangent is none at all
    w, v = np.linalg.eigh(x.reshape(3, 3))
    return np.sum(w) + np.sum(v[:, 0] ** 4)


def svd_with_a_constant_adjoint(x):
    u, s, vt = np.linalg.svd(x.reshape(3, 3), full_matrices=False)
    return np.sum(s) + np.sum(u[:, 0] ** 4)


def eigh_fields(x):
    r = np.linalg.eigh(x.reshape(3, 3))
    return np.sum(r.eigenvalues ** 2) + np.sum(r.eigenvectors[:, 1] ** 4)


def svd_fields(x):
    r = np.linalg.svd(x.reshape(3, 3))
    return np.sum(r.S ** 3) + np.sum(r.U[:, 0] ** 4)


def qr_fields(x):
    r = np.linalg.qr(x.reshape(3, 3))
    return np.sum(r.R ** 2) + np.sum(np.sin(r.Q))


def slogdet_field(x):
    return np.linalg.slogdet(x.reshape(3, 3)).logabsdet


SPD = np.array([[2.0, 0.3, 0.1], [0.3, 1.5, -0.2], [0.1, -0.2, 1.0]])  # distinct eigen- and singular values
GENERAL = np.array([[2.0, 0.3, -0.4], [0.7, 1.5, -0.2], [0.1, -0.6, 1.0]])


@pytest.mark.parametrize("f, a", [(eigh_with_a_constant_adjoint, SPD), (svd_with_a_constant_adjoint, GENERAL)])
def test_factorization_hessian_with_a_constant_adjoint(f, a):
    """The tangent of the adjoint of the pair, rt.getitem_adjoint(bv, t, 1) + rt.getitem_adjoint(bw, t, 0) with bw
    constant, was widened as if it were an array (an internal ValueError in every Hessian)."""
    check_every_mode(f, a.ravel())


@pytest.mark.parametrize("f, a", [(eigh_fields, SPD), (svd_fields, GENERAL), (qr_fields, GENERAL),
                                  (slogdet_field, GENERAL)])
def test_factorization_named_fields_in_forward_mode(f, a):
    """NumPy 2 returns named tuples (EighResult, SVDResult, QRResult, SlogdetResult); their tangents were plain
    tuples, so `r.eigenvalues` of a tangent raised AttributeError in jvp, forward Jacobian and Hessian."""
    if not hasattr(np.linalg.slogdet(np.eye(2)), "logabsdet"):
        pytest.skip(f"NumPy {np.__version__} returns plain tuples")
    x = a.ravel()
    numeric = numeric_grad(f, (x,), 0)
    v = np.linspace(-1.0, 1.0, x.size)
    assert_close(s2s.grad(f)(x), numeric, what="grad")
    assert_close(s2s.jvp(f)((x,), (v,))[1], numeric @ v, what="jvp")
    assert_close(s2s.jacobian(f, mode="forward")(x), numeric, what="forward jacobian")
    assert_close(s2s.hessian(f)(x), numeric_hessian(f, x), 1e-4, 1e-5, what="hessian")


def qr_r_only(a):
    return np.sum(np.linalg.qr(a, mode='r') ** 2)


def test_qr_r_only_is_the_reduced_r():  # (refused until fix17lib; cholesky(a, upper=True): tests/test_fix17_lib.py)
    check_every_mode(lambda_free_qr_r, SPD.ravel(), exact=True)


def lambda_free_qr_r(x):
    return qr_r_only(x.reshape(3, 3))


# ---------------------------------------------------------------- np.cross of 2-vectors

CROSS = """
import numpy as np

def f(x):
    a = x[:{na}].reshape({sa})
    b = x[{na}:].reshape({sb})
    y = np.cross(a, b)
    return np.sum(np.sin(y)) + 0.5 * np.sum(y ** 2)
"""

CROSS_SHAPES = [((2,), (2,)), ((3, 2), (2,)), ((2,), (3,)), ((2, 2), (2, 3)), ((2, 3), (2,)), ((3,), (3,)),
                ((2, 3), (3,))]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # (NumPy 2 deprecates np.cross of 2-vectors)
@pytest.mark.parametrize("sa, sb", CROSS_SHAPES)
def test_cross_of_2_vectors_every_mode(tmp_path, sa, sb):
    """A 2-vector against a 3-vector is (a0, a1, 0) x b (its adjoint had three components); a batch of tangents
    against operands of another rank was lined up with their leading axes. The cross product of two 2-vectors
    is a number: exact in reverse mode and jvp; vector forward mode (the forward Jacobian, the Hessian), which
    takes np.cross to keep its operands' rank (and summed an axis that was not there), refuses it."""
    from tests.conftest import module_from_text
    na = int(np.prod(sa))
    f = module_from_text(tmp_path, f"cross_{abs(hash((sa, sb)))}", CROSS.format(na=na, sa=sa, sb=sb)).f
    x = np.sin(np.arange(na + int(np.prod(sb))) * 1.3)
    if sa[-1] == sb[-1] == 2:
        numeric = numeric_grad(f, (x,), 0)
        assert_close(s2s.grad(f)(x), numeric, what="grad")
        assert_close(s2s.jacobian(f)(x), numeric, what="reverse jacobian")
        assert_close(s2s.jvp(f)((x,), (np.cos(x),))[1], numeric @ np.cos(x), what="jvp")
        assert_close(s2s.jacobian(f, mode="forward")(x), numeric, what="forward jacobian")  # (exact since round 19)
        assert_close(s2s.hessian(f)(x), numeric_hessian(f, x), 1e-4, 1e-5, what="hessian")
    else:
        check_every_mode(f, x)
