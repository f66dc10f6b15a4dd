"""NumPy functions beyond the core set: spaced samples, counting, partial sorting, building and cutting arrays,
tensor solves; one record each.

- `np.linspace(start, stop, num)` is linear in (start, stop): its transpose weighs g by the fractions
  1 - t and t of each sample (t = np.linspace(0.0, 1.0, num)) and sums over the samples' axis.
  `np.logspace` is base ** linspace, `np.geomspace` start * (stop / start) ** t: the same fractions times the
  result. num, endpoint and axis are read as given; retstep=True is refused. dtype= casts the samples: the
  derivative is the cast's (a float type's the identity, an integer type's zero: the samples rounded), decided
  at run time by the result's type as for x.astype(dtype).
- `np.arange(start, stop, step)` is start + step * k for k = 0, 1, ...: linear in start and step; stop only
  decides how many samples there are (piecewise constant in it, as floor is): its derivative is zero, and so is
  that of np.arange(stop). An integer dtype rounds: the cast's derivative, as for np.linspace.
- `np.bincount(x, weights)` is linear in the weights; its transpose gathers g at x.
- `np.partition` and `np.unique` (its values) permute or select their argument: the derivative follows each
  entry to where it went (rt.partition_order, rt.unique_order). np.unique has no derivative at a value that
  occurs more than once (refused at run time).
- `np.block`, `np.choose`, `np.insert`, `np.delete`, `np.resize` are linear; their transposes are runtime
  helpers (runtime/breadth.py) whose own transposes are the functions themselves.
- `np.polyadd`, `np.polysub` and `np.polyint` are linear in the coefficients (np.polyint also in its constants k);
  `np.polymul` is np.convolve of them, except at a leading coefficient 0, which it drops (no derivative there).
- `np.unwrap` adds multiples of the period that are constant between jumps: its derivative is the identity.
- `np.linalg.tensorsolve` and `np.linalg.tensorinv` are `np.linalg.solve` and `np.linalg.inv` of the
  reshaped arrays, and are differentiated as those.
- `np.i0(x)` is (1 / pi) times the integral of exp(x cos t) over [0, pi]: its k-th derivative is the moment with
  cos(t) ** k (rt.bessel_moment), I1(x) for k = 1, which NumPy does not have.
"""
from __future__ import annotations

import math as _math
import numbers

import numpy as _numpy

from s2s import ir
from s2s.rules.primitive import define, elementwise, given, linear, non_default, nondiff, read_first, refuse
from s2s.rules.registry import REQUIRED
from s2s.rules.symbolic import Sym, emit, np, rt


# ================================================================ np.linspace, np.logspace, np.geomspace
def _sampling(key, retstep=False):
    if retstep is not False:
        refuse(key, "retstep=True returns the step too, which has no rule",
               "compute the step as (stop - start) / (num - 1) beside the call")


def _cast_adjoint(adjoint, end, ans, dtype):
    """The adjoint of an end through samples cast to `dtype` (given): the cast's, as x.astype(dtype)'s."""
    return adjoint if dtype is None else rt.astype_adjoint(adjoint, end, ans)


def _cast_tangent(tangent, ans, dtype):
    return tangent if dtype is None else rt.astype_tangent(tangent, ans)


def _fractions(num, endpoint, first, last):
    """The weights of start (first=1.0, last=0.0) or of stop (0.0, 1.0) in each sample."""
    return np.linspace(first, last, num, **non_default(endpoint=(endpoint, True)))


def _over_samples(w, g, axis):
    """The sum over the samples' axis of g times the weight of each sample."""
    if not isinstance(axis, Sym) and axis == 0:
        return np.tensordot(w, g, 1)
    return np.tensordot(w, g, emit("tuple", 0, axis))


def _part(tangents, i):
    return tangents[i] if len(tangents) > i else None


