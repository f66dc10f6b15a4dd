"""Adjoints of reading and writing parts (`x[i]`, `x.name`, `y[i] = v`) and the accumulators of reversed loops."""
from __future__ import annotations

import numpy as np

from s2s.errors import S2SError
from s2s.runtime.batched import batch_zeros
from s2s.runtime.core import (batch_key, batch_write, DictParts, FieldParts, OnePart, Parts, TupleParts, _zero,
                              fields_of, is_record, not_a_field, unbroadcast, zeros_like)

__all__ = ["written_tangent", "unshared", "getattr_adjoint", "getattr_adjoint_transpose", "record_like", "record_fields", "record_new",
           "record_tangent", "fields_only",
           "getitem_adjoint", "copy_adjoint", "setitem_value_adjoint", "setitem_tangent",
           "batch_setitem_tangent", "batch_setitem_base", "batch_setitem", "batch_setitem_into", "tangent_copy", "reused",
           "setitem_adjoint", "add_at", "zero_at"]


def getattr_adjoint(g, x, name):
    """Adjoint of `x.name`: for a dataclass `x`, `g` at field `name` and zeros at the others; for a namedtuple,
    `g` at that element, as for a namedtuple's tangent that is a TupleParts (zeros_like: its `record`)."""
    kind = _tuple_record(x)
    if kind is not None:
        if name not in kind._fields:  # (a class constant: no derivative; a property: refused, rt.not_a_field)
            error = not_a_field(kind, name)
            if error is not None:
                raise error
            return zeros_like(x)
        return getitem_adjoint(g, x, kind._fields.index(name))
    if not is_record(x) and not isinstance(x, FieldParts):
        raise S2SError(f"no derivative flows through the attribute .{name} of a {type(x).__name__}: s2s "
                       f"differentiates attributes of dataclasses and namedtuples (pass the data as an argument)")
    out = zeros_like(x)
    out[name] = g
    return out


def getattr_adjoint_transpose(h, x, name):
    """Adjoint of `getattr_adjoint(g, x, name)` with respect to g (a second derivative): the part of `h`, an
    adjoint of x, at attribute `name`; a namedtuple's (NumPy's results: eigh(a).eigenvalues) is its element, which
    the runtime's parts of a tuple, or an array where a NumPy function read the namedtuple, hold by position."""
    kind = _tuple_record(x)
    if kind is not None and name in kind._fields and (isinstance(h, np.ndarray) or isinstance(h, (tuple, list))
                                                      and not hasattr(h, name)):
        return h[kind._fields.index(name)]  # (an array: NumPy read the namedtuple as one, np.sum(V2(a, b)))
    return getattr(h, name)


def _tuple_record(x):
    """The namedtuple class of `x`, a namedtuple or the TupleParts of one (zeros_like's), else None."""
    if isinstance(x, TupleParts):
        return x.record
    return type(x) if isinstance(x, tuple) and hasattr(x, "_fields") else None


def record_of(template, values: dict):
    """A new instance of `template`'s dataclass with its fields set to `values`, built without running the
    class's code: not `__init__` (whose `field(init=False)` fields `dataclasses.replace` refuses), not
    `__post_init__` (which may validate, `sigma > 0`, or normalise, `w / |w|`: a derivative is no valid
    instance, and neither is a basis tangent), as `object.__setattr__` writes the fields of a frozen or a
    slots dataclass too. Attributes `__post_init__` would derive from the fields are not set."""
    out = object.__new__(type(template))
    for k, v in values.items():
        object.__setattr__(out, k, v)
    return out


