"""Dead-code elimination by mark and sweep over the structured IR.

Roots are the return value, effects (prints, runtime checks) and calls that may
have effects (`registry.may_have_effects`: `u = rng.uniform()` is kept though u
is unused, or every later draw would differ from the function's), or that raise
on their data (`prims.RAISING_CALLS`: `L = np.linalg.cholesky(A)`, a check that
A is positive definite, raises where Python raises), those of the forward
computation (an adjoint nothing reads is dropped). A stack
push is live only while its stack is: a stack whose pops are all dead is
removed together with its pushes, so nothing is saved that the adjoint does
not read.
A read of a key of a defaultdict (`extra = g[7]`) is kept too, though its value is unused: it inserts the key,
which `len(g)` and `g.items()` see.
A loop or `if` is kept when it holds anything live; then its test, its
iterable and, for loops, its break/continue statements are live too.
"""
from __future__ import annotations

import copy

from s2s import ir
from s2s.ir.walk import array_versions, default_dict_reads, used_names, vars_of
from s2s.prims import MAY_SHARE_MEMORY, RAISING_CALLS
from s2s.rules.registry import may_have_effects

def eliminate_dead_code(fn: ir.Function) -> ir.Function:
    return _eliminate(copy.deepcopy(fn))


def _eliminate(fn: ir.Function) -> ir.Function:
    """`eliminate_dead_code`, changing `fn` itself (`optimize` runs it on its own copy)."""
    live: set[str] = set()
    seen = _seen_through_views(fn.body)
    inserting = default_dict_reads(fn)
    while True:
        before = len(live)
        live |= inserting
        _mark(fn.body, live, seen, set())
        if len(live) == before or not any(type(s) is ir.If or type(s) is ir.Loop for s in fn.body):
            break  # (straight-line code: one backward walk marks everything; a phi can mark a definition late)
    _sweep(fn.body, live)
    return fn


def _is_push(s) -> bool:
    return isinstance(s, ir.Effect) and s.value.op == "push"


def _is_effect(s, live=None) -> bool:
    if _is_push(s):
        return live is None or s.value.args[0].name in live
    return isinstance(s, (ir.Effect, ir.Return)) or type(s) is ir.Assign and type(s.value) is ir.Call and \
        (may_have_effects(s.value.op) or s.value.op in RAISING_CALLS and not (s.loc is not None and s.loc.adjoint))


def _seen_through_views(body: list) -> dict:
    """An element write `y_2 = setitem(y_1, i, v)` -> the names that may share the array's memory without being
    a version of it (`t1 = y[1:]`, views of views, the versions of an array joined with it, `_memories`). The
    write is live where one of them is read after it, though `y_2` is not read: code s2s generated,
    differentiated again, writes elements back (`y[:2] = y_old`) for its views to read (the alias pass refuses
    such reads in the user's code, so there the rule keeps only writes that are dead anyway)."""
    versions = array_versions(body)
    views = [(s.target, vars_of(s.value)) for s in ir.statements(body) if type(s) is ir.Assign and
             type(s.value) is ir.Call and (s.value.op in MAY_SHARE_MEMORY and s.value.op != "setitem" or
                                          s.value.op == "pop")]
    # (and a join of an if or a loop that may be the array itself, `u = y if c else 0.9`: the same object)
    views += [(p.target, [o.name for o in p.operands if type(o) is ir.Var]) for s in ir.statements(body)
              if type(s) in (ir.If, ir.Loop) for p in s.phis]
    # (and a loop's stack a value that may be the array is pushed onto, whose entries are read as views are:
    # code s2s generated saves `t5 = y if c else 0.9` by reference and reads it after writing y's old elements back)
    views += [(s.value.args[0].name, vars_of(s.value.args[1])) for s in ir.statements(body) if _is_push(s)]
    if not versions or not views:
        return {}
    memory = _memories(versions, views)
    root, seen = dict(versions), {}
    changed = True
    while changed:
        changed = False
        for target, operands in views:
            if target in root:
                continue
            r = next((root[a] for a in operands if a in root), None)
            if r is not None:
                root[target] = r
                seen.setdefault(memory[r], set()).add(target)
                changed = True
    own: dict = {}  # an array's first name -> its versions
    shared: dict = {}  # a memory -> the versions of every array in it
    for n, r in versions.items():
        own.setdefault(r, set()).add(n)
        shared.setdefault(memory[r], set()).add(n)
    others = {r: shared[memory[r]] - own[r] for r in own}  # (the versions of the arrays joined with it)
    out = {}
    for s in ir.statements(body):
        if type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op == "setitem" and s.target in versions:
            r = versions[s.target]
            names = seen.get(memory[r], set()) | others[r]
            if names:
                out[s.target] = frozenset(names)
    return out


def _memories(versions: dict, views: list) -> dict:
    """Each array written in place (its first name) -> the first name of one array per memory. A join that is
    itself such an array, of another (`z_1 = phi(y_1, z)`), is the same object as it on one path: a write
    through either is seen through the other's versions and views (code s2s generated writes `z[0] = z_old`
    back for a view of y taken before to read)."""
    memory = {r: r for r in versions.values()}

    def find(r):
        while memory[r] != r:
            r = memory[r]
        return r
    for target, operands in views:
        for a in operands:
            if target in versions and a in versions:
                memory[find(versions[a])] = find(versions[target])
    return {r: find(r) for r in memory}


