"""The entry points that end the `.source` of s2s.jacobian and s2s.hessian, which their callables run.

The generated code of a Jacobian is the vjp (reverse mode) or the jvp (forward mode) s2s generates for f; of a
Hessian, the jvp of the generated gradient. The module ends with a function taking f's parameters that assembles
the Jacobian or Hessian from them by the runtime's helpers (runtime/jacobians.py):

    def jacobian_f(x):
        return rt.jacobian_reverse(vjp_f(x), (x,))

The callable compiles that same function next to the generated code it calls (`compiled`) and calls it, so that
the module imported on its own gives what the callable gives.
"""
from __future__ import annotations

import ast
import inspect
import re

import numpy as np

from s2s import runtime
from s2s.api import arguments
from s2s.back.data import with_default_data
from s2s.front.parameters import default_name

_IMPORT = "from s2s import runtime as rt"


def identifier(name: str) -> str:
    """`name` made a Python identifier (`jacobian_<lambda>` -> `jacobian_lambda`)."""
    return re.sub(r"\W+", "", name) or "entry"


def _def(text: str, name: str) -> ast.FunctionDef:
    """The top-level function `name` of the module `text`."""
    return next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == name)


def _literal(value) -> bool:
    """Can `value` be written as source that gives it back (a number, a string, None, a tuple of them)?"""
    if isinstance(value, tuple):
        return all(map(_literal, value))
    return type(value) in (int, float, bool, str, type(None))


class Parameters:
    """f's parameters as the entry takes them and passes them on: `text` (`x, a=2.0, *rest, k=1`), `passed` (`x, a,
    *rest, k=k`), read from the generated function `fdef` (which takes f's parameters, then `tangents` tangent
    parameters), with f's defaults: numbers and strings written out, other values by the name f's module gives them
    (`w=W`) or `<parameter>_default`, as the generated gradient writes them."""

    def __init__(self, fdef: ast.FunctionDef, f, tangents: int = 0):
        a = fdef.args
        keyword_tangents = bool(a.kwonlyargs or a.vararg)  # (the tangents are keyword-only: api/forward.py)
        positional = [p.arg for p in a.posonlyargs + a.args]
        kwonly = [p.arg for p in a.kwonlyargs]
        if tangents:
            if keyword_tangents:
                kwonly, self.tangents = kwonly[:len(kwonly) - tangents], kwonly[len(kwonly) - tangents:]
            else:
                cut = len(positional) - tangents
                positional, self.tangents = positional[:cut], positional[cut:]
        else:
            self.tangents = []
        self.keyword_tangents = keyword_tangents
        self.positional, self.vararg, self.kwonly = positional, a.vararg and a.vararg.arg, kwonly
        self.kwarg = a.kwarg and a.kwarg.arg
        written = _written_defaults(a)  # (the generated function's own: a vjp's, whose module binds their names)
        values = _defaults(f)  # (f's own defaults: the compiled entry point takes them, `compiled`)
        spaces = getattr(arguments.original(f), "__globals__", {})
        self.named = {}  # {name: value} of defaults written by a name (`w=W`, as grad's text writes them)
        for p, v in values.items():
            if p not in written:
                written[p] = repr(v) if _literal(v) else default_name(spaces, p, v)
                if not _literal(v):
                    self.named[written[p]] = v
        k = len(positional)  # (the trailing parameters with such defaults keep them)
        while k and positional[k - 1] in written:
            k -= 1
        parts = positional[:k] + [f"{p}={written[p]}" for p in positional[k:]]
        k = len(positional)
        while k and positional[k - 1] in values:
            k -= 1
        self.defaults = tuple(values[p] for p in positional[k:]) or None
        self.kwdefaults = {p: values[p] for p in kwonly if p in values} or None
        parts += [f"*{self.vararg}"] if self.vararg else ["*"] if kwonly else []
        parts += [f"{p}={written[p]}" if p in written else p for p in kwonly]
        parts += [f"**{self.kwarg}"] if self.kwarg else []
        self.text = ", ".join(parts)
        self.passed = positional + ([f"*{self.vararg}"] if self.vararg else []) + [f"{p}={p}" for p in kwonly] + \
            ([f"**{self.kwarg}"] if self.kwarg else [])

    def call(self, fn: str, tangent: str = "") -> str:
        """The call of the generated function `fn` with f's parameters (and the tangent named `tangent`)."""
        parts = list(self.passed)
        if tangent:
            if self.keyword_tangents:
                parts.append(f"{self.tangents[0]}={tangent}")
            else:
                parts.insert(len(self.positional), tangent)
        return f"{fn}({', '.join(parts)})"

    def argument(self, position: int, name: str) -> str:
        """The expression of the wrt argument at `position` (named `name`)."""
        if name in self.positional or name in self.kwonly or name in (self.vararg, self.kwarg):
            return name
        return f"{self.vararg}[{position - len(self.positional)}]"


def _defaults(f) -> dict:
    """{parameter: default} of f's parameters that have one."""
    try:
        params = inspect.signature(arguments.original(f)).parameters.values()
    except (TypeError, ValueError):
        return {}
    return {p.name: p.default for p in params if p.default is not p.empty}


def _written_defaults(a: ast.arguments) -> dict:
    """{parameter: its default's text} of a generated function's parameters (`arguments` of its def)."""
    positional = a.posonlyargs + a.args
    out = {p.arg: ast.unparse(d) for p, d in zip(positional[len(positional) - len(a.defaults):], a.defaults)}
    out.update({p.arg: ast.unparse(d) for p, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None})
    return out


