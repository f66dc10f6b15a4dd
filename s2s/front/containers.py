"""What the alias stage (alias.py) knows of Python's containers and of NumPy's advanced indexes.

A list, a tuple or a dict the function made is one object, as an array is, but
the reverse sweep follows only some of the ways to change one; the rest is
refused at the user's line:

- `list(z)`, `tuple(z)` hold what iterating z gives: the rows of a 2-D array,
  views of it (alias.py follows them as it follows a slice);
- `d[k] = v` into a dict a loop or a branch carries (as ssa.py refuses it where
  the dict is written out); `ys[i] = v` into a list the function made is a new
  version of it, as an array's element write is (element_writes.py `list_object`);
- `rows[0] *= 2.0` (or `q["w"] += v` of a dict's copy, which holds the same
  arrays) changes the element itself where it is an array that may be shared:
  the generated code checks that nothing else holds it, or that it is a number
  (item_operators.py);
- an advanced index (`M[[1, 0]]`, `y[y > 0]`) reads a copy;
- a container holds the objects stored into it, not copies (`cache["z"] = z`: cache["z"] is z; `q = p.copy()` of a
  dict or a list holds p's arrays themselves; a namedtuple holds its fields): a later change of z shows through it.
  An item read at a constant key whose store is known here (`cache["z"]`, `cache.get("z")`, `s[0]`, `zz, t = s`)
  reads that object as it is now, as NumPy does (`stored`); a dict written by key and then read whole
  (`caches.append(cache)`, `return cache`) has each array changed since stored again first (`refresh_held`); any other
  read of a container holding an array changed since it was stored (a loop over a list of records, a dict display's
  item, a store in a branch) is refused (`check_held`).

`ContainerChecks` holds these methods of alias.py's `_Aliases`.
"""
from __future__ import annotations

import ast
import collections

from s2s import ir, prims
from s2s.front import dict_writes
from s2s.front.alias_elements import code
from s2s.front.alias_loops import LOOP_WRITTEN, SHARED
from s2s.front.indexes import advanced_index
from s2s.front.item_operators import ItemOperators, augmented_item, operator_text
from s2s.front.write_advice import dicts_joined_fix, key_write_fix
from s2s.ir.names import base_name
from s2s.ir.walk import is_slice

# calls that make a list or a tuple of what iterating their operand gives: a 2-D array's rows are views of it
ITERATED = {"builtins.list": "list", "builtins.tuple": "tuple"}
# what makes a list or a tuple (Python's containers: `xs[i] op= v` changes the element itself where it is an array)
CONTAINERS = frozenset({"list", "tuple", *prims.CONTAINER_COPIES, prims.APPENDED})
# (in the ops `_made_as` looks for: a list or an object array s2s writes as an array, `referring`)
REFERENCES = "s2s.front.references"
# what makes a dict (s2s follows a dict's keys where it is written out whole, not written key by key)
DICTS = frozenset({"dict", "builtins.dict", "s2s.runtime.dict_of", "s2s.runtime.dict_from_pairs"})
# the reads of one item of a container at a key: `d[k]`, `d.get(k)`
ITEM_READS = frozenset({"getitem", "s2s.runtime.dict_get"})
# the reads of a dict's items all at once (they hold its arrays)
DICT_READS = frozenset({"s2s.runtime.dict_values", "s2s.runtime.dict_items", "s2s.runtime.dict_get", "getitem"})
_RECORD = prims.RECORD_NEW  # record_new(cls, names, *values)
_PAIRS = "s2s.runtime.dict_from_pairs"  # (a comprehension's dict, dict(p): keys known at run time, as a deep copy's)
_DEEP_COPY = "s2s.runtime.deep_copy"  # copy.deepcopy(L): of a module's list, a list (rules/indexing.py)
_BEFORE = object()  # (the key of what a container held before its first key write: a display's items)


def _string_key(index: tuple) -> bool:
    """Is `index` one string constant, a dict's key (`q["w"]`)?"""
    return len(index) == 1 and isinstance(index[0], ir.Const) and isinstance(index[0].value, str)


