"""Which tangents are one list object: forward mode's write into a slot of a list's tangents, `dbxs[k] = dt`.

ad/forward_writes.py writes a tangent in place where nothing that may share its memory is read after the write. Its
classes of names that may share memory join a container with what it holds and a part read from it (an array's
part is a view of it): for a list's tangents, the list joins with its parts' tangents, and through them with every
tangent they were made from. A Hessian of a loop over a list of arrays (`bxs[k] += bt` of the gradient's reversed
loop on `bxs = rt.accumulator(xs)`) then found the tangents of the whole list `dxs`, read by every iteration, in
the class of its accumulator's tangents, and built each write out of place: two copies of the list per iteration,
O(n^2) over the loop.

Writing into a slot of a list changes the list object only: its parts are not written, and a part read from it
(`xs[k]`, or a new list of its parts `xs[a:b]`) is not that list. So where the written value is surely a list
(`lists`: a display, an append's new list, an accumulator of a list, a write into one, sums and joins of them), the
names the write may be seen through are those that may be the same list object, and those that may hold one
(`group`): copies, joins, the write's versions, what a call made of it may be (any call but the few whose value
is known: joined, as forward_writes joins it), stacks and lists holding it; not the parts it holds (what is read
from it, written or appended into it), which are joined among themselves instead (a part written into a part of a
list is seen through the list). The rest of forward_writes' checks (the list is forward mode's own, nothing of
that group read after the write) are as for any write. Vector mode keeps a list of arrays' tangents as one
stacked array, whose rows are views: there it is not used.
"""
from __future__ import annotations

from s2s import ir, prims

# calls whose value is a list (a new one) whatever their operands are; or a dict, whose keys' slots are written as a
# list's are (`st = dict(st); for key in st: st[key] = ...`)
_MADE = frozenset({"list", prims.APPENDED, "builtins.list", "builtins.sorted", "s2s.runtime.dict_of",
                   "s2s.runtime.dict_from_pairs"})
# calls whose value is a part of their first operand where that is a list (or a new list of its parts: xs[a:b])
_PARTS = frozenset({"getitem", "s2s.runtime.appended_item_adjoint"})
# calls whose value is a new object that may hold their operands (a list adjoint with g at one place: a list where
# the list read is one)
_ONE_PART = "s2s.runtime.getitem_adjoint"
_HOLDING = frozenset({_ONE_PART, "list", "s2s.runtime.dict_tangent"})  # (a display of tangents: a list or dict of them)
# calls whose value is their first operand's list (changed in place, or a new one of its parts), holding the second
_GROWN = frozenset({"s2s.runtime.appended_tangent", "s2s.runtime.appended_tangent_new", "s2s.runtime.added_at_part",
                    "s2s.runtime.added_at_part_tangent"})
# calls whose value is a list where their first operand is one (an accumulator of a list's parts: a list of them)
_OF_FIRST = frozenset({"setitem", "s2s.runtime.accumulator", "s2s.runtime.owned_adjoint",
                       "s2s.runtime.popped_adjoint", "s2s.runtime.pushed_part", "s2s.runtime.copy_adjoint",
                       "s2s.runtime.zero_at"})
# calls whose value is a list where their operand at this position is one (sum(ys)'s adjoint, a part for each item)
_OF_SECOND = {"s2s.runtime.sum_builtin_adjoint": 1}
# a reversed loop's `rt.add_at(bys, g, ys, k)`: a list where what it adds into (or a bare 0.0) and ys are lists
ADD_AT = "s2s.runtime.add_at"


