"""One small function per derivative-rule key, with inputs inside the key's domain.

`CASES` holds (key, function, args, wrt): the function applies the primitive
`key` to its arguments, `wrt` lists the positions that carry a derivative.
Inputs stay away from kinks (abs, max, clip, mod) so that central finite
differences are accurate.
"""
import collections
import dataclasses
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
    ("math.copysign", lambda x, y: math.copysign(x, y), (0.4, -1.3), (0, 1)),
    ("math.sinh", lambda x: math.sinh(x), (0.7,), 0),
    ("math.cosh", lambda x: math.cosh(x), (0.7,), 0),
    ("math.tanh", lambda x: math.tanh(x), (0.7,), 0),
    ("math.fabs", lambda x: math.fabs(x), (-0.7,), 0),
    ("math.asinh", lambda x: math.asinh(x), (0.7,), 0),
    ("math.acosh", lambda x: math.acosh(x), (1.7,), 0),
    ("math.atanh", lambda x: math.atanh(x), (0.4,), 0),
    ("math.degrees", lambda x: math.degrees(x), (0.4,), 0),
    ("math.radians", lambda x: math.radians(x), (40.0,), 0),
    ("math.lgamma", lambda x: math.lgamma(x), (1.7,), 0),
    ("math.lgamma", lambda x: math.lgamma(x), (-0.4,), 0),
    ("math.gamma", lambda x: math.gamma(x), (2.7,), 0),
    ("s2s.runtime.polygamma", lambda x: rt.polygamma(1, x), (0.7,), 0),
    ("s2s.runtime.divide", lambda x, y: rt.divide(x, y), (0.7, -1.3), (0, 1)),
    ("s2s.runtime.divide", lambda x, y: rt.divide(x, y), (V, P), (0, 1)),
    ("math.fmod", lambda x, y: math.fmod(x, y), (5.3, 1.7), (0, 1)),
    ("math.fmod", lambda x, y: math.fmod(x, y), (-5.3, 1.7), (0, 1)),
    ("math.remainder", lambda x, y: math.remainder(x, y), (5.3, 1.7), (0, 1)),
    ("math.ldexp", lambda x: math.ldexp(x, 3), (0.7,), 0),
    ("math.modf", lambda x: math.modf(x * 3.0), (0.7,), 0),
    ("math.frexp", lambda x: math.frexp(x), (0.7,), 0),
    *([("math.exp2", lambda x: math.exp2(x), (0.7,), 0), ("math.cbrt", lambda x: math.cbrt(x), (0.7,), 0)]
      if hasattr(math, "exp2") else []),
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
    ("numpy.ndarray.clip", lambda x, lo, hi: x.clip(lo, hi), (CLIPPED, LO, HI), (0, 1, 2)),
    ("numpy.ndarray.clip", lambda x, lo: x.clip(lo), (CLIPPED, LO), (0, 1)),
    # ------------------------------------------------------------ numpy reductions
    ("numpy.sum", lambda x: np.sum(x), (M34,), 0),
    ("numpy.sum", lambda x: np.sum(x, axis=1), (M34,), 0),
    ("numpy.sum", lambda x: np.sum(x, axis=0, keepdims=True), (M34,), 0),
    ("numpy.mean", lambda x: np.mean(x), (M34,), 0),
    ("numpy.mean", lambda x: np.mean(x, axis=1), (M34,), 0),
    ("numpy.ndarray.sum", lambda x: np.ndarray.sum(x, axis=1), (M34,), 0),
    ("numpy.ndarray.sum", lambda x: np.ndarray.sum(x * x), (M34,), 0),
    ("numpy.ndarray.mean", lambda x: np.ndarray.mean(x, axis=0, keepdims=True), (M34,), 0),
    # ------------------------------------------------------------ numpy products
    ("numpy.dot", lambda a, b: np.dot(a, b), (V, W), (0, 1)),
    ("numpy.dot", lambda a, b: np.dot(a, b), (M23, M34), (0, 1)),
    ("numpy.ndarray.dot", lambda a, b: a.dot(b), (V, W), (0, 1)),
    ("numpy.ndarray.dot", lambda a, b: a.dot(b), (M23, M34), (0, 1)),
    ("numpy.matmul", lambda a, b: np.matmul(a, b), (M23, M34), (0, 1)),
    ("numpy.outer", lambda a, b: np.outer(a, b), (V, W[:3]), (0, 1)),
    # ------------------------------------------------------------ numpy shape
    ("numpy.transpose", lambda x: np.transpose(x), (M34,), 0),
    ("numpy.reshape", lambda x: np.reshape(x, (6, 2)), (M34,), 0),
    ("numpy.ravel", lambda x: np.ravel(x), (M34,), 0),
    ("numpy.ndarray.flatten", lambda x: x.flatten(), (M34,), 0),
    # ------------------------------------------------------------ sequences (rules/indexing.py)
    ("tuple", lambda x, y: (x * 2.0, y), (V, 1.5), (0, 1)),
    ("list", lambda x, y: np.sum(np.array([x, y * y])), (0.7, 1.5), (0, 1)),
    # ------------------------------------------------------------ more elementwise (rules/elementwise.py)
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
    # ------------------------------------------------------------ reductions (rules/reductions.py, rules/linear.py)
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
    # ------------------------------------------------------------ shape (rules/linear.py)
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
    ("numpy.pad", lambda x: np.pad(x, (2, 1), mode="maximum"), (V,), 0),
    ("numpy.pad", lambda x: np.pad(x, ((1, 0), (0, 2)), mode="minimum"), (M23,), 0),
    ("numpy.pad", lambda x: np.pad(x, ((1, 2), (2, 1)), mode="median", stat_length=2), (M34,), 0),
    ("numpy.copy", lambda x: np.copy(x), (V,), 0),
    ("numpy.ndarray.copy", lambda x: x.copy(), (V,), 0),
    ("numpy.array", lambda x, y: np.array([x, y]), (V, W), (0, 1)),
    ("numpy.asarray", lambda x: np.asarray(x), (V,), 0),
    ("numpy.asanyarray", lambda x: np.asanyarray(x), (V,), 0),
    ("numpy.ascontiguousarray", lambda x: np.ascontiguousarray(x), (M34,), 0),
    # ------------------------------------------------------------ joining and splitting (rules/linear.py)
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
    # ------------------------------------------------------------ products (rules/products.py)
    ("numpy.inner", lambda a, b: np.inner(a, b), (M34, M34[:2] * 0.5), (0, 1)),
    ("numpy.vdot", lambda a, b: np.vdot(a, b), (V, W), (0, 1)),
    ("s2s.runtime.vdot_adjoint", lambda g, b: rt.vdot_adjoint(g, b, M23), (0.7, np.ravel(M32)), (0, 1)),
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
    # ------------------------------------------------------------ selection (rules/indexing.py)
    ("numpy.take", lambda x: np.take(x, [2, 0, 2]), (V,), 0),
    ("numpy.take_along_axis", lambda x: np.take_along_axis(x, IDX, axis=1), (M34,), 0),
    ("numpy.sort", lambda x: np.sort(x), (SEP[::-1],), 0),
    ("numpy.select", lambda x, y: np.select([SEP > 0.0], [x], y), (V, W), (0, 1)),
    ("numpy.piecewise", lambda x: np.piecewise(x, [x < 0.0, x > 1.0], [0.5, 2.0, -1.0]) * x, (SEP,), 0),
    # ------------------------------------------------------------ linear algebra (rules/linalg.py)
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
    ("numpy.linalg.svd", lambda a: np.linalg.svd(a, compute_uv=False, hermitian=True), (SPD + 0.3 * M34[:, :3],), 0),
    ("numpy.linalg.svd", lambda a: np.abs(np.linalg.svd(a, full_matrices=False)[0]), (M32,), 0),
    ("numpy.linalg.svd", lambda a: np.abs(np.linalg.svd(a, full_matrices=False)[2]), (M23,), 0),
    ("numpy.linalg.svdvals", lambda a: np.linalg.svdvals(a), (M34,), 0),
]

# ---------------------------------------------------------------- the runtime helpers generated gradients call
# (rules/runtime_helpers.py: what hessian(f) and grad(grad(f)) differentiate)
from s2s import runtime as rt  # noqa: E402

M24 = R.normal(size=(2, 4))
M21 = R.normal(size=(2, 1))
T324 = R.normal(size=(3, 2, 4))
V3 = R.normal(size=3)

