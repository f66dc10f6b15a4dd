"""`itertools.accumulate`, `takewhile`, `dropwhile`, `filterfalse`, `statistics.fmean` and `statistics.variance`
(stdev, pvariance, pstdev) as the code Python runs.

Pure functions on `ast` nodes (new nodes, at the user's lines), and the two readings that lower them:
- `library_for`: `for T in takewhile(f, xs): body` as `for v in xs: if not f(v): break; T = v; body` (an else
  clause runs where the loop ends without the user's break: also where f stopped it), `dropwhile(f, xs)` as
  `dropping = True; for v in xs: if dropping: dropping = f(v); if not dropping: T = v; body` (f not called once it
  was false), `accumulate(xs, f)` as `first = True; for v in xs: if first: acc = v; first = False; else: acc = f(acc,
  v); T = acc; body` (`acc + v` without f; with initial=, the loop over `[initial, *xs]`): each value computed as
  the loop reaches it, f evaluated once, before the loop. `filterfalse(f, xs)` is the generator expression `(v for
  v in xs if not f(v))` (folds.filter_generator).
- `library_list`: one of them read wholly where it is made (`sum(accumulate(xs, f))`, `list(takewhile(...))`):
  the list that loop appends its values to.
- `fmean_value`: `statistics.fmean(xs)` as Python's `math.fsum(xs) / len(xs)` (statistics.mean, rounded once, plus
  the difference, rt.mean_rounding), `fmean(xs, weights)` as
  `math.fsum([v * w for v, w in zip(xs, ws)]) / math.fsum(ws)`, with the StatisticsError of Python's
  (rt.require_points) where xs is empty, the lengths differ or the weights sum to 0.
- `spread_value`: `statistics.variance(xs)` as the sum of squares about fmean's mean over len(xs) - 1, plus the
  last bits of Python's (rt.spread_rounding).
"""
from __future__ import annotations

import ast
import itertools
import math
import statistics
import sys

from s2s import ir

LOOPED = (itertools.accumulate, itertools.takewhile, itertools.dropwhile)  # read by the loops library_for makes
KINDS = LOOPED + (itertools.filterfalse,)  # iterators Python reads as it goes, of a function
_SPELLED = frozenset(k.__name__ for k in KINDS)


