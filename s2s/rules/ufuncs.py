"""Methods of NumPy's ufuncs: `np.subtract.outer(x, y)`, `np.add.reduce(x)`, `np.maximum.accumulate(x)`.

The front end (front/calls.py) reads `np.f.method(...)` as the record `'numpy.f.method'` (f the key of
the ufunc's own record: `np.true_divide` is `'numpy.divide'`), its arguments placed by the record's
fact `parameters` (NumPy's, in order). Those it does not name in `accepts` are accepted only at their
defaults: `out=`, `dtype=`, `where=`, `initial=` are refused at the user's line, as are `.reduceat` (but
np.add.reduceat, the sums of slices, which has rules) and the `.at` of ufuncs other than add and subtract (front/calls.py says what to write instead). The statement
`np.add.at(y, index, v)` is the element write `y[index] = rt.added_at(y, *index, v)` (front/effects.py); the
rules of rt.added_at close this module. Where a method is another NumPy function
exactly, the call is read as that function and takes its rules in every mode:

    np.f.outer(a, b)            np.f(np.reshape(a, np.shape(a) + (1,) * np.ndim(b)), np.reshape(b, np.shape(b)))
    np.add.reduce(x, axis)      np.sum(x, axis=axis)       (np.sum is np.add.reduce; so np.prod, np.max,
    np.multiply.reduce          np.prod                     np.min, np.all and np.any are the reductions
    np.maximum.reduce           np.max                      of their ufuncs: the same values, bit for bit)
    np.minimum.reduce           np.min
    np.logical_and.reduce       np.all
    np.logical_or.reduce        np.any

(note the default axis of reduce: 0, where np.sum's is None). The others keep NumPy's own call and have
rules of their own: `np.add.accumulate` and `np.multiply.accumulate` those of np.cumsum and np.cumprod
(they are those functions for an array, but NumPy raises for a number and for axis=None, where np.cumsum
makes [x] or flattens x); `np.logaddexp.reduce` and `np.logaddexp2.reduce` (d/dx = exp(x - ans), the
softmax of x along the axis; 2 ** (x - ans)), `np.logaddexp.accumulate` (the running log-sum-exp: exp(x_j - ans_i)
for j <= i); `np.fmax.reduce` and `np.fmin.reduce` np.nanmax's; and the
running extrema `np.maximum.accumulate`, `np.minimum.accumulate`, `np.fmax.accumulate`, `np.fmin.accumulate`
(the derivative of each entry of the result goes to the entries that hold its extremum, shared equally
among ties as np.max's rule shares it: rt.running_extremum_adjoint).
"""
from __future__ import annotations

from s2s import ir, prims
from s2s.rules.primitive import constant_is, define, given, non_default, reading, refuse
from s2s.rules.registry import REQUIRED, NotBatchable
from s2s.rules.runtime_helpers import RT, helper
from s2s.rules.symbolic import Sym, emit, np, rt

NOVALUE = object()  # initial=: NumPy's <no value> (any value given is refused)
OUTER = (("A", REQUIRED), ("B", REQUIRED))
REDUCE = (("array", REQUIRED), ("axis", 0), ("dtype", None), ("out", None), ("keepdims", False),
          ("initial", NOVALUE), ("where", True))
ACCUMULATE = (("array", REQUIRED), ("axis", 0), ("dtype", None), ("out", None))


def method(key: str, parameters: tuple, accepts: tuple, lowered=None, refusal=None, **rules):
    """The record of a ufunc method: read as `lowered` builds it, or (with `rules`, those of `define`) a call
    of its own. `parameters`: NumPy's, (name, default) in order; `accepts`: those the front end passes on."""
    p = reading(key, lowered, refusal) if lowered is not None else define(key, **rules)
    p.facts.update(parameters=parameters, accepts=accepts)
    return p


# ---------------------------------------------------------------- outer: the ufunc of a and b on crossed axes
def _outer(key: str):
    """np.f.outer(a, b) = np.f(a with np.ndim(b) axes of length 1 appended, b as an array): NumPy's definition
    (outer makes arrays of both: a Python number b is no weak scalar there, np.multiply.outer(w32, 1.5) is float64
    in NumPy 2, as np.multiply(w32, np.asarray(1.5)) is); the ranks are known only at run time, so the new shape is
    written out."""
    ufunc = key[:-len(".outer")]

    def lowered(materialise, A, B):
        ones = materialise(ir.Call("mul", (ir.Const((1,)), materialise(ir.Call(prims.NDIM, (B,))))))
        shape = materialise(ir.Call("add", (materialise(ir.Call(prims.SHAPE, (A,))), ones)))
        if isinstance(B, ir.Const):  # (a number: no derivative, NumPy's array of it)
            B = materialise(ir.Call(f"{np._prefix}.asarray", (B,)))
        else:  # (an array, or a Python number at run time: np.reshape makes one, with reshape's rules in every mode)
            B = materialise(ir.Call(f"{np._prefix}.reshape", (B, materialise(ir.Call(prims.SHAPE, (B,))))))
        return ir.Call(ufunc, (materialise(ir.Call(f"{np._prefix}.reshape", (A, shape))), B))
    return lowered


