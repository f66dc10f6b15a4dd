"""Helpers for differentiating generated derivative code again, reached as `rt.<name>`.

Generated gradients call the helpers of `s2s.runtime` (`rt.unbroadcast`,
`rt.matmul_adjoint_a`, ...); those helpers have
derivative rules (`rules/runtime_helpers.py`) so that `hessian(f)`, `jvp(grad(f))` and `grad(grad(f))`
transform generated code. The helpers here are the pieces those rules emit
that plain NumPy does not spell: the vector-mode (batched) forms of the
helpers that are linear in the adjoint, where every tangent carries a leading
batch axis of n tangents, and the adjoint of `rt.adjoint_part`. Each is pure.
"""
from __future__ import annotations

import numpy as np

from s2s.runtime.arrays import (append_adjoint, column_stack_adjoint, concatenate_adjoint, dstack_adjoint, expand_reduced,
                                hstack_adjoint, mT, prod_adjoint, reduced_axes, select_adjoint_choices, sinc_derivative,
                                vstack_adjoint)
from s2s.runtime.batched import trace_solve
from s2s.runtime.linalg import multi_dot_adjoint
from s2s.runtime.core import Parts, dot_adjoint_a, dot_adjoint_b, getitem_adjoint, matmul_adjoint_a, matmul_adjoint_b, reduced_count, zeros_like

from s2s.runtime.batched import zero_passes_through

__all__ = ["adjoint_part_adjoint", "batch_unbroadcast", "batch_getitem_adjoint", "batch_sum_adjoint",
           "batch_mean_adjoint", "batch_transpose_adjoint", "batch_matmul_adjoint_a", "batch_matmul_adjoint_a_of_b",
           "batch_matmul_adjoint_b", "batch_matmul_adjoint_b_of_a", "batch_dot_adjoint_a",
           "batch_dot_adjoint_a_of_b", "batch_dot_adjoint_b", "batch_dot_adjoint_b_of_a", "array_adjoint_transpose",
           "batch_array_adjoint", "sum_builtin_adjoint_transpose", "batch_sum_builtin_adjoint",
           "stack_adjoint_transpose", "batch_stack_adjoint", "concatenate_adjoint_transpose",
           "hstack_adjoint_transpose", "vstack_adjoint_transpose", "dstack_adjoint_transpose",
           "column_stack_adjoint_transpose", "append_adjoint_transpose", "batch_concatenate_adjoint",
           "batch_hstack_adjoint", "batch_vstack_adjoint", "batch_dstack_adjoint", "batch_column_stack_adjoint",
           "batch_append_adjoint", "batch_select_adjoint_choices", "solve_adjoint_tangent_a",
           "solve_adjoint_adjoint_a", "inv_transpose_tangent", "inv_transpose_adjoint", "slogdet_adjoint_transpose",
           "interp_slope_adjoint", "sinc_second_derivative", "cross_product",
           "cumprod_adjoint_transpose", "prod_adjoint_tangent_x", "prod_adjoint_adjoint_x", "cholesky_adjoint_transpose",
           "cholesky_adjoint_tangent_L", "cholesky_adjoint_adjoint_L", "eigvalsh_adjoint_tangent_a",
           "eigvalsh_adjoint_adjoint_a", "matrix_power_adjoint_tangent_a", "matrix_power_adjoint_adjoint_a",
           "norm_adjoint_second_x", "norm_adjoint_tangent_ans", "norm_adjoint_adjoint_ans", "vector_norm_adjoint_second_x",
           "vector_norm_adjoint_tangent_ans", "vector_norm_adjoint_adjoint_ans", "matrix_norm_adjoint_second_x",
           "matrix_norm_adjoint_tangent_ans", "matrix_norm_adjoint_adjoint_ans", "eigh_adjoint_transpose",
           "eigh_adjoint_tangent_w", "eigh_adjoint_adjoint_w", "eigh_adjoint_tangent_v", "eigh_adjoint_adjoint_v",
           "svdvals_adjoint_tangent_a", "multi_dot_adjoint_tangent_arrays", "multi_dot_adjoint_adjoint_arrays"]


def adjoint_part_adjoint(g, adjoints, i):
    """Adjoint of `rt.adjoint_part(adjoints, i, x)` with respect to the tuple `adjoints`: `g`, widened to
    the shape part `i` had before it was summed back, in a tuple of zeros."""
    parts = [zeros_like(v) for v in adjoints]
    parts[i] = np.broadcast_to(g, np.shape(adjoints[i])) if np.shape(adjoints[i]) != np.shape(g) else g
    return tuple(parts)


# ---------------------------------------------------------------- vector mode: helpers linear in the adjoint g
def _each(helper, d, position: int, args: tuple):
    """`helper` applied to each of the n tangents in `d` (at argument `position`), stacked: the general case."""
    d = np.asarray(d)
    if d.ndim == 0 and d == 0:  # a zero standing for all n tangents: the helper is linear in it
        return 0.0
    out = [helper(*args[:position], d[k], *args[position + 1:]) for k in range(d.shape[0])]
    return np.stack([np.asarray(o, dtype=float) for o in out]) if out else np.zeros((0,))


