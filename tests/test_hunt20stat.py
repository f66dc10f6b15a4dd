"""Helper hunt20stat: statistics and classic ML code (logistic/softmax regression with a line search, a Gaussian
process's marginal likelihood, mixtures, k-means, PCA, Newton's method, robust losses, masked and weighted
statistics, cumulative and sorting-based losses, count likelihoods) through every mode against finite differences;
and np.corrcoef, which had no rule, read as NumPy computes it: np.cov scaled by its standard deviations."""
import math

import numpy as np
import pytest
import scipy.special

import s2s
from tests.conftest import check_every_mode, numeric_grad

_r = np.random.default_rng(3)
X = _r.normal(size=(8, 3))
Y = (X @ np.array([1.0, -2.0, 0.5]) + 0.3 * _r.normal(size=8) > 0).astype(float)
Z = _r.normal(size=(6, 2))
K = np.array([0, 2, 1, 0, 2, 1, 1, 0])
COUNTS = np.array([0.0, 3.0, 1.0, 5.0, 2.0, 7.0, 4.0, 1.0])
MASK = np.array([True, False, True, True, False, True, False, True])


def logistic_l2(w):
    z = X @ w
    ll = np.sum(Y * z - np.logaddexp(0.0, z))
    return -ll / len(Y) + 0.1 * np.dot(w, w)


def logistic_loss(w):
    z = X @ w
    return np.mean(np.log1p(np.exp(-z * (2 * Y - 1)))) + 0.05 * np.sum(w ** 2)


def line_search(w):
    g = X.T @ (1 / (1 + np.exp(-(X @ w))) - Y) / len(Y) + 0.2 * w
    t = 1.0
    while logistic_loss(w - t * g) > logistic_loss(w) - 0.5 * t * np.dot(g, g):
        t *= 0.5
    return logistic_loss(w - t * g)


def softmax_reg(wflat):
    W = wflat.reshape(3, 3)
    s = X @ W
    s = s - np.max(s, axis=1, keepdims=True)
    logp = s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(len(K)), K]) + 0.01 * np.sum(W * W)


def rbf(A, B, ell):
    d = A[:, None, :] - B[None, :, :]
    return np.exp(-0.5 * np.sum(d ** 2, axis=-1) / ell ** 2)


def gp_nll(theta):
    ell, sf, sn = np.exp(theta)
    Kx = sf ** 2 * rbf(Z, Z, ell) + (sn ** 2 + 1e-6) * np.eye(len(Z))
    L = np.linalg.cholesky(Kx)
    y = Z[:, 0]
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return 0.5 * y @ alpha + np.sum(np.log(np.diag(L))) + 0.5 * len(y) * np.log(2 * np.pi)


def gp_nll_slogdet(theta):
    ell, sf, sn = np.exp(theta)
    Kx = sf ** 2 * rbf(Z, Z, ell) + (sn ** 2 + 1e-6) * np.eye(len(Z))
    y = Z[:, 1]
    sign, logdet = np.linalg.slogdet(Kx)
    return 0.5 * y @ np.linalg.solve(Kx, y) + 0.5 * logdet


def gmm_ll(mu):
    means = mu.reshape(2, 2)
    d = Z[:, None, :] - means[None, :, :]
    logp = -0.5 * np.sum(d * d, axis=2) - np.log(2 * np.pi) + np.log(0.5)
    m = np.max(logp, axis=1)
    return np.sum(m + np.log(np.sum(np.exp(logp - m[:, None]), axis=1)))


def gmm_ll_loop(mu):
    total = 0.0
    for i in range(len(Z)):
        a = -0.5 * ((Z[i, 0] - mu[0]) ** 2 + (Z[i, 1] - mu[1]) ** 2)
        b = -0.5 * ((Z[i, 0] - mu[2]) ** 2 + (Z[i, 1] - mu[3]) ** 2)
        m = max(a, b)
        total += m + math.log(math.exp(a - m) + math.exp(b - m))
    return total


def kmeans_soft(c):
    C = c.reshape(2, 2)
    d2 = np.sum((Z[:, None, :] - C[None]) ** 2, axis=-1)
    r = np.exp(-d2)
    r = r / r.sum(axis=1, keepdims=True)
    return np.sum(r * d2)


def pca_top(x):
    A = x.reshape(3, 3)
    S = A @ A.T + np.eye(3)
    vals, vecs = np.linalg.eigh(S)
    return vals[-1] + 0.1 * vals[0]


