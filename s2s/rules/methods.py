"""ndarray methods and attributes that generated code spells as the user wrote them (prims.SPELLED_AS_METHOD):
`x.astype(dtype)`, `x.item()`, `x.tolist()`, `x.dtype`; and the runtime helpers of their derivatives.

A cast to a float type is the identity for derivatives (the adjoint is cast back to the argument's type);
a cast to an integer or bool type carries no derivative. When the type is known only at run time
(`x.astype(y.dtype)`), the `_any` key decides then. `.item()` is linear (the adjoint is an array of the
argument's shape), `.tolist()` too (the adjoint of the nested lists is gathered back into an array).
Reading a field of a dataclass or namedtuple (`params.W`) is linear too: its adjoint has the record's
fields, zeros but at the one read.
"""
from __future__ import annotations

import numbers

from s2s.rules.indexing import MAX_ELEMENTS
from s2s.rules.primitive import define, linear, nondiff
from s2s.rules.symbolic import emit, rt

RT = "s2s.runtime."

# ---------------------------------------------------------------- casts: x.astype(dtype)
linear("numpy.ndarray.astype", lambda g, ans, x, *dtype, **kwargs: rt.astype_adjoint(g, x))
define("numpy.ndarray.astype_any", [lambda g, ans, x, *dtype, **kwargs: rt.astype_adjoint(g, x, ans)],
       [lambda d, ans, x, *dtype, **kwargs: rt.astype_tangent(d, ans)])
nondiff("numpy.ndarray.astype_integer", "numpy.ndarray.dtype")
# np.float32(x), np.half(x): casts to a float type (np.float64(x): elementwise.py), the derivative in that type
for _key in ("numpy.float32", "numpy.float16"):
    define(_key, [lambda g, ans, x: rt.astype_adjoint(g, x)], [lambda d, ans, x: rt.astype_tangent(d, ans)],
           batched=[lambda d, ans, x: rt.batch_astype_tangent(d, ans)])

# ---------------------------------------------------------------- conversions to Python numbers and lists
linear("numpy.ndarray.item", lambda g, ans, x, *index: rt.item_adjoint(g, x, *index),
       batched=[lambda d, ans, x, *index: rt.batch_item(d, *index)])
linear("numpy.ndarray.tolist", lambda g, ans, x: rt.tolist_adjoint(g, x))

# ---------------------------------------------------------------- attributes of records: params.W (a dataclass, a namedtuple)
linear("getattr", lambda g, ans, obj, name: rt.getattr_adjoint(g, obj, name), None)

# ---------------------------------------------------------------- records built: P(a=x, b=y), rt.record_new(P, names, x, y)
# (linear in the values: a value's adjoint is the record adjoint's field, the record's tangent the record of tangents,
# read by its fields only: rt.record_tangent, whose ds.EPS of a class constant is zero, not the constant)
def _record_tangent(tangents, ans, cls, names, *vals):
    given = list(tangents[2:]) + [None] * len(vals)  # (a value without a tangent: zeros of its structure)
    return emit(RT + "record_tangent", cls, names, *(t if t is not None else 0.0 if isinstance(v, numbers.Number)
                                                      else rt.zeros_like(v) for t, v in zip(given, vals)))


for _key in ("record_new", "record_tangent"):
    define(RT + _key, [None, None] + [lambda g, ans, cls, names, *vals, i=i: rt.getattr_adjoint_transpose(
        g, ans, names[i]) for i in range(MAX_ELEMENTS)], tangent_fn=_record_tangent)

# ---------------------------------------------------------------- their helpers (higher order): linear in g
linear(RT + "astype_adjoint", lambda h, ans, g, x, *known: rt.astype_adjoint(h, g, *known), None, None)
linear(RT + "astype_tangent", lambda h, ans, d, known: rt.astype_adjoint(h, d, known), None)
linear(RT + "batch_astype_tangent", lambda h, ans, d, known: rt.astype_adjoint(h, d, known), None)
# (h has x's shape; where x is a NumPy scalar or a 0-d array it may be a number: the seed 1.0, a cotangent)
linear(RT + "item_adjoint", lambda h, ans, g, x, *index: h if isinstance(h, numbers.Number) else
       rt.item_adjoint_transpose(h, *index), *(None,) * 4)
linear(RT + "item_adjoint_transpose", lambda H, ans, h, *index: rt.item_adjoint(H, h, *index), *(None,) * 3,
       batched=[lambda d, ans, h, *index: rt.batch_item(d, *index)])
linear(RT + "tolist_adjoint", lambda h, ans, g, x: rt.as_parts(h), None)
linear(RT + "as_parts", lambda h, ans, g: rt.tolist_adjoint(h, g))
linear(RT + "getattr_adjoint", lambda h, ans, g, obj, name: rt.getattr_adjoint_transpose(h, obj, name), None, None)
linear(RT + "getattr_adjoint_transpose", lambda H, ans, h, obj, name: rt.getattr_adjoint(H, obj, name), None, None)
# (a gradient with respect to a record given back as one, and its transpose: the same values, another container)
linear(RT + "record_like", None, lambda h, ans, x, g: rt.record_fields(h, x))
linear(RT + "record_fields", lambda H, ans, h, x: rt.record_like(x, H), None)
