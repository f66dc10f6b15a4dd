"""Sums of `rt.getitem_adjoint` contributions to one array's adjoint, written into one buffer by index.

Reverse mode gives each read of a part of `x` (`x[1:]`, `x[:-1]`, `p[9]`) its own adjoint, zeros shaped like
`x` with the part's adjoint at its index, and adds them: `bx = rt.getitem_adjoint(bt7, x, slice(None, -1))
+ rt.getitem_adjoint(bt2, x, slice(None, -1)) + rt.getitem_adjoint(bt1, x, slice(1, None))`, one zeros array
per read. This pass writes what a person writes instead, one buffer and a write per index, the contributions
at one index added first:

    bx = rt.zeros_like(x)           # a float (complex, longdouble) array shaped like x, as getitem_adjoint's
    bx[:-1] = bt7 + bt2             # the buffer is zeros: a write where none was is the contribution itself
    bx[1:] = bx[1:] + bt1           # (x[:-1] and x[1:] overlap; p[0:3], p[3:6] and p[9] would not)

It rewrites only what it can show exact:
- the index is basic: constant (ints, slices, None, `...`), or a slice object the function makes
  (`t19 = slice(0, b, None)`, or that slice as a reversed loop restores it): it never selects an element
  twice, so a plain write adds each element once; another variable or a fancy index keeps its
  `rt.getitem_adjoint` term. Two made slices are disjoint where one stops at the int bound where the other
  starts (`x[0:b]`, `x[b:2 * b]`), whatever b's sign: both count it from the same end and clip it alike;
  or where one stops at or before the other starts, both bounds sums of sizes (entries of shapes, lengths)
  with non-negative int coefficients (`x[0:b]`, `x[2 * b:3 * b]` for b = h.shape[0]);
- `x` is an array: the function subtracts, divides, raises or negates `x` or a slice of it, or adds or
  multiplies one by a float (a tuple or list could not be), or `x` is the result of an elementwise NumPy
  function, or of `prims.ARRAY_RESULTS` (np.concatenate) and arithmetic on such an array. Anything else (a
  tuple, list or dict among them) keeps the old form, whose `+` adds parts;
- the terms are read only by the sum, which is in any block: a reversed loop's body makes its buffer anew
  each iteration (the contributions to a value defined before the loop are added into its accumulator in
  place already, `rt.add_at`, and are no sum here).
The writes are element writes into an array the generated function made, which a second transformation
(a Hessian, a gradient of the gradient) differentiates as it does the user's own.
"""
from __future__ import annotations

import copy

from s2s import ir, prims
from s2s.ad.analysis import integers
from s2s.ir.names import Namer
from s2s.ir.walk import adjoint_names, array_versions, defined_names, mark_arrays, temporaries
from s2s.rules import registry

GETITEM_ADJOINT = "s2s.runtime.getitem_adjoint"
ZEROS = "s2s.runtime.zeros_like"
# operations a tuple or list cannot be an operand of (`+` joins them, `*` repeats them)
ARRAY_ONLY = {"sub", "truediv", "pow", "neg", "matmul"}
ARITHMETIC = {"add", "sub", "mul", "truediv", "pow", "neg"}
SLICE = "slice"


def scatter_adjoints(fn: ir.Function) -> ir.Function:
    return _scatter(copy.deepcopy(fn))


