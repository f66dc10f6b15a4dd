"""Records for the runtime helpers of the linear-algebra, einsum, reduction and factorisation rules that generated
derivative code calls (runtime/linalg.py, runtime/second.py, runtime/products.py): their tangents and adjoints,
for higher-order derivatives, written as runtime_helpers.py writes the others (its `helper`, `RT`).
"""
from __future__ import annotations

from s2s.rules.primitive import define, elementwise, linear, non_default
from s2s.rules.runtime_helpers import RT, helper
from s2s.rules.symbolic import emit, np, rt


# ---------------------------------------------------------------- linear algebra
# solve_adjoint_b(g, a, b) = a^-T g and solve_adjoint_a(g, x, a, b) = -a^-T g x^T (each summed back to b's, a's
# shape): linear in g (and x); their derivatives in a are in runtime/second.py; b gives only a shape
define(RT + "solve_adjoint_b",
       [lambda G, ans, g, a, b: np.linalg.solve(a, G), lambda G, ans, g, a, b: rt.solve_adjoint_b_adjoint_a(G, g, a, b),
        None],
       [lambda d, ans, g, a, b: rt.solve_adjoint_b(d, a, b),
        lambda d, ans, g, a, b: rt.solve_adjoint_b_tangent_a(d, g, a, b), None], rank_of_argument=3)
define(RT + "solve_adjoint_a",
       [lambda G, ans, g, x, a, b: rt.solve_adjoint_a_adjoint_g(G, x, a, b),
        lambda G, ans, g, x, a, b: rt.solve_adjoint_a_adjoint_x(G, g, a, b),
        lambda G, ans, g, x, a, b: rt.solve_adjoint_a_adjoint_a(G, g, x, a, b), None],
       [lambda d, ans, g, x, a, b: rt.solve_adjoint_a(d, x, a, b), lambda d, ans, g, x, a, b: rt.solve_adjoint_a(g, d, a, b),
        lambda d, ans, g, x, a, b: rt.solve_adjoint_a_tangent_a(d, g, x, a, b), None], rank_of_argument=2)
# det_adjoint(g, det, a) = g det inv(a)^T and slogdet_adjoint(g, a) = g[1] inv(a)^T: linear in g (and det)
# (for a singular a, det_adjoint is g times the cofactors, which no longer read det: its transpose in g is still
# rt.det_tangent, and the other second derivatives are refused there, rt.invertible)
_DET = "np.linalg.det"
define(RT + "det_adjoint",
       [lambda G, ans, g, det, a: rt.det_tangent(G, det, a),
        lambda G, ans, g, det, a: g * rt.trace_solve(rt.invertible(a, _DET), G),
        lambda G, ans, g, det, a: rt.inv_transpose_adjoint(G, g * det, rt.invertible(a, _DET))],
       [lambda d, ans, g, det, a: rt.det_adjoint(d, det, a),
        lambda d, ans, g, det, a: rt.det_adjoint(g, d, rt.invertible(a, _DET)),
        lambda d, ans, g, det, a: rt.inv_transpose_tangent(d, ans, rt.invertible(a, _DET))], rank_of_argument=2)
# (a check that passes a through: the identity wherever it is differentiated)
linear(RT + "invertible", lambda g, ans, a, function: g)
define(RT + "slogdet_adjoint",
       [lambda G, ans, g, a: rt.slogdet_adjoint_transpose(G, g, a), lambda G, ans, g, a: rt.inv_transpose_adjoint(G, g[1], a)],
       [lambda d, ans, g, a: rt.slogdet_adjoint(d, a), lambda d, ans, g, a: rt.inv_transpose_tangent(d, ans, a)],
       rank_of_argument=1)

# ---------------------------------------------------------------- elementwise
elementwise(RT + "sinc_derivative", lambda ans, x, n=1: rt.sinc_derivative(x, n + 1), None)  # (np.sinc's, any order)


# einsum_adjoint(g, subscripts, i, *operands): the adjoint of operand i of an einsum, linear in g and in every
# other operand (operand i gives only a shape); paired with G it is the einsum with G in operand i's place
def _with(operands: tuple, i: int, value) -> tuple:
    return operands[:i] + (value,) + operands[i + 1:]


def _einsum_adjoint_part(j: int):
    def adjoint(G, ans, g, subscripts, i, *operands):
        if j == i:  # (operand i gives only a shape: no derivative, zeros of its shape)
            return rt.zeros_like(operands[i])
        return rt.einsum_adjoint(g, subscripts, j, *_with(operands, i, G))
    return adjoint


