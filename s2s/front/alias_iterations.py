"""Loops in the alias stage (alias_loops.py): what a loop's names carry from one iteration to the next.

A header phi's back value is what its name holds as the next iteration starts.
Where it holds (or is a list, tuple or view holding) an array the next
iteration changes in place, NumPy's name shows that change, which s2s, following
values, would not: refused, saying where to take a copy. The array changed may
be one made before the loop, or one an iteration made and rebound a name the
loop writes in place to (`x += k; x = x * 2.0; traj.append(x)`: the next
`x += k` changes the array `traj` holds). `IterationAliases` holds these methods
of alias.py's `_Aliases` (through alias_loops.LoopAliases).
"""
from __future__ import annotations

import ast
import linecache
import re

from s2s import ir
from s2s.prims import MAY_RETURN_OPERAND, MAY_SHARE_MEMORY as VIEWS, NDIM, SHAPE, SIZE
from s2s.ir.names import base_name
from s2s.ir.walk import count_uses, defined_names
from s2s.front.line_statements import binds, reads, spelled, statement, writes_item
from s2s.front.scalar_starts import may_be_scalar


class IterationAliases:
    """(mixed into alias.py's `_Aliases` through `LoopAliases`; reads its state through `self`)"""

    def number_definition(self, name: str):
        """`definition` (alias.py) for `python_number`, a loop's target over a range (`self.ints`) an int there."""
        return ir.Const(0) if name in self.ints else self.definition(name)

    def kept_across_iterations(self, s: ir.Loop, written: dict, based: set, inside: set) -> None:
        """Refuse a name the next iteration starts with (a header phi's back value: `prev = y`, a list `x` was
        appended to, a tuple holding it) that is, or holds, an array made before the loop that the loop changes
        in place: the next iteration's change shows through it (NumPy's `hist` holds one `x` twice, changed
        twice), which s2s, following values, would not see."""
        arrays = [r for r in written if r not in inside]
        for p in s.phis:
            back = p.operands[1]
            if not isinstance(back, ir.Var) or back.name == p.target:
                continue
            root = self.root.get(back.name, back.name)
            # (an array made in the loop and stored, which the next iteration's name holds: `xs[t] = x; ...; x = x + c`
            # with `x += ...` at the top, changing last iteration's x, the item)
            carried = {q.operands[1].name: self.root.get(q.target, q.target) for q in s.phis
                       if isinstance(q.operands[1], ir.Var)}
            if p.target in based:  # (a copy of an argument written by item: a list of x itself, if the run gives one)
                self.copied_list_stale(root, set(arrays), carried)
            # (a list the loop writes items into, `xs[t] = x`: the arrays it holds, x itself)
            held = {carried.get(o, o) for o in self.held_objects(root)} - {root} if p.target in based else \
                set(self.refs.get(back.name, {})) | {root} | set(self.held_objects(root))
            for r in arrays:
                if r in held and not self.own_generated(s.loc, p.target, back.name, r):
                    if self.first_iteration_only(s, r, inside) and self.taken_as_left(p, root, r, carried, based):
                        continue  # (`v += a; hist.append(v); v = v * 0.5`: hist keeps v as the first iteration left it)
                    if self.number_carried(s, r, p.target):
                        continue  # (`run = 0.0; run += v * v; out.append(run)`: checked when run, a number passes)
                    name, kept = base_name(r), base_name(p.target)
                    if _is_temp(name):  # (`x = xs[0]` of `xs = [x0.copy()]`: the loop's name for it)
                        name = next((base_name(q.target) for q in s.phis if self.root.get(q.target) == r), name)
                    if p.target in based:
                        stored = next((loc for objects, loc, _ in self.held[root].values() if loc is not None and
                                       r in {carried.get(o, o) for o in objects}), s.loc)
                        stmt = _statement(stored, writes_item(kept))
                        slot = ast.unparse(stmt.targets[0]) if isinstance(stmt, ast.Assign) and \
                            isinstance(stmt.targets[0], ast.Subscript) else f"{kept}[i]"
                        raise self.error(stored, f"a loop that changes '{name}' in place while '{kept}' holds "
                                                 f"'{name}' from one iteration to the next (an item of a list or an "
                                                 f"object array is the array stored, not a copy: NumPy's '{kept}' "
                                                 f"shows the later change)",
                                         f"where '{kept}' is meant to keep each value as it was stored, store a copy "
                                         f"({slot} = {name}.copy()), or compute '{name}' as a new value ({name} = "
                                         f"{name} + ... where it says {name} += ...)", name)
                    element = self.may_be_element(back.name, r)
                    if element is not None:  # (`prev = y[t]`: a number, or a row of y)
                        raise self.error(self.made.get(back.name) or s.loc,
                                         f"a loop that changes '{name}' in place while '{kept}' holds an "
                                         f"element from one iteration to the next ({element[0]})", element[1], kept)
                    swapped = next((base_name(q.target) for q in s.phis if q.operands[1] == ir.Var(p.target) and
                                    self.root.get(q.target) == r and self.root.get(back.name) == r), None)
                    if swapped is not None:  # (`a += f(b); a, b = b, a`: the next iteration changes the other one)
                        raise self.error(s.loc, f"a loop that changes '{swapped}' in place, then swaps it with "
                                                f"'{kept}' ({swapped}, {kept} = {kept}, {swapped}: buffers swapped "
                                                f"each step)", f"compute the update as a new value: {swapped} = "
                                                f"{swapped} + ... where it says {swapped} += ... (s2s follows an array "
                                                f"changed in place by its name, which the swap rebinds)", swapped)
                    if self.root.get(back.name) != r and self.read_before_writes(s, p.target, back.name, r):
                        continue  # (prev_h = h[:, t, :], read in the next iteration before h is written)
                    if self.root.get(back.name) == r:
                        raise self.error(s.loc, f"a loop that changes '{name}' in place while '{kept}' is '{name}' "
                                                f"from one iteration to the next (NumPy's '{kept}' then shows the "
                                                f"later change)",
                                         f"keep a copy: {name}.copy() where '{kept}' takes it (hist.append("
                                         f"{name}.copy()), prev = {name}.copy()), or compute '{name}' as a new value "
                                         f"({name} = {name} + ...)", name)
                    taken = _view_taken(self.made.get(back.name), kept, name)
                    raise self.error(s.loc, f"a loop that changes '{name}' in place while '{kept}' holds '{name}' "
                                            f"or a view of it from one iteration to the next (NumPy's '{kept}' shows "
                                            f"a write made after the view where it reaches the view; s2s follows such "
                                            f"a view only where it is made after the iteration's writes and read "
                                            f"before the next one's)",
                                     f"keep a copy where '{kept}' takes it: {taken}, or compute '{name}' as a new "
                                     f"value ({name} = {name} + ...)", name)
        self.rebound_then_changed(s, based, inside)

    def number_carried(self, s: ir.Loop, r: str, kept: str) -> bool:
        """Is `r` a name the loop `s` starts as a Python number and changes by in-place operators only (`run = 0.0;
        for v in x: run += v * v; out.append(run)`), which rebind a number? Then each is checked when run (the first
        iteration's made an array where v * v is one, x a matrix: the next one's writes into the array the loop's
        name `kept` holds, refused then, saying where to take a copy), and `r` is passed over here. Started as a
        value the function made that nothing else reads (`run = np.float64(0.0)`, `x[0] * 0.0`, `np.sum(x[:0])`),
        `r` is that value: a NumPy scalar, which `+=` rebinds as a number's, passes when run, and an array (a 0-d
        one too, which NumPy changes in place, the one object `kept` then holds each time) is refused."""
        phi = next((p for p in s.phis if p.target == r), None)
        started = phi is None  # (r: the value the loop's name enters as)
        if started:  # (`kept` holding it, not bound to it: `prev = run`, a swap `a, b = b, a`, refused as such)
            phi = next((p for p in s.phis if p.operands[0] == ir.Var(r)), None)
            back = next((p.operands[1] for p in s.phis if p.target == kept), None)
            if phi is None or r in self.visible or set(self.objects(ir.Var(r))) - {r} or self.reads_of(r) != 1 or \
                    not isinstance(back, ir.Var) or self.root.get(back.name, back.name) == r or \
                    not may_be_scalar(ir.Var(r), self.definition):  # (`x = x0.copy()`: refused as it is, below)
                return False
        elif not python_number(phi.operands[0], self.number_definition):
            return False
        writes = [(stmt, base) for stmt, base in _writes(s.header + s.body, self.number_definition)
                  if r in self.objects(base)]
        if not writes or not all(stmt.inplace for stmt, _ in writes):  # (an element write of the array made would
            return False  # change what `kept` holds before any check)
        taken = self.stored_copy(s, kept, [base_name(r)])
        held = () if started else (("held", ir.Var(kept)),)  # (an array entering the loop: refused wherever met)
        for stmt, base in writes:  # (refused where `kept` holds the array: not where `run *= 0.9` follows `+=`)
            self.guards.setdefault(id(stmt), (stmt, base, (("before", ir.Const(_spelled(stmt.loc))), (
                "kept", ir.Const(base_name(kept))), ("taken", ir.Const(taken))) + held))
        return True

    def reads_of(self, name: str) -> int:
        """How often the function reads `name` (phi operands included)."""
        if getattr(self, "_reads", None) is None:
            self._reads = {}
            count_uses(self.fn.body, self._reads)
        return self._reads.get(name, 0)

    def rebound_then_changed(self, s: ir.Loop, based: set, inside: set) -> None:
        """An in-place operator on a loop's name that the iteration before rebound to another array changes that
        array (NumPy's `x += k` writes into the `x * 2.0` of the iteration before): one the iteration made, which
        another name carries to this iteration (`traj.append(x)`, `prev = x`, read after the change), or one made
        before the loop (`y += k; ...; y = x`: x changes from the second iteration on) and read again. s2s follows
        the operator as a new value of the name, as Python's numbers have it, so it is checked to find a number when
        run (an array is refused, saying where to take a copy)."""
        phis, versions = {p.target for p in s.phis}, self.in_place_bases(s)
        made = set(defined_names(s.header + s.body)) | phis
        for stmt, base in _writes(s.header + s.body, self.number_definition):
            found = []
            for q in _origins(base.name, versions) if stmt.inplace else ():
                own = self.root.get(q, q)
                for e in self.loop_ends(s, q) if q in phis and q in based else ():
                    # (a name the end is another loop name's value by, which each iteration rebinds to an array it
                    # makes: that name holds a newer array by then)
                    lag = {o for o in _origins(e.name, versions) if o in phis and self.made_anew(s, o, inside)} \
                        if isinstance(e, ir.Var) else set()
                    for b in self.objects(e) if isinstance(e, ir.Var) and e.name != q else ():
                        if b == own or b in self.ints or b in self.ranges:
                            continue
                        kept = self.carried_on(s, q, b, lag) if b in inside else None
                        if kept is not None or b not in inside and (e.name not in made or self.carried_on(
                                s, q, b, lag) is not None or self.read_outside(s, b, made)):
                            found.append((kept is None, b in self.visible, q, e, b, kept))
            if found:
                *_, q, e, b, kept = min(found, key=lambda f: f[:2])
                holder = self.rebound_holder(s, q, e, b, kept)
                held = self.only_holder(s, found, made)
                if held is not None and id(stmt) not in self.guards:
                    # (only `held` may hold the array: refused where it does when run, not in the first iteration)
                    holder += (("held", ir.Var(held)),)
                self.guards[id(stmt)] = (stmt, base, holder)

    def only_holder(self, s: ir.Loop, found: list, made: set) -> str | None:
        """The one loop name that may hold the arrays `found` (of `rebound_then_changed`: (.., q, e, b, kept)) as
        the in-place operator through q runs: each carried to the iteration by that name alone (`traj`, holding the
        `x * 2.0` of the iteration before; `a`, holding the x made before the loop, of `b *= 0.5; b = a; a = x`),
        none the caller's nor read by a name made before the loop; or None. Whether it holds one then, the run
        tells (`rt.require_immutable`'s `held`): not in the first iteration, nor after a 0-d state became a NumPy
        scalar, nor after the name was rebound on (a history two deep)."""
        names = set()
        for _, _, q, _, b, kept in found:
            if kept is None and (b in self.visible or self.read_outside(s, b, made)):
                return None
            names |= set(self.carriers(s, q, b, set()))
        return names.pop() if len(names) == 1 else None

    def made_anew(self, s: ir.Loop, name: str, inside: set) -> bool:
        """Does every iteration of the loop `s` end with its name `name` bound to an array the iteration made (not
        to itself on any path, a view, or another loop name's value)?"""
        versions, phis = self.in_place_bases(s), {p.target for p in s.phis}
        return all(isinstance(e, ir.Var) and e.name != name and set(self.objects(e)) <= inside and
                   not any(o in phis for o in _origins(e.name, versions)) for e in self.loop_ends(s, name))

    def carried_on(self, s: ir.Loop, q: str, b: str, lag: set) -> str | None:
        """A name other than `q` (and the loop's names in `lag`) that carries the array `b` into the next iteration
        or out of the loop (a header phi whose back value, a continue's or a break's, is or holds b), where q changes
        it in place, and reads it after that change; or None."""
        return next(self.carriers(s, q, b, lag), None)

    def carriers(self, s: ir.Loop, q: str, b: str, lag: set):
        """Each name `carried_on` may find."""
        for p in s.phis:
            if p.target == q or p.target in lag:
                continue
            ends = self.loop_ends(s, p.target) + ([j.values[p.target] for j in ir.statements(s.body) if isinstance(
                j, ir.Break) and p.target in j.values])
            held = {o for e in ends if isinstance(e, ir.Var) and e.name != p.target for o in
                    set(self.objects(e)) | set(self.held_objects(self.root.get(e.name, e.name)))}
            if b in held and not self.read_before_change(s, p.target, q):
                yield p.target

    def read_outside(self, s: ir.Loop, b: str, made: set) -> bool:
        """Is the array `b`, made before the loop `s`, read by a name made before it (not one of the loop's `made`)
        in the loop, or after it (in the loops around it, anywhere)?"""
        top = next(i for i, t in enumerate(self.fn.body) if any(u is s for u in ir.statements([t])))
        for u in ir.statements(self.fn.body[top:]):
            atoms = [a for a in (s.iter, s.test) if a is not None] if u is s else ir.operands(u)
            if any(isinstance(a, ir.Var) and a.name not in made and (a.name == b or b in self.objects(a))
                   for a in atoms):
                return True
        return False

    def read_before_change(self, s: ir.Loop, kept: str, q: str) -> bool:
        """Is the loop's name `kept` (and what may share its memory) read in an iteration only before the first
        in-place change through the loop's name `q`, carried to the next by no other name, nothing leaving an
        iteration early after the change (`acc += np.sum(prev); x += k; x = x * 2.0; prev = x`)?"""
        stmts, versions = s.header + s.body, self.in_place_bases(s)
        after = _after(stmts, lambda t: any(q in _origins(base.name, versions) for stmt, base in
                                            _writes([t], self.number_definition) if stmt.inplace))
        shared = self.sharing(stmts, kept)
        if after is None or any(isinstance(p.operands[1], ir.Var) and p.operands[1].name in shared for p in s.phis) \
                or any(isinstance(j, (ir.Break, ir.Continue)) for j in after):
            return False
        return not any(isinstance(a, ir.Var) and a.name in shared for u in after for a in ir.operands(u))

    def rebound_holder(self, s: ir.Loop, q: str, e, b: str, kept: str | None) -> tuple:
        """What `rt.require_immutable` says of an in-place operator that changes the array `b` the loop's name `q`
        was rebound to (by its end value `e`) in the iteration before: `kept`, the name that carries it on."""
        name, made = base_name(q), self.defined_at(s, e.name)
        bound = self.bound_by(s, name)  # (`y = x`, `y = traj[-1]`: no statement of the SSA's own)
        before = _spelled(made, binds(name)) if made is not None and s.loc is not None and \
            made.scope == s.loc.scope else _spelled(bound, binds(name)) if bound is not None else ""
        if kept is None:  # (an array made before the loop, or the caller's)
            other = base_name(b) if not _is_temp(base_name(b)) else ""
            said = f"the caller's '{other}'" if b in self.fn.params else f"'{other}', made before the loop" if other \
                else "an array made before the loop"
            taken = _view_taken(bound, name, name) if bound is not None else f"{name} = {other or '...'}.copy()"
            return (("before", ir.Const(before)), ("other", ir.Const(said)), ("taken", ir.Const(taken)))
        back = next(p.operands[1] for p in s.phis if p.target == kept)
        same = back == e or isinstance(e, ir.Var) and kept in _origins(e.name, self.in_place_bases(s))
        if same and not _is_temp(base_name(kept)):  # (`f_old = f`, `y = x`: the two names are one array)
            return (("before", ir.Const(before)), ("kept", ir.Const(base_name(kept))),
                    ("taken", ir.Const(f"{name} = {base_name(kept)}.copy()")), ("other", ir.Const(name)))
        names = [name] + [base_name(v) for v in (e.name, b) if not _is_temp(base_name(v))]
        taken = self.stored_copy(s, kept, names)
        return (("before", ir.Const(before)), ("kept", ir.Const(base_name(kept))), ("taken", ir.Const(taken)))

    def stored_copy(self, s: ir.Loop, kept: str, names: list) -> str:
        """The user's statement of the loop `s` that stores the first of `names` in the loop's name `kept`, with a
        copy stored: `traj.append(x)` -> `traj.append(x.copy())`, where the store is the back value's own statement,
        or one that names both in the loop (`_push(traj, x)` of a helper, `out.append(x)` in an inner loop or under
        an if, `hold = [x, x * 1.0]`); else where to copy, in words."""
        back = next((p.operands[1] for p in s.phis if p.target == kept), None)
        stored = self.made.get(back.name) if isinstance(back, ir.Var) else None
        own = stored is not None and s.loc is not None and stored.scope == s.loc.scope
        found = _stored_copy(stored, names) if own else None
        for loc in self.body_lines(s) if found is None else ():
            stmt = _statement(loc, reads(base_name(kept)))
            if stmt is not None and base_name(kept) in {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)}:
                found = _stored_copy(loc, names) or found
        return found or f"{names[0]}.copy() where '{base_name(kept)}' takes it"

    def body_lines(self, s: ir.Loop) -> list:
        """The locs of the lines of the loop `s`'s body, nested ones too, as the file has them."""
        filename = (s.loc.file or self.fn.filename) if s.loc is not None else ""
        head = linecache.getline(filename, s.loc.line) if filename else ""
        indent, line, out = len(head) - len(head.lstrip()), s.loc.line + 1 if filename else 0, []
        while filename:
            text = linecache.getline(filename, line)
            if not text or text.strip() and len(text) - len(text.lstrip()) <= indent:
                return out  # (the loop's body ends at a line indented as the loop is, or the file's end)
            out.append(ir.Loc(line, text.strip(), file=s.loc.file, scope=s.loc.scope, calls=s.loc.calls))
            line += 1
        return out

    def bound_by(self, s: ir.Loop, name: str):
        """The loc of the last line of the loop `s` that binds the user's `name` to a value (`y = x`), or None."""
        found = None
        for loc in self.body_lines(s):
            stmt = _statement(loc, binds(name))
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                    and stmt.targets[0].id == name:
                found = loc
        return found

    def defined_at(self, s: ir.Loop, name: str):
        """The loc of the statement of the loop `s` that makes `name`, or None."""
        return next((t.loc for t in _assigns(s.header + s.body) if t.target == name and not t.inplace and not (
            isinstance(t.value, ir.Call) and t.value.op == "setitem")), None)

    def first_iteration_only(self, s: ir.Loop, r: str, inside: set) -> bool:
        """Does the loop change the array `r`, made before it, in its first iteration only: by in-place operators
        alone, each through a name the loop starts with `r` in (a header phi, or its versions) and rebinds, for the
        next iteration, to an array the iteration made (`v += a; hist.append(v); v = v * 0.5`)? Then what holds
        `r` as the first iteration left it sees no later change."""
        phis, versions = {p.target for p in s.phis}, self.in_place_bases(s)
        for stmt, base in _writes(s.header + s.body, self.number_definition):
            if r not in self.objects(base):
                continue
            if not stmt.inplace:
                return False
            for q in _origins(base.name, versions):
                if q not in phis or self.root.get(q) != r or any(
                        isinstance(e, ir.Var) and (e.name == q or any(o not in inside for o in self.objects(e)))
                        for e in self.loop_ends(s, q)):
                    return False
        return True

    def taken_as_left(self, p: ir.Phi, root: str, r: str, carried: dict, based: set) -> bool:
        """Does the loop's name `p` hold the array `r` (through its back value, of `root`) as the iteration's last
        write of `r` left it, itself and not as the array a name the next iteration starts with is (`carried`)?"""
        if p.target in based:
            if any(carried.get(o) == r for o in self.held_objects(root) if o != r):
                return False
            seen = self.held_objects(root).get(r)
        else:
            back = p.operands[1].name
            found = [self.born.get(back, 0)] if root == r else []
            found += [n for objects in (self.refs.get(back, {}), self.held_objects(root)) for o, n in objects.items()
                      if o == r]
            seen = min(found) if found else None
        return seen is not None and seen >= self.state.writes.get(r, 0)

    def loop_ends(self, s: ir.Loop, name: str) -> list:
        """What the loop's name `name` (a header phi) holds as an iteration ends for the next: its back value, or
        a `continue`'s."""
        back = next(p.operands[1] for p in s.phis if p.target == name)
        return [back] + [j.values[name] for j in ir.statements(s.body) if isinstance(j, ir.Continue) and
                         name in j.values]

    def in_place_bases(self, s: ir.Loop) -> dict:
        """The names the loop's in-place operators and inner phis make -> the values they may be (`_origins`
        follows them back to the header phis the loop writes through: `v_3 = v_2 *= c` of `v_2 = v_1 += a`)."""
        out = _inner_phis(s.body + s.header)
        out.update({stmt.target: [base] for stmt, base in _writes(s.header + s.body, self.number_definition) if stmt.inplace})
        return out

    def read_before_writes(self, s: ir.Loop, kept: str, back: str, r: str) -> bool:
        """Does a loop's name `kept` hold a view of the array `r` (`back`, made by the iteration before) only where
        NumPy's view and s2s's value are the same: the view made after the iteration's last write of r, and it
        and what may share its memory (views of it, names bound to it) read only before the next iteration's
        first write of r, nothing leaving an iteration early? (CS231n's `prev_h = h[:, t, :]` at the end of the
        body, read in `h[:, t, :] = np.tanh(... + prev_h @ Wh)`.) Then no write comes between the view's making
        and any read of it; after the loop it holds what the last iteration left, as NumPy's does."""
        stmts = s.header + s.body
        made = next((i for i, t in enumerate(stmts) if isinstance(t, ir.Assign) and t.target == back), None)
        writes = [i for i, t in enumerate(stmts) if self.writes_array([t], s, r)]
        return made is not None and bool(writes) and writes[-1] < made and self.read_first(s, kept, r) and \
            self.one_row_written(s, kept, r)

    def read_first(self, s: ir.Loop, kept: str, r: str) -> bool:
        """Are the loop's name `kept` and what may share its memory read in an iteration only before its first write
        of the array `r`, and carried to the next iteration by no other name? Then a view of r that `kept` starts an
        iteration with is read before any write of that iteration (`prev = R[0]` before the loop writing
        `R[i] = x + prev; prev = R[i]`: the rows as they were, s2s's values)."""
        stmts = s.header + s.body
        if any(isinstance(j, (ir.Break, ir.Continue)) for j in ir.statements(stmts)):
            return False  # (an iteration left early may carry the view on)
        writes = [i for i, t in enumerate(stmts) if self.writes_array([t], s, r)]
        if not writes:
            return False
        shared = self.sharing(stmts, kept)
        if any(isinstance(q.operands[1], ir.Var) and q.operands[1].name in shared for q in s.phis):
            return False  # (`old = prev_h` carried on: it would hold the view over the next iteration's writes)
        return not any(isinstance(a, ir.Var) and a.name in shared for t in stmts[writes[0]:] for u in
                       ir.statements([t]) for a in ir.operands(u))

    def one_row_written(self, s: ir.Loop, kept: str, r: str) -> bool:
        """Is the loop's name `kept` carried over as a view of the row the loop's one write of `r` writes (`R[i] =
        ...; prev = R[i]`, `h[0] = ...; prev = h[0]`)? Then no other write of the iteration, after the view's read,
        changes the row it views (`R[i - 1] *= 2.0` would: the gradient saves the view itself)."""
        stmts = s.header + s.body
        writes = [t for t in stmts if self.writes_array([t], s, r)]
        return len(writes) == 1 and self.takes_the_row_written(s, writes[0], kept)

    def takes_the_row_written(self, s: ir.Loop, write, kept: str) -> bool:
        """Does the loop's name `kept` come back as a view of the row `write` writes, at the same index?"""
        back = next((q.operands[1] for q in s.phis if q.target == kept), None)
        made = next((t.value for t in _assigns(s.header + s.body) if isinstance(back, ir.Var) and t.target == back.name),
                    None)
        if not (isinstance(write, ir.Assign) and isinstance(write.value, ir.Call) and write.value.op == "setitem" and
                isinstance(made, ir.Call) and made.op == "getitem"):
            return False
        wrote, took = write.value.args[1:-1], made.args[1:]  # (`t + 1` computed for each: `same_index`)
        return len(wrote) == len(took) and all(self.same_index(a, b, s) for a, b in zip(wrote, took))

    def writes_array(self, stmts: list, s: ir.Loop, r: str) -> bool:
        """Does one of `stmts` (in the loop `s`) write the array `r` (an element write, an in-place operator), as
        `written_in` finds?"""
        phis = {p.target: p for p in s.phis}
        inner = _inner_phis(s.body + s.header)
        for stmt in _assigns(stmts):
            v = stmt.value
            if stmt.inplace and python_number(v.args[0], self.number_definition):
                continue
            if isinstance(v, ir.Call) and (v.op == "setitem" or stmt.inplace) and v.args and \
                    isinstance(v.args[0], ir.Var):
                for base in _origins(v.args[0].name, inner):
                    init = phis[base].operands[0] if base in phis else None
                    base = init.name if isinstance(init, ir.Var) else base
                    if self.root.get(base, base) == r:
                        return True
        return False

    def sharing(self, stmts: list, name: str) -> set:
        """`name` and the names `stmts` bind to what may share its memory: itself, a view of it or of one of those
        (prims.MAY_SHARE_MEMORY, a call s2s does not follow), a container holding it, a phi joining one, the version
        an in-place operator makes of one (`y_2 = y_1 += c`: the same array)."""
        out, grown = {name}, True
        while grown:
            grown = False
            for t in ir.statements(stmts):
                if isinstance(t, ir.Assign):
                    targets, v = [t.target], t.value
                    operands = [v] if isinstance(v, ir.Var) else v.args[:1] if t.inplace and isinstance(v, ir.Call) \
                        else list(ir.operands(t)) if isinstance(v, ir.Call) and (v.op in VIEWS or v.op in
                                                                                 MAY_RETURN_OPERAND) else []
                elif isinstance(t, (ir.If, ir.Loop)):
                    for p in t.phis:
                        if p.target not in out and any(isinstance(o, ir.Var) and o.name in out for o in p.operands):
                            out.add(p.target)
                            grown = True
                    continue
                else:
                    continue
                if targets[0] not in out and any(isinstance(o, ir.Var) and o.name in out for o in operands):
                    out.add(targets[0])
                    grown = True
        return out


