"""Functions whose generated gradient source is kept in tests/golden/ and compared exactly."""
import math

import numpy as np


def quickstart(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def mlp_layer(W, x, b):
    return np.sum(np.tanh(W @ x + b) ** 2)


def softplus_sum(x):
    return np.sum(np.log1p(np.exp(x)))


def rational(x, y):
    return (x * x + 1.0) / (y - 2.0) + x * y


def chain(x):
    y = math.sin(x)
    z = y * y + x
    return math.exp(z) / z


def broadcast_bias(x, b):
    return np.mean((x + b) ** 2)


def helper_user(x):
    return shifted_square(x, 1.5) + shifted_square(x, -0.5)


def shifted_square(v, c):
    return (v - c) ** 2


def soft_abs(x):
    if x > 0.0:
        y = x * x
    else:
        y = -x
    return y


def power_series(x, n):
    y = 1.0
    for i in range(n):
        y = y * x + 1.0
    return y


def grow_until(x):
    y = x
    for i in range(100):
        y = y * 1.5
        if y > 10.0:
            break
    return y


def newton_sqrt(a):
    x = a
    while abs(x * x - a) > 1e-12:
        x = 0.5 * (x + a / x)
    return x


def element_write_loop(x):
    n = x.shape[0]
    y = np.zeros(n)
    for i in range(n):
        y[i] = np.sin(x[i])
    return np.sum(y * y)


def rnn(W, U, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def dense_batch(X, W):
    return np.sum(np.exp(X @ W))


import s2s  # noqa: E402  (below the older functions: their golden files cite their line numbers)


def nested_helper(w, x):
    def activation(z):
        return z * np.tanh(z)
    scale = lambda v: 0.5 * v  # noqa: E731
    return np.sum(scale(activation(w * x)))


def comprehension(ws, x):
    terms = [np.sin(w * x) for w in ws if w > 0.0]
    return sum(terms)


def log_density(theta):
    return -0.5 * np.sum(theta ** 2) - np.sum(np.log1p(theta ** 2))


def gradient_called_inside(theta):
    g = s2s.grad(log_density)(theta)
    return log_density(theta + 0.1 * g)


def scatter_add_loop(w, edges):
    """Each edge's pair of opposite forces added at its two nodes (np.add.at: a node two edges share adds both)."""
    f = np.zeros(4)
    for k in range(len(w)):
        np.add.at(f, edges[k], w[k] * np.array([1.0, -1.0]))
    return np.sum(f ** 2)


def trajectory(y0, k):
    """Euler steps kept in a list, each reading the last (issue 13): the list grows in place, the sweep saves the items
    read, and the reversed loop cuts the list's adjoint back in place (ad/grown_lists.py)."""
    ys = [y0]
    for i in range(20):
        ys.append(ys[-1] + 0.1 * np.sin(ys[-1]) * k)
    return np.sum(ys[-1] ** 2)


def sine_rnn_state(W, h0):
    """The gradient in the starting state alone (issue 13): `np.sin(h) @ W` is read in the reversed loop only for
    its shape (the adjoint of np.sin(h) itself), taken from the h saved: np.sin(h) is not computed again."""
    h = h0
    for t in range(6):
        h = np.sin(h) @ W
    return np.sum(h * h)


def hmm_forward(log_A, log_B, log_pi, obs):
    """An HMM's log-likelihood by the forward algorithm, shifted by each step's maximum (issue 13): no shape of
    `np.log(s @ A) + m` saved per step (the reversed loop has s @ A), A = np.exp(log_A) computed once."""
    A = np.exp(log_A)
    alpha = log_pi + log_B[:, obs[0]]
    for t in range(1, len(obs)):
        m = np.max(alpha)
        alpha = np.log(np.exp(alpha - m) @ A) + m + log_B[:, obs[t]]
    m = np.max(alpha)
    return m + np.log(np.sum(np.exp(alpha - m)))


def messages(x):
    """A dict of messages written at keys known as the code runs (issue 13): no float-array check for a dict."""
    msgs = {}
    for i in range(3):
        msgs[i] = x * float(i + 1)
    total = 0.0
    for i in range(3):
        total = total + np.sum(np.sin(msgs[i]))
    return total


def rnn_cell(h, W, x):
    return np.tanh(W @ h + W @ x)


def checkpointed_rnn(W, h0, xs):
    """A checkpointed step (issue 13): its pullback gives the adjoints the loop reads (h's, W's: `wanted`), not
    the adjoint of the data xs[t]."""
    h = h0
    for t in range(xs.shape[0]):
        h = s2s.checkpoint(rnn_cell)(h, W, xs[t])
    return np.sum(h * h)


GOLDEN = [
    ("quickstart", quickstart, (0, 1)),
    ("mlp_layer", mlp_layer, 0),
    ("softplus_sum", softplus_sum, 0),
    ("rational", rational, (0, 1)),
    ("chain", chain, 0),
    ("broadcast_bias", broadcast_bias, (0, 1)),
    ("helper_user", helper_user, 0),
    ("soft_abs", soft_abs, 0),
    ("power_series", power_series, 0),
    ("grow_until", grow_until, 0),
    ("newton_sqrt", newton_sqrt, 0),
    ("element_write_loop", element_write_loop, 0),
    ("rnn", rnn, (0, 1)),
    ("dense_batch", dense_batch, (0, 1)),
    ("nested_helper", nested_helper, (0, 1)),
    ("comprehension", comprehension, 1),
    ("gradient_called_inside", gradient_called_inside, 0),
    ("scatter_add_loop", scatter_add_loop, 0),
    ("trajectory", trajectory, (0, 1)),
    ("sine_rnn_state", sine_rnn_state, 1),
    ("hmm_forward", hmm_forward, (0, 1, 2)),
    ("messages", messages, 0),
    ("checkpointed_rnn", checkpointed_rnn, 0),
]
