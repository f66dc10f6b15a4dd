"""Algebraic simplification, constant folding and copy propagation.

`x * 1.0 -> x`, `x + 0.0 -> x`, `-(-x) -> x`, `0.0 + x -> x`, constant
operands folded; then every copy `a = b` (or `a = 1.0`) is removed and its
uses read `b` directly. Header phis are never propagated into (they are
reassigned each iteration).
"""
from __future__ import annotations

import copy
import math
import numbers

from s2s import ir, prims
from s2s.ad.analysis import integers, nonfloat
from s2s.ir.walk import adjoint_names, array_versions, call_definitions
from s2s.ir.walk import substitute_block
from s2s.ir.walk import contains_exit
from s2s.rules import registry
from s2s.optimize.cse import IMPURE

_FOLD = frozenset({"add", "sub", "mul", "truediv", "neg"})  # (of numbers: prims.CONSTANT_OPS)


def _num(a, value=None) -> bool:
    if type(a) is not ir.Const:  # (a name: most operands; one type test)
        return False
    v = a.value
    ok = type(v) is float or type(v) is int or isinstance(v, numbers.Number) and not isinstance(v, bool)
    return ok and (value is None or v == value)


_SIMPLIFIED = frozenset({"add", "sub", "mul", "truediv", "neg", "pow"})  # the operations simplify_call rewrites


def simplify_call(c: ir.Call, integers: set = frozenset(), numeric: set = frozenset(), nonfloat=frozenset(),
                  adjoint: bool = True):
    """An equivalent atom for `c`, or `c` itself.

    `integers` names values that may be Python ints, and `nonfloat` (analysis.floats) values that may be bools
    or integers: `1.0 * n` and `m + 0.0` stay, since they make floats (a gradient with respect to a number is a
    float; a bool mask times 1.0 adds as a number). `numeric` names values whose `+` adds (`a + a` is
    `2.0 * a`), never joins two lists or tuples. Outside the `adjoint` sweep, `x + 0.0` stays: it is +0.0 where x
    is -0.0 (`1 / (x + 0.0)` is inf), and the values generated code returns are the function's own, bit for bit."""
    a = c.args
    if c.kwargs or c.op not in _SIMPLIFIED:
        return c
    if c.op in ("mul", "truediv") and any(isinstance(x, ir.Var) and x.name in integers for x in a) \
            and any(_num(x) and isinstance(x.value, float) for x in a):
        return c
    if c.op in _FOLD and all(_num(x) for x in a):
        try:
            return ir.Const(prims.CONSTANT_OPS[c.op](*[x.value for x in a]))
        except ArithmeticError:
            return c
    if any(type(x) is ir.Var and x.name in nonfloat for x in a):
        return c  # (-m, a + a: not rewritten below either way)
    if c.op == "mul":
        if _num(a[0], 1):
            return a[1]
        if _num(a[1], 1):
            return a[0]
    if c.op == "add" and (adjoint or any(_num(x, 0) and str(x.value).startswith("-") for x in a)):
        if _num(a[0], 0):
            return a[1]
        if _num(a[1], 0):
            return a[0]
    if c.op == "sub" and _num(a[1], 0):
        return a[0]
    if c.op in ("add", "sub") and _num(a[1]) and isinstance(a[1].value, numbers.Real) and a[1].value < 0:  # x - -0.5
        return ir.Call("sub" if c.op == "add" else "add", (a[0], ir.Const(-a[1].value)))
    if c.op == "add" and a[0] == a[1] and isinstance(a[0], ir.Var) and a[0].name in numeric:  # a + a -> 2.0 * a
        return ir.Call("mul", (ir.Const(2.0), a[0]))
    if c.op in ("truediv", "pow") and _num(a[1], 1):
        return a[0]
    return c


def simplify(fn: ir.Function) -> ir.Function:
    return _simplify(copy.deepcopy(fn))


