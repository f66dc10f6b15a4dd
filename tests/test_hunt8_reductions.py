"""Round 8 (hunt8numeric sections 5-7): reductions with where= and initial= in every mode, with NaN data in the
entries the mask leaves out; np.logaddexp.accumulate; the message of a third derivative s2s does not have.
Each derivative checked against central differences (tests/conftest.py check_every_mode)."""
import numpy as np
import pytest

import s2s
from tests.conftest import check_every_mode

X = np.array([[0.5, 1.0, 2.0], [0.3, -1.0, 1.4], [1.0, 2.0, 1.5]])
D = np.array([[1.0, np.nan, 0.0], [np.nan, 2.0, 0.7], [0.1, 0.2, 0.3]])  # NaN: missing observations
OBSERVED = ~np.isnan(D)
COLUMNS = np.array([True, False, True])  # a mask broadcast along the rows
ROWS = np.array([[True], [False], [True]])  # ... and along the columns


# (x * x + D: the NaN of a left-out entry is added, never multiplied: its derivative must stay 0)
def sum_where(x):
    return np.sum(np.sin(np.sum(x * x + D, where=OBSERVED, axis=1)))


def sum_where_method(x):
    y = x * x + D
    return np.sin(y.sum(where=OBSERVED)) + np.sum(y.sum(axis=0, where=OBSERVED, keepdims=True) ** 2)


def sum_where_initial(x):
    return np.sum(np.sum(x * x, axis=(0, 1), where=COLUMNS, initial=2.0) ** 2)


def mean_where(x):
    return np.sum(np.mean(x * x + D, axis=0, where=OBSERVED) ** 2) + np.cos(np.mean(x * x, where=ROWS))


def mean_where_method(x):
    return np.sum(np.sin((x * x + D).mean(axis=-1, keepdims=True, where=OBSERVED)))


def max_where(x):
    return np.sum(np.max(x * x + D, axis=1, where=OBSERVED, initial=-np.inf) ** 2)


def min_where_keepdims(x):
    return np.sum(np.sin(np.min(x * x + D, axis=0, keepdims=True, where=OBSERVED, initial=1e9)))


def max_initial_wins(x):  # row 1's entries are all below the initial value: its maximum is a constant
    return np.sum(np.max(x * np.array([[1.0], [-1.0], [1.0]]), axis=1, initial=0.25) ** 2)


def max_where_method(x):
    return (x * x + D).max(where=OBSERVED, initial=0.0) + np.amin(x, where=ROWS, initial=10.0)


def masked_logsumexp(x):  # log-sum-exp over the observed entries of each row, with the maximum taken out
    m = np.max(x, axis=1, where=OBSERVED, initial=-np.inf, keepdims=True)
    return np.sum(m[:, 0] + np.log(np.sum(np.exp(x - m), axis=1, where=OBSERVED)))


def nanmax_where(x):
    return np.sum(np.nanmax(x * x + D, axis=1, where=COLUMNS, initial=-5.0) ** 2)


def var_where(x):
    return np.var(x * x + D, where=OBSERVED) + np.sum(np.var(x + D, axis=0, where=OBSERVED, ddof=1) ** 2)


def std_where(x):
    return np.sum(np.std(x * x + D, axis=1, where=OBSERVED, keepdims=True) ** 3) + np.std(x, where=ROWS)


def var_std_where_methods(x):
    y = x * x + D
    return y.std(where=OBSERVED) + np.sum(np.sin(y.var(axis=0, where=OBSERVED)))


WHERE_CASES = [sum_where, sum_where_method, sum_where_initial, mean_where, mean_where_method, max_where,
               min_where_keepdims, max_initial_wins, max_where_method, masked_logsumexp, nanmax_where, var_where,
               std_where, var_std_where_methods]


@pytest.mark.parametrize("f", WHERE_CASES, ids=lambda f: f.__name__)
def test_where_and_initial_in_every_mode(f):
    kept = D.copy()
    gradient = check_every_mode(f, X)
    assert np.isfinite(gradient).all()
    assert np.array_equal(D, kept, equal_nan=True)


