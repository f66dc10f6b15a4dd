"""Library forms s2s refused that NumPy, SciPy and the standard library define exactly (round 17, fix17lib, from
hunt17fin R1, hunt17geo R2-R5, hunt17num R4 and M1, hunt17reg's statistics refusals).

- np.cov(x, y): NumPy's own reading, np.cov of x's variables and y's joined in rows (rowvar= as NumPy reads it).
- np.linalg.qr(a, mode='complete') of a square or wide a: the reduced factors, bit for bit (a tall a's complete q
  has columns past a's, any orthonormal completion: refused where differentiated); mode='r': the reduced r.
- np.linalg.cholesky(a, upper=True) (NumPy 2): the transpose of the lower factor of a's transpose, bit for bit
  (LAPACK reads a's upper triangle, so a non-symmetric a is checked too).
- np.prod(x, where=m), also as the method x.prod(where=m): the product of np.where(m, x, 1).
- np.linspace(..., retstep=True): the samples and NumPy's step (stop - start) / (num - 1).
- statistics.variance, stdev, pvariance, pstdev: the sum of squares about the mean, plus Python's last bits.
- np.gradient(y, x) in its coordinates: still refused, but its advice is NumPy's formula, not np.diff(y) / np.diff(x)
  (exact since round 19: tests/test_fix19_lib.py).
- scipy.spatial.distance.cdist / pdist (euclidean, sqeuclidean): np.linalg.norm of the rows' differences.
- np.cross of two 2-vectors in vector forward mode: refused (documented), its advice exact (exact since round 19).

Each derivative is checked in every mode against finite differences (tests.conftest.check_every_mode), each value
against NumPy's own, bit for bit.
"""
import inspect
import statistics

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

try:  # (scipy is optional: its distances' tests are skipped without it)
    import scipy.spatial.distance as ssd
except ImportError:  # pragma: no cover
    ssd = None

R = np.random.default_rng(1707)
Y6 = R.normal(size=6)
X52 = R.normal(size=(5, 2))
Y53 = R.normal(size=(5, 3))
B = R.normal(size=(3, 3))
SPD = B @ B.T + 3.0 * np.eye(3)
UNSYMMETRIC = SPD + np.triu(R.normal(size=(3, 3)), 1)  # (the upper triangle is what upper=True reads)
MASK = np.array([True, False, True, True, False, True])


# ------------------------------------------------------------------ np.cov(x, y)
def cov_beta(x):  # a CAPM beta / control-variate coefficient
    c = np.cov(x, Y6)
    return c[0, 1] / c[1, 1]


def cov_beta_y(y):
    c = np.cov(Y6 * 0.5 + 1.0, y, ddof=0)
    return c[0, 1] / c[1, 1]


def cov_both(x):
    return np.sum(np.cov(x, x[::-1] ** 2) ** 2)


def cov_columns(x):
    return np.sum(np.cov(x.reshape(5, 2), Y53, rowvar=False, bias=True) ** 2)


def cov_columns_y(y):
    return np.sum(np.cov(X52, y.reshape(5, 3), False) ** 2)


def cov_weighted(x):
    return np.sum(np.cov(x, Y6, aweights=np.arange(1.0, 7.0), fweights=np.array([1, 2, 1, 3, 1, 1])) ** 2)


@pytest.mark.parametrize("f, x", [(cov_beta, Y6[::-1] + 0.3), (cov_beta_y, Y6 + 0.1), (cov_both, Y6),
                                  (cov_columns, X52.ravel()), (cov_columns_y, Y53.ravel()),
                                  (cov_weighted, Y6[::-1] * 2.0)], ids=lambda v: getattr(v, "__name__", ""))
def test_cov_of_two_series_in_every_mode(f, x):
    check_every_mode(f, x, exact=True)


def test_cov_of_two_series_vector_result():
    def cov2(x):
        return np.cov(x, Y6)

    x = Y6[::-1] + 0.3
    value, pullback = s2s.vjp(cov2)(x)
    assert np.array_equal(value, np.cov(x, Y6))
    w = np.array([[1.0, -2.0], [0.5, 3.0]])
    assert_close(pullback(w), numeric_grad(lambda v: np.sum(np.cov(v, Y6) * w), (x,), 0))
    J = numeric_grad(lambda v: np.cov(v, Y6)[0, 1], (x,), 0)
    assert_close(s2s.jacobian(cov2, mode="forward")(x)[0, 1], J)
    assert_close(s2s.jacobian(cov2)(x)[0, 1], J)


