"""The basic helpers generated code calls: unbroadcasting, adjoints of indexing and products, checks.

All of them, and those of the sibling modules, are spelled `rt.name` in generated code
(`from s2s import runtime as rt`, see `__init__.py`)."""
from __future__ import annotations

import re
import sys

import dataclasses

import numpy as np


def unbroadcast(g, x):
    """Sum the adjoint `g` back to the shape of `x`, undoing NumPy broadcasting."""
    tx = type(x)  # (generated code calls this once per adjoint of a binary operation: arrays and floats first)
    if tx is np.ndarray:
        shape = x.shape
    elif tx is float or tx is int or isinstance(x, np.generic):
        shape = ()
    elif isinstance(x, (tuple, list, dict)) or is_record(x):
        return _structured(g, x)
    else:
        shape = np.shape(x)  # a Shape, a nested list of numbers
    tg = type(g)
    if (g.shape if tg is np.ndarray else () if tg is float else np.shape(g)) == shape:
        return g
    return unbroadcast_to_shape(g, shape)


def unbroadcast_to_shape(g, shape: tuple):
    """Sum `g` down to `shape` (then broadcast up, for a zero that stood for a whole array)."""
    shape = tuple(shape)
    g = np.asarray(g)
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    elif extra < 0:  # a bare 0.0 standing for a whole array: broadcast up below
        g = g.reshape((1,) * -extra + g.shape)
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if g.shape != shape:
        g = np.broadcast_to(g, shape).copy()
    return g if shape else g[()]


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
            return type(self)(a + b for a, b in zip(self, other))
        if np.ndim(other) == 0 and other == 0:
            return self
        return NotImplemented

    __radd__ = __add__

    def _map(self, fn):
        return type(self)(fn(v) for v in self)


def _joined(x, g):
    from s2s.errors import S2SError
    kind = "tuple" if isinstance(x, tuple) else "list"
    return S2SError(f"s2s does not differentiate joining lists or tuples with + or * (a {kind} of "
                    f"{len(x)} met one of {len(g)}): collect the values with np.stack or np.array, or write them "
                    f"into a preallocated array (xs[t] = v)")


class Parts(_AddsElementwise, list):
    """The adjoint of a list or tuple value: one adjoint per element.

    `+` adds element by element, so two contributions to the adjoint of one
    tuple (`s, l = np.linalg.slogdet(a)` with both parts used) sum correctly
    instead of concatenating.
    """


class TupleParts(_AddsElementwise, tuple):
    """The adjoint of a tuple argument: a tuple whose `+` adds element by element (see Parts)."""


class DictParts(_ScalesElementwise, dict):
    """The adjoint of a dict value: one adjoint per key; `+` adds key by key."""

    def _map(self, fn):
        return DictParts((k, fn(v)) for k, v in self.items())

    def __add__(self, other):
        if isinstance(other, dict):
            return DictParts((k, v + other[k]) for k, v in self.items())
        if np.ndim(other) == 0 and other == 0:
            return self
        return NotImplemented

    __radd__ = __add__


