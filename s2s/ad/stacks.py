"""Reverse mode over generated code: the stacks of saved values.

A gradient's forward sweep pushes values onto lists (stacks) that its reversed
loops pop. Differentiating such code again in reverse mode (reverse over reverse)
follows each stack that carries derivatives: `bS = rt.accumulator(S)` starts its
adjoint, a push reversed is a pop of the adjoint, a pop reversed a push, and a read
of an element adds into the adjoint's element. Other uses of a stack are refused.

`StackAdjoints` holds these methods of `_Reverse` (reverse.py); it reads the rest
of `_Reverse`'s state through `self`.
"""
from __future__ import annotations

import linecache
import os

from s2s import ir, prims
from s2s.ad.blocks import ZERO
from s2s.ir.names import base_name
from s2s.errors import UnsupportedSyntaxError
from s2s.ir.walk import outside_loops as walk_outside_loops, vars_of as walk_vars
from s2s.linemaps import user_line


class ReverseOverStacksError(UnsupportedSyntaxError):
    """Reverse mode over the stacks of saved values a gradient's loops keep (a function calling `s2s.grad` of a
    function with a loop, inside a loop of its own), which s2s does not follow. Forward mode works there:
    `s2s.jacobian` and `s2s.grad` fall back to it; `s2s.vjp` refuses with this error, which says what to write.
    (An UnsupportedSyntaxError to the user; the class only tells s2s.jacobian and s2s.grad to fall back.)"""


def _saver(loc) -> str:
    """The user's loop whose values the gradient's stack made at `loc` saves, as the refusal names it: `the loop
    'for i in range(n):' of loss (file.py:4)`, read off the generated code's line map (else `its loop`)."""
    found = user_line(loc.file, loc.line) if loc is not None and loc.file else None
    if found is None:
        return "its loop"
    file, line, name = found
    text = linecache.getline(file, line).strip()
    return f"the loop '{text}' of {name} ({os.path.basename(file)}:{line})" if text else \
        f"the loop of {name} at {os.path.basename(file)}:{line}"


