"""Refusals of right programs and advice that, followed, changes the program's meaning (round 17, fix17adv).

1. `np.multiply(x, 2.0, out=y, where=m)` was advised as `y = np.multiply(x, 2.0, where=m)`, whose entries where m
   is False NumPy leaves unset (garbage) where the original keeps y's values: the advice is now `y = np.where(m,
   np.multiply(x, 2.0), y)` (with a guarded operand for np.divide, np.log, ... whose value outside the mask would
   make the derivative nan). `d = np.multiply(x, 3.0, out=c)` got a generic `y = np.f(...)`: it names the call,
   `c = np.multiply(x, 3.0); d = c` (hunt17num R3, M3).

2. `prices, qty = zip(*rows)` of a list argument was advised as `rows = [p[0] for p in rows]`, which rebinds rows
   to its first column: the advice now binds each name the statement binds, `prices = [p[0] for p in rows]; qty
   = [p[1] for p in rows]`, and of a comprehension's pairs (`zip(*[(p[0], p[1]) for p in P])`) takes each part of
   its items (`xs = [p[0] for p in P]`) (hunt17fin M2, hunt17geo's low M).

3. A list of views read after the array was written (`cols = list([T[:, i] for i in range(3)]); T[1] = x`) was
   advised `cols = list(items.copy())`, a name of s2s's own, and `([...]).copy()`, a shallow copy whose items are
   still the views: the advice copies each item (`list([T[:, i].copy() for i in range(3)])`, `list(v.copy() for v
   in z)`), says it keeps the old values, and first names the form that keeps NumPy's meaning: take it after the
   write (hunt17geo M1).

4. A write into one node of a ragged list-of-lists tree (`last = tree[-1]; last[0] = ...`) was advised `tree[...]
   = ...`, refused in turn with advice to make the table a rectangular array: both refusals now first name the form
   that works and keeps the meaning, `last = list(tree[-1]); last[0] = ...; tree[-1] = last` (hunt17fin M1).

5. An insertion sort's shift `y[j + 1] = y[j]` (j = i - 1 of a range's i, then `j -= 1` in a while) was refused
   as a write of a value that may be a view of y: ElementAliases.integer now follows integer arithmetic and a
   loop's name bound to integers on every path; the list form (`y = list(x)`, `key = float(y[i])`) was refused as
   `j -= 1` changing in place an array the list holds: a range's target is an int where the alias stage asks
   whether an in-place operator's name is a Python number (hunt17num R2).

6. A write into a factor unpacked from a factorisation (`U, S, Vt = np.linalg.svd(H); Vt[2] = -Vt[2]`, the Kabsch
   sign fix) was exact in first derivatives but refused by hessian and jacobian(grad): the generated code read the
   factor as a part of the tuple the adjoint reads. A factor the function writes into is now bound to a copy of
   the tuple's (`Vt = np.copy(t1[2])`, the meaning kept: nothing else holds the tuple), exact in every mode
   (hunt17geo R1).

Each advised program is checked in every mode against finite differences and its value against NumPy's.
"""
import re

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, every_mode, numeric_grad

X = np.array([0.3, 1.2, -0.5])


def refusal(f, x=X) -> str:
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(f)(x)
    return str(info.value)


# 1. out= with where=, and out= of an assigned call

def multiply_where(x):
    y = np.ones(3)
    np.multiply(x, 2.0, out=y, where=x > 0)
    return np.sum(y * x)


def multiply_where_advised(x):
    y = np.ones(3)
    y = np.where(x > 0, np.multiply(x, 2.0), y)
    return np.sum(y * x)


def divide_where(x):
    y = np.zeros(3)
    np.divide(1.0, x, out=y, where=x > 0)
    return np.sum(y * x ** 2)


def divide_where_advised(x):
    y = np.zeros(3)
    y = np.where(x > 0, np.divide(1.0, np.where(x > 0, x, 1.0)), y)
    return np.sum(y * x ** 2)


def multiply_out_assigned(x):
    c = np.zeros(3)
    d = np.multiply(x, 3.0, out=c)
    return np.sum(d ** 2) + np.sum(c)


def multiply_out_assigned_advised(x):
    c = np.zeros(3)
    c = np.multiply(x, 3.0)
    d = c
    return np.sum(d ** 2) + np.sum(c)


def test_out_with_where_is_advised_as_a_where_keeping_the_old_values():
    said = refusal(multiply_where)
    assert "y = np.where(x > 0, np.multiply(x, 2.0), y)" in said, said
    assert multiply_where_advised(X) == multiply_where(X)
    every_mode(multiply_where_advised, X)
    said = refusal(divide_where)
    assert "y = np.where(x > 0, np.divide(1.0, np.where(x > 0, x, 1.0)), y)" in said, said
    assert divide_where_advised(X) == divide_where(X)
    every_mode(divide_where_advised, X)
    at_zero = np.array([0.0, 1.2, -0.5])  # (a masked 0: no nan from the 1 / 0 left out)
    assert_close(s2s.grad(divide_where_advised)(at_zero), [0.0, 1.0, 0.0], what="grad at 0")
    assert_close(s2s.hessian(divide_where_advised)(at_zero), np.zeros((3, 3)), what="hessian at 0")


