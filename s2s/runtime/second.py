"""Second derivatives of the runtime helpers that adjoints call, in their arguments other than g.

A helper such as `rt.cholesky_adjoint(g, L)` is linear in the adjoint `g` it is given but not in its other
arguments (a factor, a matrix, a norm). Differentiating generated gradients again (`hessian(f)`,
`grad(grad(f))`) needs its tangent in those arguments and the transpose of that tangent, its adjoint;
their records are in `rules/runtime_helpers.py`. Names read `<helper>_tangent_<argument>` and
`<helper>_adjoint_<argument>`, and `<helper>_transpose` for the transpose in g where no NumPy function
spells it. Each is pure. Where a helper is the gradient of a scalar function of its argument (svdvals,
prod), its derivative there is that function's Hessian, symmetric: one map serves as tangent and adjoint.

Formulas follow M. Giles (2008), I. Murray (2016) for cholesky, and S. Walter and L. Lehmann (2010) for
QR, differentiated once more by the product rule. Those of eigvalsh, eigh and svd are in spectral.py.
"""
from __future__ import annotations

import numpy as np

from s2s.errors import S2SError
from s2s.runtime.arrays import expand_reduced, mT, prod_adjoint, reduced_axes
from s2s.runtime.batched import trace_solve, var_tangent
from s2s.runtime.cumprod import cumprod_adjoint_adjoint_x, cumprod_adjoint_tangent_x, cumprod_adjoint_transpose
from s2s.runtime.core import Parts, unbroadcast_to_shape, zeros_like
from s2s.runtime.elementwise import refuse_at_root
from s2s.runtime.linalg import (cross_adjoint_a, cross_adjoint_b, multi_dot_adjoint, solve_columns,
                                solves_vectors)

__all__ = ["solve_adjoint_b_tangent_a", "solve_adjoint_b_adjoint_a", "solve_adjoint_a_tangent_a",
           "solve_adjoint_a_adjoint_g", "solve_adjoint_a_adjoint_x", "solve_adjoint_a_adjoint_a", "inv_transpose_tangent", "inv_transpose_adjoint",
           "slogdet_adjoint_transpose", "prod_adjoint_tangent_x", "prod_adjoint_adjoint_x", "prod_third",
           "prod_second_reduced",
           "cholesky_adjoint_transpose", "cholesky_adjoint_tangent_L", "cholesky_adjoint_adjoint_L",
           "matrix_power_adjoint_tangent_a", "matrix_power_adjoint_adjoint_a", "norm_adjoint_second_x",
           "norm_adjoint_tangent_ans", "norm_adjoint_adjoint_ans", "vector_norm_adjoint_second_x",
           "vector_norm_adjoint_tangent_ans", "vector_norm_adjoint_adjoint_ans", "matrix_norm_adjoint_second_x",
           "matrix_norm_adjoint_tangent_ans", "matrix_norm_adjoint_adjoint_ans", "multi_dot_adjoint_tangent_arrays",
           "multi_dot_adjoint_adjoint_arrays", "qr_adjoint_transpose", "qr_adjoint_tangent_q", "qr_adjoint_adjoint_q",
           "qr_adjoint_tangent_r", "qr_adjoint_adjoint_r", "batch_cross_adjoint_a", "batch_cross_adjoint_a_of_b",
           "batch_cross_adjoint_b", "batch_cross_adjoint_b_of_a"]


# ---------------------------------------------------------------- solve, det, slogdet
# With u = a^-T g (the solve of each matrix before solve_adjoint_b sums it back to b's shape) and x the solution,
# solve_adjoint_b(g, a, b) = sum u and solve_adjoint_a(g, x, a, b) = sum -u x^T, summed back to b's and a's shapes
# (a broadcast against a stack); for vectors u x^T is an outer product. d(a^-T) = -a^-T da^T a^-T, so the
# tangent of u in a is -a^-T da^T u. Each helper below takes what it needs to form u and x per matrix again.
def _outer(u, x, vectors: bool):
    """u x^T for each matrix (vectors: each pair of vectors)."""
    return u[..., :, None] * x[..., None, :] if vectors else u @ mT(x)


def _times(m, y, vectors: bool):
    """m y for each matrix m and vector (`vectors`) or matrix y."""
    return (m @ y[..., None])[..., 0] if vectors else m @ y


