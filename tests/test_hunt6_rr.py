"""Reverse over reverse of functions that loop over lists and tuples (bug hunt hunt6py, item 3): s2s.grad(s2s.grad(f)),
s2s.jacobian(s2s.grad(f), mode="reverse") and s2s.vjp(s2s.grad(f)) crashed where s2s.hessian (forward over reverse)
was right.

a) A loop over `list(x)`, `tuple(...)`, `list(zip(x, W))`, `list(enumerate(x))`, `list(map(...))`, a generator over
   `list(x)`, `h(*x)` into `def h(*rest)`: the adjoint of the gradient's accumulator (a list) came as a tuple
   (rt.rows_of, a slice of a tuple's adjoint), which the reversed loop kept (rt.copy_adjoint) and wrote into
   (`bbt[k] = 0.0`): TypeError.
b) `sorted()` of items of two shapes: the Shape a loop saved of the accumulator's bare 0.0 (before its first add)
   made rt.unbroadcast read the list adjoint of parts of two shapes as an array: ValueError.
c) A recursion over a nested list or tuple (`sum(tot(u) for u in v)`): rt.setitem_value_adjoint and rt.zero_at read
   the adjoint of a list of parts of two shapes as an array: ValueError.

Each second derivative is checked against finite differences of s2s.grad (an independent first derivative is
checked in the other tests; here FD of the gradient is the reference for its derivative), against s2s.hessian, and
against the analytic Hessian where it is short to write."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad

X = np.array([1.2, -0.7, 3.1])
W = np.array([0.5, 2.0, -1.0])


# ----------------------------------------------------------------- a) loops over lists and tuples the function makes
def over_list(x):
    s = 0.0
    for v in list(x):
        s = s + v * v * v
    return s


def over_tuple_of_generator(x):
    s = 0.0
    for v in tuple(v * 2.0 for v in x):
        s = s + v ** 3
    return s


def over_zipped_pairs(x):
    pairs = list(zip(x, W))
    s = 0.0
    for a, b in pairs:
        s = s + b * a ** 3
    return s


def over_enumerated(x):
    s = 0.0
    for i, v in list(enumerate(x)):
        s = s + (i + 1.0) * v ** 3
    return s


def over_mapped(x):
    s = 0.0
    for v in list(map(np.sin, x)):
        s = s + v ** 3
    return s


def generator_sum(x):
    return sum(v ** 3 for v in list(x))


def cubes(*rest):
    s = 0.0
    for r in rest:
        s = s + r ** 3
    return s


def starred(x):
    return cubes(*x)


def starred_comprehension(x):
    return cubes(*[v * v for v in x])


def nested_list_loops(x):
    s = 0.0
    for v in list(x):
        for w in tuple(x):
            s = s + v * w * w
    return s


# ----------------------------------------------------------------- b) sorted items of two shapes
def sorted_parts_of_two_shapes(x):
    items = [x[:2] * 1.0, x[2] * 2.0]
    s = 0.0
    for v in sorted(items, key=lambda v: np.size(v)):
        s = s + np.sum(v ** 3)
    return s


def sorted_dict_items(x):
    p = {"w": x[:2] * 3.0, "b": x[2] * 2.0}
    s = 0.0
    for k, v in sorted(p.items()):
        s = s + np.sum(v ** 3)
    return s


def over_parts_of_two_shapes(x):
    parts = (x[:2] * x[2], x[2])
    s = 0.0
    for p in parts:
        s = s + np.sum(p ** 3)
    return s


# ----------------------------------------------------------------- c) recursion over a nested list or tuple
def total(v):
    if isinstance(v, (tuple, list)):
        return sum(total(u) for u in v)
    return v * v


def nested_list_tree(x):
    return total([x[0], [x[1], x[2]]])


def nested_tuple_tree(x):
    return total((x[0], (x[1], (x[2], x[0] * x[1]))))


ANALYTIC = {  # the Hessian at X, where it is short to write
    over_list: np.diag(6.0 * X),
    over_tuple_of_generator: np.diag(48.0 * X),
    over_zipped_pairs: np.diag(6.0 * W * X),
    over_enumerated: np.diag(6.0 * np.array([1.0, 2.0, 3.0]) * X),
    over_mapped: np.diag(6.0 * np.sin(X) * np.cos(X) ** 2 - 3.0 * np.sin(X) ** 3),
    generator_sum: np.diag(6.0 * X),
    starred: np.diag(6.0 * X),
    starred_comprehension: np.diag(30.0 * X ** 4),
    nested_list_loops: np.sum(X) * 2.0 * np.eye(3) + 2.0 * (X[:, None] + X[None, :]),
    sorted_parts_of_two_shapes: np.diag(6.0 * np.array([X[0], X[1], 8.0 * X[2]])),
    sorted_dict_items: np.diag(6.0 * np.array([27.0 * X[0], 27.0 * X[1], 8.0 * X[2]])),
    nested_list_tree: 2.0 * np.eye(3),
}
CASES = [over_list, over_tuple_of_generator, over_zipped_pairs, over_enumerated, over_mapped, generator_sum, starred,
         starred_comprehension, nested_list_loops, sorted_parts_of_two_shapes, sorted_dict_items,
         over_parts_of_two_shapes, nested_list_tree, nested_tuple_tree]


def hessian_of_gradient_by_differences(f, x):
    """Central differences of s2s.grad(f): column j is the derivative of the gradient along x[j]."""
    g = s2s.grad(f)
    return np.array([numeric_grad(lambda z, i=i: g(z)[i], (x,), 0, 1e-5) for i in range(x.size)])


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_reverse_over_reverse_of_loops_over_containers(f):
    expected = hessian_of_gradient_by_differences(f, X)
    if f in ANALYTIC:
        assert_close(expected, ANALYTIC[f], 1e-6, 1e-6, what=f"{f.__name__}: the reference")
    assert_close(s2s.hessian(f)(X), expected, 1e-6, 1e-6, what=f"{f.__name__}: hessian")
    assert_close(s2s.jacobian(s2s.grad(f), mode="reverse")(X), expected, 1e-6, 1e-6,
                 what=f"{f.__name__}: jacobian(grad, mode='reverse')")
    pullback = s2s.vjp(s2s.grad(f))(X)[1]
    weights = np.array([0.3, -1.1, 0.7])
    assert_close(pullback(weights), weights @ expected, 1e-6, 1e-6, what=f"{f.__name__}: vjp(grad)")
    # grad(grad) of the function along a line through X: X' H X
    line = s2s.grad(s2s.grad(lambda a: f(X * a)))
    assert_close(line(1.0), X @ expected @ X, 1e-6, 1e-5, what=f"{f.__name__}: grad(grad) along X")


# ----------------------------------------------------------------- scalar forms of the reports' reproducers
def scalar_over_list(a):
    s = 0.0
    for v in list(np.array([a, 2 * a])):
        s = s + v * v
    return s


def scalar_over_tuple(a):
    s = 0.0
    for v in tuple([a, 2 * a]):
        s = s + v * v
    return s


def scalar_sorted_parts(a):
    items = [("w", np.array([a, 1.0])), ("b", a * 2)]
    s = 0.0
    for k, v in sorted(items, key=lambda kv: kv[0]):
        s = s + np.sum(v ** 3)
    return s


@pytest.mark.parametrize("f, second", [(scalar_over_list, lambda a: 10.0), (scalar_over_tuple, lambda a: 10.0),
                                       (scalar_sorted_parts, lambda a: 54.0 * a)], ids=lambda f: f.__name__)
def test_grad_of_grad_of_scalar_loops_over_containers(f, second):
    a, eps = 0.3, 1e-5
    g = s2s.grad(f)
    by_differences = (g(a + eps) - g(a - eps)) / (2 * eps)
    assert_close(by_differences, second(a), 1e-6, 1e-6, what=f"{f.__name__}: the reference")
    assert_close(s2s.grad(s2s.grad(f))(a), second(a), 1e-9, 1e-9, what=f"{f.__name__}: grad(grad)")
    assert_close(s2s.hessian(f)(a), second(a), 1e-9, 1e-9, what=f"{f.__name__}: hessian")


def over_sorted_items(p):
    s = 0.0
    for k, v in sorted(p.items()):
        s = s + np.sum(v ** 3)
    return s


def test_reverse_over_reverse_of_sorted_items_of_a_dict_argument():
    p = {"w": np.array([0.3, -0.7]), "b": 1.5}
    for H in (s2s.hessian(over_sorted_items)(p), s2s.jacobian(s2s.grad(over_sorted_items), mode="reverse")(p)):
        assert_close(H["w"]["w"], np.diag(6.0 * p["w"]), what="w, w")
        assert_close(H["b"]["b"], 9.0, what="b, b")
        assert_close(H["w"]["b"], np.zeros(2), what="w, b")
    pulled = s2s.vjp(s2s.grad(over_sorted_items))(p)[1]({"w": np.array([1.0, 2.0]), "b": 3.0})
    assert_close(pulled["w"], np.array([1.8, -8.4]), what="vjp(grad) w")
    assert_close(pulled["b"], 27.0, what="vjp(grad) b")