# ------------------------------------------------------------------ np.linalg.cholesky(a, upper=True)
def cholesky_upper(a):
    U = np.linalg.cholesky(a.reshape(3, 3), upper=True)
    return np.sum(U * np.arange(9.0).reshape(3, 3)) + np.sum(np.log(np.diagonal(U)))


@pytest.mark.parametrize("a", [SPD, UNSYMMETRIC], ids=["symmetric", "unsymmetric"])
def test_cholesky_upper_in_every_mode(a):
    if "upper" not in inspect.signature(np.linalg.cholesky).parameters:  # (NumPy 1: its own TypeError)
        with pytest.raises(TypeError):
            s2s.grad(cholesky_upper)(a.ravel())
        return
    check_every_mode(cholesky_upper, a.ravel(), exact=True)


# ------------------------------------------------------------------ np.linalg.qr(a, mode='complete' / 'r')
QW = np.arange(9.0).reshape(3, 3)


def qr_complete_square(x):
    q, r = np.linalg.qr(x.reshape(3, 3), mode="complete")
    return np.sum(q * QW) + np.sum(r ** 2 * QW)


def qr_complete_wide(x):
    q, r = np.linalg.qr(x.reshape(2, 3), mode="complete")
    return np.sum(q * QW[:2, :2]) + np.sum(r ** 2 * QW[:2])


def qr_r(x):
    return np.sum(np.linalg.qr(x.reshape(3, 2), mode="r") ** 3)


def qr_complete_tall(x):
    q, r = np.linalg.qr(x.reshape(3, 2), mode="complete")
    return np.sum(q)


TALL = R.normal(size=(3, 2))


def qr_complete_tall_constant(x):
    q, r = np.linalg.qr(TALL, mode="complete")
    return np.sum(q) * x


def test_qr_complete_of_a_square_or_wide_matrix_and_mode_r_in_every_mode():
    # (a wide matrix's reduced factors have no second derivative in s2s: refused, as before)
    check_every_mode(qr_complete_square, R.normal(size=9), exact=True)
    check_every_mode(qr_complete_wide, R.normal(size=6), exact=True, hessian=False)
    check_every_mode(qr_r, R.normal(size=6), exact=True)


def test_qr_complete_of_a_tall_matrix_is_refused_where_differentiated():
    with pytest.raises(s2s.S2SError, match="orthonormal completion"):
        s2s.grad(qr_complete_tall)(R.normal(size=6))
    with pytest.raises(s2s.S2SError, match="orthonormal completion"):
        s2s.jvp(qr_complete_tall)((R.normal(size=6),), (np.ones(6),))
    assert s2s.grad(qr_complete_tall_constant)(2.0) == np.sum(np.linalg.qr(TALL, mode="complete")[0])


# ------------------------------------------------------------------ np.prod(x, where=m)
def prod_where(x):
    return np.prod(x, where=MASK)


def prod_where_method(x):
    return x.reshape(2, 3).prod(axis=1, where=MASK.reshape(2, 3)) @ np.array([1.0, -2.0])


def prod_where_row(x):  # (a mask of one row, fitted to x's shape as NumPy fits it)
    return np.sum(np.prod(x.reshape(2, 3), axis=0, where=np.array([True, False, True])) ** 2)


@pytest.mark.parametrize("f", [prod_where, prod_where_method, prod_where_row], ids=lambda f: f.__name__)
def test_prod_where_in_every_mode(f):
    check_every_mode(f, np.array([0.7, -1.3, 1.1, 0.9, 2.0, -0.6]), exact=True)


# ------------------------------------------------------------------ np.linspace(..., retstep=True)
def linspace_step(x):
    s, h = np.linspace(x[0], x[1], 5, retstep=True)
    return np.sum(s ** 2) * h


def linspace_step_arrays(x):
    s, h = np.linspace(x[:2], x[2:], 4, endpoint=False, retstep=True, axis=1)
    return np.sum(np.sin(s)) + np.sum(h ** 2)


def linspace_step_positional(x):
    return np.linspace(x[0], x[1], 6, True, True)[1] * x[0]


@pytest.mark.parametrize("f, x", [(linspace_step, [0.3, 1.7]), (linspace_step_arrays, [0.3, 1.7, -0.4, 2.0]),
                                  (linspace_step_positional, [0.3, 1.7])], ids=lambda v: getattr(v, "__name__", ""))
