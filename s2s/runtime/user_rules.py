"""How generated code calls the rules users register (`s2s.adjoint`, `s2s.tangent`).

`custom.<f>_adjoint(g, ans, *args)` in generated code is a `RuleCall`: it calls the user's rule with read-only
views of the arrays it passes (the incoming adjoint or tangents, the result, the arguments), so that a rule
writing into one in place (`g *= 2.0`) raises at its own line instead of changing the other adjoints, the
caller's cotangent or the value returned; and it checks what the rule returns against the arguments (an
adjoint rule) or the result (a tangent rule), where a wrong shape would otherwise be broadcast into a wrong
number:

- an adjoint has its argument's shape, a shape that broadcasts up to it (a number for an array), or the
  argument's shape broadcast larger (summed back by `rt.adjoint_part`); a tangent has the result's shape or
  one that broadcasts up to it (widened here). Any other shape ((3,) for (3, 1), a transpose) is an
  `S2SError` naming the rule, the argument and both shapes.
- a list or tuple of numbers for an array, an integer for a float, become float arrays or floats (NumPy's
  `+` of two lists would join them); the argument's own dataclass, returned as its adjoint, is read as its
  fields; a tangent rule returning None returns a zero tangent.

A `RuleCall` is a `functools.partial` of the user's rule: differentiating generated code again (`grad` of
`grad`) reads the rule itself through it, as the front end reads any partial.
"""
from __future__ import annotations

import dataclasses
import functools
import inspect
import linecache
import traceback

import numpy as np

from s2s.errors import S2SError
from s2s.runtime.core import zeros_like