def record_like(x, g):
    """The adjoint `g` of the argument `x` as the derivative is given back: where `x` is a dataclass, its adjoint
    (a FieldParts of its fields, `getattr_adjoint`) as an instance of its class (`record_of`), where a namedtuple
    (its parts by position) as one of its class, also inside lists, tuples and dicts; anything else as it is.
    Linear in g: a gradient with respect to a record is that record."""
    if is_record(x):
        if isinstance(g, dict) and set(g) == set(fields_of(x)):
            return record_of(x, {k: record_like(getattr(x, k), g[k]) for k in fields_of(x)})
        return g
    if isinstance(x, (tuple, list)) and isinstance(g, (tuple, list)) and len(g) == len(x):
        parts = [record_like(a, b) for a, b in zip(x, g)]
        if hasattr(x, "_fields"):  # (a namedtuple: its adjoint, the runtime's parts by position, as one of its class)
            return g if type(g) is type(x) and all(p is b for p, b in zip(parts, g)) else type(x)(*parts)
        return g if all(p is b for p, b in zip(parts, g)) else \
            type(g)(*parts) if hasattr(g, "_fields") else type(g)(parts)
    if isinstance(x, dict) and isinstance(g, dict) and set(g) <= set(x):
        items = [(k, record_like(x[k], v)) for k, v in g.items()]
        return g if all(v is g[k] for k, v in items) else type(g)(items)
    return g


def record_fields(h, x):
    """Adjoint of `record_like(x, g)` with respect to g (a second derivative): `h`, the adjoint of a record, as the
    adjoint code of `x` holds it (a FieldParts of its fields, also inside lists, tuples and dicts)."""
    if is_record(h):
        out = FieldParts((k, record_fields(getattr(h, k), getattr(x, k, None))) for k in fields_of(h))
        out.record = type(h)
        return out
    if isinstance(h, (tuple, list)) and isinstance(x, (tuple, list)) and len(h) == len(x):
        parts = [record_fields(a, b) for a, b in zip(h, x)]
        if hasattr(h, "_fields"):
            return TupleParts(parts)
        return h if all(p is a for p, a in zip(parts, h)) else type(h)(parts)
    if isinstance(h, dict) and isinstance(x, dict):
        items = [(k, record_fields(v, x.get(k))) for k, v in h.items()]
        return h if all(v is h[k] for k, v in items) else type(h)(items)
    return h


def record_new(cls, names, *values):
    """`cls(name=value, ...)`: a record (a namedtuple, a dataclass) the function builds (generated as that call)."""
    return cls(**dict(zip(names, values)))


def record_tangent(cls, names, *values):
    """The tangent of `record_new(cls, names, *values)`, given the values' tangents: a record of them that is read
    as the code reads the record, by its fields only (a class constant's tangent zero, a property refused, as a
    tangent the caller gives, api/tangents.tangent_of_record): a namedtuple as one of `fields_only(cls)`, a
    dataclass as a FieldParts of its fields."""
    if hasattr(cls, "_fields"):
        return fields_only(cls)(**dict(zip(names, values)))
    out = FieldParts(zip(names, values))
    out.record = cls
    return out


_FIELDS_ONLY: dict = {}  # namedtuple class -> its subclass whose attributes other than fields are checked


def fields_only(kind: type) -> type:
    """A subclass of the namedtuple class `kind` whose objects read their fields as `kind`'s do, a class constant
    as zero (a tangent's), and refuse any other attribute a function may read (`not_a_field`)."""
    sub = _FIELDS_ONLY.get(kind)
    if sub is not None:
        return sub
    fields = frozenset(kind._fields)

    def __getattribute__(self, name):
        if name in fields or name.startswith("_"):
            return tuple.__getattribute__(self, name)
        error = not_a_field(kind, name)
        if error is not None:
            raise error
        return zeros_like(getattr(kind, name))

    sub = _FIELDS_ONLY[kind] = type(kind.__name__, (kind,), {
        "__slots__": (), "__getattribute__": __getattribute__, "__module__": kind.__module__,
        "__qualname__": kind.__qualname__})
    return sub


