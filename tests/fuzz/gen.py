"""A seeded generator of random programs in the subset of Python that s2s supports.

`generate(seed, level)` returns a `Program`: the text of a module (imports, helper
functions, and the entry point `f`), the arguments to call `f` with and the
`wrt` to differentiate with respect to.  The same (seed, level) always gives the
same program.

Levels (each level also uses what the lower levels use):

1. straight-line scalar code: arithmetic, math.* functions, tuple unpacking,
   augmented assignment, reassignment of names and parameters, conditional
   expressions, and/or, small helper calls;
2. control flow: if/elif/else, for over range (1-3 arguments, negative steps,
   empty ranges), arrays, lists, tuples, enumerate, zip, reversed; nested loops;
   bounded while loops with data-dependent conditions; break/continue at every
   depth (some never taken); return inside loops; names first assigned in a loop
   or a branch; loops with else;
3. NumPy: ufuncs, reductions with axis/keepdims, @ and np.dot, indexing, slices,
   fancy indices with repeats, element and slice writes into arrays the function
   made (reading the element written too), buffers filled in loops, += on
   arrays, views (slices, .T, reshape, ravel) and aliases, and the aliasing patterns of aliasing.py (views
   read then written through, copies, second names, in-place operators in loops and branches, writes that
   read the same array, containers holding arrays, loops over the arrays they write);
4. calls and containers: helper functions with defaults and keyword arguments,
   bounded recursion, tuples/lists/dicts of parameters (gradients of containers),
   tuple results;
5. the constructs of issue 10/14 (constructs.py): nested defs, lambdas and
   functools.partial reading the function's variables, functions passed to
   helpers, s2s.grad(helper) inside the function, lists grown with append/extend/
   `xs + [v]`, comprehensions and generator expressions, dict displays, starred
   calls and unpacking, recursion with a depth, .astype/.item, keyword-only and
   computed defaults, `with np.errstate(...)`.  Nothing of it runs below level 5,
   so levels 1-4 make the programs they made before it;
6. NumPy breadth (numpy_breadth.py): most of s2s's NumPy rules the levels below
   never call (reductions with axis=/keepdims=, np.cumprod, np.einsum, np.linalg's
   solve/inv/det/cholesky, np.tile/np.repeat/np.take, boolean masks, strided
   slices, stacking, scipy.special), composed with everything of level 5, on
   mostly vector and matrix parameters.  Nothing of it runs below level 6;
7. the constructs the hunts of hunt3 found wrong (hunt3.py): lists of lists and
   layers [[W1, b1], [W2, b2]] looped over, helpers appending to the caller's
   list, helpers with tested defaults, sum(nested, []), tuples grown in loops,
   a class's attributes (Config.w), dtype=/astype (int dtypes too), 0-d arrays,
   dict .items()/.values() loops, int arguments.  Nothing of it runs below level 7;
8. the constructs of rounds 12-16 (level8.py): optimizer steps over item loops
   (`for p, g in zip(ps, gs): p -= lr * g`, enumerate, dict .values()/.items())
   on copied parameters, nested `for _` loops, reused loop variables, for-else,
   while True with break, lists grown in branches and nested loops, next(filter),
   functools.reduce, itertools.accumulate/takewhile/..., math.prod,
   statistics.fmean, sorted/max with key=, defaultdict accumulators, list item
   writes, running sums started as NumPy scalars, 0-d arrays or ints.  Nothing of
   it runs below level 8;
9. the constructs of round 17's hunts (level9.py): containers read as a dict on
   one path and iterated or unpacked on another (isinstance/type/hasattr tests),
   lists of numbers written by slot, recursive helpers (chains, trees, halving a
   sequence, draws from a Generator), dataclasses and NamedTuples read in loops.
   Nothing of it runs below level 9.

Values stay bounded by construction (squashing with tanh/sin/atan in loops,
log(1 + x*x), division by 1 + x*x, exp of bounded arguments) so that central
finite differences are a trustworthy reference.
"""
from __future__ import annotations

import ast
import random
import re
from dataclasses import dataclass, field

import numpy as np

from .aliasing import AliasPatterns
from .constructs import Level5
from .hunt3 import Level7
from .level8 import Level8
from .level9 import Level9
from .numpy_breadth import Level6

SCALAR_NAMES = ["total", "acc", "prev", "tmp", "s", "t", "u", "r", "h", "loss", "val", "cur", "g", "q", "e", "d",
                "m", "best", "diff", "scale", "energy", "norm2", "gain"]
VECTOR_NAMES = ["y", "buf", "out", "vec", "arr", "ws", "cum", "res", "grid", "hist", "delta", "feat", "act"]
MATRIX_NAMES = ["M", "A", "B", "K", "W2", "cov", "prod"]
INT_NAMES = ["i", "j", "k", "idx", "it", "step", "pos"]
ELEM_NAMES = ["v", "xi", "el", "item", "elem", "a_i", "b_i", "row"]
COUNTER_NAMES = ["count", "n_iter", "steps", "tries"]
SCALAR_PARAMS = ["x", "y", "z", "a", "b", "c"]
VECTOR_PARAMS = ["x", "w", "v", "p", "q", "xs"]
MATRIX_PARAMS = ["X", "W", "S"]
CONTAINER_PARAMS = ["params", "pair", "theta", "coeffs", "state"]
HELPER_NAMES = ["helper", "smooth", "scale_by", "blend", "squash", "combine", "step_fn", "update", "mix", "bump"]
ALIASING = 2.0  # the weight of aliasing.py's patterns among a statement's choices (levels 3-5)
RISKY = 0.05   # how often to generate what s2s refuses today (so the refusals stay visible)
CONSTS = ["0.5", "1.5", "2.0", "0.25", "3.0", "-1.0", "0.1", "0.75", "-0.5", "1.0", "2"]
THRESH = ["0.0", "0.5", "1.0", "-0.5", "0.2", "-1.0", "1.5"]


@dataclass
class Program:
    seed: int
    level: int
    source: str
    params: list            # parameter names of f, in order
    args: list              # the arguments of the call
    wrt: object             # position, name, or tuple of them
    result: str             # "scalar", "vector" or "tuple"
    arg_specs: list = field(default_factory=list)  # kinds, to draw new arguments

    def draw_args(self, attempt: int) -> list:
        rng = random.Random(f"s2s-fuzz-args:{self.seed}:{self.level}:{attempt}")
        return [draw_value(rng, spec) for spec in self.arg_specs]


def draw_value(rng, spec):
    kind = spec[0]
    if kind == "f":
        shape = spec[1]
        if shape == ():
            if rng.random() < 0.05:
                return rng.choice([1, 2, -1])     # an int argument: differentiated as a float
            return round(rng.uniform(-1.6, 1.6), 4)
        return np.array([round(rng.uniform(-1.5, 1.5), 4) for _ in range(int(np.prod(shape)))]).reshape(shape)
    if kind == "n":   # a scalar parameter of level 7: a Python int on most draws
        return rng.choice([1, 2, 3, -1, -2]) if rng.random() < 0.6 else round(rng.uniform(-1.6, 1.6), 4)
    if kind == "c":
        _, ctype, inner = spec
        if ctype == "dict":
            return {key: draw_value(rng, s) for key, s in inner}
        values = [draw_value(rng, s) for s in inner]
        return tuple(values) if ctype == "tuple" else values
    raise ValueError(spec)


class Scope:
    """What is definitely assigned at a point: name -> kind.

    Kinds: ("f", shape) a float or an array; ("i", values) an int with the values
    it may have; ("c", ctype, inner) a container (inner: list of kinds, or list of
    (key, kind) for a dict).
    """

    def __init__(self, names=None, owned=None):
        self.names = dict(names or {})
        self.owned = set(owned or ())   # arrays the function made (element writes allowed)

    def copy(self):
        return Scope(self.names, self.owned)

    def meet(self, other):
        names = {k: v for k, v in self.names.items() if k in other.names and other.names[k] == v}
        for k, v in self.names.items():
            w = other.names.get(k)
            if v[0] == "L" and w is not None and w[:2] == v[:2] and w != v:
                names[k] = ("L", v[1], min(v[2], w[2]))   # a list grown in one branch: its shorter length
        return Scope(names, self.owned & other.owned)


