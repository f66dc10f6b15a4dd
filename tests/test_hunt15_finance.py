"""Round 15's finance and geometry hunt (hunt15fin C1, M1, M2, R3).

C1: a recursion slicing its list or tuple argument down to empty (`if not cfs: return 0.0; return (cfs[0] +
f(y, cfs[1:])) / (1 + y)`, the present value of cash flows) crashed in grad of grad, the reverse Jacobian of the
gradient and vjp of the gradient: the second-order pullback adds the adjoints of the rule's tuple part by part
(`rt.adjoint_part_adjoint(...) + rt.adjoint_part_adjoint(...)`), and the empty list's part was 0.0 (its rule's
None) in one and a list in the other, so `0.0 + []` raised, with advice (`pass np.asarray(cfs)`) that breaks `not
cfs`; a list of (t, c) pairs raised a bare TypeError. Every mode is now checked against finite differences.

M1: `p.hist.append(v)` on a list a dataclass argument holds was advised `Cls.append(p.hist, ...)`, which, written
`list.append(p.hist, v)`, was refused with advice naming the class (`list_own = list(list)`). Both now say what
the plain argument's refusal says, `hist = list(p.hist)`, and the advised program is checked; `list.append(xs, v)`
of the function's own list is `xs.append(v)`.

M2: `Q * Quat(0, 1, 2, 0.5) * Q.conj()` of a plain class with its own `__init__` and `__mul__` was told to call a
method instead, which is then refused as a plain class whose attributes carry no derivative: the first message now
names the fix that works, the class as a dataclass, and the dataclass is checked in every mode.

R3: `np.fromiter((v ** 2 for v in x), dtype=float)` was refused as a generator not read wholly where it is made,
with the advice of a list, and `np.fromiter([...], float)` then had no rule. np.fromiter reads its iterable wholly,
as list() does: it is now np.array of the list of its values (its first `count`), in every mode."""
import math
from numpy import fromiter
from dataclasses import dataclass, field

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode

Y = 0.04
CFS = [3.0, 3.0, 103.0]
FLOWS = [(1.0, 3.0), (2.0, 3.0), (3.0, 103.0)]


def fib_bond(y, cfs):  # (hunt15fin C1)
    if not cfs:
        return 0.0
    return (cfs[0] + fib_bond(y, cfs[1:])) / (1 + y)


def pv_pairs(y, flows):  # (hunt15fin C1b)
    if len(flows) == 0:
        return 0.0
    (t, c), rest = flows[0], flows[1:]
    return c * math.exp(-y * t) + pv_pairs(y, rest)


def disc_rec(r, ts):
    if len(ts) == 0:
        return 0.0
    return np.exp(-r * ts[0]) * (1.0 + r) + disc_rec(r, ts[1:])


def _fd(f, y, *rest, eps=1e-6):
    return (f(y + eps, *rest) - f(y - eps, *rest)) / (2 * eps)


def _fd2(f, y, *rest, eps=1e-4):
    return (_fd(f, y + eps, *rest, eps=1e-5) - _fd(f, y - eps, *rest, eps=1e-5)) / (2 * eps)


CASES = [(fib_bond, CFS), (fib_bond, tuple(CFS)), (pv_pairs, FLOWS), (pv_pairs, tuple(FLOWS)),
         (disc_rec, [0.5, 1.0, 2.0, 5.0])]


@pytest.mark.parametrize("f, data", CASES)
def test_recursion_to_an_empty_list_every_mode(f, data):
    value = f(Y, data)
    d1, d2 = _fd(f, Y, data), _fd2(f, Y, data)
    v, g = s2s.value_and_grad(f)(Y, data)
    assert v == value
    assert_close(g, d1, what="grad")
    v, pull = s2s.vjp(f)(Y, data)
    assert v == value
    assert_close(pull(1.0), d1, what="vjp")
    v, t = s2s.jvp(f)((Y, data), (1.0,))
    assert v == value
    assert_close(t, d1, what="jvp")
    assert_close(s2s.jacobian(f)(Y, data), d1, what="jacobian reverse")
    assert_close(s2s.jacobian(f, mode="forward")(Y, data), d1, what="jacobian forward")
    assert_close(s2s.hessian(f)(Y, data), d2, 1e-5, 1e-5, what="hessian")
    assert_close(s2s.grad(s2s.grad(f))(Y, data), d2, 1e-5, 1e-5, what="grad of grad")
    assert_close(s2s.jacobian(s2s.grad(f), mode="reverse")(Y, data), d2, 1e-5, 1e-5, what="jacobian(grad) reverse")
    assert_close(s2s.jacobian(s2s.grad(f), mode="forward")(Y, data), d2, 1e-5, 1e-5, what="jacobian(grad) forward")
    assert_close(s2s.vjp(s2s.grad(f))(Y, data)[1](1.0), d2, 1e-5, 1e-5, what="vjp(grad)")
    assert_close(s2s.jvp(s2s.grad(f))((Y, data), (1.0,))[1], d2, 1e-5, 1e-5, what="jvp(grad)")


