"""Regressions from the fifth bug hunt in probabilistic and Bayesian model code (hunt5prob)."""
import numpy as np
import pytest
from scipy import special, stats

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

X4 = np.array([0.9, 1.7, 1.3, 2.2])
W4 = np.array([1.0, 2.0, 3.0, 4.0])


# ---------------------------------------------------------------- forward mode: a tangent narrower than its result
# A partial that does not read the wide operand (stats.uniform.logpdf in scale: -1 / scale; stats.expon.logpdf in
# loc: 1 / scale; np.where with a scalar condition) gave the tangent the scalar's shape: np.sum counted n equal
# terms once, indexing and products of it failed inside generated code.

def _uniform_sum(s):
    return np.sum(stats.uniform.logpdf(X4, 0.0, s))  # -4 log(s) for s >= 2.2


def _uniform_first(s):
    return stats.uniform.logpdf(X4, 0.0, s)[0]


def _uniform_dot(s):
    return np.ones(4) @ stats.uniform(0.0, s).logpdf(X4)


def _uniform_loop(s):
    t = 0.0
    for e in stats.uniform.logpdf(X4.reshape(2, 2), 0.0, s).ravel():
        t = t + e
    return t


def _uniform_average(s):
    return np.average(stats.uniform.logpdf(X4, 0.0, s), weights=W4)


def _uniform_einsum(s):
    return np.einsum("i->", stats.uniform.logpdf(X4, 0.0, s))


def _uniform_builtin_sum(s):
    return sum(stats.uniform.logpdf(X4, 0.0, s))


def _uniform_cumsum(s):
    return np.cumsum(stats.uniform.logpdf(X4, 0.0, s))[-1]


def _expon_loc(s):
    return np.sum(stats.expon.logpdf(X4, s, 2.0))  # -sum(x - loc) / 2 - 4 log 2: slope 4 / 2


def _expon_scalar_x(t):
    return np.sum(stats.expon.logpdf(t, np.array([0.0, 0.5, 1.0]), 2.0))  # slope -3 / 2


def _where_scalar_test(s):
    c = s > 0
    return np.sum(np.where(c, s, X4))  # 4 s for s > 0


@pytest.mark.parametrize("f, x, slope", [
    (_uniform_sum, 3.0, -4 / 3), (_uniform_first, 3.0, -1 / 3), (_uniform_dot, 3.0, -4 / 3),
    (_uniform_loop, 3.0, -4 / 3), (_uniform_average, 3.0, -1 / 3), (_uniform_einsum, 3.0, -4 / 3),
    (_uniform_builtin_sum, 3.0, -4 / 3), (_uniform_cumsum, 3.0, -4 / 3), (_expon_loc, 0.1, 2.0),
    (_expon_scalar_x, 1.5, -1.5), (_where_scalar_test, 0.5, 4.0)])
def test_a_partial_not_reading_the_wide_operand_is_widened_in_forward_mode(f, x, slope):
    assert_close(numeric_grad(f, (x,), 0), slope, what="finite differences")  # (the analytic slope)
    assert_close(s2s.grad(f)(x), slope, what="grad")
    assert_close(s2s.jvp(f)((x,), (1.0,))[1], slope, what="jvp")
    assert_close(s2s.jacobian(f, mode="forward")(x), slope, what="forward jacobian")


def _uniform_vector(p, x):
    return np.cumsum(stats.uniform.logpdf(x, 0.0, p[0])) * p[1]


def _uniform_vector_loss(p, x):
    return np.sum(_uniform_vector(p, x) ** 2)


def test_vector_mode_widens_a_narrow_tangent_where_ranks_are_known():
    # jacobian(mode="forward") knows the ranks (x: 1, p[0]: 0) and aligned dp[0] as dp[:, 0][:, None] alone:
    # one column of the Jacobian (and the Hessian, forward over reverse) was the same in every row
    p, x = np.array([2.5, 0.3]), X4
    # analytic: row i is ((i + 1) * -p1 / p0, -(i + 1) log p0)
    i = np.arange(1, 5)
    expected = np.stack([-i * p[1] / p[0], -i * np.log(p[0])], axis=1)
    assert_close(s2s.jacobian(_uniform_vector, mode="forward")(p, x), expected, what="forward jacobian")
    grad = s2s.grad(_uniform_vector_loss)
    numeric = np.array([(grad(p + e, x) - grad(p - e, x)) / 2e-6 for e in np.eye(2) * 1e-6])
    assert_close(s2s.hessian(_uniform_vector_loss)(p, x), numeric, 1e-4, 1e-5, what="hessian")
    assert_close(s2s.jacobian(grad, mode="forward")(p, x), numeric, 1e-4, 1e-5, what="forward jacobian of grad")


