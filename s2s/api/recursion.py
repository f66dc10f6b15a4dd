"""Recursive functions: each gets its own adjoint and tangent functions, made by s2s from its source.

A user function that calls itself (directly or through others) cannot be
inlined to a depth known while compiling. When the SSA builder meets such a
call, it asks `rules_for(fn)` for a rule: the call stays a call of `fn`, and its
reverse rule is `s2s.vjp(fn)`'s pullback (its tangent rule `s2s.jvp(fn)`), whose
generated code meets the recursive call again and uses the same rule. So the
recursion of the derivative runs as deep as the function's own, at run time.
The adjoint recomputes the callee's forward sweep (a depth-d chain costs
O(d^2) function steps; a tree, O(n log n) for a balanced one).

Only arguments that hold floating-point numbers or arrays are differentiated;
integers, strings, None and containers of them (a tree's shape, an index)
carry no derivative.
"""
from __future__ import annotations

import importlib
import numbers
import re

import numpy as np

from s2s.api.forward import jvp
from s2s.api.transform import vjp
from s2s.rules import custom, registry

_RULES: dict = {}  # function -> its key
_ATTRIBUTES: dict = {}  # attribute of s2s.rules.custom -> (the recursive function, "function"/"adjoint"/"tangent")


def _differentiable(value) -> bool:
    """Does `value` hold floating-point leaves (a float, a float array, a container with one)?"""
    if isinstance(value, dict):
        return any(_differentiable(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_differentiable(v) for v in value)
    if isinstance(value, np.ndarray):
        return np.issubdtype(value.dtype, np.inexact)
    return isinstance(value, numbers.Number) and not isinstance(value, (bool, numbers.Integral))


def rules_for(fn) -> str:
    """The primitive key under which calls of the recursive function `fn` are made, with its rules."""
    key = _RULES.get(fn)
    if key is not None:
        return key
    def adjoint(g, ans, *args):
        wrt = tuple(i for i, a in enumerate(args) if _differentiable(a))
        out = [None] * len(args)
        if wrt:
            _, pullback = vjp(fn, wrt=wrt)(*args)
            for i, part in zip(wrt, pullback(g)):  # (a tuple wrt: a tuple of gradients)
                out[i] = part
        return tuple(out)

    def tangent(tangents, ans, *args):
        wrt = tuple(i for i, (a, t) in enumerate(zip(args, tangents)) if t is not None and _differentiable(a))
        if not wrt:
            return 0.0
        return jvp(fn, wrt=wrt)(args, tuple(tangents[i] for i in wrt))[1]

    name = getattr(fn, "__name__", "f")
    adjoint.__name__, tangent.__name__ = f"{name}_adjoint", f"{name}_tangent"
    refusal = (f"it is the derivative s2s made for the recursive function {name}; second derivatives through "
               "recursion are not made yet",
               f"Differentiate once (grad, vjp, jvp, jacobian), or write {name} as a loop for second derivatives.")
    adjoint.__s2s_refusal__ = tangent.__s2s_refusal__ = refusal
    # made here, not registered by the user's module: generated code needs no import of it (it may not be
    # importable: a module loaded from a file without sys.modules, one removed since)
    key = custom.key_for(fn, imported=False)
    adjoint_name = custom._rule_name(key, "adjoint", adjoint, imported=False)
    tangent_name = custom._rule_name(key, "tangent", tangent, imported=False)
    registry.REVERSE[key] = registry.ReverseRule(key, (), user=adjoint_name)
    registry.TANGENT[key] = registry.TangentRule(key, fn=tangent_name, user=True)
    _RULES[fn] = key
    named = {key.rsplit(".", 1)[-1]: "function", adjoint_name: "adjoint", tangent_name: "tangent"}
    for attribute, role in named.items():
        _ATTRIBUTES[attribute] = (fn, role)
    registry.RECURSIVE_KEYS.add(key)
    return key


def used_by(text: str) -> dict | None:
    """For the disk cache: the recursive functions generated code `text` calls, as
    {attribute of s2s.rules.custom: [module, qualified name of the function, which of its objects]};
    None if one of them cannot be found again by name in another process."""
    out = {}
    for attribute in sorted(set(re.findall(r"\bcustom\.(\w+)", text))):
        found = _ATTRIBUTES.get(attribute)
        if found is None:
            continue
        fn, role = found
        module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "")
        if not module or "<" in qualname:
            return None
        out[attribute] = [module, qualname, role]
    return out


def recreate(used: dict) -> bool:
    """Make the rules of the recursive functions `used_by` described, under the attribute names the stored
    text reads; False if a function cannot be found or a name is taken by something else."""
    for attribute, (module, qualname, role) in sorted(used.items()):
        try:
            fn = importlib.import_module(module)
            for part in qualname.split("."):
                fn = getattr(fn, part)
        except Exception:
            return False
        if not callable(fn) or (fn not in _RULES and registry.key_of(fn) is not None):
            return False  # a rule the user registered: not the one the text was made with
        key = rules_for(fn)
        name = {"function": key.rsplit(".", 1)[-1], "adjoint": registry.REVERSE[key].user,
                "tangent": registry.TANGENT[key].fn}[role]
        if not custom.bind(attribute, getattr(custom, name)):
            return False
    return True


registry.RECURSIVE = rules_for