def _simplify(fn: ir.Function) -> ir.Function:
    """`simplify`, changing `fn` itself (`optimize` runs it on its own copy)."""
    mapping: dict[str, ir.Atom] = {}
    _Peephole(fn).run(fn.body)
    arrays = array_versions(fn.body)
    forward, adjoint = _has_identities(fn.body, ("mul", "truediv", "pow", "add", "sub"))
    # (the forward sweep's values are the function's own: a differentiated parameter may be a Python int there)
    maybe_ints = (nonfloat(fn, differentiated=False) if forward else frozenset(),
                  nonfloat(fn) if adjoint else frozenset())
    forward_kept, adjoint_kept = _kept_fresh(fn, arrays)
    _pass(fn.body, mapping, forward_kept, integers(fn), adjoint_kept, _numeric(fn), maybe_ints)
    if mapping:
        resolved = {k: _resolve(v, mapping) for k, v in mapping.items()}
        substitute_block(fn.body, resolved)
    return fn


def _kept_fresh(fn: ir.Function, arrays: dict) -> tuple:
    """The names whose copy `B = A * 1.0` stays a new array, never A itself, in the forward sweep and in the
    adjoint sweep. Forward: arrays written in place, views of arrays (`B = W[::-1] * 1.0` is a copy, never the
    view, where the function writes arrays in place) and joins, which may be an array written through another
    name (`u = y` before a loop, `u[1] = ...` in it, `z = y * 1.0` of the loop's y). Adjoint: the arrays whose
    old elements it puts back (a read of B after that restore would see them: 1.0 * y_1 read as y after
    y[2] = y_old), and the views."""
    written = set(arrays) | set(arrays.values())
    if not written:
        return written, _restored(fn, arrays)
    views = {t for t, c in call_definitions(fn.body).items() if c.op in prims.MAY_SHARE_MEMORY}
    joins = {p.target for s in ir.statements(fn.body) if isinstance(s, (ir.If, ir.Loop)) for p in s.phis
             if not p.adjoint}
    return written | views | joins, _restored(fn, arrays) | views


def _numeric(fn: ir.Function) -> set:
    """Names whose `+` adds numbers or arrays (never joins two lists or tuples, as `ys + ys` does): adjoints
    (whose sums are elementwise for a container too), operands of an operation a sequence does not take
    (`x * x`), results of `-x`, `x - y`, `x / y`, `x ** y` (a sequence takes none), of NumPy's elementwise
    functions, of a product with a float or with such a value, and of a sum of two such values."""
    out = adjoint_names(fn.body)
    calls = [(s.target, s.value) for s in ir.statements(fn.body) if type(s) is ir.Assign and type(s.value) is ir.Call]
    for _, c in calls:  # an operand of `-x`, `x * x`, `x ** 2`, `x * 0.5`, `x - 1.0`, `x / 2.0`: a sequence raises
        names = {a.name for a in c.args if type(a) is ir.Var}
        if len(names) == 1 and (c.op == "neg" or c.op in ("mul", "sub", "truediv", "pow", "add") and all(
                type(a) is ir.Var or type(a.value) in (float, complex) for a in c.args) and len(c.args) == 2
                and (c.op != "add" or any(type(a) is ir.Const for a in c.args))):  # (x + x joins two lists)
            out |= names
    changed = True
    while changed:
        changed = False
        for target, c in calls:
            if target in out:
                continue
            record = registry.PRIMITIVES.get(c.op)
            known = [type(a) is ir.Var and a.name in out or type(a) is ir.Const and type(a.value) in (float, complex)
                     for a in c.args]
            if c.op in ("neg", "sub", "truediv", "pow") or c.op == "mul" and any(known) or \
                    c.op == "add" and known and all(known) or \
                    c.op.startswith("numpy.") and record is not None and (record.broadcast or record.pointwise):
                out.add(target)
                changed = True
    return out


def drop_conversions(fn: ir.Function) -> ir.Function:
    return _drop_float_conversions(copy.deepcopy(fn))


def _drop_float_conversions(fn: ir.Function) -> ir.Function:
    if not any(_has_identities(fn.body, ("mul",))):
        return fn
    mapping: dict = {}
    _drop_conversions(fn.body, mapping, nonfloat(fn), _kept_fresh(fn, array_versions(fn.body)))
    if mapping:
        substitute_block(fn.body, {k: _resolve(v, mapping) for k, v in mapping.items()})
    return fn


drop_conversions.in_place = _drop_float_conversions


