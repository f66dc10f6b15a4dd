"""Array findings of hunt round 11 (hunt11arr; fixer fix11arrmsg).

S4. ravel / reshape / flatten with order='K' or order='A' read the array in its memory layout. Reverse mode refused
    them ("reads the array in its memory layout, which s2s does not follow"); forward mode applied the same call to
    the tangent, which reads the TANGENT's layout: for a column-major array (np.asfortranarray(A), np.empty_like(A.T),
    a transposed argument) whose tangent is row-major, jvp and jacobian(mode="forward") were silently wrong. Forward
    mode now refuses them the same way, at the user's line; order='C' and order='F' stay right in every mode.
"""
import inspect

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian

# ------------------------------------------------------------------ S4. order='K' / 'A' in forward mode

W6 = np.arange(1.0, 7.0)
A23 = np.array([[0.52, -1.03, 2.07], [1.51, 0.34, -0.72]])


def fortran_ravel_k(A):
    B = np.asfortranarray(A)
    return np.sum(B.ravel(order='K') * W6)


def empty_like_ravel_k(A):
    B = np.empty_like(A.T)
    B[...] = A.T * 2.0
    return np.sum(B.ravel('K') * W6)


def zeros_f_reshape_a(A):
    B = np.zeros((2, 3), order='F')
    B[:] = A
    return np.sum(B.reshape(6, order='A') * W6)


def argument_ravel_k(A):
    return np.sum(A.ravel('K') * W6)


def argument_reshape_a(A):
    return np.sum(np.reshape(A, -1, order='A') * W6)


def argument_reshape_a_by_position(A):
    return np.sum(np.reshape(A, (6,), 'A') * W6)


def argument_flatten_a(A):
    return np.sum(A.flatten('A') * W6)


def _line_of(f, text):
    lines, start = inspect.getsourcelines(f)
    return start + next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("f, text", [
    (fortran_ravel_k, "ravel("), (empty_like_ravel_k, "ravel("), (zeros_f_reshape_a, "reshape("),
    (argument_ravel_k, "ravel("), (argument_reshape_a, "reshape("), (argument_reshape_a_by_position, "reshape("),
    (argument_flatten_a, "flatten(")])
def test_memory_order_is_refused_in_forward_mode_as_in_reverse(f, text):
    A = np.asfortranarray(A23) if f.__name__.startswith("argument") else A23
    for transform in (lambda: s2s.jvp(f)((A,), (np.ones((2, 3)),)),
                      lambda: s2s.jacobian(f, mode="forward")(A),
                      lambda: s2s.grad(f)(A)):
        with pytest.raises(s2s.NonDifferentiableError, match="memory layout, which s2s does not follow") as info:
            transform()
        assert info.value.lineno == _line_of(f, text)


def ravel_c_and_f(A):
    return np.sum(A.ravel() * W6) + np.sum(np.reshape(A, (3, 2), order='F') ** 2) + np.sum(A.flatten('F') * W6 ** 2)


@pytest.mark.parametrize("layout", [np.ascontiguousarray, np.asfortranarray])
def test_c_and_f_order_stay_right_in_forward_mode(layout):
    A = layout(A23)
    numeric = numeric_grad(ravel_c_and_f, (A,), 0)
    assert_close(s2s.jacobian(ravel_c_and_f, mode="forward")(A), numeric)
    assert_close(s2s.grad(ravel_c_and_f)(A), numeric)
    v = np.linspace(-1.0, 1.0, 6).reshape(2, 3)
    value, tangent = s2s.jvp(ravel_c_and_f)((A,), (v,))
    assert value == pytest.approx(ravel_c_and_f(A))
    assert_close(tangent, np.sum(numeric * v))


# ------------------------------------------------------------------ M4. an in-place operator on an array a helper was given
# `def scale_(v, s): v *= s` called with the function's own array, read afterwards by the caller's name, was refused
# advising "write it as a new value ('v = v * s')", which makes the helper a no-op (the caller's array stays as it was:
# another program). Where the array is the function's own and another name reads it afterwards, the advice is now the
# element write `v[:] = v * s` (s2s follows it to the caller's name), the new value only where the others are meant to
# keep the old one.

WM = np.array([[0.5, -1.0, 0.3], [0.2, 0.4, -0.9], [1.1, 0.0, 0.6]])
X3 = np.array([0.33, -1.27, 0.71])


def scale_(v, s):
    v *= s


def scaled_by_helper(x):
    z = WM @ x
    scale_(z, x[0])
    return np.sum(z ** 2)


