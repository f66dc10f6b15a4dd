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
from conftest import assert_close, numeric_grad

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
