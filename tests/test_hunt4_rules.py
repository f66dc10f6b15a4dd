"""Rule bugs hunt4geom found (wrong derivatives, crashes inside rules, false refusals), each checked against finite
differences or an analytic value in every mode, or refused at the user's line.
"""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad
from s2s.errors import NonDifferentiableError


# ----------------------------------------------------------------- np.clip with crossed bounds (lo > hi)
# NumPy's clip is np.minimum(np.maximum(x, lo), hi): with lo > hi it returns hi, whose derivative is 1 in hi only
# (the masks x < lo and x > hi both held, so the derivative went to lo as well)
def clip_crossed(p):
    return np.sum(np.clip(p[:3], p[3], p[4]) ** 2)


def clip_method_crossed(p):
    return np.sum(p[:3].clip(p[3], p[4]) ** 3)


def clip_keywords_crossed(p):
    return np.sum(np.sin(np.clip(p[:3], min=p[3], max=p[4])))


def clip_one_crossed(p):
    return np.sum(np.clip(p[:3], p[3], 0.1) * p[:3])


CROSSED = np.array([0.2, -1.3, 0.7, 0.5, 0.1])  # lo = 0.5 > hi = 0.1
ORDERED = np.array([0.2, -1.3, 0.7, -0.5, 0.4])  # lo = -0.5 < hi = 0.4: each entry in another region


def test_clip_crossed_bounds_reproducer():
    def f(x, lo, hi):
        return np.clip(x, lo, hi)
    for x, lo, hi in [(0.2, 0.5, 0.1), (-1.3, 0.5, 0.0), (0.3, 0.5, 0.1)]:
        assert_close(s2s.grad(f, wrt=(0, 1, 2))(x, lo, hi), (0.0, 0.0, 1.0), what=f"grad at {(x, lo, hi)}")
        _, t = s2s.jvp(f, wrt=(1, 2))((x, lo, hi), (1.0, 0.0))
        assert_close(t, 0.0, what="jvp wrt lo")


NUMPY_VERSION = tuple(int(v) for v in np.__version__.split(".")[:2])
# (np.clip's min=/max= keywords are NumPy 2.1's; weights of another shape along several axes NumPy 2's)
NEW_CLIP = pytest.mark.skipif(NUMPY_VERSION < (2, 1), reason=f"np.clip(min=, max=) needs NumPy 2.1 ({np.__version__})")


@pytest.mark.parametrize("f", [clip_crossed, clip_method_crossed, pytest.param(clip_keywords_crossed, marks=NEW_CLIP),
                               clip_one_crossed])
@pytest.mark.parametrize("p", [CROSSED, ORDERED], ids=["crossed", "ordered"])
def test_clip_bounds_in_every_mode(f, p):
    check_every_mode(f, p)


def test_clip_crossed_gradient_is_in_hi_only():
    g = s2s.grad(clip_crossed)(CROSSED)
    assert_close(g, [0.0, 0.0, 0.0, 0.0, 2 * 3 * 0.1], what="grad")  # d/dhi sum(hi ** 2 for 3 entries)


# ----------------------------------------------------------------- np.average(..., returned=True)
# the result is the pair (average, sum of the weights): the rules read the average's part of the adjoint, and the
# tangent is a pair too (the sum of the weights has no derivative in x); both crashed inside generated code
W = np.array([0.5, 1.2, 0.8, 2.0])


def average_returned(x):
    a, s = np.average(x, weights=W, returned=True)
    return a * s


def average_returned_unweighted(x):
    a, n = np.average(np.sin(x), returned=True)
    return a * a * n


def average_returned_axis(x):
    m = np.reshape(x, (2, 3))
    a, s = np.average(m * m, axis=1, weights=np.array([0.3, 1.0, 2.0]), returned=True)
    return np.sum(np.sin(a) * s)


def average_returned_keepdims(x):
    m = np.reshape(x, (2, 3))
    a, n = np.average(np.exp(m), axis=0, returned=True, keepdims=True)
    return np.sum(a * a) + np.sum(n)


