"""Stage 2: the supported-syntax whitelist.

Every AST node type is either allowed here or rejected with an
`UnsupportedSyntaxError` that names the construct and points at the user's
file, line and column (after Tangent's `fence.py`). Passing the fence does not
promise every combination compiles; later stages raise the same error for the
few shapes they reject, always at the user's line.
"""
from __future__ import annotations

import ast
import builtins
import difflib
import linecache
import re

from s2s.errors import UnsupportedSyntaxError
from s2s.linemaps import user_line
from s2s.front.source import Source

ALLOWED = (
    # statements
    ast.Return, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.If, ast.For, ast.While,
    ast.Break, ast.Continue, ast.Pass, ast.Raise, ast.Assert, ast.FunctionDef, ast.Lambda,
    ast.ListComp, ast.GeneratorExp, ast.comprehension, ast.Dict, ast.DictComp,
    # expressions
    ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.Call, ast.IfExp, ast.Attribute,
    ast.Subscript, ast.Slice, ast.Name, ast.Constant, ast.Tuple, ast.List, ast.keyword, ast.Starred,
    ast.JoinedStr, ast.FormattedValue,  # (an f-string is the str.format call it spells: lowering.format_call)
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
    ast.NamedExpr: "an assignment expression (:=)", ast.Match: "a match statement",
}
if hasattr(ast, "TryStar"):
    NAMES[ast.TryStar] = "a try statement"

LOOP = "write the loop out with a for statement"
WITH_HINT = ("the one with statement s2s runs is `with np.errstate(...):`; open files and other contexts in the caller "
             "and pass what they give in as an argument")


# what to write for integer bookkeeping (the vertices seen, a mesh's neighbours, counts by key) s2s does not follow
BOOKKEEPING = ("for bookkeeping of integers that carries no derivative (indices seen, a mesh's or a graph's "
               "connectivity), build it outside the function and pass it in; or keep a flat list, seen = [] and "
               "`if k not in seen: seen.append(k)`, pairs.append((i, j)) for neighbours, and an integer array for "
               "counts: cnt = np.zeros(n, dtype=int); cnt[k] = cnt[k] + 1")
HINTS = {  # what to write instead, for every construct in NAMES
    ast.Try: "test the condition with an if statement before the operation that would fail, or catch "
             "the error in the caller, around the call of the transformed function",
    ast.With: WITH_HINT,
    ast.Yield: "collect the values in a list or an array and return it", ast.YieldFrom: "return the values instead",
    ast.Await: "await in the caller and pass the value in as an argument",
    ast.AsyncFunctionDef: "differentiate a plain def function, and await in the caller",
    ast.AsyncFor: "loop with a plain for statement", ast.AsyncWith: "enter the context in the caller",
    ast.Global: "read module-level names without global, and return a new value instead of assigning one",
    ast.Nonlocal: "pass the value in as an argument and return the new value",
    ast.ClassDef: "define the class at module level",
    ast.Delete: "leave the name unused instead, or assign it a new value",
    ast.Import: "import at module level instead", ast.ImportFrom: "import at module level instead",
    ast.ListComp: LOOP, ast.SetComp: LOOP, ast.DictComp: LOOP,
    ast.GeneratorExp: LOOP + " that adds to a total, or use np.sum over an array",
    ast.FunctionDef: "define the helper at module level",
    ast.Lambda: "define the helper at module level",
    ast.Dict: "use a tuple or a list, or build the dict in the caller and pass it in as an argument",
    ast.Set: "s2s does not follow sets (a fixed collection can be a tuple: k in (1, 2)); " + BOOKKEEPING,
    ast.NamedExpr: "assign on a line of its own: y = ...",
    ast.Match: "use if / elif / else",
}
if hasattr(ast, "TryStar"):
    HINTS[ast.TryStar] = HINTS[ast.Try]