def _has_identities(stmts: list, ops: tuple) -> tuple:
    """Do the forward and the adjoint sweeps of `stmts` hold `v * 1`, `v / 1`, `v ** 1`, `v + 0`, `v - 0` or `v + v`
    of a name among `ops` (where whether v holds floats decides what it is: `2.0 * v` of an int v is a float)?"""
    found = [False, False]
    for s in ir.statements(stmts):
        if type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op in ops and len(s.value.args) == 2:
            one = 0 if s.value.op in ("add", "sub") else 1
            a, b = s.value.args
            if _num(a, one) and type(b) is ir.Var or _num(b, one) and type(a) is ir.Var or \
                    s.value.op == "add" and type(a) is ir.Var and a == b:
                found[s.loc is None or s.loc.adjoint] = True
                if all(found):
                    break
    return tuple(found)


def _drop_conversions(stmts: list, mapping: dict, maybe_ints: set, fresh: tuple = (frozenset(), frozenset())) -> None:
    """`t = 1.0 * m`, kept where m may be a bool or an integer (simplify_call), is m itself where every use of t
    multiplies, divides, adds or subtracts it with a float: `2.0 * t` is `2.0 * m`, a float either way. That
    float must stay one: a use's other operand is never m's conversion dropped in turn (`t3 + t1` of two masks
    keeps one `1.0 *`). Nor is m's conversion dropped where it is a copy that must stay one (`fresh`, in the forward
    and in the adjoint sweep, as simplify keeps them: m an array written in place, or a view of one: `r = A[0] *
    1.0` before `A[0] = x`)."""
    uses: dict = {}
    for s in ir.statements(stmts):
        for a in ir.operands(s):
            if type(a) is ir.Var:
                uses.setdefault(a.name, []).append(s)
    pinned: set = set()

    def floating(a) -> bool:
        if type(a) is ir.Const:
            return type(a.value) is float
        return a.name not in maybe_ints and a.name not in mapping

    for s in ir.statements(stmts):
        if type(s) is not ir.Assign or type(s.value) is not ir.Call or s.value.op != "mul" or s.value.kwargs or \
                s.target in pinned or s.target in mapping:
            continue
        a = s.value.args
        kept = a[1] if _num(a[0], 1) else a[0] if _num(a[1], 1) else None
        if type(kept) is not ir.Var or kept.name not in maybe_ints or not uses.get(s.target) or \
                kept.name in fresh[s.loc is not None and s.loc.adjoint]:
            continue
        others = []
        for u in uses[s.target]:
            v = u.value if type(u) is ir.Assign else None
            if type(v) is not ir.Call or v.op not in ("mul", "truediv", "add", "sub") or v.kwargs or \
                    len(v.args) != 2 or v.args[0] == v.args[1]:
                break
            other = v.args[1] if v.args[0] == ir.Var(s.target) else v.args[0]
            if not floating(_sub(other, mapping)):
                break
            others.append(other)
        else:
            mapping[s.target] = _sub(kept, mapping)
            pinned |= {o.name for o in others if type(o) is ir.Var}


def _resolve(a, mapping):
    seen = 0
    while isinstance(a, ir.Var) and a.name in mapping and seen < 1000:
        a = mapping[a.name]
        seen += 1
    return a


def _sub(a, mapping):
    return _resolve(a, mapping) if isinstance(a, ir.Var) else a


def _reads_any(c: ir.Call, mapping: dict) -> bool:
    """Does `c` read a name that `mapping` replaces?"""
    for x in c.args:
        if type(x) is ir.Var and x.name in mapping:
            return True
    return bool(c.kwargs) and any(type(x) is ir.Var and x.name in mapping for _, x in c.kwargs)


def _restored(fn: ir.Function, arrays: dict) -> set:
    """The versions of the arrays whose old elements the adjoint sweep puts back (`setitem(y, i, y_old)`)."""
    roots = {arrays.get(s.value.args[0].name, s.value.args[0].name) for s in ir.statements(fn.body)
             if isinstance(s, ir.Effect) and s.value.op == "setitem" and isinstance(s.value.args[0], ir.Var)}
    return {v for v, root in arrays.items() if root in roots} | roots


