"""Helpers for differentiating generated derivative code again, reached as `rt.<name>`.

Generated gradients call the helpers of `s2s.runtime` (`rt.unbroadcast`,
`rt.matmul_adjoint_a`, `rt.vstack_adjoint`, ...); those helpers have derivative
rules (`rules/runtime_helpers.py`) so that `hessian(f)`, `jvp(grad(f))` and
`grad(grad(f))` transform generated code. The helpers here are the pieces those
rules emit that plain NumPy does not spell: the transposes of the helpers that
are linear in the adjoint g (`vstack_adjoint_transpose` joins the parts of G
again, a bare 0.0 part being zeros), their vector-mode (batched) forms, where
every tangent carries a leading batch axis of n tangents, and the adjoint of
`rt.adjoint_part`. Derivatives in the helpers' other arguments are in
second.py. Each is pure.
"""
from __future__ import annotations

import numpy as np

from s2s.runtime.arrays import _interp_segment, select_adjoint_choices
from s2s.runtime import sparse
from s2s.runtime.batched import _is_zero, _ragged, batch_align, batch_zeros, zero_checked, zero_passes_through
from s2s.runtime.core import DictParts, Parts, TupleParts, batch_front, zeros_like
from s2s.runtime.indexing import getitem_adjoint
from s2s.runtime.joining import (append_adjoint, column_stack_adjoint, concatenate_adjoint, dstack_adjoint,
                                 hstack_adjoint, vstack_adjoint)
from s2s.runtime.products import dot_adjoint_a, dot_adjoint_b, matmul_adjoint_a, matmul_adjoint_b, reduced_count

__all__ = ["sum_adjoint_rows_transpose", "adjoint_part_adjoint", "batch_unbroadcast", "batch_getitem_adjoint", "batch_sum_adjoint",
           "batch_mean_adjoint", "batch_transpose_adjoint", "batch_matmul_adjoint_a", "batch_matmul_adjoint_a_of_b",
           "batch_matmul_adjoint_b", "batch_matmul_adjoint_b_of_a", "batch_dot_adjoint_a",
           "batch_dot_adjoint_a_of_b", "batch_dot_adjoint_b", "batch_dot_adjoint_b_of_a", "array_adjoint_transpose",
           "batch_array_adjoint", "batch_array_adjoint_transpose", "item_adjoint_transpose", "sum_builtin_adjoint_transpose", "batch_sum_builtin_adjoint",
           "stack_adjoint_transpose", "batch_stack_adjoint", "concatenate_adjoint_transpose",
           "hstack_adjoint_transpose", "vstack_adjoint_transpose", "dstack_adjoint_transpose",
           "column_stack_adjoint_transpose", "append_adjoint_transpose", "batch_concatenate_adjoint",
           "batch_hstack_adjoint", "batch_vstack_adjoint", "batch_dstack_adjoint", "batch_column_stack_adjoint",
           "batch_append_adjoint", "batch_select_adjoint_choices", "interp_slope_adjoint"]


def adjoint_part_adjoint(g, adjoints, i):
    """Adjoint of `rt.adjoint_part(adjoints, i, x)` with respect to the tuple `adjoints`: `g`, widened to
    the shape part `i` had before it was summed back, among zeros. A `Parts`: the adjoints of two arguments
    read from one rule's tuple add element by element (a plain tuple's `+` would join them)."""
    parts = [zeros_like(v) for v in adjoints]
    part = adjoints[i]
    if isinstance(g, (list, tuple, dict)) or isinstance(part, (list, tuple, dict)):
        # (the adjoint of a list argument, where 0.0 may stand for all of it in another call's tuple, a rule's None
        # for an empty list say: as Parts, which adds it to 0.0 part by part where a plain list (a slice of Parts)
        # would join or fail)
        parts[i] = _as_parts(g)
    else:
        parts[i] = np.broadcast_to(g, np.shape(part)) if np.shape(part) != np.shape(g) else g
    return Parts(parts)


