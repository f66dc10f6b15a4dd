"""Linear algebra: inverses, solves, determinants, factorizations; one record each.

Tuple results (`slogdet`, `eigh`, `qr`, `svd`) receive the list of their parts'
adjoints built by `rt.getitem_adjoint`.
"""
from __future__ import annotations

from s2s.rules.primitive import define, non_default, same
from s2s.rules.symbolic import np, rt


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(f"no derivative rule for {what}")


def _inv_adjoint(g, ans, a):
    t = np.swapaxes(ans, -1, -2)
    return -(t @ g @ t)


def _qr_adjoint(g, ans, a, mode="reduced"):
    _require(same(mode, "reduced"), f"np.linalg.qr with mode={mode!r} (only mode='reduced')")
    return rt.qr_adjoint(g, ans[0], ans[1])


def _cholesky_adjoint(g, ans, a, upper=False):
    _require(same(upper, False), "np.linalg.cholesky with upper=True")
    return rt.cholesky_adjoint(g, ans)


define("numpy.linalg.inv", [_inv_adjoint], [lambda d, ans, a: -(ans @ d @ ans)])
define("numpy.linalg.solve",
       [lambda g, ans, a, b: rt.solve_adjoint_a(g, ans, a, b), lambda g, ans, a, b: rt.solve_adjoint_b(g, a, b)],
       [lambda d, ans, a, b: rt.solve_tangent_a(d, ans, a), lambda d, ans, a, b: np.linalg.solve(a, d)])
define("numpy.linalg.det", [lambda g, ans, a: rt.det_adjoint(g, ans, a)], [lambda d, ans, a: ans * rt.trace_solve(a, d)],
       full_reduction=True)
define("numpy.linalg.slogdet", [lambda g, ans, a: rt.slogdet_adjoint(g, a)], [lambda d, ans, a: rt.slogdet_tangent(d, a)])
define("numpy.linalg.cholesky", [_cholesky_adjoint],
       [lambda d, ans, a, upper=False: rt.cholesky_tangent(d, ans, upper)])
define("numpy.linalg.eigh", [lambda g, ans, a, UPLO="L": rt.eigh_adjoint(g, ans[0], ans[1], **non_default(UPLO=(UPLO, "L")))],
       [lambda d, ans, a, UPLO="L": rt.eigh_tangent(d, ans, UPLO)])
define("numpy.linalg.eigvalsh", [lambda g, ans, a, UPLO="L": rt.eigvalsh_adjoint(g, a, **non_default(UPLO=(UPLO, "L")))],
       [lambda d, ans, a, UPLO="L": rt.eigvalsh_tangent(d, a, UPLO)])
define("numpy.linalg.qr", [_qr_adjoint], [lambda d, ans, a, mode="reduced": rt.qr_tangent(d, ans, mode)])
define("numpy.linalg.svd",
       [lambda g, ans, a, full_matrices=True, compute_uv=True, hermitian=False:
        rt.svdvals_adjoint(g, a) if same(compute_uv, False) else
        rt.svd_adjoint(g, ans, a, **non_default(full_matrices=(full_matrices, True)))],
       [lambda d, ans, a, full_matrices=True, compute_uv=True, hermitian=False:
        rt.svd_tangent(d, ans, a, full_matrices, compute_uv)])
define("numpy.linalg.svdvals", [lambda g, ans, a: rt.svdvals_adjoint(g, a)], [lambda d, ans, a: rt.svdvals_tangent(d, a)])
define("numpy.linalg.matrix_power", [lambda g, ans, a, n: rt.matrix_power_adjoint(g, a, n)],
       [lambda d, ans, a, n: rt.matrix_power_tangent(d, a, n)])
define("numpy.linalg.multi_dot", [lambda g, ans, arrays: rt.multi_dot_adjoint(g, arrays)],
       [lambda d, ans, arrays: rt.multi_dot_tangent(d, arrays)])
