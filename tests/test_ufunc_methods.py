"""Methods of NumPy ufuncs (rules/ufuncs.py): `np.f.outer`, `.reduce`, `.accumulate`, each in every mode.

Every program is a function of one float array `x` run through every transformation: the value (exactly the
original's), `grad`, `jvp`, `jacobian` in both modes (forward: vector mode, all basis tangents at once),
`hessian` (forward over reverse) and `jacobian(grad(f))` (reverse over reverse); each derivative against central
finite differences of the original function (second derivatives: of its numeric gradient), and the running
extrema's against their analytic form at ties too. The caller's arrays are checked unchanged. The methods and
keywords s2s does not read (`.at`, `.reduceat` other than np.add's, `out=`, `dtype=`, `where=`, `initial=`) are
refused at the user's line, saying what to write instead (`np.add.at` and `np.subtract.at` as statements: tests/test_add_at.py).
"""
from __future__ import annotations

import numpy as np
import pytest
from numpy import add

import s2s

from conftest import assert_close, numeric_grad
from conftest import check_every_mode as check_every_mode_of

R = np.random.default_rng(98)
X34 = R.normal(size=(3, 4))
X5 = np.array([0.3, -0.8, 1.1, 0.6, 1.9])
POS = R.uniform(0.5, 1.5, size=(2, 3))


def check_every_mode(f, x, **options):
    """conftest's check, the values equal to f(x) bit for bit (a ufunc method is lowered to the same NumPy call)."""
    return check_every_mode_of(f, x, exact=True, **options)


def numeric_jacobian(f, x, eps=1e-6):
    out = np.zeros(np.shape(f(x)) + x.shape)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = eps
        out[(...,) + idx] = (f(x + e) - f(x - e)) / (2 * eps)
    return out


def check_jacobians(f, x, vector=True):
    """f(x) (an array): its Jacobian in both modes against finite differences; in forward mode, with all basis
    tangents pushed at once (vector mode) where `vector`."""
    kept = x.copy()
    expected = numeric_jacobian(f, x)
    forward = s2s.jacobian(f, mode="forward")
    assert_close(forward(x), expected, 1e-5, 1e-6, what=f"{f.__name__}: forward jacobian")
    assert_close(s2s.jacobian(f)(x), expected, 1e-5, 1e-6, what=f"{f.__name__}: reverse jacobian")
    value, _ = s2s.vjp(f)(x)
    assert np.array_equal(value, f(x)) and np.asarray(value).dtype == np.asarray(f(x)).dtype
    # vector mode: one generated function pushes all basis tangents at once (a rule without a batched form is
    # pushed one basis tangent at a time)
    assert ("batch of tangents" in forward.source) == vector, forward.source
    assert np.array_equal(x, kept)


# ================================================================ outer
def pairwise_gaussian(x):
    d = np.subtract.outer(x, np.cos(x))
    return np.sum(np.exp(-d ** 2))


def outer_products(x):
    return np.sum(np.tanh(np.multiply.outer(x, x ** 2)))  # (2, 3) x (2, 3) -> (2, 3, 2, 3)


def outer_sums_of_matrix_and_vector(x):
    return np.sum(np.sin(np.add.outer(x, x[0] * 2.0)) * np.add.outer(x[1], 1.0))


def outer_quotients_and_powers(x):
    return np.sum(np.divide.outer(x, 1.5 + x ** 2)) + np.sum(np.power.outer(x, x[:2]))


def outer_angles_and_lengths(x):
    return np.sum(np.arctan2.outer(x, x + 2.0) * np.hypot.outer(x, 1.0 - x))


def outer_extrema(x):
    return np.sum(np.maximum.outer(x, -x - 3.0) ** 2 + np.minimum.outer(x, x + 3.0) ** 3)


def outer_logaddexp_of_numbers(x):
    return np.sum(np.logaddexp.outer(x, 0.5 * x)) + np.multiply.outer(2.0, x[0] * x[1]) + add.outer(x[0], x[1])


