"""The Jacobian of a Jacobian: `s2s.jacobian(s2s.jacobian(f, wrt=a), wrt=b)`, as JAX's `jacfwd(jacrev(f))`.

Every second derivative of f, shape `value.shape + a.shape + b.shape`. Column j of the inner Jacobian is the
tangent `jvp(f, wrt=a)` gives at the basis vector e_j of a; its Jacobian with respect to b is the Jacobian of that
generated jvp (generated code, which s2s transforms again, as it does for `grad(grad(f))`) at (args..., e_j), in
the outer Jacobian's mode. Both `wrt`s single parameters of f taking a number or an array, f's value a number or
an array, f's parameters plain positional ones: otherwise the Jacobian is refused as before (JACOBIAN_REFUSAL).
"""
from __future__ import annotations

import inspect

import numpy as np

from s2s.api import arguments
from s2s.api.forward import jvp, tangent_parameters
from s2s.errors import ArgumentTypeError, NonDifferentiableError, ResultTypeError
from s2s.runtime.jacobians import ContainerValue, jacobian_columns

_NUMBERS = (int, float, np.integer, np.floating)


def nested(inner, wrt, mode: str, make):
    """The Jacobian (by `make(fn, wrt, mode)`) of the Jacobian `inner`, or None where this form does not apply."""
    f, inner_wrt = inner.__wrapped__, inner._wrt
    if isinstance(wrt, (tuple, list)) or isinstance(inner_wrt, (tuple, list)) or not inspect.isfunction(f):
        return None
    code = f.__code__
    if code.co_flags & (inspect.CO_VARARGS | inspect.CO_VARKEYWORDS) or code.co_kwonlyargcount:
        return None
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

    def _tangent(self) -> str:
        """How the generated jvp takes its tangent: by position (''), or by name after f's defaults ('dx=')."""
        tangents = tangent_parameters(self._made[0])
        return f"{tangents.names[0]}=" if tangents.keyword else ""

    @property
    def source(self) -> str:
        fn_source = self._columns().source
        name = self._made[0].__name__
        params = list(self._f.__code__.co_varnames[:self._f.__code__.co_argcount])
        first = params[self._first]
        return (f"{fn_source.rstrip()}\n\n\ndef {self.__name__}({', '.join(params)}):\n"
                f"    # column j of the inner Jacobian is the tangent of {name} at the basis vector e_j of {first}: its "
                f"Jacobian, for each j\n"
                f"    return rt.jacobian_columns(lambda e: jacobian_{name}({', '.join(params)}, {self._tangent()}e)[1], "
                f"{first}, {params[self._second]})\n")

    def __repr__(self):
        return f"<s2s.jacobian of {self.__wrapped__!r} ({self._mode} mode)>"

    def __call__(self, *args, **kwargs):
        bound = inspect.signature(self._f).bind(*args, **kwargs)
        bound.apply_defaults()
        args = bound.args
        x = args[self._first]
        for a in (x, args[self._second]):
            if not (isinstance(a, _NUMBERS) or type(a) is np.ndarray and a.dtype.kind in "biuf"):
                raise ArgumentTypeError(
                    f"{self.__name__}: the Jacobian of a Jacobian takes its derivatives with respect to numbers "
                    f"and arrays of floats, got {type(a).__name__}: for a tuple, list or dict argument write "
                    f"s2s.jacobian of a function taking its leaves")
        columns = self._columns()
        by_name = self._tangent()[:-1]
        column = (lambda e: columns(*args, **{by_name: e})[1]) if by_name else (lambda e: columns(*args, e)[1])
        try:
            return jacobian_columns(column, x, args[self._second])
        except NonDifferentiableError as exc:
            if "helper of a derivative s2s generated" not in str(exc):
                raise
            lines = str(exc).split("\n")
            raise NonDifferentiableError(
                exc.callee, exc.filename, exc.lineno, lines[2] if len(lines) > 2 else "",
                lines[0].partition(": ")[2],
                f"The Jacobian of a Jacobian differentiates the generated jvp of {getattr(self._f, '__name__', 'f')} "
                f"again, which calls that helper: write the second derivatives as the Hessian of each component "
                f"instead (s2s.hessian(f_i), with def f_i(x): return f(x)[i]: forward mode over the gradient)") \
                from None
        except ContainerValue:
            raise ResultTypeError(f"jacobian: the Jacobian of a Jacobian ({self.__name__}) of a function whose "
                                  f"value is a tuple, list or dict is not supported by s2s: take it of a function "
                                  f"returning one part (def f_0(x): return f(x)[0])", "jacobian") from None


def _made_again(inner, second: int, mode: str, make):
    """The Jacobian (by `make`, s2s.jacobian) of the Jacobian `inner` with respect to f's parameter at `second`, as
    unpickled."""
    return make(inner, second, mode)
