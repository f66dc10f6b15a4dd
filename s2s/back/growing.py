"""Lists grown in place: `ys.append(h)` of the function stays an append where nothing can see the difference.

SSA gives each append of the function a new list, `ys_1 = rt.appended(ys_1, h)`, rendered `ys_1 = ys_1 + [h]`:
a copy of the whole list per append, O(n^2) over a loop of n appends. The copy matters only where another
reference to the old list is read after the append: a name the list was copied to, a stack the sweep saved it
on, a container, an iterator or a call that may keep it. Where a list is

- made by the function itself (a display `[]`, `list(...)`), reached through no name but the one it grows
  under (copied into it once, in the block that made it, and read there before only by calls that keep no
  reference to it), and
- read only by such calls (not a display, a push, an iterator, a call s2s cannot see into:
  prims.MAY_SHARE_MEMORY), by its own appends and by its loops' phis,

extending it in place is the same program: `ys_1 += [h]`, the list made under the name it grows under
(`ys_1 = []`, not `ys = []` and a copy `ys_1 = ys`). That is also how the code reads when it is differentiated
again (a Hessian transforms the gradient's code): a list the function made, extended in place where no other
name holds it (front/lists.py) -- where `.append` in generated code is a stack's push. So it is where every
append is in one stretch of a block that starts with a new list and reads it only so (`_grown_in_one_stretch`):
outside the stretch the list is not changed, whatever keeps it (a trajectory grown in a loop inside another,
saved for the reverse sweep after that loop: the loop around makes a new one each time).

The adjoint of such a list stacked or summed at the end, `rt.stack_adjoint(g, ys)`, is cut back one part per append in
the reversed loop (`b = rt.appended_adjoint(b)`, a copy of a list's parts but the last): where nothing else
reads it, it stays one array (`rt.stack_adjoint_rows`), whose `b[:-1]` is a view.

Pure: `grow_in_place` returns a new function (or `fn` itself where nothing qualifies). It runs after leaving
SSA (back/outofssa.py), where an append's list and its result have one name.
"""
from __future__ import annotations

import copy

from s2s import ir, prims
from s2s.ir.walk import count_uses, defined_names, substitute_block, used_names, with_blocks

APPENDED = prims.APPENDED
# a list's adjoint made whole (by np.stack's rule, np.asarray's, which an elementwise function of the list reads it
# by, or the builtin sum's) -> that adjoint as one array whose rows are the parts
_ROWS = {"s2s.runtime.stack_adjoint": "s2s.runtime.stack_adjoint_rows",
         "s2s.runtime.array_adjoint": "s2s.runtime.stack_adjoint_rows",
         "s2s.runtime.sum_builtin_adjoint": "s2s.runtime.sum_adjoint_rows"}
CUT = "s2s.runtime.appended_adjoint"  # (a list adjoint's parts but the last)
_CUTS = frozenset({CUT, "s2s.runtime.appended_item_adjoint"})
# the same cut back in place by the reversed loop that owns it (ad/grown_lists.py): the list adjoint, their first
# argument, reaches their result
_IN_PLACE = frozenset({f"s2s.runtime.{name}" for name in ("owned_adjoint", "popped_adjoint", "added_at_part")})
_LIBRARIES = ("numpy.", "math.", "builtins.")
_MADE = frozenset({"list", "builtins.list"})  # calls that make a new list (a display, a copy)
# the runtime's helpers that read a list and keep no reference to it (not rt.shape_of, which gives a list itself)
_READERS = frozenset({f"s2s.runtime.{name}" for name in (
    "stack_adjoint", "zeros_like", "appended_tangent", "getitem_adjoint", "sum_builtin_adjoint", "started_sum_adjoint",
    "require_scalar", "array_adjoint", "owned_adjoint", "accumulator", "appended_tangent_new")})


def grow_in_place(fn: ir.Function, closure: bool = False) -> ir.Function:
    """`fn` with each `xs = rt.appended(xs, v)` of a list no other reference sees extended in place, `xs += [v]`
    (for a vjp's `closure`, in its forward sweep only: its pullback, which may run many times, changes nothing it
    reads), and the adjoint of a stacked list only cut back by its appends' adjoints kept as one array (`_rows`)."""
    end = next(i for i, s in enumerate(fn.body) if type(s) is ir.Effect and s.value.op == prims.ADJOINT_BEGINS) \
        if closure else None
    fn = _one_name(fn)
    rows = _rows(fn)
    grown: dict = {}  # a list grown in place -> the names of the new lists copied into it
    candidates = {s.target for s in ir.statements(fn.body[:end]) if _grows(s)}
    if candidates:
        uses: dict = {}
        count_uses(fn.body, uses)
        for x in candidates:
            feeders = _unshared(fn, x, uses)
            if feeders is None:
                feeders = _grown_in_one_stretch(fn, x, uses)
            if feeders is not None:
                grown[x] = feeders
    if not grown and not rows:
        return fn
    fn = copy.copy(fn)
    body = copy.deepcopy(fn.body)
    for x, feeders in grown.items():
        for y in feeders:
            _made_under(body, x, y)
    fn.body = _rewrite(body[:end], set(grown), rows) + _rewrite(body[len(body[:end]):], set(), rows)
    return fn


