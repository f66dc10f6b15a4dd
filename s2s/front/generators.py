"""Lazy iterators read as the loops Python runs: generator expressions and `map(...)` where Python stops early or
interleaves their values with other work.

Pure functions on `ast` nodes (new nodes, at the user's lines; the user's tree stays as it is):
- `comprehension_loops`: the for statements (one per `for` clause, an if per `if`, the loop variables renamed:
  the comprehension's own scope) whose innermost body is given;
- `short_circuit_loops`: `any(E for u in xs if c)` as `found = False; for u in xs: if c: if E: found = True;
  break` (`all`: `found = True ... if not E: found = False; break`), which stops where Python's stops;
- `lazy_for`: `for T in (E for u in xs if c): body` as `for u in xs: if c: T = E; body`, `for T in map(f, xs)`
  as `for u in xs: T = f(u)` (f evaluated once, before the loop), also where zip() or enumerate() holds them:
  each value is computed as the loop reaches it, with the names' values then, and none after a break;
  `for T in filter(f, xs)` as the loop over `(v for v in xs if f(v))` (itertools.filterfalse's `if not f(v)`);
  itertools.accumulate, takewhile and dropwhile as library_loops.py reads them.
"""
from __future__ import annotations

import ast
import copy
import itertools

from s2s.front.folds import filter_generator
from s2s.front.library_loops import LOOPED, library_for
from s2s.front.lowering import flag_breaks, loop_level_nodes


class _Rename(ast.NodeTransformer):
    """Renames names in a copy of a tree (`renamed`)."""

    def __init__(self, names: dict):
        self.names = names

    def renamed(self, node):
        return self.visit(copy.deepcopy(node))

    def visit_Name(self, node):
        if node.id in self.names:
            out = ast.copy_location(ast.Name(self.names[node.id], node.ctx), node)
            out.user_id = getattr(node, "user_id", node.id)  # (the name the user wrote: `spelled`)
            return out
        return node

    def visit_Lambda(self, node):
        """A lambda's defaults are read where it is made (renamed); its body's names that are its parameters are
        its own (`lambda v, k=k: v * k`: the body's k is the parameter)."""
        node.args = self.visit(node.args)
        a = node.args
        own = {p.arg for p in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg] if p is not None}
        node.body = _Rename({k: v for k, v in self.names.items() if k not in own}).visit(node.body)
        return node


def spelled(node) -> str:
    """`node` as the user wrote it: a comprehension's loop variable (`h` of `for h in fs`) by its own name, not the
    one its loop is renamed to (`h_1`)."""
    class Restore(ast.NodeTransformer):
        def visit_Name(self, name):
            return ast.copy_location(ast.Name(name.user_id, name.ctx), name) if hasattr(name, "user_id") else name
    return ast.unparse(Restore().visit(copy.deepcopy(node)))


def _names_bound(target) -> list:
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


def comprehension_loops(node, body_of, fresh, leave=None) -> list:
    """The statements running comprehension `node`'s loops: `body_of(elt)` (elt renamed) the innermost body.
    `leave()`: a test that, read after an inner loop ends, says a break left it (then each enclosing loop is left
    too); None where the innermost body does not break."""
    at = lambda n: ast.copy_location(n, node)  # noqa: E731
    renames: dict = {}
    loops = []
    for gen in node.generators:
        iterable = _Rename(dict(renames)).renamed(gen.iter)  # (the first one is read in the enclosing scope)
        for name in _names_bound(gen.target):
            renames[name] = fresh(name)
        rename = _Rename(dict(renames))
        loops.append((rename.renamed(gen.target), iterable, [rename.renamed(c) for c in gen.ifs]))
    body = body_of(_Rename(dict(renames)).renamed(node.elt))
    for depth in reversed(range(len(loops))):
        target, iterable, ifs = loops[depth]
        for test in reversed(ifs):
            body = [ast.copy_location(ast.If(test=test, body=body, orelse=[]), test)]
        body = [at(ast.For(target=target, iter=iterable, body=body, orelse=[], type_comment=None))]
        if leave is not None and depth > 0:
            body.append(at(ast.If(test=leave(), body=[at(ast.Break())], orelse=[])))
    return body


def _assign(target, value, where):
    return ast.copy_location(ast.Assign(targets=[target], value=value, type_comment=None), where)


def short_circuit_loops(node: ast.GeneratorExp, is_any: bool, flag: str, fresh) -> list:
    """`any(node)` (`all(node)` for not `is_any`) as the loops Python runs, leaving `flag` the result: the
    elements after the first true one (false one) are not computed."""
    at = lambda n: ast.copy_location(n, node)  # noqa: E731
    name = lambda ctx: at(ast.Name(flag, ctx))  # noqa: E731

    def body_of(elt):
        test = elt if is_any else ast.copy_location(ast.UnaryOp(ast.Not(), elt), elt)
        return [ast.copy_location(ast.If(test=test, body=[_assign(name(ast.Store()), at(ast.Constant(is_any)), elt),
                                                          ast.copy_location(ast.Break(), elt)], orelse=[]), elt)]
    leave = (lambda: name(ast.Load())) if is_any else (lambda: at(ast.UnaryOp(ast.Not(), name(ast.Load()))))
    return [_assign(name(ast.Store()), at(ast.Constant(not is_any)), node)] + \
        comprehension_loops(node, body_of, fresh, leave)


