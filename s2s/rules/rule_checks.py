"""What a rule a user registers (`s2s.adjoint`, `s2s.tangent`) is checked for against the function it is for:
where it is defined, that it can take the arguments s2s passes it (`check_signature`); where a call of the function
is differentiated, that its adjoint rule returns no more adjoints than the call has positional arguments
(`too_many_adjoints`, counted in the rule's source) and that no keyword argument carries a derivative
(`keyword_refusal`). custom.py registers the rules and holds them."""
from __future__ import annotations

import ast
import inspect
import linecache
import textwrap
from typing import Callable

from s2s import prims
from s2s.errors import NonDifferentiableError, RuleError, S2SError


def check_signature(rule: Callable, func: Callable, kind: str, first: str) -> None:
    """A rule is called as `rule(first..., *args)` with `func`'s positional arguments: refuse, where the rule
    is defined, one that cannot take them (checked for functions with a Python signature)."""
    if not callable(rule):
        raise RuleError(f"@s2s.{kind}({getattr(func, '__name__', 'func')}) decorates the function that is the rule, "
                        f"not {type(rule).__name__}: write def rule({first}, ...) below it")
    try:
        every = inspect.signature(func).parameters.values()
        if any(p.kind == p.VAR_POSITIONAL for p in every):  # (np.vectorize(f): any number of arguments)
            return
        params = [p for p in every if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        needed = [p.name for p in params if p.default is p.empty]
        keywords = {p.name: None for p in every if p.kind == p.KEYWORD_ONLY and p.default is p.empty}  # (passed on)
        inspect.signature(rule).bind(*[None] * (2 + len(needed)), **keywords)
    except ValueError:  # no signature (a C function): checked when the rule is called
        return
    except TypeError:
        code = getattr(rule, "__code__", None)
        where = f"\n  {code.co_filename}:{code.co_firstlineno}\n    " \
                f"{linecache.getline(code.co_filename, code.co_firstlineno).strip()}" if code else ""
        name = getattr(rule, "__name__", "rule")
        wanted = ", ".join([first] + [p.name if p.default is p.empty else f"{p.name}={_default_text(p.default)}"
                                      for p in params])
        optional = [p.name for p in params if p.default is not p.empty]
        why = f" (a call that leaves out {', '.join(optional)} passes only the others: give the rule's parameter " \
              f"the same default)" if optional else ""
        raise RuleError(f"the @s2s.{kind} rule {name} cannot take the arguments s2s passes it: {first}, then "
                        f"the positional arguments of {getattr(func, '__name__', 'the function')}{why}; write "
                        f"def {name}({wanted}):{where}") from None


def _default_text(value) -> str:
    """A parameter's default as Python source: its repr, or None where that is no expression (NumPy's
    `<no value>` marker, an object's `<... at 0x...>`)."""
    text = repr(value)
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return "None"
    return text


def returned_adjoints(fn) -> tuple[int, str] | None:
    """(the most adjoints, where) that the `s2s.adjoint` rule `fn` returns in a tuple or list written out in a return
    statement (`return g * y, g * x`: 2), `where` its file, line and text; None where no return spells its number
    (`return tuple(parts)`) or the rule has no source."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return None
    found = _RETURNED.get(code)
    if found is None:
        found = _RETURNED[code] = (_count_returned(fn),)
    return found[0]


_RETURNED: dict = {}  # a rule's code -> (returned_adjoints' answer,)


def _count_returned(fn) -> tuple[int, str] | None:
    try:
        lines, start = inspect.getsourcelines(fn)
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError):
        return None  # (a lambda inside a larger expression: its line does not parse alone)
    code = fn.__code__
    params = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    node = next((n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.Lambda)) and
                 [a.arg for a in n.args.posonlyargs + n.args.args + n.args.kwonlyargs] == params), None)
    if isinstance(node, ast.Lambda):
        results = [node.body]
    elif node is not None:
        results = [n.value for n in _returns(node.body)]
    else:
        return None
    counts = [(len(v.elts), v.lineno) for v in results if isinstance(v, (ast.Tuple, ast.List))
              and not any(isinstance(e, ast.Starred) for e in v.elts)]
    if not counts:
        return None
    count, line = max(counts)
    filename, lineno = code.co_filename, start + line - 1
    return count, f"{filename}:{lineno}\n    {linecache.getline(filename, lineno).strip()}"


def _returns(body: list):
    """The return statements of a function body, not those of functions defined inside it."""
    for stmt in body:
        if isinstance(stmt, ast.Return) and stmt.value is not None:
            yield stmt
        elif not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                yield from _returns(getattr(stmt, field, None) or [])
            for case in getattr(stmt, "cases", None) or []:
                yield from _returns(case.body)


def keyword_refusal(key: str, keyword: str, kind: str, loc, filename: str) -> NonDifferentiableError:
    """The error for a call of `key`, whose `s2s.adjoint` or `s2s.tangent` rule (`kind`) is the user's, with a
    derivative in the keyword argument `keyword`: the rule takes its arguments by position, and a keyword s2s
    cannot place (a function without a Python signature of the user's) would get none."""
    obj = prims.python_object(key)
    name = getattr(obj, "__name__", None) if key.startswith("s2s.rules.custom.") else None
    name = name or prims.spelling(key)
    what = "adjoint" if kind == "adjoint" else "tangent"
    return NonDifferentiableError(
        name, loc.file if loc and loc.file else filename, loc.line if loc else 0, loc.text if loc else "",
        f"its keyword argument '{keyword}' carries a derivative, and the @s2s.{kind} rule of {name} takes one "
        f"{what} per positional argument",
        f"Make '{keyword}' a positional parameter of {name}: the rule then takes it in its place."
        if key.startswith("s2s.rules.custom.") else f"Pass '{keyword}' by position, in the place of its parameter.")


def too_many_adjoints(key: str, fn, rule: str, passed: int, loc, filename: str) -> S2SError | None:
    """The error for a call of `key` passing `passed` positional arguments whose `s2s.adjoint` rule `fn` (held as
    custom.<rule>) returns more adjoints than it could take (than the call passes, or than `key` has positional
    parameters where that is more: a parameter left at its default may have its adjoint, None or not), else
    None. (Counted where the rule writes its tuple out; a tuple it builds is not counted.)"""
    found = returned_adjoints(fn)
    if found is None:
        return None
    count, where = found
    obj = prims.python_object(key)
    name = getattr(obj, "__name__", None) or prims.spelling(key)
    takes = passed
    try:
        every = inspect.signature(obj).parameters.values()
        if not any(p.kind == p.VAR_POSITIONAL for p in every):
            takes = max(passed, sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in every))
    except (TypeError, ValueError):
        pass
    if count <= takes:
        return None
    rule_name = getattr(fn, "__name__", rule)
    return S2SError(
        f"the @s2s.adjoint rule {rule_name} of {name} returns {count} adjoints, but {name} takes {takes} positional "
        f"argument(s){f' (this call passes {passed})' if passed != takes else ''}: a rule returns one adjoint per "
        f"positional argument, in order (None for one with no derivative)\n  {where}\n"
        f"called for\n  {loc.file if loc and loc.file else filename}:{loc.line if loc else 0}\n"
        f"    {(loc.text if loc else '').strip()}")
