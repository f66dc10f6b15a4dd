"""Lists made by repetition (`P = [None] * (N + 1)`, `n * [0.0]`): Python's lists of a length the code gives, whose
items the function writes (`P[t] = v`, the Riccati recursion); the SSA builder makes one where the function writes
items of a list of constants repeated (element_writes.py `repeated`, lists.py), and its refusals of other lists
written by item name this form where it is the same list (a comprehension or a display of one constant). A write
into an element of an item (`P[1][0] = v`) of such a list, or of an object array, writes into the array the
container holds, which s2s follows by its own name only: refused, saying so (`item_element_write`).
"""
from __future__ import annotations

import ast

from s2s import ir, prims


def items_written(tree: ast.AST, name: str) -> bool:
    """Does the function `tree` write an item of `name` by its name (`name[i] = v`, `name[i] += v`)?"""
    return any(isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == name and
               isinstance(t.ctx, ast.Store) for t in ast.walk(tree))


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
