"""Linear primitives: indexing, shape functions, sums, joining and splitting, one line each (finite differences:
differences.py).

`linear(key, transpose)`: the tangent of a linear function is the function
applied to the tangent (`np.cumsum(dx, axis=1)`), so only the transpose (the
reverse rule, `lambda g, ans, x, ...`) is written. `batched=` gives the form
for tangents with a leading batch axis (vector mode) where axes must shift;
a linear function without one is computed one tangent at a time there.
Sequence arguments (`np.concatenate([a, b])`) get a list adjoint, one part per
element, which the 'list'/'tuple' rules (`indexing.py`) hand to the elements.
"""
from __future__ import annotations

from s2s import ir
from s2s.rules.primitive import alias, constant_is, define, given, linear, non_default, nondiff, reading, refuse, same
from s2s.rules.registry import REQUIRED
from s2s.rules.symbolic import Sym, builtins, emit, math, np, rt
from s2s.rules.symbolic import _floating as floating

RT = "s2s.runtime."


def _neg(v):
    """-v for a shift given as a number, a tuple of numbers or a runtime value."""
    if isinstance(v, tuple):
        return tuple(-s for s in v)
    return np.negative(v) if isinstance(v, Sym) else -v


def _reshape_back(g, ans, x, *rest, **kwargs):
    return np.reshape(g, np.shape(x))


def _full_reduction(ranks, kwargs):
    """A sum of all entries (no axis) is a number."""
    return 0 if len(ranks) == 1 and not kwargs else None


# ---------------------------------------------------------------- indexing
linear("getitem", lambda g, ans, x, *index: rt.getitem_adjoint(g, x, *index),
       batched=[lambda d, ans, x, *index: rt.batch_getitem(d, *index)])

# `y[index] op= v`: y[index] = rt.augmented(part, part op v, op), the value after NumPy's casting check (the identity)
linear(RT + "augmented", None, lambda g, ans, part, value, op: g, None,
       tangent=(None, lambda d, ans, part, value, op: d), batched=[None, lambda d, ans, part, value, op: d])

# ---------------------------------------------------------------- sums
# where=m sums the entries where m holds: the adjoint is g broadcast back and 0 elsewhere, np.where(m, g, 0.0), which
# never multiplies x's masked entries (NaN data there stays out); initial= adds a constant, whose derivative is none
def _sum_transpose(g, ans, x, axis=None, dtype=None, keepdims=False, initial=None, where=None):
    full = np.full(np.shape(x), g) if axis is None else rt.sum_adjoint(g, x, axis, keepdims)
    return _cast_back(full if where is None else np.where(where, full, 0.0), x, ans, dtype)


# g / n spread over x's n entries; an empty x's adjoint is empty whatever the share, so the count is at least 1 there
# (Python's 1.0 / 0 would raise ZeroDivisionError where NumPy's np.mean gives nan with a RuntimeWarning)
def _mean_transpose(g, ans, x, axis=None, dtype=None, keepdims=False, where=None):
    if where is not None:  # (the mean of the entries where m holds: their sum over their count)
        return _sum_transpose(g / _count(x, axis, keepdims, where), ans, x, axis, dtype, keepdims, where=where)
    share = g / builtins.max(np.size(x), 1)
    return _cast_back(np.full(np.shape(x), share) if axis is None else rt.mean_adjoint(g, x, axis, keepdims),
                      x, ans, dtype)


def _count(x, axis, keepdims, where):
    """How many entries np.mean(x, axis, where=where) averages into each result."""
    return np.count_nonzero(np.broadcast_to(where, np.shape(x)), **given(axis=axis, keepdims=keepdims or None))


# np.sum(x, dtype=D) is np.sum(x.astype(D)): with a dtype= given, the derivative is the cast's (a float type's the
# identity, cast back to x's type; an integer type's zero), decided at run time by the result's type
def _cast_back(adjoint, x, ans, dtype):
    return adjoint if same(dtype, None) else rt.astype_adjoint(adjoint, x, ans)


def _cast_tangent(tangent, ans, dtype, batched=False):
    if same(dtype, None):
        return tangent
    return rt.batch_astype_tangent(tangent, ans) if batched else rt.astype_tangent(tangent, ans)


