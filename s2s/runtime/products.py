"""Adjoints of sums, means, products (`@`, np.dot) and transposes; a reversed loop's sum of outer products."""
from __future__ import annotations

import numpy as np

from s2s.runtime.arrays import add_into, expand_reduced, reduced_axes
from s2s.runtime.core import Shape, _zero, unbroadcast, zeros_like
from s2s.runtime import sparse

__all__ = ["sum_adjoint", "reduced_count", "mean_adjoint", "matmul_adjoint_a", "matmul_adjoint_b", "dot", "dot_adjoint_a",
           "dot_adjoint_b", "transpose_adjoint", "OuterSum", "add_outer", "outer_total", "batch_matmul_a",
           "batch_matmul_b", "batch_dot_a", "batch_dot_b", "average_adjoint", "weights_as_read",
           "weights_as_given"]

_FLOAT64 = np.dtype(np.float64)


def sum_adjoint(g, x, axis=None, keepdims=False):
    """Adjoint of `np.sum(x, axis, keepdims)`: `g` broadcast back over the summed axes."""
    shape = np.shape(x)
    if axis is not None and not keepdims and np.ndim(g):  # (a number: the result's 0-d value, or a bare 0.0 that
        g = np.expand_dims(g, reduced_axes(axis, len(shape)))  # stands for a whole array of them, on a path not taken)
    return np.broadcast_to(g, shape).copy()


def reduced_count(x, axis=None) -> int:
    """How many elements of `x` a reduction over `axis` combines into each result."""
    shape = np.shape(x)
    return int(np.prod([shape[a] for a in reduced_axes(axis, len(shape))]))


def mean_adjoint(g, x, axis=None, keepdims=False):
    """Adjoint of `np.mean(x, axis, keepdims)` (a count of 0 reduces empty slices of an empty x, whose adjoint is
    empty whatever g is divided by: 1 there, with no division by zero)."""
    return sum_adjoint(np.divide(g, max(reduced_count(x, axis), 1)), x, axis, keepdims)


def matmul_adjoint_a(g, a, b):
    """Adjoint of `a @ b` with respect to `a`: `g @ b.T` for matrices, `np.outer(g, b)` for a matrix times
    a vector (those two first, as plain NumPy), the general case below. It reads `a` for its shape alone: a
    reversed loop gives a Shape (rt.array_shape(h) for `np.sin(h) @ W`, never np.sin(h) again)."""
    if (type(a) is np.ndarray or type(a) is Shape) and type(b) is np.ndarray and type(g) is np.ndarray:
        if a.ndim == 2:
            if b.ndim == 2 and g.ndim == 2:
                return g @ b.T
            if b.ndim == 1 and g.ndim == 1:
                return g[:, None] * b
        elif a.ndim == 1 and b.ndim == 2 and g.ndim == 1:  # (a row times a matrix: an RNN's `h @ W`)
            return b @ g
    if sparse.is_sparse(a):
        raise sparse.refuse("a @ b")
    if sparse.is_sparse(b):
        return sparse.right(g, b.T)
    if _zero(g):
        return np.zeros(np.shape(a))
    a, b = _arrays(a, b)
    if np.ndim(b) == 1:
        if np.ndim(a) == 1:
            return g * b
        if np.ndim(a) == 2:
            return np.outer(g, b)
        return g[..., None] * b
    if np.ndim(a) == 1:
        return unbroadcast(np.matmul(b, np.expand_dims(g, -1))[..., 0], a)
    return unbroadcast(np.matmul(g, np.swapaxes(b, -1, -2)), a)


