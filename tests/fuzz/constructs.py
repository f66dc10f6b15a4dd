"""Level 5 of the fuzzer's generator: the constructs s2s compiles since issue 10/14.

Nested `def`s and `lambda`s reading the enclosing function's variables (called
several times, passed to a module-level helper, `functools.partial`), a
module-level `s2s.grad(helper)` called inside the function; lists the function
grows (`append`, `extend`, `xs = xs + [v]`, in loops and branches) read by index,
`sum`, `np.array`/`np.stack` and iteration; list comprehensions and generator
expressions (filters, two `for`s, `zip`, `enumerate`); dict displays with
constant keys; starred calls and unpacking; recursion with an integer depth;
`.astype(np.float64)`, `.item()`, keyword-only parameters and computed
defaults in helpers, `with np.errstate(...)`.

Every choice goes through the generator's own `random.Random`, so a seed makes
the same program in every process; nothing here runs below level 5, so the
programs of levels 1-4 stay what they were.  Now and then (RISKY) a variant s2s
refuses by design is written: an append to a list another name also holds, a
function value returned by a helper or chosen by a branch.

Kinds added to the scope: ("L", element kind, minimum length) for a list the
function grows.
"""
from __future__ import annotations

import re

MODULE_CONSTANTS = ["SHIFT = 0.3", "SCALE = 0.5 * math.pi"]
LIST_NAMES = ["xs", "parts", "terms", "hist_", "trace", "seq", "vals_", "ys"]
VLIST_NAMES = ["rows", "states", "layers", "frames"]
FN_NAMES = ["g", "act", "phi", "sq", "fn", "kernel", "psi", "bump_"]
FN_PARAMS = ["z", "u_", "t_", "s_", "r_"]
COMP_VARS = ["w_", "e_", "c_", "o_", "k_", "a_", "b_"]

# module-level helpers, written out as text; {n} is the vector length
APPLY_HELPERS = {
    "apply_twice": "def apply_twice(fn, v):\n    return fn(fn(v) * 0.5)\n",
    "apply_sum": ("def apply_sum(fn, v, n=3):\n    total = 0.0\n    for i in range(n):\n"
                  "        total = total + fn(v * (i + 1) * 0.3)\n    return total\n"),
    "compose": "def compose(f1, f2, v):\n    return f1(f2(v)) + f2(v) * 0.5\n",
}
FIXED_HELPERS = {
    "scaled": "def scaled(v, k=1.0):\n    return math.tanh(v) * k\n",
    "affine": "def affine(p, v):\n    return p['w'] * v + p['b']\n",
    "combine3": "def combine3(a, b, c=0.5):\n    return a * b + math.sin(c) * a - b * c\n",
    "shifted": "def shifted(a, *, scale=SCALE / 4, shift=SHIFT):\n    return math.tanh(a * scale) + shift * a\n",
    "proj": "def proj(v, *, w=W0, scale=1 / 3):\n    return math.tanh(np.dot(v, w) * scale)\n",
    "make_scaler": "def make_scaler(c):\n    return lambda z: z * c\n",
}


