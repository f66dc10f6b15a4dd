"""Transformations built from the others: `jacobian`, `hessian` (`check_grad` is in checks.py).

`jacobian(f, mode="reverse")` pulls each basis cotangent through `vjp(f)`;
`mode="forward"` pushes basis tangents through `jvp(f)` (all at once where
vector mode applies). `hessian(f)` is forward-over-reverse: `jacobian` in
forward mode of the generated gradient source `grad(f)`.
"""
from __future__ import annotations

import numpy as np

from s2s.api import cache, transform, arguments, data_checks, precision, display, draws, wrappers, entries
from s2s.api import jacobian_nested
from s2s.api.jacobian_forward import JACOBIAN_REFUSAL, JacobianForward, jacobian_forward, plain
from s2s.api.parameters import given_wrt, wrt_arguments
from s2s.api.transformed import Transformed, _checked_pullback, _failed
from s2s.back.sourcemap import attach_user_frames
from s2s.runtime import jacobians, trees
from s2s.ad.stacks import ReverseOverStacksError
from s2s.errors import CallError, ResultTypeError


_SCALARS = frozenset((float, int, np.float64, np.float32))  # one number: no structure, shape ()
_FLOAT64 = np.dtype(np.float64)


def _plain(xs: list) -> bool:
    """Are all of `xs` numbers or arrays (no containers)?"""
    for x in xs:
        if type(x) is not np.ndarray and type(x) not in _SCALARS:
            return False
    return True


class _ReverseState(cache.SharedState):
    """What the reverse-mode Jacobians of one function (and wrt) share (`cache.shared`)."""

    def __init__(self, f, wrt):
        super().__init__(f)
        self.vjp = transform.vjp(f, wrt=wrt)
        self.vjp.__name__ = f"jacobian_{getattr(f, '__name__', 'f')}"  # (its refusals are the Jacobian's the user called)
        self.params = self.positional = None
        self.forward = None  # the forward-mode Jacobian, where reverse mode cannot follow a gradient's stacks
        self.made = None  # (the vjp's cache entry, the module text, its entry point compiled): JacobianReverse._made


# (why, what to do) when a Hessian is transformed
HESSIAN_REFUSAL = (
    "it is a Hessian that s2s.hessian made (a forward-mode Jacobian of the generated gradient), which s2s cannot "
    "transform again",
    "third derivatives are not supported in general; of a scalar function of a scalar, "
    "s2s.grad(s2s.grad(s2s.grad(f))) is the third derivative")


