"""Train a 2-layer tanh MLP on a synthetic two-moons data set with plain gradient descent.

The loss (softmax cross-entropy) is written in plain NumPy; s2s.grad differentiates it with
respect to all four parameters at once. The loss and the training accuracy are printed ten
times as they improve; a progress bar shows the steps in between when `tqdm` is installed and
the output is a terminal; a PNG of the decision boundary is saved when matplotlib is installed.

Run: python examples/mlp_two_moons.py [--steps N] [--png PATH]
"""
import argparse
import sys

import numpy as np

import s2s


def two_moons(n, noise, rng):
    """n points on two interleaved half circles, with labels 0 and 1 and Gaussian noise."""
    n_top = n // 2
    n_bottom = n - n_top
    angle_top = rng.uniform(0.0, np.pi, n_top)
    angle_bottom = rng.uniform(0.0, np.pi, n_bottom)
    top = np.stack([np.cos(angle_top), np.sin(angle_top)], axis=1)
    bottom = np.stack([1.0 - np.cos(angle_bottom), 0.5 - np.sin(angle_bottom)], axis=1)
    X = np.concatenate([top, bottom]) + rng.normal(0.0, noise, (n, 2))
    labels = np.concatenate([np.zeros(n_top, dtype=int), np.ones(n_bottom, dtype=int)])
    return X, labels


def loss(W1, b1, W2, b2, X, Y):
    """Mean softmax cross-entropy of a tanh MLP; Y holds one-hot labels."""
    h = np.tanh(X @ W1 + b1)
    z = h @ W2 + b2
    z = z - np.max(z, axis=1, keepdims=True)  # log-softmax is shift-invariant; this keeps exp() finite
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.mean(np.sum(Y * logp, axis=1))


def predict(W1, b1, W2, b2, X):
    return np.argmax(np.tanh(X @ W1 + b1) @ W2 + b2, axis=1)


def progress_bar(total):
    """A `tqdm` progress bar over `total` steps (on stderr, only when it is a terminal), or None
    when tqdm is not installed: the periodic loss lines then show the progress."""
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="step", disable=None, leave=False)


def say(line, bar):
    """Print a line without breaking the progress bar."""
    if bar is None:
        print(line, flush=True)
    else:
        bar.write(line, file=sys.stdout)


def save_plot(params, X, labels, path):
    """Save the decision boundary as a PNG if matplotlib is installed; return whether it was saved."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    xs = np.linspace(X[:, 0].min() - 0.5, X[:, 0].max() + 0.5, 200)
    ys = np.linspace(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5, 200)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    classes = predict(*params, grid).reshape(gx.shape)
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.contourf(gx, gy, classes, alpha=0.3, cmap="coolwarm")
    ax.scatter(X[:, 0], X[:, 1], c=labels, cmap="coolwarm", s=10, edgecolors="k", linewidths=0.3)
    ax.set_title("two moons: decision boundary of a tanh MLP trained with s2s.grad")
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--png", default="mlp_two_moons.png",
                        help="where to save the picture (default: %(default)s)")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(0)
    X, labels = two_moons(200, 0.1, rng)
    Y = np.eye(2)[labels]
    params = [rng.normal(0.0, 1.0, (2, args.hidden)), np.zeros(args.hidden),
              rng.normal(0.0, 1.0 / np.sqrt(args.hidden), (args.hidden, 2)), np.zeros(2)]

    grad_loss = s2s.grad(loss, wrt=(0, 1, 2, 3), return_value=True)
    bar = progress_bar(args.steps)
    report_every = max(args.steps // 10, 1)
    first = last = None
    for step in range(args.steps + 1):
        value, grads = grad_loss(*params, X, Y)
        if first is None:
            first = value
        last = value
        if step % report_every == 0:
            accuracy = np.mean(predict(*params, X) == labels)
            say(f"step {step:5d}  loss {value:.4f}  accuracy {accuracy:.1%}", bar)
        if step == args.steps:
            break
        params = [p - args.lr * g for p, g in zip(params, grads)]
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{value:.4f}", refresh=False)
    if bar is not None:
        bar.close()
    print(f"loss fell from {first:.4f} to {last:.4f}")
    if save_plot(params, X, labels, args.png):
        print(f"decision boundary saved to {args.png}")
    else:
        print("no picture saved: matplotlib is not installed "
              "(pip install matplotlib, or pip install '.[plot]' from a clone of s2s)")


if __name__ == "__main__":
    main()
