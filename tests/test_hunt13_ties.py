"""hunt13md S3: np.linalg.svd and np.linalg.eigh where two singular values (eigenvalues) are equal in exact
arithmetic and within rounding of each other in floating point -- every rotation step I + dt*W, every R.T @ R of
one. The first derivatives divide a pair's numerator by the gap between the two values, rounding by rounding:
finite, plausible, wrong numbers (grad and jvp disagreeing with each other and with finite differences), and nan at
exact ties. Now (s2s/runtime/ties.py): forward mode is exact where the tangent keeps the tie (0 for the vectors'
turn within it) and gives nan where it splits it; reverse mode is exact where the function uses the vectors but not
the tied values (a polar factor U @ Vt: the numerator is within rounding of 0 and the limit is 0), and refuses,
at the user's line, saying what to write instead, where the limit depends on what the rule cannot see (V f(w) V.T:
f'(w)) or the function depends on which vectors NumPy chose."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

C9 = np.arange(9.0).reshape(3, 3)
W0 = np.array([0.3, -0.5, 0.8])


def skew(w):
    return np.array([[0, -w[2], w[1]], [w[2], 0, -w[0]], [-w[1], w[0], 0]])


# ----------------------------------------------------------------- the polar factor by svd: exact in every mode
def polar_by_svd(w):
    R = np.eye(3) + 0.1 * skew(w)  # singular values 1.00489, 1.00489 (2e-16 apart), 1
    U, S, Vt = np.linalg.svd(R)
    return np.sum((U @ Vt) * C9)


def test_polar_factor_of_a_rotation_step_in_every_mode():
    """The reproducer: grad was [0.14521 -0.23821 0.04295] and jvp's first 0.18819; right [0.18409 -0.30301
    0.14662]."""
    s = np.linalg.svd(np.eye(3) + 0.1 * skew(W0))[1]
    assert 0 < abs(s[0] - s[1]) < 1e-15  # (a tie within rounding, not an exact one)
    gradient = check_every_mode(polar_by_svd, W0, hessian=False)
    assert_close(gradient, [0.18408941, -0.30300658, 0.14661884], rtol=1e-6, what="grad")
    for second in (s2s.hessian(polar_by_svd), s2s.jacobian(s2s.grad(polar_by_svd))):
        with pytest.raises(s2s.S2SError, match="a second derivative (at a repeated singular value|there)") as info:
            second(W0)
        assert "first derivatives are exact" not in str(info.value)


def rigid_body(R0, w):
    R = R0.copy()
    for t in range(5):
        W = np.array([[0, -w[2], w[1]], [w[2], 0, -w[0]], [-w[1], w[0], 0]])
        R = R @ (np.eye(3) + 0.1 * W + 0.005 * W @ W)
        U, S, Vt = np.linalg.svd(R)  # re-orthonormalised: a tie of three singular values at 1
        R = U @ Vt
    return np.sum(R * C9)


def test_rigid_body_loop_reorthonormalised_by_svd():
    """hunt13md b24: the gradient was nan (exact ties)."""
    R0 = np.eye(3)
    check_every_mode(lambda w: rigid_body(R0, w), W0, hessian=False)
    value, gradient = s2s.value_and_grad(rigid_body, wrt=(0, 1))(R0, W0)
    assert value == pytest.approx(rigid_body(R0, W0), rel=1e-12)
    assert_close(gradient[0], numeric_grad(rigid_body, (R0, W0), 0), rtol=1e-5, atol=1e-7, what="grad wrt R0")
    assert np.array_equal(R0, np.eye(3))


def polar_of(X):
    U, S, Vt = np.linalg.svd(X)
    return np.sum((U @ Vt) * C9)


@pytest.mark.parametrize("X", [np.eye(3), np.diag([1.0, 1.0, 2.0])])
def test_polar_factor_at_exact_ties(X):
    """Exact ties (was nan): reverse mode exact for any direction; forward mode exact where the tangent keeps the
    tie (a skew one at the identity), nan where it splits it (the singular vectors have no derivative there)."""
    numeric = numeric_grad(polar_of, (X,), 0)
    assert_close(s2s.grad(polar_of)(X), numeric, what="grad")
    assert_close(s2s.jacobian(polar_of)(X), numeric, what="reverse jacobian")
    keep = skew(np.array([0.2, -0.7, 0.4])) if X[2, 2] == 1.0 else np.array([[0.0, 1.0, 0], [-1.0, 0, 0], [0, 0, 0.5]])
    assert_close(s2s.jvp(polar_of)((X,), (keep,))[1], np.sum(numeric * keep), what="jvp keeping the tie")
    split = np.diag([1.0, -1.0, 0.0]) + np.array([[0.0, 1.0, 0], [1.0, 0, 0], [0, 0, 0]])
    assert np.isnan(s2s.jvp(polar_of)((X,), (split,))[1])


def kabsch(w):
    """A rotation fitted to a square of points (P^T Q has singular values 2, 2, 0) and its reflection guard."""
    P = np.array([[1.0, 0, 0], [0, 1, 0], [-1, 0, 0], [0, -1, 0]])
    W = skew(w)
    H = P.T @ (P @ (np.eye(3) + W + 0.5 * W @ W).T)
    U, S, Vt = np.linalg.svd(H)
    d = np.sign(np.linalg.det(Vt.T @ U.T))
    return np.sum((Vt.T @ np.diag([1.0, 1.0, d]) @ U.T) * C9)


def test_kabsch_fit_of_a_symmetric_shape():
    check_every_mode(kabsch, np.array([0.3, -0.2, 0.5]), hessian=False)


# ----------------------------------------------------------------- the polar factor by eigh: forward mode exact
def polar_by_eigh(w):
    R = np.eye(3) + 0.1 * skew(w)
    lam, V = np.linalg.eigh(R.T @ R)  # eigenvalues 1, 1.0098, 1.0098
    return np.sum((R @ V @ np.diag(1 / np.sqrt(lam)) @ V.T) * C9)


def test_polar_factor_by_eigh():
    """grad was [0.15905 -0.29148 0.13696], jvp's first 0.18497. A matrix function V f(w) V.T at a tie has the
    derivative f'(w) across it, which reverse mode's rule cannot see: right here only because every input keeps the
    tie, which forward mode sees and reverse mode does not. Reverse mode refuses, at the user's line."""
    numeric = numeric_grad(polar_by_eigh, (W0,), 0)
    assert_close(s2s.jacobian(polar_by_eigh, mode="forward")(W0), numeric, what="forward jacobian")
    v = np.array([0.3, 1.0, -0.6])
    assert_close(s2s.jvp(polar_by_eigh)((W0,), (v,))[1], numeric @ v, what="jvp")
    for transform in (s2s.grad, s2s.jacobian):
        with pytest.raises(s2s.S2SError, match="repeated eigenvalue") as info:
            transform(polar_by_eigh)(W0)
        message = str(info.value)
        assert f"test_hunt13_ties.py:{polar_by_eigh.__code__.co_firstlineno + 2}" in message
        assert "forward mode" in message and "np.linalg.svd(R)" in message and "np.linalg.qr(R)" in message


