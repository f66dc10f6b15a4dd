"""The derivative-rule tables and the map from Python objects to primitive keys.

`PRIMITIVES[key]` is the record (`primitive.Primitive`) a family module defined
for `key`, everything s2s knows about it in one place; the two rule tables
below are filled from it (and by the custom-rule API, which may replace them).
`REVERSE[key]` is a `ReverseRule`: one function per positional argument giving
that argument's adjoint from (g, ans, *args, **kwargs) written with the
symbolic values of `s2s.rules.symbolic`. `TANGENT[key]` is a `TangentRule`:
one function per positional argument giving that argument's contribution to
the tangent of the result from (d, ans, *args, **kwargs), where `d` is the
argument's tangent; the contributions of the arguments that have a tangent are
summed (JAX's `defjvp`). `NONDIFF` holds keys whose results carry no derivative.
"""
from __future__ import annotations

import importlib
import inspect
import operator
import sys
import threading
import types
from dataclasses import dataclass
from typing import Callable

import numpy

from s2s import prims
from s2s.rules import FAMILIES, OPTIONAL
from s2s.runtime.batched import NotBatchable  # noqa: F401  (a primitive without a vector-mode form)


@dataclass
class ReverseRule:
    key: str
    adjoints: tuple  # one callable (or None: no derivative) per positional argument
    broadcast: bool = False  # elementwise with NumPy broadcasting: adjoints are summed back to arg shapes
    user: Callable | None = None  # a user rule (s2s.adjoint) returning a tuple of adjoints


@dataclass
class TangentRule:
    key: str
    parts: tuple = ()  # one callable (d, ans, *args, **kwargs) -> contribution (or None: none) per argument
    broadcast: bool = False  # elementwise with NumPy broadcasting: a contribution may need widening to ans
    fn: Callable | None = None  # (tangents, ans, *args, **kwargs) -> tangent, tangents None for zero
    user: bool = False  # fn is a user rule (s2s.tangent) called at run time
    batched: tuple | None = None  # vector mode: the parts for tangents with a leading batch axis
    pointwise: bool = False  # scalar or shape-preserving: `parts` hold as written with a batch axis
    batched_fn: Callable | None = None  # vector mode, where two or more tangents are nonzero: fn as above


PRIMITIVES: dict = {}  # key -> primitive.Primitive, the one record of each primitive
REVERSE: dict[str, ReverseRule] = {}
TANGENT: dict[str, TangentRule] = {}
NONDIFF: set[str] = set()
NONDIFF_ELEMENTWISE: set[str] = set()  # those of them that are elementwise: the result has the operands' shape
# the operator module's functions named as the operators they are (operator.mul(a, b) is a * b)
ARITHMETIC_OPERATORS = tuple(op for op in sorted(set(prims.AST_TO_OP.values())) if hasattr(operator, op))
_OBJECTS: dict[int, tuple[object, str]] = {}  # id(obj) -> (obj, key); obj kept alive
# methods of library objects (`stats.norm.logpdf` is a new bound method at each access): (id(owner), name) ->
# (owner, key); owner kept alive
_METHODS: dict[tuple[int, str], tuple[object, str]] = {}
REQUIRED = object()  # positional(): a parameter without a default
_optional: dict = {}  # optional family (rules/__init__.OPTIONAL) -> the keys its records hold, once loaded
_loaded = False  # set only once the tables are filled: other threads wait on _load_lock until then
_loading = False  # this thread is filling them (a rule module asking for a rule meanwhile)
_load_lock = threading.RLock()


# fn -> the key of a recursive user function's call, with its rules (set by s2s.api.recursion: the rules are
# the function's own transformations, which the compiler cannot import)
RECURSIVE = None
RECURSIVE_KEYS: set = set()  # the keys it made


def tangent_rule(key: str) -> TangentRule | None:
    _load()
    return TANGENT.get(key)


def register_object(obj, key: str) -> None:
    if isinstance(obj, types.MethodType):
        _METHODS.setdefault((id(obj.__self__), obj.__name__), (obj.__self__, key))
    elif id(obj) not in _OBJECTS:
        _OBJECTS[id(obj)] = (obj, key)


