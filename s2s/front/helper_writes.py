"""What a helper of the user's called for its effect writes, read from its text alone: s2s runs such a helper as it
is (its result discarded, effects.py) only where it changes nothing s2s follows: an argument it was given
(`argument_write`), or data of its module or closure that the function differentiated reads (`outside_write`).
"""
from __future__ import annotations

import ast
import builtins
import inspect
import threading

from s2s import ir
from s2s.errors import S2SError
from s2s.front.source import MISSING, parameters, read_function
from s2s.prims import MUTATING_METHODS


_SCAN = threading.local()  # .memo: (a helper (its tree's id for a nested def), its parameters holding arguments) -> what it writes
_SETS_ATTRIBUTE = (setattr, delattr, object.__setattr__, object.__delattr__)  # (setattr(obj, 'v', x): obj changes)
# NumPy's and random's functions (and generators' methods) that write into their first argument, by name
WRITES_FIRST_ARGUMENT = frozenset({"copyto", "put", "place", "putmask", "fill_diagonal", "put_along_axis", "shuffle"})


def argument_write(fn, args: tuple, kwargs: tuple, depth: int = 0):
    """(parameter, node, Source) of the first statement of the helper `fn` (called with the atoms `args`,
    `kwargs`) that may change one of its arguments in place, or None: `a[i] = v`, `a.x = v`, `a += v` (an
    array or a list changes in place), `a.append(v)` and the other methods that change their object,
    `np.copyto(a, v)`, a call with `out=`, `np.add.at(a, ...)`, or a helper called with `a` that does one of
    these. A name bound to anything that reads `a` but arithmetic (`b = a[1:]`, `b = a`, `for r in a`) is `a`
    too. Read from the helper's text alone: s2s runs the helper as it is only if this finds nothing."""
    try:
        src = read_function(fn)
    except S2SError:
        return None
    return source_argument_write(src, fn, args, kwargs, depth)


def source_argument_write(src, fn, args: tuple, kwargs: tuple, depth: int = 0):
    """`argument_write` of the helper read as `src` (`fn`: its function object, None for a nested def). Each
    helper is read once per scan for the parameters that may hold an argument (`_SCAN`): a helper calling itself
    (dataclasses' recursive `_astuple_inner`), or helpers calling each other, are not read again around the cycle,
    nor along every path of calls to it (which grew as the power of the calls per helper)."""
    sig = parameters(src.tree, fn)
    given = dict(zip(sig.positional, args)) | dict(kwargs)
    immutable = lambda a: isinstance(a, ir.Const) and isinstance(a.value, (int, float, complex, str, bytes,  # noqa
                                                                             type(None)))
    origin = {p: p for p in sig.params if p in given and not immutable(given[p]) or
              p not in given and p in (sig.vararg, sig.kwarg)}
    memo = getattr(_SCAN, "memo", None)
    if memo is None:  # (a scan begins: its helpers read, and being read, are remembered until it ends)
        _SCAN.memo = {}
        try:
            return source_argument_write(src, fn, args, kwargs, depth)
        finally:
            _SCAN.memo = None
    key = (fn if fn is not None else id(src.tree), frozenset(origin))
    if key not in memo:
        memo[key] = None  # (being read: a call back into it, around a cycle, adds no write of its own)
        memo[key] = _first_write(src, origin, depth)
    return memo[key]