def _pass(stmts: list, mapping: dict, arrays: set, integers: set = frozenset(), restored: set = frozenset(),
          numeric: set = frozenset(), nonfloat: tuple = (frozenset(), frozenset())) -> None:
    """`arrays`: arrays written in place, whose definitions must stay fresh arrays (never copies);
    `restored`: those of them the adjoint sweep writes old elements back into; `nonfloat`: the names that may
    hold bools or integers in the forward sweep and in the adjoint sweep."""
    keep = []
    for s in stmts:
        if isinstance(s, ir.Assign):
            v = s.value
            if isinstance(v, ir.Call):
                if _reads_any(v, mapping):  # (most calls read none: the same frozen call is kept)
                    args = tuple([_sub(x, mapping) for x in v.args])
                    kwargs = tuple([(k, _sub(x, mapping)) for k, x in v.kwargs]) if v.kwargs else ()
                    v = ir.Call(v.op, args, kwargs)
                if v.op == "getitem" and _num(v.args[0]) and s.loc is not None and s.loc.adjoint:
                    v = v.args[0]  # a number adjoint stands for an array of it: any part of it is that number
                elif s.target not in arrays:
                    in_adjoint = s.loc is None or s.loc.adjoint
                    simpler = simplify_call(v, integers, numeric, nonfloat[in_adjoint], in_adjoint)
                    # `B = A * 1.0` is a new array: never A itself where A is written in place later in the
                    # forward sweep, or where the adjoint sweep puts A's old elements back (a read of B after
                    # that restore would see them: 1.0 * y_1 read as y after y[2] = y_old)
                    adjoint = s.loc is not None and s.loc.adjoint
                    if not (isinstance(simpler, ir.Var) and simpler.name in (restored if adjoint else arrays)):
                        v = simpler
            else:
                v = _sub(v, mapping)
            if isinstance(v, (ir.Var, ir.Const)):
                mapping[s.target] = v
                continue
            s.value = v
        elif isinstance(s, ir.If):
            _pass(s.body, mapping, arrays, integers, restored, numeric, nonfloat)
            _pass(s.orelse, mapping, arrays, integers, restored, numeric, nonfloat)
            for p in s.phis:
                ops = [_sub(o, mapping) for o in p.operands]
                if ops[0] == ops[1]:
                    mapping[p.target] = ops[0]
            s.phis = [p for p in s.phis if p.target not in mapping]
        elif isinstance(s, ir.Loop):
            _pass(s.header, mapping, arrays, integers, restored, numeric, nonfloat)
            _pass(s.body, mapping, arrays, integers, restored, numeric, nonfloat)
            if not contains_exit(s.body):  # a phi that the loop never changes is its initial value
                for p in list(s.phis):
                    back = _sub(p.operands[1], mapping)
                    if back == ir.Var(p.target) and p.target not in arrays:
                        mapping[p.target] = _sub(p.operands[0], mapping)
                        s.phis.remove(p)
        keep.append(s)
    stmts[:] = keep


