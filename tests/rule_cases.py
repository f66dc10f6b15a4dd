"""One small function per derivative-rule key, with inputs inside the key's domain.

`CASES` holds (key, function, args, wrt): the function applies the primitive
`key` to its arguments, `wrt` lists the positions that carry a derivative.
Inputs stay away from kinks (abs, max, clip, mod) so that central finite
differences are accurate.
"""
import math

import numpy as np

R = np.random.default_rng(20)
V = R.normal(size=4)
W = R.normal(size=4)
P = R.uniform(0.5, 2.0, size=4)  # positive
Q = R.uniform(0.5, 2.0, size=4)
U = R.uniform(-0.8, 0.8, size=4)  # inside (-1, 1)
M23 = R.normal(size=(2, 3))
M34 = R.normal(size=(3, 4))
M32 = R.normal(size=(3, 2))
SEP = np.array([-1.5, -0.4, 0.3, 1.2])  # away from 0 and from each other's neighbours
LO, HI = np.full(4, -1.0), np.full(4, 1.0)
CLIPPED = np.array([-1.6, -0.2, 0.5, 1.7])
SPD = np.array([[2.0, 0.3, 0.1], [0.3, 1.5, -0.2], [0.1, -0.2, 1.0]])  # well conditioned, distinct eigenvalues
IDX = np.array([[0, 2], [1, 1], [3, 0]])

