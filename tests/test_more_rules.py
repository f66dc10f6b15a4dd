"""The rules for the math and NumPy functions numerical code calls beyond the core set (math.erf, math.fsum,
math.prod, math.dist, pow, divmod, np.ediff1d, np.polyval, np.vander, np.meshgrid, np.gradient, np.nanprod,
np.ldexp, np.modf, np.frexp, np.median, np.percentile, np.quantile, ...), each checked in every mode.

Every program is a function of one float vector `x`, so that one harness runs it through every
transformation: the value, `grad`, `jvp`, `jacobian` in both modes (forward: vector mode, all basis tangents at
once), `hessian` (forward over reverse) and `jacobian(grad(f))` (reverse over reverse). Each derivative is
compared with central finite differences of the original function (second derivatives: of its numeric
gradient), never with s2s itself; where the derivative has a short formula it is checked against it too.
Calls s2s refuses are checked to raise a located error naming the user's line.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import s2s

from conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian


def code_lines(source: str) -> str:
    """The generated source without its comments (which quote the user's lines)."""
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))


def refused(f, *args, match: str, line: str):
    """grad and jvp of f both raise a located S2SError naming `line` and matching `match`."""
    for transform in (lambda: s2s.grad(f)(*args), lambda: s2s.jvp(f)(args, tuple(np.ones_like(a) for a in args))):
        with pytest.raises(s2s.S2SError, match=match) as info:
            transform()
        assert line in str(info.value), str(info.value)


# ================================================================ math and builtins
def erf_and_erfc(x):
    return math.erf(x[0]) * math.erfc(x[1]) + math.erf(x[0] * x[1])


def test_erf_and_erfc():
    x = np.array([0.3, -0.7])
    g = check_every_mode(erf_and_erfc, x)
    a, b = x
    derf = lambda t: 2.0 / math.sqrt(math.pi) * math.exp(-t * t)  # noqa: E731
    expected = [derf(a) * math.erfc(b) + b * derf(a * b), -math.erf(a) * derf(b) + a * derf(a * b)]
    assert_close(g, expected, 1e-12, 1e-14, what="erf: analytic")


def fsum_of_a_list(x):
    return math.fsum([x[0], x[1] * x[2], 2.0]) * x[0] + math.fsum(x * x)


def test_fsum():
    x = np.array([0.3, -0.7, 1.2])
    g = check_every_mode(fsum_of_a_list, x)
    a, b, c = x
    assert_close(g, [2.0 * a + b * c + 2.0 + 2.0 * a, a * c + 2.0 * b, a * b + 2.0 * c], 1e-12, 1e-14,
                 what="fsum: analytic")


def prod_of_a_list(x):
    return math.prod([x[0], x[1], 3.0]) + math.prod(x * x) + math.prod((x[2], x[0]), start=2.0)


def prod_with_a_zero(x):
    return math.prod([x[0], x[1] - 0.5, x[2]])


def test_prod():
    x = np.array([0.3, -0.7, 1.2])
    g = check_every_mode(prod_of_a_list, x)
    a, b, c = x
    p = (a * b * c) ** 2
    assert_close(g, [3.0 * b + 2.0 * p / a + 2.0 * c, 3.0 * a + 2.0 * p / b, 2.0 * p / c + 2.0 * a], 1e-12,
                 1e-14, what="math.prod: analytic")
    # a factor exactly zero: the product of the others, no 0 / 0
    g = check_every_mode(prod_with_a_zero, np.array([0.3, 0.5, 1.2]))
    assert_close(g, [0.0, 0.3 * 1.2, 0.0], 1e-14, 1e-14, what="math.prod at a zero factor")


def prod_start_differentiated(x):
    return math.prod((x[0], 2.0), start=x[1])


def test_prod_start_has_a_rule_in_both_modes():
    """(Forward mode refused start= given by name; it takes the part of the rule's parameter of that name.)"""
    x = np.array([0.3, -0.7])
    assert_close(s2s.grad(prod_start_differentiated)(x), [-1.4, 0.6], 1e-14, 1e-14, what="d/d start")
    _, t = s2s.jvp(prod_start_differentiated)((x,), (x,))
    assert_close(t, -1.4 * 0.3 + 0.6 * -0.7, 1e-14, 1e-14, what="jvp")
    assert_close(s2s.hessian(prod_start_differentiated)(x), [[0.0, 2.0], [2.0, 0.0]], 1e-14, 1e-14, what="hessian")