class FieldParts(DictParts):
    """The adjoint of a dataclass (a record of arrays): one adjoint per field, read as `g.W`; `+` adds field
    by field. The transformations hand it back to the caller as the dataclass itself."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

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
    return dataclasses.is_dataclass(x) and not isinstance(x, type)


def fields_of(x) -> list:
    return [f.name for f in dataclasses.fields(x)]


def getattr_adjoint(g, x, name):
    """Adjoint of `x.name`: for a dataclass `x`, `g` at field `name` and zeros at the others; for a namedtuple,
    `g` at that element."""
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return getitem_adjoint(g, x, x._fields.index(name))
    if not is_record(x) and not isinstance(x, FieldParts):
        from s2s.errors import S2SError
        raise S2SError(f"no derivative flows through the attribute .{name} of a {type(x).__name__}: s2s "
                       f"differentiates attributes of dataclasses and namedtuples (pass the data as an argument)")
    out = zeros_like(x)
    out[name] = g
    return out


def _structured(g, x):
    """`g` given the structure of `x` (a tuple for a tuple, a dict for a dict), each leaf unbroadcast."""
    if is_record(x):
        if not isinstance(g, dict):
            g = dict.fromkeys(fields_of(x), g)
        return FieldParts((k, _structured(g[k], getattr(x, k))) for k in fields_of(x))
    if isinstance(x, dict):
        if not isinstance(g, dict):
            g = dict.fromkeys(x, g)
        return DictParts((k, _structured(g[k], v)) for k, v in x.items())
    if isinstance(x, (tuple, list)):
        if not isinstance(g, (tuple, list)):
            g = [g] * len(x)
        elif len(g) != len(x):  # the adjoint of `xs + [v]` or `xs * 2`: the parts cannot be told apart here
            raise _joined(x, g)
        parts = [_structured(a, v) for a, v in zip(g, x)]
        return TupleParts(parts) if isinstance(x, tuple) else Parts(parts)
    return unbroadcast(g, x)


def zeros_like(x):
    """A zero adjoint with the structure of `x`: 0.0 for a number, a float array for an array."""
    if is_record(x):
        return FieldParts((k, zeros_like(getattr(x, k))) for k in fields_of(x))
    if isinstance(x, FieldParts):  # (the adjoint of a record, differentiated again)
        return FieldParts((k, zeros_like(v)) for k, v in x.items())
    if isinstance(x, dict):
        return DictParts((k, zeros_like(v)) for k, v in x.items())
    if isinstance(x, tuple):
        return TupleParts(zeros_like(v) for v in x)
    if isinstance(x, list):
        return Parts(zeros_like(v) for v in x)
    if isinstance(x, np.ndarray):
        return np.zeros(x.shape, dtype=np.result_type(x.dtype, np.float64))
    return 0.0


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


def _zero(g) -> bool:
    """Is `g` the bare 0.0 an adjoint sweep uses for "no contribution on this path" (not an array)?"""
    return isinstance(g, (int, float, np.number)) and g == 0


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
    if _zero(g):
        return zeros_like(a)
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast(g * b, a)
    if np.ndim(a) <= 2 and np.ndim(b) <= 2:
        return matmul_adjoint_a(g, a, b)
    return _dot_nd_a(g, a, b)


def dot_adjoint_b(g, a, b):
    """Adjoint of `np.dot(a, b)` with respect to `b`."""
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


def getitem_adjoint(g, x, *index):
    """Adjoint of `x[index]`: `g` placed at `index` in zeros shaped like `x` (repeated indices add up)."""
    idx = index[0] if len(index) == 1 else index
    if isinstance(x, (tuple, list, dict)):
        x[idx]  # out of range: the IndexError (KeyError) that reading it raises, not one about assigning
        out = zeros_like(x)  # (Tuple/Dict)Parts: the container's type, `+` adds element by element
        if isinstance(out, TupleParts):
            parts = list(out)
            parts[idx] = g
            return TupleParts(parts)
        out[idx] = g
        return out
    out = np.zeros(np.shape(x), dtype=np.result_type(np.asarray(x).dtype, np.float64))
    if _basic(idx):  # ints and slices select each element at most once: a plain write adds it
        out[idx] = g
    else:
        np.add.at(out, idx, g)
    return out


def _basic(index) -> bool:
    """Is `index` basic indexing (ints, slices, `...`, None), which never selects an element twice?"""
    if type(index) is tuple:
        return all(_basic(i) for i in index)
    return type(index) in (int, slice) or index is None or index is Ellipsis


def copy_adjoint(g):
    """A copy of an array adjoint that a reversed loop will add into in place (`add_at`); the adjoint of
    a number, tuple, list or dict is added to functionally and needs none."""
    return g.copy() if isinstance(g, np.ndarray) else g


def setitem_value_adjoint(g, *index):
    """Adjoint of `v` in `y[index] = v`: `g[index]`, where an element written twice (a repeated fancy
    index) takes it only at the write that stuck, as NumPy's assignment left it."""
    idx = index[0] if len(index) == 1 else index
    part = np.asarray(g)[idx]
    labels = np.arange(np.size(part)).reshape(np.shape(part))
    winner = np.full(np.shape(g), -1)
    winner[idx] = labels
    return np.where(winner[idx] == labels, part, 0.0)


