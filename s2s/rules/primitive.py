"""One record per primitive, and the few ways of writing one.

Everything s2s knows about a primitive is given in a single call in one of the
family modules (`elementwise`, `linear`, `products`, `reductions`, `indexing`,
`linalg`, `runtime_helpers`, `nondiff`); both modes are derived from that one
definition wherever the mathematics allows:

- `elementwise(key, *partials)`: one partial derivative per positional argument,
  `lambda ans, x, y: ...` written with the symbolic values of `symbolic.py`
  (None: no derivative). Reverse mode emits `g * partial` (summed back to the
  argument's shape where NumPy broadcast it), forward mode `partial * d`, and
  vector forward mode the same with the batch axis aligned.
- `linear(key, *transposes)`: the function is linear in the arguments whose
  transpose is given; its tangent is the function applied to the tangent, its
  adjoint the transpose `lambda g, ans, *args, **kwargs: ...`. `SELF` marks a
  diagonal (elementwise) linear map, its own transpose: `np.where(c, g, 0.0)`.
- `multilinear(key, *adjoints)` (and `bilinear`): linear in each argument
  separately: the tangent is the sum of the function with one argument replaced
  by its tangent, `f(dx, y) + f(x, dy)`; the adjoints are given per argument.
- `define(key, adjoints=..., tangents=..., ...)`: anything else, the reverse
  rule, the tangent rule, the batched form and the facts side by side.
- `nondiff(*keys)`: results that carry no derivative.

Each call fills `registry.PRIMITIVES[key]` (the record) and, from it, the
`registry.REVERSE`/`registry.TANGENT` rules that the transformations read.
"""
from __future__ import annotations

import dataclasses
import inspect
import numbers
from dataclasses import dataclass, field
from typing import Callable

from s2s import ir, prims
from s2s.errors import NonDifferentiableError
from s2s.rules import registry, symbolic
from s2s.rules.symbolic import Emitter, Sym, emit, lift

SELF = "self"  # linear(): the transpose of a diagonal linear map is the map itself


@dataclass
class Primitive:
    """What s2s knows about one primitive (see the module docstring)."""
    key: str
    adjoints: tuple = ()  # reverse mode: one fn(g, ans, *args, **kwargs) per positional argument (None: none)
    tangents: tuple = ()  # forward mode: one fn(d, ans, *args, **kwargs) per positional argument (None: none)
    tangent_fn: Callable | None = None  # forward mode seeing all tangents: fn(tangents, ans, *args, **kwargs)
    broadcast: bool = False  # elementwise with NumPy broadcasting (adjoints summed back, tangents widened)
    batched: tuple | None = None  # vector mode: the tangent parts for a leading batch axis (None: see pointwise)
    pointwise: bool = False  # scalar or shape-preserving: the tangents hold as written with a batch axis
    rank_of_argument: int | None = None  # the result has the rank of this argument (vector mode aligns by rank)
    facts: dict = field(default_factory=dict)  # anything else worth knowing (kind: elementwise/linear/...)
    tangent_broadcast: bool | None = None  # forward mode's `broadcast` where it differs (setitem)
    rank: Callable | None = None  # (argument ranks, None where unknown; has kwargs) -> the result's rank, or None
    full_reduction: bool = False  # called with one argument and no axis, the result is a number (np.sum(x))
    of_shape: bool = False  # makes a new array of the shape its first argument gives (np.full(shape, v))
    # linear, reducing the axes `axis=` names (every axis without it; `keepdims=` allowed): vector mode reduces a
    # batch of tangents by the same call, its axes shifted past the batch axis (np.sum(dx, axis=1))
    axis_reduction: bool = False
    # bilinear, `a @ b` as NumPy defines it for vectors and matrices: vector mode writes the tangent of a batch
    # as a product too (da @ b, a @ db)
    matrix_product: bool = False
    # bilinear, the elementwise product `x * y`: forward mode writes the tangent of `x * x` as `2.0 * x * dx`
    elementwise_product: bool = False
    # vector mode seeing all tangents, fn(tangents, ans, *args, **kwargs), used where two or more have one (the sum
    # of `batched`'s parts would add arrays they fill with zeros: an element write's base and value)
    batched_fn: Callable | None = None
    # a runtime helper that computes a composition of other primitives faster: the front end reads its call as
    # that composition, fn(materialise, *args) -> an expression (differentiating generated code again)
    lowered: Callable | None = None

    def result_rank(self, ranks: list, kwargs: bool):
        if self.rank is not None:
            return self.rank(ranks, kwargs)
        if self.rank_of_argument is not None and len(ranks) > self.rank_of_argument:
            return ranks[self.rank_of_argument]
        return None


