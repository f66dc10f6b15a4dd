"""A list a loop grows and reads, `ys.append(step(ys[-1]))`: its adjoint cut back in place by the reversed loop.

Reversed, an iteration of such a loop gives the list before the append (the header phi `ys_1`) the adjoint
`rt.appended_adjoint(bys) + rt.getitem_adjoint(g, ys_1, -1)`: a copy of all parts but the last, plus a list of
zeros with one part set, O(n) each, O(n^2) over the loop; and the forward sweep saves the list each iteration for
the second (which keeps back/growing.py from growing it in place: a copy per append). Where those are the only
contributions (the append's, and the adjoints of reads `ys_1[i]` at int indices) and the list adjoint `bys` is
read only by the append's adjoints, the reversed loop owns its list adjoint (`rt.owned_adjoint`, before the loop)
and changes it in place (runtime/grown.py):

    bys_2 = rt.popped_adjoint(bys)
    bys = rt.added_at_part(bys_2, g, -1)

which reads no list: the forward sweep saves the item it read (`t2 = ys_1[-1]`), not the list. So too for two
appends or more in a row (the list between them cut back where `collect` sums its adjoint: `_link`), for reads
of the list the last append made, after it (`ys[-1]`, the new item: added into `bys` first, `_reads_after`), for
reads in an if's branches (an elif, an if in a branch: `_read_in_if`; each branch adds into the list adjoint in
place, after the cut where they read the list before the append: `_cut_sum`), and for an append in each branch
of an if, or in one (`_cut_in_branches`; the reads after the if, or in the branch without the append, added so too).

`GrownLists` holds this method of `_Reverse` (reverse.py); it reads the rest of `_Reverse`'s state through `self`.
"""
from __future__ import annotations

import copy
import dataclasses

from s2s import ir, prims
from s2s.ir.walk import count_uses, map_blocks, used_names
from s2s.ad.grown_ifs import lift_from_if

CUT = "s2s.runtime.appended_adjoint"
POPPED, ADDED, PUSHED = "s2s.runtime.popped_adjoint", "s2s.runtime.added_at_part", "s2s.runtime.pushed_part"
ACCUMULATOR = "s2s.runtime.accumulator"
_READS_OF_B = frozenset({CUT, "s2s.runtime.appended_item_adjoint"})