def dist_of_points(x):
    return math.dist((x[0], x[1]), (1.0, x[2])) + math.dist(x, 2.0 * x[::-1])


def dist_at_equal_points(x):
    return math.dist((x[0], x[1]), (x[0], x[1]))


def test_dist():
    x = np.array([0.3, -0.7, 1.2])
    g = check_every_mode(dist_of_points, x)
    w = x - 2.0 * x[::-1]
    second = (w - 2.0 * w[::-1]) / np.linalg.norm(w)
    d1 = np.array([x[0] - 1.0, x[1] - x[2]]) / math.hypot(x[0] - 1.0, x[1] - x[2])
    assert_close(g, np.array([d1[0], d1[1], -d1[1]]) + second, 1e-12, 1e-14, what="math.dist: analytic")
    # equal points (a kink): the derivative is 0, as math.hypot's at the origin
    assert_close(s2s.grad(dist_at_equal_points)(x), np.zeros(3), 0, 0, what="math.dist at equal points")


def power_builtin(x):
    return pow(x[0], x[1]) + pow(x[2], 3) + pow(base=x[1] + 2.0, exp=x[0])


def test_pow_with_two_arguments_is_the_power_operator():
    x = np.array([1.3, 0.6, -0.7])
    g = check_every_mode(power_builtin, x)
    a, b, c = x
    assert_close(g, [b * a ** (b - 1) + (b + 2.0) ** a * math.log(b + 2.0), a ** b * math.log(a) + a * (b + 2.0)
                     ** (a - 1), 3.0 * c * c], 1e-12, 1e-14, what="pow: analytic")
    assert "pow(" not in code_lines(s2s.grad(power_builtin).source)  # read as x ** y


def modular_power(x):
    return pow(x, 3, 5)


def modular_power_of_constants(x):
    return pow(7, 3, 5) * x


def test_pow_with_a_modulus_is_refused_where_differentiated():
    refused(modular_power, 3.0, match="modular exponentiation", line="return pow(x, 3, 5)")
    assert s2s.grad(modular_power_of_constants)(1.5) == 3.0  # (no derivative through it: computed as written)


def quotient_and_remainder(x):
    q, r = divmod(x[0], x[1])
    return q * r + divmod(x[2], 0.75)[1] ** 2


def test_divmod_is_floor_division_and_remainder():
    x = np.array([5.3, 2.1, 1.9])
    g = check_every_mode(quotient_and_remainder, x)
    q = x[0] // x[1]
    assert_close(g, [q, -q * q, 2.0 * (x[2] % 0.75)], 1e-12, 1e-14, what="divmod: analytic")
    code = code_lines(s2s.grad(quotient_and_remainder).source)
    assert "divmod" not in code and "//" in code and "%" in code, code


# ================================================================ NumPy: differences, polynomials, grids, floats
def ediff1d_plain(x):
    return np.sum(np.ediff1d(x) ** 3)


def ediff1d_with_ends(x):
    return np.sum(np.ediff1d(x[:3], to_end=x[3:] * 2.0, to_begin=x[0] ** 2) ** 2 * np.arange(1.0, 6.0))


def ediff1d_constant_ends(x):
    return np.sum(np.sin(np.ediff1d(np.reshape(x, (2, 2)), to_end=[1.0, 2.0], to_begin=-1.0)))


def test_ediff1d():
    x = np.array([0.3, -0.7, 1.2, 0.4, 2.0])
    g = check_every_mode(ediff1d_plain, x)
    d = np.diff(x) ** 2 * 3.0
    assert_close(g, np.concatenate([[0.0], d]) - np.concatenate([d, [0.0]]), 1e-12, 1e-14, what="ediff1d")
    check_every_mode(ediff1d_with_ends, x)
    check_every_mode(ediff1d_constant_ends, x[:4])


def polyval_in_both(x):
    return np.sum(np.polyval(x[:3], x[3:]) ** 2) + np.polyval([x[0], 2.0, x[1]], x[2])


def polyval_of_a_matrix(x):
    return np.sum(np.polyval(np.array([1.5, -0.5, x[0], 0.25]), np.reshape(x, (2, 2))) * np.array([[1.0, 2.0],
                                                                                                      [3.0, 4.0]]))


