"""Logistic regression: the gradient from s2s.grad against central finite differences.

The negative log-likelihood is written in plain NumPy; its gradient with respect to the
weights and the bias comes from s2s.grad and is compared entry by entry with central finite
differences. Then a few steps of gradient descent fit the model.

Run: python examples/logistic_regression.py
"""
import numpy as np

import s2s


def nll(w, b, X, y):
    """Mean negative log-likelihood of labels y in {0, 1} under p = sigmoid(X @ w + b)."""
    z = X @ w + b
    # log(1 + exp(z)) written so it neither overflows for large z nor loses digits for small z
    softplus = np.maximum(z, 0.0) + np.log(1.0 + np.exp(-np.abs(z)))
    return np.mean(softplus - y * z)


def central_difference(f, args, index, h=1e-6):
    """d f / d args[index] by central differences, one entry at a time."""
    x = np.asarray(args[index], dtype=float)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h
        up = list(args)
        down = list(args)
        up[index] = plus if x.ndim else float(plus)
        down[index] = minus if x.ndim else float(minus)
        grad[i] = (f(*up) - f(*down)) / (2 * h)
    return grad if x.ndim else float(grad)


def main():
    rng = np.random.default_rng(0)
    n, d = 200, 5
    X = rng.normal(size=(n, d))
    true_w = rng.normal(size=d)
    y = (X @ true_w + 0.3 + 0.5 * rng.normal(size=n) > 0).astype(float)
    w, b = 0.1 * rng.normal(size=d), 0.0

    dnll = s2s.grad(nll, wrt=("w", "b"))
    gw, gb = dnll(w, b, X, y)
    nw = central_difference(nll, (w, b, X, y), 0)
    nb = central_difference(nll, (w, b, X, y), 1)
    print("d nll / dw   s2s:", np.array2string(gw, precision=6))
    print("d nll / dw   fd: ", np.array2string(nw, precision=6))
    print(f"d nll / db   s2s: {gb:.6f}   fd: {nb:.6f}")
    difference = max(np.max(np.abs(gw - nw)), abs(gb - nb))
    print(f"max |s2s - finite difference| = {difference:.2e}")
    if not difference < 1e-6:
        raise SystemExit("the gradients disagree")

    for step in range(201):
        gw, gb = dnll(w, b, X, y)
        if step % 50 == 0:
            accuracy = np.mean(((X @ w + b) > 0) == (y > 0.5))
            print(f"step {step:3d}  nll {nll(w, b, X, y):.4f}  accuracy {accuracy:.1%}")
        w, b = w - 0.5 * gw, b - 0.5 * gb


if __name__ == "__main__":
    main()
