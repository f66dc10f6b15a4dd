"""Linear algebra: inverses, solves, determinants, factorizations; one record each.

Tuple results (`slogdet`, `eigh`, `qr`, `svd`) receive the list of their parts'
adjoints built by `rt.getitem_adjoint`.
"""
from __future__ import annotations

import numpy

from s2s import ir
from s2s.rules import registry
from s2s.rules.primitive import constant_is, define, given, non_default, read_first, refuse, same
from s2s.rules.symbolic import Sym, builtins, emit, np, rt


def _inv_adjoint(g, ans, a):
    t = np.swapaxes(ans, -1, -2)
    return -(t @ g @ t)


def _qr_mode(mode) -> None:
    if isinstance(mode, Sym):
        refuse("numpy.linalg.qr", "np.linalg.qr with a mode known only at run time has no derivative rule in s2s",
               "leave mode out (the default, mode='reduced', has one): q, r = np.linalg.qr(a)")
    if not same(mode, "reduced") and not same(mode, "complete"):  # ('complete': the reduced factors of a wide a)
        fix = _QR_FIXES.get(mode if isinstance(mode, str) else None, "write q, r = np.linalg.qr(a)")
        refuse("numpy.linalg.qr", f"np.linalg.qr with mode={mode!r} has no derivative rule in s2s (only the default, "
                                  "mode='reduced')", fix)


def _qr_modes(materialise, a, mode=ir.Const("reduced")):
    """np.linalg.qr(a, mode='r') is the r of the reduced factors (bit for bit); other calls are kept."""
    if constant_is(mode, "r"):
        return ir.Call("getitem", (materialise(ir.Call("numpy.linalg.qr", (a,))), ir.Const(1)))
    return ir.Call("numpy.linalg.qr", (a,) if constant_is(mode, "reduced") else (a, mode))


# what to write instead of np.linalg.qr's other modes
_QR_FIXES = {
    "r": "write q, r = np.linalg.qr(a) and use r (mode='r' gives the same r)",
    "raw": "write q, r = np.linalg.qr(a) (mode='raw' gives LAPACK's Householder reflectors)",
}


# mode='complete' of a wide or square a is the reduced factors, bit for bit; of a tall a (whose r has more rows
# than columns, whose q's columns past a's are any orthonormal completion) rt.qr_wide refuses it as it runs
def _qr_adjoint(g, ans, a, mode="reduced"):
    _qr_mode(mode)
    return rt.qr_adjoint(g, ans[0], ans[1] if same(mode, "reduced") else rt.qr_wide(ans[1]))


def _qr_tangent(d, ans, a, mode="reduced"):
    _qr_mode(mode)
    return rt.qr_tangent(d if same(mode, "reduced") else rt.qr_wide(d), ans)


def _cholesky_upper(upper) -> None:
    if isinstance(upper, Sym):  # (upper=True is read as the transpose of the lower factor: _upper_factor; NumPy 1
        # has no upper=, and raises its TypeError as the call runs)
        refuse("numpy.linalg.cholesky", "np.linalg.cholesky with upper= known only at run time has no derivative "
                                        "rule in s2s", "write upper=True or upper=False")


def _upper_factor(materialise, a, upper=ir.Const(False)):
    """np.linalg.cholesky(a, upper=True) (NumPy 2) is the transpose of the lower factor of a's transpose (LAPACK
    reads a's upper triangle): np.swapaxes(np.linalg.cholesky(np.swapaxes(a, -1, -2)), -1, -2), bit for bit. Kept
    as written where upper is False, known only at run time, or a keyword this NumPy does not take (its
    TypeError)."""
    if constant_is(upper, False):
        return ir.Call("numpy.linalg.cholesky", (a,))
    sig = registry.signature(numpy.linalg.cholesky)
    if not constant_is(upper, True) or sig is None or "upper" not in sig.parameters:
        return ir.Call("numpy.linalg.cholesky", (a,), (("upper", upper),))
    turn = lambda v: ir.Call(f"{np._prefix}.swapaxes", (v, ir.Const(-1), ir.Const(-2)))  # noqa: E731
    return turn(materialise(ir.Call("numpy.linalg.cholesky", (materialise(turn(a)),))))


def _cholesky_adjoint(g, ans, a, upper=False):
    _cholesky_upper(upper)
    return rt.cholesky_adjoint(g, ans)


def _cholesky_tangent(d, ans, a, upper=False):
    _cholesky_upper(upper)
    return rt.cholesky_tangent(d, ans)


