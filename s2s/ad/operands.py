"""How a call's operands meet its rules, the same in every mode.

- `arrays_of_displays(fn, namer)`: a list or tuple (a display, a list grown by appends or a comprehension, a list
  the module holds) that a NumPy or SciPy elementwise function reads (`np.maximum([a, b * b], 0.1)`,
  `np.log(ys)`, `stats.bernoulli.logpmf(K, p)`), and a namedtuple the function builds that any NumPy function
  reads as an array (`np.dot(V2(a, b), w)`, `np.mean(v)`), is read through np.asarray there, as NumPy reads it, so that the
  rules, which apply operators to their operands (`x >= y`, `2.0 * x`, `x - loc`), see an array (a pass over the
  SSA function, returning new IR).
- `plain_augmented(fn, wrt)`: `y[index] op= v` is written `y[index] = rt.augmented(part, part op v, op)` where the
  front end could not tell that y holds floats (NumPy's in-place operator raises on an array of integers where its
  result is a float); where the float analysis shows part holds floats, the value is written as it is.
- `uncovered(op, rule, i)`: why operand `i`, which has a derivative, has no entry in `op`'s tangent rule (None: it
  has one, or a None entry: no derivative in it, an index or a shape), and `operand_refusal` the located error
  for it: a transformation refuses such an operand, never dropping its derivative.
- `refuse_differentiated_index(fn, s, differentiated)`: an index with a derivative (an integer the function is
  differentiated with respect to) of a read `x[i]`, a write `y[i] = v` or `np.add.at(y, i, v)` is refused at the
  user's line in every mode: an index selects, and has no derivative rule.
"""
from __future__ import annotations

import dataclasses
import functools
import inspect
import re

import numpy

from s2s import ir, prims
from s2s.ad.analysis import floats
from s2s.ad.inactive import ITERATED
from s2s.errors import NonDifferentiableError, missing_rule
from s2s.front.alias_iterations import python_number
from s2s.front.scatter_adds import ADDED_AT
from s2s.ir.names import Namer, base_name
from s2s.ir.walk import definitions, map_blocks, rename
from s2s.rules import registry


def arrays_of_displays(fn: ir.Function, namer: Namer) -> ir.Function:
    """`fn` with each list or tuple (a display, a list grown by appends or a comprehension: `sequences`) that a
    NumPy elementwise function reads read through np.asarray there: NumPy makes that array of it itself, and the
    function's rules see it, not the list. The list stays a list for its other readers. Returns new IR (the input
    is not modified)."""
    displays = sequences(fn, maybe=True)  # (a loop's value that starts as a list and becomes an array too)
    # (and a list the module holds: `K = [1, 0, 1]` read by stats.bernoulli.logpmf(K, p))
    displays |= {name for name, held in fn.free.items() if isinstance(held[0], list) and held[0]}
    records = named_tuples(fn)
    asarray = registry.key_of(numpy.asarray)

    def display(a, op) -> bool:  # (a tuple constant, `T = (1, 0, 1)` of the module's, where elementwise)
        if isinstance(a, ir.Var) and a.name in records:
            return _reads_record(op)
        return _reads_arrays(op) and (isinstance(a, ir.Var) and a.name in displays or isinstance(a, ir.Const) and
                                      type(a.value) is tuple and bool(a.value) and _elementwise(op))

    def block(_, items):
        out = []
        for s in items:
            if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) and any(
                    display(a, s.value.op) for a in s.value.args):
                args = []
                for a in s.value.args:
                    if display(a, s.value.op):
                        array = namer.fresh("t")
                        out.append(ir.Assign(array, ir.Call(asarray, (a,)), s.loc, temp=True))
                        a = ir.Var(array)
                    args.append(a)
                s = dataclasses.replace(s, value=ir.Call(s.value.op, tuple(args), s.value.kwargs))
            out.append(s)
        return out
    return dataclasses.replace(fn, body=map_blocks(fn.body, block))


