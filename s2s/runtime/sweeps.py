"""The gradient of a scalar function by forward-mode sweeps, one per input element (rt.forward_gradient): what
generated code uses where a gradient of code with loop stacks is taken by forward mode over them."""
from __future__ import annotations

import numpy as np

from s2s.runtime.checks import require_scalar
from s2s.runtime.core import is_record, zeros_like

__all__ = ["forward_gradient"]

# What makes every sweep take the random numbers the first one took (a dropout mask drawn inside): s2s.api.draws sets
# it to its `Draws`, which saves the states of the generators the code reaches before the first sweep and puts them
# back before each later one, and refuses sweeps whose values differ (the runtime imports nothing of the compiler)
SAME_DRAWS = [None]


def forward_gradient(jvp, args, positions, single=True, value=False, keywords=()):
    """The gradient of a scalar function from its forward-mode `jvp(*args, *tangents)`: one sweep per
    element of each array (one per number) in each argument in `positions`, a container's leaves one by one,
    each on the random draws of the first (the generators are left as one call of the function leaves them).
    With `keywords`, the names the jvp takes its tangents by (keyword-only, after the function's defaults)."""
    draws = SAME_DRAWS[0](args) if SAME_DRAWS[0] is not None else None

    def sweep(tangents):
        if draws is not None:
            draws.before(jvp)
        out = jvp(*args, **dict(zip(keywords, tangents))) if keywords else jvp(*args, *tangents)
        if draws is not None:
            draws.after(jvp, out[0], jvp)
        return out

    grads = []
    result = None
    zeros = [zeros_like(args[p]) for p in positions]
    for k, p in enumerate(positions):
        grad = zeros[k]
        for path in _leaf_paths(zeros[k]):
            x = _leaf(args[p], path)
            shape = np.shape(x)
            out = np.zeros(shape)
            for idx in np.ndindex(*shape):
                basis = 1.0
                if shape:
                    basis = np.zeros(shape)
                    basis[idx] = 1.0
                tangents = list(zeros)
                tangents[k] = _with_leaf(zeros[k], path, basis)
                result, tangent = sweep(tangents)
                require_scalar(result)
                out[idx] = tangent
            grad = _with_leaf(grad, path, out if isinstance(x, np.ndarray) else float(out))
        grads.append(grad)
    grad = grads[0] if single else tuple(grads)
    if value:
        if result is None:
            result = sweep(zeros)[0]
        return result, grad
    return grad


def _leaf_paths(z, path=()):
    """The paths (keys and indices) to the numbers and arrays of a zero adjoint `z` (zeros_like's structure)."""
    if isinstance(z, dict):
        for key, v in z.items():
            yield from _leaf_paths(v, path + (key,))
    elif isinstance(z, (list, tuple)):
        for i, v in enumerate(z):
            yield from _leaf_paths(v, path + (i,))
    else:
        yield path


def _leaf(x, path):
    for key in path:
        x = getattr(x, key) if is_record(x) else x[key]
    return x


def _with_leaf(z, path, value):
    """A copy of the structure `z` with its leaf at `path` replaced by `value`."""
    if not path:
        return value
    key = path[0]
    if isinstance(z, dict):
        out = type(z)(z)
        out[key] = _with_leaf(z[key], path[1:], value)
        return out
    parts = list(z)
    parts[key] = _with_leaf(z[key], path[1:], value)
    return type(z)(parts)
