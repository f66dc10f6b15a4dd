"""Arguments outside wrt that are objects of the user's classes (round 12).

s2s does not know the class of an argument while compiling: it reads `p * x`, `np.sin(p * x)` and `p.dot(x)` as
NumPy's operations on arrays. Where the argument (or an attribute, a dict item, a list item, a loop's item of one)
is an object whose class defines the operator or a method of that name, Python runs the class's method, which
s2s's rules do not follow: the gradient and the Jacobian came out wrong without a word (p.dot(x) of a class
scaling by 3), or reverse mode crashed inside the generated code. Such a value is refused on the call, at the
user's line, saying to call the method through its class (which s2s follows) or to pass arrays. Arrays, numbers,
containers of them, records of arrays and configuration objects of numbers and strings are read as before.
"""
from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, numeric_grad, numeric_hessian


class P:
    """A class with arithmetic and a NumPy-named method of its own (not an array's)."""

    def __init__(self, v):
        self.v = v

    def __mul__(self, o):
        return self.v * o * 2.0

    __rmul__ = __mul__

    def dot(self, o):
        return np.dot(self.v * 3.0, o)


class Signed:
    """Arithmetic that is no array's: `s * x` is v * sin(x)."""

    def __init__(self, v):
        self.v = v

    def __mul__(self, o):
        return self.v * np.sin(o)


class Cfg:
    def __init__(self, p):
        self.p = p


class Settings:
    def __init__(self):
        self.scale, self.steps, self.name, self.clip = 0.5, 3, "tanh", True


class NT(NamedTuple):
    a: np.ndarray
    b: np.ndarray


@dataclasses.dataclass
class DC:
    a: np.ndarray
    b: float


def times_argument(x, p):
    return np.sum(np.sin(p * x[0]))


def times_field(x, cfg):
    return np.sum(np.sin(cfg.p * x[0]))


def times_item(x, d):
    return np.sum(np.sin(d["p"] * x[0]))


def dot_of_argument(x, p):
    return np.sum(np.sin(p.dot(x)))


def dot_of_field(x, cfg):
    return np.sum(np.sin(cfg.p.dot(x)))


def dot_of_item(x, d):
    return np.sum(np.sin(d["p"].dot(x)))


def dot_of_list_item(x, ps):
    return np.sum(np.sin(ps[0].dot(x)))


def loop_over_argument(x, ps):
    s = 0.0
    for q in ps:
        s = s + np.sum(q * x)
    return s


def signed_of_field(x, cfg):
    return np.sum(np.sin(cfg.p * x))


def signed_times_sin(x, s):
    return np.sum(np.sin(x) * s)


P0 = P(np.array([1.0, 2.0]))
X = np.array([0.3, 0.5])

REFUSED = [
    (times_argument, P0, "the argument 'p' is a P, whose class defines __mul__", "P.__mul__(p, ...)"),
    (times_field, Cfg(P0), "cfg.p, read from the argument 'cfg', is a P", "P.__mul__(cfg.p, ...)"),
    (times_item, {"p": P0}, "d\\['p'\\], read from the argument 'd', is a P", "P.__mul__(d['p'], ...)"),
    (dot_of_argument, P0, "p.dot\\(\\) of a P, not an array", "P.dot(p, ...)"),
    (dot_of_field, Cfg(P0), "cfg.p.dot\\(\\) of a P, not an array", "P.dot(cfg.p, ...)"),
    (dot_of_item, {"p": P0}, "d\\['p'\\].dot\\(\\) of a P, not an array", "P.dot(d['p'], ...)"),
    (dot_of_list_item, [P0], "ps\\[0\\].dot\\(\\) of a P, not an array", "P.dot(ps[0], ...)"),
    (loop_over_argument, [P0, P(np.array([0.5, -1.0]))], "q, read from the argument 'ps', is a P",
     "P.__mul__(q, ...)"),
    (signed_of_field, Cfg(Signed(np.array([1.0, 2.0]))), "cfg.p, read from the argument 'cfg', is a Signed",
     "Signed.__mul__(cfg.p, ...)"),
    (signed_times_sin, Signed(np.array([1.0, 2.0])), "the argument 's' is a Signed, whose class defines __mul__",
     "Signed.__mul__(s, ...)"),
]