def test_linspace_retstep_in_every_mode(f, x):
    check_every_mode(f, np.array(x), exact=True)


def one_sample(x):
    return np.linspace(x, 2.0 * x, 1, retstep=True)


def test_linspace_retstep_of_one_sample_is_nan_as_numpy():
    (samples, step), _ = s2s.vjp(one_sample)(1.5)
    assert np.array_equal(samples, [1.5]) and np.isnan(step) and np.isnan(one_sample(1.5)[1])


# ------------------------------------------------------------------ statistics.variance, stdev, pvariance, pstdev
def st_variance(x):
    return statistics.variance(list(x))


def st_pvariance(x):
    return statistics.pvariance([v * 2.0 for v in x])


def st_stdev(x):
    return statistics.stdev(x.tolist()) * x[0]


def st_pstdev(x):
    return statistics.pstdev(v for v in x)


def st_in_loop(x):
    total = 0.0
    for k in range(2, 5):
        total = total + statistics.stdev(list(x[:k])) / k
    return total


@pytest.mark.parametrize("f", [st_variance, st_pvariance, st_stdev, st_pstdev, st_in_loop], ids=lambda f: f.__name__)
def test_statistics_spreads_in_every_mode(f):
    x = np.array([0.3, 1.7, -0.4, 2.0, 1.1])
    check_every_mode(f, x, exact=True)  # (Python's value bit for bit: its exact sum of squares rounded once)
    value = s2s.value_and_grad(f)(x)[0]
    assert type(value) is type(f(x))


def test_statistics_variance_is_pythons_value_where_floats_cancel():
    x = np.array([1e8 + 0.1, 1e8 + 0.3, 1e8 - 0.2, 1e8 + 0.05])
    assert s2s.value_and_grad(st_variance)(x)[0] == st_variance(x)
    assert_close(s2s.grad(st_variance)(x), 2.0 * (x - np.mean(x)) / 3.0, 1e-6, 1e-6)


def st_one_point(x):
    return statistics.variance([x])


def st_with_mean(x):
    return statistics.stdev([x, 2.0 * x, 3.0], xbar=1.0)


def test_statistics_spread_errors_and_refusals():
    with pytest.raises(statistics.StatisticsError, match="at least two data points"):
        s2s.grad(st_one_point)(1.5)
    with pytest.raises(s2s.S2SError, match="xbar") as error:
        s2s.grad(st_with_mean)(1.5)
    assert "leave xbar out" in str(error.value)


# ------------------------------------------------------------------ np.gradient(y, x) in its coordinates: the advice
def gradient_at(y, x):
    return np.sum(np.gradient(y, x) ** 2)


def gradient_as_advised(y, x):  # (the formula the refusal gives, which is NumPy's, not np.diff(y) / np.diff(x))
    h = np.diff(x)
    a, b = h[:-1], h[1:]
    inner = (a * a * y[2:] - b * b * y[:-2] + (b * b - a * a) * y[1:-1]) / (a * b * (a + b))
    return np.sum(np.concatenate([(y[1:2] - y[:1]) / h[:1], inner, (y[-1:] - y[-2:-1]) / h[-1:]]) ** 2)


def test_gradient_coordinates_advice_is_numpys_formula():
    # (exact since round 19, tests/test_fix19_lib.py: the formula the refusal gave and np.gradient agree)
    y, x = np.array([1.0, 2.5, 3.0, 5.0, 4.0, 4.5]), np.array([0.0, 0.5, 1.5, 2.0, 3.0, 3.2])
    assert_close(s2s.grad(gradient_at, wrt=1)(y, x), numeric_grad(gradient_at, (y, x), 1))
    assert gradient_as_advised(y, x) == pytest.approx(gradient_at(y, x), rel=1e-14)
    assert_close(s2s.grad(gradient_as_advised, wrt=1)(y, x), numeric_grad(gradient_at, (y, x), 1))


# ------------------------------------------------------------------ scipy.spatial.distance.cdist / pdist
TARGETS = 0.5 * R.normal(size=(4, 3))  # (values near 1: finite differences of the Hessian stay accurate)


def cdist_energy(x):
    D = ssd.cdist(x.reshape(5, 3), TARGETS)
    return np.sum(D ** 2) + np.sum(np.sqrt(D + 1.0))


def cdist_squared(x):
    return np.sum(np.sin(ssd.cdist(x.reshape(5, 3), TARGETS, "sqeuclidean")))


def pdist_repulsion(x):
    return np.sum(1.0 / ssd.pdist(x.reshape(5, 3)))


