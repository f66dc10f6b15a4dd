"""Gaussian-process regression: the negative log marginal likelihood of an RBF kernel's log
hyperparameters (lengthscale, signal variance, noise) through a Cholesky factor, with a normal prior
on the log hyperparameters from scipy.stats."""
import numpy as np
from scipy.stats import norm

import s2s


def rbf_kernel(x1, x2, lengthscale, variance):
    sq_dist = (x1[:, None] - x2[None, :]) ** 2
    return variance * np.exp(-0.5 * sq_dist / lengthscale ** 2)


def log_marginal_likelihood(log_params, x, y):
    lengthscale, variance, noise = np.exp(log_params)
    K = rbf_kernel(x, x, lengthscale, variance) + (noise + 1e-6) * np.eye(x.shape[0])
    L = np.linalg.cholesky(K)
    alpha = np.linalg.solve(L.T, np.linalg.solve(L, y))
    return -0.5 * y @ alpha - np.sum(np.log(np.diag(L))) - 0.5 * x.shape[0] * np.log(2.0 * np.pi)


def loss(log_params, x, y):
    log_prior = np.sum(norm.logpdf(log_params, loc=0.0, scale=1.5))
    return -(log_marginal_likelihood(log_params, x, y) + log_prior)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n = 6 if small else 60
    x = np.sort(rng.uniform(-3.0, 3.0, size=n))
    y = np.sin(1.5 * x) + 0.2 * rng.normal(size=n)
    return np.log(np.array([1.0, 0.8, 0.1])), x, y


def problem(seed=0, small=True):
    log_params, x, y = make_data(seed, small)
    return loss, (log_params, x, y), 0


def main(steps=60, learning_rate=0.02):
    log_params, x, y = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 10 == 0:
            print(f"step {step:4d}  loss {loss(log_params, x, y):.6f}  "
                  f"lengthscale {np.exp(log_params[0]):.3f}")
        log_params = log_params - learning_rate * grad_loss(log_params, x, y)


if __name__ == "__main__":
    main()