define("numpy.linalg.inv", [_inv_adjoint], [lambda d, ans, a: -(ans @ d @ ans)])
define("numpy.linalg.solve",
       [lambda g, ans, a, b: rt.solve_adjoint_a(g, ans, a, b), lambda g, ans, a, b: rt.solve_adjoint_b(g, a, b)],
       [lambda d, ans, a, b: rt.solve_tangent_a(d, ans, a), lambda d, ans, a, b: np.linalg.solve(a, d)])
# (no full_reduction: det of a stack of matrices, shape (n, k, k), is a vector of n determinants)
define("numpy.linalg.det", [lambda g, ans, a: rt.det_adjoint(g, ans, a)], [lambda d, ans, a: rt.det_tangent(d, ans, a)])
define("numpy.linalg.slogdet", [lambda g, ans, a: rt.slogdet_adjoint(g, a)], [lambda d, ans, a: rt.slogdet_tangent(d, a)])
read_first(define("numpy.linalg.cholesky", [_cholesky_adjoint], [_cholesky_tangent]), _upper_factor)
define("numpy.linalg.eigh", [lambda g, ans, a, UPLO="L": rt.eigh_adjoint(g, ans[0], ans[1], **non_default(UPLO=(UPLO, "L")))],
       [lambda d, ans, a, UPLO="L": rt.eigh_tangent(d, ans, UPLO)])
define("numpy.linalg.eigvalsh", [lambda g, ans, a, UPLO="L": rt.eigvalsh_adjoint(g, a, **non_default(UPLO=(UPLO, "L")))],
       [lambda d, ans, a, UPLO="L": rt.eigvalsh_tangent(d, a, UPLO)])
read_first(define("numpy.linalg.qr", [_qr_adjoint], [_qr_tangent]), _qr_modes)


# np.linalg.svd(a, hermitian=True) decomposes the symmetric matrix of a's lower triangle (through eigh): the rules
# of the svd of rt.lower_symmetric(a), the adjoint taken back to the triangle
def _hermitian(hermitian) -> bool:
    if isinstance(hermitian, Sym):
        refuse("numpy.linalg.svd", "its hermitian= is known only at run time (which entries it reads)",
               "pass hermitian=True or hermitian=False as a constant")
    return bool(hermitian)


