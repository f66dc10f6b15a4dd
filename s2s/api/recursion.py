"""Recursive functions: each gets its own adjoint and tangent functions, made by s2s from its source.

A user function that calls itself (directly or through others) cannot be
inlined to a depth known while compiling. When the SSA builder meets such a
call, it asks `rules_for(fn)` for a rule: the call stays a call of `fn`, and its
reverse rule is `s2s.vjp(fn)`'s pullback (its tangent rule `s2s.jvp(fn)`), whose
generated code meets the recursive call again and uses the same rule. So the
recursion of the derivative runs as deep as the function's own, at run time.
The adjoint recomputes the callee's forward sweep (a depth-d chain costs
O(d^2) function steps; a tree, O(n log n) for a balanced one). A call whose
caller reads the adjoints of some arguments alone names them
(`f_adjoint(g, ans, h, W, x, wanted=(0, 1))`: not x's, data there): the
pullback, and its own rules, give those alone.

Second derivatives differentiate generated code that calls those two rules, so
the rules have rules of their own, made the same way from generated functions
with source:

- the pullback of `fn` as a function of its arguments and the cotangent,
  `fn_cotangent(*args, g) = sum(fn(*args) * g)` differentiated by `s2s.grad`:
  the tangent of `fn_adjoint` is `s2s.jvp` of that gradient, its adjoint
  `s2s.vjp` of it (forward over reverse, reverse over reverse);
- the tangent of `fn` as a function of its arguments and their tangents,
  `fn_directional(*args, *dargs) = jvp_fn(args, dargs)[1]`: the tangent of
  `fn_tangent` is `s2s.jvp` of it, its adjoint `s2s.vjp` of it.

Their generated code calls `fn`, `fn_adjoint` and `fn_tangent` (and so these
rules) at the recursive calls: a second derivative recurses as deep as the
function too, one more recomputation per level (a depth-d chain: O(d^3) steps).
The rules of those rules (third derivatives) are not made: they are refused,
naming the function.

Arguments that hold floating-point numbers or arrays are differentiated, and
integers too (`f(2)`: a number the caller differentiates), unless s2s refuses
to differentiate the function with respect to them (an index: `x[k]`); then,
like strings, None and containers without floats (a tree's shape), they carry
no derivative. Arguments the call leaves to their defaults are constants.
"""
from __future__ import annotations

import dataclasses
import inspect
import linecache
import numbers
import sys
import threading
import types

import numpy as np

from s2s import linemaps
from s2s.api import draws, persistent
from s2s.api.forward import jvp
from s2s.api.tangents import tangent_of_record
from s2s.api.transform import grad, vjp
from s2s.back.compile import compile_source, pseudo_filename
from s2s.errors import S2SError
from s2s.rules import custom, registry
from s2s.runtime.core import FieldParts, zeros_like

_RULES: dict = {}  # function -> its key
_HELPERS: dict = {}  # (function, what, ...) -> a generated helper function or its transformation
CHECKPOINTED = custom.CHECKPOINTED  # the functions s2s.checkpoint marked (api/checkpoint.py): their calls use these rules
_INTEGERS_REFUSED: set = set()  # (function, mode, positions): differentiating its integer arguments was refused


def _made(fn, transformation, wrt: tuple):
    """`transformation(fn, wrt=wrt)`, made once (the rules run it at every call: a new one costs a tenth of a
    small pullback)."""
    key = (fn, transformation, wrt)
    found = _HELPERS.get(key)
    if found is None:
        found = _HELPERS[key] = transformation(fn, wrt=wrt)
    return found


def _kind(fn) -> str:
    return "the checkpointed function" if fn in CHECKPOINTED else "the recursive function"


