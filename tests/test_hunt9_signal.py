"""Regressions from the ninth round's signal/image processing hunt (hunt9signal), each failing before its fix."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, module_from_text, numeric_grad


# ---------------------------------------------------------------- np.diff once the differences run out
# np.diff(x, n) along an axis of length L has max(L - n, 0) entries: none once n >= L, and its derivative is zero;
# the adjoint padded g back n times and so had n entries whatever L was (a wrong shape, or a broadcast error)

def second_diff_penalty(x):
    return np.sum(np.diff(x, n=2) ** 2) + np.sum(x ** 2)


def fourth_diff_weighted(x):
    return np.sum(np.diff(x, n=4) ** 2) + np.sum(x * np.arange(1.0, len(x) + 1))


def first_diff_only(x):
    return np.sum(np.diff(x) ** 2)


def diff_with_ends(x):
    return np.sum(np.diff(x, n=3, prepend=0.0) ** 2) + np.sum(x ** 2)


def diff_with_array_ends(x):
    return np.sum(np.diff(x, n=2, prepend=[1.0], append=[0.5, 2.0]) ** 2) + np.sum(np.sin(x))


def diff_rows(u):
    return np.sum(np.diff(u, n=3, axis=0) ** 2) + np.sum(u ** 3)


def diff_columns(u):
    return np.sum(np.diff(u, n=2, axis=-1) ** 2) + np.sum(u ** 3)


def diff_rows_of_a_reshape(x):
    return np.sum(np.diff(x.reshape(1, 4), n=2, axis=0) ** 2) + np.sum(np.cos(x))


def ediff_penalty(x):
    return np.sum(np.ediff1d(x) ** 2) + np.sum(x ** 2)


def seg_pen(x):
    bounds = [0, 4, 5, 7]
    tot = 0.0
    for i in range(len(bounds) - 1):
        seg = x[bounds[i]:bounds[i + 1]]
        tot = tot + np.sum(np.diff(seg, n=2) ** 2) + 0.1 * np.sum(seg ** 2)
    return tot


def _vjp_check(f, x):
    """vjp's value is f(x) and its cotangent times 1 is the gradient (against differences)."""
    value, back = s2s.vjp(f)(x)
    assert value == pytest.approx(f(x), rel=1e-12, abs=1e-12)
    bx = back(1.0)
    assert_close(bx, numeric_grad(f, (x,), 0), what=f"{f.__name__}: vjp")


@pytest.mark.parametrize("f, x", [
    (second_diff_penalty, np.array([0.7])),
    (second_diff_penalty, np.array([0.7, -0.4])),
    (second_diff_penalty, np.array([0.7, -0.4, 1.3])),
    (second_diff_penalty, np.zeros(0)),
    (fourth_diff_weighted, np.array([0.7, -0.4, 1.3])),
    (fourth_diff_weighted, np.array([0.7, -0.4, 1.3, 0.2])),
    (fourth_diff_weighted, np.array([0.7, -0.4, 1.3, 0.2, -0.9])),
    (first_diff_only, np.zeros(0)),
    (first_diff_only, np.array([0.3])),
    (diff_with_ends, np.array([0.7])),
    (diff_with_ends, np.array([0.7, -0.2])),
    (diff_with_ends, np.array([0.7, -0.2, 0.4, 1.1])),
    (diff_with_array_ends, np.zeros(0)),
    (diff_with_array_ends, np.array([0.3])),
    (diff_with_array_ends, np.array([0.3, -0.8])),
    (diff_rows, np.array([[0.3, -1.2, 0.7], [2.0, 0.5, 1.1]])),
    (diff_rows, np.arange(12.0).reshape(4, 3) / 7.0),
    (diff_columns, np.array([[0.3, -1.2], [2.0, 0.5]])),
    (diff_columns, np.array([[0.3, -1.2, 0.4], [2.0, 0.5, -0.6]])),
    (diff_rows_of_a_reshape, np.array([0.3, -1.2, 0.7, 2.0])),
    (ediff_penalty, np.zeros(0)),
    (ediff_penalty, np.array([0.3])),
    (seg_pen, np.array([0.3, -1.2, 0.7, 2.0, 0.5, 1.1, -0.8])),
])
def test_diff_whose_differences_run_out(f, x):
    check_every_mode(f, x)
    _vjp_check(f, x)


