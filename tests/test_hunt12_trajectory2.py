"""Trajectories appended under an if/else or twice per iteration (hunt12reg F6), and the refusal of reverse mode
over the stacks of a gradient called in a loop, which named a variable s2s made (hunt12reg F11)."""
import numpy as np
import pytest

import s2s
from s2s.errors import S2SError


def loss(w, X, y):
    tot = 0.0
    for i in range(X.shape[0]):
        tot = tot + (np.tanh(X[i] @ w) - y[i]) ** 2
    return tot / X.shape[0]


def sgd(w, X, y):
    for k in range(3):
        w = w - 0.1 * s2s.grad(loss)(w, X, y)
    return loss(w, X, y)


def test_refusal_of_vjp_over_an_unrolled_sgd_loop_names_the_users_loop():
    rs = np.random.RandomState(0)
    X, y, w = rs.randn(5, 4), rs.randn(5), rs.randn(4) * 0.1
    with pytest.raises(S2SError) as info:
        s2s.vjp(sgd)(w, X, y)
    text = str(info.value)
    assert "_saved" not in text and "'t6" not in text, text
    assert "the loop 'for i in range(X.shape[0]):' of loss" in text, text
    assert "w = w - 0.1 * s2s.grad(loss)(w, X, y)" in text and "forward mode" in text, text