class JacobianReverse:
    """The Jacobian of f by reverse mode: one pullback per element of f's value."""

    __s2s_refusal__ = JACOBIAN_REFUSAL

    def __reduce_ex__(self, protocol):
        return wrappers.reduce_given(self, protocol, self._wrt)  # (a functools.wraps wrapper's: by the user's)

    def __init__(self, f, wrt=0):
        wrappers.refuse_unforwarded("s2s.jacobian", f)
        f = wrappers.forwarded(f)  # (a functools.wraps wrapper(*args, **kwargs): with the parameters it shows)
        self.__wrapped__ = f
        self._wrt = wrt
        self._single = not isinstance(wrt, (tuple, list))
        self._state = cache.shared(f, ("jacobian reverse", repr(wrt)), lambda: _ReverseState(f, wrt))
        self._vjp = self._state.vjp
        self._direct = isinstance(self._vjp, Transformed)  # (not a method's, which passes its object first)
        self._second = arguments.generated(f)  # (a Jacobian of generated code: complex arguments refused)
        self.__name__ = f"jacobian_{getattr(f, '__name__', 'f')}"
        self.__doc__ = getattr(f, "__doc__", None)

    @property
    def source(self) -> str:
        forward = self._state.forward
        if forward is not None:
            return forward.source
        return self._made()[1] if self._direct else self._vjp.source

    def _made(self):
        """(the vjp's cache entry, the module text: the generated vjp, then the entry point `jacobian_f` taking f's
        parameters, which assembles the Jacobian from it, and that entry point compiled), for the vjp's current
        generated code. The callable runs that entry point: the module imported on its own gives what it gives."""
        vjp_entry = self._vjp._current_entry()
        made = self._state.made
        if made is None or made[0] is not vjp_entry:
            fn = vjp_entry.fn
            wrt_at = arguments.wrt_positions(self.__wrapped__, self._wrt, keywords=True)
            name = entries.identifier(self.__name__)
            entry = entries.reverse_entry(name, vjp_entry.text, fn.__name__, self.__wrapped__, wrt_at, self._single)
            text = entries.module([vjp_entry.text], [(fn.__name__, fn.__name__)], entry)
            made = self._state.made = (vjp_entry, text, entries.compiled(entry, name, [fn], [fn.__name__]))
        return made

    def _run(self, run, args: tuple, kwargs: dict):
        """The Jacobian by `run`, the entry point of `.source` (`_made`), its errors as the original's."""
        try:
            try:
                return run(*args, **kwargs) if kwargs else run(*args)
            except Exception as exc:
                _failed(self, exc, args, kwargs)
                raise
        except ResultTypeError as exc:
            raise exc.retitled("jacobian") from None

    _repr_html_ = display.repr_html  # a notebook shows the generated source, highlighted

    def __repr__(self):
        return f"<s2s.jacobian of {getattr(self.__wrapped__, '__qualname__', self.__wrapped__)} (reverse mode)>"

    def __call__(self, *args, **kwargs):
        out = self._call(*args, **kwargs)
        wrt_at = self._wrt_at
        if wrt_at is None:
            wrt_at = self._wrt_at = arguments.wrt_positions(self.__wrapped__, self._wrt, keywords=True)
        f = arguments.original(self.__wrapped__)  # (whose defaults fill the arguments a call leaves out)
        values = wrt_arguments(f, wrt_at, args, kwargs)
        if not trees.has_narrow(values):  # (only the wrt arguments' precision is the result's: data outside
            return out                         # wrt, a dataset of 100,000 minibatches, is not walked on each call)
        return precision.of_wrt(out, wrt_at, args, kwargs, self._single, f)  # (in the arguments' precision)

    _wrt_at = None  # ((position, name), ...) of the wrt arguments, found on the first call

    def _call(self, *args, **kwargs):
        if self._second:
            arguments.refuse_complex_data(self.__name__, args, kwargs)
        wrt = self._wrt
        if not kwargs and type(wrt) is int and 0 <= wrt < len(args) and self._direct and wrt < self._positional():
            x = args[wrt]
            kind = type(x)
            if kind is np.ndarray and x.dtype.kind == "f" or kind in _SCALARS:
                vjp = self._vjp
                entry = vjp._entry
                if entry is not None and entry.check(vjp.__wrapped__):
                    data_checks.check(entry.fn, self.__name__, args, kwargs)
                    made = self._state.made
                    if made is None or made[0] is not entry:
                        made = self._made()
                    if made[2] is not None and draws.replaying(entry.fn, args, {}) is None:
                        return self._run(made[2], args, kwargs)  # (the entry point of .source)
                    return self._plain_call(entry.fn, args, x)
        forward = self._state.forward
        if forward is not None:
            return forward(*args, **kwargs)
        try:
            value, pullback = self._vjp(*args, **kwargs)
        except ResultTypeError as exc:
            raise exc.retitled("jacobian") from None
        except ReverseOverStacksError:
            if not self._single:  # (a tuple wrt: forward mode nests the blocks of a container value otherwise)
                raise
            # f calls the gradient of a function with a loop where reverse mode cannot follow its saved values:
            # the same Jacobian by forward mode, as s2s.grad takes it there (api/transform.py)
            forward = self._state.forward = JacobianForward(self.__wrapped__, self._wrt)
            return forward(*args, **kwargs)
        params = self._state.params
        if params is None:
            params = self._state.params = cache.parameter_names(self.__wrapped__)
        wrts = [self._wrt] if self._single else list(self._wrt)
        xs = [arguments.argument(params, args, kwargs, w, self.__wrapped__) for w in wrts]
        if (type(value) is np.ndarray or type(value) in _SCALARS) and _plain(xs):
            return self._by_rows(value, pullback, xs)
        return self._by_leaves(value, pullback, xs)

    def _positional(self) -> int:
        """How many of f's parameters come first and are bound by position (a wrt past them is a `*args`)."""
        count = self._state.positional
        if count is None:
            count = self._state.positional = cache.positional_count(self.__wrapped__)
        return count

    def _by_leaves(self, value, pullback, xs: list):
        """The Jacobian of a container value, or with respect to containers (runtime/jacobians.py, as the entry
        point of .source assembles it)."""
        return jacobians.by_leaves(value, pullback, xs, self._single)

    def _plain_call(self, fn, args: tuple, x):
        """The common call: positional arguments, one float array or number with respect to which. The generated
        vjp is called directly, as `vjp(f)` calls it (its checks of the wrt argument pass for such an `x`), and
        its own pullback takes the rows of the identity, which are shaped like the value (what the pullback
        `vjp(f)` returns checks first); errors end at the user's line as there."""
        replay = draws.replaying(fn, args, {})  # (a pullback that runs f again: on this call's random draws)
        try:
            try:
                value, pullback = fn(*args)
                if replay is not None:
                    pullback = replay.replay(pullback, value)
            except Exception as exc:
                if isinstance(exc, TypeError):
                    arguments.raise_call_error(self.__wrapped__, args, {})  # as the original refuses the call
                attach_user_frames(exc)
                raise
        except ResultTypeError as exc:
            raise exc.retitled("jacobian") from None
        if type(value) is not np.ndarray and type(value) not in _SCALARS:  # (a container: the general way)
            return self._by_leaves(value, _checked_pullback(pullback, value, self._vjp.__name__), [x])
        try:
            return self._by_rows(value, pullback, [x])
        except Exception as exc:
            attach_user_frames(exc)
            raise

    def _by_rows(self, value, pullback, xs: list):
        """The Jacobian of one number or array with respect to numbers and arrays (runtime/jacobians.py)."""
        return jacobians.by_rows(value, pullback, xs, self._single)