def test_out_of_an_assigned_call_names_the_call():
    said = refusal(multiply_out_assigned)
    assert "c = np.multiply(x, 3.0); d = c" in said, said
    assert multiply_out_assigned_advised(X) == multiply_out_assigned(X)
    every_mode(multiply_out_assigned_advised, X)


# 2. zip(*rows) of a run-time list: a comprehension per name bound, not `rows = [p[0] for p in rows]`

ROWS = [[10.0, 2.0], [12.0, 3.0], [9.5, 1.0]]


def cross_weighted(rows):
    prices, qty = zip(*rows)
    return sum(p * q for p, q in zip(prices, qty)) / sum(qty)


def cross_weighted_advised(rows):
    prices = [p[0] for p in rows]
    qty = [p[1] for p in rows]
    return sum(p * q for p, q in zip(prices, qty)) / sum(qty)


def pairs_of_a_comprehension(P):
    xs, ys = zip(*[(p[0], p[1]) for p in P])
    return sum(xs) * sum(ys)


def test_zip_star_is_advised_as_one_comprehension_per_name():
    said = refusal(cross_weighted, ROWS)
    assert "prices = [p[0] for p in rows]; qty = [p[1] for p in rows]" in said, said
    assert cross_weighted_advised(ROWS) == cross_weighted(ROWS)
    flat = np.array(ROWS).ravel()
    numeric = numeric_grad(lambda v: cross_weighted(v.reshape(3, 2).tolist()), (flat,), 0).reshape(3, 2)
    assert_close(np.array(s2s.grad(cross_weighted_advised)(ROWS)), numeric, what="advised grad")
    value, pullback = s2s.vjp(cross_weighted_advised)(ROWS)
    assert value == cross_weighted(ROWS)
    assert_close(np.array(pullback(1.0)), numeric, what="advised vjp")
    said = refusal(pairs_of_a_comprehension, ROWS)
    assert "xs = [p[0] for p in P]; ys = [p[1] for p in P]" in said, said


# 3. a list of views read after a write: each item copied (a list's .copy() is shallow), or the list taken after

def columns_listed(x):
    T = np.zeros((3, 3))
    cols = list([T[:, i] for i in range(3)])
    T[1] = x
    return np.sum(cols[2])


def columns_listed_after(x):
    T = np.zeros((3, 3))
    T[1] = x
    cols = list([T[:, i] for i in range(3)])
    return np.sum(cols[2])


def columns_listed_copies(x):
    T = np.zeros((3, 3))
    cols = list([T[:, i].copy() for i in range(3)])
    T[1] = x
    return np.sum(cols[2]) + np.sum(T * x)


def columns_of_rows(x):
    T = np.zeros((3, 3))
    rows = list(T)
    T[1] = x
    return np.sum(rows[1] * x)


def columns_of_rows_copies(x):
    T = np.zeros((3, 3))
    rows = list(v.copy() for v in T)
    T[1] = x
    return np.sum(rows[1] * x) + np.sum(T * x)


def test_a_list_of_views_is_advised_with_its_items_copied_or_taken_after_the_write():
    said = refusal(columns_listed)
    assert "take it after line" in said and "cols = list([T[:, i].copy() for i in range(3)])) to keep the old ones" \
        in said, said
    assert columns_listed_after(X) == columns_listed(X)
    every_mode(columns_listed_after, X)
    every_mode(columns_listed_copies, X)
    said = refusal(columns_of_rows)
    assert "rows = list(v.copy() for v in T)" in said, said
    every_mode(columns_of_rows_copies, X)


# 4. one node of a ragged list-of-lists tree: copy the row, write the copy, store it back

def tree_of(x):
    tree = [[x[0]]]
    for i in range(3):
        row = [v * x[1] for v in tree[-1]]
        row.append(tree[-1][-1] / x[1])
        tree.append(row)
    return tree


def floor_through_a_name(x):
    tree = tree_of(x)
    last = tree[-1]
    last[0] = max(last[0], 1.5)
    return sum(tree[-1]) + sum(tree[1]) + last[1]


def floor_through_a_name_advised(x):
    tree = tree_of(x)
    last = list(tree[-1])
    last[0] = max(last[0], 1.5)
    tree[-1] = last
    return sum(tree[-1]) + sum(tree[1]) + last[1]


def floor_by_index(x):
    tree = tree_of(x)
    tree[-1][0] = max(tree[-1][0], 1.5)
    return sum(tree[-1]) + sum(tree[1])


def floor_by_index_advised(x):
    tree = tree_of(x)
    row = list(tree[-1])
    row[0] = max(row[0], 1.5)
    tree[-1] = row
    return sum(tree[-1]) + sum(tree[1])


