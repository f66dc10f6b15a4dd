"""Reverse mode: element writes and their restores.

Before each element write `y[i] = v` the forward sweep keeps the elements it
overwrites (`y_old = rt.copy_saved(y[i])`); the reverse sweep writes them back, so the
adjoints of earlier lines see the values they saw. Restores that nothing reads
(of buffers the function made, read after the first restore only for their shape)
are dropped: `reverse` builds again without saving what they overwrote. The
adjoint of the written array is zeroed at the written slice, in place where this
sweep owns it.

`ElementWrites` holds these methods of `_Reverse` (reverse.py); it reads the rest
of `_Reverse`'s state through `self`.
"""
from __future__ import annotations

import collections

from s2s import ir, prims
from s2s.ad.analysis import LIKE, integers
from s2s.ad.blocks import range_targets
from s2s.ir.names import base_name
from s2s.ir.names import Namer
from s2s.ir.walk import map_blocks
from s2s.ir.walk import vars_of as walk_vars
from s2s.rules import registry


FLOAT_ARITHMETIC = {"add", "sub", "mul", "truediv"}  # with a float operand: a float array (x * 1.0)


class ElementWrites:
    """Saving and restoring overwritten elements (mixed into reverse._Reverse)."""

    _branch_joins = None  # the joins of ifs: target -> operands (_made_by)
    _dict_made = None  # name -> the op making it, or an if's join -> the names it joins (dict_written)
    _restored_memory = None  # name -> the array with restores it may share memory with (_restored_alias)

    def _require_float_arrays(self, forward: list) -> list:
        """`forward` with a check (`rt.require_float_array`) after the statement that makes each array the
        function writes values with a derivative into, unless that statement surely makes floats: NumPy
        truncates a value written into an array of integers, and no derivative flows through the write. A dict
        the function made (`msgs = {}`, written at any key) truncates nothing: it has no check."""
        roots = set()
        for s in ir.statements(self.fn.body):
            if type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op == "setitem" and \
                    type(s.value.args[-1]) is ir.Var and s.value.args[-1].name in self.active and \
                    not _key_write(s.value) and not self.dict_written(s.target):  # (a dict's slot takes any value)
                roots.add(self.fn_arrays_root(s.target))
        roots = {r for r in roots if not all(map(self._makes_floats, self._made_by(r)))}
        if not roots:
            return forward

        def check(block, items):
            out = []
            for s in items:
                out.append(s)
                # (an array written as the join of an if or a loop's name after it: the array it holds there)
                made = [s.target] if type(s) is ir.Assign else [p.target for p in getattr(s, "phis", ())]
                for target in made:
                    if target in roots:
                        out.append(ir.Effect(ir.Call("s2s.runtime.require_float_array",
                                                     (ir.Var(target), ir.Const(base_name(target)))), s.loc))
            return out
        return map_blocks(forward, check)

    def _makes_floats(self, call) -> bool:
        """Does `call` surely make a float array: np.zeros(n) and the like without a dtype, a float np.full,
        arithmetic with a float, a copy of an argument derivatives are taken with respect to (floats)?"""
        if call is None:
            return False
        args, kwargs = call.args, dict(call.kwargs)
        if self._makes_list(call):  # (a list's slot takes any value: nothing is truncated)
            return True
        if "dtype" in kwargs:
            return False
        if call.op in prims.FILLED:  # np.zeros(n), np.ones(n), np.empty(n): float64 unless told a dtype
            return len(args) == 1
        if call.op == prims.FULL:
            return len(args) == 2 and type(args[1]) is ir.Const and type(args[1].value) is float
        if call.op in FLOAT_ARITHMETIC:
            return any(type(a) is ir.Const and type(a.value) is float for a in args)
        if call.op in prims.COPIES or call.op in LIKE:
            return len(args) == 1 and type(args[0]) is ir.Var and args[0].name in self.wrt
        return False

    def _makes_list(self, call) -> bool:
        """Does `call` surely make a Python list or tuple: a display, list(xs), sorted(xs), `[0.0] * n`?"""
        if call.op == "mul" and type(call.args[0]) is ir.Var:
            return call.args[0].name in self.made and self._makes_list(self.made[call.args[0].name])
        return call.op in prims.SEQUENCES

    def _save_overwritten(self, stmts: list, namer: Namer) -> None:
        """Before each element write, keep the elements it overwrites (`y_old = rt.copy_saved(y[i])`: a copy of an
        array's part, an element of an array of numbers as it is, ~20x faster than np.copy of it):
        the reverse sweep writes them back, so adjoints of earlier lines see the values they saw."""
        i = 0
        while i < len(stmts):
            s = stmts[i]
            if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) and s.value.op == "setitem" and \
                    self.fn_arrays_root(s.target) not in self.unsaved:
                base, index = s.value.args[0], s.value.args[1:-1]
                old = namer.fresh(base_name(self_root(base)) + "_old")
                if _key_write(s.value) or self.dict_written(s.target):  # (a dict's key: its value, or rt.ABSENT
                    # for a new key, `sums[k] = sums.get(k, 0.0) + q`; changes no array)
                    saves = [ir.Assign(old, ir.Call("s2s.runtime.saved_key", (base, index[0])), s.loc)]
                else:
                    view = namer.fresh("t")
                    saves = [ir.Assign(view, ir.Call("getitem", (base,) + index), s.loc),
                             ir.Assign(old, ir.Call(prims.COPY_SAVED, (ir.Var(view),)), s.loc)]
                stmts[i:i] = saves
                self.overwritten[s.target] = old
                i += len(saves)
            elif isinstance(s, ir.If):
                self._save_overwritten(s.body, namer)
                self._save_overwritten(s.orelse, namer)
            elif isinstance(s, ir.Loop):
                self._save_overwritten(s.body, namer)
            i += 1

    def dict_written(self, version: str) -> bool:
        """Is `version` made by a key write into a dict the function made (a display, `dict(...)`, a
        comprehension's, or a branch's join of such), at a key known only as the code runs or no string?"""
        if self._dict_made is None:
            self._dict_made = {s.target: s.value.op for s in ir.statements(self.primal.body)
                               if type(s) is ir.Assign and type(s.value) is ir.Call}
            self._dict_made.update({p.target: [a.name if type(a) is ir.Var else None for a in p.operands]
                                    for s in ir.statements(self.primal.body) if type(s) is ir.If for p in s.phis})
        todo, seen = [self.fn_arrays_root(version)], set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            made = self._dict_made.get(self.arrays.get(name, name))
            if isinstance(made, list):  # (a branch's join: each dict it may be)
                todo += made
            elif made not in prims.DICT_MAKERS:
                return False
        return True

    def fn_arrays_root(self, version: str) -> str:
        return self.arrays.get(version, version)

    def unread_buffers(self) -> frozenset:
        """The arrays the function made (np.zeros, x * 1.0, np.copy(x), ..., at any depth of loops) whose
        restores the adjoint sweep could do without: nothing that may share their memory is read after the
        first restore (a restore inside a reversed loop counts from the loop's start, as its next iteration
        follows it). Reads of a shape alone (np.shape(y), rt.unbroadcast(g, y), the array rt.add_at adds
        into the adjoint of) do not count: a restore keeps it. The old element's value is read where an
        adjoint reads the array, a view of it, or the result of a rule that reads its result (np.exp)."""
        if not self.overwritten:
            return frozenset()
        roots = set(self.arrays.values())
        # (an element of a stack, in generated code, shares its memory with names made before it)
        # (a display of numbers, [0.0, 0.0, 0.0], holds no memory it shares with other names)
        old_root = {old: self.fn_arrays_root(v) for v, old in self.overwritten.items()}
        made = {s.target: s.value for s in ir.statements(self.primal.body) if isinstance(s, ir.Assign) and
                s.target in roots and isinstance(s.value, ir.Call)}
        # (a new dict, `{}` or collections.defaultdict(float), written by key alone; an array it holds, restored
        # later, does not change a value read out of it before: back/folding.py keeps that read where it stands)
        fresh = {r for r, value in made.items() if value.op not in NOT_FRESH or
                 value.op == "list" and all(type(a) is ir.Const for a in value.args) or
                 _new_container(value, self.primal.free)}
        # (the join of an if of arrays each made fresh: fresh, its memory that of each of them)
        joined = {r: self._joined_roots(r) for r in set(old_root.values()) if r not in fresh}
        joined = {r: parts for r, parts in joined.items() if parts != [r] and all(p in fresh for p in parts)}
        roots = {r for r in old_root.values() if r in fresh or r in joined}
        keyed = {r for r in roots if r in made and _new_container(made[r], self.primal.free)}
        if not roots:
            return frozenset()
        copies = self._element_copies(self.primal)
        # root -> (the loop that makes it anew each iteration, how many loops enclose that loop)
        carrying = {r: _carrying_loop(self.primal.body, r) for r in roots}
        sharing = {r: set().union(*(_sharing_memory(self.primal, self.arrays, part, copies, carrying[r][0])
                                    for part in [r] + joined.get(r, []))) for r in roots}
        for restored, n in self.restores.items():  # a popped value is the value pushed (or a copy of it)
            for r in roots:
                if n in sharing[r] and n not in self.copied_pushes:
                    sharing[r].add(restored)
        first: dict = {}  # root -> position from which its restores happen
        reads: dict = {r: [] for r in roots}  # root -> positions of reads of its memory
        counter = [0]

        def walk(stmts, starts):
            for s in stmts:
                counter[0] += 1
                here = counter[0]
                if isinstance(s, ir.Effect) and s.value.op == "setitem" and isinstance(s.value.args[-1], ir.Var):
                    old = s.value.args[-1].name
                    r = old_root.get(self.restores.get(old, old))
                    if r in roots:
                        # a restore in a reversed loop counts from the start of the outermost loop around it
                        # whose iterations see one object: inside the loop that makes the array anew, if any
                        depth = carrying[r][1]
                        outer = depth + 1 if depth is not None and len(starts) > depth else 0
                        at = starts[outer] if len(starts) > outer else here
                        first[r] = min(first.get(r, at), at)
                        continue
                values = _value_reads(s)
                every = [a.name for a in ir.operands(s) if isinstance(a, ir.Var)]
                for r in roots:  # (a dict's keys are its shape, which a restore changes: rt.getitem_adjoint(g, d, k))
                    if any(n in sharing[r] for n in (every if r in keyed else values)):
                        reads[r].append(here)
                if isinstance(s, ir.Loop):
                    walk(s.body, starts + [here])
                else:
                    for block in ir.blocks(s):
                        walk(block, starts)
        walk(self.adjoint_stmts, [])
        return frozenset(r for r in roots if r in first and all(p < first[r] for p in reads[r]))

    def _element_copies(self, fn: ir.Function) -> set:
        """The names of `fn` reading one element of an array of numbers, y[i]: a NumPy scalar, a copy, which a
        restore leaves alone."""
        return {s.target for s in ir.statements(fn.body) if isinstance(s, ir.Assign) and
                isinstance(s.value, ir.Call) and s.value.op == "getitem" and
                self._element_of(s.value.args[0], s.value.args[1:], numeric=True)}

    def _restored_alias(self, contrib, emitted: list):
        """The copy a rule's adjoint `contrib` needs to keep its value past the restores: where it may be an
        array whose old elements the reverse sweep writes back, or a view of one (`y`, the adjoint of x in
        `y * x` for a 0-d y and a seed 1.0; `np.reshape(np.ravel(y), ...)`, made in `emitted`), read after
        those restores (where the sum of the operand's adjoints is taken) it would see the old elements.
        np.copy for the array itself (a version of one NumPy made), else `rt.copy_adjoint`; None where no
        copy is needed."""
        if not self.overwritten or not isinstance(contrib, ir.Var):
            return None
        if self._restored_memory is None:
            copies = self._element_copies(self.fn)
            self._restored_memory = {n: r for r in sorted({self.fn_arrays_root(v) for v in self.overwritten})
                                     for n in _sharing_memory(self.fn, self.arrays, r, copies)}
        memory, defs = self._restored_memory, {s.target: s.value for s in emitted if isinstance(s, ir.Assign)}
        todo, seen = [contrib.name], set()
        while todo:
            name = todo.pop()
            name = self.restores.get(name, name)  # (a value a reversed loop pops is the one it pushed)
            if name in seen:
                continue
            seen.add(name)
            if name in memory:
                root = memory[name]
                direct = len(seen) == 1 and self.fn_arrays_root(name) == root  # (not a view: the array itself)
                return prims.COPY if direct and self._copy_op(root) == prims.COPY else "s2s.runtime.copy_adjoint"
            made = defs.get(name)
            if isinstance(made, ir.Call) and made.op in prims.MAY_SHARE_MEMORY:
                todo += walk_vars(made)
        return None

    def returned_value(self, value, forward: list, loc=None):
        """The function's value as value_and_grad returns it after the adjoint sweep: a copy taken at the end of
        the forward sweep (appended to `forward`) where the sweep's restores write old elements back into it (a
        0-d array written by `y[...] = v`), else the value itself."""
        kept = self._restored_alias(value, [])
        if kept is None:
            return value
        name = self.namer.fresh("value")
        forward.append(ir.Assign(name, ir.Call(kept, (value,)), loc))
        return ir.Var(name)

    def _element_slot(self, value: ir.Call, numeric: bool = False) -> bool:
        """Is `y[index]` in `y_1 = setitem(y, *index, v)` known to be a single element? Where y was made
        by np.zeros/ones/empty/full of a shape of known length, and index holds that many ints.
        With `numeric`, y is also known to hold numbers (np.zeros/ones/empty without a dtype, or with a
        constant one that is not `object`): an element then takes only a number or a 0-d array."""
        return self._element_of(value.args[0], value.args[1:-1], numeric)

    def _element_of(self, base, index: tuple, numeric: bool = False) -> bool:
        """Is `base[index]` a single element of `base` (of a numeric one: a NumPy scalar, a copy)?"""
        if numeric and not self._numeric_made(base):
            return False
        if len(index) == 1 and isinstance(index[0], ir.Const) and isinstance(index[0].value, tuple):
            index = tuple(ir.Const(v) for v in index[0].value)
        if not all(isinstance(a, ir.Const) and isinstance(a.value, int) and not isinstance(a.value, bool) or
                   isinstance(a, ir.Var) and self._basic_index((a,), slices=False) for a in index):
            return False
        rank = self._rank_made(base)
        return rank is not None and rank == len(index)

    def _zeroed_in_place(self, g, value: ir.Call) -> bool:
        """Is the base's adjoint `g` of `y[index] = v` zeroed at index in place (`by[index] = 0.0`)? Where
        this sweep owns g (and it is not a bare 0.0) and index is basic (no element twice)."""
        return isinstance(g, ir.Var) and g.name in self.owned and g.name not in self.maybe_short and \
            not _whole(value.args[1:-1]) and (self._element_slot(value, numeric=True) or
                                               self._basic_index(value.args[1:-1]))

    def _joined_roots(self, root: str) -> list:
        """The arrays `root` may be: itself, or, for the join of an if, the arrays (their first names) each
        branch leaves in it, through joins of joins (None for an operand that is not a name)."""
        if self._branch_joins is None:
            self._branch_joins = {p.target: p.operands for s in ir.statements(self.fn.body) if type(s) is ir.If
                                  for p in s.phis}
        found, todo, seen = [], [root], set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in self._branch_joins:
                todo += [self.arrays.get(a.name, a.name) if type(a) is ir.Var else None
                         for a in self._branch_joins[name]]
            else:
                found.append(name)
        return found

    def _made_by(self, root: str) -> list:
        """The calls that may have made the array `root` (None where one is not a call s2s sees made here)."""
        return [self.made.get(n) if n is not None else None for n in self._joined_roots(root)]

    def _numeric_made(self, atom) -> bool:
        root = self.arrays.get(atom.name, atom.name) if isinstance(atom, ir.Var) else None
        return root is not None and all(map(_numeric_filled, self._made_by(root)))

    def _rank_made(self, atom):
        root = self.arrays.get(atom.name, atom.name) if isinstance(atom, ir.Var) else None
        ranks = {self._rank_of_made(d) for d in self._made_by(root)} if root is not None else {None}
        return ranks.pop() if len(ranks) == 1 else None

    def _rank_of_made(self, d):
        if d is None or not (d.op in prims.FILLED or registry.of_shape(d.op)) or not d.args:
            return None
        shape = d.args[0]
        if isinstance(shape, ir.Const):
            return len(shape.value) if isinstance(shape.value, tuple) else 1
        return 1 if isinstance(shape, ir.Var) and self._basic_index((shape,), slices=False) else None

    def _basic_index(self, index, slices: bool = True) -> bool:
        """Can `y[index] = v` write one element twice? Not with ints and slices (basic indexing): constants, names
        of ints, and slices the function makes (`K[e:e + 2, e:e + 2]` in a loop: `t7 = slice(e, e + 2, None)`).
        Without `slices`, ints alone (names of slices are not: `y[t7]` is a view, not an element)."""
        if self._ints is None:
            self._ints = integers(self.fn) | range_targets(self.fn.body) | self._python_ints()
            self._slices = {s.target for s in ir.statements(self.fn.body) if isinstance(s, ir.Assign) and
                            isinstance(s.value, ir.Call) and s.value.op == "slice" and not s.value.kwargs}

        def basic(v):
            return v is None or v is Ellipsis or isinstance(v, (int, slice)) and not isinstance(v, bool) or \
                isinstance(v, tuple) and all(basic(x) for x in v)
        return all(basic(a.value) if isinstance(a, ir.Const) else a.name in self._ints or
                   slices and a.name in self._slices for a in index)

    def _zero_in_place(self, g, stmts: list, contrib, value: ir.Call):
        """An array's adjoint that this sweep made itself (by an earlier write's adjoint, or a copy
        entering a reversed loop) has the overwritten elements zeroed in place: `by[i] = 0.0` where
        one element of a numeric array was written (its adjoint was read as a number, a copy), else
        `rt.zero_at`. Returns the base's adjoint after the write.

        `stmts` is the buffer the rule's adjoint was just emitted into (statements.py's Emitter), not yet
        part of the output: its last statement, the rule's `rt.setitem_adjoint`, is replaced while it is being
        built, before anything reads it."""
        if not (stmts and isinstance(contrib, ir.Var) and stmts[-1].target == contrib.name):
            return contrib
        call = stmts[-1].value
        # (a write of the whole array gives the written value all of g, g itself (rules/indexing.py): a copy)
        if call.op == "s2s.runtime.setitem_adjoint" and isinstance(g, ir.Var) and g.name in self.owned and \
                not _whole(value.args[1:-1]):
            # (`by[i] = 0.0` where by is one array from where it is made; after a join, generated code
            # transformed again would take it for an array of unknown origin: rt.zero_at, in place too)
            if self._zeroed_in_place(g, value) and g.name not in self.joined:
                stmts[-1] = ir.Effect(ir.Call("setitem", call.args + (ir.Const(0.0),)), stmts[-1].loc)
                return g
            stmts[-1].value = ir.Call("s2s.runtime.zero_at", call.args, call.kwargs)
        self.owned.add(contrib.name)
        return contrib