def _integer(value) -> bool:
    """An integer, or a list, tuple or dict of numbers holding one (`halve([1.0, a * a])` at a = 2: [1.0, 4] holds
    the caller's derivative in an int); not a bool, nor a container with a leaf that has no derivative."""
    if isinstance(value, (list, tuple, dict)):
        return _tag(value) is None and _holds_integer(value)
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _holds_integer(value) -> bool:
    if isinstance(value, (list, tuple, dict)):
        return any(map(_holds_integer, value.values() if isinstance(value, dict) else value))
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _differentiated(fn, mode: str, args: tuple, tangents, compute):
    """`compute(wrt)` for the positions of `args` to differentiate (in forward mode, those with a tangent): the
    first of `_choices` that s2s does not refuse."""
    *first, last = _choices(fn, mode, args, tangents)
    for wrt in first:
        try:
            if wrt:
                _refuse_draws(fn, vjp(fn, wrt=wrt))
            return compute(wrt)
        except S2SError as exc:
            if getattr(exc, "redrawn", False):  # (_refuse_draws's, not a refusal of an integer argument)
                raise
            _INTEGERS_REFUSED.add((fn, mode, wrt))
    if last:
        _refuse_draws(fn, vjp(fn, wrt=last))
    return compute(last)


def _choices(fn, mode: str, args: tuple, tangents) -> tuple:
    """The positions of `args` to differentiate, to try in turn (in forward mode, those with a tangent).

    An integer argument may be data (`f(2)`, a parameter holding 2: its derivative is a float), or a depth
    or an index, which s2s may refuse to differentiate (`x[k]`). The reverse rule cannot tell which
    arguments its caller differentiates, so an integer is differentiated, unless transforming `fn` with
    respect to it is refused: then it is a constant (the caller records the refusal in _INTEGERS_REFUSED, so each
    function is refused once; a refusal met by a second-order rule, `mode` "... second order", does not change
    what the first-order rules do)."""
    live = range(len(args)) if tangents is None else [i for i in range(len(args)) if tangents[i] is not None]
    floats = tuple(i for i in live if _differentiable(args[i]) and (tangents is not None or _tag(args[i]) is None))
    every = tuple(i for i in live if _differentiable(args[i]) or _integer(args[i]))
    first_order = mode.split(",")[0]  # (what the first-order rule refused, its rules refuse too: the same parts)
    if every != floats and (fn, mode, every) not in _INTEGERS_REFUSED and \
            (fn, first_order, every) not in _INTEGERS_REFUSED:
        return every, floats
    return (floats,)


def _wanted(wrt: tuple, wanted) -> tuple:
    """The positions of `wrt` whose adjoints the caller reads (`wanted`, generated code's keyword: the arguments
    of the call that carry a derivative there), all of them where it names none."""
    return wrt if wanted is None else tuple(i for i in wrt if i in wanted)


def _placed(fn, args: tuple, parts) -> tuple:
    """The adjoints of `args`: None but where `parts` ((position, value) pairs) puts a value, and, at an argument
    holding a leaf with no derivative beside numbers (an expression tree's string tags), the refusal that
    rt.adjoint_part raises where the caller has a derivative to take through it (not where it is data), the numbers
    ints or floats."""
    out = [None] * len(args)
    for i, part in parts:
        out[i] = _record_parts(part)
    for i, arg in enumerate(args):
        tag = _tag(arg) if out[i] is None and (_differentiable(arg) or _holds_integer(arg)) else None
        if tag is not None:
            names = _parameters(fn)[0]
            name = names[i] if i < len(names) else f"argument {i + 1}"
            out[i] = S2SError(
                f"the derivative of {_kind(fn)} {getattr(fn, '__name__', 'f')} with respect to its "
                f"argument '{name}', which holds {tag[1]} at {name}{tag[0]} beside numbers that carry a derivative "
                f"here: s2s differentiates with respect to numbers and float arrays only; pass the values to "
                f"differentiate in an argument of their own, apart from the tags (a tree of constants and tags "
                f"alone is data, which s2s takes)")
    return tuple(out)


def _record_parts(adjoint):
    """`adjoint` (vjp's, which gives a dataclass argument's adjoint back as the dataclass) with each dataclass as
    generated code holds a record's adjoint, a FieldParts of its fields (tangents.tangent_of_record)."""
    if dataclasses.is_dataclass(adjoint) and not isinstance(adjoint, type):
        return tangent_of_record(adjoint)
    if type(adjoint) in (tuple, list):
        return type(adjoint)(map(_record_parts, adjoint))
    if type(adjoint) is dict:
        return {k: _record_parts(v) for k, v in adjoint.items()}
    return adjoint


