"""Every registered derivative rule, checked against central finite differences.

`CASES` maps every key of `registry.REVERSE` to small programs that call it,
with inputs of several shapes (broadcasting shapes, axis/keepdims variants)
drawn from the function's domain (positive for log, SPD for cholesky, ...).
`NONDIFF_CASES` does the same for the keys that carry no derivative: the
gradient through them must be exactly zero. `test_every_rule_has_a_case`
fails for a key without an entry, so a rule cannot be added without a test.

Each program is written as a real module under pytest's tmp_path (s2s reads
source with `inspect`); it returns `sum(w * primitive(...))` with fixed random
weights `w` (one per part for tuple results), and `s2s.grad` with respect to
every float input is compared with central differences of the original
function, printing analytic against numeric on failure.
"""
from __future__ import annotations

import importlib.util
import math
import sys
import zlib

import numpy as np
import pytest

import s2s
from s2s.errors import S2SError
from s2s.rules import registry

from conftest import assert_close, numeric_grad, skip_unless_numpy_has

PARAMS = ("x", "y", "z", "u")
STEP = 1e-6
RTOL, ATOL = 1e-4, 1e-6


# ---------------------------------------------------------------- input generators (each takes the rng)

def N(*shape):
    """Standard normal entries."""
    return lambda rng: rng.standard_normal(shape) if shape else float(rng.standard_normal())


def U(lo, hi, *shape):
    """Uniform entries in (lo, hi)."""
    return lambda rng: rng.uniform(lo, hi, shape) if shape else float(rng.uniform(lo, hi))


def POS(*shape):
    return U(0.5, 2.0, *shape)


def AWAY(*shape):
    """Entries of either sign, at least 0.3 away from zero (for kinks at 0)."""
    def make(rng):
        v = rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
        return v if shape else float(v)
    return make


def SPREAD(*shape):
    """Distinct entries, at least 0.1 apart (for max, sort, ties)."""
    def make(rng):
        n = int(np.prod(shape))
        return (rng.permutation(n) * 0.1 - 0.05 * n + rng.uniform(0, 0.02, n)).reshape(shape)
    return make


def WELL(n, *batch):
    """A well-conditioned square matrix."""
    return lambda rng: rng.standard_normal(batch + (n, n)) + n * np.eye(n)


def SPD(n, *batch):
    """A symmetric positive definite matrix with distinct eigenvalues."""
    def make(rng):
        a = rng.standard_normal(batch + (n, n))
        return a @ np.swapaxes(a, -1, -2) + n * np.eye(n) + np.diag(np.arange(n) * 0.7)
    return make


def WITH_ZERO(*shape):
    """Normal entries with one exact zero (prod's adjoint must not divide by it)."""
    def make(rng):
        v = rng.standard_normal(shape)
        v.flat[1] = 0.0
        return v
    return make


def WITH_NAN(*shape):
    def make(rng):
        v = rng.standard_normal(shape)
        v.flat[2] = np.nan
        return v
    return make


def CONST(value):
    """A fixed argument passed as is (not differentiated when it is not a float array)."""
    return lambda rng: value


class Case:
    """`expr` over the parameters x, y, z, u (bound to `args` in order); `wrt` defaults to the float ones."""

    def __init__(self, expr: str, *args, wrt=None, pre: str = ""):
        self.expr, self.args, self.wrt, self.pre = expr, args, wrt, pre

    def __repr__(self):
        return f"Case({self.expr!r})"


class Nd:
    """A use of a function without derivative: `sum(w * x) + 0.5 * sum(use)` must have gradient exactly `w`.

    `unsupported_ok` marks a use the compiler may reject (the reason is shown as an xfail)."""

    def __init__(self, use: str, x=None, pre: str = "", unsupported_ok: bool = False):
        self.use, self.x, self.pre, self.unsupported_ok = use, x if x is not None else N(4), pre, unsupported_ok

    def __repr__(self):
        return f"Nd({self.use!r})"


def unary(template, *gens):
    """One case per generator (default: shapes (), (3,), (2, 3) of normal entries)."""
    gens = gens or (N(), N(3), N(2, 3))
    return [Case(template, g) for g in gens]


def binary(template, gen=N, gen_y=None, shapes=(((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2,)))):
    gen_y = gen_y or gen
    return [Case(template, gen(*sx), gen_y(*sy)) for sx, sy in shapes]


def reduction(fn, gen=N, options=("", ", axis=0", ", axis=-1, keepdims=True", ", axis=(0, 2)", ", keepdims=True")):
    """`fn(x, options)` on a (2, 3, 4) array for each option, and on a vector."""
    return [Case(f"{fn}(x{o})", gen(2, 3, 4)) for o in options] + [Case(f"{fn}(x)", gen(5))]


