"""Shapes read from values the reverse sweep keeps anyway, not from arrays kept only for their shape.

A forward value the adjoint reads only for its shape holds a whole array until then. Two rewrites, both exact:

    bt16 = rt.sum_adjoint(bt17, t16, 2, False)     # t16 = lx * lx: the shape of lx
    ->  bt16 = rt.sum_adjoint(bt17, lx, 2, False)

    bt12 = rt.unbroadcast(blx, t12)                # t12 = np.einsum(spec, a, b), bt12 read only by
    blower = rt.einsum_adjoint(bt12, spec, 0, a, b)  # the einsum's adjoints, which sum it back themselves
    ->  blower = rt.einsum_adjoint(blx, spec, 0, a, b)

A shape read (the target of `rt.unbroadcast`, `rt.sum_adjoint`, `rt.mean_adjoint`, `rt.diff_adjoint`, `np.shape`)
moves from `v` to `x`, both defined outside loops, where v keeps x's shape whatever x is: `-x`, `x * x`, `x - c`, `x / c`, `x ** c`, `x * c` and `x + c` for a
number c (a float for `*`: `xs * 2` repeats a list), never `x + x` (which joins two lists). Then `t16` and `t12`
are read once, folded into the expressions that read them, and freed there (GMM d=10: two arrays of 2 MB that
lived to the end of the sweep).

`np.shape(v)` of an elementwise expression made only for its shape (`np.full(np.shape(0.5 * t2 ** 2 + log_sigma +
c), 1.0)`, np.sum's adjoint) reads the shapes of the expression's leaves instead: `np.shape(t2)`, or one tuple,
`np.broadcast_shapes(np.shape(t2), np.shape(log_sigma))`, where every step is NumPy's broadcasting whatever its
operands are: `-`, `/`, `**` and NumPy's elementwise functions (which no list or tuple takes otherwise), `+` and
`*` where an operand is a number or neither is a sequence (`xs + ys` joins two lists, `xs * 2` repeats one). A
number (`math.log(2 * math.pi)`, a constant) adds no axis. The expression itself is then dead code.
"""
from __future__ import annotations

import copy
import dataclasses

from s2s import ir, prims
from s2s.ir.names import Namer
from s2s.ir.shape_keeping import kept
from s2s.ir.walk import count_uses, defined_names, map_blocks, map_statements, outside_loops, used_names
from s2s.rules import registry

SHAPE_READS = {"s2s.runtime.unbroadcast": 1, "s2s.runtime.sum_adjoint": 1, "s2s.runtime.mean_adjoint": 1,
               "s2s.runtime.diff_adjoint": 1,
               prims.ATTRIBUTES["shape"]: 0}  # (np.shape)
UNBROADCAST = "s2s.runtime.unbroadcast"
EINSUM, EINSUM_ADJOINT = prims.EINSUM, "s2s.runtime.einsum_adjoint"


def shape_sources(fn: ir.Function) -> ir.Function:
    return _shapes(copy.deepcopy(fn))


def _shapes(fn: ir.Function) -> ir.Function:
    """`shape_sources`, changing `fn` itself (`optimize` runs it on its own copy)."""
    if not any(type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op in SHAPE_READS
               for s in ir.statements(fn.body)):
        return fn
    # (definitions outside loops: a loop's phi holds its exit value after it, not what an iteration read)
    calls = {s.target: s.value for s in outside_loops(fn.body) if type(s) is ir.Assign and type(s.value) is ir.Call}
    uses: dict = {}
    count_uses(fn.body, uses)
    readers: dict = {}  # name -> the calls reading it (by target)
    for n, c in calls.items():
        for a in c.args:
            if type(a) is ir.Var:
                readers.setdefault(a.name, []).append(n)
    summed = {}  # bt12 -> blx, for `bt12 = rt.unbroadcast(blx, t12)` read only by t12's einsum adjoints
    for n, c in calls.items():
        if c.op == UNBROADCAST and not c.kwargs and len(c.args) == 2 and type(c.args[1]) is ir.Var:
            made = calls.get(c.args[1].name)
            users = readers.get(n, [])
            if made is not None and made.op == EINSUM and not made.kwargs and users and \
                    len(users) == uses.get(n) and all(_adjoint_of(calls[u], n, made) for u in users):
                summed[n] = c.args[0]

    def rewrite(s):
        if type(s) is not ir.Assign or type(s.value) is not ir.Call:
            return s
        c = s.value
        k = SHAPE_READS.get(c.op)
        if k is not None and len(c.args) > k and type(c.args[k]) is ir.Var:
            source = _source(c.args[k].name, calls)
            if source != c.args[k].name:
                args = list(c.args)
                args[k] = ir.Var(source)
                return dataclasses.replace(s, value=ir.Call(c.op, tuple(args), c.kwargs))
        if c.op == EINSUM_ADJOINT and type(c.args[0]) is ir.Var and c.args[0].name in summed:
            return dataclasses.replace(s, value=ir.Call(c.op, (summed[c.args[0].name],) + c.args[1:], c.kwargs))
        return s
    fn.body = map_statements(fn.body, rewrite)
    if any(c.op == prims.SHAPE for c in calls.values()):
        uses = {}  # (the reads of the shape sources just moved count no more)
        count_uses(fn.body, uses)
        _leaf_shapes(fn, dict(calls), uses)
    return fn


shape_sources.in_place = _shapes


