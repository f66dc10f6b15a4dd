"""Regressions found by the lead engineer during the fifth round of bug hunts."""
import math
import warnings

import numpy as np

import s2s


def _sqrt(x):
    return math.sqrt(x)


def _norm(x, y):
    return math.sqrt(x * x + y * y)


def test_math_sqrt_at_zero_has_an_infinite_derivative_as_np_sqrt():
    # d sqrt(x)/dx = 1 / (2 sqrt(x)) is +inf at 0 where sqrt is defined; the generated `1.0 / (2.0 * ans)` raised
    # ZeroDivisionError from inside the gradient, where np.sqrt's (and JAX's) derivative is inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert s2s.grad(_sqrt)(0.0) == math.inf
        assert s2s.jvp(_sqrt)((0.0,), (1.0,)) == (0.0, math.inf)
        assert np.isnan(s2s.grad(_norm)(0.0, 0.0))  # 0 * inf: nan, as np.sqrt's and jax.grad's
    assert s2s.grad(_sqrt)(4.0) == 0.25
    assert s2s.grad(s2s.grad(_sqrt))(4.0) == -0.25 * 4.0 ** -1.5
    assert s2s.grad(_norm, wrt=(0, 1))(3.0, 4.0) == (0.6000000000000001, 0.8)


def _mixed(x, y):
    return np.sum(x * x * y) + np.sum(y ** 3) * x[0]


def test_hessian_with_a_tuple_wrt_is_a_tuple_of_tuples_as_jax_hessian():
    # API.md: "a tuple gives a tuple in the same order"; hessian refused it with a TypeError. H[i][j] is the
    # derivative of the gradient in wrt[i] with respect to wrt[j], shape arg_i.shape + arg_j.shape
    x, y = np.array([1.5, -0.5]), np.array([1.0, 2.0])
    H = s2s.hessian(_mixed, wrt=(0, "y"))(x, y)
    # analytic: d2/dx2 = diag(2y); d2/dxdy = diag(2x) + e0 (3 y^2)^T; d2/dy2 = diag(6 y x0)
    hxx = np.diag(2.0 * y)
    hxy = np.diag(2.0 * x) + np.outer([1.0, 0.0], 3.0 * y ** 2)
    hyy = np.diag(6.0 * y * x[0])
    assert isinstance(H, tuple) and all(isinstance(row, tuple) and len(row) == 2 for row in H)
    for got, want in [(H[0][0], hxx), (H[0][1], hxy), (H[1][0], hxy.T), (H[1][1], hyy)]:
        assert got.shape == (2, 2)
        np.testing.assert_allclose(got, want, rtol=1e-12)
    (only,), = s2s.hessian(_mixed, wrt=[0])(x, y)
    np.testing.assert_allclose(only, hxx, rtol=1e-12)
    # numbers: 0-d blocks, in the order of wrt
    H = s2s.hessian(lambda a, b: a * a * b, wrt=(1, 0))(1.0, 2.0)
    assert [[float(v) for v in row] for row in H] == [[0.0, 2.0], [2.0, 4.0]]
    assert "def " in s2s.hessian(_mixed, wrt=(0, 1)).source


_W = np.array([[1.0, 2.0], [3.0, 4.0]])


def _transposed(x):
    return np.sum(np.transpose(x, (-1, 0)) * _W)


def _transposed3(x):
    return np.sum(np.transpose(x, (0, -1, 1)) * np.arange(24.0).reshape(2, 4, 3))


def _permuted_method(x):
    return np.sum(x.transpose(-1, 0, -2) ** 2 * np.arange(24.0).reshape(4, 2, 3))


