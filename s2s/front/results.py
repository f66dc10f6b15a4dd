"""The check that a differentiated function returns a number: `check_result(fn, transform) -> ir.Function`.

None, a string or a bool has no derivative, and a transformation that
differentiated it anyway would answer 0. Where the result could be one of those
(a constant, a comparison, `not`, a join or container of those), the returned
function calls `rt.require_number(result, ...)` before it returns, which names
what the function returned; where the result is proven numeric the function is
returned unchanged, and generated code makes no check.
"""
from __future__ import annotations

import re

import numbers
from dataclasses import replace

from s2s import ir, prims
from s2s.errors import CallError

REQUIRE_NUMBER = "s2s.runtime.require_number"


def check_result(fn: ir.Function, transform: str) -> ir.Function:
    """`fn` with `rt.require_number(result, transform, name, where)` before its return, where the result
    could be a value without a derivative; `fn` itself where it is proven numeric."""
    ret = fn.body[-1]
    defs = _definitions(fn.body, {})
    if transform in ("grad", "value_and_grad") and isinstance(ret, ir.Return):
        _require_one_result(fn, ret, defs)
    if not isinstance(ret, ir.Return) or not _could_be_non_number(ret.value, defs):
        return fn
    text = re.sub(r"\s+#[^'\"]*$", "", ret.loc.text.strip()) if ret.loc else ""  # (without the line's comment)
    where = f"line {ret.loc.line}: {text}" if ret.loc else "its return"
    check = ir.Effect(ir.Call(REQUIRE_NUMBER, (ret.value, ir.Const(transform), ir.Const(fn.name),
                                               ir.Const(where))), ret.loc)
    return replace(fn, body=fn.body[:-1] + [check, ret])


def _require_one_result(fn: ir.Function, ret: ir.Return, defs: dict) -> None:
    """grad of a function that returns a tuple, list or dict of computed values: say so now, and what to use
    instead (one of constants only, `["a", "b"]`, is refused below as a value without a derivative)."""
    made = defs.get(ret.value.name) if isinstance(ret.value, ir.Var) else None
    if isinstance(made, ir.Call) and made.op in ("tuple", "list", "dict") and \
            any(isinstance(a, ir.Var) for a in made.args):
        where = f"\n  {ret.loc.file or fn.filename}:{ret.loc.line}\n    {ret.loc.text.strip()}" if ret.loc else ""
        raise CallError(f"grad needs a function with a scalar result, but {fn.name} returns a {made.op}; "
                        f"use s2s.vjp (a pullback for all of it) or s2s.jacobian (every derivative) instead, "
                        f"or return the one number to differentiate{where}")


def _definitions(stmts: list, defs: dict) -> dict:
    """name -> what it may be: a Call, an atom (a copy), or the list of a phi's operands (a loop phi's
    first: its value on entry, then those of its back edges, breaks and continues)."""
    for s in stmts:
        if isinstance(s, ir.Assign):
            defs[s.target] = s.value
        elif isinstance(s, ir.If):
            _definitions(s.body, defs)
            _definitions(s.orelse, defs)
            for p in s.phis:
                then, orelse = p.operands
                if _returned_from_loop(s.test, then, defs):
                    then = _Exited(then.name)
                defs[p.target] = [o for o in (then, orelse) if o is not None]
        elif isinstance(s, ir.Loop):
            for p in s.phis:
                defs[p.target] = list(p.operands)
            _definitions(s.header, defs)
            _definitions(s.body, defs)
        elif isinstance(s, (ir.Break, ir.Continue)):
            for target, atom in s.values.items():
                defs.setdefault(target, []).append(atom)
    return defs


class _Exited:
    """A loop phi's value where the loop was left by a break or continued: not its value on entry."""

    def __init__(self, name: str):
        self.name = name


def _returned_from_loop(test, then, defs: dict) -> bool:
    """`if returned: return result` after a loop that returns (lowering.py): `result` starts as None, and
    `returned` is True only where a break has given `result` the returned value."""
    flag = defs.get(test.name) if isinstance(test, ir.Var) else None
    value = defs.get(then.name) if isinstance(then, ir.Var) else None
    return isinstance(flag, list) and isinstance(value, list) and flag[0] == ir.Const(False) \
        and value[0] == ir.Const(None)