def test_average_returned_reproducer():
    x = np.array([0.3, -1.4, 0.9, 1.7])
    assert_close(s2s.grad(average_returned)(x), W, what="grad")  # a * s = sum(w * x)
    _, t = s2s.jvp(average_returned)((x,), (np.ones(4),))
    assert_close(t, np.sum(W), what="jvp")


@pytest.mark.parametrize("f, x", [(average_returned, np.array([0.3, -1.4, 0.9, 1.7])),
                                  (average_returned_unweighted, np.array([0.3, -1.4, 0.9, 1.7])),
                                  (average_returned_axis, np.linspace(-0.8, 1.1, 6)),
                                  (average_returned_keepdims, np.linspace(-0.8, 1.1, 6))])
def test_average_returned_in_every_mode(f, x):
    check_every_mode(f, x)


def average_returned_at_run_time(x, r):
    return np.sum(np.average(x, returned=r))


def test_average_returned_known_at_run_time_is_refused():
    with pytest.raises(NonDifferentiableError, match="returned="):
        s2s.grad(average_returned_at_run_time)(np.ones(3), True)


# ----------------------------------------------------------------- np.interp: moving sample points, left= / right=
# d/dxp of the piecewise-linear interpolant: -slope * (the segment ends' shares, as for fp); before, a plain
# ValueError from inside the rules. With left= / right=, fp's derivative skips the points outside, which take
# left's and right's (refused before)
XQ = np.array([-0.2, 0.1, 0.5, 0.9, 1.3])
KNOTS = np.array([0.0, 0.4, 0.7, 1.1])


def interp_knots(p):
    return np.sum(np.interp(XQ, p, np.sin(p)) ** 2)


def interp_everything(p):
    xp = np.cumsum(np.exp(p[:4]))
    return np.sum(np.interp(p[4:] * 3.0, xp, np.cos(p[:4]) * xp) ** 2)


def interp_left_right(p):
    return np.sum(np.interp(XQ * 2, p[:4], p[4:8], left=p[8], right=-1.5) ** 2 * XQ)


def interp_right_only(p):
    return np.sum(np.interp(XQ * 2, p[:4], p[4:8] ** 2, right=p[8] * p[0]) * np.exp(XQ))


def test_interp_knots_reproducer():
    def f(xp, xq):
        return np.sum(np.interp(xq, xp, np.sin(xp)) ** 2)
    xq = np.array([0.1, 0.5, 0.9])
    assert_close(s2s.grad(f)(KNOTS, xq), numeric_grad(f, (KNOTS, xq), 0), what="grad wrt xp")


def test_interp_knots_analytic():
    # one segment [a, b] holding x: f = fa + (fb - fa) (x - a) / (b - a); d/da = -s (1 - t), d/db = -s t
    def f(xp):
        return np.interp(0.3, xp, np.array([1.0, 3.0]))
    a, b = 0.1, 0.6
    s, t = 2.0 / (b - a), (0.3 - a) / (b - a)
    assert_close(s2s.grad(f)(np.array([a, b])), [-s * (1 - t), -s * t], what="grad")
    _, tangent = s2s.jvp(f)((np.array([a, b]),), (np.array([1.0, 1.0]),))  # moving both: the curve shifts
    assert_close(tangent, -s, what="jvp")


FULL = np.array([0.0, 0.4, 0.7, 1.1, 0.3, -0.2, 0.9, 1.4, 0.6])


@pytest.mark.parametrize("f, x", [(interp_knots, KNOTS),
                                  (interp_everything, np.array([-1.0, -0.7, -1.2, -0.5, 0.1, 0.3, 0.42, 0.8, 1.5])),
                                  (interp_left_right, FULL), (interp_right_only, FULL)])
def test_interp_in_every_mode(f, x):
    check_every_mode(f, x)


def interp_period(p):
    return np.sum(np.interp(XQ, p, np.sin(p), period=2.0))


