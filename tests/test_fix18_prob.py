"""Probability and statistics code s2s crashed on, refused or got imprecise (round 18, fix18prob, from hunt18prob).

- x[()] (an empty-tuple index: the value of a 0-d array, the array itself otherwise), which
  scipy.special.multigammaln starts with: an internal IndexError in every mode where the index read a value no
  derivative flows through (C1).
- rng.normal(mu, sigma, size) (a Generator's, a RandomState's, np.random.normal), rng.exponential(scale),
  rng.laplace/gumbel/logistic(loc, scale): NumPy draws them as loc + scale * z of the standard draw, bit for bit
  (checked here over a grid of broadcasts), and s2s now differentiates them so (d/dloc 1, d/dscale the very z
  drawn); other draws with a derivative are refused naming the rewrite, never s2s.nondifferentiable (R1).
- scipy.special.log_ndtr (and stats.norm.logcdf, logsf): the slope pdf / cdf read through erfcx, whose own derivative
  -r (x + r) keeps ~10 digits at x = -1000, where differentiating exp(-x^2 / 2 - log_ndtr(x)) kept 5 (S2).
- a frozen distribution's method without a rule (`d = stats.norm(mu, s); d.mean()`): refused at the method's line,
  naming it and what to write, not at the constructor's with advice (nondifferentiable(stats.norm)) that would zero
  logpdf's derivatives too; and d.mean() of a frozen distribution with no derivative is called as written, not read
  as np.mean(d), which raised a TypeError (M1).
- the sigmoid and log-sigmoid written without a branch that reads abs (docs/limitations.md "Kinks": the
  np.where(x >= 0, 1 / (1 + z), z / (1 + z)) form, z = exp(-|x|), has slope 0 at exactly 0 by abs' (0) = 0): exact
  at 0 in every mode against the analytic 0.25 and 0.5 (S1, documented).

Each derivative is checked in every mode against finite differences or an analytic formula
(tests.conftest.check_every_mode), each value against NumPy's own, bit for bit.
"""
import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

special = pytest.importorskip("scipy.special")
stats = pytest.importorskip("scipy.stats")

D0 = np.array(3.0)
V3 = np.array([1.0, 2.0, 3.0])
X3 = np.array([0.3, 0.7, 1.1])


# ------------------------------------------------------------------ x[()] (C1)
def scale_by_item(a, d):  # (multigammaln's first line: d = np.asarray(d)[()])
    d = np.asarray(d)[()]
    return a * d


def item_of_data(x):
    return np.sum(x * D0[()])


def item_of_sum(x):
    a = np.asarray(np.sum(x ** 2))[()]
    return a * np.sin(a)


def item_of_vector(x):  # (x[()] of a 1-d array is x itself, a view)
    return np.sum(x[()] ** 3) + np.sum(V3[()] * x)


def item_written(x):
    z = np.zeros(())
    z[()] = np.sum(x ** 2)
    return z[()] * 2.0


def multigammaln_sum(x):  # (the Wishart / matrix-t normaliser)
    return special.multigammaln(np.sum(x) + 4.0, 3)


@pytest.mark.parametrize("f", [item_of_data, item_of_sum, item_of_vector, item_written, multigammaln_sum],
                         ids=lambda f: f.__name__)
def test_empty_tuple_index_in_every_mode(f):
    check_every_mode(f, X3, exact=True)


def test_empty_tuple_index_of_an_argument_not_differentiated():
    assert s2s.grad(scale_by_item)(2.0, 3) == 3.0
    value, tangent = s2s.jvp(scale_by_item)((2.0, 3), (1.0,))
    assert (value, tangent) == (6.0, 3.0)
    a = 4.0
    expected = sum(special.digamma(a - j / 2) for j in range(3))  # d/da multigammaln(a, 3)
    assert_close(s2s.grad(lambda a: special.multigammaln(a, 3))(a), expected, 1e-12, 0)
    curvature = sum(special.polygamma(1, a - j / 2) for j in range(3))
    assert_close(s2s.hessian(lambda a: special.multigammaln(a, 3))(a), curvature, 1e-12, 0)


