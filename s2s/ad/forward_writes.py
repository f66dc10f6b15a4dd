"""Forward mode's element writes, in place where nothing else can see the tangent array change.

The tangent of `y_2 = setitem(y_1, *index, v)` is y's tangents with v's written at `index`. Built out of place
(`rt.setitem_adjoint(dy_1, i) + rt.setitem_tangent(dv, y_2, i)`) it costs two arrays of y's size per write: a
loop writing y element by element is then O(n^2). `forward.py` emits each such tangent as a candidate
`dy_2 = rt.setitem_tangents(dy_1, dv, y_2, *index)` (MARK; `dv` a None constant where v has no tangent), and
`write_in_place` decides, for the whole function at once, which are written in place:
- (an array that may hold integers, `np.zeros_like(x)` of an argument, `np.zeros(n, dtype=float)` as far as
  s2s can tell while compiling, is written `rt.written_tangent(dv, y_2)`: dv, or 0.0 where NumPy truncates)
- `dy_1` is an array forward mode made itself (zeros, a copy, an earlier write's result) and holds no other
  value's tangent: a loop carrying it gets one copy of its initial tangent before the loop where that may be
  shared (`dy_2 = rt.tangent_copy(dy, y)`: the user's tangent, a view; vector mode `rt.copy_adjoint(dy)`);
- nothing that may share its memory (a view of it, a tangent that is it; not a number read from it) is read
  after the write. (The copies are made first, so that a loop starting from a shared tangent can be written in
  place, and taken out again where no write of theirs is.)
Then it is `dy_1[i] = dv` (vector mode: `dy_2 = rt.batch_setitem_into(dy_1, dv, y_2, i)`, which writes into dy_1,
its batch axis first); otherwise the out-of-place form above, as before. The values a phi may take are one array's
versions: all written in place or none (`_mark_versions`); a loop's phi takes, besides its back edge, what its
`continue`s and `break`s give it (`_joins`: `if c: y[i] = v; continue` writes the array the loop carries).
Generated gradient code differentiated again (a Hessian, grad of grad) writes its adjoints in place too: the
tangents of a reversed loop's `bx_2 = rt.add_at(bx_1, g, x, i)` and `bx_2 = rt.zero_at(bx_1, i)` are candidates
of the same kind (ADD, ZERO), made `rt.add_at(dbx_1, dg, x, i)` and `rt.zero_at(dbx_1, i)` where they may be,
else `dbx_1 + rt.getitem_adjoint(dg, x, i)` and `rt.setitem_adjoint(dbx_1, i)`. A sum or a copy whose value is a
NumPy array or number (`_numpy_values`: never a list holding its operands) is a new array there, as NumPy's are.
A write into a slot of a list (a gradient's `bxs[k] += g` on `rt.accumulator(xs)`) is seen only through that list
object and what holds it, not through its parts (ad/list_slots.py).
"""
from __future__ import annotations

import dataclasses

from s2s import ir, prims
from s2s.ir.walk import substitute_block, vars_of
from s2s.ad.analysis import ARITH_OPS, LIKE
from s2s.rules import registry
from s2s.ad.vector_facts import ZEROS_LIKE
from s2s.ad.list_slots import list_slots

MARK = "s2s.runtime.setitem_tangents"  # a candidate write (never left in the output)
# the tangent a write gives an array that may hold integers (dv, or 0.0 where it does: NumPy truncates the value)
WRITTEN = "s2s.runtime.written_tangent"
ADD_AT, ZERO_AT = "s2s.runtime.add_at", "s2s.runtime.zero_at"
ADD, ZERO = "s2s.runtime.add_at_tangents", "s2s.runtime.zero_at_tangents"  # (candidates: dbx_1, dg, x, *i; dbx_1, *i)
ADJOINT_WRITES = {ADD_AT: ADD, ZERO_AT: ZERO}  # generated code's own writes in place -> their tangents' candidates
_CANDIDATES = frozenset({MARK, ADD, ZERO})
COPY = "s2s.runtime.tangent_copy"
BATCH_COPY = "s2s.runtime.copy_adjoint"  # (vector mode: the batch copied as it is; batch_setitem_into checks it)
# arrays these make are new (an ndarray's arithmetic; a container's `0.0 + g` may be g itself: not add or sub)
_FRESH = frozenset({"mul", "truediv", "neg", "pow", "matmul", ZEROS_LIKE, COPY, prims.COPY,
                    "s2s.runtime.batch_zeros", "s2s.runtime.setitem_adjoint", "s2s.runtime.setitem_tangent"})
