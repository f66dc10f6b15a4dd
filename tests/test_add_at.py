"""`np.add.at(y, index, v)` and `np.subtract.at(y, index, v)` written as statements (front/effects.py ufunc_at).

The scatter-add is the element write `y[index] = rt.added_at(y, *index, v)` (runtime/scatter.py), accepted where
`y[index] = ...` is and refused where that is. Each program is a function of one float array `x` run through every
transformation (conftest's check_every_mode: value_and_grad, jvp, both Jacobians, the Hessian and the Jacobian of
the gradient), its value bit for bit the function's own and each derivative against central finite differences;
the index forms: an int, an int array or list with repeats, negative indices, a slice, a tuple mixing arrays and
slices, a row of a 2-D array; v a number or an array broadcast to the index's shape. rt.added_at's own values are
checked against NumPy's call, and its rules against the adjoint written out by hand (repeats included).
"""
from __future__ import annotations

import numpy as np
import pytest

import s2s
from s2s import runtime as rt
from s2s.errors import S2SError

from conftest import assert_close, check_every_mode, numeric_grad

X6 = np.array([0.5, 1.3, -0.7, 2.0, 0.9, -1.1])
REPEATS = np.array([0, 2, 2, 1, 0, 2])  # (bin 2 three times, bin 3 never)
ROWS = np.array([[0, 1], [1, 2], [2, 3]])  # the nodes of 3 elements of a chain of 4


def check(f, x=X6, **options):
    """Every mode, the values equal to f(x) bit for bit."""
    return check_every_mode(f, x, exact=True, **options)


# ================================================================ index forms
def histogram(x):
    y = np.zeros(4)
    np.add.at(y, REPEATS, x ** 2)
    return np.sum(y * np.array([1.0, 2.0, 3.0, 4.0])) + np.sum(np.sin(y))


def histogram_list_index(x):
    y = np.zeros(3)
    np.add.at(y, [0, 2, 2, 1, 0, 2], np.exp(x))
    return np.sum(y ** 2)


def negative_indices(x):
    y = np.cos(x[:4])
    np.add.at(y, np.array([-1, -1, 0, -4]), x[2:] * x[0])
    return np.sum(y ** 3)


def one_int_index(x):
    y = x * 2.0
    np.add.at(y, 3, x[0] * x[1])
    np.add.at(y, 3, np.sin(x[2]))
    return np.sum(y * y)


def slice_index(x):
    y = x ** 2
    np.add.at(y, slice(1, 4), x[3:] * 1.5)
    return np.sum(np.tanh(y))


def number_broadcast(x):
    y = np.zeros(5)
    np.add.at(y, np.array([4, 1, 4, 4]), x[0] * x[1])  # v a number: added once per repeat
    return np.sum(y * np.arange(1.0, 6.0)) + y[4] ** 2


def rows_of_matrix(x):
    y = np.outer(x[:3], x[3:])
    np.add.at(y, np.array([2, 0, 2]), np.reshape(x[:3], (1, 3)))  # whole rows, v broadcast to (3, 3)
    return np.sum(np.sin(y))


def tuple_of_arrays(x):
    K = np.zeros((4, 4))
    np.add.at(K, (np.array([0, 1, 1, 3]), np.array([2, 2, 2, 0])), x[:4] ** 2)
    return np.sum(K ** 2) + K[1, 2] * x[5]


def tuple_mixing_array_and_slice(x):
    A = np.ones((3, 4)) * x[0]
    np.add.at(A, (np.array([0, 2, 0]), slice(None, 2)), np.reshape(x, (3, 2)))
    return np.sum(A ** 2)


def subtract(x):
    y = np.ones(3) * x[1]
    np.subtract.at(y, np.array([0, 0, 2, 1, 2, 2]), x ** 2)
    return np.sum(y ** 2)


def subtract_a_list_and_a_tuple(x):
    y = x * 1.0
    np.subtract.at(y, [0, 1, 1], [1.0, 2.0, 0.5])  # (the array NumPy makes of them, negated)
    np.subtract.at(y, [2, 2], (x[0], x[1] * x[2]))
    return np.sum(y ** 2)


