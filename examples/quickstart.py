"""Quick start: the gradient of f(x1, x2) = ln(x1) + x1*x2 - sin(x2) and the code s2s writes for it.

Run: python examples/quickstart.py
"""
import math

import s2s


def f(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def main():
    x1, x2 = 2.0, 5.0
    df = s2s.grad(f, wrt=(0, 1))
    d1, d2 = df(x1, x2)
    print(f"f({x1}, {x2}) = {f(x1, x2):.6f}")
    print(f"df/dx1 = {d1:.6f}   (by hand: x2 + 1/x1 = {x2 + 1 / x1:.6f})")
    print(f"df/dx2 = {d2:.6f}   (by hand: x1 - cos(x2) = {x1 - math.cos(x2):.6f})")
    print()
    print("The generated source (s2s.grad(f, wrt=(0, 1)).source):")
    print(df.source)


if __name__ == "__main__":
    main()
