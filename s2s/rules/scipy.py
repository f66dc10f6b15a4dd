"""scipy.special and scipy.stats: one record per function (an optional family).

The registry imports this module only once the user's code has imported
scipy (`registry._load_optional`), so s2s neither needs nor imports scipy
itself. Most records are elementwise: one partial derivative per argument,
written with `special.digamma(x)`, `stats.norm.pdf(x, loc, scale)` and NumPy,
so reverse, forward, vector forward mode and higher orders all follow from
the one line (the partials are themselves calls with records here).

Distribution methods (`stats.norm.logpdf(x, loc, scale)`) name their
parameters (the `parameters` fact): a keyword argument is moved to its place
when the call is read (`registry.positional`), so `scale=s` gets its partial
derivative like a positional `s`. Every float parameter has one; integer ones
(`polygamma`'s order, `poisson`'s count) have none. `logsumexp`, `softmax`,
`log_softmax` and `multivariate_normal.logpdf` give both rules side by side.
"""
from __future__ import annotations

import math as _math
import numbers

import scipy.optimize  # noqa: F401  (the records name their functions: this family needs them)
import scipy.spatial.distance  # noqa: F401
import scipy.special  # noqa: F401
import scipy.stats  # noqa: F401

from s2s.errors import missing_rule
from s2s.rules import symbolic
from s2s import ir
from s2s.rules.primitive import define, elementwise, linear, non_default, reading, refuse
from s2s.rules.registry import REQUIRED
from s2s.rules.symbolic import ModuleProxy, Sym, np, rt

special = ModuleProxy("scipy.special")
optimize = ModuleProxy("scipy.optimize")
norm = ModuleProxy("scipy.stats.norm")

SQRT_PI = _math.sqrt(_math.pi)
SQRT_2PI = _math.sqrt(2.0 * _math.pi)
TWO_OVER_SQRT_PI = 2.0 / SQRT_PI
SP = "scipy.special."
ST = "scipy.stats."
OPT = "scipy.optimize."


def _refuse(key: str, why: str):
    """A located NonDifferentiableError for a call of `key` the rules cannot differentiate as written."""
    loc = getattr(getattr(symbolic._active, "emitter", None), "loc", None)
    raise missing_rule(key, loc, loc.file if loc is not None and loc.file else "<unknown>", why)


_NO_SHAPE = "the derivative in the shape a has no rule (only the one in x); pass a as a constant"


def _default(value, default) -> bool:
    return not isinstance(value, Sym) and isinstance(value, numbers.Number) and value == default


def _trimmed(*args, defaults=()):
    """`args` without the trailing ones that equal their defaults (given for the last len(defaults))."""
    args = list(args)
    defaults = list(defaults)
    while defaults and _default(args[-1], defaults[-1]):
        args.pop()
        defaults.pop()
    return args


def _z(x, loc, scale):
    """The standardised value (x - loc) / scale (x itself for loc 0 and scale 1)."""
    return (x - loc) / scale


def distribution(key: str, parameters, *partials) -> None:
    """An elementwise method of a scipy.stats distribution: `parameters` are (name, default) in order."""
    p = elementwise(key, *partials)
    p.facts["parameters"] = tuple(parameters)
    _frozen(key.rpartition(".")[0])


def _frozen(key: str) -> None:
    """The distribution object itself ('scipy.stats.norm'): calling it makes a frozen distribution, whose
    methods with records are read as the distribution's (`stats.norm(loc, scale).logpdf(x)` is
    `stats.norm.logpdf(x, loc, scale)`: registry.frozen_method). The call has no derivative of its own."""
    define(key, kind="distribution")


# ================================================================ scipy.special: gamma and related functions
elementwise(SP + "gammaln", lambda ans, x: special.digamma(x))
elementwise(SP + "loggamma", lambda ans, x: special.digamma(x))
elementwise(SP + "gamma", lambda ans, x: ans * special.digamma(x))
elementwise(SP + "digamma", lambda ans, x: special.polygamma(1, x))
elementwise(SP + "psi", lambda ans, x: special.polygamma(1, x))
elementwise(SP + "polygamma", None, lambda ans, n, x: special.polygamma(n + 1, x))  # (n: an integer order)
elementwise(SP + "beta", lambda ans, a, b: ans * (special.digamma(a) - special.digamma(a + b)),
            lambda ans, a, b: ans * (special.digamma(b) - special.digamma(a + b)))
