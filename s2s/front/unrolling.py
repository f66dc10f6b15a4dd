"""Loops over a module's tuple of functions or layer objects, or over a tuple or list written in the function whose
items the body calls, run once per entry.

`for layer in LAYERS: x = layer(x)`, `for layer, p in zip(LAYERS, params): x = layer.apply(p, x)`, `for i, act in
enumerate(ACTIVATIONS): ...`, where LAYERS is a tuple the module holds and the body calls its entry or a method of
it: the body runs once per entry, after the loop's names are bound to that entry's items (`layer = LAYERS[0]`), so
that each call is of a function or an object known while compiling, differentiated through its body. zip's other
sequences are read as a loop reads them, once and in order (`LoopLowering._sequence_parts`); where their length is
known only as the code runs, entry i runs under `if min(len(...)) > i`, as zip stops at the shortest. A module's
list of functions is refused: its entries may change between calls of what s2s compiled once (make it a tuple).
A display in the function (`for W, act in [(W1, gelu), (W2, np.tanh)]`, `zip([W1, W2], [gelu, np.tanh])`, `acts =
[gelu, np.tanh]` read as `acts[i]` under `enumerate([W1, W2])`) has a length and items known while compiling: its
loop runs once per item where the body calls one of the loop's names (or a function at the loop's index).
"""
from __future__ import annotations

import ast
import copy

from s2s import ir
from s2s.front.endless import Endless, taken
from s2s.front.generators import comprehension_loops
from s2s.front.lowering import listed_functions
from s2s.front.method_lookup import user_object


