"""Forward mode: `jvp` (the forward-mode Jacobian, api/jacobian_forward.py, pushes basis tangents through it).

    source -> ssa -> alias -> result -> forward -> optimize -> python -> compile -> cache  (pipeline.py)

`jvp(f, wrt)(primals, tangents)` returns `(value, tangent_of_value)`. The
generated entry point `jvp_<name>` takes f's parameters followed by one tangent
parameter per `wrt` entry (`dx` for `x`): by position, or keyword-only where f has
defaults, *args or keyword-only parameters (`jvp_f(x, lr=0.1, *, dx)`). The forward
stage says which (`ir.Tangents`), kept as the generated function's `__s2s_tangents__`,
which every caller reads; `Jvp` adapts the contract's
`(primals, tangents)` calling convention to it. `jacobian_forward(f, wrt)` (api/jacobian_forward.py)
pushes the basis tangents through that function.
"""
from __future__ import annotations

import inspect

import numpy as np

from s2s.api import transform, arguments, data_checks, precision, pytree
from s2s.api import tangents as tangents_mod
from s2s.api.transformed import fresh
from s2s import ir, pipeline
from s2s.back.codegen import generate
from s2s.back.compile import compile_source, pseudo_filename
from s2s.errors import ArgumentTypeError
from s2s.ad.forward import NotBatchable, forward
from s2s.optimize import optimize
from s2s.ir.printer import print_function


def _forward_ir(f, wrt, batched=False, ndims=(), tangent_only=False):
    primal, src, inlined = transform._primal(f, "jvp")
    if batched and transform._uses_stacks(primal.body):
        # values popped from loop stacks (generated gradient code, for a Hessian) have no known rank: vector
        # mode could broadcast a batch of scalars against an array the wrong way; one tangent at a time is exact
        raise NotBatchable("pop")
    names, _ = transform.resolve_wrt(primal.params, wrt, primal.name, src)
    primal, uses = transform.arguments_read(f, primal, names)
    name = "jvp_" + primal.name
    fwd = pipeline.stage("forward", forward, primal, names, transform._namer_for(primal), name=name, batched=batched,
                         ndims=dict(ndims), tangent_only=tangent_only)
    return primal, src, fwd, name, inlined, uses


def _jvp_transform(f, wrt, batched=False, ndims=(), tangent_only=False):
    primal, src, fwd, name, inlined, uses = _forward_ir(f, wrt, batched, ndims, tangent_only)
    opt = pipeline.stage("optimize", optimize, fwd)
    what = "vector forward-mode derivative (jvp of a batch of tangents)" if batched else "forward-mode derivative (jvp)"
    if tangent_only:  # (for a Hessian: the tangents of the gradient, not the gradient)
        what = what.replace("(jvp", "(the tangents alone, jvp")
    text = pipeline.python(generate(opt, transform._header(primal, what)), name)
    filename = pseudo_filename("jvp", primal.name, src.filename, src.tree.lineno)
    # (the helpers it inlined: the disk cache keeps their digests, which cover their defaults)
    fn = compile_source(text, filename, name, primal.free, src.filename, primal.name, inlined)
    fn.__s2s_tangents__ = opt.tangents  # (how it takes its tangents: what its callers read, `tangent_parameters`)
    return text, transform.checking(fn, uses)


def tangent_parameters(fn) -> ir.Tangents:
    """How the generated jvp `fn` takes its tangent parameters, as the forward stage said (`ir.Tangents`)."""
    return fn.__s2s_tangents__


transform._TRANSFORMS["jvp"] = _jvp_transform


def stages_forward(f, wrt=0) -> dict:
    """The text of each pipeline stage for `jvp(f, wrt)`, in order."""
    primal, src, fwd, _, _, _ = _forward_ir(f, wrt)
    opt = pipeline.stage("optimize", optimize, fwd)
    return {"source": src.text, "ssa": print_function(primal), "tangent": print_function(fwd),
            "optimized": print_function(opt),
            "python": pipeline.python(generate(opt, transform._header(primal, "forward-mode derivative (jvp)")), opt.name)}


def wrt_positions(f, wrt, keywords: bool = False) -> tuple:
    """((position among the primals, name), ...) of the `wrt` parameters of `f`. For a bound method (`m.loss`)
    the primals do not hold `self`, which its code's parameters do: wrt=1 and wrt="x" of `loss(self, a, x)`
    are both x, the primal at position 1 (arguments.wrt_positions reads the code's parameters, self first)."""
    target = arguments.original(f)
    if not inspect.ismethod(target):
        return arguments.wrt_positions(f, wrt, keywords)
    items = list(wrt) if isinstance(wrt, (tuple, list)) else [wrt]
    shifted = [w + 1 if type(w) is int and w >= 0 else w for w in items]  # (positions among the code's)
    return tuple((i - 1, name) for i, name in arguments.wrt_positions(target.__func__, shifted, keywords) if i >= 1)


