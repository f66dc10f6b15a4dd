"""Adjoint values: unbroadcasting, the adjoints of containers (Parts, DictParts, FieldParts) and zeros.

These helpers, and those of the sibling modules, are spelled `rt.name` in generated code
(`from s2s import runtime as rt`, see `__init__.py`); the siblings build on this module.
"""
from __future__ import annotations

import copy
import dataclasses
import math
import warnings

import numpy as np

from s2s.errors import RuleError, S2SError

__all__ = ["unbroadcast", "unbroadcast_to_shape", "Parts", "TupleParts", "DictParts", "FieldParts", "is_record",
           "fields_of", "not_a_field", "zeros_like", "broadcast_tangent", "as_float", "adjoint_part"]


class Shape:
    """The shape of an array without its elements: what a reversed loop saves of a value it reads only
    for its shape (`rt.unbroadcast(g, v_shape)`, see rt.shape_of); np.shape and np.ndim read it as they
    read the array."""
    __slots__ = ("shape",)

    def __init__(self, shape: tuple):
        self.shape = shape

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self):
        return f"Shape({self.shape})"


def unbroadcast(g, x):
    """Sum the adjoint `g` back to the shape of `x`, undoing NumPy broadcasting."""
    tx = type(x)  # (generated code calls this once per adjoint of a binary operation: a number's adjoint into a
    tg = type(g)  # number, then arrays, by the types named at module level: ~40-110 ns of its ~0.1-0.5 us a call)
    if (tg is _NP_FLOAT64 or tg is float) and (tx is _NP_FLOAT64 or tx is float or tx is Shape and not x.shape):
        return g
    if tx is _NDARRAY or tx is Shape:
        shape = x.shape
    elif tx is _NP_FLOAT64 or tx is float or tx is int or isinstance(x, np.generic):
        if tg is _NP_FLOAT64 or tg is float:  # (an int, a float32)
            return g
        if isinstance(g, (tuple, list, dict)):  # x a bare 0.0 that stood for a container (a branch's zero adjoint)
            return g
        shape = ()
    elif isinstance(x, (tuple, list, dict)) or is_record(x):
        return _structured(g, x)
    else:
        shape = np.shape(x)  # a nested list of numbers
    if tg is _NDARRAY:
        if g.shape == shape:
            return g
        if not shape:  # an array's adjoint summed into a number (what unbroadcast_to_shape does, without its checks)
            if g.size < 8 and g.dtype is _FLOAT64:
                if g.ndim == 1:  # (_sum_small's loop, without its call)
                    total = 0.0
                    for v in g.tolist():
                        total += v
                    return _NP_FLOAT64(total)
                if g.flags.c_contiguous:
                    return _sum_small(g)
            return g.sum()
    elif tg is float or tg is _NP_FLOAT64:
        if not shape:
            return g
    elif not shape and isinstance(g, (tuple, list, dict)):  # x's Shape saved of a bare 0.0 that stood for a
        return g                                            # container (a loop's accumulator before its first add)
    elif np.shape(g) == shape:
        return g
    return unbroadcast_to_shape(g, shape)


_FLOAT64 = np.dtype(np.float64)
_NDARRAY, _NP_FLOAT64 = np.ndarray, np.float64


def _sum_small(g):
    """`g.sum()` of fewer than 8 float64 numbers (a vector, or an array in C order): NumPy adds them one after
    another from 0.0 (its pairwise summation starts at 8), so this loop gives the same bits (tests/
    test_reverse_helpers.py checks it), in a quarter of ndarray.sum's ~1 us."""
    total = 0.0
    for v in (g.tolist() if g.ndim == 1 else g.ravel().tolist()):
        total += v
    return _NP_FLOAT64(total)


def unbroadcast_to_shape(g, shape: tuple):
    """Sum `g` down to `shape` (then broadcast up, for a zero that stood for a whole array)."""
    shape = tuple(shape)
    if type(g) is np.ndarray and g.shape == shape and shape:  # (the common case: nothing to undo)
        return g
    g = np.asarray(g)
    extra = g.ndim - len(shape)
    if extra > 0:
        g = sum_axes(g, tuple(range(extra)), False)
    elif extra < 0:  # a bare 0.0 standing for a whole array: broadcast up below
        g = g.reshape((1,) * -extra + g.shape)
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = sum_axes(g, axes, True)
    if g.shape != shape:
        g = np.broadcast_to(g, shape).copy()
    return g if shape else g[()]