def test_a_tangent_that_reads_the_wide_operand_is_not_widened_again():
    # the generated code stays as a person writes it: no rt.broadcast_tangent where the partial has the shape
    def f(x, s):
        return np.sum(stats.norm.logpdf(x, 0.0, s))
    source = s2s.jvp(f, wrt=1).source
    assert "broadcast_tangent" not in source
    assert "broadcast_tangent" in s2s.jvp(_uniform_sum).source


# ---------------------------------------------------------------- 0 log 0 = 0: the partial in y where x is 0
# xlogy(x, y) is 0 along x = 0 for every y, 0 included, so its partial in y there is 0 (and 1 for kl_div, whose
# value is y there): rt.xdivy, where `x / y` gave 0 / 0 = nan at x = y = 0. (JAX's xlogy rule divides and gives
# nan at (0, 0); its rel_entr and kl_div give 0 and 1, as here.)
P3 = np.array([0.5, 0.5, 0.0])
Q3 = np.array([0.25, 0.75, 0.0])


def _rel_entr(q):
    return np.sum(special.rel_entr(P3, q))


def _cross_entropy(q):
    return -np.sum(special.xlogy(P3, q))


def _kl_div(q):
    return np.sum(special.kl_div(P3, q))


_XS = np.array([[40.0], [-1.0]])  # expit(40) is exactly 1.0: 1 - p is 0 where the label is 1
_YS = np.array([1.0, 0.0])


def _bce_xlogy(w):
    p = special.expit(_XS @ w)
    return -np.sum(special.xlogy(_YS, p) + special.xlogy(1 - _YS, 1 - p))


def _bce_xlog1py(w):
    p = special.expit(_XS @ w)
    return -np.sum(special.xlogy(_YS, p) + special.xlog1py(1 - _YS, -p))


def _bce_bernoulli(w):
    return -np.sum(stats.bernoulli.logpmf(_YS.astype(int), special.expit(_XS @ w)))


@pytest.mark.parametrize("f, expected", [(_rel_entr, [-2.0, -2.0 / 3.0, 0.0]),
                                         (_cross_entropy, [-2.0, -2.0 / 3.0, 0.0]),
                                         (_kl_div, [-1.0, 1.0 / 3.0, 1.0])])
def test_the_partial_in_y_of_a_shared_zero_category_is_that_of_the_function_along_x_zero(f, expected):
    # analytic: d/dq_i of p_i log(p_i / q_i) is -p_i / q_i, and 0 where p_i = 0 (rel_entr is 0 there for every q_i);
    # kl_div adds q_i - p_i
    with np.errstate(divide="raise", invalid="raise"):
        assert_close(s2s.grad(f)(Q3), expected, what="grad")
        assert_close(s2s.jvp(f)((Q3,), (np.ones(3),))[1], sum(expected), what="jvp")
        assert_close(s2s.jacobian(f, mode="forward")(Q3), expected, what="forward jacobian")


@pytest.mark.parametrize("f", [_bce_xlogy, _bce_xlog1py, _bce_bernoulli])
def test_binary_cross_entropy_keeps_its_gradient_once_expit_saturates(f):
    w = np.array([1.0])
    # analytic: d/dw of -sum(y log p + (1 - y) log(1 - p)) is sum((p - y) x); the term of the saturated sample,
    # (expit(40) - 1) * 40, is 0 in floats as p is 1.0
    expected = np.array([(special.expit(40.0) - 1.0) * 40.0 + special.expit(-1.0) * -1.0])
    assert np.isfinite(f(w))
    with np.errstate(divide="raise", invalid="raise"):
        assert_close(s2s.grad(f)(w), expected, what="grad")
        assert_close(s2s.jvp(f)((w,), (np.ones(1),))[1], expected[0], what="jvp")


def _poisson_zero_counts(mu):
    return np.sum(stats.poisson.logpmf(np.array([0, 0]), mu))  # -2 mu


def _binom_zero_counts(p):
    return np.sum(stats.binom.logpmf(np.array([0, 0]), 3, p))  # 6 log(1 - p)


