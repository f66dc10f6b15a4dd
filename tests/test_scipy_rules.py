"""The scipy.special and scipy.stats rules (s2s/rules/scipy.py), checked against central finite differences.

Each case is written as a real module (s2s reads source with `inspect`) calling one scipy function the way
users spell it. For every float argument it checks, against finite differences of the original function:
the reverse- and vector forward-mode Jacobians (`s2s.check_grad`), the forward-mode derivative of one
tangent (`s2s.jvp`), and the Hessian of a weighted sum (forward over reverse) against second differences.
"""
from __future__ import annotations

import importlib.util
import itertools
import subprocess
import sys
import textwrap

import numpy as np
import pytest

scipy = pytest.importorskip("scipy")
from scipy import special  # noqa: E402

import s2s  # noqa: E402

R = np.random.default_rng(7)
V = np.array([-0.7, 0.2, 1.1])  # any real
W = np.array([0.4, -1.3, 0.6])
P = np.array([0.6, 1.4, 2.3])  # positive
Q = np.array([1.7, 0.9, 3.1])
U = np.array([0.15, 0.45, 0.8])  # inside (0, 1)
U2 = np.array([0.3, 0.6, 0.25])
K = np.array([0.0, 2.0, 5.0])  # counts
B01 = np.array([1.0, 0.0, 1.0])
M23 = np.array([[0.3, -1.2, 0.5], [1.4, 0.1, -0.6]])
SPD = np.array([[2.0, 0.3, 0.1], [0.3, 1.5, -0.2], [0.1, -0.2, 1.0]])

HEADER = "import numpy as np\nimport scipy\nimport scipy.special\nimport scipy.special as sp\nimport scipy.stats as st\n" \
         "from scipy import optimize, special, stats\nfrom scipy.special import gammaln, logsumexp\n" \
         "from scipy.stats import norm\n\n\n"