# new where the value is a NumPy array or number (a list's copy, a sum of lists, may hold the same arrays)
_FRESH_OF_NUMPY = frozenset({"add", "sub", prims.COPY_SAVED, BATCH_COPY})
# (their value is made from their first operand's: an element or part, a version written, an adjoint reduced,
# copied or added into, of a NumPy array is a NumPy array or number; `rt.add_into(acc, g)` is `acc + g`)
_OF_FIRST = frozenset({"getitem", "setitem", "s2s.runtime.unbroadcast", prims.COPY_SAVED, BATCH_COPY, ADD_AT, ZERO_AT})
_ADD_INTO = "s2s.runtime.add_into"
# what forward mode made and no one else holds: a buffer to write into
_OWNED = frozenset({ZEROS_LIKE, COPY, BATCH_COPY, MARK, prims.COPY, "s2s.runtime.batch_zeros",
                    "s2s.runtime.setitem_tangent", "s2s.runtime.batch_setitem_tangent",  # (zeros, d written in)
                    "s2s.runtime.accumulator",  # (an accumulator: a new list or array)
                    "s2s.runtime.dict_pairs_tangent"})  # (`dict(d)`'s tangents: a new dict; its parts are d's, not written)


def write_in_place(body: list, primal: set, tangents: dict, numbers: set, namer, batched: bool) -> None:
    """Rewrite the candidate writes (MARK) of the forward function's `body`, in place. `primal`: the names of the
    function differentiated (never a tangent's memory); `tangents`: primal name -> its tangent; `numbers`: the
    primal names that are numbers (their tangents are too: never a view, unless batched); `namer` names the
    temporaries and copies."""
    candidates = [s for s in ir.statements(body) if type(s) is ir.Assign and type(s.value) is ir.Call
                  and s.value.op in _CANDIDATES]
    if not candidates:
        return
    primal_of = {t.name: p for p, t in tangents.items() if type(t) is ir.Var}
    copies: list = []  # (the loops' first tangents copied where a write may go in place: undone where none does)
    _copy_before_loops(body, _leading(body, {s.value.args[0].name for s in candidates}), _definitions(body), namer,
                       primal_of, batched, copies)
    defs = _definitions(body)
    numpy_values = _numpy_values(body, primal, numbers)
    # (a number's tangent is a new number, never a view, one tangent at a time; a batch of them is a column of the
    # batch it was read from, rt.batch_getitem(dy, 0): a view)
    number_tangents = set() if batched else {t.name for p, t in tangents.items() if p in numbers and type(t) is ir.Var}
    shares = _sharing(body, primal, number_tangents, {t for t, p in primal_of.items() if p in numpy_values},
                      numpy_values)
    live: dict = {}
    _live(body, set(), live, {id(s) for s in candidates}, None)
    groups = shares.groups()
    # (a write into a slot of a list is seen only through that list object, not through its parts: ad/list_slots)
    slots = None if batched else list_slots(body, primal, primal_of, number_tangents, _joins(body), _CANDIDATES,
                                            _FRESH, vars_of)
    # (and so is `rt.add_at(dbys, dg, ys, k)` into a list's adjoint: ys's part k rebound, never changed)
    seen_by = {id(s): _group(groups, shares, s.value.args[0].name) if slots is None or s.value.op not in (MARK, ADD)
               or type(s.value.args[2]) is not ir.Var or s.value.args[2].name not in slots.lists
               else slots.group(s.value.args[0].name) for s in candidates}
    chosen = None  # (at first every candidate's result counts as an array of forward mode's own)
    while True:  # (then only those written in place: one out of place is a sum, for a 0-d array a NumPy number)
        owned: dict = {}
        now = {id(s) for s in candidates if _unseen(seen_by[id(s)], s.target, live[id(s)])
               and _owned(s.value.args[0].name, defs, owned, set(), chosen)}
        if now == chosen:
            break
        chosen = now
    _mark_versions(body, [s for s in candidates if id(s) in chosen], chosen, defs)
    # (a copy no write in place may reach: its loop's writes share no memory with any written in place)
    needed = {shares.find(s.value.args[0].name) for s in candidates if id(s) in chosen}
    for stmts, copied, phi, init in copies:
        if shares.find(phi.target) not in needed:
            stmts.remove(copied)
            phi.operands[0] = init
    # (`dy[:, j] = dv` with dv a view of dy itself, `y[:, j] = y[i] + 0.5`: the value was a new array, its tangent
    # the view dy[i]; NumPy does not buffer an overlapping write, so dv is copied where it shares dy's memory)
    overlapping = {id(s) for s in candidates if s.value.op == MARK and id(s) in chosen and
                   type(s.value.args[1]) is ir.Var and _arrays_of(s.value.args[1].name, defs, number_tangents, set())
                   & _arrays_of(s.value.args[0].name, defs, number_tangents, set())}
    renames: dict = {}
    _rewrite(body, chosen, renames, lambda: namer.fresh("t"), batched, overlapping)
    if renames:
        for k in list(renames):  # (a write into a write's result: into the first array)
            while renames[k].name in renames:
                renames[k] = renames[renames[k].name]
        substitute_block(body, renames)


