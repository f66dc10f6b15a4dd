"""Front-end evaluation order and iteration: each expression evaluated once and where Python evaluates it,
dicts iterated by key, generators and stored iterators consumed as Python consumes them, sequences repeated
and joined as sequences. Each case checked against the original function and finite differences (or an
analytic value), or refused at the user's line."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


# ---------------------------------------------------------------- a = b = v: v evaluated once, one object

def chained_zeros(x):
    a = b = np.zeros(2)
    a[0] = x
    return np.sum(b) * x  # x * x: b is a


def chained_random(x):
    a = b = np.random.normal(size=3)
    return np.sum((a - b) ** 2) + x  # x: a and b are one draw


def chained_in_loop(x):
    a = b = np.zeros(3)
    for i in range(3):
        a[i] = x[i] ** 2
    return np.sum(b * x)


def test_chained_assignment_binds_one_object():
    value, grad = s2s.value_and_grad(chained_zeros)(3.0)
    assert_close(value, 9.0, rtol=1e-12, what="value")
    assert_close(grad, 6.0, what="d/dx")


def test_chained_assignment_evaluates_once():
    np.random.seed(1)
    value, grad = s2s.value_and_grad(chained_random)(1.5)
    assert value == 1.5 and grad == 1.0


def test_chained_assignment_written_in_a_loop():
    x = np.array([0.3, -0.7, 1.2])
    value, grad = s2s.value_and_grad(chained_in_loop)(x)
    assert_close(value, chained_in_loop(x), rtol=1e-12, what="value")
    assert_close(grad, 3 * x ** 2, what="d/dx")


# ---------------------------------------------------------------- y[i] += v: y and i evaluated once

def random_index_iadd(x):
    y = np.zeros(50)
    for k in range(20):
        y[np.random.randint(50)] += x
    return np.sum(y) * x  # 20 x**2 whatever the indices


def _pick():
    return np.random.randint(3)


def helper_index_iadd(x):
    y = np.array([1.0, 2.0, 3.0])
    y[_pick()] += x
    return np.sum(y * y)


def test_augmented_element_index_evaluated_once():
    np.random.seed(0)
    value, grad = s2s.value_and_grad(random_index_iadd)(1.5)
    assert_close(value, 20 * 1.5 ** 2, rtol=1e-12, what="value")
    assert_close(grad, 40 * 1.5, what="d/dx")


def test_augmented_element_helper_index_called_once():
    for seed in range(6):
        np.random.seed(seed)
        i = np.random.randint(3)
        np.random.seed(seed)
        value, grad = s2s.value_and_grad(helper_index_iadd)(1.5)
        assert_close(value, 14.0 - (i + 1.0) ** 2 + (i + 2.5) ** 2, rtol=1e-12, what="value")
        assert_close(grad, 2 * (i + 2.5), what="d/dx")


# ---------------------------------------------------------------- xs * n, xs + ys on lists and tuples: sequences

def list_repeated(x):
    ys = [x[0], x[1]] * 2
    return ys[0] + ys[3] * ys[2]  # x0 + x1 x0


def list_repeated_left(x):
    ys = 2 * [x[0], x[1]]
    return ys[0] * ys[3]  # x0 x1


def list_repeated_in_place(x):
    ys = [x[0]]
    ys *= 3
    return sum(ys) * ys[1]  # 3 x0**2


def tuples_joined(x):
    t = (x[0],) + (x[1],)
    return t[1] ** 3  # x1**3


def tuple_joined_in_place(x):
    t = (x[0],)
    t += (x[1],)
    t *= 2
    return t[3] * t[0] ** 2  # x1 x0**2


def lists_joined(x):
    a = [x[0], x[1]]
    t = a + [x[1]]
    return t[2] ** 3 * t[0]  # x1**3 x0


def grown_list_extended(x):
    ys = [x[0]]
    ys.append(x[1])
    ys += [x[0], x[1]]
    return ys[3] * ys[0] + ys[2]  # x1 x0 + x0


def repeated_in_loop(x):
    ys = [x[0]] * 3
    s = 0.0
    for i in range(3):
        s = s + ys[i] * (i + 1)
    return s * x[1]  # 6 x0 x1


SEQUENCES = [list_repeated, list_repeated_left, list_repeated_in_place, tuples_joined, tuple_joined_in_place,
             lists_joined, grown_list_extended, repeated_in_loop]


@pytest.mark.parametrize("f", SEQUENCES, ids=[f.__name__ for f in SEQUENCES])
def test_sequence_repeated_and_joined(f):
    x = np.array([0.3, -0.7])
    value, grad = s2s.value_and_grad(f)(x)
    assert_close(value, f(x), rtol=1e-12, what="value")
    reference = numeric_grad(f, (x,), 0)
    assert_close(grad, reference, what="grad")
    assert_close(s2s.jacobian(f, mode="forward")(x), reference, what="forward jacobian")
    assert_close(s2s.jacobian(f)(x), reference, what="reverse jacobian")
    hessian = np.array([numeric_grad(lambda v: numeric_grad(f, (v,), 0)[i], (x,), 0, 1e-4) for i in range(2)])
    assert_close(s2s.hessian(f)(x), hessian, rtol=1e-4, atol=1e-5, what="hessian")


def repeated_by_argument(x, n):
    return sum([x] * n)


def grown_list_repeated(x):
    ys = []
    for v in x:
        ys.append(v)
    zs = ys * 2
    return zs[0]


def prepended(x):
    ys = [x[0]]
    for v in x[1:]:
        ys = [v * 2.0] + ys
    return ys[0] * ys[-1]


def extended_by_array(x):
    ys = [x[0]]
    ys += x
    return ys[1]


def extended_while_shared(x):
    ys = [x[0]]
    zs = ys
    ys += [x[1]]
    return zs[-1]


@pytest.mark.parametrize("f, args, match, line", [
    (repeated_by_argument, (0.5, 3), "times a value known only at run time", "return sum([x] * n)"),
    (grown_list_repeated, (np.ones(2),), "repeating a list or tuple whose length", "zs = ys * 2"),
    (prepended, (np.ones(3),), "joining lists or tuples whose lengths", "ys = [v * 2.0] + ys"),
    (extended_by_array, (np.ones(2),), "with a value known only at run time", "ys += x"),
    (extended_while_shared, (np.ones(2),), "another name or a container", "ys += [x[1]]"),
])
def test_sequence_of_unknown_length_refused_at_its_line(f, args, match, line):
    with pytest.raises(s2s.UnsupportedSyntaxError, match=match) as info:
        s2s.grad(f)(*args)
    assert line in str(info.value)
