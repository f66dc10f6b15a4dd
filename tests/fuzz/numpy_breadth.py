"""Level 6 of the fuzzer's generator: NumPy breadth (issue 13 follow-up).

Levels 3-5 call a small part of the ~150 NumPy rules s2s has (elementwise
functions, sum/mean/max, `@`, `np.dot`, `np.outer`, a few slices).  Level 6 adds
productions for most of the others, composed with what the lower levels write,
so that a rule's bug that shows only in composition is found: broadcasting
against a scalar or a `keepdims=True` reduction, `axis=`, the shapes of
adjoints, second derivatives of the rules (the checker's Hessian and grad of
grad), and their forward and vector-forward forms (jvp, forward Jacobian):

- elementwise functions not used below (`np.expm1`, `np.log1p(np.exp(a))`,
  `np.logaddexp`, `np.arctan2(a, 1.0 + b * b)`, `np.hypot`, `np.power(1.0 + b * b,
  1.5)`, `np.sign(a) * a`, `np.cbrt`, `np.fmax`, scipy.special's `expit`, `erf`, ...);
- reductions with `axis=` and `keepdims=` (`np.std`, `np.var(M, axis=1, ddof=1)`,
  `np.max/min/prod(M, axis=..., keepdims=...)`, `np.linalg.norm(M, axis=1)`,
  `np.ptp`, `np.average`, `np.trapezoid`), `np.cumprod`, `np.cumsum(M, axis=0)`,
  `np.diff`, logsumexp and softmax written out (and scipy.special's);
- shapes and selection: `np.tile`, `np.repeat`, `np.take`, `np.append`,
  `np.pad`, `np.triu`/`np.tril`, `np.swapaxes`, `np.flip(M, axis=1)`, `np.rot90`,
  `np.roll(M, 1, axis=0)`, `np.stack([...], axis=1)`, `np.vstack`,
  `np.column_stack`, `np.split`, `np.diag(v)`, boolean masks (`np.sum(v[v >
  0.1])`, `v * (v > 0.0)`, `y[y < 0.0] = 0.0`), strided slices (`v[::2]`,
  `M[::2, 1:]`), fancy indices of matrices, `np.maximum(M, M.T)`;
- products: `np.einsum` (matrix-vector, trace, outer, row-wise dots, quadratic
  forms, contractions of the matrices in scope), `np.tensordot`, `np.inner`,
  `np.vdot`, `np.kron`, `np.cross` (n == 3), `np.convolve`, `np.correlate`;
- linear algebra on well-conditioned matrices (`2.0 * np.eye(n) + 0.1 *
  np.tanh(M)`): `np.linalg.solve`, `inv`, `det`, `slogdet`, `cholesky`,
  `eigvalsh` of a symmetric matrix, `matrix_power`, `multi_dot`, singular values.
- the functions of numerical code (their own lists, drawn after the ones above):
  `math.erf`, `math.fsum`/`prod`/`dist`, `pow`, `divmod`, `np.median`,
  `np.quantile`, `np.percentile` and their nan forms, `np.polyval`, `np.polyder`,
  `np.vander`, `np.ediff1d`, `np.gradient`, `np.meshgrid`, `np.nanprod`,
  `np.ldexp`, `np.modf`, `np.frexp`, `np.linalg.pinv`, `np.linalg.lstsq`,
  `np.nanvar`, `np.nanstd`, `np.nancumsum`, `np.nancumprod`, `np.cov`.
- methods of ufuncs: `np.subtract.outer`, `np.multiply.outer`, `np.hypot.outer`, ..., `np.add.reduce`,
  `np.multiply.reduce`, `np.maximum.reduce`, `np.logaddexp.reduce`, `np.add.accumulate`,
  `np.multiply.accumulate`, `np.maximum.accumulate`, `np.minimum.accumulate`, with and without `axis=`; drawn
  in place of a production of the lists above (8% of the time), decided by a random stream of their own, so that
  a program that draws none of them is the program its seed made before they were added.

Inputs are kept well conditioned (tanh/sin squash matrices before a solve,
`1.0 + b * b` under powers and logarithms); kinks (`np.abs`, masks, max, sorts)
are there now and then, not everywhere: the checker skips points where finite
differences disagree.  Every choice goes through the generator's own seeded
`random.Random` streams, and nothing here runs below level 6, so levels 1-5 make the
programs they made before it.
"""
from __future__ import annotations

import random
import re

THRESH6 = ["0.0", "0.1", "-0.2", "0.3", "-0.5"]
SQUASHED = ["np.tanh({M})", "np.sin({M})", "{M} / (1.0 + np.linalg.norm({M}))"]

# ---------------------------------------------------------------- templates
# Placeholders (each drawn once per template, so `{V}` twice is the same vector):
#   {A} {A2}: an expression of the production's own shape; {B} {B2}: a leaf of that shape;
#   {S}: a scalar expression; {L}: a scalar leaf; {V} {V2}: vector leaves (n,); {VA}: a vector expression;
#   {M} {M2}: matrix leaves (n, n); {MA}: a matrix expression; {W}: a small matrix (a squashed {M},
#   entries below 1); {c}: a threshold; {n}; {i} {j}: indices in range(n); {idx}: n indices with a
#   repeat; {perm}: a permutation of range(n); {ax}: 0 or 1; {kd}: True or False; {vs}: n vector
#   leaves, comma-separated.