elementwise(SP + "gammainc", lambda ans, a, x: _refuse(SP + "gammainc", _NO_SHAPE),
            lambda ans, a, x: np.exp((a - 1.0) * np.log(x) - x - special.gammaln(a)))
elementwise(SP + "gammaincc", lambda ans, a, x: _refuse(SP + "gammaincc", _NO_SHAPE),
            lambda ans, a, x: -np.exp((a - 1.0) * np.log(x) - x - special.gammaln(a)))
elementwise(SP + "betaln", lambda ans, a, b: special.digamma(a) - special.digamma(a + b),
            lambda ans, a, b: special.digamma(b) - special.digamma(a + b))

# ================================================================ error function and the normal distribution
elementwise(SP + "erf", lambda ans, x: TWO_OVER_SQRT_PI * np.exp(-(x * x)))
elementwise(SP + "erfc", lambda ans, x: -TWO_OVER_SQRT_PI * np.exp(-(x * x)))
elementwise(SP + "erfcx", lambda ans, x: 2.0 * x * ans - TWO_OVER_SQRT_PI)
elementwise(SP + "erfinv", lambda ans, y: SQRT_PI / 2.0 * np.exp(ans ** 2))
elementwise(SP + "erfcinv", lambda ans, y: -SQRT_PI / 2.0 * np.exp(ans ** 2))
elementwise(SP + "ndtr", lambda ans, x: np.exp(-0.5 * (x * x)) / SQRT_2PI)
elementwise(SP + "log_ndtr", lambda ans, x: rt.log_ndtr_slope(x))  # pdf / cdf, no underflow, no cancellation
elementwise(SP + "ndtri", lambda ans, p: SQRT_2PI * np.exp(0.5 * ans ** 2))

# ================================================================ logistic function and logarithms
elementwise(SP + "expit", lambda ans, x: ans * (1.0 - ans))
elementwise(SP + "logit", lambda ans, p: 1.0 / (p * (1.0 - p)))
elementwise(SP + "log_expit", lambda ans, x: special.expit(-x))
elementwise(SP + "softplus", lambda ans, x: special.expit(x))  # (scipy >= 1.15)
# x log y is 0 along x = 0 for every y, 0 included: its partial in y is x / y, and 0 where x is 0 (rt.xdivy; 0 / 0
# would give nan at x = y = 0, a category absent from both p and q in rel_entr(p, q), JAX's xlogy and torch's too)
elementwise(SP + "xlogy", lambda ans, x, y: np.log(y), lambda ans, x, y: rt.xdivy(x, y))
elementwise(SP + "xlog1py", lambda ans, x, y: np.log1p(y), lambda ans, x, y: rt.xdivy(x, 1.0 + y))
elementwise(SP + "entr", lambda ans, x: -(np.log(x) + 1.0))
elementwise(SP + "rel_entr", lambda ans, x, y: np.log(x / y) + 1.0, lambda ans, x, y: -rt.xdivy(x, y))
elementwise(SP + "kl_div", lambda ans, x, y: np.log(x / y), lambda ans, x, y: 1.0 - rt.xdivy(x, y))

# ================================================================ modified Bessel functions of the first kind (in x)
# I_v' = (I_{v-1} + I_{v+1}) / 2, I_0' = I_1; the exponentially scaled ive = iv * exp(-|x|) loses sign(x) * ive
# (the order v may be any real number: a derivative in it exists, and has no rule here; refused, not taken as 0)
_NO_ORDER = "the derivative in the order v has no rule (only the one in x); pass v as a constant"
elementwise(SP + "iv", lambda ans, v, x: _refuse(SP + "iv", _NO_ORDER),
            lambda ans, v, x: 0.5 * (special.iv(v - 1, x) + special.iv(v + 1, x)))
elementwise(SP + "ive", lambda ans, v, x: _refuse(SP + "ive", _NO_ORDER),
            lambda ans, v, x: 0.5 * (special.ive(v - 1, x) + special.ive(v + 1, x)) - np.sign(x) * ans)
elementwise(SP + "i0", lambda ans, x: special.i1(x))
elementwise(SP + "i1", lambda ans, x: 0.5 * (special.i0(x) + special.iv(2, x)))
elementwise(SP + "i0e", lambda ans, x: special.i1e(x) - np.sign(x) * ans)
elementwise(SP + "i1e", lambda ans, x: 0.5 * (special.i0e(x) + special.ive(2, x)) - np.sign(x) * ans)


