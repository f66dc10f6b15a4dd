"""Shared timing helper for the benchmarks: best of several repeats, in seconds per call."""
import timeit


def best(fn, *args, number=None, repeat=7):
    timer = timeit.Timer(lambda: fn(*args))
    if number is None:
        number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number


def row(name, seconds, baseline=None):
    ratio = f"{seconds / baseline:6.2f}x" if baseline else "      "
    return f"  {name:<38} {seconds * 1e6:10.2f} us   {ratio}"
