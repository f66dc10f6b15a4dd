"""An in-place operator on an item of a container (alias.py, containers.py's `_element_operator`): `q['w'] -= v`.

Python changes the item itself where it is an array (NumPy's `__isub__`), then stores it back; s2s makes
the new value and stores it, which is the same program where nothing else holds the array. What else may
hold it is partly known here and partly only when the program runs:

- the container's other items: a deep copy keeps the sharing among the items it copies
  (`copy.deepcopy({'a': w, 'b': w})`: q['a'] is q['b']), and a container the function built may hold one
  array twice: the generated code checks that no other item is that array (`rt.require_unshared`);
- the caller's arrays: a shallow copy (`copy.copy(p)`, `p.copy()`, `dict(p)`) holds them, a deep copy or
  a comprehension of copies (`{k: v.copy() for k, v in p.items()}`) does not, and only the run tells which:
  the generated code checks that no array the caller's argument holds shares memory with the item;
- another copy the function made: checked when the program runs, as the caller's arguments are;
- names of the function's own: a value read from the container before the write (`a = q['w']`) reads a
  container written since, which alias.py refuses; an array of the function's own stored into it (`q =
  {'w': a}`, made in the iteration of the loop the write is in) is counted as written by an in-place
  operator, so a later read of it by another name is checked to find a number (`by_operators`).

Anything else (module data, an array made before the loop the write is in) keeps the check that the item is a
number (`rt.require_immutable`). `ItemOperators` is a base of containers.py's `ContainerChecks`.
"""
from __future__ import annotations

import ast

from s2s import ir, prims
from s2s.prims import MAY_SHARE_MEMORY as VIEWS
from s2s.front.alias_elements import code
from s2s.front.alias_loops import LOOP_WRITTEN, SHARED
from s2s.ir.names import base_name
from s2s.ir.walk import count_uses, defined_names, used_names

_DEEP_COPY = "s2s.runtime.deep_copy"
_ITEMS_OF = (prims.ITERATED, prims.METHODS["values"], prims.METHODS["items"])  # (a container's items, in order)
_CHECK = "s2s.runtime.require_unshared"
# what reads a list without holding it: a new list (`xs + [v]`, `xs * 2`, `sum([ys], xs)`), a number, an item
_NEW_VALUES = frozenset({"add", "mul", "builtins.sum", "builtins.len", "getitem", "s2s.runtime.augmented",
                         "s2s.runtime.appended"})


