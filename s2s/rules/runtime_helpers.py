"""Records for the runtime helpers that generated derivative code calls (higher-order derivatives).

`hessian(f)` is the forward-mode Jacobian of the generated `grad(f)`, and
`grad(grad(f))` differentiates generated code again; both meet the helpers of
`s2s.runtime` that gradients call. Most helpers are linear in the adjoint `g`
they are given (their other arguments only give shapes, or enter bilinearly),
so `helper(name, transpose)` derives the tangent (the helper applied to the
tangent of `g`) and takes the transposed map as the adjoint: `unbroadcast` <->
`broadcast_to`, `sum_adjoint` <-> `np.sum`, `getitem_adjoint` <-> `getitem`,
`matmul_adjoint_a(., a, b)` <-> `. @ b`. An argument that only gives a shape has
no rule (None): no derivative flows through a shape. `batched` is the form for
a leading batch axis; `rank_of_argument` says which argument's rank the result
has (an adjoint has the shape of its primal: vector mode aligns tangents by it).
"""
from __future__ import annotations

from s2s import ir
from s2s.rules.primitive import composite, define, elementwise, linear, multilinear, non_default, nondiff, scalar
from s2s.rules.indexing import MAX_ELEMENTS
from s2s.rules.reductions import trapezoid
from s2s.rules.registry import REQUIRED, NotBatchable
from s2s.rules.symbolic import emit, np, rt

RT = "s2s.runtime."
SHAPES = (None,) * 7  # the other arguments of a helper linear in g: shapes, axes, indices (no derivative)


def helper(name: str, transpose, batched=None, rank_of_argument=None) -> None:
    """`rt.name(g, *rest)` is linear in g: tangent `rt.name(dg, *rest)`, adjoint `transpose(G, g, *rest)`."""
    linear(RT + name, lambda G, ans, g, *rest, **kwargs: transpose(G, g, *rest, **kwargs), *SHAPES,
           batched=None if batched is None else (batched,), rank_of_argument=rank_of_argument)


# ---------------------------------------------------------------- copies: the identity
linear(RT + "copy_saved", lambda g, ans, x: g)
# np.copyto(dst, src)'s values, src once NumPy's call is known to take it (runtime/scatter.py): the identity in src
linear(RT + "castable", None, lambda g, ans, dst, src, casting="same_kind", where=True: g, None, None,
       tangent=(None, lambda d, ans, dst, src, casting="same_kind", where=True: d, None, None))

# the item a loop's in-place operator changed, kept by its container (runtime/items.py): `value` where `item` is an
# ndarray, else `item`; each part of g goes to the one chosen (item_part: g or none of it)
linear(RT + "changed_item", lambda g, ans, item, value: rt.item_part(g, item, False),
       lambda g, ans, item, value: rt.item_part(g, item, True),
       tangent=(lambda d, ans, item, value: rt.item_part(d, item, False),
                lambda d, ans, item, value: rt.item_part(d, item, True)),
       batched=[lambda d, ans, item, value: rt.item_part(d, item, False),
                lambda d, ans, item, value: rt.item_part(d, item, True)])
helper("item_part", lambda G, g, item, changed: rt.item_part(G, item, changed),
       lambda d, ans, g, item, changed: rt.item_part(d, item, changed))

# ---------------------------------------------------------------- no derivative
nondiff(RT + "zeros_like", RT + "shape_of", RT + "shapes_of", RT + "array_shape")
nondiff(RT + "tie_share", RT + "abs_curvature", elementwise=True)  # (kinks: piecewise constant, derivative 0)
nondiff(RT + "mean_rounding")  # (statistics.mean's last bit: no derivative)
nondiff(RT + "diagonal_index")  # (np.fill_diagonal's elements: integers)
nondiff(RT + "draw_shape")  # (the shape of rng.normal(loc, scale)'s standard draw: ad/located_draws.py)
nondiff(RT + "standard_draw")  # (rng.uniform(low, high)'s standard draw rng.random(shape), random.gauss's...)
# C's exp of a lognormal draw's mean + sigma * z (ad/located_draws.py): exp's derivative, itself
elementwise(RT + "draw_exp", lambda ans, x: ans)
# checks made by generated code
nondiff(RT + "require_scalar", RT + "require_bound", RT + "require_immutable", RT + "require_number",
        RT + "require_unshared", RT + "require_length", RT + "require_keywords", RT + "require_float_array",
        RT + "require_array", RT + "require_method", RT + "require_list", RT + "require_data",
        RT + "require_points", RT + "require_found", RT + "require_item_shape")

# ---------------------------------------------------------------- broadcasting and reductions
# (both ways: where g was a bare 0.0 standing for a whole array, unbroadcast widened it, and G sums back)
helper("unbroadcast", lambda G, g, x: rt.unbroadcast(G, g),
       lambda d, ans, g, x: rt.batch_unbroadcast(d, x), rank_of_argument=1)
helper("sum_adjoint", lambda G, g, x, axis=None, keepdims=False:
       np.sum(G, **non_default(axis=(axis, None), keepdims=(keepdims, False))),
       lambda d, ans, g, x, axis=None, keepdims=False:
       rt.batch_sum_adjoint(d, x, **non_default(axis=(axis, None), keepdims=(keepdims, False))), rank_of_argument=1)
