"""Helpers of library calls s2s reads as compositions of others (rules' `lowered`): the variables of
`np.cov(m, y)` joined in rows as NumPy joins them, and the divisor of `np.linspace(..., retstep=True)`'s step."""
from __future__ import annotations

import numpy as np

__all__ = ["cov_rows", "cov_rows_part", "linspace_divisor"]


def _rows(v, rowvar):
    """v as np.cov reads m or y: at least 2-D, variables in rows (transposed for rowvar=False unless one row)."""
    x = np.array(v, ndmin=2)
    if x.ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    return x.T if not rowvar and x.shape[0] != 1 else x


def cov_rows(m, y, rowvar=True):
    """The variables np.cov(m, y, rowvar) reads: m's rows then y's (NumPy's concatenate((X, y), axis=0)), each
    in rows as `rowvar` says. Linear in m and y (its transpose: cov_rows_part)."""
    return np.concatenate((_rows(m, rowvar), _rows(y, rowvar)), axis=0)


def cov_rows_part(g, m, y, rowvar=True, part=0):
    """The part of `g`, shaped as cov_rows(m, y, rowvar), that came from m (part 0) or y (part 1), in that
    argument's own shape: the transpose of cov_rows in it. Linear in g."""
    g = np.asarray(g)
    k = _rows(m, rowvar).shape[0]
    piece, v = (g[:k], m) if part == 0 else (g[k:], y)
    return np.reshape(piece.T if not rowvar and np.array(v, ndmin=2).shape[0] != 1 else piece, np.shape(v))


def linspace_divisor(num, endpoint=True):
    """What np.linspace(start, stop, num, endpoint) divides stop - start by for its step: num - 1 (num without
    the endpoint), NaN where that is not positive (NumPy's step is NaN there). Carries no derivative."""
    div = (num - 1) if endpoint else num
    return div if div > 0 else np.nan
