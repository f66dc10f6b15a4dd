"""Forward-mode and vector-mode (forward Jacobian, Hessian) bugs hunt4geom found, each checked against finite
differences in every mode, or refused at the user's line.
"""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad

M = np.array([[1.0, 2, 3], [0.5, -1, 2], [2, 0, 1]])
V = np.array([1.0, -2.0, 0.5])
W = np.array([0.3, -0.5, 1.1])


def numeric_jacobian(f, x):
    """Central differences of a vector-valued f at x: shape f(x).shape + x.shape."""
    out = np.asarray(f(x), dtype=float)
    rows = [numeric_grad(lambda x, i=i: np.ravel(f(x))[i], (x,), 0) for i in range(out.size)]
    return np.array(rows).reshape(out.shape + np.shape(x))


def check_jacobians(f, x):
    expected = numeric_jacobian(f, x)
    assert_close(s2s.jacobian(f, mode="forward")(x), expected, what=f"{f.__name__}: forward jacobian")
    assert_close(s2s.jacobian(f)(x), expected, what=f"{f.__name__}: reverse jacobian")


# ----------------------------------------------------------------- a list display as an operand, in vector mode
# The tangents of `[a, b, 1.0]` were a list of batches, which NumPy reads with the batch axis second: M @ [..]
# took the batch for the vector (a transposed or mixed-up forward Jacobian, a non-symmetric Hessian), or raised a
# broadcast error. They are read with the batch axis first now (rt.batch_list), whatever the rule.
def homogeneous(w):
    return M @ [w[0] * w[1], w[2], 1.0]


def row_times_matrix(w):
    return [w[0] * w[1], w[2], w[0]] @ M


def dot_list(w):
    return np.dot(M, [w[0] * w[1], w[2], 1.0])


def matmul_list(w):
    return np.matmul([w[0], w[1] * w[2], 1.0], M)


def cross_list(w):
    return np.cross([w[0] * w[1], w[2], 0.0], V)


def summed_rows(w):
    return np.sum([[w[0], w[1], 0.0], [w[2], 1.0, w[0] * w[2]], [0.0, 0.0, w[1]]], axis=0)


def mean_rows(w):
    return np.mean([[w[0], w[1]], [w[2], 1.0]], axis=1)


def ravel_list(w):
    return np.ravel([[w[0], w[1]], [w[2] * w[0], 1.0]])


def reshape_list(w):
    return np.reshape([w[0], w[1], w[2], w[0] * w[1]], (2, 2)).ravel()


def transpose_list(w):
    return np.transpose([[w[0], w[1]], [w[2], 1.0]]).ravel()


def outer_lists(w):
    return np.outer([w[0], w[1]], [w[2], 1.0, 2.0]).ravel()


def sliced_display(w):
    return M[:2, :2] @ [w[0] * w[1], w[2], 1.0][1:]


LIST_OPERANDS = [homogeneous, row_times_matrix, dot_list, matmul_list, cross_list, summed_rows, mean_rows,
                 ravel_list, reshape_list, transpose_list, outer_lists, sliced_display]


@pytest.mark.parametrize("f", LIST_OPERANDS, ids=lambda f: f.__name__)
def test_list_display_operand_jacobians(f):
    check_jacobians(f, W)


@pytest.mark.parametrize("f", LIST_OPERANDS, ids=lambda f: f.__name__)
def test_list_display_operand_every_mode(f):
    def loss(w):
        return np.sum(f(w) ** 2)
    loss.__name__ = f"loss_{f.__name__}"
    check_every_mode(loss, W)