def _every_mode(f, x, data):
    """Each transformation of f with respect to x, called at (x, data)."""
    return [("grad", lambda: s2s.grad(f)(x, data)), ("value_and_grad", lambda: s2s.value_and_grad(f)(x, data)),
            ("vjp", lambda: s2s.vjp(f)(x, data)[1](1.0)), ("jvp", lambda: s2s.jvp(f)((x, data), (np.ones(2),))),
            ("forward jacobian", lambda: s2s.jacobian(f, mode="forward")(x, data)),
            ("reverse jacobian", lambda: s2s.jacobian(f)(x, data)), ("hessian", lambda: s2s.hessian(f)(x, data)),
            ("grad of grad", lambda: s2s.jacobian(s2s.grad(f))(x, data))]


@pytest.mark.parametrize("f,data,message,advice", REFUSED, ids=[r[0].__name__ for r in REFUSED])
def test_an_object_whose_class_s2s_would_not_follow_is_refused_at_the_users_line(f, data, message, advice):
    line = f.__code__.co_firstlineno + (3 if f is loop_over_argument else 1)
    for mode, run in _every_mode(f, X, data):
        with pytest.raises(s2s.S2SError, match=message) as info:
            run()
        assert isinstance(info.value, TypeError), mode
        text = str(info.value)
        assert f"{__file__}:{line}" in text, (mode, text)
        assert advice in text, (mode, text)


def test_the_refused_values_were_wrong_or_crashed_before():
    """What the refusal replaces: the derivatives s2s would give are not the function's (finite differences)."""
    for f, data in [(dot_of_argument, P0), (signed_of_field, Cfg(Signed(np.array([1.0, 2.0]))))]:
        numeric = numeric_grad(lambda x: f(x, data), (X,), 0)
        arrays = data.v if isinstance(data, P) else data.p.v  # (what s2s read the object as)
        assert not np.allclose(numeric, numeric_grad(lambda x: f(x, Cfg(arrays) if isinstance(data, Cfg)
                                                                 else arrays), (X,), 0))


def through_class_mul(x, p):
    return np.sum(np.sin(P.__mul__(p, x[0])))


def through_class_dot(x, cfg):
    return np.sum(np.sin(P.dot(cfg.p, x)))


def through_class_loop(x, ps):
    s = 0.0
    for q in ps:
        s = s + np.sum(np.cos(P.__mul__(q, x)))
    return s


@pytest.mark.parametrize("f,data", [(through_class_mul, P0), (through_class_dot, Cfg(P0)),
                                    (through_class_loop, [P0, P(np.array([0.5, -1.0]))])])
def test_the_advised_call_through_the_class_is_right_in_every_mode(f, data):
    _check_every_mode(f, X, data)


def _check_every_mode(f, x, data, hessian=True):
    """f(x, data) differentiated with respect to x in every mode, against finite differences; data unchanged."""
    g = lambda v: f(v, data)  # noqa: E731
    numeric = numeric_grad(g, (x,), 0)
    value, gradient = s2s.value_and_grad(f)(x, data)
    assert value == pytest.approx(f(x, data), rel=1e-12, abs=1e-12)
    assert_close(gradient, numeric, what="grad")
    assert_close(s2s.grad(f)(x, data), numeric, what="grad")
    assert_close(s2s.vjp(f)(x, data)[1](1.0), numeric, what="vjp")
    v = np.array([0.7, -0.4])
    value, tangent = s2s.jvp(f)((x, data), (v,))
    assert value == pytest.approx(f(x, data), rel=1e-12, abs=1e-12)
    assert_close(tangent, numeric @ v, what="jvp")
    assert_close(s2s.jacobian(f, mode="forward")(x, data), numeric, what="forward jacobian")
    assert_close(s2s.jacobian(f)(x, data), numeric, what="reverse jacobian")
    if hessian:
        expected = numeric_hessian(g, x)
        assert_close(s2s.hessian(f)(x, data), expected, 1e-4, 1e-5, what="hessian")
        assert_close(s2s.jacobian(s2s.grad(f))(x, data), expected, 1e-4, 1e-5, what="grad of grad")


