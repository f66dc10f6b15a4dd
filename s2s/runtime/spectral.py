"""Second derivatives of the adjoints of the spectral decompositions: eigvalsh, eigh and svd (see second.py for
the naming: `<helper>_tangent_<argument>`, `<helper>_adjoint_<argument>`, `<helper>_transpose`).

Their first-order formulas divide by the gaps between eigenvalues (singular values); at a tie the second
derivative of a function of them is the Daleckii-Krein limit, its own curvature there, which a rule seeing only
the slopes g cannot know: refused (`_refuse_ties`). Formulas follow M. Giles (2008) and J. Townsend (2016).
"""
from __future__ import annotations

import numpy as np

from s2s.errors import S2SError
from s2s.runtime.arrays import mT
from s2s.runtime.core import Parts
from s2s.runtime.second import _NEXT_BY_DIFFERENCES, _from_lower, _sym, refuse_higher

__all__ = ["eigvalsh_adjoint_tangent_a", "eigvalsh_adjoint_adjoint_a", "eigh_adjoint_transpose", "eigh_adjoint_tangent_w",
           "eigh_adjoint_adjoint_w", "eigh_adjoint_tangent_v", "eigh_adjoint_adjoint_v", "svdvals_adjoint_tangent_a",
           "svd_adjoint_tangent_ans", "svd_adjoint_adjoint_ans", "svd_adjoint_transpose"]


def _divided_differences(g, a, uplo):
    """V and E_ij = (g_j - g_i) / (w_j - w_i) of the eigenvalues w and vectors V of a (0 on the diagonal).
    Refused at a repeated eigenvalue (`_refuse_ties`)."""
    w, V = np.linalg.eigh(a, UPLO=uplo)
    g = np.broadcast_to(np.asarray(g, dtype=float), np.shape(w))
    gaps = w[..., None, :] - w[..., :, None]
    same = np.abs(gaps) <= _tie_tolerance(w)
    _refuse_ties("np.linalg.eigvalsh", "eigenvalue", w, same)
    return V, np.where(same, 0.0, (g[..., None, :] - g[..., :, None]) / np.where(same, 1.0, gaps))


def _tie_tolerance(values):
    """Eigenvalues (singular values) this close are equal but for rounding (those of np.outer(q, q) that are 0
    come out as 5e-17 and 3e-17): 64 units in the last place of the largest."""
    return 64 * np.finfo(float).eps * np.max(np.abs(values), axis=-1, keepdims=True)[..., None]