class UnrollLowering:
    """(mixed into loops.LoopLowering; reads the SSA builder's state through `self`)"""

    def unrolled_loop(self, s) -> bool:
        """Lower the loop `s` once per entry of the module's tuple it goes over (the module's docstring): False,
        lowering nothing, for another loop (or one leaving the body by break or continue)."""
        pairs = self._iterated_pairs(s)
        if pairs is None:
            return False
        nodes = [n for stmt in s.body for n in ast.walk(stmt)]
        called = {n.func.id for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)} | \
            {n.func.value.id for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
             and isinstance(n.func.value, ast.Name)} | \
            {n.func.slice.id for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Subscript)
             and isinstance(n.func.slice, ast.Name)}  # (acts[i](x): the function at the loop's index)
        # (a module's function transformed in the body, s2s.grad(fn)(x): run once per entry too)
        passed = {n.args[0].id for n in nodes if isinstance(n, ast.Call) and n.args and isinstance(n.args[0], ast.Name)
                  and getattr(self.static_value(n.func), "__module__", "").startswith("s2s.")}
        tables = {}
        for j, (target, it) in enumerate(pairs):
            if isinstance(target, ast.Name) and target.id in called | passed and \
                    isinstance(it, (ast.Name, ast.Attribute)):
                table = self.static_value(it)
                if type(table) in (tuple, list) and table and all(callable(t) or user_object(t) for t in table):
                    tables[j] = table
        for j, table in tables.items():
            if type(table) is list:
                spelled = ast.unparse(pairs[j][1])
                raise self.error(pairs[j][1], f"a loop calling the functions of '{spelled}', a list of the module's",
                                 listed_functions(spelled, table, pairs[j][0].id))
        written = {} if tables else {j: n for j, (_, it) in enumerate(pairs)
                                     if (n := self._written_length(it, nodes)) is not None}
        if not (tables or written and any(_names(t) & called for t, _ in pairs)) or \
                any(isinstance(n, (ast.Break, ast.Continue)) for n in nodes):
            return False
        items, lengths = [], []  # ((target, item(i) -> ast.expr)), the lengths zip's other sequences have
        for j, (target, it) in enumerate(pairs):
            if j in tables:  # (the entry itself, an object or a function known while compiling)
                items.append((target, self._entries(tables[j], target.id, s)))
            elif it is None or isinstance(it, _Start):  # (enumerate's count)
                items.append((target, self._counted(self.atom(it.node) if it is not None else None)))
            else:
                for seq, tgt in self._sequence_parts(it, target):  # (a sequence, reversed(xs), a count)
                    if isinstance(seq, Endless):  # (itertools.count(): taken once the count is known)
                        items.append((tgt, seq))
                        continue
                    whole = seq if isinstance(seq, (ir.Var, ir.Const)) else getattr(seq, "atom", None)
                    items.append((tgt, self._counted(getattr(seq, "start", None)) if whole is None else
                                  self._indexed(whole, whole is not seq)))
                    if whole is not None:
                        known = _length(whole, self.definitions, self.tuples)
                        lengths.append(ir.Const(known) if known is not None else
                                       self.materialise(self.fold_call("builtins.len", (whole,))))
        count = min([len(t) for t in tables.values()] + list(written.values()) +
                    [a.value for a in lengths if isinstance(a, ir.Const)])
        lengths = [a for a in lengths if not isinstance(a, ir.Const)]
        length = None if not lengths else lengths[0] if len(lengths) == 1 else \
            self.materialise(ir.Call("builtins.min", tuple(lengths)))
        items = [(tgt, self._indexed(taken(self, item, ir.Const(count)), False) if isinstance(item, Endless) else item)
                 for tgt, item in items]
        for i in range(count):
            at = lambda n: ast.fix_missing_locations(ast.copy_location(n, s))  # noqa: E731
            stmts = [at(ast.Assign(targets=[copy.deepcopy(target)], value=item(i), type_comment=None))
                     for target, item in items] + copy.deepcopy(s.body)
            if length is None:
                self.statements(stmts)
                continue
            runs = ir.Const(length.value > i) if isinstance(length, ir.Const) else \
                self.materialise(ir.Call("gt", (length, ir.Const(i))))
            self._branch(runs, stmts, [], s)  # (zip stops at its shortest sequence)
        self.statements(s.orelse)  # (no break leaves the loop)
        return True

    def unrolled_comprehension(self, node, hint) -> ir.Atom | None:
        """`[lambda v, k=k: np.tanh(v * k) for k in (1.0, 2.0)]` over a tuple or list written in the function: a
        list of functions made one by one while compiling (the loop variable bound to each item in turn, as the
        comprehension's own), which a constant index or an unrolled loop reads; None for another comprehension."""
        if not (isinstance(node, ast.ListComp) and isinstance(node.elt, ast.Lambda) and len(node.generators) == 1
                and not node.generators[0].ifs):
            return None
        count = self._written_length(node.generators[0].iter, [])
        if count is None:
            return None
        loop = comprehension_loops(node, lambda elt: [elt], self.namer.fresh)[0]
        item = self._indexed(self.atom(loop.iter), False)
        parts = []
        for i in range(count):
            self.statement(ast.fix_missing_locations(ast.copy_location(ast.Assign(
                targets=[copy.deepcopy(loop.target)], value=item(i), type_comment=None), node)))
            parts.append(self.atom(loop.body[0]))
        var = self.materialise(ir.Call("list", tuple(parts)), hint)
        self.tuples[var.name] = parts
        return var

    def _written_length(self, it, nodes: list) -> int | None:
        """The length of the tuple or list `it` a loop goes over where it is written in the function (a display, or
        a name bound to one that the loop's body (`nodes`) neither rebinds nor changes), known while compiling; None
        for another sequence."""
        if isinstance(it, (ast.List, ast.Tuple)):
            return None if any(isinstance(e, ast.Starred) for e in it.elts) else len(it.elts)
        if not isinstance(it, ast.Name) or any(
                isinstance(n, ast.Name) and n.id == it.id and not isinstance(n.ctx, ast.Load) or
                isinstance(n, (ast.Attribute, ast.Subscript)) and isinstance(n.value, ast.Name) and
                n.value.id == it.id and (not isinstance(n.ctx, ast.Load) or isinstance(n, ast.Attribute))
                for n in nodes):
            return None
        return _length(self.env.get(it.id), self.definitions, self.tuples)

    def _iterated_pairs(self, s) -> list | None:
        """[(target node, the node it goes over)] of `for t in xs`, `for a, b in zip(xs, ys)` and `for i, t in
        enumerate(xs[, start])` (the count's node: None, or a _Start); None for another loop."""
        if not isinstance(s, ast.For):
            return None
        it, target = s.iter, s.target
        if isinstance(it, ast.Call) and isinstance(target, ast.Tuple) and not any(
                isinstance(a, ast.Starred) for a in it.args):
            if self._resolves_to(it.func, zip) and not it.keywords and len(it.args) == len(target.elts):
                return list(zip(target.elts, it.args))
            start = it.args[1:] + [k.value for k in it.keywords if k.arg == "start"]
            if self._resolves_to(it.func, enumerate) and it.args and len(target.elts) == 2 and len(start) <= 1 and \
                    len(start) + 1 == len(it.args) + len(it.keywords):
                return [(target.elts[0], _Start(start[0]) if start else None), (target.elts[1], it.args[0])]
            return None
        return [(target, it)]

    def _entries(self, table: tuple, name: str, node):
        """item(i) of the module's tuple `table` the loop's name `name` goes over: its entry i, held by a name of
        its own (data the generated code reads as `name`, `name_1`, ...)."""
        names = []
        for entry in table:
            names.append(self.namer.fresh("entry"))
            self.env[names[-1]] = self.constant_or_error(entry, name, node)
        return lambda i: ast.Name(names[i], ast.Load())

    def _counted(self, start):
        """item(i) of enumerate's count from the atom `start` (None: 0)."""
        if start is None:
            return lambda i: ast.Constant(i)
        name = self.namer.fresh("start")
        self.env[name] = start
        return lambda i: ast.BinOp(ast.Name(name, ast.Load()), ast.Add(), ast.Constant(i))

    def _indexed(self, seq: ir.Atom, backwards: bool):
        """item(i) of the sequence `seq` a loop reads by position (`backwards`: reversed(seq)), held by a name of
        its own."""
        name = self.namer.fresh("zipped")
        self.env[name] = seq
        return lambda i: ast.Subscript(ast.Name(name, ast.Load()), ast.Constant(-1 - i if backwards else i),
                                       ast.Load())


def _length(atom, definitions: dict, tuples: dict) -> int | None:
    """The length of `atom` where it is a tuple known while compiling or a tuple or list written in the function
    (`tuples`: its parts), else None."""
    if isinstance(atom, ir.Const) and type(atom.value) is tuple:
        return len(atom.value)
    made = definitions.get(atom.name) if isinstance(atom, ir.Var) else None
    return len(tuples[atom.name]) if made is not None and made.op in ("tuple", "list") and atom.name in tuples \
        else None


def _names(target) -> set:
    """The names a loop's target binds (`act`; `W, act`)."""
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)} if isinstance(target, ast.AST) else set()


class _Start:
    """enumerate's start, an AST node."""

    def __init__(self, node):
        self.node = node