class _Peephole:
    """Rewrites that look through definitions (SSA: a name's definition is its value).

    - `x + -y -> x - y`, `-x + y -> y - x`, `x - -y -> x + y`;
    - `np.shape(v)` of an elementwise result with constant other operands -> `np.shape(operand)`;
    - `np.full(S, k) * c -> np.full(S, k * c)`, and `np.full(np.shape(v), k) * y -> k * y` when `y`
      has `v`'s shape (also `rt.abs_adjoint(np.full(np.shape(v), k), y) -> rt.abs_adjoint(k, y)`): the ones
      that seed a reduction's adjoint vanish.
    Shapes are followed through elementwise operations, and the parts of one array trimmed by as much at
    its ends (`x[1:]` and `x[:-1]`, `x[2:]` and `x[1:-1]`) have one shape whatever its length, so that
    `rt.unbroadcast(g, x[1:] - x[:-1] ** 2)` is `g` (Rosenbrock's gradient).
    """

    def __init__(self, fn: ir.Function):
        self.arrays = set(array_versions(fn.body))
        self.defs: dict[str, ir.Call] = {}
        call_definitions(fn.body, self.defs)
        self.shapes: dict = {}  # memo of shape_source: name -> the name whose shape it has
        self.steps: dict = {}  # memo of _step
        self.walks: dict = {}  # memo of _walk
        self.read: set = set()  # the names whose definitions the memoised answers looked at
        self.preserves: dict = {}  # operation -> whether its result has its operands' shape
        self.trims = _trims(fn.body)  # x[1:], x[:-1]: parts of one array trimmed by as much, one shape
        self.changed = _changed_in_place(fn.body) | self.arrays  # (what `_scaled` must not read later)
        self.copies: dict = {}  # name -> the name a rewrite made it a copy of

    def run(self, stmts: list) -> None:
        for s in stmts:
            if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) and s.target not in self.arrays:
                for _ in range(4):
                    new = self.rewrite(s.value)
                    if new is s.value:
                        break
                    s.value = new
                    if s.target in self.read:  # (a definition an answer followed changed: forget the answers)
                        self.shapes.clear()
                        self.steps.clear()
                        self.walks.clear()
                        self.read.clear()
                    if not isinstance(new, ir.Call):  # now a copy: propagated by the next pass
                        self.defs.pop(s.target, None)
                        if type(new) is ir.Var:  # (its shape its source's meanwhile)
                            self.copies[s.target] = new
                        break
                    self.defs[s.target] = new
            elif isinstance(s, ir.If):
                self.run(s.body)
                self.run(s.orelse)
            elif isinstance(s, ir.Loop):
                self.run(s.header)
                self.run(s.body)

    def _def(self, a, op=None):
        if type(a) is ir.Var:
            self.read.add(a.name)
            d = self.defs.get(a.name)
            if d is not None and (op is None or d.op == op):
                return d
        return None

    def shape_source(self, a):
        """The name whose shape `a` is known to have (itself if nothing better is known); memoised, so
        that a chain of lines each reading the one before costs linear time, not exponential."""
        if type(a) is not ir.Var:
            return a  # (a constant: its own answer, as the walk from it would find)
        found = self.shapes.get(a.name)
        if found is None:
            self._operands_first(a)
            found = self.shapes[a.name] = self._shape_source(a)
        return found

    def _operands_first(self, a: ir.Var) -> None:
        """Memoise the shape sources of the names `a`'s answer reads, deepest first (an explicit stack:
        a chain of a thousand lines needs no recursion a thousand calls deep)."""
        stack, started = [(a, False)], set()
        while stack:
            x, ready = stack.pop()
            if x.name in self.shapes:
                continue
            if ready:
                if x is not a:
                    self.shapes[x.name] = self._shape_source(x)
                continue
            if x.name in started:  # (a cycle: left to the recursion)
                continue
            started.add(x.name)
            stack.append((x, True))
            stack += [(y, False) for y in self._operands_read(x) if type(y) is ir.Var and y.name not in self.shapes]

    def _operands_read(self, a) -> list:
        """The atoms whose shape sources `_step(a)` reads."""
        d = self._def(a)
        if d is None and a.name in self.copies:
            return [self.copies[a.name]]
        if d is None or d.kwargs:
            return []
        if d.op == prims.FULL and self._def(d.args[0], prims.SHAPE) is not None:
            return [self._def(d.args[0]).args[0]]
        return [x for x in d.args if not _num(x)]

    def _shape_source(self, a):
        """Walk from `a` to the operand it is shaped like, and on (at most 50 steps), to the name whose
        shape is known: with each name's distance to where its walk stops memoised, one lookup."""
        distance, answer = self._walk(a)
        if distance < 50:
            return answer
        for _ in range(50):  # a walk longer than the bound ends at its 50th step
            a = self._memo_step(a)[1]
        return a

    def _walk(self, a) -> tuple:
        """(how many steps the walk from `a` takes before it stops, where it stops)."""
        if type(a) is not ir.Var:  # (nothing to remember for a constant)
            go_on, b = self._step(a)
            if go_on:
                distance, answer = self._walk(b)
                return distance + 1, answer
            return 0, b
        name = a.name
        known = self.walks.get(name)
        if known is None:
            step = self.steps.get(name)  # (_memo_step, here without a call of its own)
            if step is None:
                step = self.steps[name] = self._step(a)
            go_on, b = step
            if go_on:  # (the step computed `b`'s shape source, so `b`'s walk is known by now)
                distance, answer = self._walk(b)
                known = (distance + 1, answer)
            else:
                known = (0, b)
            self.walks[name] = known
        return known

    def _memo_step(self, a) -> tuple:
        step = self.steps.get(a.name) if isinstance(a, ir.Var) else None
        if step is None:
            step = self._step(a)
            if isinstance(a, ir.Var):
                self.steps[a.name] = step
        return step

    def _step(self, a) -> tuple:
        """One step of `_shape_source` from `a` (memoised per name): (True, the operand `a` is shaped like),
        or (False, the answer) where the walk stops."""
        d = self._def(a)
        if d is None and type(a) is ir.Var and a.name in self.copies:
            return True, self.copies[a.name]
        if d is None or d.kwargs:
            return False, a
        if d.op == prims.FULL and self._def(d.args[0], prims.SHAPE) is not None:
            return False, self.shape_source(self._def(d.args[0]).args[0])
        if d.op == "getitem" and a.name in self.trims:
            return False, self.trims[a.name]
        arrays = [x for x in d.args if not _num(x)]
        if not arrays:
            return False, a
        first = self.shape_source(arrays[0])
        same = True
        for x in arrays[1:]:  # (each operand's answer is looked up, as the walk needs them memoised)
            if self.shape_source(x) != first:
                same = False
        preserves = self.preserves.get(d.op)
        if preserves is None:
            preserves = self.preserves[d.op] = _preserves_shape(d.op)
        return (True, arrays[0]) if same and preserves else (False, a)

    def _scaled(self, a):
        """(k, y) where `a` is `k * y` or `y * k` of a number k (or `-y`: k is -1) and a name y nothing changes in
        place, else None."""
        d = self._def(a)
        if d is None or d.kwargs:
            return None
        if d.op == "neg" and len(d.args) == 1:
            k, y = ir.Const(-1), d.args[0]
        elif d.op == "mul" and len(d.args) == 2 and (_num(d.args[0]) or _num(d.args[1])):
            k, y = (d.args[0], d.args[1]) if _num(d.args[0]) else (d.args[1], d.args[0])
        else:
            return None
        return (k.value, y) if type(y) is ir.Var and y.name not in self.changed else None

    def rewrite(self, c: ir.Call):
        a = c.args
        if c.kwargs or c.op not in _REWRITTEN:
            return c
        if c.op == "neg" or c.op == "mul" and len(a) == 2 and (_num(a[0]) or _num(a[1])):
            k, v = (-1, a[0]) if c.op == "neg" else (a[0].value, a[1]) if _num(a[0]) else (a[1].value, a[0])
            inner = self._scaled(v)
            if inner is not None and _exact_product(k, inner[0]):  # k * (j * y) -> (k * j) * y
                return ir.Call("mul", (ir.Const(k * inner[0]), inner[1]))
        if c.op == "add" and len(a) == 2:
            n1, n0 = self._def(a[1], "neg"), self._def(a[0], "neg")
            if n1 is not None:
                return ir.Call("sub", (a[0], n1.args[0]))
            if n0 is not None:
                return ir.Call("sub", (a[1], n0.args[0]))
        if c.op == "sub" and len(a) == 2:
            n1 = self._def(a[1], "neg")
            if n1 is not None:
                return ir.Call("add", (a[0], n1.args[0]))
        if c.op in (prims.SHAPE, prims.SIZE, prims.NDIM) and len(a) == 1:
            src = self.shape_source(a[0])
            if src != a[0]:
                return ir.Call(c.op, (src,))
        if c.op == "truediv" and len(a) == 2:  # np.full(np.shape(v), k) / y  ->  k / y  when y is shaped like v
            full = self._def(a[0], prims.FULL)
            if full is not None and not full.kwargs and len(full.args) == 2 and not _num(a[1]):
                shape = self._def(full.args[0], prims.SHAPE)
                if shape is not None and self.shape_source(a[1]) == self.shape_source(shape.args[0]):
                    return ir.Call("truediv", (full.args[1], a[1]))
        if c.op == "s2s.runtime.unbroadcast" and len(a) == 2 and not _num(a[0]) and \
                self.shape_source(a[0]) == self.shape_source(a[1]):
            return a[0]  # already shaped like its target
        if c.op == "s2s.runtime.abs_adjoint" and len(a) == 2:  # rt.abs_adjoint(np.full(np.shape(v), k), y) -> (k, y)
            full = self._def(a[0], prims.FULL)
            shape = full is not None and not full.kwargs and len(full.args) == 2 and self._def(full.args[0], prims.SHAPE)
            if shape and self.shape_source(a[1]) == self.shape_source(shape.args[0]):
                return ir.Call(c.op, (full.args[1], a[1]))
        if c.op == "mul" and len(a) == 2:
            for full_arg, other in ((a[0], a[1]), (a[1], a[0])):
                full = self._def(full_arg, prims.FULL)
                if full is None or full.kwargs or len(full.args) != 2:
                    continue
                if _num(other) and _num(full.args[1]):
                    return ir.Call(prims.FULL, (full.args[0], ir.Const(full.args[1].value * other.value)))
                shape = self._def(full.args[0], prims.SHAPE)
                if shape is not None and not _num(other) and self.shape_source(other) == self.shape_source(shape.args[0]):
                    return ir.Call("mul", (full.args[1], other)) if full_arg is a[0] else ir.Call("mul", (other, full.args[1]))
        return c