# (where=m: the tangents' masked entries, often NaN where x's are, set to 0 first; m broadcasts past the batch axis)
_BATCH_SUM = [lambda d, ans, x, axis=None, dtype=None, keepdims=False, initial=None, where=None:
              _cast_tangent(rt.batch_sum(d if where is None else np.where(where, d, 0.0), axis, keepdims), ans, dtype,
                            batched=True)]
_BATCH_MEAN = [lambda d, ans, x, axis=None, dtype=None, keepdims=False, where=None:
               _cast_tangent(rt.batch_mean(d, axis, keepdims) if where is None else
                             rt.batch_sum(np.where(where, d, 0.0), axis, keepdims) / _count(x, axis, keepdims, where),
                             ans, dtype, batched=True)]


def _reduction_tangent(key: str):
    """The reduction of the tangent, as the user's call reduces x (where= too); initial= adds a constant, which
    the tangent leaves out (np.sum(dx, initial=5.0) would be 5 off)."""
    def tangent(d, ans, x, *rest, **kwargs):
        kwargs = {k: v for k, v in kwargs.items() if k != "initial"}
        rest, kwargs, dtype = _without_dtype(rest, kwargs)
        return _cast_tangent(emit(key, d, *rest, **kwargs), ans, dtype)
    return tangent


def _without_dtype(rest, kwargs):
    """The reduction's (axis, dtype, ...) arguments without its dtype (the tangent is reduced in its own type and
    cast as the result was), and the dtype."""
    if "dtype" in kwargs:
        kwargs = dict(kwargs)
        return rest, kwargs, kwargs.pop("dtype")
    if len(rest) > 1:
        if len(rest) > 2:  # (out= by position: kept as given)
            return rest, kwargs, None if same(rest[1], None) else rest[1]
        return rest[:1], kwargs, rest[1]
    return rest, kwargs, None


def _parameters(record, *names) -> None:
    """The leading parameters of `record`'s function, (name, default) in order, REQUIRED for none: a keyword argument
    among them is moved to its place (np.sum(a=x), np.take_along_axis(arr=x, ...)), where its rules take it."""
    record.facts["parameters"] = names


_parameters(linear("numpy.sum", _sum_transpose, tangent=_reduction_tangent("numpy.sum"), batched=_BATCH_SUM,
                   rank=_full_reduction, full_reduction=True, axis_reduction=True), ("a", REQUIRED), ("axis", None))
_parameters(linear("numpy.mean", _mean_transpose, tangent=_reduction_tangent("numpy.mean"), batched=_BATCH_MEAN,
                   rank=_full_reduction, full_reduction=True, axis_reduction=True), ("a", REQUIRED), ("axis", None))
# x.sum(axis=...), x.mean(axis=...) of an ndarray x, as vector forward mode writes the reduction of a batch of
# tangents (prims.BATCH_REDUCTION_METHODS; a user's x.sum() is read as np.sum): the same records
linear("numpy.ndarray.sum", _sum_transpose, batched=_BATCH_SUM, rank=_full_reduction, full_reduction=True,
       axis_reduction=True)
linear("numpy.ndarray.mean", _mean_transpose, batched=_BATCH_MEAN, rank=_full_reduction, full_reduction=True,
       axis_reduction=True)
linear("numpy.cumsum", lambda g, ans, x, axis=None, dtype=None: rt.cumsum_adjoint(g, x, **non_default(axis=(axis, None))))


# (dtype= as np.sum's: the derivative is the cast's, decided at run time by the result's type; no full_reduction: the
# trace of an array of more than two axes is an array, np.trace(A, axis1=1, axis2=2) of a stack of matrices a vector)
linear("numpy.trace", lambda g, ans, x, offset=0, axis1=0, axis2=1, dtype=None: _cast_back(
       rt.trace_adjoint(g, x, **non_default(offset=(offset, 0), axis1=(axis1, 0), axis2=(axis2, 1))), x, ans, dtype),
       tangent=lambda d, ans, x, offset=0, axis1=0, axis2=1, dtype=None: _cast_tangent(
           np.trace(d, **non_default(offset=(offset, 0), axis1=(axis1, 0), axis2=(axis2, 1))), ans, dtype))
