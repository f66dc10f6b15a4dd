"""Python language features in differentiated functions (hunt round 10, the language hunt's findings 1, 3-7).
Each derivative is checked against central differences in every mode that applies (values against the function
run as it is)."""
import dataclasses
import typing

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

# ------------------------------------------------------------------ operators of the user's record classes


class V2(typing.NamedTuple):
    a: float
    b: float

    def __neg__(self):  # a rotation by 90 degrees, not the negation of each field
        return V2(-self.b, self.a)


class Cx(typing.NamedTuple):
    re: float
    im: float

    def __mul__(self, o):
        return Cx(self.re * o.re - self.im * o.im, self.re * o.im + self.im * o.re)


@dataclasses.dataclass
class Gauss:
    mu: float
    var: float

    def __mul__(self, s):  # scaling a Gaussian by a number
        return Gauss(self.mu * s, self.var * s * s)

    __rmul__ = __mul__


@dataclasses.dataclass
class Interval:
    lo: float
    hi: float

    def __sub__(self, o):
        return Interval(self.lo - o.hi, self.hi - o.lo)

    def __neg__(self):
        return Interval(-self.hi, -self.lo)


@dataclasses.dataclass
class Dot:
    a: float
    b: float

    def __mul__(self, o):  # a dot product: a number
        return self.a * o.a + self.b * o.b


class Vec2(typing.NamedTuple):
    x: float
    y: float

    def __add__(self, o):
        return Vec2(self.x + o.x, self.y + o.y)

    def __sub__(self, o):
        return Vec2(self.x - o.x, self.y - o.y)

    def __mul__(self, s):
        return Vec2(self.x * s, self.y * s)

    __rmul__ = __mul__


@dataclasses.dataclass
class Declining:
    a: float

    def __mul__(self, o):
        if not isinstance(o, float):
            return NotImplemented
        return Declining(self.a * o)


def rotated(x):
    a, b = -V2(x[0], x[1])  # a = -x1, b = x0 (s2s gave [-1, -10] for [10, -1])
    return a * a + 10.0 * b * x[1]


def rotated_indexed(x):
    r = -V2(x[0], x[1])
    return r[0] + 10.0 * r[1] * x[0]


def complex_product(x):
    re, im = Cx(x[0], x[1]) * Cx(x[2], x[3])
    return re * im + 10.0 * im


def scaled_gauss(x):
    g = Gauss(x[0], x[1]) * x[2]
    h = 3.0 * g  # __rmul__ of the right operand, a float on the left
    return h.mu + h.var * x[0]


def interval_width(x):
    w = -(Interval(x[0], x[1]) - Interval(x[2], x[3]))
    return w.hi * w.lo + w.lo


def dot_product(x):
    return Dot(x[0], x[1]) * Dot(x[2], x[3])


def stepped(x):
    v, p = Vec2(x[0], x[1]), Vec2(x[2], x[3])
    v = v - 0.1 * p
    p = p + v * 0.1
    return p[0] * p[0] + p[1] * v.x


@pytest.mark.parametrize("f", [rotated, rotated_indexed, complex_product, scaled_gauss, interval_width, dot_product,
                               stepped])
def test_an_operator_of_a_record_class_runs_its_method(f):
    x = np.array([0.3, -0.7, 1.1, 0.5])
    check_every_mode(f, x)
    _, pullback = s2s.vjp(f)(x)
    assert_close(pullback(1.0), numeric_grad(f, (x,), 0), what="vjp")


@dataclasses.dataclass
class Indexed:
    a: float
    b: float

    def __abs__(self):
        return np.sqrt(self.a * self.a + self.b * self.b)

    def __getitem__(self, i):  # (no __len__: np.shape of one never ended)
        return self.b if i == 0 else self.a


def absolute(x):
    return abs(Indexed(x[0], x[1])) * x[0]  # TypeError: '<' not supported between instances of 'Indexed' and 'int'


def indexed(x):
    u = Indexed(x[0], x[1])
    return u[0] * x[0] + u[1] ** 2  # (grad never finished)


class Skew(typing.NamedTuple):
    a: float
    b: float

    def __add__(self, o):  # (not the sum of each field)
        return Skew(self.a + o.a * o.b, self.b + o.b)


def summed(x):  # IndexError in generated code: sum's rule took the records for arrays
    s = sum([Skew(x[0], x[1]), Skew(x[2], x[3])], Skew(0.0, 0.0))
    return s.a * 10.0 + s.b * s.a


@pytest.mark.parametrize("f", [absolute, indexed, summed])
def test_abs_indexing_and_sum_of_a_record_class_run_its_methods(f):
    check_every_mode(f, np.array([0.3, -0.7, 1.1, 0.5]) if f is summed else np.array([0.3, -0.7]))


def gauss_times(x):
    return Gauss(x[0], x[1]) * 2.0


def interval_difference(x):
    return Interval(x[0], x[1]) - Interval(x[2], x[3])


def complex_returned(x):
    return Cx(x[0], x[1]) * Cx(x[2], x[3])


