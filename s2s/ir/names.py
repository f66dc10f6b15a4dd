"""Fresh-name allocation: one `Namer` per generated function, seeded with every existing name.

Deterministic by construction (counters only, no ids or hashing). Versions of a
user's name are `x`, `x_1`, `x_2`, ...; compiler temporaries are `t1`, `t2`, ...
"""
from __future__ import annotations

import ast
import keyword
import re


def base_name(name: str) -> str:
    """The user's name behind an SSA version: y_1 -> y (new versions are then y_2, y_3, ...)."""
    m = re.fullmatch(r"(.+?)_\d+", name)
    return m.group(1) if m else name


class Namer:
    def __init__(self, taken=()):
        self.taken: set[str] = set(taken)
        self.counters: dict[str, int] = {}
        self.temps: set[str] = set()

    def reserve(self, name: str) -> None:
        self.taken.add(name)

    def fresh(self, base: str) -> str:
        """`base` itself if free, else `base_1`, `base_2`, ... (for temporaries 't': t1, t2, ...)."""
        if base == "t":
            name = self._numbered(base, "t{}")
            self.temps.add(name)
            return name
        if base not in self.taken and not keyword.iskeyword(base):  # (`d` + `el` is not a name)
            self.taken.add(base)
            return base
        return self._numbered(base, base + "_{}")

    def _numbered(self, base: str, spelling: str) -> str:
        """The first name `spelling` makes of a number past `base`'s counter that is free, taken."""
        n = self.counters.get(base, 0)
        while True:
            n += 1
            name = spelling.format(n)
            if name not in self.taken:
                self.counters[base] = n
                self.taken.add(name)
                return name


def names_in(tree: ast.AST) -> set[str]:
    """Every identifier that appears in `tree` (params, assigned and read names)."""
    out = set()
    stack = [tree]  # (ast.walk's generators per node cost more than the names)
    AST, Name, arg, FunctionDef = ast.AST, ast.Name, ast.arg, ast.FunctionDef
    while stack:
        node = stack.pop()
        cls = type(node)
        if cls is Name:
            out.add(node.id)
            continue  # (only its context below it)
        if cls is arg:
            out.add(node.arg)
        elif cls is FunctionDef:
            out.add(node.name)
        for field in node._fields:
            value = getattr(node, field, None)
            if type(value) is list:
                stack += [v for v in value if isinstance(v, AST)]
            elif isinstance(value, AST):
                stack.append(value)
    return out
