"""Round 8, copies taken for views and a rule's parameter rebound to a copy (hunt8autograd F6, F4 and minor notes).
Each derivative checked against central differences (conftest.check_every_mode: value_and_grad, jvp, both
Jacobians, the Hessian, the Jacobian of the gradient) or an analytic value; the caller's array left as it was."""
import numpy as np
import pytest

import s2s
from s2s.errors import S2SError
from tests.conftest import assert_close, check_every_mode, numeric_grad

W = np.array([[0.3, -0.2], [0.5, 0.1]])
X3 = np.array([0.5, -0.2, 0.8])

# --------------------------------------------------------------------------- F6: x.flatten() is a new array (NumPy
# copies it always), where s2s read it as np.ravel, a view: writing into it was refused as changing the caller's array


def flat_element_write(W):
    theta = W.flatten()
    theta[0] = 0.0
    return np.sum(theta ** 2) + np.sum(W)


def flat_in_place(W):
    theta = W.flatten()
    theta *= 0.5
    return np.sum(theta ** 2) + np.sum(W)


def flat_of_computed(W):
    v = (W * 2.0).flatten()
    v += 1.0
    v[1] = v[0] * v[2]
    return np.sum(v ** 2)


def flat_fortran(W):
    theta = W.flatten("F")
    theta[1] = 3.0 * theta[0]
    return np.sum(theta ** 3)


def flat_by_function(W):
    theta = np.ndarray.flatten(W)
    theta[0] = 0.0
    return np.sum(theta ** 2)


@pytest.mark.parametrize("f", [flat_element_write, flat_in_place, flat_of_computed, flat_fortran, flat_by_function])
def test_a_write_into_a_flattened_copy_is_followed(f):
    check_every_mode(f, W)


def test_a_flattened_copy_has_the_analytic_gradient():
    assert_close(s2s.grad(flat_element_write)(W).ravel(), 2 * W.ravel() * np.array([0, 1, 1, 1]) + 1)
    assert_close(s2s.grad(flat_in_place)(W).ravel(), 0.5 * W.ravel() + 1)


def test_generated_code_writes_flatten_as_the_user_did():
    text = s2s.grad(flat_element_write).source
    assert "theta = W.flatten()" in text and "np.ravel" not in text


def test_a_raveled_view_is_still_refused():
    def f(W):
        theta = W.ravel()
        theta[0] = 0.0
        return np.sum(theta ** 2)
    with pytest.raises(S2SError):
        s2s.grad(f)(W)


# --------------------------------------------------------------------------- F6: an element write into a read by an
# advanced index (a list, an argsort, a mask): NumPy's read is a copy, where s2s refused the write as one into the
# caller's array or a view (while `sub += 1.0` on the same copy was accepted)


def listed_copy(x):
    sub = x[[0, 2]]
    sub[0] = 0.0
    return np.sum(sub ** 2) + np.sum(x * x[[0, 2, 1]])


def sorted_copy(x):
    s = x[np.argsort(x)]
    s[-1] = 0.0
    return np.sum(s * np.arange(3.0))


def masked_copy(x):
    pos = x[x > 0]
    pos[0] = pos[0] * pos[-1]
    return np.sum(pos ** 2)


def computed_copies(x):
    y = np.sin(x) * 2.0
    a = y[[0, 1, 2]]
    a[1] = 3.0 * a[0]
    b = y[y > -10]
    b[2] = b[0] ** 2
    idx = np.argsort(y)
    c = y[idx]
    c[0] += y[2]
    c *= 2.0
    return np.sum(a * b) + np.sum(c ** 2) + np.sum(y)


def copied_rows(x):
    M = np.outer(x, x)
    rows = M[[2, 0], :]
    rows[0, 1] = 1.5
    rows[1] = rows[1] * x
    return np.sum(rows ** 2) + np.sum(M)


def nonzero_copy(x):
    s = x[np.nonzero(x > 0)]
    s[0] = s[-1] ** 2
    return np.sum(s * np.sum(x))


def converted_list(x):
    v = np.asarray([x[0], x[1] * 2.0, x[2]])
    v[0] = v[2] * v[1]
    y = np.sin(x)
    w = np.asarray(list(y))
    w[1] = 0.5
    t = np.ascontiguousarray((x[1], x[2]))
    t[1] = 2.0 * t[0]
    return np.sum(v ** 2) + np.sum(w * y) + np.sum(t ** 3)


@pytest.mark.parametrize("f", [listed_copy, sorted_copy, masked_copy, computed_copies, copied_rows, nonzero_copy,
                               converted_list])
def test_a_write_into_an_advanced_index_copy_is_followed(f):
    check_every_mode(f, X3)


def test_an_advanced_index_copy_has_the_analytic_gradient():
    # (listed_copy: sub = [x0, x2] with sub[0] = 0, so x2 ** 2 + x . [x0, x2, x1]: [2 x0, 2 x2, 2 x2 + 2 x1])
    assert_close(s2s.grad(listed_copy)(X3), [2 * 0.5, 2 * 0.8, 2 * 0.8 + 2 * -0.2])
    assert_close(s2s.grad(sorted_copy)(X3), [1.0, 0.0, 0.0])  # (s = [x1, x0, x2], s[2] = 0: the sum is x0)


def test_an_in_place_operator_on_an_argsort_copy_is_followed():
    def f(x):
        s = x[np.argsort(x)]
        s += 1.0
        s[0] *= 2.0
        return np.sum(s * np.arange(3.0))
    check_every_mode(f, X3)


