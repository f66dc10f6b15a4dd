"""A function decorated by a generic `functools.wraps` wrapper, transformed with the parameters it shows.

A decorator such as

    def logged(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            ...
            return fn(*args, **kwargs)
        return wrapper

makes a function whose own parameters are `*args, **kwargs` but whose signature, as `inspect.signature` and
`help` show it, is the decorated function's: `f(x, a=2.0)`. A `wrt` naming `a`, or counting it (`wrt=1`), means
that parameter. Where the wrapper passes its `*args` and `**kwargs` on unchanged to the function it wraps, and
nowhere else, calling it with those parameters one by one is the same call, so `forwarded(f)` is a function
with those parameters that calls the wrapper with them (its text: `def f(x, a=2.0): return wrapper(x, a)`),
which s2s transforms as any function: the wrapper and the function it wraps are inlined into it, with what the
wrapper adds (`10.0 * fn(*args, **kwargs)`). A wrapper that reads its arguments otherwise (`args[0]`,
`kwargs.pop("verbose")`) is transformed as it is, with its own parameters.

A library function s2s has a derivative rule for, `np.tanh` (JAX's `grad(jnp.tanh)`), has no source to read:
`library_call` makes the function calling it for it the same way (`def tanh(x): return tanh(x)`).
"""
from __future__ import annotations

import ast
import inspect
import itertools
import keyword
import linecache
import textwrap
import types
import weakref

from s2s import prims
from s2s.errors import S2SError
from s2s.rules import custom, registry

_NUMBERS = itertools.count(1)  # (each function made here has a pseudo-file of its own, for linecache)
_MADE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # wrapper -> what `forwarded` makes for it, or None


def forwarded(f):
    """`f`, or where it is (or is a method bound to) a wrapper passing `*args, **kwargs` on to its `__wrapped__`
    unchanged, a function with the parameters `inspect.signature(f)` shows calling it with them."""
    if inspect.ismethod(f):
        inner = forwarded(f.__func__)
        return f if inner is f.__func__ else types.MethodType(inner, f.__self__)
    if type(f) is not types.FunctionType or getattr(f, "__wrapped__", None) is None:
        return library_call(f)
    code = f.__code__
    if code.co_argcount or code.co_kwonlyargcount or not code.co_flags & inspect.CO_VARARGS:
        return f
    try:
        parts = _MADE[f]
    except KeyError:
        parts = _MADE[f] = _shim_parts(f)  # (the wrapper itself is left as it is: no attribute set on it)
    if parts is None:
        return f
    code, namespace, defaults, kwdefaults, callee = parts
    # (a new function each time, of one code object per wrapper: what the entry holds must not hold the wrapper,
    # the weak key; the transformations' caches know a function by its code)
    shim = types.FunctionType(code, {**namespace, callee: f}, code.co_name, defaults)
    shim.__kwdefaults__ = kwdefaults
    shim.__module__ = getattr(f, "__module__", None)
    shim.__qualname__ = getattr(f, "__qualname__", code.co_name)
    shim.__doc__ = getattr(f, "__doc__", None)
    shim.__s2s_forwards__ = f  # (what a transformation of it pickles: `given`)
    return shim


def library_call(f):
    """`f`, or where it is a library function s2s has a derivative rule for (`np.tanh`, `math.sin`,
    `np.linalg.norm`, `scipy.special.logsumexp`: JAX's `grad(jnp.tanh)`), a function of its parameters without
    defaults calling it with them (`def tanh(x): return tanh(x)`), which s2s transforms as any function: the call
    with s2s's rule, as `lambda x: np.tanh(x)`. A function of the user's with a rule of theirs is transformed as a
    call of itself already (front/rule_calls.own_rule); one with no parameters s2s can read stays as it is."""
    if type(f) is types.FunctionType and prims.module_of(f"{getattr(f, '__module__', None)}.") is None:
        return f  # (a function of the user's: the rule tables are not loaded before the first call for it)
    try:
        key = registry.key_of(f)
    except TypeError:  # (an unhashable callable)
        return f
    library = prims.module_of(key) if key is not None else None  # (not a recursive function's or the user's key)
    if library is None or library[0] in ("s2s.runtime", "s2s.rules.custom") or \
            inspect.isfunction(f) and custom.users_rule(f) is not None:
        return f
    if registry.reverse_rule(key) is None and registry.tangent_rule(key) is None:
        return f  # (len, np.floor: no derivative to take; refused as a function without source)
    made = _LIBRARY.get(f)
    if made is None:
        params = _required(f)
        if params is None:
            return f
        name = getattr(f, "__name__", "f")
        name = name if name.isidentifier() and not keyword.iskeyword(name) else "library_function"
        while name in params:
            name += "_"
        text = f"def {name}({', '.join(params)}):\n    return {name}({', '.join(params)})\n"
        filename = f"<s2s-forwarding {name} {next(_NUMBERS)}>"
        linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
        code = next(c for c in compile(text, filename, "exec").co_consts if isinstance(c, types.CodeType))
        made = _LIBRARY[f] = types.FunctionType(code, {name: f, "__name__": getattr(f, "__module__", None)
                                                       or "builtins"}, name)
        made.__s2s_forwards__ = f  # (what a transformation of it pickles: `given`)
    return made


