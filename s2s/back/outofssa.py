"""Leaving SSA for rendering: give values the names a person would have used.

Pure functions `ir.Function -> ir.Function` run by codegen, after optimisation
and verification; their output is no longer SSA (names are reassigned):
- `coalesce_phis`: a value feeding a phi is computed straight into the phi's
  name (`y = y * x + 1.0` in a loop body, not `y_1 = ...; y = y_1`), wherever
  nothing after its definition still reads the old value;
- `restore_names`: a value a reversed loop restores takes its own name back
  (`y = y_saved.pop()`, `for y in reversed(y_saved)`);
- `name_arrays`: every version of an array written in place takes the array's
  name (`y[i] = v` changes y).
"""
from __future__ import annotations

import copy

from s2s import ir
from s2s.ir.walk import array_versions, count_uses, definitions, substitute_block, used_names


def coalesce_phis(fn: ir.Function) -> ir.Function:
    """Let a value feeding only a phi be computed straight into the phi's name.

    `if c: y = x * x; y_2 = y` becomes `if c: y_2 = x * x`, and a loop body's
    `y_1 = y * x + 1.0; ...; y = y_1` becomes `y = y * x + 1.0` when nothing
    after it in the body reads the old `y`. The result is no longer SSA; it is
    only rendered.
    """
    return _coalesce(copy.deepcopy(fn))


def _coalesce(fn: ir.Function) -> ir.Function:
    uses: dict = {}
    count_uses(fn.body, uses)
    _coalesce_block(fn.body, uses)
    return fn


def leave_ssa(fn: ir.Function, restore: bool = True) -> ir.Function:
    """`name_arrays(restore_names(coalesce_phis(fn)))` (without `restore_names` if not `restore`), copying
    `fn` once rather than once per step; `fn` itself where none of them has anything to do (no if or loop, no
    restored value, no array written in place: straight-line code)."""
    # (restored values are in loops)
    if not any(isinstance(s, (ir.If, ir.Loop)) for s in fn.body) and not array_versions(fn.body):
        return fn
    fn = _coalesce(copy.deepcopy(fn))
    if restore:
        fn = _restore(fn)
    return _name_arrays(fn)


def _coalesce_block(stmts: list, uses: dict) -> None:
    for s in stmts:
        if isinstance(s, ir.If):
            _coalesce_block(s.body, uses)
            _coalesce_block(s.orelse, uses)
            for p in s.phis:
                for k, block in ((0, s.body), (1, s.orelse)):
                    v = p.operands[k]
                    d = _top_definition(block, v)
                    if d is None or uses.get(v.name) != 1 or _in_place(d):
                        continue
                    i = next(j for j, t in enumerate(block) if t is d)
                    others = {o.name for q in s.phis if q is not p for o in q.operands[k:k + 1]
                              if isinstance(o, ir.Var)}
                    if p.target in used_names(block[i + 1:]) | others:
                        continue  # the branch still reads the old value of that name after the definition
                    _retarget(d, p)
                    p.operands[k] = ir.Var(p.target)
        elif isinstance(s, ir.Loop):
            carried = {p.target for p in s.phis}
            for p in s.phis:
                v = p.operands[1]
                if not isinstance(v, ir.Var) or v.name in carried:
                    continue  # already another phi's name: one value can live in one name only
                found = _definition_and_later_reads(s.body, v)
                if found is None:
                    continue
                d, later = found
                if _in_place(d):
                    continue  # (an element write keeps its array's name)
                others = {q.operands[1].name for q in s.phis
                          if isinstance(q.operands[1], ir.Var) and q.operands[1] != v}
                if p.target in later | others:
                    continue  # (jumps before the definition read the old value, as they should)
                # from its definition on, the new value lives in the phi's own name: every read of it
                # (later in the body, at the back edge, at a break) reads that name
                if getattr(d, "array", None) == v.name:  # (an array the body makes and then writes: its versions,
                    # a break's value among them, take the name that holds it now, not the one coalesced away)
                    for e in definitions(s.body):
                        e.array = p.target if e.array == v.name else e.array
                    d.array = p.target
                    p.array = p.target
                _retarget(d, p)
                substitute_block(s.body, {v.name: ir.Var(p.target)})
                for q in s.phis:
                    q.operands = [ir.Var(p.target) if o == v else o for o in q.operands]
            _coalesce_block(s.body, uses)  # after: an inner if's phi renamed here passes its name on


def _definition_and_later_reads(block: list, v: ir.Var):
    """(the Assign or Phi defining `v` in `block` or its ifs, the names read after it), or None."""
    for i, s in enumerate(block):
        if isinstance(s, ir.Assign) and s.target == v.name:
            return s, used_names(block[i + 1:])
        if isinstance(s, ir.If):
            for p in s.phis:
                if p.target == v.name:
                    return p, used_names(block[i + 1:])
            tails = {o.name for p in s.phis for o in p.operands if isinstance(o, ir.Var)}
            for branch in (s.body, s.orelse):
                found = _definition_and_later_reads(branch, v)
                if found is not None:
                    return found[0], found[1] | used_names(block[i + 1:]) | tails
    return None


def _retarget(d, phi: ir.Phi) -> None:
    """`d` computes its value straight into the name of `phi`, and is what that name is (a compiler temporary,
    an adjoint, or neither); a stack pop then restores that name, no longer the forward name it popped for."""
    d.target, d.temp, d.adjoint, d.array = phi.target, phi.temp, phi.adjoint, phi.array
    if isinstance(d, ir.Assign):
        d.restores = None