class OuterSum:
    """A sum of outer products `np.outer(g, b)` that a reversed loop accumulates (the adjoint of the matrix
    in `W @ h`, one per iteration), kept as rows and added 8-16 at a time as one matrix product: BLAS does
    in one call what would be one outer product and one addition of a whole matrix per iteration. The rows
    wait in two buffers of at most half the matrix's size. Made and grown by `add_outer`, read by
    `outer_total`; nothing else sees it."""
    __slots__ = ("acc", "left", "right", "count")

    def __init__(self, acc, g, b):
        m, n = g.shape[0], b.shape[0]
        rows = max(2, min(16, m * n // (2 * (m + n))))
        self.acc = acc  # None (a sum of none yet), or a float array the loop owns, added into in place
        self.left = np.empty((rows, m))
        self.right = np.empty((rows, n))
        self.count = 0
        self.add(g, b)

    def takes(self, g, b) -> bool:
        return type(g) is np.ndarray and type(b) is np.ndarray and g.ndim == 1 and b.ndim == 1 and \
            g.dtype is _FLOAT64 and b.dtype is _FLOAT64 and g.shape[0] == self.left.shape[1] and \
            b.shape[0] == self.right.shape[1]

    def add(self, g, b) -> None:
        k = self.count
        self.left[k] = g
        self.right[k] = b
        self.count = k + 1
        if k + 1 == self.left.shape[0]:
            self.flush()

    def flush(self) -> None:
        k, self.count = self.count, 0
        if k:
            part = self.left[:k].T @ self.right[:k]
            if self.acc is None:
                self.acc = part
            else:
                self.acc += part

    def total(self):
        self.flush()
        return self.acc


def add_outer(acc, g, a, b):
    """`rt.add_into(acc, rt.matmul_adjoint_a(g, a, b))`: the adjoint of the matrix `a` in `a @ b` added to the
    sum a reversed loop owns. Where g and b are float vectors (an outer product), an `OuterSum` gathers them
    and sums them several at a time (`outer_total` reads the sum after the loop); anything else is added at
    once. The same sum as `add_into`'s, in another order of additions."""
    if type(acc) is OuterSum:
        if acc.takes(g, b):
            acc.add(g, b)
            return acc
        acc = acc.total()
    elif type(a) is np.ndarray and a.ndim == 2 and type(g) is np.ndarray and type(b) is np.ndarray and \
            g.ndim == 1 and b.ndim == 1 and g.dtype is _FLOAT64 and b.dtype is _FLOAT64 and \
            a.shape == (g.shape[0], b.shape[0]) and (
                type(acc) is float and acc == 0.0 or
                type(acc) is np.ndarray and acc.shape == a.shape and acc.dtype is _FLOAT64 and acc.flags.writeable):
        return OuterSum(None if type(acc) is float else acc, g, b)
    return add_into(acc, matmul_adjoint_a(g, a, b))


def outer_total(x):
    """The sum an `OuterSum` holds (after the loop that adds to it); any other value as it is."""
    return x.total() if type(x) is OuterSum else x


def matmul_adjoint_b(g, a, b):
    """Adjoint of `a @ b` with respect to `b`: `a.T @ g` for a matrix times a matrix or a vector (first, as
    plain NumPy), the general case below. It reads `b` for its shape alone (a Shape, as matmul_adjoint_a's `a`)."""
    if type(a) is np.ndarray and (type(b) is np.ndarray or type(b) is Shape) and type(g) is np.ndarray:
        if a.ndim == 2 and b.ndim <= 2 and g.ndim == b.ndim and b.ndim >= 1:
            return a.T @ g
        if a.ndim == 1 and b.ndim == 2 and g.ndim == 1:  # (a row times a matrix: np.outer(a, g), without its checks)
            return a[:, None] * g
    if sparse.is_sparse(b):
        raise sparse.refuse("a @ b")
    if sparse.is_sparse(a):
        return sparse.left(a.T, g)
    if _zero(g):
        return np.zeros(np.shape(b))
    a, b = _arrays(a, b)
    if np.ndim(a) == 1:
        if np.ndim(b) == 1:
            return g * a
        if np.ndim(b) == 2:
            return np.outer(a, g)
        return unbroadcast(a[..., :, None] * np.expand_dims(g, -2), b)
    if np.ndim(b) == 1:
        return unbroadcast(np.matmul(np.swapaxes(a, -1, -2), np.expand_dims(g, -1))[..., 0], b)
    return unbroadcast(np.matmul(np.swapaxes(a, -1, -2), g), b)


def _arrays(a, b):
    """`a` and `b`, a list or tuple of numbers (an argument NumPy's product reads as an array) as its array."""
    return (np.asarray(a) if type(a) in (list, tuple) else a), (np.asarray(b) if type(b) in (list, tuple) else b)


def dot(a, b):
    """`np.dot(a, b)`, also where one of them is a scipy.sparse matrix (which np.dot reads as one object): the
    transposes of the dot adjoints, where a constant sparse matrix is an operand (second order of `A.dot(x)`)."""
    if sparse.is_sparse(a):
        return sparse.left(a, b)
    if sparse.is_sparse(b):
        return sparse.right(a, b)
    return np.dot(a, b)


def dot_adjoint_a(g, a, b):
    """Adjoint of `np.dot(a, b)` with respect to `a` (scalars multiply, up to 2-D it is matmul)."""
    if type(a) is np.ndarray and type(b) is np.ndarray and a.ndim == 1 and b.ndim == 1 and type(g) is np.float64 \
            and g != 0:  # (two vectors' number: their common case first)
        return g * b
    if sparse.is_sparse(a) or sparse.is_sparse(b):
        return matmul_adjoint_a(g, a, b)
    if _zero(g):
        return zeros_like(a)
    a, b = _arrays(a, b)
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a)
    if np.ndim(a) <= 2 and np.ndim(b) <= 2:
        return matmul_adjoint_a(g, a, b)
    return _dot_nd_a(g, a, b)


def dot_adjoint_b(g, a, b):
    """Adjoint of `np.dot(a, b)` with respect to `b`."""
    if type(a) is np.ndarray and type(b) is np.ndarray and a.ndim == 1 and b.ndim == 1 and type(g) is np.float64 \
            and g != 0:  # (two vectors' number: their common case first)
        return g * a
    if sparse.is_sparse(a) or sparse.is_sparse(b):
        return matmul_adjoint_b(g, a, b)
    if _zero(g):
        return zeros_like(b)
    a, b = _arrays(a, b)
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b)
    if np.ndim(a) <= 2 and np.ndim(b) <= 2:
        return matmul_adjoint_b(g, a, b)
    return _dot_nd_b(g, a, b)