class ItemOperators:
    """(a base of containers.py's `ContainerChecks`, mixed into alias.py's `_Aliases`; reads its state through
    `self`)"""

    OWN_CONTAINERS: frozenset = frozenset()  # what makes a list, a tuple or a dict (containers.py's)

    def copied_container(self, name: str) -> bool:
        """Is `name` (any version of it) a copy of something (`copy.deepcopy(p)`, `p.copy()`, `copy.copy(p)`), which
        is a container holding items where what it copies is one (only the run tells, for an argument)?"""
        return self._making(name, lambda m: m.op in (_DEEP_COPY, prims.COPY_METHOD)) is not None

    def item_operator_check(self, s: ir.Assign, base: ir.Var, index: tuple, element: ir.Var, held_by: str = "",
                            settled: bool = False, text: str = "") -> None:
        """The check before `s`, the in-place operator `base[index] op= v` whose old item is `element`: the run-time
        check that nothing else holds the item, where everything that may is the caller's (walked when it runs),
        the container itself, or arrays of the function's own whose later reads are checked (see the module's
        docstring); else the check that it is a number. `held_by`: the user's name for the container (`base` a
        loop's list of its items); `settled`: the container is not written while the check's loop runs; `text`: the
        statement as the check quotes it (`augmented_item`), else its line."""
        objects = self.item_objects(base, index, element)
        if not objects:
            return
        own = self.root.get(base.name, base.name)
        callers, copies, arrays, itself, other = [], [], [], [], []
        kept = self.pending is not None and self.kept_to_itself(base.name, own)
        for o in sorted(objects) if kept else ["<shared>"]:
            if o in self.fn.params:
                callers.append(o)
            elif o in self.visible:  # (module data)
                other.append(None)
            elif settled and self.copy_made_anew(o, base):  # (the deep copy the loop makes anew, standing for its
                (itself if o in (own, self._iterated_whole(base)) else arrays).append(o)  # items: changed in place)
            elif o == own or o in self.ranges or self._made_as(o, self.OWN_CONTAINERS):
                continue  # (the container written, a range, or a list, tuple or dict holding what `objects` names too)
            elif self._made_as(o, {_DEEP_COPY}) and self._newest(ir.Var(o)) is not None:
                copies.append(o)  # (another copy, `layer = {k: v.copy() for k, v in q['layer'].items()}` of q's)
            elif self.unread_in_this_loop(o, base.name) or o in self.joins and all(
                    not isinstance(a, ir.Var) or a.name in objects for a in self.joins[o]):
                arrays.append(o)  # (or a join of numbers and of arrays it names too: `next(filter(...), y)`'s)
            else:
                other.append(o)
        kept = self.made_before(other[0], [s]) if len(other) == 1 and other[0] else ()  # (`scale`, one of the
        # items, read by the loop: refused as the operator runs where it holds the array changed, rt.require_immutable)
        if not other or kept:
            for o in arrays:  # (`q = {'w': a}; q['w'] -= v`: a changed, as NumPy changes it, by an operator)
                self.count_write(o, s.loc, [(s, element)])
                if self.state.current.get(o) != SHARED:
                    self.state.current[o] = LOOP_WRITTEN
                self.seen_by_container(own, o)
            for o in itself:
                self.count_write(o, s.loc, [(s, element)])
                self.seen_by_container(own, o)
            statement = ir.Const(text or (code(s.loc.text) if s.loc else ""))
            holders = [ir.Var(c) for c in callers] + [self._newest(ir.Var(c)) for c in copies]
            keywords = (("held_by", ir.Const(held_by or base_name(base.name))),) + \
                ((("names", ir.Const(tuple(callers))),) if callers else ()) + \
                ((("copies", ir.Const(tuple(base_name(c) for c in copies))),) if copies else ()) + \
                ((("settled", ir.Const(True)),) if settled else ())  # (a container made anew: item_loops.py)
            if not self.alone(s, index):  # (a list nothing else holds: no check, rt.require_unshared refuses lists)
                self.pending.append(ir.Effect(ir.Call(_CHECK, (element, statement, ir.Var(base.name), *holders),
                                                      keywords), s.loc))  # (before `s`: alias.block)
            if not kept:
                return
        # (the caller's argument that holds the element, if one does: the container is no array to write into)
        self.guards[id(s)] = (s, element, kept or tuple(k for k in self.holder(objects) if k[0] == "caller")) + \
            ((text,) if text else ())

    def copy_made_anew(self, name: str, base: ir.Var) -> bool:
        """Is `name` a deep copy (`opt = copy.deepcopy(src)`, which stands for the arrays it holds) that `base`, the
        container a loop making it anew changes an item of (item_loops.py), is a version of, or the loop's list of
        its items is read from (`for w in opt`, `rt.iterated(opt_1)`)? Its arrays are changed in place: the
        statement's `itself` (the container `base` is, whose keys the loop's new dict is made with) or `arrays`
        (any other version: an older name for it read later is a stale read, `read`)."""
        return name in self.versions(self._iterated_whole(base)) and self._made_as(name, {_DEEP_COPY})

    def _iterated_whole(self, base: ir.Var) -> str:
        """The container whose list of items `base` is (`params` of `rt.iterated(params)`), else `base` itself."""
        made = self.made_by.get(base.name)
        return made.args[0].name if isinstance(made, ir.Call) and made.op in _ITEMS_OF and made.args and \
            isinstance(made.args[0], ir.Var) else base.name

    def item_kept(self, s: ir.Assign, item: str, base: ir.Var, objects: dict) -> None:
        """`s` changes in place `base`, the item `item` of a list or a dict that the loop makes anew (item_loops.py):
        checked as `q[k] op= v` is, and what the container held counted as seen by the change. The loop's name for
        the item is not: a read of it after `s` is another name bound to the item (`q = p; p += 1.0; p *= q`, q is
        p in SSA), which holds the array the operator changed, refused as a stale read is (`read`, `by_operators`).
        An inner loop's name for it (`for t in ...: p -= v`) is read again from its next iteration on, as the new
        value: counted as seen where the loop reads it nowhere after `s` (`keep = p; p *= 1.5; ... keep`)."""
        container, index = self.indexed[item]
        made = self.made_by.get(container.name)  # (what the loop iterates, `rt.iterated(params)`,
        iterated = made.args[0].name if isinstance(made, ir.Call) and made.op in _ITEMS_OF and \
            made.args and isinstance(made.args[0], ir.Var) else None  # `rt.dict_values(q)`: made anew)
        inside, loop = self.inside, self.loop_of.get(item)
        if base.name != item and loop in inside:  # (an inner loop's name for the item: the item, as the loop that
            self.indexed[base.name] = self.indexed[item]  # reads it from the container sees it)
            self.inside = inside[:inside.index(loop) + 1]
        try:
            self.item_operator_check(s, container, index, base, base_name(iterated or container.name), True)
        finally:
            self.inside = inside
        inner = {base.name} if base.name != item and not self.read_later(s, base.name) else set()
        for name in (self.versions(iterated) if iterated else set()) | {container.name} | inner:
            for o in objects:
                self.seen_by_container(name, o)

    def read_later(self, s: ir.Assign, name: str) -> bool:
        """Is `name`, a loop's name, read after `s` in that loop's body (the same iteration), or is the loop not
        found?"""
        loop = next((t for t in ir.statements(self.fn.body) if isinstance(t, ir.Loop) and
                     id(t) == self.loop_of.get(name)), None)
        stmts = list(ir.statements(loop.header + loop.body)) if loop is not None else []
        at = next((i for i, t in enumerate(stmts) if t is s), None)
        return at is None or any(isinstance(a, ir.Var) and a.name == name for t in stmts[at + 1:]
                                 for a in ir.operands(t))

    def alone(self, s: ir.Assign, index: tuple) -> bool:
        """Is the item `s` (`d_1 = setitem(d, 'a', t)`, of `d['a'] += [v]`) changes by an augmented operator, where
        it is a list, one the function made (a display, `list(...)`) that nothing but the dict holds at that key: no
        other name, container or key, no read of the dict that may give it (`dict(d)`, `d.values()`, `d[k]`), no read
        of it by an older name after `s`, outside loops? Then the new list s2s stores is Python's, extended in place,
        and the check is left out; else `rt.require_unshared` refuses a list (`e = d['a']; d['a'] += [v]; sum(e)`).
        Read on the SSA as built (`raw`), in program order."""
        key = index[0].value if len(index) == 1 and isinstance(index[0], ir.Const) else None
        raw = getattr(self, "raw", None)
        if self.inside or raw is None or not isinstance(key, (str, int)):
            return False
        stmts = list(ir.statements(raw))
        at = next((i for i, t in enumerate(stmts) if isinstance(t, ir.Assign) and t.target == s.target), None)
        made = stmts[at].value if at is not None else None
        if not isinstance(made, ir.Call) or made.op != "setitem" or not isinstance(made.args[0], ir.Var):
            return False
        chain, c = [], made.args[0].name  # (the container's versions, newest first, back to the display)
        while isinstance(self.defined.get(c), ir.Call) and self.defined[c].op == "setitem" and \
                isinstance(self.defined[c].args[0], ir.Var):
            chain.append(c)
            c = self.defined[c].args[0].name
        first = self.defined.get(c)
        if not isinstance(first, ir.Call) or first.op != "s2s.runtime.dict_of" or c in self.visible:
            return False
        chain.append(c)

        def stored(version: str, at_key):  # (the value the container's version holds at `at_key`, or None)
            for v in chain[chain.index(version):]:
                d = self.defined[v]
                if d.op == "setitem" and isinstance(d.args[1], ir.Const) and d.args[1].value == at_key:
                    return d.args[2]
                if d.op == "setitem" and not isinstance(d.args[1], ir.Const):
                    return None
                if d.op == "s2s.runtime.dict_of" and at_key in d.args[0].value:
                    return d.args[1 + d.args[0].value.index(at_key)]
            return None

        def walk(name: str) -> list:  # (the names back from `name` to what it was made as: copies, operators, reads)
            out = [name]
            while True:
                d = self.defined.get(out[-1])
                back = d if isinstance(d, ir.Var) else d.args[0] if isinstance(d, ir.Call) and \
                    d.op == "s2s.runtime.augmented" else stored(d.args[0].name, d.args[1].value) if isinstance(
                        d, ir.Call) and d.op == "getitem" and len(d.args) == 2 and isinstance(d.args[0], ir.Var) \
                    and d.args[0].name in chain and isinstance(d.args[1], ir.Const) else None
                if not isinstance(back, ir.Var) or back.name in out:
                    return out
                out.append(back.name)

        if not isinstance(made.args[2], ir.Var):
            return False
        changed = walk(made.args[2].name)
        first = self.defined.get(changed[-1])
        if not isinstance(first, ir.Call) or first.op not in ("list", "builtins.list", prims.APPENDED) and not (
                first.op == "add" and any(isinstance(a, ir.Var) and getattr(self.defined.get(a.name), "op", None)
                                          == "list" for a in first.args)):  # (surely a new list: `d['a'] + [v]`,
            return False  # `d['a'] + [v, w]` too)
        # (every name the list is, before the change: the same root, not through `s`'s new value)
        old = {n for n in self.defined if changed[-1] in (w := walk(n)) and made.args[2].name not in w}
        versions = set(chain)
        for i, t in enumerate(stmts):
            for n, a in enumerate(ir.operands(t)):
                name = a.name if isinstance(a, ir.Var) else None
                call = t.value if isinstance(t, ir.Assign) and isinstance(t.value, ir.Call) else None
                if name in old and (i > at or call is None or call.op not in _NEW_VALUES and not (
                        call.op == "setitem" and n == 2 and call.args[1] == ir.Const(key) or
                        call.op == "s2s.runtime.dict_of" and call.args[0].value[n - 1:n] == (key,)) or
                        call.op in ("setitem", "s2s.runtime.dict_of") and t.target not in versions | {s.target}):
                    return False  # (held by another name or container, or read after the change by its old name)
                if name in versions and (i > at or call is None or n != 0 or call.op not in ("setitem", "getitem")
                                         or call.op == "getitem" and not isinstance(call.args[1], ir.Const)):
                    return False  # (the container read whole, or at a key known only as the code runs)
        return True

    def kept_to_itself(self, base: str, own: str) -> bool:
        """Do the container's items stay its own: no shallow copy is taken of it (`r = q.copy()` holds its arrays),
        and each loop around the statement stores into it only values made there that nothing else reads (`q['w']
        = q['w'] * 0.5`, an in-place operator's new value)? The item an iteration changes in place may be one the
        iteration before stored, which this statement's objects, found in program order, do not name."""
        names = self.container_names(base, own)
        if any(isinstance(made, ir.Call) and made.op == prims.COPY_METHOD and made.args and
               getattr(made.args[0], "name", None) in names for made in self.defined.values()):
            return False
        uses: dict = {}
        count_uses(self.fn.body, uses)
        for loop in (s for s in ir.statements(self.fn.body) if isinstance(s, ir.Loop) and id(s) in self.inside):
            made = set(defined_names(loop.header + loop.body))
            for st in ir.statements(loop.header + loop.body):
                if isinstance(st, ir.Assign) and isinstance(st.value, ir.Call) and st.value.op == "setitem" and \
                        getattr(st.value.args[0], "name", None) in names and isinstance(st.value.args[-1], ir.Var):
                    stored = st.value.args[-1].name
                    value = self.defined.get(stored)
                    if stored not in made or not isinstance(value, ir.Call) or value.op in VIEWS or \
                            uses.get(stored, 0) != 1:
                        return False
        return True

    def container_names(self, base: str, own: str) -> set:
        """The names of the container `base` (of the array `own`) anywhere in the function: its versions, the
        names bound to it, the loops' and branches' names that may be it."""
        names = self.versions(base) | {own}
        grown = True
        while grown:
            grown = False
            for target, made in self.defined.items():
                read = [a.name for a in made if isinstance(a, ir.Var)] if isinstance(made, list) else \
                    [made.name] if isinstance(made, ir.Var) else [made.args[0].name] if isinstance(made, ir.Call) and \
                    made.op == "setitem" and isinstance(made.args[0], ir.Var) else []
                if target not in names and set(read) & names:
                    names.add(target)
                    grown = True
        return names

    def seen_by_container(self, own: str, array: str) -> None:
        """The container `own` holds `array`, just changed in place, only at the key written (the run-time check
        refuses it at another), where the new value is stored: what it holds at its other keys has seen the
        change (a later read of the container is not of an array changed since stored)."""
        writes = self.state.writes.get(array, 0)
        if array in self.refs.get(own, {}):
            self.refs[own][array] = writes
        for objects, _, _ in self.held.get(own, {}).values():
            if array in objects:
                objects[array] = writes

    def item_objects(self, base: ir.Var, index: tuple, element: ir.Var) -> dict:
        """What the item `element` of `base` at `index` may share memory with (not what the index may: a key): at a
        constant key the container has not been written at, not what it holds at its other constant keys (the
        run-time check tells whether an item the container was made with is one of them)."""
        holding = [base] + self.items_of_copy(ir.Call("getitem", (base, *index)))  # (and p, where base is p.copy())
        keys = {o for i in index for o in self.objects(i)} - {o for h in holding for o in self.objects(h)}
        objects = {o: n for o, n in self.objects(element).items() if o not in keys}
        held = self.held.get(self.root.get(base.name, base.name), {})
        key = index[0].value if len(index) == 1 and isinstance(index[0], ir.Const) else None
        if not isinstance(key, (str, int)) or key in held:
            return objects
        elsewhere, anywhere = set(), set()
        for k, (stored, _, _) in held.items():
            (elsewhere if isinstance(k, (str, int)) else anywhere).update(stored)
        return {o: n for o, n in objects.items() if o not in elsewhere or o in anywhere}

    def unread_in_this_loop(self, name: str, base: str) -> bool:
        """Is `name` an array a call made (no join of several), which the innermost loop around the statement being
        read (if any) either makes anew in each iteration or reads by no name other than `base`'s (the container
        written, whose reads see the new value stored) and items read from it in the iteration, so that no read of
        it in the next iteration goes unseen?"""
        if not isinstance(self.defined.get(name), ir.Call):
            return False
        if not self.inside:
            return True
        loop = next((s for s in ir.statements(self.fn.body) if isinstance(s, ir.Loop) and id(s) == self.inside[-1]),
                    None)
        if loop is None:
            return False
        if name in defined_names(loop.header + loop.body):
            return True
        names = {name} | {n for n, r in self.refs.items() if name in r} | {n for n, r in self.root.items() if r == name}
        versions, made = self.versions(base), set(defined_names(loop.header + loop.body))
        carried = {p.target for p in loop.phis} | {a.name for p in loop.phis for a in p.operands
                                                   if isinstance(a, ir.Var)}
        # (a view made in the iteration and not carried to the next, `t = p[0]`: read before the change, it reads the
        # array as it was; after it, a stale read, refused as such: `read`, `by_operators`)
        items = {n for n in names if n in made and (n not in carried or getattr(self.indexed.get(n, (None,))[0],
                                                                                 "name", None) in versions)}
        return not (names - versions - items) & (used_names(loop.header + loop.body) | carried)

    def versions(self, name: str) -> set:
        """The names of the container `name` is: its versions, and the values the loops and branches binding it join."""
        todo, seen = [name], set()
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo += [a.name for a in self.joins.get(n, ()) if isinstance(a, ir.Var)] + \
                    [m for m, r in self.root.items() if r == n] + ([self.root[n]] if n in self.root else [])
        return seen


