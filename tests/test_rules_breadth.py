"""Rules for the scipy.linalg and NumPy functions numerical code calls that s2s refused before (scipy.linalg's
solves, factorizations, det, inv and expm; np.bincount, np.linspace, np.partition, np.unique, ...), each
checked in every mode.

Every program is a function of one float vector `x`, so that one harness (`check_every_mode`) runs it through
every transformation: the value (bit for bit the function's own), `grad`, `jvp`, `jacobian` in both modes,
`hessian` (forward over reverse) and `jacobian(grad(f))` (reverse over reverse), each compared with central
finite differences of the original function, never with s2s itself. Points where the function has a kink (a
tie, a boundary) are checked too: the derivative there is refused or exact. Calls s2s refuses raise a located
error naming the user's line.
"""
from __future__ import annotations

import numpy as np
import pytest

import s2s

from conftest import check_every_mode

try:
    from scipy import linalg
except ImportError:  # (scipy is optional: its section is skipped)
    linalg = None

needs_scipy = pytest.mark.skipif(linalg is None, reason="scipy is not installed")


def refused(f, *args, match: str, line: str):
    """grad and jvp of f both raise a located S2SError naming `line` and matching `match`."""
    for transform in (lambda: s2s.grad(f)(*args), lambda: s2s.jvp(f)(args, tuple(np.ones_like(a) for a in args))):
        with pytest.raises(s2s.S2SError, match=match) as info:
            transform()
        assert line in str(info.value), str(info.value)


# ================================================================ scipy.linalg
R = np.random.default_rng(11)
A = R.normal(size=(3, 3)) + 3.0 * np.eye(3)  # well conditioned, not symmetric
SPD = A @ A.T + np.eye(3)
B = R.normal(size=3)
B2 = R.normal(size=(3, 2))
PIVOTED = np.array([[0.3, 2.0, 0.1], [0.2, 0.1, 1.5], [2.1, 0.4, 0.3]])  # partial pivoting swaps its rows


def square(x):
    return np.reshape(x[:9], (3, 3))


def solve_general(x):
    return np.sum(np.sin(linalg.solve(square(x), x[9:])))


def solve_positive(x):  # (reads a's upper triangle only)
    return np.sum(np.sin(linalg.solve(square(x), x[9:], assume_a="pos")))


def solve_symmetric_lower(x):
    return np.sum(np.sin(linalg.solve(square(x), np.reshape(x[9:], (3, 2)), assume_a="sym", lower=True)))


def solve_transposed(x):
    return np.sum(np.sin(linalg.solve(square(x), np.reshape(x[9:], (3, 2)), transposed=True)))


def triangular_lower_transposed(x):
    return np.sum(np.sin(linalg.solve_triangular(square(x), x[9:], lower=True, trans=1)))


def triangular_unit_diagonal(x):
    return np.sum(np.sin(linalg.solve_triangular(square(x), np.reshape(x[9:], (3, 2)), unit_diagonal=True)))


def triangular_trans_letter(x):
    return np.sum(np.sin(linalg.solve_triangular(square(x), x[9:], trans="T")))


def cholesky_upper(x):
    return np.sum(np.sin(linalg.cholesky(square(x))))


def cholesky_lower(x):
    return np.sum(np.sin(linalg.cholesky(square(x), lower=True)))


def cho_factor_and_solve(x):  # (c's other triangle holds a's entries: they count too)
    c = linalg.cho_factor(square(x))
    return np.sum(np.sin(linalg.cho_solve(c, x[9:]))) + np.sum(c[0] ** 2)


def cho_solve_lower(x):
    c, low = linalg.cho_factor(square(x), lower=True)
    return np.sum(np.sin(linalg.cho_solve((c, low), np.reshape(x[9:], (3, 2)))))


def lu_factor_and_solve(x):
    lu, piv = linalg.lu_factor(square(x))
    return np.sum(np.sin(linalg.lu_solve((lu, piv), x[9:]))) + np.sum(lu ** 2)


def lu_solve_transposed(x):
    return np.sum(np.sin(linalg.lu_solve(linalg.lu_factor(square(x)), np.reshape(x[9:], (3, 2)), trans=1)))