def test_interp_period_is_refused_at_the_line():
    with pytest.raises(NonDifferentiableError, match="period=") as e:
        s2s.grad(interp_period)(KNOTS)
    assert "period=2.0" in str(e.value)  # (the user's line, shown)


# ----------------------------------------------------------------- np.cross(axis=, axisa=, ...), np.linalg.cross
# reverse mode refused np.cross's axis keywords (forward mode had them): the adjoints move the vectors' axes last,
# as np.cross does, and back; np.linalg.cross (NumPy 2) had no rule
V = np.array([0.3, -1.2, 0.8])


def cross_axis(p):
    a, b = np.reshape(p[:6], (3, 2)), np.reshape(p[6:], (3, 2))
    return np.sum(np.cross(a, b, axis=0) ** 2)


def cross_axes(p):
    a, b = np.reshape(p[:6], (3, 2)), np.reshape(p[6:], (2, 3))
    return np.sum(np.sin(np.cross(a, b, axisa=0, axisc=0)) * np.arange(1.0, 7.0).reshape(3, 2))


def cross_axes_mixed(p):  # a 2-vector along axis 0 against 3-vectors along the last axis; a constant vector
    a, b = np.reshape(p[:4], (2, 2)), np.reshape(p[4:10], (2, 3))
    return np.sum(np.cross(a, b, axisa=0) ** 2) + np.sum(np.cross(b * b, V, axisc=0))


def cross_two_vectors_axis(p):  # 2-vectors: a number per column (axisc has nothing to move)
    a, b = np.reshape(p[:6], (2, 3)), np.reshape(p[6:12], (2, 3))
    return np.sum(np.cross(a, b, axis=0) ** 2)


def linalg_cross(p):
    a, b = np.reshape(p[:6], (3, 2)), np.reshape(p[6:], (3, 2))
    return np.sum(np.linalg.cross(a, b, axis=0) ** 2) + np.sum(np.linalg.cross(p[:3], V) * p[3:6])


P12 = np.cos(np.arange(12.0) * 1.3) + 0.1


@pytest.mark.filterwarnings("ignore:Arrays of 2-dimensional vectors are deprecated")
@pytest.mark.parametrize("f", [cross_axis, cross_axes, cross_axes_mixed, cross_two_vectors_axis, linalg_cross])
def test_cross_axes_in_every_mode(f):
    if f is linalg_cross and not hasattr(np.linalg, "cross"):
        pytest.skip("np.linalg.cross is NumPy 2's")
    if f is cross_two_vectors_axis:
        try:
            np.cross(np.ones(2), np.ones(2))
        except ValueError:
            pytest.skip("this NumPy rejects 2-vectors in np.cross")
    check_every_mode(f, P12 if f is cross_two_vectors_axis else P12[:12 if f is not cross_axes_mixed else 10])


def test_cross_axis_reproducer_against_the_formula():
    def f(a, b):
        return np.sum(np.cross(a, b, axis=0) * np.array([[1.0], [2.0], [3.0]]))
    a, b = np.reshape(P12[:6], (3, 2)), np.reshape(P12[6:], (3, 2))
    ga, gb = s2s.grad(f, wrt=(0, 1))(a, b)
    w = np.array([1.0, 2.0, 3.0])  # sum(w . (a x b)) = sum(a . (b x w)) = sum(b . (w x a)), per column
    assert_close(ga, np.cross(b, w, axis=0), what="d/da")
    assert_close(gb, np.cross(np.broadcast_to(w[:, None], a.shape), a, axis=0), what="d/db")


# ----------------------------------------------------------------- np.add.reduceat: sums of slices (refused before)
def reduceat_sums(x):
    return np.sum(np.add.reduceat(x * x, np.array([0, 2, 3])) ** 2)


def reduceat_axis(x):  # along axis 1, indices that do not grow (3 then 1: just the entry at 3), and a repeat
    m = np.reshape(x, (2, 5))
    return np.sum(np.sin(np.add.reduceat(np.exp(m), [0, 3, 1, 1, 4], axis=1)) * np.arange(1.0, 11.0).reshape(2, 5))