def lazy_for(s: ast.For, kind_of, fresh) -> list | None:
    """The statements running `for T in <iterator>: body` where the iterator is a generator expression or
    `map(...)` (itself, or an argument of zip() or enumerate()) as loops over what it reads, each value computed
    where the loop reaches it; None where `s` iterates over none. `kind_of(node)`: zip, enumerate or map for a
    call of that builtin, else None. Raises ValueError(node, what, hint) for a form it cannot read so."""
    at = lambda n: ast.copy_location(n, s)  # noqa: E731
    kind = kind_of(s.iter)
    if kind in LOOPED:  # for T in itertools.accumulate(xs, f), takewhile, dropwhile: their loops (library_loops.py)
        return library_for(s, kind, fresh, _stored(s.body), lambda n: kind_of(n) is not None)
    made = filter_generator(s.iter, fresh, kind_of, _stored(s.body), kind is itertools.filterfalse) \
        if kind is filter or kind is itertools.filterfalse else None
    if made is not None:  # for T in filter(f, xs): for T in (v for v in xs if f(v)), f evaluated before (folds.py)
        loop = copy.copy(s)
        loop.iter = made[1]
        return made[0] + lazy_for(loop, kind_of, fresh)
    if isinstance(s.iter, ast.GeneratorExp) and (len(s.iter.generators) > 1 or s.iter.generators[0].ifs):
        breaks = any(isinstance(n, ast.Break) for n in loop_level_nodes(s.body))
        flag = fresh("stop") if breaks and len(s.iter.generators) > 1 else None
        body = list(s.body)
        if flag is not None:  # a break of the user's leaves every loop of the generator's
            body = flag_breaks(body, lambda brk: [_assign(ast.copy_location(ast.Name(flag, ast.Store()), brk),
                                                          ast.copy_location(ast.Constant(True), brk), brk), brk])
        loops = comprehension_loops(s.iter, lambda elt: [_assign(s.target, elt, s.target)] + body, fresh,
                                    (lambda: at(ast.Name(flag, ast.Load()))) if flag is not None else None)
        outer = copy.copy(loops[0])
        outer.orelse = list(s.orelse)
        start = [_assign(at(ast.Name(flag, ast.Store())), at(ast.Constant(False)), s)] if flag is not None else []
        return start + [outer] + loops[1:]
    before: list = []
    iterable, target, first = _unfolded(s.iter, s.target, kind_of, fresh, before, set(_stored(s.body)))
    if not first:
        return None
    loop = copy.copy(s)
    loop.iter, loop.target, loop.body = iterable, target, first + list(s.body)
    return before + [loop]


def _stored(stmts):
    return {n.id for st in stmts for n in ast.walk(st) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}


def _unfolded(it, target, kind_of, fresh, before: list, stored: set, last: bool = True):
    """(iterable, target, first statements of the body) reading the generator expressions and maps `it` holds
    (itself, or through zip and enumerate) as the loop reaches each value; `before`: statements evaluating what
    Python evaluates where the iterator is made (map's function). Only the last argument of a zip() (`last`):
    where a later argument ends first, Python's zip has computed one more value of an earlier one, which the
    loop over what it reads would not (such a one is left to the loop, which computes it before)."""
    if not last:
        return it, target, []
    kind = kind_of(it)
    if kind in (zip, enumerate) and not it.keywords and isinstance(target, (ast.Tuple, ast.List)) and \
            not any(isinstance(a, ast.Starred) for a in it.args + target.elts) and \
            len(target.elts) == (len(it.args) if kind is zip else 2) and (kind is zip or len(it.args) == 1):
        args, elts, first = list(it.args), list(target.elts), []
        positions = range(len(args)) if kind is zip else [0]
        for i in positions:
            j = i if kind is zip else 1
            args[i], elts[j], more = _unfolded(args[i], elts[j], kind_of, fresh, before, stored,
                                               kind is enumerate or i == len(args) - 1)
            first += more
        if not first:
            return it, target, []
        call = copy.copy(it)
        call.args = args
        tup = copy.copy(target)
        tup.elts = elts
        return call, tup, first
    if isinstance(it, ast.GeneratorExp) and len(it.generators) == 1 and not it.generators[0].ifs and \
            not it.generators[0].is_async:
        gen = it.generators[0]
        rename = _Rename({name: fresh(name) for name in _names_bound(gen.target)})
        return gen.iter, rename.renamed(gen.target), [_assign(target, rename.renamed(it.elt), target)]
    if kind is map and len(it.args) >= 2 and not it.keywords and \
            not any(isinstance(a, ast.Starred) for a in it.args):
        func = it.args[0]
        root = func
        while isinstance(root, ast.Attribute):
            root = root.value
        if not (isinstance(root, ast.Name) and root.id not in stored):  # (evaluated once, where map is made)
            temp = fresh("mapped")
            before.append(_assign(ast.copy_location(ast.Name(temp, ast.Store()), func), func, it))
            func = ast.copy_location(ast.Name(temp, ast.Load()), func)
        items = [fresh("item") for _ in it.args[1:]]
        at = lambda n: ast.copy_location(n, it)  # noqa: E731
        loads = [at(ast.Name(n, ast.Load())) for n in items]
        if len(items) == 1:
            iterable, inner = it.args[1], at(ast.Name(items[0], ast.Store()))
        else:
            iterable = at(ast.Call(at(ast.Name("zip", ast.Load())), list(it.args[1:]), []))
            inner = at(ast.Tuple([at(ast.Name(n, ast.Store())) for n in items], ast.Store()))
        return iterable, inner, [_assign(target, at(ast.Call(func, loads, [])), target)]
    return it, target, []
