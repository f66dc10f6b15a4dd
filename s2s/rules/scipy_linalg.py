"""scipy.linalg: solves, factorizations and matrix functions (expm, sqrtm, logm); one record each (an optional
family).

The registry imports this module only once the user's code has imported scipy
(`registry._load_optional`). Every derivative is written with calls that have
records themselves (`linalg.solve_triangular`, `linalg.cho_solve`,
`linalg.expm_frechet`, NumPy's triangles and products), so forward mode,
reverse mode and every higher order follow from the one record.

What scipy reads is what is differentiated. `solve(a, b, assume_a='pos')`,
`cholesky` and `cho_factor` read one triangle of `a` (the upper one unless
`lower=True`): the derivative in the other is 0, and that of an off-diagonal
entry of the read triangle counts for its mirror image too. `solve_triangular`
reads one triangle (without its diagonal for `unit_diagonal=True`).
`cho_factor(a)` returns `(c, lower)`, the factor in one triangle of c and a's
own entries in the other (scipy leaves them there): those are the identity of
a's. `cho_solve` and `lu_solve` read the factor's triangles only.
"""
from __future__ import annotations

import scipy.linalg  # noqa: F401  (the records name its functions: this family needs it)

from s2s import prims
from s2s.rules import registry
from s2s.rules.primitive import define, linear, non_default, nondiff, refuse
from s2s.rules.symbolic import ModuleProxy, Sym, builtins, emit, np, rt

linalg = ModuleProxy("scipy.linalg")
LA = "scipy.linalg."

_GENERAL = (None, "gen", "general")
_SYMMETRIC = ("sym", "symmetric", "her", "hermitian", "pos", "positive definite")


def _constant(key: str, name: str, value):
    if isinstance(value, Sym):
        refuse(key, f"its {name}= is known only at run time, and the derivative depends on it",
               f"pass {name}= as a constant")
    return value


def _no_overwrite(key: str, **flags) -> None:
    for name, value in flags.items():
        if value is not False:
            refuse(key, f"{name}= lets scipy write over the argument, which s2s does not follow",
                   f"leave {name} out")


def _one(a, key):
    """a, checked at run time to be one matrix (rt.single_matrix): the rules below are written for a 2-d a."""
    return rt.single_matrix(a, key)


def _cols(v):
    """v as a matrix of columns: a vector (n,) is (n, 1), a matrix stays as it is."""
    return np.reshape(v, emit("tuple", builtins.len(v), -1))


def _outer(gb, x):
    """-gb x^T: the adjoint of the matrix of a solve x = S^-1 b from gb = S^-T g."""
    return -(_cols(gb) @ _cols(x).T)


def _tri(x, lower, k=0):
    """np.tril(x, k) for lower, np.triu(x, -k) otherwise; `lower` known only at run time: np.where of both."""
    low = np.tril(x, **non_default(k=(k, 0)))
    up = np.triu(x, **non_default(k=(-k, 0)))
    if isinstance(lower, Sym):
        return np.where(lower, low, up)
    return low if lower else up


def _mirror(a, lower):
    """The symmetric matrix scipy reads from one triangle of a."""
    return np.tril(a) + np.tril(a, -1).T if lower else np.triu(a) + np.triu(a, 1).T


def _mirror_adjoint(g, lower):
    """The transpose of `_mirror`: g's entries of the read triangle, those of the other added to their mirrors."""
    return np.tril(g) + np.triu(g, 1).T if lower else np.triu(g) + np.tril(g, -1).T


def _symmetric_adjoint(m, lower):
    """`_mirror_adjoint` of the symmetric part of m, (m + m^T) / 2: its triangle with the off-diagonal doubled."""
    return _tri(m + m.T, lower) - np.diag(np.diagonal(m))


# ================================================================ solve(a, b): x = S^-1 b, S the matrix scipy reads
def _solve_kind(assume_a=None, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
                transposed=False):
    """'N' (S = a), 'T' (S = a^T, transposed=True), 'L' or 'U' (S symmetric, from a's lower or upper triangle)."""
    key = LA + "solve"
    _no_overwrite(key, overwrite_a=overwrite_a, overwrite_b=overwrite_b)
    assume_a = _constant(key, "assume_a", assume_a)
    transposed = _constant(key, "transposed", transposed)
    if assume_a in _GENERAL:
        return "T" if transposed else "N"
    if assume_a in _SYMMETRIC and not transposed:
        return "L" if _constant(key, "lower", lower) else "U"
    refuse(key, f"scipy.linalg.solve with assume_a={assume_a!r}{', transposed=True' if transposed else ''} reads "
                f"part of a only, and s2s has no rule for that reading",
           "write scipy.linalg.solve_triangular for a triangular a, or leave assume_a out")


