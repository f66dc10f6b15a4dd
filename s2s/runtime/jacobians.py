"""Jacobians and Hessians assembled from the generated vjp or jvp: what the entry point that ends the `.source` of
s2s.jacobian and s2s.hessian calls (`def jacobian_f(x): return rt.jacobian_reverse(vjp_f(x), (x,))`), and what
the callables run, so that the module imported on its own gives what they give.

Reverse mode pulls one basis cotangent per element of the value through the pullback; forward mode pushes the
basis tangents of the argument through the jvp, all at once as a leading batch axis (`jacobian_forward`, the
vector-mode jvp) or one by one (`jacobian_basis`). A Hessian is the forward-mode Jacobian of the gradient, each
block in the precision of the gradient it differentiates (its argument's).
"""
from __future__ import annotations

import math

import numpy as np

from s2s.errors import S2SError
from s2s.runtime.trees import hessian_like, is_container, leaves, leaves_like, like_arguments, structure, zeros_leaf

__all__ = ["jacobian_reverse", "jacobian_forward", "jacobian_columns", "jacobian_rows", "jacobian_basis", "jacobian_tuple", "hessian_forward",
           "hessian_basis", "hessian_blocks", "ContainerValue"]

_SCALARS = frozenset((float, int, np.float64, np.float32))  # one number: no structure, shape ()
_FLOAT64 = np.dtype(np.float64)
_BASES: dict = {}  # shape -> its read-only identity basis (the last few shapes: jacobian_forward)


class ContainerValue(Exception):
    """A vector-mode Jacobian met a tuple, list or dict value, which has no vector form: the caller pushes the
    basis tangents one by one instead (`jacobian_basis`)."""


def _plain(x) -> bool:
    return type(x) is np.ndarray or type(x) in _SCALARS


def _real(grads):
    """`grads`, refusing a complex one: a float row would drop its imaginary part without a word."""
    if type(grads) is np.ndarray and grads.dtype.kind == "c" or isinstance(grads, (complex, np.complexfloating)):
        raise S2SError("jacobian: a derivative came out complex: a complex value reached the function (an argument "
                       "it is not differentiated with respect to, a power of a negative number to a fractional "
                       "exponent, a complex dtype named by a string); s2s differentiates real functions, and its "
                       "rules are written for real numbers: pass the real and imaginary parts as two real arguments")
    return grads


def jacobian_reverse(value_pullback, xs: tuple, single: bool = True):
    """The Jacobian from `value_pullback`, the `(value, pullback)` of the generated vjp, with respect to the wrt
    arguments `xs` (one where `single`, else a tuple of them): shape `value.shape + x.shape`, a container value's
    structure around a container argument's (`J[a][b]`, as JAX's jacrev), in the arguments' precision."""
    value, pullback = value_pullback
    if _plain(value) and all(_plain(x) for x in xs):
        out = by_rows(value, pullback, xs, single)
    else:
        out = by_leaves(value, pullback, xs, single)
    return like_arguments(out, list(xs), single)


def by_rows(value, pullback, xs, single: bool):
    """One number or array with respect to numbers and arrays: each row of the identity as the cotangent, its
    pullback written into row i of the result."""
    shape = value.shape if type(value) is np.ndarray else ()
    m = math.prod(shape)
    out = [np.empty((m,) + np.shape(x)) for x in xs]
    for i in range(m):
        if shape:
            seed = np.zeros(m)  # (a new one per row: nothing the pullback keeps sees the next)
            seed[i] = 1.0
            if len(shape) != 1:
                seed = seed.reshape(shape)
        else:
            seed = 1.0
        grads = pullback(seed)
        if single:
            out[0][i] = _real(grads)  # (a bare zero stands for a whole array that does not depend on the value)
        else:
            for rows, g in zip(out, grads):
                rows[i] = _real(g)
    if len(shape) != 1:
        out = [rows.reshape(shape + np.shape(x)) for rows, x in zip(out, xs)]
    return out[0] if single else tuple(out)


