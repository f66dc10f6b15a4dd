"""Adjoints a branch gives none of: their uses moved into the branch that gives one.

A value computed before an `if` and read on one of its paths only has no adjoint on the other: the reversed
`if` joins it with a literal zero (`if t3: br = 1.0 else: br = 0.0`). The adjoint statements of the value's own
definition that follow (`bt1 = br / (2.0 * r)`) then multiply that zero by the local derivative, which is NaN or
infinite where the value was not defined (`r = np.sqrt(v)` of a negative v, guarded by the `if`): 0 * NaN is
NaN, where the derivative is 0 (the function does not read r on that path; a tape never reaches the sqrt).

Adjoint statements are linear in the adjoints they read, so on the path that gives the zero everything computed
from it is zero, and an accumulation `bx_1 = bx + t13` of it is `bx` itself. The statements after the `if` that
read such zeros (and the values only they read) move into the branch that gives the adjoint; the `if` joins what
they made with the zero path's values (`bx_1 = phi(bx_1', bx)`, a zero for the others). A write of an accumulator's
element back into it (`setitem(bt1, k, bt1[k] + t8)`) is no write on the zero path.

Pure: `sink_into_branches` returns a new function, or `fn` itself where no `if` joins an adjoint with zero.
"""
from __future__ import annotations

import copy

from s2s import ir, prims
from s2s.ir.names import Namer
from s2s.ir.walk import count_uses, defined_names, definitions, substitute_block, used_names
from s2s.rules.registry import may_have_effects

ADD_INTO = "s2s.runtime.add_into"


def sink_into_branches(fn: ir.Function) -> ir.Function:
    if not any(type(s) is ir.If and any(_zero_side(p) is not None for p in s.phis) for s in ir.statements(fn.body)):
        return fn
    fn = copy.deepcopy(fn)
    namer = Namer(set(fn.params) | set(defined_names(fn.body)) | used_names(fn.body))
    _sink_block(fn.body, namer, _Uses(fn.body), _adjoints(fn.body))
    return fn


class _Uses:
    """How often each name of the function is read (a loop's phis read its body's values at the back edge):
    counted once, again only after a sink moved statements (not once per `if`, which was quadratic)."""

    def __init__(self, body: list):
        self.body, self.counts = body, None

    def get(self) -> dict:
        if self.counts is None:
            self.counts = {}
            count_uses(self.body, self.counts)
        return self.counts

    def changed(self) -> None:
        self.counts = None


# helpers that only place an adjoint (in an array of zeros, back to an operand's shape): made from 0.0 they give
# the zero of the right shape, and never a product of 0.0 with a NaN derivative
_PLACES = frozenset({f"s2s.runtime.{name}" for name in ("unbroadcast", "getitem_adjoint", "iterated_adjoint",
                                                         "sum_adjoint", "as_float")})
_SUMS = frozenset({"add", ADD_INTO})  # (an accumulation: `a + z` and `rt.add_into(a, z)` are `a` where z is zero)
# operations whose value holds or passes on an operand rather than a product with it: a tuple of a value and a
# zero adjoint is no zero (value_and_grad's `(result, bx)`), nor `np.where(m, z, a)`, `max(z, a)`, a comparison
_HOLDS = frozenset({*prims.PASSES_ON, *prims.COMPAREOPS, *prims.BOOLOPS, "not", *prims.CONTAINER_BUILDERS,
                    *prims.CONTAINER_COPIES, "push", "pop", "callmethod", "call", "getattr"})


def _adjoints(body: list) -> set:
    """The names whose values are adjoints or computed from adjoints (a product of two of them is no zero where
    one is zero and the other not: the rules below need to know which operands are plain values)."""
    out = {d.target for d in definitions(body) if d.adjoint}
    while True:
        n = len(out)
        for s in ir.statements(body):
            if type(s) is ir.Assign and s.target not in out and any(
                    type(a) is ir.Var and a.name in out for a in ir.operands(s)):
                out.add(s.target)
            for p in getattr(s, "phis", ()):
                if p.target not in out and any(type(o) is ir.Var and o.name in out for o in p.operands):
                    out.add(p.target)
        if len(out) == n:
            return out


def _zero_side(p: ir.Phi) -> int | None:
    """The side (0: then, 1: else) on which the adjoint phi `p` is a literal zero, and only there."""
    if not p.adjoint or len(p.operands) != 2:
        return None
    zeros = [type(o) is ir.Const and type(o.value) in (int, float) and o.value == 0 for o in p.operands]
    return zeros.index(True) if zeros.count(True) == 1 else None


