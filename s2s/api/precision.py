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

from s2s.api.parameters import wrt_arguments
# (in the runtime, where the generated entry points of s2s.jacobian and s2s.hessian cast by them too)
from s2s.runtime.trees import has_narrow, is_container, leaves, like, like_arguments, structure


def of_wrt(result, wrt_at, args: tuple, kwargs: dict, single: bool, f=None):
    """`result`, derivatives with respect to the arguments at `wrt_at` ((position, name), ...) of a call of the
    user's function `f`, in their precision (an argument left out: its default's)."""
    values = wrt_arguments(f, wrt_at or (), args, kwargs)
    return like_arguments(result, values, single) if has_narrow(values) else result


def tangent_like(t, value):
    """jvp's tangent `t` in its value's dtype, as JAX gives it: a float32 value's float32 (`like`), a float64
    value's float64 where the tangent came out float32 (`np.sum(np.exp(x)) - np.float64(1.0)` of a float32 x,
    whose tangent is the tangent of np.exp(x)); a container's leaf by leaf."""
    t = like(t, value)
    if type(value) is np.ndarray or isinstance(value, np.floating):
        if value.dtype.kind != "f" or value.dtype.itemsize <= 4:
            return t
        if type(t) is np.ndarray and t.dtype.kind == "f" and t.dtype.itemsize < value.dtype.itemsize:
            return t.astype(value.dtype)
        if isinstance(t, np.floating) and t.dtype.itemsize < value.dtype.itemsize:
            return value.dtype.type(t)
        return t
    if type(value) is float and isinstance(t, np.floating) and t.dtype.itemsize < 8:
        return float(t)
    if is_container(value) and is_container(t):
        parts, targets = leaves(t), leaves(value)
        if len(parts) == len(targets):
            widened = [tangent_like(p, v) for p, v in zip(parts, targets)]
            if any(w is not p for w, p in zip(widened, parts)):
                return structure(t)(widened)
    return t