def _einsum_tangent_part(j: int):
    def tangent(d, ans, g, subscripts, i, *operands):
        return 0.0 if j == i else rt.einsum_adjoint(g, subscripts, i, *_with(operands, j, d))
    return tangent


EINSUM_OPERANDS = 26  # as many as the record of numpy.einsum (rules/products.py) has
define(RT + "einsum_adjoint",
       [lambda G, ans, g, subscripts, i, *operands: np.einsum(subscripts, *_with(operands, i, G)), None, None]
       + [_einsum_adjoint_part(j) for j in range(EINSUM_OPERANDS)],
       [lambda d, ans, g, subscripts, i, *operands: rt.einsum_adjoint(d, subscripts, i, *operands), None, None]
       + [_einsum_tangent_part(j) for j in range(EINSUM_OPERANDS)])

# ---------------------------------------------------------------- reductions and factorisations: linear in g, and
# their second derivatives in the other arguments
# cumprod_adjoint(g, ans, x) = cumsum_adjoint(g * ans) / x: linear in g (J^T g, whose transpose is the tangent
# J G) and in ans, 1 / x elementwise; where a line of x holds a zero, exact forms (runtime/cumprod.py)
define(RT + "cumprod_adjoint",
       [lambda G, out, g, ans, x, axis=None: rt.cumprod_tangent(G, ans, x, **non_default(axis=(axis, None))),
        lambda G, out, g, ans, x, axis=None: g * rt.cumprod_adjoint_transpose(G, x, **non_default(axis=(axis, None))),
        lambda G, out, g, ans, x, axis=None: rt.cumprod_adjoint_adjoint_x(G, out, g, x, **non_default(axis=(axis, None)))],
       [lambda d, out, g, ans, x, axis=None: rt.cumprod_adjoint(d, ans, x, **non_default(axis=(axis, None))),
        lambda d, out, g, ans, x, axis=None: rt.cumprod_adjoint_ans(g, d, x, **non_default(axis=(axis, None))),
        lambda d, out, g, ans, x, axis=None: rt.cumprod_adjoint_tangent_x(d, out, g, x, **non_default(axis=(axis, None)))],
       rank_of_argument=2)
# prod_adjoint(g, x) = g times the product of the other entries: the product's Hessian in x
define(RT + "prod_adjoint",
       [lambda G, ans, g, x, axis=None, keepdims=False:
        rt.prod_tangent(G, x, **non_default(axis=(axis, None), keepdims=(keepdims, False))),
        lambda G, ans, g, x, axis=None, keepdims=False:
        rt.prod_adjoint_adjoint_x(G, g, x, **non_default(axis=(axis, None), keepdims=(keepdims, False)))],
       [lambda d, ans, g, x, axis=None, keepdims=False:
        rt.prod_adjoint(d, x, **non_default(axis=(axis, None), keepdims=(keepdims, False))),
        lambda d, ans, g, x, axis=None, keepdims=False:
        rt.prod_adjoint_tangent_x(d, g, x, **non_default(axis=(axis, None), keepdims=(keepdims, False)))],
       rank_of_argument=1)
# the product's Hessian applied to d (or G) times g: prod_adjoint_tangent_x(d, g, x) and prod_adjoint_adjoint_x(G, g,
# x), the same map H(g d), linear in d and in g; in x its derivative is the third (rt.prod_third, symmetric), whose
# own derivatives are refused (runtime/second.py: fourth derivatives)
_PROD_OPTIONS = lambda axis, keepdims: non_default(axis=(axis, None), keepdims=(keepdims, False))  # noqa: E731
for _name in ("prod_adjoint_tangent_x", "prod_adjoint_adjoint_x"):
    define(RT + _name,
           [lambda A, ans, d, g, x, axis=None, keepdims=False:
            rt.prod_adjoint_adjoint_x(A, g, x, **_PROD_OPTIONS(axis, keepdims)),
            lambda A, ans, d, g, x, axis=None, keepdims=False:
            rt.prod_second_reduced(d, A, x, **_PROD_OPTIONS(axis, keepdims)),
            lambda A, ans, d, g, x, axis=None, keepdims=False: rt.prod_third(A, d, g, x, **_PROD_OPTIONS(axis, keepdims))],
           [lambda t, ans, d, g, x, axis=None, keepdims=False, name=_name:
            emit(RT + name, t, g, x, **_PROD_OPTIONS(axis, keepdims)),
            lambda t, ans, d, g, x, axis=None, keepdims=False, name=_name:
            emit(RT + name, d, t, x, **_PROD_OPTIONS(axis, keepdims)),
            lambda t, ans, d, g, x, axis=None, keepdims=False: rt.prod_third(d, t, g, x, **_PROD_OPTIONS(axis, keepdims))],
           rank_of_argument=2)


