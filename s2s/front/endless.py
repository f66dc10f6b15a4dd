"""zip() with an iterator that never ends: `zip(itertools.count(1), xs)`, `zip(xs, itertools.repeat(2.0))`,
`zip(xs, itertools.cycle(signs))`.

A loop over an iterator a call s2s does not follow makes the list of what it gives before the loop (`list(it)`),
which for these never returns. zip stops at its shortest input, so such an iterator gives, in Python's loop, as
many items as zip's other sequences have: that many are taken (`rt.taken(count(1), len(xs))`), and the loop goes
over them by position as over the others. An iterator that never ends with no sequence beside it to stop the loop
(`for i in itertools.count(): ... break`), or made before the zip call and held by a name (which the loop would
leave advanced by a number of items only Python's zip knows), is refused at the user's line.
"""
from __future__ import annotations

import ast
import itertools

from s2s import ir

TAKEN = "s2s.runtime.taken"


class Endless:
    """An iterator that never ends, made by zip's own argument (its atom, and the node the user wrote)."""

    def __init__(self, atom: ir.Atom, node):
        self.atom = atom
        self.node = node


def never_ends(builder, made) -> bool:
    """Is `made` (the call that made a value a loop goes over) `itertools.count(...)`, `itertools.cycle(...)` or
    `itertools.repeat(v)` without a number of times?"""
    if made.op != "call" or not made.args or not isinstance(made.args[0], ir.Var) or \
            made.args[0].name not in builder.free:
        return False
    func = builder.free[made.args[0].name][0]
    if func is itertools.repeat:
        return len(made.args) == 2 and not any(name == "times" for name, _ in made.kwargs)
    return func is itertools.count or func is itertools.cycle


def endless_part(builder, it, atom, target) -> list:
    """[(Endless, target)] for the iterator `atom` that never ends (the node `it`), made in the zip call."""
    if isinstance(atom, ir.Var) and atom.name not in builder.namer.temps and isinstance(it, ast.Name):
        spelled = it.id
        raise builder.error(it, f"zip() of '{spelled}', an iterator that never ends made before the zip call (Python's "
                                f"zip leaves it advanced by a number of items s2s does not follow)",
                            f"make it in the zip call, zip(xs, {_made(builder, atom)}), or loop over a range: "
                            f"for i in range(len(xs))")
    return [(Endless(atom, it), target)]


def endless_refused(builder, sources):
    """The refusal of a loop over iterators that never end with no sequence beside them to stop it."""
    node = next(seq.node for seq, _ in sources if isinstance(seq, Endless))
    spelled = _spelled(node)
    return builder.error(node, f"a loop over {spelled}, an iterator that never ends, with no sequence zip() pairs it "
                               "with to stop the loop (s2s makes the list of a loop's items before the loop)",
                         f"loop over a range of the number of steps, for i in range(n), or zip it with the sequence "
                         f"it goes along: for i, v in zip({spelled}, xs)")


def taken_sources(builder, sources: list, length: ir.Atom) -> list:
    """`sources` with each Endless iterator replaced by the list of its first `length` items."""
    return [(taken(builder, seq, length), tgt) if isinstance(seq, Endless) else (seq, tgt) for seq, tgt in sources]


def taken(builder, seq: Endless, length: ir.Atom) -> ir.Atom:
    """The list of the first `length` items of the iterator `seq` (rt.taken)."""
    return builder.materialise(ir.Call(TAKEN, (seq.atom, length)))


def _spelled(node) -> str:
    return ast.unparse(node) if isinstance(node, ast.AST) else "itertools.count()"


def _made(builder, atom) -> str:
    made = builder.definitions.get(atom.name)
    func = builder.free[made.args[0].name][0]
    return f"itertools.{func.__name__}(...)"