def getitem_adjoint(g, x, *index):
    """Adjoint of `x[index]`: `g` placed at `index` in zeros shaped like `x` (repeated indices add up)."""
    idx = _key(index)
    if type(x) is np.ndarray and x.dtype is _FLOAT64 and (type(idx) is slice or type(idx) is int):
        out = np.zeros(x.shape)  # (the common case first: a float array read at one slice or int)
        out[idx] = g
        return out
    if isinstance(x, (tuple, list, dict)):
        x[idx]  # out of range: the IndexError (KeyError) that reading it raises, not one about assigning
        out = zeros_like(x)  # (Tuple/Dict)Parts: the container's type, `+` adds element by element
        if _zero(g):  # (the bare 0.0 of a path that never read it: the part keeps its zero array, not 0.0)
            return out
        if isinstance(out, TupleParts):
            parts = list(out)
            parts[idx] = g
            return TupleParts(parts)
        if type(out) is Parts and type(idx) is int:  # (one element of a list: rt.OnePart, added to a copy at C speed)
            out = OnePart(out)
            out[idx] = g
            out.at = idx if idx >= 0 else idx + len(out)
            return out
        out[idx] = g
        return out
    out = np.zeros(np.shape(x), dtype=_adjoint_dtype(x))
    if _basic(idx):  # ints and slices select each element at most once: a plain write adds it
        out[idx] = g
    else:
        np.add.at(out, idx, g)
    return out


_FLOAT64 = np.dtype(np.float64)


def _basic(index) -> bool:
    """Is `index` basic indexing (ints, slices, `...`, None), which never selects an element twice? (A tuple
    inside an index tuple is a fancy index, as a list is: `m[(0, 0), 1]` reads m[0, 1] twice.)"""
    if type(index) is tuple:
        for i in index:  # (a loop, not all() of a generator: once per element read in a reversed loop)
            if not _basic_part(i):
                return False
        return True
    return _basic_part(index)


def _basic_part(i) -> bool:
    kind = type(i)
    return kind is int or kind is slice or i is None or i is Ellipsis or isinstance(i, np.integer)


def _adjoint_dtype(x):
    """The dtype of an adjoint of `x`: float64, or complex/longdouble for such an `x`."""
    dtype = x.dtype if type(x) is np.ndarray else np.asarray(x).dtype
    return np.float64 if dtype == np.float64 else np.result_type(dtype, np.float64)


def copy_adjoint(g):
    """A copy of an adjoint that a reversed loop will add into in place (`add_at`): an array's; a list's or a
    dict's parts, which are added to functionally, in a new list or dict (an element read is zeroed in place,
    `bx[i] = 0.0`); a number as it is. A tuple's parts go into a list (Parts) too: the loop writes only into
    the adjoint of a list, which a transposed helper may give as a tuple (`rt.rows_of`, a slice `bbt[0:]` of a
    tuple's adjoint, in reverse over reverse)."""
    if type(g) is np.float64 or type(g) is float:  # (the common case first: an element's adjoint, once per element)
        return g
    if isinstance(g, np.ndarray):
        return g.copy()
    if isinstance(g, tuple):
        return Parts(g)
    return type(g)(g) if isinstance(g, (list, dict)) else g


