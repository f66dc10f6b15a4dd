"""Functions `tests/test_graph.py` draws (s2s reads source from files)."""
import math

import numpy as np


def quickstart(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def running_product(x, n):
    p = 1.0
    for i in range(n):
        p = p * (x + i)
    return p


def branch(x):
    if x > 0.0:
        y = x * x
    else:
        y = -x
    return np.sin(y) * x


def newton_sqrt(a):
    x = a
    k = 0
    while k < 20:
        x_new = 0.5 * (x + a / x)
        if abs(x_new - x) < 1e-12:
            break
        x = x_new
        k += 1
    return x


def element_writes(x, n):
    y = np.zeros(n)
    for i in range(n):
        y[i] = np.sin(x[i]) * x[i]
    return np.sum(y * y)


def mlp(w1, b1, w2, x, y):
    h = np.tanh(x @ w1 + b1)
    out = h @ w2
    return np.mean((out - y) ** 2)


def t1_is_mine(t1, x):
    t2 = t1 * x
    return t2 - x


def polar(r, theta):
    return r * np.cos(theta), r * np.sin(theta)


def conv1d(signal, kernel):
    width = kernel.shape[0]
    out = np.zeros(signal.shape[0] - width + 1)
    for i in range(out.shape[0]):
        for j in range(width):
            out[i] += signal[i + j] * kernel[j]
    return np.sum(out * out)
