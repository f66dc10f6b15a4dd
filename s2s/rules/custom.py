"""Rules users supply: `s2s.adjoint`, `s2s.tangent`, `s2s.nondifferentiable`.

This module is also the namespace generated code reaches those rules through
(`from s2s.rules import custom`): a user function `sigmoid` of module `nets` with
a rule is called there as `custom.nets_sigmoid(x)`, its reverse rule as
`custom.nets_sigmoid_adjoint(g, ans, x)` (named after the module and qualified
name, the same in every process; the rule is held in a runtime.user_rules.RuleCall,
which protects its inputs and checks its outputs). A function that has a rule is
not descended into. Registering a rule clears the transformation cache, so later
transformations use it.
"""
from __future__ import annotations

import dataclasses
import importlib
import inspect
import linecache
import re
import weakref
from typing import Callable

from s2s import prims
from s2s.errors import RuleError, S2SError
from s2s.rules import registry
from s2s.rules.in_place import refuse_writes
from s2s.rules.rule_checks import check_signature as _check_signature, too_many_adjoints as _too_many_adjoints
from s2s.runtime.user_rules import RuleCall

_modules: dict[str, str] = {}  # attribute here -> the module that registered it (imported by generated code)
# the library keys (np.linalg.norm's) whose rules the user replaced or removed: the disk cache's key names their
# state (api/persistent.py), since the code generated for a call of one depends on it
LIBRARY_CHANGED: set[str] = set()
# called after each registration: transformations made before it used the old rules (api/cache.py adds its
# `clear`; the cache sits above the rules, which do not import it)
ON_REGISTER: list = []


def _attribute(base: str, obj, module: str | None, owner: str | None = None) -> str:
    """The attribute of this module holding `obj`, named `base` (made an identifier). With `owner` (the function
    and role of a rule), an attribute that held an earlier rule of the same owner is given `obj`. Only where two
    different objects make the same name (two closures of one factory) does the second get a number."""
    base = re.sub(r"\W", "_", base) or "f"
    candidate, n = base, 1
    while candidate in globals() and globals()[candidate] is not obj and \
            not (owner is not None and _OWNERS.get(candidate) == owner):
        n += 1
        candidate = f"{base}_{n}"
    globals()[candidate] = obj
    if owner is not None:
        _OWNERS[candidate] = owner
    if module and module != "__main__":
        _modules[candidate] = module
    else:
        _modules.pop(candidate, None)
    return candidate


_OWNERS: dict[str, str] = {}  # attribute holding a rule -> the key and role of the rule it holds


def _stable_name(func) -> str:
    """The name generated code reaches `func` by: its module and qualified name (`ma.f` is `ma_f`, a method
    `Model.act` of module m `m_Model_act`; a function of the script run, `__main__`, its name alone), the same in
    every process, whatever the order its rules were registered in (a saved generated module, run by another
    process, calls the same functions)."""
    qualname = getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or "f"
    qualname = qualname.replace("<locals>.", "").replace("<lambda>", "lambda")
    module = getattr(func, "__module__", None)
    if not isinstance(module, str) or module == "__main__":
        return qualname
    return f"{module}.{qualname}"


def key_for(func: Callable, imported: bool = True) -> str:
    """The primitive key of `func`: its library key, or a new one in this namespace.

    `imported=False` for a function whose rules s2s makes itself (a recursive function's): generated code
    then reaches it here without importing its module, which need not be importable."""
    if not callable(func):
        raise RuleError(f"s2s rules are registered for functions (np.sin, math.exp, a function of yours), not "
                        f"{type(func).__name__}")
    key = registry.key_of(func)
    if key is not None:
        return key
    if imported:
        _refuse_bound_method(func)
    attr = _attribute(_stable_name(func), func, getattr(func, "__module__", None) if imported else None)
    key = f"s2s.rules.custom.{attr}"
    registry.register_object(func, key)
    return key


_LIBRARIES = ("numpy", "scipy", "builtins", "math", "functools", "s2s", "collections", "random")


def _refuse_bound_method(func) -> None:
    """Refuse a rule for a method bound to one object of the user's class (`m1.act`): s2s calls methods through
    their class's function wherever the object is known only as the code runs, so that rule could not be told
    from the class's, and another object's calls would reach it. (A class method, bound to the class, and a
    library object's method, `rng.normal`, are registered as they are.)"""
    if not (inspect.ismethod(func) and inspect.isfunction(func.__func__)) or isinstance(func.__self__, type):
        return
    cls = type(func.__self__)
    if (cls.__module__ or "").split(".")[0] in _LIBRARIES:
        return
    name = func.__func__.__name__
    frame = inspect.currentframe()
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back  # (the user's line that registered it)
    where = f"\n  {frame.f_code.co_filename}:{frame.f_lineno}\n    " \
            f"{linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()}" if frame is not None else ""
    del frame
    raise S2SError(f"a rule or nondifferentiable for the method {name} bound to one {cls.__name__} object is not "
                   f"supported: s2s could not keep that object's calls apart from another {cls.__name__}'s{where}\n"
                   f"Register it for the class's function, which applies to every {cls.__name__} object, its rule "
                   f"taking the object first: @s2s.adjoint({cls.__name__}.{name}) with def _(g, ans, self, ...), "
                   f"or s2s.nondifferentiable({cls.__name__}.{name})")