def outer_true_divide(x):
    return np.sum(np.true_divide.outer(x, x + 3.0) ** 2)


@pytest.mark.parametrize("f,x", [
    (pairwise_gaussian, X5), (outer_products, POS), (outer_sums_of_matrix_and_vector, POS),
    (outer_quotients_and_powers, POS), (outer_angles_and_lengths, X5), (outer_extrema, X5),
    (outer_logaddexp_of_numbers, X5), (outer_true_divide, POS)], ids=lambda v: getattr(v, "__name__", ""))
def test_outer_in_every_mode(f, x):
    check_every_mode(f, x)


def test_outer_of_matrices_is_the_broadcast_call():
    """np.f.outer(a, b) is np.f(a[..., None, None], b) for a matrix b: analytic gradient of sum(a_ij * b_kl^2)."""
    def f(x):
        return np.sum(np.multiply.outer(x, x ** 2))
    x = POS
    expected = np.sum(x ** 2) + 2.0 * x * np.sum(x)
    assert_close(check_every_mode(f, x), expected, 1e-12, 1e-12, what="analytic")
    assert_close(s2s.grad(f)(x), expected, 1e-12, 1e-12, what="analytic")


def subtract_outer(x):
    return np.subtract.outer(x, x[:3] ** 2)


def maximum_outer_of_matrix(x):
    return np.maximum.outer(x, x[0])


def test_outer_jacobians():
    check_jacobians(subtract_outer, X5)
    check_jacobians(maximum_outer_of_matrix, X34)


def greater_outer_mask(x):
    mask = np.greater.outer(x, x)  # (no derivative: a mask)
    return np.sum(np.where(mask, np.subtract.outer(x, x), 0.0) ** 2)


def test_outer_of_a_comparison_has_no_derivative():
    x = X5
    d = x[:, None] - x[None, :]
    expected = 2.0 * np.sum(np.where(d > 0, d, 0.0), axis=1) - 2.0 * np.sum(np.where(d > 0, d, 0.0), axis=0)
    assert_close(check_every_mode(greater_outer_mask, x), expected, 1e-12, 1e-12, what="analytic")


def test_outer_reads_as_the_elementwise_call():
    source = s2s.grad(pairwise_gaussian).source
    assert "np.subtract(" in source and "np.reshape(x, " in source and ".outer" not in \
        "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#")), source


# ================================================================ reduce
def add_reduce(x):
    return np.sum(np.add.reduce(x ** 2, axis=1) ** 2) + np.sum(np.add.reduce(np.sin(x)) ** 3)


def add_reduce_options(x):
    return np.sum(np.add.reduce(x, 1, keepdims=True) * x) + np.add.reduce(x * x, axis=None) \
        + np.sum(np.add.reduce(x, axis=(0, 1), where=True, dtype=None) * x)


def multiply_reduce(x):
    return np.sum(np.multiply.reduce(x, 1)) + np.sum(np.multiply.reduce(x, axis=-2) ** 2)


def extrema_reduce(x):
    return np.sum(np.maximum.reduce(x, axis=-1) ** 2) + np.sum(np.minimum.reduce(x) ** 3)


def logaddexp_reduce(x):
    return np.sum(np.logaddexp.reduce(x, axis=1) ** 2) + np.sum(np.logaddexp.reduce(x) * x[0])


def logaddexp_reduce_options(x):
    return np.sum(np.logaddexp.reduce(x, axis=-1, keepdims=True) * x) + np.logaddexp.reduce(x[0], axis=None) ** 2


def logaddexp2_reduce(x):
    return np.sum(np.logaddexp2.reduce(x) ** 2) + np.logaddexp2.reduce(x, axis=None) + \
        np.sum(np.logaddexp2.reduce(x * 3.0, axis=1, keepdims=True) * x)


