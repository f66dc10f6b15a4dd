"""The adjoint of a list a loop grows and reads (`ys.append(step(ys[-1]))`), cut back in place by the reversed loop.

Reversed, each iteration takes the last part off the list's adjoint (the appended item's) and adds the adjoint of
its read of the list (`ys[-1]`, `ys[i]`, `ys[-2]`) into a part of the rest. `rt.appended_adjoint` and
`rt.getitem_adjoint` do that as new lists, a copy of all the parts per iteration (O(n^2) over n appends); where the
reversed loop owns the list's adjoint (ad/grown_lists.py), it does it in place:

    bys = rt.owned_adjoint(bys)               # before the reversed loop: a list adjoint of its own
    for ...:
        bt6 = rt.appended_item_adjoint(bys)   # the appended item's adjoint, bys[-1]
        ...
        bys_2 = rt.popped_adjoint(bys)        # bys without its last part, in place
        bys = rt.added_at_part(bys_2, bt2, -1)  # the read ys[-1]'s adjoint added into bys[-1], in place

Reversed again, the adjoint of such a list adjoint grows back in place: `rt.pushed_part` (ad/shrunk_lists.py).

A list adjoint is a list of parts (Parts) or an array whose rows are the parts (back/growing.py); each stays what
it is. A bare number, the same for every part, is made a list of parts by `owned_adjoint(g, ys)`.
"""
from __future__ import annotations

import numpy as np

from s2s.errors import S2SError
from s2s.runtime.core import Parts, zeros_like
from s2s.runtime.indexing import getitem_adjoint

__all__ = ["owned_adjoint", "owned_adjoint_transpose", "popped_adjoint", "popped_transpose", "pushed_part",
           "added_at_part", "added_at_part_tangent", "part_of", "part_of_transpose", "appended_tangent_new"]


def owned_adjoint(g, xs=None):
    """The adjoint `g` of the list `xs` as a new list adjoint that a reversed loop changes in place: its parts in a
    new list, an array of rows copied, a bare number (the same for every part) as that number for each of the
    parts of xs (given where g may be one)."""
    if type(g) is np.ndarray and g.ndim:
        return g.copy()
    if isinstance(g, (list, tuple)):
        return Parts(g)
    if xs is None:
        raise S2SError("s2s met a list's adjoint given as one number where it did not expect one, and cannot tell "
                       "the list's length: differentiate this in forward mode, s2s.jvp(f) or "
                       "s2s.jacobian(f, mode=\"forward\")")
    return Parts([g] * len(xs))


def owned_adjoint_transpose(G, g):
    """The transpose of `owned_adjoint(., xs)` at `g`: G itself; for a bare number `g`, which stood for every part,
    the sum of all of G."""
    if isinstance(g, (list, tuple)) or np.ndim(g) > 0:
        return G
    if isinstance(G, (list, tuple)):
        return sum(owned_adjoint_transpose(p, 0.0) for p in G)
    return np.sum(G)


def popped_adjoint(g):
    """`rt.appended_adjoint(g)` in place: the list adjoint `g` (one the reversed loop owns: `owned_adjoint`)
    without its last part, the appended item's (an array of rows: a view of all rows but the last; a number: as
    it is, the same for every part)."""
    if type(g) is np.ndarray:  # (an array of rows, once per append reversed: the common case first)
        return g[:-1] if g.ndim else g
    if type(g) is Parts:
        g.pop()
        return g
    if isinstance(g, (list, tuple)):
        return Parts(g[:-1])
    return g[:-1] if np.ndim(g) > 0 else g


def popped_transpose(G):
    """The transpose of `popped_adjoint`: G with a zero part after its parts (a zero row after an array's rows)."""
    if isinstance(G, (list, tuple)):
        return Parts(list(G) + [0.0])
    if np.ndim(G) > 0:
        return np.concatenate([G, np.zeros((1,) + np.shape(G)[1:], np.result_type(G, float))])
    if G == 0:
        return G
    raise S2SError("s2s does not follow the transpose of a list adjoint cut back in place given as one number: "
                   "differentiate this gradient in forward mode, s2s.hessian(f) or s2s.jacobian(.., mode=\"forward\")")


def pushed_part(G):
    """`rt.popped_transpose(G)` in place: the list adjoint `G` (one the reversed loop owns: `owned_adjoint`) with a
    zero part after its parts, where a gradient's reversed loop cut its list adjoint back in place and is reversed
    again (ad/shrunk_lists.py); an array of rows: a new one with a zero row after them."""
    if type(G) is Parts:
        G.append(0.0)
        return G
    return popped_transpose(G)


def added_at_part(g, h, i):
    """The list adjoint `g` (one the reversed loop owns: `owned_adjoint`) with `h`, the adjoint of a read of part
    `i` of the list (`ys[-1]`), added into its part `i`, in place: `rt.getitem_adjoint(h, ys, i)` added to g, with
    no list of zeros."""
    if type(g) is Parts:
        g[i] = g[i] + h
        return g
    if type(g) is np.ndarray and g.ndim and g.flags.writeable and np.result_type(g, h) == g.dtype and \
            np.broadcast_shapes(np.shape(h), g.shape[1:]) == g.shape[1:]:
        g[i] += h
        return g
    if isinstance(g, (list, tuple)) or np.ndim(g) > 0:
        return added_at_part(Parts(list(g)), h, i)
    raise S2SError("s2s does not add into a part of a list adjoint given as one number (it cannot tell the list's "
                   "length): differentiate this in forward mode, s2s.jvp(f) or s2s.jacobian(f, mode=\"forward\")")


def added_at_part_tangent(dg, dh, i, ans):
    """Tangent of `added_at_part(g, h, i)` (linear in g and h together) from their tangents (None: zero); `ans`, the
    list adjoint it gave, gives the structure where dg is a number (the same for every part)."""
    if dg is None or not (isinstance(dg, (list, tuple)) or np.ndim(dg) > 0):
        dg = zeros_like(ans) if dg is None or dg == 0 else Parts([dg] * len(ans))
    return dg if dh is None else added_at_part(dg, dh, i)


def part_of(G, i):
    """Part `i` of the list adjoint `G` (a row of an array of rows; a bare number: the same for every part): the
    adjoint of `h` in `added_at_part(g, h, i)`."""
    return G[i] if isinstance(G, (list, tuple)) or np.ndim(G) > 0 else G


def part_of_transpose(g, G, i):
    """The transpose of `part_of(., i)` at the list adjoint `G`: `g` as its part `i` of zeros (a bare number `G`,
    which stood for every part: `g` itself)."""
    if isinstance(G, (list, tuple)) or np.ndim(G) > 0:
        return getitem_adjoint(g, G, i)
    return g


def appended_tangent_new(dxs, dv, ys):
    """`rt.appended_tangent(dxs, dv, ys)` as a new list of tangents, `dxs` left as it was (None or a bare 0.0: zeros
    of that part's structure): jvp code differentiated again reads its appends so (rules/runtime_helpers.py), where
    the reverse sweep may keep `dxs` of each iteration, which growing it in place would change."""
    old = zeros_like(ys[:-1]) if dxs is None or isinstance(dxs, (int, float)) and dxs == 0 else dxs
    return Parts(list(old) + [zeros_like(ys[-1]) if dv is None else dv])