def batch_unbroadcast(d, x):
    """Tangents of `rt.unbroadcast(g, x)`: each of the n tangents summed back to the shape of `x`."""
    shape = np.shape(x)
    d = np.asarray(d)
    if d.shape[1:] == shape:
        return d
    extra = d.ndim - 1 - len(shape)
    if extra > 0:
        d = d.sum(axis=tuple(range(1, 1 + extra)))
    elif extra < 0:  # a tangent narrower than x (a scalar adjoint of an array): widen it
        d = d.reshape(d.shape[:1] + (1,) * -extra + d.shape[1:])
    axes = tuple(1 + i for i, n in enumerate(shape) if n == 1 and d.shape[1 + i] != 1)
    if axes:
        d = d.sum(axis=axes, keepdims=True)
    return np.broadcast_to(d, d.shape[:1] + shape)


def _basic(index) -> bool:
    return all(isinstance(i, (slice, int, np.integer)) or i is None or i is Ellipsis for i in index)


def batch_getitem_adjoint(d, x, *index):
    """Tangents of `rt.getitem_adjoint(g, x, *index)`: each tangent placed at `index` in zeros like `x`."""
    d = np.asarray(d)
    if isinstance(x, (tuple, list)):
        return _each(getitem_adjoint, d, 0, (d, x) + index)
    idx = index[0] if len(index) == 1 else index
    parts = idx if isinstance(idx, tuple) else (idx,)
    out = np.zeros(d.shape[:1] + np.shape(x), dtype=np.result_type(d.dtype, np.float64))
    key = (slice(None),) + parts
    if _basic(parts):  # a view: every position is written once
        out[key] = d
    else:
        np.add.at(out, key, d)
    return out


def batch_sum_adjoint(d, x, axis=None, keepdims=False):
    """Tangents of `rt.sum_adjoint(g, x, axis, keepdims)`: each tangent broadcast back over the summed axes."""
    shape = np.shape(x)
    d = np.asarray(d)
    if not keepdims:
        if axis is None:
            d = d.reshape(d.shape[:1] + (1,) * len(shape))
        else:
            axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
            d = np.expand_dims(d, tuple(1 + a % len(shape) for a in axes))
    return np.broadcast_to(d, d.shape[:1] + shape)


def batch_mean_adjoint(d, x, axis=None, keepdims=False):
    """Tangents of `rt.mean_adjoint(g, x, axis, keepdims)`."""
    return batch_sum_adjoint(np.divide(d, reduced_count(x, axis)), x, axis, keepdims)


def batch_transpose_adjoint(d, axes=None):
    """Tangents of `rt.transpose_adjoint(g, axes)`: transposed back, the batch axis staying first."""
    n = np.ndim(d) - 1
    order = tuple(range(n - 1, -1, -1)) if axes is None else tuple(int(a) for a in np.argsort([a % n for a in axes]))
    return np.transpose(d, (0,) + tuple(a + 1 for a in order))


def batch_matmul_adjoint_a(d, a, b):
    """Tangents of `rt.matmul_adjoint_a(g, a, b)` from the tangents `d` of `g` (g @ b^T, in each case)."""
    na, nb = np.ndim(a), np.ndim(b)
    if nb == 2 and na in (1, 2):
        return np.matmul(d, np.swapaxes(b, -1, -2))
    if nb == 1 and na == 2:
        return np.asarray(d)[:, :, None] * b
    if nb == 1 and na == 1:
        return np.asarray(d)[:, None] * b
    return _each(matmul_adjoint_a, d, 0, (d, a, b))


def batch_matmul_adjoint_a_of_b(g, a, d):
    """Tangents of `rt.matmul_adjoint_a(g, a, b)` from the tangents `d` of `b`."""
    na, nb = np.ndim(a), np.ndim(d) - 1
    if nb == 2 and na == 2:
        return np.matmul(g, np.swapaxes(d, -1, -2))
    if nb == 2 and na == 1:
        return np.matmul(d, g)
    if nb == 1 and na == 2:
        return np.asarray(g)[None, :, None] * np.asarray(d)[:, None, :]
    if nb == 1 and na == 1:
        return g * np.asarray(d)
    return _each(lambda b: matmul_adjoint_a(g, a, b), d, 0, (d,))


def batch_matmul_adjoint_b(d, a, b):
    """Tangents of `rt.matmul_adjoint_b(g, a, b)` from the tangents `d` of `g` (a^T @ g, in each case)."""
    na, nb = np.ndim(a), np.ndim(b)
    if na == 2 and nb in (1, 2):
        return np.matmul(np.swapaxes(a, -1, -2), d) if nb == 2 else np.matmul(d, a)
    if na == 1 and nb == 2:
        return np.asarray(a)[None, :, None] * np.asarray(d)[:, None, :]
    if na == 1 and nb == 1:
        return np.asarray(d)[:, None] * a
    return _each(matmul_adjoint_b, d, 0, (d, a, b))


def batch_matmul_adjoint_b_of_a(g, d, b):
    """Tangents of `rt.matmul_adjoint_b(g, a, b)` from the tangents `d` of `a`."""
    na, nb = np.ndim(d) - 1, np.ndim(b)
    if na == 2 and nb == 2:
        return np.matmul(np.swapaxes(d, -1, -2), g)
    if na == 2 and nb == 1:
        return np.matmul(g, d)
    if na == 1 and nb == 2:
        return np.asarray(d)[:, :, None] * np.asarray(g)[None, None, :]
    if na == 1 and nb == 1:
        return g * np.asarray(d)
    return _each(lambda a: matmul_adjoint_b(g, a, b), d, 0, (d,))


def _matrix_like(a, b) -> bool:
    return 1 <= np.ndim(a) <= 2 and 1 <= np.ndim(b) <= 2


