"""Symbolic values for writing derivative rules as ordinary expressions.

A rule such as `lambda g, ans, x: g * (1 - ans ** 2)` is called with `Sym`
values; each operation appends a three-address statement to the active
`Emitter` and returns the `Sym` of its result. Constants stay Python numbers,
so `x ** (2 - 1)` emits `x ** 1`, which the builder simplifies to `x`.
The proxies `np`, `math` and `rt` spell calls to numpy, math and
`s2s.runtime` exactly as generated code will.
"""
from __future__ import annotations

import numbers
import threading

from s2s import ir, prims

_active = threading.local()  # .emitter: the Emitter collecting this thread's rule statements (or None)


class Emitter:
    """Collects the statements a rule emits; `fresh()` names its temporaries.

    `negations` (name -> negated atom) remembers every `-x` emitted, shared
    across the rules of one transformation, so that a sign can move out of a
    product or quotient even when an earlier rule made it."""

    def __init__(self, fresh, loc=None, negations: dict | None = None, nonfloat=frozenset()):
        self.fresh = fresh
        self.stmts: list = []
        self.loc = loc
        self.negations = {} if negations is None else negations
        self.nonfloat = nonfloat  # names that may hold bools or integers (analysis.floats): `1.0 * m` stays
        self.tests: set = set()  # the temporaries this emitter made of a comparison or a logical operation: so too

    def __enter__(self):
        # (an attribute store, not a call: no signal handler can run between it and the `with` body, so a
        # Ctrl-C cannot leave a stale emitter behind; rules never nest)
        _active.emitter = self
        return self

    def __exit__(self, *exc):
        _active.emitter = None


def _current():
    em = getattr(_active, "emitter", None)
    if em is None:
        raise RuntimeError("a symbolic rule value was used outside an Emitter")
    return em


def to_atom(v) -> ir.Atom:
    if isinstance(v, Sym):
        return v.atom
    if isinstance(v, (ir.Var, ir.Const)):
        return v
    return ir.Const(v)


def lift(atom: ir.Atom):
    """The value a rule sees for an operand: a Python constant or a Sym."""
    if isinstance(atom, ir.Const):
        return atom.value
    return Sym(atom)


def _is_num(v, value) -> bool:
    return type(v) is not Sym and isinstance(v, numbers.Number) and not isinstance(v, bool) and v == value


def _floating(v) -> bool:
    """Is `v` a float (a symbolic value not known to the active Emitter as a possible bool or integer), so that
    `v * 1.0` is `v` and `v * -1.0` is `-v`? A bool mask times 1.0 is a float, and -mask an error."""
    if type(v) is Sym:
        em = getattr(_active, "emitter", None)
        return em is None or type(v.atom) is not ir.Var or v.atom.name not in em.nonfloat \
            and v.atom.name not in em.tests
    return type(v) is float


def emit(op: str, *args, **kwargs):
    """Apply primitive `op`, simplifying identities where they keep a float a float; returns a Sym (or a
    constant)."""
    a = args
    if op == "mul":
        if _is_num(a[0], 1) and _floating(a[1]):
            return a[1]
        if _is_num(a[1], 1) and _floating(a[0]):
            return a[0]
        if _is_num(a[0], -1) and _floating(a[1]):
            return emit("neg", a[1])
        if _is_num(a[1], -1) and _floating(a[0]):
            return emit("neg", a[0])
    elif op == "add":
        if _is_num(a[0], 0) and _floating(a[1]):
            return a[1]
        if _is_num(a[1], 0) and _floating(a[0]):
            return a[0]
    elif op == "sub":
        if _is_num(a[1], 0) and _floating(a[0]):
            return a[0]
        if _is_num(a[0], 0) and _floating(a[1]):
            return emit("neg", a[1])
    elif op == "truediv" and _is_num(a[1], 1) and _floating(a[0]):
        return a[0]
    elif op == "pow" and _is_num(a[1], 1) and _floating(a[0]):
        return a[0]
    elif op == "neg" and isinstance(a[0], numbers.Number):
        return -a[0]
    if op in ("mul", "truediv") and not kwargs and any(_negative(v) for v in a) \
            and not all(isinstance(v, numbers.Number) for v in a):
        # -2.0 * y  ->  -(2.0 * y), for the same reason
        return emit("neg", emit(op, *[-v if _negative(v) else v for v in a]))
    if op in ("mul", "truediv") and not kwargs:
        # -(a) * b  ->  -(a * b): the sign moves out, where `x + -y` becomes `x - y`
        inner = [_negated(v) for v in a]
        if inner[0] is not None or inner[1] is not None:
            x = inner[0] if inner[0] is not None else a[0]
            y = inner[1] if inner[1] is not None else a[1]
            if inner[0] is not None and inner[1] is not None:
                return emit(op, x, y)
            return emit("neg", emit(op, x, y))
    if op == "neg" and _negated(a[0]) is not None:
        return _negated(a[0])
    if op in ("add", "sub", "mul", "truediv", "pow") and all(
            isinstance(v, numbers.Number) and not isinstance(v, bool) for v in a):
        return prims.CONSTANT_OPS[op](a[0], a[1])
    em = _current()
    name = em.fresh()
    call = ir.Call(op, tuple(to_atom(v) for v in args), tuple((k, to_atom(v)) for k, v in kwargs.items()))
    em.stmts.append(ir.Assign(name, call, em.loc))
    if op == "neg":
        em.negations[name] = call.args[0]
    elif op in _TESTS:
        em.tests.add(name)
    return Sym(ir.Var(name))