def _effective(a, kind):
    return a if kind == "N" else a.T if kind == "T" else _mirror(a, kind == "L")


def _effective_adjoint(g, kind):
    return g if kind == "N" else g.T if kind == "T" else _mirror_adjoint(g, kind == "L")


def _solve_options(kind, assume_a, lower):
    """The options of a solve with the same matrix S as the user's call."""
    if kind == "T":
        return {"transposed": True}
    return {} if kind == "N" else dict(assume_a=assume_a, **non_default(lower=(lower, False)))


def _solve_back(a, g, kind, assume_a, lower):
    """S^-T g: a symmetric S is its own transpose."""
    if kind in ("N", "T"):
        return linalg.solve(a, g, **({} if kind == "T" else {"transposed": True}))
    return linalg.solve(a, g, **_solve_options(kind, assume_a, lower))


def _solve_adjoint_a(g, ans, a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
                     assume_a=None, transposed=False):
    kind = _solve_kind(assume_a, lower, overwrite_a, overwrite_b, check_finite, transposed)
    return _effective_adjoint(_outer(_solve_back(_one(a, LA + "solve"), g, kind, assume_a, lower), ans), kind)


def _solve_adjoint_b(g, ans, a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
                     assume_a=None, transposed=False):
    kind = _solve_kind(assume_a, lower, overwrite_a, overwrite_b, check_finite, transposed)
    return _solve_back(_one(a, LA + "solve"), g, kind, assume_a, lower)


def _solve_tangent_a(d, ans, a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
                     assume_a=None, transposed=False):
    kind = _solve_kind(assume_a, lower, overwrite_a, overwrite_b, check_finite, transposed)
    return -linalg.solve(_one(a, LA + "solve"), _effective(d, kind) @ ans, **_solve_options(kind, assume_a, lower))


def _solve_tangent_b(d, ans, a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
                     assume_a=None, transposed=False):
    kind = _solve_kind(assume_a, lower, overwrite_a, overwrite_b, check_finite, transposed)
    return linalg.solve(_one(a, LA + "solve"), d, **_solve_options(kind, assume_a, lower))


define(LA + "solve", [_solve_adjoint_a, _solve_adjoint_b], [_solve_tangent_a, _solve_tangent_b])


# ================================================================ solve_triangular(a, b): x = op(T)^-1 b
def _transposes(trans) -> bool:
    trans = _constant(LA + "solve_triangular", "trans", trans)
    if trans in (0, "N"):
        return False
    if trans in (1, 2, "T", "C"):
        return True
    refuse(LA + "solve_triangular", f"trans={trans!r} is not one of 0, 1, 2, 'N', 'T', 'C'", "write trans=0 or 1")


def _triangle(a, lower, unit_diagonal):
    """The triangle of a that solve_triangular reads (without the diagonal for unit_diagonal=True)."""
    return _tri(a, lower, -1 if _constant(LA + "solve_triangular", "unit_diagonal", unit_diagonal) else 0)


def _triangular_options(transposed, lower, unit_diagonal):
    return non_default(trans=(1 if transposed else 0, 0), lower=(lower, False), unit_diagonal=(unit_diagonal, False))


def _triangular_adjoint_a(g, ans, a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                          check_finite=True):
    _no_overwrite(LA + "solve_triangular", overwrite_b=overwrite_b)
    t = _transposes(trans)
    gb = linalg.solve_triangular(_one(a, LA + "solve_triangular"), g,
                                 **_triangular_options(not t, lower, unit_diagonal))
    g_op = _outer(gb, ans)
    return _triangle(g_op.T if t else g_op, lower, unit_diagonal)


def _triangular_adjoint_b(g, ans, a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                          check_finite=True):
    _no_overwrite(LA + "solve_triangular", overwrite_b=overwrite_b)
    return linalg.solve_triangular(_one(a, LA + "solve_triangular"), g,
                                   **_triangular_options(not _transposes(trans), lower, unit_diagonal))


def _triangular_tangent_a(d, ans, a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                          check_finite=True):
    _no_overwrite(LA + "solve_triangular", overwrite_b=overwrite_b)
    t = _transposes(trans)
    dt = _triangle(d, lower, unit_diagonal)
    return -linalg.solve_triangular(_one(a, LA + "solve_triangular"), (dt.T if t else dt) @ ans,
                                    **_triangular_options(t, lower, unit_diagonal))