def _as_parts(v):
    """A plain list, tuple or dict `v` as Parts, TupleParts or DictParts, down its items (Parts, a record's
    FieldParts and anything else as they are)."""
    kind = type(v)
    if kind is dict:
        return DictParts((k, _as_parts(e)) for k, e in v.items())
    if kind is list or kind is tuple:
        return (Parts if kind is list else TupleParts)(map(_as_parts, v))
    if kind is Parts or kind is TupleParts:
        return kind(map(_as_parts, v))
    return v


# ---------------------------------------------------------------- vector mode: helpers linear in the adjoint g
def _each(helper, d, position: int, args: tuple):
    """`helper` applied to each of the n tangents in `d` (at argument `position`), stacked: the general case."""
    d = np.asarray(d)
    if d.ndim == 0 and d == 0:  # a zero standing for all n tangents: the helper is linear in it
        return 0.0
    out = [helper(*args[:position], d[k], *args[position + 1:]) for k in range(d.shape[0])]
    return np.stack([np.asarray(o, dtype=float) for o in out]) if out else np.zeros((0,))


@zero_checked
def batch_unbroadcast(d, x):
    """Tangents of `rt.unbroadcast(g, x)`: each of the n tangents summed back to the shape of `x` (of a dict, key by
    key: the adjoint of a dict the function's inner gradient returns)."""
    if type(d) is not np.ndarray:
        if _is_zero(d):
            return 0.0
        if isinstance(x, dict):
            return DictParts((k, batch_unbroadcast(d.get(k, 0.0) if isinstance(d, dict) else d, v))
                             for k, v in x.items())
        d = np.asarray(d)
    tx = type(x)  # (a Hessian calls this once per rt.unbroadcast of its gradient: arrays and floats first)
    shape = x.shape if tx is np.ndarray else () if tx is float else np.shape(x)
    if d.shape[1:] == shape:
        return d
    extra = d.ndim - 1 - len(shape)
    if extra > 0:
        d = d.sum(axis=tuple(range(1, 1 + extra)))
    elif extra < 0:  # a tangent narrower than x (a scalar adjoint of an array): widen it
        d = d.reshape(d.shape[:1] + (1,) * -extra + d.shape[1:])
    axes = tuple(1 + i for i, n in enumerate(shape) if n == 1 and d.shape[1 + i] != 1)
    if axes:
        d = d.sum(axis=axes, keepdims=True)
    return np.broadcast_to(d, d.shape[:1] + shape)


def _basic(index) -> bool:
    return all(isinstance(i, (slice, int, np.integer)) or i is None or i is Ellipsis for i in index)


@zero_checked
def _zero_parts(z):
    """The zero tangents `z` (batch_zeros') of an item of a container, which are tangents of its adjoint: a dict's
    as a DictParts, a ragged list's as a TupleParts (the others' parts `+` adds key by key, item by item)."""
    if isinstance(z, dict):
        return DictParts((k, _zero_parts(v)) for k, v in z.items())
    if isinstance(z, (tuple, list)):
        return TupleParts(_zero_parts(v) for v in z)
    return z


def batch_getitem_adjoint(d, x, *index):
    """Tangents of `rt.getitem_adjoint(g, x, *index)`: each tangent placed at `index` in zeros like `x`."""
    if type(d) is np.ndarray and type(x) is np.ndarray and len(index) == 1 and type(index[0]) in (slice, int):
        # (the common case, once per x[i] or x[a:b] of the function a Hessian differentiates: no checks to make)
        out = np.zeros(d.shape[:1] + x.shape, dtype=d.dtype if d.dtype == np.float64 else
                       np.result_type(d.dtype, np.float64))
        out[:, index[0]] = d
        return out
    if _is_zero(d):
        return 0.0
    if isinstance(x, dict):  # (`s2s.grad(loss)(p, x)` of a dict p: its item's part, zeros else; M[0, 1] keys the
        key = index[0] if len(index) == 1 else index  # pair (0, 1))
        x[key]  # (a key it lacks: the KeyError reading it raises)
        return DictParts((k, d if k == key else _zero_parts(batch_zeros(v, d))) for k, v in x.items())
    if isinstance(x, (tuple, list)) and len(index) == 1 and isinstance(index[0], (int, np.integer)) and \
            (_ragged(x) or type(d) is not np.ndarray):
        # (an item of a list of arrays of other shapes, layer weights, or of containers: no array stacks their
        # tangents; the item's part, the others' zeros, item by item as batch_zeros makes those of such a list)
        x[index[0]]  # (out of range: the IndexError reading it raises)
        parts = [d if k == index[0] % len(x) else _zero_parts(batch_zeros(v, d)) for k, v in enumerate(x)]
        return TupleParts(parts) if isinstance(x, tuple) else Parts(parts)
    d = np.asarray(d)
    if isinstance(x, (tuple, list)):
        return _each(getitem_adjoint, d, 0, (d, x) + index)
    idx = index[0] if len(index) == 1 else index
    parts = idx if isinstance(idx, tuple) else (idx,)
    out = np.zeros(d.shape[:1] + np.shape(x), dtype=np.result_type(d.dtype, np.float64))
    key = (slice(None),) + parts
    if _basic(parts):  # a view: every position is written once
        out[key] = d
    else:  # (separated advanced indices put their axes before the batch axis: d's go there too)
        np.add.at(out, key, np.moveaxis(d, 0, batch_front(parts)) if batch_front(parts) else d)
    return out


