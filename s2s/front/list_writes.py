"""Writes of an item of a list the function made (`ys[k] = v`, `ys[k] += v`): a display, a comprehension's list,
list(...), a list grown by append, a join of those. Python rebinds the slot: a new version of the list (`setitem`,
written in place as an array's element and put back by the reverse sweep), which the alias stage follows as it does
an array's (`list_object`), where no other name or container holds the list. `ys[k] op= v` changes the item itself
where it is an array: checked to be a number, or an array no other name holds (`rebound_item`). s2s's derivative of
a list keeps each item's shape: a write that gives an item read before a wider shape is refused as it runs
(`item_shape_check`, `rt.require_item_shape`). `ListWriteLowering` holds these methods of the SSA builder (ssa.py),
through element_writes.py's `ElementWriteLowering`.
"""
from __future__ import annotations

import ast

from s2s import ir, prims
from s2s.front.alias_loops import python_number
from s2s.front.item_operators import augmented_item
from s2s.front.repeated import grown_by_name
from s2s.front.write_advice import user_name
from s2s.ir.walk import is_slice, used_names


class ListWriteLowering:
    """(mixed into the SSA builder, ssa.py, through element_writes.py; reads its state through `self`)"""

    def list_object(self, atom, target: ast.Subscript | None = None, name: str = "") -> str | None:
        """The list `atom` is, by its first name, where it is one list the function made and holds by one name: a
        display, list(...), a slice of one, a comprehension's or a grown list (each append makes a new list), or a
        join of those (`_own_arrays`). `ys[k] = v` (`target`) rebinds its slot, as Python does, and changes no
        array: a new version of the list (`setitem`, written in place as an array's element, put back by the
        reverse sweep), which the alias stage follows as an array's. None for anything else; a list another name
        or a container holds (`zs = ys`, `[ys]`, a call that may keep it) is refused, as an append to it is."""
        root = self.list_root(atom)
        if root is None or self.repeated(atom):
            return None
        name = target.value.id if target is not None else name
        if not self.generated() and (root in self.shared_lists or self.list_owner.get(root, name) != name):
            # (generated code, `ys_1 = ys` entering a loop that writes ys_1's items: followed as an array's)
            if target is None:  # (a loop that writes its items, loops.py: refused at the write)
                return None
            raise self.error(target, f"assignment to an element of the list '{name}', which another name or a "
                                     f"container holds as well (Python's holder would see the new item)",
                             f"make the new list and bind it to each name that reads it: {name} = [v if pos == k "
                             f"else item for pos, item in enumerate({name})]")
        if atom.name in self.roots:
            return self.roots[atom.name]
        if atom.name in self.phis and self._own_arrays(atom.name, lists=True)[0] is None:
            return None  # (a list made before a loop around the write: as an array's, `_own_arrays`)
        # (a join of lists: each is a new list, which only the join's name holds, written as one object of its own;
        # unlike an array's join, the alias stage then counts no write into what the lists hold)
        self.roots[atom.name] = atom.name
        return atom.name

    def rebound_item(self, base: ir.Atom, name: str, parts: tuple, value: ir.Atom, root: str | None) -> None:
        """`ys[k] op= v` on a list the function made (`root`: `list_object`'s): Python's operator changes the item
        itself where it is an array (`ys = [x, ...]` holds the caller's x, a row of another array, ...), and binds it
        again; s2s makes a new value. Checked as it runs to be a number (`rt.require_immutable`), as an in-place
        operator on another name's value is. A plain `ys[k] = v` rebinds the slot and changes nothing."""
        text = self.loc.text if self.loc is not None else ""
        made = self.definitions.get(value.name) if isinstance(value, ir.Var) else None
        old = made.args[0] if made is not None and made.args else None
        read = self.definitions.get(old.name) if isinstance(old, ir.Var) else None
        first = self.definitions.get(self.roots.get(base.name, base.name)) if isinstance(base, ir.Var) else None
        if self.repeated(base) or old is None or augmented_item(text, name, parts) is None or \
                python_number(old, self._defining) or first is not None and first.op in prims.CONTAINER_COPIES:
            return  # (list(z): the alias stage checks the items, the rows or arrays of z, as it checked them before)
        items, stored = self._list_items(base, set(), name), self.definitions.get(getattr(base, "name", None))
        indexed = read is not None and read.op == "getitem" and read.args == (base,) + tuple(parts)
        folded = items is not None and items.count(old) == 1  # (the item itself, as a display's read at a constant
        # index gives it, that no other slot holds)
        if (indexed or folded) and items is not None and all(self._own_item(a, name) for a in items) or \
                stored is not None and stored.op == "setitem" and stored.args[1:-1] == tuple(parts) and \
                (indexed or old == stored.args[-1]) or stored is not None and stored.op == prims.APPENDED and \
                len(stored.args) == 2 and indexed and parts == (ir.Const(-1),):  # (read as it runs, each item a
            return  # new value no other name holds, the value just stored there, or just appended, `hs.append(v);
            # hs[-1] += hs[-2]`: the alias stage checks what else holds it)
        self.emit(ir.Effect(ir.Call("s2s.runtime.require_immutable", (made.args[0], ir.Const(
            augmented_item(text, name, parts))), (("container", ir.Const(name)),)), self.loc))

    def item_shape_check(self, base: ir.Atom, name: str, parts: tuple, value: ir.Atom) -> None:
        """`ys[k] = v` into a list the function made, whose item at k may have been read before (its derivative
        flows back into the slot the write zeroes, shaped as `v`): `rt.require_item_shape` refuses, as it runs, a `v`
        of a wider shape than the item's. Left out where the function's text reads the list nowhere before the write
        (nor in the loop around it), and in generated code (a derivative differentiated again), whose writes the
        check of the user's line ran before."""
        if self.generated() or self.list_root(base) is None or len(parts) != 1 or \
                is_slice(parts[0], self.definitions) or isinstance(parts[0], ir.Const) and \
                isinstance(parts[0].value, str):
            return
        made = self.definitions.get(value.name) if isinstance(value, ir.Var) else None
        first = made.args[0] if made is not None and made.args and isinstance(made.args[0], ir.Var) else None
        read = self.definitions.get(first.name) if first is not None else None  # (`ys[k] op= v`: the item read)
        text = self.loc.text.strip() if self.loc is not None else f"{name}[...] = ..."
        if read is not None and read.op == "getitem" and read.args == (base,) + tuple(parts):
            # (`ys[k] op= v`: the operator's result, shaped as the item and v broadcast, checked before it runs,
            # where nothing reads the item after the operator but the write: item_operators.py)
            op = made if made.op != "s2s.runtime.augmented" else \
                self.definitions.get(getattr(made.args[1], "name", ""))
            at = next((i for i, t in enumerate(self.block) if isinstance(t, ir.Assign) and op is not None and
                       t.value is op), None)
            if at is not None and len(op.args) == 2 and op.args[0] == first:
                self.block.insert(at, ir.Effect(ir.Call("s2s.runtime.require_item_shape", (
                    op.args[1], first, ir.Const(text), ir.Const(True))), self.loc))
            return
        old = self.fold_call("getitem", (base,) + parts)
        made = isinstance(base, ir.Var) and any(isinstance(t, ir.Assign) and t.target == base.name for t in self.block)
        if not self._read_before(name) or not isinstance(old, ir.Call) and not self.loop_path and made and \
                base.name not in used_names(self.block):  # (a display's item read by index is the value itself)
            return
        self.emit(ir.Effect(ir.Call("s2s.runtime.require_item_shape", (value, self.materialise(old), ir.Const(
            text))), self.loc))

    def item_read(self, node):
        """The item `node` (`M[1]`, `M[1][0]`) is, read at constant indexes from a list or tuple the function wrote out
        here (`M = [[a, b], [c, d]]`), or None."""
        if not isinstance(node, ast.Subscript) or not isinstance(node.slice, ast.Constant) or \
                type(node.slice.value) is not int:
            return None
        inner = self.read(node.value.id, node.value) if isinstance(node.value, ast.Name) and \
            node.value.id in self.env else self.item_read(node.value)
        if not isinstance(inner, ir.Var) or self._tuple_parts(inner) is None:
            return None
        found = self.fold_call("getitem", (inner, ir.Const(node.slice.value)))
        return found if isinstance(found, ir.Var) else None

    def _read_before(self, name: str) -> bool:
        """Does the function's text read the list `name` (by item, whole, or a method of it) before the line being
        built, on it, or anywhere in the outermost loop around it? (Not the list written by item: `name[k] = v`.)"""
        line = self.loc.line if self.loc is not None else None
        loop = self.loop_path[0].node if self.loop_path else None
        written = {id(t.value) for t in ast.walk(self.src.tree) if isinstance(t, ast.Subscript) and
                   isinstance(t.ctx, ast.Store)}
        for n in ast.walk(self.src.tree):
            if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load) and id(n) not in written and \
                    (line is None or n.lineno <= line or loop is not None and
                     loop.lineno <= n.lineno <= (loop.end_lineno or loop.lineno)):
                return True
        return False

    def _list_items(self, atom, seen: set, name: str) -> list | None:
        """What the list `atom` (one the function made, `name`'s) may hold: the items of its display, those appended
        and written since; None where it holds what s2s does not see (`list(xs)`, a helper's list)."""
        if not isinstance(atom, ir.Var) or atom.name in seen:
            return []
        seen.add(atom.name)
        frame = next((f for f in self.loop_path for p in f.phis.values() if p.target == atom.name), None)
        stored = frame is not None and any(isinstance(t, ast.Assign) and any(
            isinstance(w, ast.Subscript) and isinstance(w.value, ast.Name) and w.value.id == name for w in t.targets)
            for t in ast.walk(frame.node))
        if frame is not None and (grown_by_name(frame.node, name) or stored):
            return None  # (the loop being built gives it items its later statements store: not known yet)
        joined = self.phis[atom.name].operands if atom.name in self.phis else next(
            (p.operands for p in frame.phis.values() if p.target == atom.name), None) if frame is not None else None
        made = self.definitions.get(atom.name)
        if joined is not None:
            parts = [self._list_items(o, seen, name) for o in joined if o is not None]
        elif made is None:
            return None
        elif made.op == "list":
            return list(made.args)
        elif made.op in (prims.APPENDED, "setitem"):
            parts = [self._list_items(made.args[0], seen, name), [made.args[-1]]]
        elif made.op == "add" and len(made.args) == 2:  # (`ws += [v]`, a comprehension's)
            parts = [self._list_items(a, seen, name) for a in made.args]
        elif made.op == "builtins.list" and self.list_root(made.args[0]) is not None:  # (a copy of the list)
            parts = [self._list_items(made.args[0], seen, name)]
        elif made.op == "mul" and self.repeated(atom):
            return []
        else:
            return None
        return None if any(p is None for p in parts) else [a for p in parts for a in p]

    def _own_item(self, atom, name: str) -> bool:
        """Is `atom` a number, or an array the function made (no argument, module data or view of one) that no name
        but the list's (`name`) holds, nor a display another name holds (the alias stage follows reads by index)?"""
        if not isinstance(atom, ir.Var) or python_number(atom, self._defining):
            return True
        held = any(v == atom or isinstance(v, ir.Var) and atom in self.tuples.get(v.name, ())
                   for n, v in self.env.items() if n != name)
        return not held and user_name(atom.name) == "a value" and atom.name not in self.phis and \
            self.array_root(atom) is not None
