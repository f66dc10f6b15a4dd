"""Generated code at the cheap-gradient limit, round 16 (issue 13): what a reversed loop saves and what it calls.

- A list an inner loop builds and np.stack joins (the LSTM's `new_state`), read in the reversed loop only by the
  stack's adjoint, which needs its length: its parts' shapes are saved, not the list, which held every part alive.
- A slice of a width read from a shape (`g[b:2 * b]`, `b = h.shape[0]`): recomputed in the reversed loop, not pushed
  and popped as a slice object per iteration (ad/loop_saves.FREE); so is an inner loop's range over a shape's
  length (`range(0, state.shape[0], 2)`).
- The parts' shapes np.concatenate's adjoint reads (`rt.shapes_of`): one tuple per list of shapes, the same object
  pushed at every iteration, as `rt.shape_of` gives one Shape per shape.

Each form against finite differences in every mode (tests/trajectory_checks.py), and its text against the save.
"""

import numpy as np
import pytest

import s2s
from s2s import runtime as rt
from trajectory_checks import check_forward_modes, check_reverse_modes, check_second_order, Y0


def stacked_state(y0, k):
    state = np.stack([y0, y0 * k])
    total = 0.0
    for t in range(4):
        new = []
        for i in range(2):
            new.append(np.tanh(state[i] * k + state[1 - i] * 0.3))
        state = np.stack(new)
        total = total + np.sum(state[0] * state[1])
    return total


def stacked_columns(y0, k):
    state = np.stack([y0, y0 * k], axis=1)
    total = 0.0
    for t in range(3):
        cols = []
        for i in range(2):
            cols.append(np.sin(state[:, i] * k) + state[:, 1 - i] * 0.5)
        state = np.stack(cols, axis=1)
        total = total + np.sum(state[:, 0] * state[:, 1] ** 2)
    return total


STACKED = [stacked_state, stacked_columns]


@pytest.mark.parametrize("f", STACKED)
def test_stacked_list_reverse(f):
    check_reverse_modes(f, Y0)


@pytest.mark.parametrize("f", STACKED)
def test_stacked_list_forward(f):
    check_forward_modes(f)


@pytest.mark.parametrize("f", STACKED)
def test_stacked_list_second_order(f):
    check_second_order(f)


@pytest.mark.parametrize("f, name", [(stacked_state, "new"), (stacked_columns, "cols")])
def test_stacked_list_saved_as_shapes(f, name):
    src = s2s.grad(f, wrt=(0, 1)).source
    assert f"{name}_shape = rt.shapes_of({name}" in src, src
    assert not any(line.strip().startswith(f"{name}_1_saved.append(") for line in src.splitlines()), src


def gated(y0, k):
    h = y0
    total = 0.0
    for t in range(4):
        g = np.concatenate((h, h * k)) * 0.7
        b = h.shape[0]
        h = np.tanh(g[0:b]) * (1.0 / (1.0 + np.exp(-g[b:2 * b])))
        total = total + np.sum(h * g[b:])
    return total


def test_gated_slices_all_modes():
    check_reverse_modes(gated, Y0)
    check_forward_modes(gated)
    check_second_order(gated)


def test_gated_slices_recomputed():
    src = s2s.grad(gated, wrt=(0, 1)).source
    forward = src.split("# adjoint of")[0]
    assert "slice(" not in forward, src  # (the reversed loop makes its slices of b_1 again)
    assert "g[0:b]" in forward and "g[b:2 * b]" in forward, src


def test_parts_shapes_one_object():
    a, b = np.ones(3), np.arange(4.0)
    first = rt.shapes_of((a, b, a))
    assert rt.shapes_of((np.zeros(3), b * 2.0, a)) is first
    assert rt.shapes_of((a, b)) is not first
    parts = rt.concatenate_adjoint(np.arange(10.0), first)
    assert [list(p) for p in parts] == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]


def paired_rows(y0, k):
    state = np.stack([y0, y0 * k, y0 + k, y0 * 0.5])
    total = 0.0
    for t in range(3):
        new = []
        for i in range(0, state.shape[0], 2):
            new.append(np.sin(state[i] * k) + state[i + 1] * 0.3)
            new.append(state[i] * np.cos(state[i + 1]))
        state = np.stack(new)
        total = total + np.sum(state[0] * state[3])
    return total


def test_inner_range_all_modes():
    check_reverse_modes(paired_rows, Y0)
    check_forward_modes(paired_rows)
    check_second_order(paired_rows)


def test_inner_range_recomputed():
    src = s2s.grad(paired_rows, wrt=(0, 1)).source
    assert "in reversed(range(0, np.shape(state" in src, src
    assert "range(" not in "".join(line for line in src.splitlines() if "_saved.append(" in line), src
