"""SSA construction of expressions: each Python expression becomes three-address statements and an atom.

`and`/`or`/`x if c else y` become conditionals so that only the operand Python
evaluates is evaluated, constants are folded, `*xs` and `**d` are spread where
their values are known here. Lists and tuples joined or repeated (`xs + ys`, `xs * 2`)
are new sequences of their parts. An iterator (a generator expression, zip, map) is
computed as a list only where Python reads it wholly right where it is made (`sum(...)`,
`list(...)`), else refused; any()/all() of a generator expression and a for loop over one or over map(...)
are the loops Python runs (generators.py), which stop early; iterating a dict gives its keys. Calls are
recognised in calls.py. `ExpressionLowering` holds these methods of the SSA builder (ssa.py).
"""
from __future__ import annotations

import ast
import copy
import itertools
import math

from s2s import ir, prims
from s2s.front.attributes import AttributeLowering
from s2s.front.folds import filtered_list, first_value, is_first, is_reduce, reduced_value
from s2s.front.library_loops import (LOOPED, fmean_value, is_fmean, is_spread, library_kind, library_list,
                                     spread_value)
from s2s.front.fromiter import fromiter_array, is_fromiter
from s2s.front.inlining import Spread
from s2s.front.generators import short_circuit_loops
from s2s.front.operators import builtin_call, operator_call
from s2s.ir.walk import is_slice
from s2s.iterator_advice import iterator_advice


_FOLDABLE = {
    **{op: prims.CONSTANT_OPS[op] for op in ("add", "sub", "mul", "truediv", "pow", "neg", "floordiv", "mod", "not")},
    # (`hi is None` of a default inlined: a singleton's identity is its value; two numbers' is not, so refused)
    "is": lambda a, b: a is b if _singleton(a) or _singleton(b) else _unknown(),
    "isnot": lambda a, b: a is not b if _singleton(a) or _singleton(b) else _unknown(),
    # (float('inf'), as generated code spells np.inf: a constant again where it reads it, as [np.inf] * n needs)
    "builtins.float": lambda a: float(a) if isinstance(a, str) else _unknown(),
}


def _singleton(v) -> bool:
    return any(v is s for s in prims.SINGLETONS)


def _parts(rows: ast.expr, text: str) -> str:
    """`a = [p[0] for p in rows]; b = [p[1] for p in rows]` for `a, b = zip(*rows)` (the statement `text`), a
    comprehension per name bound, or per part of the items a comprehension makes (`zip(*[(p[0], p[1]) for p in
    P])`: `[p[0] for p in P]`)."""
    try:
        stmt = ast.parse(text.strip()).body
    except SyntaxError:
        stmt = []
    names = [ast.unparse(t) for t in stmt[0].targets[0].elts] if len(stmt) == 1 and isinstance(stmt[0], ast.Assign) \
        and isinstance(stmt[0].targets[0], (ast.Tuple, ast.List)) else ["first", "second"]
    made = isinstance(rows, (ast.ListComp, ast.GeneratorExp)) and isinstance(rows.elt, ast.Tuple) and \
        len(rows.elt.elts) >= len(names)
    used = {n.id for n in ast.walk(rows) if isinstance(n, ast.Name)}
    item = next(n for n in ("p", "item", "row", "item_") if n not in used)
    loop = "".join(ast.unparse(g) for g in rows.generators) if made else f" for {item} in {ast.unparse(rows)}"
    return "; ".join(f"{n} = [{ast.unparse(rows.elt.elts[k]) if made else f'{item}[{k}]'}{loop}]"
                     for k, n in enumerate(names))


def _unknown():
    raise ValueError("not known while compiling")  # (fold_call then keeps the call)


# calls whose value is surely a list or tuple (displays aside): a sequence `+` and `*` join and repeat
_SEQUENCES = frozenset({*prims.SEQUENCES, "s2s.runtime.dict_keys", "s2s.runtime.dict_values", "s2s.runtime.dict_items"})


