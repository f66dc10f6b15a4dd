"""Dataflow facts the transformers need: activity and known-scalar values.

`activity(fn, wrt)` returns the active names: those that depend on a `wrt`
parameter (varied) and reach the result through differentiable operations
(useful), as in Hascoët & Pascual's Tapenade; keys, indices and draws of
integers computed from them carry none (ad/inactive.py). `scalars(fn, result_is_scalar)`
returns the names known to hold a single number, found forward from constants,
`math` functions and full reductions, and backward from a scalar result
through elementwise operations; an adjoint flowing into such a name never needs
its broadcasting undone.
"""
from __future__ import annotations

import functools
import numbers

import numpy as np

from s2s import ir, prims
from s2s.ad import inactive
from s2s.ad.elements import ITERATES, elements
from s2s.errors import NonDifferentiableError
from s2s.rules import registry
from s2s.ir.walk import call_definitions, defined_names, definitions, vars_of

SCALAR_RESULT_OPS = {"builtins.float", "builtins.len", "builtins.int", prims.NDIM, prims.SIZE}
ARITH_OPS = {"add", "sub", "mul", "truediv", "pow", "mod", "neg", "pos", "floordiv"}


def _differentiable(op: str) -> bool:
    return not registry.is_nondiff(op) and op not in ("slice", "builtins.range", "builtins.len")


def _edges(stmts: list, out: list, free: dict, unknown: dict, made: dict) -> None:
    """Collect (target, [sources]) dataflow edges that carry derivatives (`free`: the function's data, a dtype=
    among it; `unknown`: target -> statement, of the calls whose dtype= only the run time knows; `made`: what
    inactive.sources reads)."""
    for s in stmts:
        if isinstance(s, ir.Assign):
            if isinstance(s.value, ir.Call):
                cast = _integral_cast(s.value, free)
                if cast is None:
                    unknown[s.target] = s
                if _differentiable(s.value.op) and cast is not True:
                    out.append((s.target, inactive.sources(s.value, free, made)))
            elif isinstance(s.value, ir.Var):
                out.append((s.target, [s.value.name]))
        elif isinstance(s, ir.Effect) and s.value.op == "push":
            # a stack of saved values (generated code): it carries what is pushed to what is popped
            stack, value = s.value.args
            if isinstance(stack, ir.Var) and isinstance(value, ir.Var):
                out.append((stack.name, [value.name]))
        elif isinstance(s, ir.If):
            _edges(s.body, out, free, unknown, made)
            _edges(s.orelse, out, free, unknown, made)
            for p in s.phis:
                out.append((p.target, [o.name for o in p.operands if isinstance(o, ir.Var)]))
        elif isinstance(s, ir.Loop):
            _edges(s.header, out, free, unknown, made)
            _edges(s.body, out, free, unknown, made)
            for p in s.phis:
                out.append((p.target, [o.name for o in p.operands if isinstance(o, ir.Var)]))
            _jump_edges(s.body, s.phis, out)


_CASTS = set(prims.CASTS) | {k for keys in prims.CASTS.values() for k in keys}


def _integral_cast(value: ir.Call, free: dict) -> bool | None:
    """Does the call's dtype= make its result integers or bools (np.array(v, dtype=int), np.cumsum(x,
    dtype=np.int32)), which, rounded, carry no derivative, as x.astype(int)'s? (The front end passes dtype by
    name.) None where the type is known only at run time (dtype=x.dtype), False for another type or none (and
    for x.astype(dtype=t), whose keys decide it: prims.CASTS)."""
    if value.op in _CASTS:
        return False
    for k, a in value.kwargs:
        if k == "dtype":
            if type(a) is ir.Const:
                return registry.integral_type(a.value) is True
            if a.name in free:
                return registry.integral_type(free[a.name][0]) is True
            return None
    return False


def _jump_edges(stmts, phis, out) -> None:
    for s in stmts:
        if isinstance(s, (ir.Break, ir.Continue)):
            for p in phis:
                v = s.values.get(p.target)
                if isinstance(v, ir.Var):
                    out.append((p.target, [v.name]))
        elif isinstance(s, ir.If):
            _jump_edges(s.body, phis, out)
            _jump_edges(s.orelse, phis, out)


def _returned(stmts: list) -> list[str]:
    return [n for s in stmts if isinstance(s, ir.Return) for n in vars_of(s.value)]


