"""An element's adjoint zeroed after its last read, where nothing reads it again: the zeroing goes.

A loop writing rows of a buffer it made (`new_state[i] = hidden; new_state[i + 1] = cell`, the preallocated LSTM)
reads, reversed, each row's adjoint once and zeroes it, as an element overwritten later must not pass its adjoint on:

    t86 = np.copy(rt.unbroadcast(bstate_1, new_state))
    for i_1 in reversed(range(0, np.shape(state_1)[0], 2)):
        t89 = rt.copy_adjoint(rt.unbroadcast(t86[t168], cell_shape))     # t168 = i_1 + 1
        t86[t168] = 0.0
        t93 = rt.copy_adjoint(rt.unbroadcast(t86[i_1], hidden_shape))
        t86[i_1] = 0.0

Where the indices are a range's (all different, see first_writes.py: the loop's name i and `i + c`, the constants
all different and below the step) and nothing reads the array after the loop, no read meets a zeroed element: the
zeroings are dead stores, and this pass drops them. It drops them only where it can show nothing sees them:
- the array is a new copy (`np.copy`) made in the block the loop is in, read by nothing between the copy and the
  loop nor after the loop (all its reads are the loop's);
- in the loop's body, pair by pair, `t = a[j]` and then `a[j] = 0.0` (a constant), j as first_writes reads it;
- every value that may be `t` itself or a view of it (what reads t, but for arithmetic and rt.copy_adjoint, which
  make new values) is read only between the read and the zeroing, so no view sees the zero.
"""
from __future__ import annotations

import copy

from s2s import ir, prims
from s2s.ir.walk import count_uses
from s2s.optimize.first_writes import FRESH, index_of, offset_of

COPY_ADJOINT = "s2s.runtime.copy_adjoint"
NEW = FRESH | {COPY_ADJOINT, prims.COPY}  # (their results: new values, never views of their operands)


def last_reads(fn: ir.Function) -> ir.Function:
    return _last_reads(copy.deepcopy(fn))


def _last_reads(fn: ir.Function) -> ir.Function:
    """`last_reads`, changing `fn` itself (`optimize` runs it on its own copy)."""
    made = {s.target: s.value for s in ir.statements(fn.body) if type(s) is ir.Assign and type(s.value) is ir.Call}
    if not any(c.op == prims.COPY for c in made.values()):
        return fn
    uses: dict = {}
    count_uses(fn.body, uses)
    for s in ir.statements(fn.body):
        for block in ir.blocks(s) if type(s) in (ir.If, ir.Loop) else ():
            _block(block, made, uses)
    _block(fn.body, made, uses)
    return fn


def _block(stmts: list, made: dict, uses: dict) -> None:
    copies = {s.target: k for k, s in enumerate(stmts) if type(s) is ir.Assign and type(s.value) is ir.Call and
              s.value.op == prims.COPY and not s.value.kwargs}
    for name, k in copies.items():
        readers = [s for s in stmts[k + 1:] if _mentions(s, name)]
        if len(readers) == 1 and type(readers[0]) is ir.Loop:
            _drop_zeroings(readers[0], name, made, uses)


def _mentions(s, name: str) -> bool:
    return any(type(a) is ir.Var and a.name == name for t in ir.statements([s]) for a in ir.operands(t))


def _drop_zeroings(loop: ir.Loop, arr: str, made: dict, uses: dict) -> None:
    found = index_of(loop, made)
    if found is None or any(type(a) is ir.Var and a.name == arr for p in loop.phis for a in p.operands) or \
            type(loop.iter) is ir.Var and loop.iter.name == arr:
        return
    target, step = found
    body = loop.body
    place = {id(s): k for k, s in enumerate(body)}
    defs = {s.target: s for s in body if type(s) is ir.Assign}
    mentions = [s for s in ir.statements(body) if any(type(a) is ir.Var and a.name == arr for a in ir.operands(s))]
    if not mentions or len(mentions) % 2 or sum(1 for s in mentions for a in ir.operands(s)
                                                if type(a) is ir.Var and a.name == arr) != uses.get(arr):
        return
    offsets, zeroings = set(), []
    for read, zero in zip(mentions[::2], mentions[1::2]):
        if not (id(read) in place and id(zero) in place and place[id(read)] < place[id(zero)] and
                type(read) is ir.Assign and type(read.value) is ir.Call and read.value.op == "getitem" and
                not read.value.kwargs and len(read.value.args) == 2 and read.value.args[0] == ir.Var(arr) and
                type(zero) is ir.Effect and zero.value.op == "setitem" and not zero.value.kwargs and
                zero.value.args[:2] == read.value.args and len(zero.value.args) == 3 and
                type(zero.value.args[2]) is ir.Const and zero.value.args[2].value == 0.0):
            return
        offset = offset_of(read.value.args[1], target, defs)
        if offset is None or not 0 <= offset < step or offset in offsets or \
                not _views_read_before(body, place[id(read)], place[id(zero)], read.target, uses):
            return
        offsets.add(offset)
        zeroings.append(zero)
    body[:] = [s for s in body if not any(s is z for z in zeroings)]


def _views_read_before(body: list, start: int, end: int, name: str, uses: dict) -> bool:
    """Is every value that may be `name` or a view of it (made by statements start + 1 .. end - 1) read only by
    those statements, at the top of the loop's body?"""
    views = {name}
    counted: dict = {}
    for s in body[start + 1:end]:
        if type(s) not in (ir.Assign, ir.Effect):
            if any(_mentions(s, v) for v in views):
                return False
            continue
        read = [a.name for a in ir.operands(s) if type(a) is ir.Var and a.name in views]
        for n in read:
            counted[n] = counted.get(n, 0) + 1
        if read and type(s) is ir.Assign and not (type(s.value) is ir.Call and s.value.op in NEW):
            views.add(s.target)
    return all(counted.get(v, 0) == uses.get(v, 0) for v in views)