linear("s2s.runtime.dict_values", lambda g, ans, d: rt.dict_values_adjoint(g, d),
       batched=[lambda dd, ans, d: rt.dict_values(dd)])
linear("s2s.runtime.dict_items", lambda g, ans, d: rt.dict_items_adjoint(g, d),
       batched=[lambda dd, ans, d: rt.dict_items(dd)])
# what a loop over a value of unknown type reads: the value itself (a list, tuple or array), else a list of the keys
# or elements it gives, which carry no derivative
# (an unpacking's count of names: no derivative)
linear(RT + "iterated", lambda g, ans, xs, count=None: rt.iterated_adjoint(g, xs), None,
       tangent=(lambda d, ans, xs, count=None: rt.iterated_tangent(d, xs, ans), None),
       batched=[lambda d, ans, xs, count=None: rt.iterated_tangent(d, xs, ans), None])
# tuple(xs), list(xs): the items of a list, tuple or array, whose tangents are those of xs; a dict's keys, which
# carry no derivative (tuple(d) of d's tangent would be its keys again, 0 and 1 taken for tangents). No batched
# form: list(d) of a batched tangent would iterate its batch axis, not the rows of xs
for _key in ("builtins.tuple", "builtins.list"):
    _items = lambda d, ans, xs, _key=_key: emit(_key, rt.iterated_tangent(d, xs, ans))  # noqa: E731
    linear(_key, lambda g, ans, xs: rt.tuple_adjoint(g, xs), tangent=_items)  # (no batched form: see the note)
linear(RT + "taken", lambda g, ans, it, n: rt.tuple_adjoint(g, it), None)  # (zip(xs, itertools.count()), as list)


def _may_join(start) -> bool:
    """Does sum(xs, start) join lists or tuples? It does where start is one (sum(nested, []), sum(parts, ())), which a
    value known only at run time may be: the rt.started_sum_* helpers look. A number start adds."""
    return isinstance(start, (Sym, tuple, list))


linear("builtins.sum",
       lambda g, ans, xs, start=0: rt.started_sum_adjoint(g, xs, start) if _may_join(start) else
       rt.sum_builtin_adjoint(g, xs),
       lambda g, ans, xs, start: rt.started_sum_start_adjoint(g, start, xs) if _may_join(start) else g,
       tangent=(lambda d, ans, xs, start=0: rt.started_sum_tangent(d, xs, start) if _may_join(start) else
                rt.sum_builtin_tangent(d),
                lambda d, ans, xs, start: rt.started_sum_start_tangent(d, xs, start) if _may_join(start) else d))
# (their adjoints, differentiated again: linear in g)
linear("s2s.runtime.started_sum_adjoint", lambda G, ans, g, xs, start: rt.started_sum_adjoint_transpose(G, g, xs, start),
       None, None, batched=[lambda d, ans, g, xs, start: rt.batch_started_sum_adjoint(d, xs, start)])
linear("s2s.runtime.started_sum_start_adjoint",
       lambda G, ans, g, start, xs: rt.started_sum_start_adjoint_transpose(G, g, start, xs), None, None,
       batched=[lambda d, ans, g, start, xs: rt.batch_started_sum_start_adjoint(d, start, xs)])

# ---------------------------------------------------------------- shape
linear("numpy.transpose", lambda g, ans, x, axes=None: np.transpose(g) if axes is None else rt.transpose_adjoint(g, axes),
       batched=[lambda d, ans, x, axes=None: rt.batch_transpose(d, axes)])
def _order(key: str, order) -> dict:
    """The order= of the reshape an adjoint or a batch of tangents makes: NumPy's C or F order of the elements;
    'A' and 'K' follow the array's layout in memory, which a derivative does not see."""
    if same(order, "C"):
        return {}
    if same(order, "F"):
        return {"order": "F"}
    spelled = "an order known only at run time" if isinstance(order, Sym) else f"order={order!r}"
    refuse(key, f"{key.replace('numpy.', 'np.')} with {spelled} reads the array in its memory layout, "
           "which s2s does not follow", "write order='C' or order='F'")