def writes_elements(src, fn, args: tuple, kwargs: tuple, depth: int = 0) -> bool:
    """Is the first write `source_argument_write` finds in the helper read as `src` a write of elements of the
    argument (`a[i] = v`, `a[i] += v`, `np.add.at(a, i, v)`), there or in a helper it gives the parameter to by
    name (`a = g(a, v)`, g writing `a[2] = v`)? Not an `a += v`, an append, an attribute, or a write through a
    name the helper binds to the parameter before handing it on."""
    found = source_argument_write(src, fn, args, kwargs, depth)
    if found is None:
        return False
    param, node, where = found
    if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(isinstance(t, ast.Subscript) for t in targets)
    if not isinstance(node, ast.Call):
        return False
    if isinstance(node.func, ast.Attribute) and node.func.attr == "at":  # np.add.at(a, i, v)
        return bool(node.args) and isinstance(node.args[0], ast.Name) and node.args[0].id == param
    target = _static(where, node.func)
    if not (inspect.isfunction(target) and user_function(target)) or depth >= 8 or \
            any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return False
    given = lambda a: ir.Var(param) if isinstance(a, ast.Name) and a.id == param else ir.Const(None)  # noqa: E731
    try:
        inner = read_function(target)
    except S2SError:
        return False
    return writes_elements(inner, target, tuple(given(a) for a in node.args),
                           tuple((k.arg, given(k.value)) for k in node.keywords), depth + 1)


def _first_write(src, origin: dict, depth: int):
    """(parameter, node, src) of the first write through a name in `origin` (name -> the parameter it may be)
    in the body of `src`, or None."""
    body = ast.Module(body=src.tree.body, type_ignores=[])
    nodes = [n for n in ast.walk(body) if not isinstance(n, (ast.Lambda,))]
    while True:  # the names that may hold (part of) an argument, to a fixed point
        grown = False
        for n in nodes:
            pairs = []
            if isinstance(n, (ast.Assign, ast.AnnAssign)) and n.value is not None:
                targets = n.targets if isinstance(n, ast.Assign) else [n.target]
                pairs = [(t, n.value) for t in targets]
            elif isinstance(n, (ast.For, ast.comprehension)):
                pairs = [(n.target, n.iter)]
            elif isinstance(n, ast.NamedExpr):
                pairs = [(n.target, n.value)]
            for t, value in pairs:
                source = _shares(value, origin)
                if source is None:
                    continue
                for name in (m.id for m in ast.walk(t) if isinstance(m, ast.Name)):
                    if name not in origin:
                        origin[name] = source
                        grown = True
        if not grown:
            break
    for n in sorted(nodes, key=lambda m: (getattr(m, "lineno", 0), getattr(m, "col_offset", 0))):
        found = None
        if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = n.targets if isinstance(n, (ast.Assign, ast.Delete)) else [n.target]
            for t in targets:
                for part in ast.walk(t):
                    if isinstance(part, (ast.Subscript, ast.Attribute)) and isinstance(part.ctx, (ast.Store, ast.Del)):
                        found = found or _root_of(part.value, origin)
                    elif isinstance(n, ast.AugAssign) and isinstance(part, ast.Name):
                        found = found or origin.get(part.id)  # (a += v: an array or a list changes in place)
        elif isinstance(n, ast.Call):
            found = _call_writes(src, n, origin, depth)
        if found is not None:
            return found, n, src
    return None


def _root_of(node, origin: dict):
    """The parameter the expression `node` (`a`, `a[1:]`, `a.T`, `a[0].x`) may be part of, or None."""
    while isinstance(node, (ast.Subscript, ast.Attribute, ast.Starred)):
        node = node.value
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):  # a.reshape(3, 1), a.view()
        return _root_of(node.func.value, origin)
    return origin.get(node.id) if isinstance(node, ast.Name) else None


def _shares(value, origin: dict):
    """The parameter `value` may hold or be a view of (anything reading it but arithmetic, which makes new
    numbers and arrays), or None."""
    if isinstance(value, (ast.BinOp, ast.UnaryOp, ast.Compare, ast.JoinedStr, ast.Constant)):
        return None
    return next((origin[m.id] for m in ast.walk(value) if isinstance(m, ast.Name) and m.id in origin), None)


