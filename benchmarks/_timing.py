"""Shared timing helpers for the benchmarks: seconds per call, the best over interleaved rounds.

Interleaving the candidates round by round keeps a burst of load on the
machine from favouring one of them; the minimum is the least disturbed run.
"""
import timeit


def best(fn, *args, number=None, repeat=7):
    timer = timeit.Timer(lambda: fn(*args))
    if number is None:
        number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number


def compare(candidates, args, rounds=15):
    """{name: seconds per call} for each (name, fn) in `candidates`, all called with `args`."""
    timers = {name: timeit.Timer(lambda fn=fn: fn(*args)) for name, fn in candidates}
    numbers = {name: max(1, t.autorange()[0] // 4) for name, t in timers.items()}
    out = {name: float("inf") for name in timers}
    for _ in range(rounds):
        for name, t in timers.items():
            out[name] = min(out[name], t.timeit(numbers[name]) / numbers[name])
    return out


def row(name, seconds, baseline=None):
    ratio = f"{seconds / baseline:6.2f}x" if baseline else "      "
    return f"  {name:<38} {seconds * 1e6:10.2f} us   {ratio}"
