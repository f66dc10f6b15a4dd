"""A function of the user's that writes into its parameters cannot have a rule (rules/custom.py asks here)."""
from __future__ import annotations

import ast
import inspect
import linecache
import textwrap

from s2s.errors import S2SError

# ndarray methods that change the array in place
IN_PLACE_METHODS = frozenset({"sort", "fill", "put", "resize", "partition", "itemset", "setfield", "setflags"})


def refuse_writes(func, how: str) -> None:
    """Refuse a rule (or nondifferentiable, `how`) for a function of the user's whose source visibly writes into
    one of its parameters (`v *= s`, `v[i] = x`, `v.sort()`, `np.add(v, 1, out=v)`): s2s calls it without reading
    it, and would not see the caller's array change."""
    if not inspect.isfunction(func):
        return
    try:
        lines, start = inspect.getsourcelines(func)
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError):
        return
    node = tree.body[0] if tree.body else None
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Lambda):
        return
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return
    a = node.args
    params = {p.arg for p in a.posonlyargs + a.args + a.kwonlyargs}

    def param(e) -> str | None:
        return e.id if isinstance(e, ast.Name) and e.id in params else None

    def written(n) -> str | None:
        if isinstance(n, ast.AugAssign):
            return param(n.target) or (param(n.target.value) if isinstance(n.target, ast.Subscript) else None)
        if isinstance(n, (ast.Assign, ast.AnnAssign)):
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]):
                for e in ast.walk(t):
                    if isinstance(e, ast.Subscript) and param(e.value):
                        return param(e.value)
        if isinstance(n, ast.Call):
            f = n.func
            if isinstance(f, ast.Attribute) and f.attr in IN_PLACE_METHODS and param(f.value):
                return param(f.value)
            for k in n.keywords:
                if k.arg == "out" and (param(k.value) or isinstance(k.value, ast.Tuple) and
                                       any(param(e) for e in k.value.elts)):
                    return param(k.value) or next(param(e) for e in k.value.elts if param(e))
        return None

    todo = list(node.body)
    while todo:
        n = todo.pop(0)
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue  # (its own parameters)
        name = written(n)
        if name is not None:
            line = start + n.lineno - 1
            filename = func.__code__.co_filename
            raise S2SError(
                f"{how} for {func.__name__}, which writes into its parameter '{name}' in place: s2s calls a "
                f"function with a rule without reading its body, and would not see the caller's array change"
                f"\n  {filename}:{line}\n    {linecache.getline(filename, line).strip()}\n"
                f"Make {func.__name__} return a new array ({name} = {name} * s, not {name} *= s; "
                f"{name} = np.copy({name}) before writing into it), or leave it without a rule so that s2s reads it")
        todo.extend(ast.iter_child_nodes(n))
