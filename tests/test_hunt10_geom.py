"""Geometry, robotics and physics in plain NumPy (hunt round 10, the geometry hunt's finding 1 and its lower-rank
notes). Each derivative is checked against central differences in every mode that applies (values against the
function run as it is, the caller's arguments left as they were)."""
import math

import numpy as np
import pytest
import scipy.linalg

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

FS = 0.3 * np.random.default_rng(2).standard_normal((3, 3, 3)) + np.eye(3)  # a stack of 3 deformation gradients
TETS = np.random.default_rng(3).standard_normal((3, 4, 3))  # 3 tets, 4 corners each


def check_number(f, args, wrt):
    """f(*args) (a number) with respect to the number args[wrt]: value_and_grad, vjp, jvp, both Jacobians, the
    Hessian, grad of grad and check_grad, against central differences; the values against f."""
    kept = [np.copy(a) for a in args]
    value = f(*args)
    numeric = numeric_grad(f, args, wrt)
    primal, gradient = s2s.value_and_grad(f, wrt=wrt)(*args)
    assert primal == pytest.approx(value, rel=1e-12)
    assert np.ndim(gradient) == 0, f"{f.__name__}: the gradient of a number has shape {np.shape(gradient)}"
    assert_close(gradient, numeric, what=f"{f.__name__}: grad")
    primal, pullback = s2s.vjp(f, wrt=wrt)(*args)
    assert primal == pytest.approx(value, rel=1e-12)
    assert_close(pullback(2.0), 2.0 * numeric, what=f"{f.__name__}: vjp")
    primal, tangent = s2s.jvp(f, wrt=wrt)(args, (0.5,))
    assert primal == pytest.approx(value, rel=1e-12)
    assert_close(tangent, 0.5 * numeric, what=f"{f.__name__}: jvp")
    assert_close(s2s.jacobian(f, wrt=wrt, mode="forward")(*args), numeric, what=f"{f.__name__}: forward jacobian")
    assert_close(s2s.jacobian(f, wrt=wrt)(*args), numeric, what=f"{f.__name__}: reverse jacobian")
    up, down = list(args), list(args)
    up[wrt] += 1e-4
    down[wrt] -= 1e-4
    second = (numeric_grad(f, up, wrt, 1e-5) - numeric_grad(f, down, wrt, 1e-5)) / 2e-4
    assert_close(s2s.hessian(f, wrt=wrt)(*args), second, 1e-4, 1e-5, what=f"{f.__name__}: hessian")
    assert_close(s2s.grad(s2s.grad(f, wrt=wrt), wrt=wrt)(*args), second, 1e-4, 1e-5,
                 what=f"{f.__name__}: grad of grad")
    s2s.check_grad(f, *args, wrt=wrt)
    for a, k in zip(args, kept):
        assert np.array_equal(a, k)


# ---------------------------------------------------------------- F1: det and trace of a stack of matrices
# (their records said "called with one argument, the result is a number", as np.sum's do: reverse mode then left out
# the sums a broadcast of the vector of determinants needs, 0.8 x the gradient, or an array for a number's gradient)

def volume_variance(X):
    V = np.linalg.det(X[:, 1:] - X[:, :1]) / 6.0  # signed tet volumes, one per tet
    return np.sum((V - np.mean(V)) ** 2)


def relative_volume(Fs):
    J = np.linalg.det(Fs)
    return np.sum((J / np.mean(J) - 1) ** 2)


def trace_ratio(R):
    c = np.trace(R, axis1=1, axis2=2)
    return np.sum(c / np.max(c))


def trace_of_3d(A):
    return np.sum(np.trace(A) * np.mean(A))  # (np.trace of a 3-D array: the traces over its first two axes, a vector)


def scipy_det_stack(Fs):
    J = scipy.linalg.det(Fs)
    return np.sum(J * np.mean(J))


def det_times_entry(Fs):
    return np.sum(np.linalg.det(Fs) * Fs[0, 0, 0])


def single_det(A):  # (one matrix: the determinant is a number, as before)
    return np.linalg.det(A) * np.mean(A)


