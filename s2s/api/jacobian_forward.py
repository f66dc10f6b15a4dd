"""The forward-mode Jacobian: `jacobian(f, mode="forward")`, and the Hessian's Jacobian of a gradient.

`JacobianForward` pushes basis tangents through the jvp s2s generates for f (api/forward.py): all at once, as a
leading batch axis of one vector-mode function per combination of argument ranks, where every rule allows it, else
one basis tangent per call. Its `.source` ends with the entry point `jacobian_f` (a Hessian's: `hessian_f`) that
assembles the Jacobian from them by runtime/jacobians.py (api/entries.py), which a call with float64 arrays and
numbers runs; other calls (keywords, containers, float32, random draws) push the tangents through the jvp's own
checks and conversions, by the same runtime functions (`_jacobian_by_batch`, `_jacobian_by_basis`).
"""
from __future__ import annotations

import inspect

import numpy as np

from s2s.api import cache
from s2s.api import transform, arguments, data_checks, precision, display, wrappers, entries
from s2s.api import draws as draws_mod
from s2s.runtime import jacobians, trees
from s2s.runtime.jacobians import ContainerValue
from s2s.api.draws import Draws
from s2s.api.forward import Jvp, jvp, wrt_positions
from s2s.errors import NonDifferentiableError, ResultTypeError
from s2s.ad.forward import NotBatchable

_FLOAT64 = np.dtype(np.float64)


class _ForwardState(cache.SharedState):
    """What the forward-mode Jacobians of one function (and wrt) make and find out, shared by them
    (`cache.shared`): a new `jacobian(f, mode="forward")` of a function already differentiated looks nothing up
    again. Each transformation here checks its facts before every call, as any transformed function does."""

    def __init__(self, f, wrt, single: bool):
        super().__init__(f)
        self.jvps = [jvp(f, wrt=w) for w in ([wrt] if single else list(wrt))]
        # vector mode: all basis tangents at once as a leading batch axis, where every rule allows it;
        # one generated function per combination of argument ranks (they decide where shapes align)
        self.batched: dict = {}  # (wrt index, ranks) -> Jvp
        self.vector: dict = {}  # wrt index -> whether vector mode applies
        self.params = self.positional = self.wrt_at = None
        # f a gradient s2s made: the wrt of that gradient, whose argument(s) its value is shaped like (None: f is
        # no gradient); a tuple, list or dict value has no vector form, nor have the tangents of a dict's adjoint
        self.gradient_wrt = _gradient_wrt(f)
        self.ranks: dict = {}  # (the rank of each array argument, the type of each other one) -> ranks
        # (the jvps' cache entries, vector or not) -> (module text, its entry point compiled, whether the jvps may
        # draw random numbers: fixed for those entries, as draws.may_draw is for their functions)
        self.made: dict = {}


def _gradient_wrt(f):
    """The `wrt` of `f` where `f` is a gradient s2s made (`grad(g, wrt)`), `True` where its value is a tuple
    whatever the arguments (a tuple wrt, `return_value=True`), None where `f` is no gradient."""
    if getattr(f, "_kind", None) != "grad":
        return None
    wrt = getattr(f, "_wrt", None)
    options = getattr(f, "_options", None) or {}
    if isinstance(wrt, (tuple, list)) or options.get("return_value"):
        return True
    return wrt


# (why, what to do) when a Jacobian is transformed: it is computed by calling generated code, not generated code itself
JACOBIAN_REFUSAL = (
    "it is a Jacobian that s2s.jacobian made, which calls generated code once per basis vector and is not "
    "generated code itself, so s2s cannot transform it again",
    "for second derivatives write s2s.jacobian(s2s.jacobian(f)) of a plain function f with positional parameters "
    "(every second derivative, of an array value too), or s2s.hessian(f) of a function with a scalar value")