def _binom_full_counts(p):
    return np.sum(stats.binom.logpmf(np.array([3, 3]), 3, p))  # 6 log(p)


def _xlogy_second(y):
    return np.sum(special.xlogy(np.array([0.0, 2.0]), y) ** 2)


@pytest.mark.parametrize("f, x, slope, curvature", [(_poisson_zero_counts, 0.0, -2.0, 0.0),
                                                    (_binom_zero_counts, 0.0, -6.0, -6.0),
                                                    (_binom_full_counts, 1.0, 6.0, -6.0)])
def test_discrete_log_pmfs_at_the_edge_of_their_rate_have_the_one_sided_derivative(f, x, slope, curvature):
    # analytic: the log-pmfs above are -2 mu, 6 log(1 - p), 6 log(p): defined at the edge, where the formulas
    # k / p and (n - k) / (1 - p) read 0 / 0 for the count that makes them vanish
    with np.errstate(divide="raise", invalid="raise"):
        assert s2s.grad(f)(x) == pytest.approx(slope)
        assert s2s.jvp(f)((x,), (1.0,))[1] == pytest.approx(slope)
        assert s2s.hessian(f)(x) == pytest.approx(curvature)


def test_second_derivatives_of_xlogy_where_x_is_zero():
    # analytic: the square of xlogy([0, 2], y) is 4 log(y1) ** 2: gradient (0, 8 log(y1) / y1), Hessian
    # diag(0, 8 (1 - log y1) / y1 ** 2); y0 = 0 is where x is 0
    y = np.array([0.0, 0.5])
    with np.errstate(divide="raise", invalid="raise"):
        assert_close(s2s.grad(_xlogy_second)(y), [0.0, 8 * np.log(0.5) / 0.5], what="grad")
        assert_close(s2s.hessian(_xlogy_second)(y), np.diag([0.0, 8 * (1 - np.log(0.5)) / 0.25]), what="hessian")


# ---------------------------------------------------------------- counts held in a module-level list
COUNTS = [1, 3, 0, 2]


def _poisson_list(mu):
    return np.sum(stats.poisson.logpmf(COUNTS, mu))


def _xlogy_list(mu):
    return np.sum(special.xlogy(COUNTS, mu) - mu)


@pytest.mark.parametrize("f", [_poisson_list, _xlogy_list])
def test_counts_in_a_list_reach_the_rate_partial(f):
    # analytic: d/dmu of sum(k log mu - mu) is sum(k) / mu - 4 (gammaln(k + 1) is constant); was a TypeError
    # from `k / mu` of a list in generated code
    expected = 6 / 0.7 - 4
    assert_close(numeric_grad(f, (0.7,), 0), expected, what="finite differences")
    assert_close(s2s.grad(f)(0.7), expected, what="grad")
    assert_close(s2s.jvp(f)((0.7,), (1.0,))[1], expected, what="jvp")
    assert_close(s2s.jacobian(f, mode="forward")(0.7), expected, what="forward jacobian")


# ---------------------------------------------------------------- library functions on constant data are called
# scipy's Python functions were followed into their source whatever their arguments, and refused at an f-string:
# a call whose arguments are made of constants and module data alone carries no derivative and is called as it is
# (docs/limitations.md); one with an argument that does is followed, and called as it is where s2s cannot follow it
from scipy.spatial.distance import cdist  # noqa: E402
from scipy import signal  # noqa: E402

XD = np.array([[0.0, 0.1], [0.5, 0.3], [1.0, -0.2]])
YD = np.array([0.3, -0.1, 0.4])
D5 = np.array([0.3, 1.2, -0.5, 2.0, 0.7])


def _gp_nll(log_ell):
    d = cdist(XD, XD, "cityblock") ** 2  # (a metric s2s has no rule for: called as it is, on constant data)
    k = np.exp(-0.5 * d / np.exp(2 * log_ell)) + 0.1 * np.eye(3)
    return 0.5 * YD @ np.linalg.solve(k, YD) + 0.5 * np.linalg.slogdet(k)[1]


def _constant_factors(s):
    c = special.multigammaln(2.5, 2) + stats.rankdata(D5)[0] + stats.zscore(D5)[1] + signal.get_window("hann", 5)[2]
    return c * s * s + stats.describe(D5).mean * s