def library_kind(builder, node):
    """itertools.accumulate, takewhile, dropwhile or filterfalse for a call of one (spelled `itertools.name` or the
    name imported from itertools), else None."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    spelled = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    if spelled not in _SPELLED:
        return None
    value = builder.static_value(func)
    return next((k for k in KINDS if value is k), None)


def _arguments(call: ast.Call, kind):
    """(function or None, iterable, initial or None) of a call of `kind`, or None for other arguments."""
    args, keywords = list(call.args), {k.arg: k.value for k in call.keywords}
    if any(isinstance(a, ast.Starred) for a in args) or None in keywords:
        return None
    if kind is itertools.accumulate:
        if "iterable" in keywords and not args:
            args.append(keywords.pop("iterable"))
        if "func" in keywords and len(args) == 1:
            args.append(keywords.pop("func"))
        initial = keywords.pop("initial", None)
        if keywords or not 1 <= len(args) <= 2:
            return None
        func = args[1] if len(args) == 2 else None
        none = lambda n: n is None or isinstance(n, ast.Constant) and n.value is None  # noqa: E731
        return (None if none(func) else func), args[0], (None if none(initial) else initial)
    if keywords or len(args) != 2:
        return None
    return args[0], args[1], None


def usage(kind) -> str:
    return {itertools.accumulate: "itertools.accumulate(values), accumulate(values, function) or accumulate(values, "
                                  "function, initial=value)",
            itertools.filterfalse: "itertools.filterfalse(function, values)"}.get(
        kind, f"itertools.{kind.__name__}(function, values)")


def library_for(s: ast.For, kind, fresh, stored, lazy) -> list | None:
    """The statements running `s`, a for loop over a call of `kind` (one of LOOPED), as the loop Python runs over
    what it reads; None for a call with other arguments. `stored`: the names the loop's body assigns (a function
    named by one is evaluated into a name of its own, before the loop); `lazy(node)`: is node an iterator?
    Raises ValueError(node, what, hint) for accumulate's initial= over an iterator."""
    made = _arguments(s.iter, kind)
    if made is None:
        return None
    func, xs, initial = made
    call = s.iter
    at = lambda n: ast.copy_location(n, call)  # noqa: E731
    load = lambda n: at(ast.Name(n, ast.Load()))  # noqa: E731
    store = lambda n: at(ast.Name(n, ast.Store()))  # noqa: E731
    assign = lambda target, value: at(ast.Assign(targets=[target], value=value, type_comment=None))  # noqa: E731
    before = []
    if func is not None:
        root = func
        while isinstance(root, ast.Attribute):
            root = root.value
        if not (isinstance(root, ast.Name) and root.id not in stored):  # (evaluated once, where the call is)
            temp = fresh("keep")
            before.append(assign(store(temp), func))
            func = load(temp)
    item = fresh("item")
    body, orelse = [assign(s.target, load(item))] + list(s.body), list(s.orelse)
    if kind is itertools.takewhile:
        stop = [at(ast.Break())]
        ended = fresh("ended") if orelse else None
        if ended is not None:  # (the else clause runs where f stopped the loop too, not after the user's break)
            before.append(assign(store(ended), at(ast.Constant(False))))
            stop.insert(0, assign(store(ended), at(ast.Constant(True))))
        test = at(ast.UnaryOp(ast.Not(), at(ast.Call(func, [load(item)], []))))
        loop = at(ast.For(target=store(item), iter=xs, body=[at(ast.If(test=test, body=stop, orelse=[]))] + body,
                          orelse=[assign(store(ended), at(ast.Constant(True)))] if ended else [], type_comment=None))
        after = [at(ast.If(test=load(ended), body=orelse, orelse=[]))] if ended else []
        return before + [loop] + after
    if kind is itertools.dropwhile:
        dropping = fresh("dropping")
        before.append(assign(store(dropping), at(ast.Constant(True))))
        check = at(ast.If(test=load(dropping), body=[assign(store(dropping), at(ast.Call(func, [load(item)], [])))],
                          orelse=[]))
        keep = at(ast.If(test=at(ast.UnaryOp(ast.Not(), load(dropping))), body=body, orelse=[]))
        return before + [at(ast.For(target=store(item), iter=xs, body=[check, keep], orelse=orelse,
                                    type_comment=None))]
    acc, first, value = fresh("acc"), fresh("first"), fresh("value")
    if initial is not None:
        if isinstance(xs, ast.GeneratorExp) or lazy(xs):
            raise ValueError(call, "a for loop over itertools.accumulate(..., initial=...) of an iterator",
                             "make a list of the values first, values = list(...), and loop over "
                             "itertools.accumulate(values, ..., initial=...)")
        xs = at(ast.List([initial, at(ast.Starred(xs, ast.Load()))], ast.Load()))
    step = at(ast.BinOp(load(acc), ast.Add(), load(value))) if func is None else \
        at(ast.Call(func, [load(acc), load(value)], []))
    update = at(ast.If(test=load(first), body=[assign(store(acc), load(value)), assign(store(first),
                                                                                         at(ast.Constant(False)))],
                       orelse=[assign(store(acc), step)]))
    body = [update, assign(s.target, load(acc))] + list(s.body)
    before.append(assign(store(first), at(ast.Constant(True))))
    return before + [at(ast.For(target=store(value), iter=xs, body=body, orelse=orelse, type_comment=None))]


