"""The SSA intermediate representation: small typed dataclasses, no behaviour.

A `Function` is a list of statements. Straight-line statements are
three-address `Assign`s whose value is an atom (`Var`/`Const`) or a primitive
`Call`. Control flow stays structured (Braun et al. 2013 specialised to
structured code): `If` and `Loop` hold nested statement lists, and the values
that merge at their joins are explicit `Phi`s. Every name is assigned once,
except a loop's header phis, which codegen lowers to assignments before the
loop and at each back edge.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Loc:
    """Where a statement came from in the user's source."""

    line: int
    text: str = ""
    adjoint: bool = False  # emitted by the reverse sweep for this line
    file: str = ""  # the user's file (that of a helper the function calls, when inlined)
    scope: str = ""  # the user's function the line belongs to (the helper's, when inlined)
    # a helper's line, inlined: the user's calls that led to it, innermost first ((file, line, text, helper), ...),
    # as S2SError.calls names them (errors.called_from)
    calls: tuple = ()


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True, eq=False)
class Const:
    """A constant. Two are equal where their values are of one type and equal: `2` is not `2.0` nor `True`
    (Python's `==` says they are, and a phi joining `2` and `2.0`, CSE merging `x * 2` with `x * 2.0`, would
    change a value's type)."""

    value: object

    def __eq__(self, other):
        return type(other) is Const and const_key(self.value) == const_key(other.value)

    def __hash__(self):
        return hash(const_key(self.value))


def const_key(v):
    """`v` with its type (and a float zero's sign: -0.0 is not 0.0), all the way into tuples and slices: what
    tells two constants apart (hashable where v's parts are)."""
    if type(v) is tuple:
        return tuple, tuple(const_key(x) for x in v)
    if type(v) is slice:  # (hashable only from Python 3.12)
        return slice, const_key(v.start), const_key(v.stop), const_key(v.step)
    if type(v) is float and v == 0.0:
        return float, v, str(v)
    return type(v), v


Atom = Union[Var, Const]


@dataclass(frozen=True)
class Call:
    """A primitive applied to atoms. `op` is a key of `s2s.prims` ('mul', 'math.exp', ...)."""

    op: str
    args: tuple = ()
    kwargs: tuple = ()  # ((name, atom), ...)


Expr = Union[Var, Const, Call]


@dataclass
class Assign:
    target: str
    value: Expr
    loc: Loc | None = None
    inplace: bool = False  # `y op= v`: NumPy updates an array in place, Python rebinds a number (see alias.py)
    restores: str | None = None  # a reversed loop's stack pop: the forward name whose value it restores
    temp: bool = False  # a compiler temporary (`t3`): codegen may fold it into its single use
    adjoint: bool = False  # an adjoint the reverse pass made (`bx`): codegen may fold it into its use in a loop
    array: str | None = None  # a version of an array written in place (`y_1` after `y[i] = v`): the array's first name


@dataclass
class Effect:
    """A call kept for its effect only (stack pushes, in-place adjoint accumulation, print)."""

    value: Call
    loc: Loc | None = None


@dataclass
class Phi:
    """`target` takes `then` or `orelse` after an If; for a Loop, `init` then each back edge's operand."""

    target: str
    operands: list  # If: [then_atom, else_atom]; Loop: [init_atom, back_atom]
    temp: bool = False  # as Assign's: its name is a compiler temporary (what is computed into it may fold)
    adjoint: bool = False  # as Assign's: its name is an adjoint the reverse pass made
    array: str | None = None  # as Assign's: a version of an array written in place -> the array's first name


@dataclass
class If:
    test: Atom
    body: list
    orelse: list
    phis: list = field(default_factory=list)
    loc: Loc | None = None


