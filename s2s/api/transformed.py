"""The object a transformation returns (`Transformed`, and `_Bound` for a method): call it like the original
function; it builds its generated code through the cache on first use (`TRANSFORMS[kind]`), checks the wrt
arguments, gives derivatives the structure of their arguments, and checks the cotangents a pullback takes.

`api/transform.py` (grad, vjp) and `api/forward.py` (jvp) fill `TRANSFORMS` with their transformations.
"""
from __future__ import annotations

import functools
import inspect
import itertools
import linecache
import re
import weakref

import numpy as np

from s2s.api import arguments, cache, data_checks, display, draws, pytree, tangents, wrappers
from s2s.api import facts as facts_mod
from s2s.api.parameters import wrt_arguments
from s2s.back.sourcemap import attach_user_frames
from s2s.runtime.checks import SCALAR_NEEDED
from s2s.runtime.core import DictParts, FieldParts, fields_of, is_record
from s2s.errors import CallError
from s2s.runtime import trees
from s2s.runtime.indexing import record_of

# kind ("grad", "vjp", "jvp") -> the transformation: (f, wrt, **options) -> (generated text, function)
TRANSFORMS: dict = {}
_NUMBERS, _NDARRAY, _FLOAT64, _NP_FLOAT64 = arguments.WRT_NUMBERS, np.ndarray, np.dtype(np.float64), np.float64  # (no lookups per call)


