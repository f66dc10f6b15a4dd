"""Rules users supply: `s2s.adjoint`, `s2s.tangent`, `s2s.nondifferentiable`.

This module is also the namespace generated code reaches those rules through
(`from s2s.rules import custom`): a user function `sigmoid` with a rule is
called there as `custom.sigmoid(x)`, its reverse rule as
`custom.sigmoid_adjoint(g, ans, x)`. A function that has a rule is not
descended into. Registering a rule clears the transformation cache, so later
transformations use it.
"""
from __future__ import annotations

import inspect
import linecache
import re
from typing import Callable

from s2s.rules import registry

_modules: dict[str, str] = {}  # attribute here -> the module that registered it (imported by generated code)
# called after each registration: transformations made before it used the old rules (api/cache.py adds its
# `clear`; the cache sits above the rules, which do not import it)
ON_REGISTER: list = []


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


def key_for(func: Callable, imported: bool = True) -> str:
    """The primitive key of `func`: its library key, or a new one in this namespace.

    `imported=False` for a function whose rules s2s makes itself (a recursive function's): generated code
    then reaches it here without importing its module, which need not be importable."""
    if not callable(func):
        raise TypeError(f"s2s rules are registered for functions, not {type(func).__name__}")
    key = registry.key_of(func)
    if key is not None:
        return key
    attr = _attribute(getattr(func, "__name__", "f"), func, getattr(func, "__module__", None) if imported else None)
    key = f"s2s.rules.custom.{attr}"
    registry.register_object(func, key)
    return key


def _rule_name(key: str, suffix: str, rule: Callable, imported: bool = True) -> str:
    base = key.rsplit(".", 1)[-1] if key.startswith("s2s.rules.custom.") else key.replace(".", "_")
    return _attribute(f"{base}_{suffix}", rule, getattr(rule, "__module__", None) if imported else None)


def bind(attribute: str, obj) -> bool:
    """Make `attribute` of this module hold `obj` (generated code read from the disk cache names it so);
    False if it already holds something else."""
    if not attribute.isidentifier() or attribute.startswith("_"):
        return False
    if globals().setdefault(attribute, obj) is not obj:
        return False
    return True


