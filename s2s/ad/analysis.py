"""Dataflow facts the transformers need: activity, values that may be Python ints, floats (known-scalar
values: ad/scalars.py).

`activity(fn, wrt)` returns the active names: those that depend on a `wrt`
parameter (varied) and reach the result through differentiable operations
(useful), as in Hascoët & Pascual's Tapenade; keys, indices and draws of
integers computed from them carry none (ad/inactive.py). `integers(fn)` names values that may be Python ints,
`floats(fn)` values that surely hold floats (`v * 1.0` is `v`).
"""
from __future__ import annotations

import functools

import numpy as np

from s2s import ir, prims
from s2s.ad import inactive
from s2s.errors import NonDifferentiableError, written_instead
from s2s.rules import registry
from s2s.ir.walk import (call_definitions, calls_in, default_dict_reads, defined_names, definitions,
                         used_names, vars_of)

SCALAR_RESULT_OPS = {"builtins.float", "builtins.len", "builtins.int", prims.NDIM, prims.SIZE}
ARITH_OPS = {"add", "sub", "mul", "truediv", "pow", "mod", "neg", "pos", "floordiv"}


def differentiable(op: str) -> bool:
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
                if differentiable(s.value.op) and cast is not True:
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


def returned(stmts: list) -> list[str]:
    return [n for s in stmts if isinstance(s, ir.Return) for n in vars_of(s.value)]


def activity(fn: ir.Function, wrt: list[str]) -> set[str]:
    edges: list = []
    unknown: dict = {}
    _edges(fn.body, edges, fn.free, unknown, inactive.made(fn))
    held = inactive.keys(fn)  # (keys and indices computed from values with a derivative carry none)
    picked = inactive.picked(fn)  # (an item of a tuple carries the derivative of those at its position only)
    while True:
        after: dict = {}  # name -> the names computed from it
        before: dict = {}  # name -> the names it is computed from
        for target, srcs in edges:
            if target not in held:
                for s in srcs:
                    after.setdefault(s, []).append(target)
                before.setdefault(target, []).extend(srcs)
        # varied: reached from wrt along the edges (one walk, linear in them)
        varied = reached(set(wrt), after)
        constant = {n for n, srcs in picked.items() if n not in held and not srcs & varied}
        if not constant:
            break
        held |= constant
    # useful: reaching the result
    # (and a read of a defaultdict nothing reads, kept for the key it inserts: its tangent is read too, `dg[7]`)
    active = varied & reached(set(returned(fn.body)) | (default_dict_reads(fn) - used_names(fn.body)), before)
    late = [s for target, s in unknown.items() if target in active and differentiable(s.value.op)]
    if late:  # (np.asarray(v, dtype=x.dtype) of an x that holds floats: a float type)
        known = floats(fn, assume=wrt)  # (the differentiated parameters hold floats: checked on entry)
        made = {d.target: d.value for d in definitions(fn.body) if type(d) is ir.Assign}
        for s in late:
            d = made.get(dict(s.value.kwargs)["dtype"].name)
            if not (type(d) is ir.Call and d.op == prims.ATTRIBUTES["dtype"] and type(d.args[0]) is ir.Var and
                    d.args[0].name in known):
                raise _cast_refusal(s, fn.filename)
    return active


def varied(fn: ir.Function, wrt) -> set[str]:
    """The names a derivative reaches from `wrt` along the operations that carry one, keys and indices among them
    (what `activity` varies, and more): a value outside carries none in this transformation."""
    edges: list = []
    _edges(fn.body, edges, fn.free, {}, inactive.made(fn))
    after: dict = {}
    for target, srcs in edges:
        for s in srcs:
            after.setdefault(s, []).append(target)
    return reached(set(wrt), after)