_TESTS = set(prims.COMPAREOPS) | set(prims.BOOLOPS) | {"not", "invert", "bitand", "bitor", "bitxor"}


def _negative(v) -> bool:
    return type(v) is not Sym and isinstance(v, numbers.Real) and not isinstance(v, bool) and v < 0


def _negated(v):
    """If `v` was emitted as `-x` by the active rule, the Sym of x."""
    em = getattr(_active, "emitter", None)
    if not isinstance(v, Sym) or not isinstance(v.atom, ir.Var) or em is None:
        return None
    inner = em.negations.get(v.atom.name)
    return lift(inner) if inner is not None else None


# ---------------------------------------------------------------- derivatives of x ** y, exact where x is 0

def power_slope(ans, x, y, power=None):
    """d(x ** y)/dx = y * x ** (y - 1); 0 for a constant y == 0 (x ** 0 is constant), where the formula
    would read 0 * 0 ** -1 at x = 0 (inf or ZeroDivisionError). At x = 0 and y >= 1 the formula is exact.
    For a constant y < 0, y * ans / x: x ** (y - 1) overflows before x ** y does (x ** -2.0 is inf at x = 1e-160,
    where 1 / x is 1e160), and the adjoint or tangent then meets ans first. `power(x, e)` is the power the
    derivative takes (np.power for NumPy's: a Python float x is then raised as NumPy raises it, nan and inf
    where Python's ** raises or turns complex); the operator ** by default. An exponent known only at run
    time (x ** n) may be 0 there: rt.power_slope gives 0 then."""
    if _is_num(y, 0):
        return 0.0
    if not isinstance(y, numbers.Number):
        return rt.power_slope(x, y)
    if _is_num(y, 2):
        return y * x  # (2 * x ** 1 is 2 * x for a bool or an integer x too: the product makes it a number)
    if _negative(y):
        return y * ans / x
    return y * (x ** (y - 1) if power is None else power(x, y - 1))


def power_log(ans, x, log):
    """d(x ** y)/dy = x ** y * log(x); 0 for a constant x == 0 (0 ** y is 0 for y > 0), where the formula
    would read 0 * log(0) (nan, or a math domain error). `log` is np.log or math.log; a base known only at
    run time may be 0 there: rt.log_or_zero gives 0 then."""
    if _is_num(x, 0):
        return 0.0
    if not isinstance(x, numbers.Number):
        return ans * rt.log_or_zero(x)
    return ans * log(x)


def quotient_slope(ans, x, y):
    """d(x / y)/dy = -(x / y) / y; for a constant x == 1, -ans * ans, which reads the result alone (a reversed
    loop has it saved or at hand: `1.0 / (1.0 + np.exp(-z))` then needs neither `1.0 + np.exp(-z)` again nor
    its stack)."""
    if _is_num(x, 1):
        return -(ans * ans)
    return -ans / y


class Sym:
    __slots__ = ("atom",)

    def __init__(self, atom: ir.Atom):
        self.atom = atom

    def __repr__(self):
        return f"Sym({self.atom})"

    __add__ = lambda s, o: emit("add", s, o)
    __radd__ = lambda s, o: emit("add", o, s)
    __sub__ = lambda s, o: emit("sub", s, o)
    __rsub__ = lambda s, o: emit("sub", o, s)
    __mul__ = lambda s, o: emit("mul", s, o)
    __rmul__ = lambda s, o: emit("mul", o, s)
    __truediv__ = lambda s, o: emit("truediv", s, o)
    __rtruediv__ = lambda s, o: emit("truediv", o, s)
    __floordiv__ = lambda s, o: emit("floordiv", s, o)
    __mod__ = lambda s, o: emit("mod", s, o)
    __pow__ = lambda s, o: emit("pow", s, o)
    __rpow__ = lambda s, o: emit("pow", o, s)
    __matmul__ = lambda s, o: emit("matmul", s, o)
    __rmatmul__ = lambda s, o: emit("matmul", o, s)
    __neg__ = lambda s: emit("neg", s)
    __pos__ = lambda s: s
    __gt__ = lambda s, o: emit("gt", s, o)
    __ge__ = lambda s, o: emit("ge", s, o)
    __lt__ = lambda s, o: emit("lt", s, o)
    __le__ = lambda s, o: emit("le", s, o)

    def __getitem__(self, index):
        parts = index if isinstance(index, tuple) else (index,)
        return emit("getitem", self, *parts)

    @property
    def T(self):
        return emit(prims.ATTRIBUTES["T"], self)

    @property
    def shape(self):
        return emit(prims.SHAPE, self)

    @property
    def ndim(self):
        return emit(prims.NDIM, self)


class ModuleProxy:
    """`np.cos(x)` inside a rule emits a call to 'numpy.cos'."""

    def __init__(self, prefix: str):
        self._prefix = prefix

    def __getattr__(self, name: str):
        if name in ("linalg", "random", "fft"):
            return ModuleProxy(f"{self._prefix}.{name}")
        key = f"{self._prefix}.{name}"
        return lambda *args, **kwargs: emit(key, *args, **kwargs)


np = ModuleProxy("numpy")
math = ModuleProxy("math")
rt = ModuleProxy("s2s.runtime")
builtins = ModuleProxy("builtins")