def _svd_adjoint(g, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    if _hermitian(hermitian):
        return rt.lower_symmetric_adjoint(_svd_adjoint(g, ans, rt.lower_symmetric(a), full_matrices, compute_uv))
    return rt.svdvals_adjoint(g, a) if same(compute_uv, False) else \
        rt.svd_adjoint(g, ans, a, **non_default(full_matrices=(full_matrices, True)))


def _svd_tangent(d, ans, a, full_matrices=True, compute_uv=True, hermitian=False):
    if _hermitian(hermitian):
        return rt.svd_tangent(rt.lower_symmetric(d), ans, rt.lower_symmetric(a), full_matrices, compute_uv)
    return rt.svd_tangent(d, ans, a, full_matrices, compute_uv)


define("numpy.linalg.svd", [_svd_adjoint], [_svd_tangent])
define("numpy.linalg.svdvals", [lambda g, ans, a: rt.svdvals_adjoint(g, a)], [lambda d, ans, a: rt.svdvals_tangent(d, a)])
define("numpy.linalg.matrix_power", [lambda g, ans, a, n: rt.matrix_power_adjoint(g, a, n)],
       [lambda d, ans, a, n: rt.matrix_power_tangent(d, a, n)])
define("numpy.linalg.multi_dot", [lambda g, ans, arrays: rt.multi_dot_adjoint(g, arrays)],
       [lambda d, ans, arrays: rt.multi_dot_tangent(d, arrays)])

# ---------------------------------------------------------------- pseudo-inverse and least squares (full rank)
def _pinv(ans, a, rcond=None, hermitian=False, **options):
    """P = pinv(a), checked at run time to be of a full-rank a (rt.pinv_full_rank); hermitian=True refused."""
    if hermitian is not False:
        refuse("numpy.linalg.pinv", "np.linalg.pinv with hermitian=True reads one triangle of the matrix only",
               "leave hermitian out (a symmetric matrix's pseudo-inverse is the same)")
    return rt.pinv_full_rank(ans, a, **given(rcond=rcond), **options)


def _pinv_adjoint(g, ans, a, rcond=None, hermitian=False, **options):
    """Golub and Pereyra (1973), Theorem 4.3: for a of constant (here full) rank and P its pseudo-inverse,
    dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P; its transpose at g:
    -P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A), the identities applied as subtractions."""
    p = _pinv(ans, a, rcond, hermitian, **options)
    pt, gt = np.swapaxes(p, -1, -2), np.swapaxes(g, -1, -2)
    left = gt @ (p @ pt)  # g^T P P^T
    right = (pt @ p) @ gt  # P^T P g^T
    return (left - a @ (p @ left)) + (right - (right @ p) @ a) - pt @ g @ pt


def _pinv_tangent(d, ans, a, rcond=None, hermitian=False, **options):
    p = _pinv(ans, a, rcond, hermitian, **options)
    pt, dt = np.swapaxes(p, -1, -2), np.swapaxes(d, -1, -2)
    left = (p @ pt) @ dt  # P P^T dA^T
    right = dt @ (pt @ p)  # dA^T P^T P
    return (left - (left @ a) @ p) + (right - p @ (a @ right)) - p @ d @ p


define("numpy.linalg.pinv", [_pinv_adjoint], [_pinv_tangent])


def _lstsq_solution(g, ans, a, b):
    """(u, x, r): u = (a^T a)^-1 gx solves the normal equations for the adjoint gx of the solution x (checked
    of a full column rank a), r = b - a x the residual."""
    x = rt.lstsq_full_rank(ans[0], ans[2], a)
    u = np.linalg.solve(a.T @ a, rt.lstsq_solution_adjoint(g))
    return u, x, b - a @ x


def _columns(v):
    """v as a matrix of columns (b, x and their kin are one column or several): a vector (m,) is (m, 1)."""
    return np.reshape(v, emit("tuple", builtins.len(v), -1))


# np.linalg.lstsq(a, b) of a full column rank a: x solves a^T a x = a^T b, so a^T a dx = a^T (db - da x) + da^T r;
# the adjoints b: a u, a: r u^T - a u x^T (summed over b's columns)
define("numpy.linalg.lstsq",
       [lambda g, ans, a, b, rcond=None: (lambda u, x, r: _columns(r) @ _columns(u).T
                                          - _columns(a @ u) @ _columns(x).T)(*_lstsq_solution(g, ans, a, b)),
        lambda g, ans, a, b, rcond=None: a @ _lstsq_solution(g, ans, a, b)[0]],
       tangent_fn=lambda tangents, ans, a, b, rcond=None: rt.lstsq_tangent(
           tangents[0] if len(tangents) > 0 else None, tangents[1] if len(tangents) > 1 else None, ans, a, b))


# ---------------------------------------------------------------- condition number (2-norm): a ratio of singular values
# np.linalg.cond(a) = s[0] / s[-1] (p=-2: s[-1] / s[0]) of s = svd(a, compute_uv=False); refused where an extreme
# singular value is repeated (rt.distinct_ends), a kink of the ratio
def _cond_ends(a, p):
    if isinstance(p, Sym):
        refuse("numpy.linalg.cond", "np.linalg.cond with a p known only at run time has no derivative rule in s2s",
               "pass p as a constant: None, 2 or -2 (a ratio of singular values), or write "
               "np.linalg.norm(a, p) * np.linalg.norm(np.linalg.inv(a), p)")
    if p not in (None, 2, -2) or isinstance(p, bool):
        refuse("numpy.linalg.cond", f"np.linalg.cond with p={p!r} is not a ratio of singular values",
               "write np.linalg.norm(a, p) * np.linalg.norm(np.linalg.inv(a), p)")
    s = rt.distinct_ends(np.linalg.svd(a, compute_uv=False))
    return (0, -1) if p in (None, 2) else (-1, 0), s


def _cond_adjoint(g, ans, a, p=None):
    (top, bottom), s = _cond_ends(a, p)
    below = s[..., bottom]
    return rt.svdvals_adjoint(rt.getitem_adjoint(g / below, s, Ellipsis, top)
                              - rt.getitem_adjoint(g * ans / below, s, Ellipsis, bottom), a)


def _cond_tangent(d, ans, a, p=None):
    (top, bottom), s = _cond_ends(a, p)
    ds = rt.svdvals_tangent(d, a)
    return (ds[..., top] - ans * ds[..., bottom]) / s[..., bottom]


define("numpy.linalg.cond", [_cond_adjoint], [_cond_tangent])