def test_polyval():
    x = np.array([0.3, -0.7, 1.2, 0.4, 2.0])
    check_every_mode(polyval_in_both, x)
    g = check_every_mode(polyval_of_a_matrix, np.array([0.3, -0.7, 1.2, 0.0]))
    w = np.array([1.0, 2.0, 3.0, 4.0])
    t = np.array([0.3, -0.7, 1.2, 0.0])
    expected = w * (4.5 * t ** 2 - 1.0 * t + t[0]) + np.array([np.sum(w * t), 0.0, 0.0, 0.0])
    assert_close(g, expected, 1e-12, 1e-14, what="polyval: analytic")


def polyder_reversed(x):
    return np.sum(np.polyder(x) * np.array([1.0, -2.0, 0.5])) + np.polyval(np.polyder(x * x), 0.7)


def test_polyder():
    x = np.array([0.3, -0.7, 1.2, 0.4])
    g = check_every_mode(polyder_reversed, x)
    assert_close(g[:3], np.array([3.0, -4.0, 0.5]) + 2.0 * x[:3] * np.array([3 * 0.49, 2 * 0.7, 1.0]), 1e-12, 1e-14,
                 what="polyder: analytic")


def vander_weighted(x):
    return np.sum(np.vander(x) * np.reshape(np.arange(9.0), (3, 3))) + np.sum(np.vander(x, 4, increasing=True) ** 2)


def test_vander():
    x = np.array([0.3, -0.7, 0.0])  # (an entry 0: x ** 0 has slope 0 there, no 0 ** -1)
    g = check_every_mode(vander_weighted, x)
    w = np.reshape(np.arange(9.0), (3, 3))
    expected = w[:, 0] * 2.0 * x + w[:, 1] + sum(2.0 * k * x ** (2 * k - 1) for k in (1, 2, 3))
    assert_close(g, expected, 1e-12, 1e-14, what="vander: analytic")


def meshgrid_xy(x):
    a, b = np.meshgrid(x[:2], x[2:] ** 2)
    return np.sum(a * b * np.reshape(np.arange(6.0), (3, 2)))


def meshgrid_ij_sparse(x):
    grids = np.meshgrid(x[:2], x[2:4], x[4:], indexing="ij", sparse=True)
    return np.sum(np.sin(grids[0] + grids[1] * grids[2]))


def meshgrid_one_output_used(x):
    return np.sum(np.meshgrid(x[:2], x[2:])[1] ** 3)


def test_meshgrid():
    x = np.array([0.3, -0.7, 1.2, 0.4, 2.0])
    g = check_every_mode(meshgrid_xy, x)
    w = np.reshape(np.arange(6.0), (3, 2))
    b = x[2:] ** 2
    assert_close(g, np.concatenate([w.T @ b, 2.0 * x[2:] * (w @ x[:2])]), 1e-12, 1e-14, what="meshgrid: analytic")
    check_every_mode(meshgrid_ij_sparse, np.append(x, -0.5))
    check_every_mode(meshgrid_one_output_used, x)


def gradient_uniform(x):
    return np.sum(np.gradient(x) ** 2 * np.arange(1.0, 6.0)) + np.sum(np.gradient(x, 0.5, edge_order=2) ** 3)


def gradient_of_a_grid(x):
    gy, gx = np.gradient(np.reshape(x, (2, 3)), 2.0, np.array([0.0, 0.5, 1.5]))
    return np.sum(gy * gx) + np.sum(np.gradient(np.reshape(x, (2, 3)), axis=1) ** 2)


def gradient_in_its_spacing(x):
    return np.sum(np.gradient(x[:3], x[3]))


def test_gradient():
    x = np.array([0.3, -0.7, 1.2, 0.4, 2.0])
    check_every_mode(gradient_uniform, x)
    check_every_mode(gradient_of_a_grid, np.append(x, -0.5))
    g = check_every_mode(gradient_in_its_spacing, x)  # (linear in 1 / x[3]: hunt5sig; it was refused)
    assert_close(g[3], -gradient_in_its_spacing(x) / x[3], 1e-12, 1e-14, what="gradient: in its spacing")


def nanprod_with_nan(x):
    y = np.where(x > 1.0, np.nan, x)
    return np.nanprod(y) + np.sum(np.nanprod(np.reshape(y, (2, 3)), axis=0) ** 2)


