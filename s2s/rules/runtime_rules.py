"""Rules for the runtime helpers that generated derivative code calls (higher-order derivatives).

`hessian(f)` is the forward-mode Jacobian of the generated `grad(f)`, and
`grad(grad(f))` differentiates generated code again; both meet the helpers of
`s2s.runtime` that gradients call. Each helper here is linear in the adjoint
`g` it is given (its other arguments only give shapes, or enter bilinearly),
so its tangent is the helper applied to the tangent of `g`, and its adjoint is
the transposed linear map: `unbroadcast` <-> `broadcast_to`, `sum_adjoint` <->
`np.sum`, `getitem_adjoint` <-> `getitem`, `matmul_adjoint_a(., a, b)` <-> `. @ b`.
An argument that only gives a shape has no rule (None): no derivative flows
through a shape. `BATCHED` holds the vector-mode forms (a leading batch axis).
"""
from __future__ import annotations

from s2s.rules.registry import defjvp, defnondiff, defvjp
from s2s.rules.symbolic import emit, np, rt
from s2s.rules.tangents import batched

RT = "s2s.runtime."
SHAPES = (None,) * 7  # the other arguments of a helper linear in g: shapes, axes, indices (no derivative)


def _kw(**pairs) -> dict:
    """Keyword arguments that differ from their defaults, given as name=(value, default)."""
    return {k: v for k, (v, d) in pairs.items() if not (type(v) is type(d) and v == d)}


def linear(name: str, transpose, batched_form=None) -> None:
    """`rt.name(g, *rest)` is linear in g: tangent `rt.name(dg, *rest)`, adjoint `transpose(G, g, *rest)`."""
    key = RT + name
    defjvp(key, lambda d, ans, g, *rest, **kwargs: emit(key, d, *rest, **kwargs))
    defvjp(key, lambda G, ans, g, *rest, **kwargs: transpose(G, g, *rest, **kwargs), *SHAPES)
    if batched_form is not None:
        batched(key, batched_form)


# ---------------------------------------------------------------- no derivative
defnondiff(RT + "zeros_like", RT + "sign")

# ---------------------------------------------------------------- broadcasting and reductions
# (both ways: where g was a bare 0.0 standing for a whole array, unbroadcast widened it, and G sums back)
linear("unbroadcast", lambda G, g, x: rt.unbroadcast(G, g),
       lambda d, ans, g, x: rt.batch_unbroadcast(d, x))
linear("sum_adjoint", lambda G, g, x, axis=None, keepdims=False:
       np.sum(G, **_kw(axis=(axis, None), keepdims=(keepdims, False))),
       lambda d, ans, g, x, axis=None, keepdims=False:
       rt.batch_sum_adjoint(d, x, **_kw(axis=(axis, None), keepdims=(keepdims, False))))
linear("mean_adjoint", lambda G, g, x, axis=None, keepdims=False:
       np.mean(G, **_kw(axis=(axis, None), keepdims=(keepdims, False))),
       lambda d, ans, g, x, axis=None, keepdims=False:
       rt.batch_mean_adjoint(d, x, **_kw(axis=(axis, None), keepdims=(keepdims, False))))

# ---------------------------------------------------------------- x ** y with an exponent or base known at run time
# the k-th derivative of x ** y in x; its derivative in x is the next one
defvjp(RT + "power_slope", lambda g, ans, x, y, k=1: g * rt.power_slope(x, y, k + 1),
       lambda g, ans, x, y, k=1: g * rt.power_slope_dy(x, y, k), None, broadcast=True)
defjvp(RT + "power_slope", lambda d, ans, x, y, k=1: rt.power_slope(x, y, k + 1) * d,
       lambda d, ans, x, y, k=1: rt.power_slope_dy(x, y, k) * d, None, broadcast=True)
defvjp(RT + "log_or_zero", lambda g, ans, x: g / x, broadcast=True)
defjvp(RT + "log_or_zero", lambda d, ans, x: d / x, broadcast=True)

# ---------------------------------------------------------------- a gradient as floats: the identity
linear("as_float", lambda G, g: G, lambda d, ans, g: d)

# ---------------------------------------------------------------- structure
linear("getitem_adjoint", lambda G, g, x, *index: emit("getitem", G, *index),
       lambda d, ans, g, x, *index: rt.batch_getitem_adjoint(d, x, *index))
linear("transpose_adjoint", lambda G, g, axes=None: np.transpose(G) if axes is None else np.transpose(G, axes),
       lambda d, ans, g, axes=None: rt.batch_transpose_adjoint(d, axes))
linear("adjoint_part", lambda G, adjoints, i, x: rt.adjoint_part_adjoint(G, adjoints, i))

# acc + getitem_adjoint(g, x, *index), written into acc in place by the primal; the tangent is built out of
# place, so no tangent array is written into
defjvp(RT + "add_at", lambda d, ans, acc, g, x, *index: d,
       lambda d, ans, acc, g, x, *index: rt.getitem_adjoint(d, x, *index))
defvjp(RT + "add_at", lambda G, ans, acc, g, x, *index: rt.unbroadcast(G, acc),
       lambda G, ans, acc, g, x, *index: emit("getitem", G, *index), *SHAPES)
batched(RT + "add_at", lambda d, ans, acc, g, x, *index: rt.batch_align(d, ans),
        lambda d, ans, acc, g, x, *index: rt.batch_getitem_adjoint(d, x, *index))

# the adjoint of an element write zeroes the written entries: a projection, its own transpose; zero_at does it
# in place in the primal, its tangent and adjoint are built out of place
linear("setitem_adjoint", lambda G, g, *index: rt.setitem_adjoint(G, *index),
       lambda d, ans, g, *index: rt.batch_setitem_adjoint(d, *index))