# elementwise, for any shape ({A}, {B} have the production's shape)
ELEMENTWISE = [
    (1.0, "np.expm1(np.tanh({A}))"),
    (1.0, "np.log1p(np.exp({A}))"),
    (1.0, "np.logaddexp({A}, {A2})"),
    (0.5, "np.logaddexp({A}, {S})"),
    (0.4, "np.logaddexp2({A}, {B})"),
    (1.0, "np.arctan2({A}, 1.0 + {B} * {B})"),
    (0.7, "np.hypot({A}, {B2})"),
    (1.0, "np.power(1.0 + {B} * {B}, 1.5)"),
    (0.4, "np.float_power(1.0 + {B} * {B}, -0.5)"),
    (0.6, "(np.sign({B}) * {B})"),
    (0.5, "np.cbrt(1.0 + {B} * {B})"),
    (0.5, "np.exp2(np.sin({A}))"),
    (0.5, "np.sinh(np.tanh({A}))"),
    (0.5, "np.cosh(np.sin({A}))"),
    (0.5, "np.arcsinh({A})"),
    (0.5, "np.arctanh(0.5 * np.tanh({A}))"),
    (0.4, "np.arcsin(0.5 * np.sin({A}))"),
    (0.4, "np.arccos(0.5 * np.tanh({A}))"),
    (0.5, "np.reciprocal(1.0 + {B} * {B})"),
    (0.3, "np.sinc({A})"),
    (0.3, "np.deg2rad({A})"),
    (0.4, "np.log2(1.0 + {B} * {B})"),
    (0.3, "np.log10(2.0 + np.sin({A}))"),
    (0.4, "np.tan(0.5 * np.tanh({A}))"),
    (0.5, "np.fmax({A}, {S})"),
    (0.3, "np.fmin({A}, {A2})"),
    (0.3, "np.copysign({A}, {B2})"),
    (0.5, "np.where({B} > {c}, {A}, 0.0)"),
    (0.5, "({A} * ({B} > {c}))"),
    (0.3, "np.clip({A}, {c}, None)"),
    (0.2, "np.nan_to_num({A})"),
    (0.5, "scipy.special.expit({A})"),
    (0.4, "scipy.special.erf({A})"),
    (0.3, "scipy.special.gammaln(1.5 + {B} * {B})"),
    (0.3, "scipy.special.log_expit({A})"),
    (0.3, "scipy.special.xlogy({A}, 1.0 + {B} * {B})"),
]

# scalar-valued
SCALAR = [
    (0.5, "math.expm1(math.tanh({S}))"),
    (0.4, "math.atan2({S}, 1.0 + {L} * {L})"),
    (0.3, "math.pow(1.0 + {L} * {L}, 0.75)"),
    (0.3, "math.log(1.0 + {L} * {L}, 2.0)"),
    (0.3, "math.asin(0.5 * math.tanh({S}))"),
    (0.3, "math.sinh(math.sin({S}))"),
    # vectors to numbers
    (1.0, "np.std({VA})"),
    (0.6, "np.var({V}, ddof=1)"),
    (0.7, "np.prod({V})"),
    (0.5, "np.prod(np.cos({VA}))"),
    (0.5, "np.linalg.norm({V}, ord=1)"),
    (0.4, "np.linalg.norm({VA}, 3)"),
    (0.2, "np.linalg.norm({V}, np.inf)"),
    (0.4, "np.linalg.vector_norm({VA})"),
    (0.3, "np.ptp({V})"),
    (0.3, "np.amax({VA})"),
    (0.3, "np.nansum({VA})"),
    (0.2, "np.nanmean({V})"),
    (0.2, "np.nanmax({V})"),
    (0.4, "np.average({VA}, weights=np.arange(1, {n} + 1))"),
    (0.4, "np.trapezoid({VA})"),
    (0.3, "np.trapezoid({V}, dx=0.5)"),
    (1.0, "(np.max({V}) + np.log(np.sum(np.exp({V} - np.max({V})))))"),
    (0.6, "scipy.special.logsumexp({VA})"),
    (0.4, "np.sum(scipy.special.softmax({V}) * {V2})"),
    (0.3, "scipy.special.log_softmax({VA})[{i}]"),
    (1.0, "np.sum({V}[{V} > {c}])"),
    (0.6, "np.sum({VA} * ({V} > {c}))"),
    (0.8, "np.sum({V}[::2])"),
    (0.5, "np.dot({V}[::2], {V2}[::-2])"),
    (0.4, "np.sum({V}[1::2] ** 2)"),
    (0.5, "np.inner({V}, {VA})"),
    (0.4, "np.vdot({V}, {V2})"),
    (0.6, "np.einsum('i,i->', {V}, {VA})"),
    (0.3, "np.einsum('i,i', {V}, {V2})"),
    (0.3, "np.tensordot({V}, {V2}, axes=1)"),
    (0.5, "np.interp({S}, np.linspace(-2.0, 2.0, {n}), {V})"),
    (0.4, "np.sum(np.sort({VA}) * np.arange({n}))"),
    (0.7, "np.sum(np.cumprod({V}))"),
    (0.5, "np.sum(np.diff({VA}) ** 2)"),
    (0.4, "np.sum(np.convolve({V}, {V2}))"),
    (0.3, "np.correlate({V}, {V2})[0]"),
    (0.3, "np.sum(np.kron({V}, {V2}) ** 2)"),
    (0.4, "np.take({V}, {i})"),
    (0.3, "np.sum(np.append({V}, {S}))"),
    # matrices to numbers
    (1.0, "np.linalg.det(np.eye({n}) + 0.1 * {W})"),
    (0.6, "np.linalg.slogdet(2.0 * np.eye({n}) + 0.1 * {W})[1]"),
    (0.6, "np.trace(np.linalg.inv(2.0 * np.eye({n}) + 0.1 * {W}))"),
    (0.6, "np.einsum('ii->', {MA})"),
    (0.6, "np.einsum('ij,ij->', {M}, {MA})"),
    (0.8, "np.einsum('ij,j,i->', {M}, {V}, {V2})"),
    (0.8, "({V} @ {M} @ {V})"),
    (0.4, "np.vdot({M}, {M2})"),
    (0.4, "np.tensordot({M}, {MA})"),
    (0.5, "np.linalg.norm({MA})"),
    (0.3, "np.linalg.norm({M}, 'fro')"),
    (0.3, "np.linalg.norm({M}, 2)"),
    (0.2, "np.linalg.norm({M}, 'nuc')"),
    (0.3, "np.linalg.matrix_norm({M})"),
    (0.5, "np.std({MA})"),
    (0.4, "np.var({M})"),
    (0.3, "np.prod(np.cos({M}))"),
    (0.8, "np.sum({M}[{M} > {c}])"),
    (0.6, "np.sum({M}[::2, 1:])"),
    (0.5, "np.sum({M}[1:, :-1] * {M}[:-1, 1:])"),
    (0.5, "np.sum(np.triu({MA}, 1))"),
    (0.5, "np.sum(np.linalg.eigvalsh({M} + {M}.T) * np.arange({n}))"),
    (0.4, "np.sum(np.linalg.cholesky(2.0 * np.eye({n}) + 0.1 * {W} @ {W}.T))"),
    (0.4, "np.sum(np.linalg.matrix_power(0.5 * {W}, 3))"),
    (0.4, "np.sum(np.linalg.svd({M}, compute_uv=False))"),
    (0.6, "np.sum(np.linalg.solve(2.0 * np.eye({n}) + 0.1 * {W}, {V}))"),
    (0.4, "np.sum(np.linalg.multi_dot([{M}, {M2}, {V}]))"),
    (0.5, "np.sum(np.diff({M}, axis={ax}) ** 2)"),
    (0.5, "np.mean(np.cumsum({MA}, axis={ax}))"),
    (0.5, "np.sum(np.max({M}, axis={ax}, keepdims={kd}))"),
    (0.4, "np.sum(np.prod(np.tanh({M}), axis={ax}))"),
    (0.3, "np.sum(np.ptp({M}, axis={ax}))"),
]