def register(p: Primitive) -> Primitive:
    """Enter the record, and the rules derived from it, in the tables the transformations read."""
    registry.PRIMITIVES[p.key] = p
    # how a call in the user's code is recognised (the object np.sinh is 'numpy.sinh'): the registry enters the
    # records of the family modules in key order when it loads them (np.conj is np.conjugate: the first key, conj);
    # a record added later is entered here
    obj = prims.python_object(p.key) if registry._loaded else None
    if obj is not None:
        registry.register_object(obj, p.key)
    if p.adjoints:
        registry.REVERSE[p.key] = registry.ReverseRule(p.key, tuple(p.adjoints), p.broadcast)
    if p.tangents or p.tangent_fn is not None:
        broadcast = p.broadcast if p.tangent_broadcast is None else p.tangent_broadcast
        registry.TANGENT[p.key] = registry.TangentRule(p.key, tuple(p.tangents), broadcast, fn=p.tangent_fn,
                                                       batched=p.batched, pointwise=p.pointwise,
                                                       batched_fn=p.batched_fn)
    return p


def define(key: str, adjoints=(), tangents=(), tangent_fn=None, broadcast=False, batched=None, pointwise=False,
           rank_of_argument=None, tangent_broadcast=None, rank=None, full_reduction=False, batched_fn=None,
           **facts) -> Primitive:
    """A full record: the reverse rule, the tangent rule and the batched form of `key` together."""
    return register(Primitive(key, tuple(adjoints), tuple(tangents), tangent_fn, broadcast,
                              None if batched is None else tuple(batched), pointwise, rank_of_argument,
                              dict(facts, kind=facts.get("kind", "rule")), tangent_broadcast, rank, full_reduction,
                              batched_fn=batched_fn))


def read_first(p: Primitive, lowered: Callable, parameters: tuple = ()) -> Primitive:
    """`p`, its calls read first by `lowered(materialise, *args, **kwargs)` (keyword arguments too, placed by
    `parameters` where given): a composition where p's rules do not apply (np.cov(x, y) as np.cov of the joined
    rows), else `ir.Call(p.key, args, kwargs)`, the call itself with p's rules."""
    facts = dict(p.facts, keywords=True, **({"parameters": parameters} if parameters else {}))
    return register(dataclasses.replace(p, lowered=lowered, facts=facts))


def composite(key: str, lowered: Callable) -> Primitive:
    """`key` is read as the composition `lowered(materialise, *args)` builds; it needs no rules of its own."""
    return register(Primitive(key, lowered=lowered, facts={"kind": "composite"}))


def same(value, default) -> bool:
    """Is `value`, a constant argument of the call (not a Sym), its parameter's default?"""
    return not isinstance(value, Sym) and type(value) is type(default) and value == default


def non_default(**pairs) -> dict:
    """The keyword arguments whose value differs from its default, given as name=(value, default), so that an
    emitted call spells only what the user spelled: `rt.cumsum_adjoint(g, x, axis=1)`."""
    return {k: v for k, (v, d) in pairs.items() if not same(v, d)}


def given(**pairs) -> dict:
    """The keyword arguments that were given (not None), passed on unchanged."""
    return {k: v for k, v in pairs.items() if v is not None}


def nondiff(*keys: str, elementwise: bool = False) -> None:
    """Keys whose results carry no derivative (`elementwise`: of the shape their operands broadcast to)."""
    registry.NONDIFF.update(keys)
    if elementwise:
        registry.NONDIFF_ELEMENTWISE.update(keys)


# ================================================================ elementwise: one partial derivative per argument

def elementwise(key: str, *partials, broadcast: bool = True, pointwise: bool = False, batched=None,
                tangent_broadcast: bool | None = None) -> Primitive:
    """`partials[i](ans, *args, **kwargs)` is d(result)/d(args[i]) elementwise (None: no derivative).

    Reverse mode: `g * partial` (with a quotient `a / b` spelled `g * a / b`, a negation `-g * q`);
    forward mode: `partial * d` (`a * d / b`, `-(q * d)`); a constant zero partial gives no tangent."""
    adjoints = tuple(None if p is None else _adjoint_of(p) for p in partials)
    tangents = tuple(None if p is None else _tangent_of(p) for p in partials)
    return register(Primitive(key, adjoints, tangents, None, broadcast, batched, pointwise,
                              facts={"kind": "elementwise", "partials": partials}, tangent_broadcast=tangent_broadcast))