def test_a_library_function_of_constant_data_is_called_not_followed():
    assert_close(s2s.grad(_gp_nll)(0.2), numeric_grad(_gp_nll, (0.2,), 0), what="gp grad")
    assert_close(s2s.jvp(_gp_nll)((0.2,), (1.0,))[1], numeric_grad(_gp_nll, (0.2,), 0), what="gp jvp")
    assert "distance.cdist(XD, XD, 'cityblock')" in s2s.grad(_gp_nll).source  # (called, its source not inlined)
    c = _constant_factors(1.0) - stats.describe(D5).mean
    expected = 2 * c * 0.5 + stats.describe(D5).mean  # analytic: d/ds (c s^2 + m s) = 2 c s + m
    assert_close(s2s.grad(_constant_factors)(0.5), expected, what="grad")
    assert_close(s2s.jvp(_constant_factors)((0.5,), (1.0,))[1], expected, what="jvp")


def _gp_active(ell):
    return np.sum(cdist(XD / ell, XD, "cityblock"))


def test_a_library_function_s2s_cannot_follow_is_refused_in_the_users_terms_where_a_derivative_needs_it():
    for transform in (s2s.grad(_gp_active), lambda x: s2s.jvp(_gp_active)((x,), (1.0,))):
        with pytest.raises(s2s.NonDifferentiableError) as info:
            transform(0.5)
        message = str(info.value)
        assert info.value.filename == __file__ and "return np.sum(cdist(XD / ell, XD" in message
        # (cdist has a rule since 1e56fd5: euclidean and sqeuclidean are exact; another metric is refused naming the NumPy)
        assert "metric='euclidean' and 'sqeuclidean' only" in message
        assert "np.linalg.norm(XA[:, None, :] - XB[None, :, :], axis=-1)" in message


# ---------------------------------------------------------------- refusals that name the user's variables
W3 = np.array([0.1, -0.2, 0.3])


def _dist_branch(w, robust):
    dist = stats.cauchy if robust else stats.norm
    return np.sum(dist.logpdf(w))


def _dist_argument(w, prior):
    return np.sum(prior.logpdf(w))


def _dist_list(p):
    ds = [stats.norm(0.0, 2.0), stats.t(3.0, 0.0, 1.0)]
    return sum(np.sum(d.logpdf(v)) for d, v in zip(ds, p))


def _method_branch(w, robust):
    logpdf = stats.cauchy.logpdf if robust else stats.norm.logpdf
    return np.sum(logpdf(w, 0.0, 1.0))


@pytest.mark.parametrize("f, args, owner, how", [
    (_dist_branch, (W3, True), "dist", "chosen by a branch"),
    (_dist_argument, (W3, stats.norm(0.0, 2.0)), "prior", "an argument")])
def test_a_distribution_known_only_at_run_time_is_refused_naming_the_users_variable(f, args, owner, how):
    # the message called each "an argument, or an attribute of one", advised Cls.logpdf(dist, ...), and named the
    # comprehension's d as d_1
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(f)(*args)
    message = str(info.value)
    assert f"the method logpdf of '{owner}', {how}" in message and "d_1" not in message
    assert "Cls." not in message and "logpdf = stats.cauchy.logpdf if robust else stats.norm.logpdf" in message
    assert info.value.filename == __file__


def test_a_list_of_distributions_written_in_the_function_is_unrolled():
    """`for d, v in zip([stats.norm(...), stats.t(...)], p)` was refused as a method of a distribution taken from
    a container; a display written in the function is unrolled now (front/unrolling.py), each d known."""
    p = [W3, np.array([0.5])]
    g = s2s.grad(_dist_list)(p)
    assert_close(g[0], numeric_grad(lambda a: _dist_list([a, p[1]]), (W3,), 0))
    assert_close(g[1], numeric_grad(lambda b: _dist_list([W3, b]), (p[1],), 0))


def test_the_advised_choice_of_a_distribution_method_works():
    # analytic: d/dw of the Cauchy log-density is -2 w / (1 + w^2), of the normal's -w
    assert_close(s2s.grad(_method_branch)(W3, True), -2 * W3 / (1 + W3 ** 2), what="cauchy")
    assert_close(s2s.grad(_method_branch)(W3, False), -W3, what="norm")


def _write_dict_argument(p, x):
    p["s"] = np.exp(p["s"])
    return np.sum(-0.5 * ((x - p["mu"]) / p["s"]) ** 2 - np.log(p["s"]))


