"""Lists made by repetition (`P = [None] * (N + 1)`, `n * [0.0]`): Python's lists of a length the code gives, whose
items the function writes (`P[t] = v`, the Riccati recursion); the SSA builder makes one where the function writes
items of a list of constants repeated (element_writes.py `repeated`, lists.py), and its refusals of other lists
written by item name this form where it is the same list (a comprehension or a display of one constant). A write
into an element of an item (`P[1][0] = v`) of such a list, or of an object array, writes into the array the
container holds, which s2s follows by its own name only: refused, saying so (`item_element_write`); so is a write at
a key of a dict a list holds (`for h in hits: h['n'] = v`), advising the list made anew (`dict_item_write`).
"""
from __future__ import annotations

import ast
import copy

from s2s import ir, prims
from s2s.ir.walk import is_slice


def items_written(tree: ast.AST, name: str) -> bool:
    """Does the function `tree` write an item of `name` by its name (`name[i] = v`, `name[i] += v`)?"""
    return any(isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == name and
               isinstance(t.ctx, ast.Store) for t in ast.walk(tree))


def grown_by_name(tree: ast.AST, name: str) -> bool:
    """Does the function `tree` grow `name` by its name (`name.append(v)`, `name.extend(vs)`, `name.insert(0, v)`),
    as only a list is?"""
    return any(isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and
               c.func.attr in ("append", "extend", "insert")
               and isinstance(c.func.value, ast.Name) and c.func.value.id == name for c in ast.walk(tree))


def never_read(tree: ast.AST, name: str) -> bool:
    """Is `name` one the function `tree` binds and reads nowhere (nor in the functions it defines, nor by `locals()`,
    `vars()`, `eval` or `exec`): a name a list is bound to that nothing reads again (`alias = xs`), whose list no
    change shows? (False for a name s2s made, which `tree` does not bind.)"""
    bound = any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store) for n in ast.walk(tree))
    return bound and not any(isinstance(n, ast.Name) and (n.id == name and isinstance(n.ctx, ast.Load) or
                                                n.id in ("locals", "vars", "eval", "exec")) or
                   isinstance(n, (ast.Global, ast.Nonlocal)) and name in n.names for n in ast.walk(tree))


def copied(made: ir.Call | None, definitions: dict, free: dict, shallow: bool = False) -> bool:
    """Is `made` a copy (`copy.deepcopy(p)`, `copy.copy(p)`, `p.copy()`, `p[:]`), of a list a new list? (`free`: the
    names of the module's objects; `shallow`: is it `copy.copy(p)`, which is `p.copy()` of a dict, a list or an
    array?)"""
    made = made or ir.Call("", (None,))
    called = free.get(getattr(made.args[0], "name", ""), (0,))[0] if made.op == "call" else None
    if shallow:
        return called is copy.copy and len(made.args) == 2 and not made.kwargs
    return made.op in (prims.COPY_METHOD, "s2s.runtime.deep_copy") or called is copy.copy or \
        made.op == "getitem" and is_slice(made.args[-1], definitions)


def repeated_form(tree: ast.AST, name: str) -> str | None:
    """`P = [None] * (N + 1)` for `P = [None for _ in range(N + 1)]` or `P = [0.0, 0.0, 0.0]` (one constant, again
    and again) in the function `tree`, the same list made by repetition; None for any other making of `name`."""
    for t in ast.walk(tree):
        if not (isinstance(t, ast.Assign) and len(t.targets) == 1 and isinstance(t.targets[0], ast.Name) and
                t.targets[0].id == name):
            continue
        v = t.value
        if isinstance(v, ast.ListComp) and isinstance(v.elt, ast.Constant) and len(v.generators) == 1 and \
                not v.generators[0].ifs and isinstance(v.generators[0].iter, ast.Call) and \
                ast.unparse(v.generators[0].iter.func) == "range" and len(v.generators[0].iter.args) == 1:
            n = v.generators[0].iter.args[0]
            return f"{name} = [{ast.unparse(v.elt)}] * " + (f"({ast.unparse(n)})" if isinstance(n, ast.BinOp) else
                                                            ast.unparse(n))
        if isinstance(v, ast.List) and len(v.elts) > 1 and all(isinstance(e, ast.Constant) for e in v.elts) and \
                len({repr(e.value) for e in v.elts}) == 1:
            return f"{name} = [{ast.unparse(v.elts[0])}] * {len(v.elts)}"
    return None


def holding_items(made: ir.Call, free: dict) -> str | None:
    """"list" or "object array" where the call `made` makes one holding the objects stored into it (`x.tolist()`,
    `np.empty(n, dtype=object)`, `np.full(n, None)`; `free`: the names of the module's objects), else None."""
    dtype = dict(made.kwargs).get("dtype")
    if made.op == prims.METHODS["tolist"]:
        return "list"
    objects = isinstance(dtype, ir.Var) and free.get(dtype.name, (None,))[0] is object or dtype == ir.Const("O") or \
        made.op == prims.FULL and made.args[1:] == (ir.Const(None),)
    return "object array" if made.op in prims.FILLED | {prims.FULL} and objects else None


def item_element_write(target: ast.Subscript, kind: str) -> tuple[str, str]:
    """The refusal of `P[1][0] = v` (`target`) where P is a `kind` ("list", "object array") holding arrays: the item
    written into by a name of its own before P holds it, or P an array (`P[1, 0] = v` is a TypeError on a list)."""
    item, index, name = ast.unparse(target.value), ast.unparse(target.slice), ast.unparse(target.value.value)
    return (f"assignment to an element of {item}, an item of the {kind} '{name}'",
            f"write into the array by a name of its own before '{name}' holds it (p = ...; p[{index}] = ...; "
            f"{item} = p), or make '{name}' an array of the items' shape ({name} = np.zeros((n, m)), written "
            f"{name}[{ast.unparse(target.value.slice)}, {index}] = ...)")


