"""Round 15 fixes of legal programs s2s refused (fix15lang).

1: math.prod of a generator expression or of map(...) (`math.prod(np.sin(v) for v in x)`) was refused as an
iterator not read wholly where it is made: math.prod reads its iterable wholly, at once, as sum() and math.fsum() do.

2: functools.reduce(f, xs[, initial]) and filter(f, xs) of a lambda or a function of the module were refused (the
lambda "used as a value here"): reduce is the loop carrying the accumulator, filter the generator expression
`(v for v in xs if f(v))`, read wholly where made or looped over (front/folds.py).

3: np.imag(x) and x.imag had no rule: of a real x they are 0 (rt.imag_adjoint: zeros; a complex x, data multiplied
in, is refused in reverse mode, as every derivative through complex numbers is). np.real and x.real were exact.

4: np.quantile, np.percentile, np.nanquantile and np.nanpercentile had no derivative in q: for method='linear' it is
c (x_sorted[hi] - x_sorted[lo]) (c = n - 1, / 100 for a percentile) on the segment q (n - 1) lies on, along the axis
(rt.quantile_q_tangent); the derivatives in q of the helpers of the derivative in x make second derivatives exact.

5: any() and all() of a list (or of filter(...)) whose items carry derivatives were refused ("no derivative rule"):
their result is a bool, which carries none.
"""
from __future__ import annotations

import functools
import math
import operator
from functools import reduce

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

X = np.array([0.3, -0.4, 0.8, 1.1])


# ------------------------------------------------------------------ 1: math.prod of a generator expression
def prod_generator(x):
    return math.prod(np.sin(v) for v in x)


def prod_generator_start(x):
    return math.prod((v * v + 1.0 for v in x), start=2.0)


def prod_map(x):
    return math.prod(map(np.cos, x))


def prod_zip(x):
    return math.prod(a * b + 0.5 for a, b in zip(x, x[::-1]))


def prod_stored_generator(x):
    g = (np.tanh(v) for v in x)
    return math.prod(g)


def prod_list(x):
    return math.prod([np.sin(v) for v in x])


def prod_array(x):
    return math.prod(x)


def min_generator(x):
    return min(np.sin(v) for v in x)


def max_generator(x):
    return max(v * v for v in x)


@pytest.mark.parametrize("f", [prod_generator, prod_generator_start, prod_map, prod_zip, prod_stored_generator,
                               prod_list, prod_array, min_generator, max_generator], ids=lambda f: f.__name__)
def test_prod_min_max_of_a_generator(f):
    assert s2s.grad(f)(X) is not None
    check_every_mode(f, X)
    _, pullback = s2s.vjp(f)(X)
    assert_close(pullback(2.0), 2.0 * numeric_grad(f, (X,), 0), what=f"{f.__name__}: vjp")


def test_prod_generator_value():
    assert s2s.value_and_grad(prod_generator)(X)[0] == pytest.approx(np.prod(np.sin(X)), rel=1e-14)


# ------------------------------------------------------------------ 2: functools.reduce and filter of a lambda
def combine(a, b):
    return a * np.sin(b) + b


def keep(v):
    return v < 1.0


def reduce_lambda(x):
    return functools.reduce(lambda a, b: a * b + 1.0, x)


def reduce_initial(x):
    return functools.reduce(lambda a, b: a * b + 1.0, x, 0.5)


def reduce_named(x):
    return reduce(combine, x)


def reduce_generator(x):
    return reduce(combine, (v * v for v in x), 1.0)


def reduce_operator(x):
    return functools.reduce(operator.mul, x)


def reduce_ufunc_list(x):
    return functools.reduce(np.multiply, [np.sin(v) for v in x])


def reduce_nested_def(x):
    scale = x[0]

    def step(acc, v):
        return acc + scale * v * v

    return functools.reduce(step, x[1:], 0.0)


def reduce_in_loop(x):
    total = 0.0
    for k in range(2):
        total = total + functools.reduce(lambda a, b: a * b - k, x)
    return total


def filter_sum(x):
    return sum(filter(lambda v: v > 0, x))


def filter_list(x):
    return sum(v * v for v in list(filter(lambda v: v > 0, x)))


def filter_none(x):
    return sum(filter(None, x * x - 0.5))


def filter_named(x):
    return sum(np.sin(v) for v in filter(keep, x))


def filter_loop(x):
    s = 0.0
    for v in filter(lambda v: v > 0, x):
        s = s + np.sin(v) * s + v
    return s


def filter_stored(x):
    kept = filter(lambda v: v > 0, x)
    return sum(kept) * 2.0


def filter_then_reduce(x):
    return functools.reduce(lambda a, b: a * b, filter(lambda v: v > 0, x), 1.0)