class ContainerChecks(ItemOperators):
    """(mixed into alias.py's `_Aliases`; reads its state through `self`)"""

    OWN_CONTAINERS = CONTAINERS | DICTS

    def _fancy(self, index) -> bool:
        """Is `index` surely an advanced index (a list, an array, a comparison's booleans), whose read is a copy?
        (indexes.advanced_index)"""
        return advanced_index(index, self.made_by.get)

    def _key_write(self, s: ir.Assign) -> None:
        """`params[k] = v` where `params` is a dict a loop or a branch carries (`for k in keys: params[k] =
        params[k] * 2.0`, `tally['neg'] = v`): the one dict the function made, written in place as Python does,
        where nothing but its own name holds it (dict_writes.py); refused where a container or a call keeps the
        dict itself (`snaps.append(d)`: it would show later iterations' writes), or where a branch joins two dicts
        written out (ssa.py follows a dict's keys where it is written whole; a dict from pairs, `dict(p)` or a
        comprehension's, has keys known only at run time: written by key in a branch's join too)."""
        base = s.value.args[0]
        if not (isinstance(base, ir.Var) and base.name in self.joins and self._made_as(base.name, DICTS)):
            return
        spelled = base_name(base.name)
        family, makers, joins = dict_writes.versions(self.fn.body, base.name)
        kept = (joins[0] if joins else dict_writes.holder(self.fn.body, family)) if len(makers) == 1 else None
        if kept is not None:
            where = f" (line {dict_writes.user_line(kept.loc)})" if kept.loc is not None else ""
            raise self.error(s.loc, f"a loop that writes keys of the dict '{spelled}' while another name, a "
                                    f"container or a call keeps that dict{where}",
                             f"Python's holder shows the later writes into the one dict: where it is meant to keep "
                             f"the values as they were, give it a copy ({spelled}.copy(), dict({spelled})); or read "
                             f"the dict's items by its own name", spelled)
        if len(makers) != 1 and self._made_as(base.name, DICTS - {_PAIRS}):
            raise self.error(s.loc, f"assignment to a key of the dict '{spelled}', one of several dicts the function "
                                    f"makes", dicts_joined_fix(spelled, s.value.args[1], s.loc.text if s.loc is not None
                                                               else ""), spelled)

    def dict_made(self, name: str) -> bool:
        """Is `name` one dict the function made (a display, `dict(...)`, a comprehension's: not a join of two)?"""
        _, makers, _ = dict_writes.versions(self.fn.body, name)
        return len(makers) == 1 and makers[0].op in prims.DICT_MAKERS and self._made_as(name, DICTS)

    def spelled_container(self, name: str) -> str:
        """The user's name for the container `name`: the dict made of it where it is a comprehension's list of pairs
        (`opt` of `opt = {k: ... for k in ks}`, not `items`, a name the user never wrote), else `name`."""
        made = [base_name(t) for t, c in self.made_by.items() if c.op == _PAIRS and c.args and
                isinstance(c.args[0], ir.Var) and base_name(c.args[0].name) == name]
        return made[0] if len(made) == 1 else name

    def _made_as(self, name: str, ops) -> bool:
        """Is `name` (any version of it, any value a join may be) made by one of `ops` (`REFERENCES` in them: or is
        a list or an object array that s2s writes as an array, `referring`)?"""
        return self._making(name, lambda made: made.op in ops or REFERENCES in ops and self.referring(made)) is not None

    def _making(self, name: str, test):
        """The call making `name` (any version of it, any value a join may be) that passes `test`, or None."""
        todo, seen = [name], set()
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            made = self.made_by.get(n)
            if made is not None and test(made):
                return made
            todo += [a.name for a in self.joins.get(n, ()) if isinstance(a, ir.Var)]
            if self.root.get(n, n) != n:
                todo.append(self.root[n])
        return None

    def _element_operator(self, s: ir.Assign) -> None:
        """`rows[0] *= 2.0` on a list, a tuple, a dict or a copy (SSA: `t = rows[0]; rows_1 = setitem(rows, 0, t *
        2.0)`): Python changes the element itself in place where it is an array, and that array may be shared (a
        row of z, the caller's x, another item). Where it may be, the generated code checks that nothing else holds
        it, or that it is a number (as for `y += v`): item_operators.py."""
        base, index, value = s.value.args[0], s.value.args[1:-1], s.value.args[-1]
        made = self.made_by.get(value.name) if isinstance(value, ir.Var) else None
        if not isinstance(base, ir.Var) or made is None or not made.args or not isinstance(made.args[0], ir.Var):
            return
        element = made.args[0]
        sliced = any(is_slice(i, self.defined) for i in index)
        container = self._made_as(base.name, CONTAINERS | DICTS | {REFERENCES}) or _string_key(index) or \
            self.copied_container(base.name) and not sliced  # (a string key: a dict's, whose copy, p.copy() or
        # dict(p), holds p's arrays themselves; a copy's item: a list's, where it copies a list, whose slice is new)
        joined = () if container or sliced else self._joined_arguments(base.name)
        read = self.indexed.get(element.name) == (base, index) or len(index) == 1 and isinstance(index[0], ir.Const) \
            and self.resolved_item(ir.Call("getitem", (base, index[0]))) == element  # (a display's item: no getitem)
        if not read or not (container or joined):
            return
        text = augmented_item(s.loc.text, base_name(base.name), index) if s.loc is not None and s.loc.text else ""
        if text is None:
            return  # `rows[0] = rows[0] * 2.0`: a new value, as Python makes
        if joined:  # (`q = ws + vs`: an array's sum, or a list holding the caller's arrays: checked as it runs)
            self.joined_item(s, element, text)
            return
        self.item_operator_check(s, base, index, element, text=text)  # (item_operators.py)

    def joined_item(self, s: ir.Assign, item: ir.Var, text: str = "") -> None:
        """Before `s`, an in-place operator on `item` read at an index from `q = ws + vs` (`q[0] *= 2.0`, `a = q[0];
        a *= 2.0`), of the caller's `ws`: the check as it runs that the item is none of their arrays (`q` an array's
        sum, a new array, passes)."""
        container, index = self.indexed.get(item.name, (None, ()))
        if not isinstance(container, ir.Var) or any(is_slice(i, self.defined) for i in index) or self.pending is None:
            return
        joined = self._joined_arguments(container.name)
        if joined:
            statement = text or (operator_text(s.loc.text, base_name(item.name)) if s.loc is not None else "")
            keywords = (("held_by", ir.Const(base_name(container.name))), ("names", ir.Const(tuple(
                base_name(a.name) for a in joined))))
            self.pending.append(ir.Effect(ir.Call("s2s.runtime.require_unshared", (
                item, ir.Const(statement), container, *joined), keywords), s.loc))

    def _joined_arguments(self, name: str) -> tuple:
        """The caller's arguments that `name` joins or repeats (`q = ws + vs`, `ws * 2`, `[a] + ws`), which s2s reads
        as an array's sum or product where it does not know them for lists: where the caller passes lists, `name`
        is a list holding the caller's arrays themselves, which an in-place operator on its item changes."""
        made = self._making(name, lambda m: m.op in ("add", "mul"))
        return () if made is None else tuple(dict.fromkeys(a for a in made.args if isinstance(a, ir.Var) and
                                                           self.same.get(a.name, a.name) in self.fn.params))

    def referring(self, made: ir.Call) -> bool:
        """Does `made` make a list or an object array whose items s2s writes as an array's elements (`xs[t] = x`,
        a `setitem`): `[None] * n`, `n * [0.0]`, `x.tolist()`, `np.empty(n, dtype=object)`, `np.full(n, None)`,
        `L.copy()` or `copy.deepcopy(L)` of a module's list? Python's items are then the objects stored, not copies
        of them: a later change of `x` in place shows through `xs[t]`."""
        args, kwargs = made.args, dict(made.kwargs)
        if made.op == "mul" and len(args) == 2:
            return any(isinstance(a, ir.Var) and self._made_as(a.name, {"list"}) for a in args)
        if made.op == prims.METHODS["tolist"]:
            return True
        if made.op in prims.FILLED | {prims.FULL} and "dtype" in kwargs:
            return self.free_object(kwargs["dtype"]) is object or kwargs["dtype"] == ir.Const("O")
        if made.op == prims.FULL and len(args) == 2:
            return args[1] == ir.Const(None)
        return made.op in (prims.COPY_METHOD, _DEEP_COPY) and len(args) >= 1 and \
            isinstance(self.free_object(args[0]), list)

    def read_held(self, name: str, r: str, loc) -> None:
        """Reading the container `name` (of `r`) whole: what it holds stored again as it is now (`refresh_held`), or
        refused; of an argument's copy, the argument checked to be an array where a list's would differ."""
        if r in self.held:
            self.refresh_held(name, r, loc)
        if r in self.maybe_held:
            self.copied_list_stale(r, None)

    def copied_argument(self, name: str) -> str | None:
        """The argument `name` is a copy of (`xs = buf.copy()`, `copy.deepcopy(buf)`), written by item, which is a list
        holding the objects stored where the caller passes a list, and an array of copies where it passes an array:
        only the run tells. None for anything else."""
        made = self._making(name, lambda m: m.op in (prims.COPY_METHOD, _DEEP_COPY) and m.args and
                            isinstance(m.args[0], ir.Var) and self.same.get(m.args[0].name, m.args[0].name) in
                            self.fn.params)
        return self.same.get(made.args[0].name, made.args[0].name) if made is not None else None

    def maybe_stored(self, s: ir.Assign) -> None:
        """`xs[t] = x` into a copy of an argument (`copied_argument`): what it would hold were the argument a list."""
        base, value = s.value.args[0], s.value.args[-1]
        argument = self.copied_argument(base.name) if isinstance(base, ir.Var) else None
        if argument is not None and not self.container(base.name):
            held = self.maybe_held.setdefault(self.root[s.target], {})
            for o, n in self.objects(value).items():
                held.setdefault(o, (n, s.loc, argument))

    def copied_list_stale(self, r: str, changed, carried=None) -> None:
        """Where the copy `r` of an argument holds, were it a list, an array changed in place since it was stored (or
        in a later iteration: `changed`, the arrays the loop changes, an array the loop made being the one the next
        iteration's name `carried` holds), the argument is checked on entry to be an array: a list's copy would
        show the change, which s2s, following the copy's items as an array's, would not."""
        for obj, (seen, stored, argument) in sorted(self.maybe_held.get(r, {}).items()):
            if (carried or {}).get(obj, obj) in changed if changed is not None else \
                    self.state.writes.get(obj, 0) > seen:
                self.entry_checks.append(ir.Effect(ir.Call("s2s.runtime.require_float_array", (
                    ir.Var(argument), ir.Const(argument)), (("copy", ir.Const(base_name(r))), ("held", ir.Const(
                        base_name(obj))), ("stored", ir.Const(stored.line if stored is not None else "?")))), stored))

    # ----- what containers hold
    def container(self, name: str, seen: frozenset = frozenset()) -> bool:
        """Is `name` surely a dict, a list or a tuple the function made (a display, `{}`, `OrderedDict()`, a copy
        of one by `.copy()`), whose items are the objects stored into it, not copies of them?"""
        if self._made_as(name, CONTAINERS | DICTS | {REFERENCES}) or name in seen:
            return True
        made = self.made_by.get(self.root.get(name, name))
        if made is not None and made.op == "call" and made.args and _mapping_class(self.free_object(made.args[0])):
            return True
        return made is not None and made.op == prims.COPY_METHOD and isinstance(made.args[0], ir.Var) and \
            self.container(made.args[0].name, seen | {name})

    def mapping(self, name: str) -> bool:
        """Is `name` surely a dict of Python's (a display, `dict(...)`, `defaultdict(float)`, `OrderedDict()`), whose
        iteration gives its keys?"""
        if self._made_as(name, DICTS):
            return True
        made = self.made_by.get(self.root.get(name, name))
        return made is not None and made.op == "call" and bool(made.args) and \
            self.free_object(made.args[0]) in _MAPPINGS

    def key_store(self, s: ir.Assign) -> None:
        """`d[k] = v` (SSA: `d_1 = setitem(d, k, v)`, a new version of d) into a container: d now holds the object v
        (what it may share memory with, `objects`), which a later read of d must see as it is then."""
        base, index, value = s.value.args[0], s.value.args[1:-1], s.value.args[-1]
        if not isinstance(base, ir.Var) or not (_string_key(index) or self.container(base.name)):
            return
        r = self.root[s.target]
        held = self.held_before(r)
        known = len(index) == 1 and isinstance(index[0], ir.Const) and _hashable(index[0].value)
        key = index[0].value if known else object()  # (a key known only at run time, a slice: it replaces nothing)
        objects = {o: n for o, n in self.objects(value).items() if o != r}
        if self.nested and key in held:  # (in a branch: what the other path stored there may be held still)
            objects = {o: min(n, held[key][0].get(o, n)) for o, n in {**held[key][0], **objects}.items()}
            known = False
        held[key] = (objects, s.loc, value if known else None)

    def held_before(self, r: str) -> dict:
        """What the container `r` holds by key, first the objects it held as made (a display's items) where none of
        its keys is written yet."""
        held = self.held.setdefault(r, {})
        if not held and r in self.refs:
            held[_BEFORE] = (dict(self.refs[r]), self.made.get(r), None)
        return held

    def held_objects(self, r: str) -> dict:
        """{array: writes seen when stored} of what the container `r` (one written by key) holds (before its first key
        write, in a loop that writes it: what a list was made with, `ys = [a, b]`)."""
        if r not in self.held and r in self.refs and self.python_list(r):
            return dict(self.refs[r])
        out: dict = {}
        for objects, _, _ in self.held.get(r, {}).values():
            for o, n in objects.items():
                out[o] = min(n, out.get(o, n))
        return out

    def check_held(self, name: str, r: str, loc) -> None:
        """Refuse reading the container `name` (of `r`, written by key) whole where an array it holds was changed in
        place since it was stored: NumPy's container shows the change, the value s2s follows would not."""
        for objects, stored, _ in self.held.get(r, {}).values():
            for obj, seen in sorted(objects.items()):
                if self.state.writes.get(obj, 0) > seen and not self.by_operators(obj, seen):
                    wrote = self.state.last_write.get(obj)
                    when = f"line {wrote.line}" if wrote is not None else "a later line"
                    where = f" (stored on line {stored.line})" if stored is not None else ""
                    raise self.error(loc, f"reading '{base_name(name)}', which holds '{base_name(obj)}'{where}, "
                                          f"after {when} changed '{base_name(obj)}' in place",
                                     f"NumPy's '{base_name(name)}' would show that change: store '{base_name(obj)}' "
                                     f"into it after {when}, or store a copy ({base_name(obj)}.copy()) to keep the "
                                     f"old values",
                                     base_name(name))

    def refresh_held(self, name: str, r: str, loc) -> None:
        """Reading the container `name` (of `r`, written by key) whole where arrays it holds changed in place since
        they were stored (`cache["z"] = z; z[z < 0] = 0.0; caches.append(cache)`): each is stored again as it is now
        (`d_2 = setitem(d_1, "z", z_1)`, a statement the caller puts before the read, `pending`), so that the container
        read holds what NumPy's does. Where one is not an array itself stored at a constant key (a view, a display's
        item, a store in a branch), or the read is no statement's, refused (`check_held`)."""
        stale = [(key, value) for key, (objects, _, value) in self.held[r].items()
                 if any(self.state.writes.get(o, 0) > n and not self.by_operators(o, n) for o, n in objects.items())]
        if not stale:
            return
        current = self.state.current.get(r, r)
        here = self.inside[-1] if self.inside else None
        for key, value in stale:
            newest = self._newest(value) if isinstance(value, ir.Var) and self.pending is not None else None
            array = self.root.get(value.name, value.name) if newest is not None else None
            # (the dict and the array made in this iteration: an array kept across iterations, or a dict, would
            # be saved for the reverse sweep holding the array as a later iteration leaves it)
            if newest is None or current in (SHARED, LOOP_WRITTEN) or current in self.joins or \
                    {self.loop_of.get(current), self.loop_of.get(array)} != {here} or \
                    self.nested and not isinstance(key, str) or set(self.held[r][key][0]) != {array}:
                self.check_held(name, r, loc)
        for key, value in stale:
            target = self.namer.fresh(base_name(r))
            self.pending.append(ir.Assign(target, ir.Call("setitem", (ir.Var(current), ir.Const(key),
                                                                     self._newest(value))), loc, array=r))
            self.write(target, ir.Var(current), loc, index=(ir.Const(key),))
            self.held[r][key] = ({o: n for o, n in self.objects(self._newest(value)).items() if o != r}, loc, value)
            current = target

    def shallow_copy(self, target: str, call: ir.Call, loc) -> None:
        """`q = p.copy()` of a dict or a list: a new container holding p's objects themselves (a shallow copy, not
        np.copy's). Of the caller's object (a dict, a list or an array: the run decides), its items read may be the
        caller's (`copied_from`)."""
        p = call.args[0] if len(call.args) == 1 and not call.kwargs else None
        if not isinstance(p, ir.Var):
            return
        if self.container(p.name):
            own = self.root.get(p.name, p.name)
            items = {o: n for o, n in self.objects(p).items() if o != own}
            if items:
                self.refs[target], self.made[target] = items, loc
        elif self.same.get(p.name, p.name) in self.visible:
            self.copied_from[target] = p

    def items_of_copy(self, call: ir.Call) -> list:
        """The caller's object whose items `call` (`w = q["w"]`, `q[0]`, `q.values()`) may read through `q = p.copy()`,
        or []: a list's or a dict's items are p's own (a row of an array's copy is not, but which p is only the run
        tells: an in-place operator on it is checked to find no array, as on an item of p)."""
        if call.op not in DICT_READS or not call.args or not isinstance(call.args[0], ir.Var):
            return []
        source = self.copied_from.get(self.root.get(call.args[0].name, call.args[0].name))
        return [source] if source is not None else []

    def resolved_item(self, call: ir.Call):
        """For `t = cache["z"]`, `cache.get("z")`, `s[0]` of a container whose item at that constant key is known
        here, or `h["s"].z` of a record held there: the object stored there (as stored: the caller reads it as it is
        now); else None."""
        if call.op == "getattr" and len(call.args) == 2 and isinstance(call.args[1], ir.Const) and not call.kwargs:
            return self.field(call.args[0], call.args[1].value)
        if call.op not in ITEM_READS or len(call.args) not in (2, 3) or call.kwargs or \
                call.op == "getitem" and len(call.args) != 2 or not isinstance(call.args[1], ir.Const):
            return None
        base = self._newest(call.args[0])
        return self.stored(base, call.args[1].value) if base is not None else None

    def _newest(self, atom):
        """The newest version of the object `atom` names (None: no SSA value holds it)."""
        if not isinstance(atom, ir.Var):
            return atom
        r = self.root.get(atom.name, atom.name if atom.name in self.state.current else None)
        newest = self.state.current.get(r, atom.name) if r is not None else atom.name
        return None if newest in (SHARED, LOOP_WRITTEN) else ir.Var(newest)

    def stored(self, atom, key, depth: int = 0):
        """The value the container `atom` holds at the constant `key`, where its making and every write into it since
        are known here (a display, `{}`, a namedtuple, a copy of one, written at constant keys); else None."""
        known = self._written_out(atom, depth) if _hashable(key) and depth < 8 else None
        if known is None:
            return None
        kind, values, writes = known
        if kind == "sequence":
            key = _position(key, len(values))
            writes = [(_position(k, len(values)), v) for k, v in writes]
            if key is None or any(k is None for k, _ in writes):
                return None
        found = next((v for k, v in writes if k == key), None)
        return found if found is not None else values.get(key) if kind == "dict" else values[key]

    def passes_items(self, value) -> bool:
        """Is `value` (`t = rt.iterated(s, 2)` of `zz, t = s`, `tuple(s)` of `use(*s)`, `q = s`) the container it
        reads, or a copy of its items, where what that container (or record) holds is known here? Then it is read by
        item (`stored`, `field`), not whole: its items are read as they are then."""
        if isinstance(value, ir.Call) and value.op in (prims.ITERATED, *prims.CONTAINER_COPIES) and value.args and \
                not value.kwargs:
            value = value.args[0]
        value = self._newest(value)
        return isinstance(value, ir.Var) and (self._written_out(value) is not None or self._record(value) is not None)

    def field(self, atom, name, depth: int = 0):
        """The value the record `atom` (one the function builds, rt.record_new: its fields are what it was given)
        holds in its field `name`, where it is known here; else None."""
        made = self._record(atom, depth)
        return dict(zip(made.args[1].value, made.args[2:])).get(name) if made is not None else None

    def _record(self, atom, depth: int = 0):
        """The call `rt.record_new(cls, names, *values)` that made the record `atom`, where it is known here."""
        while isinstance(atom, ir.Var) and depth < 8:
            made = self.definition(atom.name)
            if isinstance(made, ir.Call) and made.op == _RECORD and isinstance(made.args[1], ir.Const) and \
                    not made.kwargs:
                return made
            depth += 1
            atom = made if isinstance(made, ir.Var) else self._newest(self._part(made, depth)) if \
                isinstance(made, ir.Call) and made.op in ("getitem", "getattr") else None
        return None

    def _part(self, made: ir.Call, depth: int):
        """What `made`, `c[k]` or `c.name` at a constant key or name, reads (as stored), where known; else None."""
        if len(made.args) != 2 or not isinstance(made.args[1], ir.Const) or made.kwargs:
            return None
        read = self.field if made.op == "getattr" else self.stored
        return read(made.args[0], made.args[1].value, depth)

    def _written_out(self, atom, depth: int = 0) -> tuple | None:
        """(kind, items as written out, [(key, value) written since, newest first]) of the container `atom`, where
        its making and every write into it since are known here; else None."""
        writes, links = [], set()
        while True:
            made = self.definition(atom.name) if isinstance(atom, ir.Var) else None
            if isinstance(made, ir.Var):
                atom = made
                continue
            if not isinstance(made, ir.Call) or made.kwargs:
                return None
            op, args = made.op, made.args
            if op == "setitem" and len(args) == 3 and isinstance(args[1], ir.Const) and _hashable(args[1].value):
                writes.append((args[1].value, args[2]))
            elif op in ("getitem", "getattr"):  # an item or a field of another: the object itself, as it is now
                args = (self._newest(self._part(made, depth + 1)),)
            elif op in (prims.ITERATED, *prims.CONTAINER_COPIES):
                links.add("sequence")  # (iterating a dict gives its keys)
            elif op == "builtins.dict" and len(args) == 1:
                links.add("dict")
            elif op != prims.COPY_METHOD or len(args) != 1:
                break
            atom = args[0]
        items = _items(made, self.free_object(args[0]) if args else None)
        return None if items is None or links - {items[0]} else items + (writes,)

    def anew(self, view: str, dicts: frozenset, lists: frozenset) -> tuple:
        """The keywords of `rt.require_immutable` for an in-place operator on `view`, an item of a container the
        function made, read in a loop (`for w in ws: w *= c`, `w = d[k]`): the container made anew with the item's
        new value (`container_anew`), which keeps NumPy's meaning where the arrays have no names of their own; or ().
        `dicts`, `lists`: the calls that make a dict, a list or tuple (DICTS, CONTAINERS)."""
        container, made = self.indexed.get(view, (None,))[0], self.made.get(view)
        loop = next((s for s in ir.statements(self.fn.body) if isinstance(s, ir.Loop) and
                     id(s) == self.loop_of.get(view)), None)
        if not isinstance(container, ir.Var) or made is None or loop is None or loop.loc is None or \
                self.inside and self.inside[-1] != id(loop):  # (the change in an inner loop: no comprehension has it)
            return ()
        kind = "dict" if self._made_as(container.name, dicts) else "tuple" if self._made_as(
            container.name, {"tuple", "builtins.tuple"}) else "list" if self._made_as(container.name, lists) else ""
        fix = container_anew(made.text, loop.loc.text, base_name(container.name), kind, _breaks(loop.body)) \
            if kind else None
        return () if fix is None else (("container", ir.Const(base_name(container.name))),
                                       ("anew", ir.Const(fix[0])), ("item", ir.Const(fix[1])))