def scalar(key: str, *partials, **options) -> Primitive:
    """An elementwise function of Python numbers (`math.sin`, `abs`): no broadcasting to undo."""
    return elementwise(key, *partials, **dict(dict(broadcast=False, pointwise=True), **options))


def _adjoint_of(partial):
    def adjoint(g, ans, *args, **kwargs):
        p, defs = _record(partial, ans, args, kwargs)
        return _Replay(defs).times_left(g, p)
    return _taking_operands_of(partial, adjoint, "g")


def _tangent_of(partial):
    def tangent(d, ans, *args, **kwargs):
        p, defs = _record(partial, ans, args, kwargs)
        return _Replay(defs).times_right(p, d)
    return _taking_operands_of(partial, tangent, "d")


def _taking_operands_of(partial, rule, first: str):
    """`rule` (an adjoint or a tangent rule made of `partial`), signed as taking `first` and then the partial's
    operands by their names: an operand passed by keyword (np.nan_to_num(z, nan=v)) takes its adjoint, and the
    keywords the rule takes are the partial's (`applied` refuses any other)."""
    try:
        rule.__signature__ = inspect.Signature(
            [inspect.Parameter(first, inspect.Parameter.POSITIONAL_OR_KEYWORD)] +
            list(inspect.signature(partial).parameters.values()))
    except (TypeError, ValueError):
        pass
    return rule


def _record(partial, ans, args, kwargs):
    """Evaluate `partial` aside: its value and the statements that compute it (name -> call), emitted later
    only as far as the product with the adjoint or tangent needs them, in the order it needs them."""
    outer = getattr(symbolic._active, "emitter", None)
    counter = [0]

    def fresh():
        counter[0] += 1
        return f"__partial{counter[0]}"
    scratch = Emitter(fresh, outer.loc if outer is not None else None,
                      dict(outer.negations) if outer is not None else None,
                      outer.nonfloat if outer is not None else frozenset())
    symbolic._active.emitter = scratch
    try:
        value = partial(ans, *args, **kwargs)
    finally:
        symbolic._active.emitter = outer
    return value, {s.target: s.value for s in scratch.stmts}


class _Replay:
    def __init__(self, defs: dict):
        self.defs = defs
        self.done: dict = {}

    def _node(self, v):
        if isinstance(v, Sym) and isinstance(v.atom, ir.Var) and v.atom.name in self.defs:
            call = self.defs[v.atom.name]
            if not call.kwargs:
                return call.op, [lift(a) for a in call.args]
        return None, None

    def value(self, v):
        """The real value of `v`: its statements emitted (once each) into the active emitter."""
        if not isinstance(v, Sym) or not isinstance(v.atom, ir.Var) or v.atom.name not in self.defs:
            return v
        name = v.atom.name
        if name not in self.done:
            call = self.defs[name]
            args = [self.value(lift(a)) for a in call.args]
            kwargs = {k: self.value(lift(a)) for k, a in call.kwargs}
            self.done[name] = emit(call.op, *args, **kwargs)
        return self.done[name]

    def times_left(self, g, p):
        """g * p, spelled as a person would: -g * q, g * a / b, g * a * c."""
        op, a = self._node(p)
        if op == "neg":
            return self.times_left(emit("neg", g), a[0])
        if op == "truediv":
            return emit("truediv", self.times_left(g, a[0]), self.value(a[1]))
        if op == "mul" and not isinstance(a[0], numbers.Number):
            return emit("mul", self.times_left(g, a[0]), self.value(a[1]))
        return emit("mul", g, self.value(p))

    def times_right(self, p, d):
        """p * d: -(q * d), a * d / b, -(a * d) / b, a * (c * d); a constant zero stays 0.0 (no tangent).
        As in times_left, d meets a product's factors one at a time: the partial alone may overflow where the
        tangent does not (1 / y's -ans * ans at ans = 1e200 is inf, -ans * (ans * d) with d = 1e-200 is -1e200)."""
        if isinstance(p, numbers.Number) and not isinstance(p, bool) and p == 0:
            return 0.0
        op, a = self._node(p)
        if op == "neg":
            inner, b = self._node(a[0])
            if inner == "truediv":
                return emit("truediv", emit("neg", self.times_right(b[0], d)), self.value(b[1]))
            return emit("neg", self.times_right(a[0], d))
        if op == "truediv":
            return emit("truediv", self.times_right(a[0], d), self.value(a[1]))
        if op == "mul" and not isinstance(a[0], numbers.Number) and not isinstance(a[1], numbers.Number):
            return emit("mul", self.value(a[0]), self.times_right(a[1], d))
        return emit("mul", self.value(p), d)