class Slots:
    """`lists`: the primal names that are surely lists; `group(name)`: the tangents through which a write into a slot
    of the list the tangent `name` is may be seen (those that may be that list object, and what may hold one)."""

    def __init__(self, lists: set):
        self.lists = lists
        self._parent: dict = {}
        self._holders: dict = {}  # a name -> the names that may hold it (their classes' roots after `group`)

    def find(self, a: str) -> str:
        self._parent.setdefault(a, a)
        while self._parent[a] != a:
            self._parent[a] = self._parent[self._parent[a]]
            a = self._parent[a]
        return a

    def union(self, a: str, b: str) -> None:
        self._parent[self.find(a)] = self.find(b)

    def hold(self, holder: str, held: str) -> None:
        self._holders.setdefault(held, set()).add(holder)

    def close(self) -> None:
        """What one class holds may be any of its parts, one object: joined, until no join joins two classes."""
        changed = True
        while changed:
            changed = False
            first: dict = {}
            for held, holders in self._holders.items():
                for h in holders:
                    root = self.find(h)
                    if root not in first:
                        first[root] = held
                    elif self.find(first[root]) != self.find(held):
                        self.union(first[root], held)
                        changed = True

    def group(self, name: str) -> set:
        classes: dict = {}
        for n in list(self._parent):
            classes.setdefault(self.find(n), set()).add(n)
        holders: dict = {}
        for held, names in self._holders.items():
            holders.setdefault(self.find(held), set()).update(self.find(h) for h in names)
        seen, work = set(), [self.find(name)]
        while work:  # (the class of `name`, and every class holding one already reached)
            root = work.pop()
            if root not in seen:
                seen.add(root)
                work.extend(holders.get(root, ()))
        return set().union(*(classes.get(r, {r}) for r in seen)) | {name}


def list_slots(body: list, primal: set, primal_of: dict, number_tangents: set, joins: list, writes: frozenset,
               fresh: frozenset, vars_of) -> Slots:
    """The lists of `body` and, for a tangent, the names a write into its slots may be seen through. `primal_of`:
    tangent name -> its primal name; `number_tangents`: the tangents of numbers (never a list); `joins`: (statement,
    phi, values) of every If's and Loop's phi (forward_writes._joins); `writes`: the candidate writes' ops (target:
    the written base's next version, holding the value written); `fresh`: calls whose value is new and holds no
    operand."""
    slots = Slots(_lists(body, primal, joins))
    # (the tangents: the function's tangent parameters and what it defines; a module's names are never one)
    tangents = {n for n in set(primal_of) | {s.target for s in ir.statements(body) if type(s) is ir.Assign} |
                {p.target for _, p, _ in joins} if n not in primal and n not in number_tangents}

    def same(target, names):  # (target may be each of names)
        for n in names:
            if target in tangents and n in tangents:
                slots.union(target, n)

    def held(target, names):  # (target may hold each of names)
        for n in names:
            if target in tangents and n in tangents:
                slots.hold(target, n)
    for s in ir.statements(body):
        if type(s) is ir.Assign and s.target not in primal:
            v = s.value
            if type(v) is ir.Var:
                same(s.target, [v.name])
            elif type(v) is not ir.Call:
                continue
            elif v.op in fresh:  # (new, as forward_writes takes them: holding no operand)
                continue
            elif v.op in _HOLDING:
                held(s.target, vars_of(v))
            elif v.op in writes or v.op in _GROWN:
                same(s.target, vars_of(v.args[0]))
                held(s.target, [n for a in v.args[1:] for n in vars_of(a)])
            elif v.op in _PARTS and type(v.args[0]) is ir.Var and primal_of.get(v.args[0].name) in slots.lists:
                held(v.args[0].name, [s.target])  # (a part: what the list holds; a new list of its parts, xs[a:b],
            else:                                 # is counted as one of them)
                same(s.target, vars_of(v))
        elif type(s) is ir.Effect and s.value.op in ("push", "setitem"):  # (a stack or a container holds it)
            names = vars_of(s.value)
            held(names[0], names[1:]) if names else None
    for _, p, operands in joins:
        if p.target not in primal:
            same(p.target, [o.name for o in operands if type(o) is ir.Var])
    slots.close()
    return slots