def setitem_tangent(d, ans, *index):
    """Tangent contribution of `v` in `y[index] = v`: `d` written at `index` into zeros, as NumPy writes."""
    if isinstance(ans, (list, tuple)) and len(index) == 1:  # an element of a list adjoint (an accumulator)
        out = Parts(zeros_like(v) for v in ans)
        out[index[0]] = d
        return out
    out = np.zeros(np.shape(ans), dtype=np.result_type(np.asarray(ans).dtype, np.float64))
    out[index[0] if len(index) == 1 else index] = d
    return out


def setitem_adjoint(g, *index):
    """Adjoint of `y[index] = v` for `y`: `g` with the overwritten elements' entries zeroed (a copy)."""
    if _zero(g):
        return 0.0
    if isinstance(g, (list, tuple)) and len(index) == 1:  # a list adjoint stays one: its parts may differ in shape
        out = Parts(g)
        out[index[0]] = zeros_like(g[index[0]])
        return out
    out = np.array(g, dtype=np.result_type(np.asarray(g).dtype, np.float64))
    out[index[0] if len(index) == 1 else index] = 0.0
    return out


def add_at(acc, g, x, *index):
    """`acc + getitem_adjoint(g, x, *index)`, in place: an accumulator of x's adjoint in a reversed loop.

    `acc` starts as 0.0 (or a copy the loop owns); it becomes a float array shaped like `x`."""
    if isinstance(x, (tuple, list, dict)):
        return acc + getitem_adjoint(g, x, *index)
    if not isinstance(acc, np.ndarray) or acc.shape != np.shape(x) or not acc.flags.writeable or \
            not np.issubdtype(acc.dtype, np.inexact):  # (an int array would truncate what is added)
        acc = np.broadcast_to(acc, np.shape(x)).astype(np.result_type(np.asarray(x).dtype, np.float64))
    idx = index[0] if len(index) == 1 else index
    if isinstance(idx, (int, np.integer, slice)) or (isinstance(idx, tuple) and all(
            isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in idx)):
        acc[idx] += g  # basic indexing: no repeated elements
    else:
        np.add.at(acc, idx, g)
    return acc


def zero_at(g, *index):
    """`setitem_adjoint` in place, for an adjoint array the reverse sweep owns: O(1) per element write.

    Only where single elements were written (their adjoint was read as a number, a copy); a
    slice's adjoint was read as a view, so then the array is copied first, as setitem_adjoint does."""
    if not isinstance(g, np.ndarray) or not g.flags.writeable or not np.issubdtype(g.dtype, np.inexact):
        return g if np.ndim(g) == 0 and g == 0 else setitem_adjoint(g, *index)
    idx = index[0] if len(index) == 1 else index
    if np.ndim(g[idx]) != 0:
        return setitem_adjoint(g, *index)
    g[idx] = 0.0
    return g


def transpose_adjoint(g, axes=None):
    """Adjoint of `np.transpose(x, axes)`: transpose back with the inverse permutation."""
    if axes is None:
        return np.transpose(g)
    return np.transpose(g, np.argsort(axes))



def adjoint_part(adjoints, i, x):
    """Argument `i`'s adjoint from a user rule's tuple: zero for None, summed back to `x`'s shape."""
    if not isinstance(adjoints, (tuple, list)):
        raise TypeError(f"an s2s.adjoint rule must return a tuple (one adjoint per positional argument), "
                        f"got {type(adjoints).__name__}: write return (adjoint,) for one argument, "
                        f"return (adjoint_x, adjoint_y) for two, None for an argument with no derivative")
    if i >= len(adjoints):
        raise TypeError(f"an s2s.adjoint rule returned {len(adjoints)} adjoint(s), but the call passes argument "
                        f"{i + 1}: return one adjoint per positional argument, None for an argument with no "
                        f"derivative")
    g = adjoints[i]
    return zeros_like(x) if g is None else unbroadcast(g, x)


