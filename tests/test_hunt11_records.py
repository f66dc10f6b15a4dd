"""Round 11, the user's record objects (NamedTuple, dataclass, plain classes): fix11rec.

1. `p.mean()`, a method whose name NumPy's arrays have too, of a record taken from a list, a tuple or a loop's
   sequence: the class's method where the items are records the function builds (their class known), checked
   where the code runs otherwise (`rt.require_array`), never NumPy's mean of the record's fields.
2. A namedtuple passed to a NumPy function (`np.dot(V2(a, b), w)`, `np.mean(v)`) is the array of its fields, as
   NumPy reads it, with derivatives in every mode (was an AttributeError in the generated reverse code).
3. An operator or a method of a record the function builds (`-v`, `v * 2.0`, `u.norm2()`) is the class's method
   with no check as the code runs (the record is of that class itself); a call dispatched on an object's class
   (`self.act(x)` in a method, an item of a list) is checked by one line, `rt.require_method(...)`, not three.
4. `for layer, p in zip(LAYERS, params)` and `for i, f in enumerate(FUNCS)` over a module's tuple of layer objects
   (their methods called: `layer.apply(p, x)`) or functions run once per entry, as `for layer in LAYERS` does; zip
   stops at its shortest sequence, as Python's does.
"""
import dataclasses
from typing import NamedTuple

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian


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


# ---------------------------------------------------------------- 2: a namedtuple read by NumPy as an array
class V2(NamedTuple):
    x: float
    y: float


W2 = np.array([2.0, -3.0])


def dot_of_record(x):
    return np.dot(V2(x[0], x[1] * x[2]), W2) ** 2


def reductions_of_record(x):
    v = V2(np.sin(x[0]), x[1] * x[2])
    return np.mean(v) * x[1] + np.sum(v) ** 2 + np.max(V2(x[0], x[2])) * np.prod(v)


def elementwise_of_record(x):
    v = V2(x[0], x[1])
    return np.sum(np.tanh(v) * W2) * v.y + np.linalg.norm(V2(x[2], x[0]))


def records_in_a_stack(x):
    return np.sum(np.stack([V2(x[0], x[1]), V2(x[1], x[2] * x[0])]) ** 2)


def joined_record(x):
    v = V2(x[0], x[1]) if x[2] > 0 else V2(x[1], x[0])
    return np.dot(v, W2) ** 2 + np.var(V2(x[1], x[2]))


def fields_of_arrays(x):
    return np.sum(np.cumsum(V2(x[:2] ** 2, x[1:]), axis=0) ** 2)


@pytest.mark.parametrize("f", [dot_of_record, reductions_of_record, elementwise_of_record, records_in_a_stack,
                               joined_record, fields_of_arrays])
def test_a_namedtuple_read_by_numpy_as_the_array_of_its_fields(f):
    check_every_mode(f, np.array([0.5, 1.5, 0.7]))


def dot_of_argument_record(v, w):
    return np.dot(v, w) ** 2 + np.mean(v) * v.x


def test_a_namedtuple_argument_read_by_numpy():
    v = V2(0.5, 1.5)
    g = s2s.grad(dot_of_argument_record)(v, W2)
    assert isinstance(g, V2)
    assert_close(g, [-12.75, 21.25])
    assert_close(s2s.hessian(dot_of_argument_record)(v, W2), [[9.0, -11.5], [-11.5, 18.0]])


# ---------------------------------------------------------------- 3: the check of a method dispatched on a class
class Vec(NamedTuple):
    x: float
    y: float

    def __neg__(self):
        return Vec(-self.x, -self.y)

    def __mul__(self, s):
        return Vec(self.x * s, self.y * s)

    def __sub__(self, other):
        return Vec(self.x - other.x, self.y - other.y)

    def norm2(self):
        return self.x ** 2 + self.y ** 2


def operators_of_records(x):
    v = Vec(x[0], np.sin(x[1]))
    u = -v * x[2]
    for _ in range(2):
        u = u - v * 0.5
    return u.norm2() + u.x * v.y


def negated(x):
    u = -Vec(x[0], x[1]) * 2.0
    return u.norm2()


def test_operators_of_records_built_here_run_the_class_method_unchecked():
    check_every_mode(operators_of_records, np.array([0.4, -1.1, 0.8]))
    for text in (s2s.grad(operators_of_records).source, s2s.jvp(operators_of_records).source):
        assert "__dict__" not in text and "S2SError" not in text and "require_method" not in text
    text = s2s.grad(negated).source  # (the records are taken apart: their class is no data the code reads)
    assert "Vec" not in text.split("def grad_negated")[0] and "__dict__" not in text
    assert s2s.grad(negated)(np.array([0.5, -2.0])) == pytest.approx([4.0, -16.0])


class Act:
    def act(self, x):
        return np.tanh(x)

    def loss(self, x):
        return np.sum(self.act(x) ** 2)


class SinAct(Act):
    def act(self, x):
        return np.sin(x) * x


