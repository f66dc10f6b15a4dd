"""Robust regression with Student-t errors (scipy.stats.t.logpdf with loc and scale keywords); the
degrees of freedom are a keyword-only argument; the parameters are one vector whose last entry is
the log scale."""
import numpy as np
from scipy import stats

import s2s


def negative_log_likelihood(params, X, y, *, df=4.0):
    w, log_scale = params[:-1], params[-1]
    return -np.mean(stats.t.logpdf(y, df, loc=X @ w, scale=np.exp(log_scale)))


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, d = (10, 2) if small else (300, 4)
    X = np.hstack([np.ones((n, 1)), rng.normal(size=(n, d - 1))])
    y = X @ rng.normal(size=d) + 0.3 * rng.standard_t(3.0, size=n)
    return np.append(0.1 * rng.normal(size=d), 0.0), X, y


def problem(seed=0, small=True):
    params, X, y = make_data(seed, small)
    return negative_log_likelihood, (params, X, y), 0


def main(steps=100, learning_rate=0.1):
    params, X, y = make_data(small=False)
    grad_nll = s2s.grad(negative_log_likelihood)
    for step in range(steps + 1):
        if step % 20 == 0:
            print(f"step {step:4d}  loss {negative_log_likelihood(params, X, y):.6f}")
        params = params - learning_rate * grad_nll(params, X, y)


if __name__ == "__main__":
    main()
