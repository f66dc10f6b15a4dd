"""An LSTM classifying short sequences by the sign of their drift: the four gates from one matrix,
split with np.split; the cell returns (h, c); logistic loss on the last hidden state."""
import numpy as np

import s2s


def sigmoid(z):
    return 0.5 * (np.tanh(0.5 * z) + 1.0)


def lstm_cell(params, h, c, x):
    gates = params["W"] @ np.concatenate([x, h]) + params["b"]
    i, f, o, g = np.split(gates, 4)
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    h = sigmoid(o) * np.tanh(c)
    return h, c


def loss(params, sequences, labels):
    hidden = params["w_out"].shape[0]
    total = 0.0
    for sequence, label in zip(sequences, labels):
        h, c = np.zeros(hidden), np.zeros(hidden)
        for x in sequence:
            h, c = lstm_cell(params, h, c, x)
        logit = params["w_out"] @ h + params["b_out"]
        total = total + np.logaddexp(0.0, -label * logit)
    return total / len(labels)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, length, hidden = (2, 3, 1) if small else (20, 8, 4)
    labels = np.where(rng.uniform(size=n) < 0.5, 1.0, -1.0)
    sequences = np.cumsum(0.3 * labels[:, None, None] + 0.5 * rng.normal(size=(n, length, 1)), axis=1)
    params = {"W": 0.5 * rng.normal(size=(4 * hidden, 1 + hidden)), "b": 0.1 * rng.normal(size=4 * hidden),
              "w_out": 0.5 * rng.normal(size=hidden), "b_out": 0.0}
    return params, sequences, labels


def problem(seed=0, small=True):
    params, sequences, labels = make_data(seed, small)
    return loss, (params, sequences, labels), 0


def main(steps=20, learning_rate=0.5):
    params, sequences, labels = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 5 == 0:
            print(f"step {step:4d}  loss {loss(params, sequences, labels):.6f}")
        g = grad_loss(params, sequences, labels)
        params = {name: params[name] - learning_rate * g[name] for name in params}


if __name__ == "__main__":
    main()
