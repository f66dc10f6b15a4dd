"""Lists a container of the function's own holds, grown in place by item: `d.setdefault(k, []).append(v)`,
`groups[k].append(v)` of `groups[k] = []`, `d[k].append(v)` of `d = collections.defaultdict(list)`, `rows[i %
3].append(v)` of `rows = [[] for _ in range(3)]`, and `d[k] += [v]`.

Python changes the one list the container holds there. s2s reads the append as the container written at that key
with a new list, the old one's items then v (`d[k] = d[k] + [v]`, `rt.appended`), which the rules of a dict or a
list written by key differentiate. That is exact while nothing but the container holds its lists when they grow:
`exact(tree)` reads the function's text for that, per container name. Every list the container gets is a new one
(`[]`, `[v]`, a comprehension, `list(...)`, the defaultdict's own; never `[[]] * 3`, one list three times, nor a
list another name holds), and every other read of the container either uses its lists there and then (`sum(d[k])`,
`np.array(d[k])`, `d[k][-1]`, `len(d)`, `for k in d`, `for v in d.values()` whose `v` the loop only reads so) or
comes where no growth can follow it (after the loops that grow it: `return d`, `a = d[k]`). A use that breaks
this is refused at its line, saying why and what to write; a container that is a parameter keeps the refusals of
lists the function did not make (front/lists.py).
"""
from __future__ import annotations

import ast
import dataclasses

from s2s import ir
from s2s.prims import APPENDED

GROWERS = ("append", "extend")
# calls that read a list given to them and keep no reference to it (they make numbers, arrays or new lists of its
# items); a list of lists given to them is read so too where it is numpy's (np.array(rows))
_READERS = frozenset({"len", "sum", "sorted", "list", "tuple", "set", "frozenset", "any", "all", "bool", "float",
                      "int", "str", "repr", "print", "abs", "round", "max", "min"})
# calls whose result holds the lists of a list of lists given them (a new list of them, an iterator over them)
_HOLDERS = frozenset({"list", "tuple", "sorted", "reversed", "enumerate", "zip", "iter", "set", "frozenset"})
_MODULES = frozenset({"np", "numpy", "math", "statistics"})
_FRESH_CALLS = frozenset({"list", "sorted"})
_CHANGERS = ("clear", "pop", "remove", "sort", "reverse", "insert")


@dataclasses.dataclass(frozen=True)
class Refusal:
    node: ast.AST
    construct: str
    fix: str


def _fresh(e) -> bool:
    """Is `e` surely a new list no other name holds: a display, a comprehension, list(...), sorted(...)?"""
    return isinstance(e, (ast.List, ast.ListComp)) or isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and \
        e.func.id in _FRESH_CALLS


def _defaultdict_of_lists(e) -> bool:
    """`collections.defaultdict(list)` or `defaultdict(list)`."""
    return isinstance(e, ast.Call) and len(e.args) == 1 and not e.keywords and \
        isinstance(e.args[0], ast.Name) and e.args[0].id == "list" and \
        (isinstance(e.func, ast.Name) and e.func.id == "defaultdict" or isinstance(e.func, ast.Attribute) and
         e.func.attr == "defaultdict" and isinstance(e.func.value, ast.Name) and e.func.value.id == "collections")


def _made(e) -> str | None:
    """What container of new lists `e` makes: "dict" (`{}`, `dict()`, a display or comprehension of new lists,
    a defaultdict(list)), "list" (`[]`, a display or comprehension of new lists), else None."""
    if isinstance(e, ast.Dict):
        return "dict" if None not in e.keys and all(_fresh(v) for v in e.values) else None
    if isinstance(e, ast.DictComp):
        return "dict" if _fresh(e.value) else None
    if isinstance(e, ast.Call) and isinstance(e.func, ast.Name) and e.func.id == "dict" and not e.args and \
            not e.keywords or _defaultdict_of_lists(e):
        return "dict"
    if isinstance(e, ast.List):
        return "list" if all(_fresh(v) for v in e.elts) else None
    if isinstance(e, ast.ListComp):
        return "list" if _fresh(e.elt) else None
    return None


