"""Iterators a loop reads only in part: `zip(xs, itertools.repeat(2.0))`, `zip(itertools.count(1), xs)`."""
from __future__ import annotations

import itertools

from s2s.errors import S2SError

__all__ = ["taken", "zip_lengths"]


def taken(it, n):
    """The list of the first `n` items of the iterator `it`, one that never ends (itertools.count, cycle, repeat)
    which zip pairs with sequences of `n` items at the shortest: what Python's zip reads of it. Its items carry no
    derivative."""
    out = list(itertools.islice(it, n))
    if len(out) < n:  # (itertools.cycle of an empty sequence: zip gives nothing)
        raise S2SError(f"zip() of an iterator that gave {len(out)} items where s2s expected one that never ends "
                       f"(itertools.cycle of an empty sequence?): zip it with a sequence of its own length")
    return out


def zip_lengths(*lengths, broke=False):
    """The ValueError `zip(..., strict=True)` raises where its sequences, of these lengths, differ in length (in
    Python's words: the first argument that ends before the first one, or else the first that goes on after it), as
    the loop over it ends; none where a break left the loop (`broke`): Python's zip was not read to its end."""
    if broke:
        return
    shortest = min(lengths)
    for i, n in enumerate(lengths[1:], 1) if lengths[0] > shortest else ():
        if n == shortest:
            raise ValueError(f"zip() argument {i + 1} is shorter than argument{'s 1-%d' % i if i > 1 else ' 1'}")
    for i, n in enumerate(lengths[1:], 1):
        if n > shortest:
            raise ValueError(f"zip() argument {i + 1} is longer than argument{'s 1-%d' % i if i > 1 else ' 1'}")