class Gen(Level9, Level8, Level7, Level6, Level5, AliasPatterns):
    def __init__(self, seed: int, level: int):
        self.seed, self.level = seed, level
        self.rng = random.Random(f"s2s-fuzz:{seed}:{level}")
        self.n = self.rng.choice([3, 4])
        self.kinds = {}          # name -> "f<shape>" / "i" / "c": one type per name for the whole function
        self.helpers = []        # (name, params [(name, kind, default)], result kind, source)
        self.budget = 0
        self.result = "scalar"
        self.result_kind = ("f", ())
        self.in_helper = False
        self.unsafe = set()      # names an in-place operator on would be refused by s2s (aliases, views, loop items)
        self.init_level5()
        self.init_level6()
        self.init_level7()
        self.init_level8()
        self.init_level9()

    # ------------------------------------------------------------------ helpers
    def p(self, prob):
        return self.rng.random() < prob

    def choice(self, seq):
        return self.rng.choice(seq)

    def fresh(self, pool, kind_tag):
        free = [n for n in pool if n not in self.kinds]
        if free and self.p(0.9):
            name = self.choice(free)
        else:
            base = self.choice(pool)
            k = 2
            while f"{base}{k}" in self.kinds:
                k += 1
            name = f"{base}{k}"
        self.kinds[name] = kind_tag
        return name

    def loopvar(self, pool, tag, names):
        reuse = [n for n in pool if self.kinds.get(n) == tag and n not in names]
        if reuse and self.p(0.5):
            return self.choice(reuse)
        return self.fresh(pool, tag)

    def new_name(self, kind):
        if kind[0] == "f":
            shape = kind[1]
            pool = SCALAR_NAMES if shape == () else VECTOR_NAMES if len(shape) == 1 else MATRIX_NAMES
            return self.fresh(pool, kind)
        raise ValueError(kind)

    def const(self):
        return self.choice(CONSTS)

    # ------------------------------------------------------------------ leaves
    def container_leaves(self, scope):
        out = []
        for name, kind in scope.names.items():
            if kind[0] != "c":
                continue
            _, ctype, inner = kind
            if ctype == "dict":
                for key, k in inner:
                    if k[0] == "f":
                        out.append((f"{name}[{key!r}]", k[1]))
            else:
                for i, k in enumerate(inner):
                    if k[0] == "f":
                        out.append((f"{name}[{i}]", k[1]))
                        if i == len(inner) - 1 and self.p(0.3):
                            out.append((f"{name}[-1]", k[1]))
        return out

    def vars_of(self, scope, shape):
        return [n for n, k in scope.names.items() if k[0] == "f" and k[1] == shape]

    def ints(self, scope):
        return [n for n, k in scope.names.items() if k[0] == "i"]

    def index_ints(self, scope, length):
        return [n for n, k in scope.names.items() if k[0] == "i" and k[1] and all(-length <= v < length for v in k[1])]

    def leaf(self, scope, shape):
        cands = self.vars_of(scope, shape) + [e for e, s in self.container_leaves(scope) if s == shape]
        if shape == ():
            r = self.rng.random()
            ints = self.ints(scope)
            if r < 0.12 or not cands:
                return self.const()
            if r < 0.2 and ints:
                i = self.choice(ints)
                return self.choice([i, f"({i} * 0.5)", f"float({i})", f"({i} + 1)"])
            return self.choice(cands)
        if cands and self.p(0.85):
            return self.choice(cands)
        s = self.leaf(scope, ())
        if len(shape) == 1:
            m = shape[0]
            vecs = self.vars_of(scope, (self.n,))
            mats = self.vars_of(scope, (self.n, self.n))
            opts = [f"np.full({m}, {s})", f"{s} * np.ones({m})", f"np.linspace(-1.0, 1.0, {m}) * {s}",
                    f"np.arange({m}) * {s}"]
            if m == self.n - 1 and vecs:
                opts += [f"{self.choice(vecs)}[1:]", f"{self.choice(vecs)}[:-1]"]
            if m == self.n and mats:
                opts += [f"{self.choice(mats)}[0]", f"np.sum({self.choice(mats)}, axis=1)"]
            return f"({self.choice(opts)})"
        m = shape[0]
        vecs = self.vars_of(scope, (m,))
        opts = [f"{s} * np.eye({m})", f"np.full(({m}, {m}), {s})"]
        if vecs:
            opts += [f"np.outer({self.choice(vecs)}, {self.choice(vecs)})"] * 2
        return f"({self.choice(opts)})"

    # ------------------------------------------------------------------ expressions
    def expr(self, scope, kind, d=2):
        if kind[0] == "f":
            return self.sexpr(scope, d) if kind[1] == () else self.aexpr(scope, kind[1], d)
        raise ValueError(kind)

    def squash(self, e):
        return self.choice(["math.tanh({})", "math.sin({})", "math.atan({})", "np.tanh({})", "0.5 * math.cos({})"]).format(e)

    def sexpr(self, scope, d=2):
        if d <= 0 or self.p(0.25):
            return self.leaf(scope, ())
        L = lambda: self.leaf(scope, ())        # noqa: E731
        E = lambda: self.sexpr(scope, d - 1)    # noqa: E731
        lvl = self.level
        prods = [
            (4, lambda: f"({E()} + {E()})"),
            (3, lambda: f"({E()} - {E()})"),
            (4, lambda: f"({E()} * {E()})"),
            (2, lambda: (lambda b: f"({E()} / (1.0 + {b} * {b}))")(L())),
            (1, lambda: f"({L()} ** 2)"),
            (1, lambda: f"(-{E()})"),
            (1, lambda: f"abs({E()})"),
            (3, lambda: f"math.{self.choice(['sin', 'cos', 'tanh', 'atan'])}({E()})"),
            (1, lambda: f"np.{self.choice(['sin', 'cos', 'tanh', 'arctan'])}({E()})"),
            (1, lambda: f"math.exp(math.sin({E()}))"),
            (1, lambda: (lambda b: f"math.exp(-{b} * {b})")(L())),
            (1, lambda: (lambda b: f"math.log(1.0 + {b} * {b})")(L())),
            (1, lambda: (lambda b: f"math.sqrt(1.0 + {b} * {b})")(L())),
            (1, lambda: (lambda b: f"np.log1p({f'({b})' if b.startswith('-') else b} ** 2)")(L())),  # (-1.0 ** 2 is -1)
            (1, lambda: f"math.hypot({E()}, {L()})"),
            (1, lambda: f"{self.choice(['max', 'min'])}({E()}, {E()})"),
            (2, lambda: f"({E()} if {self.cond(scope, d - 1)} else {E()})"),
            (0.3, lambda: f"({L()} % 1.0)"),
            (0.2, lambda: f"({L()} // 1.0)"),
            (0.3, lambda: f"math.floor({L()})"),
        ]
        if lvl >= 2:
            prods += [(0.7, lambda: f"(({self.cond(scope, 0)} and {E()}) or {E()})"),
                      (0.3, lambda: f"({E()} or {E()})")]
        ints = self.ints(scope)
        if ints:
            prods += [(1.5, lambda: f"({E()} * {self.choice(ints)})")]
        vecs = [s for n, k in scope.names.items() if k[0] == "f" and len(k[1]) == 1 for s in [k[1]]]
        vecs += [s for _, s in self.container_leaves(scope) if len(s) == 1]
        mats = [n for n, k in scope.names.items() if k[0] == "f" and len(k[1]) == 2]
        if vecs:
            V = lambda: self.leaf(scope, self.choice(vecs)) if self.p(0.7) else self.aexpr(scope, self.choice(vecs), d - 1)  # noqa: E731

            def same():
                sh = self.choice(vecs)
                return self.aexpr(scope, sh, d - 1), self.leaf(scope, sh)

            def index():
                sh = self.choice(vecs)
                v = self.leaf(scope, sh)
                ix = self.index_ints(scope, sh[0])
                if ix and self.p(0.5):
                    return f"{v}[{self.choice(ix)}]"
                return f"{v}[{self.rng.randrange(-sh[0], sh[0])}]"
            prods += [
                (4, lambda: f"np.sum({V()})"),
                (2, lambda: f"np.mean({V()})"),
                (1, lambda: f"np.{self.choice(['max', 'min'])}({V()})"),
                (4, index),
                (2, lambda: (lambda ab: f"np.dot({ab[0]}, {ab[1]})")(same())),
                (1, lambda: (lambda ab: f"({ab[0]} @ {ab[1]})")(same())),
                (1, lambda: f"np.linalg.norm({V()})"),
                (1, lambda: f"{V()}.sum()"),
                (1, lambda: f"np.sum({V()} ** 2)"),
                (0.5, lambda: f"np.var({V()})"),
                (0.5, lambda: f"np.prod(np.tanh({V()}))"),
                (0.5, lambda: f"np.sum({V()}, axis=0)"),
            ]
        if mats:
            Mx = lambda: self.choice(mats)  # noqa: E731
            n = self.n
            prods += [
                (2, lambda: f"np.sum({Mx()})"),
                (1, lambda: f"{Mx()}[{self.rng.randrange(n)}, {self.rng.randrange(-n, n)}]"),
                (1, lambda: f"np.trace({Mx()})"),
                (1, lambda: f"np.mean({Mx()} * {Mx()})"),
                (0.5, lambda: f"{Mx()}.max()"),
                (0.5, lambda: f"np.sum({Mx()}, axis=(0, 1))"),
            ]
        scal_helpers = [h for h in self.helpers if h[2] == ("f", ())]
        if scal_helpers:
            prods += [(3 if lvl >= 4 else 1.5, lambda: self.call(scope, self.choice(scal_helpers), d - 1))]
        if lvl >= 5:
            prods += self.sexpr_level5(scope, d)
        if lvl >= 6:
            prods += self.sexpr_level6(scope, d)
        if lvl >= 7:
            prods += self.sexpr_level7(scope, d)
        if lvl >= 8:
            prods += self.sexpr_level8(scope, d)
        return self.pick(prods)()

    def pick(self, prods):
        total = sum(w for w, _ in prods)
        r = self.rng.random() * total
        for w, f in prods:
            r -= w
            if r <= 0:
                return f
        return prods[-1][1]

    def aexpr(self, scope, shape, d=2):
        if d <= 0 or self.p(0.3):
            return self.leaf(scope, shape)
        A = lambda: self.aexpr(scope, shape, d - 1)   # noqa: E731
        S = lambda: self.sexpr(scope, max(d - 2, 0))  # noqa: E731
        n = self.n
        prods = [
            (4, lambda: f"({A()} + {A()})"),
            (2, lambda: f"({A()} - {A()})"),
            (3, lambda: f"({A()} * {A()})"),
            (3, lambda: f"({A()} * {S()})"),
            (1, lambda: f"({S()} * {A()})"),
            (1, lambda: (lambda b: f"({A()} / (1.0 + {b} * {b}))")(self.leaf(scope, shape))),
            (3, lambda: f"np.{self.choice(['tanh', 'sin', 'cos', 'arctan'])}({A()})"),
            (1, lambda: f"np.exp(np.sin({A()}))"),
            (1, lambda: (lambda b: f"np.log1p({b} * {b})")(self.leaf(scope, shape))),
            (1, lambda: f"np.sqrt(1.0 + {A()} ** 2)"),
            (1, lambda: f"np.abs({A()})"),
            (1, lambda: f"np.square({A()})"),
            (1, lambda: f"np.maximum({A()}, {S()})"),
            (1, lambda: f"np.minimum({A()}, {A()})"),
            (1, lambda: f"np.where({A()} > {self.choice(THRESH)}, {A()}, {A()})"),
            (1, lambda: f"np.clip({A()}, -1.0, 1.0)"),
        ]
        if len(shape) == 1:
            m = shape[0]

            def fancy():
                idx = [self.rng.randrange(m) for _ in range(m)]
                if len(set(idx)) == m:
                    idx[0] = idx[-1]
                return f"{self.leaf(scope, shape)}[{idx}]"
            prods += [
                (1, lambda: f"{self.leaf(scope, shape)}[::-1]"),
                (0.5, lambda: f"np.flip({A()})"),
                (0.7, lambda: f"np.roll({A()}, 1)"),
                (1.5, fancy),
                (0.7, lambda: f"(np.cumsum({A()}) * 0.5)"),
                (0.5, lambda: f"np.sort({A()})"),
                (0.3, lambda: f"np.copy({A()})"),
                (0.3, lambda: f"{self.leaf(scope, shape)}.copy()"),
            ]
            if m >= 2:
                prods += [(0.7, lambda: (lambda v: f"np.concatenate([{v}[1:], {v}[:1]])")(self.leaf(scope, shape)))]
            if m == n - 1:
                prods += [(2, lambda: f"{self.leaf(scope, (n,))}[{self.choice(['1:', ':-1', ':' + str(n - 1)])}]")]
            if m == n:
                Mx = lambda: self.leaf(scope, (n, n))  # noqa: E731
                V = lambda: self.leaf(scope, (n,))     # noqa: E731
                if self.vars_of(scope, (n, n)) or self.level >= 3:
                    prods += [
                        (2, lambda: f"({Mx()} @ {V()})"),
                        (1, lambda: f"({V()} @ {Mx()})"),
                        (1, lambda: f"np.dot({Mx()}, {V()})"),
                        (1, lambda: f"({Mx()}.T @ {V()})"),
                        (1, lambda: f"np.sum({Mx()}, axis={self.choice(['0', '1', '-1'])})"),
                        (1, lambda: f"np.mean({Mx()}, axis={self.choice(['0', '1'])})"),
                        (1, lambda: f"np.sum({Mx()}, axis=1, keepdims=True).ravel()"),
                        (0.5, lambda: f"np.max({Mx()}, axis=0)"),
                        (1, lambda: f"{Mx()}[{self.rng.randrange(n)}]"),
                        (1, lambda: f"{Mx()}[:, {self.rng.randrange(n)}]"),
                        (0.5, lambda: f"np.diag({Mx()})"),
                        (0.5, lambda: f"{Mx()}.reshape({n * n})[:{n}]"),
                    ]
        else:
            V = lambda: self.leaf(scope, (n,))  # noqa: E731
            Mx = lambda: self.leaf(scope, shape)  # noqa: E731
            prods += [
                (2, lambda: f"np.outer({V()}, {V()})"),
                (2, lambda: f"{Mx()}.T"),
                (0.5, lambda: f"np.transpose({A()})"),
                (1, lambda: f"(({A()} @ {A()}) * 0.5)"),
                (0.5, lambda: f"np.dot({Mx()}, {Mx()})"),
                (1, lambda: f"({V()}.reshape({n}, 1) * {V()})"),
                (0.4, lambda: f"({V()}[:, None] * {V()}[None, :])"),
                (1, lambda: f"({A()} * np.sum({Mx()}, axis=0, keepdims=True))"),
                (1, lambda: f"({A()} - np.mean({Mx()}, axis=1, keepdims=True))"),
                (1, lambda: f"({V()}.reshape(1, {n}) + {A()})"),
                (0.5, lambda: f"(np.eye({n}) * {S()} + {A()})"),
                (0.5, lambda: f"np.ravel({Mx()}).reshape({n}, {n})"),
            ]
        vec_helpers = [h for h in self.helpers if h[2] == ("f", shape)]
        if vec_helpers:
            prods += [(2, lambda: self.call(scope, self.choice(vec_helpers), d - 1))]
        if self.level >= 5:
            prods += self.aexpr_level5(scope, shape, d)
        if self.level >= 6:
            prods += self.aexpr_level6(scope, shape, d)
        if self.level >= 7:
            prods += self.aexpr_level7(scope, shape, d)
        return self.pick(prods)()

    def cond(self, scope, d=1):
        S = lambda: self.sexpr(scope, d)  # noqa: E731
        T = lambda: self.choice(THRESH)   # noqa: E731
        ints = self.ints(scope)
        prods = [
            (4, lambda: f"{S()} {self.choice(['>', '<', '>=', '<='])} {T()}"),
            (2, lambda: f"{S()} {self.choice(['>', '<'])} {S()}"),
            (0.7, lambda: f"{T()} < {S()} < {self.choice(['1.0', '2.0', '1.5'])}"),
            (0.7, lambda: f"not {S()} > {T()}"),
            (0.5, lambda: f"({self.cond(scope, 0)}) and ({self.cond(scope, 0)})"),
            (0.5, lambda: f"({self.cond(scope, 0)}) or ({self.cond(scope, 0)})"),
        ]
        if ints:
            I = lambda: self.choice(ints)  # noqa: E731
            prods += [
                (1.5, lambda: f"{I()} {self.choice(['>', '<', '==', '>=', '!='])} {self.rng.randrange(-1, 4)}"),
                (0.7, lambda: f"{I()} % 2 == 0"),
                (1.5, lambda: f"{I()} {self.choice(['>', '<'])} {S()}"),
                (0.5, lambda: f"{I()} > 100"),
            ]
        return self.pick(prods)()

    def call(self, scope, helper, d):
        name, params, _result, _src = helper
        parts = []
        use_kw = False
        for i, (pname, kind, default) in enumerate(params):
            if default is not None and self.p(0.4):
                use_kw = True   # skip it; later ones must be keywords
                continue
            arg = self.arg_for(scope, kind, d)
            if arg is None:
                return self.leaf(scope, helper[2][1]) if helper[2][0] == "f" else "0.0"
            if use_kw or (default is not None and self.p(0.5)) or (i > 0 and self.p(0.15)):
                use_kw = True
                parts.append(f"{pname}={arg}")
            else:
                parts.append(arg)
        return f"{name}({', '.join(parts)})"

    def arg_for(self, scope, kind, d):
        if kind[0] == "f":
            return self.expr(scope, kind, max(d, 0)) if self.p(0.6) else self.leaf(scope, kind[1])
        if kind[0] == "i":
            return str(self.choice(kind[1]))
        if kind[0] == "c":
            same = [n for n, k in scope.names.items() if k == kind]
            if same:
                return self.choice(same)
            _, ctype, inner = kind
            if ctype == "dict":
                return None
            items = [self.leaf(scope, k[1]) for k in inner]
            text = ", ".join(items)
            return f"({text},)" if ctype == "tuple" and len(items) == 1 else f"({text})" if ctype == "tuple" else f"[{text}]"
        return None

    # ------------------------------------------------------------------ statements
    def block(self, scope, ctx, nstmts, indent):
        """Up to nstmts statements; returns (lines, scope after, ends_with_jump)."""
        lines = []
        for _ in range(nstmts):
            if self.budget <= 0:
                break
            stmt_lines, scope, jump = self.stmt(scope, ctx, indent)
            lines += stmt_lines
            if jump:
                return lines, scope, True
        return lines, scope, False

    def stmt(self, scope, ctx, indent):
        self.budget -= 1
        pad = "    " * indent
        lvl = self.level
        depth = ctx["depth"]
        prods = [(6, lambda: self.assign(scope, ctx)),
                 (2, lambda: self.augassign(scope, ctx)),
                 (1, lambda: self.unpack(scope, ctx))]
        if lvl >= 2 and depth < 3:
            prods += [(2.5, lambda: self.if_stmt(scope, ctx, indent)),
                      (2.5 if depth < 2 else 0.8, lambda: self.for_stmt(scope, ctx, indent)),
                      (0.8, lambda: self.while_stmt(scope, ctx, indent))]
        if ctx["loop"]:
            prods += [(1.2, lambda: self.jump(scope, ctx, indent))]
        if lvl >= 2 and depth > 0 and ctx.get("can_return", True):
            prods += [(0.6, lambda: self.early_return(scope, ctx, indent))]
        if lvl >= 3 or (lvl == 2 and self.p(0.1)):
            prods += [(3, lambda: self.array_stmt(scope, ctx)),
                      (2, lambda: self.elem_write(scope, ctx))]
        if lvl >= 3:
            prods += [(ALIASING, lambda: self.alias_stmt(scope, ctx)),   # aliasing.py
                      (0.5 if depth < 2 else 0, lambda: self.assembly_loop(scope, ctx))]
        if lvl >= 4:
            prods += [(1, lambda: self.container_stmt(scope, ctx))]
        if lvl >= 5:
            prods += self.stmt_level5(scope, ctx, indent)
        if lvl >= 6:
            prods += self.stmt_level6(scope, ctx, indent)
        if lvl >= 7:
            prods += self.stmt_level7(scope, ctx, indent)
        if lvl >= 8:
            prods += self.stmt_level8(scope, ctx, indent)
        out = self.pick(prods)()
        lines, scope, jump = out
        return [pad + ln for ln in lines], scope, jump

    def target_scalar(self, scope, ctx, allow_new=True):
        existing = [n for n in self.vars_of(scope, ()) if n not in ctx.get("readonly", ())]
        if existing and (not allow_new or self.p(0.5)):
            return self.choice(existing), False
        return self.new_name(("f", ())), True

    def assign(self, scope, ctx):
        scope = scope.copy()
        if self.level >= 3 and self.p(0.3 if self.level < 6 else 0.5):
            shapes = [(self.n,), (self.n,), (self.n, self.n)]
            shape = self.choice(shapes)
            existing = [n for n in self.vars_of(scope, shape) if n not in ctx.get("readonly", ())]
            if existing and self.p(0.4):
                name = self.choice(existing)
            else:
                name = self.new_name(("f", shape))
            e = self.aexpr(scope, shape, 2)
            if ctx["loop"] and self.p(0.6):
                e = f"np.tanh({e})"
            scope.names[name] = ("f", shape)
            self.note_copy(name, e)
            if is_fresh(e):
                scope.owned.add(name)
            else:
                scope.owned.discard(name)
            return [f"{name} = {e}"], scope, False
        name, _ = self.target_scalar(scope, ctx)
        e = self.sexpr(scope, 2)
        if ctx["loop"] and self.p(0.6):
            e = self.squash(e)
        scope.names[name] = ("f", ())
        self.note_copy(name, e)
        return [f"{name} = {e}"], scope, False

    def note_copy(self, name, e):
        """name = e where e is a bare name or a subscript: both now share a value (an in-place op is refused)."""
        node = ast.parse(e.strip(), mode="eval").body
        operands = [node]
        while operands:
            node = operands.pop()
            if isinstance(node, ast.IfExp):
                operands += [node.body, node.orelse]
            elif isinstance(node, ast.BoolOp):
                operands += node.values
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("max", "min"):
                operands += node.args
            elif isinstance(node, ast.Subscript):
                operands.append(node.value)
            elif isinstance(node, ast.Name):
                self.unsafe.update((name, node.id))

    def augassign(self, scope, ctx):
        scope = scope.copy()
        arrays = [n for n, k in scope.names.items() if k[0] == "f" and k[1] != () and n not in ctx.get("readonly", ())]
        safe = [n for n in arrays if n in scope.owned and n not in self.unsafe]
        if not self.p(RISKY):
            arrays = safe
        if arrays and self.level >= 3 and self.p(0.4):
            name = self.choice(arrays)
            shape = scope.names[name][1]
            op = self.choice(["+=", "-=", "*="])
            rhs = self.aexpr(scope, shape, 1) if self.p(0.6) else self.sexpr(scope, 1)
            if len(shape) == 1 and self.p(0.25):  # a view of the array itself on the right (saved in loops)
                rhs = f"np.sin({name}[::-1]) + {self.sexpr(scope, 0)}"
            if op == "*=" :
                rhs = f"np.tanh({rhs})" if ctx["loop"] else rhs
            return [f"{name} {op} {rhs}"], scope, False
        scalars = [n for n in self.vars_of(scope, ()) if n not in ctx.get("readonly", ())]
        if not scalars:
            return self.assign(scope, ctx)
        name = self.choice(scalars)
        op = self.choice(["+=", "-=", "*=", "+=", "/="])
        rhs = self.sexpr(scope, 1)
        if op == "*=" and ctx["loop"] and self.p(0.7):
            rhs = self.squash(rhs)
        if op == "/=":
            b = self.leaf(scope, ())
            rhs = f"(1.0 + {b} * {b})"
        if op == "*=" and self.p(0.2):
            rhs = name          # c *= c
        if name in self.unsafe and not self.p(RISKY):
            # s2s refuses an in-place operator on a name that may share its value with another one
            return [f"{name} = {name} {op[0]} ({rhs})"], scope, False
        return [f"{name} {op} {rhs}"], scope, False

    def unpack(self, scope, ctx):
        scope = scope.copy()
        scal = [n for n in self.vars_of(scope, ()) if n not in ctx.get("readonly", ())]
        if len(scal) >= 2 and self.p(0.3):
            a, b = self.rng.sample(scal, 2)
            self.unsafe.update((a, b))
            return [f"{a}, {b} = {b}, {a}"], scope, False
        a, _ = self.target_scalar(scope, ctx)
        b, _ = self.target_scalar(scope, ctx)
        while b == a:
            b = self.new_name(("f", ()))
        e1, e2 = self.sexpr(scope, 1), self.sexpr(scope, 1)
        if ctx["loop"]:
            e1, e2 = self.squash(e1), self.squash(e2)
        self.note_copy(a, e1)
        self.note_copy(b, e2)
        scope.names[a] = scope.names[b] = ("f", ())
        return [f"{a}, {b} = {e1}, {e2}"], scope, False

    def if_stmt(self, scope, ctx, indent):
        sub = dict(ctx, depth=ctx["depth"] + 1)
        lines = [f"if {self.cond(scope, 1)}:"]
        body, s1, j1 = self.block(scope.copy(), sub, self.rng.randint(1, 3), 1)
        lines += body or ["    pass"]
        outs = [] if j1 else [s1]
        nelif = self.rng.choice([0, 0, 0, 1, 1, 2]) if self.budget > 0 else 0
        for _ in range(nelif):
            lines.append(f"elif {self.cond(scope, 1)}:")
            body, s2, j2 = self.block(scope.copy(), sub, self.rng.randint(1, 2), 1)
            lines += body or ["    pass"]
            if not j2:
                outs.append(s2)
        if self.budget > 0 and self.p(0.65):
            lines.append("else:")
            body, s3, j3 = self.block(scope.copy(), sub, self.rng.randint(1, 2), 1)
            lines += body or ["    pass"]
            if not j3:
                outs.append(s3)
        else:
            outs.append(scope)
        if not outs:
            return lines, scope, True
        after = outs[0]
        for o in outs[1:]:
            after = after.meet(o)
        return lines, after, False

    def for_stmt(self, scope, ctx, indent):
        scope = scope.copy()
        sub = dict(ctx, depth=ctx["depth"] + 1, loop=True)
        n = self.n
        vecs = self.vars_of(scope, (n,)) + [e for e, s in self.container_leaves(scope) if s == (n,)]
        mats = self.vars_of(scope, (n, n))
        seqs = [nm for nm, k in scope.names.items() if k[0] == "c" and k[1] != "dict" and k[2]
                and all(x == k[2][0] and x[0] == "f" for x in k[2])]
        scal = self.vars_of(scope, ())
        inner = dict(scope.names)
        header_opts = ["range"] * 5
        if vecs:
            header_opts += ["vec", "enumerate", "zip", "reversed"]
        if mats:
            header_opts += ["rows"]
        if scal:
            header_opts += ["list"]
        if seqs:
            header_opts += ["seq"]
        kind = self.choice(header_opts)
        iters = None
        after_vars = {}
        if kind == "range":
            v = self.loopvar(INT_NAMES, "i", inner)
            r = self.rng.random()
            if r < 0.4:
                a = (self.rng.randint(0, 4),)
                rng_ = range(*a)
            elif r < 0.65:
                a = (self.rng.randint(-1, 3), self.rng.randint(0, 4))
                rng_ = range(*a)
            else:
                st = self.choice([1, 2, -1, -2, 3])
                lo, hi = self.rng.randint(-1, 3), self.rng.randint(-1, 4)
                a = (hi, lo, st) if st < 0 else (lo, hi, st)
                rng_ = range(*a)
            if self.p(0.2) and n > 0:
                a = (f"len({self.choice(vecs)})",) if vecs else a
                rng_ = range(n) if vecs else rng_
            header = f"for {v} in range({', '.join(map(str, a))}):"
            vals = list(rng_)
            inner[v] = ("i", tuple(vals))
            iters = len(vals)
            if iters and self.p(RISKY):
                after_vars[v] = ("i", tuple(vals))   # read after the loop: s2s rejects this today
        elif kind in ("vec", "reversed"):
            src = self.choice(vecs)
            v = self.loopvar(ELEM_NAMES, ("f", ()), inner)
            header = f"for {v} in {src}:" if kind == "vec" else f"for {v} in reversed({src}):"
            sub["iterated"] = ctx.get("iterated", ()) + (src,)
            inner[v] = ("f", ())
            iters = n
        elif kind == "enumerate":
            src = self.choice(vecs)
            i = self.loopvar(INT_NAMES, "i", inner)
            v = self.loopvar(ELEM_NAMES, ("f", ()), inner)
            header = f"for {i}, {v} in enumerate({src}):"
            sub["iterated"] = ctx.get("iterated", ()) + (src,)
            inner[i] = ("i", tuple(range(n)))
            inner[v] = ("f", ())
            iters = n
        elif kind == "zip":
            a1, a2 = self.choice(vecs), self.choice(vecs)
            v1 = self.fresh(ELEM_NAMES, ("f", ()))
            v2 = self.fresh(ELEM_NAMES, ("f", ()))
            header = f"for {v1}, {v2} in zip({a1}, {a2}):"
            sub["iterated"] = ctx.get("iterated", ()) + (a1, a2)
            inner[v1] = inner[v2] = ("f", ())
            iters = n
        elif kind == "rows":
            src = self.choice(mats)
            v = self.fresh(["row", "r_i", "line"], ("f", (n,)))
            if self.kinds.get(v) != ("f", (n,)):
                v = self.fresh(["row_"], ("f", (n,)))
            header = f"for {v} in {src}:"
            sub["iterated"] = ctx.get("iterated", ()) + (src,)
            inner[v] = ("f", (n,))
            iters = n
        elif kind == "list":
            items = [self.leaf(scope, ()) for _ in range(self.rng.randint(1, 3))]
            v = self.fresh(ELEM_NAMES, ("f", ()))
            if self.p(0.5):
                header = f"for {v} in [{', '.join(items)}]:"
            else:
                header = f"for {v} in ({', '.join(items)}{',' if len(items) == 1 else ''}):"
            inner[v] = ("f", ())
            iters = len(items)
        else:
            src = self.choice(seqs)
            k = scope.names[src][2][0]
            v = self.fresh(ELEM_NAMES, k)
            if self.kinds.get(v) != k:
                v = self.fresh(["item_"], k)
            header = f"for {v} in {src}:"
            inner[v] = k
            iters = len(scope.names[src][2])
        for nm, k in inner.items():
            if nm not in scope.names and k[0] == "f":
                self.unsafe.add(nm)          # an element of a sequence: maybe a view
        body_scope = Scope(inner, scope.owned)
        lines = [header]
        first = []
        # a name first assigned in the loop, on its first line: defined after a non-empty loop
        if iters and self.p(0.3):
            nm = self.new_name(("f", ()))
            e = self.squash(self.sexpr(body_scope, 1))
            first = [f"    {nm} = {e}"]
            body_scope.names[nm] = ("f", ())
            after_vars[nm] = ("f", ())
        has_else = self.p(0.12)
        if has_else:
            sub["can_return"] = False   # s2s rejects a return inside a loop with an else clause
        body, _, _ = self.block(body_scope, sub, self.rng.randint(1, 4), 1)
        lines += first + (body or ["    pass"])
        if has_else:
            lines.append("else:")
            eb, s_else, jmp = self.block(scope.copy(), dict(ctx, depth=ctx["depth"] + 1), 1, 1)
            lines += eb or ["    pass"]
        if iters:
            for k_, v_ in after_vars.items():
                scope.names[k_] = v_
        return lines, scope, False

    def while_stmt(self, scope, ctx, indent):
        scope = scope.copy()
        sub = dict(ctx, depth=ctx["depth"] + 1, loop=True)
        cnt = self.fresh(COUNTER_NAMES, "i")
        limit = self.rng.randint(1, 4)
        lines = [f"{cnt} = 0"]
        inner = scope.copy()
        inner.names[cnt] = ("i", tuple(range(0, limit + 1)))
        data_cond = self.cond(scope, 1)
        if self.p(0.7):
            lines.append(f"while {cnt} < {limit} and ({data_cond}):")
            body_pre = [f"    {cnt} += 1"]
        else:
            lines.append(f"while {data_cond}:")
            body_pre = [f"    {cnt} += 1", f"    if {cnt} > {limit}:", "        break"]
        has_else = self.p(0.1)
        if has_else:
            sub["can_return"] = False
        body, _, _ = self.block(inner, sub, self.rng.randint(1, 3), 1)
        lines += body_pre + body
        if has_else:
            lines.append("else:")
            eb, _, _ = self.block(scope.copy(), dict(ctx, depth=ctx["depth"] + 1), 1, 1)
            lines += eb or ["    pass"]
        scope.names[cnt] = ("i", tuple(range(0, limit + 1)))
        return lines, scope, False

    def jump(self, scope, ctx, indent):
        word = self.choice(["break", "continue"])
        r = self.rng.random()
        if r < 0.15:
            return [word], scope, True       # unconditional: ends the body
        if r < 0.3 and self.ints(scope):
            return [f"if {self.choice(self.ints(scope))} > 100:", f"    {word}"], scope, False   # never taken
        return [f"if {self.cond(scope, 1)}:", f"    {word}"], scope, False

    def early_return(self, scope, ctx, indent):
        e = self.result_expr(scope, 1)
        if self.p(0.2):
            return [f"return {e}"], scope, True
        return [f"if {self.cond(scope, 1)}:", f"    return {e}"], scope, False

    def result_expr(self, scope, d):
        kind = self.result_kind
        if self.result == "tuple":
            return "(" + ", ".join(self.expr(scope, k, d) for k in kind) + ")"
        return self.expr(scope, kind, d)

    # ------------------------------------------------------------------ arrays
    def owned_arrays(self, scope, ctx):
        return [n for n in sorted(scope.owned) if n in scope.names and scope.names[n][0] == "f" and scope.names[n][1] != ()
                and n not in ctx.get("readonly", ())]

    def array_stmt(self, scope, ctx):
        scope = scope.copy()
        n = self.n
        vecs = self.vars_of(scope, (n,))
        mats = self.vars_of(scope, (n, n))
        r = self.rng.random()
        if r < 0.35 or not (vecs or mats):
            shape = self.choice([(n,), (n,), (n, n)])
            name = self.new_name(("f", shape))
            src = self.vars_of(scope, shape)
            opts = [f"np.zeros({shape[0] if len(shape) == 1 else shape})"]
            if src:
                s = self.choice(src)
                opts += [f"{s}.copy()", f"np.copy({s})", f"{s} * 1.0"]
            opts.append(f"np.ones({shape[0] if len(shape) == 1 else shape}) * {self.leaf(scope, ())}")
            scope.names[name] = ("f", shape)
            scope.owned.add(name)
            return [f"{name} = {self.choice(opts)}"], scope, False
        if r < 0.55:
            # an alias or a view
            src = self.choice(vecs + mats)
            shape = scope.names[src][1]
            if len(shape) == 1:
                opts = [("alias", src, shape), ("view", f"{src}[1:]", (n - 1,)), ("view", f"{src}[:-1]", (n - 1,)),
                        ("view", f"{src}[::-1]", (n,)), ("view", f"{src}.reshape({n}, 1)[:, 0]", (n,))]
            else:
                opts = [("alias", src, shape), ("view", f"{src}.T", shape), ("view", f"{src}.ravel()[:{n}]", (n,)),
                        ("view", f"{src}[1]", (n,)), ("view", f"{src}.reshape({n * n})[{n}:{2 * n}]", (n,)),
                        ("view", f"{src}[:, 0]", (n,))]
            _, e, sh = self.choice(opts)
            name = self.new_name(("f", sh))
            self.unsafe.update((name, src))
            scope.names[name] = ("f", sh)
            scope.owned.discard(name)
            return [f"{name} = {e}"], scope, False
        # += on an array (rarely an alias of a parameter or of another array: s2s refuses those)
        cands = [n for n in vecs + mats if n in scope.owned and n not in self.unsafe]
        if self.p(RISKY):
            cands = vecs + mats
        if not cands:
            return self.assign(scope, ctx)
        name = self.choice(cands)
        shape = scope.names[name][1]
        op = self.choice(["+=", "-=", "*="])
        rhs = self.choice([self.sexpr(scope, 1), self.aexpr(scope, shape, 1), self.const()])
        if op == "*=":
            rhs = f"np.tanh({rhs})"
        lines = []
        if self.p(RISKY):
            alias = self.new_name(("f", shape))
            self.unsafe.update((alias, name))
            lines.append(f"{alias} = {name}")
            scope.names[alias] = ("f", shape)
            scope.owned.discard(alias)
            lines.append(f"{alias} {op} {rhs}")
        else:
            lines.append(f"{name} {op} {rhs}")
        return lines, scope, False

    def assembly_loop(self, scope, ctx):
        """A slice or block a loop's index moves, added into (FEM assembly: `F[e:e + 2] += k[e] * w`,
        `K[e:e + 2, e:e + 2] += k[e] * KE`; hunt14reg S1: a zero reverse gradient once)."""
        scope = scope.copy()
        n = self.n
        vecs = self.vars_of(scope, (n,))
        if n < 2 or not vecs:
            return self.array_stmt(scope, ctx)
        src, e = self.choice(vecs), self.loopvar(INT_NAMES, "i", scope.names)
        two_d = self.p(0.4)
        shape = (n, n) if two_d else (n,)
        owned = [v for v in self.vars_of(scope, shape) if v in scope.owned and v not in self.unsafe]
        lines = []
        if owned and self.p(0.5):
            name = self.choice(owned)
        else:
            name = self.new_name(("f", shape))
            lines.append(f"{name} = np.zeros({shape if two_d else n})")
            scope.names[name] = ("f", shape)
            scope.owned.add(name)
        load = self.choice([f"np.sin({src}[{e}])", f"{src}[{e}] ** 2", f"{src}[{e}] * {self.leaf(scope, ())}",
                            f"np.tanh({src}[{e}] + {src}[{e} + 1])"])
        if two_d:
            body = f"{name}[{e}:{e} + 2, {e}:{e} + 2] += {load} * np.array([[1.0, -1.0], [-1.0, 1.0]])"
        else:
            op = self.choice(["+=", "+=", "-=", "*=", "="])
            rhs = {"+=": f"{load} * np.array([0.5, 0.5])", "-=": f"0.3 * {load}", "*=": f"np.tanh({load})",
                   "=": f"{name}[{e}:{e} + 2] * 0.5 + {load}"}[op]
            body = f"{name}[{e}:{e} + 2] {op} {rhs}"
        lines += [f"for {e} in range({n - 1}):", "    " + body]
        if self.p(0.7):  # (read after the loop by more than a sum: the sweep owns the array's adjoint)
            total, _ = self.target_scalar(scope, ctx)
            read = self.choice([f"np.sum({name} ** 3)", f"np.sum(np.tanh({name}) ** 2)", f"np.sum({name} ** 2)"])
            lines.append(f"{total} = {read}" if total not in scope.names else f"{total} = {total} + {read}")
            scope.names[total] = ("f", ())
        return lines, scope, False

    def elem_write(self, scope, ctx):
        scope = scope.copy()
        owned = self.owned_arrays(scope, ctx)
        n = self.n
        if not owned:
            return self.array_stmt(scope, ctx)
        name = self.choice(owned)
        shape = scope.names[name][1]
        S = lambda: self.sexpr(scope, 1)  # noqa: E731
        if len(shape) == 1:
            m = shape[0]
            ix = self.index_ints(scope, m)
            idx = self.choice(ix) if ix and self.p(0.7) else str(self.rng.randrange(-m, m))
            r = self.rng.random()
            if r < 0.3:
                return [f"{name}[{idx}] = {S()}"], scope, False
            if r < 0.45:
                return [f"{name}[{idx}] = {name}[{idx}] * {name}[{idx}]"], scope, False
            if r < 0.6:
                return [f"{name}[{idx}] {self.choice(['+=', '-=', '*='])} {self.squash(S())}"], scope, False
            if r < 0.7:
                j = self.rng.randrange(m)
                return [f"{name}[{idx}] = {name}[{j}] + {S()}"], scope, False
            if r < 0.85 and m >= 2:
                a = self.rng.randint(0, m - 1)
                b = self.rng.randint(a + 1, m)
                L = b - a
                if self.p(0.4):
                    return [f"{name}[{a}:{b}] = {S()}"], scope, False
                if L == m:
                    rhs = self.aexpr(scope, (m,), 1)
                elif L == m - 1:
                    rhs = self.choice([f"{name}[{'1:' if a == 0 else ':-1'}] * {S()}", self.aexpr(scope, (L,), 1)])
                else:
                    src = self.leaf(scope, (m,))
                    rhs = f"{src}[{m - L}:] * {S()}"
                return [f"{name}[{a}:{b}] = {rhs}"], scope, False
            return [f"{name}[:] = {self.aexpr(scope, (m,), 1)}"], scope, False
        ix = self.index_ints(scope, n)
        i = self.choice(ix) if ix and self.p(0.6) else str(self.rng.randrange(n))
        j = str(self.rng.randrange(-n, n))
        r = self.rng.random()
        if r < 0.4:
            return [f"{name}[{i}, {j}] = {S()}"], scope, False
        if r < 0.55:
            return [f"{name}[{i}, {j}] = {name}[{i}, {j}] * {name}[{j}, {i}]"], scope, False
        if r < 0.8:
            return [f"{name}[{i}] = {self.aexpr(scope, (n,), 1)}"], scope, False
        return [f"{name}[:, {j}] = {self.aexpr(scope, (n,), 1)}"], scope, False

    # ------------------------------------------------------------------ containers
    def container_stmt(self, scope, ctx):
        scope = scope.copy()
        conts = [(nm, k) for nm, k in scope.names.items() if k[0] == "c" and k[1] != "dict"]
        r = self.rng.random()
        if conts and r < 0.5:
            nm, k = self.choice(conts)
            names = []
            for kk in k[2]:
                if kk[0] != "f":
                    return self.assign(scope, ctx)
                names.append(self.new_name(kk))
                scope.names[names[-1]] = kk
                self.unsafe.add(names[-1])
            text = ", ".join(names) + ("," if len(names) == 1 else "")
            return [f"{text} = {nm}"], scope, False
        # build a tuple or list of values
        items = [self.sexpr(scope, 1) for _ in range(self.rng.randint(2, 3))]
        nm = self.fresh(["pair", "vals", "parts", "terms"], "c")
        self.kinds[nm] = "c"
        ctype = self.choice(["tuple", "list"])
        text = f"({', '.join(items)})" if ctype == "tuple" else f"[{', '.join(items)}]"
        scope.names[nm] = ("c", ctype, [("f", ())] * len(items))
        return [f"{nm} = {text}"], scope, False

    # ------------------------------------------------------------------ helpers
    def make_helper(self, recursive=False):
        name = self.fresh(HELPER_NAMES, "h")
        saved_kinds = self.kinds
        self.kinds = {name: "h"}
        self.in_helper = True
        n = self.n
        if recursive:
            a = "a"
            self.kinds.update({"a": ("f", ()), "n": "i"})
            sc = Scope({"a": ("f", ())})
            e = self.sexpr(sc, 1)
            style = self.rng.randrange(3)
            if style == 0:
                body = [f"    if n <= 0:", f"        return {a}",
                        f"    return {name}(math.tanh({e}) * 1.2 + 0.1, n - 1)"]
            elif style == 1:
                body = [f"    if n == 0:", f"        return 1.0",
                        f"    return {a} * {name}({a}, n - 1)"]
            else:
                body = [f"    if n < 2:", f"        return math.sin({a})",
                        f"    return 0.5 * {name}({a}, n - 1) + math.tanh({e}) * {name}({a}, n - 2)"]
            params = [("a", ("f", ()), None), ("n", ("i", (0, 1, 2, 3)), None)]
            src = f"def {name}(a, n):\n" + "\n".join(body) + "\n"
            self.kinds = saved_kinds
            self.in_helper = False
            self.helpers.append((name, params, ("f", ()), src))
            return
        nparams = self.rng.randint(1, 3)
        params = []
        scope = Scope()
        pool = ["a", "b", "c", "k", "scale", "shift", "weight"]
        for i in range(nparams):
            pname = self.choice([p for p in pool if p not in self.kinds])
            kind = ("f", ())
            if self.level >= 3 and self.p(0.25):
                kind = ("f", (n,))
            if self.level >= 4 and i == 0 and self.p(0.2):
                kind = ("c", self.choice(["tuple", "list"]), [("f", ())] * 2)
            if params and params[-1][2] is not None:
                kind = ("f", ())
            self.kinds[pname] = kind if kind[0] != "c" else "c"
            default = None
            if i > 0 and kind == ("f", ()) and (params[-1][2] is not None or self.p(0.5)):
                default = self.const()
                if default.startswith("-") and not self.p(RISKY):
                    default = default[1:]        # s2s refuses a negative default (not a constant to it)
            params.append((pname, kind, default))
            scope.names[pname] = kind
            if kind[0] != "f" or kind[1] != ():
                self.unsafe.add(pname)
        result = ("f", ())
        if self.level >= 3 and self.p(0.2):
            result = ("f", (n,))
        saved_budget = self.budget
        self.budget = self.rng.randint(1, 4)
        saved_result, saved_rk = self.result, self.result_kind
        self.result, self.result_kind = "scalar" if result[1] == () else "vector", result
        ctx = {"depth": 1 if self.level < 4 else 0, "loop": False, "can_return": True}
        body, scope2, jump = self.block(scope, ctx, self.budget, 1)
        if not jump:
            body.append(f"    return {self.expr(scope2, result, 2)}")
        self.result, self.result_kind = saved_result, saved_rk
        self.budget = saved_budget
        sig = ", ".join(p if d is None else f"{p}={d}" for p, _, d in params)
        src = f"def {name}({sig}):\n" + "\n".join(body) + "\n"
        self.kinds = saved_kinds
        self.in_helper = False
        self.helpers.append((name, params, result, src))

    # ------------------------------------------------------------------ the program
    def program(self) -> Program:
        lvl = self.level
        n = self.n
        rng = self.rng
        # helpers
        if lvl >= 4:
            for _ in range(rng.randint(1, 3)):
                self.make_helper()
            if self.p(0.05):
                self.make_helper(recursive=True)   # s2s inlines calls: recursion is rejected (docs/limitations.md)
        elif self.p(0.2 if lvl == 1 else 0.15):
            self.make_helper()
        if lvl >= 5:
            self.setup_level5()
        # parameters
        nparams = rng.randint(1, 3)
        params, specs = [], []
        used = set(self.kinds)
        for i in range(nparams):
            if lvl >= 4 and self.p(0.35 if lvl < 6 else 0.2):
                ctype = self.choice(["tuple", "list", "dict"])
                inner_n = rng.randint(1, 3)
                inner = [("f", self.choice([(), (), (n,)])) for _ in range(inner_n)]
                if ctype == "dict":
                    keys = rng.sample(["w", "b", "scale", "bias", "lr"], inner_n)
                    kind = ("c", "dict", list(zip(keys, inner)))
                else:
                    kind = ("c", ctype, inner)
                pool = CONTAINER_PARAMS
            else:
                r = rng.random()
                if lvl >= 7:
                    kind, pool = self.param_kind_level7(r)
                elif lvl >= 6:
                    kind = self.param_kind_level6(r)
                    pool = [SCALAR_PARAMS, VECTOR_PARAMS, MATRIX_PARAMS][len(kind[1])]
                elif lvl >= 3 and r < 0.45:
                    kind, pool = ("f", (n,)), VECTOR_PARAMS
                elif lvl >= 3 and r < 0.55:
                    kind, pool = ("f", (n, n)), MATRIX_PARAMS
                elif lvl == 2 and r < 0.25:
                    kind, pool = ("f", (n,)), VECTOR_PARAMS
                else:
                    kind, pool = ("f", ()), SCALAR_PARAMS
            pname = self.choice([p for p in pool if p not in used])
            used.add(pname)
            self.kinds[pname] = kind if kind[0] == "f" else "c"
            params.append((pname, kind))
            specs.append(kind)
        if lvl >= 7:
            specs = self.arg_specs_level7(params, specs)
        # result
        if lvl >= 3 and self.p(0.08):
            self.result, self.result_kind = "vector", ("f", (n,))
        elif lvl >= 4 and self.p(0.1):
            self.result = "tuple"
            self.result_kind = [("f", ()), self.choice([("f", ()), ("f", (n,))])]
        scope = Scope({p: k for p, k in params})
        self.unsafe.update(p for p, k in params if k[0] != "f" or k[1] != ())
        extra_default = None
        if lvl >= 4 and self.p(0.15):
            extra_default = self.fresh(["gain", "alpha", "beta", "lr"], ("f", ()))
            scope.names[extra_default] = ("f", ())
        self.budget = rng.randint(4, 14)
        ctx = {"depth": 0, "loop": False, "can_return": True}
        prelude = []
        if lvl >= 5:
            prelude, scope = self.prelude_level5(scope, ctx)
        if lvl >= 6:
            more, scope = self.prelude_level6(scope, ctx)
            prelude = prelude + more
        if lvl >= 7:
            more, scope = self.prelude_level7(scope, ctx)
            prelude = prelude + more
        if lvl >= 8:
            more, scope = self.prelude_level8(scope, ctx)
            prelude = prelude + more
        if lvl >= 9:
            more, scope = self.prelude_level9(scope, ctx)
            prelude = prelude + more
        body, scope2, jump = self.block(scope, ctx, self.budget, 1)
        body = prelude + body
        if not jump:
            body.append("    return " + self.final_expr(scope2))
        # a default parameter (never differentiated) now and then
        sig = ", ".join(p for p, _ in params)
        if extra_default:
            sig += f", {extra_default}={self.choice(['0.5', '1.5', '2.0'])}"
        text = "import math\n\nimport numpy as np\n\n\n" if lvl < 5 else self.module_text_level5()
        if lvl >= 6:
            text = self.module_text_level6(text)
        if lvl >= 7:
            text = self.module_text_level7(text)
        if lvl >= 8:
            text = self.module_text_level8(text)
        if lvl >= 9:
            text = self.module_text_level9(text)
        for h in self.helpers:
            text += h[3] + "\n\n"
        text += f"def f({sig}):\n" + "\n".join(body) + "\n"
        text = tidy(text)
        arg_rng = random.Random(f"s2s-fuzz-args:{self.seed}:{lvl}:0")
        args = [draw_value(arg_rng, s) for s in specs]
        names = [p for p, _ in params]
        # wrt
        r = rng.random()
        if len(names) == 1 or r < 0.25:
            wrt = 0 if self.p(0.7) else names[0]
        elif r < 0.85:
            wrt = tuple(range(len(names))) if self.p(0.7) else tuple(names)
        else:
            k = rng.randrange(len(names))
            wrt = k if self.p(0.5) else names[k]
        return Program(self.seed, lvl, text, names, args, wrt, self.result, specs)

    def final_expr(self, scope):
        if self.result != "scalar":
            return self.result_expr(scope, 1)
        # prefer names assigned by the body
        recent = [n for n, k in scope.names.items() if k == ("f", ())]
        parts = []
        if recent:
            parts.append(recent[-1])
        if self.p(0.6):
            parts.append(self.sexpr(scope, 1))
        if not parts:
            parts.append(self.sexpr(scope, 2))
        arrays = [n for n, k in scope.names.items() if k[0] == "f" and k[1] != ()]
        if arrays and self.p(0.6):
            parts.append(f"np.sum({self.choice(arrays[-2:])})")
        pairs = [(a, b) for a, b in getattr(self, "l7_pairs", ()) if scope.names.get(a) == scope.names.get(b) == ("f", ())]
        if pairs and self.p(0.6):  # (level 7: a carried product and sum added as they are, pr * sm)
            a, b = self.choice(pairs)
            return " + ".join(parts + [f"{a} * {b}"])
        return " + ".join(parts) if self.p(0.7) else " * ".join(parts[:2])