def _new_dict(p, x):
    p = {"mu": p["mu"], "s": np.exp(p["s"])}
    return np.sum(-0.5 * ((x - p["mu"]) / p["s"]) ** 2 - np.log(p["s"]))


def test_writing_a_key_of_a_dict_argument_advises_a_new_dict_not_np_copy():
    # np.copy of a dict is a 0-d object array: the advice led nowhere
    params, x = {"mu": 0.1, "s": 0.2}, np.array([0.3, -0.2])
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(_write_dict_argument)(params, x)
    assert "np.copy" not in str(info.value) and "p = {'s': value, 'other': p['other']}" in str(info.value)
    # the advice works: analytic gradient, with s = exp(p["s"]) and r = (x - mu) / s
    s = np.exp(0.2)
    r = (x - 0.1) / s
    g = s2s.grad(_new_dict)(params, x)
    assert_close(g["mu"], np.sum(r / s), what="mu")
    assert_close(g["s"], np.sum(r ** 2 - 1.0), what="s")


# ---------------------------------------------------------------- refusals inside a library's source s2s follows
from scipy import integrate  # noqa: E402


def _zeta(s):
    return special.zeta(s, 1.0)


def _simpson(s):
    x = np.linspace(0.0, 4.0, 9)
    return integrate.simpson(x * np.exp(-x / s), x=x)


def test_a_call_without_rule_in_followed_library_source_is_named_as_the_users_call():
    # special.zeta is Python calling the ufunc _ufuncs._zeta: the refusal was located in scipy's _basic.py and
    # said to register a rule for _ufuncs._zeta
    for transform in (s2s.grad(_zeta), lambda x: s2s.jvp(_zeta)((x,), (1.0,))):
        with pytest.raises(s2s.NonDifferentiableError) as info:
            transform(2.5)
        message = str(info.value)
        assert info.value.filename == __file__ and "return special.zeta(s, 1.0)" in message
        assert info.value.callee.startswith("special.zeta (scipy.special")
        assert "@s2s.adjoint(special.zeta)" in message and "@s2s.adjoint(_ufuncs" not in message


def _comb(n):
    return special.comb(n, 2.0)


@pytest.mark.parametrize("f, spelled, full", [
    (_simpson, "integrate.simpson", "scipy.integrate._quadrature.simpson"),
    (_comb, "special.comb", "scipy.special._basic.comb")])
def test_a_refusal_in_followed_library_source_names_the_users_call_and_what_to_write(f, spelled, full):
    # simpson's list write was refused at scipy/integrate/_quadrature.py, then at the user's line but about scipy's
    # variables ('l', and comb's 'vals': "copy it when you take it"), advising to rewrite scipy's code
    # (comb's source reaches binom, which has no rule, since element writes into index copies are followed,
    # round 8: refused there, at the user's line, naming the user's call)
    with pytest.raises(s2s.UnsupportedSyntaxError if f is _simpson else s2s.NonDifferentiableError) as info:
        s2s.grad(f)(0.8 if f is _simpson else 5.0)
    message = str(info.value)
    assert f"return {spelled}(" in message and f"{__file__}:" in message
    if f is _simpson:
        assert info.value.filename == __file__
        assert message.startswith(f"{spelled} ({full}) is not supported by s2s (s2s follows its Python source")
    else:
        assert message.startswith(f"cannot differentiate the call to {spelled} ({full}): s2s follows its Python "
                                  f"source")
    assert "compute it outside the function and pass the result in" in message
    assert f"@s2s.adjoint({spelled})" in message and "'l'" not in message and "vals" not in message
    if f is _simpson:
        assert info.value.offset == info.value.text.index(spelled) + 1  # (the caret under the call)


# ---------------------------------------------------------------- copies of a dict argument, then a key written
# `q = p.copy(); q["w"] = ...` raised a bare IndexError in the adjoint of the write (an array's), `dict(p)` (and a
# helper's **kw of f(**p)) was refused as a call without rule, and `q["w"] += v` changed p's own array in place
# where s2s computed on a copy.
from tests.conftest import numeric_hessian  # noqa: E402

X2 = np.array([3.0, 4.0])


def _dict_copy_method(p):
    q = p.copy()
    q["w"] = q["w"] * q["b"]
    return np.sum(q["w"] * X2) * q["b"] + np.sum(p["w"] ** 2)


def _dict_copy_builtin(p):
    q = dict(p)
    q["w"] = q["w"] * q["b"]
    return np.sum(q["w"] * X2) * q["b"] + np.sum(p["w"] ** 2)


