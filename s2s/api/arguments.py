"""Checks on the arguments a transformed function is called with.

Guarantees: a call the original function would refuse (too many or too few
arguments, an unknown keyword) raises the TypeError the original raises, with
its message; a derivative with respect to an integer or boolean array (or a
bool) is refused with a TypeError saying what to pass instead, never computed
in the wrong type; so is one with respect to a string, None or another object
that is not a number, an array or a container of them. These cost nothing on a
good call but a few type checks. A container argument's leaves follow the same
rule: a bool, an array of bools or integers, or anything that is not a number or
an array (a string, None), inside a tuple, list, dict or dataclass that a
derivative is taken with respect to is refused as it is at the top level (a
Python int is a number, as at the top level).
"""
from __future__ import annotations

import dataclasses
import inspect
import sys

import numpy as np

from s2s.api import cache, pytree
from s2s.api.parameters import resolve_wrt
from s2s.errors import ArgumentTypeError, S2SError
from s2s.runtime import trees
from s2s.runtime.core import is_record
from s2s.runtime.indexing import record_of


def original(f):
    """The user's function beneath any s2s transformations of it."""
    while hasattr(f, "_kind") and hasattr(f, "__wrapped__"):
        f = f.__wrapped__
    return f


def raise_call_error(f, args: tuple, kwargs: dict) -> None:
    """Raise the TypeError calling the original `f` with these arguments would raise, if it would. Beneath a
    transformation of an `s2s.jvp` is its generated `jvp_f(x, dx)`, which takes the primals and the tangents one
    by one: a call that does not fit it says so."""
    packed = _packed(f)
    if packed is not None:  # (called where the generated function raised a TypeError)
        fn = packed._current()
        count = packed.__s2s_packed__()
        try:
            inspect.signature(fn).bind(*args, **kwargs)
            problem = "" if not (len(args) == 2 and not kwargs and isinstance(args[0], tuple) and
                                 isinstance(args[1], tuple) and len(args[0]) == count and
                                 len(args[0]) + len(args[1]) == fn.__code__.co_argcount) else \
                "called with a tuple of primals and a tuple of tangents"
        except TypeError as exc:
            problem = str(exc)
        if problem:
            raise ArgumentTypeError(f"{problem}: a transformation of s2s.jvp({getattr(original(f), '__name__', 'f')}) "
                                    f"differentiates the generated {fn.__name__}{inspect.signature(fn)}, which takes "
                                    f"the "
                                    f"primals, then one tangent per wrt entry, one by one: call it as (x, dx), not as "
                                    f"the jvp is called, ((x,), (dx,))") from None
        return
    stub = _stub(original(f))
    if stub is None:
        return
    try:
        stub(*args, **kwargs)
    except TypeError as exc:
        raise ArgumentTypeError(*exc.args) from None


def _packed(f):
    """The `s2s.jvp` transformation beneath the transformations `f` (None if there is none)."""
    while hasattr(f, "_kind") and hasattr(f, "__wrapped__"):
        if getattr(f, "__s2s_packed__", None) is not None:
            return f
        f = f.__wrapped__
    return None


class _SequenceTangent:
    """The tangent of a list or tuple argument, read by element as the list or tuple it is; in arithmetic (the
    tangent of NumPy's, on the array NumPy reads the argument as: `c * dxs` for np.multiply(xs, c)) the array of
    it. Times an int, or plus a list or tuple, it is refused: generated code is one text for an array and a list,
    and `xs * 2` repeats a list in Python but multiplies an array (np.multiply(xs, 2)), `xs + ys` joins two lists
    but adds two arrays, so neither reading is sure."""

    def __add__(self, other):
        _refuse_join(self, other)
        return np.asarray(self) + other

    def __radd__(self, other):
        _refuse_join(self, other)
        return other + np.asarray(self)

    def __sub__(self, other):
        return np.asarray(self) - other

    def __rsub__(self, other):
        return other - np.asarray(self)

    def __mul__(self, other):
        _refuse_repeat(self, other)
        return np.asarray(self) * other

    def __rmul__(self, other):
        _refuse_repeat(self, other)
        return other * np.asarray(self)

    def __truediv__(self, other):
        return np.asarray(self) / other

    def __neg__(self):
        return -np.asarray(self)

    __iadd__, __imul__ = __add__, __mul__  # (a new value, as an array's tangent: not list's in-place extend)