class Transformed:
    """A transformed function: call it like the original; `.source` is the generated Python."""

    _wrt_at = None  # ((position, name), ...) of the wrt arguments, found on the first call
    _fast = False  # a class of one entry's fast call (_fast_class)

    def __init__(self, f, kind: str, wrt, options: dict):
        f = wrappers.forwarded(f)  # (a functools.wraps wrapper(*args, **kwargs): with the parameters it shows)
        wrappers.refuse_keywords_wrt(f"s2s.{kind}", f, wrt)
        if kind == "jvp":  # (its tangents are read as those of the parameters the wrapper shows)
            wrappers.refuse_unforwarded("s2s.jvp", f)
        self.__wrapped__ = f
        self._kind = kind
        self._wrt = wrt
        self._options = options
        self._entry = None  # the cache entry in use; its facts are checked before every call
        self._second = arguments.generated(f)  # (a transformation of generated code: complex arguments refused)
        functools.update_wrapper(self, f, updated=())
        self.__name__ = f"{kind}_{getattr(f, '__name__', 'f')}"

    def __repr__(self):
        return f"<s2s.{self._kind} of {getattr(self.__wrapped__, '__qualname__', self.__wrapped__)}>"

    @property
    def source(self) -> str:
        return self._current_entry().text

    _repr_html_ = display.repr_html  # a notebook shows the generated source, highlighted

    @property
    def _fn(self):
        """The generated function last used (None before the first use)."""
        return self._entry.fn if self._entry is not None else None

    def _key(self):
        """The cache bucket: entries in it are told apart by the facts they recorded (cache.py)."""
        f = self.__wrapped__
        code = getattr(f, "__code__", None)
        if isinstance(f, Transformed):  # not id(f): a collected object's id is reused by the next one
            code = f._key()
        return (self._kind, code if code is not None else id(f), repr(self._wrt),
                tuple(sorted(self._options.items())))

    def _build(self) -> cache.Entry:
        f = self.__wrapped__
        entry = cache.get_or_build(self._key(), f, lambda: cache.build_entry(
            f, self._kind, self._wrt, self._options, TRANSFORMS[self._kind]))
        self._entry = entry
        if self._kind == "grad" and (type(self) is Transformed or type(self)._fast):
            self.__class__ = _fast_class(entry, self.__wrapped__, self._wrt,  # (its own class: special methods
                                         bool(self._options.get("return_value")))
        return entry                                                          # are looked up on the type)

    def _current_entry(self) -> cache.Entry:
        entry = self._entry
        if entry is None or not entry.check(self.__wrapped__):
            entry = self._build()
        return entry

    def _current(self):
        """The generated function, transformed again first if something it read has changed."""
        return self._current_entry().fn

    def __call__(self, *args, **kwargs):
        entry = self._entry
        if entry is None or not entry.check(self.__wrapped__):
            entry = self._build()
        wrt_at = self._wrt_at
        if wrt_at is None:
            wrt_at = self._wrt_at = arguments.wrt_positions(self.__wrapped__, self._wrt, keywords=True)
        plain = True  # (bare numbers and float arrays: nothing to refuse, no record to restructure)
        count = len(args)
        for i, name in wrt_at:  # arguments.check_wrt's first test, inline (a call costs a tenth of a grad's call)
            value = args[i] if i < count else kwargs.get(name)
            kind = type(value)
            if kind is float or kind is _NDARRAY and value.dtype is _FLOAT64:  # (the common cases first)
                continue
            if kind is dict and all(type(v) is float or type(v) is _NDARRAY and v.dtype.kind == "f"
                                    for v in value.values()):
                plain = False  # (a dict of float parameters, {'w': W, 'b': 0.5}: nothing check_wrt refuses)
                continue
            if not (kind in _NUMBERS or kind is _NDARRAY and value.dtype.kind not in "biuc"):
                plain = arguments.check_wrt(self.__name__, wrt_at, args, kwargs,  # refuses, or finds a container
                                             arguments.original(self.__wrapped__))
                break
        if self._second:
            arguments.refuse_complex_data(self.__name__, args, kwargs)
        data_checks.check(entry.fn, self.__name__, args, kwargs)
        # (a pullback that runs the forward sweep again draws the random numbers this call draws)
        replay = draws.replaying(entry.fn, args, kwargs) if self._kind == "vjp" else None
        try:
            out = entry.fn(*args, **kwargs) if kwargs else entry.fn(*args)  # (no empty dict to unpack)
        except Exception as exc:
            _failed(self, exc, args, kwargs)
            raise
        # (the wrt arguments; one left out at its default: a float's derivative is a float, a float32's float32)
        values = wrt_arguments(arguments.original(self.__wrapped__), wrt_at, args, kwargs)
        if self._kind == "grad":
            arguments.real(self.__name__, out)  # (a value, and derivatives with respect to real arguments)
            out = self._grad_part(out, self._settled(out, wrt_at, values, plain, lambda: arguments.own_type_error(
                self.__wrapped__, args, kwargs)))
        templates = None
        if not plain:
            templates = values
            # the derivative w.r.t. a dataclass is that dataclass, w.r.t. a tuple a tuple, w.r.t. a list a list
            out = self._as_arguments(out, templates)
        narrow = trees.has_narrow(values)  # (a float32 argument's derivative is float32: api/precision.py)
        if narrow and self._kind == "grad":
            out = self._grad_part(out, trees.like_arguments(self._grads(out), values, self._single_wrt()))
        if self._kind == "vjp":
            value, pullback = out
            zero_d = self._zero_d(values)
            if replay is not None:
                pullback = replay.replay(pullback, value)
            checked = _checked_pullback(pullback, value, self.__name__,
                                        templates and ([name for _, name in wrt_at], templates, self._single_wrt()),
                                        (values, self._single_wrt()),
                                        lambda exc: arguments.explain_sequence_error(exc, self.__wrapped__, args,
                                                                                     kwargs))
            if zero_d:
                unnarrowed = checked
                checked = lambda cotangent: self._as_arrays(unnarrowed(cotangent), zero_d)  # noqa: E731
            if narrow:
                wide = checked
                return value, lambda cotangent: trees.like_arguments(wide(cotangent), values, self._single_wrt())
            return value, checked
        return out

    _call = __call__  # the general path, which the fast class of an entry falls back on

    def _grads(self, out):
        """The derivatives part of a grad's `out` (which is `(value, derivatives)` with `return_value`)."""
        return out[1] if self._options.get("return_value") else out

    def _grad_part(self, out, grads):
        """A grad's `out` with its derivatives part `grads`."""
        return (out[0], grads) if self._options.get("return_value") else grads

    def _settled(self, out, wrt_at, templates: list, plain: bool, original_call=None):
        """The derivatives of a grad's `out` as the wrt arguments `templates` ask: an ndarray's an ndarray (not the
        list of its rows'), none another's memory, a 0-d array's a 0-d array, a number's a float, a container's
        checked."""
        grads = self._grads(out)
        if type(grads) is not _NDARRAY and type(grads) not in _FLOATS:  # (an array's rows' derivatives: an array)
            grads = arguments.arrays_for_arrays(grads, templates, self._single_wrt())
        if not plain or type(self._wrt) is not int and type(self._wrt) is not str:
            grads = fresh(grads)
        zero_d = self._zero_d(templates)
        if zero_d:
            grads = self._as_arrays(grads, zero_d)
        if plain:  # a number's derivative is a float (np.where of numbers is a 0-d array)
            return _number_floats(grads, templates, self._single_wrt())
        return arguments.structured(self.__name__, grads, templates, [name for _, name in wrt_at],
                                    self._single_wrt(), original_call)

    @staticmethod
    def _zero_d(values: list) -> list:
        """The indices among the wrt arguments `values` of 0-d ndarrays, whose derivatives the generated code
        computes as numbers: they are given back as 0-d arrays, the argument's type and shape."""
        return [k for k, v in enumerate(values) if type(v) is np.ndarray and v.ndim == 0]

    def _single_wrt(self) -> bool:
        return not isinstance(self._wrt, (tuple, list))

    def _as_arrays(self, grads, zero_d: list):
        if not isinstance(self._wrt, (tuple, list)):
            return grads if type(grads) is np.ndarray else np.array(grads, dtype=float)
        return tuple(np.array(g, dtype=float) if k in zero_d and type(g) is not np.ndarray else g
                     for k, g in enumerate(grads))

    def _as_arguments(self, result, templates: list):
        """`result` with each derivative given the structure of its argument (a dataclass for a dataclass)."""
        single = not isinstance(self._wrt, (tuple, list))

        def shaped(grads):
            if single:
                return pytree.like(grads, templates[0])
            if type(grads) is not tuple:
                return grads
            return tuple(pytree.like(g, t) for g, t in zip(grads, templates)) + grads[len(templates):]
        if self._kind == "vjp":
            value, pullback = result
            return value, lambda cotangent: shaped(pullback(cotangent))
        if self._kind == "grad" and self._options.get("return_value"):
            return result[0], shaped(result[1])
        if self._kind == "grad":
            return shaped(result)
        return result

    def __s2s_generated__(self):
        """(module text, entry name, pseudo-filename, namespace) of the generated code."""
        entry = self._current_entry()
        fn = entry.fn
        return entry.text, fn.__name__, fn.__code__.co_filename, fn.__globals__

    def __s2s_settles__(self) -> tuple:
        """For a call of this transformation in a function s2s transforms, where its generated code is inlined:
        what the call does to its results (`_settled`, api/precision.py) that the inlined code must do too
        (front/inlining.py `settled`): (kind, the wrt parameters' names, single wrt, returns the value too)."""
        names = tuple(name for _, name in arguments.wrt_positions(self.__wrapped__, self._wrt, keywords=True))
        return self._kind, names, self._single_wrt(), bool(self._options.get("return_value"))

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return _Bound(self, obj)

    def __reduce__(self):
        """Pickled (and copied) by reference to the original function, as functools.partial is: the copy is
        transformed again on its first call (from the cache, in this process), so that another process
        (multiprocessing) gets code made there. The function itself must pickle: a module-level one does."""
        cls = type(self)
        if cls.__dict__.get("_fast"):  # (an entry's fast class: made in this process)
            cls = Transformed
        return cls, (wrappers.given(self.__wrapped__), self._kind, self._wrt, self._options)