class GrownLists:
    """A grown list's adjoint cut back in place (mixed into reverse._Reverse)."""

    def _cut_in_place(self, loop: ir.Loop, p: ir.Phi, rphi: ir.Phi, body_pending: dict, rev_body: list,
                      out: list) -> None:
        """Where `p` is a list `loop` grows (its back edge made by appends from the header's list, one or more
        in a row: `ys_2 = rt.appended(ys_1, v)`) whose contributions in the reversed body `rev_body` are the
        append's and the adjoints of reads at int indices, and whose adjoint (the reversed loop's phi `rphi`) only
        the append's adjoints read: those contributions become the in-place `rt.popped_adjoint` and
        `rt.added_at_part` at the end of `rev_body`, from `rt.owned_adjoint` made before the loop (in `out`). A
        list between two appends of an iteration (`_link`) is cut back so where its adjoint is summed, and the
        reads of the last append's list after it (`_reads_after`) are added into the loop's adjoint first."""
        chain = _appends(loop, p)
        if chain is None:
            return self._cut_in_branches(loop, p, rphi, body_pending, rev_body, out)
        b, links = ir.Var(rphi.target), []
        after = self._reads_after(b, p.operands[1], rev_body)
        if after is not None:  # (the list the last append made read after it: `ys[-1]`, the new item)
            b = after[1]
        # (read in a loop after the append: the loop adds into b, the cut takes what it leaves: grown_inner.py)
        plan = self._loop_after(b, p.operands[1], rev_body) if len(chain) == 1 else None
        before = after is not None  # (a read after the loop too: reversed, before it)
        if plan is not None:
            b = ir.Var(plan[0].target)
            if not before:  # (a read before the loop too)
                after = self._reads_after(b, p.operands[1], rev_body, ignore=plan[:2])
                b = after[1] if after is not None else b
        for between in reversed(chain[:-1]):
            link = self._link(b, between, rev_body)
            if link is None:
                return
            links.append(link)
            b = link[1]
        lst = ir.Var(p.target)
        defs = {t.target: k for k, t in enumerate(rev_body) if isinstance(t, ir.Assign) and
                isinstance(t.value, ir.Call) and not t.value.kwargs}
        contributions = body_pending.get(p.target, [])
        cut, reads, ifs, inner = None, [], [], None
        uses: dict = {}
        count_uses(rev_body, uses)
        for c in contributions:
            k = defs.get(c.name) if isinstance(c, ir.Var) else None
            call = rev_body[k].value if k is not None else None
            if call is not None and call.op == CUT and call.args == (b,) and cut is None:
                cut = k
            elif call is not None and call.op == "s2s.runtime.getitem_adjoint" and len(call.args) == 3 and \
                    call.args[1] == lst and b not in call.args and self._int_index(call.args[2:]):
                reads.append(k)
            elif k is None and isinstance(c, ir.Var) and not uses.get(c.name) and \
                    (found := self._read_in_if(c.name, lst, b, rev_body, uses)) is not None:
                ifs.append(found)  # (reads in an if before the append: `if t % 10 == 0: loss += np.sum(ys[-1])`)
            elif call is not None and call.op == ACCUMULATOR and len(call.args) == 2 and call.args[0] == lst and \
                    inner is None and not links and after is None:
                inner = k  # (read in a loop before the append, `fs[-1 - j]`: grown_inner.py)
            else:
                return
        if inner is not None and cut is None and not ifs:
            taken = [rev_body[k] for k in reads]
            return self._cut_into_loop(loop, p, rphi, b, inner, rev_body, body_pending, out, taken, plan)
        outside = [k for k, t in enumerate(rev_body) if plan is not None and (t is plan[0] or t is plan[1])]
        if cut is None or inner is not None or \
                not _read_only_by_cuts(b, {c.name for c in contributions}, rev_body, outside=outside):
            return
        if not _ifs_after(b, ifs, rev_body):
            return
        self._own(loop, rphi, lst, out)
        last = [rev_body[k] for k in [cut] + reads]
        if after is not None:
            start = ir.Var(plan[0].target if plan is not None and not before else rphi.target)
            self._cut_sum(rev_body, after, p.operands[1].name, start)
        if plan is not None:
            self._thread_after(plan, plan[0].value.args[1], p.operands[1].name, rev_body)
        for between, link in zip(reversed(chain[:-1]), links):  # (the later list first)
            self._cut_sum(rev_body, link, between)
        body_pending[p.target] = [self._cut_sum(rev_body, (None, None, last, [], ifs), p.target)]

    def _own(self, loop: ir.Loop, rphi: ir.Phi, lst: ir.Var, out: list) -> None:
        """The reversed loop's phi `rphi` of the adjoint of the list `lst` starts from a list adjoint of its own."""
        owned, init = self.fresh(), rphi.operands[0]
        # (the list itself only where its adjoint may be a bare 0.0, which stands for every part: its length; else a
        # loop around this one would save the list for it, and copy it at each append)
        whole = isinstance(init, ir.Var) and init.name not in self.maybe_short
        out.append(ir.Assign(owned, ir.Call("s2s.runtime.owned_adjoint", (init,) if whole else (init, lst)), loop.loc))
        rphi.operands[0] = ir.Var(owned)
        self.maybe_short.discard(rphi.target)

    def _cut_in_branches(self, loop: ir.Loop, p: ir.Phi, rphi: ir.Phi, body_pending: dict, rev_body: list,
                         out: list) -> None:
        """`_cut_in_place` of a list an if/else of the loop appends to, one item in a branch (or none in one):
        each reversed branch cuts the list adjoint `b` back in place where it sums the cut and its reads' adjoints
        (`_link`; a branch without an append passes b on, its reads of the list added into b in place), and the
        reads of the list outside the if are added in place into what the reversed if's phi joins."""
        branch = _branch_appends(loop, p)
        b, lst = ir.Var(rphi.target), ir.Var(p.target)
        contributions = body_pending.get(p.target, [])
        after = self._reads_after(b, p.operands[1], rev_body) if branch is not None else None
        if after is not None:  # (the list read after the if: `ys[-1]` of the list the if's phi joins)
            b = after[1]
        ifs = [(k, t) for k, t in enumerate(rev_body) if type(t) is ir.If and
               any(ir.Var(q.target) in contributions for q in t.phis)]
        if branch is None or len(ifs) != 1:
            return
        k_if, rif = ifs[0]
        joined = next(q for q in rif.phis if ir.Var(q.target) in contributions)
        if b in (rif.test,) or any(b in q.operands for q in rif.phis if q is not joined) or \
                len(joined.operands) != 2:
            return
        links, loops = [], []
        made = branch[1]
        for block, operand, grown in zip((rif.body, rif.orelse), joined.operands, made):
            if operand == b:
                if not _read_only_by_cuts(b, set(), block):
                    return
                continue
            # (the list the branch's append made read after it in the branch: `if c: continue` before the append;
            # a branch without an append that reads the list, `else: acc = acc + np.sum(fs[-1] * fs[-2])`, adds
            # those reads in place into b)
            inside = self._reads_after(b, grown, block) if grown != lst or operand != b else None
            plan = self._loop_after(b, lst, block) if grown == lst and inside is None else None
            if plan is not None and plan[0].target == operand.name and \
                    sum(operand.name in used_names([t]) for t in block) == 1:
                loops.append((block, plan))  # (a loop that reads it: grown_inner.py)
                links.append((block, None, None, grown))
                continue
            link = self._link(b if inside is None else inside[1], p.target, block) if grown != lst else None
            if (inside if grown == lst else link) is None or (inside[1] if link is None else link[1]) != operand:
                return
            links.append((block, link, inside, grown))
        defs = {t.target: k for k, t in enumerate(rev_body) if _call_of(t, "s2s.runtime.getitem_adjoint")}
        reads = []
        for c in contributions:
            call = rev_body[defs[c.name]].value if isinstance(c, ir.Var) and c.name in defs else None
            if c == ir.Var(joined.target):
                continue
            if call is None or len(call.args) != 3 or call.args[1] != lst or b in call.args or \
                    not self._int_index(call.args[2:]):
                return
            reads.append(defs[c.name])
        outside = rev_body[:k_if] + rev_body[k_if + 1:]
        # (a list only cut back, read by no branch, keeps its cuts: an array of rows's is a view each)
        if not any(link is None or len(link[2]) > 1 or link[4] or inside for _, link, inside, _ in links) and \
                not reads or \
                not _read_only_by_cuts(b, {c.name for c in contributions}, outside):
            return
        self._own(loop, rphi, lst, out)
        self.maybe_short.discard(joined.target)
        taken = [rev_body[k] for k in reads]  # (before the cut after the if moves the statements)
        if after is not None:
            self._cut_sum(rev_body, after, p.operands[1].name, ir.Var(rphi.target))
        for block, link, inside, grown in links:
            if inside is not None:
                self._cut_sum(block, inside, grown.name, b)
            if link is not None:
                self._cut_sum(block, link, p.target)
        for block, plan in loops:
            self._thread_after(plan, b, p.target, block)
        if taken:
            self._cut_at(rev_body, None, taken, taken, p.target, None, start=ir.Var(joined.target))
        body_pending[p.target] = [ir.Var(rev_body[-1].target) if taken else ir.Var(joined.target)]

    def _reads_after(self, b: ir.Var, joined, rev_body: list, ignore=()):
        """Where the list `joined`, the loop's back edge (made by the iteration's last append, or joined by an if's
        phi), is read after that append or if at int indices, the reversed loop's `b` plus the reads' adjoints
        (`bys_3 = b + rt.getitem_adjoint(g, ys_3, -1)`, summed by `collect`) as `_link` gives it for
        `rt.added_at_part` into b itself, and the ifs whose branches read it (`_read_in_if`), in order; None where b
        is read otherwise (but by the statements `ignore`) or not so."""
        lift_from_if(b, rev_body, self.fresh)
        uses: dict = {}
        count_uses([t for t in rev_body if not any(t is u for u in ignore)], uses)
        adds = [k for k, t in enumerate(rev_body) if _call_of(t, "add") and b in t.value.args]
        if len(adds) != 1 or uses.get(b.name) != 1:
            return None
        ifs: list = []
        found = self._read_terms(b.name, joined, b, rev_body, uses, ifs)
        if found is None:
            return None
        taken, terms, name = found
        adjoint = ir.Var(self.renamed.get(name, name))
        at = max(taken + terms) + 1
        if any(adjoint.name in used_names([t]) for t in rev_body[:at]):
            return None
        anchor = rev_body[at] if at < len(rev_body) else None
        return anchor, adjoint, [rev_body[k] for k in sorted(taken)], [rev_body[k] for k in sorted(terms)], \
            _in_order(ifs, rev_body)

    def _read_in_if(self, q: str, lst, b: ir.Var, block: list, uses: dict):
        """(the if, its phi `q`, each branch's `_read_sum`) where `q` joins in an if of `block` the sums of int-index
        reads' adjoints of the list `lst` its branches make (`t11 = rt.getitem_adjoint(g, ys_2, -1)`), or 0.0 where a
        branch reads none; else None."""
        rif = next((t for t in block if type(t) is ir.If and any(p.target == q for p in t.phis)), None)
        phi = next(p for p in rif.phis if p.target == q) if rif is not None else None
        if phi is None or len(phi.operands) != 2:
            return None
        branches = [self._read_sum(o, lst, b, side, uses) for side, o in zip((rif.body, rif.orelse), phi.operands)]
        return None if None in branches else (rif, phi, branches)

    def _read_sum(self, o, lst, b: ir.Var, block: list, uses: dict):
        """(the block, the reads, the additions, the ifs: `_read_in_if`, in order) where `block` makes `o` as a sum of
        int-index reads' adjoints of the list `lst` and of what ifs of it join so (0.0: nothing), each name read
        once; else None."""
        defs = {t.target: t for t in block if _call_of(t, None)}
        reads, adds, ifs, todo = [], [], [], [] if type(o) is ir.Const and o.value == 0 else [o]
        while todo:
            v = todo.pop()
            if type(v) is not ir.Var or uses.get(v.name) != 1:
                return None
            call = defs[v.name].value if v.name in defs else None
            if call is not None and call.op == "add" and len(call.args) == 2:
                adds.append(defs[v.name])
                todo.extend(call.args)
            elif call is not None and call.op == "s2s.runtime.getitem_adjoint" and len(call.args) == 3 and \
                    call.args[1] == lst and b not in call.args and self._int_index(call.args[2:]):
                reads.append(defs[v.name])
            elif call is None and (found := self._read_in_if(v.name, lst, b, block, uses)) is not None:
                ifs.append(found)
            else:
                return None
        return block, reads, adds, _in_order(ifs, block)

    def _cut_ifs(self, ifs: list, start: ir.Var, primal: str, last: str | None = None) -> ir.Var:
        """The reads' adjoints of the ifs `ifs` (`_read_in_if`, in order) added in place into the list adjoint
        `start` in their branches, named as the adjoint of `primal` (the last if's phi `last`, where given): the
        list adjoint they give."""
        for rif, phi, branches in ifs:
            for side, (block, reads, adds, inner) in enumerate(branches):
                gone = {id(t) for t in reads + adds}
                block[:] = [t for t in block if id(t) not in gone]
                for t in reads + adds:
                    self.temp_defs.discard(t.target)
                current = self._cut_ifs(inner, start, primal)
                for t in reads:
                    name = self.adjoint_name(primal)
                    block.append(ir.Assign(name, ir.Call(ADDED, (current, t.value.args[0], t.value.args[2])), t.loc))
                    current = ir.Var(name)
                phi.operands[side] = current
            phi.target = last if last is not None and phi is ifs[-1][1] else self.adjoint_name(primal)
            start = ir.Var(phi.target)
        return start

    def _cut_sum(self, rev_body: list, found: tuple, primal: str, start: ir.Var | None = None) -> ir.Var:
        """A sum `found` of a list adjoint's cut (`taken[0]`, where `start` is None) and reads' adjoints (`_link`,
        `_reads_after`: (anchor, the sum's name or None, the cut and reads, the additions, the ifs that read)) made
        in place, named as the adjoint of `primal`: the cut before the first if, the reads in each if's branches,
        then the others' before `anchor`. The list adjoint it gives."""
        anchor, adjoint, taken, terms, ifs = found
        final = adjoint.name if adjoint is not None else None
        if start is None and ifs:  # (the ifs add into what the cut leaves)
            start = self._cut_at(rev_body, ifs[0][0], taken[:1], taken[:1], primal, None)
            taken = taken[1:]
        start = self._cut_ifs(ifs, start, primal, None if taken else final)
        if taken:
            return self._cut_at(rev_body, anchor, taken + terms, taken, primal, final, start=start)
        gone = {id(t) for t in terms}  # (only ifs read it: the sums go)
        rev_body[:] = [t for t in rev_body if id(t) not in gone]
        self.maybe_short.discard(final)
        return start

    def _link(self, b: ir.Var, between: str, rev_body: list):
        """For the list `between` two appends of an iteration, whose adjoint the later append's cut of `b` starts
        (`bys_2 = rt.appended_adjoint(b) + rt.getitem_adjoint(g, ys_2, -1)`, summed by `collect`): (the place after
        the statements of that sum and the reads of b, the sum's name, the cut and reads in order), where the sum
        has no other terms, only the appends' adjoints read b and the sum, and the place comes before the sum's
        reads; else None."""
        k_cut = [k for k, t in enumerate(rev_body) if _call_of(t, CUT) and t.value.args == (b,)]
        if len(k_cut) != 1:
            return None
        uses: dict = {}
        count_uses(rev_body, uses)
        ifs: list = []
        found = self._read_terms(rev_body[k_cut[0]].target, ir.Var(between), b, rev_body, uses, ifs)
        if found is None or not _ifs_after(b, ifs, rev_body):
            return None
        reads, terms, name = found
        taken = [k_cut[0]] + reads
        adjoint = ir.Var(self.renamed.get(name, name))
        taken_names = {rev_body[k].target for k in taken}
        if not _read_only_by_cuts(b, taken_names, rev_body, outside=terms):
            return None
        reads_b = [k for k, t in enumerate(rev_body) if b.name in used_names([t])]
        at = max(reads_b + taken + list(terms)) + 1
        if any(adjoint.name in used_names([t]) for t in rev_body[:at]):
            return None
        # (the sum's own statements go: the cut and the reads' adjoints are made anew before `anchor`)
        anchor = rev_body[at] if at < len(rev_body) else None
        return anchor, adjoint, [rev_body[k] for k in sorted(taken)], [rev_body[k] for k in sorted(terms)], ifs

    def _read_terms(self, name: str, lst, b: ir.Var, rev_body: list, uses: dict, ifs: list | None = None):
        """(the reads, the additions, the sum's last name) of the chain `name + rt.getitem_adjoint(g, lst, i) + ...`
        of `rev_body` (each term an int-index read's adjoint of the list `lst`, each name read once; where `ifs` is
        given, also the phi of an if whose branches make such sums: `_read_in_if`, added to ifs); None where a term
        is anything else."""
        taken, terms = [], []
        while True:
            adds = [k for k, t in enumerate(rev_body) if _call_of(t, "add") and ir.Var(name) in t.value.args]
            if not adds:
                return taken, terms, name
            k = adds[0]
            other = [a for a in rev_body[k].value.args if a != ir.Var(name)]
            if len(adds) != 1 or uses.get(name) != 1 or len(other) != 1 or type(other[0]) is not ir.Var:
                return None
            read = next((j for j, t in enumerate(rev_body) if type(t) is ir.Assign and t.target == other[0].name),
                        None)
            if read is None and ifs is not None and uses.get(other[0].name) == 1:
                found = self._read_in_if(other[0].name, lst, b, rev_body, uses)
                if found is None:
                    return None
                ifs.append(found)
                terms.append(k)
                name = rev_body[k].target
                continue
            call = rev_body[read].value if read is not None and _call_of(rev_body[read], None) else None
            if call is None or call.op != "s2s.runtime.getitem_adjoint" or len(call.args) != 3 or \
                    call.args[1] != lst or b in call.args or not self._int_index(call.args[2:]) or \
                    uses.get(other[0].name) != 1:
                return None
            taken.append(read)
            terms.append(k)
            name = rev_body[k].target

    def _cut_at(self, rev_body: list, anchor, gone: list, taken: list, primal: str, final: str | None,
                start: ir.Var | None = None) -> ir.Var:
        """The cut `taken[0]` (`rt.appended_adjoint(b)`) and the reads' adjoints `taken[1:]` in place, before the
        statement `anchor` of `rev_body` (None: at its end), the statements `gone` removed: `rt.popped_adjoint(b)`
        then `rt.added_at_part` one by one, named as the adjoint of the list `primal`, the last `final` where given (a
        sum's); from `start` where given (a list adjoint cut back already), with `taken` all reads. The last name made."""
        ids = {id(t) for t in gone}
        rev_body[:] = [t for t in rev_body if id(t) not in ids]
        at = len(rev_body) if anchor is None else next(k for k, t in enumerate(rev_body) if t is anchor)
        for t in gone:
            self.temp_defs.discard(t.target)
        names = [self.adjoint_name(primal) for _ in taken]
        if final is not None:
            names[-1] = final
            self.maybe_short.discard(final)
        current, made = start or taken[0].value.args[0], []
        for t, name in zip(taken, names):
            call = ir.Call(POPPED, (current,)) if t is taken[0] and start is None else \
                ir.Call(ADDED, (current, t.value.args[0], t.value.args[2]))
            made.append(ir.Assign(name, call, t.loc))
            current = ir.Var(name)
        rev_body[at:at] = made
        return current


