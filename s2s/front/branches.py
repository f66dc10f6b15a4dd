"""SSA construction of control flow within a block: `if`/`else` (and the conditionals of `and`, `or` and `x if c
else y`), each side built from a copy of the environment and a phi for each name that differs at the join;
`return`, `break` and `continue` ending a branch. `BranchLowering` holds these methods of the SSA builder (ssa.py).
"""
from __future__ import annotations

import ast
import re

from s2s import ir
from s2s.errors import UnsupportedSyntaxError
from s2s.front.effects import RAISE
from s2s.front.loops import _bound_key, _bound_name, _Exit


# constants whose truth a test reads as Python does (a tuple's: whether it has elements)
_KNOWN_TESTS = frozenset({bool, int, float, str, type(None), tuple})


class BranchLowering:
    """(mixed into _Builder; reads the rest of its state through `self`)"""

    def if_statement(self, s: ast.If) -> None:
        test = self.atom(s.test)
        self._branch(test, s.body, s.orelse, s)

    def _branch(self, test: ir.Atom, body: list, orelse: list, node) -> None:
        if type(test) is ir.Const and type(test.value) in _KNOWN_TESTS:
            # (`if soft:` of a helper's default, `np.trapezoid if NP2 else np.trapz` of a module's flag: only the
            # side Python takes, whose names it looks up; the other may name what this NumPy lacks)
            side = body if test.value else orelse
            side() if callable(side) else self.statements(side)
            return
        if_loc = self.loc
        env0 = dict(self.env)
        outer_block = self.block
        results = []
        for side, stmts in enumerate((body, orelse)):
            self.env = dict(env0)
            for key, flag in env0.items():  # under a test seen before, a flag is known (`if c: y = ..`)
                if key.startswith("<bound ") and isinstance(flag, ir.Var) and flag.name in self.joins:
                    known_test, values = self.joins[flag.name]
                    if known_test == test:
                        self.env[key] = values[side]
            self.block = []
            self.returned = None
            exited = False
            try:
                if callable(stmts):
                    stmts()
                else:
                    self._side(stmts)
            except _Exit:
                exited = True
            results.append((self.block, dict(self.env), exited, self.returned))
        self.block = outer_block
        self.loc = if_loc
        (then_block, then_env, then_exit, then_ret), (else_block, else_env, else_exit, else_ret) = results
        phis = []
        if then_exit and else_exit:
            stmt = ir.If(test, then_block, else_block, [], self.loc)
            self.emit(stmt)
            if then_ret is not None or else_ret is not None:
                if then_ret is not None and else_ret is not None:
                    name = self.version("result")
                    stmt.phis.append(ir.Phi(name, [then_ret, else_ret]))
                    self.joins[name] = (test, (then_ret, else_ret))
                    self.returned = ir.Var(name)
                    if self.depth:
                        self.env = self._join_lists_at_return(stmt, then_env, else_env)
                    raise _ReturnedJoin()
            raise _Exit()
        if then_exit or else_exit:
            self.env = else_env if then_exit else then_env
            self.emit(ir.If(test, then_block, else_block, [], self.loc))
            return
        env = {}
        for name in sorted(then_env.keys() ^ else_env.keys()):
            # assigned on one path only: None on the other, where Python leaves the name unbound;
            # if the function reads it, a flag `<name>_bound` says which (see `read`)
            if not name.startswith("<"):
                if name in self.read_anywhere():
                    then_env.setdefault(_bound_key(name), ir.Const(name in then_env))
                    else_env.setdefault(_bound_key(name), ir.Const(name in else_env))
                then_env.setdefault(name, ir.Const(None))
                else_env.setdefault(name, ir.Const(None))
        for name in then_env.keys() ^ else_env.keys():
            if name.startswith("<bound "):  # (a name's flag is absent where it is surely bound)
                then_env.setdefault(name, ir.Const(True))
                else_env.setdefault(name, ir.Const(True))
        for name in then_env.keys() & else_env.keys():
            a, b = then_env[name], else_env[name]
            if a == b:
                env[name] = a
            else:
                target = self.version(_bound_name(name)) if name.startswith("<bound ") else \
                    self.temp() if name.startswith("<") else self.version(name)
                phis.append(ir.Phi(target, [a, b]))
                # (a function chosen here is called under this test, functions.py; a flag is known under it)
                self.joins[target] = (test, (a, b))
                self.phis[target] = phis[-1]
                self.join_lists(target, (a, b))
                roots = {self.roots.get(o.name) if isinstance(o, ir.Var) else None for o in (a, b)}
                if len(roots) == 1 and None not in roots:  # both branches hold versions of one array (not a
                    # constant on one: `1.5 if c else y0` is no version of y0, named y0 it overwrote it)
                    self.roots[target] = roots.pop()
                env[name] = ir.Var(target)
        phis.sort(key=lambda p: p.target)
        self.env = env
        self.emit(ir.If(test, then_block, else_block, phis, self.loc))

    def _side(self, stmts: list) -> None:
        """Lower one side of an if. A statement of it that reads a name defined nowhere (`log_value(x)` under `if
        debug:`, a helper that is not there) raises Python's NameError where it runs, and the side ends there:
        Python looks the name up only if the line runs, so the function runs, and is differentiated, where the
        side is not taken. (A name undefined on every path is refused when s2s reads the function.)"""
        env, loc = dict(self.env), self.loc
        try:
            self.statements(stmts)
            return
        except UnsupportedSyntaxError as exc:
            found = _undefined_name(exc, stmts, self.src.filename)
            if found is None:
                raise
            k, name = found
        self.env, self.block, self.returned, self.loc = env, [], None, loc
        self.statements(stmts[:k])
        self.set_loc(stmts[k])
        error = self.constant_or_error(NameError, "NameError", stmts[k])
        self.emit(ir.Effect(ir.Call(RAISE, (error, ir.Const(f"name '{name}' is not defined"))), self.loc))

    def _join_lists_at_return(self, stmt: ir.If, then_env: dict, else_env: dict) -> dict:
        """The names after an if both of whose branches return, in a helper being inlined: a list of its
        caller's that the branches leave as two versions (`if c: traj.append(s); return s` / `return 0.0`) is
        joined by a phi, the version the caller's list follows the call with (effects.follow_grown_lists).
        Other names keep the else branch's values: nothing after the if reads them."""
        env = dict(else_env)
        for name in sorted(then_env.keys() & else_env.keys()):
            a, b = then_env[name], else_env[name]
            root = self.list_root(a)
            if a != b and not name.startswith("<") and root is not None and self.list_root(b) == root:
                target = self.version(name)
                stmt.phis.append(ir.Phi(target, [a, b]))
                self.phis[target] = stmt.phis[-1]
                self.join_lists(target, (a, b))
                env[name] = ir.Var(target)
        return env

    def return_statement(self, s: ast.Return) -> None:
        if self.loops:
            raise self.error(s, "a return statement inside a loop", "break out of the loop and return after it")
        if s.value is None:
            raise self.error(s, "a return without a value")
        self.returned = self.atom(s.value, hint=None)
        raise _Exit()

    def jump(self, s, kind) -> None:
        if not self.loops:
            raise self.error(s, f"'{type(s).__name__.lower()}' outside a loop")
        frame = self.loops[-1]
        values = {phi.target: self.env[name] for name, phi in frame.phis.items()}
        for t in self.block:  # (what this path pushed: the paths that go on did not)
            if isinstance(t, ir.Effect) and t.value.op == "push" and isinstance(t.value.args[1], ir.Var):
                root = self.roots.get(t.value.args[1].name, t.value.args[1].name)
                self.pushed[root] -= 1
        stmt = kind(values, self.loc)
        self.emit(stmt)
        (frame.breaks if kind is ir.Break else frame.continues).append(stmt)
        raise _Exit()


class _ReturnedJoin(_Exit):
    pass


def _undefined_name(exc: UnsupportedSyntaxError, stmts: list, filename: str):
    """(index in `stmts` of the simple statement whose line read it, the name) where `exc` refuses a name defined
    nowhere (`the name 'x', which is not defined here`, `a call to 'f', ...`) at a line of `filename`; else None
    (a compound statement: a loop may not run its body, whose statements before the read would)."""
    match = re.match(r"(?:the name|a call to) '(\w+)'(?:\(\))?, which is not defined here", exc.construct)
    if match is None or exc.filename != filename:
        return None
    for k, s in enumerate(stmts):
        if s.lineno <= exc.lineno <= (s.end_lineno or s.lineno):
            simple = not isinstance(s, (ast.If, ast.For, ast.While, ast.With, ast.Try, ast.FunctionDef, ast.Match))
            return (k, match.group(1)) if simple else None
    return None