class _Bound:
    """A transformed method bound to its instance: `self` is passed first, like a bound method."""

    def __init__(self, transformed: Transformed, obj):
        self.__wrapped__ = transformed.__wrapped__
        self.__self__ = obj
        self._transformed = transformed
        # (named as its transformation is, like a bound method: a function that calls it reads these)
        self.__name__, self.__module__ = transformed.__name__, transformed.__module__
        self.__qualname__ = getattr(transformed, "__qualname__", transformed.__name__)

    @property
    def source(self) -> str:
        return self._transformed.source

    _repr_html_ = display.repr_html

    def __call__(self, *args, **kwargs):
        return self._transformed(self.__self__, *args, **kwargs)

    def __s2s_generated__(self):
        """The generated code of the method (it takes `self` first: read_function binds it to the object)."""
        return self._transformed.__s2s_generated__()

    def __s2s_settles__(self) -> tuple:
        return self._transformed.__s2s_settles__()

    def _current(self):
        return self._transformed._current()

    def __reduce__(self):
        return _Bound, (self._transformed, self.__self__)

    @property
    def __signature__(self):
        """The bound method's own parameters, without `self` (for jacobian and hessian of it)."""
        return inspect.signature(self.__wrapped__.__get__(self.__self__))


_FLOATS = frozenset((float, np.float64))  # derivatives that are numbers: nothing shared, nothing to copy
_UNSET = object()  # a parameter the call left to its default: the fast call takes the general path
_FAST_LOCALS = frozenset({"self", "rest", "kwargs", "f", "fast", "exc", "a", "out"})  # the fast call's own names
_FAST_NUMBERS = itertools.count(1)  # (each fast call's pseudo-file is s2s's own, as the general path's file is)
_FAST: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # entry -> its fast class


