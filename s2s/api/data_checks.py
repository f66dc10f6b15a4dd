"""On each call, the values of arguments outside wrt that a derivative is taken through (ad/data_uses.py): each
must be what s2s's rules describe, a number, an array, or a list or tuple of them, not an object of a class of the
user's whose arithmetic or NumPy-named methods Python would run (`p * x` calling P.__mul__, `p.dot(x)` P.dot),
which the generated code, made for arrays, does not follow. Such a value is refused, at the user's line. A value
read as an array (`nt.sum()`, `c.T`, which s2s writes as np.sum(nt), np.transpose(c)) that has no such attribute
raises Python's AttributeError there (NumPy's function would read a namedtuple as the array of its fields).

`check(fn, what, args, kwargs)` costs one type test per argument where each is an array or a number (the common
case), a few dict and attribute reads where a use is a field or an item of one (a property's getter runs then, as
it runs again in the function). An attribute a `__getattr__` gives is not read here: it is not checked.
"""
from __future__ import annotations

import numbers
import re

import numpy as np

from s2s.errors import ArgumentTypeError
from s2s.runtime.sparse import is_sparse

# the types of a value checked at once: the rules are written for them
PLAIN = frozenset((np.ndarray, float, int, bool, np.float64, np.float32, np.int64, np.int32, str, type(None)))
# the types of a value read as an array (`v.T`, `v.sum()`): NumPy's, which have every array attribute
ARRAYS = frozenset((np.ndarray, np.float64, np.float32, np.int64, np.int32, np.bool_))
# the array attributes whose NumPy function does not read an object's own (np.transpose(o) calls o.transpose(),
# not o.T; np.shape(o), np.sum(o) read o.shape, call o.sum())
_NOT_READ = frozenset(("T", "mT"))
_MISSING = object()
_HOOKS = ("__array_ufunc__", "__array_function__")
_OPERATOR_METHODS = {"add": "__add__", "sub": "__sub__", "mul": "__mul__", "truediv": "__truediv__",
                     "floordiv": "__floordiv__", "mod": "__mod__", "pow": "__pow__", "matmul": "__matmul__",
                     "neg": "__neg__", "pos": "__pos__"}
_ALL_OPERATORS = tuple(f"__{r}{op}__" for op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul")
                       for r in ("", "r")) + ("__neg__", "__pos__", "__abs__")


def uses_of(fn) -> tuple:
    """The `Use`s the generated function `fn` checks its arguments for (none for code made without them)."""
    return getattr(fn, "__s2s_data__", ())


def fast_tests(uses: tuple, params: list) -> list:
    """The tests (Python expressions of `params`, the names of the arguments passed by position) that the fast
    call of a generated function keeps for `uses`: true where each value a use reads is a number or an array (in
    `_PL`; an ndarray, `_A`, where it is read as one: `v.T`), read at once for an argument, a field or an item
    (`d["W"]`, `cfg.W`: an exception sends the call on the general path, which checks as `check` does); a list's
    items are checked by a call (`_data`)."""
    tests, called = [], False
    for u in uses:
        if not 0 <= u.position < len(params) or len(u.steps) > 2 or \
                any(kind not in ("item", "attr") for kind, _ in u.steps):
            called = True
            continue
        e = params[u.position]
        for kind, key in u.steps:
            e = f"{e}.__dict__[{key!r}]" if kind == "attr" else \
                f"({e}.get({key!r}) if type({e}) is dict else {e}[{key!r}])"
        test = f"type({e}) is _A" if u.name[0] == "." else f"type({e}) in _PL"
        if test not in tests:
            tests.append(test)
    if called:
        tests.append(f"_data(_fn, self.__name__, ({', '.join(params)}{',' if len(params) == 1 else ''}), {{}})")
    return tests


