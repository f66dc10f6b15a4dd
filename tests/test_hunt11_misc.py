"""Open bugs left from earlier rounds (hunt round 11, fixer fix11misc).

1. np.mean of an empty array: the reverse rule wrote `1.0 / np.size(x)`, a Python division that raised
   ZeroDivisionError (an internal traceback) where NumPy returns nan with a RuntimeWarning; the gradient with
   respect to an empty array is an empty array (the count is taken as at least 1 there: any share of nothing is
   nothing). np.var / np.std of empty and of one entry (ddof=1) follow NumPy's values and JAX's derivatives.
2. np.logaddexp / np.logaddexp2 at infinite operands: the partials exp(x - ans) read inf - inf = nan where an
   operand is +inf (where they are clearly 1 and 0) or both are -inf. Now their limits (rt.logaddexp_share): 1 and
   0 where one operand is larger, 1/2 each where both are the same infinity (the limit along x = y, the tie
   share of max; JAX and PyTorch give nan there, which poisons a log-space sum of zero probabilities).
3. np.polyder(p, m) with m != 1 was refused in reverse mode (forward mode had it); its adjoint is now g times
   np.polyder's weights, 0 for the dropped coefficients (rt.polyder_adjoint(g, p, m)). np.polyint (m, k) and
   np.polyval in p and x were right: checked here in every mode.
5. sum(xs, start) with a list start and array items (`[1.0, 2.0, 3.0] + x` is NumPy's sum, the list read as an
   array) was taken for a join of lists: an IndexError, or `len()` of a number; and an item or start that the sum
   broadcast (sum([x[0], x]), start=x[0]) got the whole array adjoint (ValueError). The rt.started_sum_* helpers
   now join only where start and the items are lists or tuples, sum each adjoint back to its item's shape, and
   refuse a start that both joins and adds.
6. A test folded to a constant before a break (`n = 3; if n > 2: break`, `if LIMIT > 1: break`) stayed in the
   generated code as `if True: break`, the statements after it kept (and saved per iteration, the adjoint under
   `if not True:`). The fold (optimize/branches.py) now drops what follows a block that always leaves, moving
   the rest of a branch's block into the branch that goes on, as the front does for a written `break`.
4. A float32 argument's derivative was float32 or float64 by NumPy's promotion of the rules' constants (np.mean's
   1.0 / n, np.max's tie shares: float64; np.sum(x ** 2): float32), and the Jacobians and the Hessian always
   float64. Now JAX's rule (api/precision.py): the derivative with respect to a float32 (float16) argument has
   its dtype in grad, value_and_grad, vjp, both Jacobians and the Hessian; jvp's tangent has its value's dtype.
"""
import warnings

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian

EMPTY = np.zeros(0)


# ------------------------------------------------------------------ 1. means of empty arrays

def mean_of(x):
    return np.mean(x)


def mean_of_squares(x):
    return np.mean(x ** 2)


def mean_method(x):
    return x.mean()


def column_means(x):
    return np.sum(np.mean(x, axis=0))


def row_means(x):
    return np.sum(np.mean(x, axis=1))


def var_of(x):
    return np.var(x)


def var_1(x):
    return np.var(x, ddof=1)


def std_of(x):
    return np.std(x)


def std_1(x):
    return np.std(x, ddof=1)


