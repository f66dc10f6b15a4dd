"""A Poisson regression (log link with an exposure offset) fitted by its deviance: the saturated
log-likelihood uses log(counts), computed under np.errstate because some counts are zero, and the
model's log-likelihood uses scipy.special.gammaln."""
import numpy as np
from scipy.special import gammaln

import s2s


def log_likelihood(beta, X, counts, exposure):
    log_rate = X @ beta + np.log(exposure)
    return np.sum(counts * log_rate - np.exp(log_rate) - gammaln(counts + 1.0))


def deviance(beta, X, counts, exposure):
    with np.errstate(divide="ignore", invalid="ignore"):
        log_counts = np.log(counts)
        saturated = np.sum(np.where(counts > 0, counts * log_counts, 0.0) - counts - gammaln(counts + 1.0))
    return 2.0 * (saturated - log_likelihood(beta, X, counts, exposure)) / counts.shape[0]


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, d = (10, 3) if small else (400, 4)
    X = np.hstack([np.ones((n, 1)), rng.normal(size=(n, d - 1))])
    exposure = rng.uniform(0.5, 2.0, size=n)
    counts = rng.poisson(exposure * np.exp(X @ np.linspace(-0.5, 0.5, d))).astype(float)
    return np.zeros(d), X, counts, exposure


def problem(seed=0, small=True):
    beta, X, counts, exposure = make_data(seed, small)
    return deviance, (beta, X, counts, exposure), 0


def main(steps=60, learning_rate=0.2):
    beta, X, counts, exposure = make_data(small=False)
    grad_deviance = s2s.grad(deviance)
    for step in range(steps + 1):
        if step % 10 == 0:
            print(f"step {step:4d}  loss {deviance(beta, X, counts, exposure):.6f}")
        beta = beta - learning_rate * grad_deviance(beta, X, counts, exposure)


if __name__ == "__main__":
    main()