def _spaced(tangents, start, stop, num, endpoint, axis, scale=None):
    """np.linspace(dstart, dstop, num, ...) of the ends' tangents (each times its `scale`: a function of the end
    and its tangent), an end without one given as zeros of its shape, which places the samples' axis."""
    ends = []
    for i, end in enumerate((start, stop)):
        d = _part(tangents, i)
        if d is None:
            ends.append(0.0 if isinstance(end, numbers.Number) else np.zeros(np.shape(end)))
        else:
            ends.append(d if scale is None else scale(d, end))
    return np.linspace(*ends, num, **non_default(endpoint=(endpoint, True), axis=(axis, 0)))


def _linspace_adjoint(start_side):
    def adjoint(g, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, device=None):
        _sampling("numpy.linspace", retstep)
        w = _fractions(num, endpoint, *((1.0, 0.0) if start_side else (0.0, 1.0)))
        end = start if start_side else stop
        return _cast_adjoint(rt.unbroadcast(_over_samples(w, g, axis), end), end, ans, dtype)
    return adjoint


def _linspace_tangent(tangents, ans, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0,
                      device=None):
    _sampling("numpy.linspace", retstep)
    return _cast_tangent(_spaced(tangents, start, stop, num, endpoint, axis), ans, dtype)


RT = "s2s.runtime."
_LINSPACE = ("start", "stop", "num", "endpoint", "retstep", "dtype", "axis", "device")


def _linspace_step(materialise, *args, **kwargs):
    """np.linspace(start, stop, num, endpoint, retstep=True) is (np.linspace(start, stop, num, endpoint), (stop -
    start) / div), div being num - 1 (num without the endpoint; NaN where not positive: rt.linspace_divisor), as
    NumPy computes its step; other calls are kept, with the rules above."""
    bound = dict(zip(_LINSPACE, args), **kwargs)
    retstep = bound.pop("retstep", ir.Const(False))
    if not (isinstance(retstep, ir.Const) and retstep.value is True):
        return ir.Call("numpy.linspace", tuple(args), tuple(kwargs.items()))
    placed = tuple(args[:4])
    samples = materialise(ir.Call("numpy.linspace", placed, tuple(
        (k, v) for k, v in bound.items() if _LINSPACE.index(k) >= len(placed))))
    div = materialise(ir.Call(RT + "linspace_divisor", (bound.get("num", ir.Const(50)),
                                                         bound.get("endpoint", ir.Const(True)))))
    delta = materialise(ir.Call(f"{np._prefix}.subtract", (bound["stop"], bound["start"])))
    parts = (samples, materialise(ir.Call("truediv", (delta, div))))
    sequence = getattr(getattr(materialise, "__self__", None), "sequence", None)
    return sequence("tuple", parts) if sequence is not None else ir.Call("tuple", parts)


read_first(define("numpy.linspace", [_linspace_adjoint(True), _linspace_adjoint(False)], tangent_fn=_linspace_tangent),
           _linspace_step)


def _log_of(base):
    return _math.log(base) if isinstance(base, numbers.Real) and not isinstance(base, bool) else np.log(base)