def test_nanprod():
    x = np.array([0.3, -0.7, 1.2, 0.4, 0.9, 0.5])
    g = check_every_mode(nanprod_with_nan, x)
    assert g[2] == 0.0


def parts_of_floats(x):
    frac, whole = np.modf(x * 3.0)
    mantissa, exponent = np.frexp(x)
    return np.sum(frac ** 2 * whole) + np.sum(np.ldexp(x, np.array([3, -1, 0, 2])) * x) + np.sum(mantissa ** 3)


def test_ldexp_modf_frexp():
    x = np.array([0.3, -0.7, 1.2, 2.6])
    g = check_every_mode(parts_of_floats, x)
    frac, whole = np.modf(x * 3.0)
    mantissa, exponent = np.frexp(x)
    expected = 6.0 * frac * whole + 2.0 * x * 2.0 ** np.array([3, -1, 0, 2]) + 3.0 * mantissa ** 2 * 2.0 ** -exponent
    assert_close(g, expected, 1e-12, 1e-14, what="modf, frexp, ldexp: analytic")


# ================================================================ quantiles and medians
def _sorted_weights(x, q):
    """The reference: np.quantile's linear interpolation written out, as weights on x's entries."""
    order = np.argsort(x, kind="stable")
    pos = q * (len(x) - 1)
    lo = int(np.floor(pos))
    hi = min(lo + 1, len(x) - 1)
    w = np.zeros(len(x))
    w[order[lo]] += 1.0 - (pos - lo)
    w[order[hi]] += pos - lo
    return w


def median_odd_and_even(x):
    return np.median(x) * 2.0 + np.median(x[:4]) ** 2


def test_median():
    x = np.array([0.3, -0.7, 1.2, 0.4, 2.0])
    g = check_every_mode(median_odd_and_even, x)
    expected = 2.0 * _sorted_weights(x, 0.5)
    expected[:4] += 2.0 * np.median(x[:4]) * _sorted_weights(x[:4], 0.5)
    assert_close(g, expected, 1e-12, 1e-14, what="median: analytic")


def quantiles_on_axes(x):
    m = np.reshape(x, (3, 4))
    return (np.sum(np.quantile(m, [0.1, 0.5, 0.95], axis=1) * np.arange(9.0).reshape(3, 3))
            + np.sum(np.percentile(m, 30, axis=0, keepdims=True) ** 2) + np.quantile(m, 0.4) * x[0])


def test_quantile_and_percentile():
    x = np.array([0.3, -0.7, 1.2, 0.4, 2.0, -1.1, 0.8, 1.7, -0.2, 0.05, 1.4, -0.45])
    check_every_mode(quantiles_on_axes, x)
    g = s2s.grad(lambda_free_quantile)(x[:5])
    assert_close(g, 3.0 * _sorted_weights(x[:5], 0.3), 1e-12, 1e-14, what="quantile: analytic")


def lambda_free_quantile(x):
    return 3.0 * np.quantile(x, 0.3)


def nan_medians(x):
    y = np.where(x > 1.5, np.nan, x)
    m = np.reshape(y, (2, 5))
    return np.nanmedian(y) + np.sum(np.nanquantile(m, 0.25, axis=1) ** 2) + np.sum(np.nanpercentile(m, [20, 90], axis=1))


def test_nan_medians_and_quantiles():
    x = np.array([0.3, -0.7, 1.2, 0.4, 2.0, -1.1, 0.8, 1.7, -0.2, 0.05])
    g = check_every_mode(nan_medians, x)
    assert g[4] == 0.0 and g[7] == 0.0  # (the nan entries)
    kept = np.array([i for i in range(10) if x[i] <= 1.5])
    w = np.zeros(10)
    w[kept] = _sorted_weights(x[kept], 0.5)
    assert_close(s2s.grad(lambda x: np.nanmedian(np.where(x > 1.5, np.nan, x)))(x), w, 1e-12, 1e-14,
                 what="nanmedian: analytic")


def quantile_nearest(x):
    return np.quantile(x, 0.3, method="nearest")


def quantile_in_q(x):
    return np.quantile(np.array([0.5, 2.0, 1.0]), x[0])


def median_overwriting(x):
    return np.median(x * 2.0, overwrite_input=True)


