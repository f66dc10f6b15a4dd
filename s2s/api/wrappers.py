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
wrapper adds (`10.0 * fn(*args, **kwargs)`). The same holds of a wrapper with positional parameters of its own
passed on first, unchanged (`def wrapper(self, *args, **kwargs): return fn(self, *args, **kwargs)`), and with
keyword-only ones of its own (`scale=1.5`, `verbose=False`), which the function made takes after the shown ones:
`def f(x, a=2.0, *, scale=1.5): return wrapper(x, a, scale=scale)`. A wrapper that reads its arguments otherwise
(`args[0]`, `kwargs.pop("verbose")`, `def wrapper(x, c=5.0): return fn(x, c)`) is transformed as a copy of itself
without `__wrapped__`, so that every transformation reads its own parameters and defaults, which a call binds
(`inspect.signature` would follow `__wrapped__` to the function beneath); where those are `*args` whose items
the parameters shown would be, a jvp, a Jacobian, a Hessian and a wrt past `*args` are refused.

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
    unchanged, a function with the parameters `inspect.signature(f)` shows calling it with them (and with the
    wrapper's own keyword-only ones: `scale=1.5` of `wrapper(*args, scale=1.5, **kwargs)`). A wrapper that reads
    its arguments otherwise is the function called with its own parameters and defaults (`wrapper(x, c=5.0)`
    around `f(x, c=1.0)`): a copy of it without `__wrapped__`, whose signature is its own (`_own`)."""
    if inspect.ismethod(f):
        inner = forwarded(f.__func__)
        return f if inner is f.__func__ else types.MethodType(inner, f.__self__)
    if type(f) is not types.FunctionType or getattr(f, "__wrapped__", None) is None:
        return library_call(f)
    parts = _parts(f)
    if parts is None:
        return f if custom.users_rule(f) is not None else _own(f)
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


def _parts(f):
    """`_shim_parts(f)`, made once per wrapper."""
    try:
        return _MADE[f]
    except KeyError:
        parts = _MADE[f] = _shim_parts(f)  # (the wrapper itself is left as it is: no attribute set on it)
        return parts


def _own(f):
    """A copy of the wrapper `f` without its `__wrapped__`: the function Python calls, whose signature
    (`inspect.signature`, which would follow `__wrapped__` to the function beneath) is its own parameters and
    defaults, as every transformation binds a call."""
    own = types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__, f.__closure__)
    own.__kwdefaults__ = f.__kwdefaults__
    own.__dict__.update({k: v for k, v in vars(f).items() if k != "__wrapped__"})
    own.__module__, own.__qualname__, own.__doc__ = f.__module__, f.__qualname__, f.__doc__
    own.__s2s_forwards__ = f  # (what a transformation of it pickles: `given`)
    return own


def _called_signature(target) -> inspect.Signature:
    """The signature a call of `target` binds: a functools.wraps wrapper's as `forwarded` makes it (not the one
    `inspect.signature` reads through every `__wrapped__` beneath, whose defaults may not be the wrapper's)."""
    if type(target) is types.FunctionType and getattr(target, "__wrapped__", None) is not None:
        target = forwarded(target)
    return inspect.signature(target)


def _shim_parts(f):
    """What the function `forwarded` makes for the wrapper `f` is made of (its code, the names of its module but
    `f`, its defaults, the name by which it calls `f`), or None where `f` is not one it forwards: `f` takes
    `p1, ..., pk, *args` (k >= 0, no defaults), keyword-only parameters of its own and maybe `**kwargs`, and
    passes `p1, ..., pk, *args, **kwargs` on unchanged to the function it wraps (`fn(self, *args, **kwargs)`)."""
    code = f.__code__
    if custom.users_rule(f) is not None or not code.co_flags & inspect.CO_VARARGS or f.__defaults__:
        return None  # (a wrapper with the user's rule is called with that rule)
    try:
        signature = _called_signature(f.__wrapped__)
    except (TypeError, ValueError):
        return None
    shown = list(signature.parameters.values())
    if any(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in shown) and not code.co_flags & inspect.CO_VARKEYWORDS:
        return None
    leading = shown[:code.co_argcount]  # (the wrapper's own positional parameters take these)
    if any(p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) or p.default is not p.empty
           for p in leading) or len(leading) < code.co_argcount:
        return None
    own = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=(f.__kwdefaults__ or {}).get(
        n, inspect.Parameter.empty)) for n in code.co_varnames[code.co_argcount:code.co_argcount +
                                                               code.co_kwonlyargcount]]
    if {p.name for p in own} & {p.name for p in shown}:
        return None  # (a keyword the wrapper takes, which the function beneath shows too)
    at = next((i for i, p in enumerate(shown) if p.kind is p.VAR_KEYWORD), len(shown))
    params = shown[:at] + own + shown[at:]
    if not all(p.name.isidentifier() and not keyword.iskeyword(p.name) for p in params) or not _passes_on(f):
        return None
    names = {p.name for p in params}
    callee = code.co_name if code.co_name.isidentifier() else "wrapper"
    while callee in names:
        callee += "_"
    name = getattr(f, "__name__", "f")
    name = name if name.isidentifier() and not keyword.iskeyword(name) else "wrapped"
    text = f"def {name}({_parameters(params)}):\n    return {callee}({_arguments(params)})\n"
    filename = f"<s2s-forwarding {getattr(f, '__qualname__', name)} {next(_NUMBERS)}>"
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
    namespace = {callee: f, "__name__": getattr(f, "__module__", None) or "__main__"}
    # (a default that is module data keeps its module's name for it: `from model import W0`, as f's own would)
    modules = (getattr(inspect.unwrap(f), "__globals__", {}), f.__globals__)
    for p in params:
        if p.default is not p.empty and not isinstance(p.default, (bool, int, float, complex, str, type(None))):
            module = modules[p in own]
            name_of = next((k for k, v in module.items() if v is p.default and not k.startswith("_")), None)
            if name_of is not None and name_of != callee:
                namespace[name_of] = p.default
    made = next(c for c in compile(text, filename, "exec").co_consts if isinstance(c, types.CodeType))
    positional = [p.default for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                  and p.default is not p.empty]
    kwdefaults = {p.name: p.default for p in params if p.kind is p.KEYWORD_ONLY and p.default is not p.empty}
    del namespace[callee]
    return made, namespace, tuple(positional) or None, kwdefaults or None, callee


