"""Round 13's PDE hunt (hunt13pde C1): the gradient of an FEM assembly loop, `K[e:e + 2, e:e + 2] += k[e] * KE` or
`K[np.ix_(d, d)] += ke`, cost O(size of K) per element write in the reverse sweep (the value's adjoint made an
array of K's size to settle repeated indices, and zeroing the written entries copied all of K): O(ne^3) for a mesh.
A slice the function makes (`slice(e, e + 2)`) is basic indexing, whose entries are zeroed in place; integer
arrays are settled by their own positions. These check the values and derivatives of the forms the hunt timed,
and the repeated-index rule (the write that stuck takes the adjoint), against finite differences."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad
from s2s import runtime as rt

KE = np.array([[1.0, -1.0], [-1.0, 1.0]])
K5 = 1.0 + np.linspace(0.0, 1.0, 5)


def assembled_by_slices(k):
    ne = k.shape[0]
    K = np.zeros((ne + 1, ne + 1))
    for e in range(ne):
        K[e:e + 2, e:e + 2] += k[e] * KE
    K[0, 0] += 1.0
    u = np.linalg.solve(K, np.ones(ne + 1) / ne)
    return np.sum(u) + np.sum(K ** 2)


def assembled_by_ix(k):
    ne = k.shape[0]
    K = np.zeros((ne + 1, ne + 1))
    for e in range(ne):
        d = np.array([e, e + 1])
        K[np.ix_(d, d)] += k[e] * KE
    return np.sum(K ** 2)


def assembled_by_connectivity(k):
    ne = k.shape[0]
    conn = np.stack([np.arange(ne), np.arange(ne) + 1], axis=1)
    K = np.zeros((ne + 1, ne + 1))
    for e in range(ne):
        for a in range(2):
            for b in range(2):
                K[conn[e, a], conn[e, b]] += k[e] * KE[a, b]
    return np.sum(K ** 2)


def written_twice(x):  # (a repeated fancy index: NumPy's assignment keeps the last value written there)
    y = np.zeros((3, 3))
    d = np.array([0, 2, 0])
    y[np.ix_(d, d)] = np.outer(x, x)
    return np.sum(y * np.arange(9.0).reshape(3, 3))


@pytest.mark.parametrize("f", [assembled_by_slices, assembled_by_ix, assembled_by_connectivity])
def test_assembly_loops_are_exact(f):
    check_every_mode(f, K5, hessian=f is not assembled_by_slices)


def test_a_repeated_index_gives_the_adjoint_to_the_write_that_stuck():
    x = np.array([0.3, -1.2, 2.0])
    assert_close(s2s.grad(written_twice)(x), numeric_grad(written_twice, (x,), 0), what="grad")
    check_every_mode(written_twice, x)


@pytest.mark.parametrize("index", [
    (np.array([[0], [2], [0]]), np.array([1, 1, 3])),  # (np.ix_ of repeated rows and columns)
    (np.array([3, 1, 3, -1]), np.array([0, 2, 0, 0])),  # (a negative index naming a position another names too)
    (np.array([0, 1, 2]), np.array([2, 1, 0])),  # (no repeats)
    (np.array([1, 1]),),  # (rows)
    (slice(1, 3), np.array([0, 0])),  # (a slice and an array: read by NumPy's own assignment)
])
def test_the_value_adjoint_of_a_fancy_write_agrees_with_numpys_assignment(index):
    g = np.arange(20.0).reshape(4, 5) + 1.0
    part = g[index]
    labels = np.arange(part.size).reshape(part.shape)  # (what NumPy's assignment keeps, read from NumPy itself)
    winner = np.full(g.shape, -1)
    winner[index] = labels
    expected = np.where(winner[index] == labels, part, 0.0)
    got = rt.setitem_value_adjoint(g, *index) if isinstance(index, tuple) else rt.setitem_value_adjoint(g, index)
    assert got.shape == expected.shape and np.array_equal(got, expected)


def test_a_slice_the_loop_makes_is_zeroed_in_place():
    text = s2s.grad(assembled_by_slices).source
    assert "rt.setitem_value_adjoint" not in text and "rt.zero_at" not in text
