"""A reversed element loop's adjoint written where nothing was, not added to the zero that was there.

A loop writing each element once (`for i in range(n): y[i] = np.sin(x[i])`) reads `x[i]` once per iteration, so
its reversed loop adds each element's adjoint into a new accumulator of x:

    bx = rt.accumulator(x)                  # zeros shaped like x
    for i_1 in reversed(t2):                # t2 = range(n)
        bx[i_1] += by_1[i_1] * np.cos(x[i_1])

Every index of a range is a different integer, all of them non-negative where the range starts at zero or at a
non-negative constant and steps up, so each iteration writes an element no other iteration wrote: the element
is still the accumulator's zero, and the sum is the contribution itself. This pass writes what a hand-written
backward pass writes, a read and an addition fewer per element:

        bx[i_1] = by_1[i_1] * np.cos(x[i_1])

It rewrites only what it can show exact:
- the accumulator is `rt.accumulator(x)` (nothing added in), defined in the block the loop is in and read by
  nothing between its definition and the loop;
- the loop is a `for` over `reversed(r)` or `r` (or zipped with other iterables, the stacks a reversed loop pops),
  where `r` is `range(stop)`, `range(start, stop)` or `range(start, stop, step)` with a constant int start >= 0
  and a constant int step > 0;
- in the loop (its nested blocks and phis included), the accumulator is read only by `t = bx[j]` and written
  only by `bx[j] = t + g` (or `g + t`; `t - g` writes `-g`), pair by pair, `t` and the sum read nowhere else,
  each index j the loop's own name i or `i + c` for int constants c, all different and smaller than the range's
  step (the LSTM's `bstate[i_1]` and `bstate[i_1 + 1]` of `range(0, n, 2)`): no two writes, in one iteration or
  two, meet;
- `g` is made by arithmetic in the loop's body, or is `rt.unbroadcast` of such a value read nowhere else (a new
  value no other name holds: a list accumulator keeps it as its part, as it kept the sum).
`0.0 + g` is `g` but for `g = -0.0`, which the write keeps (a zero either way, as a hand-written pass gives it).
"""
from __future__ import annotations

import copy

from s2s import ir
from s2s.ir.names import Namer
from s2s.ir.walk import count_uses, defined_names, vars_of

ACCUMULATOR = "s2s.runtime.accumulator"
RANGE, REVERSED, ZIP = "builtins.range", "builtins.reversed", "builtins.zip"
UNBROADCAST = "s2s.runtime.unbroadcast"
FRESH = frozenset({"add", "sub", "mul", "truediv", "neg", "pow"})  # (their results: new numbers or arrays)


def first_writes(fn: ir.Function) -> ir.Function:
    return _first_writes(copy.deepcopy(fn))


def _first_writes(fn: ir.Function) -> ir.Function:
    """`first_writes`, changing `fn` itself (`optimize` runs it on its own copy)."""
    made = {s.target: s.value for s in ir.statements(fn.body) if type(s) is ir.Assign and type(s.value) is ir.Call}
    if not any(c.op == ACCUMULATOR for c in made.values()):
        return fn
    uses: dict = {}
    count_uses(fn.body, uses)
    namer = Namer(set(fn.params) | set(defined_names(fn.body)) | set(uses))
    for block in _blocks(fn.body):
        _block(block, made, uses, namer)
    return fn


def _blocks(stmts: list):
    yield stmts
    for s in stmts:
        if type(s) is ir.If:
            yield from _blocks(s.body)
            yield from _blocks(s.orelse)
        elif type(s) is ir.Loop:
            yield from _blocks(s.header)
            yield from _blocks(s.body)


def _block(stmts: list, made: dict, uses: dict, namer: Namer) -> None:
    fresh: dict = {}  # accumulator name -> True while nothing has read it since its definition
    for s in stmts:
        if type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op == ACCUMULATOR and \
                len(s.value.args) == 1 and not s.value.kwargs:
            fresh[s.target] = True
            continue
        if type(s) is ir.Loop:
            for acc in [a for a in fresh if _mentions(s, a)]:
                _rewrite(s, acc, made, uses, namer)
                del fresh[acc]
        for acc in [a for a in fresh if _mentions(s, a)]:
            del fresh[acc]


def _mentions(s, name: str) -> bool:
    for t in ir.statements([s]):
        if name in _operand_names(t):
            return True
    return False


def _operand_names(s) -> list:
    return [a.name for a in ir.operands(s) if type(a) is ir.Var]


def index_of(loop: ir.Loop, made: dict):
    """(name, step) of the name of `loop` that runs over different non-negative ints, each once, `step` apart or
    more (a range up from zero or more), alone or zipped with the stacks a reversed loop pops (`for i_1, t4_1 in
    zip(reversed(t2), reversed(t4_saved))`); None if it has none."""
    if loop.kind != "for" or type(loop.iter) is not ir.Var:
        return None
    if isinstance(loop.target, str):
        step = _step(loop.iter, made)
        return None if step is None else (loop.target, step)
    it = made.get(loop.iter.name)
    if not loop.target or it is None or it.op != ZIP or it.kwargs or len(it.args) != len(loop.target):
        return None
    return next(((t, _step(a, made)) for t, a in zip(loop.target, it.args) if _step(a, made) is not None), None)


