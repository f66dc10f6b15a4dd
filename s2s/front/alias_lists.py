"""What the alias stage (alias.py) knows of Python's lists of the function's own: their items are objects, not views.

A list (or a tuple) holds its items themselves. Reading one (`old = ys[0]`), copying its slots (`snap = list(ys)`,
`zs = ys[:]`, `tuple(ys)`) or reading two for a swap (`ys[0], ys[2] = ys[2], ys[0]`) gives those objects, not a
view of the list: rebinding a slot of the list later (`ys[0] = v`, a new version of it in SSA, as an array's
element write is) changes none of them. What the list holds is still shared: an array among its items, changed in
place later, shows through the item read or the copy, as alias.py follows any container's items (`objects`).
A name that is a list on one path and an array on another (`ys = [0.0] * 3 if c else np.zeros(3)`) is left to the
rules for views. `ListAliases` holds these methods of alias.py's `_Aliases`.
"""
from __future__ import annotations

from s2s import ir, prims

# calls whose value is surely a list or a tuple whatever they are given (a display, list(...), sorted(...), an
# append's new list, x.tolist() of an array)
_LISTS = frozenset({*prims.SEQUENCES, prims.METHODS["tolist"]})


class ListAliases:
    """(mixed into alias.py's `_Aliases`; reads its state through `self`)"""

    def python_list(self, name: str, seen: set | None = None) -> bool:
        """Is `name` a list or a tuple on every path: made by a display, a copy, `[v] * n` or `xs + [v]` of one, or a
        version of one written by slot, or a join of such?"""
        todo, seen = [name], set() if seen is None else seen
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            made = self.definition(n)
            if isinstance(made, list):  # (a phi: the values it may be)
                if not all(isinstance(a, ir.Var) for a in made):
                    return False
                todo += [a.name for a in made]
            elif isinstance(made, ir.Var):
                todo.append(made.name)
            elif not isinstance(made, ir.Call) or made.kwargs:
                return False
            elif made.op == "setitem" and made.args and isinstance(made.args[0], ir.Var):
                todo.append(made.args[0].name)
            elif made.op == "add" and len(made.args) == 2:  # (`xs + [v]`: a list where both are; an array's sum
                if not all(isinstance(a, ir.Var) for a in made.args):  # where one is an array)
                    return False
                todo += [a.name for a in made.args]
            elif made.op == "mul" and len(made.args) == 2:  # (`[v] * n`, `n * [v]` of an integer n)
                if not any(isinstance(a, ir.Var) and self.python_list(a.name, seen) and self.integer(b)
                           for a, b in (made.args, made.args[::-1])):
                    return False
            elif made.op not in _LISTS:
                return False
        return True

    def list_items(self, base) -> dict | None:
        """{array or caller's object: writes seen} that the items of `base` may be, where `base` is surely a list or a
        tuple (an item read, or a copy of its slots, holds them, not the list: `python_list`); else None."""
        if not isinstance(base, ir.Var) or not self.python_list(base.name):
            return None
        own = self.root.get(base.name, base.name)
        return {o: n for o, n in self.objects(base).items() if o != own}

    def constant_item(self, name: str) -> bool:
        """Is `name` an item taken from a list or a tuple that holds no object, only constants (`k` of `for k in
        ['p', 'q']`: a key)? No array, then, that the advice for an in-place operator (`holder`) would name."""
        container = self.indexed.get(name, (None,))[0]
        return isinstance(container, ir.Var) and self.list_items(container) == {}

    def items_taken(self, s: ir.Assign) -> bool:
        """`t = ys[i]`, `t = ys[a:b]`, `t = list(ys)` of a list `ys` (`list_items`): `t` shares what the list holds,
        not the list. False where ys is not surely a list."""
        call = s.value
        items = self.list_items(call.args[0]) if call.args and not call.kwargs and \
            (call.op == "getitem" or len(call.args) == 1) else None
        if items is None:
            return False
        if items:
            self.refs[s.target], self.made[s.target] = items, s.loc
        if call.op == "getitem":  # (`w = ys[0]; w *= 2.0` changes that item: item_operators.py)
            self.indexed[s.target] = (call.args[0], call.args[1:])
        return True