class StackAdjoints:
    """The adjoints of stacks of generated code (mixed into reverse._Reverse)."""

    def _active_stacks(self) -> dict:
        """The stacks S of generated code that carry derivatives, each name -> the stack's first name (an
        if's phi may join a stack with None, the path that made none). Where the block holding the first
        name of S is reversed, `bS = rt.accumulator(S)` starts its adjoint: a list of zeros as long as S is
        when that block ends. The sweep then mirrors every change to S: `S.append(v)` reversed is
        `bv = bS.pop()`, `y = S.pop()` is `bS.append(by)`, and `y = S[k]` adds `by` into `bS[k]`."""
        pushed = {t.value.args[0].name for t in ir.statements(self.fn.body) if isinstance(t, ir.Effect)
                  and t.value.op == "push" and isinstance(t.value.args[0], ir.Var)}
        members = {n: n for n in pushed}
        phis = [p for t in ir.statements(self.fn.body) if isinstance(t, ir.If) for p in t.phis]
        changed = True
        while changed:
            changed = False
            for p in phis:
                stacks = {members[o.name] for o in p.operands if isinstance(o, ir.Var) and o.name in members}
                if p.target not in members and stacks and all(
                        isinstance(o, ir.Var) and o.name in members or o == ir.Const(None) for o in p.operands):
                    members[p.target] = stacks.pop() if len(stacks) == 1 else p.target
                    changed = True
        for p in phis:  # (a phi joining two stacks is one class with both)
            for o in p.operands:
                if isinstance(o, ir.Var) and o.name in members and members[o.name] != members[p.target]:
                    old = members[o.name]
                    members.update({n: members[p.target] for n, r in members.items() if r == old})
        active = {r for n, r in members.items() if n in self.active}
        members = {n: r for n, r in members.items() if r in active}
        written = set(self.arrays) | set(self.arrays.values())
        for t in ir.statements(self.fn.body):
            if not (isinstance(t, ir.Effect) and t.value.op == "push" and isinstance(t.value.args[0], ir.Var) and
                    t.value.args[0].name in members and isinstance(t.value.args[1], ir.Var)):
                continue
            made = self.made.get(t.value.args[1].name)
            if made is not None and made.op in prims.MAY_SHARE_MEMORY and made.args and \
                    any(n in written for n in walk_vars(made)) and \
                    not (made.op == "getitem" and self._element_of(made.args[0], made.args[1:], numeric=True)):
                # the gradient reads it when its write-backs have made it right again: this sweep would not
                raise ReverseOverStacksError(
                    f"reverse mode over a gradient that saved '{base_name(t.value.args[1].name)}', which may be "
                    f"a view of an array it writes", self.fn.filename, t.loc.line if t.loc else 0, 0,
                    t.loc.text if t.loc else "", "differentiate this gradient in forward mode: s2s.hessian(f), "
                    "or s2s.jacobian(s2s.grad(f), mode=\"forward\")")
        outside_loops = {s.target for s in walk_outside_loops(self.fn.body) if isinstance(s, ir.Assign)}
        for n in sorted(members, key=self._order):
            use = next((t for t in ir.statements(self.fn.body) if n in [a.name for a in ir.operands(t)
                        if isinstance(a, ir.Var)] and not _stack_use(t, n, members)), None)
            made = self.made.get(n)
            if n not in outside_loops and made is not None or use is not None or \
                    made not in (None, ir.Call("list", ())):  # (never made so by s2s: refused, not guessed)
                raise self._stack_refusal(n, getattr(use, "loc", None))
        return members

    def _stack_refusal(self, stack: str, loc) -> ReverseOverStacksError:
        """The refusal of reverse mode over the stack `stack` of generated code: at the user's line that calls
        the gradient which keeps it (the first line of the user's after where the stack is made), or, in a
        gradient being differentiated again, at its line (`loc`, else where the stack is made)."""
        statements = list(ir.statements(self.fn.body))
        made = next((i for i, t in enumerate(statements) if isinstance(t, ir.Assign) and t.target == stack), 0)
        user = next((t.loc for t in statements[made:] if t.loc is not None and t.loc.file and
                     not t.loc.file.startswith("<s2s")), None)
        if user is not None:
            return ReverseOverStacksError(
                f"reverse mode (s2s.vjp) of a function that calls the gradient of a function with a "
                f"loop here (the values {_saver(statements[made].loc)} saves, which reverse mode does not follow there)",
                user.file, user.line, 0, user.text,
                "differentiate it in forward mode: s2s.jvp(f), or s2s.jacobian(f, mode=\"forward\"), which "
                "s2s.jacobian(f) falls back to; s2s.grad(f) of a function whose value is a number")
        loc = loc if loc is not None else statements[made].loc if statements else None
        return ReverseOverStacksError(
            f"reverse mode over the stack of saved values '{stack}'", self.fn.filename,
            loc.line if loc else 0, 0, loc.text if loc else "",
            "differentiate this gradient in forward mode: s2s.hessian(f), or "
            "s2s.jacobian(s2s.grad(f), mode=\"forward\")")

    def _start_stack_adjoints(self, stmts: list, out: list) -> None:
        """`bS = rt.accumulator(S)` for each stack carrying derivatives whose first name `stmts` define."""
        for t in stmts:
            names = [t.target] if isinstance(t, ir.Assign) else [p.target for p in getattr(t, "phis", ())] \
                if isinstance(t, ir.If) else []
            for n in names:
                if n in self.stacks and self.stacks[n] not in self.stack_adjoints:
                    self.stack_adjoints[self.stacks[n]] = self.adjoint_name(n)
                    out.append(ir.Assign(self.stack_adjoints[self.stacks[n]],
                                         ir.Call("s2s.runtime.accumulator", (ir.Var(n),)), t.loc))

    def _reverse_stack(self, s, pending: dict, out: list) -> None:
        """The adjoint of a push onto, a pop from, or a read of an element of a stack (see _active_stacks)."""
        self.at(s.loc)
        stack = ir.Var(self.stack_adjoints[self.stacks[s.value.args[0].name]])
        if isinstance(s, ir.Effect):  # push(S, v)
            value = s.value.args[1]
            if isinstance(value, ir.Var) and value.name in self.active:
                part = self.fresh()
                out.append(ir.Assign(part, ir.Call("pop", (stack,)), self.loc))
                self.maybe_short.add(part)  # (0.0 where nothing read what was pushed)
                self.add_pending(pending, value.name, ir.Var(part))
            else:
                out.append(ir.Effect(ir.Call("pop", (stack,)), self.loc))
            return
        g = self.collect(s.target, pending, out) if s.target in self.active else None
        pending.pop(s.target, None)
        if s.value.op == "pop":
            out.append(ir.Effect(ir.Call("push", (stack, g if isinstance(g, ir.Atom) else ZERO)), self.loc))
        elif isinstance(g, ir.Atom):
            index = s.value.args[1:]
            old, new = self.fresh(), self.fresh()
            out += [ir.Assign(old, ir.Call("getitem", (stack,) + index), self.loc),
                    ir.Assign(new, ir.Call("add", (ir.Var(old), g)), self.loc),
                    ir.Effect(ir.Call("setitem", (stack,) + index + (ir.Var(new),)), self.loc)]

    def _stack_op(self, s) -> bool:
        """Is `s` a push onto, a pop from or a read of an element of a stack that carries derivatives?"""
        if isinstance(s, ir.Effect):
            call = s.value
        elif isinstance(s, ir.Assign) and isinstance(s.value, ir.Call):
            call = s.value
        else:
            return False
        return call.op in ("push", "pop", "getitem") and (call.op == "push") == isinstance(s, ir.Effect) and \
            bool(call.args) and isinstance(call.args[0], ir.Var) and call.args[0].name in self.stacks


def _stack_use(s, stack: str, stacks: dict) -> bool:
    """Is `s` a use of the stack of generated code `stack` that reverse mode follows: its definition, a
    push onto it, a pop, a read of an element, its length, the iteration over it backwards, or an if whose
    phis join it with another name of it (`stacks`) or None?"""
    value = s.value if isinstance(s, (ir.Assign, ir.Effect)) else None
    if isinstance(s, ir.Assign) and s.target == stack:
        return True
    if isinstance(s, ir.If):
        return s.test != ir.Var(stack) and all(p.target in stacks for p in s.phis if ir.Var(stack) in p.operands)
    if not isinstance(value, ir.Call) or not value.args or value.args[0] != ir.Var(stack):
        return False
    if isinstance(s, ir.Effect):
        return value.op == "push" and ir.Var(stack) not in value.args[1:]
    return value.op in ("pop", "getitem", "builtins.len", "builtins.reversed") and ir.Var(stack) not in value.args[1:]
