"""The Jacobian of a Jacobian: `s2s.jacobian(s2s.jacobian(f, wrt=a), wrt=b)`, as JAX's `jacfwd(jacrev(f))`.

Every second derivative of f, shape `value.shape + a.shape + b.shape`. Column j of the inner Jacobian is the
tangent `jvp(f, wrt=a)` gives at the basis vector e_j of a; its Jacobian with respect to b is the Jacobian of that
generated jvp (generated code, which s2s transforms again, as it does for `grad(grad(f))`) at (args..., e_j), in
the outer Jacobian's mode. Where that jvp calls a helper with no derivative of its own (rt.norm_tangent), row i of
the inner Jacobian is the generated pullback of f at the basis vector e_i of the value instead, whose forward-mode
Jacobian is taken, forward over reverse as a Hessian (`_by_rows`). Both `wrt`s single parameters of f taking a
number or an array, f's value a number or an array, f a plain function with positional parameters: a bound method,
*args or keyword-only parameters, or a tuple wrt are refused when the Jacobian is made, saying what to write
(`nested`); any other callable is refused as any Jacobian transformed again (JACOBIAN_REFUSAL).
"""
from __future__ import annotations

import ast
import inspect

import numpy as np

from s2s.api import arguments
from s2s.api.forward import jvp, tangent_parameters
from s2s.api import transform
from s2s.errors import ArgumentTypeError, CallError, NonDifferentiableError, ResultTypeError, S2SError
from s2s.runtime.jacobians import ContainerValue, jacobian_columns, jacobian_rows

_NUMBERS = (int, float, np.integer, np.floating)


def nested(inner, wrt, mode: str, make):
    """The Jacobian (by `make(fn, wrt, mode)`) of the Jacobian `inner`, or None where this form does not apply."""
    f, inner_wrt = inner.__wrapped__, inner._wrt
    if inspect.ismethod(f) and inspect.isfunction(f.__func__):
        cls, shift = type(f.__self__).__name__, lambda w: w + 1 if type(w) is int and w >= 0 else w  # noqa: E731
        raise CallError(
            f"jacobian: the Jacobian of a Jacobian takes a plain function, and {cls}.{f.__name__} is given as a bound "
            f"method: write it of the class's function, which takes the object first, with wrt counting it: "
            f"s2s.jacobian(s2s.jacobian({cls}.{f.__name__}, wrt={shift(inner_wrt)!r}), wrt={shift(wrt)!r})"
            f"(obj, ...)")
    if not inspect.isfunction(f):
        return None
    name, code = f.__name__, f.__code__
    if code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS) or code.co_kwonlyargcount:
        raise CallError(
            f"jacobian: the Jacobian of a Jacobian takes a function with positional parameters only, and {name} has "
            f"*args, **kwargs or keyword-only parameters: write it of a function taking them by position, as "
            f"def {name}_2(x, k): return {name}(x, k=k)")
    if isinstance(wrt, (tuple, list)) or isinstance(inner_wrt, (tuple, list)):
        raise CallError(
            f"jacobian: the Jacobian of a Jacobian takes one parameter for each wrt, got wrt={inner_wrt!r} inside "
            f"and wrt={wrt!r} outside: write one for each pair of parameters, "
            f"s2s.jacobian(s2s.jacobian({name}, wrt='a'), wrt='b')")
    at = [arguments.wrt_positions(f, w) for w in (inner_wrt, wrt)]
    if any(len(p) != 1 for p in at):
        return None
    return JacobianOfJacobian(inner, at[0][0][0], at[1][0][0], mode, make)


