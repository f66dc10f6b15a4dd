"""Which values are one element of an array, whatever the arguments are: `U[t, i]` of `U = np.zeros((n + 1, m))`.

An element loop (`U[t + 1, i] = U[t, i] + a * (U[t, i + 1] - ...)`) reads numbers; where s2s knows it, their
adjoints need no broadcasting undone and a reversed loop saves no shape of them per iteration. The facts are
the flattened definitions `scalars` (scalars.py) reads: (target, op, args, kwargs).
"""
from __future__ import annotations

from s2s import ir, prims

ITERATES = "<iterates>"  # the fact of a for loop's target: one element of its iterable

_ARITHMETIC = frozenset({"add", "sub", "mul", "truediv", "neg", "pos", "pow"})  # (elementwise: an array's axes kept)
_INT_ARITHMETIC = frozenset({"add", "sub", "mul", "floordiv", "mod", "neg", "pos"})  # (of ints: an int)


def elements(facts: list) -> set[str]:
    """The names that read one element of an array of known rank at integer indices, `U[t, i]` of `U =
    np.zeros((n + 1, m))` (or a version of it, written in place or joined) at loop indices: numbers, whatever
    the arguments are. (The shape of an element loop's values is then no fact to save per iteration.)"""
    defs = {t: (op, args, kwargs) for t, op, args, kwargs in facts}
    ints = _greatest(facts, lambda op, args: _int_needs(op, args, defs))
    ranks = _ranks(facts, defs, ints)
    out = set()
    for target, op, args, kwargs in facts:
        if op != "getitem" or kwargs or type(args[0]) is not ir.Var or args[0].name not in ranks:
            continue
        index = list(args[1:])
        if len(index) == 1 and type(index[0]) is ir.Var and defs.get(index[0].name, ("",))[0] == "tuple":
            index = list(defs[index[0].name][1])  # (U[(t, i)])
        if index and len(index) == ranks[args[0].name] and all(_is_int(a, ints) for a in index):
            out.add(target)
    return out


def _is_int(a, ints: set) -> bool:
    if a is None:  # (a join's operand no path gives: a loop's phi fed by a break that does not bind the name)
        return False
    return type(a.value) is int if type(a) is ir.Const else a.name in ints


def _int_needs(op: str, args, defs: dict):
    """What must be an int for the value `op(*args)` to be a Python or NumPy int: [] always, None never."""
    if op == ITERATES:
        return [] if type(args[0]) is ir.Var and defs.get(args[0].name, ("",))[0] == "builtins.range" else None
    if op in ("builtins.len", "builtins.int", prims.NDIM, prims.SIZE):
        return []
    if op == "getitem" and len(args) == 2 and type(args[0]) is ir.Var and \
            defs.get(args[0].name, ("",))[0] == prims.SHAPE and type(args[1]) is ir.Const and \
            type(args[1].value) is int:
        return []  # (an entry of a shape: x.shape[0]; x.shape[1:] is a tuple)
    if op in _INT_ARITHMETIC or op in ("copy", "phi", "loopphi"):
        return list(args)
    return None


def _greatest(facts: list, needs) -> set[str]:
    """The greatest set of targets whose `needs(op, args)` (atoms that must be in the set; constants: ints) hold."""
    rules = {t: needs(op, args) for t, op, args, kwargs in facts if not kwargs}
    rules = {t: r for t, r in rules.items() if r is not None}
    found = set(rules)
    changed = True
    while changed:  # (a name whose needs fail makes every name needing it fail)
        changed = False
        for t in list(found):
            if not all(_is_int(a, found) for a in rules[t]):
                found.discard(t)
                changed = True
    return found


def _ranks(facts: list, defs: dict, ints: set) -> dict:
    """The number of axes of arrays np.zeros, np.ones, np.empty and np.full make with a shape of known length (an
    int, a tuple display), through their versions written in place and the joins of them alone."""
    made = {}
    for t, op, args, kwargs in facts:
        if op in prims.FILLED or op == prims.FULL:
            shape = args[0] if args else dict(kwargs).get("shape")
            if type(shape) is ir.Const and type(shape.value) is tuple:
                made[t] = len(shape.value)
            elif type(shape) is ir.Var and defs.get(shape.name, ("",))[0] == "tuple":
                made[t] = len(defs[shape.name][1])
            elif shape is not None and _is_int(shape, ints):
                made[t] = 1
    for t, op, args, kwargs in facts:  # (np.zeros(...) + 1e9: arithmetic with numbers keeps the array's axes)
        arrays = [a for a in args if type(a) is ir.Var]
        if op in _ARITHMETIC and not kwargs and len(arrays) == 1 and arrays[0].name in made and all(
                type(a) is ir.Var or type(a.value) in (int, float) for a in args):
            made[t] = made[arrays[0].name]
    follows = {t: [a for a in (args[:1] if op in ("setitem", "copy") else args)]
               for t, op, args, kwargs in facts if op in ("setitem", "copy", "phi", "loopphi")}
    ranks = dict(made)
    changed = True
    while changed:  # (a loop's phi assumed of its first value's rank, the facts listing it after its body)
        changed = False
        for t, operands in follows.items():
            first = operands[0] if operands else None
            if t not in ranks and type(first) is ir.Var and first.name in ranks:
                ranks[t] = ranks[first.name]
                changed = True
    while True:  # (then every operand of a version or a join must agree: one that does not drops it)
        wrong = {t for t, operands in follows.items() if t in ranks and
                 any(type(a) is not ir.Var or ranks.get(a.name) != ranks[t] for a in operands)}
        if not wrong:
            return ranks
        for t in wrong:
            del ranks[t]