def batch_dot_adjoint_a(d, a, b):
    """Tangents of `rt.dot_adjoint_a(g, a, b)` from the tangents `d` of `g`."""
    if _matrix_like(a, b):
        return batch_matmul_adjoint_a(d, a, b)
    return _each(dot_adjoint_a, d, 0, (d, a, b))


def batch_dot_adjoint_a_of_b(g, a, d):
    """Tangents of `rt.dot_adjoint_a(g, a, b)` from the tangents `d` of `b`."""
    if _matrix_like(a, np.asarray(d)[0]):
        return batch_matmul_adjoint_a_of_b(g, a, d)
    return _each(lambda b: dot_adjoint_a(g, a, b), d, 0, (d,))


def batch_dot_adjoint_b(d, a, b):
    """Tangents of `rt.dot_adjoint_b(g, a, b)` from the tangents `d` of `g`."""
    if _matrix_like(a, b):
        return batch_matmul_adjoint_b(d, a, b)
    return _each(dot_adjoint_b, d, 0, (d, a, b))


def batch_dot_adjoint_b_of_a(g, d, b):
    """Tangents of `rt.dot_adjoint_b(g, a, b)` from the tangents `d` of `a`."""
    if _matrix_like(np.asarray(d)[0], b):
        return batch_matmul_adjoint_b_of_a(g, d, b)
    return _each(lambda a: dot_adjoint_b(g, a, b), d, 0, (d,))



for _name, _helper in list(globals().items()):
    if _name.startswith("batch_") and callable(_helper) and "d" in _helper.__code__.co_varnames[
            :_helper.__code__.co_argcount]:
        globals()[_name] = zero_passes_through(_helper)


def array_adjoint_transpose(G, g, x):
    """The transpose of `array_adjoint(., x)` (linear in its first argument) at `g`: the parts of `G`, one
    per element of the list `x`, put back into one array of g's shape (a bare 0.0 part: zeros)."""
    shape = np.shape(g)
    if isinstance(x, (list, tuple)):
        out = np.zeros(shape, dtype=np.result_type(g, float))
        for i, v in enumerate(x):
            part = G[i] if isinstance(G, (list, tuple)) else G
            out[i] = array_adjoint_transpose(part, np.asarray(g)[i], v)
        return out
    return np.broadcast_to(G, shape) * 1.0


def batch_array_adjoint(d, x):
    """Tangents of `array_adjoint(g, x)`: each of the n tangents (leading axis) split like `g`."""
    if isinstance(x, (list, tuple)):
        return Parts(batch_array_adjoint(np.asarray(d)[:, i], v) for i, v in enumerate(x))
    return batch_unbroadcast(d, x) if np.ndim(x) < np.ndim(d) - 1 else d


def sum_builtin_adjoint_transpose(G, g, xs):
    """The transpose of `sum_builtin_adjoint(., xs)` at `g`: the parts of `G` summed (an array's rows)."""
    if isinstance(G, (list, tuple)):
        return sum(G) + np.zeros(np.shape(g))
    if isinstance(xs, (list, tuple)):
        return np.broadcast_to(G, np.shape(g)) * len(xs)
    return np.sum(G, axis=0) + np.zeros(np.shape(g))


def batch_sum_builtin_adjoint(d, xs):
    """Tangents of `sum_builtin_adjoint(g, xs)`: each of the n tangents (leading axis) given to every element."""
    if isinstance(xs, (list, tuple)):
        return Parts([d] * len(xs)) if isinstance(xs, list) else tuple([d] * len(xs))
    d = np.asarray(d)
    return np.broadcast_to(np.expand_dims(d, 1), d.shape[:1] + np.shape(xs)).copy()


def stack_adjoint_transpose(G, g, seq, axis=0):
    """The transpose of `stack_adjoint(., seq, axis)` at `g`: the parts of `G` stacked (a bare 0.0: zeros)."""
    shape = np.shape(g)
    sliced = shape[:axis % len(shape)] + shape[axis % len(shape) + 1:]
    parts = G if isinstance(G, (list, tuple)) else [G] * len(seq)
    return np.stack([np.broadcast_to(p, sliced) for p in parts], axis=axis)


def batch_stack_adjoint(d, seq, axis=0):
    """Tangents of `stack_adjoint(g, seq, axis)`: the slices of each tangent along the stacked axis."""
    d = np.asarray(d)
    at = axis + 1 if axis >= 0 else axis
    return Parts(np.take(d, i, axis=at) for i in range(len(seq)))


# ---------------------------------------------------------------- joining: transposes of the helpers that split g
def _parts_like(G, seq) -> list:
    """The adjoint parts in `G`, one per array of `seq`, as float arrays of those shapes (a bare 0.0, for a
    part or for all of G, is zeros)."""
    parts = G if isinstance(G, (list, tuple)) else [G] * len(seq)
    return [np.zeros(np.shape(x)) + p for p, x in zip(parts, seq)]


def concatenate_adjoint_transpose(G, g, seq, axis=0):
    """The transpose of `concatenate_adjoint(., seq, axis)` (linear in its first argument): the parts of `G`
    concatenated again."""
    parts = _parts_like(G, seq)
    if axis is None:
        return np.concatenate([np.ravel(p) for p in parts])
    return np.concatenate(parts, axis=axis)


def hstack_adjoint_transpose(G, g, seq):
    """The transpose of `hstack_adjoint(., seq)`: the parts of `G` joined by np.hstack."""
    return np.hstack(_parts_like(G, seq))


def vstack_adjoint_transpose(G, g, seq):
    """The transpose of `vstack_adjoint(., seq)`: the parts of `G` joined by np.vstack."""
    return np.vstack(_parts_like(G, seq))


