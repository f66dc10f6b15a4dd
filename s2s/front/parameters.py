"""A function's parameters as Python binds them (read from its `ast.FunctionDef` and the function object), and its
local names."""
from __future__ import annotations

import ast
import copy
import symtable


def default_name(spaces: dict, param: str, value) -> str:
    """What generated code calls the default value of `param`: the name the function's module `spaces` gives it
    (`shift=OFFSET`), else `<param>_default`."""
    return next((name for name, v in spaces.items() if v is value and not name.startswith("_")), f"{param}_default")


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
        else:  # (no function object: the defaults as written, constants: those after the last that is not one)
            last = max((i for i, d in enumerate(a.defaults) if not isinstance(d, ast.Constant)), default=-1)
            self.defaults = tuple(d.value for d in a.defaults[last + 1:])
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


def local_names(tree: ast.FunctionDef) -> frozenset:
    """Python's local names of the function `tree`: its parameters and every name it binds anywhere in its body
    (assigns, deletes, defines, imports, a loop's target...), less those it declares global or nonlocal, and not
    those of the comprehensions and functions nested in it: Python's symbol table of its text. A read of one
    never finds the module's name of the same spelling, even before the assignment (UnboundLocalError)."""
    found = getattr(tree, "_s2s_locals", None)
    if found is None:
        fdef = copy.copy(tree)
        fdef.name, fdef.decorator_list = "f", []  # (a lambda as a def is named '<lambda>')
        table = symtable.symtable(ast.unparse(fdef), "<s2s>", "exec").get_children()[0]
        found = frozenset(s.get_name() for s in table.get_symbols() if s.is_local())
        tree._s2s_locals = found
    return found


def own_name(name: str, tree: ast.FunctionDef) -> str:
    """The name advice gives the function's own copy of `name`: `name` itself where it is a local name of the
    function (a parameter), else another (`w` for the module's `W`: `W = np.copy(W)` would make W a local name,
    unbound where np.copy reads it)."""
    if name in local_names(tree):
        return name
    taken = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {name}
    return name.lower() if name.lower() not in taken else f"{name.lower()}_own"
