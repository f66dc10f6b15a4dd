"""Peak memory and time of a gradient with and without s2s.checkpoint, on an RNN.

    python -m benchmarks.checkpoint_memory [--steps 200] [--width 64] [--segment 20] [--batch 0]

The RNN is `h = np.tanh(W @ h + U @ xs[t])` for `--steps` steps, the loss
`np.sum(h ** 2)`, the gradient with respect to W; h is a vector (`--batch 0`)
or a (width, batch) array. Three forms of the same function:

- *plain*: the loop as written; the reverse sweep reads every step's saved
  intermediates;
- *per step*: each step is a call of `s2s.checkpoint(step)`: the forward sweep
  keeps each step's argument h, and the reverse sweep runs the step again
  before its pullback;
- *segments*: `s2s.checkpoint(segment)` of `--segment` steps at a time: the
  forward sweep keeps one h per segment; the reverse sweep runs each segment's
  forward sweep again, whose own saves live only while that segment's pullback
  runs (sqrt(T) checkpointing with segments of about sqrt(T) steps).

It prints tracemalloc's peak while the gradient runs (above what was allocated
before: the arguments are not counted), the least time of 9 calls, and checks
the three gradients agree. RESULTS.md keeps a run ("Checkpointing").
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.pop("S2S_CACHE_DIR", None)

import numpy as np  # noqa: E402

import s2s  # noqa: E402
from benchmarks.harness import peak_bytes  # noqa: E402


def step(h, x, W, U):
    return np.tanh(W @ h + U @ x)


def segment(h, xs, W, U):
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return h


def rnn_plain(W, U, h0, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h ** 2)


def rnn_per_step(W, U, h0, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = s2s.checkpoint(step)(h, xs[t], W, U)
    return np.sum(h ** 2)


def rnn_segments(W, U, h0, xss):
    """xss: the inputs as (segments, steps per segment, inputs)."""
    h = h0
    for k in range(xss.shape[0]):
        h = s2s.checkpoint(segment)(h, xss[k], W, U)
    return np.sum(h ** 2)


def seconds(fn, repeats: int = 9) -> float:
    """The least time of `repeats` calls (on a shared machine the others only add other processes' time)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--segment", type=int, default=20)
    parser.add_argument("--batch", type=int, default=0, help="h of shape (width, batch), not (width,)")
    opts = parser.parse_args(argv)
    T, n, s, b = opts.steps, opts.width, opts.segment, opts.batch
    if T % s:
        parser.error("--steps must be a multiple of --segment")
    rng = np.random.default_rng(0)
    W, U = rng.normal(size=(n, n)) / np.sqrt(n), rng.normal(size=(n, n)) / np.sqrt(n)
    batch = (b,) if b else ()
    h0, xs = rng.normal(size=(n,) + batch), rng.normal(size=(T, n) + batch)
    forms = [("plain", rnn_plain, xs), ("per step", rnn_per_step, xs),
             ("segments", rnn_segments, xs.reshape((T // s, s, n) + batch))]
    reference = None
    print(f"RNN, {T} steps, width {n}{f', batch {b}' if b else ''}; gradient with respect to W ({W.nbytes / 1024:.0f} KiB); "
          f"segments of {s} steps")
    print(f"{'form':<10} {'peak KiB':>9} {'ms/call':>8} {'function ms':>12}")
    for name, fn, data in forms:
        g = s2s.grad(fn)
        got = g(W, U, h0, data)  # (compiled before measuring)
        reference = got if reference is None else reference
        assert np.allclose(got, reference, rtol=1e-10, atol=1e-12), name
        peak = peak_bytes(lambda: g(W, U, h0, data))
        print(f"{name:<10} {peak / 1024:>9.0f} {seconds(lambda: g(W, U, h0, data)) * 1e3:>8.2f} "
              f"{seconds(lambda: fn(W, U, h0, data)) * 1e3:>12.2f}")


if __name__ == "__main__":
    main()
