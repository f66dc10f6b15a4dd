"""Level 7 of the fuzzer's generator: the constructs the hunts of hunt3 (Python breadth, optimisation and
statistics code, edge inputs) found s2s getting wrong, none of which levels 1-6 write.

- lists of lists and tuples of lists (`rows = [[a, b], [c, d]]`): loops over them (`for row in rows`,
  `for a, b in rows`, enumerate, zip), nested comprehensions (`[v for row in rows for v in row]`,
  `sum(a * b for a, b in rows)`), `np.array(rows)`, `sum(rows, [])`; layers as `[[W1, b1], [W2, b2]]`, made
  in the function or passed as a parameter;
- module-level helpers that append to or extend a list the caller made (`record(traj, s)`), called in loops
  and branches;
- helpers whose defaults are tested (`if hi is None:`, `if soft:`), called with and without them;
- `sum(nested, [])`, `sum(parts, ())` and tuples grown in loops (`t = t + (v,)`);
- data read through dotted names: a module-level class with number, array and list attributes (`Config.w`),
  also as a helper's default;
- `dtype=` keywords and `.astype` with float dtypes, and with int dtypes (truncation: a zero derivative
  there), `np.array(v, dtype=float)`, `np.arange(n, dtype=float)`;
- 0-d arrays: `np.zeros(())`, `np.array(s, dtype=float)`, `acc += v` into one, `y[...] = ...` writes;
- dicts looped over by `.items()`, `.values()` and keys (the checker takes second derivatives on half of
  level 7's programs);
- int arguments (a scalar parameter drawn as a Python int on most draws: spec kind "n") read through `x * 1.0`,
  `x + x`, `x - 0.0`, `float(x)`, `np.array([x * 1.0, x + x, ...])` with an element write after it.

Rarely (`risky_p`, as levels 4-5 do) a variant s2s must refuse is written: a ufunc's `out` given by position
(`np.sin(v, buf)`), an item of a list assigned (`ys[0] = v`).

Every choice goes through the generator's own `random.Random`, so a seed makes the same program in every
process, and nothing here runs below level 7, so levels 1-6 make the programs they made before it.  Kinds added
to the scope: ("f", (), "0d") for a 0-d array the function made (read as a number; its element writes need it
to stay an array), and nested container kinds ("c", "list", [("c", "list", [...]), ...]) for lists of lists.
"""
from __future__ import annotations

ZERO_D = ("f", (), "0d")
ROWS_NAMES = ["rows", "pairs_", "table", "grid_", "recs"]
ROW_NAMES = ["row_", "pair", "rec", "entry", "line_"]
UNPACK_NAMES = ["p0", "p1", "p2", "lhs", "rhs", "u0", "u1", "w0", "w1"]
TRAJ_NAMES = ["traj", "history", "path", "trail", "log_"]
ACC_NAMES = ["acc0", "tot0", "cell", "z0", "y0"]
DICT_NAMES = ["named", "terms_", "cfg7", "parts_"]
TUPLE_NAMES = ["tt", "grown", "seq_", "tup_"]
PRODUCT_NAMES = ["pr", "prod_", "q0", "run_p"]
SUM_NAMES = ["sm", "total_", "s0", "run_s"]
LAYER_NAMES = ["layers", "net_", "stack_"]
NET_PARAMS = ["net", "layers_p", "weights"]
DICT_KEYS = ["a", "b", "c", "w", "scale"]

CONFIG = ("class Config:\n    scale = 0.7\n    w = np.linspace(-0.5, 1.0, {n})\n    M = np.eye({n}) * 0.5 + 0.1\n"
          "    pairs = [[0.5, -0.3], [0.2, 0.8]]\n    offset = (0.1, -0.2)\n")
HELPERS7 = {
    "record": "def record(traj, s):\n    traj.append(s)\n    return s\n",
    "record_pair": "def record_pair(traj, a, b):\n    traj.extend([a, b])\n    return a * b\n",
    "soft_clip": ("def soft_clip(v, hi=None, soft=True):\n    if hi is None:\n        hi = 1.0\n    if soft:\n"
                  "        return hi * math.tanh(v / hi)\n    return min(max(v, -hi), hi)\n"),
    "weighted": ("def weighted(v, w=None, squared=False):\n    if w is None:\n        w = np.ones_like(v)\n"
                 "    s = np.sum(w * v * v)\n    if squared:\n        return s\n    return math.sqrt(1.0 + s * s)\n"),
    "decayed": ("def decayed(s, lr=0.1, decay=None):\n    if decay is not None:\n        lr = lr * decay\n"
                "    return s - lr * math.sin(s)\n"),
    "along": ("def along(v, w=Config.w, scale=None):\n    if scale is None:\n        scale = Config.scale\n"
              "    return np.dot(w, v) * scale\n"),
}


