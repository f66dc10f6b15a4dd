"""A gradient's list adjoint cut back in place, differentiated again in reverse mode: its adjoint grown in place.

A gradient's reversed loop cuts the adjoint `b` of a list the function grew back in place (ad/grown_lists.py):

    bt6 = rt.appended_item_adjoint(b)      # the appended item's adjoint, b[-1]
    b_2 = rt.popped_adjoint(b)             # b without its last part
    b = rt.added_at_part(b_2, h, -1)       # the read ys[-1]'s adjoint added into its last part

Reversed again (`s2s.jacobian(s2s.grad(f))`, `s2s.vjp` of a gradient), the adjoint `bb` of that list adjoint grows
back one part per iteration: `rt.popped_transpose(bb) + rt.appended_item_transpose(bbt6, b)`, a new list of all
the parts and a list of zeros with one part set, O(n) per iteration, O(n^2) over the loop; and the rule of the
item's adjoint reads `b`, which the sweep would save per iteration (as a new list each: `functional_cuts`). Where
a loop of the gradient does only that to `b` (`in_place_shrinks`: `b` read by the item's adjoints and its cut, the
cut added into part by part at constant indices) and, reversed, `bb` is read only by the parts of it that the
adds' adjoints take (`rt.part_of(bb, -1)`) and by the cut's transpose, the reversed loop owns `bb`
(`rt.owned_adjoint`, before the loop) and grows it in place at the end of its body:

    bb_1 = rt.pushed_part(bb)              # a zero part after bb's parts, in place
    bb = rt.added_at_part(bb_1, bbt6, -1)  # the item's adjoint added into it

which reads no `b`: the sweep saves none of it. Adds into `b` before the cut (the adjoint of a read of the new item
after its append, `loss += np.sum(ys[-1])`) are moved past it first (`adds_before_cuts`). Where some loop does not
fit (the rules would read a list changed in place later), `reverse` builds again with every cut read as new lists
(`functional_cuts`).

`ShrunkLists` holds this method of `_Reverse` (reverse.py); it reads the rest of `_Reverse`'s state through `self`.
"""
from __future__ import annotations

import copy

from s2s import ir
from s2s.ir.walk import count_uses, map_blocks, used_names

POPPED, ADDED = "s2s.runtime.popped_adjoint", "s2s.runtime.added_at_part"
PUSHED = "s2s.runtime.pushed_part"
ITEM = "s2s.runtime.appended_item_adjoint"
OWNED = "s2s.runtime.owned_adjoint"
_POP_T, _ITEM_T, _PART = "s2s.runtime.popped_transpose", "s2s.runtime.appended_item_transpose", "s2s.runtime.part_of"
IN_PLACE = frozenset({POPPED, ADDED, PUSHED})


def _call(t, op=None) -> ir.Call | None:
    """The call `t` assigns (of `op`, where given), without keywords; else None."""
    if type(t) is ir.Assign and type(t.value) is ir.Call and not t.value.kwargs and (op is None or t.value.op == op):
        return t.value
    return None


def _int(a) -> bool:
    return type(a) is ir.Const and type(a.value) is int


def in_place_shrinks(fn: ir.Function) -> tuple[set, set]:
    """(the phis of `fn`'s loops whose list adjoint the loop cuts back in place and only so, the ids of the
    statements that do it): each such loop's back edge is `rt.added_at_part(.., h, i)` (i a constant) of
    `rt.added_at_part` ... of `rt.popped_adjoint(b)` of its header's `b`, made in the body itself, each read once;
    `b` read in the loop by those and `rt.appended_item_adjoint(b)` only; its start `rt.owned_adjoint(..)` read by
    the phi only; no break or continue."""
    uses: dict = {}
    count_uses(fn.body, uses)
    made = {s.target: s for s in ir.statements(fn.body) if _call(s) is not None}
    phis, ids = set(), set()
    for loop in ir.statements(fn.body):
        if type(loop) is not ir.Loop or any(type(t) in (ir.Break, ir.Continue) for t in ir.statements(loop.body)):
            continue
        top = {t.target: t for t in loop.body if _call(t) is not None}
        for p in loop.phis:
            b, chain, name = ir.Var(p.target), [], p.operands[1] if len(p.operands) == 2 else None
            while type(name) is ir.Var and name.name in top and len(chain) <= len(top):
                c = _call(top[name.name])
                if c.op == ADDED and len(c.args) == 3 and _int(c.args[2]) and uses.get(name.name) == 1:
                    chain.append(top[name.name])
                    name = c.args[0]
                elif c.op == POPPED and c.args == (b,) and chain and uses.get(name.name) == 1:
                    chain.append(top[name.name])
                    break
                else:
                    break
            start = made.get(getattr(p.operands[0], "name", None))
            if not chain or _call(chain[-1], POPPED) is None or start is None or \
                    _call(start, OWNED) is None or uses.get(start.target) != 1:
                continue
            readers = [t for t in ir.statements(loop.header + loop.body) if p.target in used_names([t])]
            top_ids = {id(t) for t in loop.body}
            if all(t is chain[-1] or _call(t, ITEM) is not None and _call(t).args == (b,) and id(t) in top_ids
                   for t in readers):
                phis.add(p.target)
                ids.update(id(t) for t in chain)
    return phis, ids


