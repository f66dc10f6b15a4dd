"""Python's look-up of a method, as `obj.name` finds it: the first class along `type(obj).__mro__` whose own
dictionary holds the name (`lookup`), what it holds taken as a method (`as_method`: a function, a static or class
method, a library callable such as `act = staticmethod(np.tanh)`), and, where only a class is known (`self` of a
method of `Base`), one arm per implementation among the class and its subclasses defined so far (`Dispatch`).
Every dictionary looked in is reported to `record_reads` (api/facts.py), so a method replaced later makes the
transformation again. The calls themselves are lowered in methods.py.
"""
from __future__ import annotations

import ast
import dataclasses
import inspect
import sys
import types
import typing
from dataclasses import dataclass

from s2s.errors import SourceUnavailableError
from s2s.front.source import Source, read_function

_NO_TREE = ast.Module(body=[], type_ignores=[])
LIBRARIES = ("numpy", "scipy", "builtins", "math", "functools", "s2s", "logging", "warnings", "collections", "typing",
             "random")


def user_object(obj) -> bool:
    """Is `obj` an instance of a user's class (a model, a parameter record), no function, class or library's?"""
    if inspect.isroutine(obj) or isinstance(obj, (type, types.ModuleType)):
        return False
    return (type(obj).__module__ or "").split(".")[0] not in LIBRARIES


@dataclass(frozen=True)
class Method:
    """What `obj.name(...)` calls: `fn` (a Python function inlined, or a library callable such as the
    `np.tanh` of `act = staticmethod(np.tanh)`), with the object first (`takes` "self"), its class first
    ("class") or neither ("none"); `cls` the class it was found for, `owner` the one whose body defines it."""

    fn: object
    takes: str
    cls: type
    owner: type
    base: object = None  # (the object's atom where it is not `obj` as written: super().name)


@dataclass(frozen=True)
class Dispatch:
    """`self.name(...)` where only the class `cls` of `self` is known: `arms`, the methods the classes seen
    find, each with the classes that find it."""

    name: str
    cls: type
    arms: tuple  # ((Method, (class, ...)), ...)
    base: object = None  # the object's atom
    by_class: bool = False  # (told by the class itself, not by what `type(self).name` is: super().name)


@dataclass(frozen=True)
class Held:
    """`obj.name(...)` where the object's own attribute `name` holds the callable `value` (`self.fn = np.tanh`)."""

    value: object


def note(namespace, name: str, tree: ast.AST = _NO_TREE) -> None:
    """Report a look-up of `name` in the dictionary `namespace` to `record_reads`, as a name of the function's
    module is (and the dotted names of `tree` rooted at it): the cache then checks it still holds what it held."""
    Source(tree=tree, filename="", text="", func=None, globals=namespace).resolve(name)


def lookup(cls: type, name: str):
    """(the first class along `cls.__mro__` whose own dictionary holds `name`, what it holds there), or None,
    the look-up reported to `record_reads`: as `cls.name` of the module that defines `cls` where it is a name
    there (a fact the disk cache can store), else (and for a class method, which `cls.name` makes anew each
    time) every dictionary looked in (`object`'s, which cannot change, aside)."""
    found = next(((c, c.__dict__[name]) for c in cls.__mro__ if c is not object and name in c.__dict__), None)
    module = sys.modules.get(cls.__module__)
    space = vars(module) if module is not None else {}
    if space.get(cls.__name__) is cls and not (found is not None and isinstance(found[1], classmethod)):
        read = ast.Attribute(ast.Name(cls.__name__, ast.Load()), name, ast.Load())
        note(space, cls.__name__, ast.Module(body=[ast.Expr(read)], type_ignores=[]))
        return found
    for c in cls.__mro__:
        if c is object:
            break
        note(c.__dict__, name)
        if c is found[0] if found is not None else False:
            break
    return found


def as_method(found, cls: type) -> Method | None:
    """The method a class attribute (`lookup`'s) holds, or None for a property or data."""
    if found is None:
        return None
    owner, raw = found
    if isinstance(raw, staticmethod):
        return Method(raw.__func__, "none", cls, owner) if callable(raw.__func__) else None
    if isinstance(raw, classmethod):
        return Method(raw.__func__, "class", cls, owner) if inspect.isfunction(raw.__func__) else None
    if inspect.isfunction(raw):
        return Method(raw, "self", cls, owner)
    if callable(raw) and not hasattr(type(raw), "__get__") and not isinstance(raw, type):
        return Method(raw, "none", cls, owner)  # activation = np.tanh: a ufunc binds no object
    return None


def field_class(cls: type, name: str) -> type | None:
    """The class of the user's that the annotation of the field `name` of the record class `cls` (a dataclass,
    a NamedTuple) names (`l1: Linear`), or None."""
    fields = [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else \
        getattr(cls, "_fields", ()) if issubclass(cls, tuple) else ()
    if name not in fields:
        return None
    try:
        hint = typing.get_type_hints(cls).get(name)
    except Exception:  # (an annotation naming what is not defined)
        return None
    return hint if isinstance(hint, type) and (hint.__module__ or "").split(".")[0] not in LIBRARIES else None


def subclasses(cls: type) -> list:
    """`cls` and every subclass of it defined so far, each once, bases before the classes derived from them."""
    out, todo = [], [cls]
    while todo:
        c = todo.pop(0)
        if c not in out:
            out.append(c)
            todo += c.__subclasses__()
    return out


def abstract(fn) -> bool:
    """Is `fn` an abstract method: `@abstractmethod`, or a body that only raises NotImplementedError (after a
    docstring)? No object runs it, so no branch is made for it."""
    if getattr(fn, "__isabstractmethod__", False):
        return True
    if not inspect.isfunction(fn):
        return False
    try:
        body = read_function(fn).tree.body
    except SourceUnavailableError:
        return False
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and \
            isinstance(body[0].value.value, str):
        body = body[1:]
    exc = body[0].exc if len(body) == 1 and isinstance(body[0], ast.Raise) else None
    exc = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(exc, ast.Name) and exc.id == "NotImplementedError" and \
        fn.__globals__.get("NotImplementedError", NotImplementedError) is NotImplementedError


def dispatch(name: str, cls: type, base, find, by_class: bool = False) -> Dispatch | None:
    """The Dispatch of `base.name(...)`, `base` an object of `cls` or of a subclass of it defined so far, the
    method each finds `find(class)`: one arm per method (per class where it takes the class, or `by_class`), the
    abstract ones left out; None if none finds one."""
    arms: dict = {}
    for c in subclasses(cls):
        method = find(c)
        if method is None or abstract(method.fn):
            continue
        key = (method.fn, c) if method.takes == "class" or by_class else method.fn
        kept, classes = arms.get(key, (method, ()))
        arms[key] = (kept, classes + (c,))
    return Dispatch(name, cls, tuple(arms.values()), base, by_class) if arms else None
