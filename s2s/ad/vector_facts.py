"""What vector forward mode knows of a function before it runs: the rank of each value (`value_ranks`), from the
ranks of its parameters, and the buffers of a gradient shaped like a parameter (`parameter_buffers`).
`ad/forward.py` spells a batch of tangents in NumPy where ranks are known (`dx[:, 1:]`, `dx.sum(axis=1)`,
`dx[:, None]`) and reads a buffer's shape from its parameter. `elementwise_reads` says which values a rule's
tangent reads elementwise: whether it has the shape of the result, in either mode. `batched_product` and
`batched_axis` spell a product's and a reduction's tangent for a batch of tangents (a leading batch axis).
"""
from __future__ import annotations

import numbers

from s2s import ir, prims
from s2s.ad.analysis import ARITH_OPS
from s2s.rules.symbolic import emit
from s2s.rules import registry

ZEROS_LIKE = "s2s.runtime.zeros_like"  # a zero tangent, and the buffer of a gradient (bx = rt.zeros_like(x))


def parameter_buffers(fn: ir.Function) -> dict:
    """Each write `y_1 = setitem(y, ...)` into a buffer `y = rt.zeros_like(x)` of a parameter `x` (which s2s never
    writes into), through any chain of writes -> x: a value of the written array's shape and dtype class."""
    like: dict = {}
    for s in ir.statements(fn.body):
        if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) and s.value.args and \
                isinstance(s.value.args[0], ir.Var):
            base = s.value.args[0].name
            if s.value.op == ZEROS_LIKE and base in fn.params:
                like[s.target] = base
            elif s.value.op == "setitem" and base in like:
                like[s.target] = like[base]
    return {k: v for k, v in like.items() if k != v}


def value_ranks(fn: ir.Function, params: dict) -> dict:
    """Number of dimensions of the values whose rank follows from the parameters' ranks `params`."""
    rank: dict = dict(params)

    def of(a):
        if isinstance(a, ir.Const):
            return 0 if isinstance(a.value, numbers.Number) else None
        return rank.get(a.name)

    def call(c: ir.Call):
        ranks = [of(a) for a in c.args]
        if registry.of_numbers(c.op) or c.op in ("builtins.float", "builtins.len", "builtins.int"):
            return 0
        # products, full reductions, adjoint helpers, math's functions of sequences (math.prod(X): X's rows' product)
        fact = registry.result_rank(c.op, ranks, bool(c.kwargs))
        if fact is not None:
            return fact
        if c.op == ZEROS_LIKE and len(ranks) == 1:  # (a gradient's buffer: a number's zero, or an array's)
            return ranks[0]
        if c.op == "getitem" and ranks[0] is not None:
            if all(isinstance(a, ir.Const) and isinstance(a.value, slice) or r == 0 and not _bool(a)
                   for a, r in zip(c.args[1:], ranks[1:])):  # (x[True] adds an axis: a bool is no int here)
                return ranks[0] - sum(1 for r in ranks[1:] if r == 0)
            return None
        rule = registry.tangent_rule(c.op)
        elementwise = c.op in ARITH_OPS or (rule is not None and rule.broadcast)
        if elementwise and c.op not in ("matmul",) and not c.kwargs and all(r is not None for r in ranks):
            return max(ranks, default=0)
        return None

    dropped: set = set()  # loop phis whose back edge changes the rank

    def set_rank(name, r):
        if r is None:
            rank.pop(name, None)
        else:
            rank[name] = r

    def walk(stmts):
        for s in stmts:
            if isinstance(s, ir.Assign):
                set_rank(s.target, call(s.value) if isinstance(s.value, ir.Call) else of(s.value))
            elif isinstance(s, ir.If):
                walk(s.body)
                walk(s.orelse)
                for p in s.phis:
                    rs = {of(o) for o in p.operands}
                    set_rank(p.target, rs.pop() if len(rs) == 1 else None)
            elif isinstance(s, ir.Loop):
                if s.kind == "for" and s.target:
                    set_rank(s.target, 0 if _is_range(fn, s.iter) else None)
                for p in s.phis:  # assume the init's rank; the back edge is checked below
                    set_rank(p.target, None if p.target in dropped else of(p.operands[0]))
                walk(s.header)
                walk(s.body)
                for p in s.phis:
                    incoming = [p.operands[1]] + [v for v in _jump_values(s.body, p.target)]
                    if p.target in rank and any(v != ir.Var(p.target) and of(v) != rank[p.target] for v in incoming):
                        dropped.add(p.target)

    while True:
        before = len(dropped)
        walk(fn.body)
        if len(dropped) == before:
            break
    return {k: v for k, v in rank.items() if v is not None}