helper("mean_adjoint", lambda G, g, x, axis=None, keepdims=False:
       np.mean(G, **non_default(axis=(axis, None), keepdims=(keepdims, False))),
       lambda d, ans, g, x, axis=None, keepdims=False:
       rt.batch_mean_adjoint(d, x, **non_default(axis=(axis, None), keepdims=(keepdims, False))), rank_of_argument=1)

# ---------------------------------------------------------------- x ** y with an exponent or base known at run time
# the k-th derivative of x ** y in x; its derivative in x is the next one
elementwise(RT + "power_slope", lambda ans, x, y, k=1: rt.power_slope(x, y, k + 1),
            lambda ans, x, y, k=1: rt.power_slope_dy(x, y, k), None)
# its mixed derivatives: k times in x, m times in y (both grow by one in each derivative)
elementwise(RT + "power_slope_dy", lambda ans, x, y, k=1, m=1: rt.power_slope_dy(x, y, k + 1, **non_default(m=(m, 1))),
            lambda ans, x, y, k=1, m=1: rt.power_slope_dy(x, y, k, m + 1), None, None)
elementwise(RT + "log_or_zero", lambda ans, x: 1.0 / x)
elementwise(RT + "log_ndtr_slope", lambda ans, x: -ans * (x + ans))  # (r = pdf / cdf: r' = -r (x + r))

# ---------------------------------------------------------------- x / y, 0 where y is 0 (hypot's derivative)
# x / y's derivatives, refused where y is 0 (rt.ratio_derivative): a second derivative at the kink (docs/limitations.md)
for _key in (RT + "ratio_or_zero", RT + "ratio_derivative"):
    elementwise(_key, lambda ans, x, y: rt.ratio_derivative(1.0, y), lambda ans, x, y: -rt.ratio_derivative(ans, y))

# ---------------------------------------------------------------- a gradient as floats: the identity
helper("as_float", lambda G, g: G, lambda d, ans, g: d)
# an inner transformation's results as its call returns them (a float, a dtype): the identity on the numbers
for _key in (RT + "settled_like", RT + "narrowed_like"):  # (of g's shape, as an elementwise function's result)
    linear(_key, lambda G, ans, g, x: G, None, elementwise=True, batched=(lambda d, ans, g, x: d, None))
# a container argument's gradient as the call gives it back (plain dicts, lists, tuples): the identity on its parts
helper("given_back", lambda G, g, x: G, lambda d, ans, g, x: d)
# a tangent widened to an elementwise result's shape (jvp code, differentiated again): summed back
helper("broadcast_tangent", lambda G, d, ans: rt.unbroadcast(G, d))
# np.array([...])'s tangent (jvp code, differentiated again in reverse mode): the parts of G, one per tangent
helper("array_tangent", lambda G, d, ans: rt.array_adjoint(G, d))

# ---------------------------------------------------------------- structure
helper("getitem_adjoint", lambda G, g, x, *index: emit("getitem", G, *index) if index else G,  # (x[()]: x, all of it)
       lambda d, ans, g, x, *index: rt.batch_getitem_adjoint(d, x, *index), rank_of_argument=1)
helper("transpose_adjoint", lambda G, g, axes=None: np.transpose(G) if axes is None else np.transpose(G, axes),
       lambda d, ans, g, axes=None: rt.batch_transpose_adjoint(d, axes))
helper("array_adjoint", lambda G, g, x: rt.array_adjoint_transpose(G, g, x),
       lambda d, ans, g, x: rt.batch_array_adjoint(d, x), rank_of_argument=1)
helper("array_adjoint_transpose", lambda H, G, g, x: rt.array_adjoint(H, x),
       lambda d, ans, G, g, x: rt.batch_array_adjoint_transpose(d, g, x), rank_of_argument=1)