def _rule_name(key: str, suffix: str, rule: Callable, imported: bool = True) -> str:
    """The attribute of this module holding the rule `rule` (`suffix` "adjoint" or "tangent") of the function
    `key`: named after the function's (`ma_f_adjoint`), a later rule of the same function taking its place."""
    base = key.rsplit(".", 1)[-1] if key.startswith("s2s.rules.custom.") else key.replace(".", "_")
    return _attribute(f"{base}_{suffix}", rule, getattr(rule, "__module__", None) if imported else None,
                      owner=f"{key} {suffix}")


def bind(attribute: str, obj) -> bool:
    """Make `attribute` of this module hold `obj` (generated code read from the disk cache names it so);
    False if it already holds something else."""
    if not attribute.isidentifier() or attribute.startswith("_"):
        return False
    if globals().setdefault(attribute, obj) is not obj:
        return False
    return True


# ---------------------------------------------------------------- the rules s2s makes for recursive functions
# api/recursion.py makes them (it sets registry.RECURSIVE) and records them here. Generated text calls them as
# custom.<attribute>, and asks for them after its imports (`recursive_rules`): a process that has not made them
# makes them as it imports the text, from the function's module and qualified name.
CHECKPOINTED: weakref.WeakSet = weakref.WeakSet()  # the functions s2s.checkpoint marked (api/checkpoint.py), whose calls
# use those rules too (weak: a closure checkpointed at each call of a function is freed with its wrapper)
RECURSIVE_NAMES: dict = {}  # recursive function -> {role ("function", "adjoint", "adjoint_tangent", ...): attribute}
_MADE_FOR: dict = {}  # attribute -> (the recursive function, its role)


def record_recursive(fn, names: dict) -> None:
    RECURSIVE_NAMES[fn] = names
    _MADE_FOR.update({attribute: (fn, role) for role, attribute in names.items()})


def forget_recursive(fn) -> None:
    RECURSIVE_NAMES.pop(fn, None)
    for attribute in [a for a, (f, _) in _MADE_FOR.items() if f is fn]:
        del _MADE_FOR[attribute]


def made_for(attribute: str) -> tuple | None:
    """(the recursive function, role) of the rule s2s made that `attribute` holds; None for another attribute."""
    return _MADE_FOR.get(attribute)


def recursive_rules(module: str, qualname: str, **attributes: str) -> None:
    """Make the rules of the recursive function `qualname` of `module` (generated text calls them) where this
    process has not: `attributes` {role: the attribute the text calls it by}, as `made_for` names them."""
    if all(attribute in globals() for attribute in attributes.values()):
        return
    where = f"the recursive function {qualname} of module {module}, whose derivatives this generated text calls"
    try:
        fn = importlib.import_module(module)
        for part in qualname.split("."):
            fn = getattr(fn, part)
    except ImportError as exc:
        raise S2SError(f"{where}, cannot be imported ({exc}): put the folder holding {module} on sys.path "
                       f"(PYTHONPATH) before importing the text") from None
    except AttributeError:
        raise S2SError(f"{where}, is not in {module} now: transform it again and save the new text") from None
    fn = getattr(fn, "__s2s_checkpointed__", fn)  # (@s2s.checkpoint's wrapper: the function it marks)
    key = registry.key_of(fn) if callable(fn) else None
    if not callable(fn) or key is not None and key not in registry.RECURSIVE_KEYS:
        now = "is not a function" if not callable(fn) else "has rules of yours (s2s.adjoint, s2s.tangent, ...)"
        raise S2SError(f"{where}, {now} now: transform it again and save the new text")
    registry.RECURSIVE(fn)
    for role, attribute in attributes.items():  # (made here under other names: the text's names hold them too)
        if bind(attribute, globals()[RECURSIVE_NAMES[fn][role]]):
            _MADE_FOR[attribute] = (fn, role)


def registered_by(attribute: str):
    """The user's function whose registration (itself, or a rule of it) `attribute` holds where no module
    generated text can import registers it (a script's, `__main__`); None for another attribute."""
    if attribute in _MADE_FOR or attribute not in globals() or _modules.get(attribute):
        return None
    owner = _OWNERS.get(attribute)
    function = owner.split(" ")[0].rsplit(".", 1)[-1] if owner else attribute
    return globals().get(function)


