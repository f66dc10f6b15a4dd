"""Conditions that are constants: the comparison folded, the branch not taken dropped.

A helper called with a literal argument tests constants once inlined: `rot(angles[0], 2)` of

    def rot(a, axis):
        if axis == 0: ...
        elif axis == 1: ...
        else: ...

is `t2 = 2 == 0; if t2: ... else: t9 = 2 == 1; if t9: ...`. A comparison (`in` too), `not`, `and` or `or` of
constants (numbers, strings, bools, None, tuples of them) becomes its value (`and`/`or` whose first operand is
one: that operand, or the second), and an `if` on a constant becomes the block that runs, its phis that block's operands, read where the
join was (a version of an array written in place keeps its name, assigned); a `while` whose test is a false
constant is never entered. Where the block that runs leaves at its end (`n = 3; if n > 2: break`), what follows it
in the enclosing block is never reached and is dropped: a branch that now always leaves no longer reaches its
join (its phis' operand None), a loop body that now always leaves no longer reaches its back edge (the header
phis' operand the phi itself, as the front writes `for ...: ...; break`), and the loop reads as the user would
write it, `break` at the end of its body, not `if True: break` and an `if not True:` in the adjoint. Nothing is
differentiated, saved or generated for the branches no call can take (the rotations: 3 of 9 matrices' code,
forward and adjoint).
"""
from __future__ import annotations

import copy

from s2s import ir, prims
from s2s.ir.walk import substitute_block

_PLAIN = (bool, int, float, str, type(None))
# the tests folded (`kind in ("l1", "l2")`), by prims.CONSTANT_OPS; `is` only where one side is a prims.SINGLETONS
_FOLDED = frozenset({*prims.COMPAREOPS, "not", *prims.BOOLOPS})


def fold_constant_branches(fn: ir.Function) -> ir.Function:
    for _ in range(3):  # (a condition a fold made constant, `if not flag` of a join folded after it: again)
        folded = _fold_once(fn)
        if folded is fn:
            return fn
        fn = folded
    return fn


def _fold_once(fn: ir.Function) -> ir.Function:
    if not any(type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op in _FOLDED or type(s) is ir.If
               and _constant(s.test, {}) is not None for s in ir.statements(fn.body)):
        return fn
    original, fn = fn, copy.deepcopy(fn)
    known: dict = {}  # name -> the constant (or the name) it holds
    # (a name -> the array it is a version of; a join's array that became one of its operands -> that one's array)
    roots = {n: r for s in ir.statements(fn.body) for n, r in _arrays_made(s)}
    moved: dict = {}
    fn.body = _fold(fn.body, known, roots, moved)
    if not known and _branches(fn.body) == _branches(original.body):
        return original  # (comparisons of data only: nothing folded)
    if known:
        substitute_block(fn.body, known)
    if moved:  # (versions of the join's array are versions of the operand's: written in place under its name; an
        # operand no array's version, a loop's phi of `out = out + v; break`, is that array as the join was)
        own = set(moved.values()) - set(roots)
        for s in ir.statements(fn.body):
            for made in [s] + list(getattr(s, "phis", ())):
                if getattr(made, "array", None) in moved:
                    made.array = moved[made.array]
                elif getattr(made, "target", None) in own and made.array is None:
                    made.array = made.target
    return fn


def _branches(stmts: list) -> int:
    return sum(type(s) in (ir.If, ir.Loop) for s in ir.statements(stmts))


def _arrays_made(s):
    if type(s) is ir.Assign and s.array is not None:
        yield s.target, s.array
    for p in getattr(s, "phis", ()):
        if p.array is not None:
            yield p.target, p.array


def _join(phis: list, taken: int, known: dict, roots: dict, moved: dict) -> None:
    """The phis of a join only one of whose operands can arrive: that operand, read where the join was. A join that
    is an array written in place after it (its own array: `y_2` of `if c: y = y + x` before `y[1] = 2.0`) is the
    operand's array from then on (`moved`)."""
    for p in phis:
        atom = _resolved(p.operands[taken], known)
        known[p.target] = atom
        if p.array is not None and type(atom) is ir.Var:
            moved[p.array] = moved.get(roots.get(atom.name, atom.name), roots.get(atom.name, atom.name))


def _resolved(a, known: dict):
    return known.get(a.name, a) if type(a) is ir.Var else a


def _constant(a, known: dict):
    """The constant atom `a` is (a name of a folded comparison: its constant), or None."""
    if type(a) is ir.Var:
        a = known.get(a.name, a)
    return a if type(a) is ir.Const and _plain(a.value) else None


def _plain(v) -> bool:
    """Is `v` a constant whose truth and comparisons are Python's here: a number, a string, a bool, None, or a
    tuple of them (an option's `LAYERS = (3, 2)`: `if LAYERS:`)?"""
    return type(v) in _PLAIN or type(v) is tuple and all(_plain(x) for x in v)