def _breaks(stmts: list) -> bool:
    """Does a break in `stmts` (not in a loop nested there) leave the loop whose body they are?"""
    return any(isinstance(s, ir.Break) or not isinstance(s, ir.Loop) and any(_breaks(b) for b in ir.blocks(s))
               for s in stmts)


def _items(made: ir.Call, cls) -> tuple | None:
    """("dict", {key: value}) or ("sequence", [values]) of a container `made` as written out (`cls`: the object its
    first operand names), or None."""
    op, args = made.op, made.args
    if op == "s2s.runtime.dict_of" and args and isinstance(args[0], ir.Const) and \
            isinstance(args[0].value, tuple) and len(args[0].value) == len(args) - 1:
        return "dict", dict(zip(args[0].value, args[1:]))
    if op in ("list", "tuple"):
        return "sequence", list(args)
    if op == _RECORD and isinstance(cls, type) and issubclass(cls, tuple) and \
            all(getattr(cls, m) is getattr(tuple, m) for m in ("__getitem__", "__iter__")):
        return "sequence", list(args[2:])  # (a namedtuple: a tuple of its fields)
    if op == "builtins.dict" and not args or op == "call" and cls in _MAPPINGS and \
            (len(args) == 1 or len(args) == 2 and cls is collections.defaultdict):
        return "dict", {}  # (`{}` as dict(), OrderedDict(), defaultdict(float))
    return None


