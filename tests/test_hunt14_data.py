"""Round 14 fixes of data outside wrt and of dtypes (hunt14reg S2, S3, S4; hunt14opt dtype, M6).

S2: a parameter left at its default, a list, dict or tuple holding an np.matrix (`def f(x, Ws=WS)`), was refused by
grad and the reverse Jacobian, but the Hessian was silently wrong and jvp / the forward Jacobian crashed inside
np.matrix: the check of the call read the default from the generated forward function, which takes the tangents
after f's parameters and so has no defaults. Now every mode reads f's own defaults and refuses it at the user's line.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

pytestmark = pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian

with warnings.catch_warnings():
    warnings.simplefilter("ignore", PendingDeprecationWarning)
    MATRIX = np.matrix([[0.5, -1.0, 0.2], [1.1, 0.3, -0.4], [0.0, 0.7, 0.9]])
ARRAY = np.asarray(MATRIX)
X = np.array([0.4, -0.2, 0.9])
WS = [ARRAY, MATRIX]
D = {"W": MATRIX}
PLAIN_WS = [ARRAY, 2.0 * ARRAY]
PLAIN_D = {"W": ARRAY}


# ------------------------------------------------------------------ S2: a default holding an np.matrix
def list_default(x, Ws=WS):
    return np.sum(np.square(x * Ws[1]))


def dict_default(x, d=D):
    return np.sum(np.square(x * d["W"]))


def tuple_default(x, Ws=(ARRAY, MATRIX)):
    return np.sum(np.square(x * Ws[1]))


def loop_over_default(x, Ws=WS):
    s = 0.0
    for W in Ws:
        s = s + np.sum(np.square(x * W))
    return s


def index_loop_over_default(x, Ws=WS):
    s = 0.0
    for i in range(len(Ws)):
        s = s + np.sum(np.sin(x * Ws[i]))
    return s


def every_mode(f, x):
    """Each transformation of f called at x, by name."""
    e = np.eye(x.size)
    return {
        "grad": lambda: s2s.grad(f)(x),
        "value_and_grad": lambda: s2s.value_and_grad(f)(x),
        "vjp": lambda: s2s.vjp(f)(x)[1](1.0),
        "jvp": lambda: s2s.jvp(f)((x,), (e[0],)),
        "jacobian forward": lambda: s2s.jacobian(f, mode="forward")(x),
        "jacobian reverse": lambda: s2s.jacobian(f)(x),
        "hessian": lambda: s2s.hessian(f)(x),
        "jacobian of grad": lambda: s2s.jacobian(s2s.grad(f))(x),
        "forward jacobian of grad": lambda: s2s.jacobian(s2s.grad(f), mode="forward")(x),
    }


@pytest.mark.parametrize("f", [list_default, dict_default, tuple_default, loop_over_default,
                               index_loop_over_default])
def test_a_default_holding_a_matrix_is_refused_in_every_mode(f):
    """The reproducer: hessian [[-1.7 1.76 1.54] ...] against [[2.58 0.34 -1.04] ...]; jvp ValueError, forward
    jacobian TypeError from matrix.sum."""
    for mode, call in every_mode(f, X).items():
        with pytest.raises(s2s.S2SError, match="matrix") as info:
            call()
        assert "np.asarray" in str(info.value), mode
        assert f.__code__.co_filename in str(info.value), mode  # (at the user's line)


def plain_list_default(x, Ws=PLAIN_WS):
    s = 0.0
    for W in Ws:
        s = s + np.sum(np.sin(x * W))
    return s + np.sum(np.square(x * Ws[1]))


def plain_dict_default(x, d=PLAIN_D):
    return np.sum(np.square(x * d["W"])) + np.sum(np.cos(x @ d["W"]))


@pytest.mark.parametrize("f", [plain_list_default, plain_dict_default])
def test_a_default_of_arrays_is_exact_in_every_mode(f):
    check_every_mode(f, X)
    assert_close(s2s.jacobian(s2s.grad(f), mode="forward")(X), numeric_hessian(f, X), 1e-4, 1e-5)


def test_a_default_matrix_passed_as_an_array_by_the_call_is_exact():
    """The call passing the default's place replaces it: the check reads the argument passed."""
    for f in (list_default, loop_over_default):
        g = lambda x: f(x, PLAIN_WS)  # noqa: E731 (the reference)
        assert_close(s2s.grad(f)(X, PLAIN_WS), numeric_grad(g, (X,), 0))
        assert_close(s2s.jvp(f)((X, PLAIN_WS), (np.ones(3),))[1], np.sum(numeric_grad(g, (X,), 0)))
        assert_close(s2s.jacobian(f, mode="forward")(X, PLAIN_WS), numeric_grad(g, (X,), 0))
        assert_close(s2s.hessian(f)(X, PLAIN_WS), numeric_hessian(g, X), 1e-4, 1e-5)
