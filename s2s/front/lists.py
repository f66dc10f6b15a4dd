"""Lists the function grows while building SSA: `xs.append(v)`, `xs.extend([a, b])`, `xs + [v]`.

A list is a value in SSA like any other: appending makes the next version
(`xs_1 = rt.appended(xs, v)`, generated as `xs_1 = xs + [v]`), and the old
version stays as it was, which is what the reverse sweep reads. Python changes
the one list object in place, so this is exact only while nothing else holds
the list when it is appended to: the function made it (a list display, a
comprehension), holds it under one name, and has not put it into a container,
given it another name or passed it to a call that may keep it. An append that
breaks this is refused at its line (`xs + [v]` makes a new list in Python too,
so it is always exact).
"""
from __future__ import annotations

import ast

import numpy as np

from s2s import ir
from s2s import prims
from s2s.prims import APPENDED, CONTAINER_BUILDERS, CONTAINER_COPIES, ITERATED
from s2s.errors import S2SError
from s2s.front import fence
from s2s.front.item_lists import grow as grow_item
from s2s.front.repeated import copied, grown_by_name, items_written, never_read
from s2s.front.parameters import own_name
from s2s.ir.walk import is_slice

# calls that may keep a reference to a list argument (the others read it and make new data): containers, dicts
# s2s writes out (`{"h": hist}`), iterators over it, opaque calls
KEEPS_REFERENCE = {"list", "tuple", "dict", "builtins.dict", "call", "callmethod", "s2s.runtime.dict_of",
                   prims.RECORD_NEW, "s2s.runtime.record_tangent", "s2s.runtime.dict_from_pairs",
                   "builtins.zip", "builtins.enumerate", "builtins.iter", "builtins.reversed"}


# what gives the items of its operand, not it: an item read, a copy (list(xs))
_ITEMS_OF = frozenset({"getitem", *CONTAINER_COPIES})
REQUIRE_ARRAY = "s2s.runtime.require_array"


