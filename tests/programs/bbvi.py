"""Black-box variational inference for Bayesian logistic regression: a diagonal Gaussian q(w), the
reparameterisation trick with fixed noise, and the log joint passed to the ELBO as a lambda that
captures the data."""
import numpy as np

import s2s


def log_joint(w, X, y):
    """log p(w) + log p(y | X, w) for a batch of weight samples w of shape (samples, features)."""
    margins = y * (w @ X.T)
    log_likelihood = -np.sum(np.logaddexp(0.0, -margins), axis=1)
    log_prior = -0.5 * np.sum(w ** 2, axis=1)
    return log_likelihood + log_prior


def gaussian_entropy(log_std):
    return np.sum(log_std) + 0.5 * log_std.shape[0] * (1.0 + np.log(2.0 * np.pi))


def elbo(var_params, log_density, noise):
    mean, log_std = var_params
    samples = mean + np.exp(log_std) * noise
    return np.mean(log_density(samples)) + gaussian_entropy(log_std)


def loss(var_params, X, y, noise):
    return -elbo(var_params, lambda w: log_joint(w, X, y), noise)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, d, samples = (10, 3, 4) if small else (200, 4, 64)
    X = rng.normal(size=(n, d))
    y = np.where(X @ rng.normal(size=d) > 0.0, 1.0, -1.0)
    noise = rng.normal(size=(samples, d))
    var_params = (0.1 * rng.normal(size=d), -1.0 + 0.1 * rng.normal(size=d))
    return var_params, X, y, noise


def problem(seed=0, small=True):
    var_params, X, y, noise = make_data(seed, small)
    return loss, (var_params, X, y, noise), 0


def main(steps=100, learning_rate=0.02):
    (mean, log_std), X, y, noise = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 20 == 0:
            print(f"step {step:4d}  loss {loss((mean, log_std), X, y, noise):.6f}")
        g_mean, g_log_std = grad_loss((mean, log_std), X, y, noise)
        mean, log_std = mean - learning_rate * g_mean, log_std - learning_rate * g_log_std


if __name__ == "__main__":
    main()