# ------------------------------------------------------------------ location-scale draws (R1)
LOCS = [0.3, np.float64(-1.7), np.array(2.5), -0.0, np.array([0.1, -0.4, 2.0]), np.array([[0.5], [-1.5]])]
SCALES = [1.2, np.float64(0.01), np.array(3.5), 0.0, 1e300, np.array([0.2, 1.0, 4.0]), np.array([[0.3, 0.7, 1.1]] * 2)]
SIZES = [None, 5, (2, 3), (4, 2, 3), ()]


def _generator(kind, seed):
    if kind == "global":
        np.random.seed(seed)
        return np.random
    return np.random.default_rng(seed) if kind == "Generator" else np.random.RandomState(seed)


def _shape(size, *parameters):
    return size if size is not None else np.broadcast_shapes(*(np.shape(p) for p in parameters))


@pytest.mark.parametrize("kind", ["Generator", "RandomState", "global"])
@pytest.mark.parametrize("method", ["normal", "exponential", "laplace", "gumbel", "logistic"])
def test_numpy_draws_them_as_a_location_and_a_scale_of_the_standard_draw(kind, method):
    """The premise of the derivative: NumPy's draw is loc + scale * z, bit for bit (signs of zero too), z drawn
    by the standard draw from the same stream (ad/located_draws.py)."""
    checked = 0
    for loc in LOCS:
        for scale in SCALES:
            for size in SIZES:
                parameters = (scale,) if method == "exponential" else (loc, scale)
                try:
                    value = getattr(_generator(kind, 7), method)(*parameters, size)
                except ValueError:  # (parameters that do not broadcast to size)
                    continue
                g = _generator(kind, 7)
                shape = _shape(size, *parameters)
                z = g.standard_normal(shape) if method == "normal" else g.standard_exponential(shape) \
                    if method == "exponential" else getattr(g, method)(0.0, 1.0, shape)
                same = scale * z if method == "exponential" else loc + scale * z
                assert np.shape(value) == np.shape(same)
                assert np.array_equal(value, same) and np.array_equal(np.signbit(value), np.signbit(same)), \
                    (method, kind, loc, scale, size)
                checked += 1
    assert checked > 100


def normal_vi(x):  # (a VI objective's draw, the variational mean and log-scale)
    rng = np.random.default_rng(0)
    z = rng.normal(x[0], np.exp(x[1]), size=5)
    return np.sum(np.sin(z) + z ** 2)


def normal_broadcast(x):  # (loc and scale of shape (3,), no size)
    rng = np.random.default_rng(1)
    z = rng.normal(x, x[::-1] ** 2 + 0.5)
    return np.sum(z ** 3)


def normal_sized(x):  # (a RandomState's, size broadcasting loc)
    rng = np.random.RandomState(2)
    z = rng.normal(loc=x, scale=0.5, size=(2, 3))
    return np.sum(np.tanh(z))


def normal_keywords(x):
    rng = np.random.default_rng(3)
    return np.sum(rng.normal(scale=x[1] ** 2, size=4) ** 2) + rng.normal(x[0]) * x[2]


def exponential_scaled(x):
    rng = np.random.default_rng(4)
    return np.sum(np.log1p(rng.exponential(x ** 2, size=(2, 3))))


def laplace_gumbel_logistic(x):
    rng = np.random.RandomState(5)
    a = rng.laplace(x[0], x[1] ** 2, 3)
    b = rng.gumbel(x[1], x[2] ** 2, 3)
    c = rng.logistic(x[2], x[0] ** 2)
    return np.sum(a * b) + c ** 2


def normal_in_a_loop(x):  # (several samples: each iteration's draw saved for the reversed loop)
    rng = np.random.default_rng(5)
    total = 0.0
    for i in range(4):
        z = rng.normal(x[0], np.exp(x[1]), size=3)
        total = total + np.sum(np.sin(z) * x[2])
    return total


