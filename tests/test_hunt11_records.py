"""Round 11, the user's record objects (NamedTuple, dataclass, plain classes): fix11rec.

1. `p.mean()`, a method whose name NumPy's arrays have too, of a record taken from a list, a tuple or a loop's
   sequence: the class's method where the items are records the function builds (their class known), checked
   where the code runs otherwise (`rt.require_array`), never NumPy's mean of the record's fields.
"""
import dataclasses
from typing import NamedTuple

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad


class P(NamedTuple):
    a: float
    b: float

    def mean(self):
        return (self.a + self.b) / 2

    def dot(self, w):
        return self.a * w[0] - self.b * w[1]


@dataclasses.dataclass
class D:
    a: float
    b: float

    def sum(self):
        return self.a * self.b

    def dot(self, w):
        return self.a * w[0] - self.b * w[1]


# ---------------------------------------------------------------- 1: NumPy-named methods of records in a list
def mean_of_generator(x):
    ps = [P(x[0], x[1]), P(x[1] * x[2], x[2])]
    return sum(p.mean() ** 2 for p in ps)


def mean_in_loop(x):
    ps = [P(x[0], x[1]), P(x[1], np.sin(x[2]))]
    s = 0.0
    for p in ps:
        s = s + p.mean() * x[0]
    return s


def dot_of_tuple(x):
    ps = (P(x[0], x[1]), P(x[1], x[2]))
    return sum(p.dot(x[:2] ** 2) for p in ps)


def dataclass_sum(x):
    ds = [D(x[0], x[1]), D(x[1], x[2])]
    s = 0.0
    for d in ds:
        s = s + d.sum() + d.dot(x[1:])
    return s


def at_an_index(x):
    ps = [P(x[0], x[1]), P(x[1], x[2])]
    s = 0.0
    for i in range(2):
        s = s + ps[i].dot(x[:2]) * ps[i].mean()
    return s + ps[0].mean() * ps[1].dot(x[1:])


def enumerated(x):
    ps = [P(x[0], x[1]), P(x[1], x[2])]
    s = 0.0
    for i, p in enumerate(ps):
        s = s + p.mean() * (i + 1) * x[2]
    return s


@pytest.mark.parametrize("f", [mean_of_generator, mean_in_loop, dot_of_tuple, dataclass_sum, at_an_index,
                               enumerated])
def test_numpy_named_method_of_records_the_function_builds(f):
    check_every_mode(f, np.array([0.7, -1.3, 2.1]))


def mean_of_argument(x, ps):
    s = 0.0
    for p in ps:
        s = s + p.mean() * x[0]
    return s


def dot_of_argument(x, ps):
    return sum(p.dot(x[:2]) for p in ps)


def dot_by_class(x, ps):
    return sum(P.dot(p, x[:2]) * P.mean(p) for p in ps)


def sums_of_rows(x, rows):
    s = 0.0
    for r in rows:
        s = s + r.sum() * x
    return s


@pytest.mark.parametrize("f,method", [(mean_of_argument, "mean"), (dot_of_argument, "dot")])
def test_numpy_named_method_of_an_unknown_item_is_refused_where_it_runs(f, method):
    x, ps = np.array([0.5, 1.5, -2.0]), [P(1.0, 2.0), P(3.0, 4.0)]
    for run in (lambda: s2s.grad(f)(x, ps), lambda: s2s.value_and_grad(f)(x, ps),
                lambda: s2s.jvp(f)((x, ps), (np.ones(3),)), lambda: s2s.jacobian(f, mode="forward")(x, ps),
                lambda: s2s.jacobian(f)(x, ps)):
        with pytest.raises(s2s.S2SError, match=rf"p\.{method}\(\) of a P, not an array") as info:
            run()
        assert f"P.{method}(p, ...)" in str(info.value)
    assert ps == [P(1.0, 2.0), P(3.0, 4.0)]


def test_the_advised_call_through_the_class_is_right():
    x, ps = np.array([0.5, 1.5, -2.0]), [P(1.0, 2.0), P(3.0, 4.0)]
    assert_close(s2s.grad(dot_by_class)(x, ps), numeric_grad(dot_by_class, (x, ps), 0))


def test_arrays_and_python_values_in_a_list_pass_the_check():
    rows = [np.array([1.0, 2.0]), np.array([3.0, -1.0])]
    assert_close(s2s.grad(sums_of_rows)(0.5, rows), 5.0)
    with pytest.raises(AttributeError, match="'list' object has no attribute 'sum'"):
        s2s.grad(sums_of_rows)(0.5, [[1.0, 2.0]])