for _key in ("numpy.add.outer", "numpy.subtract.outer", "numpy.multiply.outer", "numpy.divide.outer",
             "numpy.power.outer", "numpy.float_power.outer", "numpy.mod.outer", "numpy.fmod.outer",
             "numpy.maximum.outer", "numpy.minimum.outer", "numpy.fmax.outer", "numpy.fmin.outer",
             "numpy.arctan2.outer", "numpy.hypot.outer", "numpy.logaddexp.outer", "numpy.logaddexp2.outer",
             "numpy.copysign.outer", "numpy.ldexp.outer", "numpy.floor_divide.outer", "numpy.heaviside.outer",
             "numpy.equal.outer", "numpy.not_equal.outer", "numpy.greater.outer", "numpy.greater_equal.outer",
             "numpy.less.outer", "numpy.less_equal.outer", "numpy.logical_and.outer", "numpy.logical_or.outer",
             "numpy.logical_xor.outer"):
    method(_key, OUTER, ("A", "B"), _outer(_key))


# ---------------------------------------------------------------- reduce: the NumPy reduction it is
def _reduction(target: str):
    def lowered(materialise, array, axis=ir.Const(0), keepdims=ir.Const(False)):
        kwargs = (("axis", axis),) + ((("keepdims", keepdims),) if not constant_is(keepdims, False) else ())
        return ir.Call(target, (array,), kwargs)
    return lowered


method("numpy.add.reduce", REDUCE, ("array", "axis", "keepdims"), _reduction(f"{np._prefix}.sum"))
method("numpy.multiply.reduce", REDUCE, ("array", "axis", "keepdims"), _reduction(f"{np._prefix}.prod"))
method("numpy.maximum.reduce", REDUCE, ("array", "axis", "keepdims"), _reduction(f"{np._prefix}.max"))
method("numpy.minimum.reduce", REDUCE, ("array", "axis", "keepdims"), _reduction(f"{np._prefix}.min"))
method("numpy.logical_and.reduce", REDUCE, ("array", "axis", "keepdims"), _reduction(f"{np._prefix}.all"))
method("numpy.logical_or.reduce", REDUCE, ("array", "axis", "keepdims"), _reduction(f"{np._prefix}.any"))


# ---------------------------------------------------------------- accumulate: the running sum and product
# NumPy's own call, with np.cumsum's and np.cumprod's rules: np.add.accumulate(x, axis) is np.cumsum(x, axis=axis)
# for an array, but NumPy raises for a number (np.cumsum(3.0, axis=0) makes [3.0]) and for axis=None (np.cumsum
# would flatten x). The tangent of the running sum is the running sum of the tangent.
method("numpy.add.accumulate", ACCUMULATE, ("array", "axis"),
       adjoints=[lambda g, ans, x, axis=0: rt.cumsum_adjoint(g, x, axis=axis)],
       tangents=[lambda d, ans, x, axis=0: emit("numpy.add.accumulate", d, **non_default(axis=(axis, 0)))],
       rank_of_argument=0)
method("numpy.multiply.accumulate", ACCUMULATE, ("array", "axis"),
       adjoints=[lambda g, ans, x, axis=0: rt.cumprod_adjoint(g, ans, x, axis=axis)],
       tangents=[lambda d, ans, x, axis=0: rt.cumprod_tangent(d, ans, x, axis=axis)], rank_of_argument=0)


# ---------------------------------------------------------------- reduceat: sums of slices
# np.add.reduceat(x, indices, axis=0) sums x[indices[k]:indices[k + 1]] along the axis (linear in x): its adjoint
# gives each entry the g of its slice, its tangent is the sums of the tangent's slices
REDUCEAT = (("array", REQUIRED), ("indices", REQUIRED), ("axis", 0), ("dtype", None), ("out", None))


def _reduceat_batched(d, ans, x, indices, axis=0):
    if isinstance(axis, Sym):
        raise NotBatchable("numpy.add.reduceat")  # (the batch axis shifts an axis only the run time knows)
    return emit("numpy.add.reduceat", d, indices, axis=axis + 1 if axis >= 0 else axis)


method("numpy.add.reduceat", REDUCEAT, ("array", "indices", "axis"),
       adjoints=[lambda g, ans, x, indices, axis=0: rt.reduceat_adjoint(g, x, indices, **non_default(axis=(axis, 0)))],
       tangents=[lambda d, ans, x, indices, axis=0: emit("numpy.add.reduceat", d, indices, **non_default(axis=(axis, 0)))],
       batched=[_reduceat_batched], rank_of_argument=0)
