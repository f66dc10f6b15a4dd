"""A reversed `if c: continue` after a grown list's append, spelled as a read in an if (ad/grown_lists.py).

Reversed, an iteration that appends to a list and then, unless it continues, reads the new list (`ys.append(v);
if t % 2: continue; loss += f(ys[-1])`) gives an if whose phi joins the list adjoint `b` itself (the continue's
branch, whose reads are skipped) and `b + rt.getitem_adjoint(g, ys_2, -1)` (the other). `lift_from_if` spells it as
`b + t`, t joining 0.0 and g: the form of reads in an if after the append that grown_lists cuts back in place.
"""
from __future__ import annotations

import dataclasses

from s2s import ir
from s2s.ir.walk import count_uses, used_names


def lift_from_if(b: ir.Var, rev_body: list, fresh) -> None:
    """An if of `rev_body` whose phi joins the list adjoint `b` itself in one branch and a sum `b + g + ...` in the
    other (or sums in both), b read nowhere else: the reversed `if c: continue` after an append, whose skipped reads
    pass b on (`if t10: bys_2 = bys_1 else: bys_2 = bys_1 + rt.getitem_adjoint(g, ys_2, -1)`), spelled as the sum of
    b and what the if adds (`bys_2 = bys_1 + t`, t joining 0.0 and g), the form of a read in an if that
    grown_lists._reads_after cuts in place (a sum the same, term for term)."""
    uses: dict = {}
    count_uses(rev_body, uses)
    rifs = [t for t in rev_body if b.name in used_names([t])]
    if len(rifs) != 1 or type(rifs[0]) is not ir.If or rifs[0].test == b:
        return
    rif = rifs[0]
    sides = (rif.body, rif.orelse)
    phis = [q for q in rif.phis if len(q.operands) == 2 and all(o == b or _adds_to(b, o, side, uses) is not None
                                                                for o, side in zip(q.operands, sides))]
    if len(phis) != 1 or uses.get(b.name) != 2 or not any(o != b for o in phis[0].operands):
        return  # (b read once in each branch: as the phi's operand, or in its sum)
    q = phis[0]
    for i, (o, side) in enumerate(zip(q.operands, sides)):
        if o == b:
            q.operands[i] = ir.Const(0.0)
            continue
        first, user = _adds_to(b, o, side, uses)
        rest = next(a for a in first.value.args if a != b)
        side.remove(first)
        if user is None:
            q.operands[i] = rest
        else:
            user.value = dataclasses.replace(user.value, args=tuple(rest if a == ir.Var(first.target) else a
                                                                    for a in user.value.args))
    term = fresh()
    rev_body.insert(rev_body.index(rif) + 1, ir.Assign(q.target, ir.Call("add", (b, ir.Var(term))), rif.loc))
    q.target = term


def _adds_to(b: ir.Var, o, block: list, uses: dict):
    """Where `block` makes `o` as a sum of names, each read once, one of them `b`: (the addition `b + g`, the
    addition reading its sum, None where it is `o`'s own); else None."""
    defs = {t.target: t for t in block if _is_add(t) and len(t.value.args) == 2 and
            all(type(a) is ir.Var for a in t.value.args) and t.value.args[0] != t.value.args[1]}
    user, v = None, o
    while type(v) is ir.Var and v.name in defs and uses.get(v.name) == 1:
        t = defs[v.name]
        if b in t.value.args:
            return t, user
        inner = [a for a in t.value.args if a.name in defs]
        if len(inner) != 1:
            return None
        user, v = t, inner[0]
    return None


def _is_add(t) -> bool:
    return type(t) is ir.Assign and type(t.value) is ir.Call and not t.value.kwargs and t.value.op == "add"
