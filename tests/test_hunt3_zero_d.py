"""Element writes into 0-d arrays and empty arrays, as the edge-input bug hunt (hunt3edge) found them: each
program checked against an analytic derivative or central finite differences, never against s2s itself."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

X = np.array([0.5, -1.0, 2.0])


# ----------------------------------------------------------------- element writes into 0-d arrays (hunt3edge 1)
def tanh_squared_in_place(x):
    y = x.copy()
    y[...] = np.tanh(y)
    y[...] = y * y
    return y


def test_zero_d_array_written_whole_keeps_its_value_past_the_restores():
    """value_and_grad returned array(0.7): the reverse sweep put the old elements back into the very array it
    returned. The vjp's pullback read its cotangent 1.0 as `cotangent[...]` (TypeError)."""
    x = np.array(0.7)
    t = np.tanh(0.7)
    dt = 1.0 - t ** 2
    value, gradient = s2s.value_and_grad(tanh_squared_in_place)(x)
    assert np.ndim(value) == 0 and value == pytest.approx(t ** 2)
    assert_close(gradient, 2.0 * t * dt, what="grad")
    value, pullback = s2s.vjp(tanh_squared_in_place)(x)
    assert value == pytest.approx(t ** 2)
    assert_close(pullback(1.0), 2.0 * t * dt, what="vjp, a number cotangent")
    assert_close(pullback(np.array(2.0)), 4.0 * t * dt, what="vjp, a 0-d cotangent")
    assert_close(s2s.hessian(tanh_squared_in_place)(x), 2.0 * dt ** 2 - 4.0 * t ** 2 * dt, what="hessian")
    assert x == 0.7


def copy_rewritten_then_multiplied(x):
    y = np.copy(x)
    y[...] = y * 3.0
    return y * x


def copy_overwritten_then_multiplied(x):
    y = np.copy(x)
    y[...] = 3.0 * x
    return y * x


@pytest.mark.parametrize("f", [copy_rewritten_then_multiplied, copy_overwritten_then_multiplied])
def test_zero_d_array_read_bare_by_an_adjoint_after_its_restore(f):
    """f(x) = 3 x**2. The adjoint of x in `y * x` is y itself (the seed is 1.0), summed with x's other adjoints
    after the write's restore had put x back into y: grad 2.8, hessian 4.0 for 4.2 and 6."""
    x = np.array(0.7)
    assert_close(s2s.grad(f)(x), 6.0 * 0.7, what="grad")
    assert_close(s2s.grad(s2s.grad(f))(x), 6.0, what="grad of grad")
    assert_close(s2s.hessian(f)(x), 6.0, what="hessian")


def restored_array_raveled_into_an_adjoint(x):
    y = x * 1.0
    z = np.sum(y * y)
    y[0, 0] = 5.0
    return z + np.vdot(y, x)


def test_view_of_a_restored_array_taken_by_an_adjoint():
    """The same for a view: np.vdot's adjoint of x is np.reshape(np.ravel(y), ...), a view of y, which the
    restore of y[0, 0] changed before it was added to x's other adjoints."""
    x = np.array([[0.7, 0.3], [0.2, -0.4]])
    f = restored_array_raveled_into_an_adjoint
    assert_close(s2s.grad(f)(x), numeric_grad(f, (x,), 0), what="grad")
    assert_close(s2s.value_and_grad(f)(x)[0], f(x), what="value")


def accumulated_then_halved(x):
    acc = np.zeros(())
    for v in x:
        acc += v * v
        acc[...] = acc * 0.5
    return acc


def halved_and_accumulated(x):
    acc = np.zeros(())
    for v in x:
        acc[...] = acc * 0.5 + v * v
    return acc * 1.0


@pytest.mark.parametrize("f", [accumulated_then_halved, halved_and_accumulated])
def test_zero_d_accumulator_written_in_a_loop(f):
    """A 0-d accumulator rewritten whole in a loop: the written value's adjoint was read as `bacc[...]`, a view,
    which rt.zero_at then zeroed in place (gradient all zeros); of `acc * 1.0`, the adjoint 1.0 entering the
    reversed loop was read as `bacc[...]` (TypeError)."""
    check_every_mode(f, X)
    value, pullback = s2s.vjp(f)(X)
    assert_close(pullback(1.0), numeric_grad(f, (X,), 0), what="vjp, a number cotangent")


def zeros_like_written_twice(x):
    y = np.zeros_like(x)
    y[...] = x * 2.0
    y[...] = y * x
    return y


def test_zeros_like_of_a_number_written_whole():
    """np.zeros_like(0.7) is a 0-d array: value_and_grad's value was array(0.) for 0.98 (the restores)."""
    value, gradient = s2s.value_and_grad(zeros_like_written_twice)(0.7)
    assert value == pytest.approx(0.98)
    assert_close(gradient, 4.0 * 0.7, what="grad")
    assert_close(s2s.hessian(zeros_like_written_twice)(0.7), 4.0, what="hessian")


# ----------------------------------------------------------------- empty arrays (hunt3edge 6)
def dot_with_itself(x):
    return np.dot(x, x)