def exponential_in_a_generator(x):
    rng = np.random.default_rng(6)
    return sum(np.sum(rng.exponential(x ** 2) * x) for _ in range(3))


@pytest.mark.parametrize("f", [normal_vi, normal_broadcast, normal_sized, normal_keywords, exponential_scaled,
                               laplace_gumbel_logistic, normal_in_a_loop, exponential_in_a_generator],
                         ids=lambda f: f.__name__)
def test_location_scale_draws_in_every_mode(f):
    check_every_mode(f, X3, exact=True)


def elbo(mu, sigma, rng):
    z = rng.normal(mu, sigma, size=6)
    return np.sum(z ** 2)


def test_draw_of_a_generator_passed_in_is_the_one_the_derivative_reads():
    eps = np.random.default_rng(11).standard_normal(6)  # (the draw NumPy makes: mu + sigma * eps)
    mu, sigma = 0.3, 1.2
    z = mu + sigma * eps
    value, (dmu, dsigma) = s2s.value_and_grad(elbo, wrt=(0, 1))(mu, sigma, np.random.default_rng(11))
    assert value == elbo(mu, sigma, np.random.default_rng(11))
    assert_close(dmu, 2 * np.sum(z), 1e-12, 0)
    assert_close(dsigma, 2 * np.sum(z * eps), 1e-12, 0)
    _, tangent = s2s.jvp(elbo, wrt=(0, 1))((mu, sigma, np.random.default_rng(11)), (1.0, 0.5))
    assert_close(tangent, 2 * np.sum(z) + 0.5 * 2 * np.sum(z * eps), 1e-12, 0)
    hessian = s2s.hessian(lambda p, rng: elbo(p[0], p[1], rng))(np.array([mu, sigma]), np.random.default_rng(11))
    expected = np.array([[12.0, 2 * np.sum(eps)], [2 * np.sum(eps), 2 * np.sum(eps ** 2)]])
    assert_close(hessian, expected, 1e-12, 1e-12)
    rng = np.random.default_rng(11)  # (the generator left as one call of the function leaves it)
    s2s.jacobian(lambda p, rng: elbo(p[0], p[1], rng), mode="forward")(np.array([mu, sigma]), rng)
    after = np.random.default_rng(11)
    after.standard_normal(6)
    assert rng.random() == after.random()


def global_normal(mu, sigma):
    return np.sum(np.random.normal(mu, sigma, 4) ** 2)


def test_global_generator_draw():
    np.random.seed(21)
    eps = np.random.standard_normal(4)
    np.random.seed(21)
    value, (dmu, dsigma) = s2s.value_and_grad(global_normal, wrt=(0, 1))(0.3, 1.2)
    np.random.seed(21)
    assert value == global_normal(0.3, 1.2)
    z = 0.3 + 1.2 * eps
    assert_close(dmu, 2 * np.sum(z), 1e-12, 0)
    assert_close(dsigma, 2 * np.sum(z * eps), 1e-12, 0)


def negative_scale(mu, sigma):
    rng = np.random.default_rng(0)
    return np.sum(rng.normal(mu, -sigma, 3))


class NotAGenerator:
    def normal(self, a, b):
        return a * b


def other_object(mu, sigma, obj):
    return obj.normal(mu, sigma)


def test_draw_checks_as_numpy_does():
    with pytest.raises(ValueError, match="scale < 0"):
        s2s.grad(negative_scale)(0.3, 1.2)
    with pytest.raises(s2s.S2SError, match="NotAGenerator.normal"):
        s2s.grad(other_object)(0.3, 1.2, NotAGenerator())


def lognormal_draw(mu, sigma):  # (lognormal and uniform: exact since round 19, tests/test_fix19_lib.py)
    rng = np.random.default_rng(0)
    return np.sum(rng.lognormal(mu, sigma, 3))


def uniform_draw(a, b):
    return np.sum(np.random.uniform(a, a + b, 3))


def beta_draw(a, b):
    rng = np.random.default_rng(0)
    return np.sum(rng.beta(a, b, 3))


