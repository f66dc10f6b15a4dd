"""What to write for a merge of dicts s2s does not follow, where the keys of one are the caller's choice (a material's
fields given over defaults: `{**DEFAULTS, **mat}`, `DEFAULTS | mat`, `m.update(mat)`) and for `d.pop(key, default)`:
a display with the keys written out, which the other refusals advise, cannot spell them; a comprehension over the
keys of the defaults can (`{k: mat.get(k, DEFAULTS[k]) for k in DEFAULTS}`), the same dict where the caller's keys
are among the defaults' (Python's merge keeps any other key too, which the comprehension drops).
"""
from __future__ import annotations

import ast


# `d.update(given)` (LIST_METHODS, effects.py: `name` and `given` filled in)
UPDATE = ("make a new dict with the keys that change: {name} = {{**{name}, 'w': value}}; for a dict whose keys "
          "only the run time knows, given over defaults, make the new dict over the defaults' keys: "
          "{{k: {given}.get(k, {name}[k]) for k in {name}}} (the same where {given} has no key {name} lacks)")


def merged(defaults: str, given: str) -> str:
    """The comprehension for `{**defaults, **given}` (names as the user wrote them)."""
    return (f"for a dict whose keys only the run time knows, given over defaults, make the new dict over the "
            f"defaults' keys: {{k: {given}.get(k, {defaults}[k]) for k in {defaults}}} (the same where {given} has "
            f"no key {defaults} lacks)")


def merged_display(node: ast.Dict) -> str:
    """`{**D, **mat}`: '; ' and the comprehension for it; '' for any other display."""
    if len(node.keys) == 2 and node.keys == [None, None]:
        return "; " + merged(ast.unparse(node.values[0]), ast.unparse(node.values[1]))
    return ""


def popped(name: str, node: ast.Call) -> str:
    """What to write for `name.pop(0)` of a list (the first item read and dropped) or `name.pop(key[, default])` of a
    dict (the key's value read with its default, and the dict made without it)."""
    key = node.args[0].value
    if not isinstance(key, str):
        return f"read and drop the first item: first = {name}[0]; {name} = {name}[1:]"
    read = f"{name}.get({key!r}, {ast.unparse(node.args[1])})" if len(node.args) > 1 else f"{name}[{key!r}]"
    return f"read the key and make the dict without it: v = {read}; {name} = {{k: w for k, w in {name}.items() if " \
           f"k != {key!r}}}"


def updated(name: str, node: ast.Call, advice: dict) -> str:
    """What to write for `name.update(...)`: the new dict with the keys it writes where they are spelled out
    (`d.update(b=v)`, `d.update({'b': v})`: `d = {**d, 'b': v}`), else over the keys of `name` with the values of the
    dict given (`d.update(extra)`, `d.update(**extra)`)."""
    given = list(node.args) + [k.value for k in node.keywords if k.arg is None]
    written = [f"{k.arg!r}: {ast.unparse(k.value)}" for k in node.keywords if k.arg is not None]
    if not given and not written:
        return f"drop the call: {ast.unparse(node)} changes nothing"
    if len(given) == 1 and not written and isinstance(given[0], ast.Dict) and None not in given[0].keys:
        given, written = [], [f"{ast.unparse(k)}: {ast.unparse(v)}" for k, v in zip(given[0].keys, given[0].values)]
    if not given:
        return f"make a new dict with the keys that change: {name} = {{**{name}, {', '.join(written)}}}"
    return advice["update"].format(name=name, given=ast.unparse(given[0]))


def method_refusal(func: ast.Attribute, node: ast.Call, advice: dict, tree=None) -> tuple[str, str]:
    """The refusal of `xs.insert(0, v)`, `d.update(other)`, `xs.pop()`, `d.pop('k', v)`... (`func`: the method read,
    `node`: its call, `advice`: LIST_METHODS, effects.py; `tree`: the function), saying what to write instead."""
    key = getattr((node.args or [None])[0], "value", None) if func.attr == "pop" else None  # (pop(0), pop('k'))
    what = {"update": "dict", "fill": "array"}.get(func.attr, "dict" if isinstance(key, str) else "list (or array)")
    name = ast.unparse(func.value)
    fix = popped(name, node) if key == 0 and key is not False or isinstance(key, str) else \
        updated(name, node, advice) if func.attr == "update" else \
        advice[func.attr].format(name=name, given=ast.unparse((node.args or [func])[0]))
    views = views_read_after(tree, func.value, node) if func.attr in ("sort", "fill") and tree is not None else []
    if views:  # (b = idx[:2] before idx.sort(), read after: NumPy's sort in place changes b too)
        again = "; ".join(f"{view} = {ast.unparse(made)}" for view, made in views)
        fix += (f"; for an array, take again after it what was taken of {name} before ({again}): the method changes "
                f"{', '.join(view for view, _ in views)} too, a view of {name}")
    return f"the method .{func.attr}(), which changes its {what} in place", fix


def views_read_after(tree, array: ast.AST, node: ast.AST) -> list:
    """(name, value) of each `b = a[1:3]`, `b = a.T`, `b = a.reshape(...)`... (a view of the array `array`, a name)
    bound in `tree` before the line of `node` and read after it."""
    if not isinstance(array, ast.Name):
        return []
    line = getattr(node, "lineno", 0)
    made = {}
    for s in ast.walk(tree):
        if not (isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name) and
                s.lineno < line):
            continue
        value = s.value
        base = value.func.value if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and \
            value.func.attr in ("reshape", "ravel", "view", "transpose", "swapaxes", "squeeze") else \
            value.value if isinstance(value, ast.Attribute) and value.attr in ("T", "real", "flat") or \
            isinstance(value, ast.Subscript) and _basic(value.slice) else None
        if isinstance(base, ast.Name) and base.id == array.id:
            made[s.targets[0].id] = value
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and
            n.id in made and n.lineno > line}
    return [(view, value) for view, value in made.items() if view in read]


def _basic(index) -> bool:
    """Does `index` hold a slice (`a[:2]`, `a[1:, 0]`): NumPy's basic indexing, whose result is a view?"""
    parts = index.elts if isinstance(index, ast.Tuple) else [index]
    return any(isinstance(p, ast.Slice) for p in parts) and \
        all(isinstance(p, (ast.Slice, ast.Constant, ast.Name, ast.UnaryOp)) for p in parts)