# vectors (n,)
VECTOR = [
    (0.8, "np.cumprod({A})"),
    (0.4, "np.cumprod(0.5 + 0.5 * np.cos({A}))"),
    (0.4, "np.cumsum({A})[::-1]"),
    (0.8, "np.std({M}, axis={ax})"),
    (0.8, "np.var({M}, axis={ax})"),
    (0.4, "np.var({M}, axis={ax}, ddof=1)"),
    (0.7, "np.max({M}, axis={ax})"),
    (0.5, "np.min({MA}, axis={ax})"),
    (0.6, "np.prod(np.tanh({M}), axis={ax})"),
    (0.8, "np.linalg.norm({M}, axis={ax})"),
    (0.3, "np.linalg.vector_norm({MA}, axis={ax})"),
    (0.3, "np.ptp({M}, axis={ax})"),
    (0.3, "np.nansum({M}, axis={ax})"),
    (0.3, "np.average({M}, axis={ax}, weights=np.arange(1, {n} + 1))"),
    (0.5, "np.max({M}, axis={ax}, keepdims=True).ravel()"),
    (0.4, "np.squeeze(np.min({M}, axis=0, keepdims=True))"),
    (0.3, "np.sum({MA}, axis=1, keepdims=True)[:, 0]"),
    (0.3, "np.trapezoid({M}, axis={ax})"),
    (0.7, "np.log(np.sum(np.exp({W}), axis={ax}))"),
    (0.5, "scipy.special.logsumexp({M}, axis={ax})"),
    (0.7, "(np.exp({B} - np.max({B})) / np.sum(np.exp({B} - np.max({B}))))"),
    (0.4, "scipy.special.softmax({A})"),
    (0.3, "scipy.special.log_softmax({B})"),
    (0.6, "np.tile({B}, 2)[:{n}]"),
    (0.4, "np.tile({B}, 2)[1:{n} + 1]"),
    (0.6, "np.repeat({B}, 2)[:{n}]"),
    (0.6, "np.take({B}, {idx})"),
    (0.4, "np.take({M}, {i}, axis={ax})"),
    (0.6, "np.append({B}[1:], {S})"),
    (0.4, "np.append({B}[:-1], {B2}[:1])"),
    (0.5, "np.concatenate([{B}[1:], [{S}]])"),
    (0.4, "np.hstack([{B}[:1], {B2}[1:]])"),
    (0.4, "np.pad({B}[1:], (1, 0))"),
    (0.3, "np.pad({B}[:-1], (0, 1), mode='edge')"),
    (0.4, "np.roll({A}, -1)"),
    (0.3, "np.flip({A}, axis=0)"),
    (0.3, "np.sort({A})[::-1]"),
    (0.8, "np.einsum('ij,j->i', {M}, {VA})"),
    (0.5, "np.einsum('ji,j->i', {M}, {V})"),
    (0.5, "np.einsum('ij,ij->i', {M}, {MA})"),
    (0.4, "np.einsum('ij->j', {MA})"),
    (0.4, "np.einsum('ii->i', {M})"),
    (0.4, "np.tensordot({M}, {B}, axes=1)"),
    (0.3, "np.inner({M}, {B})"),
    (1.0, "np.linalg.solve(2.0 * np.eye({n}) + 0.1 * {W}, {A})"),
    (0.5, "(np.linalg.inv(2.0 * np.eye({n}) + 0.1 * {W}) @ {B})"),
    (0.4, "np.linalg.multi_dot([{M}, {M2}, {B}])"),
    (0.4, "np.diagonal({MA})"),
    (0.4, "np.convolve({B}, [0.25, 0.5, 0.25], mode='same')"),
    (0.3, "np.convolve({B}, {B2}, mode='same')"),
    (0.6, "({A} * ({B} > 0.0))"),
    (0.4, "np.maximum({B}, {B}[::-1])"),
    (0.3, "{B}[np.argsort({B2})]"),
    (0.3, "np.take_along_axis({B}, np.argsort({B2}), axis=0)"),
    (0.3, "np.select([{B} > 0.5, {B} < -0.5], [{B} * {B}, -{B}], 0.0)"),
    (0.4, "np.concatenate(np.array_split({A}, 2)[::-1])"),
    (0.3, "np.vstack([{B}, {B2}])[1]"),
    (0.3, "np.column_stack([{B}, {B2}])[:, 0]"),
    (0.3, "np.full_like({B}, {S})"),
    (0.3, "(np.atleast_1d({S}) * {A})"),
    (0.2, "np.expand_dims({A}, 0)[0]"),
    (0.3, "np.rot90({M})[{i}]"),
    (0.3, "np.broadcast_to({S}, ({n},))"),
    (0.3, "({M}[{perm}, {idx}])"),
    (0.3, "({M}[:, {j}] * {M}[{i}])"),
]
VECTOR_N3 = [
    (1.5, "np.cross({B}, {A})"),
    (0.5, "np.cross({M}[{i}], {B})"),
]
VECTOR_N4 = [
    (0.6, "np.kron({B}[:2], {B2}[2:])"),
    (0.4, "np.repeat({B}[:2], 2)"),
    (0.4, "np.tile({B}[::2], 2)"),
    (0.3, "np.concatenate(np.split({A}, 2)[::-1])"),
]
# (n - 1,)
SHORT = [
    (1.0, "np.diff({VA})"),
    (0.5, "np.diag({M}, 1)"),
    (0.4, "np.diagonal({M}, -1)"),
    (0.4, "np.convolve({V}, [0.5, 0.5], mode='valid')"),
    (0.3, "np.cumprod({V}[1:])"),
]

