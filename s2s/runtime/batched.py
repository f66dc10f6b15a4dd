"""Helpers for vector (batched) forward mode, reached from generated code as `rt.<name>`.

In vector mode a tangent carries a leading batch axis: the tangent of a value
of shape S is an array of shape (n,) + S holding n tangents at once (the
forward-mode Jacobian pushes all n basis tangents in one call). Elementwise
rules then hold unchanged, since NumPy aligns shapes on the right; these
helpers are the batched forms of the rules that depend on axes. Each is pure.
"""
from __future__ import annotations

import math

import numpy as np

from s2s.errors import S2SError
from s2s.runtime.arrays import extremum_adjoint, interp_adjoint_x, matrix_norm_adjoint, nanmean_adjoint, norm_adjoint, prod_adjoint, reduced_axes, var_adjoint, vector_norm_adjoint
from s2s.runtime.core import DictParts, Parts, TupleParts, batch_key, batch_read, _FLOAT64, _joined, _zero, tangent_as_array, \
    zeros_like
from s2s.runtime.cumprod import cumprod_zero_lines
from s2s.runtime.linalg import cross_product
from s2s.runtime.ties import over_sums, tangent_over_gaps

__all__ = ["batch_list", "batch_tuple", "batch_getitem", "batch_setitem_adjoint", "sequence_tangent", "extremum_tangent", "prod_tangent", "var_tangent", "nanmean_tangent", "cumprod_tangent",
           "norm_tangent", "vector_norm_tangent", "matrix_norm_tangent", "array_tangent",
           "matrix_power_tangent", "sort_tangent", "select_default_tangent", "solve_tangent_a", "trace_solve",
           "slogdet_tangent", "cholesky_tangent", "eigh_tangent", "eigvalsh_tangent", "qr_tangent", "svd_tangent",
           "svdvals_tangent", "ptp_tangent", "append_tangent", "multi_dot_tangent", "interp_slope",
           "batch_align", "batch_zeros", "batch_sum", "batch_mean", "batch_transpose", "batch_reshape",
           "batch_matmul_right", "batch_dot_left", "batch_dot_right", "batch_outer_left", "batch_outer_right",
           "cross_tangents"]


class NotBatchable(Exception):
    """A primitive whose tangent rule has no vector-mode form (the caller falls back to one call per tangent): raised
    by a rule as s2s transforms (rules/registry.py), or here, by a helper that meets values outside its vector form
    (two 2-vectors in cross_tangents)."""


def _is_zero(d) -> bool:
    """Is `d` a bare zero standing for all n tangents (see zero_passes_through)?"""
    return isinstance(d, (int, float, np.number)) and d == 0


def zero_checked(helper):
    """Mark a helper that makes zero_passes_through's check itself, after its fast path (the helpers a Hessian
    calls once per line of the gradient: the wrapper's extra call cost a quarter of a microsecond each)."""
    helper.zero_checked = True
    return helper


@zero_checked
def batch_align(d, ans):
    """The tangents `d` of an operand that broadcasting widened, broadcast to (n,) + shape of `ans`."""
    if isinstance(ans, (list, tuple)) and _ragged(ans):  # (a list adjoint with a bare 0.0 beside arrays, a slot
        return d                                           # written over: rt.setitem_adjoint; nothing to widen)
    if type(d) is np.ndarray and d.ndim:  # (the common case first: no checks to make)
        ta = type(ans)
        shape = ans.shape if ta is np.ndarray else () if ta is float else np.shape(ans)
        if d.shape[1:] == shape:
            return d
    elif _is_zero(d):
        return 0.0
    elif isinstance(d, (list, tuple)):  # a list NumPy read as an array (`xs + a`): its tangents as that array
        if isinstance(ans, (list, tuple)) and len(d) != len(ans):  # (Python joined or repeated lists)
            raise _joined(d, ans)
        d = tangent_as_array(d, batched=True)
    shape = np.shape(ans)
    if np.ndim(d) == 0 or np.shape(d)[1:] == shape:
        return d
    d = np.asarray(d)
    d = d.reshape(d.shape[:1] + (1,) * (len(shape) - d.ndim + 1) + d.shape[1:])
    return np.broadcast_to(d, d.shape[:1] + shape)