# ----- which names may share memory: the classes of a union-find over the tangents' statements
class _Classes:
    def __init__(self):
        self.parent: dict = {}

    def find(self, a: str) -> str:
        self.parent.setdefault(a, a)
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)

    def groups(self) -> dict:
        """root -> the names of its class."""
        out: dict = {}
        for n in list(self.parent):
            out.setdefault(self.find(n), set()).add(n)
        return out


def _group(groups: dict, shares: _Classes, name: str) -> set:
    """The names that may share `name`'s memory: its class, or itself alone where the statements gave it none (the
    tangent of a value a number-reading call takes, `math.sin(y0)` of a 0-d array: the tangents of numbers are
    left out of the classes)."""
    return groups.get(shares.find(name)) or {name}


def _unseen(group: set, target: str, live: set) -> bool:
    """Is nothing of `group` but the write's own result `target` read after the write (`live`)?"""
    small, large = (group, live) if len(group) < len(live) else (live, group)
    return not any(n in large and n != target for n in small)


def _joins(body: list) -> list:
    """(statement, phi, the values it may take) of every If's and Loop's phi of `body`: a loop's phi takes, besides
    its first value and its back edge, the values its own `continue`s carry round and its `break`s leave with."""
    out = []
    for s in ir.statements(body):
        if type(s) in (ir.If, ir.Loop):
            jumps: dict = {}
            if type(s) is ir.Loop:
                _jump_values(s.body, jumps)
            out.extend((s, p, list(p.operands) + jumps.get(p.target, [])) for p in s.phis)
    return out


def _jump_values(stmts: list, out: dict) -> None:
    """phi target -> the values the `break`s and `continue`s of `stmts` give it (not those of a nested loop)."""
    for s in stmts:
        if type(s) in (ir.Break, ir.Continue):
            for target, a in s.values.items():
                out.setdefault(target, []).append(a)
        elif type(s) is ir.If:
            _jump_values(s.body, out)
            _jump_values(s.orelse, out)


def _sharing(body: list, primal: set, numbers: set, of_numpy: set, numpy_values: set) -> _Classes:
    """Tangents that may be one array or views of one (a primal value is never a tangent's memory, nor is a
    number's tangent: `dy[i]` of a vector's tangents is a new number; nor is what is written or added into a
    NumPy array's tangents, `dy[i] = dv` or `rt.add_at(dbx, dg, x, i)` with y or x in `numpy_values`: they hold
    dv's values, not dv, where a list's tangents would hold dv itself). `of_numpy`:
    the tangents of NumPy arrays and numbers, whose sums and copies are new."""
    classes = _Classes()

    def join(target, names):
        if target in numbers:
            return
        for n in names:
            if n not in primal and n not in numbers:
                classes.union(target, n)
    for s in ir.statements(body):
        if type(s) is ir.Assign and s.target not in primal:
            if type(s.value) is ir.Var:
                join(s.target, [s.value.name])
            elif type(s.value) is ir.Call and s.value.op in (ADD, MARK) and type(s.value.args[2]) is ir.Var and \
                    s.value.args[2].name in numpy_values:  # (into an array: dv's values, not dv, are written)
                join(s.target, vars_of(s.value.args[0]))
            elif type(s.value) is ir.Call and s.value.op not in _FRESH and \
                    not (s.value.op in _FRESH_OF_NUMPY and s.target in of_numpy):
                join(s.target, vars_of(s.value))
        elif type(s) is ir.Effect and s.value.op in ("push", "setitem"):  # (a stack or a container holds it)
            names = vars_of(s.value)
            join(names[0], names[1:]) if names else None
    for _, p, operands in _joins(body):
        if p.target not in primal:
            join(p.target, [o.name for o in operands if type(o) is ir.Var])
    return classes