def _call_of(t, op) -> bool:
    """Whether `t` assigns a call (of `op`, where given) without keywords."""
    return type(t) is ir.Assign and type(t.value) is ir.Call and not t.value.kwargs and (op is None or t.value.op == op)


def _appends(loop: ir.Loop, p: ir.Phi) -> list | None:
    """The lists the appends in `loop`'s body make from `p`'s, the back edge last (`[ys_2]`, or `[ys_2, ys_3]` for
    two appends in a row), where each is made so in the body itself (no branch); else None."""
    made = {t.target: t.value for t in loop.body if _call_of(t, prims.APPENDED) and type(t.value.args[0]) is ir.Var}
    chain, name = [], p.operands[1]
    while isinstance(name, ir.Var) and name.name in made and len(chain) <= len(made):
        chain.insert(0, name.name)
        name = made[name.name].args[0]
        if name == ir.Var(p.target):
            return chain
    return None


def _branch_appends(loop: ir.Loop, p: ir.Phi) -> tuple | None:
    """(the if, the lists its branches give p's back edge) where an if of `loop`'s body (not nested) joins by its
    phi a list each branch makes by one append to p's in that branch itself, or p's list as it is (no append
    there); or where the body ends in an if one branch of which continues with p's list as it is (`if c:
    continue`), the other appending to it once (the back edge); else None."""
    back = p.operands[1]
    for t in loop.body:
        joined = next((q for q in getattr(t, "phis", ()) if ir.Var(q.target) == back), None) \
            if type(t) is ir.If else None
        if joined is None or len(joined.operands) != 2:
            continue
        ok = []
        for block, o in zip((t.body, t.orelse), joined.operands):
            made = {u.target: u.value for u in block if _call_of(u, prims.APPENDED)}
            ok.append(o == ir.Var(p.target) or isinstance(o, ir.Var) and o.name in made and
                      made[o.name].args[0] == ir.Var(p.target))
        return (t, joined.operands) if all(ok) and joined.operands.count(ir.Var(p.target)) < 2 else None
    last = loop.body[-1] if loop.body else None
    if type(last) is not ir.If or any(type(u) is ir.Break for u in ir.statements(loop.body)):
        return None
    lst, sides = ir.Var(p.target), []
    for block in (last.body, last.orelse):
        appends = [u for u in block if _call_of(u, prims.APPENDED) and u.value.args[0] == lst]
        if block and type(block[-1]) is ir.Continue and block[-1].values.get(p.target) == lst and \
                not any(_call_of(u, prims.APPENDED) for u in ir.statements(block)):
            sides.append(lst)
        elif len(appends) == 1 and appends[0].target == getattr(back, "name", None) and \
                not any(type(u) is ir.Continue for u in ir.statements(block)):
            sides.append(back)
        else:
            return None
    if sorted(o == lst for o in sides) != [False, True] or \
            sum(type(u) is ir.Continue for u in ir.statements(loop.body)) != 1:
        return None
    return last, sides


