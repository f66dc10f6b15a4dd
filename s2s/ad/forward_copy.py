"""Reversing a loop: the forward sweep, with the pushes of what each iteration saves.

The forward sweep is the function's statements again, with each loop pushing, per
iteration, the values its reversal reads (the plan `loops.py` made: `LoopPlan`),
right after the statement defining each; the stacks are made before the outermost
loop holding them, and a loop that is not a plain `range` loop counts its trips.
An array the iteration makes and then writes is pushed where the iteration ends;
a view of an array written in place is pushed as a copy.

`ForwardCopy` holds these methods of `_Reverse` (reverse.py); it reads the rest of
`_Reverse`'s state through `self`.
"""
from __future__ import annotations

import copy

from s2s import ir, prims
from s2s.ad.blocks import block_defining, loops_in


class ForwardCopy:
    """The forward sweep with the loops' pushes (mixed into reverse._Reverse)."""

    def forward_copy(self, stmts: list, in_loop: bool = False) -> list:
        """The forward sweep: `stmts` with each loop saving what its reversal reads
        (stacks are created before the outermost loop holding them)."""
        out = []
        for s in stmts:
            if isinstance(s, ir.Loop):
                out.extend([] if in_loop else self._stack_inits(s))
                out.append(self._forward_loop(s))
            elif isinstance(s, ir.If):
                new = copy.copy(s)
                new.body = self.forward_copy(s.body, in_loop)
                new.orelse = self.forward_copy(s.orelse, in_loop)
                new.phis = [ir.Phi(p.target, list(p.operands)) for p in s.phis]
                out.append(new)
            else:
                out.append(copy.copy(s))
        return out

    def _stack_inits(self, loop: ir.Loop) -> list:
        inits = []
        for inner in [loop] + list(loops_in(loop.body)):
            plan = self.plans.get(id(inner))
            if plan:
                for n in plan.saved:
                    inits.append(ir.Assign(plan.stacks[n], ir.Call("list", ()), loop.loc))
        return inits

    def _forward_loop(self, s: ir.Loop) -> ir.Loop:
        plan = self.plans.get(id(s))
        new = copy.copy(s)
        new.phis = [ir.Phi(p.target, list(p.operands)) for p in s.phis]
        new.body = self.forward_copy(s.body, in_loop=True)
        new.header = list(s.header)
        if plan is None:
            return new
        pushes = {}
        roots = set(self.arrays.values())
        definitions = {t.target: t.value for t in ir.statements(s.body) if isinstance(t, ir.Assign)}
        # (an if's join that is no version of an array written in place is one of its operands: `t5 = y if c
        # else 0.9` may be the array y itself)
        definitions.update((p.target, ir.Call("tuple", tuple(p.operands))) for t in ir.statements(s.body)
                           if type(t) is ir.If for p in t.phis
                           if p.target not in self.arrays and p.target not in roots)
        for n in plan.saved:
            def push(value, loc, stack=plan.stacks[n]):
                return ir.Effect(ir.Call("push", (ir.Var(stack), ir.Var(value))), loc or s.loc)
            # an array the iteration makes and then writes is pushed where the iteration ends: the same object
            # as when it was made, but the value a second transformation reads has the writes in it
            if n in roots and _push_where_iteration_ends(new.body, n, self.arrays, push):
                continue
            if _view_of_written(definitions, n, self.arrays):
                # a view of an array written in place (`t = y[::-1]` before `y[...] = ...`): its copy is pushed,
                # the value the adjoint reads, so that the stack holds no memory that later writes change (a
                # second transformation reads a stack's elements as values)
                copied = self.namer.fresh(n + "_copy")
                self.copied_pushes.add(n)  # (what the reversed loop pops shares no memory with the array)
                # (rt.copy_saved: a list or tuple holding it has its arrays copied, the container kept; a NumPy
                # number, an element of an array, is kept as it is, where np.copy takes ~3 us and makes an array)
                pushes[n] = ir.Assign(copied, ir.Call(prims.COPY_SAVED, (ir.Var(n),)), s.loc)
                pushes[copied] = push(copied, s.loc)
                continue
            pushes[n] = push(n, s.loc)
        for shape, n in plan.shapes.items():  # a value read only for its shape: its shape, taken after it, is pushed
            op = "s2s.runtime.shapes_of" if shape in plan.parts else "s2s.runtime.shape_of"
            pushes[n] = ir.Assign(shape, ir.Call(op, (ir.Var(n),)), s.loc)
        at_start = [p.target for p in s.phis] + ([s.target] if s.target else [])
        if plan.counter:
            new.phis.append(ir.Phi(plan.counter, [ir.Const(0), ir.Var(plan.counter_next)]))
            new.body.insert(0, ir.Assign(plan.counter_next, ir.Call("add", (ir.Var(plan.counter), ir.Const(1))), s.loc))
            _add_jump_value(new.body, plan.counter, ir.Var(plan.counter_next))
        start = [pushes.pop(n) for n in at_start if n in pushes]
        for t in list(start):  # a value the iteration starts with, read only for its shape: its shape's push too
            if isinstance(t, ir.Assign) and t.target in pushes:
                start.insert(start.index(t) + 1, pushes.pop(t.target))
        _insert_pushes(new.body, pushes)
        new.body[0:0] = start
        return new