def dict_item_write(target: ast.Subscript, loops: list, loc, listed=None) -> tuple[str, str] | None:
    """The refusal of a write at a key (a string) into a dict that a list holds, written through the list's loop
    (`for h in hits: h['n'] = v`) or an index (`hits[i]['n'] = v`): s2s follows a dict's keys by the name it was made
    with, and a new dict bound to h (`h = {**h, 'n': v}`) would leave the list as it was, so the advice is the list
    made anew, each item a new dict (`hits = [{**h, 'n': v} for h in hits]`), with the value written where the loop
    writes nothing else (`loops`: the loop frames around, `loc`: the statement's). None where it is no such write.
    At another index, an element of an array a list holds (`listed(node)`: is it a list?) through the loop's name
    (`for a in arrays: a[0] = v`): refused, saying so (an array's row would be a view, which s2s follows)."""
    if not (isinstance(target.slice, ast.Constant) and isinstance(target.slice.value, str)):
        return _array_item_write(target, loops, listed) if listed is not None else None
    key, item = target.slice.value, target.value
    if isinstance(item, ast.Subscript) and isinstance(item.value, ast.Name):  # (hits[i]['n'] = v)
        listed, through = item.value.id, ast.unparse(item)
    elif isinstance(item, ast.Name):  # (for h in hits / for i, h in enumerate(hits): h['n'] = v)
        listed = through = None
        for frame in reversed(loops):
            node = frame.node
            if not isinstance(node, ast.For):
                continue
            source = node.iter.args[0] if isinstance(node.iter, ast.Call) and ast.unparse(node.iter.func) == \
                "enumerate" and node.iter.args else node.iter
            names = node.target.elts[1:] if isinstance(node.target, ast.Tuple) and source is not node.iter else \
                [node.target]
            if any(isinstance(n, ast.Name) and n.id == item.id for n in names) and isinstance(source, ast.Name):
                listed, through = source.id, item.id
                break
        if listed is None:
            return None
    else:
        return None
    try:
        stmt = ast.parse(loc.text.strip()).body[0]
    except (SyntaxError, IndexError, AttributeError):
        stmt = None
    used = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)} if stmt is not None else set()
    own = item.id if isinstance(item, ast.Name) else next(n for n in ("h", "item", "it") if n not in used)
    loop = next((f.node for f in reversed(loops) if isinstance(f.node, ast.For)), None)
    value, source = "...", f"{own} in {listed}"
    whole = loop is not None and ast.unparse(loop.iter) in {listed, f"range(len({listed}))", f"enumerate({listed})"}
    if whole and len(loop.body) == 1 and isinstance(stmt, (ast.Assign, ast.AugAssign)) and \
            ast.unparse(getattr(stmt, "target", None) or stmt.targets[0]) == ast.unparse(target):
        new = stmt.value if isinstance(stmt, ast.Assign) else ast.BinOp(
            ast.Subscript(item, target.slice, ast.Load()), stmt.op, stmt.value)
        new = _Renamed(through, own).visit(new)
        index = {n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name)} - {own}
        if index & {n.id for n in ast.walk(new) if isinstance(n, ast.Name)}:  # (the loop's index read as well)
            source = f"{', '.join(sorted(index))}, {own} in enumerate({listed})" if len(index) == 1 else None
        value = ast.unparse(new) if source else "..."
        source = source or f"{own} in {listed}"
    made = f"{listed} = [{{**{own}, {key!r}: {value}}} for {source}]" if loop is not None else \
        f"{listed} = [{{**{own}, {key!r}: ...}} if i == {ast.unparse(item.slice)} else {own} for i, {own} in " \
        f"enumerate({listed})]"
    return (f"assignment to the key {key!r} of {through}, a dict that the list '{listed}' holds",
            f"s2s follows a dict's keys by the name it was made with, not through a list holding it, and "
            f"{own} = {{**{own}, {key!r}: ...}} alone would leave '{listed}' as it was: make the list anew" +
            (" in place of the loop" if loop is not None else "") + f", each item a new dict, {made}" +
            (" (with every key the loop writes)" if loop is not None and value == "..." else ""))


def _array_item_write(target: ast.Subscript, loops: list, listed) -> tuple[str, str] | None:
    """`for a in arrays: a[0] = v` where `arrays` is a list (`listed`): the refusal, advising an array of them."""
    item = target.value
    loop = next((f.node for f in reversed(loops) if isinstance(f.node, ast.For) and
                 isinstance(f.node.target, ast.Name) and isinstance(item, ast.Name) and f.node.target.id == item.id and
                 isinstance(f.node.iter, ast.Name)), None)
    if loop is None or not listed(loop.iter):
        return None
    name, index = loop.iter.id, ast.unparse(target.slice)
    return (f"assignment to an element of {item.id}, an array that the list '{name}' holds",
            f"s2s follows element writes into an array by the name it was made with, not through a list holding it: "
            f"make the list an array where nothing else reads its arrays ({name} = np.array({name}), of arrays of one "
            f"shape) and write it at one index, for i in range(len({name})): {name}[i, {index}] = ... (reading "
            f"{name}[i] for {item.id})")


class _Renamed(ast.NodeTransformer):
    """`hits[i]` (or `h`), spelled `through`, read as the comprehension's item `own`."""

    def __init__(self, through: str, own: str):
        self.through, self.own = through, own

    def generic_visit(self, node):
        if isinstance(node, ast.expr) and ast.unparse(node) == self.through:
            return ast.Name(self.own, ast.Load())
        return super().generic_visit(node)
