"""Which temporaries codegen folds into the expression that uses them, and `a and b` / `a or b` rebuilt.

Used by `codegen.py` while it writes a block: `short_circuits` turns the conditionals SSA made of
`a and b` back into one expression, and `plan_inlining` chooses the temporaries used once that
move into their use. Both fill the map `inline` (name -> the call its use spells in its place);
neither writes any Python.
"""
from __future__ import annotations

import copy

from s2s import ir
from s2s.ir.walk import defined_names, vars_of
from s2s.prims import CONTAINER_COPIES, MAY_SHARE_MEMORY as VIEWS  # (list(xs) holds xs's items, an array's rows)
from s2s.rules.registry import may_have_effects

# runtime helpers that change their first argument in place (reads of it must not move past them)
IN_PLACE = {"s2s.runtime.zero_at", "s2s.runtime.add_at", "s2s.runtime.batch_setitem_into", "s2s.runtime.popped_adjoint",
            "s2s.runtime.added_at_part", "s2s.runtime.pushed_part"}
# of those, the ones left a statement of their own (a list adjoint cut back or grown in place, then added into part
# by part)
OWN_LINE = ("s2s.runtime.popped_adjoint", "s2s.runtime.added_at_part", "s2s.runtime.pushed_part")


# ----- `a and b`, `a or b` (SSA made them conditionals, so that b runs only when needed)
def short_circuits(stmts: list, fn: ir.Function, uses: dict, inline: dict) -> list:
    """`if a: r = <b> else: r = a` back to `r = a and <b>` (and `r = a or <b>`), where every
    statement computing b folds into its expression: the same evaluation, b still lazy."""
    out = []
    changed = False
    for s in stmts:
        new = s
        if isinstance(s, ir.If):
            new = _short_circuit(s, fn, uses, inline)
            if new is None:
                body, orelse = short_circuits(s.body, fn, uses, inline), short_circuits(s.orelse, fn, uses, inline)
                new = s if body is s.body and orelse is s.orelse else ir.If(s.test, body, orelse, s.phis, s.loc)
        elif isinstance(s, ir.Loop):
            header, body = short_circuits(s.header, fn, uses, inline), short_circuits(s.body, fn, uses, inline)
            if header is not s.header or body is not s.body:
                new = copy.copy(s)
                new.header, new.body = header, body
        changed = changed or new is not s
        out.append(new)
    return out if changed else stmts


def _short_circuit(s: ir.If, fn: ir.Function, uses: dict, inline: dict):
    if len(s.phis) != 1 or not isinstance(s.test, ir.Var):
        return None
    target, (then, other) = s.phis[0].target, s.phis[0].operands
    if other == s.test and not s.orelse and target != s.test.name:
        op, lazy, value = "and", s.body, then
    elif then == s.test and not s.body and target != s.test.name:
        op, lazy, value = "or", s.orelse, other
    else:
        return None
    if not all(isinstance(t, ir.Assign) for t in lazy):
        return None
    for k, t in enumerate(lazy):
        last = k == len(lazy) - 1
        if not (isinstance(t, ir.Assign) and isinstance(t.value, ir.Call) and line_of(t) == line_of(s)
                and t.value.op not in ("pop", "push", "list", "setitem") and t.value.op not in IN_PLACE):
            return None
        if last:
            if value != ir.Var(t.target) or not (t.target == target or
                                                 ((t.temp or t.adjoint) and uses.get(t.target) == 1)):
                return None
        elif not (t.temp or t.adjoint) or uses.get(t.target) != 1 \
                or t.target not in {n for u in lazy[k + 1:] for n in vars_of(u.value)}:
            return None
    for t in lazy:
        inline[t.target] = t.value
    if lazy and lazy[-1].target == target:  # b was computed into the result's own name
        value = ir.Var(f"{target} {op}")  # (a key no Python name can equal)
        inline[value.name] = inline.pop(target)
    phi = s.phis[0]
    return ir.Assign(target, ir.Call(op, (s.test, value)), s.loc, temp=phi.temp, adjoint=phi.adjoint, array=phi.array)