def _refuse_join(t, other) -> None:
    if isinstance(other, (list, tuple)):
        kind = "tuple" if isinstance(t, tuple) else "list"
        raise S2SError(f"the tangent of a {kind} of {len(t)} plus one of {len(other)}: s2s cannot tell here whether "
                       f"the {kind} argument was repeated or joined (Python's `xs + ys`) or their numbers added "
                       f"(np.add(xs, ys), NumPy's sum of the arrays it reads), as one text differentiates both; "
                       f"convert it first (np.asarray(xs) + ys), or build the longer {kind} with a comprehension")


def _refuse_repeat(t, other) -> None:
    if isinstance(other, (int, np.integer)) and not isinstance(other, (bool, np.bool_)):
        kind = "tuple" if isinstance(t, tuple) else "list"
        raise S2SError(f"the tangent of a {kind} of {len(t)} times {other}: s2s cannot tell here whether the {kind} "
                       f"argument was repeated or joined (Python's `xs * {other}`) or its numbers multiplied "
                       f"(np.multiply(xs, {other}), NumPy's product of the array it reads), as one text differentiates "
                       f"both; convert it first (np.asarray(xs) * {other}, or a float factor), or build the longer "
                       f"{kind} with a comprehension")


class ListTangent(_SequenceTangent, list):
    """The tangent of a list argument (`_SequenceTangent`)."""


class TupleTangent(_SequenceTangent, tuple):
    """The tangent of a tuple argument (`_SequenceTangent`)."""


# the TypeErrors of Python's operators on a list or tuple (NumPy's functions take one as an array)
_SEQUENCE_ERRORS = ("can't multiply sequence", "can only concatenate", "unsupported operand type(s)",
                    "bad operand type", "'>' not supported", "'<' not supported", "'>=' not supported",
                    "'<=' not supported")


def explain_sequence_error(exc: TypeError, f, args: tuple, kwargs: dict) -> None:
    """Where a list or tuple of numbers was passed and the call failed in an operator on a sequence (the
    derivative of np.dot(x, y) multiplies x as it is), say so in `exc`'s message and to pass an array."""
    message = exc.args[0] if len(exc.args) == 1 and isinstance(exc.args[0], str) else None
    if message is None or not message.startswith(_SEQUENCE_ERRORS) or "np.asarray" in message:
        return
    code = getattr(original(f), "__code__", None)
    names = list(code.co_varnames[:code.co_argcount]) if code is not None else []
    for name, value in list(zip(names, args)) + list(kwargs.items()):
        if isinstance(value, (list, tuple)) and value and all(type(v) in NUMBERS for v in value):
            exc.args = (f"{message} (the argument '{name}' is a {type(value).__name__} of numbers: NumPy's functions "
                        f"take it as an array, but the derivative's arithmetic takes it as a {type(value).__name__}: "
                        f"pass np.asarray({name}))",)
            exc.__s2s_explained__ = True
            return


def as_raised(exc: BaseException) -> BaseException:
    """The exception to raise for `exc` from generated code: a TypeError `explain_sequence_error` explained as an
    ArgumentTypeError (an S2SError, also a TypeError) with its message and traceback, else `exc` itself."""
    if not getattr(exc, "__s2s_explained__", False):
        return exc
    return ArgumentTypeError(*exc.args).with_traceback(exc.__traceback__)


