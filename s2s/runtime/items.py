"""The check of an in-place operator on a container's item (`q['w'] -= v`, front/item_operators.py): nothing else
holds the item's array when it runs, so that the new value s2s stores is NumPy's."""
from __future__ import annotations

import dataclasses
import sys
import threading

import numpy as np

from s2s.errors import S2SError
from s2s.runtime.checks import _rebound, _require_rebound, require_immutable

__all__ = ["require_unshared", "changed_item", "item_part"]


def require_unshared(value, statement, container, *holders, held_by="", names=(), copies=(), settled=False):
    """`statement` (`q['w'] -= v`) changes the item `value` of `container` in place where it is an ndarray, which
    s2s makes a new value and stores back: the same where nothing else holds the array. Refused where another item
    of `container` is that array or shares memory with it (a deep copy keeps the sharing among the items it
    copies: `copy.deepcopy({'a': w, 'b': w})`), or where an array that `holders` hold does: the caller's arguments
    `names` (a shallow copy, `copy.copy(p)`, holds p's arrays themselves), then the function's copies `copies`.
    `settled`: `container` is not changed while the loop checking its items runs (item_loops.py makes it anew):
    what it holds is looked up once (`_sharing`); the caller's arguments are looked up again on each call (the
    caller may have changed them since the last). A list, a dict, a set or a bytearray the operator changes in place
    (`d['a'] += [v]`, `rows[0] *= 2`), which another name may hold, is refused (`_require_rebound`; in a loop
    item_loops.py makes anew, by `changed_item`)."""
    if isinstance(value, (list, dict, set, bytearray)) and not settled:  # (settled: `changed_item` refuses it)
        _require_rebound(value, statement, "")  # (`d['a'] += [v]` extends that one list, which `e = d['a']` holds)
    if not isinstance(value, np.ndarray):
        return
    for name, holder in zip(names + copies, holders):
        if _sharing(value, holder):
            if name in names:
                require_immutable(value, statement, caller=name)
            raise S2SError(f"'{statement}' would change an array in place that '{name}' holds too, and s2s follows "
                           f"values, not shared arrays: if '{name}' is meant to keep its value, write it as a new "
                           f"value ('{_rebound(statement)}'); to change both as NumPy does, write the new value into "
                           f"each")
    if not isinstance(container, np.ndarray) and _sharing(value, container, settled) > 1:
        rebound = _rebound(statement)
        raise S2SError(f"'{statement}' would change an array in place that another item of a "
                       f"{type(container).__name__} holding it ('{held_by}') is too, or shares memory with (one array "
                       f"stored twice, or a deep copy of a container that held it twice: copy.deepcopy keeps that "
                       f"sharing), and s2s follows values, not shared arrays: if the other item is meant to keep its "
                       f"value, write it as a new value ('{rebound}'); to change both as NumPy does, write the new "
                       f"value into each")


def changed_item(item, value):
    """What a container holds after `p op= v` changed its item `item` by a loop's name for it (`for p in params: p -=
    lr * g`, front/item_loops.py): `value`, the new value, where the item is an ndarray, which NumPy's operator
    changes in place (an ndarray still where the item is a 0-d array, whose arithmetic gives a NumPy scalar); else `item` itself, a number the operator left as it was (Python rebinds `p`). A list, a
    dict or a set, which Python's operator changes in place too (`r *= 2`, `r |= d`), is refused. The derivative
    is `value`'s or `item`'s, as that choice is (`item_part`)."""
    if isinstance(item, (list, dict, set, bytearray)):
        kind = type(item).__name__
        raise S2SError(f"an augmented operator on a {kind} that a list or a dict holds, through the loop's name for "
                       f"it (for r in rows: r *= 2), changes that {kind} in place, which s2s does not follow: make "
                       f"the container anew with new {kind}s (rows = [r * 2 for r in rows])")
    if not isinstance(item, np.ndarray):
        return item
    return value if isinstance(value, np.ndarray) else np.asarray(value)  # (a 0-d array stays one: NumPy's scalar
    # `p - v` of it is changed in place into it, and the next step's operator changes that array again)