def adds_before_cuts(fn: ir.Function, namer) -> ir.Function:
    """`fn` with the adds into a list adjoint `b` made before its loop cuts it back (`bs_2 = rt.added_at_part(b, g,
    -1)`, the adjoint of a read of the new item after its append: `loss += np.sum(ys[-1])`) moved past the cut:
    an add into the last part, which the cut takes off, goes to what the item's adjoint reads (`x =
    rt.appended_item_adjoint(b) + g`); one into part -2 or before, after the cut into part -1 or before (the same
    sums in the same order, so the same numbers). Then the loop cuts `b` itself (`in_place_shrinks`)."""
    uses: dict = {}
    count_uses(fn.body, uses)
    gone, replaced = set(), {}
    for loop in ir.statements(fn.body):
        if type(loop) is not ir.Loop:
            continue
        top = {t.target: t for t in loop.body if _call(t) is not None}
        for p in loop.phis:
            cut = next((t for t in loop.body if _call(t, POPPED) is not None), None)
            pre, name = [], _call(cut).args[0] if cut is not None else None
            while type(name) is ir.Var and name.name in top and _call(top[name.name], ADDED) is not None:
                c = _call(top[name.name])
                if len(c.args) != 3 or not _int(c.args[2]) or c.args[2].value >= 0 or id(top[name.name]) in gone:
                    break
                pre.insert(0, top[name.name])
                name = c.args[0]
            if not pre or name != ir.Var(p.target) or cut.target == getattr(p.operands[-1], "name", None):
                continue
            last = ir.Var(pre[-1].target)
            items = [t for t in loop.body if _call(t, ITEM) is not None and _call(t).args == (last,)]
            if any(uses.get(t.target) != 1 for t in pre[:-1]) or uses.get(last.name) != 1 + len(items):
                continue
            into_item = [_call(t).args[1] for t in pre if _call(t).args[2].value == -1]
            for t in items:
                made, total = [], ir.Var(namer.fresh("t"))
                made.append(ir.Assign(total.name, ir.Call(ITEM, (ir.Var(p.target),)), t.loc))
                for k, g in enumerate(into_item):
                    nxt = t.target if k == len(into_item) - 1 else namer.fresh("t")
                    made.append(ir.Assign(nxt, ir.Call("add", (total, g)), t.loc))
                    total = ir.Var(nxt)
                if not into_item:
                    made.append(ir.Assign(t.target, total, t.loc))
                replaced[id(t)] = made
            later = [t for t in pre if _call(t).args[2].value < -1]
            current = ir.Var(namer.fresh("t") if later else cut.target)
            made = [ir.Assign(current.name, ir.Call(POPPED, (ir.Var(p.target),)), cut.loc)]
            for k, t in enumerate(later):
                nxt = cut.target if k == len(later) - 1 else namer.fresh("t")
                c = _call(t)
                made.append(ir.Assign(nxt, ir.Call(ADDED, (current, c.args[1], ir.Const(c.args[2].value + 1))),
                                      t.loc))
                current = ir.Var(nxt)
            replaced[id(cut)] = made
            gone.update(id(t) for t in pre)
    if not replaced:
        return fn

    def spell(block: list, items: list) -> list:
        out = []
        for t in items:
            if id(t) not in gone:
                out.extend(replaced.get(id(t), [t]))
        return out
    fn = copy.copy(fn)
    fn.body = map_blocks(fn.body, spell)
    return fn


class ShrunkLists:
    """A gradient's list adjoint cut back in place: its adjoint grown in place (mixed into reverse._Reverse)."""

    def _grow_in_place(self, loop: ir.Loop, p: ir.Phi, rphi: ir.Phi, body_pending: dict, rev_body: list,
                       out: list) -> None:
        """Where `p` is a list adjoint `loop` cuts back in place (`in_place_shrinks`) whose contributions in the
        reversed body `rev_body` are its cut's transpose of the reversed loop's phi `rphi` and the transposes of
        its item's adjoints, and which `rev_body` reads (`rphi`) only by parts at constant indices and that
        transpose: those become `rt.pushed_part` and `rt.added_at_part` in place at the end of `rev_body`, from
        `rt.owned_adjoint` made before the loop (in `out`)."""
        if p.target not in self.shrinks:
            return
        bb, lst = ir.Var(rphi.target), ir.Var(p.target)
        defs = {t.target: k for k, t in enumerate(rev_body) if _call(t) is not None}
        cut, items = None, []
        for c in body_pending.get(p.target, []):
            k = defs.get(c.name) if type(c) is ir.Var else None
            call = _call(rev_body[k]) if k is not None else None
            if call is not None and call.op == _POP_T and call.args == (bb,) and cut is None:
                cut = k
            elif call is not None and call.op == _ITEM_T and len(call.args) == 2 and call.args[1] == lst and \
                    bb not in call.args:
                items.append(k)
            else:
                return
        if cut is None:
            return
        gone = [rev_body[k] for k in [cut] + items]
        names, ids = {t.target for t in gone}, {id(t) for t in gone}
        for t in rev_body:
            read = set(used_names([t]))
            part = _call(t, _PART)
            if names & read or lst.name in read and id(t) not in ids or \
                    bb.name in read and t is not gone[0] and not (part is not None and part.args[0] == bb and
                                                                 len(part.args) == 2 and _int(part.args[1])):
                return
        self._own(loop, rphi, lst, out)
        rev_body[:] = [t for t in rev_body if id(t) not in ids]
        for t in gone:
            self.temp_defs.discard(t.target)
        current = ir.Var(self.adjoint_name(p.target))
        rev_body.append(ir.Assign(current.name, ir.Call(PUSHED, (bb,)), gone[0].loc))
        for t in gone[1:]:
            nxt = self.adjoint_name(p.target)
            rev_body.append(ir.Assign(nxt, ir.Call(ADDED, (current, t.value.args[0], ir.Const(-1))), t.loc))
            current = ir.Var(nxt)
        body_pending[p.target] = [current]
        self.shrinks_grown.add(p.target)
