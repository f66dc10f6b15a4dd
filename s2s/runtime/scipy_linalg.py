"""Runtime helpers of the scipy.linalg rules (spelled `rt.name` in generated code; see s2s/rules/scipy_linalg.py).

They need NumPy only, not scipy.
"""
from __future__ import annotations

import numpy as np

from s2s.errors import S2SError

__all__ = ["lu_rows", "single_matrix"]


def lu_rows(piv):
    """The row order `p` of an LU factorization with LAPACK's pivots `piv` (scipy.linalg.lu_factor's second
    result, the row swapped with row i at step i): `a[p]` is `L @ U`. It carries no derivative."""
    rows = np.arange(len(piv))
    for i, j in enumerate(piv):
        rows[i], rows[j] = rows[j], rows[i]
    return rows


def single_matrix(a, function):
    """`a`, checked to be one real matrix: the rules of scipy.linalg's `function` are written for a 2-d `a` (SciPy's
    stacks of matrices, a leading batch axis, have none), and for real numbers (sqrtm of a matrix with a negative
    eigenvalue is complex)."""
    if np.iscomplexobj(a):
        raise S2SError(f"{function} gave complex numbers (the square root of a matrix with a negative eigenvalue, "
                       f"...): s2s differentiates real functions; keep the matrix's eigenvalues positive")
    if np.ndim(a) != 2:
        raise S2SError(f"{function} of an array of shape {np.shape(a)}: s2s differentiates it for one matrix only; "
                       f"call it on each matrix of the stack (a loop, or a list comprehension)")
    return a