def _fast_class(entry, f, wrt, entry_returns_value: bool = False) -> type:
    """A subclass of Transformed whose `__call__` is written for `entry`: when a call passes the original's
    positional parameters by position, each wrt argument a float or a float64 array, and the entry's facts hold
    (`cache.Entry.check`'s tests, inline), it calls the generated function at once; any other call takes the
    general path (`Transformed._call`). A grad's call costs ~0.3 us over its generated function, not ~0.5."""
    cls = _FAST.get(entry)
    if cls is not None:
        return cls
    code = getattr(arguments.original(f), "__code__", None)
    if arguments.generated(f):
        return Transformed  # (a second derivative: the general path refuses complex arguments)
    wrt_at = arguments.wrt_positions(f, wrt)
    if code is None or len(wrt_at) != (len(wrt) if isinstance(wrt, (tuple, list)) else 1):
        return Transformed  # (a wrt argument only a keyword can pass: the general path checks it)
    count = code.co_argcount
    # (a function's __globals__ cannot be rebound, and the entry was checked against this very function)
    terms, env = facts_mod.check_terms([fact for fact in entry.facts if fact[:3] != ("f", None, "__globals__")], entry)
    params = list(code.co_varnames[:count])  # (the user's names where none is one of the call's own)
    if any(p.startswith("_") or p in _FAST_LOCALS for p in params):
        params = [f"_s2s_{i}" for i in range(count)]
    tests = ["not rest", "not kwargs", "self._entry is _e"] + terms
    if params:
        tests.insert(0, f"{params[-1]} is not _U")
    for i, _ in wrt_at:
        a = params[i]
        # (a Python number, a NumPy float64, a float64 array of any shape: `_settle` gives a number's derivative as a
        # float, a 0-d array's as a 0-d array, as the general path does)
        tests.append(f"(type({a}) is float or type({a}) is _A and {a}.dtype is _F or type({a}) is int or "
                     f"type({a}) is _F64)")
    # the arguments outside wrt that a derivative is taken through: numbers or arrays (api/data_checks.py), where
    # they are read whole; read in parts, checked by a call (a refusal raises, and the general path raises it)
    tests += data_checks.fast_tests(data_checks.uses_of(entry.fn), params)
    given = f"({', '.join(params)},)" if params else "()"
    templates = f"[{', '.join(params[i] for i, _ in wrt_at)}]"  # (the wrt arguments, for `_settle`)
    call = f"_fn({', '.join(params)})"
    # (a float or float64 array is returned at once; anything else is checked to be real: `arguments.real`)
    # (no wrt argument a 0-d array, whose derivative, a number from the generated code, is given as a 0-d array)
    no_zero_d = " and ".join(f"(type({params[i]}) is not _A or {params[i]}.ndim)" for i, _ in wrt_at) or "True"
    if isinstance(wrt, (tuple, list)):  # (derivatives that may be one array: each its own, see `fresh`)
        grads = "out[1]" if entry_returns_value else "out"
        numbers = " and ".join(f"type({grads}[{k}]) in _NUM" for k in range(len(wrt))) or "True"
        floats_only = " and ".join(f"type({grads}[{k}]) is float" for k in range(len(wrt))) or "True"
        numbers, floats_only = f"{numbers} and {no_zero_d}", f"{floats_only} and {no_zero_d}"
        fresh_out = "(out[0], _fresh(out[1]))" if entry_returns_value else "_fresh(out)"
        floats = "(out[0], _floats(out[1]))" if entry_returns_value else "_floats(out)"
        # (each derivative a float for a number, a float64 array with axes for an array: settled, made each its own)
        settled = " and ".join(f"(type({grads}[{k}]) is float and type({params[i]}) is not _A or type({grads}[{k}]) "
                               f"is _A and {grads}[{k}].dtype is _F and {grads}[{k}].ndim)"
                               for k, (i, _) in enumerate(wrt_at)) or "True"
        value = "type(out[0]) in _NUM and " if entry_returns_value else ""
        body = (f"            out = {call}\n"
                f"            if {floats_only}:\n"
                f"                return out\n"
                f"            if {value}{settled}:\n"
                f"                return {fresh_out}\n"
                f"            return {floats} if {numbers} else _real(self.__name__, _settle({fresh_out}, {templates}, "
                f"False, {entry_returns_value}))\n")
    else:
        grad = "out[1]" if entry_returns_value else "out"
        value = "type(out[0]) in _NUM and " if entry_returns_value else ""
        # (a float argument's derivative is a Python float: np.cos(x) of one is a NumPy number)
        as_float = "(out[0], float(out[1]))" if entry_returns_value else "float(out)"
        as_zero_d = "(out[0], _Z(out[1]))" if entry_returns_value else "_Z(out)"
        body = (f"            out = {call}\n"
                f"            if {value}(type({grad}) is float and {no_zero_d} or type({grad}) is _A and "
                f"{grad}.dtype is _F and {grad}.ndim):\n"
                f"                return out\n"
                f"            if {value}(type({grad}) is _F64 or type({grad}) is float) and not {no_zero_d}:\n"
                f"                return {as_zero_d}\n"  # (a 0-d array's derivative: a 0-d array)
                f"            return {as_float} if {value}type({grad}) is _F64 and {no_zero_d} else "
                f"_real(self.__name__, _settle(out, {templates}, True, {entry_returns_value}))\n")
    text = (f"def __call__(self, {''.join(p + '=_U, ' for p in params)}/, *rest, **kwargs):\n"
            f"    f = self.__wrapped__\n"
            f"    try:\n"
            f"        fast = {' and '.join(tests)}\n"
            f"    except Exception:\n"
            f"        fast = False\n"
            f"    if fast:\n"
            f"        try:\n"
            f"{body}"
            f"        except Exception as exc:\n"
            f"            _failed(self, exc, {given})\n"
            f"            raise\n"
            f"    return _call(self, *[a for a in {given} if a is not _U], *rest, **kwargs)\n")
    env.update(_U=_UNSET, _A=_NDARRAY, _F=_FLOAT64, _fn=entry.fn, _failed=_failed, _call=Transformed._call,
               _fresh=fresh, _NUM=_FLOATS, _real=arguments.real, _settle=_settle, _F64=_NP_FLOAT64, _floats=_floats,
               _PL=data_checks.PLAIN, _LT=(list, tuple), _data=data_checks.passes, _Z=np.array)
    # (in linecache, so that pdb and tracebacks show its lines: one pseudo-file per entry)
    filename = f"{__file__} (the fast call of {getattr(code, 'co_name', 'f')}, {next(_FAST_NUMBERS)})"
    linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
    exec(compile(text, filename, "exec"), env)
    cls = _FAST[entry] = type("Transformed", (Transformed,), {"__call__": env["__call__"], "_fast": True,
                                                             "__slots__": ()})
    return cls


