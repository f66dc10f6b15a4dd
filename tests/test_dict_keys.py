"""Keys written into a copy of a dict argument: `{**p, "w": v}`, `q = dict(p); q["c"] = v` with a key p lacks.

Before: the display was refused, and a write of a new key crashed inside the gradient (KeyError: the reverse
sweep saved the key's old value with np.copy(q['c'])). Derivatives are checked against finite differences."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

P = {"w": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])}
X = np.array([0.5, 0.25])


def sgd_steps(p, x):
    for _ in range(3):
        p = {**p, "w": p["w"] - 0.1 * p["w"] * x}
    return np.sum(p["w"] ** 2 * p["b"])


def display_named_like_a_variable(p, d):
    q = np.sum({**p, "w": d * 2.0}["w"]) + d[0]  # (the display's writes do not rebind the user's d)
    return q * np.sum(p["b"] * d)


def values_read_before_the_writes(q, v):
    q = {**q, "w": q["w"] * v, "c": q["b"] + v}  # (q["w"] and q["b"] are the argument's)
    return np.sum(q["w"] * q["c"]) + np.sum(np.sin(q["b"]))


def new_key_after_a_read(p, v):
    q = dict(p)
    s = np.sum(q["w"] * q["b"])
    q["w"] = v
    q["c"] = v * 2.0
    return s + np.sum(q["w"] ** 2) + np.sum(q["c"])


def new_key_in_a_copy(p, v):
    q = p.copy()
    s = np.sum(q["w"] * q["b"])
    q["c"] = v * q["w"]
    return s * np.sum(q["c"])


def _along(f, p, x, key):
    return lambda v: f({**p, key: v}, x)


@pytest.mark.parametrize("f", [sgd_steps, display_named_like_a_variable, values_read_before_the_writes,
                               new_key_after_a_read, new_key_in_a_copy])
def test_keys_written_into_a_copy_of_a_dict_argument(f):
    x = X if f is not new_key_after_a_read else np.array([0.5, 0.25, 2.0])
    p = {k: v.copy() for k, v in P.items()}
    gp, gx = s2s.grad(f, wrt=(0, 1))(p, x)
    assert sorted(gp) == ["b", "w"]
    for key in P:
        assert_close(gp[key], numeric_grad(_along(f, P, x, key), (P[key],), 0), what=key)
    dx = numeric_grad(lambda z: f(P, z), (x,), 0)
    assert_close(gx, dx, what="x")
    value, _ = s2s.value_and_grad(f, wrt=1)(p, x)
    assert value == f(P, x)
    t = np.linspace(1.0, -1.0, x.size)
    assert_close(s2s.jvp(f, wrt=1)((p, x), (t,))[1], dx @ t, what="jvp")
    hessians = [s2s.hessian(f, wrt=1)(p, x), s2s.jacobian(s2s.grad(f, wrt=1), wrt=1, mode="reverse")(p, x)]
    expected = np.array([numeric_grad(lambda z: s2s.grad(f, wrt=1)(P, z)[i], (x,), 0) for i in range(x.size)])
    for h in hessians:
        assert_close(h, expected, 1e-4, 1e-5, what="hessian")
    assert all(np.array_equal(p[k], P[k]) for k in P) and sorted(p) == ["b", "w"]


def test_a_key_written_into_a_dict_a_loop_carries_is_exact():
    """(refused, advising the spread display, until fix18dictw)"""
    def loop_key_write(p, v):
        q = {"w": p["w"], "b": p["b"]}
        for _ in range(3):
            q["w"] = q["w"] * v + q["b"]
        return np.sum(q["w"])

    assert_close(s2s.grad(loop_key_write, wrt=1)(P, X), numeric_grad(lambda v: loop_key_write(P, v), (X,), 0))
    gp = s2s.grad(loop_key_write)(P, X)
    for key in P:
        assert_close(gp[key], numeric_grad(_along(loop_key_write, P, X, key), (P[key],), 0), what=key)


def test_a_key_written_into_a_copy_a_loop_carries():
    """`q = dict(p)` (keys known only at run time, as a deep copy's) written by key in a loop: exact (refused as a
    display was until fix14deep)."""
    def loop_key_write(p, v):
        q = dict(p)
        for _ in range(3):
            q["w"] = q["w"] * v + q["b"]
        return np.sum(q["w"])

    assert_close(s2s.grad(loop_key_write, wrt=1)(P, X), numeric_grad(lambda v: loop_key_write(P, v), (X,), 0))
    gp = s2s.grad(loop_key_write)(P, X)
    for key in P:
        assert_close(gp[key], numeric_grad(_along(loop_key_write, P, X, key), (P[key],), 0), what=key)
    check_every_mode(lambda v: loop_key_write(P, v), X)
