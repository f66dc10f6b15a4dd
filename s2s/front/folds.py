"""`functools.reduce(f, xs[, initial])`, `filter(f, xs)` and `next(iterator[, default])` as the loops Python runs.

filter(f, xs) is the generator expression `(v for v in xs if f(v))` (`if v` for filter(None, xs)), its function
evaluated once, where filter is made: read wholly where it is made (`sum(filter(...))`, `list(filter(...))`) it is
that list, and a for loop over it is the loop over xs with the test first (generators.py). reduce is the loop
carrying the accumulator: `acc = xs[0]; for v in xs[1:]: acc = f(acc, v)` (`acc = initial; for v in xs: ...`),
which s2s differentiates as any loop; the function may be a lambda, a function of the module or a nested def.
`next(it)` of a generator expression, of an iterator such as filter(f, xs) or map(f, xs), or of iter(xs), is the
loop over it that stops at its first value: `for v in it: first = v; found = True; break`, then Python's
StopIteration where it found none (`first = default`, given one).
"""
from __future__ import annotations

import ast
import functools
import sys

from s2s import ir


def is_reduce(builder, node: ast.Call) -> bool:
    """Is `node` a call of functools.reduce (spelled `functools.reduce` or `reduce` imported from functools)?"""
    func = node.func
    spelled = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return spelled == "reduce" and builder.static_value(func) is functools.reduce


def filter_generator(call: ast.Call, fresh, kind_of, stored=frozenset(), negated=False) \
        -> tuple[list, ast.GeneratorExp] | None:
    """(statements evaluating what Python evaluates where `filter(f, xs)` is made, the generator expression
    `(v for v in xs if f(v))` it stands for), or None for a call of filter with other arguments. The function is
    evaluated once, before, into a name of its own unless it is a name the code after does not assign (`stored`)
    or None (`if v`). The items of zip(a, b) (enumerate(xs); `kind_of`: zip, enumerate, ... of a call) are
    unpacked and packed again, `((u, w) for u, w in zip(a, b) if f((u, w)))`, as a loop over zip reads them.
    `negated`: itertools.filterfalse(f, xs), `(v for v in xs if not f(v))`."""
    if call.keywords or len(call.args) != 2 or any(isinstance(a, ast.Starred) for a in call.args):
        return None
    at = lambda n: ast.copy_location(n, call)  # noqa: E731
    func, before, iterable = call.args[0], [], call.args[1]
    if not (isinstance(func, ast.Name) and func.id not in stored or isinstance(func, ast.Constant)):
        temp = fresh("keep")
        before.append(at(ast.Assign(targets=[at(ast.Name(temp, ast.Store()))], value=func, type_comment=None)))
        func = at(ast.Name(temp, ast.Load()))
    kind = kind_of(iterable)
    count = 2 if kind is enumerate else len(iterable.args) if kind is zip else 1
    if count > 1 and any(isinstance(a, ast.Starred) for a in iterable.args):
        count = 1
    items = [fresh("item") for _ in range(count)]
    names = lambda ctx: [at(ast.Name(n, ctx)) for n in items]  # noqa: E731
    item = names(ast.Load())[0] if count == 1 else at(ast.Tuple(names(ast.Load()), ast.Load()))
    target = names(ast.Store())[0] if count == 1 else at(ast.Tuple(names(ast.Store()), ast.Store()))
    test = item if isinstance(func, ast.Constant) and func.value is None else at(ast.Call(func, [item], []))
    if negated:
        test = at(ast.UnaryOp(ast.Not(), test))
    elt = names(ast.Load())[0] if count == 1 else at(ast.Tuple(names(ast.Load()), ast.Load()))
    return before, at(ast.GeneratorExp(elt=elt, generators=[ast.comprehension(target=target, iter=iterable,
                                                                              ifs=[test], is_async=0)]))


def filtered_list(builder, node: ast.Call, hint, negated=False) -> ir.Atom:
    """`filter(f, xs)` read wholly where it is made: the list `[v for v in xs if f(v)]` (`negated`:
    itertools.filterfalse's, `if not f(v)`)."""
    made = filter_generator(node, builder.namer.fresh, builder.lazy_kind, negated=negated)
    if made is None:
        name = "itertools.filterfalse" if negated else "filter"
        raise builder.error(node, f"{name}() with these arguments", f"call {name}(function, values), or "
                                                                    f"{name}(None, values)")
    before, gen = made
    loc = builder.loc
    builder.statements(before)
    builder.loc = loc
    return builder.comprehension(gen, hint)


