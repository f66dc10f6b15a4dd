"""grad(grad(f)) and grad(grad(grad(f))) of functions with loops and branches (their gradients keep stacks)."""
import math

import numpy as np
import pytest

import s2s


def looped(x):
    y = x
    for i in range(4):
        y = y * math.sin(y) + x
    return y


def looped_with_branch(x):
    s = 0.0
    for i in range(5):
        if s < 1.0:
            s = s + x * x * i
        else:
            s = s * math.cos(x)
    return s


def while_loop(x):
    y = x
    n = 0
    while n < 6:
        y = math.sqrt(y * y + x)
        n = n + 1
    return y


def numeric(f, x, eps=1e-5):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


@pytest.mark.parametrize("f,x", [(looped, 0.7), (looped_with_branch, 0.4), (looped_with_branch, 1.3),
                                 (while_loop, 0.9)])
def test_second_and_third_derivatives(f, x):
    g = s2s.grad(f)
    gg = s2s.grad(g)
    assert abs(gg(x) - numeric(g, x)) < 1e-6 * max(1.0, abs(gg(x)))
    g3 = s2s.grad(gg)
    assert abs(g3(x) - numeric(gg, x)) < 1e-5 * max(1.0, abs(g3(x)))


def test_second_derivative_source_is_readable():
    text = s2s.grad(s2s.grad(looped)).source
    assert "dy_saved.append(dy)" in text  # the stack's tangent travels with it
    assert text.rstrip().endswith("return jvp_grad_looped(x, 1.0)[1]")


def test_mixed_partial_with_array_argument():
    def f(x, w):
        s = 0.0
        for i in range(3):
            s = s + math.tanh(x * w[i])
        return s

    w = np.array([0.5, -1.0, 2.0])
    gx = s2s.grad(f, wrt=0)
    mixed = s2s.grad(gx, wrt=1)(0.3, w)
    eps = 1e-6
    expected = [(gx(0.3, w + eps * e) - gx(0.3, w - eps * e)) / (2 * eps) for e in np.eye(3)]
    assert np.allclose(mixed, expected, rtol=1e-6, atol=1e-8)


def _squares_plus(x):
    y = x
    for i in range(3):
        y = y * y + x
    return y


def _squares_plus_sum(x):
    y = x
    for i in range(3):
        y = y * y + np.sum(x)
    return y


def test_a_third_derivative_through_a_loop_is_refused_saying_what_to_do():
    """s2s.grad(s2s.grad(f)) of a function with a loop is forward mode over the gradient's loops: one sweep
    written out where the parameter is known to be a number (x of _squares_plus, whose gradient's stacks hold
    numbers), which is differentiated again; else rt.forward_gradient of a generated function (x read by np.sum
    may be an array), which s2s does not differentiate again: a third grad is an S2SError saying so (bug hunt: it
    was 'the function jvp_grad_f used as a value', in generated code)."""
    x, h = 0.7, 1e-4
    g2 = s2s.grad(s2s.grad(_squares_plus))
    assert abs(g2(x) - (s2s.grad(_squares_plus)(x + h) - s2s.grad(_squares_plus)(x - h)) / (2 * h)) < 1e-3 * abs(g2(x))
    assert abs(s2s.grad(g2)(x) - (g2(x + h) - g2(x - h)) / (2 * h)) < 1e-6 * abs(s2s.grad(g2)(x))
    g2 = s2s.grad(s2s.grad(_squares_plus_sum))
    g1 = s2s.grad(_squares_plus_sum)
    assert abs(g2(x) - (g1(x + h) - g1(x - h)) / (2 * h)) < 1e-3 * abs(g2(x))
    with pytest.raises(s2s.S2SError, match="a third derivative of a function whose loops") as info:
        s2s.grad(g2)(x)
    assert not isinstance(info.value, s2s.UnsupportedSyntaxError)


def _over_parts_of_two_shapes(x):
    s = 0.0
    for p in [np.outer(x, x), x]:
        s = s + np.sum(p ** 3)
    return s


def test_a_hessian_through_a_loop_over_a_list_of_arrays_of_two_shapes():
    """The Hessian (vector forward mode over the gradient) of a loop over [np.outer(x, x), x]: the list's
    tangents are kept part by part (rt.batch_zeros, rt.batch_setitem), where NumPy could make no array of them
    (bug hunt r10: ValueError, inhomogeneous shape)."""
    x, h = np.array([0.3, -0.7]), 1e-6
    grad = s2s.grad(_over_parts_of_two_shapes)
    expected = np.array([(grad(x + h * e) - grad(x - h * e)) / (2 * h) for e in np.eye(2)])
    np.testing.assert_allclose(s2s.hessian(_over_parts_of_two_shapes)(x), expected, rtol=1e-6)
    # f = sum_ij (x_i x_j)^3 + sum_i x_i^3: d2f/dx_i dx_j = 9 x_i^2 x_j^2 (i != j)
    assert abs(s2s.hessian(_over_parts_of_two_shapes)(x)[0, 1] - 9 * x[0] ** 2 * x[1] ** 2 * 2) < 1e-9
