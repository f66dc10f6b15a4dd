"""A constant scipy.sparse matrix in a product with an array the function differentiates (`A @ X` of a graph's
adjacency or a stiffness matrix, `x @ A`, `np.dot(A, x)`): the products' adjoints and tangents written with the
sparse matrix's own `@`, which takes a vector or a matrix; s2s differentiates with respect to the dense operand.

NumPy's helpers read a sparse matrix as one object (`np.ndim(A) == 0`), so each product helper asks `is_sparse`
first and hands such an operand to `left` (`A @ x`) or `right` (`x @ A`) below.
"""
from __future__ import annotations

import numpy as np

__all__ = ["is_sparse"]


def is_sparse(x) -> bool:
    """Is `x` a scipy.sparse matrix or array (read without importing scipy)?"""
    return not isinstance(x, np.ndarray) and hasattr(x, "tocsr") and hasattr(x, "nnz")


def left(S, x, batched: bool = False):
    """`S @ x` of a dense vector or matrix x; with `batched`, of each of x's tangents along its first axis."""
    x = np.asarray(x)
    if not batched:
        return np.asarray(S @ x)
    if x.ndim == 2:  # (n, k) vectors: S @ x.T, each a column
        return np.asarray(S @ x.T).T
    n, k = x.shape[0], x.shape[1]
    cols = np.moveaxis(x, 0, 1).reshape(k, -1)  # (k, n * m): each tangent's matrix, side by side
    return np.moveaxis(np.asarray(S @ cols).reshape((S.shape[0], n) + x.shape[2:]), 0, 1)


def right(x, S):
    """`x @ S` of a dense array x of any rank (its last axis against S's first): a stack of rows."""
    x = np.asarray(x)
    rows = x.reshape(-1, x.shape[-1])
    return np.asarray(S.T @ rows.T).T.reshape(x.shape[:-1] + (S.shape[1],))


def refuse(what: str):
    """The error for a sparse operand the function differentiates with respect to."""
    return TypeError(f"s2s differentiates {what} with respect to NumPy arrays, not a scipy.sparse matrix: pass the "
                     "sparse matrix as data (not in wrt), or its dense form (A.toarray()) to differentiate with "
                     "respect to it")