def _load() -> None:
    """Fill the tables on first use, once, whichever thread asks first; the others wait for it."""
    global _loaded, _loading
    if _loaded:
        _load_optional()
        return
    with _load_lock:
        if _loaded or _loading:
            return
        _loading = True
        try:
            for family in FAMILIES:  # registration by import: one record per primitive
                importlib.import_module(f"s2s.rules.{family}")
            for key in sorted(set(REVERSE) | NONDIFF | set(TANGENT) | set(PRIMITIVES)):
                obj = prims.python_object(key)
                if obj is not None:
                    register_object(obj, key)
            for key in ARITHMETIC_OPERATORS:
                register_object(getattr(operator, key), key)
            _loaded = True
        finally:
            _loading = False
    _load_optional()


def _load_optional() -> None:
    """The family of an optional library (scipy) once the user's code has imported it: its records then
    register their objects as they are made (primitive.register). A family whose rules left the tables
    (a test that restores them) is entered again."""
    for family, library in OPTIONAL.items():
        keys = _optional.get(family)
        if sys.modules.get(library) is None or keys is not None and (not keys or _present(keys[0])):
            continue
        with _load_lock:
            keys = _optional.get(family)
            if keys is not None and (not keys or _present(keys[0])):
                continue
            name = f"s2s.rules.{family}"
            before = set(REVERSE) | set(TANGENT) | NONDIFF
            try:
                if name in sys.modules:
                    importlib.reload(sys.modules[name])
                else:
                    importlib.import_module(name)
            except ImportError:  # (a library that does not import whole: its calls have no rules)
                _optional[family] = []
                continue
            if keys is None:
                _optional[family] = sorted((set(REVERSE) | set(TANGENT) | NONDIFF) - before)


def _present(key: str) -> bool:
    """Is `key`'s record in the tables? (A family whose first key is a tangent or a nondifferentiable one only
    was loaded again on every lookup, each time a module reload.)"""
    return key in REVERSE or key in TANGENT or key in NONDIFF


def optional_keys() -> set:
    """The keys whose records the optional families loaded so far hold (scipy's)."""
    return {k for keys in _optional.values() for k in keys}


def key_of(obj) -> str | None:
    """The primitive key of a Python object (numpy/math/builtin function, a method of a library object such
    as `stats.norm.logpdf`, registered user function)."""
    _load()
    if isinstance(obj, types.MethodType):
        found = _METHODS.get((id(obj.__self__), obj.__name__))
        if found is not None and found[0] is obj.__self__:
            return found[1]
        return _frozen_key(obj)
    found = _OBJECTS.get(id(obj))
    return found[1] if found is not None and found[0] is obj else None


def has_methods(obj) -> bool:
    """Is `obj` (not a module or class) a library object whose methods may have records (`stats.norm`:
    `stats.norm.logpdf`; `stats.logistic`, an object of the same library)? The front end reads its
    attributes statically then, as it does a module's: a method without a record is a call to name in
    the error that says it has no derivative rule."""
    _load()
    return _library_of(obj) in {_library_of(owner) for owner, _ in _METHODS.values()}


def _frozen_key(method) -> str | None:
    """The key of a method of a frozen distribution made outside the function (`PRIOR = stats.norm(0.0,
    2.0)`: `PRIOR.logpdf` is 'scipy.stats.norm.logpdf', its arguments followed by PRIOR's: `positional`)."""
    dist = getattr(method.__self__, "dist", None)
    if dist is None or not isinstance(getattr(method.__self__, "args", None), tuple):
        return None
    for owner, key in _METHODS.values():
        if type(owner) is type(dist) and key.rpartition(".")[2] == method.__name__:
            return key
    return None


def frozen_method(op: str, name: str = "") -> str | None:
    """For a call of a distribution (`stats.norm(loc, scale)`, a frozen distribution: its record's kind is
    'distribution'), the key of its method `name` where that has a record ('scipy.stats.norm.logpdf'), or
    `op` itself without a name; None for any other call."""
    _load()
    p = PRIMITIVES.get(op)
    if p is None or p.facts.get("kind") != "distribution":
        return None
    if not name:
        return op
    return f"{op}.{name}" if f"{op}.{name}" in PRIMITIVES else None


