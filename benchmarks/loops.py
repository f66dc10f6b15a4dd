"""Gradient/function time on 1,000-step scalar loops (issue 3 bar: at most 4), timed in one run.

Run by hand: python benchmarks/loops.py
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import s2s  # noqa: E402
from _timing import compare, row  # noqa: E402


def logistic_map(r, x0, n):
    x = x0
    for i in range(n):
        x = r * x * (1.0 - x)
    return x


def euler(k, y0, n):
    y = y0
    dt = 0.001
    for i in range(n):
        y = y + dt * (-k * y + math.sin(i * dt))
    return y


def damped_while(a):
    x = 1.0
    n = 0
    while n < 1000:
        x = x - 0.001 * a * x
        n = n + 1
    return x


def main():
    ratios = {}
    for name, f, args in [("logistic map, 1000 steps", logistic_map, (3.1, 0.3, 1000)),
                          ("Euler integrator, 1000 steps", euler, (0.7, 1.0, 1000)),
                          ("while loop, 1000 steps", damped_while, (0.8,))]:
        g = s2s.grad(f)
        t = compare([("f", f), ("g", g)], args)
        f_t, g_t = t["f"], t["g"]
        print(name)
        print(row("function", f_t, f_t))
        print(row("s2s gradient", g_t, f_t))
        ratios[name] = g_t / f_t
    print(f"\nworst gradient/function ratio = {max(ratios.values()):.2f}  (bar: <= 4)")
    return ratios


if __name__ == "__main__":
    main()
