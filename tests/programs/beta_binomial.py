"""Empirical Bayes for click-through rates: a beta-binomial marginal likelihood (scipy.special
betaln and gammaln) of clicks out of impressions per ad, over the log of the Beta prior's two
parameters."""
import numpy as np
from scipy.special import betaln, gammaln

import s2s


def log_binomial_coefficient(n, k):
    return gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0)


def negative_log_marginal(log_ab, clicks, impressions):
    alpha, beta = np.exp(log_ab[0]), np.exp(log_ab[1])
    log_p = (log_binomial_coefficient(impressions, clicks)
             + betaln(clicks + alpha, impressions - clicks + beta) - betaln(alpha, beta))
    return -np.mean(log_p)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    ads = 6 if small else 300
    rates = rng.beta(2.0, 30.0, size=ads)
    impressions = rng.integers(50, 500, size=ads).astype(float)
    clicks = rng.binomial(impressions.astype(int), rates).astype(float)
    return np.array([0.0, 2.0]), clicks, impressions


def problem(seed=0, small=True):
    return negative_log_marginal, make_data(seed, small), 0


def main(steps=100, learning_rate=0.5):
    log_ab, clicks, impressions = make_data(small=False)
    grad_nlm = s2s.grad(negative_log_marginal)
    for step in range(steps + 1):
        if step % 20 == 0:
            print(f"step {step:4d}  loss {negative_log_marginal(log_ab, clicks, impressions):.6f}  "
                  f"prior mean rate {np.exp(log_ab[0]) / np.sum(np.exp(log_ab)):.4f}")
        log_ab = log_ab - learning_rate * grad_nlm(log_ab, clicks, impressions)


if __name__ == "__main__":
    main()