define(RT + "cholesky_adjoint",
       [lambda G, ans, g, L: rt.cholesky_adjoint_transpose(G, L), lambda G, ans, g, L: rt.cholesky_adjoint_adjoint_L(G, g, L)],
       [lambda d, ans, g, L: rt.cholesky_adjoint(d, L), lambda d, ans, g, L: rt.cholesky_adjoint_tangent_L(d, g, L)],
       rank_of_argument=1)
define(RT + "eigvalsh_adjoint",
       [lambda G, ans, g, a, UPLO="L": rt.eigvalsh_tangent(G, a, **non_default(uplo=(UPLO, "L"))),
        lambda G, ans, g, a, UPLO="L": rt.eigvalsh_adjoint_adjoint_a(G, g, a, **non_default(UPLO=(UPLO, "L")))],
       [lambda d, ans, g, a, UPLO="L": rt.eigvalsh_adjoint(d, a, **non_default(UPLO=(UPLO, "L"))),
        lambda d, ans, g, a, UPLO="L": rt.eigvalsh_adjoint_tangent_a(d, g, a, **non_default(UPLO=(UPLO, "L")))],
       rank_of_argument=1)
# matrix_power_adjoint(g, a, n) = sum over k of (a^T)^k g (a^T)^(n-1-k); its transpose in g is matrix_power_tangent
define(RT + "matrix_power_adjoint",
       [lambda G, ans, g, a, n: rt.matrix_power_tangent(G, a, n), lambda G, ans, g, a, n:
        rt.matrix_power_adjoint_adjoint_a(G, g, a, n), None],
       [lambda d, ans, g, a, n: rt.matrix_power_adjoint(d, a, n), lambda d, ans, g, a, n:
        rt.matrix_power_adjoint_tangent_a(d, g, a, n), None], rank_of_argument=1)

# norm_adjoint(g, ans, x): linear in g (its transpose is the norm's tangent), and a function of x and of the norm
# ans entry by entry (its derivative in x diagonal, its own transpose)
def _norm_record(name: str, params: tuple) -> None:
    """The record of `rt.name(g, ans, x, *options)`, its options `params` ((name, default), in order) passed on
    as the call spelled them: by position or keyword."""
    def options(rest, kwargs):
        given_ = dict(zip([k for k, _ in params], rest), **kwargs)
        return non_default(**{k: (given_.get(k, default), default) for k, default in params})

    def part(key: str, *take):
        return lambda v, out, g, ans, x, *rest, **kwargs: emit(
            key, v, *[{"g": g, "ans": ans, "x": x}[t] for t in take], **options(rest, kwargs))
    tangent = RT + name.replace("_adjoint", "_tangent")
    define(RT + name,
           [part(tangent, "ans", "x"), part(f"{RT}{name}_adjoint_ans", "g", "ans", "x"),
            part(f"{RT}{name}_second_x", "g", "ans", "x")],
           [part(RT + name, "ans", "x"), part(f"{RT}{name}_tangent_ans", "g", "ans", "x"),
            part(f"{RT}{name}_second_x", "g", "ans", "x")], rank_of_argument=2)


_norm_record("norm_adjoint", (("ord", None), ("axis", None), ("keepdims", False)))
_norm_record("vector_norm_adjoint", (("axis", None), ("keepdims", False), ("ord", 2)))
_norm_record("matrix_norm_adjoint", (("keepdims", False), ("ord", "fro")))

