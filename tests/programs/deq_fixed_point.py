"""A deep-equilibrium layer: the hidden state solves z = tanh(W z + U x + b), found by fixed-point
iteration in a while loop that stops when the update is tiny (a data-dependent trip count); a linear
read-out of z is fitted to the targets."""
import numpy as np

import s2s


def equilibrium(W, U, b, x, tol=1e-13, max_iterations=200):
    z = np.zeros(W.shape[0])
    change, iterations = np.inf, 0
    while change > tol and iterations < max_iterations:
        z_next = np.tanh(W @ z + U @ x + b)
        change = np.max(np.abs(z_next - z))
        z = z_next
        iterations += 1
    return z


def loss(params, xs, ys):
    total = 0.0
    for x, y in zip(xs, ys):
        z = equilibrium(params["W"], params["U"], params["b"], x)
        total = total + (params["w_out"] @ z - y) ** 2
    return total / len(ys)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, d, hidden = (3, 2, 2) if small else (50, 3, 6)
    xs = rng.normal(size=(n, d))
    ys = np.sin(xs[:, 0]) + 0.5 * xs[:, -1]
    W = rng.normal(size=(hidden, hidden))
    params = {"W": 0.3 * W / np.linalg.norm(W, 2), "U": 0.5 * rng.normal(size=(hidden, d)),
              "b": np.zeros(hidden), "w_out": 0.5 * rng.normal(size=hidden)}
    return params, xs, ys


def problem(seed=0, small=True):
    params, xs, ys = make_data(seed, small)
    return loss, (params, xs, ys), 0


def main(steps=30, learning_rate=0.1):
    params, xs, ys = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 10 == 0:
            print(f"step {step:4d}  loss {loss(params, xs, ys):.6f}")
        g = grad_loss(params, xs, ys)
        params = {name: params[name] - learning_rate * g[name] for name in params}


if __name__ == "__main__":
    main()
