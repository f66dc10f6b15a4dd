"""hunt12ctl F1, F2, F3, M1, M4: lists made by repetition (`[None] * n`, `n * [0.0]`) and object arrays
(`np.empty(n, dtype=object)`, `x.tolist()`, `L.copy()` of a module's list) hold the objects stored into them, not
copies; s2s took them for float arrays. Each result against finite differences or the function itself."""
from __future__ import annotations

import collections
import copy

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

X = np.array([0.3, 0.5])
ZS = np.array([[0.1], [0.3], [0.2], [0.6]])


# ------------------------------------------------ F1: an array stored into a slot, then changed in place

def stored_then_scaled(x, T=3):
    y = x * 1.0
    xs = [None] * T
    for t in range(T):
        y *= x[0]
        xs[t] = y  # every slot holds the one array y
    return np.sum(xs[0])


def stored_then_updated(x0, T=3):
    x = x0.copy()
    xs = [None] * T
    for t in range(T):
        x += 0.1 * np.sin(x)
        xs[t] = x
    return np.sum(xs[0])


def element_updated_then_stored(x0, T=3):
    x = x0.copy()
    xs = [0.0] * T
    for t in range(T):
        x[0] += 0.1 * x[1]
        xs[t] = x
    return np.sum(xs[0])


def kalman_keeping_predictions(q, zs, T=4):
    A = np.array([[1.0, 0.1], [0.0, 1.0]])
    H = np.array([[1.0, 0.0]])
    x = np.zeros(2)
    P = np.eye(2)
    Ppred = [None] * T
    for t in range(T):
        x = A @ x
        P = A @ P @ A.T + q * np.eye(2)
        Ppred[t] = P
        S = H @ P @ H.T + 0.5
        K = P @ H.T / S
        x = x + K @ (zs[t] - H @ x)
        P -= K @ S @ K.T  # Ppred[t] is P: it changes too
    return sum(np.trace(Pp) for Pp in Ppred)


def kalman_keeping_copies(q, zs, T=4):  # (the refusal's advice: store a copy)
    A = np.array([[1.0, 0.1], [0.0, 1.0]])
    H = np.array([[1.0, 0.0]])
    x = np.zeros(2)
    P = np.eye(2)
    Ppred = [None] * T
    for t in range(T):
        x = A @ x
        P = A @ P @ A.T + q * np.eye(2)
        Ppred[t] = P.copy()
        S = H @ P @ H.T + 0.5
        K = P @ H.T / S
        x = x + K @ (zs[t] - H @ x)
        P -= K @ S @ K.T
    return sum(np.trace(Pp) for Pp in Ppred)


def kalman_rebinding(q, zs, T=4):  # (the refusal's other advice: P = P - ...)
    A = np.array([[1.0, 0.1], [0.0, 1.0]])
    H = np.array([[1.0, 0.0]])
    x = np.zeros(2)
    P = np.eye(2)
    Ppred = [None] * T
    for t in range(T):
        x = A @ x
        P = A @ P @ A.T + q * np.eye(2)
        Ppred[t] = P
        S = H @ P @ H.T + 0.5
        K = P @ H.T / S
        x = x + K @ (zs[t] - H @ x)
        P = P - K @ S @ K.T
    return sum(np.trace(Pp) for Pp in Ppred)


def slot_copied_then_updated(x, T=3):
    xs = [None] * (T + 1)
    xs[0] = x * 1.0
    for t in range(T):
        xs[t + 1] = xs[t]
        xs[t + 1] += 0.1 * np.sin(xs[t + 1])
    return np.sum(xs[0])


def slot_shared_then_scaled(x, T=3):
    Ks = [None] * T
    Ks[0] = x * 2.0
    Ks[1] = Ks[0]
    Ks[1] *= 3.0
    return np.sum(Ks[0])


TEMPLATE = [None, None, None]