def _library_of(obj) -> str:
    """'scipy.stats' for an object of a class defined in scipy.stats._continuous_distns."""
    return ".".join((getattr(type(obj), "__module__", None) or "").split(".")[:2])


def positional(key: str, args: tuple, kwargs: tuple, constant, target=None) -> tuple[tuple, tuple]:
    """(args, kwargs) of a call of `key` with the keyword arguments that have a derivative moved to their
    places (`stats.norm.logpdf(x, scale=s)` -> `(x, 0.0, s)`, `np.full(3, fill_value=v)` -> `(3, v)`), so
    that each has its partial derivative in both modes, as the parameters (name, default) in order say: the
    record's fact `parameters`, whose parameters before it that were skipped get their defaults
    (`constant(value)`), else the Python signature of `target` (or of the object `key` names) where none was
    skipped (np.nan_to_num(z, nan=v) stays as written); the keyword arguments after the last one with a
    derivative stay keywords. Other calls are unchanged. A method of a frozen distribution
    (`target`, `PRIOR.logpdf`) is given PRIOR's parameters after its arguments."""
    _load()
    if isinstance(target, types.MethodType) and _frozen_key(target) == key:
        frozen = target.__self__
        args = tuple(args) + tuple(constant(v) for v in frozen.args)
        kwargs = tuple(kwargs) + tuple((k, constant(v)) for k, v in frozen.kwds.items())
    p = PRIMITIVES.get(key)
    if p is None or not kwargs:
        return args, kwargs
    params = p.facts.get("parameters")
    fill = bool(params)  # (NumPy's own defaults are not spelled out: np.nan_to_num(z, nan=v) keeps its keyword)
    if not params:
        params = _python_parameters(prims.python_object(key) if target is None else target)
    names = [name for name, _ in params]
    slots = [i for i in range(len(params)) if i < len(p.adjoints) and p.adjoints[i] is not None or
             i < len(p.tangents) and p.tangents[i] is not None]
    places = [names.index(k) for k, _ in kwargs if k in names and names.index(k) >= len(args)]
    if not any(i in slots for i in places):
        return args, kwargs
    last = max(i for i in places if i in slots)
    moved = {k: v for k, v in kwargs if k in names and len(args) <= names.index(k) <= last}
    out = list(args)
    for name, default in params[len(args):last + 1]:
        if name not in moved and (default is REQUIRED or not fill):
            return args, kwargs  # (a call Python itself refuses, or one that skips a default)
        out.append(moved[name] if name in moved else constant(default))
    return tuple(out), tuple((k, v) for k, v in kwargs if k not in moved)


_SIGNATURES: dict = {}  # id(obj) -> (obj, its inspect.Signature or None); obj kept alive (inspect is slow)


def signature(obj) -> inspect.Signature | None:
    """The Python signature of a library callable (np.sum: (a, axis=None, dtype=None, out=None, ...)), or None
    where it has none (a builtin of C without one, a NumPy ufunc: its `nin` inputs then its outputs)."""
    found = _SIGNATURES.get(id(obj))
    if found is None or found[0] is not obj:
        try:
            sig = None if isinstance(obj, numpy.ufunc) else inspect.signature(obj)
        except (TypeError, ValueError):
            spelled = next((f for name, f in _C_SIGNATURES.items() if getattr(numpy, name, None) is obj), None)
            sig = inspect.signature(spelled) if spelled is not None else None
        found = _SIGNATURES[id(obj)] = (obj, sig)
    return found[1]


