"""Runtime helpers of the rules in s2s/rules/breadth.py (np.partition, np.unique, np.block, np.choose,
np.insert, np.delete, np.resize, np.linalg.tensorinv, np.i0), of np.linalg.cond's (rules/linalg.py) and of
np.add.reduceat's (rules/ufuncs.py).

The orders (`partition_order`, `unique_order`) carry no derivative; `bessel_moment` is np.i0's derivatives;
`distinct_ends` is the identity, checked; every other helper is linear in its first argument, the transpose of the
NumPy function it serves, and has a record whose transpose is that function.
"""
from __future__ import annotations

import math

import numpy as np

from s2s.errors import S2SError
from s2s.runtime.core import unbroadcast

__all__ = ["partition_order", "unique_order", "distinct_ends", "bessel_moment", "block_adjoint", "block_parts",
           "choose_adjoint",
           "insert_adjoint_arr", "insert_adjoint_values", "delete_adjoint", "resize_adjoint", "square_matrix",
           "reduceat_adjoint"]


def partition_order(ans, a, axis=-1):
    """The indices `p` along `axis` (into the flattened a for axis=None) with `take_along_axis(a, p) == ans` for
    `ans = np.partition(a, kth, axis)`: each entry of ans is matched, by rank, to the entry of a it is."""
    if axis is None:
        a, axis = np.ravel(a), -1
    order = np.argsort(a, axis=axis, kind="stable")
    rank = np.argsort(np.argsort(ans, axis=axis, kind="stable"), axis=axis, kind="stable")
    return np.take_along_axis(order, rank, axis=axis)


def unique_order(ar):
    """The flat indices of ar's entries in the order np.unique(ar) lists them. An entry that occurs more than once
    has no derivative there (moving one copy splits it in two and np.unique's result grows): refused."""
    flat = np.ravel(ar)
    order = np.argsort(flat, kind="stable")
    ordered = flat[order]
    repeated = ordered[1:] == ordered[:-1]
    if np.any(repeated):
        raise S2SError(f"np.unique: the value {float(ordered[1:][repeated][0]):.6g} occurs more than once, where "
                       f"np.unique has no derivative (moving one copy adds an entry to its result); differentiate "
                       f"it at distinct values, or use np.sort when the entries are distinct")
    return order


def block_adjoint(g, arrays):
    """Adjoint of `np.block(arrays)`: the part of `g` each block of the nested list `arrays` fills, in the
    block's own shape, as a nested list of the same structure."""
    def nested(part, path):
        if isinstance(part, (list, tuple)):
            return [nested(p, path + (i,)) for i, p in enumerate(part)]
        return _block_part(g, arrays, path)
    return nested(arrays, ())


def block_parts(parts):
    """`np.block(parts)` of the nested list of tangents or adjoints a rule has (the list types s2s's sweeps make,
    `Parts`, as plain lists: NumPy 1.x's np.block takes only a list itself for a level of nesting)."""
    def plain(part):
        return [plain(p) for p in part] if isinstance(part, (list, tuple)) else part
    return np.block(plain(parts))


def _block_part(g, arrays, path):
    """The part of g that the block at `path` of the nested list fills: np.block of ones there, zeros elsewhere,
    marks it."""
    def marked(part, here):
        if isinstance(part, (list, tuple)):
            return [marked(p, here + (i,)) for i, p in enumerate(part)]
        return np.full(np.shape(part), here == path)
    mask = np.block(marked(arrays, ()))
    leaf = arrays
    for i in path:
        leaf = leaf[i]
    return np.reshape(np.asarray(g)[mask], np.shape(leaf))


def choose_adjoint(g, a, choices, mode="raise"):
    """Adjoint of `np.choose(a, choices, mode=mode)` with respect to the choices: each gets g where a chose it,
    summed back to its own shape."""
    n = len(choices)
    index = np.asarray(a)
    if mode == "wrap":
        index = index % n
    elif mode == "clip":
        index = np.clip(index, 0, n - 1)
    g = np.asarray(g, dtype=float)
    return [unbroadcast(np.where(index == k, g, 0.0), np.asarray(choice, dtype=float))
            for k, choice in enumerate(choices)]


def _labels(arr, obj, values, axis):
    """np.insert of labels: arr's entries by their flat index, the inserted ones by -1 - the flat index of the
    entry of values that went there (values broadcast as np.insert broadcasts them)."""
    ids = np.reshape(np.arange(np.size(arr)), np.shape(arr))
    inserted = -1 - np.reshape(np.arange(np.size(values)), np.shape(values))
    return np.insert(ids, obj, inserted, axis=axis)


