"""What a reversed loop saves of a value it reads only for its shape: the shape (a few bytes), not the value.

`rt.unbroadcast(g, v_shape)`, `np.shape(v_shape)` and np.concatenate's adjoint read a Shape (runtime/core.py) as
they read the array; ad/loop_saves.py decides which values are saved so.
"""
from __future__ import annotations

import numpy as np

from s2s.runtime.core import Shape

__all__ = ["shape_of", "shapes_of", "array_shape"]


_SHAPES: dict = {}  # shape -> its one Shape (a loop pushes one per iteration: the same object, not a new one)


def shape_of(v):
    """`v`'s Shape, or `v` itself for a tuple, list or dict (whose adjoint takes its structure). Shapes are
    read, never changed: one object per shape (up to 1,000 of them) serves every iteration that saves it."""
    if type(v) is np.ndarray:  # (a reversed loop calls this once per iteration: arrays first)
        found = _SHAPES.get(v.shape)
        if found is not None:
            return found
        shape = v.shape
    elif type(v) is float or type(v) is np.float64:
        return _NUMBER
    elif isinstance(v, (tuple, list, dict)):
        return v
    else:
        shape = np.shape(v)
    return _shape(shape)


def array_shape(v) -> Shape:
    """The Shape NumPy reads of `v` as an array (of a list of numbers too, unlike shape_of): the shape of `np.sin(v)`,
    which a reversed loop reads of the v it has rather than computing np.sin(v) again for its shape alone."""
    if type(v) is np.ndarray:
        found = _SHAPES.get(v.shape)
        return found if found is not None else _shape(v.shape)
    if type(v) is float or type(v) is np.float64:
        return _NUMBER
    return _shape(np.shape(v))


def _shape(shape: tuple) -> Shape:
    found = _SHAPES.get(shape)
    if found is None:
        found = Shape(shape)
        if len(_SHAPES) < 1000:
            _SHAPES[shape] = found
    return found


def shapes_of(seq) -> tuple:
    """The Shape of each part of `seq` (as NumPy reads it: `[v]` has shape (1,)): what np.concatenate's adjoint
    reads of the parts it splits g into (a reversed loop growing an array saves these, not every version of it).
    One tuple per list of shapes (up to 1,000 of them), as one Shape per shape: a loop pushes the same object at
    every iteration, not a new list."""
    key = tuple([p.shape if type(p) is np.ndarray else np.shape(p) for p in seq])
    found = _PARTS.get(key)
    if found is None:
        found = tuple([_shape(shape) for shape in key])
        if len(_PARTS) < 1000:
            _PARTS[key] = found
    return found


_PARTS: dict = {}  # the parts' shapes -> their one tuple of Shapes


_NUMBER = _shape(())  # (a number's, an element's of an array of numbers: returned at once)
