"""Reversing a loop: what each iteration saves, and what the reversed body recomputes instead.

The reversed body reads values the loop defines. Each is saved per iteration (one
stack per value), unless it is recomputed from saved values (`_recomputable`:
cheap operations on values no write changes), is read only for its shape
(`_shapes_only`: its shape is saved; where recomputing it would take more than
one operation of its own, it is not recomputed), or is the next iteration's
value of a loop-carried name that is saved anyway (`_saved_as_next`).

What is recomputed (`_worth_recomputing`): the values the reversed body reads, in
the order the loop defines them, each with the chain of cheap definitions it needs
that nothing recomputes yet; the chain is recomputed only if it has no more
operations than the stacks it spares (the values of it the reversed body reads,
less the phis it reads that would be saved for it alone), else the value is saved.
A push and a pop cost less time than one NumPy call, and a saved value costs its
memory until the sweep: one operation for one stack is where recomputing stops
paying in time, and keeps memory where it is. So `x[i]` (one operation, one
value) is recomputed, and `1.0 + np.exp(-z)` after a saved `np.exp(-z)` is one
operation for one value (where the adjoint of `1.0 / y`, `-ans * ans`, reads only
the quotient, `1.0 / (1.0 + np.exp(-z))` is two operations of a value with a number, each counted half: one
for one value, recomputed from the saved `np.exp(-z)`, as a hand-written LSTM keeps only its gates);
`np.exp(-(w * h + xs[t]))` from a saved `h`, five operations for one value, is saved. A slice, a shape and a
shape's entry count for nothing (`FREE`: no NumPy call, less than a push and a pop): `gates[b:2 * b]` of `b =
np.shape(h)[0]` makes its slice again from `h`, where it pushed a slice object per iteration, and an inner loop
over `range(0, state.shape[0], 2)` makes its range again.

`LoopSaves` holds these methods of `_Reverse` (reverse.py); it reads the rest of
`_Reverse`'s state through `self`.
"""
from __future__ import annotations

import dataclasses

from s2s import ir, prims
from s2s.ir.names import base_name
from s2s.ir.shape_keeping import kept
from s2s.ir.walk import defined_names, map_statements, outside_loops
from s2s.ir.walk import vars_of as walk_vars
from s2s.rules import registry


