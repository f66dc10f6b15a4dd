"""Heteroscedastic regression with its parameters in a @dataclass: the mean and the log noise scale
are both linear in the inputs; the gradient comes back as the same dataclass."""
from dataclasses import dataclass

import numpy as np

import s2s


@dataclass
class Params:
    weights: np.ndarray
    bias: float
    noise_weights: np.ndarray
    log_noise: float


def negative_log_likelihood(params: Params, x, y):
    mean = x @ params.weights + params.bias
    log_std = x @ params.noise_weights + params.log_noise
    z = (y - mean) * np.exp(-log_std)
    return np.mean(0.5 * z ** 2 + log_std) + 0.5 * np.log(2.0 * np.pi)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, d = (8, 2) if small else (300, 3)
    x = rng.normal(size=(n, d))
    y = x @ rng.normal(size=d) + np.exp(0.3 * x[:, 0] - 1.0) * rng.normal(size=n)
    params = Params(weights=0.1 * rng.normal(size=d), bias=0.0, noise_weights=np.zeros(d), log_noise=0.0)
    return params, x, y


def problem(seed=0, small=True):
    params, x, y = make_data(seed, small)
    return negative_log_likelihood, (params, x, y), 0


def main(steps=100, learning_rate=0.1):
    params, x, y = make_data(small=False)
    grad_nll = s2s.grad(negative_log_likelihood)
    for step in range(steps + 1):
        if step % 20 == 0:
            print(f"step {step:4d}  loss {negative_log_likelihood(params, x, y):.6f}")
        g = grad_nll(params, x, y)
        params = Params(weights=params.weights - learning_rate * g.weights,
                        bias=params.bias - learning_rate * g.bias,
                        noise_weights=params.noise_weights - learning_rate * g.noise_weights,
                        log_noise=params.log_noise - learning_rate * g.log_noise)


if __name__ == "__main__":
    main()