def batch_sum_adjoint(d, x, axis=None, keepdims=False):
    """Tangents of `rt.sum_adjoint(g, x, axis, keepdims)`: each tangent broadcast back over the summed axes."""
    shape = np.shape(x)
    d = np.asarray(d)
    if not keepdims:
        if axis is None:
            d = d.reshape(d.shape[:1] + (1,) * len(shape))
        else:
            axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
            d = np.expand_dims(d, tuple(1 + a % len(shape) for a in axes))
    return np.broadcast_to(d, d.shape[:1] + shape)


def batch_mean_adjoint(d, x, axis=None, keepdims=False):
    """Tangents of `rt.mean_adjoint(g, x, axis, keepdims)`."""
    return batch_sum_adjoint(np.divide(d, max(reduced_count(x, axis), 1)), x, axis, keepdims)


def batch_transpose_adjoint(d, axes=None):
    """Tangents of `rt.transpose_adjoint(g, axes)`: transposed back, the batch axis staying first."""
    n = np.ndim(d) - 1
    order = tuple(range(n - 1, -1, -1)) if axes is None else tuple(int(a) for a in np.argsort([a % n for a in axes]))
    return np.transpose(d, (0,) + tuple(a + 1 for a in order))


def batch_matmul_adjoint_a(d, a, b):
    """Tangents of `rt.matmul_adjoint_a(g, a, b)` from the tangents `d` of `g` (g @ b^T, in each case)."""
    if sparse.is_sparse(b):
        return sparse.right(d, b.T)
    na, nb = np.ndim(a), np.ndim(b)
    if nb == 2 and na in (1, 2):
        return np.matmul(d, np.swapaxes(b, -1, -2))
    if nb == 1 and na == 2:
        return np.asarray(d)[:, :, None] * b
    if nb == 1 and na == 1:
        return np.asarray(d)[:, None] * b
    return _each(matmul_adjoint_a, d, 0, (d, a, b))


def batch_matmul_adjoint_a_of_b(g, a, d):
    """Tangents of `rt.matmul_adjoint_a(g, a, b)` from the tangents `d` of `b`."""
    na, nb = np.ndim(a), np.ndim(d) - 1
    if nb == 2 and na == 2:
        return np.matmul(g, np.swapaxes(d, -1, -2))
    if nb == 2 and na == 1:
        return np.matmul(d, g)
    if nb == 1 and na == 2:
        return np.asarray(g)[None, :, None] * np.asarray(d)[:, None, :]
    if nb == 1 and na == 1:
        return g * np.asarray(d)
    return _each(lambda b: matmul_adjoint_a(g, a, b), d, 0, (d,))


def batch_matmul_adjoint_b(d, a, b):
    """Tangents of `rt.matmul_adjoint_b(g, a, b)` from the tangents `d` of `g` (a^T @ g, in each case)."""
    if sparse.is_sparse(a):
        return sparse.left(a.T, d, batched=True)
    na, nb = np.ndim(a), np.ndim(b)
    if na == 2 and nb in (1, 2):
        return np.matmul(np.swapaxes(a, -1, -2), d) if nb == 2 else np.matmul(d, a)
    if na == 1 and nb == 2:
        return np.asarray(a)[None, :, None] * np.asarray(d)[:, None, :]
    if na == 1 and nb == 1:
        return np.asarray(d)[:, None] * a
    return _each(matmul_adjoint_b, d, 0, (d, a, b))