def test_recursion_to_an_empty_list_in_the_list():
    """The derivatives in the list's items: the gradient, and the gradient in the items of the derivative in y."""
    k = np.arange(1, len(CFS) + 1)
    g = s2s.grad(fib_bond, wrt=1)(Y, CFS)
    assert isinstance(g, list)
    assert_close(g, (1 + Y) ** -k, what="grad in cfs")
    mixed = s2s.grad(s2s.grad(fib_bond), wrt=1)(Y, CFS)
    assert_close(mixed, -k * (1 + Y) ** (-k - 1.0), what="grad in cfs of grad in y")
    h = s2s.hessian(fib_bond, wrt=(0, 1))(Y, CFS)
    assert_close(h[0][1], -k * (1 + Y) ** (-k - 1.0), what="hessian block y, cfs")


@dataclass
class Params:
    mu: np.ndarray
    lam: float = 2.0
    hist: list = field(default_factory=list)


MU = np.array([0.05, 0.07, 0.1])
W = np.array([0.2, 0.5, 0.3])


def logged(w, p):  # (hunt15fin M1)
    p.hist.append(float(w @ p.mu))
    return -(w @ p.mu) + p.lam * np.sum(w ** 2)


def logged_through_list(w, p):
    list.append(p.hist, float(w @ p.mu))
    return -(w @ p.mu) + p.lam * np.sum(w ** 2)


def logged_as_advised(w, p):
    hist = list(p.hist)
    hist.append(float(w @ p.mu))
    return -(w @ p.mu) + p.lam * np.sum(w ** 2) + 0.0 * len(hist)


def own_list_through_list(w, p):
    parts = [w[0]]
    list.append(parts, w[1] ** 2)
    list.extend(parts, [w[2] ** 3])
    return parts[0] * parts[1] + parts[2]


def logged_argument(w, hist):
    list.append(hist, float(np.sum(w)))
    return np.sum(w ** 2)


@pytest.mark.parametrize("f", [logged, logged_through_list])
def test_a_list_a_dataclass_holds_advice(f):
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(f)(W, Params(MU))
    text = str(info.value)
    assert "p.hist.append() on a list the function did not make" in text
    assert "hist = list(p.hist)" in text and "list(list)" not in text
    p = Params(MU, hist=[1.0])
    g = s2s.grad(logged_as_advised)(W, p)
    assert_close(g, -MU + 2 * p.lam * W, what="the advised program's gradient")
    assert p.hist == [1.0]


def test_list_method_through_its_class():
    p = Params(MU)
    f = own_list_through_list
    assert s2s.value_and_grad(f)(W, p)[0] == f(W, p)
    assert_close(s2s.grad(f)(W, p), [W[1] ** 2, 2 * W[0] * W[1], 3 * W[2] ** 2], what="grad")
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"hist = list\(hist\)"):
        s2s.grad(logged_argument)(W, [])


class Quat:  # (hunt15fin M2)
    def __init__(self, w, x, y, z):
        self.w, self.x, self.y, self.z = w, x, y, z

    def __mul__(self, o):
        return Quat(self.w * o.w - self.x * o.x - self.y * o.y - self.z * o.z,
                    self.w * o.x + self.x * o.w + self.y * o.z - self.z * o.y,
                    self.w * o.y - self.x * o.z + self.y * o.w + self.z * o.x,
                    self.w * o.z + self.x * o.y - self.y * o.x + self.z * o.w)

    def conj(self):
        return Quat(self.w, -self.x, -self.y, -self.z)


