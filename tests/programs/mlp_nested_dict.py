"""A multilayer perceptron for 2-d regression: parameters in nested dicts, the activation a function
passed in (softplus, or np.tanh by default), an L2 penalty summed over the layers with a generator."""
import numpy as np

import s2s


def softplus(x):
    return np.logaddexp(0.0, x)


def init_params(sizes, rng, scale=0.5):
    params = {}
    for i in range(len(sizes) - 1):
        params[f"layer{i}"] = {"W": scale * rng.normal(size=(sizes[i], sizes[i + 1])),
                               "b": 0.1 * rng.normal(size=sizes[i + 1])}
    return params


def forward(params, x, activation=np.tanh):
    hidden = activation(x @ params["layer0"]["W"] + params["layer0"]["b"])
    out = hidden @ params["layer1"]["W"] + params["layer1"]["b"]
    return out[:, 0]


def l2_penalty(params):
    return sum(np.sum(layer["W"] ** 2) for layer in params.values())


def loss(params, x, y, weight_decay=1e-3):
    prediction = forward(params, x, softplus)
    return np.mean((prediction - y) ** 2) + weight_decay * l2_penalty(params)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, hidden = (8, 3) if small else (200, 16)
    x = rng.uniform(-2.0, 2.0, size=(n, 2))
    y = np.sin(x[:, 0]) * np.cos(x[:, 1]) + 0.05 * rng.normal(size=n)
    return init_params([2, hidden, 1], rng), x, y


def problem(seed=0, small=True):
    params, x, y = make_data(seed, small)
    return loss, (params, x, y), 0


def main(steps=200, learning_rate=0.05):
    params, x, y = make_data(small=False)
    grad_loss = s2s.grad(loss)
    vector, unflatten = s2s.flatten(params)
    for step in range(steps + 1):
        params = unflatten(vector)
        if step % 40 == 0:
            print(f"step {step:4d}  loss {loss(params, x, y):.6f}")
        g, _ = s2s.flatten(grad_loss(params, x, y))
        vector = vector - learning_rate * g


if __name__ == "__main__":
    main()