_LIBRARY: dict = {}  # a library function -> the function `library_call` made for it


def _required(f) -> list | None:
    """The names of `f`'s positional parameters without defaults (x1, x2 of a ufunc of two inputs), or None where
    Python shows none (`max`, whose signature inspect cannot read)."""
    nin = getattr(f, "nin", None)
    if isinstance(nin, int):  # (a ufunc: NumPy 1.x shows no signature for one)
        return ["x"] if nin == 1 else [f"x{i + 1}" for i in range(nin)]
    sig = registry.signature(f)
    if sig is None:
        return None
    names = [p.name for p in sig.parameters.values()
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty]
    if not names or not all(n.isidentifier() and not keyword.iskeyword(n) for n in names):
        return None
    return names


def _shim_parts(f):
    """What the function `forwarded` makes for the wrapper `f` is made of (its code, the names of its module but
    `f`, its defaults, the name by which it calls `f`), or None where `f` is not one it forwards."""
    if custom.users_rule(f) is not None:
        return None  # (a wrapper with the user's rule is called with that rule)
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):
        return None
    params = list(signature.parameters.values())
    if any(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in params) and not f.__code__.co_flags & \
            inspect.CO_VARKEYWORDS:
        return None
    if not all(p.name.isidentifier() and not keyword.iskeyword(p.name) for p in params) or not _passes_on(f):
        return None
    names = {p.name for p in params}
    callee = f.__code__.co_name if f.__code__.co_name.isidentifier() else "wrapper"
    while callee in names:
        callee += "_"
    name = getattr(f, "__name__", "f")
    name = name if name.isidentifier() and not keyword.iskeyword(name) else "wrapped"
    text = f"def {name}({_parameters(params)}):\n    return {callee}({_arguments(params)})\n"
    filename = f"<s2s-forwarding {getattr(f, '__qualname__', name)} {next(_NUMBERS)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
    namespace = {callee: f, "__name__": getattr(f, "__module__", None) or "__main__"}
    # (a default that is module data keeps its module's name for it: `from model import W0`, as f's own would)
    module = getattr(inspect.unwrap(f), "__globals__", {})
    for p in params:
        if p.default is not p.empty and not isinstance(p.default, (bool, int, float, complex, str, type(None))):
            name_of = next((k for k, v in module.items() if v is p.default and not k.startswith("_")), None)
            if name_of is not None and name_of != callee:
                namespace[name_of] = p.default
    code = next(c for c in compile(text, filename, "exec").co_consts if isinstance(c, types.CodeType))
    positional = [p.default for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                  and p.default is not p.empty]
    kwdefaults = {p.name: p.default for p in params if p.kind is p.KEYWORD_ONLY and p.default is not p.empty}
    del namespace[callee]
    return code, namespace, tuple(positional) or None, kwdefaults or None, callee


def given(f):
    """The function the user gave, where `f` is one `forwarded` made for it."""
    return getattr(f, "__s2s_forwards__", f)


def _parameters(params: list) -> str:
    """The parameter list of `params`, each default written as the placeholder `...` (the function made is given
    the defaults' values after)."""
    parts, star = [], False
    for k, p in enumerate(params):
        if p.kind is p.VAR_POSITIONAL:
            parts.append(f"*{p.name}")
            star = True
        elif p.kind is p.VAR_KEYWORD:
            parts.append(f"**{p.name}")
        else:
            if p.kind is p.KEYWORD_ONLY and not star:
                parts.append("*")
                star = True
            parts.append(p.name + ("=..." if p.default is not p.empty else ""))
        if p.kind is p.POSITIONAL_ONLY and (k + 1 == len(params) or params[k + 1].kind is not p.POSITIONAL_ONLY):
            parts.append("/")
    return ", ".join(parts)


def _arguments(params: list) -> str:
    """The call passing `params` on: positional ones by position, keyword-only ones by name."""
    out = []
    for p in params:
        out.append(f"*{p.name}" if p.kind is p.VAR_POSITIONAL else f"**{p.name}" if p.kind is p.VAR_KEYWORD else
                   f"{p.name}={p.name}" if p.kind is p.KEYWORD_ONLY else p.name)
    return ", ".join(out)


