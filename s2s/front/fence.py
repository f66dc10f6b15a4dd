"""Stage 2: the supported-syntax whitelist.

Every AST node type is either allowed here or rejected with an
`UnsupportedSyntaxError` that names the construct and points at the user's
file, line and column (after Tangent's `fence.py`). Passing the fence does not
promise every combination compiles; later stages raise the same error for the
few shapes they reject, always at the user's line.
"""
from __future__ import annotations

import ast

from s2s.errors import UnsupportedSyntaxError
from s2s.front.source import Source

ALLOWED = (
    # statements
    ast.Return, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.If, ast.For, ast.While,
    ast.Break, ast.Continue, ast.Pass, ast.Raise, ast.Assert, ast.FunctionDef, ast.Lambda,
    # expressions
    ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.Call, ast.IfExp, ast.Attribute,
    ast.Subscript, ast.Slice, ast.Name, ast.Constant, ast.Tuple, ast.List, ast.keyword, ast.Starred,
    # operators and contexts
    ast.operator, ast.unaryop, ast.boolop, ast.cmpop, ast.expr_context,
    ast.arguments, ast.arg,
)

NAMES = {
    ast.Try: "a try statement", ast.With: "a with statement", ast.Yield: "yield", ast.YieldFrom: "yield from",
    ast.Await: "await", ast.AsyncFunctionDef: "an async function", ast.AsyncFor: "async for",
    ast.AsyncWith: "async with", ast.Global: "a global statement", ast.Nonlocal: "a nonlocal statement",
    ast.ClassDef: "a class definition", ast.Delete: "a del statement", ast.Import: "an import statement",
    ast.ImportFrom: "an import statement", ast.Lambda: "a lambda inside the function",
    ast.FunctionDef: "a nested function definition", ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension", ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression", ast.Dict: "a dict display", ast.Set: "a set display",
    ast.JoinedStr: "an f-string", ast.NamedExpr: "an assignment expression (:=)", ast.Match: "a match statement",
}
if hasattr(ast, "TryStar"):
    NAMES[ast.TryStar] = "a try statement"

HINTS = {
    ast.Import: "import at module level instead",
    ast.ImportFrom: "import at module level instead",
    ast.ListComp: "write the loop out with a for statement",
    ast.FunctionDef: "define the helper at module level",
    ast.Lambda: "define the helper at module level",
}


def unsupported(src: Source, node: ast.AST, construct: str, hint: str = "") -> UnsupportedSyntaxError:
    """The error for `construct` at `node` in the user's file."""
    line = getattr(node, "lineno", src.tree.lineno)
    col = getattr(node, "col_offset", 0)
    return UnsupportedSyntaxError(construct, src.filename, line, col, src.line(line), hint)


def check(src: Source) -> None:
    """Raise UnsupportedSyntaxError at the first construct outside the supported subset."""
    fdef = src.tree
    if isinstance(fdef, ast.AsyncFunctionDef):
        raise unsupported(src, fdef, NAMES[ast.AsyncFunctionDef])
    args = fdef.args
    if args.kwonlyargs or args.posonlyargs:
        raise unsupported(src, (args.kwonlyargs or args.posonlyargs)[0], "a keyword-only or positional-only parameter")
    if args.vararg or args.kwarg:
        node = args.vararg or args.kwarg
        raise unsupported(src, node, "a *args or **kwargs parameter")
    for default in args.defaults + [d for d in args.kw_defaults if d is not None]:
        if not isinstance(default, ast.Constant):
            raise unsupported(src, default, "a default value that is not a constant")
    for stmt in fdef.body:
        _check_node(src, stmt)


def _check_node(src: Source, node: ast.AST) -> None:
    if not isinstance(node, ALLOWED):
        kind = type(node)
        raise unsupported(src, node, NAMES.get(kind, f"the construct {kind.__name__}"), HINTS.get(kind, ""))
    if isinstance(node, ast.Expr) and not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
        if not isinstance(node.value, ALLOWED):
            _check_node(src, node.value)  # names the construct: yield, await, ...
        if not isinstance(node.value, ast.Call):
            raise unsupported(src, node, "an expression statement with no effect")
    if isinstance(node, ast.Starred):
        raise unsupported(src, node, "a starred expression")
    if isinstance(node, ast.AnnAssign) and node.value is None:
        return
    for child in ast.iter_child_nodes(node):
        _check_node(src, child)