@pytest.mark.parametrize("f", [histogram, histogram_list_index, negative_indices, one_int_index, slice_index,
                               number_broadcast, rows_of_matrix, tuple_of_arrays, tuple_mixing_array_and_slice,
                               subtract, subtract_a_list_and_a_tuple])
def test_every_mode(f):
    check(f)


# ================================================================ loops: assembly, reads and writes after
def assembly(x):
    """Finite-element assembly of a chain of 3 springs of stiffness x[e]: K and the load f."""
    K = np.zeros((4, 4))
    f = np.zeros(4)
    for e in range(3):
        ke = np.array([[1.0, -1.0], [-1.0, 1.0]]) * x[e]
        nodes = ROWS[e]
        np.add.at(K, (nodes[:, None], nodes[None, :]), ke)
        np.add.at(f, nodes, x[e + 3] * 0.5)
    K[0, :] = 0.0  # fixed node 0: a further element write
    K[0, 0] = 1.0
    u = np.linalg.solve(K + 0.1 * np.eye(4), f)
    return np.sum(u * f)


def histogram_in_loop(x):
    y = np.zeros(3)
    for i in range(6):
        np.add.at(y, REPEATS[i] % 3, x[i] * y[REPEATS[(i + 1) % 6] % 3] + x[i])  # reads y as it goes
    return np.sum(y ** 2)


def embedding_gradient_like(x):
    table = np.reshape(x, (3, 2))
    tokens = np.array([2, 0, 2, 1, 2])
    out = np.zeros((3, 2))
    for step in range(2):
        h = np.tanh(table[tokens] * (step + 1.0))  # (5, 2): a row of the table per token
        np.add.at(out, tokens, h * out[tokens] + h)
    return np.sum(out ** 2)


def reads_and_writes_after(x):
    y = np.zeros(4)
    np.add.at(y, REPEATS, x)
    before = y.copy()
    y[2] = y[2] * x[0]  # an element write after the scatter
    np.subtract.at(y, [3, 3], y[:2])
    y += before
    return np.sum(y ** 2) + before[2] * y[3]


def in_branches(x):
    y = np.zeros(3)
    if x[0] > 0.0:
        np.add.at(y, REPEATS, x)
    else:
        np.subtract.at(y, REPEATS, x * x)
    return np.sum(y ** 2)


def in_while_loop(x):
    y = np.zeros(3)
    i = 0
    while i < 3:
        np.add.at(y, REPEATS[i:i + 3], x[i:i + 3] * y[0] + x[i])
        i += 1
    return np.sum(y ** 2)


def in_nested_loops(x):
    y = np.zeros((3, 2))
    for i in range(2):
        for j in range(3):
            np.add.at(y, (REPEATS[j:j + 2], i), x[j:j + 2] * (i + 1.0))
    return np.sum(np.sin(y))


def through_a_helper(x):
    y = np.zeros(3)
    _scatter(y, x)
    return np.sum(y ** 2)


def _scatter(y, x):
    np.add.at(y, REPEATS, x)  # (into the caller's own array: the helper is inlined)


def mask_index(x):
    y = x * 1.0
    np.add.at(y, x > 0.6, 2.0 * x[0])
    return np.sum(y ** 2)


def counts_of_ints(x):
    c = np.zeros(3, dtype=int)
    np.add.at(c, REPEATS, 1)  # a histogram of counts: no derivative flows through it
    return np.sum(c * x[:3])


@pytest.mark.parametrize("f", [assembly, histogram_in_loop, embedding_gradient_like, reads_and_writes_after,
                               in_branches, in_while_loop, in_nested_loops, through_a_helper, mask_index,
                               counts_of_ints])
def test_loops_and_later_writes(f):
    check(f)
    if f is in_branches:
        check(f, -X6)  # (the other branch)


def index_in_a_tuple_variable(x):
    K = np.zeros((3, 3))
    ij = (REPEATS[:4], REPEATS[2:])
    np.add.at(K, ij, x[:4] ** 2)
    return np.sum(K ** 2)


