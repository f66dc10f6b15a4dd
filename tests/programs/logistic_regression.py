"""Logistic regression with an L2 penalty: weights and bias as two arguments, labels in {-1, +1}."""
import numpy as np

import s2s


def loss(w, b, X, y, l2=1e-2):
    margins = y * (X @ w + b)
    return np.mean(np.logaddexp(0.0, -margins)) + 0.5 * l2 * np.dot(w, w)


def accuracy(w, b, X, y):
    return np.mean(np.sign(X @ w + b) == y)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, d = (10, 3) if small else (500, 10)
    true_w = rng.normal(size=d)
    X = rng.normal(size=(n, d))
    y = np.where(X @ true_w + 0.5 * rng.normal(size=n) > 0.0, 1.0, -1.0)
    return 0.1 * rng.normal(size=d), 0.0, X, y


def problem(seed=0, small=True):
    w, b, X, y = make_data(seed, small)
    return loss, (w, b, X, y), (0, 1)


def main(steps=100, learning_rate=0.5):
    w, b, X, y = make_data(small=False)
    grad_loss = s2s.grad(loss, wrt=("w", "b"))
    for step in range(steps + 1):
        if step % 20 == 0:
            print(f"step {step:4d}  loss {loss(w, b, X, y):.6f}  accuracy {accuracy(w, b, X, y):.3f}")
        gw, gb = grad_loss(w, b, X, y)
        w, b = w - learning_rate * gw, b - learning_rate * gb


if __name__ == "__main__":
    main()
