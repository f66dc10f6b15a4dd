"""Helpers for vector (batched) forward mode, reached from generated code as `rt.<name>`.

In vector mode a tangent carries a leading batch axis: the tangent of a value
of shape S is an array of shape (n,) + S holding n tangents at once (the
forward-mode Jacobian pushes all n basis tangents in one call). Elementwise
rules then hold unchanged, since NumPy aligns shapes on the right; these
helpers are the batched forms of the rules that depend on axes. Each is pure.
"""
from __future__ import annotations

import numpy as np

__all__ = ["batch_align", "batch_zeros", "batch_sum", "batch_mean", "batch_transpose", "batch_reshape",
           "batch_matmul_right", "batch_dot_left", "batch_dot_right", "batch_outer_left", "batch_outer_right"]


def batch_align(d, ans):
    """The tangents `d` of an operand that broadcasting widened, broadcast to (n,) + shape of `ans`."""
    shape = np.shape(ans)
    if np.ndim(d) == 0 or np.shape(d)[1:] == shape:
        return d
    d = np.asarray(d)
    d = d.reshape(d.shape[:1] + (1,) * (len(shape) - d.ndim + 1) + d.shape[1:])
    return np.broadcast_to(d, d.shape[:1] + shape)


def batch_zeros(x, like):
    """Zero tangents of `x`: shape (n,) + shape of x, n taken from the batch `like`."""
    return np.zeros((np.shape(like)[0],) + np.shape(x))


def _shift(axis):
    if axis is None:
        return None
    if np.ndim(axis) == 0:
        return axis + 1 if axis >= 0 else axis
    return tuple(a + 1 if a >= 0 else a for a in axis)


def batch_sum(d, axis=None, keepdims=False):
    """Tangents of `np.sum(x, axis, keepdims)`: the same sum over the non-batch axes."""
    if axis is None:
        axis = tuple(range(1, np.ndim(d)))
        return np.sum(d, axis=axis, keepdims=keepdims)
    return np.sum(d, axis=_shift(axis), keepdims=keepdims)


def batch_mean(d, axis=None, keepdims=False):
    """Tangents of `np.mean(x, axis, keepdims)`."""
    if axis is None:
        axis = tuple(range(1, np.ndim(d)))
        return np.mean(d, axis=axis, keepdims=keepdims)
    return np.mean(d, axis=_shift(axis), keepdims=keepdims)


def batch_transpose(d, axes=None):
    """Tangents of `np.transpose(x, axes)`: the batch axis stays first."""
    n = np.ndim(d) - 1
    order = tuple(range(n - 1, -1, -1)) if axes is None else tuple(a % n for a in axes)
    return np.transpose(d, (0,) + tuple(a + 1 for a in order))


def batch_reshape(d, shape):
    """Tangents of `np.reshape(x, shape)`."""
    shape = (shape,) if np.ndim(shape) == 0 else tuple(shape)
    return np.reshape(d, (np.shape(d)[0],) + shape)


def batch_matmul_right(a, d, b):
    """Tangents of `a @ b` from the tangents `d` of `b`."""
    if np.ndim(b) >= 2:
        return np.matmul(a, d)
    if np.ndim(a) >= 2:
        return np.matmul(d, np.swapaxes(a, -1, -2))
    return np.matmul(d, a)


def batch_dot_left(d, a, b):
    """Tangents of `np.dot(a, b)` from the tangents `d` of `a` (up to 2-D operands)."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return batch_align(d, np.dot(a, b)) * b
    return np.matmul(d, b)


def batch_dot_right(a, d, b):
    """Tangents of `np.dot(a, b)` from the tangents `d` of `b` (up to 2-D operands)."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return a * batch_align(d, np.dot(a, b))
    return batch_matmul_right(a, d, b)


def batch_outer_left(d, b):
    """Tangents of `np.outer(a, b)` from the tangents `d` of `a`."""
    d = np.reshape(d, (np.shape(d)[0], -1))
    return d[:, :, None] * np.ravel(b)[None, None, :]


def batch_outer_right(a, d):
    """Tangents of `np.outer(a, b)` from the tangents `d` of `b`."""
    d = np.reshape(d, (np.shape(d)[0], -1))
    return np.ravel(a)[None, :, None] * d[:, None, :]