# (the adjoint reads g back in the order the elements were read: x.ravel(order='F') is g.reshape(x.shape, order='F');
# the tangent reads dx in that order too, which for 'A' and 'K' would be dx's layout, not x's: refused as well)
linear("numpy.reshape", lambda g, ans, x, shape=None, order="C", **_:
       np.reshape(g, np.shape(x), **_order("numpy.reshape", order)),
       tangent=lambda d, ans, x, shape=None, order="C", **kw:
       np.reshape(d, *([] if shape is None else [shape]), **_order("numpy.reshape", order), **kw),
       batched=[lambda d, ans, x, shape=None, order="C", **kw:
                rt.batch_reshape(d, kw.get("newshape") if shape is None else shape, **_order("numpy.reshape", order))])
linear("numpy.ravel", lambda g, ans, x, order="C": np.reshape(g, np.shape(x), **_order("numpy.ravel", order)),
       tangent=lambda d, ans, x, order="C": np.ravel(d, **_order("numpy.ravel", order)),
       batched=[lambda d, ans, x, order="C": rt.batch_reshape(d, -1, **_order("numpy.ravel", order))])
# (x.flatten(): ravel's values in a new array, never a view of x)
linear("numpy.ndarray.flatten", lambda g, ans, x, order="C":
       np.reshape(g, np.shape(x), **_order("numpy.ndarray.flatten", order)),
       tangent=lambda d, ans, x, order="C": emit("numpy.ndarray.flatten", d, **_order("numpy.ndarray.flatten", order)),
       batched=[lambda d, ans, x, order="C": rt.batch_reshape(d, -1, **_order("numpy.ndarray.flatten", order))])
for _key in ("numpy.squeeze", "numpy.expand_dims", "numpy.atleast_1d", "numpy.atleast_2d", "numpy.atleast_3d"):
    linear(_key, _reshape_back)
linear("numpy.swapaxes", lambda g, ans, x, axis1, axis2: np.swapaxes(g, axis1, axis2))
linear("numpy.moveaxis", lambda g, ans, x, source, destination: np.moveaxis(g, destination, source))
linear("numpy.matrix_transpose", lambda g, ans, x: np.matrix_transpose(g))
linear("numpy.linalg.matrix_transpose", lambda g, ans, x: np.linalg.matrix_transpose(g))  # (NumPy 2's, the same)
linear("numpy.broadcast_to", lambda g, ans, x, shape: rt.unbroadcast(g, x))
linear("numpy.tile", lambda g, ans, x, reps: rt.tile_adjoint(g, x, reps))
linear("numpy.repeat", lambda g, ans, x, repeats, axis=None: rt.repeat_adjoint(g, x, repeats, **non_default(axis=(axis, None))))
linear("numpy.flip", lambda g, ans, x, axis=None: np.flip(g, **non_default(axis=(axis, None))))
linear("numpy.fliplr", lambda g, ans, x: np.fliplr(g))
linear("numpy.flipud", lambda g, ans, x: np.flipud(g))
linear("numpy.rot90", lambda g, ans, x, k=1, axes=(0, 1): np.rot90(g, _neg(k), **non_default(axes=(axes, (0, 1)))))
linear("numpy.roll", lambda g, ans, x, shift, axis=None: np.roll(g, _neg(shift), **non_default(axis=(axis, None))))
# np.pad is linear in x in these modes (runtime.padding.PAD_LINEAR_MODES checks a mode known only at run time);
# constant_values= and end_values= are constants (0 in the derivative), reflect_type= and stat_length= are kept.
# 'maximum', 'minimum' and 'median' pick entries by value: piecewise linear, their derivatives read x
# (rt.pad_statistic_tangent; rt.pad_adjoint passes them to rt.pad_statistic_adjoint)
_PAD_LINEAR = ("constant", "edge", "reflect", "symmetric", "wrap", "mean", "linear_ramp")
_PAD_STATISTICS = ("maximum", "minimum", "median")


