"""A function of the user's that writes into its parameters cannot have a rule (rules/custom.py asks here).

The body is read in order, as it runs: a name holds (a part of) what the caller passed in from its parameter
until it is rebound to a new value (`x = np.copy(x)`, `x = x * s`, `x = np.array(x, dtype=float)`), and a name
bound to a view or an item of one (`y = x`, `y = x[1:]`, `y = x.reshape(n)`, `for row in x`) holds it too. A
write through such a name (`x -= m`, `y[i] = v`, `x.sort()`, `np.add(y, 1, out=y)`) is refused; one into a name
rebound to a copy on every path before it is the function's own. After an `if`, a name holds the caller's where
either branch leaves it so; a loop's body is read until that settles.
"""
from __future__ import annotations

import ast
import builtins
import copy
import inspect
import linecache
import textwrap

import numpy

from s2s import prims
from s2s.errors import S2SError

# methods that change their object in place (an array's, a list's, a dict's: x.sort(), L.append(v), d.update(e))
IN_PLACE_METHODS = prims.MUTATING_METHODS | {"__itruediv__", "__ipow__"}
# builtins (and copy's functions) whose result is a new container: L2 = list(L); L2.append(v) changes L2 alone
_NEW_CONTAINERS = (list, dict, set, frozenset, tuple, sorted, copy.copy, copy.deepcopy)
# NumPy's functions that write into their first argument (np.copyto(a, v), np.add.at(a, i, v): a ufunc's `at`)
_WRITE_FIRST = frozenset({"copyto", "put", "place", "putmask", "fill_diagonal", "put_along_axis", "at"})
# methods whose result may be their object itself, a view of it or an item it holds (an array's, a dict's)
_VIEW_METHODS = frozenset({"reshape", "ravel", "transpose", "swapaxes", "squeeze", "view", "diagonal", "conj",
                           "conjugate", "getfield", "get", "values", "items", "pop", "setdefault", "__getitem__",
                           "__array__"})
# attributes that are views of an array (x.T, x.real) or anything of another object; not these (numbers, tuples)
_NUMBER_ATTRIBUTES = frozenset({"shape", "ndim", "size", "dtype", "itemsize", "nbytes"})
# builtins whose result holds their arguments or what iterating them gives (list(x): the rows of x, views)
_HOLDERS = (list, tuple, dict, set, sorted, next, getattr, iter, reversed, zip, enumerate, max, min, map, filter)
_UNKNOWN = object()
_SHARING: dict = {}


def _shares_by_key(obj) -> bool:
    """Is `obj` a library function whose result may be (a view of) an operand (prims' alias tables)?"""
    if not _SHARING:
        for key in (*prims.MAY_SHARE_MEMORY, *prims.WRITE_THROUGH, *prims.MAY_RETURN_OPERAND):
            known = prims.python_object(key)
            if known is not None:
                _SHARING[id(known)] = known
    return id(obj) in _SHARING


def refuse_writes(func, how: str) -> None:
    """Refuse a rule (or nondifferentiable, `how`) for a function of the user's whose source visibly writes into
    one of its parameters (`v *= s`, `v[i] = x`, `v.sort()`, `np.add(v, 1, out=v)`), or into another name for it
    or a part of it: s2s calls it without reading it, and would not see the caller's array change."""
    if not inspect.isfunction(func):
        return
    try:
        lines, start = inspect.getsourcelines(func)
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError):
        return
    node = tree.body[0] if tree.body else None
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Lambda):
        return
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return
    a = node.args
    params = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs] + \
        [p.arg for p in (a.vararg, a.kwarg) if p is not None]
    flow = _Flow(func, {p: p for p in params})
    try:
        flow.block(node.body)
    except _Write as w:
        line = start + w.node.lineno - 1
        filename = func.__code__.co_filename
        name, param = w.name, w.param
        through = "" if name == param else f" (through '{name}', which may be it, a part of it or hold it)"
        f = w.node.func if isinstance(w.node, ast.Call) else None
        # (a list's or a dict's own method, d.update(e); not a NumPy function writing through out=, np.exp(y, out=y))
        method = f.attr if isinstance(f, ast.Attribute) and f.attr in prims.MUTATING_METHODS and \
            not hasattr(numpy.ndarray, f.attr) else None
        instead = f"a new array ({name} = {name} * s, not {name} *= s; {name} = np.copy({name}) before writing " \
                  f"into it)" if method is None else \
            f"a new value instead of {name}.{method}(...) ({name} = {{**{name}, 'k': v}} for a dict, {name} = " \
            f"{name} + [v] for a list, or {name} = {name}.copy() before changing it), and use that value"
        raise S2SError(
            f"{how} for {func.__name__}, which writes into its parameter '{param}' in place{through}: s2s calls a "
            f"function with a rule without reading its body, and would not see the caller's "
            f"{'array' if method is None else 'object'} change"
            f"\n  {filename}:{line}\n    {linecache.getline(filename, line).strip()}\n"
            f"Make {func.__name__} return {instead}, or leave it without a rule so that s2s reads it"
        ) from None


