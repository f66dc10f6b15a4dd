"""The parameters of the function being transformed, for the reverse-mode transformations (api/transform.py):
which ones a `wrt` names (`resolve_wrt`), and its parameter list and a call passing them on, as the source
text of a generated entry function (`_signature`, `_call`); and how to transform the function beneath a
functools.partial instead (`partial_advice`).
"""
from __future__ import annotations

import difflib
import functools
import inspect
import numbers

from s2s import ir
from s2s.errors import ArgumentTypeError, CallError


def given_wrt(wrt):
    """`wrt` as the transformations keep it: a NumPy integer position (an np.int64 from np.arange or np.argmax) as
    the Python int it stands for, as JAX's argnums takes any integer; names, tuples and lists as given."""
    if isinstance(wrt, (tuple, list)):
        return type(wrt)(given_wrt(w) for w in wrt)
    if isinstance(wrt, numbers.Integral) and not isinstance(wrt, (bool, int)):
        return int(wrt)
    return wrt


def default(f, name: str, missing=None):
    """The default of the parameter `name` of the function `f` (`__defaults__`, `__kwdefaults__`, as they are at
    the call), `missing` where it has none."""
    code = getattr(f, "__code__", None)
    kwdefaults = getattr(f, "__kwdefaults__", None) or {}
    if code is None or name in kwdefaults:
        return kwdefaults.get(name, missing)
    names, defaults = code.co_varnames[:code.co_argcount], getattr(f, "__defaults__", None) or ()
    i = names.index(name) - (len(names) - len(defaults)) if name in names else -1
    return defaults[i] if i >= 0 else missing


def wrt_arguments(f, wrt_at, args: tuple, kwargs: dict) -> list:
    """The arguments of a call `f(*args, **kwargs)` at `wrt_at` ((position, name), ...), those left out at their
    defaults (a float left at its default has a float's derivative, a float32 one a float32's); None where a
    parameter has none (a `*args`)."""
    count = len(args)
    return [args[i] if i < count else kwargs[name] if name in kwargs else default(f, name) for i, name in wrt_at]


def resolve_wrt(params: list[str], wrt, fname: str, src=None) -> tuple[list[str], bool]:
    """Parameter names for `wrt` and whether a single derivative (not a tuple) is wanted.

    A `wrt` that names no parameter is refused with the function's parameters, the name meant and, given
    `src` (the function's `Source`), the file and line of its `def`."""
    wrt = given_wrt(wrt)
    single = not isinstance(wrt, (tuple, list))
    items = [wrt] if single else list(wrt)
    names = []
    where = ""
    if src is not None:
        where = f"\n  {src.filename}:{src.tree.lineno}\n    {src.line(src.tree.lineno).strip()}"
    for w in items:
        if isinstance(w, bool) or not isinstance(w, (int, str)):
            raise ArgumentTypeError(f"wrt must be a parameter position, a name, or a tuple of them; got {w!r}: write "
                                    f"wrt=0 or wrt={params[0] if params else 'x'!r}, or wrt=(0, 1) for several{where}")
        if not params:
            raise CallError(f"{fname} has no parameters, so there is nothing to differentiate with respect to: "
                            f"give it the parameter you mean (def {fname}(x): ...) and pass its value{where}")
        if isinstance(w, int):
            if not -len(params) <= w < len(params):
                raise CallError(f"wrt={w} is out of range: {fname} has {len(params)} parameter(s) {params}; "
                                f"positions count from 0, so the last is wrt={len(params) - 1}{where}")
            name = params[w]
        else:
            if w not in params:
                close = difflib.get_close_matches(w, params, n=1)
                meant = f": did you mean wrt={close[0]!r}?" if close else \
                    f"; name one of them, or give its position (wrt=0 for {params[0]!r})" if params else ""
                raise CallError(f"wrt={w!r} is not a parameter of {fname}; its parameters are {params}{meant}"
                                f"{where}")
            name = w
        if name in names:
            raise CallError(f"wrt={wrt!r} names the parameter '{name}' of {fname} twice; name each parameter "
                            f"once{where}")
        names.append(name)
    return names, single