def forward_gradient(jvp, args, positions, single=True, value=False):
    """The gradient of a scalar function from its forward-mode `jvp(*args, *tangents)`: one sweep per
    element of each argument in `positions` (one sweep for a number)."""
    grads = []
    result = None
    zeros = [zeros_like(args[p]) for p in positions]
    for k, p in enumerate(positions):
        x = args[p]
        shape = np.shape(x)
        out = np.zeros(shape)
        for idx in np.ndindex(*shape):
            tangents = list(zeros)
            if shape:
                basis = np.zeros(shape)
                basis[idx] = 1.0
                tangents[k] = basis
            else:
                tangents[k] = 1.0
            result, tangent = jvp(*args, *tangents)
            require_scalar(result)
            out[idx] = tangent
        grads.append(out if isinstance(x, np.ndarray) else float(out))
    grad = grads[0] if single else tuple(grads)
    if value:
        if result is None:
            result = jvp(*args, *zeros)[0]
        return result, grad
    return grad


def sum_builtin_adjoint(g, xs):
    """Adjoint of the builtin `sum(xs)`: each element (each row of an array) receives `g`."""
    if isinstance(xs, (list, tuple)):
        return Parts([g] * len(xs)) if isinstance(xs, list) else TupleParts([g] * len(xs))
    return np.broadcast_to(g, np.shape(xs)).copy()


def sum_builtin_tangent(d):
    """Tangent of the builtin `sum(xs)` from the tangent `d` of xs (a list of tangents, or an array)."""
    if isinstance(d, (list, tuple)):
        return sum(d)
    return np.sum(d, axis=0)


def require_scalar(*values):
    """`grad` needs a scalar result: raise the error that names `vjp` otherwise.

    Called with the result, or with the arguments that make the result a scalar
    whenever they are scalars (so the forward values need not be kept for it)."""
    for value in values:
        if np.ndim(value) != 0:
            raise ValueError(f"grad needs a function with a scalar result, but this call's result is not a "
                             f"scalar (a value of shape {np.shape(value)} flows into it): reduce it to a number "
                             f"(np.sum, np.mean, a norm), or use s2s.vjp (a pullback) or s2s.jacobian (every "
                             f"derivative) for an array result")


def require_immutable(value, statement):
    """`statement` (`y += v`) rebinds a number, as Python does. On an ndarray NumPy would write in place
    into an array that something else still refers to (the caller's argument, module data, another name, a
    view or a container): s2s refuses that rather than differentiate something else."""
    if isinstance(value, np.ndarray):
        from s2s.errors import S2SError
        statement = re.sub(r"\s+#[^'\"]*$", "", statement)  # the line's comment is not part of the statement
        raise S2SError(f"'{statement}' would change an array in place that something else still refers to "
                       f"(the caller's argument, another name for it, or the array it is a view of), and "
                       f"s2s follows values, not shared arrays: write it as a new value ('{_rebound(statement)}'), "
                       f"or copy the array first")


def _rebound(statement: str) -> str:
    """`x += v` written as `x = x + v`."""
    target, op, value = statement.partition("=")
    target, op = target.rstrip()[:-1].rstrip(), target.rstrip()[-1:]
    for two in ("**", "//", ">>", "<<"):
        if target.endswith(two[0]) and op == two[1]:
            target, op = target[:-1].rstrip(), two
    return f"{target} = {target} {op} {value.strip()}"


def broadcast_tangent(d, ans):
    """Forward mode: the tangent `d` of an operand widened to the shape of the result `ans` of an
    elementwise operation that broadcast the operand (as `x + y` widens a scalar `y`)."""
    if np.shape(d) == np.shape(ans):
        return d
    return np.broadcast_to(d, np.shape(ans))



def require_bound(bound, name):
    """Raise the UnboundLocalError Python raises for reading `name` before it is assigned."""
    if not bound:
        raise UnboundLocalError(_UNBOUND_MESSAGE.format(name))


_UNBOUND_MESSAGE = ("cannot access local variable '{}' where it is not associated with a value"
                    if sys.version_info >= (3, 11) else "local variable '{}' referenced before assignment")


def as_float(g):
    """A gradient that could hold ints or bools (y, the gradient of x * y, in f(2, 3)) as floats."""
    if isinstance(g, np.ndarray):
        return g if g.dtype.kind in "fc" else g.astype(float)
    return g if isinstance(g, (float, complex)) else float(g)


