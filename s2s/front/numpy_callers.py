"""NumPy functions that call functions they are given: np.piecewise its funclist, np.apply_along_axis its func1d.

NumPy makes those calls itself, where s2s cannot follow them (it resolves every call of a function while
compiling). Such a call is refused at the argument holding the functions, naming the NumPy function and giving
the same computation written with calls s2s sees, spelled with the user's own names:

    np.piecewise(x, [x < 0, x >= 0], [lambda v: -v, lambda v: v ** 2])
    ->  np.select([x >= 0, x < 0], [x ** 2, -x])         (np.select takes the first condition that holds)

    np.apply_along_axis(smooth_row, 1, u)
    ->  np.stack([smooth_row(r) for r in u])
"""
from __future__ import annotations

import ast

import numpy

from s2s import prims

# the NumPy function -> the position of the argument holding the functions it calls, and that argument's name
CALLERS = ((numpy.piecewise, 2, "funclist"), (numpy.apply_along_axis, 0, "func1d"))


def caller(target) -> tuple | None:
    """(position, name) of the argument holding functions, for a NumPy function that calls them, else None."""
    return next(((at, name) for fn, at, name in CALLERS if fn is target), None)


def argument(node: ast.Call, at: int, name: str) -> ast.expr | None:
    """The expression the call `node` gives for the parameter `name` at position `at`, None where not plain."""
    if any(isinstance(a, ast.Starred) for a in node.args):
        return None
    if at < len(node.args):
        return node.args[at]
    return next((k.value for k in node.keywords if k.arg == name), None)


def refusal(target, node: ast.Call, spelled: str) -> tuple[ast.AST, str, str]:
    """(where to point, what is refused, what to write instead) for the call `node` of `target`, a CALLERS
    function given functions, spelled `spelled`."""
    at, name = caller(target)
    where = argument(node, at, name) or node
    given = "functions in its funclist" if name == "funclist" else f"a function for its {name}"
    what = f"{spelled}(...) with {given} (NumPy makes the calls itself, where s2s cannot follow them to differentiate)"
    if target is numpy.piecewise:
        return where, what, _piecewise_instead(node)
    return where, what, _apply_along_axis_instead(node)


def _call_on(fn: ast.expr, value: ast.expr) -> str:
    """`fn` called on `value`, spelled: a lambda's body with its parameter replaced, a constant as it is."""
    if isinstance(fn, ast.Lambda) and len(fn.args.args) == 1 and not fn.args.vararg and not fn.args.kwarg:
        param = fn.args.args[0].arg

        class Put(ast.NodeTransformer):
            def visit_Name(self, n):
                return value if n.id == param else n
        return ast.unparse(Put().visit(_copy(fn.body)))
    if isinstance(fn, ast.Constant):
        return ast.unparse(fn)
    return ast.unparse(ast.Call(fn, [value], []))


def _copy(node: ast.AST) -> ast.AST:
    return ast.parse(ast.unparse(node), mode="eval").body


def _piecewise_instead(node: ast.Call) -> str:
    """np.select of the pieces called on x, the conditions in reverse order (np.piecewise takes the last that
    holds, np.select the first), a function past the conditions np.select's default=; the general advice where
    the call does not spell its conditions and functions out."""
    x = argument(node, 0, "x")
    conds, funcs = argument(node, 1, "condlist"), argument(node, 2, "funclist")
    if x is None or conds is None or not isinstance(funcs, (ast.List, ast.Tuple)) or len(node.args) > 3 or \
            any(k.arg not in ("x", "condlist", "funclist") for k in node.keywords):
        return prims.PIECEWISE_INSTEAD
    conds = list(conds.elts) if isinstance(conds, (ast.List, ast.Tuple)) else [conds]
    pieces = [_call_on(f, x) for f in funcs.elts]
    if len(pieces) not in (len(conds), len(conds) + 1):
        return prims.PIECEWISE_INSTEAD
    default = f", default={pieces.pop()}" if len(pieces) > len(conds) else ""
    chosen = ", ".join(ast.unparse(c) for c in reversed(conds))
    written = f"np.select([{chosen}], [{', '.join(reversed(pieces))}]{default})"
    return (f"call the pieces on the whole array and choose between them: {written} (np.select takes the first "
            f"condition that holds, np.piecewise the last); a piece undefined somewhere takes a safe argument "
            f"there, np.log(np.where(x > 0, x, 1.0))")


def _apply_along_axis_instead(node: ast.Call) -> str:
    """The function called on each row (axis 1 or -1) or column (axis 0) of a matrix, the results stacked."""
    fn, axis, arr = argument(node, 0, "func1d"), argument(node, 1, "axis"), argument(node, 2, "arr")
    if fn is None or arr is None:
        fn, arr = ast.Name("f"), ast.Name("u")
    a = ast.unparse(arr)
    rows = f"np.stack([{_call_on(fn, ast.Name('r'))} for r in {a}])"
    columns = f"np.stack([{_call_on(fn, ast.Name('c'))} for c in {a}.T], axis=-1)"
    form = {0: f"{columns} (a matrix's columns, axis 0)", 1: f"{rows} (a matrix's rows, axis 1)",
            -1: f"{rows} (a matrix's rows, axis -1)"}
    chosen = form.get(axis.value) if isinstance(axis, ast.Constant) and type(axis.value) is int else None
    return (f"call the function on each slice and stack the results: {chosen or form[1] + ', ' + form[0]}; or "
            f"call it once on the whole array where it is written with NumPy operations along an axis")