def filter_zip(x):
    return sum(a * b for a, b in filter(lambda p: p[0] > 0, zip(x, x[::-1])))


def filter_enumerate_loop(x):
    s = 0.0
    for i, v in filter(lambda p: p[0] % 2 == 0, enumerate(x)):
        s = s + (i + 1) * np.sin(v)
    return s


def filter_zip_stored(x):
    pairs = filter(None, zip(x, x * x))
    return sum(a - b for a, b in list(pairs))


def filter_of_reduce_tuple(x):
    s, p = functools.reduce(lambda acc, v: (acc[0] + v, acc[1] * v), x, (0.0, 1.0))
    return s * p


FOLDS = [filter_zip, filter_enumerate_loop, filter_zip_stored, filter_of_reduce_tuple, reduce_lambda, reduce_initial, reduce_named, reduce_generator, reduce_operator, reduce_ufunc_list,
         reduce_nested_def, reduce_in_loop, filter_sum, filter_list, filter_none, filter_named, filter_loop,
         filter_stored, filter_then_reduce]


@pytest.mark.parametrize("f", FOLDS, ids=lambda f: f.__name__)
def test_reduce_and_filter_of_a_function(f):
    check_every_mode(f, X)
    _, pullback = s2s.vjp(f)(X)
    assert_close(pullback(-1.5), -1.5 * numeric_grad(f, (X,), 0), what=f"{f.__name__}: vjp")


def reduce_rows(x):
    rows = [x * x, np.sin(x), x + 1.0]
    return functools.reduce(lambda a, b: a * b, rows)


def test_reduce_of_arrays_jacobian():
    expected = np.diag(2 * X * np.sin(X) * (X + 1) + X * X * np.cos(X) * (X + 1) + X * X * np.sin(X))
    assert_close(reduce_rows(X), X * X * np.sin(X) * (X + 1), what="value")
    assert_close(s2s.jacobian(reduce_rows)(X), expected, what="reverse jacobian")
    assert_close(s2s.jacobian(reduce_rows, mode="forward")(X), expected, what="forward jacobian")
    v = np.linspace(-1.0, 1.0, X.size)
    assert_close(s2s.jvp(reduce_rows)((X,), (v,))[1], expected @ v, what="jvp")


def test_reduce_values_and_errors():
    assert s2s.value_and_grad(reduce_lambda)(X)[0] == reduce_lambda(X)
    assert s2s.value_and_grad(filter_then_reduce)(X)[0] == filter_then_reduce(X)
    with pytest.raises(TypeError, match="reduce\\(\\) of empty iterable"):
        s2s.grad(reduce_lambda)(np.array([]))


# ------------------------------------------------------------------ 3: np.imag, np.real, .imag, .real of reals
def imag_of_real(x):
    return np.sum(x ** 2) + np.sum(np.imag(x))


def imag_attribute(x):
    return np.sum(np.sin(x) * (x.imag + 1.0))


def real_of_real(x):
    return np.sum(np.real(x) ** 3) + np.sum(x.real * x)


def number_parts(x):
    v = x[0] * x[1]
    return v.real * v + np.imag(v) + v.imag * x[2] + np.real(v) * x[3]


def imag_product(x):
    return np.sum(np.imag(x) * x + np.real(x * x) * np.cos(x))


@pytest.mark.parametrize("f", [imag_of_real, imag_attribute, real_of_real, number_parts, imag_product],
                         ids=lambda f: f.__name__)
def test_real_and_imaginary_parts_of_reals(f):
    check_every_mode(f, X)
    _, pullback = s2s.vjp(f)(X)
    assert_close(pullback(0.5), 0.5 * numeric_grad(f, (X,), 0), what=f"{f.__name__}: vjp")


def parts_vector(x):
    return np.imag(x) + np.real(x) * x.real + x.imag


def test_parts_jacobian():
    assert_close(s2s.jacobian(parts_vector)(X), np.diag(2 * X), what="reverse jacobian")
    assert_close(s2s.jacobian(parts_vector, mode="forward")(X), np.diag(2 * X), what="forward jacobian")


def imag_of_complex(x, c):
    return np.sum(np.imag(x * c))


def test_imag_of_a_complex_value_is_refused_in_reverse_mode_and_exact_in_forward_mode():
    c = np.array([1.0 + 2.0j, 1.0j, 2.0, 1.0])
    with pytest.raises(s2s.S2SError, match="np.imag .* of a complex value"):
        s2s.grad(imag_of_complex)(X, c)
    v = np.array([0.5, -1.0, 2.0, 0.25])
    value, tangent = s2s.jvp(imag_of_complex)((X, c), (v,))
    assert value == pytest.approx(imag_of_complex(X, c)) and tangent == pytest.approx(np.sum(c.imag * v))


