"""How long s2s takes to transform a function, and what a cached transformation costs per call.

    python -m benchmarks.transform_time [--repeats N] [--profile MODE:FUNCTION]

For each function (the README quick-start, straight-line functions of 10, 30,
60 and 120 lines, a 30-line random program of the fuzzer, a function with
loops and branches) and each transformation (grad, vjp, jvp, the Jacobian in
forward and reverse mode, the Hessian), it prints:

- *first*: the first call of the transformation of a function s2s has never
  seen (a fresh copy of its code), minus a steady call: the transformation
  itself, up to compiled code (the best of `--repeats` fresh copies: on a
  shared machine the others only add other processes' time), in wall-clock
  time and in the thread's CPU time;
- *again*: the same request made anew (a new `s2s.grad(f)` of the same `f`)
  and called, minus a steady call: what a cache hit costs;
- *call overhead*: a steady call of the transformed function minus a call of
  the generated function it runs (grad, vjp, jvp; the Jacobian and Hessian
  run the generated code many times and have no single generated function).

Both differences are timed in batches of the two calls in turns, and are the
median of the pairs' differences; where the steady call itself takes
milliseconds (the Hessians of the long functions), a difference of a few
microseconds is below what that call varies on a shared machine.

`--profile grad:straight30` prints a cProfile of that transformation instead
(sorted by cumulative time). The table is printed to stdout; RESULTS.md keeps a
run ("Transform time").
"""
from __future__ import annotations

import argparse
import cProfile
import itertools
import linecache
import math
import os
import pstats
import sys
import time

os.environ.pop("S2S_CACHE_DIR", None)  # real transformations, not disk reads

import numpy as np  # noqa: E402

import s2s  # noqa: E402

QUICKSTART = '''\
def f(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)
'''

_LINES = ("    y = np.sin(y) * x + 1.0\n", "    z = y * y - x\n", "    y = np.tanh(z) + y * 0.5\n")


def straight(n: int) -> str:
    """A straight-line function of `n` lines (its `def` included), each reading the ones before."""
    body = "".join(_LINES[i % len(_LINES)] for i in range(n - 3))
    return "def f(x):\n    y = x * 2.0\n" + body + "    return np.sum(y * y)\n"


# tests/fuzz: generate(1036, level=3), a 34-line module (a helper with a while loop, branches, a loop with
# continue/elif) kept as text, so that the number does not move when the generator changes
FUZZ_30 = '''\
def helper(k, shift):
    hist = np.cumsum(np.full(4, shift)) * 0.5
    count2 = 0
    while count2 < 2 and (k if shift <= 1.0 else shift) <= -1.0:
        count2 += 1
    return shift * count2


def f(p, b):
    diff = math.sqrt(1.0 + 2 * 2)
    diff += diff * b
    val, b = (np.cos(b), math.exp(-b * b))
    best = helper(min(0.75, val), val)
    if math.sqrt(1.0 + 0.25 * 0.25) <= -1.0:
        steps = 0
        while steps < 3 and max(best, val) < 0.5:
            steps += 1
            if np.arctan(b) <= 1.5:
                arr = np.tanh(p)
                if 0.2 < best + best < 2.0:
                    continue
                A = np.tanh(np.full((4, 4), diff))
            elif np.linalg.norm(np.linspace(-1.0, 1.0, 4) * val) < 1.0:
                b = math.atan(diff)
            elif steps < np.log1p(best ** 2):
                diff += b + -1.0
        else:
            pass
    return best + np.sum(p)
'''

LOOPS = '''\
def f(x, n=4):
    total = 0.0
    y = x * 1.0
    for i in range(n):
        if np.sum(y) > 0.0:
            y = np.sin(y) * x
        else:
            y = np.cos(y) + x
        total = total + np.sum(y * y)
    k = 0
    while total > 1.0 and k < 3:
        total = total * 0.5
        k += 1
    return total + np.sum(np.tanh(y))
'''

