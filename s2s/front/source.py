"""Stage 1: read a Python function's source into an `ast.FunctionDef`.

Guarantees: the returned tree's line numbers and column offsets are those of the
user's file, its decorators are removed, and `Source.resolve` finds what a name
the body reads refers to (closure cell, then globals, then builtins), so that
`np.tanh`, `numpy.tanh`, `from numpy import tanh` and `math.tanh` are recognised
whatever alias the user chose. Inside `record_reads(log)` every name resolved
is logged, so the cache knows what a transformation depended on.
"""
from __future__ import annotations

import __future__
import ast
import builtins
import copy
import dis
import functools
import inspect
import linecache
import operator
import os
import textwrap
import threading
import types
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable

from s2s.errors import SourceUnavailableError
from s2s.front.decorated import errstate_decorated, under_errstate
from s2s.front.parameters import Parameters, parameters  # noqa: F401 (read through this module)

MISSING = object()
_reads = threading.local()  # .logs: the stack of lists `record_reads` fills in this thread


@dataclass
class Source:
    """A parsed function and the environment its names resolve in."""

    tree: ast.FunctionDef
    filename: str
    text: str  # the function's own (dedented) source text
    func: Callable | None
    globals: dict = field(default_factory=dict)
    closure: dict = field(default_factory=dict)
    generated: bool = False  # text s2s generated (read again for a higher derivative): its `del` lines are s2s's
    transformed: object = None  # for generated text: the transformed function (s2s.grad(g)) it was read from

    @property
    def name(self) -> str:
        return self.tree.name

    def owner_class(self):
        """The class whose body defines this function (`defining_class`), or None."""
        return defining_class(self.func)

    def line(self, lineno: int) -> str:
        """The user's line `lineno` of `filename`, as it reads in their file."""
        text = linecache.getline(self.filename, lineno)
        return text.rstrip("\n") if text else ""

    def resolve(self, name: str) -> Any:
        """What a free name of the body refers to, or MISSING (reported to `record_reads`)."""
        if name in self.closure:
            obj = self.closure[name]
        elif name in self.globals:
            obj = self.globals[name]
        else:
            obj = getattr(builtins, name, MISSING)
        _report(self, name, obj)
        return obj


def _report(src: "Source", name: str, obj) -> None:
    """Tell the active `record_reads` log that `src` read `name` as `obj`."""
    logs = getattr(_reads, "logs", None)
    if logs:
        logs[-1].append((src, name, obj))


@contextmanager
def record_reads(log: list):
    """While active, every `Source.resolve` in this thread appends (source, name, object) to `log`:
    what a transformation read from outside the function's text (the cache checks it stayed the same)."""
    logs = getattr(_reads, "logs", None)
    if logs is None:
        logs = _reads.logs = []
    depth = len(logs)
    try:
        logs.append(log)
        yield log
    finally:
        del logs[depth:]  # (also a log left by a record interrupted before its `try`)


def _unwrap(fn: Callable) -> Callable:
    while isinstance(fn, (staticmethod, classmethod)) or inspect.ismethod(fn) or unwrap_cache(fn) is not fn:
        fn = unwrap_cache(getattr(fn, "__func__", fn))
    return fn


def unwrap_cache(fn):
    """The Python function an @functools.cache / @lru_cache wrapper remembers the values of (else `fn`)."""
    return fn.__wrapped__ if isinstance(fn, functools._lru_cache_wrapper) and inspect.isfunction(fn.__wrapped__) else fn


def _closure_of(fn: Callable) -> dict:
    code = getattr(fn, "__code__", None)
    cells = getattr(fn, "__closure__", None) or ()
    out = {}
    if code is not None:
        for name, cell in zip(code.co_freevars, cells):
            try:
                out[name] = cell.cell_contents
            except ValueError:  # an empty cell: defined later in the enclosing scope
                pass
    return out