def batch_matmul_adjoint_b_of_a(g, d, b):
    """Tangents of `rt.matmul_adjoint_b(g, a, b)` from the tangents `d` of `a`."""
    na, nb = np.ndim(d) - 1, np.ndim(b)
    if na == 2 and nb == 2:
        return np.matmul(np.swapaxes(d, -1, -2), g)
    if na == 2 and nb == 1:
        return np.matmul(g, d)
    if na == 1 and nb == 2:
        return np.asarray(d)[:, :, None] * np.asarray(g)[None, None, :]
    if na == 1 and nb == 1:
        return g * np.asarray(d)
    return _each(lambda a: matmul_adjoint_b(g, a, b), d, 0, (d,))


def _matrix_like(a, b, tangents: int = 0) -> bool:
    """Are `a` and `b` vectors or matrices? With `tangents` 1 (2), `a` (`b`) holds n tangents of one, each
    along a first axis (which may be empty: the Hessian of a function of an empty array)."""
    return 1 <= np.ndim(a) - (tangents == 1) <= 2 and 1 <= np.ndim(b) - (tangents == 2) <= 2


def batch_dot_adjoint_a(d, a, b):
    """Tangents of `rt.dot_adjoint_a(g, a, b)` from the tangents `d` of `g`."""
    if _matrix_like(a, b):
        return batch_matmul_adjoint_a(d, a, b)
    return _each(dot_adjoint_a, d, 0, (d, a, b))


def batch_dot_adjoint_a_of_b(g, a, d):
    """Tangents of `rt.dot_adjoint_a(g, a, b)` from the tangents `d` of `b`."""
    if _matrix_like(a, d, tangents=2):
        return batch_matmul_adjoint_a_of_b(g, a, d)
    return _each(lambda b: dot_adjoint_a(g, a, b), d, 0, (d,))


def batch_dot_adjoint_b(d, a, b):
    """Tangents of `rt.dot_adjoint_b(g, a, b)` from the tangents `d` of `g`."""
    if _matrix_like(a, b):
        return batch_matmul_adjoint_b(d, a, b)
    return _each(dot_adjoint_b, d, 0, (d, a, b))


def batch_dot_adjoint_b_of_a(g, d, b):
    """Tangents of `rt.dot_adjoint_b(g, a, b)` from the tangents `d` of `a`."""
    if _matrix_like(d, b, tangents=1):
        return batch_matmul_adjoint_b_of_a(g, d, b)
    return _each(lambda a: dot_adjoint_b(g, a, b), d, 0, (d,))



for _name, _helper in list(globals().items()):
    if _name.startswith("batch_") and callable(_helper) and "d" in _helper.__code__.co_varnames[
            :_helper.__code__.co_argcount] and not getattr(_helper, "zero_checked", False):
        globals()[_name] = zero_passes_through(_helper)


def array_adjoint_transpose(G, g, x):
    """The transpose of `array_adjoint(., x)` (linear in its first argument) at `g`: the parts of `G`, one
    per element of the list `x`, put back into one array of g's shape (a bare 0.0 part: zeros)."""
    shape = np.shape(g)
    if isinstance(x, (list, tuple)):
        out = np.zeros(shape, dtype=np.result_type(g, float))
        for i, v in enumerate(x):
            part = G[i] if isinstance(G, (list, tuple)) else G
            out[i] = array_adjoint_transpose(part, np.asarray(g)[i], v)
        return out
    return np.broadcast_to(G, shape) * 1.0


def batch_array_adjoint(d, x):
    """Tangents of `array_adjoint(g, x)`: each of the n tangents (leading axis) split like `g`."""
    if isinstance(x, (list, tuple)):
        return Parts(batch_array_adjoint(np.asarray(d)[:, i], v) for i, v in enumerate(x))
    return batch_unbroadcast(d, x) if np.ndim(x) < np.ndim(d) - 1 else d


