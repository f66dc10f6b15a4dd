"""A dict a loop carries, written by key (`tally['neg'] = v`, `for k in params: params[k] = params[k] - lr * g[k]`,
`sums[k] = sums.get(k, 0.0) + q`).

The generated code writes the one dict in place, as Python does: the reverse sweep
writes back what each write replaced (`rt.saved_key`, ad/writes.py). That is the
value Python computes where nothing but the dict's names hold it (alias_loops.py
takes it for an object of the function's own, whose versions the loops carry,
loops inside loops too, and another name's read the newest one). Where a
container or a call holds the dict itself (`snaps.append(d)`, `f(d)`), that
holder shows the later iterations' writes, which s2s, following values, would
not: the alias stage refuses the write (containers.py `_key_write`). A display
read only at constant positions (`kept = [d]` then `kept[0]['a']`) holds nothing
s2s reads: SSA reads d itself there, at its newest version.
"""
from __future__ import annotations

from s2s import ir, prims
from s2s.ir.walk import count_uses

# the uses of a dict that read its items (or copy them: dict(d), d.copy(), copy.deepcopy(d)), never keeping the
# dict itself
ITEM_READS = frozenset({"getitem", "s2s.runtime.dict_get", "s2s.runtime.dict_keys", "s2s.runtime.dict_values",
                        "s2s.runtime.dict_items", "builtins.len", prims.ITERATED, "s2s.runtime.dict_from_pairs",
                        prims.COPY_METHOD, "s2s.runtime.deep_copy"})
# the generated helpers of an inner gradient (`grads = s2s.grad(loss)(params)` inlined) given the dict at this
# position for its keys, shapes and dtypes alone: they give a new adjoint dict, or the adjoint, never the dict itself
STRUCTURE_READS = {"s2s.runtime.getitem_adjoint": 1, "s2s.runtime.add_at": 2, "s2s.runtime.settled_like": 1,
                   "s2s.runtime.narrowed_like": 1, "s2s.runtime.unbroadcast": 1, "s2s.runtime.given_back": 1}


_DISPLAYS = frozenset({"list", "tuple", "s2s.runtime.dict_of"})  # ([d], (d, 3.0), {'d': d})
# list(d), tuple(d) of a dict: its keys, read as the call runs; sum(d), max(d), min(d): a number, a key
_KEY_READS = frozenset({"builtins.list", "builtins.tuple", "builtins.sum", "s2s.runtime.largest",
                        "s2s.runtime.smallest"})


def versions(body: list, name: str) -> tuple[set, list, list]:
    """(the versions of the dict `name` is one of: the names joined with it by a phi of a loop or an if, or made
    from it by a key write; the calls among their definitions that are not such a write: what made the dict; the
    statements (an if, a loop) whose phi joins a version with a value no dict made, `d if c else [...]`: a name
    that may hold the dict)."""
    links: dict = {}
    made: dict = {}
    phis = []
    for s in ir.statements(body):
        if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call):
            made[s.target] = s.value
            if s.value.op == "setitem" and isinstance(s.value.args[0], ir.Var):
                links.setdefault(s.target, set()).add(s.value.args[0].name)
                links.setdefault(s.value.args[0].name, set()).add(s.target)
        phis += [(p, s) for p in getattr(s, "phis", ())]
    foreign = []
    for p, s in phis:
        names = [o.name for o in p.operands if isinstance(o, ir.Var)]
        if any(n in made and made[n].op != "setitem" and made[n].op not in prims.DICT_MAKERS for n in names):
            foreign.append((names, s))  # (a join of a dict and a list: it may hold the dict, not a version of it)
            continue
        for n in names:
            links.setdefault(p.target, set()).add(n)
            links.setdefault(n, set()).add(p.target)
    family, todo = set(), [name]
    while todo:
        n = todo.pop()
        if n not in family:
            family.add(n)
            todo += links.get(n, ())
    makers = [made[n] for n in sorted(family) if n in made and made[n].op != "setitem"]
    return family, makers, [s for names, s in foreign if family & set(names)]


def holder(body: list, family: set):
    """The first statement that keeps one of the dict's versions `family` itself (stores it, passes it to a call,
    prints it), not reading its items or returning it; None where there is none. Not a list, tuple or dict display
    nothing reads (`kept = [d]`, its reads kept[0] read d itself in SSA: the dict's own name, whose newest version
    the alias stage reads), but one grown or read as a whole (`kept.append(v)`, `return kept`)."""
    uses: dict = {}
    count_uses(body, uses)
    for s in ir.statements(body):
        value = s.value if isinstance(s, (ir.Assign, ir.Effect)) else None
        if isinstance(value, ir.Var) and value.name in family and isinstance(s, ir.Assign):
            return s  # (another name bound to it)
        if not isinstance(value, ir.Call) or value.op in _DISPLAYS and not uses.get(s.target):
            continue
        args = list(value.args) + [v for _, v in value.kwargs]
        kept = [a for a in args if isinstance(a, ir.Var) and a.name in family]
        if not kept:
            continue
        if value.op == "setitem" and value.args[0] in kept and value.args[-1] not in kept and \
                kept.count(value.args[0]) == 1:
            continue
        if value.op in ITEM_READS and value.args and value.args[0] in kept and len(kept) == 1:
            continue
        if value.op in _KEY_READS and len(value.args) == 1 and not value.kwargs and kept == [value.args[0]]:
            continue  # (sorted(d), list(d): a new list of the keys it has now; the dict is not kept)
        if value.op in ("in", "notin") and kept == [value.args[-1]]:  # (`k in sums`)
            continue
        at = STRUCTURE_READS.get(value.op)
        if at is not None and len(value.args) > at and kept == [value.args[at]]:
            continue
        return s
    return None


def user_line(loc) -> int:
    """The line of the user's file that `loc` is at or comes from: at a line of generated code inlined in the
    function (an inner `s2s.grad(loss)(params)`'s gradient), the user's line that called it (`loc.calls`, innermost
    first), not the generated code's own."""
    if not (loc.file or "").startswith("<"):
        return loc.line
    return next((line for file, line, *_ in loc.calls or () if not file.startswith("<")), loc.line)
