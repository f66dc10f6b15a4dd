"""A record's field read in a loop that cannot change it (`m.F` of a dataclass argument, a namedtuple's field,
`self.W` of an inlined method, `m["F"]` of a dict) read once, before the loop, as a person would (`F = m.F`).

The function cannot rebind an attribute of what it is given (the fence refuses `m.F = v`, and a user's function with
a rule may not write into its arguments, rules/in_place.py), and a dict it changes is a new version of it (a name
the loop defines); where no call in the loop of code s2s does not read (`call`, `callmethod`) is given the object or
what holds it, every iteration reads the same value. Read once, its adjoint is a number (or an array) the reversed
loop adds to, and the record's adjoint is built once after it (`rt.getattr_adjoint`), where a read per iteration
built a record of zeros and added it to the record's adjoint in every reversed iteration (a dict's: rt.add_at); the
forward sweep saves nothing for it either. Only reads at the top level of the loop's body (or of a while loop's
test: `while err > c.tol`) are moved, those of a value defined before the loop; a loop nested in another hands its
reads to the outer loop's body, which may move them again. A read whose value the loop writes into (an array
version's root) stays where it is.
"""
from __future__ import annotations

import builtins
import copy
import keyword
import re

from s2s import ir, prims
from s2s.ir.names import base_name
from s2s.ir.walk import array_versions, defined_names, rename

# what generated code reads besides the function's names: the modules it imports and the runtime
_MODULES = frozenset({"np", "numpy", "rt", "math", "scipy", "s2s", "cmath", "itertools", "functools", "operator",
                      "statistics", "random", "copy", "dataclasses", "collections", "typing", "warnings", "logging"})


def hoist_invariant_reads(fn: ir.Function) -> ir.Function:
    versions = array_versions(fn.body)
    written = set(versions) | set(versions.values())
    if not any(isinstance(s, ir.Loop) for s in ir.statements(fn.body)):
        return fn
    fn = copy.deepcopy(fn)
    moved: list = []
    fn.body = _block(fn.body, written, moved)
    if moved:
        fn.body = rename(fn.body, _names(fn, moved))
    return fn


def _names(fn: ir.Function, moved: list) -> dict:
    """A name a person would give each read moved (`F = m.F`; `m_F` where the function has an `F`), where the
    function and what generated code reads (modules, builtins) have no such name; else the temporary's own."""
    taken = set(fn.params) | set(fn.free) | set(fn.opaque) | set(dir(builtins)) | set(defined_names(fn.body)) | \
        {a.name for s in ir.statements(fn.body) for a in ir.operands(s) if type(a) is ir.Var} | \
        {s.value.op.split(".")[0] for s in ir.statements(fn.body)
         if isinstance(s, (ir.Assign, ir.Effect)) and isinstance(s.value, ir.Call)} | _MODULES
    out = {}
    for t in moved:
        base, attr = t.value.args[0].name, t.value.args[1].value
        for name in (attr, f"{base_name(base)}_{attr}"):
            if name.isidentifier() and not keyword.iskeyword(name) and name not in taken and \
                    not re.fullmatch(r"(t|.+_)\d+", name):
                taken.add(name)
                out[t.target] = name
                break
    return out


def _block(stmts: list, written: set, moved: list) -> list:
    out: list = []
    for s in stmts:
        if isinstance(s, ir.If):
            s.body, s.orelse = _block(s.body, written, moved), _block(s.orelse, written, moved)
        elif isinstance(s, ir.Loop):
            s.header, s.body = _block(s.header, written, moved), _block(s.body, written, moved)
            reads = _invariant_reads(s, written)
            if reads:
                s.header = [t for t in s.header if not any(t is m for m in reads)]
                s.body = [t for t in s.body if not any(t is m for m in reads)]
                out += [ir.Assign(m.target, m.value, s.loc) for m in reads]
                moved += [m for m in reads if m.temp]
        out.append(s)
    return out


def _invariant_reads(loop: ir.Loop, written: set) -> list:
    """The field reads (`m.F`, and `m["F"]` of a dict) at the top of `loop`'s body or of a while loop's test whose
    object is defined before the loop and is given to no call in the loop of code s2s does not read (which might
    rebind its attributes)."""
    inside = set(defined_names(loop.body)) | set(defined_names(loop.header)) | {p.target for p in loop.phis}
    if isinstance(loop.target, str):
        inside.add(loop.target)
    elif loop.target:
        inside |= set(loop.target)
    reads = [t for t in loop.header + loop.body if isinstance(t, ir.Assign) and isinstance(t.value, ir.Call)
             and t.value.op in ("getattr", "getitem") and len(t.value.args) == 2 and not t.value.kwargs
             and type(t.value.args[0]) is ir.Var and t.value.args[0].name not in inside
             and type(t.value.args[1]) is ir.Const and isinstance(t.value.args[1].value, str)
             and not t.value.args[1].value.startswith("__") and t.target not in written
             and t.array is None and not t.restores]
    if not reads:
        return []
    given = _given_to_opaque_calls(loop)
    return [t for t in reads if t.value.args[0].name not in given]


def _given_to_opaque_calls(loop: ir.Loop) -> set:
    """The names whose objects a call in `loop` of code s2s does not read (`call`, `callmethod`: a library's
    object's method) may reach: its arguments, and what they were read from (`m` of `m.sub`, `d` of `d['k']`)."""
    made = {t.target: t.value for t in ir.statements(loop.body + loop.header)
            if isinstance(t, ir.Assign) and isinstance(t.value, ir.Call)}
    out: set = set()
    todo = [a.name for t in ir.statements(loop.body + loop.header) if _opaque(t)
            for a in t.value.args + tuple(v for _, v in t.value.kwargs) if type(a) is ir.Var]
    while todo:
        name = todo.pop()
        if name in out:
            continue
        out.add(name)
        value = made.get(name)
        if value is not None and value.op in ("getattr", "getitem") and value.args and type(value.args[0]) is ir.Var:
            todo.append(value.args[0].name)
    return out


def _opaque(t) -> bool:
    """Does the statement `t` call code s2s does not read?"""
    return isinstance(t, (ir.Assign, ir.Effect)) and isinstance(t.value, ir.Call) and \
        t.value.op in prims.OPAQUE_CALLS