def lambda_as_def(node: ast.Lambda) -> ast.FunctionDef:
    ret = ast.Return(value=node.body)
    ast.copy_location(ret, node.body)
    fdef = ast.FunctionDef(name="<lambda>", args=node.args, body=[ret], decorator_list=[],
                           returns=None, type_comment=None)
    if hasattr(ast.FunctionDef, "type_params") or "type_params" in ast.FunctionDef._fields:
        fdef.type_params = []
    return ast.copy_location(fdef, node)


def defining_class(func) -> type | None:
    """The class whose body defines the plain function `func` (not bound: `Model.loss`), found by its qualified
    name from its module: the class's attribute of that name is `func`, a static or class method or a wrapper of
    it, or a copy of it (the same code); None for a module-level or local function."""
    if inspect.ismethod(func) or not inspect.isfunction(func):
        return None
    parts = func.__qualname__.split(".")
    if len(parts) < 2 or "<locals>" in parts:
        return None
    obj = func.__globals__.get(parts[0])
    for part in parts[1:-1]:
        obj = getattr(obj, part, None)
    if not isinstance(obj, type):
        return None
    found = inspect.getattr_static(obj, parts[-1], None)
    held = (found, getattr(found, "__func__", None), getattr(found, "__wrapped__", None))
    return obj if any(h is func or inspect.isfunction(h) and h.__code__ is func.__code__ for h in held) else None


def read_function(fn: Callable) -> Source:
    """Parse `fn`'s source; raise SourceUnavailableError when there is none.

    A function s2s generated (say `grad(f)`) is read from its generated module
    text, so transformations compose: `grad(grad(f))` transforms generated code.
    """
    generated = getattr(fn, "__s2s_generated__", None)
    if generated is not None:
        text, entry, filename, namespace = generated()
        src = source_from_text(text, entry, filename, namespace)
        src.transformed = fn  # (what it read is checked through it: its namespace holds what it read then)
        _report(src, "", fn)  # (read even where its text looks up no name: `2.0 * (2 * w)`, A's value baked in)
        if hasattr(fn, "__self__"):  # the gradient of a bound method: bound to the same object
            src.tree, obj = _bind_first(src.tree, fn.__self__, src.name), fn.__self__
            src.closure = {**src.closure, _first_parameter(text, entry): obj}
        return src
    bound = fn if inspect.ismethod(fn) else None  # model.loss: `self` is data the function reads
    fn = _unwrap(fn)
    decorated = errstate_decorated(fn)
    if decorated is not None:  # @np.errstate(...): the body under `with np.errstate(...):` (NumPy's wrapper's)
        src = read_function(decorated[0])
        under_errstate(src, decorated[1], decorated[0])
        return src
    name = getattr(fn, "__qualname__", getattr(fn, "__name__", repr(fn)))
    if isinstance(fn, functools.partial):
        name = f"functools.partial({getattr(fn.func, '__name__', 'f')}, ...)"
    if not inspect.isfunction(fn):
        raise SourceUnavailableError(name, _not_a_function(fn))
    try:
        lines, start, module = _source_lines(fn)
        filename = inspect.getsourcefile(fn) or fn.__code__.co_filename
    except (OSError, TypeError) as exc:
        where = getattr(getattr(fn, "__code__", None), "co_filename", "")
        if where.startswith("<"):  # <stdin>, <string>: the prompt, python -c, exec or eval
            raise SourceUnavailableError(name, f"it was defined in {where} (the interactive prompt, `python -c`, "
                                               "exec or eval), where Python keeps no source; define it in a file or "
                                               "a notebook cell and import or run that instead") from None
        raise SourceUnavailableError(name, f"inspect found no source ({exc})") from None
    raw = "".join(lines)
    text = textwrap.dedent(raw)
    indent = len(lines[0]) - len(lines[0].lstrip()) if lines else 0
    try:
        if module is None:
            module = ast.parse("\n" * (start - 1) + text)  # (the user's line numbers, without a walk to shift them)
    except SyntaxError:
        # A lambda inside a larger expression: parse just its line(s) as an expression.
        try:
            module = ast.parse("(" + text.strip().rstrip("\\") + ")")
            ast.increment_lineno(module, start - 1)
        except SyntaxError as exc:
            module = _whole_file(fn)  # (a lambda on a line inside a larger bracket: a dict or a call's arguments)
            if module is None:
                raise SourceUnavailableError(name, f"its source does not parse on its own ({exc.msg})") from None
        indent = 0
    if indent:
        for node in ast.walk(module):
            if hasattr(node, "col_offset"):
                node.col_offset += indent
                if getattr(node, "end_col_offset", None) is not None:
                    node.end_col_offset += indent
    tree = _find_def(module, fn)
    if tree is None and fn.__code__.co_name == "<lambda>" and _lambdas_at(module, fn.__code__):
        raise SourceUnavailableError(name, f"line {fn.__code__.co_firstlineno} holds several lambdas taking the same "
                                           f"parameters, and s2s cannot tell which one this is: define it with def, "
                                           f"or write it on a line of its own")
    if tree is None:
        raise SourceUnavailableError(name, "its definition was not found in the source inspect returned" + (
            f" (line {fn.__code__.co_firstlineno} of {filename} holds no lambda taking its parameters: "
            f"{_STALE_FIX}" if fn.__code__.co_name == "<lambda>" else ""))
    # (a lambda is compiled alone, as the expression it is)
    definition = text if fn.__code__.co_name != "<lambda>" else \
        f"({ast.unparse(ast.Lambda(args=tree.args, body=tree.body[0].value))})\n"
    if _differs_from_running(fn, definition):
        if _registered_text(fn.__code__.co_filename):
            raise SourceUnavailableError(name, f"the text linecache holds for {filename} is not the code Python "
                                               f"runs for it (another text was registered under that name after it "
                                               f"was compiled): register each text under a filename of its own, "
                                               f"so that s2s differentiates what runs")
        raise SourceUnavailableError(name, f"its source in {filename} is not the code Python runs for it ({_STALE_FIX}")
    tree.decorator_list = []
    if "__" in definition:  # (a private name has two underscores; most functions have none: no walk)
        _mangle_private_names(tree, fn.__code__)
    closure = _closure_of(fn)
    if bound is not None:
        # a bound method: its first parameter is the object it is bound to, read as closure data, so that the
        # derivative takes the arguments the bound method takes (wrt positions count after `self`)
        first = (tree.args.posonlyargs[:1] or tree.args.args[:1] or [None])[0]
        tree = _bind_first(tree, bound.__self__, name)
        closure[first.arg] = bound.__self__
    return Source(tree=tree, filename=filename, text=text, func=bound or fn,
                  globals=getattr(fn, "__globals__", {}), closure=closure,
                  generated=filename.startswith("<s2s "))  # (a pullback s2s made, called inside: its `del` lines)