def _whole(index) -> bool:
    """Is `y[index] = v` a write of all of y, as `y[()]` or `y[...]` (maybe of a 0-d array, whose adjoint
    the sweep's own arithmetic turns into a number that cannot be written in place)?"""
    return all(isinstance(a, ir.Const) and (a.value == () or a.value is Ellipsis) for a in index)


# what makes a written array that other names made before it may share memory with (views are never written)
def _key_write(setitem: ir.Call) -> bool:
    """Is `setitem` the write of a dict's key (`q['w'] = v`, a string constant)?"""
    index = setitem.args[1:-1]
    return len(index) == 1 and type(index[0]) is ir.Const and type(index[0].value) is str


NOT_FRESH = prims.MAY_SHARE_MEMORY | {"pop"}
_CONTAINERS = (dict, list, set, collections.deque)


def _new_container(call: ir.Call, free: dict) -> bool:
    """Does `call` make a new dict, a display or a copy (`{}`, dict(p)), or call a container class of Python's
    (collections.defaultdict(float), OrderedDict(pairs)): a new object whose keys and slots no other name holds?"""
    if call.op == "dict" or call.op in prims.DICT_MAKERS:
        return True
    cls = free.get(call.args[0].name, (None,))[0] if call.op == "call" and call.args and \
        type(call.args[0]) is ir.Var else None
    return isinstance(cls, type) and issubclass(cls, _CONTAINERS) and cls.__module__ in ("builtins", "collections")


