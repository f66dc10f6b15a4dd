"""Rules for writing array elements: `y[index] = v` is `y_1 = setitem(y, *index, v)`."""
from __future__ import annotations

from s2s.rules.registry import defjvp, defvjp
from s2s.rules.symbolic import rt


def _index(rest):
    return rest[:-1]


# the base loses the overwritten elements' adjoint; the written value receives it (summed back to
# its shape by the transformer where it was broadcast into a larger slice)
defvjp("setitem", lambda g, ans, y, *rest: rt.setitem_adjoint(g, *_index(rest)),
       *[lambda g, ans, y, *rest: g[_index(rest)]] * 32, broadcast=True)
defjvp("setitem", lambda d, ans, y, *rest: rt.setitem_adjoint(d, *_index(rest)),
       *[lambda d, ans, y, *rest: rt.setitem_tangent(d, ans, *_index(rest))] * 32)