def _scatter(fn: ir.Function) -> ir.Function:
    """`scatter_adjoints`, changing `fn` itself (`optimize` runs it on its own copy)."""
    everything = list(ir.statements(fn.body))  # (one walk: the facts below are read from this list)
    made = {s.target: s.value for s in everything if type(s) is ir.Assign and type(s.value) is ir.Call}
    if not any(c.op == GETITEM_ADJOINT for c in made.values()):
        return fn
    uses: dict = {}
    for s in everything:
        for a in ir.operands(s):
            if type(a) is ir.Var:
                uses[a.name] = uses.get(a.name, 0) + 1
    restored = _restored(everything)
    # the slices the function makes, and the values a reversed loop restores of them (the same slice objects)
    slices = {n: c for n, c in made.items() if c.op == SLICE}
    slices.update({a: slices[b] for a, b in restored if b in slices})
    state = {"arrays": None, "namer": None, "done": False, "at": {}}

    def ints() -> set:  # (the names that hold ints: asked for only where a shared slice bound decides)
        if "ints" not in state:
            state["ints"] = integers(fn)
        return state["ints"]

    def arrays_at(guards: frozenset) -> set:  # (the names proven arrays where these branches were taken)
        if state["arrays"] is None:
            state["arrays"] = _proven_arrays(everything, made, slices, restored, fn.body)
        if guards not in state["at"]:
            always, where = state["arrays"]
            state["at"][guards] = always | {n for n, taken in where.items() if any(g <= guards for g in taken)}
        return state["at"][guards]

    def block(body: list, guards: frozenset = frozenset()) -> list:
        for s in body:  # (a reversed loop's body, a branch: each block's sums are its own)
            for k, b in enumerate(ir.blocks(s)):
                b[:] = block(b, guards | {_branch(s, k)} if type(s) is ir.If else guards)
        defs = {s.target: (i, s) for i, s in enumerate(body) if type(s) is ir.Assign}
        summed = {a.name for s in body if _is_sum(s) for a in s.value.args if type(a) is ir.Var}
        plans: dict = {}
        absorbed: set = set()
        for i, s in enumerate(body):
            if not _is_sum(s) or (uses.get(s.target) == 1 and s.target in summed):
                continue  # (a sum inside a larger one is rewritten with it)
            terms, inner = [], []
            _terms(s.value, False, defs, uses, terms, inner)
            if sum(1 for t, negative in terms if not negative and _index_term(t, defs, slices) is not None) < 2:
                continue
            plan = _plan(terms, defs, uses, arrays_at(guards), slices)
            if plan is None:
                continue
            plans[i] = plan
            absorbed.update(inner)
            absorbed.update(defs[t.name][0] for t in plan[2])
        if not plans:
            return body
        if state["namer"] is None:
            state["namer"] = Namer(set(fn.params) | set(defined_names(fn.body)) | set(uses))
            state["names"] = temporaries(fn.body), adjoint_names(fn.body), array_versions(fn.body)
        state["done"] = True
        out = []
        for i, s in enumerate(body):
            if i in plans:
                out.extend(_rewrite(s, plans[i], state["namer"], *state["names"], slices, ints, made))
            elif i not in absorbed:
                out.append(s)
        return out

    fn.body = block(fn.body)
    if state["done"]:
        mark_arrays(fn.body, state["names"][2])
    return fn


def _is_sum(s) -> bool:
    return type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op in ("add", "sub") \
        and not s.value.kwargs and len(s.value.args) == 2


def _terms(call: ir.Call, negative: bool, defs: dict, uses: dict, terms: list, inner: list) -> None:
    """The terms (atom, subtracted?) of the sum `call` (the additions and subtractions only it reads,
    flattened), in order; `inner` gets the positions of those additions and subtractions. A walk with a
    stack, not recursion: a long straight-line function's sum nests a thousand deep."""
    def parts(call: ir.Call, negative: bool) -> list:  # (last first: the first argument's terms come first)
        return [(a, negative != (k == 1 and call.op == "sub")) for k, a in reversed(list(enumerate(call.args)))]

    stack = parts(call, negative)
    while stack:
        a, sign = stack.pop()
        d = defs.get(a.name) if type(a) is ir.Var else None
        if d is not None and uses.get(a.name) == 1 and _is_sum(d[1]):
            inner.append(d[0])
            stack.extend(parts(d[1].value, sign))
        else:
            terms.append((a, sign))


def _index_term(t, defs: dict, slices: dict):
    """(g, x, index) for a term `rt.getitem_adjoint(g, x, *index)` of a basic index: constant, or a slice the
    function makes (`t19 = slice(0, b, None)`), else None."""
    d = defs.get(t.name) if type(t) is ir.Var else None
    if d is None:
        return None
    c = d[1].value
    if type(c) is not ir.Call or c.op != GETITEM_ADJOINT or c.kwargs or len(c.args) < 3 \
            or type(c.args[1]) is not ir.Var:
        return None
    index = c.args[2:]
    if not all(type(a) is ir.Const and _basic(a.value) or type(a) is ir.Var and a.name in slices for a in index):
        return None  # (another variable or a fancy index keeps its term: np.add.at's repeated elements)
    return c.args[0], c.args[1], index


