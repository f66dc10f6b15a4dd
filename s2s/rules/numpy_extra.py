"""More NumPy reverse rules: elementwise math, reductions with axis/keepdims, shape functions,
joining and splitting, products, selection, linear algebra, and functions without a derivative.

Same contract as `numpyrules`: one adjoint function per positional argument,
called as (g, ans, *args, **kwargs) with symbolic values; constants (axis,
shapes, subscripts) arrive as plain Python values. Rules emit plain NumPy where
the adjoint is short, and otherwise call a documented helper of
`s2s.runtime_numpy` (spelled `rt.name` in generated code).

Sequence arguments (`np.concatenate([a, b])`, `np.stack`, `np.select`) get a
list adjoint, one part per element, which the 'list'/'tuple' rules in `arith`
hand to the elements. Tuple results (`slogdet`, `eigh`, `qr`, `svd`, `split`)
receive the list of their parts' adjoints built by `rt.getitem_adjoint`.
"""
from __future__ import annotations

import math as _math

from s2s.rules.registry import defnondiff, defvjp
from s2s.rules.symbolic import Sym, np, rt

DEG = _math.pi / 180.0  # d(radians)/d(degrees)
MAX_OPERANDS = 26  # einsum operands with a rule (one adjoint function per positional argument)


def elementwise(key, *adjoints):
    defvjp(key, *adjoints, broadcast=True)


def _same(value, default) -> bool:
    return not isinstance(value, Sym) and type(value) is type(default) and value == default


def _opts(**pairs) -> dict:
    """The keyword arguments whose value differs from its default, given as name=(value, default),
    so that emitted calls only spell what the user spelled: `rt.prod_adjoint(g, x, axis=1)`."""
    return {k: v for k, (v, d) in pairs.items() if not _same(v, d)}


def _neg(v):
    """-v for a shift given as a number, a tuple of numbers or a runtime value."""
    if isinstance(v, tuple):
        return tuple(-s for s in v)
    return np.negative(v) if isinstance(v, Sym) else -v


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(f"no derivative rule for {what}")


def _no_rule(what: str):
    """The adjoint of an argument whose derivative is not implemented: an error when it is active, never a
    silent zero."""
    def adjoint(g, ans, *args, **kwargs):
        raise ValueError(f"no derivative rule for {what}; pass it as a constant or register one with s2s.adjoint")
    return adjoint


# ---------------------------------------------------------------- elementwise: arithmetic
elementwise("numpy.true_divide", lambda g, ans, x, y: g / y, lambda g, ans, x, y: -g * ans / y)
elementwise("numpy.float_power", lambda g, ans, x, y: g * y * np.float_power(x, y - 1),
            lambda g, ans, x, y: g * ans * np.log(x))
elementwise("numpy.positive", lambda g, ans, x: g)
elementwise("numpy.fabs", lambda g, ans, x: g * rt.sign(x))
elementwise("numpy.conjugate", lambda g, ans, x: np.conjugate(g))
elementwise("numpy.conj", lambda g, ans, x: np.conj(g))
elementwise("numpy.real", lambda g, ans, x: np.real(g))
elementwise("numpy.copysign", lambda g, ans, x, y: g * np.sign(x) * np.sign(ans), None)
elementwise("numpy.mod", lambda g, ans, x, y: g, lambda g, ans, x, y: -g * np.floor_divide(x, y))
elementwise("numpy.remainder", lambda g, ans, x, y: g, lambda g, ans, x, y: -g * np.floor_divide(x, y))
elementwise("numpy.fmod", lambda g, ans, x, y: g, lambda g, ans, x, y: -g * np.trunc(x / y))
elementwise("numpy.nan_to_num", lambda g, ans, x: g * np.isfinite(x))

# ---------------------------------------------------------------- elementwise: exponentials, logarithms, roots
elementwise("numpy.logaddexp", lambda g, ans, x, y: g * np.exp(x - ans), lambda g, ans, x, y: g * np.exp(y - ans))
elementwise("numpy.logaddexp2", lambda g, ans, x, y: g * np.exp2(x - ans), lambda g, ans, x, y: g * np.exp2(y - ans))
elementwise("numpy.cbrt", lambda g, ans, x: g / (3.0 * ans ** 2))

