"""Simulation programs' costs and messages (round 18, fix18sim; hunt18sim's report).

1. A delay equation reading its history at a clamped index, `ys[max(0, i - d)]`, made the gradient O(n^2): an index
   computed by builtin max/min of ints (or abs of one) was not known to be an int, so the sweep saved the list at each
   step and copied it at each append. Such an index is an int now (ad/loop_saves._python_ints): the list grows in
   place and its adjoint is cut back in place, as for `ys[i]` (hunt18sim P2).

2. A function passed to a library call s2s calls as it is (`scipy.integrate.solve_ivp(rhs, ...)`, `quad(lambda t:
   ...)`, `scipy.optimize.minimize`) was refused with "call it where it is needed", advice that cannot be followed:
   the refusal names the call, says it has no derivative rule, and advises its steps as a loop or the call in a
   function of one's own with @s2s.adjoint / @s2s.tangent (front/callbacks.py); the advice is run (hunt18sim M1).

3. A state dict written key by key in a reversed loop (`st = dict(st); for key in st: st[key] = ...`) copied its
   adjoint twice per write (rt.zero_at, then rt.add_at of a plain dict adjoint): rt.zero_at zeroes a dict adjoint
   that rt.add_at made (its own, held by nothing else) in place, so each write is O(1) (hunt18sim P1, reverse mode).
   Forward mode rebuilt the tangent dict per write (rt.setitem_adjoint + rt.setitem_tangent): the copy each step
   makes (`rt.dict_pairs_tangent`, a list's `list(dst)`) is forward mode's own, a loop whose iterations each write a
   copy of their own carries it under a name of its own (ad/forward_writes._mark_versions), and a dict's slots, as a
   list's, are seen only through the dict (ad/list_slots.py): `dst_2[key] = dt`, O(1) (hunt18sim P1, forward mode).

Each program is checked in every mode against finite differences (grad, vjp, jvp, both Jacobians, the Hessian and
grad of grad) and its value against plain NumPy's.
"""
import re

import numpy as np
import pytest

import s2s
from tests.conftest import every_mode

X = np.array([0.7, 1.3, -0.4])


def assert_grown_in_place(f):
    source = s2s.grad(f).source
    assert "ys_1_saved" not in source and "ys_1 += [" in source and "rt.added_at_part" in source, source


# ------------------------------------------------ P2: a history read at a clamped index, ys[max(0, i - d)]

def delay_clamped(x):
    ys = [x[0]]
    for i in range(12):
        ys.append(ys[-1] - 0.1 * x[1] * np.sin(ys[max(0, i - 3)]) + 0.05 * x[2])
    return ys[-1] ** 2


