"""What the alias stage (alias.py) knows of Python's containers and of NumPy's advanced indexes.

A list, a tuple or a dict the function made is one object, as an array is, but
the reverse sweep follows only some of the ways to change one; the rest is
refused at the user's line:

- `list(z)`, `tuple(z)` hold what iterating z gives: the rows of a 2-D array,
  views of it (alias.py follows them as it follows a slice);
- `ys[i] = v` into a list inside a loop or a branch (the reverse sweep would put
  back and add up its elements as an array's), and `d[k] = v` into a dict a loop
  or a branch carries (as ssa.py refuses it where the dict is written out);
- `rows[0] *= 2.0` (or `q["w"] += v` of a dict's copy, which holds the same
  arrays) changes the element itself where it is an array that may be shared:
  the generated code checks that it is a number;
- an advanced index (`M[[1, 0]]`, `y[y > 0]`) reads a copy.

`ContainerChecks` holds these methods of alias.py's `_Aliases`.
"""
from __future__ import annotations

import ast

from s2s import ir, prims
from s2s.front.element_writes import advanced_index, key_write_fix, written_value
from s2s.ir.names import base_name

# calls that make a list or a tuple of what iterating their operand gives: a 2-D array's rows are views of it
ITERATED = {"builtins.list": "list", "builtins.tuple": "tuple"}
# what makes a list or a tuple (Python's containers: `xs[i] op= v` changes the element itself where it is an array)
CONTAINERS = frozenset({"list", "tuple", *prims.CONTAINER_COPIES, prims.APPENDED})
# what makes a dict (s2s follows a dict's keys where it is written out whole, not written key by key)
DICTS = frozenset({"dict", "builtins.dict", "s2s.runtime.dict_of", "s2s.runtime.dict_from_pairs"})


def _string_key(index: tuple) -> bool:
    """Is `index` one string constant, a dict's key (`q["w"]`)?"""
    return len(index) == 1 and isinstance(index[0], ir.Const) and isinstance(index[0].value, str)


class ContainerChecks:
    """(mixed into alias.py's `_Aliases`; reads its state through `self`)"""

    def _fancy(self, index) -> bool:
        """Is `index` surely an advanced index (a list, an array, a comparison's booleans), whose read is a copy?
        (element_writes.advanced_index)"""
        return advanced_index(index, self.made_by.get)

    def _key_write(self, s: ir.Assign) -> None:
        """Refuse `params[k] = v` where `params` is a dict a loop or a branch carries (`for k in keys:
        params[k] = params[k] * 2.0`), as ssa.py refuses it where the dict is written out: s2s follows a dict's
        keys where it is written whole."""
        base = s.value.args[0]
        if isinstance(base, ir.Var) and base.name in self.joins and self._made_as(base.name, DICTS):
            spelled = base_name(base.name)
            raise self.error(s.loc, f"assignment to a key of the dict '{spelled}'",
                             key_write_fix(spelled, s.value.args[1], s.loc.text if s.loc is not None else ""), spelled)

    def _list_write(self, s: ir.Assign) -> None:
        """Refuse `ys[i] = v` into a list (or a tuple) inside a loop or a branch: the reverse sweep puts back and
        adds up its elements as an array's (`list(x)` in a loop raised inside the gradient); in straight-line
        code each write is a new list."""
        base = s.value.args[0]
        if self.nested and isinstance(base, ir.Var) and self._made_as(base.name, CONTAINERS):
            name = base_name(base.name)
            value = written_value(s.loc.text if s.loc is not None else "", name)
            index = s.value.args[1]
            spelled = base_name(index.name) if isinstance(index, ir.Var) and base_name(index.name) != "t" else "i"
            whole = f"[{ast.unparse(value)} for {spelled} in range(len({name}))]" if value is not None else \
                f"[... for v in {name}]"
            raise self.error(s.loc, f"assignment to an element of the list '{name}' inside a loop or a branch",
                             f"make it an array before the loop or the branch ({name} = np.array({name})) and write "
                             f"into that; a list of arrays of different shapes: make the new list whole in place "
                             f"of the loop, {name} = {whole} (a list comprehension)", name)

    def _made_as(self, name: str, ops) -> bool:
        """Is `name` (any version of it, any value a join may be) made by one of `ops`?"""
        todo, seen = [name], set()
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            made = self.made_by.get(n)
            if made is not None and made.op in ops:
                return True
            todo += [a.name for a in self.joins.get(n, ()) if isinstance(a, ir.Var)]
            if self.root.get(n, n) != n:
                todo.append(self.root[n])
        return False

    def _element_operator(self, s: ir.Assign) -> None:
        """`rows[0] *= 2.0` on a list or a tuple (SSA: `t = rows[0]; rows_1 = setitem(rows, 0, t * 2.0)`): Python
        changes the element itself in place where it is an array, and that array may be shared (a row of z, the
        caller's x). Where it may be, the generated code checks that the element is a number (as for `y += v`)."""
        base, index, value = s.value.args[0], s.value.args[1:-1], s.value.args[-1]
        made = self.made_by.get(value.name) if isinstance(value, ir.Var) else None
        if not isinstance(base, ir.Var) or made is None or not made.args or not isinstance(made.args[0], ir.Var):
            return
        element = made.args[0]
        if self.indexed.get(element.name) != (base, index) or not (self._made_as(base.name, CONTAINERS) or
                                                                  _string_key(index)):
            return  # (a string key: a dict's, whose copy, p.copy() or dict(p), holds p's arrays themselves)
        if s.loc is not None and s.loc.text:
            try:
                statement = ast.parse(s.loc.text.strip()).body[0]
            except SyntaxError:
                statement = None
            if statement is not None and not isinstance(statement, ast.AugAssign):
                return  # `rows[0] = rows[0] * 2.0`: a new value, as Python makes
        if self.objects(element):
            # (the caller's argument that holds the element, if one does: the container is no array to write into)
            self.guards[id(s)] = (s, element, tuple(k for k in self.holder(self.objects(element)) if k[0] == "caller"))