def test_a_basic_index_is_still_a_view():
    def tuple_index(x):
        idx = (0, 1)
        r = x[idx]
        r[0] = 0.0
        return np.sum(r)

    def converted_array(x):
        r = np.asarray(x)
        r[0] = 0.0
        return np.sum(r)
    for f in (tuple_index, converted_array):
        with pytest.raises(S2SError):
            s2s.grad(f)(np.ones((2, 2, 2)))

    def row(M, i):
        r = M[i]
        r[0] = 0.0
        return np.sum(r)

    def part(x):
        r = x[1:]
        r[0] = 0.0
        return np.sum(r)
    with pytest.raises(S2SError):
        s2s.grad(row)(np.eye(2), 0)
    with pytest.raises(S2SError):
        s2s.grad(part)(X3)


# --------------------------------------------------------------------------- F4: a rule for a function that rebinds
# its parameter to a copy before writing into it (`x = np.copy(x); x -= m`) was refused as writing into the
# caller's array, with advice that repeated what the function did; a write through another name for the parameter
# (`y = x; y -= m`) was accepted, and the caller's array changed unseen


def lse_copy(x):
    x = np.copy(x)
    m = x.max()
    x -= m
    return m + np.log(np.sum(np.exp(x)))


def lse_method_copy(x):
    x = x.copy()
    m = x.max()
    x -= m
    return m + np.log(np.sum(np.exp(x)))


def lse_array(x):
    x = np.array(x, dtype=float)
    m = np.max(x)
    x -= m
    x[0] += 0.0
    return m + np.log(np.sum(np.exp(x)))


def lse_both_branches(x):
    if x.ndim > 1:
        x = x.ravel().copy()
    else:
        x = x * 1.0
    m = x.max()
    for _ in range(1):
        x -= m / 2
    x -= m / 2
    return m + np.log(np.sum(np.exp(x)))


def _softmax_rule(g, ans, x):
    return (g * np.exp(x - ans),)


@pytest.mark.parametrize("lse", [lse_copy, lse_method_copy, lse_array, lse_both_branches])
def test_a_rule_for_a_function_that_copies_its_parameter_first_is_accepted(lse):
    s2s.adjoint(lse)(_softmax_rule)

    def f(y):
        z = y ** 2
        return lse(z) + np.sum(z)
    y = np.array([0.1, 0.2, -0.3])
    kept = y.copy()
    value, g = s2s.value_and_grad(f)(y)
    assert value == pytest.approx(f(y))
    z = y ** 2
    softmax = np.exp(z - np.log(np.sum(np.exp(z))))
    assert_close(g, 2 * y * softmax + 2 * y)  # (analytic)
    assert_close(g, numeric_grad(f, (y,), 0))
    assert np.array_equal(y, kept)


def lse_alias(x):
    y = x
    y -= 0.5
    return np.log(np.sum(np.exp(y)))


def lse_view(x):
    y = x.reshape(-1)
    y[0] = 0.0
    return np.log(np.sum(np.exp(y)))


def lse_copy_in_one_branch(x, flag):
    if flag:
        x = np.copy(x)
    x -= 0.5
    return np.log(np.sum(np.exp(x)))


def lse_rows(x):
    for row in x:
        row *= 2.0
    return np.log(np.sum(np.exp(x)))


def lse_out(x):
    y = x[1:]
    np.exp(y, out=y)
    return np.log(np.sum(y))


@pytest.mark.parametrize("lse, name", [(lse_alias, "y"), (lse_view, "y"), (lse_copy_in_one_branch, "x"),
                                       (lse_rows, "row"), (lse_out, "y")])
def test_a_rule_for_a_function_that_writes_through_another_name_is_refused(lse, name):
    with pytest.raises(S2SError, match=rf"(?s)which writes into its parameter 'x' in place.*{name} = np.copy"):
        s2s.adjoint(lse)(lambda g, ans, x, *rest: (g * np.exp(x - ans),) + (None,) * len(rest))


# --------------------------------------------------------------------------- minor notes: enumerate(xs, start=1)
# was refused (a common spelling: autograd's `for k, (W, b) in enumerate(params, start=1)`); np.linalg.qr's
# refusal of mode='complete' advised what fits only mode='r'


def weighted_layers(x):
    params = [(np.array([[1.0, 0.5], [-0.3, 2.0]]), np.ones(2)), (2.0 * np.eye(2), np.zeros(2))]
    s = 0.0
    for k, (A, b) in enumerate(params, start=1):
        s = s + k * np.sum(np.tanh(A @ x + b))
    for j, v in enumerate(x, 2):
        s = s + j * v ** 2
    return s + sum(i * v ** 3 for i, v in enumerate(x, 1)) + np.sum(np.array([i * v for i, v in enumerate(x, -1)]))


def test_enumerate_with_a_start_value_counts_from_it():
    check_every_mode(weighted_layers, np.array([0.3, -0.2]))
    x = np.array([0.3, -0.2])
    expected = sum(k * (1 - np.tanh(A @ x + b) ** 2) @ A for k, (A, b) in enumerate(
        [(np.array([[1.0, 0.5], [-0.3, 2.0]]), np.ones(2)), (2.0 * np.eye(2), np.zeros(2))], 1)) + \
        np.array([2, 3]) * 2 * x + np.array([1, 2]) * 3 * x ** 2 + np.array([-1, 0])
    assert_close(s2s.grad(weighted_layers)(x), expected)  # (analytic)


def test_qr_complete_mode_advice_fits_it():
    def f(a):
        q, r = np.linalg.qr(a, mode="complete")
        return np.sum(r ** 2)
    with pytest.raises(S2SError, match=r"(?s)mode='complete'.*of a tall a.*the reduced factors") as info:
        # (a square or wide a's complete factors are the reduced ones, exact since fix17lib)
        s2s.grad(f)(np.random.RandomState(0).randn(3, 2))
    assert "mode='r' gives the same r" not in str(info.value)