class _ReadAsArray:
    """The tangents of a list or tuple display in vector mode (`dt5 = rt.batch_list(dt3, dt4, dzero)`): to Python
    the sequence of its elements' batches (indexed, iterated, measured and joined part by part, as the rules of
    np.stack or np.concatenate read it); to NumPy, which reads the display itself as an array, the one array of
    them with the batch axis first, shape (n,) + the display's shape (a plain list of batches would be read with
    it second: `M @ [a, b, 1.0]` took the batch for the vector). Arithmetic is NumPy's on that array."""

    __slots__ = ()

    def __array__(self, dtype=None, copy=None):
        a = tangent_as_array(self, batched=True)
        return np.asarray(a, dtype=dtype)

    def _array(self):
        return np.asarray(self)

    __add__ = lambda s, o: s._array() + o
    __radd__ = lambda s, o: o + s._array()
    __sub__ = lambda s, o: s._array() - o
    __rsub__ = lambda s, o: o - s._array()
    __mul__ = lambda s, o: s._array() * o
    __rmul__ = lambda s, o: o * s._array()
    __truediv__ = lambda s, o: s._array() / o
    __rtruediv__ = lambda s, o: o / s._array()
    __pow__ = lambda s, o: s._array() ** o
    __matmul__ = lambda s, o: s._array() @ o
    __rmatmul__ = lambda s, o: o @ s._array()
    __neg__ = lambda s: -s._array()

    def __getitem__(self, index):  # (a slice of the display is a display of its elements: still read as one)
        part = super().__getitem__(index)
        return type(self)(part) if isinstance(index, slice) else part


class BatchList(_ReadAsArray, list):
    """The tangents of a list display in vector mode (see _ReadAsArray)."""

    __slots__ = ()


class BatchTuple(_ReadAsArray, tuple):
    """The tangents of a tuple display in vector mode (see _ReadAsArray)."""

    __slots__ = ()


def batch_list(*parts):
    """Tangents of the list display `[x, y, ...]` from its elements' batches `parts`: the list of them, read by NumPy
    as the array of them with the batch axis first (see _ReadAsArray)."""
    return BatchList(parts)


def batch_tuple(*parts):
    """Tangents of the tuple display `(x, y, ...)` from its elements' batches `parts` (see batch_list)."""
    return BatchTuple(parts)


def batch_zeros(x, like, bare=False):
    """Zero tangents of `x`: shape (n,) + shape of x, n taken from the batch `like` (a container's tangents,
    such as those of `(x, x, x)`, are a tuple of batches: n is that of its first). With `bare` (x a value a dict's
    key holds beside those of `like`: a bare 0.0 read at that key would meet arrays of no batch axis, `(1.0 - t **
    2) * dt`, and make one of their shape, which the batch code takes for a batch), a bare 0.0 where `like` has no
    batch axis (all zeros) or x is no number, array or container of them."""
    if bare and (not np.ndim(_first_batch(like)) or
                 not isinstance(x, (float, int, np.number, np.bool_, np.ndarray, tuple, list, dict))):
        return 0.0
    if (isinstance(x, (tuple, list)) or type(x) is np.ndarray and x.dtype.kind == "O") and _ragged(x):
        # ([np.outer(x, x), x], np.empty(n, dtype=object): parts of other shapes, or None, part by part)
        return tuple(batch_zeros(v, like) for v in x)
    if isinstance(x, dict):  # (copy.deepcopy(p) of a dict: its tangents key by key, as batch_getitem reads them)
        factory = getattr(x, "default_factory", x.factory if type(x) is DictParts else None)  # (or its tangent's)
        if factory is None:
            return {k: batch_zeros(v, like) for k, v in x.items()}
        out = DictParts((k, batch_zeros(v, like)) for k, v in x.items())
        out.factory = factory  # (a defaultdict's: a key it lacks is read as zero, 0.0 for a number)
        return out
    return np.zeros((np.shape(_first_batch(like))[0],) + np.shape(x))


