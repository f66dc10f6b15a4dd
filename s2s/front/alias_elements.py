"""Element reads and writes in the alias stage (alias.py): which reads are numbers, and which element writes read
a part of the array they write.

- A read at integer positions along every axis of an array (`prev = y[t]` of a vector, `U[i, j]` of a matrix) is
  a NumPy scalar, a copy: a later write into the array does not show through it. The number of axes is known
  where the function made the array with a shape (`np.zeros(n)`, `np.ones((3, 4))`, a copy of such an array);
  elsewhere such a read may be a row, a view, and is one for the analysis.
- A view at an integer along an axis is apart from writes at another integer along that axis (`ElementAliases.apart`:
  `up = D[i - 1]` while `D[i, j]` is written, both at least 0), which leave it as it was.
- `y[index] = v` where v may be a view of y itself is refused, except where NumPy's copy reads every element
  before writing it (`ElementAliases.overlapping_write`): NumPy copies an overlapping operand first only where the
  written part has two or more axes or the two parts step through a vector in opposite directions, and copies a
  vector's in the safe direction where both parts step alike. Parts at integer positions along the same axes are
  the same part or disjoint ones (`v[n - 1] = v[n - 2]`, `y[:, 1] = y[::-1, 1]`); `max(a, b)` is a or b itself.
  An Ellipsis is the `:`s it stands for, for each number of axes the array may have (`u[..., 0] = u[..., 1]`).
- A factor of a factorisation, `U` of `U, s, Vt = np.linalg.svd(a)`, is a new array where nothing else reads the
  tuple (`unshared_factors`): its element writes (the Kabsch reflection, U[:, -1] *= -1) change U alone.
`ElementAliases` holds these methods of alias.py's `_Aliases`.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize

import numpy as np

from s2s import ir, prims
from s2s.front.alias_loops import python_number
from s2s.front.line_statements import binds, statement, writes_item
from s2s.ir.names import base_name
from s2s.ir.walk import count_uses, definitions

# calls that make a new array of the shape their first argument gives
SHAPED = prims.FILLED | {prims.FULL}
# calls whose result always has this many axes
RANKED = prims.RESULT_AXES
# a full slice, `:`
EVERYTHING = slice(None, None, None)
# views of an array with its axes reordered (a vector: itself)
_TRANSPOSES = frozenset({prims.ATTRIBUTES["T"], prims.ATTRIBUTES["mT"], prims.METHODS["swapaxes"]})
# calls (of two or more operands: front/calls.py reads max(xs) otherwise) whose result is one of their operands
# itself, never a new array (`max(D[0, 1], 0.3)`): an element write of it writes that operand
ONE_OF_OPERANDS = frozenset({"builtins.max", "builtins.min"})
# an index at an integer position along an axis (`_axes_of`; the others: a slice's step)
_INTEGER = object()
# an Ellipsis in an index, the `:`s of the axes the other items leave (`_spelled_out`)
_DOTS = ir.Const(Ellipsis)
# arithmetic that makes an integer of integers (`j + 1` of a range's j)
INTEGER_ARITHMETIC = frozenset({"add", "sub", "mul", "floordiv", "mod", "neg"})


class ElementAliases:
    """(mixed into alias.py's `_Aliases`; reads its state through `self`)"""

    _in_place: set | None = None  # the versions in-place operators make (`y += v`)

    def integer(self, atom, seen=None) -> bool:
        """Is `atom` surely a Python integer (a float index raises): a constant, a range's target, a number of
        numbers (len(), arithmetic), an entry of an array's shape (`np.shape(x)[0]`), integer arithmetic of such
        and a loop's name bound to such on every path (`j = i - 1` of a range's i, then `j -= 1` in a while)?"""
        if isinstance(atom, ir.Const):
            return type(atom.value) is int
        if not isinstance(atom, ir.Var):
            return False
        if atom.name in self.ints or python_number(atom, self.definition):
            return True
        seen = set() if seen is None else seen
        if atom.name in seen:  # (a loop's name met again: its other operands decide)
            return True
        seen.add(atom.name)
        value = self.definition(atom.name)
        if isinstance(value, list):  # (a phi)
            return bool(value) and all(self.integer(v, seen) for v in value if v != atom)
        if isinstance(value, ir.Var):
            return self.integer(value, seen)
        if isinstance(value, ir.Call) and value.op == "s2s.runtime.augmented":  # (NumPy's casting check of j -= 1)
            return self.integer(value.args[1], seen)
        if isinstance(value, ir.Call) and value.op in INTEGER_ARITHMETIC and not value.kwargs:
            return all(self.integer(a, seen) for a in value.args)
        made = self.made_by.get(atom.name)
        if made is None or made.op != "getitem" or len(made.args) != 2 or not isinstance(made.args[1], ir.Const) or \
                type(made.args[1].value) is not int or not isinstance(made.args[0], ir.Var):
            return False
        shape = self.made_by.get(made.args[0].name)
        return shape is not None and shape.op == prims.SHAPE

    def made_rank(self, call: ir.Call) -> int | None:
        """The number of axes of the new array of numbers `call` makes, where it is known here (an array of objects
        holds them, not copies: its elements are left out, as are a structured array's, views)."""
        kwargs = dict(call.kwargs)
        dtype = kwargs.get("dtype")
        if set(kwargs) - {"dtype", "order"} or dtype is not None and not _numeric(dtype):
            return None
        if call.op in RANKED:
            return RANKED[call.op]
        if len(call.args) != (2 if call.op == prims.FULL else 1):
            return None
        if call.op == prims.FULL and dtype is None and not _numeric_constant(call.args[1]):
            return None  # (np.full(3, v) of an object v holds it)
        if call.op in prims.COPIES:
            return self.rank(call.args[0])
        shape = call.args[0] if call.op in SHAPED else None
        if isinstance(shape, ir.Const):
            return 1 if type(shape.value) is int else len(shape.value) if isinstance(shape.value, tuple) else None
        if shape is not None and self.integer(shape):
            return 1
        made = self.made_by.get(shape.name) if isinstance(shape, ir.Var) else None
        return len(made.args) if made is not None and made.op == "tuple" else None

    def rank(self, atom) -> int | None:
        """The number of axes of the array `atom` (a version of it, or a part at integer positions), if known."""
        if not isinstance(atom, ir.Var):
            return None
        r = self.root.get(atom.name, atom.name)
        if r in self.ranks:
            return self.ranks[r] if self._always(atom.name, r) else None
        read = self.indexed.get(atom.name)
        if read is None or not all(self.integer(a) for a in read[1]):
            return None
        whole = self.rank(read[0])
        return whole - len(read[1]) if whole is not None and whole >= len(read[1]) else None

    def _always(self, name: str, array: str) -> bool:
        """Is `name` the array `array` on every path: the array, its versions (element writes, in-place operators),
        joins of them, and loops' names whose every iteration gets it back? (A loop may rebind a name an in-place
        operator changes to an array of other axes: `y += v; y = np.ones((2, 2))`.)"""
        if self._in_place is None:
            self._in_place = {d.target for d in definitions(self.fn.body) if isinstance(d, ir.Assign) and d.inplace}
        todo, seen = [name], set()
        while todo:
            n = todo.pop()
            if n == array or n in seen:
                continue
            seen.add(n)
            made = self.definition(n)
            if isinstance(made, list):  # (a phi: an if's, or a loop's, whose operands are its entry and back edge)
                todo += [a.name if isinstance(a, ir.Var) else None for a in made]
            elif isinstance(made, ir.Var):
                todo.append(made.name)
            elif isinstance(made, ir.Call) and (made.op == "setitem" or n in self._in_place) and made.args and \
                    isinstance(made.args[0], ir.Var):
                todo.append(made.args[0].name)
            else:
                return False
        return True

    def element(self, call: ir.Call) -> bool:
        """Is `call` a read at integer positions along every axis of an array (`y[t]` of a vector), a number?"""
        index = call.args[1:]
        return call.op == "getitem" and not call.kwargs and bool(index) and \
            all(self.integer(a) for a in index) and self.rank(call.args[0]) == len(index)

    def may_be_element(self, name: str, array: str) -> tuple[str, str] | None:
        """For a view `name` read at integer positions of `array` whose number of axes is not known here
        (`prev = y[t]` of y = np.zeros_like(x)), a number only if it reaches every axis: (what it is, what to
        write); else None."""
        read = self.indexed.get(name)
        if read is None or not isinstance(read[0], ir.Var) or read[0].name in self.refs or \
                self.root.get(read[0].name, read[0].name) != array or self.rank(read[0]) is not None or \
                not all(self.integer(a) for a in read[1]):
            return None
        array = base_name(array)
        made = self.made.get(name)
        spelled = assigned_text(made.text if made is not None else "", ast.Subscript, base_name(name)) or \
            f"{array}[...]"
        axes = f"{len(read[1])} ax{'i' if len(read[1]) == 1 else 'e'}s"
        taken = base_name(name) if not re.fullmatch(r"t\d+", name) else "..."
        return (f"{spelled}: a number if '{array}' has {axes}, but a view of '{array}' if it has more, and s2s cannot "
                f"tell which here", f"if it is a number, say so: {taken} = float({spelled}); if it is a view, copy "
                f"it: {taken} = {spelled}.copy() (s2s knows the axes of an array made with its shape given: "
                f"np.zeros(n), np.ones((m, n)))")

    def record_places(self, r: str, n: int, places: list | None) -> None:
        """The `n`-th write to `r` wrote at `places` (indexes; None: not known). The branches of an if count their
        writes from the same number: both are kept."""
        known = self.places.setdefault(r, {})
        if n in known:
            places = None if known[n] is None or places is None else known[n] + places
        known[n] = places

    def apart(self, name: str, array: str, seen: int) -> bool:
        """Is the view `name`, a part of `array` at an integer position (`up = D[i - 1]`), apart from every part the
        writes to `array` after its `seen`-th wrote (`D[i, 0] = i`, `D[i, j] = ...` in a loop: row i, never row i - 1,
        i counting from 1)? Then it reads what NumPy's view shows. (A name the view's index reads has one value
        from the view to the writes compared: a loop's earlier iterations are compared only with views made before
        the loop, whose index names no name the loop binds.)"""
        read = self.indexed.get(name)
        while read is not None and isinstance(read[0], ir.Var) and read[0].name in self.refs:
            read = self.indexed.get(read[0].name)  # (`nxt[0]` of `nxt = D[i + 1]`: a part of that part)
        if read is None or not isinstance(read[0], ir.Var) or self.root.get(read[0].name, read[0].name) != array:
            return False
        places = self.places.get(array, {})
        later = [places.get(n) for n in range(seen + 1, self.state.writes.get(array, 0) + 1)]
        return all(p is not None and all(self._disjoint(read[1], w) for w in p) for p in later)

    def _disjoint(self, read: tuple, written: tuple) -> bool:
        """Do the indexes `read` and `written` (each of integers and slices along the axes they reach) take different
        integers along one axis, both at least 0 (`i - 1` and `i` of a range from 1; `0` and `i` of a range from 1)?"""
        for a, b in zip(read, written):
            if self._axes_of((a,)) is None or self._axes_of((b,)) is None:
                return False
            at = [self._counted(x) for x in (a, b)]
            if None in at or min(at[0][2], at[1][2]) < 0:
                continue
            (name_a, a, least_a), (name_b, b, least_b) = at
            if name_a == name_b and a != b or name_a is None and a < least_b or name_b is None and b < least_a:
                return True
        return False

    def same_index(self, a, b, loop: ir.Loop) -> bool:
        """Are the indexes `a` and `b` one value: the same atom, or one integer computed alike twice from integers
        (`t + 1` of the write `U[t + 1] = ...` and of the view `prev = U[t + 1]`, t counting through a range in
        `loop`)?"""
        if a == b:
            return True
        made = [self.definition(x.name) if isinstance(x, ir.Var) else None for x in (a, b)]
        return all(isinstance(m, ir.Call) and m.op in INTEGER_ARITHMETIC and not m.kwargs for m in made) and \
            (made[0].op, len(made[0].args)) == (made[1].op, len(made[1].args)) and \
            all(self.same_index(x, y, loop) and self._counts(x, loop) for x, y in zip(made[0].args, made[1].args))

    def _counts(self, a, loop: ir.Loop) -> bool:
        """Is `a` an integer in an iteration of `loop`: its target counting through a range, an integer (`integer`),
        or integer arithmetic of those?"""
        if self.integer(a) or a == ir.Var(loop.target) and isinstance(loop.iter, ir.Var) and \
                loop.iter.name in self.ranges:
            return True
        made = self.definition(a.name) if isinstance(a, ir.Var) else None
        return isinstance(made, ir.Call) and made.op in INTEGER_ARITHMETIC and not made.kwargs and \
            all(self._counts(x, loop) for x in made.args)

    def _counted(self, a) -> tuple | None:
        """(the name, the constant added to it, the least value) of the integer `a`: a constant (None, c, c), a
        range's target counting up from a constant (i, 0, start), or one of those plus or minus a constant."""
        if isinstance(a, ir.Const):
            return (None, a.value, a.value) if type(a.value) is int else None
        counted = self.counters.get(a.name) if isinstance(a, ir.Var) else None
        if counted is not None:
            args = counted.args if not counted.kwargs else ()
            start = args[0] if len(args) > 1 else ir.Const(0)
            step = args[2] if len(args) > 2 else ir.Const(1)
            if len(args) in (1, 2, 3) and _int_constant(start) and _int_constant(step) and step.value > 0:
                return (a.name, 0, start.value)
            return None
        made = self.made_by.get(a.name) if isinstance(a, ir.Var) else None
        if made is None or made.kwargs or made.op not in ("add", "sub") or len(made.args) != 2 or \
                not _int_constant(made.args[1]):
            return None
        inner = self._counted(made.args[0])
        shift = made.args[1].value if made.op == "add" else -made.args[1].value
        return None if inner is None else (inner[0], inner[1] + shift, inner[2] + shift)

    # ----- writes
    def overlapping_write(self, call: ir.Call, loc) -> None:
        """Refuse `y[index] = v` where v may be a view of y itself (`M[:, 2] = M[1]`) that NumPy does not read whole
        before writing: it copies an overlapping operand first only where the written part has two or more axes or
        the two parts step through a vector in opposite directions, and otherwise copies the elements in an order
        of its own, so an element written before it is read is read as written (M[2, 2] gets the new M[1, 2]),
        which no derivative of the elements as they were describes. s2s's value of v is the one read before the
        write, the part as it was."""
        base, v = call.args[0], call.args[-1]
        if not (isinstance(base, ir.Var) and isinstance(v, ir.Var)):
            return
        r = self.root.get(base.name, base.name)
        if self._made_as(r, self.OWN_CONTAINERS) or self.mapping(r) or \
                self._making(r, lambda m: m.op == "mul" and self.referring(m)):
            return  # (a slot of a list or a dict, `ys[k] = ys[k] * c if ... else ys[k]`, of a defaultdict too: Python
            # binds it again and copies no element, of a float or of an array)
        if all(self._read_whole(w, r, call.args[1:-1]) for w in self._values_written(v)):
            return
        if self.element(ir.Call("getitem", call.args[:-1])):
            return  # (`d[v] = d[prev[v]]`: one element written, from the one element NumPy reads before writing it)
        name, written = base_name(r), call.args[1:-1]
        copy_it = copied(loc.text if loc is not None else "") or f"{name}[...] = <the value>.copy()"
        integer = self._integer_advice(self.indexed.get(v.name, (None, ()))[1], written)
        said = integer_read(loc.text if loc is not None else "", name) if not integer and \
            all(self.integer(a) for a in written) else None
        integer = integer or (f"; or, if {said[0]} is an integer, say so: {said[1]}: parts at integers are the same "
                              f"or disjoint" if said else "")  # (d[v] = d[prev[v]]: d[v] = d[int(prev[v])])
        followed = all(None not in (self._axes(w, r, n), self._axes_of(_spelled_out(written, n)))
                       for w in self._values_written(v) for n in self._ranks(w, r, written))
        why = "the parts may overlap, and there NumPy may read elements the write has already changed" if followed \
            else f"s2s cannot tell which parts of '{name}' the indexes take, and where the part read overlaps the " \
            f"part written, NumPy may read elements the write has already changed"
        raise self.error(loc, f"writing into '{name}' a value that may be a view of '{name}' itself",
                         f"{why}: write a copy: {copy_it}{integer}", name)

    def _integer_advice(self, read: tuple, written: tuple) -> str:
        """`; or, if 'i' is an integer, say so (i = int(i)) ...` for the user's names in the indexes `read` and
        `written` that may be integers or arrays (or anything), where slices are at the same positions in both
        (`y[:, i] = y[:, 2]`; not `y[:, i] = y[2]`, a column and a row either way); else ''."""
        width = max(len(read), len(written))
        if [self._step(a) is None for a in read + (ir.Const(EVERYTHING),) * (width - len(read))] != \
                [self._step(a) is None for a in written + (ir.Const(EVERYTHING),) * (width - len(written))]:
            return ""
        unknown = list(dict.fromkeys(base_name(a.name) for a in written + read if isinstance(a, ir.Var) and
                                     not re.fullmatch(r"t\d+", a.name) and a.name not in self.slices and
                                     not self.integer(a)))
        if not unknown:
            return ""
        said, which = ", ".join(f"{n} = int({n})" for n in unknown), " and ".join(f"'{n}'" for n in unknown)
        return f"; or, if {which} {'is an integer' if len(unknown) == 1 else 'are integers'}, say so ({said}): " \
               f"parts at integers are the same or disjoint"

    def _values_written(self, v: ir.Var) -> list:
        """The objects `v` may be: itself, or for `max(a, b)`, `min(a, b)` (which return one of their operands)
        each operand's."""
        made = self.made_by.get(v.name)
        if made is None or self.known_key(made)[0] not in ONE_OF_OPERANDS or made.kwargs:
            return [v]
        return [w for a in self.known_key(made)[1].args if isinstance(a, ir.Var) for w in self._values_written(a)]

    def _read_whole(self, v: ir.Var, root: str, written: tuple) -> bool:
        """Is the value written (`v`, into `root[written]`) as NumPy writes it the value `v` had before the write:
        no view of root, or a part of it that NumPy reads whole before writing or that the write cannot change
        before reading it?"""
        if v.name not in self.refs or root not in self.refs[v.name]:
            return True
        if self._whole_transposed(v, root, written):
            # `y[:] = y.T`, `y[...] = np.swapaxes(y, 0, 1)`: NumPy copies an operand that overlaps a written part of
            # two or more axes first; a vector's transpose is the vector itself
            return True
        read = self.indexed.get(v.name)
        if read is not None and isinstance(read[0], ir.Var) and read[0].name not in self.refs and \
                self.root.get(read[0].name, read[0].name) == root:
            if len(read[1]) == len(written) and all(map(self._same_value, read[1], written)):
                return True  # `m[k] = max(m[k], x[i])`: the same part, each element written with itself
            if self._rows(read[1], written):
                return True
            if self._transposed(read[1], written):
                # `y[0] = y[:, 0]`: a row and a column share one element, at the same position in both (read before
                # it is written, in any order NumPy copies them); parts of more axes NumPy copies first
                return True
        return all(self._copied_or_in_order(self._axes(v, root, n), self._axes_of(_spelled_out(written, n)))
                   for n in self._ranks(v, root, written))

    def _ranks(self, v: ir.Var, root: str, written: tuple) -> list:
        """The numbers of axes of `root` to compare the parts at, where an index of the write or of the view `v` holds
        an Ellipsis (`u[..., 0] = u[..., 1]`): root's if known, else every number up to the one past which the parts
        compare alike (more `:`s where the Ellipses are); [None] if none holds one."""
        indexes, read = [written], self.indexed.get(v.name)
        while read is not None and isinstance(read[0], ir.Var):
            indexes.append(read[1])
            read = self.indexed.get(read[0].name) if read[0].name in self.refs else None
        if not any(_DOTS in index for index in indexes):
            return [None]
        known, least = self.rank(ir.Var(root)), max(len(index) - (_DOTS in index) for index in indexes)
        return [known] if known is not None else list(range(least, sum(map(len, indexes)) + 3))

    def _copied_or_in_order(self, read: list | None, written: list | None) -> bool:
        """`arr[0] = arr[1]`, `U[0, :] = U[1, :]`, `buf[1:] = buf[:-1]`, `y[:, 1] = y[::-1, 1]`, `y[:3] = y[3:][::-1]`:
        parts (`_axes`) at integer positions along the same axes of the array, slices along the others. Two
        integers along one axis pick the same part or disjoint ones; where the written part has two or more axes
        NumPy copies the part read first; where it is a vector, NumPy copies it first where the parts step through
        it in opposite directions, and where they step alike copies in the direction that reads each element
        before writing it. Parts of a vector of different steps (`y[::2] = y[:3]`) are refused."""
        if read is None or written is None:
            return False
        whole = [(1,)] * abs(len(read) - len(written))  # (axes left out are whole)
        read, written = (read + whole, written) if len(read) < len(written) else (read, written + whole)
        if any((a is _INTEGER) != (b is _INTEGER) for a, b in zip(read, written)):
            return False
        steps = [(a, b) for a, b in zip(read, written) if a is not _INTEGER]
        if len(steps) != 1:
            return True
        (a, b), = steps
        return a is not None and (a == b or isinstance(a, tuple) and isinstance(b, tuple) and (a[0] > 0) != (b[0] > 0))

    def _axes(self, v: ir.Var, root: str, n: int | None = None) -> list | None:
        """The part of `root` (of `n` axes where an Ellipsis needs the number) the view `v` is, axis by axis of root
        (`_axes_of`), through views of views (`y[3:][::-1]`); None if not known."""
        read = self.indexed.get(v.name)
        if read is None or not isinstance(read[0], ir.Var):
            return None
        if read[0].name not in self.refs:
            return self._axes_of(_spelled_out(read[1], n)) if self.root.get(read[0].name, read[0].name) == root \
                else None
        outer = self._axes(read[0], root, n)
        kept = [i for i, a in enumerate(outer or ()) if a is not _INTEGER]
        index = None if outer is None else _spelled_out(read[1], None if n is None else len(kept) + n - len(outer))
        if index is None:
            return None
        for k, a in enumerate(index):
            inner = self._axes_of((a,))
            if inner is None:
                return None
            if k >= len(kept):  # (an axis of root's the view kept whole)
                outer.append(inner[0])
            elif inner[0] is _INTEGER or outer[kept[k]] == (1,):
                outer[kept[k]] = inner[0]
            elif inner[0] != (1,):
                steps = (outer[kept[k]], inner[0])
                outer[kept[k]] = (steps[0][0] * steps[1][0],) if all(isinstance(s, tuple) for s in steps) else None
        return outer

    def _axes_of(self, index: tuple) -> list | None:
        """Axis by axis, what `index` takes: _INTEGER (a position), or a slice's step ((1,), a constant's; the name
        holding it; None: not known); None if an index may be neither (an array, np.newaxis, ...)."""
        if index is None:
            return None
        out = []
        for a in index:
            step = self._step(a)
            if step is None and not self.integer(a):
                return None
            out.append(_INTEGER if step is None else step)
        return out

    def _rows(self, read: tuple, written: tuple) -> bool:
        """`v[n - 1] = v[n - 2]`, `D[i, j] = D[k, l]`: indexes of as many integers or arrays of integers (`n - 1` of
        a number given: one or the other), the axes after them whole. Read at an array, the part is a copy; at
        integers, a row (or an element) that a write at integers leaves alone or writes with itself, as does a
        write at arrays: its rows are `written` rows of whole trailing axes, each given the row read, element by
        element at the same place, so where one is the row read, it gets its own elements."""
        return bool(read) and len(read) == len(written) and all(map(self._index, read + written))

    def _index(self, a) -> bool:
        """Is `a` an integer or an array of integers (or an index that raises): an integer, or an integer added to
        (subtracted from, negated) a number or an array (`n - 1`)?"""
        if self.integer(a):
            return True
        made = self.made_by.get(a.name) if isinstance(a, ir.Var) else None
        return made is not None and not made.kwargs and (
            made.op in ("add", "sub") and len(made.args) == 2 and any(map(self._index, made.args)) or
            made.op == "neg" and self._index(made.args[0]))

    def _same_value(self, a, b) -> bool:
        """Are `a` and `b` surely the same value: one atom, or the same element of one object the function never
        writes read twice (`seg[k]` on both sides of `m[seg[k]] = max(m[seg[k]], x[k])`)?"""
        if a == b:
            return True
        made = [self.made_by.get(x.name) if isinstance(x, ir.Var) else None for x in (a, b)]
        if None in made or made[0].op != "getitem" or made[1].op != "getitem" or made[0].kwargs or made[1].kwargs or \
                len(made[0].args) != len(made[1].args) or not all(map(self._same_value, made[0].args, made[1].args)):
            return False
        held = made[0].args[0]
        return isinstance(held, ir.Var) and held.name not in self.arrays and not any(
            o in self.versioned or o in self.arrays.values() or self.state.writes.get(o, 0)
            for o in self.objects(held))

    def _transposed(self, read: tuple, written: tuple) -> bool:
        """Are `read` and `written` one integer (the same constant or name) at different axes and `:` along the
        others (`y[:, i]` and `y[i]`)? Trailing axes left out are whole on both sides."""
        whole = (ir.Const(EVERYTHING),) * abs(len(read) - len(written))
        read, written = (read + whole, written) if len(read) < len(written) else (read, written + whole)
        ints = [[i for i, a in enumerate(index) if not _everything(a)] for index in (read, written)]
        if any(len(at) != 1 for at in ints) or ints[0] == ints[1]:
            return False
        a, b = read[ints[0][0]], written[ints[1][0]]
        return a == b and self.integer(a)

    def _whole_transposed(self, v: ir.Var, root: str, written: tuple) -> bool:
        """Is `v` the transpose of (a version of) the array `root`, axes swapped or moved (`y.T`, np.swapaxes), written
        into the whole of it (`y[:]`, `y[...]`)?"""
        made = self.made_by.get(v.name)
        if made is None or made.op not in _TRANSPOSES or not made.args or not isinstance(made.args[0], ir.Var) or \
                made.args[0].name in self.refs or self.root.get(made.args[0].name, made.args[0].name) != root:
            return False
        return all(_everything(a) or a == _DOTS for a in written)

    def _step(self, a):
        """The step of the slice `a` (1 for none), as a constant or the name holding it; None if `a` may not
        be a slice."""
        if isinstance(a, ir.Const):
            return (a.value.step if a.value.step is not None else 1,) if isinstance(a.value, slice) else None
        step = self.slices.get(a.name)
        if step is None:
            return None
        if isinstance(step, ir.Const):
            return (step.value if step.value is not None else 1,)
        return step.name


def factor_part(call, made_by) -> bool:
    """Is `call` `t[k]` of the tuple of a factorisation, `t = np.linalg.svd(a)` (prims.FACTORISATIONS; `made_by(name)`:
    the call that made a name, else None): a new array that shares memory with nothing but the tuple?"""
    if not isinstance(call, ir.Call) or call.op != "getitem" or len(call.args) != 2 or \
            not isinstance(call.args[0], ir.Var) or not _int_constant(call.args[1]) or call.args[1].value < 0:
        return False
    made = made_by(call.args[0].name)
    if not isinstance(made, ir.Call) or made.op not in prims.FACTORISATIONS:
        return False
    single = prims.FACTORISATIONS[made.op]  # (the argument that makes one array instead of a tuple)
    if single is None:
        return True
    position, name, value = single
    given = made.args[position] if len(made.args) > position else dict(made.kwargs).get(name)
    return given is None or isinstance(given, ir.Const) and given.value != value


def unshared_factors(stmts: list) -> set[str]:
    """The factors `U = t[0]` (`factor_part`) of tuples that nothing but one read of each factor reads, `U, s, Vt =
    np.linalg.svd(a)`: new arrays of their own. (Of `res = np.linalg.svd(a); U = res[0]`, a later res[0] is U.)"""
    made = {d.target: d.value for d in definitions(stmts) if isinstance(d, ir.Assign)}
    parts = {t: v for t, v in made.items() if factor_part(v, made.get)}
    uses: dict = {}
    count_uses(stmts, uses)
    reads: dict = {}
    for v in parts.values():
        reads.setdefault(v.args[0].name, []).append(v.args[1].value)
    return {t for t, v in parts.items() if uses.get(v.args[0].name) == len(reads[v.args[0].name]) ==
            len(set(reads[v.args[0].name]))}


def written_name(text: str) -> str | None:
    """The name of the array the statement `text` writes an element of (`v[0] = ...`, `v[1:] += ...`; on a line of
    more statements, the one that writes an element), or None."""
    stmt = statement(code(text.strip()), writes_item())
    target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target if isinstance(stmt, ast.AugAssign) \
        else None
    while isinstance(target, ast.Subscript):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def assigned_text(text: str, kind=ast.expr, name: str | None = None) -> str | None:
    """The value (of the type `kind`) that the statement `text` assigns (`y[t]` of `prev = y[t]`; on a line of more
    statements, the one assignment of such a value, or of one to `name`), or None."""
    stmt = statement(code(text.strip()), binds(name) if name is not None else
                     lambda s: isinstance(s, ast.Assign) and isinstance(s.value, kind))
    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, kind):
        return ast.unparse(stmt.value)
    return None


