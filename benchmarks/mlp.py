"""2-layer MLP loss (batch 128, 784-256-10, tanh, softmax cross-entropy), gradient w.r.t. all four
parameters: the function, s2s's gradient and a hand-written NumPy gradient, timed in one run.

Run by hand: python benchmarks/mlp.py
Bars (issue 4): s2s gradient / function <= 3; s2s gradient / hand-written <= 1.2.
"""
import os
import sys

# one BLAS thread: on a 2-core machine the ratios then do not depend on what the other core is doing
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import s2s  # noqa: E402
from _timing import compare, row  # noqa: E402


def mlp_loss(W1, b1, W2, b2, X, Y):
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(Y * logp) / X.shape[0]


def mlp_grad_by_hand(W1, b1, W2, b2, X, Y):
    n = X.shape[0]
    h = np.tanh(X @ W1 + b1)
    logits = h @ W2 + b2
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    e = np.exp(shifted)
    p = e / np.sum(e, axis=1, keepdims=True)
    d_logits = (p * np.sum(Y, axis=1, keepdims=True) - Y) / n
    dW2 = h.T @ d_logits
    db2 = np.sum(d_logits, axis=0)
    dh = d_logits @ W2.T
    dz = dh * (1.0 - h * h)
    dW1 = X.T @ dz
    db1 = np.sum(dz, axis=0)
    return dW1, db1, dW2, db2


def main():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(128, 784))
    Y = np.eye(10)[rng.integers(0, 10, size=128)]
    W1, b1 = rng.normal(size=(784, 256)) / 28, np.zeros(256)
    W2, b2 = rng.normal(size=(256, 10)) / 16, np.zeros(10)
    args = (W1, b1, W2, b2, X, Y)
    g = s2s.grad(mlp_loss, wrt=(0, 1, 2, 3))
    for mine, theirs in zip(g(*args), mlp_grad_by_hand(*args)):
        assert np.allclose(mine, theirs, rtol=1e-8, atol=1e-12)
    t = compare([("f", mlp_loss), ("hand", mlp_grad_by_hand), ("s2s", g)], args)
    f_t, hand_t, s2s_t = t["f"], t["hand"], t["s2s"]
    print("2-layer MLP, batch 128, 784-256-10, tanh, softmax cross-entropy; gradient w.r.t. W1, b1, W2, b2")
    print(row("function", f_t, f_t))
    print(row("hand-written gradient", hand_t, f_t))
    print(row("s2s gradient", s2s_t, f_t))
    print(f"  s2s / function = {s2s_t / f_t:.2f}  (bar: <= 3)")
    print(f"  s2s / hand-written = {s2s_t / hand_t:.2f}  (bar: <= 1.2)")
    return s2s_t / f_t, s2s_t / hand_t


if __name__ == "__main__":
    main()