def _numpy_values(body: list, primal: set, numbers: set) -> set:
    """The primal names that hold a NumPy array or a number whatever the arguments are (never a list, a tuple or a
    dict, whose copies and sums may hold the same arrays): `numbers`, what np.zeros, np.full, np.zeros_like, np.copy
    and np.stack make, an element, a part or a write of one, arithmetic of them and of number constants, an adjoint
    helper's result from one, joins of them (a loop's `continue` and `break` values too). The greatest set closed
    under these (a loop's phi is one where its first value and its back edge are)."""
    rules: dict = {}  # name -> the names that must be such values for it to be one (None: never)
    pushed: dict = {}  # a loop's stack -> what is pushed onto it (what its pops and reads give back)
    for s in ir.statements(body):
        if type(s) is ir.Effect and s.value.op == "push" and type(s.value.args[0]) is ir.Var:
            pushed.setdefault(s.value.args[0].name, []).append(s.value.args[1])
    for s in ir.statements(body):
        if type(s) is ir.Assign and s.target in primal:
            v = s.value
            if s.target in numbers or type(v) is ir.Call and (v.op in prims.FILLED or v.op in prims.ARRAY_RESULTS
                                                               or v.op in LIKE or v.op in (prims.FULL, prims.COPY)
                                                               or _elementwise(v.op)):
                rules[s.target] = []
            elif type(v) is ir.Call and v.op in ("getitem", "pop") and type(v.args[0]) is ir.Var and \
                    v.args[0].name in pushed:
                rules[s.target] = _of_numbers(pushed[v.args[0].name])
            elif type(v) is ir.Var:
                rules[s.target] = [v.name]
            elif type(v) is ir.Call and (v.op in ARITH_OPS or v.op == _ADD_INTO) and not v.kwargs:
                rules[s.target] = _of_numbers(v.args)
            elif type(v) is ir.Call and v.op in _OF_FIRST and v.args and type(v.args[0]) is ir.Var:
                rules[s.target] = [v.args[0].name]
    for _, p, operands in _joins(body):
        if p.target in primal:
            rules[p.target] = _of_numbers(operands)
    known = {n for n, names in rules.items() if names is not None}
    readers: dict = {}
    for n in known:
        for m in rules[n]:
            readers.setdefault(m, []).append(n)
    work = [n for n in known if any(m not in known for m in rules[n])]
    while work:  # (the greatest fixpoint: a name that fails makes its readers fail)
        n = work.pop()
        if n in known:
            known.discard(n)
            work.extend(r for r in readers.get(n, ()) if r in known)
    return known | numbers


def _of_numbers(atoms) -> list | None:
    """The names among `atoms`, None where a constant is no number (a tuple: `+` joins tuples)."""
    if any(type(a) is not ir.Var and not (type(a.value) in (int, float) or type(a.value) is bool) for a in atoms):
        return None
    return [a.name for a in atoms if type(a) is ir.Var]


def _elementwise(op: str) -> bool:
    """A NumPy function applied element by element (np.sin): its result is an array or a NumPy number."""
    rule = registry.tangent_rule(op)
    return op.startswith("numpy.") and op not in prims.SEQUENCE_RESULTS and rule is not None and rule.broadcast