def _pad_options(mode, options: dict) -> dict:
    if not isinstance(mode, Sym) and mode not in _PAD_LINEAR and mode not in _PAD_STATISTICS:
        refuse("numpy.pad", f"the derivative for mode={mode!r} is not supported by s2s (the mode is not linear in x)",
               "use mode='constant', 'edge', 'reflect', 'symmetric', 'wrap', 'mean', 'linear_ramp', 'maximum', "
               "'minimum' or 'median', or build the padded array yourself: np.concatenate([left, x, right])")
    return non_default(reflect_type=(options.get("reflect_type", "even"), "even"),
                       stat_length=(options.get("stat_length"), None))


def _pad_tangent(d, ans, x, pad_width, mode="constant", constant_values=0, **options):
    if not isinstance(mode, Sym) and mode in _PAD_STATISTICS:
        return rt.pad_statistic_tangent(d, x, pad_width, mode, **_pad_options(mode, options))
    if isinstance(mode, Sym):  # (a mode known only as the code runs: a statistic's tangent reads x)
        return rt.pad_tangent(d, pad_width, mode, **_pad_options(mode, options), x=x)
    return rt.pad_tangent(d, pad_width, mode, **_pad_options(mode, options))


# np.pad(x, w, constant_values=v) is linear in x and v jointly: v's tangent is the pad of zeros with it, its adjoint
# the sum of g where each part of v was written (rt.pad_adjoint_values)
linear("numpy.pad", lambda g, ans, x, pad_width, mode="constant", constant_values=0, **options:
       rt.pad_adjoint(g, x, pad_width, **non_default(mode=(mode, "constant")), **_pad_options(mode, options)),
       None, None,
       lambda g, ans, x, pad_width, mode="constant", constant_values=0, **options:
       rt.pad_adjoint_values(g, x, pad_width, constant_values),
       tangent=[_pad_tangent, None, None,
                lambda d, ans, x, pad_width, mode="constant", constant_values=0, **options:
                np.pad(np.zeros(np.shape(x)), pad_width, constant_values=d)])
linear("numpy.copy", lambda g, ans, x, order="K": g)
linear("numpy.ndarray.copy", lambda g, ans, x, order="K": g)  # (x.copy() of a list or a dict: a list or a dict)
for _key in ("numpy.array", "numpy.asarray", "numpy.asanyarray", "numpy.ascontiguousarray"):
    linear(_key, lambda g, ans, x, dtype=None, **_: rt.array_adjoint(g, x),
           tangent=lambda d, ans, x, dtype=None, **_: rt.array_tangent(d, ans))
# (of a vector x, NumPy's triangle is a matrix, x broadcast along its rows: its rows are summed back)
linear("numpy.tril", lambda g, ans, x, k=0: rt.unbroadcast(np.tril(g, **non_default(k=(k, 0))), x))
linear("numpy.triu", lambda g, ans, x, k=0: rt.unbroadcast(np.triu(g, **non_default(k=(k, 0))), x))
linear("numpy.diagonal", lambda g, ans, x, offset=0, axis1=0, axis2=1:
       rt.diagonal_adjoint(g, x, **non_default(offset=(offset, 0), axis1=(axis1, 0), axis2=(axis2, 1))))
linear("numpy.diag", lambda g, ans, x, k=0: rt.diag_adjoint(g, x, **non_default(k=(k, 0))))

# ---------------------------------------------------------------- constructors: every entry is the fill value
# (np.arange's and np.linspace's are in rules/breadth.py)
linear("numpy.full", None, lambda g, ans, shape, fill_value, dtype=None: rt.unbroadcast(g, fill_value),
       tangent=(None, lambda d, ans, shape, fill_value, dtype=None: rt.broadcast_tangent(d, ans)), of_shape=True)
# np.full_like(a, v) has a's type: v is cast to it, rounded where a holds integers or bools (np.zeros(3, dtype=int)),
# and has no derivative then. Unless a surely holds floats (or dtype= is given: rounding types make no derivative,
# ad/analysis.py), the cast's adjoint and tangent, zero for such a type, are taken when it runs.
linear("numpy.full_like", None, lambda g, ans, a, fill_value, dtype=None:
       rt.unbroadcast(g if dtype is not None or floating(a) else rt.astype_tangent(g, ans), fill_value),
       tangent=(None, lambda d, ans, a, fill_value, dtype=None:
                rt.broadcast_tangent(d, ans) if dtype is not None or floating(a) else rt.astype_tangent(d, ans)))