def _u_tangent(d, g, a, vectors: bool):
    """u = a^-T g, and its tangent in a from the tangent d of a: -a^-T d^T u."""
    u = solve_columns(a, g, vectors, transposed=True)
    return u, -solve_columns(a, _times(mT(d), u, vectors), vectors, transposed=True)


def solve_adjoint_b_tangent_a(d, g, a, b):
    """Tangent of `solve_adjoint_b(g, a, b)` from the tangent `d` of `a`: -a^-T d^T u, summed back to b."""
    return unbroadcast_to_shape(_u_tangent(d, g, a, solves_vectors(a, b))[1], np.shape(b))


def solve_adjoint_b_adjoint_a(G, g, a, b):
    """Adjoint in `a` of `solve_adjoint_b(g, a, b)`, `G` (b's shape) its adjoint: -u h^T with h = solve(a, G) (the
    transpose of the tangent above), summed back to a."""
    vectors = solves_vectors(a, b)
    u = solve_columns(a, g, vectors, transposed=True)
    return unbroadcast_to_shape(-_outer(u, solve_columns(a, G, vectors), vectors), np.shape(a))


def solve_adjoint_a_tangent_a(d, g, x, a, b):
    """Tangent of `solve_adjoint_a(g, x, a, b)` = -u x^T from the tangent `d` of `a`: -du x^T, summed back to a."""
    vectors = solves_vectors(a, b)
    return unbroadcast_to_shape(-_outer(_u_tangent(d, g, a, vectors)[1], x, vectors), np.shape(a))


def solve_adjoint_a_adjoint_g(G, x, a, b):
    """Adjoint in `g` of `solve_adjoint_a(g, x, a, b)` = -a^-T g x^T, `G` (a's shape) its adjoint: -solve(a, G x)."""
    vectors = solves_vectors(a, b)
    return -solve_columns(a, _times(G, x, vectors), vectors)


def solve_adjoint_a_adjoint_x(G, g, a, b):
    """Adjoint in `x` of `solve_adjoint_a(g, x, a, b)` = -u x^T: -G^T u."""
    vectors = solves_vectors(a, b)
    return -_times(mT(G), solve_columns(a, g, vectors, transposed=True), vectors)


def solve_adjoint_a_adjoint_a(G, g, x, a, b):
    """Adjoint in `a` of `solve_adjoint_a(g, x, a, b)` = -u x^T, `G` its adjoint: u h^T with h = solve(a, G x)
    (the transpose of the tangent -du x^T), summed back to a."""
    vectors = solves_vectors(a, b)
    u = solve_columns(a, g, vectors, transposed=True)
    return unbroadcast_to_shape(_outer(u, solve_columns(a, _times(G, x, vectors), vectors), vectors), np.shape(a))


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


# ---------------------------------------------------------------- second derivatives of the reduction helpers
def _grouped(x, axis):
    """x with the axes np.prod(x, axis) reduces moved last and joined into one; and how to undo that."""
    x = np.asarray(x, dtype=float)
    axes = reduced_axes(axis, x.ndim)
    perm = [a for a in range(x.ndim) if a not in axes] + list(axes)
    moved = np.transpose(x, perm)
    lead = moved.shape[:x.ndim - len(axes)]

    def back(out):
        return np.transpose(out.reshape(moved.shape), np.argsort(perm))
    return perm, lead, back


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


def _prod_third(u, v, x, axis=None):
    """T[u, v] for each product np.prod(x, axis) forms, T_ijk = the product of the entries other than i, j and k
    (0 where two of them coincide): its third derivative, the Hessian of the product of the entries other than i
    (x with entry i replaced by 1) applied to u and v without their entries i. Exact where entries are 0."""
    x = np.asarray(x, dtype=float)
    perm, lead, back = _grouped(x, axis)

    def flat(w):
        return np.transpose(np.broadcast_to(np.asarray(w, dtype=float), x.shape), perm).reshape(lead + (-1,))
    xt, ut, vt = flat(x), flat(u), flat(v)
    eye = np.eye(xt.shape[-1], dtype=bool)
    rows = np.where(eye, 1.0, xt[..., None, :])  # [i]: x with entry i replaced by 1
    second = _prod_second(np.where(eye, 0.0, vt[..., None, :]), rows, axis=-1)  # [i, j]
    return back(np.sum(np.where(eye, 0.0, ut[..., None, :]) * second, axis=-1))


