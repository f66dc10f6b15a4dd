"""Explicit ports of workloads whose shared NumPy text cannot run on a peer.

JAX arrays are immutable: `y[i] = v` raises, so for JAX the element writes are
written `y = y.at[i].set(v)`, otherwise line for line the same as in
`workloads.py`. The runner executes this file inside its copy of
`workloads.py` whose `np` is `jax.numpy`, so `np` and `lstm_model` below are
that copy's: the imports below are for readers and linters only.
"""
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from .workloads import lstm_model


def element_loop_at_set(x):
    n = x.shape[0]
    y = np.zeros(n)
    for i in range(n):
        y = y.at[i].set(np.sin(x[i]))
    return np.sum(y * y)


def lstm_predict_at_set(w, w2, state, x):
    x = x * w2[0]
    new_state = np.zeros(state.shape)
    for i in range(0, state.shape[0], 2):
        hidden, cell = lstm_model(w[i], w[i + 1], state[i], state[i + 1], x)
        x = hidden
        new_state = new_state.at[i].set(hidden)
        new_state = new_state.at[i + 1].set(cell)
    return x * w2[1] + w2[2], new_state


def lstm_objective_at_set(main_params, extra_params, state, sequence):
    total = 0.0
    count = 0
    inp = sequence[0]
    for t in range(sequence.shape[0] - 1):
        ypred, state = lstm_predict_at_set(main_params, extra_params, state, inp)
        ynorm = ypred - np.log(np.sum(np.exp(ypred)) + 2.0)
        ygold = sequence[t + 1]
        total = total + np.sum(ygold * ynorm)
        count = count + ygold.shape[0]
        inp = ygold
    return -total / count