def _sink_block(stmts: list, namer: Namer, counts: _Uses, adjoints: set) -> None:
    i = 0
    while i < len(stmts):
        s = stmts[i]
        for block in ir.blocks(s):
            _sink_block(block, namer, counts, adjoints)
        if type(s) is ir.If:
            for side in (0, 1):
                zeros = {p.target for p in s.phis if _zero_side(p) == side}
                if zeros:
                    _sink(stmts, i, side, zeros, namer, counts, adjoints)
        i += 1


def _sink(stmts: list, at: int, side: int, zeros: set, namer: Namer, counts: _Uses, adjoints: set) -> None:
    """Move the statements after `stmts[at]` (an If) that read the adjoints `zeros` (zero on `side`) into its
    other branch, as far as they are linear in them (the module's rules)."""
    s = stmts[at]
    zero = set(zeros)  # names that are zero on the zero side
    kept: dict = {}  # an accumulation's name -> its other operand (its value on the zero side)
    read_back: dict = {}  # `t = buf[k]` -> (buf, k): an accumulator's element read before a write back
    window: list = []
    sums: dict = {}  # an accumulation's name -> its other operand as written
    for t in stmts[at + 1:]:
        reads = ir.operands(t) if type(t) in (ir.Assign, ir.Effect) else None
        if reads is None or type(t.value) is not ir.Call or may_have_effects(t.value.op) and t.value.op != "setitem":
            break
        c = t.value
        names = {a.name for a in reads if type(a) is ir.Var}
        if type(t) is ir.Effect:  # (an accumulator's element written back: setitem(buf, k, buf[k] + z))
            v = c.args[-1] if c.op == "setitem" and len(c.args) == 3 else None
            if v is None or type(v) is not ir.Var or v.name not in sums or \
                    read_back.get(getattr(sums[v.name], "name", None)) != tuple(c.args[:2]):
                break
            window.append(t)
            continue
        if c.op == "setitem" or c.kwargs and any(type(a) is ir.Var and a.name in zero for _, a in c.kwargs):
            break
        hit = names & zero
        if not hit:
            if names & set(kept):
                break  # (a sum read whole: after the join)
            if c.op == "getitem" and len(c.args) == 2:
                read_back[t.target] = tuple(c.args)
            window.append(t)  # (a value the moved statements may read: moved with them if only they do)
            continue
        others = [a for a in c.args if not (type(a) is ir.Var and a.name in zero)]
        if c.op == "sub" and len(others) == 1 and others[0] is c.args[0]:  # (`a - z`: a sum too)
            c = ir.Call("add", c.args)
        if c.op in _HOLDS or c.op == "sub" and others:
            break  # (a display, a join, `z - a`: no zero where z is)
        if c.op in _SUMS and len(c.args) == 2 and len(others) == 1:
            other = others[0]
            if type(other) is ir.Var and other.name in kept:
                kept[t.target] = kept[other.name]  # (a second contribution added: the first sum's value)
            elif type(other) is ir.Var and any(type(w) is ir.Assign and w.target == other.name for w in window):
                break  # (its value on the zero path is made in the window: not there on that path)
            else:
                kept[t.target] = other
            sums[t.target] = other
        elif not any(type(a) is ir.Var and (a.name in adjoints or a.name in kept) for a in others):
            zero.add(t.target)  # (linear in the zeros, the rest plain values: zero)
        else:
            break
        window.append(t)
    # the plain values the window made: moved with the statements that read the zeros where only they read them,
    # computed before the if where others read them too, left where they are where none of those reads them
    uses = counts.get()
    while True:  # a zero read after the window needs its value on the zero path, which 0.0 is not (no array of
        inside: dict = {}  # its shape): one that only places an adjoint (`_PLACES`) is made there from 0.0, and
        count_uses(window, inside)  # the window ends before any other
        late = next((k for k, t in enumerate(window) if type(t) is ir.Assign and t.target in zero and
                     uses.get(t.target, 0) > inside.get(t.target, 0) and t.value.op not in _PLACES), None)
        if late is None:
            break
        window = window[:late]
    moving = [t for t in window if _reads_zero(t, zero, kept)]
    if not moving:
        return
    joined = {p.target: p.operands for p in s.phis}
    placed = _place(window, moving, uses, joined)
    if placed is None:
        return
    hoisted, staying, moved = placed
    if any(type(a) is ir.Var and a.name in {m.target for m in moved if type(m) is ir.Assign}
           for t in staying for a in ir.operands(t)):
        return
    live = s.orelse if side == 0 else s.body
    if live and type(live[-1]) in (ir.Break, ir.Continue, ir.Return):
        return  # (a branch that leaves: nothing after the if runs on it)
    inside: dict = {}
    count_uses(moved, inside)
    renames, flags = {}, {}
    for t in moved:
        if type(t) is ir.Assign and uses.get(t.target, 0) > inside.get(t.target, 0):
            renames[t.target] = namer.fresh("t" if t.temp else t.target)
            flags[t.target] = {"temp": t.temp, "adjoint": t.adjoint, "array": t.array}
    # inside the branch, the if's joins are their values on that path
    if any(joined[n][1 - side] is None or joined[n][side] is None for n in
           {a.name for t in moved for a in ir.operands(t) if type(a) is ir.Var} & set(joined)):
        return
    moved = copy.deepcopy(moved)
    for t in moved:
        if type(t) is ir.Assign and t.target in renames:
            t.target = renames[t.target]
    substitute_block(moved, {**{n: ops[1 - side] for n, ops in joined.items()},
                             **{old: ir.Var(new) for old, new in renames.items()}})
    zero_path = s.body if side == 0 else s.orelse
    if zero_path and type(zero_path[-1]) in (ir.Break, ir.Continue, ir.Return):
        return
    live.extend(moved)
    on_zero_path: dict = {n: ops[side] for n, ops in joined.items()}  # a name -> its value on the zero path
    for t in window:
        if type(t) is ir.Assign and t.target in zero:
            on_zero_path[t.target] = ir.Const(0.0)
            if t.target in renames:  # (an adjoint placed, read after the if: placed from 0.0 on the zero path)
                twin = ir.Assign(namer.fresh("t" if t.temp else t.target), t.value, t.loc, temp=t.temp,
                                 adjoint=t.adjoint)
                substitute_block([twin], dict(on_zero_path))
                zero_path.append(twin)
                on_zero_path[t.target] = ir.Var(twin.target)
    for old, new in renames.items():
        other = on_zero_path[old] if old in zero else kept[old]
        if type(other) is ir.Var and other.name in joined:
            other = joined[other.name][side]  # (`bx` of the if itself: its value on the zero path)
        operands = [ir.Var(new), other] if side == 1 else [other, ir.Var(new)]
        s.phis.append(ir.Phi(old, operands, **flags[old]))
    stmts[at:at + 1 + len(window)] = hoisted + [s] + staying
    counts.changed()


