"""Structure and selection: sequences, element writes, sorting, selecting, interpolating; one record each."""
from __future__ import annotations

import copy
import numbers

from s2s import prims
from s2s.rules import registry
from s2s.rules.primitive import define, given, linear, non_default, refuse
from s2s.rules.symbolic import np, rt

MAX_ELEMENTS = 256  # elements of a literal tuple/list with a rule


# ---------------------------------------------------------------- containers: element i of [a, b, ...] gets part i
# (forward.py builds the tangent of a tuple/list itself, zeros for elements without one; these say the same)
for _key in ("list", "tuple"):
    define(_key, [lambda g, ans, *xs, i=i: g[i] for i in range(MAX_ELEMENTS)],
           [lambda d, ans, *xs, i=i: rt.sequence_tangent(ans, i, d) for i in range(MAX_ELEMENTS)])


# ---------------------------------------------------------------- a list grown by the function: xs.append(v), xs + [v]
define(prims.APPENDED,
       [lambda g, ans, xs, v: rt.appended_adjoint(g), lambda g, ans, xs, v: rt.appended_item_adjoint(g)],
       tangent_fn=lambda tangents, ans, xs, v: rt.appended_tangent(tangents[0], tangents[1] if len(tangents) > 1
                                                                   else None, ans))
# its adjoint cut back in place by the reversed loop that owns it (runtime/grown.py, ad/grown_lists.py)
linear("s2s.runtime.owned_adjoint", lambda G, ans, g, xs=None: rt.owned_adjoint_transpose(G, g), None)
linear("s2s.runtime.popped_adjoint", lambda G, ans, g: rt.popped_transpose(G))  # (reads no g: changed in place)
linear("s2s.runtime.pushed_part", lambda G, ans, g: rt.appended_adjoint(G))  # (its transpose: ad/shrunk_lists.py)
linear("s2s.runtime.popped_transpose", lambda G, ans, g: rt.appended_adjoint(G))  # (the same as a new list)
linear("s2s.runtime.part_of", lambda g, ans, G, i: rt.part_of_transpose(g, G, i), None)
define("s2s.runtime.added_at_part", [lambda G, ans, g, h, i: G, lambda G, ans, g, h, i: rt.part_of(G, i), None],
       tangent_fn=lambda tangents, ans, g, h, i: rt.added_at_part_tangent(
           tangents[0], tangents[1] if len(tangents) > 1 else None, i, ans))


# ---------------------------------------------------------------- a dict written out: {"w": w, "b": b} is dict_of(keys, w, b)
define("s2s.runtime.dict_of", [None] + [lambda g, ans, keys, *vals, i=i: rt.dict_part(g, keys, i)
                                        for i in range(MAX_ELEMENTS)],
       tangent_fn=lambda tangents, ans, keys, *vals: rt.dict_tangent(
           keys, *(list(tangents[1:]) + [None] * (len(vals) - len(tangents) + 1)), *vals))


# ---------------------------------------------------------------- f(x, **d) / f(*d), d known only at run time: keyword(d, key[, default])
define("s2s.runtime.keyword",
       [lambda g, ans, d, name, *default: rt.keyword_adjoint(g, d, name), None,
        lambda g, ans, d, name, *default: rt.keyword_default_adjoint(g, d, name)],
       tangent_fn=lambda tangents, ans, d, name, *default: rt.keyword_tangent(
           tangents[0], tangents[2] if len(tangents) > 2 else None, d, name))


# the value a key write into a dict replaces, kept for the reverse sweep (ad/writes.py): d.get(key)'s derivatives
define("s2s.runtime.saved_key", [lambda g, ans, d, key: rt.keyword_adjoint(g, d, key), None],
       tangent_fn=lambda tangents, ans, d, key: rt.keyword_tangent(tangents[0], None, d, key))

