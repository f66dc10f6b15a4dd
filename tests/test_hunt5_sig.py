"""Regressions from the fifth bug hunt of signal, PDE and time-series code (hunt5sig): views taken for copies,
np.interp at a repeated sample point, np.convolve of a number, axis reductions of a number, np.gradient's spacing,
and the refusals' messages."""
import warnings

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

# ---------------------------------------------------------------- 1. calls whose result is their operand or a view


def _conj_written(x):
    y = x * 1.0
    v = y.conj()  # a real array's .conj() is the array itself
    v[0] = 5.0 * x[1]
    return np.sum(y * x)


def _conj_added(x):
    y = x * 1.0
    v = y.conjugate()
    v += 1.0
    return np.sum(y * x)


def _matrix_transpose_added(x):
    y = x * 1.0
    v = np.linalg.matrix_transpose(y)  # a view of y, as y.T
    v += 1.0
    return np.sum(y * x)


def _matrix_transpose_stale(x):
    y = x * 1.0
    v = np.linalg.matrix_transpose(y)
    y[0, 0] = 7.0 * x[1, 1]  # v shows the change
    return np.sum(v ** 2)


def _astype_no_copy_written(x):
    y = x * 1.0
    v = np.astype(y, np.float64, copy=False)  # y itself
    v[0] = 5.0 * x[1]
    return np.sum(y * x)


def _unbound_view_written(x):
    y = x * 1.0
    v = np.ndarray.view(y)
    v[0] = 5.0 * x[1]
    return np.sum(y * x)


def _unbound_conj_written(x):
    y = x * 1.0
    v = np.ndarray.conj(y)
    v[0] = 5.0 * x[1]
    return np.sum(y * x)


_VIEW_WRITES = [_conj_written, _conj_added, _unbound_view_written, _unbound_conj_written]
if hasattr(np.linalg, "matrix_transpose"):
    _VIEW_WRITES += [_matrix_transpose_added, _matrix_transpose_stale]
if hasattr(np, "astype"):
    _VIEW_WRITES += [_astype_no_copy_written]


@pytest.mark.parametrize("f", _VIEW_WRITES, ids=lambda f: f.__name__)
def test_a_write_through_a_call_returning_its_operand_or_a_view_is_refused(f):
    # NumPy writes y through v (or v shows a write into y): s2s took v for a new array and gave another value
    # (_conj_written: 2.02 where NumPy gives 0.13) and the derivative without the write; now it refuses the
    # write at the user's line, as for y.T or np.real(y)
    x = np.array([[0.3, -1.2], [0.5, 1.1]]) if "matrix" in f.__name__ else np.array([0.3, -1.2, 0.7])
    with pytest.raises(s2s.S2SError) as caught:
        s2s.value_and_grad(f)(x)
    assert f"{f.__code__.co_filename}:" in str(caught.value)


def _conj_read(x):
    v = (x * x).conj()
    return np.sum(v * x)


def _matrix_transpose_read(x):
    v = np.linalg.matrix_transpose(x * x)
    return np.sum(v[0] * x[:, 1])


def test_reading_conj_and_matrix_transpose_keeps_its_derivative():
    # d/dx sum(x^3) = 3x^2, in every mode; the method is spelled as written, its derivatives with np.conj
    x = np.array([0.3, -1.2, 0.7])
    gradient = check_every_mode(_conj_read, x, exact=True)
    np.testing.assert_allclose(gradient, 3 * x ** 2, rtol=1e-12)
    assert "(x * x).conj()" in s2s.grad(_conj_read).source
    if hasattr(np.linalg, "matrix_transpose"):
        X = np.array([[0.3, -1.2], [0.5, 1.1]])
        # sum_i X[i, 0]^2 X[i, 1]
        analytic = np.stack([2 * X[:, 0] * X[:, 1], X[:, 0] ** 2], axis=1)
        np.testing.assert_allclose(check_every_mode(_matrix_transpose_read, X), analytic, rtol=1e-12)


# ---------------------------------------------------------------- 2. np.interp at repeated last sample points

_STEP_XP = np.array([0.0, 1.0, 2.0, 2.0])  # a step table: the last two sample points coincide (a jump at 2)


def _interp_at_step(fp):
    return np.interp(2.0, _STEP_XP, fp)  # NumPy's value is fp[3]: linear in fp


def _interp_step(x, xp, fp):
    return np.interp(x, xp, fp)


