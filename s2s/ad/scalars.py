"""Which values hold a single number: `scalars(fn, result_is_scalar)` returns the names known to hold one, found
forward from constants, `math` functions and full reductions, and backward from a scalar result through
elementwise operations (an adjoint flowing into such a name never needs its broadcasting undone);
`forced_scalars` the names every read with a derivative makes a number; `proven_scalar` whether the result is one.
"""
from __future__ import annotations

import numbers

from s2s import ir, prims
from s2s.ad.analysis import ARITH_OPS, SCALAR_RESULT_OPS, differentiable, jump_values, reached, returned
from s2s.ad.elements import ITERATES, elements
from s2s.rules import registry
from s2s.ir.walk import vars_of


def _scalar_facts(stmts: list, facts: list) -> None:
    """(target, op, [arg names], kwargs) for every definition, flattened; a loop's phi lists its first value, its
    back edge's and those its breaks and continues carry to it (the name holds any of them after the loop)."""
    for s in stmts:
        if isinstance(s, ir.Assign):
            v = s.value
            if isinstance(v, ir.Call):
                facts.append((s.target, v.op, v.args, v.kwargs))
            else:
                facts.append((s.target, "copy", (v,), ()))
        elif isinstance(s, ir.If):
            _scalar_facts(s.body, facts)
            _scalar_facts(s.orelse, facts)
            for p in s.phis:  # (an operand no path gives, a branch that leaves: None, left out)
                facts.append((p.target, "phi", tuple(o for o in p.operands if o is not None), ()))
        elif isinstance(s, ir.Loop):
            _scalar_facts(s.header, facts)
            _scalar_facts(s.body, facts)
            jumps: list = []
            jump_values(s.body, s.phis, jumps)
            for p in s.phis:
                carried = tuple(v for t, v in jumps if t == p.target)
                facts.append((p.target, "loopphi", tuple(o for o in p.operands if o is not None) + carried, ()))
            if s.kind == "for" and isinstance(s.target, str) and isinstance(s.iter, ir.Var):
                facts.append((s.target, ITERATES, (s.iter,), ()))  # (an int where s.iter is a range)


def _is_scalar_atom(a, known: set) -> bool:
    if isinstance(a, ir.Const):
        return isinstance(a.value, numbers.Number)
    return a.name in known


def _elementwise(op: str) -> bool:
    if op in ARITH_OPS or registry.of_numbers(op):
        return True
    rule = registry.reverse_rule(op)
    return rule is not None and rule.broadcast


_JOINS = ("copy", "phi", "loopphi")


def scalars(fn: ir.Function, result_is_scalar: bool, assume=(), through_joins=True) -> set[str]:
    """Known-scalar names: forward, what holds whatever path runs (constants, `math` functions, full reductions,
    and elementwise operations and joins of those; a loop-carried value is assumed a number where it enters the
    loop as one, and the assumption dropped, and everything recomputed, where a value reaching its phi by the
    back edge, a break or a continue is not known to be one).

    Then, unless `through_joins` is False, backward from a scalar result: a name each of whose reads that carry
    a derivative forces it to be a number (an operand of an elementwise operation or a join whose value is
    one, the result itself) is one wherever its value reaches the result, which is all its adjoint needs: the
    selected operand of a join is its value, but `e` of `e = x * w; if c: e = np.sum(e)` is also read by
    np.sum, where it is the array it is. (Reads without a derivative, `x[0] > 0`, do not count; what is computed
    by them is a number only by the forward facts.)"""
    facts: list = []
    _scalar_facts(fn.body, facts)
    always = _forward(facts, set(assume) | elements(facts) | _numbers_read(fn.body), None)
    known = always
    while through_joins:
        more = _forced_by_reads(fn, facts, known, result_is_scalar)
        if more <= known:
            break
        known = _forward(facts, known | more, always)
    return known


def _numbers_read(stmts) -> set:
    """The names a `math` function of numbers reads in `stmts` (`math.log(x)`: x is a number, or the call fails).
    In the function's own block: wherever a run passes."""
    return {a.name for s in stmts if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) and
            registry.of_numbers(s.value.op) for a in s.value.args if isinstance(a, ir.Var)}