def sequences(fn: ir.Function, maybe: bool = False) -> set[str]:
    """The names of `fn` that surely hold a list or a tuple: made by a display, list(...), tuple(...), sorted(...)
    or an append (a list grown in a loop, a comprehension's, `t = t + (v,)`), `xs + ys` of two such (which the
    front end writes sum([ys], xs)), or a copy or a join (a phi, a jump's value) of only such values. With
    `maybe`, also the joins of such a value and others (`h = [x, x]` then `h = s * 0.5` in a loop: a list on
    its first iteration, an array after)."""
    joins: dict = {}  # a copy's, a phi's target -> the atoms it takes (None: surely a sequence)
    displays: dict = {}  # a list display -> its items
    for s in ir.statements(fn.body):
        cls = type(s)
        if cls is ir.Assign:
            v = s.value
            if type(v) is ir.Call and v.op in prims.SEQUENCES:
                joins[s.target] = None
                if v.op == "list":
                    displays[s.target] = list(v.args)
            elif type(v) is ir.Call and v.op == "builtins.sum" and len(v.args) == 2 and type(v.args[0]) is ir.Var:
                # (the start and the items of a display of sequences: a sequence; an array among them: an array)
                joins[s.target] = [v.args[1], *displays.get(v.args[0].name, [None])]
            elif type(v) is ir.Var:
                joins[s.target] = [v]
        elif cls is ir.If or cls is ir.Loop:
            for p in s.phis:
                joins.setdefault(p.target, []).extend(p.operands)
        elif cls is ir.Break or cls is ir.Continue:
            for target, a in s.values.items():
                joins.setdefault(target, []).append(a)

    def held(a) -> bool:
        return type(a) is ir.Var and a.name in out or type(a) is ir.Const and type(a.value) in (list, tuple)
    if maybe:  # (the least set: a join with one atom that may be a sequence)
        out = {target for target, atoms in joins.items() if atoms is None}
        grown = True
        while grown:
            grown = False
            for target, atoms in joins.items():
                if target not in out and any(held(a) for a in atoms):
                    out.add(target)
                    grown = True
        return out
    # (a loop's phis feed each other: each is taken for a sequence until one of its atoms is surely not)
    out = set(joins)
    dropped = True
    while dropped:
        dropped = False
        for target, atoms in joins.items():
            if target in out and atoms is not None and not (atoms and all(held(a) for a in atoms)):
                out.discard(target)
                dropped = True
    return out


def named_tuples(fn: ir.Function) -> set[str]:
    """The names of `fn` holding a namedtuple (a NamedTuple's too) the function builds (rt.record_new), or an item
    of a list or tuple display of such: NumPy reads one as the tuple of its fields it is (np.dot(V2(a, b), w) is
    a's and b's dot with w)."""
    def named_tuple(cls) -> bool:
        held = fn.free.get(cls.name, (None,))[0] if isinstance(cls, ir.Var) else getattr(cls, "value", None)
        return isinstance(held, type) and issubclass(held, tuple)
    assigned = [s for s in ir.statements(fn.body) if type(s) is ir.Assign and type(s.value) is ir.Call]
    out = {s.target for s in assigned if s.value.op == _RECORD and named_tuple(s.value.args[0])}
    # (and an item of a list or tuple display of such records, `p` of `for p in ps`: ps[k], k a range's)
    displays = {s.target for s in assigned if s.value.op in ("list", "tuple") and s.value.args and
                all(isinstance(a, ir.Var) and a.name in out for a in s.value.args)}
    slices = {s.target for s in assigned if s.value.op == "slice"}
    return out | {s.target for s in assigned if s.value.op == "getitem" and len(s.value.args) == 2 and
                  isinstance(s.value.args[0], ir.Var) and s.value.args[0].name in displays and
                  (type(getattr(s.value.args[1], "value", None)) is int or
                   isinstance(s.value.args[1], ir.Var) and s.value.args[1].name not in slices)}


_RECORD = prims.RECORD_NEW  # (record_new(cls, names, *values): a record the function builds)
# NumPy functions that read their operand as a sequence of arrays, not as one array (np.concatenate(V2(a, b))
# joins fields of any lengths): their rules take the parts as they are
_SEQUENCE_JOINS = (numpy.concatenate, numpy.stack, numpy.hstack, numpy.vstack, numpy.dstack, numpy.column_stack,
                   numpy.block, numpy.array, numpy.asarray, numpy.asanyarray)


AUGMENTED = "s2s.runtime.augmented"