# the operations `_Peephole.rewrite` looks at
_REWRITTEN = frozenset({"add", "sub", prims.SHAPE, prims.SIZE, prims.NDIM, "truediv", "s2s.runtime.unbroadcast",
                        "mul", "s2s.runtime.abs_adjoint", "neg"})


def _exact_product(k, j) -> bool:
    """Is `k * (j * y)` the same as `(k * j) * y` for every y: one of k, j a float (so no int array's type and no
    list's repetition changes: a float times a list raises either way) and one a power of two (its product is
    exact, so one rounding gives what two gave), their product finite and not zero? (`100.0 * (2 * d)` of a
    square's adjoint is `200.0 * d`, one pass over an array where two were.)"""
    if type(k) not in (int, float) or type(j) not in (int, float) or float not in (type(k), type(j)) or \
            k == 1 or j == 1:  # (1.0 * y is y where y holds floats: the identity simplify_call applies, not 1.0 * 2)
        return False
    product = k * j
    return product != 0 and math.isfinite(product) and any(
        x != 0 and math.isfinite(x) and math.frexp(abs(x))[0] == 0.5 for x in (k, j))


def _changed_in_place(body: list) -> set:
    """The names that a statement changes in place: an element written (`b[i] = g`), an accumulator added into
    (`rt.add_into(acc, g)`, cse.IMPURE's), a list pushed onto."""
    out = set()
    for s in ir.statements(body):
        v = s.value if type(s) in (ir.Assign, ir.Effect) else None
        if type(v) is ir.Call and v.args and type(v.args[0]) is ir.Var and (
                v.op in ("setitem", "push") or v.op in IMPURE or type(s) is ir.Effect):
            out.add(v.args[0].name)
    return out