def from_template(x, T=3):
    y = x * 1.0
    xs = TEMPLATE.copy()
    for t in range(T):
        y += 0.1 * np.sin(y)
        xs[t] = y
    return np.sum(xs[0])


def object_array(x, T=3):
    y = x * 1.0
    xs = np.empty(T, dtype=object)
    for t in range(T):
        y += 0.1 * np.sin(y)
        xs[t] = y
    return np.sum(xs[0])


def filled_with_none(x, T=3):
    y = x * 1.0
    xs = np.full(T, None)
    for t in range(T):
        y += 0.1 * np.sin(y)
        xs[t] = y
    return np.sum(xs[0])


def listed(x, T=3):
    y = x * 1.0
    xs = np.zeros(T).tolist()
    for t in range(T):
        y += 0.1 * np.sin(y)
        xs[t] = y
    return np.sum(xs[0])


def repeated_on_the_left(x, T=3):
    y = x * 1.0
    xs = T * [None]
    for t in range(T):
        y += 0.1 * np.sin(y)
        xs[t] = y
    return np.sum(xs[0])


@pytest.mark.parametrize("f", [stored_then_scaled, stored_then_updated, element_updated_then_stored, from_template,
                               object_array, filled_with_none, listed, repeated_on_the_left])
def test_an_array_a_list_holds_changed_in_place_in_a_loop_is_refused_at_the_store(f):
    for transform in (s2s.grad, s2s.value_and_grad, s2s.jvp, lambda g: s2s.jacobian(g, mode="forward")):
        with pytest.raises(s2s.UnsupportedSyntaxError, match=r"in place while 'xs' holds .*\.copy\(\)") as info:
            transform(f).source
        assert "xs[t] = " in str(info.value)


def test_the_kalman_filter_keeping_the_covariance_it_then_updates_in_place_is_refused():
    for transform in (s2s.grad, s2s.vjp, s2s.jvp):
        with pytest.raises(s2s.S2SError, match="P -= K @ S @ K.T"):
            if transform is s2s.jvp:
                transform(kalman_keeping_predictions)((0.1, ZS), (1.0,))
            else:
                transform(kalman_keeping_predictions)(0.1, ZS)


@pytest.mark.parametrize("f", [kalman_keeping_copies, kalman_rebinding])
def test_the_kalman_filter_rewritten_as_advised(f):
    kept = ZS.copy()
    value, g = s2s.value_and_grad(f)(0.1, ZS)
    assert value == pytest.approx(f(0.1, ZS), rel=1e-12)
    numeric = numeric_grad(f, (0.1, ZS), 0)
    assert_close(g, numeric)
    assert_close(s2s.jvp(f)((0.1, ZS), (1.0,))[1], numeric)
    assert_close(s2s.jacobian(f, mode="forward")(0.1, ZS), numeric)
    assert_close(s2s.grad(s2s.grad(f))(0.1, ZS), numeric_grad(s2s.grad(f), (0.1, ZS), 0), 1e-4, 1e-5)
    assert np.array_equal(ZS, kept)


@pytest.mark.parametrize("f", [slot_copied_then_updated, slot_shared_then_scaled])
def test_an_item_shared_by_two_slots_changed_in_place_is_refused(f):
    for transform in (s2s.grad, s2s.jvp):
        with pytest.raises(s2s.S2SError, match="another item of a list holding it"):
            if transform is s2s.jvp:
                transform(f)((X,), (np.ones(2),))
            else:
                transform(f)(X)


def stored_copies(x, T=3):  # (stored_then_updated as the refusal advises)
    y = x * 1.0
    xs = [None] * T
    for t in range(T):
        y += 0.1 * np.sin(y)
        xs[t] = y.copy()
    return np.sum(xs[0]) * np.sum(xs[2])


def test_an_array_stored_as_a_copy_in_every_mode():
    check_every_mode(stored_copies, X)


# ------------------------------------------------ F2: a list of a constant length written by item

