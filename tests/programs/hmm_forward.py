"""A hidden Markov model with Gaussian emissions: the forward algorithm in log space with
scipy.special.logsumexp, the initial and transition distributions as unconstrained logits."""
import numpy as np
from scipy.special import logsumexp
from scipy.stats import norm

import s2s


def log_normalize(logits, axis=-1):
    return logits - logsumexp(logits, axis=axis, keepdims=True)


def log_likelihood(params, observations):
    log_initial = log_normalize(params["initial"])
    log_transition = log_normalize(params["transition"], axis=1)
    log_emission = norm.logpdf(observations[:, None], params["means"], np.exp(params["log_stds"]))
    log_alpha = log_initial + log_emission[0]
    for t in range(1, observations.shape[0]):
        log_alpha = logsumexp(log_alpha[:, None] + log_transition, axis=0) + log_emission[t]
    return logsumexp(log_alpha)


def loss(params, observations):
    return -log_likelihood(params, observations) / observations.shape[0]


def sample(rng, transition, means, stds, length):
    state, observations = 0, []
    for _ in range(length):
        observations.append(rng.normal(means[state], stds[state]))
        state = rng.choice(len(means), p=transition[state])
    return np.array(observations)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    k, length = (2, 5) if small else (3, 200)
    transition = np.full((k, k), 0.1 / (k - 1)) + np.eye(k) * (0.9 - 0.1 / (k - 1))
    observations = sample(rng, transition, np.arange(k) * 2.0 - 1.0, np.full(k, 0.5), length)
    params = {"initial": 0.1 * rng.normal(size=k), "transition": 0.1 * rng.normal(size=(k, k)),
              "means": np.linspace(-0.5, 0.5, k) + 0.1 * rng.normal(size=k),
              "log_stds": 0.1 * rng.normal(size=k)}
    return params, observations


def problem(seed=0, small=True):
    params, observations = make_data(seed, small)
    return loss, (params, observations), 0


def main(steps=60, learning_rate=0.2):
    params, observations = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 10 == 0:
            print(f"step {step:4d}  loss {loss(params, observations):.6f}")
        g = grad_loss(params, observations)
        params = {name: value - learning_rate * g[name] for name, value in params.items()}


if __name__ == "__main__":
    main()
