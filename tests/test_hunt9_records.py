"""Records (namedtuples, typing.NamedTuples, dataclasses, dicts) carried by time-stepping loops, and calls of
s2s inside differentiated code (hunt round 9, the ODE hunt's findings 2, 8, 6 and 7). Each derivative is checked
against central differences in every mode that applies (values against the function run as it is)."""
import collections
import dataclasses
import typing

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian

State = collections.namedtuple("State", ["x", "v"])
P = collections.namedtuple("P", "pos vel")


class TState(typing.NamedTuple):
    x: float
    v: float


@dataclasses.dataclass
class DState:
    x: float
    v: float


def check_modes(f, args, wrt, v=1.0):
    """value_and_grad, jvp, both Jacobians, the Hessian and grad of grad of f (a number) with respect to the
    number args[wrt], against central differences; the values against f; the arguments left as they were."""
    kept = [a for a in args]
    value = f(*args)
    numeric = numeric_grad(f, args, wrt)
    primal, gradient = s2s.value_and_grad(f, wrt=wrt)(*args)
    assert primal == value
    assert_close(gradient, numeric, what=f"{f.__name__}: grad")
    primal, tangent = s2s.jvp(f, wrt=wrt)(args, (v,))
    assert primal == value
    assert_close(tangent, numeric * v, what=f"{f.__name__}: jvp")
    assert_close(s2s.jacobian(f, wrt=wrt, mode="forward")(*args), numeric, what=f"{f.__name__}: forward jacobian")
    assert_close(s2s.jacobian(f, wrt=wrt)(*args), numeric, what=f"{f.__name__}: reverse jacobian")
    up, down = list(args), list(args)
    up[wrt] += 1e-4
    down[wrt] -= 1e-4
    second = (numeric_grad(f, up, wrt, 1e-5) - numeric_grad(f, down, wrt, 1e-5)) / 2e-4
    assert_close(s2s.hessian(f, wrt=wrt)(*args), second, 1e-4, 1e-5, what=f"{f.__name__}: hessian")
    assert_close(s2s.grad(s2s.grad(f, wrt=wrt), wrt=wrt)(*args), second, 1e-4, 1e-5,
                 what=f"{f.__name__}: grad of grad")
    assert all(a is b for a, b in zip(args, kept))


# ---------------------------------------------------------------- 2: a record state that starts without a tangent
# (forward mode's zero tangent of a namedtuple, rt.zeros_like, was a plain tuple: ds.x raised AttributeError)

def nt_loop(x0, k):
    s = State(x0, 0.0)
    for i in range(2):
        s = State(s.x + s.v, s.v - k * s.x)
    return s.x


def typed_loop(x0, k):
    s = TState(x0, 0.0)
    for i in range(3):
        s = TState(s.x + s.v, s.v - k * s.x)
    return s.x * s.v


def dataclass_loop(x0, k):
    s = DState(x0, 0.0)
    for i in range(3):
        s = DState(s.x + s.v, s.v - k * s.x)
    return s.x * s.v


def dict_of_records(x0, k):
    st = {"s": State(x0, 0.0), "e": 0.0}
    for i in range(3):
        s = st["s"]
        st = {"s": State(s.x + 0.1 * s.v, s.v - 0.1 * k * s.x), "e": st["e"] + s.x ** 2}
    return st["e"] + st["s"].v


def dict_state(x0, k):
    s = {"x": x0, "v": 0.0}
    for i in range(3):
        s = {"x": s["x"] + 0.1 * s["v"], "v": s["v"] - 0.1 * k * s["x"]}
    return s["x"] * s["v"]


def array_fields(x0, k):
    s = P(np.array([1.0, 0.5]) * x0, np.zeros(2))
    for i in range(3):
        s = P(s.pos + 0.1 * s.vel, s.vel - 0.1 * k * np.sin(s.pos))
    return np.sum(s.pos ** 2)


def stored_state(x0, k):
    s = State(x0, 0.0)
    traj = np.zeros((3, 2))
    for i in range(3):
        s = State(s.x + 0.1 * s.v, s.v - 0.1 * k * s.x)
        traj[i] = s
    return np.sum(traj ** 2)


def record_argument(s, k):
    for i in range(3):
        s = P(s.pos + 0.1 * s.vel, s.vel - 0.1 * k * s.pos)
    return s.pos * s.vel


def constant_start(k):
    s = State(1.0, 0.0)
    for i in range(3):
        s = State(s.x + 0.1 * s.v, s.v - 0.1 * k * s.x)
    return s.x ** 2 + s.v