# calls that read only the shape (and dtype) of these operands, which restoring elements keeps
SHAPE_ONLY = {prims.SHAPE: None, prims.NDIM: None, prims.SIZE: None, "builtins.len": None,
              "s2s.runtime.zeros_like": None, "s2s.runtime.unbroadcast": (1,), "s2s.runtime.getitem_adjoint": (1,),
              "s2s.runtime.sum_adjoint": (1,), "s2s.runtime.mean_adjoint": (1,), "s2s.runtime.add_at": (2,)}


def _carrying_loop(body: list, root: str, loops: tuple = ()) -> tuple:
    """(the loop whose body makes the array `root` anew on every iteration, not in a loop nested in it; the
    number of loops around that loop), or (None, None). Only a loop with no `break` or `continue` of its own
    carrying a value to its header: its header phis then hold an array of an earlier iteration, never this
    iteration's `root`, and its reversed iterations each see their own `root`."""
    for s in body:
        if isinstance(s, ir.Assign) and s.target == root:
            if loops and not _leaves_early(loops[-1].body):
                return loops[-1], len(loops) - 1
            return None, None
        for block in ir.blocks(s):
            if any(isinstance(t, ir.Assign) and t.target == root for t in ir.statements(block)):
                return _carrying_loop(block, root, loops + (s,) if isinstance(s, ir.Loop) else loops)
    return None, None