def test_diff_whose_differences_run_out_as_the_report_gave_it():
    x = np.array([0.7])
    assert_close(s2s.grad(lambda v: np.sum(np.diff(v, n=2) ** 2) + np.sum(v))(x), [1.0], what="pen2")
    gradient = s2s.grad(seg_pen)(np.array([0.3, -1.2, 0.7, 2.0, 0.5, 1.1, -0.8]))
    assert_close(gradient, [6.86, -15.04, 9.34, -0.8, 0.1, 0.22, -0.16], what="seg_pen")


# ---------------------------------------------------------------- order statistics of no entries
# NumPy's median (and quantile along an axis) of no entries is nan, or an empty array; the adjoint indexed the
# first sorted entry of an empty row (IndexError) or reshaped an empty array with -1 (ValueError)

def median_of(x):
    return np.median(x)


def nanmedian_of(x):
    return np.nanmedian(x)


def nanpercentile_of(x):
    return np.nanpercentile(x, 30.0)


def medians_of_rows(u):
    return np.sum(np.median(u, axis=1) ** 2)


def medians_of_columns(u):
    return np.sum(np.median(u, axis=0))


def quantiles_of_rows(u):
    return np.sum(np.quantile(u, [0.3, 0.8], axis=1) ** 2)


def nanmedians_of_rows(u):
    return np.sum(np.nanmedian(u, axis=1))


def cumsum_of(x):
    return np.sum(np.cumsum(x) ** 2)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("f, x", [
    (median_of, np.zeros(0)), (nanmedian_of, np.zeros(0)), (nanpercentile_of, np.zeros(0)),
    (median_of, np.zeros((0, 3))), (medians_of_columns, np.zeros((0, 3))), (medians_of_rows, np.zeros((2, 0))),
    (medians_of_rows, np.zeros((0, 3))), (quantiles_of_rows, np.zeros((0, 3))), (nanmedians_of_rows, np.zeros((0, 3))),
    (nanmedians_of_rows, np.zeros((2, 0))), (ediff_penalty, np.zeros(0)), (cumsum_of, np.zeros(0)),
])
def test_order_statistics_of_no_entries(f, x):
    """The value is NumPy's (nan, or the sum of an empty array); the derivative of a function of no entries is
    an empty array in every mode, and a tangent through it zero (nan where the value is nan: nan * 0)."""
    expected = f(x)
    value, gradient = s2s.value_and_grad(f)(x)
    assert np.array_equal(value, expected, equal_nan=True)
    assert_close(gradient, np.zeros(x.shape), what="grad")
    assert_close(s2s.grad(f)(x), np.zeros(x.shape), what="grad")
    value, back = s2s.vjp(f)(x)
    assert np.array_equal(value, expected, equal_nan=True)
    assert_close(back(1.0), np.zeros(x.shape), what="vjp")
    assert_close(s2s.jacobian(f)(x), np.zeros(x.shape), what="reverse jacobian")
    assert_close(s2s.jacobian(f, mode="forward")(x), np.zeros(x.shape), what="forward jacobian")
    assert_close(s2s.hessian(f)(x), np.zeros(x.shape * 2), what="hessian")
    primal, tangent = s2s.jvp(f)((x,), (np.zeros(x.shape),))
    assert np.array_equal(primal, expected, equal_nan=True)
    assert tangent == 0.0 or np.isnan(expected) and np.isnan(tangent)


@pytest.mark.parametrize("x", [np.array([2.0, 0.5, 1.0, 3.0]), np.array([[2.0, 0.5, 1.0], [0.1, 3.0, -1.0]])])
def test_order_statistics_around_the_fix_still_agree_with_differences(x):
    for f in (median_of, nanmedian_of, nanpercentile_of, medians_of_columns):
        check_every_mode(f, x)
    check_every_mode(medians_of_rows, np.atleast_2d(x))
    check_every_mode(quantiles_of_rows, np.atleast_2d(x))