def _one_name(fn: ir.Function) -> ir.Function:
    """`fn` with appends of an iteration in a row, `ys_2 = rt.appended(ys_1, v)` ... `ys_1 = rt.appended(ys_2, w)`,
    under one name (`ys_1 = rt.appended(ys_1, v)`), which the module's rules may then grow in place: where `ys_2`
    is made in the block of the second append only and read only up to it, and between them `ys_1` is neither
    read nor bound and nothing jumps out (the list ys_1 held is read by nothing after the first append)."""
    if not any(type(t) is ir.Assign and type(t.value) is ir.Call and t.value.op == APPENDED and not _grows(t)
               for t in ir.statements(fn.body)):
        return fn
    fn = copy.copy(fn)
    fn.body = copy.deepcopy(fn.body)
    changed = True
    while changed:
        changed = False
        uses: dict = {}
        count_uses(fn.body, uses)
        defined: dict = {}
        for n in defined_names(fn.body):
            defined[n] = defined.get(n, 0) + 1
        for block, s in reversed(list(with_blocks(fn.body))):  # (the last append of a row first)
            c = s.value if type(s) is ir.Assign else None
            if not (type(c) is ir.Call and c.op == APPENDED and type(c.args[0]) is ir.Var and
                    c.args[0].name != s.target and c.args[0] not in c.args[1:] and not c.kwargs):
                continue
            x, y, m = s.target, c.args[0].name, next(i for i, t in enumerate(block) if t is s)
            k = next((i for i in range(m) if type(block[i]) is ir.Assign and block[i].target == y), None)
            if k is None or y in fn.params or defined.get(y) != 1 or type(block[k].value) is not ir.Call or \
                    block[k].value.op != APPENDED:
                continue
            between, inside = block[k + 1:m], {}
            count_uses(block[k + 1:m + 1], inside)
            if inside.get(y) == uses.get(y) and x not in used_names(between) and \
                    x not in defined_names(between) and \
                    not any(type(t) in (ir.Break, ir.Continue, ir.Return) for t in ir.statements(between)):
                block[k].target = x
                substitute_block(block[k + 1:m + 1], {y: ir.Var(x)})
                changed = True
                break
    return fn


def _grows(s) -> bool:
    """`xs = rt.appended(xs, v)`: an append whose list and result have one name."""
    return type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op == APPENDED and \
        s.value.args[0] == ir.Var(s.target)


def _rewrite(stmts: list, grown: set, rows: set) -> list:
    out = []
    for s in stmts:
        if _grows(s) and s.target in grown:
            out.append(ir.Effect(ir.Call(prims.GROW, s.value.args), s.loc))
            continue
        if type(s) is ir.Assign and s.target in rows and type(s.value) is ir.Call and s.value.op in _ROWS:
            s.value = ir.Call(_ROWS[s.value.op], s.value.args)
        elif type(s) is ir.If:
            s.body, s.orelse = _rewrite(s.body, grown, rows), _rewrite(s.orelse, grown, rows)
        elif type(s) is ir.Loop:
            s.header, s.body = _rewrite(s.header, grown, rows), _rewrite(s.body, grown, rows)
        out.append(s)
    return out


def _made_under(body: list, x: str, y: str) -> None:
    """Make the new list `y` under the name `x` it is copied into (`x = []`, not `y = []` then `x = y`), in
    place in `body` (a copy): the copy is dropped, and the reads before it read `x`."""
    block, s = next((b, t) for b, t in with_blocks(body) if type(t) is ir.Assign and t.target == y)
    at = block.index(s)
    copy_at = next(i for i in range(at + 1, len(block)) if _copies(block[i], y))
    s.target = x
    substitute_block(block[at + 1:copy_at + 1], {y: ir.Var(x)})
    if type(block[copy_at]) is ir.Assign:  # (`x = x`)
        del block[copy_at]