def prod_third(u, v, g, x, axis=None, keepdims=False):
    """The third derivative of `np.prod(x, axis, keepdims)` times its adjoint g, applied to u and v (symmetric
    in them): the tangent and the adjoint in x of `prod_adjoint_tangent_x(u, g, x)` (v the tangent of x or the
    adjoint of the result). (g is the same over each product's entries, so it may scale any of them.)"""
    return _prod_third(expand_reduced(g, np.shape(x), axis, keepdims) * u, v, x, axis)


def prod_second_reduced(a, b, x, axis=None, keepdims=False):
    """The adjoint in g of `prod_adjoint_tangent_x(b, g, x)` (= `prod_adjoint_adjoint_x(b, g, x)`), `a` the
    adjoint of its result: the sum of a times the product's Hessian applied to b, over each product's entries."""
    out = np.sum(np.asarray(a, dtype=float) * _prod_second(b, x, axis), axis=reduced_axes(axis, np.ndim(x)),
                 keepdims=keepdims)
    return float(out) if np.ndim(out) == 0 and not keepdims else out


def prod_adjoint_tangent_x(d, g, x, axis=None, keepdims=False):
    """The tangent of `prod_adjoint(g, x, axis, keepdims)` from the tangent `d` of x: g times the Hessian of
    the product applied to d."""
    return expand_reduced(g, np.shape(x), axis, keepdims) * _prod_second(d, x, axis)


def prod_adjoint_adjoint_x(G, g, x, axis=None, keepdims=False):
    """The adjoint with respect to x of `prod_adjoint(g, x, axis, keepdims)`: the Hessian (symmetric) of the
    product applied to g G."""
    return _prod_second(expand_reduced(g, np.shape(x), axis, keepdims) * G, x, axis)


# ---------------------------------------------------------------- second derivatives of cholesky
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


# ---------------------------------------------------------------- second derivatives of matrix_power's adjoint
def _matrix_power_adjoint_terms(g, a, n):
    """matrix_power_adjoint(g, a, n) = sum over k of B^k g B^(n-1-k), B = a^T; its derivative in a is the sum
    of X dB Y over the pairs (X, Y) returned, dB = da^T."""
    if n < 0:
        raise S2SError("np.linalg.matrix_power with a negative power has no second derivative in s2s (its first "
                       "derivative is exact; write np.linalg.matrix_power(np.linalg.inv(a), k) instead)")
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
            raise S2SError(f"np.linalg.norm: the second derivative of the matrix norm ord={ord!r} (of singular "
                           f"values) is not supported by s2s; its first derivative is (for a smooth matrix norm, "
                           f"use ord='fro')")
        p = 2 if ord in (None, "fro") else None
    else:
        p = 2 if ord is None else ord
        if p in (0, 1, np.inf, -np.inf):
            p = None
    if p is None:  # piecewise constant in x and in the norm
        return np.zeros(x.shape), np.zeros(x.shape)
    refuse_at_root(ans)  # (a norm of zeros: the kink, as ratio_or_zero's)
    if p == 2:
        return np.broadcast_to(g / ans, x.shape), -g * x / ans / ans
    adjoint = g * np.sign(x) * np.abs(x) ** (p - 1) / ans ** (p - 1)
    return g * (p - 1) * np.abs(x) ** (p - 2) / ans ** (p - 1), -(p - 1) * adjoint / ans


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


# ---------------------------------------------------------------- second derivatives of qr's adjoint
# qr_adjoint(g, q, r) for a square or tall matrix (Walter and Lehmann 2010): M = R gR^T - gQ^T Q,
# C = copyltu(M), out = (gQ + Q C) R^-T
def _copyltu(m):
    lower = np.tril(m, -1)
    return lower + mT(lower) + m * np.eye(np.shape(m)[-1])


def _copyltu_transpose(y):
    return np.tril(y + mT(y), -1) + y * np.eye(np.shape(y)[-1])


