"""Methods of the user's classes, found by the fourth bug hunt (hunt4oop): `self.m()` runs the method of the
object's class (not of the class whose body calls it), in every mode; a method replaced on its class is seen;
operators a class of the user's defines; and calls that were refused or refused with a misleading message."""
import abc

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


# ------------------------------------------------------------------------------ self.m() of the object's class

class Base:
    C = 2.0

    def act(self, z):
        return z * z

    def loss(self, x):
        return self.act(x)

    @classmethod
    def k(cls, z):
        return cls.C * z

    def loss_k(self, x):
        return self.k(x) * x

    @s2s.value_and_grad(wrt="x")
    def dloss(self, x):
        return self.act(x)


class Child(Base):
    C = 5.0

    def act(self, z):
        return z * z * z


def test_a_method_calling_an_override_runs_the_objects_method_in_every_mode():
    """Base.loss returns self.act(x) and Child overrides act (z**3): for a Child, the value 8 and slope 12 at 2
    (was (4, 4) in reverse mode: Base.act, the method of the class whose body calls it)."""
    c, b = Child(), Base()
    assert s2s.value_and_grad(c.loss)(2.0) == (8.0, 12.0)
    assert s2s.value_and_grad(b.loss)(2.0) == (4.0, 4.0)
    assert s2s.vjp(c.loss)(2.0)[1](1.0) == 12.0
    assert s2s.hessian(c.loss)(2.0) == pytest.approx(12.0)
    assert s2s.jvp(c.loss)((2.0,), (1.0,)) == (8.0, 12.0)
    assert s2s.value_and_grad(Base.loss, wrt=1)(c, 2.0) == (8.0, 12.0)
    assert s2s.jvp(Base.loss, wrt=1)((c, 2.0), (1.0,)) == (8.0, 12.0)
    assert s2s.value_and_grad(Base.loss, wrt=1)(b, 2.0) == (4.0, 4.0)
    assert c.dloss(2.0) == (8.0, 12.0)  # (decorated in Base's body, called on a Child)
    assert b.dloss(2.0) == (4.0, 4.0)


def test_a_class_method_called_through_self_reads_the_objects_class():
    """self.k(x) with k a classmethod reading cls.C: Child's C (5), so loss_k = 5 x**2 (was Base's 2)."""
    c = Child()
    value, slope = s2s.value_and_grad(c.loss_k)(2.0)
    assert (value, slope) == (20.0, 20.0)
    assert s2s.jvp(c.loss_k)((2.0,), (1.0,)) == (20.0, 20.0)
    assert s2s.value_and_grad(Base().loss_k)(2.0) == (8.0, 8.0)


class Module:
    def forward(self, x):
        raise NotImplementedError

    def loss(self, x, y):
        return np.sum((self.forward(x) - y) ** 2)


class Linear(Module):
    def __init__(self, W):
        self.W = W

    def forward(self, x):
        return self.W @ x


class Tanh(Module):
    def forward(self, x):
        return np.tanh(x)


class LossMixin:
    def loss(self, x):
        return np.sum(self.forward(x) ** 2)


class Net(LossMixin):
    def forward(self, x):
        return np.tanh(2.0 * x)


class Abstract(abc.ABC):
    @abc.abstractmethod
    def forward(self, x):
        ...

    def loss(self, x):
        return np.sum(self.forward(x) ** 3)


class Square(Abstract):
    def forward(self, x):
        return x * x


def test_an_abstract_base_and_a_mixin_in_reverse_mode():
    """A base whose method raises NotImplementedError (or is an abc.abstractmethod) and a mixin calling a method
    only its subclass defines: refused in reverse mode before ('does not return a value on every path',
    'the method call .forward()'); now the subclass's method, checked against finite differences."""
    x, y = np.array([1.0, 1.0]), np.array([0.5])
    m = Linear(np.array([[1.0, 2.0]]))
    assert_close(s2s.grad(m.loss)(x, y), [5.0, 10.0], what="Linear")
    t = Tanh()
    y2 = np.array([0.1, -0.2])
    assert_close(s2s.grad(t.loss)(x * 0.3, y2), numeric_grad(t.loss, (x * 0.3, y2), 0), what="Tanh")
    n = Net()
    z = np.array([0.5, 1.0])
    assert_close(s2s.grad(n.loss)(z), numeric_grad(n.loss, (z,), 0), what="mixin")
    assert_close(s2s.jvp(n.loss)((z,), (np.ones(2),))[1], np.sum(numeric_grad(n.loss, (z,), 0)), what="mixin jvp")
    s = Square()
    assert_close(s2s.grad(s.loss)(z), 6.0 * z ** 5, what="abstractmethod")