def numbers_read(fn: ir.Function) -> set:
    """The names a `math` function of numbers reads anywhere in `fn`: numbers where that call runs, which may be on
    no run at all (`if np.ndim(x) == 0: y = math.cos(x)`). A guess, for what a run-time check then makes sure of."""
    return _numbers_read(ir.statements(fn.body))


def _forward(facts: list, known: set, always: set | None) -> set:
    """`known` closed under the forward facts, a loop's phi assumed a number while every value reaching it is
    (the greatest such assumption); the results of operations without a derivative only from `always` (itself,
    where None)."""
    optimistic = {t for t, op, _, _ in facts if op == "loopphi" and t not in known}
    while True:
        found = _closure(facts, set(known), always, optimistic)
        wrong = {t for t, op, args, _ in facts if op == "loopphi" and t in optimistic and t in found and
                 not all(_is_scalar_atom(a, found) for a in args[1:])}
        if not wrong:
            return found
        optimistic -= wrong


def _closure(facts, known: set, always: set | None, optimistic: set) -> set:
    shapes = {t for t, op, _, _ in facts if op == prims.SHAPE}
    ranges = {t for t, op, _, _ in facts if op == "builtins.range"}
    changed = True
    while changed:
        changed = False
        for target, op, args, kwargs in facts:
            if target in known:
                continue
            is_scalar = False
            if op == "loopphi":
                is_scalar = target in optimistic and _is_scalar_atom(args[0], known)
            elif op in SCALAR_RESULT_OPS or registry.of_numbers(op) or op.startswith("math.") and \
                    registry.result_rank(op, [None] * len(args), bool(kwargs)) == 0:
                is_scalar = True  # (math.fsum(xs) and math.dist(p, q) too; math.prod of a matrix is a row)
            elif len(args) == 1 and registry.full_reduction(op) and all(
                    isinstance(v, ir.Const) and v.value is None for k, v in kwargs if k == "axis") and all(
                    isinstance(v, ir.Const) and not v.value for k, v in kwargs if k == "keepdims"):
                is_scalar = True  # (with keepdims=True an array of ones in x's rank: np.sum(x, keepdims=True))
            elif op == "getitem" and len(args) == 2 and isinstance(args[1], ir.Const) \
                    and isinstance(args[1].value, int) and isinstance(args[0], ir.Var) and args[0].name in shapes:
                is_scalar = True  # an entry of a shape: x.shape[0]
            elif op == ITERATES:
                is_scalar = args[0].name in ranges  # the index of a range loop
            elif op in _JOINS or _elementwise(op):
                # (a comparison of a name known only where its value reaches the result: `x > 0` may be read
                # where x is an array)
                base = known if always is None or op in _JOINS or differentiable(op) else always
                is_scalar = all(_is_scalar_atom(a, base) for a in args) and not kwargs
            if is_scalar:
                known.add(target)
                changed = True
    return known