def _in_order(ifs: list, block: list) -> list:
    """The ifs `ifs` (`_read_in_if`) sorted in their order in `block`."""
    ifs.sort(key=lambda found: next(k for k, t in enumerate(block) if t is found[0]))
    return ifs


def _ifs_after(b: ir.Var, ifs: list, block: list) -> bool:
    """Whether no statement of `block` from the first of the ifs `ifs` (`_read_in_if`, sorted so) on reads the list
    adjoint `b`, which its cut leaves for them to add into."""
    _in_order(ifs, block)
    first = next((k for k, t in enumerate(block) if ifs and t is ifs[0][0]), len(block))
    return not any(b.name in used_names([t]) for t in block[first:])


def _read_only_by_cuts(b: ir.Var, names: set, rev_body: list, outside=()) -> bool:
    """Whether in `rev_body` the list adjoint `b` is read only by its append's adjoints and the contributions
    `names` by nothing (but the statements at `outside`, a sum of them)."""
    for k, t in enumerate(rev_body):
        if k in outside or t is None:
            continue
        for u in ir.statements([t]):
            allowed = isinstance(u, ir.Assign) and isinstance(u.value, ir.Call) and u.value.op in _READS_OF_B and \
                u.value.args == (b,)
            read = set(used_names([u]))  # (an if or a loop: what its blocks read too)
            if names & read or (b.name in read and not allowed):
                return False
    return True