def activity(fn: ir.Function, wrt: list[str]) -> set[str]:
    edges: list = []
    unknown: dict = {}
    _edges(fn.body, edges, fn.free, unknown, inactive.made(fn))
    held = inactive.keys(fn)  # (keys and indices computed from values with a derivative carry none)
    edges = [(target, srcs) for target, srcs in edges if target not in held]
    after: dict = {}  # name -> the names computed from it
    before: dict = {}  # name -> the names it is computed from
    for target, srcs in edges:
        for s in srcs:
            after.setdefault(s, []).append(target)
        before.setdefault(target, []).extend(srcs)
    # varied: reached from wrt along the edges; useful: reaching the result (one walk each, linear in the edges)
    active = _reached(set(wrt), after) & _reached(set(_returned(fn.body)), before)
    late = [s for target, s in unknown.items() if target in active and _differentiable(s.value.op)]
    if late:  # (np.asarray(v, dtype=x.dtype) of an x that holds floats: a float type)
        known = floats(fn, assume=wrt)  # (the differentiated parameters hold floats: checked on entry)
        made = {d.target: d.value for d in definitions(fn.body) if type(d) is ir.Assign}
        for s in late:
            d = made.get(dict(s.value.kwargs)["dtype"].name)
            if not (type(d) is ir.Call and d.op == prims.ATTRIBUTES["dtype"] and type(d.args[0]) is ir.Var and
                    d.args[0].name in known):
                raise _cast_refusal(s, fn.filename)
    return active


def _cast_refusal(s: ir.Assign, filename: str) -> NonDifferentiableError:
    """A derivative through a call whose dtype= only the run time knows: an integer type would round its result,
    which then has none."""
    loc = s.loc
    return NonDifferentiableError(
        prims.spelling(s.value.op), loc.file if loc is not None and loc.file else filename,
        loc.line if loc is not None else 0, loc.text if loc is not None else "",
        "its dtype= is a type only the run time knows, and an integer or bool type would round the result, "
        "which then has no derivative",
        "give the type where the call is written (dtype=np.float64, dtype=int), or leave dtype= out and cast the "
        "result: .astype(t), whose derivative s2s decides when it runs")