# ---------------------------------------------------------------- elementwise: trigonometric, hyperbolic, angles
elementwise("numpy.arcsinh", lambda g, ans, x: g / np.sqrt(x ** 2 + 1.0))
elementwise("numpy.arccosh", lambda g, ans, x: g / np.sqrt(x ** 2 - 1.0))
elementwise("numpy.arctanh", lambda g, ans, x: g / (1.0 - x ** 2))
elementwise("numpy.sinc", lambda g, ans, x: g * rt.sinc_derivative(x))
elementwise("numpy.deg2rad", lambda g, ans, x: g * DEG)
elementwise("numpy.radians", lambda g, ans, x: g * DEG)
elementwise("numpy.rad2deg", lambda g, ans, x: g / DEG)
elementwise("numpy.degrees", lambda g, ans, x: g / DEG)

# ---------------------------------------------------------------- elementwise: selection
elementwise("numpy.fmax", lambda g, ans, x, y: g * (x >= y), lambda g, ans, x, y: g * (x < y))
elementwise("numpy.fmin", lambda g, ans, x, y: g * (x <= y), lambda g, ans, x, y: g * (x > y))

# ---------------------------------------------------------------- reductions (axis, keepdims)
_extremum = lambda g, ans, x, axis=None, out=None, keepdims=False: \
    rt.extremum_adjoint(g, ans, x, **_opts(axis=(axis, None), keepdims=(keepdims, False)))  # noqa: E731
defvjp("numpy.max", _extremum)
defvjp("numpy.min", _extremum)
defvjp("numpy.amax", _extremum)
defvjp("numpy.amin", _extremum)
defvjp("numpy.nanmax", _extremum)
defvjp("numpy.nanmin", _extremum)
defvjp("numpy.prod", lambda g, ans, x, axis=None, dtype=None, out=None, keepdims=False:
       rt.prod_adjoint(g, x, **_opts(axis=(axis, None), keepdims=(keepdims, False))))
defvjp("numpy.var", lambda g, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False:
       rt.var_adjoint(g, x, **_opts(axis=(axis, None), ddof=(ddof, 0), keepdims=(keepdims, False))))
defvjp("numpy.std", lambda g, ans, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False:
       rt.var_adjoint(g / (2.0 * ans), x, **_opts(axis=(axis, None), ddof=(ddof, 0), keepdims=(keepdims, False))))
defvjp("numpy.cumsum", lambda g, ans, x, axis=None, dtype=None: rt.cumsum_adjoint(g, x, **_opts(axis=(axis, None))))
defvjp("numpy.cumprod", lambda g, ans, x, axis=None, dtype=None:
       rt.cumprod_adjoint(g, ans, x, **_opts(axis=(axis, None))))
defvjp("numpy.nansum", lambda g, ans, x, axis=None, dtype=None, out=None, keepdims=False:
       np.where(np.isnan(x), 0.0, rt.sum_adjoint(g, x, **_opts(axis=(axis, None), keepdims=(keepdims, False)))))
defvjp("numpy.nanmean", lambda g, ans, x, axis=None, dtype=None, out=None, keepdims=False:
       rt.nanmean_adjoint(g, x, **_opts(axis=(axis, None), keepdims=(keepdims, False))))
defvjp("numpy.average", lambda g, ans, x, axis=None, weights=None, returned=False, keepdims=False:
       rt.average_adjoint(g, x, **_opts(axis=(axis, None), weights=(weights, None), keepdims=(keepdims, False))))
defvjp("numpy.ptp", lambda g, ans, x, axis=None, out=None, keepdims=False:
       rt.ptp_adjoint(g, x, **_opts(axis=(axis, None), keepdims=(keepdims, False))))
defvjp("numpy.trapezoid", lambda g, ans, y, x=None, dx=1.0, axis=-1:
       rt.trapezoid_adjoint_y(g, y, **_opts(x=(x, None), dx=(dx, 1.0), axis=(axis, -1))),
       lambda g, ans, y, x=None, dx=1.0, axis=-1: rt.trapezoid_adjoint_x(g, y, x, **_opts(axis=(axis, -1))))