# ----- folding temporaries into their use
# the most calls an expression nests: a longer chain (a sum of a thousand terms, from a thousand straight-line
# statements) is written as statements of at most this many, which Python compiles and a person can read
MAX_DEPTH = 32


def plan_inlining(stmts: list, tail_reads: list, fn: ir.Function, uses: dict, views: tuple, inline: dict,
                  in_loop: bool) -> None:
    """A temporary used once, later in the same block and not inside a nested loop, is folded there
    (not across user functions: a helper's lines stay apart, so errors point into the helper), while the
    expression it is folded into nests at most `MAX_DEPTH` calls.

    `views` is what `views(fn.body)` found (what shares memory, what a container may hold); `in_loop` says the
    block is in a loop body, where the adjoints the reverse pass made (`Assign.adjoint`) fold too. The chosen
    temporaries are added to `inline`."""
    pending: dict[str, ir.Call] = {}
    lines: dict[str, object] = {}
    # a name -> the temporaries (with their calls) whose value reads it or something sharing memory with it;
    # a write of the name drops those still pending (what a call reads is fixed once it is pending: its operands
    # were settled by its own statement). A temporary folded into another is watched for it: `into` leads from
    # the one to the other, so that a chain of folded temporaries (a sum of many terms) costs one entry per read,
    # not every name read so far again for each term
    watchers: dict[str, list] = {}
    # an array a container the temporary reads may hold (d['z'] = z, then list(d.values())[0]) -> the temporaries:
    # an in-place write of the array drops them (a new value bound to its name does not change the container)
    holders: dict[str, list] = {}
    shared, held = views
    into: dict[str, tuple] = {}  # temporary folded into an assignment -> (its target, its call)
    watched: dict[str, ir.Call] = {}  # temporary -> the call it is watched with
    depth: dict[str, int] = {}  # temporary -> how many folded calls its expression nests
    drawing: set = set()  # temporaries whose expression holds a call that may have effects (a draw): not moved
    for s in stmts:       # past another such call
        here = line_of(s)
        reads = _top_level_reads(s) + (_phi_init_reads(s) if isinstance(s, ir.Loop) else [])
        for name in reads:
            if name in pending:
                header = isinstance(s, ir.Loop) and isinstance(s.iter, ir.Var) and s.iter.name == name
                if (lines[name] is None or here is None or lines[name] == here or header) \
                        and depth[name] < MAX_DEPTH:
                    inline[name] = pending.pop(name)
                    if isinstance(s, ir.Assign):
                        into[name] = (s.target, s.value)
                else:
                    del pending[name]
        if isinstance(s, ir.If):
            for name in _tail_reads(s):
                pending.pop(name, None)
        # after phi coalescing a name may be reassigned: what reads it can no longer move past
        names, changed = _writes(s, shared, held)  # (a view of a written array changes with it)
        for written in names:
            _drop(watchers.get(written, ()), pending, inline, into)
        for written in changed:  # (and a container holding it, what read it out of one)
            _drop(watchers.get(written, ()), pending, inline, into)
            _drop(holders.get(written, ()), pending, inline, into)
        if drawing and _has_effects(s):
            for name in [n for n in pending if n in drawing]:
                del pending[name]
        foldable = s.temp or (in_loop and s.adjoint) \
            if isinstance(s, ir.Assign) else False  # (in a loop body every statement counts: fold adjoints too)
        if (foldable and isinstance(s.value, ir.Call)
                and uses.get(s.target, 0) == 1 and s.value.op not in ("pop", "list", "setitem") + OWN_LINE):
            pending[s.target] = s.value
            lines[s.target] = here
            depth[s.target] = 1 + max((depth.get(r, 0) for r in vars_of(s.value) if r in inline), default=0)
            watched[s.target] = s.value
            if may_have_effects(s.value.op) or any(r in drawing and r in inline for r in vars_of(s.value)):
                drawing.add(s.target)
            for r in _reads_of(s.value, inline, pending, into, watched, s.target):
                near = shared.get(r, set())
                for name in (r, *near):
                    watchers.setdefault(name, []).append((s.target, s.value))
                for name in held.get(r, set()) - near - {r}:
                    holders.setdefault(name, []).append((s.target, s.value))
    for name in tail_reads:
        if name in pending and depth[name] < MAX_DEPTH:
            inline[name] = pending.pop(name)


