"""A function's parameters as Python binds them (read from its `ast.FunctionDef` and the function object)."""
from __future__ import annotations

import ast


class Parameters:
    """A function's parameters as Python binds them: positional, `*vararg`, keyword-only, `**kwarg`, and the
    default values Python computed when the function was defined (`__defaults__`, `__kwdefaults__`)."""

    def __init__(self, tree: ast.FunctionDef, func=None):
        a = tree.args
        self.positional = [p.arg for p in a.posonlyargs + a.args]
        self.vararg = a.vararg.arg if a.vararg else None
        self.kwonly = [p.arg for p in a.kwonlyargs]
        self.kwarg = a.kwarg.arg if a.kwarg else None
        code = getattr(func, "__code__", None)
        names = code.co_varnames[:code.co_argcount] if code is not None else ()
        if code is not None and names[len(names) - len(self.positional):] == tuple(self.positional):
            self.defaults = tuple(func.__defaults__ or ())
            self.kwdefaults = dict(func.__kwdefaults__ or {})
        else:  # (no function object: the defaults as written, constants)
            self.defaults = tuple(d.value for d in a.defaults if isinstance(d, ast.Constant))
            self.kwdefaults = {p.arg: d.value for p, d in zip(a.kwonlyargs, a.kw_defaults)
                               if isinstance(d, ast.Constant)}

    @property
    def params(self) -> list:
        return self.positional + [p for p in (self.vararg,) if p] + self.kwonly + [p for p in (self.kwarg,) if p]

    def plain(self) -> bool:
        """Only positional parameters (the signature generated code has always had)?"""
        return self.vararg is None and not self.kwonly and self.kwarg is None


def parameters(tree: ast.FunctionDef, func=None) -> Parameters:
    return Parameters(tree, func)