def test_an_attribute_of_the_object_hides_its_classs_method():
    """obj.act set on the instance (a NumPy function) is what obj.act(x) calls, as Python looks it up; the code
    made for every Base (reverse mode) refuses such an object when it runs (it gave Base.act's (0.25, 1.0))."""
    m = Base()
    m.act = np.sin
    assert m.loss(0.5) == np.sin(0.5)
    assert s2s.jvp(m.loss)((0.5,), (1.0,)) == pytest.approx((np.sin(0.5), np.cos(0.5)))
    with pytest.raises(s2s.S2SError, match=r"self\.act\(\).*holds its own 'act'"):
        s2s.value_and_grad(m.loss)(0.5)
    assert s2s.value_and_grad(Base().loss)(0.5) == (0.25, 1.0)


def test_a_class_defined_after_the_code_was_made_is_refused_not_differentiated_wrongly():
    """The generated code of Base.loss serves every object passed: one of a class defined after it was made,
    overriding act, raises an S2SError naming the call (it cannot have been inlined), rather than run Base.act."""
    g = s2s.value_and_grad(Base.loss, wrt=1)
    assert g(Child(), 2.0) == (8.0, 12.0)

    class Late(Base):
        def act(self, z):
            return 3.0 * z

    with pytest.raises(s2s.S2SError, match=r"self\.act\(\).*defines 'act' otherwise"):
        g(Late(), 2.0)

    class Plain(Child):  # (no override of its own: Child.act's branch)
        pass
    assert g(Plain(), 2.0) == (8.0, 12.0)


# ------------------------------------------------------------------------------ a method replaced on its class

class Patched:
    def act(self, z):
        return z * z

    def loss(self, x):
        return self.act(x)


PATCHED = Patched()


def uses_patched(x):
    return PATCHED.act(x)


def test_a_method_replaced_on_its_class_after_the_first_call_is_seen():
    """Patched.act = cube after a first call: every transformation (an existing one, a new one, a module object's
    method) gives 8 and 12 at 2 (was 4 and 4: the lookup was no fact the cache checked)."""
    m = Patched()
    g, j, gm = s2s.value_and_grad(m.loss), s2s.jvp(m.loss), s2s.value_and_grad(uses_patched)
    assert g(2.0) == (4.0, 4.0) and j((2.0,), (1.0,)) == (4.0, 4.0) and gm(2.0) == (4.0, 4.0)
    original = Patched.act

    def cube(self, z):
        return z * z * z
    Patched.act = cube
    try:
        assert g(2.0) == (8.0, 12.0)
        assert j((2.0,), (1.0,)) == (8.0, 12.0)
        assert s2s.value_and_grad(m.loss)(2.0) == (8.0, 12.0)
        assert gm(2.0) == (8.0, 12.0)
    finally:
        Patched.act = original
    assert g(2.0) == (4.0, 4.0)


# ------------------------------------------------------------------------------ calls refused before

class Poly:
    def power(self, x, n):
        if n == 0:
            return 1.0
        return x * self.power(x, n - 1)


class Doubler(Base):
    def act(self, z):
        return super().act(z) + 2.0 * z  # z**2 + 2 z


def test_super_and_a_recursive_method_in_every_order():
    """super().act(z) is Base.act (was refused: 'a method of an object s2s does not see into'); a method calling
    itself has a Hessian and a grad of grad (were refused: 'the method call .power()')."""
    d = Doubler()
    assert s2s.value_and_grad(d.loss)(3.0) == (15.0, 8.0)
    assert s2s.jvp(d.loss)((3.0,), (1.0,)) == (15.0, 8.0)
    assert s2s.hessian(d.loss)(3.0) == pytest.approx(2.0)
    assert s2s.value_and_grad(Base.loss, wrt=1)(d, 3.0) == (15.0, 8.0)
    p = Poly()
    assert s2s.grad(p.power)(1.5, 3) == pytest.approx(3 * 1.5 ** 2)
    assert s2s.hessian(p.power)(1.5, 3) == pytest.approx(6 * 1.5)
    assert s2s.grad(s2s.grad(p.power))(1.5, 3) == pytest.approx(6 * 1.5)


def logged(fn):
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


@logged
@logged
def twice_logged(x, y):
    return x * np.sin(y)


def test_two_stacked_args_kwargs_decorators():
    """wrapper(*args, **kwargs) calling another such wrapper: the second's **kwargs is the first's dict (was
    refused: '**mapping whose keys are known only at run time'). wrt counts the parameters the function shows,
    x and y (it counted the wrapper's own, *args and **kwargs)."""
    assert_close(s2s.grad(twice_logged, wrt=(0, 1))(2.0, 0.5), (np.sin(0.5), 2.0 * np.cos(0.5)),
                 what="grad of x and y, the parameters twice_logged shows")
    assert s2s.jvp(twice_logged)((2.0, 0.5), (1.0,))[1] == pytest.approx(np.sin(0.5))


class Scale:
    def __init__(self, w):
        self.w = w

    def __call__(self, x):
        return self.w * x * x

    def loss(self, x):
        return self(x) + 1.0


LAYER = Scale(3.0)
FORWARD = Scale(2.0).__call__


def through_layer(x):
    return LAYER(x) + FORWARD(x)