@pytest.mark.parametrize("S", [1.0, 1.4])
def test_a_write_into_a_row_of_a_list_of_lists_is_advised_to_copy_write_and_store_it_back(S):
    x = np.array([S, 1.1])
    said = refusal(floor_through_a_name, x)
    assert "last = list(tree[-1]) (last = np.copy(tree[-1]) for an array); last[0] = ...; tree[-1] = last" in said, \
        said
    assert floor_through_a_name_advised(x) == floor_through_a_name(x)
    every_mode(floor_through_a_name_advised, x)
    said = refusal(floor_by_index, x)
    assert "row = list(tree[-1]); row[0] = ...; tree[-1] = row" in said, said
    assert floor_by_index_advised(x) == floor_by_index(x)
    every_mode(floor_by_index_advised, x)


# 5. an insertion sort's shift y[j + 1] = y[j], j = i - 1 of a range's i and then j -= 1: integers

def insertion_sorted(x):
    y = np.zeros(5)
    y[:] = x
    for i in range(1, 5):
        key = float(y[i])
        j = i - 1
        while j >= 0 and y[j] > key:
            y[j + 1] = y[j]
            j -= 1
        y[j + 1] = key
    return np.sum(np.arange(5) * y)


def insertion_sorted_element(x):
    y = np.zeros(5)
    y[:] = x
    for i in range(1, 5):
        key = y[i]
        j = i - 1
        while j >= 0 and y[j] > key:
            y[j + 1] = y[j]
            j = j - 1
        y[j + 1] = key
    return np.sum(np.arange(5) * y ** 2)


def shifted_by_a_float(x):
    y = np.zeros(5)
    y[:] = x
    j = 3.0 - 1.0
    while j >= 1:
        y[j + 1] = y[j]
        j -= 1
    return np.sum(y)


def test_an_insertion_sort_shift_at_an_integer_counter_is_exact():
    x = np.array([0.3, 1.2, -0.5, 2.0, 0.75])
    assert s2s.value_and_grad(insertion_sorted)(x)[0] == insertion_sorted(x)
    assert_close(s2s.grad(insertion_sorted)(x), [1.0, 3.0, 0.0, 4.0, 2.0], what="sorted positions")
    every_mode(insertion_sorted, x)
    every_mode(insertion_sorted_element, x)
    with pytest.raises((s2s.S2SError, IndexError)):  # (a float counter is no index, as NumPy says)
        s2s.grad(shifted_by_a_float)(x)


# 6. an element write into a factor unpacked from a factorisation (the Kabsch sign fix), differentiated twice

WEIGHTS = np.arange(9.0).reshape(3, 3)
H = np.array([[1.0, 0.2, 0.1], [0.3, 0.8, -0.2], [0.0, 0.1, 0.5]])


def kabsch_sign_fix(h):
    H = h.reshape(3, 3)
    U, S, Vt = np.linalg.svd(H)
    Vt[2] = -Vt[2]
    R = Vt.T @ U.T
    return np.sum(R * WEIGHTS)


def kabsch_column_flip(h):
    H = h.reshape(3, 3)
    U, S, Vt = np.linalg.svd(H)
    U[:, -1] *= -1.0
    return np.sum((U @ Vt) * WEIGHTS) + np.sum(S)


def eigh_flip(h):
    A = h.reshape(3, 3)
    w, V = np.linalg.eigh(A + A.T)
    V[:, 0] = -V[:, 0]
    V *= 2.0
    return np.sum(np.abs(V[0])) + np.sum(w ** 2)


@pytest.mark.parametrize("f", [kabsch_sign_fix, kabsch_column_flip, eigh_flip])
def test_a_write_into_an_unpacked_factor_is_exact_to_second_order(f):
    every_mode(f, H.ravel())
    assert re.search(r"= np\.copy\(t\d+(\[\d\])?\)", s2s.grad(f).source)  # (the factor an array of its own)


def insertion_sorted_list(x):
    y = list(x)
    for i in range(1, len(y)):
        key = float(y[i])
        j = i - 1
        while j >= 0 and y[j] > key:
            y[j + 1] = y[j]
            j -= 1
        y[j + 1] = key
    return sum(w * v for w, v in zip(range(len(y)), y))


def test_an_insertion_sort_of_a_list_with_an_integer_counter_is_exact():
    # (j -= 1 of j = i - 1 was taken for an in-place change of an array the list holds: a range's i is an int)
    x = np.array([0.3, 1.2, -0.5, 2.0, 0.75])
    assert s2s.value_and_grad(insertion_sorted_list)(x)[0] == insertion_sorted_list(x)
    assert_close(s2s.grad(insertion_sorted_list)(x), [1.0, 3.0, 0.0, 4.0, 2.0], what="sorted positions")
    every_mode(insertion_sorted_list, x)