def _first_batch(like):
    """The first batch of tangents in the container of them `like` (an array, or a number where all are zeros)."""
    while isinstance(like, (tuple, list, dict)) and like:
        like = list(like.values()) if isinstance(like, dict) else like
        like = next((v for v in like if np.ndim(v) or isinstance(v, (tuple, list, dict))), like[0])
    return like


def _ragged(parts) -> bool:
    """Are `parts` of different shapes (or containers themselves, or None: `[None] * n` before its items are
    written), so that NumPy makes no array of them?"""
    shapes = {np.shape(v) if not isinstance(v, (tuple, list, dict, type(None))) else None for v in parts}
    return len(shapes) > 1 or None in shapes


def _shift(axis, d):
    """The axes of a batch of tangents `d` (of arrays x, the batch axis first) that a reduction of x along `axis`
    reduces: none for a 0-d x, which NumPy reduces along axis 0 or -1 to itself."""
    if axis is None:
        return None
    if np.ndim(d) == 1:
        return ()
    if np.ndim(axis) == 0:
        return axis + 1 if axis >= 0 else axis
    return tuple(a + 1 if a >= 0 else a for a in axis)


def batch_sum(d, axis=None, keepdims=False):
    """Tangents of `np.sum(x, axis, keepdims)`: the same sum over the non-batch axes."""
    if axis is None:
        axis = tuple(range(1, np.ndim(d)))
        return np.sum(d, axis=axis, keepdims=keepdims)
    return np.sum(d, axis=_shift(axis, d), keepdims=keepdims)


def batch_mean(d, axis=None, keepdims=False):
    """Tangents of `np.mean(x, axis, keepdims)`."""
    if axis is None:
        axis = tuple(range(1, np.ndim(d)))
        return np.mean(d, axis=axis, keepdims=keepdims)
    return np.mean(d, axis=_shift(axis, d), keepdims=keepdims)


def batch_transpose(d, axes=None):
    """Tangents of `np.transpose(x, axes)`: the batch axis stays first."""
    n = np.ndim(d) - 1
    order = tuple(range(n - 1, -1, -1)) if axes is None else tuple(a % n for a in axes)
    return np.transpose(d, (0,) + tuple(a + 1 for a in order))


def batch_reshape(d, shape, order="C"):
    """Tangents of `np.reshape(x, shape, order)`. (In order 'F' the batch axis goes last, where it varies slowest,
    so that each tangent is reshaped on its own.)"""
    shape = (shape,) if np.ndim(shape) == 0 else tuple(shape)
    if np.shape(d)[0] == 0:  # no tangents (of an empty array): a -1 in shape is told by one tangent's size
        return np.zeros((0,) + np.shape(np.reshape(np.zeros(np.shape(d)[1:]), shape, order=order)))
    if order == "F":
        return np.moveaxis(np.reshape(np.moveaxis(d, 0, -1), shape + (np.shape(d)[0],), order="F"), -1, 0)
    return np.reshape(d, (np.shape(d)[0],) + shape)


def batch_matmul_right(a, d, b):
    """Tangents of `a @ b` from the tangents `d` of `b`."""
    if np.ndim(b) >= 2:
        return np.matmul(a, d)
    if np.ndim(a) >= 2:
        return np.matmul(d, np.swapaxes(a, -1, -2))
    return np.matmul(d, a)


def batch_dot_left(d, a, b):
    """Tangents of `np.dot(a, b)` from the tangents `d` of `a` (up to 2-D operands)."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return batch_align(d, np.dot(a, b)) * b
    return np.matmul(d, b)


def batch_dot_right(a, d, b):
    """Tangents of `np.dot(a, b)` from the tangents `d` of `b` (up to 2-D operands)."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return a * batch_align(d, np.dot(a, b))
    return batch_matmul_right(a, d, b)


def batch_outer_left(d, b):
    """Tangents of `np.outer(a, b)` from the tangents `d` of `a`."""
    d = np.reshape(d, (np.shape(d)[0], math.prod(np.shape(d)[1:])))  # (not -1: there may be no tangents)
    return d[:, :, None] * np.ravel(b)[None, None, :]


