"""Adjoints of sums, means, products (`@`, np.dot) and transposes."""
from __future__ import annotations

import numpy as np

from s2s.runtime.core import _zero, unbroadcast, zeros_like

__all__ = ["sum_adjoint", "reduced_count", "mean_adjoint", "matmul_adjoint_a", "matmul_adjoint_b", "dot_adjoint_a",
           "dot_adjoint_b", "transpose_adjoint"]


def sum_adjoint(g, x, axis=None, keepdims=False):
    """Adjoint of `np.sum(x, axis, keepdims)`: `g` broadcast back over the summed axes."""
    shape = np.shape(x)
    if axis is not None and not keepdims:
        axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
        g = np.expand_dims(g, tuple(a % len(shape) for a in axes))
    return np.broadcast_to(g, shape).copy()


def reduced_count(x, axis=None) -> int:
    """How many elements of `x` a reduction over `axis` combines into each result."""
    shape = np.shape(x)
    if axis is None:
        return int(np.prod(shape))
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    return int(np.prod([shape[a] for a in axes]))


def mean_adjoint(g, x, axis=None, keepdims=False):
    """Adjoint of `np.mean(x, axis, keepdims)`."""
    return sum_adjoint(np.divide(g, reduced_count(x, axis)), x, axis, keepdims)


def matmul_adjoint_a(g, a, b):
    """Adjoint of `a @ b` with respect to `a`: `g @ b.T` for matrices, `np.outer(g, b)` for a matrix times
    a vector (those two first, as plain NumPy), the general case below."""
    if type(a) is np.ndarray and type(b) is np.ndarray and type(g) is np.ndarray and a.ndim == 2:
        if b.ndim == 2 and g.ndim == 2:
            return g @ b.T
        if b.ndim == 1 and g.ndim == 1:
            return g[:, None] * b
    if _zero(g):
        return np.zeros(np.shape(a))
    if np.ndim(b) == 1:
        if np.ndim(a) == 1:
            return g * b
        if np.ndim(a) == 2:
            return np.outer(g, b)
        return g[..., None] * b
    if np.ndim(a) == 1:
        return unbroadcast(np.matmul(b, np.expand_dims(g, -1))[..., 0], a)
    return unbroadcast(np.matmul(g, np.swapaxes(b, -1, -2)), a)


def matmul_adjoint_b(g, a, b):
    """Adjoint of `a @ b` with respect to `b`: `a.T @ g` for a matrix times a matrix or a vector (first, as
    plain NumPy), the general case below."""
    if type(a) is np.ndarray and type(b) is np.ndarray and type(g) is np.ndarray and a.ndim == 2 \
            and b.ndim <= 2 and g.ndim == b.ndim and b.ndim >= 1:
        return a.T @ g
    if _zero(g):
        return np.zeros(np.shape(b))
    if np.ndim(a) == 1:
        if np.ndim(b) == 1:
            return g * a
        if np.ndim(b) == 2:
            return np.outer(a, g)
        return unbroadcast(a[..., :, None] * np.expand_dims(g, -2), b)
    if np.ndim(b) == 1:
        return unbroadcast(np.matmul(np.swapaxes(a, -1, -2), np.expand_dims(g, -1))[..., 0], b)
    return unbroadcast(np.matmul(np.swapaxes(a, -1, -2), g), b)


def dot_adjoint_a(g, a, b):
    """Adjoint of `np.dot(a, b)` with respect to `a` (scalars multiply, up to 2-D it is matmul)."""
    if type(a) is np.ndarray and type(b) is np.ndarray and a.ndim == 1 and b.ndim == 1 and type(g) is np.float64 \
            and g != 0:  # (two vectors' number: their common case first)
        return g * b
    if _zero(g):
        return zeros_like(a)
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
    if _zero(g):
        return zeros_like(b)
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * a, b)
    if np.ndim(a) <= 2 and np.ndim(b) <= 2:
        return matmul_adjoint_b(g, a, b)
    return _dot_nd_b(g, a, b)


def _dot_nd_a(g, a, b):
    # dot(a, b)[i..., j..., l] = sum_k a[i..., k] b[j..., k, l]
    na, nb = np.ndim(a), np.ndim(b)
    b_axes = [ax for ax in range(nb) if ax != nb - 2]
    g_axes = list(range(na - 1, na - 1 + nb - 1))
    return np.tensordot(g, b, axes=(g_axes, b_axes))


def _dot_nd_b(g, a, b):
    na, nb = np.ndim(a), np.ndim(b)
    out = np.tensordot(a, g, axes=(list(range(na - 1)), list(range(na - 1))))
    # out axes: (k, j..., l) -> move k to position nb - 2
    return np.moveaxis(out, 0, nb - 2)


def transpose_adjoint(g, axes=None):
    """Adjoint of `np.transpose(x, axes)`: transpose back with the inverse permutation."""
    if axes is None:
        return np.transpose(g)
    return np.transpose(g, np.argsort(axes))