def grown_item(node) -> tuple | None:
    """(container name, key node, "item" or "setdefault") of a statement-level growth `C[k].append(v)`,
    `C[k].extend([...])`, `C.setdefault(k, [])..append(v)` (`node` the call), or of `C[k] += [...]` (the
    AugAssign); None otherwise."""
    if isinstance(node, ast.AugAssign):
        t = node.target
        return (t.value.id, t.slice, "item") if isinstance(node.op, ast.Add) and isinstance(t, ast.Subscript) and \
            isinstance(t.value, ast.Name) and not isinstance(t.slice, ast.Slice) and \
            isinstance(node.value, (ast.List, ast.Tuple)) else None
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in GROWERS):
        return None
    r = node.func.value
    if isinstance(r, ast.Subscript) and isinstance(r.value, ast.Name) and not isinstance(r.slice, ast.Slice):
        return r.value.id, r.slice, "item"
    if isinstance(r, ast.Call) and isinstance(r.func, ast.Attribute) and r.func.attr == "setdefault" and \
            isinstance(r.func.value, ast.Name) and len(r.args) == 2 and not r.keywords:
        return r.func.value.id, r.args[0], "setdefault"
    return None


_CACHE: dict = {}


def verdict(tree: ast.FunctionDef, node) -> Refusal | bool | None:
    """For the growth `node` (grown_item's): True where reading it as a key write is exact, a Refusal where the
    container is the function's own but something else may hold its lists, None where it is not the function's
    own container (a parameter, a name bound otherwise)."""
    key = id(tree)
    found = _CACHE.get(key)
    if found is None or found[0] is not tree:
        found = _CACHE[key] = (tree, _Analysis(tree).run())
        if len(_CACHE) > 256:
            _CACHE.pop(next(iter(_CACHE)))
    return found[1].get(id(node))