class Plain:
    """An object of the user's with no arithmetic: its arrays are read as arrays."""

    def __init__(self):
        self.w = np.array([1.5, -0.5])
        self.layers = [{"W": np.array([[1.0, 0.5], [-0.3, 2.0]]), "b": np.array([0.1, 0.2])}]


def settings_in_arithmetic_and_tests(x, s):
    y = np.tanh(x * s.scale) if s.name == "tanh" else x
    for _ in range(s.steps):
        y = y * s.scale + 0.1
    if s.clip:
        y = np.clip(y, -10.0, 10.0)
    return np.sum(y ** 2)


def arrays_of_a_plain_object(x, obj):
    h = x * obj.w
    for layer in obj.layers:
        h = np.tanh(layer["W"] @ h + layer["b"])
    return np.sum(h ** 2)


def containers_of_arrays(x, d, ls, tp):
    return np.sum(np.sin(d["a"] * x) + ls[0] @ x * tp[1] + sum(v * x for v in d.values()))


def records_of_arrays(x, nt, dc):
    return np.sum(np.sin(nt.a * x) * nt.b + dc.a * dc.b * x ** 2) + np.sum(nt[1] @ x)


def an_object_passed_through(x, p, w):
    n = len(p.v)  # (the object's field read where no derivative flows)
    scaled = p * 2.0  # (its own arithmetic, where no derivative flows: Python's)
    return np.sum(w * x ** 2) * n + np.sum(scaled) * x[0]


def a_namedtuple_as_an_array(x, nt):
    return np.sum(np.sin(nt * x))


@pytest.mark.parametrize("f,data", [
    (settings_in_arithmetic_and_tests, Settings()),
    (arrays_of_a_plain_object, Plain()),
    (records_of_arrays, (NT(np.array([1.0, 2.0]), np.array([[0.5, 1.0], [2.0, -1.0]])),
                         DC(np.array([0.3, -0.2]), 1.5))),
    (a_namedtuple_as_an_array, NT(np.array([1.0, 2.0]), np.array([3.0, 4.0]))),
])
def test_data_the_rules_describe_is_read_as_before(f, data):
    if isinstance(data, tuple) and not hasattr(data, "_fields"):
        nt, dc = data
        g = lambda x, nt: f(x, nt, dc)  # noqa: E731
        numeric = numeric_grad(lambda x: f(x, nt, dc), (X,), 0)
        assert_close(s2s.grad(f)(X, nt, dc), numeric)
        assert_close(s2s.jacobian(f, mode="forward")(X, nt, dc), numeric)
        assert_close(s2s.hessian(f)(X, nt, dc), numeric_hessian(lambda x: f(x, nt, dc), X), 1e-4, 1e-5)
        del g
        return
    _check_every_mode(f, X, data)


def test_containers_numbers_and_objects_passed_through_are_read_as_before():
    d, ls, tp = {"a": np.array([1.0, -2.0]), "c": np.array([0.5, 0.5])}, [np.eye(2)], (1.0, 2.5)
    numeric = numeric_grad(lambda x: containers_of_arrays(x, d, ls, tp), (X,), 0)
    assert_close(s2s.grad(containers_of_arrays)(X, d, ls, tp), numeric)
    assert_close(s2s.jacobian(containers_of_arrays, mode="forward")(X, d, ls, tp), numeric)
    w = np.array([1.0, 3.0])
    numeric = numeric_grad(lambda x: an_object_passed_through(x, P0, w), (X,), 0)
    assert_close(s2s.grad(an_object_passed_through)(X, P0, w), numeric)
    assert_close(s2s.jacobian(an_object_passed_through, mode="forward")(X, P0, w), numeric)


def method_of_a_namedtuple(x, nt):
    return np.sum(np.sin(nt.dot(x)))


