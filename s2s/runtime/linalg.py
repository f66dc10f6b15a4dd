"""Runtime helpers of the rules for products and linear algebra (spelled `rt.name` in generated code).

The adjoints of tensordot, inner, einsum, multi_dot, kron, diagonal, trace, diag,
matrix_power, convolve, correlate, cross, solve, det, slogdet, cholesky and eigh.
Each is pure and documents the derivative it implements.

Linear algebra formulas follow M. Giles, "An extended collection of matrix
derivative results for forward and reverse mode AD" (2008); I. Murray,
"Differentiation of the Cholesky decomposition" (2016); J. Townsend,
"Differentiating the singular value decomposition" (2016); S. Walter and
L. Lehmann, "Algorithmic differentiation of linear algebra functions with
application in optimum experimental design" (2010) for QR.
"""
from __future__ import annotations

import functools
import math
import string

import numpy as np

from s2s.errors import S2SError
from s2s.runtime.arrays import _float_zeros, mT
from s2s.runtime.core import Parts, unbroadcast_to_shape
from s2s.runtime.ties import adjoint_over_gaps, over_sums

__all__ = [
    "tensordot_adjoint_a", "tensordot_adjoint_b", "inner_adjoint_a", "inner_adjoint_b", "vdot_adjoint", "lower_symmetric",
    "lower_symmetric_adjoint", "einsum_adjoint",
    "einsum_subscripts", "einsum_argument_adjoint",
    "kron_adjoint_a", "kron_adjoint_b", "trace_adjoint", "diagonal_adjoint", "diag_adjoint",
    "matrix_power_adjoint", "convolve_adjoint_a", "convolve_adjoint_b", "cross_adjoint_a", "cross_adjoint_b", "cross_product",
    "multi_dot_adjoint", "correlate_adjoint_a", "correlate_adjoint_b", "solve_adjoint_a", "solve_adjoint_b",
    "solves_vectors", "solve_columns",
    "slogdet_adjoint", "cholesky_adjoint", "eigh_adjoint", "eigvalsh_adjoint", "qr_adjoint",
    "svd_adjoint", "svdvals_adjoint",
]


# ---------------------------------------------------------------- products

def _tensordot_axes(axes, na: int, nb: int):
    if np.ndim(axes) == 0:
        k = int(axes)
        return list(range(na - k, na)), list(range(k))
    a_axes, b_axes = axes
    a_axes = [a_axes] if np.ndim(a_axes) == 0 else list(a_axes)
    b_axes = [b_axes] if np.ndim(b_axes) == 0 else list(b_axes)
    return [int(a) % na for a in a_axes], [int(b) % nb for b in b_axes]


def tensordot_adjoint_a(g, a, b, axes=2):
    """Adjoint of `np.tensordot(a, b, axes)` with respect to `a`."""
    na, nb = np.ndim(a), np.ndim(b)
    a_axes, b_axes = _tensordot_axes(axes, na, nb)
    a_free = [i for i in range(na) if i not in a_axes]
    b_free = [i for i in range(nb) if i not in b_axes]
    out = np.tensordot(g, b, axes=(list(range(len(a_free), len(a_free) + len(b_free))), b_free))
    # out: the free axes of a, then b's contracted axes in b's order, each the partner of an axis of a
    return np.transpose(out, np.argsort(a_free + [a_axes[b_axes.index(j)] for j in sorted(b_axes)]))


def tensordot_adjoint_b(g, a, b, axes=2):
    """Adjoint of `np.tensordot(a, b, axes)` with respect to `b`."""
    na, nb = np.ndim(a), np.ndim(b)
    a_axes, b_axes = _tensordot_axes(axes, na, nb)
    a_free = [i for i in range(na) if i not in a_axes]
    b_free = [i for i in range(nb) if i not in b_axes]
    out = np.tensordot(a, g, axes=(a_free, list(range(len(a_free)))))
    # out: a's contracted axes in a's order, each the partner of an axis of b, then the free axes of b
    return np.transpose(out, np.argsort([b_axes[a_axes.index(i)] for i in sorted(a_axes)] + b_free))