class _Analysis:
    def __init__(self, tree: ast.FunctionDef):
        self.tree = tree
        self.parent = {}
        for p in ast.walk(tree):
            for c in ast.iter_child_nodes(p):
                self.parent[c] = p

    def run(self) -> dict:
        growths: dict = {}
        for n in ast.walk(self.tree):
            g = grown_item(n)
            if g is not None and (isinstance(n, ast.AugAssign) or isinstance(self.parent.get(n), ast.Expr)):
                growths.setdefault(g[0], []).append(n)
        out = {}
        for name, nodes in growths.items():
            kind = self._kind(name)
            if kind is None:
                continue
            refusal = self._check(name, kind, nodes)
            for n in nodes:
                out[id(n)] = refusal or True
        return out

    def _kind(self, name: str) -> str | None:
        """"dict" or "list" where every binding of `name` makes a container of new lists; None otherwise."""
        args = self.tree.args
        if name in {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs} | \
                {a.arg for a in (args.vararg, args.kwarg) if a is not None}:
            return None
        kinds = set()
        for n in ast.walk(self.tree):
            if isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names:
                return None
            if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store):
                p = self.parent[n]
                if not (isinstance(p, ast.Assign) and p.targets == [n]):
                    return None
                kinds.add(_made(p.value))
        return kinds.pop() if len(kinds) == 1 else None

    def _check(self, name: str, kind: str, growths: list) -> Refusal | None:
        grown = {id(g) for g in growths}
        for g in growths:
            if grown_item(g)[2] == "setdefault" and not _fresh(g.func.value.args[1]):
                return Refusal(g.func.value, f"'{ast.unparse(g.func.value)}' growing a default that may not be a new "
                                             f"list", f"give a new list as the default: {name}.setdefault(k, [])")
        retained, extents = [], []
        for n in ast.walk(self.tree):
            if not (isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)):
                continue
            p = self.parent[n]
            if self._growth_use(n, grown):
                continue
            if isinstance(p, (ast.Lambda, ast.FunctionDef)) or self._in_function(n):
                return Refusal(n, f"the container '{name}' read in a nested function, while the function grows its "
                                  f"lists in place", f"pass {name}'s lists to the helper as values, after the loop "
                                                     f"that grows them")
            found = self._use(n, kind, name)
            if isinstance(found, Refusal):
                return found
            if found is not None:
                (extents if isinstance(found[0], (ast.For, ast.While)) and found[1] == "extent" else
                 retained).append(found[0])
        for g in growths:
            for u in retained:
                if self._after(g, u) or self._common_loop(g, u):
                    return Refusal(u, f"'{ast.unparse(u)}', which may hold a list '{name}' holds while a later "
                                      f"'{_spelled(g)}' grows that list in place (s2s reads the growth as a new "
                                      f"list: what holds the old one would not see it)",
                                   f"read '{name}' this way after the loops that grow its lists, or hold a copy: "
                                   f"list({ast.unparse(u) if isinstance(u, ast.expr) else name + '[k]'})")
            for loop in extents:
                if any(c is g for c in ast.walk(loop)):
                    return Refusal(g, f"'{_spelled(g)}', growing a list of '{name}' inside a loop over '{name}' or "
                                      f"its lists (Python's loop would see the new items)",
                                   f"loop over a copy: for {ast.unparse(loop.target)} in list({ast.unparse(loop.iter)})")
        return None

    def _growth_use(self, n: ast.Name, grown: set) -> bool:
        """Is `n` the container read by a growth itself (`C` of `C[k].append(v)`)?"""
        p = self.parent[n]
        q = self.parent.get(p)
        if isinstance(p, ast.Subscript) and p.value is n:
            if isinstance(q, ast.AugAssign) and id(q) in grown and q.target is p:
                return True
            r = self.parent.get(q)
            return isinstance(q, ast.Attribute) and id(r) in grown
        if isinstance(p, ast.Attribute) and p.attr == "setdefault":
            return isinstance(self.parent.get(q), ast.Attribute) and id(self.parent.get(self.parent.get(q))) in grown
        return False

    def _in_function(self, n) -> bool:
        p = self.parent.get(n)
        while p is not None and p is not self.tree:
            if isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                return True
            p = self.parent.get(p)
        return False

    def _use(self, n: ast.Name, kind: str, name: str):
        """How the read `n` of the container uses it: None (there and then), (node, "retain") where it may hold
        the container or one of its lists from `node` on, (loop, "extent") where only while the loop runs, or a
        Refusal (a list that is not new put into it, a list of it changed otherwise)."""
        p = self.parent[n]
        if isinstance(p, ast.Subscript) and p.value is n:
            if isinstance(p.ctx, ast.Store):
                a = self.parent[p]
                if isinstance(a, ast.Assign) and a.targets == [p] and _fresh(a.value):
                    return None
                return Refusal(p, f"'{ast.unparse(a) if isinstance(a, ast.stmt) else ast.unparse(p)}', storing "
                                  f"into '{name}', whose lists the function grows in place, a list that may be "
                                  f"held elsewhere too", f"store a new list: {ast.unparse(p)} = [] (or "
                                                         f"list(values))")
            if isinstance(p.ctx, ast.Del):
                return None
            return self._item_use(p, "many" if isinstance(p.slice, ast.Slice) else "item", name)
        if isinstance(p, ast.Attribute) and p.value is n:
            call = self.parent.get(p)
            called = isinstance(call, ast.Call) and call.func is p
            if called and p.attr == "keys" or called and p.attr == "append" and kind == "list" and \
                    isinstance(self.parent.get(call), ast.Expr) and len(call.args) == 1 and _fresh(call.args[0]):
                return None
            if called and p.attr in ("values", "items"):
                return self._item_use(call, "many", name)
            if called and p.attr == "get":
                return self._item_use(call, "item", name)
            return Refusal(p, f"'{ast.unparse(call if called else p)}' on '{name}', whose lists the function grows "
                              f"in place", f"write its lists by key ({name}[k] = [...]) and read them by key or "
                                           f"through {name}.values()")
        return self._item_use(n, kind, name)

    def _item_use(self, e, level: str, name: str):
        """The use of `e`, a list of the container ("item"), a sequence of them ("many"), or the container itself
        ("dict", "list")."""
        p = self.parent.get(e)
        if level == "dict":
            if isinstance(p, (ast.For, ast.comprehension)) and p.iter is e:
                return (p, "extent") if isinstance(p, ast.For) else None
            if isinstance(p, ast.Compare) or isinstance(p, ast.Call) and e in p.args and _reader(p.func):
                return None
            if _test(p, e):
                return None
            return _retain(e, self)
        if level == "list":
            level = "many"
        if level == "item":
            if isinstance(p, ast.Subscript) and p.value is e or isinstance(p, (ast.BinOp, ast.Compare, ast.UnaryOp)) \
                    or _test(p, e) or isinstance(p, ast.Expr):
                return None
            if isinstance(p, ast.comprehension) and p.iter is e:
                return None
            if isinstance(p, ast.For) and p.iter is e:
                return p, "extent"
            if isinstance(p, ast.Call) and e in p.args and (_reader(p.func) and not (
                    isinstance(p.func, ast.Name) and p.func.id in ("max", "min") and len(p.args) > 1)):
                return None
            if isinstance(p, ast.Attribute) and p.attr in ("copy", "index", "count", *_CHANGERS) and \
                    isinstance(self.parent.get(p), ast.Call):
                return None  # (a list's other methods changing it in place are refused by SSA, with their advice)
            if isinstance(p, (ast.IfExp, ast.BoolOp)) and not _test(p, e):
                return self._item_use(p, "item", name)
            return _retain(e, self)
        # "many": its items are lists of the container
        if isinstance(p, ast.Call) and e in p.args:
            f = p.func
            if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id in _MODULES or \
                    isinstance(f, ast.Name) and f.id in ("len", "sum", "any", "all"):
                return None
            if isinstance(f, ast.Name) and f.id in _HOLDERS:
                return self._item_use(p, "many", name)
            if isinstance(f, ast.Name) and f.id in ("max", "min") and len(p.args) == 1:
                return self._item_use(p, "item", name)
            return _retain(e, self)
        if isinstance(p, (ast.For, ast.comprehension)) and p.iter is e:
            return self._bound(p, name)
        if isinstance(p, ast.Subscript) and p.value is e and not isinstance(p.slice, ast.Slice):
            return self._item_use(p, "item", name)
        if isinstance(p, ast.Compare) or _test(p, e):
            return None
        return _retain(e, self)

    def _bound(self, loop, name: str):
        """`for v in d.values()` (a comprehension's too): the names the loop binds hold the container's lists; each
        read of them must use the list there and then, inside the loop."""
        targets = {t.id for t in ast.walk(loop.target) if isinstance(t, ast.Name)}
        scope = self.parent[loop] if isinstance(loop, ast.comprehension) else loop
        for n in ast.walk(self.tree):
            if not (isinstance(n, ast.Name) and n.id in targets and isinstance(n.ctx, ast.Load)):
                continue
            if not any(c is n for c in ast.walk(scope)):
                return _retain(loop.iter, self) if isinstance(loop, ast.comprehension) else (loop, "retain")
            p = self.parent[n]
            if isinstance(p, ast.Subscript) and p.value is n or isinstance(p, ast.Call) and n in p.args:
                found = self._item_use(n, "item", name)
            elif isinstance(p, ast.Subscript) and p.slice is n or isinstance(p, (ast.BinOp, ast.Compare)):
                found = None  # (a key)
            else:
                found = self._item_use(n, "item", name)
            if isinstance(found, Refusal):
                return found
            if found is not None and found[1] == "retain":
                return (scope, "retain") if isinstance(loop, ast.For) else found
        return (loop, "extent") if isinstance(loop, ast.For) else None

    @staticmethod
    def _after(g, u) -> bool:
        """May the growth `g` run after the use `u` in the function's text order (or within it)?"""
        return (g.end_lineno, g.end_col_offset) > (u.lineno, u.col_offset)

    def _common_loop(self, g, u) -> bool:
        loops = set()
        p = self.parent.get(g)
        while p is not None:
            if isinstance(p, (ast.For, ast.While)):
                loops.add(id(p))
            p = self.parent.get(p)
        p = self.parent.get(u)
        while p is not None:
            if id(p) in loops:
                return True
            p = self.parent.get(p)
        return False