def _private(name: str) -> bool:
    return name.startswith("__") and not name.endswith("__")


def _mangle_private_names(tree, code) -> None:
    """Write `self.__scale` in a method of class M as Python compiled it, `self._M__scale` (names too): the
    generated code is not in M's body, where Python would mangle it again. The prefix is the one Python used, read
    from the names of the function's code (and of the code objects it holds: lambdas, nested functions)."""
    private = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute) and _private(n.attr)} | \
        {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and _private(n.id)}
    if not private:
        return
    names: set = set()
    todo = [code]
    while todo:
        c = todo.pop()
        names.update(c.co_names, c.co_varnames, c.co_cellvars, c.co_freevars)
        todo.extend(k for k in c.co_consts if inspect.iscode(k))
    prefix = next((n[: -len(p)] for p in sorted(private) for n in sorted(names)
                   if n.endswith(p) and n != p and n.startswith("_")), None)
    if prefix is None:  # (no class around it: Python mangles nothing)
        return
    for n in ast.walk(tree):
        if isinstance(n, ast.Attribute) and _private(n.attr):
            n.attr = prefix + n.attr
        elif isinstance(n, ast.Name) and _private(n.id):
            n.id = prefix + n.id


# (what the refusals of a function whose file changed say, the function transformed's and a helper's)
_STALE_FIX = ("the file changed after it was imported): reload the module (importlib.reload, or restart the "
              "kernel), so that s2s differentiates what runs")