def _trims(body: list) -> dict:
    """name -> the first name of its shape, for the parts `x[a:-b]` (a >= 0, b >= 0, no step) of the
    function's own block: with the same a + b of the same x they have one shape, whatever x's length."""
    first: dict = {}
    out: dict = {}
    for s in body:
        if type(s) is not ir.Assign or type(s.value) is not ir.Call or s.value.op != "getitem" \
                or len(s.value.args) != 2 or type(s.value.args[0]) is not ir.Var or type(s.value.args[1]) is not ir.Const:
            continue
        part = s.value.args[1].value
        if type(part) is not slice or part.step not in (None, 1) or type(part.start) not in (int, type(None)) \
                or type(part.stop) not in (int, type(None)):
            continue
        start, stop = part.start or 0, 0 if part.stop is None else part.stop
        if start < 0 or stop >= 0 and part.stop is not None:
            continue  # (x[2:5] or x[-3:] keep their length only while x is long enough; x[1:0] is empty)
        key = (s.value.args[0].name, start - stop)
        out[s.target] = first.setdefault(key, ir.Var(s.target))
    return out


def _preserves_shape(op: str) -> bool:
    if op in ("add", "sub", "mul", "truediv", "pow", "neg", "mod"):
        return True
    rule = registry.reverse_rule(op)
    return rule is not None and rule.broadcast or registry.is_elementwise_nondiff(op)


simplify.in_place = _simplify