# ================================================================ logsumexp, softmax, log_softmax (along axis)
def _no_sign(return_sign):
    if return_sign is not False:
        _refuse(SP + "logsumexp", "return_sign=True has no derivative rule; write logsumexp(a, b=w) with "
                                  "weights that keep the sum positive, or call it with return_sign=False")


def _spread(v, a, axis, keepdims):
    """`v`, a result of a reduction of `a` over `axis`, broadcast back to a's shape."""
    return rt.sum_adjoint(v, a, **non_default(axis=(axis, None), keepdims=(keepdims, False)))


def _wide(a, b):
    """a as logsumexp reads it: broadcast against the weights b where they are given (b of shape (2, 3) makes
    a of shape (3,) a (2, 3) array, whose axes `axis` names)."""
    return a if b is None else a + np.zeros(np.shape(b))


def _lse_weights(a, ans, axis, b, keepdims):
    """d logsumexp / da: softmax(a) along axis, or b * exp(a - logsumexp) with weights b (a broadcast, `_wide`)."""
    if b is None:
        a, _, unreached = _reached(a, ans, axis, keepdims)
        return _zero_where(unreached, special.softmax(a, **non_default(axis=(axis, None))))
    return b * _ratio(a, ans, axis, keepdims)


def _ratio(a, ans, axis, keepdims):
    """exp(a - logsumexp), along axis."""
    a, ans, unreached = _reached(a, ans, axis, keepdims)
    return _zero_where(unreached, np.exp(a - _spread(ans, a, axis, keepdims)))


def _reached(a, ans, axis, keepdims):
    """(a, ans, where the sum is -inf) with 0 for the -inf there: every entry of a slice whose sum is -inf is -inf
    (log 0: an HMM's state not reached yet), which a finite change leaves -inf, so its weights are 0, as
    np.logaddexp's partials take their limits; computed from zeros, not -inf, so that their derivatives (a Hessian,
    the weights differentiated again) are 0 there too, not nan."""
    if not np.any(np.isneginf(ans)):
        return a, ans, None
    unreached = np.isneginf(_spread(ans, a, axis, keepdims))
    return np.where(unreached, 0.0, a), np.where(np.isneginf(ans), 0.0, ans), unreached


def _zero_where(unreached, w):
    return w if unreached is None else np.where(unreached, 0.0, w)


def _lse_sum(v, axis, keepdims):
    return np.sum(v, **non_default(axis=(axis, None), keepdims=(keepdims, False)))