class LoopSaves:
    """Choosing what a reversed loop saves (mixed into reverse._Reverse)."""

    def _int_index(self, index) -> bool:
        """Is every part of `index` a Python int: a constant, a `range` loop's variable, a length or a
        shape entry, or integer arithmetic on those? (then `a[index]` is one position, never repeated)"""
        return all(isinstance(a, ir.Const) and type(a.value) is int or
                   isinstance(a, ir.Var) and a.name in self._python_ints() for a in index)

    def _saved_as_next(self, loop: ir.Loop, saved: list, range_loop: bool) -> dict:
        """Loop-carried values saved twice: `h_1`, computed in an iteration and saved, is the next
        iteration's `h` (the back edge of h's phi), which is saved too. Such an h_1 is not saved: the
        reversed iteration reads it as the h of the reversed iteration before it (the last one: the
        value after the loop). Only for an outermost `for` loop that every iteration runs to its end.
        Returns h_1 -> h."""
        if not range_loop or self.loops or any(isinstance(t, (ir.Break, ir.Continue))
                                               for t in ir.statements(loop.body)):
            return {}
        top = set(defined_names(loop.body, into_loops=False)) - {
            n for t in loop.body if isinstance(t, (ir.If, ir.Loop)) for b in ir.blocks(t) for n in defined_names(b)}
        out = {}
        for p in loop.phis:
            b = p.operands[1]
            if isinstance(b, ir.Var) and b.name != p.target and b.name in saved and p.target in saved \
                    and b.name in top and b.name not in out:
                out[b.name] = p.target
        return out

    def _shapes_only(self, loop: ir.Loop, saved: list, rev_body: list, recomputed: list, own: set,
                     parts: set | None = None) -> dict:
        """The values among `saved` that the reversed body reads only for their shape (the target of
        `rt.unbroadcast`, `np.shape(v)`): each is saved as `v_shape = rt.shape_of(v)` (its shape, a few bytes)
        instead, which `rt.unbroadcast(g, v_shape)` and `np.shape(v_shape)` read as they read v
        (`read_shapes`). A sequence read only for its parts' shapes (np.concatenate's, by its adjoint) is saved
        as `rt.shapes_of(seq)`, and its value is added to `parts`. Returns value -> the name of its shape."""
        out = {}
        again = {n for d in recomputed for n in walk_vars(d.value)}
        # (what the iteration makes outside inner loops: a value an if makes is saved in its branch, as its shape;
        # an inner loop's result after it)
        top = {t.target for t in outside_loops(loop.body) if isinstance(t, ir.Assign)} | {p.target for p in loop.phis} | {
            p.target for t in outside_loops(loop.body) if isinstance(t, ir.Loop) for p in t.phis}
        read_by: dict = {}  # name -> [(the call reading it, the operand's position)], one walk of the body
        for t in ir.statements(rev_body):
            for i, a in enumerate(ir.operands(t)):
                if type(a) is ir.Var:
                    read_by.setdefault(a.name, []).append((getattr(t, "value", None), i))
        arrays = set(self.arrays.values())
        for n in saved:
            if n not in top or n in again or n in self.arrays or n in arrays:
                continue
            reads = read_by.get(n, [])
            if not reads or not (all(_shape_read(c, i) for c, i in reads) or
                                 parts is not None and all(_parts_read(c, i) for c, i in reads)):
                continue
            if _parts_read(*reads[0]):
                parts.add(n)
            out[n] = self.namer.fresh(base_name(n) + "_shape")
        return out

    def _shape_sources(self, loop: ir.Loop, needed: list, rev_body: list, own: set) -> tuple[dict, dict]:
        """The values among `needed` that the reversed body reads only for their shape and that keep the shape of
        a value it has anyway (ir/shape_keeping.py: `h * h`, `-h`, `h * 0.5` of an h it reads, or of a value made
        before every loop; `np.sin(h)` of a number h): value -> that value, whose shape the reads take instead
        (`read_shapes`). Such a value is neither saved nor recomputed, nor is its shape saved. The second part:
        the values among those that have the shape NumPy reads of that value as an array, `np.sin(h)` of an h
        that may be a list (value -> its line): their reads take `rt.array_shape(h)`, never np.sin(h) again for a
        shape."""
        reads: dict = {}  # name -> is every read of it in the reversed body a shape read
        for t in ir.statements(rev_body):
            c = getattr(t, "value", None)
            for i, a in enumerate(ir.operands(t)):
                if type(a) is ir.Var:
                    reads[a.name] = reads.get(a.name, True) and _shape_read(c, i)
        calls = {t.target: t.value for t in outside_loops(loop.body) if type(t) is ir.Assign and
                 type(t.value) is ir.Call}
        phis = {p.target for p in loop.phis}
        arrays = set(self.arrays) | set(self.arrays.values())
        before = self._before_loops()

        def there(name: str) -> bool:  # (the reversed body has it: read for its value, or made before every loop)
            if name in own:
                return reads.get(name) is False and name not in arrays and (name in phis or name in calls)
            return name in before
        out, as_array = {}, {}
        loc = {t.target: t.loc for t in outside_loops(loop.body) if type(t) is ir.Assign}
        at_top = phis | {t.target for t in loop.body if type(t) is ir.Assign} | (before - own)
        for n in needed:
            if not reads.get(n) or n not in calls:
                continue
            v, read, seen = n, False, {n}  # (read: a step is a NumPy function's, its value has v's shape as an array)
            while True:  # (down the chain of values keeping the shape, each once)
                c = calls.get(v)
                x = None if c is None else kept(c) or self._number_kept(c)
                if x is None and c is not None:  # (`x + m` of a list x and np.max's m: an array, read as one)
                    x = _elementwise_of(c) or self._number_added(c)
                    read = read or x is not None
                if x is None or x in seen:
                    break
                seen.add(x)
                v = x
                if there(v) and (not read or v in at_top):  # (rt.array_shape(v) is read where the reversed body starts)
                    out[n] = v
                    if read:
                        as_array[n] = loc[n]
                    break
        return out, as_array

    def _number_kept(self, c: ir.Call) -> str | None:
        """The operand of a NumPy function applied element by element to a number (np.sin(h)): a number too."""
        if len(c.args) != 1 or type(c.args[0]) is not ir.Var or c.args[0].name not in self.sound_scalars:
            return None
        return _elementwise_of(c)

    def _number_added(self, c: ir.Call) -> str | None:
        """The operand `x` of `x + m`, `x - m`, `m - x`, `x / m` for a number m (`np.log(t7) + m` of an
        `m = np.max(alpha)`): NumPy broadcasts a number over x, whatever x is (not `*`: a list times an int
        repeats it)."""
        if c.op not in ("add", "sub", "truediv") or c.kwargs or len(c.args) != 2 or \
                not all(type(a) is ir.Var for a in c.args):
            return None
        a, b = (a.name for a in c.args)
        if b in self.sound_scalars and a != b:
            return a
        if a in self.sound_scalars and c.op != "truediv" and a != b:
            return b
        return None

    def _before_loops(self) -> set:
        """The function's parameters and the names it defines outside every loop (one value each)."""
        if self._outside is None:
            self._outside = set(self.fn.params) | {t.target for t in outside_loops(self.fn.body)
                                                   if type(t) is ir.Assign}
        return self._outside

    def _python_ints(self) -> set:
        if self._strict_ints is None:
            self._strict_ints = _python_ints(self.fn)
        return self._strict_ints

    def _recomputable(self, loop: ir.Loop, needed: list, own: set) -> list:
        """Definitions at the top of `loop`'s body that are worth recomputing rather than saving:
        elementwise operations on values that are saved, recomputed or defined before the loop, in
        chains no longer than the stacks they spare (`_worth_recomputing`)."""
        top = {s.target: s for s in loop.body if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call)}
        chosen: dict[str, ir.Assign] = {}
        available = {p.target for p in loop.phis} | ({loop.target} if loop.target else set())
        written = set(self.arrays) | set(self.arrays.values()) | self._changed_by_helpers()
        if self.loops:  # (a list an enclosing loop grows, in place: `fs[-1 - j]` of an inner loop is its item then)
            written |= self._grown()
        values = self._value_reads(loop)
        # np.concatenate of a display and the display, made again from its parts (`_joined_display`), but for the
        # value the next iteration starts from (a grown `h = np.concatenate([h, p])`: saved as that one's phi)
        joined = self._joined_lists()
        back = {p.operands[1].name for p in loop.phis if len(p.operands) > 1 and type(p.operands[1]) is ir.Var}
        rejoined = {n for n, d in top.items() if n not in back and _joined_display(d.value, top, joined)}
        rejoined |= {n for n, d in top.items() if n in joined or d.value.op == "tuple"}
        # what is saved anyway (read, and not cheap to recompute) is there to recompute from: the rest of a
        # chain of cheap operations after it (`gates = t * w + b; exp(-gates[s])`) is not saved as well
        # (a value read only for its shape is not: its shape is what is saved, see _shapes_only)
        available |= {n for n in needed if n in top and n not in written and n in values and (
            not (_cheap(top[n].value.op) or n in rejoined) or
            any(v in written for v in walk_vars(top[n].value)))}

        blocked: set = set()

        def ok(name: str, depth: int = 0) -> bool:
            if name in chosen or name in available or name not in own:
                return True
            d = top.get(name)
            if d is None or depth > 8 or not (_cheap(d.value.op) or name in rejoined) or name in blocked:
                return False
            if name in written:  # the array itself: saved views of it must see its restores (one object)
                return False
            if any(n in written for n in walk_vars(d.value)):
                return False  # an array written in place holds other elements when the sweep gets here
            if all(ok(n, depth + 1) for n in walk_vars(d.value)):
                chosen[name] = d
                return True
            return False

        for n in needed:
            ok(n)
        # a value read only for its shape is saved as its shape (a few bytes) where recomputing it takes more
        # than one operation of its own, besides the values the reversed body reads anyway (`cell = f * c + i *
        # g` for the shape of an element write's adjoint); one is recomputed (optimize/products.py may drop it)
        blocked |= {n for n in needed if n in chosen and n not in values and len(_chain(n, chosen, values)) > 1}
        if blocked:
            chosen.clear()
            for n in needed:
                ok(n)
        order = [s.target for s in loop.body if isinstance(s, ir.Assign)]
        free = {n for n, d in chosen.items() if d.value.op in FREE or n in rejoined}
        free |= {n for n, d in chosen.items() if d.value.op == "getitem" and type(d.value.args[0]) is ir.Var and
                 d.value.args[0].name in free and chosen[d.value.args[0].name].value.op == prims.SHAPE}
        chosen = _worth_recomputing(chosen, set(needed), available, own, order, free)
        return [chosen[n] for n in order if n in chosen]

    def _joined_lists(self) -> set:
        """The list displays (`[x, h]`) whose only reads are np.concatenate's or np.stack's: made again from their
        items, as a tuple display is, where the joined array is recomputed (nothing else sees the list object)."""
        if self._joined_only is None:
            lists = {t.target for t in ir.statements(self.fn.body) if type(t) is ir.Assign and
                     type(t.value) is ir.Call and t.value.op == "list"}
            for t in ir.statements(self.fn.body):
                c = getattr(t, "value", None)
                joins = type(c) is ir.Call and c.op in prims.ARRAY_RESULTS and len(c.args) == 1 and not c.kwargs
                if not joins:
                    lists -= {a.name for a in ir.operands(t) if type(a) is ir.Var}
            self._joined_only = lists
        return self._joined_only

    def _changed_by_helpers(self) -> set:
        """In generated code differentiated again: the names whose object a runtime helper that adds in
        place (`by = rt.add_at(by, g, y, i)`) may change after they are made, and every name that may be
        that object (joins, copies, views, the helper's result). Recomputed in the reverse sweep, such a
        value would be read as the helper left it, not as it was."""
        if self._helper_changed is None:
            self._helper_changed = _changed_in_place(self.fn)
        return self._helper_changed

    def _grown(self) -> set:
        """The lists the function grows by appends, and the names that may be the same list: back/growing.py
        extends such a list in place where no saved value holds it, and a loop inside the one that grows it, read
        in the reverse sweep, would see the items appended after the inner loop ran (it saves what it read)."""
        if self._grown_lists is None:
            self._grown_lists = _changed_in_place(self.fn, (prims.APPENDED,), views=False)
        return self._grown_lists

    def _value_reads(self, loop: ir.Loop) -> set:
        """The names the reversed body of `loop` reads other than for their shape (`_shape_read`)."""
        out = set()
        for t in ir.statements(self.rev_blocks[id(loop.body)]):
            c = getattr(t, "value", None)
            for i, a in enumerate(ir.operands(t)):
                if isinstance(a, ir.Var) and not _shape_read(c, i):
                    out.add(a.name)
        return out


