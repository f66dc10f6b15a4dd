"""SSA construction of element writes (`y[i] = v`, `y[1:] += v`): which arrays the function made, whose elements it
may write (a new version of the array, `setitem`), and the refusals of writes into anything else (an argument, a
view, a list in a loop, a name a loop or a branch may leave bound to one of several arrays). `ElementWriteLowering`
holds these methods of the SSA builder (ssa.py).
"""
from __future__ import annotations

import ast

import numpy

from s2s.signal_advice import INSTEAD, WHY, fft_function
from s2s import ir, prims
from s2s.prims import WRITE_THROUGH as VIEWS
from s2s.front import fence
from s2s.front.alias_elements import factor_part
from s2s.front.alias_loops import python_number
from s2s.front.indexes import copying_read
from s2s.front.list_writes import ListWriteLowering
from s2s.front.merges import merged_display
from s2s.front.parameters import own_name
from s2s.front.repeated import dict_item_write, holding_items, item_element_write, repeated_form
from s2s.front.write_advice import CALLERS, element_of_an_expression, key_write_fix, new_container, new_dict, \
    rows_to_array, user_name
from s2s.ir.names import base_name


_UNBOUND = object()
_OPAQUE = frozenset({"call", "callmethod"})  # calls of functions s2s does not follow


