"""Lists a dict display holds at constant keys, grown in place (`bins = {'pos': [], 'neg': []}` then
`bins['pos'].append(v * w)` in a loop and `sum(bins['pos'])` after it).

s2s follows a list grown by its own name (front/lists.py). Where the function reads and writes the dict only at
the constant keys of its display (`bins['pos']`, `bins['neg'] = [...]`), never as a whole (`return bins`, `for k in
bins`, `f(bins)`), each key is a variable of its own: `bins['pos']` is the one list the name `bins_pos` holds, as it
is in Python, so the source is read with those names (`bins_pos = []`, `bins_pos.append(v * w)`), which the list
rules differentiate. Any other use of the dict leaves the function as written (and the append refused, saying so).
"""
from __future__ import annotations

import ast
import copy
import dataclasses

from s2s.ir.names import names_in

_GROWING = ("append", "extend", "insert")


def named_entries(src):
    """`src` (a front/source.Source) with each dict display `d = {'a': ..., 'b': ...}` whose items the function
    grows in place (`d['a'].append(v)`) and reads or writes only at those constant keys read as one variable per
    key (`d_a`); `src` itself where there is none."""
    dicts = [name for name in _grown_entries(src.tree) if _only_at_keys(src.tree, name) is not None]
    if not dicts or src.generated:
        return src
    tree = copy.deepcopy(src.tree)
    taken = names_in(tree)
    for name in dicts:
        keys = _only_at_keys(tree, name)
        names = {}
        for k in keys:
            new = f"{name}_{k}" if k.isidentifier() else f"{name}_item"
            while new in taken:
                new += "_"
            taken.add(new)
            names[k] = new
        _Renamed(name, names).visit(tree)
    return dataclasses.replace(src, tree=ast.fix_missing_locations(tree))


def _grown_entries(tree: ast.FunctionDef) -> list:
    """The names `d` of the dicts whose item at a constant key the function grows (`d['pos'].append(v)`)."""
    out = []
    for c in ast.walk(tree):
        if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute) and c.func.attr in _GROWING and \
                isinstance(c.func.value, ast.Subscript) and isinstance(c.func.value.value, ast.Name) and \
                _key(c.func.value) is not None and c.func.value.value.id not in out:
            out.append(c.func.value.value.id)
    return out


def _key(node: ast.Subscript) -> str | None:
    s = node.slice
    return s.value if isinstance(s, ast.Constant) and type(s.value) is str else None


def _only_at_keys(tree: ast.FunctionDef, name: str) -> list | None:
    """The keys of the one dict display `name` is bound to (`name = {'pos': [], ...}`, string constants, each once),
    where every other use of `name` in the function reads or writes it at one of them; None otherwise (a
    parameter, bound twice or otherwise, used whole, deleted from, or read by a nested function)."""
    args = tree.args
    if name in {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs} | \
            {a.arg for a in (args.vararg, args.kwarg) if a is not None}:
        return None
    displays = [s for s in ast.walk(tree) if isinstance(s, ast.Assign) and len(s.targets) == 1 and
                isinstance(s.targets[0], ast.Name) and s.targets[0].id == name]
    if len(displays) != 1 or not isinstance(displays[0].value, ast.Dict):
        return None
    d = displays[0].value
    keys = [k.value if isinstance(k, ast.Constant) and type(k.value) is str else None for k in d.keys]
    if None in keys or len(set(keys)) != len(keys):
        return None
    at_keys = {id(s.value) for s in ast.walk(tree) if isinstance(s, ast.Subscript) and
               isinstance(s.value, ast.Name) and s.value.id == name and _key(s) in keys and
               isinstance(s.ctx, (ast.Load, ast.Store))}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)) and \
                node is not tree and name in names_in(node):
            return None
        if isinstance(node, (ast.Global, ast.Nonlocal)) and name in node.names:
            return None
        if isinstance(node, ast.Name) and node.id == name and id(node) not in at_keys and \
                node is not displays[0].targets[0]:
            return None
    return keys


class _Renamed(ast.NodeTransformer):
    """`d = {'a': x, 'b': y}` -> `d_a = x; d_b = y`, and `d['a']` -> `d_a` (read or written)."""

    def __init__(self, name: str, names: dict):
        self.name, self.names = name, names

    def visit_Assign(self, node: ast.Assign):
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and node.targets[0].id == self.name:
            return [ast.copy_location(ast.Assign([ast.copy_location(ast.Name(self.names[k.value], ast.Store()),
                                                                    node.targets[0])], self.visit(v)), node)
                    for k, v in zip(node.value.keys, node.value.values)]
        return self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript):
        if isinstance(node.value, ast.Name) and node.value.id == self.name and _key(node) in self.names:
            return ast.copy_location(ast.Name(self.names[_key(node)], node.ctx), node)
        return self.generic_visit(node)