# eigh_adjoint(g, w, v) = from_lower(sym(V (diag(gw) + F o V^T gv) V^T)), F_ij = 1 / (w_j - w_i): linear in the pair g,
# a function of the eigenvalues w (through F) and of the eigenvectors V
define(RT + "eigh_adjoint",
       [lambda G, ans, g, w, v, UPLO="L": rt.eigh_adjoint_transpose(G, w, v, **non_default(UPLO=(UPLO, "L"))),
        lambda G, ans, g, w, v, UPLO="L": rt.eigh_adjoint_adjoint_w(G, g, w, v, **non_default(UPLO=(UPLO, "L"))),
        lambda G, ans, g, w, v, UPLO="L": rt.eigh_adjoint_adjoint_v(G, g, w, v, **non_default(UPLO=(UPLO, "L")))],
       [lambda d, ans, g, w, v, UPLO="L": rt.eigh_adjoint(d, w, v, **non_default(UPLO=(UPLO, "L"))),
        lambda d, ans, g, w, v, UPLO="L": rt.eigh_adjoint_tangent_w(d, g, w, v, **non_default(UPLO=(UPLO, "L"))),
        lambda d, ans, g, w, v, UPLO="L": rt.eigh_adjoint_tangent_v(d, g, w, v, **non_default(UPLO=(UPLO, "L")))],
       rank_of_argument=3)
# the symmetric matrix of a lower triangle (svd's hermitian=True) and its transpose: linear, each the other's transpose
linear(RT + "lower_symmetric", lambda g, ans, a: rt.lower_symmetric_adjoint(g))
helper("lower_symmetric_adjoint", lambda G, g: rt.lower_symmetric(G))
# svdvals_adjoint(g, a) = U diag(g) V^T is the gradient of sum(g * svdvals(a)): its derivative in a is that sum's
# Hessian, symmetric, so the same map gives the tangent and the adjoint
define(RT + "svdvals_adjoint",
       [lambda G, ans, g, a: rt.svdvals_tangent(G, a), lambda G, ans, g, a: rt.svdvals_adjoint_tangent_a(G, g, a)],
       [lambda d, ans, g, a: rt.svdvals_adjoint(d, a), lambda d, ans, g, a: rt.svdvals_adjoint_tangent_a(d, g, a)],
       rank_of_argument=2)
# multi_dot_adjoint(g, arrays): part i is left_i^T g right_i^T, linear in g and in every factor but the i-th
define(RT + "multi_dot_adjoint",
       [lambda G, ans, g, arrays: rt.multi_dot_tangent(G, arrays),
        lambda G, ans, g, arrays: rt.multi_dot_adjoint_adjoint_arrays(G, g, arrays)],
       [lambda d, ans, g, arrays: rt.multi_dot_adjoint(d, arrays),
        lambda d, ans, g, arrays: rt.multi_dot_adjoint_tangent_arrays(d, g, arrays)])
# qr_adjoint(g, q, r) = (gQ + Q copyltu(R gR^T - gQ^T Q)) R^-T (a square or tall matrix): linear in the pair g,
# a function of Q and R
define(RT + "qr_adjoint",
       [lambda G, ans, g, q, r: rt.qr_adjoint_transpose(G, q, r), lambda G, ans, g, q, r: rt.qr_adjoint_adjoint_q(G, g, q, r),
        lambda G, ans, g, q, r: rt.qr_adjoint_adjoint_r(G, g, q, r)],
       [lambda d, ans, g, q, r: rt.qr_adjoint(d, q, r), lambda d, ans, g, q, r: rt.qr_adjoint_tangent_q(d, g, q, r),
        lambda d, ans, g, q, r: rt.qr_adjoint_tangent_r(d, g, q, r)], rank_of_argument=2)
# svd_adjoint(g, ans, a) (Townsend 2016): linear in the triple g, a function of the factors ans = (U, S, Vh); a gives
# only its shape
define(RT + "svd_adjoint",
       [lambda G, out, g, ans, a, full_matrices=True, compute_uv=True:
        rt.svd_adjoint_transpose(G, ans, a, **non_default(full_matrices=(full_matrices, True))),
        lambda G, out, g, ans, a, full_matrices=True, compute_uv=True:
        rt.svd_adjoint_adjoint_ans(G, g, ans, a, **non_default(full_matrices=(full_matrices, True))), None],
       [lambda d, out, g, ans, a, full_matrices=True, compute_uv=True:
        rt.svd_adjoint(d, ans, a, **non_default(full_matrices=(full_matrices, True))),
        lambda d, out, g, ans, a, full_matrices=True, compute_uv=True:
        rt.svd_adjoint_tangent_ans(d, g, ans, a, **non_default(full_matrices=(full_matrices, True))), None],
       rank_of_argument=2)
