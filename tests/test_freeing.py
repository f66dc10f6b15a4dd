"""The reverse sweep frees each value after the adjoint block that reads it last (s2s/back/freeing.py): a `del`
line where that block ends, never for a name that may be unbound there, a parameter, a returned value or a
name a nested function reads. The derivatives stay those of finite differences; the gradient's peak memory
falls; the gradient of the generated code (which holds the `del` lines) is taken again."""
from __future__ import annotations

import ast
import tracemalloc

import numpy as np

import s2s
from s2s.back.freeing import free_dead_values
from s2s.back.render import _comment_node
from conftest import assert_close, numeric_grad


def layers(w, x):
    h = np.tanh(x @ w)
    g = np.exp(-h * h) * h
    r = np.sin(g) @ w.T
    return np.sum(r * r)


def dels(source: str) -> list[set]:
    return [{n.id for n in s.targets} for s in ast.walk(ast.parse(source)) if isinstance(s, ast.Delete)]


def test_each_value_is_freed_after_the_block_that_reads_it_last():
    rng = np.random.default_rng(0)
    w, x = rng.normal(size=(30, 30)) * 0.3, rng.normal(size=(200, 30))
    grad = s2s.grad(layers)
    freed = set().union(*dels(grad.source))
    assert {"g", "r"} <= freed  # forward values the reverse sweep reads (h, read by the last block, is not)
    assert not freed & {"w", "x"}  # parameters stay
    assert_close(grad(w, x), numeric_grad(layers, (w, x), 0), rtol=1e-5, what="gradient of layers")


def test_the_gradient_of_generated_code_with_del_lines():
    rng = np.random.default_rng(2)
    w, x = rng.normal(size=(3, 3)), rng.normal(size=(5, 3))
    assert dels(s2s.grad(layers).source)
    h = s2s.hessian(layers)(w, x)
    fd = np.array([numeric_grad(lambda v: s2s.grad(layers)(v, x).ravel()[i], (w,), 0) for i in range(9)])
    assert_close(h.reshape(9, 9), fd.reshape(9, 9), rtol=1e-5, atol=1e-7, what="Hessian through del lines")


def test_freeing_lowers_the_gradients_peak_memory():
    rng = np.random.default_rng(1)
    w, x = rng.normal(size=(50, 50)) * 0.3, rng.normal(size=(4000, 50))
    grad = s2s.grad(layers)
    namespace: dict = {}
    kept = "\n".join(line for line in grad.source.splitlines() if not line.strip().startswith("del "))
    exec(compile(kept, "<kept>", "exec"), namespace)
    keeping = namespace["grad_layers"]

    def peak(fn):
        fn(w, x)
        tracemalloc.start()
        fn(w, x)
        top = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return top
    freed, held = peak(grad), peak(keeping)
    assert freed < 0.8 * held, (freed, held)
    assert_close(grad(w, x), keeping(w, x), what="the same gradient with and without del")


def _body(text: str) -> list:
    """Statements of `text`, with `## ...` lines as the comment statements codegen makes."""
    out = []
    for line in text.strip().splitlines():  # (one line each: `if c: y = v`)
        out.append(_comment_node(line[3:]) if line.startswith("## ") else ast.parse(line).body[0])
    return out


def test_only_names_surely_bound_and_not_read_later_are_freed():
    body = _body("""
a = x * 2.0
if c: maybe = a * 3.0
f = lambda: a
## adjoint of line 3: ...
ba = x * a + maybe
bx = ba * 2.0
b2 = bx + x
## adjoint of line 2: ...
out = b2 * 1.0
return out
""")
    out = free_dead_values(body, ["x", "c"])
    deleted = [(i, [n.id for n in s.targets]) for i, s in enumerate(out) if isinstance(s, ast.Delete)]
    assert deleted == [(7, ["ba", "bx"])]  # where the block ends, in the order they are bound
    # a: read by the lambda; maybe: bound only in a branch; x: a parameter; b2, out: read by the last block


def _written_join(x, c):
    if c > 0:
        y = np.zeros(3)
    else:
        y = np.ones(3)
    y[0] = x[0] * 2.0
    y[1] = np.sin(x[1])
    return np.sum(y * y)


def test_the_join_of_an_if_is_freed_after_its_last_read():
    """Both branches bind y_2: it is bound after the if, and freed where the adjoint last reads it (it was held
    to the return)."""
    src = s2s.grad(_written_join).source
    assert "del y_2," in src, src
    x = np.array([0.3, 0.5, 0.7])
    for c in (1.0, -1.0):
        expected = np.array([8.0 * x[0], 2.0 * np.sin(x[1]) * np.cos(x[1]), 0.0])
        assert np.allclose(s2s.grad(_written_join)(x, c), expected)