def test_reduceat_against_the_slices():
    x = np.linspace(-1.0, 1.4, 10)
    m = np.exp(np.reshape(x, (2, 5)))
    s = np.stack([m[:, 0:3].sum(1), m[:, 3], m[:, 1], m[:, 1:4].sum(1), m[:, 4]], axis=1)  # NumPy's slices
    assert_close(np.add.reduceat(m, [0, 3, 1, 1, 4], axis=1), s, what="the slices")
    w = np.cos(s) * np.arange(1.0, 11.0).reshape(2, 5)
    expected = np.stack([w[:, 0], w[:, 0] + w[:, 2] + w[:, 3], w[:, 0] + w[:, 3], w[:, 1] + w[:, 3], w[:, 4]],
                        axis=1) * m  # (entry j: the w of each slice holding it)
    assert_close(s2s.grad(reduceat_axis)(x), expected.ravel(), what="grad")


@pytest.mark.parametrize("f, x", [(reduceat_sums, np.array([0.5, -1.0, 2.0, 0.3, 1.1])),
                                  (reduceat_axis, np.linspace(-1.0, 1.4, 10))])
def test_reduceat_in_every_mode(f, x):
    check_every_mode(f, x)


# ----------------------------------------------------------------- np.piecewise: values for the pieces
# x only chooses between them (no derivative: np.piecewise had no rule at all); a derivative in the values is refused
# with what to write instead
def piecewise_constants(x):
    return np.sum(np.piecewise(x, [x < 0, x >= 0], [0.5, 2.0]) * x)


def piecewise_active_values(x):
    return np.sum(np.piecewise(x, [x < 0, x >= 0], [x[0], 1.0]))


def piecewise_as_where(x):  # what the refusal says to write
    return np.sum(np.where(x < 0, -x, x * x))


def test_piecewise_of_values_in_every_mode():
    x = np.array([0.3, -0.5, 0.9])
    assert_close(check_every_mode(piecewise_constants, x), np.where(x < 0, 0.5, 2.0), what="grad")


def test_piecewise_refusal_suggests_where_and_select():
    x = np.array([0.3, -0.5, 0.9])
    for transform in (lambda: s2s.grad(piecewise_active_values)(x),
                      lambda: s2s.jvp(piecewise_active_values)((x,), (x,))):
        with pytest.raises(NonDifferentiableError, match="np.piecewise") as info:
            transform()
        assert info.value.lineno == piecewise_active_values.__code__.co_firstlineno + 1
        assert "np.where(x < 0, -x, x * x)" in str(info.value) and "np.select(" in str(info.value)
    assert_close(s2s.grad(piecewise_as_where)(x), np.where(x < 0, -1.0, 2 * x), what="the suggested form")


# ----------------------------------------------------------------- hunt4lin: np.vdot's gradient was a view of the other operand
# (g * np.ravel(b) with g = 1.0 folded to a reshape of b: `ga *= 0` zeroed the caller's b, an in-place SGD step
# a -= lr * ga changed gb)
def vdot_loss(a, b):
    return np.vdot(a, b)


def vdot_squared(p):
    return np.vdot(p[:4], np.sin(p[4:])) ** 2 + np.vdot(np.reshape(p[:4], (2, 2)), p[4:] * p[:4])


def test_vdot_gradient_is_no_view_of_the_other_operand():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([[0.5, -1.0], [2.0, 0.25]])
    kept_a, kept_b = a.copy(), b.copy()
    ga, gb = s2s.grad(vdot_loss, wrt=(0, 1))(a, b)
    assert not np.shares_memory(ga, b) and not np.shares_memory(gb, a)
    ga *= 0.0
    gb *= 0.0
    assert np.array_equal(a, kept_a) and np.array_equal(b, kept_b)


def test_vdot_in_every_mode():
    check_every_mode(vdot_squared, np.linspace(-0.9, 1.3, 8))