def plain_augmented(fn: ir.Function, wrt) -> ir.Function:
    """`fn` without each `t = rt.augmented(part, value, op)` whose part surely holds floats (analysis.floats, the
    parameters in `wrt` floats), t read as value: NumPy's cast of a float result back into floats passes. Returns
    new IR (the input is not modified)."""
    checks = [s for s in ir.statements(fn.body) if type(s) is ir.Assign and type(s.value) is ir.Call
              and s.value.op == AUGMENTED and type(s.value.args[1]) is ir.Var]
    if not checks:
        return fn
    known = floats(fn, assume=wrt)
    joins = {d.target: list(d.operands) for d in definitions(fn.body) if type(d) is ir.Phi}
    made = {d.target: d.value.args[1] if type(d.value) is ir.Call and d.value.op == AUGMENTED else d.value
            for d in definitions(fn.body) if type(d) is ir.Assign}  # (a check read as the value it passes on)

    def passes(name: str) -> bool:  # (floats, a Python number on every path (`k = 0` then `k += 1`), or a join
        return name in known or python_number(ir.Var(name), lambda n: joins.get(n, made.get(n))) or \
            name in joins and all(o is None or type(o) is ir.Const and type(o.value) in (int, float, bool) or
                                  type(o) is ir.Var and o.name in known for o in joins[name])
        # of floats and Python numbers (`s = 0` then `s += v * v`): never an array of integers
    plain = {s.target: s.value.args[1].name for s in checks
             if isinstance(s.value.args[0], ir.Var) and passes(s.value.args[0].name)}
    if not plain:
        return fn

    def block(_, items):
        return [s for s in items if not (type(s) is ir.Assign and s.target in plain)]
    return dataclasses.replace(fn, body=rename(map_blocks(fn.body, block), plain))


# (functions of linear algebra with an operand that is a sequence of arrays or a (factor, flag) pair)
_SEQUENCE_READERS = frozenset({"numpy.linalg.multi_dot", "scipy.linalg.lu_solve", "scipy.linalg.cho_solve",
                               "scipy.linalg.cho_solve_banded", "scipy.linalg.solve_banded", "scipy.linalg.block_diag"})


def _reads_arrays(op: str) -> bool:
    """Is `op` a NumPy or SciPy function that reads each operand as an array (a list of numbers too): an
    elementwise one, a product (np.dot, np.multiply, np.einsum) or one of linear algebra (np.linalg.norm)?"""
    if not op.startswith(("numpy.", "scipy.")) or op in _SEQUENCE_READERS:
        return False
    if op.startswith(("numpy.linalg.", "scipy.linalg.")):
        return True
    record = registry.PRIMITIVES.get(op)
    return record is not None and record.facts.get("kind") in ("elementwise", "multilinear")


def _reads_record(op: str) -> bool:
    """Does the NumPy or SciPy function `op`, which has a derivative, read a namedtuple operand as an array, the
    tuple of its fields (np.dot, np.sum, np.linalg.norm; np.concatenate joins its fields, np.asarray is the array)?"""
    record = registry.PRIMITIVES.get(op) if op.startswith(("numpy.", "scipy.")) else None
    return record is not None and op not in _SEQUENCE_READERS and op not in _sequence_joins() and \
        record.facts.get("kind") in ("elementwise", "multilinear", "linear", "rule", "reading")


@functools.cache
def _sequence_joins() -> frozenset:
    return frozenset(registry.key_of(f) for f in _SEQUENCE_JOINS)


def _elementwise(op: str) -> bool:
    record = registry.PRIMITIVES.get(op)
    return record is not None and record.facts.get("kind") == "elementwise"


def uncovered(op: str, rule, i: int) -> str | None:
    """Why the tangent rule `rule` of `op` has no entry for its operand `i` (an operand with a derivative), or None
    where it has one, or a None entry (no derivative in it: an index, a shape). Past the tangent parts, and for a
    rule seeing all tangents, the reverse rule's entry says which it is, as reverse mode reads it."""
    if rule.fn is None and i < len(rule.parts):
        return None
    reverse = registry.reverse_rule(op)
    adjoints = reverse.adjoints if reverse is not None and reverse.user is None else None
    if adjoints is None:
        # (a rule seeing all tangents, with nothing to say which operands it takes: all are passed to it)
        return None if rule.fn is not None or integer_operand(op, rule.parts, i) else \
            f"its argument {i + 1} has no derivative rule"
    if i >= len(adjoints):
        return None if integer_operand(op, adjoints, i) else f"its argument {i + 1} has no derivative rule"
    if adjoints[i] is None or rule.fn is not None:
        return None
    return f"its argument {i + 1} has no forward-mode rule"