@dataclass
class Loop:
    """`for target in iter` (kind 'for') or `while test` (kind 'while', `header` computes `test`).

    `phis` are the header phis: operand 0 enters from before the loop, operand 1
    from the end of the body (and every `Continue`). After the loop, a header
    phi's name holds its value at exit (a `Break` supplies its own operands).
    """

    kind: str
    phis: list
    body: list
    target: str | tuple | None = None  # for-loops: the per-iteration value (a tuple of names unpacks it)
    iter: Atom | None = None  # for-loops: the iterable
    header: list = field(default_factory=list)  # while-loops: statements computing `test`
    test: Atom | None = None
    loc: Loc | None = None
    restores: dict = field(default_factory=dict)  # a reversed loop walking its stacks: target -> forward name


@dataclass
class Break:
    """Leave the innermost loop; `values` are the header phis' exit values (target -> atom)."""

    values: dict = field(default_factory=dict)
    loc: Loc | None = None


@dataclass
class Continue:
    """Go to the next iteration; `values` are the back-edge operands (target -> atom)."""

    values: dict = field(default_factory=dict)
    loc: Loc | None = None


@dataclass
class Return:
    value: Atom
    loc: Loc | None = None


@dataclass
class Signature:
    """How the parameters of a function that has more than positional ones are passed (`def f(x, *args,
    k=1.0, **options)`). `Function.params` lists them all, in order: the `positional` first ones, then `vararg`
    (a tuple), the keyword-only `kwonly`, then `kwarg` (a dict); parameters a transformation appends (a
    tangent `dx`, a pullback's seed) are keyword-only."""

    positional: int
    vararg: str | None = None
    kwonly: tuple = ()
    kwdefaults: dict = field(default_factory=dict)  # keyword-only name -> default (a constant or a Var of data)
    kwarg: str | None = None


@dataclass(frozen=True)
class Tangents:
    """How a function forward mode made takes its tangent parameters (`dx` for x, one per wrt entry, in order),
    after the parameters of the function it differentiates: by position (`jvp_f(x, a, dx)`), or by name where
    that function has more than positional parameters or has defaults (`keyword`: `jvp_f(x, a=2.0, *, dx)`).
    The forward stage says so once; whatever calls the generated code reads it (as `__s2s_tangents__`)."""

    names: tuple
    keyword: bool = False


@dataclass
class Function:
    name: str
    params: list  # parameter names
    body: list
    defaults: tuple = ()  # defaults of the last positional parameters: constants, or Vars of data in `free`
    filename: str = "<s2s>"
    docstring: str | None = None
    opaque: dict = field(default_factory=dict)  # free names of callables without rule or source -> user spelling
    source_name: str = ""  # the user's function this was made from
    free: dict = field(default_factory=dict)
    signature: Signature | None = None  # None: every parameter is positional
    floats: tuple = ()  # parameters that hold floats (or Python ints): those differentiated, checked on entry
    # (name, attribute, Loc) of each NumPy attribute or method read (`v.T`, `v.sum()`) on a value whose class the
    # front end does not know (an argument, a field of one): ad/data_uses.py has the call check it is an array
    array_reads: tuple = ()
    tangents: Tangents | None = None  # (forward mode's functions: how they take their tangent parameters)
    # a value a helper made that a name of the user's holds by a plain assignment (`r = rsum(a, 2)`: the helper's
    # `result`) -> (that name, the assignment's Loc): a refusal of a read of it names the user's (alias_errors)
    named: dict = field(default_factory=dict)

    def __deepcopy__(self, memo):
        """Passes copy the IR, never the user's data it refers to (`free` values are shared)."""
        out = copy.copy(self)
        for f in self.__dataclass_fields__:
            if f != "free":
                setattr(out, f, _copy(getattr(self, f), memo))
        out.free = dict(self.free)
        return out


# the nodes a pass may change in place: copied; Var, Const, Call and Loc are frozen and shared
_MUTABLE_NODES = frozenset({Assign, Effect, Phi, If, Loop, Break, Continue, Return, list, dict})
_IMMUTABLE = (str, int, float, complex, bool, type(None), type(Ellipsis), bytes, Var, Loc)
_SHARED = frozenset(_IMMUTABLE)