# ----- liveness: the names read after each candidate write (before being defined again)
def _live(stmts: list, out: set, record: dict, wanted: set, jumps) -> set:
    live = set(out)
    for s in reversed(stmts):
        t = type(s)
        if t is ir.Assign:
            if id(s) in wanted:
                record[id(s)] = set(live)
            live.discard(s.target)
            live.update(vars_of(s.value))
        elif t is ir.Effect:
            live.update(vars_of(s.value))
        elif t is ir.Return:
            live = set(vars_of(s.value))
        elif t in (ir.Break, ir.Continue):  # (the loop's phis take the jump's values: not those they had)
            exits, again = jumps if jumps is not None else (set(), set())
            live = (set(exits if t is ir.Break else again) - set(s.values)) | \
                {a.name for a in s.values.values() if type(a) is ir.Var}
        elif t is ir.If:
            targets = {p.target for p in s.phis}
            branches = []
            for k, block in ((0, s.body), (1, s.orelse)):
                end = (live - targets) | {p.operands[k].name for p in s.phis if type(p.operands[k]) is ir.Var}
                branches.append(_live(block, end, record, wanted, jumps))
            live = branches[0] | branches[1] | set(vars_of(s.test))
        elif t is ir.Loop:
            live = _live_loop(s, live, record, wanted)
    return live


def _live_loop(s: ir.Loop, after: set, record: dict, wanted: set) -> set:
    targets = {p.target for p in s.phis}
    own = {s.target} if isinstance(s.target, str) else set(s.target or ())
    top = set(after)  # live at the top of an iteration, after the phis
    while True:
        end = (top - targets) | {p.operands[1].name for p in s.phis if type(p.operands[1]) is ir.Var}
        body = _live(s.body, end, record, wanted, (after, top)) - own
        head = _live(s.header, body | after | set(vars_of(s.test)) if s.test is not None else body | after,
                     record, wanted, None)
        if head <= top:
            break
        top |= head
    iterable = set(vars_of(s.iter)) if s.iter is not None else set()
    return (top - targets) | {p.operands[0].name for p in s.phis if type(p.operands[0]) is ir.Var} | iterable


# ----- ownership: an array forward mode made and holds under one name
def _definitions(body: list) -> dict:
    out = {}
    for s in ir.statements(body):
        if type(s) is ir.Assign:
            out[s.target] = s
    for s, p, operands in _joins(body):
        out[p.target] = (s, p, operands)
    return out


def _owned(name: str, defs: dict, memo: dict, visiting: set, chosen: set | None) -> bool:
    """Is `name` an array forward mode made and no one else holds? A candidate write's result is one where it is
    written in place (`chosen`; None: every candidate), not where it is the sum that the out-of-place form is."""
    if name in memo:
        return memo[name]
    if name in visiting:
        return True  # (a loop's phi through its own back edge: as owned as its first value)
    d = defs.get(name)
    if type(d) is ir.Assign and type(d.value) is ir.Call and (d.value.op == ZERO or d.value.op == MARK and
                                                               d.value.args[1] == ir.Const(None)):
        result = type(d.value.args[0]) is ir.Var and _owned(d.value.args[0].name, defs, memo, visiting, chosen)
        # (zeroed: a copy of an array, or the array itself; `rt.setitem_adjoint` of a bare zero is one)
    elif type(d) is ir.Assign and type(d.value) is ir.Call and d.value.op in _CANDIDATES:
        result = chosen is None or id(d) in chosen
    elif type(d) is ir.Assign:
        result = type(d.value) is ir.Call and d.value.op in _OWNED
    elif type(d) is tuple:
        visiting.add(name)
        result = all(type(o) is ir.Var and _owned(o.name, defs, memo, visiting, chosen) for o in d[2])
        visiting.discard(name)
    else:
        result = False
    memo[name] = result
    return result


def _leading(body: list, bases: set) -> set:
    """`bases` and the phis whose values flow into them: an outer loop's array is an inner loop's first value."""
    joins = _joins(body)
    targets = {p.target for _, p, _ in joins}
    out = set(bases)
    changed = True
    while changed:
        changed = False
        for _, p, operands in joins:
            if p.target in out:
                for o in operands:
                    if type(o) is ir.Var and o.name not in out and o.name in targets:
                        out.add(o.name)
                        changed = True
    return out