def _bool(a: ir.Atom) -> bool:
    return isinstance(a, ir.Const) and isinstance(a.value, bool)


def _jump_values(stmts: list, target: str) -> list:
    """The values break/continue statements of this loop level give the header phi `target`."""
    out = []
    for s in stmts:
        if isinstance(s, (ir.Break, ir.Continue)) and target in s.values:
            out.append(s.values[target])
        elif isinstance(s, ir.If):
            out += _jump_values(s.body, target) + _jump_values(s.orelse, target)
    return out


def _is_range(fn: ir.Function, it) -> bool:
    for s in ir.statements(fn.body):
        if isinstance(s, ir.Assign) and it == ir.Var(s.target):
            return isinstance(s.value, ir.Call) and s.value.op == "builtins.range"
    return False


def elementwise_reads(atom: ir.Atom, stmts: list) -> set:
    """The names of the values that `atom`, computed by the rule statements `stmts`, reads through elementwise
    operations only (arithmetic, comparisons, broadcasting functions): it has at least the shape they broadcast to.
    What a reduction, a shape or any other call reads is left out (its result may be narrower than its operands)."""
    defs = {s.target: s.value for s in stmts if isinstance(s, ir.Assign)}
    out: set = set()
    todo = [atom]
    while todo:
        a = todo.pop()
        if not isinstance(a, ir.Var) or a.name in out:
            continue
        out.add(a.name)
        value = defs.get(a.name)
        if isinstance(value, ir.Call) and _elementwise(value.op):
            todo.extend(value.args)
        elif isinstance(value, ir.Var):
            todo.append(value)
    return out


def _elementwise(op: str) -> bool:
    if op in ARITH_OPS or op in prims.COMPAREOPS or registry.is_elementwise_nondiff(op):
        return True
    rule = registry.tangent_rule(op)
    return rule is not None and rule.fn is None and rule.broadcast


def batched_product(op: str, i: int, d, args: list, ranks: list):
    """The batched tangent of `a @ b` or `np.dot(a, b)` (vectors and matrices, ranks known) from the tangents
    `d` of argument `i`, as a product: `da @ b`, `a @ db` (b a matrix), `db @ a` (vectors), `db @ a.T` (a
    matrix times a vector); None for higher ranks."""
    ra, rb = ranks
    if not (1 <= ra <= 2 and 1 <= rb <= 2):
        return None
    a, b = args
    if i == 0:
        return emit("matmul", d, b)
    if rb == 2:
        return emit("matmul", a, d)
    return emit("matmul", d, a if ra == 1 else emit(prims.TRANSPOSE, a))


def batched_axis(axis, rank: int):
    """The `axis` argument of a reduction of a rank-`rank` operand, for its tangents with a leading batch axis
    (all axes: 1, or (1, 2, ...)); None where it is not a constant int or tuple of ints in range."""
    if axis is None:
        return 1 if rank == 1 else tuple(range(1, rank + 1))
    axes = axis if isinstance(axis, tuple) else (axis,)
    if not axes or not all(type(a) is int and -rank <= a < rank for a in axes):
        return None
    shifted = tuple(a + 1 if a >= 0 else a for a in axes)
    return shifted if isinstance(axis, tuple) else shifted[0]