def power_sum(x, p=2.0, scale=1.0):
    return scale * np.sum(x ** p)


CUBES = __import__("functools").partial(power_sum, p=3.0)
REGISTRY = {"sin": np.sin, "power": power_sum}


def through_table(x):
    return CUBES(x, scale=2.0) + np.sum(REGISTRY["sin"](x)) + REGISTRY["power"](x)


class Layer:
    activation = np.tanh
    scaled = staticmethod(np.sin)

    def f(self, x):
        return np.sum(self.activation(x) * self.scaled(x))


class SinLayer(Layer):
    activation = np.sin


def test_callable_objects_partials_table_entries_and_library_callables_on_classes():
    """LAYER(x) (a callable object), FORWARD(x) (a bound method at module level), self(x), a module-level
    functools.partial, REGISTRY["sin"](x) with a constant key, and a class attribute holding np.tanh or
    staticmethod(np.sin): each called as Python calls it (were refused with 'no Python source', 'a value only
    the run time knows', 'tanh: no derivative rule')."""
    assert s2s.value_and_grad(through_layer)(2.0) == (20.0, 20.0)
    assert s2s.value_and_grad(Scale(3.0).loss)(2.0) == (13.0, 12.0)
    x = np.array([0.3, -0.7])
    assert_close(s2s.grad(through_table)(x), numeric_grad(through_table, (x,), 0), what="partial and table")
    for m in (Layer(), SinLayer()):
        assert_close(s2s.grad(m.f)(x), numeric_grad(m.f, (x,), 0), what=type(m).__name__)
        assert_close(s2s.jvp(m.f)((x,), (np.ones(2),))[1], np.sum(numeric_grad(m.f, (x,), 0)), what="jvp")


class K:
    C = 2.0

    @classmethod
    def k(cls, z):
        return cls.C * z * z


class Act:
    def __init__(self, fn):
        self.fn = fn

    def loss(self, x):
        return self.fn(x)


class Dense:
    def __init__(self, w):
        self.w = w

    def apply(self, x):
        return self.w * x * x


def by_class(x):
    return K.k(x)


def on_argument(p, x):
    return p.apply(x)


def through_class(p, x):
    return Dense.apply(p, x)


def test_what_the_remaining_refusals_say():
    """K.k(x) (a class method through its class), self.fn(x) (an attribute set in __init__, in code made for
    every object) and p.apply(x) (an argument's method) are refused naming the construct and what to write
    (were: 'no Python source', 'call the NumPy function instead'); what p.apply's refusal says to write works."""
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"K\.k\(\), a class method called through its class"):
        s2s.grad(by_class)(1.0)
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"'fn' is no method of Act but an attribute"):
        s2s.grad(Act.loss, wrt=1)(Act(np.tanh), 1.0)
    assert s2s.jvp(Act(np.tanh).loss)((0.5,), (1.0,)) == pytest.approx((np.tanh(0.5), 1 - np.tanh(0.5) ** 2))
    with pytest.raises(s2s.UnsupportedSyntaxError, match=r"p\.apply\(\.\.\.\): 'apply' is no method.*Cls\.apply\(p"):
        s2s.grad(on_argument, wrt=1)(Dense(2.0), 3.0)
    assert s2s.grad(through_class, wrt=1)(Dense(2.0), 3.0) == 12.0


class Logger:
    def log(self, out, v):
        out.append(v * 2.0)

    def loss(self, x):
        out = []
        self.log(out, x)
        return out[0] * x


class TripleLogger(Logger):
    def log(self, out, v):
        out.append(v * 3.0)


def test_a_method_called_for_its_effect_is_the_objects_too():
    """self.log(out, x) as a statement (appending to the caller's list) runs the object's class's log: 3 x**2 for
    a TripleLogger (was 2 x**2 in reverse mode). Where the generated code serves both classes, the appends on
    two branches are refused at the line rather than followed wrongly."""
    t = TripleLogger()
    assert s2s.jvp(t.loss)((2.0,), (1.0,)) == (12.0, 12.0)
    with pytest.raises(s2s.UnsupportedSyntaxError, match="appends to the list 'out' on some of its paths"):
        s2s.grad(t.loss)(2.0)
    assert s2s.jvp(Logger().loss)((2.0,), (1.0,)) == (8.0, 8.0)


class Penalty:
    def pen(self, w):
        return w * w

    def total(self, ws):
        return sum(map(self.pen, ws))

    def twice(self, x):
        f = self.pen
        return f(x) + f(2.0 * x)


def test_a_method_taken_as_a_value_is_called_as_the_method():
    """map(self.pen, ws) and f = self.pen; f(x): the method of the object's class (were refused: 'a call of
    mapped, a value only the run time knows')."""
    p = Penalty()
    assert s2s.grad(p.total)([1.0, 2.0]) == [2.0, 4.0]
    assert s2s.value_and_grad(p.twice)(1.5) == (11.25, 15.0)
    assert s2s.jvp(p.twice)((1.5,), (1.0,)) == (11.25, 15.0)
