"""How forward mode sums a value's tangent contributions, as a person writes the sum (ad/forward.py): `total - x`
where a contribution was just emitted as `-x`, and the quotient rule's `da / b - ans * db / b` as `(da - ans * db) /
b`, one division fewer.
"""
from __future__ import annotations

from s2s import ir
from s2s.rules.symbolic import Emitter, Sym, emit, lift, to_atom


def emitted_op(v, em: Emitter):
    """The op of the call `em` emitted last for the atom of `v` (a Sym), or None."""
    for s in reversed(em.stmts):
        if isinstance(v.atom, ir.Var) and s.target == v.atom.name:
            return s.value.op if isinstance(s.value, ir.Call) else None
    return None


def _negation_of(atom, em: Emitter):
    """If `atom` was emitted by `em` as `-x`, the atom x."""
    if not isinstance(atom, ir.Var):
        return None
    for s in reversed(em.stmts):
        if s.target == atom.name:
            if isinstance(s.value, ir.Call) and s.value.op == "neg":
                return s.value.args[0]
            return None
    return None


def _over_common_divisor(total, inner, em: Emitter):
    """`A / b - B / b`, both quotients just emitted (the quotient rule: da / b - a * db / b ** 2 is spelled
    da / b - ans * db / b), as `(A - B) / b`: one division fewer, as a person writes it. None otherwise."""
    defs = {s.target: s for s in em.stmts}
    first, second = (defs.get(a.name) if isinstance(a, ir.Var) else None for a in (to_atom(total), inner))
    if first is None or second is None or first is second:
        return None
    if not all(isinstance(d.value, ir.Call) and d.value.op == "truediv" and not d.value.kwargs for d in (first, second)):
        return None
    if first.value.args[1] != second.value.args[1]:
        return None
    rest = [s for s in em.stmts if s is not first and s is not second]
    if any(isinstance(a, ir.Var) and a.name in (first.target, second.target) for s in rest for a in ir.operands(s)):
        return None  # (a quotient read by another statement stays)
    em.stmts = rest
    difference = emit("sub", lift(first.value.args[0]), lift(second.value.args[0]))
    return emit("truediv", difference, lift(first.value.args[1]))


def add_tangent(total, contribution, em: Emitter):
    """total + contribution, as `total - x` when the contribution was just emitted as `-x`."""
    inner = _negation_of(to_atom(contribution), em)
    if inner is not None:
        name = to_atom(contribution).name
        em.stmts = [s for s in em.stmts if s.target != name]
        fused = _over_common_divisor(total, inner, em)
        return fused if fused is not None else emit("sub", total, lift(inner))
    if isinstance(total, Sym) or isinstance(contribution, Sym):
        return emit("add", total, contribution)
    return total + contribution