def by_leaves(value, pullback, xs, single: bool):
    """A container value, or with respect to containers: one pullback per element of each leaf of the value, its
    parts gathered by the leaves of each wrt argument."""
    value_leaves = leaves(value)
    zeros = [np.zeros(np.shape(v)) if np.ndim(v) else 0.0 for v in value_leaves]
    build_value = structure(value)
    out = [[] for _ in xs]  # out[k][a]: the block of value leaf a, structured as wrt argument k
    for a, v in enumerate(value_leaves):
        shape = np.shape(v)
        rows = [[[] for _ in leaves(x)] for x in xs]  # rows[k][b]: one row per element of leaf a
        for idx in np.ndindex(*shape):
            seed = list(zeros)
            if shape:
                seed[a] = np.zeros(shape)
                seed[a][idx] = 1.0
            else:
                seed[a] = 1.0
            grads = pullback(build_value(seed))
            grads = [grads] if single else list(grads)
            for k, g in enumerate(grads):
                for b, part in enumerate(leaves_like(g, xs[k])):
                    rows[k][b].append(_real(part))
        for k, x in enumerate(xs):
            blocks = [np.array(r, dtype=float).reshape(shape + np.shape(leaf)) if r
                      else np.zeros(shape + np.shape(leaf)) for leaf, r in zip(leaves(x), rows[k])]
            out[k].append(structure(x)(blocks))
    if single:
        return build_value(out[0])
    # (the value's structure outermost, the wrt tuple inside: J[a][k], as JAX's jacrev with argnums)
    return build_value([tuple(out[k][a] for k in range(len(xs))) for a in range(len(value_leaves))])


def _basis(shape: tuple) -> np.ndarray:
    """The rows of the identity of an argument of this shape, with a leading batch axis, read-only (kept for the
    next calls: generated code never writes into a tangent it is given, and a write would raise)."""
    basis = _BASES.get(shape)
    if basis is None:
        n = math.prod(shape)
        basis = np.eye(n).reshape((n,) + shape)
        basis.flags.writeable = False
        if len(_BASES) >= 8:
            _BASES.pop(next(iter(_BASES)))
        _BASES[shape] = basis
    return basis


def jacobian_columns(column, x, y):
    """The Jacobian of a Jacobian with respect to the number or array `x`, then `y`: `column(e_j)`, for each basis
    vector e_j of x, is the derivative with respect to y of the inner Jacobian's column j, shape `value.shape +
    y.shape`; the result has x's axes between those, `value.shape + x.shape + y.shape`, in the arguments'
    precision (float32 where both are)."""
    shape, tail = np.shape(x), np.ndim(y)
    n = math.prod(shape)
    blocks = []
    for j in range(n):
        e = np.zeros(n)
        e[j] = 1.0
        block = column(e.reshape(shape) if shape else 1.0)
        if type(block) is not np.ndarray and not isinstance(block, (int, float, np.number)):
            raise ContainerValue("a tuple, list or dict value")
        blocks.append(np.asarray(block, dtype=float))
    out = np.stack(blocks)
    out = np.moveaxis(out, 0, out.ndim - 1 - tail)
    out = out.reshape(out.shape[:out.ndim - 1 - tail] + shape + out.shape[out.ndim - tail:])
    narrow = all(getattr(v, "dtype", None) == np.float32 for v in (x, y))
    return out.astype(np.float32) if narrow else out


def jacobian_rows(row, value, x, y):
    """The Jacobian of a Jacobian with respect to the number or array `x`, then `y`, by rows: `row(e_i)`, for each
    basis vector e_i of the array `value` (f's), is the derivative with respect to y of the pullback of e_i (row i
    of the inner Jacobian, the gradient of f's element i in x), shape `x.shape + y.shape`; the result is `value.shape
    + x.shape + y.shape`, in the arguments' precision (float32 where both are)."""
    if type(value) is not np.ndarray and not isinstance(value, (int, float, np.number)):
        raise ContainerValue("a tuple, list or dict value")
    shape = np.shape(value)
    n = math.prod(shape)
    blocks = []
    for i in range(n):
        e = np.zeros(n)
        e[i] = 1.0
        blocks.append(np.asarray(row(e.reshape(shape) if shape else 1.0), dtype=float))
    out = np.stack(blocks).reshape(shape + np.shape(x) + np.shape(y))
    narrow = all(getattr(v, "dtype", None) == np.float32 for v in (x, y))
    return out.astype(np.float32) if narrow else out