# ---------------------------------------------------------------- the table of differentiable keys
CASES = {
    # operators
    "add": binary("x + y"),
    "sub": binary("x - y"),
    "mul": binary("x * y"),
    "truediv": binary("x / y", gen_y=POS),
    "pow": binary("x ** y", gen=POS) + [Case("x ** 3.0", N(3)), Case("2.0 ** x", N(2, 2))],
    "mod": binary("x % y", gen=lambda *s: U(0.05, 0.95, *s), gen_y=lambda *s: U(1.0, 1.2, *s)),
    "neg": unary("-x"),
    "pos": unary("+x"),
    "matmul": [Case("x @ y", N(3, 4), N(4, 2)), Case("x @ y", N(4), N(4, 2)), Case("x @ y", N(3, 4), N(4)),
               Case("x @ y", N(2, 3, 4), N(4, 5)), Case("x @ y", N(4), N(4))],
    "getitem": [Case("x[1]", N(3, 2)), Case("x[1:, ::-1]", N(3, 4)), Case("x[[0, 2, 2]]", N(4)),
                Case("x[None, ..., 1]", N(2, 3)), Case("x[x > 0]", AWAY(5)), Case("x[0, 1:3]", N(2, 4))],
    "setitem": [Case("z", N(4), N(), pre="z = x * 1.0\nz[1] = y * 3.0"),
                Case("z", N(3, 4), N(4), pre="z = np.zeros((3, 4))\nz[1:, :] = y\nz[0] += x[0] * y"),
                Case("z", N(5), pre="z = np.ones(5)\nfor i in range(1, 5):\n    z[i] = z[i - 1] * x[i]")],
    "list": [Case("np.concatenate([x, y])", N(2), N(3)), Case("np.array([x, y * 2.0])", N(3), N(3))],
    "tuple": [Case("np.stack((x, y), axis=1)", N(3), N(3)), Case("np.hstack((x, y))", N(2, 2), N(2, 3))],
    # builtins and math on Python numbers
    "builtins.abs": unary("abs(x)", AWAY(), AWAY(3)),
    "builtins.list": [Case("np.stack(list(x * 2.0)) * y", N(3, 2), N(2))],
    "builtins.tuple": [Case("np.stack(tuple(x * 2.0)) * y", N(3, 2), N(2))],
    "builtins.sum": [Case("sum([x, y * 2.0])", N(3), N(3)), Case("sum(x)", N(3, 2)), Case("sum((x, y), 1.5)", N(), N())],
    "builtins.float": unary("float(x)", N()),
    "builtins.max": [Case("max(x, y)", U(0, 1), U(2, 3)), Case("max(x, y)", U(2, 3), U(0, 1))],
    "builtins.min": [Case("min(x, y)", U(0, 1), U(2, 3)), Case("min(x, y)", U(2, 3), U(0, 1))],
    "math.exp": unary("math.exp(x)", N()),
    "math.expm1": unary("math.expm1(x)", N()),
    "math.log": [Case("math.log(x)", POS()), Case("math.log(x, y)", POS(), U(1.5, 3.0))],
    "math.log2": unary("math.log2(x)", POS()),
    "math.log10": unary("math.log10(x)", POS()),
    "math.log1p": unary("math.log1p(x)", POS()),
    "math.sqrt": unary("math.sqrt(x)", POS()),
    "math.pow": [Case("math.pow(x, y)", POS(), N())],
    "math.sin": unary("math.sin(x)", N()),
    "math.cos": unary("math.cos(x)", N()),
    "math.tan": unary("math.tan(x)", U(-1, 1)),
    "math.asin": unary("math.asin(x)", U(-0.9, 0.9)),
    "math.acos": unary("math.acos(x)", U(-0.9, 0.9)),
    "math.atan": unary("math.atan(x)", N()),
    "math.atan2": [Case("math.atan2(x, y)", N(), AWAY())],
    "math.hypot": [Case("math.hypot(x, y)", AWAY(), AWAY()), Case("math.hypot(x, 2.0 * x, y)", AWAY(), AWAY())],
    "math.sinh": unary("math.sinh(x)", N()),
    "math.cosh": unary("math.cosh(x)", N()),
    "math.tanh": unary("math.tanh(x)", N()),
    "math.fabs": unary("math.fabs(x)", AWAY()),
    "math.asinh": unary("math.asinh(x)", N()),
    "math.acosh": unary("math.acosh(x)", U(1.2, 3.0)),
    "math.atanh": unary("math.atanh(x)", U(-0.9, 0.9)),
    "math.degrees": unary("math.degrees(x)", N()),
    "math.radians": unary("math.radians(x)", N()),
    "math.lgamma": [Case("math.lgamma(x)", U(0.2, 5.0)), Case("math.lgamma(x)", U(-0.9, -0.1))],
    "math.gamma": unary("math.gamma(x)", U(0.2, 5.0)),
    "math.fmod": [Case("math.fmod(x, y)", U(2.1, 2.9), U(1.1, 1.9)), Case("math.fmod(x, y)", U(-2.9, -2.1), U(1.1, 1.9))],
    "math.remainder": [Case("math.remainder(x, y)", U(2.1, 2.4), U(1.1, 1.3))],
    "math.ldexp": unary("math.ldexp(x, 3)", N()),
    "math.modf": [Case("math.modf(x)[0] * math.modf(x)[1]", U(1.1, 1.9))],
    "math.frexp": [Case("math.frexp(x)[0] * math.frexp(x)[1]", U(1.1, 1.9))],
    **({"math.exp2": unary("math.exp2(x)", N()), "math.cbrt": unary("math.cbrt(x)", POS())}
       if hasattr(math, "exp2") else {}),
    "math.copysign": [Case("math.copysign(x, y)", AWAY(), AWAY())],
    "math.erf": unary("math.erf(x)", N()),
    "math.erfc": unary("math.erfc(x)", N()),
    "math.fsum": [Case("math.fsum([x, y * 2.0, x * y])", N(), N()), Case("math.fsum(x)", N(4))],
    "math.prod": [Case("math.prod([x, y, 1.5])", N(), N()), Case("math.prod(x)", N(4)),
                  Case("math.prod((x, y), start=1.5)", N(), N())],
    "math.dist": [Case("math.dist((x, y), (0.5, -0.3))", N(), N()), Case("math.dist(x, y)", N(3), N(3))],
    "builtins.pow": [Case("pow(x, y)", POS(), N()), Case("pow(x, 3)", N(3))],
    "numpy.ediff1d": [Case("np.ediff1d(x)", N(2, 3)), Case("np.ediff1d(x, to_end=y, to_begin=z)", N(4), N(2), N()),
                      Case("np.ediff1d(x, to_begin=[1.0, 2.0])", N(3))],
    "numpy.polyval": [Case("np.polyval(x, y)", N(4), N(2, 3)), Case("np.polyval([x, 2.0, y], 1.5)", N(), N())],
    "numpy.polyder": [Case("np.polyder(x)", N(4)), Case("np.polyder(x)", N(1))],
    "numpy.polyadd": [Case("np.polyadd(x, y)", N(4), N(2)), Case("np.polyadd(x, y)", N(), N(3)),
                      Case("np.polyadd([1.0, x], y)", N(), N(4))],
    "numpy.polysub": [Case("np.polysub(x, y)", N(2), N(4)), Case("np.polysub(x, y)", N(3), N())],
    "numpy.polymul": [Case("np.polymul(x, y)", POS(3), POS(2)), Case("np.polymul(x, y)", POS(), POS(4)),
                      Case("np.polymul(x, [2.0, y])", POS(3), N())],
    "numpy.polyint": [Case("np.polyint(x)", N(4)), Case("np.polyint(x, 2, k=[y, 0.5])", N(3), N()),
                      Case("np.polyint(x, 3, k=y)", N(2), N()), Case("np.polyint(x, k=y)", N(1), N(1))],
    "numpy.vander": [Case("np.vander(x)", N(3)), Case("np.vander(x, 4, increasing=True)", N(3))],
    "numpy.meshgrid": [Case("np.meshgrid(x, y)", N(2), N(3)), Case("np.meshgrid(x, y, z, indexing='ij')", N(2), N(3), N(2)),
                       Case("np.meshgrid(x, y, sparse=True)[0]", N(2), N(3))],
    "numpy.gradient": [Case("np.gradient(x)", N(5)), Case("np.gradient(x, 0.5, edge_order=2)", N(5)),
                       Case("np.gradient(x, 2.0, [0.0, 0.5, 2.0])", N(2, 3)), Case("np.gradient(x, axis=0)", N(3, 2))],
    "numpy.nanprod": [Case("np.nanprod(x)", WITH_NAN(5)), Case("np.nanprod(x, axis=1, keepdims=True)", WITH_NAN(2, 3))],
    "numpy.ldexp": [Case("np.ldexp(x, [1, -2, 3])", N(3)), Case("np.ldexp(x, 2)", N(2, 3))],
    "numpy.modf": [Case("np.modf(x)", U(0.1, 0.9, 3)), Case("np.modf(x * 3.0)[0]", AWAY(2, 3))],
    "numpy.frexp": [Case("np.frexp(x)[0]", AWAY(3)), Case("np.frexp(x)[0] * np.frexp(x)[1]", AWAY(2, 2))],
    "numpy.median": [Case("np.median(x)", SPREAD(5)), Case("np.median(x, axis=1, keepdims=True)", SPREAD(3, 4)),
                     Case("np.median(x, axis=(0, 2))", SPREAD(2, 3, 4))],
    "numpy.nanmedian": [Case("np.nanmedian(x)", WITH_NAN(5)), Case("np.nanmedian(x, axis=0)", WITH_NAN(3, 2))],
    "numpy.quantile": [Case("np.quantile(x, [0.1, 0.75])", SPREAD(5)), Case("np.quantile(x, 0.3, axis=0)", SPREAD(4, 3)),
                       Case("np.quantile(x, 1.0, axis=-1, keepdims=True)", SPREAD(2, 3)),
                       Case("np.quantile(x, y)", SPREAD(5), U(0.3, 0.45)),  # (in q too: away from q (n - 1) integer)
                       Case("np.quantile(x, y, axis=0)", SPREAD(4, 3), U(0.4, 0.6, 2))],
    "numpy.percentile": [Case("np.percentile(x, 40)", SPREAD(6)), Case("np.percentile(x, [5, 95], axis=1)", SPREAD(2, 5)),
                         Case("np.percentile(x, y, axis=1)", SPREAD(2, 5), U(30.0, 45.0))],
    "numpy.nanquantile": [Case("np.nanquantile(x, 0.6)", WITH_NAN(6)), Case("np.nanquantile(x, [0.2, 0.9], axis=1)",
                                                                               WITH_NAN(2, 5)),
                          Case("np.nanquantile(x, y)", WITH_NAN(6), U(0.3, 0.45))],
    "numpy.nanpercentile": [Case("np.nanpercentile(x, 35)", WITH_NAN(6)), Case("np.nanpercentile(x, y)", WITH_NAN(6),
                                                                                 U(30.0, 45.0))],
    "numpy.nanvar": [Case("np.nanvar(x)", WITH_NAN(5)), Case("np.nanvar(x, axis=1, ddof=1, keepdims=True)", WITH_NAN(2, 4))],
    "numpy.nanstd": [Case("np.nanstd(x)", WITH_NAN(5)), Case("np.nanstd(x, axis=0)", WITH_NAN(3, 2))],
    "numpy.nancumsum": [Case("np.nancumsum(x)", WITH_NAN(5)), Case("np.nancumsum(x, axis=1)", WITH_NAN(2, 3))],
    "numpy.nancumprod": [Case("np.nancumprod(x)", WITH_NAN(5)), Case("np.nancumprod(x, axis=0)", WITH_NAN(3, 2))],
    "numpy.vecdot": [Case("np.vecdot(x, y)", N(2, 3), N(3)), Case("np.vecdot(x, y, axis=0)", N(3, 2), N(3, 1))],
    "numpy.matvec": [Case("np.matvec(x, y)", N(2, 3, 4), N(4)), Case("np.matvec(x, y)", N(3, 2), N(2, 1, 2))],
    "numpy.vecmat": [Case("np.vecmat(x, y)", N(3), N(2, 3, 4))],
    "numpy.linalg.matmul": [Case("np.linalg.matmul(x, y)", N(2, 3), N(3, 4))],
    "numpy.linalg.tensordot": [Case("np.linalg.tensordot(x, y)", N(2, 3), N(2, 3)),
                               Case("np.linalg.tensordot(x, y, axes=1)", N(2, 3), N(3, 2))],
    "numpy.linalg.vecdot": [Case("np.linalg.vecdot(x, y)", N(2, 3), N(3)), Case("np.linalg.vecdot(x, y, axis=0)", N(3, 2), N(3, 2))],
    "numpy.linalg.trace": [Case("np.linalg.trace(x)", N(2, 3, 3)), Case("np.linalg.trace(x, offset=1)", N(3, 4))],
    "numpy.linalg.diagonal": [Case("np.linalg.diagonal(x)", N(2, 3, 3)), Case("np.linalg.diagonal(x, offset=-1)", N(3, 4))],
    "numpy.rollaxis": [Case("np.rollaxis(x, 2)", N(2, 3, 4)), Case("np.rollaxis(x, 0, 3)", N(2, 3, 4)),
                       Case("np.rollaxis(x, -1, -2)", N(2, 3, 4))],
    "numpy.unstack": [Case("np.unstack(x)[1]", N(3, 4)), Case("np.unstack(x, axis=-1)[2]", N(2, 3, 4))],
    "numpy.cov": [Case("np.cov(x)", N(3, 5)), Case("np.cov(x, rowvar=False, ddof=0)", N(5, 2)), Case("np.cov(x)", N(4)),
                  Case("np.cov(x, bias=True)", N(1, 4))],
    "numpy.corrcoef": [Case("np.corrcoef(x)", N(3, 5)), Case("np.corrcoef(x, y, rowvar=False)", N(5, 2), N(5)),
                       Case("np.corrcoef(x, y)", N(4), N(4))],
    "numpy.diagflat": [Case("np.diagflat(x)", N(3)), Case("np.diagflat(x, -1)", N(2, 2))],
    "numpy.asfortranarray": [Case("np.asfortranarray(x)", N(2, 3))],
    "numpy.broadcast_arrays": [Case("np.broadcast_arrays(x, y)", N(3), N(2, 1)), Case("np.broadcast_arrays(x, y)[1]", N(), N(2))],
    "numpy.compress": [Case("np.compress([True, False, True], x, axis=1)", N(2, 3)), Case("np.compress(x > 0.0, x)", AWAY(5))],
    "numpy.extract": [Case("np.extract(x > 0.0, x * 2.0)", AWAY(2, 3))],
    "numpy.linalg.pinv": [Case("np.linalg.pinv(x)", N(3, 2)), Case("np.linalg.pinv(x)", N(2, 4)),
                          Case("np.linalg.pinv(x, rcond=1e-10)", WELL(3)), Case("np.linalg.pinv(x)", WELL(2, 3))],
    "numpy.linalg.lstsq": [Case("np.linalg.lstsq(x, y, rcond=None)[0]", N(4, 2), N(4)),
                           Case("np.linalg.lstsq(x, y, rcond=None)[0]", N(3, 3), N(3, 2))],
    # numpy: elementwise arithmetic
    "numpy.add": binary("np.add(x, y)"),
    "numpy.subtract": binary("np.subtract(x, y)"),
    "numpy.multiply": binary("np.multiply(x, y)"),
    "numpy.divide": binary("np.divide(x, y)", gen_y=POS),
    "numpy.true_divide": binary("np.true_divide(x, y)", gen_y=POS),
    "numpy.negative": unary("np.negative(x)"),
    "numpy.positive": unary("np.positive(x)"),
    "numpy.power": binary("np.power(x, y)", gen=POS) + [Case("np.power(x, 3)", N(3))],
    "numpy.float_power": binary("np.float_power(x, y)", gen=POS) + [Case("np.float_power(x, 2.5)", POS(3))],
    "numpy.square": unary("np.square(x)"),
    "numpy.reciprocal": unary("np.reciprocal(x)", AWAY(), AWAY(3)),
    "numpy.abs": unary("np.abs(x)", AWAY(), AWAY(2, 3)),
    "numpy.absolute": unary("np.absolute(x)", AWAY(3)),
    "numpy.fabs": unary("np.fabs(x)", AWAY(), AWAY(2, 3)),
    "numpy.conj": unary("np.conj(x)", N(3)),
    "numpy.conjugate": unary("np.conjugate(x)", N(3)),
    "numpy.ndarray.conj": [Case("(x * 1.0).conj()", N(3)), Case("np.sin(x).conjugate()", N(2, 3))],
    "numpy.real": unary("np.real(x)", N(3)),
    "numpy.imag": [Case("np.imag(x) + x * x", N(3)), Case("np.sin(x).imag + x", N(2, 3)), Case("np.imag(x) * x", N())],
    "numpy.copysign": binary("np.copysign(x, y)", gen=AWAY),
    "numpy.mod": binary("np.mod(x, y)", gen=lambda *s: U(0.05, 0.95, *s), gen_y=lambda *s: U(1.0, 1.2, *s)),
    "numpy.remainder": binary("np.remainder(x, y)", gen=lambda *s: U(2.05, 2.95, *s),
                              gen_y=lambda *s: U(1.0, 1.2, *s)),
    "numpy.fmod": binary("np.fmod(x, y)", gen=lambda *s: U(-2.9, -2.1, *s), gen_y=lambda *s: U(1.0, 1.2, *s)),
    "numpy.nan_to_num": unary("np.nan_to_num(x)", N(3), N(2, 2)),
    "numpy.float64": unary("np.float64(x)", N()),
    # (inputs near 1e-4, where float32's spacing is far below STEP; float16's never is, and its rounding defeats
    # central differences: its value is checked against the analytic derivative in tests/test_hunt3_rules.py)
    "numpy.float32": [Case("np.float32(x) * 3.0", lambda rng: rng.standard_normal(3) * 1e-4),
                      Case("np.float32(x)", lambda rng: float(rng.standard_normal()) * 1e-4)],
    "numpy.float16": [Case("np.half(x) + (x - np.half(x))", N(3))],
    "numpy.ndarray.compress": [Case("x.compress(x > 0)", AWAY(5)),
                               Case("x.compress([True, False, True], axis=1)", N(2, 3))],
    # numpy: exponentials, logarithms, roots
    "numpy.exp": unary("np.exp(x)"),
    "numpy.exp2": unary("np.exp2(x)"),
    "numpy.expm1": unary("np.expm1(x)"),
    "numpy.log": unary("np.log(x)", POS(), POS(3), POS(2, 3)),
    "numpy.log2": unary("np.log2(x)", POS(), POS(3)),
    "numpy.log10": unary("np.log10(x)", POS(), POS(3)),
    "numpy.log1p": unary("np.log1p(x)", POS(), POS(3)),
    "numpy.logaddexp": binary("np.logaddexp(x, y)"),
    "numpy.logaddexp2": binary("np.logaddexp2(x, y)"),
    "numpy.sqrt": unary("np.sqrt(x)", POS(), POS(3)),
    "numpy.cbrt": unary("np.cbrt(x)", AWAY(), AWAY(3)),
    # numpy: trigonometric, hyperbolic, angles
    "numpy.sin": unary("np.sin(x)"),
    "numpy.cos": unary("np.cos(x)"),
    "numpy.tan": unary("np.tan(x)", U(-1, 1, 3)),
    "numpy.arcsin": unary("np.arcsin(x)", U(-0.9, 0.9, 3)),
    "numpy.arccos": unary("np.arccos(x)", U(-0.9, 0.9, 3)),
    "numpy.arctan": unary("np.arctan(x)"),
    "numpy.arctan2": binary("np.arctan2(x, y)", gen_y=AWAY),
    "numpy.hypot": binary("np.hypot(x, y)", gen=AWAY),
    "numpy.sinh": unary("np.sinh(x)"),
    "numpy.cosh": unary("np.cosh(x)"),
    "numpy.tanh": unary("np.tanh(x)"),
    "numpy.arcsinh": unary("np.arcsinh(x)"),
    "numpy.arccosh": unary("np.arccosh(x)", U(1.2, 3.0, 3)),
    "numpy.arctanh": unary("np.arctanh(x)", U(-0.9, 0.9, 3)),
    "numpy.sinc": unary("np.sinc(x)", N(), N(4), CONST(np.array([0.0, 0.5, -1.3]))),
    "numpy.deg2rad": unary("np.deg2rad(x)", N(3)),
    "numpy.radians": unary("np.radians(x)", N(3)),
    "numpy.rad2deg": unary("np.rad2deg(x)", N(3)),
    "numpy.degrees": unary("np.degrees(x)", N(3)),
    # numpy: elementwise selection
    "numpy.maximum": binary("np.maximum(x, y)") + [Case("np.maximum(x, 0.0)", AWAY(4))],
    "numpy.minimum": binary("np.minimum(x, y)") + [Case("np.minimum(x, 0.0)", AWAY(4))],
    "numpy.fmax": binary("np.fmax(x, y)"),
    "numpy.fmin": binary("np.fmin(x, y)"),
    # a step in x (no derivative away from 0), its h0 where x == 0 (a derivative in h0 there)
    "numpy.heaviside": [Case("np.heaviside(x, y)", AWAY(2, 3), N(3)),
                        Case("np.heaviside(z, x) * y", N(), N(4), pre="z = np.array([0.0, -1.0, 0.0, 2.0])")],
    "numpy.where": [Case("np.where(x > 0, x, y)", AWAY(2, 3), N(3)), Case("np.where(x > 0, x * 2.0, 0.0)", AWAY(4)),
                    Case("np.where(z > 0, x, y)", N(3), N(2, 3), AWAY(2, 1))],
    "numpy.ndarray.clip": [Case("x.clip(-0.5, 0.5)", SPREAD(3, 4)), Case("x.clip(y)", SPREAD(3, 4), SPREAD(4)),
                           Case("x.clip(max=0.5)", SPREAD(3))],
    "numpy.clip": [Case("np.clip(x, -0.5, 0.5)", SPREAD(3, 4)),
                   Case("np.clip(x, y, z)", SPREAD(2, 3), U(-1.0, -0.3, 3), U(0.3, 1.0, 2, 1)),
                   Case("x.clip(0.0, 0.2)", SPREAD(5)), Case("np.clip(x, None, 0.1)", SPREAD(4)),
                   Case("np.clip(x, -0.1, None)", SPREAD(4))],
    # numpy: reductions
    "numpy.sum": reduction("np.sum") + [Case("x.sum(axis=1)", N(2, 3)), Case("np.sum(x, 1)", N(2, 3))],
    "numpy.mean": reduction("np.mean") + [Case("x.mean(0)", N(2, 3))],
    # (the methods vector forward mode writes for a batch of tangents, prims.BATCH_REDUCTION_METHODS)
    "numpy.ndarray.sum": [Case("np.ndarray.sum(x)", N(3)), Case("np.ndarray.sum(x, axis=1)", N(2, 3)),
                          Case("np.ndarray.sum(x, axis=0, keepdims=True)", N(2, 3))],
    "numpy.ndarray.mean": [Case("np.ndarray.mean(x)", N(3)), Case("np.ndarray.mean(x, axis=(0, 1))", N(2, 3)),
                           Case("np.ndarray.mean(x, axis=-1, keepdims=True)", N(2, 3))],
    "numpy.prod": reduction("np.prod", gen=lambda *s: U(0.5, 1.5, *s)) + [
        Case("np.prod(x)", WITH_ZERO(4)), Case("np.prod(x, axis=1)", WITH_ZERO(2, 3)), Case("x.prod()", N(3))],
    "numpy.max": reduction("np.max", gen=SPREAD) + [Case("x.max(axis=1)", SPREAD(3, 2))],
    "numpy.min": reduction("np.min", gen=SPREAD) + [Case("x.min()", SPREAD(3, 2))],
    "numpy.amax": reduction("np.amax", gen=SPREAD, options=("", ", axis=1", ", axis=0, keepdims=True")),
    "numpy.amin": reduction("np.amin", gen=SPREAD, options=("", ", axis=1", ", axis=0, keepdims=True")),
    "numpy.nanmax": [Case("np.nanmax(x)", WITH_NAN(5)), Case("np.nanmax(x, axis=1)", SPREAD(2, 3))],
    "numpy.nanmin": [Case("np.nanmin(x)", WITH_NAN(5)), Case("np.nanmin(x, axis=0, keepdims=True)", SPREAD(2, 3))],
    "numpy.var": reduction("np.var") + [Case("np.var(x, ddof=1)", N(5)), Case("np.var(x, axis=1, ddof=1)", N(2, 3)),
                                        Case("x.var()", N(4))],
    "numpy.std": reduction("np.std") + [Case("np.std(x, ddof=1)", N(5)), Case("x.std(axis=0)", N(3, 2))],
    "numpy.cumsum": [Case("np.cumsum(x)", N(5)), Case("np.cumsum(x)", N(2, 3)), Case("np.cumsum(x, axis=1)", N(2, 3)),
                     Case("x.cumsum(0)", N(3, 2))],
    "numpy.cumprod": [Case("np.cumprod(x)", AWAY(5)), Case("np.cumprod(x)", AWAY(2, 3)),
                      Case("np.cumprod(x, axis=0)", AWAY(3, 2)), Case("x.cumprod(axis=1)", AWAY(2, 3))],
    "numpy.nansum": [Case("np.nansum(x)", WITH_NAN(5)), Case("np.nansum(x, axis=1)", WITH_NAN(2, 3)),
                     Case("np.nansum(x, axis=0, keepdims=True)", N(2, 3))],
    "numpy.nanmean": [Case("np.nanmean(x)", WITH_NAN(5)), Case("np.nanmean(x, axis=1)", WITH_NAN(2, 3)),
                      Case("np.nanmean(x, axis=0, keepdims=True)", WITH_NAN(3, 3))],
    "numpy.average": [Case("np.average(x)", N(2, 3)), Case("np.average(x, axis=1)", N(2, 3)),
                      Case("np.average(x, axis=0, weights=y)", N(3, 2), POS(3), wrt=(0,)),
                      Case("np.average(x, weights=y)", N(2, 2), POS(2, 2), wrt=(0,))],
    "numpy.ptp": [Case("np.ptp(x)", SPREAD(5)), Case("np.ptp(x, axis=1)", SPREAD(2, 3)),
                  Case("np.ptp(x, axis=0, keepdims=True)", SPREAD(3, 2))],
    "numpy.trapezoid": [Case("np.trapezoid(x)", N(5)), Case("np.trapezoid(x, dx=0.5, axis=0)", N(4, 2)),
                        Case("np.trapezoid(x, y)", N(5), SPREAD(5)),
                        Case("np.trapezoid(x, y, axis=0)", N(4, 3), SPREAD(4)),
                        Case("np.trapezoid(x, y)", N(2, 4), SPREAD(2, 4)),
                        Case("np.trapezoid(x, dx=y)", N(5), N()), Case("np.trapezoid(x, dx=y, axis=0)", N(4, 2), N())],
    "numpy.diff": [Case("np.diff(x)", N(5)), Case("np.diff(x, 2)", N(6)), Case("np.diff(x, axis=0)", N(3, 4)),
                   Case("np.diff(x, n=2, axis=1)", N(2, 5))],
    "numpy.linalg.norm": [
        Case("np.linalg.norm(x)", N(4)), Case("np.linalg.norm(x)", N(2, 3)), Case("np.linalg.norm(x, axis=1)", N(2, 3)),
        Case("np.linalg.norm(x, ord=1)", AWAY(4)), Case("np.linalg.norm(x, np.inf)", SPREAD(4)),
        Case("np.linalg.norm(x, ord=-np.inf)", SPREAD(4)), Case("np.linalg.norm(x, 3)", AWAY(4)),
        Case("np.linalg.norm(x, ord='fro')", N(2, 3)), Case("np.linalg.norm(x, 'nuc')", N(3, 3)),
        Case("np.linalg.norm(x, ord=2)", N(3, 4)), Case("np.linalg.norm(x, ord=-2)", N(4, 3)),
        Case("np.linalg.norm(x, ord=1)", SPREAD(3, 3)), Case("np.linalg.norm(x, ord=np.inf)", SPREAD(3, 3)),
        Case("np.linalg.norm(x, axis=(1, 2))", N(2, 2, 3)), Case("np.linalg.norm(x, axis=0, keepdims=True)", N(3, 2)),
        Case("np.linalg.norm(x, ord=2, axis=(0, 2))", N(3, 2, 4))],
    "numpy.linalg.vector_norm": [Case("np.linalg.vector_norm(x)", N(2, 3)),
                                 Case("np.linalg.vector_norm(x, axis=1, ord=1)", AWAY(2, 3))],
    "numpy.linalg.matrix_norm": [Case("np.linalg.matrix_norm(x)", N(2, 3, 3)),
                                 Case("np.linalg.matrix_norm(x, ord='nuc')", N(3, 4))],
    # numpy: shape
    "numpy.reshape": [Case("np.reshape(x, (3, 2))", N(2, 3)), Case("x.reshape(6)", N(2, 3)),
                      Case("x.reshape(3, -1)", N(6))],
    "numpy.ravel": [Case("np.ravel(x)", N(2, 3)), Case("x.ravel()", N(3, 2))],
    "numpy.ndarray.flatten": [Case("x.flatten()", N(2, 2)), Case("x.flatten('F')", N(2, 3))],
    "numpy.transpose": [Case("np.transpose(x)", N(2, 3)), Case("np.transpose(x, (1, 2, 0))", N(2, 3, 4)),
                        Case("x.T", N(3, 2)), Case("x.transpose(2, 0, 1)", N(2, 3, 4))],
    "numpy.squeeze": [Case("np.squeeze(x)", N(1, 3, 1)), Case("np.squeeze(x, axis=0)", N(1, 3))],
    "numpy.expand_dims": [Case("np.expand_dims(x, 1)", N(2, 3)), Case("np.expand_dims(x, (0, 2))", N(3))],
    "numpy.atleast_1d": unary("np.atleast_1d(x)", N(), N(2, 2)),
    "numpy.atleast_2d": unary("np.atleast_2d(x)", N(), N(3)),
    "numpy.atleast_3d": unary("np.atleast_3d(x)", N(3), N(2, 3)),
    "numpy.swapaxes": [Case("np.swapaxes(x, 0, 2)", N(2, 3, 4)), Case("x.swapaxes(0, 1)", N(2, 3))],
    "numpy.moveaxis": [Case("np.moveaxis(x, 0, -1)", N(2, 3, 4)), Case("np.moveaxis(x, (0, 1), (2, 0))", N(2, 3, 4))],
    "numpy.matrix_transpose": unary("np.matrix_transpose(x)", N(2, 3), N(2, 3, 4)),
    "numpy.broadcast_to": [Case("np.broadcast_to(x, (2, 3))", N(3)), Case("np.broadcast_to(x, (2, 4, 3))", N(4, 1)),
                           Case("np.broadcast_to(x, (3,))", N())],
    "numpy.tile": [Case("np.tile(x, 2)", N(3)), Case("np.tile(x, (2, 1, 2))", N(2, 3)),
                   Case("np.tile(x, (3, 2))", N(2))],
    "numpy.repeat": [Case("np.repeat(x, 2)", N(2, 2)), Case("np.repeat(x, 3, axis=1)", N(2, 2)),
                     Case("np.repeat(x, [1, 0, 2], axis=1)", N(2, 3)), Case("x.repeat(2, axis=0)", N(2, 2))],
    "numpy.flip": [Case("np.flip(x)", N(2, 3)), Case("np.flip(x, axis=1)", N(2, 3)),
                   Case("np.flip(x, (0, 1))", N(2, 3, 2))],
    "numpy.fliplr": unary("np.fliplr(x)", N(2, 3)),
    "numpy.flipud": unary("np.flipud(x)", N(3), N(3, 2)),
    "numpy.rot90": [Case("np.rot90(x)", N(2, 3)), Case("np.rot90(x, 2)", N(2, 3)),
                    Case("np.rot90(x, 3, (1, 2))", N(2, 3, 4))],
    "numpy.roll": [Case("np.roll(x, 2)", N(5)), Case("np.roll(x, -1, axis=1)", N(2, 3)),
                   Case("np.roll(x, (1, 2), axis=(0, 1))", N(2, 3)), Case("np.roll(x, 4)", N(2, 3))],
    "numpy.pad": [Case("np.pad(x, 1)", N(2, 3)), Case("np.pad(x, ((1, 0), (2, 1)))", N(2, 3)),
                  Case("np.pad(x, 2, mode='reflect')", N(4)), Case("np.pad(x, (1, 2), mode='edge')", N(2, 3)),
                  Case("np.pad(x, 2, mode='wrap')", N(3)), Case("np.pad(x, 1, 'symmetric')", N(2, 3)),
                  Case("np.pad(x, 1, constant_values=y)", N(2, 3), N()),
                  Case("np.pad(x, ((1, 0), (2, 1)), constant_values=y)", N(2, 3), N(2, 2))],
    "numpy.copy": [Case("np.copy(x)", N(3))],
    "numpy.ndarray.copy": [Case("x.copy()", N(2, 2)), Case("x.copy()", N(3))],
    "numpy.array": [Case("np.array(x)", N(3)), Case("np.array([x, y])", N(2), N(2)),
                    Case("np.array([[x, y], [y, x]])", N(), N())],
    "numpy.asarray": [Case("np.asarray(x)", N(2, 2)), Case("np.asarray([x, y, x])", N(3), N(3))],
    "numpy.asanyarray": [Case("np.asanyarray(x)", N(3))],
    "numpy.ascontiguousarray": [Case("np.ascontiguousarray(x.T)", N(2, 3))],
    # numpy: joining and splitting
    "numpy.concatenate": [Case("np.concatenate([x, y])", N(2), N(3)),
                          Case("np.concatenate([x, y, z], axis=1)", N(2, 1), N(2, 3), N(2, 2)),
                          Case("np.concatenate((x, y), axis=None)", N(2, 2), N(3)),
                          Case("np.concatenate([x, x * 2.0, y], axis=0)", N(1, 2), N(2, 2))],
    "numpy.stack": [Case("np.stack([x, y])", N(3), N(3)), Case("np.stack([x, y, x], axis=-1)", N(2, 2), N(2, 2))],
    "numpy.hstack": [Case("np.hstack([x, y])", N(2), N(3)), Case("np.hstack([x, y])", N(2, 1), N(2, 3))],
    "numpy.vstack": [Case("np.vstack([x, y])", N(3), N(3)), Case("np.vstack([x, y])", N(1, 2), N(3, 2))],
    "numpy.dstack": [Case("np.dstack([x, y])", N(2, 3), N(2, 3)), Case("np.dstack([x, y])", N(3), N(3))],
    "numpy.column_stack": [Case("np.column_stack([x, y])", N(3), N(3, 2))],
    "numpy.append": [Case("np.append(x, y)", N(2, 2), N(3)), Case("np.append(x, y, axis=1)", N(2, 2), N(2, 1))],
    "numpy.split": [Case("np.split(x, 3)", N(6)), Case("np.split(x, [1, 3], axis=1)", N(2, 4)),
                    Case("np.split(x, 2)[1]", N(4, 2))],
    "numpy.array_split": [Case("np.array_split(x, 3)", N(7)), Case("np.array_split(x, 2, axis=1)[0]", N(2, 3))],
    "numpy.hsplit": [Case("np.hsplit(x, 2)", N(2, 4)), Case("np.hsplit(x, 3)", N(6))],
    "numpy.vsplit": [Case("np.vsplit(x, 2)", N(4, 3))],
    "numpy.dsplit": [Case("np.dsplit(x, [1])", N(2, 2, 3))],
    # numpy: products
    "numpy.dot": [Case("np.dot(x, y)", N(3), N(3)), Case("np.dot(x, y)", N(2, 3), N(3)),
                  Case("np.dot(x, y)", N(), N(3)), Case("np.dot(x, y)", N(2, 3, 4), N(5, 4, 2))],
    "numpy.ndarray.dot": [Case("x.dot(y)", N(2, 3), N(3, 4)), Case("x.dot(y)", N(3), N(3)),
                          Case("x.dot(y)", N(2, 3, 4), N(5, 4, 2))],
    "numpy.matmul": [Case("np.matmul(x, y)", N(2, 3), N(3, 4)), Case("np.matmul(x, y)", N(2, 3, 4), N(4, 5)),
                     Case("np.matmul(x, y)", N(4), N(2, 4, 3)), Case("np.matmul(x, y)", N(1, 2, 3), N(2, 3, 2))],
    "numpy.outer": [Case("np.outer(x, y)", N(3), N(4)), Case("np.outer(x, y)", N(2, 2), N(3))],
    "numpy.inner": [Case("np.inner(x, y)", N(3), N(3)), Case("np.inner(x, y)", N(2, 3), N(4, 3)),
                    Case("np.inner(x, y)", N(), N(3))],
    "numpy.vdot": [Case("np.vdot(x, y)", N(2, 3), N(6)), Case("np.vdot(x, y)", N(4), N(4))],
    "numpy.tensordot": [Case("np.tensordot(x, y)", N(2, 3, 4), N(3, 4, 5)),
                        Case("np.tensordot(x, y, axes=1)", N(2, 3), N(3, 4)),
                        Case("np.tensordot(x, y, axes=([0, 2], [1, 0]))", N(2, 3, 4), N(4, 2, 5)),
                        Case("np.tensordot(x, y, 0)", N(2), N(3))],
    "numpy.einsum": [Case("np.einsum('ij,jk->ik', x, y)", N(2, 3), N(3, 4)), Case("np.einsum('ii->i', x)", N(3, 3)),
                     Case("np.einsum('ij->', x)", N(2, 3)), Case("np.einsum('i,i', x, y)", N(3), N(3)),
                     Case("np.einsum('...ij,...jk', x, y)", N(2, 2, 3), N(2, 3, 2)),
                     Case("np.einsum('ij,jk,kl->il', x, y, z)", N(2, 3), N(3, 2), N(2, 2)),
                     Case("np.einsum('ij,k->ik', x, y)", N(2, 3), N(4)), Case("np.einsum('ii', x)", N(3, 3)),
                     Case("np.einsum('bij,bj->bi', x, y)", N(2, 3, 4), N(1, 4))],
    "numpy.kron": [Case("np.kron(x, y)", N(2, 3), N(2, 2)), Case("np.kron(x, y)", N(3), N(2)),
                   Case("np.kron(x, y)", N(2, 2), N(3))],
    # (2-vectors are deprecated since NumPy 2.0 and rejected by 2.5)
    "numpy.cross": [Case("np.cross(x, y)", N(3), N(3)), Case("np.cross(x, y)", N(4, 3), N(3)),
                    Case("np.cross(x, y)", N(5, 3), N(5, 3)), Case("np.cross(x, y, axis=0)", N(3, 2), N(3, 2)),
                    Case("np.cross(x, y, axisa=0, axisc=0)", N(3, 4), N(4, 3))],
    "numpy.linalg.outer": [Case("np.linalg.outer(x, y)", N(3), N(2))],
    "numpy.linalg.matrix_transpose": [Case("np.linalg.matrix_transpose(x) * y", N(2, 3, 4), N(4, 3))],
    "numpy.linalg.cross": [Case("np.linalg.cross(x, y)", N(4, 3), N(3)),
                           Case("np.linalg.cross(x, y, axis=0)", N(3, 2), N(3, 2))],
    "numpy.convolve": [Case("np.convolve(x, y)", N(5), N(3)), Case("np.convolve(x, y, 'same')", N(5), N(3)),
                       Case("np.convolve(x, y, mode='valid')", N(5), N(3)),
                       Case("np.convolve(x, y, 'same')", N(3), N(4)),
                       Case("np.convolve(x, y, 'valid')", N(2), N(4))],
    "numpy.correlate": [Case("np.correlate(x, y)", N(5), N(3)), Case("np.correlate(x, y, 'same')", N(3), N(4)),
                        Case("np.correlate(x, y, mode='full')", N(4), N(2))],
    "numpy.linalg.multi_dot": [Case("np.linalg.multi_dot([x, y, z])", N(2, 3), N(3, 4), N(4, 2)),
                               Case("np.linalg.multi_dot([x, y, z])", N(3), N(3, 4), N(4)),
                               Case("np.linalg.multi_dot([x, y])", N(2, 3), N(3))],
    "numpy.trace": [Case("np.trace(x)", N(3, 3)), Case("np.trace(x, 1)", N(3, 4)),
                    Case("np.trace(x, 0, 1, 2)", N(2, 3, 3)),
                    Case("x.trace()", N(2, 2))],
    "numpy.diagonal": [Case("np.diagonal(x)", N(3, 3)), Case("np.diagonal(x, 1)", N(3, 4)),
                       Case("np.diagonal(x, 0, 1, 2)", N(2, 3, 3)), Case("np.diagonal(x, -1, 2, 0)", N(3, 2, 4)),
                       Case("x.diagonal()", N(2, 3))],
    "numpy.diag": [Case("np.diag(x)", N(3)), Case("np.diag(x)", N(3, 4)), Case("np.diag(x, 1)", N(2)),
                   Case("np.diag(x, -1)", N(3, 3))],
    "numpy.tril": [Case("np.tril(x)", N(3, 3)), Case("np.tril(x, 1)", N(3, 4)), Case("np.tril(x, -1)", N(2, 3, 3))],
    "numpy.triu": [Case("np.triu(x)", N(3, 3)), Case("np.triu(x, 1)", N(4, 3)), Case("np.triu(x, -1)", N(2, 3, 3))],
    "numpy.linalg.matrix_power": [Case("np.linalg.matrix_power(x, 3)", N(3, 3)),
                                  Case("np.linalg.matrix_power(x, 1)", N(2, 2)),
                                  Case("np.linalg.matrix_power(x, -2)", WELL(3)),
                                  Case("np.linalg.matrix_power(x, 2)", N(2, 3, 3))],
    # numpy: selection
    "numpy.take": [Case("np.take(x, [0, 2, 2])", N(4)), Case("np.take(x, [[0, 1], [1, 2]], axis=1)", N(2, 3)),
                   Case("np.take(x, 1, axis=0)", N(3, 2)), Case("np.take(x, y)", N(2, 3), CONST(np.array([5, 0, 5])))],
    "numpy.take_along_axis": [Case("np.take_along_axis(x, y, axis=1)", N(2, 3), CONST(np.array([[2, 2], [0, 1]]))),
                              Case("np.take_along_axis(x, y, 0)", N(3, 2), CONST(np.array([[2, 0]])))],
    "numpy.sort": [Case("np.sort(x)", SPREAD(5)), Case("np.sort(x, axis=0)", SPREAD(3, 2)),
                   Case("np.sort(x, axis=None)", SPREAD(2, 3)), Case("np.sort(x)", SPREAD(2, 3))],
    "numpy.interp": [Case("np.interp(x, y, z)", U(-0.5, 3.5, 6), CONST(np.array([0.0, 1.0, 2.5, 3.0])), N(4),
                          wrt=(0, 2)),
                     Case("np.interp(x, y * 0.4 + np.array([0.0, 1.0, 2.5, 3.0]), z, -1.0, u)", U(-0.5, 3.5, 6),
                          U(-1.0, 1.0, 4), N(4), N())],
    "numpy.piecewise": [Case("np.piecewise(x, [x < 0.0, x > 1.0], [0.5, 2.0, -1.0]) * x", SPREAD(5))],
    "numpy.select": [Case("np.select([x > 0.5, x < -0.5], [x, y * 2.0], 0.3)", SPREAD(2, 3), N(3)),
                     Case("np.select([x > 0.0, x < -0.5], [x * y, y], z)", SPREAD(2, 3), N(2, 3), N(3))],
    # numpy: linear algebra
    "numpy.linalg.inv": [Case("np.linalg.inv(x)", WELL(3)), Case("np.linalg.inv(x)", WELL(2, 2))],
    "numpy.linalg.solve": [Case("np.linalg.solve(x, y)", WELL(3), N(3)),
                           Case("np.linalg.solve(x, y)", WELL(3), N(3, 2)),
                           Case("np.linalg.solve(x, y)", WELL(3, 2), N(2, 3, 1))],
    "numpy.linalg.det": [Case("np.linalg.det(x)", WELL(3)), Case("np.linalg.det(x)", WELL(2, 2))],
    "numpy.linalg.slogdet": [Case("np.linalg.slogdet(x)", WELL(3)), Case("np.linalg.slogdet(x)[1]", N(3, 3)),
                             Case("np.linalg.slogdet(x)", WELL(2, 2))],
    "numpy.linalg.cholesky": [Case("np.linalg.cholesky(x)", SPD(3)), Case("np.linalg.cholesky(x)", SPD(2, 2))],
    "numpy.linalg.eigh": [Case("np.linalg.eigh(x)", SPD(3)), Case("np.linalg.eigh(x)[0]", SPD(4)),
                          Case("np.linalg.eigh(x)[1]", SPD(3)), Case("np.linalg.eigh(x, 'U')", SPD(3))],
    "numpy.linalg.eigvalsh": [Case("np.linalg.eigvalsh(x)", SPD(3)), Case("np.linalg.eigvalsh(x, UPLO='U')", SPD(3))],
    "numpy.linalg.qr": [Case("np.linalg.qr(x)", N(3, 3)), Case("np.linalg.qr(x)", N(4, 3)),
                        Case("np.linalg.qr(x)", N(3, 5)),
                        Case("np.linalg.qr(x)[1]", N(3, 2))],
    "numpy.linalg.svd": [Case("np.linalg.svd(x, compute_uv=False)", N(3, 4)),
                         Case("np.linalg.svd(x, compute_uv=False, hermitian=True)", WELL(3)),
                         Case("np.linalg.svd(x, full_matrices=False)", N(4, 3)),
                         Case("np.linalg.svd(x, full_matrices=False)", N(3, 4)), Case("np.linalg.svd(x)", N(3, 3)),
                         Case("np.linalg.svd(x)[1]", N(2, 3))],
    "numpy.linalg.svdvals": [Case("np.linalg.svdvals(x)", N(3, 2))],
    "numpy.full": [Case("np.full((2, 3), x)", N()), Case("np.full((2, 3), x)", N(3))],
    "numpy.full_like": [Case("np.full_like(y, x)", N(), N(2, 3)), Case("np.full_like(y, x * 2.0)", N(3), N(2, 3))],
    # ndarray methods, spelled as methods (rules/methods.py)
    "numpy.ndarray.astype": [Case("x.astype(np.float64)", N(3)), Case("np.sin(x).astype(float)", N(2, 3)),
                             Case("x.astype('float64', copy=False)", N(4))],
    "numpy.ndarray.astype_any": [Case("x.astype(y.dtype)", N(3), CONST(np.zeros(1))),
                                 Case("x.astype(y.dtype) * x", N(2, 3), CONST(np.zeros(1, dtype=int)))],
    "numpy.ndarray.item": [Case("x.item()", N(1)), Case("x.item(2)", N(4)), Case("x.item(1, 0)", N(2, 3)),
                           Case("np.sum(x, keepdims=True).item()", N(2, 2))],
    "numpy.ndarray.tolist": [Case("x.tolist()", N(3)), Case("x.tolist()[1]", N(2, 3))],
    # methods of ufuncs (rules/ufuncs.py): the running sums and products take np.cumsum's and np.cumprod's rules
    "numpy.add.accumulate": [Case("np.add.accumulate(x)", N(3, 4)), Case("np.add.accumulate(x, axis=1)", N(2, 3)),
                             Case("np.add.accumulate(x, -1)", N(2, 3, 2))],
    "numpy.multiply.accumulate": [Case("np.multiply.accumulate(x)", N(3, 4)),
                                  Case("np.multiply.accumulate(x, axis=1)", WITH_ZERO(2, 3))],
    "numpy.add.reduceat": [Case("np.add.reduceat(x, [0, 2, 3])", N(5)),
                           Case("np.add.reduceat(x, [0, 3, 1, 1], axis=1)", N(2, 5))],
    "numpy.logaddexp.reduce": [Case("np.logaddexp.reduce(x)", N(3, 4)),
                               Case("np.logaddexp.reduce(x, axis=1, keepdims=True)", N(2, 3)),
                               Case("np.logaddexp.reduce(x, -1)", N(2, 2, 3)),
                               Case("np.logaddexp.reduce(x, None)", N(5))],
    "numpy.logaddexp.accumulate": [Case("np.logaddexp.accumulate(x)", N(4, 3)),
                                   Case("np.logaddexp.accumulate(x, axis=1)", N(2, 5)),
                                   Case("np.logaddexp.accumulate(x, -2)", N(2, 3, 2))],
    "numpy.maximum.accumulate": [Case("np.maximum.accumulate(x)", SPREAD(4, 3)),
                                 Case("np.maximum.accumulate(x, axis=1)", SPREAD(2, 5)),
                                 Case("np.maximum.accumulate(x, -2)", SPREAD(2, 3, 2))],
    "numpy.minimum.accumulate": [Case("np.minimum.accumulate(x)", SPREAD(4, 3)),
                                 Case("np.minimum.accumulate(x, axis=-1)", SPREAD(2, 5))],
    "numpy.fmax.accumulate": [Case("np.fmax.accumulate(x)", SPREAD(4, 3)),
                              Case("np.fmax.accumulate(x, axis=1)", SPREAD(2, 5))],
    "numpy.fmin.accumulate": [Case("np.fmin.accumulate(x, -1)", SPREAD(2, 5))],
    "numpy.fmax.reduce": [Case("np.fmax.reduce(x)", SPREAD(4, 3)), Case("np.fmax.reduce(x, None)", SPREAD(5)),
                          Case("np.fmax.reduce(x, axis=1, keepdims=True)", SPREAD(2, 3))],
    "numpy.fmin.reduce": [Case("np.fmin.reduce(x, -1)", SPREAD(3, 4))],
    "numpy.logaddexp2.reduce": [Case("np.logaddexp2.reduce(x)", N(3, 4)),
                                Case("np.logaddexp2.reduce(x, axis=1, keepdims=True)", N(2, 3)),
                                Case("np.logaddexp2.reduce(x, None)", N(5))],
}