def batch_array_adjoint_transpose(d, g, x):
    """Tangents of `array_adjoint_transpose(G, g, x)` from the tangents `d` of `G` (a leading axis of n; for a
    list `x`, parts of such batches): each put into one array of g's shape."""
    if isinstance(x, (list, tuple)):
        parts = [d[i] if isinstance(d, (list, tuple)) else d for i in range(len(x))]
        return np.stack([batch_array_adjoint_transpose(part, np.asarray(g)[i], v)
                         for i, (part, v) in enumerate(zip(parts, x))], axis=1)
    return batch_align(d, g) * 1.0


def item_adjoint_transpose(h, *index):
    """The transpose of `item_adjoint(., x, *index)` at `h` (of x's shape): `h.item(*index)`, where h may be a
    number standing for an array of it (the 1.0 seeding the gradient of a 0-d x; a bare 0.0): that number."""
    return h.item(*index) if isinstance(h, (np.ndarray, np.generic)) else h


def sum_builtin_adjoint_transpose(G, g, xs):
    """The transpose of `sum_builtin_adjoint(., xs)` at `g`: the parts of `G` summed (an array's rows); zero for a
    dict's keys."""
    if isinstance(xs, dict):
        return np.zeros(np.shape(g))
    if isinstance(G, (list, tuple)):
        return sum(G) + np.zeros(np.shape(g))
    if isinstance(xs, (list, tuple)):
        return np.broadcast_to(G, np.shape(g)) * len(xs)
    return np.sum(G, axis=0) + np.zeros(np.shape(g))


def sum_adjoint_rows_transpose(G, g, xs):
    """The transpose of `sum_adjoint_rows(., xs)` at `g`: the rows of an array `G` one axis above g summed (as
    sum_adjoint_rows gives them), else sum_builtin_adjoint's transpose."""
    if type(G) is np.ndarray and G.ndim == np.ndim(g) + 1:
        return np.sum(G, axis=0) + np.zeros(np.shape(g))
    return sum_builtin_adjoint_transpose(G, g, xs)


def batch_sum_builtin_adjoint(d, xs):
    """Tangents of `sum_builtin_adjoint(g, xs)`: each of the n tangents (leading axis) given to every element (none
    to a dict's keys)."""
    if isinstance(xs, dict):
        return zeros_like(xs)
    if isinstance(xs, (list, tuple)):
        return Parts([d] * len(xs)) if isinstance(xs, list) else tuple([d] * len(xs))
    d = np.asarray(d)
    return np.broadcast_to(np.expand_dims(d, 1), d.shape[:1] + np.shape(xs)).copy()


def stack_adjoint_transpose(G, g, seq, axis=0):
    """The transpose of `stack_adjoint(., seq, axis)` at `g`: the parts of `G` stacked (a bare 0.0: zeros)."""
    shape = np.shape(g)
    sliced = shape[:axis % len(shape)] + shape[axis % len(shape) + 1:]
    # (an array of g's rank: its rows are the parts, as stack_adjoint_rows gives them)
    parts = G if isinstance(G, (list, tuple)) or np.ndim(G) == len(shape) else [G] * len(seq)
    if len(parts) == 0:  # (np.array([]) of a list a loop left empty: no part to stack)
        return np.zeros(shape)
    return np.stack([np.broadcast_to(p, sliced) for p in parts], axis=axis)


def batch_stack_adjoint(d, seq, axis=0):
    """Tangents of `stack_adjoint(g, seq, axis)`: the slices of each tangent along the stacked axis."""
    d = np.asarray(d)
    at = axis + 1 if axis >= 0 else axis
    return Parts(np.take(d, i, axis=at) for i in range(len(seq)))


# ---------------------------------------------------------------- joining: transposes of the helpers that split g
def _parts_like(G, seq) -> list:
    """The adjoint parts in `G`, one per array of `seq`, as float arrays of those shapes (a bare 0.0, for a
    part or for all of G, is zeros)."""
    parts = G if isinstance(G, (list, tuple)) else [G] * len(seq)
    return [np.zeros(np.shape(x)) + p for p, x in zip(parts, seq)]