def _quiet(call, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return call(*args)


@pytest.mark.parametrize("f, x", [(mean_of, EMPTY), (mean_of_squares, EMPTY), (mean_method, EMPTY),
                                  (column_means, np.zeros((0, 3))), (row_means, np.zeros((0, 3))),
                                  (column_means, np.zeros((3, 0))), (var_of, EMPTY), (var_1, EMPTY),
                                  (std_of, EMPTY), (std_1, EMPTY)])
def test_empty_reductions_give_numpy_values_and_empty_gradients(f, x):
    expected = _quiet(f, x)
    assert np.array_equal(_quiet(s2s.grad(f), x), np.zeros(x.shape))
    assert _quiet(s2s.grad(f), x).shape == x.shape
    value, gradient = _quiet(s2s.value_and_grad(f), x)
    np.testing.assert_array_equal(value, expected)  # (nan where NumPy's is nan)
    assert gradient.shape == x.shape
    value, pullback = _quiet(s2s.vjp(f), x)
    np.testing.assert_array_equal(value, expected)
    assert _quiet(pullback, 1.0).shape == x.shape
    assert _quiet(s2s.jacobian(f), x).shape == x.shape
    assert _quiet(s2s.jacobian(f, mode="forward"), x).shape == x.shape
    value, _ = _quiet(s2s.jvp(f), (x,), (np.ones_like(x),))
    np.testing.assert_array_equal(value, expected)


def test_mean_of_empty_warns_as_numpy_does_and_nothing_more():
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        s2s.grad(mean_of_squares)(EMPTY)
    assert not seen, [str(w.message) for w in seen]  # (the gradient alone reads no mean)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        s2s.value_and_grad(column_means)(np.zeros((0, 3)))
    assert "divide by zero" not in " ".join(str(w.message) for w in seen)


def test_empty_mean_second_order():
    assert _quiet(s2s.hessian(mean_of_squares), EMPTY).shape == (0, 0)
    assert _quiet(s2s.jacobian(s2s.grad(mean_of_squares)), EMPTY).shape == (0, 0)


@pytest.mark.parametrize("f", [mean_of, mean_of_squares, mean_method, var_of, std_of])
def test_one_entry(f):
    x = np.array([2.0])
    value, gradient = s2s.value_and_grad(f)(x)
    assert value == f(x)
    assert_close(gradient, numeric_grad(f, (x,), 0), what=f.__name__)


@pytest.mark.parametrize("f", [var_1, std_1])
def test_one_entry_ddof_1_is_nan_as_numpy_and_jax(f):
    value, gradient = _quiet(s2s.value_and_grad(f), np.array([2.0]))
    assert np.isnan(value) and np.isnan(_quiet(f, np.array([2.0])))
    assert gradient.shape == (1,) and np.isnan(gradient[0])  # (JAX: [nan]; the function is nan everywhere)


def test_nonempty_mean_unchanged():
    x = np.array([1.0, -2.0, 3.0])
    assert_close(s2s.grad(mean_of_squares)(x), 2 * x / 3)
    assert_close(s2s.grad(column_means)(np.ones((2, 3))), np.full((2, 3), 0.5))


# ------------------------------------------------------------------ 2. logaddexp at infinities

INF = np.inf
# (x, y, d/dx, d/dy): the limits; 1/2 each at the same infinity
LIMITS = [(INF, 1.0, 1.0, 0.0), (1.0, INF, 0.0, 1.0), (-INF, 1.0, 0.0, 1.0), (1.0, -INF, 1.0, 0.0),
          (INF, -INF, 1.0, 0.0), (-INF, INF, 0.0, 1.0), (-INF, -INF, 0.5, 0.5), (INF, INF, 0.5, 0.5)]


def logaddexp_of(x, y):
    return np.logaddexp(x, y)


def logaddexp2_of(x, y):
    return np.logaddexp2(x, y)


@pytest.mark.parametrize("f", [logaddexp_of, logaddexp2_of])
@pytest.mark.parametrize("x, y, dx, dy", LIMITS)
def test_logaddexp_at_infinities_takes_the_limits(f, x, y, dx, dy):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no inf - inf warned either)
        value, gradient = s2s.value_and_grad(f, wrt=(0, 1))(x, y)
        assert value == f(x, y)
        assert gradient == (dx, dy)
        assert all(type(d) is float for d in gradient)
        assert s2s.jvp(f, wrt=(0, 1))((x, y), (1.0, 0.0))[1] == dx
        assert s2s.jvp(f, wrt=(0, 1))((x, y), (0.0, 1.0))[1] == dy
        a, b = np.array([x, 0.5]), np.array([y, 0.5])
        for mode in ("reverse", "forward"):
            jx, jy = s2s.jacobian(f, wrt=(0, 1), mode=mode)(a, b)
            np.testing.assert_allclose(jx, np.diag([dx, 0.5]), rtol=1e-15, atol=0)  # (a finite tie: 0.5 - 1 ulp)
            np.testing.assert_allclose(jy, np.diag([dy, 0.5]), rtol=1e-15, atol=0)


def both_logaddexps(v):
    return np.sum(np.logaddexp(v[:2], v[2:]) ** 2) + np.logaddexp2(v[0], v[3]) * v[1]


def test_logaddexp_finite_every_mode():
    check_every_mode(both_logaddexps, np.array([0.3, -1.2, 0.7, 2.0]))


def logaddexp_pair(v):
    return np.logaddexp(v[0], v[1])


@pytest.mark.parametrize("v, h", [([INF, 1.0], 0.0), ([-INF, 1.0], 0.0), ([-INF, -INF], 0.25)])
def test_logaddexp_second_derivative_at_infinities(v, h):
    """share * (1 - share): 0 where one operand takes all, 1/4 at the same infinity (the limit along x = y)."""
    expected = np.array([[h, -h], [-h, h]])
    np.testing.assert_array_equal(s2s.hessian(logaddexp_pair)(np.array(v)), expected)
    np.testing.assert_array_equal(s2s.jacobian(s2s.grad(logaddexp_pair))(np.array(v)), expected)