helper("tuple_adjoint", lambda G, g, xs: rt.rows_of(G, g))
helper("dict_pairs_adjoint", lambda G, g, pairs: rt.dict_pairs_tangent(G, pairs))
helper("keyword_adjoint", lambda G, g, d, name: rt.keyword(G, name, 0.0))
helper("keyword_default_adjoint", lambda G, g, d, name: rt.keyword_default_adjoint(G, d, name))
helper("dict_part", lambda G, g, keys, i: rt.dict_part_transpose(G, g, keys, i))
helper("dict_part_transpose", lambda H, G, g, keys, i: rt.dict_part(H, keys, i))
helper("rows_of", lambda H, G, g: rt.tuple_adjoint(H, G))  # (tuple_adjoint's transpose: each the other's)
# dict_tangent(keys, *tangents, *values): linear in the n tangents; the values only give zeros their structure
define(RT + "dict_tangent", [None] + [lambda G, ans, keys, *parts, j=j: rt.dict_part(G, keys, j)
                                      if j < len(parts) // 2 else 0.0 for j in range(MAX_ELEMENTS)],
       tangent_fn=lambda tangents, ans, keys, *parts: rt.dict_tangent(
           keys, *(list(tangents[1:len(parts) // 2 + 1]) + [None] * (len(parts) // 2 + 1 - len(tangents))),
           *parts[len(parts) // 2:]))
helper("dict_values_adjoint", lambda G, g, d: rt.dict_values(G))
helper("dict_items_adjoint", lambda G, g, d: rt.dict_items_transpose(G, d))
helper("iterated_adjoint", lambda G, g, xs: rt.iterated_tangent(G, xs, g),
       lambda d, ans, g, xs: rt.iterated_adjoint(d, xs))
helper("iterated_tangent", lambda G, d, xs, items: rt.iterated_adjoint(G, xs),
       lambda dd, ans, d, xs, items: rt.iterated_tangent(dd, xs, items))
helper("appended_adjoint", lambda G, g: rt.appended_adjoint_transpose(G, g))
helper("appended_item_adjoint", lambda G, g: rt.appended_item_transpose(G, g))
# the tangents of a list grown by append (jvp code, differentiated again): read as a new list of them, not the
# old one grown in place (the differentiating code may keep the old one for its reverse sweep); linear in the old
# list's tangents and the item's, which its adjoint G (one part longer) gives back as all parts but the last, and
# the last
composite(RT + "appended_tangent", lambda materialise, dxs, dv, ys:
          ir.Call(RT + "appended_tangent_new", (dxs, dv, ys)))
linear(RT + "appended_tangent_new", lambda G, ans, dxs, dv, ys: rt.appended_adjoint(G),
       lambda G, ans, dxs, dv, ys: rt.appended_item_adjoint(G), None,
       tangent=(lambda d, ans, dxs, dv, ys: rt.appended_tangent_new(d, None, ys),
                lambda d, ans, dxs, dv, ys: rt.appended_tangent_new(None, d, ys)))
helper("sum_builtin_adjoint", lambda G, g, xs: rt.sum_builtin_adjoint_transpose(G, g, xs),
       lambda d, ans, g, xs: rt.batch_sum_builtin_adjoint(d, xs))
helper("extremum_item_adjoint", lambda G, g, ans, xs: rt.extremum_item_tangent(G, ans, xs))
helper("extremum_item_tangent", lambda G, d, ans, xs: rt.extremum_item_adjoint(G, ans, xs))
helper("default_share", lambda G, g, xs: rt.default_share(G, xs))
helper("stack_adjoint", lambda G, g, seq, axis=0: rt.stack_adjoint_transpose(G, g, seq, **non_default(axis=(axis, 0))),
       lambda d, ans, g, seq, axis=0: rt.batch_stack_adjoint(d, seq, **non_default(axis=(axis, 0))))
helper("sum_adjoint_rows", lambda G, g, xs: rt.sum_adjoint_rows_transpose(G, g, xs),
       lambda d, ans, g, xs: rt.batch_sum_builtin_adjoint(d, xs))
helper("stack_adjoint_rows", lambda G, g, seq: rt.stack_adjoint_transpose(G, g, seq),
       lambda d, ans, g, seq: rt.batch_stack_adjoint(d, seq))
helper("adjoint_part", lambda G, adjoints, i, x: rt.adjoint_part_adjoint(G, adjoints, i))
helper("adjoint_part_adjoint", lambda G, g, adjoints, i: rt.adjoint_part(G, i, g))

# acc + getitem_adjoint(g, x, *index), written into acc in place by the primal; the tangent is built out of
# place, so no tangent array is written into
define(RT + "add_at",
       [lambda G, ans, acc, g, x, *index: rt.unbroadcast(G, acc),
        lambda G, ans, acc, g, x, *index: emit("getitem", G, *index), *SHAPES],
       [lambda d, ans, acc, g, x, *index: d, lambda d, ans, acc, g, x, *index: rt.getitem_adjoint(d, x, *index)],
       batched=[lambda d, ans, acc, g, x, *index: rt.batch_align(d, ans),
                lambda d, ans, acc, g, x, *index: rt.batch_getitem_adjoint(d, x, *index)], rank_of_argument=2)

# a new adjoint of x holding init (x gives only a shape): linear in init, the primal's loop then adds into it
# (x's part of the tangent is zero, spelled as zeros of x's structure: the loop indexes the tangent too)
define(RT + "accumulator", [None, lambda G, ans, x, init=0.0: rt.unbroadcast(G, init)],
       [lambda d, ans, x, init=0.0: rt.accumulator(x), lambda d, ans, x, init=0.0: rt.accumulator(x, d)],
       batched=[lambda d, ans, x, init=0.0: rt.batch_zeros(x, d),
                lambda d, ans, x, init=0.0: np.copy(rt.batch_align(d, ans))], rank_of_argument=0)

# acc + g, added into acc in place by the primal where it can (a sum a reversed loop owns): the tangent and
# adjoint are those of +, built out of place
elementwise(RT + "add_into", lambda ans, acc, g: 1.0, lambda ans, acc, g: 1.0)
# a reversed loop's sum of outer products, gathered and added several at a time (optimize/outer_sums.py): read
# again as the additions it stands for
composite(RT + "add_outer", lambda materialise, acc, g, a, b:
          ir.Call(RT + "add_into", (acc, materialise(ir.Call(RT + "matmul_adjoint_a", (g, a, b))))))
composite(RT + "outer_total", lambda materialise, x: x)

# the adjoint of an element write zeroes the written entries: a projection, its own transpose; zero_at does it
# in place in the primal, its tangent and adjoint are built out of place
helper("setitem_adjoint", lambda G, g, *index: rt.setitem_adjoint(G, *index),
       lambda d, ans, g, *index: rt.batch_setitem_adjoint(d, *index), rank_of_argument=0)
define(RT + "zero_at", [lambda G, ans, g, *index: rt.setitem_adjoint(G, *index), *SHAPES],
       [lambda d, ans, g, *index: rt.setitem_adjoint(d, *index)],
       batched=[lambda d, ans, g, *index: rt.batch_setitem_adjoint(d, *index)], rank_of_argument=0)

# ---------------------------------------------------------------- products: bilinear in (g, the other factor)
# matmul_adjoint_a(g, a, b) is the transpose of the map a -> a @ b applied to g: its adjoint with respect
# to g is G @ b, and with respect to b it is the adjoint of b in `G @ b` paired with g.
multilinear(RT + "matmul_adjoint_a", lambda G, ans, g, a, b: G @ b, None,
            lambda G, ans, g, a, b: rt.matmul_adjoint_b(g, G, b),
            batched=(lambda d, ans, g, a, b: rt.batch_matmul_adjoint_a(d, a, b), None,
                     lambda d, ans, g, a, b: rt.batch_matmul_adjoint_a_of_b(g, a, d)), rank_of_argument=1)
multilinear(RT + "matmul_adjoint_b", lambda G, ans, g, a, b: a @ G,
            lambda G, ans, g, a, b: rt.matmul_adjoint_a(g, a, G), None,
            batched=(lambda d, ans, g, a, b: rt.batch_matmul_adjoint_b(d, a, b),
                     lambda d, ans, g, a, b: rt.batch_matmul_adjoint_b_of_a(g, d, b), None), rank_of_argument=2)
multilinear(RT + "dot_adjoint_a", lambda G, ans, g, a, b: rt.dot(G, b), None,
            lambda G, ans, g, a, b: rt.dot_adjoint_b(g, G, b),
            batched=(lambda d, ans, g, a, b: rt.batch_dot_adjoint_a(d, a, b), None,
                     lambda d, ans, g, a, b: rt.batch_dot_adjoint_a_of_b(g, a, d)), rank_of_argument=1)
multilinear(RT + "dot_adjoint_b", lambda G, ans, g, a, b: rt.dot(a, G),
            lambda G, ans, g, a, b: rt.dot_adjoint_a(g, a, G), None,
            batched=(lambda d, ans, g, a, b: rt.batch_dot_adjoint_b(d, a, b),
                     lambda d, ans, g, a, b: rt.batch_dot_adjoint_b_of_a(g, d, b), None), rank_of_argument=2)

# ---------------------------------------------------------------- helpers of the NumPy rules (runtime/arrays.py)
# their transposes are the tangent helpers of runtime/batched.py
helper("extremum_adjoint", lambda G, g, ans, x, axis=None, keepdims=False:
       rt.extremum_tangent(G, ans, x, **non_default(axis=(axis, None), keepdims=(keepdims, False))), rank_of_argument=2)
# (and back: the tangent's derivative in x and in ans is 0, its share among the extremal entries kept, at ties too)
helper("extremum_tangent", lambda G, d, ans, x, axis=None, keepdims=False:
       rt.extremum_adjoint(G, ans, x, **non_default(axis=(axis, None), keepdims=(keepdims, False))), rank_of_argument=1)
helper("cumsum_adjoint", lambda G, g, x, axis=None: np.cumsum(G, **non_default(axis=(axis, None))), rank_of_argument=1)
helper("diff_adjoint", lambda G, g, x, n=1, axis=-1: np.diff(G, **non_default(n=(n, 1), axis=(axis, -1))),
       rank_of_argument=1)

# indexing and shape: each is the transpose of the NumPy function whose adjoint it is
helper("take_adjoint", lambda G, g, x, indices, axis=None: np.take(G, indices, **non_default(axis=(axis, None))),
       rank_of_argument=1)
helper("take_along_axis_adjoint", lambda G, g, x, indices, axis: np.take_along_axis(G, indices, axis),
       rank_of_argument=1)
helper("tile_adjoint", lambda G, g, x, reps: np.tile(G, reps), rank_of_argument=1)
helper("repeat_adjoint", lambda G, g, x, repeats, axis=None:
       np.repeat(G, repeats, **non_default(axis=(axis, None))), rank_of_argument=1)
helper("diagonal_adjoint", lambda G, g, x, offset=0, axis1=0, axis2=1:
       np.diagonal(G, **non_default(offset=(offset, 0), axis1=(axis1, 0), axis2=(axis2, 1))), rank_of_argument=1)
helper("trace_adjoint", lambda G, g, x, offset=0, axis1=0, axis2=1:
       np.trace(G, **non_default(offset=(offset, 0), axis1=(axis1, 0), axis2=(axis2, 1))), rank_of_argument=1)
helper("diag_adjoint", lambda G, g, x, k=0: np.diag(G, **non_default(k=(k, 0))), rank_of_argument=1)
def _pad_adjoint_transpose(G, g, x, pad_width, mode="constant", **options):
    if not isinstance(mode, str):  # (a mode known only as the code runs: a statistic's reads x)
        return rt.pad_tangent(G, pad_width, mode, **options, x=x)
    if mode in ("maximum", "minimum", "median"):
        return rt.pad_statistic_tangent(G, x, pad_width, mode, **options)
    return rt.pad_tangent(G, pad_width, mode, **options)


helper("pad_adjoint", _pad_adjoint_transpose, rank_of_argument=1)
# (np.pad's modes 'maximum', 'minimum', 'median': linear in the tangent, their weights read from x, piecewise
# constant in it)
helper("pad_statistic_tangent", lambda G, d, x, pad_width, mode, stat_length=None:
       rt.pad_statistic_adjoint(G, x, pad_width, mode, **non_default(stat_length=(stat_length, None))))
helper("pad_statistic_adjoint", lambda G, g, x, pad_width, mode, stat_length=None:
       rt.pad_statistic_tangent(G, x, pad_width, mode, **non_default(stat_length=(stat_length, None))),
       rank_of_argument=1)
# (the adjoint of np.pad's constant_values=: its transpose pads zeros with them)
helper("pad_adjoint_values", lambda H, g, x, pad_width, constant_values:
       np.pad(np.zeros(np.shape(x)), pad_width, constant_values=H))
helper("sort_adjoint", lambda G, g, x, axis=-1: rt.sort_tangent(G, x, axis), rank_of_argument=1)
helper("sort_tangent", lambda G, d, x, axis=-1: rt.sort_adjoint(G, x, **non_default(axis=(axis, -1))),
       rank_of_argument=1)
# means: the adjoint spreads g over the entries, its transpose averages them again
helper("average_adjoint", lambda G, g, x, axis=None, weights=None, keepdims=False:
       np.average(G, **non_default(axis=(axis, None), weights=(weights, None), keepdims=(keepdims, False))),
       rank_of_argument=1)
helper("nanmean_adjoint", lambda G, g, x, axis=None, keepdims=False:
       rt.nanmean_tangent(G, x, **non_default(axis=(axis, None), keepdims=(keepdims, False))), rank_of_argument=1)

# ---------------------------------------------------------------- copies an adjoint sweep makes for itself
helper("copy_adjoint", lambda G, g: G)
helper("tangent_copy", lambda G, g, like: G)  # (forward mode's copy of tangents it writes into in place)
helper("unshared", lambda G, g, into: G)  # (forward mode's tangent written in place, copied where a view of the array)
helper("reused", lambda G, g: G)  # (an enclosing reversed loop's copy, written in place by an inner one)

# ---------------------------------------------------------------- element writes (repeated indices: the last write counts)
# each is the other's transpose: placing d where the writes stuck, and reading g back there
helper("setitem_value_adjoint", lambda G, g, *index: rt.setitem_tangent(G, g, *index))
helper("written_tangent", lambda G, d, y: rt.written_tangent(G, y), lambda d, ans, g, y: rt.written_tangent(d, y))
helper("setitem_tangent", lambda G, d, ans, *index: rt.setitem_value_adjoint(G, *index))

# ---------------------------------------------------------------- joining: g split into one part per array
# (each is the transpose of the NumPy function it belongs to, so that function joins the parts of G again)
helper("concatenate_adjoint", lambda G, g, seq, axis=0:
       rt.concatenate_adjoint_transpose(G, g, seq, **non_default(axis=(axis, 0))),
       lambda d, ans, g, seq, axis=0: rt.batch_concatenate_adjoint(d, seq, **non_default(axis=(axis, 0))))
helper("hstack_adjoint", lambda G, g, seq: rt.hstack_adjoint_transpose(G, g, seq),
       lambda d, ans, g, seq: rt.batch_hstack_adjoint(d, seq))
helper("vstack_adjoint", lambda G, g, seq: rt.vstack_adjoint_transpose(G, g, seq),
       lambda d, ans, g, seq: rt.batch_vstack_adjoint(d, seq))
helper("dstack_adjoint", lambda G, g, seq: rt.dstack_adjoint_transpose(G, g, seq),
       lambda d, ans, g, seq: rt.batch_dstack_adjoint(d, seq))
helper("column_stack_adjoint", lambda G, g, seq: rt.column_stack_adjoint_transpose(G, g, seq),
       lambda d, ans, g, seq: rt.batch_column_stack_adjoint(d, seq))
# (split_adjoint adds each part back at its slice of x: its transpose reads those slices again)
helper("split_adjoint", lambda G, g, x, indices_or_sections, axis=0:
       np.array_split(G, indices_or_sections, **non_default(axis=(axis, 0))), rank_of_argument=1)
helper("append_adjoint", lambda G, g, arr, values, axis=None:
       rt.append_adjoint_transpose(G, g, arr, values, **non_default(axis=(axis, None))),
       lambda d, ans, g, arr, values, axis=None:
       rt.batch_append_adjoint(d, arr, values, **non_default(axis=(axis, None))))
# their transposes, linear in G (the parts; g gives only their structure), whose own transposes are the adjoints
# again (third derivatives)
helper("concatenate_adjoint_transpose", lambda H, G, g, seq, axis=0:
       rt.concatenate_adjoint(H, seq, **non_default(axis=(axis, 0))))
helper("stack_adjoint_transpose", lambda H, G, g, seq, axis=0: rt.stack_adjoint(H, seq, **non_default(axis=(axis, 0))))
helper("hstack_adjoint_transpose", lambda H, G, g, seq: rt.hstack_adjoint(H, seq))
helper("vstack_adjoint_transpose", lambda H, G, g, seq: rt.vstack_adjoint(H, seq))
helper("dstack_adjoint_transpose", lambda H, G, g, seq: rt.dstack_adjoint(H, seq))
helper("column_stack_adjoint_transpose", lambda H, G, g, seq: rt.column_stack_adjoint(H, seq))
helper("append_adjoint_transpose", lambda H, G, g, arr, values, axis=None:
       rt.append_adjoint(H, arr, values, **non_default(axis=(axis, None))))

# ---------------------------------------------------------------- selection and interpolation
# np.select gives each position the choice whose condition is the first true one: it is the transpose of the
# adjoint that hands g back to the choices; the default's share is select_default_tangent's
helper("select_adjoint_choices", lambda G, g, conds, choices: np.select(conds, G),
       lambda d, ans, g, conds, choices: rt.batch_select_adjoint_choices(d, conds, choices))
helper("select_adjoint_default", lambda G, g, conds, default: rt.unbroadcast(rt.select_default_tangent(G, conds), g))
# interp_adjoint_x(g, x, xp, fp) = g * slope: linear in g and in fp, piecewise constant in x; the slope
# (fp[j+1] - fp[j]) / (xp[j+1] - xp[j]) moves with the sample points by -slope * interp_slope(x, xp, dxp)
define(RT + "interp_adjoint_x",
       [lambda G, ans, g, x, xp, fp: G * rt.interp_slope(x, xp, fp), None,
        lambda G, ans, g, x, xp, fp: -rt.interp_slope_adjoint(G * g * rt.interp_slope(x, xp, fp), x, xp, fp),
        lambda G, ans, g, x, xp, fp: rt.interp_slope_adjoint(G * g, x, xp, fp)],
       [lambda d, ans, g, x, xp, fp: d * rt.interp_slope(x, xp, fp), None,
        lambda d, ans, g, x, xp, fp: -(g * rt.interp_slope(x, xp, fp) * rt.interp_slope(x, xp, d)),
        lambda d, ans, g, x, xp, fp: g * rt.interp_slope(x, xp, d)], rank_of_argument=1)
# interp_adjoint_fp(g, x, xp, fp) shares each g between the ends of its segment, linear in g; where x sits in
# its segment moves the shares, and so do the sample points: x's place t in [xp[j], xp[j+1]] moves by
# -np.interp(x, xp, dxp) / (xp[j+1] - xp[j]) (fp gives only a shape)
define(RT + "interp_adjoint_fp",
       [lambda G, ans, g, x, xp, fp: np.interp(x, xp, G), lambda G, ans, g, x, xp, fp: g * rt.interp_slope(x, xp, G),
        lambda G, ans, g, x, xp, fp: rt.interp_adjoint_fp(-g * rt.interp_slope(x, xp, G), x, xp, fp), None],
       [lambda d, ans, g, x, xp, fp: rt.interp_adjoint_fp(d, x, xp, fp),
        lambda d, ans, g, x, xp, fp: rt.interp_slope_adjoint(g * d, x, xp, fp),
        lambda d, ans, g, x, xp, fp: rt.interp_slope_adjoint(-g * np.interp(x, xp, d), x, xp, fp), None],
       rank_of_argument=3)

# ---------------------------------------------------------------- reductions
helper("ptp_adjoint", lambda G, g, x, axis=None, keepdims=False:
       rt.ptp_tangent(G, x, **non_default(axis=(axis, None), keepdims=(keepdims, False))), rank_of_argument=1)
helper("ptp_tangent", lambda G, d, x, axis=None, keepdims=False:
       rt.ptp_adjoint(G, x, **non_default(axis=(axis, None), keepdims=(keepdims, False))))
# var_adjoint(g, x) = g 2 (x - mean) / (n - ddof): linear in g and in x (centring is its own transpose, and g is
# constant along the axes it centres)
multilinear(RT + "var_adjoint", lambda G, ans, g, x, axis=None, ddof=0, keepdims=False:
            rt.var_tangent(G, x, **non_default(axis=(axis, None), ddof=(ddof, 0), keepdims=(keepdims, False))),
            lambda G, ans, g, x, axis=None, ddof=0, keepdims=False:
            rt.var_adjoint(g, G, **non_default(axis=(axis, None), ddof=(ddof, 0), keepdims=(keepdims, False))),
            rank_of_argument=1)
# the weights of the trapezoidal rule times g: linear in g (its transpose is the rule itself) and in the sample
# points x, which np.trapezoid(y, x) pairs with y as trapezoid_adjoint_x pairs them (y gives only a shape)
_trapezoid_y = multilinear(RT + "trapezoid_adjoint_y", lambda G, ans, g, y, x=None, dx=1.0, axis=-1:
            trapezoid(G, **non_default(x=(x, None), dx=(dx, 1.0), axis=(axis, -1))), None,
            lambda G, ans, g, y, x=None, dx=1.0, axis=-1: rt.trapezoid_adjoint_x(g, G, x, **non_default(axis=(axis, -1))),
            # (and in the spacing dx, a number, unused where x is given)
            lambda G, ans, g, y, x=None, dx=1.0, axis=-1:
            0.0 if x is not None else np.sum(g * trapezoid(G, **non_default(axis=(axis, -1)))),
            rank_of_argument=1)
# (dx=h read in its place, x=None given, where generated code spells it as a keyword: both modes find its rule)
_trapezoid_y.facts["parameters"] = (("g", REQUIRED), ("y", REQUIRED), ("x", None), ("dx", 1.0), ("axis", -1))
# trapezoid_adjoint_x(g, y, x) is linear in g and in y: np.trapezoid(y, x) = sum(diff(x) * mean of neighbours of y)
multilinear(RT + "trapezoid_adjoint_x",
            lambda G, ans, g, y, x, axis=-1: trapezoid(y, G, **non_default(axis=(axis, -1))),
            lambda G, ans, g, y, x, axis=-1: rt.trapezoid_adjoint_y(g, y, G, **non_default(axis=(axis, -1))),
            None, rank_of_argument=2)

# trapezoid_adjoint_dx(g, y, dx): g times each interval's mean of y, summed to dx's shape: linear in g (its
# transpose is the rule with G for the spacing) and in y (the rule's adjoint in y with G for the spacing)
multilinear(RT + "trapezoid_adjoint_dx",
            lambda G, ans, g, y, dx, axis=-1: trapezoid(y, dx=G, **non_default(axis=(axis, -1))),
            lambda G, ans, g, y, dx, axis=-1: rt.trapezoid_adjoint_y(g, y, dx=G, **non_default(axis=(axis, -1))),
            None, rank_of_argument=2)

# ---------------------------------------------------------------- products: linear in g and in the other factor
# (the adjoint of one factor of a product, paired with G, is the product with G in that factor's place)
# (np.cross's axisa=, axisb=, axisc=, axis= pass through as `axes`; the batch axis would shift the axes they name)
def _last_axes(axes: dict) -> None:
    if axes:
        raise NotBatchable(RT + "cross_product")


multilinear(RT + "cross_adjoint_a", lambda G, ans, g, a, b, **axes: rt.cross_product(G, b, **axes), None,
            lambda G, ans, g, a, b, **axes: rt.cross_adjoint_b(g, G, b, **axes),
            batched=(lambda d, ans, g, a, b, **axes: _last_axes(axes) or rt.batch_cross_adjoint_a(d, a, b), None,
                     lambda d, ans, g, a, b, **axes: _last_axes(axes) or rt.batch_cross_adjoint_a_of_b(g, a, d)),
            rank_of_argument=1)
multilinear(RT + "cross_adjoint_b", lambda G, ans, g, a, b, **axes: rt.cross_product(a, G, **axes),
            lambda G, ans, g, a, b, **axes: rt.cross_adjoint_a(g, a, G, **axes), None,
            batched=(lambda d, ans, g, a, b, **axes: _last_axes(axes) or rt.batch_cross_adjoint_b(d, a, b),
                     lambda d, ans, g, a, b, **axes: _last_axes(axes) or rt.batch_cross_adjoint_b_of_a(g, d, b), None),
            rank_of_argument=2)
# np.cross as the tangents of np.cross spell it (runtime/higher.py): a product like np.cross, with its adjoints
# (rank unknown: 2-vectors give numbers)
multilinear(RT + "cross_product", lambda G, ans, a, b, **axes: rt.cross_adjoint_a(G, a, b, **axes),
            lambda G, ans, a, b, **axes: rt.cross_adjoint_b(G, a, b, **axes),
            batched=(lambda d, ans, a, b, **axes: _last_axes(axes) or rt.cross_product(d, b),
                     lambda d, ans, a, b, **axes: _last_axes(axes) or rt.cross_product(a, d)))
# vdot_adjoint(g, b, a) = g b in a's shape: linear in g and in b (a gives only a shape)
multilinear(RT + "vdot_adjoint", lambda G, ans, g, b, a: np.vdot(G, b), lambda G, ans, g, b, a: rt.vdot_adjoint(g, G, b),
            None, rank_of_argument=2)
multilinear(RT + "kron_adjoint_a", lambda G, ans, g, a, b: np.kron(G, b), None,
            lambda G, ans, g, a, b: rt.kron_adjoint_b(g, G, b), rank_of_argument=1)
multilinear(RT + "kron_adjoint_b", lambda G, ans, g, a, b: np.kron(a, G),
            lambda G, ans, g, a, b: rt.kron_adjoint_a(g, a, G), None, rank_of_argument=2)
multilinear(RT + "inner_adjoint_a", lambda G, ans, g, a, b: np.inner(G, b), None,
            lambda G, ans, g, a, b: rt.inner_adjoint_b(g, G, b), rank_of_argument=1)
multilinear(RT + "inner_adjoint_b", lambda G, ans, g, a, b: np.inner(a, G),
            lambda G, ans, g, a, b: rt.inner_adjoint_a(g, a, G), None, rank_of_argument=2)
multilinear(RT + "tensordot_adjoint_a",
            lambda G, ans, g, a, b, axes=2: np.tensordot(G, b, **non_default(axes=(axes, 2))), None,
            lambda G, ans, g, a, b, axes=2: rt.tensordot_adjoint_b(g, G, b, **non_default(axes=(axes, 2))), None,
            rank_of_argument=1)
multilinear(RT + "tensordot_adjoint_b",
            lambda G, ans, g, a, b, axes=2: np.tensordot(a, G, **non_default(axes=(axes, 2))),
            lambda G, ans, g, a, b, axes=2: rt.tensordot_adjoint_a(g, a, G, **non_default(axes=(axes, 2))), None, None,
            rank_of_argument=2)
multilinear(RT + "convolve_adjoint_a",
            lambda G, ans, g, a, v, mode="full": np.convolve(G, v, **non_default(mode=(mode, "full"))), None,
            lambda G, ans, g, a, v, mode="full": rt.convolve_adjoint_b(g, G, v, **non_default(mode=(mode, "full"))),
            None, rank_of_argument=1)
multilinear(RT + "convolve_adjoint_b",
            lambda G, ans, g, a, v, mode="full": np.convolve(a, G, **non_default(mode=(mode, "full"))),
            lambda G, ans, g, a, v, mode="full": rt.convolve_adjoint_a(g, a, G, **non_default(mode=(mode, "full"))),
            None, None, rank_of_argument=2)
multilinear(RT + "correlate_adjoint_a",
            lambda G, ans, g, a, v, mode="valid": np.correlate(G, v, **non_default(mode=(mode, "valid"))), None,
            lambda G, ans, g, a, v, mode="valid": rt.correlate_adjoint_b(g, G, v, **non_default(mode=(mode, "valid"))),
            None, rank_of_argument=1)
multilinear(RT + "correlate_adjoint_b",
            lambda G, ans, g, a, v, mode="valid": np.correlate(a, G, **non_default(mode=(mode, "valid"))),
            lambda G, ans, g, a, v, mode="valid": rt.correlate_adjoint_a(g, a, G, **non_default(mode=(mode, "valid"))),
            None, None, rank_of_argument=2)


# ---------------------------------------------------------------- polynomials and finite differences (runtime/numerics.py)
# vander_slope(x, N, increasing, order): the order-th derivative of np.vander's powers in x; its derivative the next
def _vander_next(x, N, increasing, order):
    return rt.vander_slope(x, **non_default(N=(N, None), increasing=(increasing, False), order=(order + 1, 1)))


define(RT + "vander_slope",
       [lambda G, ans, x, N=None, increasing=False, order=1: np.sum(G * _vander_next(x, N, increasing, order),
                                                                    axis=-1)],
       [lambda d, ans, x, N=None, increasing=False, order=1: _vander_next(x, N, increasing, order)
        * np.expand_dims(d, -1)],
       batched=[lambda d, ans, x, N=None, increasing=False, order=1: _vander_next(x, N, increasing, order)
                * np.expand_dims(d, -1)])
helper("polyder_adjoint", lambda G, g, p, m=1: np.polyder(G, **non_default(m=(m, 1))))
# (gradient_adjoint: rules/differences.py, beside np.gradient, linear in g and in 1 / its spacing)
# (quantile_adjoint and quantile_tangent: rules/reductions.py, beside np.quantile, linear in g (d), derivatives in q)
# the checks of a full rank that pinv's and lstsq's derivatives make: the identity in the value they pass on
helper("pinv_full_rank", lambda G, ans, a, **kwargs: G, lambda d, out, ans, a, **kwargs: d, rank_of_argument=0)
helper("lstsq_full_rank", lambda G, x, rank, a: G, lambda d, out, x, rank, a: d, rank_of_argument=0)
# lstsq_solution_adjoint(g) = g[0] (checked): its transpose puts G back in that place of the result's parts
helper("lstsq_solution_adjoint", lambda G, g: rt.getitem_adjoint(G, g, 0))
# cov_adjoint(g, m) is linear in g and in m: its transpose in g is cov's tangent, in m itself (g + g^T symmetric)
multilinear(RT + "cov_adjoint", lambda G, ans, g, m, **kwargs: rt.cov_tangent(G, m, **kwargs),
            lambda G, ans, g, m, **kwargs: rt.cov_adjoint(g, G, **kwargs), rank_of_argument=1)

# np.average's weights as NumPy places them among x's axes, and back: linear, each the other's transpose
helper("weights_as_read", lambda G, w, x, axis=None: rt.weights_as_given(G, w, x, **non_default(axis=(axis, None))))
helper("weights_as_given", lambda G, g, w, x, axis=None: rt.weights_as_read(G, x, **non_default(axis=(axis, None))))

# np.cov(m, y)'s variables joined in rows (runtime/forms.py): linear in m and y, each part's transpose the piece of
# G that came from it; that piece's transpose puts G back among zeros for the other part
_ROWVAR = lambda rowvar: non_default(rowvar=(rowvar, True))  # noqa: E731
define(RT + "cov_rows", [lambda G, ans, m, y, rowvar=True: rt.cov_rows_part(G, m, y, **_ROWVAR(rowvar)),
                         lambda G, ans, m, y, rowvar=True: rt.cov_rows_part(G, m, y, **_ROWVAR(rowvar), part=1), None],
       [lambda d, ans, m, y, rowvar=True: rt.cov_rows(d, np.zeros(np.shape(y)), **_ROWVAR(rowvar)),
        lambda d, ans, m, y, rowvar=True: rt.cov_rows(np.zeros(np.shape(m)), d, **_ROWVAR(rowvar)), None])
helper("cov_rows_part", lambda G, g, m, y, rowvar=True, part=0:
       rt.cov_rows(G, np.zeros(np.shape(y)), **_ROWVAR(rowvar)) if part == 0 else
       rt.cov_rows(np.zeros(np.shape(m)), G, **_ROWVAR(rowvar)))
nondiff(RT + "linspace_divisor", RT + "spread_divisor", RT + "spread_rounding")  # (statistics.variance's last bits: no derivative)
# statistics.stdev's square root of its spread: 0.5 / ans, 0 at equal points (the kink np.std's rule takes as 0)
scalar(RT + "spread_root", lambda ans, x: rt.ratio_or_zero(0.5, ans))
# np.linalg.qr(a, mode='complete') of a wide or square a (the reduced factors): a, checked, the identity
helper("qr_wide", lambda G, a: G, rank_of_argument=0)