def setitem_value_adjoint(g, *index):
    """Adjoint of `v` in `y[index] = v`: `g[index]`, where an element written twice (a repeated fancy
    index) takes it only at the write that stuck, as NumPy's assignment left it."""
    if isinstance(g, dict) and len(index) > 1:  # (`M[0, 1] = v` of a dict: the part at the pair (0, 1))
        return g[index]
    if isinstance(g, (dict, list, tuple)) and len(index) == 1 or _objects(g) and len(index) == 1 and \
            type(index[0]) is int:
        # `q = p.copy(); q["w"] = v` of a dict: the part at the key; of a list (its parts may differ in shape), the
        # part at an int or the parts at a slice, each written once; of an object array, its item at an int
        part = g[index[0]]
        return Parts(part) if type(index[0]) is slice else part
    if _zero(g):
        return g  # (a bare 0.0: no adjoint yet, for the whole container or array)
    idx = _key(index)
    g = np.asarray(g)
    part = g[idx]
    if _basic(idx):  # (no element twice: the part, a copy, as a fancy index's is)
        return part.copy()
    flat = _flat_positions(g.shape, idx)
    if flat is not None and flat.shape == part.shape:  # (integer arrays alone: O(part), not O(g))
        flat = flat.ravel()
        order = np.argsort(flat, kind="stable")
        ordered = flat[order]
        kept = np.ones(ordered.size, dtype=bool)  # (the last of each run of one position: the write that stuck,
        kept[:-1] = ordered[1:] != ordered[:-1]  # NumPy's assignment goes in order)
        if kept.all():
            return part
        stuck = np.zeros(ordered.size, dtype=bool)
        stuck[order[kept]] = True
        return np.where(stuck.reshape(part.shape), part, 0.0)
    labels = np.arange(np.size(part)).reshape(np.shape(part))
    winner = np.full(np.shape(g), -1)
    winner[idx] = labels
    return np.where(winner[idx] == labels, part, 0.0)


def _flat_positions(shape: tuple, idx):
    """The flat positions in an array of `shape` that the index `idx` selects, broadcast as the part is, where
    `idx` is integer arrays (or ints) alone, one per axis (`np.ix_(d, d)`, `(d[:, None], d)`); else None."""
    parts = idx if type(idx) is tuple else (idx,)
    if len(parts) != len(shape) or not all(isinstance(p, (int, np.integer)) or isinstance(p, np.ndarray) and
                                           p.dtype.kind in "iu" for p in parts):
        return None
    try:
        return np.ravel_multi_index(np.broadcast_arrays(*parts), shape, mode="wrap")
    except ValueError:  # (an index out of range: NumPy's own error where the part was read)
        return None


def written_tangent(d, y):
    """Forward mode: the tangent that writing a value with tangent `d` into the array `y` (`y[i] = v`) gives its
    element: `d`, or 0.0 where `y` holds integers or booleans (NumPy truncates the value: no derivative flows)."""
    return 0.0 if type(y) is np.ndarray and y.dtype.kind in "biu" else d


def setitem_tangent(d, ans, *index):
    """Tangent contribution of `v` in `y[index] = v`: `d` written at `index` into zeros, as NumPy writes (none
    into an array of integers or booleans, which truncates v)."""
    if type(ans) is np.ndarray and ans.dtype.kind in "biu":
        return np.zeros(ans.shape)
    if isinstance(ans, (list, tuple)) and len(index) == 1:  # an element of a list adjoint (an accumulator)
        out = Parts(zeros_like(v) for v in ans)
        out[index[0]] = d
        return out
    if isinstance(ans, dict):  # a key of a dict (`q = p.copy(); q["w"] = v`; `M[0, 1] = v` keys the pair)
        out = DictParts(zeros_like(ans))  # (a list's tangents as Parts, which a bare 0.0, an item zeroed by the
        out[_key(index)] = Parts(d) if type(d) is list else d  # write's setitem_adjoint, adds to: `d[0] = [v]`)
        return out
    out = np.zeros(np.shape(ans), dtype=np.result_type(np.asarray(ans).dtype, np.float64))
    out[_key(index)] = d
    return out