SUM_BY_PRODUCT = 1 << 16  # the longest sum a float64 reduction runs as a product with ones
_ONES = np.ones(0)


def _ones(n: int):
    """A read-only vector of n ones (a view of one kept array, grown as needed)."""
    global _ONES
    if _ONES.size < n:
        ones = np.ones(max(n, 2 * _ONES.size))
        ones.flags.writeable = False
        _ONES = ones
    return _ONES[:n]


def sum_axes(g, axes: tuple, keepdims: bool):
    """`g.sum(axis=axes, keepdims=keepdims)` for sorted axes. Over leading or trailing axes of a contiguous
    float64 array, a product with ones (BLAS): NumPy's reduction runs one short inner loop per element left,
    ~15 µs for (1000, 5) summed over either axis, where the product takes ~4 µs."""
    k, n = len(axes), g.ndim
    if 0 < k < n and g.dtype is _FLOAT64 and g.flags.c_contiguous:
        if axes == tuple(range(k)):
            m = math.prod(g.shape[:k])
            if 1 < m <= SUM_BY_PRODUCT:
                return np.reshape(_ones(m) @ g.reshape(m, -1), ((1,) * k if keepdims else ()) + g.shape[k:])
        elif axes == tuple(range(n - k, n)):
            m = math.prod(g.shape[n - k:])
            if 1 < m <= SUM_BY_PRODUCT:
                return np.reshape(g.reshape(-1, m) @ _ones(m), g.shape[:n - k] + ((1,) * k if keepdims else ()))
    return g.sum(axis=axes, keepdims=keepdims)


class _ScalesElementwise:
    """A container adjoint times a number (`2.0 * g` for `g + g`), or negated, is so part by part."""

    def __mul__(self, other):
        if isinstance(other, (list, tuple, dict)) or np.ndim(other) != 0:
            return NotImplemented
        return self._map(lambda v: v * other)

    def __rmul__(self, other):
        if isinstance(other, (list, tuple, dict)) or np.ndim(other) != 0:
            return NotImplemented
        return self._map(lambda v: other * v)

    def __neg__(self):
        return self._map(lambda v: -v)

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other


class _AddsElementwise(_ScalesElementwise):
    """`+` adds element by element (adding 0.0, no contribution yet, leaves it as is)."""

    def __add__(self, other):
        if isinstance(other, (list, tuple)):
            if len(other) != len(self):  # a derivative of `xs + [v]`, not a sum of two of one list
                raise _joined(self, other)
            if type(other) is OnePart and other.at is not None:  # (one element read: the rest copied, at C speed)
                return _added_at(type(self), self, other.at, other[other.at])
            if type(self) is OnePart and self.at is not None:
                return _added_at(Parts, other, self.at, self[self.at])
            return type(self)(a + b for a, b in zip(self, other))
        if np.ndim(other) == 0 and other == 0:
            return self
        return NotImplemented

    __radd__ = __add__

    def _map(self, fn):
        return type(self)(fn(v) for v in self)


def _joined(x, g):
    kind = "tuple" if isinstance(x, tuple) else "list"
    return S2SError(f"s2s does not differentiate joining lists or tuples with + or * where it cannot tell them from "
                    f"arrays (a {kind} of {len(x)} met one of {len(g)}): grow a list the function makes "
                    f"(ys = list(t), then ys.append(v); ys + zs as for v in zs: ys.append(v), which a recursive "
                    f"function's list takes too), or a tuple in a loop as t = t + (v,), or collect the values with "
                    f"np.stack or np.array")


class Parts(_AddsElementwise, list):
    """The adjoint of a list or tuple value: one adjoint per element.

    `+` adds element by element, so two contributions to the adjoint of one
    tuple (`s, l = np.linalg.slogdet(a)` with both parts used) sum correctly
    instead of concatenating. So do `+=` and `*=` (a reversed loop's `brows[k] += g` into the adjoint of a
    list of lists): list's own would extend or repeat the list in place.
    """

    def __iadd__(self, other):
        return self.__add__(other)

    def __imul__(self, other):
        return self.__mul__(other)


