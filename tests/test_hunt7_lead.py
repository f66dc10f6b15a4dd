"""Round seven of the bug hunts (docs/testing.md): what the lead engineer fixed, each against finite differences
or an analytic value."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


def log_it(v):
    pass


def calls_helpers_without_a_return(xs):
    def psi(u):
        pass
    prev = psi(abs(xs))
    note = log_it(xs)
    return np.sum(xs ** 2) + (1.0 if prev is None and note is None else 0.0)


def test_a_helper_without_a_return_called_for_its_value_returns_none():
    """Fuzz seed 1405055: `prev = psi(abs(e))` of a nested `def psi(u): pass` was refused ("a function that does
    not return a value on every path"); Python binds None, as it does for a module-level helper."""
    xs = np.array([0.5, -1.0, 2.0])
    value, g = s2s.value_and_grad(calls_helpers_without_a_return)(xs)
    assert_close(value, calls_helpers_without_a_return(xs), what="value")
    assert_close(g, numeric_grad(calls_helpers_without_a_return, (xs,), 0), what="gradient")
    _, t = s2s.jvp(calls_helpers_without_a_return)((xs,), (np.ones(3),))
    assert_close(t, np.sum(2.0 * xs), what="tangent")


def returns_on_one_path_only(x):
    def half(u):
        if u > 0:
            return u
    return half(x)


def test_a_helper_that_returns_a_value_on_some_paths_only_is_still_refused():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="does not return a value on every path"):
        s2s.grad(returns_on_one_path_only)(1.0)