def _drop(watching, pending: dict, inline: dict, into: dict) -> None:
    """A write changes what the temporaries `watching` read: those still pending (or pending through the
    temporary they are folded into) stay where they are."""
    for name, call in watching:
        for _ in range(len(into)):  # (to the temporary it is folded into, and on)
            if inline.get(name) is not call or name not in into:
                break
            name, call = into[name]
        if pending.get(name) is call:
            del pending[name]


def _has_effects(s) -> bool:
    """Does `s` (or a statement nested in it) call something that may have effects (`registry.may_have_effects`)?"""
    return any(type(t) in (ir.Assign, ir.Effect) and type(t.value) is ir.Call and may_have_effects(t.value.op)
               for t in ir.statements([s]))


def _reads_of(call: ir.Call, inline: dict, pending: dict, into: dict = None, watched: dict = None,
              target: str = None) -> set:
    """Every name `call` reads, through the temporaries folded (or to be folded) into it, except what a
    temporary folded into `target` here reads: that one is watched already, and leads to `target`."""
    out = set()
    for n in vars_of(call):
        out.add(n)
        inner = inline.get(n) or pending.get(n)
        if inner is not None and not (watched is not None and watched.get(n) is inner and inline.get(n) is inner
                                      and into.get(n, (None,))[0] == target):
            out |= _reads_of(inner, inline, pending)
    return out


def _top_level_reads(s) -> list[str]:
    """Names a statement reads outside its nested blocks (where a folded temporary may go)."""
    if isinstance(s, (ir.Assign, ir.Effect)):
        return vars_of(s.value)
    if isinstance(s, ir.Return):
        return vars_of(s.value)
    if isinstance(s, ir.If):
        return vars_of(s.test)
    if isinstance(s, ir.Loop) and s.kind == "for":
        return vars_of(s.iter)
    return []


def _writes(s, views: dict, held: dict) -> tuple[list, list]:
    """The names `s` assigns, and the arrays it writes elements of with every name sharing their memory (a
    write through `y_2`, a join that is `y`, changes `t1 = y[:-1]`: code s2s generated writes a view's array
    back through such a join before reading the view); then the names whose objects an in-place write may
    change beyond those: what the written object may hold or have been read out of (`held`)."""
    base = None
    if isinstance(s, (ir.Assign, ir.Effect)) and isinstance(s.value, ir.Call) and s.value.op == "setitem":
        base = s.value.args[0]  # (an element write changes the array)
        names = [base.name, *views.get(base.name, ())] if isinstance(base, ir.Var) else []
    elif isinstance(s, ir.Assign):
        if isinstance(s.value, ir.Call) and (s.value.op in IN_PLACE or s.inplace) and s.value.args and \
                isinstance(s.value.args[0], ir.Var):
            base = s.value.args[0]  # (the helper changes its first argument; `y += v` y, where y is an array)
            return [s.target, base.name, *views.get(base.name, ())], [base.name, *held.get(base.name, ())]
        return [s.target], []
    elif isinstance(s, (ir.If, ir.Loop)):
        inner = s.body + (s.orelse if isinstance(s, ir.If) else s.header)
        names, changed = defined_names([s]), []
        for t in inner:
            more, also = _writes(t, views, held)
            names += more
            changed += also
        return names, changed
    else:
        return [], []
    return names, [base.name, *held.get(base.name, ())] if isinstance(base, ir.Var) else []


def views(stmts: list) -> tuple[dict, dict]:
    """name -> every name it may share memory with (through view operations, transitively); and name -> every
    name whose object it may share memory with or hold, or have been read out of (a dict, a list, a stack an
    array was put into: `d['z'] = z`, `push(stack, z)`, and what reads them: `list(d.values())[0]`)."""
    held: dict = {}
    size = -1  # (repeated until nothing grows: in a loop, a container may be read before the write that puts
    while size != sum(map(len, held.values())):  # an array into it for the next iteration)
        size = sum(map(len, held.values()))
        _held(stmts, held)
    return _views(stmts), held