def insert_adjoint_arr(g, arr, obj, values, axis=None):
    """Adjoint of `np.insert(arr, obj, values, axis)` with respect to arr: g where arr's entries went."""
    labels = _labels(arr, obj, values, axis)
    kept = labels >= 0
    out = np.zeros(np.size(arr))
    out[labels[kept]] = np.asarray(g)[kept]
    return np.reshape(out, np.shape(arr))


def insert_adjoint_values(g, arr, obj, values, axis=None):
    """Adjoint of `np.insert(arr, obj, values, axis)` with respect to values: g where each entry of values went,
    added up where np.insert repeated it."""
    labels = _labels(arr, obj, values, axis)
    placed = labels < 0
    out = np.zeros(np.size(values))
    np.add.at(out, -1 - labels[placed], np.asarray(g)[placed])
    return np.reshape(out, np.shape(values)) if np.ndim(values) else float(out[0])


def delete_adjoint(g, arr, obj, axis=None):
    """Adjoint of `np.delete(arr, obj, axis)`: g back where the kept entries were, zeros at the deleted ones."""
    kept = np.delete(np.reshape(np.arange(np.size(arr)), np.shape(arr)), obj, axis=axis)
    out = np.zeros(np.size(arr))
    out[np.ravel(kept)] = np.ravel(g)
    return np.reshape(out, np.shape(arr))


def resize_adjoint(g, a):
    """Adjoint of `np.resize(a, new_shape)`: the result repeats a's entries in order; each gets the sum of g over
    its copies."""
    out = np.zeros(np.size(a))
    flat = np.ravel(g)
    if out.size:
        np.add.at(out, np.arange(flat.size) % out.size, flat)
    return np.reshape(out, np.shape(a)) if np.ndim(a) else float(out[0])


def square_matrix(v):
    """v's entries as a square matrix (np.linalg.tensorinv's reading of its argument and result)."""
    n = math.isqrt(np.size(v))
    return np.reshape(v, (n, n))


def distinct_ends(s):
    """The singular values `s` (largest first) of np.linalg.cond's matrix, refused where the largest or the
    smallest is repeated: there the ratio of the two has a kink and no derivative (first derivatives of a
    repeated singular value depend on the direction)."""
    k = np.shape(s)[-1]
    if k > 1:
        close = 64 * np.finfo(float).eps * np.max(np.abs(s), axis=-1)
        if bool(np.any(np.abs(s[..., 0] - s[..., 1]) <= close) or np.any(np.abs(s[..., -1] - s[..., -2]) <= close)):
            raise S2SError("np.linalg.cond: the largest or the smallest singular value is repeated, where the "
                           "condition number has no derivative; take it at a matrix whose extreme singular values "
                           "are distinct")
    return s


_HALF_TURN = np.linspace(0.0, np.pi, 129)  # the nodes of bessel_moment's trapezoidal rule
_WEIGHTS = np.full(129, 1.0 / 128)  # (the step pi / 128, over pi)
_WEIGHTS[[0, -1]] = 0.5 / 128


def bessel_moment(x, k):
    """(1 / pi) times the integral over [0, pi] of exp(x cos t) cos(t) ** k, the k-th derivative of np.i0(x)
    (k = 1: the Bessel function I1(x), which NumPy does not have); its derivative is the moment k + 1.

    By the trapezoidal rule on 129 nodes, which for this periodic integrand is exact to rounding for |x| up to
    the overflow of np.i0 (the error is of the order of I_256(x) / I_1(x)). Every term has one sign (that of x
    for odd k, with exp(x cos t) - 1 in place of the exponential, whose 1 integrates to 0 against an odd power),
    so nothing cancels."""
    x = np.asarray(x, dtype=float)
    c = np.cos(_HALF_TURN)
    e = np.multiply.outer(x, c)
    out = ((np.expm1(e) if k % 2 else np.exp(e)) * c ** k) @ _WEIGHTS
    return out if out.ndim else float(out)


def reduceat_adjoint(g, x, indices, axis=0):
    """Adjoint of `np.add.reduceat(x, indices, axis)` with respect to `x`: each entry of x gets the g of the
    slice it was summed in, x[indices[k]:indices[k + 1]] (the last to the end; just x[indices[k]] where the next
    index is not larger)."""
    x = np.asarray(x)
    starts = np.asarray(indices, dtype=np.intp).ravel()
    n = x.shape[axis]
    ends = np.append(starts[1:], n)
    ends = np.where(ends > starts, ends, starts + 1)
    owner = np.repeat(np.arange(len(starts)), ends - starts)  # (slice k's entries, in order)
    entries = np.concatenate([np.arange(a, b) for a, b in zip(starts.tolist(), ends.tolist())] or [np.zeros(0, int)])
    out = np.zeros(np.moveaxis(x, axis, 0).shape, dtype=np.result_type(x, g, float))
    np.add.at(out, entries, np.moveaxis(np.asarray(g), axis, 0)[owner])
    return np.moveaxis(out, 0, axis)