def _mark(stmts: list, live: set, seen: dict | None = None, after: set | None = None) -> bool:
    """Mark what `stmts` need; return whether the block holds anything live. `seen`: element writes whose
    array is seen through views (`_seen_through_views`), live where such a view is live and in `after`, the
    names read after the statement (this walk goes backwards; in a loop, anything the loop reads is read after)."""
    any_live = False
    seen = seen or {}
    after = set() if after is None else after
    for s in reversed(stmts):
        if isinstance(s, (ir.Assign, ir.Effect, ir.Return)):
            if _is_effect(s, live) or (isinstance(s, ir.Assign) and s.target in live) or \
                    (type(s) is ir.Assign and s.target in seen and any(v in after and v in live for v in seen[s.target])):
                any_live = True
                live.update(vars_of(s.value))
                if isinstance(s, ir.Assign):
                    live.add(s.target)
            if seen:
                after.update(vars_of(s.value))
        elif isinstance(s, ir.If):
            if seen:
                after.update(o.name for p in s.phis for o in p.operands if isinstance(o, ir.Var))
            inner = _mark(s.body, live, seen, after) | _mark(s.orelse, live, seen, after)
            for p in s.phis:
                if p.target in live:
                    inner = True
                    live.update(o.name for o in p.operands if isinstance(o, ir.Var))
            if inner:
                any_live = True
                live.update(vars_of(s.test))
        elif isinstance(s, ir.Loop):
            if seen:  # (a later iteration reads them after a write in this one)
                after.update(used_names(s.header + s.body))
                after.update(o.name for p in s.phis for o in p.operands if isinstance(o, ir.Var))
                after.update(a.name for a in (s.iter, s.test) if isinstance(a, ir.Var))
            inner = _mark(s.body, live, seen, after) | _mark(s.header, live, seen, after)
            for p in s.phis:
                if p.target in live:
                    inner = True
                    live.update(o.name for o in p.operands if isinstance(o, ir.Var))
                    _mark_jumps(s.body, p.target, live)
            if inner:
                any_live = True
                for a in (s.iter, s.test):
                    if isinstance(a, ir.Var):
                        live.add(a.name)
                _mark_all(s.header, live)
                _mark_jump_tests(s.body, live)
        elif isinstance(s, (ir.Break, ir.Continue)):
            any_live = True
    return any_live


def _mark_all(stmts, live):
    for s in stmts:
        if isinstance(s, ir.Assign):
            live.add(s.target)
            live.update(vars_of(s.value))


def _mark_jumps(stmts: list, target: str, live: set) -> None:
    for s in stmts:
        if isinstance(s, (ir.Break, ir.Continue)):
            v = s.values.get(target)
            if isinstance(v, ir.Var):
                live.add(v.name)
        elif isinstance(s, ir.If):
            _mark_jumps(s.body, target, live)
            _mark_jumps(s.orelse, target, live)


def _mark_jump_tests(stmts: list, live: set) -> bool:
    """Ifs that hold a break/continue decide the trip count: their tests are live."""
    found = False
    for s in stmts:
        if isinstance(s, (ir.Break, ir.Continue)):
            found = True
        elif isinstance(s, ir.If):
            if _mark_jump_tests(s.body, live) | _mark_jump_tests(s.orelse, live):
                found = True
                live.update(vars_of(s.test))
    return found


def _sweep(stmts: list, live: set) -> None:
    keep = []
    for s in stmts:
        if isinstance(s, ir.Assign) and s.target not in live:
            continue
        if _is_push(s) and not _is_effect(s, live):
            continue
        if isinstance(s, ir.If):
            _sweep(s.body, live)
            _sweep(s.orelse, live)
            s.phis = [p for p in s.phis if p.target in live]
            if not s.body and not s.orelse and not s.phis:
                continue
        if isinstance(s, ir.Loop):
            _sweep(s.body, live)
            _sweep(s.header, live)
            s.phis = [p for p in s.phis if p.target in live]
            _drop_jump_values(s.body, {p.target for p in s.phis})
            if not s.phis and not _has_effects(s.body, live):
                continue
        keep.append(s)
    stmts[:] = keep


def _drop_jump_values(stmts, targets) -> None:
    for s in stmts:
        if isinstance(s, (ir.Break, ir.Continue)):
            s.values = {k: v for k, v in s.values.items() if k in targets}
        elif isinstance(s, ir.If):
            _drop_jump_values(s.body, targets)
            _drop_jump_values(s.orelse, targets)


def _has_effects(stmts, live) -> bool:
    for s in stmts:
        if _is_effect(s, live) or (isinstance(s, ir.Assign) and s.target in live):
            return True
        if isinstance(s, ir.If) and (_has_effects(s.body, live) or _has_effects(s.orelse, live)):
            return True
        if isinstance(s, ir.Loop) and (s.phis or _has_effects(s.body, live)):
            return True
    return False


eliminate_dead_code.in_place = _eliminate