class ListLowering:
    """(mixed into the SSA builder, ssa.py; reads its state through `self`)"""

    def list_root(self, atom) -> str | None:
        """The list (its first version's name) that `atom` is a version of, if the function made it."""
        if not isinstance(atom, ir.Var):
            return None
        root = self.list_roots.get(atom.name)
        if root is None:
            d = self.definitions.get(atom.name)
            if d is not None and (d.op in ("list", "builtins.list") or _sum_of_lists(d, self) or
                                  self._slice_of_list(d)) or self.repeated(atom):
                # (a display, list(...), sum(rows, []), xs[:-1] of a list the function made, [0.0] * n: a new list)
                root = self.list_roots[atom.name] = atom.name
        return root

    def _slice_of_list(self, d: ir.Call) -> bool:
        """`xs[a:b]` of a list the function made: Python's slice of a list is a new list (of an array, a view)."""
        if d.op != "getitem" or len(d.args) != 2:
            return False
        return is_slice(d.args[1], self.definitions) and self.list_root(d.args[0]) is not None

    def note_list_uses(self, value) -> None:
        """A call that may keep a reference to a list (a container holding it, an opaque call): from here on
        the list is shared, and appending to it is refused."""
        if not isinstance(value, ir.Call):
            return
        for i, a in enumerate(value.args + tuple(v for _, v in value.kwargs)):
            root = self.list_root(a)
            if root is not None and (value.op in KEEPS_REFERENCE or value.op == APPENDED and i == 1):
                self.shared_lists.add(root)

    def array_attribute(self, key: str, base, node: ast.Attribute) -> ir.Expr:
        """NumPy's `base.T` (`prims.ATTRIBUTES`), checked where the code runs where `base` is an item of a list,
        a tuple or a loop's sequence, which may be an object of the user's with a field of that name (`o.T` of a
        namedtuple read as NumPy's transpose of its fields, silently: `rt.require_array`); where `base` is another
        value whose class is unknown (an argument, a field of one), on the call (`array_reads`, api/data_checks.py),
        which costs a type test where it is an array."""
        made = self.definitions.get(base.name) if isinstance(base, ir.Var) else None
        if made is not None and made.op == "getitem" and isinstance(made.args[0], ir.Var) and (
                getattr(self.definitions.get(made.args[0].name), "op", None) == ITERATED or
                self.is_sequence(made.args[0])):
            self.emit(ir.Effect(ir.Call(REQUIRE_ARRAY, (base, ir.Const(ast.unparse(node)))), self.loc))
        elif isinstance(base, ir.Var) and base.name not in self.free:  # (an argument's: checked on the call)
            self.array_reads.append((base.name, node.attr, self.loc))
        return ir.Call(key, (base,))

    def holds_list(self, atom, root: str, seen: frozenset = frozenset()) -> bool:
        """May `atom` be the list `root` (a version of it) or hold it: a list, tuple, dict or record it was put
        in, an item of one, a join of those?"""
        if not isinstance(atom, ir.Var) or atom.name in seen:
            return False
        if self.list_root(atom) == root:
            return True
        seen = seen | {atom.name}
        made = self.definitions.get(atom.name)
        if made is not None and made.op in _ITEMS_OF:  # (an item of the list, a copy of it: its items, not it)
            return any(self.list_root(a) != root and self.holds_list(a, root, seen) for a in made.args)
        if made is not None:
            return made.op in CONTAINER_BUILDERS and any(self.holds_list(a, root, seen) for a in made.args)
        phi = self.phis.get(atom.name)
        return phi is not None and any(self.holds_list(o, root, seen) for o in phi.operands if o is not None)

    def refuse_list_held_across(self, frame, phis: dict, end_env: dict, body_exited: bool) -> None:
        """A list the body grows in place, that the next iteration grows again, held at the end of the body by
        another name or a container (`rows.append(cols)`, `best = path`): Python's holder sees the next appends,
        where s2s's holds the list as it was (a new list per append). Refused at the append."""
        for root, (node, grower) in frame.grown.items():
            if body_exited or not any(self.list_root(p.operands[0]) == root and
                                      self.list_root(end_env.get(n)) == root for n, p in phis.items()):
                continue  # (a list made anew in each iteration, or the loop's last)
            envs = [end_env] + [{n: c.values.get(p.target) for n, p in phis.items()} for c in frame.continues]
            holder = next((n for env in envs for n, atom in env.items() if n != grower and
                           self.holds_list(atom, root) and not never_read(self.src.tree, n)), None)
            if holder is not None:
                raise self.error(node, f"growing the list '{grower}' in a loop whose body also gives it to "
                                 f"'{holder}' (the next iteration's append would change the list '{holder}' "
                                 "holds)", f"give '{holder}' a copy: list({grower}), or make '{grower}' anew in "
                                 "the loop")

    def note_list_name(self, name: str, atom) -> None:
        """`name = atom`: a list bound to a second name is shared."""
        root = self.list_root(atom)
        made = self.definitions.get(getattr(atom, "name", None))
        if copied(made, self.definitions, self.free, True) and items_written(self.src.tree, name) and \
                getattr(self.block[-1], "target", None) == atom.name:  # (copy.copy(p) written by item: p.copy())
            made = self.block[-1].value = self.definitions[atom.name] = ir.Call(prims.COPY_METHOD, made.args[1:])
        if root is None and copied(made, self.definitions, self.free) and grown_by_name(self.src.tree, name):
            # (grown, it is a list: copied, the function's own, as list(...) makes one, which later stages know)
            self.emit(ir.Effect(ir.Call("s2s.runtime.require_list", (atom, ir.Const(f"{name}.append"))), self.loc))
            atom = self.env[name] = self.assign(self.version(name), ir.Call("builtins.list", (atom,)))
            root = self.list_root(atom)
        if root is not None and self.list_owner.setdefault(root, name) != name and \
                not never_read(self.src.tree, name):  # (`alias = xs`, read nowhere: nothing shows the appends)
            self.shared_lists.add(root)

    def lent_lists(self) -> set:
        """The names of lists lent to this helper (effects.lend_lists) that no other name or container holds."""
        roots = {n: self.list_root(a) for n, a in self.env.items() if isinstance(a, ir.Var)}
        return {n for n, r in roots.items() if r is not None and r not in self.shared_lists and
                self.list_owner.get(r) == n}

    def hand_over(self, name: str, atom, given: str) -> None:
        """`name = atom` after a loop item_loops.py made (`ps = ps_new`): Python's list is the one `name` held,
        its items changed in place, so the new list `atom` is a version of it (lists.py), to append to (and the
        caller's name of a list lent to a helper follows it, follow_grown_lists), where `name`'s list was its own
        (no other name or container held it, which would keep showing the old list). `given`: the new list's name
        item_loops.py made."""
        old, new = self.list_root(self.env.get(name)), self.list_root(atom)
        if old is not None and new is not None and isinstance(atom, ir.Var) and old not in self.shared_lists and \
                self.list_owner.get(old, name) == name:
            self.list_roots[atom.name] = old
            self.env[given] = ir.Const(None)  # (`ps_new`, read no more: no other name for the list)

    def join_lists(self, target: str, operands) -> None:
        """A phi of versions of one list is a version of it."""
        roots = {self.list_root(o) for o in operands if o is not None and o != ir.Var(target)}
        if len(roots) == 1 and None not in roots:
            self.list_roots[target] = roots.pop()
        elif roots and None not in roots:
            # one of several lists the function made (`xs = xs + [v]` in a loop makes a new one each time): a
            # list of its own from here, shared if one of them is or if they have different owners
            self.list_roots[target] = target
            owners = sorted({self.list_owner.get(r) for r in roots} - {None})
            if roots & self.shared_lists or len(owners) > 1:
                self.shared_lists.add(target)
            elif owners:
                self.list_owner[target] = owners[0]
        else:
            self.list_roots.pop(target, None)

    def unpacked_display(self, s: ast.Assign) -> bool:
        """`S, Y = [], []`: a tuple (or list) of names given a display of as many values, none starred, is each
        value evaluated in order, then bound, as Python does; no tuple holds them (which would make two lists
        the function appends to shared). False where `s` is not that; where its value is an iterator (`rows, cols =
        zip(*pairs)`, a generator, map(...)), Python's unpacking reads it wholly, there, as list(...) does: it is
        marked so (`consumed`) for the assignment that follows."""
        target, value = s.targets[0], s.value
        if len(s.targets) == 1 and isinstance(target, (ast.Tuple, ast.List)) and \
                (isinstance(value, ast.GeneratorExp) or self.lazy_kind(value) is not None):
            self.consumed.add(id(value))
            return False
        if len(s.targets) != 1 or not isinstance(target, (ast.Tuple, ast.List)) or \
                not isinstance(value, (ast.Tuple, ast.List)) or len(target.elts) != len(value.elts) or \
                any(isinstance(e, ast.Starred) for e in target.elts + value.elts):
            return False
        parts = [self.materialise(self.expr(v, hint=self._hint(t)), self._hint(t))
                 for t, v in zip(target.elts, value.elts)]
        for t, part in zip(target.elts, parts):
            self.bind(t, part)
        return True

    def refuse_shared_update(self, s: ast.AugAssign, left, right, op: str) -> None:
        """Refuse `d |= {...}` of a dict and `ys += [...]` of a list the function did not make (the caller's, the
        module's, or one another name holds): Python updates that one object in place, which every name holding
        it sees, where s2s would make a new value."""
        name = s.target.id
        if op == "bitor" and (isinstance(s.value, (ast.Dict, ast.DictComp)) or self.is_dict(left) or
                              self.is_dict(right)):
            # (a dict display, which s2s reads as a copy with the keys written by name; it does not differentiate a
            # merge `d | e`, nor a display joining two mappings)
            named = isinstance(s.value, ast.Dict) and all(isinstance(k, ast.Constant) and isinstance(k.value, str)
                                                          for k in s.value.keys)
            merged = ast.unparse(ast.Dict([None, *s.value.keys], [ast.Name(name), *s.value.values])) if named else \
                f"{{**{name}, 'key': value}} with each key that changes"
            raise self.error(s, f"'{ast.unparse(s)}', which updates the dict in place (every name holding it sees the "
                                "change)", f"make a new dict and read that one: {name}_new = {merged}, or pass the "
                                f"updated dict in")
        if op in ("add", "mul") and self.list_root(left) is None and isinstance(s.value, (ast.List, ast.ListComp)):
            raise self.error(s, f"'{ast.unparse(s)}' on a list the function did not make (the caller's, the module's, "
                                "or one another name holds), which Python extends in place",
                             f"make a new list and read that one: {name}_new = {name} + {ast.unparse(s.value)}, or "
                             f"copy it first ({name} = list({name}))")

    def list_in_place(self, s: ast.AugAssign, left: ir.Var, right: ir.Atom, op: str) -> None:
        """`xs += ys` or `xs *= n` on a list the function made: Python extends or repeats that one list in
        place, which is a new version of it while no other name or container holds it (lists.py)."""
        name = s.target.id
        root = self.list_root(left)
        if root in self.shared_lists or self.list_owner.setdefault(root, name) != name:
            raise self.error(s, f"'{ast.unparse(s)}' on a list that another name or a container also holds here, "
                                "which would see the change", f"write a new list instead: {name} = "
                                f"{name} {'+' if op == 'add' else '*'} {ast.unparse(s.value)}")
        if op == "add" and not self.is_sequence(right):
            raise self.error(s, f"'{ast.unparse(s)}' with a value known only at run time (Python extends the list "
                                "with its elements)", f"append the values one by one: for v in values: "
                                f"{name}.append(v)")
        out = self.sequence_operation(op, left, right, s, name)
        if isinstance(out, ir.Var):  # (the same list, extended in place)
            self.list_roots[out.name] = root
            self.list_items.setdefault(root, set()).add(None)  # (items of no class known here: records.item_class)
            for frame in self.loops:
                frame.grown.setdefault(root, (s, name))
        self.bind(s.target, out)

    def sequence_operation(self, op: str, left, right, node, hint: str | None = None):
        """`xs + ys`, `xs * n` and `n * xs` where xs is a list or tuple: Python joins or repeats the sequences,
        which is no arithmetic. The new tuple or list of the parts where they are known here and n is a
        constant (`[a, b] * 2` is `[a, b, a, b]`; `xs + [v]` of a list the function grows is appended to);
        refused at the line where a sequence's length or n is known only at run time; None where no operand
        is surely a list or tuple (NumPy's arithmetic, which reads a list as an array)."""
        if op not in ("add", "mul"):
            return None
        lk, rk = self.sequence_kind(left), self.sequence_kind(right)
        if op == "add":
            if lk is not None and lk == rk:
                return self.sequence(lk, tuple(self._tuple_parts(left)) + tuple(self._tuple_parts(right)), hint)
            if rk == "list" and self.list_root(left) is not None:  # xs + [a, b], xs grown by the function
                out = left
                parts = self._tuple_parts(right)
                for i, part in enumerate(parts):
                    out = self.materialise(ir.Call(APPENDED, (out, part)), hint if i == len(parts) - 1 else None)
                    self.list_roots[out.name] = out.name  # a new list, as Python makes
                return out
            if self.joined_sequence(left) and self.joined_sequence(right):
                # a new list (tuple) of left's items, then right's, whose lengths only the run time knows:
                # sum([right], left), which is `left + right`, its rules cutting the adjoint back into the two
                # parts; the display holding right is the sum's alone (right is not shared by it)
                shared = set(self.shared_lists)
                rows = self.materialise(ir.Call("list", (right,)))
                self.shared_lists.intersection_update(shared)
                out = self.materialise(ir.Call("builtins.sum", (rows, left)), hint)
                if lk == "list" or self.list_root(left) is not None:
                    self.list_roots[out.name] = out.name  # (a new list, as Python makes)
                return out
            return None
        seq, n = (left, right) if self.is_sequence(left) else (right, left) if self.is_sequence(right) else (None, None)
        if seq is None or self.is_sequence(n):
            return None  # (a sequence times a sequence: Python's TypeError as the code runs, on a path it takes)
        kind = self.sequence_kind(seq)
        if isinstance(n, ir.Const) and type(n.value) not in (int, bool):
            return None  # (Python's TypeError, as the code runs)
        if kind == "list" and isinstance(n, ir.Const) and hint is not None and items_written(self.src.tree, hint) and \
                all(isinstance(p, ir.Const) for p in self._tuple_parts(seq)):
            return None  # (P = [None] * 4 with P[t] = v: a list made as the code runs, as for [None] * n, `repeated`)
        if kind is not None and isinstance(n, ir.Const):
            return self.sequence(kind, tuple(self._tuple_parts(seq)) * n.value, hint)
        if kind is not None and all(isinstance(p, ir.Const) for p in self._tuple_parts(seq)):
            return None  # (1,) * np.ndim(x): constants, which carry no derivative, repeated as the code runs
        what = "repeating a list or tuple whose length is known only at run time" if isinstance(n, ir.Const) else \
            "a list or tuple times a value known only at run time (Python repeats it for an int, NumPy multiplies " \
            "element by element for an array)"
        texts = (ast.unparse(node.left), ast.unparse(node.right)) if isinstance(node, ast.BinOp) else ("xs", "n")
        xs, times = texts if seq is left else texts[::-1]
        raise self.error(node, what, f"repeat it with a comprehension, [v for _ in range({times}) for v in {xs}]" + (
            "" if isinstance(n, ir.Const) else "; for NumPy's product make the list an array first: np.array(xs) * w"))

    def held_list_refusal(self, node: ast.Call, func: ast.Attribute, surely_list: bool) -> S2SError:
        """The refusal of `p.hist.append(v)` (`list.append(p.hist, v)`, `surely_list`): a list an argument holds,
        which Python would change in place, with the advice of a list the function makes."""
        owner, attr = ast.unparse(func.value), func.value.attr
        own = attr if attr not in {n.id for n in ast.walk(self.src.tree) if isinstance(n, ast.Name)} else f"{attr}_own"
        fix = (f"make the function's own list first: {own} = list({owner}), and grow and read {own} from there on "
               f"({owner} stays as it was: s2s differentiates functions that change nothing they are given)")
        if surely_list:
            return self.error(node, f"{ast.unparse(func)}() on a list the function did not make (the caller's list "
                                    f"would change)", fix)
        return self.error(node, f"{ast.unparse(func)}() on a list the function did not make (the caller's list would "
                                f"change), or on an object of a class s2s does not know while compiling",
                          f"for a list, {fix}; for an object of yours, call the method through its class, which s2s "
                          f"then reads: Cls.{func.attr}({owner}, ...)")

    def grow(self, node: ast.Call) -> bool:
        """`xs.append(v)` or `xs.extend([a, b])` as a statement: the next versions of the list `xs`."""
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("append", "extend", "insert") and node.args and \
                isinstance(func.value, ast.Name) and func.value.id == "list" and self.static_value(func.value) is list:
            # (list.append(xs, v), the method called through its class: xs.append(v))
            call = ast.Call(ast.copy_location(ast.Attribute(node.args[0], func.attr, ast.Load()), func),
                            node.args[1:], node.keywords)
            node, func = ast.copy_location(call, node), call.func
            if isinstance(func.value, ast.Attribute) and not self.generated():
                raise self.held_list_refusal(node, func, surely_list=True)
        if grow_item(self, node):  # (d[k].append(v), d.setdefault(k, []).append(v) of a dict the function made)
            return True
        if isinstance(func, ast.Attribute) and func.attr in ("append", "extend") and \
                isinstance(func.value, ast.Subscript) and not self.generated():  # (ring[f[0]].append(f[1]))
            held, key = func.value.value, func.value.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and isinstance(held, ast.Name):
                own = f"{held.id}_{key.value}" if key.value.isidentifier() else f"{held.id}_values"
                raise self.error(node, f"{ast.unparse(func)}() on the list the dict '{held.id}' holds at "
                                       f"{key.value!r}, grown in place (s2s follows a list grown by its own name)",
                                 f"keep each list by a name of its own where the dict is made, {own} = [...]; "
                                 f"{own}.{func.attr}(...) and {own}[-1] for {ast.unparse(func.value)}[-1], then "
                                 f"make the dict of them after the loop: {held.id} = {{{key.value!r}: {own}, ...}}")
            raise self.error(node, f"{ast.unparse(func)}() on an element of a list of lists, grown in place (s2s "
                                   f"follows a list grown by its own name)", fence.BOOKKEEPING)
        if not (isinstance(func, ast.Attribute) and func.attr in ("append", "extend", "insert", "appendleft")
                and isinstance(func.value, ast.Name)) or self.generated():
            return False
        name, what = func.value.id, f"{func.value.id}.{func.attr}()"
        base = self.read(name, func.value)
        root = self.list_root(base)
        made = _deque_made(self.src.tree, name) if root is None else None
        if made is None and func.attr == "appendleft":
            return False  # (the method of some other object)
        if made is not None:  # (`buf = collections.deque(..., maxlen=n)`: an append drops the oldest item, an
            # appendleft the newest)
            value = ast.unparse(node.args[0]) if len(node.args) == 1 and func.attr in ("append", "appendleft") \
                else "v"
            raise self.error(node, f"{what} on '{name}', a collections.deque, which s2s does not follow",
                             _deque_advice(name, ast.unparse(made.args[0]) if made.args else "[0.0] * n", value,
                                           func.attr == "appendleft"))
        if root is None:
            raise self.error(node, f"{what} on a list the function did not make (the caller's list would change)",
                             _own_list(name, own_name(name, self.src.tree)))
        owner = self.list_owner.setdefault(root, name)
        if root in self.shared_lists or owner != name:
            raise self.error(node, f"{what} on a list that another name or a container also holds here, which "
                                   "would see the change",
                             f"append before sharing the list, or copy it when you share it: other = list({name})")
        if any(isinstance(f.node, ast.For) and isinstance(f.node.iter, ast.Name) and f.node.iter.id == name
               for f in self.loops):
            raise self.error(node, f"{what} on the list the loop iterates over (Python's loop would see the "
                                   "new elements)", f"iterate over a copy: for v in list({name})")
        if func.attr == "insert":
            self.insert(node, name, base, root)
            return True
        if node.keywords or len(node.args) != 1:
            raise self.error(node, f"{what} with {len(node.args)} arguments", f"call {name}.{func.attr}(value)")
        if func.attr == "append":
            values = [self.atom(node.args[0])]
        elif isinstance(node.args[0], (ast.List, ast.Tuple)):
            values = [self.atom(e) for e in node.args[0].elts]
        else:
            raise self.error(node, f"{what} with a list computed at run time",
                             f"append its values one by one in a loop: for v in values: {name}.append(v)")
        for frame in self.loops:
            frame.grown.setdefault(root, (node, name))
        self.list_items.setdefault(root, set()).update(self.built_class(v) for v in values)  # (records.item_class)
        for v in values:
            base = self.assign(self.version(name), ir.Call(APPENDED, (base, v)))
            self.list_roots[base.name] = root
        self.env[name] = base
        self.bound(name)
        return True

    def insert(self, node: ast.Call, name: str, base: ir.Var, root: str) -> None:
        """`xs.insert(i, v)` on a list the function made and holds by this name alone: the next version of it,
        `[v] + xs` for i = 0 (`Ks.insert(0, K)` of a backward pass), else `xs[:i] + [v] + xs[i:]`, which is where
        Python inserts for every integer i (slices clip as insert does)."""
        if node.keywords or len(node.args) != 2 or any(isinstance(a, ast.Starred) for a in node.args):
            raise self.error(node, f"{name}.insert() with {len(node.args)} arguments", f"call {name}.insert(i, value)")
        at, value = self.atom(node.args[0]), self.atom(node.args[1])
        single = self.materialise(ir.Call("list", (value,)))
        self.tuples[single.name] = [value]
        if isinstance(at, ir.Const) and type(at.value) is int and at.value in (0, -0):
            out = self.sequence_operation("add", single, base, node, name)
        else:
            def part(lower, upper):
                bounds = ir.Call("slice", (lower, upper, ir.Const(None)))
                return self.materialise(ir.Call("getitem", (base, ir.Const(slice(lower.value, upper.value)) if all(
                    isinstance(b, ir.Const) for b in (lower, upper)) else self.materialise(bounds))))
            head = self.sequence_operation("add", part(ir.Const(None), at), single, node)
            out = self.sequence_operation("add", head, part(at, ir.Const(None)), node, name)
        self.list_roots[out.name] = root  # (the same list, Python's, grown in place)
        self.list_items.setdefault(root, set()).add(self.built_class(value))  # (records.item_class)
        for frame in self.loops:
            frame.grown.setdefault(root, (node, name))
        self.env[name] = out
        self.bound(name)

    def joined(self, node: ast.BinOp, hint: str | None = None):
        """`xs + [a, b]` where the function made the list `xs`, or `t + (a, b)` where `t` is surely a tuple whose
        length is known only at run time: (xs, the new list or tuple); (xs, None) if `xs` is neither; None if the
        expression is not of that form."""
        if isinstance(node.op, ast.Add) and isinstance(node.right, ast.Tuple):
            return self.joined_tuple(node, hint)
        if not (isinstance(node.op, ast.Add) and isinstance(node.right, ast.List)):
            return None
        left = self.atom(node.left)
        if self.list_root(left) is None:
            return left, None
        out = left
        for i, e in enumerate(node.right.elts):
            out = self.materialise(ir.Call(APPENDED, (out, self.atom(e))), hint if i == len(node.right.elts) - 1
                                   else None)
            self.list_roots[out.name] = out.name  # a new list, as Python makes
        return left, out


    def joined_tuple(self, node: ast.BinOp, hint: str | None):
        """`t + (a, b)` of a tuple `t` whose parts are not known here (one grown in a loop, `t = t + (v,)`), as
        `tuple(list(t) + [a] + [b])`: the list's rules cut its adjoint into t's parts and the new ones, where the
        arithmetic `+` (which it is for an array t) would add them."""
        left = self.atom(node.left)
        if any(isinstance(e, ast.Starred) for e in node.right.elts) or self.sequence_kind(left) is not None \
                or not self.surely_tuple(left):
            return left, None
        out = self.materialise(ir.Call("builtins.list", (left,)))
        for e in node.right.elts:
            out = self.materialise(ir.Call(APPENDED, (out, self.atom(e))))
            self.list_roots[out.name] = out.name  # (a list of its own, which nothing else holds)
        return left, self.materialise(ir.Call("builtins.tuple", (out,)), hint)

    def surely_tuple(self, atom, seen: frozenset = frozenset()) -> bool:
        """Is `atom` a tuple whatever path led to it: a constant tuple, tuple(...), or a phi of those; a loop's
        header phi while its body is being built, if it enters the loop as a tuple and every assignment to its
        name in the loop makes one (`t = t + (v,)`, `t = (a, b)`, `t = tuple(xs)`)?"""
        if isinstance(atom, ir.Const):
            return isinstance(atom.value, tuple)
        if not isinstance(atom, ir.Var) or atom.name in seen:
            return isinstance(atom, ir.Var)  # (a phi's operand that is the phi itself: the other operands decide)
        seen = seen | {atom.name}
        made = self.definitions.get(atom.name)
        if made is not None:
            return made.op in ("tuple", "builtins.tuple")
        phi = self.phis.get(atom.name)
        if phi is not None:
            return all(o is not None and self.surely_tuple(o, seen) for o in phi.operands)
        for frame in self.loops:
            for name, phi in frame.phis.items():
                if phi.target == atom.name:
                    return self.surely_tuple(phi.operands[0], seen) and _assigns_only_tuples(
                        frame.node, name, lambda func: self._resolves_to(func, tuple))
        return False


    def is_indexed(self, atom, seen: frozenset = frozenset()) -> bool:
        """Is `atom` surely a list, tuple, array or range, whose elements iterating it gives by position: a
        constant, a sequence (`is_sequence`), module data holding one, a version of one written into, the result
        of a NumPy function or of arithmetic that no set or Counter has, a join of those; a loop's header phi while
        its body is being built, if it enters the loop as one and the loop never binds its name anew?"""
        if isinstance(atom, ir.Const):
            return True
        if atom.name in seen:
            return False
        seen = seen | {atom.name}
        for frame in self.loops:  # (its back edge not known yet: `frontier = nxt`, a set after a list, rebinds it)
            name = next((n for n, phi in frame.phis.items() if phi.target == atom.name), None)
            if name is not None:
                return name not in _rebound(frame.node.body) and self.is_indexed(frame.phis[name].operands[0], seen)
        if self.is_sequence(atom):
            return True
        if atom.name in self.free:
            return isinstance(self.free[atom.name][0], (list, tuple, np.ndarray))
        root = self.roots.get(atom.name)
        if root is not None and root != atom.name:  # (an array the function writes into, a loop's header too)
            return self.is_indexed(ir.Var(root), seen)
        made = self.definitions.get(atom.name)
        if made is not None:
            if made.op in _SET_OPERATORS:  # (s1 - s2, +counts: a set, a Counter, where no operand is an array)
                return any(self.is_indexed(a, seen) for a in made.args)
            return made.op in _ARRAY_OPERATORS or made.op.startswith("numpy.") or made.op == "builtins.range"
        phi = self.phis.get(atom.name)
        operands = [o for o in phi.operands if o != atom] if phi is not None else []
        return bool(operands) and all(o is not None and self.is_indexed(o, seen) for o in operands)