def dstack_adjoint_transpose(G, g, seq):
    """The transpose of `dstack_adjoint(., seq)`: the parts of `G` joined by np.dstack."""
    return np.dstack(_parts_like(G, seq))


def column_stack_adjoint_transpose(G, g, seq):
    """The transpose of `column_stack_adjoint(., seq)`: the parts of `G` joined by np.column_stack."""
    return np.column_stack(_parts_like(G, seq))


def append_adjoint_transpose(G, g, arr, values, axis=None):
    """The transpose of `append_adjoint(., arr, values, axis)`: its two parts in `G` appended again."""
    first, second = _parts_like(G, [arr, values])
    return np.append(first, second, axis=axis)


def _split_each(helper, d, *rest, **kwargs):
    """Vector mode for a helper linear in `d` whose result is a list: the helper applied to each of the n
    tangents, its parts stacked (part i holds the n tangents of part i)."""
    d = np.asarray(d)
    if d.ndim == 0 and d == 0:  # a zero standing for all n tangents
        return 0.0
    out = [helper(d[k], *rest, **kwargs) for k in range(d.shape[0])]
    return Parts(np.stack([np.asarray(p, dtype=float) for p in parts]) for parts in zip(*out))


def batch_concatenate_adjoint(d, seq, axis=0):
    """Tangents of `concatenate_adjoint(g, seq, axis)`: each of the n tangents split like `g`."""
    return _split_each(concatenate_adjoint, d, seq, axis)


def batch_hstack_adjoint(d, seq):
    """Tangents of `hstack_adjoint(g, seq)`: each of the n tangents split like `g`."""
    return _split_each(hstack_adjoint, d, seq)


def batch_vstack_adjoint(d, seq):
    """Tangents of `vstack_adjoint(g, seq)`: each of the n tangents split like `g`."""
    return _split_each(vstack_adjoint, d, seq)


def batch_dstack_adjoint(d, seq):
    """Tangents of `dstack_adjoint(g, seq)`: each of the n tangents split like `g`."""
    return _split_each(dstack_adjoint, d, seq)


def batch_column_stack_adjoint(d, seq):
    """Tangents of `column_stack_adjoint(g, seq)`: each of the n tangents split like `g`."""
    return _split_each(column_stack_adjoint, d, seq)


def batch_append_adjoint(d, arr, values, axis=None):
    """Tangents of `append_adjoint(g, arr, values, axis)`: each of the n tangents split like `g`."""
    return _split_each(append_adjoint, d, arr, values, axis)


def batch_select_adjoint_choices(d, condlist, choicelist):
    """Tangents of `select_adjoint_choices(g, condlist, choicelist)`: each of the n tangents given out."""
    return _split_each(select_adjoint_choices, d, condlist, choicelist)


# ---------------------------------------------------------------- linear algebra: second derivatives
def solve_adjoint_tangent_a(d, f, a):
    """The tangent of `f = solve_adjoint_b(g, a, b)` = a^-T g (or of `f = solve_adjoint_a(g, x, a, b)` =
    -a^-T g x^T) from the tangent `d` of `a`: d(a^-T) = -a^-T d^T a^-T, so df = -solve(a^T, d^T f)."""
    return -np.linalg.solve(mT(a), mT(d) @ f)


def solve_adjoint_adjoint_a(G, f, a):
    """The adjoint with respect to `a` of `f = solve_adjoint_b(g, a, b)` (or of `solve_adjoint_a`), `G`
    the adjoint of f: the transpose of the map above, -f solve(a, G)^T (for a vector f, an outer product)."""
    h = np.linalg.solve(a, G)
    if np.ndim(f) == 1:
        return -np.outer(f, h)
    return -(np.asarray(f) @ mT(h))


def inv_transpose_tangent(d, f, a):
    """The tangent of `f = c inv(a)^T` (c constant per matrix: det_adjoint, slogdet_adjoint) from the tangent
    `d` of `a`: d(inv(a)^T) = -inv(a)^T d^T inv(a)^T, so df = -inv(a)^T d^T f."""
    return -(mT(np.linalg.inv(a)) @ mT(d) @ f)


def inv_transpose_adjoint(G, c, a):
    """The adjoint with respect to `a` of `c inv(a)^T` (c a number per matrix), `G` the adjoint of that
    value: -h (c G)^T h with h = inv(a)^T."""
    h = mT(np.linalg.inv(a))
    return -(h @ mT(np.asarray(c)[..., None, None] * G) @ h)


def slogdet_adjoint_transpose(G, g, a):
    """The transpose of `slogdet_adjoint(., a)` = g[1] inv(a)^T (linear in the pair g): (0 for the sign,
    trace(inv(a) G) for the log of the determinant's magnitude)."""
    t = trace_solve(a, G)
    return Parts([np.zeros(np.shape(t)) if np.ndim(t) else 0.0, t])


# ---------------------------------------------------------------- interpolation, sinc
def interp_slope_adjoint(h, x, xp, fp):
    """The adjoint with respect to `fp` of `interp_slope(x, xp, fp)` (linear in fp), `h` that of the
    slopes: each h over its segment's width, added at the segment's right end and taken at its left."""
    xp = np.asarray(xp, dtype=float)
    x = np.asarray(x, dtype=float)
    j = np.clip(np.searchsorted(xp, x, side="right") - 1, 0, len(xp) - 2)
    inside = (x >= xp[0]) & (x <= xp[-1])
    w = np.broadcast_to(np.where(inside, h / (xp[j + 1] - xp[j]), 0.0), np.shape(j))
    out = np.zeros(np.shape(fp))
    np.add.at(out, j + 1, w)
    np.add.at(out, j, -w)
    return out