def library_list(builder, node: ast.Call, kind, hint) -> ir.Atom:
    """A call of `kind` (one of LOOPED) read wholly where it is made: the list the loop over it appends to."""
    fresh = builder.namer.fresh
    reads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    out = hint if hint and hint not in reads and hint not in builder.env else fresh(hint or kind.__name__)
    at = lambda n: ast.copy_location(n, node)  # noqa: E731
    item = fresh("item")
    append = at(ast.Expr(at(ast.Call(at(ast.Attribute(at(ast.Name(out, ast.Load())), "append", ast.Load())),
                                     [at(ast.Name(item, ast.Load()))], []))))
    loop = at(ast.For(target=at(ast.Name(item, ast.Store())), iter=node, body=[append], orelse=[],
                      type_comment=None))
    made = _arguments(node, kind)
    if made is not None and kind is itertools.accumulate and made[2] is not None:
        made = _accumulated(made, node, out, fresh)  # (xs read wholly after initial, where it may be an iterator)
    elif made is not None:
        made = library_for(loop, kind, fresh, frozenset(), lambda n: False)
    if made is None:
        raise builder.error(node, f"itertools.{kind.__name__}() with these arguments", f"call {usage(kind)}")
    loc = builder.loc
    builder.statements([at(ast.Assign(targets=[at(ast.Name(out, ast.Store()))], value=at(ast.List([], ast.Load())),
                                      type_comment=None))] + made)
    builder.loc = loc
    return builder.read(out, node)


def _accumulated(arguments, node, out, fresh) -> list:
    """`out = list(accumulate(xs, f, initial=i))`: `acc = i; out.append(acc); for v in xs: acc = f(acc, v);
    out.append(acc)` (out made empty before; f evaluated once, before)."""
    func, xs, initial = arguments
    at = lambda n: ast.copy_location(n, node)  # noqa: E731
    load = lambda n: at(ast.Name(n, ast.Load()))  # noqa: E731
    assign = lambda name, value: at(ast.Assign(targets=[at(ast.Name(name, ast.Store()))], value=value,  # noqa: E731
                                               type_comment=None))
    acc, value = fresh("acc"), fresh("value")
    append = lambda: at(ast.Expr(at(ast.Call(at(ast.Attribute(load(out), "append", ast.Load())), [load(acc)],  # noqa
                                             []))))
    before = []
    if func is not None:
        keep = fresh("keep")
        before.append(assign(keep, func))
        func = load(keep)
    step = at(ast.BinOp(load(acc), ast.Add(), load(value))) if func is None else \
        at(ast.Call(func, [load(acc), load(value)], []))
    return before + [assign(acc, initial), append(), at(ast.For(target=at(ast.Name(value, ast.Store())), iter=xs,
                                                                body=[assign(acc, step), append()], orelse=[],
                                                                type_comment=None))]


def fmean_value(builder, node: ast.Call, hint) -> ir.Atom:
    """statistics.fmean(xs) and statistics.mean(xs) (`_fmean_value`), the names s2s bound for it dropped after."""
    return _own_names(builder, lambda: _fmean_value(builder, node, hint))


def spread_value(builder, node: ast.Call, hint) -> ir.Atom:
    """statistics.variance(xs) and its kin (`_spread_value`), the names s2s bound for it dropped after."""
    return _own_names(builder, lambda: _spread_value(builder, node, hint))


def _own_names(builder, make) -> ir.Atom:
    """make()'s value, the names it bound in `builder.env` (s2s's own, `data`, `mean`: no user's) dropped after it,
    so that no name holds the list it read (`b = statistics.fmean(parts)` then `parts.append(v)` in a loop)."""
    before = set(builder.env)
    try:
        return make()
    finally:
        for name in set(builder.env) - before:
            del builder.env[name]


def is_fmean(builder, node: ast.Call) -> bool:
    """Is `node` a call of statistics.fmean or statistics.mean?"""
    func = node.func
    spelled = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return spelled in ("fmean", "mean") and builder.static_value(func) in (statistics.fmean, statistics.mean)