def concatenate_adjoint_transpose(G, g, seq, axis=0):
    """The transpose of `concatenate_adjoint(., seq, axis)` (linear in its first argument): the parts of `G`
    concatenated again."""
    parts = _parts_like(G, seq)
    if axis is None:
        return np.concatenate([np.ravel(p) for p in parts])
    return np.concatenate(parts, axis=axis)


def hstack_adjoint_transpose(G, g, seq):
    """The transpose of `hstack_adjoint(., seq)`: the parts of `G` joined by np.hstack."""
    return np.hstack(_parts_like(G, seq))


def vstack_adjoint_transpose(G, g, seq):
    """The transpose of `vstack_adjoint(., seq)`: the parts of `G` joined by np.vstack."""
    return np.vstack(_parts_like(G, seq))


def dstack_adjoint_transpose(G, g, seq):
    """The transpose of `dstack_adjoint(., seq)`: the parts of `G` joined by np.dstack."""
    return np.dstack(_parts_like(G, seq))


def column_stack_adjoint_transpose(G, g, seq):
    """The transpose of `column_stack_adjoint(., seq)`: the parts of `G` joined by np.column_stack."""
    return np.column_stack(_parts_like(G, seq))


def append_adjoint_transpose(G, g, arr, values, axis=None):
    """The transpose of `append_adjoint(., arr, values, axis)`: its two parts in `G` appended again."""
    first, second = _parts_like(G, [arr, values])
    return np.append(first, second, axis=axis)


def _split_each(helper, d, *rest, **kwargs):
    """Vector mode for a helper linear in `d` whose result is a list: the helper applied to each of the n
    tangents, its parts stacked (part i holds the n tangents of part i)."""
    d = np.asarray(d)
    if d.ndim == 0 and d == 0:  # a zero standing for all n tangents
        return 0.0
    out = [helper(d[k], *rest, **kwargs) for k in range(d.shape[0])]
    return Parts(np.stack([np.asarray(p, dtype=float) for p in parts]) for parts in zip(*out))


def batch_concatenate_adjoint(d, seq, axis=0):
    """Tangents of `concatenate_adjoint(g, seq, axis)`: each of the n tangents split like `g`."""
    return _split_each(concatenate_adjoint, d, seq, axis)


def batch_hstack_adjoint(d, seq):
    """Tangents of `hstack_adjoint(g, seq)`: each of the n tangents split like `g`."""
    return _split_each(hstack_adjoint, d, seq)


def batch_vstack_adjoint(d, seq):
    """Tangents of `vstack_adjoint(g, seq)`: each of the n tangents split like `g`."""
    return _split_each(vstack_adjoint, d, seq)


def batch_dstack_adjoint(d, seq):
    """Tangents of `dstack_adjoint(g, seq)`: each of the n tangents split like `g`."""
    return _split_each(dstack_adjoint, d, seq)


def batch_column_stack_adjoint(d, seq):
    """Tangents of `column_stack_adjoint(g, seq)`: each of the n tangents split like `g`."""
    return _split_each(column_stack_adjoint, d, seq)


def batch_append_adjoint(d, arr, values, axis=None):
    """Tangents of `append_adjoint(g, arr, values, axis)`: each of the n tangents split like `g`."""
    return _split_each(append_adjoint, d, arr, values, axis)


def batch_select_adjoint_choices(d, condlist, choicelist):
    """Tangents of `select_adjoint_choices(g, condlist, choicelist)`: each of the n tangents given out."""
    return _split_each(select_adjoint_choices, d, condlist, choicelist)


# ---------------------------------------------------------------- interpolation
def interp_slope_adjoint(h, x, xp, fp):
    """The adjoint with respect to `fp` of `interp_slope(x, xp, fp)` (linear in fp), `h` that of the
    slopes: each h over its segment's width, added at the segment's right end and taken at its left."""
    xp = np.asarray(xp, dtype=float)
    x = np.asarray(x, dtype=float)
    j, _, inverse_width = _interp_segment(x, xp)  # (no slope on a segment of no width)
    inside = (x >= xp[0]) & (x <= xp[-1])
    w = np.broadcast_to(np.where(inside, h * inverse_width, 0.0), np.shape(j))
    out = np.zeros(np.shape(fp))
    np.add.at(out, j + 1, w)
    np.add.at(out, j, -w)
    return out

