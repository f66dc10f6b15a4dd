"""Geometry, robotics and physics in plain NumPy (hunt round 10, the geometry hunt's finding 1 and its lower-rank
notes). Each derivative is checked against central differences in every mode that applies (values against the
function run as it is, the caller's arguments left as they were)."""
import math

import numpy as np
import pytest
import scipy.linalg
from scipy.spatial.transform import Rotation

import s2s
from conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian

FS = 0.3 * np.random.default_rng(2).standard_normal((3, 3, 3)) + np.eye(3)  # a stack of 3 deformation gradients
TETS = np.random.default_rng(3).standard_normal((3, 4, 3))  # 3 tets, 4 corners each


def check_number(f, args, wrt):
    """f(*args) (a number) with respect to the number args[wrt]: value_and_grad, vjp, jvp, both Jacobians, the
    Hessian, grad of grad and check_grad, against central differences; the values against f."""
    kept = [np.copy(a) for a in args]
    value = f(*args)
    numeric = numeric_grad(f, args, wrt)
    primal, gradient = s2s.value_and_grad(f, wrt=wrt)(*args)
    assert primal == pytest.approx(value, rel=1e-12)
    assert np.ndim(gradient) == 0, f"{f.__name__}: the gradient of a number has shape {np.shape(gradient)}"
    assert_close(gradient, numeric, what=f"{f.__name__}: grad")
    primal, pullback = s2s.vjp(f, wrt=wrt)(*args)
    assert primal == pytest.approx(value, rel=1e-12)
    assert_close(pullback(2.0), 2.0 * numeric, what=f"{f.__name__}: vjp")
    primal, tangent = s2s.jvp(f, wrt=wrt)(args, (0.5,))
    assert primal == pytest.approx(value, rel=1e-12)
    assert_close(tangent, 0.5 * numeric, what=f"{f.__name__}: jvp")
    assert_close(s2s.jacobian(f, wrt=wrt, mode="forward")(*args), numeric, what=f"{f.__name__}: forward jacobian")
    assert_close(s2s.jacobian(f, wrt=wrt)(*args), numeric, what=f"{f.__name__}: reverse jacobian")
    up, down = list(args), list(args)
    up[wrt] += 1e-4
    down[wrt] -= 1e-4
    second = (numeric_grad(f, up, wrt, 1e-5) - numeric_grad(f, down, wrt, 1e-5)) / 2e-4
    assert_close(s2s.hessian(f, wrt=wrt)(*args), second, 1e-4, 1e-5, what=f"{f.__name__}: hessian")
    assert_close(s2s.grad(s2s.grad(f, wrt=wrt), wrt=wrt)(*args), second, 1e-4, 1e-5,
                 what=f"{f.__name__}: grad of grad")
    s2s.check_grad(f, *args, wrt=wrt)
    for a, k in zip(args, kept):
        assert np.array_equal(a, k)


# ---------------------------------------------------------------- F1: det and trace of a stack of matrices
# (their records said "called with one argument, the result is a number", as np.sum's do: reverse mode then left out
# the sums a broadcast of the vector of determinants needs, 0.8 x the gradient, or an array for a number's gradient)

def volume_variance(X):
    V = np.linalg.det(X[:, 1:] - X[:, :1]) / 6.0  # signed tet volumes, one per tet
    return np.sum((V - np.mean(V)) ** 2)


def relative_volume(Fs):
    J = np.linalg.det(Fs)
    return np.sum((J / np.mean(J) - 1) ** 2)


def trace_ratio(R):
    c = np.trace(R, axis1=1, axis2=2)
    return np.sum(c / np.max(c))


def trace_of_3d(A):
    return np.sum(np.trace(A) * np.mean(A))  # (np.trace of a 3-D array: the traces over its first two axes, a vector)


def scipy_det_stack(Fs):
    J = scipy.linalg.det(Fs)
    return np.sum(J * np.mean(J))


def det_times_entry(Fs):
    return np.sum(np.linalg.det(Fs) * Fs[0, 0, 0])


def single_det(A):  # (one matrix: the determinant is a number, as before)
    return np.linalg.det(A) * np.mean(A)