class Level5:
    """Mixin of Gen (gen.py): the productions of level 5."""

    risky_p = 0.05      # gen.RISKY: how often a variant s2s refuses is written

    # ------------------------------------------------------------------ module level
    def init_level5(self):
        self.local_fns = []          # (name, number of parameters) of nested defs and lambdas in f
        self.fixed_used = []         # names of FIXED_HELPERS / APPLY_HELPERS the program calls (in order)
        self.grad_helper = None      # (helper, module-level name of its gradient)
        self.l5_module = []

    def setup_level5(self):
        """Module-level text for level 5: a recursive helper, a gradient of a helper."""
        if self.p(0.5):
            self.make_helper(recursive=True)
        if self.p(0.4):
            name = self.fresh(["energy", "potential", "cost"], "h")
            saved = self.kinds
            self.kinds = {name: "h", "a": ("f", ())}
            self.in_helper = True
            body = self.sexpr(self.scope_of({"a": ("f", ())}), 2)
            self.in_helper = False
            self.kinds = saved
            dname = "d" + name
            self.kinds[dname] = "h"
            self.l5_module.append(f"def {name}(a):\n    return {body}\n")
            self.l5_module.append(f"{dname} = s2s.grad({name})\n")
            self.grad_helper = (name, dname)

    def module_text_level5(self):
        text = "import functools\nimport math\n\nimport numpy as np\n\nimport s2s\n\n"
        text += "\n".join(MODULE_CONSTANTS) + f"\nW0 = np.linspace(-0.5, 1.0, {self.n})\n\n\n"
        for name in self.fixed_used:
            text += (FIXED_HELPERS.get(name) or APPLY_HELPERS[name]) + "\n\n"
        for part in self.l5_module:
            text += part + "\n\n"
        return text

    def use_fixed(self, name):
        if name not in self.fixed_used:
            self.fixed_used.append(name)
        return name

    def scope_of(self, names):
        from .gen import Scope
        return Scope(names)

    # ------------------------------------------------------------------ expressions
    def sexpr_level5(self, scope, d):
        """Productions of scalar expressions that level 5 adds (none inside module-level helpers)."""
        if self.in_helper:
            return []
        E = lambda: self.sexpr(scope, d - 1)   # noqa: E731
        n = self.n
        prods = []
        lists = [(nm, k) for nm, k in scope.names.items() if k[0] == "L"]
        slists = [(nm, k) for nm, k in lists if k[1] == ("f", ())]
        vlists = [(nm, k) for nm, k in lists if k[1] == ("f", (n,)) and k[2] >= 1]
        vecs = self.vars_of(scope, (n,))
        seqs = [nm for nm, _ in slists] + vecs
        if slists:
            def read_list():
                nm, k = self.choice(slists)
                opts = [f"sum({nm})", f"np.sum(np.array({nm}))", f"(len({nm}) * 0.1)"]
                if k[2] >= 1:
                    opts += [f"{nm}[-1]", f"{nm}[0]", f"np.mean(np.array({nm}))", f"np.max(np.array({nm}))"]
                ix = self.index_ints(scope, k[2]) if k[2] >= 1 else []
                if ix:
                    opts += [f"{nm}[{self.choice(ix)}]"]
                if k[2] >= 2:
                    opts += [f"{nm}[-2]", f"{nm}[1]", f"sum({nm}[1:])"]
                return self.choice(opts)
            prods += [(6, read_list)]
        if vlists:
            def read_vlist():
                nm, k = self.choice(vlists)
                return self.choice([f"np.sum(np.stack({nm}) ** 2)", f"np.sum(np.mean(np.stack({nm}), axis=0))",
                                    f"np.sum({nm}[-1])", f"np.sum(sum({nm}))", f"np.dot({nm}[0], {nm}[-1])"])
            prods += [(4, read_vlist)]
        if seqs and d > 0:
            prods += [(5, lambda: self.comprehension(scope, seqs, d))]
        if d > 0:
            prods += [(1.5, lambda: self.range_comprehension(scope, d))]
        if self.local_fns and d > 0:
            prods += [(8, lambda: self.call_local(scope, d))]
        if self.grad_helper and d > 0:
            name, dname = self.grad_helper
            prods += [(3, lambda: self.choice([f"{dname}({E()})", f"s2s.grad({name})({E()})"]))]
        if d > 0:
            S = lambda: self.use_fixed("shifted")   # noqa: E731
            prods += [(0.7, lambda: f"{S()}({E()})" if self.p(0.4) else
                       f"{S()}({E()}, {self.choice(['scale', 'shift'])}={self.leaf(scope, ())})"),
                      (0.5, lambda: f"{self.use_fixed('scaled')}({E()}, k={self.leaf(scope, ())})")]
        if vecs:
            V = lambda: self.choice(vecs)   # noqa: E731
            prods += [(1, lambda: f"np.sum({V()}).item()"),
                      (1, lambda: f"{V()}.item({self.rng.randrange(n)})"),
                      (0.7, lambda: f"np.sum({V()}.astype(np.float64) * {self.leaf(scope, ())})"),
                      (0.7, lambda: f"{self.use_fixed('proj')}({V()})")]
        return prods

    def aexpr_level5(self, scope, shape, d):
        if self.in_helper or d <= 0:
            return []
        A = lambda: self.aexpr(scope, shape, d - 1)   # noqa: E731
        prods = [(1, lambda: f"{A()}.astype(np.float64)")]
        if len(shape) == 1:
            m = shape[0]
            prods += [(1, lambda: (lambda v: f"np.array([{self.sexpr(self.with_var(scope, v), 1)} for {v} in "
                                             f"{self.leaf(scope, shape)}])")(self.comp_var()))]
            vecs = self.vars_of(scope, shape)
            if vecs:
                prods += [(0.7, lambda: f"np.stack([{self.choice(vecs)} * {self.const()}, {A()}]).sum(axis=0)")]
            if m <= 4:
                prods += [(0.5, lambda: "np.array([" + ", ".join(self.sexpr(scope, 0) for _ in range(m)) + "])")]
        return prods

    def comp_var(self):
        return self.fresh(COMP_VARS, ("f", ()))

    def with_var(self, scope, *names, kind=("f", ())):
        sc = scope.copy()
        for v in names:
            sc.names[v] = kind
        return sc

    def comprehension(self, scope, seqs, d):
        """sum/np.array/np.stack of a list comprehension or generator expression over sequences in scope."""
        v = self.comp_var()
        src = self.choice(seqs)
        r = self.rng.random()
        if r < 0.2 and len(seqs) >= 1:
            w = self.comp_var()
            other = self.choice(seqs)
            body = self.sexpr(self.with_var(scope, v, w), 1)
            return f"sum({body} for {v}, {w} in zip({src}, {other}))"
        if r < 0.35:
            i = self.fresh(["ii", "jj", "kk"], "i")
            sc = self.with_var(scope, v)
            sc.names[i] = ("i", tuple(range(self.n)))
            return f"sum({self.sexpr(sc, 1)} for {i}, {v} in enumerate({src}))"
        if r < 0.5:
            w = self.comp_var()
            other = self.choice(seqs)
            return f"sum([{self.sexpr(self.with_var(scope, v, w), 1)} for {v} in {src} for {w} in {other}])"
        if r < 0.7:
            body = self.sexpr(self.with_var(scope, v), 1)
            return f"sum({body} for {v} in {src} if {v} {self.choice(['>', '<'])} {self.choice(['0.0', '0.3', '-0.2'])})"
        if r < 0.85:
            body = self.sexpr(self.with_var(scope, v), 1)
            return f"np.sum(np.array([{body} for {v} in {src}]))"
        body = self.sexpr(self.with_var(scope, v), 1)
        return f"sum([{body} for {v} in {src}])"

    def range_comprehension(self, scope, d):
        i = self.fresh(["ii", "jj", "kk"], "i")
        m = self.rng.randint(1, 4)
        sc = scope.copy()
        sc.names[i] = ("i", tuple(range(m)))
        body = self.sexpr(sc, 1)
        if self.p(0.3) and self.vars_of(scope, (self.n,)):
            vec = self.choice(self.vars_of(scope, (self.n,)))
            return f"np.sum(np.stack([{vec} * ({i} + 1) for {i} in range({m})]) * {self.leaf(scope, ())})"
        return f"sum({body} for {i} in range({m}))"

    def call_local(self, scope, d):
        name, nparams = self.choice(self.local_fns)
        E = lambda: self.sexpr(scope, d - 1)   # noqa: E731
        if nparams == 2:
            return f"{name}({E()}, {E()})"
        r = self.rng.random()
        if r < 0.25:
            helper = self.use_fixed(self.choice(sorted(APPLY_HELPERS)))
            return helper + self._apply_args(helper, name, E)
        if r < 0.35:
            return f"({name}({E()}) + {name}({E()}))"
        return f"{name}({E()})"

    def _apply_args(self, helper, name, E):
        if helper == "compose":
            others = [nm for nm, k in self.local_fns if k == 1]
            return f"({name}, {self.choice(others)}, {E()})"
        if helper == "apply_sum" and self.p(0.4):
            return f"({name}, {E()}, n={self.rng.randint(1, 3)})"
        return f"({name}, {E()})"

    # ------------------------------------------------------------------ statements
    def stmt_level5(self, scope, ctx, indent):
        prods = [(3, lambda: self.list_stmt(scope, ctx)),
                 (1.5, lambda: self.dict_stmt(scope, ctx)),
                 (1.5, lambda: self.starred_stmt(scope, ctx)),
                 (0.8, lambda: self.errstate_stmt(scope, ctx, indent))]
        lists = [nm for nm, k in scope.names.items() if k[0] == "L" and nm not in ctx.get("noappend", ())]
        if lists:
            prods += [(4, lambda: self.append_stmt(scope, ctx, lists))]
        iterable = [nm for nm, k in scope.names.items() if k[0] == "L" and k[1] == ("f", ())]
        if iterable and ctx["depth"] < 3:
            prods += [(1.5, lambda: self.iterate_list(scope, ctx, iterable))]
        if ctx["depth"] == 0 and not self.in_helper:
            prods += [(4, lambda: self.def_stmt(scope, ctx))]
        if ctx["depth"] == 0 and self.vars_of(scope, (self.n, self.n)) and self.vars_of(scope, (self.n,)):
            prods += [(3, lambda: self.recurrence_stmt(scope, ctx))]
        return prods

    def recurrence_stmt(self, scope, ctx):
        """`h = np.tanh(M @ h * c + v)` over 0-20 steps: the reversed loop sums one outer product of M's
        adjoint per step (gathered several at a time: optimize/outer_sums.py), the step count around its
        batch sizes."""
        scope = scope.copy()
        n = self.n
        mat = self.choice(self.vars_of(scope, (n, n)))
        h = self.new_name(("f", (n,)))
        i = self.loopvar(["i", "j", "k", "step"], "i", scope.names)
        start, drive = self.leaf(scope, (n,)), self.leaf(scope, (n,))
        steps = self.choice([0, 1, 2, 5, 9, 16, 17, 20])
        step = self.choice([f"{mat} @ {h}", f"np.dot({mat}, {h})", f"{mat}.T @ {h}"])
        lines = [f"{h} = {start} * 0.5",
                 f"for {i} in range({steps}):",
                 f"    {h} = np.tanh({step} * 0.4 + {drive} * (0.1 * {i} + 0.2))"]
        scope.names[h] = ("f", (n,))
        return lines, scope, False

    def prelude_level5(self, scope, ctx):
        """The first lines of f at level 5: often a nested function and a list, so that the rest reads them."""
        lines = []
        for prob, make in ((0.6, self.def_stmt), (0.5, self.list_stmt)):
            if self.p(prob):
                more, scope, _ = make(scope, ctx)
                lines += ["    " + ln for ln in more]
        return lines, scope

    def scalar_target(self, scope, ctx):
        name, _ = self.target_scalar(scope, ctx)
        return name

    def def_stmt(self, scope, ctx):
        """A nested def, a lambda or a functools.partial reading the function's variables; then a call."""
        scope = scope.copy()
        r = self.rng.random()
        if r < self.risky_p:
            return self.risky_function_value(scope, ctx)
        name = self.fresh(FN_NAMES, "fn")
        nparams = 2 if self.p(0.25) else 1
        params = [self.fresh(FN_PARAMS, ("f", ())) for _ in range(nparams)]
        body_scope = self.with_var(scope, *params)
        lines = []
        if r < 0.45:
            body = [f"    return {self.uses_params(self.sexpr(body_scope, 2), params)}"]
            if self.p(0.4):
                tmp = self.fresh(["inner", "mid", "hz"], ("f", ()))
                body = [f"    {tmp} = {self.squash(self.sexpr(body_scope, 1))}",
                        f"    return {self.uses_params(self.sexpr(self.with_var(body_scope, tmp), 1), params + [tmp])}"]
            lines += [f"def {name}({', '.join(params)}):"] + body
        elif r < 0.85:
            lines.append(f"{name} = lambda {', '.join(params)}: {self.uses_params(self.sexpr(body_scope, 1), params)}")
        else:
            nparams = 1
            self.use_fixed("scaled")
            lines.append(f"{name} = functools.partial(scaled, k={self.sexpr(scope, 1)})")
        self.local_fns.append((name, nparams))
        target = self.scalar_target(scope, ctx)
        E = lambda: self.sexpr(scope, 1)   # noqa: E731
        args = lambda: ", ".join(E() for _ in range(nparams))   # noqa: E731
        lines.append(f"{target} = {name}({args()}) + {name}({args()})" if self.p(0.5) else f"{target} = {name}({args()})")
        scope.names[target] = ("f", ())
        return lines, scope, False

    def uses_params(self, body, params):
        """The body of a nested function, made to read each of its parameters."""
        for p in params:
            if not re.search(rf"\b{p}\b", body):
                body = self.choice([f"({body}) * {p}", f"{body} + math.sin({p})", f"math.tanh({p} * ({body}))"])
        return body

    def risky_function_value(self, scope, ctx):
        """A function value s2s refuses: returned by a helper, or chosen by a branch."""
        target = self.scalar_target(scope, ctx)
        fn = self.fresh(FN_NAMES, "fn")
        if self.p(0.5):
            self.use_fixed("make_scaler")
            lines = [f"{fn} = make_scaler({self.sexpr(scope, 1)})", f"{target} = {fn}({self.sexpr(scope, 1)})"]
        else:
            lines = [f"{fn} = np.sin if {self.cond(scope, 1)} else np.cos", f"{target} = {fn}({self.sexpr(scope, 1)})"]
        scope.names[target] = ("f", ())
        return lines, scope, False

    def list_stmt(self, scope, ctx):
        """A new list: empty then grown in a loop, a display, or a comprehension."""
        scope = scope.copy()
        n = self.n
        vector = self.p(0.25) and self.level >= 3
        name = self.fresh(VLIST_NAMES if vector else LIST_NAMES, "L")
        elem = ("f", (n,)) if vector else ("f", ())
        r = self.rng.random()
        lines = []
        if r < 0.55:
            m = self.rng.randint(0, 4)
            k = self.loopvar(["k", "step_", "j"], "i", scope.names)
            sc = scope.copy()
            sc.names[k] = ("i", tuple(range(m)))
            e = self.expr(sc, elem, 1)
            e = f"np.tanh({e})" if vector else self.squash(e)
            lines += [f"{name} = []", f"for {k} in range({m}):", f"    {name}.append({e})"]
            if self.p(0.3):
                lines += [f"    if {self.cond(sc, 0)}:", f"        {name}.append({self.expr(sc, elem, 0)})"]
            length = m
        elif r < 0.8 or vector:
            m = self.rng.randint(1, 3)
            lines.append(f"{name} = [{', '.join(self.expr(scope, elem, 1) for _ in range(m))}]")
            length = m
        else:
            vecs = self.vars_of(scope, (n,))
            v = self.comp_var()
            if vecs and self.p(0.6):
                src = self.choice(vecs)
                body = self.sexpr(self.with_var(scope, v), 1)
                if self.p(0.3):
                    lines.append(f"{name} = [{body} for {v} in {src} if {v} > {self.choice(['0.0', '-0.3'])}]")
                    length = 0
                else:
                    lines.append(f"{name} = [{body} for {v} in {src}]")
                    length = n
            else:
                i = self.fresh(["ii", "jj", "kk"], "i")
                m = self.rng.randint(1, 4)
                sc = scope.copy()
                sc.names[i] = ("i", tuple(range(m)))
                lines.append(f"{name} = [{self.sexpr(sc, 1)} for {i} in range({m})]")
                length = m
        scope.names[name] = ("L", elem, length)
        return lines, scope, False

    def append_stmt(self, scope, ctx, lists):
        scope = scope.copy()
        name = self.choice(lists)
        _, elem, length = scope.names[name]
        e = self.expr(scope, elem, 1)
        if ctx["loop"]:
            e = f"np.tanh({e})" if elem[1] else self.squash(e)
        vecs = self.vars_of(scope, elem[1]) if elem[1] else []
        if vecs and self.p(0.3):  # the array itself or a view of it: a later in-place write shows in the list
            e = self.choice(vecs) + self.choice(["", "", "[::-1]", "[:]"])
        r = self.rng.random()
        if r < self.risky_p:
            alias = self.fresh(["alias", "same", "view_"], "L")
            return [f"{alias} = {name}", f"{name}.append({e})"], scope, False
        if r < 0.55:
            lines, grow = [f"{name}.append({e})"], 1
        elif r < 0.8:
            lines, grow = [f"{name}.extend([{e}, {self.expr(scope, elem, 0)}])"], 2
        else:
            lines, grow = [f"{name} = {name} + [{e}]"], 1
        scope.names[name] = ("L", elem, length + grow)
        return lines, scope, False

    def iterate_list(self, scope, ctx, lists):
        scope = scope.copy()
        name = self.choice(lists)
        v = self.loopvar(["el", "item", "term"], ("f", ()), scope.names)
        inner = scope.copy()
        inner.names[v] = ("f", ())
        self.unsafe.add(v)
        sub = dict(ctx, depth=ctx["depth"] + 1, loop=True, noappend=tuple(ctx.get("noappend", ())) + (name,))
        if self.p(self.risky_p):
            sub["noappend"] = ()       # appending to the list the loop iterates over: refused
        target = self.scalar_target(scope, ctx)
        init = "0.0" if self.p(0.5) else self.leaf(scope, ())     # (read before the name is bound)
        scope.names[target] = ("f", ())
        inner.names[target] = ("f", ())
        body, _, _ = self.block(inner, sub, self.rng.randint(1, 3), 1)
        lines = [f"{target} = {init}",
                 f"for {v} in {name}:",
                 f"    {target} = {target} + {self.squash(self.sexpr(inner, 1))}"] + body
        return lines, scope, False

    def dict_stmt(self, scope, ctx):
        scope = scope.copy()
        name = self.fresh(["params_", "cfg", "coef", "lin"], "c")
        e1, e2 = self.sexpr(scope, 1), self.sexpr(scope, 1)
        text = f"{{'w': {e1}, 'b': {e2}}}" if self.p(0.6) else f"dict(w={e1}, b={e2})"
        lines = [f"{name} = {text}"]
        scope.names[name] = ("c", "dict", [("w", ("f", ())), ("b", ("f", ()))])
        if self.p(0.6):
            self.use_fixed("affine")
            target = self.scalar_target(scope, ctx)
            lines.append(f"{target} = affine({name}, {self.sexpr(scope, 1)})")
            scope.names[target] = ("f", ())
        return lines, scope, False

    def starred_stmt(self, scope, ctx):
        scope = scope.copy()
        m = self.rng.randint(2, 3)
        tup = self.fresh(["tup", "trio", "args_"], "c")
        items = [self.sexpr(scope, 1) for _ in range(m)]
        lines = [f"{tup} = ({', '.join(items)})"]
        scope.names[tup] = ("c", "tuple", [("f", ())] * m)
        r = self.rng.random()
        if r < 0.4:
            first = self.new_name(("f", ()))
            rest = self.fresh(["rest", "others", "tail"], "c")
            lines.append(f"{first}, *{rest} = {tup}")
            scope.names[first] = ("f", ())
            scope.names[rest] = ("c", "list", [("f", ())] * (m - 1))
            self.unsafe.update((first, rest))
        else:
            target = self.scalar_target(scope, ctx)
            calls = [f"{self.use_fixed('combine3')}(*{tup})", f"{self.use_fixed('combine3')}(*{tup}[:2])",
                     f"{self.use_fixed('combine3')}(*{tup}[::-1])"]
            if m == 2:
                calls.append(f"max(*{tup})")     # (max of more than two values is refused: a sequence)
            call = self.choice(calls)
            lines.append(f"{target} = {call}")
            scope.names[target] = ("f", ())
        return lines, scope, False

    def errstate_stmt(self, scope, ctx, indent):
        state = self.choice(["divide='ignore'", "invalid='ignore'", "over='ignore', divide='ignore'", "all='ignore'"])
        sub = dict(ctx, depth=ctx["depth"] + 1)
        body, after, jump = self.block(scope.copy(), sub, self.rng.randint(1, 3), 1)
        return [f"with np.errstate({state}):"] + (body or ["    pass"]), after, jump