class JacobianOfJacobian:
    """`s2s.jacobian(s2s.jacobian(f, wrt=a), wrt=b)`: shape `value.shape + a.shape + b.shape` (module docstring)."""

    __s2s_refusal__ = (
        "it is a Jacobian of a Jacobian that s2s.jacobian made, which calls generated code once per basis vector "
        "and is not generated code itself, so s2s cannot transform it again (third derivatives)",
        "of a scalar function of a scalar, s2s.grad(s2s.grad(s2s.grad(f))) is the third derivative")

    def __init__(self, inner, first: int, second: int, mode: str, make):
        self.__wrapped__ = inner
        self._f = inner.__wrapped__
        self._first, self._second, self._mode, self._make = first, second, mode, make
        self._jvp = jvp(self._f, wrt=first)
        self._made = (None, None)  # (the generated jvp, its Jacobian with respect to the second argument)
        # where the generated jvp calls a helper with no derivative (rt.norm_tangent): (that jvp, the generated
        # pullback of f, its forward-mode Jacobian with respect to the second argument), else None (_by_rows)
        self._pullback = transform.Transformed(self._f, "pullback", first, {})
        self._rows = None
        self._checked = None  # the generated jvp whose Jacobian was made (by columns)
        self.__name__ = f"jacobian_{inner.__name__}"
        self.__doc__ = getattr(self._f, "__doc__", None)

    def __reduce_ex__(self, protocol):  # (by what it was made of: the generated code it holds is made again)
        return _made_again, (self.__wrapped__, self._second, self._mode, self._make)

    def _columns(self):
        """The Jacobian of the current generated jvp of f with respect to the second argument."""
        fn = self._jvp._current()
        if self._made[0] is not fn:
            self._made = (fn, self._make(fn, self._second, self._mode))
        return self._made[1]

    def _by_columns(self) -> bool:
        """Is the Jacobian taken by columns (of the generated jvp), or by rows (of the generated pullback, `_rows`,
        where that jvp calls a helper with no derivative)? Transforms what the answer needs (for `.source`: a call
        finds it by calling)."""
        fn = self._jvp._current()
        if self._rows is not None and self._rows[0] is fn:
            return False
        if self._checked is not fn:
            try:
                self._columns().source  # (the Jacobian of the jvp made now: where a helper is refused, by rows)
            except NonDifferentiableError as exc:
                if not _helper_refused(exc):
                    raise
                self._by_rows(exc)
                return False
            self._checked = fn
        return True

    @staticmethod
    def _tangent(fn) -> str:
        """How the generated jvp `fn` takes its tangent: by position (''), or by name after f's defaults ('dx=')."""
        tangents = tangent_parameters(fn)
        return f"{tangents.names[0]}=" if tangents.keyword else ""

    @property
    def source(self) -> str:
        params = list(self._f.__code__.co_varnames[:self._f.__code__.co_argcount])
        first, second, passed = params[self._first], params[self._second], ", ".join(params)
        declared = _declared(self._f)
        if self._by_columns():
            fn_source = self._columns().source
            name, tangent = self._made[0].__name__, self._tangent(self._made[0])
            return (f"{fn_source.rstrip()}\n\n\ndef {self.__name__}({declared}):\n"
                    f"    # column j of the inner Jacobian is the tangent of {name} at the basis vector e_j of {first}:"
                    f" its Jacobian, for each j\n"
                    f"    return rt.jacobian_columns(lambda e: jacobian_{name}({passed}, {tangent}e)[1], {first}, "
                    f"{second})\n")
        jvp_fn, pullback, rows = self._rows
        return (f"{self._jvp.source.rstrip()}\n\n\n{rows.source.rstrip()}\n\n\ndef {self.__name__}({declared}):\n"
                f"    # row i of the inner Jacobian is {pullback.__name__} of the basis vector e_i of the value: its "
                f"Jacobian (forward mode), for each i\n"
                f"    value = {jvp_fn.__name__}({passed}, {self._tangent(jvp_fn)}0.0 * {first})[0]\n"
                f"    return rt.jacobian_rows(lambda e: jacobian_{pullback.__name__}({passed}, e), value, {first}, "
                f"{second})\n")

    def __repr__(self):
        return f"<s2s.jacobian of {self.__wrapped__!r} ({self._mode} mode)>"

    def __call__(self, *args, **kwargs):
        bound = inspect.signature(self._f).bind(*args, **kwargs)
        bound.apply_defaults()
        args = bound.args
        x = args[self._first]
        names = list(bound.signature.parameters)
        # (an int array refused by the name of the Jacobian called, not the generated jvp's it differentiates)
        arguments.check_wrt(self.__name__, tuple((i, names[i]) for i in {self._first, self._second}
                                                 if type(args[i]) is np.ndarray), args, {}, self._f)
        for a in (x, args[self._second]):
            if not (isinstance(a, _NUMBERS) or type(a) is np.ndarray and a.dtype.kind in "biuf"):
                raise ArgumentTypeError(
                    f"{self.__name__}: the Jacobian of a Jacobian takes its derivatives with respect to numbers "
                    f"and arrays of floats, got {type(a).__name__}: for a tuple, list or dict argument write "
                    f"s2s.jacobian of a function taking its leaves")
        try:
            if self._rows is None or self._rows[0] is not self._jvp._current():  # (by columns, as far as known)
                columns, by_name = self._columns(), self._tangent(self._made[0])[:-1]
                column = (lambda e: columns(*args, **{by_name: e})[1]) if by_name else (lambda e: columns(*args, e)[1])
                try:
                    return jacobian_columns(column, x, args[self._second])
                except NonDifferentiableError as exc:  # (the vector-mode Jacobian made for these arguments)
                    if not _helper_refused(exc):
                        raise
                    self._by_rows(exc)
            rows = self._rows[2]
            value = self._jvp(args, (0.0 * x,))[0]
            return jacobian_rows(lambda e: rows(*args, e), value, x, args[self._second])
        except ContainerValue:
            raise ResultTypeError(f"jacobian: the Jacobian of a Jacobian ({self.__name__}) of a function whose "
                                  f"value is a tuple, list or dict is not supported by s2s: take it of a function "
                                  f"returning one part (def f_0(x): return f(x)[0])", "jacobian") from None

    def _by_rows(self, refused) -> None:
        """Take the Jacobian by rows from now on (`_rows`): the generated jvp of f calls a helper that has no
        derivative (`refused` says which), where the generated pullback's helpers all have tangents, as for a
        Hessian. Where that fails too, `refused` is raised, saying what to write instead."""
        fn = self._jvp._current()
        try:
            pullback = self._pullback._current()
            self._rows = (fn, pullback, self._make(pullback, self._second, "forward"))
            self._rows[2].source  # (transformed now: a refusal is the one of the jvp route)
        except S2SError:
            self._rows = None
            lines = str(refused).split("\n")
            raise NonDifferentiableError(
                refused.callee, refused.filename, refused.lineno, lines[2] if len(lines) > 2 else "",
                lines[0].partition(": ")[2],
                f"The Jacobian of a Jacobian differentiates the generated jvp of {getattr(self._f, '__name__', 'f')} "
                f"again, which calls that helper: write the second derivatives as the Hessian of each component "
                f"instead (s2s.hessian(f_i), with def f_i(x): return f(x)[i]: forward mode over the gradient)") \
                from None


def _helper_refused(exc) -> bool:
    """Is `exc` the refusal of a runtime helper of the generated jvp (rt.norm_tangent), which has no derivative?"""
    return str(getattr(exc, "callee", "")).startswith("rt.")


def _made_again(inner, second: int, mode: str, make):
    """The Jacobian (by `make`, s2s.jacobian) of the Jacobian `inner` with respect to f's parameter at `second`, as
    unpickled."""
    return make(inner, second, mode)


def _declared(f) -> str:
    """f's positional parameters as its entry in `.source` declares them: with f's defaults where their text reads
    back as the same value (numbers, strings, None, tuples of those), so the text called as f is works standalone."""
    out = []
    for p in inspect.signature(f).parameters.values():
        text = p.name
        if p.default is not inspect.Parameter.empty:
            try:
                if ast.literal_eval(repr(p.default)) == p.default:
                    text = f"{p.name}={p.default!r}"
            except (ValueError, SyntaxError, TypeError):
                pass
        out.append(text)
    return ", ".join(out)