def test_interp_at_a_repeated_last_sample_point_reads_the_value_numpy_returns():
    # the gradient in fp was [0, 0, nan, nan] (the segment of no width [2, 2]) where NumPy's value is fp[3]
    fp = np.array([1.0, 2.0, 3.0, 4.0])
    assert _interp_at_step(fp) == fp[3]
    expected = np.array([0.0, 0.0, 0.0, 1.0])
    np.testing.assert_array_equal(s2s.grad(_interp_at_step)(fp), expected)
    np.testing.assert_array_equal(s2s.jacobian(_interp_at_step)(fp), expected)
    np.testing.assert_array_equal(s2s.jacobian(_interp_at_step, mode="forward")(fp), expected)
    np.testing.assert_array_equal(s2s.hessian(_interp_at_step)(fp), np.zeros((4, 4)))
    # in x and xp at the jump: NumPy's value is constant to the right (fp[3]), so the derivative is the
    # right-sided difference, 0 (the left side jumps from 3 to 4); it was inf
    x, xp, h = 2.0, _STEP_XP.copy(), 1e-6
    right = (_interp_step(x + h, xp, fp) - _interp_step(x, xp, fp)) / h
    grads = s2s.grad(_interp_step, wrt=(0, 1, 2))(x, xp, fp)
    assert float(grads[0]) == right == 0.0
    assert s2s.jvp(_interp_step)((x, xp, fp), (1.0,))[1] == 0.0
    lower = xp.copy()
    lower[3] -= h  # moving the last point left keeps the value fp[3] (right moves would put x inside [2, 2 + h])
    assert (_interp_step(x, lower, fp) - _interp_step(x, xp, fp)) / h == 0.0
    np.testing.assert_array_equal(grads[1], np.zeros(4))
    np.testing.assert_array_equal(grads[2], expected)
    np.testing.assert_array_equal(s2s.jvp(_interp_step, wrt=1)((x, xp, fp), (np.ones(4),))[1], 0.0)
    # second derivatives: the slope there is 0, so is its derivative in fp
    np.testing.assert_array_equal(s2s.grad(s2s.grad(_interp_step), wrt=2)(x, xp, fp), np.zeros(4))
    # left of the jump, on [1, 2]: the usual slope, against central differences in x, xp and fp
    for i, arg in enumerate((1.7, xp, fp)):
        args = (1.7, xp, fp)
        assert_close(s2s.grad(_interp_step, wrt=i)(*args), numeric_grad(_interp_step, args, i), what=f"arg {i}")
        assert_close(s2s.jacobian(_interp_step, wrt=i, mode="forward")(*args), numeric_grad(_interp_step, args, i))


# ---------------------------------------------------------------- 3. np.convolve of a number (a one-tap kernel)


def _gain(x, a):
    return np.sum(np.convolve(x, a) ** 2)


def _gain_same(a, x):
    return np.sum(np.convolve(a, x, mode="same") ** 3)


@pytest.mark.parametrize("a", [0.7, np.float64(0.7), np.array(0.7)], ids=["float", "float64", "0-d"])
def test_convolve_with_a_number_differentiates_in_both_operands(a):
    # NumPy takes a number for a one-entry kernel; the gradient raised TypeError (len() of a float)
    x = np.array([0.3, -1.2, 0.7])
    ga = s2s.grad(_gain, wrt=1)(x, a)
    assert np.shape(ga) == () and ga == pytest.approx(2 * 0.7 * np.sum(x * x), rel=1e-12)  # d/da a^2 |x|^2
    np.testing.assert_allclose(s2s.grad(_gain)(x, a), 2 * 0.7 ** 2 * x, rtol=1e-12)
    assert s2s.jvp(_gain, wrt=1)((x, a), (1.0,))[1] == pytest.approx(2 * 0.7 * np.sum(x * x), rel=1e-12)
    assert s2s.hessian(_gain, wrt=1)(x, a) == pytest.approx(2 * np.sum(x * x), rel=1e-12)
    np.testing.assert_allclose(s2s.jacobian(_gain, mode="forward")(x, a), 2 * 0.7 ** 2 * x, rtol=1e-12)
    # the number first, 'same' mode: sum((a x)^3), d/da = 3 a^2 sum(x^3), d/dx = 3 a^3 x^2
    assert s2s.grad(_gain_same)(a, x) == pytest.approx(3 * 0.7 ** 2 * np.sum(x ** 3), rel=1e-12)
    np.testing.assert_allclose(s2s.grad(_gain_same, wrt=1)(a, x), 3 * 0.7 ** 3 * x ** 2, rtol=1e-12)
    assert_close(s2s.grad(s2s.grad(_gain_same), wrt=1)(a, x), numeric_grad(s2s.grad(_gain_same), (a, x), 1))


