"""The values of arguments the function is not differentiated with respect to that a derivative is taken through.

s2s does not know the class of an argument while compiling: it reads `p * x`, `np.sin(p * x)` and `p.dot(x)` as
NumPy's operations on arrays, whose rules it knows. Where `p` is an object of a class of the user's that defines
arithmetic or a method of that name, Python runs the class's methods, which the rules do not follow. `data_uses(fn,
wrt)` finds which such values meet a differentiated operation: the argument itself, an attribute or an item of it,
an item a loop takes from it, data of the module or of a closure, an item of what a call made of them. Where the
call's check (api/data_checks.py) can read the value without running the user's code and at the cost of the
function's own reads (the argument, an item at a constant key, each item of a container a loop takes or reads at
each of its indices), it returns a `Use`: its argument, the steps from it to the value, the operation's NumPy name
(a method of that name on the class is as foreign as an operator: `np.sum(p)` calls `p.sum()`) and the user's line.
Elsewhere (an attribute, which may be a property; an item at an index computed otherwise, one of a dataset's; data
of the module or a closure) the function it returns checks the value where it reads it, before the operation:
`rt.require_data(t1, 'matmul', 'm.W', 'm')` (runtime/foreign.py), one type test where it is an array.

Beyond reads, operators and NumPy's functions are followed: what `Ws[i] - Ws[i - 1]` or `np.sin(m.W)` computes where
no derivative flows is of an np.matrix where one of them is, and the call refuses that (a `made` step; not after
np.asarray, the user's own conversion); an object of another class is Python's to compute with (`p * 2.0`).
"""
from __future__ import annotations

import ast
import copy
import linecache
import re
import types
from typing import NamedTuple

import numpy as np

from s2s import ir, prims
from s2s.ad.analysis import activity, differentiable
from s2s.ir.walk import definitions
from s2s.linemaps import user_line

# the operations s2s differentiates by NumPy's meaning: Python's arithmetic operators, NumPy's and SciPy's functions
_OPERATORS = frozenset(prims.BINOPS) | frozenset(prims.UNARYOPS)
_LIBRARIES = ("numpy.", "scipy.")
# reads that give a part of their operand: an attribute, an item, what a loop takes from it
# (`all`: every item, where the function reads each: `Ws[i]` in `for i in range(len(Ws))`, `d[k]` in `for k in d`)
# (`made`: what an operator computes from it, `Ws[i] - Ws[i - 1]`: the call refuses an ndarray subclass there)
_ATTRIBUTE, _ITEM, _EACH, _ITERATED, _ALL, _MADE = "attr", "item", "each", "iter", "all", "made"
_VIEWS = {prims.METHODS["values"]: "values", prims.METHODS["items"]: "items"}
_SORTED = "builtins.sorted"  # (a new list of its operand's items)
_KEYS = frozenset((prims.ITERATED, prims.METHODS["keys"]))  # (what `for k in d` loops over: d's keys)
_DICT_GET, _DICT_OF, _FROM_PAIRS = "s2s.runtime.dict_get", "s2s.runtime.dict_of", "s2s.runtime.dict_from_pairs"
_DEEP_COPY = "s2s.runtime.deep_copy"
# what gives one of its operands, or an item of one: a or b, max(Ws, key=...), next(it)
_CHOOSES = frozenset(("and", "or", "builtins.max", "builtins.min", "s2s.runtime.largest", "s2s.runtime.smallest",
                      "builtins.next"))
_SIZES = frozenset(("builtins.len", prims.SHAPE, prims.SIZE))  # (a container's size: len(xs), xs.shape)
_SHIFTS = frozenset(("add", "sub", "floordiv", "mul"))  # (an index shifted or scaled: i + 1, n - 1, n // 2)
# NumPy's functions that give a plain ndarray or a number of any array (np.asarray(m.W): the user's own conversion)
_PLAIN_RESULTS = frozenset("numpy." + n for n in ("asarray", "array", "ascontiguousarray", "asfortranarray",
                                                  "asarray_chkfinite", "shape", "size", "ndim", "copy"))
# the values of the module's data whose operations the rules describe (an array, a number): read without a check
_PLAIN = frozenset((np.ndarray, float, int, bool, np.float64, np.float32, np.int64, np.int32, str, type(None)))


