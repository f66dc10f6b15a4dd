"""Loops in the alias stage (alias.py): what a loop writes, and the state from its second iteration on.

A value made before a loop and read in it sees the loop's writes from the second
iteration on; a name the loop binds to an array it writes is a version of that
array (its header phi); after the loop, an array written through another name
has no SSA value that holds it (LOOP_WRITTEN: a read of it is refused, unless
in-place operators alone wrote it, which are checked to update numbers).
`LoopAliases` holds these methods of alias.py's `_Aliases`; what a loop's names
carry to the next iteration is alias_iterations.py's.
"""
from __future__ import annotations

import ast

from s2s import ir
from s2s.prims import CONTAINER_BUILDERS
from s2s.ir.names import base_name
from s2s.ir.walk import defined_names
from s2s.front.line_statements import binds, writes_item
from s2s.front.alias_iterations import IterationAliases, _assigns, _inner_phis, _is_temp, _origins, _spelled, _statement, \
    python_number

LOOP_WRITTEN = "<written in a loop through another name>"
DICT_OF = "s2s.runtime.dict_of"  # (a dict display: its keys, then its values)
SHARED = "<written through a name that may be it>"


class LoopAliases(IterationAliases):
    """(mixed into alias.py's `_Aliases`; reads its state through `self`)"""

    def loop(self, s: ir.Loop) -> None:
        if s.iter is not None:
            s.iter = self.read(s.iter, s.loc)
        for p in s.phis:
            p.operands[0] = self.read(p.operands[0], s.loc)
            self.joins[p.target] = [p.operands[0]]
        written, based = self.written_in(s)
        elements = self.element_written_phis(s)
        fresh: dict = {}  # a loop's name -> the arrays it views as new in each iteration (`prev = U[t + 1]`)
        # from the second iteration on, everything made before the loop has seen the loop's writes
        inside = set(defined_names(s.header + s.body))
        for r, operators in written.items():
            self.state.writes[r] = self.state.writes.get(r, 0) + 1
            self.state.last_write.setdefault(r, s.loc)
            self.record_kind(r, self.state.writes[r], operators)
            self.record_places(r, self.state.writes[r], self.loop_places(s))
            if operators is None and r not in inside and self.state.current.get(r) != SHARED:
                # its elements written through another name (`y = y0; y[0] = v` in the body): a read of it in the
                # loop may come after a write of an iteration before, which no SSA value holds (refused, `read`),
                # unless a header phi carries its versions (set below)
                self.state.current[r] = LOOP_WRITTEN
        for p in s.phis:
            init = p.operands[0]
            if p.target in elements and isinstance(init, ir.Var) and init.name in self.own_phis and \
                    init.name not in self.joined:
                self.write_joined(init.name, s.loc)  # (the loop writes its elements from its first iteration on)
                self.count_write(init.name, s.loc)
            # (a list's refs: the items it holds; a dict's the function made, written by key: the values it holds,
            # the caller's arrays too, which it holds by key from here on)
            made_dict = p.target in based and isinstance(init, ir.Var) and self.dict_made(init.name)
            own = not isinstance(init, ir.Var) or not (init.name in self.visible or init.name in self.refs) or \
                init.name in self.joined or self.list_join(init.name) or made_dict
            if p.target in based and own:  # an array of the function's, written in the loop: a version
                r = self.root.setdefault(init.name, init.name) if isinstance(init, ir.Var) else p.target
                self.root[p.target] = r
                self.state.current[r] = p.target
                self.born[p.target] = self.state.writes.get(r, 0)
                if made_dict:
                    self.held_before(r)
            elif isinstance(init, ir.Var):  # it is the value it starts from, in the first iteration
                self.view_of(p.target, [init], s.loc)
                self.same[p.target] = self.same.get(init.name, init.name)
                if p.target in self.refs:  # (from the second iteration on, the back value: kept_across_iterations)
                    self.refs[p.target] = {r: n if r not in written else n + 1 if n + 1 == self.state.writes.get(r)
                                           and self.read_first(s, p.target, r) and self.one_row_written(s, p.target, r)
                                           else n - 1
                                           for r, n in self.refs[p.target].items()}
                    fresh[p.target] = {r for r, n in self.refs[p.target].items() if r in written and
                                       n == self.state.writes.get(r)}
        # (the arrays the loop's names are versions of as it starts: a write after the loop may make one an array
        # of its own, `write_joined` in the body, which must not hide that the iterations write the array entering)
        entering = {p.target: self.root.get(p.target) for p in s.phis}
        self.nested += 1
        self.block(s.header)
        if s.test is not None:
            s.test = self.read(s.test, s.loc)
        if isinstance(s.target, str) and isinstance(s.iter, ir.Var):
            self.view_of(s.target, [s.iter], s.loc)
            if s.iter.name in self.ranges:
                self.ints.add(s.target)
                self.counters[s.target] = self.made_by.get(s.iter.name)
        self.block(s.body)
        self.nested -= 1
        leaving = [j for j in ir.statements(s.body) if isinstance(j, (ir.Break, ir.Continue))]
        headers = {p.target for p in s.phis}  # (a swap of two of them: kept_across_iterations)
        for p in s.phis:
            p.operands[1] = self.read(p.operands[1], s.loc)
            r, back = entering[p.target] or self.root.get(p.target), p.operands[1]
            if r is None:  # after the loop, the name holds what the last iteration left in it, or its break's
                ends = [back] + [j.values[p.target] for j in leaving if p.target in j.values]
                if not self.same_value(p, ends, written):
                    self.view_of(p.target, [ir.Var(p.target)] + [e for e in ends if e != ir.Var(p.target)], s.loc)
            init = p.operands[0]  # (the array the loop writes, as written_in names it: a join's too, `y_3 = phi(y_2, y)`)
            key = r if r is not None else self.root.get(init.name, init.name) if isinstance(init, ir.Var) else None
            # (what the name holds as an iteration ends: at the back edge, at a `continue`, as a `break` leaves)
            ends = [back] + [j.values[p.target] for j in leaving if p.target in j.values]
            other = next((v for v in ends if isinstance(v, ir.Var) and v.name != p.target and
                          self.root.get(v.name, v.name) not in (key, p.target)), None)
            if key is not None and p.target in based and other is not None and (written.get(key, []) is None or
                                                                                 p.target in elements) and \
                    not self.own_generated(s.loc, p.target, key, other.name):
                # the name holds another array in the next iteration (`h[i] = v; h = np.sin(h)`, or `a, b = b, a`),
                # or after a break: ssa.py versions the loop's writes as the array's that enters the loop, which the
                # rebind leaves (in-place operators alone make new values in the generated code, as Python's
                # numbers do, and are guarded where another name still reads the old object: `acc -= ...;
                # acc = np.tanh(acc)`)
                broke = other != back and all(j.values.get(p.target) != other for j in leaving
                                              if isinstance(j, ir.Continue))
                raise self.rebound_in_loop(s, key, other.name, broke)
            if r is not None and p.target in based and isinstance(back, ir.Var) and self.root.get(back.name) != r and \
                    any(o not in headers and set(self.refs.get(o, {})) - {r}
                        for o in _origins(back.name, _inner_phis(s.body + s.header))):
                # in-place operators on a name the loop rebinds to a view of another array (`z += a; z = y[::-1]`):
                # the next iteration's change that array (checked to find numbers when run), and after the loop
                # the name may be that view, which a later write of the array makes stale
                self.guards.update({id(a): (a, base, ()) for a, base in written.get(r) or ()})
                ends = [back] + [j.values[p.target] for j in leaving if p.target in j.values]
                self.view_of(p.target, [ir.Var(p.target)] + [e for e in ends if e != ir.Var(p.target)], s.loc)
                del self.root[p.target]
        self.kept_across_iterations(s, written, based, inside)
        for r in written:  # after the loop, its arrays are the header's versions; one the loop wrote
            if self.state.current.get(r) != SHARED:  # through another name has none (see `read`)
                self.state.current[r] = LOOP_WRITTEN
        for p in s.phis:
            r = self.root.get(p.target)
            if r is not None and self.state.current.get(r) != SHARED:
                self.state.current[r] = p.target
            if fresh.get(p.target) and p.target in self.refs:  # (after the loop: the view entering it, or the one
                # the last iteration took after its write, which the back edge read as new)
                self.refs[p.target].update({r: self.state.writes.get(r, 0) for r in fresh[p.target]})

    def loop_written(self, name: str, loc):
        """The refusal of a read of the array `name` after a write through another name that no SSA value holds
        (LOOP_WRITTEN: in a loop, by a name bound before it, a function given the array, or a container's item).
        Says to write (or give the array to the function that writes it) by one name; a copy where another name
        takes it would leave the array as it was, another program. An array no name of the user's holds is named
        by the container that does (`state['u']`)."""
        r = self.root.get(name, name)
        wrote = self.state.last_write.get(r)
        where = " of a loop" if wrote is not None and wrote.line in self.loop_lines else ""
        when = f"after line {wrote.line if wrote else '?'}{where} wrote into it in place through another name"
        user = base_name(name)
        if _is_temp(user):
            held = self.held_as(name) or self.held_as(r)
            return self.error(loc, f"reading the array {held or 'a container holds'} {when}",
                              f"give it a name before the loop ({'u = ' + held if held else 'u = ...'}) and write "
                              f"into it, or give it to the function that writes it, by that name in the loop",
                              held or user)
        return self.error(loc, f"reading '{user}' {when}",
                          f"write into '{user}' by its own name{' in the loop' if where else ''}, or give '{user}' "
                          f"itself to the function that writes it; a copy where another name takes it (... = "
                          f"{user}.copy()) would leave '{user}' as it was", user)

    def held_as(self, name: str) -> str | None:
        """How the user reads the array `name` out of the container a name of theirs holds it in (`state['u']`,
        `s[0]`), or None."""
        for t in ir.statements(self.fn.body):
            v = t.value if isinstance(t, ir.Assign) else None
            if not isinstance(v, ir.Call) or v.op not in CONTAINER_BUILDERS or _is_temp(base_name(t.target)):
                continue
            keyed = v.op == DICT_OF and v.args and isinstance(v.args[0], ir.Const)
            items = list(v.args[1:] if keyed else v.args)
            if ir.Var(name) in items:
                at = items.index(ir.Var(name))
                return f"{base_name(t.target)}[{v.args[0].value[at]!r}]" if keyed else f"{base_name(t.target)}[{at}]"
        return None

    def same_value(self, p: ir.Phi, ends: list, written: dict) -> bool:
        """Does the loop leave its name `p.target` bound to the value it entered with on every path (`ends`: at the
        back edge, its continues and breaks), the newest version of an array of the function's the loop does not
        write (`u = y` in the body, after `u = y; u[0] = v` before it)? Then the name is that array after the loop,
        as it was before: a write through it is a write of the array, seen by its other names. Returns whether the
        phi was taken so (else it is what it may share memory with, `view_of`)."""
        values = [p.operands[0]] + [e for e in ends if e != ir.Var(p.target)]
        one = values[0]
        if not isinstance(one, ir.Var) or any(v != one for v in values) or one.name in self.visible or \
                one.name in self.refs or one.name in self.maybe_same:
            return False
        r = self.root.get(one.name, one.name)
        if r in written or self.state.current.get(r, r) != one.name:
            return False
        self.root[p.target] = r
        self.born[p.target] = self.born.get(one.name, 0)
        self.refs.pop(p.target, None)
        self.made.pop(p.target, None)
        return True

    def rebound_in_loop(self, s: ir.Loop, r: str, back: str, broke: bool = False):
        """The refusal of a loop that writes elements of the array `r` through its name and rebinds the name to
        `back` for the next iteration (or, `broke`, as a break leaves the loop): a new array made in the body
        (`h[i] = v; h = np.sin(h)`) or another buffer (`a, b = b, a`). Names as the user wrote them (the SSA's
        versions of a user's `t` are t2, t5)."""
        when = "and leaves the loop by 'break'" if broke else "for the next iteration"
        wrote = next((t.loc for t in _assigns(s.header + s.body) if self.writes_array([t], s, r) and
                      t.loc is not None), None)
        name, called = _target(wrote) or base_name(r), ""
        if wrote is not None and s.loc is not None and wrote.scope != s.loc.scope:  # (a helper's: `setv(y, i, v)`)
            name = next((base_name(p.target) for p in s.phis if self.root.get(p.target) == r), base_name(r))
            called = f" of a function given '{name}'"
        rebinding = [t for t in _assigns(s.header + s.body) if _rebinds(t.loc, name)]
        # (the statement's own value, not a read on its line: `y = write(y, x * y[0])` of a helper writing y)
        made = next((t.loc for t in rebinding if base_name(t.target) == name and self.root.get(t.target) != r),
                    rebinding[0].loc if rebinding else None)
        line = f" (line {wrote.line}{called}: {_spelled(wrote, writes_item(name))})" if wrote is not None else ""
        again = self.read_after(s, r)
        if again is not None:  # (`h0 = h` before the loop: NumPy's h0 shows the first iteration's writes, a copy's not)
            return self.error(s.loc, f"a loop that writes elements of '{name}'{line} and then rebinds '{name}' to "
                                     f"another array {when}, where the array '{name}' holds as the "
                                     f"loop starts is read again through another name (line {again.line}: "
                                     f"{_spelled(again)})", f"copy it at the top of the loop body, as its first "
                                     f"statement: {name} = {name}.copy(), and read the other name where it holds the "
                                     f"values you mean (NumPy's shows the first iteration's writes, a copy's would "
                                     f"not)", name)
        kept = self.holds_rebound(s, r, back)
        if made is not None and kept is not None:  # (`x[0] = k; x = x * 2.0 + k; traj.append(x)`)
            held = base_name(kept)
            return self.error(s.loc, f"a loop that writes elements of '{name}'{line} and then rebinds '{name}' to "
                                     f"a new array (line {made.line}: {_spelled(made, binds(name))}) {when}, while "
                                     f"'{held}' holds "
                                     f"that array from one iteration to the next (NumPy's '{held}' shows the next "
                                     f"iteration's writes into it)",
                              f"where '{held}' is meant to keep each value as it was stored, copy '{name}' at the top "
                              f"of the loop body, as its first statement: {name} = {name}.copy(); that is a program "
                              f"of another value than this one's, whose '{held}' shows the later writes (s2s follows "
                              f"element writes into the array '{name}' holds as the loop starts, not through '{held}')",
                              name)
        if made is not None:
            return self.error(s.loc, f"a loop that writes elements of '{name}'{line} and then "
                                     f"rebinds '{name}' to a new array (line {made.line}: "
                                     f"{_spelled(made, binds(name))}) {when}",
                                     f"copy it at the top of the loop body, as its first statement: "
                                     f"{name} = {name}.copy(); s2s follows the elements written into the array "
                                     f"'{name}' holds as the loop starts, which the rebind leaves", name)
        inner = next((i for t in s.body if isinstance(t, ir.Loop) for i in t.phis if i.target == back), None)
        made_by = self.definition(r)
        if inner is not None and self.root.get(back) == back and isinstance(made_by, ir.Call) and \
                made_by.op.startswith("s2s.runtime.dict"):  # (`for t: for k in q: q[k] -= ...`: no swap)
            return self.error(s.loc, f"a loop that writes items of the dict '{name}' by keys known only as it runs"
                                     f"{line}, inside a loop that carries '{name}' on to its next iteration",
                              f"make the dict anew at the top of this loop's body, as its first statement: {name} = "
                              f"{{k: v.copy() for k, v in {name}.items()}} (or {name} = dict({name}) where the items "
                              f"are written as new values, {name}[k] = {name}[k] - ...); or write each key by name: "
                              f"{name}['key'] -= ..., a statement for each key", name)
        other = next((n for t in _assigns(s.header + s.body) if t.target == back for n in [_target(t.loc)] if n),
                     None) or base_name(back)
        shown = f" ('{other}')" if other != name and not _is_temp(other) else ""
        return self.error(s.loc, f"a loop whose iterations write into '{name}' while the name is rebound to another "
                                 f"array{shown} for the next one (buffers swapped each step)",
                          f"copy it at the top of the loop body, as its first statement: {name} = {name}.copy(); "
                          f"s2s follows the elements written by the array's name, which the swap rebinds", name)

    def holds_rebound(self, s: ir.Loop, r: str, back: str) -> str | None:
        """The loop's name (other than the one of the array `r` the loop writes elements of) that carries the array
        that name is rebound to (`back`) into the next iteration, whose writes NumPy's shows (`traj.append(x)`); or
        None."""
        inside = set(defined_names(s.header + s.body))
        q = next((p.target for p in s.phis if self.root.get(p.target) == r), None)
        for b in self.objects(ir.Var(back)) if q is not None else ():
            kept = self.carried_on(s, q, b, set()) if b in inside else None
            if kept is not None and not _is_temp(base_name(kept)):
                return kept
        return None

    def read_after(self, s: ir.Loop, r: str):
        """Where the array `r` (the value a loop's name starts with) is read by its own version in the loop `s`
        or after it, not as the name's start (the header phi's operand): another name for it (`h0 = h` before
        the loop, SSA's `h`). The first such read's loc, or None."""
        after = False
        for t in ir.statements(self.fn.body):
            if t is s:
                after = True
                continue
            if after and t.loc is not None and ir.Var(r) in ir.operands(t):
                return t.loc
        return None

    def made_here(self, objects: dict, view: str) -> bool:
        """Are `objects` (what the `view` may share memory with) all values the function made, in the loop iteration
        the view is made in (one made before a loop would show this iteration's change in the next)?"""
        return all(o not in self.visible and o in self.defined and self.loop_of.get(o) == self.loop_of.get(view)
                   for o in objects)

    def loop_places(self, s: ir.Loop) -> list | None:
        """The indexes of the loop's element writes (of any array: the writes of its iterations before), or None
        where an in-place operator may change an array."""
        places = []
        for stmt in _assigns(s.header + s.body):
            if stmt.inplace and not python_number(stmt.value.args[0], self.number_definition):
                return None
            if isinstance(stmt.value, ir.Call) and stmt.value.op == "setitem":
                places.append(stmt.value.args[1:-1])
        return places

    def element_written_phis(self, s: ir.Loop) -> set:
        """The header phis of the loop `s` whose elements it writes (`y_4 = setitem(y_3, i, v)`), directly or
        through an inner loop's or an if's phi."""
        phis = {p.target for p in s.phis}
        inner = _inner_phis(s.body + s.header)
        return {b for stmt in _assigns(s.body + s.header) if isinstance(stmt.value, ir.Call) and
                stmt.value.op == "setitem" and isinstance(stmt.value.args[0], ir.Var)
                for b in _origins(stmt.value.args[0].name, inner) if b in phis}

    def written_in(self, s: ir.Loop) -> tuple[dict, set]:
        """(the arrays a loop writes through any of their versions -> [(Assign, base)] if only in-place
        operators write them, else None; the header phis written directly)."""
        arrays: dict = {}
        based = set()
        phis = {p.target: p for p in s.phis}
        # (a write through an inner loop's phi writes this loop's too; one through an if's join, each joined)
        inner = _inner_phis(s.body + s.header)
        for stmt in _assigns(s.body + s.header):
            v = stmt.value
            if stmt.inplace and python_number(v.args[0], self.number_definition):
                continue  # (`tries += 1` of an int rebinds the name)
            if isinstance(v, ir.Call) and (v.op == "setitem" or stmt.inplace) and v.args and \
                    isinstance(v.args[0], ir.Var):
                for base in _origins(v.args[0].name, inner):
                    if base in phis:
                        based.add(base)
                        init = phis[base].operands[0]
                        base = init.name if isinstance(init, ir.Var) else base
                    if base not in self.visible and (base not in self.refs or v.op == "setitem"):
                        # (an in-place operator on the caller's objects, or a view of them: numbers, checked; an
                        # element write is into an array or a dict of the function's, `y = x[[0, 1]]` or `c =
                        # dict(p)` whose parts are another's, ssa.py having refused any other)
                        r = self.root.get(base, base)
                        known = arrays.get(r, [])
                        arrays[r] = None if known is None or v.op == "setitem" else known + [(stmt, v.args[0])]
        return arrays, based