# ---------------------------------------------------------------- 4. reductions along axis 0 or -1 of a number


def _energy(x):
    return np.sum(x ** 2, axis=-1)  # written for a batch of vectors; NumPy takes a number too


def _peak(x):
    return np.max(x ** 2, axis=0) + np.min(x, axis=-1, keepdims=True)


def _gain0(x):
    return np.prod(x ** 2, axis=0) * np.nanmean(x, axis=-1) + np.ptp(x, axis=0)


def _running(x):
    return np.sum(np.cumsum(x ** 3, axis=0) * np.nansum(x, axis=-1, keepdims=True))


@pytest.mark.parametrize("f, derivative, second", [
    (_energy, lambda x: 2 * x, lambda x: 2.0),
    (_peak, lambda x: 2 * x + 1, lambda x: 2.0),
    (_gain0, lambda x: 3 * x ** 2, lambda x: 6 * x),
    (_running, lambda x: 4 * x ** 3, lambda x: 12 * x ** 2),
], ids=lambda v: getattr(v, "__name__", ""))
@pytest.mark.parametrize("x", [0.7, np.float64(-1.3), np.array(0.7)], ids=["float", "float64", "0-d"])
def test_reductions_along_axis_0_of_a_number_in_every_mode(f, derivative, second, x):
    # grad raised ZeroDivisionError (rt.sum_adjoint, rt.prod_adjoint: an axis modulo ndim 0), the jvp of max the
    # same (rt.extremum_tangent), the forward Jacobian AxisError (rt.batch_sum reduced the batch of tangents)
    value = float(x)
    assert float(s2s.grad(f)(x)) == pytest.approx(derivative(value), rel=1e-12)
    assert float(s2s.jvp(f)((x,), (1.0,))[1]) == pytest.approx(derivative(value), rel=1e-12)
    assert float(s2s.jacobian(f)(x)) == pytest.approx(derivative(value), rel=1e-12)
    assert float(s2s.jacobian(f, mode="forward")(x)) == pytest.approx(derivative(value), rel=1e-12)
    assert float(s2s.hessian(f)(x)) == pytest.approx(second(value), rel=1e-9)
    assert float(s2s.grad(s2s.grad(f))(x)) == pytest.approx(second(value), rel=1e-9)
    assert float(s2s.grad(f)(x)) == pytest.approx(float(numeric_grad(f, (value,), 0)), rel=1e-6)


# ---------------------------------------------------------------- 5. np.gradient in its spacing


def _rate_energy(y, dt):
    return np.sum(np.gradient(y, dt) ** 2)


def _rate_of_rows(Y, dx):
    return np.sum(np.gradient(Y, dx, axis=1, edge_order=2) * Y)


def _rate_at_coordinates(y, t):
    return np.sum(np.gradient(y, t) ** 2)


def _rates_of_both_axes(Y, dx):
    gy, gx = np.gradient(Y, dx)
    return np.sum(gy * gx)


def test_gradient_is_differentiated_in_a_number_spacing():
    # np.gradient(y, dt) is np.gradient(y) / dt: it was refused with dt differentiated
    y, dt = np.array([1.0, 2.5, 3.0, 5.0, 4.0]), 0.5
    unit = np.sum(np.gradient(y) ** 2)
    assert s2s.grad(_rate_energy, wrt=1)(y, dt) == pytest.approx(-2 * unit / dt ** 3, rel=1e-12)
    assert s2s.jvp(_rate_energy, wrt=1)((y, dt), (1.0,))[1] == pytest.approx(-2 * unit / dt ** 3, rel=1e-12)
    assert s2s.hessian(_rate_energy, wrt=1)(y, dt) == pytest.approx(6 * unit / dt ** 4, rel=1e-12)
    # mixed: d/dy of d/dt = -2/dt^3 * 2 D^T D y (D: np.gradient's matrix)
    D = np.gradient(np.eye(5), axis=0)
    mixed = s2s.jacobian(s2s.grad(_rate_energy, wrt=1), wrt=0)(y, dt)
    np.testing.assert_allclose(mixed, -4 / dt ** 3 * D.T @ D @ y, rtol=1e-12)
    Y = np.outer(y, [0.3, -1.0, 2.0, 0.5])
    for wrt in (0, 1):
        args = (Y, 0.3)
        assert_close(s2s.grad(_rate_of_rows, wrt=wrt)(*args), numeric_grad(_rate_of_rows, args, wrt))
        assert_close(s2s.jacobian(_rate_of_rows, wrt=wrt, mode="forward")(*args),
                     numeric_grad(_rate_of_rows, args, wrt))
    assert s2s.hessian(_rate_of_rows, wrt=1)(Y, 0.3) == pytest.approx(2 * _rate_of_rows(Y, 0.3) / 0.3 ** 2, rel=1e-12)