def batch_outer_right(a, d):
    """Tangents of `np.outer(a, b)` from the tangents `d` of `b`."""
    d = np.reshape(d, (np.shape(d)[0], math.prod(np.shape(d)[1:])))
    return np.ravel(a)[None, :, None] * d[:, None, :]


def cross_tangents(da, db, a, b):
    """Tangents of `np.cross(a, b)` from the tangents of both (vector mode): `cross(da, b) + cross(a, db)`, each
    as rt.cross_product spells it (a bare 0.0 for either: none). Two float 3-vectors `a`, `b` and batches `da`,
    `db` of them take one step: with
    the cross-product matrices [b]x and [a]x of one array, `da @ [b]x - db @ [a]x` (rt.cross_product's products,
    the second negated: [a]x is antisymmetric); a non-finite result goes the general way, which keeps np.cross's
    pattern of infinities and nans."""
    if type(a) is np.ndarray and type(b) is np.ndarray and type(da) is np.ndarray and type(db) is np.ndarray and \
            a.shape == b.shape == (3,) and da.ndim == db.ndim == 2 and da.shape[1] == db.shape[1] == 3 and \
            a.dtype is _FLOAT64 and b.dtype is _FLOAT64 and da.dtype is _FLOAT64 and db.dtype is _FLOAT64:
        a0, a1, a2 = a.tolist()
        b0, b1, b2 = b.tolist()
        m = np.array([0.0, -b2, b1, b2, 0.0, -b0, -b1, b0, 0.0,
                      0.0, -a2, a1, a2, 0.0, -a0, -a1, a0, 0.0]).reshape(2, 3, 3)
        out = da @ m[0]
        out -= db @ m[1]
        if math.isfinite(out.sum()):
            return out
    if np.shape(a)[-1:] == (2,) and np.shape(b)[-1:] == (2,):
        raise NotBatchable("numpy.cross")  # (two 2-vectors give numbers, one axis fewer than vector mode took: the
        # caller pushes one tangent at a time, exactly)
    # each batch axis in front of the axes the operands broadcast (against a (2, 3), b's batch (n, 3) is (n, 1, 3))
    ra, rb = np.ndim(a), np.ndim(b)
    if _zero(da):
        return cross_product(a, _batch_lead(db, ra - rb))
    if _zero(db):
        return cross_product(_batch_lead(da, rb - ra), b)
    return cross_product(_batch_lead(da, rb - ra), b) + cross_product(a, _batch_lead(db, ra - rb))


def _batch_lead(d, k: int):
    """The batch `d` with `k` axes of length 1 after its batch axis (none for k <= 0)."""
    if k <= 0:
        return d
    d = np.asarray(d)
    return d.reshape(d.shape[:1] + (1,) * k + d.shape[1:])


# ================================================================ tangents of the NumPy rules in numpy_extra.py
# A reduction whose every output depends only on its own slice of x has the tangent
# sum(d * dans/dx) over the reduced axes, where dans/dx is the adjoint of a unit cotangent.

def _reduced_tangent(d, grad, x, axis, keepdims):
    axes = reduced_axes(axis, np.ndim(x))
    return np.sum(np.asarray(d) * grad, axis=axes, keepdims=keepdims)


def sequence_tangent(ans, i, d):
    """Tangent of building the tuple/list `ans` when only element `i` has a tangent `d`: the runtime's TupleParts
    or Parts, whose `+` adds element by element (the tangents of np.average(x, weights=w, returned=True) in x and
    in w, summed: a tuple's `+` would join them, and the pair's tangent be x's alone)."""
    parts = [zeros_like(v) for v in ans]
    parts[i] = d
    return Parts(parts) if isinstance(ans, list) else TupleParts(parts)


def extremum_tangent(d, ans, x, axis=None, keepdims=False):
    """Tangent of `np.max`/`np.min`: the mean of `d` over the extremal entries."""
    grad = extremum_adjoint(np.ones(np.shape(ans)), ans, x, axis=axis, keepdims=keepdims)
    return _reduced_tangent(d, grad, x, axis, keepdims)


