"""Products: linear in each factor separately, one record each.

`bilinear(key, adjoint_a, adjoint_b)`: the tangent is `f(da, b) + f(a, db)`
(derived), the reverse rule gives each factor's adjoint. `batched=` is the form
for tangents with a leading batch axis, where the product's axes would
otherwise take the batch axis for one of theirs.
"""
from __future__ import annotations

from s2s import ir
from s2s.rules import registry
from s2s.rules.primitive import alias, bilinear, constant_is, define, multilinear, non_default
from s2s.rules.registry import REQUIRED
from s2s.rules.symbolic import np, rt

MAX_OPERANDS = 26  # einsum operands with a rule (one adjoint function per positional argument)


def _last_axis_only(kwargs: dict, key: str) -> None:
    if kwargs:  # axisa/axisb/axisc/axis name axes that the batch axis would shift
        raise registry.NotBatchable(key)


def _two_known(ranks, kwargs) -> bool:
    return len(ranks) == 2 and None not in ranks and not kwargs


def _matmul_rank(ranks, kwargs):
    if not _two_known(ranks, kwargs) or 0 in ranks:
        return None
    ra, rb = ranks
    return ra + rb - 2 if min(ra, rb) == 1 else max(ra, rb)


def _dot_rank(ranks, kwargs):
    if not _two_known(ranks, kwargs):
        return None
    ra, rb = ranks
    return max(ra, rb) if ra == 0 or rb == 0 else ra + rb - 2


def _cross_rank(ranks, kwargs):
    # vectors in the last axis, leading axes broadcast (two 2-vectors give a number: rt.cross_tangents leaves them to
    # one tangent at a time, raising NotBatchable)
    return max(ranks) if _two_known(ranks, kwargs) and min(ranks) >= 1 else None


_MATMUL_BATCHED = (lambda d, ans, a, b: rt.batch_matmul_a(d, a, b), lambda d, ans, a, b: rt.batch_matmul_b(a, d, b))
bilinear("matmul", lambda g, ans, a, b: rt.matmul_adjoint_a(g, a, b), lambda g, ans, a, b: rt.matmul_adjoint_b(g, a, b),
         batched=_MATMUL_BATCHED, rank=_matmul_rank, matrix_product=True)
bilinear("numpy.matmul", lambda g, ans, a, b: rt.matmul_adjoint_a(g, a, b),
         lambda g, ans, a, b: rt.matmul_adjoint_b(g, a, b), batched=_MATMUL_BATCHED, tangent_op="matmul",
         rank=_matmul_rank, matrix_product=True)
bilinear("numpy.dot", lambda g, ans, a, b: rt.dot_adjoint_a(g, a, b), lambda g, ans, a, b: rt.dot_adjoint_b(g, a, b),
         batched=(lambda d, ans, a, b: rt.batch_dot_a(d, a, b), lambda d, ans, a, b: rt.batch_dot_b(a, d, b)),
         rank=_dot_rank, matrix_product=True)
# x.dot(y), as written: np.dot for arrays; the product of a scipy.sparse matrix A.dot(x), which np.dot(A, x) is not;
# rt.dot the same product in the dot adjoints' transposes (second order of A.dot(x))
for _key in ("numpy.ndarray.dot", "s2s.runtime.dot"):
    bilinear(_key, lambda g, ans, a, b: rt.dot_adjoint_a(g, a, b), lambda g, ans, a, b: rt.dot_adjoint_b(g, a, b),
             batched=(lambda d, ans, a, b: rt.batch_dot_a(d, a, b), lambda d, ans, a, b: rt.batch_dot_b(a, d, b)),
             rank=_dot_rank)
bilinear("numpy.outer", lambda g, ans, a, b: np.reshape(g @ np.ravel(b), np.shape(a)),
         lambda g, ans, a, b: np.reshape(np.ravel(a) @ g, np.shape(b)),
         batched=(lambda d, ans, a, b: rt.batch_outer_left(d, b), lambda d, ans, a, b: rt.batch_outer_right(a, d)),
         rank=lambda ranks, kwargs: 2)
# np.linalg.outer (NumPy 2): np.outer of two vectors (it refuses other ranks, so it stays itself in generated code)
bilinear("numpy.linalg.outer", lambda g, ans, a, b: g @ b, lambda g, ans, a, b: a @ g,
         batched=(lambda d, ans, a, b: rt.batch_outer_left(d, b), lambda d, ans, a, b: rt.batch_outer_right(a, d)),
         rank=lambda ranks, kwargs: 2)
