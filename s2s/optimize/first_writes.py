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
  where `r` is `range(stop)`, `range(start, stop)` or
  `range(start, stop, step)` with a constant int start >= 0 and a constant int step > 0;
- in the loop (its nested blocks and phis included), the accumulator is read only by `t = bx[i]` and written
  only by `bx[i] = t + g` (or `g + t`), `i` the loop's own name, `t` and the sum read nowhere else;
- `g` is made by arithmetic in the loop's body (a new value no other name holds: a list accumulator keeps it
  as its part, as it kept the sum).
`0.0 + g` is `g` but for `g = -0.0`, which the write keeps (a zero either way, as a hand-written pass gives it).
"""
from __future__ import annotations

import copy

from s2s import ir
from s2s.ir.walk import count_uses, vars_of

ACCUMULATOR = "s2s.runtime.accumulator"
RANGE, REVERSED, ZIP = "builtins.range", "builtins.reversed", "builtins.zip"
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
    for block in _blocks(fn.body):
        _block(block, made, uses)
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


def _block(stmts: list, made: dict, uses: dict) -> None:
    fresh: dict = {}  # accumulator name -> True while nothing has read it since its definition
    for s in stmts:
        if type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op == ACCUMULATOR and \
                len(s.value.args) == 1 and not s.value.kwargs:
            fresh[s.target] = True
            continue
        if type(s) is ir.Loop:
            for acc in [a for a in fresh if _mentions(s, a)]:
                _rewrite(s, acc, made, uses)
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


def _index(loop: ir.Loop, made: dict) -> str | None:
    """The name of `loop` that runs over different non-negative ints, each once (a range up from zero or more),
    alone or zipped with the stacks a reversed loop pops (`for i_1, t4_1 in zip(reversed(t2), reversed(t4_saved))`)."""
    if loop.kind != "for" or type(loop.iter) is not ir.Var:
        return None
    if isinstance(loop.target, str):
        return loop.target if _distinct(loop.iter, made) else None
    it = made.get(loop.iter.name)
    if not loop.target or it is None or it.op != ZIP or it.kwargs or len(it.args) != len(loop.target):
        return None
    return next((t for t, a in zip(loop.target, it.args) if _distinct(a, made)), None)


def _distinct(iterable, made: dict) -> bool:
    """Is `iterable` a range up from zero or more, or such a range reversed?"""
    if type(iterable) is not ir.Var:
        return False
    it = made.get(iterable.name)
    if it is not None and it.op == REVERSED and len(it.args) == 1 and type(it.args[0]) is ir.Var and not it.kwargs:
        it = made.get(it.args[0].name)
    if it is None or it.op != RANGE or it.kwargs or not 1 <= len(it.args) <= 3:
        return False
    if len(it.args) == 1:
        return True
    start = it.args[0]
    if not (type(start) is ir.Const and type(start.value) is int and start.value >= 0):
        return False
    if len(it.args) == 3:
        step = it.args[2]
        return type(step) is ir.Const and type(step.value) is int and step.value > 0
    return True


def _rewrite(loop: ir.Loop, acc: str, made: dict, uses: dict) -> None:
    target = _index(loop, made)
    if target is None or any(acc in [a.name for a in p.operands if type(a) is ir.Var]
                                                   for p in loop.phis) or acc in vars_of(loop.iter):
        return
    body = loop.body
    mentions = [s for s in ir.statements(body) if acc in _operand_names(s)]
    if len(mentions) != 2:
        return
    read, write = mentions
    index = ir.Var(target)
    if not (read in body and write in body and type(read) is ir.Assign and type(read.value) is ir.Call and
            read.value.op == "getitem" and read.value.args == (ir.Var(acc), index) and not read.value.kwargs and
            type(write) is ir.Effect and write.value.op == "setitem" and not write.value.kwargs and
            len(write.value.args) == 3 and write.value.args[:2] == (ir.Var(acc), index) and
            type(write.value.args[2]) is ir.Var and uses.get(read.target) == 1):
        return
    total = write.value.args[2].name
    place = {id(s): k for k, s in enumerate(body)}
    summed = next((s for s in body if type(s) is ir.Assign and s.target == total), None)
    if summed is None or uses.get(total) != 1 or type(summed.value) is not ir.Call or summed.value.op != "add" or \
            summed.value.kwargs or len(summed.value.args) != 2 or ir.Var(read.target) not in summed.value.args:
        return
    g = summed.value.args[1] if summed.value.args[0] == ir.Var(read.target) else summed.value.args[0]
    if type(g) is not ir.Var or g.name == read.target:
        return
    made_g = next((s for s in body if type(s) is ir.Assign and s.target == g.name), None)
    if made_g is None or type(made_g.value) is not ir.Call or made_g.value.op not in FRESH or made_g.value.kwargs \
            or place[id(made_g)] > place[id(write)]:
        return
    write.value = ir.Call("setitem", (ir.Var(acc), index, g))
    body[:] = [s for s in body if s is not read and s is not summed]