def jacobian(f=None, wrt=0, mode="reverse"):
    """Transform `f` into a function returning its Jacobian: every derivative of its value.

    `jacobian(f, wrt)(*args)[i..., j...]` is the derivative of `f(*args)[i...]` with respect to
    `arg[j...]`. Reverse mode pulls one basis cotangent per element of the value through
    `vjp(f)`: cheap when the value is small. Forward mode pushes one basis tangent per element of
    the argument through `jvp(f)`, all at once where vector mode applies: cheap when the argument
    is small. Both give the same array.

    Works directly or as a decorator: `s2s.jacobian(f)`, `@s2s.jacobian(wrt="w")`.

    Parameters
    ----------
    f : callable, optional
        A Python function whose source s2s can read. Its value may be a number, an array, or a
        tuple, list or dict of them. Leave it out to get a decorator.
    wrt : int, str, or tuple of int and str, default 0
        The parameter(s) to differentiate with respect to, as in `grad`.
    mode : {"reverse", "forward"}, default "reverse"
        Reverse mode (one pullback per element of the value) or forward mode (one tangent per
        element of the argument).

    Returns
    -------
    callable
        A function taking `f`'s arguments and returning a float ndarray of shape
        `value.shape + arg.shape` (0-d for a number with respect to a number); a tuple of them for
        a tuple `wrt`. With respect to a tuple, list or dict argument: the argument's structure,
        with leaves of shape `value.shape + leaf.shape`; for a tuple, list or dict value: the
        value's structure around that. It has `.source`, the generated code it calls.

    Raises
    ------
    ValueError
        `mode` is neither `"reverse"` nor `"forward"` (raised at once); when called: `wrt` is not
        a parameter of `f`.
    S2SError, TypeError
        As `grad` (`f` cannot be read or uses unsupported syntax, a call has no rule, the
        arguments do not fit `f`), when the returned function is first called.

    See Also
    --------
    - `vjp`, `jvp`: one row or one column of the Jacobian, without forming it.
    - `hessian`: the Jacobian of the gradient.

    Examples
    --------
    >>> import numpy as np
    >>> import s2s
    >>> def f(x):
    ...     return np.array([x[0] * x[1], x[0] + x[1], np.sum(x ** 2)])
    >>> s2s.jacobian(f)(np.array([1.0, 2.0]))
    array([[2., 1.],
           [1., 1.],
           [2., 4.]])
    >>> s2s.jacobian(f, mode="forward")(np.array([1.0, 2.0])).shape
    (3, 2)
    """
    if mode not in ("reverse", "forward"):
        raise CallError(f"mode must be 'reverse' or 'forward', got {mode!r}: write jacobian(f, mode='reverse') "
                        f"(one pullback per element of the value) or mode='forward' (one sweep per element of the "
                        f"argument)")
    if f is None:
        return lambda g: jacobian(g, wrt, mode)
    wrt = given_wrt(wrt)
    transform.require_callable("jacobian", f, wrt)
    if type(f) in (JacobianReverse, JacobianForward):  # (the Jacobian of a Jacobian: second derivatives)
        twice = jacobian_nested.nested(f, wrt, mode, jacobian)
        if twice is not None:
            return twice
    return JacobianReverse(f, wrt) if mode == "reverse" else jacobian_forward(f, wrt)