# ---------------------------------------------------------------- selection by index


def _taken(x, indices, axis, mode):
    """The indices np.take(x, indices, axis, mode=) reads: mode='wrap' and 'clip' brought into range."""
    if same(mode, "raise"):
        return indices
    return rt.taken_indices(x, indices, **non_default(axis=(axis, None)), mode=mode)


_parameters(linear("numpy.take", lambda g, ans, x, indices, axis=None, mode="raise":
                   rt.take_adjoint(g, x, _taken(x, indices, axis, mode), **non_default(axis=(axis, None)))),
            ("a", REQUIRED), ("indices", REQUIRED), ("axis", None))
nondiff("s2s.runtime.taken_indices")
_parameters(linear("numpy.take_along_axis", lambda g, ans, x, indices, axis=-1:
                   rt.take_along_axis_adjoint(g, x, indices, axis)),
            ("arr", REQUIRED), ("indices", REQUIRED), ("axis", REQUIRED))

# ---------------------------------------------------------------- joining and splitting (a sequence: a list adjoint)
linear("numpy.concatenate", lambda g, ans, seq, axis=0, **_: rt.concatenate_adjoint(g, seq, **non_default(axis=(axis, 0))))
linear("numpy.stack", lambda g, ans, seq, axis=0, **_: rt.stack_adjoint(g, seq, **non_default(axis=(axis, 0))))
linear("numpy.hstack", lambda g, ans, seq, **_: rt.hstack_adjoint(g, seq))
linear("numpy.vstack", lambda g, ans, seq, **_: rt.vstack_adjoint(g, seq))
linear("numpy.dstack", lambda g, ans, seq: rt.dstack_adjoint(g, seq))
linear("numpy.column_stack", lambda g, ans, seq: rt.column_stack_adjoint(g, seq))


# the parts' adjoints joined back where the pieces are consecutive: a number of sections, or indices in a tuple that
# do not decrease and are not negative; otherwise (a list, known only at run time) rt.split_adjoint adds each back
# at its slice, as np.split(x, [2, 1]) gives x[:2], x[2:1], x[1:], pieces that overlap
def _in_order(indices) -> bool:
    if isinstance(indices, int):
        return True
    return isinstance(indices, tuple) and all(isinstance(i, int) and i >= 0 for i in indices) and \
        all(a <= b for a, b in zip(indices, indices[1:]))


def _split_transpose(join, axis_of):
    def transpose(g, ans, x, indices_or_sections, axis=0):
        if _in_order(indices_or_sections):
            return join(g, axis)
        return rt.split_adjoint(g, x, indices_or_sections, **non_default(axis=(axis_of(x, axis), 0)))
    return transpose


for _key in ("numpy.split", "numpy.array_split"):
    linear(_key, _split_transpose(lambda g, axis: np.concatenate(g, **non_default(axis=(axis, 0))),
                                  lambda x, axis: axis))
# (hsplit's axis is 1, or 0 for a vector)
linear("numpy.hsplit", _split_transpose(lambda g, axis: np.hstack(g), lambda x, axis: builtins.min(np.ndim(x) - 1, 1)))
linear("numpy.vsplit", _split_transpose(lambda g, axis: np.vstack(g), lambda x, axis: 0))
linear("numpy.dsplit", _split_transpose(lambda g, axis: np.dstack(g), lambda x, axis: 2))

# ---------------------------------------------------------------- math.fsum: the builtin sum's rules, rounded once
# (linear; of a sequence: its items are not numbers because its sum is, as the analyses read math's functions)
define("math.fsum", [lambda g, ans, xs: rt.sum_builtin_adjoint(g, xs)], [lambda d, ans, xs: math.fsum(d)],
       kind="linear", of_sequences=True, rank=lambda ranks, kwargs: 0)