def _registered_text(filename: str) -> bool:
    """Is the text of `filename` one registered with linecache by whoever compiled it (a notebook cell, exec'd
    code), with no file behind it?"""
    entry = linecache.cache.get(filename)
    return entry is not None and len(entry) == 4 and entry[1] is None and not os.path.exists(filename)


def _lambdas_at(module: ast.Module, code) -> list:
    """The lambdas of `module` on the line where the lambda of `code` starts, taking its parameters."""
    params = list(code.co_varnames[: code.co_argcount])
    return [node for node in ast.walk(module) if isinstance(node, ast.Lambda) and node.lineno == code.co_firstlineno
            and [a.arg for a in node.args.posonlyargs + node.args.args] == params]


_FUTURE_FLAGS = functools.reduce(operator.or_, (getattr(__future__, n).compiler_flag
                                                for n in __future__.all_feature_names), 0)


_SAME_AS_REGISTERED: dict = {}  # code object -> the linecache entry (of no file) its text was found to be


def _differs_from_running(fn, text: str) -> bool:
    """Does the definition `text` (read from `fn`'s file now, or from the text linecache holds for its filename)
    compile to other code than `fn` runs, as after an edit of the file since it was imported, or text registered
    under a filename that another text took since? Compiled where `fn` was: inside a function holding its free
    variables and in its class (private names, `super()`); a lambda's text is the lambda alone. False where that
    cannot be told: a module whose import rewrote its code (pytest's assert statements), text that does not
    compile so wrapped."""
    code = fn.__code__
    if "@pytest_ar" in getattr(fn, "__globals__", {}):
        return False
    registered = linecache.cache.get(code.co_filename) if _registered_text(code.co_filename) else None
    if registered is not None and _SAME_AS_REGISTERED.get(code) is registered:
        return False  # (a notebook cell's function transformed again: compared with the same text once)
    differs = _compiled_differs(fn, code, text)
    if registered is not None and not differs:
        if len(_SAME_AS_REGISTERED) >= 4096:
            _SAME_AS_REGISTERED.clear()
        _SAME_AS_REGISTERED[code] = registered
    return differs


def _compiled_differs(fn, code, text: str) -> bool:
    # (the class nearest around it, whose private names Python mangled: the last of the qualified name's parts
    # not followed by <locals>, which follows a function's; `Model.fit.<locals>.<lambda>` is compiled in Model)
    parts = getattr(fn, "__qualname__", "").split(".")[:-1]
    owner = next((p for i, p in reversed(list(enumerate(parts)))
                  if p != "<locals>" and parts[i + 1:i + 2] != ["<locals>"]), None)
    body = text if owner is None or not owner.isidentifier() else f"class {owner}:\n" + textwrap.indent(text, "    ")
    cells = "".join(f"    {v} = None\n" for v in code.co_freevars if v != "__class__")
    if cells:  # (only then: a class bound inside a function makes its name a free variable of its methods)
        body = "def _s2s_outer():\n" + cells + textwrap.indent(body, "    ")
    # (the modules it reads, bound by imports as in its module: CPython 3.11+ calls their functions differently;
    # the same bytes compiled with or without those imports answer at once, other code is compared instruction
    # by instruction)
    spaces = getattr(fn, "__globals__", {})
    imports = "".join(f"import {n}\n" for n in sorted(_names_read(code))
                      if isinstance(spaces.get(n), types.ModuleType) and n.isidentifier())
    found = None
    for prefix in dict.fromkeys((imports, "")):  # (a module bound by assignment, as in a notebook: no import)
        try:
            compiled = compile(prefix + body + "\n", code.co_filename, "exec", flags=code.co_flags & _FUTURE_FLAGS,
                               dont_inherit=True)
        except (SyntaxError, ValueError, TypeError):
            return False
        found = _code_named(compiled, code.co_name, code.co_varnames[:code.co_argcount])
        if found is None:
            return False
        if _same_code(found, code):
            return False
    return _fingerprint(found) != _fingerprint(code)