def test_index_in_a_tuple_variable():
    """The index a tuple held by a name (`np.add.at(K, ij, v)`); vector forward mode refuses such an index for
    every element read and write (`K[ij]`), so the forward Jacobian is left out here."""
    numeric = numeric_grad(index_in_a_tuple_variable, (X6,), 0)
    value, g = s2s.value_and_grad(index_in_a_tuple_variable)(X6)
    assert value == index_in_a_tuple_variable(X6)
    assert_close(g, numeric, what="grad")
    _, tangent = s2s.jvp(index_in_a_tuple_variable)((X6,), (np.ones(6),))
    assert tangent == pytest.approx(np.sum(numeric), rel=1e-6)
    assert_close(s2s.hessian(index_in_a_tuple_variable)(X6), s2s.jacobian(s2s.grad(index_in_a_tuple_variable))(X6),
                 1e-12, 1e-12, what="hessian")


def test_float32_array():
    """Into a float32 array NumPy adds each value in float32: so does the function, bit for bit; its gradient
    is the float64 one of the same sums (finite differences are too coarse in float32)."""
    def f(x):
        y = np.zeros(3, dtype=np.float32)
        np.add.at(y, REPEATS, x)
        return np.sum(y * x[:3])
    y = np.zeros(3, dtype=np.float32)
    np.add.at(y, REPEATS, X6)
    value, g = s2s.value_and_grad(f)(X6)
    assert value == f(X6) == np.sum(y * X6[:3])
    expected = X6[:3][REPEATS].copy()
    expected[:3] += y
    assert_close(g, expected, 1e-6, 1e-6, what="grad")


# ================================================================ names sharing the array
def values_a_view_of_y(x):
    y = np.sin(x[:4]) + 0.5
    v = y[0:2]
    np.add.at(y, [1, 2], v)  # (NumPy reads the overlapping v before it writes: y[2] gets y[1]'s old value)
    return np.sum(y ** 2)


def another_name_for_y(x):
    y = np.sin(x[:4])
    z = y
    np.add.at(y, [1, 1], x[:2])
    return np.sum(z ** 2)


def test_names_sharing_the_array():
    check(values_a_view_of_y)
    check(another_name_for_y)


def view_read_after_the_write(x):
    y = np.sin(x[:4])
    v = y[0:2]
    np.add.at(y, [1, 2], x[:2])
    return np.sum(v ** 2)


def test_a_view_read_after_the_write_is_refused():
    first = view_read_after_the_write.__code__.co_firstlineno
    with pytest.raises(S2SError, match=f"reading 'v' from line {first + 2}, a view of 'y'.* after line {first + 3} "
                                       "changed 'y' in place") as info:
        s2s.grad(view_read_after_the_write)(X6)
    assert info.value.lineno == first + 4


# ================================================================ rt.added_at is NumPy's np.add.at
@pytest.mark.parametrize("y, index, v", [
    (np.arange(5.0), (np.array([0, 4, 4, 0, 4]),), np.array([0.1, 0.2, 0.3, 0.4, 0.5])),
    (np.arange(5.0), (3,), 2.5),
    (np.arange(12.0).reshape(3, 4), (np.array([1, 1]), slice(None)), np.array([1e-17, 1.0, 3.0, 1e17])),
    (np.arange(12.0).reshape(3, 4), (np.array([[0], [2]]), np.array([[1, 1, 3]])), np.arange(6.0).reshape(2, 3)),
    (np.arange(6, dtype=np.float32), (np.array([1, 1, 1]),), np.array([0.1, 0.2, 0.3])),
    (np.zeros(4, dtype=np.int64), (np.array([1, 3, 1]),), 1),  # a histogram of counts
    (np.zeros(4, dtype=np.int64), (np.array([1, 3, 1]),), 1.7),  # NumPy truncates each addition
])
def test_added_at_is_numpy_bit_for_bit(y, index, v):
    kept = y.copy()
    expected = y.copy()
    np.add.at(expected, index[0] if len(index) == 1 else index, v)
    out = rt.added_at(y, *index, v)
    y_written = y.copy()
    y_written[index[0] if len(index) == 1 else index] = out
    assert y_written.dtype == expected.dtype and np.array_equal(y_written, expected)
    assert np.array_equal(y, kept)