CASES = [
    # ------------------------------------------------------------ arithmetic operators
    ("add", lambda x, y: x + y, (V, W), (0, 1)),
    ("add", lambda x, y: x + y, (M23, 0.7), (0, 1)),
    ("add", lambda x, y: x + y, (0.7, M23), (0, 1)),
    ("sub", lambda x, y: x - y, (V, W), (0, 1)),
    ("sub", lambda x, y: x - y, (1.3, M23), (0, 1)),
    ("mul", lambda x, y: x * y, (V, W), (0, 1)),
    ("mul", lambda x, y: x * y, (M23, V[:3]), (0, 1)),
    ("truediv", lambda x, y: x / y, (V, P), (0, 1)),
    ("pow", lambda x, y: x ** y, (P, V), (0, 1)),
    ("pow", lambda x: x ** 3, (V,), 0),
    ("mod", lambda x, y: x % y, (5.3, 2.1), (0, 1)),
    ("neg", lambda x: -x, (V,), 0),
    ("pos", lambda x: +x, (V,), 0),
    ("matmul", lambda a, b: a @ b, (M23, M34), (0, 1)),
    ("matmul", lambda a, b: a @ b, (M34, V), (0, 1)),
    # ------------------------------------------------------------ builtins
    ("builtins.abs", lambda x: abs(x), (-1.3,), 0),
    ("builtins.sum", lambda x, y: sum([x, y * 2.0]), (0.4, 1.1), (0, 1)),
    ("builtins.sum", lambda x: sum(x), (np.array([[1.0, 2.0], [3.0, 4.0]]),), 0),
    ("builtins.float", lambda x: float(x) * x, (1.7,), 0),
    ("builtins.max", lambda x, y: max(x, y), (0.4, -0.3), (0, 1)),
    ("builtins.max", lambda x, y: max(x, y), (-0.4, 0.3), (0, 1)),
    ("builtins.min", lambda x, y: min(x, y), (0.4, -0.3), (0, 1)),
    ("builtins.min", lambda x, y: min(x, y), (-0.4, 0.3), (0, 1)),
    # ------------------------------------------------------------ structure
    ("getitem", lambda x: x[1:3], (V,), 0),
    ("getitem", lambda x: x[1, 2], (M34,), 0),
    ("getitem", lambda x: x[:, 1], (M34,), 0),
    # ------------------------------------------------------------ math
    ("math.exp", lambda x: math.exp(x), (0.7,), 0),
    ("math.expm1", lambda x: math.expm1(x), (0.7,), 0),
    ("math.log", lambda x: math.log(x), (1.7,), 0),
    ("math.log", lambda x, b: math.log(x, b), (1.7, 3.0), (0, 1)),
    ("math.log2", lambda x: math.log2(x), (1.7,), 0),
    ("math.log10", lambda x: math.log10(x), (1.7,), 0),
    ("math.log1p", lambda x: math.log1p(x), (0.7,), 0),
    ("math.sqrt", lambda x: math.sqrt(x), (1.7,), 0),
    ("math.pow", lambda x, y: math.pow(x, y), (1.7, 0.6), (0, 1)),
    ("math.sin", lambda x: math.sin(x), (0.7,), 0),
    ("math.cos", lambda x: math.cos(x), (0.7,), 0),
    ("math.tan", lambda x: math.tan(x), (0.7,), 0),
    ("math.asin", lambda x: math.asin(x), (0.4,), 0),
    ("math.acos", lambda x: math.acos(x), (0.4,), 0),
    ("math.atan", lambda x: math.atan(x), (0.4,), 0),
    ("math.atan2", lambda y, x: math.atan2(y, x), (0.4, -1.3), (0, 1)),
    ("math.hypot", lambda x, y: math.hypot(x, y), (0.4, -1.3), (0, 1)),
    ("math.sinh", lambda x: math.sinh(x), (0.7,), 0),
    ("math.cosh", lambda x: math.cosh(x), (0.7,), 0),
    ("math.tanh", lambda x: math.tanh(x), (0.7,), 0),
    ("math.fabs", lambda x: math.fabs(x), (-0.7,), 0),
    # ------------------------------------------------------------ numpy arithmetic
    ("numpy.add", lambda x, y: np.add(x, y), (M23, V[:3]), (0, 1)),
    ("numpy.subtract", lambda x, y: np.subtract(x, y), (M23, V[:3]), (0, 1)),
    ("numpy.multiply", lambda x, y: np.multiply(x, y), (V, W), (0, 1)),
    ("numpy.divide", lambda x, y: np.divide(x, y), (V, P), (0, 1)),
    ("numpy.negative", lambda x: np.negative(x), (V,), 0),
    ("numpy.power", lambda x, y: np.power(x, y), (P, V), (0, 1)),
    ("numpy.square", lambda x: np.square(x), (V,), 0),
    ("numpy.reciprocal", lambda x: np.reciprocal(x), (P,), 0),
    ("numpy.abs", lambda x: np.abs(x), (SEP,), 0),
    ("numpy.absolute", lambda x: np.absolute(x), (SEP,), 0),
    ("numpy.float64", lambda x: np.float64(x) * x, (1.3,), 0),
    # ------------------------------------------------------------ numpy exponentials and logarithms
    ("numpy.exp", lambda x: np.exp(x), (V,), 0),
    ("numpy.exp2", lambda x: np.exp2(x), (V,), 0),
    ("numpy.expm1", lambda x: np.expm1(x), (V,), 0),
    ("numpy.log", lambda x: np.log(x), (P,), 0),
    ("numpy.log2", lambda x: np.log2(x), (P,), 0),
    ("numpy.log10", lambda x: np.log10(x), (P,), 0),
    ("numpy.log1p", lambda x: np.log1p(x), (P,), 0),
    ("numpy.sqrt", lambda x: np.sqrt(x), (P,), 0),
    # ------------------------------------------------------------ numpy trigonometric and hyperbolic
    ("numpy.sin", lambda x: np.sin(x), (V,), 0),
    ("numpy.cos", lambda x: np.cos(x), (V,), 0),
    ("numpy.tan", lambda x: np.tan(x), (U,), 0),
    ("numpy.arcsin", lambda x: np.arcsin(x), (U,), 0),
    ("numpy.arccos", lambda x: np.arccos(x), (U,), 0),
    ("numpy.arctan", lambda x: np.arctan(x), (V,), 0),
    ("numpy.arctan2", lambda y, x: np.arctan2(y, x), (V, W), (0, 1)),
    ("numpy.hypot", lambda x, y: np.hypot(x, y), (V, W), (0, 1)),
    ("numpy.sinh", lambda x: np.sinh(x), (V,), 0),
    ("numpy.cosh", lambda x: np.cosh(x), (V,), 0),
    ("numpy.tanh", lambda x: np.tanh(x), (V,), 0),
    # ------------------------------------------------------------ numpy selection
    ("numpy.maximum", lambda x, y: np.maximum(x, y), (SEP, SEP[::-1]), (0, 1)),
    ("numpy.minimum", lambda x, y: np.minimum(x, y), (SEP, SEP[::-1]), (0, 1)),
    ("numpy.where", lambda x, y: np.where(x > 0.0, x, y), (SEP, W), (0, 1)),
    ("numpy.clip", lambda x, lo, hi: np.clip(x, lo, hi), (CLIPPED, LO, HI), (0, 1, 2)),
    # ------------------------------------------------------------ numpy reductions
    ("numpy.sum", lambda x: np.sum(x), (M34,), 0),
    ("numpy.sum", lambda x: np.sum(x, axis=1), (M34,), 0),
    ("numpy.sum", lambda x: np.sum(x, axis=0, keepdims=True), (M34,), 0),
    ("numpy.mean", lambda x: np.mean(x), (M34,), 0),
    ("numpy.mean", lambda x: np.mean(x, axis=1), (M34,), 0),
    # ------------------------------------------------------------ numpy products
    ("numpy.dot", lambda a, b: np.dot(a, b), (V, W), (0, 1)),
    ("numpy.dot", lambda a, b: np.dot(a, b), (M23, M34), (0, 1)),
    ("numpy.matmul", lambda a, b: np.matmul(a, b), (M23, M34), (0, 1)),
    ("numpy.outer", lambda a, b: np.outer(a, b), (V, W[:3]), (0, 1)),
    # ------------------------------------------------------------ numpy shape
    ("numpy.transpose", lambda x: np.transpose(x), (M34,), 0),
    ("numpy.reshape", lambda x: np.reshape(x, (6, 2)), (M34,), 0),
    ("numpy.ravel", lambda x: np.ravel(x), (M34,), 0),
    # ------------------------------------------------------------ numpy_extra: sequences
    ("tuple", lambda x, y: (x * 2.0, y), (V, 1.5), (0, 1)),
    ("list", lambda x, y: np.sum(np.array([x, y * y])), (0.7, 1.5), (0, 1)),
    # ------------------------------------------------------------ numpy_extra: elementwise
    ("numpy.true_divide", lambda x, y: np.true_divide(x, y), (V, P), (0, 1)),
    ("numpy.float_power", lambda x, y: np.float_power(x, y), (P, V), (0, 1)),
    ("numpy.positive", lambda x: np.positive(x), (V,), 0),
    ("numpy.fabs", lambda x: np.fabs(x), (SEP,), 0),
    ("numpy.conjugate", lambda x: np.conjugate(x), (V,), 0),
    ("numpy.conj", lambda x: np.conj(x), (V,), 0),
    ("numpy.real", lambda x: np.real(x), (V,), 0),
    ("numpy.copysign", lambda x, y: np.copysign(x, y), (SEP, W), (0, 1)),
    ("numpy.mod", lambda x, y: np.mod(x, y), (P * 3.0, Q), (0, 1)),
    ("numpy.remainder", lambda x, y: np.remainder(x, y), (P * 3.0, Q), (0, 1)),
    ("numpy.fmod", lambda x, y: np.fmod(x, y), (P * 3.0, Q), (0, 1)),
    ("numpy.nan_to_num", lambda x: np.nan_to_num(x), (V,), 0),
    ("numpy.logaddexp", lambda x, y: np.logaddexp(x, y), (V, W), (0, 1)),
    ("numpy.logaddexp2", lambda x, y: np.logaddexp2(x, y), (V, W), (0, 1)),
    ("numpy.cbrt", lambda x: np.cbrt(x), (P,), 0),
    ("numpy.arcsinh", lambda x: np.arcsinh(x), (V,), 0),
    ("numpy.arccosh", lambda x: np.arccosh(x), (P + 1.0,), 0),
    ("numpy.arctanh", lambda x: np.arctanh(x), (U,), 0),
    ("numpy.sinc", lambda x: np.sinc(x), (V,), 0),
    ("numpy.deg2rad", lambda x: np.deg2rad(x), (V,), 0),
    ("numpy.radians", lambda x: np.radians(x), (V,), 0),
    ("numpy.rad2deg", lambda x: np.rad2deg(x), (V,), 0),
    ("numpy.degrees", lambda x: np.degrees(x), (V,), 0),
    ("numpy.fmax", lambda x, y: np.fmax(x, y), (SEP, SEP[::-1]), (0, 1)),
    ("numpy.fmin", lambda x, y: np.fmin(x, y), (SEP, SEP[::-1]), (0, 1)),
    # ------------------------------------------------------------ numpy_extra: reductions
    ("numpy.max", lambda x: np.max(x), (M34,), 0),
    ("numpy.max", lambda x: np.max(x, axis=1), (M34,), 0),
    ("numpy.min", lambda x: np.min(x, axis=0), (M34,), 0),
    ("numpy.amax", lambda x: np.amax(x), (V,), 0),
    ("numpy.amin", lambda x: np.amin(x), (V,), 0),
    ("numpy.nanmax", lambda x: np.nanmax(x), (V,), 0),
    ("numpy.nanmin", lambda x: np.nanmin(x), (V,), 0),
    ("numpy.prod", lambda x: np.prod(x), (P,), 0),
    ("numpy.prod", lambda x: np.prod(x, axis=0), (M34,), 0),
    ("numpy.var", lambda x: np.var(x), (M34,), 0),
    ("numpy.var", lambda x: np.var(x, axis=1, ddof=1), (M34,), 0),
    ("numpy.std", lambda x: np.std(x, axis=0), (M34,), 0),
    ("numpy.cumsum", lambda x: np.cumsum(x, axis=1), (M34,), 0),
    ("numpy.cumprod", lambda x: np.cumprod(x), (P,), 0),
    ("numpy.nansum", lambda x: np.nansum(x, axis=0), (M34,), 0),
    ("numpy.nanmean", lambda x: np.nanmean(x), (M34,), 0),
    ("numpy.average", lambda x: np.average(x, axis=0), (M34,), 0),
    ("numpy.diff", lambda x: np.diff(x), (V,), 0),
    ("numpy.linalg.norm", lambda x: np.linalg.norm(x), (M34,), 0),
    ("numpy.linalg.norm", lambda x: np.linalg.norm(x, axis=1), (M34,), 0),
    ("numpy.linalg.vector_norm", lambda x: np.linalg.vector_norm(x), (V,), 0),
    ("numpy.linalg.matrix_norm", lambda x: np.linalg.matrix_norm(x), (M34,), 0),
    # ------------------------------------------------------------ numpy_extra: shape
    ("numpy.squeeze", lambda x: np.squeeze(x), (M34[None],), 0),
    ("numpy.expand_dims", lambda x: np.expand_dims(x, 1), (V,), 0),
    ("numpy.atleast_1d", lambda x: np.atleast_1d(x) * 2.0, (0.7,), 0),
    ("numpy.atleast_2d", lambda x: np.atleast_2d(x), (V,), 0),
    ("numpy.atleast_3d", lambda x: np.atleast_3d(x), (V,), 0),
    ("numpy.swapaxes", lambda x: np.swapaxes(x, 0, 1), (M34,), 0),
    ("numpy.moveaxis", lambda x: np.moveaxis(x, 0, -1), (M34,), 0),
    ("numpy.matrix_transpose", lambda x: np.matrix_transpose(x), (M34,), 0),
    ("numpy.broadcast_to", lambda x: np.broadcast_to(x, (3, 4)), (V,), 0),
    ("numpy.tile", lambda x: np.tile(x, 2), (V,), 0),
    ("numpy.repeat", lambda x: np.repeat(x, 2), (V,), 0),
    ("numpy.flip", lambda x: np.flip(x), (M34,), 0),
    ("numpy.fliplr", lambda x: np.fliplr(x), (M34,), 0),
    ("numpy.flipud", lambda x: np.flipud(x), (M34,), 0),
    ("numpy.rot90", lambda x: np.rot90(x), (M34,), 0),
    ("numpy.roll", lambda x: np.roll(x, 1), (V,), 0),
    ("numpy.pad", lambda x: np.pad(x, 1), (V,), 0),
    ("numpy.pad", lambda x: np.pad(x, 2, mode="edge"), (V,), 0),
    ("numpy.copy", lambda x: np.copy(x), (V,), 0),
    ("numpy.array", lambda x, y: np.array([x, y]), (V, W), (0, 1)),
    ("numpy.asarray", lambda x: np.asarray(x), (V,), 0),
    ("numpy.asanyarray", lambda x: np.asanyarray(x), (V,), 0),
    ("numpy.ascontiguousarray", lambda x: np.ascontiguousarray(x), (M34,), 0),
    # ------------------------------------------------------------ numpy_extra: joining and splitting
    ("numpy.concatenate", lambda x, y: np.concatenate([x, y]), (V, W), (0, 1)),
    ("numpy.stack", lambda x, y: np.stack([x, y], axis=1), (V, W), (0, 1)),
    ("numpy.hstack", lambda x, y: np.hstack([x, y]), (V, W), (0, 1)),
    ("numpy.vstack", lambda x, y: np.vstack([x, y]), (V, W), (0, 1)),
    ("numpy.dstack", lambda x, y: np.dstack([x, y]), (V, W), (0, 1)),
    ("numpy.column_stack", lambda x, y: np.column_stack([x, y]), (V, W), (0, 1)),
    ("numpy.split", lambda x: np.split(x, 2)[1], (V,), 0),
    ("numpy.array_split", lambda x: np.array_split(x, 3)[0], (V,), 0),
    ("numpy.hsplit", lambda x: np.hsplit(x, 2)[0], (M34,), 0),
    ("numpy.vsplit", lambda x: np.vsplit(x, 3)[2], (M34,), 0),
    ("numpy.dsplit", lambda x: np.dsplit(x, 2)[1], (M34[None],), 0),
    # ------------------------------------------------------------ numpy_extra: products
    ("numpy.inner", lambda a, b: np.inner(a, b), (M34, M34[:2] * 0.5), (0, 1)),
    ("numpy.vdot", lambda a, b: np.vdot(a, b), (V, W), (0, 1)),
    ("numpy.tensordot", lambda a, b: np.tensordot(a, b, axes=1), (M23, M34), (0, 1)),
    ("numpy.einsum", lambda a, b: np.einsum("ij,jk->ik", a, b), (M23, M34), (0, 1)),
    ("numpy.kron", lambda a, b: np.kron(a, b), (V[:2], W[:3]), (0, 1)),
    ("numpy.cross", lambda a, b: np.cross(a, b), (V[:3], W[:3]), (0, 1)),
    ("numpy.convolve", lambda a, b: np.convolve(a, b), (V, W[:3]), (0, 1)),
    ("numpy.trace", lambda x: np.trace(x), (M34,), 0),
    ("numpy.diagonal", lambda x: np.diagonal(x, 1), (M34,), 0),
    ("numpy.diag", lambda x: np.diag(x), (V,), 0),
    ("numpy.tril", lambda x: np.tril(x), (M34,), 0),
    ("numpy.triu", lambda x: np.triu(x, 1), (M34,), 0),
    ("numpy.linalg.matrix_power", lambda a: np.linalg.matrix_power(a, 3), (SPD * 0.3,), 0),
    # ------------------------------------------------------------ numpy_extra: selection
    ("numpy.take", lambda x: np.take(x, [2, 0, 2]), (V,), 0),
    ("numpy.take_along_axis", lambda x: np.take_along_axis(x, IDX, axis=1), (M34,), 0),
    ("numpy.sort", lambda x: np.sort(x), (SEP[::-1],), 0),
    ("numpy.select", lambda x, y: np.select([SEP > 0.0], [x], y), (V, W), (0, 1)),
    # ------------------------------------------------------------ numpy_extra: linear algebra
    ("numpy.linalg.inv", lambda a: np.linalg.inv(a), (SPD,), 0),
    ("numpy.linalg.solve", lambda a, b: np.linalg.solve(a, b), (SPD, V[:3]), (0, 1)),
    ("numpy.linalg.det", lambda a: np.linalg.det(a), (SPD,), 0),
    ("numpy.linalg.slogdet", lambda a: np.linalg.slogdet(a)[1], (SPD,), 0),
    ("numpy.linalg.cholesky", lambda a: np.linalg.cholesky(a @ a.T), (SPD,), 0),
    ("numpy.linalg.eigh", lambda a: np.linalg.eigh(a + a.T)[0], (SPD,), 0),
    ("numpy.linalg.eigh", lambda a: np.abs(np.linalg.eigh(a + a.T)[1]), (SPD,), 0),
    ("numpy.linalg.eigvalsh", lambda a: np.linalg.eigvalsh(a + a.T), (SPD,), 0),
    ("numpy.linalg.qr", lambda a: np.linalg.qr(a)[0], (M32,), 0),
    ("numpy.linalg.qr", lambda a: np.linalg.qr(a)[1], (M32,), 0),
    ("numpy.linalg.svd", lambda a: np.linalg.svd(a, compute_uv=False), (M34,), 0),
    ("numpy.linalg.svd", lambda a: np.abs(np.linalg.svd(a, full_matrices=False)[0]), (M32,), 0),
    ("numpy.linalg.svd", lambda a: np.abs(np.linalg.svd(a, full_matrices=False)[2]), (M23,), 0),
    ("numpy.linalg.svdvals", lambda a: np.linalg.svdvals(a), (M34,), 0),
]