def riccati_constant_length(x):
    N = 3
    P = [None] * (N + 1)
    P[N] = x
    for t in reversed(range(N)):
        P[t] = 2.0 * P[t + 1] * x[0]
    return np.sum(P[0] ** 2)


def riccati_parameter_length(x, N=3):
    P = [None] * (N + 1)
    P[N] = x
    for t in reversed(range(N)):
        P[t] = 2.0 * P[t + 1] * x[0]
    return np.sum(P[0] ** 2)


def literal_length(x):
    Rs = [None] * 3
    ps = [0.0] * 3
    R = np.eye(2)
    for i in range(3):
        c, s = np.cos(x[i % 2]), np.sin(x[i % 2])
        R = R @ np.array([[c, -s], [s, c]])
        Rs[i] = R
        ps[i] = R[0, 0] * x[1]
    return np.sum(Rs[2]) + ps[1] + ps[2]


@pytest.mark.parametrize("f", [riccati_constant_length, riccati_parameter_length, literal_length])
def test_a_list_written_by_item_whatever_its_length_is_known_by(f):
    check_every_mode(f, X)


def object_array_riccati(A):
    B = np.array([[0.005], [0.1]])
    x0 = np.array([1.0, -0.5])
    Q, R, N = np.eye(2), np.eye(1), 3
    P = np.empty(N + 1, dtype=object)
    P[N] = Q
    for t in reversed(range(N)):
        K = np.linalg.solve(R + B.T @ P[t + 1] @ B, B.T @ P[t + 1] @ A)
        P[t] = Q + A.T @ P[t + 1] @ (A - B @ K)
    return x0 @ P[0] @ x0


def test_an_object_array_of_matrices_in_forward_mode():  # F3: rt.zeros_like of an object array
    check_every_mode(object_array_riccati, np.array([[1.0, 0.1], [0.0, 1.0]]), hessian=False)


# ------------------------------------------------ F3 and c1-c4: lists of arrays in forward mode, joined, repeated

def two_slots(x, N=2):
    P = [None] * N
    P[0] = x
    P[1] = 2.0 * P[0]
    return np.sum(P[1] ** 2)


def joined_to_itself(x, N=2):
    a = [None] * N
    for i in range(N):
        a[i] = x[i] ** 2
    c = a + a
    return np.sum(np.array(c) * np.arange(4.0))


def joined_to_a_display(x, N=2):
    a = [0.0] * N
    for i in range(N):
        a[i] = x[i] * x[0]
    b = a + [x[1]]
    return np.dot(b, np.arange(3.0))


def appended_to(x, N=2):
    a = [0.0] * N
    for i in range(N):
        a[i] = x[i] * x[0]
    a.append(x[1])
    return np.sum(np.array(a) ** 2)


@pytest.mark.parametrize("f", [two_slots, joined_to_itself, joined_to_a_display, appended_to])
def test_lists_made_by_repetition_in_every_mode(f):
    check_every_mode(f, X)


def repeated_again(x, N=2):
    a = [0.0] * N
    for i in range(N):
        a[i] = x[i] ** 2
    c = a * 2  # Python's 4 items, not a product
    return np.sum(np.array(c) * np.arange(4.0))


def repeated_again_as_advised(x, N=2):
    a = [0.0] * N
    for i in range(N):
        a[i] = x[i] ** 2
    c = [v for _ in range(2) for v in a]
    return np.sum(np.array(c) * np.arange(4.0))


def test_a_list_of_a_length_known_as_the_code_runs_repeated_is_refused_with_advice_that_works():
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"\[v for _ in range\(2\) for v in a\]"):
        s2s.grad(repeated_again)(X)
    assert repeated_again_as_advised(X) == repeated_again(X)
    check_every_mode(repeated_again_as_advised, X)


# ------------------------------------------------ M1: an element of an item

def item_element_written(a, N=2):
    P = [None] * N
    P[0] = a * 1.0
    P[1] = a * 2.0
    P[1][0] = 5.0
    return np.sum(P[1] ** 2)