@pytest.mark.parametrize("f, n, fields", [(gauss_times, 2, ("mu", "var")), (interval_difference, 4, ("lo", "hi")),
                                          (complex_returned, 4, ("re", "im"))])
def test_a_record_an_operator_makes_returned_whole(f, n, fields):
    # jvp gave Gauss(mu=0, var=2) for var=4 (NumPy's product of each field); vjp and reverse jacobian crashed
    x = np.array([0.3, 0.7, 1.1, 1.5])[:n]
    expected = np.array([[numeric_grad(lambda y: getattr(f(y), k), (x,), 0)[i] for i in range(n)] for k in fields])
    value, tangent = s2s.jvp(f)((x,), (np.eye(n)[1],))
    assert value == f(x)
    assert_close([getattr(tangent, k) for k in fields], expected[:, 1], what="jvp")
    for mode in ("forward", "reverse"):
        jac = s2s.jacobian(f, mode=mode)(x)
        assert_close([getattr(jac, k) for k in fields], expected, what=f"{mode} jacobian")
    _, pullback = s2s.vjp(f)(x)
    assert_close(pullback(type(f(x))(1.0, 0.0)), expected[0], what="vjp")


def left_unknown(x):
    g = x[2] * Gauss(x[0], x[1])  # np.float64 * Gauss runs Gauss.__rmul__; an array * Gauss does not
    return g.mu


def carried(x):  # (the report's simulation: TypeError 'Vec2Parts' object does not support item assignment)
    v, p = Vec2(x[0], x[1]), Vec2(x[2], x[3])
    for _ in range(3):
        v = v - 0.1 * p
        p = p + 0.1 * v
    return p[0] * p[0] + p[1] * v.y


def carried_augmented(x):
    v, p = Vec2(x[0], x[1]), Vec2(x[2], x[3])
    k = 0
    while k < 3:
        v -= p * x[0]
        p += 0.1 * v
        k += 1
    return p[0] * p[0] + p[1] * v.y


def carried_otherwise(x):  # p is bound to a list's item in the loop: its class is not known there
    ps = [Vec2(x[0], x[1]), Vec2(x[2], x[3])]
    v = 0.0
    for p in ps:
        v = 0.1 * p
    return v[0]


def carried_by_name(x):  # (what the refusal of `carried` says to write)
    v, p = Vec2(x[0], x[1]), Vec2(x[2], x[3])
    for _ in range(3):
        v = Vec2.__sub__(v, Vec2.__rmul__(p, 0.1))
        p = Vec2.__add__(p, Vec2.__rmul__(v, 0.1))
    return p[0] * p[0] + p[1]


@pytest.mark.parametrize("f", [carried, carried_augmented])
def test_a_record_a_loop_carries_rebuilt_by_its_operators(f):
    check_every_mode(f, np.array([0.3, -0.7, 1.1, 0.5]))


def declining(x):
    return (Declining(x[0]) * 2.0).a


def test_an_operator_whose_method_is_known_only_as_the_code_runs_is_refused():
    x = np.array([0.3, -0.7, 1.1, 0.5])
    with pytest.raises(s2s.S2SError, match=r"Gauss.__rmul__\(Gauss\(x\[0\], x\[1\]\), x\[2\]\)"):
        s2s.grad(left_unknown)(x)
    with pytest.raises(s2s.S2SError, match=r"Vec2.__rmul__\(p, 0.1\)"):
        s2s.grad(carried_otherwise)(x)
    with pytest.raises(s2s.S2SError, match="may return NotImplemented"):
        s2s.grad(declining)(x)
    check_every_mode(carried_by_name, x)


# ------------------------------------------------------------------ dataclasses.astuple / asdict


@dataclasses.dataclass
class Gaussian:
    mu: float
    var: float


@dataclasses.dataclass
class Outer:
    g: Gaussian
    w: np.ndarray
    pair: V2
    xs: list


def converted(x):
    o = Outer(Gaussian(x[0], x[1]), x[2:] * 2.0, V2(x[0] * x[1], x[2]), [Gaussian(x[3], 1.0), x[1] ** 2])
    (m, v), w, pair, xs = dataclasses.astuple(o)
    d = dataclasses.asdict(o)
    return m * v + np.sum(w ** 2) + pair.a * pair.b + xs[0][0] * xs[1] + d["g"]["var"] * d["xs"][0]["mu"] + \
        d["pair"][0] + np.sum(d["w"])


def test_astuple_and_asdict_of_a_record_are_its_fields():
    # compiling never finished: the scan for writes into arguments followed dataclasses' recursive helpers
    x = np.array([0.3, 0.7, 1.1, 1.5])
    check_every_mode(converted, x)
    assert s2s.grad(lambda y: np.sum(dataclasses.astuple(Gaussian(y[0], y[1]))))(x[:2]) == pytest.approx([1.0, 1.0])


def astuple_of_an_item(x, ps):
    return np.sum(dataclasses.astuple(ps[0])) * x[0]