_ARRAY_OPERATORS = frozenset({"mul", "truediv", "floordiv", "mod", "pow", "matmul"})
_SET_OPERATORS = frozenset({"add", "sub", "neg", "pos"})  # (which sets or collections.Counter have too)


def _rebound(stmts) -> set[str]:
    """The names `stmts` bind anew: assigned, a loop's target, a with's or a walrus's, not `name op= v`."""
    augmented = {id(n.target) for s in stmts for n in ast.walk(s) if isinstance(n, ast.AugAssign)}
    return {n.id for s in stmts for n in ast.walk(s)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store) and id(n) not in augmented}


def _assigns_only_tuples(loop: ast.AST, name: str, is_tuple) -> bool:
    """Does every binding of `name` in `loop` assign a tuple: `name = (...)`, `name = name + (...)`,
    `name += (...)` or `name = tuple(...)` (`is_tuple(func)`: the builtin; no loop target, unpacking or walrus)?"""
    parents = {id(c): n for n in ast.walk(loop) for c in ast.iter_child_nodes(n)}
    for n in ast.walk(loop):
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.name == name or \
                isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names or \
                isinstance(n, ast.alias) and (n.asname or n.name) == name:
            return False
        if not (isinstance(n, ast.Name) and n.id == name and not isinstance(n.ctx, ast.Load)):
            continue
        assign = parents.get(id(n))
        if isinstance(assign, ast.AugAssign) and isinstance(assign.op, ast.Add) and isinstance(assign.value, ast.Tuple):
            continue  # (`t += (v,)` of a tuple t makes a tuple too)
        if not (isinstance(assign, ast.Assign) and assign.targets == [n]):
            return False
        value = assign.value
        if not (isinstance(value, ast.Tuple) or
                isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add) and isinstance(value.right, ast.Tuple)
                and isinstance(value.left, ast.Name) and value.left.id == name or
                isinstance(value, ast.Call) and is_tuple(value.func)):
            return False
    return True


