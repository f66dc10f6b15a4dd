"""The log posterior of Bayesian linear regression with an unknown noise scale: normal priors and a
normal likelihood, all from scipy.stats; maximised (MAP) by gradient ascent."""
import numpy as np
from scipy import stats

import s2s


def log_posterior(params, X, y):
    w, log_sigma = params["w"], params["log_sigma"]
    log_prior = np.sum(stats.norm.logpdf(w, 0.0, 1.0)) + stats.norm.logpdf(log_sigma, 0.0, 2.0)
    log_likelihood = np.sum(stats.norm.logpdf(y, loc=X @ w, scale=np.exp(log_sigma)))
    return log_prior + log_likelihood


def loss(params, X, y):
    return -log_posterior(params, X, y) / X.shape[0]


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, d = (8, 3) if small else (200, 5)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.3 * rng.normal(size=n)
    return {"w": 0.1 * rng.normal(size=d), "log_sigma": 0.0}, X, y


def problem(seed=0, small=True):
    params, X, y = make_data(seed, small)
    return loss, (params, X, y), 0


def main(steps=100, learning_rate=0.1):
    params, X, y = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 20 == 0:
            print(f"step {step:4d}  loss {loss(params, X, y):.6f}  sigma {np.exp(params['log_sigma']):.3f}")
        g = grad_loss(params, X, y)
        params = {"w": params["w"] - learning_rate * g["w"],
                  "log_sigma": params["log_sigma"] - learning_rate * g["log_sigma"]}


if __name__ == "__main__":
    main()