# matrices (n, n)
MATRIX = [
    (1.0, "({A} - np.max({M}, axis=1, keepdims=True))"),
    (0.6, "({A} * np.std({M}, axis=0, keepdims=True))"),
    (0.6, "({A} / (1.0 + np.var({M}, axis={ax}, keepdims=True)))"),
    (0.6, "({A} / (1.0 + np.linalg.norm({M}, axis={ax}, keepdims=True)))"),
    (0.5, "(np.prod(np.tanh({M}), axis=0, keepdims=True) * {A})"),
    (0.4, "(np.min({M}, axis={ax}, keepdims=True) + {A})"),
    (0.8, "np.cumsum({A}, axis={ax})"),
    (0.5, "np.cumprod(np.tanh({A}), axis={ax})"),
    (0.3, "np.cumsum({B}).reshape({n}, {n})"),
    (0.7, "np.triu({A})"),
    (0.5, "np.tril({A}, -1)"),
    (0.5, "np.swapaxes({A}, 0, 1)"),
    (0.6, "np.flip({A}, axis=1)"),
    (0.3, "np.flip({A})"),
    (0.3, "np.fliplr({B})"),
    (0.3, "np.flipud({B})"),
    (0.4, "np.rot90({A})"),
    (0.4, "np.roll({A}, 1, axis={ax})"),
    (0.3, "np.moveaxis({A}, 0, 1)"),
    (0.3, "np.transpose({A}, (1, 0))"),
    (0.4, "{B}[:, ::-1]"),
    (0.4, "np.sort({A}, axis={ax})"),
    (0.8, "np.maximum({B}, {B}.T)"),
    (0.8, "np.where({B} > {c}, {B}, 0.0)"),
    (0.5, "({A} * ({B} > 0.0))"),
    (1.0, "np.stack([{vs}], axis={ax})"),
    (0.4, "np.vstack([{vs}])"),
    (0.4, "np.column_stack([{vs}])"),
    (0.8, "np.diag({VA})"),
    (0.6, "np.einsum('i,j->ij', {V}, {VA})"),
    (0.6, "np.einsum('ij,jk->ik', {M}, {A})"),
    (0.4, "np.einsum('ij,kj->ik', {M}, {M2})"),
    (0.3, "np.einsum('ij->ji', {A})"),
    (0.5, "np.einsum('ij,j->ij', {A}, {V})"),
    (0.3, "np.tensordot({M}, {M2}, axes=1)"),
    (0.3, "np.tensordot({V}, {V2}, axes=0)"),
    (0.8, "np.linalg.inv(2.0 * np.eye({n}) + 0.1 * {W})"),
    (0.5, "np.linalg.solve(2.0 * np.eye({n}) + 0.1 * {W}, {A})"),
    (0.4, "np.linalg.matrix_power(0.5 * {W}, 2)"),
    (0.3, "np.linalg.cholesky(2.0 * np.eye({n}) + 0.1 * {W} @ {W}.T)"),
    (0.4, "np.tile({V}, ({n}, 1))"),
    (0.3, "np.repeat({V}[None, :], {n}, axis=0)"),
    (0.3, "np.broadcast_to({V}, ({n}, {n}))"),
    (0.3, "np.tile({B}[:1], ({n}, 1))"),
    (0.3, "np.repeat({B}[:, :1], {n}, axis=1)"),
    (0.4, "np.take({B}, {idx}, axis={ax})"),
    (0.4, "{B}[{idx}]"),
    (0.4, "{B}[:, {perm}]"),
    (0.3, "np.pad({B}[1:], ((1, 0), (0, 0)))"),
    (0.3, "np.concatenate([{B}[1:], {B}[:1]], axis=0)"),
    (0.3, "np.hstack([{B}[:, 1:], {B2}[:, :1]])"),
    (0.3, "(np.atleast_2d({V}) * {A})"),
    (0.4, "(np.expand_dims({V}, 1) * {A})"),
    (0.4, "({V}[:, np.newaxis] * {A})"),
    (0.5, "scipy.special.softmax({A}, axis={ax})"),
    (0.3, "np.logaddexp({A}, np.max({M}, axis=0, keepdims=True))"),
]
MATRIX_N4 = [
    (0.5, "np.kron({M}[:2, :2], {M2}[2:, 2:])"),
]