# ----------------------------------------------------------------- hunt4lin: np.linalg.svd(a, hermitian=True)
# NumPy decomposes the symmetric matrix of a's lower triangle (through eigh); s2s differentiated the svd of a itself
def svd_hermitian_values(p):
    a = np.reshape(p, (3, 3))
    return np.sum(np.linalg.svd(a, compute_uv=False, hermitian=True) ** 3)


def svd_hermitian_factors(p):
    a = np.reshape(p, (3, 3))
    u, s, vt = np.linalg.svd(a, hermitian=True)
    return np.sum(s * np.arange(1.0, 4.0)) + np.sum((u @ vt) ** 2 * np.arange(9.0).reshape(3, 3))


def svd_of_lower_triangle(p):  # the same function, spelled with the triangle: the reference
    a = np.reshape(p, (3, 3))
    return np.sum(np.abs(np.linalg.eigvalsh(a)) ** 3)


HERMITIAN = np.array([2.0, 9.0, -4.0, 1.0, -3.0, 7.0, 0.5, 0.7, 1.2]) * 0.25  # distinct |eigenvalues| of the lower triangle


def test_svd_hermitian_reproducer():
    def f(a):
        return np.sum(np.linalg.svd(a, compute_uv=False, hermitian=True) ** 2)
    a = np.array([[2.0, 0.0], [1.0, -3.0]])
    assert_close(s2s.grad(f)(a), [[4.0, 0.0], [4.0, -6.0]], what="grad")  # finite differences' (and eigvalsh's)


@pytest.mark.parametrize("f", [svd_hermitian_values, svd_hermitian_factors])
def test_svd_hermitian_in_every_mode(f):
    check_every_mode(f, HERMITIAN, rtol=1e-4, atol=1e-5)


def test_svd_hermitian_is_the_svd_of_the_lower_triangle():
    assert_close(s2s.grad(svd_hermitian_values)(HERMITIAN), s2s.grad(svd_of_lower_triangle)(HERMITIAN), what="grad")
    assert np.allclose(s2s.grad(svd_hermitian_values)(HERMITIAN).reshape(3, 3)[np.triu_indices(3, 1)], 0.0)


# ----------------------------------------------------------------- hunt4lin: eigh / svd at a repeated or zero value
# using only the eigenvalues (singular values): the unused vectors' adjoint is 0, and 0 * 1 / (w_j - w_i) was nan at a
# tie; now 0 (the first derivative is exact there), and a second derivative there is refused, as eigvalsh's is
def eigh_values_only(a):
    w, V = np.linalg.eigh(a)
    return np.sum(w ** 2)


def eigh_log_det(a):
    w, V = np.linalg.eigh(a)
    return np.sum(np.log(w))


def svd_values_only(a):
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    return np.sum(s ** 2)


def test_eigh_values_at_a_repeated_eigenvalue():
    a = np.diag([1.0, 1.0, 2.0])
    assert_close(s2s.grad(eigh_values_only)(a), 2 * a, what="grad")  # sum(w ** 2) = |a|_F ** 2 (a symmetric)
    assert_close(s2s.grad(eigh_log_det)(np.eye(3)), np.eye(3), what="grad of log det at I")
    b = np.array([[2.0, 0.3, 0.0], [0.3, 2.0, 0.0], [0.0, 0.0, 2.3]])  # eigenvalues 1.7, 2.3, 2.3
    assert_close(s2s.grad(eigh_log_det)(b), np.tril(2 * np.linalg.inv(b)) - np.diag(np.diag(np.linalg.inv(b))),
                 what="grad of log det (the lower triangle NumPy reads)")


@pytest.mark.parametrize("a", [np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]]), np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
                               np.zeros((3, 2)), np.array([[1.0, 2.0], [2.0, 4.0]])])
def test_svd_values_at_a_zero_singular_value(a):
    assert_close(s2s.grad(svd_values_only)(a), 2 * a, what="grad")  # sum(s ** 2) = |a|_F ** 2
    assert_close(s2s.jvp(svd_values_only)((a,), (np.ones_like(a),))[1], 2 * np.sum(a), what="jvp")