bilinear("numpy.inner", lambda g, ans, a, b: rt.inner_adjoint_a(g, a, b), lambda g, ans, a, b: rt.inner_adjoint_b(g, a, b))
bilinear("numpy.vdot", lambda g, ans, a, b: rt.vdot_adjoint(g, b, a), lambda g, ans, a, b: rt.vdot_adjoint(g, a, b),
         full_reduction=True)
bilinear("numpy.tensordot", lambda g, ans, a, b, axes=2: rt.tensordot_adjoint_a(g, a, b, **non_default(axes=(axes, 2))),
         lambda g, ans, a, b, axes=2: rt.tensordot_adjoint_b(g, a, b, **non_default(axes=(axes, 2))))
bilinear("numpy.kron", lambda g, ans, a, b: rt.kron_adjoint_a(g, a, b), lambda g, ans, a, b: rt.kron_adjoint_b(g, a, b))
# the tangents are spelled rt.cross_product: np.cross without its generic axis handling (4x faster on 3-vectors,
# and a batch of tangents against one vector is one matrix product)
bilinear("numpy.cross", lambda g, ans, a, b, **axes: rt.cross_adjoint_a(g, a, b, **axes),
         lambda g, ans, a, b, **axes: rt.cross_adjoint_b(g, a, b, **axes),
         batched=(  # vectors in the last axis: the batch axis is one more leading axis
             lambda d, ans, a, b, **kwargs: _last_axis_only(kwargs, "numpy.cross") or rt.cross_tangents(d, 0.0, a, b),
             lambda d, ans, a, b, **kwargs: _last_axis_only(kwargs, "numpy.cross") or rt.cross_tangents(0.0, d, a, b)),
         # both tangents: one call, np.cross(da, b) + np.cross(a, db) with the two cross-product matrices at once
         batched_fn=lambda ts, ans, a, b, **kwargs: _last_axis_only(kwargs, "numpy.cross") or rt.cross_tangents(
             ts[0], ts[1], a, b),
         tangent_op="s2s.runtime.cross_product", rank=_cross_rank)
# np.linalg.cross(x1, x2, axis=-1) (NumPy 2): np.cross of 3-vectors along one axis (it refuses 2-vectors, so it stays
# itself in generated code), with np.cross's adjoints
_LINALG_CROSS = "numpy.linalg.cross"
bilinear(_LINALG_CROSS,
         lambda g, ans, a, b, axis=-1: rt.cross_adjoint_a(g, a, b, **non_default(axis=(axis, -1))),
         lambda g, ans, a, b, axis=-1: rt.cross_adjoint_b(g, a, b, **non_default(axis=(axis, -1))),
         batched=(lambda d, ans, a, b, **axis: _last_axis_only(axis, _LINALG_CROSS) or rt.cross_tangents(d, 0.0, a, b),
                  lambda d, ans, a, b, **axis: _last_axis_only(axis, _LINALG_CROSS) or rt.cross_tangents(0.0, d, a, b)),
         batched_fn=lambda ts, ans, a, b, **axis: _last_axis_only(axis, _LINALG_CROSS) or rt.cross_tangents(
             ts[0], ts[1], a, b), rank=_cross_rank)
bilinear("numpy.convolve",
         lambda g, ans, a, v, mode="full": rt.convolve_adjoint_a(g, a, v, **non_default(mode=(mode, "full"))),
         lambda g, ans, a, v, mode="full": rt.convolve_adjoint_b(g, a, v, **non_default(mode=(mode, "full"))))
bilinear("numpy.correlate",
         lambda g, ans, a, v, mode="valid": rt.correlate_adjoint_a(g, a, v, **non_default(mode=(mode, "valid"))),
         lambda g, ans, a, v, mode="valid": rt.correlate_adjoint_b(g, a, v, **non_default(mode=(mode, "valid"))))


# ---------------------------------------------------------------- einsum: linear in each operand
# np.einsum('ij,jk->ik', a, b) has its operands after the subscripts; the sublist form np.einsum(a, [0, 1], b, [1, 2],
# [0, 2]) interleaves them with their subscripts, and a subscripts string in a variable (a parameter) is known only
# at run time: there the positional argument's adjoint is rt.einsum_argument_adjoint, which reads the form then
def _einsum_adjoint(p: int):
    def adjoint(g, ans, *args, **_):
        if isinstance(args[0], str):
            return rt.einsum_adjoint(g, args[0], p - 1, *args[1:])
        return rt.einsum_argument_adjoint(g, p, *args)
    return adjoint


EINSUM_ARGUMENTS = 2 * MAX_OPERANDS + 1  # the sublist form: an operand and its sublist each, and the output's
multilinear("numpy.einsum", *(_einsum_adjoint(p) for p in range(EINSUM_ARGUMENTS)))