# (name, expression of the parameters, arguments, positions that carry a derivative)
CASES = [
    # ---------------------------------------------------------------- scipy.special
    ("gammaln", "special.gammaln(x)", (P,), (0,)),
    ("gammaln imported", "gammaln(x)", (P,), (0,)),
    ("gammaln spelled in full", "scipy.special.gammaln(x)", (P,), (0,)),
    ("gammaln as sp", "sp.gammaln(x) + sp.digamma(x)", (P,), (0,)),
    ("loggamma", "special.loggamma(x)", (P,), (0,)),
    ("gamma", "special.gamma(x)", (P,), (0,)),
    ("digamma", "special.digamma(x)", (P,), (0,)),
    ("psi", "special.psi(x)", (P,), (0,)),
    ("polygamma", "special.polygamma(2, x)", (P,), (0,)),
    ("gammainc", "special.gammainc(2.5, x)", (P,), (0,)),
    ("gammaincc", "special.gammaincc(a, x)", (Q, P), (1,)),
    ("beta", "special.beta(a, b)", (P, Q), (0, 1)),
    ("betaln", "special.betaln(a, b)", (P, Q), (0, 1)),
    ("erf", "special.erf(x)", (V,), (0,)),
    ("erfc", "special.erfc(x)", (V,), (0,)),
    ("erfcx", "special.erfcx(x)", (V,), (0,)),
    ("erfinv", "special.erfinv(y)", (U - 0.5,), (0,)),
    ("erfcinv", "special.erfcinv(y)", (U + 0.3,), (0,)),
    ("ndtr", "special.ndtr(x)", (V,), (0,)),
    ("log_ndtr", "special.log_ndtr(x)", (np.array([-6.0, -0.4, 2.0]),), (0,)),
    ("ndtri", "special.ndtri(p)", (U,), (0,)),
    ("expit", "special.expit(x)", (V,), (0,)),
    ("logit", "special.logit(p)", (U,), (0,)),
    ("log_expit", "special.log_expit(x)", (V,), (0,)),
    *([("softplus", "special.softplus(x)", (V,), (0,))] if hasattr(special, "softplus") else []),
    ("xlogy", "special.xlogy(x, y)", (V, P), (0, 1)),
    ("xlogy broadcast", "special.xlogy(x, y)", (M23, P), (0, 1)),
    ("xlog1py", "special.xlog1py(x, y)", (V, P), (0, 1)),
    ("entr", "special.entr(x)", (P,), (0,)),
    ("rel_entr", "special.rel_entr(x, y)", (P, Q), (0, 1)),
    ("kl_div", "special.kl_div(x, y)", (P, Q), (0, 1)),
    ("i0", "special.i0(x)", (V,), (0,)),
    ("i1", "special.i1(x)", (V,), (0,)),
    ("i0e", "special.i0e(x)", (V,), (0,)),
    ("i1e", "special.i1e(x)", (V,), (0,)),
    ("iv", "special.iv(1.5, x)", (P,), (0,)),
    ("ive", "special.ive(2, x)", (V,), (0,)),
    ("logsumexp", "special.logsumexp(x)", (V,), (0,)),
    ("logsumexp imported", "logsumexp(x)", (M23,), (0,)),
    ("logsumexp axis", "special.logsumexp(x, axis=1)", (M23,), (0,)),
    ("logsumexp axis 0 keepdims", "special.logsumexp(x, axis=0, keepdims=True)", (M23,), (0,)),
    ("logsumexp weights", "special.logsumexp(x, b=w)", (V, P), (0, 1)),
    ("logsumexp weights axis", "special.logsumexp(x, axis=1, b=w)", (M23, P), (0, 1)),
    ("logsumexp weights positional", "special.logsumexp(x, -1, w, keepdims=True)", (M23, P), (0, 1)),
    ("softmax", "special.softmax(x)", (V,), (0,)),
    ("softmax axis", "special.softmax(x, axis=1)", (M23,), (0,)),
    ("log_softmax", "special.log_softmax(x)", (V,), (0,)),
    ("log_softmax axis", "special.log_softmax(x, axis=0)", (M23,), (0,)),
    # ---------------------------------------------------------------- scipy.stats: the normal distribution
    ("norm.logpdf", "stats.norm.logpdf(x)", (V,), (0,)),
    ("norm.logpdf loc scale", "stats.norm.logpdf(x, m, s)", (V, W, P), (0, 1, 2)),
    ("norm.logpdf keywords", "stats.norm.logpdf(x, loc=m, scale=s)", (V, W, P), (0, 1, 2)),
    ("norm.logpdf scale only", "norm.logpdf(x, scale=s)", (V, P), (0, 1)),
    ("norm.logpdf as st", "st.norm.logpdf(x, m, s)", (M23, W, P), (0, 1, 2)),
    ("norm.logpdf spelled in full", "scipy.stats.norm.logpdf(x, m, 2.0)", (V, W), (0, 1)),
    ("norm.pdf", "stats.norm.pdf(x, m, s)", (V, W, P), (0, 1, 2)),
    ("norm.cdf", "stats.norm.cdf(x, m, s)", (V, W, P), (0, 1, 2)),
    ("norm.cdf standard", "norm.cdf(x)", (V,), (0,)),
    ("norm.logcdf", "stats.norm.logcdf(x, m, s)", (np.array([-9.0, 0.2, 1.1]), W, P), (0, 1, 2)),
    ("norm.sf", "stats.norm.sf(x, m, s)", (V, W, P), (0, 1, 2)),
    ("norm.logsf", "stats.norm.logsf(x, m, s)", (V, W, P), (0, 1, 2)),
    ("norm.ppf", "stats.norm.ppf(q, m, s)", (U, W, P), (0, 1, 2)),
    # ---------------------------------------------------------------- scipy.stats: other distributions
    ("t.logpdf", "stats.t.logpdf(x, df, m, s)", (V, Q, W, P), (0, 1, 2, 3)),
    ("t.logpdf keywords", "stats.t.logpdf(x, df, scale=s)", (V, Q, P), (0, 1, 2)),
    ("gamma.logpdf", "stats.gamma.logpdf(x, a, m, s)", (P + 0.5, Q, W * 0.1, P), (0, 1, 2, 3)),
    ("gamma.logpdf shape only", "stats.gamma.logpdf(x, a)", (P, Q), (0, 1)),
    ("beta.logpdf", "stats.beta.logpdf(x, a, b)", (U, P, Q), (0, 1, 2)),
    ("beta.logpdf loc scale", "stats.beta.logpdf(x, a, b, loc=m, scale=s)", (U, P, Q, -U2 * 0.1, P + 1.0),
     (0, 1, 2, 3, 4)),
    ("poisson.logpmf", "stats.poisson.logpmf(k, mu)", (K, P), (1,)),
    ("poisson.pmf", "stats.poisson.pmf(k, mu)", (K, P), (1,)),
    ("bernoulli.logpmf", "stats.bernoulli.logpmf(k, p)", (B01, U), (1,)),
    ("binom.logpmf", "stats.binom.logpmf(k, 6, p)", (K, U), (1,)),
    ("laplace.logpdf", "stats.laplace.logpdf(x, m, s)", (V, W + 0.05, P), (0, 1, 2)),
    ("expon.logpdf", "stats.expon.logpdf(x, m, s)", (P, W - 2.0, Q), (0, 1, 2)),
    ("expon.logpdf rate only", "stats.expon.logpdf(x, scale=s)", (P, Q), (0, 1)),
    ("uniform.logpdf", "stats.uniform.logpdf(x, m, s)", (U, U2 - 0.5, P + 1.0), (0, 1, 2)),
    ("cauchy.logpdf", "stats.cauchy.logpdf(x, m, s)", (V, W, P), (0, 1, 2)),
    ("halfnorm.logpdf", "stats.halfnorm.logpdf(x, m, s)", (P, W - 2.0, Q), (0, 1, 2)),
    ("logistic.logpdf", "stats.logistic.logpdf(x, m, s)", (V, W, P), (0, 1, 2)),
    ("lognorm.logpdf", "stats.lognorm.logpdf(x, sigma, m, s)", (P + 1.0, Q, U2, P), (0, 1, 2, 3)),
    ("invgamma.logpdf", "stats.invgamma.logpdf(x, a, m, s)", (P + 1.0, Q, U2, P), (0, 1, 2, 3)),
    # ---------------------------------------------------------------- scipy.stats.multivariate_normal
    ("multivariate_normal.logpdf", "stats.multivariate_normal.logpdf(x, mu, c)", (V, W, SPD), (0, 1, 2)),
    ("multivariate_normal.logpdf rows", "stats.multivariate_normal.logpdf(x, mu, c)", (M23, W, SPD), (0, 1, 2)),
    ("multivariate_normal.logpdf keywords", "stats.multivariate_normal.logpdf(x, mean=mu, cov=c)",
     (M23, W, SPD), (0, 1, 2)),
    ("multivariate_normal.logpdf diagonal", "stats.multivariate_normal.logpdf(x, mu, c)", (M23, W, P), (0, 1, 2)),
    ("multivariate_normal.logpdf number", "stats.multivariate_normal.logpdf(x, mu, c)", (M23, W, 1.7), (0, 1, 2)),
    ("multivariate_normal.logpdf no mean", "stats.multivariate_normal.logpdf(x, cov=c)", (M23, SPD), (0, 1)),
    ("multivariate_normal.logpdf identity", "stats.multivariate_normal.logpdf(x, mu)", (V, W), (0, 1)),
    # ---------------------------------------------------------------- frozen distributions
    ("norm frozen", "stats.norm(m, s).logpdf(x)", (W, P, V), (0, 1, 2)),
    ("norm frozen keywords", "norm(scale=s).cdf(x)", (P, V), (0, 1)),
    ("t frozen", "stats.t(df, m, s).logpdf(x)", (Q, W, P, V), (0, 1, 2, 3)),
    ("poisson frozen", "stats.poisson(mu).logpmf(k)", (P, K), (0,)),
    ("multivariate_normal frozen", "stats.multivariate_normal(mu, c).logpdf(x)", (W, SPD, M23), (0, 1, 2)),
    # ---------------------------------------------------------------- scipy.optimize's Rosenbrock function
    ("rosen", "optimize.rosen(x)", (np.array([0.3, -0.2, 1.1, 0.7]),), (0,)),
    ("rosen_der", "optimize.rosen_der(x)", (np.array([0.3, -0.2, 1.1, 0.7]),), (0,)),
]
IDS = [c[0] for c in CASES]
THIRD_ORDER = {"rosen_der"}  # its second derivative is rosen's third: refused at the user's line
_count = itertools.count()