def _dict_copy_new_shape(p):
    q = p.copy()
    q["w"] = np.outer(q["w"], q["w"])  # (the value written has another shape than the one it replaces)
    return np.sum(q["w"]) * q["b"]


def _dict_spread_display(p):
    q = {**p, "w": p["w"] * p["b"]}
    return np.sum(q["w"] * X2) * q["b"]


def _dict_copy_new_key(p):
    q = dict(p)
    s = np.sum(q["w"] * X2)
    q["c"] = q["w"] * q["b"]  # (a key p lacks: the reverse sweep writes back its absence)
    return s * np.sum(q["c"]) + q["b"]


def _keywords_of(**kw):
    return np.sum(kw["w"]) * kw["b"] ** 2


def _dict_spread_into_keywords(p):
    return _keywords_of(**p)


def _dict_of_pairs(p):
    q = dict([("a", p["w"][0]), ("b", p["b"])])
    return q["a"] * q["b"] ** 2


def _flat(f):
    return lambda v: f({"w": v[:2], "b": v[2]})


def _as_flat(tree):
    return np.concatenate([np.ravel(tree["w"]), np.ravel(tree["b"])])


def _as_flat_matrix(tree):
    """The Hessian {"w": {"w": (2, 2), "b": (2,)}, "b": {"w": (2,), "b": ()}} as the 3 x 3 matrix of _flat's."""
    return np.vstack([np.column_stack([tree["w"]["w"], tree["w"]["b"]]), np.append(tree["b"]["w"], tree["b"]["b"])])


@pytest.mark.parametrize("f", [_dict_copy_method, _dict_copy_builtin, _dict_copy_new_shape,
                               _dict_spread_into_keywords, _dict_of_pairs, _dict_spread_display, _dict_copy_new_key])
def test_a_copy_of_a_dict_argument_differentiates_in_every_mode(f):
    p = {"w": np.array([1.0, 2.0]), "b": 0.5}
    v0, dp = _as_flat(p), {"w": np.array([1.0, -1.0]), "b": 2.0}
    numeric = numeric_grad(_flat(f), (v0,), 0)
    value, g = s2s.value_and_grad(f)(p)
    assert value == f({"w": np.array([1.0, 2.0]), "b": 0.5})
    assert set(g) == {"w", "b"} and np.shape(g["w"]) == (2,)
    assert_close(_as_flat(g), numeric, what="grad")
    assert_close(s2s.jvp(f)((p,), (dp,))[1], numeric @ _as_flat(dp), what="jvp")
    for mode in ("forward", "reverse"):
        assert_close(_as_flat(s2s.jacobian(f, mode=mode)(p)), numeric, what=f"{mode} jacobian")
    expected = numeric_hessian(_flat(f), v0)
    assert_close(_as_flat_matrix(s2s.hessian(f)(p)), expected, 1e-4, 1e-5, what="hessian")
    for mode in ("forward", "reverse"):
        assert_close(_as_flat_matrix(s2s.jacobian(s2s.grad(f), mode=mode)(p)), expected, 1e-4, 1e-5,
                     what=f"{mode} jacobian of grad")
    assert np.array_equal(p["w"], [1.0, 2.0]) and p["b"] == 0.5


def _dict_copy_augmented(p):
    q = p.copy()
    q["w"] += 1.0  # (Python adds into p["w"] itself: the copy holds the same array)
    return np.sum(q["w"] * X2) * q["b"] + np.sum(p["w"])


def test_an_in_place_operator_on_a_dict_copys_array_is_refused_at_run_time():
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(_dict_copy_augmented)({"w": np.array([1.0, 2.0]), "b": 0.5})
    assert "q[\"w\"] = q[\"w\"] + 1.0" in str(info.value)


# ---------------------------------------------------------------- list and tuple data read by scipy's rules
# A list the module holds (or a tuple constant) met the rules' own arithmetic (`x - loc`, `1.0 - k`) as a list: a
# bare TypeError inside generated code, in every mode; a list display worked (read through np.asarray).
BINARY = [1, 0, 1]
TRIALS = [1, 0, 3]
DATA = [0.1, 0.5, 1.2]
POSITIVE = [0.5, 1.5]
TUPLE_COUNTS = (1, 0, 2)


def _bernoulli_list(p):
    return np.sum(stats.bernoulli.logpmf(BINARY, p))