def sinc_second_derivative(x):
    """The second derivative of `np.sinc`: -pi^2 sinc(x) - 2 sinc'(x) / x, and -pi^2 / 3 at x = 0."""
    x = np.asarray(x, dtype=float)
    safe = np.where(x == 0, 1.0, x)
    return np.where(x == 0, -np.pi ** 2 / 3.0, -np.pi ** 2 * np.sinc(safe) - 2.0 * sinc_derivative(safe) / safe)


def cross_product(a, b):
    """`np.cross(a, b)` of vectors in the last axis, 2-vectors giving the number a0 b1 - a1 b0 (what np.cross
    gives them, without its deprecation warning): the transposes of the cross products' adjoints."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    return np.cross(a, b)


# ---------------------------------------------------------------- second derivatives of the reduction helpers
def cumprod_adjoint_transpose(G, x, axis=None):
    """The transpose of v -> cumsum_adjoint(v, x, axis) / x, the map that cumprod_adjoint(g, ans, x, axis)
    applies to g * ans: the cumulative sum of G / x (flat for axis=None, as g is)."""
    v = np.asarray(G) / np.asarray(x)
    return np.cumsum(np.ravel(v)) if axis is None else np.cumsum(v, axis=axis)


def _prod_second(v, x, axis=None):
    """H v for each product that np.prod(x, axis) forms, H_ij = the product of the entries other than i and j
    (0 for i = j): the Hessian of the product. Exact where entries are 0 (no division)."""
    x = np.asarray(x, dtype=float)
    v = np.broadcast_to(np.asarray(v, dtype=float), x.shape)
    axes = reduced_axes(axis, x.ndim)
    keep = [a for a in range(x.ndim) if a not in axes]
    perm = keep + list(axes)
    xt, vt = np.transpose(x, perm), np.transpose(v, perm)
    lead = xt.shape[:len(keep)]
    xt, vt = xt.reshape(lead + (-1,)), vt.reshape(lead + (-1,))
    n = xt.shape[-1]
    eye = np.eye(n, dtype=bool)
    rows = np.where(eye, 1.0, xt[..., None, :])  # row i: x with entry i replaced by 1
    others = prod_adjoint(np.ones(rows.shape[:-1]), rows, axis=-1)  # [i, j]: the product without i and j
    out = np.sum(others * np.where(eye, 0.0, vt[..., None, :]), axis=-1)
    return np.transpose(out.reshape(np.transpose(x, perm).shape), np.argsort(perm))


def prod_adjoint_tangent_x(d, g, x, axis=None, keepdims=False):
    """The tangent of `prod_adjoint(g, x, axis, keepdims)` from the tangent `d` of x: g times the Hessian of
    the product applied to d."""
    return expand_reduced(g, np.shape(x), axis, keepdims) * _prod_second(d, x, axis)


def prod_adjoint_adjoint_x(G, g, x, axis=None, keepdims=False):
    """The adjoint with respect to x of `prod_adjoint(g, x, axis, keepdims)`: the Hessian (symmetric) of the
    product applied to g G."""
    return _prod_second(expand_reduced(g, np.shape(x), axis, keepdims) * G, x, axis)


# ---------------------------------------------------------------- second derivatives of cholesky and eigvalsh
def _phi(m):
    """The lower triangle with half the diagonal (Murray 2016): its own transpose as a linear map."""
    return np.tril(m, -1) + 0.5 * m * np.eye(np.shape(m)[-1])


def _from_lower(s, uplo="L"):
    """As runtime.linalg's: a linear map that scales entries (2 below the diagonal, 1 on it), its own transpose."""
    half = np.tril(2.0 * s) if uplo == "L" else np.triu(2.0 * s)
    return half - s * np.eye(np.shape(s)[-1])


def _sym(m):
    return 0.5 * (m + mT(m))


def _cholesky_parts(g, L):
    """L^-1 and S = L^-T Phi(L^T g) L^-1, the matrix cholesky_adjoint(g, L) symmetrises."""
    Linv = np.linalg.inv(L)
    return Linv, mT(Linv) @ _phi(mT(L) @ g) @ Linv


def cholesky_adjoint_transpose(G, L):
    """The transpose of `cholesky_adjoint(., L)` (linear in g): L Phi(L^-1 Y L^-T), Y = sym(from_lower(G))."""
    Linv = np.linalg.inv(L)
    return L @ _phi(Linv @ _sym(_from_lower(G)) @ mT(Linv))


def cholesky_adjoint_tangent_L(d, g, L):
    """The tangent of `cholesky_adjoint(g, L)` from the tangent `d` of L: with S as above,
    dS = -L^-T d^T S + L^-T Phi(d^T g) L^-1 - S d L^-1, symmetrised and read from the lower triangle."""
    Linv, S = _cholesky_parts(g, L)
    dS = -mT(Linv) @ mT(d) @ S + mT(Linv) @ _phi(mT(d) @ g) @ Linv - S @ d @ Linv
    return _from_lower(_sym(dS))


def cholesky_adjoint_adjoint_L(G, g, L):
    """The adjoint with respect to L of `cholesky_adjoint(g, L)` (the transpose of the tangent above):
    with Y = sym(from_lower(G)), -(S + S^T) Y L^-T + g Phi(L^-1 Y L^-T)^T."""
    Linv, S = _cholesky_parts(g, L)
    Y = _sym(_from_lower(G))
    return -(S + mT(S)) @ Y @ mT(Linv) + g @ mT(_phi(Linv @ Y @ mT(Linv)))