def nan_ignoring_extrema_reduce(x):
    return np.sum(np.fmax.reduce(x) ** 2) + np.sum(np.fmin.reduce(x, axis=1) * x[0, :3]) + \
        np.fmax.reduce(np.sin(x), axis=None) * np.fmin.reduce(x, axis=None, keepdims=True)[0, 0]


@pytest.mark.parametrize("f,x", [
    (add_reduce, X34), (add_reduce_options, X34), (multiply_reduce, X34), (extrema_reduce, X34),
    (logaddexp_reduce, X34), (logaddexp_reduce_options, X34), (logaddexp2_reduce, X34),
    (nan_ignoring_extrema_reduce, X34)], ids=lambda v: getattr(v, "__name__", ""))
def test_reduce_in_every_mode(f, x):
    check_every_mode(f, x)


def test_reduce_reads_as_the_numpy_reduction():
    """np.add.reduce is np.sum with axis=0 (its default, not np.sum's None), np.multiply.reduce np.prod, ..."""
    def f(x):
        return np.sum(np.add.reduce(x) * np.multiply.reduce(x) + np.maximum.reduce(x, 1)[0])
    source = "\n".join(line for line in s2s.value_and_grad(f).source.splitlines() if not line.lstrip().startswith("#"))
    for call in ("np.sum(x, axis=0)", "np.prod(x, axis=0)", "np.max(x, axis=1)"):
        assert call in source, source


def test_logaddexp_reduce_is_the_softmax():
    """d logaddexp.reduce(x, axis=1) / dx = exp(x - ans) along each row, and NumPy's own value, which stays finite
    where exp(x) overflows."""
    def f(x):
        return np.sum(np.logaddexp.reduce(x, axis=1) * np.array([1.0, -2.0, 0.5]))
    x = X34 + 800.0
    value, g = s2s.value_and_grad(f)(x)
    assert value == f(x) and np.isfinite(value)
    soft = np.exp(x - np.max(x, axis=1, keepdims=True))
    soft /= np.sum(soft, axis=1, keepdims=True)
    assert_close(g, soft * np.array([1.0, -2.0, 0.5])[:, None], 1e-12, 1e-14, what="softmax")


def test_logaddexp2_reduce_is_the_softmax_in_base_2():
    """d logaddexp2.reduce(x) / dx = 2 ** (x - ans) (log2 of the sum of 2 ** x), finite where 2 ** x overflows."""
    def f(x):
        return np.logaddexp2.reduce(x * 1.0, axis=None)
    x = X5 + 1100.0
    value, g = s2s.value_and_grad(f)(x)
    assert value == f(x) and np.isfinite(value)
    assert_close(g, np.exp2(x - 1100.0) / np.sum(np.exp2(x - 1100.0)), 1e-12, 1e-14, what="softmax")


def test_fmax_and_fmin_reduce_skip_nan_as_np_nanmax():
    """A NaN entry is skipped by np.fmax.reduce (as np.nanmax, which is that call): its derivative is 0, and the
    extremum's goes to the entry holding it, shared among ties as np.max's."""
    def f(x):
        y = np.where(NAN_AT, np.nan, x)
        return np.sum(np.fmax.reduce(y, axis=1) * np.array([1.0, 2.0, 3.0])) + np.fmin.reduce(y, axis=None)
    x = np.array([[0.5, 2.0, 2.0, 1.0], [3.0, -1.0, 0.0, 4.0], [0.1, 0.2, -0.3, 0.3]])
    value, g = s2s.value_and_grad(f)(x)
    assert value == f(x) and np.isfinite(value)
    expected = np.array([[0, 0.5, 0.5, 0], [2.0, 0, 0, 0], [0, 0, 0, 3.0]])
    expected[2, 2] += 1.0  # (the minimum of the entries that are not NaN: x[1, 1] is NaN)
    assert_close(g, expected, 0, 0, what="grad")
    _, tangent = s2s.jvp(f)((x,), (np.ones_like(x),))
    assert tangent == pytest.approx(np.sum(expected))