def _views(stmts: list, out: dict | None = None) -> dict:
    out = {} if out is None else out
    for s in stmts:
        if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) and (s.value.op in VIEWS or
                                                                       s.value.op in CONTAINER_COPIES):
            shared = set()
            for n in vars_of(s.value):
                shared |= {n} | out.get(n, set())
            out[s.target] = shared
        elif isinstance(s, ir.If):
            _views(s.body, out)
            _views(s.orelse, out)
            _phi_views(s.phis, out)
        elif isinstance(s, ir.Loop):
            _phi_views(s.phis, out)
            _views(s.header, out)
            _views(s.body, out)
            _phi_views(s.phis, out)
            _jump_views(s.body, out)
    return out


def _held(stmts: list, out: dict) -> None:
    """One pass of `views`' second map: grows `out` only (names only gather)."""
    for s in stmts:
        value = s.value if type(s) in (ir.Assign, ir.Effect) and type(s.value) is ir.Call else None
        if value is None or not value.args:
            pass
        elif type(s) is ir.Assign and (value.op in VIEWS or value.op in CONTAINER_COPIES or
                                       value.op in ("pop", "setitem")):
            _hold(out, s.target, vars_of(value))  # (a view, a container made of its operands, a stack's item)
        elif type(s) is ir.Assign and (value.op in IN_PLACE or s.inplace) and type(value.args[0]) is ir.Var:
            _hold(out, s.target, [value.args[0].name])  # (the helper gives back its first argument, changed; y += v)
        elif type(s) is ir.Effect and type(value.args[0]) is ir.Var:  # (d[k] = z, push(stack, z): it holds z)
            _hold(out, value.args[0].name, vars_of(value)[1:])
        if isinstance(s, (ir.If, ir.Loop)):
            for block in ir.blocks(s):
                _held(block, out)
            for p in s.phis:
                _hold(out, p.target, [o.name for o in p.operands if isinstance(o, ir.Var)])
        elif isinstance(s, (ir.Break, ir.Continue)):
            for target, value in s.values.items():
                if isinstance(value, ir.Var):
                    _hold(out, target, [value.name])


def _hold(out: dict, target: str, names) -> None:
    mine = out.setdefault(target, set())
    for n in names:
        if n != target:
            mine |= {n} | out.get(n, set())
    mine.discard(target)


def _jump_views(stmts: list, out: dict) -> None:
    """A loop's phi is also what a break or a continue of this loop gives it (`y_1 = y_2; break`): the same
    object, which a write through `y_2` (the reverse sweep's restores) changes."""
    for s in stmts:
        if isinstance(s, (ir.Break, ir.Continue)):
            for target, value in s.values.items():
                if isinstance(value, ir.Var):
                    out[target] = out.get(target, set()) | {value.name} | out.get(value.name, set())
        elif isinstance(s, ir.If):
            _jump_views(s.body, out)
            _jump_views(s.orelse, out)


def _phi_views(phis: list, out: dict) -> None:
    """A phi is one of its operands: the same object (`y_2 = y` after an element write into y)."""
    for p in phis:
        shared = out.get(p.target, set())
        for o in p.operands:
            if isinstance(o, ir.Var):
                shared |= {o.name} | out.get(o.name, set())
        out[p.target] = shared


def line_of(s):
    """(file, function) of the user code a statement came from, or None."""
    loc = getattr(s, "loc", None)
    return None if loc is None else (loc.file, loc.scope)


def _phi_init_reads(s: ir.Loop) -> list[str]:
    return [o.name for p in s.phis for o in p.operands[:1] if isinstance(o, ir.Var)]


def _tail_reads(s: ir.If) -> list[str]:
    return [o.name for p in s.phis for o in p.operands if isinstance(o, ir.Var)]