def _rows(fn: ir.Function) -> set:
    """The names given `rt.stack_adjoint(g, ys)`, `rt.array_adjoint(g, ys)` or `rt.sum_builtin_adjoint(g, ys)` (a
    stacked, converted or summed list's adjoint) whose value reaches nothing but the adjoints of the appends that
    grew the list, `rt.appended_item_adjoint(b)` and `b = rt.appended_adjoint(b)` (through phis and jumps): an
    array's rows serve them as well as a list of them, and `b[:-1]` of the array is a view, of a list a copy
    (O(n^2) over a reversed loop of n appends)."""
    starts = {s.target for s in ir.statements(fn.body) if type(s) is ir.Assign and type(s.value) is ir.Call and
              s.value.op in _ROWS and len(s.value.args) == 2 and not s.value.kwargs}
    if not starts:
        return set()
    flows: dict = {}  # name -> the names its value reaches (None: a read of another kind)
    for s in ir.statements(fn.body):
        cls = type(s)
        if cls is ir.Assign or cls is ir.Effect:
            c = s.value
            for name in [a.name for a in ir.operands(s) if type(a) is ir.Var]:
                cut = type(c) is ir.Call and c.op in _CUTS and c.args == (ir.Var(name),) and not c.kwargs
                if type(c) is ir.Call and c.op in _IN_PLACE and c.args[0] == ir.Var(name) and \
                        ir.Var(name) not in c.args[1:] and cls is ir.Assign:
                    flows.setdefault(name, set()).add(s.target)
                elif not cut:
                    flows.setdefault(name, set()).add(None)
                elif c.op == CUT:  # (the item's adjoint reaches nothing further of the list's)
                    flows.setdefault(name, set()).add(s.target if cls is ir.Assign else None)
        elif cls is ir.Break or cls is ir.Continue:
            for target, a in s.values.items():
                if type(a) is ir.Var:
                    flows.setdefault(a.name, set()).add(target)
        elif cls is ir.If or cls is ir.Loop:
            for a in (s.test,) if cls is ir.If else (s.iter, s.test):
                if type(a) is ir.Var:
                    flows.setdefault(a.name, set()).add(None)
            for p in s.phis:
                for a in p.operands:
                    if type(a) is ir.Var:
                        flows.setdefault(a.name, set()).add(p.target)
        elif cls is ir.Return and type(s.value) is ir.Var:
            flows.setdefault(s.value.name, set()).add(None)
    return {start for start in starts if _reaches_only_cuts(start, flows)}


def _reaches_only_cuts(start: str, flows: dict) -> bool:
    """Does the value of `start` reach only names in `flows` (never a read of another kind, None)?"""
    seen, todo = {start}, [start]
    while todo:
        reached = flows.get(todo.pop(), frozenset())
        if None in reached:
            return False
        todo.extend(reached - seen)
        seen |= reached
    return True


def _unshared(fn: ir.Function, x: str, uses: dict) -> list | None:
    """The names of the new lists copied into `x` where the list `x` grows is the function's own and no reference
    but `x` reads it (the module's rules); else None."""
    if x in fn.params:
        return None
    feeders: dict = {}  # a name copied into x (a phi's operand, `x = y`) -> how often
    for _, s in with_blocks(fn.body):
        if type(s) is ir.Assign and s.target == x:
            v = s.value
            if type(v) is ir.Var:
                feeders[v.name] = feeders.get(v.name, 0) + 1
            elif not (_grows(s) or _made(v)):
                return None
        elif x in _defined_otherwise(s):
            if any(p.target == x for p in getattr(s, "phis", ())):
                for o in next(p for p in s.phis if p.target == x).operands:
                    if type(o) is ir.Var and o.name != x:
                        feeders[o.name] = feeders.get(o.name, 0) + 1
            else:  # (a loop's target, a restored name)
                return None
        if not _reads_allowed(s, x):
            return None
    return list(feeders) if all(n == 1 and _fresh(fn, x, y, uses) for y, n in feeders.items()) else None


def _grown_in_one_stretch(fn: ir.Function, x: str, uses: dict) -> list | None:
    """[y] where every append to `x` is in one stretch of a block that starts with a new list `y` (made there, read
    only by the copy) copied into x, and in which x is read only by calls that keep no reference to it and bound
    only by its appends and that copy; else None. Outside the stretch x may be saved, restored, read in any way:
    the list it holds is not changed there (a trajectory grown in a loop inside another, saved for the reverse
    sweep after it: the loop around makes a new one each time)."""
    if x in fn.params:
        return None
    grows = sum(1 for t in ir.statements(fn.body) if _grows(t) and t.target == x)
    for block, s in with_blocks(fn.body):
        if not (type(s) is ir.Assign and _made(s.value) and uses.get(s.target) == 1 and s.target not in fn.params):
            continue
        y = s.target
        m = next(i for i, t in enumerate(block) if t is s)
        lo = next((i for i in range(m + 1, len(block)) if _copies(block[i], y)), None)
        if lo is None or x in used_names(block[m + 1:lo]) or x in defined_names(block[m + 1:lo]):
            continue
        first = block[lo]
        copied = [p for p in getattr(first, "phis", ()) if ir.Var(y) in p.operands]
        if not (type(first) is ir.Assign and first.target == x or type(first) is ir.Loop and len(copied) == 1 and
                copied[0].target == x and set(copied[0].operands) == {ir.Var(y), ir.Var(x)}):
            continue
        hi = max((i for i in range(lo, len(block)) if any(_grows(t) and t.target == x
                                                           for t in ir.statements(block[i:i + 1]))), default=None)
        stretch = block[lo:hi + 1] if hi is not None else []
        if sum(1 for t in ir.statements(stretch) if _grows(t) and t.target == x) != grows:
            continue
        if all(_reads_allowed(t, x) and _rebinds_only(t, x, y) for t in ir.statements(stretch)):
            return [y]
    return None