def vdot_adjoint(g, b, a):
    """Adjoint of `np.vdot(a, b)` (real arrays: the sum of a * b over their flattened entries) with respect to
    `a`: g times b, in a's shape; a new array, never a view of b (the gradient's caller may change it in place)."""
    return np.reshape(g * np.ravel(b), np.shape(a))


def inner_adjoint_a(g, a, b):
    """Adjoint of `np.inner(a, b)` (a sum over the last axes) with respect to `a`."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast_to_shape(g * np.asarray(b), np.shape(a))
    return tensordot_adjoint_a(g, a, b, ([-1], [-1]))


def inner_adjoint_b(g, a, b):
    """Adjoint of `np.inner(a, b)` with respect to `b`."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return unbroadcast_to_shape(g * np.asarray(a), np.shape(b))
    return tensordot_adjoint_b(g, a, b, ([-1], [-1]))


def _einsum_parse(subscripts: str, ndims):
    """Explicit subscripts (one string per operand of `ndims` axes, and the output) with '...' spelled out in
    letters."""
    subscripts = subscripts.replace(" ", "")
    inputs, arrow, output = subscripts.partition("->")
    terms = inputs.split(",")
    used = set(subscripts)
    spare = [c for c in string.ascii_letters if c not in used]
    ell_dims = max((nd - len(t.replace("...", "")) for t, nd in zip(terms, ndims) if "..." in t), default=0)
    ell = "".join(spare[:ell_dims])
    terms = [t.replace("...", ell[len(ell) - (nd - len(t.replace("...", ""))):]) if "..." in t else t
             for t, nd in zip(terms, ndims)]
    if not arrow:
        letters = "".join(terms)
        output = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1 and c not in ell))
    else:
        output = output.replace("...", ell)
    return terms, output


EINSUM_PLAIN = 100_000  # multiply-adds above which a contraction's einsum lets NumPy choose the order (BLAS)
EINSUM_SHORT_LOOPS = 500  # multiply-adds per element of the shortest last axis above which it does too


def _einsum_optimize(terms, output, letters) -> bool:
    """Whether `np.einsum` with these terms should choose its contraction order (`optimize=True`, whose
    search costs ~12 µs) rather than run its plain loop. Only a contraction (a summed letter that two
    operands share) can gain: BLAS does it. The plain loop costs ~0.3 ns per multiply-add when the arrays'
    last axes are long and up to ~17 ns when they are short (GMM's d=2: 350 µs where BLAS takes 17 µs)."""
    summed = [c for c in letters if c not in output and sum(c in t for t in terms) > 1]
    if not summed:
        return False
    work = math.prod(letters.values())
    shortest = min(letters[t[-1]] for t in (*terms, output) if t)
    return work > EINSUM_PLAIN or work > EINSUM_SHORT_LOOPS * shortest


@functools.lru_cache(maxsize=256)
def _einsum_adjoint_plan(subscripts: str, i: int, shapes: tuple):
    """How einsum_adjoint computes the adjoint of operand `i` for these shapes (planned once per shapes):
    (the einsum's result shape, which g is summed back to first, the einsum of g with the other operands, its `optimize`, the axes to broadcast it along and the shape
    that makes, the operand's unique letters' sizes, the spec writing it onto a diagonal or None)."""
    terms, output = _einsum_parse(subscripts, [len(s) for s in shapes])
    mine = terms[i]
    others = [t for j, t in enumerate(terms) if j != i]
    unique = "".join(dict.fromkeys(mine))
    known = "".join(c for c in unique if c in output or any(c in t for t in others))
    sizes_all: dict = {}  # every letter's (broadcast) size among the operands: the einsum's result shape
    for t, shape in zip(terms, shapes):
        for c, n in zip(t, shape):
            sizes_all[c] = n if sizes_all.get(c, 1) == 1 else sizes_all[c]
    result = tuple(sizes_all[c] for c in output)  # (g, if broadcast larger by an addition, is summed back to it)
    letters: dict = {}  # every letter of spec, with its (broadcast) size: the plain loop's length
    for t, shape in zip([output] + others, [result] + [s for j, s in enumerate(shapes) if j != i]):
        for c, n in zip(t, shape):
            letters[c] = n if letters.get(c, 1) == 1 else letters[c]
    sizes = dict(zip(mine, shapes[i]))
    missing = tuple(k for k, c in enumerate(unique) if c not in known)
    spread = tuple(letters[c] if c in known else sizes[c] for c in unique)  # the einsum's, broadcast along missing
    return (result, ",".join([output] + others) + "->" + known, _einsum_optimize([output] + others, known, letters),
            missing, spread, tuple(sizes[c] for c in unique), None if unique == mine else mine + "->" + unique)


