"""Logistic regression: the gradient from s2s.grad against central finite differences.

The negative log-likelihood is written in plain NumPy; its gradient with respect to the
weights and the bias comes from s2s.grad and is compared entry by entry with central finite
differences. Then a few steps of gradient descent fit the model. The data have two features,
so the decision boundary is a line: a PNG of the data, the boundary and the comparison with
finite differences is saved when matplotlib is installed.

Run: python examples/logistic_regression.py [--png PATH]
"""
import argparse

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


def save_plot(w, b, true_w, true_b, X, y, exact, numeric, path):
    """Save the data with the fitted and the true decision boundary, and the gradient from s2s next to the finite
    differences, as a PNG if matplotlib is installed; return whether it was saved."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    xs = np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, 200)
    ys = np.linspace(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5, 200)
    gx, gy = np.meshgrid(xs, ys)
    p = 1.0 / (1.0 + np.exp(-(w[0] * gx + w[1] * gy + b)))
    shade = left.contourf(gx, gy, p, levels=np.linspace(0.0, 1.0, 11), alpha=0.3, cmap="coolwarm")
    left.contour(gx, gy, p, levels=[0.5], colors="k")
    left.contour(gx, gy, true_w[0] * gx + true_w[1] * gy + true_b, levels=[0.0], colors="k",
                 linestyles="dotted")
    left.scatter(X[:, 0], X[:, 1], c=y, cmap="coolwarm", s=10, edgecolors="k", linewidths=0.3)
    fig.colorbar(shade, ax=left, label="p(y = 1)")
    left.set_xlabel("x[0]")
    left.set_ylabel("x[1]")
    left.set_title("data; decision boundary fitted (solid) and true (dotted)")
    names = [f"w[{i}]" for i in range(len(w))] + ["b"]
    at = np.arange(len(names))
    right.bar(at - 0.2, exact, 0.4, label="s2s.grad")
    right.bar(at + 0.2, numeric, 0.4, label="central finite difference")
    right.axhline(0.0, color="k", linewidth=0.5)
    right.set_xticks(at, names)
    right.set_ylabel("d nll / d parameter at the start")
    right.set_title(f"gradient: max |difference| = {np.max(np.abs(exact - numeric)):.1e}")
    right.legend()
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", default="logistic_regression.png",
                        help="where to save the picture (default: %(default)s)")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    n, d = 200, 2
    X = rng.normal(size=(n, d))
    true_w, true_b = np.array([2.0, -1.5]), 0.3
    y = (X @ true_w + true_b + 0.5 * rng.normal(size=n) > 0).astype(float)
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
    gw0, gb0 = gw, gb

    for step in range(201):
        gw, gb = dnll(w, b, X, y)
        if step % 50 == 0:
            accuracy = np.mean(((X @ w + b) > 0) == (y > 0.5))
            print(f"step {step:3d}  nll {nll(w, b, X, y):.4f}  accuracy {accuracy:.1%}")
        w, b = w - 0.5 * gw, b - 0.5 * gb
    exact = np.append(gw0, gb0)
    numeric = np.append(nw, nb)
    if save_plot(w, b, true_w, true_b, X, y, exact, numeric, args.png):
        print(f"data, decision boundary and gradient check saved to {args.png}")
    else:
        print("no picture saved: matplotlib is not installed "
              "(pip install matplotlib, or pip install '.[plot]' from a clone of s2s)")


if __name__ == "__main__":
    main()
