"""Comprehensions and the builtins that read a sequence through a function, lowered as the loop a user would
write: `[e for x in xs if c]` (a new list, a for statement per `for`, an if per `if`, an append), `map(f, xs)`,
`sorted(xs, key=f)` and `max(xs, key=f)` / `min`. `ComprehensionLowering` holds these methods of the SSA builder
(ssa.py); the lists they make are grown as lists.py grows any list.
"""
from __future__ import annotations

import ast

from s2s import ir
from s2s.front.generators import comprehension_loops
from s2s.front.repeated import items_written


class ComprehensionLowering:
    """(mixed into the SSA builder, ssa.py)"""

    def map_call(self, args: tuple, node, hint):
        """`map(f, xs, ys)`: the list `[f(x, y) for x, y in zip(xs, ys)]` (read whole, as `list(map(...))` is)."""
        if len(args) < 2:
            raise self.error(node, "map() without a sequence", "call map(function, values)")
        names = [self.namer.fresh("mapped") for _ in args]
        for name, atom in zip(names, args):
            self.env[name] = atom
        at = lambda n: ast.copy_location(n, node)  # noqa: E731
        loads = [at(ast.Name(n, ast.Load())) for n in names]
        items = [self.namer.fresh("item") for _ in args[1:]]
        target = at(ast.Name(items[0], ast.Store())) if len(items) == 1 else \
            at(ast.Tuple([at(ast.Name(n, ast.Store())) for n in items], ast.Store()))
        iterable = loads[1] if len(items) == 1 else at(ast.Call(at(ast.Name("zip", ast.Load())), loads[1:], []))
        elt = at(ast.Call(loads[0], [at(ast.Name(n, ast.Load())) for n in items], []))
        comp = at(ast.ListComp(elt=elt, generators=[ast.comprehension(target=target, iter=iterable, ifs=[],
                                                                        is_async=0)]))
        return self.comprehension(comp, hint)

    def sorted_call(self, args: tuple, kwargs: tuple, node, hint):
        """`sorted(xs, key=f, reverse=r)`: the order of the items, computed from the keys (`[f(x) for x in xs]`,
        or the items), carries no derivative (`rt.sort_order`, stable as Python's sort is); the list
        `[items[i] for i in order]` of `items = list(xs)` carries the items' derivatives."""
        options = dict(kwargs)
        if len(args) != 1 or set(options) - {"key", "reverse"}:
            raise self.error(node, "sorted() with arguments other than one sequence, key= and reverse=",
                             "call sorted(values, key=function, reverse=flag)")
        items = self.namer.fresh("unsorted")  # (what iterating xs gives, by position: a dict's keys, not xs[i])
        self.env[items] = self.materialise(ir.Call("builtins.list", (args[0],)), "unsorted")
        at = lambda n: ast.copy_location(n, node)  # noqa: E731
        keys = self.keys_of(items, options["key"], node) if "key" in options else self.env[items]
        order = self.namer.fresh("order")
        self.env[order] = self.materialise(
            ir.Call("s2s.runtime.sort_order", (keys, options.get("reverse", ir.Const(False)))), "order")
        index = self.namer.fresh("i")
        taken = at(ast.Subscript(value=at(ast.Name(items, ast.Load())), slice=at(ast.Name(index, ast.Load())),
                                 ctx=ast.Load()))
        return self.comprehension(at(ast.ListComp(elt=taken, generators=[ast.comprehension(
            target=at(ast.Name(index, ast.Store())), iter=at(ast.Name(order, ast.Load())), ifs=[], is_async=0)])),
            hint)

    def extremum_call(self, largest: bool, args: tuple, kwargs: tuple, node, hint):
        """`max(xs)` or `min(xs)` of one iterable, with key= and default= (or of several values with key=).
        Without a key, rt.largest(xs) (rt.smallest), the builtin's own result, whose derivative is shared among
        the items equal to it, as np.max's and max(a, b)'s at a tie; its default, positional, takes it where xs
        is empty. With a key, the position of the first extremal key, `rt.extremum_index([f(x) for x in
        items])`, carries no derivative, and the item at it, `items[i]` of `items = list(xs)`, carries the item's."""
        name = "max" if largest else "min"
        options = dict(kwargs)
        key = options.get("key")
        key = None if isinstance(key, ir.Const) and key.value is None else key
        if set(options) - {"key", "default"} or not args or len(args) > 1 and "default" in options:
            raise self.error(node, f"{name}() with these arguments", f"call {name}(values, key=function, "
                                   f"default=value), or {name}(a, b, ...) of several values")
        items = args[0] if len(args) == 1 else self.pack(args)
        default = (options["default"],) if "default" in options else ()
        if key is None:
            return ir.Call(f"s2s.runtime.{'largest' if largest else 'smallest'}", (items,) + default)
        at = lambda n: ast.copy_location(n, node)  # noqa: E731
        names = {part: self.namer.fresh(part) for part in ("items", "i", "default")}
        self.env[names["items"]] = self.materialise(ir.Call("builtins.list", (items,)), "items")
        load = lambda part: at(ast.Name(names[part], ast.Load()))  # noqa: E731
        keys = self.keys_of(names["items"], key, node)
        empty = (ir.Const(-1),) if default else ()
        self.env[names["i"]] = self.materialise(
            ir.Call("s2s.runtime.extremum_index", (keys, ir.Const(largest)) + empty), "i")
        taken = at(ast.Subscript(value=load("items"), slice=load("i"), ctx=ast.Load()))
        if not default:
            return self.expr(taken, hint)
        self.env[names["default"]] = default[0]
        return self.expr(at(ast.IfExp(test=at(ast.Compare(load("i"), [ast.GtE()], [at(ast.Constant(0))])),
                                      body=taken, orelse=load("default"))), hint)

    def keys_of(self, items: str, key, node) -> ir.Atom:
        """The list `[key(x) for x in items]` (`items`: a name bound here) of sorted(), max() or min()'s `key=`:
        a function s2s follows, or a dict's get (`key=d.get`, a method no function value stands for here: called
        as `d.get(x)`, which s2s reads)."""
        at = lambda n: ast.copy_location(n, node)  # noqa: E731
        item = self.namer.fresh("item")
        made = self.definitions.get(key.name) if isinstance(key, ir.Var) else None
        spelled = next((k.value for k in getattr(node, "keywords", ()) if k.arg == "key"), None)
        if made is not None and made.op == "getattr" and isinstance(spelled, ast.Attribute) and \
                spelled.attr == "get" and isinstance(spelled.value, ast.Name) and self.choice_of(key) is None and \
                self.method_of(spelled) is None:
            func = at(ast.Attribute(at(ast.Name(spelled.value.id, ast.Load())), "get", ast.Load()))
        else:
            func = at(ast.Name(self.namer.fresh("key"), ast.Load()))
            self.env[func.id] = key
        return self.comprehension(at(ast.ListComp(
            elt=at(ast.Call(func, [at(ast.Name(item, ast.Load()))], [])),
            generators=[ast.comprehension(target=at(ast.Name(item, ast.Store())), iter=at(ast.Name(items, ast.Load())),
                                          ifs=[], is_async=0)])), "keys")

    def comprehension(self, node, hint: str | None):
        """`[e for x in xs if c]` (or a generator expression, read whole) as the loop a user would write:
        a new list, a for statement per `for`, an if per `if`, and `append(e)`; the loop variables are the
        comprehension's own (renamed), as in Python 3."""
        if isinstance(node, ast.SetComp):
            raise self.error(node, "a set comprehension", "write the loop out with a for statement and build a list")
        if isinstance(node, ast.DictComp):  # {k: v for ...}: the dict of the list of (k, v) pairs
            pairs = ast.copy_location(ast.ListComp(elt=ast.copy_location(ast.Tuple([node.key, node.value], ast.Load()),
                                                                          node), generators=node.generators), node)
            return self.materialise(ir.Call("s2s.runtime.dict_from_pairs", (self.comprehension(pairs, None),)), hint)
        for gen in node.generators:
            if gen.is_async:
                raise self.error(node, "an async comprehension")
        made = self.unrolled_comprehension(node, hint)  # ([lambda v, k=k: ... for k in (1.0, 2.0)]: functions)
        if made is not None:
            return made
        # the list is named after the variable it is assigned to, unless the comprehension reads that name
        reads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        items = hint if hint and hint not in reads and hint not in self.env else self.namer.fresh(hint or "items")
        while items in reads or items in self.env:  # (a helper's own name, inlined: `p = [... p[i] ...]` in a
            items = self.namer.fresh(hint or "items")  # helper whose caller has no p, where fresh gave p itself)
        at = lambda n: ast.copy_location(n, node)  # noqa: E731
        body = comprehension_loops(node, lambda elt: [at(ast.Expr(at(ast.Call(at(ast.Attribute(
            at(ast.Name(items, ast.Load())), "append", ast.Load())), [elt], []))))], self.namer.fresh)
        self.statement(at(ast.Assign(targets=[at(ast.Name(items, ast.Store()))], value=at(ast.List([], ast.Load())),
                                     type_comment=None)))
        loc = self.loc
        for s in body:
            self.statement(s)
        self.loc = loc
        value = self.read(items, node)
        root = self.list_root(value)
        if root is not None:  # the comprehension's own name is no one's: the name its list is bound to owns it
            self.list_owner.pop(root, None)
        if isinstance(node, ast.ListComp) and not isinstance(node.elt, ast.Constant) and hint and \
                items_written(self.src.tree, hint):  # (`q = [w.copy() for w in ws]; q[1] *= 2.0`: a list whose
            # items the function writes, made as `list(w.copy() for w in ws)` is, whose items the alias stage
            # follows, where a grown list's are not; `[None for _ in ...]`'s refusal names the repetition)
            return self.materialise(ir.Call("builtins.list", (value,)), hint)
        return value
