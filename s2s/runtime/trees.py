"""Containers of numbers and arrays (pytrees) and the precision of derivatives, as the transformations and the
generated entry points of s2s.jacobian and s2s.hessian (runtime/jacobians.py) read them.

`leaves(tree)` lists a tree's numbers and arrays in a fixed order (tuples and lists by position, dicts in their own
key order, dataclasses by field); `structure(tree)` rebuilds the structure from such a list (api/py has the
rest). `like(d, template)` gives a derivative its argument's precision: a float32 (or float16) leaf's derivative
is float32, a float64 one's as it came out (api/precision.py).
"""
from __future__ import annotations

import copy
import warnings
from typing import Callable

import numpy as np

from s2s.runtime.core import DictParts, fields_of, is_record
from s2s.runtime.indexing import record_of
from s2s.runtime.settled import NARROW as _NARROW, cast_leaf

__all__: list = []  # (read as rt.trees by no generated code: runtime/jacobians.py and api/ import from here)

CONTAINERS = (tuple, list, dict)


def is_container(x) -> bool:
    return isinstance(x, CONTAINERS) or is_record(x)


def leaves(tree) -> list:
    """The numbers and arrays in `tree`, in order."""
    if is_record(tree):
        return [leaf for k in fields_of(tree) for leaf in leaves(getattr(tree, k))]
    if isinstance(tree, dict):
        return [leaf for v in tree.values() for leaf in leaves(v)]
    if isinstance(tree, (tuple, list)):
        return [leaf for v in tree for leaf in leaves(v)]
    return [tree]


def structure(tree) -> Callable[[list], object]:
    """`build(new_leaves)`: `tree`'s structure (plain tuple, list and dict; a namedtuple stays one) with
    `new_leaves` in place of its leaves."""
    def build(values):
        it = iter(values)
        return _rebuild(tree, it)
    return build


def _rebuild(t, it):
    if is_record(t):
        return record_of(t, {k: _rebuild(getattr(t, k), it) for k in fields_of(t)})
    if isinstance(t, dict):
        return same_dict(t, [(k, _rebuild(v, it)) for k, v in t.items()])
    if isinstance(t, tuple):
        parts = [_rebuild(v, it) for v in t]
        return type(t)(*parts) if hasattr(t, "_fields") else tuple(parts)
    if isinstance(t, list):
        return [_rebuild(v, it) for v in t]
    return next(it)


def same_dict(template: dict, items: list) -> dict:
    """A dict of `items` of `template`'s own type where that is the user's: an OrderedDict for an OrderedDict, a
    defaultdict with its default_factory for a defaultdict, a dict subclass's copy of the argument (a plain dict
    where that fails, and for the runtime's DictParts, whose + adds part by part)."""
    if type(template) is dict or isinstance(template, DictParts):
        return dict(items)
    try:
        out = copy.copy(template)
        out.clear()
        out.update(items)
        return out
    except Exception:  # (a subclass whose copy, clear or update does more than a dict's)
        return dict(items)


def leaves_like(g, template) -> list:
    """The leaves of `g`, a derivative with `template`'s structure, each of its template leaf's shape.

    A bare number where the template has a container or an array (a zero that stands for the whole
    part, or a derivative NumPy broadcast) is spread over that part."""
    if is_record(template):
        if isinstance(g, dict) or is_record(g):
            get = g.__getitem__ if isinstance(g, dict) else lambda k: getattr(g, k)  # noqa: E731
            return [leaf for k in fields_of(template) for leaf in leaves_like(get(k), getattr(template, k))]
        return [leaf for k in fields_of(template) for leaf in leaves_like(g, getattr(template, k))]
    if isinstance(template, dict):
        if isinstance(g, dict):
            return [leaf for k, v in template.items() for leaf in leaves_like(g[k], v)]
        return [leaf for v in template.values() for leaf in leaves_like(g, v)]
    if isinstance(template, (tuple, list)):
        g = rows(g, template)
        if isinstance(g, (tuple, list)):
            return [leaf for a, v in zip(g, template) for leaf in leaves_like(a, v)]
        return [leaf for v in template for leaf in leaves_like(g, v)]
    return [np.broadcast_to(np.asarray(g, dtype=float), np.shape(template))]


def rows(g, template):
    """`g`, the derivative of the list or tuple `template`, as a list of one part per element where it is an
    ndarray: a NumPy function reads a sequence passed whole as the array of it (np.cumsum(xs) as
    np.cumsum(np.asarray(xs))), and its adjoint is that array's, whose rows are the elements' derivatives. `g`
    itself where it is no such array (a number: a zero for the whole), or where its rows do not fit the elements
    (another length, ragged elements: `arguments.structured` reports it)."""
    if type(g) is not np.ndarray or g.ndim == 0 or not isinstance(template, (tuple, list)):
        return g
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # (NumPy < 1.24 warns of ragged parts and makes an object array)
            shape = np.shape(template)
    except (ValueError, Warning):
        return g  # (ragged parts: no array NumPy reads)
    if g.shape != shape:
        try:  # (an adjoint NumPy broadcast, 0.0 + np.asarray(xs)'s: its rows are the elements')
            g = np.broadcast_to(g, shape)
        except ValueError:
            return g
    return list(g)


def zeros_leaf(leaf):
    """A zero tangent for one leaf: 0.0 for a number, a float array of its shape for an array."""
    if isinstance(leaf, np.ndarray):
        return np.zeros(leaf.shape)
    return 0.0


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
        if narrow(v) is not None or is_container(v) and has_narrow(leaves(v)):
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
    if is_container(template) and is_container(d):
        return _blocks(d, template, outer=False)
    return d


def hessian_like(h, template):
    """A Hessian's blocks with respect to `template`: h[a][b], the derivative of the gradient's leaf a (nested as
    `template` around a leaf b of the other argument), in the precision of the gradient it differentiates, that
    of `template`'s leaf a."""
    if narrow(template) is not None or not (is_container(template) and is_container(h)):
        return like(h, template)
    return _blocks(h, template, outer=True)


def _blocks(d, template, outer: bool):
    """`d`'s leaves, n per leaf of `template` (n = 1 for a derivative with its structure), each cast to the dtype
    of its leaf of `template`: the leaf b of a Jacobian's block J[a][b] (leaf i of d is that of leaf i % m of
    `template`, m its leaves), or with `outer` the leaf a (i // n)."""
    parts, targets = leaves(d), leaves(template)
    m = len(targets)
    if not m or len(parts) % m or not any(narrow(t) is not None for t in targets):
        return d
    n = len(parts) // m
    return structure(d)([like(p, targets[i // n if outer else i % m]) for i, p in enumerate(parts)])


def _cast(d, dtype):
    if is_container(d):
        return structure(d)([cast_leaf(p, dtype) for p in leaves(d)])
    return cast_leaf(d, dtype)


def like_arguments(grads, templates: list, single: bool):
    """The derivatives with respect to the wrt arguments `templates` (one where `single`, else a tuple of them)
    in their arguments' precision."""
    if single:
        return like(grads, templates[0])
    if type(grads) is not tuple or len(grads) != len(templates):
        return grads
    return tuple(like(g, t) for g, t in zip(grads, templates))