NAN_AT = np.array([[True, False, False, False], [False, True, False, False], [False, False, False, False]])
NAN_AT[1, 3] = True


def logaddexp_rows(x):
    return np.logaddexp.reduce(x, axis=1)


def max_reduce_rows(x):
    return np.maximum.reduce(x * x, axis=1)


def test_reduce_jacobians():
    check_jacobians(logaddexp_rows, X34)
    check_jacobians(max_reduce_rows, X34, vector=False)  # (np.max's rule has no vector-mode form)


def logical_reductions(x):
    keep = np.logical_and.reduce(x > -5.0) & np.logical_or.reduce(x > 0.0, axis=1)[0]
    return np.sum(np.where(keep, x, 0.0) ** 2)


def test_logical_reductions_have_no_derivative():
    x = X34
    keep = np.all(x > -5.0, axis=0) & np.any(x > 0.0, axis=1)[0]
    assert_close(check_every_mode(logical_reductions, x), np.where(keep, 2.0 * x, 0.0), 1e-12, 1e-12,
                 what="analytic")


# ================================================================ accumulate
def add_accumulate(x):
    return np.sum(np.add.accumulate(x, axis=1) ** 2) + np.sum(np.add.accumulate(x) * x)


def multiply_accumulate(x):
    return np.sum(np.multiply.accumulate(x, -1) ** 2) + np.sum(np.multiply.accumulate(x))


def running_maximum(x):
    return np.sum(np.maximum.accumulate(x, axis=1) ** 2) + np.sum(np.maximum.accumulate(x) * x)


def nan_ignoring_running_extrema(x):
    return np.sum(np.fmax.accumulate(x, axis=1) ** 2) + np.sum(np.fmin.accumulate(np.cos(x)) * x)


def running_minimum(x):
    return np.sum(np.sin(np.minimum.accumulate(x, axis=-1)) * x) + np.sum(np.minimum.accumulate(x[0] * x[1]) ** 3)


@pytest.mark.parametrize("f,x", [
    (add_accumulate, X34), (multiply_accumulate, X34), (running_maximum, X34), (running_minimum, X34),
    (nan_ignoring_running_extrema, X34)],
    ids=lambda v: getattr(v, "__name__", ""))
def test_accumulate_in_every_mode(f, x):
    check_every_mode(f, x)


def test_accumulate_keeps_numpys_call_with_cumsums_rules():
    source = "\n".join(line for line in s2s.grad(add_accumulate).source.splitlines()
                       if not line.lstrip().startswith("#"))
    assert "np.add.accumulate(x, axis=1)" in source and "rt.cumsum_adjoint(" in source, source
    source = s2s.jvp(multiply_accumulate).source
    assert "np.multiply.accumulate(x, axis=-1)" in source and "rt.cumprod_tangent(" in source, source


def accumulate_of_a_number(x):
    return np.sum(np.add.accumulate(x[0] * x[1])) + np.sum(np.multiply.accumulate(x))


def test_accumulate_of_a_number_raises_as_numpy():
    """np.add.accumulate(3.0) raises TypeError (np.cumsum(3.0, axis=0) would make [3.0]): so does every
    transformation of it."""
    with pytest.raises(TypeError, match="cannot accumulate on a scalar"):
        accumulate_of_a_number(X5)
    for transform in (s2s.grad, s2s.jvp, s2s.hessian):
        with pytest.raises(TypeError, match="cannot accumulate on a scalar"):
            if transform is s2s.jvp:
                transform(accumulate_of_a_number)((X5,), (X5,))
            else:
                transform(accumulate_of_a_number)(X5)