def _stub(f):
    """A function with `f`'s name and parameters that does nothing: binding is checked by Python itself."""
    code = getattr(f, "__code__", None)
    if code is None:
        return None
    names = code.co_varnames
    n, k = code.co_argcount, code.co_kwonlyargcount
    params = list(names[:n])
    if code.co_posonlyargcount:
        params.insert(code.co_posonlyargcount, "/")
    rest = n + k
    if code.co_flags & inspect.CO_VARARGS:
        params.append("*" + names[rest])
        rest += 1
    elif k:
        params.append("*")
    params += names[n:n + k]
    if code.co_flags & inspect.CO_VARKEYWORDS:
        params.append("**" + names[rest])
    namespace: dict = {}
    exec(f"def stub({', '.join(params)}):\n    pass\n", namespace)  # noqa: S102 (parameter names only)
    stub = namespace["stub"]
    names = {"co_name": code.co_name}
    if hasattr(code, "co_qualname"):
        names["co_qualname"] = code.co_qualname
    stub.__code__ = stub.__code__.replace(**names)
    stub.__defaults__ = getattr(f, "__defaults__", None)
    stub.__kwdefaults__ = getattr(f, "__kwdefaults__", None)
    stub.__name__ = code.co_name
    stub.__qualname__ = getattr(f, "__qualname__", code.co_name)
    return stub


BY_NAME = sys.maxsize  # the position of a keyword-only parameter: past every positional argument


def wrt_positions(f, wrt, keywords: bool = False) -> tuple:
    """((position, name), ...) of the `wrt` parameters of the original `f`; with `keywords`, a keyword-only one's
    too, at position BY_NAME (its argument found by name: `args[i] if i < len(args) else kwargs.get(name)`), so
    that the entries stay paired with the derivatives, one per wrt entry."""
    code = getattr(original(f), "__code__", None)
    if code is None:
        return ()
    n = code.co_argcount
    params = list(code.co_varnames[:n])
    later = ([code.co_varnames[n + code.co_kwonlyargcount]] if code.co_flags & inspect.CO_VARARGS else []) + \
        list(code.co_varnames[n:n + code.co_kwonlyargcount])  # (in the order the parameters are counted)
    items = list(wrt) if isinstance(wrt, (tuple, list)) else [wrt]
    out = []
    for w in items:
        if isinstance(w, str) and w in params:
            out.append((params.index(w), w))
        elif isinstance(w, int) and not isinstance(w, bool) and -len(params) <= w < len(params):
            out.append((w % len(params), params[w]))
        elif keywords and code.co_kwonlyargcount:
            name = w if isinstance(w, str) else later[w - n] if type(w) is int and n <= w < n + len(later) else None
            if name in code.co_varnames[n:n + code.co_kwonlyargcount]:
                out.append((BY_NAME, name))
    return tuple(out)


# the types of a bare number (one leaf, no structure): what a call checks first, by one set lookup
NUMBERS = frozenset((float, int, np.float64, np.float32, np.int64, np.int32))
# the numbers a derivative is taken with respect to: floats, and Python ints (exact arithmetic; their derivative a
# float); a NumPy integer wraps around (uint8 200 * 200 is 64), so it is refused as an integer array is
WRT_NUMBERS = frozenset((float, int, np.float64, np.float32))


COMPLEX = ("s2s differentiates real functions, and its rules are written for real numbers: pass the real and "
           "imaginary parts as two real arguments")


def real(what: str, out):
    """`out` (derivatives, or a value and derivatives: numbers, arrays, containers of them), refusing a
    complex leaf: the function's arguments are real, so a complex number arose inside it, where rules written
    for real numbers do not give its derivative (|z|' is not z/|z|)."""
    if _complex(out) or trees.is_container(out) and any(map(_complex, trees.leaves(out))):
        refuse_complex(what)
    return out


