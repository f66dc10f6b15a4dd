"""The values of arguments the function is not differentiated with respect to that a derivative is taken through.

s2s does not know the class of an argument while compiling: it reads `p * x`, `np.sin(p * x)` and `p.dot(x)` as
NumPy's operations on arrays, whose rules it knows. Where `p` is an object of a class of the user's that defines
arithmetic or a method of that name, Python runs the class's methods, which the rules do not follow. `data_uses(fn,
wrt)` lists, for the generated code to check on each call (api/data_checks.py), which such values meet a
differentiated operation: the argument itself, an attribute or an item of it, an item a loop takes from it. A
`Use` names its argument, the steps from it to the value, the operation's NumPy name (a method of that name on the
class is as foreign as an operator: `np.sum(p)` calls `p.sum()`) and the user's line.

Only reads are followed: a value the function computes from an argument (`p * 2.0` where no derivative flows) is
computed as Python computes it.
"""
from __future__ import annotations

import linecache
import re
from typing import NamedTuple

from s2s import ir, prims
from s2s.ad.analysis import activity, differentiable
from s2s.ir.walk import definitions
from s2s.linemaps import user_line

# the operations s2s differentiates by NumPy's meaning: Python's arithmetic operators, NumPy's and SciPy's functions
_OPERATORS = frozenset(prims.BINOPS) | frozenset(prims.UNARYOPS)
_LIBRARIES = ("numpy.", "scipy.")
# reads that give a part of their operand: an attribute, an item, what a loop takes from it
_ATTRIBUTE, _ITEM, _EACH, _ITERATED = "attr", "item", "each", "iter"
_VIEWS = {prims.METHODS["values"]: "values", prims.METHODS["items"]: "items"}


class Use(NamedTuple):
    """A value read from the argument `param` (at `position` of the call, -1: by name only) by `steps` ((kind,
    key), ...) that a differentiated operation (`name`: its NumPy name, or the operator's: "mul"; ".T", ".sum": an array's attribute or
    method read as NumPy's, where a derivative flows or not) reads, at `line` of
    `file` (`text`); `spelled`: the user's name of the value ("" for a part of an expression)."""
    position: int
    param: str
    steps: tuple
    name: str
    spelled: str
    file: str
    line: int
    text: str


def data_uses(fn: ir.Function, wrt: list) -> tuple:
    """The `Use`s of the arguments of `fn` outside `wrt` by the differentiated operations (those with a result
    the derivative flows through), one per argument, path and NumPy name."""
    given = [p for p in fn.params if p not in wrt]
    if not given:
        return ()
    positional = fn.signature.positional if fn.signature is not None else len(fn.params)
    made = {}
    for d in definitions(fn.body):
        made[d.target] = d
    for s in ir.statements(fn.body):
        if type(s) is ir.Loop and s.kind == "for" and isinstance(s.target, str) and s.iter is not None:
            made[s.target] = s  # (a loop over a value: its target an item of it)
    active = activity(fn, list(wrt))
    generated = fn.filename.startswith("<s2s ")  # (its names are s2s's: `t1`, not the user's)
    out: dict = {}

    def note(value: str, name: str, loc) -> None:  # (the value named `value` read by `name` at `loc`)
        for param, steps in _paths(value, made, given, set()):
            if (param, steps, name) in out:
                continue
            i, d = fn.params.index(param), made.get(value)
            spelled = value if value == param else re.sub(r"_\d+$", "", value) if \
                type(d) in (ir.Assign, ir.Phi) and not d.temp and not generated else ""
            out[param, steps, name] = Use(i if i < positional else -1, param, steps, name, spelled, *_users_line(
                loc.file if loc is not None and loc.file else fn.filename, loc.line if loc is not None else 0,
                loc.text if loc is not None else ""))

    for s in ir.statements(fn.body):
        if type(s) is not ir.Assign or type(s.value) is not ir.Call or s.target not in active:
            continue
        op = s.value.op
        if not (op in _OPERATORS or op.startswith(_LIBRARIES)) or not differentiable(op):
            continue
        for a in list(s.value.args) + [v for _, v in s.value.kwargs]:
            if type(a) is ir.Var and a.name not in active:
                note(a.name, op.rsplit(".", 1)[-1], s.loc)  # ("mul" for an operator, "dot" for np.dot and x.dot)
    for value, attribute, loc in fn.array_reads:  # (read as NumPy's, where a derivative flows or not)
        note(value, "." + attribute, loc)
    return tuple(out.values())


def _users_line(file: str, line: int, text: str) -> tuple:
    """(file, line, text) of the user's line that `line` of `file` is, or came from where `file` is code s2s
    generated (a Hessian differentiates the gradient's text)."""
    found = user_line(file, line)
    if found is None:
        return file, line, text
    return found[0], found[1], linecache.getline(found[0], found[1]).strip() or text


def _paths(name: str, made: dict, given: list, seen: set) -> list:
    """The (argument, steps) `name` may be read from (none where it is computed)."""
    if name in given:
        return [(name, ())]
    if name in seen or len(seen) > 100:  # (a chain of reads that long: a value computed, for this purpose)
        return []
    seen.add(name)
    d = made.get(name)
    if type(d) is ir.Phi:
        return [p for o in d.operands if type(o) is ir.Var for p in _paths(o.name, made, given, seen)]
    if type(d) is ir.Loop:
        return _then(d.iter, (_ITERATED, None), made, given, seen, (_EACH, None))
    if type(d) is not ir.Assign:
        return []
    v = d.value
    if type(v) is ir.Var:
        return _paths(v.name, made, given, seen)
    if type(v) is not ir.Call or not v.args:
        return []
    if v.op == "getattr" and type(v.args[1]) is ir.Const:
        return _then(v.args[0], (_ATTRIBUTE, v.args[1].value), made, given, seen)
    if v.op == "getitem":
        key = v.args[1]
        step = (_ITEM, key.value) if type(key) is ir.Const and type(key.value) in (str, int) else (_EACH, None)
        return _then(v.args[0], step, made, given, seen)
    if v.op == prims.ITERATED or v.op in prims.CONTAINER_COPIES:
        return _then(v.args[0], (_ITERATED, None), made, given, seen)
    if v.op in _VIEWS:
        return _then(v.args[0], (_VIEWS[v.op], None), made, given, seen)
    return []


def _then(base, step: tuple, made: dict, given: list, seen: set, *more) -> list:
    if type(base) is not ir.Var:
        return []
    return [(param, steps + (step,) + more) for param, steps in _paths(base.name, made, given, seen)]