def det_of(x):
    return linalg.det(square(x)) * x[0]


def inv_of(x):
    return np.sum(np.sin(linalg.inv(square(x))))


def expm_of(x):
    return np.sum(np.sin(linalg.expm(0.3 * square(x))))


def expm_frechet_of(x):
    a = 0.3 * square(x)
    return np.sum(np.sin(linalg.expm_frechet(a, a @ a, compute_expm=False)))


def _with(a, b):
    return np.concatenate([np.ravel(a), np.ravel(b)])


SCIPY_CASES = [
    (solve_general, _with(A, B)), (solve_positive, _with(SPD, B)), (solve_symmetric_lower, _with(SPD, B2)),
    (solve_transposed, _with(A, B2)), (triangular_lower_transposed, _with(A, B)),
    (triangular_unit_diagonal, _with(A, B2)), (triangular_trans_letter, _with(A, B)),
    (cholesky_upper, SPD.ravel()), (cholesky_lower, SPD.ravel()), (cho_factor_and_solve, _with(SPD, B)),
    (cho_solve_lower, _with(SPD, B2)), (lu_factor_and_solve, _with(PIVOTED, B)),
    (lu_solve_transposed, _with(PIVOTED, B2)), (det_of, A.ravel()), (inv_of, A.ravel()), (expm_of, A.ravel()),
    (expm_frechet_of, A.ravel()),
]


@needs_scipy
@pytest.mark.parametrize("f,x", SCIPY_CASES, ids=[f.__name__ for f, _ in SCIPY_CASES])
def test_scipy_linalg_in_every_mode(f, x):
    check_every_mode(f, x, exact=True)


@needs_scipy
def test_a_triangle_scipy_does_not_read_has_no_derivative():
    """solve(assume_a='pos') and cholesky read a's upper triangle: the lower one's gradient is 0, the upper's
    off-diagonal entries count for both."""
    g = s2s.grad(solve_positive)(_with(SPD, B))[:9].reshape(3, 3)
    assert np.all(np.tril(g, -1) == 0.0)
    assert np.all(np.triu(s2s.grad(cholesky_lower)(SPD.ravel()).reshape(3, 3), 1) == 0.0)


@needs_scipy
def test_solve_gradient_is_the_formula():
    """d/db sum(w * solve(a, b)) = solve(a^T, w); d/da = -solve(a^T, w) x^T."""
    def f(a, b):
        return np.sum(B * linalg.solve(a, b))
    ga, gb = s2s.grad(f, wrt=(0, 1))(A, B)
    x = np.linalg.solve(A, B)
    u = np.linalg.solve(A.T, B)
    assert np.allclose(gb, u, rtol=1e-12) and np.allclose(ga, -np.outer(u, x), rtol=1e-12)


def solve_diagonal(x):
    return np.sum(linalg.solve(square(x), x[9:], assume_a="diagonal"))


def solve_overwriting(x):
    return np.sum(linalg.solve(square(x), x[9:], overwrite_a=True))


def expm_frechet_with_expm(x):
    return np.sum(linalg.expm_frechet(square(x), square(x), compute_expm=True)[1])


def cholesky_lower_at_run_time(x, low):
    return np.sum(linalg.cholesky(square(x), lower=low))


@needs_scipy
def test_scipy_linalg_refusals():
    refused(solve_diagonal, _with(A, B), match="assume_a='diagonal'", line='assume_a="diagonal"')
    refused(solve_overwriting, _with(A, B), match="overwrite_a", line="overwrite_a=True")
    refused(expm_frechet_with_expm, A.ravel(), match="compute_expm", line="compute_expm=True")
    with pytest.raises(s2s.S2SError, match="lower= is known only at run time"):
        s2s.grad(cholesky_lower_at_run_time)(SPD.ravel(), True)


# ================================================================ NumPy
IDX = np.array([0, 2, 2, 4, 1, 2])


def bincount_weights(x):
    return np.sum(np.sin(np.bincount(IDX, weights=x, minlength=6)))


def linspace_numbers(x):
    return np.sum(np.sin(np.linspace(x[0], x[1], 7)) * np.arange(7))


def linspace_arrays_on_axis_1(x):
    return np.sum(np.sin(np.linspace(x[:2], x[2], 5, endpoint=False, axis=1)))