def test_quantile_in_q():
    """(refused until round 15: d/dq is c (x_sorted[hi] - x_sorted[lo]), here 2 (1.0 - 0.5) at q = 0.3)"""
    g = check_every_mode(quantile_in_q, np.array([0.3, -0.7, 1.2]))
    assert_close(g, [1.0, 0.0, 0.0], 1e-12, 1e-14, what="quantile in q: analytic")


def test_quantile_refusals():
    x = np.array([0.3, -0.7, 1.2])
    refused(quantile_nearest, x, match="method other than 'linear'", line='np.quantile(x, 0.3, method="nearest")')
    refused(median_overwriting, x, match="overwrite_input", line="np.median(x * 2.0, overwrite_input=True)")


# ================================================================ regressions
def dist_of_arrays_made_from_a_number(x):
    vec = np.cos(np.arange(3) * x)
    return math.dist(np.full(3, x), vec)


def fsum_and_prod_of_arrays_made_from_a_number(x):
    return math.fsum(np.cos(np.arange(3) * x)) + math.prod(np.sin(np.arange(1.0, 4.0) * x))


def test_sequence_arguments_of_math_functions_are_not_numbers():
    """math.dist, math.fsum and math.prod return a number whatever their arguments' shapes: the analyses took
    their arguments for numbers as those of math.sin, and left out the sum over np.arange(3) * x's entries in
    x's adjoint (fuzz seeds 970075 and 970210: a gradient of shape (3,) for a float)."""
    for f in (dist_of_arrays_made_from_a_number, fsum_and_prod_of_arrays_made_from_a_number):
        g = s2s.grad(f)(-0.34)
        assert np.ndim(g) == 0, g
        assert_close(g, numeric_grad(f, (-0.34,), 0), what=f.__name__)
        assert_close(s2s.hessian(f)(-0.34), numeric_hessian(f, -0.34), 1e-4, 1e-5, what=f"{f.__name__}: hessian")
        _, tangent = s2s.jvp(f)((-0.34,), (1.0,))
        assert_close(tangent, numeric_grad(f, (-0.34,), 0), what=f"{f.__name__}: jvp")


# ================================================================ pseudo-inverses and least squares of full rank
def pinv_tall_and_wide(x):
    a = np.reshape(x, (3, 2)) + np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    return np.sum(np.linalg.pinv(a) * np.arange(6.0).reshape(2, 3)) + np.sum(np.linalg.pinv(a.T) ** 2)


def pinv_of_a_stack(x):
    a = np.reshape(x, (2, 2, 2)) + np.eye(2)
    return np.sum(np.linalg.pinv(a) ** 3)


def test_pinv():
    x = np.array([0.3, -0.7, 0.2, 0.4, -0.5, 0.1])
    g = check_every_mode(pinv_tall_and_wide, x)
    # the square, invertible case against the inverse's derivative written out: d inv(A) = -A^-1 dA A^-1
    a = np.array([[1.3, -0.7], [0.2, 1.4]])
    inv = np.linalg.inv(a)
    w = np.arange(4.0).reshape(2, 2)
    assert_close(s2s.grad(lambda_free_pinv_square)(a), -inv.T @ w @ inv.T, 1e-10, 1e-12, what="pinv: analytic")
    check_every_mode(pinv_of_a_stack, np.linspace(-0.4, 0.5, 8))
    assert g.shape == (6,)


def lambda_free_pinv_square(a):
    return np.sum(np.linalg.pinv(a) * np.arange(4.0).reshape(2, 2))


def pinv_rank_deficient(x):
    return np.sum(np.linalg.pinv(np.outer(x, x)))


def pinv_hermitian(x):
    return np.sum(np.linalg.pinv(np.outer(x, x) + np.eye(3), hermitian=True))


def test_pinv_refusals():
    x = np.array([0.3, -0.7, 0.2])
    for transform in (lambda: s2s.grad(pinv_rank_deficient)(x), lambda: s2s.jvp(pinv_rank_deficient)((x,), (x,))):
        with pytest.raises(s2s.S2SError, match="rank-deficient"):
            transform()
    refused(pinv_hermitian, x, match="hermitian", line="hermitian=True")


def lstsq_solution(x):
    a = np.reshape(x[:6], (3, 2)) + np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    solution = np.linalg.lstsq(a, x[6:], rcond=None)[0]
    several = np.linalg.lstsq(a, np.stack([x[6:], np.sin(x[6:])], axis=1), rcond=None)[0]
    return np.sum(solution * np.array([1.0, -2.0])) + np.sum(several ** 2)