def structured(what: str, grads, templates: list, names: list, single: bool, original_call=None):
    """`grads`, refusing a derivative whose list or tuple has another length than its argument's. The
    generated code is one text for every type of argument, and differentiates `xs * 2` and `xs + ys` as an
    array's arithmetic, where a list or tuple argument repeats or joins: the derivative of such a value has
    the parts of the longer sequence, and no entry of it is right. A zero derivative for a dict key the argument
    does not have (written into a copy of it) is dropped: the result is the derivatives to return.
    `original_call()`, where given, raises the error the function itself raises with the call's arguments (a
    list's `w ** 2`, whose derivative's `2 * w` repeats it), which is raised in place of this refusal."""
    if single:
        grads = pytree.without_new_zero_keys(grads, templates[0])
    elif type(grads) is tuple:
        grads = tuple(pytree.without_new_zero_keys(g, t) for g, t in zip(grads, templates)) + grads[len(templates):]
    for g, t, name in zip([grads] if single else grads, templates, names):
        if is_record(t) and not isinstance(g, (dict, tuple, list)) and not is_record(g) and \
                not _zero(g):  # (`m.T` of a record M(W, T) whose other fields the function does not read)
            raise S2SError(f"{what}: the derivative with respect to {name}, a {type(t).__name__} record, came out "
                           f"as a {type(g).__name__}: the function reads no field of {name} but one NumPy arrays "
                           f"have too (.T, .real, .imag, .flat, ...), which s2s read as the array's attribute "
                           f"(np.transpose({name}) for {name}.T); give that field another name")
        found = pytree.mismatch(g, t)
        if found is not None:
            if original_call is not None:  # (the function itself refuses the list: its own TypeError, explained)
                original_call()
            where, got, part = found
            kind = type(part).__name__
            raise S2SError(f"{what}: the derivative with respect to {name}{where} (a {kind} of {len(part)}) came "
                           f"out with {len(got)} parts: a {kind} argument was repeated or joined (`xs * 2`, "
                           f"`xs + ys`), which s2s differentiates as an array's arithmetic; convert it first "
                           f"(np.asarray({name}) * 2), or build the longer sequence with a comprehension")
    return grads


def own_type_error(f, args: tuple, kwargs: dict) -> None:
    """Raise the TypeError the original of `f` raises called with `args` and `kwargs` (explained where it comes
    from an operator on a list or tuple argument, `explain_sequence_error`); nothing where it raises none."""
    try:
        original(f)(*args, **kwargs)
    except TypeError as exc:
        explain_sequence_error(exc, f, args, kwargs)
        raise as_raised(exc) from None
    except Exception:  # noqa: S110 (another error of the function's: the refusal it was asked for says more)
        pass


def arrays_for_arrays(grads, templates: list, single: bool):
    """`grads` with the derivative of each ndarray argument (or ndarray in a container argument) an ndarray of its
    shape where it came out a list of the derivatives of its rows: NumPy reads an array passed whole to
    np.concatenate, np.stack, np.hstack and their kin as the sequence of its rows, and the adjoint of a sequence is
    one part per element. Anything else unchanged (the same object where nothing is; with no template, a `*args`
    parameter's, everything)."""
    if single:
        return _rows_array(grads, templates[0]) if templates else grads
    if type(grads) is not tuple:
        return grads
    fixed = tuple(_rows_array(g, t) for g, t in zip(grads, templates))
    return grads if all(a is b for a, b in zip(fixed, grads)) else fixed + grads[len(templates):]


def _rows_array(g, x):
    if type(g) is np.ndarray or type(g) in NUMBERS:
        return g
    if type(x) is np.ndarray:
        if not isinstance(g, list) or x.ndim == 0 or len(g) != x.shape[0]:
            return g
        rows = [np.broadcast_to(np.asarray(r), x.shape[1:]) for r in g]  # (a bare zero for a row: zeros)
        return np.array(rows, dtype=np.result_type(*rows, x.dtype if x.dtype.kind == "f" else np.float64))
    if is_record(g) and type(g) is type(x):  # (a record's derivative given back as one: rt.record_like)
        fields = {f.name: getattr(g, f.name) for f in dataclasses.fields(g)}
        fixed = _rows_array(fields, x)
        return g if fixed is fields else record_of(g, fixed)
    if isinstance(g, dict):
        template = x if isinstance(x, dict) else \
            {f.name: getattr(x, f.name) for f in dataclasses.fields(x)} if is_record(x) else None
        if template is None:
            return g
        items = [(k, _rows_array(v, template[k]) if k in template else v) for k, v in g.items()]
        return g if all(v is g[k] for k, v in items) else type(g)(items)
    if isinstance(g, (tuple, list)) and isinstance(x, (tuple, list)) and len(g) == len(x) and \
            not hasattr(g, "_fields"):
        parts = [_rows_array(a, t) for a, t in zip(g, x)]
        return g if all(a is b for a, b in zip(parts, g)) else type(g)(parts)
    return g


def generated(f) -> bool:
    """Is `f` code s2s generated (`grad(f)`), whose transformation is a second derivative?"""
    return getattr(f, "__s2s_generated__", None) is not None