def augmented_item(text: str, name: str, index: tuple = ()) -> str | None:
    """The in-place operator on an item of the container `name` (`q['w'] *= 2.0`) that the line `text` holds, as the
    user wrote it, where the line holds several statements (`q = dict(p); q['w'] *= 2.0; return ...`) or a compound
    statement with its body (`if c: q['w'] *= 2.0`); None where the line writes the item as a new value (`q['w'] =
    q['w'] * 2.0`, which Python makes too); the line where it is no whole statement (the first line of several).
    `index`: the item's index, where a constant tells the statement among others on the line."""
    line = code(text.strip())
    try:
        tree = ast.parse(line)
    except SyntaxError:
        return line


    def items(target):  # (`a[0], q['w'] = ...`: each item written)
        return [i for t in target.elts for i in items(t)] if isinstance(target, (ast.Tuple, ast.List)) else \
            items(target.value) if isinstance(target, ast.Starred) else [target] if isinstance(target, ast.Subscript) \
            else []
    statements = [n for n in ast.walk(tree) if isinstance(n, (ast.Assign, ast.AugAssign))]
    writes = [(n, t) for n in statements for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
              for t in items(t)]
    if not writes:  # (no item written by its index on the line: an operator is taken to be one)
        return line if any(isinstance(n, ast.AugAssign) for n in statements) else None
    named = [(n, t) for n, t in writes if _root(t) == name] or writes  # (`q[k][0] *= 2`: q[k]'s item)
    key = index[0].value if len(index) == 1 and isinstance(index[0], ir.Const) else None
    keyed = [n for n, t in named if key is not None and _constant(t.slice) == (type(key), key)]
    augmented = [n for n in keyed or [n for n, _ in named] if isinstance(n, ast.AugAssign)]
    if not augmented:
        return None
    return ast.get_source_segment(line, augmented[0]) or line


def operator_text(text: str, name: str) -> str:
    """The in-place operator on `name` (`y += 1.0`) that the line `text` holds, as the user wrote it, where the line
    holds more (`y = x[0:2]; y += 1.0; return ...`, `if c: y += 1.0`) and one such operator (or one operator, where
    none is `name`'s); else the line."""
    line = code(text.strip())
    try:
        tree = ast.parse(line)
    except SyntaxError:
        return line
    operators = [n for n in ast.walk(tree) if isinstance(n, ast.AugAssign)]
    found = [n for n in operators if _root(n.target) == name] or operators  # (`name` a temporary: the item's)
    if len(found) != 1 or tree.body == found:
        return line
    return ast.get_source_segment(line, found[0]) or line


def _root(target: ast.expr) -> str | None:
    """The name whose item (at any depth) or whole value `target` is (`q` of `q['w'][0]`)."""
    while isinstance(target, ast.Subscript):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def _constant(node: ast.expr):
    """The type and the value of the constant index `node` (`'w'`, `1`, `-1`), else None."""
    try:
        value = ast.literal_eval(node) if isinstance(node, (ast.Constant, ast.UnaryOp)) else None
    except ValueError:
        return None
    return (type(value), value)