def test_second_derivatives_at_ties_are_refused():
    with pytest.raises(s2s.S2SError, match="repeated eigenvalue"):
        s2s.hessian(eigh_values_only)(np.diag([1.0, 1.0, 2.0]))
    with pytest.raises(s2s.S2SError, match="zero singular value"):
        s2s.jacobian(s2s.grad(svd_values_only))(np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]]))


def test_eigh_values_away_from_ties_in_every_mode():
    def f(p):
        a = np.reshape(p, (3, 3))
        w, V = np.linalg.eigh(a + a.T)
        return np.sum(w ** 3)
    check_every_mode(f, np.array([0.3, 0.9, -0.4, 0.1, -0.7, 0.5, 0.2, 0.8, 1.1]), rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------- hunt4lin: np.linalg.det at a singular matrix
# the gradient is the cofactor matrix (det(a) inv(a)^T where a has an inverse): grad and jvp raised LinAlgError
def det_plain(a):
    return np.linalg.det(a)


def test_det_at_a_singular_matrix():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    assert_close(s2s.grad(det_plain)(a), [[4.0, -2.0], [-2.0, 1.0]], what="grad (the cofactors)")
    assert_close(s2s.jvp(det_plain)((a,), (np.eye(2),))[1], 5.0, what="jvp (the trace of the adjugate)")
    b = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, -1.0, 2.0]])  # rank 2: its cofactors are not zero
    assert_close(s2s.grad(det_plain)(b), numeric_grad(det_plain, (b,), 0), what="grad at rank n - 1")
    stack = np.stack([a, np.array([[2.0, 1.0], [0.5, 3.0]])])
    assert_close(s2s.grad(lambda_free_sum_det)(stack), [[[4.0, -2.0], [-2.0, 1.0]], [[3.0, -0.5], [-1.0, 2.0]]],
                 what="a stack with one singular matrix")


def lambda_free_sum_det(a):
    return np.sum(np.linalg.det(a))


def test_det_second_derivative_at_a_singular_matrix_is_refused():
    with pytest.raises(s2s.S2SError, match="singular matrix"):
        s2s.hessian(det_plain)(np.array([[1.0, 2.0], [2.0, 4.0]]))