def _dot_nd_a(g, a, b):
    # dot(a, b)[i..., j..., l] = sum_k a[i..., k] b[j..., k, l]; of a vector b, sum_k a[i..., k] b[k]
    na, nb = np.ndim(a), np.ndim(b)
    if nb == 1:
        return np.multiply.outer(g, b)
    b_axes = [ax for ax in range(nb) if ax != nb - 2]
    g_axes = list(range(na - 1, na - 1 + nb - 1))
    return np.tensordot(g, b, axes=(g_axes, b_axes))


def _dot_nd_b(g, a, b):
    na, nb = np.ndim(a), np.ndim(b)
    out = np.tensordot(a, g, axes=(list(range(na - 1)), list(range(na - 1))))
    # out axes: (k, j..., l) -> move k to position nb - 2
    return np.moveaxis(out, 0, nb - 2)


# ---------------------------------------------------------------- vector mode: tangents of products in a batch
# A batch of n tangents has a leading axis of length n. `a @ b` broadcasts the stack axes (all but the last two) of
# its operands from the right, so a batch axis put before them would be lined up with the other operand's stack
# axes where that one has more: each batch below keeps it apart, in front of the result's axes.

def _is_zero(d) -> bool:
    """A bare 0.0 standing for all n tangents (a branch or an iteration that gave none)."""
    return isinstance(d, (int, float, np.number)) and d == 0


def batch_matmul_a(d, a, b):
    """Tangents of `a @ b` from a batch `d` of tangents of `a`: `d @ b` for each, in one product."""
    if _is_zero(d):
        return 0.0
    if sparse.is_sparse(b):
        return sparse.right(d, b)
    d = np.asarray(d)
    ra, rb = d.ndim - 1, np.ndim(b)
    if ra == 1 and rb > 2:  # a vector times a stack of matrices: each tangent a row, against every matrix
        return np.matmul(d.reshape(d.shape[:1] + (1,) * (rb - 1) + d.shape[1:]), b)[..., 0, :]
    if ra >= 2 and rb > ra:
        d = d.reshape(d.shape[:1] + (1,) * (rb - ra) + d.shape[1:])
    return np.matmul(d, b)


def batch_matmul_b(a, d, b):
    """Tangents of `a @ b` from a batch `d` of tangents of `b`: `a @ d` for each, in one product."""
    if _is_zero(d):
        return 0.0
    if sparse.is_sparse(a):
        return sparse.left(a, d, batched=True)
    d = np.asarray(d)
    ra, rb = np.ndim(a), d.ndim - 1
    if rb == 1:  # (a matrix or a stack of them) times a vector: the batch of vectors as the columns of one matrix
        if ra == 1:
            return np.matmul(d, a)
        if ra == 2:
            return np.matmul(d, np.swapaxes(a, -1, -2))
        return np.moveaxis(np.matmul(a, d.T), -1, 0)
    if ra >= 2 and ra > rb:
        d = d.reshape(d.shape[:1] + (1,) * (ra - rb) + d.shape[1:])
    return np.matmul(a, d)