def _target(loc) -> str | None:
    """The name the statement at `loc` assigns or writes an element of (`h = np.sin(h)`, `h[i] = v`: 'h'), or None."""
    stmt = _statement(loc, lambda st: writes_item()(st) or isinstance(st, ast.AugAssign))
    target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else \
        stmt.target if isinstance(stmt, ast.AugAssign) else None
    while isinstance(target, ast.Subscript):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def _rebinds(loc, name: str) -> bool:
    """Is the statement at `loc` `name = <a value, not a name>` (`h = np.sin(h)`, not `a, b = b, a`)?"""
    stmt = _statement(loc, binds(name))
    return isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) and \
        stmt.targets[0].id == name and not isinstance(stmt.value, ast.Name)


def loops_of(stmts: list, loop=None, out=None) -> dict:
    """The names `stmts` define -> id of the innermost loop around their definition (`loop` around `stmts`)."""
    out = {} if out is None else out
    for s in stmts:
        if isinstance(s, ir.Assign):
            out[s.target] = loop
        elif isinstance(s, ir.Loop):
            out.update({p.target: id(s) for p in s.phis})
            out.update({s.target: id(s)} if isinstance(s.target, str) else {})
            loops_of(s.header + s.body, id(s), out)
        else:
            out.update({p.target: loop for p in getattr(s, "phis", ())})
            for block in ir.blocks(s):
                loops_of(block, loop, out)
    return out
