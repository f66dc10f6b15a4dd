"""Shapes read from values the reverse sweep keeps anyway, not from arrays kept only for their shape.

A forward value the adjoint reads only for its shape holds a whole array until then. Two rewrites, both exact:

    bt16 = rt.sum_adjoint(bt17, t16, 2, False)     # t16 = lx * lx: the shape of lx
    ->  bt16 = rt.sum_adjoint(bt17, lx, 2, False)

    bt12 = rt.unbroadcast(blx, t12)                # t12 = np.einsum(spec, a, b), bt12 read only by
    blower = rt.einsum_adjoint(bt12, spec, 0, a, b)  # the einsum's adjoints, which sum it back themselves
    ->  blower = rt.einsum_adjoint(blx, spec, 0, a, b)

A shape read (the target of `rt.unbroadcast`, `rt.sum_adjoint`, `rt.mean_adjoint`, `rt.diff_adjoint`, `np.shape`)
moves from `v` to `x`, both defined outside loops, where v keeps x's shape whatever x is: `-x`, `x * x`, `x - c`, `x / c`, `x ** c`, `x * c` and `x + c` for a
number c (a float for `*`: `xs * 2` repeats a list), never `x + x` (which joins two lists). Then `t16` and `t12`
are read once, folded into the expressions that read them, and freed there (GMM d=10: two arrays of 2 MB that
lived to the end of the sweep).
"""
from __future__ import annotations

import copy
import dataclasses

from s2s import ir, prims
from s2s.ir.walk import count_uses, map_statements, outside_loops

SHAPE_READS = {"s2s.runtime.unbroadcast": 1, "s2s.runtime.sum_adjoint": 1, "s2s.runtime.mean_adjoint": 1,
               "s2s.runtime.diff_adjoint": 1,
               prims.ATTRIBUTES["shape"]: 0}  # (np.shape)
UNBROADCAST = "s2s.runtime.unbroadcast"
EINSUM, EINSUM_ADJOINT = prims.EINSUM, "s2s.runtime.einsum_adjoint"


def shape_sources(fn: ir.Function) -> ir.Function:
    return _shapes(copy.deepcopy(fn))


def _shapes(fn: ir.Function) -> ir.Function:
    """`shape_sources`, changing `fn` itself (`optimize` runs it on its own copy)."""
    if not any(type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op in SHAPE_READS
               for s in ir.statements(fn.body)):
        return fn
    # (definitions outside loops: a loop's phi holds its exit value after it, not what an iteration read)
    calls = {s.target: s.value for s in outside_loops(fn.body) if type(s) is ir.Assign and type(s.value) is ir.Call}
    uses: dict = {}
    count_uses(fn.body, uses)
    readers: dict = {}  # name -> the calls reading it (by target)
    for n, c in calls.items():
        for a in c.args:
            if type(a) is ir.Var:
                readers.setdefault(a.name, []).append(n)
    summed = {}  # bt12 -> blx, for `bt12 = rt.unbroadcast(blx, t12)` read only by t12's einsum adjoints
    for n, c in calls.items():
        if c.op == UNBROADCAST and not c.kwargs and len(c.args) == 2 and type(c.args[1]) is ir.Var:
            made = calls.get(c.args[1].name)
            users = readers.get(n, [])
            if made is not None and made.op == EINSUM and not made.kwargs and users and \
                    len(users) == uses.get(n) and all(_adjoint_of(calls[u], n, made) for u in users):
                summed[n] = c.args[0]

    def rewrite(s):
        if type(s) is not ir.Assign or type(s.value) is not ir.Call:
            return s
        c = s.value
        k = SHAPE_READS.get(c.op)
        if k is not None and len(c.args) > k and type(c.args[k]) is ir.Var:
            source = _source(c.args[k].name, calls)
            if source != c.args[k].name:
                args = list(c.args)
                args[k] = ir.Var(source)
                return dataclasses.replace(s, value=ir.Call(c.op, tuple(args), c.kwargs))
        if c.op == EINSUM_ADJOINT and type(c.args[0]) is ir.Var and c.args[0].name in summed:
            return dataclasses.replace(s, value=ir.Call(c.op, (summed[c.args[0].name],) + c.args[1:], c.kwargs))
        return s
    fn.body = map_statements(fn.body, rewrite)
    return fn


shape_sources.in_place = _shapes


def _adjoint_of(c: ir.Call, g: str, made: ir.Call) -> bool:
    """Is `c` an adjoint of the einsum `made`, of its cotangent `g` (`rt.einsum_adjoint(g, spec, i, *ops)`)?"""
    return c.op == EINSUM_ADJOINT and not c.kwargs and c.args[0] == ir.Var(g) and \
        c.args[1] == made.args[0] and c.args[3:] == made.args[1:] and list(c.args).count(ir.Var(g)) == 1


def _source(v: str, calls: dict) -> str:
    """The name whose shape `v` has for certain, following definitions that keep their operand's shape."""
    for _ in range(100):
        c = calls.get(v)
        if c is None or c.kwargs:
            return v
        x = _kept(c)
        if x is None:
            return v
        v = x
    return v


def _number(a) -> bool:
    return type(a) is ir.Const and type(a.value) in (int, float, complex)


def _kept(c: ir.Call) -> str | None:
    """The operand whose shape the result of `c` has, whatever that operand is (an array, a number, a list)."""
    names = {a.name for a in c.args if type(a) is ir.Var}
    if len(names) != 1 or not all(type(a) is ir.Var or _number(a) for a in c.args):
        return None
    x = names.pop()
    if c.op == "neg" or c.op in ("sub", "truediv") and len(c.args) == 2:
        return x  # (a list or a tuple takes neither)
    if c.op == "pow" and len(c.args) == 2 and type(c.args[0]) is ir.Var:
        return x
    if c.op == "mul" and len(c.args) == 2 and all(type(a) is ir.Var or type(a.value) in (float, complex)
                                                   for a in c.args):
        return x  # (x * x, x * 0.5: a sequence takes neither; `xs * 2` repeats a list)
    if c.op == "add" and len(c.args) == 2 and any(_number(a) for a in c.args):
        return x  # (x + 1.0: a sequence does not take it; x + x joins two lists)
    return None