def _sum_of_lists(d: ir.Call, builder) -> bool:
    """`sum(rows, [])`: Python adds the rows to its start into new lists, and gives the start itself where there
    are none, which is a new list where the start is a list display no name holds, or where the rows are a
    display of some (`sum([ys], xs)`, which is `xs + ys`: expressions.py)."""
    start = d.args[1] if len(d.args) > 1 else dict(d.kwargs).get("start")
    if d.op != "builtins.sum" or not isinstance(start, ir.Var):
        return False
    root = builder.list_root(start)
    rows = builder.definitions.get(d.args[0].name) if isinstance(d.args[0], ir.Var) else None
    if rows is not None and rows.op == "list" and rows.args:  # (rows written out: a list where each row is one;
        # arrays added to a list start are NumPy's sum, `[1.0, 2.0] + x` an array)
        return root is not None and all(builder.list_root(a) is not None for a in rows.args)
    return root is not None and root == start.name and root not in builder.list_owner and \
        root not in builder.shared_lists


def _own_list(name: str, own: str) -> str:
    made = f"make the function's own list first: {own} = list({name})"
    return made if own == name else made + f", and grow and read {own} from there on"


def _deque_advice(name: str, first: str, value: str, left: bool) -> str:
    """The advice for `name.append(value)` (`name.appendleft(value)` where `left`) on a deque made of `first`: an
    array or a list shifted as each value comes, at the end (at the front), as a deque with maxlen keeps them."""
    if left:
        shift, end, which, made = f"{name}[1:] = {name}[:-1]", 0, "newest", f"[{value}] + {name}[:-1]"
        every = f"with the list, {name} = [{value}] + {name} keeps"
    else:
        shift, end, which, made = f"{name}[:-1] = {name}[1:]", -1, "oldest", f"{name}[1:] + [{value}]"
        every = f"list({name}) and {name}.append({value}) keep"
    return (f"keep the values in an array shifted as each comes ({name} = np.array({first}, dtype=float) where it is "
            f"made, then {shift}; {name}[{end}] = {value}: {name}[0] the {which}, as a deque's with maxlen), or in a "
            f"list made anew ({name} = list({first}), then {name} = {made}); {every} every item, as a deque without "
            f"maxlen does")


def _deque_made(tree: ast.AST, name: str):
    """The call `deque(...)` (`collections.deque(...)`) that the function `tree` binds `name` to, if it does."""
    return next((t.value for t in ast.walk(tree) if isinstance(t, ast.Assign) and isinstance(t.value, ast.Call) and
                 any(isinstance(g, ast.Name) and g.id == name for g in t.targets) and
                 ast.unparse(t.value.func).split(".")[-1] == "deque"), None)