# ---------------------------------------------------------------- grids, windows, polynomials
def _meshgrid_adjoint(k):
    """The adjoint of np.meshgrid's k-th input: its output summed over the axes it is broadcast along."""
    def adjoint(g, ans, *xs, copy=True, sparse=False, indexing="xy"):
        if isinstance(indexing, Sym):
            refuse("numpy.meshgrid", "np.meshgrid with an indexing= known only at run time",
                   "write indexing='xy' or indexing='ij'")
        n = len(xs)
        axis = 1 - k if indexing == "xy" and n >= 2 and k < 2 else k  # ('xy': the first two axes swapped)
        others = tuple(a for a in range(n) if a != axis)
        part = g[k]
        return np.reshape(np.sum(part, axis=others if len(others) > 1 else others[0]) if others else part,
                          np.shape(xs[k]))
    return adjoint


# np.meshgrid(*xs): output k broadcasts xs[k] (ravelled) along the other axes: linear, its tangent the grid of
# the tangents (zeros for inputs without one)
define("numpy.meshgrid", [_meshgrid_adjoint(k) for k in range(32)],
       tangent_fn=lambda tangents, ans, *xs, **kwargs: np.meshgrid(
           *(t if t is not None else np.zeros(np.shape(x)) for t, x in zip(list(tangents) + [None] * len(xs), xs)),
           **kwargs))


# np.kaiser(M, beta): read as NumPy's own formula, i0(beta sqrt(1 - ((n - alpha) / alpha) ** 2)) / i0(beta) with
# n = arange(0, M), alpha = (M - 1) / 2, whose parts have rules (followed into NumPy's source, it stopped at arange of
# M, which NumPy takes from an array holding beta). alpha is at least 0.5 in the division: M = 1 gives [1.] as NumPy
# does (its special case), any other M NumPy's values bit for bit
def _kaiser(materialise, M, beta):
    def call(op, *args):
        return materialise(ir.Call(op, args))
    alpha = call("truediv", call("sub", M, ir.Const(1)), ir.Const(2.0))
    n = call(f"{np._prefix}.arange", ir.Const(0), M)
    ratio = call("truediv", call("sub", n, alpha), call(f"{np._prefix}.maximum", alpha, ir.Const(0.5)))
    root = call(f"{np._prefix}.sqrt", call("sub", ir.Const(1), call("pow", ratio, ir.Const(2.0))))
    return ir.Call("truediv", (call(f"{np._prefix}.i0", call("mul", beta, root)), call(f"{np._prefix}.i0", beta)))


reading("numpy.kaiser", _kaiser, parameters=(("M", REQUIRED), ("beta", REQUIRED)))


# np.polyder(p, m): the coefficients p[i] (n - 1 - i) ... (n - m - i): linear
linear("numpy.polyder", lambda g, ans, p, m=1: rt.polyder_adjoint(g, p, **non_default(m=(m, 1))))

# ---------------------------------------------------------------- NumPy 2's np.linalg spellings of the functions above
def _last_two_axes(args):
    """(x, offset, axis1=-2, axis2=-1) for np.linalg.trace(x, offset=, dtype=) and np.linalg.diagonal(x, offset=)."""
    if len(args) > 2 and not constant_is(args[2], None):  # (a dtype= of trace)
        return None
    return (args[0], args[1] if len(args) > 1 else ir.Const(0), ir.Const(-2), ir.Const(-1))


alias("numpy.linalg.trace", f"{np._prefix}.trace", (("x", REQUIRED), ("offset", 0), ("dtype", None)), _last_two_axes,
      "np.trace(x, offset, axis1=-2, axis2=-1)")
alias("numpy.linalg.diagonal", f"{np._prefix}.diagonal", (("x", REQUIRED), ("offset", 0)), _last_two_axes,
      "np.diagonal(x, offset, axis1=-2, axis2=-1)")

# np.rollaxis(x, axis, start): np.moveaxis(x, axis, start), or to start - 1 where axis comes before start (a view
# either way); the two are compared as given where their signs agree (a negative one counts from the end, as
# NumPy adds x.ndim to it), which any start=0 does
def _rolled(args):
    x, axis, start = args[0], args[1], args[2] if len(args) > 2 else ir.Const(0)
    if not (isinstance(axis, ir.Const) and isinstance(start, ir.Const) and type(axis.value) is int and
            type(start.value) is int):
        return None
    if start.value == 0:
        return (x, axis, start)
    if (axis.value < 0) != (start.value < 0):
        return None
    return (x, axis, ir.Const(start.value - 1 if axis.value < start.value else start.value))


