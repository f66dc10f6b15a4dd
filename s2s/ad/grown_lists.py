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

which reads no list: the forward sweep saves the item it read (`t2 = ys_1[-1]`), not the list.

`GrownLists` holds this method of `_Reverse` (reverse.py); it reads the rest of `_Reverse`'s state through `self`.
"""
from __future__ import annotations

import copy
import dataclasses

from s2s import ir, prims
from s2s.ir.walk import map_blocks, used_names

CUT = "s2s.runtime.appended_adjoint"
POPPED, ADDED = "s2s.runtime.popped_adjoint", "s2s.runtime.added_at_part"
_READS_OF_B = frozenset({CUT, "s2s.runtime.appended_item_adjoint"})


class GrownLists:
    """A grown list's adjoint cut back in place (mixed into reverse._Reverse)."""

    def _cut_in_place(self, loop: ir.Loop, p: ir.Phi, rphi: ir.Phi, body_pending: dict, rev_body: list,
                      out: list) -> None:
        """Where `p` is a list `loop` grows (its back edge `ys_2 = rt.appended(ys_1, v)`) whose contributions in
        the reversed body `rev_body` are the append's and the adjoints of reads at int indices, and whose adjoint
        (the reversed loop's phi `rphi`) only the append's adjoints read: those contributions become the in-place
        `rt.popped_adjoint` and `rt.added_at_part` at the end of `rev_body`, from `rt.owned_adjoint` made before
        the loop (in `out`)."""
        back, lst, b = p.operands[1], ir.Var(p.target), ir.Var(rphi.target)
        if not isinstance(back, ir.Var) or not any(
                isinstance(t, ir.Assign) and t.target == back.name and isinstance(t.value, ir.Call) and
                t.value.op == prims.APPENDED and t.value.args[0] == lst for t in loop.body):
            return
        defs = {t.target: k for k, t in enumerate(rev_body) if isinstance(t, ir.Assign) and
                isinstance(t.value, ir.Call) and not t.value.kwargs}
        contributions = body_pending.get(p.target, [])
        cut, reads = None, []
        for c in contributions:
            k = defs.get(c.name) if isinstance(c, ir.Var) else None
            call = rev_body[k].value if k is not None else None
            if call is not None and call.op == CUT and call.args == (b,) and cut is None:
                cut = k
            elif call is not None and call.op == "s2s.runtime.getitem_adjoint" and len(call.args) == 3 and \
                    call.args[1] == lst and b not in call.args and self._int_index(call.args[2:]):
                reads.append(k)
            else:
                return
        if cut is None:
            return
        names = {c.name for c in contributions}
        for t in ir.statements(rev_body):  # (the contributions are read by nothing yet; b by the append's adjoints)
            allowed = isinstance(t, ir.Assign) and isinstance(t.value, ir.Call) and t.value.op in _READS_OF_B and \
                t.value.args == (b,)
            read = set(used_names([t]))  # (an if or a loop: what its blocks read too)
            if names & read or (b.name in read and not allowed):
                return
        owned, init = self.fresh(), rphi.operands[0]
        # (the list itself only where its adjoint may be a bare 0.0, which stands for every part: its length; else a
        # loop around this one would save the list for it, and copy it at each append)
        whole = isinstance(init, ir.Var) and init.name not in self.maybe_short
        out.append(ir.Assign(owned, ir.Call("s2s.runtime.owned_adjoint", (init,) if whole else (init, lst)), loop.loc))
        rphi.operands[0] = ir.Var(owned)
        self.maybe_short.discard(rphi.target)
        taken = [rev_body[k] for k in [cut] + reads]
        for k in sorted([cut] + reads, reverse=True):
            del rev_body[k]
        for t in taken:
            self.temp_defs.discard(t.target)
        # (named as the list's adjoint, each a statement of its own: the reads' adjoints added one by one)
        current = ir.Var(self.adjoint_name(p.target))
        rev_body.append(ir.Assign(current.name, ir.Call(POPPED, (b,)), taken[0].loc))
        for t in taken[1:]:
            g, _, index = t.value.args
            nxt = ir.Var(self.adjoint_name(p.target))
            rev_body.append(ir.Assign(nxt.name, ir.Call(ADDED, (current, g, index)), t.loc))
            current = nxt
        body_pending[p.target] = [current]



def functional_cuts(fn: ir.Function, namer) -> ir.Function:
    """`fn`, a gradient differentiated again in reverse mode, with its list adjoints cut back as new lists: `rt.
    appended_adjoint(b)` for `rt.popped_adjoint(b)`, `b + rt.getitem_adjoint(g, b, i)` for `rt.added_at_part(b, g,
    i)`. Reverse mode reads values as they were when made (the sweep saves them, its rules read their structure);
    a list changed in place later would be read as it ends. (Forward mode, a Hessian's, follows them as they are.)"""
    if not any(type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op in (POPPED, ADDED)
               for s in ir.statements(fn.body)):
        return fn

    def spell(block: list, items: list) -> list:
        out = []
        for s in items:
            c = s.value if type(s) is ir.Assign else None
            if type(c) is ir.Call and c.op == POPPED:
                s = dataclasses.replace(s, value=ir.Call(CUT, c.args))
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
