"""Maximum likelihood for a one-dimensional mixture of Gaussians: mixture weights as logits, the
component log densities written out, and scipy.special.logsumexp over the components."""
import numpy as np
from scipy.special import logsumexp

import s2s


def normal_log_density(x, mean, log_std):
    return -0.5 * ((x - mean) * np.exp(-log_std)) ** 2 - log_std - 0.5 * np.log(2.0 * np.pi)


def log_likelihood(params, x):
    log_weights = params["logits"] - logsumexp(params["logits"])
    log_joint = log_weights + normal_log_density(x[:, None], params["means"], params["log_stds"])
    return np.sum(logsumexp(log_joint, axis=1))


def loss(params, x):
    return -log_likelihood(params, x) / x.shape[0]


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, k = (10, 2) if small else (500, 3)
    centers = np.array([-2.0, 1.0, 3.0])[:k]
    x = centers[rng.integers(0, k, size=n)] + 0.6 * rng.normal(size=n)
    params = {"logits": np.zeros(k), "means": np.linspace(-1.0, 1.0, k) + 0.1 * rng.normal(size=k),
              "log_stds": np.zeros(k)}
    return params, x


def problem(seed=0, small=True):
    params, x = make_data(seed, small)
    return loss, (params, x), 0


def main(steps=100, learning_rate=0.3):
    params, x = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 20 == 0:
            print(f"step {step:4d}  loss {loss(params, x):.6f}  means {np.round(params['means'], 2)}")
        g = grad_loss(params, x)
        params = {name: params[name] - learning_rate * g[name] for name in params}


if __name__ == "__main__":
    main()