def _place(window: list, moving: list, uses: dict, joined: dict) -> tuple | None:
    """The window's statements as (hoisted before the if, staying after it, moved into the live branch): those
    that read the zeros move, with the values only moved statements read (`t4 = 1.0 - t3` and `t3 = t1 ** 2`
    where only the moved read t4: found from the last statement back, a value before the statements reading
    it); a value they read that is read after the window too is computed before the if, with the values it reads.
    None where a value computed before the if reads the if's joins or a moved value."""
    wanted: dict = {}  # a name -> how often moved statements read it
    before: set = set()  # names hoisted statements read
    hoisted, staying, moved = [], [], []
    for t in reversed(window):
        target = t.target if type(t) is ir.Assign else None
        if t in moving:
            if target in before:
                return None
            where = moved
        elif target in before:
            where = hoisted
        elif not wanted.get(target):
            where = staying
        elif uses.get(target, 0) == wanted[target]:
            where = moved
        else:
            where = hoisted
        if where is hoisted and any(type(a) is ir.Var and a.name in joined for a in ir.operands(t)):
            return None  # (read after the window too, and made from the if's joins: left as it is)
        where.append(t)
        if where is moved:
            count_uses([t], wanted)
        elif where is hoisted:
            before.update(a.name for a in ir.operands(t) if type(a) is ir.Var)
    return hoisted[::-1], staying[::-1], moved[::-1]


def _reads_zero(t, zero: set, kept: dict) -> bool:
    return any(type(a) is ir.Var and a.name in zero for a in ir.operands(t)) or \
        type(t) is ir.Assign and (t.target in zero or t.target in kept)
