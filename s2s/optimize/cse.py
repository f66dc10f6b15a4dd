"""Common-subexpression elimination over structured SSA.

A pure call identical to one computed earlier on every path to it (earlier in
the same block, or in a block enclosing it) is replaced by that earlier value.
Stack pops, list creation and runtime checks are never merged, nor calls that may
have effects (`registry.may_have_effects`: two draws of noise are two draws).
"""
from __future__ import annotations

import copy

from s2s import ir
from s2s.prims import CONTAINER_BUILDERS
from s2s.ir.walk import array_versions, substitute_block
from s2s.rules.registry import may_have_effects

# never merged, besides calls that may have effects (which may draw random numbers): stack operations, lists,
# iterators (one `reversed(...)` consumed by a first loop is empty for a second), and the buffers an adjoint sweep
# adds into in place (two accumulators of one array are two objects: a nested reversed loop's is new in each iteration)
IMPURE = {"pop", "list", "builtins.list", "dict", "builtins.dict", "push", "builtins.reversed",
          "builtins.zip", "builtins.enumerate", "builtins.iter", "s2s.runtime.add_into", "s2s.runtime.add_outer",
          "s2s.runtime.accumulator", "s2s.runtime.copy_adjoint", "s2s.runtime.owned_adjoint", "s2s.runtime.popped_adjoint",
          "s2s.runtime.added_at_part"}  # (`xs, ys = list(), list()`: two lists)

_ITEM_CHANGES = ("s2s.runtime.require_unshared", "s2s.runtime.changed_item")


def eliminate_common_subexpressions(fn: ir.Function) -> ir.Function:
    return _eliminate(copy.deepcopy(fn))


def _eliminate(fn: ir.Function) -> ir.Function:
    """`eliminate_common_subexpressions`, changing `fn` itself (`optimize` runs it on its own copy)."""
    mapping: dict[str, ir.Atom] = {}
    # an array an adjoint sweep writes in place under one name (`by[i] = 0.0`, `bx[i] = bx[i] + g`, a
    # restore) holds other values after the write: what reads it is never merged
    written = {s.value.args[0].name for s in ir.statements(fn.body) if isinstance(s, ir.Effect)
               and s.value is not None and s.value.op == "setitem" and isinstance(s.value.args[0], ir.Var)}
    _block(fn.body, {}, mapping, set(array_versions(fn.body)) | _items_changed(fn), written)
    _drop_emptied(fn.body)
    if mapping:
        substitute_block(fn.body, mapping)
    return fn


def _items_changed(fn: ir.Function) -> set:
    """Where the function changes items of its containers in place (`for m in mom: m += g`, `st['m'] += g`: the
    alias stage's rt.require_unshared and rt.changed_item), the values its displays, appends and records hold: two
    equal new arrays (`[np.zeros_like(x), np.zeros_like(x)]`, `{'m': np.zeros(n), 'v': np.zeros(n)}`) are two
    objects there, which NumPy's operator changes apart; merged, they would be one array stored twice."""
    calls = [s.value for s in ir.statements(fn.body) if isinstance(s, (ir.Assign, ir.Effect))
             and isinstance(s.value, ir.Call)]
    if not any(c.op in _ITEM_CHANGES for c in calls):
        return set()
    return {a.name for c in calls if c.op in CONTAINER_BUILDERS for a in c.args if isinstance(a, ir.Var)}


def _key(call: ir.Call, mapping: dict):
    args = tuple([_hashable(a, mapping) for a in call.args])
    kwargs = tuple([(k, _hashable(v, mapping)) for k, v in call.kwargs]) if call.kwargs else ()
    return (call.op, args, kwargs)


def _hashable(a, mapping: dict):
    """`a` (what `mapping` replaces it with, in turn) as part of a key: a name, or a constant's type and value."""
    while type(a) is ir.Var:
        if a.name not in mapping:
            return a.name  # (a string: hashed once, where a Var is hashed by its dataclass method each time)
        a = mapping[a.name]
    if isinstance(a, ir.Const):
        key = ir.const_key(a.value)  # (a slice too: x[:-1] twice is one value on every Python)
        try:
            hash(key)
            return ("const", key)
        except TypeError:
            return ("const-id", id(a.value))
    return a


def _block(stmts: list, available: dict, mapping: dict, arrays: set, written: set) -> None:
    """`arrays` (written in place) are never merged: each must stay its own object; nor are reads of
    `written`."""
    available = dict(available)
    for s in stmts:
        if isinstance(s, ir.Effect) and s.value is None:
            continue
        if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) and s.value.op not in IMPURE \
                and not may_have_effects(s.value.op) \
                and s.target not in arrays and s.target not in written and s.value.op != "setitem" \
                and not any(isinstance(a, ir.Var) and a.name in written for a in s.value.args) \
                and not s.value.op.startswith("s2s.runtime.require"):
            key = _key(s.value, mapping)
            if key in available:
                mapping[s.target] = ir.Var(available[key])
            else:
                available[key] = s.target
        elif isinstance(s, ir.Effect) and s.value.op.startswith("s2s.runtime.require"):
            key = ("effect",) + _key(s.value, mapping)  # the same check twice: the second is dropped
            if key in available:
                s.value = None
            available[key] = True
        elif isinstance(s, ir.If):
            _block(s.body, available, mapping, arrays, written)
            _block(s.orelse, available, mapping, arrays, written)
        elif isinstance(s, ir.Loop):
            _block(s.header, available, mapping, arrays, written)
            _block(s.body, available, mapping, arrays, written)


def _drop_emptied(stmts: list) -> None:
    stmts[:] = [s for s in stmts if not (isinstance(s, ir.Effect) and s.value is None)]
    for s in stmts:
        for block in ir.blocks(s):
            _drop_emptied(block)


eliminate_common_subexpressions.in_place = _eliminate