def astuple_with_factory(x):
    return np.sum(dataclasses.astuple(Gaussian(x[0], x[1]), tuple_factory=list))


def test_astuple_of_what_s2s_does_not_know_is_refused():
    x = np.array([0.3, 0.7])
    with pytest.raises(s2s.S2SError, match=r"write the tuple of its fields: \(ps\[0\].a"):
        s2s.grad(astuple_of_an_item)(x, [Gaussian(1.0, 2.0)])
    with pytest.raises(s2s.S2SError, match="with a factory"):
        s2s.grad(astuple_with_factory)(x)


# ------------------------------------------------------------------ a def in a loop, P(...).m(), [*a, *b]


def defined_in_a_loop(x):
    for k in range(3):
        def h(v):
            return v * k * np.sin(v)  # (k read when h is called: 2)
    return h(x) * x


def defined_in_a_while_loop(x, n):
    k = 0
    while k < n:
        def h(v):
            return v * k * v
        k += 1
    return h(x)


def test_a_def_in_a_loop_called_after_it():
    # the generated code raised UnboundLocalError ('h' never bound), where Python runs it
    check_every_mode(defined_in_a_loop, 1.5)
    assert s2s.grad(defined_in_a_while_loop)(1.5, 2) == pytest.approx(numeric_grad(defined_in_a_while_loop,
                                                                                    (1.5, 2), 0))
    with pytest.raises(UnboundLocalError):  # (as Python raises: the loop never ran)
        s2s.grad(defined_in_a_while_loop)(1.5, 0)


@dataclasses.dataclass
class D2:
    a: float
    b: float

    def perp(self):
        return D2(-self.b, self.a)


class N2(typing.NamedTuple):
    a: float
    b: float

    def scale(self, s):
        return N2(self.a * s, self.b * s)


def method_of_a_record_built_inline(x):
    w = D2(x[0], x[1]).perp()  # refused: "'perp' is no method of D2"
    u = N2(x[1], x[0]).scale(x[1])
    return w.a + 10.0 * w.b * x[0] + u.a * u.b


def starred_lists(x):
    a = [x[0], x[1]]
    b = a + [x[2]]  # (a list grown from a: its length is known only as the code runs, to s2s)
    c = [*a, *b]  # refused in reverse modes: "joining lists or tuples with + or *" (a list of 2 met one of 5)
    d = (*b, x[3], *a)
    return sum(c) * x[3] + c[4] * c[0] + d[2] * d[3] + d[4] ** 2


@pytest.mark.parametrize("f", [method_of_a_record_built_inline, starred_lists])
def test_language_forms_refused_before(f):
    check_every_mode(f, np.array([0.3, -0.7, 1.1, 0.5]))


# ------------------------------------------------------------------ an unused call that raises on its data


def checked_positive_definite(A):
    L = np.linalg.cholesky(A)  # (the check that A is positive definite: its result unused)
    return np.sum(A * A)


def test_an_unused_factorisation_still_raises_where_python_raises():
    # the call was dead code: value_and_grad gave (10, [[2, 4], [4, 2]]) where Python raises LinAlgError
    bad = np.array([[1.0, 2.0], [2.0, 1.0]])
    for call in (lambda: s2s.value_and_grad(checked_positive_definite)(bad),
                 lambda: s2s.vjp(checked_positive_definite)(bad),
                 lambda: s2s.jvp(checked_positive_definite)((bad,), (bad,)),
                 lambda: s2s.jacobian(checked_positive_definite, mode="forward")(bad),
                 lambda: s2s.hessian(checked_positive_definite)(bad)):
        with pytest.raises(np.linalg.LinAlgError):
            call()
    good = np.array([[2.0, 0.5], [0.5, 1.0]])
    value, gradient = s2s.value_and_grad(checked_positive_definite)(good)
    assert value == checked_positive_definite(good)
    assert_close(gradient, numeric_grad(checked_positive_definite, (good,), 0), what="grad")
    primal, tangent = s2s.jvp(checked_positive_definite)((good,), (good,))
    assert_close(tangent, np.sum(numeric_grad(checked_positive_definite, (good,), 0) * good), what="jvp")


def negated_argument(p):
    a, b = -p
    return a + 10.0 * b * p.a


def negated_built(x):  # (what the refusal says to write)
    p = V2(x[0], x[1])
    a, b = -p
    return a + 10.0 * b * p.a


def test_a_record_argument_whose_class_defines_an_operator_is_refused():
    # a NamedTuple argument's -p was NumPy's negation of each field: grad V2(-1, -10) for V2(10 - 7, -1) silently
    with pytest.raises(TypeError, match="V2, whose class defines __neg__"):
        s2s.grad(negated_argument)(V2(0.3, -0.7))
    with pytest.raises(TypeError, match="holds a Gauss, whose class defines __mul__"):
        s2s.grad(lambda ps: ps[0].mu)([Gauss(1.0, 2.0)])
    check_every_mode(negated_built, np.array([0.3, -0.7]))