X = np.array([0.3, -0.7, 1.1])
FUNCTIONS = [  # (name, lines of the function(s), source, arguments)
    ("quickstart", QUICKSTART, (2.0, 5.0)),
    ("straight10", straight(10), (X,)),
    ("straight30", straight(30), (X,)),
    ("straight60", straight(60), (X,)),
    ("straight120", straight(120), (X,)),
    ("fuzz30", FUZZ_30, (np.array([-1.3291, -0.0259, 0.6011, -0.7826]), 1.5911)),
    ("loops", LOOPS, (X,)),
]
MODES = ("grad", "vjp", "jvp", "jac_fwd", "jac_rev", "hessian")

_copies = itertools.count()


def fresh(source: str):
    """`f` from a new copy of `source`: a code object s2s has never seen (readable through linecache)."""
    filename = f"<transform_time {next(_copies)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace = {"np": np, "math": math, "__name__": "transform_time_copy"}
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 (our own text)
    return namespace["f"]


def transformed(mode: str, f):
    if mode == "grad":
        return s2s.grad(f)
    if mode == "vjp":
        return s2s.vjp(f)
    if mode == "jvp":
        return s2s.jvp(f)
    if mode == "jac_fwd":
        return s2s.jacobian(f, mode="forward")
    if mode == "jac_rev":
        return s2s.jacobian(f, mode="reverse")
    return s2s.hessian(f)


def caller(mode: str, t, args):
    """A function of no arguments making one call of the transformed function `t` (a pullback too)."""
    if mode == "vjp":
        def call():
            value, pullback = t(*args)
            return pullback(value)
        return call
    if mode == "jvp":
        tangents = (np.ones_like(args[0]) if np.ndim(args[0]) else 1.0,)
        return lambda: t(args, tangents)
    return lambda: t(*args)


def per_call(fn, budget=0.05, clock=time.perf_counter) -> float:
    """Seconds per call of `fn`: the best of 7 batches, each about `budget` long (by `clock`)."""
    fn()
    n, t0 = 1, clock()
    while clock() - t0 < budget / 10:
        fn()
        n += 1
    best = math.inf
    for _ in range(7):
        t0 = clock()
        for _ in range(n * 10):
            fn()
        best = min(best, (clock() - t0) / (n * 10))
    return best


def extra_per_call(fn, base, budget=0.05, rounds=9) -> float:
    """Seconds per call that `fn` takes over `base`: batches of the two in turns, each about `budget` long, and
    the median of the differences of each pair (a busy spell of the machine slows both of a pair alike, where
    the best of each measured apart can come from different spells)."""
    base()
    fn()
    n, t0 = 1, time.perf_counter()
    while time.perf_counter() - t0 < budget / 10:
        base()
        n += 1
    n *= 10
    diffs = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(n):
            base()
        t1 = time.perf_counter()
        for _ in range(n):
            fn()
        diffs.append((time.perf_counter() - t1) / n - (t1 - t0) / n)
    return sorted(diffs)[rounds // 2]


def generated_call(mode: str, t, args):
    """A call of the generated function behind `t`, made the way `t` makes it (None for jacobian/hessian)."""
    if mode not in ("grad", "vjp", "jvp"):
        return None
    fn = t._current()
    if mode == "vjp":
        def call():
            value, pullback = fn(*args)
            return pullback(value)
        return call
    if mode == "jvp":
        tangents = (np.ones_like(args[0]) if np.ndim(args[0]) else 1.0,)
        full = t._all_args(args)  # (with f's defaults: the generated function takes every parameter)
        return lambda: fn(*full, *tangents)
    return lambda: fn(*args)


def measure(name: str, source: str, args, mode: str, repeats: int) -> dict:
    f = fresh(source)
    t = transformed(mode, f)
    call = caller(mode, t, args)
    try:
        call()
    except s2s.S2SError as exc:
        return {"error": str(exc).splitlines()[0]}
    steady = per_call(call)
    steady_cpu = per_call(call, clock=time.thread_time)
    firsts, firsts_cpu = [], []
    for _ in range(repeats):
        t_new = transformed(mode, fresh(source))
        first = caller(mode, t_new, args)
        start, start_cpu = time.perf_counter(), time.thread_time()
        first()
        firsts_cpu.append(time.thread_time() - start_cpu - steady_cpu)
        firsts.append(time.perf_counter() - start - steady)
    # again: a new object and its first call, over and over, minus the steady call (batches of each in turns)
    again = extra_per_call(lambda: caller(mode, transformed(mode, f), args)(), call)
    row = {"first": min(firsts), "first_cpu": min(firsts_cpu), "again": again}
    generated = generated_call(mode, t, args)
    if generated is not None:
        row["overhead"] = extra_per_call(call, generated)
    return row


def fmt(seconds, unit) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1e3:.1f}" if unit == "ms" else f"{seconds * 1e6:.1f}"