def functional_cuts(fn: ir.Function, namer, kept=frozenset()) -> ir.Function:
    """`fn`, a gradient differentiated again in reverse mode, with its list adjoints cut back as new lists: `rt.
    appended_adjoint(b)` for `rt.popped_adjoint(b)`, `b + rt.getitem_adjoint(g, b, i)` for `rt.added_at_part(b, g,
    i)`, `rt.popped_transpose(b)` for `rt.pushed_part(b)`, but the statements whose ids are `kept` (grown back in
    place: ad/shrunk_lists.py). Reverse mode reads values as they were when made (the sweep saves them, its rules
    read their structure); a list changed in place later would be read as it ends. (Forward mode, a Hessian's,
    follows them as they are.)"""
    if not any(type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op in (POPPED, ADDED, PUSHED) and
               id(s) not in kept for s in ir.statements(fn.body)):
        return fn

    def spell(block: list, items: list) -> list:
        out = []
        for s in items:
            c = s.value if type(s) is ir.Assign and id(s) not in kept else None
            if type(c) is ir.Call and c.op == POPPED:
                s = dataclasses.replace(s, value=ir.Call(CUT, c.args))
            elif type(c) is ir.Call and c.op == PUSHED:
                s = dataclasses.replace(s, value=ir.Call("s2s.runtime.popped_transpose", c.args))
            elif type(c) is ir.Call and c.op == ADDED:
                b, g, i = c.args
                part = namer.fresh("t")
                out.append(ir.Assign(part, ir.Call("s2s.runtime.getitem_adjoint", (g, b, i)), s.loc))
                s = dataclasses.replace(s, value=ir.Call("add", (b, ir.Var(part))))
            out.append(s)
        return out
    fn = copy.copy(fn)
    fn.body = map_blocks(fn.body, spell)
    return fn