def integer_operand(op: str, fns, at) -> bool:
    """Is the operand at `at` (a position, or the name it is given by) of NumPy's function `op` a parameter NumPy
    takes only as an integer or integers (prims.INTEGER_PARAMETERS: an axis, a shape, a count, a shift), as `fns`,
    the functions of its rule, name their parameters after (g, ans)? It has no derivative, whatever it is computed
    from: an int kept in a differentiated dict, `x.reshape(t, p["heads"], -1)`, has a zero one."""
    if not op.startswith("numpy."):
        return False
    if type(at) is int:
        names = next((parameters_after_g_ans(f) for f in fns if f is not None), ())
        if at >= len(names):  # (a rule taking *rest, np.expand_dims's: NumPy's own signature names them)
            sig = registry.signature(prims.python_object(op))
            names = tuple(sig.parameters) if sig is not None else ()
        at = names[at] if at < len(names) else None
    return at in prims.INTEGER_PARAMETERS


_PARAMETER_NAMES: dict = {}  # rule function -> its parameter names after (g, ans): inspect.signature is slow


def parameters_after_g_ans(fn) -> tuple:
    """The names of the parameters a rule function takes by position after (g, ans), or (d, ans)."""
    found = _PARAMETER_NAMES.get(fn) if getattr(type(fn), "__hash__", None) is not None else None
    if found is None:
        try:
            found = tuple(p.name for p in inspect.signature(fn).parameters.values()
                          if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))[2:]
        except (TypeError, ValueError):
            found = ()
        if getattr(type(fn), "__hash__", None) is not None:
            _PARAMETER_NAMES[fn] = found
    return found


def has_part(op: str, rule, i: int) -> bool:
    """Has the plain (one tangent) rule of `op` a derivative in operand `i`? (For a rule seeing all tangents, the
    reverse rule's adjoint says so.)"""
    if rule.fn is None:
        return i < len(rule.parts) and rule.parts[i] is not None
    reverse = registry.reverse_rule(op)
    return reverse is None or i >= len(reverse.adjoints) or reverse.adjoints[i] is not None


def index_operands(value: ir.Call) -> range:
    """The positions of the index among the operands of a read or a write at an index: `obj[i, j]` is
    getitem(obj, i, j), `y[i, j] = v` is setitem(y, i, j, v) and np.add.at(y, (i, j), v) adds
    rt.added_at(y, i, j, v) (front/scatter_adds.py); no positions for other calls."""
    if value.op == "getitem":
        return range(1, len(value.args))
    if value.op in ("setitem", ADDED_AT):
        return range(1, len(value.args) - 1)
    return range(0)


def refuse_differentiated_index(fn: ir.Function, s: ir.Assign, differentiated) -> None:
    """Refuse, at the user's line, a read or a write at an index whose index has a derivative (`differentiated(a)`
    says so of an operand): `y[i] = v` with the integer i in wrt would otherwise hand i the written value's
    derivative (the rules of a write have entries for the array and the value only)."""
    for i in index_operands(s.value):
        if differentiated(s.value.args[i]):
            raise operand_refusal(fn, s, i, "its index has a derivative")


_SETTING = ("{0} is differentiated in its other arguments, not in this one, which has a derivative here since it is "
            "computed from what you differentiate. If it is a setting kept with the parameters (a number in a dict you "
            "differentiate), pass it as an argument of its own, outside wrt, or make it a constant of the module: it "
            "then carries no derivative. If you need the derivative in it, write the computation with functions s2s "
            "differentiates in it, or as a function of your own given rules with @s2s.adjoint and @s2s.tangent.")