def _qr_parts(g, q, r):
    if np.shape(q)[-2] < np.shape(r)[-1]:
        raise S2SError("np.linalg.qr: no second derivative in s2s for a wide matrix (more columns than rows)")
    gq, gr = np.asarray(g[0], dtype=float), np.asarray(g[1], dtype=float)
    C = _copyltu(r @ mT(gr) - mT(gq) @ q)
    rinv = np.linalg.inv(r)
    return gq, gr, C, rinv, (gq + q @ C) @ mT(rinv)


def qr_adjoint_transpose(G, q, r):
    """The transpose of `qr_adjoint(., q, r)` (linear in the pair g = [gQ, gR]): with X = G R^-1 and
    Mbar = copyltu^T(Q^T X), the pair (X - Q Mbar^T, Mbar^T R)."""
    if np.shape(q)[-2] < np.shape(r)[-1]:
        raise S2SError("np.linalg.qr: no second derivative in s2s for a wide matrix (more columns than rows)")
    X = G @ np.linalg.inv(r)
    Mbar = _copyltu_transpose(mT(q) @ X)
    return Parts([X - q @ mT(Mbar), mT(Mbar) @ r])


def qr_adjoint_tangent_q(d, g, q, r):
    """The tangent of `qr_adjoint(g, q, r)` from the tangent `d` of Q: (d C + Q copyltu(-gQ^T d)) R^-T."""
    gq, gr, C, rinv, out = _qr_parts(g, q, r)
    return (d @ C + q @ _copyltu(-mT(gq) @ d)) @ mT(rinv)


def qr_adjoint_adjoint_q(G, g, q, r):
    """The adjoint of `qr_adjoint(g, q, r)` with respect to Q: X C^T - gQ Mbar, X = G R^-1."""
    gq, gr, C, rinv, out = _qr_parts(g, q, r)
    X = G @ rinv
    return X @ mT(C) - gq @ _copyltu_transpose(mT(q) @ X)


def qr_adjoint_tangent_r(d, g, q, r):
    """The tangent of `qr_adjoint(g, q, r)` from the tangent `d` of R: Q copyltu(d gR^T) R^-T - out d^T R^-T."""
    gq, gr, C, rinv, out = _qr_parts(g, q, r)
    return (q @ _copyltu(d @ mT(gr)) - out @ mT(d)) @ mT(rinv)


def qr_adjoint_adjoint_r(G, g, q, r):
    """The adjoint of `qr_adjoint(g, q, r)` with respect to R: Mbar gR - X^T out, X = G R^-1."""
    gq, gr, C, rinv, out = _qr_parts(g, q, r)
    X = G @ rinv
    return _copyltu_transpose(mT(q) @ X) @ gr - mT(X) @ out


# ---------------------------------------------------------------- vector mode: the n tangents of a leading batch axis
def _stacked(fn, d):
    """fn applied to each of the n tangents in `d`, stacked (a bare 0.0 stands for n zeros, and fn is linear)."""
    d = np.asarray(d)
    if d.ndim == 0 and d == 0:
        return 0.0
    return np.stack([np.asarray(fn(d[k]), dtype=float) for k in range(d.shape[0])])


def batch_cross_adjoint_a(d, a, b):
    """Tangents of `cross_adjoint_a(g, a, b)` from the n tangents `d` of g."""
    return _stacked(lambda dk: cross_adjoint_a(dk, a, b), d)


def batch_cross_adjoint_a_of_b(g, a, d):
    """Tangents of `cross_adjoint_a(g, a, b)` from the n tangents `d` of b."""
    return _stacked(lambda dk: cross_adjoint_a(g, a, dk), d)


def batch_cross_adjoint_b(d, a, b):
    """Tangents of `cross_adjoint_b(g, a, b)` from the n tangents `d` of g."""
    return _stacked(lambda dk: cross_adjoint_b(dk, a, b), d)


def batch_cross_adjoint_b_of_a(g, d, b):
    """Tangents of `cross_adjoint_b(g, a, b)` from the n tangents `d` of a."""
    return _stacked(lambda dk: cross_adjoint_b(g, dk, b), d)


# ---------------------------------------------------------------- the derivatives these helpers do not have
_NEXT_BY_DIFFERENCES = "take the next derivative by central differences of s2s.hessian(f) (or s2s.jacobian(s2s.grad(f)))"


