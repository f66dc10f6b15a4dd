"""A list a loop grows and reads in a loop inside its body (ad/grown_lists.py): the reversed inner loop adds into the
list adjoint the reversed outer loop owns, in place.

Reversed, the reads `fs[-1 - j]` of an inner loop add their adjoints into an accumulator of the whole list,
`bfs = rt.accumulator(fs_1, rt.appended_adjoint(b))`: zeros of every part per step, and a read of the list, which
the sweep then saves per step (so each append copies it). Where the inner loop, directly in the reversed body after
the accumulator, is the one place the accumulator is read, the accumulator becomes `bfs = rt.popped_adjoint(b)` and
each `bfs[i] += g` of the loop `bfs_2 = rt.added_at_part(bfs_1, g, i)`, the loop carrying bfs (`_cut_into_loop`): in
an if's branches too (the if's phi) and in a loop inside the inner one (its phi: `for j: for i: acc += fs[-1 - i]`),
with the reads of the list before the inner loop (`y = fs[-1] * 0.5; for j in ..: y = y + fs[-1 - j]`) added after
the reversed inner loop. An inner loop after the append (`fs.append(..); for j in ..: acc += fs[-1 - j]`), whose
accumulator `rt.accumulator(fs_2, b)` starts from b itself, adds so into b (`_loop_after`), and the append's cut
then takes what the loop leaves: so too with a loop before the append as well, and in the branch of an if that does
not append (grown_lists._cut_in_branches).

`GrownInner` holds these methods of `_Reverse` (reverse.py); it reads the rest of `_Reverse`'s state through `self`.
"""
from __future__ import annotations

import dataclasses

from s2s import ir
from s2s.ir.walk import count_uses, used_names
from s2s.ad.grown_lists import ACCUMULATOR, ADDED, CUT, POPPED, _call_of, _read_only_by_cuts


class GrownInner:
    """A grown list read in a loop inside the growing loop (mixed into reverse._Reverse)."""

    def _cut_into_loop(self, loop: ir.Loop, p: ir.Phi, rphi: ir.Phi, b: ir.Var, k: int, rev_body: list,
                       body_pending: dict, out: list, reads: list, plan: tuple | None = None) -> None:
        """`_cut_in_place` of a list read in a loop inside the body (`acc = acc + c[j] * fs[-1 - j]`, an
        Adams-Bashforth step), whose accumulator `rev_body[k]` is made from the cut of `b`: it becomes
        `bfs = rt.popped_adjoint(b)`, the loop adds into it in place, and the adjoints `reads` (int-index reads of
        the list outside the inner loop, `rt.getitem_adjoint(g, fs_1, -1)`) are added in place after it; b itself made
        by a loop after the append where `plan` (`_loop_after`) is given."""
        acc, cut_var = rev_body[k].target, rev_body[k].value.args[1]
        kc = next((j for j, t in enumerate(rev_body[:k]) if isinstance(cut_var, ir.Var) and
                   _call_of(t, CUT) and self.defines(t, cut_var.name) and t.value.args == (b,)), None)
        later = [t for t in rev_body[k + 1:] if acc in used_names([t])]
        if kc is None or len(later) != 1 or not _plain_loop(later[0]):
            return
        inner = later[0]
        named = {acc, cut_var.name} | {t.target for t in reads}
        before = [j for j, t in enumerate(rev_body) if plan is not None and (t is plan[0] or t is plan[1])]
        if any(cut_var.name in used_names([t]) for t in rev_body if t is not rev_body[k]) or \
                any(b.name in used_names([t]) for t in rev_body[k:]) or \
                not _read_only_by_cuts(b, named, rev_body, outside=(kc, k, rev_body.index(inner), *before)):
            return
        triples = _added_into(inner.body, acc)
        if triples is None:
            return
        self._own(loop, rphi, ir.Var(p.target), out)
        if plan is not None:  # (the loop after the append first: it moves the statements)
            made, cut = rev_body[k], rev_body[kc]
            self._thread_after(plan, plan[0].value.args[1], p.operands[1].name, rev_body)
            k, kc = rev_body.index(made), rev_body.index(cut)
        carried = self.adjoint_name(p.target)
        self._thread(inner, ir.Var(acc), carried, triples, p.target)
        rev_body[k] = ir.Assign(acc, ir.Call(POPPED, (b,)), rev_body[k].loc)
        self.temp_defs.discard(rev_body[kc].target)
        del rev_body[kc]
        current = ir.Var(carried)
        gone = {id(t) for t in reads}
        rev_body[:] = [t for t in rev_body if id(t) not in gone]
        for t in reads:  # (reads of the list before the inner loop: after it, reversed)
            self.temp_defs.discard(t.target)
            rev_body.append(ir.Assign(self.adjoint_name(p.target), ir.Call(ADDED, (current, t.value.args[0],
                                                                                   t.value.args[2])), t.loc))
            current = ir.Var(rev_body[-1].target)
        body_pending[p.target] = [current]

    def _loop_after(self, b: ir.Var, back: ir.Var, rev_body: list):
        """Where the list `back` an iteration's last append made is read in a loop after it: (the accumulator
        `bfs_2 = rt.accumulator(back, b)`, which starts from the loop's list adjoint `b` itself, the inner loop, the
        adds into it: `_added_into`) where b is read by the accumulator alone and the accumulator by that loop,
        directly after it in `rev_body`, and by the append's adjoints (`_read_only_by_cuts`, which the caller
        checks, with the two statements left out); else None. Nothing is changed (`_thread_after`)."""
        found = [t for t in rev_body if _call_of(t, ACCUMULATOR) and t.value.args == (back, b)]
        if len(found) != 1 or sum(b.name in used_names([t]) for t in rev_body) != 1:
            return None
        acc = found[0].target
        later = [t for t in rev_body[rev_body.index(found[0]) + 1:] if acc in used_names([t])]
        if not later or not _plain_loop(later[0]):
            return None
        triples = _added_into(later[0].body, acc)
        return None if triples is None else (found[0], later[0], triples)

    def _thread_after(self, plan: tuple, b: ir.Var, primal: str, rev_body: list) -> None:
        """`_loop_after`'s `plan` made: the accumulator goes, and the inner loop carries its name from `b`, adding into
        it in place."""
        made, inner, triples = plan
        self._thread(inner, b, made.target, triples, primal)
        self.temp_defs.discard(made.target)
        rev_body.remove(made)

    def _thread(self, inner: ir.Loop, start: ir.Var, carried: str, triples: list, primal: str) -> None:
        """The element adds `triples` (`_added_into`) of the loop `inner` made `current = rt.added_at_part(current,
        g, i)` on the list adjoint `carried`, which the loop carries from `start` (a phi), named as the adjoint of
        the list `primal`: an if's carried by its phi (the branch without one: the list adjoint as it came in), a
        loop's inside it by its phi."""
        setters = {id(setter): (new.value.args[1], setter.value.args[1]) for _, new, setter in triples}
        gone = {id(t) for old, new, _ in triples for t in (old, new)}
        for old, new, _ in triples:
            self.temp_defs.discard(old.target)
            self.temp_defs.discard(new.target)

        def thread(block: list, current: ir.Var) -> ir.Var:
            for i, t in enumerate(block):
                if id(t) in setters:
                    g, index = setters[id(t)]
                    block[i] = ir.Assign(self.adjoint_name(primal), ir.Call(ADDED, (current, g, index)), t.loc)
                    current = ir.Var(block[i].target)
                elif type(t) is ir.If:
                    then, orelse = thread(t.body, current), thread(t.orelse, current)
                    if then != current or orelse != current:
                        t.phis.append(ir.Phi(self.adjoint_name(primal), [then, orelse]))
                        current = ir.Var(t.phis[-1].target)
                elif type(t) is ir.Loop:
                    name = self.adjoint_name(primal)
                    end = thread(t.body, ir.Var(name))
                    if end != ir.Var(name):
                        t.phis.append(ir.Phi(name, [current, end]))
                        current = ir.Var(name)
            block[:] = [t for t in block if id(t) not in gone]
            return current
        inner.phis.append(ir.Phi(carried, [start, thread(inner.body, ir.Var(carried))]))