def given(f):
    """The function the user gave, where `f` is one `forwarded` made for it (or a method bound to one)."""
    if inspect.ismethod(f):  # (not the attribute of its __func__, which a bound method reads: that one unbound)
        inner = given(f.__func__)
        return f if inner is f.__func__ else types.MethodType(inner, f.__self__)
    return getattr(f, "__s2s_forwards__", f)


def reduce_given(obj, protocol: int, *args):
    """`obj.__reduce_ex__(protocol)` for a Jacobian or Hessian: where the function it holds is one `forwarded`
    made (which pickles by no name), it is made again from the function the user gave and `args`."""
    f = obj.__wrapped__
    if given(f) is f:
        return object.__reduce_ex__(obj, protocol)
    return type(obj), (given(f), *args)


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
    function it wraps (`fn(*args, **kwargs)`, `fn` its `__wrapped__`, from its closure or module), after its own
    positional parameters, which it never assigns (`fn(self, *args, **kwargs)`)?"""
    code = f.__code__
    leading = code.co_varnames[:code.co_argcount]
    star = code.co_varnames[code.co_argcount + code.co_kwonlyargcount]
    double = code.co_varnames[code.co_argcount + code.co_kwonlyargcount + 1] \
        if code.co_flags & inspect.CO_VARKEYWORDS else None
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
        first = node.args[:len(leading)]
        if len(node.args) == len(leading) + 1 and len(stars) == 1 and isinstance(stars[0], ast.Name) and \
                stars[0].id == star and all(isinstance(a, ast.Name) and a.id == n for a, n in zip(first, leading)) \
                and (double is None and not node.keywords or len(node.keywords) == 1 and len(doubles) == 1 and
                     isinstance(doubles[0], ast.Name) and doubles[0].id == double):
            passed.update(map(id, stars + doubles))
            calls += 1
    if not calls:
        return False
    body = list(ast.walk(ast.Module(body=fdef.body, type_ignores=[])))
    return all(id(n) in passed for n in body if isinstance(n, ast.Name) and n.id in (star, double)) and \
        not any(isinstance(n, ast.Name) and n.id in leading and not isinstance(n.ctx, ast.Load) or
                isinstance(n, (ast.Global, ast.Nonlocal)) and set(n.names) & set(leading) for n in body)


def _own_parameters_only(f) -> bool:
    """Is `f` (a function, or a method bound to one, or what `forwarded` made for either) a `functools.wraps`
    wrapper taking only `*args` (keyword-only parameters and `**kwargs`) that `forwarded` does not forward (it
    reads its arguments itself)?"""
    f = given(getattr(f, "__func__", f))
    if type(f) is not types.FunctionType or getattr(f, "__wrapped__", None) is None:
        return False
    code = f.__code__
    if code.co_argcount or not code.co_flags & inspect.CO_VARARGS:
        return False
    return _parts(f) is None and custom.users_rule(f) is None


def refuse_unforwarded(what: str, f) -> None:
    """Refuse a jvp, Jacobian or Hessian of a wrapper that reads its `*args` itself: its derivative is taken with
    respect to its own parameter `args` (a tuple), while the parameters it shows (`inspect.signature`) are the
    function's beneath, which the tangents of a jvp and a Jacobian's and Hessian's blocks are read as."""
    if _own_parameters_only(f):
        inner = given(getattr(f, "__func__", f))
        raise S2SError(_advice(what, inner, f"its parameters are its own ({_own_names(inner)}), not the ones it "
                                            f"shows"))