# Hints for what later stages refuse (they call `unsupported` without one): the first that the construct holds.
LATER_HINTS = (
    ("a keyword-only or positional-only parameter", "make it an ordinary parameter: def f(x, scale=1.0)"),
    ("a *args or **kwargs parameter", "name each parameter (def f(x, y)), or take a tuple or a list as one parameter"),
    ("a default value that is not a constant", "use a number, a string or None as the default and compute "
                                               "the value inside the function"),
    ("complex ", "s2s differentiates real functions, and its rules are written for real numbers: carry the "
             "real and imaginary parts as two real values (a + b*1j becomes a and b)"),
    ("a starred expression", "index the values instead: a, b = x[0], x[1:]"),
    ("starred unpacking", "index the values instead: a, b = x[0], x[1:]"),
    ("an expression statement with no effect", "assign the value to a name, or delete the line"),
    ("the attribute '.", "s2s reads the array attributes .T, .shape, .ndim, .size, .dtype, .real and .imag and "
                         "names in modules; read any other value outside and pass it in as an argument"),
    ("the method call '.", "call the NumPy function instead (np.sum(x) for x.sum()), or a function defined at "
                           "module level"),
    ("a call with *args or **kwargs", "pass the arguments one by one: f(a, b)"),
    ("assignment to attribute", "s2s does not change the objects the caller passed in, which NumPy's caller would "
                                "see changed: to keep that update (a running average), make it outside the function "
                                "you differentiate (model.rm = ... after the gradient call), or return the new value "
                                "with the result (return loss, new_rm) and differentiate that with s2s.vjp; for this "
                                "function's own use only, a local name (rm = ...); for a record the function builds, "
                                "a new record: d = dataclasses.replace(d, a=v), p = p._replace(a=v)"),
    ("augmented assignment to an attribute", "s2s does not change the objects the caller passed in, which NumPy's "
                                             "caller would see changed: to keep that update (a running average), "
                                             "make it outside the function you differentiate (model.rm *= ... after "
                                             "the gradient call), or return the new value with the result (return "
                                             "loss, new_rm) and differentiate that with s2s.vjp; for this "
                                             "function's own use only, a local name (rm = self.rm * ...)"),
    ("assignment to ", "use a local name and return its value"),
    ("a return without a value", "return the result: return y"),
    ("unpacking a tuple of the wrong length", "unpack into one name per value"),
    ("range() with keywords", "call range(stop), range(start, stop) or range(start, stop, step)"),
    ("unpacking the values of a range()", "use one name: for i in range(n)"),
    ("enumerate() with a start value", "add the offset inside the loop: for i, v in enumerate(xs): j = i + 1"),
    ("enumerate() without unpacking", "unpack it: for i, v in enumerate(xs)"),
    ("zip() with keywords", "pass the sequences alone, zip(a, b), or zip(a, b, strict=True) to check their lengths"),
    ("zip() without unpacking", "unpack one name per sequence: for a, b in zip(xs, ys)"),
    ("nested more than", "write the recursion as a loop"),
    ("missing the argument(s)", "pass every argument the function has no default for"),
    ("the keyword argument '", "pass only the keyword arguments the function takes"),
    ("which is not callable", "call a function, or use the value without calling it"),
    ("a call to ", "call a function defined at module level, or imported at the top of the file"),
)


def _later_hint(src: Source, construct: str) -> str:
    undefined = re.match(r"(?:the name|a call to) '(\w+)'(?:\(\))?, which is not defined here", construct)
    if undefined:
        name = undefined.group(1)
        own, others = _names_in_scope(src)
        # (a builtin only where it is spelled nearly so: 'scale' is no misspelled 'callable')
        close = difflib.get_close_matches(name, sorted(own - {name}), n=1) or \
            difflib.get_close_matches(name, sorted(others - {name}), n=1, cutoff=0.8)
        where = "define it before this line, or at module level (or import it at the top of the file)"
        return f"did you mean {' or '.join(repr(c) for c in close)}? Otherwise {where}" if close else where
    return next((hint for part, hint in LATER_HINTS if part in construct), "")


def _names_in_scope(src: Source) -> tuple[set, set]:
    """The names the function could have meant: (its own, its closure's and its module's; the builtins)."""
    own = {n.id for n in ast.walk(src.tree) if isinstance(n, ast.Name)} | {a.arg for a in ast.walk(src.tree)
                                                                          if isinstance(a, ast.arg)}
    return own | set(src.closure) | {n for n in src.globals if not n.startswith("_")}, \
        {n for n in dir(builtins) if not n.startswith("_")}


def unsupported(src: Source, node: ast.AST, construct: str, hint: str = "") -> UnsupportedSyntaxError:
    """The error for `construct` at `node` in the user's file, saying what to write instead. Met in code s2s
    generated, lowered again for a higher derivative, it is said at the user's line that code came from (the
    generated statement quoted: its names are s2s's)."""
    line = getattr(node, "lineno", src.tree.lineno)
    col = getattr(node, "col_offset", 0)
    made = user_line(src.filename, line) if src.filename.startswith("<s2s ") else None
    if made is not None and linecache.getline(made[0], made[1]).strip():
        text = linecache.getline(made[0], made[1])
        return UnsupportedSyntaxError(f"{construct}, in the derivative s2s made of this line (its statement "
                                      f"{src.line(line).strip()}), differentiated again", made[0], made[1],
                                      len(text) - len(text.lstrip()), text, hint or _later_hint(src, construct))
    return UnsupportedSyntaxError(construct, src.filename, line, col, src.line(line),
                                  hint or _later_hint(src, construct))