def linspace_of_one_sample(x):
    return np.sum(np.linspace(x[0], x[1], 1) ** 2) + np.sum(np.linspace(x[1], x[0] * x[1], 2))


def logspace_base_2(x):
    return np.sum(np.sin(np.logspace(x[0], x[1], 4, base=2.0)))


def geomspace_last_axis(x):
    return np.sum(np.sin(np.geomspace(x[0], x[1:3], 5, axis=-1)))


def geomspace_negative(x):
    return np.sum(np.sin(np.geomspace(-x[0], -x[1], 4)))


def partition_vector(x):
    return np.sum(np.sin(np.partition(x, 2)) * np.arange(5))


def partition_columns(x):
    return np.sum(np.sin(np.partition(np.reshape(x, (2, 3)), 1, axis=0)) * np.arange(6).reshape(2, 3))


def partition_flattened(x):
    return np.sum(np.partition(np.reshape(x, (2, 3)), (1, 4), axis=None) * np.arange(6) ** 2)


def unique_values_and_counts(x):
    u, c = np.unique(x, return_counts=True)
    return np.sum(np.sin(u) * np.arange(len(u))) + np.sum(c)


def block_of_four(x):
    a = np.reshape(x[:4], (2, 2))
    return np.sum(np.sin(np.block([[a, x[4:6, None]], [x[6:8][None, :], np.reshape(x[8], (1, 1))]])))


def choose_broadcast(x):
    return np.sum(np.sin(np.choose(np.array([0, 1, 2, 1]), [x[:4], x[4:8], x[8]])))


def insert_at_indices(x):
    return np.sum(np.sin(np.insert(x[:4], [1, 3], x[4:6])) * np.arange(6))


def insert_on_axis(x):
    return np.sum(np.sin(np.insert(np.reshape(x[:6], (2, 3)), 1, x[6], axis=1)) * np.arange(8).reshape(2, 4))


def delete_columns(x):
    return np.sum(np.sin(np.delete(np.reshape(x, (2, 3)), [0, 2], axis=1)))


def resize_repeating(x):
    return np.sum(np.sin(np.resize(x, (3, 3))) * np.arange(9).reshape(3, 3))


def unwrap_phases(x):  # (x * 3.0 jumps by more than pi between entries: unwrap adds multiples of 2 pi)
    return np.sum(np.sin(np.unwrap(x * 3.0)) * np.arange(4) + np.unwrap(x * 3.0) ** 2)


def cumulative_sum_with_initial(x):
    return np.sum(np.sin(np.cumulative_sum(np.reshape(x, (2, 3)), axis=1, include_initial=True)))


def cumulative_prod_with_initial(x):
    return np.sum(np.sin(np.cumulative_prod(x, include_initial=True)))


def tensorsolve_2x2(x):
    a = np.reshape(x[:16], (2, 2, 4)) + np.reshape(3.0 * np.eye(4), (2, 2, 4))
    return np.sum(np.sin(np.linalg.tensorsolve(a, np.reshape(x[16:], (2, 2)))))


def tensorinv_2x2(x):
    a = np.reshape(x, (2, 2, 4)) + np.reshape(3.0 * np.eye(4), (2, 2, 4))
    return np.sum(np.sin(np.linalg.tensorinv(a, ind=2)))


def cond_tall(x):
    return np.linalg.cond(np.reshape(x, (3, 2)))


def cond_inverse_ratio(x):
    return np.linalg.cond(np.reshape(x, (2, 2)), -2) * x[0]