def _floats(grads: tuple) -> tuple:
    """The derivatives of a tuple wrt of floats and float arrays (the fast call's), each NumPy number a float."""
    return tuple(float(g) if type(g) is _NP_FLOAT64 else g for g in grads)


def _settle(out, templates: list, single: bool, returns_value: bool):
    """A grad's `out` (the derivatives, or the value and the derivatives) from the fast call with each ndarray
    argument's derivative an ndarray where it came out the list of its rows' (`arguments.arrays_for_arrays`),
    each Python number argument's a float where it came out a 0-d array or an int (the generated code is the
    same for numbers and arrays: an entry first built for an array gives one), a 0-d array's a 0-d array."""
    grads = out[1] if returns_value else out
    fixed = _number_floats(arguments.arrays_for_arrays(grads, templates, single), templates, single)
    if any(type(t) is np.ndarray and t.ndim == 0 for t in templates):  # (a 0-d array's: a 0-d array)
        fixed = pytree.like(fixed, templates[0]) if single else tuple(
            pytree.like(g, t) for g, t in zip(fixed, templates)) + fixed[len(templates):]
    return out if fixed is grads else (out[0], fixed) if returns_value else fixed


def fresh(x, given=()):
    """`x` (derivatives: an array, or a tuple, list or dict of them) where no array is another one's memory or
    that of an array in `given` (a cotangent or tangents passed in), copying those that are. NumPy arrays are
    written in place: the adjoint of `x + y` hands one array to both, and a caller scaling one derivative in
    place (`g *= lr`) must change neither another nor what it passed in."""
    if not given and type(x) is tuple:  # (the common case, the derivatives of a tuple wrt: numbers, or arrays
        seen = None                      # each on its own memory, returned as they are)
        for a in x:
            kind = type(a)
            if kind is float or kind is _NP_FLOAT64:
                continue
            if kind is not _NDARRAY:
                break  # (a container: the walk below)
            owner = id(a) if a.base is None else id(a.base)
            if seen is None:
                seen = {owner}
            elif owner in seen:
                break
            else:
                seen.add(owner)
        else:
            return x
    owners: dict = {}  # id of the memory's owner -> the arrays seen on it
    for a in given:
        if type(a) is np.ndarray:
            owners.setdefault(id(a if a.base is None else a.base), []).append(a)
    return _fresh(x, owners) if owners or type(x) is not np.ndarray else x