def _step(iterable, made: dict) -> int | None:
    """The step of `iterable` if it is a range up from zero or more, or such a range reversed; else None."""
    if type(iterable) is not ir.Var:
        return None
    it = made.get(iterable.name)
    if it is not None and it.op == REVERSED and len(it.args) == 1 and type(it.args[0]) is ir.Var and not it.kwargs:
        it = made.get(it.args[0].name)
    if it is None or it.op != RANGE or it.kwargs or not 1 <= len(it.args) <= 3:
        return None
    if len(it.args) == 1:
        return 1
    start = it.args[0]
    if not (type(start) is ir.Const and type(start.value) is int and start.value >= 0):
        return None
    if len(it.args) == 3:
        step = it.args[2]
        return step.value if type(step) is ir.Const and type(step.value) is int and step.value > 0 else None
    return 1


def _rewrite(loop: ir.Loop, acc: str, made: dict, uses: dict, namer: Namer) -> None:
    """Each `t = acc[j]; s = t + g; acc[j] = s` in `loop`'s body -> `acc[j] = g`, where every index j is the loop's
    name i or `i + c`, the constants c all different and smaller than the range's step (`bstate[i_1]` and
    `bstate[i_1 + 1]` of a range stepping by 2): no two writes of the loop, in one iteration or two, meet."""
    found = index_of(loop, made)
    if found is None or any(acc in [a.name for a in p.operands if type(a) is ir.Var] for p in loop.phis) or \
            acc in vars_of(loop.iter):
        return
    target, step = found
    body = loop.body
    defs = {s.target: s for s in body if type(s) is ir.Assign}
    place = {id(s): k for k, s in enumerate(body)}
    mentions = [s for s in ir.statements(body) if acc in _operand_names(s)]
    if not mentions or len(mentions) % 2:
        return
    offsets, changes = set(), []
    for read, write in zip(mentions[::2], mentions[1::2]):
        if not (id(read) in place and id(write) in place and type(read) is ir.Assign and
                type(read.value) is ir.Call and read.value.op == "getitem" and not read.value.kwargs and
                len(read.value.args) == 2 and read.value.args[0] == ir.Var(acc) and uses.get(read.target) == 1 and
                type(write) is ir.Effect and write.value.op == "setitem" and not write.value.kwargs and
                len(write.value.args) == 3 and write.value.args[:2] == read.value.args and
                type(write.value.args[2]) is ir.Var):
            return
        offset = offset_of(read.value.args[1], target, defs)
        if offset is None or not 0 <= offset < step or offset in offsets:
            return
        offsets.add(offset)
        summed = defs.get(write.value.args[2].name)
        if summed is None or uses.get(summed.target) != 1 or type(summed.value) is not ir.Call or \
                summed.value.op not in ("add", "sub") or summed.value.kwargs or len(summed.value.args) != 2 or \
                ir.Var(read.target) != summed.value.args[0] and \
                (summed.value.op == "sub" or ir.Var(read.target) != summed.value.args[1]):
            return
        g = summed.value.args[1] if summed.value.args[0] == ir.Var(read.target) else summed.value.args[0]
        if type(g) is not ir.Var or g.name == read.target or not _fresh(g.name, defs, uses) or \
                place[id(defs[g.name])] > place[id(write)]:
            return
        changes.append((read, summed, write, g))
    dropped = set()
    for read, summed, write, g in changes:
        if summed.value.op == "sub":  # (bx[i_1] = bx[i_1] - g: the negated contribution, `-g`, is written)
            negated = namer.fresh("t")
            summed.target, summed.value, summed.temp = negated, ir.Call("neg", (g,)), True
            g = ir.Var(negated)
        else:
            dropped.add(id(summed))
        write.value = ir.Call("setitem", (*write.value.args[:2], g))
        dropped.add(id(read))
    body[:] = [s for s in body if id(s) not in dropped]


def offset_of(index, target: str, defs: dict) -> int | None:
    """c where `index` is the loop's name `target` plus the int constant c (0 for the name itself), else None."""
    if index == ir.Var(target):
        return 0
    d = defs.get(index.name) if type(index) is ir.Var else None
    if d is None or type(d.value) is not ir.Call or d.value.op != "add" or d.value.kwargs or len(d.value.args) != 2:
        return None
    a, b = d.value.args
    for name, c in ((a, b), (b, a)):
        if name == ir.Var(target) and type(c) is ir.Const and type(c.value) is int:
            return c.value
    return None


def _fresh(name: str, defs: dict, uses: dict) -> bool:
    """Is `name` made in the loop's body as a new value nothing else holds: arithmetic's result, or rt.unbroadcast
    of one read nowhere else (which returns it, or its sum, a new array)?"""
    d = defs.get(name)
    if d is None or type(d.value) is not ir.Call or d.value.kwargs:
        return False
    if d.value.op in FRESH:
        return True
    g = d.value.args[0] if d.value.op == UNBROADCAST and len(d.value.args) == 2 else None
    return type(g) is ir.Var and uses.get(g.name) == 1 and _fresh(g.name, defs, uses)
