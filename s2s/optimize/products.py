"""A product computed only for its shape, to sum an adjoint back to it before the product's own adjoints.

For `v = x * w`, reverse mode sums the adjoint `g` back to v's shape, then multiplies and sums again for
each factor:

    bv = rt.unbroadcast(g, x * w)       # (a reversed loop recomputes x * w for its shape alone)
    bx = rt.unbroadcast(bv * w, x)
    bw = rt.unbroadcast(bv * x, w)

This pass writes `bx = rt.unbroadcast(g * w, x)` and `bw = rt.unbroadcast(g * x, w)`; the first sum and the
product go (dead code). The sums are the same: w broadcasts to v's shape, so it is constant along every axis
the first sum removes (or that its broadcast adds, for a `g` smaller than v: a bare 0.0), and multiplying by
it commutes with that sum; the second sum then removes what is left. Only where nothing else reads the
product (it was made for the shape) and nothing else reads `bv`.
"""
from __future__ import annotations

import copy
import dataclasses

from s2s import ir
from s2s.ir.walk import count_uses, map_statements

UNBROADCAST = "s2s.runtime.unbroadcast"


def fold_product_shapes(fn: ir.Function) -> ir.Function:
    return _fold(copy.deepcopy(fn))


def _fold(fn: ir.Function) -> ir.Function:
    """`fold_product_shapes`, changing `fn` itself (`optimize` runs it on its own copy)."""
    calls = {s.target: s.value for s in ir.statements(fn.body) if type(s) is ir.Assign and type(s.value) is ir.Call}
    if not any(c.op == UNBROADCAST for c in calls.values()):
        return fn
    uses: dict = {}
    count_uses(fn.body, uses)
    readers: dict = {}  # name -> the names of the calls reading it
    for n, c in calls.items():
        for a in c.args:
            if type(a) is ir.Var:
                readers.setdefault(a.name, []).append(n)
    replace: dict = {}  # the target of a product `bv * w` -> its new call `g * w`
    for bv, c in calls.items():
        plan = _plan(bv, c, calls, uses, readers)
        if plan is not None:
            replace.update(plan)
    if not replace:
        return fn

    def rewrite(s):
        if type(s) is ir.Assign and s.target in replace:
            return dataclasses.replace(s, value=replace[s.target])
        return s
    fn.body = map_statements(fn.body, rewrite)
    return fn


def _plan(bv: str, c: ir.Call, calls: dict, uses: dict, readers: dict):
    """{product target: new call} where `bv = rt.unbroadcast(g, v)` (v = x * w, read by this call alone) is
    read only as a factor of products each summed back to the other factor (`rt.unbroadcast(bv * w, x)`),
    else None."""
    if c.op != UNBROADCAST or c.kwargs or len(c.args) != 2 or type(c.args[1]) is not ir.Var:
        return None
    g, v = c.args
    made = calls.get(v.name)
    if made is None or made.op != "mul" or made.kwargs or len(made.args) != 2 or uses.get(v.name) != 1:
        return None
    factors = made.args
    out = {}
    users = readers.get(bv, [])
    if not users or len(users) != uses.get(bv):
        return None  # (read by something other than a call: a phi, a jump, a return)
    for p in users:
        pc = calls[p]
        if pc.op != "mul" or pc.kwargs or len(pc.args) != 2 or list(pc.args).count(ir.Var(bv)) != 1:
            return None
        w = pc.args[1] if pc.args[0] == ir.Var(bv) else pc.args[0]
        sums = readers.get(p, [])
        if len(sums) != 1 or uses.get(p) != 1:
            return None
        sc = calls[sums[0]]
        if sc.op != UNBROADCAST or sc.kwargs or len(sc.args) != 2 or sc.args[0] != ir.Var(p):
            return None
        x = sc.args[1]
        if not (factors == (x, w) or factors == (w, x)):
            return None
        out[p] = ir.Call("mul", tuple(g if a == ir.Var(bv) else a for a in pc.args))
    return out


fold_product_shapes.in_place = _fold