CASES += [
    ("s2s.runtime.unbroadcast", lambda g: rt.unbroadcast(g, V3), (M23,), 0),
    ("s2s.runtime.unbroadcast", lambda g: rt.unbroadcast(g, M21), (M23,), 0),
    ("s2s.runtime.unbroadcast", lambda g: rt.unbroadcast(g, M23), (M23,), 0),
    ("s2s.runtime.copy_saved", lambda x: rt.copy_saved(x) * 2.0, (V,), 0),
    ("s2s.runtime.castable", lambda x: rt.castable(M23, x[:3] * x[:3]) * 2.0, (V,), 0),
    ("s2s.runtime.castable", lambda x: rt.castable(M23, x[1], "same_kind", np.array([True, False, True])) * x, (V,), 0),
    ("s2s.runtime.copy_saved", lambda x: rt.copy_saved([x, x * x])[1], (V,), 0),
    ("s2s.runtime.sum_adjoint", lambda g: rt.sum_adjoint(g, M23, 1, False), (V[:2],), 0),
    ("s2s.runtime.sum_adjoint", lambda g: rt.sum_adjoint(g, M23, 0, True), (M23[:1],), 0),
    ("s2s.runtime.mean_adjoint", lambda g: rt.mean_adjoint(g, M23, 1, False), (V[:2],), 0),
    ("s2s.runtime.getitem_adjoint", lambda g: rt.getitem_adjoint(g, V, slice(1, None, None)), (V3,), 0),
    ("s2s.runtime.getitem_adjoint", lambda g: rt.getitem_adjoint(g, M34, 1), (V,), 0),
    ("s2s.runtime.getitem_adjoint", lambda g: rt.getitem_adjoint(g, V, IDX[:, 0]), (V3,), 0),
    ("s2s.runtime.add_at", lambda acc, g: rt.add_at(np.copy(acc), g, M34, 1), (M34, V), (0, 1)),
    ("s2s.runtime.copy_adjoint", lambda g: rt.copy_adjoint(g) * 2.0, (V3,), 0),
    ("s2s.runtime.tangent_copy", lambda d: rt.tangent_copy(d, V3) * 2.0, (V3,), 0),
    ("s2s.runtime.tangent_copy", lambda d: rt.tangent_copy(d * d, M23) * 2.0, (V3,), 0),
    ("s2s.runtime.unshared", lambda d: rt.unshared(d * d, V3) * 2.0, (V3,), 0),
    ("s2s.runtime.unshared", lambda d: rt.unshared(d[:2], d) * 2.0, (V3,), 0),
    ("s2s.runtime.reused", lambda g: rt.reused(g * g) * 2.0, (V3,), 0),
    ("s2s.runtime.ratio_or_zero", lambda x, y: rt.ratio_or_zero(x, y), (V3, V3 + 3.0), (0, 1)),
    ("s2s.runtime.ratio_or_zero", lambda x, y: rt.ratio_or_zero(x, y), (0.7, 1.3), (0, 1)),
    ("s2s.runtime.spread_root", lambda x: rt.spread_root(x * x + 0.5), (0.7,), 0),
    ("s2s.runtime.ratio_derivative", lambda x, y: rt.ratio_derivative(x * x, y), (V3, V3 + 3.0), (0, 1)),
    ("s2s.runtime.ratio_derivative", lambda x, y: rt.ratio_derivative(x, y), (0.7, 1.3), (0, 1)),
    # logaddexp's shares exp(x - ans) (2 ** (x - ans)), with ans an argument of their own (no derivative in y)
    ("s2s.runtime.logaddexp_share", lambda x, a: rt.logaddexp_share(x, V3 + 1.0, a), (V3, V3 + 2.0), (0, 1)),
    ("s2s.runtime.logaddexp_share", lambda x, a: rt.logaddexp_share(x, -0.2, a), (0.7, 1.3), (0, 1)),
    ("s2s.runtime.logaddexp2_share", lambda x, a: rt.logaddexp2_share(x, V3, a), (V3, V3 + 2.0), (0, 1)),
    ("s2s.runtime.logaddexp2_share", lambda x, a: rt.logaddexp2_share(x, 2.0, a), (0.7, 1.3), (0, 1)),
    # abs's slope, piecewise constant: derivative 0 away from 0 (at 0 refused: tests/test_hunt5_ties.py)
    ("s2s.runtime.abs_slope", lambda x: rt.abs_slope(x) * x * x, (V3 + np.sign(V3),), 0),
    ("s2s.runtime.abs_slope", lambda x: rt.abs_slope(x) * x * x, (-0.7,), 0),
    # abs's adjoint g * abs' (x): linear in g, no derivative in x away from 0 (at 0: tests/test_hunt5_ties.py)
    ("s2s.runtime.abs_adjoint", lambda g, x: rt.abs_adjoint(g * g, x) * x, (V3, V3 + np.sign(V3)), (0, 1)),
    ("s2s.runtime.abs_adjoint", lambda g, x: rt.abs_adjoint(g * g, x) * x, (1.3, -0.7), (0, 1)),
    ("s2s.runtime.abs_adjoint", lambda g, x: rt.abs_adjoint(g * g, x), (0.8, V3 + np.sign(V3)), (0, 1)),
    ("s2s.runtime.abs_adjoint_derivative", lambda g, x: rt.abs_adjoint_derivative(g * g, x, x) * x,
     (V3, V3 + np.sign(V3)), (0, 1)),
    ("s2s.runtime.where", lambda x, y: rt.where(x > 0.0, x, y), (SEP, W), (0, 1)),
    ("s2s.runtime.where", lambda x, y: rt.where(x > 0.0, x, y), (0.7, -1.3), (0, 1)),
    ("s2s.runtime.setitem_value_adjoint", lambda g: rt.setitem_value_adjoint(g, np.array([0, 2, 0])), (V3,), 0),
    ("s2s.runtime.setitem_value_adjoint", lambda g: rt.setitem_value_adjoint(g, 1), (M23,), 0),
    ("s2s.runtime.setitem_tangent", lambda d: rt.setitem_tangent(d, V3, np.array([0, 2, 0])), (V3,), 0),
    ("s2s.runtime.setitem_tangent", lambda d: rt.setitem_tangent(d, M23, 1), (V3,), 0),
    ("s2s.runtime.written_tangent", lambda d: rt.written_tangent(d * d, V3), (V3,), 0),
    ("s2s.runtime.add_at", lambda acc, g: rt.add_at(acc, g, V, slice(1, None, None)), (0.5, V3), (0, 1)),
    ("s2s.runtime.setitem_adjoint", lambda g: rt.setitem_adjoint(g, 1), (V,), 0),
    ("s2s.runtime.setitem_adjoint", lambda g: rt.setitem_adjoint(g, slice(0, 2, None), 1), (M34,), 0),
    ("s2s.runtime.zero_at", lambda g: rt.zero_at(np.copy(g), 2), (V,), 0),
    ("s2s.runtime.zero_at", lambda g: rt.zero_at(np.copy(g), 1, 2), (M34,), 0),
    ("s2s.runtime.transpose_adjoint", lambda g: rt.transpose_adjoint(g, (1, 2, 0)), (T324,), 0),
    ("s2s.runtime.transpose_adjoint", lambda g: rt.transpose_adjoint(g), (M23,), 0),
    ("s2s.runtime.adjoint_part", lambda a: rt.adjoint_part(a, 1, V3), ((V, M23),), 0),
    ("s2s.runtime.adjoint_part_adjoint", lambda g: rt.adjoint_part_adjoint(g, (V, M23, None), 1)[1], (M23,), 0),
    ("s2s.runtime.adjoint_part_adjoint", lambda g: rt.adjoint_part_adjoint(g, (V, M23), 1)[1], (V3,), 0),
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
    ("s2s.runtime.dot", lambda a, b: rt.dot(a, b), (M23, M34), (0, 1)),
    ("s2s.runtime.dot", lambda a, b: rt.dot(a, b), (V3, 0.4), (0, 1)),
    ("s2s.runtime.extremum_adjoint", lambda g: rt.extremum_adjoint(g, M23.max(axis=1), M23, axis=1), (V[:2],), 0),
    ("s2s.runtime.extremum_tangent", lambda d: rt.extremum_tangent(d * d, M23.max(axis=1), M23, axis=1), (M23,), 0),
    ("s2s.runtime.extremum_tangent", lambda d: rt.extremum_tangent(d * d, V.min(), V), (V,), 0),
    ("s2s.runtime.cumsum_adjoint", lambda g: rt.cumsum_adjoint(g, M23, axis=1), (M23,), 0),
    ("s2s.runtime.cumsum_adjoint", lambda g: rt.cumsum_adjoint(g, M23), (V[:3].repeat(2),), 0),
    ("s2s.runtime.diff_adjoint", lambda g: rt.diff_adjoint(g, np.zeros((2, 4)), axis=1), (M23,), 0),
    ("s2s.runtime.diff_adjoint", lambda g: rt.diff_adjoint(g, np.zeros(6), 2), (V,), 0),
    # (the differences run out: g is empty, the adjoint zero of x's shape)
    ("s2s.runtime.diff_adjoint", lambda g: rt.diff_adjoint(g, V[:3], 4) + V[:3] * g.sum(), (np.zeros(0),), 0),
    # (the ends given by their shapes: prepend=1.0 and append=[2.0, 3.0] of np.diff; with end=, that end's adjoint)
    ("s2s.runtime.diff_ends_adjoint", lambda g: rt.diff_ends_adjoint(g, V, prepend=(), append=(2,)),
     (R.normal(size=6),), 0),
    ("s2s.runtime.diff_ends_adjoint", lambda g: rt.diff_ends_adjoint(g, V[:2], 2, prepend=(2,)), (V[:2],), 0),
    ("s2s.runtime.diff_ends_adjoint", lambda g: rt.diff_ends_adjoint(g, M23[:1], axis=0, append=(1, 3)),
     (V3[None],), 0),
    ("s2s.runtime.diff_ends_adjoint", lambda g: rt.diff_ends_adjoint(g, V, prepend=(), append=(2,), end="prepend"),
     (R.normal(size=6),), 0),
    ("s2s.runtime.diff_ends_adjoint", lambda g: rt.diff_ends_adjoint(g, V, 2, prepend=(), append=(2,), end="append"),
     (R.normal(size=5),), 0),
    ("s2s.runtime.diff_ends_adjoint", lambda g: rt.diff_ends_adjoint(g, M23, axis=1, prepend=(2, 2), end="prepend"),
     (np.ones((2, 4)) + M23[:, :1],), 0),
    ("s2s.runtime.diff_ends_adjoint", lambda g: rt.diff_ends_adjoint(g, M23, axis=0, append=(), end="append"),
     (M23,), 0),
    ("s2s.runtime.as_float", lambda g: rt.as_float(g), (V,), 0),
    ("s2s.runtime.as_float", lambda g: rt.as_float(g), (1.3,), 0),
    # an inner transformation's results as its call returns them (runtime/settled.py): the identity on the numbers
    ("s2s.runtime.settled_like", lambda g: rt.settled_like(g, V), (W,), 0),
    ("s2s.runtime.given_back", lambda g: rt.given_back(g, V), (W,), 0),
    ("s2s.runtime.settled_like", lambda g: rt.settled_like(g, 1.3), (0.7,), 0),
    ("s2s.runtime.settled_like", lambda g: rt.settled_like(g, np.array(1.3)), (0.7,), 0),
    ("s2s.runtime.narrowed_like", lambda d: rt.narrowed_like(d, V), (W,), 0),
    ("s2s.runtime.narrowed_like", lambda d: rt.narrowed_like(d, 1.3), (0.7,), 0),
    ("s2s.runtime.broadcast_tangent", lambda d: rt.broadcast_tangent(d, M23), (V3,), 0),
    ("s2s.runtime.broadcast_tangent", lambda d: rt.broadcast_tangent(d, M23), (1.3,), 0),
    ("s2s.runtime.array_tangent", lambda d: rt.array_tangent([d * d, d], np.zeros((2, 4))), (V,), 0),
    ("s2s.runtime.array_tangent", lambda d: rt.array_tangent(d, np.zeros((3, 4))), (V,), 0),
    ("s2s.runtime.power_slope", lambda x, y: rt.power_slope(x, y), (1.3, 2.5), (0, 1)),
    ("s2s.runtime.power_slope", lambda x, y: rt.power_slope(x, y, 2), (1.3, 2.5), (0, 1)),
    ("s2s.runtime.power_slope", lambda x, y: rt.power_slope(x, y), (np.abs(V) + 0.5, 1.7), (0, 1)),
    ("s2s.runtime.power_slope_dy", lambda x, y: rt.power_slope_dy(x, y), (1.3, 2.5), (0, 1)),
    ("s2s.runtime.power_slope_dy", lambda x, y: rt.power_slope_dy(x, y, 2, 2), (np.abs(V) + 0.5, 1.7), (0, 1)),
    ("s2s.runtime.power_slope_dy", lambda x, y: rt.power_slope_dy(x, y, 0, 3), (1.3, np.abs(V) + 0.5), (0, 1)),
    ("s2s.runtime.log_or_zero", lambda x: rt.log_or_zero(x), (1.3,), 0),
    ("s2s.runtime.log_or_zero", lambda x: rt.log_or_zero(x), (np.abs(V) + 0.5,), 0),
    ("s2s.runtime.log_ndtr_slope", lambda x: rt.log_ndtr_slope(x), (-1.3,), 0),
    ("s2s.runtime.log_ndtr_slope", lambda x: rt.log_ndtr_slope(x), (V * 3.0,), 0),
]
V32 = V3.astype(np.float32)
CASES += [  # the helpers of the ndarray methods' derivatives (rules/methods.py)
    ("s2s.runtime.astype_adjoint", lambda g: rt.astype_adjoint(g, V3), (V3,), 0),
    ("s2s.runtime.astype_adjoint", lambda g: rt.astype_adjoint(g, V3, V3), (V3,), 0),
    ("s2s.runtime.astype_tangent", lambda d: rt.astype_tangent(d, V3), (V3,), 0),
    ("s2s.runtime.batch_astype_tangent", lambda d: rt.batch_astype_tangent(d, V3), (M23,), 0),
    # np.float32(x) near 1e-4, where float32's spacing is far below the differences' step; np.half(x) round trip
    # (float16's rounding defeats central differences: tests/test_hunt3_rules.py checks it analytically)
    ("numpy.float32", lambda x: np.float32(x) * 3.0, (V * 1e-4,), 0),
    ("numpy.float16", lambda x: np.half(x) + (x - np.half(x)), (V,), 0),
    ("numpy.ndarray.compress", lambda x: x.compress([True, False, True, True]), (V,), 0),
    ("numpy.ndarray.compress", lambda x: x.compress([False, True], axis=0), (M23,), 0),
    ("s2s.runtime.item_adjoint", lambda g: rt.item_adjoint(g, V, 2), (1.3,), 0),
    ("s2s.runtime.item_adjoint", lambda g: rt.item_adjoint(g, M23, 1, 0), (0.4,), 0),
    ("s2s.runtime.item_adjoint", lambda g: rt.item_adjoint(g, V[:1]), (0.4,), 0),
    ("s2s.runtime.item_adjoint_transpose", lambda h: rt.item_adjoint_transpose(h * h, 2), (V,), 0),
    ("s2s.runtime.item_adjoint_transpose", lambda h: rt.item_adjoint_transpose(h * 2.0, 1, 0), (M23,), 0),
    ("s2s.runtime.item_adjoint_transpose", lambda h: rt.item_adjoint_transpose(h * 2.0), (V[:1],), 0),
    ("s2s.runtime.tolist_adjoint", lambda a, b: rt.tolist_adjoint([a, b, a * b], V3), (0.3, 1.2), (0, 1)),
    ("s2s.runtime.as_parts", lambda h: np.array(rt.as_parts(h)) * 1.5, (M23,), 0),
]


@dataclasses.dataclass
class Record:
    """A dataclass of parameters: reading its fields is the primitive 'getattr'."""
    W: np.ndarray
    b: float


