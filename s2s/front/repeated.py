"""Lists made by repetition (`P = [None] * (N + 1)`, `n * [0.0]`): Python's lists of a length the code gives, whose
items the function writes (`P[t] = v`, the Riccati recursion); the SSA builder makes one where the function writes
items of a list of constants repeated (element_writes.py `repeated`, lists.py), and its refusals of other lists
written by item name this form where it is the same list (a comprehension or a display of one constant).
"""
from __future__ import annotations

import ast


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