class OnePart(Parts):
    """The adjoint of one element read from a list, `xs[k]` (rt.getitem_adjoint): zeros but at `at`. Added to a
    list adjoint, it changes that one part of a copy, where adding part by part would cost a Python addition per
    element (a loop reading `traj[-1]` of a list it grows: each read's adjoint is a list of the current length).
    Any change in place makes it an ordinary Parts (`at` None)."""

    at = None

    def _changed(method):
        def changed(self, *args):
            self.at = None
            return method(self, *args)
        return changed

    __setitem__, __delitem__ = _changed(list.__setitem__), _changed(list.__delitem__)
    append, extend, insert, pop = _changed(list.append), _changed(list.extend), _changed(list.insert), \
        _changed(list.pop)
    remove, reverse, sort, clear = _changed(list.remove), _changed(list.reverse), _changed(list.sort), \
        _changed(list.clear)
    del _changed


def _added_at(kind, parts, at, value):
    """A copy of the list adjoint `parts` (of type `kind`) with `value` added to its part `at`."""
    out = list(parts)
    out[at] = out[at] + value
    return kind(out)


class TupleParts(_AddsElementwise, tuple):
    """The adjoint of a tuple argument: a tuple whose `+` adds element by element (see Parts). That of a namedtuple
    (zeros_like) is of a subclass knowing its class (`record`, kept by `+`): it reads a part by field name, as
    forward-mode code reads a record's tangent (`ds.x`), a class constant's as zero, as tangent_of_record's."""

    record = None

    def __getattr__(self, name):
        kind = self.record
        if kind is None or name.startswith("_"):
            raise AttributeError(name)
        if name in kind._fields:
            return self[kind._fields.index(name)]
        error = not_a_field(kind, name)
        if error is not None:
            raise error
        return 0.0


_RECORD_PARTS: dict = {}  # namedtuple class -> its TupleParts subclass


def _record_parts(kind: type) -> type:
    sub = _RECORD_PARTS.get(kind)
    if sub is None:
        sub = _RECORD_PARTS[kind] = type(kind.__name__ + "Parts", (TupleParts,), {"record": kind})
    return sub


class DictParts(_ScalesElementwise, dict):
    """The adjoint of a dict value: one adjoint per key; `+` adds key by key."""

    factory = None  # a defaultdict's default_factory

    def __init__(self, *args):  # (a copy of a defaultdict's keeps its factory: a key it lacks is read as the
        super().__init__(*args)   # zero of factory()'s value, and kept, as the defaultdict does)
        self.factory = getattr(args[0], "factory", None) if args else None

    def __missing__(self, key):
        if self.factory is None:
            raise KeyError(key)
        value = self[key] = zeros_like(self.factory())
        return value

    def _map(self, fn):
        return DictParts((k, fn(v)) for k, v in self.items())

    def __add__(self, other):
        if isinstance(other, dict):
            out = DictParts((k, v + other[k]) for k, v in self.items())
            out.factory = self.factory
            return out
        if np.ndim(other) == 0 and other == 0:
            return self
        return NotImplemented

    __radd__ = __add__


class FieldParts(DictParts):
    """The adjoint of a dataclass (a record of arrays): one adjoint per field, read as `g.W`; `+` adds field
    by field. The transformations hand it back to the caller as the dataclass itself.

    One made for a record (`zeros_like`) knows the record's class (`record`): the adjoint of `p.name`
    (rt.getattr_adjoint writes `out[name] = g`) where `name` is no field is refused, or dropped where it is a
    class constant (`EPS: ClassVar = 0.5`, into which no derivative flows), not kept under a key the
    dataclass given back would not have (a gradient of 0)."""

    record = None

    def __setitem__(self, name, value):
        if name not in self and self.record is not None:
            error = not_a_field(self.record, name)
            if error is None:
                return  # (a class constant)
            raise error
        dict.__setitem__(self, name, value)

    def __deepcopy__(self, memo):  # (the tangent of copy.deepcopy(p), rt.deep_copy's: the fields, then the class,
        out = FieldParts((k, copy.deepcopy(v, memo)) for k, v in self.items())  # which copy's own order, the class
        out.record = self.record  # first, made each field look like no field to `__setitem__`)
        return out

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            if self.record is None or name.startswith("__"):
                raise AttributeError(name) from None
        error = not_a_field(self.record, name)  # (the tangent of a record: api/tangents.tangent_of_record)
        if error is not None:
            raise error
        return zeros_like(getattr(self.record, name))  # (a class constant's tangent)

    def _map(self, fn):
        return FieldParts((k, fn(v)) for k, v in self.items())

    def __add__(self, other):
        if isinstance(other, dict):
            return FieldParts((k, v + other[k]) for k, v in self.items())
        if np.ndim(other) == 0 and other == 0:
            return self
        return NotImplemented

    __radd__ = __add__