def _fresh(x, owners: dict):
    if type(x) is np.ndarray:
        on = owners.setdefault(id(x if x.base is None else x.base), [])
        if on and any(x is b or np.may_share_memory(x, b) for b in on):
            x = x.copy()
            owners.setdefault(id(x), []).append(x)
        else:
            on.append(x)
        return x
    # (the runtime's Parts, TupleParts and DictParts add part by part: the caller gets a plain list, tuple or
    # dict, whose + joins as the arguments' own did; a namedtuple's zero tangent, one of its class)
    if isinstance(x, (tuple, list)) and not hasattr(x, "_fields"):
        parts = [_fresh(v, owners) for v in x]
        if getattr(x, "record", None) is not None:
            return x.record(*parts)
        plain = list if isinstance(x, list) else tuple
        return x if type(x) is plain and all(p is v for p, v in zip(parts, x)) else plain(parts)
    if isinstance(x, dict):
        items = [(k, _fresh(v, owners)) for k, v in x.items()]
        same = all(v is x[k] for k, v in items)
        if type(x) is dict or isinstance(x, DictParts):  # (a FieldParts is one: its class kept)
            return x if same and type(x) is dict else (type(x) if isinstance(x, FieldParts) else dict)(items)
        return x if same else trees.same_dict(x, items)  # (the argument's OrderedDict, defaultdict, ...)
    if is_record(x):  # (a record's derivative, given back as one by generated code: its fields)
        fields = {k: getattr(x, k) for k in fields_of(x)}
        fixed = {k: _fresh(v, owners) for k, v in fields.items()}
        return x if all(fixed[k] is v for k, v in fields.items()) else record_of(x, fixed)
    return x