def _lse_adjoint_a(g, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    _no_sign(return_sign)
    wide = _wide(a, b)
    da = _spread(g, wide, axis, keepdims) * _lse_weights(wide, ans, axis, b, keepdims)
    return da if b is None else rt.unbroadcast(da, a)


def _lse_adjoint_b(g, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    _no_sign(return_sign)
    wide = _wide(a, b)
    return rt.unbroadcast(_spread(g, wide, axis, keepdims) * _ratio(wide, ans, axis, keepdims), b)


def _lse_tangent_a(d, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    _no_sign(return_sign)
    return _lse_sum(_lse_weights(_wide(a, b), ans, axis, b, keepdims) * d, axis, keepdims)


def _lse_tangent_b(d, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    _no_sign(return_sign)
    wide = _wide(a, b)
    return _lse_sum(_ratio(wide, ans, axis, keepdims) * d, axis, keepdims)


def _lse_batched_a(d, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    _no_sign(return_sign)
    wide = _wide(a, b)
    return rt.batch_sum(_lse_weights(wide, ans, axis, b, keepdims) * (d if b is None else rt.batch_align(d, wide)),
                        axis, keepdims)


def _lse_batched_b(d, ans, a, axis=None, b=None, keepdims=False, return_sign=False):
    _no_sign(return_sign)
    wide = _wide(a, b)
    return rt.batch_sum(_ratio(wide, ans, axis, keepdims) * rt.batch_align(d, wide), axis, keepdims)


_lse = define(SP + "logsumexp", [_lse_adjoint_a, None, _lse_adjoint_b], [_lse_tangent_a, None, _lse_tangent_b],
              batched=[_lse_batched_a, None, _lse_batched_b])
_lse.facts["parameters"] = (("a", REQUIRED), ("axis", None), ("b", None))  # (b=w moves to its place)

define(SP + "softmax",
       [lambda g, ans, x, axis=None: ans * (g - np.sum(g * ans, **non_default(axis=(axis, None)), keepdims=True))],
       [lambda d, ans, x, axis=None: ans * (d - np.sum(d * ans, **non_default(axis=(axis, None)), keepdims=True))],
       batched=[lambda d, ans, x, axis=None: ans * (d - rt.batch_sum(d * ans, axis, True))])
define(SP + "log_softmax",
       [lambda g, ans, x, axis=None: g - np.exp(ans) * np.sum(g, **non_default(axis=(axis, None)), keepdims=True)],
       [lambda d, ans, x, axis=None: d - np.sum(np.exp(ans) * d, **non_default(axis=(axis, None)), keepdims=True)],
       batched=[lambda d, ans, x, axis=None: d - rt.batch_sum(np.exp(ans) * d, axis, True)])

# ================================================================ scipy.stats: the normal distribution
LOC_SCALE = (("x", REQUIRED), ("loc", 0.0), ("scale", 1.0))


def _pdf(x, loc, scale):
    """stats.norm.pdf(x, loc, scale), spelled without the default loc and scale."""
    return norm.pdf(*_trimmed(x, loc, scale, defaults=(0.0, 1.0)))


def _logpdf(x, loc, scale):
    return norm.logpdf(*_trimmed(x, loc, scale, defaults=(0.0, 1.0)))


distribution(ST + "norm.logpdf", LOC_SCALE,
             lambda ans, x, loc=0.0, scale=1.0: -(x - loc) / scale ** 2,
             lambda ans, x, loc=0.0, scale=1.0: (x - loc) / scale ** 2,
             lambda ans, x, loc=0.0, scale=1.0: (_z(x, loc, scale) ** 2 - 1.0) / scale)
distribution(ST + "norm.pdf", LOC_SCALE,
             lambda ans, x, loc=0.0, scale=1.0: -(ans * _z(x, loc, scale)) / scale,
             lambda ans, x, loc=0.0, scale=1.0: ans * _z(x, loc, scale) / scale,
             lambda ans, x, loc=0.0, scale=1.0: ans * (_z(x, loc, scale) ** 2 - 1.0) / scale)
distribution(ST + "norm.cdf", LOC_SCALE,
             lambda ans, x, loc=0.0, scale=1.0: _pdf(x, loc, scale),
             lambda ans, x, loc=0.0, scale=1.0: -_pdf(x, loc, scale),
             lambda ans, x, loc=0.0, scale=1.0: -(_z(x, loc, scale) * _pdf(x, loc, scale)))
distribution(ST + "norm.sf", LOC_SCALE,
             lambda ans, x, loc=0.0, scale=1.0: -_pdf(x, loc, scale),
             lambda ans, x, loc=0.0, scale=1.0: _pdf(x, loc, scale),
             lambda ans, x, loc=0.0, scale=1.0: _z(x, loc, scale) * _pdf(x, loc, scale))
# log Φ: pdf / cdf read through erfcx (rt.log_ndtr_slope, as special.log_ndtr's), exact far in the tails, its own
# derivative -r (z + r) without the cancellation of exp(log pdf - log cdf)'s
def _mills(x, loc, scale, sign=1.0):
    """d/dx log Φ(sign z) / sign, z = (x - loc) / scale: pdf(z) / Φ(sign z) / scale."""
    z = _z(x, loc, scale)
    return rt.log_ndtr_slope(z if sign > 0 else -z) / scale


distribution(ST + "norm.logcdf", LOC_SCALE,
             lambda ans, x, loc=0.0, scale=1.0: _mills(x, loc, scale),
             lambda ans, x, loc=0.0, scale=1.0: -_mills(x, loc, scale),
             lambda ans, x, loc=0.0, scale=1.0: -(_z(x, loc, scale) * _mills(x, loc, scale)))
distribution(ST + "norm.logsf", LOC_SCALE,
             lambda ans, x, loc=0.0, scale=1.0: -_mills(x, loc, scale, -1.0),
             lambda ans, x, loc=0.0, scale=1.0: _mills(x, loc, scale, -1.0),
             lambda ans, x, loc=0.0, scale=1.0: _z(x, loc, scale) * _mills(x, loc, scale, -1.0))
distribution(ST + "norm.ppf", (("q", REQUIRED), ("loc", 0.0), ("scale", 1.0)),
             lambda ans, q, loc=0.0, scale=1.0: 1.0 / _pdf(ans, loc, scale),
             lambda ans, q, loc=0.0, scale=1.0: 1.0,
             lambda ans, q, loc=0.0, scale=1.0: _z(ans, loc, scale))


# ================================================================ scipy.stats: other continuous distributions
def _t_slope(x, df, loc, scale):
    """d t.logpdf / dz = -(df + 1) z / (df + z^2)."""
    z = _z(x, loc, scale)
    return -(df + 1.0) * z / (df + z ** 2)


def _t_df(x, df, loc, scale):
    z2 = _z(x, loc, scale) ** 2
    return 0.5 * (special.digamma(0.5 * (df + 1.0)) - special.digamma(0.5 * df) - 1.0 / df
                  - np.log1p(z2 / df) + (df + 1.0) * z2 / (df * (df + z2)))


distribution(ST + "t.logpdf", (("x", REQUIRED), ("df", REQUIRED), ("loc", 0.0), ("scale", 1.0)),
             lambda ans, x, df, loc=0.0, scale=1.0: _t_slope(x, df, loc, scale) / scale,
             lambda ans, x, df, loc=0.0, scale=1.0: _t_df(x, df, loc, scale),
             lambda ans, x, df, loc=0.0, scale=1.0: -_t_slope(x, df, loc, scale) / scale,
             lambda ans, x, df, loc=0.0, scale=1.0: -(_t_slope(x, df, loc, scale) * _z(x, loc, scale) + 1.0) / scale)
distribution(ST + "cauchy.logpdf", LOC_SCALE,
             lambda ans, x, loc=0.0, scale=1.0: -2.0 * _z(x, loc, scale) / ((1.0 + _z(x, loc, scale) ** 2) * scale),
             lambda ans, x, loc=0.0, scale=1.0: 2.0 * _z(x, loc, scale) / ((1.0 + _z(x, loc, scale) ** 2) * scale),
             lambda ans, x, loc=0.0, scale=1.0:
             (_z(x, loc, scale) ** 2 - 1.0) / ((1.0 + _z(x, loc, scale) ** 2) * scale))
distribution(ST + "laplace.logpdf", LOC_SCALE,
             lambda ans, x, loc=0.0, scale=1.0: -np.sign(x - loc) / scale,
             lambda ans, x, loc=0.0, scale=1.0: np.sign(x - loc) / scale,
             lambda ans, x, loc=0.0, scale=1.0: (np.abs(_z(x, loc, scale)) - 1.0) / scale)
distribution(ST + "expon.logpdf", LOC_SCALE,  # (x >= loc; -inf below, where the derivative is 0)
             lambda ans, x, loc=0.0, scale=1.0: -1.0 / scale,
             lambda ans, x, loc=0.0, scale=1.0: 1.0 / scale,
             lambda ans, x, loc=0.0, scale=1.0: (_z(x, loc, scale) - 1.0) / scale)
distribution(ST + "halfnorm.logpdf", LOC_SCALE,  # (x >= loc: the normal's log-density plus log 2)
             lambda ans, x, loc=0.0, scale=1.0: -(x - loc) / scale ** 2,
             lambda ans, x, loc=0.0, scale=1.0: (x - loc) / scale ** 2,
             lambda ans, x, loc=0.0, scale=1.0: (_z(x, loc, scale) ** 2 - 1.0) / scale)
# logistic: d/dz (-z - 2 log(1 + exp(-z))) = -tanh(z / 2)
distribution(ST + "logistic.logpdf", LOC_SCALE,
             lambda ans, x, loc=0.0, scale=1.0: -np.tanh(0.5 * _z(x, loc, scale)) / scale,
             lambda ans, x, loc=0.0, scale=1.0: np.tanh(0.5 * _z(x, loc, scale)) / scale,
             lambda ans, x, loc=0.0, scale=1.0: (np.tanh(0.5 * _z(x, loc, scale)) * _z(x, loc, scale) - 1.0) / scale)
# the density is 1 / scale on [loc, loc + scale]: no derivative in x or loc (0 inside; -inf outside, a constant)
distribution(ST + "uniform.logpdf", LOC_SCALE, None, None, lambda ans, x, loc=0.0, scale=1.0: -1.0 / scale)


def _gamma_slope(x, a, loc, scale):
    """d gamma.logpdf / dy at y = (x - loc) / scale: (a - 1) / y - 1."""
    return (a - 1.0) / _z(x, loc, scale) - 1.0


distribution(ST + "gamma.logpdf", (("x", REQUIRED), ("a", REQUIRED), ("loc", 0.0), ("scale", 1.0)),
             lambda ans, x, a, loc=0.0, scale=1.0: _gamma_slope(x, a, loc, scale) / scale,
             lambda ans, x, a, loc=0.0, scale=1.0: np.log(_z(x, loc, scale)) - special.digamma(a),
             lambda ans, x, a, loc=0.0, scale=1.0: -_gamma_slope(x, a, loc, scale) / scale,
             lambda ans, x, a, loc=0.0, scale=1.0: (_z(x, loc, scale) - a) / scale)


def _beta_slope(x, a, b, loc, scale):
    """d beta.logpdf / dy at y = (x - loc) / scale: (a - 1) / y - (b - 1) / (1 - y)."""
    y = _z(x, loc, scale)
    return (a - 1.0) / y - (b - 1.0) / (1.0 - y)


distribution(ST + "beta.logpdf", (("x", REQUIRED), ("a", REQUIRED), ("b", REQUIRED), ("loc", 0.0), ("scale", 1.0)),
             lambda ans, x, a, b, loc=0.0, scale=1.0: _beta_slope(x, a, b, loc, scale) / scale,
             lambda ans, x, a, b, loc=0.0, scale=1.0:
             np.log(_z(x, loc, scale)) - special.digamma(a) + special.digamma(a + b),
             lambda ans, x, a, b, loc=0.0, scale=1.0:
             np.log1p(-_z(x, loc, scale)) - special.digamma(b) + special.digamma(a + b),
             lambda ans, x, a, b, loc=0.0, scale=1.0: -_beta_slope(x, a, b, loc, scale) / scale,
             lambda ans, x, a, b, loc=0.0, scale=1.0:
             -(_z(x, loc, scale) * _beta_slope(x, a, b, loc, scale) + 1.0) / scale)

def _lognorm_slope(x, s, loc, scale):
    """d lognorm.logpdf / dy at y = (x - loc) / scale: -(1 + log(y) / s^2) / y."""
    y = _z(x, loc, scale)
    return -(1.0 + np.log(y) / s ** 2) / y


distribution(ST + "lognorm.logpdf", (("x", REQUIRED), ("s", REQUIRED), ("loc", 0.0), ("scale", 1.0)),
             lambda ans, x, s, loc=0.0, scale=1.0: _lognorm_slope(x, s, loc, scale) / scale,
             lambda ans, x, s, loc=0.0, scale=1.0: (np.log(_z(x, loc, scale)) ** 2 / s ** 2 - 1.0) / s,
             lambda ans, x, s, loc=0.0, scale=1.0: -_lognorm_slope(x, s, loc, scale) / scale,
             lambda ans, x, s, loc=0.0, scale=1.0: -(_z(x, loc, scale) * _lognorm_slope(x, s, loc, scale) + 1.0) / scale)


def _invgamma_slope(x, a, loc, scale):
    """d invgamma.logpdf / dy at y = (x - loc) / scale: 1 / y^2 - (a + 1) / y."""
    y = _z(x, loc, scale)
    return 1.0 / y ** 2 - (a + 1.0) / y


distribution(ST + "invgamma.logpdf", (("x", REQUIRED), ("a", REQUIRED), ("loc", 0.0), ("scale", 1.0)),
             lambda ans, x, a, loc=0.0, scale=1.0: _invgamma_slope(x, a, loc, scale) / scale,
             lambda ans, x, a, loc=0.0, scale=1.0: -np.log(_z(x, loc, scale)) - special.digamma(a),
             lambda ans, x, a, loc=0.0, scale=1.0: -_invgamma_slope(x, a, loc, scale) / scale,
             lambda ans, x, a, loc=0.0, scale=1.0: (a - 1.0 / _z(x, loc, scale)) / scale)

# ================================================================ scipy.stats: discrete distributions (in their rates)
def _count(k, loc):
    """The count k - loc (k itself for the default shift 0, an integer k kept as it is)."""
    return k if _default(loc, 0) else k - loc


# the count k (and the integer shift loc) has no derivative; their terms are xlogy(k, mu), xlogy(k, p) and
# xlog1py(n - k, -p): 0 where the count is 0, for every rate, the edge p = 0 or 1 included (rt.xdivy)
distribution(ST + "poisson.logpmf", (("k", REQUIRED), ("mu", REQUIRED), ("loc", 0)),
             None, lambda ans, k, mu, loc=0: rt.xdivy(_count(k, loc), mu) - 1.0, None)
distribution(ST + "poisson.pmf", (("k", REQUIRED), ("mu", REQUIRED), ("loc", 0)),
             None, lambda ans, k, mu, loc=0: ans * (rt.xdivy(_count(k, loc), mu) - 1.0), None)
distribution(ST + "bernoulli.logpmf", (("k", REQUIRED), ("p", REQUIRED), ("loc", 0)),
             None, lambda ans, k, p, loc=0: rt.xdivy(_count(k, loc), p) - rt.xdivy(1.0 - _count(k, loc), 1.0 - p), None)
distribution(ST + "binom.logpmf", (("k", REQUIRED), ("n", REQUIRED), ("p", REQUIRED), ("loc", 0)),
             None, None,
             lambda ans, k, n, p, loc=0: rt.xdivy(_count(k, loc), p) - rt.xdivy(n - _count(k, loc), 1.0 - p), None)


# ================================================================ scipy.stats.multivariate_normal.logpdf(x, mean, cov)
# With S the covariance scipy reads from cov (rt.covariance_matrix: the lower triangle of a matrix, a
# vector's diagonal, a number times the identity) and alpha = S^-1 (x - mean) for each sample (row of x):
# d/dx = -alpha, d/dmean = alpha, d/dS = (alpha alpha^T - S^-1) / 2, taken back to cov's form by the
# transpose rt.covariance_adjoint. Vector mode pushes one tangent at a time (no batched form).
MVN = ST + "multivariate_normal.logpdf"


def _mvn(x, mean, cov):
    """(alpha, S): S^-1 (x - mean) row by row, and S (None for a constant number cov)."""
    r = x if mean is None else x - mean
    if isinstance(cov, numbers.Number):
        return r / cov, None
    s = rt.covariance_matrix(cov, x)
    return np.linalg.solve(s, r.T).T, s


def _per_sample(g, alpha):
    """g (one per sample) times each sample's alpha."""
    return g * alpha if isinstance(g, numbers.Number) else np.expand_dims(g, -1) * alpha


def _total(g, ans):
    """The sum of g over the samples (g a number: the same for each of them)."""
    return g * np.size(ans) if isinstance(g, numbers.Number) else np.sum(g)


def _mvn_adjoint_cov(g, ans, x, mean=None, cov=1, allow_singular=False):
    alpha, s = _mvn(x, mean, cov)
    outer = np.transpose(np.atleast_2d(_per_sample(g, alpha))) @ np.atleast_2d(alpha)  # sum of g alpha alpha^T
    return rt.covariance_adjoint(0.5 * (outer - _total(g, ans) * np.linalg.inv(s)), cov)


def _mvn_tangent_cov(d, ans, x, mean=None, cov=1, allow_singular=False):
    alpha, s = _mvn(x, mean, cov)
    ds = rt.covariance_matrix(d, x)
    return 0.5 * (np.sum((alpha @ ds) * alpha, axis=-1) - np.sum(np.linalg.inv(s) * ds))


_mvn_record = define(
    MVN,
    [lambda g, ans, x, mean=None, cov=1, allow_singular=False: -_per_sample(g, _mvn(x, mean, cov)[0]),
     lambda g, ans, x, mean=None, cov=1, allow_singular=False:
     rt.unbroadcast(_per_sample(g, _mvn(x, mean, cov)[0]), mean),
     _mvn_adjoint_cov, None],
    [lambda d, ans, x, mean=None, cov=1, allow_singular=False: -np.sum(_mvn(x, mean, cov)[0] * d, axis=-1),
     lambda d, ans, x, mean=None, cov=1, allow_singular=False: np.sum(_mvn(x, mean, cov)[0] * d, axis=-1),
     _mvn_tangent_cov, None])
_mvn_record.facts["parameters"] = (("x", REQUIRED), ("mean", None), ("cov", 1), ("allow_singular", False))
_frozen(ST + "multivariate_normal")

# ---------------------------------------------------------------- its runtime helpers (runtime/scipy.py): each
# linear in its first argument and the other's transpose
linear("s2s.runtime.covariance_matrix", lambda G, ans, cov, like: rt.covariance_adjoint(G, cov), None)
linear("s2s.runtime.covariance_adjoint", lambda G, ans, g, cov: rt.covariance_matrix(G, g), None,
       rank_of_argument=1)
# x / y, 0 where x is 0: 1 / y in x (x / y is continuous there), -x / y ** 2 = -xdivy(ans, y) in y
elementwise("s2s.runtime.xdivy", lambda ans, x, y: np.reciprocal(y), lambda ans, x, y: -rt.xdivy(ans, y))

# ================================================================ scipy.optimize.rosen: the Rosenbrock test function
# (of a vector x) and its derivatives, which scipy gives: rosen_der, and the Hessian (symmetric) times a vector
define(OPT + "rosen", [lambda g, ans, x: g * optimize.rosen_der(x)], [lambda d, ans, x: d @ optimize.rosen_der(x)],
       batched=[lambda d, ans, x: d @ optimize.rosen_der(x)])
define(OPT + "rosen_der", [lambda g, ans, x: optimize.rosen_hess_prod(x, g)],
       [lambda d, ans, x: optimize.rosen_hess_prod(x, d)], batched=[lambda d, ans, x: d @ optimize.rosen_hess(x)],
       rank_of_argument=0)
_THIRD = "its third derivatives have no rule"
define(OPT + "rosen_hess_prod", [lambda g, ans, x, p: _refuse(OPT + "rosen_hess_prod", _THIRD),
                                 lambda g, ans, x, p: optimize.rosen_hess_prod(x, g)],
       [lambda d, ans, x, p: _refuse(OPT + "rosen_hess_prod", _THIRD),
        lambda d, ans, x, p: optimize.rosen_hess_prod(x, d)], rank_of_argument=0)


# ================================================================ scipy.spatial.distance.cdist / pdist
# read as NumPy computes the distances: the points as floats, their differences row by row (cdist: every row of XA
# less every row of XB; pdist: the pairs i < j of np.triu_indices, in pdist's order), np.linalg.norm over the last
# axis (euclidean: its derivative 0 where two points meet, np.linalg.norm's convention) or the sum of squares
# (sqeuclidean); other metrics are refused where differentiated, naming the NumPy to write
DIST = "scipy.spatial.distance."
_METRICS = ("euclidean", "sqeuclidean")


def _distances(materialise, differences, metric):
    d = materialise(differences)
    if metric == "euclidean":
        return ir.Call(f"{np._prefix}.linalg.norm", (d,), (("axis", ir.Const(-1)),))
    return ir.Call(f"{np._prefix}.sum", (materialise(ir.Call("mul", (d, d))),), (("axis", ir.Const(-1)),))


def _points(materialise, X):
    return materialise(ir.Call(f"{np._prefix}.asarray", (X,), (("dtype", ir.Const("float64")),)))


def _cdist(materialise, XA, XB, metric=ir.Const("euclidean")):
    if not (isinstance(metric, ir.Const) and metric.value in _METRICS):
        return ir.Call(DIST + "cdist", (XA, XB, metric))
    A, B = _points(materialise, XA), _points(materialise, XB)
    rows = materialise(ir.Call("getitem", (A, ir.Const(slice(None)), ir.Const(None), ir.Const(slice(None)))))
    columns = materialise(ir.Call("getitem", (B, ir.Const(None), ir.Const(slice(None)), ir.Const(slice(None)))))
    return _distances(materialise, ir.Call("sub", (rows, columns)), metric.value)


def _pdist(materialise, X, metric=ir.Const("euclidean")):
    if not (isinstance(metric, ir.Const) and metric.value in _METRICS):
        return ir.Call(DIST + "pdist", (X, metric))
    A = _points(materialise, X)
    n = materialise(ir.Call("getitem", (materialise(ir.Call(f"{np._prefix}.shape", (A,))), ir.Const(0))))
    pairs = materialise(ir.Call(f"{np._prefix}.triu_indices", (n, ir.Const(1))))
    first, second = (materialise(ir.Call("getitem", (pairs, ir.Const(k)))) for k in (0, 1))
    return _distances(materialise, ir.Call("sub", (materialise(ir.Call("getitem", (A, first))),
                                                   materialise(ir.Call("getitem", (A, second))))), metric.value)


def _distance_refusal(name, written):
    def refusal(*args, **kwargs):
        refuse(DIST + name, f"scipy.spatial.distance.{name} has a derivative rule in s2s for metric='euclidean' and "
                            f"'sqeuclidean' only (given no other keyword)", f"write the distances with NumPy: {written}")
    return refusal


reading(DIST + "cdist", _cdist, _distance_refusal("cdist", "np.linalg.norm(XA[:, None, :] - XB[None, :, :], axis=-1)"),
        parameters=(("XA", REQUIRED), ("XB", REQUIRED), ("metric", "euclidean")))
reading(DIST + "pdist", _pdist, _distance_refusal("pdist", "i, j = np.triu_indices(len(X), 1); "
                                                           "np.linalg.norm(X[i] - X[j], axis=-1)"),
        parameters=(("X", REQUIRED), ("metric", "euclidean")))