def _names_read(code) -> set:
    return set(code.co_names).union(*(_names_read(c) for c in code.co_consts if hasattr(c, "co_code")))


def _same_code(a, b) -> bool:
    """Are the code objects `a` and `b` (and those defined inside them) the same bytes, names and constants?"""
    inner_a = [c for c in a.co_consts if hasattr(c, "co_code")]
    inner_b = [c for c in b.co_consts if hasattr(c, "co_code")]
    return a.co_code == b.co_code and a.co_names == b.co_names and a.co_varnames == b.co_varnames and \
        [_constant(c) for c in a.co_consts if not hasattr(c, "co_code")] == \
        [_constant(c) for c in b.co_consts if not hasattr(c, "co_code")] and len(inner_a) == len(inner_b) and \
        all(_same_code(x, y) for x, y in zip(inner_a, inner_b))


def _constant(value) -> str:
    """A constant's text, the same for equal constants: a frozenset's items sorted (`x in {'u', 'i'}` compiles to a
    frozenset whose order is that of the string hashes of the process that built it: a .pyc's differs from one
    compiled now under another PYTHONHASHSEED)."""
    if isinstance(value, frozenset):
        return "frozenset(" + repr(sorted(_constant(v) for v in value)) + ")"
    if isinstance(value, tuple):
        return "(" + ", ".join(_constant(v) for v in value) + ",)"
    return repr(value)


_SPELLING = frozenset({"PUSH_NULL", "EXTENDED_ARG"})  # (3.13's NULL of a call; the prefix a longer jump takes)


def _fingerprint(code) -> tuple:
    """What an edit of a function's text changes in its code, and compiling it elsewhere does not: its
    instructions and their names and constants, with a method call's spellings as one (CPython 3.11+ calls a
    method of a name an import bound as an attribute and a call, of other names with LOAD_METHOD; 3.13 adds a
    PUSH_NULL) and jump targets (byte offsets, which those spellings move) left out; the same of the functions
    defined inside it."""
    jumps = set(dis.hasjrel) | set(dis.hasjabs)
    steps = tuple(("LOAD_ATTR" if i.opname == "LOAD_METHOD" else i.opname,
                   None if i.opcode in jumps or hasattr(i.argval, "co_code") else _constant(i.argval))
                  for i in dis.get_instructions(code) if i.opname not in _SPELLING)
    inner = tuple(_fingerprint(c) for c in code.co_consts if hasattr(c, "co_code"))
    return steps, code.co_varnames, inner


def _code_named(code, name: str, params: tuple | None = None):
    """The code object called `name` inside `code` (depth first) taking the parameters `params` where given (a
    lambda's default that is a lambda, compiled first, is not the lambda), or None."""
    for c in code.co_consts:
        if hasattr(c, "co_code"):
            if c.co_name == name and (params is None or c.co_varnames[:c.co_argcount] == params):
                return c
            found = _code_named(c, name, params)
            if found is not None:
                return found
    return None


def _whole_file(fn) -> ast.Module | None:
    """The whole file (or notebook cell) of the lambda `fn` parsed, at its line numbers; None if it does not parse."""
    if getattr(getattr(fn, "__code__", None), "co_name", None) != "<lambda>":
        return None
    try:
        lines, _ = inspect.findsource(fn.__code__)
        return ast.parse("".join(lines))
    except (OSError, TypeError, SyntaxError, ValueError):
        return None


def _source_lines(fn) -> tuple[list, int, ast.Module | None]:
    """`inspect.getsourcelines(fn)`, and the lines parsed (at the user's line numbers) where that was done.

    inspect finds where the function ends by tokenizing it (most of the time of reading a function); a `def`
    block is found here by its indentation instead and taken when its lines parse as that one definition (a
    line inside brackets, a string or after a backslash that ends the block too early leaves lines that do
    not): the same lines as inspect's, which is asked otherwise."""
    # (the function's own code, not what its __wrapped__ names: a decorator's wrapper is the function called)
    lines, lnum = inspect.findsource(fn.__code__)
    found = _def_block(lines, lnum, fn.__code__.co_name)
    if found is None:
        return inspect.getblock(lines[lnum:]), lnum + 1, None
    return found[0], lnum + 1, found[1]