def _leaves_early(body: list) -> bool:
    """Does `body` hold a `break` or `continue` of its own loop (outside loops nested in it)?"""
    return any(isinstance(s, (ir.Break, ir.Continue)) or
               not isinstance(s, ir.Loop) and any(_leaves_early(b) for b in ir.blocks(s)) for s in body)


def _sharing_memory(fn: ir.Function, arrays: dict, root: str, copies=frozenset(), carrying=None) -> set:
    """The names whose value may share memory with the array `root`: its versions (`arrays`), views of them
    (prims.MAY_SHARE_MEMORY, except the names in `copies`), copies, and the joins and loop variables
    taking them. The header phis of `carrying` (`_carrying_loop`), unless written in place, are left out:
    on each iteration they hold an array an earlier iteration made, whose restores the reversed loop does
    after this iteration's reads (a later iteration reads it through them before)."""
    out = {root} | {v for v, r in arrays.items() if r == root}
    changed = True
    while changed:
        changed = False
        for s in ir.statements(fn.body):
            new = []
            if isinstance(s, ir.Assign) and s.target not in copies and (
                    isinstance(s.value, ir.Var) and s.value.name in out or
                    isinstance(s.value, ir.Call) and s.value.op in prims.MAY_SHARE_MEMORY
                    and any(n in out for n in walk_vars(s.value))):
                new.append(s.target)
            for p in getattr(s, "phis", ()):
                if s is carrying and p.target not in arrays:
                    continue
                if any(isinstance(o, ir.Var) and o.name in out for o in p.operands):
                    new.append(p.target)
            if isinstance(s, ir.Loop) and isinstance(s.target, str) and s.iter is not None and \
                    any(n in out for n in walk_vars(s.iter)):
                new.append(s.target)
            if isinstance(s, (ir.Break, ir.Continue)):
                new += [t for t, v in s.values.items() if isinstance(v, ir.Var) and v.name in out]
            for n in new:
                if n not in out:
                    out.add(n)
                    changed = True
    return out


def _value_reads(s) -> list:
    """The names statement `s` reads for more than their shape."""
    value = s.value if isinstance(s, (ir.Assign, ir.Effect)) else None
    if isinstance(value, ir.Call) and value.op in SHAPE_ONLY:
        shape_only = SHAPE_ONLY[value.op]
        return [n for i, a in enumerate(value.args) if shape_only is not None and i not in shape_only
                for n in walk_vars(a)] + [n for _, a in value.kwargs for n in walk_vars(a)]
    return [a.name for a in ir.operands(s) if isinstance(a, ir.Var)]


def self_root(atom) -> str:
    return atom.name if isinstance(atom, ir.Var) else "y"


def _numeric_filled(d) -> bool:
    """Is `d` np.zeros/ones/empty(shape) with no dtype, or a constant one that is not `object`?"""
    if d is None or d.op not in prims.FILLED:
        return False
    dtype = dict(d.kwargs).get("dtype", d.args[1] if len(d.args) > 1 else None)
    return dtype is None or isinstance(dtype, ir.Const) and dtype.value not in (object, "object", "O")