def test_fmax_accumulate_goes_on_past_nan():
    """np.fmax.accumulate skips a NaN entry and goes on (np.maximum.accumulate stops at it): the running maximum
    of [nan, 1, nan, 0.5, 2] is [nan, 1, 1, 1, 2], whose derivatives are x[1]'s three times, then x[4]'s."""
    def f(x):
        return np.fmax.accumulate(np.where(np.isnan(x), np.nan, x * 1.0))
    x = np.array([np.nan, 1.0, np.nan, 0.5, 2.0])
    expected = np.zeros((5, 5))
    expected[1:4, 1] = 1.0
    expected[4, 4] = 1.0
    assert_close(s2s.jacobian(f)(x), expected, 0, 0, what="reverse")
    assert_close(s2s.jacobian(f, mode="forward")(x), expected, 0, 0, what="forward")


def running_max_rows(x):
    return np.maximum.accumulate(x, axis=1)


def running_min_columns(x):
    return np.minimum.accumulate(x * x)


def cumsum_rows(x):
    return np.add.accumulate(x, axis=1)


def test_accumulate_jacobians():
    check_jacobians(running_max_rows, X34)
    check_jacobians(running_min_columns, X34)
    check_jacobians(cumsum_rows, X34, vector=False)  # (np.cumsum's rule has no vector-mode form)


def running_max_vector(x):
    return np.maximum.accumulate(x)


def test_running_maximum_shares_ties_as_np_max():
    """At a tie the derivative of each running maximum is shared equally among the entries holding it, as np.max's
    rule shares it: y = [1, 3, 3, 3, 2, 5]'s running max of x = [1, 3, 2, 3, 2, 5]: y[1] from x[1] alone, y[2]
    from x[1], y[3] from x[1] and x[3] (a half each), y[4] (still 3) the same, y[5] from x[5]."""
    x = np.array([1.0, 3.0, 2.0, 3.0, 2.0, 5.0])
    expected = np.array([[1, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0], [0, .5, 0, .5, 0, 0],
                         [0, .5, 0, .5, 0, 0], [0, 0, 0, 0, 0, 1]])
    assert_close(s2s.jacobian(running_max_vector)(x), expected, 0, 0, what="reverse at ties")
    assert_close(s2s.jacobian(running_max_vector, mode="forward")(x), expected, 0, 0, what="forward at ties")
    # np.max's rule on each prefix gives the same
    for i in range(6):
        def prefix_max(z, i=i):
            return np.max(z[:i + 1])
        assert_close(s2s.grad(prefix_max)(x)[:i + 1], expected[i, :i + 1], 0, 0, what=f"np.max of x[:{i + 1}]")