def written_by_user(src: Source, node: ast.AST) -> str | None:
    """The name whose element the user's line writes (`u` of `u[0] = v`), where `node` is in code s2s generated
    from that line (else None)."""
    made = user_line(src.filename, getattr(node, "lineno", 0)) if src.filename.startswith("<s2s ") else None
    try:
        stmt = ast.parse(linecache.getline(made[0], made[1]).strip()).body[0] if made is not None else None
    except (SyntaxError, IndexError):
        return None
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
    return next((t.value.id for t in targets if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name)),
                None)


def check(src: Source) -> None:
    """Raise UnsupportedSyntaxError at the first construct outside the supported subset."""
    fdef = src.tree
    if isinstance(fdef, ast.AsyncFunctionDef):
        raise unsupported(src, fdef, NAMES[ast.AsyncFunctionDef], HINTS[ast.AsyncFunctionDef])
    # (every kind of parameter is accepted: *args, keyword-only, **kwargs; defaults are the values Python
    # computed when the function was defined, read from __defaults__ and __kwdefaults__)
    for stmt in fdef.body:
        _check_node(src, stmt)


def _errstate_with(node) -> bool:
    """`with np.errstate(...):` (each item a call of `errstate`, `as name` or not): the one with statement accepted
    (the SSA builder checks that `errstate` is NumPy's; `_check_errstate_names`, that no name bound by `as` is
    read)."""
    return isinstance(node, ast.With) and all(
        (item.optional_vars is None or isinstance(item.optional_vars, ast.Name))
        and isinstance(item.context_expr, ast.Call)
        and isinstance(item.context_expr.func, (ast.Attribute, ast.Name))
        and (item.context_expr.func.attr if isinstance(item.context_expr.func, ast.Attribute)
             else item.context_expr.func.id) == "errstate" for item in node.items)


def _check_errstate_names(src: Source, node: ast.With) -> None:
    """`with np.errstate() as e:` binds `e` to NumPy's errstate object, which the generated code does not keep:
    accepted where the function never reads `e`."""
    for item in node.items:
        name = item.optional_vars.id if item.optional_vars is not None else None
        read = next((n for n in ast.walk(src.tree) if isinstance(n, ast.Name) and n.id == name
                     and isinstance(n.ctx, ast.Load)), None) if name else None
        if read is not None:
            raise unsupported(src, read, f"reading '{name}', the errstate object of `with np.errstate(...) as "
                                         f"{name}`", f"leave out 'as {name}' and read the settings with "
                                                     "np.geterr() in the caller")


def _subclasses(cls) -> set:
    return {cls}.union(*(_subclasses(c) for c in cls.__subclasses__()))


# the allowed nodes with nothing to check but what they hold (one type lookup each)
_PLAIN = frozenset(c for cls in ALLOWED for c in _subclasses(cls)) - {ast.Expr, ast.AnnAssign}


def _check_node(src: Source, node: ast.AST) -> None:
    """Check `node` and every node it holds, each before what it holds, in order (an explicit stack)."""
    stack = [node]
    while stack:
        node = stack.pop()
        if type(node) not in _PLAIN:
            if isinstance(node, ast.withitem):
                stack.append(node.context_expr)
                continue
            if not _check_itself(src, node):
                continue
        children = []
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                children.append(value)
            elif isinstance(value, list):
                children += [v for v in value if isinstance(v, ast.AST)]
        children.reverse()
        stack += children


def _check_itself(src: Source, node: ast.AST) -> bool:
    """Refuse `node` if it is outside the subset; whether what it holds is to be checked."""
    if isinstance(node, ast.Delete) and src.generated:
        return True  # (the `del` lines s2s writes to free values: its own code, read again for a higher derivative)
    if isinstance(node, ast.With) and not _errstate_with(node):
        raise unsupported(src, node, NAMES[ast.With], WITH_HINT)
    if isinstance(node, ast.With):
        _check_errstate_names(src, node)
    if not isinstance(node, ALLOWED) and not isinstance(node, ast.With):
        kind = type(node)
        raise unsupported(src, node, NAMES.get(kind, f"the construct {kind.__name__}"), HINTS.get(kind, ""))
    if isinstance(node, ast.Expr) and not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
        if not isinstance(node.value, ALLOWED):
            _check_node(src, node.value)  # names the construct: yield, await, ...
        if isinstance(node.value, ast.IfExp):  # (warnings.warn(...) if s > 1e9 else None: a call, in a branch)
            v = node.value
            raise unsupported(src, node, "a conditional expression as a statement",
                              f"write an if statement: if {ast.unparse(v.test)}: {ast.unparse(v.body)}" +
                              ("" if isinstance(v.orelse, ast.Constant) else f" (else: {ast.unparse(v.orelse)})"))
        if not isinstance(node.value, ast.Call):
            raise unsupported(src, node, "an expression statement with no effect")
    # (a starred expression is expanded by the SSA builder where the values it holds are known)
    return not (isinstance(node, ast.AnnAssign) and node.value is None)