def pca_cov(x):
    D = X + x.reshape(1, 3)
    C = np.cov(D, rowvar=False) + np.diag(x ** 2)
    w = np.linalg.eigvalsh(C)
    return np.sum(w[-2:]) / np.sum(w)


def svd_nuc(x):
    A = x.reshape(2, 3)
    s = np.linalg.svd(A, compute_uv=False)
    return np.sum(s) + s[0] ** 2


def newton_sqrt(a):
    x = a
    while abs(x * x - a) > 1e-12:
        x = 0.5 * (x + a / x)
    return x


def newton_vec(p):
    x = np.ones(2)
    it = 0
    while np.max(np.abs(x ** 3 - p)) > 1e-10 and it < 50:
        x = x - (x ** 3 - p) / (3 * x ** 2)
        it += 1
    return np.sum(x)


def huber(r):
    a = np.abs(r)
    return np.sum(np.where(a <= 1.0, 0.5 * r ** 2, a - 0.5))


def clipped(r):
    return np.sum(np.clip(r, -1.0, 1.0) ** 2 + 0.1 * r)


def masked_mean(x):
    return x[MASK].mean() + np.mean(x[x > 0] ** 2)


def nanmean(x):
    y = np.where(MASK, x, np.nan)
    return np.nanmean(y) + np.nansum(y ** 2)


def var_std(x):
    return np.var(x) + np.std(x, ddof=1) + np.var(x.reshape(2, 4), axis=0, ddof=1).sum()


def cov_corr(x):
    A = x.reshape(2, 4)
    return np.sum(np.cov(A)) + np.corrcoef(A)[0, 1] + np.cov(A[0], A[1], ddof=0)[0, 1]


def cums(x):
    tails = np.cumsum(x.reshape(2, 4), axis=1)[:, -1]
    return np.sum(np.cumsum(x) ** 2) + np.sum(np.cumprod(x)) + tails @ np.array([1.0, 2.0])


def sort_loss(x):
    s = np.sort(x)
    w = np.arange(1, len(x) + 1)
    return np.sum(w * s) + np.sum(x[np.argsort(x)][:3] ** 2)


def trimmed(x):
    idx = np.argsort(np.abs(x))
    return np.mean(x[idx[:-2]] ** 2) + np.median(x)


def poisson_ll(lam_log):
    lam = np.exp(lam_log)
    return np.sum(COUNTS * np.log(lam) - lam - scipy.special.gammaln(COUNTS + 1))


def poisson_lgamma(a):
    total = 0.0
    for i in range(len(a)):
        total += math.lgamma(a[i] + 1.0) - a[i] * 0.3
    return total


def binom_ll(logit):
    p = scipy.special.expit(logit)
    n = 10.0
    log_choose = (scipy.special.gammaln(n + 1) - scipy.special.gammaln(COUNTS + 1)
                  - scipy.special.gammaln(n - COUNTS + 1))
    return np.sum(log_choose + COUNTS * np.log(p) + (n - COUNTS) * np.log1p(-p))


def negbin(r):
    return np.sum(scipy.special.gammaln(COUNTS + r) - scipy.special.gammaln(r) + r * np.log(r / (r + 3.0)))


def logsumexp_sp(x):
    return scipy.special.logsumexp(x) + np.sum(scipy.special.softmax(x) * x)


def standardize(x):
    z = (x - x.mean()) / x.std()
    return np.sum(z ** 3) / len(x) + np.sum(z[:3] * X[:3, 0])


def gd_inplace(w0):
    w = w0.copy()
    for _ in range(3):
        g = X.T @ (1 / (1 + np.exp(-(X @ w))) - Y) / len(Y) + 0.1 * w
        t = 1.0
        while logistic_loss(w - t * g) > logistic_loss(w) - 0.5 * t * g @ g:
            t = t * 0.5
        w -= t * g
    return logistic_loss(w)


def newton_inplace(p):
    x = np.ones_like(p)
    for _ in range(30):
        step = (x ** 3 - p) / (3 * x ** 2)
        x -= step
        if np.all(np.abs(step) < 1e-12):
            break
    return np.sum(x * x)