def _names(expr: str, n: int) -> list[str]:
    """The parameter names of a case: the free names of its expression, in the order they appear."""
    import ast
    modules = ("np", "scipy", "optimize", "special", "sp", "stats", "st", "norm", "gammaln", "logsumexp")
    found = sorted((node.col_offset, node.id) for node in ast.walk(ast.parse(expr))
                   if isinstance(node, ast.Name) and node.id not in modules)
    names = list(dict.fromkeys(name for _, name in found))
    assert len(names) == n, (expr, names)
    return names


def _module(tmp_path, source: str):
    name = f"s2s_scipy_case_{next(_count)}"
    path = tmp_path / f"{name}.py"
    path.write_text(HEADER + source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _functions(tmp_path, expr: str, n: int):
    names = _names(expr, n)
    params = ", ".join(names)
    m = _module(tmp_path, f"def f({params}):\n    return {expr}\n\n\n"
                          f"def total(weights, {params}):\n    return np.sum(weights * {expr})\n")
    return m.f, m.total


def _second_differences(f, args, i, j, h=1e-4):
    """d^2 f / d args[i] d args[j] by central differences: shape args[i].shape + args[j].shape."""
    def moved(k, idx, step, base):
        out = list(base)
        a = np.array(out[k], dtype=float)
        a[idx] += step
        out[k] = a if np.ndim(args[k]) else float(a)
        return out
    si, sj = np.shape(args[i]), np.shape(args[j])
    H = np.zeros(si + sj)
    for a in np.ndindex(si):
        for b in np.ndindex(sj):
            total = 0.0
            for s, t, sign in ((h, h, 1), (h, -h, -1), (-h, h, -1), (-h, -h, 1)):
                total += sign * f(*moved(j, b, t, moved(i, a, s, args)))
            H[a + b] = total / (4 * h * h)
    return H


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_reverse_and_vector_forward_mode(tmp_path, case):
    name, expr, args, wrt = case
    f, _ = _functions(tmp_path, expr, len(args))
    s2s.check_grad(f, *args, wrt=wrt, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward_mode(tmp_path, case):
    name, expr, args, wrt = case
    f, _ = _functions(tmp_path, expr, len(args))
    tangents = tuple(R.standard_normal(np.shape(args[i])) if np.ndim(args[i]) else float(R.standard_normal())
                     for i in wrt)
    value, tangent = s2s.jvp(f, wrt=wrt)(args, tangents)
    eps = 1e-6

    def at(sign):
        moved = list(args)
        for i, t in zip(wrt, tangents):
            moved[i] = args[i] + sign * eps * t
        return f(*moved)
    assert np.allclose(value, f(*args))
    assert np.allclose(tangent, (at(1) - at(-1)) / (2 * eps), rtol=1e-5, atol=1e-6), \
        f"{name}: jvp {tangent} vs finite differences {(at(1) - at(-1)) / (2 * eps)}"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_hessian(tmp_path, case):
    name, expr, args, wrt = case
    f, total = _functions(tmp_path, expr, len(args))
    weights = R.standard_normal(np.shape(f(*args)))
    full = (weights,) + tuple(args)
    positions = tuple(i + 1 for i in wrt)
    if name in THIRD_ORDER:
        with pytest.raises(s2s.NonDifferentiableError, match="third derivatives have no rule"):
            s2s.hessian(total, wrt=positions[0])(*full)
        return
    for i in positions:
        numeric = _second_differences(total, full, i, i)
        H = s2s.hessian(total, wrt=i)(*full)
        assert np.allclose(H, numeric, rtol=1e-4, atol=1e-5), \
            f"{name}: d2/d{i}d{i}\nanalytic:\n{np.asarray(H)}\nnumeric:\n{numeric}"
    for i, j in itertools.permutations(positions, 2):  # the mixed ones: forward over reverse
        numeric = _second_differences(total, full, i, j)
        H = s2s.jacobian(s2s.grad(total, wrt=i), wrt=j, mode="forward")(*full)
        assert np.allclose(H, numeric, rtol=1e-4, atol=1e-5), \
            f"{name}: d2/d{i}d{j}\nanalytic:\n{np.asarray(H)}\nnumeric:\n{numeric}"


# ---------------------------------------------------------------- second derivatives of scalar functions: grad(grad(f))
def _scalar_functions(tmp_path):
    return _module(tmp_path, """
def gammaln_and_logcdf(x):
    return special.gammaln(x) + stats.norm.logcdf(x, 0.3, 1.5)


def t_in_its_degrees_of_freedom(df):
    return stats.t.logpdf(0.7, df, 0.1, 2.0) + special.digamma(df)


def expit_of_erf(x):
    return special.log_expit(special.erf(x)) * special.ndtri(0.3 + 0.1 * x)
""")


@pytest.mark.parametrize("name, x", [("gammaln_and_logcdf", 1.3), ("t_in_its_degrees_of_freedom", 2.5),
                                     ("expit_of_erf", 0.4)])
def test_grad_of_grad(tmp_path, name, x):
    f = getattr(_scalar_functions(tmp_path), name)
    h = 1e-4
    numeric = (f(x + h) - 2 * f(x) + f(x - h)) / h ** 2
    assert np.isclose(s2s.grad(s2s.grad(f))(x), numeric, rtol=1e-5, atol=1e-6)
    assert np.isclose(s2s.hessian(f)(x), numeric, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- realistic programs
def _programs(tmp_path):
    return _module(tmp_path, """
def rbf_kernel(X, log_length, log_signal, log_noise):
    d2 = np.sum((X[:, None, :] - X[None, :, :]) ** 2, axis=-1)
    K = np.exp(2.0 * log_signal) * np.exp(-0.5 * d2 / np.exp(2.0 * log_length))
    return K + np.exp(2.0 * log_noise) * np.eye(X.shape[0])


def gp_log_marginal_likelihood(theta, X, y):
    K = rbf_kernel(X, theta[0], theta[1], theta[2])
    return stats.multivariate_normal.logpdf(y, mean=np.zeros(y.shape[0]), cov=K)


def bayesian_logistic_regression(w, X, labels, prior_scale):
    logits = X @ w
    prior = np.sum(stats.norm.logpdf(w, loc=0.0, scale=prior_scale))
    return np.sum(labels * special.log_expit(logits) + (1.0 - labels) * special.log_expit(-logits)) + prior


def hmm_log_likelihood(log_pi, log_A, means, obs):
    log_alpha = log_pi + stats.norm.logpdf(obs[0], means, 1.0)
    for t in range(1, obs.shape[0]):
        log_alpha = logsumexp(log_alpha[:, None] + log_A, axis=0) + stats.norm.logpdf(obs[t], means, 1.0)
    return logsumexp(log_alpha)


def distribution_as_a_value(x, mu):
    dist = stats.cauchy
    return np.sum(dist.logpdf(x, mu, 2.0)) + np.sum(dist(mu).logpdf(x))


PRIOR = stats.norm(0.0, 2.0)


def with_frozen_distributions(w, mu, s):
    likelihood = stats.t(4.0, loc=mu, scale=s)
    noise = stats.norm(0.0, 0.1).rvs(size=w.shape[0], random_state=np.random.default_rng(1))
    return np.sum(likelihood.logpdf(w + noise)) + np.sum(PRIOR.logpdf(w)) + np.sum(likelihood.logcdf(w))


def poisson_regression(beta, X, counts):
    rate = np.exp(X @ beta)
    return np.sum(stats.poisson.logpmf(counts, rate)) + np.sum(stats.gamma.logpdf(rate, 2.0, scale=3.0))
""")


def _data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(5, 2))
    y = np.sin(X[:, 0]) + 0.1 * rng.normal(size=5)
    labels = (rng.uniform(size=5) < 0.5).astype(float)
    A = rng.uniform(0.2, 1.0, size=(3, 3))
    log_A = np.log(A / A.sum(axis=1, keepdims=True))
    obs = rng.normal(size=6)
    counts = rng.poisson(2.0, size=5).astype(float)
    return dict(X=X, y=y, labels=labels, log_A=log_A, obs=obs, counts=counts)


def test_gaussian_process_marginal_likelihood(tmp_path):
    m, d = _programs(tmp_path), _data()
    theta = np.array([0.1, -0.2, -1.0])
    s2s.check_grad(m.gp_log_marginal_likelihood, theta, d["X"], d["y"], rtol=1e-5, atol=1e-7)
    numeric = _second_differences(m.gp_log_marginal_likelihood, (theta, d["X"], d["y"]), 0, 0)
    H = s2s.hessian(m.gp_log_marginal_likelihood)(theta, d["X"], d["y"])
    assert np.allclose(H, numeric, rtol=1e-4, atol=1e-5), f"{H}\n{numeric}"


def test_bayesian_logistic_regression(tmp_path):
    m, d = _programs(tmp_path), _data()
    w = np.array([0.3, -0.8])
    s2s.check_grad(m.bayesian_logistic_regression, w, d["X"], d["labels"], 1.5, wrt=(0, 3))
    numeric = _second_differences(m.bayesian_logistic_regression, (w, d["X"], d["labels"], 1.5), 0, 0)
    H = s2s.hessian(m.bayesian_logistic_regression)(w, d["X"], d["labels"], 1.5)
    assert np.allclose(H, numeric, rtol=1e-4, atol=1e-5), f"{H}\n{numeric}"


def test_hmm_forward_algorithm(tmp_path):
    m, d = _programs(tmp_path), _data()
    log_pi, means = np.log(np.array([0.5, 0.3, 0.2])), np.array([-1.0, 0.0, 1.5])
    args = (log_pi, d["log_A"], means, d["obs"])
    s2s.check_grad(m.hmm_log_likelihood, *args, wrt=(0, 1, 2))
    numeric = _second_differences(m.hmm_log_likelihood, args, 2, 2)
    H = s2s.hessian(m.hmm_log_likelihood, wrt=2)(*args)
    assert np.allclose(H, numeric, rtol=1e-4, atol=1e-5), f"{H}\n{numeric}"


def test_poisson_regression(tmp_path):
    m, d = _programs(tmp_path), _data()
    beta = np.array([0.2, -0.1])
    s2s.check_grad(m.poisson_regression, beta, d["X"], d["counts"])
    numeric = _second_differences(m.poisson_regression, (beta, d["X"], d["counts"]), 0, 0)
    H = s2s.hessian(m.poisson_regression)(beta, d["X"], d["counts"])
    assert np.allclose(H, numeric, rtol=1e-4, atol=1e-5), f"{H}\n{numeric}"


def test_frozen_distributions(tmp_path):
    """stats.t(4.0, loc=mu, scale=s) assigned to a name, and a frozen distribution made at module level, are
    read as the distribution's methods with the frozen parameters; a method without a rule (logcdf of t)
    is refused at its line, and one whose result needs no derivative (rvs) is called as it is."""
    m = _programs(tmp_path)
    w = np.array([0.3, -0.8, 1.2])
    with pytest.raises(s2s.NonDifferentiableError, match="logcdf") as info:
        s2s.grad(m.with_frozen_distributions, wrt=(0, 1, 2))(w, 0.1, 1.3)
    assert info.value.lineno > 0
    source = (tmp_path / "frozen.py")
    text = inspect_source(m.with_frozen_distributions).replace(" + np.sum(likelihood.logcdf(w))", "")
    source.write_text(HEADER + "PRIOR = stats.norm(0.0, 2.0)\n\n\n" + text)
    spec = importlib.util.spec_from_file_location("s2s_scipy_frozen", source)
    module = importlib.util.module_from_spec(spec)
    sys.modules["s2s_scipy_frozen"] = module
    spec.loader.exec_module(module)
    f = module.with_frozen_distributions
    s2s.check_grad(f, w, 0.1, 1.3, wrt=(0, 1, 2))
    numeric = _second_differences(f, (w, 0.1, 1.3), 0, 0)
    assert np.allclose(s2s.hessian(f)(w, 0.1, 1.3), numeric, rtol=1e-4, atol=1e-5)
    generated = s2s.jvp(f, wrt=(0, 1, 2)).source
    assert "stats.norm.logpdf(w, 0.0, 2.0)" in generated and "stats.t.logpdf(t5, 4.0, mu, s)" in generated, generated
    code = [line for line in generated.splitlines() if not line.strip().startswith("#")]
    assert not any("PRIOR" in line or "likelihood" in line for line in code), generated  # no frozen objects
    assert any(".rvs(" in line for line in code), generated


def test_a_distribution_as_a_value(tmp_path):
    m = _programs(tmp_path)
    s2s.check_grad(m.distribution_as_a_value, np.array([0.3, -0.8, 1.2]), 0.4, wrt=(0, 1))
    assert "stats.cauchy.logpdf(x, mu, 2.0)" in s2s.jvp(m.distribution_as_a_value).source


def inspect_source(fn) -> str:
    import inspect
    return inspect.getsource(fn)


# ---------------------------------------------------------------- the generated code reads as scipy
def test_generated_code_spells_scipy(tmp_path):
    m = _programs(tmp_path)
    for fn in (s2s.grad(m.bayesian_logistic_regression), s2s.jvp(m.bayesian_logistic_regression),
               s2s.grad(m.hmm_log_likelihood, wrt=(0, 1, 2)), s2s.grad(m.gp_log_marginal_likelihood)):
        text = fn.source
        assert "from scipy import" in text, text
        assert "scipy.special._" not in text and "scipy.stats._" not in text and "__" not in text, text
        assert "rt.logsumexp" not in text and "rt.norm" not in text, text
    text = s2s.grad(m.bayesian_logistic_regression).source
    assert "stats.norm.logpdf(w, 0.0, prior_scale)" in text and "special.expit(" in text, text
    assert "special.softmax(" in s2s.grad(m.hmm_log_likelihood, wrt=(0, 1, 2)).source
    assert "def " in text and compile(text, "<generated>", "exec")


def test_generated_module_runs_on_its_own(tmp_path):
    """The generated source, imported as a module of its own, gives the same gradient."""
    m, d = _programs(tmp_path), _data()
    grad = s2s.grad(m.bayesian_logistic_regression)
    path = tmp_path / "generated_gradient.py"
    path.write_text(grad.source)
    spec = importlib.util.spec_from_file_location("generated_gradient", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    entry = [v for k, v in vars(module).items() if k.startswith("grad_")][-1]
    w = np.array([0.3, -0.8])
    assert np.allclose(entry(w, d["X"], d["labels"], 1.5), grad(w, d["X"], d["labels"], 1.5))


# ---------------------------------------------------------------- what has no rule says so at the user's line
def _refused(tmp_path):
    return _module(tmp_path, """
def with_sign(x):
    value, sign = special.logsumexp(x, return_sign=True)
    return value


def in_the_shape(a):
    return np.sum(special.gammainc(a, 2.0))


def logistic_density(x):
    return np.sum(stats.logistic.logcdf(x))
""")


@pytest.mark.parametrize("name, message", [
    ("with_sign", "return_sign=True has no derivative rule"),
    ("in_the_shape", "the derivative in the shape a has no rule"),
    ("logistic_density", "stats.logistic.logcdf: it has no derivative rule"),
])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_refused_at_the_users_line(tmp_path, name, message, mode):
    f = getattr(_refused(tmp_path), name)
    x = np.array([0.5, 1.0, 2.0])
    with pytest.raises(s2s.NonDifferentiableError, match=message) as info:
        if mode == "reverse":
            s2s.grad(f)(x)
        else:
            s2s.jvp(f)((x,), (np.ones(3),))
    assert info.value.lineno > 0 and str(info.value.filename).endswith(".py")


# ---------------------------------------------------------------- scipy stays optional
def test_works_without_scipy(tmp_path):
    """With scipy unimportable, s2s imports and differentiates NumPy code; it never imports scipy itself."""
    body = textwrap.dedent("""
        import numpy as np
        import s2s
        from s2s.rules import registry


        def f(x):
            return np.sum(np.tanh(x) ** 2)


        x = np.array([0.1, -0.4])
        g = s2s.grad(f)(x)
        assert np.allclose(g, 2 * np.tanh(x) * (1 - np.tanh(x) ** 2))
        assert s2s.hessian(f)(x).shape == (2, 2)
        assert not any(k.startswith("scipy.") for k in registry.PRIMITIVES)
        print("blocked" if sys.modules.get("scipy", 0) is None else "absent" if "scipy" not in sys.modules else "imported")
    """)
    for prelude, expected in (("import sys\nsys.modules['scipy'] = None\n", "blocked"), ("import sys\n", "absent")):
        script = tmp_path / f"no_scipy_{expected}.py"
        script.write_text(prelude + body)
        out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == expected, out.stdout


def test_rules_are_entered_again_when_the_tables_lose_them(tmp_path):
    """A test that restores the rule tables as they were before scipy's family loaded (as the custom-rule
    tests do) does not leave scipy calls without rules for the rest of the process."""
    from s2s.rules import registry
    f, _ = _functions(tmp_path, "special.gammaln(x)", 1)
    registry._load()
    keys = registry.optional_keys()
    assert "scipy.special.gammaln" in keys and "scipy.stats.norm.logpdf" in keys
    saved = (dict(registry.REVERSE), dict(registry.TANGENT), dict(registry._OBJECTS))
    try:
        for k in keys:
            registry.REVERSE.pop(k, None)
            registry.TANGENT.pop(k, None)
        registry._OBJECTS.clear()
        registry._OBJECTS.update({i: v for i, v in saved[2].items() if not v[1].startswith("scipy.")})
        s2s.check_grad(f, P)
    finally:
        registry.REVERSE.update(saved[0])
        registry.TANGENT.update(saved[1])
        registry._OBJECTS.update(saved[2])


def test_the_optional_families_load_once(monkeypatch):
    """A family whose first key (sorted) has no reverse rule (a nondifferentiable helper such as
    `s2s.runtime.lu_rows`) was reloaded on every lookup: each call of a transformed function reloaded it."""
    from s2s.rules import registry
    registry.key_of(np.sin)  # (loaded, scipy imported above)
    reloads = []
    monkeypatch.setattr(registry.importlib, "reload", lambda module: reloads.append(module))
    for _ in range(20):
        registry.key_of(np.sin)
    assert reloads == []
