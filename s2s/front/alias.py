"""The mutation and aliasing model (docs/semantics.md): `ir.Function -> ir.Function`.

SSA gives every value its own immutable name; NumPy lets several names, views
and containers share one array, and a write through one of them is seen by
all. This pass runs right after SSA construction and makes the SSA program
mean what NumPy executes, or refuses it with a located error. Never a guess:

- An array the function made is one object whose versions are its element
  writes (`setitem`) and in-place operators (`y += v`). A read of an older
  version after a newer one exists comes through another name bound to the
  same array (`z = y; y[0] = 1.0; z`): it reads the newest version, as NumPy
  does.
- A value that may share memory with such an array without being it (a
  slice, `.T`, `reshape`, a tuple or list holding it, a loop's row) and is read
  after the array was written is refused: NumPy's view would show the write.
  An element read at integer positions along every axis of an array whose
  axes are known (`prev = y[t]` of `y = np.zeros(n)`) is a number, a copy;
  a row written at other integers only (`up = D[i - 1]` while `D[i, j]` is
  written, i counting from 1) is left as it was (alias_elements.py).
- A name a loop or a branch binds to one of several arrays the function made
  (`cum = cum * a` in a loop; `y = a * 2.0` in one branch) may be written as an
  array of its own (ssa.py). The write changes whichever of them it holds, so
  a later read of any of them through another name (one bound before the loop
  or the branch, a view, a container) is refused: NumPy's value depends on the
  path taken.
- An in-place operator (`y += v`) rebinds a number but changes an ndarray in
  place. Where that difference shows (the caller's argument, module data,
  another name or a view or container still read afterwards), the generated
  code checks that it is given a number (`rt.require_immutable`, which raises
  at the user's line for an array); elsewhere it is the same either way.

The analysis is a may-alias analysis over the structured IR in program order
(loops: a value made before a loop and read in it sees the loop's writes from
the second iteration on).
"""
from __future__ import annotations

import ast
import copy
import types

from s2s import ir, prims
from s2s.prims import MAY_SHARE_MEMORY as VIEWS, MAY_RETURN_OPERAND, NO_COPY_RETURNS_OPERAND, NO_COPY_WRITES_OPERAND
from s2s.ir.names import Namer, base_name
from s2s.ir.walk import array_versions, defined_names, definitions
from s2s.front.alias_calls import CALLED, CallAliases, returned_operands
from s2s.front.alias_elements import INTEGER_ARITHMETIC, ElementAliases, assigned_text, unshared_factors, written_name
from s2s.front.alias_errors import AliasErrors, helper_parameter, is_temp, items_copied
from s2s.front.alias_joins import JoinAliases
from s2s.front.alias_lists import ListAliases
from s2s.front.alias_loops import LOOP_WRITTEN, SHARED, LoopAliases, loops_of
from s2s.front.containers import CONTAINERS, DICTS, ITERATED, ContainerChecks
from s2s.front.item_loops import CHANGED_ITEM
from s2s.front.item_operators import operator_text
from s2s.front.ufunc_messages import out_advice


def check_aliases(fn: ir.Function) -> ir.Function:
    """`fn` with reads through aliases of written arrays made exact, or a located error."""
    fn, raw = copy.deepcopy(fn), fn
    names = set(fn.params) | set(defined_names(fn.body)) | set(fn.free)
    aliases = _Aliases(fn, Namer(names))
    aliases.raw = raw.body  # (the SSA as built, which the pass leaves as it was: item_operators.alone)
    aliases.block(fn.body)
    _insert_guards(fn.body, aliases.guards)
    fn.body[0:0] = list({(e.value.args[0], e.value.args[1]): e for e in aliases.entry_checks}.values())
    return fn


class _State:
    """What is known at one point of the program."""

    def __init__(self):
        self.current: dict[str, str] = {}  # array (root) -> its newest version
        self.writes: dict[str, int] = {}  # array -> how many writes so far
        self.last_write: dict[str, ir.Loc | None] = {}

    def copy(self) -> "_State":
        out = _State()
        out.current, out.writes, out.last_write = dict(self.current), dict(self.writes), dict(self.last_write)
        return out


