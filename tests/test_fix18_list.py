"""Round 18's lists of numbers (fix18list): a list's copy (`list(ys)`, `ys[:]`), an item read from it (`old = ys[0]`)
and a slot swap (`ys[0], ys[2] = ys[2], ys[0]`) hold the list's items, not the list: rebinding a slot of the list
later changes none of them. Each program is checked in every mode against finite differences (grad, vjp, jvp, both
Jacobians, the Hessian and grad of grad), its value against plain Python's, and the caller's array left as it was.
What a list shares with its copy, the arrays it holds, is still followed: an in-place write into one shows."""
import numpy as np
import pytest

import s2s
from conftest import every_mode

X = np.array([0.3, 0.7, 1.2])


# ------------------------------------------------ R2: list(ys), ys[:] of a list of numbers is a new list

def list_copy_then_slots(x):
    ys = [0.0] * 3
    snap = list(ys)
    for k in range(3):
        ys[k] = x[k] ** 2
        snap[k] = ys[k] + snap[k - 1]
    return snap[2] * ys[1]


def slice_copy_then_slots(x):
    ys = [x[0], x[1], x[2]]
    zs = ys[:]
    ys[0] = x[1] * x[2]
    ys[2] = ys[0] * 2.0
    return zs[0] * ys[0] + zs[2] * ys[2] + zs[1]


def copy_kept_old_values(x):
    ys = [1.0] * 3
    for it in range(2):
        old = list(ys)
        for k in range(3):
            ys[k] = old[k - 1] * x[k] + old[k]
    return ys[0] * ys[1] + ys[2]


def tuple_of_list_then_slot(x):
    ys = [x[0] * 2.0, x[1]]
    t = tuple(ys)
    ys[0] = x[2] ** 2
    return t[0] * ys[0] + t[1]


@pytest.mark.parametrize("f", [list_copy_then_slots, slice_copy_then_slots, copy_kept_old_values,
                               tuple_of_list_then_slot])
def test_list_copy_of_numbers(f):
    every_mode(f, X)


# ------------------------------------------------ R3: old = ys[0] of a list of numbers, then ys[0] = ...

def old_slot_in_loop(x):
    ys = [1.0] * 3
    out = 0.0
    for it in range(2):
        old = ys[0]
        ys[0] = x[0] * it + ys[2]
        ys[2] = old * x[2] + ys[1]
        ys[1] = ys[0] * x[1]
        out = out + old
    return out + ys[1] * ys[2]


def old_slot_of_display(x):
    ys = [x[0], x[1] * 2.0, x[2]]
    first = ys[0]
    ys[0] = ys[1] * ys[2]
    return first * ys[0] + first


@pytest.mark.parametrize("f", [old_slot_in_loop, old_slot_of_display])
def test_item_read_before_slot_rebound(f):
    every_mode(f, X)


def insertion_sort(x):
    y = [x[0], x[1], x[2], x[0] * x[1]]
    for i in range(1, len(y)):
        key = y[i]
        j = i - 1
        while j >= 0 and y[j] > key:
            y[j + 1] = y[j]
            j -= 1
        y[j + 1] = key
    return y[0] * 1.0 + y[1] * 2.0 + y[2] * 3.0 + y[3] * 4.0


def insertion_sort_of_list_copy(x):
    y = list(x * 2.0)
    for i in range(1, len(y)):
        key = y[i]
        j = i - 1
        while j >= 0 and y[j] > key:
            y[j + 1] = y[j]
            j -= 1
        y[j + 1] = key
    return y[0] * 1.0 + y[1] * 2.0 + y[2] ** 2


@pytest.mark.parametrize("f", [insertion_sort, insertion_sort_of_list_copy])
def test_insertion_sort_key_without_float(f):
    every_mode(f, np.array([0.9, -0.4, 1.7]))
    every_mode(f, np.array([0.2, 0.5, -1.1]))


# ------------------------------------------------ R4: a swap of two slots of a list of numbers

def swap_slots(x):
    ys = [0.0] * 3
    for k in range(3):
        ys[k] = x[0] ** (k + 1) + x[k]
    ys[0], ys[2] = ys[2], ys[0]
    return ys[0] + 2.0 * ys[2] * ys[1]