def _logspace_adjoint(start_side):
    def adjoint(g, ans, start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
        w = _fractions(num, endpoint, *((1.0, 0.0) if start_side else (0.0, 1.0)))
        end = start if start_side else stop
        return _cast_adjoint(rt.unbroadcast(_over_samples(w, g * ans, axis) * _log_of(base), end), end, ans, dtype)
    return adjoint


def _logspace_tangent(tangents, ans, start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    return _cast_tangent(ans * _log_of(base) * _spaced(tangents, start, stop, num, endpoint, axis), ans, dtype)


define("numpy.logspace", [_logspace_adjoint(True), _logspace_adjoint(False)], tangent_fn=_logspace_tangent)


# geomspace: y = start (stop / start) ** t, so dy/dstart = y (1 - t) / start and dy/dstop = y t / stop
def _geomspace_adjoint(start_side):
    def adjoint(g, ans, start, stop, num=50, endpoint=True, dtype=None, axis=0):
        w = _fractions(num, endpoint, *((1.0, 0.0) if start_side else (0.0, 1.0)))
        end = start if start_side else stop
        return _cast_adjoint(rt.unbroadcast(_over_samples(w, g * ans, axis) / end, end), end, ans, dtype)
    return adjoint


def _geomspace_tangent(tangents, ans, start, stop, num=50, endpoint=True, dtype=None, axis=0):
    return _cast_tangent(ans * _spaced(tangents, start, stop, num, endpoint, axis, scale=lambda d, end: d / end),
                         ans, dtype)


define("numpy.geomspace", [_geomspace_adjoint(True), _geomspace_adjoint(False)], tangent_fn=_geomspace_tangent)

# ================================================================ np.arange: start + step * k for k = 0, 1, ...
def _arange_start(g, ans, start, stop=None, step=None, dtype=None, like=None):
    if stop is None:  # (np.arange(stop): 0, 1, ..., which do not move with stop)
        return 0.0
    return _cast_adjoint(rt.unbroadcast(np.sum(g), start), start, ans, dtype)


def _arange_step(g, ans, start, stop=None, step=None, dtype=None, like=None):
    return _cast_adjoint(rt.unbroadcast(np.sum(g * np.arange(np.size(ans))), step), step, ans, dtype)


def _arange_tangent(tangents, ans, start, stop=None, step=None, dtype=None, like=None):
    d_start, d_step = _part(tangents, 0) if stop is not None else None, _part(tangents, 2)
    out = 0.0 if d_start is None else d_start * np.ones(np.shape(ans))
    if d_step is not None:
        out = out + d_step * np.arange(np.size(ans))
    return _cast_tangent(out, ans, dtype)


# stop only counts the samples (how many there are is piecewise constant in it, as floor is): no derivative
define("numpy.arange", [_arange_start, lambda g, ans, *args, **kwargs: 0.0, _arange_step], tangent_fn=_arange_tangent)

# ================================================================ np.bincount(x, weights): linear in the weights
_bincount = linear("numpy.bincount", None, lambda g, ans, x, weights=None, minlength=0: g[x])
_bincount.facts["parameters"] = (("x", REQUIRED), ("weights", None), ("minlength", 0))  # (weights=w: its place)


# ================================================================ np.partition, np.unique: entries moved or picked
def _partition_adjoint(g, ans, a, kth, axis=-1, kind="introselect", order=None):
    if axis is None:
        return rt.take_adjoint(g, a, rt.partition_order(ans, a, None))
    return rt.take_along_axis_adjoint(g, a, rt.partition_order(ans, a, axis), axis)


def _partition_tangent(d, ans, a, kth, axis=-1, kind="introselect", order=None):
    if axis is None:
        return np.take(d, rt.partition_order(ans, a, None))
    return np.take_along_axis(d, rt.partition_order(ans, a, axis), axis)


define("numpy.partition", [_partition_adjoint], [_partition_tangent])
nondiff("s2s.runtime.partition_order", "s2s.runtime.unique_order")


def _unique_parts(return_index=False, return_inverse=False, return_counts=False, axis=None):
    """Does np.unique return a tuple (the values first)?"""
    if axis is not None:
        refuse("numpy.unique", "np.unique along an axis picks whole rows, which has no rule",
               "call it without axis= (on the flattened array)")
    flags = (return_index, return_inverse, return_counts)
    if any(isinstance(f, Sym) for f in flags):
        refuse("numpy.unique", "its return_index/return_inverse/return_counts are known only at run time",
               "pass them as constants")
    return any(flags)


def _unique_adjoint(g, ans, ar, return_index=False, return_inverse=False, return_counts=False, axis=None,
                    **_):
    tuple_result = _unique_parts(return_index, return_inverse, return_counts, axis)
    return rt.take_adjoint(g[0] if tuple_result else g, ar, rt.unique_order(ar))


def _unique_tangent(d, ans, ar, return_index=False, return_inverse=False, return_counts=False, axis=None,
                    **_):
    values = np.take(d, rt.unique_order(ar))
    if _unique_parts(return_index, return_inverse, return_counts, axis):
        return rt.sequence_tangent(ans, 0, values)
    return values


define("numpy.unique", [_unique_adjoint], [_unique_tangent])


# ================================================================ building and cutting arrays: linear
linear("numpy.block", lambda g, ans, arrays: rt.block_adjoint(g, arrays),
       tangent=lambda d, ans, arrays: rt.block_parts(d))
linear("s2s.runtime.block_adjoint", lambda G, ans, g, arrays: rt.block_parts(G), None)
linear("s2s.runtime.block_parts", lambda g, ans, parts: rt.block_adjoint(g, parts),
       tangent=lambda d, ans, parts: rt.block_parts(d))

linear("numpy.choose", None, lambda g, ans, a, choices, out=None, mode="raise":
       rt.choose_adjoint(g, a, choices, **non_default(mode=(mode, "raise"))))
linear("s2s.runtime.choose_adjoint", lambda G, ans, g, a, choices, mode="raise":
       np.choose(a, G, **non_default(mode=(mode, "raise"))), None, None)

def _insert_tangent(tangents, ans, arr, obj, values, axis=None):
    """np.insert of the tangents: zeros for arr where it has none, 0.0 for the values."""
    d_arr, d_values = _part(tangents, 0), _part(tangents, 2)
    return np.insert(np.zeros(np.shape(arr)) if d_arr is None else d_arr, obj, 0.0 if d_values is None else d_values,
                     **non_default(axis=(axis, None)))


define("numpy.insert",
       [lambda g, ans, arr, obj, values, axis=None:
        rt.insert_adjoint_arr(g, arr, obj, values, **non_default(axis=(axis, None))), None,
        lambda g, ans, arr, obj, values, axis=None:
        rt.insert_adjoint_values(g, arr, obj, values, **non_default(axis=(axis, None)))],
       tangent_fn=_insert_tangent)
linear("s2s.runtime.insert_adjoint_arr", lambda G, ans, g, arr, obj, values, axis=None:
       np.insert(G, obj, 0.0, **non_default(axis=(axis, None))), None, None, None, rank_of_argument=1)
linear("s2s.runtime.insert_adjoint_values", lambda G, ans, g, arr, obj, values, axis=None:
       np.insert(np.zeros(np.shape(arr)), obj, G, **non_default(axis=(axis, None))), None, None, None)

linear("numpy.delete", lambda g, ans, arr, obj, axis=None:
       rt.delete_adjoint(g, arr, obj, **non_default(axis=(axis, None))))
linear("s2s.runtime.delete_adjoint", lambda G, ans, g, arr, obj, axis=None:
       np.delete(G, obj, **non_default(axis=(axis, None))), None, None, rank_of_argument=1)

linear("numpy.resize", lambda g, ans, a, new_shape: rt.resize_adjoint(g, a))
linear("s2s.runtime.resize_adjoint", lambda G, ans, g, a: np.resize(G, np.shape(g)), None, rank_of_argument=1)

# np.unwrap(p) = p + k * period with k constant between the jumps it corrects
define("numpy.unwrap", [lambda g, ans, p, discont=None, axis=-1, period=None: g],
       [lambda d, ans, p, discont=None, axis=-1, period=None: d], pointwise=True, rank_of_argument=0)


# ================================================================ polynomial arithmetic on coefficient arrays
# np.polyadd(a, b) and np.polysub(a, b) pad the shorter coefficients with zeros in front: linear, each adjoint the
# last entries of g (rt.polyadd_adjoint), whose transpose pads them back
def _poly_tangent(name):
    def tangent(tangents, ans, a1, a2):  # (np.polyadd(da1, np.zeros(np.shape(a2))): zeros for the one without)
        return getattr(np, name)(*(np.zeros(np.shape(a)) if d is None else d
                                   for d, a in zip(_pair(tangents), (a1, a2))))
    return tangent


def _pair(tangents):
    return _part(tangents, 0), _part(tangents, 1)


define("numpy.polyadd", [lambda g, ans, a1, a2: rt.polyadd_adjoint(g, a1),
                         lambda g, ans, a1, a2: rt.polyadd_adjoint(g, a2)], tangent_fn=_poly_tangent("polyadd"),
       kind="linear")
define("numpy.polysub", [lambda g, ans, a1, a2: rt.polyadd_adjoint(g, a1),
                         lambda g, ans, a1, a2: -rt.polyadd_adjoint(g, a2)], tangent_fn=_poly_tangent("polysub"),
       kind="linear")
linear("s2s.runtime.polyadd_adjoint", lambda G, ans, g, a: np.polyadd(G, np.zeros(np.shape(g))), None,
       rank_of_argument=1)


# np.polymul(a1, a2) is np.convolve(a1, a2) of the coefficients, except that it drops their leading zeros (as
# np.poly1d does), where the result's length jumps: no derivative there (rt.polymul_untrimmed checks, the identity)
def _polymul_tangent(tangents, ans, a1, a2):
    d1, d2 = _pair(tangents)
    parts = ([] if d1 is None else [np.convolve(d1, a2)]) + ([] if d2 is None else [np.convolve(a1, d2)])
    return rt.polymul_untrimmed(parts[0] if len(parts) == 1 else parts[0] + parts[1], a1, a2)


define("numpy.polymul", [lambda g, ans, a1, a2: rt.convolve_adjoint_a(rt.polymul_untrimmed(g, a1, a2), a1, a2),
                         lambda g, ans, a1, a2: rt.convolve_adjoint_b(rt.polymul_untrimmed(g, a1, a2), a1, a2)],
       tangent_fn=_polymul_tangent)
linear("s2s.runtime.polymul_untrimmed", lambda G, ans, v, a1, a2: rt.polymul_untrimmed(G, a1, a2), None, None)


# np.polyint(p, m, k): m integrations, each dividing the coefficients by their new powers and appending a constant
# of k: linear in p and k jointly (m an integer); the adjoints weigh g as np.polyint weighs each (runtime/numerics.py)
def _polyint_tangent(tangents, ans, p, m=1, k=None):
    dp, dk = _part(tangents, 0), _part(tangents, 2)
    return np.polyint(np.zeros(np.shape(p)) if dp is None else dp, **non_default(m=(m, 1)), **given(k=dk))


define("numpy.polyint", [lambda g, ans, p, m=1, k=None: rt.polyint_adjoint(g, p, **non_default(m=(m, 1))), None,
                         lambda g, ans, p, m=1, k=None: rt.polyint_adjoint_k(g, p, m, k)],
       tangent_fn=_polyint_tangent, kind="linear", parameters=(("p", REQUIRED), ("m", 1), ("k", None)))
linear("s2s.runtime.polyint_adjoint", lambda G, ans, g, p, m=1: np.polyint(G, **non_default(m=(m, 1))), None, None,
       rank_of_argument=1)
linear("s2s.runtime.polyint_adjoint_k", lambda G, ans, g, p, m, k: np.polyint(np.zeros(np.shape(p)), m, k=G),
       None, None, None, rank_of_argument=3)


# ================================================================ NumPy >= 2.1: np.cumulative_sum, np.cumulative_prod
# np.cumsum's and np.cumprod's rules; include_initial=True puts the empty sum (product) first, a constant
def _initial(key, include_initial):
    if isinstance(include_initial, Sym):
        refuse(key, "its include_initial= is known only at run time", "pass it as a constant")
    return bool(include_initial)


def _dropped(v, axis):
    """v without its first entry along axis: the initial one."""
    return np.delete(v, 0, **non_default(axis=(axis, None)))


if hasattr(_numpy, "cumulative_sum"):
    linear("numpy.cumulative_sum", lambda g, ans, x, axis=None, dtype=None, out=None, include_initial=False:
           rt.cumsum_adjoint(_dropped(g, axis) if _initial("numpy.cumulative_sum", include_initial) else g, x,
                             **non_default(axis=(axis, None))))


def _cumulative_prod_adjoint(g, ans, x, axis=None, dtype=None, out=None, include_initial=False):
    if _initial("numpy.cumulative_prod", include_initial):
        g, ans = _dropped(g, axis), _dropped(ans, axis)
    return rt.cumprod_adjoint(g, ans, x, **non_default(axis=(axis, None)))


def _cumulative_prod_tangent(d, ans, x, axis=None, dtype=None, out=None, include_initial=False):
    if not _initial("numpy.cumulative_prod", include_initial):
        return rt.cumprod_tangent(d, ans, x, **non_default(axis=(axis, None)))
    tangent = rt.cumprod_tangent(d, _dropped(ans, axis), x, **non_default(axis=(axis, None)))
    return np.insert(tangent, 0, 0.0, **non_default(axis=(axis, None)))


if hasattr(_numpy, "cumulative_prod"):
    define("numpy.cumulative_prod", [_cumulative_prod_adjoint], [_cumulative_prod_tangent])


# ================================================================ np.linalg.tensorsolve, np.linalg.tensorinv
# tensorsolve(a, b) is x with tensordot(a, x, x.ndim) = b: np.linalg.solve of a as a (b.size, x.size) matrix
def _tensor_matrix(a, b):
    return np.reshape(a, emit("tuple", np.size(b), -1))


def _tensorsolve_axes(axes):
    if axes is not None:
        refuse("numpy.linalg.tensorsolve", "axes= reorders a first, which has no rule",
               "write np.linalg.tensorsolve(np.moveaxis(a, ...), b) with the axes moved yourself")


def _tensorsolve_back(g, a, b, axes):
    """The adjoint of b, flattened: solve(A^T, g)."""
    _tensorsolve_axes(axes)
    return np.linalg.solve(_tensor_matrix(a, b).T, np.ravel(g))


def _tensorsolve_tangent_a(d, ans, a, b, axes=None):
    _tensorsolve_axes(axes)
    return -np.linalg.tensorsolve(a, np.tensordot(d, ans, np.ndim(ans)))


def _tensorsolve_tangent_b(d, ans, a, b, axes=None):
    _tensorsolve_axes(axes)
    return np.linalg.tensorsolve(a, d)


define("numpy.linalg.tensorsolve",
       [lambda g, ans, a, b, axes=None: -np.reshape(np.outer(_tensorsolve_back(g, a, b, axes), ans), np.shape(a)),
        lambda g, ans, a, b, axes=None: np.reshape(_tensorsolve_back(g, a, b, axes), np.shape(b))],
       [_tensorsolve_tangent_a, _tensorsolve_tangent_b])

# tensorinv(a, ind) is inv of a as a square matrix (rt.square_matrix), shaped a.shape[ind:] + a.shape[:ind]
define("numpy.linalg.tensorinv",
       [lambda g, ans, a, ind=2: -np.reshape(rt.square_matrix(ans).T @ rt.square_matrix(g) @ rt.square_matrix(ans).T,
                                             np.shape(a))],
       [lambda d, ans, a, ind=2: -np.reshape(rt.square_matrix(ans) @ rt.square_matrix(d) @ rt.square_matrix(ans),
                                             np.shape(ans))])
linear("s2s.runtime.square_matrix", lambda G, ans, v: np.reshape(G, np.shape(v)))
linear("s2s.runtime.distinct_ends", lambda g, ans, s: g, tangent=lambda d, ans, s: d)  # (the identity, checked)

# np.i0(x) = (1 / pi) integral over [0, pi] of exp(x cos t): its k-th derivative is the moment with cos(t) ** k
elementwise("numpy.i0", lambda ans, x: rt.bessel_moment(x, 1))
elementwise("s2s.runtime.bessel_moment", lambda ans, x, k: rt.bessel_moment(x, k + 1), None)