def _elementwise_of(c: ir.Call) -> str | None:
    """The operand of a NumPy function of one value applied element by element (np.sin(h)), whose value has the
    shape NumPy reads of h as an array (h may be a list: the value is an array)."""
    if len(c.args) != 1 or c.kwargs or type(c.args[0]) is not ir.Var or not c.op.startswith("numpy."):
        return None
    rule = registry.reverse_rule(c.op)
    return c.args[0].name if rule is not None and rule.broadcast else None


def _shape_read(c, i: int) -> bool:
    """Does the call `c` read its operand `i` for the shape alone: rt.unbroadcast's target, np.shape's array, the
    array and values np.append's adjoint splits g like, the array np.diff's adjoint pads g back to, the operand of
    `a @ b` whose own adjoint `rt.matmul_adjoint_a(g, a, b)` (`_b(g, a, b)`) computes?"""
    return isinstance(c, ir.Call) and (c.op in ("s2s.runtime.unbroadcast", "s2s.runtime.diff_adjoint") and i == 1 or
                                       c.op == prims.SHAPE and i == 0 and len(c.args) == 1 and not c.kwargs or
                                       c.op == "s2s.runtime.append_adjoint" and i in (1, 2) or
                                       MATMUL_SHAPE_READS.get(c.op) == i and len(c.args) == 3 and not c.kwargs)