def is_record(x) -> bool:
    """Is `x` a dataclass instance (a record whose fields are the leaves of a pytree)?"""
    if type(x) in _NOT_RECORDS:  # (numbers, arrays and plain containers first: a pytree walk asks of every leaf)
        return False
    return dataclasses.is_dataclass(x) and not isinstance(x, type)


def fields_of(x) -> list:
    return [f.name for f in dataclasses.fields(x)]


def not_a_field(kind: type, name: str):
    """For an attribute `name` of the record class `kind` that is not one of its fields: None where it is a class
    constant (plain data on the class, `EPS: ClassVar = 0.5`: no derivative flows into the fields), else the
    S2SError to raise (a property, an attribute `__post_init__` sets: functions of the fields that the
    generated code, which serves records of any class, did not follow)."""
    raw = _MISSING
    for owner in kind.__mro__:
        if name in owner.__dict__:
            raw = owner.__dict__[name]
            break
    if raw is not _MISSING and not isinstance(raw, property) and not hasattr(type(raw), "__get__"):
        return None
    what = "a property" if isinstance(raw, property) else \
        "an attribute its __init__ or __post_init__ sets" if raw is _MISSING else f"a {type(raw).__name__}"
    also = f", or make the function a method of {kind.__name__} (def loss(self, ...): ... self.{name}), whose " \
           f"properties s2s follows" if isinstance(raw, property) else ""
    return NotAFieldError(f"no derivative flows through .{name} of a {kind.__name__}: it is not one of its fields "
                          f"but {what}, and s2s differentiates a record through its fields (here the record is an "
                          f"argument, whose class is known only as the code runs): compute it from the fields "
                          f"where it is read{also}")


_MISSING = object()


class NotAFieldError(S2SError, AttributeError):
    """`not_a_field`'s error: an S2SError for the user, and the AttributeError Python's `hasattr(t, "shape")`
    and `getattr(t, name, default)` take as "no such attribute" where the runtime probes a record's tangent."""


def _structured(g, x):
    """`g` given the structure of `x` (a tuple for a tuple, a dict for a dict), each leaf unbroadcast."""
    if is_record(x):
        if not isinstance(g, dict):
            g = dict.fromkeys(fields_of(x), g)
        return FieldParts((k, _structured(g[k], getattr(x, k))) for k in fields_of(x))
    if isinstance(x, dict):
        if not isinstance(g, dict):
            g = dict.fromkeys(x, g)
        # (a key g lacks got no derivative: q['c'] = v of a copy q of an argument, seen from the argument's side)
        parts = DictParts((k, _structured(g.get(k, 0.0), v)) for k, v in x.items())
        if isinstance(x, FieldParts):  # (a record's adjoint, differentiated again: its fields read by name)
            parts = FieldParts(parts)
            parts.record = x.record
        return parts
    if isinstance(x, (tuple, list)):
        shaped = getattr(g, "shaped_as", None)  # add_at's own list adjoint (OwnParts): as it is, once shaped as x
        if shaped is not None and len(g) == len(x) and isinstance(x, list):
            return shaped(x, _structured)
        if type(g) is np.ndarray and g.ndim and x:
            shape = _shape_of_sequence(x)
            if shape is not None:  # NumPy read x as an array (`xs + a`): each part's adjoint is its own row
                if g.ndim == len(shape) and g.shape[0] != shape[0] and (len(shape) == 1 or shape[0] != 1):
                    raise _joined(x, g)  # (or `xs + ys` joined them; rows [[...]] broadcast on their first axis)
                g = list(unbroadcast_to_shape(g, shape))
        if not isinstance(g, (tuple, list)):
            g = [g] * len(x)
        elif len(g) != len(x):  # the adjoint of `xs + [v]` or `xs * 2`: the parts cannot be told apart here
            raise _joined(x, g)
        parts = [_structured(a, v) for a, v in zip(g, x)]
        return TupleParts(parts) if isinstance(x, tuple) else Parts(parts)
    return unbroadcast(g, x)