FRESH_CALLS = {"zeros", "ones", "full", "copy", "tanh", "sin", "cos", "arctan", "exp", "log1p", "sqrt", "abs", "square",
               "maximum", "minimum", "where", "clip", "outer", "dot", "cumsum", "sort", "roll", "concatenate",
               "linspace", "arange", "eye", "sum", "mean", "max", "hypot"}


def is_fresh(text):
    """Whether the expression makes a new array (not a view or an alias of another)."""
    node = ast.parse(text, mode="eval").body
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if isinstance(node.func.value, ast.Name) and node.func.value.id == "np":
            return node.func.attr in FRESH_CALLS
        return node.func.attr == "copy"
    return False


def tidy(text):
    """Normalise the program's text (parentheses, spacing) as a person would write it."""
    text = ast.unparse(ast.parse(text))
    out = []
    for line in text.splitlines():
        if line.startswith(("def ", "class ")):
            out += ["", ""]
        elif line.startswith("import numpy") or line.startswith("import s2s"):
            out.append("")
        elif line and not line[0].isspace() and out and out[-1][:1].isspace():
            out += ["", ""]              # a module-level assignment after a function (level 5)
        elif line and not line[0].isspace() and not line.startswith("import") and out and out[-1].startswith("import"):
            out.append("")
        out.append(line)
    text = "\n".join(out).strip("\n") + "\n"
    while "\n\n\n\n" in text:
        text = text.replace("\n\n\n\n", "\n\n\n")
    return text