# the adjoints of `a @ b` and the operand each reads for its shape alone (runtime/products.py takes a Shape there)
MATMUL_SHAPE_READS = {"s2s.runtime.matmul_adjoint_a": 1, "s2s.runtime.matmul_adjoint_b": 2}


# adjoints that read a sequence argument only for the shapes of its parts: argument position
PARTS_READ = {"s2s.runtime.concatenate_adjoint": 1, "s2s.runtime.stack_adjoint": 1, "s2s.runtime.stack_adjoint_rows": 1}


def _parts_read(c, i: int) -> bool:
    """Does the call `c` read its operand `i`, a sequence, for its parts' shapes alone (np.concatenate's adjoint)?"""
    return isinstance(c, ir.Call) and PARTS_READ.get(c.op) == i


def read_shapes(stmts: list, shapes: dict) -> list:
    """`stmts` as new IR in which `rt.unbroadcast(g, v)` and `np.shape(v)` read the saved shape of each value
    in `shapes` (value -> the name of its shape, see `_shapes_only`): `rt.unbroadcast(g, v_shape)`."""
    def read(t):
        c = t.value if isinstance(t, (ir.Assign, ir.Effect)) else None
        if isinstance(c, ir.Call) and any((_shape_read(c, i) or _parts_read(c, i)) and isinstance(a, ir.Var) and
                                          a.name in shapes for i, a in enumerate(c.args)):
            args = tuple(ir.Var(shapes[a.name]) if (_shape_read(c, i) or _parts_read(c, i)) and isinstance(a, ir.Var)
                         and a.name in shapes
                         else a for i, a in enumerate(c.args))
            return dataclasses.replace(t, value=ir.Call(c.op, args, c.kwargs))
        return t
    return map_statements(stmts, read) if shapes else stmts