def weighted_stats(x):
    w = np.array([1.0, 2.0, 0.5, 1.5, 1.0, 3.0, 0.2, 1.0])
    m = np.average(x, weights=w)
    v = np.average((x - m) ** 2, weights=w)
    return m + v + np.cov(x, aweights=w) + np.average(x.reshape(2, 4), axis=1, weights=w[:4]).sum()


def cov_fw(x):
    A = x.reshape(2, 4)
    return np.cov(A, fweights=np.array([1, 2, 1, 3]))[0, 1] + np.cov(A.T, rowvar=False, bias=True).trace()


def std_axis(x):
    A = x.reshape(2, 4)
    return np.sum(np.std(A, axis=1, ddof=1)) + np.std(A, axis=0, keepdims=True).sum() + np.var(A, ddof=2)


def eig_vectors(x):
    A = x.reshape(3, 3)
    S = A + A.T + np.diag([0.0, 3.0, 7.0])
    vals, vecs = np.linalg.eigh(S)
    v = vecs[:, -1]
    return (v @ np.array([1.0, 2.0, 3.0])) ** 2 + vals.sum()


def svd_full(x):
    A = x.reshape(3, 2)
    U, s, Vt = np.linalg.svd(A, full_matrices=False)
    return np.sum(s ** 2) + np.sum((U * s) @ Vt * A)


def lstsq_ridge(lam):
    A = X.T @ X + lam[0] * np.eye(3)
    b = X.T @ Y
    w = np.linalg.solve(A, b)
    r = X @ w - Y
    return r @ r + np.linalg.inv(A).trace() * lam[1]


def logdet_inv(x):
    A = x.reshape(2, 2) @ x.reshape(2, 2).T + np.eye(2)
    return np.log(np.linalg.det(A)) + np.sum(np.linalg.inv(A)) + np.linalg.norm(A)


def cumprod_zero(x):
    y = np.cumprod(x)
    return y[-1] + np.sum(np.cumsum(x[::-1])[::-1] * x)


def running_max(x):
    m = np.maximum.accumulate(x)
    return np.sum(m * x) + np.sum(np.diff(x) ** 2)


def sort2d(x):
    A = x.reshape(2, 4)
    s = np.sort(A, axis=1)
    idx = np.argsort(A, axis=0)
    return np.sum(s[:, -1]) + np.sum(np.take_along_axis(A, idx, axis=0)[0] * 2.0)


def median_ptp(x):
    A = x.reshape(2, 4)
    return np.median(A, axis=1).sum() + np.ptp(x) + np.percentile(x, 50)


def where_log(x):
    y = np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), 0.0)
    return np.sum(y) + np.sum(np.where(np.isnan(np.where(MASK, x, np.nan)), 0.0, x) ** 2)


def xlogy_ent(x):
    p = scipy.special.softmax(x)
    return -np.sum(scipy.special.xlogy(p, p)) + scipy.special.logsumexp(x, b=np.arange(1.0, 6.0))


def norm_logpdf(x):
    mu, logs = x[0], x[1]
    s = np.exp(logs)
    data = Z[:, 0]
    return np.sum(-0.5 * ((data - mu) / s) ** 2 - np.log(s) - 0.5 * math.log(2 * math.pi)) + scipy.special.erf(mu)


def loop_stats(x):
    n = 0
    mean = 0.0
    m2 = 0.0
    for v in x:
        n += 1
        d = v - mean
        mean += d / n
        m2 += d * (v - mean)
    return m2 / (n - 1) + mean


def masked_assign(x):
    y = x.copy()
    y[~MASK] = 0.0
    y[y < -0.5] *= 2.0
    return np.sum(y ** 2) / MASK.sum()


def mask_mean_axis(x):
    A = x.reshape(2, 4)
    M = MASK.reshape(2, 4)
    return np.sum(np.sum(A * M, axis=1) / np.maximum(M.sum(axis=1), 1))


def lgamma_digamma(a):
    return np.sum(scipy.special.gammaln(a) + scipy.special.digamma(a) * 0.1 + scipy.special.betaln(a, 2.0))


def kl_gauss(x):
    mu, ls = x[:2], x[2:]
    return 0.5 * np.sum(np.exp(2 * ls) + mu ** 2 - 1 - 2 * ls)


def hinge_svm(w):
    m = (2 * Y - 1) * (X @ w)
    return np.mean(np.maximum(0.0, 1.0 - m) ** 2) + 0.5 * w @ w