def test_added_at_raises_what_numpy_raises():
    with pytest.raises(TypeError, match="first operand must be array"):
        rt.added_at([1.0, 2.0], 0, 1.0)
    with pytest.raises(IndexError):
        rt.added_at(np.zeros(3), np.array([0, 5]), 1.0)
    with pytest.raises(ValueError):
        rt.added_at(np.zeros(3), np.array([0, 1]), np.ones(3))


def test_bit_identical_sums_in_numpy_order():
    """A position an index repeats sums its values in the index's order, as np.add.at does (not pairwise)."""
    def f(x):
        y = np.zeros(2)
        np.add.at(y, np.array([1, 1, 1, 0]), x)
        return y[1]
    x = np.array([1e16, 1.0, -1e16, 3.0])
    expected = np.zeros(2)
    np.add.at(expected, np.array([1, 1, 1, 0]), x)
    assert s2s.value_and_grad(f)(x)[0] == expected[1] == f(x)


# ================================================================ the rules against the adjoint written by hand
def test_adjoint_with_repeats_against_the_formula():
    """d/dx of sum(w * y) for y[p] = sum of x[m] with p_m = p: w[p_m], at every repeat."""
    w = np.array([1.0, -2.0, 3.0, 0.5])

    def f(x):
        y = np.zeros(4)
        np.add.at(y, REPEATS, x * x)
        return np.sum(w * y)
    assert_close(s2s.grad(f)(X6), w[REPEATS] * 2 * X6, 1e-12, 0.0, what="grad")
    _, tangent = s2s.jvp(f)((X6,), (np.ones(6),))
    assert tangent == pytest.approx(np.sum(w[REPEATS] * 2 * X6), rel=1e-12)


def test_values_into_an_array_the_function_made_from_x():
    """y holds x's values before the scatter: the adjoint of y passes through, the repeats' to each value."""
    def f(x):
        y = x[:4] * 1.0
        np.add.at(y, np.array([3, 3, 0]), x[3:] ** 2)
        return np.sum(y ** 2)
    g = check(f)
    y = X6[:4].copy()
    np.add.at(y, np.array([3, 3, 0]), X6[3:] ** 2)
    expected = np.zeros(6)
    expected[:4] += 2 * y
    expected[3:] += 2 * y[np.array([3, 3, 0])] * 2 * X6[3:]
    assert_close(g, expected, 1e-12, 1e-12, what="grad")


def test_caller_arrays_unchanged():
    bins = REPEATS.copy()

    def f(x, b):
        y = np.zeros(3)
        np.add.at(y, b, x)
        return np.sum(y ** 2)
    x = X6.copy()
    value, g = s2s.value_and_grad(f)(x, bins)
    assert np.array_equal(x, X6) and np.array_equal(bins, REPEATS)
    assert value == f(X6, REPEATS)
    assert_close(g, numeric_grad(lambda x: f(x, bins), (X6,), 0), what="grad")


# ================================================================ generated code
def test_generated_code_reads_as_the_element_write():
    source = s2s.grad(histogram).source
    assert "rt.added_at(y, REPEATS, x ** 2)" in source and "y[REPEATS] = " in source, source
    source = s2s.grad(assembly).source
    assert "rt.added_at(f, nodes, " in source, source


# ================================================================ refusals, at the user's line
def into_parameter(x):
    np.add.at(x, [0, 1], 1.0)
    return np.sum(x)


def into_view(x):
    y = np.zeros((2, 3))
    row = y[0]
    np.add.at(row, [0, 0], x[:2])
    return np.sum(y)


def with_keyword(x):
    y = np.zeros(3)
    np.add.at(y, [0, 1], b=x[:2])
    return np.sum(y)


def with_out(x):
    y = np.zeros(3)
    np.add.at(y, [0, 1], x[:2], out=y)
    return np.sum(y)


def two_arguments(x):
    y = x * 1.0
    np.add.at(y, [0, 1])
    return np.sum(y)


def into_expression(x):
    y = np.zeros((2, 3))
    np.add.at(y[0], [0, 0], x[:2])
    return np.sum(y)


def maximum_at(x):
    y = np.zeros(3)
    np.maximum.at(y, [0, 0], x[:2])
    return np.sum(y)


