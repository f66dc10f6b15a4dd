"""NumPy edges: 0-d arrays, broadcasting both ways, keepdims, axis=-1, where, maximum, float32, ints."""
import numpy as np

from .case import exact, refused

X3 = np.array([0.7, -1.3, 2.1])
M23 = np.array([[0.6, -1.2, 0.9], [1.4, 0.3, -0.7]])


@exact(np.array(1.3))
def zero_d_array_argument(x):
    return x * x * np.sin(x)


@exact(np.array(0.8), X3)
def zero_d_times_vector(a, x):
    return np.sum(a * x * x)


@exact(X3)
def zero_d_array_made_inside(x):
    s = np.array(0.5)
    s = s + np.sum(x)
    return s * s


@exact(M23, np.array([1.5, -0.5, 0.25]))
def broadcast_row_over_matrix(m, r):
    return np.sum((m - r) ** 2)


@exact(M23, np.array([[2.0], [0.5]]))
def broadcast_column_over_matrix(m, c):
    return np.sum(m * c * c)


@exact(np.array([[0.3], [1.2]]), np.array([0.5, -1.1, 0.7]))
def broadcast_outer_both_ways(c, r):
    return np.sum(np.tanh(c * r))


@exact(M23)
def keepdims_normalise(m):
    z = m - np.mean(m, axis=1, keepdims=True)
    return np.sum(z * z * m)


@exact(M23)
def axis_minus_one(m):
    s = np.sum(m * m, axis=-1)
    return np.sum(s * np.arange(2.0))


@exact(M23)
def softmax_last_axis(m):
    e = np.exp(m - np.max(m, axis=-1, keepdims=True))
    p = e / np.sum(e, axis=-1, keepdims=True)
    return np.sum(p * np.array([1.0, 2.0, 3.0]))


@exact(X3)
def where_selects(x):
    return np.sum(np.where(x > 0.0, x * x, -x * 3.0))


@exact(X3, np.array([0.2, 0.9, -1.0]))
def maximum_away_from_ties(x, y):
    return np.sum(np.maximum(x, y) * np.minimum(x, y * 2.0))


@exact(np.array([[0.4, -0.9, 1.3]]))
def reduction_over_length_one_axis(m):
    s = np.sum(m, axis=0)
    return np.sum(s * s) + np.mean(m, axis=0)[1]


@exact(np.array([[0.4], [1.7]]))
def max_over_length_one_axis(m):
    return np.sum(np.max(m, axis=1) * m[:, 0])


@exact(np.array([0.7, -1.3, 2.1], dtype=np.float32), rtol=1e-3, atol=1e-4)
def float32_input(x):
    return np.sum(x * x * x)


@exact(np.array([1.5, 2.5], dtype=np.float32), 0.5, rtol=1e-3, atol=1e-4)
def float32_with_float64_scalar(x, a):
    return np.sum(np.exp(a * x))


@exact(np.array([1, 2, 3]), np.array([0.5, 0.25, 2.0]))
def integer_array_not_differentiated(k, w):
    return np.sum(k * w * w)


@exact(X3)
def arange_and_linspace_constants(x):
    return np.sum(x * np.arange(3) + np.linspace(0.0, 1.0, 3) * x * x)


@exact(M23)
def matmul_and_transpose(m):
    g = m @ m.T
    return np.sum(g * g)


@exact(M23)
def reshape_and_sum_axes(m):
    r = m.reshape(3, 2)
    return np.sum(r.sum(axis=0) * r.sum(axis=0))


@exact(X3)
def dot_self(x):
    return np.dot(x, x) * x[0]


@exact(X3)
def newaxis_outer(x):
    o = x[:, None] * x[None, :]
    return np.sum(o * o)


@exact(M23)
def prod_axis(m):
    return np.sum(np.prod(m, axis=0))


@exact(X3)
def clip_inside_range(x):
    return np.sum(np.clip(x, -1.0, 2.0) * x)


@exact(X3)
def cumsum_and_diff(x):
    c = np.cumsum(x)
    return np.sum(c * c) + np.sum(np.diff(x) ** 2)


@exact(X3)
def vector_result_vjp(x):
    return np.sin(x) * x[0]


@exact(X3)
def tuple_result(x):
    return np.sum(x * x), x * 2.0


@exact(M23)
def stack_and_concatenate(m):
    s = np.stack([m[0], m[1] * 2.0])
    c = np.concatenate([m[0], s[1]])
    return np.sum(c * c) + np.sum(s)


@exact(X3)
def sum_of_zero_d_results(x):
    a = np.sum(x)
    b = np.max(x)
    return a * b + np.mean(x) * np.linalg.norm(x)


@exact(X3)
def scalar_indexing_returns_numpy_scalar(x):
    a = x[0]
    return a ** 2 * np.float64(3.0) + x[-1]


# a cast to a float type is the identity for derivatives (issue 14)
@exact(X3)
def astype_float(x):
    y = x.astype(float)
    return np.sum(y * x)


@exact(M23)
def var_and_std_axis(m):
    return np.sum(np.var(m, axis=1)) + np.sum(np.std(m, axis=0))