class _Aliases(ContainerChecks, ListAliases, LoopAliases, JoinAliases, CallAliases, ElementAliases, AliasErrors):
    def __init__(self, fn: ir.Function, namer: Namer):
        self.fn = fn
        self.arrays = array_versions(fn.body)  # versions of arrays written in place -> the array's first name
        # (those with versions of their own: the others are written only through a phi that may be them, ssa.py)
        self.versioned = {r for v, r in self.arrays.items() if v != r}
        self.own_phis = {d.target for d in definitions(fn.body) if isinstance(d, ir.Phi) and d.array == d.target}
        self.defined = {d.target: d.value if isinstance(d, ir.Assign) else d.operands for d in definitions(fn.body)}
        self.factors = unshared_factors(fn.body)  # U of U, s, Vt = np.linalg.svd(a): a new array
        self.through: dict[str, tuple] = {}  # an array SHARED marks -> (the phi written, the write's loc)
        self.joined: set = set()  # those phis, once written
        self.namer = namer
        self.root: dict[str, str] = {}  # version -> the array (its first version's name)
        self.refs: dict[str, dict] = {}  # a view -> {array: writes to it when the view was made}
        self.made: dict[str, ir.Loc | None] = {}  # a view -> where it was made
        self.visible = set(fn.params) | set(fn.free)  # objects the caller (or the module) holds
        self.born: dict[str, int] = {}  # version -> the write count of its array when it was made
        self.kinds: dict[str, dict] = {}  # array -> write count -> [(Assign, base)] of in-place operators, or None
        self.places: dict[str, dict] = {}  # array -> write count -> [the indexes its element writes write], or None
        self.counters: dict[str, ir.Call] = {}  # a loop's target -> the range it counts through
        self._kept_items = None
        self.guards: dict[int, tuple] = {}  # in-place operators that must find a number: id -> (Assign, base, holder)
        self.state = _State()
        self.same: dict[str, str] = {}  # a loop phi or copy -> the caller's object it starts as
        self.entry_checks: list = []  # checks that an argument updated in place is a number
        self.indexed: dict[str, tuple] = {}  # `t = y[index]` -> (y, index)
        self.maybe_same: dict[str, list] = {}  # `z = y.astype(t, copy=False)`, `z = max(y, w)` -> [y, w]: z may be
        # one of them or a view of it
        self.ranges: set[str] = set()  # `t = range(...)`
        self.ints: set[str] = set()  # the targets of loops over a range: integers
        self.ranks: dict[str, int] = {}  # an array the function made -> its number of axes, where known
        self.slices: dict[str, ir.Atom] = {}  # `t = slice(a, b, step)` -> its step
        self.made_by: dict[str, ir.Call] = {}  # a name -> the call that made it
        self.iterated: dict[str, str] = {}  # `rows = list(z)` -> how to copy it where it is taken (list(z.copy()))
        self.joins: dict[str, list] = {}  # a phi -> the values it may be (a loop's: the one entering it)
        self.nested = 0  # how many loops and branches are around the statement
        self.holders: dict[int, tuple] = {}  # an in-place operator on a view -> whose change it makes (`holder`)
        self.held: dict[str, dict] = {}  # a container written by key -> {key: ({object: writes seen}, where stored)}
        self.maybe_held: dict[str, dict] = {}  # an argument's copy written by item -> what a list's holds, maybe_stored
        self.copied_from: dict[str, ir.Var] = {}  # `q = p.copy()` of the caller's p (a dict or an array) -> p
        self.pending: list | None = None  # statements to put before the one being read (`refresh_held`)
        self.inside: list = []  # the loops around the statement, innermost last (their ids, as `loop_of` has them)
        self.loop_of = loops_of(fn.body)  # a name -> the innermost loop defining it (its id), if any
        self.loop_lines = {t.loc.line for loop in ir.statements(fn.body) if isinstance(loop, ir.Loop)
                           for t in [loop] + list(ir.statements(loop.header + loop.body)) if t.loc is not None}

    # ----- facts about values
    def definition(self, name: str):
        """The Call, Var or Const defining `name`, a phi's operands, or None (a parameter)."""
        return self.defined.get(name)

    def objects(self, atom) -> dict:
        """{array or caller-visible object: writes seen} that `atom` may share memory with."""
        if not isinstance(atom, ir.Var):
            return {}
        name = atom.name
        if name in self.root:
            r = self.root[name]
            return {r: self.state.writes.get(r, 0), **self.held_objects(r)}  # (a container: and what it holds)
        if name in self.visible:  # (Python's classes and functions, `defaultdict(float)`'s factory: no array)
            free = self.fn.free.get(name)
            free = free[0] if isinstance(free, tuple) and free else free
            return {} if isinstance(free, (type, types.BuiltinFunctionType)) and free.__module__ == "builtins" else \
                {name: 0}
        if name in self.refs:
            return dict(self.refs[name])
        return {name: self.state.writes.get(name, 0)}  # made here: an object of its own

    def view_of(self, target: str, atoms, loc) -> None:
        refs: dict = {}
        for a in atoms:
            for r, n in self.objects(a).items():
                refs[r] = min(n, refs.get(r, n))
        if refs:
            self.refs[target] = refs
            self.made[target] = loc

    # ----- reads
    def read(self, atom, loc, whole: bool = True, held: bool = True):
        """The atom to read in place of `atom` (the newest version of an array), or a located error (`whole`: read
        as a whole, not by item as `passes_items` says; `held`: not as the container a key is written into)."""
        if not isinstance(atom, ir.Var):
            return atom
        name = atom.name
        r = self.root.get(name)
        if r is None and name in self.state.current:  # an array read by its first name
            r = name
        if r is not None:
            if whole and held:
                self.read_held(name, r, loc)
            newest = self.state.current.get(r, name)
            if newest == SHARED:
                phi, wrote = base_name(self.through[r][0]), self.through[r][1]
                line = wrote.line if wrote else "?"
                if is_temp(phi):  # (`v = c and y`: the user's name for the value of the `and` written into)
                    phi = written_name(wrote.text if wrote else "") or "the array"
                raise self.error(loc, f"reading the array that '{base_name(name)}' was bound to, after line {line} wrote "
                                      f"into '{phi}', which a loop or a branch may have left bound to that same array",
                                 f"NumPy's value depends on the path taken: copy before line {line} ({phi} = np.copy("
                                 f"{phi})) so that the write changes an array of its own, or read it first",
                                 base_name(name))
            if newest == LOOP_WRITTEN:
                if self.by_operators(r, self.born.get(name, 0)):
                    return atom  # (checked to be numbers: the old value, as Python rebinds)
                raise self.loop_written(name, loc)
            if newest != name and self.by_operators(r, self.born.get(name, 0)):
                # `z = y; y += v`: z keeps the old value if y is a number (as read here); an array is
                # refused when the operator runs
                return atom
            return ir.Var(newest)
        for obj, seen in self.refs.get(name, {}).items() if whole else ():
            if self.state.writes.get(obj, 0) > seen and not self.by_operators(obj, seen, name) and \
                    not self.apart(name, obj, seen) and not self.own_generated(loc, name, obj):
                raise self.stale(name, obj, loc)
        return atom

    def dict_key(self, value: ir.Call) -> bool:
        """Is `value` the first of a pair that iterating a dict's items() gives (`rt.iterated(pairs[i], 2)[0]` of
        `pairs = rt.dict_items(q)`): a key?"""
        made = [value]
        for op in (prims.ITERATED, "getitem", prims.METHODS["items"]):
            last = made[-1]
            base = last.args[0] if isinstance(last, ir.Call) and last.args else None
            made.append(self.made_by.get(base.name) if isinstance(base, ir.Var) else None)
            if not isinstance(made[-1], ir.Call) or made[-1].op != op:
                return False
        return value.op == "getitem" and value.args[1:] == (ir.Const(0),)

    def kept_entering(self, name: str) -> str | None:
        """The item of a container made anew (`kept_items`) that the loop's name `name` enters its loop as, where
        each other value it may be is made from it by an in-place operator (`p -= v` in an inner loop); else None."""
        operated = {d.target: d.value.args[0].name for d in ir.statements(self.fn.body) if isinstance(d, ir.Assign)
                    and d.inplace and isinstance(d.value, ir.Call) and d.value.args and
                    isinstance(d.value.args[0], ir.Var)}
        seen, todo, found = set(), [name], set()
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            if n in self.kept_items() and n in self.indexed:
                found.add(n)
            elif n in self.joins:
                todo += [a.name for a in self.joins[n] if isinstance(a, ir.Var)]
            elif n in operated:
                todo.append(operated[n])
            else:
                return None
        return found.pop() if len(found) == 1 else None

    def kept_items(self) -> set:
        """The items a loop's in-place operator changes, which the loop's container is made anew with
        (`rt.changed_item(p, ...)`, item_loops.py)."""
        if self._kept_items is None:
            self._kept_items = {s.value.args[0].name for s in ir.statements(self.fn.body) if isinstance(s, ir.Assign)
                                and isinstance(s.value, ir.Call) and s.value.op == CHANGED_ITEM and
                                isinstance(s.value.args[0], ir.Var)}
        return self._kept_items

    def by_operators(self, r: str, seen: int, reader: str = "") -> bool:
        """Were the writes to `r` after the `seen`-th all in-place operators? Then each is checked to
        update a number (which Python rebinds, so nothing else sees it). `reader`: a view of `r`, or a container
        holding it or a view, read after them (`hist.append(x.reshape(2)); x += k`), which an element write by r's
        own name would leave stale too: the refusal names it, not that write."""
        later = [w for n, w in self.kinds.get(r, {}).items() if n > seen]
        if any(w is None for w in later):
            return False
        kept = self.kept_item(reader or r, [a for w in later for a, _ in w], not reader)  # (`first = theta[0]`)
        holder = reader  # (`o` of `for o in out`, a generator's too: the container 'out' holds the array)
        while holder and isinstance(d := self.definition(holder), ir.Call) and d.op in ("getitem", prims.ITERATED) \
                and d.args and isinstance(d.args[0], ir.Var):
            holder = d.args[0].name
        reader = reader if not holder or is_temp(base_name(holder)) else holder
        held = () if not reader or is_temp(base_name(reader)) else (("held_by", ir.Const(base_name(reader))),) + \
            self.held_result(reader, [a for w in later for a, _ in w])
        for a, base in (p for w in later for p in w):
            keys = self.holders.get(id(a), ()) + (held if self.holders.get(id(a)) == (("own", ir.Const(True)),) else ())
            self.guards[id(a)] = (a, base, keys or (kept if self.guards.get(id(a), (0, 0, kept))[2] == kept else ()))
        return True

    def holder(self, objects: dict, view: str = "") -> tuple:
        """The keywords of `rt.require_immutable` that say whose change a new value would drop: the caller's
        argument that holds the array (`rm = state['rm']; rm *= 0.9`), or the function's own array it is a view
        of (`hv = h[:, :2]; hv *= 2.0`), with the part the `view` changed is where the user took it by an index
        (`row = alpha[t]; row /= s`: 'alpha[t]'); or the function's own arrays it may be, an item of a container
        (`w = d[k]; w *= 2.0`: 'a', 'b' and 'd') or one of several (`m = min(a, b)`), each written by its own name."""
        callers = sorted(o for o in objects if o in self.fn.params)
        view, again = self.taken_as(view), view  # (`again`: a loop's name for the view, read in the next iteration)
        copy = self.indexed.get(view, (None,))[0]  # `a = y[:, :3]` of `y = x.copy()`: x's item (x a dict or a list),
        if callers and isinstance(copy, ir.Var) and self.copied_from.get(self.root.get(copy.name, copy.name)):
            own = self.holder({o: n for o, n in objects.items() if o not in callers}, again)  # or a view of y's own
            return (("caller", ir.Const(callers[0])), ("copy", copy)) + own  # (x an array): the run tells
        if callers:
            return (("caller", ir.Const(callers[0])),)
        mine = [o for o in objects if o not in self.visible and o not in self.ranges and not self.constant_item(o)]
        held = {base_name(o) for o in mine if self._made_as(o, CONTAINERS | DICTS)}
        own = sorted({base_name(o) for o in mine} - held)
        named = tuple(o for o in own if not is_temp(o))
        containers = sorted({self.spelled_container(c) for c in held if not is_temp(c)})  # (`opt`, not `items`)
        if not named and self.anew(view, DICTS, CONTAINERS):  # (`for w in ws: w *= c`: ws made anew)
            return self.anew(view, DICTS, CONTAINERS)
        if held and (named or containers) or len(named) > 1:
            # (an item of a container, `w = d[k]`, or one of several arrays: no array to write into, but each it is)
            return (("arrays", ir.Const(named)),) + tuple(("container", ir.Const(c)) for c in containers[:1])
        if len(own) != 1 or is_temp(own[0]) or own[0] == base_name(view):
            return ()  # (a value no name of the user's holds: no name to write it by; the array itself, no view)
        made = self.made.get(view)
        part = assigned_text(made.text, ast.Subscript) if made is not None and view in self.indexed else None
        if not part or written_name(f"{part} = 0") != own[0]:
            return (("base", ir.Const(own[0])),)
        return (("base", ir.Const(own[0])), ("part", ir.Const(part))) + ((("again", ir.Const(True)),)
                                                                       if again != view else ())

    def taken_as(self, view: str) -> str:
        """The name `view` was taken as by an index (`inner = u[1:-1]`), where it is a loop's or a join's name for
        it (`inner += D * lap` in a loop changes the loop's `inner_1`): the one view its phis lead back to, else
        `view`."""
        if view in self.indexed:
            return view
        found = {name for name in self.phi_sources(view) if name in self.indexed}
        return found.pop() if len(found) == 1 else view

    def read_call(self, call: ir.Call, loc, whole: bool = True) -> ir.Call:
        # (the container a key is written into is not read: `cache["z"] = z` after cache's arrays changed)
        args = tuple(a if i == 0 and call.op == CHANGED_ITEM else  # (its item's type only: a number it keeps
                     self.read(a, loc, i > 0 or whole, i > 0 or call.op != "setitem")  # is as it was, item_loops.py)
                     for i, a in enumerate(call.args))
        kwargs = tuple((k, self.read(v, loc)) for k, v in call.kwargs)
        return ir.Call(call.op, args, kwargs)

    def read_expr(self, value, loc, whole: bool = True):
        return self.read_call(value, loc, whole) if isinstance(value, ir.Call) else self.read(value, loc, whole)

    # ----- statements
    def block(self, stmts: list) -> None:
        i = 0
        while i < len(stmts):
            s = stmts[i]
            self.pending = [] if isinstance(s, (ir.Assign, ir.Effect, ir.Return)) else None
            if isinstance(s, ir.Assign):
                i += self.assign(stmts, i, s)
            elif isinstance(s, ir.Effect):
                s.value = self.read_call(s.value, s.loc)
            elif isinstance(s, ir.Return):
                s.value = self.read(s.value, s.loc)
            elif isinstance(s, (ir.Break, ir.Continue)):
                s.values = {k: self.read(v, s.loc) for k, v in s.values.items()}
            elif isinstance(s, ir.If):
                self.if_(s)
            elif isinstance(s, ir.Loop):
                self.inside.append(id(s))
                self.loop(s)
                self.inside.pop()
            if self.pending:  # (a container stored again before it is read, `refresh_held`)
                stmts[i:i] = self.pending
                i += len(self.pending)
            self.pending = None
            i += 1

    def assign(self, stmts: list, i: int, s: ir.Assign) -> int:
        """Handle `s` (at stmts[i]); returns how many statements were inserted before it."""
        value = s.value
        out = dict(value.kwargs).get("out") if isinstance(value, ir.Call) else None
        if out is not None and out != ir.Const(None):
            raise self.error(s.loc, "a call with out= (it writes its result into an existing array in place)",
                             out_advice(s.loc.text if s.loc is not None else ""), "out")
        if isinstance(value, ir.Call) and value.op == "setitem":
            s.value = self.read_call(value, s.loc)
            self._key_write(s)
            self._element_operator(s)
            base = s.value.args[0]
            origin = self.maybe_same_origin(base.name) if isinstance(base, ir.Var) else None
            if origin is not None:
                raise self.maybe_same_write(origin, s.loc)
            self.overlapping_write(s.value, s.loc)
            self.write(s.target, s.value.args[0], s.loc, index=s.value.args[1:-1])
            self.key_store(s)
            self.maybe_stored(s)
            return 0
        if s.inplace and isinstance(value, ir.Call) and value.args and isinstance(value.args[0], ir.Var):
            base = value.args[0]
            s.value = self.read_call(value, s.loc)
            base = s.value.args[0]
            objects = self.objects(base)
            self.joined_item(s, base)  # (`a = q[0]` of `q = ws + vs`, the caller's lists: containers.py)
            if base.name in self.root or base.name not in self.visible | set(self.refs):
                root = self.root.get(base.name, self.arrays.get(base.name))  # (or an array read by its first name)
                if root is not None and root in self.versioned and base.name in self.arrays and \
                        self.arrays.get(s.target) != root:
                    # another name for an array whose elements the function writes: NumPy changes that one
                    # object, which s2s keeps one object only when it is written by its own name
                    name = base_name(s.target)
                    raise self.error(s.loc, f"an operator that changes '{name}' in place, another name for "
                                            f"the array '{base_name(root)}' whose elements the function writes",
                                     f"write it by the array's own name: {base_name(root)} *= ...", name)
                # the function's own value, updated in place: its next version (checked to be a
                # number if anything else reads the old one, see `by_operators`; an array is refused saying that
                # an element write, which s2s follows, keeps NumPy's meaning)
                self.holders[id(s)] = (("own", ir.Const(True)),)
                self.write(s.target, base, s.loc, [(s, base)])
                return 0
            kept = self.kept_entering(base.name) if base.name in self.joins and objects else None
            if kept is not None:  # (`for p in params: for t in ...: p -= v`: an inner loop's name for the item)
                self.item_kept(s, kept, base, objects)
                return 0
            if base.name in self.joins and objects and not set(objects) & self.visible:
                # a name a loop or a branch bound to one of several arrays the function made: the generated code
                # rebinds it, and a later read of any of them through another name is checked to be a number
                # (`read`: written through another name, by in-place operators alone; an array is refused advising
                # a write into each by its own name, `holder`)
                self.holders[id(s)] = self.holder(objects, base.name)
                for r in sorted(objects):
                    self.count_write(r, s.loc, [(s, base)])
                    if self.state.current.get(r) != SHARED:
                        self.state.current[r] = LOOP_WRITTEN
                return 0
            origin = self.same.get(base.name, base.name)
            if origin in self.visible:  # the caller's own object: checked once, on entry
                self.entry_checks.append(_require_immutable(ir.Var(origin), s.loc, self.holder({origin: 0})))
            elif objects and self.made_here(objects, base.name):
                # a view of the function's own values (`v = (x * 2.0).reshape(n)`, `.T`; a helper's `np.reshape(flat,
                # shape)`): changing it changes them, which only a later read of one of them, or of another view,
                # shows: that read is checked to find a number (`read`, `by_operators`), else it is the same
                self.holders[id(s)] = self.holder(objects, base.name)
                for r in sorted(objects):
                    self.count_write(r, s.loc, [(s, base)])
                    if self.state.current.get(r) != SHARED:
                        self.state.current[r] = LOOP_WRITTEN
            elif objects and base.name in self.indexed and base.name in self.kept_items():
                # an item of a list or a dict that the loop makes anew with its new value (item_loops.py): what else
                # may hold it is checked as for `q[k] op= v` (item_operators.py)
                self.item_kept(s, base.name, base, objects)
            elif objects:  # a view or element of something else: NumPy would write through it
                self.guards[id(s)] = (s, base, self.holder(objects, base.name))
            return 0
        item = self.resolved_item(value) if isinstance(value, ir.Call) else None
        if isinstance(item, ir.Const):  # (`t = s[1]` holding a number: read as it is, holding nothing)
            s.value = self.read_call(value, s.loc, whole=False)
            return 0
        if item is not None and value.op == "getitem":  # (`d["z"] += v` changes that item: `_element_operator`)
            self.indexed[s.target] = (self._newest(value.args[0]), value.args[1:])
        # (`cache["z"]`: the array z, as it is now; `zz, t = s` of a namedtuple: s read by item)
        value = value if item is None else item
        s.value = self.read_expr(value, s.loc, not self.passes_items(value))
        if isinstance(s.value, ir.Call):
            self.made_by[s.target] = s.value
            rank = self.made_rank(s.value)
            if rank is not None:
                self.ranks[s.target] = rank
        if isinstance(s.value, ir.Call) and s.value.op == "builtins.range":
            self.ranges.add(s.target)
        if isinstance(s.value, ir.Call) and s.value.op in INTEGER_ARITHMETIC and not s.value.kwargs and \
                all(_int_const(a) or isinstance(a, ir.Var) and a.name in self.ints for a in s.value.args):
            self.ints.add(s.target)  # `j + 1` of a range's j: an integer too
        if isinstance(s.value, ir.Call) and s.value.op == "slice" and not s.value.kwargs:
            self.slices[s.target] = s.value.args[2] if len(s.value.args) == 3 else ir.Const(None)
        if isinstance(s.value, ir.Call):
            self.changes_argument(s.value, s.loc)
        if isinstance(s.value, ir.Var):
            self.view_of(s.target, [s.value], s.loc)  # (a copy of a name: the same object)
            if s.value.name in self.root:
                self.root[s.target] = self.root[s.value.name]
            elif item is not None and s.value.name not in self.refs and s.value.name not in self.visible:
                self.root[s.target] = s.value.name  # (`r = cache["z"]`: another name for the array z, as `r = z` is)
        elif isinstance(s.value, ir.Call) and _writes_operand(s.value):
            spelled = prims.spelling(s.value.op)
            raise self.error(s.loc, f"{spelled}(..., copy=False), which writes into its argument",
                             f"leave out copy=False: y = {spelled}(x) is a new array")
        elif isinstance(s.value, ir.Call) and _may_return_operand(s.value):
            # `y.astype(np.float64, copy=False)`, `np.array(y, copy=False)`: y itself where no conversion is needed
            self.view_of(s.target, s.value.args[:1], s.loc)
            if isinstance(s.value.args[0], ir.Var):
                self.maybe_same[s.target] = [s.value.args[0].name]
        elif isinstance(s.value, ir.Call) and s.value.op.startswith(CALLED):
            # `y = head(x)`: a function of the user's with a rule (or nondifferentiable, or recursive) is called, not
            # read, and may return an argument itself or a view of one (`return x[:2]`)
            shared = [a for a in list(s.value.args) + [v for _, v in s.value.kwargs] if isinstance(a, ir.Var)]
            if shared:
                self.view_of(s.target, shared, s.loc)
                self.maybe_same[s.target] = [a.name for a in shared]
        elif isinstance(s.value, ir.Call) and self.known_key(s.value)[0] in MAY_RETURN_OPERAND:
            # `t = np.einsum('ij->ji', y)`, `m = max(a, b)`, `z = np.real_if_close(y)`: y itself or a view of it where
            # the arguments do not decide it here
            shared = returned_operands(*self.known_key(s.value))
            if shared:
                self.view_of(s.target, shared, s.loc)
                self.maybe_same[s.target] = [a.name for a in shared]
        elif isinstance(s.value, ir.Call) and (s.value.op == prims.COPY_METHOD or s.value.op in prims.DICT_MAKERS and
                                               len(s.value.args) == 1 and isinstance(s.value.args[0], ir.Var) and
                                               not s.value.kwargs and self.mapping(s.value.args[0].name)):
            self.shallow_copy(s.target, s.value, s.loc)  # (`q = p.copy()` of a dict or a list holds p's arrays)
        elif isinstance(s.value, ir.Call) and self.drawn(s.value):
            pass  # `z = rng.standard_normal(n)`: a new array
        elif isinstance(s.value, ir.Call) and s.value.op in ITERATED and len(s.value.args) == 1 and \
                isinstance(s.value.args[0], ir.Var) and self.mapping(s.value.args[0].name):
            pass  # `list(d)` of a dict: its keys, hashable, which no array is
        elif isinstance(s.value, ir.Call) and s.value.op == "getitem" and self.items_taken(s):
            pass  # `old = ys[0]`, `ys[:]` of a list: its items, not a view of it (alias_lists.py)
        elif isinstance(s.value, ir.Call) and s.value.op in ITERATED and len(s.value.args) == 1:
            # `rows = list(z)`, `tuple(z)`: the rows of a 2-D array are views of it, the items of a sequence the
            # objects it holds (of a list: its items, not it, alias_lists.py)
            if not self.items_taken(s):
                self.view_of(s.target, s.value.args, s.loc)
            if isinstance(s.value.args[0], ir.Var):
                made = assigned_text(s.loc.text if s.loc is not None else "")
                items = items_copied(ast.parse(made, mode="eval").body) if made else None  # (list([T[:, i] for i
                self.iterated[s.target] = items if items is not None and made.startswith(  # in ...]): each copied)
                    ITERATED[s.value.op] + "(") else f"{ITERATED[s.value.op]}(v.copy() for v in " \
                    f"{made if made and is_temp(s.value.args[0].name) else base_name(s.value.args[0].name)})"
                # (np.unstack(y) is tuple(t1): tuple(v.copy() for v in np.unstack(y)))
        elif isinstance(s.value, ir.Call) and s.value.op == "getitem" and any(self._fancy(a) for a in s.value.args[1:]):
            pass  # `M[[1, 0]]`, `y[y > 0]`: NumPy's advanced indexing makes a copy
        elif isinstance(s.value, ir.Call) and self.element(s.value):
            pass  # `prev = y[t]` of a vector, `U[i, j]` of a matrix: a NumPy scalar, a copy
        elif isinstance(s.value, ir.Call) and self.dict_key(s.value):
            pass  # `k` of `for k, v in q.items()`: a key, hashable, which no array is
        elif s.target in self.factors:
            pass  # `U, s, Vt = np.linalg.svd(a)`: U is a new array, which nothing else holds
        elif isinstance(s.value, ir.Call) and (s.value.op in VIEWS or s.value.op == CHANGED_ITEM):
            # (a call s2s does not follow may return what it is given, not the function it calls: np.arange(3.0);
            operands = s.value.args[1:] if s.value.op in ("call", CHANGED_ITEM) else s.value.args  # changed_item: v)
            operands = operands[:1] if s.value.op == "getitem" else operands  # (an index is never what is read:
            # `back[t, path[t]]` is a part of back, or a copy, never of path)
            self.view_of(s.target, list(operands) + [v for _, v in s.value.kwargs] + self.items_of_copy(s.value), s.loc)
            if s.value.op == "getitem" and not s.value.kwargs:
                self.indexed[s.target] = (s.value.args[0], s.value.args[1:])
        return 0

    def write(self, target: str, base: ir.Var, loc, operators=None, index=None) -> None:
        """`target` is the next version of `base`'s array (`operators`: the in-place operators that made it,
        None for an element write, at `index`)."""
        if base.name in self.own_phis and base.name not in self.joined:
            self.write_joined(base.name, loc)
        r = self.root.setdefault(base.name, base.name)
        self.root[target] = r
        self.state.current[r] = target
        self.count_write(r, loc, operators, index)
        self.born[target] = self.state.writes[r]

    def count_write(self, r: str, loc, operators=None, index=None) -> None:
        """One more write to the array `r`, at `loc`, made by `operators` (None: an element write, at `index` if
        given)."""
        self.state.writes[r] = self.state.writes.get(r, 0) + 1
        self.state.last_write[r] = loc
        self.record_kind(r, self.state.writes[r], operators)
        self.record_places(r, self.state.writes[r], [index] if index is not None else None)

    def write_joined(self, phi: str, loc) -> None:
        """The first write into `phi`, a name a loop or a branch bound to one of several arrays the function made,
        written as an array of its own (ssa.py): from here on, each of those arrays may have changed, and a read
        of one through another name is refused (`read`, `stale`)."""
        for obj in sorted(() if self.list_join(phi) else self.objects(ir.Var(phi))):  # (`ys[k] = v`: a slot)
            if obj == phi:
                continue
            self.count_write(obj, loc)
            self.state.current[obj] = SHARED
            self.through[obj] = (phi, loc)
        # (an array of its own from here: its writes are counted afresh, and a read of the phi itself after its
        # first write reads the newest version, as another name for it does in NumPy)
        self.root[phi] = phi
        self.born[phi] = self.state.writes.get(phi, 0)
        self.joined.add(phi)

    def record_kind(self, r: str, n: int, operators) -> None:
        """The `n`-th write to `r` was made by `operators` (None: an element write). The branches of an if
        count their writes from the same number, so a second write with that number is merged with the first
        (both may have run): keeping only the last lost the other branch's operators, which then went unguarded
        (`z = y; if c: y += 1.0 else: y *= 2.0; ... z ...` read the old z where y was an array)."""
        kinds = self.kinds.setdefault(r, {})
        if n in kinds:
            known = kinds[n]
            operators = None if known is None or operators is None else known + operators
        kinds[n] = operators

