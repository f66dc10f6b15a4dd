"""Robust linear regression with the Huber loss (np.where between the quadratic and the linear
piece) on data with gross outliers; the parameters are a (weights, bias) tuple."""
import numpy as np

import s2s


def huber(residual, delta=1.0):
    quadratic = 0.5 * residual ** 2
    linear = delta * (np.abs(residual) - 0.5 * delta)
    return np.where(np.abs(residual) <= delta, quadratic, linear)


def loss(params, x, y, delta=1.0):
    weights, bias = params
    return np.mean(huber(y - (x @ weights + bias), delta))


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, d = (10, 2) if small else (300, 3)
    x = rng.normal(size=(n, d))
    y = x @ rng.normal(size=d) + 0.5 + 0.2 * rng.normal(size=n)
    outliers = rng.uniform(size=n) < 0.2
    y = np.where(outliers, y + rng.choice([-8.0, 8.0], size=n), y)
    return (np.zeros(d), 0.0), x, y


def problem(seed=0, small=True):
    params, x, y = make_data(seed, small)
    return loss, (params, x, y), 0


def main(steps=100, learning_rate=0.5):
    (weights, bias), x, y = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 20 == 0:
            print(f"step {step:4d}  loss {loss((weights, bias), x, y):.6f}")
        g_weights, g_bias = grad_loss((weights, bias), x, y)
        weights, bias = weights - learning_rate * g_weights, bias - learning_rate * g_bias


if __name__ == "__main__":
    main()