def batch_setitem_tangent(d, ans, *index):
    """`setitem_tangent` of tangents with a leading batch axis (vector mode): each tangent written at
    `index` into zeros shaped like `ans`, broadcast there as NumPy broadcasts the written value. (A list of
    numbers or of arrays of one shape has its tangents stacked as one array, as `batch_zeros` makes them.)"""
    if type(ans) is np.ndarray and ans.dtype.kind in "biu":  # (an array of integers truncates v: no tangent flows
        # through the write; zeros with the batch axis, which the code after it indexes as one: dt[:, None])
        return np.zeros(d.shape[:1] + ans.shape) if type(d) is np.ndarray and d.ndim else 0.0
    if type(d) is np.ndarray and type(ans) is np.ndarray and len(index) == 1 and type(index[0]) in (slice, int) \
            and d.dtype == np.float64 and ans.dtype == np.float64 and d.ndim == ans.ndim + (type(index[0]) is slice):
        out = np.zeros(d.shape[:1] + ans.shape)  # (the common case, once per write a Hessian differentiates)
        out[:, index[0]] = d
        return out
    if (isinstance(ans, list) or _objects(ans)) and len(index) == 1 and _ragged_items(ans):
        # (a list of arrays of other shapes, or not yet written, `P = [None] * (N + 1)`: no array stacks them; the
        # tangents item by item, as `batch_zeros` makes those of a ragged list)
        n = np.shape(d)[:1] if not _zero(d) else None  # (the batch's size)
        out = Parts(0.0 if n is None or v is None else batch_zeros(v, d) if isinstance(v, (tuple, list, dict)) else
                    np.zeros(n + np.shape(v)) for v in ans)  # (a dict item's: key by key, as batch_getitem reads)
        out[index[0]] = d
        return out
    if _zero(d):
        return 0.0
    if isinstance(ans, dict):  # a key of a dict: d there, zeros with the batch axis elsewhere
        # (a bare 0.0 read at another key meets arrays of no batch axis, `(1.0 - t ** 2) * dt`, and makes one)
        out = DictParts((k, batch_zeros(v, d, bare=True)) for k, v in ans.items())
        out.factory = getattr(ans, "default_factory", getattr(ans, "factory", None))  # (a defaultdict's: a key
        out[_key(index)] = d  # it lacks is read as zero, as setitem_tangent's zeros_like keeps it)
        return out
    d = np.asarray(d)
    out = np.zeros(d.shape[:1] + np.shape(ans), dtype=np.result_type(d.dtype, np.asarray(ans).dtype, np.float64))
    batch_write(out, index, d)
    return out


def _key(index: tuple):
    """The index a write's or read's parts make, as Python reads `y[i]` and `y[i, j]`: the one part itself, else
    the tuple of them (an array's indices; a dict's pair key, `M[0, 1]`)."""
    return index[0] if len(index) == 1 else index


def _objects(y) -> bool:
    """Is `y` an object array (`np.empty(n, dtype=object)` holding matrices), whose items are what is stored?"""
    return type(y) is np.ndarray and y.dtype.kind == "O"


def _ragged_items(items: list) -> bool:
    """Are `items` (a list's) of different shapes, or not all numbers and arrays, so that NumPy stacks no array of
    them?"""
    shapes = {np.shape(v) if isinstance(v, (np.ndarray, np.generic, float, int)) else None for v in items}
    return len(shapes) > 1 or None in shapes


def batch_setitem_base(d, *index):
    """Tangents of `y_1` in `y_1 = setitem(y, *index, v)` through `y`, with a leading batch axis (vector
    mode): the written entries zeroed (a copy); for a list (a list of batched tangents), its element."""
    if type(d) is np.ndarray and d.dtype == np.float64:  # (the common case, once per write a Hessian differentiates)
        out = d.copy()
        out[batch_key(index)] = 0.0
        return out
    if _zero(d):
        return 0.0
    if isinstance(d, (list, tuple)) and len(index) == 1 or isinstance(d, dict):  # (M[0, 1] of a dict: the pair)
        out = DictParts(d) if isinstance(d, dict) else Parts(d)
        out[_key(index)] = 0.0
        return out
    out = np.array(d, dtype=np.result_type(np.asarray(d).dtype, np.float64))
    out[batch_key(index)] = 0.0
    return out