# rt.einsum_argument_adjoint(g, p, *args): linear in g and in every argument but p (which gives only a shape);
# paired with G it is the einsum with G in argument p's place (runtime_helpers.py has the same for einsum_adjoint)
def _with(args: tuple, p: int, value) -> tuple:
    return args[:p] + (value,) + args[p + 1:]


def _argument_adjoint_part(q: int):
    def adjoint(G, ans, g, p, *args):
        if q == p:  # (argument p gives only a shape: no derivative)
            return rt.zeros_like(args[p])
        return rt.einsum_argument_adjoint(g, q, *_with(args, p, G))
    return adjoint


def _argument_tangent_part(q: int):
    def tangent(d, ans, g, p, *args):
        return 0.0 if q == p else rt.einsum_argument_adjoint(g, p, *_with(args, q, d))
    return tangent


define("s2s.runtime.einsum_argument_adjoint",
       [lambda G, ans, g, p, *args: np.einsum(*_with(args, p, G)), None]
       + [_argument_adjoint_part(q) for q in range(EINSUM_ARGUMENTS)],
       [lambda d, ans, g, p, *args: rt.einsum_argument_adjoint(d, p, *args), None]
       + [_argument_tangent_part(q) for q in range(EINSUM_ARGUMENTS)])

# ---------------------------------------------------------------- polynomials: linear in the coefficients
def _vander_options(N, increasing, order=1):
    return non_default(N=(N, None), increasing=(increasing, False), order=(order, 1))


# np.polyval(p, x) = sum p[i] x ** (n - 1 - i): linear in p (the adjoint the rows of np.vander(x) weighed by g),
# and in x the derivative polynomial's value
define("numpy.polyval",
       [lambda g, ans, p, x: np.ravel(g) @ np.vander(np.ravel(x), np.size(p)),
        lambda g, ans, p, x: g * np.polyval(np.polyder(p), x)],
       [lambda d, ans, p, x: np.polyval(d, x), lambda d, ans, p, x: np.polyval(np.polyder(p), x) * d])
# np.vander(x, N): the powers x_j ** k in row j; rt.vander_slope is their derivative in x_j
define("numpy.vander",
       [lambda g, ans, x, N=None, increasing=False: np.sum(g * rt.vander_slope(x, **_vander_options(N, increasing)),
                                                           axis=-1)],
       [lambda d, ans, x, N=None, increasing=False: rt.vander_slope(x, **_vander_options(N, increasing))
        * np.expand_dims(d, -1)],
       batched=[lambda d, ans, x, N=None, increasing=False: rt.vander_slope(x, **_vander_options(N, increasing))
                * np.expand_dims(d, -1)])

# ---------------------------------------------------------------- NumPy 2: vecdot, matvec, vecmat and the np.linalg spellings
# np.vecdot(a, b, axis=-1) = sum(a * b, axis) (real arrays): each factor's adjoint g along the axis times the other
bilinear("numpy.vecdot", lambda g, ans, a, b, axis=-1: rt.unbroadcast(np.expand_dims(g, axis) * b, a),
         lambda g, ans, a, b, axis=-1: rt.unbroadcast(np.expand_dims(g, axis) * a, b))
# np.matvec(m, v) = m @ v over the last axes, np.vecmat(v, m) = v @ m: the adjoints are each other's and outer products
bilinear("numpy.matvec", lambda g, ans, m, v: rt.unbroadcast(np.expand_dims(g, -1) * np.expand_dims(v, -2), m),
         lambda g, ans, m, v: rt.unbroadcast(np.vecmat(g, m), v))
bilinear("numpy.vecmat", lambda g, ans, v, m: rt.unbroadcast(np.matvec(m, g), v),
         lambda g, ans, v, m: rt.unbroadcast(np.expand_dims(v, -1) * np.expand_dims(g, -2), m))
alias("numpy.linalg.matmul", f"{np._prefix}.matmul", (), lambda args: args, "np.matmul(x1, x2)")
alias("numpy.linalg.tensordot", f"{np._prefix}.tensordot", (("x1", REQUIRED), ("x2", REQUIRED), ("axes", 2)),
      lambda args: args, "np.tensordot(x1, x2, axes)")
alias("numpy.linalg.vecdot", f"{np._prefix}.vecdot", (("x1", REQUIRED), ("x2", REQUIRED), ("axis", -1)),
      lambda args: args[:2] if len(args) < 3 or constant_is(args[2], -1) else
      ir.Call(f"{np._prefix}.vecdot", tuple(args[:2]), (("axis", args[2]),)), "np.vecdot(x1, x2, axis=axis)")
