"""One small function per derivative-rule key, with inputs inside the key's domain.

`CASES` holds (key, function, args, wrt): the function applies the primitive
`key` to its arguments, `wrt` lists the positions that carry a derivative.
Inputs stay away from kinks (abs, max, clip, mod) so that central finite
differences are accurate.
"""
import math

import numpy as np

R = np.random.default_rng(20)
V = R.normal(size=4)
W = R.normal(size=4)
P = R.uniform(0.5, 2.0, size=4)  # positive
Q = R.uniform(0.5, 2.0, size=4)
U = R.uniform(-0.8, 0.8, size=4)  # inside (-1, 1)
M23 = R.normal(size=(2, 3))
M34 = R.normal(size=(3, 4))
M32 = R.normal(size=(3, 2))
SEP = np.array([-1.5, -0.4, 0.3, 1.2])  # away from 0 and from each other's neighbours
LO, HI = np.full(4, -1.0), np.full(4, 1.0)
CLIPPED = np.array([-1.6, -0.2, 0.5, 1.7])

CASES = [
    # ------------------------------------------------------------ arithmetic operators
    ("add", lambda x, y: x + y, (V, W), (0, 1)),
    ("add", lambda x, y: x + y, (M23, 0.7), (0, 1)),
    ("add", lambda x, y: x + y, (0.7, M23), (0, 1)),
    ("sub", lambda x, y: x - y, (V, W), (0, 1)),
    ("sub", lambda x, y: x - y, (1.3, M23), (0, 1)),
    ("mul", lambda x, y: x * y, (V, W), (0, 1)),
    ("mul", lambda x, y: x * y, (M23, V[:3]), (0, 1)),
    ("truediv", lambda x, y: x / y, (V, P), (0, 1)),
    ("pow", lambda x, y: x ** y, (P, V), (0, 1)),
    ("pow", lambda x: x ** 3, (V,), 0),
    ("mod", lambda x, y: x % y, (5.3, 2.1), (0, 1)),
    ("neg", lambda x: -x, (V,), 0),
    ("pos", lambda x: +x, (V,), 0),
    ("matmul", lambda a, b: a @ b, (M23, M34), (0, 1)),
    ("matmul", lambda a, b: a @ b, (M34, V), (0, 1)),
    # ------------------------------------------------------------ builtins
    ("builtins.abs", lambda x: abs(x), (-1.3,), 0),
    ("builtins.float", lambda x: float(x) * x, (1.7,), 0),
    ("builtins.max", lambda x, y: max(x, y), (0.4, -0.3), (0, 1)),
    ("builtins.max", lambda x, y: max(x, y), (-0.4, 0.3), (0, 1)),
    ("builtins.min", lambda x, y: min(x, y), (0.4, -0.3), (0, 1)),
    ("builtins.min", lambda x, y: min(x, y), (-0.4, 0.3), (0, 1)),
    # ------------------------------------------------------------ structure
    ("getitem", lambda x: x[1:3], (V,), 0),
    ("getitem", lambda x: x[1, 2], (M34,), 0),
    ("getitem", lambda x: x[:, 1], (M34,), 0),
    # ------------------------------------------------------------ math
    ("math.exp", lambda x: math.exp(x), (0.7,), 0),
    ("math.expm1", lambda x: math.expm1(x), (0.7,), 0),
    ("math.log", lambda x: math.log(x), (1.7,), 0),
    ("math.log", lambda x, b: math.log(x, b), (1.7, 3.0), (0, 1)),
    ("math.log2", lambda x: math.log2(x), (1.7,), 0),
    ("math.log10", lambda x: math.log10(x), (1.7,), 0),
    ("math.log1p", lambda x: math.log1p(x), (0.7,), 0),
    ("math.sqrt", lambda x: math.sqrt(x), (1.7,), 0),
    ("math.pow", lambda x, y: math.pow(x, y), (1.7, 0.6), (0, 1)),
    ("math.sin", lambda x: math.sin(x), (0.7,), 0),
    ("math.cos", lambda x: math.cos(x), (0.7,), 0),
    ("math.tan", lambda x: math.tan(x), (0.7,), 0),
    ("math.asin", lambda x: math.asin(x), (0.4,), 0),
    ("math.acos", lambda x: math.acos(x), (0.4,), 0),
    ("math.atan", lambda x: math.atan(x), (0.4,), 0),
    ("math.atan2", lambda y, x: math.atan2(y, x), (0.4, -1.3), (0, 1)),
    ("math.hypot", lambda x, y: math.hypot(x, y), (0.4, -1.3), (0, 1)),
    ("math.sinh", lambda x: math.sinh(x), (0.7,), 0),
    ("math.cosh", lambda x: math.cosh(x), (0.7,), 0),
    ("math.tanh", lambda x: math.tanh(x), (0.7,), 0),
    ("math.fabs", lambda x: math.fabs(x), (-0.7,), 0),
    # ------------------------------------------------------------ numpy arithmetic
    ("numpy.add", lambda x, y: np.add(x, y), (M23, V[:3]), (0, 1)),
    ("numpy.subtract", lambda x, y: np.subtract(x, y), (M23, V[:3]), (0, 1)),
    ("numpy.multiply", lambda x, y: np.multiply(x, y), (V, W), (0, 1)),
    ("numpy.divide", lambda x, y: np.divide(x, y), (V, P), (0, 1)),
    ("numpy.negative", lambda x: np.negative(x), (V,), 0),
    ("numpy.power", lambda x, y: np.power(x, y), (P, V), (0, 1)),
    ("numpy.square", lambda x: np.square(x), (V,), 0),
    ("numpy.reciprocal", lambda x: np.reciprocal(x), (P,), 0),
    ("numpy.abs", lambda x: np.abs(x), (SEP,), 0),
    ("numpy.absolute", lambda x: np.absolute(x), (SEP,), 0),
    ("numpy.float64", lambda x: np.float64(x) * x, (1.3,), 0),
    # ------------------------------------------------------------ numpy exponentials and logarithms
    ("numpy.exp", lambda x: np.exp(x), (V,), 0),
    ("numpy.exp2", lambda x: np.exp2(x), (V,), 0),
    ("numpy.expm1", lambda x: np.expm1(x), (V,), 0),
    ("numpy.log", lambda x: np.log(x), (P,), 0),
    ("numpy.log2", lambda x: np.log2(x), (P,), 0),
    ("numpy.log10", lambda x: np.log10(x), (P,), 0),
    ("numpy.log1p", lambda x: np.log1p(x), (P,), 0),
    ("numpy.sqrt", lambda x: np.sqrt(x), (P,), 0),
    # ------------------------------------------------------------ numpy trigonometric and hyperbolic
    ("numpy.sin", lambda x: np.sin(x), (V,), 0),
    ("numpy.cos", lambda x: np.cos(x), (V,), 0),
    ("numpy.tan", lambda x: np.tan(x), (U,), 0),
    ("numpy.arcsin", lambda x: np.arcsin(x), (U,), 0),
    ("numpy.arccos", lambda x: np.arccos(x), (U,), 0),
    ("numpy.arctan", lambda x: np.arctan(x), (V,), 0),
    ("numpy.arctan2", lambda y, x: np.arctan2(y, x), (V, W), (0, 1)),
    ("numpy.hypot", lambda x, y: np.hypot(x, y), (V, W), (0, 1)),
    ("numpy.sinh", lambda x: np.sinh(x), (V,), 0),
    ("numpy.cosh", lambda x: np.cosh(x), (V,), 0),
    ("numpy.tanh", lambda x: np.tanh(x), (V,), 0),
    # ------------------------------------------------------------ numpy selection
    ("numpy.maximum", lambda x, y: np.maximum(x, y), (SEP, SEP[::-1]), (0, 1)),
    ("numpy.minimum", lambda x, y: np.minimum(x, y), (SEP, SEP[::-1]), (0, 1)),
    ("numpy.where", lambda x, y: np.where(x > 0.0, x, y), (SEP, W), (0, 1)),
    ("numpy.clip", lambda x, lo, hi: np.clip(x, lo, hi), (CLIPPED, LO, HI), (0, 1, 2)),
    # ------------------------------------------------------------ numpy reductions
    ("numpy.sum", lambda x: np.sum(x), (M34,), 0),
    ("numpy.sum", lambda x: np.sum(x, axis=1), (M34,), 0),
    ("numpy.sum", lambda x: np.sum(x, axis=0, keepdims=True), (M34,), 0),
    ("numpy.mean", lambda x: np.mean(x), (M34,), 0),
    ("numpy.mean", lambda x: np.mean(x, axis=1), (M34,), 0),
    # ------------------------------------------------------------ numpy products
    ("numpy.dot", lambda a, b: np.dot(a, b), (V, W), (0, 1)),
    ("numpy.dot", lambda a, b: np.dot(a, b), (M23, M34), (0, 1)),
    ("numpy.matmul", lambda a, b: np.matmul(a, b), (M23, M34), (0, 1)),
    ("numpy.outer", lambda a, b: np.outer(a, b), (V, W[:3]), (0, 1)),
    # ------------------------------------------------------------ numpy shape
    ("numpy.transpose", lambda x: np.transpose(x), (M34,), 0),
    ("numpy.reshape", lambda x: np.reshape(x, (6, 2)), (M34,), 0),
    ("numpy.ravel", lambda x: np.ravel(x), (M34,), 0),
]