def _passes_on(f) -> bool:
    """Does the wrapper `f` read its `*args` (and `**kwargs`) only to pass them on, unchanged and whole, to the
    function it wraps (`fn(*args, **kwargs)`, `fn` its `__wrapped__`, from its closure or module)?"""
    code = f.__code__
    star = code.co_varnames[0]
    double = code.co_varnames[1] if code.co_flags & inspect.CO_VARKEYWORDS else None
    try:
        lines, _ = inspect.findsource(code)
        tree = ast.parse(textwrap.dedent("".join(inspect.getblock(lines[code.co_firstlineno - 1:]))))
    except (OSError, TypeError, SyntaxError, IndexError):
        return False
    fdef = next((n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.name == code.co_name), None)
    if fdef is None or isinstance(fdef, ast.AsyncFunctionDef):
        return False
    closure = dict(zip(code.co_freevars, (c.cell_contents for c in f.__closure__ or ())))
    target = f.__wrapped__
    passed = set()  # ids of the Name nodes that pass the arguments on
    calls = 0
    for node in ast.walk(ast.Module(body=fdef.body, type_ignores=[])):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        value = closure.get(node.func.id, f.__globals__.get(node.func.id, None))
        if value is not target:
            continue
        stars = [a.value for a in node.args if isinstance(a, ast.Starred)]
        doubles = [k.value for k in node.keywords if k.arg is None]
        if len(node.args) == 1 and len(stars) == 1 and isinstance(stars[0], ast.Name) and stars[0].id == star and \
                (double is None and not node.keywords or len(node.keywords) == 1 and len(doubles) == 1 and
                 isinstance(doubles[0], ast.Name) and doubles[0].id == double):
            passed.update(map(id, stars + doubles))
            calls += 1
    if not calls:
        return False
    return all(id(n) in passed for n in ast.walk(ast.Module(body=fdef.body, type_ignores=[]))
               if isinstance(n, ast.Name) and n.id in (star, double))


def _own_parameters_only(f) -> bool:
    """Is `f` (a function, or a method bound to one) a `functools.wraps` wrapper taking only `*args` (and
    `**kwargs`) that `forwarded` leaves as it is (it reads its arguments itself)?"""
    f = getattr(f, "__func__", f)
    if type(f) is not types.FunctionType or getattr(f, "__wrapped__", None) is None:
        return False
    code = f.__code__
    if code.co_argcount or code.co_kwonlyargcount or not code.co_flags & inspect.CO_VARARGS:
        return False
    return forwarded(f) is f and custom.users_rule(f) is None


def refuse_unforwarded(what: str, f) -> None:
    """Refuse a Jacobian or Hessian of a wrapper that reads its `*args` itself: its derivative is taken with
    respect to its own parameter `args` (a tuple), while the parameters it shows (`inspect.signature`) are the
    function's beneath, which a Jacobian and a Hessian read."""
    if _own_parameters_only(f):
        inner = getattr(f, "__func__", f)
        own = ", ".join(f"*{n}" if k == 0 else f"**{n}" for k, n in enumerate(inner.__code__.co_varnames[
            :1 + bool(inner.__code__.co_flags & inspect.CO_VARKEYWORDS)]))
        raise S2SError(_advice(what, inner, f"its parameters are its own ({own}), not the ones it shows"))


def refuse_keywords_wrt(what: str, f, wrt) -> None:
    """Refuse a `wrt` naming the `**kwargs` of a wrapper that reads its arguments itself (or a bound method of
    one, whose wrt counts after `self`): the derivative with respect to the keywords a positional call passes,
    always {}, is never the one meant."""
    if not _own_parameters_only(f):
        return
    if inspect.ismethod(f):
        raise S2SError(_advice(what, f.__func__, "bound to an object it has no parameter of its own for the object"))
    code = f.__code__
    if not code.co_flags & inspect.CO_VARKEYWORDS:
        return
    name = code.co_varnames[1]
    for w in (wrt if isinstance(wrt, (tuple, list)) else [wrt]):
        if w == name or type(w) is int and w in (1, -1):
            raise S2SError(_advice(what, f, f"wrt names its **{name} (position 1, which a bound method's wrt=0 "
                                            f"is, counted after self), the keywords a call passes: no derivative "
                                            f"where the arguments are passed by position"))


def _advice(what: str, f, why: str) -> str:
    name = getattr(f, "__name__", "f")
    try:
        shown = str(inspect.signature(f))
    except (TypeError, ValueError):
        shown = "(...)"
    return (f"{what}: {name} is a functools.wraps wrapper that reads its arguments itself (not only passing "
            f"*args and **kwargs on unchanged to the function it wraps): {why}; s2s differentiates it with "
            f"respect to its own parameters, not {name}{shown}: transform the function beneath, "
            f"{what}({name}.__wrapped__, ...), or give the wrapper the parameters it takes")
