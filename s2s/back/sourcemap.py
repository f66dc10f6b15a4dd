"""Source maps: runtime errors inside generated code point at the user's own line.

Each compiled module registers a map `generated line -> (user file, user line)`
(read off the `# line N: ...` comments, see `codegen.line_map`). When an
exception leaves a transformed function, `attach_user_frames` inserts, after
every traceback entry in generated code, a frame at the user's file and line
(the technique Jinja2 uses for templates: a tiny code object compiled under the
user's filename at that line raises a marker, whose traceback entry is spliced
in). The generated lines stay in the traceback too, and in `linecache`, so
`pdb` can step through them.
"""
from __future__ import annotations

import threading

_maps: dict[str, tuple[dict, str]] = {}  # pseudo-filename -> (line map, user function name)
_lock = threading.Lock()


class _Marker(Exception):
    pass


def register(filename: str, lines: dict, function: str) -> None:
    with _lock:
        _maps[filename] = (lines, function)


def _frame_at(filename: str, lineno: int, name: str):
    code = compile("\n" * (lineno - 1) + "raise __s2s_marker__", filename, "exec")
    try:
        code = code.replace(co_name=name)
    except (AttributeError, TypeError, ValueError):
        pass
    try:
        exec(code, {"__s2s_marker__": _Marker()})
    except _Marker as marker:
        return marker.__traceback__.tb_next
    return None


def attach_user_frames(exc: BaseException) -> None:
    """Splice a user-line frame after each generated-code frame of `exc`'s traceback (once)."""
    if getattr(exc, "__s2s_mapped__", False):
        return
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        found = _maps.get(filename)
        if found is not None:
            where = found[0].get(tb.tb_lineno)
            if where is not None:
                fake = _frame_at(where[0], where[1], found[1])
                if fake is not None:
                    fake.tb_next = tb.tb_next
                    tb.tb_next = fake
                    tb = fake
        tb = tb.tb_next
    try:
        exc.__s2s_mapped__ = True
    except AttributeError:
        pass
