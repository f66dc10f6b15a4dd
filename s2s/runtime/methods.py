"""Helpers for the derivatives of the ndarray methods generated code spells as methods: `x.astype(dtype)`,
`x.item()`, `x.tolist()`.

Each helper is pure and its docstring names the derivative it implements: `g` is
the adjoint of the method's result, `ans` the result itself.
"""
from __future__ import annotations

import numpy as np

from s2s.runtime.core import Parts

__all__ = ["astype_adjoint", "astype_tangent", "batch_astype_tangent", "item_adjoint", "batch_item", "tolist_adjoint", "as_parts"]


def _float_type(x) -> np.dtype:
    """The type a derivative with respect to `x` has: x's own float or complex type (float64 for ints)."""
    dtype = np.result_type(x)
    return dtype if dtype.kind in "fc" else np.dtype(np.float64)


def _integral(ans) -> bool:
    return np.result_type(ans).kind in "biu"


def astype_adjoint(g, x, ans=None):
    """Adjoint of `x.astype(dtype)`: `g` cast back to x's type (a cast between float types is the identity
    for derivatives). With `ans`, the cast's result when its type was known only at run time: zero if
    that type is an integer or bool type."""
    if ans is not None and _integral(ans):
        return np.zeros(np.shape(x), dtype=_float_type(x)) if np.ndim(x) else _float_type(x).type(0.0)
    out = np.broadcast_to(g, np.shape(x)).astype(_float_type(x))
    return out if isinstance(x, np.ndarray) else out[()]


def astype_tangent(d, ans):
    """Tangent of `x.astype(dtype)` when the type was known only at run time: `d` cast to the result's type,
    zero for an integer or bool type."""
    if _integral(ans):
        return np.zeros(np.shape(ans)) if np.ndim(ans) else 0.0
    out = np.broadcast_to(d, np.shape(ans)).astype(np.result_type(ans))
    return out if isinstance(ans, np.ndarray) else out[()]


def batch_astype_tangent(d, ans):
    """Tangents (a leading batch axis) of a result cast to `ans`'s type, known only at run time
    (np.sum(x, dtype=D)): each cast to that type, zero for an integer or bool type."""
    if _integral(ans):
        return np.zeros(np.shape(d))
    return np.asarray(d).astype(np.result_type(ans))


def item_adjoint(g, x, *index):
    """Adjoint of `x.item(*index)`: `g` at the element read (the only one without an index), zeros elsewhere,
    in an array of x's shape."""
    out = np.zeros(np.shape(x), dtype=_float_type(x))
    index = _item_index(index)
    if not index:
        if out.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        out.flat[0] = g
    elif len(index) == 1:
        out.flat[index[0]] = g
    else:
        out[index] = g
    return out if isinstance(x, np.ndarray) else out[()]


def _item_index(index: tuple) -> tuple:
    """The index of `x.item(*index)`: `x.item((1, 2))` reads what `x.item(1, 2)` reads."""
    return tuple(index[0]) if len(index) == 1 and isinstance(index[0], tuple) else index


def batch_item(d, *index):
    """Tangents of `x.item(*index)` for a batch of tangents `d` (a leading batch axis): one number each."""
    d = np.asarray(d)
    flat = d.reshape(d.shape[0], -1)
    index = _item_index(index)
    if not index:
        return flat[:, 0]
    if len(index) == 1:
        return flat[:, index[0]]
    return d[(slice(None),) + tuple(index)]


def _filled(g, like):
    """`g` (nested lists, parts of a list adjoint, an array, or a bare 0.0 standing for a whole part) as nested
    lists of numbers with `like`'s structure."""
    if isinstance(like, list):
        if not isinstance(g, (list, tuple)):  # a bare 0.0 for the whole part, or an array of its shape
            g = [g] * len(like) if np.ndim(g) == 0 else list(g)
        return [_filled(a, b) for a, b in zip(g, like)]
    return g


def tolist_adjoint(g, x):
    """Adjoint of `x.tolist()`: the nested lists of adjoints `g` as an array of x's shape and type."""
    out = np.array(_filled(g, np.asarray(x).tolist()), dtype=_float_type(x)).reshape(np.shape(x))
    return out if isinstance(x, np.ndarray) else out[()]


def as_parts(h):
    """`h.tolist()` as the adjoint of a list (nested `Parts`, whose `+` adds element by element): the transpose
    of `tolist_adjoint`."""
    def parts(v):
        return Parts(parts(e) for e in v) if isinstance(v, list) else v
    return parts(np.asarray(h).tolist())