def _def_block(lines: list, first: int, name) -> tuple | None:
    """(the lines of the `def name` at `lines[first]` (after one-line decorators) to its last statement and the
    comments after it at the body's indentation, as inspect.getblock finds them; those lines dedented and parsed
    at their line numbers), or None where this is not certain."""
    def indent(line):
        stripped = line.lstrip(" ")
        return None if stripped[:1] in ("\t", "\f") else len(line) - len(stripped)

    if not name or name == "<lambda>" or first >= len(lines):
        return None
    base = indent(lines[first])
    i = first
    while i < len(lines) and lines[i].lstrip(" ").startswith("@") and indent(lines[i]) == base:
        i += 1
    if base is None or i >= len(lines) or indent(lines[i]) != base or \
            not lines[i].lstrip(" ").startswith(("def ", "async def ")):
        return None
    last = end = i
    for end in range(i + 1, len(lines) + 1):
        stripped = lines[end].strip() if end < len(lines) else ""
        if not stripped or stripped.startswith("#"):
            continue
        col = indent(lines[end])
        if col is None:
            return None
        if col <= base:
            break
        last = end
    try:
        module = ast.parse("\n" * first + textwrap.dedent("".join(lines[first:last + 1])))
    except SyntaxError:
        return None
    tree = module.body[0] if len(module.body) == 1 else None
    if not isinstance(tree, (ast.FunctionDef, ast.AsyncFunctionDef)) or tree.name != name:
        return None
    # comments after the last statement belong to the block when indented as its body (where that starts a line)
    start = lines[tree.body[0].lineno - 1]
    body = tree.body[0].col_offset + base if start[:len(start) - len(start.lstrip(" "))] == " " * (
        tree.body[0].col_offset + base) else None
    for j in range(last + 1, min(end, len(lines))):
        if body is not None and lines[j].strip() and indent(lines[j]) is not None and indent(lines[j]) >= body:
            last = j
    return lines[first:last + 1], module


def _bind_first(tree: ast.FunctionDef, obj, name: str) -> ast.FunctionDef:
    """`tree` without its first parameter (the `self` a method is bound to)."""
    tree = copy.copy(tree)
    tree.args = copy.copy(tree.args)
    if tree.args.posonlyargs:
        tree.args.posonlyargs = tree.args.posonlyargs[1:]
    elif tree.args.args:
        tree.args.args = tree.args.args[1:]
    else:
        raise SourceUnavailableError(name, f"it is bound to a {type(obj).__name__} but has no parameter for it")
    return tree


def _first_parameter(text: str, entry: str) -> str:
    tree = next(n for n in reversed(ast.parse(text).body) if isinstance(n, ast.FunctionDef) and n.name == entry)
    return (tree.args.posonlyargs + tree.args.args)[0].arg


def _not_a_function(obj) -> str:
    """Why `obj` has no source s2s can read, and what to transform instead."""
    refusal = getattr(type(obj), "__s2s_refusal__", None)  # (why, what to do) of an object s2s made itself
    if refusal is not None:
        return f"{refusal[0]}; {refusal[1]}"
    if isinstance(obj, functools.partial):
        inner = getattr(obj.func, "__name__", "f")
        fixed = [repr(a) for a in obj.args] + [f"{k}={v!r}" for k, v in obj.keywords.items()]
        return (f"it is a functools.partial, not a Python function; transform the function itself and pass the "
                f"fixed arguments when you call the result: s2s.grad({inner})(..., {', '.join(fixed)}), with "
                f"wrt naming the parameter to differentiate")
    if isinstance(obj, type):
        return (f"it is a class, not a function; transform a function, or one of its methods "
                f"(s2s.grad({obj.__name__}.method), or s2s.grad(instance.method) for a bound method)")
    if callable(obj) and inspect.isfunction(getattr(type(obj), "__call__", None)):
        return (f"it is an instance of {type(obj).__name__}, not a function; transform its method: "
                f"s2s.grad(obj.__call__)")
    if callable(obj):
        spelled = ("np." if type(obj).__name__ == "ufunc" else "") + getattr(obj, "__name__", "g")
        return (f"it is a {type(obj).__name__} written in C, with no Python source; transform a Python function "
                f"that calls it (def f(x): return {spelled}(x))")
    return f"it is a {type(obj).__name__}, not a function; pass the function to transform"