@dataclass
class QuatD:  # (the advice followed: the same class as a dataclass)
    w: float
    x: float
    y: float
    z: float

    def __mul__(self, o):
        return QuatD(self.w * o.w - self.x * o.x - self.y * o.y - self.z * o.z,
                     self.w * o.x + self.x * o.w + self.y * o.z - self.z * o.y,
                     self.w * o.y - self.x * o.z + self.y * o.w + self.z * o.x,
                     self.w * o.z + self.x * o.y - self.y * o.x + self.z * o.w)

    def conj(self):
        return QuatD(self.w, -self.x, -self.y, -self.z)


def rotate_plain(q):
    n = math.sqrt(q @ q)
    Q = Quat(q[0] / n, q[1] / n, q[2] / n, q[3] / n)
    r = Q * Quat(0.0, 1.0, 2.0, 0.5) * Q.conj()
    return r.x + 2 * r.y + 3 * r.z


def rotate_plain_chain(q):
    n = math.sqrt(q @ q)
    Q = Quat(q[0] / n, q[1] / n, q[2] / n, q[3] / n)
    a = Q * Quat(0.0, 1.0, 2.0, 0.5)
    r = a * Q.conj()
    return r.x + 2 * r.y + 3 * r.z


def rotate_dataclass(q):
    n = math.sqrt(q @ q)
    Q = QuatD(q[0] / n, q[1] / n, q[2] / n, q[3] / n)
    r = Q * QuatD(0.0, 1.0, 2.0, 0.5) * Q.conj()
    return r.x + 2 * r.y + 3 * r.z


@pytest.mark.parametrize("f", [rotate_plain, rotate_plain_chain])
def test_operator_of_a_plain_class_names_the_dataclass(f):
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(f)(np.array([0.9, 0.1, 0.3, -0.2]))
    text = str(info.value)
    assert "Quat, a plain class" in text and "make Quat a dataclass" in text and "fields w, x, y, z" in text
    assert "call a function or a method" not in text


def test_operator_of_a_dataclass_every_mode():
    check_every_mode(rotate_dataclass, np.array([0.9, 0.1, 0.3, -0.2]))


X3 = np.array([0.3, 0.5, -1.0])


def fromiter_gen(x):  # (hunt15fin R3)
    y = np.fromiter((v ** 2 for v in x), dtype=float)
    return np.sum(y * x)


def fromiter_list(x):
    y = np.fromiter([v ** 2 for v in x], float)
    return np.sum(y * np.sin(x))


def fromiter_map(x):
    y = np.fromiter(map(np.sin, x), float)
    return np.sum(y * x)


def fromiter_array(x):
    return np.sum(fromiter(x, dtype=np.float64) ** 3)


def fromiter_count_two(x):
    y = np.fromiter((v ** 3 for v in x), float, 2)
    return np.sum(y * x[:2])


def fromiter_count(x, n):
    y = np.fromiter((v ** 3 for v in x), float, count=n)
    return np.sum(y) * len(y) + np.sum(y ** 2)


def fromiter_count_run(x):
    return fromiter_count(x, 2) + fromiter_count(x, -1)


@pytest.mark.parametrize("f", [fromiter_gen, fromiter_list, fromiter_map, fromiter_array, fromiter_count_two,
                               fromiter_count_run])
def test_fromiter_every_mode(f):
    check_every_mode(f, X3, exact=True)
    code = [line for line in s2s.grad(f).source.splitlines() if not line.lstrip().startswith("#")]
    assert any("np.array(" in line for line in code) and not any("fromiter(" in line for line in code)


def test_fromiter_values_and_dtype():
    for n in (0, 1, 3, -1):
        assert fromiter_count(X3, n) == s2s.value_and_grad(fromiter_count)(X3, n)[0]
    value, pull = s2s.vjp(fromiter_float32)(X3)
    assert value.dtype == np.float32 and np.array_equal(value, np.fromiter((v * 2 for v in X3), np.float32))
    assert_close(pull(np.ones(3, dtype=np.float32)), np.full(3, 2.0), what="vjp of float32")


def fromiter_float32(x):
    return np.fromiter((v * 2 for v in x), np.float32)