class Use(NamedTuple):
    """A value read from the argument `param` (at `position` of the call, -1: by name only) by `steps` ((kind,
    key), ...) that a differentiated operation (`name`: its NumPy name, or the operator's: "mul"; ".T", ".sum": an
    array's attribute or method read as NumPy's, where a derivative flows or not) reads, at `line` of
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
    """(`fn` with a check where it reads each value the call's check cannot read, the `Use`s the call checks) of
    the arguments of `fn` outside `wrt` and the data it reads from its module or closure, by the differentiated
    operations (those with a result the derivative flows through), one per argument, path and NumPy name."""
    given = [p for p in fn.params if p not in wrt]
    fn = copy.deepcopy(fn)
    positional = fn.signature.positional if fn.signature is not None else len(fn.params)
    made = {}
    for d in definitions(fn.body):
        made[d.target] = d
    for s in ir.statements(fn.body):
        if type(s) is ir.Loop and s.kind == "for" and isinstance(s.target, str) and s.iter is not None:
            made[s.target] = s  # (a loop over a value: its target an item of it)
    exits: dict = {}  # (a loop's header phi -> what each break leaving it gives it: `first = W; break`)
    for s in ir.statements(fn.body):
        if type(s) is ir.Break:
            for target, atom in s.values.items():
                exits.setdefault(target, []).append(atom)
    active = activity(fn, list(wrt))
    generated = fn.filename.startswith("<s2s ")  # (its names are s2s's: `t1`, not the user's)
    data = _Data(made, given, fn.free, fn.params, exits)
    out: dict = {}
    reads: dict = {}  # id(statement) -> {value: (name, spelled[, argument[, called]])}: checked before it runs

    def spelled_as(value: str) -> str:  # (the user's name of `value`, "" for a part of an expression)
        d = made.get(value)
        return value if value in fn.params else re.sub(r"_\d+$", "", value) if \
            type(d) in (ir.Assign, ir.Phi) and not d.temp and not generated else ""

    # (containers read as arrays, `xs.shape`: the call refuses anything else, and an array's items need no check)
    arrays = {path for value, _, _ in fn.array_reads for path in data.paths(value, set())}

    def note(value: str, name: str, loc, s=None) -> None:  # (the value named `value` read by `name` at `loc`)
        for root, steps in data.paths(value, set()):
            steps = tuple((_ALL, None) if kind == _EACH and (root, steps[:k]) in arrays else (kind, key)
                          for k, (kind, key) in enumerate(steps))
            if s is not None and (root not in given or not _read_on_call(steps)):
                spelled = spelled_as(value) or data.spell(value, set())
                called = bool(spelled) and re.search(rf"(?<![\w.]){re.escape(spelled)}\.{name}\(", loc.text or "")
                reads.setdefault(id(s), {})[value] = (name, spelled) + (
                    (root if root in given else "",) + ((True,) if called else ()) if root in given or called else ())
                continue
            if root not in given or (root, steps, name) in out:
                continue
            i = fn.params.index(root)
            out[root, steps, name] = Use(i if i < positional else -1, root, steps, name, spelled_as(value),
                                         *_users_line(loc.file if loc is not None and loc.file else fn.filename,
                                                      loc.line if loc is not None else 0,
                                                      loc.text if loc is not None else ""))

    for s in ir.statements(fn.body):
        if type(s) is not ir.Assign or type(s.value) is not ir.Call or s.target not in active:
            continue
        op = s.value.op
        if not (op in _OPERATORS or op.startswith(_LIBRARIES)) or not differentiable(op):
            continue
        for a in list(s.value.args) + [v for _, v in s.value.kwargs]:
            if type(a) is ir.Var and a.name not in active:
                note(a.name, op.rsplit(".", 1)[-1], s.loc, s)  # ("mul" for an operator, "dot" for np.dot and x.dot)
    for value, attribute, loc in fn.array_reads:  # (read as NumPy's, where a derivative flows or not)
        note(value, "." + attribute, loc, next((s for s in ir.statements(fn.body) if type(s) is ir.Assign and
                                                s.loc == loc and type(s.value) is ir.Call and ir.Var(value) in
                                                s.value.args), None))
    checked = {s.value.args[0].name for s in ir.statements(fn.body) if type(s) is ir.Effect and
               s.value.op == prims.REQUIRE_DATA and type(s.value.args[0]) is ir.Var}  # (generated code's own)
    if reads:
        _check_reads(fn.body, reads, checked)
    return fn, tuple(out.values())


def _read_on_call(steps: tuple) -> bool:
    """Can the call's check (api/data_checks.py) read the values `steps` reach without running the user's code,
    and at a cost the function's reads have too? An item at a constant key, each item a loop takes or reads at each
    index; not an attribute (a property's getter, a `__getattr__`: the user's code), nor an item at an index the
    function computes otherwise (one of a dataset's: checking each would cost its length)."""
    previous = None
    for kind, _ in steps:
        if kind == _ATTRIBUTE or kind == _EACH and previous != _ITERATED:
            return False
        previous = kind
    return True


def _check_reads(block: list, reads: dict, checked: set) -> None:
    """Put `rt.require_data(value, name, spelled[, argument[, called]])` before each statement of `block` (and of
    the blocks in it) that `reads` names, once per value along a path."""
    out = []
    checked = set(checked)
    for s in block:
        for value, told in reads.get(id(s), {}).items():
            if value not in checked:
                checked.add(value)
                out.append(ir.Effect(ir.Call(prims.REQUIRE_DATA, (ir.Var(value),) + tuple(map(ir.Const, told))), s.loc))
        for inner in ir.blocks(s):
            _check_reads(inner, reads, checked)
        out.append(s)
    block[:] = out


def _users_line(file: str, line: int, text: str) -> tuple:
    """(file, line, text) of the user's line that `line` of `file` is, or came from where `file` is code s2s
    generated (a Hessian differentiates the gradient's text)."""
    found = user_line(file, line)
    if found is None:
        return file, line, text
    return found[0], found[1], linecache.getline(found[0], found[1]).strip() or text


class _Data:
    """Where a value the function does not compute comes from: (root, steps) from an argument in `given`, from
    data of its module or closure (`free`), or from what a call the rules do not describe made (`vars(m)`)."""

    def __init__(self, made: dict, given: list, free: dict, params: list, exits: dict):
        self.made, self.given, self.free, self.params, self.exits = made, given, free, params, exits

    def paths(self, name: str, seen: set) -> list:
        """The (root, steps) `name` may be read from (none where it is computed)."""
        if name in self.given:
            return [(name, ())]
        if name in self.free:  # (data of the module or a closure, read where the code runs)
            value = self.free[name][0]
            plain = type(value) in _PLAIN or isinstance(value, (type, types.FunctionType, types.ModuleType))
            return [] if plain else [(name, ())]
        if name in seen or len(seen) > 100:  # (a chain of reads that long: a value computed, for this purpose)
            return []
        seen.add(name)
        d = self.made.get(name)
        if type(d) is ir.Phi:  # (a loop's also takes what a break leaving it gives: `for W in Ws: first = W; break`)
            return [p for o in list(d.operands) + self.exits.get(name, []) if type(o) is ir.Var
                    for p in self.paths(o.name, seen)]
        if type(d) is ir.Loop:
            return self.then(d.iter, (_ITERATED, None), seen, (_EACH, None))
        if type(d) is not ir.Assign:
            return []
        v = d.value
        if type(v) is ir.Var:
            return self.paths(v.name, seen)
        if type(v) is not ir.Call or not v.args:
            return []
        if v.op == "getattr" and type(v.args[1]) is ir.Const:
            return self.then(v.args[0], (_ATTRIBUTE, v.args[1].value), seen)
        if v.op == "getitem":  # (x[()]: no key, each item, checked where it is read)
            key = v.args[1] if len(v.args) > 1 else ir.Const(())
            step = (_ITEM, key.value) if type(key) is ir.Const and type(key.value) in (str, int) else \
                (_ALL, None) if self.every_key(key, v.args[0]) else (_EACH, None)
            return self.then(v.args[0], step, seen)
        if v.op == prims.ITERATED or v.op in prims.CONTAINER_COPIES or v.op == _SORTED:
            return self.then(v.args[0], (_ITERATED, None), seen)
        if v.op in _VIEWS:
            return self.then(v.args[0], (_VIEWS[v.op], None), seen)
        if v.op == _DEEP_COPY:  # (copy.deepcopy(d): the same path to a copy of each value)
            return self.paths(v.args[0].name, seen) if type(v.args[0]) is ir.Var else []
        if v.op == _DICT_GET:  # (d.get('W'), d.get(k, default))
            key = v.args[1] if len(v.args) > 1 else None
            step = (_ITEM, key.value) if type(key) is ir.Const and type(key.value) in (str, int) else (_EACH, None)
            return self.then(v.args[0], step, seen) + [p for a in v.args[2:3] if type(a) is ir.Var
                                                      for p in self.paths(a.name, seen)]
        if v.op in _CHOOSES:  # (one of its operands, or an item of one: checked where it is read)
            return [p for a in v.args if type(a) is ir.Var for p in self.then(a, (_EACH, None), seen)]
        if v.op == "call":  # (what a call s2s does not follow made: vars(m), a library's object)
            return [(name, ())]
        if v.op in _OPERATORS or v.op.startswith(_LIBRARIES) and v.op not in _PLAIN_RESULTS:
            # (computed from data where no derivative flows, by an operator or a NumPy function, `np.sin(m.W)`:
            # of an np.matrix, one too)
            return [(root, steps + ((_MADE, None),)) for a in v.args if type(a) is ir.Var
                    for root, steps in self.paths(a.name, seen)]
        return []

    def every_key(self, key, base) -> bool:
        """Is `key` an index or a key of `base` that a loop over its size takes, reading items of `base` in
        proportion to its length: `i` (`i + 1`) of `for i in range(len(base))` (`range(1, base.shape[0])`), `k` of
        `for k in base` (a dict's keys)? (Checking each item on the call then costs what the loop's reads cost.)"""
        d = self.made.get(key.name) if type(key) is ir.Var else None
        while type(d) is ir.Assign and type(d.value) is ir.Call and d.value.op in _SHIFTS:
            d = next((self.made.get(a.name) for a in d.value.args if type(a) is ir.Var), None)  # (i + 1)
        if type(d) is ir.Assign and type(d.value) is ir.Call and d.value.op == "getitem":  # (an item of the keys)
            keys = self.made.get(d.value.args[0].name) if type(d.value.args[0]) is ir.Var else None
            return self.sized_range(keys, base) or self.every_key(d.value.args[1], d.value.args[0]) and \
                type(keys) is ir.Assign and type(keys.value) is ir.Call and keys.value.op in _KEYS and \
                self.same(keys.value.args[0], base)
        return type(d) is ir.Loop and type(d.iter) is ir.Var and self.sized_range(self.made.get(d.iter.name), base)

    def sized_range(self, d, base) -> bool:
        """Is `d` the definition `range(...)` of a range sized by `base` (`range(1, len(base))`)?"""
        return type(d) is ir.Assign and type(d.value) is ir.Call and d.value.op == "builtins.range" and \
            any(self.sized_by(a, base, 0) for a in d.value.args)

    def sized_by(self, atom, base, depth: int) -> bool:
        """Is `atom` computed from the size of `base`: len(base), base.shape[0], np.size(base), less one?"""
        d = self.made.get(atom.name) if type(atom) is ir.Var and depth < 8 else None
        if type(d) is not ir.Assign:
            return False
        v = d.value
        if type(v) is ir.Var:
            return self.sized_by(v, base, depth + 1)
        if type(v) is not ir.Call or not v.args:
            return False
        if v.op in _SIZES:
            return self.same(v.args[0], base)
        return (v.op in _SHIFTS or v.op == "getitem") and self.sized_by(v.args[0], base, depth + 1) or \
            v.op in _SHIFTS and self.sized_by(v.args[-1], base, depth + 1)

    def same(self, a, b) -> bool:
        """Are the atoms `a` and `b` one value (one by names for it)?"""
        def named(atom):
            d = self.made.get(atom.name) if type(atom) is ir.Var else None
            return named(d.value) if type(d) is ir.Assign and type(d.value) is ir.Var else atom
        return type(a) is ir.Var and type(b) is ir.Var and named(a) == named(b)

    def then(self, base, step: tuple, seen: set, *more) -> list:
        """The paths of an item (`step`) of `base`: of the values put in it where the function built it."""
        if type(base) is not ir.Var:
            return []
        held = self.elements(base.name, set())
        if held is not None:
            return [p for a in held if type(a) is ir.Var for p in self.paths(a.name, seen)]
        if self.built(base.name, set()):  # (of what s2s cannot list: dict(d), xs grown from list(ys): checked
            return [(base.name, (step,) + more)]  # where it is read)
        return [(param, steps + (step,) + more) for param, steps in self.paths(base.name, seen)]

    def built(self, name: str, seen: set) -> bool:
        """Is `name` a container the function built (a display, appends, dict(...)), or a join of one?"""
        d = self.made.get(name) if name not in seen else None
        seen.add(name)
        if type(d) is ir.Phi:
            return any(type(o) is ir.Var and self.built(o.name, seen) for o in d.operands)
        v = d.value if type(d) is ir.Assign else None
        return self.built(v.name, seen) if type(v) is ir.Var else \
            type(v) is ir.Call and (v.op in prims.CONTAINER_BUILDERS or v.op == _DEEP_COPY and type(v.args[0]) is
                                    ir.Var and self.built(v.args[0].name, seen))

    def elements(self, name: str, seen: set):
        """The values put in the container `name` where the function built it (a display, appends, a copy of
        one), else None."""
        if name in seen:
            return []
        seen.add(name)
        d = self.made.get(name)
        if type(d) is ir.Phi:
            parts = [self.elements(o.name, seen) if type(o) is ir.Var else None for o in d.operands]
            return None if any(p is None for p in parts) else [a for p in parts for a in p]
        if type(d) is not ir.Assign:
            return None
        v = d.value
        if type(v) is ir.Var:
            return self.elements(v.name, seen)
        if type(v) is not ir.Call:
            return None
        if (v.op in prims.CONTAINER_COPIES or v.op == _DEEP_COPY) and v.args and type(v.args[0]) is ir.Var:
            return self.elements(v.args[0].name, seen)
        if v.op == _FROM_PAIRS:  # (dict(pairs) of (key, value) tuples the function built: the values)
            pairs = self.elements(v.args[0].name, seen) if type(v.args[0]) is ir.Var else None
            values = [self.elements(p.name, seen) if type(p) is ir.Var else None for p in pairs or [None]]
            return None if any(p is None for p in values) else [a for p in values for a in p[1:2]]
        if v.op == prims.APPENDED and type(v.args[0]) is ir.Var:
            before = self.elements(v.args[0].name, seen)
            return None if before is None else before + list(v.args[1:])
        if v.op in ("list", "tuple", prims.APPENDED):
            return list(v.args)
        if v.op == prims.RECORD_NEW:
            return list(v.args[2:])
        if v.op == _DICT_OF:
            return list(v.args[1:])
        return None

    def spell(self, name: str, seen: set) -> str:
        """`name` as the user would write it (`m.W`, `Ws[i]`, `vars(m)['W']`), "" where s2s cannot tell."""
        d = self.made.get(name)
        if name in self.params or name in self.free:
            return name
        if name in seen:
            return ""
        seen.add(name)
        if type(d) in (ir.Assign, ir.Phi) and not d.temp:
            return re.sub(r"_\d+$", "", name)
        v = d.value if type(d) is ir.Assign else None
        if type(v) is ir.Var:
            return self.spell(v.name, seen)
        if type(v) is not ir.Call or v.op not in ("getattr", "getitem", "call", *prims.BINOPS) or not v.args:
            return ""
        parts = [self.spell(a.name, seen) if type(a) is ir.Var else repr(a.value) if type(a) is ir.Const and
                 type(a.value) in (int, float, str, bool, type(None)) else "" for a in v.args]
        if v.op in prims.BINOPS and len(parts) == 2 and all(parts):  # (m.W - 1.0)
            return ast.unparse(ast.BinOp(ast.Name(parts[0]), prims.BINOPS[v.op](), ast.Name(parts[1])))
        if type(v.args[0]) is not ir.Var:
            return ""
        if v.op == "call":
            parts[0] = re.sub(r"_\d+$", "", v.args[0].name)
        if not all(parts):
            return ""
        return f"{parts[0]}.{v.args[1].value}" if v.op == "getattr" else f"{parts[0]}[{parts[1]}]" \
            if v.op == "getitem" else f"{parts[0]}({', '.join(parts[1:])})"