class ElementWriteLowering(ListWriteLowering):
    """(mixed into the SSA builder, ssa.py; reads its state through `self`)"""

    def write_element(self, target: ast.Subscript, value: ir.Atom, parts: tuple | None = None) -> None:
        """`y[index] = value` on an array the function created: a new version of y (`setitem`). `parts`: the
        index, already read (np.add.at's, read once for the values and the write), else target's own.

        Generated code writes in place; the reverse sweep puts the overwritten
        elements back. Writing into a parameter, module data or a view of one is
        rejected: the caller's array would change."""
        if not isinstance(target.value, ast.Name):
            held = self._held_by_caller(target.value)
            if held:
                raise self.error(target, f"assignment to an element of {ast.unparse(target.value)}, which the caller "
                                         f"passed in", CALLERS.format(held, "new_state", ""))
            inner = target.value.value if isinstance(target.value, ast.Subscript) else None
            kind = self._holding_items(self.read(inner.id, inner)) if isinstance(inner, ast.Name) and \
                inner.id in self.env else None
            if kind:  # (P[1][0] = v of P = [None] * n)
                raise self.error(target, *item_element_write(target, kind))
            if isinstance(inner, ast.Name) and inner.id in self.env and self._list_of_rows(inner):
                raise self.error(target, *(dict_item_write(target, self.loop_path, self.loc) or (  # (hits[i]['n'])
                    f"assignment to an element of {ast.unparse(target.value)}, an item of the list '{inner.id}'",
                    rows_to_array(target, self.src.tree))))
            held = self.env.get(inner.id) if isinstance(inner, ast.Name) else None
            spelled = {n.id for n in ast.walk(self.src.tree) if isinstance(n, ast.Name)}  # (keep = opt: both names)
            others = tuple(n for n, a in self.env.items() if isinstance(held, ir.Var) and a == held and n != inner.id
                           and n in spelled)
            raise self.error(target, f"assignment to an element of {ast.unparse(target.value)}",
                             element_of_an_expression(target, self._held_kind(inner), self.loc.text if self.loc
                                                      is not None else "", others))
        name = target.value.id
        base = self.read(name, target.value)
        if parts is None:
            index = target.slice
            parts = self.index_parts(index) if isinstance(index, ast.Tuple) and not self.dict_key(base) else \
                (self.atom(index),)
        self.dict_key_write(base, parts, target)
        root = self.array_root(base, join=True)
        if root is None:
            root = self.list_object(base, target)
        if self.list_root(base) is not None:
            self.rebound_item(base, name, parts, value, root)
        # (a join, or the header of a loop entered with one: the arrays the join may be say why not)
        frame, header = next(((f, p) for f in self.loop_path for p in f.phis.values() if ir.Var(p.target) == base),
                             (None, None))
        joined = header.operands[0] if header is not None else base
        if root is None and self.is_sequence(base):  # (a comprehension's list, list(...), a list grown)
            raise self.list_element_write(target, name)
        if root is None and isinstance(joined, ir.Var) and joined.name in self.phis:
            around = self.loop_path[:self.loop_path.index(frame)] if frame is not None else self.loop_path
            _, why = self._own_arrays(joined.name, tuple(around))
            raise self.error(target, f"assignment to an element of '{name}', which a loop or a branch may leave "
                                     f"bound to {why}", f"copy it first: {name} = np.copy({name})")
        while isinstance(joined, ir.Var):  # (the value entering the loops around)
            header = next((p for f in self.loop_path for p in f.phis.values() if p.target == joined.name), None)
            if header is None:
                break
            joined = header.operands[0]
        made = self.definitions.get(joined.name) if isinstance(joined, ir.Var) else None
        if root is None and (made is not None and made.op == "list" or isinstance(joined, ir.Const) and
                             isinstance(joined.value, list)):  # (a list display: `ys[0] += v` would write
            # into the part itself, a view of an argument maybe, where `ys[0] = v` rebinds the slot)
            raise self.list_element_write(target, name)
        key = target.slice.value if isinstance(target.slice, ast.Constant) else None
        held = self._held_by_caller(target.value) if root is None else None
        if held:  # (NumPy would change the caller's array or dict: a copy, or a new one, would drop that change)
            returned, own = (f"{{**{name}, {key!r}: new_value}}", f"{name} = {{**{name}, {key!r}: value}} (or {name} = "
                                                                   f"{{{key!r}: value, 'other': {name}['other']}})") \
                if isinstance(key, str) else ("new_state", f"{name} = np.copy({name})")
            raise self.error(target, f"assignment to an element of '{name}', which the function did not create (the "
                                     f"caller passed it in)",
                             CALLERS.format(held, returned, f"; for this function's own use only, {own}, the "
                                                             f"caller's left as it was"))
        if root is None and dict_item_write(target, self.loop_path, self.loc, self._list_of_rows):  # (for h in hs)
            raise self.error(target, *dict_item_write(target, self.loop_path, self.loc, self._list_of_rows))
        if root is None and made is not None and made.op in VIEWS and not isinstance(key, str):
            unknown = [a for a in made.args[1:] if made.op == "getitem" and isinstance(a, ir.Var) and
                       getattr(self.definitions.get(a.name), "op", None) != "builtins.slice" and
                       not python_number(a, self._defining) and user_name(a.name) != "a value"]
            numbers = "is a number" if len(unknown) == 1 else "are numbers"
            whole = user_name(made.args[0].name) if isinstance(made.args[0], ir.Var) else "a value"
            written = {n.id for n in ast.walk(self.src.tree) if isinstance(n, ast.Name)}
            if made.op == "getitem" and unknown and whole != "a value" and \
                    all(base_name(a.name) not in written for a in unknown):  # (the counter of `for r in Y`)
                raise self.error(target, f"assignment to an element of '{name}', a row of {whole} that the loop "
                                         f"gives (a view: the write changes {whole}, which s2s follows by the name "
                                         f"an array was made with)", f"loop over the indices and write into the "
                                         f"array by its own name: for i in range(len({whole[1:-1]})): "
                                         f"{whole[1:-1]}[i, ...] = ...")
            what = f"which may be a view of another array: s2s cannot tell whether " \
                   f"{', '.join(user_name(a.name) for a in unknown)} {numbers} (a view) or arrays of indices (a copy)" \
                if unknown else \
                "a view of another array or an item of a container"
            own = f" ({whole[1:-1]}[...] = ...)" if whole != "a value" else ""
            key = _spelled(made.args[1]) if made.op == "getitem" and len(made.args) == 2 else None
            item = made.args[1] if made.op == "getitem" and len(made.args) == 2 else None
            key = repr(item.value) if isinstance(item, ir.Const) and type(item.value) is str else key
            if key is not None and whole != "a value" and self.is_dict(made.args[0]):  # (a = opt['a'] of a dict)
                d = whole[1:-1]
                raise self.error(target, f"assignment to an element of '{name}', the item {d}[{key}] of the dict "
                                         f"{whole} (the write changes that item, which s2s follows in an array by the "
                                         f"name it was made with, not in a dict's item)",
                                 f"copy the item, write the copy and put it back: {name} = {d}[{key}].copy(); "
                                 f"{ast.unparse(target)} = ...; {d} = {{**{d}, {key}: {name}}}")
            if key is not None and whole != "a value" and self.is_sequence(made.args[0]):  # (last = tree[-1])
                raise self.error(target, f"assignment to an element of '{name}', the item {whole[1:-1]}[{key}] of "
                                         f"the list {whole} (the write changes that item, which s2s follows in an "
                                         f"array by the name it was made with, not in a list's item)",
                                 f"copy the item, write the copy and store it back: {name} = list({whole[1:-1]}"
                                 f"[{key}]) ({name} = np.copy({whole[1:-1]}[{key}]) for an array); "
                                 f"{ast.unparse(target)} = ...; {whole[1:-1]}[{key}] = {name}")
            raise self.error(target, f"assignment to an element of '{name}', {what} (s2s follows element writes into "
                                     f"an array by the name it was made with)", f"write into that array by its own "
                                     f"name{own}; copy it first ({name} = np.copy({name})) only where the write must "
                                     f"not change the array it was taken from")
        if root is None and frame is not None and not isinstance(key, str) and self.array_root(joined) is not None:
            # (the loop's name holds an array the function made: a helper the loop calls writes it, where loops.py
            # did not see that the helper does, called through a container or an attribute)
            user = next((n for n, p in frame.phis.items() if p.target == base.name), name)
            helper = self.src.name
            if not self.depth:  # (the function's own body: `z = y; z[0] = v` where the loop's text writes no y[...])
                raise self.error(target, f"assignment to an element of '{name}', another name for the array '{user}' "
                                         f"that the function made, in a loop that writes '{user}' only through it",
                                 f"write into the array by its own name in the loop ({user}[...] = ...), or copy "
                                 f"it first: {name} = np.copy({user})")
            raise self.error(target, f"assignment to an element of '{name}', the array '{user}' that the function made "
                                     f"and a loop gives to {helper}, called where s2s does not see before the loop "
                                     f"runs that {helper} writes it (through a container, an attribute or an "
                                     f"argument)", f"call {helper} by its name in the loop ({user} = {helper}({user}, "
                                                   f"...)), or give it a copy: {user} = {helper}(np.copy({user}), ...)")
        returned = self.copies.get(joined.name, (None, None))[1] if isinstance(joined, ir.Var) else None
        if root is None and returned and not isinstance(key, str):  # (T = scipy.linalg.toeplitz(c); T[0, 0] = h)
            raise self.error(target, f"assignment to an element of '{name}', the array {returned.split(' (')[0]} "
                                     f"returned (which s2s cannot tell from an array it was given)",
                             f"copy it first: {name} = np.copy({name})")
        fourier = self.free.get(made.args[0].name, (None,))[0] if made is not None and made.op == "call" and \
            isinstance(made.args[0], ir.Var) else None
        if root is None and fft_function(fourier) and not self.made_outside(made.args[1:], made.kwargs):
            raise self.error(target, f"assignment to an element of '{name}', the complex array "
                                     f"{self.opaque.get(made.args[0].name, 'np.fft').split(' (')[0]} returned; "
                                     f"{WHY}", INSTEAD[0].lower() + INSTEAD[1:])
        if root is None:  # (a key that is a string: a dict's, for which np.copy makes a 0-d object array)
            raise self.error(target, f"assignment to an element of '{name}', which the function did not create",
                             new_dict(name, key, own_name(name, self.src.tree)) if isinstance(key, str) else
                             new_container(name, own_name(name, self.src.tree), target, self.loop_path,
                                            self.loc.text if self.loc is not None else ""))
        if self.pushed.get(root) and not self._rebound_after_push(root) or \
                any(self.pushed.get(a) for a in self.phi_arrays.get(root, ())):
            # (the stack holds the array itself: as a value, it would miss this write)
            user = fence.written_by_user(self.src, target)  # (met in generated code: the user's name for it)
            raise self.error(target, f"a write into '{user or name}' after this gradient saved it on a stack",
                             f"copy the array right before the write ({user} = np.copy({user})), so that the array "
                             f"saved is not the one written" if user else
                             "differentiate the function once, or make the array where it is last written")
        self.item_shape_check(base, name, parts, value)
        new = self.assign(self.version(name), ir.Call("setitem", (base,) + parts + (value,)))
        self.roots[new.name] = root
        if self.list_root(base) is not None:  # (a version of the list: grown or written again by item)
            self.list_roots[new.name] = self.list_root(base)
        self.env[name] = new

    def follow_written_arrays(self, start: int) -> None:
        """After a call (of a helper, a method, a nested function) whose statements were built into
        `self.block[start:]`: where its body wrote elements of an array this function holds (`step(u, k)` running
        `u[1:-1] += ...` on its parameter), NumPy changed that one array, so the name here that the body wrote it
        through (`u`, passed or read by a nested function) holds the last version the body made, as after
        `u[1:-1] += ...` written here (a loop around the call carries it to the next iteration: loops.py's
        `_arrays_given`). Another name for the array, here or one the body keeps (its result, a container), is
        followed by the alias stage, as after a write by that name here."""
        last: dict = {}  # an array (its first name) -> its last version the call made, at this level
        for s in self.block[start:]:
            for target in [s.target] if isinstance(s, ir.Assign) else [p.target for p in getattr(s, "phis", ())]:
                if self.roots.get(target, target) != target:
                    last[self.roots[target]] = target
        written = set()  # the versions the call's writes start from: what it was given
        for s in ir.statements(self.block[start:]) if last else ():
            if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) and s.value.op == "setitem":
                written.update(a.name for a in s.value.args[:1] if isinstance(a, ir.Var))
            for p in getattr(s, "phis", ()):
                written.update(o.name for o in p.operands if isinstance(o, ir.Var) and p.target in self.roots)
        for name, atom in list(self.env.items()) if written else ():
            if isinstance(atom, ir.Var) and atom.name in written and self.roots.get(atom.name) in last and \
                    not self.is_dict(ir.Var(self.roots[atom.name])):  # (a dict's keys: by name, dict_key_write)
                self.env[name] = ir.Var(last[self.roots[atom.name]])

    def dict_key_write(self, base: ir.Atom, parts: tuple, target: ast.Subscript) -> None:
        """Check `d[key] = v` (`key`: `parts`, read) where d is a dict the function made. s2s follows a dict's
        keys by name: a key that is no string known while compiling (`cache[t]`, a memo's) is refused. A dict
        the function wrote out (`cache = {}`, `{"z": z}`, `dict(w=w)`) is no longer read from its display
        while compiling: it is one dict the write changes in place, as `dict(p)`'s copy is (a new version of
        it, `setitem`); a read through another name or a container holding it (`other = cache`, `[cache]`) is
        one at run time, which the alias stage follows, and `cache["z"] += v` reads the array it holds as an
        element of it, which that stage checks is shared with nothing (containers.py). A helper's **kwargs
        stays written out: a key written into it is refused."""
        if not self.is_dict(base):
            return
        name = ast.unparse(target.value)
        key = parts[0].value if len(parts) == 1 and isinstance(parts[0], ir.Const) else _UNBOUND
        # (a key known only as the code runs, `sums[i % 2]`, `params[k]`, or no string, `d[1]`: of a dict the
        # function made, whose write keeps what it replaces, or rt.ABSENT, by the dict's key, ad/writes.py)
        if key is _UNBOUND and not (len(parts) == 1 and self.made_dict(base)) or \
                isinstance(base, ir.Var) and base.name in self.dicts and \
                getattr(self.definitions.get(base.name), "op", None) != "s2s.runtime.dict_of":
            raise self.error(target, f"assignment to a key of the dict '{name}'",
                             key_write_fix(name, target.slice, self.loc.text if self.loc is not None else ""))
        self.dicts.pop(base.name, None)

    def made_dict(self, atom, seen: frozenset = frozenset()) -> bool:
        """Is `atom` a dict the function made (a display, `dict(...)`, a comprehension's), or a join of such?"""
        if not isinstance(atom, ir.Var) or atom.name in seen:
            return False
        made = self.definitions.get(atom.name)
        if made is not None and getattr(made, "op", None) == "setitem":
            return self.made_dict(made.args[0], seen | {atom.name})
        if made is not None and getattr(made, "op", None) in prims.DICT_MAKERS:
            return atom.name not in self.dicts or made.op == "s2s.runtime.dict_of"  # (not a helper's **kwargs)
        phi = self.phis.get(atom.name) or next((p for f in self.loop_path for p in f.phis.values()
                                                if p.target == atom.name), None)
        operands = [o for o in phi.operands if o is not None and o != atom] if phi is not None else []
        return bool(operands) and all(self.made_dict(o, seen | {atom.name}) for o in operands)

    def stored_at_key(self, base, parts: tuple):
        """The value the dict `base` holds at the string key `parts` where it is known here: a display's, or the
        last one written at that key since (`d['a'] = d['a'] + [v]`, through constant keys only; `d['a'] += [w]`
        then joins that list); else None."""
        if len(parts) != 1 or not isinstance(parts[0], ir.Const) or not isinstance(parts[0].value, str):
            return None
        known = self.fold_call("getitem", (base,) + parts)
        made = self.definitions.get(base.name) if isinstance(base, ir.Var) else None
        while not isinstance(known, ir.Var) and made is not None and made.op == "setitem" and \
                len(made.args) == 3 and isinstance(made.args[1], ir.Const) and isinstance(made.args[1].value, str):
            if made.args[1] == parts[0]:
                return made.args[2] if isinstance(made.args[2], ir.Var) else None
            known = self.fold_call("getitem", (made.args[0],) + parts)
            made = self.definitions.get(made.args[0].name) if isinstance(made.args[0], ir.Var) else None
        return known if isinstance(known, ir.Var) else None

    def _list_of_rows(self, node: ast.Name) -> bool:
        """Is `node` a list (or a join of lists): `D` of `D = [[0.0] * m for _ in range(n)]`, whose D[i] is a list
        of its own (D[i, j] is Python's TypeError)?"""
        atom = self.read(node.id, node)
        todo, seen = [atom], set()
        while todo:
            a = todo.pop()
            if not isinstance(a, ir.Var) or a.name in seen or python_number(a, self._defining):
                continue  # (`np.hanning(len(x))`: a number of the function's is no array it could hand back)
            seen.add(a.name)
            if self.is_sequence(a):
                return True
            made = self.definitions.get(a.name)
            if made is not None and made.op == "list":
                return True
            todo += [o for f in self.loop_path for p in f.phis.values() if p.target == a.name for o in p.operands]
            todo += list(self.phis[a.name].operands) if a.name in self.phis else []
        return False

    def repeated(self, atom) -> bool:
        """Is `atom` a list of constants repeated as the code runs (`P = [None] * (N + 1)`, `n * [0.0]`), a list of
        a length known only then, whose items the function may write (`P[t] = v`: Python's list holds v itself,
        which the alias stage follows, containers.py)?"""
        if not isinstance(atom, ir.Var):
            return False
        made = self.definitions.get(self.roots.get(atom.name, atom.name))  # (a version the writes made: the first)
        return made is not None and made.op == "mul" and len(made.args) == 2 and \
            any(self.sequence_kind(a) == "list" for a in made.args)

    def _holding_items(self, atom) -> str | None:
        """"list" or "object array" where `atom` holds the objects stored into it (`repeated`, `holding_items`)."""
        made = self.definitions.get(self.roots.get(atom.name, atom.name)) if isinstance(atom, ir.Var) else None
        return "list" if self.repeated(atom) else holding_items(made, self.free) if made is not None else None

    def list_element_write(self, target: ast.Subscript, name: str):
        repeated = repeated_form(self.src.tree, name)
        return self.error(target, f"assignment to an element of the list '{name}'",
                          (f"make it by repetition, {repeated}, a list whose items s2s writes (as Python's list, it "
                           f"holds each value stored); or " if repeated else "") +
                          f"make it an array where it is made ({name} = np.array(...) of the list it is made of, or "
                          f"{name} = np.zeros(n)) and write into that; a list of arrays of different shapes: make "
                          f"the new list whole, each item once, in place of the writes ({name} = [... for i in "
                          f"range(n)], or {name}.append(v) in order)")

    def spread_dict(self, node: ast.Dict, hint) -> ir.Atom:
        """`{**p, "w": v}`: `dict(p)` with the key "w" written (`q = dict(p); q["w"] = v`), p's keys unknown here.
        The values are read first, left to right, as Python does; then the writes, under a name of their own."""
        spread, *pairs = list(zip(node.keys, node.values))
        key = next((k for k, _ in pairs if k is not None and not (isinstance(k, ast.Constant) and
                                                                   isinstance(k.value, str))), None)
        if spread[0] is None and key is not None:  # ({**cnt, key: cnt.get(key, 0) + 1}: counts by a run-time key)
            d, k = ast.unparse(spread[1]), ast.unparse(key)
            which = "is not a string" if isinstance(key, ast.Constant) else "is known only as the code runs"
            raise self.error(node, f"a dict display {{**{d}, {k}: ...}}, whose key {which} (s2s follows the keys a "
                                   f"display writes by name, as strings in the source)",
                             f"to give a key {d} has a new value, make the dict anew by a comprehension: v = ...; "
                             f"{d} = {{j: v if j == {k} else w for j, w in {d}.items()}}; for values of the "
                             f"function's own kept by number, a list grown with append or an array; "
                             + fence.BOOKKEEPING)
        if spread[0] is not None or any(k is None or not (isinstance(k, ast.Constant) and isinstance(k.value, str))
                                        for k, _ in pairs):
            text = ast.unparse(next(v for k, v in zip(node.keys, node.values) if k is None))
            raise self.error(node, "a dict display with **mapping other than first, followed by string keys",
                             f"write {{**{text}, 'w': w}}, or copy the dict and write the keys that change: "
                             f"new = dict({text}); new['w'] = value" + merged_display(node))
        source = self.atom(spread[1])
        values = [(k, self.atom(v)) for k, v in pairs]
        name = hint or "d"
        before = self.env.get(name, _UNBOUND)
        self.env[name] = self.materialise(ir.Call("s2s.runtime.dict_from_pairs", (source,)), name)
        for key, value in values:
            self.write_element(ast.copy_location(ast.Subscript(value=ast.copy_location(ast.Name(name, ast.Load()), node),
                                                               slice=key, ctx=ast.Store()), node), value)
        out = self.env.pop(name)
        if before is not _UNBOUND:
            self.env[name] = before
        return out

    def _held_kind(self, node) -> str | None:
        """"dict", "list" or "array" for the name `node` where the function knows what it holds, else None."""
        atom = self.read(node.id, node) if isinstance(node, ast.Name) and node.id in self.env else None
        if atom is None:
            return None
        if self.is_dict(atom):
            return "dict"
        if self.list_root(atom) is not None or self.sequence_kind(atom) == "list":
            return "list"
        root = self.array_root(atom)  # (an array NumPy made: np.zeros(...), not a copy of what may be a list)
        made = self.definitions.get(root) if root is not None else None
        return "array" if made is not None and made.op.startswith("numpy.") else None

    def _held_by_caller(self, node) -> str | None:
        """The parameter (or module data) whose array or dict the element write into `node` would change: `state`
        of `state['rm'][:] = v`, of `rm = state['rm']; rm[:] = v`, of `state['rm'] = v`; None for anything the
        function made."""
        atom = self.item_read(node)  # (`M[1]` of a list display the function made: that item itself)
        if atom is None and not isinstance(node, ast.Name):
            while isinstance(node, (ast.Subscript, ast.Attribute)):
                node = node.value
            if not isinstance(node, ast.Name) or node.id not in self.env:
                return None
        if atom is None:
            atom = self.read(node.id, node) if node.id in self.env else None
        elif isinstance(atom, ir.Var) and getattr(self.definitions.get(atom.name), "op", None) in ("list", "tuple"):
            return None  # (a list of the function's own: its items are not written, its slot is)
        while isinstance(atom, ir.Var):
            if atom.name in self.phis or atom.name in self.roots or \
                    any(p.target == atom.name for f in self.loop_path for p in f.phis.values()):
                return None  # (a join, a loop's name, an array the function writes)
            if atom.name in self.copies:  # (`T = scipy.linalg.toeplitz(c)`: its result, copied at the call)
                atom = self.copies[atom.name][0]
                continue
            made = self.definitions.get(atom.name)
            if made is None:  # (a parameter; module data is no caller's)
                return None if atom.name in self.free else self._own_parameter(atom)
            if made.op not in VIEWS or not made.args or copying_read(made, self.definitions.get):
                return None
            atom = made.args[0]
        return None

    def _own_parameter(self, atom: ir.Var) -> str:
        """The name of the caller's argument `atom` where the write is: inside a helper s2s follows, the helper's
        own parameter bound to it (`x` of `def g(x): y = x; y[0] = v`, called as g(a)), else its name (`a`)."""
        if self.depth and isinstance(getattr(self.src, "tree", None), (ast.FunctionDef, ast.Lambda)):
            args = self.src.tree.args
            for p in args.posonlyargs + args.args + args.kwonlyargs:
                if self.env.get(p.arg) == atom:
                    return p.arg
        return base_name(atom.name)

    def array_root(self, atom, join: bool = False):
        """The name of the fresh array `atom` is a version of, or None if it may be shared. `join`: for an element
        write, a join of an if or a loop's name after it may be an array of its own (see `_own_arrays`); an
        in-place operator on it (`y *= v`) rebinds the name instead, and a loop writing it is refused."""
        if not isinstance(atom, ir.Var):
            return None
        if atom.name in self.roots:
            return self.roots[atom.name]
        if atom.name in self.phis and join:
            arrays, _ = self._own_arrays(atom.name)
            if arrays is None:
                return None
            self.roots[atom.name] = atom.name
            self.phi_arrays[atom.name] = arrays
            return atom.name
        definition = self.definitions.get(atom.name)
        if definition is None or definition.op in VIEWS and not self.stack_element(definition) and \
                not copying_read(definition, self.definitions.get) and not self._unpacked_factor(definition) or \
                definition.op in _OPAQUE and self._may_hand_back(definition):
            return None
        self.roots[atom.name] = atom.name
        return atom.name

    def own_factor(self, elt, part):
        """`part`, bound to `elt` by unpacking, as bound: `Vt` of `U, s, Vt = np.linalg.svd(a)`, where the function
        writes into it (`Vt[2] = -Vt[2]`, `U[:, -1] *= -1`), a copy, `Vt = np.copy(t[2])`, which keeps its meaning
        (nothing else holds the tuple): the code s2s generates reads the tuple in the factorisation's adjoint, where
        a derivative of that code (a Hessian) would take a write into its part for a write into a view."""
        made = self.definitions.get(part.name) if isinstance(part, ir.Var) else part
        if not isinstance(elt, ast.Name) or self.generated() or not factor_part(made, self.definitions.get):
            return part
        written = any(isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == elt.id and
                      isinstance(t.ctx, ast.Store) or isinstance(t, ast.AugAssign) and
                      isinstance(t.target, ast.Name) and t.target.id == elt.id for t in ast.walk(self.src.tree))
        return ir.Call(prims.COPY, (self.materialise(part),)) if written else part

    def _unpacked_factor(self, call: ir.Call) -> bool:
        """Is `call` a factor of a factorisation whose tuple no name holds, `U` of `U, s, Vt = np.linalg.svd(a)` or
        `np.linalg.svd(a)[0]`: a new array the function reads by no other name (the alias stage checks its views
        and containers, alias_elements.unshared_factors)? Not where a name holds the tuple: of `res =
        np.linalg.svd(a); U = res[0]`, res[0] read after a write into U is the array written; nor in generated code,
        whose factorisation's adjoint reads the tuple after the reverse sweep put U's elements back, a restore
        that a derivative of that code may leave out as dead (U = np.copy(U) is then advised)."""
        return factor_part(call, self.definitions.get) and call.args[0] not in self.env.values() and \
            not self.generated()

    def _may_hand_back(self, call: ir.Call, seen=None) -> bool:
        """May the call s2s does not follow (`call`, `callmethod`) return a value of the function's, or a part of
        one, itself (`next(iter([y]))`, `operator.getitem(xs, 0)`, `typing.cast(np.ndarray, y)`)? Where an
        argument is an array, container or parameter of the function's, or made of one by such a call; not where
        the arguments are constants, Python numbers (`np.hanning(len(x))`) and objects s2s knows nothing of
        (`np.random.rand(3)`, `rng.normal(size=3)`, a library object's method, whatever the object: a generator
        passed in)."""
        seen = set() if seen is None else seen
        callee = self.free[call.args[0].name][0] if call.op == "call" and isinstance(call.args[0], ir.Var) and \
            call.args[0].name in self.free else None
        if isinstance(callee, numpy.ufunc) or prims.aliasing_key(callee) is not None:
            # (a ufunc makes a new array: scipy's binom(n, k); np.real_if_close(y), heapq.heappush(h, v): the alias
            # stage refuses it, naming the call)
            return False
        operands = list(call.args[1:] if call.op == "call" else call.args[2:]) + [v for _, v in call.kwargs]
        for a in operands:
            if not isinstance(a, ir.Var) or a.name in seen or python_number(a, self._defining):
                continue  # (`np.hanning(len(x))`: a number of the function's is no array it could hand back)
            seen.add(a.name)
            made = self.definitions.get(a.name)
            if made is not None and made.op in _OPAQUE:
                if self._may_hand_back(made, seen):
                    return True
            elif made is not None or not self.is_opaque(a):  # (a parameter, or the function's own value)
                return True
        return False

    def _defining(self, name: str):
        """What defines `name` (alias_loops.python_number): its call, a finished phi's operands, or None (a
        parameter, or the header of a loop being built, whose back edge is not known yet)."""
        return self.phis[name].operands if name in self.phis else self.definitions.get(name)

    def _header_root(self, atom, typed: bool = False):
        """`y -= v` in a loop whose header carries y (a loop that writes no element of y, so `loop` did not make
        its phi a version of y's array), where the function writes y's elements elsewhere: NumPy changes the one
        array in place (a 0-d array too, where `y = y - v` would make a NumPy scalar that `y[...] = w` after the
        loop cannot write). The header becomes a version of the array y enters the loop as (that of the loop
        around it, in turn), as if the loop wrote y's elements; None where y enters as no array of its own."""
        phi = next((p for f in self.loop_path for p in f.phis.values()
                    if isinstance(atom, ir.Var) and p.target == atom.name), None)
        if phi is None:
            return None
        entry = phi.operands[0]
        root = self.array_root(entry, join=True)
        if root is None:
            root = self._header_root(entry, typed)
        if root is None or not typed and not self._may_be_0d(root):  # (rebinding an array of some axes is exact,
            return None                                             # and reads as written: `cum = cum + a`)
        self.roots[phi.target] = root
        return root

    def _may_be_0d(self, name: str) -> bool:
        """May the array `name` is the first version of have no axes? Not where its maker is given a shape of
        some axes (np.zeros(n), np.ones((3, 2))) or always makes one (np.concatenate)."""
        made = self.definitions.get(name)
        if made is None or made.op in prims.ARRAY_RESULTS:
            return made is None
        shape = made.args[0] if made.op in prims.FILLED and made.args else None
        if isinstance(shape, ir.Const):
            return shape.value == () or not isinstance(shape.value, (int, tuple))
        return shape is None or not (python_number(shape, self._defining) or self._tuple_parts(shape))

    def _rebound_after_push(self, phi: str) -> bool:
        """Is `phi` a loop's name (in generated code, whose loop pushes it onto a stack at each iteration) that
        every iteration rebinds to an array it makes (`cum_1_saved.append(cum_1); cum_1 = cum_1 + a`)? Then the
        array it holds after the loop was never pushed (none pushed at all if the loop ran no iteration), and a
        write into it leaves the stack as it was."""
        frame = self.phi_loops.get(phi)
        if frame is None or self.roots.get(phi) != phi or self.pushed.get(phi, 0) != frame.pushed.get(phi, 0):
            return False  # (pushed after the loop too: `cum_1_saved_1.append(cum_1)` then `cum_1[j] = ...`)
        ends = [self.phis[phi].operands[1]] + [j.values.get(phi) for j in frame.continues + frame.breaks]
        return all(isinstance(v, ir.Var) and v.name not in self.phis and frame in self.made_in.get(v.name, ())
                   for v in ends)

    def _own_arrays(self, phi: str, around: tuple | None = None, lists: bool = False) -> tuple[set | None, str]:
        """May `phi` (a join of an if, or a loop's name after it ends) be written as a new array of its own, here?
        Each value it may be is an array the function made (`np.zeros(4)` before a loop, `cum * 2.0 + a` in
        it; a branch's `a * 2.0`), or None where the name is unbound (a read raises first), and none of them
        is made outside a loop around this point: the loop's next iteration would read it as it was made,
        written or not, which no SSA value describes. Whether another name still holds one of those arrays
        after the write is the alias stage's (alias.py), which refuses that read. Returns (those arrays, by
        their first names, ""), or (None, why not). `around`: the loops around the write (those being built);
        `lists`: a list display may be one of them (a new list: `list_object`)."""
        around = tuple(self.loop_path) if around is None else around
        todo, seen, arrays = [phi], set(), set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            if name in self.phis and name not in self.roots:
                for o in self.phis[name].operands:
                    if isinstance(o, ir.Var):
                        todo.append(o.name)
                    elif not (isinstance(o, ir.Const) and o.value is None):  # (None: unbound on that path)
                        return None, f"the value {o.value!r}"
                continue
            root = self.roots.get(name)
            if root is None:
                definition = self.definitions.get(name)
                if definition is None:
                    return None, f"{user_name(name)}, an array the function did not create"
                if definition.op in VIEWS and not self.stack_element(definition) and \
                        not (lists and self.list_root(ir.Var(name)) == name):  # (a display: a new list)
                    return None, f"{user_name(name)}, a view of another array"
                root = name
            if root not in self.made_in or self.made_in[root][:len(around)] != around:
                return None, f"{user_name(root)}, an array made before the loop around this line"
            arrays.add(root)
        return arrays, ""

    def _tuple_parts(self, atom: ir.Atom):
        """The component atoms of a tuple built in this function, if it is one."""
        if isinstance(atom, ir.Const) and isinstance(atom.value, tuple):
            return [ir.Const(v) for v in atom.value]
        if isinstance(atom, ir.Var):
            return self.tuples.get(atom.name)
        return None


def _spelled(index) -> str | None:
    """The index `index` (an atom) as the user wrote it: a constant, or a name of theirs; None for a value s2s made."""
    if isinstance(index, ir.Const) and type(index.value) is int:
        return repr(index.value)
    return user_name(index.name)[1:-1] if isinstance(index, ir.Var) and user_name(index.name) != "a value" else None