def _eig_parts(a, uplo):
    w, V = np.linalg.eigh(a, UPLO=uplo)
    gaps = w[..., None, :] - w[..., :, None]  # w_j - w_i
    eye = np.eye(np.shape(w)[-1], dtype=bool)
    return V, np.where(eye, 0.0, 1.0 / np.where(eye, 1.0, gaps))


def _read_triangle(m, uplo):
    """The symmetric matrix eigh reads from the lower (or upper) triangle of m."""
    tri = np.tril(m) if uplo == "L" else np.triu(m)
    return tri + mT(tri) - tri * np.eye(np.shape(m)[-1])


def _read_triangle_transpose(m, uplo):
    """The transpose of `_read_triangle`: the triangle of m + m^T, its diagonal once."""
    s = m + mT(m)
    return (np.tril(s) if uplo == "L" else np.triu(s)) - m * np.eye(np.shape(m)[-1])


def eigvalsh_adjoint_tangent_a(d, g, a, UPLO="L"):
    """The tangent of `eigvalsh_adjoint(g, a)` = V diag(g) V^T (from its triangle) from the tangent `d` of a:
    dV = V (F o M), M = V^T d V, F_ij = 1 / (w_j - w_i), so d(V D V^T) = V ((F o M) D + D (F o M)^T) V^T.
    Eigenvalues must be distinct."""
    V, F = _eig_parts(a, UPLO)
    K = F * (mT(V) @ _read_triangle(d, UPLO) @ V)
    D = np.asarray(g)[..., None, :]  # (K D)_ij = K_ij g_j
    inner = K * D + mT(K * D)
    return _from_lower(V @ inner @ mT(V), UPLO)


def eigvalsh_adjoint_adjoint_a(G, g, a, UPLO="L"):
    """The adjoint with respect to a of `eigvalsh_adjoint(g, a)`: with Q = V^T from_lower(G) V, the matrix
    V (F o ((Q + Q^T) D)) V^T read back into the triangle."""
    V, F = _eig_parts(a, UPLO)
    Q = mT(V) @ _from_lower(G, UPLO) @ V
    M = F * ((Q + mT(Q)) * np.asarray(g)[..., None, :])
    return _read_triangle_transpose(V @ M @ mT(V), UPLO)


# ---------------------------------------------------------------- second derivatives of matrix_power's adjoint
def _matrix_power_adjoint_terms(g, a, n):
    """matrix_power_adjoint(g, a, n) = sum over k of B^k g B^(n-1-k), B = a^T; its derivative in a is the sum
    of X dB Y over the pairs (X, Y) returned, dB = da^T."""
    if n < 0:
        raise ValueError("no second derivative for np.linalg.matrix_power with a negative power")
    B = mT(np.asarray(a, dtype=float))
    powers = [np.broadcast_to(np.eye(np.shape(a)[-1]), np.shape(a))]
    for _ in range(max(n - 1, 0)):
        powers.append(powers[-1] @ B)
    terms = []
    for k in range(n):
        m = n - 1 - k
        for i in range(k):  # d(B^k) g B^m
            terms.append((powers[i], powers[k - 1 - i] @ g @ powers[m]))
        for i in range(m):  # B^k g d(B^m)
            terms.append((powers[k] @ g @ powers[i], powers[m - 1 - i]))
    return terms


def matrix_power_adjoint_tangent_a(d, g, a, n):
    """The tangent of `matrix_power_adjoint(g, a, n)` from the tangent `d` of a (n >= 0)."""
    dB = mT(d)
    return sum((X @ dB @ Y for X, Y in _matrix_power_adjoint_terms(g, a, n)), np.zeros(np.shape(a)))


def matrix_power_adjoint_adjoint_a(G, g, a, n):
    """The adjoint with respect to a of `matrix_power_adjoint(g, a, n)`: each term X dB Y gives (X^T G Y^T)^T."""
    return sum((mT(mT(X) @ G @ mT(Y)) for X, Y in _matrix_power_adjoint_terms(g, a, n)), np.zeros(np.shape(a)))


# ---------------------------------------------------------------- second derivatives of the norms' adjoints
# norm_adjoint(g, ans, x) is g times a function of x and the norm ans, entry by entry: g x / ans for the 2-norm
# and Frobenius norm, g sign(x) |x|^(p-1) / ans^(p-1) for a p-norm, piecewise constant (no second derivative)
# for the 1-, 0- and max-norms. Its derivative in x is diagonal (so its own transpose), in ans a reduction.
def _norm_coefficients(g, ans, x, ord, axes, keepdims, matrix):
    """(the derivative of each entry of the adjoint in that entry of x, and in its norm), both x-shaped."""
    x = np.asarray(x, dtype=float)
    g = np.asarray(expand_reduced(g, x.shape, axes, keepdims), dtype=float)
    ans = np.asarray(expand_reduced(ans, x.shape, axes, keepdims), dtype=float)
    if matrix:
        if ord in ("nuc", 2, -2):
            raise ValueError(f"np.linalg.norm: no second derivative for the matrix norm ord={ord!r}")
        p = 2 if ord in (None, "fro") else None
    else:
        p = 2 if ord is None else ord
        if p in (0, 1, np.inf, -np.inf):
            p = None
    if p is None:  # piecewise constant in x and in the norm
        return np.zeros(x.shape), np.zeros(x.shape)
    safe = np.where(ans == 0, 1.0, ans)
    if p == 2:
        return np.broadcast_to(g / safe, x.shape), -g * x / (safe * safe)
    adjoint = g * np.sign(x) * np.abs(x) ** (p - 1) / safe ** (p - 1)
    return g * (p - 1) * np.abs(x) ** (p - 2) / safe ** (p - 1), -(p - 1) * adjoint / safe


