"""Runtime helpers of the scipy.linalg rules (spelled `rt.name` in generated code; see s2s/rules/scipy_linalg.py).

They need NumPy only, not scipy.
"""
from __future__ import annotations

import numpy as np

__all__ = ["lu_rows"]


def lu_rows(piv):
    """The row order `p` of an LU factorization with LAPACK's pivots `piv` (scipy.linalg.lu_factor's second
    result, the row swapped with row i at step i): `a[p]` is `L @ U`. It carries no derivative."""
    rows = np.arange(len(piv))
    for i, j in enumerate(piv):
        rows[i], rows[j] = rows[j], rows[i]
    return rows