def _fold(stmts: list, known: dict, roots: dict, moved: dict) -> list:
    out: list = []
    for at, s in enumerate(stmts):
        if type(s) is ir.Assign and type(s.value) is ir.Call and s.value.op in _FOLDED and not s.value.kwargs:
            args = [_constant(a, known) for a in s.value.args]
            first = args[0] if args else None
            if s.value.op in ("and", "or") and first is not None and len(args) == 2 and \
                    any(a is None for a in args):  # (`3 < 2 and i > 0`: the first operand decides, or the second is it)
                decides = bool(first.value) is (s.value.op == "or")
                known[s.target] = first if decides else _resolved(s.value.args[1], known)
                continue
            if args and all(a is not None for a in args) and (s.value.op not in ("is", "isnot") or any(
                    a.value is v for a in args for v in prims.SINGLETONS)):
                try:
                    value = prims.CONSTANT_OPS[s.value.op](*(a.value for a in args))
                except TypeError:  # (`1 < "a"`: Python raises it when the function runs; left to do so)
                    value = None
                else:
                    if _plain(value):
                        known[s.target] = ir.Const(value)
                        continue
        if type(s) is ir.If:
            test = _constant(s.test, known)
            taken = None if test is None else 0 if test.value else 1
            block = s.body if taken == 0 else s.orelse
            if taken is not None and _leaves(block):  # (`if n > 2: break`: what follows is never reached)
                out.extend(_fold(block, known, roots, moved))
                return out
            if taken is not None and all(p.operands[taken] is not None for p in s.phis):
                out.extend(_fold(block, known, roots, moved))
                _join(s.phis, taken, known, roots, moved)
                continue
            left = _leaves(s.body), _leaves(s.orelse)
            s.body, s.orelse = _fold(s.body, known, roots, moved), _fold(s.orelse, known, roots, moved)
            leaves = _leaves(s.body), _leaves(s.orelse)
            if leaves != left:  # (a branch left by a folded if: it no longer reaches the join)
                out.append(s)
                if all(leaves):
                    s.phis = []
                    return out
                # (only the other branch goes on: the join is its end, and what follows is its, as the front
                # writes `if c: ...; break` followed by more)
                stays = s.orelse if leaves[0] else s.body
                _join(s.phis, 1 if leaves[0] else 0, known, roots, moved)
                s.phis = []
                stays.extend(_fold(stmts[at + 1:], known, roots, moved))
                return out
        elif type(s) is ir.Loop:
            s.header = _fold(s.header, known, roots, moved)
            test = _constant(s.test, known) if s.kind == "while" else None
            if test is not None and not test.value:  # (`while flag and ...` with flag False: never entered)
                out.extend(s.header)
                _join(s.phis, 0, known, roots, moved)
                continue
            left = _leaves(s.body)
            s.body = _fold(s.body, known, roots, moved)
            if _leaves(s.body) and not left:  # (the end of the body is never reached: no back edge from there)
                for p in s.phis:
                    p.operands[1] = ir.Var(p.target)
            _constant_phis(s, known)
        out.append(s)
    return out


def _leaves(stmts: list) -> bool:
    """Does every path through `stmts` leave at its end (break, continue or return, at this loop level)?"""
    if not stmts:
        return False
    last = stmts[-1]
    if type(last) in (ir.Break, ir.Continue, ir.Return):
        return True
    return type(last) is ir.If and _leaves(last.body) and _leaves(last.orelse)


def _constant_phis(loop: ir.Loop, known: dict) -> None:
    """A loop's phi that every way into the header gives one constant (a return flag `returned = False` whose
    `return` a literal dropped: False from before the loop, at the back edge, at each break) is that constant."""
    jumps = [t for t in _exits(loop.body)]
    for p in list(loop.phis):
        values = [_resolved(o, known) for o in p.operands if o is not None and o != ir.Var(p.target)]
        values += [_resolved(j.values[p.target], known) for j in jumps
                   if p.target in j.values and j.values[p.target] != ir.Var(p.target)]
        first = values[0] if values else None
        if p.array is None and type(first) is ir.Const and type(first.value) in _PLAIN and all(
                type(v) is ir.Const and type(v.value) is type(first.value) and v.value == first.value for v in values):
            known[p.target] = first
            loop.phis.remove(p)
            for j in jumps:
                j.values.pop(p.target, None)


def _exits(stmts: list):
    """The breaks and continues of this loop in `stmts` (not those of loops nested in it)."""
    for s in stmts:
        if type(s) in (ir.Break, ir.Continue):
            yield s
        elif type(s) is ir.If:
            yield from _exits(s.body)
            yield from _exits(s.orelse)