IN_PLACE_HELPERS = {"s2s.runtime.add_at", "s2s.runtime.zero_at", "s2s.runtime.add_into"}  # may return arg 0, changed


def _changed_in_place(fn: ir.Function, ops=IN_PLACE_HELPERS, views: bool = True) -> set:
    """The first arguments of the runtime helpers `ops` that may change them in place, and the names that may
    be the same object (both ways through copies, joins, views and the helpers' results; without `views`, not
    through views: a list's item or an index into it is not the list)."""
    out = set()
    links = []
    for s in ir.statements(fn.body):
        if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) and s.value.args and \
                isinstance(s.value.args[0], ir.Var) and s.value.op in ops:
            out.add(s.value.args[0].name)
            links.append((s.target, s.value.args[0].name))
        elif isinstance(s, ir.Assign) and isinstance(s.value, ir.Var):
            links.append((s.target, s.value.name))
        elif views and isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) and \
                s.value.op in prims.MAY_SHARE_MEMORY:
            links += [(s.target, n) for n in walk_vars(s.value)]
        for p in getattr(s, "phis", ()):
            links += [(p.target, o.name) for o in p.operands if isinstance(o, ir.Var)]
    if not out:
        return out
    changed = True
    while changed:
        changed = False
        for a, b in links:
            if (a in out) != (b in out):
                out |= {a, b}
                changed = True
    return out


def _python_ints(fn: ir.Function) -> set:
    """Names that always hold a Python int (see `_int_index`)."""
    defs = {}
    for s in ir.statements(fn.body):
        if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call):
            defs[s.target] = s.value
    shapes = {n for n, c in defs.items() if c.op == prims.SHAPE}
    ranges = {n for n, c in defs.items() if c.op == "builtins.range"}
    out = {n for n, c in defs.items() if c.op in ("builtins.len", "builtins.int", prims.NDIM) or
           c.op == "getitem" and len(c.args) == 2 and isinstance(c.args[0], ir.Var) and c.args[0].name in shapes
           and isinstance(c.args[1], ir.Const) and type(c.args[1].value) is int}
    for s in ir.statements(fn.body):
        if isinstance(s, ir.Loop) and s.kind == "for" and isinstance(s.target, str) and isinstance(s.iter, ir.Var) \
                and s.iter.name in defs and defs[s.iter.name].op == "builtins.range":
            out.add(s.target)
    changed = True
    while changed:
        changed = False
        for n, c in defs.items():
            whole = [isinstance(a, ir.Const) and type(a.value) is int or isinstance(a, ir.Var) and a.name in out
                     for a in c.args]
            # (an element of a range at an int: `for i in t2` over a named range, as generated code iterates)
            element = c.op == "getitem" and len(c.args) == 2 and isinstance(c.args[0], ir.Var) and \
                c.args[0].name in ranges and whole[1]
            # (max/min of two ints or more, abs of one: `ys[max(0, i - d)]`, a clamped index, is an int too)
            chosen = c.op in ("builtins.max", "builtins.min") and len(c.args) > 1 or c.op == "builtins.abs"
            if n not in out and (element or (chosen or c.op in ("add", "sub", "mul", "floordiv", "mod", "neg")) and
                                 not c.kwargs and all(whole)):
                out.add(n)
                changed = True
    return out