def _rebinds_only(t, x: str, y: str) -> bool:
    """Whether `t` binds `x` only as its append, the copy `x = y`, or a phi joining x with itself or y (not as a
    loop's target or a restored name)."""
    if type(t) is ir.Assign:
        return t.target != x or _grows(t) or t.value == ir.Var(y)
    names = _defined_otherwise(t)
    phis = getattr(t, "phis", ())
    return x not in names[len(phis):] and all(set(p.operands) <= {ir.Var(x), ir.Var(y)} for p in phis if p.target == x)


def _made(v) -> bool:
    """Whether the value `v` is a new list: a display, `list(...)`."""
    return type(v) is ir.Call and v.op in _MADE


def _fresh(fn: ir.Function, x: str, y: str, uses: dict) -> bool:
    """Whether `y` is a new list made in the block that copies it into `x` (once), read before that copy only by
    calls that keep no reference to it, and where `x` is neither read nor bound (so it can be made as `x`)."""
    if y in fn.params:
        return False
    made = [(block, s) for block, s in with_blocks(fn.body) if type(s) is ir.Assign and s.target == y]
    if len(made) != 1 or any(y in _defined_otherwise(s) for _, s in with_blocks(fn.body)):
        return False
    block, s = made[0]
    if not _made(s.value):
        return False
    start = block.index(s) + 1
    copy_at = next((i for i in range(start, len(block)) if _copies(block[i], y)), None)
    if copy_at is None:
        return False
    before: dict = {}
    count_uses(block[start:copy_at], before)
    at: dict = {}
    count_uses(block[copy_at:copy_at + 1], at)
    return at.get(y) == 1 and uses.get(y, 0) == before.get(y, 0) + 1 and x not in before and \
        x not in defined_names(block[start:copy_at]) and all(_reads_allowed(t, y) for t in ir.statements(block[start:copy_at]))


def _copies(s, y: str) -> bool:
    """Whether `s` copies `y` into another name: `x = y`, or as a phi's operand."""
    if type(s) is ir.Assign:
        return s.value == ir.Var(y)
    return any(ir.Var(y) in p.operands for p in getattr(s, "phis", ()))


def _defined_otherwise(s) -> tuple:
    """Names `s` binds other than by an Assign: phis, a loop's target and restores."""
    names = tuple(p.target for p in getattr(s, "phis", ()))
    if type(s) is ir.Loop:
        names += (s.target,) if isinstance(s.target, str) else tuple(s.target or ())
        names += tuple(s.restores)
    return names


def _reads_allowed(s, x: str) -> bool:
    """Whether every read of `x` by `s` itself keeps no reference to the list after it."""
    v = ir.Var(x)
    cls = type(s)
    if cls is ir.Assign or cls is ir.Effect:
        c = s.value
        if type(c) is not ir.Call:
            return c != v  # (`y = x`: a second name)
        if v not in c.args and v not in (a for _, a in c.kwargs):
            return True
        if _grows(s) and s.target == x:
            return v not in c.args[1:2]
        if c.op == "getitem":  # (an item of the list, or a new list of some)
            return v not in c.args[1:] and v not in (a for _, a in c.kwargs)
        if c.op in _READERS or c.op in prims.AS_ARRAY:  # (np.asarray of a list: a new array, whatever it holds)
            return True
        known = c.op in prims.BINOPS or c.op in prims.COMPAREOPS or c.op.startswith(_LIBRARIES)
        return known and c.op not in prims.MAY_SHARE_MEMORY and c.op not in prims.MAY_RETURN_OPERAND
    if cls is ir.Break or cls is ir.Continue:
        return all(a != v or t == x for t, a in s.values.items())
    if cls is ir.Loop:
        if s.iter == v and any(_grows(t) and t.target == x for t in ir.statements(s.body)):
            return False  # (iterating the list it grows)
    if cls is ir.If or cls is ir.Loop:
        return all(o != v or p.target == x for p in s.phis for o in p.operands)
    return True  # (Return: the list as it ends)