defjvp(RT + "zero_at", lambda d, ans, g, *index: rt.setitem_adjoint(d, *index))
defvjp(RT + "zero_at", lambda G, ans, g, *index: rt.setitem_adjoint(G, *index), *SHAPES)
batched(RT + "zero_at", lambda d, ans, g, *index: rt.batch_setitem_adjoint(d, *index))

# ---------------------------------------------------------------- products: bilinear in (g, the other factor)
# matmul_adjoint_a(g, a, b) is the transpose of the map a -> a @ b applied to g: its adjoint with respect
# to g is G @ b, and with respect to b it is the adjoint of b in `G @ b` paired with g.
defjvp(RT + "matmul_adjoint_a", lambda d, ans, g, a, b: rt.matmul_adjoint_a(d, a, b), None,
       lambda d, ans, g, a, b: rt.matmul_adjoint_a(g, a, d))
defvjp(RT + "matmul_adjoint_a", lambda G, ans, g, a, b: G @ b, None,
       lambda G, ans, g, a, b: rt.matmul_adjoint_b(g, G, b))
defjvp(RT + "matmul_adjoint_b", lambda d, ans, g, a, b: rt.matmul_adjoint_b(d, a, b),
       lambda d, ans, g, a, b: rt.matmul_adjoint_b(g, d, b), None)
defvjp(RT + "matmul_adjoint_b", lambda G, ans, g, a, b: a @ G,
       lambda G, ans, g, a, b: rt.matmul_adjoint_a(g, a, G), None)
defjvp(RT + "dot_adjoint_a", lambda d, ans, g, a, b: rt.dot_adjoint_a(d, a, b), None,
       lambda d, ans, g, a, b: rt.dot_adjoint_a(g, a, d))
defvjp(RT + "dot_adjoint_a", lambda G, ans, g, a, b: np.dot(G, b), None,
       lambda G, ans, g, a, b: rt.dot_adjoint_b(g, G, b))
defjvp(RT + "dot_adjoint_b", lambda d, ans, g, a, b: rt.dot_adjoint_b(d, a, b),
       lambda d, ans, g, a, b: rt.dot_adjoint_b(g, d, b), None)
defvjp(RT + "dot_adjoint_b", lambda G, ans, g, a, b: np.dot(a, G),
       lambda G, ans, g, a, b: rt.dot_adjoint_a(g, a, G), None)

batched(RT + "matmul_adjoint_a", lambda d, ans, g, a, b: rt.batch_matmul_adjoint_a(d, a, b), None,
        lambda d, ans, g, a, b: rt.batch_matmul_adjoint_a_of_b(g, a, d))
batched(RT + "matmul_adjoint_b", lambda d, ans, g, a, b: rt.batch_matmul_adjoint_b(d, a, b),
        lambda d, ans, g, a, b: rt.batch_matmul_adjoint_b_of_a(g, d, b), None)
batched(RT + "dot_adjoint_a", lambda d, ans, g, a, b: rt.batch_dot_adjoint_a(d, a, b), None,
        lambda d, ans, g, a, b: rt.batch_dot_adjoint_a_of_b(g, a, d))
batched(RT + "dot_adjoint_b", lambda d, ans, g, a, b: rt.batch_dot_adjoint_b(d, a, b),
        lambda d, ans, g, a, b: rt.batch_dot_adjoint_b_of_a(g, d, b), None)

# ---------------------------------------------------------------- helpers of the NumPy rules (runtime_numpy.py)
# their transposes are the tangent helpers of runtime_forward.py
linear("extremum_adjoint", lambda G, g, ans, x, axis=None, keepdims=False:
       rt.extremum_tangent(G, ans, x, **_kw(axis=(axis, None), keepdims=(keepdims, False))))
linear("cumsum_adjoint", lambda G, g, x, axis=None: np.cumsum(G, **_kw(axis=(axis, None))))
linear("diff_adjoint", lambda G, g, n=1, axis=-1: np.diff(G, **_kw(n=(n, 1), axis=(axis, -1))))

# ---------------------------------------------------------------- ranks (vector mode aligns tangents by rank)
# an adjoint has the shape of its primal: the helper's result has the rank of this argument
RANK_OF_ARGUMENT = {RT + "unbroadcast": 1, RT + "sum_adjoint": 1, RT + "mean_adjoint": 1, RT + "getitem_adjoint": 1,
                    RT + "matmul_adjoint_a": 1, RT + "matmul_adjoint_b": 2, RT + "dot_adjoint_a": 1,
                    RT + "dot_adjoint_b": 2, RT + "extremum_adjoint": 2, RT + "cumsum_adjoint": 1, RT + "add_at": 2,
                    RT + "setitem_adjoint": 1, RT + "zero_at": 1}

# ---------------------------------------------------------------- copies an adjoint sweep makes for itself
linear("copy_adjoint", lambda G, g: G)

# ---------------------------------------------------------------- element writes (repeated indices: the last write counts)
# each is the other's transpose: placing d where the writes stuck, and reading g back there
linear("setitem_value_adjoint", lambda G, g, *index: rt.setitem_tangent(G, g, *index))
linear("setitem_tangent", lambda G, d, ans, *index: rt.setitem_value_adjoint(G, *index))

# ---------------------------------------------------------------- x / y, 0 where y is 0 (hypot's derivative)
defvjp(RT + "ratio_or_zero", lambda g, ans, x, y: g * rt.ratio_or_zero(1.0, y),
       lambda g, ans, x, y: -(g * rt.ratio_or_zero(ans, y)), broadcast=True)
defjvp(RT + "ratio_or_zero", lambda d, ans, x, y: rt.ratio_or_zero(d, y),
       lambda d, ans, x, y: -(rt.ratio_or_zero(ans, y) * d), broadcast=True)