# ---------------------------------------------------------------- the table of keys without derivative
NONDIFF_CASES = {
    "numpy.all": Nd("np.all(x > -5.0)"), "numpy.any": Nd("np.any(x > 0)"),
    "numpy.allclose": Nd("np.allclose(x, x)"), "numpy.array_equal": Nd("np.array_equal(x, x)"),
    "numpy.argmax": Nd("np.argmax(x)"), "numpy.argmin": Nd("np.argmin(x)"),
    "numpy.nanargmax": Nd("np.nanargmax(x)"), "numpy.nanargmin": Nd("np.nanargmin(x)"),
    "numpy.argpartition": Nd("np.argpartition(x, 1)"), "numpy.argsort": Nd("np.argsort(x)"),
    "numpy.argwhere": Nd("np.argwhere(x > 0)"), "numpy.lexsort": Nd("np.lexsort((x, -x))"),
    "numpy.nonzero": Nd("np.nonzero(x > 0)"), "numpy.flatnonzero": Nd("np.flatnonzero(x > 0)"),
    "numpy.count_nonzero": Nd("np.count_nonzero(x > 0)"),
    "numpy.searchsorted": Nd("np.searchsorted(np.sort(x), 0.1)"),
    "numpy.digitize": Nd("np.digitize(x, [-0.5, 0.0, 0.5])"),
    "numpy.around": Nd("np.around(x, 1)"), "numpy.round": Nd("np.round(x, 2)"), "numpy.rint": Nd("np.rint(x)"),
    "numpy.ceil": Nd("np.ceil(x)"), "numpy.floor": Nd("np.floor(x)"), "numpy.fix": Nd("np.fix(x)"),
    "numpy.trunc": Nd("np.trunc(x)"), "numpy.sign": Nd("np.sign(x)"), "numpy.signbit": Nd("np.signbit(x)"),
    "numpy.floor_divide": Nd("np.floor_divide(x, 0.3)"),
    "numpy.broadcast_shapes": Nd("np.broadcast_shapes(np.shape(x), (1, 4))"),
    "numpy.shape": Nd("np.shape(x)"), "numpy.ndim": Nd("np.ndim(x)"), "numpy.size": Nd("np.size(x)"),
    "numpy.empty": Nd("np.shape(np.empty(3))"), "numpy.empty_like": Nd("np.shape(np.empty_like(x))"),
    "numpy.zeros": Nd("np.zeros((2, 3))"), "numpy.zeros_like": Nd("np.zeros_like(x)"),
    "numpy.ones": Nd("np.ones(3)"), "numpy.ones_like": Nd("np.ones_like(x)"),
    "numpy.eye": Nd("np.eye(3)"), "numpy.identity": Nd("np.identity(3)"), "numpy.tri": Nd("np.tri(3)"),
    "numpy.indices": Nd("np.indices((2, 3))"),
    "numpy.diag_indices": Nd("np.diag_indices(3)"), "numpy.diag_indices_from": Nd("np.diag_indices_from(x)", N(3, 3)),
    "numpy.tril_indices": Nd("np.tril_indices(3)"), "numpy.tril_indices_from": Nd("np.tril_indices_from(x)", N(3, 3)),
    "numpy.triu_indices": Nd("np.triu_indices(3)"), "numpy.triu_indices_from": Nd("np.triu_indices_from(x)", N(3, 3)),
    "numpy.unravel_index": Nd("np.unravel_index(4, (2, 3))"),
    "numpy.ravel_multi_index": Nd("np.ravel_multi_index(([0, 1], [2, 0]), (2, 3))"),
    "numpy.int64": Nd("np.int64(len(x))"), "numpy.int32": Nd("np.int32(x[0] * 3.7)"),
    "numpy.int8": Nd("np.int8(x[0] * 3.7)"), "numpy.int16": Nd("np.int16(x[0] * 3.7)"),
    "numpy.uint8": Nd("np.uint8(x[0] * 3.7 + 5.0)"), "numpy.uint16": Nd("np.uint16(x[0] * 3.7 + 5.0)"),
    "numpy.uint32": Nd("np.uint32(x[0] * 3.7 + 5.0)"), "numpy.uint64": Nd("np.uint64(x[0] * 3.7 + 5.0)"),
    "numpy.bool_": Nd("np.bool_(x[0] > 0.2)"), "numpy.linalg.matrix_rank": Nd("np.linalg.matrix_rank(x)", N(3, 3)),
    "numpy.isclose": Nd("np.isclose(x, 0.0)"), "numpy.isfinite": Nd("np.isfinite(x)"), "numpy.isinf": Nd("np.isinf(x)"),
    "numpy.isnan": Nd("np.isnan(x)"), "numpy.isposinf": Nd("np.isposinf(x)"), "numpy.isneginf": Nd("np.isneginf(x)"),
    "numpy.isreal": Nd("np.isreal(x)"), "numpy.isin": Nd("np.isin(x, x[:2])"),
    "numpy.equal": Nd("np.equal(x, 0.5)"), "numpy.not_equal": Nd("np.not_equal(x, 0.5)"),
    "numpy.greater": Nd("np.greater(x, 0.0)"), "numpy.greater_equal": Nd("np.greater_equal(x, 0.0)"),
    "numpy.less": Nd("np.less(x, 0.0)"), "numpy.less_equal": Nd("np.less_equal(x, 0.0)"),
    "numpy.logical_and": Nd("np.logical_and(x > 0, x < 1)"), "numpy.logical_or": Nd("np.logical_or(x > 1, x < 0)"),
    "numpy.logical_not": Nd("np.logical_not(x > 0)"), "numpy.logical_xor": Nd("np.logical_xor(x > 0, x > 1)"),
    "floordiv": Nd("x // 0.3"),
    "builtins.len": Nd("len(x)"), "builtins.int": Nd("int(x[0] * 10.0)"), "builtins.bool": Nd("bool(x[0] > 0)"),
    "builtins.round": Nd("round(float(x[0]), 1)"),
    "builtins.any": Nd("any([x[0] - 0.1, x[1]])"), "builtins.all": Nd("all([x[0], x[1] * 2.0])"),
    "builtins.range": Nd("s", pre="s = 0.0\nfor i in range(len(x)):\n    s = s + i"),
    "builtins.enumerate": Nd("s", pre="s = 0.0\nfor i, v in enumerate(x):\n    s = s + i * np.floor(v)"),
    "builtins.zip": Nd("s", pre="s = 0.0\nfor a, b in zip(x, x):\n    s = s + np.sign(a * b)"),
    "builtins.print": Nd("0.0", pre="print(np.shape(x))"),
    "builtins.isinstance": Nd("isinstance(x, float)", unsupported_ok=True),
    "builtins.type": Nd("(type(x).__name__ == 'ndarray') * 2.0 + float(type(x[0]) is np.float64)"),
    "math.ceil": Nd("math.ceil(x)", N()), "math.floor": Nd("math.floor(x)", N()),
    "math.trunc": Nd("math.trunc(x)", N()),
    "math.isfinite": Nd("math.isfinite(x)", N()),
    "math.isinf": Nd("math.isinf(x)", N()), "math.isnan": Nd("math.isnan(x)", N()),
    # a slice has no derivative of its own; check the gradient through the subscript it builds
    "slice": Case("x[1:len(x) - 1] * 2.0", N(5)),
    "numpy.ndarray.astype_integer": Nd("(x * 3.0).astype(int) + x.astype(bool) + x.astype('int32')"),
    "numpy.ndarray.dtype": Nd("np.ones(3, dtype=x.dtype) * (x.dtype == np.float64)"),
}