def jacobian_forward(push, x, tangents_only: bool = False, precision: bool = True):
    """The Jacobian with respect to the array `x` by vector mode: `push(basis)`, the generated vector-mode jvp
    given all basis tangents of `x` at once (a leading batch axis), returns `(value, tangents)` (the tangents
    alone with `tangents_only`, for a Hessian, whose value has x's shape); shape `value.shape + x.shape`, in x's
    precision."""
    shape = x.shape if type(x) is np.ndarray else np.shape(x)
    basis = _basis(shape)
    n = len(basis)
    t = push(basis)
    if tangents_only:
        vshape = shape
    else:
        value, t = t
        if type(value) is not np.ndarray and is_container(value):
            raise ContainerValue("a tuple, list or dict value")  # (its parts' Jacobians, leaf by leaf: by basis)
        vshape = value.shape if type(value) is np.ndarray else np.shape(value)
    # (per-call cost at the Rosenbrock Hessian's size: np.prod, np.broadcast_to and np.moveaxis took ~8 us of
    # Python; the batch axis moves last by a transpose of the (n, size of value) matrix)
    if type(t) is not np.ndarray or t.dtype is not _FLOAT64 and t.dtype != np.float64:
        t = np.asarray(_real(t), dtype=float)
    if t.shape != (n,) + vshape:
        t = np.broadcast_to(t, (n,) + vshape)
    if len(vshape) == 1 and len(shape) == 1:
        out = t.T  # (a vector's Jacobian with respect to a vector: the two reshapes would give the same view)
    else:
        out = t.reshape(n, math.prod(vshape)).T.reshape(vshape + shape)
    # (the basis itself or a broadcast, returned as they are, are read-only: the caller gets its own array)
    out = out if out.flags.writeable else out.copy()
    return like_arguments(out, [x], True) if precision and (type(x) is not np.ndarray or x.dtype is not _FLOAT64) \
        else out


class ValueParts:
    """The Jacobian with respect to one entry of a tuple wrt, of a tuple, list or dict value: its block per leaf
    of the value (`jacobian_tuple` nests them inside the value's structure)."""

    def __init__(self, value, parts: list):
        self.value, self.parts = value, parts


def jacobian_basis(push, x, value_like=None, blocks: bool = False, precision: bool = True):
    """The Jacobian with respect to `x` (a number, an array or a container of them) by one basis tangent per
    element of each of its leaves: `push(tangent)`, the generated jvp, returns `(value, tangent of the value)`.
    For leaf `b` of `x` and leaf `a` of the value, the block has shape `a.shape + b.shape`; blocks are nested as
    the value's structure around x's (`J[a][b]`, as JAX). With `value_like` (a Hessian's: the value is a
    gradient), the value has its structure. With `blocks` (one entry of a tuple wrt) a container value's blocks
    are left for `jacobian_tuple` to nest."""
    x_leaves = leaves(x)
    zeros = [zeros_leaf(leaf) for leaf in x_leaves]
    build_x = structure(x)
    value = None
    columns = []  # columns[b]: one list of value leaves per element of x's leaf b
    for b, leaf in enumerate(x_leaves):
        shape = np.shape(leaf)
        n = int(np.prod(shape, dtype=int))
        columns.append([])
        for i in range(n):
            e = np.zeros(n)
            e[i] = 1.0
            tangent = list(zeros)
            tangent[b] = e.reshape(shape) if type(leaf) is np.ndarray else 1.0  # (a 0-d array's: a 0-d array)
            value, t = push(build_x(tangent))
            columns[b].append(leaves_like(t, value if value_like is None else value_like))
    if value is None:  # an empty argument
        value = push(build_x(zeros))[0]
    if value_like is not None:
        value = value_like
    value_leaves = leaves(value)
    parts = []
    for a, out in enumerate(value_leaves):
        row = []
        for b, leaf in enumerate(x_leaves):
            cols = [c[a] for c in columns[b]]
            jac = np.stack(cols, axis=-1) if cols else np.zeros(np.shape(out) + (0,))
            row.append(np.asarray(_real(jac), dtype=float).reshape(np.shape(out) + np.shape(leaf)))
        parts.append(build_x(row))
    if blocks and is_container(value):  # (one entry of a tuple wrt: the caller nests the value outside)
        return ValueParts(value, parts)
    out = structure(value)(parts)
    return like_arguments(out, [x], True) if precision and not blocks else out