def _shape_of_sequence(x):
    """The shape NumPy gives the list or tuple `x` of numbers or arrays, or None where it gives none (ragged
    parts, dicts, records)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # (NumPy < 1.24 warns of a ragged sequence and makes an object array)
            array = np.asarray(x)
    except (ValueError, TypeError, Warning):
        return None
    return array.shape if array.dtype != object else None


def batch_key(index: tuple) -> tuple:
    """The index of `x[index]` into tangents with a leading batch axis, `(slice(None),) + index`, where a single
    tuple index (`K[ij]` with ij = (rows, cols)) is spread as NumPy reads it: K[ij] is K[rows, cols]."""
    if len(index) == 1 and type(index[0]) is tuple:
        index = index[0]
    return (slice(None),) + index


def batch_front(index: tuple) -> int:
    """How many axes NumPy puts before the batch axis of `d[batch_key(index)]`: advanced indices (arrays, lists,
    bools, and ints among them) that a slice, `...` or None separates move their axes to the front of the
    result (x[0, :, [1, 1, 0]] has shape (3, ...)), ahead of the batch axis too; 0 where they stay in place."""
    if len(index) == 1 and type(index[0]) is tuple:
        index = index[0]
    arrays = [i for i, v in enumerate(index) if _advanced_array(v)]
    if not arrays:
        return 0
    places = [i for i, v in enumerate(index) if i in arrays or _integer(v)]
    if places[-1] - places[0] + 1 == len(places):
        return 0  # (next to each other: their axes replace them where they are)
    return len(np.broadcast_shapes(*(_advanced_shape(index[i]) for i in places)))


def _advanced_array(v) -> bool:
    return isinstance(v, (list, tuple, np.ndarray, bool, np.bool_)) and not (isinstance(v, np.ndarray) and v.ndim == 0
                                                                     and v.dtype.kind in "iu")


def _integer(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) or \
        isinstance(v, np.ndarray) and v.ndim == 0 and v.dtype.kind in "iu"


def _advanced_shape(v) -> tuple:
    """The shape an advanced index contributes to the broadcast: a mask's its count of True entries."""
    a = np.asarray(v)
    return (int(np.count_nonzero(a)),) if a.dtype == bool else a.shape


def batch_read(d, index: tuple):
    """`d[batch_key(index)]` with the batch axis first, where NumPy moved separated advanced indices' axes before
    it."""
    out = d[batch_key(index)]
    front = batch_front(index)
    return np.moveaxis(out, front, 0) if front else out


def batch_write(out, index: tuple, d) -> None:
    """`out[batch_key(index)] = d`, `d` holding a batch of values for `x[index]` (batch axis first, broadcast to
    the written part as NumPy broadcasts a value there), its batch axis put where NumPy's indexing puts it."""
    key = batch_key(index)
    front = batch_front(index)
    rank = out[key].ndim  # (the written part, batch axis included: a value that broadcast gets its axes)
    if d.ndim < rank:
        d = d.reshape(d.shape[:1] + (1,) * (rank - d.ndim) + d.shape[1:])
    elif d.ndim > rank and not any(n != 1 for n in d.shape[1:1 + d.ndim - rank]):
        d = d.reshape(d.shape[:1] + d.shape[1 + d.ndim - rank:])  # (NumPy drops a value's leading unit axes: y[0] = v
        #                                                            of shape (1, 3), an RNN's hs[t] = h of (1, H))
    out[key] = np.moveaxis(d, 0, front) if front else d


def zeros_like(x):
    """A zero adjoint with the structure of `x`: 0.0 for a number, a float array for an array."""
    if type(x) is np.ndarray:  # (the common case first: an adjoint buffer, optimize/scatter.py)
        dtype = x.dtype
        if dtype is _FLOAT64:
            return np.zeros(x.shape)
        if dtype.kind == "O":  # (np.empty(n, dtype=object) holding matrices: each item's zero, as a list's)
            out = np.empty(x.shape, dtype=object)
            for i in np.ndindex(x.shape):
                out[i] = zeros_like(x[i])
            return out
        return np.zeros(x.shape, dtype=np.float64 if dtype == np.float64 else np.result_type(dtype, np.float64))
    if type(x) in _PLAIN_NUMBERS:
        return 0.0
    if is_record(x):
        out = FieldParts((k, zeros_like(getattr(x, k))) for k in fields_of(x))
        out.record = type(x)
        return out
    if isinstance(x, FieldParts):  # (the adjoint of a record, differentiated again)
        out = FieldParts((k, zeros_like(v)) for k, v in x.items())
        out.record = x.record
        return out
    if isinstance(x, dict):
        out = DictParts((k, zeros_like(v)) for k, v in x.items())
        out.factory = getattr(x, "default_factory", x.factory if type(x) is DictParts else None)  # (d[k] += v)
        return out
    if isinstance(x, tuple):
        kind = type(x) if isinstance(x, TupleParts) else _record_parts(type(x)) if hasattr(x, "_fields") else TupleParts
        return kind(zeros_like(v) for v in x)
    if isinstance(x, list):
        kinds = set(map(type, x))
        if kinds <= _PLAIN_NUMBERS:  # (a list of numbers, as a trajectory grown in a loop: at C speed)
            return Parts([0.0] * len(x))
        if kinds == _ARRAYS and len(x) > 1:  # (float arrays of one shape, the states of a trajectory: the rows of
            shape = x[0].shape               # one new buffer, each its own memory, ~10x fewer allocations)
            if all(v.shape == shape and v.dtype is _FLOAT64 for v in x):
                return Parts(np.zeros((len(x),) + shape))
        return Parts(zeros_like(v) for v in x)
    if isinstance(x, np.ndarray):
        return np.zeros(x.shape, dtype=np.result_type(x.dtype, np.float64))
    return 0.0