def _norm_axes(x, ord, axis):
    """(the reduced axes, is it a matrix norm) of np.linalg.norm(x, ord, axis)."""
    if axis is None:
        return tuple(range(np.ndim(x))), np.ndim(x) == 2 and ord is not None
    axes = reduced_axes(axis, np.ndim(x))
    return axes, len(axes) == 2


def norm_adjoint_second_x(v, g, ans, x, ord=None, axis=None, keepdims=False):
    """The tangent of `norm_adjoint(g, ans, x, ord, axis, keepdims)` from the tangent `v` of x, and equally its
    adjoint with respect to x for the adjoint `v` of its result (the map is diagonal)."""
    axes, matrix = _norm_axes(x, ord, axis)
    return _norm_coefficients(g, ans, x, ord, axes, keepdims, matrix)[0] * v


def norm_adjoint_tangent_ans(d, g, ans, x, ord=None, axis=None, keepdims=False):
    """The tangent of `norm_adjoint(g, ans, x, ...)` from the tangent `d` of the norm ans."""
    axes, matrix = _norm_axes(x, ord, axis)
    return _norm_coefficients(g, ans, x, ord, axes, keepdims, matrix)[1] * expand_reduced(d, np.shape(x), axes, keepdims)


def norm_adjoint_adjoint_ans(G, g, ans, x, ord=None, axis=None, keepdims=False):
    """The adjoint of `norm_adjoint(g, ans, x, ...)` with respect to the norm ans."""
    axes, matrix = _norm_axes(x, ord, axis)
    return np.sum(_norm_coefficients(g, ans, x, ord, axes, keepdims, matrix)[1] * G, axis=axes, keepdims=keepdims)


def vector_norm_adjoint_second_x(v, g, ans, x, axis=None, keepdims=False, ord=2):
    """As `norm_adjoint_second_x`, for `vector_norm_adjoint` (axis=None: all entries form one vector)."""
    axes = reduced_axes(axis, np.ndim(x))
    return _norm_coefficients(g, ans, x, ord, axes, keepdims, False)[0] * v


def vector_norm_adjoint_tangent_ans(d, g, ans, x, axis=None, keepdims=False, ord=2):
    """As `norm_adjoint_tangent_ans`, for `vector_norm_adjoint`."""
    axes = reduced_axes(axis, np.ndim(x))
    return _norm_coefficients(g, ans, x, ord, axes, keepdims, False)[1] * expand_reduced(d, np.shape(x), axes, keepdims)


def vector_norm_adjoint_adjoint_ans(G, g, ans, x, axis=None, keepdims=False, ord=2):
    """As `norm_adjoint_adjoint_ans`, for `vector_norm_adjoint`."""
    axes = reduced_axes(axis, np.ndim(x))
    return np.sum(_norm_coefficients(g, ans, x, ord, axes, keepdims, False)[1] * G, axis=axes, keepdims=keepdims)


def matrix_norm_adjoint_second_x(v, g, ans, x, keepdims=False, ord="fro"):
    """As `norm_adjoint_second_x`, for `matrix_norm_adjoint` (the matrices in the last two axes)."""
    axes = reduced_axes((-2, -1), np.ndim(x))
    return _norm_coefficients(g, ans, x, ord, axes, keepdims, True)[0] * v


def matrix_norm_adjoint_tangent_ans(d, g, ans, x, keepdims=False, ord="fro"):
    """As `norm_adjoint_tangent_ans`, for `matrix_norm_adjoint`."""
    axes = reduced_axes((-2, -1), np.ndim(x))
    return _norm_coefficients(g, ans, x, ord, axes, keepdims, True)[1] * expand_reduced(d, np.shape(x), axes, keepdims)


def matrix_norm_adjoint_adjoint_ans(G, g, ans, x, keepdims=False, ord="fro"):
    """As `norm_adjoint_adjoint_ans`, for `matrix_norm_adjoint`."""
    axes = reduced_axes((-2, -1), np.ndim(x))
    return np.sum(_norm_coefficients(g, ans, x, ord, axes, keepdims, True)[1] * G, axis=axes, keepdims=keepdims)


# ---------------------------------------------------------------- second derivatives of eigh's and svd's adjoints
def _eigh_adjoint_parts(g, w, v):
    gw, gv = np.asarray(g[0], dtype=float), np.asarray(g[1], dtype=float)
    n = np.shape(w)[-1]
    F = _eig_parts_of(w)
    inner = gw[..., :, None] * np.eye(n) + F * (mT(v) @ gv)
    return gw, gv, F, inner


def eigh_adjoint_transpose(G, w, v, UPLO="L"):
    """The transpose of `eigh_adjoint(., w, v)` (linear in the pair g = [gw, gv]): with Q = V^T Y V,
    Y = sym(from_lower(G)), the pair (diag(Q), V (F o Q)), F_ij = 1 / (w_j - w_i)."""
    F = _eig_parts_of(w)
    Y = _sym(_from_lower(G, UPLO))
    Q = mT(v) @ Y @ v
    return Parts([np.diagonal(Q, axis1=-2, axis2=-1).copy(), v @ (F * Q)])


