"""Where generated code came from: the registry of line maps that tracebacks and refusals follow.

Each compiled module registers a map `generated line -> (user file, user line)` (back/linemap.py reads it off the
`# line N: ...` comments, back/compile.py registers it): tracebacks through generated code (back/sourcemap.py) and
a refusal met in it (errors.missing_rule) point at the user's line. The lowest layer beside prims.py: it imports
nothing of s2s.
"""
from __future__ import annotations

import threading

_maps: dict[str, tuple[dict, str]] = {}  # pseudo-filename -> (line map, user function name)
_lock = threading.Lock()


def register(filename: str, lines: dict, function: str) -> None:
    with _lock:
        _maps[filename] = (lines, function)


def user_line(filename: str, lineno: int):
    """(user file, user line, function name) that generated line `lineno` of `filename` came from, or None.

    Code generated from generated code (`grad(grad(f))`, `hessian`) maps to the generated text it came
    from, which maps in turn to the user's line: the chain is followed to its end."""
    found = derived_from(filename, lineno)
    return found[:3] if found is not None else None


def derived_from(filename: str, lineno: int):
    """As `user_line`, with a fourth entry: how many derivatives were taken on the way from the user's line to
    this generated line (1 for code s2s generated from the user's, 2 for code generated from that, ...)."""
    found, where, seen = None, None, set()
    while filename in _maps and filename not in seen:
        seen.add(filename)
        lines, name = _maps[filename]
        step = lines.get(lineno)
        if step is None:
            break
        found, where = name, step
        filename, lineno = step
    return (where[0], where[1], found, len(seen)) if where is not None else None
