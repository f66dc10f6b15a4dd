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
import re

from s2s import ir
from s2s.prims import MAY_RETURN_OPERAND, MAY_SHARE_MEMORY as VIEWS
from s2s.ir.names import base_name


class IterationAliases:
    """(mixed into alias.py's `_Aliases` through `LoopAliases`; reads its state through `self`)"""

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
                    name, kept = base_name(r), base_name(p.target)
                    if p.target in based:
                        stored = next((loc for objects, loc, _ in self.held[root].values() if loc is not None and
                                       r in {carried.get(o, o) for o in objects}), s.loc)
                        stmt = _statement(stored)
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
        return tuple(write.value.args[1:-1]) == tuple(made.args[1:])

    def writes_array(self, stmts: list, s: ir.Loop, r: str) -> bool:
        """Does one of `stmts` (in the loop `s`) write the array `r` (an element write, an in-place operator), as
        `written_in` finds?"""
        phis = {p.target: p for p in s.phis}
        inner = _inner_phis(s.body + s.header)
        for stmt in _assigns(stmts):
            v = stmt.value
            if stmt.inplace and python_number(v.args[0], self.definition):
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
        (prims.MAY_SHARE_MEMORY, a call s2s does not follow), a container holding it, a phi joining one."""
        out, grown = {name}, True
        while grown:
            grown = False
            for t in ir.statements(stmts):
                if isinstance(t, ir.Assign):
                    targets, v = [t.target], t.value
                    operands = [v] if isinstance(v, ir.Var) else list(ir.operands(t)) \
                        if isinstance(v, ir.Call) and (v.op in VIEWS or v.op in MAY_RETURN_OPERAND) else []
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


def _statement(loc):
    """The one statement on the line `loc` (its text parsed), or None."""
    try:
        tree = ast.parse((loc.text if loc is not None else "").strip())
    except SyntaxError:
        return None
    return tree.body[0] if len(tree.body) == 1 else None


def _spelled(loc) -> str:
    """The statement at `loc` as Python spells it (without its comment)."""
    stmt = _statement(loc)
    return ast.unparse(stmt) if stmt is not None else (loc.text.strip() if loc is not None else "")


def _is_temp(name: str) -> bool:
    return re.fullmatch(r"t\d+", name) is not None


def _view_taken(loc, kept: str, name: str) -> str:
    """How to copy what `kept` takes on the line `loc` (`prev_h = h[:, t, :]` -> `prev_h = h[:, t, :].copy()`)."""
    try:
        tree = ast.parse((loc.text if loc is not None else "").strip())
    except SyntaxError:
        tree = None
    stmt = tree.body[0] if tree is not None and len(tree.body) == 1 else None
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) and \
            stmt.targets[0].id == kept:
        value = ast.unparse(stmt.value)
        plain = isinstance(stmt.value, (ast.Name, ast.Subscript, ast.Attribute, ast.Call))
        return f"{kept} = {value if plain else f'({value})'}.copy()"
    return f"{kept} = ....copy() (hist.append({name}.copy()), prev = {name}.copy())"


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


def _assigns(stmts: list):
    return (s for s in ir.statements(stmts) if isinstance(s, ir.Assign))


# what makes a Python number of Python numbers (of anything: len(), int(), float(), the math module's functions)
NUMBER_OPERATORS = frozenset({"add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "neg", "pos"})
NUMBER_CALLS = frozenset({"builtins.len", "builtins.int", "builtins.float"})


def python_number(atom, definition, seen=None) -> bool:
    """Is `atom` a Python number on every path: an int or float constant, len(), int(), float() or a math function
    (math.prod aside, which multiplies arrays too) of anything, arithmetic of Python numbers, or a phi of such
    (`tries = 0` then `tries += 1` in a loop)? Then `atom += v` rebinds a name, never changes an array in place.
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
    if value.op in NUMBER_CALLS or value.op.startswith("math.") and value.op != "math.prod":
        return True
    return value.op in NUMBER_OPERATORS and all(python_number(a, definition, seen) for a in value.args)
