"""Rules users supply: `s2s.adjoint`, `s2s.tangent`, `s2s.nondifferentiable`.

This module is also the namespace generated code reaches those rules through
(`from s2s.rules import custom`): a user function `sigmoid` with a rule is
called there as `custom.sigmoid(x)`, its reverse rule as
`custom.sigmoid_adjoint(g, ans, x)`. A function that has a rule is not
descended into. Registering a rule clears the transformation cache, so later
transformations use it.
"""
from __future__ import annotations

import re
from typing import Callable

from s2s.rules import registry

_modules: dict[str, str] = {}  # attribute here -> the module that registered it (imported by generated code)


def _attribute(name: str, obj, module: str | None) -> str:
    """A fresh attribute of this module holding `obj`."""
    base = re.sub(r"\W", "_", name) or "f"
    candidate, n = base, 1
    while candidate in globals() and globals()[candidate] is not obj:
        n += 1
        candidate = f"{base}_{n}"
    globals()[candidate] = obj
    if module and module != "__main__":
        _modules[candidate] = module
    return candidate


def key_for(func: Callable) -> str:
    """The primitive key of `func`: its library key, or a new one in this namespace."""
    if not callable(func):
        raise TypeError(f"s2s rules are registered for functions, not {type(func).__name__}")
    key = registry.key_of(func)
    if key is not None:
        return key
    attr = _attribute(getattr(func, "__name__", "f"), func, getattr(func, "__module__", None))
    key = f"s2s.rules.custom.{attr}"
    registry.register_object(func, key)
    return key


def _rule_name(key: str, suffix: str, rule: Callable) -> str:
    base = key.rsplit(".", 1)[-1] if key.startswith("s2s.rules.custom.") else key.replace(".", "_")
    return _attribute(f"{base}_{suffix}", rule, getattr(rule, "__module__", None))


def _registered():
    from s2s.api import cache
    cache.clear()


def adjoint(func: Callable):
    """`@s2s.adjoint(func)`: `rule(g, ans, *args)` returns one adjoint per positional argument (None = zero)."""
    key = key_for(func)

    def register(rule: Callable) -> Callable:
        name = _rule_name(key, "adjoint", rule)
        registry.REVERSE[key] = registry.ReverseRule(key, (), user=name)
        registry.NONDIFF.discard(key)
        _registered()
        return rule
    return register


def tangent(func: Callable):
    """`@s2s.tangent(func)`: `rule(tangents, ans, *args)` returns the tangent of the result
    (`tangents` has one entry per positional argument, None for zero)."""
    key = key_for(func)

    def register(rule: Callable) -> Callable:
        name = _rule_name(key, "tangent", rule)
        registry.TANGENT[key] = registry.TangentRule(key, fn=name, user=True)
        registry.NONDIFF.discard(key)
        _registered()
        return rule
    return register


def nondifferentiable(func: Callable) -> Callable:
    """`s2s.nondifferentiable(func)`: its result carries no derivative. Returns `func`."""
    key = key_for(func)
    registry.NONDIFF.add(key)
    registry.REVERSE.pop(key, None)
    registry.TANGENT.pop(key, None)
    _registered()
    return func


def modules_for(keys) -> list[str]:
    """The modules generated code imports so that the custom rules it uses are registered."""
    out = set()
    for key in keys:
        if key.startswith("s2s.rules.custom."):
            m = _modules.get(key.rsplit(".", 1)[-1])
            if m:
                out.add(m)
    return sorted(out)