_PLAIN_NUMBERS = frozenset((float, int, bool, np.float64, np.float32, np.int64, np.bool_))  # (zero: 0.0)
_ARRAYS = {np.ndarray}
_NOT_RECORDS = _PLAIN_NUMBERS | {np.ndarray, list, tuple, dict, Parts, TupleParts, DictParts, type(None), str}


def _zero(g) -> bool:
    """Is `g` the bare 0.0 an adjoint sweep uses for "no contribution on this path" (not an array)?"""
    return isinstance(g, (int, float, np.number)) and g == 0


def broadcast_tangent(d, ans):
    """Forward mode: the tangent `d` of an operand widened to the shape of the result `ans` of an
    elementwise operation that broadcast the operand (as `x + y` widens a scalar `y`). The tangents of a list
    that NumPy read as an array (`xs + a`) become that array: a list would be joined by `2 * d`. The adjoint of a
    tuple (Parts: `bt = rt.getitem_adjoint(bv, t, 1) + rt.getitem_adjoint(bw, t, 0)`) is no array: its tangent
    is widened part by part."""
    if isinstance(ans, _AddsElementwise) and isinstance(d, (list, tuple)) and len(d) == len(ans):
        return type(ans)(broadcast_tangent(p, q) for p, q in zip(d, ans))
    if isinstance(d, (list, tuple)):
        if isinstance(ans, (list, tuple)) and len(d) != len(ans):  # Python joined or repeated lists: no arithmetic
            raise _joined(d, ans)
        d = tangent_as_array(d)
    if np.shape(d) == np.shape(ans):
        return d
    return np.broadcast_to(d, np.shape(ans))


def tangent_as_array(d, batched=False):
    """The tangents `d` of a list or tuple of numbers or arrays as the one array NumPy makes of the sequence,
    its parts' tangents (a bare 0.0 for a constant part) widened to one shape; with `batched`, each part's
    tangents have a leading batch axis, which stays first."""
    parts = [tangent_as_array(p, batched) if isinstance(p, (list, tuple)) else np.asarray(p) for p in d]
    zero = [p.ndim == 0 and p == 0 for p in parts] if batched else [False] * len(parts)
    shapes = [p.shape for p, z in zip(parts, zero) if not z]
    if not shapes:
        return 0.0
    shape = np.broadcast_shapes(*shapes)
    return np.stack([np.broadcast_to(p, shape) for p in parts], axis=1 if batched else 0)


def as_float(g):
    """A gradient that could hold ints or bools (y, the gradient of x * y, in f(2, 3)) as floats."""
    if isinstance(g, np.ndarray):
        return g if g.dtype.kind in "fc" else g.astype(float)
    return g if isinstance(g, (float, complex)) else float(g)


def adjoint_part(adjoints, i, x):
    """Argument `i`'s adjoint from a user rule's tuple: zero for None, summed back to `x`'s shape."""
    if not isinstance(adjoints, (tuple, list)):
        raise RuleError(f"an s2s.adjoint rule must return a tuple (one adjoint per positional argument), "
                        f"got {type(adjoints).__name__}: write return (adjoint,) for one argument, "
                        f"return (adjoint_x, adjoint_y) for two, None for an argument with no derivative")
    if i >= len(adjoints):
        raise RuleError(f"an s2s.adjoint rule returned {len(adjoints)} adjoint(s), but the call passes argument "
                        f"{i + 1}: return one adjoint per positional argument, None for an argument with no "
                        f"derivative")
    g = adjoints[i]
    if isinstance(g, Exception):  # (a part the rule could not make, raised where the argument has a derivative)
        raise g
    return zeros_like(x) if g is None else unbroadcast(g, x)
