"""Gradient overhead: the function, s2s's gradient and the best hand-written NumPy gradient, timed in one run.

Run by hand: python benchmarks/overhead.py
Bars (issue 2): MLP layer s2s <= 1.2x hand-written; quick-start s2s <= 3x hand-written;
a second s2s.grad(f) (with its first call) >= 100x faster than the first.
"""
import math
import os
import sys

# one BLAS thread: on a 2-core machine the ratios then do not depend on what the other core is doing
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import s2s  # noqa: E402
from _timing import best, compare, row  # noqa: E402


def quickstart(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def quickstart_grad_by_hand(x1, x2):
    return x2 + 1.0 / x1, x1 - math.cos(x2)


def mlp_layer(W, x, b):
    return np.sum(np.tanh(W @ x + b) ** 2)


def mlp_layer_grad_by_hand(W, x, b):
    t = np.tanh(W @ x + b)
    return np.outer(2.0 * t * (1.0 - t * t), x)


def against_hand_written(title, f, by_hand, g, args, bar):
    """Time f, the hand-written gradient and s2s's in one run; print them and s2s / hand-written."""
    print(title)
    assert all(np.allclose(a, b) for a, b in zip(np.atleast_1d(g(*args)), np.atleast_1d(by_hand(*args))))
    t = compare([("f", f), ("hand", by_hand), ("s2s", g)], args)
    print(row("function", t["f"], t["f"]))
    print(row("hand-written gradient", t["hand"], t["f"]))
    print(row("s2s gradient", t["s2s"], t["f"]))
    ratio = t["s2s"] / t["hand"]
    print(f"  s2s / hand-written = {ratio:.2f}  (bar: <= {bar})")
    return ratio


def main():
    qs_ratio = against_hand_written("quick-start f(x1, x2) = ln(x1) + x1*x2 - sin(x2), gradient w.r.t. both",
                                    quickstart, quickstart_grad_by_hand, s2s.grad(quickstart, wrt=(0, 1)),
                                    (2.0, 3.0), 3)
    rng = np.random.default_rng(0)
    W, x, b = rng.normal(size=(256, 256)) / 16, rng.normal(size=256), rng.normal(size=256)
    mlp_ratio = against_hand_written("\nMLP layer sum(tanh(W @ x + b) ** 2), W 256x256, gradient w.r.t. W",
                                     mlp_layer, mlp_layer_grad_by_hand, s2s.grad(mlp_layer), (W, x, b), 1.2)

    print("\ns2s.grad(f) and its first call: first time vs second time (cached)")
    exec_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_fresh_function.py")
    import importlib.util
    spec = importlib.util.spec_from_file_location("_fresh_function", exec_file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    t0 = time.perf_counter()
    s2s.grad(module.fresh)(0.3)
    first = time.perf_counter() - t0
    second = best(lambda: s2s.grad(module.fresh)(0.3))
    print(row("first s2s.grad(f)(x)", first))
    print(row("second s2s.grad(f)(x)", second))
    print(f"  first / second = {first / second:.0f}  (bar: >= 100)")
    return qs_ratio, mlp_ratio, first / second


if __name__ == "__main__":
    main()
