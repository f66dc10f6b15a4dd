"""Containers of numbers and arrays (pytrees): their leaves, and the same structure rebuilt.

A pytree is a number, an ndarray, or a tuple, list, dict or dataclass instance
(nested to any depth) of pytrees, as in JAX and autograd; a namedtuple stays
one. runtime/trees.py's `leaves(tree)` lists the numbers and arrays in a fixed
order (tuples and lists by position, dicts in their own key order, dataclasses
by field); its `structure(tree)` gives the function that rebuilds the tree's
structure from a list of leaves in that order. `flatten(tree)` is the public
`s2s.flatten`: one float vector and its inverse, for optimisers that want a
single vector.
"""
from __future__ import annotations

import dataclasses
import linecache
import types

import numpy as np

from s2s.runtime.core import fields_of, is_record
from s2s.runtime.indexing import record_of
from s2s.errors import ArgumentTypeError, CallError
# (the leaves of a container and its structure rebuilt: in the runtime, where generated Jacobians read them too)
from s2s.runtime.trees import leaves, same_dict, structure, rows

_NUMBERS = (float, int)


def paths(tree, prefix: str = "") -> list:
    """How each leaf of `tree` is reached, in `leaves`' order: `['w']`, `[0]`, `.scale`."""
    if is_record(tree):
        return [p for k in fields_of(tree) for p in paths(getattr(tree, k), f"{prefix}.{k}")]
    if isinstance(tree, dict):
        return [p for k, v in tree.items() for p in paths(v, f"{prefix}[{k!r}]")]
    if isinstance(tree, (tuple, list)):
        return [p for i, v in enumerate(tree) for p in paths(v, f"{prefix}[{i}]")]
    return [prefix]


def like(g, template):
    """A derivative `g` with the structure of `template` where that is a dataclass (the adjoint of one is a dict
    of its fields: the dataclass itself is given back, `record_of`), and the runtime's Parts, TupleParts and
    DictParts (whose `+` adds part by part) as the plain list, tuple and dict the argument had (a list for a list,
    a tuple for a tuple, whichever the adjoint was): the caller's `g.layers + [w]` joins lists, as Python does."""
    if type(template) in _NUMBERS:  # (a leaf: the common case of a list of numbers, at once)
        return float(g) if type(g) is int or isinstance(g, np.floating) or type(g) is np.ndarray and \
            g.ndim == 0 and g.dtype.kind == "f" else g  # (a Python number's derivative is a float, at any depth)
    if type(template) is np.ndarray:  # (a 0-d array's derivative is a 0-d array, in a container as at the top)
        return np.array(g, dtype=g.dtype if isinstance(g, np.floating) else float) if template.ndim == 0 and \
            (type(g) in _NUMBERS or isinstance(g, np.floating)) else g
    if is_record(template) and isinstance(g, dict):
        return record_of(template, {k: like(g[k], getattr(template, k)) for k in fields_of(template)})
    if is_record(template) and type(g) is type(template):  # (generated code gave the record back: rt.record_like)
        return record_of(template, {k: like(getattr(g, k), getattr(template, k)) for k in fields_of(template)})
    g = rows(g, template)
    if mismatch(g, template) is not None:
        return g  # (another length, other keys: arguments.structured says so)
    if isinstance(template, tuple) and hasattr(template, "_fields") and isinstance(g, (tuple, list)):
        return type(template)(*[like(a, t) for a, t in zip(g, template)])  # a namedtuple
    if isinstance(template, (tuple, list)) and isinstance(g, (tuple, list)):
        return (list if isinstance(template, list) else tuple)(like(a, t) for a, t in zip(g, template))
    if isinstance(template, dict) and isinstance(g, dict):
        return same_dict(template, [(k, like(g[k], v)) for k, v in template.items()])
    return g


def mismatch(g, template, path: str = ""):
    """`(path, g_part, template_part)` for the first place where the derivative `g` has a list or tuple of another
    length, or a dict of other keys, than its argument `template` (`path` as `[1]['w']`, `""` for the whole);
    None where their structures agree. A number in place of a part is a zero for all of it, and agrees."""
    if is_record(template) and type(g) is type(template):  # (a record's derivative given back as one)
        return next((m for k in fields_of(template)
                     if (m := mismatch(getattr(g, k), getattr(template, k), f"{path}.{k}")) is not None), None)
    if isinstance(template, (tuple, list)) and isinstance(g, (tuple, list)):
        if len(g) != len(template):
            return path, g, template
        return next((m for i, (a, t) in enumerate(zip(g, template))
                     if (m := mismatch(a, t, f"{path}[{i}]")) is not None), None)
    if isinstance(template, dict) and isinstance(g, dict):
        if set(g) != set(template):
            return path, g, template
        return next((m for k, t in template.items() if (m := mismatch(g[k], t, f"{path}[{k!r}]")) is not None), None)
    return None