def test_list_display_operand_reproducer_hessian():
    def loss(w):
        return np.sum((M @ [w[0] * w[1], w[2], 1.0]) ** 2)
    w = np.array([0.3, -0.5, 1.0])
    H = s2s.hessian(loss)(w)
    # analytic: loss = |M u|^2 with u = (w0 w1, w2, 1); H = J^T 2 M^T M J + sum_k (2 M^T M u)_k d2u_k
    u = np.array([w[0] * w[1], w[2], 1.0])
    J = np.array([[w[1], w[0], 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    g = 2.0 * M.T @ M @ u
    expected = J.T @ (2.0 * M.T @ M) @ J + g[0] * np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    assert_close(H, expected, what="hessian")


# ----------------------------------------------------------------- writing a list or tuple into an array
# R[0] = [a, 0.0, b]: the tangents of the list reached rt.batch_setitem_tangent as (3, n), not (n, 3): a transposed
# forward Jacobian where n is 3, a broadcast ValueError otherwise.
def row_write(w):
    R = np.zeros((2, 3))
    R[0] = [w[0] * w[1], 0.0, np.sin(w[2])]
    return R.ravel()


def column_write_tuple(w):
    R = np.eye(3)
    R[:, 2] = (w[0] * w[1], w[2], np.cos(w[0]))
    return R.ravel()


def block_write(w):
    R = np.ones((2, 2))
    R[:, :] = [[w[0], w[1] * w[2]], [1.0, w[2] ** 2]]
    return R.ravel()


@pytest.mark.parametrize("f", [row_write, column_write_tuple, block_write], ids=lambda f: f.__name__)
def test_list_written_into_array(f):
    check_jacobians(f, W)

    def loss(w):
        return np.sum(f(w) ** 2 * np.arange(1.0, f(w).size + 1.0))
    loss.__name__ = f"loss_{f.__name__}"
    check_every_mode(loss, W)


def test_list_written_batch_not_row_length():
    def g(w):  # two tangents, a row of three: NumPy raised a broadcast error inside generated code
        R = np.zeros(3)
        R[:] = [w[0] * w[1], 0.0, np.sin(w[1])]
        return R
    w = np.array([0.3, -0.5])
    assert_close(s2s.jacobian(g, mode="forward")(w), numeric_jacobian(g, w), what="forward jacobian")


# ----------------------------------------------------------------- an active operand the rule has no entry for
# Forward mode dropped the tangent of an operand past the rule's parts (a silent zero); reverse mode refused it.
# Both refuse now, at the user's line.
X = np.array([0.3, -1.4, 0.9, 1.7])


def weighted_mean(x, w):
    return np.average(x, 0, w)


def p_norm(x, p):
    return np.linalg.norm(x, p)


def log_grid(a, b):
    return np.sum(np.logspace(a, 2.0, 4, True, b))


class Table:
    def __getitem__(self, t):
        return 2.0 * t


TABLE = Table()


def object_index(t):
    return TABLE[t] + t


def first_line(f):
    return f.__code__.co_firstlineno + 1


UNCOVERED = [(p_norm, (X, 3.0), 1, "np.linalg.norm"),
             (log_grid, (0.5, 3.0), 1, "np.logspace")]


def test_an_objects_getitem_is_its_method():
    # (refused as TABLE[...] before 703da45: an object's own __getitem__ is inlined as its method now)
    assert s2s.jvp(object_index)((0.5,), (1.0,)) == (1.5, 3.0)
    assert s2s.value_and_grad(object_index)(0.5) == (1.5, 3.0)


@pytest.mark.parametrize("f, args, wrt, callee", UNCOVERED, ids=lambda v: getattr(v, "__name__", None))
def test_forward_refuses_operand_without_rule(f, args, wrt, callee):
    tangent = np.ones_like(args[wrt]) if np.ndim(args[wrt]) else 1.0
    with pytest.raises(s2s.NonDifferentiableError) as info:
        s2s.jvp(f, wrt=wrt)(args, (tangent,))
    assert info.value.callee == callee and info.value.lineno == first_line(f), str(info.value)
    if np.ndim(args[wrt]):
        with pytest.raises(s2s.NonDifferentiableError):
            s2s.jacobian(f, wrt=wrt, mode="forward")(*args)
    with pytest.raises(s2s.NonDifferentiableError):  # (as reverse mode does)
        s2s.vjp(f, wrt=wrt)(*args)


def test_forward_other_operands_still_differentiated():
    # the operands the rules cover keep their derivatives: np.average in x, np.linalg.norm in x
    w = np.array([0.5, 1.2, 0.8, 2.0])
    _, t = s2s.jvp(weighted_mean, wrt=0)((X, w), (np.ones(4),))
    assert_close(t, 1.0, what="jvp of a weighted mean along ones")
    _, t = s2s.jvp(p_norm, wrt=0)((X, 3.0), (X,))
    assert_close(t, p_norm(X, 3.0), what="jvp of a norm along x (homogeneous of degree 1)")


def index_trick_r(p):
    return np.r_[p, 1.0] * 2.0


def index_trick_c(p):
    return np.sum(np.c_[p, p ** 2])


@pytest.mark.parametrize("f", [index_trick_r, index_trick_c], ids=lambda f: f.__name__)
def test_index_tricks_refused_in_forward_mode(f):
    p = np.array([0.1, 0.2, 0.3])
    for call in (lambda: s2s.jvp(f)((p,), (np.ones(3),)), lambda: s2s.jacobian(f, mode="forward")(p),
                 lambda: s2s.jacobian(f)(p), lambda: s2s.vjp(f)(p)):  # (reverse mode: "getitem: its argument 2")
        with pytest.raises(s2s.NonDifferentiableError) as info:
            call()
        message = str(info.value)
        assert info.value.lineno == first_line(f), message
        assert "np.r_ and np.c_" in message and "np.concatenate" in message, message


# ----------------------------------------------------------------- a list display read by a NumPy elementwise function
# np.maximum([a, b * b], 0.1): the rules apply operators to their operands (x >= y, 2.0 * x), which a list does not
# take (a TypeError inside generated code); the display is read through np.asarray there now, as NumPy reads it.
def list_maximum(w):
    return np.sum(np.maximum([w[0], w[1] * w[1], w[2]], 0.1) * V)


def list_minimum(w):
    return np.sum(np.minimum([w[0], w[1] * w[1], w[2]], 0.1) * V)


def list_fmax(w):
    return np.sum(np.fmax([w[0], w[1] * w[1], w[2]], 0.1) * V)


def list_clip(w):
    return np.sum(np.clip([w[0], w[1] * w[2], w[2]], -0.4, 0.4) * V)


def list_power(w):
    return np.sum(np.power([w[0], w[1] * w[2]], 3.0))


def list_square(w):
    return np.sum(np.square((w[0], w[1] * w[2])))


def list_arctan(w):
    return np.sum(np.arctan([w[0], w[1] * w[2]]))


def list_arctan2(w):
    return np.sum(np.arctan2([w[1], 1.0], [w[0], w[2]]))


def list_divide(w):
    return np.sum(np.divide([w[0], w[1] * w[2]], 2.0))


LIST_ELEMENTWISE = [list_maximum, list_minimum, list_fmax, list_clip, list_power, list_square, list_arctan,
                    list_arctan2, list_divide]


@pytest.mark.parametrize("f", LIST_ELEMENTWISE, ids=lambda f: f.__name__)
def test_list_display_read_by_elementwise_function_forward(f):
    numeric = numeric_grad(f, (W,), 0)
    v = np.array([0.7, -0.2, 1.3])
    value, tangent = s2s.jvp(f)((W,), (v,))
    assert value == pytest.approx(f(W), rel=1e-12)
    assert_close(tangent, numeric @ v, what=f"{f.__name__}: jvp")
    assert_close(s2s.jacobian(f, mode="forward")(W), numeric, what=f"{f.__name__}: forward jacobian")


def test_list_display_read_by_elementwise_function_scalars():
    def f(a, b):  # the reproducer: numbers, each its own parameter
        return np.sum(np.maximum([a, b * b], 0.1))
    for t, expected in (((1.0, 0.0), 1.0), ((0.0, 1.0), 2 * 0.5)):
        assert_close(s2s.jvp(f, wrt=(0, 1))((0.3, 0.5), t)[1], expected, what=f"jvp along {t}")


def list_dot(w):
    return np.dot([w[0], 1.0], [2.0, w[1] * w[2]])


def list_multiply(w):
    return np.sum(np.multiply([w[0], 2.0], [0.8, w[1] * w[2]]))


def list_norm(w):
    return np.linalg.norm([w[0], 2.0 * w[1], 1.0])


def list_lstsq(w):
    return np.sum(np.linalg.lstsq([[w[0], 1.0], [2.0, 3.0], [1.0, 1.0]], [1.0, w[1], w[2]], rcond=None)[0])


@pytest.mark.parametrize("f", LIST_ELEMENTWISE + [list_dot, list_multiply, list_norm, list_lstsq],
                         ids=lambda f: f.__name__)
def test_list_display_read_as_array_in_every_mode(f):
    # reverse mode crashed as forward mode did (TypeError inside the rules); np.dot, np.multiply, norms and
    # np.linalg read lists as arrays too (hunt4lin: products and linear algebra of lists)
    assert_close(check_every_mode(f, W), numeric_grad(f, (W,), 0), what=f.__name__)