def _binom_list(p):
    return np.sum(stats.binom.logpmf(TRIALS, 4, p))


def _norm_list_data(m):
    return np.sum(stats.norm.logpdf(DATA, m, 2.0))


def _norm_list_scale(m):
    return np.sum(stats.norm.logpdf(m, 0.3, DATA))


def _gamma_list_data(a):
    return np.sum(stats.gamma.logpdf(POSITIVE, a, 0.0, 1.3))


def _beta_list_shape(b):
    return np.sum(stats.beta.logpdf(0.4, POSITIVE, b))


def _t_list_df(x):
    return np.sum(stats.t.logpdf(x, POSITIVE))


def _betaln_list(b):
    return np.sum(special.betaln(POSITIVE, b))


def _poisson_tuple(mu):
    return np.sum(stats.poisson.logpmf(TUPLE_COUNTS, mu))


def _bernoulli_literal(p):
    return np.sum(stats.bernoulli.logpmf([1, 0, 1], p))


@pytest.mark.parametrize("f, x", [(_bernoulli_list, 0.3), (_binom_list, 0.3), (_norm_list_data, 0.4),
                                  (_norm_list_scale, 0.4), (_gamma_list_data, 2.0), (_beta_list_shape, 3.0),
                                  (_t_list_df, 0.6), (_betaln_list, 3.0), (_poisson_tuple, 1.5),
                                  (_bernoulli_literal, 0.3)])
def test_scipy_rules_read_list_and_tuple_data_as_numpy_does(f, x):
    slope = numeric_grad(f, (x,), 0)
    curvature = (f(x + 1e-4) - 2.0 * f(x) + f(x - 1e-4)) / 1e-8
    assert_close(s2s.grad(f)(x), slope, what="grad")
    assert_close(s2s.jvp(f)((x,), (1.0,))[1], slope, what="jvp")
    for mode in ("forward", "reverse"):
        assert_close(s2s.jacobian(f, mode=mode)(x), slope, what=f"{mode} jacobian")
        assert_close(s2s.jacobian(s2s.grad(f), mode=mode)(x), curvature, 1e-4, 1e-4, what=f"{mode} of grad")
    assert_close(s2s.hessian(f)(x), curvature, 1e-4, 1e-4, what="hessian")


def _bessel_order(v):
    return np.sum(special.iv(v, POSITIVE))


def test_the_derivative_of_a_bessel_function_in_its_order_is_refused_not_zero():
    # special.iv's partial in the order v was None (no derivative): grad gave 0.0 where it is I_v's slope in v
    for transform in (s2s.grad(_bessel_order), lambda v: s2s.jvp(_bessel_order)((v,), (1.0,))):
        with pytest.raises(s2s.NonDifferentiableError) as info:
            transform(1.5)
        assert "the derivative in the order v has no rule" in str(info.value) and \
            "pass v as a constant" in str(info.value) and info.value.filename == __file__


# ---------------------------------------------------------------- scipy's array API namespace: xp = array_namespace(a)
# scipy's code calls NumPy through `xp = array_namespace(a)`; `xp.min(a, axis=0)` was read as a method of the array
# xp (np.min(xp, a, axis=0)), refused or a TypeError
from scipy._lib._array_api import array_namespace  # noqa: E402

GRID = np.array([[0.3, -1.2], [1.5, 0.4], [-0.7, 2.0]])


def _namespace_extremes(a, axis=0):
    xp = array_namespace(a)
    return xp.max(a, axis=axis) - xp.min(xp.abs(a), axis=axis)


def _through_namespace(w):
    return np.sum(_namespace_extremes(w * GRID + w ** 2) ** 2)


def test_an_array_api_namespace_call_is_the_librarys_function_not_an_arrays_method():
    check_every_mode(_through_namespace, 0.8)
    assert "np.max(" in s2s.grad(_through_namespace).source


def _two_dicts_spread(p, r):
    return np.sum({**p, **r}["w"])


def test_two_dicts_spread_into_a_display_are_refused_advising_a_copy_and_a_key_write():
    """({**p, "w": v} differentiates: tests/test_dict_keys.py, and _dict_spread_display above in every mode.)"""
    p = {"w": np.array([1.0, 2.0]), "b": 0.5}
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(_two_dicts_spread)(p, p)
    assert "new = dict(p); new['w'] = value" in str(info.value) and info.value.filename == __file__