def _worth_recomputing(chosen: dict, needed: set, available: set, own: set, order: list,
                       free: frozenset = frozenset()) -> dict:
    """The part of `chosen` (definitions that could be recomputed) worth recomputing (see the module's
    docstring). Each value the reversed body reads, the first defined first, is recomputed with the
    chain of definitions it needs that are neither recomputed nor saved yet, if that chain has no more
    operations than the stacks it spares: the values of it the reversed body reads, less the values
    of the loop it reads that would be saved for it alone (a phi nothing else reads). Operations in `free`
    (a slice, a shape and its entries: no NumPy call, cheaper than a push and a pop) are not counted.
    Otherwise the value is saved, and a value defined after it may recompute from it."""
    position = {n: k for k, n in enumerate(order)}
    done: set = set()  # recomputed
    kept: set = set()  # saved
    wanted = set(needed)  # what is saved or recomputed (grows by the phis a recomputed chain reads)
    for n in sorted((n for n in needed if n in chosen), key=position.__getitem__):
        if n in done or n in kept:
            continue
        chain, todo = set(), [n]
        while todo:
            m = todo.pop()
            if m not in chain:
                chain.add(m)
                todo += [v for v in walk_vars(chosen[m].value) if v in chosen and v not in done and v not in kept]
        inputs = {v for m in chain for v in walk_vars(chosen[m].value)} - chain
        extra = {v for v in inputs if v in own and v in available and v not in wanted}
        cost = sum(0.5 if _with_number(chosen[m].value) else 1 for m in chain - free)
        if cost <= len(chain & wanted) - len(extra):
            done |= chain
            wanted |= extra
        else:
            kept.add(n)
    return {n: d for n, d in chosen.items() if n in done}


def _with_number(c: ir.Call) -> bool:
    """Arithmetic of one value with a number (`1.0 + e`, `1.0 / d`): half an operation, so that a sigmoid's
    `1.0 / (1.0 + e)` is recomputed from its saved `e = np.exp(-x)`, not saved as well (an LSTM's three gates)."""
    return c.op in ("add", "sub", "mul", "truediv") and len(c.args) == 2 and not c.kwargs and \
        sum(type(a) is ir.Const and type(a.value) in (int, float) for a in c.args) == 1


def _chain(name: str, chosen: dict, there: set) -> set:
    """`name` and the definitions among `chosen` (those that could be recomputed) it needs, transitively, but
    for those in `there` (the reversed body has them anyway, saved or recomputed) and what they need."""
    out, todo = set(), [name]
    while todo:
        m = todo.pop()
        if m not in out:
            out.add(m)
            todo += [v for v in walk_vars(chosen[m].value) if v in chosen and v not in there]
    return out


# operations `_worth_recomputing` does not count (nor a shape's entry): `slice(0, b)` of a width `b = np.shape(h)[0]`
# is recomputed where its slice object would be pushed and popped once per iteration; a tuple display (no NumPy
# call) too, and np.concatenate of one (`_joined_display`)
FREE = frozenset({"slice", "builtins.range", prims.SHAPE, prims.NDIM, "builtins.len", "tuple"})


def _joined_display(c: ir.Call, top: dict, lists: set) -> bool:
    """Is `c` np.concatenate or np.stack of a tuple display the iteration makes (`np.concatenate((x, h, x, h))`), or
    of a list display among `lists` (read by nothing else: `np.concatenate([x, h])`)?
    It only moves its parts' numbers, which take no more memory than it does (a part read twice: half): recomputed
    from its parts rather than saved (an LSTM's gates `np.concatenate((x, h, x, h)) * w`: its state and input are
    saved, not four times their numbers), counted as free as a slice."""
    if c.op not in prims.ARRAY_RESULTS or len(c.args) != 1 or c.kwargs or type(c.args[0]) is not ir.Var:
        return False
    d = top.get(c.args[0].name)
    return d is not None and (d.value.op == "tuple" or d.target in lists)


def _cheap(op: str) -> bool:
    """Worth recomputing in the reverse sweep rather than saving: a few floating-point operations."""
    if op in FREE:
        return True
    if op in ("add", "sub", "mul", "truediv", "neg", "pow", "mod", "floordiv", "getitem", "not", "and", "or") \
            or op in prims.COMPAREOPS or op.startswith("math."):
        return True
    rule = registry.reverse_rule(op)
    return rule is not None and rule.broadcast