# ---------------------------------------------------------------- the harness

def _library_key(key: str) -> bool:
    """Keys of the built-in tables (operators and numpy/math/builtins); user registrations are not ours.
    (`getattr`, a field of a dataclass or namedtuple argument, needs one of the user's classes: tests/rule_cases.py
    and tests/test_language.py check it in every mode.)"""
    return key != "getattr" and ("." not in key or key.split(".")[0] in ("numpy", "math", "builtins"))


def _reverse_keys() -> list[str]:
    registry._load()
    return sorted(k for k, rule in registry.REVERSE.items() if rule.user is None and _library_key(k))


def _nondiff_keys() -> list[str]:
    registry._load()
    return sorted(k for k in registry.NONDIFF if _library_key(k))


def _rng(key: str, n: int):
    return np.random.default_rng(zlib.crc32(f"{key}/{n}".encode()))


_modules = [0]


def _load(tmp_path, source: str):
    _modules[0] += 1
    name = f"s2s_rule_case_{_modules[0]}"
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.f


def _indent(text: str) -> str:
    return "".join(f"    {line}\n" for line in text.splitlines())


def _is_float(v) -> bool:
    return isinstance(v, float) or (isinstance(v, np.ndarray) and v.dtype.kind == "f")


def _numeric_grad(f, args, i):
    """Central differences of the scalar f with respect to args[i]."""
    def at(value):
        return float(f(*args[:i], value, *args[i + 1:]))
    x = args[i]
    if not isinstance(x, np.ndarray):
        return (at(x + STEP) - at(x - STEP)) / (2 * STEP)
    out = np.zeros(x.shape)
    for idx in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[idx] += STEP
        minus[idx] -= STEP
        out[idx] = (at(plus) - at(minus)) / (2 * STEP)
    return out