def _check_signature(rule: Callable, func: Callable, kind: str, first: str) -> None:
    """A rule is called as `rule(first..., *args)` with `func`'s positional arguments: refuse, where the rule
    is defined, one that cannot take them (checked for functions with a Python signature)."""
    try:
        every = inspect.signature(func).parameters.values()
        if any(p.kind == p.VAR_POSITIONAL for p in every):  # (np.vectorize(f): any number of arguments)
            return
        params = [p for p in every if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        needed = [p.name for p in params if p.default is p.empty]
        inspect.signature(rule).bind(*[None] * (2 + len(needed)))
    except ValueError:  # no signature (a C function): checked when the rule is called
        return
    except TypeError:
        code = getattr(rule, "__code__", None)
        where = f"\n  {code.co_filename}:{code.co_firstlineno}\n    " \
                f"{linecache.getline(code.co_filename, code.co_firstlineno).strip()}" if code else ""
        name = getattr(rule, "__name__", "rule")
        wanted = ", ".join([first] + [p.name for p in params])
        raise TypeError(f"the @s2s.{kind} rule {name} cannot take the arguments s2s passes it: {first}, then "
                        f"the positional arguments of {getattr(func, '__name__', 'the function')}; write "
                        f"def {name}({wanted}):{where}") from None


def _registered():
    for retire in ON_REGISTER:
        retire()


def adjoint(func: Callable):
    """Register the decorated function as the reverse-mode rule of `func`.

    `func` may be a library function (NumPy, `math`, a builtin) or your own Python function;
    yours is then called as it is, not descended into. Registering clears the transformation
    cache: every transformation made afterwards uses the rule.

    The rule is called as `rule(g, ans, *args)`: `g` is the adjoint of `func`'s result (its
    shape), `ans` the result, `args` the positional arguments `func` was called with. It returns
    a tuple with one adjoint per positional argument, in order (even a 1-tuple); `None` stands
    for zero. Adjoints that broadcasting made larger than their argument are summed back to
    its shape.

    Parameters
    ----------
    func : callable
        The function the rule is for.

    Returns
    -------
    callable
        A decorator that registers the function below it and returns it unchanged.

    Raises
    ------
    TypeError
        `func` is not callable, or the rule cannot take `(g, ans, *args)`.

    See Also
    --------
    - `tangent`: the forward-mode rule (for `jvp`, `jacobian(mode="forward")`, `hessian`).
    - `check_grad`: test the rule against finite differences.

    Examples
    --------
    >>> import numpy as np
    >>> import s2s
    >>> def log_one_plus_exp(x):
    ...     return np.log1p(np.exp(x))
    >>> @s2s.adjoint(log_one_plus_exp)
    ... def log_one_plus_exp_adjoint(g, ans, x):
    ...     return (g / (1.0 + np.exp(-x)),)
    >>> def loss(x):
    ...     return 2.0 * log_one_plus_exp(x)
    >>> print(s2s.grad(loss)(0.0))
    1.0
    """
    key = key_for(func)

    def register(rule: Callable) -> Callable:
        _check_signature(rule, func, "adjoint", "g, ans")
        name = _rule_name(key, "adjoint", rule)
        registry.REVERSE[key] = registry.ReverseRule(key, (), user=name)
        registry.NONDIFF.discard(key)
        _registered()
        return rule
    return register


def tangent(func: Callable):
    """Register the decorated function as the forward-mode rule of `func`.

    `jvp`, `jacobian(..., mode="forward")`, `check_grad` and `hessian` (forward over reverse)
    use it; a function with only an `adjoint` rule raises `NonDifferentiableError` there. As for
    `adjoint`, `func` may be a library function or yours, and registering clears the cache.

    The rule is called as `rule(tangents, ans, *args)`: `tangents` is a tuple with one tangent
    per positional argument (`None` where an argument carries none), `ans` the result, `args`
    the arguments. It returns the tangent of the result, with the result's shape.

    Parameters
    ----------
    func : callable
        The function the rule is for.

    Returns
    -------
    callable
        A decorator that registers the function below it and returns it unchanged.

    Raises
    ------
    TypeError
        `func` is not callable, or the rule cannot take `(tangents, ans, *args)`.

    See Also
    --------
    - `adjoint`: the reverse-mode rule.

    Examples
    --------
    >>> import numpy as np
    >>> import s2s
    >>> def bounded(x):
    ...     return x / (1.0 + np.abs(x))
    >>> @s2s.tangent(bounded)
    ... def bounded_tangent(tangents, ans, x):
    ...     (dx,) = tangents
    ...     return dx / (1.0 + np.abs(x)) ** 2
    >>> def f(x):
    ...     return bounded(x) * 3.0
    >>> value, tangent = s2s.jvp(f)((1.0,), (1.0,))
    >>> print(value, tangent)
    1.5 0.75
    """
    key = key_for(func)

    def register(rule: Callable) -> Callable:
        _check_signature(rule, func, "tangent", "tangents, ans")
        name = _rule_name(key, "tangent", rule)
        registry.TANGENT[key] = registry.TangentRule(key, fn=name, user=True)
        registry.NONDIFF.discard(key)
        _registered()
        return rule
    return register


def nondifferentiable(func: Callable) -> Callable:
    """Declare that `func`'s result carries no derivative.

    For functions whose result is piecewise constant or not a quantity to differentiate
    (`np.argmax`-like selections, counters, random draws, lookups): no derivative flows
    through their calls, in either mode, and calling one needs no rule and no source. Any rule
    registered for `func` before is removed; registering clears the transformation cache.

    Parameters
    ----------
    func : callable
        A library function or your own.

    Returns
    -------
    callable
        `func` itself, so that it can be used as a decorator.

    Raises
    ------
    TypeError
        `func` is not callable.

    Examples
    --------
    >>> import numpy as np
    >>> import s2s
    >>> @s2s.nondifferentiable
    ... def snapped(x):
    ...     return np.round(x)
    >>> def f(x):
    ...     return x * snapped(x)
    >>> print(s2s.grad(f)(2.4))  # snapped(x) is a constant: d/dx (x * 2.0)
    2.0
    """
    key = key_for(func)
    registry.NONDIFF.add(key)
    registry.REVERSE.pop(key, None)
    registry.TANGENT.pop(key, None)
    _registered()
    return func


def registering_modules() -> frozenset:
    """The modules whose custom rules are registered in this process."""
    return frozenset(_modules.values())


def modules_for(keys) -> list[str]:
    """The modules generated code imports so that the custom rules it uses are registered."""
    out = set()
    for key in keys:
        if key.startswith("s2s.rules.custom."):
            m = _modules.get(key.rsplit(".", 1)[-1])
            if m:
                out.add(m)
    return sorted(out)