def _fmean_value(builder, node: ast.Call, hint) -> ir.Atom:
    """`statistics.fmean(xs[, weights])` as Python computes it: `math.fsum(xs) / len(xs)`, `math.fsum([v * w for v,
    w in zip(xs, ws)]) / math.fsum(ws)`; xs (and weights) evaluated once, in order, and read wholly.
    `statistics.mean(xs)`, the exact mean rounded once, is that plus `rt.mean_rounding(xs)`, the difference (0, or
    the last bit where fsum's rounding and the division's differ), which carries no derivative."""
    exact = builder.static_value(node.func) is statistics.mean
    if exact and (node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred)):
        raise builder.error(node, "statistics.mean() with these arguments", "call statistics.mean(values)")
    args, keywords = list(node.args), {k.arg: k.value for k in node.keywords}
    if "data" in keywords and not args:
        args.append(keywords.pop("data"))
    if "weights" in keywords and len(args) == 1:
        args.append(keywords.pop("weights"))
    if keywords or not 1 <= len(args) <= 2 or any(isinstance(a, ast.Starred) for a in args) or \
            len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is None and args.pop() is None:
        raise builder.error(node, "statistics.fmean() with these arguments",
                            "call statistics.fmean(values) or statistics.fmean(values, weights)")
    if len(args) == 2 and sys.version_info < (3, 11):
        raise builder.error(node, "statistics.fmean() with weights, which Python takes from 3.11",
                            "write math.fsum([v * w for v, w in zip(values, weights)]) / math.fsum(weights)")
    fresh = builder.namer.fresh
    names = []
    for a in args:
        lazy = isinstance(a, ast.GeneratorExp) or builder.lazy_kind(a) is not None
        if lazy:
            builder.consumed.add(id(a))
        try:
            name = fresh("data" if not names else "weights")
            builder.env[name] = builder.iterated(builder.atom(a))
        finally:
            builder.consumed.discard(id(a))
        names.append(name)
    fsum = lambda atom, name: builder.materialise(  # noqa: E731
        builder.call_object(math.fsum, (atom,), (), node, "math.fsum"), fresh(name))
    data = builder.env[names[0]]
    if len(names) == 1:
        builder.emit(ir.Effect(ir.Call("s2s.runtime.require_points", (data,) + (
            (ir.Const(None), ir.Const(None), ir.Const("mean")) if exact else ())), builder.loc))
        count = builder.materialise(ir.Call("builtins.len", (data,)))
        if not exact:
            return builder.materialise(builder.fold_call("truediv", (fsum(data, "total"), count)), hint)
        mean = builder.materialise(builder.fold_call("truediv", (fsum(data, "total"), count)), fresh("mean"))
        rounding = builder.materialise(ir.Call("s2s.runtime.mean_rounding", (data,)), fresh("rounding"))
        return builder.materialise(builder.fold_call("add", (mean, rounding)), hint)
    at = lambda n: ast.copy_location(n, node)  # noqa: E731
    load = lambda n: at(ast.Name(n, ast.Load()))  # noqa: E731
    v, w = fresh("value"), fresh("weight")
    pairs = builder.atom(at(ast.ListComp(elt=at(ast.BinOp(load(v), ast.Mult(), load(w))), generators=[
        ast.comprehension(target=at(ast.Tuple([at(ast.Name(v, ast.Store())), at(ast.Name(w, ast.Store()))],
                                              ast.Store())),
                          iter=at(ast.Call(load("zip"), [load(names[0]), load(names[1])], [])), ifs=[], is_async=0)])),
        fresh("products"))
    num, den = fsum(pairs, "total"), fsum(builder.env[names[1]], "weight_total")
    builder.emit(ir.Effect(ir.Call("s2s.runtime.require_points", (data, builder.env[names[1]], den)), builder.loc))
    return builder.materialise(builder.fold_call("truediv", (num, den)), hint)


# statistics' spreads: (name, the mean's parameter, what n is less by in the divisor, whether a square root)
_SPREADS = {statistics.variance: ("variance", "xbar", 1, False), statistics.stdev: ("stdev", "xbar", 1, True),
            statistics.pvariance: ("pvariance", "mu", 0, False), statistics.pstdev: ("pstdev", "mu", 0, True)}