def _refuse_ties(function: str, what: str, values, same) -> None:
    """A second derivative of a function of eigenvalues (singular values) where two are equal: there it is the
    Daleckii-Krein divided difference of the function's slope, whose limit is the function's own second
    derivative in them (2 for a sum of squares, 0 for a sum), which the rule, seeing only the slopes g, cannot
    know. Any value would be wrong for some function (0 was, for np.sum(np.linalg.eigvalsh(a) ** 2) at the
    identity): refused."""
    k = np.shape(values)[-1]
    ties = same & ~np.eye(k, dtype=bool)
    if k > 1 and bool(np.any(ties)):
        at = f" ({float(values[np.argwhere(ties)[0][0]]):.6g} more than once)" if np.ndim(values) == 1 else ""
        raise S2SError(f"{function}: a second derivative at a repeated {what}{at} is not computed by s2s: it "
                       f"depends there on the function's curvature in its {what}s, which the rule does not see; take "
                       f"it at a matrix whose {what}s are distinct")


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
    dV = V (F o M), M = V^T d V, F_ij = 1 / (w_j - w_i), so d(V D V^T) = V ((F o M) D + D (F o M)^T) V^T
    = V (E o M) V^T, E_ij = F_ij (g_j - g_i) (M is symmetric): 0 within a repeated eigenvalue whose g are equal.
    Elsewhere eigenvalues must be distinct."""
    V, E = _divided_differences(g, a, UPLO)
    return _from_lower(V @ (E * (mT(V) @ _read_triangle(d, UPLO) @ V)) @ mT(V), UPLO)


def eigvalsh_adjoint_adjoint_a(G, g, a, UPLO="L"):
    """The adjoint with respect to a of `eigvalsh_adjoint(g, a)`: with Q = V^T from_lower(G) V, the matrix
    V (F o ((Q + Q^T) D)) V^T read back into the triangle, whose symmetric part is V (E o (Q + Q^T) / 2) V^T."""
    V, E = _divided_differences(g, a, UPLO)
    Q = mT(V) @ _from_lower(G, UPLO) @ V
    return _read_triangle_transpose(V @ (0.5 * E * (Q + mT(Q))) @ mT(V), UPLO)

# ---------------------------------------------------------------- second derivatives of eigh's and svd's adjoints
def _eigh_adjoint_parts(g, w, v):
    gw, gv = np.asarray(g[0], dtype=float), np.asarray(g[1], dtype=float)
    n = np.shape(w)[-1]
    F = _eig_parts_of(w, "np.linalg.eigh")
    inner = gw[..., :, None] * np.eye(n) + F * (mT(v) @ gv)
    return gw, gv, F, inner


def eigh_adjoint_transpose(G, w, v, UPLO="L"):
    """The transpose of `eigh_adjoint(., w, v)` (linear in the pair g = [gw, gv]): with Q = V^T Y V,
    Y = sym(from_lower(G)), the pair (diag(Q), V (F o Q)), F_ij = 1 / (w_j - w_i)."""
    F = _eig_parts_of(w, "np.linalg.eigh")
    Y = _sym(_from_lower(G, UPLO))
    Q = mT(v) @ Y @ v
    return Parts([np.diagonal(Q, axis1=-2, axis2=-1).copy(), v @ (F * Q)])


def _eig_parts_of(w, function: str):
    """F_ij = 1 / (w_j - w_i), 0 on the diagonal; refused at a repeated eigenvalue (`_refuse_ties`: the tangents
    of the eigenvectors are infinite there, and the second derivative would be nan)."""
    n = np.shape(w)[-1]
    eye = np.eye(n, dtype=bool)
    gaps = w[..., None, :] - w[..., :, None]
    _refuse_ties(function, "eigenvalue", w, np.abs(gaps) <= _tie_tolerance(w))
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
    dU = U (F o (dP S + S dP^T)) + (I - U U^T) d V S^-1, dV = V (F o (S dP + dP^T S)) + (I - V V^T) d^T U S^-1,
    so that U^T d(U G V^T) V, within the singular vectors, is E1 o dP + E2 o dP^T with the divided differences
    E1_ij = (s_j g_j - s_i g_i) / (s_j^2 - s_i^2), E2_ij = (s_i g_j - s_j g_i) / (s_j^2 - s_i^2). It is also the
    adjoint with respect to a (the Hessian of sum(g * svdvals(a)) is symmetric). Singular values must be
    distinct (`_refuse_ties`) and nonzero."""
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    v = mT(vh)
    g = np.broadcast_to(np.asarray(g, dtype=float), np.shape(s))
    si, sj = s[..., :, None], s[..., None, :]
    same = _refuse_singular_ties(s)
    gaps = np.where(same, 1.0, sj ** 2 - si ** 2)
    gi, gj = g[..., :, None], g[..., None, :]
    E1 = np.where(same, 0.0, (sj * gj - si * gi) / gaps)  # (0 on the diagonal, where the two terms cancel)
    E2 = np.where(same, 0.0, (si * gj - sj * gi) / gaps)
    dP = mT(u) @ d @ v
    gs = (g / s)[..., None, :]
    return u @ (E1 * dP + E2 * mT(dP)) @ vh + ((d @ v - u @ dP) * gs) @ vh + (u * gs) @ (mT(u) @ d - dP @ vh)

def _refuse_singular_ties(s, zero: bool = True):
    """Refused: a second derivative through np.linalg.svd at a repeated singular value (its formulas divide by
    the gaps) or, with `zero`, a zero one (they divide by the values). Returns where two are the same."""
    tolerance = _tie_tolerance(s)
    same = np.abs(s[..., None, :] - s[..., :, None]) <= tolerance
    _refuse_ties("np.linalg.svd", "singular value", s, same)
    if zero and bool(np.any(s <= tolerance[..., 0])):
        raise S2SError("np.linalg.svd: a second derivative at a zero singular value (a matrix of less than full "
                       "rank) is not computed by s2s; take it at a matrix of full rank")
    return same