def _plain_loop(t) -> bool:
    """Whether `t` is a loop without a break or continue in it (nor in a loop inside it): a phi added to it is carried
    through every iteration."""
    return type(t) is ir.Loop and not any(isinstance(u, (ir.Break, ir.Continue)) for u in ir.statements(t.body))


def _added_into(block: list, acc: str) -> list | None:
    """The element adds into the accumulator `acc` that reversed.py's `_accumulate_in_place` made in `block`, in the
    branches of its ifs (`if n - k >= 0:` around a read `ys[n - k]`) or in its loops' bodies, (`old = acc[i]`,
    `new = old + g`, `acc[i] = new`) each, where `acc` is read nowhere else in it (nor in a loop's header) and each
    index is one value; else None."""
    triples: list = []
    if not _find_adds(block, acc, triples):
        return None
    taken = {id(t) for old, _, setter in triples for t in (old, setter)}
    uses: dict = {}
    count_uses(_without(block, taken), uses)
    if not triples or uses.get(acc) or any(uses.get(old.target, 0) != 1 for old, _, _ in triples):
        return None
    return triples


def _find_adds(block: list, acc: str, triples: list) -> bool:
    for k, t in enumerate(block):
        if type(t) is ir.Effect and t.value.op == "setitem" and t.value.args[0] == ir.Var(acc):
            if len(t.value.args) != 3 or k < 2 or not _call_of(block[k - 1], "add") or \
                    not _call_of(block[k - 2], "getitem") or block[k - 2].value.args != (ir.Var(acc), t.value.args[1]) \
                    or block[k - 1].value.args[0] != ir.Var(block[k - 2].target) or \
                    t.value.args[2] != ir.Var(block[k - 1].target):
                return False
            triples.append((block[k - 2], block[k - 1], t))
        elif type(t) is ir.If and not (_find_adds(t.body, acc, triples) and _find_adds(t.orelse, acc, triples)):
            return False
        elif type(t) is ir.Loop:
            before = len(triples)
            if not _find_adds(t.body, acc, triples) or len(triples) > before and not _plain_loop(t):
                return False
    return True


def _without(block: list, taken: set) -> list:
    """`block` without the statements `taken` (in its ifs' branches and its loops' bodies too: copies of those)."""
    out = []
    for t in block:
        if id(t) in taken:
            continue
        if type(t) is ir.If:
            t = dataclasses.replace(t, body=_without(t.body, taken), orelse=_without(t.orelse, taken))
        elif type(t) is ir.Loop:
            t = dataclasses.replace(t, body=_without(t.body, taken))
        out.append(t)
    return out
