"""On each call, the values of arguments outside wrt that a derivative is taken through (ad/data_uses.py): each
must be what s2s's rules describe, a number, an array, or a list or tuple of them, not an object of a class of the
user's whose arithmetic or NumPy-named methods Python would run (`p * x` calling P.__mul__, `p.dot(x)` P.dot),
which the generated code, made for arrays, does not follow, nor an ndarray subclass with operators of its own
(np.matrix, whose `*` is the matrix product). Such a value is refused, at the user's line. A value read as an array
(`nt.sum()`, `c.T`, which s2s writes as np.sum(nt), np.transpose(c)) that has no such attribute raises Python's
AttributeError there (NumPy's function would read a namedtuple as the array of its fields).

`check(fn, what, args, kwargs)` costs one type test per argument where each is an array or a number (the common
case), a few dict and attribute reads where a use is a field or an item of one. It runs none of the user's code:
a field is read from the object's `__dict__`, a slot or a namedtuple's field, an item from a dict, a list, a
tuple or a mapping proxy; a field behind a property or a `__getattr__`, and an item of another mapping, are not
read (their code runs once, in the function) and are not checked. Items a loop takes are checked each (the loop
reads each too); an item read at an index the function computes (`batches[i]`) is checked by the first and the
last item of its container (a dataset's items are of one class), not by all: a call reads one.
"""
from __future__ import annotations

import ast
import inspect
import numbers
import re
import textwrap
import weakref
import types
from collections import UserDict

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
_VARARGS, _VARKEYWORDS = inspect.CO_VARARGS, inspect.CO_VARKEYWORDS
_THROUGH = weakref.WeakKeyDictionary()  # a property's getter -> the attribute its getter returns (`_read_through`)
# the array attributes and methods whose NumPy function reads a scipy.sparse matrix's own (np.sum(S) calls S.sum())
_SPARSE_READ = frozenset(("T", "transpose", "dot", "sum", "mean", "max", "min", "conj", "conjugate", "copy", "astype",
                          "real", "imag", "shape", "ndim", "size"))
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
    (`d["W"]`, `cfg.W`: an exception, a property or another container than a dict, a list or a tuple send the call
    on the general path, which checks as `check` does); a list's items are checked by a call (`_data`)."""
    tests, called = [], False
    for u in uses:
        if not 0 <= u.position < len(params) or len(u.steps) > 2 or \
                any(kind not in ("item", "attr") for kind, _ in u.steps):
            called = True
            continue
        e = params[u.position]
        for kind, key in u.steps:
            e = f"{e}.__dict__[{key!r}]" if kind == "attr" else \
                f"({e}.get({key!r}) if type({e}) is dict else {e}[{key!r}] if type({e}) in _LT else _U)"
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
        given = _argument(fn, use, args, kwargs)
        fine = ARRAYS if use.name[0] == "." else PLAIN
        if type(given) in fine or given is _MISSING:  # (an argument left to its default: the function's own)
            continue
        value = given
        for kind, key in use.steps:  # (a field, or an item of a dict: one value, read at once)
            if kind == "item" and type(value) is dict:
                value = value.get(key, _MISSING)
            elif kind == "attr" and type(own := _own_dict(value)) is dict and key in own and \
                    _field(value, key) is own[key]:
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
        for leaf in _reached([given], use.steps):  # (a loop's items each; one at a computed index: a sample)
            if type(leaf) not in fine:
                _refuse(what, use, leaf)


def _argument(fn, use, args: tuple, kwargs: dict):
    """The argument of `use` in the call (args, kwargs) of `fn`: the tuple of the arguments `*args` gathers, the
    dict of those `**kwargs` gathers; _MISSING where it is not passed."""
    if 0 <= use.position < len(args):
        return args[use.position]
    code = getattr(fn, "__code__", None)
    if use.position < 0 and code is not None and code.co_flags & (_VARARGS | _VARKEYWORDS):
        named = code.co_argcount + code.co_kwonlyargcount
        gathered = code.co_varnames[named:named + bool(code.co_flags & _VARARGS) + bool(code.co_flags & _VARKEYWORDS)]
        if code.co_flags & _VARARGS and gathered[0] == use.param:
            return args[code.co_argcount:]
        if code.co_flags & _VARKEYWORDS and gathered[-1] == use.param:
            return {k: v for k, v in kwargs.items() if k not in code.co_varnames[:named]}
    return kwargs.get(use.param, _MISSING)


