"""Small facts about statement lists that the modules of the reverse pass share.

The zero of an adjoint, the loops a block
holds, and the branch of an `if` that holds a loop or defines a name.
"""
from __future__ import annotations

from s2s import ir
from s2s.ir.walk import defined_names

ZERO = ir.Const(0.0)


def range_targets(stmts: list) -> set:
    """The targets of `for i in range(...)` loops (ints)."""
    out = set()
    for s in stmts:
        if isinstance(s, ir.Loop):
            if s.kind == "for" and isinstance(s.target, str):
                out.add(s.target)
            out |= range_targets(s.body)
        elif isinstance(s, ir.If):
            out |= range_targets(s.body) | range_targets(s.orelse)
    return out


def loops_in(stmts: list, into_loops: bool = True):
    for s in stmts:
        if isinstance(s, ir.Loop):
            yield s
            if into_loops:
                yield from loops_in(s.body)
        elif isinstance(s, ir.If):
            yield from loops_in(s.body, into_loops)
            yield from loops_in(s.orelse, into_loops)


def block_holding(stmts: list, loop: ir.Loop):
    """The branch (at this loop level) holding `loop`, or None when it is at the top."""
    for s in stmts:
        if isinstance(s, ir.If):
            for block in (s.body, s.orelse):
                if any(t is loop for t in loops_in(block, into_loops=False)):
                    inner = block_holding(block, loop)
                    return inner if inner is not None else block
    return None


def block_defining(stmts: list, name: str):
    """The statement list (at this loop level) whose statements define `name`, or None for the top."""
    for s in stmts:
        if isinstance(s, ir.If):
            for block in (s.body, s.orelse):
                if name in defined_names(block, into_loops=False):
                    inner = block_defining(block, name)
                    return inner if inner is not None else block
    return None
