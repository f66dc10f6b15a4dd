"""Round 10, finance hunt (hunt10fin): an attribute named like an array's of an object taken from a list
(`cf.T` of a cash flow CF(amount, T)) and reverse over reverse of np.dot of a list grown in a loop."""
import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_hessian


# ---------------------------------------------------------------- C1: np.dot of a list grown by append, twice reversed
def grown(a):
    xs = [a]
    for i in range(2):
        xs.append(a * i)
    return np.dot(xs, xs)


R = np.array([0.3, -0.5])


def recursion(a):  # (a two-term recursion, as an AR or a GARCH variance list)
    xs = [R[0] * a, R[1]]
    for i in range(3):
        xs.append(a * xs[-1] + (1 - a) * xs[-2])
    return np.dot(xs, xs)


W = np.array([0.5, -1.0, 2.0])


def grown_rows(x):
    xs = [x]
    for i in range(2):
        xs.append(np.sin(x) * i)
    return np.sum(np.dot(xs, W) ** 2)


@pytest.mark.parametrize("f,x", [(grown, 0.3), (recursion, 0.3), (grown_rows, np.array([0.2, -0.4, 0.9]))])
def test_dot_of_a_grown_list_reversed_twice(f, x):
    # (the list's adjoint is an array there, np.dot's: the transposes of appended_adjoint and appended_item_adjoint
    # made a list of its rows and of numbers out of it, a ValueError in the vjp of the gradient)
    check_every_mode(f, x)
    expected = numeric_hessian(f, x)
    assert_close(s2s.jacobian(s2s.grad(f), mode="forward")(x), expected, 1e-4, 1e-5)
    _, pullback = s2s.vjp(s2s.grad(f))(x)
    assert_close(pullback(np.ones(np.shape(x))), np.sum(np.reshape(expected, (np.size(x), np.size(x))), 0)
                 .reshape(np.shape(x)), 1e-4, 1e-5)


# ---------------------------------------------------------------- S2: `cf.T` of an object taken from a list
# (`for cf in flows: ... cf.T`, with cf.amount read too, was np.transpose(cf): 99.155 for 94.176, the gradient
# -686.22 for -188.35, silently; with a dataclass a TypeError in generated code; other spellings a false "result
# is not a scalar" refusal)
from collections import namedtuple  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from tests.conftest import numeric_grad  # noqa: E402

CF = namedtuple("CF", "amount T")  # a cash flow: amount paid at time T


@dataclass
class Opt:
    K: float
    T: float


def pv_loop(r, flows):
    tot = 0.0
    for cf in flows:
        tot = tot + cf.amount * np.exp(-r * cf.T)
    return np.sum(tot)


def pv_loop_T_first(r, flows):
    tot = 0.0
    for cf in flows:
        tot = tot + np.exp(-r * cf.T) * cf.amount
    return tot


def pv_generator(r, flows):
    return sum(cf.amount * np.exp(-r * cf.T) for cf in flows)


def pv_comprehension(r, flows):
    return np.sum(np.array([cf.amount * np.exp(-r * cf.T) for cf in flows]))


def pv_items(r, book):
    tot = 0.0
    for name, cf in book.items():
        tot = tot + cf.amount * np.exp(-r * cf.T)
    return tot


def pv_first(r, flows):
    cf = flows[0]
    return cf.amount * np.exp(-r * cf.T)


def pv_indexed(r, flows):
    tot = 0.0
    for i in range(len(flows)):
        tot = tot + flows[i].amount * np.exp(-r * flows[i].T)
    return tot


class Port:
    def __init__(self, flows):
        self.flows = flows

    def pv(self, r):
        tot = 0.0
        for cf in self.flows:
            tot = tot + cf.amount * np.exp(-r * cf.T)
        return tot


def book_value(sigma, opts):
    tot = 0.0
    for o in opts:
        tot = tot + np.maximum(o.K * np.exp(-0.5 * sigma ** 2 * o.T) - 90.0, 0.0) + sigma * np.sqrt(o.T)
    return tot


FLOWS = [CF(5.0, 1.0), CF(105.0, 2.0)]
OPTS = [Opt(95.0, 0.5), Opt(105.0, 1.0), Opt(100.0, 2.0)]


def _pv_reference(r, flows):
    return sum(cf.amount * np.exp(-r * cf.T) for cf in flows)