def _numeric(dtype: ir.Const) -> bool:
    """Is `dtype` (a constant) a type of numbers?"""
    try:
        return isinstance(dtype, ir.Const) and np.dtype(dtype.value).kind in "biufc"
    except TypeError:
        return False


def _int_constant(a) -> bool:
    return isinstance(a, ir.Const) and type(a.value) is int


def _numeric_constant(a) -> bool:
    return isinstance(a, ir.Const) and type(a.value) in (int, float, complex, bool)


def _spelled_out(index: tuple, n: int | None) -> tuple | None:
    """`index` with its Ellipsis spelled out as the `:`s it stands for in an array of `n` axes (`u[..., 0]` of 3
    axes: `u[:, :, 0]`); None where that is not known (no `n`, two Ellipses) or NumPy raises (more items than axes)."""
    at = [i for i, a in enumerate(index) if a == _DOTS]
    if not at:
        return index
    whole = -1 if n is None or len(at) > 1 else n - len(index) + 1
    return index[:at[0]] + (ir.Const(EVERYTHING),) * whole + index[at[0] + 1:] if whole >= 0 else None


def _everything(a) -> bool:
    return isinstance(a, ir.Const) and isinstance(a.value, slice) and a.value == EVERYTHING


def code(text: str) -> str:
    """The statement `text` without its comment (`rows[0] *= 2.0  # the caller's row`), as the check quotes it."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text
    comment = next((t for t in tokens if t.type == tokenize.COMMENT), None)
    return text[:comment.start[1]].rstrip() if comment is not None and comment.start[0] == 1 else text


def copied(text: str, number: bool = False) -> str | None:
    """The assignment `text` with each value it writes copied (`y[j], y[j + 1] = y[j + 1].copy(), y[j].copy()`;
    `number`: said to be a number, `float(y[j + 1])`, which a list's item may be), or None if it is not one
    assignment."""
    try:
        statement = ast.parse(code(text.strip())).body
    except SyntaxError:
        return None
    if len(statement) != 1 or not isinstance(statement[0], ast.Assign) or len(statement[0].targets) != 1:
        return None
    target, value = statement[0].targets[0], statement[0].value

    def copy_of(v):
        simple = isinstance(v, (ast.Name, ast.Subscript, ast.Attribute, ast.Call))
        return f"float({ast.unparse(v)})" if number else \
            f"{ast.unparse(v) if simple else '(' + ast.unparse(v) + ')'}.copy()"
    if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
        return f"{', '.join(ast.unparse(t) for t in target.elts)} = {', '.join(copy_of(v) for v in value.elts)}"
    return f"{ast.unparse(target)} = {copy_of(value)}"


def integer_read(text: str, name: str) -> tuple | None:
    """For `name[i] = name[e]` (`text`, e one expression): e's text and `d[v] = d[int(prev[v])]`, else None."""
    try:
        statement = ast.parse(code(text.strip())).body
    except SyntaxError:
        return None
    value = statement[0].value if len(statement) == 1 and isinstance(statement[0], ast.Assign) and \
        len(statement[0].targets) == 1 else None
    if not (isinstance(value, ast.Subscript) and isinstance(value.value, ast.Name) and value.value.id == name) or \
            isinstance(value.slice, (ast.Tuple, ast.Slice, ast.Constant, ast.Name)):
        return None
    index = ast.unparse(value.slice)
    return index, f"{ast.unparse(statement[0].targets[0])} = {name}[int({index})]"