def generate(seed: int, level: int) -> Program:
    return Gen(seed, level).program()


if __name__ == "__main__":
    import sys
    lvl = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    p = generate(int(sys.argv[1]), lvl)
    print(p.source)
    print("args", p.args, "wrt", p.wrt, p.result)


# ---------------------------------------------------------------------- np.add.at (levels 3-6)
ADD_AT_SHARE = 0.2  # the share of element writes `y[i] = v` written as np.add.at(y, i, v) instead
_WRITE = re.compile(r"^(\w+)\[([^\]:]+)\] = (.+)$")
_elem_write = Gen.elem_write


def _elem_write_or_add_at(self, scope, ctx):
    """Gen.elem_write, then one element write `y[i] = v` (a number, a row) in ADD_AT_SHARE written as a scatter-add
    into y instead: `np.add.at(y, i, v)`, `np.subtract.at(y, (i, j), v)`, or with the index repeated,
    `np.add.at(y, [i, i], v)`, which adds v twice. Its choices come from a stream of their own (`add_at`), so
    that every other statement of a seed's program stays what it was."""
    lines, scope, flag = _elem_write(self, scope, ctx)
    stream = self.__dict__.setdefault("add_at", random.Random(f"s2s-fuzz-add-at:{self.seed}:{self.level}"))
    match = _WRITE.match(lines[0]) if len(lines) == 1 else None
    if match is None or stream.random() >= ADD_AT_SHARE:
        return lines, scope, flag
    name, index, value = match.groups()
    ufunc = "np.subtract.at" if stream.random() < 0.25 else "np.add.at"
    if "," in index:
        index = f"({index})"
    elif stream.random() < 0.35:
        index = f"[{index}, {index}]"  # (a repeated index: v added twice, where y[i] = v writes once)
    return [f"{ufunc}({name}, {index}, {value})"], scope, flag


Gen.elem_write = _elem_write_or_add_at