def require_number(value, transform, fname, where):
    """The result of a differentiated function must be a number (for `vjp`, `jvp` and `jacobian`, also an
    array of numbers or a tuple/list/dict of them): None, a string or a bool has no derivative, and s2s says
    so rather than return a derivative of 0. Generated code calls this only where the result could be such
    a value (a constant, a comparison, `not`, or a join of those); `where` is the line of `fname` that returns it."""
    bad = _not_a_number(value)
    if bad is None:
        return
    from s2s.errors import ResultTypeError
    what, leaf = bad
    if leaf is None:
        advice = "return a number on every path"
    elif isinstance(leaf, (bool, np.bool_)) or (isinstance(leaf, np.ndarray) and leaf.dtype == bool):
        advice = ("return a float: a test has no derivative (float(...) of it has derivative 0; "
                  "to differentiate through it, return the value it chooses)")
    else:
        advice = "return a float"
    needs = "a number" if transform in ("grad", "value_and_grad", "hessian") else \
        "numbers or arrays of numbers (or a tuple, list or dict of them)"
    raise ResultTypeError(f"{transform} needs a function returning {needs}; {fname} returned {what} "
                          f"at {where}, which has no derivative: {advice}", transform)


def _not_a_number(value):
    """None for a number, a numeric array or a container of them; else (how to name value, bad leaf)."""
    if isinstance(value, (bool, np.bool_)):
        return f"a bool ({value})", value
    if value is None:
        return "None", None
    if isinstance(value, (int, float, complex, np.number)):
        return None
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iufcO":
            return None
        return f"an array of dtype {value.dtype}", value
    if isinstance(value, (tuple, list, dict)):
        kind = type(value).__name__
        for item in (value.values() if isinstance(value, dict) else value):
            bad = _not_a_number(item)
            if bad is not None:
                return f"a {kind} holding {bad[0]}", bad[1]
        return None
    text = repr(value)
    return f"a {type(value).__name__} ({text if len(text) <= 40 else text[:37] + '...'})", value


def power_slope(x, y, k=1):
    """The k-th derivative of `x ** y` with respect to x, y * (y - 1) * ... * (y - k + 1) * x ** (y - k),
    for an exponent y known only at run time: 0 where the coefficient is 0 (x ** n for an integer n < k
    has a zero k-th derivative), also at x = 0 where the formula reads 0 * 0 ** -1."""
    coefficient = 1.0
    for j in range(k):
        coefficient = coefficient * (y - j)
    if np.ndim(x) == 0 and np.ndim(y) == 0:
        if coefficient == 0:
            return 0.0
        return coefficient * x ** (y - k)
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = coefficient * np.power(np.asarray(x, dtype=float), y - k)
    return np.where(np.equal(coefficient, 0), 0.0, slope)


def power_slope_dy(x, y, k=1):
    """d/dy of power_slope(x, y, k) = c(y) * x ** (y - k): c'(y) * x ** (y - k) + c(y) * x ** (y - k) * log(x)
    (a mixed second derivative of x ** y), with log(0) read as 0 as in log_or_zero."""
    factors = [y - j for j in range(k)]
    coefficient = np.prod(factors, axis=0) if k else 1.0
    slope = sum(np.prod([f for i, f in enumerate(factors) if i != j], axis=0) for j in range(k))
    with np.errstate(divide="ignore", invalid="ignore"):
        power = np.power(np.asarray(x, dtype=float), np.asarray(y, dtype=float) - k)
        out = slope * power + coefficient * power * log_or_zero(x)
    return float(out) if np.ndim(out) == 0 else out


def sign(x):
    """`np.sign(x)`, also of a bool: the derivative of abs where `x` may be a comparison's result that
    reached abs through `and`/`or` (`abs(y > 1 or z)`); that path carries no derivative."""
    if isinstance(x, (bool, np.bool_)) or getattr(x, "dtype", None) == np.bool_:
        return np.zeros(np.shape(x)) if np.ndim(x) else 0.0
    return np.sign(x)