# d.get(key[, default]) of a dict the function did not build: keyword's derivatives (keyword reads a dict as get does)
define("s2s.runtime.dict_get",
       [lambda g, ans, d, key, default=None: rt.keyword_adjoint(g, d, key), None,
        lambda g, ans, d, key, default=None: rt.keyword_default_adjoint(g, d, key)],
       tangent_fn=lambda tangents, ans, d, key, default=None: rt.keyword_tangent(
           tangents[0], tangents[2] if len(tangents) > 2 else None, d, key, *(() if default is None else (ans,))))


# ---------------------------------------------------------------- {k: v for ...}: dict_from_pairs([(k, v), ...])
define("s2s.runtime.dict_from_pairs", [lambda g, ans, pairs: rt.dict_pairs_adjoint(g, pairs)],
       [lambda d, ans, pairs: rt.dict_pairs_tangent(d, pairs)])


# ---------------------------------------------------------------- element writes: `y[index] = v` is `y_1 = setitem(y, *index, v)`
def _index(rest):
    return rest[:-1]


def _part(g, rest):
    """g[index] of the adjoint g of the written array; a number stands for an array of it (the 1.0 seeding a
    0-d array's gradient), whose every part is that number. A write of the whole array (`y[...] = v`,
    `y[()] = v`) takes all of g, which may be a number at run time (a vjp's cotangent 1.0 of a 0-d result)."""
    whole = all(i is Ellipsis or isinstance(i, tuple) and i == () for i in _index(rest))
    return g if isinstance(g, numbers.Number) or whole else g[_index(rest)]


# the base loses the overwritten elements' adjoint; the written value receives it (summed back to
# its shape by the transformer where it was broadcast into a larger slice)
define("setitem",
       [lambda g, ans, y, *rest: rt.setitem_adjoint(g, *_index(rest))] + [lambda g, ans, y, *rest: _part(g, rest)] * 32,
       [lambda d, ans, y, *rest: rt.setitem_adjoint(d, *_index(rest))]
       + [lambda d, ans, y, *rest: rt.setitem_tangent(d, ans, *_index(rest))] * 32,
       broadcast=True, tangent_broadcast=False,
       batched=[lambda d, ans, y, *rest: rt.batch_setitem_base(d, *_index(rest))]
       + [lambda d, ans, y, *rest: rt.batch_setitem_tangent(d, ans, *_index(rest))] * 32,
       # both: the base's tangents with the value's written in (one copy, not two arrays of zeros and a sum)
       batched_fn=lambda tangents, ans, y, *rest: rt.batch_setitem(tangents[0], tangents[-1], ans, *_index(rest)),
       rank_of_argument=0)  # (a write keeps the array's shape)

# ---------------------------------------------------------------- x.conj(): x itself for a real array (a view's key,
# prims.MAY_RETURN_OPERAND: writes into it are refused), a new array for a complex one; np.conj(x) spells the derivatives
# (a float tangent has no .conj())
linear("numpy.ndarray.conj", lambda g, ans, x: np.conj(g), tangent=lambda d, ans, x: np.conj(d), elementwise=True)


# ---------------------------------------------------------------- selection
define("numpy.sort", [lambda g, ans, x, axis=-1, **_: rt.sort_adjoint(g, x, **non_default(axis=(axis, -1)))],
       [lambda d, ans, x, axis=-1, **_: rt.sort_tangent(d, x, axis)])
define("numpy.select",
       [None, lambda g, ans, conds, choices, default=0: rt.select_adjoint_choices(g, conds, choices),
        lambda g, ans, conds, choices, default=0: rt.select_adjoint_default(g, conds, default)],
       [None, lambda d, ans, conds, choices, default=0: np.select(conds, d, 0.0),
        lambda d, ans, conds, choices, default=0: rt.select_default_tangent(d, conds)])



# np.piecewise(x, condlist, funclist): the functions of funclist are called by NumPy itself, which s2s cannot follow
# (the front end refuses them: front/numpy_callers.py); with values for the pieces, x only chooses between them
# (no derivative), and a derivative in the values is refused, saying what to write (the same values, with rules)
def _piecewise_values(*args, **kwargs):
    refuse("numpy.piecewise", "a derivative in the values of its funclist has no rule in s2s", prims.PIECEWISE_INSTEAD)