def operand_refusal(fn: ir.Function, s: ir.Assign, i: int, why: str) -> NonDifferentiableError:
    """The error for operand `i` of the call `s` that its rule has no entry for (`why`), at the user's line. An
    index with a derivative (`obj[t]`, `y[t] = v`, np.add.at(y, t, v)) is named as such: indexing is
    differentiated in the object indexed (and the value written) only; np.r_[p, 1.0] and np.c_[a, b], NumPy's
    index tricks, build arrays from their 'index'."""
    value, loc = s.value, s.loc
    where = (loc.file if loc is not None and loc.file else fn.filename, loc.line if loc is not None else 0,
             loc.text if loc is not None else "")
    if i not in index_operands(value):
        if "forward-mode" in why or value.op in ("call", "callmethod"):
            return missing_rule(value.op, s.loc, fn.filename, why)
        # (never s2s.nondifferentiable of the function, which would drop the derivative in its other arguments too)
        return NonDifferentiableError(prims.spelling(value.op), *where, why, _SETTING.format(prims.spelling(value.op)))
    base = value.args[0]
    obj = fn.free.get(base.name, (None,))[0] if isinstance(base, ir.Var) else None
    trick = next((name for name in ("r_", "c_") if obj is getattr(numpy, name)), None)
    if trick is not None:
        return NonDifferentiableError(
            f"np.{trick}", *where, "s2s does not differentiate np.r_ and np.c_ (NumPy's index tricks)",
            "Join the values with np.concatenate instead: np.concatenate([p, [1.0]]) for np.r_[p, 1.0], "
            "np.column_stack([a, b]) for np.c_[a, b] (np.stack, np.hstack and np.vstack are differentiated too).")
    spelled = _written(fn, base)
    origin = _index_origin(fn, value.args[i])
    if origin is not None:  # (ids a call without a rule computed from what is differentiated: that call is at fault)
        return _index_call_refusal(fn, origin, f"{spelled}[...]", loc)
    iterated = _iterated_index(fn, value.args[i])
    if value.op == "getitem" and iterated is not None:  # (for n in params[k]: grads[k][n], params[k] a dict or rows)
        return NonDifferentiableError(
            f"{spelled}[...]", *where, f"its index {iterated} is what iterating a value gives whose type s2s does not "
            f"know while compiling (an item of a container read by a key known only at run time), which it takes "
            f"for an array, whose rows carry a derivative",
            f"Iterate a dict's keys explicitly, for {iterated} in d.keys() (or for {iterated}, v in d.items()), which "
            f"carry no derivative; or iterate the very container it indexes (for {iterated} in d[k]: ... "
            f"d[k][{iterated}]).")
    if value.op == "getitem":
        return NonDifferentiableError(
            f"{spelled}[...]", *where, "its index has a derivative, and s2s differentiates indexing only in the "
            "object indexed (an index selects; it has no derivative rule)",
            "Call a function of your own instead of indexing, def lookup(obj, t): return obj[t], and give it a rule "
            "with @s2s.tangent(lookup) and @s2s.adjoint(lookup); or pass an index without a derivative.")
    # (np.add.at(y, t, v) is y[t] = rt.added_at(y, t, v): named as the user wrote it, in every mode)
    adds = value.op == ADDED_AT or isinstance(value.args[-1], ir.Var) and any(
        isinstance(d, ir.Assign) and d.target == value.args[-1].name and isinstance(d.value, ir.Call)
        and d.value.op == ADDED_AT for d in ir.statements(fn.body))
    return NonDifferentiableError(
        "np.add.at" if adds else f"{spelled}[...]", *where, "its index has a derivative, and s2s "
        "differentiates an element write only in the array and the value written (an index selects; it has no "
        "derivative rule)",
        "Pass an index without a derivative (leave it out of wrt); or write the update as a function of your own, "
        "def put(y, t, v): y = y.copy(); y[t] = v; return y, and give it a rule with @s2s.tangent(put) and "
        "@s2s.adjoint(put).")