def swap_in_loop(x):
    ys = [x[0], x[1], x[2]]
    for k in range(2):
        if ys[k] > ys[k + 1]:
            ys[k], ys[k + 1] = ys[k + 1], ys[k]
    return ys[0] + 2.0 * ys[1] + 3.0 * ys[2] ** 2


@pytest.mark.parametrize("f", [swap_slots, swap_in_loop])
def test_slot_swap(f):
    every_mode(f, X)
    every_mode(f, np.array([1.1, -0.2, 0.4]))


# ------------------------------------------------ what a list's copy shares with it: the arrays it holds

def copy_shares_array_item(x):
    a = x * 2.0
    ys = [a, x * 3.0]
    snap = list(ys)
    a[0] = 5.0
    return np.sum(snap[0])


def item_then_array_written(x):
    a = x * 2.0
    ys = [a, x * 3.0]
    first = ys[0]
    a[1] = 0.0
    return np.sum(first)


@pytest.mark.parametrize("f", [copy_shares_array_item, item_then_array_written])
def test_array_item_written_in_place_still_followed(f):
    every_mode(f, X)


# ------------------------------------------------ an in-place operator on an array item that a copy of the list holds
# too (`snap = list(ys); ys[0] *= x`): Python changes the array snap[0] is; s2s gave snap's old array (a silent wrong
# value and derivative, before round 18). Refused as it runs, where it is an array.

def display_item_scaled_after_copy(x):
    ys = [x * 2.0]
    snap = list(ys)
    ys[0] *= x
    return np.sum(snap[0])


def display_item_added_after_copy(x):
    ys = [x * 2.0, x * 3.0]
    snap = list(ys)
    ys[0] += 1.0
    return np.sum(snap[0]) + np.sum(ys[0])


def items_scaled_in_loop_after_copy(x):
    ys = [x * 2.0, x * 3.0]
    snap = list(ys)
    for k in range(2):
        ys[k] *= x
    return np.sum(snap[0] * snap[1])


@pytest.mark.parametrize("f", [display_item_scaled_after_copy, display_item_added_after_copy,
                               items_scaled_in_loop_after_copy])
def test_array_item_changed_in_place_under_a_copy_is_refused(f):
    with pytest.raises(s2s.S2SError, match="would change an array in place"):
        s2s.grad(f)(X)


def numbers_scaled_after_copy(x):
    ys = [x[0] * 2.0, x[1]]
    snap = list(ys)
    for k in range(2):
        ys[k] *= x[2]
    return snap[0] * snap[1] + ys[0] * ys[1]


def item_rebound_after_copy(x):
    ys = [x * 2.0]
    snap = list(ys)
    ys[0] = ys[0] * x
    return np.sum(snap[0]) + np.sum(ys[0] ** 2)


@pytest.mark.parametrize("f", [numbers_scaled_after_copy, item_rebound_after_copy])
def test_numbers_or_new_values_under_a_copy_are_exact(f):
    every_mode(f, X)


# ------------------------------------------------ R4's advice: a list s2s cannot tell is one (`[0.0] * n` of an
# argument n) keeps the refusal, whose advice now runs on a float too (float(ys[2]): a float has no .copy())

def swap_slots_of_n(x, n=3):
    ys = [0.0] * n
    for k in range(n):
        ys[k] = x[k] ** 2
    ys[0], ys[2] = ys[2], ys[0]
    return ys[0] + 2.0 * ys[2] * ys[1]


def swap_slots_of_n_advised(x, n=3):
    ys = [0.0] * n
    for k in range(n):
        ys[k] = x[k] ** 2
    ys[0], ys[2] = float(ys[2]), float(ys[0])
    return ys[0] + 2.0 * ys[2] * ys[1]


def test_swap_advice_runs_on_numbers():
    with pytest.raises(s2s.S2SError) as caught:
        s2s.grad(swap_slots_of_n)(X)
    assert "ys[0], ys[2] = float(ys[2]), float(ys[0])" in str(caught.value), str(caught.value)
    assert swap_slots_of_n_advised(X) == swap_slots_of_n(X)
    every_mode(swap_slots_of_n_advised, X)


