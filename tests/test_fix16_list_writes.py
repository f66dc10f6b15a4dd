"""A plain write of an item of a list the function made, `ys[k] = v` (round 16, fix16listw).

It was refused ("assignment to an element of the list 'ys'") for a list display, a comprehension's list,
list(...) and a list grown by append, where a list made by repetition (`P = [None] * n`) was written: Python
rebinds the slot, no array changes in place, so each write is a new version of the list (`setitem`), as for a
repeated list, which the alias stage follows. Checked at a constant and a run-time index, at the top level and in
loops and branches, with items that are arrays of different shapes, numbers, and both; every mode against finite
differences, the value against plain Python, and the caller's arguments (lists too) left as they were. `ys[k] += v`
changes the item itself where it is an array: checked as it runs to be a number, or an array no other name holds.
s2s's derivative of a list keeps each item's shape: a write giving an item read before a wider shape (`ys[2] = ys[2]
+ x` of a number) is refused as it runs (it gave a wrong gradient, a wrong Hessian in a loop, of a list by
repetition too).
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


# ---------------------------------------------------------------- in loops and branches


def loop_numbers(x):
    ys = [x[0], x[1], x[2]]
    for i in range(3):
        ys[i] = ys[i] * x[(i + 1) % 3]
    return ys[0] + 2.0 * ys[1] + 3.0 * ys[2]


def loop_arrays_of_shapes(x):
    ys = [x, x[:2] * 2.0, np.outer(x, x)]
    for i in range(len(ys)):
        ys[i] = np.sin(ys[i]) * x[i]
    return sum(np.sum(y) for y in ys)


def loop_reads_the_item_before(x):
    ys = [x[0], x[1], x[2]]
    for i in range(1, 3):
        ys[i] = ys[i - 1] * ys[i]
    return ys[0] + ys[2]


def comprehension_in_loops(x):
    ys = [x * k for k in range(1, 4)]
    for j in range(2):
        for k in range(3):
            ys[k] = np.tanh(ys[k] * ys[(k + 1) % 3]) * x[j]
    return np.sum(ys[0] + ys[1] * ys[2])


def appended_then_written(x):
    ys = []
    for k in range(3):
        ys.append(x[k] * 2.0)
        ys[-1] = ys[-1] ** 2 + x[0]
    return ys[0] + ys[1] * ys[2]


def list_made_in_the_loop(x):
    total = 0.0
    for k in range(2):
        ys = [x[0] * k, x[1], x[2]]
        ys[k] = ys[k] * x[2]
        total = total + ys[0] * ys[1] + ys[2]
    return total


def while_loop(x):
    ys = [x[0], x[1], x[2]]
    i = 0
    while i < 3:
        ys[i] = ys[i] ** 2 + x[i]
        i += 1
    return ys[0] * ys[1] + ys[2]


def loop_with_break(x):
    ys = [x[0], x[1], x[2]]
    for i in range(3):
        if ys[i] < 0:
            break
        ys[i] = ys[i] * 3.0 + x[2]
    return ys[0] + ys[1] * ys[2]


def branches(x):
    ys = [x[0], x[1] * 2.0]
    if x[0] > 0:
        ys[0] = np.cos(x[2])
    else:
        ys[1] = x[2] ** 2
    ys[1] = ys[0] * ys[1]
    return ys[0] * ys[1]


def operators_in_a_loop(x):
    ys = [np.zeros(3), np.ones(3), x * 0.5]
    for i in range(3):
        ys[i] += x * (i + 1.0)
    return np.sum(ys[0] * ys[1] + ys[2])


def repetition_of_a_comprehension(x, N=3):
    P = [None for _ in range(N + 1)]  # (hunt12: refused, advising [None] * (N + 1))
    P[N] = x
    for t in reversed(range(N)):
        P[t] = 2.0 * P[t + 1] * x[0]
    return np.sum(P[0] ** 2)


@pytest.mark.parametrize("f", [loop_numbers, loop_arrays_of_shapes, loop_reads_the_item_before, comprehension_in_loops,
                               appended_then_written, list_made_in_the_loop, while_loop, loop_with_break, branches,
                               operators_in_a_loop, repetition_of_a_comprehension])
def test_writes_in_loops_and_branches(f):
    every_mode(f, X.copy())
    every_mode(f, -X)


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


def held_by_another_name_in_a_loop(x):
    ys = [x[0], x[1], x[2]]
    zs = ys
    for i in range(3):
        ys[i] = ys[i] * x[0]
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


def operator_in_a_loop_on_the_callers_array(x):
    ys = [x, x * 2.0]
    for i in range(2):
        ys[i] += 1.0
    return np.sum(ys[0] * ys[1])


def operator_in_a_loop_on_a_named_array(x):
    a = x * 2.0
    ys = [a, x * 3.0]
    for i in range(2):
        ys[i] += 1.0  # (Python adds 1 to a as well)
    return np.sum(a * ys[1])


def operator_in_a_loop_on_an_item_read_by_name(x):
    ys = [x * 2.0, x * 3.0]
    a = ys[0]
    for i in range(2):
        ys[i] += 1.0
    return np.sum(a * ys[1])


@pytest.mark.parametrize("f", [operator_on_the_callers_array, operator_in_a_loop_on_the_callers_array,
                               operator_in_a_loop_on_a_named_array, operator_in_a_loop_on_an_item_read_by_name])
def test_operator_on_an_array_another_name_holds_is_refused(f):
    with pytest.raises(s2s.S2SError, match=r"ys\[[0i]\] \+= 1.0"):
        s2s.grad(f)(X.copy())


@pytest.mark.parametrize("f", [held_by_another_name, held_by_another_name_in_a_loop, held_by_a_container])
def test_list_another_name_holds_is_refused(f):
    with pytest.raises(s2s.S2SError, match="which another name or a container holds"):
        s2s.grad(f)(X.copy())


def test_tuple_item_is_refused():
    with pytest.raises(s2s.S2SError, match="assignment to an element"):
        s2s.grad(tuple_item)(X.copy())


def wider_item_after_a_read(x):
    ys = [np.sum(x ** k) for k in range(1, 4)]
    a = ys[2]
    ys[2] = ys[2] + x * 3.0  # (a number, then an array)
    return np.sum(ys[2] * a) + ys[0]


def wider_item_by_an_operator(x):
    ys = [np.sum(x ** k) for k in range(1, 3)]
    for i in range(2):
        ys[i] += x * ys[1 - i]
    return np.sum(ys[0] * ys[1])


def wider_item_of_a_repeated_list(x):
    ys = [None] * 3
    ys[0] = np.zeros(3)
    ys[1] = np.ones(3)
    ys[2] = np.sum(x ** 2)
    for i in range(3):
        ys[i] = ys[i] + x * (i + 1.0)
    return np.sum(ys[0] * ys[1] + ys[2] ** 2)


@pytest.mark.parametrize("f", [wider_item_after_a_read, wider_item_by_an_operator, wider_item_of_a_repeated_list])
def test_an_item_read_then_given_a_wider_shape_is_refused(f):
    with pytest.raises(s2s.S2SError, match="s2s's derivative of a list keeps each item's shape"):
        s2s.grad(f)(X.copy())


def narrower_item_unread(x):
    ys = [np.zeros(3), np.ones(3), np.sum(x ** 2)]
    ys[2] = ys[2] + x * 3.0  # (no read of ys's items before: the display's own value)
    ys[0] = x[1] * 2.0  # (an array, then a number)
    return np.sum(ys[0] * ys[1] + ys[2] ** 2)


def test_an_item_of_another_shape_is_exact_where_nothing_read_it():
    every_mode(narrower_item_unread, X.copy())