class _HessianState(cache.SharedState):
    """What the Hessians of one function (and wrt) share (`cache.shared`): the gradient and its Jacobian."""

    def __init__(self, f, wrt):
        super().__init__(f)
        self.grad = transform.grad(f, wrt=wrt)
        # (a tuple wrt: the gradient is the tuple of the gradients, whose Jacobian in the same wrt is H[a][b])
        self.jac = JacobianForward(self.grad, wrt=wrt, value_like_wrt=True)
        self.jac.entry_name = entries.identifier(f"hessian_{getattr(f, '__name__', 'f')}")  # (.source's entry point)
        self.wrt_at = self.params = None


class Hessian:
    """Forward-over-reverse: the forward-mode Jacobian of the generated gradient `grad(f)`."""

    __s2s_refusal__ = HESSIAN_REFUSAL

    def __reduce_ex__(self, protocol):
        return wrappers.reduce_given(self, protocol, self._wrt)  # (a functools.wraps wrapper's: by the user's)

    def __init__(self, f, wrt=0):
        if isinstance(wrt, list):
            wrt = tuple(wrt)
        wrappers.refuse_unforwarded("s2s.hessian", f)
        f = wrappers.forwarded(f)  # (a functools.wraps wrapper(*args, **kwargs): with the parameters it shows)
        self.__wrapped__ = f
        self._wrt = wrt
        state = self._state = cache.shared(f, ("hessian", repr(wrt)), lambda: _HessianState(f, wrt))
        self._grad, self._jac = state.grad, state.jac
        self.__name__ = f"hessian_{getattr(f, '__name__', 'f')}"

    @property
    def source(self) -> str:
        return self._jac.source

    _repr_html_ = display.repr_html

    def __repr__(self):
        return f"<s2s.hessian of {getattr(self.__wrapped__, '__qualname__', self.__wrapped__)}>"

    def __call__(self, *args, **kwargs):
        state = self._state
        if state.params is None:
            state.wrt_at = arguments.wrt_positions(self.__wrapped__, self._wrt)
            state.params = cache.parameter_names(self.__wrapped__)
        if kwargs or not plain(args):  # (float64 arrays and Python numbers: nothing to refuse)
            arguments.check_wrt(self.__name__, state.wrt_at, args, kwargs,
                                arguments.original(self.__wrapped__))
            arguments.refuse_complex_data(self.__name__, args, kwargs)  # (its gradient's Jacobian leaves it to this)
        try:
            h, ran_entry = self._jac._evaluate(args, kwargs)
        except ResultTypeError as exc:
            raise exc.retitled("hessian") from None
        except ValueError as exc:  # the scalar-result check of the gradient it differentiates
            if exc.args and str(exc.args[0]).startswith("grad needs"):
                exc.args = ("hessian" + exc.args[0][len("grad"):],) + exc.args[1:]
            raise
        if ran_entry:  # (the entry point of .source gives the blocks their shapes and precision)
            return h
        if type(h) is np.ndarray and h.dtype is _FLOAT64 and type(self._wrt) is not tuple and not kwargs and \
                state.wrt_at and state.wrt_at[0][0] < len(args) and type(x := args[state.wrt_at[0][0]]) is np.ndarray and \
                x.dtype is _FLOAT64 and h.shape == x.shape * 2:
            return h  # (the common case: what the rest converts holds already)
        params = state.params
        wrts = self._wrt if isinstance(self._wrt, tuple) else (self._wrt,)
        xs = [arguments.argument(params, args, kwargs, w, self.__wrapped__) for w in wrts]
        # (each block in the precision of the gradient it differentiates, its argument's: api/precision.py)
        if len(xs) == 1 and not isinstance(self._wrt, tuple):
            return trees.hessian_like(self._block(h, xs[0], xs[0]), xs[0])
        return tuple(tuple(trees.hessian_like(self._block(h[a][b], xa, xb), xa) for b, xb in enumerate(xs))
                     for a, xa in enumerate(xs))

    def _block(self, h, xa, xb):
        """The block d grad_a / d x_b as a float array of shape `xa.shape + xb.shape` (a container of containers
        for container arguments, as the Jacobian made it)."""
        if type(xa) is np.ndarray and type(xb) is np.ndarray:
            if type(h) is np.ndarray and (h.dtype is _FLOAT64 or h.dtype == np.float64) and \
                    h.shape == xa.shape + xb.shape:
                return h  # (what the vector-mode Jacobian returns: nothing to convert)
        elif trees.is_container(xa) or trees.is_container(xb):  # H[a][b], a container of containers
            return h
        return np.asarray(arguments.real(self.__name__, h), dtype=float).reshape(np.shape(xa) + np.shape(xb))