def _written(fn: ir.Function, atom, depth: int = 3) -> str:
    """`atom` as the user wrote it: a name, or a compiler temporary read at a constant key or attribute of one
    (g['x'] for t1 = g['x'], g.x); "the object" for anything else."""
    if not isinstance(atom, ir.Var):
        return "the object"
    made = next((d for d in ir.statements(fn.body) if isinstance(d, ir.Assign) and d.target == atom.name), None)
    if made is None or not made.temp:
        return base_name(atom.name)
    value = made.value
    if depth and isinstance(value, ir.Call) and value.op in ("getitem", "getattr") and len(value.args) == 2 and \
            isinstance(value.args[1], ir.Const):
        inner = _written(fn, value.args[0], depth - 1)
        if inner != "the object":
            key = value.args[1].value
            return f"{inner}.{key}" if value.op == "getattr" else f"{inner}[{key!r}]"
    return "the object"


def _iterated_index(fn: ir.Function, atom) -> str | None:
    """The user's name of the index `atom` where it is an element of `rt.iterated(x)`, x an item read at a key known
    only at run time (`for n in params[k]`: x's type unknown while compiling, its elements taken for an array's
    rows), else None."""
    defs = {s.target: s.value for s in ir.statements(fn.body) if isinstance(s, ir.Assign)}
    made = defs.get(atom.name) if isinstance(atom, ir.Var) else None
    whole = defs.get(made.args[0].name) if isinstance(made, ir.Call) and made.op == "getitem" and \
        isinstance(made.args[0], ir.Var) else None
    item = defs.get(whole.args[0].name) if isinstance(whole, ir.Call) and whole.op == ITERATED and \
        isinstance(whole.args[0], ir.Var) else None
    if not (isinstance(item, ir.Call) and item.op == "getitem" and isinstance(item.args[-1], ir.Var)):
        return None  # (what the function iterates is no item read at a key the run time knows: a list in wrt)
    name = base_name(atom.name)
    return "v" if re.fullmatch(r"t\d*", name) else name


def _index_origin(fn: ir.Function, atom) -> ir.Assign | None:
    """The call without a derivative rule that made the index `atom` (an opaque call or method, a part of its
    result: `d, idx = tree.query(p, k=2)`), through copies and constant indexing; None where another operation
    made it (arithmetic on an integer in wrt: the index itself is differentiated)."""
    defs = {s.target: s for s in ir.statements(fn.body) if isinstance(s, ir.Assign)}
    seen = set()
    while isinstance(atom, ir.Var) and atom.name not in seen:
        seen.add(atom.name)
        s = defs.get(atom.name)
        if s is None:
            return None
        value = s.value
        if isinstance(value, ir.Var):
            atom = value
        elif isinstance(value, ir.Call) and (value.op == "getitem" and len(value.args) == 2 and
                                             isinstance(value.args[1], ir.Const) or value.op == ITERATED):
            atom = value.args[0]  # (d, idx = t: idx = rt.iterated(t)[1])
        elif isinstance(value, ir.Call) and value.op in ("call", "callmethod"):
            return s
        else:
            return None
    return None


def _index_call_refusal(fn: ir.Function, s: ir.Assign, indexing: str, used) -> NonDifferentiableError:
    """The refusal of the call `s` without a rule whose result, computed from what is differentiated, indexes
    (`indexing`, at `used`): at the call's line, since ids carry no derivative and the call is what has no rule."""
    value = s.value
    method = value.args[1].value if value.op == "callmethod" else None
    callee = f"the method .{method}()" if method else fn.opaque.get(value.args[0].name, value.args[0].name) \
        if isinstance(value.args[0], ir.Var) else "the call"
    name = method or callee.split(" (")[0].rpartition(".")[2]
    wrapper = f"def {name}(obj, *args, **kw): return obj.{method}(*args, **kw)" if method else \
        f"def {name}(*args, **kw): return {callee.split(' (')[0]}(*args, **kw)"
    loc = s.loc
    line = f" (at line {used.line})" if used is not None and loc is not None and used.line != loc.line else ""
    return NonDifferentiableError(
        callee, loc.file if loc is not None and loc.file else fn.filename, loc.line if loc is not None else 0,
        loc.text if loc is not None else "",
        f"it has no derivative rule, and its result, computed from what you differentiate, indexes {indexing}{line}",
        f"An index selects and carries no derivative: compute the ids outside the function you differentiate and "
        f"pass them in, or call it through a function of your own marked so, {wrapper}, then "
        f"s2s.nondifferentiable({name}) (its other results then carry none either: where one needs its derivative, "
        f"compute it from the ids with functions s2s differentiates).")