def pdist_squared(x):
    return np.sum(np.exp(-ssd.pdist(x.reshape(5, 3), metric="sqeuclidean")))


@pytest.mark.parametrize("f", [cdist_energy, cdist_squared, pdist_repulsion, pdist_squared], ids=lambda f: f.__name__)
def test_distances_in_every_mode(f):
    pytest.importorskip("scipy.spatial")
    x = 0.5 * R.normal(size=15)
    check_every_mode(f, x)
    assert s2s.value_and_grad(f)(x)[0] == pytest.approx(f(x), rel=1e-15)


def cdist_self(x):
    return np.sum(ssd.cdist(x.reshape(3, 2), x.reshape(3, 2)))


def cdist_city(x):
    return np.sum(ssd.cdist(x.reshape(3, 2), x.reshape(3, 2), "cityblock"))


def test_distances_at_zero_and_other_metrics():
    pytest.importorskip("scipy.spatial")
    x = np.array([0.3, -1.2, 2.0, 0.5, -0.7, 1.1])
    P = x.reshape(3, 2)
    # the diagonal's distances are 0 (np.linalg.norm's convention: no derivative there); off it, 2 (p_i - p_j) / d
    D = ssd.cdist(P, P) + np.eye(3)
    expected = 2.0 * np.sum((P[:, None, :] - P[None, :, :]) / D[:, :, None] * (1.0 - np.eye(3))[:, :, None], axis=1)
    assert_close(s2s.grad(cdist_self)(x), expected.ravel(), 1e-12, 1e-12)
    assert_close(s2s.jacobian(cdist_self, mode="forward")(x), expected.ravel(), 1e-12, 1e-12)
    with pytest.raises(s2s.S2SError, match="euclidean") as error:
        s2s.grad(cdist_city)(x)
    assert "np.linalg.norm(XA[:, None, :] - XB[None, :, :], axis=-1)" in str(error.value)


# ------------------------------------------------------------------ np.cross of two 2-vectors from two arguments
def turn(a, b):
    return np.sum(np.cross(a, b) ** 2)


def turn_gradients(a, b):
    """The gradient of turn in a and in b, by hand: c = a0 b1 - a1 b0 per row, d(c^2) = 2 c dc."""
    c = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    return np.stack([2 * c * b[:, 1], -2 * c * b[:, 0]], axis=1), np.stack([-2 * c * a[:, 1], 2 * c * a[:, 0]], axis=1)


def turn_as_advised(a, b):
    return np.sum((a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]) ** 2)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # (NumPy 2 deprecates np.cross of 2-vectors)
def test_cross_of_2_vectors_of_two_arguments_in_vector_forward_mode_is_refused_with_advice_that_works():
    """Vector forward mode takes np.cross's result to keep its operands' rank, which two 2-vectors drop (a
    number each; tried in round 17: without the rank, the 3-vector case's generated code loses its static
    alignment): the forward Jacobian and the Hessian refuse it (docs/limitations.md), and the advice is exact."""
    a = np.array([[1.0, 0.2], [0.3, -0.5]])
    b = np.array([[0.4, 1.0], [-0.2, 0.7]])
    for wrt, expected in enumerate(turn_gradients(a, b)):
        assert_close(s2s.grad(turn, wrt=wrt)(a, b), expected, 1e-12, 1e-12)
        # (exact since round 19: vector mode leaves two 2-vectors to one tangent at a time, tests/test_fix19_lib.py)
        assert_close(s2s.jacobian(turn, wrt=wrt, mode="forward")(a, b), expected, 1e-12, 1e-12)
        assert_close(s2s.jacobian(turn_as_advised, wrt=wrt, mode="forward")(a, b), expected, 1e-12, 1e-12)
    H = s2s.hessian(turn_as_advised, wrt=(0, 1))(a, b)
    for i, j in ((0, 0), (0, 1), (1, 1)):  # H[i][j]: d(gradient in argument i) / d(argument j), by differences
        numeric = np.zeros((2, 2, 2, 2))
        for idx in np.ndindex(2, 2):
            e = np.zeros((2, 2))
            e[idx] = 1e-6
            up, down = [a, b], [a, b]
            up[j], down[j] = up[j] + e, down[j] - e
            numeric[(...,) + idx] = (turn_gradients(*up)[i] - turn_gradients(*down)[i]) / 2e-6
        assert_close(H[i][j], numeric, 1e-6, 1e-8)