def test_transpose_with_negative_axes_transposes_the_gradient_back():
    # rt.transpose_adjoint took np.argsort((-1, 0)) for the inverse permutation: grad W where W.T is right, and a
    # gradient of the wrong shape for 3-d arrays (hunt5np)
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    np.testing.assert_array_equal(s2s.grad(_transposed)(x), _W.T)
    x3 = np.linspace(-1.0, 1.0, 24).reshape(2, 3, 4)
    np.testing.assert_array_equal(s2s.grad(_transposed3)(x3), np.transpose(np.arange(24.0).reshape(2, 4, 3), (0, 2, 1)))
    c = np.arange(24.0).reshape(4, 2, 3)  # x.transpose(-1, 0, -2)[i, j, k] = x[j, k, i]
    np.testing.assert_allclose(s2s.grad(_permuted_method)(x3), 2.0 * x3 * np.transpose(c, (1, 2, 0)), rtol=1e-14)
    np.testing.assert_allclose(s2s.jacobian(_transposed3)(x3), s2s.jacobian(_transposed3, mode="forward")(x3))


def _item_of_a_tuple(x):
    return x.item((1, 2)) * np.sum(x)


def _zero_d_read(x):
    return np.sin(x[()] * 2.0)


def test_item_with_a_tuple_index_reads_the_element_item_with_its_parts_reads():
    # x.item((1, 2)) is x.item(1, 2): grad raised IndexError (flat iterator), the forward Jacobian ValueError (hunt5np)
    x = np.arange(12.0).reshape(3, 4) / 10
    want = np.full((3, 4), x[1, 2])
    want[1, 2] += np.sum(x)
    np.testing.assert_allclose(s2s.grad(_item_of_a_tuple)(x), want, rtol=1e-14)
    np.testing.assert_allclose(s2s.jacobian(_item_of_a_tuple, mode="forward")(x), want, rtol=1e-14)
    np.testing.assert_allclose(s2s.hessian(_item_of_a_tuple)(x)[1, 2], want / want * 1.0 + np.eye(12)[6].reshape(3, 4),
                               rtol=1e-14)


def test_reverse_jacobian_of_a_gradient_reading_a_0d_array_with_an_empty_index():
    # the pullback of rt.getitem_adjoint(g, x) with no index indexed the cotangent, a float: TypeError (hunt5np)
    x = np.array(0.7)
    want = -4.0 * np.sin(1.4)
    assert np.isclose(s2s.jacobian(s2s.grad(_zero_d_read), mode="reverse")(x), want, rtol=1e-14)
    assert np.isclose(s2s.hessian(_zero_d_read)(x), want, rtol=1e-14)


def _inner_refused(x):  # (np.diff's prepend= with a derivative was refused here until round 10: np.polyfit is)
    return np.sum(np.polyfit(np.arange(2.0), np.sin(x), 1))


def _outer_of_refused(x):
    return np.sum(np.cos(s2s.grad(_inner_refused)(x)))


def test_grad_of_a_function_calling_a_refused_inner_grad_gives_the_inner_reason():
    # it said "cannot differentiate the call to inner: it has no derivative rule and its source is unavailable"
    import pytest
    with pytest.raises(s2s.S2SError, match="np.polyfit: it has no derivative rule") as info:
        s2s.grad(_outer_of_refused)(np.array([0.1, 0.2]))
    assert "np.sum(np.polyfit(np.arange(2.0), np.sin(x), 1))" in str(info.value)


def _writes_in_a_loop(x):
    y = x.copy()
    for i in range(1, 3):
        y[i] = y[i - 1] * 0.5 + y[i] ** 2
    return np.sum(y)


def _of_its_gradient(x):
    return np.sum(np.cos(s2s.grad(_writes_in_a_loop)(x)))


def test_reverse_mode_over_a_gradient_with_array_writes():
    # the refusal pointed into generated code and told the user to copy a value they never wrote (hunt5np item 5);
    # then (to round 11) it told them to take the second derivative in forward mode: the inlined gradient's own
    # loop writes are now read as its derivative taken directly reads them (hunt11hof F1)
    x = np.array([0.3, -0.4, 0.5])
    H = s2s.hessian(_writes_in_a_loop)(x)
    np.testing.assert_allclose(H, np.diag([0.0, 3.0, 2.0]), atol=1e-14)
    g = s2s.grad(_writes_in_a_loop)(x)
    expected = [0.0, -3.0 * np.sin(g[1]), -2.0 * np.sin(g[2])]
    np.testing.assert_allclose(H.T @ -np.sin(g), expected, atol=1e-14)
    np.testing.assert_allclose(s2s.grad(_of_its_gradient)(x), expected, atol=1e-14)
    np.testing.assert_allclose(s2s.jacobian(_of_its_gradient, mode="forward")(x), expected, atol=1e-14)


