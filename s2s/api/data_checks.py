"""On each call, the values of arguments outside wrt that a derivative is taken through (ad/data_uses.py): each
must be what s2s's rules describe, a number, an array, or a list or tuple of them, not an object of a class of the
user's whose arithmetic or NumPy-named methods Python would run (`p * x` calling P.__mul__, `p.dot(x)` P.dot),
which the generated code, made for arrays, does not follow, nor an ndarray subclass with operators of its own
(np.matrix, whose `*` is the matrix product). Such a value is refused, at the user's line. A value read as an array
(`nt.sum()`, `c.T`, which s2s writes as np.sum(nt), np.transpose(c)) that has no such attribute raises Python's
AttributeError there (NumPy's function would read a namedtuple as the array of its fields).

`check(fn, what, args, kwargs)` costs one type test per argument where each is an array or a number (the common
case), a few dict reads where a use is an item of one at a constant key. It runs none of the user's code, and
reads what the function's reads cost: the argument, an item at a constant key of a dict, a list, a tuple or a
mapping proxy, each item a loop takes, and each item of a container the function reads at each of its indices or
keys (`for i in range(len(Ws)): Ws[i]`, `for k in d: d[k]`). The uses it cannot read so are checked where the
generated code reads the value (ad/data_uses.py puts `rt.require_data` there, runtime/foreign.py): an attribute
(which may be a property or come from a `__getattr__`, whose code runs once, in the function), an item at an
index the function computes otherwise (`batches[i]`: one test per call, where a check of each item would cost the
dataset's length), data of the module or of a closure, an item of what a call made (`vars(m)['W']`). An item of
another mapping than a dict, a mapping proxy or a UserDict is not read, and not checked. What an operator makes of
such values where no derivative flows (`Ws[i] - Ws[i - 1]`) is refused where they are an ndarray subclass with
operators of its own, which makes one (`_made_of`); what NumPy's functions make of them is not checked.
"""
from __future__ import annotations

import ast
import inspect
import re
import textwrap
import weakref
import types
from collections import UserDict

import numpy as np

from s2s.api.parameters import default
from s2s.errors import ArgumentTypeError
from s2s.runtime.foreign import ARRAYS, HOOKS, PLAIN, array_read, foreign, own_dict, own_method, refusal

_MISSING = object()
_VARARGS, _VARKEYWORDS = inspect.CO_VARARGS, inspect.CO_VARKEYWORDS
_THROUGH = weakref.WeakKeyDictionary()  # a property's getter -> the attribute its getter returns (`_read_through`)


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
        steps = tuple(step for step in u.steps if step[0] != "made")  # (fine where what it is made of is a number)
        if not 0 <= u.position < len(params) or len(steps) > 2 or \
                any(kind not in ("item", "attr") for kind, _ in steps):
            called = True
            continue
        e = params[u.position]
        for kind, key in steps:
            e = f"{e}.__dict__[{key!r}]" if kind == "attr" else \
                f"({e}.get({key!r}) if type({e}) is dict else {e}[{key!r}] if type({e}) in _LT else _U)"
        test = f"type({e}) is _A" if u.name[0] == "." else f"type({e}) in _PL"
        if test not in tests:
            tests.append(test)
    if called:
        tests.append(f"_data(_fn, self.__name__, ({', '.join(params)}{',' if len(params) == 1 else ''}), {{}})")
    return tests


def check(fn, what: str, args: tuple, kwargs: dict, user=None) -> None:
    """Refuse an argument value (or a part of one) that a use of `fn` reads and that is an object whose class
    defines the operation itself (runtime/foreign.py); raise Python's AttributeError where a value read as an
    array (`v.sum()`, `v.T`) has no such attribute (NumPy's function would take it for an array: a number).
    `user`: the user's function whose defaults fill the parameters the call leaves out, where `fn` has none of
    its own (a forward-mode `jvp_f(x, Ws, dx)` takes the tangents after f's parameters); `fn` by default."""
    for use in getattr(fn, "__s2s_data__", ()):
        given = _argument(fn, use, args, kwargs, fn if user is None else user)
        fine = ARRAYS if use.name[0] == "." else PLAIN
        if type(given) in fine or given is _MISSING:  # (a **kwargs' item not passed)
            continue
        if ("made", None) in use.steps:  # (what an operator made of it, where no derivative flows: Python's, but
            _made_of(what, use, given)  # for an ndarray subclass's, which makes one too)
            continue
        value = given
        for kind, key in use.steps:  # (a field, or an item of a dict: one value, read at once)
            if kind == "item" and type(value) is dict:
                value = value.get(key, _MISSING)
            elif kind == "attr" and type(own := own_dict(value)) is dict and key in own and \
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