REC = Record(M23, 0.7)
Pair = collections.namedtuple("Pair", "a b")
CASES += [
    ("getattr", lambda p: p.W * p.b + np.sin(p.W), (REC,), 0),
    ("s2s.runtime.getattr_adjoint", lambda g: rt.getattr_adjoint(g, REC, "W").W * 2.0, (M23,), 0),
    ("s2s.runtime.getattr_adjoint", lambda g: rt.getattr_adjoint(g, REC, "b").b + 0.0 * M23, (1.3,), 0),
    # (the part of an adjoint at an attribute: a record's field, a NumPy result's element by its name)
    ("s2s.runtime.getattr_adjoint_transpose", lambda h: rt.getattr_adjoint_transpose(
        rt.getattr_adjoint(h * h, REC, "W"), REC, "W") * 2.0, (M23,), 0),
    # (a record the function builds, Record(W=x, b=y): linear in its fields; a namedtuple's by position too)
    ("s2s.runtime.record_new", lambda x, y: rt.record_new(Record, ("W", "b"), x * y, y).W
     + rt.record_new(Pair, ("a", "b"), x, y * y)[1] + rt.record_new(Pair, ("a", "b"), x, y).a, (M23, 0.7), (0, 1)),
    # (its tangent, read by the fields only: the same values, a class constant's tangent zero)
    ("s2s.runtime.record_tangent", lambda x, y: rt.record_tangent(Record, ("W", "b"), x * y, y).W
     + rt.record_tangent(Pair, ("a", "b"), x, y * y)[1] + rt.record_tangent(Pair, ("a", "b"), x, y).a, (M23, 0.7),
     (0, 1)),
    ("s2s.runtime.getattr_adjoint_transpose", lambda h: rt.getattr_adjoint_transpose(
        (np.sin(h[0]), h * h), np.linalg.eigh(SPD), "eigenvectors"), (SPD,), 0),
    # (a gradient with respect to a record given back as one, and the adjoint code's parts of it again)
    ("s2s.runtime.record_like", lambda g: rt.getattr_adjoint_transpose(
        rt.record_like(REC, rt.getattr_adjoint(g * g, REC, "W")), REC, "W") * 2.0, (M23,), 0),
    ("s2s.runtime.record_fields", lambda h: rt.getattr_adjoint_transpose(
        rt.record_fields(rt.record_like(REC, rt.getattr_adjoint(np.sin(h), REC, "W")), REC), REC, "W") * 2.0,
     (M23,), 0),
]
G6 = np.linspace(-0.9, 1.1, 6)  # an adjoint of a length-6 result
CASES += [
    ("s2s.runtime.take_adjoint", lambda g: rt.take_adjoint(g, V, np.array([2, 0, 2])), (V3,), 0),
    ("s2s.runtime.take_adjoint", lambda g: rt.take_adjoint(g, M34, np.array([3, 1]), axis=1), (M32,), 0),
    ("s2s.runtime.take_along_axis_adjoint", lambda g: rt.take_along_axis_adjoint(g, M34, IDX, 1), (M32,), 0),
    ("s2s.runtime.tile_adjoint", lambda g: rt.tile_adjoint(g, V3, 2), (G6,), 0),
    ("s2s.runtime.repeat_adjoint", lambda g: rt.repeat_adjoint(g, V3, 2), (G6,), 0),
    ("s2s.runtime.repeat_adjoint", lambda g: rt.repeat_adjoint(g, M23[:, :1], 3, axis=1), (M23,), 0),
    ("s2s.runtime.diagonal_adjoint", lambda g: rt.diagonal_adjoint(g, M34, 1), (V3,), 0),
    ("s2s.runtime.trace_adjoint", lambda g: rt.trace_adjoint(g, T324, 0, 1, 2), (V3,), 0),
    ("s2s.runtime.diag_adjoint", lambda g: rt.diag_adjoint(g, V3), (M34[:, :3],), 0),
    ("s2s.runtime.diag_adjoint", lambda g: rt.diag_adjoint(g, M34), (V3,), 0),
    ("s2s.runtime.pad_adjoint", lambda g: rt.pad_adjoint(g, V3, 1), (G6[:5],), 0),
    ("s2s.runtime.pad_adjoint", lambda g: rt.pad_adjoint(g, V3, (1, 2), "edge"), (G6,), 0),
    ("s2s.runtime.pad_adjoint", lambda g: rt.pad_adjoint(g, V3, (4, 2), "reflect", reflect_type="odd"), (np.linspace(-0.9, 1.1, 9),), 0),
    ("s2s.runtime.pad_adjoint", lambda g: rt.pad_adjoint(g, V3, (1, 2), "mean", stat_length=2), (G6,), 0),
    ("s2s.runtime.pad_adjoint", lambda g: rt.pad_adjoint(g, V3, (1, 2), "median"), (G6,), 0),
    ("s2s.runtime.pad_statistic_adjoint", lambda g: rt.pad_statistic_adjoint(g, M23, 1, "maximum"),
     (np.linspace(-0.9, 1.1, 20).reshape(4, 5),), 0),
    ("s2s.runtime.pad_statistic_tangent", lambda d: rt.pad_statistic_tangent(d, M23, ((0, 1), (2, 0)), "minimum"),
     (M23 * 0.5 + 0.1,), 0),
    # np.split(x, [2, 1]): pieces x[:2], x[2:1], x[1:] that overlap
    ("s2s.runtime.split_adjoint", lambda a, c: rt.split_adjoint([a, np.zeros(0), c], G6, [2, 1]), (V[:2], G6[1:]), 0),
    ("s2s.runtime.split_adjoint", lambda a, c: rt.split_adjoint([a, np.zeros(0), c], G6, [2, 1]), (V[:2], G6[1:]), 1),
    ("s2s.runtime.split_adjoint", lambda a, c: rt.split_adjoint([a, np.zeros((3, 0)), c], M34, [3, 1], axis=1),
     (M34[:, :3] * 0.5, M34[:, 1:] ** 2), 1),
    ("s2s.runtime.sort_adjoint", lambda g: rt.sort_adjoint(g, SEP), (V,), 0),
    ("s2s.runtime.sort_adjoint", lambda g: rt.sort_adjoint(g, M34, axis=0), (M34 * 0.5,), 0),
    ("s2s.runtime.sort_tangent", lambda d: rt.sort_tangent(d, SEP), (V,), 0),
    ("s2s.runtime.sort_tangent", lambda d: rt.sort_tangent(d, M34, axis=0), (M34 * 0.5,), 0),
    ("s2s.runtime.average_adjoint", lambda g: rt.average_adjoint(g, M34, axis=1), (V3,), 0),
    ("s2s.runtime.average_adjoint", lambda g: rt.average_adjoint(g, M34, axis=0, weights=P[:3]), (V,), 0),
    ("s2s.runtime.weights_as_read", lambda w: rt.weights_as_read(w * w, M34, axis=1) * M34, (P[:4],), 0),
    ("s2s.runtime.weights_as_read", lambda w: rt.weights_as_read(w * w, np.ones((2, 3, 4)), axis=(2, 0)),
     (np.linspace(0.3, 1.1, 8).reshape(4, 2),), 0),
    ("s2s.runtime.weights_as_given", lambda g: rt.weights_as_given(g * g, P[:4], M34, axis=1), (P[None, :4],), 0),
    ("s2s.runtime.weights_as_given", lambda g: rt.weights_as_given(g * 2.0, np.ones((4, 2)), np.ones((2, 3, 4)),
                                                                   axis=(2, 0)), (np.linspace(0.3, 1.1, 8).reshape(2, 1, 4),), 0),
    ("s2s.runtime.saved_key", lambda x, y: rt.saved_key({"a": x * y, "b": y}, "a") * y, (V, W), (0, 1)),
    ("s2s.runtime.nanmean_adjoint", lambda g: rt.nanmean_adjoint(g, np.array([[1.0, np.nan, 2.0], [0.5, 0.2, np.nan]]),
                                                                axis=1), (V[:2],), 0),
    # lists the function grows (xs.append(v)), and the adjoints of list-making functions (second order)
    ("s2s.runtime.appended", lambda x, y: np.stack(rt.appended([x, x * 2.0], y)), (V, W), (0, 1)),
    ("builtins.tuple", lambda x: np.stack(tuple(x * 2.0)), (M23,), 0),
    ("builtins.list", lambda x: np.stack(list(x * 2.0)), (M23,), 0),
    ("s2s.runtime.keyword", lambda x, y: rt.keyword((x * y, y), 1, x) + rt.keyword((x,), 1, y * y), (V, W), (0, 1)),
    ("s2s.runtime.keyword_adjoint", lambda g: rt.keyword_adjoint(g * g, (V, W), 1)[1], (V,), 0),
    ("s2s.runtime.keyword_default_adjoint", lambda g: rt.keyword_default_adjoint(g * g, (V,), 1), (V,), 0),
    ("s2s.runtime.dict_from_pairs", lambda x, y: rt.dict_from_pairs([("a", x * y), ("b", y)])["a"], (V, W), (0, 1)),
    ("s2s.runtime.deep_copy", lambda x, y: rt.deep_copy({"a": [x * y], "b": y})["a"][0] * y, (V, W), (0, 1)),
    ("s2s.runtime.dict_pairs_adjoint", lambda g: rt.dict_pairs_adjoint({"a": g * g, "b": g}, [("a", V), ("b", W)])[0][1],
     (V,), 0),
    ("s2s.runtime.keyword", lambda x, y: rt.keyword({"a": x * y}, "a", y) + rt.keyword({"a": x}, "b", y * y),
     (V, W), (0, 1)),
    ("s2s.runtime.keyword_adjoint", lambda g: rt.keyword_adjoint(g * g, {"a": V, "b": W}, "b")["b"], (V,), 0),
    ("s2s.runtime.keyword_default_adjoint", lambda g: rt.keyword_default_adjoint(g * g, {"a": V}, "b"), (V,), 0),
    ("s2s.runtime.dict_get", lambda x, y: rt.dict_get({"a": x * y}, "a", y) + rt.dict_get({"a": x}, "b", y * y),
     (V, W), (0, 1)),
    ("s2s.runtime.dict_values", lambda x, y: np.stack(rt.dict_values({"a": x * y, "b": y})), (V, W), (0, 1)),
    ("s2s.runtime.dict_items", lambda x, y: rt.dict_items({"a": x * y, "b": y})[0][1] * rt.dict_items({"b": x})[0][1],
     (V, W), (0, 1)),
    ("s2s.runtime.dict_part", lambda g: rt.dict_part({"a": g * g, "b": g}, ("a", "b"), 0), (V,), 0),
    ("s2s.runtime.dict_tangent", lambda x, y: rt.dict_tangent(("a", "b"), x * y, None, V, W)["a"]
     + rt.dict_tangent(("a", "b"), x, y * y, V, W)["b"], (V, W), (0, 1)),
    ("s2s.runtime.dict_values_adjoint", lambda g: rt.dict_values_adjoint([g, g * g], {"a": V, "b": W})["b"], (V,), 0),
    ("s2s.runtime.dict_items_adjoint", lambda g: rt.dict_items_adjoint([("a", g), ("b", g * g)], {"a": V, "b": W})["b"],
     (V,), 0),
    # what a loop over a value of unknown type reads: a list, tuple or array itself; a dict's keys (no derivative)
    ("s2s.runtime.iterated", lambda x, y: np.stack(rt.iterated([x * y, y])) + rt.iterated(x * 2.0, 4)[1] * y
     + rt.iterated({"a": x, 2: y})[1] * x, (V, W), (0, 1)),
    # the item a loop's in-place operator changed, as its container keeps it: the new value for an array, else the item
    ("s2s.runtime.changed_item", lambda x, y: rt.changed_item(x, x * y) + rt.changed_item(float(y[0]), y * y) *
     rt.changed_item(x[1], y[0] * 2.0), (V, W), (0, 1)),
    ("s2s.runtime.item_part", lambda g: rt.item_part(g * g, V, True) + rt.item_part(g, 1.0, False) +
     rt.item_part(g * 3.0, V, False), (V,), 0),
    ("s2s.runtime.taken", lambda x, y: np.stack(rt.taken([x * y, y], 2)) + rt.taken((x, x * x), 2)[1], (V, W), (0, 1)),
    ("s2s.runtime.iterated_tangent", lambda d: np.stack(rt.iterated_tangent([d * d, d], [V, W], [V, W]))
     + rt.iterated_tangent({"a": d, "b": d * d}, {"a": V, "b": W}, ["a", "b"])[1], (V,), 0),
    ("s2s.runtime.iterated_adjoint", lambda g: np.stack(rt.iterated_adjoint((g * g, g), (V, W)))
     + rt.iterated_adjoint(g, {"a": V})["a"], (V,), 0),
    ("s2s.runtime.tuple_adjoint", lambda g: rt.tuple_adjoint((g[0], g[1] * 2.0), M23), (M23,), 0),
    ("s2s.runtime.rows_of", lambda G: rt.rows_of(G * G, (1.0, 2.0)), (M23,), 0),
    ("s2s.runtime.dict_part_transpose",
     lambda G: rt.dict_part_transpose(G * G, {"a": V, "b": W}, ("a", "b"), 1)["b"] * 2.0, (V,), 0),
    ("s2s.runtime.dict_of", lambda x, y: rt.dict_of(("a", "b"), x * y, y)["a"] + rt.dict_of(("a", "b"), x, y)["b"],
     (V, W), (0, 1)),
    ("s2s.runtime.appended_adjoint", lambda g: np.stack(rt.appended_adjoint([g, 2.0 * g, g * g])), (V,), 0),
    ("s2s.runtime.appended_item_adjoint", lambda g: rt.appended_item_adjoint([g, 2.0 * g, g * g]), (V,), 0),
    # the tangents of a list grown by append, as jvp code differentiated again reads them: a new list (fix19nlp R5)
    ("s2s.runtime.appended_tangent_new", lambda d, e: np.stack(rt.appended_tangent_new([d * d, d], e * d, [V, V, V]))
     + np.stack(rt.appended_tangent_new(None, e * e, [V, V, V]))
     + np.stack(rt.appended_tangent_new([d, e], None, [V, V, V])), (V, W), (0, 1)),
    # (an array list adjoint, np.dot's of a list: its rows; hunt10fin C1)
    ("s2s.runtime.appended_adjoint", lambda g: rt.appended_adjoint(np.stack([g, 2.0 * g, g * g])), (V,), 0),
    ("s2s.runtime.appended_item_adjoint", lambda g: rt.appended_item_adjoint(np.stack([g, 2.0 * g, g * g])), (V,), 0),
    # the same cut back in place by the reversed loop that owns it (runtime/grown.py): parts, rows, a bare number
    ("s2s.runtime.owned_adjoint", lambda g: np.stack(rt.owned_adjoint([g, 2.0 * g, g * g], [V, V, V])), (V,), 0),
    ("s2s.runtime.owned_adjoint", lambda g: rt.owned_adjoint(np.stack([g, g * g])) * 2.0, (V,), 0),
    ("s2s.runtime.owned_adjoint", lambda g: np.stack(rt.owned_adjoint(np.sum(g * g), [V, V, V])), (V,), 0),
    ("s2s.runtime.popped_adjoint", lambda g: np.stack(rt.popped_adjoint([g, 2.0 * g, g * g])), (V,), 0),
    ("s2s.runtime.popped_adjoint", lambda g: rt.popped_adjoint(np.stack([g, 2.0 * g, g * g])) * 2.0, (V,), 0),
    ("s2s.runtime.added_at_part", lambda g, h: np.stack(rt.added_at_part([g, 2.0 * g, g * g], h * h, -1)), (V, W),
     (0, 1)),
    ("s2s.runtime.added_at_part", lambda g, h: rt.added_at_part(np.stack([g, g * g]), h * g, 0) * 2.0, (V, W), (0, 1)),
    # grown back in place where a gradient's cut is reversed again (ad/shrunk_lists.py), and the part the add's
    # adjoint takes
    ("s2s.runtime.pushed_part", lambda g: np.stack(rt.pushed_part(rt.owned_adjoint([g, 2.0 * g]))[:2]) * 3.0, (V,), 0),
    ("s2s.runtime.pushed_part", lambda g: rt.pushed_part(np.stack([g, g * g])) * 2.0, (V,), 0),
    ("s2s.runtime.popped_transpose", lambda g: np.stack(rt.popped_transpose([g, 2.0 * g])[:2]) * 3.0, (V,), 0),
    ("s2s.runtime.part_of", lambda g: rt.part_of([g, 2.0 * g, g * g], -1) + rt.part_of(np.stack([g, g * g]), 0) +
     rt.part_of(np.sum(g), 1), (V,), 0),
    ("s2s.runtime.array_adjoint", lambda g: np.stack(rt.array_adjoint(g, [V3, W[:3]])), (M23,), 0),
    ("s2s.runtime.array_adjoint", lambda g: rt.array_adjoint(g, V), (W,), 0),
    ("s2s.runtime.array_adjoint_transpose", lambda G: rt.array_adjoint_transpose(G * G, M23, V3), (V3,), 0),
    ("s2s.runtime.array_adjoint_transpose", lambda G: rt.array_adjoint_transpose([G, 2.0 * G], M23, [V3, W[:3]]),
     (V3,), 0),
    ("s2s.runtime.stack_adjoint", lambda g: np.stack(rt.stack_adjoint(g, [V3, V3], axis=1), axis=1), (M32,), 0),
    ("s2s.runtime.stack_adjoint_rows", lambda g: rt.stack_adjoint_rows(g * g, [V3, V3]), (M23,), 0),
    ("s2s.runtime.stack_adjoint_transpose", lambda a: rt.stack_adjoint_transpose(a * a, M23, [V3, V3]), (M23,), 0),
    ("s2s.runtime.sum_builtin_adjoint", lambda g: np.stack(rt.sum_builtin_adjoint(g, [V, W])), (V,), 0),
    ("s2s.runtime.sum_adjoint_rows", lambda g: rt.sum_adjoint_rows(g * g, [V, W, V]), (V,), 0),
    ("s2s.runtime.sum_adjoint_rows", lambda g: rt.sum_adjoint_rows(g * g, [1.5, 2.0]), (0.7,), 0),
    ("s2s.runtime.started_sum_adjoint", lambda g: np.stack([p for item in rt.started_sum_adjoint(
        [g, 2.0 * g, g * g], [[V, W], (V,)], []) for p in item]), (V,), 0),
    ("s2s.runtime.started_sum_adjoint", lambda g: np.stack([p for item in rt.started_sum_adjoint(
        [g, 2.0 * g, g * g], [[V], (W,)], (V,)) for p in item]), (V,), 0),
    ("s2s.runtime.started_sum_adjoint", lambda g: np.stack(rt.started_sum_adjoint(g, [V, W], V)), (V,), 0),
    ("s2s.runtime.started_sum_start_adjoint", lambda g: np.stack(rt.started_sum_start_adjoint(
        [g, 2.0 * g, g * g], [V, W], [[V]])), (V,), 0),
    ("s2s.runtime.started_sum_start_adjoint", lambda g: rt.started_sum_start_adjoint(g * g, V, [V]), (V,), 0),
    # (a list start added to arrays, and an item broadcast: their adjoints summed back to their shapes)
    ("s2s.runtime.started_sum_start_adjoint", lambda g: np.stack(rt.started_sum_start_adjoint(
        g * g, [V[0], V[1]], [M23[:, :2]])), (M23[:, :2],), 0),
    ("s2s.runtime.sum_builtin_adjoint", lambda g: np.hstack(rt.sum_builtin_adjoint(g * g, [V[0], V])), (V,), 0),
    # max(xs) and min(xs) of one sequence (ties shared: rt.extremum_item_adjoint), default= where it is empty
    ("s2s.runtime.largest", lambda x: rt.largest(x * 2.0), (SEP,), 0),
    ("s2s.runtime.smallest", lambda x, y: rt.smallest([x * 2.0, y, 1.5]), (0.4, -0.3), (0, 1)),
    ("s2s.runtime.largest", lambda x, y: rt.largest((x, y * y)) * rt.largest([x for _ in range(0)], y), (0.4, -0.9),
     (0, 1)),
    ("s2s.runtime.extremum_item_adjoint", lambda g: np.stack(rt.extremum_item_adjoint(g * g, W, [V, W])), (V,), 0),
    ("s2s.runtime.extremum_item_adjoint", lambda g: rt.extremum_item_adjoint(g * g, SEP[3], SEP), (1.3,), 0),
    ("s2s.runtime.extremum_item_tangent", lambda d: rt.extremum_item_tangent(d * d, SEP[3], SEP), (V,), 0),
    ("s2s.runtime.extremum_item_tangent", lambda d: rt.extremum_item_tangent([d, d * d], W, [V, W]), (V,), 0),
    ("s2s.runtime.default_share", lambda g: rt.default_share(g * g, []) + rt.default_share(g, [V]), (V,), 0),
    ("s2s.runtime.accumulator", lambda g: rt.accumulator(V, g), (W,), 0),
    ("s2s.runtime.add_into", lambda acc, g: rt.add_into(np.copy(acc), g), (V, W), (0, 1)),
    ("s2s.runtime.add_into", lambda acc, g: rt.add_into(acc, g), (0.5, W), (0, 1)),
]