# ------------------------------------------------ M3: the advice for a write into a row of a list of lists kept the
# meaning only where nothing else holds the row: where a display holds one named list twice (`M = [row, row]`) or the
# function reads it by its name, the advice now stores the new list wherever it is held, by a name the function does
# not use; where s2s cannot tell (`[[0.0] * m] * n`, `r = M[1]`), it says when the copy keeps the meaning

def row_held_twice(x):
    row = [x[0], x[1]]
    M = [row, row]
    M[1][0] = x[2] * 3.0
    return M[0][0] * M[1][1]


def row_held_twice_advised(x):
    row = [x[0], x[1]]
    M = [row, row]
    new_row = list(row); new_row[0] = x[2] * 3.0; M = [new_row, new_row]  # noqa: E702
    return M[0][0] * M[1][1]


def row_read_by_name(x):
    row = [x[0], x[1]]
    M = [row, [x[2], x[0]]]
    M[0][0] = x[2] * 3.0
    return M[0][0] * M[1][1] + row[0]


def row_read_by_name_advised(x):
    row = [x[0], x[1]]
    M = [row, [x[2], x[0]]]
    new_row = list(row); new_row[0] = x[2] * 3.0; M = [new_row, [x[2], x[0]]]; row = new_row  # noqa: E702
    return M[0][0] * M[1][1] + row[0]


def rows_repeated(x):
    M = [[0.0, 0.0]] * 2
    M[1][0] = x[2] * 3.0
    return M[0][0] * x[1]


def refusal(f):
    with pytest.raises(s2s.S2SError, match="an item of the list 'M'") as caught:
        s2s.grad(f)(X)
    return str(caught.value)


def test_row_held_elsewhere_is_advised_with_its_meaning():
    said = refusal(row_held_twice)
    assert "new_row = list(row); new_row[0] = ...; M = [new_row, new_row]" in said and "np.zeros" not in said, said
    assert row_held_twice_advised(X) == row_held_twice(X)
    every_mode(row_held_twice_advised, X)
    said = refusal(row_read_by_name)
    assert "new_row = list(row); new_row[0] = ...; M = [new_row, [x[2], x[0]]]; row = new_row" in said, said
    assert row_read_by_name_advised(X) == row_read_by_name(X)
    every_mode(row_read_by_name_advised, X)
    said = refusal(rows_repeated)
    assert "row = list(M[1]); row[0] = ...; M[1] = row" in said and "where no other name or slot holds" in said, said


# ------------------------------------------------ more of R2/R3's form, refused before round 18: an item carried from
# one iteration to the next, a bubble sort's swaps, a history of copies of the list

def item_carried(x):
    ys = [0.0] * 3
    prev = ys[0]
    for k in range(3):
        ys[k] = prev * x[k] + x[k]
        prev = ys[k]
    return ys[2] + prev * ys[0]


def old_item_carried(x):
    ys = [x[0], x[1], x[2]]
    prev = ys[2]
    for k in range(3):
        cur = ys[k]
        ys[k] = cur * prev + 0.5
        prev = cur
    return ys[0] * ys[1] + ys[2] + prev


def bubble_sort(x):
    ys = list(x)
    for i in range(len(ys)):
        for j in range(len(ys) - 1 - i):
            if ys[j] > ys[j + 1]:
                ys[j], ys[j + 1] = ys[j + 1], ys[j]
    return ys[0] + 2.0 * ys[1] + 3.0 * ys[2] ** 2


def history_of_copies(x):
    ys = [x[0], x[1], x[2]]
    hist = []
    for k in range(3):
        hist.append(list(ys))
        ys[k] = ys[k - 1] * x[k]
    return hist[1][0] * hist[2][1] + ys[0] + hist[0][2]


@pytest.mark.parametrize("f", [item_carried, old_item_carried, bubble_sort, history_of_copies])
def test_list_items_across_iterations(f):
    every_mode(f, X)
    every_mode(f, np.array([1.1, -0.2, 0.4]))
