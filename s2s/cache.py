"""The in-memory cache of transformed functions, safe to use from several threads.

Keys hold the function's code object (a redefined function has a new one), the
values its closure cells held (factories making closures share code), and the
transformation options. Nothing is written to disk.
"""
from __future__ import annotations

import threading

_lock = threading.RLock()
_building: dict = {}
_entries: dict = {}


def closure_key(fn) -> tuple:
    cells = getattr(fn, "__closure__", None) or ()
    out = []
    for cell in cells:
        try:
            v = cell.cell_contents
        except ValueError:
            out.append(("empty",))
            continue
        try:
            hash(v)
            out.append((type(v).__name__, v) if isinstance(v, (int, float, str, bool, tuple, type(None))) else ("id", id(v)))
        except TypeError:
            out.append(("id", id(v)))
    return tuple(out)


def get_or_build(key, build):
    """The cached value for `key`, building it once (other threads asking meanwhile wait for it)."""
    found = _entries.get(key)
    if found is not None:
        return found
    with _lock:
        event = _building.get(key)
        if event is None:
            found = _entries.get(key)
            if found is not None:
                return found
            event = threading.Event()
            _building[key] = event
            owner = True
        else:
            owner = False
    if not owner:
        event.wait()
        found = _entries.get(key)
        if found is not None:
            return found
        return get_or_build(key, build)
    try:
        value = build()
        with _lock:
            _entries[key] = value
        return value
    finally:
        with _lock:
            _building.pop(key, None)
        event.set()


def clear() -> None:
    with _lock:
        _entries.clear()


def size() -> int:
    return len(_entries)
