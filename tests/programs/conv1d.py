"""A 1-d convolutional feature extractor written with loops: a learned kernel slides over each
signal, tanh, then a linear read-out predicts the signal's frequency."""
import numpy as np

import s2s


def conv1d(signal, kernel):
    width = kernel.shape[0]
    out = np.zeros(signal.shape[0] - width + 1, dtype=signal.dtype)
    for i in range(out.shape[0]):
        for j in range(width):
            out[i] += signal[i + j] * kernel[j]
    return out


def predict(params, signal):
    features = np.tanh(conv1d(signal, params["kernel"]) + params["bias"])
    return np.dot(features, params["readout"])


def loss(params, signals, targets):
    total = 0.0
    for signal, target in zip(signals, targets):
        total = total + (predict(params, signal) - target) ** 2
    return total / len(signals)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, length, width = (3, 7, 3) if small else (40, 32, 5)
    frequencies = rng.uniform(0.5, 2.0, size=n)
    t = np.linspace(0.0, 2.0 * np.pi, length)
    signals = np.sin(frequencies[:, None] * t[None, :]) + 0.1 * rng.normal(size=(n, length))
    params = {"kernel": 0.5 * rng.normal(size=width), "bias": 0.1,
              "readout": 0.3 * rng.normal(size=length - width + 1)}
    return params, signals, frequencies


def problem(seed=0, small=True):
    params, signals, targets = make_data(seed, small)
    return loss, (params, signals, targets), 0


def main(steps=30, learning_rate=0.02):
    params, signals, targets = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 5 == 0:
            print(f"step {step:4d}  loss {loss(params, signals, targets):.6f}")
        g = grad_loss(params, signals, targets)
        params = {name: params[name] - learning_rate * g[name] for name in params}


if __name__ == "__main__":
    main()