def _leaf_shapes(fn: ir.Function, calls: dict, uses: dict) -> None:
    """`np.shape(v)` of an elementwise expression v (defined outside loops) read from the shapes of its leaves:
    the values it is made of that something else reads too (kept anyway), or that are no such expression."""
    namer = None

    def block(_, items):
        nonlocal namer
        out = []
        for s in items:
            c = s.value if type(s) is ir.Assign else None
            if type(c) is ir.Call and c.op == prims.SHAPE and len(c.args) == 1 and not c.kwargs and \
                    type(c.args[0]) is ir.Var:
                leaves = _leaves(c.args[0].name, calls, uses)
                if leaves is not None and leaves != [c.args[0].name]:
                    if len(leaves) == 1:
                        s = dataclasses.replace(s, value=ir.Call(prims.SHAPE, (ir.Var(leaves[0]),)))
                    elif not leaves:
                        s = dataclasses.replace(s, value=ir.Const(()))
                    else:
                        if namer is None:
                            namer = Namer(set(fn.params) | set(defined_names(fn.body)) | set(fn.free) |
                                          used_names(fn.body))
                        shapes = []
                        for leaf in leaves:
                            shapes.append(ir.Var(namer.fresh("t")))
                            out.append(ir.Assign(shapes[-1].name, ir.Call(prims.SHAPE, (ir.Var(leaf),)), s.loc,
                                                 temp=True))
                        s = dataclasses.replace(s, value=ir.Call(BROADCAST_SHAPES, tuple(shapes)))
            out.append(s)
        return out
    fn.body = map_blocks(fn.body, block)


BROADCAST_SHAPES = "numpy.broadcast_shapes"
_NO_SEQUENCES = frozenset({"sub", "truediv", "pow", "neg"})  # (a list or a tuple takes none of them)
_INT_MATH = frozenset({"math.floor", "math.ceil", "math.trunc", "math.factorial", "math.comb", "math.perm",
                       "math.gcd", "math.lcm", "math.isqrt", "math.prod"})


def _leaves(v: str, calls: dict, uses: dict) -> list | None:
    """The names whose shapes broadcast to v's, v an elementwise expression of them and of numbers (each step
    NumPy's broadcasting, whatever the operands are); [] for a number; None where some step may not be."""
    out: list = []

    def walk(name: str, depth: int) -> bool:
        c = calls.get(name)
        if c is None or depth > 40 or depth and uses.get(name, 0) > 1 or not _broadcasting(c, calls):
            if name not in out:
                out.append(name)
            return True
        for a in c.args:
            if type(a) is ir.Var:
                if not _math_number(a.name, calls) and not walk(a.name, depth + 1):
                    return False
            elif not (type(a) is ir.Const and type(a.value) in (int, float, complex, bool)):
                return False
        return True
    return out if walk(v, 0) else None


def _broadcasting(c: ir.Call, calls: dict, depth: int = 0) -> bool:
    """Is the result of `c` its operands broadcast together, whatever they are (not a list joined or repeated)?"""
    if c.kwargs or depth > 40 or not all(type(a) is ir.Var or type(a) is ir.Const and
                                         type(a.value) in (int, float, complex, bool) for a in c.args):
        return False
    if c.op in _NO_SEQUENCES:
        return True
    if c.op == "add" and len(c.args) == 2:  # (a sequence joins only a sequence)
        return any(_not_sequence(a, calls, depth + 1) for a in c.args)
    if c.op == "mul" and len(c.args) == 2:  # (a sequence is repeated by an int, np.int64 too)
        return any(_float(a, calls) for a in c.args) or all(_not_sequence(a, calls, depth + 1) for a in c.args)
    if c.op.startswith("numpy."):
        rule = registry.reverse_rule(c.op)
        return rule is not None and rule.broadcast
    return False


def _math_number(name: str, calls: dict) -> bool:
    """Is `name` surely a Python number (math's functions give numbers), which adds no axis?"""
    c = calls.get(name)
    return c is not None and c.op.startswith("math.") and not c.kwargs and registry.of_numbers(c.op)


def _float(a, calls: dict) -> bool:
    """Is `a` surely a float (a constant, or a function of math's that gives one): no sequence takes `*` by it."""
    if type(a) is ir.Const:
        return type(a.value) in (float, complex)
    c = calls.get(a.name)
    return c is not None and _math_number(a.name, calls) and c.op not in _INT_MATH


def _not_sequence(a, calls: dict, depth: int) -> bool:
    """Is `a` surely no list or tuple (a number, an array, NumPy's scalar)? (Each name's answer is kept in
    `calls` under ("not a sequence", name): `x + x` of `x + x` of ... is asked once per name, not once per path.)"""
    if type(a) is ir.Const:
        return type(a.value) in (int, float, complex, bool)
    key = ("not a sequence", a.name)
    if key not in calls:
        c = calls.get(a.name)
        calls[key] = c is not None and (_math_number(a.name, calls) or _broadcasting(c, calls, depth))
    return calls[key]


def _adjoint_of(c: ir.Call, g: str, made: ir.Call) -> bool:
    """Is `c` an adjoint of the einsum `made`, of its cotangent `g` (`rt.einsum_adjoint(g, spec, i, *ops)`)?"""
    return c.op == EINSUM_ADJOINT and not c.kwargs and c.args[0] == ir.Var(g) and \
        c.args[1] == made.args[0] and c.args[3:] == made.args[1:] and list(c.args).count(ir.Var(g)) == 1


def _source(v: str, calls: dict) -> str:
    """The name whose shape `v` has for certain, following definitions that keep their operand's shape."""
    for _ in range(100):
        c = calls.get(v)
        if c is None:
            return v
        x = kept(c)
        if x is None:
            return v
        v = x
    return v