# ---------------------------------------------------------------- the functions of numerical code (rules/*: math.erf,
# math.fsum/prod/dist, pow, divmod, np.quantile/median/percentile, np.polyval/polyder/vander, np.ediff1d,
# np.gradient, np.meshgrid, np.nanprod, np.ldexp/modf/frexp): their own lists, drawn after the ones above
SCALAR_MATH = [
    (0.3, "math.erf({S})"),
    (0.2, "math.erfc(0.5 * {S})"),
    (0.3, "math.fsum([{S}, {L} * {L}, 0.5])"),
    (0.3, "math.prod([{S}, 1.0 + {L} * {L}])"),
    (0.3, "math.dist(({S}, 1.0), ({L}, -0.5))"),
    (0.3, "pow(1.0 + {L} * {L}, math.tanh({S}))"),
    (0.2, "divmod(2.0 + {L} * {L}, 0.7)[1]"),
]
SCALAR_MORE = [  # vectors and matrices to numbers
    (0.5, "np.median({VA})"),
    (0.4, "np.quantile({V}, [0.2, 0.9])[1]"),
    (0.4, "np.percentile({VA}, 60)"),
    (0.2, "np.nanquantile({V}, 0.4)"),
    (0.4, "np.polyval({V}, np.tanh({S}))"),
    (0.3, "np.nanprod(np.cos({V}))"),
    (0.4, "np.sum(np.ediff1d({V}, to_end={S}) ** 2)"),
    (0.4, "np.sum(np.gradient({VA}, 0.5) * {V})"),
    (0.2, "math.fsum({V})"),
    (0.2, "math.prod(np.cos({V}))"),
    (0.3, "math.dist({V}, {V2})"),
    (0.4, "np.sum(np.median({M}, axis={ax}))"),
    (0.3, "np.quantile({MA}, 0.5)"),
    (0.3, "np.sum(np.gradient({M})[0] * {M2})"),
    (0.3, "np.sum(np.linalg.pinv(2.0 * np.eye({n}) + 0.1 * {W}) * {M2})"),
    (0.3, "np.sum(np.linalg.lstsq(2.0 * np.eye({n}) + 0.1 * {W}, {V}, rcond=None)[0])"),
    (0.3, "np.nanvar({V})"),
    (0.3, "np.nanstd({VA}, ddof=1)"),
    (0.3, "np.sum(np.nancumsum({V}) ** 2)"),
    (0.2, "np.sum(np.nanvar({M}, axis={ax}))"),
    (0.3, "np.sum(np.cov({M}) * {M2})"),
    (0.2, "np.cov({VA})"),
]
ELEMENTWISE_MORE = [
    (0.3, "np.ldexp({A}, 2)"),
    (0.2, "np.modf(2.0 * {A})[0]"),
    (0.2, "np.frexp(1.0 + {B} * {B})[0]"),
]
VECTOR_MORE = [
    (0.4, "np.median({M}, axis={ax})"),
    (0.3, "np.quantile({M}, 0.7, axis={ax})"),
    (0.3, "np.percentile({MA}, 25, axis={ax})"),
    (0.2, "np.nanmedian({M}, axis={ax})"),
    (0.4, "np.polyval({V}, np.tanh({A}))"),
    (0.4, "np.ediff1d({B}, to_begin={S})"),
    (0.4, "np.gradient({A})"),
    (0.3, "np.nancumprod(0.5 + 0.5 * np.cos({A}))"),
]
SHORT_MORE = [
    (0.4, "np.ediff1d({VA})"),
    (0.3, "np.polyder({V})"),
]
MATRIX_MORE = [
    (0.4, "np.meshgrid({V}, {VA})[{ax}]"),
    (0.3, "np.vander(np.tanh({V}), increasing=True)"),
    (0.3, "np.gradient({MA}, axis={ax})"),
]


# ---------------------------------------------------------------- methods of ufuncs (rules/ufuncs.py): np.f.outer,
# .reduce, .accumulate; each list stands in for the productions of its shape now and then (Level6.ufunc_instead)
UFUNC_SHARE = 0.08  # (about 2 level-6 programs in 5 call one)
SCALAR_UFUNC = [
    (0.4, "np.sum(np.exp(-np.subtract.outer({V}, {VA}) ** 2))"),
    (0.3, "np.sum(np.multiply.outer({V}, {V2}) * {M})"),
    (0.3, "np.add.reduce({VA})"),
    (0.3, "np.multiply.reduce(np.cos({V}))"),
    (0.3, "np.maximum.reduce({VA})"),
    (0.4, "np.logaddexp.reduce({VA})"),
    (0.3, "np.sum(np.logaddexp.reduce({M}, axis={ax}))"),
    (0.3, "np.sum(np.maximum.accumulate({VA}) * {V2})"),
    (0.3, "np.sum(np.add.reduce({MA}, axis={ax}) ** 2)"),
]
VECTOR_UFUNC = [
    (0.4, "np.add.accumulate({A})"),
    (0.3, "np.multiply.accumulate(0.5 + 0.5 * np.cos({A}))"),
    (0.4, "np.maximum.accumulate({A})"),
    (0.3, "np.minimum.accumulate({B})"),
    (0.3, "np.add.reduce({M}, axis={ax})"),
    (0.3, "np.maximum.reduce({MA}, axis={ax})"),
    (0.2, "np.minimum.reduce({M})"),
    (0.4, "np.logaddexp.reduce({M}, axis={ax})"),
    (0.3, "np.subtract.outer({B}, {B2})[{i}]"),
    (0.3, "np.multiply.outer({B}, {S})"),
]
MATRIX_UFUNC = [
    (0.5, "np.subtract.outer({V}, {VA})"),
    (0.4, "np.multiply.outer({V}, {V2})"),
    (0.3, "np.hypot.outer({V}, {VA})"),
    (0.3, "np.maximum.outer({V}, {V2})"),
    (0.3, "np.arctan2.outer({V}, 1.0 + {V2} * {V2})"),
    (0.3, "np.logaddexp.outer({VA}, {V})"),
    (0.3, "np.divide.outer({V}, 1.0 + {V2} * {V2})"),
    (0.2, "np.power.outer(1.0 + {V} * {V}, np.tanh({V2}))"),
    (0.4, "np.add.accumulate({A}, axis={ax})"),
    (0.4, "np.maximum.accumulate({A}, axis={ax})"),
    (0.3, "np.minimum.accumulate({B}, axis={ax})"),
    (0.3, "np.multiply.accumulate(np.tanh({A}), axis={ax})"),
    (0.2, "np.add.reduce(np.multiply.outer({V}, {M}), axis=0)"),
]