# ---------------------------------------------------------------- the runtime helpers generated gradients call
# (rules/runtime_rules.py: what hessian(f) and grad(grad(f)) differentiate)
from s2s import runtime as rt  # noqa: E402

M24 = R.normal(size=(2, 4))
M21 = R.normal(size=(2, 1))
T324 = R.normal(size=(3, 2, 4))
V3 = R.normal(size=3)

CASES += [
    ("s2s.runtime.unbroadcast", lambda g: rt.unbroadcast(g, V3), (M23,), 0),
    ("s2s.runtime.unbroadcast", lambda g: rt.unbroadcast(g, M21), (M23,), 0),
    ("s2s.runtime.unbroadcast", lambda g: rt.unbroadcast(g, M23), (M23,), 0),
    ("s2s.runtime.sum_adjoint", lambda g: rt.sum_adjoint(g, M23, 1, False), (V[:2],), 0),
    ("s2s.runtime.sum_adjoint", lambda g: rt.sum_adjoint(g, M23, 0, True), (M23[:1],), 0),
    ("s2s.runtime.mean_adjoint", lambda g: rt.mean_adjoint(g, M23, 1, False), (V[:2],), 0),
    ("s2s.runtime.getitem_adjoint", lambda g: rt.getitem_adjoint(g, V, slice(1, None, None)), (V3,), 0),
    ("s2s.runtime.getitem_adjoint", lambda g: rt.getitem_adjoint(g, M34, 1), (V,), 0),
    ("s2s.runtime.getitem_adjoint", lambda g: rt.getitem_adjoint(g, V, IDX[:, 0]), (V3,), 0),
    ("s2s.runtime.add_at", lambda acc, g: rt.add_at(np.copy(acc), g, M34, 1), (M34, V), (0, 1)),
    ("s2s.runtime.add_at", lambda acc, g: rt.add_at(acc, g, V, slice(1, None, None)), (0.5, V3), (0, 1)),
    ("s2s.runtime.setitem_adjoint", lambda g: rt.setitem_adjoint(g, 1), (V,), 0),
    ("s2s.runtime.setitem_adjoint", lambda g: rt.setitem_adjoint(g, slice(0, 2, None), 1), (M34,), 0),
    ("s2s.runtime.zero_at", lambda g: rt.zero_at(np.copy(g), 2), (V,), 0),
    ("s2s.runtime.zero_at", lambda g: rt.zero_at(np.copy(g), 1, 2), (M34,), 0),
    ("s2s.runtime.transpose_adjoint", lambda g: rt.transpose_adjoint(g, (1, 2, 0)), (T324,), 0),
    ("s2s.runtime.transpose_adjoint", lambda g: rt.transpose_adjoint(g), (M23,), 0),
    ("s2s.runtime.adjoint_part", lambda a: rt.adjoint_part(a, 1, V3), ((V, M23),), 0),
    ("s2s.runtime.matmul_adjoint_a", lambda g, b: rt.matmul_adjoint_a(g, M23, b), (M24, M34), (0, 1)),
    ("s2s.runtime.matmul_adjoint_a", lambda g, b: rt.matmul_adjoint_a(g, V3, b), (V, M34), (0, 1)),
    ("s2s.runtime.matmul_adjoint_a", lambda g, b: rt.matmul_adjoint_a(g, M34, b), (V3, V), (0, 1)),
    ("s2s.runtime.matmul_adjoint_b", lambda g, a: rt.matmul_adjoint_b(g, a, M34), (M24, M23), (0, 1)),
    ("s2s.runtime.matmul_adjoint_b", lambda g, a: rt.matmul_adjoint_b(g, a, V), (V3, M34), (0, 1)),
    ("s2s.runtime.matmul_adjoint_b", lambda g, a: rt.matmul_adjoint_b(g, a, V), (1.3, V), (0, 1)),
    ("s2s.runtime.dot_adjoint_a", lambda g, b: rt.dot_adjoint_a(g, M23, b), (M24, M34), (0, 1)),
    ("s2s.runtime.dot_adjoint_a", lambda g, b: rt.dot_adjoint_a(g, 0.7, b), (V, W), (0, 1)),
    ("s2s.runtime.dot_adjoint_b", lambda g, a: rt.dot_adjoint_b(g, a, M34), (M24, M23), (0, 1)),
    ("s2s.runtime.dot_adjoint_b", lambda g, a: rt.dot_adjoint_b(g, a, V3), (1.1, V3), (0, 1)),
    ("s2s.runtime.extremum_adjoint", lambda g: rt.extremum_adjoint(g, M23.max(axis=1), M23, axis=1), (V[:2],), 0),
    ("s2s.runtime.cumsum_adjoint", lambda g: rt.cumsum_adjoint(g, M23, axis=1), (M23,), 0),
    ("s2s.runtime.cumsum_adjoint", lambda g: rt.cumsum_adjoint(g, M23), (V[:3].repeat(2),), 0),
    ("s2s.runtime.diff_adjoint", lambda g: rt.diff_adjoint(g, axis=1), (M23,), 0),
    ("s2s.runtime.diff_adjoint", lambda g: rt.diff_adjoint(g, 2), (V,), 0),
]