def refuse_complex_data(what: str, args: tuple, kwargs: dict) -> None:
    """Refuse a complex number or array among the arguments of a second derivative (a Hessian, a transformation
    of generated code: the callers ask `generated` once): the first derivative refuses a complex value it comes
    out with, but differentiated again, the rules for real numbers give a real, wrong answer (|x + c|'' as 0 for
    a complex c). A long list or tuple (a dataset of minibatches) is read by its first and last items, as the
    check of data outside wrt reads one (api/data_checks.py): a call reads one item, walking all would cost its
    length on every call."""
    for a in list(args) + list(kwargs.values()):
        if _complex(a) or isinstance(a, (tuple, list, dict)) and _holds_complex(a):
            raise S2SError(f"{what}: a complex argument reached a second derivative; {COMPLEX}")


def _holds_complex(tree, depth: int = 0) -> bool:
    """Does the container `tree` hold a complex leaf (of a list or tuple of more than 64 items, among the first
    and the last 8)?"""
    if depth > 100:
        return False
    items = tree.values() if isinstance(tree, dict) else tree if len(tree) <= 64 else \
        list(tree[:8]) + list(tree[-8:])
    return any(_complex(v) or isinstance(v, (tuple, list, dict)) and _holds_complex(v, depth + 1) or
               is_record(v) and any(map(_complex, trees.leaves(v))) for v in items)


def _complex(x) -> bool:
    return type(x) is np.ndarray and x.dtype.kind == "c" or isinstance(x, (complex, np.complexfloating))


def refuse_complex(what: str) -> None:
    """A derivative that came out complex although every argument it is taken with respect to is real (the
    Jacobians cast their rows to float, which would drop the imaginary parts without a word)."""
    raise S2SError(f"{what}: a derivative came out complex: a complex value reached the function (an argument "
                   f"it is not differentiated with respect to, a power of a negative number to a fractional "
                   f"exponent, a complex dtype named by a string); {COMPLEX}")


def check_wrt(what: str, positions: tuple, args: tuple, kwargs: dict, f=None) -> bool:
    """Refuse a derivative with respect to an integer or boolean array, or a bool (also where it is the default
    of `f`'s parameter the call leaves out: `flag=False`, whose derivative is no 0.0). True when every `wrt`
    argument is a bare number or a float ndarray (no container, no record: nothing to restructure)."""
    plain = True
    for i, name in positions:
        value = args[i] if i < len(args) else kwargs.get(name, _default(f, name))
        kind = type(value)
        if kind in WRT_NUMBERS:  # (bool is not among them: type(True) is bool)
            continue
        if isinstance(value, np.integer):
            raise ArgumentTypeError(f"{what}: the argument '{name}' is a NumPy {value.dtype} number; a derivative is "
                                    f"taken with respect to floats: pass float({name})")
        if kind is np.ndarray and value.dtype.kind not in "biuc":
            continue
        plain = False
        if isinstance(value, np.ndarray):
            _real_leaf(what, name, value)
            if value.dtype.kind in "biu":
                raise ArgumentTypeError(f"{what}: the argument '{name}' is an array of {value.dtype}; a derivative is "
                                        f"taken with respect to floats: pass {name}.astype(float) where it is a "
                                        f"value to differentiate, or leave it out of wrt where it is an index, "
                                        f"labels or counts (as floats they would index nothing)")
        elif isinstance(value, (complex, np.complexfloating)):
            _real_leaf(what, name, value)
        elif isinstance(value, (tuple, list, dict)) or dataclasses.is_dataclass(value):
            _refuse_operators(what, name, value)
            for k, leaf in enumerate(trees.leaves(value)):  # (a container of parameters: leaf by leaf, as above)
                _real_leaf(what, name, leaf)
                if isinstance(leaf, (bool, np.bool_, np.integer)) or \
                        type(leaf) is np.ndarray and leaf.dtype.kind in "biu" or not pytree.is_number_leaf(leaf):
                    _refuse_leaf(what, name, name + pytree.paths(value)[k], leaf)
        elif isinstance(value, (bool, np.bool_)):
            raise ArgumentTypeError(f"{what}: the argument '{name}' is a bool, which has no derivative; pass a float")
        elif value is _ABSENT:
            continue  # not passed, no default: the call itself is refused as the original refuses it
        elif not isinstance(value, (int, float, complex, np.number, tuple, list, dict)) and \
                not dataclasses.is_dataclass(value):  # (a dataclass of parameters is a pytree)
            kind = "None" if value is None else f"a {type(value).__name__}"
            t = next((t for t in ("value_and_grad", "grad", "jacobian", "hessian", "jvp", "vjp")
                      if what.startswith(t + "_")), "grad")  # (the transformation: `what` is its function's name)
            fix = (f"s2s.{t} of a method differentiates with respect to its first parameter, self, by default: "
                   f"name the parameter you mean, s2s.{t}(Class.method, wrt=1) or wrt='name' (@s2s.{t}(wrt='name') "
                   f"on a decorated method)" if name == "self" else
                   "choose a float or array parameter with wrt=, or pass a float")
            raise ArgumentTypeError(f"{what}: the argument '{name}' is {kind}, which has no derivative; {fix}")
    return plain