# ---------------------------------------------------------------- second derivatives of svd's adjoint
def _svd_adjoint_and_tangent(g, ans, dg, dans, m, n, full_matrices):
    """svd_adjoint(g, ans, a) (Townsend 2016, the thin factors) and its tangent from the tangents dg of the
    triple g = [gU, gS, gVh] and dans of ans = (U, S, Vh), each line differentiated by the product rule."""
    k = min(m, n)
    u, s, vh = (np.asarray(p, dtype=float) for p in ans)
    _refuse_singular_ties(s, zero=m != n)  # (a square matrix's formulas do not divide by the values)
    gu, gs, gvh = (np.asarray(p, dtype=float) for p in g)
    du, ds, dvh = (np.zeros(np.shape(p)) + np.asarray(t, dtype=float) for p, t in zip((u, s, vh), dans))
    dgu, dgs, dgvh = (np.zeros(np.shape(p)) + np.asarray(t, dtype=float) for p, t in zip((gu, gs, gvh), dg))
    if full_matrices and m != n:
        u, du, gu, dgu = (p[..., :, :k] for p in (u, du, gu, dgu))
        vh, dvh, gvh, dgvh = (p[..., :k, :] for p in (vh, dvh, gvh, dgvh))
    v, dv, gv, dgv = mT(vh), mT(dvh), mT(gvh), mT(dgvh)
    eye = np.eye(k, dtype=bool)
    F = np.where(eye, 0.0, 1.0 / np.where(eye, 1.0, s[..., None, :] ** 2 - s[..., :, None] ** 2))
    dF = -F * F * 2.0 * (s[..., None, :] * ds[..., None, :] - s[..., :, None] * ds[..., :, None])
    S, dS = s[..., None, :] * np.eye(k), ds[..., None, :] * np.eye(k)
    ut_gu, d_ut_gu = mT(u) @ gu, mT(du) @ gu + mT(u) @ dgu
    vt_gv, d_vt_gv = mT(v) @ gv, mT(dv) @ gv + mT(v) @ dgv
    A, dA = ut_gu - mT(ut_gu), d_ut_gu - mT(d_ut_gu)
    B, dB = vt_gv - mT(vt_gv), d_vt_gv - mT(d_vt_gv)
    inner = (F * A) @ S + gs[..., None, :] * np.eye(k) + S @ (F * B)
    d_inner = ((dF * A + F * dA) @ S + (F * A) @ dS + dgs[..., None, :] * np.eye(k) + dS @ (F * B)
               + S @ (dF * B + F * dB))
    out = u @ inner @ vh
    dout = du @ inner @ vh + u @ d_inner @ vh + u @ inner @ dvh
    if m > k:
        E = (gu - u @ ut_gu) / s[..., None, :]
        dE = (dgu - du @ ut_gu - u @ d_ut_gu) / s[..., None, :] - E * ds[..., None, :] / s[..., None, :]
        out, dout = out + E @ vh, dout + dE @ vh + E @ dvh
    if n > k:
        H, dH = u / s[..., None, :], du / s[..., None, :] - u * ds[..., None, :] / s[..., None, :] ** 2
        K, dK = mT(gv - v @ vt_gv), mT(dgv - dv @ vt_gv - v @ d_vt_gv)
        out, dout = out + H @ K, dout + dH @ K + H @ dK
    return out, dout


def _basis(parts):
    """Each unit direction in the triple `parts` (arrays): (which part, index, the triple with a 1 there)."""
    zeros = [np.zeros(np.shape(p)) for p in parts]
    for which, p in enumerate(parts):
        for index in np.ndindex(np.shape(p)):
            e = [z.copy() for z in zeros]
            e[which][index] = 1.0
            yield which, index, e


def svd_adjoint_tangent_ans(d, g, ans, a, full_matrices=True):
    """The tangent of `svd_adjoint(g, ans, a)` from the tangents `d` = (dU, dS, dVh) of the factors."""
    m, n = np.shape(a)[-2:]
    zero = [0.0, 0.0, 0.0]
    return _svd_adjoint_and_tangent(g, ans, zero, d, m, n, full_matrices)[1]


def svd_adjoint_adjoint_ans(G, g, ans, a, full_matrices=True):
    """The adjoint of `svd_adjoint(g, ans, a)` with respect to the factors (U, S, Vh): the transpose of the
    tangent above, built one unit direction of the factors at a time (exact; one tangent per entry)."""
    m, n = np.shape(a)[-2:]
    zero = [0.0, 0.0, 0.0]
    return _transpose_by_basis(G, ans, lambda e: _svd_adjoint_and_tangent(g, ans, zero, e, m, n, full_matrices)[1])


def svd_adjoint_transpose(G, ans, a, full_matrices=True):
    """The transpose of `svd_adjoint(., ans, a)` (linear in the triple g), one unit direction of g at a time."""
    m, n = np.shape(a)[-2:]
    zero = [0.0, 0.0, 0.0]
    return _transpose_by_basis(G, ans, lambda e: _svd_adjoint_and_tangent(e, ans, e, zero, m, n, full_matrices)[1])


def _transpose_by_basis(G, ans, linear):
    """The transpose of the map `linear` from the triple (U, S, Vh)-shaped directions, applied to G: entry by
    entry, the product of G with the map's value at each unit direction of `ans`'s shape."""
    out = [np.zeros(np.shape(p)) for p in ans]
    for which, index, e in _basis(ans):
        out[which][index] = np.sum(G * linear(e))
    return Parts(out)


refuse_higher([eigvalsh_adjoint_tangent_a, eigvalsh_adjoint_adjoint_a], "np.linalg.eigvalsh", _NEXT_BY_DIFFERENCES)
refuse_higher([eigh_adjoint_transpose, eigh_adjoint_tangent_w, eigh_adjoint_adjoint_w, eigh_adjoint_tangent_v,
               eigh_adjoint_adjoint_v], "np.linalg.eigh", _NEXT_BY_DIFFERENCES)
refuse_higher([svdvals_adjoint_tangent_a, svd_adjoint_tangent_ans, svd_adjoint_adjoint_ans, svd_adjoint_transpose],
              "np.linalg.svd", _NEXT_BY_DIFFERENCES)