alias("numpy.rollaxis", f"{np._prefix}.moveaxis", (("a", REQUIRED), ("axis", REQUIRED), ("start", 0)), _rolled,
      "np.moveaxis(x, axis, destination), the destination the position the axis ends at (np.rollaxis(x, -1, 1) "
      "of a 3-d x is np.moveaxis(x, -1, 1))")


# NumPy 2's np.unstack(x, axis=k): the views x[i] along axis k, tuple(np.moveaxis(x, k, 0)) (whose rows are views),
# for an axis given as a number
def _unstacked(materialise, x, axis=ir.Const(0)):
    if not (isinstance(axis, ir.Const) and type(axis.value) is int):
        return ir.Call("numpy.unstack", (x, axis))
    if axis.value != 0:
        x = materialise(ir.Call(f"{np._prefix}.moveaxis", (x, axis, ir.Const(0))))
    return ir.Call("builtins.tuple", (x,))


def _unstack_refusal(*args, **kwargs):
    refuse("numpy.unstack", "np.unstack with an axis known only at run time has no derivative rule in s2s",
           "write tuple(np.moveaxis(x, axis, 0)), the same views")


reading("numpy.unstack", _unstacked, _unstack_refusal, parameters=(("x", REQUIRED), ("axis", 0)))

# ---------------------------------------------------------------- more shapes and selections
# np.diagflat(v, k): the entries of v on the k-th diagonal; the adjoint reads that diagonal back
linear("numpy.diagflat", lambda g, ans, v, k=0: np.reshape(np.diagonal(g, **non_default(offset=(k, 0))), np.shape(v)))
linear("numpy.asfortranarray", lambda g, ans, x, dtype=None, **_: rt.array_adjoint(g, x),
       tangent=lambda d, ans, x, dtype=None, **_: rt.array_tangent(d, ans))
# np.broadcast_arrays(*xs): each output broadcasts its input (summed back), the tangents broadcast alike
define("numpy.broadcast_arrays", [lambda g, ans, *xs, i=i, **kwargs: rt.unbroadcast(g[i], xs[i]) for i in range(32)],
       tangent_fn=lambda tangents, ans, *xs, **kwargs: np.broadcast_arrays(
           *(t if t is not None else np.zeros(np.shape(x)) for t, x in zip(list(tangents) + [None] * len(xs), xs)),
           **kwargs))


def _selected(key):
    """np.compress(condition, a, axis) and np.extract(condition, a) are np.take(a, np.flatnonzero(condition),
    axis) (NumPy's own definition of extract; compress selects the same entries): read so, with take's rules."""
    def lowered(materialise, condition, a, axis=None, out=None):
        if not constant_is(out if out is not None else ir.Const(None), None):
            return ir.Call(key, (condition, a, axis, out))
        index = materialise(ir.Call(f"{np._prefix}.flatnonzero", (condition,)))
        return ir.Call(f"{np._prefix}.take", (a, index) if axis is None or constant_is(axis, None) else (a, index, axis))

    def refusal(*args, **kwargs):
        refuse(key, f"{key.replace('numpy.', 'np.')} with out= has no rule in s2s", "assign the result instead")
    return lowered, refusal


reading("numpy.compress", *_selected("numpy.compress"),
        parameters=(("condition", REQUIRED), ("a", REQUIRED), ("axis", None), ("out", None)))
reading("numpy.extract", *_selected("numpy.extract"), parameters=(("condition", REQUIRED), ("arr", REQUIRED)))
# x.compress(condition, axis), np.compress(condition, x, axis) as a method (which the reading above does not see):
# linear in x, its transpose g put back at the entries selected (np.flatnonzero(condition), as np.take reads them)
def _compress_transpose(g, ans, a, condition, axis=None, out=None):
    if out is not None:
        refuse("numpy.compress", "x.compress with out= has no rule in s2s", "assign the result instead")
    return rt.take_adjoint(g, a, np.flatnonzero(condition), **non_default(axis=(axis, None)))


linear("numpy.ndarray.compress", _compress_transpose, None)