def _lists(body: list, primal: set, joins: list) -> set:
    """The primal names surely holding a list: the greatest set closed under `_MADE`, `_OF_FIRST` of a list (and
    `_OF_SECOND`, `ADD_AT` of lists: a gradient's list adjoints, for its Hessian), names and joins of them (a loop's
    phi is one where its first value and its back edge are)."""
    rules: dict = {}  # name -> the names that must be lists for it to be one
    of_numbers: set = set()
    of_nones: set = set()  # (displays of Nones, `[None]`; of numbers, `[0.0]`, where the repetition's items are written)
    written = {s.value.args[0].name for s in ir.statements(body) if type(s) is ir.Assign and type(s.value) is ir.Call
               and s.value.op == "setitem" and s.value.args and type(s.value.args[0]) is ir.Var}
    grown = True
    while grown:  # (and what enters the loops around those writes: `ys = [0.0] * 5; for ...: ys[k] = v`)
        more = {o.name for _, p, operands in joins if p.target in written for o in operands if type(o) is ir.Var}
        grown, written = not more <= written, written | more
    for s in ir.statements(body):
        if type(s) is ir.Assign and s.target in primal:
            v = s.value
            if type(v) is ir.Var:
                rules[s.target] = [v.name]
            elif type(v) is ir.Call and v.op in _MADE:
                rules[s.target] = []
            elif type(v) is ir.Call and v.op in _OF_FIRST and v.args and type(v.args[0]) is ir.Var:
                rules[s.target] = [v.args[0].name]
            elif type(v) is ir.Call and v.op in _OF_SECOND and len(v.args) > _OF_SECOND[v.op] and \
                    type(v.args[_OF_SECOND[v.op]]) is ir.Var:
                rules[s.target] = [v.args[_OF_SECOND[v.op]].name]
            elif type(v) is ir.Call and v.op == ADD_AT and len(v.args) == 4 and type(v.args[2]) is ir.Var and \
                    (type(v.args[0]) is ir.Var or v.args[0] == ir.Const(0.0)):
                rules[s.target] = [a.name for a in v.args[:3:2] if type(a) is ir.Var]
            elif type(v) is ir.Call and v.op == "add" and all(type(a) is ir.Var for a in v.args) and not v.kwargs:
                rules[s.target] = [a.name for a in v.args]  # (two list adjoints added part by part)
            elif type(v) is ir.Call and v.op == _ONE_PART and len(v.args) > 1 and type(v.args[1]) is ir.Var:
                rules[s.target] = [v.args[1].name]
            elif type(v) is ir.Call and v.op == "mul" and len(v.args) == 2 and not v.kwargs:
                # `[None] * (N + 1)` (front/repeated.py): a list, whatever n is (NumPy's product of Nones is an error);
                # `[0.0] * n` whose items the function writes, as only a list's are (front/repeated.py's `repeated`)
                nones = [a.name for a in v.args if type(a) is ir.Var and a.name in of_nones and (
                    a.name not in of_numbers or s.target in written)]
                if nones:
                    rules[s.target] = nones[:1]
            if type(v) is ir.Call and v.op == "list" and v.args and \
                    all(type(a) is ir.Const and a.value is None for a in v.args) and not v.kwargs:
                of_nones.add(s.target)
            elif type(v) is ir.Call and v.op == "list" and v.args and not v.kwargs and \
                    all(type(a) is ir.Const and type(a.value) in (int, float, bool) for a in v.args):
                of_nones.add(s.target)
                of_numbers.add(s.target)
    for _, p, operands in joins:
        if p.target in primal and all(type(o) is ir.Var for o in operands):
            rules[p.target] = [o.name for o in operands]
    known = set(rules)
    changed = True
    while changed:  # (the greatest fixpoint: a name whose sources are not all lists is none)
        changed = False
        for n in list(known):
            if any(m not in known for m in rules[n]):
                known.discard(n)
                changed = True
    return known