def _basic(v) -> bool:
    """A constant index part that selects each element at most once (runtime.indexing._basic's, as constants)."""
    if type(v) is slice:
        return all(p is None or type(p) is int for p in (v.start, v.stop, v.step))
    return type(v) is int or v is None or v is Ellipsis


def _key(index: tuple) -> tuple:
    return tuple(("", a.name) if type(a) is ir.Var else (type(a.value).__name__, repr(a.value)) for a in index)


def _plan(terms: list, defs: dict, uses: dict, arrays: set, slices: dict):
    """(x, [(index, [g, ...]), ...] in order of first appearance, the terms written into the buffer, the
    other terms), or None where fewer than two contributions would go into one buffer."""
    atoms = [t for t, _ in terms]
    parts = [(t, None if negative else _index_term(t, defs, slices)) for t, negative in terms]
    count: dict = {}
    for t, p in parts:
        if p is not None and p[1].name in arrays:
            count[p[1].name] = count.get(p[1].name, 0) + 1
    if not count:
        return None
    x = max(count, key=count.get)
    written = [t for t, p in parts if p is not None and p[1].name == x and uses.get(t.name) == atoms.count(t)]
    if len(written) < 2:
        return None
    groups: dict = {}
    for t in written:
        g, _, index = _index_term(t, defs, slices)
        groups.setdefault(_key(index), (index, []))[1].append(g)
    others = [(t, negative) for t, negative in terms if t not in written]
    return ir.Var(x), list(groups.values()), list(dict.fromkeys(written)), others


def _interval(index: tuple):
    """(side, start, stop) of the elements a one-part index selects along the first axis, counted from the
    front (side 1) or the back (side -1, stop 0 is the end), or None (a step, or a slice spanning both)."""
    if len(index) != 1:
        return None
    v = index[0].value
    if type(v) is int:
        return (1, v, v + 1) if v >= 0 else (-1, v, v + 1)
    if type(v) is not slice or v.step not in (None, 1):
        return None
    start, stop = v.start, v.stop
    if (start is None or start >= 0) and (stop is None or stop >= 0):
        return 1, start or 0, float("inf") if stop is None else stop
    if (start is None or start < 0) and (stop is None or stop < 0):
        return -1, float("-inf") if start is None else start, 0 if stop is None else stop
    return None


def _disjoint(a: tuple, b: tuple, slices: dict, ints, made: dict) -> bool:
    """Do the indices `a` and `b` select no element in common, whatever the array's length? Constants, or
    two slices the function makes, of no step: one stopping where the other starts (`slice(0, b, None)`,
    `slice(b, t25, None)`: an int bound, counted from the front or the back and clipped alike for both), or
    one stopping at or before the other starts, both bounds counted from the front (`_front`: `slice(0, b)`
    and `slice(2 * b, 3 * b)`, b an entry of a shape)."""
    if any(type(p) is ir.Var for p in a + b):
        if len(a) != 1 or len(b) != 1 or type(a[0]) is not ir.Var or type(b[0]) is not ir.Var:
            return False
        sa, sb = slices[a[0].name].args, slices[b[0].name].args  # (restored ones: of one forward iteration)
        if len(sa) != 3 or len(sb) != 3 or any(type(v[2]) is not ir.Const or v[2].value is not None
                                               for v in (sa, sb)):
            return False
        return any(_before(first[1], second[0], made) or first[1] == second[0] and _bound(first[1], ints)
                   for first, second in ((sa, sb), (sb, sa)))
    ia, ib = _interval(a), _interval(b)
    if ia is None or ib is None or ia[0] != ib[0]:
        return False
    return ia[2] <= ib[1] or ib[2] <= ia[1]