def without_new_zero_keys(g, template):
    """`g` without the dict keys its argument `template` does not have whose derivative is zero: a key the
    function wrote into a copy of a dict argument (`q = p.copy(); q['c'] = v`), whose write zeroed its adjoint;
    anything else unchanged (a nonzero part for a key the argument lacks is left for `mismatch` to report)."""
    if isinstance(template, dict) and isinstance(g, dict):
        extra = [k for k in g if k not in template]
        if extra and all(_zero(g[k]) for k in extra):
            g = type(g)((k, v) for k, v in g.items() if k in template)
        return type(g)((k, without_new_zero_keys(v, template[k]) if k in template else v) for k, v in g.items()) \
            if any(isinstance(v, (dict, tuple, list)) for v in g.values()) else g
    if isinstance(template, (tuple, list)) and type(g) in (tuple, list) and len(g) == len(template):
        return type(g)(without_new_zero_keys(a, t) for a, t in zip(g, template))
    return g


def _zero(x) -> bool:
    if isinstance(x, np.ndarray):
        return not x.any()
    if isinstance(x, (tuple, list)):
        return all(map(_zero, x))
    if isinstance(x, dict):
        return all(map(_zero, x.values()))
    return isinstance(x, (int, float, np.number)) and x == 0


def has_record(tree) -> bool:
    """Does `tree` hold a dataclass or a namedtuple anywhere?"""
    if is_record(tree) or isinstance(tree, tuple) and hasattr(tree, "_fields"):
        return True
    if isinstance(tree, (tuple, list)):
        return any(map(has_record, tree))
    if isinstance(tree, dict):
        return any(map(has_record, tree.values()))
    return False


def is_number_leaf(leaf) -> bool:
    """Is `leaf` a number or an array of numbers (what a derivative, and `flatten`, can be taken of)?"""
    if isinstance(leaf, np.ndarray):
        return leaf.dtype.kind in "biufc"
    return isinstance(leaf, (int, float, complex, np.number, np.bool_))


def flatten(tree):
    """Flatten a container of parameters into one vector, and back.

    For the optimisers and solvers that want one 1-d array (`scipy.optimize.minimize`), while the
    model keeps its parameters in a dict or a tuple: flatten the parameters and their gradient
    the same way, and `unflatten` the optimiser's vector before calling the model.

    Parameters
    ----------
    tree : number, ndarray, or tuple, list or dict of them (nested)
        The parameters. Leaves are taken in order: tuple and list items by position, dict values
        in the dict's order.

    Returns
    -------
    vector : ndarray
        Every leaf raveled and concatenated, as one 1-d float array (complex if a leaf is).
    unflatten : callable
        `unflatten(v)` turns a vector of the same length back into `tree`'s structure: numbers
        as Python floats, arrays with their shapes. It raises `ValueError` for a vector of
        another shape.

    Raises
    ------
    TypeError
        A leaf is not a number or an array (a string, None): the message names its path.

    Examples
    --------
    >>> import numpy as np
    >>> import s2s
    >>> params = {"w": np.ones((2, 2)), "b": 0.5}
    >>> vector, unflatten = s2s.flatten(params)
    >>> vector
    array([1. , 1. , 1. , 1. , 0.5])
    >>> unflatten(vector * 2)
    {'w': array([[2., 2.],
           [2., 2.]]), 'b': 1.0}
    >>> def loss(params):
    ...     return np.sum(params["w"] ** 2) + params["b"]
    >>> s2s.flatten(s2s.grad(loss)(params))[0]
    array([2., 2., 2., 2., 1.])
    """
    parts = leaves(tree)
    for path, leaf in zip(paths(tree), parts):
        if not is_number_leaf(leaf):
            kind = "None" if leaf is None else f"an array of {leaf.dtype}" if isinstance(leaf, np.ndarray) else \
                f"a {type(leaf).__name__}"
            raise ArgumentTypeError(f"s2s.flatten: the leaf {path or 'tree'} is {kind}, not a number or an array: "
                                    f"flatten "
                                    f"the parameters alone (a container without the settings), as their gradient has "
                                    f"them")
    shapes = [np.shape(leaf) if isinstance(leaf, np.ndarray) else None for leaf in parts]  # None: a number
    sizes = [1 if s is None else int(np.prod(s, dtype=int)) for s in shapes]
    vector = np.concatenate([np.ravel(np.asarray(leaf, dtype=float)) for leaf in parts]) if parts else np.zeros(0)
    build = structure(tree)
    total = sum(sizes)
    made = _unflatten_function(tree, total)
    if made is not None:
        return vector, made

    def unflatten(v):
        v = np.asarray(v)
        if v.shape != (total,):
            raise CallError(f"unflatten needs a vector of shape ({total},), got shape {v.shape}")
        out, start = [], 0
        for shape, size in zip(shapes, sizes):
            chunk = v[start:start + size]
            start += size
            out.append(chunk.reshape(shape) if shape is not None else
                       complex(chunk[0]) if v.dtype.kind == "c" else float(chunk[0]))
        return build(out)

    return vector, unflatten