class Level6:
    """Mixin of Gen (gen.py): the productions of level 6."""

    def init_level6(self):
        self.l6_scipy = False        # the program calls scipy.special (its module imports it)
        # whether a drawn production gives way to a ufunc method's (a stream of its own: the main one draws the
        # same productions as before the ufunc templates were added)
        self.l6_ufunc = random.Random(f"s2s-fuzz-ufunc:{self.seed}:{self.level}")

    # ------------------------------------------------------------------ filling templates
    def fill(self, template, scope, shape, d):
        """The template with each placeholder drawn once (in the order they appear)."""
        n = self.n
        memo = {}
        sub = max(d - 1, 0)

        def matrix_leaf():
            return self.leaf(scope, (n, n))

        def index_list():
            idx = [self.rng.randrange(n) for _ in range(n)]
            if len(set(idx)) == n:
                idx[0] = idx[-1]
            return str(idx)

        def draw(name):
            base = name.rstrip("0123456789")
            if base == "A":
                return self.expr(scope, ("f", shape), sub)
            if base == "B":
                return self.leaf(scope, shape)
            if base == "S":
                return self.sexpr(scope, sub if shape == () else max(d - 2, 0))
            if base == "L":
                return self.leaf(scope, ())
            if base == "V":
                return self.leaf(scope, (n,))
            if base == "VA":
                return self.aexpr(scope, (n,), sub)
            if base == "M":
                return matrix_leaf()
            if base == "MA":
                return self.aexpr(scope, (n, n), sub)
            if base == "W":
                m = memo.get("M") or memo.setdefault("M", matrix_leaf())
                return self.choice(SQUASHED).format(M=m)
            if base == "c":
                return self.choice(THRESH6)
            if base == "n":
                return str(n)
            if base in ("i", "j"):
                return str(self.rng.randrange(n))
            if base == "idx":
                return index_list()
            if base == "perm":
                perm = list(range(n))
                self.rng.shuffle(perm)
                return str(perm)
            if base == "ax":
                return self.choice(["0", "1"])
            if base == "kd":
                return self.choice(["True", "False"])
            if base == "vs":
                return ", ".join(self.leaf(scope, (n,)) if self.p(0.7) else self.aexpr(scope, (n,), 0)
                                 for _ in range(n))
            raise ValueError(name)

        def repl(match):
            name = match.group(1)
            if name not in memo:
                memo[name] = draw(name)
            return memo[name]

        text = re.sub(r"\{([A-Za-z]+[0-9]?)\}", repl, template)
        if "scipy." in text:
            self.l6_scipy = True
        return f"({text})"

    def productions(self, table, scope, shape, d, scale=1.0):
        return [(w * scale, lambda t=t: self.fill(t, scope, shape, d)) for w, t in table]

    def ufunc_instead(self, prods, table, scope, shape, d):
        """`prods`, each of which, once drawn, gives way to a template of `table` (a ufunc method's, of the same
        shape) one time in UFUNC_SHARE; the choice and the template come from the stream `l6_ufunc`."""
        def either(make):
            if not table or self.l6_ufunc.random() >= UFUNC_SHARE:
                return make()
            r = self.l6_ufunc.random() * sum(w for w, _ in table)
            for w, t in table:
                r -= w
                if r <= 0:
                    break
            return self.fill(t, scope, shape, d)
        return [(w, lambda make=make: either(make)) for w, make in prods]

    # ------------------------------------------------------------------ expressions
    def sexpr_level6(self, scope, d):
        """Scalar productions of level 6: weight about 1.2 times that of the levels below in all."""
        if d <= 0:
            return []
        has_matrix = bool(self.vars_of(scope, (self.n, self.n)))
        prods = self.productions(ELEMENTWISE, scope, (), d, 0.4)
        prods += self.productions(SCALAR[:6], scope, (), d)
        vec = [(w, t) for w, t in SCALAR[6:] if "{M" not in t and "{W}" not in t]
        mat = [(w, t) for w, t in SCALAR[6:] if "{M" in t or "{W}" in t]
        prods += self.productions(vec, scope, (), d, 0.6)
        prods += self.productions(mat, scope, (), d, 0.6 if has_matrix else 0.2)
        prods += self.productions(ELEMENTWISE_MORE, scope, (), d, 0.4)
        prods += self.productions(SCALAR_MATH, scope, (), d)
        prods += self.productions([(w, t) for w, t in SCALAR_MORE if "{M" not in t], scope, (), d, 0.6)
        prods += self.productions([(w, t) for w, t in SCALAR_MORE if "{M" in t], scope, (), d,
                                  0.6 if has_matrix else 0.2)
        return self.ufunc_instead(prods, SCALAR_UFUNC if has_matrix else
                                  [(w, t) for w, t in SCALAR_UFUNC if "{M" not in t], scope, (), d)

    def aexpr_level6(self, scope, shape, d):
        if d <= 0:
            return []
        n = self.n
        prods = self.productions(ELEMENTWISE, scope, shape, d, 0.5)
        prods += self.productions(ELEMENTWISE_MORE, scope, shape, d, 0.5)
        if shape == (n,):
            prods += self.productions(VECTOR, scope, shape, d, 0.8)
            prods += self.productions(VECTOR_N3 if n == 3 else VECTOR_N4, scope, shape, d, 0.6)
            prods += self.productions(VECTOR_MORE, scope, shape, d, 0.8)
        elif shape == (n - 1,):
            prods += self.productions(SHORT, scope, shape, d, 1.5)
            prods += self.productions(SHORT_MORE, scope, shape, d, 1.5)
        elif shape == (n, n):
            prods += self.productions(MATRIX, scope, shape, d, 0.9)
            if n == 4:
                prods += self.productions(MATRIX_N4, scope, shape, d, 0.9)
            prods += self.productions(MATRIX_MORE, scope, shape, d, 0.9)
        return self.ufunc_instead(prods, VECTOR_UFUNC if shape == (n,) else MATRIX_UFUNC if shape == (n, n) else [],
                                  scope, shape, d)

    # ------------------------------------------------------------------ parameters and the first lines
    def param_kind_level6(self, r):
        """A parameter's kind at level 6 (r: the generator's draw): mostly arrays."""
        n = self.n
        return ("f", (n,)) if r < 0.5 else ("f", (n, n)) if r < 0.75 else ("f", ())

    def prelude_level6(self, scope, ctx):
        """A matrix and a vector in scope from the start (made of the parameters), so the rest reads them."""
        scope = scope.copy()
        n = self.n
        lines = []
        if not self.vars_of(scope, (n,)) and self.p(0.8):
            name = self.new_name(("f", (n,)))
            s = self.leaf(scope, ())
            lines.append(self.choice([f"{name} = np.linspace(-1.0, 1.0, {n}) * {s}",
                                      f"{name} = np.sin(np.arange({n}) + {s})",
                                      f"{name} = np.cos(np.arange({n}) * {s})"]))
            scope.names[name] = ("f", (n,))
            scope.owned.add(name)
        vecs = self.vars_of(scope, (n,))
        if not self.vars_of(scope, (n, n)) and vecs and self.p(0.7):
            name = self.new_name(("f", (n, n)))
            v, w = self.choice(vecs), self.choice(vecs)
            lines.append(self.choice([f"{name} = np.outer({v}, {w}) * 0.5 + np.eye({n})",
                                      f"{name} = np.tanh(np.outer({v}, np.arange({n}) - 1.0))",
                                      f"{name} = np.stack([{v}, np.sin({w}), {v} * {w}"
                                      + f", np.cos({v})" * (n - 3) + "])"]))
            scope.names[name] = ("f", (n, n))
            scope.owned.add(name)
        return ["    " + ln for ln in lines], scope

    # ------------------------------------------------------------------ statements
    def stmt_level6(self, scope, ctx, indent):
        prods = [(1.5, lambda: self.logsumexp_stmt(scope, ctx)),
                 (1.5, lambda: self.solve_stmt(scope, ctx)),
                 (1.0, lambda: self.standardize_stmt(scope, ctx))]
        if ctx["depth"] == 0:
            prods += [(1.5, lambda: self.iterate_stmt(scope, ctx))]
        owned = [nm for nm in self.owned_arrays(scope, ctx) if nm not in self.unsafe]
        if owned:
            prods += [(1.5, lambda: self.mask_write(scope, ctx, owned))]
        return prods

    def logsumexp_stmt(self, scope, ctx):
        """m = np.max(v); lse = m + np.log(np.sum(np.exp(v - m))), or the softmax of a matrix's rows."""
        scope = scope.copy()
        n = self.n
        if self.p(0.6):
            v = self.leaf(scope, (n,)) if self.p(0.7) else self.aexpr(scope, (n,), 1)
            m, _ = self.target_scalar(scope, ctx)
            lse = self.new_name(("f", ()))
            while lse == m:
                lse = self.new_name(("f", ()))
            lines = [f"{m} = np.max({v})", f"{lse} = {m} + np.log(np.sum(np.exp({v} - {m})))"]
            scope.names[m] = scope.names[lse] = ("f", ())
            return lines, scope, False
        M = self.leaf(scope, (n, n))
        z = self.new_name(("f", (n, n)))
        p = self.new_name(("f", (n, n)))
        ax = self.choice(["0", "1"])
        lines = [f"{z} = {M} - np.max({M}, axis={ax}, keepdims=True)",
                 f"{p} = np.exp({z}) / np.sum(np.exp({z}), axis={ax}, keepdims=True)"]
        scope.names[z] = scope.names[p] = ("f", (n, n))
        scope.owned.update((z, p))
        return lines, scope, False

    def solve_stmt(self, scope, ctx):
        """A well-conditioned system made, then solved (or its inverse or determinant taken)."""
        scope = scope.copy()
        n = self.n
        a = self.new_name(("f", (n, n)))
        w = self.fill("{W}", scope, (n, n), 1)
        lines = [f"{a} = {self.choice(['2.0', '1.5', '3.0'])} * np.eye({n}) + 0.1 * {w}"]
        scope.names[a] = ("f", (n, n))
        scope.owned.add(a)
        r = self.rng.random()
        if r < 0.5:
            x = self.new_name(("f", (n,)))
            lines.append(f"{x} = np.linalg.solve({a}, {self.aexpr(scope, (n,), 1)})")
            scope.names[x] = ("f", (n,))
        elif r < 0.75:
            x = self.new_name(("f", (n, n)))
            lines.append(f"{x} = np.linalg.inv({a})")
            scope.names[x] = ("f", (n, n))
        else:
            x, _ = self.target_scalar(scope, ctx)
            lines.append(f"{x} = np.linalg.det({a}) + np.linalg.slogdet({a})[1]")
            scope.names[x] = ("f", ())
        scope.owned.add(x)
        return lines, scope, False

    def iterate_stmt(self, scope, ctx):
        """A fixed-point or power iteration over 0-6 steps: the rules inside a loop the reverse pass runs
        backwards (what it saves of a solve, a norm, a softmax per step)."""
        scope = scope.copy()
        n = self.n
        h = self.new_name(("f", (n,)))
        i = self.loopvar(["i", "j", "k", "step"], "i", scope.names)
        v = self.leaf(scope, (n,))
        w = self.fill("{W}", scope, (n, n), 1)
        body = self.choice([f"np.linalg.solve(2.0 * np.eye({n}) + 0.1 * {w}, {v} + 0.3 * np.tanh({h}))",
                            f"0.3 * np.einsum('ij,j->i', {w}, {h}) + {v} * 0.5",
                            f"{w} @ {h} / (1.0 + np.linalg.norm({h})) + 0.1 * {v}",
                            f"np.cumsum(np.tanh({h})) * 0.3 + np.roll({v}, {i})",
                            f"scipy.special.softmax({h} + {v}) * {n}",
                            f"np.maximum({h}, 0.0) * 0.5 + np.std({h}) * {v}",
                            f"np.tanh(np.cumprod(0.5 + 0.5 * np.cos({h}))) + {v} * (0.1 * {i} + 0.2)"])
        self.l6_scipy = self.l6_scipy or "scipy." in body
        lines = [f"{h} = {v} * 0.5", f"for {i} in range({self.choice([0, 1, 2, 3, 6])}):", f"    {h} = {body}"]
        scope.names[h] = ("f", (n,))
        scope.owned.add(h)
        return lines, scope, False

    def standardize_stmt(self, scope, ctx):
        """Columns (or rows) of a matrix standardized with keepdims reductions."""
        scope = scope.copy()
        n = self.n
        M = self.leaf(scope, (n, n))
        ax = self.choice(["0", "1"])
        mu = self.new_name(("f", (n, n)))
        out = self.new_name(("f", (n, n)))
        lines = [f"{mu} = {M} - np.mean({M}, axis={ax}, keepdims=True)",
                 f"{out} = {mu} / np.sqrt(np.var({M}, axis={ax}, keepdims=True) + 0.1)"]
        scope.names[mu] = scope.names[out] = ("f", (n, n))
        scope.owned.update((mu, out))
        return lines, scope, False

    def mask_write(self, scope, ctx, owned):
        """An element write through a boolean mask (or a strided slice) into an array the function made."""
        scope = scope.copy()
        name = self.choice(owned)
        c = self.choice(THRESH6)
        r = self.rng.random()
        if r < 0.35:
            return [f"{name}[{name} < {c}] = 0.0"], scope, False
        if r < 0.6:
            return [f"{name}[{name} > {c}] *= {self.choice(['0.5', '2.0', '-1.0'])}"], scope, False
        if r < 0.8:
            return [f"{name}[::2] = {name}[::2] * {self.squash(self.sexpr(scope, 1))}"], scope, False
        return [f"{name}[np.abs({name}) > 1.0] = np.tanh({name}[np.abs({name}) > 1.0])"], scope, False

    def module_text_level6(self, text):
        """The module's imports, with scipy.special's where the program calls it."""
        if self.l6_scipy:
            text = text.replace("import numpy as np\n", "import numpy as np\nimport scipy.special\n", 1)
        return text


