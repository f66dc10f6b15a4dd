"""The derivative-rule tables and the map from Python objects to primitive keys.

`PRIMITIVES[key]` is the record (`primitive.Primitive`) a family module defined
for `key`, everything s2s knows about it in one place; the two rule tables
below are filled from it (and by the custom-rule API, which may replace them).
`REVERSE[key]` is a `ReverseRule`: one function per positional argument giving
that argument's adjoint from (g, ans, *args, **kwargs) written with the
symbolic values of `s2s.rules.symbolic`. `TANGENT[key]` is a `TangentRule`:
one function per positional argument giving that argument's contribution to
the tangent of the result from (d, ans, *args, **kwargs), where `d` is the
argument's tangent; the contributions of the arguments that have a tangent are
summed (JAX's `defjvp`). `NONDIFF` holds keys whose results carry no derivative.
"""
from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from typing import Callable

from s2s import prims


class NotBatchable(Exception):
    """A primitive whose tangent rule has no vector-mode form (the caller falls back to one call per tangent)."""


@dataclass
class ReverseRule:
    key: str
    adjoints: tuple  # one callable (or None: no derivative) per positional argument
    broadcast: bool = False  # elementwise with NumPy broadcasting: adjoints are summed back to arg shapes
    user: Callable | None = None  # a user rule (s2s.adjoint) returning a tuple of adjoints


@dataclass
class TangentRule:
    key: str
    parts: tuple = ()  # one callable (d, ans, *args, **kwargs) -> contribution (or None: none) per argument
    broadcast: bool = False  # elementwise with NumPy broadcasting: a contribution may need widening to ans
    fn: Callable | None = None  # (tangents, ans, *args, **kwargs) -> tangent, tangents None for zero
    user: bool = False  # fn is a user rule (s2s.tangent) called at run time
    batched: tuple | None = None  # vector mode: the parts for tangents with a leading batch axis
    pointwise: bool = False  # scalar or shape-preserving: `parts` hold as written with a batch axis


PRIMITIVES: dict = {}  # key -> primitive.Primitive, the one record of each primitive
REVERSE: dict[str, ReverseRule] = {}
TANGENT: dict[str, TangentRule] = {}
NONDIFF: set[str] = set()
_OBJECTS: dict[int, tuple[object, str]] = {}  # id(obj) -> (obj, key); obj kept alive
_loaded = False  # set only once the tables are filled: other threads wait on _load_lock until then
_loading = False  # this thread is filling them (a rule module asking for a rule meanwhile)
_load_lock = threading.RLock()


def tangent_rule(key: str) -> TangentRule | None:
    _load()
    return TANGENT.get(key)


def register_object(obj, key: str) -> None:
    if id(obj) not in _OBJECTS:
        _OBJECTS[id(obj)] = (obj, key)


def _load() -> None:
    """Fill the tables on first use, once, whichever thread asks first; the others wait for it."""
    global _loaded, _loading
    if _loaded:
        return
    with _load_lock:
        if _loaded or _loading:
            return
        _loading = True
        try:
            from s2s.rules import FAMILIES
            for family in FAMILIES:  # registration by import: one record per primitive
                importlib.import_module(f"s2s.rules.{family}")
            for key in sorted(set(REVERSE) | NONDIFF | set(TANGENT)):
                obj = prims.python_object(key)
                if obj is not None:
                    register_object(obj, key)
            _loaded = True
        finally:
            _loading = False


def key_of(obj) -> str | None:
    """The primitive key of a Python object (numpy/math/builtin function, registered user function)."""
    _load()
    found = _OBJECTS.get(id(obj))
    return found[1] if found is not None and found[0] is obj else None


def reverse_rule(key: str) -> ReverseRule | None:
    _load()
    return REVERSE.get(key)


def is_nondiff(key: str) -> bool:
    _load()
    return key in NONDIFF or key in prims.COMPAREOPS or key in prims.BOOLOPS or key in ("not", "invert")


def batched_parts(key: str, rule: TangentRule) -> tuple | None:
    """(parts, align) of `key` for batched tangents (vector mode), or None when it has no batched form.
    Elementwise rules hold as written, their operands aligned by `rt.batch_align` (align) where they
    broadcast; the rules that name axes or shapes give their own form."""
    if rule.batched is not None:
        return rule.batched, False
    if rule.fn is None and rule.broadcast:
        return rule.parts, len(rule.parts) > 1
    if rule.fn is None and rule.pointwise:
        return rule.parts, False
    return None


def result_rank(key: str, ranks: list, kwargs: bool) -> int | None:
    """The rank of the result of `key` from its arguments' ranks (None where unknown) as its record knows it,
    or None: a product's (`a @ b`), a full reduction's, an adjoint helper's (its primal argument's)."""
    _load()
    p = PRIMITIVES.get(key)
    return None if p is None else p.result_rank(ranks, kwargs)