def _forced_by_reads(fn: ir.Function, facts: list, known: set, result_is_scalar: bool) -> set:
    """The greatest set of names each of whose reads with a derivative on the way to the result is forcing
    (`scalars`): an operand of an elementwise operation or a join whose result is `known` or in the set, or the
    result itself where it is a number. A name no such read reaches the result from (a loop's test
    `abs(x * x - a) > 1e-12`) is one wherever it does, vacuously."""
    # a stack of generated code (`y_saved.append(y)`) holds numbers if what is popped from it is one
    stacks = {s.value.args[0].name for s in ir.statements(fn.body) if isinstance(s, ir.Effect) and
              s.value.op == "push" and isinstance(s.value.args[0], ir.Var)}
    reads = []  # (name, the target reading it or None for the result, whether the read forces a number)
    for target, op, args, kwargs in facts:
        if op not in _JOINS and not differentiable(op):
            continue  # (no derivative flows back: np.shape(x), x > 0)
        into = op in _JOINS or _elementwise(op)
        reads += [(a.name, target, into or i == 0 and op in ("getitem", "pop") and a.name in stacks)
                  for i, a in enumerate(args) if isinstance(a, ir.Var)]
        reads += [(a.name, target, False) for _, a in kwargs if isinstance(a, ir.Var)]
    for s in ir.statements(fn.body):  # (what an effect reads and a loop iterates: taken to reach the result)
        if isinstance(s, ir.Effect) and s.value.op == "push" and isinstance(s.value.args[0], ir.Var):
            reads += [(a.name, s.value.args[0].name, True) for a in s.value.args[1:] if isinstance(a, ir.Var)]
        elif isinstance(s, ir.Effect) and differentiable(s.value.op):
            reads += [(n, None, False) for n in vars_of(s.value)]
        elif isinstance(s, ir.Loop) and isinstance(s.iter, ir.Var):
            reads.append((s.iter.name, None, False))
        elif isinstance(s, ir.Return) and isinstance(s.value, ir.Var):
            reads.append((s.value.name, None, result_is_scalar))
    read_by: dict = {}
    for n, t, _ in reads:
        read_by.setdefault(t, []).append(n)
    live = reached({None}, read_by)
    forcing: dict = {}  # name -> the targets of its forcing reads on the way to the result
    loose: set = set()  # names read there where nothing makes them numbers (np.sum(e), a call's keyword)
    for n, t, into in reads:
        if t in live:
            if into:
                forcing.setdefault(n, []).append(t)
            else:
                loose.add(n)
    found = ({t for t, _, _, _ in facts} | set(fn.params) | set(forcing)) - loose - known
    readers: dict = {}  # target -> the names it reads forcingly
    for n in found:
        for t in forcing.get(n, ()):
            readers.setdefault(t, []).append(n)
    work = [n for n in found if any(t is not None and t not in known and t not in found
                                    for t in forcing.get(n, ()))]
    while work:  # (a name whose forcing read is by a name that is no number makes the names it reads fail)
        n = work.pop()
        if n in found:
            found.discard(n)
            work.extend(readers.get(n, ()))
    return found - stacks


def forced_scalars(fn: ir.Function) -> set[str]:
    """The names that a scalar result makes scalars whatever path runs (a must-analysis backward from
    the result): an elementwise operation's result is a scalar only if every operand is, while a join
    (phi) forces only what each of its operands forces, so a parameter returned only on a path not
    taken is not forced. Computed as the greatest fixed point, so loop-carried values are allowed."""
    facts: list = []
    _scalar_facts(fn.body, facts)
    defs = {t: (op, args, kwargs) for t, op, args, kwargs in facts}  # (a loop's phi with its jumps' values)
    everything = set(defs) | set(fn.params) | {a.name for _, _, args, _ in facts for a in args
                                               if isinstance(a, ir.Var)}
    forced: dict = {}  # target -> the names it forces; absent: not computed yet, everything (the fixed point's top)

    def of(a, path=False):
        """What `a` forces: a set, or None for everything."""
        if isinstance(a, ir.Const):
            # a path that makes the result None or a string fails (no derivative): it forces everything
            return None if path and not isinstance(a.value, numbers.Number) else set()
        if a.name in defs:
            return forced.get(a.name)
        return {a.name}

    changed = True
    while changed:
        changed = False
        for target, (op, args, kwargs) in defs.items():
            if op in ("phi", "loopphi"):
                paths = [p for p in (of(a, path=True) for a in args) if p is not None]
                new = {target} | set.intersection(*paths) if paths else (None if args else {target})
            elif op == "copy" or (not kwargs and _elementwise(op)):
                parts = [of(a) for a in args]
                new = None if any(p is None for p in parts) else {target}.union(*parts)
            else:
                new = {target}
            if target not in forced or new != forced[target]:
                if new is None and target not in forced:
                    continue  # (still everything)
                forced[target] = new
                changed = True
    out = set()
    for n in returned(fn.body):
        part = of(ir.Var(n))
        if part is None:
            return everything
        out |= part
    return out


def proven_scalar(fn: ir.Function, assume=()) -> bool:
    """Is the result known to be a single number (given that the names in `assume` are)?"""
    known = scalars(fn, result_is_scalar=False, assume=assume)
    ret = fn.body[-1]
    return isinstance(ret, ir.Return) and _is_scalar_atom(ret.value, known)
