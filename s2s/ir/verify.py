"""IR invariants, checked after every stage in the tests.

- every name is assigned once (a loop's header phis are the one exception the
  IR allows: codegen lowers them to reassignments);
- every name is defined before it is read, on every path (values defined in a
  branch are visible after the `if` only through a phi, unless the other
  branch leaves the block; a later `if` on the same condition value sees in
  each branch what the first one defined in that branch: the reverse sweep's
  mirrored branches run on the same path as the forward ones);
- an If phi has two operands, a Loop phi two (init, back edge);
- only a stack pop (an `Assign` of `pop`) and a loop's own targets restore a
  forward name (`restores`: a naming hint for codegen, which optimisation may
  have left without a definition, as it may copy-propagate the forward name);
- a definition marked a compiler temporary (`temp`) has a name the name
  generator gives temporaries (`t3`), one marked an adjoint (`adjoint`) an
  adjoint's (`bx`), and none is both;
- a version of an array written in place (`array`) names the array's first
  name, which is a version of itself where the function defines it.
"""
from __future__ import annotations

import re

from s2s import ir
from s2s.ir.walk import always_leaves, definitions, ends_with_exit, vars_of


class VerificationError(AssertionError):
    pass


def verify(fn: ir.Function) -> None:
    seen: set[str] = set()
    scope = set(fn.params) | set(fn.free)
    for p in fn.params:
        seen.add(p)
    _block(fn.body, scope, seen)
    for s in ir.statements(fn.body):
        if isinstance(s, ir.Assign) and not isinstance(s.value, (ir.Var, ir.Const, ir.Call)):
            raise VerificationError(f"{s.target} is given {s.value!r}, which is no atom or call")
        if isinstance(s, ir.Assign) and s.restores is not None and not (
                isinstance(s.value, ir.Call) and s.value.op == "pop"):
            raise VerificationError(f"{s.target} restores {s.restores} but is not a stack pop")
        if isinstance(s, ir.Loop) and not set(s.restores) <= set((s.target,) if isinstance(s.target, str) else
                                                                  s.target or ()):
            raise VerificationError(f"a loop restores {', '.join(s.restores)}, which are not all its targets")
    for d in definitions(fn.body):
        if d.temp and (d.adjoint or not re.fullmatch(r"t\d+", d.target)):
            raise VerificationError(f"{d.target} is marked a compiler temporary")
        if d.adjoint and not d.target.startswith("b"):
            raise VerificationError(f"{d.target} is marked an adjoint")
    arrays = {d.target: d.array for d in definitions(fn.body)}
    for name, root in arrays.items():
        if root is not None and arrays.get(root, root) != root:
            raise VerificationError(f"{name} is a version of the array {root}, which is not marked its own version")


def _define(name: str, scope: set, seen: set) -> None:
    if name in seen:
        raise VerificationError(f"{name} is assigned more than once")
    seen.add(name)
    scope.add(name)


def _use(atom, scope: set, where: str) -> None:
    if isinstance(atom, ir.Var) and atom.name not in scope:
        raise VerificationError(f"{atom.name} is read before it is defined ({where})")


def _block(stmts: list, scope: set, seen: set, mirrors: dict | None = None) -> set:
    mirrors = {} if mirrors is None else mirrors  # if-test atom -> (then, else) scopes of the first if on it
    for s in stmts:
        if isinstance(s, (ir.Assign, ir.Effect)):
            for n in vars_of(s.value):
                _use(ir.Var(n), scope, f"in {getattr(s, 'target', 'an effect')}")
            if isinstance(s, ir.Assign):
                _define(s.target, scope, seen)
        elif isinstance(s, ir.Return):
            _use(s.value, scope, "return")
        elif isinstance(s, (ir.Break, ir.Continue)):
            for v in s.values.values():
                _use(v, scope, "jump")
        elif isinstance(s, ir.If):
            _use(s.test, scope, "if test")
            before = mirrors.get(s.test, (set(), set()))
            then_scope = _block(s.body, set(scope) | before[0], seen, mirrors)
            else_scope = _block(s.orelse, set(scope) | before[1], seen, mirrors)
            mirrors[s.test] = (then_scope, else_scope)  # every earlier if on it took the same side
            for p in s.phis:
                if len(p.operands) != 2:
                    raise VerificationError(f"phi {p.target} has {len(p.operands)} operands")
                _use(p.operands[0], then_scope, f"phi {p.target}")
                _use(p.operands[1], else_scope, f"phi {p.target}")
            if ends_with_exit(s.body) or always_leaves(s.body):
                scope |= else_scope
            elif ends_with_exit(s.orelse) or always_leaves(s.orelse):
                scope |= then_scope
            for p in s.phis:
                _define(p.target, scope, seen)
        elif isinstance(s, ir.Loop):
            if s.iter is not None:
                _use(s.iter, scope, "loop iterable")
            inner = set(scope)
            for p in s.phis:
                if len(p.operands) != 2:
                    raise VerificationError(f"loop phi {p.target} has {len(p.operands)} operands")
                _use(p.operands[0], scope, f"loop phi {p.target}")
                _define(p.target, inner, seen)
            for t in ((s.target,) if isinstance(s.target, str) else s.target or ()):
                if t != "_":
                    _define(t, inner, seen)
                else:  # the conventional unused loop variable may be reused, and read (a nested loop's phi of it)
                    inner.add(t)
            inner = _block(s.header, inner, seen, mirrors)
            if s.test is not None:
                _use(s.test, inner, "loop test")
            end = _block(s.body, inner, seen, mirrors)
            for p in s.phis:
                if not always_leaves(s.body):
                    _use(p.operands[1], end, f"loop phi {p.target} back edge")
            for p in s.phis:
                scope.add(p.target)
    return scope