@pytest.mark.parametrize("f, args, wrt", [
    (nt_loop, (0.5, 1.2), 1), (nt_loop, (0.5, 1.2), 0), (typed_loop, (0.5, 1.2), 1),
    (dataclass_loop, (0.5, 1.2), 1), (dict_of_records, (0.5, 1.2), 1), (dict_state, (0.5, 1.2), 1),
    (array_fields, (0.5, 1.2), 1), (stored_state, (0.5, 1.2), 1), (record_argument, (P(1.0, 0.3), 1.2), 1),
    (constant_start, (1.2,), 0)], ids=lambda a: getattr(a, "__name__", None))
def test_record_state_without_a_tangent_every_mode(f, args, wrt):
    check_modes(f, args, wrt)


def returned_state(k, n=3):
    s = State(1.0, 0.0)
    for i in range(n):
        s = State(s.x + 0.1 * s.v, s.v - 0.1 * k * s.x)
    return s


def test_returned_record_state_forward_modes():
    """The tangent of a returned namedtuple is one of its class, in jvp and the forward Jacobian, also where the
    loop runs no step (the zero tangent itself)."""
    eps = 1e-6
    for n in (3, 0):
        numeric = [(a - b) / (2 * eps) for a, b in zip(returned_state(1.3 + eps, n), returned_state(1.3 - eps, n))]
        value, tangent = s2s.jvp(returned_state)((1.3, n), (1.0,))
        assert value == returned_state(1.3, n)
        assert type(tangent) is State
        assert_close(list(tangent), numeric, what="jvp")
        for mode in ("forward", "reverse"):
            jac = s2s.jacobian(returned_state, mode=mode)(1.3, n)
            assert type(jac) is State
            assert_close([float(j) for j in jac], numeric, what=f"{mode} jacobian")


def slope_of_typed_loop(k):
    return s2s.jvp(typed_loop, wrt=1)((0.5, k), (1.0,))[1]


def test_derivatives_of_the_forward_mode_of_a_record_loop():
    """grad, jvp and the forward Jacobian of a jvp of a loop whose namedtuple state starts without a tangent (the
    adjoint of reading its zero tangent's field, rt.getattr_adjoint of a TupleParts, was refused)."""
    eps = 1e-5
    numeric = (slope_of_typed_loop(1.2 + eps) - slope_of_typed_loop(1.2 - eps)) / (2 * eps)
    assert_close(s2s.grad(slope_of_typed_loop)(1.2), numeric, what="grad of jvp")
    assert_close(s2s.jvp(slope_of_typed_loop)((1.2,), (1.0,))[1], numeric, what="jvp of jvp")
    assert_close(s2s.jacobian(slope_of_typed_loop, mode="forward")(1.2), numeric, what="forward jacobian of jvp")


class Stepped(typing.NamedTuple):
    x: float
    v: float
    DT = 0.1


@dataclasses.dataclass
class SteppedData:
    x: float
    v: float
    DT: typing.ClassVar[float] = 0.1


def stepped(s, k):
    for i in range(3):
        s = Stepped(s.x + s.DT * s.v, s.v - s.DT * k * s.x)
    return s.x * s.v


def stepped_data(s, k):
    for i in range(3):
        s = SteppedData(s.x + s.DT * s.v, s.v - s.DT * k * s.x)
    return s.x * s.v


@pytest.mark.parametrize("record, constant_of_a_carried_argument", [(Stepped(1.0, 0.2), stepped),
                                                                    (SteppedData(1.0, 0.2), stepped_data)],
                         ids=["namedtuple", "dataclass"])
def test_class_constant_of_a_record_argument_a_loop_rebuilds(record, constant_of_a_carried_argument):
    """`s.DT`, a class constant, read of a record argument the loop rebuilds (its class known only as the code
    runs): the tangent of the rebuilt record was one of the class itself, so the forward modes read DT = 0.1 of
    it as the tangent of DT (jvp -0.0427 where differences give -0.0302, a dataclass; a namedtuple's crashed). The
    tangent of a record built is read by its fields only (rt.record_tangent): a constant's tangent is zero."""
    check_modes(constant_of_a_carried_argument, (record, 1.3), 1)
    eps = 1e-6
    up, down = type(record)(1.0 + eps, 0.2), type(record)(1.0 - eps, 0.2)
    numeric = (constant_of_a_carried_argument(up, 1.3) - constant_of_a_carried_argument(down, 1.3)) / (2 * eps)
    value, tangent = s2s.jvp(constant_of_a_carried_argument, wrt=0)((record, 1.3), (type(record)(1.0, 0.0),))
    assert value == constant_of_a_carried_argument(record, 1.3)
    assert_close(tangent, numeric, what="jvp w.r.t. the record")
    gradient = s2s.grad(constant_of_a_carried_argument)(record, 1.3)
    assert type(gradient) is type(record)
    assert_close(gradient.x, numeric, what="grad w.r.t. the record")


