"""An inner transformation's results as its call on its own returns them.

`s2s.grad(cost)(w)` inside a function s2s differentiates is inlined: its generated code is built in place of the
call, without what the call does to the results (s2s/api/transformed.py, api/precision.py). These helpers do it
there, one call per result: a derivative with respect to a Python number is a float, one with respect to a 0-d
array a 0-d array, one with respect to a float32 (or float16) argument has its dtype (`settled_like`); jvp's
tangent has its value's dtype (`narrowed_like`). Both are the identity on the numbers, so their derivatives are.
"""
from __future__ import annotations

import numpy as np

__all__ = ["settled_like", "narrowed_like", "given_back"]

NARROW = (np.dtype(np.float16), np.dtype(np.float32))  # the dtypes a derivative keeps (api/precision.py too)


def settled_like(d, x):
    """The derivative `d` with respect to the argument `x`, as grad, value_and_grad and vjp's pullback return it:
    a Python number's (float or int) a float, a 0-d array's a 0-d array, each float32 or float16 leaf's
    (of `x` or of a container `x` is) in that leaf's dtype."""
    if type(x) is np.ndarray and x.ndim == 0 and type(d) is not np.ndarray:
        d = np.array(d, dtype=float)
    elif isinstance(x, (float, int)) and not isinstance(x, bool):  # (np.float64 is a float)
        return float(d) if isinstance(d, np.floating) or type(d) is np.ndarray and d.ndim == 0 else d
    return narrowed_like(d, x)


def narrowed_like(d, y):
    """`d` (a derivative with respect to `y`, or a tangent of the value `y`) with each float leaf in the dtype of
    its leaf of `y` where that is float32 or float16 (jvp's tangent: its value's dtype)."""
    dtype = y.dtype if isinstance(y, (np.ndarray, np.floating)) else None
    if dtype is not None:
        return _cast(d, dtype) if dtype in NARROW else d
    if isinstance(y, dict) and isinstance(d, dict):
        items = [(k, narrowed_like(v, y[k]) if k in y else v) for k, v in d.items()]
        return d if all(v is d[k] for k, v in items) else _like(d, type(d)(items))
    if isinstance(y, (list, tuple)) and isinstance(d, (list, tuple)) and len(y) == len(d) and \
            not hasattr(d, "_fields"):
        parts = [narrowed_like(p, t) for p, t in zip(d, y)]
        return d if all(p is q for p, q in zip(parts, d)) else _like(d, type(d)(parts))
    return d


def given_back(d, x):
    """The gradient `d` with respect to the container argument `x` (a dict, list or tuple the function reads by
    key or position) as the transformed function gives it back, and so the generated text run on its own: plain
    dicts, lists and tuples (the runtime's DictParts, Parts and TupleParts, which add part by part, made the
    containers `x` has), a Python number's derivative a float."""
    if isinstance(x, (float, int)) and not isinstance(x, bool):
        return float(d) if isinstance(d, np.floating) or type(d) is np.ndarray and d.ndim == 0 else d
    if type(x) is dict and isinstance(d, dict):
        return {k: given_back(v, x[k]) if k in x else v for k, v in d.items()}
    if type(x) in (list, tuple) and isinstance(d, (list, tuple)) and len(d) == len(x) and \
            getattr(d, "record", None) is None:
        return type(x)(given_back(p, t) for p, t in zip(d, x))
    return d


def _like(d, new):
    """`new`, a container of `d`'s class, with what `d` knows besides its items (a FieldParts' record class)."""
    if getattr(d, "__dict__", None):
        new.__dict__.update(d.__dict__)
    return new


def cast_leaf(d, dtype):
    """A float array or number `d` in the narrower `dtype` (a wider float narrowed; anything else as it is)."""
    if type(d) is np.ndarray:
        return d.astype(dtype) if d.dtype.kind == "f" and d.dtype.itemsize > dtype.itemsize else d
    if isinstance(d, (float, np.floating)) and not isinstance(d, np.longdouble):
        return d if getattr(d, "dtype", None) == dtype else dtype.type(d)
    return d


def _cast(d, dtype):
    if isinstance(d, (list, tuple)) and not hasattr(d, "_fields"):  # (a Jacobian's rows)
        return type(d)(_cast(p, dtype) for p in d)
    return cast_leaf(d, dtype)