def test_where_gradient_of_grad_agrees_with_hessian():
    """Reverse over reverse (grad of one gradient entry) against the forward-over-reverse Hessian."""
    for f in (var_where, masked_logsumexp, mean_where):
        h = s2s.hessian(f)(X).reshape(9, 9)
        for i in (0, 4, 8):
            row = s2s.grad(lambda x, i=i: s2s.grad(f)(x).ravel()[i])(X).ravel()
            np.testing.assert_allclose(row, h[i], rtol=1e-9, atol=1e-12)


def test_report_squared_error_over_observed_targets():
    """The hunt's case: squared error over the observed targets, written with where= (the NaN data cleaned
    before the product, as the double where), is right in every mode; reverse mode was refused before."""
    d = np.array([1.0, np.nan, 0.0])

    def loss(x):
        m = ~np.isnan(d)
        return np.sum((x - np.where(m, d, 0.0)) ** 2, where=m)
    gradient = check_every_mode(loss, np.array([0.5, 1.0, 2.0]))
    np.testing.assert_allclose(gradient, [-1.0, 0.0, 4.0])


# ----------------------------------------------------------------- np.logaddexp.accumulate (refused before)
WEIGHTS = np.array([[0.3, -1.0, 2.0], [1.0, 0.5, -0.2], [0.7, 0.1, -0.4]])


def running_logsumexp(x):
    return np.sum(np.sin(np.logaddexp.accumulate(x)))


def running_logsumexp_rows(x):
    return np.sum(np.logaddexp.accumulate(x * WEIGHTS, axis=1) ** 2)


def hmm_forward(x):  # a forward recursion's log-normaliser along the last axis, with a read of one entry
    a = np.logaddexp.accumulate(x, axis=-1)
    return np.sum(a * WEIGHTS) + a[1, 2] ** 3


@pytest.mark.parametrize("f", [running_logsumexp, running_logsumexp_rows, hmm_forward], ids=lambda f: f.__name__)
def test_logaddexp_accumulate_in_every_mode(f):
    check_every_mode(f, X)


def test_logaddexp_accumulate_far_apart_and_minus_infinity():
    """Entries 1,600 apart (exp overflows), and -inf padding: the derivative exp(x_j - y_i) exactly."""
    w = np.array([1.0, 2.0, 3.0, 4.0])

    def f(x):
        return np.sum(np.logaddexp.accumulate(x) * w)
    x = np.array([800.0, -700.0, 3.0, 900.0])
    want = np.array([6.0, 0.0, 0.0, 4.0])  # x_0 holds the first three sums, x_3 the last
    np.testing.assert_allclose(s2s.grad(f)(x), want, atol=1e-300)
    np.testing.assert_allclose(s2s.jacobian(f, mode="forward")(x), want, atol=1e-300)
    padded = np.array([-np.inf, -np.inf, 1.0, 2.0])
    s = np.exp(1.0 - np.logaddexp(1.0, 2.0))
    np.testing.assert_allclose(s2s.grad(f)(padded), [0.0, 0.0, 3.0 + 4.0 * s, 4.0 * (1.0 - s)], rtol=1e-14)


def test_logaddexp_accumulate_third_derivative():
    def h(t):
        return np.sum(np.logaddexp.accumulate(np.array([t, 2.0 * t, -t]) ** 2))
    second = s2s.grad(s2s.grad(h))
    third = s2s.grad(second)(0.7)
    assert third == pytest.approx((second(0.7 + 1e-5) - second(0.7 - 1e-5)) / 2e-5, rel=1e-6)


# ----------------------------------------------------------------- a third derivative s2s does not have: said at the
# user's line, naming the NumPy function (it named a helper at a line of generated code, with advice about s2s.jvp)
def spread_of(x):
    return np.std(np.array([x, 2.0, x * x]))


def running_product(x):
    return np.sum(np.cumprod(np.array([x, 2.0, x * x])))


def determinant(x):
    return np.linalg.det(np.array([[x, 2.0], [1.0, x * x]]))


