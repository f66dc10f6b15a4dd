"""The statement of a source line that a message is about, where the line holds more (`lr = 0.1; p[k] -= lr * g[k]`,
`s = 1.0; hist.append(v)`, `if c: xs[t] = v`): advice quotes and rewrites that one, not the line's first.

A location (ir.Loc) knows its line's text, not the statement's column: the statement is chosen by what the message
says of it (it writes an element of `name`, binds `name`, reads `name`), where exactly one statement of the line
does; the line's one statement where it holds one.
"""
from __future__ import annotations

import ast

_BODIES = ("body", "orelse", "finalbody")


def statements(text: str) -> list:
    """The simple statements of the line `text`, those of a one-line if, for, while or with body too, in order;
    [] where the line does not parse alone (a loop's header, a line continued on the next)."""
    try:
        tree = ast.parse(text.strip())
    except SyntaxError:
        return []
    out: list = []

    def visit(body):
        for s in body:
            blocks = [getattr(s, b) for b in _BODIES if isinstance(getattr(s, b, None), list)]
            if blocks and not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                for block in blocks:
                    visit(block)
            else:
                out.append(s)
    visit(tree.body)
    return out


def statement(text: str, wanted=None):
    """The statement of the line `text` a message is about: the line's one statement (a one-line if with its body,
    where `wanted` accepts it or is not given); else the one statement of the line `wanted(stmt)` accepts, or None
    where none or several do (or the line does not parse)."""
    try:
        tree = ast.parse(text.strip())
    except SyntaxError:
        return None
    if len(tree.body) == 1 and (wanted is None or wanted(tree.body[0]) or not any(
            isinstance(getattr(tree.body[0], b, None), list) for b in _BODIES)):
        return tree.body[0]
    if wanted is None:
        return None
    chosen = [s for s in statements(text) if wanted(s)]
    return chosen[0] if len(chosen) == 1 else None


def spelled(text: str, wanted=None) -> str:
    """The statement of the line `text` that `wanted` accepts, as Python spells it (without its comment); the line
    itself where no one statement is chosen."""
    stmt = statement(text, wanted)
    return ast.unparse(stmt) if stmt is not None else text.strip()


def root(target) -> str | None:
    """The name whose item (at any depth) or attribute or whole value `target` is (`q` of `q['w'][0]`)."""
    while isinstance(target, (ast.Subscript, ast.Attribute)):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


def _targets(s) -> list:
    if isinstance(s, ast.Assign):
        return list(s.targets)
    return [s.target] if isinstance(s, (ast.AugAssign, ast.AnnAssign)) else []


def writes_item(name: str | None = None):
    """Accepts a statement writing an element of `name` (`name[i] = v`, `name[1:] += v`; any name's, for None)."""
    return lambda s: any(isinstance(t, ast.Subscript) and (name is None or root(t) == name) for t in _targets(s))


def binds(name: str):
    """Accepts a statement binding `name` itself (`name = v`, `name += v`)."""
    return lambda s: any(isinstance(t, ast.Name) and t.id == name for t in _targets(s))


def reads(*names: str):
    """Accepts a statement that reads one of `names`."""
    wanted = set(names)
    return lambda s: any(isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.id in wanted
                         for n in ast.walk(s))
