"""The corpus: small functions, each with arguments, differentiated in the tests."""
import math

import numpy
import numpy as np
from math import tanh as math_tanh
from numpy import tanh

R = np.random.default_rng(42)
A3 = R.normal(size=(3, 3))
V3 = R.normal(size=3)
M34 = R.normal(size=(3, 4))


# ---------------------------------------------------------------- straight-line code

def quickstart(x1, x2):
    return math.log(x1) + x1 * x2 - math.sin(x2)


def poly(x):
    return 3.0 * x ** 3 - 2.0 * x ** 2 + x - 7.0


def quotient(x, y):
    return (x + 1.0) / (y * y + 1.0)


def unary_ops(x):
    return -x + (+x) * 2.0 - abs(x)


def math_mix(x):
    return math.exp(x) * math.cos(x) + math.sqrt(x) - math.log10(x) + math.log2(x)


def math_trig(x):
    return math.tan(x) + math.asin(x / 2.0) + math.acos(x / 3.0) + math.atan(x)


def math_hyper(x):
    return math.sinh(x) + math.cosh(x) * math.tanh(x)


def math_two_args(x, y):
    return math.atan2(y, x) + math.hypot(x, y) + math.pow(x, y) + math.log(x, y)


def math_logs(x):
    return math.log1p(x) + math.expm1(x) + math.fabs(x - 3.0)


def aliases(x):
    return numpy.tanh(x) + tanh(x) + math_tanh(x) + np.tanh(x)


def reuse(x):
    y = x * x
    z = y * y
    return z + y + x


def reassign(x):
    y = x
    y = y * 2.0
    y = y + x
    y = math.sin(y)
    return y


def augmented(x):
    y = x
    y += 1.0
    y *= x
    y -= 0.5
    y /= 2.0
    y **= 2
    return y


def tuple_swap(x, y):
    a, b = x, y
    a, b = b, a
    return a * 2.0 + b


def modulo_floordiv(x):
    return x % 1.5 + x // 2.0 + x


def const_global(x):
    return math.pi * x + math.e


def np_elementwise(x):
    return np.sum(np.exp(x) + np.log(x) + np.sqrt(x) + np.sin(x) * np.cos(x))


def np_more(x):
    return np.sum(np.arctan(x) + np.arcsin(x / 3.0) + np.arccos(x / 3.0) + np.sinh(x) + np.cosh(x) + np.tan(x))


def np_logs(x):
    return np.sum(np.log1p(x) + np.expm1(x) + np.log2(x) + np.log10(x) + np.exp2(x))


def np_power(x):
    return np.sum(np.power(x, 3) + np.square(x) + np.reciprocal(x) + np.negative(x) + x ** 0.5)


def np_binary(x, y):
    return np.sum(np.maximum(x, y) + np.minimum(x, 2.0 * y) + np.arctan2(x, y) + np.hypot(x, y))


def np_select(x):
    return np.sum(np.where(x > 0.5, x * x, -x) + np.clip(x, 0.2, 0.8) + np.abs(x - 0.5))


def np_reductions(x):
    return np.mean(x * x) + np.sum(x, axis=0)[1] + np.mean(np.sum(x, axis=1))


def np_linear(W, x):
    return np.sum(np.dot(W, x) + W @ x + np.matmul(W, x))


def np_outer(x, y):
    return np.sum(np.outer(x, y) * A3)


def np_shapes(x):
    return np.sum(np.reshape(x, (4, 3)) @ V3 + np.transpose(x).T.sum() + x.T[:, 0] * 2.0)


def np_methods(x):
    return x.sum() + x.mean() * 3.0 + x.reshape(12).dot(np.ones(12)) + x.ravel()[3]


def broadcasting(x, b):
    return np.sum(np.tanh(x + b) * b)


def scalar_times_array(s, x):
    return np.sum(s * x + s)


def mlp_layer(W, x, b):
    return np.sum(np.tanh(W @ x + b) ** 2)


def indexing(x):
    return x[0, 1] * x[2, -1] + np.sum(x[1]) + np.sum(x[:, 1:3]) + np.sum(x[::-1, 0]) + np.sum(x[None, 0, ...])


IDX = np.array([0, 2, 2])


def fancy_indexing(x):
    return np.sum(x[IDX]) + np.sum(x[x > 0.0])


def helper(a, b):
    return a * math.sin(b)


def calls_helper(x, y):
    return helper(x, y) + helper(y, x)


def sign_floor(x):
    return np.sum(np.sign(x) * x + np.floor(x))


STRAIGHT = [
    (quickstart, (2.0, 3.0), (0, 1)),
    (poly, (1.3,), 0),
    (quotient, (0.7, 1.9), (0, 1)),
    (unary_ops, (-1.2,), 0),
    (math_mix, (0.8,), 0),
    (math_trig, (0.4,), 0),
    (math_hyper, (0.6,), 0),
    (math_two_args, (1.3, 2.1), (0, 1)),
    (math_logs, (0.9,), 0),
    (aliases, (0.3,), 0),
    (reuse, (1.1,), 0),
    (reassign, (0.7,), 0),
    (augmented, (1.4,), 0),
    (tuple_swap, (1.5, -0.5), (0, 1)),
    (modulo_floordiv, (2.3,), 0),
    (const_global, (1.2,), 0),
    (np_elementwise, (R.uniform(0.5, 1.5, size=(3, 2)),), 0),
    (np_more, (R.uniform(-0.9, 0.9, size=4),), 0),
    (np_logs, (R.uniform(0.5, 1.5, size=4),), 0),
    (np_power, (R.uniform(0.5, 1.5, size=(2, 3)),), 0),
    (np_binary, (R.normal(size=4), R.uniform(0.5, 1.0, size=4)), (0, 1)),
    (np_select, (R.uniform(0, 1, size=7),), 0),
    (np_reductions, (R.normal(size=(3, 4)),), 0),
    (np_linear, (A3, V3), (0, 1)),
    (np_outer, (V3, R.normal(size=3)), (0, 1)),
    (np_shapes, (M34,), 0),
    (np_methods, (M34,), 0),
    (broadcasting, (R.normal(size=(4, 3)), R.normal(size=3)), (0, 1)),
    (scalar_times_array, (1.7, R.normal(size=5)), (0, 1)),
    (mlp_layer, (R.normal(size=(5, 4)), R.normal(size=4), R.normal(size=5)), (0, 1, 2)),
    (indexing, (R.normal(size=(3, 4)),), 0),
    (fancy_indexing, (R.normal(size=5),), 0),
    (calls_helper, (0.8, 1.3), (0, 1)),
    (sign_floor, (R.normal(size=5) * 3.0,), 0),
]