def _call_writes(src, call: ast.Call, origin: dict, depth: int):
    """The parameter the call `call` in `src` may change in place, or None."""
    func = call.func
    args = [a.value if isinstance(a, ast.Starred) else a for a in call.args]
    reached = [_shares(a, origin) for a in args]
    if any(_static(src, func) is w for w in _SETS_ATTRIBUTE):
        return reached[0] if reached else None  # setattr(obj, 'v', x), object.__setattr__(obj, 'v', x)
    if isinstance(func, ast.Attribute) and func.attr in MUTATING_METHODS:
        found = _root_of(func.value, origin)
        if found is not None:
            return found
    for k in call.keywords:
        if k.arg == "out" and _shares(k.value, origin) is not None:
            return _shares(k.value, origin)
    if not any(r is not None for r in reached) and not any(_shares(k.value, origin) for k in call.keywords):
        return None
    target = _static(src, func)
    if isinstance(func, ast.Attribute) and func.attr == "at" and reached and reached[0] is not None:
        return reached[0]  # np.add.at(a, i, v)
    if _library_writer(target, func) and reached and reached[0] is not None:
        return reached[0]  # np.copyto(a, v), rng.shuffle(a)
    if inspect.isfunction(target) and user_function(target) and depth < 8:  # another helper: what it writes
        given = tuple(ir.Var(r) if r is not None else ir.Const(None) for r in reached)
        named = tuple((k.arg, ir.Var(_shares(k.value, origin)) if _shares(k.value, origin) else ir.Const(None))
                      for k in call.keywords if k.arg is not None)
        inner = argument_write(target, given, named, depth + 1)
        if inner is not None:
            sig = parameters(read_function(target).tree, target)
            where = dict(zip(sig.positional, reached)) | {k.arg: _shares(k.value, origin) for k in call.keywords}
            return where.get(inner[0]) or next(r for r in reached if r is not None)
    return None


def _library_writer(target, func) -> bool:
    """Is the callee (`target`, spelled `func`) one of NumPy's or random's functions that write into their first
    argument? A method of an object s2s cannot resolve (`rng.shuffle`) is taken by its name."""
    name = func.attr if isinstance(func, ast.Attribute) else getattr(target, "__name__", "")
    if name not in WRITES_FIRST_ARGUMENT:
        return False
    owner = getattr(target, "__self__", None)
    module = getattr(target, "__module__", None) or type(owner).__module__ if target is not MISSING else "numpy"
    return (module or "").split(".")[0] in ("numpy", "random")


def _static(src, func):
    """What the callee expression `func` (`np.copyto`, `helper`) refers to in `src`'s module, or MISSING."""
    if isinstance(func, ast.Name):
        return src.closure.get(func.id, src.globals.get(func.id, getattr(builtins, func.id, MISSING)))
    if isinstance(func, ast.Attribute):
        owner = _static(src, func.value)
        return MISSING if owner is MISSING else getattr(owner, func.attr, MISSING)
    return MISSING


def user_function(fn) -> bool:
    """Is `fn` a function of the user's (not of a library s2s would call as it is)?"""
    module = getattr(fn, "__module__", None) or ""
    return not module.split(".")[0] in ("s2s", "numpy", "scipy", "logging", "warnings", "math", "builtins")


def outside_write(fn):
    """(name, object) of the data of `fn`'s module or closure (not its parameters or its own names) that its body
    may change in place (`BUF[:] = v`, `HIST.append(v)`, `Work.buf[:] = v`, `np.copyto(BUF, v)`), or None."""
    try:
        src = read_function(fn)
    except S2SError:
        return None
    sig = parameters(src.tree, fn)
    local = set(sig.params) | {n.id for n in ast.walk(src.tree) if isinstance(n, ast.Name) and
                               isinstance(n.ctx, ast.Store)}
    free = {n.id for n in ast.walk(src.tree) if isinstance(n, ast.Name) and n.id not in local}
    found = _first_write(src, {name: name for name in free}, 0)
    if found is None:
        return None
    obj = src.closure.get(found[0], src.globals.get(found[0], MISSING))
    return None if obj is MISSING else (found[0], obj)