def test_a_method_dispatched_on_the_class_is_checked_in_one_line():
    x = np.array([0.3, -0.7, 1.2])
    for obj in (Act(), SinAct()):
        assert_close(s2s.grad(Act.loss, wrt=1)(obj, x), numeric_grad(obj.loss, (x,), 0))
        assert_close(s2s.hessian(Act.loss, wrt=1)(obj, x), numeric_hessian(obj.loss, x), 1e-4, 1e-5)
        assert_close(s2s.jvp(Act.loss, wrt=1)((obj, x), (np.ones(3),))[1], np.sum(numeric_grad(obj.loss, (x,), 0)))
    text = s2s.grad(Act.loss, wrt=1).source
    assert text.count("rt.require_method(self, 'act', ") == 1 and "raise S2SError" not in text

    class Later(Act):
        def act(self, x):
            return x
    with pytest.raises(s2s.S2SError, match=r"self\.act\(\) \(test_hunt11_records\.py:\d+\): the object's class "
                                           r"defines 'act' otherwise than the classes s2s saw"):
        s2s.grad(Act.loss, wrt=1)(Later(), x)


# ---------------------------------------------------------------- 4: zip and enumerate over a module's tuple
class Dense:
    def __init__(self, act):
        self.act = act

    def apply(self, p, x):
        return self.act(p * x)


class Shift:
    def apply(self, p, x):
        return p * x + np.sin(x)


LAYERS = (Dense(np.tanh), Shift(), Dense(np.sin))
FUNCS = (np.tanh, np.sin, np.cos)
LAYER_LIST = [Dense(np.tanh), Shift()]


def zipped_layers(params, x):
    for layer, p in zip(LAYERS, params):
        x = layer.apply(p, x)
    return np.sum(x ** 2)


def layers_alone(x):
    for layer in LAYERS:
        x = layer.apply(x[1], x)
    return np.sum(x ** 2)


def zipped_display(x):
    for layer, p in zip(LAYERS, (x[0], x[1] * x[2], 0.5)):
        x = layer.apply(p, x)
    return np.sum(x ** 2)


def enumerated_functions(x):
    s = 0.0
    for i, f in enumerate(FUNCS, 1):
        s = s + i * np.sum(f(x * i))
    else:
        s = s * 2.0
    return s


def reversed_weights(x):
    for w, layer in zip(reversed([x[1], x[2], 0.3]), LAYERS):
        x = layer.apply(w, x)
    return np.sum(x) + w


def enumerated_layers(x):
    for i, layer in enumerate(LAYERS):
        x = layer.apply(x[i], x)
    return np.sum(x ** 2) + np.sum(layer.apply(1.0, x))  # (the name keeps the last entry)


@pytest.mark.parametrize("f", [layers_alone, zipped_display, enumerated_functions, reversed_weights,
                               enumerated_layers])
def test_loops_over_a_module_tuple(f):
    check_every_mode(f, np.array([0.3, -0.7, 0.5]))


@pytest.mark.parametrize("params", [[0.5, -1.2, 0.8], [0.5, -1.2], (0.5, -1.2, 0.8, 9.0), np.array([0.5, -1.2, 0.8])],
                         ids=["list", "shorter", "longer", "array"])
def test_zip_of_a_module_tuple_and_parameters(params):
    x = np.array([0.3, -0.7, 0.5])
    kept = np.array(params, dtype=float)
    gp, gx = s2s.grad(zipped_layers, wrt=(0, 1))(params, x)
    assert_close(gx, numeric_grad(zipped_layers, (params, x), 1))
    assert_close(np.asarray(gp, dtype=float), numeric_grad(zipped_layers, (np.asarray(params, dtype=float), x), 0))
    assert s2s.value_and_grad(zipped_layers, wrt=1)(params, x)[0] == pytest.approx(zipped_layers(params, x))
    v = np.array([1.0, -0.5, 2.0])
    assert_close(s2s.jvp(zipped_layers, wrt=1)((params, x), (v,))[1],
                 numeric_grad(zipped_layers, (params, x), 1) @ v)
    assert_close(s2s.jacobian(zipped_layers, wrt=1, mode="forward")(params, x),
                 numeric_grad(zipped_layers, (params, x), 1))
    assert_close(s2s.hessian(zipped_layers, wrt=1)(params, x),
                 numeric_hessian(lambda x: zipped_layers(params, x), x), 1e-4, 1e-5)
    assert np.array_equal(np.array(params, dtype=float), kept)
    text = s2s.grad(zipped_layers, wrt=1).source  # (the layers' methods read no data of theirs: none to give)
    assert "cannot import" not in text
    space = {}
    exec(text, space)
    assert_close(space["grad_zipped_layers"](params, x), gx)


def zipped_list(params, x):
    for layer, p in zip(LAYER_LIST, params):  # refused
        x = layer.apply(p, x)
    return np.sum(x)


def test_zip_of_a_module_list_is_refused_with_the_tuple_advice():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="LAYER_LIST") as info:
        s2s.grad(zipped_list, wrt=1)([0.5, 1.0], np.ones(3))
    assert "make it a tuple, LAYER_LIST = (...)" in info.value.hint
