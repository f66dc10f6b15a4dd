"""The in-memory cache of transformed functions, safe to use from several threads.

A bucket is found by (transformation, the function's code object, wrt,
options); within it, an entry is reused only if the facts recorded when it was
transformed still hold (see `facts.py`): the function's module and defaults,
the closure values and module constants it read, the helpers it inlined and
their constants, the class and module attributes it reached, and, for a
transformation of a transformation, the inner one's current code. Equal code
objects in different modules, a function redefined with other defaults, or a
module constant edited after the first call therefore never share an entry.

The facts are checked again on every call of a transformed function by one
compiled identity test (`Entry.check`); when a fact changed, the function is
transformed again (or an entry made earlier for those values is reused).
Registering a custom rule (`clear`) retires every entry. With `S2S_CACHE_DIR`
set, entries are also looked up on and written to disk (`persistent.py`).
"""
from __future__ import annotations

import threading
import weakref

from s2s.api import facts as facts_mod
from s2s.api import persistent
from s2s.front.source import record_reads

BUCKET = 8  # entries kept per (transformation, code, options): other modules, other constant values

_lock = threading.RLock()
_building: dict = {}  # key -> (threading.Event set when the build is done, the building thread's id)
_entries: dict = {}  # key -> [Entry], most recently made first
_made: weakref.WeakSet = weakref.WeakSet()  # every entry alive, in a bucket or held by a function


class Entry:
    """One transformation: generated text and function, and the facts it depended on."""

    __slots__ = ("text", "fn", "facts", "check", "live", "__weakref__")

    def __init__(self, text: str, fn, facts: list):
        self.text, self.fn, self.facts, self.live = text, fn, facts, True
        self.check = facts_mod.checker(facts, self)
        with _lock:
            _made.add(self)


def get_or_build(key, f, build) -> Entry:
    """An entry of `key` whose facts hold for `f`, building one if there is none (other threads
    asking for the same key meanwhile wait for it, then look again)."""
    me = threading.get_ident()
    while True:
        found = _find(key, f)
        if found is not None:
            return found
        with _lock:
            claim = _building.get(key)
            # a claim of this thread is stale: its build was interrupted (Ctrl-C) before it could let go
            owner = claim is None or claim[1] == me
            if owner:
                event = threading.Event()
                _building[key] = (event, me)
        if owner:
            break
        claim[0].wait()
    try:
        found = _find(key, f)  # finished by another thread between the look and taking ownership
        if found is None:
            found = build()
            _add(key, found)
        return found
    finally:
        with _lock:
            if _building.get(key, (None,))[0] is event:
                del _building[key]
        event.set()


def _find(key, f) -> Entry | None:
    bucket = tuple(_entries.get(key, ()))
    for entry in bucket:
        if entry.check(f):
            return entry
    for entry in bucket:  # equal constants that are other objects: the same code, new identities
        if entry.live:
            now = facts_mod.still_hold(entry.facts, f)
            if now is not None:
                fresh = Entry(entry.text, entry.fn, now)
                _add(key, fresh)
                return fresh
    return None


def _add(key, entry: Entry) -> None:
    with _lock:
        bucket = _entries.setdefault(key, [])
        bucket.insert(0, entry)
        del bucket[BUCKET:]


def build_entry(f, kind: str, wrt, options: dict, transform) -> Entry:
    """Transform `f` (or compile the text stored on disk for it), recording what it read."""
    inner = f._current() if getattr(f, "__s2s_generated__", None) is not None else None
    key = persistent.key_for(f, kind, wrt, options)
    if key is not None:
        found = persistent.load(key, f)
        if found is not None:
            text, fn, rows = found
            return Entry(text, fn, facts_mod.function_facts(f, inner) + rows)
    log: list = []
    with record_reads(log):
        text, fn = transform(f, wrt, **options)
    facts = facts_mod.collect(f, log, inner)
    if key is not None:
        persistent.store(key, text, fn, facts, f)
    return Entry(text, fn, facts)


def clear() -> None:
    """Forget every entry; functions already made transform again on their next call."""
    with _lock:
        for entry in list(_made):
            entry.live = False
        _entries.clear()


def size() -> int:
    return sum(len(bucket) for bucket in _entries.values())
