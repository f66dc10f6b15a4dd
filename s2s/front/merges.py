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


def method_refusal(func: ast.Attribute, node: ast.Call, advice: dict) -> tuple[str, str]:
    """The refusal of `xs.insert(0, v)`, `d.update(other)`, `xs.pop()`, `d.pop('k', v)`... (`func`: the method read,
    `node`: its call, `advice`: LIST_METHODS, effects.py), saying what to write instead."""
    key = getattr((node.args or [None])[0], "value", None) if func.attr == "pop" else None  # (pop(0), pop('k'))
    what = {"update": "dict", "fill": "array"}.get(func.attr, "dict" if isinstance(key, str) else "list (or array)")
    name = ast.unparse(func.value)
    return (f"the method .{func.attr}(), which changes its {what} in place",
            popped(name, node) if key == 0 and key is not False or isinstance(key, str) else
            advice[func.attr].format(name=name, given=ast.unparse((node.args or [func])[0])))