def _copy(obj, memo: dict):
    """`copy.deepcopy(obj, memo)` of IR in linear time: the frozen nodes (names, constants of immutable
    values, calls on them, locations) are shared, not rebuilt; what a pass may mutate is copied."""
    cls = type(obj)
    if cls in _SHARED:
        return obj
    if cls in _MUTABLE_NODES:
        found = memo.get(id(obj))
        if found is not None:
            return found
        if cls is list:
            out = memo[id(obj)] = []
            out.extend([x if type(x) in _SHARED else _copy(x, memo) for x in obj])
        elif cls is dict:
            out = memo[id(obj)] = {}
            for k, v in obj.items():
                out[k if type(k) in _SHARED else _copy(k, memo)] = v if type(v) in _SHARED else _copy(v, memo)
        else:  # a dataclass node: what copy.copy does, then its fields copied in turn
            out = memo[id(obj)] = object.__new__(cls)
            out.__dict__ = {k: v if type(v) in _SHARED else _copy(v, memo) for k, v in obj.__dict__.items()}
        return out
    if cls is Call:
        for a in obj.args:
            if type(a) is not Var and not (type(a) is Const and _frozen_value(a.value)):
                return _deepcopy(obj, memo)
        for _, a in obj.kwargs:
            if type(a) is not Var and not (type(a) is Const and _frozen_value(a.value)):
                return _deepcopy(obj, memo)
        return obj
    if cls is Const:
        return obj if _frozen_value(obj.value) else _deepcopy(obj, memo)
    if isinstance(obj, _IMMUTABLE):  # (a subclass: a NumPy float64)
        return obj
    if cls is tuple or cls is frozenset:
        items = [_copy(x, memo) for x in obj]
        return obj if all(a is b for a, b in zip(items, obj)) else cls(items)
    return _deepcopy(obj, memo)


def _frozen_value(v) -> bool:
    if type(v) in _SHARED or isinstance(v, _IMMUTABLE):
        return True
    return type(v) in (tuple, frozenset, slice) and all(_frozen_value(x) for x in (
        (v.start, v.stop, v.step) if type(v) is slice else v))


def _deepcopy(obj, memo):
    return copy.deepcopy(obj, memo)


Stmt = Union[Assign, Effect, If, Loop, Break, Continue, Return]


# --------------------------------------------------------------------------- generic traversal

def blocks(s) -> tuple:
    """The statement lists nested directly in `s`: an If's body and orelse, a Loop's header and body."""
    cls = type(s)
    if cls in _STRAIGHT:  # (the common case first: one lookup)
        return ()
    if isinstance(s, If):
        return (s.body, s.orelse)
    if isinstance(s, Loop):
        return (s.header, s.body)
    return ()


_STRAIGHT = frozenset({Assign, Effect, Return, Break, Continue})


def operands(s) -> list:
    """The atoms `s` itself reads (not those of its nested blocks): a value's arguments, an if's test, a
    loop's iterable and test, phi operands, jump values. A phi operand not yet known is None: left out."""
    cls = type(s)
    if cls is Assign or cls is Effect or isinstance(s, (Assign, Effect)):
        v = s.value
        if type(v) is Call:  # (the common case: no kwargs, one list)
            return [*v.args, *[a for _, a in v.kwargs]] if v.kwargs else list(v.args)
        return list(v.args) + [a for _, a in v.kwargs] if isinstance(v, Call) else [v]
    if isinstance(s, Return):
        return [s.value]
    if isinstance(s, (Break, Continue)):
        return list(s.values.values())
    out = []
    if isinstance(s, If):
        out.append(s.test)
    elif isinstance(s, Loop):
        out += [a for a in (s.iter, s.test) if a is not None]
    if isinstance(s, (If, Loop)):
        out += [o for p in s.phis for o in p.operands if o is not None]
    return out


def statements(stmts: list):
    """Every statement of `stmts` and of the blocks nested in them, each before its nested ones."""
    for s in stmts:
        yield s
        if type(s) not in _STRAIGHT:
            for block in blocks(s):
                yield from statements(block)