def _every_mode(f, x, *data):
    """f(x, *data), x a number, through every transformation against f and central differences."""
    value = f(x, *data)
    numeric = numeric_grad(f, (x,) + data, 0)
    second = (numeric_grad(f, (x + 1e-4,) + data, 0, 1e-5) - numeric_grad(f, (x - 1e-4,) + data, 0, 1e-5)) / 2e-4
    got, gradient = s2s.value_and_grad(f)(x, *data)
    assert got == pytest.approx(value, rel=1e-12) and gradient == pytest.approx(numeric, rel=1e-5)
    got, tangent = s2s.jvp(f)((x,) + data, (1.0,))
    assert got == pytest.approx(value, rel=1e-12) and tangent == pytest.approx(numeric, rel=1e-5)
    assert_close(s2s.jacobian(f)(x, *data), numeric)
    assert_close(s2s.jacobian(f, mode="forward")(x, *data), numeric)
    assert_close(s2s.hessian(f)(x, *data), second, 1e-4, 1e-5)
    assert_close(s2s.jacobian(s2s.grad(f))(x, *data), second, 1e-4, 1e-5)


@pytest.mark.parametrize("f", [pv_loop, pv_loop_T_first, pv_generator, pv_comprehension, pv_first, pv_indexed])
def test_a_field_named_T_of_an_item_is_the_field(f):
    flows = list(FLOWS)
    _every_mode(f, 0.03, flows)
    assert flows == FLOWS and f(0.03, flows) == pytest.approx(_pv_reference(0.03, flows[:1] if f is pv_first else flows))
    assert "transpose" not in s2s.grad(f).source


def test_a_field_named_T_through_items_and_a_method():
    _every_mode(pv_items, 0.03, {"a": FLOWS[0], "b": FLOWS[1]})
    port = Port(list(FLOWS))
    value, gradient = s2s.value_and_grad(port.pv)(0.03)
    assert value == pytest.approx(_pv_reference(0.03, FLOWS), rel=1e-12)
    assert gradient == pytest.approx(-sum(cf.T * cf.amount * np.exp(-0.03 * cf.T) for cf in FLOWS), rel=1e-10)


def test_a_field_named_T_of_a_dataclass_item():  # (a TypeError in generated code: float * Opt)
    _every_mode(book_value, 0.2, list(OPTS))
    assert OPTS == [Opt(95.0, 0.5), Opt(105.0, 1.0), Opt(100.0, 2.0)]


def test_the_gradient_with_respect_to_the_items_reads_their_field_T():
    got = s2s.grad(pv_loop, wrt=1)(0.03, list(FLOWS))
    assert [type(g) for g in got] == [CF, CF]
    for g, cf in zip(got, FLOWS):
        assert g.amount == pytest.approx(np.exp(-0.03 * cf.T)) and g.T == pytest.approx(
            -0.03 * cf.amount * np.exp(-0.03 * cf.T))


class Bond:
    def __init__(self, c):
        self.c = c

    def mean(self):
        return self.c


def bonds(y, bs):
    tot = 0.0
    for b in bs:
        tot = tot + y * b.mean() + b.c
    return tot


def bonds_through_the_class(y, bs):
    tot = 0.0
    for b in bs:
        tot = tot + y * Bond.mean(b) + b.c
    return tot


def test_a_method_named_like_numpys_of_an_item_is_not_numpys():
    # (np.mean(b): TypeError: Bond.mean() got an unexpected keyword argument 'axis', in generated code)
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"b\.mean\(\.\.\.\), a method of 'b', an object of yours.*"
                                                         r"Cls\.mean\(b, \.\.\.\)") as info:
        s2s.grad(bonds)(2.0, [Bond(0.05), Bond(0.02)])
    assert "tot = tot + y * b.mean() + b.c" in str(info.value)
    assert s2s.grad(bonds_through_the_class)(2.0, [Bond(0.05), Bond(0.02)]) == pytest.approx(0.07)


# ordinary array code is NumPy's as before: arrays from a list and a loop, a name bound at more than one place
def layers(x, weights):
    h = x
    for W in weights:
        h = np.tanh(W.T @ h)
    return h.sum()


def rows(x, M):
    tot = 0.0
    for row in M:
        tot = tot + row.T @ x * row.shape[0] + row.sum()
    return tot


def test_array_attributes_of_items_stay_numpys():
    ws = [np.array([[0.5, -0.2], [0.1, 0.3]]), np.array([[0.2, 0.4], [-0.3, 0.1]])]
    x = np.array([0.3, -0.6])
    for f, data in ((layers, ws), (rows, np.array([[0.5, -0.2], [0.1, 0.3]]))):
        text = s2s.grad(f).source
        assert "np.transpose(" in text and "getattr" not in text, text
        assert_close(s2s.grad(f)(x, data), numeric_grad(f, (x, data), 0))