helper("reduceat_adjoint", lambda G, g, x, indices, axis=0: emit("numpy.add.reduceat", G, indices,
                                                                   **non_default(axis=(axis, 0))),
       rank_of_argument=1)


# ---------------------------------------------------------------- np.logaddexp.reduce: log(sum(exp(x))), kept stable
def _expanded(v, axis, keepdims):
    """`v`, a result reduced over `axis`, with that axis put back (length 1) to broadcast against x."""
    if isinstance(axis, Sym) or isinstance(keepdims, Sym):
        refuse("numpy.logaddexp.reduce", "np.logaddexp.reduce with an axis or keepdims known only at run time "
               "has no rule in s2s", "write them as constants: np.logaddexp.reduce(x, axis=1)")
    return v if axis is None or keepdims else np.expand_dims(v, axis)


def _log_sum_exp(key: str, exp):
    """The record of np.logaddexp.reduce (exp: np.exp) or np.logaddexp2.reduce (np.exp2, log2(sum(2 ** x))):
    d ans / dx = exp(x - ans), the weights of x's entries along the axis (they sum to 1)."""
    def softmax(ans, x, axis, keepdims):
        return exp(x - _expanded(ans, axis, keepdims))
    method(key, REDUCE, ("array", "axis", "keepdims"),
           adjoints=[lambda g, ans, x, axis=0, keepdims=False:
                     _expanded(g, axis, keepdims) * softmax(ans, x, axis, keepdims)],
           tangents=[lambda d, ans, x, axis=0, keepdims=False: np.sum(
               softmax(ans, x, axis, keepdims) * d, **non_default(axis=(axis, None), keepdims=(keepdims, False)))],
           batched=[lambda d, ans, x, axis=0, keepdims=False:
                    rt.batch_sum(softmax(ans, x, axis, keepdims) * d, axis, keepdims)])


_log_sum_exp("numpy.logaddexp.reduce", np.exp)
_log_sum_exp("numpy.logaddexp2.reduce", np.exp2)


# ---------------------------------------------------------------- the running log-sum-exp: np.logaddexp.accumulate
# y_i = log sum_{j <= i} exp(x_j): dy_i / dx_j = exp(x_j - y_i) for j <= i, a matrix A; the tangent is T(d) = A d
# (rt.running_logsumexp_tangent), the adjoint A^T g (rt.running_logsumexp_adjoint). Both helpers are linear in their
# first argument and each the other's transpose; in x and in y they move as A does (dA_ij = A_ij (dx_j - dy_i)), so
# their own rules are written with the two of them, and every order has one
def _lse_tangent(d, ans, x, axis=0):
    return rt.running_logsumexp_tangent(d, ans, x, **non_default(axis=(axis, 0)))


def _lse_adjoint(g, ans, x, axis=0):
    return rt.running_logsumexp_adjoint(g, ans, x, **non_default(axis=(axis, 0)))


method("numpy.logaddexp.accumulate", ACCUMULATE, ("array", "axis"), adjoints=[_lse_adjoint], tangents=[_lse_tangent],
       batched=[_lse_tangent], rank_of_argument=0)
# T(v; y, x) = A v: in v, T; in y (direction a), -T(v) a; in x (direction e), T(v e)
_T_RULES = dict(
    adjoints=[lambda G, out, v, ans, x, axis=0: _lse_adjoint(G, ans, x, axis),
              lambda G, out, v, ans, x, axis=0: -(out * G),
              lambda G, out, v, ans, x, axis=0: v * _lse_adjoint(G, ans, x, axis)],
    tangents=[lambda d, out, v, ans, x, axis=0: _lse_tangent(d, ans, x, axis),
              lambda d, out, v, ans, x, axis=0: -(out * d),
              lambda d, out, v, ans, x, axis=0: _lse_tangent(v * d, ans, x, axis)])
# A^T g: in g, A^T; in y (direction a), -A^T (g a); in x (direction e), (A^T g) e
_ADJOINT_RULES = dict(
    adjoints=[lambda G, out, g, ans, x, axis=0: _lse_tangent(G, ans, x, axis),
              lambda G, out, g, ans, x, axis=0: -(g * _lse_tangent(G, ans, x, axis)),
              lambda G, out, g, ans, x, axis=0: out * G],
    tangents=[lambda d, out, g, ans, x, axis=0: _lse_adjoint(d, ans, x, axis),
              lambda d, out, g, ans, x, axis=0: -_lse_adjoint(g * d, ans, x, axis),
              lambda d, out, g, ans, x, axis=0: out * d])
for _key, _rules in ((RT + "running_logsumexp_tangent", _T_RULES), (RT + "running_logsumexp_adjoint", _ADJOINT_RULES)):
    define(_key, **_rules, batched=_rules["tangents"], rank_of_argument=2)