def ratio_or_zero(x, y):
    """`x / y`, and 0 where y is 0: the derivative of hypot (x / hypot(x, y)) at the origin, a kink where s2s
    takes 0 (docs/limitations.md, Kinks) rather than divide by zero."""
    if np.ndim(x) == 0 and np.ndim(y) == 0:
        return 0.0 if y == 0 else x / y
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.equal(y, 0), 0.0, np.divide(x, np.where(np.equal(y, 0), 1.0, y)))


def log_or_zero(x):
    """`log(x)` in d(x ** y)/dy = x ** y * log(x), with 0 where x is 0: 0 ** y is 0 for every y > 0, a
    constant, where the formula would read 0 * log(0) (nan)."""
    if np.ndim(x) == 0:
        return 0.0 if x == 0 else np.log(x)
    with np.errstate(divide="ignore"):
        return np.where(np.equal(x, 0), 0.0, np.log(np.where(np.equal(x, 0), 1.0, x)))


# ---------------------------------------------------------------- lists the function grows: xs.append(v), xs + [v]
def appended(xs, v):
    """`xs + [v]`: a new list (the function's `xs.append(v)`; the old list stays as it was, for the adjoint)."""
    return xs + [v]


def appended_adjoint(g):
    """Adjoint of `appended(xs, v)` for `xs`: all but the last part of the list adjoint `g` (an array: its rows;
    a number: the same for every part)."""
    if isinstance(g, (list, tuple)):
        return Parts(g[:-1])
    return g[:-1] if np.ndim(g) > 0 else g


def appended_item_adjoint(g):
    """Adjoint of `appended(xs, v)` for `v`: the last part of the list adjoint `g` (an array: its last row; a
    number: the same for every part)."""
    return g[-1] if isinstance(g, (list, tuple)) or np.ndim(g) > 0 else g


def appended_tangent(dxs, dv, xs, v):
    """Tangent of `appended(xs, v)` (None: no tangent; zeros of that part's structure)."""
    return Parts(list(zeros_like(xs) if dxs is None else dxs) + [zeros_like(v) if dv is None else dv])


def appended_adjoint_transpose(G, g):
    """The transpose of `appended_adjoint(., xs)` at `g` (a list adjoint one longer): G's parts, then a zero."""
    parts = list(G) if isinstance(G, (list, tuple)) else [G] * (len(g) - 1)
    return Parts(parts + [zeros_like(g[-1])])


def appended_item_transpose(G, g):
    """The transpose of `appended_item_adjoint(., v)` at `g`: zeros, then G as the last part."""
    return Parts([zeros_like(p) for p in g[:-1]] + [G])


# ---------------------------------------------------------------- dicts the function writes out: {"w": w, "b": b}
def dict_of(keys, *values):
    """`{keys[0]: values[0], ...}`: a dict display of the function (generated as the display itself)."""
    return dict(zip(keys, values))


def dict_part(g, keys, i):
    """Adjoint of `dict_of(keys, *values)` for value i: the part of the dict adjoint `g` at keys[i] (0.0: none)."""
    return g[keys[i]] if isinstance(g, dict) else g


def dict_tangent(keys, *parts):
    """Tangent of `dict_of(keys, *values)` from `parts`: the values' tangents, then the values (a tangent None:
    zeros of that value's structure)."""
    n = len(keys)
    return DictParts((k, zeros_like(v) if t is None else t) for k, t, v in zip(keys, parts[:n], parts[n:]))


def require_length(values, lo, hi, name):
    """`f(*values)` for the helper `name` taking from `lo` to `hi` (None: any number) more positional values:
    the TypeError Python raises when `values` holds another number of them."""
    if len(values) < lo or hi is not None and len(values) > hi:
        took = f"{lo}" if hi == lo else f"{lo} to {hi}" if hi is not None else f"at least {lo}"
        raise TypeError(f"{name}() takes {took} more positional argument(s) from *values, but {len(values)} "
                        f"were given")


def tuple_adjoint(g, xs):
    """Adjoint of `tuple(xs)`: the parts of `g` (a number: the same for each) as an adjoint of `xs`, an array
    of xs's shape for an array, the container's parts otherwise (a dict: none, its keys were iterated)."""
    if isinstance(xs, dict):
        return zeros_like(xs)
    if isinstance(xs, np.ndarray):
        parts = g if isinstance(g, (list, tuple)) else [g] * len(xs)
        return np.stack([np.broadcast_to(p, xs.shape[1:]) for p in parts]).astype(np.result_type(xs.dtype, float)) \
            if len(xs) else np.zeros(xs.shape)
    return _structured(g, list(xs))