def _made_of(what: str, use, given) -> None:
    """Refuse an ndarray subclass with operators of its own (np.matrix) that the values an operator computes from
    (`Ws[i] - Ws[i - 1]`, then `@ x`) are read from by `use`: the operator's result is one too. An object of
    another class is Python's to compute with (`p * 2.0`), and not refused."""
    steps = use.steps[:use.steps.index(("made", None))]
    for leaf in _reached([given], steps) if steps else [given]:
        method = own_method(type(leaf), "", np.ndarray) if isinstance(leaf, np.ndarray) else None
        if method is not None:
            raise _refusal(what, use, leaf, method)


def _argument(fn, use, args: tuple, kwargs: dict, user):
    """The argument of `use` in the call (args, kwargs) of `fn`: the tuple of the arguments `*args` gathers, the
    dict of those `**kwargs` gathers; its default in `user` where it is not passed; _MISSING where it has none."""
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
    # (a parameter left out: its default, data of the user's module the function reads as it reads an argument)
    return kwargs[use.param] if use.param in kwargs else default(user, use.param, _MISSING)


def _refuse(what: str, use, value) -> None:
    if use.name[0] != ".":
        found = foreign(value, use.name)
        if found is not None:
            raise _refusal(what, use, value, found)
        return
    array_read(value, use.name[1:], _spelled(use), use.param, f"{what}: ", _at(use))


def _at(use) -> str:
    """The user's line of `use`, as a refusal shows it."""
    return f"\n  {use.file}:{use.line}\n    {use.text.strip()}\n"


def _reached(values: list, steps: tuple) -> list:
    """The values `steps` read from `values` (those a step cannot read without running the user's code: none).
    Every item of a container for an `each` or an `all` step: its uses are items a loop takes, and items read at
    each index or key (ad/data_uses.py; generated code checks one read at another index, `rt.require_data`)."""
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
                elif mapping is None and any(hasattr(type(v), h) for h in HOOKS):  # (df["y"] of a DataFrame: the
                    out.append(v)  # item of a library's array-like, read by its code, is of its kind: checked as it)
            elif kind in ("each", "all"):
                out.extend(_items(v, mapping))
            elif kind == "iter":
                if mapping is not None:
                    out.append(list(_view(mapping, "keys")))
                elif isinstance(v, (list, tuple)):
                    out.append(v)
            elif mapping is not None:  # ("values", "items": what d.values() and d.items() list)
                out.append(list(_view(mapping, kind)))
        values = out
    return values


def _mapping(v):
    """The items of `v` as a dict or a mapping proxy, read without the user's code (by dict's own methods, `_view`):
    a dict (a subclass's too), a mapping proxy, a UserDict's `data`; None for anything else."""
    if isinstance(v, dict):
        return v
    if type(v) is types.MappingProxyType:
        return v
    if isinstance(v, UserDict):
        data = (own_dict(v) or {}).get("data")
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


def _items(v, mapping) -> list:
    """The items of a container `v` (a mapping's values)."""
    if mapping is not None:
        return list(_view(mapping, "values"))
    kind = list if isinstance(v, list) else tuple if isinstance(v, tuple) else None
    return [] if kind is None else list(kind.__iter__(v))


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
    own = own_dict(obj)
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


def _spelled(use) -> str:
    """The value as the user wrote it where it has a name, else the path from its argument (`cfg.p`, `d['p']`,
    `ps[...]`, an item of ps)."""
    if use.spelled:
        return use.spelled
    out = use.param
    for kind, key in use.steps:
        out += f".{key}" if kind == "attr" else f"[{key!r}]" if kind == "item" else \
            "[...]" if kind in ("each", "all") else f".{kind}()" if kind in ("values", "items") else ""
    return out


def _refusal(what: str, use, value, method: str) -> ArgumentTypeError:
    name = _spelled(use)
    called = method == use.name and re.search(rf"(?<![\w.]){re.escape(name)}\.{method}\(", use.text.replace('"', "'"))
    return ArgumentTypeError(f"{what}: " + refusal(value, method, name, use.param, bool(called), _at(use),
                                                   "part" if use.steps else "argument"))


def passes(fn, what: str, args: tuple, kwargs: dict, user=None) -> bool:
    """True where `check` refuses nothing (it raises otherwise)."""
    check(fn, what, args, kwargs, user)
    return True