def prod_tangent(d, x, axis=None, keepdims=False):
    """Tangent of `np.prod(x, axis)`: sum over k of d_k times the product of the other entries."""
    shape = np.shape(np.prod(x, axis=axis, keepdims=keepdims))
    return _reduced_tangent(d, prod_adjoint(np.ones(shape), x, axis=axis, keepdims=keepdims), x, axis, keepdims)


def var_tangent(d, x, axis=None, ddof=0, keepdims=False):
    """Tangent of `np.var(x, axis, ddof)`: sum of d * 2 (x - mean) / (n - ddof)."""
    shape = np.shape(np.var(x, axis=axis, ddof=ddof, keepdims=keepdims))
    grad = var_adjoint(np.ones(shape), x, axis=axis, ddof=ddof, keepdims=keepdims)
    return _reduced_tangent(d, grad, x, axis, keepdims)


def nanmean_tangent(d, x, axis=None, keepdims=False):
    """Tangent of `np.nanmean(x, axis)`: the mean of `d` over the entries that are not nan."""
    shape = np.shape(np.nanmean(x, axis=axis, keepdims=keepdims))
    grad = nanmean_adjoint(np.ones(shape), x, axis=axis, keepdims=keepdims)
    return _reduced_tangent(np.where(np.isnan(x), 0.0, d), grad, x, axis, keepdims)


