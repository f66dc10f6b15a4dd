"""Derivatives in their arguments' precision, as JAX gives them.

The generated code computes by NumPy's promotion rules, from an adjoint seed of 1.0 and the rules' Python-float
constants: some derivatives of a float32 argument come out float32 (np.sum(x ** 2)), others float64 (np.mean's
1.0 / n, np.max's tie shares, a product with a float64 number). A transformation gives them one rule: the
derivative with respect to a float32 (or float16) argument has the argument's dtype (grad, value_and_grad, vjp's
pullback, both Jacobians, the Hessian), and jvp's tangent has its value's dtype. A float64 argument's derivative
is left as it came out (the values are the function's own, whatever their dtype).
"""
from __future__ import annotations

import numpy as np

from s2s.api import pytree
from s2s.api.parameters import wrt_arguments
from s2s.runtime.settled import NARROW as _NARROW, cast_leaf


def narrow(a):
    """The dtype of `a` where it is a float array or NumPy number narrower than float64, else None."""
    if not isinstance(a, (np.ndarray, np.floating)):  # (no getattr: an AttrDict's __getattr__ raises KeyError)
        return None
    return a.dtype if a.dtype in _NARROW else None


def has_narrow(values) -> bool:
    """Does any of `values` (arguments, containers of them) hold a float32 or float16 leaf?"""
    for v in values:
        if type(v) is float or type(v) is np.ndarray and v.dtype.itemsize == 8:
            continue
        if narrow(v) is not None or pytree.is_container(v) and has_narrow(pytree.leaves(v)):
            return True
    return False


def like(d, template):
    """`d`, a derivative with respect to `template` (or a tangent of the value `template`), each float leaf in
    its template leaf's dtype where that is narrower than float64 (a container's leaves matched in order; `d`
    of a narrow array template may itself be a container, as a Jacobian of a container value is; a Jacobian of
    a container value with respect to a container, J[a][b], has the value's structure around the argument's, and
    its block J[a][b] takes the dtype of the argument's leaf b)."""
    dtype = narrow(template)
    if dtype is not None:
        return _cast(d, dtype)
    if pytree.is_container(template) and pytree.is_container(d):
        return _blocks(d, template, outer=False)
    return d


def hessian_like(h, template):
    """A Hessian's blocks with respect to `template`: h[a][b], the derivative of the gradient's leaf a (nested as
    `template` around a leaf b of the other argument), in the precision of the gradient it differentiates, that
    of `template`'s leaf a."""
    if narrow(template) is not None or not (pytree.is_container(template) and pytree.is_container(h)):
        return like(h, template)
    return _blocks(h, template, outer=True)


def _blocks(d, template, outer: bool):
    """`d`'s leaves, n per leaf of `template` (n = 1 for a derivative with its structure), each cast to the dtype
    of its leaf of `template`: the leaf b of a Jacobian's block J[a][b] (leaf i of d is that of leaf i % m of
    `template`, m its leaves), or with `outer` the leaf a (i // n)."""
    parts, targets = pytree.leaves(d), pytree.leaves(template)
    m = len(targets)
    if not m or len(parts) % m or not any(narrow(t) is not None for t in targets):
        return d
    n = len(parts) // m
    return pytree.structure(d)([like(p, targets[i // n if outer else i % m]) for i, p in enumerate(parts)])


def like_arguments(grads, templates: list, single: bool):
    """The derivatives with respect to the wrt arguments `templates` (one where `single`, else a tuple of them)
    in their arguments' precision."""
    if single:
        return like(grads, templates[0])
    if type(grads) is not tuple or len(grads) != len(templates):
        return grads
    return tuple(like(g, t) for g, t in zip(grads, templates))


def of_wrt(result, wrt_at, args: tuple, kwargs: dict, single: bool, f=None):
    """`result`, derivatives with respect to the arguments at `wrt_at` ((position, name), ...) of a call of the
    user's function `f`, in their precision (an argument left out: its default's)."""
    values = wrt_arguments(f, wrt_at or (), args, kwargs)
    return like_arguments(result, values, single) if has_narrow(values) else result


def _cast(d, dtype):
    if pytree.is_container(d):
        return pytree.structure(d)([cast_leaf(p, dtype) for p in pytree.leaves(d)])
    return cast_leaf(d, dtype)
