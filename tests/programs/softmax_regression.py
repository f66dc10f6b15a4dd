"""Multinomial (softmax) regression on three classes: integer labels picked out of the log-softmax by
fancy indexing, a bias row in the weight matrix that the penalty leaves alone."""
import numpy as np

import s2s


def log_softmax(logits):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def add_bias_column(X):
    return np.hstack([X, np.ones((X.shape[0], 1))])


def loss(W, X, labels, l2=1e-3):
    log_probs = log_softmax(add_bias_column(X) @ W)
    nll = -np.mean(log_probs[np.arange(X.shape[0]), labels])
    return nll + l2 * np.sum(W[:-1] ** 2)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    n, d, k = (9, 2, 3) if small else (300, 4, 3)
    centers = 2.0 * rng.normal(size=(k, d))
    labels = rng.integers(0, k, size=n)
    X = centers[labels] + rng.normal(size=(n, d))
    return 0.1 * rng.normal(size=(d + 1, k)), X, labels


def problem(seed=0, small=True):
    W, X, labels = make_data(seed, small)
    return loss, (W, X, labels), 0


def main(steps=100, learning_rate=0.5):
    W, X, labels = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 20 == 0:
            print(f"step {step:4d}  loss {loss(W, X, labels):.6f}")
        W = W - learning_rate * grad_loss(W, X, labels)


if __name__ == "__main__":
    main()