def refuse_keywords_wrt(what: str, f, wrt) -> None:
    """Refuse a `wrt` counting the parameters of a wrapper that reads its arguments itself past its `*args` (its
    keyword-only ones, its `**kwargs`), or naming its `**kwargs`, and any derivative of a bound method of one
    (whose wrt counts after `self`, which its `*args` holds): the derivative with respect to `verbose=False` or
    the keywords a positional call passes (0.0, {}) is never the one meant."""
    if not _own_parameters_only(f):
        return
    if inspect.ismethod(f):
        raise S2SError(_advice(what, given(f.__func__), "bound to an object it has no parameter of its own for "
                                                        "the object"))
    inner = given(f)
    code = inner.__code__
    double = code.co_varnames[code.co_kwonlyargcount + 1] if code.co_flags & inspect.CO_VARKEYWORDS else None
    for w in (wrt if isinstance(wrt, (tuple, list)) else [wrt]):
        if w == double or type(w) is int and w != 0:
            raise S2SError(_advice(what, inner, f"wrt={w!r} names one of its own parameters "
                                                f"({_own_names(inner)}), not one it shows (a bound method's wrt=0 "
                                                f"counts after self)"))


def _own_names(f) -> str:
    """The wrapper's own parameters, `*args, verbose, **kwargs`."""
    code = f.__code__
    kwonly = list(code.co_varnames[:code.co_kwonlyargcount + 1 + bool(code.co_flags & inspect.CO_VARKEYWORDS)])
    star = kwonly.pop(code.co_kwonlyargcount)
    double = kwonly.pop() if code.co_flags & inspect.CO_VARKEYWORDS else None
    return ", ".join([f"*{star}"] + kwonly + ([f"**{double}"] if double else []))


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
