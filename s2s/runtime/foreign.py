"""Values whose class defines an operation itself: what s2s, which reads `p * x` and `p.dot(x)` of a value it
does not know the class of while compiling as NumPy's operations on arrays, would not follow (np.matrix's `*` is
the matrix product; a class of the user's with `__mul__`). The call's check of its arguments (api/data_checks.py)
and the check generated code makes where it reads such a value (`require_data`) both ask `foreign`.
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from s2s.errors import ArgumentTypeError
from s2s.runtime.sparse import is_sparse

__all__ = ["require_data"]

# the types of a value checked at once: the rules are written for them
PLAIN = frozenset((np.ndarray, float, int, bool, np.float64, np.float32, np.int64, np.int32, str, type(None)))
# the types of a value read as an array (`v.T`, `v.sum()`): NumPy's, which have every array attribute
ARRAYS = frozenset((np.ndarray, np.float64, np.float32, np.int64, np.int32, np.bool_))
# the array attributes whose NumPy function does not read an object's own (np.transpose(o) calls o.transpose(),
# not o.T; np.shape(o), np.sum(o) read o.shape, call o.sum())
_NOT_READ = frozenset(("T", "mT"))
# the array attributes and methods whose NumPy function reads a scipy.sparse matrix's own (np.sum(S) calls S.sum())
_SPARSE_READ = frozenset(("T", "transpose", "dot", "sum", "mean", "max", "min", "conj", "conjugate", "copy", "astype",
                          "real", "imag", "shape", "ndim", "size"))
HOOKS = ("__array_ufunc__", "__array_function__")
_OPERATOR_METHODS = {"add": "__add__", "sub": "__sub__", "mul": "__mul__", "truediv": "__truediv__",
                     "floordiv": "__floordiv__", "mod": "__mod__", "pow": "__pow__", "matmul": "__matmul__",
                     "neg": "__neg__", "pos": "__pos__"}
_ALL_OPERATORS = tuple(f"__{r}{op}__" for op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul")
                       for r in ("", "r")) + ("__neg__", "__pos__", "__abs__")


def require_data(value, operation, spelled, param="", called=False):
    """`spelled`, a value the function reads from data where the call's check cannot (an attribute, which may be a
    property; an item at an index the function computes; data of the module or of a closure; an item of what a call
    made of data), read by the differentiated `operation` (NumPy's name, or the operator's: "matmul") as NumPy's:
    refused where it is an object whose class defines the operation itself, which generated code made for arrays
    does not follow; `operation` ".T", ".sum": read as an array (`array_read`). A type test where it is an array or
    a number. `param`: the argument it is read from; `called`: the line calls the method (`p.dot(x)`)."""
    if operation[0] == ".":  # (an array's attribute or method: `v.T`, `v.sum()`)
        if type(value) not in ARRAYS:
            array_read(value, operation[1:], spelled, param)
        return
    if type(value) in PLAIN:
        return
    method = foreign(value, operation)
    if method is not None:
        raise ArgumentTypeError(refusal(value, method, spelled, param, called and method == operation))


def array_read(value, attribute: str, name: str, param: str, what: str = "", at: str = "") -> None:
    """Refuse `name.attribute` (`v.T`, `v.sum()`), read as NumPy's (np.transpose(v), np.sum(v)), of a value that is
    not NumPy's array or number: an ndarray subclass with operators of its own, a scipy.sparse matrix whose method
    NumPy's function does not call, a field named T of an object (which np.transpose does not read); Python's
    AttributeError where it has no such attribute (NumPy's function would read it as an array). `what`: the
    message's start; `at`: the user's line."""
    if isinstance(value, np.ndarray) and own_method(type(value), "", np.ndarray) is not None:
        raise ArgumentTypeError(what + refusal(value, own_method(type(value), "", np.ndarray), name, param, False, at,
                                               "part" if param and name != param else "argument" if param else "read"))
    at = at or ". "
    if is_sparse(value) and attribute not in _SPARSE_READ:  # (np.diagonal(S) does not call S.diagonal())
        cls = type(value).__name__
        raise ArgumentTypeError(
            f"{what}{name}.{attribute}() of a scipy.sparse {cls}: s2s read '.{attribute}' as NumPy's (an array's "
            f"{attribute}), as it does not know the class of {'an argument' if param else 'a value it reads'} while "
            f"compiling, and NumPy's function does not take a sparse matrix{at}Call the method through its class: "
            f"{type(value).__module__.split('.')[0]}.sparse.{cls}.{attribute}({name}, ...) (with `import scipy`), "
            f"or pass the dense array ({name}.toarray()) as the argument")
    if isinstance(value, (np.ndarray, np.generic)) or is_sparse(value):
        return
    if not _has(value, attribute):  # (Python's error, where NumPy's function would read it as an array)
        raise AttributeError(f"'{type(value).__name__}' object has no attribute '{attribute}'" +
                             (at.rstrip("\n") if at != ". " else ""))
    if attribute in _NOT_READ and type(value).__module__ != "builtins":
        own = own_dict(value)
        instead = f"read it as vars({name})[{attribute!r}] (Python's attribute, which s2s does not take for an " \
            f"array's), or give the field another name" if type(own) is dict and attribute in own else \
            "give the field another name"
        raise ArgumentTypeError(
            f"{what}{name}.{attribute} of a {type(value).__name__}, not an array: s2s read '.{attribute}' as "
            f"NumPy's (an array's {attribute}), as it does not know the class of "
            f"{'an argument' if param else 'a value it reads'} while compiling, and NumPy's function does not read "
            f"the object's own{at}Instead, {instead}")


def own_dict(obj):
    """`obj.__dict__`, read without a `__getattr__` of the user's (None where it has none)."""
    try:
        return object.__getattribute__(obj, "__dict__")
    except Exception:
        return None


def _has(obj, name: str) -> bool:
    """Has `obj` an attribute `name`, found without running the user's code? (One a `__getattr__` may give is
    taken as there.)"""
    own = own_dict(obj)
    return type(own) is dict and name in own or any(name in vars(k) or k.__module__ != "builtins" and (
        "__getattr__" in vars(k) or "__getattribute__" in vars(k)) for k in type(obj).__mro__)


_SEQUENCE_ARITHMETIC = frozenset({"__mul__", "__rmul__", "__add__", "__radd__", "__imul__", "__iadd__"})


def refusal(value, method: str, name: str, param: str, called: bool, at: str = "", how: str = "read") -> str:
    """Why s2s refuses the value `name` (read from the argument `param`: "" for data of another kind), whose class
    defines `method`, and what to write instead. `called`: the line calls the method; `how` the value came:
    "argument" (the call passes it), "part" (the call passes what holds it, checked there), "read" (generated
    code read it); `at`: the user's line, between the two."""
    cls, shown = type(value).__name__, name or "..."
    where = f"the argument '{param}'" if name and name == param else f"{name}, read from the argument '{param}'," \
        if param and name else name or "a value the line reads"
    whose = "an argument" if how != "read" else "a value it reads from data"
    at = at or ". "
    if called:  # (the class's method, called: p.dot(x), not np.dot(p, x))
        return f"{shown}.{method}() of a {cls}, not an array: s2s read '.{method}()' as NumPy's method (an array's " \
               f"{method}), as it does not know the class of {where} while compiling{at}Call the method through " \
               f"its class, which s2s then follows: {cls}.{method}({shown}, ...)"
    verb = "read" if how == "read" else "pass"
    if is_sparse(value):  # (`S * x`: the matrix product of a scipy.sparse matrix, a sparse result of a sparse array)
        product = "product" if method in ("__mul__", "__rmul__") else "power"
        return f"{where} is a scipy.sparse {cls}, whose {method} is its own (the matrix {product} for a sparse " \
               f"matrix, a sparse result for a sparse array): s2s differentiates this line as NumPy's elementwise " \
               f"operation{at}Instead, write a matrix product with @ ({shown} @ x, x @ {shown}: s2s differentiates " \
               f"it), or {verb} {shown}.toarray() where the elementwise operation on the dense array is meant"
    sequence = method in _SEQUENCE_ARITHMETIC and isinstance(value, Sequence) and not isinstance(value, (str, bytes))
    fix = f"{verb} float({shown}) (s2s's rules are written for floats and arrays)" \
        if isinstance(value, numbers.Number) else \
        f"{verb} " + (f"np.asarray(...) of the {cls} where the call passes it" if how == "part" else
                      f"np.asarray({shown})") + \
        f", the ndarray of its numbers (a {cls} is an ndarray subclass with operators of its own" \
        f"{': its * is the matrix product' if isinstance(value, np.matrix) else ''}; s2s's rules are written for " \
        f"NumPy's ndarray)" if isinstance(value, np.ndarray) else \
        f"{verb} np.asarray({shown}) (an array of another library, or one that converts to an array: s2s's rules " \
        f"are written for NumPy's)" if hasattr(type(value), "__array__") else \
        f"{verb} np.asarray({shown}), the array of its numbers, which NumPy's arithmetic with an array reads it as " \
        f"({cls}.{method} is the {cls}'s own, which repeats or joins it as a sequence)" \
        if sequence else f"call it through its class, which s2s then follows: {cls}.{method}({shown}, ...)" \
        if method.startswith("__") and method not in HOOKS else \
        f"pass the arrays it holds as arguments, or np.asarray({shown}) where it is array data"
    also = "" if isinstance(value, numbers.Number) or hasattr(type(value), "__array__") or sequence else \
        f"; or build the {cls} in the function from arrays passed in, or compute what needs it outside the " \
        f"function and pass the result in"
    return f"{where} is a {cls}, whose class defines {method}: s2s differentiates this line as NumPy's operation on " \
           f"arrays, as it does not know the class of {whose} while compiling, and would not follow {cls}.{method}" \
           f"{at}Instead, {fix}{also}"


def foreign(value, name: str, depth: int = 0):
    """The method of `value`'s class (or of an item's, in a list or tuple) that Python would run for the operation
    `name` (NumPy's name, or the operator's: "mul") where s2s's rule does not: an operator, NumPy's hooks, or a method
    named as the NumPy function (`np.sum(p)` calls `p.sum()`). None for a number, an array, a string, None, a
    scipy.sparse matrix (whose products s2s differentiates), and an object without them."""
    kind = type(value)
    if kind in PLAIN:
        return None
    if isinstance(value, np.ndarray):  # (an ndarray subclass with operators of its own: np.matrix's *)
        return own_method(kind, name, np.ndarray)
    if isinstance(value, np.generic) or kind.__module__ == "builtins" and not isinstance(value, (list, tuple)):
        return None
    own = own_method(kind, name)
    if own is not None or depth > 2 or not isinstance(value, (list, tuple)):  # (a sparse matrix's `*` and `**`
        return own if own is None or not is_sparse(value) or name in _SPARSE_OWN else None  # are its own products)
    return next((f for v in value for f in [foreign(v, name, depth + 1)] if f is not None), None)


# the operators a scipy.sparse matrix defines as its own products (`S * x`, `S ** 2` the matrix product and power;
# a sparse array's `*` keeps its result sparse), which s2s's rules for NumPy's elementwise ones do not describe
_SPARSE_OWN = frozenset({"mul", "pow"})


def own_method(kind: type, name: str, base: type = object):
    """The first of the operation's own methods, then any operator or NumPy hook, that `kind` or a class it
    derives from below `base` (not Python's own) defines."""
    first = _OPERATOR_METHODS.get(name)
    wanted = ((first, "__r" + first[2:]) if first else (name,) if name else ()) + _ALL_OPERATORS + HOOKS
    for k in kind.__mro__[:kind.__mro__.index(base)]:
        if k.__module__ == "builtins":
            continue
        space = vars(k)
        for m in wanted:
            if m in space:
                return m
    return None