def _written_back_in_a_loop(x):
    y = np.zeros(3)
    for t in range(2):
        y += x[1] * x[0]
        y[2] = y[0]
    return np.sum(y ** 2)


def test_reverse_over_reverse_copies_an_adjoint_that_is_an_accumulator_written_in_place():
    # the gradient's loop computes bt5 = rt.unbroadcast(rt.add_at(by, bt6, y, 0), shape), which is `by` itself
    # after `by[2] = 0.0`; differentiated again in reverse mode, bt5 was pushed by reference and read after the
    # reverse sweep restored by[2]: H[0, 1] -10.92 for -10.08 (found by fix5alias). Analytic: y0 = y1 = 2 a b and
    # y2 = 2 a b after two steps (a = x[0], b = x[1]), f = 12 a^2 b^2
    x = np.array([0.3, -0.7, 0.45])
    a, b = x[0], x[1]
    H = np.zeros((3, 3))
    H[0, 0], H[1, 1], H[0, 1] = 24.0 * b * b, 24.0 * a * a, 48.0 * a * b
    H[1, 0] = H[0, 1]
    g = s2s.grad(_written_back_in_a_loop)
    np.testing.assert_allclose(g(x), [24.0 * a * b * b, 24.0 * a * a * b, 0.0], rtol=1e-12)
    np.testing.assert_allclose(s2s.jacobian(g)(x), H, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s2s.jacobian(g, mode="forward")(x), H, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s2s.hessian(_written_back_in_a_loop)(x), H, rtol=1e-12, atol=1e-12)


def _new_key_in_a_copy(p, v):
    q = p.copy()
    q["c"] = v * 2.0
    return q["a"] * q["c"] + np.sum(q["b"] * q["b"])


def test_a_key_written_into_a_copy_of_a_dict_argument_is_not_part_of_its_gradient():
    # the gradient with respect to p came out with the copy's new key 'c' (zeroed by the write) and was refused:
    # "came out with 3 parts" (fix5prob2)
    p = {"a": 1.5, "b": np.array([1.0, 2.0])}
    g = s2s.grad(_new_key_in_a_copy)(p, 0.5)
    assert set(g) == {"a", "b"} and g["a"] == 1.0
    np.testing.assert_array_equal(g["b"], [2.0, 4.0])
    value, (gp, gv) = s2s.value_and_grad(_new_key_in_a_copy, wrt=(0, 1))(p, 0.5)
    assert value == 6.5 and set(gp) == {"a", "b"} and gv == 3.0
    _, pullback = s2s.vjp(_new_key_in_a_copy)(p, 0.5)
    assert set(pullback(2.0)) == {"a", "b"} and pullback(2.0)["a"] == 2.0
    assert p == {"a": 1.5, "b": p["b"]} and "c" not in p


def _copy_written_in_a_loop(p, v):
    q = p.copy()
    for i in range(2):
        q["c"] = v * i + q["a"]
    return q["a"] * q["c"]


def test_a_dict_copy_written_in_a_loop_keeps_a_dict_adjoint():
    # the reversed loop copied the adjoint of q = p.copy() with np.copy (an array made by NumPy's copy method),
    # which makes a 0-d object array of a dict: IndexError inside the gradient. Analytic: a * (v + a)
    p = {"a": 1.5}
    assert s2s.grad(_copy_written_in_a_loop)(p, 0.5) == {"a": 0.5 + 2 * 1.5}
    assert s2s.grad(_copy_written_in_a_loop, wrt=1)(p, 0.5) == 1.5
    x = np.array([1.5, 2.0])  # an array's copy, written in the loop, still differentiates
    assert s2s.jvp(_copy_written_in_a_loop, wrt=1)(({"a": x}, 0.5), (1.0,))[1].tolist() == [1.5, 2.0]