def test_hessian_of_a_dot_product_of_empty_vectors():
    """The Hessian of np.dot(x, x) is 2 I; of an empty x, an empty (0, 0) array. rt.batch_dot_adjoint_a_of_b read
    the first of the n tangents to learn their rank, and there are none (IndexError)."""
    assert s2s.hessian(dot_with_itself)(np.zeros(0)).shape == (0, 0)
    assert_close(s2s.hessian(dot_with_itself)(X), 2.0 * np.eye(3), what="hessian")


# ----------------------------------------------------------------- second and third derivatives (hunt3edge 7, 8)
def item_squared(x):
    return x.item() ** 2


@pytest.mark.parametrize("x", [np.float64(0.5), np.array(0.5)], ids=["float64", "0-d"])
def test_second_derivative_through_item_of_a_number(x):
    """grad(grad(f)) through x.item() of a NumPy scalar or a 0-d array: the adjoint of rt.item_adjoint took the
    seed 1.0 for an array, `(1.0).item()` (AttributeError). f = x**2: f'' = 2, f''' = 0."""
    assert_close(s2s.grad(s2s.grad(item_squared))(x), 2.0, what="grad of grad")
    assert_close(s2s.vjp(s2s.grad(item_squared))(x)[1](1.0), 2.0, what="vjp of grad, a number cotangent")
    assert_close(s2s.grad(s2s.grad(s2s.grad(item_squared)))(x), 0.0, what="third derivative")


def cube_of_asarray(x):
    return np.sum(np.asarray(x) ** 3)


def cube_of_array(x):
    return np.sum(np.array(x) ** 3)


def cubes_of_a_list(x):
    return np.sum(np.array([x, x * x]) ** 3)


@pytest.mark.parametrize("f, third", [(cube_of_asarray, lambda x: 6.0), (cube_of_array, lambda x: 6.0),
                                      (cubes_of_a_list, lambda x: 6.0 + 120.0 * x ** 3)])
def test_third_derivative_through_np_array(f, third):
    """The third derivative of a scalar function of a scalar through np.asarray(x) / np.array(x) stopped at
    rt.array_adjoint_transpose, which had no rule ("no rule for rt.array_adjoint_transpose", in generated
    code). x**3: 6; x**3 + x**6: 6 + 120 x**3."""
    second = s2s.grad(s2s.grad(f))
    assert_close(s2s.grad(second)(0.5), third(0.5), what="grad of grad of grad")
    assert_close(s2s.hessian(s2s.grad(f))(0.5), third(0.5), what="hessian of grad")
    assert_close(s2s.jvp(second)((0.5,), (1.0,))[1], third(0.5), what="jvp of grad of grad")


# ----------------------------------------------------------------- empty arrays, with the runtime/arrays.py and
# runtime/batched.py patch (hunt3edge 6): append to tests/test_hunt3_zero_d.py once it is applied
def prod_along_last_axis(x):
    return np.sum(np.prod(x, axis=-1))


def prod_of_all(x):
    return np.prod(x) * 2.0


def nanprod_of_all(x):
    return np.nanprod(x) * 2.0


def prod_method(x):
    return x.prod() * 2.0


def outer_summed(x):
    return np.sum(np.outer(x, x))


def trapezoid_of_squares(x):
    return np.sum(np.trapezoid(x * x))


needs_trapezoid = pytest.mark.skipif(not hasattr(np, "trapezoid"), reason=f"no np.trapezoid in NumPy {np.__version__}")


@pytest.mark.parametrize("shape", [(3, 0), (0,)])
@pytest.mark.parametrize("f", [prod_along_last_axis, prod_of_all, nanprod_of_all, prod_method, outer_summed,
                               pytest.param(trapezoid_of_squares, marks=needs_trapezoid)])
def test_derivatives_of_functions_of_empty_arrays(f, shape):
    """A function of an array with no entries is a constant (np.prod of none is 1, np.outer's sum and
    np.trapezoid's integral 0): every derivative is an empty array. rt.prod_adjoint reshaped the products of
    the other factors (one 1.0) to x's shape, rt.batch_outer_left/right and rt.batch_reshape reshaped no
    tangents with a -1, _trapezoid_weights set the weight of a first sample there is not (ValueError,
    IndexError)."""
    x = np.zeros(shape)
    assert s2s.grad(f)(x).shape == shape
    assert s2s.jvp(f)((x,), (x,))[1] == 0.0
    assert s2s.jacobian(f, mode="forward")(x).shape == shape
    assert s2s.hessian(f)(x).shape == shape + shape


@needs_trapezoid
def test_trapezoid_of_one_sample_has_no_derivative():
    """np.trapezoid of one sample is 0 whatever it is: the weight dx / 2 given to the first and last sample
    gave it a gradient of x (3.0 at 3.0)."""
    x = np.array([3.0])
    assert_close(s2s.grad(trapezoid_of_squares)(x), numeric_grad(trapezoid_of_squares, (x,), 0), what="grad")
    assert_close(s2s.grad(trapezoid_of_squares)(x), [0.0], what="grad")
    assert_close(s2s.hessian(trapezoid_of_squares)(x), [[0.0]], what="hessian")