def item_part(g, item, changed):
    """The part of `g`, the adjoint (or tangent) of `changed_item(item, value)`, that is `value`'s (`changed`) or
    `item`'s: all of it where that one is the container's new item, else none (0.0)."""
    return g if isinstance(item, np.ndarray) == changed else 0.0


def _sharing(value, obj, settled: bool = False) -> int:
    """How many arrays that `obj` holds (`_arrays_in`) share memory with the array `value` (np.may_share_memory).
    A flat list, tuple or dict of arrays and numbers is indexed once by the array each item is a view of (`_owner`:
    arrays of different owners share no memory), and the index kept while its items stay those objects (`settled`:
    while it is that object): a loop's check of each item (item_loops.py) costs the item's own comparisons, not
    the container's length. The check of its last item ends the loop: its index goes, with those of the caller's
    arguments and other containers not settled (`_Indexes`)."""
    owners = _owners(obj, settled)
    if owners is None or _owner(value) is None:
        return sum(np.may_share_memory(value, a) for a in _arrays_in(obj))
    count = sum(np.may_share_memory(value, a) for a in owners.get(_owner(value), []) + owners.get(None, []))
    if value is _last(obj):
        kept = _INDEXES.kept
        for key in [key for key, entry in kept.items() if key == id(obj) or not entry[3]]:
            del kept[key]
    return count


class _Indexes(threading.local):
    """The indexes of the containers the checks of this thread's running loops read: {id(container): (container,
    the ids of its items, {owner: [arrays]}, settled)}, a few. Each thread has its own (two threads may run one
    gradient), and they go when the loop checks its container's last item (a loop around it keeps its own), or,
    where a loop ended otherwise (an error), as the next index is made, those no one else holds."""

    def __init__(self):
        self.kept: dict = {}


_INDEXES = _Indexes()


def _owners(obj, settled: bool) -> dict | None:
    items = obj.values() if type(obj) is dict else obj if type(obj) in (list, tuple) else None
    if items is None or len(items) < 16:
        return None
    indexes = _INDEXES.kept
    kept = indexes.get(id(obj))
    if settled and kept is not None and kept[0] is obj and len(kept[1]) == len(items):
        return kept[2]
    ids = tuple(map(id, items))
    if kept is not None and kept[0] is obj and kept[1] == ids:
        return kept[2]
    if not all(type(a) is np.ndarray and a.dtype.kind != "O" or isinstance(a, (int, float, complex, np.generic))
               for a in items):
        return None
    owners: dict = {}
    for a in items:
        if isinstance(a, np.ndarray):
            owners.setdefault(_owner(a), []).append(a)
    for key, entry in list(indexes.items()):
        if sys.getrefcount(entry[0]) <= 2:  # (no one else holds it: the entry's reference, and the call's)
            del indexes[key]
    if len(indexes) >= 4:
        indexes.clear()
    indexes[id(obj)] = (obj, ids, owners, settled)
    return owners


def _last(obj):
    """The last item of the list, tuple or dict `obj` (None for an empty one)."""
    if type(obj) is dict:
        return next(reversed(obj.values()), None)
    return obj[-1] if obj else None


def _owner(a):
    """The id of the array whose memory `a` is (itself, or the array its chain of views starts from), or None for
    memory another object gave (np.frombuffer: what else holds that memory is not followed here)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return id(a) if a.base is None else None


def _arrays_in(obj, depth=0, path=None):
    """The arrays `obj` holds: itself, or the items of its dicts, lists and tuples and the fields of its records, at
    any depth (an array as often as it is held; `path`, the containers around `obj`, keeps a cycle from looping)."""
    if isinstance(obj, np.ndarray) and obj.dtype.kind != "O":
        yield obj
        return
    path = set() if path is None else path
    if id(obj) in path or depth > 32:
        return
    if isinstance(obj, np.ndarray):
        yield obj
        items = obj.flat
    elif isinstance(obj, dict):
        items = obj.values()
    elif isinstance(obj, (list, tuple)):
        items = obj
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type) or type(obj).__module__ not in (
            "builtins", "numpy") and isinstance(getattr(obj, "__dict__", None), dict) and not callable(obj):
        items = vars(obj).values()
    else:
        return
    path.add(id(obj))
    for item in items:
        yield from _arrays_in(item, depth + 1, path)
    path.discard(id(obj))
