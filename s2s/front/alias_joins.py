"""Branches in the alias stage (alias.py): an if's two paths joined, each array's newest version merged (a phi of
the two where they differ) and each join of the user's (a name the branches bind differently) taken as the values it
may be, each as its own path leaves it. `JoinAliases` holds these methods of alias.py's `_Aliases`.
"""
from __future__ import annotations

from s2s import ir, prims
from s2s.front.alias_elements import written_name
from s2s.front.alias_loops import LOOP_WRITTEN, SHARED
from s2s.ir.names import base_name
from s2s.ir.walk import defined_names, ends_with_exit

_LISTS = frozenset({"list", "builtins.list", prims.APPENDED})  # (what makes a list: a display, a copy, an append)


class JoinAliases:
    """(mixed into alias.py's `_Aliases`; reads its state through `self`)"""

    def list_join(self, phi: str) -> bool:
        """Is `phi` a join of lists the function made only (a comprehension's list after its loop, a list grown in a
        loop or a branch)? ssa.py writes its item (`ys[k] = v`, `list_object`) only where no other name or container
        holds any of them: the write rebinds a slot of the one list the join is, and changes no other object."""
        todo, seen, lists = [phi], set(), 0
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            if n in self.joins:
                todo += [a.name for a in self.joins[n] if isinstance(a, ir.Var)]
            elif getattr(self.made_by.get(n), "op", None) not in _LISTS:
                return False
            else:
                lists += 1
        return lists > 0  # (not a join whose values are not known here: `w = None` before a loop that breaks with
        # `w = item`, next(iter([y])), whose item is y itself)

    def if_(self, s: ir.If) -> None:
        s.test = self.read(s.test, s.loc)
        self.joins.update({p.target: list(p.operands) for p in s.phis})
        before = self.state
        ends = []
        for branch in (s.body, s.orelse):
            self.state = before.copy()
            self.nested += 1
            self.block(branch)
            self.nested -= 1
            ends.append(None if ends_with_exit(branch) else self.state)
        live = [e for e in ends if e is not None]
        if not live:
            self.state = before
            return
        if len(live) == 1:
            self.state = live[0]
        else:
            self.state = self.join(s, live[0], live[1])
        for p in s.phis:
            operands = [o for o in p.operands if isinstance(o, ir.Var)]
            roots = {self.root.get(o.name) for o in operands}
            if len(roots) == 1 and None not in roots and len(operands) == 2:
                self.root[p.target] = roots.pop()
            else:
                # (each operand as its branch leaves it, its writes seen on that path counted as the join counts
                # them: `h[0] = v` on one path, `h = h * 2.0` on the other joins the newest version of h with a new
                # array, neither of them stale; a branch that leaves, or an operand not a name: as before the if)
                saved = self.state
                # (where a path wrote through a name that may be another one, SHARED, which versions its writes
                # reached is not known: the operands as before the if, whose later writes make them stale)
                paths = ends if len(p.operands) == 2 and len(operands) == 2 and None not in ends and \
                    not any(SHARED in e.current.values() for e in ends) and not self._writes_a_join(s) \
                    else [before] * 2
                refs: dict = {}
                for o, self.state in zip(operands, paths):
                    self.view_of(p.target, [o], s.loc)
                    for r, n in self.refs.pop(p.target, {}).items():
                        if self.root.get(o.name) == r and self.state.current.get(r, r) != o.name:
                            n = self.born.get(o.name, 0)  # (an older version of the array: `z = y; z[0] = v`)
                        # (not an array a path wrote through a join that may be it: later writes through that join
                        # are counted on the join alone, `write_joined`)
                        fresh = self.state is not before and saved.current.get(r) != SHARED
                        n += saved.writes.get(r, 0) - self.state.writes.get(r, 0) if fresh else 0
                        refs[r] = min(n, refs.get(r, n))
                self.state = saved
                if refs:
                    self.refs[p.target] = refs
                    self.made[p.target] = s.loc

    def _writes_a_join(self, s: ir.If) -> bool:
        """Does a path of `s` write (an element, an in-place operator) into a name an earlier join binds to arrays
        of more than one root (`w = x * 1.0; prev = w; if c: w = np.tanh(x)`, then `w *= 2.0` or `w[0] = 0.0`)? Which
        of them it changed, and so which names see it, only the run knows: such a join's operands are counted as
        before the if."""
        for d in ir.statements(s.body + s.orelse):
            if isinstance(d, ir.Assign) and isinstance(d.value, ir.Call) and d.value.args and \
                    (d.inplace or d.value.op == "setitem") and isinstance(d.value.args[0], ir.Var):
                name = d.value.args[0].name
                if name in self.joins and self.root.get(name) is None:
                    return True
        return False

    def phi_sources(self, name: str) -> list:
        """The names of the user's own (of `name`'s base name) that the phis `name` is, of a loop or a join, lead
        back to: `prev` for `prev = R[0]` before the loop and `prev = R[i]` in it; [] where `name` is no phi."""
        operands = self.definition(name)
        if not isinstance(operands, list):
            return []
        found, todo, seen = [], list(operands), {name}
        while todo:
            o = todo.pop()
            if not isinstance(o, ir.Var) or o.name in seen or base_name(o.name) != base_name(name):
                continue
            seen.add(o.name)
            more = self.definition(o.name)
            if isinstance(more, list):
                todo += more
            else:
                found.append(o.name)
        return found

    def join(self, s: ir.If, a, b):
        out = a.copy()
        inside = set(defined_names(s.body)) | set(defined_names(s.orelse))
        for r in sorted(set(a.current) | set(b.current)):  # (sorted: the same names in every process)
            if r in inside:  # made on one path only: its names merge as values, by the if's own phis
                out.current.pop(r, None)
                continue
            va, vb = a.current.get(r, r), b.current.get(r, r)
            out.writes[r] = max(a.writes.get(r, 0), b.writes.get(r, 0))
            out.last_write[r] = a.last_write.get(r) or b.last_write.get(r)
            if va == vb:
                continue
            if SHARED in (va, vb):  # (written on one path through a name that may be it: no version to join)
                out.current[r] = SHARED
                continue
            stale = next((o for side, v in ((a, va), (b, vb)) if v == r for o, n in self.refs.get(r, {}).items()
                          if o != r and side.writes.get(o, 0) > n), None)
            if stale is not None:  # (a join that may be another array, written on the path that left it as it was:
                out.current[r] = SHARED  # `z = y` before a loop rebinding y, then `z += a` on that path)
                wrote = b.last_write.get(stale) if vb == r else a.last_write.get(stale)
                self.through[r] = (written_name(wrote.text if wrote else "") or stale, wrote)
                continue
            if LOOP_WRITTEN in (va, vb) and not all(w is not None for w in self.kinds.get(r, {}).values()):
                out.current[r] = LOOP_WRITTEN  # (changed through a view on one path, written on the other: no
                continue                       # version holds it, a read is refused)
            phi = next((p for p in s.phis if p.operands == [ir.Var(va), ir.Var(vb)]), None)
            if all(w is not None for w in self.kinds.get(r, {}).values()):
                # in-place operators alone: names keep their values if they are numbers, see `read`; the
                # if's own phi of the two versions (the name the operators rebind) is the newest version
                if phi is None or va == LOOP_WRITTEN or vb == LOOP_WRITTEN:
                    out.current[r] = LOOP_WRITTEN
                    continue
                self.root[phi.target] = r
                self.born[phi.target] = out.writes[r]
                out.current[r] = phi.target
                continue
            if phi is None:  # written through a name that does not outlive the branch: merge it here
                phi = ir.Phi(self.namer.fresh(base_name(r)), [ir.Var(va), ir.Var(vb)])
                s.phis.append(phi)
                if r in self.arrays.values() or va in self.arrays or vb in self.arrays:
                    phi.array = self.arrays[phi.target] = self.arrays.get(va, self.arrays.get(vb, r))
            self.root[phi.target] = r
            out.current[r] = phi.target
        return out