def test_lstsq():
    x = np.array([0.3, -0.7, 0.2, 0.4, -0.5, 0.1, 0.5, -1.0, 2.0])
    g = check_every_mode(lstsq_solution, x)
    # against the normal equations solved by hand: x = (A^T A)^-1 A^T b
    a = np.reshape(x[:6], (3, 2)) + np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])

    def by_hand(t):
        m = np.reshape(t[:6], (3, 2)) + np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
        return np.sum(np.linalg.solve(m.T @ m, m.T @ t[6:]) * np.array([1.0, -2.0]))
    assert_close(s2s.grad(lstsq_first_part)(x), s2s.grad(by_hand)(x), 1e-10, 1e-12, what="lstsq: normal equations")
    assert a.shape == (3, 2) and g.shape == (9,)


def lstsq_first_part(x):
    a = np.reshape(x[:6], (3, 2)) + np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    return np.sum(np.linalg.lstsq(a, x[6:], rcond=None)[0] * np.array([1.0, -2.0]))


def lstsq_residuals(x):
    a = np.reshape(x[:6], (3, 2)) + np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    return np.sum(np.linalg.lstsq(a, x[6:], rcond=None)[1])


def lstsq_wide(x):
    return np.sum(np.linalg.lstsq(np.reshape(x[:6], (2, 3)), x[6:8], rcond=None)[0])


def test_lstsq_refusals_and_forward_residuals():
    x = np.array([0.3, -0.7, 0.2, 0.4, -0.5, 0.1, 0.5, -1.0, 2.0])
    with pytest.raises(s2s.S2SError, match="residuals"):
        s2s.grad(lstsq_residuals)(x)
    _, tangent = s2s.jvp(lstsq_residuals)((x,), (np.linspace(-1.0, 1.0, 9),))  # forward mode has their derivative
    numeric = numeric_grad(lstsq_residuals, (x,), 0)
    assert_close(tangent, numeric @ np.linspace(-1.0, 1.0, 9), what="lstsq residuals: jvp")
    for transform in (lambda: s2s.grad(lstsq_wide)(x), lambda: s2s.jvp(lstsq_wide)((x,), (x,))):
        with pytest.raises(s2s.S2SError, match="full column rank"):
            transform()


def numpy_divmod(x):
    q, r = np.divmod(x * 3.0, 0.7)
    return np.sum(q * r) + np.sum(np.divmod(x, x[::-1] + 2.0)[1] ** 2)


def test_numpy_divmod_is_floor_divide_and_remainder():
    x = np.array([0.3, -0.75, 1.2, 0.4])  # (away from the remainder's jumps: x * 3.0 a multiple of 0.7)
    g = check_every_mode(numpy_divmod, x)
    q = np.floor_divide(x * 3.0, 0.7)
    y = x[::-1] + 2.0
    r = np.remainder(x, y)
    expected = 3.0 * q + 2.0 * r - (2.0 * r * np.floor_divide(x, y))[::-1]
    assert_close(g, expected, 1e-12, 1e-14, what="np.divmod: analytic")
    assert "np.divmod(" not in code_lines(s2s.grad(numpy_divmod).source)


# ================================================================ nan-ignoring moments, running sums and products
def nan_moments(x):
    y = np.where(x > 1.5, np.nan, x)
    m = np.reshape(y, (2, 5))
    return (np.nanvar(y) + np.sum(np.nanstd(m, axis=1, ddof=1) ** 2 * np.array([1.0, 3.0]))
            + np.sum(np.nanvar(m, axis=0, keepdims=True) * np.arange(5.0)) + np.nanstd(y))


def nan_running(x):
    y = np.where(x > 1.5, np.nan, x)
    m = np.reshape(y, (2, 5))
    return np.sum(np.nancumsum(y) ** 2) + np.sum(np.nancumprod(m, axis=1) * np.arange(10.0).reshape(2, 5))


def test_nan_moments_and_running_sums():
    x = np.array([0.3, -0.7, 1.2, 0.4, 2.0, -1.1, 0.8, 1.7, -0.2, 0.05])
    g = check_every_mode(nan_moments, x)
    assert g[4] == 0.0 and g[7] == 0.0
    kept = x[x <= 1.5]
    expected = np.zeros(10)
    expected[x <= 1.5] = 2.0 * (kept - kept.mean()) / kept.size  # d nanvar(y)
    assert_close(s2s.grad(lambda_free_nanvar)(x), expected, 1e-12, 1e-14, what="nanvar: analytic")
    g = check_every_mode(nan_running, x)
    assert g[4] == 0.0 and g[7] == 0.0