# NumPy's functions of C whose signature inspect cannot read before NumPy 2 (np.array(v, int) must still be read
# as dtype=int there): their parameters as NumPy 1.25 documents them, that may be given by position
_C_SIGNATURES = {
    "array": lambda object, dtype=None, *, copy=True, order="K", subok=False, ndmin=0, like=None: None,
    "asarray": lambda a, dtype=None, order=None, *, like=None: None,
    "asanyarray": lambda a, dtype=None, order=None, *, like=None: None,
    "ascontiguousarray": lambda a, dtype=None, *, like=None: None,
    "asfortranarray": lambda a, dtype=None, *, like=None: None,
    "dot": lambda a, b, out=None: None,
    "vdot": lambda a, b, /: None,
    "inner": lambda a, b, /: None,
    "concatenate": lambda arrays, /, axis=0, out=None, *, dtype=None, casting="same_kind": None,
    "where": lambda condition, x=None, y=None, /: None,
    "empty": lambda shape, dtype=None, order="C", *, like=None: None,
    "zeros": lambda shape, dtype=None, order="C", *, like=None: None,
    "empty_like": lambda prototype, /, dtype=None, order="K", subok=True, shape=None: None,
    "arange": lambda start, /, stop=None, step=None, dtype=None, *, like=None: None,
    "lexsort": lambda keys, axis=-1: None,
    "bincount": lambda x, /, weights=None, minlength=0: None,
    "copyto": lambda dst, src, casting="same_kind", where=True: None,
    "putmask": lambda a, /, mask, values: None,
}


def _python_parameters(obj) -> tuple:
    """(name, default) of the parameters of `obj` that may be given by position, in order (REQUIRED for none, and
    for a default that is no constant a call could spell: NumPy's <no value>): `positional`'s `parameters`."""
    sig = signature(obj) if obj is not None else None
    if sig is None:
        return ()
    out = []
    for p in sig.parameters.values():
        if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            break
        out.append((p.name, p.default if _spelled_constant(p.default) else REQUIRED))
    return tuple(out)


def _spelled_constant(value) -> bool:
    return value is None or type(value) in (bool, int, float, str) or \
        type(value) is tuple and all(_spelled_constant(v) for v in value)


def integral_type(value) -> bool | None:
    """Does `value`, given as a dtype (int, np.int32, "uint8", bool), name an integer or bool type, whose values
    carry no derivative (x.astype(int), np.array(v, dtype=int))? None where it names no type NumPy knows."""
    if value is None:
        return False  # (NumPy's default: the operands' type)
    try:
        return numpy.dtype(value).kind in "biu"
    except (TypeError, ValueError):
        return None


_CAPACITY: dict = {}  # rule function -> how many arguments it takes by position after its first two (None: any)


def rule_capacity(key: str) -> int | None:
    """How many of the call's arguments every rule function of `key` takes by position (after g or the tangents,
    and ans), None for any number: the front end passes the arguments past them by name (np.interp's left and
    right, np.sort's kind), where a rule that takes them reads them or refuses them, naming them."""
    _load()
    fns = []
    rule = REVERSE.get(key)
    if rule is not None and rule.user is None:
        fns.extend(rule.adjoints)
    rule = TANGENT.get(key)
    if rule is not None and not rule.user:
        fns.extend(rule.parts)
        fns.extend(rule.batched or ())
        fns.extend((rule.fn, rule.batched_fn))
    least = None
    for fn in fns:
        if fn is None:
            continue
        if fn not in _CAPACITY:
            try:
                params = list(inspect.signature(fn).parameters.values())
                _CAPACITY[fn] = None if any(p.kind is p.VAR_POSITIONAL for p in params) else max(0, sum(
                    p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params) - 2)
            except (TypeError, ValueError):
                _CAPACITY[fn] = None
        n = _CAPACITY[fn]
        if n is not None and (least is None or n < least):
            least = n
    return least


def reverse_rule(key: str) -> ReverseRule | None:
    _load()
    return REVERSE.get(key)


def is_elementwise_nondiff(key: str) -> bool:
    """An elementwise operation without a derivative (`np.floor`, `np.greater`): its result has the shape its
    operands broadcast to. (Not the operators `==`, `<`: of two lists they compare the lists.)"""
    _load()
    return key in NONDIFF_ELEMENTWISE


def is_nondiff(key: str) -> bool:
    _load()
    return key in NONDIFF or key in prims.COMPAREOPS or key in prims.BOOLOPS or key in ("not", "invert")