# ----------------------------------------------------------------- matrix functions at ties: refused, not wrong
def sqrtm_by_eigh(P):
    w, V = np.linalg.eigh(P)
    return np.sum(V @ np.diag(np.sqrt(w)) @ V.T)


def cube_by_svd(X):
    U, S, Vt = np.linalg.svd(X)
    return np.sum(U @ np.diag(S ** 3) @ Vt)  # = sum(X X^T X)


def cube_of_a_rotation_step(w):
    U, S, Vt = np.linalg.svd(np.eye(3) + 0.1 * skew(w))
    return np.sum((U @ np.diag(S ** 3) @ Vt) * C9)


def test_matrix_functions_at_a_tie():
    """The same numerators and value adjoints belong to other derivatives at a tie (the identity): sqrtm's gradient
    was nan, sum(X X^T X)'s was 3 I (right: 3 everywhere); at a rotation step's rounding tie the cube's was
    [0.22230 -0.57915 0.28153] (right [0.23248 -0.59612 0.30868]). Reverse mode refuses them; forward mode is
    exact where the tangent keeps the tie."""
    for f in (sqrtm_by_eigh, cube_by_svd):
        with pytest.raises(s2s.S2SError, match=r"repeated (eigenvalue|singular value) \(1 more than once\)") as info:
            s2s.grad(f)(np.eye(3))
        assert f"test_hunt13_ties.py:{f.__code__.co_firstlineno + 1}" in str(info.value)
    with pytest.raises(s2s.S2SError, match="reverse-mode derivative through the singular vectors"):
        s2s.grad(cube_of_a_rotation_step)(W0)
    numeric = numeric_grad(cube_of_a_rotation_step, (W0,), 0)
    assert_close(s2s.jacobian(cube_of_a_rotation_step, mode="forward")(W0), numeric, what="forward jacobian")
    assert_close(s2s.jvp(cube_of_a_rotation_step)((W0,), (np.ones(3),))[1], np.sum(numeric), what="jvp")
    assert np.isnan(s2s.jvp(sqrtm_by_eigh)((np.eye(3),), (np.ones((3, 3)),))[1])  # (the tangent splits the tie)