# ---------------------------------------------------------------- np.fmax.reduce, np.fmin.reduce: np.nanmax's rules
# (np.nanmax is np.fmax.reduce with a warning for a line of NaNs: NumPy's call is kept, NaN entries get no
# derivative, and their tangents, often NaN too, are left out; a tie shares it equally as np.max's rule does; the
# default axis is 0)
for _key in ("numpy.fmax.reduce", "numpy.fmin.reduce"):
    method(_key, REDUCE, ("array", "axis", "keepdims"),
           adjoints=[lambda g, ans, x, axis=0, keepdims=False: rt.extremum_adjoint(
               g, ans, x, **non_default(axis=(axis, None), keepdims=(keepdims, False)))],
           tangents=[lambda d, ans, x, axis=0, keepdims=False: rt.extremum_tangent(
               np.where(np.isnan(x), 0.0, d), ans, x, **given(axis=axis, keepdims=keepdims or None))])


# ---------------------------------------------------------------- running extrema: np.maximum.accumulate, np.minimum
def _running_adjoint(g, ans, x, axis=0):
    return rt.running_extremum_adjoint(g, ans, x, **non_default(axis=(axis, 0)))


def _running_tangent(d, ans, x, axis=0):
    return rt.running_extremum_tangent(d, ans, x, **non_default(axis=(axis, 0)))


method("numpy.maximum.accumulate", ACCUMULATE, ("array", "axis"), adjoints=[_running_adjoint],
       tangents=[_running_tangent], batched=[_running_tangent], rank_of_argument=0)
method("numpy.minimum.accumulate", ACCUMULATE, ("array", "axis"), adjoints=[_running_adjoint],
       tangents=[_running_tangent], batched=[_running_tangent], rank_of_argument=0)
# np.fmax.accumulate, np.fmin.accumulate: a NaN entry holds no running extremum and the line goes on past it
method("numpy.fmax.accumulate", ACCUMULATE, ("array", "axis"), adjoints=[_running_adjoint],
       tangents=[_running_tangent], batched=[_running_tangent], rank_of_argument=0)
method("numpy.fmin.accumulate", ACCUMULATE, ("array", "axis"), adjoints=[_running_adjoint],
       tangents=[_running_tangent], batched=[_running_tangent], rank_of_argument=0)
# their helpers: linear in g (d), piecewise constant in ans and x; each the other's transpose, batches as they are
helper("running_extremum_adjoint", lambda G, g, ans, x, axis=0: _running_tangent(G, ans, x, axis),
       lambda d, out, g, ans, x, axis=0: _running_adjoint(d, ans, x, axis), rank_of_argument=2)
helper("running_extremum_tangent", lambda G, d, ans, x, axis=0: _running_adjoint(G, ans, x, axis),
       lambda dd, out, d, ans, x, axis=0: _running_tangent(dd, ans, x, axis), rank_of_argument=2)


# ---------------------------------------------------------------- np.add.at(y, i, v): y[i] = rt.added_at(y, *i, v)
# The front end (front/effects.py) writes the scatter-add as that element write, so the element write's rules
# carry y's other entries and its saves; rt.added_at is the linear map (y, v) -> out, out[k] = y[p_k] + the sum of
# v's entries m with p_m = p_k (v broadcast to y[index]'s shape): its transpose adds g up at the index into zeros
# like y (rt.getitem_adjoint, as a read x[index] with repeats sums), which v reads back at the index.
def _scattered(g, y, rest):
    """g (shaped like y[index]) added up at the index into zeros like y: the adjoint of y, and v's before it
    reads its entries back."""
    return rt.getitem_adjoint(g, y, *rest[:-1])


def _added_at_tangent(tangents, ans, y, *rest):
    dy, dv = tangents[0], tangents[-1]
    if dv is None:
        return emit("getitem", dy, *rest[:-1])
    return rt.added_at(rt.zeros_like(y) if dy is None else dy, *rest[:-1], dv)


def _batch_added_at(i):
    """Vector mode, the tangents of y (i = 0) or of v (any other position) alone."""
    return lambda d, ans, y, *rest: rt.batch_added_at(d, None, y, *rest) if i == 0 else \
        rt.batch_added_at(None, d, y, *rest)


define(RT + "added_at",
       [lambda g, ans, y, *rest: _scattered(g, y, rest)]
       + [lambda g, ans, y, *rest: rt.unbroadcast(emit("getitem", _scattered(g, y, rest), *rest[:-1]), rest[-1])] * 32,
       tangent_fn=_added_at_tangent,
       batched=[_batch_added_at(0)] + [_batch_added_at(1)] * 32,
       batched_fn=lambda tangents, ans, y, *rest: rt.batch_added_at(tangents[0], tangents[-1], y, *rest))