def batch_setitem(d_base, d_value, ans, *index):
    """Tangents of `y_1 = setitem(y, *index, v)` from those of both `y` and `v` (vector mode): `d_base` with `d_value`
    written at `index` (a copy), as NumPy writes `v` into `y`. It is `batch_setitem_base(d_base, *index) +
    batch_setitem_tangent(d_value, ans, *index)` without the second array of zeros and the sum (None or a bare zero
    stands for zero tangents)."""
    if type(ans) is np.ndarray and ans.dtype.kind in "biu":
        d_value = None  # (an array of integers truncates v: no tangent flows through the write)
    if type(d_base) is np.ndarray and (isinstance(ans, list) or _objects(ans)) and len(index) == 1 and \
            _ragged_items(ans):  # (a list of numbers, its tangents stacked, given an array: its tangents item by item)
        d_base = Parts(d_base[:, i] for i in range(len(ans)))
    if isinstance(d_base, (tuple, list)) and (isinstance(ans, (tuple, list)) or _objects(ans)) and len(index) == 1:
        # a list's tangents part by part (its parts may differ in shape: [np.outer(x, x), x]): the one written
        out = list(d_base)
        out[index[0]] = np.zeros_like(d_base[index[0]]) if d_value is None or _zero(d_value) else d_value
        return type(d_base)(out) if type(d_base) in (tuple, list) else out
    if isinstance(d_base, dict) and isinstance(ans, dict):  # a key of a dict, the others kept (M[0, 1]: the pair)
        out, key = DictParts(d_base), _key(index)
        out[key] = batch_zeros(ans[key], d_base, bare=True) if d_value is None or _zero(d_value) else d_value
        return out
    if type(d_base) is np.ndarray and type(d_value) is np.ndarray and d_base.dtype == np.float64 and \
            d_value.dtype == np.float64 and d_base.shape[1:] == np.shape(ans):
        out = d_base.copy()  # (the common case: float tangents of the array written and of the value)
        batch_write(out, index, d_value)
        return out
    if d_value is None or _zero(d_value):
        return 0.0 if d_base is None else batch_setitem_base(d_base, *index)
    if d_base is None:
        return batch_setitem_tangent(d_value, ans, *index)
    return batch_setitem_base(d_base, *index) + batch_setitem_tangent(d_value, ans, *index)


def reused(g):
    """`g` itself: the adjoint an enclosing reversed loop copied for itself, which the loop inside it writes into
    in place (under a name of its own, as the copy it spares would have been): no copy per outer iteration."""
    return g


def batch_setitem_into(d_base, d_value, ans, *index):
    """`batch_setitem(d_base, d_value, ans, *index)` written into `d_base` itself where it is an array of float
    tangents shaped like `ans` (forward mode's own, which nothing else reads: ad/forward_writes.py); else a new one."""
    if type(d_base) is np.ndarray and d_base.dtype == np.float64 and d_base.flags.writeable and \
            type(ans) is np.ndarray and ans.dtype.kind == "f" and d_base.shape[1:] == ans.shape:
        if d_value is None or _zero(d_value):
            d_base[batch_key(index)] = 0.0
            return d_base
        if type(d_value) is np.ndarray and d_value.dtype == np.float64:
            if len(index) == 1 and type(index[0]) is slice and d_value.ndim == d_base.ndim:
                d_base[:, index[0]] = d_value  # (a slice written by a value of its rank: batch_write's result)
            else:
                batch_write(d_base, index, d_value)
            return d_base
    return batch_setitem(d_base, d_value, ans, *index)


def unshared(d, into):
    """The tangent `d` forward mode writes into the tangent array `into` in place (`dy[:, j] = dv`), copied where
    it may be a view of `into`: the value written was a new array (`y[:, j] = y[i] + 0.5`) whose tangent is the
    view dy[i], and NumPy does not buffer an overlapping write (ad/forward_writes.py). The identity."""
    if type(d) is np.ndarray and type(into) is np.ndarray and np.may_share_memory(d, into):
        return d.copy()
    return d