def jacobian_tuple(parts: tuple, xs: tuple):
    """The Jacobian with respect to a tuple wrt from its entries' (`jacobian_forward`, `jacobian_basis(...,
    blocks=True)`): their tuple; of a tuple, list or dict value, the value's structure outermost and the wrt tuple
    inside (`J[a][k]`, as JAX's jacfwd); in the arguments' precision."""
    if all(type(p) is ValueParts for p in parts):
        value = parts[0].value
        out = structure(value)([tuple(p.parts[a] for p in parts) for a in range(len(parts[0].parts))])
        return out
    return like_arguments(tuple(parts), list(xs), False)


def _hessian_block(h, xa, xb):
    """The block d grad_a / d x_b as a float array of shape `xa.shape + xb.shape` (a container of containers for
    container arguments), in the precision of the gradient it differentiates (xa's)."""
    if type(xa) is np.ndarray and type(xb) is np.ndarray:
        if not (type(h) is np.ndarray and (h.dtype is _FLOAT64 or h.dtype == np.float64) and
                h.shape == xa.shape + xb.shape):
            h = np.asarray(_real(h), dtype=float).reshape(xa.shape + xb.shape)
    elif not (is_container(xa) or is_container(xb)):
        h = np.asarray(_real(h), dtype=float).reshape(np.shape(xa) + np.shape(xb))
    return hessian_like(h, xa)


def hessian_forward(push, x):
    """The Hessian with respect to the array `x` by vector mode: `push(basis)`, the vector-mode jvp of the
    gradient, returns the gradient's tangents for all basis tangents at once."""
    h = jacobian_forward(push, x, tangents_only=True, precision=False)
    return h if h.dtype is _FLOAT64 and type(x) is np.ndarray and x.dtype is _FLOAT64 else _hessian_block(h, x, x)


def hessian_basis(push, x):
    """The Hessian with respect to `x` (a number, an array or a container) by one basis tangent per element:
    `push(tangent)`, the jvp of the gradient, returns `(gradient, its tangent)`. For a container, `H[a][b]`."""
    return _hessian_block(jacobian_basis(push, x, value_like=x, precision=False), x, x)


def hessian_blocks(pushes: tuple, xs: tuple):
    """The Hessian with respect to a tuple wrt: `H[i][j]`, the Jacobian of the gradient in `xs[i]` with respect to
    `xs[j]`, shaped as the Hessian with respect to one argument is where `i == j` (argument i's structure around
    argument j's). `pushes[j](tangent)`, the jvp of the gradient (the tuple of the gradients) in `xs[j]`, returns
    `(gradients, their tangents)`."""
    columns = [jacobian_basis(push, x, value_like=tuple(xs), blocks=True, precision=False).parts
               for push, x in zip(pushes, xs)]
    out = []
    start = 0  # (the leaves of the value, the tuple of gradients, are those of x_0, then of x_1, ...)
    for x in xs:
        count = len(leaves(x))
        build = structure(x) if is_container(x) else (lambda parts: parts[0])
        out.append(tuple(build(parts[start:start + count]) for parts in columns))
        start += count
    return tuple(tuple(_hessian_block(out[a][b], xa, xb) for b, xb in enumerate(xs)) for a, xa in enumerate(xs))