def _triangular_tangent_b(d, ans, a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                          check_finite=True):
    _no_overwrite(LA + "solve_triangular", overwrite_b=overwrite_b)
    return linalg.solve_triangular(_one(a, LA + "solve_triangular"), d,
                                   **_triangular_options(_transposes(trans), lower, unit_diagonal))


define(LA + "solve_triangular", [_triangular_adjoint_a, _triangular_adjoint_b],
       [_triangular_tangent_a, _triangular_tangent_b])


# ================================================================ cholesky(a), cho_factor(a): S = L L^T
# c holds the factor in one triangle: L = tril(c) (lower), or U = L^T = triu(c). With X = L^-1 dS L^-T and
# Phi(X) its lower triangle with the diagonal halved, dL = L Phi(X); the adjoint (Murray 2016, "Differentiation
# of the Cholesky decomposition") is L^-T Phi(L^T G) L^-1, symmetrised.
def _l_solve(c, y, lower):
    """L^-1 y."""
    return linalg.solve_triangular(c, y, lower=True) if lower else linalg.solve_triangular(c, y, trans=1)


def _lt_solve(c, y, lower):
    """L^-T y."""
    return linalg.solve_triangular(c, y, trans=1, lower=True) if lower else linalg.solve_triangular(c, y)


def _phi(x):
    return np.tril(x) - 0.5 * np.diag(np.diagonal(x))


def _factor_tangent(d, c, lower):
    """The tangent of the factor (in its triangle, zeros in the other) for the tangent d of a."""
    x = _l_solve(c, _l_solve(c, _mirror(d, lower), lower).T, lower)
    return np.tril(c) @ _phi(x) if lower else _phi(x).T @ np.triu(c)


def _factor_adjoint(g, c, lower):
    """The adjoint of a for the adjoint g of the factor (its entries outside the triangle ignored)."""
    p = _phi(np.tril(c).T @ np.tril(g) if lower else np.triu(c) @ np.triu(g).T)
    m = _lt_solve(c, _lt_solve(c, p, lower).T, lower).T
    return _symmetric_adjoint(m, lower)


def _cholesky_lower(key, lower, overwrite_a):
    _no_overwrite(key, overwrite_a=overwrite_a)
    return bool(_constant(key, "lower", lower))


define(LA + "cholesky",
       [lambda g, ans, a, lower=False, overwrite_a=False, check_finite=True:
        _factor_adjoint(g, _one(ans, LA + "cholesky"), _cholesky_lower(LA + "cholesky", lower, overwrite_a))],
       [lambda d, ans, a, lower=False, overwrite_a=False, check_finite=True:
        _factor_tangent(d, _one(ans, LA + "cholesky"), _cholesky_lower(LA + "cholesky", lower, overwrite_a))])


def _other_triangle(x, lower):
    """The entries of x that cho_factor leaves as a's: those strictly outside the factor's triangle."""
    return np.triu(x, 1) if lower else np.tril(x, -1)


def _cho_factor_adjoint(g, ans, a, lower=False, overwrite_a=False, check_finite=True):
    low = _cholesky_lower(LA + "cho_factor", lower, overwrite_a)
    return _factor_adjoint(g[0], _one(ans[0], LA + "cho_factor"), low) + _other_triangle(g[0], low)


def _cho_factor_tangent(d, ans, a, lower=False, overwrite_a=False, check_finite=True):
    low = _cholesky_lower(LA + "cho_factor", lower, overwrite_a)
    return rt.sequence_tangent(ans, 0, _factor_tangent(d, _one(ans[0], LA + "cho_factor"), low)
                               + _other_triangle(d, low))


define(LA + "cho_factor", [_cho_factor_adjoint], [_cho_factor_tangent])


# cho_solve((c, lower), b): x = S^-1 b with S = L L^T (or U^T U); lower is a value of the tuple, known at run time
def _gram_part(dc, c, lower):
    """K with dS = K + K^T: dL L^T, or dU^T U."""
    low = np.tril(dc) @ np.tril(c).T
    up = np.triu(dc).T @ np.triu(c)
    return np.where(lower, low, up) if isinstance(lower, Sym) else low if lower else up