def _refuse(what: str, use, value) -> None:
    if use.name[0] != ".":
        found = _foreign(value, use.name)
        if found is not None:
            raise _refusal(what, use, value, found)
        return
    attribute = use.name[1:]
    if isinstance(value, np.ndarray) and _own_method(type(value), "", np.ndarray) is not None:
        raise _refusal(what, use, value, _own_method(type(value), "", np.ndarray))
    if is_sparse(value) and attribute not in _SPARSE_READ:  # (np.diagonal(S) does not call S.diagonal())
        cls, name = type(value).__name__, _spelled(use)
        raise ArgumentTypeError(
            f"{what}: {name}.{attribute}() of a scipy.sparse {cls}: s2s read '.{attribute}' as NumPy's (an array's "
            f"{attribute}), as it does not know the class of an argument while compiling, and NumPy's function "
            f"does not take a sparse matrix{_at(use)}Call the method through its class: "
            f"{type(value).__module__.split('.')[0]}.sparse.{cls}.{attribute}({name}, ...) (with `import scipy`), "
            f"or pass the dense array ({name}.toarray()) as the argument")
    if isinstance(value, (np.ndarray, np.generic)) or is_sparse(value):
        return
    if not _has(value, attribute):  # (Python's error, where NumPy's function would read it as an array)
        raise AttributeError(f"'{type(value).__name__}' object has no attribute '{attribute}'\n  {use.file}:"
                             f"{use.line}\n    {use.text.strip()}")
    if attribute in _NOT_READ and type(value).__module__ != "builtins":
        name = _spelled(use)
        own = _own_dict(value)
        instead = f"read it as vars({name})[{attribute!r}] (Python's attribute, which s2s does not take for an " \
            f"array's), or give the field another name" if type(own) is dict and attribute in own else \
            "give the field another name"
        raise ArgumentTypeError(
            f"{what}: {name}.{attribute} of a {type(value).__name__}, not an array: s2s read '.{attribute}' as "
            f"NumPy's (an array's {attribute}), as it does not know the class of an argument while compiling, and "
            f"NumPy's function does not read the object's own{_at(use)}Instead, {instead}")


def _at(use) -> str:
    """The user's line of `use`, as a refusal shows it."""
    return f"\n  {use.file}:{use.line}\n    {use.text.strip()}\n"


def _reached(values: list, steps: tuple) -> list:
    """The values `steps` read from `values` (those a step cannot read without running the user's code: none).
    An item read at an index the function computes (an `each` step not after a loop's `iter`): the first and the
    last item of its container, not each (a call reads one: checking each would cost the dataset's length)."""
    previous = None
    for kind, key in steps:
        out = []
        for v in values:
            if isinstance(v, np.ndarray):  # (an array's items, rows and fields are arrays and numbers; a subclass's
                out += [] if type(v) is np.ndarray else [v]  # are of its class: np.matrix's rows are matrices)
                continue
            mapping = _mapping(v)
            if kind == "attr":
                found = _field(v, key)
                if found is not _MISSING:
                    out.append(found)
            elif kind == "item":
                found = _item(v, mapping, key)
                if found is not _MISSING:
                    out.append(found)
            elif kind == "each":
                out.extend(_items(v, mapping, every=previous == "iter"))
            elif kind == "iter":
                if mapping is not None:
                    out.append(list(_view(mapping, "keys")))
                elif isinstance(v, (list, tuple)):
                    out.append(v)
            elif mapping is not None:  # ("values", "items": what d.values() and d.items() list)
                out.append(list(_view(mapping, kind)))
        values, previous = out, kind
    return values


def _mapping(v):
    """The items of `v` as a dict or a mapping proxy, read without the user's code (by dict's own methods, `_view`):
    a dict (a subclass's too), a mapping proxy, a UserDict's `data`; None for anything else."""
    if isinstance(v, dict):
        return v
    if type(v) is types.MappingProxyType:
        return v
    if isinstance(v, UserDict):
        data = (_own_dict(v) or {}).get("data")
        return data if type(data) is dict else None
    return None


def _view(mapping, kind: str):
    """`mapping.keys()`, `.values()` or `.items()` (`kind`), by dict's own method for a dict."""
    return getattr(dict if isinstance(mapping, dict) else type(mapping), kind)(mapping)


def _item(v, mapping, key):
    """`v[key]` of a mapping, a list or a tuple, read without the user's code; _MISSING for anything else."""
    if mapping is not None:
        return dict.get(mapping, key, _MISSING) if isinstance(mapping, dict) else mapping.get(key, _MISSING)
    kind = list if isinstance(v, list) else tuple if isinstance(v, tuple) else None
    if kind is not None and type(key) is int and -kind.__len__(v) <= key < kind.__len__(v):
        return kind.__getitem__(v, key)
    return _MISSING


def _items(v, mapping, every: bool) -> list:
    """The items of a container `v`: each (a loop takes each), else the first and the last."""
    if mapping is not None:
        found = _view(mapping, "values")
        return list(found) if every else [next(iter(found)), next(reversed(found))] if mapping else []
    kind = list if isinstance(v, list) else tuple if isinstance(v, tuple) else None
    if kind is None:
        return []
    n = kind.__len__(v)
    return list(kind.__iter__(v)) if every else [kind.__getitem__(v, 0), kind.__getitem__(v, n - 1)] if n else []