def einsum_adjoint(g, subscripts, i, *operands):
    """Adjoint of `np.einsum(subscripts, *operands)` with respect to operand `i`: an einsum of `g` with the
    other operands, broadcast over indices only operand `i` sums, and placed on the diagonal for a
    repeated index (as in 'ii->i'). `g` may be broadcast larger than the einsum's result (the adjoint of
    `einsum(...) + y`, not yet summed back): it is summed back first."""
    result, spec, optimize, missing, spread, target, diagonal = _einsum_adjoint_plan(
        subscripts, i, tuple(np.shape(op) for op in operands))
    if np.shape(g) != result:  # a cotangent broadcast larger than the result (or a bare 0.0): to its shape
        g = unbroadcast_to_shape(g, result)
    part = np.einsum(spec, g, *(op for j, op in enumerate(operands) if j != i), optimize=optimize)
    if missing:  # letters only operand i sums over: the adjoint is constant along them
        part = np.broadcast_to(np.expand_dims(part, missing), spread)
    part = unbroadcast_to_shape(part, target)
    if diagonal is None:
        if type(part) is np.ndarray and part.dtype == np.float64 and part.flags.writeable and (
                part.base is None or not any(np.may_share_memory(part, a) for a in (g, *operands))):
            return part  # einsum's own new array
        return np.array(part, dtype=float)
    out = np.zeros(np.shape(operands[i]), dtype=float)
    np.einsum(diagonal, out)[...] = part  # the diagonal view is writeable
    return out


_SUBLIST_LETTERS = string.ascii_uppercase + string.ascii_lowercase  # NumPy's own: 0-25 are A-Z, 26-51 a-z


def _sublist_term(sublist) -> str:
    return "".join("..." if k is Ellipsis else _SUBLIST_LETTERS[int(k)] for k in sublist)


def einsum_subscripts(*args) -> str:
    """The subscripts string of `np.einsum(op0, sublist0, op1, sublist1, ..., [sublist_out])`, the sublist form,
    in the letters NumPy itself reads it with (its implicit output, the letters used once in order, is the
    same): `np.einsum(x, [0, 1], w, [1, 2], [0, 2])` is `np.einsum('AB,BC->AC', x, w)`."""
    terms = ",".join(_sublist_term(s) for s in args[1::2])
    return terms + "->" + _sublist_term(args[-1]) if len(args) % 2 else terms


