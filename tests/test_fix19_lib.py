"""Library functions, draws and messages (round 19, fix19lib).

1. `np.gradient(y, x)` differentiated in its coordinates x was refused (the advice `np.diff(y) / np.diff(x)` was
   another formula). Its derivative in a spacing (a number h, or coordinates: NumPy's second-order non-uniform
   differences, edge_order 1 and 2, any axis, one coordinate array per axis) is now exact in every mode, through
   rt.gradient_spacing_tangent / _adjoint / _transpose (runtime/spacings.py), which evaluate NumPy's formula on
   numbers carrying one or two directions; a third derivative in x is refused.

Each program is checked against central differences (its derivatives) and NumPy (its value).
"""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad, numeric_hessian

XC = np.array([0.0, 0.4, 1.1, 1.5, 2.3, 2.6])  # unevenly spaced coordinates
YC = np.array([1.0, 2.0, 4.0, 3.0, 0.0, 1.5])
Z = np.arange(12.0).reshape(3, 4) ** 1.5


def _fd_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    cols = [(np.asarray(f(x + eps * e)) - np.asarray(f(x - eps * e))) / (2 * eps) for e in np.eye(x.size)]
    return np.stack(cols, axis=-1)


# ---------------------------------------------------------------- 1. np.gradient in its coordinates
def squares_of_slopes(x):
    return np.sum(np.gradient(YC, x) ** 2)


def second_order_edges(x):
    return np.sum(np.sin(np.gradient(YC * x, x, edge_order=2)))


def slopes_times_x(x):
    return np.gradient(YC, x, edge_order=2) * x


def arclength(y, x):
    dy = np.gradient(y, x)
    return np.trapezoid(np.sqrt(1 + dy ** 2), x) if hasattr(np, "trapezoid") else np.trapz(np.sqrt(1 + dy ** 2), x)


def two_axes(x, y):
    gx, gy = np.gradient(Z * np.sum(x), x, y)
    return np.sum(gx * gy) + np.sum(np.gradient(Z, 0.7, y, edge_order=2)[1] ** 2)


def along_axis(x):
    return np.sum(np.gradient(Z, x, axis=-1, edge_order=2) ** 3)


def number_spacing(h):
    return np.sum(np.gradient(YC, h, edge_order=2) ** 2)


@pytest.mark.parametrize("f", [squares_of_slopes, second_order_edges, along_axis])
def test_gradient_in_coordinates_every_mode(f):
    x = XC[:4] if f is along_axis else XC
    g = numeric_grad(f, (x,), 0)
    assert_close(s2s.grad(f)(x), g, what="grad")
    value, grad = s2s.value_and_grad(f)(x)
    assert_close(value, f(x), what="value")
    assert_close(s2s.vjp(f)(x)[1](1.0), g, what="vjp")
    v = np.linspace(0.3, -0.5, x.size)
    assert_close(s2s.jvp(f)((x,), (v,))[1], g @ v, what="jvp")
    H = numeric_hessian(f, x)
    atol = 1e-5 + 1e-7 * np.abs(H).max()
    assert_close(s2s.hessian(f)(x), H, rtol=1e-4, atol=atol, what="hessian")
    assert_close(s2s.jacobian(s2s.grad(f))(x), H, rtol=1e-4, atol=atol, what="jacobian of grad")


def test_gradient_in_coordinates_jacobians():
    J = _fd_jacobian(slopes_times_x, XC)
    assert_close(s2s.jacobian(slopes_times_x)(XC), J, what="reverse")
    assert_close(s2s.jacobian(slopes_times_x, mode="forward")(XC), J, what="forward")
    assert_close(slopes_times_x(XC), np.gradient(YC, XC, edge_order=2) * XC)


def test_gradient_arclength_in_values_and_coordinates():
    x = np.linspace(0, 1, 7) ** 1.3
    y = np.sin(3 * x)
    gy, gx = s2s.grad(arclength, wrt=(0, 1))(y, x)
    assert_close(gy, numeric_grad(arclength, (y, x), 0))
    assert_close(gx, numeric_grad(arclength, (y, x), 1))


def test_gradient_several_coordinate_arrays():
    x, y = np.array([0.0, 0.3, 1.0]), np.array([0.0, 0.5, 0.9, 1.7])
    gx, gy = s2s.grad(two_axes, wrt=(0, 1))(x, y)
    assert_close(gx, numeric_grad(two_axes, (x, y), 0))
    assert_close(gy, numeric_grad(two_axes, (x, y), 1))
    H = numeric_hessian(lambda_two_axes_y, y)
    assert_close(s2s.hessian(lambda_two_axes_y)(y), H, rtol=1e-4, atol=1e-7 * np.abs(H).max())


def lambda_two_axes_y(y):
    return two_axes(np.array([0.0, 0.3, 1.0]), y)


def test_gradient_number_spacing_still_exact():
    assert_close(s2s.grad(number_spacing)(0.7), numeric_grad(number_spacing, (0.7,), 0))
    assert_close(s2s.hessian(number_spacing)(0.7), numeric_hessian(number_spacing, 0.7), rtol=1e-4)