class Jvp(transform.Transformed):
    """`jf(primals, tangents) -> (value, tangent)`; `.source` is the generated `jvp_<name>`."""

    _count = None  # the number of tangents (wrt entries), found on the first call
    _targets = None  # what each tangent is the tangent of (tangents.targets), found on the first call

    def __s2s_packed__(self) -> int:
        """For a call of `jf` in a function s2s transforms: the generated `jvp_f` it inlines takes the primals
        (this many positional parameters of f's, then its *args, keyword-only and **kwargs ones) and the tangents
        one by one (__s2s_tangent_names__), not in two tuples."""
        fn = self._current()
        tangents = tangent_parameters(fn)
        return fn.__code__.co_argcount - (0 if tangents.keyword else len(tangents.names))

    def __s2s_tangent_names__(self) -> tuple:
        """The names of `jvp_f`'s tangent parameters (`dx` for `x`), in the order of the wrt entries: its last
        positional ones, or, where f has defaults, *args or keyword-only parameters, its last keyword-only ones."""
        return tangent_parameters(self._current()).names

    def __s2s_defaults__(self, names) -> dict:
        """{name: default} of f's parameters among `names` that have one: the values Python computed when f was
        defined (`jvp_f` has no defaults for the positional ones, which its tangents follow)."""
        sig = self._bound_signature()
        params = sig.parameters if sig is not False else {}
        return {n: params[n].default for n in names if n in params and params[n].default is not params[n].empty}

    def __call__(self, primals, tangents, **kwargs):
        if not isinstance(primals, (tuple, list)):
            raise ArgumentTypeError(f"jvp: primals must be the tuple of all positional arguments of "
                                    f"{getattr(self.__wrapped__, '__name__', 'f')}, got {type(primals).__name__}")
        if not isinstance(tangents, (tuple, list)):
            raise ArgumentTypeError("jvp: tangents must be a tuple with one tangent per wrt entry "
                                    "(a 1-tuple for a single wrt)")
        targets = self._targets
        if targets is None:
            targets = self._targets = tangents_mod.targets(self.__wrapped__, self._wrt)
        wrt_at = self._wrt_at
        if wrt_at is None:  # (the wrt arguments checked for their type: a keyword-only one's found by name)
            wrt_at = self._wrt_at = wrt_positions(self.__wrapped__, self._wrt, keywords=True)
        count = self._count
        if count is None:
            count = self._count = len(self._wrt) if isinstance(self._wrt, (tuple, list)) else 1
        if len(tangents) != count:
            raise ArgumentTypeError(f"jvp: expected {count} tangent(s), one per wrt entry, got {len(tangents)}")
        arguments.check_wrt(self.__name__, wrt_at, primals if type(primals) is tuple else tuple(primals), kwargs,
                            arguments.original(self.__wrapped__))  # (a wrt left to its default: that checked)
        tangents = tangents_mod.like_primals(self.__name__, tangents_mod.targeted(targets, primals, kwargs),
                                             tangents)
        for t in tangents:
            if type(t) is not float and type(t) is not np.ndarray and pytree.has_record(t):  # (tangent_of_record)
                tangents = tuple(map(tangents_mod.tangent_of_record, tangents))
                break
        entry = self._entry
        if entry is None or not entry.check(self.__wrapped__):
            entry = self._build()
        fn = entry.fn
        data_checks.check(fn, self.__name__, primals, kwargs, arguments.original(self.__wrapped__))  # (f's defaults)
        try:
            if not fn.__s2s_tangents__.keyword and len(primals) + count == fn.__code__.co_argcount:
                value, tangent = fn(*primals, *tangents, **kwargs)  # (what _invoke does first, without its call)
            else:
                value, tangent = self._invoke(fn, primals, tangents, kwargs)
            # (the tangent of x + c is the tangent passed in: the caller's array must not be what it gets back)
            tangent = precision.tangent_like(arguments.real(self.__name__, fresh(tangent, tangents)), value)
            # (a record's tangent, the caller's or one built, rt.record_tangent, given back as one of its class)
            return value, pytree.like(tangent, value) if type(value) is not float and \
                type(value) is not np.ndarray and pytree.has_record(value) else tangent
        except Exception as exc:
            if isinstance(exc, TypeError):
                arguments.raise_call_error(self.__wrapped__, tuple(primals), kwargs)  # as the original refuses the call
                arguments.explain_sequence_error(exc, self.__wrapped__, tuple(primals), kwargs)
            transform.attach_user_frames(exc)  # the traceback shows the user's line too
            if arguments.as_raised(exc) is not exc:
                raise arguments.as_raised(exc) from None
            raise

    def _invoke(self, fn, primals, tangents, kwargs):
        """Call the generated `jvp_f` with f's arguments and the tangents."""
        by = tangent_parameters(fn)
        if by.keyword:  # f has defaults, *args or keyword-only parameters: jvp_f takes the tangents by name
            return fn(*primals, **kwargs, **dict(zip(by.names, tangents)))
        if len(primals) + len(tangents) == fn.__code__.co_argcount:
            return fn(*primals, *tangents, **kwargs)  # every parameter of f given: jvp_f takes them, then the tangents
        if kwargs:  # (a parameter given by keyword takes its place among the positional ones, the tangents last)
            sig = self._bound_signature()
            if sig is not False:
                bound = sig.bind(*primals, **kwargs)
                bound.apply_defaults()
                return fn(*bound.args, *tangents, **bound.kwargs)
        return fn(*self._all_args(primals), *tangents, **kwargs)

    def _bound_signature(self):
        """f's signature (False where it has none to read), found once."""
        sig = getattr(self, "_signature", None)
        if sig is None:  # found once: a Transformed function (jvp of a grad) has no __code__
            try:
                sig = inspect.signature(self.__wrapped__)
            except (TypeError, ValueError):
                sig = False
            self._signature = sig
        return sig

    def _all_args(self, primals) -> tuple:
        """`primals` completed with f's defaults for trailing parameters left out."""
        original = arguments.original(self.__wrapped__)  # (f itself, for a jvp of grad(f))
        code = getattr(original, "__code__", None)
        if code is not None:
            n, count = len(primals), code.co_argcount
            if n == count:
                return tuple(primals)
            defaults = getattr(original, "__defaults__", None) or ()
            if n < count <= n + len(defaults) and not code.co_kwonlyargcount and \
                    not code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS):
                return tuple(primals) + defaults[len(defaults) - (count - n):]  # (what binding them gives)
        sig = self._bound_signature()
        if sig is False or len(primals) == len(sig.parameters):
            return tuple(primals)
        bound = sig.bind(*primals)
        bound.apply_defaults()
        return tuple(bound.args)