def _report(key, case, source, analytic, numeric, i) -> str:
    return (f"{key}: {case.expr!r}, gradient w.r.t. argument {i} differs from central differences\n"
            f"analytic:\n{np.asarray(analytic)!r}\nnumeric:\n{np.asarray(numeric)!r}\n"
            f"generated source:\n{source}")


def _check_case(tmp_path, key: str, n: int, case: Case) -> None:
    rng = _rng(key, n)
    args = [make(rng) for make in case.args]
    names = list(PARAMS[:len(args)])
    env = dict(zip(names, args), np=np, math=math)
    pre_env = dict(env)
    if case.pre:
        exec(case.pre, pre_env)
    out = eval(case.expr, pre_env)
    parts = list(out) if isinstance(out, (tuple, list)) else [out]
    weights = [rng.standard_normal(np.shape(p)) if np.ndim(p) else float(rng.standard_normal()) for p in parts]
    wnames = [f"w{k}" for k in range(len(parts))]
    if isinstance(out, (tuple, list)):
        result = ", ".join(f"r{k}" for k in range(len(parts)))
        body = f"{result} = {case.expr}\nreturn " + " + ".join(f"np.sum(w{k} * r{k})" for k in range(len(parts)))
    else:
        body = f"return np.sum(w0 * ({case.expr}))"
    source = (f"import math\n\nimport numpy as np\n\n\ndef f({', '.join(names + wnames)}):\n"
              f"{_indent(case.pre)}{_indent(body)}")
    f = _load(tmp_path, source)
    full = args + weights
    wrt = case.wrt if case.wrt is not None else tuple(i for i, a in enumerate(args) if _is_float(a))
    grad = s2s.grad(f, wrt=wrt[0] if len(wrt) == 1 else tuple(wrt))
    analytic = grad(*full)
    analytic = (analytic,) if len(wrt) == 1 else analytic
    assert isinstance(analytic, tuple) and len(analytic) == len(wrt)
    for i, a in zip(wrt, analytic):
        numeric = _numeric_grad(f, full, i)
        assert np.shape(a) == np.shape(full[i]), f"{key}: {case.expr!r}: gradient shape {np.shape(a)} " \
                                                 f"for an argument of shape {np.shape(full[i])}\n{grad.source}"
        assert np.allclose(a, numeric, rtol=RTOL, atol=ATOL), _report(key, case, grad.source, a, numeric, i)