# ---------------------------------------------------------------- 8: s = s._replace(v=...) of a record a loop carries
# (refused as of "an argument": the loop's header value of s lost the class of the record built before it)

def replaced_in_loop(x0, k):
    s = State(x0, 0.0)
    for i in range(2):
        s = s._replace(v=s.v - k * s.x)
    return s.x + s.v


def replaced_dataclass(x0, k):
    s = DState(x0, 0.0)
    for i in range(3):
        s = dataclasses.replace(s, v=s.v - k * s.x)
        s = dataclasses.replace(s, x=s.x + 0.1 * s.v)
    return s.x * s.v


def replaced_nested(x0, k):
    s = State(x0, 0.0) if x0 > 0 else State(0.0, x0)
    for i in range(2):
        for j in range(2):
            if j == 1:
                s = s._replace(x=s.x + 0.1 * s.v)
            s = s._replace(v=s.v - k * np.sin(s.x))
    s = s._replace(x=s.x * 2)
    return s.x * s.v


def built_and_replaced(x0, k):
    s = TState(x0, 0.0)
    for i in range(3):
        s = TState(s.x + 0.1 * s.v, s.v)
        s = s._replace(v=s.v - 0.1 * k * s.x)
    return s.x ** 2 + s.v


@pytest.mark.parametrize("f", [replaced_in_loop, replaced_dataclass, replaced_nested, built_and_replaced],
                         ids=lambda f: f.__name__)
def test_replace_of_a_loop_carried_record_every_mode(f):
    check_modes(f, (0.5, 1.2), 1)


def replaced_argument(s, k):
    for i in range(2):
        s = s._replace(v=s.v - k * s.x)
    return s.x + s.v


def replaced_argument_advised(s, k):
    for i in range(2):
        s = State(v=s.v - k * s.x, x=s.x)
    return s.x + s.v


def rebound_otherwise(x0, k):
    s = State(x0, 0.0)
    for i in range(2):
        s = s._replace(v=s.v - k * s.x)
        if i == 0:
            s = (s.x, s.v)
    return s[0]


def test_replace_of_a_record_of_unknown_class_is_refused_saying_why():
    """`s._replace(...)` where s2s cannot know the class (an argument, carried in from one; a loop binding s to a
    tuple too) is refused at the line, saying which, with advice that works (checked in every mode)."""
    with pytest.raises(s2s.S2SError, match=r"(?s)of s, whose record class.*loop carries in from an argument.*"
                                           r"Cls\(v=s\.v - k \* s\.x, <each other field>=s\.<field>\)"):
        s2s.grad(replaced_argument, wrt=1)(State(0.5, 0.0), 1.2)
    with pytest.raises(s2s.S2SError, match=r"of s, whose record class s2s does not know at this line"):
        s2s.grad(rebound_otherwise, wrt=1)(0.5, 1.2)
    check_modes(replaced_argument_advised, (State(0.5, 0.0), 1.2), 1)
    assert replaced_argument_advised(State(0.5, 0.0), 1.2) == replaced_argument(State(0.5, 0.0), 1.2)


def replaced_argument_once(s, k):
    t = s._replace(v=s.v - k * s.x)
    return t.x + t.v


def replaced_by_mapping(x0, k):
    s = State(x0, 0.0)
    s = s._replace(**{"v": k})
    return s.x + s.v


def test_replace_refusals_name_their_reason():
    with pytest.raises(s2s.S2SError, match=r"of s, an argument, whose record class s2s does not know while "
                                           r"compiling.*Cls\(v=s\.v - k \* s\.x"):
        s2s.grad(replaced_argument_once, wrt=1)(State(0.5, 0.0), 1.2)
    with pytest.raises(s2s.S2SError, match=r"fields given by position or as \*\*mapping.*s\._replace\(field=value"):
        s2s.grad(replaced_by_mapping, wrt=1)(0.5, 1.2)


# ---------------------------------------------------------------- 6: s2s.jvp(f)((x,), (v,)) inside, f with defaults
# (refused unless the caller passed f's defaults too; a call at top level fills them in, as jax.jvp does)

def energy(q, n=10, dt=0.05):
    s = 0.0
    for t in range(n):
        q = q - dt * np.tanh(q)
        s = s + np.sum(q ** 2)
    return s


def directional_loss(p):
    v, t = s2s.jvp(energy)((p,), (np.ones_like(p),))
    return v * t


def slope_in_a_default(p):
    return s2s.jvp(energy, wrt=2)((p,), (1.0,))[1]


def decay(k, y0=0.7, n=20):
    y = y0
    for i in range(n):
        y = y + 0.05 * (-k * y)
    return y


def decay_slope(k):
    return s2s.jvp(decay)((k,), (1.0,))[1] * k


