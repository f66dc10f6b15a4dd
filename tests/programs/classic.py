"""Whole programs of the kind users differentiate (issue 4); tests/test_programs.py checks them."""
import numpy as np


def softmax_cross_entropy(logits, labels):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(np.sum(labels * log_probs, axis=1))


def logsumexp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def two_layer_mlp(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    return softmax_cross_entropy(logits, Y)


def gaussian_log_density(mu, A, x):
    cov = A @ A.T + 0.5 * np.eye(A.shape[0])
    L = np.linalg.cholesky(cov)
    z = np.linalg.solve(L, x - mu)
    log_det = 2.0 * np.sum(np.log(np.diag(L)))
    return -0.5 * (np.dot(z, z) + log_det + x.shape[0] * np.log(2.0 * np.pi))


def filled_by_loop(x, w):
    y = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        y[i] = np.tanh(w * x[i]) + x[i] ** 2
    return np.sum(y * np.arange(1.0, x.shape[0] + 1.0))