def is_spread(builder, node: ast.Call) -> bool:
    """Is `node` a call of statistics.variance, stdev, pvariance or pstdev?"""
    func = node.func
    spelled = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return spelled in ("variance", "stdev", "pvariance", "pstdev") and builder.static_value(func) in _SPREADS


def _spread_value(builder, node: ast.Call, hint) -> ir.Atom:
    """`statistics.variance(xs)` as `math.fsum([(v - m) ** 2 for v in xs]) / (len(xs) - 1)`, m being
    `math.fsum(xs) / len(xs)` (pvariance: divided by len(xs)), stdev and pstdev its rt.spread_root (math.sqrt); plus
    `rt.spread_rounding(xs, value, name)`, Python's value (its exact sum of squares rounded once) less that one:
    0 or the last bits, with no derivative. xs is evaluated once and read wholly; Python's StatisticsError where
    it has too few points (rt.spread_divisor). The mean given (xbar=, mu=) is refused."""
    name, given, ddof, root = _SPREADS[builder.static_value(node.func)]
    args, keywords = list(node.args), {k.arg: k.value for k in node.keywords}
    if "data" in keywords and not args:
        args.append(keywords.pop("data"))
    if given in keywords and len(args) == 1:
        args.append(keywords.pop(given))
    none = lambda n: isinstance(n, ast.Constant) and n.value is None  # noqa: E731
    if keywords or not 1 <= len(args) <= 2 or any(isinstance(a, ast.Starred) for a in args):
        raise builder.error(node, f"statistics.{name}() with these arguments", f"call statistics.{name}(values)")
    if len(args) == 2 and not none(args[1]):
        divisor = "len(xs) - 1" if ddof else "len(xs)"
        raise builder.error(node, f"statistics.{name}() given the mean ({given}=)",
                            f"leave {given} out (statistics computes the mean itself), or write the sum of squares "
                            f"about it: math.fsum([(v - {given}) ** 2 for v in xs]) / ({divisor})"
                            + (", then its math.sqrt" if root else ""))
    fresh = builder.namer.fresh
    first = args[0]
    if isinstance(first, ast.GeneratorExp) or builder.lazy_kind(first) is not None:
        builder.consumed.add(id(first))
    try:
        data_name = fresh("data")
        builder.env[data_name] = data = builder.iterated(builder.atom(first))
    finally:
        builder.consumed.discard(id(first))
    divisor = builder.materialise(ir.Call("s2s.runtime.spread_divisor", (data, ir.Const(name))), fresh("divisor"))
    fsum = lambda atom, label: builder.materialise(  # noqa: E731
        builder.call_object(math.fsum, (atom,), (), node, "math.fsum"), fresh(label))
    count = builder.materialise(ir.Call("builtins.len", (data,)))
    mean_name = fresh("mean")
    builder.env[mean_name] = builder.materialise(builder.fold_call("truediv", (fsum(data, "total"), count)), mean_name)
    at = lambda n: ast.copy_location(n, node)  # noqa: E731
    load = lambda n: at(ast.Name(n, ast.Load()))  # noqa: E731
    v = fresh("value")
    squares = builder.atom(at(ast.ListComp(
        elt=at(ast.BinOp(at(ast.BinOp(load(v), ast.Sub(), load(mean_name))), ast.Pow(), at(ast.Constant(2)))),
        generators=[ast.comprehension(target=at(ast.Name(v, ast.Store())), iter=load(data_name), ifs=[],
                                      is_async=0)])), fresh("squares"))
    value = builder.materialise(builder.fold_call("truediv", (fsum(squares, "squares_total"), divisor)), fresh(name))
    if root:
        value = builder.materialise(ir.Call("s2s.runtime.spread_root", (value,)), fresh(name))
    rounding = builder.materialise(ir.Call("s2s.runtime.spread_rounding", (data, value, ir.Const(name))),
                                   fresh("rounding"))
    return builder.materialise(builder.fold_call("add", (value, rounding)), hint)