class Level7:
    """Mixin of Gen (gen.py): the productions of level 7."""

    # ------------------------------------------------------------------ module level
    def init_level7(self):
        self.l7_used = []            # names of HELPERS7 the program calls (in order)
        self.l7_config = False       # the program reads Config
        self.l7_int_params = []      # scalar parameters drawn as ints on most draws
        self.l7_pairs = []           # (product, sum) a loop carries (carried_pair_stmt)

    def use7(self, name):
        if name == "along":
            self.l7_config = True
        if name not in self.l7_used:
            self.l7_used.append(name)
        return name

    def held(self, text):
        """text, an item put in a container: an array named by it is now also the container's (an in-place
        operator on the name would change the item too, which s2s refuses by design: not written, as for aliases)."""
        if text.isidentifier():
            self.unsafe.add(text)
        return text

    def config(self):
        self.l7_config = True
        return "Config"

    def module_text_level7(self, text):
        if self.l7_config:
            text += CONFIG.format(n=self.n) + "\n\n"
        for name in self.l7_used:
            text += HELPERS7[name] + "\n\n"
        return text

    def param_kind_level7(self, r):
        """A parameter's kind at level 7 (r: the generator's draw) and its name pool: scalars (some drawn as
        ints), vectors, matrices, and now and then layers `[[W1, b1], [W2, b2]]`."""
        from .gen import MATRIX_PARAMS, SCALAR_PARAMS, VECTOR_PARAMS
        n = self.n
        if r < 0.4:
            return ("f", ()), SCALAR_PARAMS
        if r < 0.75:
            return ("f", (n,)), VECTOR_PARAMS
        if r < 0.88:
            return ("f", (n, n)), MATRIX_PARAMS
        inner = self.choice(["list", "list", "tuple"])
        layer = ("c", inner, [("f", (n, n)), ("f", (n,))])
        return ("c", self.choice(["list", "list", "tuple"]), [layer] * self.rng.randint(1, 2)), NET_PARAMS

    def arg_specs_level7(self, params, specs):
        """The specs the arguments are drawn from: a scalar parameter is an int on most draws now and then."""
        out = []
        for (name, kind), spec in zip(params, specs):
            if kind == ("f", ()) and self.p(0.35):
                self.l7_int_params.append(name)
                spec = ("n",)
            out.append(spec)
        return out

    def prelude_level7(self, scope, ctx):
        """The first lines of f at level 7: one or two of its statements, so that the rest reads what they make."""
        lines = []
        makers = [(3, self.rows_stmt), (2, self.record_stmt), (1.5, self.layers_stmt), (1.5, self.dict_loop_stmt),
                  (1.5, self.zero_d_stmt), (1, self.grown_tuple_stmt), (1, self.int_array_stmt),
                  (1.5, self.carried_pair_stmt)]
        for _ in range(self.rng.choice([1, 1, 2])):
            if self.p(0.8):
                more, scope, _ = self.pick([(w, lambda m=m: m(scope, ctx)) for w, m in makers])()
                lines += ["    " + ln for ln in more]
        return lines, scope

    # ------------------------------------------------------------------ expressions
    def sexpr_level7(self, scope, d):
        if d <= 0:
            return []
        n = self.n
        E = lambda: self.sexpr(scope, d - 1)   # noqa: E731
        L = lambda: self.leaf(scope, ())       # noqa: E731
        vecs = self.vars_of(scope, (n,))
        V = lambda: self.choice(vecs)          # noqa: E731
        A = lambda: self.aexpr(scope, (n,), d - 1)   # noqa: E731
        prods = [
            (0.6, lambda: f"({self.config()}.scale * {E()})"),
            (0.4, lambda: f"({self.config()}.offset[{self.rng.randrange(2)}] + {E()})"),
            (0.4, lambda: f"(sum((cp_ * cq_ for cp_, cq_ in {self.config()}.pairs)) * {E()})"),
            (0.8, lambda: self.soft_clip_call(scope, d)),
            (0.6, lambda: self.decayed_call(scope, d)),
            (0.3, lambda: f"np.float64({E()})"),
            (0.2, lambda: f"(float(int({L()} * 2.0)) * {L()})"),
        ]
        params = [p for p in self.l7_int_params if scope.names.get(p) == ("f", ())]
        if params:
            P = lambda: self.choice(params)    # noqa: E731
            prods += [(0.8, lambda: self.choice([f"({P()} * 1.0)", f"({P()} + {P()})", f"({P()} - 0.0)",
                                                 f"({P()} / 1.0)", f"float({P()})", f"(2 * {P()})",
                                                 f"({P()} * 1.0 + {E()})"]))]
        if vecs:
            prods += [
                (0.5, lambda: f"np.dot({self.config()}.w, {V()})"),
                (0.6, lambda: self.weighted_call(scope, d)),
                (0.5, lambda: f"{self.use7('along')}({V()})" if self.p(0.5) else
                 f"{self.use7('along')}({V()}, scale={E()})"),
                (0.5, lambda: f"np.sum({A()}, dtype={self.choice(['float', 'np.float64'])})"),
                (0.3, lambda: f"np.mean({A()}, dtype=float)"),
                (0.3, lambda: f"np.sum(np.cumsum({A()}, dtype=float) * {L()})"),
                (0.5, lambda: f"np.sum({self.int_dtype(A(), d)} * {V()})"),
            ]
        rows = self.rows_in(scope)
        if rows:
            prods += [(1.2, lambda: self.rows_expr(scope, self.choice(rows), d))]
        dicts = [nm for nm, k in scope.names.items() if k[0] == "c" and k[1] == "dict"]
        if dicts:
            prods += [(0.6, lambda: self.dict_expr(scope, self.choice(dicts)))]
        return prods

    def int_dtype(self, a, d):
        """An int array from a float one: truncated, so its derivative is zero."""
        return self.choice([f"({a} * 2.0).astype(int)", f"np.array({a} * 3.0, dtype=int)",
                            f"np.asarray({a} * 2.5, dtype=np.int64)", f"({a} * 2.0).astype(np.int32)"])

    def soft_clip_call(self, scope, d):
        self.use7("soft_clip")
        e = self.sexpr(scope, d - 1)
        b = self.leaf(scope, ())
        return self.choice([f"soft_clip({e})", f"soft_clip({e}, 1.0 + {b} * {b})", f"soft_clip({e}, hi=1.5)",
                            f"soft_clip({e}, soft=False)", f"soft_clip({e}, 2.0, False)",
                            f"soft_clip({e}, hi=1.0 + {b} * {b}, soft=True)"])

    def decayed_call(self, scope, d):
        self.use7("decayed")
        e = self.sexpr(scope, d - 1)
        return self.choice([f"decayed({e})", f"decayed({e}, 0.3)", f"decayed({e}, decay={self.leaf(scope, ())})",
                            f"decayed({e}, lr=0.2, decay=0.5)"])

    def weighted_call(self, scope, d):
        self.use7("weighted")
        vecs = self.vars_of(scope, (self.n,))
        v, w = self.choice(vecs), self.choice(vecs)
        return self.choice([f"weighted({v})", f"weighted({v}, w={w})", f"weighted({v}, {w}, True)",
                            f"weighted({v}, squared=True)", f"weighted({self.aexpr(scope, (self.n,), d - 1)})"])

    def aexpr_level7(self, scope, shape, d):
        if d <= 0:
            return []
        n = self.n
        A = lambda: self.aexpr(scope, shape, d - 1)   # noqa: E731
        S = lambda: self.sexpr(scope, max(d - 2, 0))  # noqa: E731
        prods = [
            (0.5, lambda: f"np.array({A()}, dtype={self.choice(['float', 'np.float64'])})"),
            (0.3, lambda: f"np.asarray({A()}, dtype=np.float64)"),
            (0.4, lambda: f"{self.leaf(scope, shape)}.astype({self.choice(['float', 'np.float64'])})"),
            (0.4, lambda: f"({self.int_dtype(A(), d)} * {A()})"),
        ]
        shp = shape[0] if len(shape) == 1 else shape
        prods += [(0.3, lambda: f"(np.zeros({shp}, dtype=float) + {A()})"),
                  (0.3, lambda: f"np.full({shp}, {S()}, dtype=float)"),
                  (0.3, lambda: f"(np.ones({shp}, dtype=np.float64) * {S()})")]
        if shape == (n,):
            prods += [(0.5, lambda: f"({self.config()}.M @ {A()})"),
                      (0.4, lambda: f"({self.config()}.w * {A()})"),
                      (0.3, lambda: f"(np.arange({n}, dtype=float) * {S()})"),
                      (0.3, lambda: "np.array([" + ", ".join(self.sexpr(scope, 0) for _ in range(n)) + "], dtype=float)")]
            params = [p for p in self.l7_int_params if scope.names.get(p) == ("f", ())]
            if params:
                prods += [(0.6, lambda: self.int_param_array(scope, params))]
        elif shape == (n, n):
            prods += [(0.4, lambda: f"({self.config()}.M * {A()})")]
        return prods

    def int_param_array(self, scope, params):
        """np.array([x * 1.0, x + x, ...]) of int parameters: an int array when no item is a float."""
        forms = ["{p} * 1.0", "{p} + {p}", "2 * {p}", "{p} - 0.0", "{p}", "float({p})"]
        items = [self.choice(forms).format(p=self.choice(params)) for _ in range(self.n)]
        return f"np.array([{', '.join(items)}])"

    # ------------------------------------------------------------------ rows (lists of lists)
    def rows_in(self, scope):
        """Containers in scope whose items are all containers of the same kind (lists of lists)."""
        return [nm for nm, k in scope.names.items() if k[0] == "c" and k[1] != "dict" and k[2]
                and all(x == k[2][0] and x[0] == "c" and x[1] != "dict" for x in k[2])]

    def row_scalar(self, items, kinds):
        """A number made of one row's items (their kinds: scalar or vector)."""
        parts = [it if k[1] == () else f"np.sum({it})" for it, k in zip(items, kinds)]
        if len(parts) == 1:
            return parts[0]
        return self.choice([f"{parts[0]} * {parts[1]}", f"{parts[0]} - {parts[1]}",
                            f"{parts[0]} * {parts[-1]} + {parts[1]}"])

    def rows_expr(self, scope, name, d):
        """A number from a list of lists: a comprehension or generator over it, its flattening, np.array of it."""
        _, ctype, rows = scope.names[name]
        _, itype, kinds = rows[0]
        m = len(kinds)
        scalar = all(k == ("f", ()) for k in kinds)
        vs = [self.fresh(UNPACK_NAMES, k) for k in kinds]
        row = self.fresh(ROW_NAMES, "row")
        opts = [lambda: f"sum(({self.row_scalar(vs, kinds)} for {', '.join(vs)} in {name}))",
                lambda: f"sum([{self.row_scalar([f'{row}[{i}]' for i in range(m)], kinds)} for {row} in {name}])"]
        if scalar:
            v = self.fresh(UNPACK_NAMES, ("f", ()))
            opts += [lambda: f"sum((sum({row}) for {row} in {name}))",
                     lambda: f"np.sum(np.array([{v} * {self.leaf(scope, ())} for {row} in {name} for {v} in {row}]))",
                     lambda: f"sum([{v} ** 2 for {row} in {name} for {v} in {row} if {v} > {self.choice(['0.0', '-0.3'])}])",
                     lambda: f"np.sum(np.array({name}) ** 2)",
                     lambda: f"np.sum(np.array({name}, dtype=float) * {self.leaf(scope, ())})",
                     lambda: f"np.sum(np.array({name})[:, {self.rng.randrange(m)}])",
                     lambda: f"sum([[{v} * {self.leaf(scope, ())} for {v} in {row}] for {row} in {name}], [])[-1]"]
            if itype == "list":
                opts += [lambda: f"sum(sum({name}, []))"]
        return self.choice(opts)()

    def rows_stmt(self, scope, ctx):
        """rows = [[a, b], [c, d]] (or a tuple of lists, or of tuples), then a loop or a comprehension over it."""
        scope = scope.copy()
        n = self.n
        if self.p(self.risky_p):
            return self.risky_level7(scope, ctx)
        name = self.fresh(ROWS_NAMES, "c")
        nrows = self.rng.randint(1, 3)
        ncols = self.choice([2, 2, 3, 1])
        kinds = [("f", ())] * ncols
        if self.level >= 3 and self.p(0.25) and ncols >= 2:
            kinds = [("f", (n,))] + [("f", ())] * (ncols - 1)
        outer = self.choice(["list", "list", "tuple"])
        inner = self.choice(["list", "list", "list", "tuple"])

        def item(k):
            return self.held(self.expr(scope, k, 1) if self.p(0.6) else self.leaf(scope, k[1]))

        def row_text():
            items = ", ".join(item(k) for k in kinds)
            return f"[{items}]" if inner == "list" else f"({items},)" if ncols == 1 else f"({items})"
        rows = ", ".join(row_text() for _ in range(nrows))
        text = f"[{rows}]" if outer == "list" else f"({rows},)" if nrows == 1 else f"({rows})"
        lines = [f"{name} = {text}"]
        kind = ("c", outer, [("c", inner, kinds)] * nrows)
        scope.names[name] = kind
        r = self.rng.random()
        if r < 0.2:
            return lines, scope, False           # read later (rows_expr), or not at all
        if r < 0.45 or not ctx["depth"] < 3:
            target = self.scalar_target(scope, ctx)
            lines.append(f"{target} = {self.rows_expr(scope, name, 1)}")
            scope.names[target] = ("f", ())
            return lines, scope, False
        if r < 0.55 and inner == "list" and all(k == ("f", ()) for k in kinds):
            flat = self.fresh(["flat", "flat_", "joined"], "L")
            lines.append(f"{flat} = sum({name}, [])")
            scope.names[flat] = ("L", ("f", ()), nrows * ncols)
            return lines, scope, False
        more, scope, jump = self.rows_loop(scope, ctx, name)
        return lines + more, scope, jump

    def rows_loop(self, scope, ctx, name):
        """A loop over a list of lists: by row, unpacking the rows, with enumerate or zip; the body adds a
        number made of the row to an accumulator, then statements of every level."""
        from .gen import INT_NAMES, Scope
        scope = scope.copy()
        _, _, rows = scope.names[name]
        _, itype, kinds = rows[0]
        m = len(kinds)
        inner = dict(scope.names)
        r = self.rng.random()
        vecs = self.vars_of(scope, (self.n,))
        if r < 0.35 or m == 1:
            row = self.fresh(ROW_NAMES, "row")
            header = f"for {row} in {name}:"
            inner[row] = ("c", itype, kinds)
            items = [f"{row}[{i}]" for i in range(m)]
        elif r < 0.65:
            vs = [self.fresh(UNPACK_NAMES, k) for k in kinds]
            header = f"for {', '.join(vs)} in {name}:"
            inner.update(zip(vs, kinds))
            items = vs
            self.unsafe.update(vs)
        elif r < 0.85 or not vecs:
            i = self.loopvar(INT_NAMES, "i", inner)
            row = self.fresh(ROW_NAMES, "row")
            header = f"for {i}, {row} in enumerate({name}):"
            inner[i] = ("i", tuple(range(len(rows))))
            inner[row] = ("c", itype, kinds)
            items = [f"{row}[{k}]" for k in range(m)]
        else:
            row = self.fresh(ROW_NAMES, "row")
            w = self.fresh(UNPACK_NAMES, ("f", ()))
            header = f"for {row}, {w} in zip({name}, {self.choice(vecs)}):"
            inner[row] = ("c", itype, kinds)
            inner[w] = ("f", ())
            items = [f"{row}[{k}]" for k in range(m)]
            self.unsafe.add(w)
        target = self.scalar_target(scope, ctx)
        init = "0.0" if self.p(0.5) else self.leaf(scope, ())
        scope.names[target] = ("f", ())
        inner[target] = ("f", ())
        body_scope = Scope(inner, scope.owned)
        sub = dict(ctx, depth=ctx["depth"] + 1, loop=True)
        body, _, _ = self.block(body_scope, sub, self.rng.randint(0, 2), 1)
        lines = [f"{target} = {init}", header,
                 f"    {target} = {target} + {self.squash(self.row_scalar(items, kinds))}"] + body
        return lines, scope, False

    def layers_stmt(self, scope, ctx):
        """h = tanh(W @ h + b) over layers [[W1, b1], [W2, b2]] (made here, or a parameter of that shape)."""
        scope = scope.copy()
        n = self.n
        nets = [nm for nm, k in scope.names.items() if k[0] == "c" and k[1] != "dict" and k[2]
                and all(x[0] == "c" and x[2] == [("f", (n, n)), ("f", (n,))] for x in k[2])]
        lines = []
        if nets and self.p(0.7):
            name = self.choice(nets)
        else:
            name = self.fresh(LAYER_NAMES, "c")
            inner = self.choice(["list", "list", "tuple"])
            layers = []
            for _ in range(self.rng.randint(1, 3)):
                W = self.held(self.leaf(scope, (n, n)) if self.p(0.6) else self.aexpr(scope, (n, n), 1))
                b = self.held(self.leaf(scope, (n,)) if self.p(0.6) else self.aexpr(scope, (n,), 1))
                layers.append(f"[{W}, {b}]" if inner == "list" else f"({W}, {b})")
            lines.append(f"{name} = [{', '.join(layers)}]")
            scope.names[name] = ("c", "list", [("c", inner, [("f", (n, n)), ("f", (n,))])] * len(layers))
        h = self.new_name(("f", (n,)))
        start = self.leaf(scope, (n,))
        lines.append(f"{h} = {start} * {self.choice(['0.5', '1.0', '0.3'])}")
        r = self.rng.random()
        if r < 0.5:
            W, b = self.fresh(["W_l", "Wk", "Wi"], ("f", (n, n))), self.fresh(["b_l", "bk", "bi"], ("f", (n,)))
            lines += [f"for {W}, {b} in {name}:", f"    {h} = np.tanh({W} @ {h} * 0.5 + {b})"]
        elif r < 0.8:
            layer = self.fresh(["layer", "lay", "lyr"], "row")
            lines += [f"for {layer} in {name}:",
                      f"    {h} = np.tanh({self.choice([f'{layer}[0] @ {h}', f'np.dot({layer}[0], {h})'])} * 0.5 "
                      f"+ {layer}[1])"]
        else:
            W, b = self.fresh(["W_l", "Wk", "Wi"], ("f", (n, n))), self.fresh(["b_l", "bk", "bi"], ("f", (n,)))
            outs = self.fresh(["outs", "acts"], "L")
            lines.append(f"{outs} = [np.tanh({W} @ {h} + {b}) for {W}, {b} in {name}]")
            scope.names[outs] = ("L", ("f", (n,)), len(scope.names[name][2]))
        scope.names[h] = ("f", (n,))
        scope.owned.add(h)
        return lines, scope, False

    # ------------------------------------------------------------------ lists grown by helpers, tuples
    def record_stmt(self, scope, ctx):
        """A list the function made, grown by a module-level helper called in a loop (and in a branch)."""
        from .gen import Scope
        scope = scope.copy()
        n = self.n
        vector = self.level >= 3 and self.p(0.25)
        elem = ("f", (n,)) if vector else ("f", ())
        # (the helper's own parameter name now and then: s2s followed the append only then, see docs/testing.md)
        traj = "traj" if "traj" not in self.kinds and self.p(0.3) else self.fresh(TRAJ_NAMES[1:], "L")
        self.kinds[traj] = "L"
        steps = self.rng.randint(1, 4)
        k = self.loopvar(["k", "step_", "j"], "i", scope.names)
        if vector:
            s = self.new_name(("f", (n,)))
            lines = [f"{traj} = []", f"{s} = {self.leaf(scope, (n,))} * 0.5"]
        else:
            s, _ = self.target_scalar(scope, ctx)
            lines = [f"{traj} = []", f"{s} = {self.leaf(scope, ())}"]
        sc = Scope(dict(scope.names, **{s: elem, k: ("i", tuple(range(steps)))}), scope.owned)
        drive = self.expr(sc, elem, 1)
        step = f"np.tanh({s} * 0.8 + {drive} * 0.3)" if vector else self.squash(f"{s} * 0.8 + {drive} * 0.3")
        rec = self.use7("record")
        form = self.rng.random()
        if form < 0.5:
            body = [f"    {s} = {rec}({traj}, {step})"]
        elif form < 0.75:
            body = [f"    {s} = {step}", f"    {rec}({traj}, {s})"]
        else:
            body = [f"    {s} = {step}", f"    _ = {rec}({traj}, {s})"]
        grow = 1
        if not vector and self.p(0.3):
            t = self.new_name(("f", ()))
            body.append(f"    {t} = {self.use7('record_pair')}({traj}, {s}, {self.squash(self.sexpr(sc, 1))})")
            grow = 3
        if self.p(0.25):
            body += [f"    if {self.cond(sc, 0)}:", f"        {rec}({traj}, {self.held(self.expr(sc, elem, 0))})"]
        lines += [f"for {k} in range({steps}):"] + body
        scope.names[s] = elem
        scope.names[traj] = ("L", elem, steps * grow)
        if vector:
            self.unsafe.add(s)      # (the list holds the last state itself)
        if self.p(0.5):
            target = self.scalar_target(scope, ctx)
            read = (f"np.sum(np.array({traj}) ** 2)" if not vector else f"np.sum(np.stack({traj}) ** 2)")
            lines.append(f"{target} = {self.choice([read, f'np.sum({traj}[-1])', f'np.sum(sum({traj}))'])}")
            scope.names[target] = ("f", ())
        return lines, scope, False

    def grown_tuple_stmt(self, scope, ctx):
        """t = (); for k in range(m): t = t + (v,); or sum(parts, ()) of tuples."""
        from .gen import Scope
        scope = scope.copy()
        name = self.fresh(TUPLE_NAMES, "c")
        if self.p(0.3):
            parts = [f"({self.sexpr(scope, 1)},)", f"({self.sexpr(scope, 0)}, {self.sexpr(scope, 1)})"]
            lines = [f"{name} = sum([{', '.join(parts)}], ())"]
            length = 3
        else:
            m = self.rng.randint(1, 4)
            k = self.loopvar(["k", "step_", "j"], "i", scope.names)
            sc = Scope(dict(scope.names, **{k: ("i", tuple(range(m)))}), scope.owned)
            e = self.squash(self.sexpr(sc, 1))
            grow = self.choice([f"{name} = {name} + ({e},)", f"{name} += ({e},)"])
            lines = [f"{name} = ()", f"for {k} in range({m}):", f"    {grow}"]
            length = m
        scope.names[name] = ("c", "tuple", [("f", ())] * length)
        target = self.scalar_target(scope, ctx)
        lines.append(f"{target} = {self.choice([f'sum({name})', f'{name}[-1] * {self.leaf(scope, ())}', f'np.sum(np.array({name}) ** 2)', f'len({name}) * {self.leaf(scope, ())}'])}")
        scope.names[target] = ("f", ())
        return lines, scope, False

    # ------------------------------------------------------------------ dicts
    def dict_loop_stmt(self, scope, ctx):
        """A dict of numbers and arrays, looped over by .items(), .values() or its keys."""
        from .gen import Scope
        scope = scope.copy()
        n = self.n
        dicts = [nm for nm, k in scope.names.items() if k[0] == "c" and k[1] == "dict" and k[2]]
        lines = []
        if dicts and self.p(0.4):
            name = self.choice(dicts)
        else:
            name = self.fresh(DICT_NAMES, "c")
            keys = self.rng.sample(DICT_KEYS, self.rng.randint(1, 3))
            kinds = [("f", (n,)) if self.level >= 3 and self.p(0.3) else ("f", ()) for _ in keys]
            items = ", ".join(f"{key!r}: {self.held(self.expr(scope, k, 1))}" for key, k in zip(keys, kinds))
            lines.append(f"{name} = {{{items}}}")
            scope.names[name] = ("c", "dict", list(zip(keys, kinds)))
        kinds = [k for _, k in scope.names[name][2]]
        same = all(k == kinds[0] for k in kinds)
        target = self.scalar_target(scope, ctx)
        init = "0.0" if self.p(0.5) else self.leaf(scope, ())
        val = self.fresh(["val", "value_", "entry_"], "val")
        r = self.rng.random()
        if r < 0.2:
            expr = self.choice([f"sum((np.sum({val}) ** 2 for {val} in {name}.values()))",
                                f"np.sum(sum({name}.values()))",
                                f"sum([np.sum({val}) * {self.leaf(scope, ())} for {val} in {name}.values()])"])
            lines.append(f"{target} = {expr}")
            scope.names[target] = ("f", ())
            return lines, scope, False
        key = self.fresh(["key", "name_", "kk_"], "key")
        if r < 0.6:
            header, read = f"for {key}, {val} in {name}.items():", val
        elif r < 0.8:
            header, read = f"for {val} in {name}.values():", val
        else:
            header, read = f"for {key} in {name}:", f"{name}[{key}]"
        inner = dict(scope.names)
        inner[target] = ("f", ())
        if same and read == val:
            inner[val] = kinds[0]
            self.unsafe.add(val)
        use = self.choice([f"np.sum({read} * {self.leaf(scope, ())})", f"math.tanh(np.sum({read}))",
                           f"np.sum(np.sin({read}) * {read})"])
        scope.names[target] = ("f", ())
        sub = dict(ctx, depth=ctx["depth"] + 1, loop=True)
        body, _, _ = self.block(Scope(inner, scope.owned), sub, self.rng.randint(0, 2), 1) if ctx["depth"] < 2 else ([], 0, 0)
        lines += [f"{target} = {init}", header, f"    {target} = {target} + {use}"] + body
        return lines, scope, False

    def dict_expr(self, scope, name):
        val = self.fresh(["val", "value_", "entry_"], "val")
        return self.choice([f"sum((np.sum({val}) for {val} in {name}.values()))",
                            f"sum((np.sum({name}[key_]) * 0.5 for key_ in {name}))",
                            f"np.sum(np.array([np.sum({val}) for _k, {val} in {name}.items()]))"])

    # ------------------------------------------------------------------ 0-d arrays, int arguments
    def carried_pair_stmt(self, scope, ctx):
        """Two numbers a loop carries, one multiplied, one added (pr = pr * v; sm = sm + v), read together after
        it (pr * sm): a reversed loop restoring one reads the other's adjoint, the first one's last value (the
        hunt of round 8 found the restored values read instead)."""
        from .gen import ELEM_NAMES, Scope
        scope = scope.copy()
        pr, sm = self.fresh(PRODUCT_NAMES, ("f", ())), self.fresh(SUM_NAMES, ("f", ()))
        vecs = self.vars_of(scope, (self.n,))
        if vecs and self.p(0.6):
            v = self.fresh(ELEM_NAMES, ("f", ()))
            head, inner = f"for {v} in {self.choice(vecs)}:", Scope(dict(scope.names, **{v: ("f", ())}), scope.owned)
            self.unsafe.add(v)
        else:
            k = self.loopvar(["k", "step_", "j"], "i", scope.names)
            m = self.rng.randint(1, 4)
            head, inner = f"for {k} in range({m}):", Scope(dict(scope.names, **{k: ("i", tuple(range(m)))}), scope.owned)
        grow = self.choice([f"{pr} = {pr} * {self.squash(self.sexpr(inner, 1))}", f"{pr} = {pr} * {pr}",
                            f"{pr} = {pr} * (0.5 + 0.25 * {self.squash(self.sexpr(inner, 1))})"])
        add = self.choice([f"{sm} = {sm} + {self.squash(self.sexpr(inner, 1))}", f"{sm} += {self.leaf(inner, ())}"])
        body = [grow, add] if self.p(0.5) else [add, grow]
        lines = [f"{pr} = {self.choice(['1.0', self.squash(self.leaf(scope, ()))])}", f"{sm} = 0.0", head] + \
            ["    " + b for b in body]
        target = self.scalar_target(scope, ctx)
        lines.append(f"{target} = " + self.choice([f"{pr} * {sm}", f"{sm} * {pr}", f"{pr} * {sm} + {pr}",
                                                    f"({sm} + 1.0) * {pr}"]))
        scope.names[pr] = scope.names[sm] = scope.names[target] = ("f", ())
        self.l7_pairs.append((pr, sm))  # (the result adds pr * sm now and then: final_expr)
        return lines, scope, False

    def zero_d_stmt(self, scope, ctx):
        """A 0-d array the function makes, accumulated into in place in a loop and written with y[...] = ..."""
        from .gen import ELEM_NAMES, Scope
        scope = scope.copy()
        n = self.n
        if self.p(self.risky_p):
            return self.risky_level7(scope, ctx)
        zeros = [nm for nm, k in scope.names.items() if k == ZERO_D and nm not in self.unsafe]
        acc = self.fresh(ACC_NAMES, ZERO_D)
        if zeros and self.p(0.4):
            lines = [f"{acc} = np.copy({self.choice(zeros)})"]
        else:
            lines = [f"{acc} = " + self.choice(["np.zeros(())", "np.array(0.0)", f"np.array({self.leaf(scope, ())}, dtype=float)",
                                                f"np.copy(np.array({self.leaf(scope, ())}))"])]
        vecs = self.vars_of(scope, (n,))
        inner = dict(scope.names)
        inner[acc] = ZERO_D
        if vecs and self.p(0.6):
            v = self.fresh(ELEM_NAMES, ("f", ()))
            lines.append(f"for {v} in {self.choice(vecs)}:")
            inner[v] = ("f", ())
            self.unsafe.add(v)
        else:
            v = self.loopvar(["k", "step_", "j"], "i", scope.names)
            lines.append(f"for {v} in range({self.rng.randint(1, 4)}):")
            inner[v] = ("i", (0, 1, 2, 3))
        sc = Scope(inner, scope.owned)
        e = self.squash(self.sexpr(sc, 1))
        lines.append("    " + self.choice([f"{acc} += {e}", f"{acc} -= {e}", f"{acc}[...] = {acc} * 0.5 + {e}",
                                           f"{acc}[()] = {self.squash(f'{acc} + {e}')}"]))
        if self.p(0.4):
            lines.append("    " + self.choice([f"{acc}[...] = {acc} * 0.5", f"{acc} *= 0.5",
                                               f"{acc}[...] = np.tanh({acc})"]))
        if self.p(0.4):
            lines.append(self.choice([f"{acc}[...] = np.tanh({acc}) * {self.leaf(sc, ())}", f"{acc} /= 2.0"]))
        scope.names[acc] = ZERO_D
        return lines, scope, False

    def zero_d_write(self, scope, ctx, zeros):
        name = self.choice(zeros)
        e = self.sexpr(scope, 1)
        return [self.choice([f"{name}[...] = {e}", f"{name}[()] = {self.squash(e)}", f"{name}[...] += {self.squash(e)}",
                             f"{name} += {self.squash(e)}"])], scope, False

    def int_array_stmt(self, scope, ctx):
        """y = np.array([x * 1.0, x + x, ...]) of scalar parameters (ints on most draws), then an element write."""
        scope = scope.copy()
        n = self.n
        params = [p for p in self.l7_int_params if scope.names.get(p) == ("f", ())]
        if not params:
            params = [nm for nm in self.vars_of(scope, ())][:2]
        if not params:
            return self.rows_stmt(scope, ctx)
        y = self.new_name(("f", (n,)))
        lines = [f"{y} = {self.int_param_array(scope, params)}",
                 f"{y}[{self.rng.randrange(n)}] = {self.sexpr(scope, 1)}"]
        scope.names[y] = ("f", (n,))   # (not owned: an int array when every item is, where y += 0.5 raises)
        return lines, scope, False

    # ------------------------------------------------------------------ what s2s must refuse
    def risky_level7(self, scope, ctx):
        """A ufunc's out given by position, or an item of a list assigned: s2s refuses both (or gets them exact)."""
        n = self.n
        vecs = self.vars_of(scope, (n,))
        target = self.scalar_target(scope, ctx)
        if vecs and self.p(0.5):
            buf = self.fresh(["buf_", "outbuf"], ("f", (n,)))
            v = self.choice(vecs)
            call = self.choice([f"np.sin({v}, {buf})", f"np.add({v}, {self.choice(vecs)}, {buf})",
                                f"np.multiply({v}, {self.leaf(scope, ())}, {buf})", f"np.tanh({v}, {buf})"])
            lines = [f"{buf} = np.zeros({n})", f"_ = {call}", f"{target} = np.sum({buf} * {self.choice(vecs)})"]
        else:
            ys = self.fresh(["ys_", "items_"], "c")
            lines = [f"{ys} = [{self.sexpr(scope, 1)}, {self.sexpr(scope, 1)}]", f"{ys}[0] = {self.sexpr(scope, 1)}",
                     f"{target} = {ys}[0] * {ys}[1]"]
        scope.names[target] = ("f", ())
        return lines, scope, False

    # ------------------------------------------------------------------ statements
    def stmt_level7(self, scope, ctx, indent):
        prods = [(2.5, lambda: self.rows_stmt(scope, ctx)),
                 (1.5, lambda: self.record_stmt(scope, ctx)),
                 (1.0, lambda: self.grown_tuple_stmt(scope, ctx)),
                 (1.2, lambda: self.dict_loop_stmt(scope, ctx)),
                 (1.2, lambda: self.zero_d_stmt(scope, ctx)),
                 (0.6, lambda: self.int_array_stmt(scope, ctx))]
        if ctx["depth"] < 2 and self.level >= 3:
            prods += [(1.2, lambda: self.layers_stmt(scope, ctx))]
        rows = self.rows_in(scope)
        if rows and ctx["depth"] < 3:
            prods += [(1.5, lambda: self.rows_loop(scope, ctx, self.choice(rows)))]
        zeros = [nm for nm, k in scope.names.items() if k == ZERO_D and nm not in self.unsafe
                 and nm not in ctx.get("readonly", ())]
        if zeros:
            prods += [(1.2, lambda: self.zero_d_write(scope, ctx, zeros))]
        return prods