def _before(stop: ir.Atom, start: ir.Atom, made: dict) -> bool:
    """Is the slice bound `stop` at most `start`, both counted from the front (never negative), whatever the
    sizes they are made of? (their difference has no negative coefficient)"""
    p, q = _front(stop, made, 0), _front(start, made, 0)
    if p is None or q is None:
        return False
    return all(q.get(k, 0) >= v for k, v in p.items())


def _front(a: ir.Atom, made: dict, depth: int):
    """The int `a` as a sum with non-negative int coefficients of sizes, which are never negative (entries of
    shapes, lengths), as {name: coefficient, "": constant}; None where it is not one."""
    if type(a) is ir.Const:
        return {"": a.value} if type(a.value) is int and a.value >= 0 else None
    c = made.get(a.name)
    if c is None or c.kwargs or depth > 8:
        return None
    if c.op in ("builtins.len", prims.SIZE) or c.op == "getitem" and len(c.args) == 2 and \
            type(c.args[0]) is ir.Var and getattr(made.get(c.args[0].name), "op", None) == prims.SHAPE and \
            type(c.args[1]) is ir.Const and type(c.args[1].value) is int:
        return {a.name: 1}
    parts = [_front(x, made, depth + 1) for x in c.args]
    if any(p is None for p in parts):
        return None
    if c.op == "add" and len(parts) == 2:
        return {k: parts[0].get(k, 0) + parts[1].get(k, 0) for k in set(parts[0]) | set(parts[1])}
    if c.op == "mul" and len(parts) == 2 and any(set(p) == {""} for p in parts):
        factor, form = (parts[0][""], parts[1]) if set(parts[0]) == {""} else (parts[1][""], parts[0])
        return {k: factor * v for k, v in form.items()}
    return None


def _bound(v, ints) -> bool:
    """A slice bound that is one position, an int (not None: a start's None is 0, a stop's the end); `ints()`
    gives the names that hold ints."""
    return type(v) is ir.Var and v.name in ints() or type(v) is ir.Const and type(v.value) is int


def _branch(s: ir.If, k: int):
    """The branch `k` (0: body, 1: orelse) of the If `s`, as the same for every If of one test (the adjoint
    sweep's If mirrors the forward sweep's on the same name)."""
    test = s.test.name if type(s.test) is ir.Var else repr(s.test.value)
    return test, k


def _guarded(body: list, guards: frozenset = frozenset()):
    """(statement, the branches taken to reach it) for every statement of `body`."""
    for s in body:
        yield s, guards
        if type(s) is ir.If:
            yield from _guarded(s.body, guards | {_branch(s, 0)})
            yield from _guarded(s.orelse, guards | {_branch(s, 1)})
        else:
            for b in ir.blocks(s):
                yield from _guarded(b, guards)


def _proven_arrays(everything: list, made: dict, slices: dict, restored: list, body: list) -> tuple:
    """(names that can only be arrays, {name: the sets of branches where an operation proves it one}).

    Operands (or sliced operands) of an operation a tuple, list or dict has no meaning for (`x[1:] - x[:-1]`,
    `p[0:3] / theta`) are arrays where that operation runs: not in the other branch of an `if isinstance(t,
    tuple)` (a recursion over a tree multiplies the leaves it reaches). Results of NumPy's elementwise
    functions (`y = np.exp(x)`) and `_ndarrays` are arrays wherever they are defined."""
    sliced = {}
    for s in everything:
        if type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op == "getitem" \
                and type(s.value.args[0]) is ir.Var and any(type(a) is ir.Const and type(a.value) is slice or
                                                            type(a) is ir.Var and a.name in slices
                                                            for a in s.value.args[1:]):
            sliced[s.target] = s.value.args[0].name  # (a slice of a dict raises; of a tuple is a tuple)
    out = _ndarrays(made, restored)
    where: dict = {}
    for s, guards in _guarded(body):
        if type(s) is not ir.Assign or type(s.value) is not ir.Call or s.value.kwargs:
            continue
        op, args = s.value.op, s.value.args
        if op.startswith("numpy.") and _elementwise(op):
            out.add(s.target)  # (a ufunc's result is an array, or a number, which no index reads)
        if op in ARRAY_ONLY or (op in ("add", "mul") and any(  # (`+ 1.0`, `* 0.5`: a sequence takes neither)
                type(a) is ir.Const and type(a.value) in (float, complex) for a in args)):
            out.add(s.target)  # (its result too: an array, or a number, which no index reads)
            for a in args:
                if type(a) is ir.Var:
                    for name in (a.name, sliced.get(a.name)):
                        if name is not None:
                            where.setdefault(name, set()).add(guards)
    return out, where