# ---------------------------------------------------------------- scipy.linalg (rules/scipy_linalg.py) and the NumPy
# functions of rules/breadth.py: np.linspace/geomspace, np.bincount, np.partition, np.unique, np.block, np.choose,
# np.insert, np.delete, np.resize, np.unwrap, np.cumulative_sum, np.linalg.cond/tensorsolve/tensorinv. Like the ufunc
# methods' lists, each stands in for a drawn production of its shape now and then, decided by a stream of its own
# (`l6_rules2`), so that a program that draws none of them is the program its seed made before they were added.
import numpy as _np  # noqa: E402

RULES2_SHARE = 0.08
_WELL = "(2.0 * np.eye({n}) + 0.1 * {W})"
_SPD = "(2.0 * np.eye({n}) + 0.1 * ({W} @ {W}.T))"
SCALAR_RULES2 = [
    (0.4, "np.sum(np.bincount({idx}, weights={VA}, minlength={n}) ** 2)"),
    (0.4, "np.sum(np.linspace({S}, {L}, 5) ** 2)"),
    (0.3, "np.sum(np.sin(np.geomspace(1.0 + {L} * {L}, 2.0, 4)))"),
    (0.3, "np.sum(np.logspace(0.1 * {S}, 0.5, 3))"),
    (0.4, "np.sum(np.partition({VA}, 1) * np.arange({n}))"),
    (0.3, "np.sum(np.unique({VA}) * np.arange({n}))"),
    (0.3, "np.linalg.cond(" + _WELL + ")"),
    (0.3, "np.sum(np.linalg.tensorsolve(" + _WELL + ", {V}))"),
    (0.4, "np.sum(scipy.linalg.solve(" + _WELL + ", {VA}))"),
    (0.3, "np.sum(scipy.linalg.solve(" + _SPD + ", {V}, assume_a='pos'))"),
    (0.3, "np.sum(scipy.linalg.cho_solve(scipy.linalg.cho_factor(" + _SPD + "), {VA}))"),
    (0.3, "scipy.linalg.det(" + _WELL + ")"),
    (0.3, "np.sum(scipy.linalg.expm(0.3 * {W}) * {M2})"),
    (0.3, "np.sum(scipy.linalg.solve_triangular(" + _WELL + ", {VA}, lower=True))"),
    (0.3, "np.sum(scipy.linalg.lu_solve(scipy.linalg.lu_factor(" + _WELL + "), {V}, trans=1))"),
    (0.3, "np.sum(scipy.linalg.cholesky(" + _SPD + ") * {M2})"),
    (0.3, "np.sum(np.i0(np.tanh({VA})))"),
    (0.3, "np.sum(scipy.linalg.sqrtm(" + _SPD + ") * {M2})"),
    (0.2, "np.sum(scipy.linalg.logm(" + _SPD + ") * {M2})"),
]
VECTOR_RULES2 = [
    (0.4, "np.linspace({S}, {L}, {n})"),
    (0.4, "np.partition({A}, 1)"),
    (0.3, "np.insert({VA}[1:], 1, {S})"),
    (0.3, "np.delete(np.append({VA}, {S}), 0)"),
    (0.3, "np.resize({V}[:2], {n})"),
    (0.3, "np.choose(np.array({idx}) % 2, [{A}, {B2}])"),
    (0.3, "np.bincount({perm}, weights={VA})"),
    (0.3, "np.unwrap(3.0 * {A})"),
    (0.4, "scipy.linalg.solve(" + _WELL + ", {A})"),
    (0.3, "scipy.linalg.solve_triangular(" + _WELL + ", {A}, trans=1, unit_diagonal=True)"),
] + ([(0.3, "np.cumulative_sum({A})"), (0.2, "np.cumulative_prod(0.5 + 0.5 * np.cos({A}))")]
     if hasattr(_np, "cumulative_sum") else [])