def _signature(fn) -> str:
    """A function's parameter list as source text, defaults included (a constant, or the name of the data)."""
    text = lambda d: d.name if isinstance(d, ir.Var) else repr(d)  # noqa: E731
    sig = fn.signature
    positional = fn.params if sig is None else fn.params[:sig.positional]
    first_default = len(positional) - len(fn.defaults)
    parts = [p if i < first_default else f"{p}={text(fn.defaults[i - first_default])}"
             for i, p in enumerate(positional)]
    if sig is not None:
        parts += [f"*{sig.vararg}"] if sig.vararg else ["*"] if sig.kwonly else []
        parts += [f"{p}={text(sig.kwdefaults[p])}" if p in sig.kwdefaults else p for p in sig.kwonly]
        parts += [f"**{sig.kwarg}"] if sig.kwarg else []
    return ", ".join(parts)


def _call(fn, *extra: str) -> str:
    """The arguments of a call passing a function's own parameters on (`x, *args, k=k, **options`), then
    `extra` (keyword-only where the function has more than positional parameters)."""
    sig = fn.signature
    if sig is None:
        return ", ".join(list(fn.params) + list(extra))
    parts = list(fn.params[:sig.positional]) + ([f"*{sig.vararg}"] if sig.vararg else [])
    parts += [f"{p}={p}" for p in list(sig.kwonly) + list(extra)] + ([f"**{sig.kwarg}"] if sig.kwarg else [])
    return ", ".join(parts)


def partial_advice(kind: str, p: functools.partial, wrt) -> str:
    """Why `s2s.<kind>(p, wrt=wrt)` of a functools.partial is refused, and the call of the function beneath it that
    gives the same derivative: its fixed arguments passed where they were fixed (a positional one first, as
    `functools.partial(h, 0.4)(a, b)` is `h(0.4, a, b)`), the others by their names, and `wrt` moved past the fixed
    positional arguments: `s2s.grad(h, wrt=1)(0.4, a, b)`."""
    inner = getattr(p.func, "__name__", "f")
    why = f"it is a functools.partial, not a Python function; transform the function itself and pass the fixed " \
          f"arguments when you call the result: "
    try:
        params = list(inspect.signature(p.func).parameters.values())
        remaining = [q.name for q in inspect.signature(p).parameters.values()
                     if q.kind in (q.POSITIONAL_ONLY, q.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return why + f"s2s.{kind}({inner}, wrt=...)(...), with wrt naming the parameter to differentiate"
    positional = [q.name for q in params if q.kind in (q.POSITIONAL_ONLY, q.POSITIONAL_OR_KEYWORD)]
    shown = lambda v, name: r if len(r := repr(v)) <= 30 else name  # noqa: E731 (a long array: its name)
    args = [shown(v, positional[i] if i < len(positional) else "...") for i, v in enumerate(p.args)]
    free = [name for name in positional[len(p.args):] if name not in p.keywords]
    by_name = next((i for i, name in enumerate(positional[len(p.args):]) if name in p.keywords), len(free))
    args += free[:by_name]  # (after a parameter the partial fixed by name, the others are passed by name too)
    if any(q.kind is q.VAR_POSITIONAL for q in params) and len(p.args) <= len(positional) and by_name == len(free):
        args.append("...")
    keywords = [f"{k}={shown(v, k)}" for k, v in p.keywords.items()] + [f"{k}={k}" for k in free[by_name:]]
    def moved(w):
        if isinstance(w, int) and not isinstance(w, bool) and -len(remaining) <= w < len(remaining):
            name = remaining[w]
            return positional.index(name) if name in positional else name
        return w
    items = [moved(w) for w in wrt] if isinstance(wrt, (tuple, list)) else [moved(wrt)]
    spelled = "" if items == [0] and not isinstance(wrt, (tuple, list)) else \
        f", wrt={tuple(items) if isinstance(wrt, (tuple, list)) else items[0]!r}"
    call = f"(({', '.join(args)}{',' if len(args) == 1 else ''}), tangents{''.join(', ' + k for k in keywords)})" \
        if kind == "jvp" else f"({', '.join(args + keywords)})"
    return why + f"s2s.{kind}({inner}{spelled}){call}"
