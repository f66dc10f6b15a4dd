"""The tangents a `jvp` is called with, each shaped as the argument it is the tangent of.

`targets(f, wrt)` finds, once, which argument each tangent belongs to (a positional, `*args` or keyword-only
parameter); `like_primals` checks each tangent against its argument and makes a smaller one the array it
broadcasts to (leaf by leaf in a container), or refuses it with a ValueError naming the argument and both
shapes; `widened` does the same for a pullback's cotangent (api/transformed.py).
"""
from __future__ import annotations

import inspect

import numpy as np

from s2s.api import arguments, pytree
from s2s.runtime.core import FieldParts, fields_of, is_record
from s2s.runtime.indexing import fields_only, record_of
from s2s.errors import CallError
from s2s.runtime import trees


MISSING = object()  # an argument the call leaves out (like_primals)


def like_primals(what: str, given: list, tangents) -> tuple:
    """The tangents, each shaped as its primal, or a ValueError naming the argument and both shapes. A number or
    an array whose shape broadcasts up to its primal's stands for the array it broadcasts to, and is made that
    array (np.full(shape, t), np.broadcast_to(t, shape)): generated code reads a tangent as it reads the primal
    (dx.item(), dx[()], dx.T @ y, dx.astype(...)), so a (3,) tangent of a (3, 3) argument would be read as a
    vector, not as the matrix of its rows; a Python number given for a NumPy number is one of its type. A list or
    tuple (in a list, a tuple or a dict too) as a ListTangent or TupleTangent, whose arithmetic is the array's:
    NumPy's functions read a sequence as the array of it, so the tangent of np.multiply(xs, c) is `c * dxs`, which
    a list refuses (`can't multiply sequence by non-int`); read by element, it is the list it was. Inside a
    container argument each leaf is shaped so, and a tangent of another structure (other keys, another length) is
    refused. `given`: (name, argument) for each tangent, the argument MISSING where the call leaves it out
    (to its default: the call itself says what is wrong)."""
    out = None
    for k, ((name, p), t) in enumerate(zip(given, tangents)):
        if p is MISSING:
            continue
        kind = type(t)
        if kind is np.ndarray and type(p) is np.ndarray and t.shape == p.shape or kind is float and type(p) is float:
            continue  # (the common cases first)
        shaped = _shaped(what, name, t, p)
        if type(shaped) in (list, tuple, dict) and not pytree.has_record(shaped):
            shaped = _scaling_parts(shaped)
        if shaped is not t:
            out = list(tangents) if out is None else out
            out[k] = shaped
    return tangents if out is None else tuple(out)


_LEAVES = (np.ndarray, np.generic, int, float, complex)


def _shaped(what: str, spelled: str, t, p):
    """The tangent `t` of the argument (or part of one) `p`, spelled `spelled`, shaped as `p` (`like_primals`)."""
    if isinstance(p, _LEAVES) and not isinstance(p, (bool, np.bool_)):
        if isinstance(t, (list, tuple)) and all(isinstance(v, _LEAVES) for v in trees.leaves(t)) and \
                isinstance(p, np.ndarray):
            t = np.asarray(t, dtype=float)  # (a list of numbers for an array: the array of it, as NumPy reads it)
        if not isinstance(t, _LEAVES):
            raise CallError(f"{what}: the tangent of {_quoted(spelled)} is {_kind_of(t)}, but {_quoted(spelled)} is "
                            f"{_kind_of(p)}: pass a tangent shaped like the argument")
        shape = np.shape(p)
        if np.shape(t) == shape:
            if type(t) in (float, int) and isinstance(p, (np.ndarray, np.generic)) and \
                    not isinstance(p, np.complexfloating):  # (a Python number for a NumPy one: of its type)
                dtype = p.dtype if p.dtype.kind == "f" else np.dtype(np.float64)
                return np.full(shape, t, dtype=dtype) if type(p) is np.ndarray else dtype.type(t)
            return t
        try:
            fits = np.broadcast_shapes(np.shape(t), shape) == shape
        except ValueError:
            fits = False
        if not fits:
            raise CallError(f"{what}: the tangent of {_quoted(spelled)} has shape {np.shape(t)}, but "
                            f"{_quoted(spelled)} has shape {shape}: pass a tangent shaped like the argument")
        return widened(t, p)
    if (is_record(p) or hasattr(p, "_fields")) and type(t) is not type(p):
        fields = fields_of(p) if is_record(p) else p._fields
        raise CallError(f"{what}: the tangent of {_quoted(spelled)} is {_kind_of(t)}, but {_quoted(spelled)} is a "
                        f"{type(p).__name__}: pass a {type(p).__name__} of the tangents of its fields, "
                        f"{type(p).__name__}({', '.join(f'{k}=...' for k in fields)})")
    if isinstance(p, (list, tuple)):
        if type(t) is np.ndarray and t.shape == _shape_of(p):
            return t  # (the array of the tangents of the list's numbers: read by element as the list is)
        if not isinstance(t, (list, tuple)) or len(t) != len(p):
            raise CallError(f"{what}: the tangent of {_quoted(spelled)} is {_kind_of(t)}, but {_quoted(spelled)} "
                            f"is {_kind_of(p)}: pass a tangent with the argument's structure, one part per element")
        parts = [_shaped(what, f"{spelled}[{j}]", a, b) for j, (a, b) in enumerate(zip(t, p))]
        if all(a is b for a, b in zip(parts, t)):
            return t
        return type(t)(*parts) if hasattr(t, "_fields") else type(t)(parts)
    if isinstance(p, dict):
        if not isinstance(t, dict) or set(t) != set(p):
            raise CallError(f"{what}: the tangent of {_quoted(spelled)} is {_kind_of(t)}, but {_quoted(spelled)} "
                            f"is {_kind_of(p)}: pass a tangent with the argument's structure, one part per key")
        parts = {key: _shaped(what, f"{spelled}[{key!r}]", v, p[key]) for key, v in t.items()}
        return t if all(parts[key] is v for key, v in t.items()) else type(t)(parts)
    if is_record(p) and type(t) is type(p):
        fields = {key: getattr(t, key) for key in fields_of(p)}
        parts = {key: _shaped(what, f"{spelled}.{key}", v, getattr(p, key)) for key, v in fields.items()}
        return t if all(parts[key] is v for key, v in fields.items()) else record_of(t, parts)
    return t