def _copy_before_loops(stmts: list, bases: set, defs: dict, namer, primal_of: dict, batched: bool,
                       copies: list) -> None:
    """A loop whose phi carries an array written in place (one of `bases`) starts from a copy of its first
    tangents where they are not forward mode's own (outer loops first: an inner loop's first tangents are then
    the outer loop's own array)."""
    i = 0
    while i < len(stmts):
        s = stmts[i]
        if type(s) is ir.If:
            _copy_before_loops(s.body, bases, defs, namer, primal_of, batched, copies)
            _copy_before_loops(s.orelse, bases, defs, namer, primal_of, batched, copies)
        elif type(s) is ir.Loop:
            entry = {p.target: p.operands[0] for p in s.phis}  # (the primal phis: their values entering)
            for p in s.phis:
                init, like = p.operands[0], entry.get(primal_of.get(p.target))
                if p.target in bases and type(init) is ir.Var and like is not None and \
                        not _owned(init.name, defs, {}, set(), None):
                    name = namer.fresh(init.name)
                    copied = ir.Assign(name, ir.Call(BATCH_COPY, (init,)) if batched else
                                       ir.Call(COPY, (init, like)), s.loc)
                    stmts.insert(i, copied)
                    defs[name] = copied
                    copies.append((stmts, copied, p, init))
                    p.operands[0] = ir.Var(name)
                    i += 1
            _copy_before_loops(s.body, bases, defs, namer, primal_of, batched, copies)
        i += 1


def _mark_versions(body: list, writes: list, chosen: set, defs: dict) -> None:
    """The names of one array written in place (the array forward mode made, the phis carrying it, the writes)
    are marked its versions, as the function's own arrays are (`Assign.array`): no pass merges or folds them as
    values, and they render as one name. A write whose array has no one first name (a join of two arrays
    made apart) is not made in place."""
    while writes:
        classes = _Classes()
        for w in writes:
            classes.union(w.target, w.value.args[0].name)
        joins = _joins(body)
        changed = True
        while changed:
            changed = False
            for st, p, operands in joins:
                names = [p.target] + [o.name for o in operands if type(o) is ir.Var]
                if type(st) is ir.Loop and names[0] not in classes.parent and not (
                        type(operands[0]) is ir.Var and operands[0].name in classes.parent):
                    continue  # (a loop each of whose iterations writes a copy it makes, `dst_2 = list(dst_1)`: its phi
                    # is the last iteration's copy, never written, the next copy made of it: a name of its own)
                if any(n in classes.parent for n in names) and \
                        len({classes.find(n) for n in names}) > 1:
                    for n in names[1:]:
                        classes.union(names[0], n)
                    changed = True
        targets = {w.target for w in writes}
        groups: dict = {}
        for n in list(classes.parent):
            groups.setdefault(classes.find(n), []).append(n)
        bad = set()
        for root, names in groups.items():
            made = [n for n in names if n not in targets and type(defs.get(n)) is ir.Assign]
            if len(made) != 1 or any(n not in defs for n in names):
                bad.add(root)
        if not bad:
            break
        for w in writes:
            if classes.find(w.target) in bad:
                chosen.discard(id(w))
        writes = [w for w in writes if id(w) in chosen]
    else:
        return
    for names in groups.values():
        root = next(n for n in names if n not in targets and type(defs.get(n)) is ir.Assign)
        for n in names:
            d = defs[n]
            (d[1] if type(d) is tuple else d).array = root


# ----- the writes
def _arrays_of(name: str, defs: dict, numbers: set, seen: set) -> set:
    """The names of the tangent arrays `name` may be or be a view of: down copies, calls that may give an operand
    back (rt.broadcast_tangent, a view), writes in place (a candidate's result is its base's array) and joins; not
    into the tangents of numbers (`numbers`) nor into what arithmetic or a copy makes (`_FRESH`, and sums: a sum
    of lists is no view of an array either)."""
    if name in seen:
        return set()
    seen.add(name)
    out = {name}
    d = defs.get(name)
    if name in numbers:
        return out
    if type(d) is tuple:  # (a phi: every value it may take)
        for o in d[2]:
            out |= _arrays_of(o.name, defs, numbers, seen) if type(o) is ir.Var else set()
    elif type(d) is ir.Assign and type(d.value) is ir.Var:
        out |= _arrays_of(d.value.name, defs, numbers, seen)
    elif type(d) is ir.Assign and type(d.value) is ir.Call and (d.value.op in _CANDIDATES or d.value.op == "getitem"):
        out |= _arrays_of(d.value.args[0].name, defs, numbers, seen) if type(d.value.args[0]) is ir.Var else set()
    elif type(d) is ir.Assign and type(d.value) is ir.Call and d.value.op not in _FRESH | _FRESH_OF_NUMPY:
        for n in vars_of(d.value):
            out |= _arrays_of(n, defs, numbers, seen)
    return out