XP = np.array([-2.0, -0.5, 0.5, 2.0])  # sample points around SEP (one of whose entries lies outside them)
X26 = np.hstack([M23, 0.5 * M23])
K66 = np.sin(np.arange(36.0)).reshape(6, 6)
EW, EV = np.linalg.eigh(SPD)
QR = np.linalg.qr(M32 + 0.5 * np.eye(3, 2))
SVD = np.linalg.svd(M23, full_matrices=False)  # a wide and a tall matrix's thin factors
SVDT = np.linalg.svd(M32, full_matrices=False)
SVDF = np.linalg.svd(M32)  # full_matrices=True: U is 3 x 3
CASES += [
    # ------------------------------------------------------------ runtime helpers that split g (list results)
    ("s2s.runtime.concatenate_adjoint", lambda g: np.stack(rt.concatenate_adjoint(g, [V3, V3])), (G6,), 0),
    ("s2s.runtime.concatenate_adjoint", lambda g: np.stack(rt.concatenate_adjoint(g, [M23, M23], axis=1)), (X26,), 0),
    ("s2s.runtime.concatenate_adjoint", lambda g: np.stack(rt.concatenate_adjoint(g, [M23, M23], axis=None)),
     (np.ravel(X26),), 0),
    # their transposes (third derivatives), linear in the parts
    ("s2s.runtime.concatenate_adjoint_transpose", lambda a, b: rt.concatenate_adjoint_transpose([a, b * b], 0.0, [V3, V3]),
     (V3, W[:3]), (0, 1)),
    ("s2s.runtime.concatenate_adjoint_transpose",
     lambda a: rt.concatenate_adjoint_transpose([a, a * 2.0], 0.0, [M23, M23], axis=1), (M23,), 0),
    ("s2s.runtime.stack_adjoint_transpose", lambda a: rt.stack_adjoint_transpose([a, a * a], M32, [V3, V3], axis=1),
     (V3,), 0),
    ("s2s.runtime.hstack_adjoint_transpose", lambda a: rt.hstack_adjoint_transpose([a, a * a], 0.0, [M23, M23]), (M23,), 0),
    ("s2s.runtime.vstack_adjoint_transpose", lambda a: rt.vstack_adjoint_transpose([a, a * a], 0.0, [V, W]), (V,), 0),
    ("s2s.runtime.dstack_adjoint_transpose", lambda a: rt.dstack_adjoint_transpose([a, a * a], 0.0, [M23, M23]),
     (M23,), 0),
    ("s2s.runtime.column_stack_adjoint_transpose", lambda a: rt.column_stack_adjoint_transpose([a, a * a], 0.0,
                                                                                               [V3, V3]), (V3,), 0),
    ("s2s.runtime.append_adjoint_transpose", lambda a: rt.append_adjoint_transpose([a, a * a], 0.0, V3, V3), (V3,), 0),
    ("s2s.runtime.hstack_adjoint", lambda g: np.stack(rt.hstack_adjoint(g, [V3, V3])), (G6,), 0),
    ("s2s.runtime.hstack_adjoint", lambda g: np.stack(rt.hstack_adjoint(g, [M23, M23])), (X26,), 0),
    ("s2s.runtime.vstack_adjoint", lambda g: np.stack(rt.vstack_adjoint(g, [V, W])), (M24,), 0),
    ("s2s.runtime.vstack_adjoint", lambda g: np.stack(rt.vstack_adjoint(g, [M23, M23])), (np.vstack([M23, M23 * 2.0]),), 0),
    ("s2s.runtime.dstack_adjoint", lambda g: np.stack(rt.dstack_adjoint(g, [M23, M23])), (np.dstack([M23, -M23]),), 0),
    ("s2s.runtime.column_stack_adjoint", lambda g: np.stack(rt.column_stack_adjoint(g, [V3, V3])), (M32,), 0),
    ("s2s.runtime.append_adjoint", lambda g: np.stack(rt.append_adjoint(g, V3, V3)), (G6,), 0),
    ("s2s.runtime.append_adjoint", lambda g: np.stack(rt.append_adjoint(g, M23, M23, axis=0)),
     (np.vstack([M23, M23 * 2.0]),), 0),
    ("s2s.runtime.select_adjoint_choices", lambda g: np.stack(rt.select_adjoint_choices(g, [SEP > 0.0, SEP < -1.0],
                                                                                      [V, W])), (V,), 0),
    ("s2s.runtime.select_adjoint_default", lambda g: rt.select_adjoint_default(g, [SEP > 0.0, SEP < -1.0], W), (V,), 0),
    ("s2s.runtime.interp_adjoint_x", lambda g, fp: rt.interp_adjoint_x(g, SEP, XP, fp), (V, W), (0, 1)),
    ("s2s.runtime.interp_adjoint_fp", lambda g, x: rt.interp_adjoint_fp(g, x, XP, W), (V, SEP), (0, 1)),
    ("s2s.runtime.interp_adjoint_fp", lambda g, x: rt.interp_adjoint_fp(g, x, XP, W), (V, SEP * 2.0), (0, 1)),
    # ------------------------------------------------------------ runtime helpers of reductions
    ("s2s.runtime.ptp_adjoint", lambda g: rt.ptp_adjoint(g, M34, axis=1), (V3,), 0),
    ("s2s.runtime.ptp_adjoint", lambda g: rt.ptp_adjoint(g, V), (1.3,), 0),
    ("s2s.runtime.ptp_tangent", lambda d: rt.ptp_tangent(d * d, M34, axis=1), (M34,), 0),
    ("s2s.runtime.var_adjoint", lambda g, x: rt.var_adjoint(g, x, axis=1, ddof=1), (V3, M34), (0, 1)),
    ("s2s.runtime.var_adjoint", lambda g, x: rt.var_adjoint(g, x), (1.3, M23), (0, 1)),
    ("s2s.runtime.trapezoid_adjoint_y", lambda g: rt.trapezoid_adjoint_y(g, M34, dx=0.5), (V3,), 0),
    ("s2s.runtime.trapezoid_adjoint_y", lambda g: rt.trapezoid_adjoint_y(g, M34, x=SEP, axis=1), (V3,), 0),
    ("s2s.runtime.trapezoid_adjoint_y", lambda g, x: rt.trapezoid_adjoint_y(g, M34, x), (V3, SEP), (0, 1)),
    ("s2s.runtime.trapezoid_adjoint_y", lambda g, dx: rt.trapezoid_adjoint_y(g, M34, None, dx), (V3, 0.7), (0, 1)),
    # np.trapezoid's adjoint in its spacing dx=, linear in g and y; np.pad's in its constant_values=, linear in g
    ("s2s.runtime.trapezoid_adjoint_dx", lambda g, y: rt.trapezoid_adjoint_dx(g, y, 0.5), (1.3, V), (0, 1)),
    ("s2s.runtime.trapezoid_adjoint_dx", lambda g, y: rt.trapezoid_adjoint_dx(g, y, 0.5, axis=0), (V, M34), (0, 1)),
    ("s2s.runtime.pad_adjoint_values", lambda g: rt.pad_adjoint_values(g, V3, 2, 0.0), (np.linspace(-1.0, 1.0, 7),), 0),
    ("s2s.runtime.pad_adjoint_values", lambda g: rt.pad_adjoint_values(g, M23, ((1, 0), (1, 2)), np.ones((2, 2))),
     (np.linspace(-1.0, 1.0, 18).reshape(3, 6),), 0),
    ("s2s.runtime.trapezoid_adjoint_y", lambda g, x: rt.trapezoid_adjoint_y(g, V, x), (1.3, SEP), (0, 1)),
    ("s2s.runtime.trapezoid_adjoint_x", lambda g, y: rt.trapezoid_adjoint_x(g, y, SEP), (1.3, V), (0, 1)),
    ("s2s.runtime.trapezoid_adjoint_x", lambda g, y: rt.trapezoid_adjoint_x(g, y, SEP), (V3, M34), (0, 1)),
    # ------------------------------------------------------------ runtime helpers of products
    ("s2s.runtime.cross_adjoint_a", lambda g, b: rt.cross_adjoint_a(g, V3, b), (W[:3], V[1:]), (0, 1)),
    ("s2s.runtime.cross_adjoint_a", lambda g, b: rt.cross_adjoint_a(g, V[:2], b), (1.3, W[:2]), (0, 1)),
    ("s2s.runtime.cross_adjoint_b", lambda g, a: rt.cross_adjoint_b(g, a, V3), (W[:3], V[1:]), (0, 1)),
    ("s2s.runtime.cross_adjoint_b", lambda g, a: rt.cross_adjoint_b(g, a, V[:2]), (1.3, W[:2]), (0, 1)),
    # rt.cross_product (the tangents of np.cross): one vector, a vector against rows (the matrix-product path,
    # both ways round), rows against rows, 2-vectors
    ("s2s.runtime.cross_product", lambda a, b: rt.cross_product(a, b), (V3, W[1:]), (0, 1)),
    ("s2s.runtime.cross_product", lambda a, b: rt.cross_product(a, b), (M34.T, W[1:]), (0, 1)),
    ("s2s.runtime.cross_product", lambda a, b: rt.cross_product(a, b), (V3, M34.T), (0, 1)),
    ("s2s.runtime.cross_product", lambda a, b: rt.cross_product(a, b), (M34.T, M34.T[::-1] + 0.5), (0, 1)),
    ("s2s.runtime.cross_product", lambda a, b: rt.cross_product(a, b), (V[:2], W[:2]), (0, 1)),
    ("s2s.runtime.kron_adjoint_a", lambda g, b: rt.kron_adjoint_a(g, M23, b), (K66, M32), (0, 1)),
    ("s2s.runtime.kron_adjoint_b", lambda g, a: rt.kron_adjoint_b(g, a, M32), (K66, M23), (0, 1)),
    ("s2s.runtime.inner_adjoint_a", lambda g, b: rt.inner_adjoint_a(g, M34, b), (M32, M24), (0, 1)),
    ("s2s.runtime.inner_adjoint_b", lambda g, a: rt.inner_adjoint_b(g, a, M24), (M32, M34), (0, 1)),
    ("s2s.runtime.tensordot_adjoint_a", lambda g, b: rt.tensordot_adjoint_a(g, T324, b), (V3, M24), (0, 1)),
    ("s2s.runtime.tensordot_adjoint_a", lambda g, b: rt.tensordot_adjoint_a(g, M23, b, axes=1), (M24, M34), (0, 1)),
    ("s2s.runtime.tensordot_adjoint_b", lambda g, a: rt.tensordot_adjoint_b(g, a, M24), (V3, T324), (0, 1)),
    ("s2s.runtime.convolve_adjoint_a", lambda g, v: rt.convolve_adjoint_a(g, V, v), (G6, W[:3]), (0, 1)),
    ("s2s.runtime.convolve_adjoint_a", lambda g, v: rt.convolve_adjoint_a(g, V, v, "same"), (W, V3), (0, 1)),
    ("s2s.runtime.convolve_adjoint_b", lambda g, a: rt.convolve_adjoint_b(g, a, W[:3]), (G6, V), (0, 1)),
    ("s2s.runtime.correlate_adjoint_a", lambda g, v: rt.correlate_adjoint_a(g, V, v), (V[:2], W[:3]), (0, 1)),
    ("s2s.runtime.correlate_adjoint_b", lambda g, a: rt.correlate_adjoint_b(g, a, W[:3]), (V[:2], V), (0, 1)),
    ("s2s.runtime.correlate_adjoint_b", lambda g, a: rt.correlate_adjoint_b(g, a, W[:3], "full"), (G6, V), (0, 1)),
    ("s2s.runtime.einsum_adjoint", lambda g, b: rt.einsum_adjoint(g, "ij,jk->ik", 0, M23, b), (M24, M34), (0, 1)),
    ("s2s.runtime.einsum_adjoint", lambda g, a: rt.einsum_adjoint(g, "ij,jk->ik", 0, a, M34), (M24, M23), (0, 1)),
    ("s2s.runtime.einsum_adjoint", lambda g, b: rt.einsum_adjoint(g, "ii,i->", 0, SPD, b), (1.3, V3), (0, 1)),
    ("s2s.runtime.einsum_argument_adjoint",  # (np.einsum's sublist form: operand 0 at position 0, 1 at 2)
     lambda g, b: rt.einsum_argument_adjoint(g, 0, M23, [0, 1], b, [1, 2], [0, 2]), (M24, M34), (0, 1)),
    ("s2s.runtime.einsum_argument_adjoint",
     lambda g, a: rt.einsum_argument_adjoint(g, 2, a, [0, 1], M34, [1, 2], [0, 2]), (M24, M23), (0, 1)),
    # ------------------------------------------------------------ runtime helpers of linear algebra
    ("s2s.runtime.solve_adjoint_b", lambda g, a: rt.solve_adjoint_b(g, a, V3), (W[:3], SPD), (0, 1)),
    ("s2s.runtime.solve_adjoint_b", lambda g, a: rt.solve_adjoint_b(g, a, M32), (M32 * 0.5, SPD), (0, 1)),
    ("s2s.runtime.solve_adjoint_a", lambda g, a: rt.solve_adjoint_a(g, V3, a, V3), (W[:3], SPD), (0, 1)),
    ("s2s.runtime.solve_adjoint_a", lambda x, a: rt.solve_adjoint_a(W[:3], x, a, V3), (V3, SPD), (0, 1)),
    ("s2s.runtime.solve_adjoint_a", lambda g, x: rt.solve_adjoint_a(g, x, SPD, M32), (M32, M32 * 0.7), (0, 1)),
    ("s2s.runtime.solve_adjoint_a", lambda g, a: rt.solve_adjoint_a(g, M32, a, M32), (-M32, SPD), (0, 1)),
    ("s2s.runtime.det_adjoint", lambda g, a: rt.det_adjoint(g, 1.7, a), (1.3, SPD), (0, 1)),
    ("s2s.runtime.det_adjoint", lambda g, det: rt.det_adjoint(g, det, SPD), (1.3, 0.8), (0, 1)),
    ("s2s.runtime.slogdet_adjoint", lambda g, a: rt.slogdet_adjoint([0.0, g], a), (1.3, SPD), (0, 1)),
    # np.histogram's helpers (runtime/histograms.py): linear in their first argument
    ("s2s.runtime.histogram_gather", lambda g: rt.histogram_gather(g, SEP, np.linspace(-2.0, 2.0, 4), SEP), (V[:3],), 0),
    ("s2s.runtime.histogram_scatter", lambda v: rt.histogram_scatter(v, SEP, np.linspace(-1.0, 2.0, 3)), (V,), 0),
    ("s2s.runtime.histogram_ends_adjoint", lambda g: rt.histogram_ends_adjoint(g, SEP, np.linspace(-1.5, 1.2, 4)),
     (V,), 0),
    ("s2s.runtime.histogram_ends_tangent", lambda d: rt.histogram_ends_tangent(d, SEP, np.linspace(-1.5, 1.2, 5)),
     (V,), 0),
    ("s2s.runtime.histogram2d_gather", lambda g: rt.histogram2d_gather(g, SEP, SEP[::-1], np.linspace(-2.0, 2.0, 3),
                                                                       np.linspace(-2.0, 2.0, 4), SEP), (M23,), 0),
    ("s2s.runtime.histogram2d_scatter", lambda v: rt.histogram2d_scatter(v, SEP, SEP[::-1], np.linspace(-2.0, 2.0, 3),
                                                                         np.linspace(-2.0, 2.0, 4)), (V,), 0),
    ("s2s.runtime.histogramdd_gather", lambda g: rt.histogramdd_gather(g, np.stack([SEP, SEP[::-1]], 1), [
        np.linspace(-2.0, 2.0, 3), np.linspace(-2.0, 2.0, 4)], SEP), (M23,), 0),
    ("s2s.runtime.histogramdd_scatter", lambda v: rt.histogramdd_scatter(v, [SEP, SEP[::-1]], [
        np.linspace(-2.0, 2.0, 3), np.linspace(-2.0, 2.0, 4)]), (V,), 0),
    ("s2s.runtime.histogramdd_ends_adjoint", lambda g: rt.histogramdd_ends_adjoint(
        [g, 0.0], np.stack([SEP, SEP[::-1]], 1), [np.linspace(-1.5, 1.2, 4), np.linspace(-1.5, 1.2, 3)]), (V,), 0),
    ("s2s.runtime.histogramdd_ends_tangent", lambda d: rt.histogramdd_ends_tangent(
        d, np.stack([SEP, SEP[::-1]], 1), [np.linspace(-1.5, 1.2, 4), np.linspace(-1.5, 1.2, 3)], (3, 2))[1],
     (M23.T.reshape(3, 2)[:2].repeat(2, 0),), 0),
    ("s2s.runtime.sinc_derivative", lambda x: rt.sinc_derivative(x), (SEP,), 0),
    ("s2s.runtime.sinc_derivative", lambda x: rt.sinc_derivative(x), (np.array([0.05, -0.2]),), 0),
    ("s2s.runtime.sinc_derivative", lambda x: rt.sinc_derivative(x, 2), (np.array([0.05, -0.2, 0.5, -1.3]),), 0),
    # ------------------------------------------------------------ second derivatives of reductions and factorisations
    ("s2s.runtime.cumprod_adjoint", lambda g, ans: rt.cumprod_adjoint(g, ans, P), (V, W), (0, 1)),
    ("s2s.runtime.cumprod_adjoint", lambda g, x: rt.cumprod_adjoint(g, W, x), (V, P), (0, 1)),
    ("s2s.runtime.cumprod_adjoint", lambda g, x: rt.cumprod_adjoint(g, M23, x, axis=1), (-M23, np.abs(M23) + 0.5), (0, 1)),
    ("s2s.runtime.cumprod_adjoint", lambda g, x: rt.cumprod_adjoint(g, np.ravel(M23), x), (np.ravel(-M23), np.abs(M23) + 0.5),
     (0, 1)),
    ("s2s.runtime.prod_adjoint", lambda g, x: rt.prod_adjoint(g, x), (1.3, V), (0, 1)),
    ("s2s.runtime.prod_adjoint", lambda g, x: rt.prod_adjoint(g, x), (1.3, np.array([0.5, 0.0, -1.2, 2.0])), (0, 1)),
    ("s2s.runtime.prod_adjoint", lambda g, x: rt.prod_adjoint(g, x, axis=0, keepdims=True), (M34[:1], M34), (0, 1)),
    # its second and third derivatives (a zero entry: exact there)
    ("s2s.runtime.prod_adjoint_tangent_x", lambda d, x: rt.prod_adjoint_tangent_x(d, 1.3, x), (W, V), (0, 1)),
    ("s2s.runtime.prod_adjoint_tangent_x", lambda d, g: rt.prod_adjoint_tangent_x(d, g, V), (W, 1.3), (0, 1)),
    ("s2s.runtime.prod_adjoint_tangent_x", lambda d, x: rt.prod_adjoint_tangent_x(d, V3, x, axis=1),
     (M34 * 0.5, np.where(np.arange(12).reshape(3, 4) == 6, 0.0, M34)), (0, 1)),
    ("s2s.runtime.prod_adjoint_adjoint_x", lambda G, x: rt.prod_adjoint_adjoint_x(G, M34[:1], x, axis=0, keepdims=True),
     (M34, M34 + 0.5), (0, 1)),
    ("s2s.runtime.prod_adjoint_adjoint_x", lambda G, g: rt.prod_adjoint_adjoint_x(G, g, M34, axis=0, keepdims=True),
     (M34, M34[:1]), (0, 1)),
    ("s2s.runtime.prod_adjoint_adjoint_x", lambda G, g: rt.prod_adjoint_adjoint_x(G, g, M34, axis=1), (M34, V3), (0, 1)),
    ("s2s.runtime.cholesky_adjoint", lambda g, L: rt.cholesky_adjoint(g, L), (M34[:, :3], np.linalg.cholesky(SPD)), (0, 1)),
    ("s2s.runtime.eigvalsh_adjoint", lambda g, a: rt.eigvalsh_adjoint(g, a), (V3, SPD), (0, 1)),
    ("s2s.runtime.eigvalsh_adjoint", lambda g, a: rt.eigvalsh_adjoint(g, a, "U"), (V3, SPD + 0.1 * M34[:, :3]), (0, 1)),
    ("s2s.runtime.matrix_power_adjoint", lambda g, a: rt.matrix_power_adjoint(g, a, 3), (M34[:, :3], 0.5 * SPD), (0, 1)),
    ("s2s.runtime.matrix_power_adjoint", lambda g, a: rt.matrix_power_adjoint(g, a, 1), (M34[:, :3], M34[:, 1:]), (0, 1)),
    ("s2s.runtime.norm_adjoint", lambda g, x: rt.norm_adjoint(g, 2.1, x), (1.3, V), (0, 1)),
    ("s2s.runtime.norm_adjoint", lambda ans, x: rt.norm_adjoint(V3, ans, x, axis=1), (P[:3], M34), (0, 1)),
    ("s2s.runtime.norm_adjoint", lambda g, x: rt.norm_adjoint(g, 2.0, x, 3), (1.3, V), (0, 1)),
    ("s2s.runtime.norm_adjoint", lambda ans, x: rt.norm_adjoint(1.3, ans, x, 3), (2.0, V), (0, 1)),
    ("s2s.runtime.norm_adjoint", lambda g, x: rt.norm_adjoint(g, 2.0, x, 1), (1.3, V), (0, 1)),
    ("s2s.runtime.norm_adjoint", lambda g, x: rt.norm_adjoint(g, 2.5, x, "fro"), (1.3, M23), (0, 1)),
    ("s2s.runtime.norm_adjoint", lambda g, ans: rt.norm_adjoint(g, ans, M34, axis=0, keepdims=True), (M34[:1], P[None, :]),
     (0, 1)),
    ("s2s.runtime.vector_norm_adjoint", lambda g, x: rt.vector_norm_adjoint(g, 1.7, x, ord=1.5), (1.3, P), (0, 1)),
    ("s2s.runtime.vector_norm_adjoint", lambda ans, x: rt.vector_norm_adjoint(V3, ans, x, axis=1), (P[:3], M34), (0, 1)),
    ("s2s.runtime.matrix_norm_adjoint", lambda g, x: rt.matrix_norm_adjoint(g, 2.5, x), (1.3, M23), (0, 1)),
    ("s2s.runtime.matrix_norm_adjoint", lambda ans, x: rt.matrix_norm_adjoint(0.7, ans, x), (2.0, M23), (0, 1)),
    ("s2s.runtime.matrix_norm_adjoint", lambda g, x: rt.matrix_norm_adjoint(g, np.abs(M23).sum(axis=0).max(), x, ord=1), (1.3, M23),
     0),  # (in x: ties of the column sums change under finite differences)
    ("s2s.runtime.eigh_adjoint", lambda gw, w: rt.eigh_adjoint([gw, M34[:, :3]], w, EV), (V3, EW), (0, 1)),
    ("s2s.runtime.eigh_adjoint", lambda gv, v: rt.eigh_adjoint([V3, gv], EW, v), (M34[:, 1:], EV), (0, 1)),
    ("s2s.runtime.eigh_adjoint", lambda gv, v: rt.eigh_adjoint([V3, gv], EW, v, "U"), (M34[:, 1:], EV), (0, 1)),
    ("s2s.runtime.invertible", lambda a: rt.invertible(a, "np.linalg.det"), (SPD,), 0),
    ("s2s.runtime.lower_symmetric", lambda a: rt.lower_symmetric(a), (M34[:, :3],), 0),
    ("s2s.runtime.lower_symmetric_adjoint", lambda g: rt.lower_symmetric_adjoint(g), (M34[:, :3],), 0),
    ("s2s.runtime.svdvals_adjoint", lambda g, a: rt.svdvals_adjoint(g, a), (V[:2], M23), (0, 1)),
    ("s2s.runtime.svdvals_adjoint", lambda g, a: rt.svdvals_adjoint(g, a), (W[:2], M32), (0, 1)),
    ("s2s.runtime.svdvals_adjoint", lambda g, a: rt.svdvals_adjoint(g, a), (V3, SPD + 0.2 * M34[:, :3]), (0, 1)),
    ("s2s.runtime.qr_adjoint", lambda gq, q: rt.qr_adjoint([gq, M34[:2, 1:3]], q, QR[1]), (M32, QR[0]), (0, 1)),
    ("s2s.runtime.qr_adjoint", lambda gr, r: rt.qr_adjoint([-M32, gr], QR[0], r), (M34[:2, :2], QR[1]), (0, 1)),
    ("s2s.runtime.qr_adjoint", lambda gq, r: rt.qr_adjoint([gq, SPD], np.eye(3), r), (M34[:, :3], SPD + np.eye(3)),
     (0, 1)),
    ("s2s.runtime.svd_adjoint", lambda gu, u: rt.svd_adjoint([gu, V[:2], M23], (u, SVD[1], SVD[2]), M23, False),
     (M23[:, :2], SVD[0]), (0, 1)),
    ("s2s.runtime.svd_adjoint", lambda gs, s: rt.svd_adjoint([M23[:, 1:], gs, M23], (SVD[0], s, SVD[2]), M23, False),
     (W[:2], SVD[1]), (0, 1)),
    ("s2s.runtime.svd_adjoint", lambda gvh, vh: rt.svd_adjoint([M23[:, 1:], V[:2], gvh], (SVD[0], SVD[1], vh), M23,
                                                                False), (-M23, SVD[2]), (0, 1)),
    ("s2s.runtime.svd_adjoint", lambda gvh, vh: rt.svd_adjoint([M32, V[:2], gvh], (SVDT[0], SVDT[1], vh), M32, False),
     (M23[:, 1:], SVDT[2]), (0, 1)),
    ("s2s.runtime.svd_adjoint", lambda gs, u: rt.svd_adjoint([np.hstack([M32, 0.0 * V3[:, None]]), gs, M23[:, 1:]],
                                                              (u, SVDF[1], SVDF[2]), M32), (V[:2], SVDF[0]), (0, 1)),
    ("s2s.runtime.multi_dot_adjoint", lambda g, a: np.stack(rt.multi_dot_adjoint(g, [a, SPD, 2.0 * a])),
     (M34[:, :3], SPD + 0.1), (0, 1)),
]
CASES += [
    # ------------------------------------------------------------ math and builtins beyond the core set
    ("math.erf", lambda x: math.erf(x), (0.7,), 0),
    ("math.erfc", lambda x: math.erfc(x), (-0.4,), 0),
    ("math.fsum", lambda x, y: math.fsum([x, y * 2.0, x * y]), (0.7, -1.3), (0, 1)),
    ("math.fsum", lambda x: math.fsum(x * x), (V,), 0),
    ("math.prod", lambda x, y: math.prod([x, y, 1.5]), (0.7, -1.3), (0, 1)),
    ("math.prod", lambda x: math.prod(x), (V,), 0),
    ("math.dist", lambda x, y: math.dist((x, y), (0.5, -0.3)), (0.7, -1.3), (0, 1)),
    ("math.dist", lambda p, q: math.dist(p, q), (V, W), (0, 1)),
    ("builtins.pow", lambda x, y: pow(x, y), (1.7, 0.6), (0, 1)),
]
X5 = np.array([0.3, -0.7, 1.2, 0.4, 2.0])
XC5 = np.array([0.0, 0.4, 1.1, 1.5, 2.3])  # increasing coordinates, unevenly spaced
CASES += [
    # ------------------------------------------------------------ differences, polynomials, grids, floats
    ("numpy.ediff1d", lambda x: np.ediff1d(x), (M23,), 0),
    ("numpy.ediff1d", lambda x, e, b: np.ediff1d(x, to_end=e, to_begin=b), (V, W[:2], 0.7), (0, 1, 2)),
    ("numpy.polyval", lambda p, x: np.polyval(p, x), (V, M23), (0, 1)),
    ("numpy.polyder", lambda p: np.polyder(p), (V,), 0),
    ("numpy.polyder", lambda p: np.polyder(p, 2), (V,), 0),
    ("numpy.polyder", lambda p: np.polyder(p, m=0), (V,), 0),
    ("numpy.vander", lambda x: np.vander(x), (V3,), 0),
    ("numpy.vander", lambda x: np.vander(x, 4, increasing=True), (V3,), 0),
    ("numpy.meshgrid", lambda x, y: np.meshgrid(x, y), (V3, W[:2]), (0, 1)),
    ("numpy.meshgrid", lambda x, y: np.meshgrid(x, y, indexing="ij", sparse=True), (V3, W[:2]), (0, 1)),
    ("numpy.gradient", lambda f: np.gradient(f, 0.5), (X5,), 0),
    ("numpy.gradient", lambda f: np.gradient(f, 2.0, XP, edge_order=2), (M34,), 0),
    ("numpy.gradient", lambda h: np.gradient(X5, h, edge_order=2), (0.5,), 0),  # (in its spacing: linear in 1 / h)
    ("numpy.gradient", lambda h: np.gradient(M34, h, axis=1), (np.array(0.7),), 0),
    ("numpy.nanprod", lambda x: np.nanprod(x, axis=0), (np.where(M23 > 1.0, np.nan, M23),), 0),
    ("numpy.ldexp", lambda x: np.ldexp(x, np.array([1, -2, 3, 0])), (V,), 0),
    ("numpy.modf", lambda x: np.modf(x * 3.0), (V,), 0),
    ("numpy.frexp", lambda x: np.frexp(x), (V,), 0),
    # (their runtime helpers: the second derivatives)
    ("s2s.runtime.vander_slope", lambda x: rt.vander_slope(x), (V3,), 0),
    ("s2s.runtime.vander_slope", lambda x: rt.vander_slope(x, N=4, increasing=True, order=2), (V3,), 0),
    ("s2s.runtime.polyder_adjoint", lambda g: rt.polyder_adjoint(g, V), (V3,), 0),
    ("s2s.runtime.polyder_adjoint", lambda g: rt.polyder_adjoint(g, V, 2), (V[:2],), 0),
    ("numpy.polyadd", lambda a, b: np.polyadd(a, b), (V, V3[:2]), (0, 1)),
    ("numpy.polysub", lambda a, b: np.polysub(a, b), (0.7, V3), (0, 1)),
    ("numpy.polymul", lambda a, b: np.polymul(a, b), (V, V3), (0, 1)),
    ("numpy.polyint", lambda p, k: np.polyint(p, 2, k=k), (V3, W[:2]), (0, 1)),
    ("s2s.runtime.polyadd_adjoint", lambda g: rt.polyadd_adjoint(g, V3[:2]), (V,), 0),
    ("s2s.runtime.polyadd_adjoint", lambda g: rt.polyadd_adjoint(g, 0.7), (V,), 0),
    ("s2s.runtime.polymul_untrimmed", lambda g: rt.polymul_untrimmed(g, V, V3), (V,), 0),
    ("s2s.runtime.polyint_adjoint", lambda g: rt.polyint_adjoint(g, V3, 2), (V[:4].repeat(2)[:5],), 0),
    ("s2s.runtime.polyint_adjoint_k", lambda g: rt.polyint_adjoint_k(g, V3, 2, W[:2]), (V[:4].repeat(2)[:5],), 0),
    ("s2s.runtime.polyint_adjoint_k", lambda g: rt.polyint_adjoint_k(g, V3, 3, 0.5), (V[:4].repeat(2)[:6],), 0),
    ("s2s.runtime.gradient_adjoint", lambda g: rt.gradient_adjoint(g, X5, 0.5), (W[:1].repeat(5) * X5,), 0),
    ("s2s.runtime.gradient_adjoint", lambda g: rt.gradient_adjoint(g, M23, axis=1, edge_order=2), (M23,), 0),
    ("s2s.runtime.gradient_adjoint", lambda g, h: rt.gradient_adjoint(g, X5, h), (X5 * 2.0, 0.5), (0, 1)),
    # (np.gradient in its coordinates, NumPy's non-uniform differences, and the spacing helpers' derivatives)
    ("numpy.gradient", lambda x: np.gradient(X5, x), (XC5,), 0),
    ("numpy.gradient", lambda f, x: np.gradient(f * x, x, edge_order=2), (X5, XC5), (0, 1)),
    ("numpy.gradient", lambda x, h: np.gradient(M34, x, h, edge_order=2), (XP[:3], 0.7), (0, 1)),
    ("numpy.gradient", lambda x: np.gradient(M34, XP, axis=-1), (XP,), 0),
    ("s2s.runtime.gradient_adjoint", lambda g, x: rt.gradient_adjoint(g, X5, x, edge_order=2), (X5, XC5), (0, 1)),
    ("s2s.runtime.gradient_spacing_tangent", lambda d, x: rt.gradient_spacing_tangent(d, None, X5, 0, x),
     (W[:1].repeat(5) * X5, XC5), (0, 1)),
    ("s2s.runtime.gradient_spacing_tangent", lambda d, f: rt.gradient_spacing_tangent(d, None, f, 0, XC5),
     (X5, X5 ** 2), (0, 1)),
    ("s2s.runtime.gradient_spacing_tangent", lambda d, u: rt.gradient_spacing_tangent(d, u, X5, 0, XC5, edge_order=2),
     (X5, XC5 * 0.5), (0, 1)),
    ("s2s.runtime.gradient_spacing_tangent", lambda d, h: rt.gradient_spacing_tangent(d, None, M34, 0, h),
     (0.3, 0.7), (0, 1)),
    ("s2s.runtime.gradient_spacing_adjoint", lambda g, x: rt.gradient_spacing_adjoint(g, None, M34, 0, x, axis=1),
     (M34, XP), (0, 1)),
    ("s2s.runtime.gradient_spacing_adjoint", lambda u, f: rt.gradient_spacing_adjoint(X5, u, f, 0, XC5),
     (X5 * 0.3, X5 ** 2), (0, 1)),
    ("s2s.runtime.gradient_spacing_adjoint", lambda g, h: rt.gradient_spacing_adjoint(g, None, X5, 0, h, edge_order=2),
     (X5, 0.6), (0, 1)),
    ("s2s.runtime.gradient_spacing_transpose", lambda g, x: rt.gradient_spacing_transpose(g, X5 * 0.3, None, X5, 0, x),
     (X5, XC5), (0, 1)),
    ("s2s.runtime.gradient_spacing_transpose", lambda d, u: rt.gradient_spacing_transpose(X5, d, u, X5, 0, XC5),
     (X5 * 0.3, XC5 * 0.1), (0, 1)),
    ("s2s.runtime.results_added", lambda a, b: rt.results_added(a, b * a), (X5, XC5), (0, 1)),
    ("s2s.runtime.draw_exp", lambda x: rt.draw_exp(x), (X5,), 0),  # (C's exp of a lognormal draw)
]
S12 = np.array([0.3, -0.7, 1.2, 0.4, 2.0, -1.1, 0.8, 1.7, -0.2, 0.05, 1.4, -0.45]).reshape(3, 4)  # distinct
S12NAN = np.where(S12 > 1.5, np.nan, S12)
CASES += [
    # ------------------------------------------------------------ quantiles (method='linear') and medians
    ("numpy.median", lambda x: np.median(x), (S12,), 0),
    ("numpy.median", lambda x: np.median(x, axis=1, keepdims=True), (S12,), 0),
    ("numpy.nanmedian", lambda x: np.nanmedian(x, axis=0), (S12NAN,), 0),
    ("numpy.quantile", lambda x: np.quantile(x, [0.1, 0.5, 0.95], axis=1), (S12,), 0),
    ("numpy.percentile", lambda x: np.percentile(x, 30, axis=0), (S12,), 0),
    ("numpy.nanquantile", lambda x: np.nanquantile(x, 0.25), (S12NAN,), 0),
    ("numpy.nanpercentile", lambda x: np.nanpercentile(x, [20, 80], axis=1, keepdims=True), (S12NAN,), 0),
    ("s2s.runtime.quantile_adjoint", lambda g: rt.quantile_adjoint(g, S12, np.array([0.1, 0.5, 0.95]), axis=1),
     (M34[:, :3].T,), 0),
    ("s2s.runtime.quantile_adjoint", lambda g: rt.quantile_adjoint(g, S12NAN, 0.4, ignore_nan=True), (1.3,), 0),
    ("s2s.runtime.quantile_tangent", lambda d: rt.quantile_tangent(d, S12, 0.3, axis=0, keepdims=True), (M34,), 0),
    # (in q: away from the kinks where q (n - 1) is an integer; n = 12, 4 or 3, and 10 or 2 and 4 not nan)
    ("numpy.quantile", lambda x, q: np.quantile(x, q, axis=1), (S12, np.array([0.3, 0.55, 0.8])), (0, 1)),
    ("numpy.quantile", lambda q: np.quantile(S12, q), (0.3,), 0),
    ("numpy.percentile", lambda x, q: np.percentile(x, q, axis=0, keepdims=True), (S12, 30.0), (0, 1)),
    ("numpy.nanquantile", lambda q: np.nanquantile(S12NAN, q, axis=1), (np.array([0.3, 0.8]),), 0),
    ("numpy.nanpercentile", lambda x, q: np.nanpercentile(x, q), (S12NAN, 55.0), (0, 1)),
    ("s2s.runtime.quantile_adjoint", lambda g, q: rt.quantile_adjoint(g, S12, q, axis=1),
     (M34[:2, :3], np.array([0.3, 0.8])), (0, 1)),
    ("s2s.runtime.quantile_tangent", lambda d, q: rt.quantile_tangent(d, S12, q, axis=0, keepdims=True), (M34, 0.3),
     (0, 1)),
    ("s2s.runtime.quantile_q_tangent", lambda s, v: rt.quantile_q_tangent(s, v, S12, np.array([0.3, 0.8]), axis=1),
     (np.array([0.7, -1.2]), M34), (0, 1)),
    ("s2s.runtime.quantile_q_adjoint", lambda g, v: rt.quantile_q_adjoint(g, v, S12, np.array([0.3, 0.8]), axis=1),
     (M34[:2, :3], M34), (0, 1)),
    ("s2s.runtime.quantile_slope_adjoint", lambda h, s: rt.quantile_slope_adjoint(h, s, S12NAN, 0.3, ignore_nan=True),
     (1.3, 0.6), (0, 1)),
]
CASES += [
    # ------------------------------------------------------------ pseudo-inverse and least squares (full rank)
    ("numpy.linalg.pinv", lambda a: np.linalg.pinv(a), (M32,), 0),
    ("numpy.linalg.pinv", lambda a: np.linalg.pinv(a), (M23,), 0),
    ("numpy.linalg.lstsq", lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0], (M34.T, V), (0, 1)),
    ("numpy.linalg.lstsq", lambda a, b: np.linalg.lstsq(a, b, rcond=None), (M34.T, V), (0, 1)),
    ("s2s.runtime.pinv_full_rank", lambda p: rt.pinv_full_rank(p, M32), (M23,), 0),
    ("s2s.runtime.lstsq_full_rank", lambda x: rt.lstsq_full_rank(x, 2, M32), (V[:2],), 0),
    ("s2s.runtime.lstsq_solution_adjoint", lambda g: rt.lstsq_solution_adjoint((g * g, np.zeros(1), 0, np.zeros(2))),
     (V[:2],), 0),
]
CASES += [
    # ------------------------------------------------------------ nan-ignoring moments, running sums and products
    ("numpy.nanvar", lambda x: np.nanvar(x, axis=1, ddof=1), (S12NAN,), 0),
    ("numpy.nanstd", lambda x: np.nanstd(x), (S12NAN,), 0),
    ("numpy.nancumsum", lambda x: np.nancumsum(x, axis=0), (S12NAN,), 0),
    ("numpy.nancumprod", lambda x: np.nancumprod(x), (S12NAN,), 0),
]
T233 = R.normal(size=(2, 3, 3))
CASES += [
    # ------------------------------------------------------------ NumPy 2: vecdot, matvec, vecmat, np.linalg's spellings
    ("numpy.vecdot", lambda a, b: np.vecdot(a, b), (M23, V3), (0, 1)),
    ("numpy.matvec", lambda m, v: np.matvec(m, v), (T233, V3), (0, 1)),
    ("numpy.vecmat", lambda v, m: np.vecmat(v, m), (V3, T233), (0, 1)),
    ("numpy.linalg.matmul", lambda a, b: np.linalg.matmul(a, b), (M23, M34), (0, 1)),
    ("numpy.linalg.tensordot", lambda a, b: np.linalg.tensordot(a, b, axes=1), (M23, M34), (0, 1)),
    ("numpy.linalg.vecdot", lambda a, b: np.linalg.vecdot(a, b, axis=0), (M23, M23 * 0.5), (0, 1)),
    ("numpy.linalg.cross", lambda a, b: np.linalg.cross(a, b), (V[:3], W[:3]), (0, 1)),
    ("numpy.linalg.outer", lambda a, b: np.linalg.outer(a, b), (V[:3], W), (0, 1)),
    ("numpy.linalg.matrix_transpose", lambda a: np.linalg.matrix_transpose(a), (T233,), 0),
    ("numpy.linalg.cross", lambda a, b: np.linalg.cross(a, b, axis=0), (M32, M32 * 0.5 + 1.0), (0, 1)),
    ("numpy.linalg.trace", lambda a: np.linalg.trace(a), (T233,), 0),
    ("numpy.linalg.diagonal", lambda a: np.linalg.diagonal(a, offset=1), (T233,), 0),
]
CASES += [
    # ------------------------------------------------------------ covariance
    ("numpy.cov", lambda m: np.cov(m), (M34,), 0),
    ("numpy.cov", lambda m: np.cov(m, rowvar=False, bias=True), (M34,), 0),
    ("s2s.runtime.cov_adjoint", lambda g, m: rt.cov_adjoint(g, m), (SPD, M34), (0, 1)),
    ("s2s.runtime.cov_adjoint", lambda g, m: rt.cov_adjoint(g, m, rowvar=False, ddof=2), (np.eye(4) + 0.1 * M34.T @ M34, M34),
     (0, 1)),
    # (constant weights: hunt12gfx F2)
    ("numpy.cov", lambda m: np.cov(m, aweights=np.array([0.5, 1.0, 2.0, 0.7])), (M34,), 0),
    ("numpy.cov", lambda m: np.cov(m, fweights=np.array([1, 2, 1, 3]), aweights=np.array([0.5, 1.0, 2.0, 0.7]),
                                   ddof=2), (M34,), 0),
    ("numpy.cov", lambda m: np.cov(m, rowvar=False, fweights=np.array([1, 3, 2])), (M34,), 0),
    ("s2s.runtime.cov_adjoint", lambda g, m: rt.cov_adjoint(g, m, aweights=np.array([0.5, 1.0, 2.0, 0.7])),
     (SPD, M34), (0, 1)),
    ("s2s.runtime.cov_adjoint", lambda g, m: rt.cov_adjoint(g, m, rowvar=False, fweights=np.array([1, 3, 2])),
     (np.eye(4) + 0.1 * M34.T @ M34, M34), (0, 1)),
    # (np.corrcoef: np.cov scaled, read so: hunt20stat)
    ("numpy.corrcoef", lambda m: np.corrcoef(m), (M34,), 0),
    ("numpy.corrcoef", lambda x, y: np.corrcoef(x, y, rowvar=False), (M34, M32[:, :1]), (0, 1)),
]
CASES += [
    # ------------------------------------------------------------ more shapes and selections
    ("numpy.diagflat", lambda v: np.diagflat(v, 1), (V3,), 0),
    ("numpy.asfortranarray", lambda x: np.asfortranarray(x), (M23,), 0),
    ("numpy.broadcast_arrays", lambda x, y: np.broadcast_arrays(x, y), (V3, M21), (0, 1)),
    ("numpy.compress", lambda x: np.compress([True, False, True], x, axis=1), (M23,), 0),
    ("numpy.extract", lambda x: np.extract(SEP > 0.0, x), (V,), 0),
]
RUNNING = np.array([[0.3, -0.2, 0.9, 0.9, 0.1], [1.2, 1.5, 0.4, 1.6, -0.3]])  # a tie in the first row
LSE, W34 = np.logaddexp.accumulate(M34, axis=1), np.cos(np.arange(12.0)).reshape(3, 4)  # (a running log-sum-exp; a g)
CASES += [
    # ------------------------------------------------------------ methods of ufuncs (rules/ufuncs.py)
    ("numpy.add.accumulate", lambda x: np.add.accumulate(x, axis=1), (M23,), 0),
    ("numpy.multiply.accumulate", lambda x: np.multiply.accumulate(x), (M23,), 0),
    ("numpy.logaddexp.reduce", lambda x: np.logaddexp.reduce(x, axis=1), (M34,), 0),
    ("numpy.logaddexp.reduce", lambda x: np.logaddexp.reduce(x, keepdims=True), (M34,), 0),
    ("numpy.add.reduceat", lambda x: np.add.reduceat(x, [0, 3, 1, 2], axis=1), (M34,), 0),
    ("s2s.runtime.reduceat_adjoint", lambda g: rt.reduceat_adjoint(g, M34, [0, 3, 1], axis=-1), (M34[:, :3] * 0.5,), 0),
    ("numpy.maximum.accumulate", lambda x: np.maximum.accumulate(x, axis=1), (M34,), 0),
    ("numpy.minimum.accumulate", lambda x: np.minimum.accumulate(x), (M34,), 0),
    # the running log-sum-exp, and its helpers: linear in their first argument, smooth in y and x (each used with the
    # y = np.logaddexp.accumulate(x) it belongs to, so that its derivatives in y and x are checked one at a time)
    ("numpy.logaddexp.accumulate", lambda x: np.logaddexp.accumulate(x, axis=1), (M34,), 0),
    ("numpy.logaddexp.accumulate", lambda x: np.logaddexp.accumulate(x), (V,), 0),
    ("s2s.runtime.running_logsumexp_tangent", lambda d: rt.running_logsumexp_tangent(d, LSE, M34, axis=1), (W34,), 0),
    ("s2s.runtime.running_logsumexp_tangent", lambda d, y: rt.running_logsumexp_tangent(d, y, M34, axis=1), (W34, LSE),
     (0, 1)),
    ("s2s.runtime.running_logsumexp_tangent", lambda d, x: rt.running_logsumexp_tangent(d, LSE, x, axis=1), (W34, M34),
     (0, 1)),
    ("s2s.runtime.running_logsumexp_adjoint", lambda g: rt.running_logsumexp_adjoint(g, LSE, M34, axis=1), (W34,), 0),
    ("s2s.runtime.running_logsumexp_adjoint", lambda g, y: rt.running_logsumexp_adjoint(g, y, M34, axis=1), (W34, LSE),
     (0, 1)),
    ("s2s.runtime.running_logsumexp_adjoint", lambda g, x: rt.running_logsumexp_adjoint(g, LSE, x, axis=1), (W34, M34),
     (0, 1)),
    # (their runtime helpers: linear in g, d; at a tie the derivative is shared, and the helpers are so too)
    ("s2s.runtime.running_extremum_adjoint",
     lambda g: rt.running_extremum_adjoint(g, np.maximum.accumulate(RUNNING, axis=1), RUNNING, axis=1), (RUNNING,), 0),
    ("s2s.runtime.running_extremum_tangent",
     lambda d: rt.running_extremum_tangent(d, np.minimum.accumulate(RUNNING), RUNNING), (RUNNING * 0.5,), 0),
    # np.add.at(y, index, v)'s element write y[index] = rt.added_at(y, *index, v): linear in y and v, repeats summed
    # y[1:] += v where y may hold integers: y[1:] = rt.augmented(y[1:], y[1:] + v, 'add'), the identity in the value
    ("s2s.runtime.augmented", lambda y, v: rt.augmented(y[1:], y[1:] + v, "add") * v, (V, W[1:]), (0, 1)),
    ("s2s.runtime.augmented", lambda v: rt.augmented(np.float32(1.0), v * v, "mul"), (V,), 0),
    ("s2s.runtime.added_at", lambda y, v: rt.added_at(y, np.array([0, 2, 2, 0]), v), (V, V), (0, 1)),
    ("s2s.runtime.added_at", lambda y, v: rt.added_at(y, np.array([1, 1, 0]), slice(None, 2), v), (M23, V[:2]),
     (0, 1)),
    ("s2s.runtime.added_at", lambda v: rt.added_at(M23, np.array([[0], [1]]), np.array([[2, 2]]), v), (V[0],), 0),
]
CASES += [
    # ------------------------------------------------------------ rules/breadth.py's transposes (linear in g; each
    # one's transpose is the NumPy function it serves)
    # (a part of the nested list each: tests/test_higher_order.py weighs the result by an array)
    ("s2s.runtime.block_adjoint", lambda g: rt.block_adjoint(g, [[M23, M21], [V[None, :3], V[None, 3:]]])[0][1], (M34,),
     0),
    ("s2s.runtime.block_adjoint", lambda g: rt.block_adjoint(g, [[M23, M21], [V[None, :3], V[None, 3:]]])[1][0], (M34,),
     0),
    ("s2s.runtime.block_parts", lambda a, b: rt.block_parts([[a, M21], [V[None, :3], b]]), (M23, V[None, 3:]),
     (0, 1)),
    ("s2s.runtime.choose_adjoint", lambda g: rt.choose_adjoint(g, np.array([0, 2, 1, 0]), [V, W, 0.5])[0], (P,), 0),
    ("s2s.runtime.choose_adjoint", lambda g: rt.choose_adjoint(g, np.array([0, 2, 1, 0]), [V, W, 0.5])[2], (P,), 0),
    ("s2s.runtime.insert_adjoint_arr", lambda g: rt.insert_adjoint_arr(g, M23, 1, V[:2], axis=1), (M34[:2, :],), 0),
    ("s2s.runtime.insert_adjoint_values", lambda g: rt.insert_adjoint_values(g, V, [1, 1, 3], W[:3]),
     (np.concatenate([V, W[:3]]),), 0),
    ("s2s.runtime.delete_adjoint", lambda g: rt.delete_adjoint(g, M34, [0, 2], axis=1), (M32,), 0),
    ("s2s.runtime.resize_adjoint", lambda g: rt.resize_adjoint(g, V[:3]), (M23.repeat(2, axis=0)[:3, :],), 0),
    ("s2s.runtime.square_matrix", lambda v: rt.square_matrix(v), (M34[:, :3].reshape(3, 3, 1),), 0),
    ("s2s.runtime.distinct_ends", lambda s: rt.distinct_ends(s), (np.array([3.0, 2.0, 0.5]),), 0),
]
CASES += [
    # np.i0's derivatives: rt.bessel_moment(x, k) = (1 / pi) int exp(x cos t) cos(t) ** k dt, whose derivative is k + 1
    ("s2s.runtime.bessel_moment", lambda x: rt.bessel_moment(x, 1), (V,), 0),
    ("s2s.runtime.bessel_moment", lambda x: rt.bessel_moment(x, 2), (M23,), 0),
]
CASES += [
    # np.cov(m, y)'s variables joined in rows (runtime/forms.py), and the part of them each came from
    ("s2s.runtime.cov_rows", lambda m, y: rt.cov_rows(m, y), (V, W), (0, 1)),
    ("s2s.runtime.cov_rows", lambda m, y: rt.cov_rows(m, y, False), (M34.T, M24.T), (0, 1)),
    ("s2s.runtime.cov_rows_part", lambda g: rt.cov_rows_part(g, V, M24), (M34,), 0),
    ("s2s.runtime.qr_wide", lambda a: rt.qr_wide(a), (M23,), 0),
    ("s2s.runtime.cov_rows_part", lambda g: rt.cov_rows_part(g, M34.T, M24.T, False, part=1),
     (np.linspace(-1.0, 1.0, 20).reshape(5, 4),), 0),
]
try:  # scipy.ndimage.gaussian_filter (an optional family: rules/scipy_ndimage.py) and its helpers, linear in x
    from scipy import ndimage
except ImportError:  # (scipy absent: no record, no case)
    ndimage = None
if ndimage is not None:
    CASES += [
        ("scipy.ndimage.gaussian_filter", lambda x: ndimage.gaussian_filter(x, 1.2), (M34,), 0),
        ("scipy.ndimage.gaussian_filter", lambda x: ndimage.gaussian_filter(x, (0.7, 1.5), mode="constant", cval=0.3),
         (M34,), 0),
        ("scipy.ndimage.gaussian_filter", lambda x: ndimage.gaussian_filter(x, 0.9, order=1, mode="wrap"), (V,), 0),
        ("s2s.runtime.gaussian_filter_tangent", lambda d: rt.gaussian_filter_tangent(d, M34, 1.1, mode="mirror"),
         (M34 * 0.5 + 0.2,), 0),
        ("s2s.runtime.gaussian_filter_adjoint", lambda g: rt.gaussian_filter_adjoint(g, M34, (1.3, 0.6), mode="nearest"),
         (M34 * 0.5 + 0.2,), 0),
    ]