def users_rule(func) -> str | None:
    """The key of `func` where the user gave it a rule (`s2s.adjoint`, `s2s.tangent`, `s2s.nondifferentiable`),
    else None: s2s then calls `func`, never descends into it, where it is called and where it is the function
    transformed itself. (The rules s2s makes for a recursive function are its own, not the user's.)"""
    key = registry.key_of(func) if callable(func) else None
    if key is None or key in registry.RECURSIVE_KEYS:
        return None
    if key in registry.NONDIFF and key.startswith("s2s.rules.custom."):
        return key
    reverse, forward = registry.REVERSE.get(key), registry.TANGENT.get(key)
    names = (reverse.user if reverse is not None else None,
             forward.fn if forward is not None and forward.user else None)
    for name in names:
        rule = globals().get(name) if isinstance(name, str) else None
        if rule is not None and not (getattr(rule, "__module__", None) or "").startswith("s2s."):
            return key
    return None


def too_many_adjoints(key: str, rule: str, passed: int, loc, filename: str) -> S2SError | None:
    """rule_checks.too_many_adjoints for the `s2s.adjoint` rule held here as `rule`."""
    held = globals().get(rule)
    return _too_many_adjoints(key, held.func if isinstance(held, RuleCall) else held, rule, passed, loc, filename)


# called with a recursive function whose rules s2s made when the user registers rules of their own for it
# (api/recursion.py adds its `forget`: the function is no longer one whose rules it makes)
ON_CLAIM: list = []


def _claim(key: str, func) -> None:
    """Make `key` the user's where s2s made its rules for a recursive function met before the registration (a
    later transformation of the function itself then calls it and the user's rule, as where the rule was
    registered first): the rules s2s made, for either mode, are dropped."""
    if key not in registry.RECURSIVE_KEYS:
        return
    registry.RECURSIVE_KEYS.discard(key)
    registry.REVERSE.pop(key, None)
    registry.TANGENT.pop(key, None)
    for forget in ON_CLAIM:
        forget(func)
    module = getattr(func, "__module__", None)
    if isinstance(module, str) and module != "__main__":  # (made with imported=False: now the user's module)
        _modules[key.rsplit(".", 1)[-1]] = module


def _keys(key: str) -> tuple:
    """`key` and the key of the same function spelled as an array method, whose rules the user's hold for too
    (x.clip(lo, hi) is np.clip(x, lo, hi), read under a key of its own since x.clip(lo) has one bound), as x.sum()
    uses np.sum's rules by being read as its call: `numpy.ndarray.m` for `numpy.m` whose first parameter is the
    array (`a`, as NumPy names it; np.compress(condition, a) takes it second)."""
    module, _, name = key.rpartition(".")
    method = prims.METHODS.get(name)
    if module != "numpy" or method != f"numpy.ndarray.{name}":
        return (key,)
    try:
        first = next(iter(inspect.signature(prims.python_object(key)).parameters), None)
    except (TypeError, ValueError):
        return (key,)
    return (key, method) if first == "a" else (key,)


def _changed(key: str) -> None:
    """A library function's rules are the user's now: the disk cache names it, and a call the front end would read
    as a composition with rules of its own (`pow(x, y)` as `x ** y`) stays a call, which the user's rules are for."""
    if not key.startswith("s2s.rules.custom."):
        LIBRARY_CHANGED.add(key)
        record = registry.PRIMITIVES.get(key)
        if record is not None and record.lowered is not None:
            registry.PRIMITIVES[key] = dataclasses.replace(record, lowered=None)


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
    for zero. An adjoint has its argument's shape, a shape that broadcasts up to it, or the
    argument's shape broadcast larger (summed back to it); another shape raises `S2SError`.
    A list of numbers for an array is read as a float array, an integer for a float as a float.
    `g`, `ans` and the arguments are read-only views: a rule computes new arrays.

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
    RuleError
        (also a TypeError) `func` is not callable, or the rule cannot take `(g, ans, *args)`.

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
        refuse_writes(func, "an @s2s.adjoint rule")
        _claim(key, func)
        name = _rule_name(key, "adjoint", RuleCall(rule, "adjoint", func))
        for k in _keys(key):
            registry.REVERSE[k] = registry.ReverseRule(k, (), user=name)
            registry.NONDIFF.discard(k)
            _changed(k)
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
    the arguments. It returns the tangent of the result, with the result's shape or one that
    broadcasts up to it (`None` for zero); another shape raises `S2SError`. Its inputs are
    read-only views, as an adjoint rule's are.

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
    RuleError
        (also a TypeError) `func` is not callable, or the rule cannot take `(tangents, ans, *args)`.

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
        refuse_writes(func, "an @s2s.tangent rule")
        _claim(key, func)
        name = _rule_name(key, "tangent", RuleCall(rule, "tangent", func))
        for k in _keys(key):
            registry.TANGENT[k] = registry.TangentRule(k, fn=name, user=True)
            registry.NONDIFF.discard(k)
            _changed(k)
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
    RuleError
        (also a TypeError) `func` is not callable.

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
    refuse_writes(func, "s2s.nondifferentiable")
    _claim(key, func)
    for k in _keys(key):
        registry.NONDIFF.add(k)
        registry.REVERSE.pop(k, None)
        registry.TANGENT.pop(k, None)
        _changed(k)
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