def scale_elements_(v, s):
    v[:] = v * s


def scaled_by_helper_as_advised(x):
    z = WM @ x
    scale_elements_(z, x[0])
    return np.sum(z ** 2)


def normalise_(v):
    v /= np.sum(v)


def normalised_by_helper(x):
    z = WM @ x + 2.0
    normalise_(z)
    return np.sum(z ** 3)


def normalise_elements_(v):
    v[:] = v / np.sum(v)


def normalised_by_helper_as_advised(x):
    z = WM @ x + 2.0
    normalise_elements_(z)
    return np.sum(z ** 3)


def other_name_scaled(x):
    y = x * 2.0
    z = y
    y *= x[1]
    return np.sum(z ** 2)


def other_name_scaled_as_advised(x):
    y = x * 2.0
    z = y
    y[:] = y * x[1]
    return np.sum(z ** 2)


def zero_d_scaled(x):
    s = np.array(x[0] * 2.0)
    t = s
    s *= x[1]
    return float(t) * x[2]


def zero_d_scaled_as_advised(x):
    s = np.array(x[0] * 2.0)
    t = s
    s[...] = s * x[1]
    return float(t) * x[2]


@pytest.mark.parametrize("f, advised, advice", [
    (scaled_by_helper, scaled_by_helper_as_advised, "v[:] = v * s"),
    (normalised_by_helper, normalised_by_helper_as_advised, "v[:] = v / np.sum(v)"),
    (other_name_scaled, other_name_scaled_as_advised, "y[:] = y * x[1]"),
    (zero_d_scaled, zero_d_scaled_as_advised, "s[...] = s * x[1]")])
def test_an_operator_on_an_array_another_name_reads_advises_an_element_write(f, advised, advice):
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(f)(X3)
    message = str(info.value)
    assert f"to change the array as NumPy does, for every name of it, write into its elements ('{advice}'" in message
    assert "if the other names are meant to keep the old value, write it as a new value" in message
    assert advised(X3.copy()) == pytest.approx(f(X3.copy()), rel=1e-14)  # (the advice is the same program)
    gradient = check_every_mode(advised, X3, hessian=False)
    assert_close(gradient, numeric_grad(f, (X3,), 0))
    assert_close(s2s.hessian(advised)(X3), numeric_hessian(f, X3), 1e-4, 1e-5)


# ------------------------------------------------------------------ M1. a write through B.T at a tuple of indices
# `B.T[0, 1] = v` was refused advising `B[:, (0, 1)] = ...`, which writes two whole columns (the tuple taken as one
# fancy index). The advice now reverses the indices, `B[1, 0] = ...`, and a block of two slices is written transposed.

M33 = np.array([[0.52, -1.03, 2.07], [1.51, 0.34, -0.72], [0.23, 0.91, 1.12]])
R9 = np.arange(9.0).reshape(3, 3)


def transposed_element_written(A):
    B = A * 1.0
    B.T[0, 1] = 7.0 * A[0, 0]
    return np.sum(B * R9)


def transposed_element_written_as_advised(A):
    B = A * 1.0
    B[1, 0] = 7.0 * A[0, 0]
    return np.sum(B * R9)


def transposed_block_written(A):
    B = A * 1.0
    B.T[0:2, 1:3] = A[:2, :2] ** 2
    return np.sum(B * R9)


def transposed_block_written_as_advised(A):
    B = A * 1.0
    B[1:3, 0:2] = (A[:2, :2] ** 2).T
    return np.sum(B * R9)


def transposed_row_written(A):
    B = A * 1.0
    B.T[1] = A[0] * 3.0
    return np.sum(B * R9)


def transposed_row_written_as_advised(A):
    B = A * 1.0
    B[:, 1] = A[0] * 3.0
    return np.sum(B * R9)


@pytest.mark.parametrize("f, advised, advice", [
    (transposed_element_written, transposed_element_written_as_advised, "B[1, 0] = ... for B.T[0, 1] = ..."),
    (transposed_block_written, transposed_block_written_as_advised, "B[1:3, 0:2] = (...).T for B.T[0:2, 1:3] = ..."),
    (transposed_row_written, transposed_row_written_as_advised, "B[:, 1] = ... for B.T[1] = ...")])
def test_a_write_through_the_transpose_advises_the_reversed_indices(f, advised, advice):
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(f)(M33)
    assert f"its indices reversed: {advice}" in str(info.value)
    assert advised(M33) == f(M33)  # (the advice is the same program)
    assert_close(check_every_mode(advised, M33), numeric_grad(f, (M33,), 0))