def check(fn, what: str, args: tuple, kwargs: dict) -> None:
    """Refuse an argument value (or a part of one) that a use of `fn` reads and that is an object whose class
    defines the operation itself (`_foreign`); raise Python's AttributeError where a value read as an array
    (`v.sum()`, `v.T`) has no such attribute (NumPy's function would take it for an array: a number)."""
    for use in getattr(fn, "__s2s_data__", ()):
        given = args[use.position] if 0 <= use.position < len(args) else kwargs.get(use.param, _MISSING)
        fine = ARRAYS if use.name[0] == "." else PLAIN
        if type(given) in fine or given is _MISSING:  # (an argument left to its default: the function's own)
            continue
        value = given
        for kind, key in use.steps:  # (a field, or an item of a dict: one value, read at once)
            if kind == "item" and type(value) is dict:
                value = value.get(key, _MISSING)
            elif kind == "attr" and type(own := getattr(value, "__dict__", None)) is dict and key in own:
                value = own[key]
            else:
                break
            if type(value) is np.ndarray:
                break
        else:  # (every step read)
            if value is not _MISSING and type(value) not in fine:
                _refuse(what, use, value)
            continue
        if type(value) is np.ndarray:
            continue  # (its items, rows and fields are arrays and numbers)
        for leaf in _reached([given], use.steps):  # (items of a list, a loop's: each)
            if type(leaf) not in fine:
                _refuse(what, use, leaf)


def _refuse(what: str, use, value) -> None:
    if use.name[0] != ".":
        found = _foreign(value, use.name)
        if found is not None:
            raise _refusal(what, use, value, found)
        return
    attribute = use.name[1:]
    if isinstance(value, (np.ndarray, np.generic)) or is_sparse(value):
        return
    if not hasattr(value, attribute):  # (Python's error, where NumPy's function would read it as an array)
        raise AttributeError(f"'{type(value).__name__}' object has no attribute '{attribute}'\n  {use.file}:"
                             f"{use.line}\n    {use.text.strip()}")
    if attribute in _NOT_READ and type(value).__module__ != "builtins":
        name = _spelled(use)
        raise ArgumentTypeError(
            f"{what}: {name}.{attribute} of a {type(value).__name__}, not an array: s2s read '.{attribute}' as "
            f"NumPy's (an array's {attribute}), as it does not know the class of an argument while compiling, and "
            f"NumPy's function does not read the object's own{_at(use)}Read another field of {name} in the "
            f"function too (s2s then reads .{attribute} as the object's field), or give the field another name")


def _at(use) -> str:
    """The user's line of `use`, as a refusal shows it."""
    return f"\n  {use.file}:{use.line}\n    {use.text.strip()}\n"


def _reached(values: list, steps: tuple) -> list:
    """The values `steps` read from `values` (those a step cannot read without running the user's code: none)."""
    for kind, key in steps:
        out = []
        for v in values:
            if type(v) is np.ndarray:
                continue  # (an array's items, rows and fields are arrays and numbers)
            if kind == "attr":
                found = _field(v, key)
                if found is not _MISSING:
                    out.append(found)
            elif kind == "item":
                if isinstance(v, dict):
                    found = dict.get(v, key, _MISSING)
                    if found is not _MISSING:
                        out.append(found)
                elif isinstance(v, (list, tuple)) and type(key) is int and -len(v) <= key < len(v):
                    out.append(v[key])
            elif kind == "each":
                if isinstance(v, dict):
                    out.extend(dict.values(v))
                elif isinstance(v, (list, tuple)):
                    out.extend(v)
            elif kind == "iter":
                if isinstance(v, dict):
                    out.append(list(dict.keys(v)))
                elif isinstance(v, (list, tuple)):
                    out.append(v)
            elif isinstance(v, dict):  # ("values", "items": what d.values() and d.items() list)
                out.append(list(dict.values(v) if kind == "values" else dict.items(v)))
        values = out
    return values


def _field(obj, name: str):
    """`obj.name` where it is the object's own attribute, a slot, a field of a namedtuple, a property (whose getter
    the function runs too) or a plain attribute of its class; none where reading it raises, or where it would run
    a `__getattr__` or another descriptor of the user's."""
    own = getattr(obj, "__dict__", None)
    if type(own) is dict and name in own:
        return own[name]
    for k in type(obj).__mro__:
        found = vars(k).get(name, _MISSING)
        if found is _MISSING:
            continue
        if not hasattr(type(found), "__get__"):
            return found
        if isinstance(found, property) or type(found).__name__ in ("member_descriptor", "_tuplegetter"):
            try:  # (a slot, a namedtuple's field, a property)
                return found.__get__(obj, type(obj))
            except Exception:  # (the function raises it where it reads it, if it does)
                return _MISSING
        return _MISSING
    return _MISSING