def _check_nondiff(tmp_path, key: str, case: Nd) -> None:
    rng = _rng(key, 0)
    x = case.x(rng)
    w = rng.standard_normal(np.shape(x)) if np.ndim(x) else float(rng.standard_normal())
    source = (f"import math\n\nimport numpy as np\n\n\ndef f(x, w):\n{_indent(case.pre)}"
              f"    return np.sum(w * x) + 0.5 * np.sum({case.use})\n")
    f = _load(tmp_path, source)
    grad = s2s.grad(f)
    try:
        analytic = grad(x, w)
    except S2SError as e:
        if case.unsupported_ok:
            pytest.xfail(f"{key}: the compiler does not accept {case.use!r}: {e}")
        raise
    assert np.array_equal(np.asarray(analytic), np.asarray(w)), \
        f"{key}: the gradient through {case.use!r} is not zero\nanalytic:\n{analytic!r}\nexpected:\n{w!r}\n" \
        f"{grad.source}"
    numeric = _numeric_grad(f, [x, w], 0)
    assert np.allclose(numeric, w, rtol=RTOL, atol=ATOL), f"{key}: {case.use!r} is not locally constant"


# ---------------------------------------------------------------- the tests

def test_every_rule_has_a_case():
    missing = [k for k in _reverse_keys() if k not in CASES]
    missing += [k for k in _nondiff_keys() if k not in NONDIFF_CASES]
    assert not missing, f"registered rules without a test entry in tests/test_rules.py: {missing}"