# ---------------------------------------------------------------- NumPy functions that call the user's functions
# np.piecewise(x, conds, [lambda ...]) and np.apply_along_axis(f, ...) got the generic "function used as a value"
# refusal, naming neither, its caret under `return`, with advice ("call it where it is needed") that does not
# apply; now refused at the argument holding the functions, with the same computation written for s2s

PIECEWISE = '''
import numpy as np


def sq(v):
    return v ** 2


def f(x):
    return np.sum(np.piecewise(x, {conds}, {funcs}) * x)


def instead(x):
    return np.sum({written} * x)
'''

APPLIED = '''
import numpy as np

K = np.array([0.25, 0.5, 0.25])


def smooth_row(r):
    return np.convolve(r, K, "same")


def f(u):
    return np.sum(np.apply_along_axis({fn}, {axis}, u) ** 2)


def instead(u):
    return np.sum({written} ** 2)
'''


def _advised(error: Exception, start: str) -> str:
    """The expression the message advises, from `start` to its closing parenthesis."""
    text = str(error)
    i = text.index(start)
    depth = 0
    for j in range(i, len(text)):
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(text[j], 0)
        if depth == 0 and text[j] in ")]":
            return text[i:j + 1]
    raise AssertionError(text)


@pytest.mark.parametrize("conds, funcs", [
    ("[x < 0, x >= 0]", "[lambda v: -v, lambda v: v ** 2]"),
    ("[x < 0, x >= 0]", "[sq, np.sin]"),
    ("[x < 0]", "[lambda v: -v, lambda v: np.exp(v)]"),
    ("x < 0.5", "[lambda v: 2.0 * v, np.cos]"),
    ("[x < 0, x > 1]", "[lambda v: v * v, 3.0, np.tanh]"),
    ("[x < 1, x > -1]", "[lambda v: -v, lambda v: v ** 3]"),  # (overlapping: np.piecewise takes the last)
])
def test_piecewise_with_functions_is_refused_at_its_funclist_with_a_form_that_differentiates(tmp_path, conds, funcs):
    m = module_from_text(tmp_path, "pw_" + str(abs(hash((conds, funcs)))), PIECEWISE.format(
        conds=conds, funcs=funcs, written="x"))
    x = np.array([1.3, -3.0, 0.2, 4.0, -0.4, 0.7])
    with pytest.raises(s2s.S2SError) as caught:
        s2s.grad(m.f)(x)
    message = str(caught.value)
    assert "np.piecewise" in message and "funclist" in message and "used as a value" not in message
    line = caught.value.text
    assert line[caught.value.offset - 1:].startswith(funcs), (line, caught.value.offset)
    written = _advised(caught.value, "np.select(")
    m2 = module_from_text(tmp_path, "pw2_" + str(abs(hash((conds, funcs)))), PIECEWISE.format(
        conds=conds, funcs=funcs, written=written))
    assert m2.instead(x) == pytest.approx(m2.f(x), rel=1e-14)
    gradient = check_every_mode(m2.instead, x)
    assert_close(gradient, numeric_grad(m2.f, (x,), 0), what="the advice's gradient vs np.piecewise's differences")


@pytest.mark.parametrize("fn, axis", [("smooth_row", 1), ("smooth_row", 0), ("smooth_row", -1),
                                      ("lambda r: np.convolve(r, K, 'same')", 1),
                                      ("lambda c: np.tanh(c) * np.sum(c)", 0)])