def jvp(f=None, wrt=0):
    """Transform `f` into a function returning its value and a directional derivative (forward mode).

    `jvp(f, wrt)(primals, tangents)` returns `(f(*primals), J @ tangents)`: the value, and the
    derivative of the value in the direction `tangents` (the Jacobian-vector product). The
    generated code carries a tangent `dx` next to each value `x`, in one forward sweep, so it
    costs about one call of `f` whatever the size of the result. `f`'s result may be a number,
    an array, or a tuple, list or dict of them.

    Parameters
    ----------
    f : callable, optional
        A Python function whose source s2s can read. Leave it out to get a decorator.
    wrt : int, str, or tuple of int and str, default 0
        The parameter(s) the tangents belong to: a position, a name, or a tuple of them.

    Returns
    -------
    callable
        A function called as `jf(primals, tangents)`. `primals` is the tuple of all positional
        arguments of `f` (trailing parameters with defaults may be left out; keyword arguments,
        for keyword-only parameters, follow: `jf(primals, tangents, power=3)`); `tangents` is always
        a tuple with one tangent per `wrt` entry (a 1-tuple for a single `wrt`), each with the
        structure and shape of its argument (a number, or an array whose shape broadcasts up to a
        leaf's, stands for the array it broadcasts to; another shape or structure raises ValueError,
        naming the argument and both shapes). It returns `(value, tangent_of_value)`, the tangent
        with the structure and shape of the value. It has `.source` (the generated `jvp_<name>`,
        which takes `f`'s parameters, without their defaults, followed by one tangent per `wrt`
        entry) and `.__wrapped__`.

    Raises
    ------
    TypeError
        `primals` or `tangents` is not a tuple, or `tangents` has the wrong length.
    S2SError, ValueError
        As `grad`, when the transformed function is first called; `NonDifferentiableError` also
        when a called function has a reverse rule but no forward (`s2s.tangent`) rule.

    See Also
    --------
    - `jacobian`: with `mode="forward"`, the whole Jacobian, from one tangent per element of the
      argument.
    - `vjp`: reverse mode.

    Examples
    --------
    >>> import numpy as np
    >>> import s2s
    >>> def f(x, y):
    ...     return x * np.sin(y)
    >>> value, tangent = s2s.jvp(f, wrt=1)((2.0, 0.0), (1.0,))
    >>> float(value), float(tangent)
    (0.0, 2.0)
    >>> value, tangent = s2s.jvp(f, wrt=(0, 1))((2.0, 0.0), (1.0, 1.0))
    >>> float(tangent)
    2.0
    """
    if f is None:
        return lambda g: jvp(g, wrt)
    wrt = transform.given_wrt(wrt)  # (an np.int64 position as the int it is)
    transform.require_callable("jvp", f, wrt)
    return Jvp(f, "jvp", wrt, {})