def _shape_of(p) -> tuple | None:
    """The shape of the array NumPy reads the list or tuple `p` as (None for a ragged one)."""
    try:
        return np.shape(p)
    except ValueError:
        return None


def _quoted(spelled: str) -> str:
    return f"'{spelled}'" if spelled.isidentifier() else spelled  # ('x', but p['A'] and xs[1] as they are)


def _kind_of(x) -> str:
    if isinstance(x, dict):
        return f"a dict of keys {list(x)}"
    if isinstance(x, (list, tuple)):
        return f"a {type(x).__name__} of {len(x)}"
    if isinstance(x, np.ndarray) or isinstance(x, _LEAVES) and not isinstance(x, bool):
        return f"of shape {np.shape(x)}"
    return "None" if x is None else f"a {type(x).__name__}"


def widened(t, like):
    """`t`, a number or an array whose shape broadcasts up to that of the array `like`, as the array it stands
    for: of `like`'s float type for a Python number, of its own type otherwise (a tangent or cotangent passed
    smaller than its argument or value)."""
    shape = np.shape(like)
    if type(t) in (float, int):
        dtype = like.dtype if isinstance(like, (np.ndarray, np.generic)) and like.dtype.kind == "f" else np.float64
        return np.full(shape, t, dtype=dtype)
    return np.array(np.broadcast_to(t, shape))


def _scaling_parts(t):
    kind = type(t)
    if kind is list:
        return arguments.ListTangent(map(_scaling_parts, t))
    if kind is tuple:
        return arguments.TupleTangent(map(_scaling_parts, t))
    if kind is dict:
        return {k: _scaling_parts(v) for k, v in t.items()}
    return t


def targets(f, wrt) -> tuple:
    """For each `wrt` entry of `f`, in order, what its tangent is the tangent of: ("positional", position, name),
    ("varargs", position of the first, name) for a `*args` parameter (the tuple of the primals from there on),
    ("keyword", None, name) for a keyword-only one, or None (a `**kwargs` parameter, or none: the call says)."""
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return ()
    positional = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
    out = []
    for w in (wrt if isinstance(wrt, (tuple, list)) else [wrt]):
        p = params[w] if type(w) is int and -len(params) <= w < len(params) else \
            next((q for q in params if q.name == w), None)
        out.append(None if p is None or p.kind is p.VAR_KEYWORD else
                   ("varargs", positional, p.name) if p.kind is p.VAR_POSITIONAL else
                   ("keyword", None, p.name) if p.kind is p.KEYWORD_ONLY else ("positional", params.index(p), p.name))
    return tuple(out)


def targeted(targets: tuple, primals, kwargs: dict) -> list:
    """(name, argument) for each tangent (`targets`); the argument `MISSING` where the call
    leaves it out."""
    out = []
    for target in targets:
        if target is None:
            out.append((None, MISSING))
            continue
        kind, i, name = target
        if kind == "positional":
            out.append((name, primals[i] if i < len(primals) else kwargs.get(name, MISSING)))
        else:
            out.append((name, tuple(primals[i:]) if kind == "varargs" else kwargs.get(name, MISSING)))
    return out


def tangent_of_record(t):
    """The tangent `t` the caller gave for a record argument, as forward-mode code reads it: a dataclass as a
    FieldParts of its fields, a namedtuple as one of a subclass of its class (rt.fields_only), in lists, tuples
    and dicts too. Generated code reads `dp.name` of the tangent where the function reads `p.name`: for a
    field that is the field's tangent; a class constant's is zero, not the constant; a property or an attribute
    `__post_init__` sets is refused (`not_a_field`), not evaluated on the tangent as if it were a record."""
    if is_record(t):
        out = FieldParts((k, tangent_of_record(getattr(t, k))) for k in fields_of(t))
        out.record = type(t)
        return out
    if isinstance(t, tuple) and hasattr(t, "_fields"):
        return fields_only(type(t))(*map(tangent_of_record, t))
    if isinstance(t, (tuple, list)):
        return type(t)(map(tangent_of_record, t)) if type(t) in (tuple, list) else t
    if type(t) is dict:
        return {k: tangent_of_record(v) for k, v in t.items()}
    return t