def may_have_effects(op: str) -> bool:
    """May a call of `op` do more than return its value (draw random numbers, take an iterator's next item)? A call
    of what s2s does not read (prims.OPAQUE_CALLS) and of a user's function s2s calls without reading it (a key under
    prims.USER_FUNCTIONS with a rule or s2s.nondifferentiable, a recursive function's), not the call of a rule, which
    computes a derivative. Such a call is never merged with another (optimize/cse.py) nor dropped where its result is
    unused (optimize/dce.py): two draws are two draws, and a draw left out changes every later one."""
    return op in prims.OPAQUE_CALLS or op.startswith(prims.USER_FUNCTIONS) and (
        op in NONDIFF or op in REVERSE or op in TANGENT or op in RECURSIVE_KEYS)


def batched_parts(key: str, rule: TangentRule) -> tuple | None:
    """(parts, align) of `key` for batched tangents (vector mode), or None when it has no batched form.
    Elementwise rules hold as written, their operands aligned by `rt.batch_align` (align) where they
    broadcast; the rules that name axes or shapes give their own form."""
    if rule.batched is not None:
        return rule.batched, False
    if rule.fn is None and rule.broadcast:
        return rule.parts, len(rule.parts) > 1
    if rule.fn is None and rule.pointwise:
        return rule.parts, False
    return None


def of_numbers(key: str) -> bool:
    """Is `key` a `math` function of numbers (`math.sin(x)`, `math.hypot(x, y)`), whose arguments are numbers
    wherever it is called, so that the analyses may say so of them? Not those of sequences (`math.fsum(xs)`,
    `math.prod(xs)`, `math.dist(p, q)`: the fact `of_sequences` of their records), whose result's rank their
    records' `rank` facts give: a number for math.fsum and math.dist, an array for math.prod of a matrix."""
    if not key.startswith("math."):
        return False
    if not _loaded:
        _load()
    p = PRIMITIVES.get(key)
    return p is None or not p.facts.get("of_sequences", False)


def full_reduction(key: str) -> bool:
    """Does `key`, called with one argument and no axis, reduce it to a number whatever the argument's rank (np.sum(x),
    np.max(x); not np.linalg.det(a) or np.trace(a), whose results for a stack of matrices are vectors)?
    (Asked per statement by the analyses: the optional families were loaded when the call's key was found.)"""
    if not _loaded:
        _load()
    p = PRIMITIVES.get(key)
    return p is not None and p.full_reduction


def of_shape(key: str) -> bool:
    """Does `key` make a new array of the shape its first argument gives (np.full(shape, v))? (np.zeros, np.ones
    and np.empty, which have no derivative and so no record, are `prims.FILLED`.)"""
    if not _loaded:
        _load()
    p = PRIMITIVES.get(key)
    return p is not None and p.of_shape


def axis_reduction(key: str) -> bool:
    """Is `key` linear and a reduction over the axes its `axis=` names (np.sum, np.mean)? Vector mode then reduces a
    batch of tangents by the same call with the axes shifted past the batch axis."""
    if not _loaded:
        _load()
    p = PRIMITIVES.get(key)
    return p is not None and p.axis_reduction


def matrix_product(key: str) -> bool:
    """Is `key` the product `a @ b` of vectors and matrices (`@`, np.matmul, np.dot)? Vector mode then writes the
    tangent of a batch as a product too."""
    if not _loaded:
        _load()
    p = PRIMITIVES.get(key)
    return p is not None and p.matrix_product


def elementwise_product(key: str) -> bool:
    """Is `key` the elementwise product `x * y` (`*`, np.multiply)? Forward mode then writes the tangent of `x * x`
    as `2.0 * x * dx`."""
    if not _loaded:
        _load()
    p = PRIMITIVES.get(key)
    return p is not None and p.elementwise_product


def result_rank(key: str, ranks: list, kwargs: bool) -> int | None:
    """The rank of the result of `key` from its arguments' ranks (None where unknown) as its record knows it,
    or None: a product's (`a @ b`), a full reduction's, an adjoint helper's (its primal argument's)."""
    _load()
    p = PRIMITIVES.get(key)
    return None if p is None else p.result_rank(ranks, kwargs)