def cumprod_tangent(d, ans, x, axis=None):
    """Tangent of `np.cumprod(x, axis)`: ans * cumsum(d / x), and along a line of x holding a zero, from its
    first zero on, without dividing (runtime/cumprod.py)."""
    if axis is None or np.ndim(x) == 0:  # (flattened: a 0-d x along axis 0 or -1 too)
        d, x = np.ravel(d * np.ones_like(x)), np.ravel(x)
        axis = 0
    x = np.asarray(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = ans * np.cumsum(np.asarray(d) / x, axis=axis)
    return cumprod_zero_lines(out, d, x, axis, adjoint=False)


def norm_tangent(d, ans, x, ord=None, axis=None, keepdims=False):
    """Tangent of `np.linalg.norm(x, ord, axis)`."""
    grad = norm_adjoint(np.ones(np.shape(ans)), ans, x, ord=ord, axis=axis, keepdims=keepdims)
    if axis is None and ord is None:
        return np.sum(np.asarray(d) * grad)
    return _reduced_tangent(d, grad, x, axis if axis is not None else tuple(range(np.ndim(x))), keepdims)


def vector_norm_tangent(d, ans, x, axis=None, keepdims=False, ord=2):
    """Tangent of `np.linalg.vector_norm(x, axis, ord)`."""
    grad = vector_norm_adjoint(np.ones(np.shape(ans)), ans, x, axis=axis, keepdims=keepdims, ord=ord)
    return _reduced_tangent(d, grad, x, axis, keepdims)


def matrix_norm_tangent(d, ans, x, keepdims=False, ord="fro"):
    """Tangent of `np.linalg.matrix_norm(x, ord)` (over the last two axes)."""
    grad = matrix_norm_adjoint(np.ones(np.shape(ans)), ans, x, keepdims=keepdims, ord=ord)
    return np.sum(np.asarray(d) * grad, axis=(-2, -1), keepdims=keepdims)


def array_tangent(d, ans):
    """Tangent of `np.array(x)` / `np.asarray(x)`: the tangent(s) as one float array shaped like `ans`."""
    return np.broadcast_to(np.array(d, dtype=float), np.shape(ans))


def matrix_power_tangent(d, a, n):
    """Tangent of `np.linalg.matrix_power(a, n)`: sum over k of a^k d a^(n-1-k)."""
    if n < 0:
        a = np.linalg.inv(a)
        d = -(a @ d @ a)
        n = -n
    powers = [np.eye(np.shape(a)[-1])]
    for _ in range(1, n):
        powers.append(powers[-1] @ a)
    return sum((powers[k] @ d @ powers[n - 1 - k] for k in range(n)), np.zeros(np.shape(a)))


def sort_tangent(d, x, axis=-1):
    """Tangent of `np.sort(x, axis)`: `d` in the order that sorts `x`."""
    if axis is None:
        return np.ravel(d)[np.argsort(np.ravel(x), kind="stable")]
    return np.take_along_axis(np.asarray(d), np.argsort(x, axis=axis, kind="stable"), axis=axis)


def select_default_tangent(d, conds):
    """Tangent of `np.select(conds, choices, default)` from the default's tangent: where no condition holds."""
    none = np.logical_not(np.logical_or.reduce(np.broadcast_arrays(*conds)))
    return np.where(none, d, 0.0)


def solve_tangent_a(d, x, a):
    """Tangent of `x = np.linalg.solve(a, b)` from the tangent `d` of `a`: -solve(a, d x). Where b was read as
    vectors (x has one axis fewer than a; NumPy 2: a b of one axis, NumPy 1: a stack of them), each a column."""
    if np.ndim(x) == np.ndim(a) - 1:
        return -np.linalg.solve(a, d @ x[..., None])[..., 0]
    return -np.linalg.solve(a, d @ x)


def trace_solve(a, d):
    """trace(a^-1 d): the tangent of log|det a| (and of det a, divided by det a)."""
    return np.trace(np.linalg.solve(a, d), axis1=-2, axis2=-1)


def _like(kind, *parts):
    """The tangents `parts` of a factorization's results as the tuple of type `kind` NumPy returns (NumPy 2's
    EighResult, SVDResult, QRResult, SlogdetResult: `r.eigenvalues` reads the tangent of `r` too)."""
    return kind(*parts) if hasattr(kind, "_fields") else parts


_SLOGDET_RESULT = type(np.linalg.slogdet(np.eye(1)))  # (NumPy 1: a plain tuple)


def slogdet_tangent(d, a):
    """Tangent of `np.linalg.slogdet(a)`: (0 for the sign, trace(a^-1 d))."""
    t = trace_solve(a, d)
    return _like(_SLOGDET_RESULT, np.zeros(np.shape(t)), t)


def _sym(d, uplo="L"):
    """The symmetric matrix that eigh/eigvalsh read from the lower (or upper) triangle of `d`."""
    tri = np.tril(d) if uplo == "L" else np.triu(d)
    return tri + np.swapaxes(tri, -1, -2) - tri * np.eye(np.shape(d)[-1])


def cholesky_tangent(d, L, upper=False):
    """Tangent of `L = np.linalg.cholesky(a)`: L Phi(L^-1 d L^-T), Phi the lower triangle with half its diagonal
    (Murray 2016)."""
    if upper:
        raise S2SError("np.linalg.cholesky with upper=True has no forward-mode rule in s2s: take the lower factor "
                       "and transpose it (np.linalg.cholesky(a).T), or use reverse mode")
    d = _sym(d, "L")  # cholesky reads the lower triangle
    left = np.linalg.solve(L, d)
    inner = np.swapaxes(np.linalg.solve(L, np.swapaxes(left, -1, -2)), -1, -2)
    phi = np.tril(inner, -1) + np.eye(np.shape(L)[-1]) * inner / 2.0
    return L @ phi


def eigh_tangent(d, ans, uplo="L"):
    """Tangent of `(w, V) = np.linalg.eigh(a)`: dw = diag(V^T d V), dV = V (F o V^T d V), F_ij = 1 / (w_j - w_i)
    (where two eigenvalues are equal, see ties.tangent_over_gaps)."""
    w, V = ans
    d = _sym(d, uplo)
    P = np.swapaxes(V, -1, -2) @ d @ V
    return _like(type(ans), np.diagonal(P, axis1=-2, axis2=-1).copy(),
                 V @ tangent_over_gaps(P, w, d))


def eigvalsh_tangent(d, a, uplo="L"):
    """Tangent of `np.linalg.eigvalsh(a)`: diag(V^T d V)."""
    _, V = np.linalg.eigh(a, UPLO=uplo)
    return np.diagonal(np.swapaxes(V, -1, -2) @ _sym(d, uplo) @ V, axis1=-2, axis2=-1).copy()


def qr_tangent(d, ans, mode="reduced"):
    """Tangent of `(Q, R) = np.linalg.qr(a)` (reduced, rows >= columns): with M = Q^T d R^-1 and
    Omega = tril(M, -1) - tril(M, -1)^T, dR = (M - Omega) R and dQ = d R^-1 - Q (M - Omega)
    (Walter and Lehmann 2010)."""
    if mode != "reduced":
        raise S2SError(f"np.linalg.qr with mode={mode!r} has no forward-mode rule in s2s (only mode='reduced')")
    Q, R = ans
    m, n = np.shape(R)[-2:]
    if m < n:  # a wide matrix [X Y] = Q [R1 R2]: X = Q R1 is square, and R2 = Q^T Y
        dQ, dR1 = qr_tangent(d[..., :m], (Q, R[..., :m]))
        dR2 = np.swapaxes(Q, -1, -2) @ (d[..., m:] - dQ @ R[..., m:])
        return _like(type(ans), dQ, np.concatenate([dR1, dR2], axis=-1))
    d_rinv = np.swapaxes(np.linalg.solve(np.swapaxes(R, -1, -2), np.swapaxes(d, -1, -2)), -1, -2)
    M = np.swapaxes(Q, -1, -2) @ d_rinv
    low = np.tril(M, -1)
    upper = M - (low - np.swapaxes(low, -1, -2))
    return _like(type(ans), d_rinv - Q @ upper, upper @ R)


def svd_tangent(d, ans, a, full_matrices=True, compute_uv=True):
    """Tangent of `np.linalg.svd(a)` (Townsend 2016): with P = U^T d V, ds = diag(P),
    dU = U (F o (P S + S P^T)) + (I - U U^T) d V S^-1, dV likewise, F_ij = 1 / (s_j^2 - s_i^2) (where two singular
    values are equal, see ties.tangent_over_gaps)."""
    if not compute_uv:
        return svdvals_tangent(d, a)
    U, s, Vh = ans
    m, n = np.shape(a)[-2:]
    k = min(m, n)
    if full_matrices and m != n:
        # the reduced tangents, and for the extra orthonormal columns the completion d(W2) = -W1 dW1^T W2
        # that keeps [W1 W2] orthogonal
        dU, ds, dVh = svd_tangent(d, (U[..., :, :k], s, Vh[..., :k, :]), a, False, True)
        if m > n:
            U2 = U[..., :, k:]
            dU = np.concatenate([dU, -U[..., :, :k] @ (np.swapaxes(dU, -1, -2) @ U2)], axis=-1)
        else:
            V1, V2 = np.swapaxes(Vh[..., :k, :], -1, -2), np.swapaxes(Vh[..., k:, :], -1, -2)
            dV1 = np.swapaxes(dVh, -1, -2)
            dV2 = -V1 @ (np.swapaxes(dV1, -1, -2) @ V2)
            dVh = np.concatenate([dVh, np.swapaxes(dV2, -1, -2)], axis=-2)
        return _like(type(ans), dU, ds, dVh)
    V = np.swapaxes(Vh, -1, -2)
    P = np.swapaxes(U, -1, -2) @ d @ V
    # (P S + S P^T)_ij / (s_j^2 - s_i^2) = (P + P^T)_ij / 2 (s_j - s_i), the pair's joint turn (0 where the tangent
    # keeps a repeated singular value: ties.tangent_over_gaps), + (P - P^T)_ij / 2 (s_j + s_i); dV has the second
    # part negated
    turn = tangent_over_gaps(P + np.swapaxes(P, -1, -2), s, d)
    spin = over_sums(P - np.swapaxes(P, -1, -2), s)
    dU = U @ (0.5 * (turn + spin))
    dV = V @ (0.5 * (turn - spin))
    if m > n:
        dU = dU + (d @ V - U @ P) / s[..., None, :]
    elif n > m:
        dV = dV + (np.swapaxes(d, -1, -2) @ U - V @ np.swapaxes(P, -1, -2)) / s[..., None, :]
    return _like(type(ans), dU, np.diagonal(P, axis1=-2, axis2=-1).copy(), np.swapaxes(dV, -1, -2))


def svdvals_tangent(d, a):
    """Tangent of the singular values of `a`: diag(U^T d V)."""
    U, _, Vh = np.linalg.svd(a, full_matrices=False)
    return np.diagonal(np.swapaxes(U, -1, -2) @ d @ np.swapaxes(Vh, -1, -2), axis1=-2, axis2=-1).copy()


def ptp_tangent(d, x, axis=None, keepdims=False):
    """Tangent of `np.ptp(x, axis)` = max - min: the tangent of the max minus that of the min."""
    top = np.max(x, axis=axis, keepdims=keepdims)
    bottom = np.min(x, axis=axis, keepdims=keepdims)
    return extremum_tangent(d, top, x, axis, keepdims) - extremum_tangent(d, bottom, x, axis, keepdims)


def append_tangent(d_arr, d_values, arr, values, axis=None):
    """Tangent of `np.append(arr, values, axis)`: the tangents appended the same way (None is zero)."""
    first = zeros_like(np.asarray(arr, dtype=float)) if d_arr is None else d_arr
    second = zeros_like(np.asarray(values, dtype=float)) if d_values is None else d_values
    return np.append(first, second, axis=axis)


def multi_dot_tangent(d, arrays):
    """Tangent of `np.linalg.multi_dot(arrays)` from the list `d` of the factors' tangents (product rule)."""
    total = 0.0
    for i in range(len(arrays)):
        if not np.any(d[i]):
            continue
        total = total + np.linalg.multi_dot(list(arrays[:i]) + [d[i]] + list(arrays[i + 1:]))
    return total if not np.isscalar(total) or total != 0.0 else np.zeros(np.shape(np.linalg.multi_dot(arrays)))


def interp_slope(x, xp, fp):
    """The derivative of `np.interp(x, xp, fp)` with respect to `x`: its segment's slope (0 outside the range)."""
    return interp_adjoint_x(1.0, x, xp, fp)


@zero_checked
def batch_getitem(d, *index):
    """Tangents of `x[index]` with a leading batch axis; a list (a loop's stack) holds batched tangents."""
    if type(d) is np.ndarray:  # (the common case first)
        return batch_read(d, index)
    if _is_zero(d):
        return 0.0
    if isinstance(d, _ReadAsArray) and not (len(index) == 1 and type(index[0]) in (int, slice)):
        return batch_read(np.asarray(d), index)  # (an index NumPy gives the display read as an array)
    if isinstance(d, (list, tuple, dict)):  # (a dict's: its tangent at a key, {**state, 'rm': v}['rm'])
        return d[index[0] if len(index) == 1 else index]
    return batch_read(d, index)


def batch_setitem_adjoint(d, *index):
    """Tangents of `rt.setitem_adjoint(g, *index)` with a leading batch axis: the written entries zeroed."""
    out = np.array(d, dtype=float)
    out[batch_key(index)] = 0.0
    return out


def zero_passes_through(helper):
    """Vector-mode helpers are linear in the tangents `d`; a bare 0.0 in their place (a branch or an
    iteration that gave no tangent) stands for zeros of every tangent, and so does their result."""
    import functools
    import inspect
    position = list(inspect.signature(helper).parameters).index("d")

    @functools.wraps(helper)
    def wrapped(*args, **kwargs):
        d = args[position] if position < len(args) else kwargs.get("d")
        if isinstance(d, (int, float, np.number)) and d == 0:
            return 0.0
        return helper(*args, **kwargs)
    return wrapped



for _name, _helper in list(globals().items()):
    if _name.startswith("batch_") and callable(_helper) and "d" in _helper.__code__.co_varnames[
            :_helper.__code__.co_argcount] and not getattr(_helper, "zero_checked", False):
        globals()[_name] = zero_passes_through(_helper)