def reduced_value(builder, node: ast.Call, hint) -> ir.Atom:
    """`functools.reduce(f, xs)` as the loop `acc = xs[0]; for v in xs[1:]: acc = f(acc, v)` (a TypeError, as
    Python's, where xs is empty), `functools.reduce(f, xs, initial)` as `acc = initial; for v in xs: ...`:
    f, xs and initial evaluated once, in that order, before the loop; xs may be a generator expression or
    map(...), which reduce reads wholly."""
    args, keywords = list(node.args), list(node.keywords)
    if sys.version_info >= (3, 14) and len(args) == 2 and [k.arg for k in keywords] == ["initial"]:
        args.append(keywords.pop().value)  # (Python 3.14 takes initial= by name)
    if keywords or not 2 <= len(args) <= 3 or any(isinstance(a, ast.Starred) for a in args):
        raise builder.error(node, "functools.reduce() with these arguments",
                            "call functools.reduce(function, values) or functools.reduce(function, values, initial)")
    fresh = builder.namer.fresh
    combine, items, item = fresh("combine"), fresh("folded"), fresh("item")
    builder.env[combine] = builder.atom(args[0])
    lazy = isinstance(args[1], ast.GeneratorExp) or builder.lazy_kind(args[1]) is not None
    if lazy:
        builder.consumed.add(id(args[1]))
    try:
        builder.env[items] = builder.iterated(builder.atom(args[1]))
    finally:
        builder.consumed.discard(id(args[1]))
    reads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    acc = hint if hint and hint not in reads and hint not in builder.env else fresh(hint or "reduced")
    at = lambda n: ast.copy_location(n, node)  # noqa: E731
    name = lambda n, ctx=ast.Load(): at(ast.Name(n, ctx))  # noqa: E731
    rest = name(items)
    statements = []
    if len(args) == 3:
        builder.env[acc] = builder.atom(args[2])
    else:
        empty = at(ast.Compare(at(ast.Call(name("len"), [name(items)], [])), [ast.Eq()], [at(ast.Constant(0))]))
        error = at(ast.Call(name("TypeError"), [at(ast.Constant("reduce() of empty iterable with no initial "
                                                                "value"))], []))
        statements += [at(ast.If(test=empty, body=[at(ast.Raise(exc=error, cause=None))], orelse=[])),
                       at(ast.Assign(targets=[name(acc, ast.Store())], type_comment=None, value=at(ast.Subscript(
                           value=name(items), slice=at(ast.Constant(0)), ctx=ast.Load()))))]
        rest = at(ast.Subscript(value=name(items), slice=at(ast.Slice(lower=at(ast.Constant(1)))), ctx=ast.Load()))
    step = at(ast.Assign(targets=[name(acc, ast.Store())], type_comment=None,
                         value=at(ast.Call(name(combine), [name(acc), name(item)], []))))
    statements.append(at(ast.For(target=name(item, ast.Store()), iter=rest, body=[step], orelse=[],
                                 type_comment=None)))
    loc = builder.loc
    builder.statements(statements)
    builder.loc = loc
    return builder.read(acc, node)


def is_first(builder, node: ast.Call) -> bool:
    """Is `node` `next(it)` or `next(it, default)` of a generator expression, an iterator Python reads as it goes
    (filter, map, zip...) or iter(xs)?"""
    if not (isinstance(node.func, ast.Name) and node.func.id == "next" and builder._resolves_to(node.func, next)) or \
            node.keywords or not 1 <= len(node.args) <= 2 or any(isinstance(a, ast.Starred) for a in node.args):
        return False
    it = node.args[0]
    return isinstance(it, ast.GeneratorExp) or builder.lazy_kind(it) is not None or \
        isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and builder._resolves_to(it.func, iter) and \
        len(it.args) == 1 and not it.keywords and not isinstance(it.args[0], ast.Starred)


def first_value(builder, node: ast.Call, hint) -> ir.Atom:
    """`next(it[, default])` as the loop over `it` that stops at its first value: `first = None; found = False; for v
    in it: first = v; found = True; break`, then Python's StopIteration where it found none (rt.require_found), or
    `if not found: first = default` (default evaluated before the loop). The values after the first are not
    computed, as Python's next computes none of them."""
    fresh = builder.namer.fresh
    at = lambda n: ast.copy_location(n, node)  # noqa: E731
    load = lambda n: at(ast.Name(n, ast.Load()))  # noqa: E731
    assign = lambda name, value: at(ast.Assign(targets=[at(ast.Name(name, ast.Store()))], value=value,  # noqa: E731
                                               type_comment=None))
    reads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    first = hint if hint and hint not in reads and hint not in builder.env else fresh(hint or "first")
    found, item = fresh("found"), fresh("item")
    before = [assign(first, at(ast.Constant(None))), assign(found, at(ast.Constant(False)))]
    after = []
    if len(node.args) == 2:
        default = fresh("default")
        before.insert(0, assign(default, node.args[1]))
        after.append(at(ast.If(test=at(ast.UnaryOp(ast.Not(), load(found))), body=[assign(first, load(default))],
                               orelse=[])))
    it, target, value = node.args[0], at(ast.Name(item, ast.Store())), load(item)
    kind = builder.lazy_kind(it)
    count = len(it.args) if kind is zip else 2 if kind is enumerate else 1
    if count > 1 and not any(isinstance(a, ast.Starred) for a in it.args):  # (unpacked, as a loop over zip reads them)
        items = [fresh("item") for _ in range(count)]
        target = at(ast.Tuple([at(ast.Name(n, ast.Store())) for n in items], ast.Store()))
        value = at(ast.Tuple([load(n) for n in items], ast.Load()))
    loop = at(ast.For(target=target, iter=it, orelse=[], type_comment=None,
                      body=[assign(first, value), assign(found, at(ast.Constant(True))), at(ast.Break())]))
    loc = builder.loc
    builder.statements(before + [loop] + after)
    builder.loc = loc
    if len(node.args) == 1:
        builder.emit(ir.Effect(ir.Call("s2s.runtime.require_found", (builder.read(found, node),)), builder.loc))
    return builder.read(first, node)