def einsum_argument_adjoint(g, p, *args):
    """Adjoint of `np.einsum(*args)` with respect to its positional argument `p`, whichever form the call has:
    `args[0]` the subscripts string (operand p - 1 of the operands that follow), or the sublist form
    (operand p // 2 of `args[0::2]`, its subscripts `einsum_subscripts(*args)`)."""
    if isinstance(args[0], str):
        return einsum_adjoint(g, args[0], p - 1, *args[1:])
    return einsum_adjoint(g, einsum_subscripts(*args), p // 2, *args[0:len(args) - len(args) % 2:2])


def multi_dot_adjoint(g, arrays):
    """Adjoint of `np.linalg.multi_dot(arrays)`: for each factor, (left product)^T G (right product)^T, where a
    1-D first (last) factor is a row (column) vector."""
    mats = [np.atleast_2d(a) for a in arrays]
    if np.ndim(arrays[-1]) == 1:
        mats[-1] = mats[-1].T
    g = np.reshape(g, (mats[0].shape[0], mats[-1].shape[1]))
    parts = Parts()
    for i, a in enumerate(arrays):
        left = np.eye(mats[0].shape[0])
        for m in mats[:i]:
            left = left @ m
        right = np.eye(mats[-1].shape[1])
        for m in reversed(mats[i + 1:]):
            right = m @ right
        gi = left.T @ g @ right.T
        parts.append(np.reshape(gi.T if i == len(arrays) - 1 and np.ndim(a) == 1 else gi, np.shape(a)))
    return parts


def _kron_blocks(g, a, b):
    """`g` as interleaved (a-axis, b-axis) pairs, with both shapes padded to the same rank."""
    n = max(np.ndim(a), np.ndim(b))
    sa = (1,) * (n - np.ndim(a)) + np.shape(a)
    sb = (1,) * (n - np.ndim(b)) + np.shape(b)
    return np.reshape(g, [d for pair in zip(sa, sb) for d in pair]), sa, sb, n


def kron_adjoint_a(g, a, b):
    """Adjoint of `np.kron(a, b)` with respect to `a`: each block of `g` contracted with `b`."""
    blocks, sa, sb, n = _kron_blocks(g, a, b)
    out = np.tensordot(blocks, np.reshape(b, sb), axes=(list(range(1, 2 * n, 2)), list(range(n))))
    return np.reshape(out, np.shape(a))


def kron_adjoint_b(g, a, b):
    """Adjoint of `np.kron(a, b)` with respect to `b`."""
    blocks, sa, sb, n = _kron_blocks(g, a, b)
    out = np.tensordot(blocks, np.reshape(a, sa), axes=(list(range(0, 2 * n, 2)), list(range(n))))
    return np.reshape(out, np.shape(b))


def diagonal_adjoint(g, x, offset=0, axis1=0, axis2=1):
    """Adjoint of `np.diagonal(x, offset, axis1, axis2)`: `g` written on that diagonal of zeros."""
    out = _float_zeros(x)
    view = np.moveaxis(out, (axis1, axis2), (-2, -1))
    n = np.shape(g)[-1]
    rows = np.arange(n) + max(-offset, 0)
    cols = np.arange(n) + max(offset, 0)
    view[..., rows, cols] = g
    return out


def trace_adjoint(g, x, offset=0, axis1=0, axis2=1):
    """Adjoint of `np.trace(x, offset, axis1, axis2)`: `g` broadcast along that diagonal."""
    x = np.asarray(x)
    a1, a2 = axis1 % x.ndim, axis2 % x.ndim
    n = np.diagonal(x, offset, a1, a2).shape[-1]
    g_diag = np.broadcast_to(np.expand_dims(g, -1), np.shape(g) + (n,))
    return diagonal_adjoint(g_diag, x, offset, a1, a2)


def diag_adjoint(g, x, k=0):
    """Adjoint of `np.diag(x, k)`: for a vector `x`, the k-th diagonal of `g`; for a matrix, `g` placed there."""
    if np.ndim(x) == 1:
        return np.diagonal(g, k).copy()
    return diagonal_adjoint(g, x, k)


def matrix_power_adjoint(g, a, n):
    """Adjoint of `np.linalg.matrix_power(a, n)`: sum over k of (A^T)^k G (A^T)^(n-1-k); negative n goes
    through the inverse."""
    if n == 0:
        return np.zeros_like(a, dtype=float)
    if n < 0:
        inv = np.linalg.inv(a)
        g_inv = matrix_power_adjoint(g, inv, -n)
        return -mT(inv) @ g_inv @ mT(inv)
    at = mT(a)
    powers = [np.broadcast_to(np.eye(np.shape(a)[-1]), np.shape(a))]
    for _ in range(n - 1):
        powers.append(powers[-1] @ at)
    return sum(powers[k] @ g @ powers[n - 1 - k] for k in range(n))


def convolve_adjoint_a(g, a, v, mode="full"):
    """Adjoint of `np.convolve(a, v, mode)` with respect to `a`: the 'full' adjoint correlated with `v`. (NumPy takes
    a number, or a 0-d array, for a one-entry vector: its adjoint is a number.)"""
    full = _convolve_full_adjoint(g, np.size(a), np.size(v), mode)
    return _shaped_as(np.correlate(full, np.ravel(v), mode="valid"), a)


def convolve_adjoint_b(g, a, v, mode="full"):
    """Adjoint of `np.convolve(a, v, mode)` with respect to `v`: the 'full' adjoint correlated with `a`."""
    full = _convolve_full_adjoint(g, np.size(a), np.size(v), mode)
    return _shaped_as(np.correlate(full, np.ravel(a), mode="valid"), v)


def correlate_adjoint_a(g, a, v, mode="valid"):
    """Adjoint of `np.correlate(a, v, mode)` with respect to `a`: the 'full' adjoint correlated with `v[::-1]`
    (the 'full' correlation is `np.convolve(a, v[::-1])`; 'same' crops it where `_correlate_full_adjoint` says).
    (np.correlate, unlike np.convolve, refuses numbers.)"""
    return np.correlate(_correlate_full_adjoint(g, len(a), len(v), mode), np.asarray(v)[::-1], mode="valid")


def correlate_adjoint_b(g, a, v, mode="valid"):
    """Adjoint of `np.correlate(a, v, mode)` with respect to `v`: the 'full' adjoint correlated with `a`, reversed."""
    return np.correlate(_correlate_full_adjoint(g, len(a), len(v), mode), a, mode="valid")[::-1]


def _shaped_as(adjoint, operand):
    """The adjoint of a convolution's operand (a vector) in the operand's shape: a number for a number."""
    return adjoint if np.ndim(operand) == 1 else adjoint.reshape(np.shape(operand))[()]


_MODES = {0: "valid", 1: "same", 2: "full"}  # NumPy's numeric modes


def _convolve_full_adjoint(g, n, m, mode):
    """The adjoint of the 'full' convolution (length n + m - 1) that `mode` crops: 'same' keeps max(n, m)
    entries centred, the extra one on the right; 'valid' keeps the |n - m| + 1 entries where both overlap."""
    mode = _MODES.get(mode, mode)
    if mode == "same":
        return _uncropped(g, n + m - 1, (min(n, m) - 1) // 2)
    return _uncropped(g, n + m - 1, 0 if mode == "full" else min(n, m) - 1)


def _correlate_full_adjoint(g, n, m, mode):
    """The adjoint of the 'full' correlation (length n + m - 1) that `mode` crops. 'same' is not centred as for
    np.convolve(a, v[::-1]): NumPy correlates the longer operand with the shorter and reverses the result when `v`
    is the longer, so the extra entry is on the left when n < m (n even: one place further than convolve's)."""
    mode = _MODES.get(mode, mode)
    if mode == "same":
        return _uncropped(g, n + m - 1, (m - 1) // 2 if n >= m else n // 2)
    return _uncropped(g, n + m - 1, 0 if mode == "full" else min(n, m) - 1)


def _uncropped(g, total, start):
    """`g` put back at `start` in zeros of length `total` (`g` itself where it is the whole)."""
    g = np.asarray(g, dtype=float)
    if len(g) == total:
        return g
    out = np.zeros(total)
    out[start:start + len(g)] = g
    return out


def _cross_axes(cross_adjoint, g, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """`cross_adjoint` (of the vectors in the last axis) for `np.cross(a, b, axisa=, axisb=, axisc=, axis=)`:
    the vectors' axes moved last, as np.cross moves them (the result's, where it has one: not for two 2-vectors),
    and the adjoint's moved back to a's (cross_adjoint_a) or b's (cross_adjoint_b) place."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = np.moveaxis(np.asarray(a), axisa, -1), np.moveaxis(np.asarray(b), axisb, -1)
    if a.shape[-1] != 2 or b.shape[-1] != 2:
        g = np.moveaxis(np.asarray(g), axisc, -1)
    out = cross_adjoint(g, a, b)
    return np.moveaxis(out, -1, axisa if cross_adjoint is cross_adjoint_a else axisb)


def cross_adjoint_a(g, a, b, **axes):
    """Adjoint of `np.cross(a, b)` (vectors in the last axis, or where `axes`, np.cross's axisa=, axisb=, axisc=,
    axis=, say) w.r.t. `a`: `b x g` (2-vectors: `g (b1, -b0)`; a 2-vector a against a 3-vector b: the first two
    components of `b x g`)."""
    if axes:
        return _cross_axes(cross_adjoint_a, g, a, b, **axes)
    if type(a) is np.ndarray and type(b) is np.ndarray and type(g) is np.ndarray and a.shape == b.shape == g.shape \
            == (3,):  # (two 3-vectors: nothing broadcast, nothing to sum back)
        return cross_product(b, g)
    if np.shape(a)[-1] == 2 and np.shape(b)[-1] == 2:
        gb = np.asarray(g)[..., None] * np.stack([b[..., 1], -b[..., 0]], axis=-1)
    else:  # (a 2-vector against a 3-vector is (a0, a1, 0): the first two components)
        gb = cross_product(b, g)[..., :np.shape(a)[-1]]
    return unbroadcast_to_shape(gb, np.shape(a))


def cross_adjoint_b(g, a, b, **axes):
    """Adjoint of `np.cross(a, b)` (`axes` as cross_adjoint_a's) with respect to `b`: `g x a` (2-vectors:
    `g (-a1, a0)`)."""
    if axes:
        return _cross_axes(cross_adjoint_b, g, a, b, **axes)
    if type(a) is np.ndarray and type(b) is np.ndarray and type(g) is np.ndarray and a.shape == b.shape == g.shape \
            == (3,):  # (two 3-vectors: nothing broadcast, nothing to sum back)
        return cross_product(g, a)
    if np.shape(a)[-1] == 2 and np.shape(b)[-1] == 2:
        ga = np.asarray(g)[..., None] * np.stack([-a[..., 1], a[..., 0]], axis=-1)
    else:
        ga = cross_product(g, a)[..., :np.shape(b)[-1]]
    return unbroadcast_to_shape(ga, np.shape(b))


def cross_product(a, b, **kwargs):
    """`np.cross(a, b)` of vectors in the last axis, 2-vectors giving the number a0 b1 - a1 b0 (what np.cross
    gives them, without its deprecation warning): the tangents of np.cross and the transposes of its adjoints.

    Float 3-vectors skip np.cross's generic axis handling (it costs ~15 us a call, whatever the size): against
    one vector b, `a x b` is the product `a @ [b]x` with b's cross-product matrix, which takes a whole batch of
    tangents `a` (n, 3) at once; otherwise the components are formed directly. Keywords (axisa=...) go to
    np.cross."""
    a, b = np.asarray(a), np.asarray(b)
    if kwargs:
        return np.cross(a, b, **kwargs)
    if a.ndim == 0 or b.ndim == 0:
        return np.cross(a, b)  # (NumPy's error)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    if a.shape[-1] != 3 or b.shape[-1] != 3 or a.dtype != np.float64 or b.dtype != np.float64:
        return np.cross(a, b)
    if a.ndim == 1 and b.ndim == 1:  # two vectors: their components, rounded as np.cross rounds them
        a0, a1, a2 = a.tolist()
        b0, b1, b2 = b.tolist()
        return np.array([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0])
    if b.ndim == 1:
        out = a @ _cross_matrix(b)
    elif a.ndim == 1:
        out = b @ _cross_matrix(a).T
    else:
        return a[..., _NEXT] * b[..., _AFTER] - a[..., _AFTER] * b[..., _NEXT]
    if math.isfinite(out.sum()):
        return out
    # (the product also multiplies a_i by the zero diagonal: an infinite or nan a_i would spread to component i,
    # which np.cross leaves out of it)
    return a[..., _NEXT] * b[..., _AFTER] - a[..., _AFTER] * b[..., _NEXT]


_NEXT, _AFTER = np.array([1, 2, 0]), np.array([2, 0, 1])  # (a x b)_i = a_(i+1) b_(i+2) - a_(i+2) b_(i+1)


def _cross_matrix(v):
    """[v]x, with `[v]x @ u == np.cross(v, u)` and `u @ [v]x == np.cross(u, v)`."""
    v0, v1, v2 = v.tolist()
    return np.array([[0.0, -v2, v1], [v2, 0.0, -v0], [-v1, v0, 0.0]])


# ---------------------------------------------------------------- linear algebra

_NUMPY_2 = np.lib.NumpyVersion(np.__version__) >= "2.0.0"


def solves_vectors(a, b) -> bool:
    """Does `np.linalg.solve(a, b)` read `b` as vectors (its solution has one axis fewer than `a`) rather than as
    matrices? NumPy 2: where b has one axis (one vector for every matrix of a stack); NumPy 1: where b has one
    axis fewer than a (a vector for each matrix)."""
    return np.ndim(b) == 1 if _NUMPY_2 else np.ndim(b) == np.ndim(a) - 1


def solve_columns(a, y, vectors: bool, transposed: bool = False):
    """`solve(a, y)` (`solve(a^T, y)` if `transposed`) for each matrix of `a` and each vector (`vectors`) or
    matrix of `y`, whatever NumPy's reading of a vector: one column each."""
    a = mT(a) if transposed else a
    return np.linalg.solve(a, np.asarray(y)[..., None])[..., 0] if vectors else np.linalg.solve(a, y)


def solve_adjoint_b(g, a, b):
    """Adjoint of `np.linalg.solve(a, b)` with respect to `b`: `solve(a^T, g)`, summed back to b's shape."""
    return unbroadcast_to_shape(solve_columns(a, g, solves_vectors(a, b), transposed=True), np.shape(b))


def solve_adjoint_a(g, ans, a, b):
    """Adjoint of `x = np.linalg.solve(a, b)` with respect to `a`: `-solve(a^T, g) x^T`, summed back to a's
    shape (for vectors x an outer product)."""
    if solves_vectors(a, b):
        gb = np.linalg.solve(mT(a), np.asarray(g)[..., None])
        return unbroadcast_to_shape(-gb * np.asarray(ans)[..., None, :], np.shape(a))
    return unbroadcast_to_shape(-np.linalg.solve(mT(a), g) @ mT(ans), np.shape(a))


def slogdet_adjoint(g, a):
    """Adjoint of `(sign, logabsdet) = np.linalg.slogdet(a)` (`g` = their adjoints): `g[1] inv(a)^T`; the sign
    is piecewise constant."""
    return np.asarray(g[1])[..., None, None] * mT(np.linalg.inv(a))


def lower_symmetric(a):
    """The symmetric matrix of a's lower triangle, which np.linalg.svd(a, hermitian=True) decomposes (NumPy's
    eigh reads that triangle): tril(a) + tril(a, -1)^T."""
    return np.tril(a) + mT(np.tril(a, -1))


def lower_symmetric_adjoint(g):
    """The transpose of `lower_symmetric`: the lower triangle of g + g^T, its diagonal once."""
    g = np.asarray(g)
    return np.tril(g) + mT(np.triu(g, 1))


def _from_lower(s, uplo="L"):
    """The adjoint of a function that reads only the lower (uplo='L') or upper triangle of its symmetric input,
    given the symmetric adjoint `s`: off-diagonal entries count twice, the other triangle not at all."""
    half = np.tril(2.0 * s) if uplo == "L" else np.triu(2.0 * s)
    return half - s * np.eye(s.shape[-1])


def cholesky_adjoint(g, L):
    """Adjoint of `L = np.linalg.cholesky(a)` (Murray 2016): with P = Phi(L^T G) (lower triangle, halved
    diagonal), S = L^-T P L^-1 symmetrised; NumPy reads only the lower triangle of `a`."""
    P = np.tril(mT(L) @ g)
    P = P - 0.5 * P * np.eye(P.shape[-1])
    S = np.linalg.solve(mT(L), mT(np.linalg.solve(mT(L), mT(P))))
    return _from_lower(0.5 * (S + mT(S)))


def eigh_adjoint(g, w, v, UPLO="L"):
    """Adjoint of `w, v = np.linalg.eigh(a)` (`g` = [adjoint of w, adjoint of v]): symmetrised
    V (diag(gw) + F o (V^T gv)) V^T with F_ij = 1 / (w_j - w_i); NumPy reads only the lower triangle of `a`.
    At a repeated eigenvalue F o (V^T gv) is 0 or refused (ties.adjoint_over_gaps)."""
    gw, gv = np.asarray(g[0]), np.asarray(g[1])
    vt_gv = mT(v) @ gv  # (the symmetrised result keeps its antisymmetric part, halved)
    turn = adjoint_over_gaps(vt_gv - mT(vt_gv), w, (gv,), gw, "np.linalg.eigh", "eigenvalue")
    inner = gw[..., :, None] * np.eye(np.shape(w)[-1]) + 0.5 * turn
    S = v @ inner @ mT(v)
    return _from_lower(0.5 * (S + mT(S)), UPLO)


def eigvalsh_adjoint(g, a, UPLO="L"):
    """Adjoint of `np.linalg.eigvalsh(a)`: V diag(g) V^T, for the triangle NumPy reads."""
    _, v = np.linalg.eigh(a, UPLO)
    return _from_lower((v * np.asarray(g)[..., None, :]) @ mT(v), UPLO)


def _qr_square_adjoint(gq, gr, q, r):
    """Adjoint of the QR factorisation of a square or tall matrix (Walter and Lehmann 2010):
    M = R gR^T - gQ^T Q;  gA = (gQ + Q copyltu(M)) R^-T."""
    M = r @ mT(gr) - mT(gq) @ q
    lower = np.tril(M, -1)
    copyltu = lower + mT(lower) + M * np.eye(M.shape[-1])
    rhs = gq + q @ copyltu
    return mT(np.linalg.solve(r, mT(rhs)))


def qr_adjoint(g, q, r):
    """Adjoint of `q, r = np.linalg.qr(a)` (reduced mode; `g` = [adjoint of q, adjoint of r]).  A wide `a` = [X | Y]
    is handled as the QR of X followed by R_Y = Q^T Y."""
    gq, gr = np.asarray(g[0], dtype=float), np.asarray(g[1], dtype=float)
    m, n = np.shape(q)[-2], np.shape(r)[-1]
    if m >= n:
        return _qr_square_adjoint(gq, gr, q, r)
    gr_x, gr_y = gr[..., :, :m], gr[..., :, m:]
    y = q @ r[..., :, m:]
    gy = q @ gr_y
    gx = _qr_square_adjoint(gq + y @ mT(gr_y), gr_x, q, r[..., :, :m])
    return np.concatenate([gx, gy], axis=-1)


def svdvals_adjoint(g, a):
    """Adjoint of the singular values of `a`: U diag(g) V^T."""
    u, _, vh = np.linalg.svd(a, full_matrices=False)
    return (u * np.asarray(g)[..., None, :]) @ vh


def svd_adjoint(g, ans, a, full_matrices=True, compute_uv=True):
    """Adjoint of `np.linalg.svd(a, full_matrices, compute_uv)` (Townsend 2016).  With `compute_uv=False`, `g` is
    the adjoint of the singular values; otherwise `g` = [gU, gS, gVh].  Singular values must be nonzero (where two
    are equal, see ties.adjoint_over_gaps); with `full_matrices=True` on a non-square matrix the extra columns of
    U / rows of Vh must not be used."""
    if not compute_uv:
        return svdvals_adjoint(g, a)
    u, s, vh = ans
    m, n = np.shape(a)[-2:]
    k = min(m, n)
    gu, gs, gvh = (np.asarray(p, dtype=float) for p in g)
    if full_matrices and m != n:
        if np.any(gu[..., :, k:]) or np.any(gvh[..., k:, :]):
            raise S2SError("np.linalg.svd: no derivative through the extra singular vectors of "
                           "full_matrices=True; use full_matrices=False")
        u, gu, vh, gvh = u[..., :, :k], gu[..., :, :k], vh[..., :k, :], gvh[..., :k, :]
    v, gv = mT(vh), mT(gvh)
    ut_gu, vt_gv = mT(u) @ gu, mT(v) @ gv
    A, B = ut_gu - mT(ut_gu), vt_gv - mT(vt_gv)
    # (A_ij s_j + s_i B_ij) / (s_j^2 - s_i^2) off the diagonal is (A + B)_ij / 2 (s_j - s_i), the pair's joint turn
    # (ties.adjoint_over_gaps at a repeated singular value), plus (A - B)_ij / 2 (s_j + s_i), finite where s > 0
    turn = adjoint_over_gaps(A + B, s, (gu, gv), gs, "np.linalg.svd", "singular value")
    inner = 0.5 * (turn + over_sums(A - B, s)) + gs[..., None, :] * np.eye(k)
    out = u @ inner @ vh
    if m > k:  # (the parts of the singular vectors' adjoints outside their span, over s: 0 where they are 0)
        out = out + _over_values(gu - u @ ut_gu, s[..., None, :]) @ vh
    if n > k:
        out = out + u @ _over_values(mT(gv - v @ vt_gv), s[..., :, None])
    return out


def _over_values(x, s):
    """x / s (s the singular values, broadcast along x's rows or columns), 0 wherever x is 0 (at a zero singular
    value too: an unused singular vector gives nothing)."""
    x, s = np.broadcast_arrays(x, s)
    return np.divide(x, s, out=np.zeros(np.shape(x)), where=x != 0)