def _dot_axis(b) -> int:
    """The axis of `b` that `np.dot(a, b)` sums over: its second-to-last (its only one for a vector)."""
    return max(np.ndim(b) - 2, 0)


def batch_dot_a(d, a, b):
    """Tangents of `np.dot(a, b)` from a batch `d` of tangents of `a` (np.dot of arrays of any rank: the last axis
    of a against the second-to-last of b)."""
    if _is_zero(d):
        return 0.0
    if sparse.is_sparse(a) or sparse.is_sparse(b):  # (np.dot of a matrix: a product)
        return batch_matmul_a(d, a, b)
    d = np.asarray(d)
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return d.reshape(d.shape + (1,) * (np.ndim(b) - np.ndim(a))) * b if np.ndim(a) == 0 else d * b
    return np.tensordot(d, b, axes=(d.ndim - 1, _dot_axis(b)))


def batch_dot_b(a, d, b):
    """Tangents of `np.dot(a, b)` from a batch `d` of tangents of `b`."""
    if _is_zero(d):
        return 0.0
    if sparse.is_sparse(a) or sparse.is_sparse(b):
        return batch_matmul_b(a, d, b)
    d = np.asarray(d)
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return a * d if np.ndim(b) else d.reshape(d.shape + (1,) * np.ndim(a)) * a
    out = np.tensordot(a, d, axes=(np.ndim(a) - 1, 1 + _dot_axis(b)))  # a's other axes, the batch axis, b's
    return np.moveaxis(out, np.ndim(a) - 1, 0) if np.ndim(a) > 1 else out


def transpose_adjoint(g, axes=None):
    """Adjoint of `np.transpose(x, axes)`: transpose back with the inverse permutation (of the axes made
    non-negative: argsort of (-1, 0) is not the inverse of the permutation it names)."""
    if axes is None:
        return np.transpose(g)
    return np.transpose(g, np.argsort([int(a) % g.ndim for a in axes]))


# ---------------------------------------------------------------- np.average
def _weights_as_numpy_reads_them(w, x, axis):
    """np.average's weights `w` shaped to broadcast against `x` as NumPy shapes them: weights of x's shape as they
    are; weights along the axes `axis` names, in that order, transposed and given axes of length 1 elsewhere."""
    w = np.asarray(w)
    if w.shape == x.shape:
        return w
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    axes = tuple(int(a) % x.ndim for a in axes)
    return np.transpose(w, np.argsort(axes)).reshape(tuple(n if k in axes else 1 for k, n in enumerate(x.shape)))


def average_adjoint(g, x, axis=None, weights=None, keepdims=False):
    """Adjoint of `np.average(x, axis, weights, keepdims=keepdims)` with respect to `x`: g w / sum(w) (g / the
    count without weights), spread over the averaged axes."""
    x = np.asarray(x)
    g = expand_reduced(g, x.shape, axis, keepdims)
    axes = reduced_axes(axis, x.ndim)
    if weights is None:
        return np.broadcast_to(g, x.shape) / int(np.prod([x.shape[a] for a in axes]))
    w = _weights_as_numpy_reads_them(weights, x, axis)
    return g * w / np.sum(np.broadcast_to(w, x.shape), axis=axes, keepdims=True)


def weights_as_read(w, x, axis=None):
    """np.average's weights `w` with the axes NumPy gives them against `x` (`_weights_as_numpy_reads_them`):
    linear in w, a reshape (and transpose); its transpose is `weights_as_given`."""
    return _weights_as_numpy_reads_them(w, np.asarray(x), axis)


def weights_as_given(g, w, x, axis=None):
    """`g`, shaped as `weights_as_read(w, x, axis)`, back in the weights' own shape and axis order."""
    shape = np.shape(w)
    x = np.asarray(x)
    if shape == x.shape:
        return np.reshape(g, shape)
    named = tuple(int(a) % x.ndim for a in ((axis,) if np.ndim(axis) == 0 else tuple(axis)))
    kept = np.reshape(g, tuple(x.shape[a] for a in sorted(named)))  # (the weights' axes, in x's order)
    return np.transpose(kept, np.argsort(np.argsort(named))).reshape(shape)