def _foreign(value, name: str, depth: int = 0):
    """The method of `value`'s class (or of an item's, in a list or tuple) that Python would run for the operation
    `name` (NumPy's name, or the operator's: "mul") where s2s's rule does not: an operator, NumPy's hooks, or a method
    named as the NumPy function (`np.sum(p)` calls `p.sum()`). None for a number, an array, a string, None, a
    scipy.sparse matrix (whose products s2s differentiates), and an object without them."""
    kind = type(value)
    if kind in PLAIN:
        return None
    if isinstance(value, (np.ndarray, np.generic)) or kind.__module__ == "builtins" and \
            not isinstance(value, (list, tuple)):
        return None
    own = _own_method(kind, name)
    if own is not None or depth > 2 or not isinstance(value, (list, tuple)):
        return own if own is None or not is_sparse(value) else None
    return next((f for v in value for f in [_foreign(v, name, depth + 1)] if f is not None), None)


def _own_method(kind: type, name: str):
    """The first of the operation's own methods, then any operator or NumPy hook, that `kind` or a class it
    derives from (not Python's own) defines."""
    first = _OPERATOR_METHODS.get(name)
    wanted = ((first, "__r" + first[2:]) if first else (name,) if name else ()) + _ALL_OPERATORS + _HOOKS
    for k in kind.__mro__[:-1]:
        if k.__module__ == "builtins":
            continue
        space = vars(k)
        for m in wanted:
            if m in space:
                return m
    return None


def _spelled(use) -> str:
    """The value as the user wrote it where it has a name, else the path from its argument (`cfg.p`, `d['p']`,
    `ps[...]`, an item of ps)."""
    if use.spelled:
        return use.spelled
    out = use.param
    for kind, key in use.steps:
        out += f".{key}" if kind == "attr" else f"[{key!r}]" if kind == "item" else \
            "[...]" if kind == "each" else f".{kind}()" if kind in ("values", "items") else ""
    return out


def _refusal(what: str, use, value, method: str) -> ArgumentTypeError:
    cls, name = type(value).__name__, _spelled(use)
    where = f"the argument '{use.param}'" if name == use.param else f"{name}, read from the argument '{use.param}',"
    at = _at(use)
    if method == use.name and re.search(rf"(?<![\w.]){re.escape(name)}\.{method}\(", use.text.replace('"', "'")):
        # (the class's method, called: p.dot(x), not np.dot(p, x))
        return ArgumentTypeError(
            f"{what}: {name}.{method}() of a {cls}, not an array: s2s read '.{method}()' as NumPy's method (an "
            f"array's {method}), as it does not know the class of {where} while compiling{at}Call the method "
            f"through its class, which s2s then follows: {cls}.{method}({name}, ...)")
    fix = f"pass float({name}) (s2s's rules are written for floats and arrays)" \
        if isinstance(value, numbers.Number) else \
        f"pass np.asarray({name}) (an array of another library, or one that converts to an array: s2s's rules " \
        f"are written for NumPy's)" if hasattr(type(value), "__array__") else \
        f"call it through its class, which s2s then follows: {cls}.{method}({name}, ...)" \
        if method.startswith("__") and method not in _HOOKS else \
        f"pass the arrays it holds as arguments, or np.asarray({name}) where it is array data"
    also = "" if isinstance(value, numbers.Number) or hasattr(type(value), "__array__") else \
        f"; or build the {cls} in the function from arrays passed in, or compute what needs it outside the " \
        f"function and pass the result in"
    return ArgumentTypeError(
        f"{what}: {where} is a {cls}, whose class defines {method}: s2s differentiates this line as NumPy's "
        f"operation on arrays, as it does not know the class of an argument while compiling, and would not follow "
        f"{cls}.{method}{at}Instead, {fix}{also}")


def passes(fn, what: str, args: tuple, kwargs: dict) -> bool:
    """True where `check` refuses nothing (it raises otherwise)."""
    check(fn, what, args, kwargs)
    return True
