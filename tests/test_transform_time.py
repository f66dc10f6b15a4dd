"""Transform time grows linearly with the function (shape facts are memoised), never exponentially:
a chain of n lines each reading the one before once took ~4x longer per line (12 lines hung).
Not a timing benchmark: the bound is far above the expected time, it only catches the blow-up."""
import linecache
import time

import s2s


def _chain(n):
    text = "def f(x):\n    y = x\n" + "    y = y * x + 1.0\n" * n + "    return y\n"
    filename = f"<chain of {n}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
    namespace = {}
    exec(compile(text, filename, "exec"), namespace)
    return namespace["f"]


def test_vjp_of_a_chain_of_30_lines_is_transformed_quickly():
    f = _chain(30)
    start = time.perf_counter()
    value, pullback = s2s.vjp(f)(0.5)
    assert time.perf_counter() - start < 10.0  # exponential growth took hours here
    x, y = 0.5, 0.5
    dy = 1.0
    for _ in range(30):
        dy = dy * x + y
        y = y * x + 1.0
    assert abs(value - y) < 1e-12 and abs(pullback(1.0) - dy) < 1e-9