def _cho_solve_adjoint_c(g, ans, c_and_lower, b, overwrite_b=False, check_finite=True):
    _no_overwrite(LA + "cho_solve", overwrite_b=overwrite_b)
    c, lower = _one(c_and_lower[0], LA + "cho_solve"), c_and_lower[1]
    gs = _outer(linalg.cho_solve(c_and_lower, g), ans)
    gs = gs + gs.T
    low = np.tril(gs @ np.tril(c))
    up = np.triu(np.triu(c) @ gs)
    return rt.getitem_adjoint(np.where(lower, low, up), c_and_lower, 0)


def _cho_solve_tangent_c(d, ans, c_and_lower, b, overwrite_b=False, check_finite=True):
    _no_overwrite(LA + "cho_solve", overwrite_b=overwrite_b)
    k = _gram_part(d[0], _one(c_and_lower[0], LA + "cho_solve"), c_and_lower[1])
    return -linalg.cho_solve(c_and_lower, (k + k.T) @ ans)


define(LA + "cho_solve",
       [_cho_solve_adjoint_c, lambda g, ans, c_and_lower, b, overwrite_b=False, check_finite=True:
        linalg.cho_solve(c_and_lower, g)],
       [_cho_solve_tangent_c, lambda d, ans, c_and_lower, b, overwrite_b=False, check_finite=True:
        linalg.cho_solve(c_and_lower, d)])


# ================================================================ lu_factor(a), lu_solve((lu, piv), b)
# a[p] = L U with p = rt.lu_rows(piv) (constant where no pivot ties), L = tril(lu, -1) + I, U = triu(lu). With
# X = L^-1 da[p] U^-1: dL = L tril(X, -1), dU = triu(X) U.
def _unit_lower_times(lu, x):
    """L @ x without forming L: x + tril(lu, -1) @ x."""
    return x + np.tril(lu, -1) @ x


def _unit_lower_t_times(lu, x):
    """L^T @ x: x + tril(lu, -1)^T @ x."""
    return x + np.tril(lu, -1).T @ x


def _lu_factor_tangent(d, ans, a, overwrite_a=False, check_finite=True):
    _no_overwrite(LA + "lu_factor", overwrite_a=overwrite_a)
    lu = _one(ans[0], LA + "lu_factor")
    y = linalg.solve_triangular(lu, d[rt.lu_rows(ans[1])], lower=True, unit_diagonal=True)
    x = linalg.solve_triangular(lu, y.T, trans=1).T
    return rt.sequence_tangent(ans, 0, _unit_lower_times(lu, np.tril(x, -1)) + np.triu(x) @ np.triu(lu))


def _lu_factor_adjoint(g, ans, a, overwrite_a=False, check_finite=True):
    _no_overwrite(LA + "lu_factor", overwrite_a=overwrite_a)
    lu, gl = _one(ans[0], LA + "lu_factor"), g[0]
    m = np.tril(_unit_lower_t_times(lu, np.tril(gl, -1)), -1) + np.triu(np.triu(gl) @ np.triu(lu).T)
    z = linalg.solve_triangular(lu, m, trans=1, lower=True, unit_diagonal=True)
    return linalg.solve_triangular(lu, z.T).T[np.argsort(rt.lu_rows(ans[1]))]


define(LA + "lu_factor", [_lu_factor_adjoint], [_lu_factor_tangent])
nondiff("s2s.runtime.lu_rows")
linear("s2s.runtime.single_matrix", lambda g, ans, a, function: g, None, tangent=lambda d, ans, a, function: d)
registry.register_object(prims.python_object("s2s.runtime.lu_rows"), "s2s.runtime.lu_rows")  # (optional family)


def _lu_transposes(trans) -> bool:
    trans = _constant(LA + "lu_solve", "trans", trans)
    if trans in (0, 1, 2):
        return trans != 0
    refuse(LA + "lu_solve", f"trans={trans!r} is not one of 0, 1, 2", "write trans=0 or 1")