def _rewrite(stmts: list, chosen: set, renames: dict, fresh, batched: bool, overlapping: frozenset = frozenset()) \
        -> None:
    i = 0
    while i < len(stmts):
        s = stmts[i]
        if type(s) is ir.If:
            _rewrite(s.body, chosen, renames, fresh, batched, overlapping)
            _rewrite(s.orelse, chosen, renames, fresh, batched, overlapping)
        elif type(s) is ir.Loop:
            _rewrite(s.header, chosen, renames, fresh, batched, overlapping)
            _rewrite(s.body, chosen, renames, fresh, batched, overlapping)
        elif type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op in (ADD, ZERO):
            stmts[i:i + 1] = new = _added_or_zeroed(s, id(s) in chosen, fresh)
            i += len(new) - 1
        elif type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op == MARK:
            in_place = id(s) in chosen
            if id(s) in overlapping:  # (dv copied where it is a view of the array it is written into)
                dv = fresh()
                unshared = ir.Call("s2s.runtime.unshared", (s.value.args[1], s.value.args[0]))
                stmts.insert(i, ir.Assign(dv, unshared, s.loc, temp=True))
                i += 1
                s = dataclasses.replace(s, value=ir.Call(MARK, (s.value.args[0], ir.Var(dv)) + s.value.args[2:]))
            new = _written(s, in_place, renames, fresh, batched)
            stmts[i:i + 1] = new
            i += len(new) - 1
        i += 1


def _written(s: ir.Assign, in_place: bool, renames: dict, fresh, batched: bool) -> list:
    base, value, ans, *index = s.value.args
    index = tuple(index)
    none = type(value) is ir.Const and value.value is None
    if batched:
        op = "s2s.runtime.batch_setitem_into" if in_place else \
            "s2s.runtime.batch_setitem_base" if none else "s2s.runtime.batch_setitem"
        args = (base,) + index if op.endswith("_base") else (base, value, ans) + index
        return [ir.Assign(s.target, ir.Call(op, args), s.loc, array=s.array)]
    if in_place:  # dy_1[i] = dv: the tangent array itself, under its name from here on
        renames[s.target] = base
        return [ir.Effect(ir.Call("setitem", (base,) + index + (ir.Const(0.0) if none else value,)), s.loc)]
    if none:
        return [ir.Assign(s.target, ir.Call("s2s.runtime.setitem_adjoint", (base,) + index), s.loc, array=s.array)]
    kept, placed = fresh(), fresh()
    return [ir.Assign(kept, ir.Call("s2s.runtime.setitem_adjoint", (base,) + index), s.loc, temp=True),
            ir.Assign(placed, ir.Call("s2s.runtime.setitem_tangent", (value, ans) + index), s.loc, temp=True),
            ir.Assign(s.target, ir.Call("add", (ir.Var(kept), ir.Var(placed))), s.loc, array=s.array)]


def _added_or_zeroed(s: ir.Assign, in_place: bool, fresh) -> list:
    """`dbx_2 = rt.add_at(dbx_1, dg, x, *index)` or `rt.zero_at(dbx_1, *index)` (in place where they can: an array
    of floats; else new), or out of place `dbx_1 + rt.getitem_adjoint(dg, x, *index)`, `rt.setitem_adjoint(...)`."""
    base, *rest = s.value.args
    if in_place:
        op = ADD_AT if s.value.op == ADD else ZERO_AT
        return [ir.Assign(s.target, ir.Call(op, (base, *rest)), s.loc, array=s.array)]
    if s.value.op == ZERO:
        return [ir.Assign(s.target, ir.Call("s2s.runtime.setitem_adjoint", (base, *rest)), s.loc, array=s.array)]
    placed = fresh()
    return [ir.Assign(placed, ir.Call("s2s.runtime.getitem_adjoint", tuple(rest)), s.loc, temp=True),
            ir.Assign(s.target, ir.Call("add", (base, ir.Var(placed))), s.loc, array=s.array)]
