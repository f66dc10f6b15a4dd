"""Forward-mode crashes the round-19 regression hunt found (hunt19reg C1-C3), where grad was right.

1. `h = [x, x]; for ...: s = np.negative(h); h = s * 0.5`: a loop's value that starts as a list of numbers and
   becomes an array. The elementwise call read the loop's value as it was, so its tangent stayed a list on the first
   iteration and the generated `dh_1 = -0.5 * dh_1` raised TypeError (can't multiply sequence by a float). A join
   that may hold a list is now read through np.asarray by NumPy's elementwise functions, as one that surely holds one
   was (ad/operands.sequences(maybe=True)).

2. `M = M.copy(); M[0, 1] = x[0] * x[1]` of the caller's dict keyed by pairs: the generated code passes the index
   `0, 1` as two parts (as it does for an array), and the runtime's helpers read a dict's key from the first part
   alone, taking the dict's tangents for an array (IndexError in jvp, the forward Jacobian and the Hessian; in grad
   too where the pair was written twice). A dict's key is now the pair (runtime/indexing.py, runtime/higher.py).

3. `layers = list(layers); layers[0] = layers[0] * s` of a list holding an array, a number and a dict: the forward
   Jacobian's zero tangent of the dict item was an array (`rt.batch_getitem(dt9, 'w')` raised IndexError), and the
   Hessian's zero tangents of the adjoint's dict item were plain dicts, which `+` does not add (TypeError). They are
   now the item's own zeros key by key (runtime/indexing.batch_setitem_tangent), a DictParts in an adjoint's
   tangents (runtime/higher.batch_getitem_adjoint).

Each program is checked in every mode against central differences, its value against NumPy's, and the caller's
arguments unchanged.
"""
import copy

import numpy as np
import pytest

from conftest import every_mode


# ---- 1. a loop's value that starts as a list of numbers ----

V = np.array([0.5, -1.0])


def negated_list(x, V):  # (hunt19reg repro_C1)
    h = [x, x]
    acc = 0.0
    for i in range(3):
        s = np.negative(h)
        acc = acc + np.sum(s * V)
        h = s * 0.5
    return acc


def squared_list(x, V):
    h = [x, 2.0 * x]
    acc = 0.0
    for i in range(3):
        s = np.sin(h)
        acc = acc + np.sum(s * s * V)
        h = s * 0.5 + x
    return acc


def list_or_array_in_branch(x, V):
    h = [x, x * x]
    for i in range(2):
        if i > 0:
            h = np.exp(h) * 0.5
    return np.sum(np.negative(h) * V) * x


@pytest.mark.parametrize("f", [negated_list, squared_list, list_or_array_in_branch])
def test_loop_value_starting_as_a_list(f):
    every_mode(f, 0.7, V)
    every_mode(f, np.float64(-0.4), V)


# ---- 2. a copy of the caller's dict keyed by pairs, one pair written ----

X = np.array([0.3, -0.5, 0.8])


def pair_keyed_copy(x, M):  # (hunt19reg repro_C3)
    M = M.copy()
    M[0, 1] = x[0] * x[1]
    return M[0, 1] * M[1, 0]


def pair_keyed_dict_call(x, M):
    M = dict(M)
    M[1, 0] = np.sin(x[2]) * M[1, 0]
    M[0, 1] = x[0] * M[1, 0]
    return M[0, 1] * M[1, 0] + x[1] * M[0, 1]


def pair_written_in_a_loop(x, M):
    M = M.copy()
    for i in range(2):
        M[0, 1] = x[i] * M[1, 0] + M[0, 1] * x[2]
    return M[0, 1] * M[1, 0]


def pair_written_twice(x, M):
    M = M.copy()
    M[0, 1] = x[0] * x[1]
    M[0, 1] = M[0, 1] * x[2]
    M[1, 0] = M[0, 1] + x[0]
    return M[0, 1] * M[1, 0]


def pair_holding_an_array(x, M):
    M = M.copy()
    M[0, 1] = x[0:2] * x[1]
    return np.sum(M[0, 1] * M[1, 0])


@pytest.mark.parametrize("f", [pair_keyed_copy, pair_keyed_dict_call, pair_written_in_a_loop, pair_written_twice,
                               pair_holding_an_array])
def test_dict_copy_keyed_by_pairs(f):
    M = {(0, 1): 0.0, (1, 0): 2.0}
    every_mode(f, X, M)
    assert M == {(0, 1): 0.0, (1, 0): 2.0}


# ---- 3. a copied list holding an array, a number and a dict ----

LAYERS = [np.array([0.3, -0.2, 0.5]), 0.7, {'w': np.array([1.0, 2.0])}]


def scaled_first_layer(layers, s):  # (hunt19reg repro_C2)
    layers = list(layers)
    layers[0] = layers[0] * s
    return np.sum(layers[0] ** 2) + layers[1] * s + np.sum(layers[2]['w'])


def scaled_dict_read_by_s(layers, s):
    layers = list(layers)
    layers[0] = layers[0] * s
    return np.sum(layers[0] * layers[2]['w'][0]) * s + layers[1] * np.sin(s) + np.sum(layers[2]['w'] * s ** 2)


def nested_items(layers, s):
    layers = list(layers)
    layers[1] = layers[1] * s
    return layers[1] ** 2 + np.sum(layers[2][0]['w'] * s) + np.sum(layers[0] * s)


@pytest.mark.parametrize("f", [scaled_first_layer, scaled_dict_read_by_s])
def test_copied_list_holding_a_dict(f):
    every_mode(f, copy.deepcopy(LAYERS), 0.6, wrt=1)


def test_copied_list_holding_a_list_of_dicts():
    layers = [np.array([0.3, -0.2, 0.5]), 0.7, [{'w': np.array([1.0, 2.0])}, 0.5]]
    every_mode(nested_items, layers, 0.6, wrt=1)
    assert np.array_equal(layers[0], [0.3, -0.2, 0.5]) and layers[1] == 0.7