def _find_def(module: ast.Module, fn: Callable) -> ast.FunctionDef | None:
    code = fn.__code__
    if code.co_name == "<lambda>":
        found = _lambdas_at(module, code)
        if len(found) > 1:  # (lambda x: x * 2.0, lambda x: x * 3.0): the one whose code this is
            found = _the_lambda(found, code)
        return lambda_as_def(found[0]) if len(found) == 1 else None
    for node in ast.walk(module):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == code.co_name:
            return node
    return None


def _the_lambda(found: list, code) -> list:
    """The lambdas among `found` (same line, same parameters) that compiled to `code`: by the source positions
    of its instructions (Python 3.11+: the smallest lambda holding them all), else by the names and constants
    it reads; where that cannot tell them apart, the first if all are the same text."""
    positions = getattr(code, "co_positions", None)
    if positions is not None:
        spots = [(line, col) for line, _, col, _ in positions() if line is not None and col is not None]
        spots = [spot for spot in spots if spot != (code.co_firstlineno, spots[0][1])] or spots  # (not RESUME's)
        holding = [node for node in found if all(
            (node.lineno, node.col_offset) <= spot < (node.end_lineno, node.end_col_offset) for spot in spots)]
        if holding:
            return [min(holding, key=lambda n: (n.end_lineno - n.lineno, n.end_col_offset - n.col_offset))]
    reads = (code.co_names, [k for k in code.co_consts if not hasattr(k, "co_code")])
    same = [node for node in found if _reads_of(node, code.co_freevars) == reads]
    if len(same) == 1:
        return same
    return found[:1] if len({ast.dump(node) for node in found}) == 1 else []


def _reads_of(node: ast.Lambda, free: tuple) -> tuple:
    """(co_names, constants) of the lambda `node` compiled on its own (its free variables `free` read as
    globals there, so left out of the names)."""
    try:
        compiled = compile(ast.fix_missing_locations(ast.Expression(body=node)), "<s2s>", "eval")
    except (SyntaxError, ValueError, TypeError):
        return ()
    inner = next(c for c in compiled.co_consts if hasattr(c, "co_code"))
    return tuple(n for n in inner.co_names if n not in free), [k for k in inner.co_consts if not hasattr(k, "co_code")]


def source_from_text(text: str, name: str, filename: str, namespace: dict) -> Source:
    """A `Source` for a function defined in generated module text (for higher-order transforms)."""
    module = ast.parse(text)
    tree = next(n for n in reversed(module.body) if isinstance(n, ast.FunctionDef) and n.name == name)
    tree.decorator_list = []
    return Source(tree=tree, filename=filename, text=_segment(text, tree) or text,
                  func=namespace.get(name), globals=namespace, generated=True)


# the line breaks str.splitlines knows besides \r and \n (ast.get_source_segment does not split at them)
_OTHER_BREAKS = frozenset("\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def _segment(text: str, node) -> str | None:
    """`ast.get_source_segment(text, node)`, with str.splitlines where that splits the same (ast's own splitter
    goes character by character: half a millisecond for a generated module)."""
    if not _OTHER_BREAKS.isdisjoint(text) or getattr(node, "end_lineno", None) is None \
            or getattr(node, "end_col_offset", None) is None:
        return ast.get_source_segment(text, node)
    lines = text.splitlines(keepends=True)
    first, last = node.lineno - 1, node.end_lineno - 1
    if first == last:
        return lines[first].encode()[node.col_offset:node.end_col_offset].decode()
    head = lines[first].encode()[node.col_offset:].decode()
    tail = lines[last].encode()[:node.end_col_offset].decode()
    return "".join([head, *lines[first + 1:last], tail])