def log_space_forward(log_a, log_b):
    """An HMM-like sum of probabilities in log space where some are 0 (log 0 = -inf)."""
    total = np.logaddexp(log_a + log_b, np.logaddexp(-np.inf, -np.inf))
    return np.exp(total)


def test_log_space_zero_probabilities_give_a_finite_gradient():
    a, b = np.log(0.3), np.log(0.5)
    assert s2s.grad(log_space_forward, wrt=(0, 1))(a, b) == pytest.approx((0.15, 0.15), rel=1e-12)


# ------------------------------------------------------------------ 3. polynomials: polyder(p, m), polyint, polyval

P5 = np.array([0.5, -1.2, 2.0, 0.3, 1.1])
X0 = 0.7
XS = np.array([0.3, -0.4, 1.5])


def polyder_2(p, x):
    return np.sum(np.polyder(p, 2) * np.arange(1.0, 4.0)) * x


def polyder_3(p, x):
    return np.sum(np.polyder(p, m=3) ** 2) + x


def polyder_0(p, x):
    return np.sum(np.polyder(p, 0) ** 2) * x


def polyder_past_degree(p, x):
    return np.sum(np.polyder(p, 5)) + np.sum(np.polyder(p, 4) ** 2) * x


def polyder_m_a_name(p, x):
    m = 2
    return np.polyval(np.polyder(p, m), x) * x


def polyint_2(p, x):
    return np.sum(np.polyint(p, 2) ** 2) * x


def polyint_constants(p, x):
    return np.sum(np.polyint(p, 2, k=[x, 2.0 * x]) ** 2)


def polyint_one_constant(p, x):
    return np.sum(np.polyint(p, 1, k=x) ** 2)


def polyval_at(p, x):
    return np.polyval(p, x) ** 2


def polyval_array(p, x):
    return np.sum(np.polyval(p, x * XS) ** 2)


def polyval_integral(p, x):
    return np.polyval(np.polyint(p, 2), x) * np.polyval(np.polyder(p, 2), x)


POLYNOMIALS = [polyder_2, polyder_3, polyder_0, polyder_past_degree, polyder_m_a_name, polyint_2, polyint_constants,
               polyint_one_constant, polyval_at, polyval_array, polyval_integral]


@pytest.mark.parametrize("f", POLYNOMIALS)
def test_polynomials_every_mode(f):
    kept = P5.copy()
    for wrt, point in ((0, P5), (1, X0)):
        def alone(v):
            return f(v, X0) if wrt == 0 else f(P5, v)
        numeric = numeric_grad(f, (P5, X0), wrt)
        value, gradient = s2s.value_and_grad(f, wrt=wrt)(P5, X0)
        assert value == f(P5, X0)
        assert_close(gradient, numeric, what=f"{f.__name__} grad {wrt}")
        for mode in ("reverse", "forward"):
            assert_close(s2s.jacobian(f, wrt=wrt, mode=mode)(P5, X0), numeric, what=f"{f.__name__} {mode} {wrt}")
        expected = numeric_hessian(alone, point)
        assert_close(s2s.hessian(f, wrt=wrt)(P5, X0), expected, 1e-4, 1e-5, what=f"{f.__name__} hessian {wrt}")
        assert_close(s2s.jacobian(s2s.grad(f, wrt=wrt), wrt=wrt)(P5, X0), expected, 1e-4, 1e-5,
                     what=f"{f.__name__} grad of grad {wrt}")
    tangent = np.linspace(-1.0, 1.0, 5)
    value, dv = s2s.jvp(f, wrt=(0, 1))((P5, X0), (tangent, 0.5))
    assert value == f(P5, X0)
    assert_close(dv, numeric_grad(f, (P5, X0), 0) @ tangent + 0.5 * numeric_grad(f, (P5, X0), 1))
    assert np.array_equal(P5, kept)


def test_polyder_m_adjoint_is_the_weights():
    """d/dp sum(polyder(p, 2)) for p of degree 4: p[i] (4 - i)(3 - i), so [12, 6, 2, 0, 0]."""
    def total(p):
        return np.sum(np.polyder(p, 2))
    np.testing.assert_array_equal(s2s.grad(total)(P5), [12.0, 6.0, 2.0, 0.0, 0.0])
    np.testing.assert_array_equal(s2s.grad(total)(np.array([3.0])), [0.0])  # (no coefficients left)