R2 = np.random.default_rng(3)
NUMPY_CASES = [
    (bincount_weights, R2.normal(size=6)), (linspace_numbers, np.array([0.3, 1.7])),
    (linspace_arrays_on_axis_1, np.array([0.3, -0.4, 1.7])), (linspace_of_one_sample, np.array([0.3, -0.4])),
    (logspace_base_2, np.array([0.3, 1.2])), (geomspace_last_axis, np.array([0.5, 2.0, 3.0])),
    (geomspace_negative, np.array([0.5, 2.0])), (partition_vector, R2.normal(size=5)),
    (partition_columns, R2.normal(size=6)), (partition_flattened, R2.normal(size=6)),
    (unique_values_and_counts, R2.normal(size=5)), (block_of_four, R2.normal(size=9)),
    (choose_broadcast, R2.normal(size=9)), (insert_at_indices, R2.normal(size=6)), (insert_on_axis, R2.normal(size=7)),
    (delete_columns, R2.normal(size=6)), (resize_repeating, R2.normal(size=4)),
    (unwrap_phases, np.array([0.1, 1.5, 2.5, -0.3])), (tensorsolve_2x2, R2.normal(size=20) * 0.3),
    (tensorinv_2x2, R2.normal(size=16) * 0.3), (cond_tall, R2.normal(size=6)), (cond_inverse_ratio, R2.normal(size=4)),
]
if hasattr(np, "cumulative_sum"):  # (NumPy >= 2.1)
    NUMPY_CASES += [(cumulative_sum_with_initial, R2.normal(size=6)), (cumulative_prod_with_initial, R2.normal(size=4))]


@pytest.mark.parametrize("f,x", NUMPY_CASES, ids=[f.__name__ for f, _ in NUMPY_CASES])
def test_numpy_in_every_mode(f, x):
    check_every_mode(f, x, exact=True)


def test_linspace_gradient_is_the_fractions():
    """d/dstart sum(w * linspace(start, stop, n)) = sum(w * (1 - t)), d/dstop = sum(w * t)."""
    w = np.array([0.5, -1.0, 2.0, 0.25])
    t = np.linspace(0.0, 1.0, 4)
    g = s2s.grad(lambda a, b: np.sum(w * np.linspace(a, b, 4)), wrt=(0, 1))(0.3, 1.1)
    assert np.allclose(g, (np.sum(w * (1.0 - t)), np.sum(w * t)), rtol=1e-14)


def test_bincount_gradient_gathers():
    w = np.arange(6.0)
    g = s2s.grad(lambda x: np.sum(w * np.bincount(IDX, weights=x, minlength=6)))(np.ones(6))
    assert np.array_equal(g, w[IDX])


def unique_of(x):
    return np.sum(np.unique(x) ** 2)


def cond_of(x):
    return np.linalg.cond(np.reshape(x, (2, 2)))


def linspace_with_step(x):
    samples, step = np.linspace(x[0], x[1], 4, retstep=True)
    return np.sum(samples) * step


def cond_frobenius(x):
    return np.linalg.cond(np.reshape(x, (2, 2)), "fro")


def unique_rows(x):
    return np.sum(np.unique(np.reshape(x, (2, 2)), axis=0))


def test_kinks_are_refused_at_run_time():
    """A repeated value of np.unique (its result would grow) and a repeated extreme singular value of
    np.linalg.cond (a kink of the ratio): an S2SError at the user's line, in both modes."""
    for f, x, match in ((unique_of, np.array([0.3, 1.2, 0.3]), "occurs more than once"),
                        (cond_of, np.array([2.0, 0.0, 0.0, 2.0]), "singular value is repeated")):
        refused(f, x, match=match, line="return")
        assert np.isfinite(f(x))


def test_numpy_refusals():
    check_every_mode(linspace_with_step, np.array([0.3, 1.1]), exact=True)  # (exact since fix17lib)
    refused(cond_frobenius, np.array([2.0, 0.3, 0.1, 1.0]), match="p='fro'", line='"fro"')
    refused(unique_rows, np.array([2.0, 0.3, 0.1, 1.0]), match="axis", line="axis=0")


def inv_of_a_stack(x):
    return np.sum(np.sin(linalg.inv(np.reshape(x, (3, 3, 3)))))


@needs_scipy
def test_a_stack_of_matrices_is_refused_at_run_time():
    """scipy.linalg's rules are written for one matrix: a stack (3, 3, 3), whose transposes would read the wrong
    axes, raises an S2SError at the user's line when the derivative runs."""
    x = np.ravel(np.eye(3) * 2.0 + np.zeros((3, 3, 3)))
    try:
        inv_of_a_stack(x)
    except ValueError:  # (SciPy before 1.16 takes one matrix only: the function itself refuses the stack)
        pytest.skip("this SciPy's linalg.inv takes one matrix only")
    refused(inv_of_a_stack, x, match=r"scipy.linalg.inv of an array of shape \(3, 3, 3\)", line="linalg.inv(")