defvjp("numpy.diff", lambda g, ans, x, n=1, axis=-1: rt.diff_adjoint(g, **_opts(n=(n, 1), axis=(axis, -1))))
defvjp("numpy.linalg.norm", lambda g, ans, x, ord=None, axis=None, keepdims=False:
       g * rt.ratio_or_zero(x, ans) if ord is None and axis is None and keepdims is False else
       rt.norm_adjoint(g, ans, x, **_opts(ord=(ord, None), axis=(axis, None), keepdims=(keepdims, False))))
defvjp("numpy.linalg.vector_norm", lambda g, ans, x, axis=None, keepdims=False, ord=2:
       rt.vector_norm_adjoint(g, ans, x, **_opts(axis=(axis, None), keepdims=(keepdims, False), ord=(ord, 2))))
defvjp("numpy.linalg.matrix_norm", lambda g, ans, x, keepdims=False, ord="fro":
       rt.matrix_norm_adjoint(g, ans, x, **_opts(keepdims=(keepdims, False), ord=(ord, "fro"))))

# ---------------------------------------------------------------- shape
defvjp("numpy.squeeze", lambda g, ans, x, axis=None: np.reshape(g, np.shape(x)))
defvjp("numpy.expand_dims", lambda g, ans, x, axis: np.reshape(g, np.shape(x)))
defvjp("numpy.atleast_1d", lambda g, ans, x: np.reshape(g, np.shape(x)))
defvjp("numpy.atleast_2d", lambda g, ans, x: np.reshape(g, np.shape(x)))
defvjp("numpy.atleast_3d", lambda g, ans, x: np.reshape(g, np.shape(x)))
defvjp("numpy.swapaxes", lambda g, ans, x, axis1, axis2: np.swapaxes(g, axis1, axis2))
defvjp("numpy.moveaxis", lambda g, ans, x, source, destination: np.moveaxis(g, destination, source))
defvjp("numpy.matrix_transpose", lambda g, ans, x: np.matrix_transpose(g))
defvjp("numpy.broadcast_to", lambda g, ans, x, shape: rt.unbroadcast(g, x))
defvjp("numpy.tile", lambda g, ans, x, reps: rt.tile_adjoint(g, x, reps))
defvjp("numpy.repeat", lambda g, ans, x, repeats, axis=None:
       rt.repeat_adjoint(g, x, repeats, **_opts(axis=(axis, None))))
defvjp("numpy.flip", lambda g, ans, x, axis=None: np.flip(g, **_opts(axis=(axis, None))))
defvjp("numpy.fliplr", lambda g, ans, x: np.fliplr(g))
defvjp("numpy.flipud", lambda g, ans, x: np.flipud(g))
defvjp("numpy.rot90", lambda g, ans, x, k=1, axes=(0, 1): np.rot90(g, _neg(k), **_opts(axes=(axes, (0, 1)))))
defvjp("numpy.roll", lambda g, ans, x, shift, axis=None: np.roll(g, _neg(shift), **_opts(axis=(axis, None))))
defvjp("numpy.pad", lambda g, ans, x, pad_width, mode="constant", **options:
       rt.pad_adjoint(g, x, pad_width, **_opts(mode=(mode, "constant"))))
defvjp("numpy.copy", lambda g, ans, x, order="K": g)
defvjp("numpy.array", lambda g, ans, x, dtype=None, **_: rt.array_adjoint(g, x))
defvjp("numpy.asarray", lambda g, ans, x, dtype=None, **_: rt.array_adjoint(g, x))
defvjp("numpy.asanyarray", lambda g, ans, x, dtype=None, **_: rt.array_adjoint(g, x))
defvjp("numpy.ascontiguousarray", lambda g, ans, x, dtype=None, **_: rt.array_adjoint(g, x))

# ---------------------------------------------------------------- joining and splitting (a sequence: a list adjoint)
defvjp("numpy.concatenate", lambda g, ans, seq, axis=0, **_: rt.concatenate_adjoint(g, seq, **_opts(axis=(axis, 0))))
defvjp("numpy.stack", lambda g, ans, seq, axis=0, **_: rt.stack_adjoint(g, seq, **_opts(axis=(axis, 0))))
defvjp("numpy.hstack", lambda g, ans, seq, **_: rt.hstack_adjoint(g, seq))
defvjp("numpy.vstack", lambda g, ans, seq, **_: rt.vstack_adjoint(g, seq))
defvjp("numpy.dstack", lambda g, ans, seq: rt.dstack_adjoint(g, seq))
defvjp("numpy.column_stack", lambda g, ans, seq: rt.column_stack_adjoint(g, seq))
defvjp("numpy.append",
       lambda g, ans, arr, values, axis=None: rt.append_adjoint(g, arr, values, **_opts(axis=(axis, None)))[0],
       lambda g, ans, arr, values, axis=None: rt.append_adjoint(g, arr, values, **_opts(axis=(axis, None)))[1])