@pytest.mark.parametrize("f, advice", [(beta_draw, "loc + scale * rng.standard_normal(size)")], ids=["beta"])
def test_other_draws_are_refused_naming_the_rewrite(f, advice):
    for call in (lambda: s2s.grad(f, wrt=(0, 1))(0.3, 1.2), lambda: s2s.jvp(f, wrt=(0, 1))((0.3, 1.2), (1.0, 1.0))):
        with pytest.raises(s2s.NonDifferentiableError) as info:
            call()
        assert advice in str(info.value) and "nondifferentiable" not in str(info.value)


# ------------------------------------------------------------------ log_ndtr's second derivative (S2)
# x -> (r, r'), r = d/dx log Φ(x) = pdf(x) / cdf(x), r' = -r (x + r): mpmath at 60 digits
# (r = mp.npdf(X) / mp.ncdf(X); hunt18prob's ref_ndtr.py)
MILLS = {-1000.0: (1000.000999998, -0.999999000006), -200.0: (200.00499975003123, -0.999975003749219),
         -50.0: (50.019984031905636, -0.999600956813196), -10.0: (10.098093233962512, -0.9905546221743438),
         -1.0: (1.525135276160981, -0.8009023344296512), 0.0: (0.7978845608028654, -0.6366197723675814),
         2.0: (0.055247862678989956, -0.11354805168857644), 30.0: (1.4736461348785476e-196, -4.420938404635642e-195)}


def log_ndtr(x):
    return special.log_ndtr(x)


def norm_logcdf(x):
    return stats.norm.logcdf(x)


def norm_logsf_mirrored(x):  # (log sf(-x) = log Φ(x))
    return stats.norm.logsf(-x)