def test_running_maximum_of_a_constant_line_and_nan():
    """A constant line: every running maximum is a tie of all the entries so far. A NaN entry and those after it
    have no running maximum to follow: their derivative is 0 (np.maximum's at a NaN)."""
    x = np.full(4, 2.0)
    expected = np.tril(np.ones((4, 4))) / np.arange(1, 5)[:, None]
    assert_close(s2s.jacobian(running_max_vector)(x), expected, 1e-15, 0, what="constant")
    assert_close(s2s.jacobian(running_max_vector, mode="forward")(x), expected, 1e-15, 0, what="constant, forward")
    x = np.array([1.0, 2.0, np.nan, 3.0])
    expected = np.array([[1.0, 0, 0, 0], [0, 1.0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    assert_close(s2s.jacobian(running_max_vector)(x), expected, 0, 0, what="nan")


def test_running_extremum_helpers_on_a_long_line_with_ties():
    """The helpers' sums within a level are exact: a large adjoint before a level does not swallow a small one in
    it (sums of a whole line, differenced, would give 0 for 1.0 here)."""
    from s2s import runtime as rt
    x = np.array([0.0, 1.0, 1.0, 2.0] + [2.0] * 300)
    ans = np.maximum.accumulate(x)
    g = np.zeros(x.size)
    g[0], g[-1] = 1e17, 1.0
    out = rt.running_extremum_adjoint(g, ans, x)
    assert out[0] == 1e17 and out[3] == pytest.approx(1.0 / 301, rel=1e-12)
    assert np.sum(out[3:]) == pytest.approx(1.0, rel=1e-12)
    # the tangent is its transpose: <out, d> = <g, tangent(d)>
    d = np.random.default_rng(3).normal(size=x.size)
    assert np.dot(out, d) == pytest.approx(np.dot(g, rt.running_extremum_tangent(d, ans, x)), rel=1e-12)


def test_running_extremum_helpers_with_a_batch_of_tangents():
    from s2s import runtime as rt
    x = X34
    ans = np.minimum.accumulate(x, axis=1)
    d = np.random.default_rng(4).normal(size=(5,) + x.shape)
    batched = rt.running_extremum_tangent(d, ans, x, axis=1)
    assert batched.shape == d.shape
    for k in range(5):
        assert np.array_equal(batched[k], rt.running_extremum_tangent(d[k], ans, x, axis=1))
        assert np.array_equal(rt.running_extremum_adjoint(d, ans, x, axis=1)[k],
                              rt.running_extremum_adjoint(d[k], ans, x, axis=1))


# ================================================================ values exactly NumPy's, arguments unchanged
def every_method(x, y):
    return (np.subtract.outer(x, y), np.add.reduce(x), np.multiply.reduce(y, axis=0, keepdims=True),
            np.maximum.reduce(x, axis=None), np.logaddexp.reduce(y), np.add.accumulate(x),
            np.multiply.accumulate(y), np.maximum.accumulate(x), np.minimum.accumulate(y), np.fmax.reduce(x),
            np.fmin.reduce(y, axis=None), np.logaddexp2.reduce(y), np.fmax.accumulate(x), np.fmin.accumulate(y))


@pytest.mark.parametrize("x,y", [(X5.astype(np.float32), np.arange(1, 4)), (np.arange(6) % 4, X34[0]),
                                 (X34, X34[:, 1:] * 2.0)], ids=["float32-int", "int-float", "matrices"])
def test_values_are_numpys(x, y):
    x0, y0 = x.copy(), y.copy()
    ours = s2s.vjp(every_method, wrt=(0, 1))(x, y)[0] if x.dtype.kind == "f" and y.dtype.kind == "f" else \
        s2s.vjp(every_method, wrt=1 if y.dtype.kind == "f" else 0)(x, y)[0]
    for a, b in zip(ours, every_method(x, y)):
        assert np.array_equal(a, b) and np.asarray(a).dtype == np.asarray(b).dtype, (a, b)
    assert np.array_equal(x, x0) and np.array_equal(y, y0)


# ================================================================ refusals, at the user's line
def add_at(x):
    y = np.zeros(3)
    s = np.add.at(y, [0, 1, 1], x)
    return np.sum(y) + s


def maximum_at_statement(x):
    y = np.zeros(3)
    np.maximum.at(y, [0, 1, 1], x)
    return np.sum(y)


def multiply_reduceat(x):  # (np.add.reduceat has rules: tests/test_hunt4_rules.py)
    return np.sum(np.multiply.reduceat(x, [0, 2]))


def reduce_out(x):
    y = np.zeros(4)
    z = np.add.reduce(x, axis=0, out=y)
    return np.sum(z)


def reduce_dtype(x):
    return np.sum(np.add.reduce(x, 0, np.float32))


def reduce_where(x):
    return np.sum(np.maximum.reduce(x, where=x > 0.0))


def logaddexp_where(x):
    return np.sum(np.logaddexp.reduce(x, where=x > 0.0))


def reduce_initial(x):
    return np.sum(np.multiply.reduce(x, initial=2.0))


def outer_dtype(x):
    return np.sum(np.multiply.outer(x, x, dtype=np.float32))


def subtract_reduce(x):
    return np.sum(np.subtract.reduce(x))


def logaddexp2_accumulate(x):  # (np.logaddexp.accumulate has rules: tests/test_hunt8_reductions.py)
    return np.sum(np.logaddexp2.accumulate(x))


def matmul_outer(x):
    return np.sum(np.matmul.outer(x, x))


def _refused(f, construct, instead, line=None):
    import inspect
    lines, first = inspect.getsourcelines(f)
    call = next(i for i, text in enumerate(lines) if (line or construct.split("(")[0]) in text)
    for transform in (s2s.grad, s2s.jvp):
        with pytest.raises(s2s.UnsupportedSyntaxError) as info:
            transform(f).source
        error = info.value
        assert construct in str(error) and instead in str(error), str(error)
        assert error.lineno == first + call and error.filename == __file__, str(error)


@pytest.mark.parametrize("f,construct,instead", [
    (add_at, "np.add.at()", "write it as a statement of its own"),
    (maximum_at_statement, "np.maximum.at()", "a[i[k]] = np.maximum(a[i[k]], v[k])"),
    (multiply_reduceat, "np.multiply.reduceat()", "np.multiply.reduce(x[i:j])"),
    (reduce_out, "np.add.reduce() with out=", "y = np.add.reduce(...)"),
    (reduce_dtype, "np.add.reduce() with dtype=", "x.astype(np.float64)"),
    (reduce_where, "np.maximum.reduce() with where=", "np.where(mask, x, -np.inf)"),
    (logaddexp_where, "np.logaddexp.reduce() with where=", "np.where(mask, x, -np.inf)"),
    (reduce_initial, "np.multiply.reduce() with initial=", "np.multiply(np.multiply.reduce(x), initial)"),
    (outer_dtype, "np.multiply.outer() with dtype=", "x.astype(np.float64)"),
    (subtract_reduce, "np.subtract.reduce()", "r = x[0]; for v in x[1:]: r = np.subtract(r, v)"),
    (logaddexp2_accumulate, "np.logaddexp2.accumulate()", "out.append(np.logaddexp2(out[-1], v))"),
    (matmul_outer, "np.matmul.outer()", "np.f(a[:, None], b)")], ids=lambda v: getattr(v, "__name__", None))
def test_refused_at_the_users_line(f, construct, instead):
    _refused(f, construct, instead)


def reduce_out_statement(x):
    y = np.zeros(4)
    np.add.reduce(x, axis=0, out=y)
    return np.sum(y)


@pytest.mark.parametrize("f,line", [(reduce_out_statement, "out=y")],
                         ids=lambda v: getattr(v, "__name__", None))
def test_writes_into_an_argument_refused_as_a_statement(f, line):
    """Called for its effect (writing into y through out=), a ufunc method is refused at the user's line, with
    the call that assigns its result instead."""
    _refused(f, "np.add.reduce() with out=", "assign the result instead: y = np.add.reduce(...)", line)


def accumulate_along(x, axis):
    return np.sum(np.add.accumulate(x, axis=axis) ** 2)


def test_accumulate_along_an_axis_known_at_run_time():
    """NumPy's own call runs with the axis it is given (None is refused by NumPy, where np.cumsum would flatten x),
    and so do its rules."""
    for axis in (0, 1, -1):
        expected = numeric_grad(lambda z: accumulate_along(z, axis), (X34,), 0)
        assert_close(s2s.grad(accumulate_along)(X34, axis), expected, 1e-6, 1e-6, what=f"grad, axis={axis}")
        _, tangent = s2s.jvp(accumulate_along)((X34, axis), (np.ones_like(X34),))
        assert tangent == pytest.approx(np.sum(expected), rel=1e-6)
    with pytest.raises(ValueError, match="accumulate does not allow multiple axes"):  # (NumPy's words)
        s2s.grad(accumulate_along)(X34, None)

    def constant_data(x, axis):
        return np.sum(np.add.accumulate(np.ones((2, 3)), axis=axis) * x)
    assert_close(s2s.grad(constant_data)(X34[:2, :3], 1), np.cumsum(np.ones((2, 3)), axis=1), 0, 0, what="constant")