def refuse_higher(helpers, through: str, instead: str, order: str = "third") -> None:
    """Mark `helpers` (second derivatives of a NumPy function's rule, with no rule of their own) so that
    differentiating them again is refused as the `order` derivative through `through`, saying what to write
    instead, not as a runtime helper without a rule (errors.missing_rule reads `__s2s_refusal__`)."""
    for fn in helpers:
        fn.__s2s_refusal__ = (f"{order} derivatives through {through} are not supported by s2s",
                              f"Write {instead}.")
        fn.__s2s_through__ = through  # (said at the user's line, of the order met there: errors._helper_refusal)


refuse_higher([solve_adjoint_b_tangent_a, solve_adjoint_b_adjoint_a, solve_adjoint_a_tangent_a,
               solve_adjoint_a_adjoint_g, solve_adjoint_a_adjoint_x, solve_adjoint_a_adjoint_a], "np.linalg.solve",
              "np.linalg.inv(a) @ b for np.linalg.solve(a, b): s2s has its derivatives to every order")
refuse_higher([inv_transpose_tangent, inv_transpose_adjoint, slogdet_adjoint_transpose, trace_solve],
              "np.linalg.det and np.linalg.slogdet", "a small matrix's determinant by its formula (a[0, 0] * a[1, 1] "
              "- a[0, 1] * a[1, 0]), or " + _NEXT_BY_DIFFERENCES)
refuse_higher([var_tangent], "np.var and np.std", "the variance by its formula (np.mean((x - np.mean(x)) ** 2), "
              "np.sqrt of it for np.std), whose derivatives s2s has to every order")
refuse_higher([cumprod_adjoint_tangent_x, cumprod_adjoint_adjoint_x, cumprod_adjoint_transpose], "np.cumprod",
              "the running products of a short x written out (np.array([x[0], x[0] * x[1], x[0] * x[1] * x[2]])), or "
              + _NEXT_BY_DIFFERENCES)
refuse_higher([prod_third, prod_second_reduced], "np.prod", "the product as a loop of multiplications (p = 1.0; "
              "for v in x: p = p * v), whose derivatives s2s has to every order", order="fourth")
refuse_higher([cholesky_adjoint_transpose, cholesky_adjoint_tangent_L, cholesky_adjoint_adjoint_L],
              "np.linalg.cholesky", _NEXT_BY_DIFFERENCES)
refuse_higher([matrix_power_adjoint_tangent_a, matrix_power_adjoint_adjoint_a], "np.linalg.matrix_power",
              "the product a @ a @ ... written out, whose derivatives s2s has to every order")
refuse_higher([norm_adjoint_second_x, norm_adjoint_tangent_ans, norm_adjoint_adjoint_ans], "np.linalg.norm",
              "the norm by its formula (np.sqrt(np.sum(x ** 2)) for the 2-norm), or " + _NEXT_BY_DIFFERENCES)
refuse_higher([vector_norm_adjoint_second_x, vector_norm_adjoint_tangent_ans, vector_norm_adjoint_adjoint_ans],
              "np.linalg.vector_norm", "the norm by its formula (np.sqrt(np.sum(x ** 2)) for the 2-norm), or "
              + _NEXT_BY_DIFFERENCES)
refuse_higher([matrix_norm_adjoint_second_x, matrix_norm_adjoint_tangent_ans, matrix_norm_adjoint_adjoint_ans],
              "np.linalg.matrix_norm", "the Frobenius norm by its formula (np.sqrt(np.sum(a ** 2))), or "
              + _NEXT_BY_DIFFERENCES)
refuse_higher([multi_dot_adjoint_tangent_arrays, multi_dot_adjoint_adjoint_arrays], "np.linalg.multi_dot",
              "the products a @ b @ c, whose derivatives s2s has to every order")
refuse_higher([qr_adjoint_transpose, qr_adjoint_tangent_q, qr_adjoint_adjoint_q, qr_adjoint_tangent_r,
               qr_adjoint_adjoint_r], "np.linalg.qr", _NEXT_BY_DIFFERENCES)
refuse_higher([batch_cross_adjoint_a, batch_cross_adjoint_a_of_b, batch_cross_adjoint_b, batch_cross_adjoint_b_of_a],
              "np.cross", "the cross product's components (a[1] * b[2] - a[2] * b[1], ...)")