_DICTS = frozenset({"s2s.runtime.dict_of", "s2s.runtime.dict_from_pairs", "builtins.dict"})  # calls making a dict
_ITERATORS = (zip, enumerate, reversed, map, filter)  # builtins whose value is an iterator, read as it goes
_CONSUMERS = (sum, any, all, list, tuple, sorted, dict, min, max)  # builtins that read an iterable wholly, at once
_LIBRARY_CONSUMERS = (math.fsum, math.prod)  # library functions with a rule that read an iterable wholly, at once
_ITERATOR_NAMES = frozenset(f.__name__ for f in _ITERATORS)
_CONSUMER_NAMES = frozenset(f.__name__ for f in _CONSUMERS + (set,))


class ExpressionLowering(AttributeLowering):
    """(mixed into _Builder; reads the rest of its state through `self`)"""

    def _resolves_to(self, func_node, obj) -> bool:
        return isinstance(func_node, ast.Name) and not self.sees(func_node.id) and self.src.resolve(func_node.id) is obj

    def atom(self, node, hint: str | None = None) -> ir.Atom:
        return self.materialise(self.expr(node, hint), hint)

    def fold_call(self, op: str, args: tuple, kwargs: tuple = ()) -> ir.Expr:
        """A Call, or its value when every operand is a constant of a pure operator."""
        if all(isinstance(a, ir.Const) for a in args) and not kwargs and op in _FOLDABLE:
            try:
                return ir.Const(_FOLDABLE[op](*[a.value for a in args]))
            except Exception:
                pass
        if op == "getitem" and len(args) == 2 and isinstance(args[1], ir.Const) and isinstance(args[1].value, int):
            parts = self._tuple_parts(args[0])
            if parts is not None and -len(parts) <= args[1].value < len(parts):  # (else Python's IndexError,
                return parts[args[1].value]                                       # when it runs)
        if op == "getitem" and len(args) == 2 and isinstance(args[1], ir.Const) and isinstance(args[1].value, slice):
            parts = self._tuple_parts(args[0])  # t[:2] of a tuple or list written here: its values, known here
            made = self.definitions.get(args[0].name) if isinstance(args[0], ir.Var) else None
            kind = "tuple" if isinstance(args[0], ir.Const) else getattr(made, "op", None)
            if parts is not None and kind in ("tuple", "list"):
                var = self.sequence(kind, tuple(parts[args[1].value]))
                if isinstance(var, ir.Var):
                    self.tuples[var.name] = list(parts[args[1].value])
                return var
        if op == "getitem" and len(args) == 2 and isinstance(args[1], ir.Const) and isinstance(args[0], ir.Var) \
                and args[0].name in self.dicts and args[1].value in self.dicts[args[0].name]:
            return self.dicts[args[0].name][args[1].value]  # d["w"] of a dict written out here: its value
        return ir.Call(op, tuple(args), tuple(kwargs))

    def expr(self, node, hint: str | None = None) -> ir.Expr:
        if isinstance(node, ast.Constant):
            if type(node.value) is complex:  # (docs/limitations.md, Complex numbers)
                raise self.error(node, "a complex number")
            return ir.Const(node.value)
        if isinstance(node, ast.Name):
            return self.read(node.id, node)
        if isinstance(node, ast.BinOp):
            found = self.joined(node, hint)  # xs + [v] of a list the function made: a new list
            if found is not None and found[1] is not None:
                return found[1]
            left = found[0] if found is not None else self.atom(node.left)
            op, right = prims.AST_TO_OP[type(node.op)], self.atom(node.right)
            joined = operator_call(self, op, (left, right), node, hint)  # (a class's __mul__: its method)
            joined = joined if joined is not None else self.sequence_operation(op, left, right, node, hint)
            return joined if joined is not None else self.fold_call(op, (left, right))
        if isinstance(node, ast.UnaryOp):
            operand = self.atom(node.operand)
            if isinstance(node.op, ast.UAdd) and isinstance(operand, ir.Const):
                return operand
            called = operator_call(self, prims.AST_TO_OP[type(node.op)], (operand,), node, hint)
            return called if called is not None else self.fold_call(prims.AST_TO_OP[type(node.op)], (operand,))
        if isinstance(node, ast.Compare):
            known = self.type_test(node)  # type(xs) is dict of a list the function made: known here
            if known is not None:
                return known
            return self.comparison(self.atom(node.left), node.ops, node.comparators, node)
        if isinstance(node, ast.BoolOp):
            first = self.atom(node.values[0])
            if len(node.values) == 1:
                return first
            rest = ast.copy_location(ast.BoolOp(node.op, node.values[1:]), node.values[1])
            return self.short_circuit(first, lambda: self.atom(rest), isinstance(node.op, ast.And), node)
        if isinstance(node, ast.IfExp):
            return self.if_expression(node, hint)
        if isinstance(node, (ast.Tuple, ast.List)):
            whole = self.starred_iterator(node)
            if whole is not None:
                return self.call_reading(whole, hint)
            op = "tuple" if isinstance(node, ast.Tuple) else "list"
            parts = self.spread(node.elts)
            if any(isinstance(p, Spread) for p in parts):  # (2, *x.shape): (2,) + tuple(x.shape), its length known
                return self.joined_display(op, parts, hint)  # when it runs

            if all(isinstance(p, ir.Const) for p in parts) and op == "tuple":
                return ir.Const(tuple(p.value for p in parts))
            var = self.materialise(ir.Call(op, parts), hint)
            self.tuples[var.name] = list(parts)  # (a list's too: each version of it is a value of its own)
            return var
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Call):
            return self.call_reading(node, hint)
        if isinstance(node, ast.Slice):
            return self.slice(node)
        if isinstance(node, ast.Dict):
            if any(k is None for k in node.keys):  # {**p, "w": v}: a copy of p, then its keys written
                return self.spread_dict(node, hint)
            return self.dict_display([self.atom(k) for k in node.keys], [self.atom(v) for v in node.values], node, hint)
        if isinstance(node, ast.Lambda):
            return self.lambda_value(node)
        if isinstance(node, ast.GeneratorExp) and id(node) not in self.consumed:
            raise self.not_consumed(node, "a generator expression")
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.DictComp, ast.SetComp)):
            return self.comprehension(node, hint)
        raise self.error(node, f"the expression {type(node).__name__}")

    # ----- iterators: computed as lists where Python reads them wholly, right where they are made

    def call_reading(self, node: ast.Call, hint) -> ir.Expr:
        """A call, where it makes an iterator (zip, map... read wholly where made, else refused) or reads one
        wholly (sum(v * v for v in xs), list(zip(a, b)), dict(zip(k, v)); list(d) of a dict: its keys)."""
        if isinstance(node.func, (ast.Name, ast.Attribute)) and self.static_value(node.func) is itertools.starmap:
            why, fix = iterator_advice(itertools.starmap, ast.unparse(node.func))  # (before its arguments' refusals)
            raise self.error(node, f"{ast.unparse(node.func)}(f, pairs) ({why})", fix)
        if is_first(self, node):  # next(filter(f, xs)): the loop stopping at the first value (folds.py)
            return first_value(self, node, hint)
        lazy = self.lazy_kind(node)
        if lazy is not None and id(node) not in self.consumed:
            raise self.not_consumed(node, f"{lazy.__name__}(...)")
        if lazy in (zip, enumerate, reversed):
            return self.iterated_list(node, lazy, hint)
        if lazy is filter or lazy is itertools.filterfalse:  # [v for v in xs if f(v)] (folds.py)
            return filtered_list(self, node, hint, lazy is itertools.filterfalse)
        if lazy in LOOPED:  # accumulate, takewhile, dropwhile: the list their loop appends to (library_loops.py)
            return library_list(self, node, lazy, hint)
        if is_reduce(self, node):  # the loop carrying the accumulator (folds.py)
            return reduced_value(self, node, hint)
        if is_fmean(self, node):  # math.fsum(xs) / len(xs) (library_loops.py)
            return fmean_value(self, node, hint)
        if is_spread(self, node):  # statistics.variance(xs): the sum of squares about the mean (library_loops.py)
            return spread_value(self, node, hint)
        named = isinstance(node.func, ast.Name) and node.func.id in _CONSUMER_NAMES
        if named and any(self._resolves_to(node.func, c) for c in _CONSUMERS + (set,)) and \
                not self._resolves_to(node.func, dict):
            node = self.keys_iterated(node)  # list(d) of a dict: its keys (dict(d) is a copy of d)
        first = node.args[0] if node.args else None
        if named and isinstance(first, ast.GeneratorExp) and len(node.args) == 1 and not node.keywords and \
                (self._resolves_to(node.func, any) or self._resolves_to(node.func, all)):
            return self.short_circuit_reading(first, self._resolves_to(node.func, any), hint)
        consumer = first is not None and (isinstance(first, ast.GeneratorExp) or self.lazy_kind(first)) and \
            (named and any(self._resolves_to(node.func, c) for c in _CONSUMERS) or
             isinstance(node.func, ast.Attribute) and self.static_value(node.func) in _LIBRARY_CONSUMERS)
        if consumer:  # sum(v * v for v in xs), math.fsum(...): read wholly, right where it is made
            self.consumed.add(id(first))
        if consumer and self._resolves_to(node.func, dict) and len(node.args) == 1 and not node.keywords:
            try:  # dict(zip(keys, values)): the dict of the (key, value) pairs
                pairs = self.atom(first)
            finally:
                self.consumed.discard(id(first))
            return self.materialise(ir.Call("s2s.runtime.dict_from_pairs", (pairs,)), hint)
        if is_fromiter(self, node):  # np.array of the list of its values (fromiter.py)
            made = fromiter_array(self, node, hint)
            if made is not None:
                return made
        called = builtin_call(self, node, hint)  # abs(u) of a class's __abs__ (operators.py)
        if called is not None:
            return called
        start, lent = len(self.block), []
        try:
            lent = self.lend_lists(node)  # (a helper appending to a list of this function's, effects.py)
            value = self.call(node, hint)
        finally:
            self.return_lists(lent)
            if consumer:
                self.consumed.discard(id(first))
        self.follow_grown_lists(start, node)
        return value

    def short_circuit_reading(self, gen: ast.GeneratorExp, is_any: bool, hint) -> ir.Atom:
        """`any(E for u in xs if c)` (`all(...)`) as the loop Python runs, which stops at the first true (false)
        E: `found = False; for u in xs: if c: if E: found = True; break` (generators.py)."""
        reads = {n.id for n in ast.walk(gen) if isinstance(n, ast.Name)}
        flag = hint if hint and hint not in reads and hint not in self.env else \
            self.namer.fresh(hint or ("found" if is_any else "every"))
        loc = self.loc
        for s in short_circuit_loops(gen, is_any, flag, self.namer.fresh):
            self.statement(s)
        self.loc = loc
        return self.read(flag, gen)

    def starred_iterator(self, node) -> ast.Call | None:
        """`[*map(f, xs)]` (`(*gen,)`): the display of one starred iterator is list(map(f, xs)) (tuple(...)),
        which reads it wholly, there; None for another display."""
        if len(node.elts) != 1 or not isinstance(node.elts[0], ast.Starred):
            return None
        inner = node.elts[0].value
        if not (isinstance(inner, ast.GeneratorExp) or self.lazy_kind(inner) is not None):
            return None
        kind = "list" if isinstance(node, ast.List) else "tuple"
        func = ast.copy_location(ast.Name(kind, ast.Load()), node)
        if not self._resolves_to(func, list if kind == "list" else tuple):
            return None
        return ast.copy_location(ast.Call(func, [inner], []), node)

    def lazy_kind(self, node):
        """zip, enumerate, reversed, map or filter for a call of one (an iterator Python reads as it goes), or
        itertools' accumulate, takewhile, dropwhile or filterfalse; else None."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _ITERATOR_NAMES:
            return next((f for f in _ITERATORS if self._resolves_to(node.func, f)), None)
        return library_kind(self, node)

    def not_consumed(self, node, what: str):
        """The refusal of an iterator not read wholly where it is made: s2s computes its values there, where
        Python computes each as it is read (with the names' values then), and only once."""
        return self.error(node, f"{what} that is not read wholly where it is made (Python computes its values "
                                "later, one by one as they are read, and only once)",
                          "make a list where it is made, [v * x for v in vs] or list(zip(a, b)), or pass it "
                          "straight to sum(), any(), all(), list(), tuple(), sorted(), dict(), min(), max(), "
                          "math.fsum(), math.prod() or np.fromiter(), or to a for loop")

    def iterated_list(self, node: ast.Call, kind, hint) -> ir.Atom:
        """`zip(a, b)`, `enumerate(xs)`, `reversed(xs)` read wholly: the list a for loop over it makes,
        `[(u, v) for u, v in zip(a, b)]`, whose items carry the derivatives of the sequences' elements."""
        if node.keywords and kind is not zip:  # (zip's strict=: read by the loop over it, loops.py)
            raise self.error(node, f"{kind.__name__}() with keywords")
        names = []
        for atom in self.spread(node.args):  # (each evaluated once, here, in order; zip(*pairs): one per pair)
            if isinstance(atom, Spread):
                xs = ast.unparse(atom.node.value)
                raise self.error(atom.node, f"{kind.__name__}(*{xs}) of a sequence whose length is known only at run "
                                            "time", f"take each part with a comprehension: "
                                                    f"{_parts(atom.node.value, self.loc.text if self.loc else '')}")
            name = self.namer.fresh("iterated")
            self.env[name] = atom
            names.append(name)
        at = lambda n: ast.copy_location(n, node)  # noqa: E731
        loads = [at(ast.Name(n, ast.Load())) for n in names]
        count = len(names) if kind is zip else 2 if kind is enumerate else 1
        items = [self.namer.fresh("item") for _ in range(count)]
        target = at(ast.Name(items[0], ast.Store())) if count == 1 else \
            at(ast.Tuple([at(ast.Name(n, ast.Store())) for n in items], ast.Store()))
        elt = at(ast.Name(items[0], ast.Load())) if count == 1 else \
            at(ast.Tuple([at(ast.Name(n, ast.Load())) for n in items], ast.Load()))
        iterable = at(ast.Call(at(ast.Name(kind.__name__, ast.Load())), loads, list(node.keywords)))
        return self.comprehension(at(ast.ListComp(elt=elt, generators=[ast.comprehension(
            target=target, iter=iterable, ifs=[], is_async=0)])), hint)

    # ----- dicts: iterating one gives its keys

    def is_dict(self, atom, seen: frozenset = frozenset()) -> bool:
        """Is `atom` surely a dict: one written out here, made by a dict comprehension or dict(...), a helper's
        **kwargs, module data holding one, a key written into one, or a join of those?"""
        if not isinstance(atom, ir.Var):
            return False
        if atom.name in seen:  # (a loop's phi met again through its key writes: its other operands decide)
            return True
        if atom.name in self.dicts or getattr(self.definitions.get(atom.name), "op", None) in _DICTS:
            return True
        if atom.name in self.free:
            return isinstance(self.free[atom.name][0], dict)
        made = self.definitions.get(atom.name)
        if made is not None and made.op == "setitem" and made.args:  # (d[i, 0] = v of a dict: that dict)
            return self.is_dict(made.args[0], seen | {atom.name})
        phi = self.phis.get(atom.name)
        operands = [o for o in phi.operands if o is not None and o != atom] if phi is not None else []
        return bool(operands) and all(self.is_dict(o, seen | {atom.name}) for o in operands)

    def iterated(self, atom, count: int | None = None) -> ir.Atom:
        """What iterating `atom` reads, indexed by position: the list of its keys for a dict (which carry no
        derivative), itself for a sequence or an array; a value whose type only the run shows (an argument, an
        element or a field of one) goes through rt.iterated, which gives a list, tuple or array itself and the
        list of what iterating anything else gives (a dict's keys, a set's or an iterator's elements)."""
        if self.dict_key(atom):  # (a loop's dict too, `for (k, l) in msgs:` of msgs written in it)
            return self.materialise(ir.Call("s2s.runtime.dict_keys", (atom,)))
        if self.is_indexed(atom):
            return atom
        return self.materialise(ir.Call(prims.ITERATED, (atom,) if count is None else (atom, ir.Const(count))))

    def keys_iterated(self, node: ast.Call) -> ast.Call:
        """`list(d)`, `sorted(d)`, `tuple(d)`... of a name holding a dict: the call of `d.keys()`, which
        iterating d gives."""
        first = node.args[0] if node.args else None
        if not isinstance(first, ast.Name) or first.id not in self.env or not self.is_dict(self.env[first.id]):
            return node
        node = copy.copy(node)
        keys = ast.copy_location(ast.Call(ast.copy_location(ast.Attribute(first, "keys", ast.Load()), first), [], []),
                                 first)
        node.args = [keys] + list(node.args[1:])
        return node

    def dict_display(self, keys, values, node, hint) -> ir.Atom:
        """`{"w": w, "b": b}` (or `dict(w=w, b=b)`, `{(0, 0): a, (0, 1): b}`) with constant keys: a dict whose
        values are known here, so that `d["w"]` reads `w` itself."""
        if not all(isinstance(k, ir.Const) and _constant_key(k.value) for k in keys):
            raise self.error(node, "a dict display with keys computed at run time",
                             "use string or integer constants as keys: {'w': w, 'b': b}")
        names = tuple(k.value for k in keys)
        vals = tuple(values)
        var = self.materialise(ir.Call("s2s.runtime.dict_of", (ir.Const(names),) + vals), hint)
        self.dicts[var.name] = dict(zip(names, vals))
        return var

    def spread(self, nodes) -> tuple:
        """The atoms of argument or display expressions, `*xs` spread into the values `xs` holds when they
        are known here (a tuple or list written in the function, a constant tuple)."""
        out = []
        for n in nodes:
            if not isinstance(n, ast.Starred):
                out.append(self.atom(n))
                continue
            atom = self.atom(n.value)
            parts = self._tuple_parts(atom)
            if parts is None:  # known only at run time: a helper s2s descends into takes it (bind_arguments)
                out.append(Spread(atom, n))
            else:
                out.extend(parts)
        return tuple(out)

    def keywords(self, keywords) -> tuple:
        """(name, atom) pairs of a call's keyword arguments, `**d` spread into its items where the dict is
        written out here, else kept as ("**", Spread) for a helper s2s descends into (bind_arguments)."""
        out = []
        for k in keywords:
            if k.arg is not None:
                out.append((k.arg, self.atom(k.value)))
                continue
            atom = self.atom(k.value)
            known = self.dicts.get(atom.name) if isinstance(atom, ir.Var) else None
            if known is not None:
                out.extend(known.items())
            else:
                out.append(("**", Spread(atom, k.value)))
        return tuple(out)

    def joined_display(self, op: str, parts: tuple, hint) -> ir.Atom:
        """A display with `*xs` of a length known only at run time: its runs of values and each `xs` made a tuple
        (a list) of their own, joined as Python builds it: `(2, *x.shape)` is `(2,) + tuple(x.shape)`."""
        pieces, run = [], []
        for p in parts + (None,):
            if isinstance(p, Spread) or p is None:
                if run:
                    pieces.append(self.materialise(ir.Call(op, tuple(run))))
                    run = []
                if p is not None:
                    pieces.append(self.materialise(ir.Call("builtins." + op, (p.atom,))))
            else:
                run.append(p)
        out = pieces[0]
        for i, piece in enumerate(pieces[1:], 2):  # (joined as sequences; `+` where s2s cannot tell them so)
            at = hint if i == len(pieces) else None
            out = self.sequence_operation("add", out, piece, None, at) or self.materialise(ir.Call("add", (out, piece)), at)
        return out

    def no_spread(self, args: tuple) -> tuple:
        """`args` where the callee needs every value while compiling (a display, a library call)."""
        for a in args:
            if isinstance(a, Spread):
                raise self.error(a.node, f"*{ast.unparse(a.node.value)}, whose number of values is known only at "
                                         "run time", "pass the values one by one, or index them: f(xs[0], xs[1])")
            if isinstance(a, tuple) and len(a) == 2 and isinstance(a[1], Spread):
                raise self.error(a[1].node, f"**{ast.unparse(a[1].node)}, whose keys are known only at run time",
                                 "pass the keyword arguments one by one: f(a=d['a'], b=d['b'])")
        return args

    def comparison(self, left: ir.Atom, ops: list, comparators: list, node) -> ir.Expr:
        """`a < b < c` is `a < b and b < c` with b evaluated once and c only when `a < b` holds."""
        right = self.atom(comparators[0])
        first = self.fold_call(prims.AST_TO_OP[type(ops[0])], (left, right))
        if len(ops) == 1:
            return first
        rest = lambda: self.materialise(self.comparison(right, ops[1:], comparators[1:], node))  # noqa: E731
        return self.short_circuit(self.materialise(first), rest, True, node)

    def short_circuit(self, first: ir.Atom, rest, is_and: bool, node) -> ir.Atom:
        """Python's `first and rest` (`rest if first else first`) or `first or rest` (`first if first
        else rest`): a conditional, so that the result is an operand and `rest()` runs only when needed."""
        if isinstance(first, ir.Const):
            try:
                truth = bool(first.value)
            except Exception:
                truth = None
            if truth is not None:
                return rest() if truth == is_and else first
        self.boolops += 1
        key = f"<boolop{self.boolops}>"

        def evaluate():
            self.env[key] = rest()

        def keep():
            self.env[key] = first
        self._branch(first, evaluate if is_and else keep, keep if is_and else evaluate, node)
        return self.env.pop(key)

    def if_expression(self, node: ast.IfExp, hint) -> ir.Expr:
        test = self.atom(node.test)
        key = f"<ifexp{len(self.block)}>"
        def branch(value_node):
            def run():
                self.env[key] = self.atom(value_node)
            return run
        self._branch(test, branch(node.body), branch(node.orelse), node)
        return self.name_join(self.env.pop(key), hint)

    def name_join(self, value: ir.Atom, hint) -> ir.Atom:
        """`value`, the join of the if just emitted, named after the user's variable: y = a if c else b  ->  phi y."""
        if hint is not None and isinstance(value, ir.Var) and self.block and isinstance(self.block[-1], ir.If):
            for phi in self.block[-1].phis:
                if phi.target == value.name:
                    new = self.version(hint)
                    phi.target = new
                    for known in (self.joins, self.phis):
                        if value.name in known:
                            known[new] = known.pop(value.name)
                    return ir.Var(new)
        return value

    def slice(self, node: ast.Slice) -> ir.Atom:
        parts = tuple(self.atom(p) if p is not None else ir.Const(None) for p in (node.lower, node.upper, node.step))
        if all(isinstance(p, ir.Const) for p in parts):
            return ir.Const(slice(*(p.value for p in parts)))
        return self.materialise(ir.Call("slice", parts))

    def subscript(self, node: ast.Subscript) -> ir.Expr:
        base, parts = self.subscript_parts(node)
        called = operator_call(self, "getitem", (base,) + parts, node)  # (u[i] of a class's __getitem__: its method)
        return called if called is not None else self.fold_call("getitem", (base,) + parts)

    def subscript_parts(self, node: ast.Subscript) -> tuple:
        """(the base atom, the index atoms) of `base[index]`, each evaluated once, in Python's order."""
        base = self.atom(node.value)
        index = node.slice
        if isinstance(index, ast.Tuple) and not self.dict_key(base):
            return base, self.index_parts(index)
        return base, (self.atom(index),)

    def dict_key(self, base) -> bool:
        """Is `base[i, j]` a read or write of a dict, whose tuple index is ONE key (`msgs[i, j]`, `msgs[(i, j)]`),
        not an array's two indices?"""
        if self.is_dict(base) or self.made_dict(base):
            return True
        return any(  # (`acc = defaultdict(float)`, OrderedDict(), and their versions and joins)
            isinstance(cls, type) and issubclass(cls, dict) for cls in self.makers(base))

    def makers(self, atom):
        """The objects (classes, functions) whose call may have made `atom`, through the versions a write by key
        makes (`d[k] = v`) and the joins of branches and loops: `defaultdict` for `acc = defaultdict(float)`, `set`
        for `seen = set()`; None for a call of something not read from outside the function."""
        todo, seen = [atom], set()
        while todo:
            atom = todo.pop()
            if not isinstance(atom, ir.Var) or atom.name in seen:
                continue
            seen.add(atom.name)
            made = self.definitions.get(atom.name)
            if made is not None and made.op == "setitem":
                todo.append(made.args[0])
            elif made is not None and made.op == "call" and made.args and isinstance(made.args[0], ir.Var):
                yield self.free.get(made.args[0].name, (None,))[0]
            phis = [self.phis.get(atom.name)] + [p for f in self.loop_path for p in f.phis.values()
                                                 if p.target == atom.name]
            todo += [o for p in phis if p is not None for o in p.operands]

    def index_parts(self, index: ast.Tuple) -> tuple:
        """The atoms of an index tuple's parts; a tuple among them is a list, as NumPy reads it (`m[(0, 2),]`,
        `rows = (0, 2); m[rows, 1]`: rows 0 and 2, where a part that is a tuple would be read as more parts)."""
        parts = []
        for e in index.elts:
            atom = self.atom(e)
            if isinstance(atom, ir.Const) and type(atom.value) is tuple:
                atom = ir.Const(list(atom.value))
            elif isinstance(atom, ir.Var) and atom.name in self.tuples and not isinstance(e, ast.Starred):
                atom = self.materialise(ir.Call("list", tuple(self.tuples[atom.name])))
            parts.append(atom)
        return tuple(parts)

    def sequence(self, op: str, parts: tuple, hint: str | None = None) -> ir.Atom:
        """A tuple (or list) of `parts` built here, whose elements indexing by a constant finds again."""
        if op == "tuple" and all(isinstance(p, ir.Const) for p in parts):
            return ir.Const(tuple(p.value for p in parts))
        var = self.materialise(ir.Call(op, tuple(parts)), hint)
        self.tuples[var.name] = list(parts)  # (a list's too, as for a display)
        return var

    def sequence_kind(self, atom) -> str | None:
        """"tuple" or "list" for a tuple or list whose parts are known here (a display the function wrote, a
        constant tuple), else None."""
        if isinstance(atom, ir.Const):
            return "tuple" if isinstance(atom.value, tuple) else None
        if isinstance(atom, ir.Var) and atom.name in self.tuples:
            op = getattr(self.definitions.get(atom.name), "op", None)
            return op if op in ("tuple", "list") else None
        return None

    def is_sequence(self, atom) -> bool:
        """Is `atom` surely a list or tuple (its parts known here or not): a display, a list the function grows,
        list(...), tuple(...), a dict's keys, values or items?"""
        if self.sequence_kind(atom) is not None or self.list_root(atom) is not None:
            return True
        made = self.definitions.get(atom.name) if isinstance(atom, ir.Var) else None
        return getattr(made, "op", None) in _SEQUENCES

    def joined_sequence(self, atom) -> bool:
        """Is `atom` surely a list or tuple as an operand of `+` (is_sequence), or a slice or deep copy of one
        (`theta[2:]` of `theta = copy.deepcopy(xs)`)?"""
        made = self.definitions.get(atom.name) if isinstance(atom, ir.Var) else None
        if made is not None and (made.op == "getitem" and len(made.args) == 2 and is_slice(made.args[1],
                                 self.definitions) or made.op == "s2s.runtime.deep_copy") and made.args:
            return self.joined_sequence(made.args[0])
        return self.is_sequence(atom)



def _constant_key(value) -> bool:
    """Is `value` a key a dict display may have: a string, an integer, or a tuple of them (`{(0, 1): a}`)?"""
    return isinstance(value, (str, int)) or isinstance(value, tuple) and all(_constant_key(v) for v in value)