def result_used(x):
    y = np.zeros(3)
    z = np.add.at(y, [0, 0], x[:2])
    return np.sum(y) + z


@pytest.mark.parametrize("f, line, words", [
    (into_parameter, 2, "which the function did not create"),
    (into_view, 4, "a view of another array"),
    (with_keyword, 3, "b="),
    (with_out, 3, "drop out="),
    (two_arguments, 3, "with 2 arguments"),
    (into_expression, 3, "into an expression"),
    (maximum_at, 3, "np.maximum.at(), a method of a NumPy ufunc without a rule"),
    (result_used, 3, "np.add.at() used as a value"),
])
def test_refused_at_the_line(f, line, words):
    with pytest.raises(S2SError) as info:
        s2s.grad(f)(X6.copy())
    message = str(info.value)
    assert words in message, message
    first = f.__code__.co_firstlineno
    assert getattr(info.value, "lineno", None) == first + line - 1, message


# ================================================================ random programs: index forms, shapes, broadcasting
def _random_program(seed: int) -> tuple[str, np.ndarray]:
    """The text of a module whose f(x) scatter-adds values of x into an array it made, with a random index form
    (ints with repeats and negatives, a list, an int, a slice, a tuple of arrays that broadcast, or an array and a
    slice) and a value of the index's shape, one that broadcasts to it, or a number; and its argument x."""
    r = np.random.default_rng(seed)
    shape = (int(r.integers(2, 5)),) if r.random() < 0.5 else (int(r.integers(2, 4)), int(r.integers(2, 4)))
    m = shape[0]
    form = int(r.integers(6))
    if form == 0:
        index = f"np.array({r.integers(-m, m, size=int(r.integers(1, 7))).tolist()})"
    elif form == 1:
        index = str(r.integers(0, m, size=int(r.integers(1, 6))).tolist())
    elif form == 2:
        index = str(int(r.integers(-m, m)))
    elif form == 3:
        index = f"slice({int(r.integers(0, m))}, None)"
    elif form == 4 and len(shape) == 2:
        rows = r.integers(0, shape[0], size=(int(r.integers(1, 4)), 1)).tolist()
        cols = r.integers(-shape[1], shape[1], size=(1, int(r.integers(1, 4)))).tolist()
        index = f"(np.array({rows}), np.array({cols}))"
    else:
        index = f"np.array({r.integers(0, m, size=int(r.integers(1, 5))).tolist()})"
        if len(shape) == 2:
            index = f"({index}, slice(None, {int(r.integers(1, shape[1] + 1))}))"
    value_shape = np.zeros(shape)[eval(index)].shape
    size = int(np.prod(shape))
    kind = r.random()
    if kind < 0.5 or not value_shape:
        value = f"np.reshape(np.cos(x[:{int(np.prod(value_shape))}]), {value_shape}) * 1.5"
    elif kind < 0.75:
        value = f"x[:{value_shape[-1]}] ** 2"  # broadcast along the leading axes
    else:
        value = "x[0] * x[1]"
    start = "np.zeros" if r.random() < 0.4 else None
    made = f"np.zeros({shape})" if start else f"np.sin(np.reshape(x[:{size}], {shape}))"
    ufunc = "subtract" if r.random() < 0.3 else "add"
    loop = r.random() < 0.3
    body = f"np.{ufunc}.at(y, {index}, {value})"
    lines = ["import numpy as np", "", "", "def f(x):", f"    y = {made}"]
    looped = body.replace("x[", "(x * (k + 1.0))[")
    lines += ["    for k in range(2):", f"        {looped}"] if loop else [f"    {body}"]
    lines += [f"    return np.sum(np.sin(y) * np.arange(1.0, {size + 1}).reshape({shape}))", ""]
    n = max(size, int(np.prod(value_shape)) if value_shape else 1, 2)
    return "\n".join(lines), np.linspace(-0.9, 1.1, n) + 0.05 * r.normal(size=n)


@pytest.mark.parametrize("seed", range(24))
def test_random_programs(tmp_path, seed):
    from conftest import module_from_text
    text, x = _random_program(seed)
    f = module_from_text(tmp_path, f"add_at_random_{seed}", text).f
    try:
        check(f, x)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{text}") from None