def test_no_case_for_an_unregistered_key():
    stale = sorted(set(CASES) - set(_reverse_keys())) + sorted(set(NONDIFF_CASES) - set(_nondiff_keys()))
    assert not stale, f"test entries for keys with no rule: {stale}"


def test_at_least_150_numpy_keys():
    registry._load()
    numpy_keys = {k for k in set(registry.REVERSE) | registry.NONDIFF if k.startswith("numpy.")}
    assert len(numpy_keys) >= 150, f"only {len(numpy_keys)} NumPy keys are registered"


def test_interp_sample_points_have_a_rule(tmp_path):  # (tests/test_hunt4_rules.py checks it in every mode)
    f = _load(tmp_path, "import numpy as np\n\n\ndef f(x, xp, fp):\n    return np.sum(np.interp(x, xp, fp))\n")
    args = (np.array([0.5]), np.array([0.0, 1.0]), np.array([1.0, 2.0]))
    assert_close(s2s.grad(f, wrt=1)(*args), numeric_grad(f, args, 1), what="grad wrt xp")


@pytest.mark.filterwarnings("ignore:Arrays of 2-dimensional vectors are deprecated")  # np.cross on 2-vectors
@pytest.mark.parametrize("key", _reverse_keys())
def test_reverse_rule(tmp_path, key):
    skip_unless_numpy_has(key)
    cases = CASES.get(key)
    if cases is None:
        pytest.fail(f"no test entry for the rule {key!r}: add one to CASES")
    for n, case in enumerate(cases):
        _check_case(tmp_path, key, n, case)


@pytest.mark.parametrize("key", _nondiff_keys())
def test_nondifferentiable(tmp_path, key):
    case = NONDIFF_CASES.get(key)
    if case is None:
        pytest.fail(f"no test entry for {key!r}: add one to NONDIFF_CASES")
    if isinstance(case, Case):
        _check_case(tmp_path, key, 0, case)
    else:
        _check_nondiff(tmp_path, key, case)


# ---------------------------------------------------------------- np.arange: start + step * k (stop only counts)
@pytest.mark.parametrize("expr", ["np.arange(0.0, x)", "np.arange(x, 4.0, 0.5)", "np.arange(x, 4.0)",
                                  "np.arange(0.25, 3.0, x)", "np.arange(x, 3.0 + x, x / 2)", "np.arange(x, 4.0, dtype=int)"])
def test_arange_against_finite_differences(expr):
    """Linear in start and step; stop decides how many samples there are, piecewise constant: away from the
    points where a sample appears (x = 0.57 is not one), central differences see the same derivative."""
    import linecache
    text = f"def f(x):\n    return np.sum(np.sin({expr}) * x)\n"
    filename = f"<arange {expr}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
    namespace = {"np": np}
    exec(compile(text, filename, "exec"), namespace)
    f = namespace["f"]
    expected = numeric_grad(f, (0.57,), 0)
    assert_close(s2s.grad(f)(0.57), expected, what="grad")
    assert_close(s2s.jvp(f)((0.57,), (1.0,))[1], expected, what="jvp")
    assert_close(s2s.hessian(f)(0.57), numeric_grad(s2s.grad(f), (0.57,), 0), 1e-4, 1e-4, what="hessian")


def test_no_rule_with_constant_arguments_is_called():
    def f(x):
        return np.sum(np.arange(4) * x) + np.sum(np.linspace(0.0, 1.0, 3) * x)
    assert s2s.grad(f)(0.5) == pytest.approx(6.0 + 1.5)


# ---------------------------------------------------------------- one record per primitive: one line, every mode
@pytest.fixture
def scratch_registry():
    """The rule tables as they were, after a test that registers a primitive of its own."""
    from s2s.api import cache
    registry._load()
    saved = (dict(registry.PRIMITIVES), dict(registry.REVERSE), dict(registry.TANGENT), set(registry.NONDIFF),
             dict(registry._OBJECTS))
    yield
    for table, old in zip((registry.PRIMITIVES, registry.REVERSE, registry.TANGENT, registry.NONDIFF,
                           registry._OBJECTS), saved):
        table.clear()
        table.update(old)
    cache.clear()


def _every_mode(f, x, expected_grad, expected_hessian, vector=True):
    assert np.allclose(s2s.grad(f)(x), expected_grad)
    v = np.linspace(-1.0, 1.0, x.size)
    _, tangent = s2s.jvp(f)((x,), (v,))
    assert np.isclose(tangent, expected_grad @ v)
    jac = s2s.jacobian(f, mode="forward")
    assert np.allclose(jac(x), expected_grad)
    # vector mode: one generated function pushes all basis tangents (a linear function that names axes needs a
    # batched form for that, and is otherwise pushed one basis tangent at a time)
    assert ("batch of tangents" in jac.source) == vector
    assert np.allclose(s2s.hessian(f)(x), expected_hessian)


def test_one_elementwise_line_works_in_every_mode(tmp_path, scratch_registry):
    from s2s.rules.primitive import elementwise
    from s2s.rules.symbolic import np as sym_np
    for table in (registry.PRIMITIVES, registry.REVERSE, registry.TANGENT):  # (its own record aside: restored after)
        table.pop("numpy.ldexp")
    assert registry.reverse_rule("numpy.ldexp") is None
    elementwise("numpy.ldexp", lambda ans, x, i: sym_np.exp2(i), None)  # d(x * 2 ** i)/dx = 2 ** i
    f = _load(tmp_path, "import numpy as np\n\n\ndef f(x):\n    return np.sum(np.ldexp(x, 3) * x)\n")
    x = np.array([0.5, -1.0, 2.0])
    _every_mode(f, x, 16.0 * x, 16.0 * np.eye(3))
    assert "np.exp2(3)" in s2s.jvp(f).source