def first_singular_vector(w):
    U, S, Vt = np.linalg.svd(np.eye(3) + 0.1 * skew(w))
    return np.sum(U[:, 0] * np.array([1.0, 2.0, 3.0]))


def test_a_function_of_numpys_choice_of_vectors():
    """U[:, 0] of a repeated singular value is one choice among many: no derivative (was a finite number)."""
    with pytest.raises(s2s.S2SError, match="depends on which singular vectors NumPy chose"):
        s2s.grad(first_singular_vector)(W0)


def log_euclidean(P):
    w, V = np.linalg.eigh(P)
    return np.sum((V @ np.diag(np.log(w)) @ V.T - C9) ** 2)


def largest_eigenvalue(P):
    w, V = np.linalg.eigh(P)
    return w[-1]


def two_largest_eigenvalues(P):
    w, V = np.linalg.eigh(P)
    return np.sum(w[-2:])


def test_slopes_that_differ_across_a_tie():
    """At the identity log(w) is 0, so the eigenvectors' adjoint is 0 and the tie's quotient looked like an unused
    vector's: the gradient of a log-Euclidean distance was its diagonal only (right: the full matrix). The slopes in
    the tied eigenvalues differ there, as they do at a kink of a function of the eigenvalues alone (the largest one
    where it is repeated): both refused; the sum of the tied ones stays exact."""
    with pytest.raises(s2s.S2SError, match="slopes in the tied eigenvalues differ") as info:
        s2s.grad(log_euclidean)(np.eye(3))
    assert f"test_hunt13_ties.py:{log_euclidean.__code__.co_firstlineno + 1}" in str(info.value)
    with pytest.raises(s2s.S2SError, match="kink"):
        s2s.grad(largest_eigenvalue)(np.diag([1.0, 2.0, 2.0]))
    assert_close(s2s.grad(two_largest_eigenvalues)(np.diag([1.0, 2.0, 2.0])), np.diag([0.0, 1.0, 1.0]), what="grad")
    P = np.diag([1.0, 2.0, 3.0]) + 0.1 * np.ones((3, 3))
    assert_close(s2s.grad(log_euclidean)(P), numeric_grad(log_euclidean, (P,), 0), what="grad away from ties")


# ----------------------------------------------------------------- away from ties: as before
@pytest.mark.parametrize("gap", [1e-9, 1e-6, 1e-3])
def test_near_ties_are_differentiated_as_before(gap):
    def polar_near(w):
        U, S, Vt = np.linalg.svd(np.eye(3) + 0.1 * skew(w) + np.diag([0.0, gap, 2 * gap]))
        return np.sum((U @ Vt) * C9)

    def sqrtm_near(p):
        a = np.diag([1.0, 1.0 + gap, 2.0]) + np.array([[0.0, p[0], 0], [p[0], 0, p[1]], [0, p[1], 0]])
        w, V = np.linalg.eigh(a)
        return np.sum(V @ np.diag(np.sqrt(w)) @ V.T * C9)

    check_every_mode(polar_near, W0, hessian=False, rtol=1e-4)
    check_every_mode(sqrtm_near, np.array([0.0, 0.1]), hessian=gap >= 1e-3, rtol=1e-4)


def test_values_only_at_ties():
    """Only the values used (their vectors' adjoint 0): exact at ties in every mode, as before."""
    def nuclear(X):
        return np.sum(np.linalg.svd(X)[1])

    def log_det(P):
        w, V = np.linalg.eigh(P)
        return np.sum(np.log(w))

    X = np.eye(3)
    assert_close(s2s.grad(nuclear)(X), np.eye(3), what="grad of the nuclear norm at I")
    assert_close(s2s.jvp(nuclear)((X,), (np.ones((3, 3)),))[1], 3.0, what="its jvp")
    assert_close(s2s.grad(log_det)(2.0 * X), 0.5 * np.eye(3), what="grad of log det at 2 I")
    assert_close(s2s.jvp(log_det)((2.0 * X,), (np.ones((3, 3)),))[1], 1.5, what="its jvp")