def delay_min_of_len(x):
    ys = [x[0], x[1]]
    for i in range(10):
        ys.append(ys[-1] * 0.9 + 0.2 * x[2] * ys[min(len(ys) - 1, i // 2)] ** 2)
    return ys[-1]


def delay_abs_and_int(x):
    ys = [x[0], x[1], x[2]]
    for i in range(10):
        ys.append(np.tanh(ys[-1] + x[1] * ys[abs(i - 5) // 2]) + 0.1 * ys[int(i / 3)] * x[2])
    return ys[-1] + ys[3]


def delay_vector(x):
    ys = [x * 1.0]
    for i in range(8):
        ys.append(ys[-1] - 0.2 * np.cos(ys[max(i - 2, 0, -1)]) * x[0])
    return np.sum(ys[-1] ** 2)


@pytest.mark.parametrize("f", [delay_clamped, delay_min_of_len, delay_abs_and_int, delay_vector])
def test_history_read_at_a_clamped_index_is_exact_and_grown_in_place(f):
    every_mode(f, X)
    assert_grown_in_place(f)


def clamped_with_a_float(x):  # max of an int and a float is not an int: the list is not read as by an int index
    ys = [x[0]]
    for i in range(5):
        ys.append(ys[-1] * x[1] + ys[int(max(0, i - 1.5))])
    return ys[-1]


def test_max_of_a_float_is_still_exact():
    every_mode(clamped_with_a_float, X)


# ------------------------------------------------ M1: solve_ivp(rhs, ...) / quad(lambda ...): the call named, advice that runs

scipy_integrate = pytest.importorskip("scipy.integrate")
scipy_optimize = pytest.importorskip("scipy.optimize")


def rhs(t, y, k):
    return -k * y


def ivp_decay(k):
    sol = scipy_integrate.solve_ivp(rhs, (0.0, 1.0), [1.0], args=(k,), rtol=1e-10, atol=1e-12)
    return sol.y[0, -1]


def quad_of_a_lambda(a):
    return scipy_integrate.quad(lambda t: np.exp(-a * t), 0.0, 1.0)[0]


def minimized(a):
    return scipy_optimize.minimize(lambda z: (z[0] - a) ** 2, np.zeros(1)).x[0]


@pytest.mark.parametrize("f, name, shown, loop", [
    (ivp_decay, "scipy_integrate.solve_ivp", "the function 'rhs'", "integrator's steps as a loop"),
    (quad_of_a_lambda, "scipy_integrate.quad", "a lambda", "integrator's steps as a loop"),
    (minimized, "scipy_optimize.minimize", "a lambda", "solver's iterations as a loop")])
def test_a_function_given_to_a_library_call_names_the_call(f, name, shown, loop):
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(f)(1.0)
    message = str(info.value)
    assert f"{name} given {shown}" in message and "no derivative rule" in message, message
    assert loop in message and "@s2s.adjoint(solve)" in message and "@s2s.tangent(solve)" in message, message
    assert "call it where it is needed" not in message, message
    assert info.value.lineno == f.__code__.co_firstlineno + 1


# the advice followed: the call in a function of one's own, with a rule (d/dk exp(-k) = -exp(-k))

def solve(k):
    return scipy_integrate.solve_ivp(rhs, (0.0, 1.0), [1.0], args=(k,), rtol=1e-11, atol=1e-13).y[0, -1]


@s2s.adjoint(solve)
def _(g, ans, k):
    return (g * (-1.0) * ans,)


@s2s.tangent(solve)
def _(tangents, ans, k):
    return -ans * tangents[0]


def decay_squared(k):
    return solve(k) ** 2 + k


def integrated_as_a_loop(k):  # the other advice: the integrator's steps (RK4) as a loop
    y, h = 1.0, 0.01
    for i in range(100):
        a = rhs(0.0, y, k)
        b = rhs(0.0, y + 0.5 * h * a, k)
        c = rhs(0.0, y + 0.5 * h * b, k)
        d = rhs(0.0, y + h * c, k)
        y = y + h / 6.0 * (a + 2.0 * b + 2.0 * c + d)
    return y


def test_the_advice_runs():
    k = 1.3
    exact = -2.0 * np.exp(-2.0 * k) + 1.0  # d/dk (exp(-k) ** 2 + k)
    value, gradient = s2s.value_and_grad(decay_squared)(k)
    assert value == pytest.approx(np.exp(-2.0 * k) + k, rel=1e-8)
    assert gradient == pytest.approx(exact, rel=1e-7)
    assert s2s.jvp(decay_squared)((k,), (1.0,))[1] == pytest.approx(exact, rel=1e-7)
    assert s2s.grad(integrated_as_a_loop)(k) == pytest.approx(-np.exp(-k), rel=1e-8)
    assert s2s.jvp(integrated_as_a_loop)((k,), (1.0,))[1] == pytest.approx(-np.exp(-k), rel=1e-8)


# ------------------------------------------------ P1: a state dict written key by key in a loop: O(1) per write

def dict_relax(x):
    st = {"a": x[0], "b": x[1] * 1.0, "c": x * 0.5}
    for t in range(4):
        st = dict(st)
        for key in st:
            st[key] = st[key] - 0.1 * x[2] * st[key] ** 2
    return st["a"] * st["b"] + np.sum(st["c"] ** 2)


def dict_relax_read_twice(x):  # each key read before and after its write, and the old dict read after the loop
    st = dict({"a": x[0], "b": x[1], "c": x[2]})
    old = st
    for t in range(3):
        old = dict(st)
        st = dict(st)
        for key in old:
            st[key] = np.sin(st[key]) + 0.3 * old["a"] * st[key]
        st["a"] = st["a"] + 0.2 * old["c"]
    return st["a"] + st["b"] * old["b"] + st["c"] ** 2


def dict_written_by_two_keys(x):
    st = {"p": x[0], "v": x[1]}
    for t in range(5):
        st = dict(st)
        st["v"] = st["v"] - 0.1 * x[2] * np.sin(st["p"])
        st["p"] = st["p"] + 0.1 * st["v"]
    return st["p"] ** 2 + st["v"]


@pytest.mark.parametrize("f", [dict_relax, dict_relax_read_twice, dict_written_by_two_keys])
def test_a_state_dict_written_key_by_key_is_exact(f):
    every_mode(f, X)


def test_a_dict_adjoint_add_at_made_is_zeroed_in_place():
    from s2s import runtime as rt
    x = {"a": 1.0, "b": np.ones(2)}
    acc = rt.add_at(rt.copy_adjoint(rt.zeros_like(x)), np.full(2, 2.0), x, "b")
    assert rt.zero_at(acc, "b") is acc and acc["b"] == 0.0  # (O(1): no copy of the dict)
    plain = rt.copy_adjoint({"a": 1.0, "b": np.ones(2)})
    zeroed = rt.zero_at(plain, "a")  # (a dict adjoint not of add_at's own may be shared: a new one)
    assert zeroed is not plain and plain["a"] == 1.0 and zeroed["a"] == 0.0


def list_relax(x):  # the same on a list copied each step: its tangents written in place too
    st = [x[0], x[1] * 1.0, x * 0.5]
    for t in range(4):
        st = list(st)
        for j in range(len(st)):
            st[j] = st[j] - 0.1 * x[2] * st[j] ** 2
    return st[0] * st[1] + np.sum(st[2] ** 2)


def test_forward_mode_writes_a_copied_state_in_place():
    every_mode(list_relax, X)
    for f in (dict_relax, list_relax):
        source = s2s.jvp(f).source
        assert "setitem_adjoint" not in source and "setitem_tangent" not in source, source
        assert re.search(r"dst\w* = rt\.(dict_pairs_tangent|tangent_copy)\(dst", source), source
