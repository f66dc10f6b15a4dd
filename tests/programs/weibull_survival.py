"""Weibull survival regression with right-censoring: events contribute the log density, censored
times the log survival function (np.where on the event indicator); the prior's settings arrive as
**kwargs and are passed on to the log-prior helper."""
import numpy as np

import s2s


def log_prior(params, scale=1.0, shape_scale=0.5):
    return (-0.5 * np.sum(params["beta"] ** 2) / scale ** 2
            - 0.5 * params["log_shape"] ** 2 / shape_scale ** 2)


def negative_log_posterior(params, X, times, events, **prior):
    shape = np.exp(params["log_shape"])
    log_scale = X @ params["beta"]
    z = (times * np.exp(-log_scale)) ** shape
    log_density = np.log(shape) - log_scale + (shape - 1.0) * (np.log(times) - log_scale) - z
    log_survival = -z
    log_likelihood = np.sum(np.where(events, log_density, log_survival))
    return -(log_likelihood + log_prior(params, **prior)) / times.shape[0]


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, d = (10, 2) if small else (400, 3)
    X = np.hstack([np.ones((n, 1)), rng.normal(size=(n, d - 1))])
    times = np.exp(X @ np.linspace(1.0, -0.5, d)) * rng.weibull(1.5, size=n)
    censoring = rng.exponential(3.0, size=n)
    events = times <= censoring
    params = {"beta": 0.1 * rng.normal(size=d), "log_shape": 0.0}
    return params, X, np.minimum(times, censoring), events


def problem(seed=0, small=True):
    params, X, times, events = make_data(seed, small)
    return negative_log_posterior, (params, X, times, events), 0


def main(steps=100, learning_rate=0.1):
    params, X, times, events = make_data(small=False)
    grad_nlp = s2s.grad(negative_log_posterior)
    for step in range(steps + 1):
        if step % 20 == 0:
            print(f"step {step:4d}  loss {negative_log_posterior(params, X, times, events, scale=2.0):.6f}")
        g = grad_nlp(params, X, times, events, scale=2.0)
        params = {"beta": params["beta"] - learning_rate * g["beta"],
                  "log_shape": params["log_shape"] - learning_rate * g["log_shape"]}


if __name__ == "__main__":
    main()
