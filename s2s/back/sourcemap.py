"""Source maps: runtime errors inside generated code point at the user's own line.

Each compiled module registers a map `generated line -> (user file, user line)`
(read off the `# line N: ...` comments, see `linemap.line_map`; kept in s2s/linemaps.py,
whose `user_line` follows it, also for a refusal met in generated code). When an
exception leaves a transformed function, `attach_user_frames` inserts, after
every traceback entry in generated code, a frame at the user's file and line
(the technique Jinja2 uses for templates: a tiny code object compiled under the
user's filename at that line raises a marker, whose traceback entry is spliced
in). The generated lines stay in the traceback too, and in `linecache`, so
`pdb` can step through them.
"""
from __future__ import annotations

import linecache
import os

import numpy as np

from s2s.errors import S2SError
from s2s.linemaps import user_line

_RUNTIME = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "runtime", "")
_INTERNAL = (os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep,
             os.path.dirname(os.path.abspath(np.__file__)) + os.sep)


class _Marker(Exception):
    pass


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


def _internal(filename: str) -> bool:
    """A file of s2s itself (the runtime helpers) or of NumPy, which the user's code did not name."""
    return filename.startswith(_INTERNAL)


def attach_user_frames(exc: BaseException) -> None:
    """Splice a user-line frame after each generated-code frame of `exc`'s traceback (once).

    When nothing but s2s's runtime helpers (and NumPy beneath them) ran after the last user line, their
    frames are dropped: the traceback ends at the user's line, as it would for the original function.
    A message of s2s's own runtime checks (`rt.require_scalar`, ...) also gets that file and line."""
    if getattr(exc, "__s2s_mapped__", False):
        return
    tb = exc.__traceback__
    last = None  # the last user frame spliced in, and where it points
    while tb is not None:
        where = user_line(tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        if where is not None:
            fake = _frame_at(*where)
            if fake is not None:
                fake.tb_next = tb.tb_next
                tb.tb_next = fake
                tb = fake
                last = (fake, where)
        tb = tb.tb_next
    if last is not None:
        fake, where = last
        rest, innermost = [], fake.tb_next
        while innermost is not None:
            rest.append(innermost.tb_frame.f_code.co_filename)
            innermost = innermost.tb_next
        if rest and all(_internal(name) for name in rest):
            ours = rest[-1].startswith(_RUNTIME)  # raised by s2s's own check, not by NumPy
            fake.tb_next = None
            if ours and isinstance(exc, (S2SError, ValueError, TypeError)) and len(exc.args) == 1 \
                    and isinstance(exc.args[0], str) and f"line {where[1]}:" not in exc.args[0]:
                text = linecache.getline(where[0], where[1]).strip()
                exc.args = (f"{exc.args[0]}\n  {where[0]}:{where[1]}\n    {text}",)
    try:
        exc.__s2s_mapped__ = True
    except AttributeError:
        pass