def test_a_record_without_the_method_raises_pythons_attribute_error():
    nt = NT(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    for mode, run in _every_mode(method_of_a_namedtuple, X, nt):
        with pytest.raises(AttributeError, match="'NT' object has no attribute 'dot'"):
            run()


def test_the_fast_call_refuses_after_a_good_call():
    """The fast call of an entry (a float64 wrt argument) checks the argument too: an array first, then an
    object."""
    g = s2s.grad(times_argument)
    assert_close(g(X, np.array([1.0, 2.0])), numeric_grad(lambda x: times_argument(x, np.array([1.0, 2.0])), (X,), 0))
    with pytest.raises(s2s.S2SError, match="whose class defines __mul__"):
        g(X, P0)
    h = s2s.grad(times_field)
    h(X, Cfg(np.array([1.0, 2.0])))
    with pytest.raises(s2s.S2SError, match="cfg.p, read from the argument 'cfg'"):
        h(X, Cfg(P0))
    k = s2s.grad(times_item)
    k(X, {"p": np.array([1.0, 2.0])})
    with pytest.raises(s2s.S2SError, match="d\\['p'\\], read from the argument 'd'"):
        k(X, {"p": P0})
    loop = s2s.grad(loop_over_argument)
    loop(X, [np.array([1.0, 2.0])])
    with pytest.raises(s2s.S2SError, match="q, read from the argument 'ps'"):
        loop(X, [np.array([1.0, 2.0]), P0])


def test_the_disk_cache_keeps_the_check(tmp_path, monkeypatch):
    from s2s.api import cache, persistent
    monkeypatch.setenv("S2S_CACHE_DIR", str(tmp_path))
    persistent._usable.clear()
    cache.clear()
    s2s.grad(dot_of_field)(X, Cfg(np.array([1.0, 2.0])))
    cache.clear()  # (the next transformation is read from disk)
    with pytest.raises(s2s.S2SError, match="cfg.p.dot\\(\\) of a P"):
        s2s.grad(dot_of_field)(X, Cfg(P0))
    cache.clear()
    persistent._usable.clear()


class ArrayLike:
    """An object NumPy reads through __array__ alone: read as the array it gives."""

    def __init__(self, v):
        self.v = v

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.v, dtype=dtype)


def times_converted(x, a):
    return np.sum(np.sin(np.multiply(x, a)))


def np_dot_of_argument(x, p):
    return np.sum(np.sin(np.dot(p, x)))


def keyword_only(x, *, p):
    return np.sum(np.sin(p * x))


class Model:
    def __init__(self, w, p):
        self.w, self.p = w, p

    def loss(self, x):
        return np.sum(np.sin(self.w * x) * self.p)


def test_other_values_and_arguments():
    a = ArrayLike([1.0, 2.0])
    numeric = numeric_grad(lambda x: times_converted(x, a), (X,), 0)
    assert_close(s2s.grad(times_converted)(X, a), numeric)
    assert_close(s2s.jacobian(times_converted, mode="forward")(X, a), numeric)
    with pytest.raises(s2s.S2SError, match="the argument 'p' is a P, whose class defines dot") as info:
        s2s.grad(np_dot_of_argument)(X, P0)
    assert "p.dot() of" not in str(info.value)
    from fractions import Fraction
    with pytest.raises(s2s.S2SError, match=r"is a Fraction, whose class defines __mul__(.|\n)*pass float\(s\)"):
        s2s.grad(signed_times_sin)(X, Fraction(1, 2))
    with pytest.raises(s2s.S2SError, match="the argument 'p' is a P"):
        s2s.grad(keyword_only)(X, p=P0)
    with pytest.raises(s2s.S2SError, match="the argument 'p' is a P"):
        s2s.jvp(keyword_only)((X,), (np.ones(2),), p=P0)
    assert_close(s2s.grad(keyword_only)(X, p=np.array([1.0, 2.0])),
                 numeric_grad(lambda x: keyword_only(x, p=np.array([1.0, 2.0])), (X,), 0))
    good, bad = Model(np.array([1.0, 2.0]), 3.0), Model(np.array([1.0, 2.0]), P0)
    assert_close(s2s.grad(Model.loss, wrt="x")(good, X), numeric_grad(lambda x: good.loss(x), (X,), 0))
    with pytest.raises(s2s.S2SError, match="self.p, read from the argument 'self', is a P"):
        s2s.grad(Model.loss, wrt="x")(bad, X)


def sum_of_record(x, nt):
    return np.sum(np.sin(x * nt.sum()))


def transpose_of_record(x, nt):
    return np.sum(np.sin(x @ nt.T))


def mean_of_field(x, cfg):
    return np.sum(np.sin(cfg.p.mean() * x))