defvjp("numpy.split", lambda g, ans, x, indices_or_sections, axis=0: np.concatenate(g, **_opts(axis=(axis, 0))))
defvjp("numpy.array_split", lambda g, ans, x, indices_or_sections, axis=0: np.concatenate(g, **_opts(axis=(axis, 0))))
defvjp("numpy.hsplit", lambda g, ans, x, indices_or_sections: np.hstack(g))
defvjp("numpy.vsplit", lambda g, ans, x, indices_or_sections: np.vstack(g))
defvjp("numpy.dsplit", lambda g, ans, x, indices_or_sections: np.dstack(g))

# ---------------------------------------------------------------- products

defvjp("numpy.inner", lambda g, ans, a, b: rt.inner_adjoint_a(g, a, b),
       lambda g, ans, a, b: rt.inner_adjoint_b(g, a, b))
defvjp("numpy.vdot", lambda g, ans, a, b: np.reshape(g * np.ravel(b), np.shape(a)),
       lambda g, ans, a, b: np.reshape(g * np.ravel(a), np.shape(b)))
defvjp("numpy.tensordot", lambda g, ans, a, b, axes=2: rt.tensordot_adjoint_a(g, a, b, **_opts(axes=(axes, 2))),
       lambda g, ans, a, b, axes=2: rt.tensordot_adjoint_b(g, a, b, **_opts(axes=(axes, 2))))
defvjp("numpy.einsum", None, *(lambda g, ans, subscripts, *operands, i=i, **_:
                                rt.einsum_adjoint(g, subscripts, i, *operands) for i in range(MAX_OPERANDS)))
defvjp("numpy.kron", lambda g, ans, a, b: rt.kron_adjoint_a(g, a, b), lambda g, ans, a, b: rt.kron_adjoint_b(g, a, b))
defvjp("numpy.cross", lambda g, ans, a, b: rt.cross_adjoint_a(g, a, b),
       lambda g, ans, a, b: rt.cross_adjoint_b(g, a, b))
defvjp("numpy.convolve", lambda g, ans, a, v, mode="full": rt.convolve_adjoint_a(g, a, v, **_opts(mode=(mode, "full"))),
       lambda g, ans, a, v, mode="full": rt.convolve_adjoint_b(g, a, v, **_opts(mode=(mode, "full"))))
defvjp("numpy.correlate",
       lambda g, ans, a, v, mode="valid": rt.correlate_adjoint_a(g, a, v, **_opts(mode=(mode, "valid"))),
       lambda g, ans, a, v, mode="valid": rt.correlate_adjoint_b(g, a, v, **_opts(mode=(mode, "valid"))))
defvjp("numpy.linalg.multi_dot", lambda g, ans, arrays: rt.multi_dot_adjoint(g, arrays))
defvjp("numpy.trace", lambda g, ans, x, offset=0, axis1=0, axis2=1:
       rt.trace_adjoint(g, x, **_opts(offset=(offset, 0), axis1=(axis1, 0), axis2=(axis2, 1))))
defvjp("numpy.diagonal", lambda g, ans, x, offset=0, axis1=0, axis2=1:
       rt.diagonal_adjoint(g, x, **_opts(offset=(offset, 0), axis1=(axis1, 0), axis2=(axis2, 1))))
defvjp("numpy.diag", lambda g, ans, x, k=0: rt.diag_adjoint(g, x, **_opts(k=(k, 0))))
defvjp("numpy.tril", lambda g, ans, x, k=0: np.tril(g, **_opts(k=(k, 0))))
defvjp("numpy.triu", lambda g, ans, x, k=0: np.triu(g, **_opts(k=(k, 0))))
defvjp("numpy.linalg.matrix_power", lambda g, ans, a, n: rt.matrix_power_adjoint(g, a, n))