def rows_of(G, g):
    """A tuple of the first `len(g)` rows (or parts) of `G`, a bare number standing for each."""
    return TupleParts(G[i] if isinstance(G, (list, tuple)) or np.ndim(G) > 0 else G for i in range(len(g)))


# ---------------------------------------------------------------- a dict's values, items and keys, as lists
def dict_values(d):
    """`d.values()` as a list (a loop or a comprehension reads it by index)."""
    return list(d.values())


def dict_items(d):
    """`d.items()` as a list of (key, value) pairs."""
    return list(d.items())


def dict_keys(d):
    """`d.keys()` as a list."""
    return list(d.keys())


def _part(g, i):
    return g[i] if isinstance(g, (list, tuple)) else g


def dict_values_adjoint(g, d):
    """Adjoint of `dict_values(d)`: part i of the list adjoint `g` for the i-th key (0.0: none)."""
    return _structured(DictParts((k, _part(g, i)) for i, k in enumerate(d)), d)


def dict_items_adjoint(g, d):
    """Adjoint of `dict_items(d)`: the value part of pair i of `g` for the i-th key (0.0: none)."""
    return _structured(DictParts((k, _part(_part(g, i), 1)) for i, k in enumerate(d)), d)


# ---------------------------------------------------------------- f(x, **d) for a dict known only at run time
def require_keywords(d, names, fname):
    """The TypeError Python raises for `fname(..., **d)` when `d` holds a key that is not one of `names`."""
    for k in d:
        if k not in names:
            raise TypeError(f"{fname}() got an unexpected keyword argument '{k}'")


def _holds(d, key) -> bool:
    """Does the dict `d` have `key`, or the sequence `d` an element at index `key`?"""
    return key in d if isinstance(d, dict) else len(d) > key


def keyword(d, name, *default):
    """A parameter of a call `f(..., **d)` (`d[name]`) or `f(*d)` (`d[i]`): the value `d` holds, else the
    parameter's default (else Python's TypeError)."""
    if _holds(d, name):
        return d[name]
    if default:
        return default[0]
    raise TypeError(f"missing required argument '{name}'")


def keyword_adjoint(g, d, name):
    """Adjoint of `keyword(d, name, ...)` for `d`: `g` at key (or index) `name` when d holds it, else none."""
    return getitem_adjoint(g, d, name) if _holds(d, name) else zeros_like(d)


def keyword_default_adjoint(g, d, name):
    """Adjoint of `keyword(d, name, default)` for the default: `g` when d does not hold `name`."""
    return 0.0 if _holds(d, name) else g


def keyword_tangent(dd, ddefault, d, name):
    """Tangent of `keyword(d, name, default)` from the tangents of d and of the default (None: zero)."""
    if _holds(d, name):
        return 0.0 if dd is None else dd[name]
    return 0.0 if ddefault is None else ddefault


# ---------------------------------------------------------------- {k: v for ...}: a dict made from (key, value) pairs
def dict_from_pairs(pairs):
    """`dict(pairs)` of the (key, value) pairs a dict comprehension makes."""
    return dict(pairs)


def dict_pairs_adjoint(g, pairs):
    """Adjoint of `dict_from_pairs(pairs)`: each pair's value gets g's part at its key (none for the key; a
    key given twice keeps the last value, as dict does)."""
    last = {k: i for i, (k, _) in enumerate(pairs)}
    return Parts(TupleParts((0.0, (g[k] if isinstance(g, dict) else g) if last[k] == i else zeros_like(v)))
                 for i, (k, v) in enumerate(pairs))


def dict_pairs_tangent(dpairs, pairs):
    """Tangent of `dict_from_pairs(pairs)` from the pairs' tangents (the keys carry none)."""
    return DictParts((k, dp[1] if isinstance(dp, (list, tuple)) else zeros_like(v))
                     for (k, v), dp in zip(pairs, dpairs))