# ================================================================ linear and multilinear functions

def linear(key: str, *transposes, tangent=None, batched=None, elementwise: bool = False, rank_of_argument=None,
           rank=None, full_reduction: bool = False, of_shape: bool = False, axis_reduction: bool = False) -> Primitive:
    """`key` is linear (jointly) in the arguments whose transpose is given (None: not linear in it, or only a
    shape). The tangent contribution of such an argument is `key` applied with its tangent in its place and
    0.0 in the other linear places (`tangent=` replaces that where another spelling is better); its adjoint
    is `transposes[i](g, ans, *args, **kwargs)`, or for `SELF` (a diagonal map) `key` with g in its place."""
    places = [i for i, t in enumerate(transposes) if t is not None]
    adjoints = tuple(None if t is None else _self_transpose(key, i, places) if t == SELF else t
                     for i, t in enumerate(transposes))
    if tangent is None:
        tangents = tuple(None if t is None else _apply_at(key, i, places) for i, t in enumerate(transposes))
    else:
        tangents = tuple(tangent) if isinstance(tangent, (tuple, list)) else (tangent,)
    return register(Primitive(key, adjoints, tangents, None, elementwise, batched, False, rank_of_argument,
                              facts={"kind": "linear"}, rank=rank, full_reduction=full_reduction, of_shape=of_shape,
                              axis_reduction=axis_reduction))


def _apply_at(key: str, i: int, places: list):
    def part(d, ans, *args, **kwargs):
        new = list(args)
        for j in places:
            if j < len(new):
                new[j] = 0.0
        new[i] = d
        return emit(key, *new, **kwargs)
    return part


def _self_transpose(key: str, i: int, places: list):
    part = _apply_at(key, i, places)
    return lambda g, ans, *args, **kwargs: part(g, ans, *args, **kwargs)


def multilinear(key: str, *adjoints, batched=None, elementwise: bool = False, tangent_op: str | None = None,
                rank_of_argument=None, rank=None, full_reduction: bool = False,
                matrix_product: bool = False, elementwise_product: bool = False, batched_fn=None) -> Primitive:
    """`key` is linear in each argument with an adjoint, separately (a product): the tangent is the sum over
    those arguments of `key` with that one replaced by its tangent, `f(dx, y) + f(x, dy)`. `tangent_op`
    spells the tangent's call with another key ('matmul': `dx @ y` for np.matmul)."""
    op = tangent_op or key

    def part(i):
        def tangent(d, ans, *args, **kwargs):
            new = list(args)
            new[i] = d
            return emit(op, *new, **kwargs)
        return tangent
    tangents = tuple(None if a is None else part(i) for i, a in enumerate(adjoints))
    return register(Primitive(key, tuple(adjoints), tangents, None, elementwise, batched, False, rank_of_argument,
                              facts={"kind": "multilinear"}, rank=rank, full_reduction=full_reduction,
                              matrix_product=matrix_product, elementwise_product=elementwise_product,
                              batched_fn=batched_fn))


def bilinear(key: str, adjoint_a, adjoint_b, **options) -> Primitive:
    """A product of its first two arguments: tangent `f(da, b, ...) + f(a, db, ...)`."""
    return multilinear(key, adjoint_a, adjoint_b, **options)


# ================================================================ refusals and readings as other primitives

# what to write instead of a keyword argument that has no rule, for the keywords NumPy's functions share
KEYWORD_FIXES = {
    "where": "select the entries instead, twice, so that the left-out ones (NaN, or out of the domain) enter no "
             "derivative: np.where(mask, np.log(np.where(mask, x, 1.0)), 0.0) for np.log(x, where=mask) (the "
             "reductions np.sum, np.mean, np.max, np.var, ... take where= as it is)",
    "initial": "combine it with the result instead: np.maximum(np.max(x), initial), np.sum(x) + initial",
    "dtype": "convert the operand instead (x.astype(np.float64)), or leave dtype= out",
    "casting": "leave casting= out",
    "order": "leave order= out",
    # (np.interp's values outside the sample points)
    "left": "select them yourself: np.where(x < xp[0], left, np.interp(x, xp, fp))",
    "right": "select them yourself: np.where(x > xp[-1], right, np.interp(x, xp, fp))",
}