def _own_dict(obj):
    """`obj.__dict__`, read without a `__getattr__` of the user's (None where it has none)."""
    try:
        return object.__getattribute__(obj, "__dict__")
    except Exception:
        return None


def _field(obj, name: str, depth: int = 0):
    """`obj.name` where it is the object's own attribute, a slot, a field of a namedtuple, a plain attribute of
    its class, or a property whose getter returns one (`return self._p`); none where reading it would run the
    user's code (another property's getter, a `__getattr__`, another descriptor: the function runs it once,
    where it reads it) or raises."""
    kind = type(obj)
    if any("__getattribute__" in vars(k) for k in kind.__mro__ if k.__module__ != "builtins"):
        return _MISSING
    for k in kind.__mro__:
        found = vars(k).get(name, _MISSING)
        if found is _MISSING:
            continue
        if type(found).__name__ in ("member_descriptor", "_tuplegetter"):
            try:  # (a slot, a namedtuple's field)
                return found.__get__(obj, kind)
            except Exception:  # (the function raises it where it reads it, if it does)
                return _MISSING
        through = _read_through(found) if type(found) is property and depth < 4 else None
        if through is not None:  # (a property that returns another attribute: that one)
            return _field(obj, through, depth + 1)
        if hasattr(type(found), "__set__") or hasattr(type(found), "__delete__"):
            return _MISSING  # (a property, another data descriptor: the user's code)
        break
    else:
        found = _MISSING
    own = _own_dict(obj)
    if type(own) is dict and name in own:
        return own[name]
    return found if found is not _MISSING and not hasattr(type(found), "__get__") else _MISSING


def _read_through(prop: property):
    """The attribute `name` where the getter of the property `prop` is `return self.name` alone (read from its
    source once), else None."""
    getter = prop.fget
    if type(getter) is not types.FunctionType:
        return None
    if getter not in _THROUGH:
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(getter)))
            f = tree.body[0]
            value = f.body[-1].value if len(f.body) - isinstance(ast.get_docstring(f), str) == 1 and \
                type(f.body[-1]) is ast.Return else None
            _THROUGH[getter] = value.attr if type(value) is ast.Attribute and type(value.value) is ast.Name and \
                f.args.args and value.value.id == f.args.args[0].arg else None
        except Exception:  # (no source: a getter of C, of a lambda, of code made at run time)
            _THROUGH[getter] = None
    return _THROUGH[getter]


def _has(obj, name: str) -> bool:
    """Has `obj` an attribute `name`, found without running the user's code? (One a `__getattr__` may give is
    taken as there.)"""
    own = _own_dict(obj)
    return type(own) is dict and name in own or any(name in vars(k) or k.__module__ != "builtins" and (
        "__getattr__" in vars(k) or "__getattribute__" in vars(k)) for k in type(obj).__mro__)


def _foreign(value, name: str, depth: int = 0):
    """The method of `value`'s class (or of an item's, in a list or tuple) that Python would run for the operation
    `name` (NumPy's name, or the operator's: "mul") where s2s's rule does not: an operator, NumPy's hooks, or a method
    named as the NumPy function (`np.sum(p)` calls `p.sum()`). None for a number, an array, a string, None, a
    scipy.sparse matrix (whose products s2s differentiates), and an object without them."""
    kind = type(value)
    if kind in PLAIN:
        return None
    if isinstance(value, np.ndarray):  # (an ndarray subclass with operators of its own: np.matrix's *)
        return _own_method(kind, name, np.ndarray)
    if isinstance(value, np.generic) or kind.__module__ == "builtins" and not isinstance(value, (list, tuple)):
        return None
    own = _own_method(kind, name)
    if own is not None or depth > 2 or not isinstance(value, (list, tuple)):
        return own if own is None or not is_sparse(value) else None
    return next((f for v in value for f in [_foreign(v, name, depth + 1)] if f is not None), None)


def _own_method(kind: type, name: str, base: type = object):
    """The first of the operation's own methods, then any operator or NumPy hook, that `kind` or a class it
    derives from below `base` (not Python's own) defines."""
    first = _OPERATOR_METHODS.get(name)
    wanted = ((first, "__r" + first[2:]) if first else (name,) if name else ()) + _ALL_OPERATORS + _HOOKS
    for k in kind.__mro__[:kind.__mro__.index(base)]:
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
        f"pass {f'np.asarray({name})' if not use.steps else f'np.asarray(...) of the {cls} where the call passes it'}" \
        f", the ndarray of its numbers (a {cls} is an ndarray subclass with operators of its own" \
        f"{': its * is the matrix product' if isinstance(value, np.matrix) else ''}; s2s's rules are written for " \
        f"NumPy's ndarray)" if isinstance(value, np.ndarray) else \
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