# ---------------------------------------------------------------- selection
defvjp("numpy.take", lambda g, ans, x, indices, axis=None: rt.take_adjoint(g, x, indices, **_opts(axis=(axis, None))))
defvjp("numpy.take_along_axis", lambda g, ans, x, indices, axis=-1:
       rt.take_along_axis_adjoint(g, x, indices, axis))
defvjp("numpy.sort", lambda g, ans, x, axis=-1, **_: rt.sort_adjoint(g, x, **_opts(axis=(axis, -1))))
defvjp("numpy.interp", lambda g, ans, x, xp, fp: rt.interp_adjoint_x(g, x, xp, fp),
       _no_rule("the sample points xp of np.interp"), lambda g, ans, x, xp, fp: rt.interp_adjoint_fp(g, x, xp, fp))
defvjp("numpy.select", None, lambda g, ans, conds, choices, default=0: rt.select_adjoint_choices(g, conds, choices),
       lambda g, ans, conds, choices, default=0: rt.select_adjoint_default(g, conds, default))

# ---------------------------------------------------------------- linear algebra


def _inv_adjoint(g, ans, a):
    t = np.swapaxes(ans, -1, -2)
    return -(t @ g @ t)


def _qr_adjoint(g, ans, a, mode="reduced"):
    _require(_same(mode, "reduced"), f"np.linalg.qr with mode={mode!r} (only mode='reduced')")
    return rt.qr_adjoint(g, ans[0], ans[1])


def _cholesky_adjoint(g, ans, a, upper=False):
    _require(_same(upper, False), "np.linalg.cholesky with upper=True")
    return rt.cholesky_adjoint(g, ans)


defvjp("numpy.linalg.inv", _inv_adjoint)
defvjp("numpy.linalg.solve", lambda g, ans, a, b: rt.solve_adjoint_a(g, ans, a, b),
       lambda g, ans, a, b: rt.solve_adjoint_b(g, a, b))
defvjp("numpy.linalg.det", lambda g, ans, a: rt.det_adjoint(g, ans, a))
defvjp("numpy.linalg.slogdet", lambda g, ans, a: rt.slogdet_adjoint(g, a))
defvjp("numpy.linalg.cholesky", _cholesky_adjoint)
defvjp("numpy.linalg.eigh", lambda g, ans, a, UPLO="L": rt.eigh_adjoint(g, ans[0], ans[1], **_opts(UPLO=(UPLO, "L"))))
defvjp("numpy.linalg.eigvalsh", lambda g, ans, a, UPLO="L": rt.eigvalsh_adjoint(g, a, **_opts(UPLO=(UPLO, "L"))))
defvjp("numpy.linalg.qr", _qr_adjoint)
defvjp("numpy.linalg.svd", lambda g, ans, a, full_matrices=True, compute_uv=True, hermitian=False:
       rt.svdvals_adjoint(g, a) if _same(compute_uv, False) else
       rt.svd_adjoint(g, ans, a, **_opts(full_matrices=(full_matrices, True))))
defvjp("numpy.linalg.svdvals", lambda g, ans, a: rt.svdvals_adjoint(g, a))

# ---------------------------------------------------------------- no derivative: constructors, indices, predicates
defvjp("numpy.full_like", None, lambda g, ans, a, fill_value, dtype=None: rt.unbroadcast(g, fill_value))
defnondiff("numpy.identity", "numpy.empty_like", "numpy.indices", "numpy.tri",
           "numpy.triu_indices", "numpy.tril_indices", "numpy.diag_indices", "numpy.triu_indices_from",
           "numpy.tril_indices_from", "numpy.diag_indices_from", "numpy.unravel_index", "numpy.ravel_multi_index",
           "numpy.broadcast_shapes")
defnondiff("numpy.argwhere", "numpy.nonzero", "numpy.flatnonzero", "numpy.count_nonzero", "numpy.searchsorted",
           "numpy.digitize", "numpy.argpartition", "numpy.lexsort", "numpy.nanargmax", "numpy.nanargmin",
           "numpy.linalg.matrix_rank")
defnondiff("numpy.isclose", "numpy.allclose", "numpy.array_equal", "numpy.isin", "numpy.signbit",
           "numpy.isposinf", "numpy.isneginf", "numpy.isreal", "numpy.logical_xor")
defnondiff("numpy.floor_divide", "numpy.fix", "numpy.around", "numpy.heaviside")