def _reached(start: set, links: dict) -> set:
    seen = set(start)
    todo = list(start)
    while todo:
        for n in links.get(todo.pop(), ()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


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
            _jump_values(s.body, s.phis, jumps)
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
                base = known if always is None or op in _JOINS or _differentiable(op) else always
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
        if op not in _JOINS and not _differentiable(op):
            continue  # (no derivative flows back: np.shape(x), x > 0)
        into = op in _JOINS or _elementwise(op)
        reads += [(a.name, target, into or i == 0 and op in ("getitem", "pop") and a.name in stacks)
                  for i, a in enumerate(args) if isinstance(a, ir.Var)]
        reads += [(a.name, target, False) for _, a in kwargs if isinstance(a, ir.Var)]
    for s in ir.statements(fn.body):  # (what an effect reads and a loop iterates: taken to reach the result)
        if isinstance(s, ir.Effect) and s.value.op == "push" and isinstance(s.value.args[0], ir.Var):
            reads += [(a.name, s.value.args[0].name, True) for a in s.value.args[1:] if isinstance(a, ir.Var)]
        elif isinstance(s, ir.Effect) and _differentiable(s.value.op):
            reads += [(n, None, False) for n in vars_of(s.value)]
        elif isinstance(s, ir.Loop) and isinstance(s.iter, ir.Var):
            reads.append((s.iter.name, None, False))
        elif isinstance(s, ir.Return) and isinstance(s.value, ir.Var):
            reads.append((s.value.name, None, result_is_scalar))
    read_by: dict = {}
    for n, t, _ in reads:
        read_by.setdefault(t, []).append(n)
    live = _reached({None}, read_by)
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
    for n in _returned(fn.body):
        part = of(ir.Var(n))
        if part is None:
            return everything
        out |= part
    return out


def _loop_jumps(stmts: list, out: list) -> None:
    """(loop phi target, value) for every value a break or continue carries to a loop's phi."""
    for s in stmts:
        if isinstance(s, ir.If):
            _loop_jumps(s.body, out)
            _loop_jumps(s.orelse, out)
        elif isinstance(s, ir.Loop):
            _loop_jumps(s.header, out)
            _loop_jumps(s.body, out)
            _jump_values(s.body, s.phis, out)


def _jump_values(stmts, phis, out) -> None:
    for s in stmts:
        if isinstance(s, (ir.Break, ir.Continue)):
            out.extend((p.target, s.values[p.target]) for p in phis if s.values.get(p.target) is not None)
        elif isinstance(s, ir.If):
            _jump_values(s.body, phis, out)
            _jump_values(s.orelse, phis, out)


def proven_scalar(fn: ir.Function, assume=()) -> bool:
    """Is the result known to be a single number (given that the names in `assume` are)?"""
    known = scalars(fn, result_is_scalar=False, assume=assume)
    ret = fn.body[-1]
    return isinstance(ret, ir.Return) and _is_scalar_atom(ret.value, known)


# --------------------------------------------------------------------------- values that may be Python ints

def integers(fn: ir.Function) -> set:
    """Names that may hold Python ints: integer-valued operations, entries of shapes, and arithmetic and
    joins of those and of integer constants (a counter `k = k + 1` that starts at 0)."""
    defs: dict = {}
    call_definitions(fn.body, defs)
    phis: dict = {}
    _collect_phis(fn.body, phis)
    shapes = {n for n, c in defs.items() if c.op == prims.SHAPE}
    out = {n for n, c in defs.items() if c.op in prims.INTEGER_RESULTS or (
        c.op == "getitem" and isinstance(c.args[0], ir.Var) and c.args[0].name in shapes)}

    def closure(assumed: set) -> set:
        known = set(out) | assumed

        def whole(a) -> bool:
            return isinstance(a, ir.Const) and isinstance(a.value, int) and not isinstance(a.value, bool) or \
                isinstance(a, ir.Var) and a.name in known
        changed = True
        while changed:
            changed = False
            for n, c in defs.items():
                if n not in known and c.op in ("add", "sub", "mul", "floordiv", "mod", "neg", "pos") and \
                        c.args and all(whole(x) for x in c.args) and not c.kwargs:
                    known.add(n)
                    changed = True
        return known, whole

    # optimistic: every phi is an int until one of its operands says otherwise (loop counters)
    assumed = set(phis)
    while True:
        known, whole = closure(assumed)
        wrong = {n for n in assumed if not all(whole(o) for o in phis[n])}
        if not wrong:
            return known
        assumed -= wrong


def _collect_phis(stmts: list, out: dict) -> None:
    """phi target -> its operands (loop phis: the entry and back-edge values)."""
    for s in ir.statements(stmts):
        for p in getattr(s, "phis", ()):
            out[p.target] = [o for o in p.operands if o is not None]


# ---------------------------------------------------------------- floats: where `v * 1.0` is `v`
_NOT_FLOAT_MATH = {"math.floor", "math.ceil", "math.trunc", "math.factorial", "math.comb", "math.perm", "math.gcd",
                   "math.lcm", "math.isqrt", "math.isnan", "math.isinf", "math.isfinite", "math.isclose",
                   "math.frexp", "math.modf"}
_FLOAT_METHODS = {"sum", "mean", "prod", "dot", "max", "min", "reshape", "ravel", "flatten", "transpose", "copy",
                  "squeeze", "cumsum", "cumprod", "std", "var", "clip", "conj", "round", "swapaxes", "diagonal",
                  "trace", "item", "tolist"}


def nonfloat(fn: ir.Function, assume=(), differentiated: bool = True) -> set[str]:
    """The parameters and names of `fn` that may hold a bool or an integer (number or array): not `floats`.
    `differentiated=False`: the parameters in `fn.floats` may too (a Python int passed there, which the
    function's own values keep: `x * 1.0` of 3 is 3.0, and an array of it holds floats)."""
    return (set(fn.params) | set(defined_names(fn.body))) - floats(fn, assume, differentiated)


def floats(fn: ir.Function, assume=(), differentiated: bool = True) -> set[str]:
    """Names that hold floats whatever the arguments are (a float, a NumPy float, an array of floats, or a
    container of those): where `v * 1.0` is `v` itself. Not so for a bool or an integer (array), where it makes
    floats: `(x > 0) * 1.0` adds as a number, not as a logical or, and an integer product does not wrap around.
    Parameters may be any of those, but those in `assume` and `fn.floats` (the differentiated ones: the
    transformed callable accepts floats there, and Python ints, whose arithmetic is exact and whose derivative
    it makes a float).

    The greatest set closed under: a float constant; arithmetic, NumPy's and SciPy's differentiable functions
    and s2s's runtime helpers with a float operand; a NumPy ufunc with no integer loop (np.exp, np.tanh: floats from
    integers too); an element, part, write or method result (`.sum()`) of a float value; `prims.FLOAT_RESULTS`
    (`/`, np.zeros without dtype=); `math` functions other than those of integers; joins of floats."""
    rules = {d.target: _float_rule(d, fn.free) for d in definitions(fn.body)}  # name -> (all or any, names, constants)
    jumps: list = []
    _loop_jumps(fn.body, jumps)
    for target, a in jumps:  # (a loop's phi holds what its breaks and continues give it too)
        _, names, constants = rules[target]
        _, more, const = _split((a,), True)
        rules[target] = (True, names + more, constants and const)
    known = set(rules) | set(assume) | (set(fn.floats) if differentiated else set())
    readers: dict = {}
    for n, (_, names, _) in rules.items():
        for m in names:
            readers.setdefault(m, []).append(n)

    def holds(n) -> bool:
        every, names, constants = rules[n]
        if every:
            return constants and all(m in known for m in names)
        return constants or any(m in known for m in names)

    work = [n for n in rules if not holds(n)]
    while work:  # (the greatest fixpoint: a name that fails makes its readers look again)
        n = work.pop()
        if n in known:
            known.discard(n)
            work.extend(r for r in readers.get(n, ()) if r in known and not holds(r))
    return known


def _float_rule(d, free: dict) -> tuple:
    """(True: every name must hold floats, False: any, the names, and whether the constants allow it: for `all`,
    that they are all floats; for `any`, that the result is a float anyway or a constant operand is one)."""
    if type(d) is ir.Phi:
        return _split(d.operands, True)
    v = d.value
    if type(v) is not ir.Call:
        return _split((v,), True)
    dtype = next((a for k, a in v.kwargs if k == "dtype"), None)
    if dtype is not None and dtype != ir.Const(None):  # (what the array holds, whatever its operands hold:
        return _NEVER  # np.zeros_like(x, dtype=int) of floats x holds ints; a float dtype is not taken for a fact
        # here: forward mode's in-place tangent writes then met a join of the array with a number, 0.0 written
        # over the array's tangent (tests/test_hunt4_second_order_aliases.py, joined_alias_in_a_loop)
    kind = _op_kind(v.op)
    if kind == "first":
        return _split(v.args[:1], True)
    if kind == "sequence":
        return _split(v.args, True) if v.args else _NEVER
    if kind == "method":
        args = v.args
        return _split(args[:1] + args[2:], False) if type(args[1]) is ir.Const and args[1].value in _FLOAT_METHODS \
            else _NEVER
    if kind == "float":
        return _ALWAYS
    if kind == "any":
        return _split(v.args + tuple(a for _, a in v.kwargs), False)
    return _NEVER


_NEVER, _ALWAYS = (False, (), False), (False, (), True)


def _split(atoms, every: bool) -> tuple:
    names, floats_ = [], []
    for a in atoms:
        if type(a) is ir.Var:
            names.append(a.name)
        elif a is not None:
            v = a.value
            floats_.append(type(v) is float or type(v) is tuple and bool(v) and all(type(x) is float for x in v))
    return every, tuple(names), all(floats_) if every else any(floats_)


# arrays of the prototype's dtype (without dtype=): np.zeros_like(x) holds floats where x does
LIKE = frozenset({"numpy.zeros_like", "numpy.ones_like", "numpy.empty_like", "numpy.full_like"})


@functools.lru_cache(maxsize=None)
def _op_kind(op: str) -> str:
    """How an operation's result is a float (`_float_rule`): "first" (its first operand's: an element, a part, a
    write), "sequence" (every item's), "method" (the object's, for `_FLOAT_METHODS`), "float" (always), "any"
    (with a float operand), "never" (not known to be)."""
    if op in ("getitem", "getattr", "setitem") or op in LIKE:
        return "first"
    if op in ("list", "tuple"):
        return "sequence"
    if op == "callmethod":
        return "method"
    if op.startswith("math."):
        return "never" if op in _NOT_FLOAT_MATH else "float"
    if op in prims.FLOAT_RESULTS or _float_ufunc(op):
        return "float"
    if op in ARITH_OPS or op == "matmul" or op in ("builtins.sum", "builtins.max", "builtins.min",
                                                   "builtins.abs") or op.startswith("s2s.runtime.") or \
            op.startswith(("numpy.", "scipy.")) and registry.reverse_rule(op) is not None and \
            not registry.is_nondiff(op):
        return "any"
    return "never"


_INTEGER_CODES = set(np.typecodes["AllInteger"]) | {"?"}


@functools.lru_cache(maxsize=None)
def _float_ufunc(op: str) -> bool:
    """Is `op` a NumPy ufunc none of whose loops gives integers or bools (np.exp, np.tanh: an integer operand is
    made a float first), by NumPy's own table of its loops?"""
    if not op.startswith("numpy."):
        return False
    obj = np
    for part in op.split(".")[1:]:
        obj = getattr(obj, part, None)
    loops = [t.split("->") for t in getattr(obj, "types", ()) if "O" not in t]  # (object arrays: not numbers)
    return isinstance(obj, np.ufunc) and bool(loops) and all(not set(out) & _INTEGER_CODES for _, out in loops)