def test_gradient_in_coordinates_or_in_the_spacing_of_several_axes_is_exact():
    # (refused until round 19; tests/test_fix19_lib.py)
    y, t = np.array([1.0, 2.5, 3.0, 5.0, 4.0]), np.array([0.0, 0.5, 1.5, 2.0, 3.0])
    assert_close(s2s.grad(_rate_at_coordinates, wrt=1)(y, t), numeric_grad(_rate_at_coordinates, (y, t), 1))
    Y = np.outer(y, y[:3])
    assert_close(s2s.jvp(_rates_of_both_axes, wrt=1)((Y, 0.3), (1.0,))[1],
                 numeric_grad(_rates_of_both_axes, (Y, 0.3), 1))
    # in y alone, both stay as they were
    assert_close(s2s.grad(_rate_at_coordinates)(y, np.arange(5.0) ** 1.5),
                 numeric_grad(_rate_at_coordinates, (y, np.arange(5.0) ** 1.5), 0))


# ---------------------------------------------------------------- 6. messages, and np.kaiser in beta


def _tapered(x, beta):
    return np.sum(x * np.kaiser(x.size, beta))


@pytest.mark.parametrize("M", [0, 1, 2, 5, 8])
def test_kaiser_window_in_beta(M):
    # followed into NumPy's source, np.kaiser stopped at arange (of M, taken from an array holding beta) with an
    # error pointing into NumPy; read as NumPy's formula it has NumPy's values, and i0's derivative in beta
    x = np.linspace(0.5, 2.0, M)
    for beta in (0.0, 3.0, 14.0):
        value, gradient = s2s.value_and_grad(_tapered, wrt=1)(x, beta)
        assert value == _tapered(x, beta)  # bit for bit (M = 1: NumPy's [1.])
        assert_close(gradient, numeric_grad(_tapered, (x, beta), 1), 1e-6, 1e-8, what=f"M={M} beta={beta}")
        assert_close(s2s.jvp(_tapered, wrt=1)((x, beta), (1.0,))[1], gradient, 1e-12, 1e-14)
        second = (s2s.grad(_tapered, wrt=1)(x, beta + 1e-5) - s2s.grad(_tapered, wrt=1)(x, beta - 1e-5)) / 2e-5
        assert_close(s2s.hessian(_tapered, wrt=1)(x, beta), second, 1e-5, 1e-7, what=f"M={M} beta={beta}: hessian")
    if M > 1:  # at beta = 0 the window is flat (i0(0) = 1) and the first derivative is 0: i0 is even
        assert s2s.grad(_tapered, wrt=1)(x, 0.0) == 0.0


def _padded_by_minimum(x):
    return np.sum(np.pad(x, 1, mode="minimum") ** 2)


def _padded_by_median(x):
    return np.sum(np.pad(x, 1, mode="median") ** 2)


def test_pad_by_a_statistic_is_differentiated():
    # (refused until round 20, advising the statistic; now exact: tests/test_fix20hess.py)
    x = np.array([1.0, 2.0, 3.5])
    for f in (_padded_by_minimum, _padded_by_median):
        assert_close(s2s.grad(f)(x), numeric_grad(f, (x,), 0), what=f.__name__)


def _poly_object(x):
    p = np.poly1d([1.0, 2.0, x[0]])
    return p(x[1])


def _vectorized(x):
    f = np.vectorize(lambda a: a * 2.0)
    return np.sum(f(x))


def test_a_call_of_an_object_numpy_made_names_the_maker_and_what_to_write():
    # np.poly1d's and np.vectorize's objects were called "a value only the run time knows"
    for f, maker, fix in ((_poly_object, "np.poly1d(...)", "np.polyval(c, x)"),
                          (_vectorized, "np.vectorize(...)", "np.array([f(a) for a in x])")):
        with pytest.raises(s2s.S2SError) as caught:
            s2s.grad(f)(np.array([1.0, 2.0, 3.0]))
        message = str(caught.value)
        assert f"the object {maker} made" in message and fix in message, message
        assert "only the run time knows" not in message
