"""Adjoints of joining arrays and splitting them (np.concatenate, np.stack and its kinds, np.append, np.split):
each part of `g` cut back to the array it came from, shaped like it.

Generated code reaches these as `rt.<name>` (`s2s.runtime` re-exports them); like arrays.py's, each is pure.
"""
from __future__ import annotations

import math

import numpy as np

from s2s.runtime.arrays import _float_zeros
from s2s.runtime.core import Parts, Shape

__all__ = ["split_adjoint", "concatenate_adjoint", "stack_adjoint", "hstack_adjoint", "vstack_adjoint",
           "dstack_adjoint", "column_stack_adjoint", "append_adjoint"]


def _split_back(g, pieces, lifted, axis):
    """`g` cut along `axis` into parts sized like the `lifted` pieces, each reshaped like its `pieces` entry."""
    g = np.asarray(g)
    before = (slice(None),) * (axis % g.ndim)
    parts, start = [], 0
    for p, q in zip(pieces, lifted):
        end = start + np.shape(q)[axis]
        part, shape = g[before + (slice(start, end),)], np.shape(p)
        parts.append(part if part.shape == shape else part.reshape(shape))
        start = end
    return Parts(parts)


def split_adjoint(g, x, indices_or_sections, axis=0):
    """Adjoint of `np.split(x, indices_or_sections, axis)` (np.array_split too) given as indices: each part's
    adjoint added back at its slice x[start:end], start and end the indices in turn (0 first, len last, read as
    Python slices). Indices that decrease or are negative (np.split(x, [2, 1]) is x[:2], x[2:1], x[1:]) make
    pieces that overlap or leave gaps; indices in order make consecutive pieces, joined back by np.concatenate."""
    if np.ndim(indices_or_sections) == 0:  # (a number of sections: consecutive pieces)
        return np.concatenate(g, axis=axis)
    x = np.asarray(x)
    n = x.shape[axis]
    bounds = [0, *(int(i) for i in indices_or_sections), n]
    if all(0 <= a <= b for a, b in zip(bounds, bounds[1:])):
        return np.concatenate(g, axis=axis)
    out = _float_zeros(x)
    moved = np.moveaxis(out, axis, 0)
    for start, end, part in zip(bounds, bounds[1:], g):
        part = np.asarray(part, dtype=float)
        moved[start:end] += np.moveaxis(part, axis, 0) if part.ndim else part
    return out


def concatenate_adjoint(g, seq, axis=0):
    """Adjoint of `np.concatenate(seq, axis)`: one part of `g` per array in `seq` (a list)."""
    if axis == 0 and type(g) is np.ndarray and g.ndim == 1:  # (vectors joined: the common case first)
        parts, start = [], 0
        for p in seq:
            if type(p) is not np.ndarray and type(p) is not Shape:  # (Shape: rt.shapes_of)
                break
            shape = p.shape
            if len(shape) != 1:
                break
            end = start + shape[0]
            parts.append(g[start:end])
            start = end
        else:
            return Parts(parts)
    if axis is None:  # (seq may hold the parts' Shapes: rt.shapes_of)
        return _split_back(np.ravel(g), seq, [Shape((math.prod(np.shape(p)),)) for p in seq], 0)
    return _split_back(g, seq, seq, axis)


def stack_adjoint(g, seq, axis=0):
    """Adjoint of `np.stack(seq, axis)`: the slices of `g` along the new axis."""
    if axis == 0 and type(g) is np.ndarray and g.ndim and g.shape[0] == len(seq):  # (the common case first:
        return Parts(g.copy())  # the rows of a copy nothing else refers to, each its own, as np.take's copies)
    return Parts(np.take(g, i, axis=axis) for i in range(len(seq)))


def hstack_adjoint(g, seq):
    """Adjoint of `np.hstack(seq)` (concatenation along axis 1, or 0 for 1-D arrays)."""
    lifted = [np.atleast_1d(p) for p in seq]
    return _split_back(g, seq, lifted, 0 if lifted[0].ndim == 1 else 1)


def vstack_adjoint(g, seq):
    """Adjoint of `np.vstack(seq)` (1-D arrays become rows)."""
    return _split_back(g, seq, [np.atleast_2d(p) for p in seq], 0)


def dstack_adjoint(g, seq):
    """Adjoint of `np.dstack(seq)` (concatenation along axis 2 after `np.atleast_3d`)."""
    return _split_back(g, seq, [np.atleast_3d(p) for p in seq], 2)


def column_stack_adjoint(g, seq):
    """Adjoint of `np.column_stack(seq)` (1-D arrays become columns)."""
    lifted = [np.reshape(p, (-1, 1)) if np.ndim(p) < 2 else p for p in seq]
    return _split_back(g, seq, lifted, 1)


def append_adjoint(g, arr, values, axis=None):
    """Adjoint of `np.append(arr, values, axis)`: [adjoint of arr, adjoint of values] (axis=None flattens both)."""
    if axis is None:  # (arr and values may be their Shapes: rt.shape_of, in a reversed loop)
        g, shapes = np.ravel(g), (np.shape(arr), np.shape(values))
        n = math.prod(shapes[0])
        return Parts(part if part.shape == shape else part.reshape(shape) for part, shape in zip((g[:n], g[n:]), shapes))
    return _split_back(g, [arr, values], [arr, values], axis)