def _statement(loc, wanted=None):
    """The one statement on the line `loc`, or where it holds more the one `wanted` accepts, or None."""
    return statement(loc.text if loc is not None else "", wanted)


def _spelled(loc, wanted=None) -> str:
    """The statement at `loc` (the one `wanted` accepts, on a line of more) as Python spells it, or the line."""
    return spelled(loc.text if loc is not None else "", wanted)


def _is_temp(name: str) -> bool:
    return re.fullmatch(r"t\d+", name) is not None


def _view_taken(loc, kept: str, name: str) -> str:
    """How to copy what `kept` takes on the line `loc` (`prev_h = h[:, t, :]` -> `prev_h = h[:, t, :].copy()`)."""
    stmt = _statement(loc, binds(kept))
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) and \
            stmt.targets[0].id == kept:
        value = ast.unparse(stmt.value)
        plain = isinstance(stmt.value, (ast.Name, ast.Subscript, ast.Attribute, ast.Call))
        return f"{kept} = {value if plain else f'({value})'}.copy()"
    return _stored_copy(loc, [name]) or f"{kept} = ....copy() (hist.append({name}.copy()), prev = {name}.copy())"


def _stored_copy(loc, names: list) -> str | None:
    """The statement at `loc` with what it reads of the first of `names` it reads (the name, or an index or
    attribute of it) copied: `traj.append(x[:, 0])` -> `traj.append(x[:, 0].copy())`; None if it reads none."""
    stmt = _statement(loc, reads(*names))
    for name in names if stmt is not None else ():
        class Copy(ast.NodeTransformer):
            found = False

            def visit_Name(self, node):
                return self.copied(node) if node.id == name and isinstance(node.ctx, ast.Load) else node

            def visit_Subscript(self, node):
                inner = node.value
                while isinstance(inner, (ast.Subscript, ast.Attribute)):
                    inner = inner.value
                if isinstance(inner, ast.Name) and inner.id == name and isinstance(node.ctx, ast.Load):
                    return self.copied(node)
                return self.generic_visit(node)

            def visit_BinOp(self, node):  # (`x * 1.0` is a new array: nothing to copy; `traj + [x]` holds x)
                for side in ("left", "right"):
                    if isinstance(getattr(node, side), (ast.List, ast.Tuple)):
                        setattr(node, side, self.visit(getattr(node, side)))
                return node

            def visit_UnaryOp(self, node):
                return node

            def copied(self, node):
                self.found = True
                return ast.Call(ast.Attribute(node, "copy", ast.Load()), [], [])
        copier = Copy()
        out = copier.visit(ast.parse(ast.unparse(stmt)))
        if copier.found:
            return ast.unparse(out)
    return None


