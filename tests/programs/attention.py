"""A single-head self-attention layer over a batch of short sequences (softmax over the keys,
an optional causal mask as a keyword-only argument), mean-pooled into a regression output."""
import numpy as np

import s2s


def softmax(scores, axis=-1):
    shifted = scores - np.max(scores, axis=axis, keepdims=True)
    weights = np.exp(shifted)
    return weights / np.sum(weights, axis=axis, keepdims=True)


def self_attention(params, X, *, causal=False):
    Q, K, V = X @ params["Wq"], X @ params["Wk"], X @ params["Wv"]
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if causal:
        length = X.shape[-2]
        scores = np.where(np.tril(np.ones((length, length))) > 0, scores, -1e9)
    return softmax(scores, axis=-1) @ V


def loss(params, X, y):
    pooled = np.mean(self_attention(params, X, causal=True), axis=1)
    return np.mean((pooled @ params["w_out"] - y) ** 2)


def make_data(seed=0, small=True):
    rng = np.random.default_rng(seed)
    batch, length, d = (3, 4, 2) if small else (64, 8, 4)
    X = rng.normal(size=(batch, length, d))
    y = np.max(X[:, :, 0], axis=1)
    params = {name: 0.5 * rng.normal(size=(d, d)) for name in ("Wq", "Wk", "Wv")}
    params["w_out"] = 0.5 * rng.normal(size=d)
    return params, X, y


def problem(seed=0, small=True):
    params, X, y = make_data(seed, small)
    return loss, (params, X, y), 0


def main(steps=60, learning_rate=0.1):
    params, X, y = make_data(small=False)
    grad_loss = s2s.grad(loss)
    for step in range(steps + 1):
        if step % 10 == 0:
            print(f"step {step:4d}  loss {loss(params, X, y):.6f}")
        g = grad_loss(params, X, y)
        params = {name: params[name] - learning_rate * g[name] for name in params}


if __name__ == "__main__":
    main()