def _restored(everything: list) -> list:
    """(name, the forward sweep's name whose value it is) for each value a reversed loop restores (`t16 =
    t16_saved.pop()`, or a loop walking its stacks), among `everything` (every statement of a function)."""
    same = []
    for s in everything:
        if type(s) is ir.Assign and s.restores:
            same.append((s.target, s.restores))
        elif type(s) is ir.Loop:
            same += list(s.restores.items())
    return same


def _ndarrays(made: dict, same: list) -> set:
    """Names that are NumPy arrays of at least one axis: what `prims.ARRAY_RESULTS` make, the arithmetic of
    such an array with anything (NumPy's operator, which takes a list or a tuple for an array: an array),
    and the values a reversed loop restores of them (`same`: the same objects)."""
    out = {n for n, c in made.items() if c.op in prims.ARRAY_RESULTS}
    changed = bool(out)
    while changed:
        changed = False
        for n, c in made.items():
            if n not in out and c.op in ARITHMETIC and any(type(a) is ir.Var and a.name in out for a in c.args):
                out.add(n)
                changed = True
        for a, b in same:
            if (a in out) != (b in out):
                out |= {a, b}
                changed = True
    return out


def _elementwise(op: str) -> bool:
    rule = registry.reverse_rule(op)
    return rule is not None and rule.broadcast


def _rewrite(s: ir.Assign, plan, namer: Namer, temps: set, adjoints: set, arrays_map: dict, slices: dict,
             ints, made: dict) -> list:
    """The statements of one buffer for the sum `s`: zeros, a write per index, then the other terms."""
    x, groups, _, others = plan
    loc, name = s.loc, s.target
    out = []

    def emit(value, target=None) -> ir.Var:
        if target is None:
            target = namer.fresh("t")
            temps.add(target)
        out.append(ir.Assign(target, value, loc, temp=target in temps, adjoint=target in adjoints))
        return ir.Var(target)

    def total(atoms: list) -> ir.Var:
        acc = atoms[0]
        for a in atoms[1:]:
            acc = emit(ir.Call("add", (acc, a)))
        return acc

    last = len(groups) - 1 if not others else None
    base = name if not others or name not in temps else "b" + x.name  # (the buffer is named as x's adjoint)
    buffer = emit(ir.Call(ZEROS, (x,)), namer.fresh(base))
    versions = [buffer.name]
    for k, (index, gs) in enumerate(groups):
        value = total(gs)
        if not all(_disjoint(index, before, slices, ints, made) for before, _ in groups[:k]):
            # (elements an earlier write touched: added to; elsewhere the buffer is zeros, the write is the sum)
            value = emit(ir.Call("add", (emit(ir.Call("getitem", (buffer,) + tuple(index))), value)))
        buffer = emit(ir.Call("setitem", (buffer,) + tuple(index) + (value,)), name if k == last else namer.fresh(base))
        versions.append(buffer.name)
    for k, (t, negative) in enumerate(others):  # (what is not written into the buffer: added to it)
        buffer = emit(ir.Call("sub" if negative else "add", (buffer, t)), name if k == len(others) - 1 else None)
    root = name if not others else versions[0]
    for v in versions:
        arrays_map[v] = root
    return out


def buffers(fn: ir.Function) -> set:
    """The arrays written in place that are adjoint buffers this pass made (their first version is
    `rt.zeros_like(x)`): new wherever the adjoint runs, so a vjp's pullback may run any number of times."""
    made = {s.target for s in ir.statements(fn.body) if type(s) is ir.Assign and type(s.value) is ir.Call
            and s.value.op == ZEROS}
    return {root for version, root in array_versions(fn.body).items() if version in made}


scatter_adjoints.in_place = _scatter