_ABSENT = object()  # (an argument not passed, whose parameter has no default s2s reads)


def _default(f, name: str):
    """The default of `f`'s parameter `name` (_ABSENT where it has none, or `f` is not given)."""
    f = getattr(f, "__func__", f)
    code = getattr(f, "__code__", None)
    if code is None:
        return _ABSENT
    names, defaults = code.co_varnames[:code.co_argcount], f.__defaults__ or ()
    if name in names:
        k = names.index(name) - (len(names) - len(defaults))
        return defaults[k] if k >= 0 else _ABSENT
    return (f.__kwdefaults__ or {}).get(name, _ABSENT)


_OPERATORS = tuple(f"__{r}{op}__" for op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul")
                   for r in ("", "r")) + ("__neg__", "__pos__", "__abs__")


def _refuse_operators(what: str, name: str, value) -> None:
    """A record argument (a dataclass, a namedtuple; also one in a list, tuple or dict, or a field of another)
    whose class defines arithmetic (`p * s` calling its `__mul__`): s2s does not know the class of an argument
    while compiling, and would differentiate `p * s` as NumPy's product of each field, not as the method, whose
    derivative could differ (a weight decay scaling W alone) — refused, not differentiated wrongly. (A record the
    function builds is known: its operators are calls of its methods, front/operators.py.)"""
    record = dataclasses.is_dataclass(value) and not isinstance(value, type) or \
        isinstance(value, tuple) and isinstance(getattr(type(value), "_fields", None), tuple)
    own = next((m for m in _OPERATORS for k in type(value).__mro__[:-1] if m in vars(k)
                if (k.__module__ or "").split(".")[0] != "builtins"), None) if record else None
    if own is not None:
        cls = type(value).__name__
        raise ArgumentTypeError(f"{what}: the argument '{name}' is or holds a {cls}, whose class defines {own}; s2s "
                                f"differentiates a record argument through its fields and does not know its class "
                                f"while compiling, so it would not follow the operator methods: pass the fields as "
                                f"arguments and build the record in the function (p = {cls}(a, b)), where s2s calls "
                                f"its operator methods")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = [getattr(value, f.name) for f in dataclasses.fields(value)]
    else:
        items = list(value.values()) if isinstance(value, dict) else list(value) if isinstance(value, (tuple, list)) \
            else []
    for item in items:
        _refuse_operators(what, name, item)