# ------------------------------------------------------------------ M2. an in-place operator on an item of a container
# `for k in ("a", "b"): w = d[k]; w *= 2.0` (NumPy changes the arrays a and b the dict holds) was refused advising
# `d[k] = w * 2.0` (to write into the dict as if it were an array: refused in turn, and not changing a and b) or
# `w = w * 2.0` (a and b unchanged: another program). The advice now names the arrays the item may be and writes into
# each by its own name (`a[:] = a * 2.0` where it is a), an element write s2s follows to the container too.

def items_doubled_through_keys(x):
    a = x * 2.0
    b = x ** 2
    d = {}
    d["a"] = a
    d["b"] = b
    for k in ("a", "b"):
        w = d[k]
        w *= 2.0
    return np.sum(a) + np.sum(b ** 2)


def items_doubled_through_a_display(x):
    a = x * 2.0
    b = x ** 2
    d = {"a": a, "b": b}
    for k in ("a", "b"):
        w = d[k]
        w *= 2.0
    return np.sum(a) + np.sum(b ** 2)


def items_doubled_as_advised(x):
    a = x * 2.0
    b = x ** 2
    d = {"a": a, "b": b}
    a[:] = a * 2.0
    b[:] = b * 2.0
    return np.sum(d["a"]) + np.sum(b ** 2)


def list_items_normalised(x):
    a = x * 2.0 + 3.0
    b = x ** 2 + 1.0
    for w in [a, b]:
        w /= np.sum(w)
    return np.sum(a ** 3) + np.sum(b ** 2)


def list_items_normalised_as_advised(x):
    a = x * 2.0 + 3.0
    b = x ** 2 + 1.0
    a[:] = a / np.sum(a)
    b[:] = b / np.sum(b)
    return np.sum(a ** 3) + np.sum(b ** 2)


@pytest.mark.parametrize("f, advised, advice", [
    (items_doubled_through_keys, items_doubled_as_advised, "a[:] = a * 2.0 where it is 'a'; b[:] = b * 2.0 where it "
                                                           "is 'b'), not through the container"),
    (items_doubled_through_a_display, items_doubled_as_advised, "a[:] = a * 2.0 where it is 'a'; b[:] = b * 2.0"),
    (list_items_normalised, list_items_normalised_as_advised, "a[:] = a / np.sum(a) where it is 'a'; "
                                                              "b[:] = b / np.sum(b) where it is 'b'), not through")])
def test_an_operator_on_an_item_of_a_container_advises_each_array_by_its_own_name(f, advised, advice):
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(f)(X3)
    message = str(info.value)
    assert f"(the function's 'a' or 'b'), and s2s follows values" in message and \
        f"write into the array by the name it was made with ({advice}" in message \
        or f is items_doubled_through_keys and "an array in place that the container 'd' holds, and" in message and \
        "by the name it was made with (a[:] = a * 2.0 where it is an array 'a' it holds), not through the" in message
    assert "d[k] =" not in message
    assert advised(X3.copy()) == pytest.approx(f(X3.copy()), rel=1e-14)  # (the advice is the same program)
    assert_close(check_every_mode(advised, X3), numeric_grad(f, (X3,), 0))


# ------------------------------------------------------------------ M3. `d |= {...}`
# The refusal advised `d_new = d | {...}`, itself refused (s2s does not differentiate the operator | of dicts); it now
# advises the dict display s2s reads, `d_new = {**d, 'b': ...}`.

def dict_updated_in_place(x):
    d = {"a": x[0]}
    d |= {"b": x[1] * 2.0, "c": np.sin(x[2])}
    return d["a"] * d["b"] + d["c"] ** 2


def dict_updated_as_advised(x):
    d = {"a": x[0]}
    d_new = {**d, 'b': x[1] * 2.0, 'c': np.sin(x[2])}
    return d_new["a"] * d_new["b"] + d_new["c"] ** 2


def test_an_update_of_a_dict_in_place_advises_a_display():
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(dict_updated_in_place)(X3)
    assert "make a new dict and read that one: d_new = {**d, 'b': x[1] * 2.0, 'c': np.sin(x[2])}" in str(info.value)
    assert dict_updated_as_advised(X3) == dict_updated_in_place(X3)  # (the advice is the same program)
    assert_close(check_every_mode(dict_updated_as_advised, X3), numeric_grad(dict_updated_in_place, (X3,), 0))