def item_element_written_as_advised(a, N=2):
    P = [None] * N
    P[0] = a * 1.0
    p = a * 2.0
    p[0] = 5.0
    P[1] = p
    return np.sum(P[1] ** 2)


def test_an_element_of_a_list_item_written_is_refused_with_advice_that_is_python():
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"an item of the list 'P'.*p\[0\] = \.\.\.; P\[1\] = p") \
            as info:
        s2s.grad(item_element_written)(X)
    assert "P[1, 0]" not in str(info.value).split("or make")[0]
    assert item_element_written_as_advised(X) == item_element_written(X)
    check_every_mode(item_element_written_as_advised, X)


# ------------------------------------------------ M4: a deque with maxlen

def delay_line(u, delay=2):
    buf = collections.deque([0.0] * delay, maxlen=delay)
    x = 0.0
    for k in range(6):
        buf.append(u[k])
        x = 0.9 * x + buf[0]
    return x


def delay_line_array(u, delay=2):
    buf = np.array([0.0] * delay, dtype=float)
    x = 0.0
    for k in range(6):
        buf[:-1] = buf[1:]
        buf[-1] = u[k]
        x = 0.9 * x + buf[0]
    return x


def delay_line_list(u, delay=2):
    buf = list([0.0] * delay)
    x = 0.0
    for k in range(6):
        buf = buf[1:] + [u[k]]
        x = 0.9 * x + buf[0]
    return x


def test_a_deque_is_refused_with_rewrites_that_keep_its_values():
    u = np.array([0.5, 0.2, -0.1, 0.3, 0.7, 0.1])
    with pytest.raises(s2s.UnsupportedSyntaxError, match="collections.deque") as info:
        s2s.grad(delay_line)(u)
    text = str(info.value)
    assert "buf[:-1] = buf[1:]; buf[-1] = u[k]" in text and "buf = buf[1:] + [u[k]]" in text
    for f in (delay_line_array, delay_line_list):
        assert f(u) == pytest.approx(delay_line(u), rel=1e-15)
        check_every_mode(f, u, hessian=False)


# ------------------------------------------------ F1 through a copy: of a module's list, of an argument

def deep_copied_template(x, T=3):
    y = x * 1.0
    xs = copy.deepcopy(TEMPLATE)
    for t in range(T):
        y += 0.1 * np.sin(y)
        xs[t] = y
    return np.sum(xs[0])


def test_a_deep_copy_of_a_modules_list_holds_the_arrays_stored():
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"in place while 'xs' holds 'y'"):
        s2s.grad(deep_copied_template)(X)


def copied_argument(x, buf, T=3):
    y = x * 1.0
    xs = buf.copy()
    for t in range(T):
        y += 0.1 * np.sin(y)
        xs[t] = y
    return np.sum(xs[0])


def deep_copied_argument(x, buf):
    xs = copy.deepcopy(buf)
    y = x * 2.0
    xs[0] = y
    y += 1.0
    return np.sum(xs[0])


@pytest.mark.parametrize("f", [copied_argument, deep_copied_argument])
def test_a_copy_of_an_argument_holding_an_array_changed_later_is_checked_to_be_an_arrays(f):
    listed_buf, array_buf = [None] * 3, np.zeros((3, 2))
    for transform in (s2s.grad, s2s.value_and_grad, lambda g: s2s.jacobian(g, mode="forward"), s2s.hessian):
        with pytest.raises(s2s.S2SError, match=r"'buf' is a list, so its copy 'xs' holds the array 'y' itself"):
            transform(f)(X, listed_buf)
    # (an array's copy holds copies: right as it was)
    value, g = s2s.value_and_grad(f)(X, array_buf)
    assert value == pytest.approx(f(X, array_buf), rel=1e-12)
    assert_close(g, numeric_grad(f, (X, array_buf), 0))
    assert_close(s2s.jacobian(f, mode="forward")(X, array_buf), numeric_grad(f, (X, array_buf), 0))
    assert np.array_equal(array_buf, np.zeros((3, 2))) and listed_buf == [None] * 3