def table(repeats: int, only=None) -> list:
    rows = []
    header = f"{'function':<12}{'lines':>6}  " + "".join(f"{m + ' ms':>14}" for m in MODES)
    print("first: a function s2s has not seen, first call minus a steady call, the best of the fresh copies\n"
          "(ms: wall clock, and in brackets the thread's CPU time)")
    print(header)
    print("-" * len(header))
    results = {}
    for name, source, args in FUNCTIONS:
        if only and name not in only:
            continue
        lines = len(source.strip().splitlines())
        cells = []
        for mode in MODES:
            r = measure(name, source, args, mode, repeats)
            results[name, mode] = r
            cells.append("refused" if "error" in r else f"{fmt(r['first'], 'ms')} ({fmt(r['first_cpu'], 'ms')})")
        print(f"{name:<12}{lines:>6}  " + "".join(f"{c:>14}" for c in cells), flush=True)
        rows.append((name, lines))
    print("\nagain: a new transformation object of a function already transformed and its call, minus a steady "
          "call (µs)\noverhead: a steady call minus a call of the generated function (µs)")
    header = f"{'function':<12}" + "".join(f"{m + ' again':>14}" for m in MODES) + "".join(
        f"{m + ' ovh':>10}" for m in MODES[:3])
    print(header)
    print("-" * len(header))
    for name, _ in rows:
        cells = [fmt(results[name, m].get("again"), "us") for m in MODES]
        cells += [fmt(results[name, m].get("overhead"), "us") for m in MODES[:3]]
        print(f"{name:<12}" + "".join(f"{c:>14}" for c in cells[:len(MODES)]) +
              "".join(f"{c:>10}" for c in cells[len(MODES):]))
    return rows


def profile(spec: str, limit: int = 45) -> None:
    mode, name = spec.split(":")
    source, args = next((s, a) for n, s, a in FUNCTIONS if n == name)
    caller(mode, transformed(mode, fresh(source)), args)()  # imports and first-use work out of the way
    t = transformed(mode, fresh(source))
    call = caller(mode, t, args)
    profiler = cProfile.Profile(time.thread_time)  # (CPU time of this thread: steadier on a busy machine)
    profiler.runcall(call)
    pstats.Stats(profiler).sort_stats("cumtime").print_stats(limit)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.transform_time", description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="fresh copies per cell (the best is shown)")
    ap.add_argument("--only", action="append", help="a function name (repeatable)")
    ap.add_argument("--profile", metavar="MODE:FUNCTION", help="profile one transformation instead")
    args = ap.parse_args(argv)
    if args.profile:
        profile(args.profile)
        return 0
    for name, source, fargs in FUNCTIONS:  # warm up: imports, rule tables, first-use caches
        caller("grad", transformed("grad", fresh(source)), fargs)()
        break
    table(args.repeats, args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
