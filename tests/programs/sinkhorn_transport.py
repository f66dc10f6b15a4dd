"""Entropy-regularised optimal transport by Sinkhorn's iterations (a fixed number, in log space with
scipy.special.logsumexp): the transport cost between a weighted point cloud and a target cloud,
differentiated with respect to the source points to move them onto the target."""
import numpy as np
from scipy.special import logsumexp

import s2s


def sinkhorn_cost(source, target, a, b, epsilon=0.5, iterations=30):
    cost = np.sum((source[:, None, :] - target[None, :, :]) ** 2, axis=2)
    f, g = np.zeros(source.shape[0]), np.zeros(target.shape[0])
    for _ in range(iterations):
        f = -epsilon * logsumexp((g[None, :] - cost) / epsilon, b=b[None, :], axis=1)
        g = -epsilon * logsumexp((f[:, None] - cost) / epsilon, b=a[:, None], axis=0)
    plan = a[:, None] * b[None, :] * np.exp((f[:, None] + g[None, :] - cost) / epsilon)
    return np.sum(plan * cost)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, m = (3, 2) if small else (30, 25)
    source = rng.normal(size=(n, 2))
    target = rng.normal(size=(m, 2)) * 0.5 + np.array([2.0, 1.0])
    a = np.full(n, 1.0 / n)
    b = np.full(m, 1.0 / m)
    return source, target, a, b


def problem(seed=0, small=True):
    return sinkhorn_cost, make_data(seed, small), 0


def main(steps=30, learning_rate=2.0):
    source, target, a, b = make_data(small=False)
    grad_cost = s2s.grad(sinkhorn_cost)
    for step in range(steps + 1):
        if step % 10 == 0:
            print(f"step {step:4d}  loss {sinkhorn_cost(source, target, a, b):.6f}")
        source = source - learning_rate * grad_cost(source, target, a, b)


if __name__ == "__main__":
    main()