def ranks(x):
    order = np.argsort(x)
    r = np.empty_like(x)
    r[order] = np.arange(len(x))
    return np.sum(r * x) + np.sum(x[order[-2:]])


def corr_rows(x):
    A = x.reshape(2, 4)
    return np.corrcoef(A)[0, 1] + np.sum(np.corrcoef(A[0], A[1] ** 2) * np.array([[1.0, 2.0], [3.0, 4.0]]))


def corr_columns(x):
    A = x.reshape(4, 3)
    return np.sum(np.corrcoef(A, rowvar=False) ** 2) + np.corrcoef(x[:4], x[4:8], rowvar=True)[1, 0]


def corr_pair_columns(x):
    A = x.reshape(2, 3)
    return np.corrcoef(A, A[::-1] ** 2, False)[0, 1]


def corr_one_variable(x):
    return np.corrcoef(x) * x[0]


def corr_dtype(x):
    return np.corrcoef(x.reshape(2, 3), dtype=float)[0, 1]


def corr_rowvar(x, rowvar):
    return np.corrcoef(x.reshape(2, 3), rowvar=rowvar)[0, 1]


_r = np.random.default_rng(1)
ARGS = dict(
    logistic_l2=_r.normal(size=3), logistic_loss=_r.normal(size=3), line_search=_r.normal(size=3),
    softmax_reg=_r.normal(size=9), gp_nll=np.array([0.1, -0.2, -1.0]), gp_nll_slogdet=np.array([0.3, 0.1, -0.5]),
    gmm_ll=_r.normal(size=4), gmm_ll_loop=_r.normal(size=4), kmeans_soft=_r.normal(size=4), pca_top=_r.normal(size=9),
    pca_cov=_r.normal(size=3), svd_nuc=_r.normal(size=6), newton_sqrt=np.array(2.5), newton_vec=np.array([2.0, 3.0]),
    huber=np.array([0.3, -2.0, 1.5, -0.4]), clipped=np.array([0.3, -2.0, 1.5, -0.4]), masked_mean=_r.normal(size=8),
    nanmean=_r.normal(size=8), var_std=_r.normal(size=8), cov_corr=_r.normal(size=8), cums=_r.normal(size=8),
    sort_loss=_r.normal(size=6), trimmed=_r.normal(size=7), poisson_ll=_r.normal(size=8),
    poisson_lgamma=np.abs(_r.normal(size=4)) + 0.5, binom_ll=_r.normal(size=8),
    negbin=np.array([1.5, 2.0, 3.0, 0.7, 1.1, 2.2, 4.0, 5.0]), logsumexp_sp=_r.normal(size=5),
    standardize=_r.normal(size=8))
_r = np.random.default_rng(2)
ARGS.update(
    gd_inplace=_r.normal(size=3), newton_inplace=np.array([2.0, 3.0, 0.5]), weighted_stats=_r.normal(size=8),
    cov_fw=_r.normal(size=8), std_axis=_r.normal(size=8), eig_vectors=_r.normal(size=9), svd_full=_r.normal(size=6),
    lstsq_ridge=np.array([0.5, 0.3]), logdet_inv=_r.normal(size=4), cumprod_zero=_r.normal(size=6),
    running_max=_r.normal(size=7), sort2d=_r.normal(size=8), median_ptp=_r.normal(size=8), where_log=_r.normal(size=8),
    xlogy_ent=_r.normal(size=5), norm_logpdf=np.array([0.2, -0.3]), loop_stats=_r.normal(size=6),
    masked_assign=_r.normal(size=8), mask_mean_axis=_r.normal(size=8), lgamma_digamma=np.array([1.5, 2.5, 0.7]),
    kl_gauss=_r.normal(size=4), hinge_svm=_r.normal(size=3), ranks=_r.normal(size=6))