# runtime helpers of generated code (transformed again) that may return their first operand itself: g where it
# has its target's shape already, an accumulator added into in place (fuzz-like program of fix5alias: the
# second derivative read `bt5 = rt.unbroadcast(rt.add_at(by, ...), s)`, pushed by reference, after the reverse
# sweep restored an element of `by`)
_RETURNS_FIRST = frozenset({"s2s.runtime.unbroadcast", "s2s.runtime.add_at", "s2s.runtime.add_into",
                            "s2s.runtime.zero_at"})


def _view_of_written(definitions: dict, name: str, arrays: dict) -> bool:
    """Is `name` defined (`definitions`: the loop body's, name -> value) as a view (prims.WRITE_THROUGH) of an
    array the function writes in place (through views of views)?"""
    seen = set()
    while name not in seen:
        seen.add(name)
        value = definitions.get(name)
        if isinstance(value, ir.Call) and value.op in ("tuple", "list"):  # (it holds each item: any may be written)
            return any(isinstance(a, ir.Var) and (a.name in arrays or a.name in arrays.values() or
                                                  _view_of_written(definitions, a.name, arrays)) for a in value.args)
        if not (isinstance(value, ir.Call) and (value.op in prims.WRITE_THROUGH or value.op in _RETURNS_FIRST)
                and value.args and isinstance(value.args[0], ir.Var)):
            return False
        name = value.args[0].name
        if name in arrays or name in arrays.values():
            return True
    return False


def _push_where_iteration_ends(body: list, root: str, arrays: dict, push) -> bool:
    """Push the array `root`, made in a loop's `body` (the forward copy, edited), as its newest version
    wherever the iteration leaves the block that makes it: before each break or continue, and at the
    block's end. Every path that makes it pushes it once. False where no version is known there."""
    block = block_defining(body, root)
    block = body if block is None else block
    start = next((i for i, t in enumerate(block) if isinstance(t, ir.Assign) and t.target == root or
                  isinstance(t, (ir.If, ir.Loop)) and any(p.target == root for p in t.phis)), None)  # (or an if's join)
    if start is None:
        return False
    pushes: list = []  # (block, position, version, loc), inserted last first
    try:
        end = _versions_at_exits(block, start + 1, root, root, arrays, pushes)
    except _NoVersion:
        return False
    if end is not None:
        pushes.append((block, len(block), end, None))  # (at the end of an iteration: the loop's line)
    for where, i, version, loc in reversed(pushes):
        where.insert(i, push(version, loc))
    return True


class _NoVersion(Exception):
    """Two paths join with different versions of an array and no phi: its version there is unknown."""


def _versions_at_exits(stmts: list, start: int, root: str, current: str, arrays: dict, pushes: list):
    """The newest version of `root` at the end of `stmts[start:]` (None when every path leaves first), from
    `current`; each break and continue on the way adds (block, position, version, loc) to `pushes`."""
    for i in range(start, len(stmts)):
        t = stmts[i]
        if isinstance(t, (ir.Break, ir.Continue)):
            pushes.append((stmts, i, current, t.loc))
            return None
        if isinstance(t, ir.Assign) and arrays.get(t.target) == root:
            current = t.target
        elif isinstance(t, ir.Loop):
            current = next((p.target for p in t.phis if arrays.get(p.target) == root), current)
        elif isinstance(t, ir.If):
            ends = {_versions_at_exits(block, 0, root, current, arrays, pushes) for block in (t.body, t.orelse)}
            joined = next((p.target for p in t.phis if arrays.get(p.target) == root), None)
            ends.discard(None)
            if joined is not None:
                current = joined
            elif not ends:
                return None
            elif len(ends) == 1:
                current = ends.pop()
            else:
                raise _NoVersion(root)
    return current


def _add_jump_value(stmts: list, target: str, value) -> None:
    for s in stmts:
        if isinstance(s, (ir.Break, ir.Continue)):
            s.values = dict(s.values)
            s.values[target] = value
        elif isinstance(s, ir.If):
            _add_jump_value(s.body, target, value)
            _add_jump_value(s.orelse, target, value)


def _insert_pushes(stmts: list, pushes: dict) -> None:
    """Insert each push right after the statement defining its value (copies of If blocks are edited)."""
    i = 0
    while i < len(stmts):
        s = stmts[i]
        defined = []
        if isinstance(s, ir.Assign):
            defined = [s.target]
        elif isinstance(s, ir.If):
            s.body = list(s.body)
            s.orelse = list(s.orelse)
            _insert_pushes(s.body, pushes)
            _insert_pushes(s.orelse, pushes)
            defined = [p.target for p in s.phis]
        elif isinstance(s, ir.Loop):
            defined = [p.target for p in s.phis]
        for n in defined:
            if n in pushes:
                i += 1
                push = pushes.pop(n)
                push.loc = s.loc or push.loc
                stmts.insert(i, push)
                if isinstance(push, ir.Assign):  # a value computed to be saved (a shape): its push follows it
                    i -= 1
        i += 1
