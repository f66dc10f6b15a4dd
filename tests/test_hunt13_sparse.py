"""Round 13's regression hunt (hunt13reg F0): a scipy.sparse matrix outside wrt in `S * x` (its matrix product) or
`x * S` was let through the check of data outside wrt (a sparse matrix's products are differentiated where written
with @), and read as NumPy's elementwise product: wrong gradients, forward Jacobians and Hessians without a word, a
crash for a 2-D X, an object array for a sparse array. It is refused at the user's line, advising @, whose
derivatives are checked against finite differences."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad, numeric_hessian

sp = pytest.importorskip("scipy.sparse")

X = np.array([0.4, -0.2, 0.9])
A = np.array([[1.0, 2.0, 0.0], [0.3, 0.0, 2.0], [0.0, 0.2, 0.3]])


def product_by_star(x, S):
    return np.sum((S * x) ** 2)


def product_by_star_on_the_right(x, S):
    return np.sum(np.sin(x * S))


def product_by_at(x, S):
    return np.sum((S @ x) ** 2)


def product_by_at_on_the_right(x, S):
    return np.sum(np.sin(x @ S))


@pytest.mark.parametrize("f", [product_by_star, product_by_star_on_the_right])
@pytest.mark.parametrize("make", [sp.csr_matrix, sp.csc_matrix, sp.coo_matrix])
def test_a_sparse_matrixs_star_is_refused_in_every_mode(f, make):
    S = make(A)
    for transform in (s2s.grad(f), s2s.jacobian(f, mode="forward"), s2s.jacobian(f), s2s.hessian(f)):
        with pytest.raises(s2s.S2SError, match=r"(?s)scipy\.sparse .*write a matrix product with @"):
            transform(X, S)


def test_a_sparse_arrays_star_is_refused():
    if not hasattr(sp, "csr_array"):
        pytest.skip("scipy without sparse arrays")
    with pytest.raises(s2s.S2SError, match=r"scipy\.sparse"):
        s2s.grad(product_by_star_on_the_right)(X, sp.csr_array(A))


@pytest.mark.parametrize("f", [product_by_at, product_by_at_on_the_right])
def test_the_advised_at_is_exact(f):
    S = sp.csr_matrix(A)
    dense = lambda x: f(x, A)  # noqa: E731 (the same function of the dense matrix)
    expected = numeric_grad(dense, (X,), 0)
    assert_close(s2s.grad(f)(X, S), expected, what="grad")
    assert_close(s2s.jacobian(f, mode="forward")(X, S), expected, what="forward jacobian")
    assert_close(s2s.hessian(f)(X, S), numeric_hessian(dense, X), 1e-4, 1e-5, what="hessian")


class Frame:
    """A library's labelled table (as pandas' DataFrame): NumPy's hooks, its own operators, columns by key."""

    __array_priority__ = 100

    def __init__(self, columns):
        self.columns = columns

    def __getitem__(self, key):
        return Column(self.columns[key])

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return NotImplemented


class Column(Frame):
    def __init__(self, values):
        self.values = np.asarray(values, dtype=float)

    def __sub__(self, other):  # (a label-aligned difference that skips missing values, as pandas' does)
        return np.nan_to_num(self.values - other)

    def __array__(self, dtype=None, copy=None):
        return self.values


def column_loss(theta, df):  # (hunt13stat F0: a DataFrame's column, then arithmetic of its class)
    y = df["y"]
    return np.mean(W3 * (y - theta[0]))


W3 = np.array([1.0, 2.0, 3.0])


def test_an_item_of_a_librarys_array_like_is_checked_as_it():
    df = Frame({"y": [1.0, np.nan, 3.0]})
    with pytest.raises(s2s.S2SError, match=r"(?s)is a Frame.*np\.asarray"):
        s2s.grad(column_loss)(np.array([0.5]), df)


def test_a_pandas_column_is_refused():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"y": [1.0, np.nan, 3.0]})
    with pytest.raises(s2s.S2SError, match=r"(?s)DataFrame.*np\.asarray"):
        s2s.grad(column_loss)(np.array([0.5]), df)