# ------------------------------------------------------------------ 4: quantiles in q
DATA = np.array([0.3, -0.7, 1.2, 0.4, 2.0, -1.1, 0.8, 1.7, -0.2, 0.05, 1.4, -0.45])  # n = 12: kinks at q = k / 11
ROWS = DATA.reshape(3, 4)  # along axis 1: kinks at k / 3; along axis 0 at k / 2
GAPPY = np.where(DATA > 1.5, np.nan, DATA)  # 10 entries not nan: kinks at k / 9
Z = np.array([0.32, 0.61, 0.84])


def quantile_in_q(z):
    return np.quantile(DATA, z[0]) * np.quantile(DATA, z[1]) + np.quantile(DATA, z[2]) ** 2


def percentile_in_q(z):
    return np.sum(np.percentile(ROWS, z * 100.0, axis=1) ** 2)


def quantiles_in_q(z):
    return np.sum(np.sin(np.quantile(ROWS, z[:2], axis=0, keepdims=True)))


def nanquantile_in_q(z):
    return np.nanquantile(GAPPY, z[0]) + np.sum(np.nanpercentile(GAPPY, z * 100.0) ** 2)


def quantile_q_of_data(z):
    q = 0.2 + 0.6 / (1.0 + np.exp(-z[0]))  # q and the data both computed from z: mixed second derivatives
    return np.quantile(z * DATA[:3], q) ** 2 + np.median(z) * q


def quantile_list_q(z):
    return np.sum(np.quantile(DATA, [z[0], z[1] * z[2]]) ** 2)


@pytest.mark.parametrize("f", [quantile_in_q, percentile_in_q, quantiles_in_q, nanquantile_in_q, quantile_q_of_data,
                               quantile_list_q], ids=lambda f: f.__name__)
def test_quantile_in_q(f):
    check_every_mode(f, Z)
    _, pullback = s2s.vjp(f)(Z)
    assert_close(pullback(0.7), 0.7 * numeric_grad(f, (Z,), 0), what=f"{f.__name__}: vjp")


def test_quantile_slope_is_the_segments():
    xs, n = np.sort(DATA), DATA.size
    for q in (0.32, 0.61, 1.0, 0.0):  # (at q = 1 the last segment, at 0 the first: the one-sided derivatives)
        lo = min(int(np.floor(q * (n - 1))), n - 2)
        expected = (xs[lo + 1] - xs[lo]) * (n - 1)
        assert s2s.grad(lambda_free_quantile)(q, DATA) == pytest.approx(expected, rel=1e-12)
        assert s2s.grad(lambda_free_percentile)(q * 100.0, DATA) == pytest.approx(expected / 100.0, rel=1e-12)


def lambda_free_quantile(q, x):
    return np.quantile(x, q)


def lambda_free_percentile(p, x):
    return np.percentile(x, p)


def quantiles_vector(q, x):
    return np.quantile(x, q, axis=1)


def test_quantile_jacobian_in_q_and_x():
    q = np.array([0.2, 0.5, 0.9])  # (n = 4 along axis 1: kinks at k / 3)
    numeric_q = np.stack([(quantiles_vector(q + e, ROWS) - quantiles_vector(q - e, ROWS)) / 2e-6
                          for e in np.eye(3) * 1e-6], axis=-1)
    for mode in ("reverse", "forward"):
        jq, jx = s2s.jacobian(quantiles_vector, wrt=(0, 1), mode=mode)(q, ROWS)
        assert_close(jq, numeric_q, what=f"{mode} jacobian in q")
        assert jx.shape == (3, 3, 3, 4)
    _, tangent = s2s.jvp(quantiles_vector)((q, ROWS), (np.array([1.0, -2.0, 0.5]),))
    assert_close(tangent, numeric_q @ np.array([1.0, -2.0, 0.5]), what="jvp in q")


def other_method(q, x):
    return np.quantile(x, q, method="nearest")


def test_other_methods_are_refused_in_q():
    with pytest.raises(s2s.S2SError, match="method other than 'linear'"):
        s2s.grad(other_method)(0.3, DATA)


# ------------------------------------------------------------------ 5: any() and all() of a list of floats
def any_of_list(x):
    return np.sum(x * x) * (2.0 if any([v for v in x if v > 1.0]) else 1.0)


def all_of_filter(x):
    return np.sum(np.sin(x)) + (0.5 if all(filter(lambda v: v > 0, x)) else -0.5) * x[0]


def any_of_values(x):
    return x[0] * x[1] if any([x[0], x[1] - 1.0]) else x[2]


@pytest.mark.parametrize("f", [any_of_list, all_of_filter, any_of_values], ids=lambda f: f.__name__)
def test_any_and_all_of_floats(f):
    check_every_mode(f, X)