def _could_be_non_number(value, defs: dict) -> bool:
    """Could `value` (an atom, a definition in `defs` or a list of phi operands) be a non-number? A walk with a
    stack, not recursion: a straight-line function of thousands of statements defines names a thousand deep."""
    stack, seen = [value], set()
    while stack:
        value = stack.pop()
        if isinstance(value, ir.Const):
            if _non_number_constant(value.value):
                return True
        elif isinstance(value, list):
            stack.extend(v for v in value if v is not None)
        elif isinstance(value, _Exited):  # (a back edge that keeps it as it was adds nothing)
            stack.extend(v for v in defs[value.name][1:] if v is not None and v != ir.Var(value.name))
        elif isinstance(value, ir.Call):
            if value.op in prims.NOT_NUMBERS:
                return True
            if value.op in prims.PASSES_ON:
                stack.extend(value.args[prims.PASSES_ON[value.op] or slice(None)])
        elif value.name not in seen and value.name in defs:  # (a parameter, or a value met before: nothing new)
            seen.add(value.name)
            stack.append(defs[value.name])
    return False


def _non_number_constant(value) -> bool:
    if isinstance(value, (tuple, list)):
        return any(_non_number_constant(v) for v in value)
    if isinstance(value, dict):
        return any(_non_number_constant(v) for v in value.values())
    return isinstance(value, bool) or not isinstance(value, numbers.Number)


# ---------------------------------------------------------------- a gradient that could be a Python int

INT_OPS = prims.INTEGER_RESULTS | {"getitem", "not"} | set(prims.COMPAREOPS)  # (a bool is an int too)
# int where any of their operands is (prims.INTEGER_IF_ALL: where all are; joins: where any is)
INT_IF_ANY = {"builtins.max", "builtins.min"}


def maybe_int(atom, fn: ir.Function, *more: list) -> bool:
    """Could this gradient of a number be a Python int? An int constant, an argument (2 in f(2, 3)), an
    element, a length, or integer arithmetic on those: `x * y`'s gradient with respect to x is y."""
    defs: dict = {}
    for stmts in (fn.body,) + more:
        _all_definitions(stmts, defs)
    return _could_be_int(atom, defs, set(fn.params))


def _all_definitions(stmts: list, defs: dict) -> None:
    """name -> every value assigned to it (a name may be assigned in several branches of generated code)."""
    for s in stmts:
        if isinstance(s, ir.Assign):
            defs.setdefault(s.target, []).append(s.value)
        elif isinstance(s, (ir.If, ir.Loop)):
            for block in (s.body, s.orelse) if isinstance(s, ir.If) else (s.header, s.body):
                _all_definitions(block, defs)
            for p in s.phis:
                defs.setdefault(p.target, []).extend(o for o in p.operands if o is not None)
        elif isinstance(s, (ir.Break, ir.Continue)):
            for target, a in s.values.items():
                defs.setdefault(target, []).append(a)


def _could_be_int(atom, defs: dict, params: set) -> bool:
    """Walked depth first, a name once (met again it adds nothing: a loop phi's back edge), the first operand
    first; with a stack of the walk's steps rather than recursion, since a straight-line function of a
    thousand statements defines names a thousand deep."""
    seen: set = set()

    def step(value):  # (a generator: it yields an operand to walk, and is sent whether it could be an int)
        if isinstance(value, ir.Const):
            return isinstance(value.value, int) and not isinstance(value.value, bool)
        if isinstance(value, ir.Call):
            if value.op in INT_OPS:
                return True
            if value.op in prims.INTEGER_IF_ALL:
                for a in value.args:
                    if not (yield a):
                        return False
                return True
            if value.op in INT_IF_ANY:
                for a in value.args:
                    if (yield a):
                        return True
            return False
        if value.name in seen:
            return False
        seen.add(value.name)
        if value.name not in defs:
            return value.name in params
        for v in defs[value.name]:
            if (yield v):
                return True
        return False

    stack, answer = [step(atom)], None
    while stack:
        try:
            operand = stack[-1].send(answer)
        except StopIteration as done:
            stack.pop()
            answer = done.value
        else:
            stack.append(step(operand))
            answer = None
    return answer
