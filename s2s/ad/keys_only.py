"""The loops `for k in p` the keys stage made iterate rt.dict_keys_only(p) (a read p[k] on some paths only), where p
carries a derivative in this transformation: the check refuses every list, tuple or array there, a sequence of
ints too, whose items are then numbers with their derivatives (`s += k * w` on the other path); where p carries
none, it passes a sequence of ints or bools, which index it (`order = nxt; for k in nxt: if k >= 0: x[order[k]]`).
"""
from __future__ import annotations

import dataclasses

from s2s import ir
from s2s.ad.analysis import varied
from s2s.ad.inactive import KEYS_ONLY
from s2s.ir.walk import map_statements


def differentiated_keys(fn: ir.Function, wrt) -> ir.Function:
    """`fn` with `differentiated=True` given to each rt.dict_keys_only(p, ...) whose p a derivative reaches from
    `wrt` (analysis.varied). Returns new IR (the input is not modified)."""
    checks = {s.target for s in ir.statements(fn.body) if type(s) is ir.Assign and type(s.value) is ir.Call and
              s.value.op == KEYS_ONLY and type(s.value.args[0]) is ir.Var and
              "differentiated" not in dict(s.value.kwargs)}
    if not checks:
        return fn
    reached = varied(fn, wrt)

    def strict(s):
        if type(s) is not ir.Assign or s.target not in checks or s.value.args[0].name not in reached:
            return s
        return dataclasses.replace(s, value=dataclasses.replace(
            s.value, kwargs=tuple(s.value.kwargs) + (("differentiated", ir.Const(True)),)))
    return dataclasses.replace(fn, body=map_statements(fn.body, strict))
