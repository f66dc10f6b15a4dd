"""Algebraic simplification, constant folding and copy propagation.

`x * 1.0 -> x`, `x + 0.0 -> x`, `-(-x) -> x`, `0.0 + x -> x`, constant
operands folded; then every copy `a = b` (or `a = 1.0`) is removed and its
uses read `b` directly. Header phis are never propagated into (they are
reassigned each iteration).
"""
from __future__ import annotations

import copy
import numbers

from .. import ir

_FOLD = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "truediv": lambda a, b: a / b, "neg": lambda a: -a,
}


def _num(a, value=None) -> bool:
    ok = isinstance(a, ir.Const) and isinstance(a.value, numbers.Number) and not isinstance(a.value, bool)
    return ok and (value is None or a.value == value)


def simplify_call(c: ir.Call):
    """An equivalent atom for `c`, or `c` itself."""
    a = c.args
    if c.kwargs:
        return c
    if c.op in _FOLD and all(_num(x) for x in a):
        try:
            return ir.Const(_FOLD[c.op](*[x.value for x in a]))
        except ArithmeticError:
            return c
    if c.op == "mul":
        if _num(a[0], 1):
            return a[1]
        if _num(a[1], 1):
            return a[0]
    if c.op == "add":
        if _num(a[0], 0):
            return a[1]
        if _num(a[1], 0):
            return a[0]
    if c.op == "sub" and _num(a[1], 0):
        return a[0]
    if c.op in ("truediv", "pow") and _num(a[1], 1):
        return a[0]
    return c


def simplify(fn: ir.Function) -> ir.Function:
    fn = copy.deepcopy(fn)
    mapping: dict[str, ir.Atom] = {}
    _pass(fn.body, mapping)
    if mapping:
        from ..ssa import substitute_block
        resolved = {k: _resolve(v, mapping) for k, v in mapping.items()}
        substitute_block(fn.body, resolved)
    return fn


def _resolve(a, mapping):
    seen = 0
    while isinstance(a, ir.Var) and a.name in mapping and seen < 1000:
        a = mapping[a.name]
        seen += 1
    return a


def _sub(a, mapping):
    return _resolve(a, mapping) if isinstance(a, ir.Var) else a


def _pass(stmts: list, mapping: dict) -> None:
    keep = []
    for s in stmts:
        if isinstance(s, ir.Assign):
            v = s.value
            if isinstance(v, ir.Call):
                v = ir.Call(v.op, tuple(_sub(x, mapping) for x in v.args), tuple((k, _sub(x, mapping)) for k, x in v.kwargs))
                v = simplify_call(v)
            else:
                v = _sub(v, mapping)
            if isinstance(v, (ir.Var, ir.Const)):
                mapping[s.target] = v
                continue
            s.value = v
        elif isinstance(s, ir.If):
            _pass(s.body, mapping)
            _pass(s.orelse, mapping)
            for p in s.phis:
                ops = [_sub(o, mapping) for o in p.operands]
                if ops[0] == ops[1]:
                    mapping[p.target] = ops[0]
            s.phis = [p for p in s.phis if p.target not in mapping]
        elif isinstance(s, ir.Loop):
            _pass(s.header, mapping)
            _pass(s.body, mapping)
        keep.append(s)
    stmts[:] = keep