def _tuple(items: list) -> str:
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def reverse_entry(name: str, vjp_text: str, vjp_name: str, f, wrt_at: tuple, single: bool) -> str:
    """`def jacobian_f(...)`: the Jacobian from the generated vjp `vjp_name` (reverse mode)."""
    if not wrt_at:
        return None  # (a wrt the parameters do not name: *args as a whole, a bound method's)
    params = Parameters(_def(vjp_text, vjp_name), f)
    xs = _tuple([params.argument(i, n) for i, n in wrt_at])
    single_text = "" if single else ", single=False"
    return Entry(f"def {name}({params.text}):\n"
                 f"    return rt.jacobian_reverse({params.call(vjp_name)}, {xs}{single_text})\n", params)


def forward_entry(name: str, parts: list, f, wrt_at: tuple, single: bool, hessian: bool = False) -> str:
    """`def jacobian_f(...)` (or `hessian_f`): the Jacobian from the generated jvps, one per wrt entry: `parts`, a
    (text, function name, its name in the module, vector) per entry, vector where its jvp pushes all basis
    tangents at once."""
    if len(wrt_at) != len(parts):
        return None  # (a wrt the parameters do not name: *args as a whole, a bound method's)
    params = None
    pushes, xs = [], []
    for (text, old, fn, _), (i, n) in zip(parts, wrt_at):
        params = Parameters(_def(text, old), f, tangents=1)
        x = params.argument(i, n)
        tangent = params.tangents[0]
        pushes.append(f"lambda {tangent}: {params.call(fn, tangent)}")
        xs.append(x)
    if hessian and not single:
        body = f"rt.hessian_blocks(({', '.join(pushes)},), {_tuple(xs)})"
    elif hessian:
        body = f"rt.hessian_{'forward' if parts[0][3] else 'basis'}({pushes[0]}, {xs[0]})"
    elif single:
        body = f"rt.jacobian_{'forward' if parts[0][3] else 'basis'}({pushes[0]}, {xs[0]})"
    else:
        calls = [f"rt.jacobian_forward({p}, {x})" if vector else f"rt.jacobian_basis({p}, {x}, blocks=True)"
                 for p, x, (_, _, _, vector) in zip(pushes, xs, parts)]
        body = f"rt.jacobian_tuple(({', '.join(calls)},), {_tuple(xs)})"
    return Entry(f"def {name}({params.text}):\n    return {body}\n", params)


class Entry(str):
    """The text of an entry point, with its `Parameters` (whose defaults the compiled one takes)."""

    def __new__(cls, text: str, params: Parameters):
        out = super().__new__(cls, text)
        out.params = params
        return out


def module(texts: list, names: list, entry: str | None) -> str:
    """The generated module: the texts of the generated functions (the k-th renamed `names[k]` where two have one
    name), then `entry` (None: none could be written)."""
    out = []
    for text, (old, new) in zip(texts, names):
        if new != old:
            text = re.sub(rf"\b{re.escape(old)}\b", new, text)
        out.append(text.rstrip("\n"))
    joined = "\n\n\n".join(out)
    if entry is None:
        return joined + "\n"
    if _IMPORT not in joined:  # (with the module's imports, after the last of those before its first function)
        lines = joined.split("\n")
        first = next((i for i, line in enumerate(lines) if line.startswith("def ")), len(lines))
        at = max((i + 1 for i, line in enumerate(lines[:first]) if line.startswith(("import ", "from "))), default=0)
        joined = "\n".join(lines[:at] + [_IMPORT] + lines[at:] if at else lines[:1] + [_IMPORT, "", ""] + lines[1:])
    named = getattr(getattr(entry, "params", None), "named", None)
    if named:  # (`def jacobian_f(x, w=W)`: the jvp it calls takes w without a default, and so reads no W)
        joined = with_default_data(joined, entry.split("(")[0][len("def "):], named)
    return f"{joined}\n\n\n{entry}"


def distinct(names: list) -> list:
    """(name, name in the module) of generated functions, the later of two with one name given a suffix."""
    seen: dict = {}
    out = []
    for n in names:
        k = seen.get(n, 0)
        seen[n] = k + 1
        out.append((n, n if not k else f"{n}_{k}"))
    return out


_COMPILED: dict = {}  # (entry text, functions) -> the compiled entry


def compiled(entry: Entry | None, name: str, fns: list, names: list):
    """The entry point `entry` (named `name`) compiled where `names[k]` is the generated function `fns[k]`, in the
    namespace of their modules (a default may name their data), with f's own defaults (an array's too)."""
    if entry is None:
        return None
    key = (str(entry), tuple(fns))
    fn = _COMPILED.get(key)
    if fn is None:
        namespace: dict = {}
        for g in fns:
            namespace.update(g.__globals__)
        namespace.update({"rt": runtime, "np": np}, **dict(zip(names, fns)))
        for text, value in getattr(getattr(entry, "params", None), "named", {}).items():
            namespace.setdefault(text, value)
        exec(compile(str(entry), f"<s2s entry {name}>", "exec"), namespace)  # noqa: S102 (s2s's own text)
        fn = _COMPILED[key] = namespace[name]
        params = getattr(entry, "params", None)
        if params is not None:
            fn.__defaults__, fn.__kwdefaults__ = params.defaults, params.kwdefaults
        if len(_COMPILED) > 4096:
            _COMPILED.pop(next(iter(_COMPILED)))
    return fn