@pytest.mark.parametrize("f, x", [(volume_variance, TETS), (relative_volume, FS), (trace_ratio, FS),
                                  (trace_of_3d, FS), (det_times_entry, FS), (single_det, FS[0])],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_det_and_trace_of_a_stack_every_mode(f, x):
    check_every_mode(f, x)
    gradient = s2s.grad(f)(x)
    assert_close(s2s.vjp(f)(x)[1](1.0), gradient, what=f"{f.__name__}: vjp")


def test_scipy_det_of_a_stack():
    if np.ndim(scipy.linalg.det(FS)) != 1:
        pytest.skip("this SciPy's det does not take a stack of matrices")
    check_every_mode(scipy_det_stack, FS)


def neo(Fs, mu):  # a volumetric energy, fitting the material parameter mu
    J = np.linalg.det(Fs)
    return np.sum(mu * (J - 1) ** 2)


def tet_volumes_scaled(X, s):
    return np.sum(np.linalg.det(X[:, 1:] - X[:, :1]) / 6 * s)


def det_power(Fs, p):
    return np.sum(np.linalg.det(Fs) ** 2 * p ** 2)


def trace_axes_weight(R, w):
    return np.sum(np.trace(R, axis1=1, axis2=2) * w)


def trace_method_weight(R, w):
    return np.sum(R.trace(axis1=1, axis2=2) * w)


def trace_3d_weight(R, w):
    return np.sum(np.trace(R) * w ** 2)


def scipy_det_weight(Fs, mu):
    return np.sum(mu * scipy.linalg.det(Fs) ** 2)


@pytest.mark.parametrize("f, x", [(neo, FS), (tet_volumes_scaled, TETS), (det_power, FS), (trace_axes_weight, FS),
                                  (trace_method_weight, FS), (trace_3d_weight, FS), (scipy_det_weight, FS)],
                         ids=lambda v: getattr(v, "__name__", ""))
def test_a_number_times_dets_or_traces_of_a_stack(f, x):
    if f is scipy_det_weight and np.ndim(scipy.linalg.det(FS)) != 1:
        pytest.skip("this SciPy's det does not take a stack of matrices")
    check_number(f, (x, 1.5), 1)


def trace_times_sum(A):
    return np.trace(A) * np.sum(A)


def test_vjp_of_the_traces_of_a_3d_array():
    A = FS
    cotangent = np.array([0.5, -1.0, 2.0])
    value, pullback = s2s.vjp(trace_times_sum)(A)
    assert_close(value, trace_times_sum(A))
    assert_close(pullback(cotangent), numeric_grad(lambda a: np.dot(cotangent, trace_times_sum(a)), (A,), 0))
    jacobian = numeric_grad(lambda a: trace_times_sum(a)[1], (A,), 0)
    assert_close(s2s.jacobian(trace_times_sum)(A)[1], jacobian)
    assert_close(s2s.jacobian(trace_times_sum, mode="forward")(A)[1], jacobian)


# ---------------------------------------------------------------- F1: math.prod of a matrix multiplies its rows

def prod_rows(a, w):
    return np.sum(math.prod(a) * w)


def test_math_prod_of_a_matrix_forward():
    A = np.random.default_rng(1).standard_normal((4, 2))
    numeric = numeric_grad(prod_rows, (A, 1.5), 1)
    assert_close(s2s.jacobian(prod_rows, wrt=1, mode="forward")(A, 1.5), numeric)
    assert_close(s2s.jvp(prod_rows, wrt=1)((A, 1.5), (1.0,))[1], numeric)
    assert_close(s2s.jacobian(prod_rows, mode="forward")(A, 1.5), numeric_grad(prod_rows, (A, 1.5), 0))


@pytest.mark.xfail(strict=True, reason="ad/analysis.py:_scalars takes every math.* call for a number (see the "
                                       "fix10red report); remove this mark with that line's change")
def test_math_prod_of_a_matrix_every_mode():
    A = np.random.default_rng(1).standard_normal((4, 2))
    check_number(prod_rows, (A, 1.5), 1)
