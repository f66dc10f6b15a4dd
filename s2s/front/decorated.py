"""A function under the decorator `@np.errstate(...)`: NumPy's wrapper runs it under the error settings, as
`with np.errstate(...):` around its body does, which s2s follows (docs/syntax.md). The wrapper's own body (a try
statement in NumPy's source) is not read: the function is read with its body under that with statement.
"""
from __future__ import annotations

import ast

import numpy

_SETTINGS = ("all", "divide", "over", "under", "invalid")


def _wrapper_code():
    """The code of the function NumPy's errstate(...)(f) returns (contextlib's under NumPy 1.x)."""
    return numpy.errstate()(lambda: None).__code__


_WRAPPER = _wrapper_code()
_UNSPECIFIED = numpy.errstate.__init__.__globals__.get("_Unspecified", object())  # (no call= given)


def errstate_decorated(fn):
    """(the decorated function, the settings as keyword arguments) where `fn` is what `@np.errstate(...)` made of
    it, else None. `call=` (a function or an object with a write method) is a setting too."""
    if getattr(fn, "__code__", None) is not _WRAPPER or not fn.__closure__:
        return None
    cells = dict(zip(fn.__code__.co_freevars, (c.cell_contents for c in fn.__closure__)))
    state, func = cells.get("self"), cells.get("func")
    if not isinstance(state, numpy.errstate) or func is None or getattr(fn, "__wrapped__", func) is not func:
        return None
    if isinstance(getattr(state, "kwargs", None), dict):  # (NumPy 1.x)
        settings, call = dict(state.kwargs), getattr(state, "call", _UNSPECIFIED)
    else:
        settings = {k: getattr(state, f"_{k}") for k in _SETTINGS if getattr(state, f"_{k}", None) is not None}
        call = getattr(state, "_call", _UNSPECIFIED)
    if call is not _UNSPECIFIED:
        settings["call"] = call
    return func, settings


def under_errstate(src, settings: dict, func) -> None:
    """Put the body of the function `src` read (a `Source`, of `func`) under `with np.errstate(**settings):`, at the
    line of its decorator; the names it needs (np.errstate, a call= value) become closure data of fresh names."""
    tree = src.tree
    line = next((n for n in range(func.__code__.co_firstlineno, tree.lineno) if "errstate" in src.line(n)),
                tree.lineno)
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | set(src.closure) | set(src.globals)

    def fresh(name: str) -> str:
        while name in taken:
            name += "_"
        taken.add(name)
        return name

    errstate = fresh("errstate")
    src.closure = {**src.closure, errstate: numpy.errstate}
    keywords = []
    for key, value in settings.items():
        if isinstance(value, str):
            keywords.append(ast.keyword(arg=key, value=ast.Constant(value)))
        else:
            own = getattr(value, "__name__", "")  # (call=handler: a function is named as the user named it)
            if own.isidentifier() and own not in src.closure and src.globals.get(own) is value:
                name = own
            else:
                name = fresh(own if own.isidentifier() else f"errstate_{key}")
                src.closure[name] = value
            keywords.append(ast.keyword(arg=key, value=ast.Name(name, ast.Load())))
    call = ast.Call(func=ast.Name(errstate, ast.Load()), args=[], keywords=keywords)
    tree.body = [ast.With(items=[ast.withitem(context_expr=call, optional_vars=None)], body=tree.body)]
    for node in (tree.body[0], call, call.func, *keywords, *(k.value for k in keywords)):
        node.lineno, node.col_offset = line, tree.col_offset
        node.end_lineno, node.end_col_offset = line, len(src.line(line))
