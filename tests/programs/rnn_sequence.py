"""An Elman recurrent network predicting the next value of a noisy sine wave: the hidden states are
collected with list.append and stacked, the activation is a parameter with a default."""
import numpy as np

import s2s


def rnn_states(params, inputs, activation=np.tanh):
    h = np.zeros(params["W_hh"].shape[0], dtype=inputs.dtype)
    states = []
    for x_t in inputs:
        h = activation(params["W_xh"] @ x_t + params["W_hh"] @ h + params["b_h"])
        states.append(h)
    return np.stack(states)


def loss(params, inputs, targets):
    predictions = rnn_states(params, inputs) @ params["w_out"] + params["b_out"]
    return np.mean((predictions - targets) ** 2)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    length, hidden = (5, 2) if small else (100, 8)
    wave = np.sin(np.linspace(0.0, 4.0 * np.pi, length + 1)) + 0.05 * rng.normal(size=length + 1)
    inputs, targets = wave[:-1, None], wave[1:]
    params = {"W_xh": 0.5 * rng.normal(size=(hidden, 1)), "W_hh": 0.3 * rng.normal(size=(hidden, hidden)),
              "b_h": np.zeros(hidden), "w_out": 0.5 * rng.normal(size=hidden), "b_out": 0.0}
    return params, inputs, targets


def problem(seed=0, small=True):
    params, inputs, targets = make_data(seed, small)
    return loss, (params, inputs, targets), 0


def main(steps=60, learning_rate=0.1):
    params, inputs, targets = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 10 == 0:
            print(f"step {step:4d}  loss {loss(params, inputs, targets):.6f}")
        g = grad_loss(params, inputs, targets)
        params = {name: params[name] - learning_rate * g[name] for name in params}


if __name__ == "__main__":
    main()