class RuleCall(functools.partial):
    """The user's rule `func` for `target` (the function it is the rule of), `kind` "adjoint" or "tangent"."""

    def __new__(cls, rule, kind: str, target):
        self = super().__new__(cls, rule)
        self.kind, self.target, self.tangent = kind, target, kind == "tangent"
        for name in ("__module__", "__name__", "__qualname__", "__doc__"):  # (as the cache and messages read it)
            try:
                setattr(self, name, getattr(rule, name))
            except AttributeError:
                pass
        return self

    def __call__(self, first, ans, *args, **kwargs):
        scalars = _SCALARS  # (numbers pass as they are: no call for them, the common case of a rule of numbers)
        if not kwargs and type(first) in scalars and type(ans) in scalars:
            for a in args:
                if type(a) not in scalars:
                    break
            else:  # (a rule of numbers: nothing to pass read-only, nothing to restore)
                out = self.func(first, ans, *args)
                if self.tangent:
                    return _tangent(out, ans, self)
                if type(out) is tuple and len(out) == len(args):
                    for a, x in zip(out, args):
                        ta = type(a)
                        if not ((ta is float or ta is np.float64) and type(x) in _FLOATS):
                            break
                    else:
                        return out
                return self._checked(out, args, [])
        made: list = []  # the read-only views passed, and the objects they view
        passed = [a if type(a) in scalars else _readonly(a, made) for a in args]
        if kwargs:
            kwargs = {k: _readonly(v, made) for k, v in kwargs.items()}
        try:
            out = self.func(first if type(first) in scalars else _readonly(first, made),
                            ans if type(ans) in scalars else _readonly(ans, made), *passed, **kwargs)
        except ValueError as exc:
            if "read-only" not in str(exc):
                raise
            raise S2SError(f"the @s2s.{self.kind} rule {self._name()} writes in place into an array s2s passed "
                           f"it (its {'g' if self.kind == 'adjoint' else 'tangents'}, ans or an argument, which "
                           f"s2s passes read-only: other derivatives, and the caller's values, share them)\n"
                           f"{_where(exc)}Compute a new array instead: g = g * 2.0, not g *= 2.0; "
                           f"out = np.copy(g) before out[i] = v") from exc
        if self.tangent:
            out = _tangent(out, ans, self)
            return _restored(out, made) if made else out
        return self._checked(out, args, made)

    def _checked(self, out, args: tuple, made: list):
        """What an adjoint rule returned, each part checked against its argument (`_adjoint`)."""
        if type(out) is tuple or isinstance(out, list):
            n = len(args)
            out = tuple([_adjoint(a, args[i], self, i) if i < n else a for i, a in enumerate(out)])
        # (else not a tuple: rt.adjoint_part says what a rule must return)
        return _restored(out, made) if made else out

    def _name(self) -> str:
        return f"{getattr(self.func, '__name__', 'rule')} of {getattr(self.target, '__name__', 'the function')}"

    def _argument(self, i: int) -> str:
        try:
            params = [p.name for p in inspect.signature(self.target).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            params = []
        return f"argument {i + 1}" + (f" ({params[i]})" if i < len(params) else "")

    def shape_error(self, what: str, got: tuple, whose: str, want: tuple, allowed: str) -> S2SError:
        code = getattr(self.func, "__code__", None)
        where = f"\n  {code.co_filename}:{code.co_firstlineno}\n    " \
                f"{linecache.getline(code.co_filename, code.co_firstlineno).strip()}" if code else ""
        return S2SError(f"the @s2s.{self.kind} rule {self._name()} returned {what} of shape {got} for {whose} of "
                        f"shape {want}: {allowed}{where}")


_SCALARS = (float, int, np.float64, type(None), bool, complex)  # (passed as they are: checked first, for speed)
_FLOATS = (float, np.float64, int)  # (arguments whose float adjoint a rule may return as it is)


def _readonly(x, made: list):
    """`x` with its arrays (in tuples, lists and dicts too) as read-only views."""
    if type(x) in _SCALARS:
        return x
    if isinstance(x, np.ndarray) and x.flags.writeable:
        v = x.view()
        v.flags.writeable = False
        made.append((v, x))
        return v
    if type(x) in (tuple, list):
        return type(x)(_readonly(v, made) for v in x)
    if type(x) is dict:
        return {k: _readonly(v, made) for k, v in x.items()}
    return x


def _restored(out, made: list):
    """What a rule returned, with the views it was passed (`return (g,)`) the arrays they view, and other read-only
    arrays (a view of one: g[:, 0]) copied: generated code may accumulate into an adjoint in place."""
    if isinstance(out, np.ndarray) and not out.flags.writeable:
        for view, original in made:
            if out is view:
                return original
        return np.array(out)
    if type(out) in (tuple, list):
        return type(out)(_restored(v, made) for v in out)
    if type(out) is dict:
        return {k: _restored(v, made) for k, v in out.items()}
    return out


def _where(exc: BaseException) -> str:
    """The line of the user's code (the rule's) where `exc` was raised, as '  file:line\\n    text\\n'."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if "/numpy/" not in f.filename
              and not f.filename.endswith("user_rules.py")]
    if not frames:
        return ""
    f = frames[-1]
    return f"  {f.filename}:{f.lineno}\n    {(f.line or '').strip()}\n"


def _number(x) -> bool:
    return isinstance(x, (int, float, complex, np.number, np.bool_)) and not isinstance(x, np.ndarray)


def _as_float(a, like):
    """`a` (a list of numbers, an integer or a bool, or an array of them) as floats (complex for complex `like`)."""
    kind = np.result_type(like, np.float64) if isinstance(like, (np.ndarray, np.number)) else \
        (np.complex128 if isinstance(like, complex) else np.float64)
    if isinstance(a, (list, tuple)):
        return np.asarray(a, dtype=np.result_type(np.asarray(a).dtype, kind))
    if isinstance(a, np.ndarray):
        return a if a.dtype.kind in "fc" else a.astype(kind)
    if isinstance(a, (bool, int, np.integer, np.bool_)):
        return float(a) if kind == np.float64 else kind(a)
    return a


def _adjoint(a, x, call: RuleCall, i: int):
    """The adjoint `a` a rule returned for argument `x` (number `i`), checked and made floats."""
    ta, tx = type(a), type(x)
    if a is None or (ta is float or ta is np.float64) and (tx is float or tx is np.float64 or tx is int):
        return a  # (the common cases first: a number's, an array's of its shape)
    if ta is np.ndarray and tx is np.ndarray and a.shape == x.shape and a.dtype.kind in "fc":
        return a
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        if type(a) is type(x):  # the argument's own record: its fields are the adjoints
            return {f.name: _adjoint(getattr(a, f.name), getattr(x, f.name), call, i)
                    for f in dataclasses.fields(x)}
        if isinstance(a, dict):
            return {k: _adjoint(v, getattr(x, k), call, i) if hasattr(x, k) else v for k, v in a.items()}
        return a
    if isinstance(x, dict) and isinstance(a, dict):
        return {k: _adjoint(v, x[k], call, i) if k in x else v for k, v in a.items()}
    if type(x) in (tuple, list) or isinstance(x, tuple):
        if isinstance(a, (tuple, list)) and len(a) == len(x):
            return type(a)(_adjoint(v, e, call, i) for v, e in zip(a, x)) if type(a) in (tuple, list) else a
        return a
    if not (isinstance(x, np.ndarray) or _number(x)):
        return a
    a = _as_float(a, x)
    got, want = np.shape(a), np.shape(x)
    if got != want:
        if _broadcast(got, want) not in (got, want):
            raise call.shape_error("an adjoint", got, call._argument(i), want,
                                   "an adjoint has its argument's shape, or a shape NumPy broadcasts up to it, "
                                   "or the argument's shape broadcast larger (summed back)")
    if not want and isinstance(a, np.ndarray) and a.ndim == 0 and isinstance(x, (int, float, complex)):
        return a.item()
    return a


def _broadcast(got: tuple, want: tuple):
    """The shape NumPy broadcasts `got` and `want` to, None where they do not broadcast."""
    try:
        return np.broadcast_shapes(got, want)
    except ValueError:
        return None


def _tangent(d, ans, call: RuleCall):
    """The tangent `d` a tangent rule returned for the result `ans`: None is a zero, a list of numbers an array;
    checked to broadcast up to the result's shape, and widened to it."""
    td, tans = type(d), type(ans)
    if (td is float or td is np.float64) and (tans is float or tans is np.float64 or tans is int):
        return d  # (the common cases first: a number's, an array's of its shape)
    if td is np.ndarray and tans is np.ndarray and d.shape == ans.shape and d.dtype.kind in "fc":
        return d
    if d is None:
        return zeros_like(ans)
    if isinstance(ans, (tuple, list)) and type(d) in (tuple, list) and len(d) == len(ans):
        return type(d)(_tangent(p, q, call) for p, q in zip(d, ans))
    if not (isinstance(ans, np.ndarray) or _number(ans)):
        return d
    d = _as_float(d, ans)
    got, want = np.shape(d), np.shape(ans)
    if got != want:
        if _broadcast(got, want) != want:
            raise call.shape_error("a tangent", got, "the result", want,
                                   "a tangent has the result's shape, or a shape NumPy broadcasts up to it")
        d = np.broadcast_to(d, want).copy()
    if not want and isinstance(d, np.ndarray) and isinstance(ans, (int, float, complex)):
        return d.item()
    return d