def test_apply_along_axis_is_refused_at_its_function_with_a_form_that_differentiates(tmp_path, fn, axis):
    name = f"ap_{abs(hash((fn, axis)))}"
    m = module_from_text(tmp_path, name, APPLIED.format(fn=fn, axis=axis, written="u"))
    u = np.array([[0.3, -1.2, 0.7, 2.0], [0.5, 1.1, -0.8, 0.4], [1.5, -0.2, 0.9, -1.0]])
    with pytest.raises(s2s.S2SError) as caught:
        s2s.grad(m.f)(u)
    message = str(caught.value)
    assert "np.apply_along_axis" in message and "func1d" in message and "used as a value" not in message
    line = caught.value.text
    assert line[caught.value.offset - 1:].startswith(fn), (line, caught.value.offset)
    written = _advised(caught.value, "np.stack(")
    m2 = module_from_text(tmp_path, name + "_instead", APPLIED.format(fn=fn, axis=axis, written=written))
    assert m2.instead(u) == pytest.approx(m2.f(u), rel=1e-14)
    gradient = check_every_mode(m2.instead, u)
    assert_close(gradient, numeric_grad(m2.f, (u,), 0), what="the advice's gradient vs np.apply_along_axis's")


# ---------------------------------------------------------------- polynomial arithmetic on coefficients
# np.polymul, np.polyadd, np.polysub and np.polyint had no rules (refused with the generic advice)
C = np.array([1.0, -2.0, 0.5])


def product_with_constant(a):
    return np.sum(np.polymul(a, C) ** 2)


def product_with_itself(a):
    return np.sum(np.polymul(a, a[::-1]) ** 2) + np.polyval(np.polymul(a[:2], 3.0), 0.4)


def sums_of_polynomials(a):
    return np.sum(np.polyadd(a, C[:2]) ** 2) + np.sum(np.polyadd(C, a[1:] ** 2)) + np.sum(np.polysub(a[0], a) ** 3)


def integrals(a):
    return (np.sum(np.polyint(a) ** 2) + np.sum(np.polyint(a, 2, k=[a[0], 2.0]) ** 2)
            + np.polyval(np.polyint(a, 3, k=a[1]), 0.7))


def fitted_area(a):  # the area under a product of polynomials over [0, 1]
    antiderivative = np.polyint(np.polymul(a, np.polysub(C, a)))
    return np.polyval(antiderivative, 1.0) - np.polyval(antiderivative, 0.0)


@pytest.mark.parametrize("f", [product_with_constant, product_with_itself, sums_of_polynomials, integrals,
                               fitted_area])
def test_polynomial_arithmetic_in_every_mode(f):
    a = np.array([0.7, -1.3, 0.4])
    check_every_mode(f, a)
    _vjp_check(f, a)


def test_polymul_at_a_leading_zero_is_refused():
    """np.polymul drops leading zeros (its result is one entry shorter at a[0] == 0, a jump): no derivative."""
    a = np.array([0.0, -1.3, 0.4])
    for transform in (lambda: s2s.grad(product_with_constant)(a),
                      lambda: s2s.jvp(product_with_constant)((a,), (np.ones(3),))):
        with pytest.raises(s2s.S2SError, match="np.convolve"):
            transform()


# ---------------------------------------------------------------- kinks as docs/limitations.md "Kinks" states them
# (the docs said every reduction splits a tie and every kink takes the midpoint; the order statistics and np.interp
# at a sample point do not: the docs now say what s2s does, checked here in both modes)
XP, FP = np.array([0.0, 1.0, 2.0]), np.array([0.0, 1.0, 3.0])


def interpolated(x):
    return np.interp(x, XP, FP)


def sorted_weighted(x):
    return np.sort(x) @ np.array([1.0, 2.0, 3.0])


def biggest(x):
    return np.max(x)


@pytest.mark.parametrize("f, x, expected", [
    (median_of, np.array([2.0, 1.0, 2.0]), [1.0, 0.0, 0.0]),  # the first of the tie in a stable sort takes it all
    (sorted_weighted, np.array([2.0, 1.0, 2.0]), [2.0, 1.0, 3.0]),  # each tied entry the weight of its place
    (biggest, np.array([2.0, 1.0, 2.0]), [0.5, 0.0, 0.5]),  # np.max splits a tie evenly
    (interpolated, 0.0, 1.0), (interpolated, 1.0, 2.0), (interpolated, 2.0, 2.0),  # the slope to the right
])
def test_kinks_as_the_docs_state_them(f, x, expected):
    assert_close(s2s.grad(f)(x), expected, what="grad")
    assert_close(s2s.jacobian(f, mode="forward")(x), expected, what="forward jacobian")