def applied(key: str, fn: Callable, *args, **kwargs):
    """`fn(*args, **kwargs)`, a rule function of `key`'s record (an adjoint or a tangent part), called by the
    transformations. A keyword argument of the call that `fn` does not take is refused at the user's line,
    naming it, where it would have raised a TypeError inside the rule: a rule takes the keywords it has a
    derivative for."""
    if kwargs:
        taken = _keywords_taken(fn)
        for k in kwargs:
            if taken is not None and k not in taken:
                refuse(key, f"its keyword argument {k}= has no derivative rule in s2s",
                       KEYWORD_FIXES.get(k, f"leave {k}= out, or write the computation without it"))
    return fn(*args, **kwargs)


_TAKEN: dict = {}  # rule function -> the keyword names it takes (None: any); inspect.signature is slow


def _keywords_taken(fn: Callable):
    if fn in _TAKEN:
        return _TAKEN[fn]
    try:
        params = inspect.signature(fn).parameters.values()
        taken = None if any(p.kind is p.VAR_KEYWORD for p in params) else \
            frozenset(p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
    except (TypeError, ValueError):
        taken = None
    _TAKEN[fn] = taken
    return taken


def refuse(key: str, why: str, fix: str):
    """Raise a NonDifferentiableError for the call of `key` whose rule is being applied, located at the user's
    line (the active emitter's): a derivative s2s cannot make exact for this call as written, with `fix`, what
    to write instead. Rules call it where they meet such a call (a modular pow, a median's method='lower')."""
    loc = getattr(getattr(symbolic._active, "emitter", None), "loc", None)
    raise NonDifferentiableError(prims.spelling(key), loc.file if loc is not None and loc.file else "<unknown>",
                                 loc.line if loc is not None else 0, loc.text if loc is not None else "", why, fix)


def reading(key: str, lowered: Callable, refusal: Callable | None = None, parameters: tuple = ()) -> Primitive:
    """`key` is read as the composition `lowered(materialise, *args)` builds (`divmod(x, y)` as
    `(x // y, x % y)`, whose parts have rules); a call `lowered` keeps as it is (`ir.Call(key, args)`: a
    modular `pow(x, y, m)`) has `refusal(*args, **kwargs)`, raising through `refuse`, for its rule in every
    mode, so that no derivative passes through it unrefused. `parameters` ((name, default) in order, `REQUIRED`
    for none) places the keyword arguments (`pow(base=x, exp=y)`) before the call is read."""
    adjoints = tangents = ()
    if refusal is not None:
        n = max(len(parameters), 3)
        adjoints = tuple(lambda g, ans, *args, **kwargs: refusal(*args, **kwargs) for _ in range(n))
        tangents = tuple(lambda d, ans, *args, **kwargs: refusal(*args, **kwargs) for _ in range(n))
    facts = {"kind": "reading", "parameters": parameters} if parameters else {"kind": "reading"}
    return register(Primitive(key, adjoints, tangents, lowered=lowered, facts=facts))


def alias(key: str, target: str, parameters: tuple, place: Callable, instead: str) -> Primitive:
    """`key`, another spelling of the primitive `target` (NumPy 2's np.linalg.trace for np.trace over the last
    two axes), read as a call of it: `place(args)` gives target's positional arguments from key's (keyword
    arguments placed by `parameters` first) or the whole call, or None for a call `target` cannot spell, which
    stays a call of `key` and is refused where differentiated (`instead`: what to write)."""
    def lowered(materialise, *args):
        new = place(args)
        if new is None:
            return ir.Call(key, tuple(args))
        return new if isinstance(new, ir.Call) else ir.Call(target, tuple(new))

    def refusal(*args, **kwargs):
        refuse(key, f"{prims.spelling(key)} with these arguments has no derivative rule in s2s", f"write {instead}")
    return reading(key, lowered, refusal, parameters)


def constant_is(atom, value) -> bool:
    """Is `atom` (an argument as the front end gives it) the constant `value` (None, 0, -1)?"""
    return isinstance(atom, ir.Const) and type(atom.value) is type(value) and atom.value == value
