"""Container adjoints the Python-breadth bug hunt (hunt3py) got wrong: a loop over a list of lists (the adjoint of
one row added into the adjoint of the list extended it), sum(nested, []) (a concatenation differentiated as an
elementwise sum) and a tuple grown in a loop. Each checked against central finite differences in every mode."""

import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

X = np.array([0.3, -1.2, 0.7])


def check_vjp(f, x):
    """vjp's pullback of a cotangent 1.5 against 1.5 times the differences."""
    value, pullback = s2s.vjp(f)(x)
    assert value == pytest.approx(f(x))
    g = pullback(1.5)
    assert_close(g, 1.5 * numeric_grad(f, (x,), 0), what=f"{f.__name__}: vjp")


# ----------------------------------------------------------------- iterating a list of lists (hunt3py item 1)
def rows_loop(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    s = 0.0
    for row in rows:
        s = s + row[0] * row[1]
    return s


def rows_nested_comprehension(x):
    rows = [[x[0], x[1]], [x[1], x[2]]]
    flat = [v for row in rows for v in row]
    return flat[3] * 7.0 + flat[0] * flat[1]


def rows_generator_sum(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    return sum(a * b for a, b in rows)


def rows_enumerate(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    s = 0.0
    for i, row in enumerate(rows):
        s = s + (i + 1.0) * row[0] * np.sin(row[1])
    return s


def rows_zip(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    s = 0.0
    for row, w in zip(rows, [2.0, 3.0]):
        s = s + w * row[0] ** 2 * row[1]
    return s


def tuple_of_lists(x):
    rows = ([x[0], x[1]], [x[2], x[0]])
    s = 0.0
    for row in rows:
        s = s + row[0] * row[1] ** 2
    return s


def row_augmented_twice(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    s = 0.0
    for k in range(2):
        for row in rows:
            s = s + row[0] * row[1] * (k + 1.0)
    return s


@pytest.mark.parametrize("f", [rows_loop, rows_nested_comprehension, rows_generator_sum, rows_enumerate, rows_zip,
                               tuple_of_lists, row_augmented_twice])
def test_a_loop_over_a_list_of_lists_in_every_mode(f):
    check_every_mode(f, X)
    check_vjp(f, X)


def test_a_loop_over_a_list_of_lists_is_the_analytic_gradient():
    assert_close(s2s.grad(rows_loop)(X), [X[1] + X[2], X[0], X[0]])


RS = np.random.RandomState(0)
W1, B1, W2, B2 = RS.randn(3, 2), RS.randn(3), RS.randn(2, 3), RS.randn(2)
XIN = RS.randn(2)


def mlp(params, x):
    h = x
    for W, b in params:
        h = np.tanh(W @ h + b)
    return np.sum(h ** 2)


def mlp_local(b2, W1, b1, W2, x):
    params = [[W1, b1], [W2, b2]]
    h = x
    for W, b in params:
        h = np.tanh(W @ h + b)
    return np.sum(h ** 2)


def mlp_of_b2(b2):
    return mlp_local(b2, W1, B1, W2, XIN)


def test_an_mlp_with_a_local_list_of_lists_of_parameters():
    check_every_mode(mlp_of_b2, B2)
    check_vjp(mlp_of_b2, B2)
    expected = numeric_grad(mlp_of_b2, (B2,), 0)
    assert_close(s2s.grad(mlp_local)(B2, W1, B1, W2, XIN), expected, what="grad")


def test_an_mlp_with_a_list_of_lists_argument():
    """The hunt's misleading 'joining lists' refusal: the gradient of [[W1, b1], [W2, b2]] keeps its structure."""
    params = [[W1, B1], [W2, B2]]
    grad = s2s.grad(mlp)(params, XIN)
    assert isinstance(grad, list) and all(isinstance(p, list) and len(p) == 2 for p in grad)
    for i in range(2):
        for j in range(2):
            def part(v, i=i, j=j):
                ps = [list(p) for p in params]
                ps[i][j] = v
                return mlp(ps, XIN)
            assert_close(grad[i][j], numeric_grad(part, (params[i][j],), 0), what=f"grad[{i}][{j}]")
    tuples = s2s.grad(mlp)([(W1, B1), (W2, B2)], XIN)
    for i in range(2):
        for j in range(2):
            assert_close(grad[i][j], tuples[i][j])


# ----------------------------------------------------------------- sum(nested, start) joins lists or tuples (item 2)
def sum_joins_lists(x):
    nested = [[x[0], x[1]], [x[2]]]
    flat = sum(nested, [])
    return flat[0] + 10.0 * flat[1] + 100.0 * flat[2] * flat[0]


def sum_joins_tuples(x):
    parts = [(x[0], x[1] ** 2), (np.sin(x[2]),), (2.0, x[0])]
    flat = sum(parts, ())
    return flat[0] * flat[1] + 3.0 * flat[2] + flat[3] * flat[4] ** 2


def sum_joins_after_a_start(x):
    nested = [[x[1] * x[2]], [x[0], 2.0]]
    flat = sum(nested, [x[0] ** 2, x[2]])
    return flat[0] * flat[1] + 5.0 * flat[2] + flat[3] * flat[4] * flat[1]


def sum_joins_a_grown_start(x):
    head = []
    head.append(x[0] * 3.0)
    head.append(np.cos(x[1]))
    flat = sum([[x[2]], [x[1], x[0]]], head)
    s = 0.0
    for k, v in enumerate(flat):
        s = s + (k + 1.0) * v ** 2
    return s


def sum_joins_then_array(x):
    nested = [[x[0], x[1]], [x[2], x[0] * x[1]]]
    flat = np.array(sum(nested, []))
    return np.sum(flat ** 2 * np.arange(1.0, 5.0))


def sum_adds_from_a_number(x):
    return sum([x[0] * x[1], x[2] ** 2], x[1])


def sum_adds_rows_from_an_array(x):
    rows = [[x[0], x[1]], [x[2], x[0]]]
    total = sum(rows, np.array([1.0, x[2]]))
    return total[0] * total[1]


@pytest.mark.parametrize("f", [sum_joins_lists, sum_joins_tuples, sum_joins_after_a_start, sum_joins_a_grown_start,
                               sum_joins_then_array, sum_adds_from_a_number, sum_adds_rows_from_an_array])
def test_sum_with_a_start_in_every_mode(f):
    check_every_mode(f, X)
    check_vjp(f, X)


def test_sum_joining_lists_is_the_analytic_gradient():
    x0, x1, x2 = X
    assert_close(s2s.grad(sum_joins_lists)(X), [1.0 + 100.0 * x2, 10.0, 100.0 * x0])
    assert s2s.jvp(sum_joins_lists)((X,), (np.array([0.0, 0.0, 1.0]),))[1] == pytest.approx(100.0 * x0)


def test_the_joined_sums_helpers_in_vector_mode_are_the_helpers_per_tangent():
    """rt.batch_started_sum_adjoint and rt.batch_started_sum_start_adjoint (a leading batch axis of 3 tangents) give,
    tangent by tangent, what rt.started_sum_adjoint and rt.started_sum_start_adjoint give; the transposes satisfy
    <G, A g> = <A^T G, g>."""
    rt = s2s.runtime
    xs, start = [[1.0, 2.0], (3.0,)], [4.0]
    rs = np.random.RandomState(3)
    d = [rs.randn(3) for _ in range(4)]  # the tangents of the joined list's 4 parts
    cut = rt.batch_started_sum_adjoint(d, xs, start)
    first = rt.batch_started_sum_start_adjoint(d, start, xs)
    for k in range(3):
        one = rt.started_sum_adjoint([p[k] for p in d], xs, start)
        assert [[p[k] for p in item] for item in cut] == [list(item) for item in one]
        assert [p[k] for p in first] == list(rt.started_sum_start_adjoint([p[k] for p in d], start, xs))
    g, G, H = list(rs.randn(4)), [list(rs.randn(2)), list(rs.randn(1))], list(rs.randn(1))
    A_g = rt.started_sum_adjoint(g, xs, start)
    assert sum(np.dot(a, b) for a, b in zip(G, A_g)) == pytest.approx(
        np.dot(rt.started_sum_adjoint_transpose(G, g, xs, start), g))
    assert np.dot(H, rt.started_sum_start_adjoint(g, start, xs)) == pytest.approx(
        np.dot(rt.started_sum_start_adjoint_transpose(H, g, start, xs), g))


# ----------------------------------------------------------------- a tuple grown in a loop (item 3)
def tuple_grown(x):
    t = (x[0], x[1])
    for i in range(1):
        t = t + (x[2] * 2.0, x[0] * x[1])
    return t[2] + t[3] * 3.0


def tuple_grown_by_constants(x):
    t = (x[0],)
    for i in range(2):
        t = t + (2.0,)
    return t[0] * t[2] + np.sin(t[-1] * x[1])


def tuple_grown_under_an_if(x):
    t = (x[0], x[1])
    for i in range(3):
        if i != 1:
            t = t + (x[2] * t[-1],)
    return sum(t) * t[-1]


def tuple_grown_in_nested_loops(x):
    t = ()
    for i in range(2):
        for j in range(2):
            t = t + (x[i] * x[j + 1],)
        t = t + (np.cos(t[-1]),)
    s = 0.0
    for k, v in enumerate(t):
        s = s + (k + 1.0) * v ** 2
    return s


def tuple_grown_in_a_while(x):
    t = tuple(x[:1])
    while len(t) < 4:
        t = t + (t[-1] * x[len(t) % 3],)
    return t[0] * t[3] - t[1] * t[2]


def tuple_joined_to_a_tuple_call(x):
    t = tuple(x[:2])
    t = t + (x[2],)
    return t[0] * t[2] + t[1]


@pytest.mark.parametrize("f", [tuple_grown, tuple_grown_by_constants, tuple_grown_under_an_if,
                               tuple_grown_in_nested_loops, tuple_grown_in_a_while, tuple_joined_to_a_tuple_call])
def test_a_tuple_grown_in_a_loop_in_every_mode(f):
    check_every_mode(f, X)
    check_vjp(f, X)


def test_a_grown_tuple_reads_as_list_appends():
    """The generated forward pass joins the tuple through a list, as a person would write it, and stays a tuple."""
    source = s2s.grad(tuple_grown).source
    assert "list(t" in source and "tuple(" in source
    value, _ = s2s.value_and_grad(tuple_grown)(X)
    assert value == tuple_grown(X)


def tuple_augmented(x):
    t = (x[0],)
    for i in range(2):
        t += (x[i + 1] * 2.0,)
    return t[0] * t[2]


def tuple_argument_joined(t, x):
    u = t + (x,)
    return u[0] * u[1] + u[2]


def tuple_argument_as_a_list(t, x):
    ys = list(t)
    ys.append(x)
    u = tuple(ys)
    return u[0] * u[1] + u[2]


def test_joining_tuples_s2s_cannot_tell_from_arithmetic_is_refused_in_every_mode():
    """A tuple argument joined: the arithmetic `+` s2s reads there cannot say which parts
    came from which operand, so every mode refuses at the user's line (the forward Jacobians raised NumPy's broadcast
    ValueError, and gave the tuple argument's join the derivative 3 in x where it is 0... of u[0] * u[1])."""
    calls = [lambda: s2s.grad(tuple_argument_joined, wrt=(0, 1))((1.0, 2.0), 3.0),
             lambda: s2s.jacobian(tuple_argument_joined, wrt=1, mode="forward")((1.0, 2.0), 3.0),
             lambda: s2s.jacobian(tuple_argument_joined, wrt=0, mode="forward")((1.0, 2.0), 3.0)]
    for call in calls:
        with pytest.raises(s2s.S2SError, match="joining lists or tuples") as info:
            call()
        assert "test_hunt3_containers.py" in str(info.value)
        assert "u = t + (x,)" in str(info.value)


def test_a_tuple_argument_grown_as_the_refusal_says():
    t, x = (1.5, -2.0), 0.5
    grad_t, grad_x = s2s.grad(tuple_argument_as_a_list, wrt=(0, 1))(t, x)
    assert isinstance(grad_t, tuple)
    assert_close(grad_t, [t[1], t[0]])
    assert grad_x == pytest.approx(1.0)
    _, tangent = s2s.jvp(tuple_argument_as_a_list, wrt=(0, 1))((t, x), ((1.0, 0.5), 2.0))
    assert tangent == pytest.approx(t[1] * 1.0 + t[0] * 0.5 + 2.0)
    assert s2s.jacobian(tuple_argument_as_a_list, wrt=1, mode="forward")(t, x) == pytest.approx(1.0)


def tuple_grown_both_ways(x):
    t = (x[0],)
    for i in range(2):
        t = t + (x[1] * t[-1],)
        t += (x[2],)
    return t[1] * t[4]


def test_a_tuple_grown_by_augmented_assignment():
    """`t += (v,)` in a loop is `t = t + (v,)` (it was refused at its line: the arithmetic `+` s2s read there could
    not say which parts came from which operand)."""
    check_every_mode(tuple_augmented, X)
    check_vjp(tuple_augmented, X)
    check_every_mode(tuple_grown_both_ways, X)