@pytest.mark.parametrize("f", [directional_loss, slope_in_a_default], ids=lambda f: f.__name__)
def test_jvp_inside_with_the_defaults_left_out_every_mode(f):
    x = np.array([0.3, -0.5, 0.9])
    assert s2s.jvp(energy)((x,), (np.ones(3),)) == s2s.jvp(energy)((x, 10, 0.05), (np.ones(3),))
    check_every_mode(f, x)


def test_jvp_inside_with_the_defaults_left_out_scalar():
    check_modes(decay_slope, (1.3,), 0)


def product(q, k):
    return q * k


def needs_both(p):
    return s2s.jvp(product)((p,), (1.0,))[1]


def test_jvp_inside_without_an_argument_that_has_no_default_is_refused():
    with pytest.raises(s2s.S2SError, match=r"1 primal\(s\) where the function takes 2 positional argument.*those "
                                           r"without a default at least"):
        s2s.grad(needs_both)(1.0)


# ---------------------------------------------------------------- 7: an array a join makes, then written, in a loop
# (the gradient pushed the join's array where the if ended and then wrote into it: a second derivative was refused
# at s2s's own line, "a write into 'u_4' after this gradient saved it on a stack ... u_4[0] = t5")

def renormalised(u0, a, n=3):
    u = u0.copy()
    for t in range(n):
        u = u * a
        if np.sum(u) > 2.0:  # occasional renormalisation
            u = u * 0.8
        u[0] = u[1] * 0.5  # boundary condition
    return np.sum(u ** 2)


def renormalised_while(u0, a, n=3):
    u = u0.copy()
    t = 0
    while t < n:
        u = u * a
        if np.sum(u) > 2.0:
            u = u * 0.8
        u[0] = u[1] * 0.5
        t += 1
        if u[0] > 0.3:
            continue
        u[3] = a * u[2]
    return np.sum(u ** 2)


U0 = np.array([0.3, 0.7, 0.9, 0.5])


@pytest.mark.parametrize("f", [renormalised, renormalised_while], ids=lambda f: f.__name__)
def test_second_derivatives_of_a_joined_array_written_in_a_loop(f):
    check_modes(f, (U0, 0.9), 1)
    eps = 1e-4
    rows = [(numeric_grad(f, (U0 + e, 0.9), 0, 1e-5) - numeric_grad(f, (U0 - e, 0.9), 0, 1e-5)) / (2 * eps)
            for e in np.eye(4) * eps]
    expected = np.stack(rows)
    assert_close(s2s.hessian(f)(U0, 0.9), expected, 1e-4, 1e-5, what="hessian w.r.t. u0")
    assert_close(s2s.jacobian(s2s.grad(f))(U0, 0.9), expected, 1e-4, 1e-5, what="jacobian of grad")
    assert_close(s2s.jacobian(s2s.grad(f), mode="forward")(U0, 0.9), expected, 1e-4, 1e-5,
                 what="forward jacobian of grad")
    mixed = (numeric_grad(f, (U0, 0.9 + eps), 0, 1e-5) - numeric_grad(f, (U0, 0.9 - eps), 0, 1e-5)) / (2 * eps)
    assert_close(s2s.jvp(s2s.grad(f), wrt=1)((U0, 0.9), (1.0,))[1], mixed, 1e-4, 1e-5, what="jvp of grad")
    assert np.array_equal(U0, [0.3, 0.7, 0.9, 0.5])


def continue_then_write(a):
    y = a * 1.0
    for i in range(4):
        if i == 1:
            continue
        y = np.cos(y) * a
    y[2] = y[1] * a[0]
    return np.sum(y * y)


def continue_then_write_advised(a):
    y = a * 1.0
    for i in range(4):
        if i == 1:
            continue
        y = np.cos(y) * a
    y = np.copy(y)
    y[2] = y[1] * a[0]
    return np.sum(y * y)


def test_write_after_a_push_in_the_gradient_is_refused_at_the_users_line():
    """Where the gradient's own code still writes into an array it pushed (the loop may leave `y` bound to the
    array it entered with), the second derivative's refusal is said at the user's line, names the user's
    variable, and its advice works."""
    x = np.array([0.3, -0.4, 0.8])
    with pytest.raises(s2s.S2SError) as info:
        s2s.hessian(continue_then_write)(x)
    error = info.value
    assert error.filename == __file__ and "y[2] = y[1] * a[0]" in error.text
    assert "a write into 'y'" in str(error) and "y = np.copy(y)" in str(error)
    expected = numeric_hessian(continue_then_write_advised, x)
    assert_close(s2s.hessian(continue_then_write_advised)(x), expected, 1e-4, 1e-5, what="advised hessian")
    assert continue_then_write_advised(x) == continue_then_write(x)