def _as_records(tangent):
    """A tangent of generated code, where a dataclass's is a FieldParts of its fields, with each made the
    dataclass again, as jvp takes it (the inverse of _record_parts)."""
    if isinstance(tangent, FieldParts) and tangent.record is not None:
        return tangent.record(**{k: _as_records(v) for k, v in tangent.items()})
    if type(tangent) in (tuple, list):
        return type(tangent)(map(_as_records, tangent))
    if type(tangent) is dict:
        return {k: _as_records(v) for k, v in tangent.items()}
    return tangent


def _tag(value, path: str = "") -> tuple | None:
    """(path, kind) of a leaf of the container `value` that has no derivative (a str, None, a bool, an integer
    array), which vjp refuses in an argument it differentiates; None where there is none."""
    if isinstance(value, dict):
        items = [(f"{path}[{k!r}]", v) for k, v in value.items()]
    elif isinstance(value, (list, tuple)):
        items = [(f"{path}[{i}]", v) for i, v in enumerate(value)]
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        items = [(f"{path}.{f.name}", getattr(value, f.name)) for f in dataclasses.fields(value)]
    elif isinstance(value, np.ndarray):
        return None if value.dtype.kind == "f" else (path, f"an array of {value.dtype}")  # (np.floating's)
    else:
        number = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_, np.integer))
        return None if number else (path, "None" if value is None else f"a {type(value).__name__}")
    return next((found for p, v in items for found in [_tag(v, p)] if found is not None), None)