def reshaped_item(x, d):
    return np.sum(np.sin(d["nt"].reshape(-1)[:2] * x))


@pytest.mark.parametrize("f,data,kind", [
    (sum_of_record, NT(np.array([1.0, 2.0]), np.array([3.0, 4.0])), "NT"),
    (transpose_of_record, NT(np.array([1.0, 2.0]), np.array([3.0, 4.0])), "NT"),
    (mean_of_field, Cfg(NT(np.array([1.0, 2.0]), np.array([3.0, 4.0]))), "NT"),
    (reshaped_item, {"nt": NT(np.array([1.0, 2.0]), np.array([3.0, 4.0]))}, "NT"),
    (sum_of_record, [1.0, 2.0], "list"),
    (sum_of_record, 2.0, "float"),
])
def test_an_array_method_of_a_value_without_it_raises_pythons_error(f, data, kind):
    """`nt.sum()` of a namedtuple (a list, a float) where no derivative flows: Python raises AttributeError, where
    NumPy's np.sum(nt), which s2s wrote, summed its fields into a number."""
    with pytest.raises(AttributeError):
        f(X, data)
    attribute = {sum_of_record: "sum", transpose_of_record: "T", mean_of_field: "mean", reshaped_item: "reshape"}[f]
    for mode, run in _every_mode(f, X, data):
        with pytest.raises(AttributeError, match=f"'{kind}' object has no attribute '{attribute}'"):
            run()
    g = s2s.grad(f)  # (the fast call, after a call with arrays)
    g(X, {sum_of_record: np.array([1.0, 2.0]), transpose_of_record: np.eye(2), mean_of_field: Cfg(np.ones(2)),
          reshaped_item: {"nt": np.ones((2, 2))}}[f])
    with pytest.raises(AttributeError, match=f"'{kind}' object has no attribute '{attribute}'"):
        g(X, data)


class Conditions:
    def __init__(self):
        self.size, self.T, self.scale = 3, 2.0, 0.5


def by_size(x, c):
    return np.sum(x ** 2) * c.size


def by_temperature(x, c):
    return np.sum(x ** 2) / c.T


def by_temperature_and_scale(x, c):
    return np.sum(x ** 2) * c.scale / c.T


def test_fields_named_as_array_attributes():
    """`c.size` reads the object's own (np.size(c) reads c.size); `c.T` alone is refused (np.transpose(c) does
    not read c.T: the gradient crashed inside generated code); beside another field it is read as the field."""
    c = Conditions()
    for f in (by_size, by_temperature_and_scale):
        _check_every_mode(f, X, c)
    for mode, run in _every_mode(by_temperature, X, c):
        with pytest.raises(s2s.S2SError, match="c.T of a Conditions, not an array"):
            run()


class OtherLibraryArray:
    """An array of another library: operators of its own, and __array__."""

    def __init__(self, v):
        self.v = np.asarray(v)

    def __array__(self, dtype=None, copy=None):
        return self.v if dtype is None else self.v.astype(dtype)

    def __matmul__(self, o):
        return OtherLibraryArray(self.v @ np.asarray(o))


def least_squares(w, A):
    return np.sum(np.asarray(A @ w) ** 2)


def test_an_array_of_another_library_is_told_to_be_converted():
    A = OtherLibraryArray([[1.0, 2.0], [0.5, -1.0]])
    with pytest.raises(s2s.S2SError, match=r"defines __matmul__(.|\n)*Instead, pass np.asarray\(A\)"):
        s2s.grad(least_squares)(X, A)
    assert_close(s2s.grad(least_squares)(X, np.asarray(A)),
                 numeric_grad(lambda w: least_squares(w, np.asarray(A)), (X,), 0))


class Held:
    """An object handing out its P through a property."""

    def __init__(self, p):
        self._p = p

    @property
    def p(self):
        return self._p


def test_a_field_behind_a_property_is_checked():
    with pytest.raises(s2s.S2SError, match="cfg.p, read from the argument 'cfg', is a P"):
        s2s.grad(times_field)(X, Held(P0))
    arrays = Held(np.array([1.0, 2.0]))
    assert_close(s2s.grad(times_field)(X, arrays), numeric_grad(lambda x: times_field(x, arrays), (X,), 0))