def tangent_copy(d, like):
    """A copy of the tangents `d` of `like` that a loop writes into in place (`dy[i] = dv`, ad/forward_writes.py):
    for an array, an array of floats shaped like it (a number standing for zeros, or a narrower tangent, spread
    over it); a list's or a dict's tangents in a new one."""
    if type(like) is np.ndarray:
        d = np.asarray(d)
        return np.array(np.broadcast_to(d, like.shape), dtype=np.result_type(d.dtype, np.float64))
    return copy_adjoint(d)


def setitem_adjoint(g, *index):
    """Adjoint of `y[index] = v` for `y`: `g` with the overwritten elements' entries zeroed (a copy)."""
    if _zero(g):
        return 0.0
    if isinstance(g, (list, tuple)) and len(index) == 1:  # a list adjoint stays one: its parts may differ in shape
        out = Parts(g)  # (the part is the written value's: the item it replaced may have had another shape, so an
        part = g[index[0]]  # array's or a number's zero is a bare 0.0; a container's keeps its parts, read later)
        out[index[0]] = zeros_like(part) if isinstance(part, (list, tuple, dict)) else 0.0
        return out
    if isinstance(g, dict):  # a key of a dict (M[0, 1]: the pair): its part zeroed, a bare 0.0 (the value written
        out = DictParts(g)   # there may differ in shape from the one it replaced)
        out[_key(index)] = 0.0
        return out
    out = np.array(g, dtype=np.result_type(np.asarray(g).dtype, np.float64))
    out[_key(index)] = 0.0
    return out


def add_at(acc, g, x, *index):
    """`acc + getitem_adjoint(g, x, *index)`, in place: an accumulator of x's adjoint in a reversed loop.

    `acc` starts as 0.0 (or a copy the loop owns); it becomes a float array shaped like `x`."""
    if type(acc) is OwnParts and type(x) is list and len(index) == 1 and type(g) in _FLOATS:
        i, n = index[0], len(x)  # (a list of numbers written by item in a reversed loop, `ys[k] = ys[k] * c`:
        if type(i) is int and len(acc) == n and -n <= i < n:  # once per write, its number's adjoint added)
            acc[i] = acc[i] + g
            return acc
    if type(acc) is np.ndarray and type(x) is np.ndarray and acc.shape == x.shape and acc.dtype.kind in "fc" \
            and acc.flags.writeable and x.dtype.kind != "O":
        pass  # (the common case first, once per reversed iteration: the loop's own float accumulator)
    elif isinstance(x, dict) and not isinstance(x, FieldParts):
        return _added_in_own(acc, g, x, index, OwnDictParts)
    elif type(x) is list and len(index) == 1 and type(index[0]) is int:
        return _added_in_own(acc, g, x, index, OwnParts)
    elif isinstance(x, (tuple, list, dict)) or _objects(x):  # (an object array's items: matrices, maybe)
        return acc + getitem_adjoint(g, x, *index)
    elif not isinstance(acc, np.ndarray) or acc.shape != np.shape(x) or not acc.flags.writeable or \
            acc.dtype.kind not in "fc":  # (an int array would truncate what is added)
        acc = np.broadcast_to(acc, np.shape(x)).astype(_adjoint_dtype(x))
    idx = _key(index)
    if type(idx) is int or _basic(idx):
        acc[idx] += g  # basic indexing: no repeated elements
    else:
        np.add.at(acc, idx, g)
    return acc


class _OwnAdjoint:
    """A container adjoint `rt.add_at` made itself (its accumulator's copy, or zeros, with the first read's adjoint
    added), which it adds each further read `x[i]` into in place: O(1) per read, where adding a container of zeros
    with g at i cost O(len(x)) (a comprehension reading every key of a dict, `{k: p[k] - lr * g[k] for k in p}`, or
    sorted()'s `[unsorted[i] for i in order]` read through the positions in a reversed loop: O(len(x)^2)). Anything
    else made of it is a new `plain` one (Parts, DictParts), as an array's arithmetic is a new array: `0.0 + g` too,
    which is g itself for a Parts or DictParts."""

    plain: type = None  # the container adjoint it is (Parts, DictParts)
    made_of: tuple = ()  # the types of `acc + getitem_adjoint(...)` that add_at takes as one of its own

    def _plain(self, out):
        return self.plain(out) if isinstance(out, _OwnAdjoint) else out

    def __add__(self, other):
        return self._plain(self.plain.__add__(self, other))

    __radd__ = __add__

    def _map(self, fn):
        return self._plain(self.plain._map(self, fn))


