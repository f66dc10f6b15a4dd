"""What a transformation read from outside the function's text, and a fast test that it still holds.

The compiler bakes into generated code what names refer to when it runs:
module-level and closure numbers, strings and tuples become constants, a
helper's body is inlined, a class or module attribute reached through a dotted
name (`Config.scale`, `np.pi`) is read once, and data objects (arrays, lists)
are bound by reference. Every name lookup goes through `frontend.Source.resolve`,
which reports to `frontend.record_reads`; `collect` turns that log into facts.

A fact is `(where, target, name, kind, value)`:
- where: "f" (an attribute of the transformed function: `__globals__`,
  `__defaults__`), "fcell" (its closure cell number `target`), "self" (the
  function object itself, when it has no code object), "inner" (the current
  generated function of a transformed function being transformed again), "ns"
  (item `name` of the dict `target`: a module's globals), "attr" (attribute
  `name` of the module or class `target`), "cell" (a helper's closure cell),
  "called" (the current generated function of a transformed function `target`
  that the body calls, `s2s.grad(g)(w)`: its code is read once, from its own
  namespace, which keeps what g read then),
  "default" (attribute `name`, `__code__`, `__defaults__` or `__kwdefaults__`,
  of the helper `target`: the code inlining it was made from its code, which
  IPython's autoreload replaces in place, and bakes in the defaults Python
  computed when it was defined), "kwdefault" (item `name` of the keyword-only
  defaults dict `target`), "fkwdefault" (item `name` of `f.__kwdefaults__`);
- kind: "is" (the same object), "const" (a constant of the same type and
  repr: a number, string, tuple of them), "absent" (`name` not in `target`).

`checker(facts, entry)` compiles the facts into one Python function
`check(f) -> bool` of identity tests (tens of nanoseconds each);
`still_hold(facts, f)` is the slower test by value, for constants that are
equal but not the same object. `describe`/`locate` give the process-independent
form the persistent cache stores.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import inspect
import keyword
import sys
import types
import warnings

from s2s.front.source import MISSING
from s2s.rules import registry

CONSTANT_TYPES = (bool, int, float, complex, str, type(None))


def is_constant(v) -> bool:
    """Is `v` baked into generated code as a literal (what ssa's `constant_or_error` folds)?"""
    if isinstance(v, CONSTANT_TYPES) or v is Ellipsis:
        return True
    return isinstance(v, tuple) and all(is_constant(x) for x in v)


def same_constant(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same_constant(x, y) for x, y in zip(a, b))
    return repr(a) == repr(b)


# --------------------------------------------------------------------------- collecting

def collect(f, log: list, inner=None) -> list:
    """The facts of one transformation of `f`, from the `record_reads` log of its name lookups."""
    out = function_facts(f, inner)
    seen = set()
    generated = _generated_namespace(f)
    sources = {}
    for src, name, obj in log:
        sources.setdefault(id(src), (src, {}))[1][name] = obj
    for src, resolved in sources.values():
        if generated is not None and src.globals is generated:
            continue  # the generated module of `f` itself: covered by the "inner" fact
        called = getattr(src, "transformed", None)
        if called is not None:  # s2s.grad(g) called in the body: its code as now, transformed again if g's reads
            fact = ("called", called, "", "is", called._current())  # changed (its namespace keeps the old ones)
            if _fresh(fact, seen):
                out.append(fact)
            continue
        for name, obj in resolved.items():
            fact = _name_fact(f, src, name, obj)
            if fact is not None and _fresh(fact, seen):
                out.append(fact)
        for fact in _attribute_facts(src, resolved):
            if _fresh(fact, seen):
                out.append(fact)
    for fact in list(out):  # every function a name or an attribute found: the defaults it was inlined with
        if fact[0] in ("f", "fcell", "ns", "attr", "cell") and fact[3] == "is" and callable(fact[4]):
            out += [d for d in default_facts(fact[4]) if _fresh(d, seen)]
    return out


def function_facts(f, inner=None) -> list:
    """The facts about `f` itself: its module, its defaults, or the generated function it stands for."""
    if inner is not None:
        return [("inner", None, "", "is", inner)]
    if getattr(f, "__code__", None) is None:
        return [("self", None, "", "is", f)]
    defaults = f.__defaults__
    kwdefaults = getattr(f, "__kwdefaults__", None)
    # (its code: IPython's autoreload gives the function object the code of the edited file, `f.__code__ = new`)
    out = [("f", None, "__code__", "is", f.__code__), ("f", None, "__globals__", "is", f.__globals__),
           ("f", None, "__defaults__", "const" if is_constant(defaults) else "is", defaults)]
    if kwdefaults:  # (the dict Python keeps: another one when the function is defined again; its items can change)
        out.append(("f", None, "__kwdefaults__", "is", kwdefaults))
        out += [("fkwdefault", None, k, _kind(v), v) for k, v in kwdefaults.items()]
    return out


def default_facts(fn) -> list:
    """The facts that the helper `fn` is still the code the code inlining it was made from (IPython's autoreload
    gives the same function object the code of the edited file) with the defaults it was made with (`def
    helper(x, k=K)`: K's value when helper was defined; `helper.__defaults__ = (3.0,)` changes them)."""
    fn = getattr(fn, "__func__", fn)  # (a class method, bound to its class)
    if isinstance(fn, functools.partial):  # (its keywords, a dict whose items can change: `p.keywords["a"] = v`)
        return [("kwdefault", fn.keywords, k, _kind(v), v) for k, v in fn.keywords.items()] + default_facts(fn.func)
    if type(fn) is not types.FunctionType:
        return []
    # (not a function with a derivative rule, which is called, not inlined: a library's, or one with the user's)
    out = [("default", fn, "__code__", "is", fn.__code__)] if registry.key_of(fn) is None else []
    defaults, kwdefaults = fn.__defaults__, fn.__kwdefaults__
    if defaults:
        out.append(("default", fn, "__defaults__", _kind(defaults), defaults))
    if kwdefaults:
        out.append(("default", fn, "__kwdefaults__", "is", kwdefaults))
        out += [("kwdefault", kwdefaults, k, _kind(v), v) for k, v in kwdefaults.items()]
    return out


def _fresh(fact, seen: set) -> bool:
    key = (fact[0], id(fact[1]), fact[2])
    if key in seen:
        return False
    seen.add(key)
    return True


def _kind(obj) -> str:
    return "const" if is_constant(obj) else "is"


def _name_fact(f, src, name, obj):
    if name in src.closure and name not in getattr(getattr(src.func, "__code__", None), "co_freevars", ()):
        # the object a bound method is bound to (its `self`)
        return ("f", None, "__self__", "is", obj) if getattr(f, "__self__", None) is obj else None
    if name in src.closure:
        func = src.func
        index = func.__code__.co_freevars.index(name)
        if func is f:
            return ("fcell", index, name, _kind(obj), obj)
        return ("cell", func.__closure__[index], name, _kind(obj), obj)
    if name in src.globals:
        return ("ns", src.globals, name, _kind(obj), obj)
    return ("ns", src.globals, name, "absent", None)  # a builtin: a global of that name would hide it


def _attribute_facts(src, resolved: dict):
    """Facts for the dotted names `a.b.c` whose root `a` is a module or class: what ssa's
    `static_value` reads with getattr. Library functions with a derivative rule are left out
    (they are recognised by identity, and replacing them is out of scope); the user's functions
    with a rule are not (`mod.scale = other` after the first use calls other, whose rule or body
    differs)."""
    for node in _attributes(src.tree):
        chain = []
        base = node
        while isinstance(base, ast.Attribute):
            chain.append(base.attr)
            base = base.value
        if not isinstance(base, ast.Name) or base.id not in resolved:
            continue
        obj = resolved[base.id]
        for attr in reversed(chain):
            if not isinstance(obj, (types.ModuleType, type)):
                break
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    value = getattr(obj, attr, MISSING)
                except Exception:
                    break
            library = isinstance(obj, types.ModuleType) and (
                isinstance(value, types.ModuleType) and _library_module(obj) or _library_key(value))
            if value is MISSING:
                yield ("attr", obj, attr, "absent", None)
                break
            if not library:
                yield ("attr", obj, attr, _kind(value), value)
            obj = value


def _library_module(module) -> bool:
    """Is `module` one of the libraries s2s has rules for (np.linalg of numpy: not rebound), not the user's own
    package (`pkg.sub = pkg.other`, a backend switched after the first call)?"""
    return module.__name__.partition(".")[0] in ("numpy", "math", "scipy", "builtins", "s2s")


def _library_key(value) -> bool:
    key = registry.key_of(value)
    return key is not None and not key.startswith("s2s.rules.custom.")


def _attributes(tree) -> list:
    """The `ast.Attribute` nodes of `tree`, in `ast.walk`'s order (breadth first), found without its generator
    per node; `hasattr(m, "a")` and `getattr(m, "a", ...)` read as `m.a` (ssa reads them so of a module)."""
    out, level = [], [tree]
    AST, Attribute, Call = ast.AST, ast.Attribute, ast.Call
    while level:
        below = []
        for node in level:
            if type(node) is Attribute:
                out.append(node)
            elif type(node) is Call and _attribute_test(node):
                out.append(ast.Attribute(node.args[0], node.args[1].value, ast.Load()))
            for field in node._fields:
                value = getattr(node, field, None)
                if type(value) is list:
                    below += [v for v in value if isinstance(v, AST)]
                elif isinstance(value, AST):
                    below.append(value)
        level = below
    return out


def _attribute_test(node: ast.Call) -> bool:
    """Is `node` `hasattr(m, "a")` or `getattr(m, "a"[, default])` of a dotted name (front/outside.module_attribute)?"""
    args = node.args
    return type(node.func) is ast.Name and node.func.id in ("hasattr", "getattr") and 2 <= len(args) <= 3 and \
        type(args[1]) is ast.Constant and type(args[1].value) is str and isinstance(args[0], (ast.Name, ast.Attribute))


def _generated_namespace(f):
    generated = getattr(f, "__s2s_generated__", None)
    return generated()[3] if generated is not None else None


# --------------------------------------------------------------------------- checking

def current(fact, f):
    """The value the fact's place holds now (MISSING when it is gone)."""
    where, target, name, kind, _ = fact
    try:
        if kind == "absent":
            present = name in target if where == "ns" else hasattr(target, name)
            return True if present else MISSING
        if where == "f":
            return getattr(f, name)
        if where == "fcell":
            return f.__closure__[target].cell_contents
        if where == "self":
            return f
        if where == "inner":
            return f._current()
        if where == "called":
            return target._current()
        if where == "ns":
            return target[name]
        if where in ("attr", "default"):
            return getattr(target, name)
        if where == "kwdefault":
            return target[name]
        if where == "fkwdefault":
            return f.__kwdefaults__[name]
        if where == "cell":
            return target.cell_contents
    except Exception:
        return MISSING
    raise ValueError(f"unknown fact {where!r}")


def still_hold(facts: list, f) -> list | None:
    """The facts with the objects their places hold now, if each holds by value; else None."""
    out = []
    for fact in facts:
        where, target, name, kind, value = fact
        now = current(fact, f)
        if kind == "absent":
            if now is not MISSING:
                return None
        elif kind == "const":
            if now is MISSING or not same_constant(now, value):
                return None
        elif now is not value:
            return None
        out.append((where, target, name, kind, value if kind == "absent" else now))
    return out


def check_terms(facts: list, entry) -> tuple[list, dict]:
    """The identity tests that every fact still holds, as Python expressions of `f` (the original function),
    and the namespace they read: `_e` (the entry, whose `live` they test first) and one name per fact."""
    env = {"_e": entry}
    terms = ["_e.live"]
    for i, (where, target, name, kind, value) in enumerate(facts):
        t, v = f"_t{i}", f"_v{i}"
        env[t], env[v] = target, value
        if kind == "absent":
            terms.append(f"{name!r} not in {t}" if where == "ns" else f"not hasattr({t}, {name!r})")
            continue
        if where == "f":
            get = f"f.{name}"
        elif where == "fcell":
            get = f"f.__closure__[{int(target)}].cell_contents"
        elif where == "self":
            get = "f"
        elif where == "inner":
            get = "f._current()"
        elif where == "called":
            get = f"{t}._current()"
        elif where == "ns":
            get = f"{t}[{name!r}]"
        elif where == "attr":
            get = f"{t}.{name}" if name.isidentifier() and not keyword.iskeyword(name) else f"getattr({t}, {name!r})"
        elif where == "default":
            get = f"{t}.{name}"
        elif where == "kwdefault":
            get = f"{t}[{name!r}]"
        elif where == "fkwdefault":
            get = f"f.__kwdefaults__[{name!r}]"
        else:
            get = f"{t}.cell_contents"
        terms.append(f"{get} is {v}")
    return terms, env


def checker(facts: list, entry):
    """`check(f)`: True when every fact still holds by identity (and `entry.live`)."""
    terms, env = check_terms(facts, entry)
    text = ("def check(f):\n    try:\n        return " + " and ".join(terms) +
            "\n    except Exception:\n        return False\n")
    exec(compile(text, "<s2s cache check>", "exec"), env)
    return env["check"]


# --------------------------------------------------------------------------- on disk

def describe(v) -> list:
    """A process-independent description of a value: equal descriptions, same generated code."""
    if v is MISSING:
        return ["missing"]
    if is_constant(v):
        return ["const", type(v).__name__, repr(v)]
    if isinstance(v, types.ModuleType):
        return ["module", v.__name__]
    if isinstance(v, type):
        return ["class", v.__module__, v.__qualname__]
    if inspect.isfunction(v):
        try:
            text = inspect.getsource(v)
        except (OSError, TypeError):
            text = ""
        # (and its code: two lambdas on one line have one text, `(lambda x: x ** 2) if c else (lambda x: x ** 3)`)
        return ["function", v.__module__ or "", v.__qualname__, hashlib.sha256(text.encode()).hexdigest(),
                _code_digest(v.__code__)]
    if isinstance(v, functools.partial):  # (its function, arguments and keywords are inlined, not read when run)
        return ["partial", describe(v.func), [describe(a) for a in v.args],
                sorted([k, describe(a)] for k, a in v.keywords.items())]
    if isinstance(v, tuple):  # (not a constant: the functions it holds are inlined where it is indexed)
        return ["tuple", [describe(a) for a in v]]
    if callable(v) and hasattr(v, "__qualname__"):
        return ["callable", getattr(v, "__module__", None) or "", v.__qualname__]
    return ["data", type(v).__module__, type(v).__qualname__]


def _code_digest(code: types.CodeType) -> str:
    """A digest of what a code object computes (its instructions, constants and names, nested code included), the
    same in every process of one Python version."""
    parts = [code.co_code.hex(), repr(code.co_names), repr(code.co_varnames)]
    for c in code.co_consts:
        parts.append(_code_digest(c) if isinstance(c, types.CodeType) else f"{type(c).__name__}:{c!r}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def to_disk(facts: list, f) -> list | None:
    """The facts as JSON-able `[where, owner, name, description]` rows, or None if one cannot be
    found again by name in another process (then the entry is not stored)."""
    rows = []
    for where, target, name, kind, value in facts:
        if where in ("inner", "self") or (where == "f" and name in ("__globals__", "__code__")):
            continue  # the key holds the function's text and module
        if where in ("default", "kwdefault", "fkwdefault"):
            continue  # the entry's digest of each helper covers its defaults; f's own, the "f" rows
        if where == "f":
            rows.append(["f", None, name, describe(value)])
        elif where == "fcell":
            rows.append(["fcell", None, name, describe(value)])
        elif where == "ns":
            owner = _module_named(target, f) or _object_named(target, f)
            if owner is None:
                return None
            rows.append(["ns", owner, name, ["absent"] if kind == "absent" else describe(value)])
        elif where == "attr":
            owner = describe(target)
            if owner[0] not in ("module", "class") or locate_owner(owner) is not target:
                return None
            rows.append(["attr", owner, name, ["absent"] if kind == "absent" else describe(value)])
        else:
            return None  # a helper's closure cell: not reachable by name
    return rows


def from_disk(rows, f) -> list | None:
    """In-memory facts for stored rows if every place still holds what was described; else None."""
    if not isinstance(rows, list):
        return None
    out = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 4 and isinstance(row[0], str) and isinstance(row[2], str)
                and isinstance(row[3], list)):
            return None
        where, owner, name, desc = row
        if where == "f" and name == "__defaults__":
            fact = ("f", None, name, "is", None)
        elif where == "fcell":
            code = getattr(f, "__code__", None)
            if code is None or name not in code.co_freevars:
                return None
            fact = ("fcell", code.co_freevars.index(name), name, "is", None)
        elif where == "ns":
            target = f.__globals__ if owner == ["f"] else _module_dict(owner) or _object_dict(owner, f)
            if target is None:
                return None
            fact = ("ns", target, name, "absent" if desc == ["absent"] else "is", None)
        elif where == "attr":
            target = locate_owner(owner)
            if target is None:
                return None
            fact = ("attr", target, name, "absent" if desc == ["absent"] else "is", None)
        else:
            return None
        now = current(fact, f)
        if fact[3] == "absent":
            if now is not MISSING:
                return None
            out.append(fact)
            continue
        if now is MISSING or describe(now) != desc:
            return None
        out.append(fact[:3] + (_kind(now), now))
        if callable(now):
            out += default_facts(now)
    return out


def _module_named(namespace: dict, f):
    if namespace is getattr(f, "__globals__", None):
        return ["f"]
    name = namespace.get("__name__")
    module = sys.modules.get(name) if isinstance(name, str) else None
    return ["module", name] if module is not None and vars(module) is namespace else None


def _object_named(namespace: dict, f):
    """["object", name] for the attributes dict of an object f's module binds to `name` (a method looked up on the
    class of `obj`, recorded with the fact that `obj` holds no attribute of its own by that name), else None."""
    found = [k for k, v in getattr(f, "__globals__", {}).items() if getattr(v, "__dict__", None) is namespace]
    return ["object", found[0]] if len(found) == 1 and isinstance(found[0], str) else None


def _object_dict(owner, f):
    if not (isinstance(owner, list) and len(owner) == 2 and owner[0] == "object" and isinstance(owner[1], str)):
        return None
    held = getattr(getattr(f, "__globals__", {}).get(owner[1]), "__dict__", None)
    return held if isinstance(held, dict) else None


def _module_dict(owner):
    if not (isinstance(owner, list) and len(owner) == 2 and owner[0] == "module" and isinstance(owner[1], str)):
        return None
    module = sys.modules.get(owner[1])
    return vars(module) if module is not None else None


def locate_owner(owner):
    """The module or class a description names, among the modules already imported (None if not)."""
    if not isinstance(owner, list) or not all(isinstance(x, str) for x in owner):
        return None
    if len(owner) == 2 and owner[0] == "module":
        return sys.modules.get(owner[1])
    if len(owner) == 3 and owner[0] == "class":
        obj = sys.modules.get(owner[1])
        for part in owner[2].split("."):
            if obj is None or part == "<locals>":
                return None
            obj = getattr(obj, part, None)
        return obj if isinstance(obj, type) else None
    return None