def _refuse_leaf(what: str, name: str, spelled: str, leaf) -> None:
    """A bool, an array of bools or integers, or anything not a number or an array (a string, None), inside the
    container argument `name`, at `spelled`: refused as the same value passed as an argument of its own is (and
    as JAX refuses it)."""
    if isinstance(leaf, np.integer):
        raise ArgumentTypeError(f"{what}: the argument '{name}' holds a NumPy {leaf.dtype} number at {spelled}; a "
                                f"derivative is taken with respect to floats: pass int({spelled}) for a count or a "
                                f"size (a Python int there is kept, with no derivative), float({spelled}) for a "
                                f"value to differentiate, or pass it as an argument of its own, outside wrt")
    if isinstance(leaf, np.ndarray) and leaf.dtype.kind in "biu":
        raise ArgumentTypeError(f"{what}: the argument '{name}' holds an array of {leaf.dtype} at {spelled}; a "
                                f"derivative is taken with respect to floats: pass it as an argument of its own, "
                                f"outside wrt, where it is an index, labels or counts (as floats they would index "
                                f"nothing), or {spelled}.astype(float) where it is a value to differentiate")
    if not isinstance(leaf, (bool, np.bool_)):
        kind = "None" if leaf is None else f"an array of {leaf.dtype}" if isinstance(leaf, np.ndarray) else \
            f"a {type(leaf).__name__}"
        raise ArgumentTypeError(f"{what}: the argument '{name}' holds {kind} at {spelled}, which has no derivative (a "
                                f"derivative is taken with respect to numbers and float arrays, and has their "
                                f"structure): "
                                f"pass it as an argument of its own, outside wrt, or keep the parameters in a "
                                f"container of their own (a setting the function reads is data, not a parameter)")
    raise ArgumentTypeError(f"{what}: the argument '{name}' holds a bool at {spelled}, which has no derivative; pass "
                            f"it as an argument of its own, outside wrt (or a float, 1.0 or 0.0, if it is a number)")


def _real_leaf(what: str, name: str, value) -> None:
    """Refuse a complex number, a complex array, or an ndarray subclass whose operations NumPy defines
    differently (a memmap computes as an ndarray)."""
    kind = type(value)
    if isinstance(value, np.ndarray) and kind is not np.ndarray and not isinstance(value, np.memmap):
        raise ArgumentTypeError(f"{what}: the argument '{name}' holds a {kind.__module__}.{kind.__name__}, a subclass "
                                f"of "
                                f"ndarray whose operations NumPy defines differently (a masked array skips its masked "
                                f"elements, np.matrix's * is a matrix product), which s2s's rules, written for "
                                f"ndarrays, "
                                f"do not follow: pass np.asarray(...) of it (for a masked array, .compressed() or "
                                f".filled(value))")
    if isinstance(value, np.ndarray) and value.dtype.kind == "c":
        raise ArgumentTypeError(f"{what}: the argument '{name}' holds an array of {value.dtype}; {COMPLEX}")
    if isinstance(value, (complex, np.complexfloating)):
        raise ArgumentTypeError(f"{what}: the argument '{name}' holds a complex number; {COMPLEX}")


def argument(params: list, args: tuple, kwargs: dict, w, f=None):
    """The argument a `wrt` entry (a position or a name among `params`, `f`'s parameters) refers to in a call
    `f(*args, **kwargs)`, as Python binds it: a parameter left out is its default, a `*args` parameter the tuple
    of the extra positional arguments, a `**kwargs` one the dict of the extra keywords (what grad differentiates
    with respect to). A call `f` would refuse raises the TypeError `f` raises."""
    try:
        name = w if isinstance(w, str) else params[w]
        if name in kwargs:
            return kwargs[name]
        i = params.index(name)
    except (IndexError, ValueError):  # (a wrt naming no parameter: the error grad gives, naming them)
        resolve_wrt(params, w, getattr(f, "__qualname__", getattr(f, "__name__", "f")))
        raise
    if f is None or i < len(args) and i < cache.positional_count(f):
        return args[i]
    return bound(f, args, kwargs).arguments[name]


def bound(f, args: tuple, kwargs: dict) -> inspect.BoundArguments:
    """`f(*args, **kwargs)`'s arguments as Python binds them, defaults included (`.args` and `.kwargs` call `f`
    with them all given); a call `f` would refuse raises the TypeError `f` raises."""
    signature = inspect.signature(f)  # (not cached: functions of one code may have other defaults)
    try:
        out = signature.bind(*args, **kwargs)
    except TypeError:
        raise_call_error(f, args, kwargs)
        raise
    out.apply_defaults()
    return out


def _zero(g) -> bool:
    """Is `g` a zero number (a derivative that stands for zeros of any structure)?"""
    return type(g) in NUMBERS and g == 0