class OwnDictParts(_OwnAdjoint, DictParts):
    """A dict adjoint of add_at's own (_OwnAdjoint), added into at a key it holds."""

    plain, made_of = DictParts, (DictParts,)

    def holds(self, x, key) -> bool:
        return key in self


class OwnParts(_OwnAdjoint, Parts):
    """A list adjoint of add_at's own (_OwnAdjoint), added into at an int position of a list as long as it."""

    plain, made_of = Parts, (Parts, OnePart)

    whole = None  # the list x whose items' shapes the parts have (unbroadcast made them so), kept by a write

    def holds(self, x, i) -> bool:
        return len(self) == len(x) and -len(x) <= i < len(x)

    def shaped_as(self, x, structured):
        """`rt.unbroadcast(self, x)`: itself once its parts are shaped as x's items, else a new one that is. O(1)
        where a reversed loop writing a list by item (`P[t] = ...`) makes its adjoint whole each iteration, which
        built the list part by part (O(len(x)) an iteration), and add_at then added into a copy of that."""
        if self.whole is x:
            return self
        out = OwnParts(structured(a, v) for a, v in zip(self, x))
        out.whole = x
        return out

    def __setitem__(self, i, value):  # (a part written, `bP[t] = 0.0` or add_at's: shaped as the item at once)
        whole = self.whole
        if whole is not None:
            if type(i) is int and len(self) == len(whole):
                value = unbroadcast(value, whole[i])
            else:
                self.whole = None
        list.__setitem__(self, i, value)


_FLOATS = (float, np.float64)


def _added_in_own(acc, g, x, index, own: type):
    """`add_at(acc, g, x, *index)` for a dict x, or a list x read at an int: g added (in place) into the part of an
    adjoint add_at made, of type `own` (OwnDictParts, OwnParts), else `acc + getitem_adjoint(g, x, *index)` as a
    new one of that type."""
    key = _key(index)
    if type(acc) is own and acc.holds(x, key):
        if not _zero(g):
            acc[key] = acc[key] + g  # (the part rebound, never changed: another adjoint may hold that array)
        return acc
    out = acc + getitem_adjoint(g, x, *index)
    return own(out) if type(out) in own.made_of else out


def zero_at(g, *index):
    """`setitem_adjoint` in place, for an adjoint array the reverse sweep owns: O(1) per element write.

    Only where single elements were written (their adjoint was read as a number, a copy); a
    slice's adjoint was read as a view, so then the array is copied first, as setitem_adjoint does."""
    if not isinstance(g, np.ndarray) or not g.flags.writeable or g.dtype.kind not in "fc":
        if type(g) is OwnDictParts and len(index) == 1 and index[0] in g:  # (add_at's own, made by it and held by
            g[index[0]] = 0.0  # nothing else: zeroed in place, O(1), as add_at adds into it; a state dict written
            return g           # key by key in a reversed loop copied it twice per write, O(len(g)) each)
        if isinstance(g, (list, tuple, dict)):  # (a container's adjoint: a new one; its parts may differ in
            return setitem_adjoint(g, *index)   # shape, and it may be shared, as `0.0 + g` is g itself)
        return g if np.ndim(g) == 0 and g == 0 else setitem_adjoint(g, *index)
    idx = _key(index)
    if _basic(idx) and isinstance(g[idx], np.ndarray):  # (a view, even of one element: g[...] of a 0-d array,
        return setitem_adjoint(g, *index)               # g[..., 0]; a fancy index's part was read as a copy)
    g[idx] = 0.0
    return g