def i0_of(x):
    return np.sum(np.i0(x) * np.arange(5.0)) + np.i0(x[0] * x[1])


def test_i0_in_every_mode():
    """np.i0's derivatives are the moments (1 / pi) int exp(x cos t) cos(t) ** k dt (rt.bessel_moment), at 0 too."""
    check_every_mode(i0_of, np.array([0.0, -1.3, 2.2, 3.1, 0.4]), exact=True)


def test_i0_derivatives_are_the_bessel_functions():
    """i0' = I1 and i0'' = (I0 + I2) / 2, from 0 to near np.i0's overflow, against SciPy where it is installed and
    the series at small x."""
    x = np.array([0.0, 1e-9, -1e-4, 0.3, -2.0, 7.9, 8.1, 30.0, -150.0, 700.0])
    first = s2s.grad(lambda v: np.sum(np.i0(v)))(x)
    second = np.diagonal(s2s.hessian(lambda v: np.sum(np.i0(v)))(x))
    small = np.abs(x) < 1e-3
    assert np.allclose(first[small], x[small] / 2 + x[small] ** 3 / 16, rtol=1e-13, atol=0)
    assert np.allclose(second[small], 0.5 + 3 * x[small] ** 2 / 16, rtol=1e-13, atol=0)
    special = pytest.importorskip("scipy.special")
    assert np.allclose(first, special.i1(x), rtol=1e-13, atol=0)
    assert np.allclose(second, 0.5 * (special.i0(x) + special.iv(2, x)), rtol=1e-13, atol=0)


def inv_positive_lower(x):
    return np.sum(np.sin(linalg.inv(square(x), assume_a="pos", lower=True)))


@needs_scipy
def test_inv_reads_one_triangle_with_assume_a():
    """SciPy >= 1.17's inv(a, assume_a='pos', lower=True) reads a's lower triangle: its derivative is there."""
    import inspect
    if "assume_a" not in inspect.signature(linalg.inv).parameters:
        pytest.skip("this SciPy's inv has no assume_a")
    check_every_mode(inv_positive_lower, SPD.ravel(), exact=True)
    assert np.all(np.triu(s2s.grad(inv_positive_lower)(SPD.ravel()).reshape(3, 3), 1) == 0.0)


def sqrtm_of(x):
    return np.sum(np.sin(linalg.sqrtm(square(x))))


def sylvester_of(x):
    a = np.reshape(x[:9], (3, 3)) + 3.0 * np.eye(3)
    b = np.reshape(x[9:18], (3, 3)) + 2.0 * np.eye(3)
    return np.sum(np.sin(linalg.solve_sylvester(a, b, np.reshape(x[18:], (3, 3)))))


@needs_scipy
def test_sqrtm_and_solve_sylvester_in_every_mode():
    """sqrtm's derivative solves the Sylvester equation X dX + dX X = da; solve_sylvester's own rules close it
    under every order. A matrix with a negative eigenvalue has a complex root: refused at the user's line."""
    check_every_mode(sqrtm_of, (SPD + 0.3 * A).ravel(), exact=True)
    check_every_mode(sylvester_of, np.random.default_rng(6).normal(size=27) * 0.5, exact=True)
    refused(sqrtm_of, np.array([-1.0, 0.2, 0.0, 0.1, 2.0, 0.0, 0.0, 0.0, 1.0]), match="scipy.linalg.sqrtm gave complex",
            line="linalg.sqrtm(")


def logm_of(x):
    return np.sum(np.sin(linalg.logm(square(x))))


@needs_scipy
def test_logm_in_every_mode():
    """logm's Frechet derivative is the upper right block of logm([[a, e], [0, a]]); a matrix with a negative
    eigenvalue has a complex logarithm: refused at the user's line."""
    check_every_mode(logm_of, (SPD + 0.3 * A).ravel(), exact=True)
    refused(logm_of, np.array([-1.0, 0.2, 0.0, 0.1, 2.0, 0.0, 0.0, 0.0, 1.0]), match="scipy.linalg.logm gave complex",
            line="linalg.logm(")