def _failed(self, exc: Exception, args: tuple, kwargs: dict | None = None) -> None:
    """What a call of `self` (a transformation, or a Jacobian) does with an exception from the generated function
    it ran with these arguments (the caller re-raises it): a TypeError of the call itself as the original refuses
    it, one of a list taken as an array explained (ArgumentTypeError), the traceback showing the user's line."""
    kwargs = kwargs or {}
    if isinstance(exc, TypeError):
        arguments.raise_call_error(self.__wrapped__, args, kwargs)  # as the original refuses the call
        arguments.explain_sequence_error(exc, self.__wrapped__, args, kwargs)
    attach_user_frames(exc)  # the traceback shows the user's line too
    inner = self.__wrapped__
    if isinstance(exc, CallError) and str(exc).startswith(SCALAR_NEEDED) and self._kind == "grad" and \
            isinstance(inner, Transformed) and inner._kind == "grad":  # (s2s.grad(s2s.grad(f)), wrt an array)
        raise _gradient_of_gradient(inner, exc) from None
    if arguments.as_raised(exc) is not exc:
        raise arguments.as_raised(exc) from None


def _gradient_of_gradient(inner: Transformed, exc: CallError) -> CallError:
    """The refusal of grad of `inner`, itself a gradient whose result is not one number: with respect to an array
    (or several arguments), whose matrix of second derivatives s2s.hessian makes."""
    name = getattr(inner.__wrapped__, "__name__", "f")
    wrt = "" if inner._wrt == 0 else f", wrt={inner._wrt!r}"
    found = re.search(r"scalar \((.*) flows into it\)", str(exc))
    what = found.group(1) if found else "a value that is not one number"
    return CallError(f"{SCALAR_NEEDED}, but this one is itself a gradient, s2s.grad({name}{wrt}), whose result "
                     f"has the structure and shape of what it differentiates ({what} flows into it). For the matrix "
                     f"of second derivatives use s2s.hessian({name}{wrt}) (or s2s.jacobian(s2s.grad({name}{wrt}))); to "
                     f"differentiate a number computed from the gradient, write a function returning that number "
                     f"(np.sum(s2s.grad({name}{wrt})(...) ** 2), say) and differentiate it")


_SCALARS = frozenset((float, int, np.float64, np.float32))  # one number: its shape is ()


