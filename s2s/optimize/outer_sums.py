"""A reversed loop's sum of outer products, gathered and added several at a time.

The adjoint of the matrix in `h = np.tanh(W @ h + ...)` is one outer product per iteration, which the reversed
loop adds to its sum:

    bW = rt.add_into(bW, rt.matmul_adjoint_a(bt4, W, h))

Each iteration then writes a whole matrix twice (the product, then the sum) for a product as cheap as the
loop's matrix-vector products: an RNN's gradient was 5.5x its function, the hand-written BPTT 4.9x. This pass
writes

    bW = rt.add_outer(bW, bt4, W, h)        # in the loop
    bW_1 = rt.outer_total(bW)               # after it, where the sum is read

and `rt.add_outer` keeps the vectors and adds them 8-16 at a time as one matrix product (BLAS), the same sum
in another order of additions (2.7x). Only where the loop's sum is read by nothing in the loop but that
addition (nothing else sees the gathered value) and, after the loop, only by the statements that follow it
in the same block. Differentiating the generated code again reads `rt.add_outer` as the two calls it stands
for (its record in rules/runtime_helpers.py).
"""
from __future__ import annotations

import copy

from s2s import ir
from s2s.ir.names import Namer
from s2s.ir.walk import count_uses, defined_names, substitute_block, used_names

ADD_INTO = "s2s.runtime.add_into"
MATMUL_A = "s2s.runtime.matmul_adjoint_a"
ADD_OUTER = "s2s.runtime.add_outer"
TOTAL = "s2s.runtime.outer_total"


def gather_outer_products(fn: ir.Function) -> ir.Function:
    return _gather(copy.deepcopy(fn))


def _gather(fn: ir.Function) -> ir.Function:
    """`gather_outer_products`, changing `fn` itself (`optimize` runs it on its own copy)."""
    if not any(type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op == MATMUL_A
               for s in ir.statements(fn.body)):
        return fn
    uses: dict = {}
    count_uses(fn.body, uses)
    state = {"namer": None, "fn": fn}
    _block(fn.body, uses, state)
    return fn


gather_outer_products.in_place = _gather


def _block(stmts: list, uses: dict, state: dict) -> None:
    i = 0
    while i < len(stmts):
        s = stmts[i]
        if type(s) is ir.If:
            _block(s.body, uses, state)
            _block(s.orelse, uses, state)
        elif type(s) is ir.Loop:
            _block(s.body, uses, state)
            sums = _sums(s, stmts[i + 1:], uses)
            if sums:
                namer = state["namer"]
                if namer is None:
                    fn = state["fn"]
                    namer = state["namer"] = Namer(set(fn.params) | set(defined_names(fn.body)) |
                                                   used_names(fn.body))
                totals = []
                mapping = {}
                for phi, add in sums:
                    product = add.value.args[1].name
                    matmul = next(t for t in s.body if type(t) is ir.Assign and t.target == product)
                    add.value = ir.Call(ADD_OUTER, (ir.Var(phi.target),) + matmul.value.args)
                    # where the product was: its operands as it read them (a restore between the two, `res[1] =
                    # res_old`, changes one in place); the sum's phi is read by nothing else in the loop
                    s.body.remove(add)
                    s.body[next(k for k, t in enumerate(s.body) if t is matmul)] = add
                    total = namer.fresh(phi.target)
                    totals.append(ir.Assign(total, ir.Call(TOTAL, (ir.Var(phi.target),)), s.loc))
                    mapping[phi.target] = ir.Var(total)
                rest = stmts[i + 1:]
                substitute_block(rest, mapping)
                stmts[i + 1:] = totals + rest
                i += len(totals)
        i += 1


def _sums(loop: ir.Loop, after: list, uses: dict) -> list:
    """(phi, its addition) for each sum of outer products `loop` accumulates that may be gathered."""
    if any(type(t) in (ir.Break, ir.Continue) for t in ir.statements(loop.body)):
        return []
    defs = {t.target: t for t in loop.body if type(t) is ir.Assign}  # (the body's own block)
    later: dict = {}
    count_uses(after, later)
    out = []
    for phi in loop.phis:
        back = phi.operands[1]
        add = defs.get(back.name) if type(back) is ir.Var else None
        if add is None or type(add.value) is not ir.Call or add.value.op != ADD_INTO:
            continue
        acc, product = add.value.args
        matmul = defs.get(product.name) if type(product) is ir.Var else None
        if acc != ir.Var(phi.target) or matmul is None or type(matmul.value) is not ir.Call or \
                matmul.value.op != MATMUL_A or matmul.value.kwargs or add.value.kwargs:
            continue
        # read once each: the product by the addition, the sum by the back edge, the phi by the addition in
        # the loop and otherwise only after it, in this block
        if uses.get(product.name) != 1 or uses.get(back.name) != 1 or \
                uses.get(phi.target, 0) != 1 + later.get(phi.target, 0):
            continue
        out.append((phi, add))
    return out