def _differentiable(value) -> bool:
    """Does `value` hold floating-point leaves (a float, a float array, a container with one)?"""
    if isinstance(value, dict):
        return any(_differentiable(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_differentiable(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # (a record of parameters: its fields)
        return any(_differentiable(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "fc"  # (np.inexact's, without issubdtype's cost at every call of a rule)
    return isinstance(value, numbers.Number) and not isinstance(value, (bool, numbers.Integral))


def _refuse_draws(fn, transformed):
    """`transformed` (s2s.vjp or s2s.jvp of `fn`), refused where one level of `fn` (its generated code) draws a
    random number or takes an iterator's next item: the derivative runs each recursive call again, which would draw
    other numbers than the call did (a derivative of other numbers, different in each mode). Found once per
    function."""
    key = (fn, "draws")
    found = _HELPERS.get(key, key)
    if found is None:
        return transformed
    if found is key:
        generated = transformed._current()
        found = draws.first_draw(generated)
        if found is not None:  # (the user's line, else the function's first)
            code = fn.__code__
            where = linemaps.user_line(generated.__code__.co_filename, found[0]) or (code.co_filename,
                                                                                    code.co_firstlineno)
            found = (where[:2], found[1])
        _HELPERS[key] = found
    if found:
        (filename, line), is_next = found
        name = getattr(fn, "__name__", "f")
        what = ("takes an iterator's next item: running a call again would take the items after the ones the call "
                "took" if is_next else "draws random numbers: running a call again would draw other numbers than "
                "the call drew")
        advice = ("Take the items before the recursion (items = [next(it) for _ in range(n)]) and pass them in "
                  "with the index of the next one to take (items[at])" if is_next else
                  "Draw the numbers before the recursion (draws = rng.random(n)) and pass them in with the index of "
                  "the next one to take (draws[at])")
        text = f"{filename}:{line}\n    {linecache.getline(filename, line).strip()}"
        if fn in CHECKPOINTED:
            kept = "items" if is_next else "numbers"
            error = S2SError(f"the derivative of s2s.checkpoint({name}) runs each call of {name} again in the reverse "
                             f"sweep (docs/reference/transformations.md, checkpoint), and {name} {what}:\n  {text}\n"
                             f"{advice.replace('the recursion', f'the call of {name}')}, or call {name} without "
                             f"s2s.checkpoint, whose {kept} s2s keeps")
        else:
            error = S2SError(f"the derivative of the recursive function {name} runs each recursive call of it again "
                             f"(docs/limitations.md, Recursion), and {name} {what}:\n  {text}\n{advice}, or write "
                             f"{name} as a loop, whose {'items' if is_next else 'draws'} s2s keeps")
        error.redrawn = True
        raise error
    return transformed


# ------------------------------------------------------------------------ generated helpers of second order
def _parameters(fn) -> tuple[list, tuple]:
    """`fn`'s positional parameter names and the defaults of the last ones (read once: every rule call asks)."""
    found = _HELPERS.get((fn, "parameters"))
    if found is None:
        params = [p for p in inspect.signature(fn).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        found = _HELPERS[(fn, "parameters")] = ([p.name for p in params],
                                                tuple(p.default for p in params if p.default is not p.empty))
    return found


def _complete(fn, args: tuple) -> tuple:
    """`args` with the defaults of the parameters the call left out (the generated helpers take them all)."""
    names, defaults = _parameters(fn)
    missing = len(names) - len(args)
    return tuple(args) + (defaults[len(defaults) - missing:] if missing > 0 else ())


def _identifier(fn) -> str:
    """`fn`'s name as a Python name (a checkpointed lambda's: `lambda_fn`)."""
    name = getattr(fn, "__name__", "f")
    return name if name.isidentifier() else "lambda_fn"


def _fresh(base: str, taken: set) -> str:
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name


def _leaf_paths(tree, path: str = "") -> list:
    """Python index expressions (`[0]`, `['w']`) of the leaves of a tuple, list or dict value."""
    if isinstance(tree, dict):
        return [p for k, v in tree.items() for p in _leaf_paths(v, f"{path}[{k!r}]")]
    if isinstance(tree, (tuple, list)):
        return [p for i, v in enumerate(tree) for p in _leaf_paths(v, f"{path}[{i}]")]
    return [path]


def _helper(fn, name: str, params: list, lines: list, free: dict, what: str):
    """A generated Python function with source (s2s reads it like any generated code), calling `fn`."""
    where = f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', getattr(fn, '__name__', 'f'))}"
    body = "".join(f"    {line}\n" for line in lines)
    text = (f"# Generated by s2s: the {what} of {_kind(fn)} {where}, differentiated again for its "
            f"second derivatives.\n\n\ndef {name}({', '.join(params)}):\n{body}")
    code = getattr(fn, "__code__", None)
    filename = pseudo_filename(what, getattr(fn, "__name__", "f"), code.co_filename if code else "?",
                               code.co_firstlineno if code else 0)
    return compile_source(text, filename, name, {k: (v, None) for k, v in free.items()})


def _body_of(fn):
    """A second function object with `fn`'s code, globals and closure: s2s descends into it (it is not the
    recursive function), so the helper that calls it holds one level of `fn`'s body, whose recursive calls are
    calls of `fn` itself, one level deeper, with these rules."""
    copy = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__)
    copy.__kwdefaults__, copy.__qualname__, copy.__module__ = fn.__kwdefaults__, fn.__qualname__, fn.__module__
    return copy


def _pullback(fn, count: int, ans, wrt: tuple):
    """`grad(fn_cotangent, wrt)`, a function of (args..., g) returning the adjoints of the arguments at `wrt`
    (a tuple), where `fn_cotangent(*args, g) = sum(fn(*args) * g)` over `count` positional arguments for a
    value shaped like `ans`: the pullback of `fn` as generated code."""
    paths = tuple(_leaf_paths(ans))
    key = (fn, "pullback", count, paths, wrt)
    found = _HELPERS.get(key)
    if found is None:
        names = _parameters(fn)[0][:count]
        taken = set(names) | {"np"}
        callee = _fresh(_identifier(fn), taken)
        g = _fresh("cotangent", taken)
        value = _fresh("value", taken)
        total = " + ".join(f"np.sum({value}{p} * {g}{p})" for p in paths)
        helper = _helper(fn, f"{_identifier(fn)}_cotangent", names + [g],
                         [f"{value} = {callee}({', '.join(names)})", f"return {total}"],
                         {callee: _body_of(fn), "np": np}, "pullback")
        found = _HELPERS[key] = grad(helper, wrt=wrt)
    return found


def _directional(fn, count: int, wrt: tuple):
    """`fn_directional(*args, *dargs) = jvp_fn(args, dargs)[1]`: the tangent of `fn`'s value in the
    direction of the tangents of the arguments at `wrt`, as a function of both."""
    key = (fn, "directional", count, wrt)
    found = _HELPERS.get(key)
    if found is None:
        names = _parameters(fn)[0][:count]
        taken = set(names)
        callee = _fresh(f"jvp_{_identifier(fn)}", taken)
        tangents = [_fresh(f"d{names[i]}", taken) for i in wrt]
        found = _HELPERS[key] = _helper(fn, f"{_identifier(fn)}_directional", names + tangents,
                                        [f"return {callee}(({', '.join(names)},), ({', '.join(tangents)},))[1]"],
                                        {callee: jvp(fn, wrt=wrt)}, "directional derivative")
    return found


def _zero(like):
    return np.zeros(np.shape(like)) if isinstance(like, np.ndarray) else 0.0


def _shaped(cotangent, like):
    """A cotangent with the structure and shape of `like` (a broadcast zero or None made full)."""
    if isinstance(like, (tuple, list, dict)):  # (the adjoint of a tuple argument, say)
        return zeros_like(like) if cotangent is None or not isinstance(cotangent, (tuple, list, dict)) and \
            np.ndim(cotangent) == 0 and cotangent == 0 else cotangent
    if cotangent is None:
        return _zero(like)
    return np.broadcast_to(cotangent, np.shape(like)) if np.shape(cotangent) != np.shape(like) else cotangent


def _second_order_rules(fn) -> dict:
    """The tangent and adjoint rules of `fn`'s adjoint rule and of its tangent rule (see the module text),
    by role."""
    name = getattr(fn, "__name__", "f")

    def adjoint_tangent(tangents, out, g, ans, *args, wanted=None):
        """The tangent of `adjoint(g, ans, *args)`: forward over reverse (the adjoint does not read ans), of the
        adjoints at `wanted` alone where the call names them."""
        dg, _, *dargs = tangents
        full = _complete(fn, args)

        def parts(wrt):
            moving = {i: dargs[i] for i in wrt if dargs[i] is not None}
            if dg is not None:
                moving[len(full)] = dg
            given = _wanted(wrt, wanted)
            if not given or not moving:
                return ()
            _, tangent = jvp(_pullback(fn, len(full), ans, given), wrt=tuple(moving))(
                full + (g,), tuple(map(_as_records, moving.values())))
            return zip(given, tangent)
        with _Level(name):
            return _placed(fn, args, _differentiated(fn, "reverse, second order", args, None, parts))

    def adjoint_adjoint(cotangent, out, g, ans, *args, wanted=None):
        """The adjoint of `adjoint(g, ans, *args)` (of its adjoints at `wanted` alone where the call names them)
        with respect to g and the arguments: reverse over reverse."""
        full = _complete(fn, args)
        given = cotangent if isinstance(cotangent, (tuple, list)) else (cotangent,) * len(args)

        def parts(wrt):
            made = _wanted(wrt, wanted)
            if not made:
                return ()
            _, pull = vjp(_pullback(fn, len(full), ans, made), wrt=wrt + (len(full),))(*full, g)
            adjoints = pull(tuple(_shaped(given[i], out[i]) for i in made))
            return list(zip(wrt, adjoints)) + [(-1, adjoints[-1])]  # (-1: g's)
        with _Level(name):
            found = dict(_differentiated(fn, "reverse, second order", args, None, parts))
        return (found.pop(-1, None), None, *_placed(fn, args, found.items()))

    def tangent_tangent(tangents, out, dargs, ans, *args):
        """The tangent of `tangent(dargs, ans, *args)`: forward over forward (the tangent does not read ans)."""
        ddargs, _, *dargs2 = tangents
        full = _complete(fn, args)
        ddargs = ddargs if isinstance(ddargs, (tuple, list)) else (ddargs,) * len(args)

        def tangent(wrt):
            moving = {i: dargs2[i] for i in wrt if dargs2[i] is not None}
            moving.update({len(full) + k: ddargs[i] for k, i in enumerate(wrt) if ddargs[i] is not None})
            if not wrt or not moving:
                return _zero(out)
            primals = full + tuple(_as_records(dargs[i]) for i in wrt)
            return jvp(_directional(fn, len(full), wrt), wrt=tuple(moving))(
                primals, tuple(map(_as_records, moving.values())))[1]
        with _Level(name):
            return _differentiated(fn, "forward, second order", args, dargs, tangent)

    def tangent_adjoint(cotangent, out, dargs, ans, *args):
        """The adjoint of `tangent(dargs, ans, *args)` with respect to dargs and the arguments."""
        full = _complete(fn, args)

        def parts(wrt):
            if not wrt:
                return ()
            positions = wrt + tuple(len(full) + k for k in range(len(wrt)))
            _, pull = vjp(_directional(fn, len(full), wrt), wrt=positions)(*full, *(_as_records(dargs[i]) for i in wrt))
            adjoints = pull(_shaped(cotangent, out))
            return [(i, (adjoints[k], adjoints[len(wrt) + k])) for k, i in enumerate(wrt)]
        with _Level(name):
            found = dict(_differentiated(fn, "forward, second order", args, dargs, parts))
        # (zeros, not None, where an argument has no tangent: the adjoints of that tuple from several calls add)
        of_dargs = [_record_parts(found[i][1]) if i in found else 0.0 if t is None else _zero(t)
                    for i, t in enumerate(dargs)]
        return (tuple(of_dargs), None, *(_record_parts(found[i][0]) if i in found else None for i in range(len(args))))

    return {"adjoint_tangent": adjoint_tangent, "adjoint_adjoint": adjoint_adjoint,
            "tangent_tangent": tangent_tangent, "tangent_adjoint": tangent_adjoint}


# ------------------------------------------------------------------------------------ the depth of the rules
class _Levels(threading.local):
    """How many calls of the rules of recursive functions are running in this thread, one inside another, and the
    most there were since the outermost began."""
    running = 0
    deepest = 0


_LEVELS = _Levels()


class _Level:
    """`with _Level(name):` around a rule's body: one level deeper. A RecursionError (the derivative needs more
    Python frames per level than the function: its pullback, the recomputation of the level's forward sweep)
    leaves every level as it is and is told at the outermost, where the stack is short again: an S2SError naming
    the depth reached and what to do. (A context manager, not a wrapper, adds no frame to each level.)"""

    __slots__ = ("name", "outermost")

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        levels = _LEVELS
        self.outermost = levels.running == 0
        levels.running += 1
        if levels.running > levels.deepest:
            levels.deepest = levels.running

    def __exit__(self, kind, exc, tb):
        levels = _LEVELS
        if not self.outermost:
            levels.running -= 1
            return False
        deepest, levels.running, levels.deepest = levels.deepest, 0, 0
        if kind is not None and issubclass(kind, RecursionError):
            limit = sys.getrecursionlimit()
            raise S2SError(
                f"the derivative of the recursive function {self.name} ran out of Python's recursion limit "
                f"({limit} frames) {deepest + 1} calls of {self.name} deep: each level of its derivative takes "
                f"3 to 6 Python frames (its pullback or tangent, the recomputation of that level; more for a second "
                f"derivative), where {self.name} itself takes one. Raise the limit for that depth, sys.setrecursionlimit(6 * depth + "
                f"{limit}), or write {self.name}'s recursion as a loop, which s2s differentiates without "
                f"recursing (docs/limitations.md, Recursion)") from None
        return False


# ---------------------------------------------------------------------------------------------- the rules
def rules_for(fn) -> str:
    """The primitive key under which calls of the recursive function `fn` are made, with its rules (and the
    rules of those rules, for second derivatives)."""
    key = _RULES.get(fn)
    if key is not None:
        return key

    name = getattr(fn, "__name__", "f")

    # (the two rules the derivative runs at each level of the recursion call vjp's pullback or jvp from their own
    # frame, as _differentiated would through two more: each level takes 3 Python frames)
    def adjoint(g, ans, *args, wanted=None):  # (wanted: the positions whose adjoints the caller reads, if not all)
        with _Level(name):
            *first, last = _choices(fn, "reverse", args, None)
            for every in first:
                wrt = _wanted(every, wanted)
                try:  # (a tuple wrt: a tuple of gradients)
                    return _placed(fn, args, zip(wrt, _refuse_draws(fn, _made(fn, vjp, wrt))(*args)[1](g)) if wrt
                                   else ())
                except S2SError as exc:
                    if getattr(exc, "redrawn", False):  # (_refuse_draws's, not a refusal of an integer argument)
                        raise
                    _INTEGERS_REFUSED.add((fn, "reverse", every))  # (refused for part of it: for all of it too)
            last = _wanted(last, wanted)
            return _placed(fn, args, zip(last, _refuse_draws(fn, _made(fn, vjp, last))(*args)[1](g)) if last else ())

    def tangent(tangents, ans, *args):
        with _Level(name):
            *first, last = _choices(fn, "forward", args, tangents)
            for wrt in first:
                try:
                    return _refuse_draws(fn, _made(fn, jvp, wrt))(
                        args, tuple(_as_records(tangents[i]) for i in wrt))[1] if wrt else 0.0
                except S2SError as exc:
                    if getattr(exc, "redrawn", False):  # (_refuse_draws's, not a refusal of an integer argument)
                        raise
                    _INTEGERS_REFUSED.add((fn, "forward", wrt))
            return _refuse_draws(fn, _made(fn, jvp, last))(
                args, tuple(_as_records(tangents[i]) for i in last))[1] if last else 0.0

    first = {"adjoint": adjoint, "tangent": tangent}
    rules = {**first, **_second_order_rules(fn)}
    refusal = (f"it is a second derivative s2s made for {_kind(fn)} {name}; third derivatives through "
               f"{'s2s.checkpoint' if fn in CHECKPOINTED else 'recursion'} are not made",
               f"Differentiate at most twice (hessian, grad of grad, jvp of grad), or "
               f"{f'call {name} without s2s.checkpoint' if fn in CHECKPOINTED else f'write {name} as a loop'} for "
               "higher derivatives.")
    # made here, not registered by the user's module: generated code needs no import of it (it may not be
    # importable: a module loaded from a file without sys.modules, one removed since)
    key = custom.key_for(fn, imported=False)
    names = {"function": key.rsplit(".", 1)[-1]}
    made = []  # the keys of the rules made here whose own rules are made here too
    for owner in ("", "adjoint_", "tangent_"):
        owner_key = key
        if owner:  # the rules of a rule made here: generated code calls it as custom.<its name>, its key
            owner_key = f"s2s.rules.custom.{names[owner[:-1]]}"
            registry.register_object(first[owner[:-1]], owner_key)
            made.append(owner_key)
        for role in ("adjoint", "tangent"):
            names[owner + role] = custom._rule_name(owner_key, role, rules[owner + role], imported=False)
            if owner:
                rules[owner + role].__s2s_refusal__ = refusal
        registry.REVERSE[owner_key] = registry.ReverseRule(owner_key, (), user=names[owner + "adjoint"])
        registry.TANGENT[owner_key] = registry.TangentRule(owner_key, fn=names[owner + "tangent"], user=True)
    for role, rule in rules.items():
        rule.__name__ = rule.__qualname__ = names[role]
    _RULES[fn] = key
    persistent.record_recursive(fn, names, made)  # (the disk cache names them in its entries, and makes them again)
    registry.RECURSIVE_KEYS.add(key)
    return key


registry.RECURSIVE = rules_for


def _forget(fn) -> None:
    """`fn` has rules of the user's now (registered after s2s made its own): make none for it again."""
    _RULES.pop(fn, None)
    persistent.forget_recursive(fn)


custom.ON_CLAIM.append(_forget)