@pytest.mark.parametrize("name", sorted(ARGS))
def test_statistics_and_ml_programs_in_every_mode(name):
    check_every_mode(globals()[name], ARGS[name], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("f, n", [(corr_rows, 8), (corr_columns, 12), (corr_pair_columns, 6), (corr_one_variable, 5)])
def test_corrcoef_is_differentiated_as_numpy_computes_it(f, n):
    # (was refused: "np.corrcoef has no derivative rule")
    x = np.random.default_rng(n).normal(size=n)
    check_every_mode(f, x)
    assert s2s.value_and_grad(f)(x)[0] == pytest.approx(f(x), rel=1e-14)


def test_corrcoef_refuses_dtype_and_a_run_time_rowvar_saying_what_to_write():
    x = np.random.default_rng(0).normal(size=6)
    with pytest.raises(s2s.NonDifferentiableError,
                       match=r"(?s)dtype=.*test_hunt20stat.py:\d+.*np.corrcoef\(x.reshape.*cast the result"):
        s2s.grad(corr_dtype)(x)
    with pytest.raises(s2s.NonDifferentiableError, match=r"(?s)rowvar= known only at run time.*test_hunt20stat.py:\d+"
                                                            r".*rowvar=rowvar.*write rowvar as a constant"):
        s2s.grad(corr_rowvar)(x, True)


# ---------------------------------------------------------------- a recursive function given a list holding an int
def halve(xs):
    if len(xs) == 1:
        return xs[0] * 1.0
    return np.tanh(halve(xs[1:]))


def halve_squared(a):
    return halve([1.0, a * a])


def sum_of_picks(x, idx):
    if len(idx) == 0:
        return 0.0
    return x[idx[0]] ** 2 + sum_of_picks(x, idx[1:])


def picked(x):
    return sum_of_picks(x, [2, 0, 1, 2])


@pytest.mark.parametrize("a", [-2, 1])
def test_a_recursive_call_given_a_list_holding_an_int_passes_its_derivative(a):
    # (fuzz seed 4380054: at a = -2, [1.0, a * a] is [1.0, 4], and the recursive rule took the int 4 for a constant:
    # every derivative 0.0, silently)
    f = halve_squared
    expected = numeric_grad(f, (float(a),), 0)
    assert s2s.grad(f)(a) == pytest.approx(expected, rel=1e-6)
    assert s2s.jvp(f)((a,), (1.0,))[1] == pytest.approx(expected, rel=1e-6)
    second = numeric_grad(s2s.grad(f), (float(a),), 0)
    assert s2s.hessian(f)(a) == pytest.approx(second, rel=1e-5)
    assert s2s.grad(s2s.grad(f))(a) == pytest.approx(second, rel=1e-5)


def test_a_recursive_call_given_a_list_of_indices_still_takes_them_for_constants():
    check_every_mode(picked, np.array([0.3, -1.2, 0.8]))


def tagged_down(d, n):
    if n == 0:
        return d["a"] * 1.5
    return np.tanh(tagged_down(d, n - 1))


def tagged(a):
    return tagged_down({"a": a * a, "s": "tag"}, 2)


def evaluate(tree, x):
    if tree[0] == "const":
        return tree[1] * 1.0
    if tree[0] == "var":
        return x
    return evaluate(tree[1], x) * evaluate(tree[2], x) + tree[3]


def evaluated(x):
    return evaluate(("mul", ("const", 3), ("var",), 2), x) ** 2


def test_a_recursive_call_given_an_int_beside_a_tag_is_refused_as_for_a_float():
    # (the int a * a = 4 beside the string: silently 0.0 before, where the float 4.0 is refused)
    for a in (-2, -2.0):
        with pytest.raises(s2s.S2SError, match=r"tagged_down with respect to its argument 'd', which holds a str at d"
                                               r"\['s'\].*pass the values to differentiate in an argument of their "
                                               r"own"):
            s2s.grad(tagged)(a)


def test_a_tree_of_constant_tags_and_ints_stays_data():
    check_every_mode(evaluated, np.array(0.7))


@s2s.checkpoint
def block(xs):
    return np.tanh(xs[0] * xs[1])


def checkpointed_blocks(a):
    return block([a * a, 3]) + block((2, a))


@pytest.mark.parametrize("a", [2, 1])
def test_a_checkpointed_call_given_a_list_of_ints_passes_its_derivative(a):
    # (the same rules as recursion's: [4, 3] and (2, 2) were constants at a = 2, the gradient 0.0)
    f = checkpointed_blocks
    expected = numeric_grad(f, (float(a),), 0)
    assert s2s.grad(f)(a) == pytest.approx(expected, rel=1e-6)
    assert s2s.jvp(f)((a,), (1.0,))[1] == pytest.approx(expected, rel=1e-6)
    assert s2s.hessian(f)(a) == pytest.approx(numeric_grad(s2s.grad(f), (float(a),), 0), rel=1e-5)