_UNFLATTEN_CODE: dict = {}  # the text of an `unflatten` -> its code (one pseudo-file each)


def _unflatten_function(tree, total: int):
    """`flatten`'s inverse for `tree`'s structure as a Python function s2s reads and differentiates like the user's
    own (`v[0:4].reshape((2, 2))` for an array, `v[4].item()` for a number, the containers written out), so that
    `s2s.hessian(lambda v: loss(unflatten(v), x))(vector)` is the Hessian as one matrix (JAX's ravel_pytree); None
    where a dict key is not a constant the text can spell, or a dataclass is built by code of its own
    (`__post_init__`, fields its `__init__` does not take): the closure `flatten` makes then."""
    names: dict = {}
    start = 0

    def spelled(t) -> str | None:
        nonlocal start
        if is_record(t):  # (a dataclass built by its class, where that runs no code of its own on the fields)
            if hasattr(type(t), "__post_init__") or not all(f.init for f in dataclasses.fields(t)):
                return None
            parts = [(k, spelled(getattr(t, k))) for k in fields_of(t)]
            if any(part is None for _, part in parts):
                return None
            names[f"record_{len(names)}"] = type(t)
            return f"record_{len(names) - 1}({', '.join(f'{k}={part}' for k, part in parts)})"
        if isinstance(t, dict):
            if not all(type(k) in (str, int) for k in t):
                return None
            parts = [(k, spelled(v)) for k, v in t.items()]
            if any(part is None for _, part in parts):
                return None
            return "{" + ", ".join(f"{k!r}: {part}" for k, part in parts) + "}"
        if isinstance(t, (tuple, list)):
            parts = [spelled(v) for v in t]
            if any(part is None for part in parts):
                return None
            if hasattr(t, "_fields"):
                names[f"record_{len(names)}"] = type(t)
                return f"record_{len(names) - 1}({', '.join(parts)})"
            inside = ", ".join(parts) + ("," if isinstance(t, tuple) and len(parts) == 1 else "")
            return f"({inside})" if isinstance(t, tuple) else f"[{inside}]"
        first = start
        if isinstance(t, np.ndarray):
            start += t.size
            return f"v[{first}:{start}].reshape({t.shape!r})"
        start += 1
        return f"v[{first}].item()"  # (a Python float, complex for a complex vector, as NumPy's item gives)
    body = spelled(tree)
    if body is None:
        return None
    text = (f"def unflatten(v):\n"
            f"    v = np.asarray(v)\n"
            f"    if v.shape != ({total},):\n"
            f"        raise CallError(f\"unflatten needs a vector of shape ({total},), got shape {{v.shape}}\")\n"
            f"    return {body}\n")
    code = _UNFLATTEN_CODE.get(text)
    if code is None:
        filename = f"<s2s-unflatten {len(_UNFLATTEN_CODE) + 1}>"
        linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
        code = _UNFLATTEN_CODE[text] = next(c for c in compile(text, filename, "exec").co_consts
                                            if isinstance(c, types.CodeType))
    return types.FunctionType(code, {"np": np, "CallError": CallError, "__name__": "s2s_flatten", **names})