def _require_immutable(value: ir.Atom, loc, holder: tuple = (), text: str = "") -> ir.Effect:
    """`rt.require_immutable(value, 'the user's statement', caller=...)`: a number goes on, an ndarray is refused
    (saying whose change a new value would drop: `holder`, see `_Aliases.holder`). `text`: the statement, where its
    line holds more (`q = dict(p); q['w'] *= 2.0`)."""
    statement = text or (operator_text(loc.text, base_name(getattr(value, "name", ""))) if loc else "")
    holder = tuple((k, ir.Const(helper_parameter(loc, v.value)) if k == "caller" and loc and loc.calls else v)
                   for k, v in holder)  # (in a helper: its own parameter's name)
    return ir.Effect(ir.Call("s2s.runtime.require_immutable", (value, ir.Const(statement)), holder), loc)


def _insert_guards(stmts: list, guards: dict) -> None:
    """Before each in-place operator in `guards`: `rt.require_immutable(base, 'the statement')`."""
    i = 0
    while i < len(stmts):
        s = stmts[i]
        if id(s) in guards:
            stmts.insert(i, _require_immutable(guards[id(s)][1], s.loc, guards[id(s)][2], *guards[id(s)][3:]))
            i += 1
        for block in ir.blocks(s):
            _insert_guards(block, guards)
        i += 1


def _may_return_operand(call: ir.Call) -> bool:
    """A cast or `np.array` told not to copy (`copy=False`, or a copy flag known only at run time), which
    returns its operand itself where no conversion is needed."""
    if not call.args or call.op not in NO_COPY_RETURNS_OPERAND:
        return False
    flag = dict(call.kwargs).get("copy")
    return flag is not None and flag != ir.Const(True)


def _writes_operand(call: ir.Call) -> bool:
    """`np.nan_to_num(z, copy=False)` (or a copy flag known only at run time): z changed in place."""
    position = NO_COPY_WRITES_OPERAND.get(call.op)
    if position is None:
        return False
    flag = dict(call.kwargs).get("copy", call.args[position] if len(call.args) > position else None)
    return flag is not None and flag != ir.Const(True)


def _int_const(a) -> bool:
    return isinstance(a, ir.Const) and type(a.value) is int