class JacobianForward:
    """The Jacobian of f by forward mode: shape `value.shape + arg.shape` for each `wrt` entry."""

    __s2s_refusal__ = JACOBIAN_REFUSAL

    def __reduce_ex__(self, protocol):
        return wrappers.reduce_given(self, protocol, self._wrt, self._value_like_wrt)

    def __init__(self, f, wrt=0, value_like_wrt=False):
        wrappers.refuse_unforwarded("s2s.jacobian", f)
        f = wrappers.forwarded(f)  # (a functools.wraps wrapper(*args, **kwargs): with the parameters it shows)
        self.__wrapped__ = f
        self._wrt = wrt
        # for hessian (f is a gradient): f's value has the structure of the wrt argument, even where a part
        # of it is a bare zero
        self._value_like_wrt = value_like_wrt
        self._second = arguments.generated(f) and not value_like_wrt  # (a Hessian refuses complex arguments itself)
        single = not isinstance(wrt, (tuple, list))
        self._single = single
        self._wrts = [wrt] if single else list(wrt)
        state = self._state = cache.shared(f, ("jacobian forward", repr(wrt)), lambda: _ForwardState(f, wrt, single))
        self._jvps, self._batched, self._vector = state.jvps, state.batched, state.vector
        self._last_ranks = ()
        self._last_vector = True  # (whether the last call could push its tangents at once: what .source shows)
        self._last_run = None  # (the jvps, vector or not) of the last call run by the entry point: what .source shows
        self.__name__ = f"jacobian_{getattr(f, '__name__', 'f')}"
        self.__doc__ = getattr(f, "__doc__", None)
        self.entry_name = entries.identifier(self.__name__)  # (the entry point's name: hessian_f for a Hessian's)
        self._fast = None  # (_batch_again's: what the last call of the vector-mode entry point ran)

    def _batched_jvp(self, k: int, ranks: tuple):
        """The vector-mode jvp for wrt entry `k` at these argument ranks, or None if a rule has no batched form
        (or the function keeps loop stacks)."""
        if self._vector.get(k) is False:
            return None
        key = (k, ranks)
        if key not in self._batched:
            w = self._wrt if self._single else self._wrt[k]
            # (a Hessian needs the tangents of the gradient alone: the gradient's own last lines are dead code)
            options = {"batched": True, "ndims": ranks, **({"tangent_only": True} if self._value_like_wrt else {})}
            jf = Jvp(self.__wrapped__, "jvp", w, options)
            try:
                jf.source
            except (NotBatchable, NonDifferentiableError):
                # (a rule with no batched form for what the call passes, np.sum(x, where=m): one tangent at a
                # time, as jvp pushes it, where the same call is refused again if jvp refuses it too)
                self._vector[k] = False
                return None
            self._vector[k] = True
            self._batched[key] = jf
        return self._batched[key]

    @property
    def source(self) -> str:
        if self._last_run is not None:
            return self._made(*self._last_run)[0]
        jfs, vectors = [], []
        vector = self._last_vector and not (self._value_like_wrt and not self._single)
        for k, j in enumerate(self._jvps):
            b = self._batched_jvp(k, self._last_ranks) if vector else None
            jfs.append(b or j)
            vectors.append(b is not None)
        return self._made(jfs, vectors)[0]

    def _made(self, jfs: list, vectors: list):
        """(module text, its entry point compiled, whether the jvps may draw random numbers) for the generated jvps
        `jfs` (one per wrt entry; vector-mode ones where `vectors` says so): their code, then the entry point taking
        f's parameters (`jacobian_f`, or `hessian_f`), which assembles the Jacobian from them by the runtime's
        helpers (api/entries.py)."""
        gen = tuple(jf._current_entry() for jf in jfs)
        key = (gen, tuple(vectors), self.entry_name, self._value_like_wrt)
        made = self._state.made.get(key)
        if made is None:
            fns = [e.fn for e in gen]
            names = entries.distinct([fn.__name__ for fn in fns])
            wrt_at = wrt_positions(self.__wrapped__, self._wrt, keywords=True)
            parts = [(e.text, old, new, v) for e, (old, new), v in zip(gen, names, vectors)]
            entry = entries.forward_entry(self.entry_name, parts, self.__wrapped__, wrt_at, self._single,
                                          hessian=self._value_like_wrt)
            text = entries.module([e.text for e in gen], names, entry)
            made = self._state.made[key] = (text, entries.compiled(entry, self.entry_name, fns,
                                                                   [new for _, new in names]),
                                            any(draws_mod.may_draw(fn)[0] for fn in fns))
        return made

    def _run(self, jfs: list, vectors: list, args: tuple, kwargs: dict, drawing: bool = False):
        """The Jacobian (a Hessian's: the Hessian) by the entry point of `.source` (`_made`); _NO_ENTRY where none
        could be written, or, unless `drawing` (allowed), where the jvps may draw random numbers (each basis
        tangent's call must then draw the first's: the general path)."""
        _, fn, may_draw = self._made(jfs, vectors)
        if fn is None or may_draw and not drawing:
            return _NO_ENTRY
        for jf in jfs:
            data_checks.check(jf._entry.fn, jf.__name__, args, kwargs, arguments.original(jf.__wrapped__))
        self._last_run = (jfs, vectors)
        try:
            return fn(*args, **kwargs) if kwargs else fn(*args)
        except TypeError:
            arguments.raise_call_error(self.__wrapped__, args, kwargs)  # as the original refuses the call
            raise

    _repr_html_ = display.repr_html  # a notebook shows the generated source, highlighted

    def __getstate__(self):
        """Pickled (and copied) without the entry point the last vector-mode call ran (`_fast`: generated code),
        which the copy finds again on its first call."""
        return {**self.__dict__, "_fast": None}

    def __repr__(self):
        return f"<s2s.jacobian of {getattr(self.__wrapped__, '__qualname__', self.__wrapped__)} (forward mode)>"

    def __call__(self, *args, **kwargs):
        return self._evaluate(args, kwargs)[0]

    def _evaluate(self, args: tuple, kwargs: dict) -> tuple:
        """(the Jacobian of the call with `args` and `kwargs`, whether the entry point of .source made it, which
        gives each block its shape and precision): kept with the result, not on the object, which two threads
        may call at once."""
        try:  # (each block in its argument's precision: api/precision.py)
            if not kwargs and self._single:
                out = self._batch_again(args)
                if out is not None:
                    return out, True
            out, ran_entry = self._jacobian(*args, **kwargs)
            if ran_entry or self._value_like_wrt:  # (the entry point gives each block its precision; a
                return out, ran_entry               # Hessian's H[a][b] has leaf a's, which Hessian gives it)
            return precision.of_wrt(out, self._state.wrt_at, args, kwargs, self._single,
                                    arguments.original(self.__wrapped__)), False
        except ResultTypeError as exc:
            raise exc.retitled("jacobian") from None
        except Exception as exc:
            transform.attach_user_frames(exc)  # the traceback ends at the user's line
            raise

    def _batch_again(self, args: tuple):
        """The Jacobian by the vector form an earlier call made for arguments of these ranks, where each argument is
        a float64 array or a Python number (nothing to refuse, convert or restructure: `plain`); None where the
        general path applies. (The Rosenbrock Hessian's checks and look-ups took a third of its time.)"""
        state = self._state
        wrt_at = state.wrt_at
        if not wrt_at or not plain(args) or not (self._value_like_wrt or state.gradient_wrt is None):
            return None
        i = wrt_at[0][0]
        ranks = state.ranks.get(tuple([a.ndim if type(a) is np.ndarray else type(a) for a in args]))
        batched = self._batched.get((0, ranks)) if ranks is not None and i < len(args) else None
        x = args[i] if batched is not None else None
        if type(x) is not np.ndarray:
            return None
        self._last_ranks, self._last_vector = ranks, True
        fast = self._fast  # (the vector-mode jvp's cache entry the last call ran, its entry point, f, what it ran)
        entry = batched._entry
        try:
            if fast is not None and fast[0] is entry and entry.check(batched.__wrapped__):
                data_checks.check(entry.fn, batched.__name__, args, {}, fast[2])
                self._last_run = fast[3]
                try:
                    return fast[1](*args)
                except TypeError:
                    arguments.raise_call_error(self.__wrapped__, args, {})  # as the original refuses the call
                    raise
            out = self._run([batched], [True], args, {}, drawing=True)
            if out is _NO_ENTRY:
                return None
            self._fast = (batched._entry, self._made([batched], [True])[1], arguments.original(batched.__wrapped__),
                          ([batched], [True]))
            return out
        except (NotBatchable, ContainerValue):
            return None  # (the general path finds it again, and pushes the basis tangents one by one)

    def _jacobian(self, *args, **kwargs) -> tuple:
        """(the Jacobian, whether the entry point of .source made it)."""
        state = self._state
        wrt_at = state.wrt_at
        if wrt_at is None:
            wrt_at = state.wrt_at = wrt_positions(self.__wrapped__, self._wrt)
        arguments.check_wrt(self.__name__, wrt_at, args, kwargs, arguments.original(self.__wrapped__))
        if self._second:
            arguments.refuse_complex_data(self.__name__, args, kwargs)
        if kwargs:  # f(x, a=v): the arguments in the parameters' order, as the generated jvp takes them
            try:
                bound = inspect.signature(self.__wrapped__).bind(*args, **kwargs)
            except (TypeError, ValueError):
                pass  # (the call itself raises Python's error below)
            else:
                args, kwargs = bound.args, bound.kwargs
        if state.params is None:
            params = positional = cache.parameter_names(self.__wrapped__)
            code = getattr(arguments.original(self.__wrapped__), "__code__", None)
            if code is not None and (code.co_kwonlyargcount or code.co_flags & (inspect.CO_VARARGS |
                                                                              inspect.CO_VARKEYWORDS)):
                signature = inspect.signature(self.__wrapped__).parameters.values()  # (*args, keyword-only)
                positional = [p.name for p in signature if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            state.positional, state.params = positional, params
        params = state.params
        named = state.positional  # (the values a *args parameter receives have no name: no rank is known)
        # the ranks decide which vector-mode function applies; they are found once per (type or rank) of each
        # argument: an int for an ndarray's rank, the type of anything else
        key = tuple([a.ndim if isinstance(a, np.ndarray) else type(a) for a in args])
        if kwargs:
            key += tuple([(p, a.ndim if isinstance(a, np.ndarray) else type(a)) for p, a in sorted(kwargs.items())])
        ranks = state.ranks.get(key)
        if ranks is None:
            ranks = state.ranks[key] = tuple(
                (p, np.ndim(a)) for p, a in list(zip(named, args)) + sorted(kwargs.items())
                if isinstance(a, (np.ndarray, float, int, np.number)) and not isinstance(a, bool))
        self._last_ranks = ranks
        if self._value_like_wrt and not self._single:
            if not kwargs and plain(args):
                out = self._run(list(self._jvps), [False] * len(self._jvps), args, kwargs)
                if out is not _NO_ENTRY:
                    return out, True
            return self._hessian_blocks(params, args, kwargs), False
        # (f a gradient with respect to a container or a tuple: its value is a container, pushed by basis tangents;
        # a Hessian's gradient is with respect to x itself)
        vector = self._value_like_wrt or state.gradient_wrt is None or \
            not self._container_gradient(params, args, kwargs)
        self._last_vector = vector
        jfs, vectors = [], []
        for k, w in enumerate(self._wrts):
            batched = self._vector_jvp(k, arguments.argument(params, args, kwargs, w, self.__wrapped__), vector, ranks)
            jfs.append(batched or self._jvps[k])
            vectors.append(batched is not None)
        self._last_run = (jfs, vectors)  # (what .source shows: the jvps this call pushes its tangents through)
        if not kwargs and plain(args):  # (else, or where it draws random numbers: the general path below)
            try:
                out = self._run(jfs, vectors, args, kwargs)
            except (NotBatchable, ContainerValue):  # transformed again (something it read changed), now without a
                for k, v in enumerate(vectors):      # vector form, or a container value: one tangent at a time
                    if v:
                        self._vector[k] = False
                        self._batched.pop((k, ranks), None)
                out = self._run(list(self._jvps), [False] * len(self._jvps), args, kwargs)
            if out is not _NO_ENTRY:
                return out, True
        out = []
        draws = Draws(args, kwargs)  # (each wrt entry, each basis tangent, calls f again: one draw for them all)
        for k, w in enumerate(self._wrts):
            x = arguments.argument(params, args, kwargs, w, self.__wrapped__)
            batched = self._vector_jvp(k, x, vector, ranks)
            if batched is not None:
                try:
                    out.append(_jacobian_by_batch(batched, args, x, kwargs, x if self._value_like_wrt else None,
                                                  draws))
                    continue
                except NotBatchable:  # transformed again (something it read changed), now without a vector form
                    self._vector[k] = False
                    self._batched.pop((k, ranks), None)
            out.append(_jacobian_by_basis(self._jvps[k], args, x, x if self._value_like_wrt else None, kwargs,
                                          w if isinstance(w, str) else params[w] if w < len(params) else str(w),
                                          blocks=not self._single, draws=draws))
        if self._single:
            return out[0], False
        if not all(type(o) is jacobians.ValueParts for o in out):
            return tuple(out), False
        # (a tuple, list or dict value: its structure outermost, the wrt tuple inside, J[a][k], as JAX's jacfwd)
        value = out[0].value
        return trees.structure(value)([tuple(o.parts[a] for o in out) for a in range(len(out[0].parts))]), False

    def _vector_jvp(self, k: int, x, vector: bool, ranks: tuple):
        """The vector-mode jvp that pushes the basis tangents of `x`, wrt entry `k`, at these argument ranks, where
        `vector` (the value has a vector form) and `x` is no container; else None (one basis tangent at a time)."""
        if not vector or type(x) is not np.ndarray and trees.is_container(x):
            return None
        return self._batched.get((k, ranks)) or self._batched_jvp(k, ranks)

    def _container_gradient(self, params, args: tuple, kwargs: dict) -> bool:
        """Is f, a gradient s2s made, about to return a tuple, list or dict (a tuple wrt, or a container
        argument)? Vector mode has no form for such a value, nor for the tangents of a dict's adjoint inside it."""
        wrt = self._state.gradient_wrt
        if wrt is True:
            return True
        try:
            x = arguments.argument(params, args, kwargs, wrt, self.__wrapped__)
        except (TypeError, ValueError, IndexError):
            return False  # (the call itself raises the error f raises)
        return type(x) is not np.ndarray and trees.is_container(x)

    def _hessian_blocks(self, params, args: tuple, kwargs: dict) -> tuple:
        """For `hessian(g, wrt=(a, b, ...))` (f is `grad(g, wrt=(a, b, ...))`, whose value is the tuple of the
        gradients): `H[i][j]`, the Jacobian of the gradient in wrt[i] with respect to the argument wrt[j], shaped
        as `hessian(g, wrt=i)` is where `i == j`: an array of shape `x_i.shape + x_j.shape` for two arrays or
        numbers, the structure of a container x_i around the structure of a container x_j. One basis tangent per
        element of each argument (a tuple value has no vector form)."""
        xs = [arguments.argument(params, args, kwargs, w, self.__wrapped__) for w in self._wrts]
        names = [w if isinstance(w, str) else params[w] if w < len(params) else str(w) for w in self._wrts]
        draws = Draws(args, kwargs)
        columns = [_jacobian_by_basis(self._jvps[j], args, x, tuple(xs), kwargs, names[j], blocks=True,
                                      value_names=names, draws=draws).parts for j, x in enumerate(xs)]
        out = []
        start = 0  # (the leaves of the value, the tuple of gradients, are those of x_0, then of x_1, ...)
        for x in xs:
            count = len(trees.leaves(x))
            build = trees.structure(x) if trees.is_container(x) else (lambda parts: parts[0])
            out.append(tuple(build(parts[start:start + count]) for parts in columns))
            start += count
        return tuple(out)


def _jacobian_by_batch(jf, args: tuple, x, kwargs=None, value_like=None, draws=None) -> np.ndarray:
    """Push all basis tangents of `x` at once, as the rows of an identity with a leading batch axis, through the
    vector-mode jvp `jf` by runtime/jacobians.py's `jacobian_forward`, as the entry point of .source does (here
    with keywords, or arguments it does not take as they are). With `value_like` (the value's shape is its
    shape) `jf` returns the tangents alone. `draws`: where f is called for other wrt entries too, their one draw
    of random numbers (`draws.Draws`)."""
    entry = jf._entry
    if entry is None or not entry.check(jf.__wrapped__):  # (jf._current(), without its two calls)
        entry = jf._build()
    fn = entry.fn
    data_checks.check(fn, jf.__name__, args, kwargs or {}, arguments.original(jf.__wrapped__))

    def push(basis):
        if draws is not None:
            draws.before(fn)
        return jf._invoke(fn, args, (basis,), kwargs or {})
    try:
        return jacobians.jacobian_forward(push, x, tangents_only=value_like is not None, precision=False)
    except ContainerValue as exc:
        raise NotBatchable(str(exc)) from None  # (its parts' Jacobians, leaf by leaf: by basis)


_NO_ENTRY = object()  # (what _run gives where no entry point could be written: the general path runs)


def plain(args: tuple) -> bool:
    """Is each argument a float64 ndarray or a Python float or int (no bool: nothing a derivative refuses)?"""
    for a in args:
        kind = type(a)
        if not (kind is np.ndarray and a.dtype is _FLOAT64 or kind is float or kind is int):
            return False
    return True


def _jacobian_by_basis(jf, args: tuple, x, value_like=None, kwargs=None, name="x", blocks=False, value_names=None,
                       draws=None):
    """Push each basis tangent of `x` (named `name`) through the jvp `jf` (with its checks and conversions) by
    runtime/jacobians.py's `jacobian_basis`, as the entry point of .source does, each call drawing the random
    numbers the first one drew (`draws.Draws`, shared with the caller's other calls). With `value_like` (a
    Hessian's: `jf` pushes tangents through a gradient), the value must have its structure: that of `x`, or with
    `value_names` (a tuple wrt) the tuple of the arguments so named."""
    if draws is None:
        draws = Draws(args, kwargs)
    fn = jf._current()  # (the generated function the calls below run: what it may draw from)
    data_checks.check(fn, jf.__name__, args, kwargs or {}, arguments.original(jf.__wrapped__))
    values = []

    def push(tangent):
        draws.before(fn)
        value, t = jf(args, (tangent,), **(kwargs or {}))
        draws.after(fn, value, jf.__wrapped__)
        values[:] = [value]
        return value, t
    out = jacobians.jacobian_basis(push, x, value_like, blocks=blocks, precision=False)
    if value_like is not None and values:  # (a gradient longer than its list or tuple argument: its parts were cut)
        if value_names is None:
            arguments.structured(jf.__name__, values[0], [value_like], [name], True)
        else:
            arguments.structured(jf.__name__, values[0], list(value_like), value_names, False)
    return out


def jacobian_forward(f=None, wrt=0):
    """`s2s.jacobian(f, wrt, mode="forward")`: an array of shape `value.shape + arg.shape`."""
    if f is None:
        return lambda g: JacobianForward(g, wrt)
    return JacobianForward(f, wrt)