@pytest.mark.parametrize("f", [log_ndtr, norm_logcdf, norm_logsf_mirrored], ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", sorted(MILLS))
def test_log_ndtr_first_and_second_derivative_far_in_the_tails(f, x):
    slope, curvature = MILLS[x]
    assert_close(s2s.grad(f)(x), slope, 1e-12, 0)
    for second in (s2s.grad(s2s.grad(f))(x), s2s.hessian(f)(np.array(x)), s2s.jvp(s2s.grad(f))((x,), (1.0,))[1]):
        assert abs(float(second) - curvature) <= 1e-9 * abs(curvature)  # (was 3.4e-5 at x = -1000)


def norm_log_probabilities(x):  # (a probit likelihood with a location and a scale)
    return np.sum(stats.norm.logcdf(x, x[::-1] * 0.5, np.exp(x[0])) + stats.norm.logsf(x * 3.0, 0.2, x[1] ** 2 + 1.0)
                  + special.log_ndtr(x * 4.0 - 1.0))


def test_norm_log_probabilities_in_every_mode():
    check_every_mode(norm_log_probabilities, X3 - 0.5, exact=True)


# ------------------------------------------------------------------ a frozen distribution's methods (M1)
def frozen_mean_std(mu, s):
    d = stats.norm(mu, s)
    return d.mean() + d.std()


def frozen_logpdf_entropy(mu, s):
    d = stats.norm(mu, s)
    a = d.logpdf(0.2)
    return a + d.entropy()


@pytest.mark.parametrize("f, method, line", [(frozen_mean_std, ".mean()", "return d.mean() + d.std()"),
                                             (frozen_logpdf_entropy, ".entropy()", "return a + d.entropy()")],
                         ids=["mean", "entropy"])
def test_frozen_method_without_rule_refused_at_its_line(f, method, line):
    calls = [lambda: s2s.grad(f, wrt=(0, 1))(0.4, 1.3), lambda: s2s.jvp(f, wrt=(0, 1))((0.4, 1.3), (1.0, 0.5)),
             lambda: s2s.jacobian(lambda p: f(p[0], p[1]))(np.array([0.4, 1.3])),
             lambda: s2s.jacobian(lambda p: f(p[0], p[1]), mode="forward")(np.array([0.4, 1.3]))]
    for call in calls:
        with pytest.raises(s2s.NonDifferentiableError) as info:
            call()
        text = str(info.value)
        assert method + " of the frozen distribution stats.norm" in text and line in text
        assert "nondifferentiable(stats" not in text and "logpdf" in text  # (a helper's own rules may be named)


def frozen_data_mean(x, mu, s):  # (the distribution's parameters carry no derivative)
    d = stats.norm(mu, s)
    return x * d.mean() + x ** 2 * d.std() + d.logpdf(x)


def test_frozen_method_without_derivative_is_called_as_written():
    value, slope = s2s.value_and_grad(frozen_data_mean)(1.3, 0.4, 2.0)
    assert value == frozen_data_mean(1.3, 0.4, 2.0)
    assert_close(slope, 0.4 + 2 * 1.3 * 2.0 - (1.3 - 0.4) / 4.0, 1e-14, 0)  # (d/dx logpdf = -(x - loc) / scale^2)


# ------------------------------------------------------------------ sigmoids exact at 0 (S1, docs/limitations.md)
def expit_sum(x):
    return np.sum(special.expit(x))


def tanh_sigmoid(x):
    return np.sum(0.5 * (1.0 + np.tanh(0.5 * x)))


def logaddexp_sigmoid(x):
    return np.sum(np.exp(-np.logaddexp(0.0, -x)))


def log_sigmoid(x):
    return np.sum(-np.logaddexp(0.0, -x))


def log_expit_sum(x):
    return np.sum(special.log_expit(x))


def softplus_stable(x):  # (the docs' softplus, a symmetric composition of kinks: exact at 0)
    return np.sum(np.maximum(0.0, x) + np.log(1.0 + np.exp(-np.abs(x))))


ZEROS = np.zeros(3)  # (every logit of logistic regression at w = 0)


@pytest.mark.parametrize("f, slope, curvature", [(expit_sum, 0.25, 0.0), (tanh_sigmoid, 0.25, 0.0),
                                                 (logaddexp_sigmoid, 0.25, 0.0), (log_sigmoid, 0.5, -0.25),
                                                 (log_expit_sum, 0.5, -0.25), (softplus_stable, 0.5, None)],
                         ids=lambda v: getattr(v, "__name__", str(v)))
def test_sigmoid_forms_exact_at_zero(f, slope, curvature):
    """sigma'(0) = sigma(0) (1 - sigma(0)) = 0.25, (log sigma)'(0) = 1 - sigma(0) = 0.5, softplus'(0) = 0.5; second
    derivatives sigma''(0) = 0 and (log sigma)''(0) = -0.25 (softplus's at abs's kink is refused: docs)."""
    expected = np.full(3, slope)
    assert_close(s2s.grad(f)(ZEROS), expected, 1e-15, 0)
    assert_close(s2s.jvp(f)((ZEROS,), (np.ones(3),))[1], 3 * slope, 1e-15, 0)
    for mode in ("reverse", "forward"):
        assert_close(s2s.jacobian(f, mode=mode)(ZEROS), expected, 1e-15, 0)
    assert_close(s2s.grad(f)(ZEROS), numeric_grad(f, (ZEROS,), 0), 1e-6)
    if curvature is not None:
        assert_close(s2s.hessian(f)(ZEROS), curvature * np.eye(3), 1e-12, 1e-15)
    if f is not softplus_stable:
        check_every_mode(f, ZEROS + np.array([0.0, 1e-3, -2.0]), exact=True)


def logistic_nll(w, X, t):  # (logistic regression with a sigmoid exact at 0)
    p = special.expit(X @ w)
    return -np.sum(t * np.log(p) + (1 - t) * np.log1p(-p))


def test_logistic_regression_started_at_zero():
    X = np.array([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.3]])
    t = np.array([1.0, 0.0, 1.0])
    assert_close(s2s.grad(logistic_nll)(np.zeros(2), X, t), X.T @ (0.5 - t), 1e-15, 0)
