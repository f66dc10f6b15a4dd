"""A plain write of an item of a list the function made, `ys[k] = v` (round 16, fix16listw).

It was refused ("assignment to an element of the list 'ys'") for a list display, a comprehension's list,
list(...) and a list grown by append, where a list made by repetition (`P = [None] * n`) was written: Python
rebinds the slot, no array changes in place, so each write is a new version of the list (`setitem`), as for a
repeated list, which the alias stage follows. Checked at a constant and a run-time index, at the top level and in
loops and branches, with items that are arrays of different shapes, numbers, and both; every mode against finite
differences, the value against plain Python, and the caller's arguments (lists too) left as they were.
"""
import copy

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad, numeric_hessian

X = np.array([0.3, -0.5, 0.8])


def every_mode(f, x, *rest, hessian=True):
    """f(x, *rest) (a number) by every transformation with respect to x, against finite differences and plain
    Python's value; x and everything in `rest` left as they were after each call."""
    kept = copy.deepcopy((x, rest))

    def unchanged(what):
        assert _same((x, rest), kept), f"{f.__name__}: {what} changed the caller's arguments"

    expected = f(copy.deepcopy(x), *copy.deepcopy(rest))
    value, gradient = s2s.value_and_grad(f)(x, *rest)
    unchanged("value_and_grad")
    assert value == pytest.approx(expected, rel=1e-12, abs=1e-12)
    numeric = numeric_grad(lambda x: f(x, *copy.deepcopy(rest)), (x,), 0)
    assert_close(gradient, numeric, 1e-5, 1e-6, what=f"{f.__name__}: grad")
    assert_close(s2s.grad(f)(x, *rest), numeric, 1e-5, 1e-6, what=f"{f.__name__}: grad")
    primal, pullback = s2s.vjp(f)(x, *rest)
    assert_close(pullback(1.0), numeric, 1e-5, 1e-6, what=f"{f.__name__}: vjp")
    unchanged("vjp")
    v = np.linspace(-1.0, 1.0, x.size) + 0.25
    primal, tangent = s2s.jvp(f)((x, *rest), (v,))
    unchanged("jvp")
    assert primal == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert_close(tangent, np.sum(numeric * v), 1e-5, 1e-6, what=f"{f.__name__}: jvp")
    assert_close(s2s.jacobian(f, mode="forward")(x, *rest), numeric, 1e-5, 1e-6, what=f"{f.__name__}: forward")
    unchanged("the forward jacobian")
    assert_close(s2s.jacobian(f)(x, *rest), numeric, 1e-5, 1e-6, what=f"{f.__name__}: reverse jacobian")
    unchanged("the reverse jacobian")
    if hessian:
        hess = numeric_hessian(lambda x: f(x, *copy.deepcopy(rest)), x)
        assert_close(s2s.hessian(f)(x, *rest), hess, 1e-4, 1e-5, what=f"{f.__name__}: hessian")
        unchanged("the hessian")
        inner = s2s.grad(f)
        first = numeric_grad(lambda x: inner(x, *copy.deepcopy(rest)) @ v, (x,), 0)
        r0 = rest[0] if rest else None

        def outer(x):
            return inner(x, r0) @ v

        def outer_alone(x):
            return inner(x) @ v

        outer = outer if rest else outer_alone

        assert_close(s2s.grad(outer)(x), first, 1e-4, 1e-5, what=f"{f.__name__}: grad of grad")


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return type(a) is type(b) and np.array_equal(a, b)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(p, q) for p, q in zip(a, b))
    return a == b


# ---------------------------------------------------------------- at the top level, a constant index


def display_numbers(x):
    ys = [np.sin(x[0]), x[1] * 2.0, x[0] * x[2]]
    ys[0] = np.cos(x[1]) * x[2]
    return ys[0] + ys[1] * ys[2]


def display_arrays(x):
    ys = [np.sin(x), np.outer(x, x), x[0] * x[2]]
    ys[1] = np.tanh(x[:2]) * x[2]
    ys[2] = ys[0] @ x
    return np.sum(ys[0] ** 2) + np.sum(ys[1]) * ys[2]


def display_written_twice(x):
    ys = [x, x * 2.0]
    ys[0] = np.exp(x)
    ys[-1] = ys[0] * ys[1]
    ys[0] = x[1]
    return np.sum(ys[1]) * ys[0]


def comprehension(x):
    ys = [x * k for k in range(3)]
    ys[1] = np.sin(x)
    return np.sum(ys[0] * ys[1] + ys[2] ** 2)


def grown(x):
    ys = []
    ys.append(x[0])
    ys.append(x * 3.0)
    ys[0] = ys[0] * x[1]
    ys.append(np.sum(x))
    ys[2] = ys[2] ** 2
    return ys[0] * np.sum(ys[1]) + ys[2]


