"""What a reversed loop saves and what it recomputes (s2s/ad/loop_saves.py): a chain of cheap operations is
recomputed only if it has no more operations than the stacks it spares; derivatives against finite differences."""
import re

import numpy as np

import s2s


def sigmoid_cell_loop(w, xs):
    h = np.zeros(xs.shape[1])
    for t in range(xs.shape[0]):
        z = w * h + xs[t]
        s = 1.0 / (1.0 + np.exp(-z))
        h = s * np.tanh(z)
    return np.sum(h * h)


def element_sin_loop(x):
    n = x.shape[0]
    y = np.zeros(n)
    for i in range(n):
        y[i] = np.sin(x[i])
    return np.sum(y * y)


def _central(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def _reversed_loop(src: str) -> str:
    """The code of the adjoint sweep (from the first reversed loop on), without its comments."""
    return "\n".join(line for line in src[src.index("reversed("):].splitlines() if not line.lstrip().startswith("#"))


def test_a_sigmoid_is_not_recomputed_from_the_loops_input():
    # exp(-z) takes three operations from the saved h (w * h, + xs[t], its exp): more than it spares, so it
    # is saved, as is tanh(z); 1.0 + exp and the sigmoid are one operation each on it and are recomputed
    rng = np.random.default_rng(1)
    w, xs = rng.normal(size=4), rng.normal(size=(6, 4))
    g = s2s.grad(sigmoid_cell_loop)
    back = _reversed_loop(g.source)
    assert "np.exp(" not in back and "np.tanh(" not in back, g.source
    assert re.search(r"\w+_saved\.append\(t\d+\)", g.source), g.source  # (exp(-z) and tanh(z) are pushed)
    np.testing.assert_allclose(g(w, xs), _central(lambda v: sigmoid_cell_loop(v, xs), w), rtol=1e-6, atol=1e-8)


def test_an_element_read_is_recomputed_not_saved():
    # x[i] is one operation sparing one stack: recomputed (a stack of n numbers would cost more memory)
    x = np.linspace(-2.0, 2.0, 7)
    g = s2s.grad(element_sin_loop)
    assert "_saved" not in g.source, g.source
    np.testing.assert_allclose(g(x), 2.0 * np.sin(x) * np.cos(x), rtol=1e-12)