def lambda_free_nanvar(x):
    return np.nanvar(np.where(x > 1.5, np.nan, x))


# ================================================================ NumPy 2: vecdot, matvec, vecmat, np.linalg's spellings
def numpy2_products(x):
    m = np.reshape(x, (2, 3, 3))
    v = x[:3]
    return (np.sum(np.linalg.trace(m) ** 2) + np.sum(np.linalg.diagonal(m, offset=1) ** 3)
            + np.sum(np.linalg.matmul(m, m) * 0.5) + np.sum(np.linalg.tensordot(m[0], m[1], axes=1) ** 2)
            + np.sum(np.vecdot(m, v) ** 2) + np.sum(np.linalg.vecdot(m, m, axis=0)) + np.sum(np.matvec(m, v) ** 2)
            + np.sum(np.vecmat(v, m) ** 3) + np.sum(np.linalg.vecdot(m[0], v)))


def test_numpy2_products_and_linalg_spellings():
    from conftest import skip_unless_numpy_has
    for key in ("numpy.matvec", "numpy.vecmat", "numpy.vecdot", "numpy.linalg.trace"):
        skip_unless_numpy_has(key)
    x = np.linspace(-1.0, 1.2, 18) + 0.1 * np.sin(np.arange(18.0))
    check_every_mode(numpy2_products, x)
    code = code_lines(s2s.grad(numpy2_products).source)
    assert "np.linalg.trace" not in code and "np.trace(m, 0, -2, -1)" in code  # (read as np.trace: its rules)


# ================================================================ covariance
def covariances(x):
    m = np.reshape(x, (2, 4))
    return (np.sum(np.cov(m) * np.array([[1.0, 2.0], [0.5, -1.0]])) + np.sum(np.cov(m.T, rowvar=False) ** 2)
            + np.cov(x[:4], bias=True) * x[5] + np.sum(np.cov(m, ddof=0) ** 3))


def test_cov():
    x = np.array([0.3, -0.7, 1.2, 0.4, 2.0, -1.1, 0.8, 1.7])
    check_every_mode(covariances, x)
    v = x[:4]
    # d var(v) (bias: 1 / N) = 2 (v - mean) / N
    assert_close(s2s.grad(lambda_free_cov)(v), 2.0 * (v - v.mean()) / 4, 1e-12, 1e-14, what="cov: analytic")


def lambda_free_cov(v):
    return np.cov(v, bias=True)


def cov_of_two(x):
    return np.sum(np.cov(x[:3], x[3:]) ** 2)


def cov_of_two_cast(x):
    return np.sum(np.cov(x[:3], x[3:], dtype=np.float32))


def test_cov_of_two_and_refusals():
    x = np.array([0.3, -0.7, 1.2, 0.4, 2.0, -1.1])
    check_every_mode(cov_of_two, x, exact=True)  # (np.cov(x, y): NumPy's joined rows, fix17lib)
    refused(cov_of_two_cast, x, match="dtype=", line="np.cov(x[:3], x[3:], dtype=np.float32)")


# ================================================================ more shapes and selections
def shapes_and_selections(x):
    m = np.reshape(x[:6], (2, 3))
    a, b = np.broadcast_arrays(x[:3], m)
    return (np.sum(np.diagflat(x[:3] ** 2, 1) * np.arange(16.0).reshape(4, 4)) + np.sum(a * b ** 2)
            + np.sum(np.asfortranarray(m) ** 3) + np.sum(np.compress([True, False, True], m, axis=1) ** 2)
            + np.sum(np.compress(x[:6] > 0.0, x[:6]) ** 3) + np.sum(np.extract(m > 0.1, m * x[6]) ** 2))


def test_shapes_and_selections():
    x = np.array([0.3, -0.7, 1.2, 0.4, 2.0, -1.1, 0.8])
    check_every_mode(shapes_and_selections, x)
    code = code_lines(s2s.grad(shapes_and_selections).source)
    assert "np.compress" not in code and "np.extract" not in code and "np.take" in code