def _position(key, length: int):
    """The index `key` of a sequence of `length` items, counted from 0 (None: no integer within it)."""
    if not isinstance(key, int):
        return None
    key = key + length if key < 0 else key
    return key if 0 <= key < length else None


def _mapping_class(cls) -> bool:
    """Is `cls` dict or a class of dicts (`collections.OrderedDict`, `defaultdict`, one of the user's)?"""
    return isinstance(cls, type) and issubclass(cls, dict)


# the classes of dicts whose items are what is stored into them (a class of the user's may change them)
_MAPPINGS = (dict, collections.OrderedDict, collections.defaultdict)


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def container_anew(made: str, loop: str, container: str, kind: str, broke: bool = False) -> tuple[str, str] | None:
    """The container made anew in place of an in-place operator on an item of it in a loop, as
    (`{}` for the item's new value, the item as the user reads it) that `rt.require_immutable` fills in: `for w in
    ws:` -> ('ws = [{} for w in ws]', 'w'); `w = d[k]` in `for k in keys:` -> ("d = {k: ({} if k in keys else d[k])
    for k in d}", 'd[k]'), `{k: {} for k in d}` where the loop is over d's keys; `w = ws[i]` in `for i in
    range(len(ws)):` -> ('ws = [{} for i in range(len(ws))]', 'ws[i]'). `kind`: the container's, "list", "tuple" or
    "dict". `broke`: a break leaves the loop, which a comprehension making every item anew would not keep: the one
    item made anew in the loop, `ws = [{} if j == i else other for j, other in enumerate(ws)]; w = ws[i]` (over the
    positions: `for i, w in enumerate(ws)`), `d = {j: ({} if j == k else other) for j, other in d.items()}; w = d[k]`.
    None for another form."""
    def parsed(text: str):
        try:
            body = ast.parse(code(text.strip()) + " pass" if text.strip().endswith(":") else code(text.strip())).body
        except SyntaxError:
            return None
        return body[0] if len(body) == 1 else None
    made_, loop_ = parsed(made), parsed(loop)
    if isinstance(made_, ast.For) and isinstance(made_.target, ast.Name) and kind != "dict" and \
            ast.unparse(made_.iter) == container:  # (a list or tuple: its items, each made anew)
        opened, closed = ("tuple(", ")") if kind == "tuple" else ("[", "]")
        if broke:  # (the items before the break: one at a time, the loop over the positions)
            w = made_.target.id
            return (f"{container} = {opened}{{}} if j == i else other for j, other in enumerate({container}){closed}; "
                    f"{w} = {container}[i], the loop over the positions keeping its break: for i, {w} in "
                    f"enumerate({container})", w)
        return f"{container} = {opened}{{}} for {made_.target.id} in {container}{closed}", made_.target.id
    if not (isinstance(made_, ast.Assign) and isinstance(made_.value, ast.Subscript) and
            ast.unparse(made_.value.value) == container and isinstance(made_.value.slice, ast.Name) and
            isinstance(loop_, ast.For) and isinstance(loop_.target, ast.Name) and
            loop_.target.id == made_.value.slice.id):
        return None
    key, keys, item = loop_.target.id, ast.unparse(loop_.iter).replace("{", "{{").replace("}", "}}"), \
        ast.unparse(made_.value)
    name = made_.targets[0].id if len(made_.targets) == 1 and isinstance(made_.targets[0], ast.Name) else None
    if broke and name is not None and kind in ("dict", "list"):  # (the one item of this iteration, keeping the break)
        made_anew = f"{container} = {{{{j: ({{}} if j == {key} else other) for j, other in {container}.items()}}}}" \
            if kind == "dict" else \
            f"{container} = [{{}} if j == {key} else other for j, other in enumerate({container})]"
        return f"{made_anew}; {name} = {item}", item
    if broke:
        return None
    if kind == "dict":
        every = keys in (container, f"{container}.keys()")
        return (f"{container} = {{{{{key}: {{}} for {key} in {container}}}}}" if every else
                f"{container} = {{{{{key}: ({{}} if {key} in {keys} else {item}) for {key} in {container}}}}}"), item
    if keys == f"range(len({container}))" and kind == "list":
        return f"{container} = [{{}} for {key} in {keys}]", item
    return None