def _inner_phis(stmts: list) -> dict:
    """The phis of the loops and ifs in `stmts` (nested ones too): target -> the values it may be (a loop's
    header phi: the value entering the loop; an if's join: each branch's)."""
    out = {}
    for s in stmts:
        if isinstance(s, ir.Loop):
            out.update({p.target: [p.operands[0]] for p in s.phis})
            out.update(_inner_phis(s.header + s.body))
        elif isinstance(s, ir.If):
            out.update({p.target: list(p.operands) for p in s.phis})
            out.update(_inner_phis(s.body + s.orelse))
    return out


def _origins(name: str, inner: dict) -> list:
    """The names `name` may be once the phis in `inner` are followed back (itself if none)."""
    out, todo, seen = [], [name], set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        if n in inner and any(isinstance(a, ir.Var) for a in inner[n]):
            todo += [a.name for a in inner[n] if isinstance(a, ir.Var)]
        else:
            out.append(n)
    return out


def _after(stmts: list, first) -> list | None:
    """The statements of `stmts` (nested ones too) that may run after the first one `first` holds for, in an
    iteration of the loop whose body `stmts` is: those after it, and those of the loops around it there. None if
    `first` holds for none."""
    order = list(ir.statements(stmts))
    at = next((i for i, t in enumerate(order) if type(t) is ir.Assign and first(t)), None)
    if at is None:
        return None
    around = [u for t in order[:at] if isinstance(t, ir.Loop) and any(u is order[at] for u in ir.statements([t]))
              for u in ir.statements([t])]
    return around + order[at:]


