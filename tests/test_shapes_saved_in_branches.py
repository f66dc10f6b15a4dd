"""A value made in a branch of a loop's if and read by the reversed loop only for its shape (`np.sum(v)`'s adjoint
`np.full(np.shape(v), 1.0)`) is saved as its shape, in its branch (issue 13: never a value kept only for its
shape), as one made at the top of the body was: the array itself was saved at each iteration the branch ran. Its
shape is popped where the reversed branch starts (ad/loops.py), not at the top of the reversed body, where an
iteration that took the other branch would pop another iteration's shape."""
import numpy as np
import pytest

import s2s
from conftest import check_every_mode

X = np.array([0.3, -0.2, 0.5])


def sum_in_one_branch(x):
    acc = 0.0
    h = x
    for t in range(7):
        if t % 2 == 0:
            h = np.sin(h) * 0.9
        else:
            acc = acc + np.sum(h * np.cos(h))
    return acc + np.sum(h)


def shapes_of_two_kinds(x):
    acc = 0.0
    h = x
    for t in range(7):
        if t % 3 == 0:
            v = h * h
            acc = acc + np.sum(v)
        elif t % 3 == 1:
            w = np.outer(h, h)
            acc = acc + np.sum(w) * 0.1
        h = np.tanh(h + 0.1)
    return acc


def grown_list_read_in_the_other_branch(x):
    fs = [x]
    acc = 0.0
    for t in range(7):
        if t % 2 == 0:
            fs.append(np.sin(fs[-1]) * 0.9)
        else:
            acc = acc + np.sum(fs[-1] * fs[-2])
    return acc + np.sum(fs[-1])


FUNCTIONS = [sum_in_one_branch, shapes_of_two_kinds, grown_list_read_in_the_other_branch]


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_every_mode_against_finite_differences(f):
    check_every_mode(f, X)


@pytest.mark.parametrize("f", FUNCTIONS, ids=lambda f: f.__name__)
def test_a_value_read_for_its_shape_is_saved_as_its_shape(f):
    text = s2s.grad(f).source
    assert "_shape_saved.append(" in text, text
    for line in text.splitlines():  # (what a branch saves is its shape, or a value the adjoint reads)
        if "_shape = " in line and "_saved.pop()" in line:
            assert line.startswith(" " * 12), text  # (popped inside the reversed branch, not at the loop's top)