def _in_place(d) -> bool:
    """Is `d` an element write, rendered as `y[i] = v` whatever its target is called?"""
    return isinstance(d, ir.Assign) and isinstance(d.value, ir.Call) and d.value.op == "setitem"


def _top_definition(block: list, v):
    if not isinstance(v, ir.Var):
        return None
    for s in block:
        if isinstance(s, ir.Assign) and s.target == v.name:
            return s
    return None


def restore_names(fn: ir.Function) -> ir.Function:
    """Let a stack pop restore a value under its own name: `y = y_saved.pop()`, not `y_2 = ...`.

    Safe when nothing after the reversed loop, and nothing in it, reads the forward name (its value
    after the forward loop is then needed only by adjoints emitted before the reversed
    loop, and those already ran; an adjoint in the loop reading it, `bx = bx + s` for `p = p + x`
    where the result is p * s, would read the restored values instead).
    """
    return _restore(copy.deepcopy(fn)) if any(_restored(s) for s in ir.statements(fn.body)) else fn


def _restored(s) -> list:
    """[(name, the forward name whose value it restores)] that `s` defines: a stack pop's target, or the
    targets of a reversed loop walking its stacks (`for y in reversed(y_saved)`)."""
    if isinstance(s, ir.Assign):
        return [(s.target, s.restores)] if s.restores is not None else []
    return list(s.restores.items()) if isinstance(s, ir.Loop) else []


def _restore(fn: ir.Function) -> ir.Function:
    renames: dict[str, str] = {}
    _restore_block(fn.body, set(), renames)
    if renames:
        _rename_targets(fn.body, renames, _kinds(fn))
        substitute_block(fn.body, {k: ir.Var(v) for k, v in renames.items()})
    return fn


def _restore_block(stmts: list, later: set, renames: dict) -> None:
    for i, after in _names_read_after(stmts, later):
        s = stmts[i]
        if isinstance(s, ir.Loop):
            tails = {o.name for p in s.phis for o in p.operands if isinstance(o, ir.Var)}
            # (the loop may read the forward name's last value too, `bx = bx + s`: anywhere but in what is read
            # once before its first iteration, its iterable and its phis' entering values)
            inside = used_names(s.body) | used_names(s.header) | {p.operands[1].name for p in s.phis if
                                                                   isinstance(p.operands[1], ir.Var)}
            if isinstance(s.test, ir.Var):
                inside.add(s.test.name)
            for name, original in _pops(s.body) + _restored(s):
                if original not in after and original not in inside and original not in renames.values():
                    renames[name] = original
            _restore_block(s.body, after | tails, renames)
        elif isinstance(s, ir.If):
            tails = {o.name for p in s.phis for o in p.operands if isinstance(o, ir.Var)}
            _restore_block(s.body, after | tails, renames)
            _restore_block(s.orelse, after | tails, renames)


def _names_read_after(stmts: list, later: set) -> list:
    """[(i, `later` | the names read after statement i)] for the loops and ifs of `stmts`, in order: one
    backward walk, not one walk of the rest of the block per statement."""
    out = []
    read = set(later)
    for i in range(len(stmts) - 1, -1, -1):
        if isinstance(stmts[i], (ir.Loop, ir.If)):
            out.append((i, set(read)))
        read |= used_names(stmts[i:i + 1])
    return out[::-1]


def _pops(stmts: list) -> list:
    """What the stack pops of `stmts` and of their ifs (not of their loops) restore: [(name, forward name)]."""
    out = []
    for s in stmts:
        if isinstance(s, ir.Assign):
            out += _restored(s)
        elif isinstance(s, ir.If):
            out += _pops(s.body) + _pops(s.orelse)
    return out


def name_arrays(fn: ir.Function) -> ir.Function:
    """Every version of an array written in place takes the array's own name (`y[i] = v` changes y)."""
    return _name_arrays(copy.deepcopy(fn)) if array_versions(fn.body) else fn


def _name_arrays(fn: ir.Function) -> ir.Function:
    arrays = array_versions(fn.body)
    if not arrays:
        return fn
    _rename_targets(fn.body, arrays, _kinds(fn))
    substitute_block(fn.body, {k: ir.Var(v) for k, v in arrays.items() if k != v})
    return fn


def _kinds(fn: ir.Function) -> dict:
    """name -> (a compiler temporary?, an adjoint?, the array it is a version of), from the definitions of `fn`."""
    return {d.target: (d.temp, d.adjoint, d.array) for d in definitions(fn.body)}


def _rename_targets(stmts: list, renames: dict, kinds: dict) -> None:
    """Rename the definitions `renames` names; a renamed one is what its new name is (`kinds`)."""
    for s in stmts:
        if isinstance(s, ir.Assign) and s.target in renames:
            _rename(s, renames, kinds)
        elif isinstance(s, ir.If):
            _rename_targets(s.body, renames, kinds)
            _rename_targets(s.orelse, renames, kinds)
            for p in s.phis:
                _rename(p, renames, kinds)
        elif isinstance(s, ir.Loop):
            for p in s.phis:
                _rename(p, renames, kinds)
            if isinstance(s.target, str):
                s.target = renames.get(s.target, s.target)
            elif s.target:
                s.target = tuple(renames.get(t, t) for t in s.target)
            _rename_targets(s.body, renames, kinds)


def _rename(d, renames: dict, kinds: dict) -> None:
    if d.target in renames:
        d.target = renames[d.target]
        d.temp, d.adjoint, d.array = kinds.get(d.target, (False, False, None))


def _with_target(s: ir.Loop, name: str) -> ir.Loop:
    s = copy.copy(s)
    s.target = name
    return s