def _writes(stmts: list, definition):
    """(Assign, base) of the element writes and in-place operators (not of Python numbers) in `stmts`."""
    for stmt in _assigns(stmts):
        v = stmt.value
        if isinstance(v, ir.Call) and (v.op == "setitem" or stmt.inplace) and v.args and \
                isinstance(v.args[0], ir.Var) and not (stmt.inplace and python_number(v.args[0], definition)):
            yield stmt, v.args[0]


def _assigns(stmts: list):
    return (s for s in ir.statements(stmts) if isinstance(s, ir.Assign))


# what makes a Python number of Python numbers (of anything: len(), int(), float(), the math module's functions)
NUMBER_OPERATORS = frozenset({"add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "neg", "pos"})
NUMBER_CALLS = frozenset({"builtins.len", "builtins.int", "builtins.float", NDIM, SIZE})


def python_number(atom, definition, seen=None) -> bool:
    """Is `atom` a Python number on every path: an int or float constant, len(), int(), float(), x.ndim, x.size,
    x.shape[0] or a math function (math.prod aside, which multiplies arrays too) of anything, arithmetic of Python
    numbers, or a phi of such (`tries = 0` then `tries += 1` in a loop)? Then `atom += v` rebinds a name, never
    changes an array in place.
    `definition(name)`: the Call, Var or Const defining it, the list of a phi's operands, or None (a parameter)."""
    if isinstance(atom, ir.Const):
        return type(atom.value) in (int, float, bool)
    if not isinstance(atom, ir.Var):
        return False
    seen = set() if seen is None else seen
    if atom.name in seen:  # (a loop's phi met again: its other operands decide)
        return True
    seen.add(atom.name)
    value = definition(atom.name)
    if isinstance(value, list):
        return all(python_number(v, definition, seen) for v in value if v != atom)
    if isinstance(value, (ir.Var, ir.Const)):
        return python_number(value, definition, seen)
    if not isinstance(value, ir.Call):
        return False
    if value.op == "s2s.runtime.augmented":  # (NumPy's casting check of `i += 1` passes its value on, or raises)
        return python_number(value.args[1], definition, seen)
    if value.op in NUMBER_CALLS or value.op.startswith("math.") and value.op != "math.prod":
        return True
    if value.op == "getitem" and len(value.args) == 2 and type(getattr(value.args[1], "value", None)) is int:
        shape = definition(value.args[0].name) if isinstance(value.args[0], ir.Var) else None  # (x.shape[0])
        return isinstance(shape, ir.Call) and shape.op == SHAPE
    return value.op in NUMBER_OPERATORS and all(python_number(a, definition, seen) for a in value.args)
