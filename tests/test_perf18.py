"""Second derivatives and loop saves, round 18 (issue 13, perf18).

- The Hessian of a list made by repeating a number and written by item, each item read by the next step
  (`ys = [0.0] * n; ys[k] = ys[k - 1] * c * x[k % 3] + ...; return sum(ys)`): the gradient's reversed loop zeroes
  the list adjoint's slot k and adds into slot k - 1 (`bys[k] = 0.0`, `rt.add_at(bys, g, ys, k - 1)`), whose
  tangents were built out of place (`rt.setitem_adjoint(dbys, k)`, `dbys + rt.getitem_adjoint(dg, ys, k - 1)`: two
  lists of n per step, O(n^2); 468 ms at n = 2000). ad/list_slots.py now knows the gradient's list adjoints for
  lists (sum(ys)'s adjoint, its copy, add_at's result) and a slot added into as a write seen only through that list
  object (ad/forward_writes.py): written in place, linear in n (81 ms at n = 2000, 161 ms at n = 4000).

Each against finite differences in every mode that applies, the value against the function's own, and the text
against what the change promises.
"""
from __future__ import annotations

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian

X = np.array([0.9, 1.1, 0.7])


def every_mode(f, x=X):
    check_every_mode(f, x)
    value, pullback = s2s.vjp(f)(x.copy())
    assert value == pytest.approx(f(x.copy()), rel=1e-12, abs=1e-12)
    assert_close(pullback(1.0), numeric_grad(f, (x.copy(),), 0), 1e-5, 1e-6, what=f"{f.__name__}: vjp")


def decayed_sum(x, n=7):
    ys = [0.0] * n
    ys[0] = x[0]
    for k in range(1, n):
        ys[k] = ys[k - 1] * 0.99 * x[k % 3] + x[(k + 1) % 3]
    return sum(ys)


def decayed_arrays(x, n=6):
    ys = [x * 0.0 for _ in range(n)]
    ys[0] = x * 1.0
    for k in range(1, n):
        ys[k] = ys[k - 1] * x[k % 3] + x ** 2 * 0.1
    return sum(np.sum(y * y) for y in ys)


def read_twice(x, n=6):
    ys = [1.0] * n
    for k in range(1, n):
        ys[k] = ys[k - 1] * x[k % 3] + ys[k - 1] ** 2 * 0.1
    return sum(ys) + ys[2] * ys[3]


def read_two_back(x, n=7):
    ys = [0.5] * n
    for k in range(2, n):
        ys[k] = np.sin(ys[k - 1]) * x[k % 3] + ys[k - 2] * x[(k + 1) % 3]
    return sum(ys)


@pytest.mark.parametrize("f", [decayed_sum, decayed_arrays, read_twice, read_two_back])
def test_repeated_list_read_back_every_mode(f):
    every_mode(f)


@pytest.mark.parametrize("n", [3, 40])
def test_decayed_sum_hessian_at_other_lengths(n):
    expected = numeric_hessian(lambda x: decayed_sum(x, n), X)
    assert_close(s2s.hessian(decayed_sum)(X, n), expected, 1e-4, 1e-5, what="hessian")
    assert_close(s2s.jacobian(s2s.grad(decayed_sum))(X, n), expected, 1e-4, 1e-5, what="grad of grad")


def test_list_adjoint_tangents_written_in_place():
    h = s2s.hessian(decayed_sum)
    h(X, 7)
    source = h.source
    assert "setitem_adjoint(dbys" not in source and "getitem_adjoint(dt" not in source, source
    assert "rt.add_at(dbys" in source and "] = 0.0" in source, source