class _Write(Exception):
    def __init__(self, node, name: str, param: str):
        super().__init__(name)
        self.node, self.name, self.param = node, name, param


class _Flow:
    """The names that may hold what the caller passed in (name -> the parameter), statement by statement."""

    def __init__(self, func, shared: dict):
        self.func, self.shared = func, shared
        self.fresh: set = set()  # names bound to a new container of the caller's parts (`L2 = list(L)`)
        try:
            self.closure = inspect.getclosurevars(func).nonlocals
        except (TypeError, ValueError):
            self.closure = {}

    # ------------------------------------------------------------------ statements
    def block(self, body) -> None:
        for s in body:
            self.statement(s)

    def statement(self, s) -> None:
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.shared.pop(s.name, None)  # (its own parameters; the name is a new function)
        elif isinstance(s, (ast.Assign, ast.AnnAssign)):
            if s.value is None:
                return
            self.writes_in(s.value)
            targets = s.targets if isinstance(s, ast.Assign) else [s.target]
            for t in targets:
                self.stored(t, s)
            held = self.holds(s.value)
            for t in targets:
                self.bind(t, held)
            new = isinstance(s.value, ast.Call) and any(self.resolve(s.value.func) is c for c in _NEW_CONTAINERS)
            self.fresh |= {t.id for t in targets if isinstance(t, ast.Name) and new}
        elif isinstance(s, ast.AugAssign):
            self.writes_in(s.value)
            if isinstance(s.target, ast.Name) and s.target.id in self.shared:
                raise _Write(s, s.target.id, self.shared[s.target.id])
            self.stored(s.target, s)
        elif isinstance(s, ast.Delete):
            for t in s.targets:
                self.stored(t, s)
        elif isinstance(s, ast.If):
            self.writes_in(s.test)
            self.branches([s.body, s.orelse])
        elif isinstance(s, (ast.For, ast.AsyncFor, ast.While)):
            if isinstance(s, ast.While):
                self.writes_in(s.test)
            else:
                self.writes_in(s.iter)
            self.loop(s)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            for item in s.items:
                self.writes_in(item.context_expr)
                if item.optional_vars is not None:
                    self.bind(item.optional_vars, self.holds(item.context_expr))
            self.block(s.body)
        elif isinstance(s, ast.Try) or type(s).__name__ == "TryStar":
            before = dict(self.shared)
            self.block(s.body)
            self.shared = {**before, **self.shared}  # (a handler may start anywhere in the body)
            self.branches([h.body for h in s.handlers] + [s.orelse])
            self.block(s.finalbody)
        elif isinstance(s, ast.Match):
            self.writes_in(s.subject)
            self.branches([c.body for c in s.cases] + [[]])
        else:
            for child in ast.iter_child_nodes(s):
                self.writes_in(child)

    def branches(self, bodies) -> None:
        """Each body from the state before; after them, a name holds the caller's where any leaves it so."""
        before, out = self.shared, {}
        for body in bodies:
            self.shared = dict(before)
            self.block(body)
            out.update(self.shared)
        self.shared = out

    def loop(self, s) -> None:
        """A loop's body (and else), read from the states it may start in until they settle."""
        entry = dict(self.shared)
        for _ in range(4):
            self.shared = dict(entry)
            if not isinstance(s, ast.While):
                self.bind(s.target, self.holds(s.iter))
            self.block(s.body)
            grown = {**entry, **self.shared}
            if grown.keys() == entry.keys():
                break
            entry = grown
        self.shared = entry
        self.block(s.orelse)

    def bind(self, target, held) -> None:
        """`target = value`, where the value may hold the caller's parameter `held` (else None)."""
        if isinstance(target, ast.Name):
            self.fresh.discard(target.id)
            if held is None:
                self.shared.pop(target.id, None)
            else:
                self.shared[target.id] = held
        elif isinstance(target, (ast.Tuple, ast.List)):
            for t in target.elts:
                self.bind(t, held)
        elif isinstance(target, ast.Starred):
            self.bind(target.value, held)

    def stored(self, target, s) -> None:
        """A write into an element or attribute of what the caller passed in (`x[i] = v`, `y.a = v`, `del d[k]`)."""
        for part in ast.walk(target):
            if isinstance(part, (ast.Subscript, ast.Attribute)) and isinstance(part.ctx, (ast.Store, ast.Del)):
                root = _root(part.value)
                own = isinstance(part, ast.Subscript) and isinstance(part.value, ast.Name) and root in self.fresh
                if root is not None and root in self.shared and not own:  # (L2[0] = v of L2 = list(L): L2's own)
                    raise _Write(s, root, self.shared[root])

    # ------------------------------------------------------------------ expressions
    def writes_in(self, expr) -> None:
        """Calls in `expr` that write in place into what the caller passed in (`x.sort()`, `out=x`)."""
        for n in _walk(expr):
            if isinstance(n, ast.NamedExpr):
                self.bind(n.target, self.holds(n.value))
            if not isinstance(n, ast.Call):
                continue
            f = n.func
            root = _root(f.value) if isinstance(f, ast.Attribute) else None
            if isinstance(f, ast.Attribute) and f.attr in IN_PLACE_METHODS and root in self.shared and \
                    not (isinstance(f.value, ast.Name) and f.value.id in self.fresh):
                raise _Write(n, root, self.shared[root])
            if isinstance(f, ast.Attribute) and f.attr in _WRITE_FIRST and n.args and root not in self.shared and \
                    (f.attr == "at" or isinstance(f.value, ast.Name) and f.value.id in ("np", "numpy")):
                held = self.holds(n.args[0])
                if held is not None:
                    raise _Write(n, _root(n.args[0]) or held, held)
            for k in n.keywords:
                outs = k.value.elts if isinstance(k.value, ast.Tuple) else [k.value]
                for o in outs if k.arg == "out" else ():
                    held = self.holds(o)
                    if held is not None:
                        raise _Write(n, _root(o) or held, held)

    def holds(self, e):
        """The parameter whose value (or a part of it) `e` may be, else None (a new value)."""
        if isinstance(e, ast.Name):
            return self.shared.get(e.id)
        if isinstance(e, ast.Attribute):
            return None if e.attr in _NUMBER_ATTRIBUTES else self.holds(e.value)
        if isinstance(e, ast.Subscript):
            advanced = isinstance(e.slice, (ast.List, ast.ListComp, ast.Compare))  # (x[[0, 2]], x[x > 0]: a copy)
            return None if advanced else self.holds(e.value)
        if isinstance(e, (ast.Starred, ast.NamedExpr, ast.Await)):
            return self.holds(e.value)
        if isinstance(e, ast.IfExp):
            return self.holds(e.body) or self.holds(e.orelse)
        if isinstance(e, (ast.BoolOp, ast.Tuple, ast.List, ast.Set)):
            return next((h for h in map(self.holds, e.values if isinstance(e, ast.BoolOp) else e.elts) if h), None)
        if isinstance(e, ast.Dict):
            return next((h for h in map(self.holds, e.values) if h), None)
        if isinstance(e, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self.comprehension_holds(e)
        if isinstance(e, ast.Call):
            return self.call_holds(e)
        return None  # (arithmetic, comparisons, constants: new values)

    def comprehension_holds(self, e):
        saved = dict(self.shared)
        try:
            for g in e.generators:
                self.bind(g.target, self.holds(g.iter))
            parts = [e.key, e.value] if isinstance(e, ast.DictComp) else [e.elt]
            return next((h for h in map(self.holds, parts) if h), None)
        finally:
            self.shared = saved

    def call_holds(self, call: ast.Call):
        operands = [*call.args, *(k.value for k in call.keywords)]
        held = next((h for h in map(self.holds, operands) if h), None)
        f = call.func
        target = self.resolve(f)
        if isinstance(f, ast.Attribute) and target is _UNKNOWN:  # (a method of a value: y.copy(), x.reshape(n))
            if f.attr in _VIEW_METHODS:
                return self.holds(f.value) or held
            if f.attr == "astype" and _no_copy(call):
                return self.holds(f.value)
            return None
        if target is numpy.array:
            return held if _no_copy(call) else None
        if target is _UNKNOWN:  # (a function the body made or received: it may return what it is given)
            return held
        if isinstance(target, numpy.ufunc):
            return None
        if any(target is b for b in _HOLDERS) or _shares_by_key(target):
            return held
        module = (getattr(target, "__module__", None) or "").split(".")[0]
        return None if module in ("numpy", "scipy", "math", "builtins") else held

    def resolve(self, f):
        """The object the callee expression `f` (`np.copy`, `helper`) names in the function's module, else
        _UNKNOWN (a local name, a method of a value)."""
        if isinstance(f, ast.Name):
            if f.id in self.shared:
                return _UNKNOWN
            for scope in (self.closure, self.func.__globals__, vars(builtins)):
                if f.id in scope:
                    return scope[f.id]
            return _UNKNOWN
        if isinstance(f, ast.Attribute):
            owner = self.resolve(f.value)
            try:
                return _UNKNOWN if owner is _UNKNOWN else getattr(owner, f.attr, _UNKNOWN)
            except Exception:  # (a property of the user's that raises)
                return _UNKNOWN
        return _UNKNOWN


def _walk(node):
    """The nodes of `node`, but not inside a lambda (its own parameters)."""
    todo = [node]
    while todo:
        n = todo.pop()
        if not isinstance(n, ast.Lambda):
            yield n
            todo.extend(reversed(list(ast.iter_child_nodes(n))))


def _root(e) -> str | None:
    """The name `e` (`x`, `x[1:]`, `x.T`, `x[0].a`) reads a part of, else None."""
    while isinstance(e, (ast.Subscript, ast.Attribute, ast.Starred)):
        e = e.value
    return e.id if isinstance(e, ast.Name) else None


def _no_copy(call: ast.Call) -> bool:
    """Is `copy=` given, other than True (np.array(x, copy=False), NumPy 2's copy=None: x itself if it may)?"""
    return any(k.arg == "copy" and not (isinstance(k.value, ast.Constant) and k.value.value is True)
               for k in call.keywords)