# ------------------------------------------------------------------ 5. sum(xs, start) with every kind of start

X3 = np.array([1.0, -2.0, 0.5])


def start_list(x):
    return np.sum(sum([x, 2 * x], [1.0, 2.0, 3.0]) ** 2)


def start_list_of_numbers(x):
    return np.sum(sum([x[0], 2 * x[1]], [1.0, 2.0]) ** 2)


def start_a_number(x):
    return np.sum(sum((x, 2 * x), start=x[0]) ** 2)


def start_active_list(x):
    return np.sum(sum([x * x, x], [x[0], x[1], 3.0 * x[2]]) ** 3)


def start_tuple(x):
    return np.sum(sum([x, x * x], (x[2], 1.0, x[0])) ** 2)


def item_broadcast(x):
    return np.sum(sum([x[0], x, x[1] * x]) ** 2)


def items_lists_array_start(x):
    return np.sum(sum([[x[0], x[1]], x[1:] * x[0]], np.ones(2)) ** 2)


def start_zero(x):
    return np.sum(sum([x, 2 * x], 0) ** 2) + np.sum(sum([x * x, x], 0.0))


def start_array(x):
    return np.sum(sum([x, 2 * x], x * x) ** 2) + np.sum(sum([x, x], np.ones(3)))


def joins_lists(x):
    return np.sum(np.array(sum([[x[0]], [x[1] * x[2]]], [x[2]])) ** 2)


@pytest.mark.parametrize("f", [start_a_number, start_active_list, start_tuple, item_broadcast,
                               items_lists_array_start, start_zero, start_array, joins_lists])
def test_sum_with_a_start_every_mode(f):
    check_every_mode(f, X3)


@pytest.mark.parametrize("f", [start_list, start_list_of_numbers])
def test_sum_with_a_constant_list_start_first_order(f):
    """(The second derivative is refused: the front takes sum(items, [1.0, 2.0]) for a list, which `2 * ...` in the
    gradient's code then repeats; front/lists.py _sum_of_lists.)"""
    check_every_mode(f, X3, hessian=False)


def joins_then_adds(x):
    return np.sum(sum([[x[0]], x[1:2]], [1.0]) ** 2)


def test_a_start_that_joins_and_adds_is_refused_at_the_line():
    with pytest.raises(s2s.S2SError, match="both joins and adds") as info:
        s2s.grad(joins_then_adds)(X3)
    assert "joins_then_adds" in str(info.value) or "sum([[x[0]], x[1:2]], [1.0])" in str(info.value)


# ------------------------------------------------------------------ 6. a constant test before a break

LIMIT = 2


def break_after_constant(x):
    s = 0.0
    for i in range(3):
        s = s + x[i] ** 2
        n = 3
        if n > 2:
            break
        s = s * x[0]
    return s


def break_on_module_constant(x):
    s = 0.0
    for v in x:
        s = s + np.sin(v) * v
        if LIMIT > 1:
            break
    return s


def break_in_a_branch(x):
    s = 0.0
    for i in range(3):
        if x[i] > 0:
            s = s + x[i] ** 2
            n = 3
            if n > 2:
                break
            s = s * x[0]
        s = s + x[1] * x[i]
    return s


def continue_after_constant(x):
    s = x[0]
    n = 3
    k = 0
    while k < 4:
        s = s * x[1] + x[2]
        k = k + 1
        if n > 2:
            continue
        s = s * x[2]
    return s


def break_in_inner_loop(x):
    s = 0.0
    for i in range(3):
        for j in range(3):
            s = s + x[i] * x[j]
            n = 1
            if n == 1:
                break
            s = s * 2.0
        s = s + x[i]
    return s


def both_branches_leave(x):
    s = 0.0
    for i in range(3):
        n = 3
        s = s + x[i] ** 2
        if x[i] > 0:
            if n > 2:
                break
            s = s + 1.0
        else:
            if n < 5:
                continue
            s = s - 1.0
        s = s * 3.0
    return s


def return_after_constant(x):
    s = 0.0
    for i in range(3):
        s = s + x[i] ** 2
        n = 3
        if n > 2:
            return s * x[1]
        s = s * x[0]
    return s


BREAKS = [break_after_constant, break_on_module_constant, break_in_a_branch, continue_after_constant,
          break_in_inner_loop, both_branches_leave, return_after_constant]