@pytest.mark.parametrize("f, x", [(volume_variance, TETS), (relative_volume, FS), (trace_ratio, FS),
                                  (trace_of_3d, FS), (det_times_entry, FS), (single_det, FS[0])],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_det_and_trace_of_a_stack_every_mode(f, x):
    check_every_mode(f, x)
    gradient = s2s.grad(f)(x)
    assert_close(s2s.vjp(f)(x)[1](1.0), gradient, what=f"{f.__name__}: vjp")


def test_scipy_det_of_a_stack():
    if np.ndim(scipy.linalg.det(FS)) != 1:
        pytest.skip("this SciPy's det does not take a stack of matrices")
    check_every_mode(scipy_det_stack, FS)


def neo(Fs, mu):  # a volumetric energy, fitting the material parameter mu
    J = np.linalg.det(Fs)
    return np.sum(mu * (J - 1) ** 2)


def tet_volumes_scaled(X, s):
    return np.sum(np.linalg.det(X[:, 1:] - X[:, :1]) / 6 * s)


def det_power(Fs, p):
    return np.sum(np.linalg.det(Fs) ** 2 * p ** 2)


def trace_axes_weight(R, w):
    return np.sum(np.trace(R, axis1=1, axis2=2) * w)


def trace_method_weight(R, w):
    return np.sum(R.trace(axis1=1, axis2=2) * w)


def trace_3d_weight(R, w):
    return np.sum(np.trace(R) * w ** 2)


def scipy_det_weight(Fs, mu):
    return np.sum(mu * scipy.linalg.det(Fs) ** 2)


@pytest.mark.parametrize("f, x", [(neo, FS), (tet_volumes_scaled, TETS), (det_power, FS), (trace_axes_weight, FS),
                                  (trace_method_weight, FS), (trace_3d_weight, FS), (scipy_det_weight, FS)],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_a_number_times_dets_or_traces_of_a_stack(f, x):
    if f is scipy_det_weight and np.ndim(scipy.linalg.det(FS)) != 1:
        pytest.skip("this SciPy's det does not take a stack of matrices")
    check_number(f, (x, 1.5), 1)


def trace_times_sum(A):
    return np.trace(A) * np.sum(A)


def test_vjp_of_the_traces_of_a_3d_array():
    A = FS
    cotangent = np.array([0.5, -1.0, 2.0])
    value, pullback = s2s.vjp(trace_times_sum)(A)
    assert_close(value, trace_times_sum(A))
    assert_close(pullback(cotangent), numeric_grad(lambda a: np.dot(cotangent, trace_times_sum(a)), (A,), 0))
    jacobian = numeric_grad(lambda a: trace_times_sum(a)[1], (A,), 0)
    assert_close(s2s.jacobian(trace_times_sum)(A)[1], jacobian)
    assert_close(s2s.jacobian(trace_times_sum, mode="forward")(A)[1], jacobian)


# ---------------------------------------------------------------- F1: math.prod of a matrix multiplies its rows

def prod_rows(a, w):
    return np.sum(math.prod(a) * w)


def test_math_prod_of_a_matrix_forward():
    A = np.random.default_rng(1).standard_normal((4, 2))
    numeric = numeric_grad(prod_rows, (A, 1.5), 1)
    assert_close(s2s.jacobian(prod_rows, wrt=1, mode="forward")(A, 1.5), numeric)
    assert_close(s2s.jvp(prod_rows, wrt=1)((A, 1.5), (1.0,))[1], numeric)
    assert_close(s2s.jacobian(prod_rows, mode="forward")(A, 1.5), numeric_grad(prod_rows, (A, 1.5), 0))


def test_math_prod_of_a_matrix_every_mode():
    A = np.random.default_rng(1).standard_normal((4, 2))
    check_number(prod_rows, (A, 1.5), 1)


# ---------------------------------------------------------------- the Kabsch reflection fix: writes into svd's factors
# (U of `U, S, Vt = np.linalg.svd(H)` is a new array: its element writes were refused as writes into a view)
KQ = np.random.default_rng(7).standard_normal((5, 3))
KC = np.random.default_rng(8).standard_normal((3, 3))
KP = np.random.default_rng(11).standard_normal((5, 3))  # (its Kabsch rotation needs the reflection fix; -KP's not)


def kabsch(P):
    H = (P - np.mean(P, axis=0)).T @ (KQ - np.mean(KQ, axis=0))
    U, S, Vt = np.linalg.svd(H)
    if np.linalg.det(U @ Vt) < 0:
        U[:, -1] *= -1
    R = U @ Vt
    return np.sum((P @ R - KQ) ** 2)


def kabsch_vt(P):
    U, S, Vt = np.linalg.svd(P.T @ KQ)
    if np.linalg.det(U) * np.linalg.det(Vt) < 0:
        Vt[-1, :] = -Vt[-1, :]
    return np.sum((P @ (U @ Vt) - KQ) ** 2)


def eigenvector_sign(P):
    w, V = np.linalg.eigh(P.T @ P)
    if V[0, 0] < 0:
        V[:, 0] *= -1
    return np.sum(V[:, 0] * np.arange(3.0)) + w[0]


def factor_of_a_call(P):
    U = np.linalg.svd(P.T @ KQ)[0]
    U[:, -1] *= -1
    return np.sum(U * KC)


def another_name_for_u(P):
    U, S, Vt = np.linalg.svd(P.T @ KQ)
    V = U
    U[:, -1] *= -1
    return np.sum(V * KC)


def check_first_order(f, x):
    """grad, value_and_grad, vjp, jvp and both Jacobians of f (a number) against central differences."""
    kept = x.copy()
    numeric = numeric_grad(f, (x,), 0)
    value, gradient = s2s.value_and_grad(f)(x)
    assert value == pytest.approx(f(x), rel=1e-12)
    assert_close(gradient, numeric, 1e-4, 1e-6, what=f"{f.__name__}: grad")
    assert_close(s2s.vjp(f)(x)[1](2.0), 2.0 * numeric, 1e-4, 1e-6, what=f"{f.__name__}: vjp")
    v = np.linspace(-1.0, 1.0, x.size).reshape(x.shape)
    primal, tangent = s2s.jvp(f)((x,), (v,))
    assert primal == pytest.approx(f(x), rel=1e-12)
    assert_close(tangent, np.sum(numeric * v), 1e-4, 1e-6, what=f"{f.__name__}: jvp")
    assert_close(s2s.jacobian(f)(x), numeric, 1e-4, 1e-6, what=f"{f.__name__}: reverse jacobian")
    assert_close(s2s.jacobian(f, mode="forward")(x), numeric, 1e-4, 1e-6, what=f"{f.__name__}: forward jacobian")
    assert np.array_equal(x, kept)


@pytest.mark.parametrize("f", [kabsch, kabsch_vt, eigenvector_sign, factor_of_a_call, another_name_for_u],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_writes_into_the_factors_of_a_factorisation(f, sign):
    check_first_order(f, sign * KP)


def test_the_reflection_fix_is_taken():
    for P, flipped in ((KP, True), (-KP, False)):
        H = (P - np.mean(P, axis=0)).T @ (KQ - np.mean(KQ, axis=0))
        U, S, Vt = np.linalg.svd(H)
        assert (np.linalg.det(U @ Vt) < 0) == flipped


def test_second_derivative_of_a_written_factor():
    # (refused until fix17adv: a derivative of generated code could drop the restore of U that the svd adjoint
    # reads; the written factor is now a copy of the tuple's, U = np.copy(t[0]), which the adjoint does not read)
    for P in (KP, -KP):
        assert_close(s2s.hessian(kabsch)(P), numeric_hessian(kabsch, P), 1e-4, 1e-5, what="kabsch hessian")


def kabsch_copied(P):
    H = (P - np.mean(P, axis=0)).T @ (KQ - np.mean(KQ, axis=0))
    U, S, Vt = np.linalg.svd(H)
    U = np.copy(U)
    if np.linalg.det(U @ Vt) < 0:
        U[:, -1] *= -1
    return np.sum((P @ (U @ Vt) - KQ) ** 2)


def test_the_advised_copy_every_mode():
    check_every_mode(kabsch_copied, KP, rtol=1e-4, atol=1e-5)


def view_of_u_read_after(P):
    U, S, Vt = np.linalg.svd(P.T @ KQ)
    W = U.T
    U[:, -1] *= -1
    return np.sum(W * KC)


def tuple_read_after(P):
    res = np.linalg.svd(P.T @ KQ)
    U = res[0]
    U[:, -1] *= -1
    return np.sum(res[0] * KC)


@pytest.mark.parametrize("f, message", [(view_of_u_read_after, r"reading 'W'.*after line \d+ changed 'U'"),
                                        (tuple_read_after, r"assignment to an element of 'U'.*np\.copy\(U\)")],
                         ids=["view", "tuple"])
def test_a_factor_read_through_another_name_after_a_write_is_refused(f, message):
    with pytest.raises(s2s.S2SError, match=message):
        s2s.grad(f)(KP)


# ---------------------------------------------------------------- messages: what to write instead
SA = np.random.default_rng(4).standard_normal((4, 3))
SB = np.random.default_rng(5).standard_normal((4, 3))
SPD = SA.T @ SA + np.eye(3)


def scipy_svd(A):
    U, s, Vt = scipy.linalg.svd(A, full_matrices=False)
    return np.sum(s)


def scipy_eigh(A):
    w, V = scipy.linalg.eigh(A.T @ A)
    return np.sum(w)


def scipy_polar(A):
    u, p = scipy.linalg.polar(A)
    return np.sum(u * SB)


def scipy_procrustes(A):
    R, scale = scipy.linalg.orthogonal_procrustes(A, SB)
    return np.sum(R)


def scipy_svdvals(A):
    return np.sum(scipy.linalg.svdvals(A))


@pytest.mark.parametrize("f, advice", [(scipy_svd, "np.linalg.svd(a)"), (scipy_eigh, "np.linalg.eigh(a)"),
                                       (scipy_polar, "u = W @ Vt"), (scipy_procrustes, "R = U @ Vt"),
                                       (scipy_svdvals, "np.linalg.svd(a, compute_uv=False)")],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_scipy_factorisations_advise_numpys(f, advice):
    with pytest.raises(s2s.S2SError) as raised:
        s2s.grad(f)(SA)
    if "site-packages" in str(raised.value):  # (an older SciPy, whose svd s2s follows into its LAPACK wrappers)
        pytest.skip("s2s follows this SciPy's Python source into its own functions")
    assert advice in str(raised.value)
    assert "@s2s.adjoint(scipy.linalg." in str(raised.value)  # (the name as written, no module path after it)


def polar_as_advised(A):
    W, s, Vt = np.linalg.svd(A, full_matrices=False)
    u = W @ Vt
    p = (Vt.T * s) @ Vt
    return np.sum(u * SB) + np.sum(p ** 2)


def procrustes_as_advised(A):
    U, s, Vt = np.linalg.svd(A.T @ SB)
    R = U @ Vt
    return np.sum(R * SPD) + np.sum(s)


def generalized_eigh_as_advised(A):
    L = np.linalg.cholesky(SPD)
    Li = np.linalg.inv(L)
    w, Y = np.linalg.eigh(Li @ (A.T @ A) @ Li.T)
    V = Li.T @ Y
    return np.sum(w * np.arange(3.0)) + np.sum(V[:, 0] ** 2)


def test_the_advised_numpy_forms_match_scipy_every_mode():
    W, s, Vt = np.linalg.svd(SA, full_matrices=False)
    u, p = scipy.linalg.polar(SA)
    assert_close(W @ Vt, u)
    assert_close((Vt.T * s) @ Vt, p)
    U, s, Vt = np.linalg.svd(SA.T @ SB)
    R, scale = scipy.linalg.orthogonal_procrustes(SA, SB)
    assert_close(U @ Vt, R)
    assert_close(np.sum(s), scale)
    L = np.linalg.cholesky(SPD)
    Li = np.linalg.inv(L)
    assert_close(np.linalg.eigh(Li @ (SA.T @ SA) @ Li.T)[0], scipy.linalg.eigh(SA.T @ SA, SPD)[0])
    for f in (polar_as_advised, procrustes_as_advised, generalized_eigh_as_advised):
        check_every_mode(f, SA, hessian=False)


def rotated(rv):
    return np.sum(Rotation.from_rotvec(rv).as_matrix() * KC)


def rodrigues(r):
    t = np.linalg.norm(r)
    k = r / t
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    R = np.eye(3) + np.sin(t) * K + (1 - np.cos(t)) * K @ K
    return np.sum(R * KC)


def test_scipy_rotation_advises_rodrigues():
    r = np.array([0.3, -0.5, 0.8])
    with pytest.raises(s2s.S2SError) as raised:
        s2s.grad(rotated)(r)
    assert "scipy's Rotation" in str(raised.value) and "np.sin(t) * K" in str(raised.value)
    assert "np.sum(x) for x.sum()" not in str(raised.value)
    assert rodrigues(r) == pytest.approx(rotated(r), rel=1e-12)
    check_every_mode(rodrigues, r)


def diff_prepend(q):
    return np.sum(np.diff(q, prepend=q[0]) ** 2 * q)


def diff_both_ends(q):
    return np.sum(np.diff(q, append=q[-1] * 2.0, prepend=np.sin(q[1])) ** 2)


def diff_ends_along_rows(Q):
    return np.sum(np.diff(Q, axis=0, prepend=Q[0, 1]) ** 2 * Q)


def diff_ends_arrays(Q):
    return np.sum(np.diff(Q, 2, axis=1, prepend=Q[:, :1] * 0.3, append=Q[0, 0]) ** 2) / 10.0


def test_diff_with_ends_that_have_a_derivative():
    # (np.diff's prepend=/append= were refused, advising np.concatenate([p, x]), which fails for a number p)
    q = np.array([0.3, -1.2, 2.0, 0.7])
    check_every_mode(diff_prepend, q)
    check_every_mode(diff_both_ends, q)
    Q = 0.3 * np.outer(q, q[:3]) + 0.1
    check_every_mode(diff_ends_along_rows, Q)
    check_every_mode(diff_ends_arrays, Q)