def _eig_parts_of(w):
    """F_ij = 1 / (w_j - w_i), 0 on the diagonal."""
    n = np.shape(w)[-1]
    eye = np.eye(n, dtype=bool)
    gaps = w[..., None, :] - w[..., :, None]
    return np.where(eye, 0.0, 1.0 / np.where(eye, 1.0, gaps))


def eigh_adjoint_tangent_w(d, g, w, v, UPLO="L"):
    """The tangent of `eigh_adjoint(g, w, v)` from the tangent `d` of the eigenvalues w: through
    F_ij = 1 / (w_j - w_i), dF_ij = -F_ij^2 (d_j - d_i)."""
    gw, gv, F, inner = _eigh_adjoint_parts(g, w, v)
    dF = -F * F * (d[..., None, :] - d[..., :, None])
    return _from_lower(_sym(v @ (dF * (mT(v) @ gv)) @ mT(v)), UPLO)


def eigh_adjoint_adjoint_w(G, g, w, v, UPLO="L"):
    """The adjoint of `eigh_adjoint(g, w, v)` with respect to w (the transpose of the tangent above)."""
    gw, gv, F, inner = _eigh_adjoint_parts(g, w, v)
    Q = mT(v) @ _sym(_from_lower(G, UPLO)) @ v
    C = -Q * (mT(v) @ gv) * F * F  # the coefficient of (d_j - d_i)
    return np.sum(C, axis=-2) - np.sum(C, axis=-1)


def eigh_adjoint_tangent_v(d, g, w, v, UPLO="L"):
    """The tangent of `eigh_adjoint(g, w, v)` = from_lower(sym(V inner V^T)), inner = diag(gw) + F o (V^T gv),
    from the tangent `d` of the eigenvectors V."""
    gw, gv, F, inner = _eigh_adjoint_parts(g, w, v)
    dS = d @ inner @ mT(v) + v @ inner @ mT(d) + v @ (F * (mT(d) @ gv)) @ mT(v)
    return _from_lower(_sym(dS), UPLO)


def eigh_adjoint_adjoint_v(G, g, w, v, UPLO="L"):
    """The adjoint of `eigh_adjoint(g, w, v)` with respect to V: Y V (inner + inner^T) + gv (F o Q)^T, with
    Y = sym(from_lower(G)) and Q = V^T Y V."""
    gw, gv, F, inner = _eigh_adjoint_parts(g, w, v)
    Y = _sym(_from_lower(G, UPLO))
    Q = mT(v) @ Y @ v
    return Y @ v @ (inner + mT(inner)) + gv @ mT(F * Q)


def svdvals_adjoint_tangent_a(d, g, a):
    """The tangent of `svdvals_adjoint(g, a)` = U diag(g) V^T (thin SVD) from the tangent `d` of a (Townsend
    2016): with dP = U^T d V and F_ij = 1 / (s_j^2 - s_i^2),
    dU = U (F o (dP S + S dP^T)) + (I - U U^T) d V S^-1, dV = V (F o (S dP + dP^T S)) + (I - V V^T) d^T U S^-1.
    It is also the adjoint with respect to a (the Hessian of sum(g * svdvals(a)) is symmetric). Singular
    values must be distinct and nonzero."""
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    v = mT(vh)
    k = np.shape(s)[-1]
    eye = np.eye(k, dtype=bool)
    s2 = s[..., None, :] ** 2 - s[..., :, None] ** 2
    F = np.where(eye, 0.0, 1.0 / np.where(eye, 1.0, s2))
    S = s[..., None, :] * np.eye(k)
    dP = mT(u) @ d @ v
    du = u @ (F * (dP @ S + S @ mT(dP))) + (d @ v - u @ dP) / s[..., None, :]
    dv = v @ (F * (S @ dP + mT(dP) @ S)) + (mT(d) @ u - v @ mT(dP)) / s[..., None, :]
    g = np.asarray(g, dtype=float)[..., None, :]
    return (du * g) @ vh + (u * g) @ mT(dv)


def multi_dot_adjoint_tangent_arrays(d, g, arrays):
    """The tangent of `multi_dot_adjoint(g, arrays)` from the tangents `d` of the factors (one per factor, a
    bare 0.0 for none): part i is linear in every factor but the i-th."""
    parts = [zeros_like(np.asarray(a, dtype=float)) for a in arrays]
    for j, dj in enumerate(d):
        if np.ndim(dj) == 0 and dj == 0:
            continue
        changed = multi_dot_adjoint(g, list(arrays[:j]) + [dj] + list(arrays[j + 1:]))
        for i in range(len(arrays)):
            if i != j:
                parts[i] = parts[i] + changed[i]
    return Parts(parts)


def multi_dot_adjoint_adjoint_arrays(G, g, arrays):
    """The adjoint of `multi_dot_adjoint(g, arrays)` with respect to the factors: part i, paired with G[i], is
    the product with G[i] in factor i's place paired with g, so factor j gets the sum over i != j of
    multi_dot_adjoint(g, arrays with G[i] in place i)[j]."""
    parts = [zeros_like(np.asarray(a, dtype=float)) for a in arrays]
    for i, Gi in enumerate(G):
        if np.ndim(Gi) == 0 and Gi == 0:
            continue
        changed = multi_dot_adjoint(g, list(arrays[:i]) + [np.broadcast_to(Gi, np.shape(arrays[i]))]
                                    + list(arrays[i + 1:]))
        for j in range(len(arrays)):
            if j != i:
                parts[j] = parts[j] + changed[j]
    return Parts(parts)