@pytest.mark.parametrize("f", BREAKS)
@pytest.mark.parametrize("x", [np.array([1.5, 2.0, 0.5]), np.array([-0.5, 2.0, 1.25]), np.array([0.7, -0.3, 1.1])])
def test_constant_test_before_a_break_every_mode(f, x):
    check_every_mode(f, x)


@pytest.mark.parametrize("f", BREAKS)
def test_constant_test_before_a_break_reads_as_written(f):
    for text in (s2s.grad(f).source, s2s.jvp(f).source, s2s.value_and_grad(f).source):
        assert "if True" not in text and "if not True" not in text and "if False" not in text, text


def test_a_constant_break_drops_what_follows():
    text = s2s.grad(break_after_constant).source
    assert "x[0]" not in text  # (s = s * x[0], after the break, is never reached: not computed, not saved)
    assert text.count("_saved = []") == 1  # (the index only)


# ------------------------------------------------------------------ 4. float32 arguments' derivatives

X32 = np.array([0.5, -1.0, 2.0], dtype=np.float32)


def sum_of_squares(x):
    return np.sum(x ** 2 * 3.0)


def scaled_sum(x):
    return np.sum(x * 2.5) * 0.5


def extremes(x):
    return np.max(x) * np.min(x)


def mean_of_tanh(x):
    return np.mean(np.tanh(x))


def first_times_all(x):
    return np.sum(x[0] * x)


FLOAT32 = [sum_of_squares, scaled_sum, extremes, mean_of_tanh, first_times_all]


@pytest.mark.parametrize("f", FLOAT32)
def test_float32_argument_float32_derivatives_in_every_mode(f):
    x64 = X32.astype(np.float64)
    expected = s2s.grad(f)(x64)
    g = s2s.grad(f)(X32)
    assert g.dtype == np.float32 and g.shape == X32.shape
    assert_close(g, expected, rtol=1e-5)
    value, g = s2s.value_and_grad(f)(X32)
    assert g.dtype == np.float32 and value == f(X32)
    value, pullback = s2s.vjp(f)(X32)
    assert pullback(1.0).dtype == np.float32 and pullback(np.float32(1.0)).dtype == np.float32
    for mode in ("reverse", "forward"):
        j = s2s.jacobian(f, mode=mode)(X32)
        assert j.dtype == np.float32, mode
        assert_close(j, expected, rtol=1e-5)
    h = s2s.hessian(f)(X32)
    assert h.dtype == np.float32 and h.shape == (3, 3)
    assert_close(h, s2s.hessian(f)(x64), rtol=1e-4, atol=1e-5)
    value, tangent = s2s.jvp(f)((X32,), (np.ones(3, dtype=np.float32),))
    # (the value's dtype is the function's: NumPy 1.x promotes np.float32(s) * 0.5 to float64 by value)
    assert value == f(X32) and np.asarray(tangent).dtype == np.asarray(value).dtype == np.asarray(f(X32)).dtype
    assert X32.dtype == np.float32 and X32.tolist() == [0.5, -1.0, 2.0]


def sines_times_float64(x):
    return np.sin(x) * np.float64(2.0)  # (NumPy 2: a float64 value)


def test_jvp_tangent_has_the_value_dtype():
    value, tangent = s2s.jvp(sines_times_float64)((X32,), (np.ones(3, dtype=np.float32),))
    assert value.dtype == tangent.dtype == sines_times_float64(X32).dtype  # (float64 in NumPy 2, float32 in 1.x)


def weighted(x, w):
    return np.mean(np.tanh(x * w)) * 2.5


def test_mixed_precision_arguments_each_their_own():
    w = np.array([1.0, 2.0, 3.0])
    gx, gw = s2s.grad(weighted, wrt=(0, 1))(X32, w)
    assert gx.dtype == np.float32 and gw.dtype == np.float64
    H = s2s.hessian(weighted, wrt=(0, 1))(X32, w)
    assert [[b.dtype for b in row] for row in H] == [[np.float32] * 2, [np.float64] * 2]
    g = s2s.grad(lambda_free_container)({"a": X32, "b": w})
    assert g["a"].dtype == np.float32 and g["b"].dtype == np.float64


def lambda_free_container(p):
    return np.mean(p["a"] ** 2) + np.max(p["b"])


def cube(x):
    return x * x * 3.0


def test_number_arguments():
    g = s2s.grad(cube)(np.float32(2.0))
    assert type(g) is np.float32 and g == 12.0
    assert type(s2s.grad(cube)(2.0)) is float and type(s2s.grad(cube)(np.float64(2.0))) is float
    x = np.array([0.5, 1.5])
    assert s2s.grad(mean_of_tanh)(x).dtype == np.float64