# ------------------------------------------------ other lists written by item: the refusal names the repeated form

def comprehension_of_none(x, N=3):
    P = [None for _ in range(N + 1)]
    P[N] = x
    for t in reversed(range(N)):
        P[t] = 2.0 * P[t + 1] * x[0]
    return np.sum(P[0] ** 2)


def test_a_comprehension_of_one_constant_written_by_item_is_exact_as_the_repetition():
    check_every_mode(comprehension_of_none, X)  # (refused until fix16listw, advising the repetition)
    assert riccati_parameter_length(X) == comprehension_of_none(X)  # (the advised form, checked above in every mode)


# ------------------------------------------------ F3: object arrays holding arrays written from the argument

def object_array_of_matrices(x, N=3):
    P = np.empty(N + 1, dtype=object)
    P[N] = np.outer(x, x)
    for t in reversed(range(N)):
        P[t] = P[t + 1] @ P[t + 1] * 0.5
    return np.sum(P[0])


def filled_with_none_riccati(x, N=3):
    P = np.full(N + 1, None)
    P[N] = x
    for t in reversed(range(N)):
        P[t] = 2.0 * P[t + 1] * x[0]
    return np.sum(P[0] ** 2)


def listed_riccati(x, N=3):
    P = np.zeros(N + 1).tolist()
    P[N] = x
    for t in reversed(range(N)):
        P[t] = 2.0 * P[t + 1] * x[0]
    return np.sum(P[0] ** 2)


@pytest.mark.parametrize("f", [object_array_of_matrices, filled_with_none_riccati, listed_riccati])
def test_object_arrays_and_lists_of_arrays_in_every_mode(f):
    # (reverse mode crashed in rt.setitem_value_adjoint and rt.add_at, the forward Jacobian in rt.batch_setitem)
    check_every_mode(f, X)


# ------------------------------------------------ found by a generator of such lists (values vs f, FD in every mode)

def stored_then_changed_by_the_next_iteration(x0, T=3):
    x = x0 * 1.0
    xs = [None] * T
    for t in range(T):
        x += 0.5 * np.sin(x)  # changes last iteration's x, which xs[t - 1] is
        x = x + 0.95
        xs[t] = x
    return np.sum(xs[0])


def test_an_array_made_in_the_loop_and_stored_then_changed_by_the_next_iteration_is_refused():
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"in place while 'xs' holds 'x'.*xs\[t\] = x\.copy\(\)") \
            as info:
        s2s.grad(stored_then_changed_by_the_next_iteration)(X)
    assert info.value.lineno == stored_then_changed_by_the_next_iteration.__code__.co_firstlineno + 6


def numbers_then_arrays(x0, T=3):
    xs = T * [0.0]
    for t in range(T):
        xs[t] = x0 * (t + 1.0)
    return np.sum(xs[2] * xs[0])


def object_array_written_in_a_loop(x0, T=3):
    x = x0 * 1.0
    xs = np.empty(T, dtype=object)
    for t in range(T):
        xs[t] = x
        x = x * 0.72
    return np.sum(xs[T - 1] * xs[0])


@pytest.mark.parametrize("f", [numbers_then_arrays, object_array_written_in_a_loop])
def test_a_list_of_numbers_or_nones_given_arrays_in_the_forward_jacobian(f):
    check_every_mode(f, X)


def object_array_item_element_written(a, N=2):
    P = np.empty(N, dtype=object)
    P[0] = a * 1.0
    P[1] = a * 2.0
    P[1][0] = 5.0
    return np.sum(P[1] ** 2)


def test_an_element_of_an_object_array_item_written_is_refused_with_advice_that_is_python():
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"an item of the object array 'P'.*p\[0\] = \.\.\.; "
                                                          r"P\[1\] = p"):
        s2s.grad(object_array_item_element_written)(X)
