"""Tuples, lists and dicts of numbers and arrays: as arguments, built inside, unpacked, indexed."""
import numpy as np

from .case import exact, refused

X3 = np.array([0.7, -1.3, 2.1])


@exact((0.7, np.array([1.5, -0.5])))
def tuple_argument(p):
    a, v = p
    return a * np.sum(v * v)


@exact([np.array([0.3, 1.2]), np.array([2.0, -0.4])])
def list_argument_loop(layers):
    s = 0.0
    for w in layers:
        s = s + np.sum(np.tanh(w) * w)
    return s


@exact({"w": np.array([0.5, -1.5]), "b": 0.3})
def dict_argument(params):
    return np.sum(params["w"] * params["w"]) * params["b"] + params["b"]


@exact(X3)
def list_built_and_indexed(x):
    parts = [x[0], x[1] * 2.0, x[2] ** 2]
    return parts[0] * parts[2] + parts[-1]


@exact(X3)
def list_append_in_loop(x):
    acc = []
    for i in range(3):
        acc.append(x[i] * (i + 1.0))
    return acc[0] * acc[1] + acc[2]


@exact(X3)
def tuple_swap_and_unpack(x):
    a, b, c = x[0], x[1], x[2]
    a, b = b * c, a
    return a * b + c


@exact(X3)
def nested_tuple_unpack(x):
    (a, b), c = (x[0], x[1]), x[2]
    return a * b * c


@exact(X3)
def unpack_array_rows(x):
    a, b, c = x
    return a * b - c * c


@exact(np.array([[0.6, -1.2], [1.4, 0.3]]))
def unpack_matrix_rows(m):
    r0, r1 = m
    return np.sum(r0 * r1 + r0)


@exact(X3)
def list_of_arrays_sum(x):
    parts = [x, x * 2.0, np.sin(x)]
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    return np.sum(total * total)


# the function built the list: the write rebinds its slot (refused until round 16's list item writes)
@exact(X3)
def list_element_rebound(x):
    parts = [x[0], x[1]]
    parts[0] = parts[1] * x[2]
    return parts[0] + parts[1]


@refused(X3)
def list_element_write_seen_via_alias(x):
    parts = [x[0], x[1]]
    same = parts
    parts[0] = x[2] * 2.0  # refused
    return same[0] * x[1]


@exact(X3)
def tuple_of_tuples_result(x):
    return (np.sum(x), (x[0] * x[1], x * x))


@exact(X3)
def len_of_list(x):
    parts = [x[0], x[1], x[2]]
    return x[0] * len(parts) + len(x) * x[1]


@exact((0.5, 1.5), wrt=(0,))
def tuple_of_floats_argument(p):
    return p[0] * p[1] * p[1]


@exact(X3)
def zip_over_lists(x):
    ws = [1.0, 2.0, 3.0]
    s = 0.0
    for w, v in zip(ws, x):
        s = s + w * v * v
    return s


@exact(X3)
def enumerate_list_of_arrays(x):
    parts = [x, x * x]
    s = 0.0
    for i, p in enumerate(parts):
        s = s + np.sum(p) * (i + 1.0)
    return s