@pytest.mark.parametrize("f, through, instead", [
    (spread_of, "np.var and np.std", "np.mean((x - np.mean(x)) ** 2)"),
    (running_product, "np.cumprod", "x[0] * x[1] * x[2]"),
    (determinant, "np.linalg.det", "a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0]")], ids=lambda v: getattr(v, "__name__", v))
def test_third_derivative_refused_at_the_users_line(f, through, instead):
    for third in (s2s.grad(s2s.grad(s2s.grad(f))), s2s.hessian(s2s.grad(f))):
        with pytest.raises(s2s.NonDifferentiableError) as caught:
            third(0.7)
        message = str(caught.value)
        assert f"third derivatives through {through}" in message and instead in message, message
        assert "s2s.jvp" not in message
        assert caught.value.filename == __file__ and caught.value.lineno == f.__code__.co_firstlineno + 1, message


def test_advised_variance_formula_has_a_third_derivative():
    def spread_by_formula(x):
        v = np.array([x, 2.0, x * x])
        return np.sqrt(np.mean((v - np.mean(v)) ** 2))
    second = s2s.grad(s2s.grad(spread_of))
    assert s2s.grad(s2s.grad(s2s.grad(spread_by_formula)))(0.7) == pytest.approx(
        (second(0.7 + 1e-5) - second(0.7 - 1e-5)) / 2e-5, rel=1e-6)


# ----------------------------------------------------------------- the np.nan* reductions with where= (refused before)
def nansum_where(x):
    return np.sum(np.nansum(x * x + D, axis=1, where=COLUMNS) ** 2) + np.nansum(x, where=ROWS, initial=1.0)


def nanmean_where(x):
    return np.sum(np.sin(np.nanmean(x * x + D, axis=0, where=ROWS, keepdims=True)))


def nanvar_nanstd_where(x):
    return np.nanvar(x * x + D, where=COLUMNS) + np.sum(np.nanstd(x + D, axis=1, where=OBSERVED, ddof=1) ** 3)


@pytest.mark.parametrize("f", [nansum_where, nanmean_where, nanvar_nanstd_where], ids=lambda f: f.__name__)
def test_nan_reductions_with_where_in_every_mode(f):
    assert np.isfinite(check_every_mode(f, X)).all()


# ----------------------------------------------------------------- a ufunc's where= stays refused, with advice that
# works where the left-out entries are NaN (the single where it advised gave 0 * nan = nan in reverse mode)
def log_where(x):
    return np.sum(np.log(x * x + D, where=OBSERVED))


def log_where_advised(x):
    y = x * x + D
    return np.sum(np.where(OBSERVED, np.log(np.where(OBSERVED, y, 1.0)), 0.0))


def test_ufunc_where_refused_with_advice_that_works():
    with pytest.raises(s2s.NonDifferentiableError) as caught:
        s2s.grad(log_where)(X)
    assert "np.where(mask, np.log(np.where(mask, x, 1.0)), 0.0)" in str(caught.value)
    assert caught.value.lineno == log_where.__code__.co_firstlineno + 1
    assert np.isfinite(check_every_mode(log_where_advised, X)).all()


# ----------------------------------------------------------------- .accumulate / .reduce of a ufunc without a rule:
# the advice is the loop of the ufunc (it named np.cumsum for np.add.accumulate), which s2s differentiates
def hypot_accumulate(x):
    return np.sum(np.hypot.accumulate(x))


def hypot_accumulate_advised(x):
    out = [x[0]]
    for v in x[1:]:
        out.append(np.hypot(out[-1], v))
    return np.sum(np.array(out))


def test_other_accumulate_refused_with_a_loop_that_works():
    with pytest.raises(s2s.UnsupportedSyntaxError) as caught:
        s2s.grad(hypot_accumulate)(np.array([1.0, 2.0, 3.0]))
    assert "out = [x[0]]; for v in x[1:]: out.append(np.hypot(out[-1], v))" in str(caught.value)
    check_every_mode(hypot_accumulate_advised, np.array([1.0, 2.0, 3.0]))