define("numpy.piecewise", [None, None, _piecewise_values], [None, None, _piecewise_values])


# np.interp(x, xp, fp) is fp[j] + s (x - xp[j]) on the segment [xp[j], xp[j+1]] holding x, s its slope; outside
# the sample points it is fp[0] or fp[-1], or left= or right= where given (no slope there). Moving the sample points
# by dxp moves the curve as reading it at x - np.interp(x, xp, dxp) does: the derivative in xp is -s times np.interp's
# derivative in fp (the two ends' shares of the segment), that in x taken back through fp's.
def _no_period(period=None):
    if period is not None:
        refuse("numpy.interp", "with period=, it has no rule in s2s",
               "map x into one period yourself: np.interp(np.mod(x - xp[0], period) + xp[0], xp, fp) with xp sorted "
               "and covering one period")


def _inside(g, x, xp, left=None, right=None):
    """g where np.interp reads fp: 0 below the first sample point with left= given, above the last with right="""
    if left is None and right is None:
        return g
    outside = x > xp[-1] if left is None else x < xp[0] if right is None else np.logical_or(x < xp[0], x > xp[-1])
    return rt.where(outside, 0.0, g)


define("numpy.interp",
       [lambda g, ans, x, xp, fp, left=None, right=None, period=None:
        _no_period(period) or rt.interp_adjoint_x(g, x, xp, fp),
        lambda g, ans, x, xp, fp, left=None, right=None, period=None:
        _no_period(period) or -rt.interp_adjoint_fp(rt.interp_adjoint_x(g, x, xp, fp), x, xp, fp),
        lambda g, ans, x, xp, fp, left=None, right=None, period=None:
        _no_period(period) or rt.interp_adjoint_fp(_inside(g, x, xp, left, right), x, xp, fp),
        lambda g, ans, x, xp, fp, left=None, right=None, period=None:
        _no_period(period) or rt.unbroadcast(rt.where(x < xp[0], g, 0.0), left),
        lambda g, ans, x, xp, fp, left=None, right=None, period=None:
        _no_period(period) or rt.unbroadcast(rt.where(x > xp[-1], g, 0.0), right)],
       [lambda d, ans, x, xp, fp, left=None, right=None, period=None:
        _no_period(period) or rt.interp_slope(x, xp, fp) * d,
        lambda d, ans, x, xp, fp, left=None, right=None, period=None:
        _no_period(period) or -(rt.interp_slope(x, xp, fp) * np.interp(x, xp, d)),
        lambda d, ans, x, xp, fp, left=None, right=None, period=None:
        _no_period(period) or np.interp(x, xp, d, **given(left=None if left is None else 0.0,
                                                          right=None if right is None else 0.0)),
        lambda d, ans, x, xp, fp, left=None, right=None, period=None:
        _no_period(period) or rt.where(x < xp[0], d, 0.0),
        lambda d, ans, x, xp, fp, left=None, right=None, period=None:
        _no_period(period) or rt.where(x > xp[-1], d, 0.0)])
define("numpy.append",
       [lambda g, ans, arr, values, axis=None: rt.append_adjoint(g, arr, values, **non_default(axis=(axis, None)))[0],
        lambda g, ans, arr, values, axis=None: rt.append_adjoint(g, arr, values, **non_default(axis=(axis, None)))[1]],
       tangent_fn=lambda tangents, ans, arr, values, axis=None:
       rt.append_tangent(tangents[0], tangents[1] if len(tangents) > 1 else None, arr, values, **given(axis=axis)))


# ---------------------------------------------------------------- copy.deepcopy(x): new containers of new arrays
# holding x's values, the identity for derivatives (its tangent the deep copy of x's, so that a write into the copy
# leaves the caller's tangent as it was)
linear("s2s.runtime.deep_copy", lambda g, ans, x, memo=None: g, None)
registry.register_object(copy.deepcopy, "s2s.runtime.deep_copy")