def _cast_refusal(s: ir.Assign, filename: str) -> NonDifferentiableError:
    """A derivative through a call whose dtype= only the run time knows: an integer type would round its result,
    which then has none."""
    loc = s.loc
    inside = getattr(getattr(loc, "text", None), "call", None)  # (a call in a library's source s2s follows)
    if inside is not None:
        return NonDifferentiableError(
            inside, loc.file or filename, loc.line, loc.text, "s2s follows its Python source, where a call's dtype= "
            "is a type only the run time knows (an integer or bool type would round the result, which then has no "
            "derivative)", (f"Write it with functions s2s differentiates: {written_instead(inside)}; or" if
                            written_instead(inside) else "Where no derivative need pass through it, compute it "
                            "outside the function and pass the result in; otherwise") + " register a rule with "
            f"@s2s.adjoint({inside.split(' (')[0]}) (and @s2s.tangent for forward mode).")
    return NonDifferentiableError(
        prims.spelling(s.value.op), loc.file if loc is not None and loc.file else filename,
        loc.line if loc is not None else 0, loc.text if loc is not None else "",
        "its dtype= is a type only the run time knows, and an integer or bool type would round the result, "
        "which then has no derivative",
        "give the type where the call is written (dtype=np.float64, dtype=int), or leave dtype= out and cast the "
        "result: .astype(t), whose derivative s2s decides when it runs")


def reached(start: set, links: dict) -> set:
    seen = set(start)
    todo = list(start)
    while todo:
        for n in links.get(todo.pop(), ()):
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen



def _loop_jumps(stmts: list, out: list) -> None:
    """(loop phi target, value) for every value a break or continue carries to a loop's phi."""
    for s in stmts:
        if isinstance(s, ir.If):
            _loop_jumps(s.body, out)
            _loop_jumps(s.orelse, out)
        elif isinstance(s, ir.Loop):
            _loop_jumps(s.header, out)
            _loop_jumps(s.body, out)
            jump_values(s.body, s.phis, out)


def jump_values(stmts, phis, out) -> None:
    for s in stmts:
        if isinstance(s, (ir.Break, ir.Continue)):
            out.extend((p.target, s.values[p.target]) for p in phis if s.values.get(p.target) is not None)
        elif isinstance(s, ir.If):
            jump_values(s.body, phis, out)
            jump_values(s.orelse, phis, out)


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
    made = list(definitions(fn.body))
    rules = {d.target: _float_rule(d, fn.free) for d in made}  # name -> (all or any, names, constants)
    _grown_from_empty(made, rules)
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


def _grown_from_empty(made: list, rules: dict) -> None:
    """A list grown by appends from an empty one (`ps = []`, then `ps.append(v)` in a loop: a phi of `[]` and the
    appended list) holds floats where every item appended does: the empty list is left out of the phi's rule."""
    empty = {d.target for d in made if type(d) is ir.Assign and type(d.value) is ir.Call and
             d.value.op in ("list", "tuple") and not d.value.args}
    grown = {d.target for d in made if type(d) is ir.Assign and type(d.value) is ir.Call and
             d.value.op == prims.APPENDED}
    for d in made:
        if type(d) is ir.Phi and empty & set(rules[d.target][1]) and grown & set(rules[d.target][1]):
            every, names, constants = rules[d.target]
            rules[d.target] = (every, tuple(n for n in names if n not in empty), constants)


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
    if kind == "sequence":  # (a dict display's or a record's values, past its keys or field names)
        values = v.args[1:] if v.op == "s2s.runtime.dict_of" else v.args[2:] if v.op == prims.RECORD_NEW else v.args
        return _split(values, True) if values else _NEVER
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
    if op in ("list", "tuple") or op in prims.CONTAINER_BUILDERS:  # (a container holds floats where each item
        return "sequence"  # does: `{'a': np.arange(3), 'b': x * 1.0}['a']` holds integers)
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


_KEYS = frozenset({"s2s.runtime.dict_keys", "s2s.runtime.dict_items", "s2s.runtime.dict_values"})


def keyed_params(fn: ir.Function) -> set:
    """The parameters the function reads as dicts: by their keys (`for k in p`, p.items(): rt.dict_keys(p)...) or
    at a key written out (`p['w']`), whose gradient is a dict (ad/reverse.py gives it back plain)."""
    return {c.args[0].name for c in calls_in(fn.body) if c.args and isinstance(c.args[0], ir.Var) and
            c.args[0].name in fn.params and (c.op in _KEYS or c.op == "getitem" and len(c.args) == 2 and
                                              isinstance(c.args[1], ir.Const) and type(c.args[1].value) is str)}