def test_one_linear_line_works_in_every_mode(tmp_path, scratch_registry):
    skip_unless_numpy_has("numpy.cumulative_sum")
    from s2s.rules.primitive import linear
    from s2s.rules.symbolic import np as sym_np
    for table in (registry.PRIMITIVES, registry.REVERSE, registry.TANGENT):  # (rules/breadth.py has its record: the
        table.pop("numpy.cumulative_sum", None)                             # line below makes it again)
    assert registry.reverse_rule("numpy.cumulative_sum") is None
    linear("numpy.cumulative_sum", lambda g, ans, x: sym_np.flip(sym_np.cumsum(sym_np.flip(g))))  # 1-d: the transpose
    f = _load(tmp_path, "import numpy as np\n\n\ndef f(x):\n    return np.sum(np.cumulative_sum(x) * x)\n")
    x = np.array([0.5, -1.0, 2.0, 0.25])
    lower = np.tril(np.ones((4, 4)))  # cumulative_sum(x) = L x, f = x' L x
    _every_mode(f, x, (lower + lower.T) @ x, lower + lower.T, vector=False)
    assert "np.cumulative_sum(dx)" in s2s.jvp(f).source


def test_each_library_primitive_is_defined_in_one_place():
    """A NumPy/math/builtin key is spelled in exactly one module of s2s/rules/: the family holding its record
    (symbolic.py, which spells the attributes `.T`/`.shape` that rules use, aside)."""
    from pathlib import Path
    rules = Path(registry.__file__).parent
    texts = {p.name: p.read_text() for p in rules.glob("*.py") if p.name != "symbolic.py"}
    registry._load()
    scattered = {}
    for key in sorted(set(registry.PRIMITIVES) | registry.NONDIFF):
        if "." in key and _library_key(key):
            where = [name for name, text in texts.items() if f'"{key}"' in text]
            if len(where) != 1:
                scattered[key] = where
    assert not scattered, f"keys not defined in exactly one module of s2s/rules/: {scattered}"


# ---------------------------------------------------------------- higher order through the linear NumPy functions
# (their adjoints call runtime helpers whose records, in rules/runtime_helpers.py, are the transposes)
def _take_cubed(x):
    return np.sum(np.take(x, [2, 0, 2]) ** 3)


def _take_along_sin(x):
    return np.sum(np.sin(np.take_along_axis(x, np.array([[0, 2], [1, 1]]), axis=1)) * x[:, :2])


def _tile_cubed(x):
    return np.sum(np.tile(x, 2) ** 3)


def _repeat_cubed(x):
    return np.sum(np.repeat(x, 2) ** 3)


def _diagonal_and_trace(x):
    return np.sum(np.diagonal(x, 1) ** 3) + np.trace(x) ** 2


def _diag_of_matrix(x):
    return np.sum(np.diag(x) ** 3)


def _diag_of_vector(x):
    return np.sum(np.diag(x * x) * np.cos(x[0]))


def _pad_edge_cubed(x):
    return np.sum(np.pad(x, (1, 2), mode="edge") ** 3)


def _sorted_weighted(x):
    return np.sum(np.sort(x) ** 3 * np.arange(4.0))


def _weighted_average(x):
    return np.sum(np.average(x * x, axis=0, weights=np.array([1.0, 2.0, 0.5])) ** 2)


def _nanmean_squared(x):
    return np.sum(np.nanmean(x * x, axis=1) ** 2)


@pytest.mark.parametrize("f,x", [
    (_pad_edge_cubed, np.array([0.3, -0.5, 1.1])), (_sorted_weighted, np.array([0.3, -1.2, 0.7, 2.0])),
    (_weighted_average, np.arange(6.0).reshape(3, 2) / 7 - 0.2), (_nanmean_squared, np.arange(6.0).reshape(2, 3) / 5),
    (_take_cubed, np.array([0.3, -1.2, 0.7, 2.0])), (_take_along_sin, np.arange(6.0).reshape(2, 3) / 7),
    (_tile_cubed, np.array([0.3, -0.5, 1.1])), (_repeat_cubed, np.array([0.3, -0.5, 1.1])),
    (_diagonal_and_trace, np.arange(9.0).reshape(3, 3) / 5 - 0.3), (_diag_of_matrix, np.array([[0.3, 1.0], [2.0, -0.4]])),
    (_diag_of_vector, np.array([0.3, -0.5, 1.1]))], ids=lambda v: getattr(v, "__name__", ""))
def test_second_derivatives_through_linear_functions(f, x):
    grad = s2s.grad(f)
    n = x.size
    numeric = np.zeros((n, n))
    for i in range(n):
        e = np.zeros(n)
        e[i] = STEP
        e = e.reshape(x.shape)
        numeric[:, i] = ((grad(x + e) - grad(x - e)) / (2 * STEP)).ravel()
    assert np.allclose(s2s.hessian(f)(x).reshape(n, n), numeric, rtol=RTOL, atol=1e-5)
    assert np.allclose(s2s.jacobian(grad)(x).reshape(n, n), numeric, rtol=RTOL, atol=1e-5)  # reverse over reverse


# ---------------------------------------------------------------- rules/breadth.py and np.linalg.cond (tests/test_rules_breadth.py
# checks each in every mode)
CASES.update({
    # (stop only counts the samples: drawn where no sample appears near it, with probability one)
    "numpy.arange": [Case("np.arange(x, 4.0, y)", U(0.1, 0.9), U(0.3, 0.45)), Case("np.arange(x, y)", U(0.1, 0.9), U(3.1, 3.9))],
    "numpy.linspace": [Case("np.linspace(x, y, 5)", N(), N()), Case("np.linspace(x, y, 4, endpoint=False, axis=1)", N(2), N()),
                       Case("np.linspace(x, 2.0, 3)", N(2, 2))],
    "numpy.logspace": [Case("np.logspace(x, y, 4, base=2.0)", N(), N()), Case("np.logspace(x, 0.5, 3, axis=-1)", N(2))],
    "numpy.geomspace": [Case("np.geomspace(x, y, 5)", POS(), POS()), Case("np.geomspace(x, y, 3, endpoint=False)", POS(2),
                                                                                POS())],
    "numpy.bincount": [Case("np.bincount(np.array([0, 2, 2, 3, 0]), weights=x)", N(5)),
                       Case("np.bincount(np.array([1, 1, 4]), x, minlength=7)", N(3))],
    # (counts piecewise constant in x, linear in the weights; edges through x's extremes: rules/histograms.py)
    "numpy.histogram": [Case("np.histogram(x, 3)[1]", SPREAD(5)),
                        Case("np.histogram(x, 4, weights=y)[0] + np.histogram(x, 4, weights=y)[1][1:]", SPREAD(5), N(5)),
                        Case("np.histogram(x, bins=np.array([-2.0, -0.5, 0.0, 1.0, 2.0]), range=(-1, 1), weights=y)[0]",
                             SPREAD(2, 3), N(2, 3))],
    "numpy.histogram2d": [Case("np.histogram2d(x, y, 2)[1] + np.histogram2d(x, y, 2)[2]", SPREAD(5), SPREAD(5)),
                          Case("np.histogram2d(x, y, (2, 3), weights=z)[0]", SPREAD(5), SPREAD(5), N(5))],
    "numpy.histogramdd": [Case("np.histogramdd(x, (2, 3))[1][1][:3] + np.histogramdd(x, 2)[1][0]", SPREAD(5, 2)),
                          Case("np.histogramdd(x, (2, 2), range=[(-3.0, 3.0), None], weights=y)[0]", SPREAD(6, 2),
                               N(6))],
    "numpy.partition": [Case("np.partition(x, 2)", SPREAD(5)), Case("np.partition(x, (0, 2), axis=0)", SPREAD(4, 3)),
                        Case("np.partition(x, 3, axis=None)", SPREAD(2, 3))],
    "numpy.unique": [Case("np.unique(x)", SPREAD(5)), Case("np.unique(x, return_index=True, return_counts=True)", SPREAD(2, 3))],
    "numpy.block": [Case("np.block([[x, y], [z, u]])", N(2, 2), N(2, 1), N(1, 2), N(1, 1)), Case("np.block([x, y])", N(3), N(2))],
    "numpy.choose": [Case("np.choose(np.array([0, 1, 2, 0]), [x, y, z])", N(4), N(4), N()),
                     Case("np.choose(np.array([[3, 1, 0]]), [x, y], mode='wrap')", N(2, 3), N(3))],
    "numpy.insert": [Case("np.insert(x, [1, 3], y)", N(4), N(2)), Case("np.insert(x, 1, y, axis=1)", N(2, 3), N()),
                     Case("np.insert(x, [0, 0], y, axis=0)", N(2, 3), N(3))],
    "numpy.delete": [Case("np.delete(x, 1)", N(4)), Case("np.delete(x, [0, 2], axis=1)", N(2, 3))],
    "numpy.resize": [Case("np.resize(x, (3, 3))", N(4)), Case("np.resize(x, 4)", N(2, 3))],
    "numpy.unwrap": [Case("np.unwrap(x * 3.0)", N(5)), Case("np.unwrap(x, axis=0, period=2.0)", N(3, 2))],
    "numpy.linalg.cond": [Case("np.linalg.cond(x)", N(3, 3)), Case("np.linalg.cond(x, -2)", N(3, 2))],
    "numpy.i0": [Case("np.i0(x)", N(2, 3)), Case("np.i0(x)", N())],
    "numpy.linalg.tensorsolve": [Case("np.linalg.tensorsolve(x, y)", lambda rng: (rng.standard_normal((6, 6)) + 4 * np.eye(6))
                                      .reshape(2, 3, 6), N(2, 3))],
    "numpy.linalg.tensorinv": [Case("np.linalg.tensorinv(x, ind=1)", lambda rng: (rng.standard_normal((4, 4)) + 4 * np.eye(4))
                                    .reshape(4, 2, 2))],
})
if hasattr(np, "cumulative_sum"):  # (NumPy >= 2.1)
    CASES["numpy.cumulative_sum"] = [Case("np.cumulative_sum(x)", N(4)),
                                     Case("np.cumulative_sum(x, axis=0, include_initial=True)", N(3, 2))]
    CASES["numpy.cumulative_prod"] = [Case("np.cumulative_prod(x, axis=1)", N(2, 3)),
                                      Case("np.cumulative_prod(x, include_initial=True)", WITH_ZERO(4))]
if hasattr(np, "trapz") and not hasattr(np, "trapezoid"):  # (NumPy 1.x's names: rules/numpy1.py)
    CASES["numpy.trapz"] = [Case("np.trapz(x)", N(5)), Case("np.trapz(x, dx=0.5, axis=0)", N(4, 2)),
                            Case("np.trapz(x, y)", N(5), SPREAD(5))]
for _old, _new in (("product", "prod"), ("cumproduct", "cumprod")):
    if hasattr(np, _old):
        CASES[f"numpy.{_old}"] = [Case(c.expr.replace(f"np.{_new}(", f"np.{_old}("), *c.args, wrt=c.wrt, pre=c.pre)
                                  for c in CASES[f"numpy.{_new}"] if c.expr.startswith(f"np.{_new}(")]
if hasattr(np, "round_"):
    NONDIFF_CASES["numpy.round_"] = Nd("np.round_(x, 2)")