def _checked_pullback(pullback, value, name: str, containers=None, arrays=None, explain=None):
    """`pullback`, refusing a cotangent not shaped like `value` (NumPy would broadcast it into a wrong
    gradient, or fail inside generated code); errors inside it end at the user's line. `containers`, where some
    wrt argument is one: (wrt names, arguments, single), whose structure the gradients must have. `arrays`:
    (the wrt arguments, single), an ndarray's derivative made one where it came out its rows'
    (`arguments.arrays_for_arrays`). `explain(exc)`: a TypeError of Python's arithmetic on a list or tuple
    argument says so (`arguments.explain_sequence_error`)."""
    kind = type(value)
    # a value that is one number or one float array: a cotangent of the same type and shape fits at once; a
    # number or an array broadcasting up to the value's shape (a part's) is made the array it stands for
    leaf = () if kind in _SCALARS else value.shape if kind is np.ndarray else None
    shapes = [leaf] if leaf is not None else [np.shape(v) for v in trees.leaves(value)]

    def checked(cotangent):
        if not (leaf is not None and (type(cotangent) in _SCALARS if leaf == () else
                                      type(cotangent) is np.ndarray and cotangent.shape == leaf)):
            leaves = trees.leaves(cotangent)
            if any(c is None for c in leaves):  # (as jvp refuses a None tangent: no zero of a shape it guesses)
                at = [c is None for c in leaves].index(True)
                where = "" if cotangent is None else f" at {pytree.paths(cotangent)[at]}"
                raise CallError(f"the pullback of {name} takes a cotangent with the structure and shape of the "
                                f"value, {_described(value)}, but got None{where}: pass zeros shaped like that part "
                                f"of the value (np.zeros_like(part), or 0.0 for a number)")
            # (a tuple, list or dict value takes a container: a bare number for the 1-tuple (v,) is no cotangent of it)
            fits = len(leaves) == len(shapes) and (trees.is_container(cotangent) or not trees.is_container(value)) \
                and all(np.shape(c) == s or _broadcasts(np.shape(c), s) for c, s in zip(leaves, shapes))
            if not fits:
                raise CallError(f"the pullback of {name} takes a cotangent with the structure and shape of the "
                                f"value, {_described(value)}, but got {_described(cotangent)}: pass one shaped like "
                                f"the value (for an array value, np.ones_like(value))")
            # (one broadcasting up to its part of the value stands for the array it broadcasts to, which the
            # generated code reads it as: a (3,) cotangent of a (3, 3) value is not read as a vector)
            if leaf is not None:
                cotangent = tangents.widened(cotangent, value) if np.shape(cotangent) != leaf else cotangent
            elif any(np.shape(c) != s for c, s in zip(leaves, shapes)):
                cotangent = trees.structure(cotangent)([c if np.shape(c) == np.shape(v) else tangents.widened(c, v)
                                                         for c, v in zip(leaves, trees.leaves(value))])
        try:
            result = pullback(cotangent)
        except Exception as exc:
            if explain is not None and isinstance(exc, TypeError):
                explain(exc)
            attach_user_frames(exc)
            if arguments.as_raised(exc) is not exc:
                raise arguments.as_raised(exc) from None
            raise
        # (the adjoint of x + c is the cotangent itself: the caller's array must not be what it gets back)
        if containers:
            names, templates, single = containers
            result = arguments.structured(name, result, templates, names, single)
        if arrays is not None and type(result) is not _NDARRAY and type(result) not in _FLOATS:
            result = arguments.arrays_for_arrays(result, *arrays)
        if arrays is not None:  # (a Python number's derivative is a Python float)
            result = _number_floats(result, *arrays)
        return arguments.real(name, fresh(result, [cotangent] if type(cotangent) is np.ndarray else
                                          trees.leaves(cotangent)))

    checked.__name__ = checked.__qualname__ = getattr(pullback, "__name__", "pullback")
    return checked


def _number_floats(grads, templates: list, single: bool):
    """`grads` with the derivative of each Python number in `templates` (the wrt arguments) a float where NumPy
    made it a NumPy number or a 0-d array, or the generated code an int (`x * x` of an int x: grad's and vjp's
    pullback's)."""
    def one(g, t):
        number = isinstance(t, (float, int)) and not isinstance(t, bool)
        return float(g) if number and (type(g) is int or isinstance(g, np.floating) or
                                       type(g) is np.ndarray and g.ndim == 0) else g
    if single:
        return one(grads, templates[0]) if templates else grads
    return tuple(one(g, t) for g, t in zip(grads, templates)) + grads[len(templates):] if type(grads) is tuple \
        else grads


def _described(x) -> str:
    if trees.is_container(x):
        return f"a {type(x).__name__} of shapes {[np.shape(v) for v in trees.leaves(x)]}"
    return f"a value of shape {np.shape(x)}"


def _broadcasts(shape: tuple, target: tuple) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False