def _lu_solve_adjoint_lu(g, ans, lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    _no_overwrite(LA + "lu_solve", overwrite_b=overwrite_b)
    t = _lu_transposes(trans)
    lu = _one(lu_and_piv[0], LA + "lu_solve")
    g_op = _outer(linalg.lu_solve(lu_and_piv, g, **non_default(trans=(0 if t else 1, 0))), ans)
    ga = (g_op.T if t else g_op)[rt.lu_rows(lu_and_piv[1])]  # the adjoint of L U = a[p]
    glu = np.tril(ga @ np.triu(lu).T, -1) + np.triu(_unit_lower_t_times(lu, ga))
    return rt.getitem_adjoint(glu, lu_and_piv, 0)


def _lu_solve_tangent_lu(d, ans, lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    _no_overwrite(LA + "lu_solve", overwrite_b=overwrite_b)
    t = _lu_transposes(trans)
    lu, dlu = _one(lu_and_piv[0], LA + "lu_solve"), d[0]
    dlu_prod = np.tril(dlu, -1) @ np.triu(lu) + _unit_lower_times(lu, np.triu(dlu))  # d(L U) = d(a[p])
    da = dlu_prod[np.argsort(rt.lu_rows(lu_and_piv[1]))]
    return -linalg.lu_solve(lu_and_piv, (da.T if t else da) @ ans, **non_default(trans=(trans, 0)))


define(LA + "lu_solve",
       [_lu_solve_adjoint_lu, lambda g, ans, lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True:
        linalg.lu_solve(lu_and_piv, g, **non_default(trans=(0 if _lu_transposes(trans) else 1, 0)))],
       [_lu_solve_tangent_lu, lambda d, ans, lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True:
        linalg.lu_solve(lu_and_piv, d, **non_default(trans=(trans, 0)))])


# ================================================================ det(a), inv(a)
def _det_adjoint(g, ans, a, overwrite_a=False, check_finite=True):
    _no_overwrite(LA + "det", overwrite_a=overwrite_a)
    return rt.det_adjoint(g, ans, a)  # (NumPy's rule: g det(a) inv(a)^T)


def _det_tangent(d, ans, a, overwrite_a=False, check_finite=True):
    _no_overwrite(LA + "det", overwrite_a=overwrite_a)
    return rt.det_tangent(d, ans, a)


define(LA + "det", [_det_adjoint], [_det_tangent])  # (of a stack of matrices: a vector, so no full_reduction)


def _inv_kind(overwrite_a=False, check_finite=True, assume_a=None, lower=False):
    """None (a general a) or 'L'/'U' (a symmetric S read from one triangle)."""
    key = LA + "inv"
    _no_overwrite(key, overwrite_a=overwrite_a)
    assume_a = _constant(key, "assume_a", assume_a)
    if assume_a in _GENERAL:
        return None
    if assume_a in _SYMMETRIC:
        return "L" if _constant(key, "lower", lower) else "U"
    refuse(key, f"scipy.linalg.inv with assume_a={assume_a!r} reads part of a only, and s2s has no rule for that "
                f"reading", "leave assume_a out")


def _inv_adjoint(g, ans, a, overwrite_a=False, check_finite=True, assume_a=None, lower=False):
    kind = _inv_kind(overwrite_a, check_finite, assume_a, lower)
    ans = _one(ans, LA + "inv")
    if kind is None:
        return -(ans.T @ g @ ans.T)
    return _mirror_adjoint(-(ans @ g @ ans), kind == "L")


def _inv_tangent(d, ans, a, overwrite_a=False, check_finite=True, assume_a=None, lower=False):
    kind = _inv_kind(overwrite_a, check_finite, assume_a, lower)
    ans = _one(ans, LA + "inv")
    return -(ans @ (d if kind is None else _mirror(d, kind == "L")) @ ans)


define(LA + "inv", [_inv_adjoint], [_inv_tangent])


# ================================================================ expm(a): the Frechet derivative L(a, e)
# d expm(a) = L(a, da) = expm_frechet(a, da), whose transpose is L(a^T, .). L is linear in e; in a, the block
# identity expm([[a, e], [0, a]]) = [[expm(a), L(a, e)], [0, expm(a)]] gives its derivative (Higham 2008, "Functions
# of Matrices", 3.2): dL(a, e)[f] = the upper right block of L([[a, e], [0, a]], [[f, 0], [0, f]]).
def _frechet(a, e):
    return linalg.expm_frechet(a, e, compute_expm=False)


def _blocks(top_left, top_right, bottom_right):
    """[[top_left, top_right], [0, bottom_right]]."""
    rows = emit("list", top_left, top_right), emit("list", np.zeros_like(top_left), bottom_right)
    return np.block(emit("list", *rows))


def _halves(m, a):
    """The four blocks of m, twice a's size, as ((top left, top right), (bottom left, bottom right))."""
    n = builtins.len(a)
    head, tail = emit("slice", None, n), emit("slice", n, None)
    return (m[head, head], m[head, tail]), (m[tail, head], m[tail, tail])


def _frechet_options(method=None, compute_expm=True, check_finite=True):
    if compute_expm is not False:
        refuse(LA + "expm_frechet", "with compute_expm=True it returns (expm(a), L(a, e)), which has no rule",
               "call scipy.linalg.expm(a) and scipy.linalg.expm_frechet(a, e, compute_expm=False)")


def _frechet_adjoint_a(g, ans, a, e, method=None, compute_expm=True, check_finite=True):
    _frechet_options(method, compute_expm, check_finite)
    (m11, _), (_, m22) = _halves(_frechet(_blocks(a, e, a).T, _blocks(np.zeros_like(g), g, np.zeros_like(g))), a)
    return m11 + m22


def _frechet_tangent_a(d, ans, a, e, method=None, compute_expm=True, check_finite=True):
    _frechet_options(method, compute_expm, check_finite)
    return _halves(_frechet(_blocks(a, e, a), _blocks(d, np.zeros_like(d), d)), a)[0][1]


define(LA + "expm", [lambda g, ans, a: _frechet(_one(a, LA + "expm").T, g)],
       [lambda d, ans, a: _frechet(_one(a, LA + "expm"), d)])
define(LA + "expm_frechet",
       [_frechet_adjoint_a, lambda g, ans, a, e, method=None, compute_expm=True, check_finite=True:
        (_frechet_options(method, compute_expm, check_finite), _frechet(a.T, g))[1]],
       [_frechet_tangent_a, lambda d, ans, a, e, method=None, compute_expm=True, check_finite=True:
        (_frechet_options(method, compute_expm, check_finite), _frechet(a, d))[1]])


# ================================================================ sqrtm(a), solve_sylvester(a, b, q)
# X = sqrtm(a) solves X X = a, so dX X + X dX = da: the Sylvester equation X dX + dX X = da, whose transpose is the one
# of X^T. solve_sylvester(a, b, q) = Y with a Y + Y b = q is linear in q (transpose: solve_sylvester(a^T, b^T, g));
# da Y + a dY + dY b = 0 gives its derivatives in a and b, so every order of sqrtm has a rule.
def _sqrtm_root(ans, disp=None):
    """The square root X (checked: one matrix); disp=False, which returns an error estimate too, is refused."""
    if disp is not None and disp is not True or isinstance(disp, Sym):
        refuse(LA + "sqrtm", "disp=False returns an error estimate too, which has no rule", "leave disp out")
    return _one(ans, LA + "sqrtm")


define(LA + "sqrtm",
       [lambda g, ans, a, disp=None, blocksize=None: linalg.solve_sylvester(_sqrtm_root(ans, disp).T, ans.T, g)],
       [lambda d, ans, a, disp=None, blocksize=None: linalg.solve_sylvester(_sqrtm_root(ans, disp), ans, d)])


def _sylvester_back(g, a, b):
    """The adjoint of q: solve_sylvester(a^T, b^T, g)."""
    return linalg.solve_sylvester(_one(a, LA + "solve_sylvester").T, b.T, g)


define(LA + "solve_sylvester",
       [lambda g, ans, a, b, q: -(_sylvester_back(g, a, b) @ ans.T),
        lambda g, ans, a, b, q: -(ans.T @ _sylvester_back(g, a, b)),
        lambda g, ans, a, b, q: _sylvester_back(g, a, b)],
       [lambda d, ans, a, b, q: -linalg.solve_sylvester(_one(a, LA + "solve_sylvester"), b, d @ ans),
        lambda d, ans, a, b, q: -linalg.solve_sylvester(_one(a, LA + "solve_sylvester"), b, ans @ d),
        lambda d, ans, a, b, q: linalg.solve_sylvester(_one(a, LA + "solve_sylvester"), b, d)])


# ================================================================ logm(a): its Frechet derivative from a block matrix
# logm([[a, e], [0, a]]) = [[logm(a), L(a, e)], [0, logm(a)]] (Higham 2008, 3.2), and L(a, .)'s transpose is
# L(a^T, .): both are the upper right block of a logm, whose own rule gives every order.
def _logm_block(top_left, top_right, disp=None):
    """The upper right block of logm([[top_left, top_right], [0, top_left]]), checked to be real and of one matrix
    (a negative eigenvalue makes the logarithm complex); disp=False is refused."""
    if disp is not None and disp is not True or isinstance(disp, Sym):
        refuse(LA + "logm", "disp=False returns an error estimate too, which has no rule", "leave disp out")
    return _halves(_one(linalg.logm(_blocks(top_left, top_right, top_left)), LA + "logm"), top_left)[0][1]


define(LA + "logm", [lambda g, ans, a, disp=None: _logm_block(a.T, g, disp)],
       [lambda d, ans, a, disp=None: _logm_block(a, d, disp)])