def test_det_away_from_singular_in_every_mode():
    def f(p):
        return np.linalg.det(np.reshape(p, (3, 3))) ** 2
    check_every_mode(f, np.array([0.3, 0.9, -0.4, 0.1, -0.7, 0.5, 0.2, 0.8, 1.1]), rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------- hunt4lin: logsumexp(a, b=b), b wider than a
# SciPy broadcasts a against b: the rules now read a so (the gradient had b's shape, other modes raised)
try:
    from scipy import special
except ImportError:  # (the tests below skip without SciPy)
    special = None
B23 = np.array([[1.0, 2.0, 0.5], [0.3, 0.2, 1.5]])


def lse_wide_weights(p):
    return special.logsumexp(p[:3], b=np.reshape(p[3:] ** 2, (2, 3))) ** 2


def lse_wide_weights_axis(p):
    return np.sum(np.sin(special.logsumexp(p[:3], axis=1, b=np.reshape(p[3:] ** 2, (2, 3)))))


def lse_number_and_weights(p):
    return special.logsumexp(p[0] * 1.5, b=B23 * p[1])


def test_logsumexp_wide_weights_reproducer():
    pytest.importorskip("scipy.special")
    a = np.array([0.1, -0.4, 0.7])
    def f(a, b):
        return special.logsumexp(a, b=b)
    g = s2s.grad(f)(a, B23)
    assert g.shape == (3,)
    assert_close(g, numeric_grad(f, (a, B23), 0), what="grad wrt a")
    assert_close(g, np.sum(B23 * np.exp(a), axis=0) / np.sum(B23 * np.exp(a)), what="analytic")


@pytest.mark.parametrize("f, x", [(lse_wide_weights, np.linspace(-0.7, 1.2, 9)),
                                  (lse_wide_weights_axis, np.linspace(-0.7, 1.2, 9)),
                                  (lse_number_and_weights, np.array([0.4, 1.3]))])
def test_logsumexp_wide_weights_in_every_mode(f, x):
    pytest.importorskip("scipy.special")
    check_every_mode(f, x, rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------- hunt4lin: refusals that printed Sym(Var(...)), trace(dtype=)
def qr_mode_at_run_time(a, mode):
    q, r = np.linalg.qr(a, mode)
    return np.sum(r ** 2)


def cond_p_at_run_time(a, p):
    return np.linalg.cond(a, p)


def reshape_order_at_run_time(x, order):
    return np.sum(np.reshape(x, (2, 2), order=order)[0] ** 2)


@pytest.mark.parametrize("f, arg, say", [(qr_mode_at_run_time, "reduced", "mode known only at run time"),
                                         (cond_p_at_run_time, 2, "p known only at run time"),
                                         (reshape_order_at_run_time, "C", "order known only at run time")])
def test_refusals_name_a_value_known_only_at_run_time(f, arg, say):
    a = np.array([[2.0, 0.3], [0.1, 1.0]])
    with pytest.raises(NonDifferentiableError, match=say) as info:
        s2s.grad(f)(a, arg)
    assert "Sym(" not in str(info.value)


def trace_as_float(p):
    return np.trace(np.reshape(p, (2, 2)), dtype=float) ** 2 + np.trace(np.reshape(p * p, (2, 2)), 1, dtype=np.float64)


def trace_as_int(p):  # the entries rounded: no derivative through that term
    return np.trace(np.reshape(p * 3.3, (2, 2)), dtype=int) + np.sum(p * p)


def test_trace_with_dtype():  # reverse mode refused dtype=, forward mode rounded the tangent for an integer type
    check_every_mode(trace_as_float, np.array([0.3, -0.8, 1.1, 0.6]))
    x = np.array([0.31, 0.52, 0.17, 0.43])  # (3.3 x away from the integers)
    check_every_mode(trace_as_int, x)
    assert_close(s2s.grad(trace_as_int)(x), 2 * x, what="grad")


# ----------------------------------------------------------------- hunt4lin: np.linalg.outer, np.linalg.matrix_transpose
def linalg_outer_transpose(p):
    m = np.linalg.outer(p[:3], np.sin(p[3:]))
    return np.sum(np.linalg.matrix_transpose(m) @ m * np.arange(1.0, 4.0))


def test_linalg_outer_and_matrix_transpose_in_every_mode():
    if not hasattr(np.linalg, "outer"):
        pytest.skip("NumPy 2's")
    check_every_mode(linalg_outer_transpose, np.linspace(-0.8, 1.2, 6))


# ----------------------------------------------------------------- np.average: weights along several axes
# (the x adjoint shaped 1-D weights for one axis only: weights along axis=(1, 0) raised a ValueError)
X34 = np.cos(np.arange(12.0)).reshape(3, 4)


def average_weights_along_axes(p):
    x = np.reshape(p, (3, 4))
    a, s = np.average(x * x, axis=(1, 0), weights=X34.T + 1.5, returned=True)
    return a * s + np.sum(np.average(np.sin(x), axis=1, weights=np.arange(1.0, 5.0)))


@pytest.mark.skipif(NUMPY_VERSION < (2, 0), reason=f"weights along several axes need NumPy 2 ({np.__version__})")
def test_average_weights_along_axes_in_every_mode():
    check_every_mode(average_weights_along_axes, np.linspace(0.4, 1.6, 12))


def test_average_in_its_weights():  # (refused before; tests/test_average_weights.py has the rest)
    def f(x, w):
        return np.average(x, 0, w)
    w = np.array([0.5, 1.2, 0.8, 2.0])
    assert_close(s2s.grad(f, wrt=1)(X34[0], w), numeric_grad(f, (X34[0], w), 1), what="weights")