def _reader(f) -> bool:
    return isinstance(f, ast.Name) and f.id in _READERS or isinstance(f, ast.Attribute) and \
        isinstance(f.value, ast.Name) and f.value.id in _MODULES


def _test(p, e) -> bool:
    return isinstance(p, (ast.If, ast.While, ast.IfExp, ast.Assert)) and p.test is e or \
        isinstance(p, ast.UnaryOp) and isinstance(p.op, ast.Not)


def _retain(e, analysis) -> tuple:
    """(the statement holding `e`, "retain"): from there on it may hold a list of the container."""
    s = e
    while not isinstance(s, ast.stmt):
        s = analysis.parent[s]
    return s, "retain"


def _spelled(g) -> str:
    return ast.unparse(g).split("\n")[0]


def grow(builder, node) -> bool:
    """`C[k].append(v)` (`node` the call; `C[k] += [v]`, the AugAssign) of a container whose lists nothing else
    holds (`verdict`): `C[k] = C[k] + [v]` (`C.setdefault(k, [])`: `C.get(k, [])` there), as SSA; a Refusal
    raised at its line; False where the container is not the function's own (the caller's refusals follow)."""
    found = grown_item(node)
    if found is None or builder.generated():
        return False
    judged = verdict(builder.src.tree, node)
    if judged is None:
        return False
    if isinstance(judged, Refusal):
        if isinstance(node, ast.AugAssign):
            return False  # (`d['a'] += [v]` of a list the dict got otherwise: the run-time check of what holds it)
        raise builder.error(judged.node, judged.construct, judged.fix)
    name, key, how = found
    if isinstance(node, ast.AugAssign):
        receiver, values = node.target, node.value.elts
    else:
        receiver, values = node.func.value, node.args
        if node.keywords or len(node.args) != 1:
            raise builder.error(node, f"{_spelled(node)} with {len(node.args)} arguments",
                                f"call .{node.func.attr}(value)")
        if node.func.attr == "extend":
            if not isinstance(node.args[0], (ast.List, ast.Tuple)):
                raise builder.error(node, f"{_spelled(node)} with a list computed at run time",
                                    f"append its values one by one in a loop: for v in values: "
                                    f"{ast.unparse(node.func.value)}.append(v)")
            values = node.args[0].elts
    if how == "setdefault":
        base = builder.read(name, receiver.func.value)
        parts = (builder.atom(key),)
        old = builder.materialise(ir.Call("s2s.runtime.dict_get", (base, parts[0], builder.atom(receiver.args[1]))))
        target = ast.copy_location(ast.Subscript(ast.copy_location(ast.Name(name, ast.Load()), receiver), key,
                                                 ast.Store()), receiver)
        if any(isinstance(c, ast.Name) and c.id == name for v in values for c in ast.walk(v)):
            builder.write_element(target, old, parts)  # (the value reads the dict: the key is in it already)
            base = builder.read(name, receiver.func.value)
            old = builder.materialise(builder.fold_call("getitem", (base,) + parts))
    else:
        base, parts = builder.subscript_parts(receiver)
        old = builder.materialise(builder.fold_call("getitem", (base,) + parts))
        target = ast.copy_location(ast.Subscript(receiver.value, receiver.slice, ast.Store()), receiver)
    # (a copy of its items first, `list(C[k])`: what the alias stage reads as the items of C's list, not C's list
    # itself, which the new list then holds)
    new = builder.materialise(ir.Call("builtins.list", (old,)))
    for v in values:
        new = builder.materialise(ir.Call(APPENDED, (new, builder.atom(v))))
        builder.list_roots[new.name] = new.name  # (a new list, which the container alone holds)
    builder.write_element(target, new, parts)
    return True
