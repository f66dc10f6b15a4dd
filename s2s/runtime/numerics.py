"""Helpers for the rules of the NumPy functions of numerical code: polynomials, finite differences, quantiles.

Generated code reaches these as `rt.<name>`. Each is pure (it returns new arrays and never writes into its
arguments) and its docstring names the derivative it implements: `g` is the adjoint of the NumPy call's
result, `ans` the result itself, `d` a tangent.
"""
from __future__ import annotations

import numpy as np

__all__ = ["vander_slope", "polyder_adjoint", "gradient_adjoint"]


# ---------------------------------------------------------------- polynomials
def vander_slope(x, N=None, increasing=False, order=1):
    """The `order`-th derivative of `np.vander(x, N, increasing)` with respect to each x_j, row j: the
    columns x ** k become k (k - 1) ... (k - order + 1) x ** (k - order), 0 where k < order (no 0 ** -1)."""
    x = np.asarray(x)
    n = len(x) if N is None else N
    powers = np.arange(n) if increasing else np.arange(n - 1, -1, -1)
    coefficient = np.ones(n)
    for j in range(order):
        coefficient = coefficient * (powers - j)
    return coefficient * x[:, None] ** np.maximum(powers - order, 0)


def polyder_adjoint(g, p):
    """Adjoint of `np.polyder(p)` (the coefficients p[i] (n - 1 - i), highest power first): g[i] (n - 1 - i),
    and 0 for the constant term; a constant polynomial's derivative [0.] passes nothing back."""
    n = np.size(p)
    g = np.asarray(g)
    return np.reshape(np.concatenate([g[:n - 1] * np.arange(n - 1, 0, -1), np.zeros(1)]), np.shape(p))


# ---------------------------------------------------------------- finite differences
def _gradient_axes(f, axis):
    ndim = np.ndim(f)
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(a % ndim for a in axes)


def gradient_adjoint(g, f, *varargs, axis=None, edge_order=1):
    """Adjoint of `np.gradient(f, *varargs, axis=axis, edge_order=edge_order)` with respect to f: along each
    axis the transpose of the difference operator NumPy applies there (its matrix, built by np.gradient of
    the identity, so that edges, edge_order and constant coordinate arrays are NumPy's own), summed over
    the axes. `g` is one adjoint, or one per axis (a list) where np.gradient returns one array per axis."""
    f = np.asarray(f)
    axes = _gradient_axes(f, axis)
    parts = list(g) if isinstance(g, (list, tuple)) else [g]
    if len(varargs) == 1 and len(axes) > 1:
        varargs = varargs * len(axes)  # (one spacing for every axis)
    out = np.zeros(f.shape, dtype=np.result_type(f.dtype, np.float64))
    for k, a in enumerate(axes):
        part = np.broadcast_to(np.asarray(parts[k], dtype=out.dtype), f.shape)
        spacing = () if not varargs else (varargs[k],)
        d = np.gradient(np.eye(f.shape[a]), *spacing, axis=0, edge_order=edge_order)  # out along a = d @ f
        out = out + np.moveaxis(np.tensordot(d.T, np.moveaxis(part, a, 0), axes=1), 0, a)
    return out
