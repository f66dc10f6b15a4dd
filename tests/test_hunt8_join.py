"""Second derivatives through a join that may be an array written in place (`z = y` on one path of an if),
then written through (hunt8 alias fixer: Hessian 8.0496 for 8.024, first derivative right).

The gradient s2s makes writes the joined array's old elements back (`z_1[0] = z_old`, `y[1:] = y_old`) and
then reads `t1 = y[:-1]`, a view of y taken before. Differentiated again, two stages read it wrongly:
dead-code elimination dropped the write-back through the join (its result is never read by name, and the
join was not known to be y's memory), and folding moved a read of a view (through a join of it) past a
write-back through another join of the same array. Every second derivative here is checked against
central finite differences of the gradient, in hessian, jacobian(grad) in both modes, grad of grad and
jvp of grad; the gradient and the value against finite differences of the function and the function.
"""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad, numeric_hessian

X = np.array([0.4, 0.2, -0.6])


def join_then_write(a, x):  # (the case found: a self-overlapping write, a join of it, a write through the join)
    y = x * a
    y[1:] = y[:-1] * a
    if a > 0.0:
        z = y
    else:
        z = x * 2.0
    z[0] = a * 2.0
    return np.sum(z * z)


def join_then_write_same_slice(a, x):
    y = x * a
    y[1:] = y[1:] * a
    if a > 0.0:
        z = y
    else:
        z = x * 2.0
    z[0] = a * 2.0
    return np.sum(z * z)


def join_no_later_write(a, x):
    y = x * a
    y[1:] = y[:-1] * a
    if a > 0.0:
        z = y
    else:
        z = x * 2.0
    return np.sum(z * z)


def write_inside_if(a, x):
    y = x * 1.0
    if a > 0.0:
        y = y * a
        y[1:] = y[:-1] * a
    y[0] = a * 2.0
    return np.sum(y * y)


def write_inside_if_else(a, x):
    y = x * 1.0
    if a > 0.0:
        y = x * a
        y[1:] = y[:-1] * a
    else:
        y = x * 2.0
    y[0] = a * 2.0
    return np.sum(y * y)


def write_inside_if_same_slice(a, x):
    y = x * 1.0
    if a > 0.0:
        y = x * a
        y[1:] = y[1:] * a
    else:
        y = x * 2.0
    y[0] = a * 2.0
    return np.sum(y * y)


def no_join(a, x):
    y = x * a
    y[1:] = y[:-1] * a
    y[0] = a * 2.0
    return np.sum(y * y)


FUNCTIONS = [join_then_write, join_then_write_same_slice, join_no_later_write, write_inside_if,
             write_inside_if_else, write_inside_if_same_slice, no_join]


def _fd_of_grad(g, a, eps=1e-5):
    return (g(a + eps, X.copy()) - g(a - eps, X.copy())) / (2 * eps)


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("a", [0.1, 0.7, -0.3])
def test_second_derivative_through_join(f, a):
    x = X.copy()
    g = s2s.grad(f)
    assert_close(g(a, x), numeric_grad(f, (a, X.copy()), 0), what=f"grad {f.__name__}")
    want = _fd_of_grad(g, a)
    assert_close(want, numeric_hessian(lambda b: f(b, X.copy()), a), rtol=1e-4, what="fd of grad vs fd of f")
    got = {
        "hessian": s2s.hessian(f)(a, x),
        "jacobian(grad) forward": s2s.jacobian(g, mode="forward")(a, x),
        "jacobian(grad) reverse": s2s.jacobian(g, mode="reverse")(a, x),
        "grad(grad)": s2s.grad(g)(a, x),
    }
    for what, value in got.items():
        assert_close(value, want, what=f"{what} {f.__name__}")
    value, tangent = s2s.jvp(g)((a, x), (1.0,))
    assert_close(value, g(a, X.copy()), what=f"jvp(grad) value {f.__name__}")
    assert_close(tangent, want, what=f"jvp(grad) tangent {f.__name__}")
    value, d = s2s.value_and_grad(g)(a, x)
    assert_close(value, g(a, X.copy()), what=f"value_and_grad(grad) value {f.__name__}")
    assert_close(d, want, what=f"value_and_grad(grad) {f.__name__}")
    assert np.array_equal(x, X), "the argument was changed"


@pytest.mark.parametrize("f", [join_then_write, write_inside_if_else], ids=lambda f: f.__name__)
def test_hessian_in_the_array(f):
    x = X.copy()
    h = s2s.hessian(f, wrt=1)(0.1, x)
    assert_close(h, numeric_hessian(lambda v: f(0.1, v.copy()), X), rtol=1e-4, atol=1e-5, what=f.__name__)
    assert np.array_equal(x, X)