def copied_arguments(x, xs):
    ys = list(xs)
    ys[0] = x * 2.0
    ys[1] = ys[1] * x[0]
    return np.sum(ys[0] * ys[1]) + np.sum(xs[0])


def run_time_index(x, k):
    ys = [x[0], x[1], x[2]]
    ys[k] = np.sin(ys[k]) * x[0]
    ys[k - 1] = ys[k] * ys[k - 1]
    return ys[0] + 2.0 * ys[1] + 3.0 * ys[2]


def read_whole(x):
    ys = [x[0], x[1] * x[2], x]
    ys[0] = np.cos(x[2])
    a, b, c = ys
    return a * b + np.sum(c) * sum(ys[:2])


def returned_in_sum(x):
    ys = [np.sin(x), x ** 2]
    ys[1] = np.cos(x)
    return np.sum(np.concatenate(ys) ** 2) + sum(np.sum(y) for y in ys)


@pytest.mark.parametrize("f", [display_numbers, display_arrays, display_written_twice, comprehension, grown,
                               returned_in_sum, read_whole])
def test_write_at_a_constant_index(f):
    every_mode(f, X.copy())


def test_copy_of_the_callers_list_left_as_it_was():
    xs = [np.array([1.0, 2.0, 0.5]), np.array([0.3, 0.2, -1.0])]
    every_mode(copied_arguments, X.copy(), xs)
    assert np.array_equal(xs[0], [1.0, 2.0, 0.5]) and np.array_equal(xs[1], [0.3, 0.2, -1.0])


@pytest.mark.parametrize("k", [1, 2, -1])
def test_write_at_a_run_time_index(k):
    every_mode(run_time_index, X.copy(), k)


def written_then_named(x):
    ys = [x[0], x[1], x * 0.5]
    ys[0] = x[2] * 3.0
    zs = ys
    held = [ys]
    return zs[0] + ys[1] + held[0][0] * np.sum(zs[2])


def slot_of_lists(x):
    rows = [[x[0], x[1]], [x[2], 1.0]]
    rows[0] = [x[2], x[0]]
    return rows[0][1] + rows[1][0] * rows[0][0]


def sliced(x):
    ys = [x[0], x[1], x[2]]
    ys[1:] = [x[0] * 2.0, x[1] * 3.0]
    return ys[0] * ys[1] + ys[2]


def made_an_array(x):
    ys = [x[0], x[1], x[2]]
    ys[1] = np.sin(x[2]) * x[0]
    return np.sum(np.array(ys) ** 2)


def operator_on_numbers(x):
    ys = [x[0], x[1] * 2.0]
    ys[0] += x[2]
    ys[1] *= ys[0]
    return ys[0] + ys[1]


def operator_on_a_new_array(x):
    ys = [x, x * 2.0]
    ys[0] = x * 1.5
    ys[0] += 1.0
    return np.sum(ys[0] * ys[1])


def operator_on_a_comprehensions_array(x):
    ws = [np.zeros(3) for _ in range(2)]  # (hunt6's refusal: each array a new one, which only ws holds)
    ws[0] += x
    return np.sum(ws[0] * ws[1] + ws[0] ** 2)


@pytest.mark.parametrize("f", [written_then_named, slot_of_lists, sliced, made_an_array, operator_on_numbers,
                               operator_on_a_new_array, operator_on_a_comprehensions_array])
def test_other_writes(f):
    every_mode(f, X.copy())


# ---------------------------------------------------------------- kept refused


def operator_on_the_callers_array(x):
    ys = [x, x * 2.0]
    ys[0] += 1.0  # (Python adds 1 to the caller's x itself)
    return np.sum(ys[0] * ys[1])


def held_by_another_name(x):
    ys = [x[0], x[1]]
    zs = ys
    ys[0] = x[2] * 3.0
    return zs[0] + ys[1]


def held_by_a_container(x):
    ys = [x[0], x[1]]
    d = {"a": ys}
    ys[0] = x[2] * 3.0
    return d["a"][0] + ys[1]


def tuple_item(x):
    t = (x[0], x[1])
    t[0] = x[2]
    return t[0]


def test_operator_on_an_array_another_name_holds_is_refused():
    with pytest.raises(s2s.S2SError, match=r"ys\[0\] \+= 1.0"):
        s2s.grad(operator_on_the_callers_array)(X.copy())


@pytest.mark.parametrize("f", [held_by_another_name, held_by_a_container])
def test_list_another_name_holds_is_refused(f):
    with pytest.raises(s2s.S2SError, match="which another name or a container holds"):
        s2s.grad(f)(X.copy())


def test_tuple_item_is_refused():
    with pytest.raises(s2s.S2SError, match="assignment to an element"):
        s2s.grad(tuple_item)(X.copy())
