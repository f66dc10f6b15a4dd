"""Whether a value a loop carries holds an array: the run-time half of the back-edge check (front/alias_iterations.py).

`x += k` after `x = x * 2.0; traj.append(x)` changes, from the second iteration on, the array traj holds; in the
first iteration (nothing stored yet), after a 0-d state became a NumPy scalar (`x * 2.0` of a 0-d array), or where
the append runs in the last iteration only, it changes an array nothing else holds, which s2s's new value is.
"""
from __future__ import annotations

import numpy as np


def holds(holder, value: np.ndarray, depth: int = 0) -> bool:
    """Does `holder` (a loop's name: an array, or a list, tuple or dict of them at any depth) hold an array that
    shares memory with `value`? True also for anything else it may hold (an object of another kind: s2s does not
    look into it), so that only what is surely apart is let through."""
    if isinstance(holder, np.ndarray) and holder.dtype.kind != "O":
        return np.may_share_memory(holder, value)
    if isinstance(holder, (float, int, complex, bool, str, np.generic)) or holder is None:
        return False
    if depth > 32:
        return True
    if isinstance(holder, np.ndarray):
        items = holder.flat
    elif isinstance(holder, dict):
        items = holder.values()
    elif isinstance(holder, (list, tuple)):
        items = reversed(holder)  # (the item an iteration stored last: found first)
    else:
        return True
    return any(holds(item, value, depth + 1) for item in items)