MATRIX_RULES2 = [
    (0.4, "np.block([[{M}[:2, :2], {M}[:2, 2:]], [{MA}[2:, :2], {M2}[2:, 2:]]])"),
    (0.3, "np.linalg.tensorinv(" + _WELL + ", ind=1)"),
    (0.3, "np.partition({MA}, 1, axis={ax})"),
    (0.3, "np.linspace({V}, {VA}, {n}, axis=1)"),
    (0.3, "scipy.linalg.inv(" + _WELL + ")"),
    (0.3, "scipy.linalg.expm(0.2 * {W})"),
    (0.3, "scipy.linalg.cholesky(" + _SPD + ", lower=True)"),
]

_ufunc_instead = Level6.ufunc_instead
_module_text_level6 = Level6.module_text_level6


def _rules2_instead(self, prods, table, scope, shape, d):
    """Level6.ufunc_instead, then each production giving way to a template of the lists above one time in
    RULES2_SHARE (the stream `l6_rules2`)."""
    prods = _ufunc_instead(self, prods, table, scope, shape, d)
    n = self.n
    mine = (SCALAR_RULES2 if shape == () else VECTOR_RULES2 if shape == (n,) else
            MATRIX_RULES2 if shape == (n, n) else [])
    if not self.vars_of(scope, (n, n)):
        mine = [(w, t) for w, t in mine if "{M" not in t and "{W}" not in t]
    if not mine:
        return prods
    stream = self.__dict__.setdefault("l6_rules2", random.Random(f"s2s-fuzz-rules2:{self.seed}:{self.level}"))

    def either(make):
        if stream.random() >= RULES2_SHARE:
            return make()
        r = stream.random() * sum(w for w, _ in mine)
        for w, t in mine:
            r -= w
            if r <= 0:
                break
        if "scipy.linalg." in t:
            self.l6_linalg = True
        return self.fill(t, scope, shape, d)
    return [(w, lambda make=make: either(make)) for w, make in prods]


def _module_text_with_linalg(self, text):
    """The module's imports, with scipy.linalg's where the program calls it."""
    text = _module_text_level6(self, text)
    if self.__dict__.get("l6_linalg"):
        text = text.replace("import numpy as np\n", "import numpy as np\nimport scipy.linalg\n", 1)
    return text


Level6.ufunc_instead = _rules2_instead
Level6.module_text_level6 = _module_text_with_linalg
