"""A class-based model: random Fourier features held by the model object (self.W, self.phase) and a
Gaussian likelihood with a learned noise scale; the bound method `model.loss` is differentiated."""
import numpy as np

import s2s


class RandomFeatureRegression:
    def __init__(self, W, phase, l2=1e-2):
        self.W = W
        self.phase = phase
        self.l2 = l2

    def features(self, x):
        return np.sqrt(2.0 / self.W.shape[1]) * np.cos(x @ self.W + self.phase)

    def predict(self, params, x):
        return self.features(x) @ params["weights"] + params["bias"]

    def loss(self, params, x, y):
        residual = self.predict(params, x) - y
        log_noise = params["log_noise"]
        nll = 0.5 * np.mean(residual ** 2) * np.exp(-2.0 * log_noise) + log_noise
        return nll + self.l2 * np.sum(params["weights"] ** 2)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, d, features = (8, 2, 4) if small else (200, 2, 50)
    x = rng.normal(size=(n, d))
    y = np.tanh(x[:, 0]) - 0.5 * x[:, 1] ** 2 + 0.1 * rng.normal(size=n)
    model = RandomFeatureRegression(rng.normal(size=(d, features)), rng.uniform(0.0, 2.0 * np.pi, features))
    params = {"weights": 0.1 * rng.normal(size=features), "bias": 0.0, "log_noise": 0.0}
    return model, params, x, y


def problem(seed=0, small=True):
    model, params, x, y = make_data(seed, small)
    return model.loss, (params, x, y), 0


def main(steps=100, learning_rate=0.1):
    model, params, x, y = make_data(small=False)
    grad_loss = s2s.grad(model.loss)
    for step in range(steps + 1):
        if step % 20 == 0:
            print(f"step {step:4d}  loss {model.loss(params, x, y):.6f}")
        g = grad_loss(params, x, y)
        params = {name: params[name] - learning_rate * g[name] for name in params}


if __name__ == "__main__":
    main()