def hessian(f=None, wrt=0):
    """Transform `f` into a function returning its Hessian: the matrix of second derivatives.

    Forward over reverse: the forward-mode Jacobian (`jacobian(..., mode="forward")`) of the
    generated gradient `grad(f, wrt)`, so the derivatives of the code s2s generated are taken by
    transforming that code again. Works directly or as a decorator.

    Parameters
    ----------
    f : callable, optional
        A Python function whose source s2s can read, returning a number (as for `grad`). Leave it
        out to get a decorator.
    wrt : int, str, or tuple of int and str, default 0
        The parameter to differentiate with respect to, twice: a position or a name; for a tuple
        `(a, b, ...)`, every second derivative among them.

    Returns
    -------
    callable
        A function taking `f`'s arguments and returning a float ndarray of shape
        `arg.shape + arg.shape` (0-d for a number). For a tuple, list or dict argument, a container
        of containers: `H[a][b]` has shape `leaf_a.shape + leaf_b.shape`. For a tuple `wrt`, a
        tuple of tuples in its order, as `jax.hessian(f, argnums=(0, 1))`: `H[i][j]` is the
        derivative of the gradient in `wrt[i]` with respect to `wrt[j]`, of shape
        `arg_i.shape + arg_j.shape`. For container arguments `H[i][j]` is nested as `hessian(f,
        wrt=i)` is where `i == j`: argument i's structure around argument j's,
        `H[i][j][a][b]` of shape `leaf_a.shape + leaf_b.shape` (JAX puts the `argnums` tuple
        inside argument i's structure instead). It has `.source`.

    Raises
    ------
    ValueError
        When called: `f`'s result is not a scalar, or `wrt` is not a parameter of `f`.
    S2SError
        As `grad`; `NonDifferentiableError` also where a function with a custom rule has no
        `@s2s.tangent` rule (the outer Jacobian is forward mode).

    See Also
    --------
    - `jacobian`: the Hessian is the Jacobian of the gradient.

    Examples
    --------
    >>> import numpy as np
    >>> import s2s
    >>> def f(x):
    ...     return np.sum(x ** 3) + x[0] * x[1]
    >>> s2s.hessian(f)(np.array([1.0, 2.0]))
    array([[ 6.,  1.],
           [ 1., 12.]])
    """
    if f is None:
        return lambda g: hessian(g, wrt)
    wrt = given_wrt(wrt)
    transform.require_callable("hessian", f, wrt)
    return Hessian(f, wrt)
