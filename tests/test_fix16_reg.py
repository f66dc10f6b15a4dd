"""Round 16 fixes of what the regression hunt found (fix16reg).

S1: an in-place operator whose result NumPy cannot cast back into the array by the rule 'same_kind' (`a =
np.arange(3); a -= 0.5 * x`, an item loop's `p -= 0.5 * x` over integer arrays, `v *= x` of a dict's items) raised
NumPy's UFuncTypeError in NumPy and gave a value and a derivative in s2s: the operator's result is checked as an
element write's is (rt.augmented) wherever s2s cannot tell that the array holds floats.

R1: CSE merged two equal new arrays a container holds (`[np.zeros_like(x), np.zeros_like(x)]`, an Adam state
`{'m': np.zeros(3), 'v': np.zeros(3)}`), so an in-place change of one item was refused as one array stored twice.

R4, R5: the optimizer step written as a helper (`sgd_step(params, grads, lr)`) was refused, and an append after an
item loop (`ps.append(x)`) was refused as another name holding the list: the list the loop makes anew is a version
of the one it replaces (lists.py hand_over), and a helper given a list its caller holds by one name makes it anew.

R2, R3: `params = [p.copy() for p in params]` rebinding the parameter's name, zip(..., strict=True),
`enumerate(zip(...))` and a deep copy's `.values()` were refused; zip of a shorter list silently dropped the
longer list's last items (`for p, g in zip(ps, gs)` with fewer gs: NumPy keeps them).
"""
from __future__ import annotations

import copy

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian

X = np.array([0.9, 0.2, -0.5])


def _transformations(f):
    """Each transformation of f, as a function of x."""
    return {
        "value_and_grad": lambda x: s2s.value_and_grad(f)(x),
        "grad": lambda x: s2s.grad(f)(x),
        "vjp": lambda x: s2s.vjp(f)(x)[1](1.0),
        "jvp": lambda x: s2s.jvp(f)((x,), (np.ones_like(x),)),
        "jacobian": lambda x: s2s.jacobian(f)(x),
        "jacobian forward": lambda x: s2s.jacobian(f, mode="forward")(x),
        "hessian": lambda x: s2s.hessian(f)(x),
    }


def _raises_as_numpy(f):
    with pytest.raises(TypeError) as numpy_error:
        f(X.copy())
    for name, run in _transformations(f).items():
        x = X.copy()
        with pytest.raises((TypeError, s2s.S2SError)) as ours:
            run(x)
        if isinstance(ours.value, s2s.S2SError):  # (refused: an array of integers whose elements the loop writes)
            assert "make 'a' an array of floats" in str(ours.value), name
        else:
            assert type(ours.value) is type(numpy_error.value) and "same_kind" in str(ours.value), name
        assert np.array_equal(x, X), name


# ------------------------------------------------------------------ R1: equal new arrays a container holds, kept two
def adam_state(x):
    st = {'m': np.zeros(3), 'v': np.zeros(3)}
    st['m'] += x
    st['v'] += x * x
    return np.sum(st['m'] * st['v'])


def momenta(x):
    mom = [np.zeros_like(x), np.zeros_like(x)]
    for m in mom:
        m += x
    return np.sum(mom[0] * mom[1])


def copies(x):
    ps = [x.copy(), x.copy()]
    for p in ps:
        p -= 0.1 * x
    return np.sum(ps[0] * ps[1])


def scaled(x):
    ps = [x * 1.0, x * 1.0]
    for p in ps:
        p *= x
    return np.sum(ps[0] + ps[1])


def appended_zeros(x):
    ps = []
    ps.append(np.ones(3))
    ps.append(np.ones(3))
    ps[0] *= x
    return np.sum(ps[0] * ps[1] + ps[0])


@pytest.mark.parametrize("f", [adam_state, momenta, copies, scaled, appended_zeros])
def test_equal_new_arrays_held_by_a_container_stay_two(f):
    check_every_mode(f, X, exact=True)
    assert "[t1, t1]" not in s2s.grad(f).source
