"""Level 8 of the fuzzer's generator: the constructs rounds 12-16 made s2s accept, none of which levels 1-7 write.

- optimizer steps over item loops: `for p, g in zip(ps, gs): p -= lr * g` (also `zip(..., strict=True)`,
  `enumerate(ps)`, `enumerate(zip(ps, gs))`, gradients for fewer items than parameters, `p *= decay`, dict
  `.values()`/`.items()` and key loops), inside an outer loop of steps (over `_` or a counter), on parameters the
  function made or copied (`[w.copy() for w in ws]`, `copy.deepcopy(...)`, `dict(...)`, a list parameter rebound
  to its copies) holding arrays and numbers (`p -= g` on a number rebinds the name only); now and then another
  name holds an item before the steps (`first = ps[0]`), or the copy is shallow (`list(ws)`, `dict(base)`), so
  the change is seen through it: s2s must get that right or refuse it; a number item is now and then a 0-d array
  (`np.array(v)`), which `p -= g` changes in place;
- loops over `_` nested in loops over `_`, a loop whose variable an inner loop reuses (read after the inner
  loop), a search loop with `break` and `else:`, `while True:` left by a `break` on a data condition;
- lists grown in one branch and read in the other (`hist[-1] if hist else ...`), grown in nested loops and read
  inside the outer loop and by later loops;
- `next(filter(lambda ...), default)`, `next(genexp, default)`, `functools.reduce` with a lambda (with and
  without its initial value), `itertools.accumulate` (with a function, `initial=`), `takewhile`, `dropwhile`,
  `filterfalse`, `math.prod`, `statistics.fmean`, `any`/`all` in a condition, `zip(..., strict=True)`,
  `sorted(key=lambda ...)`, `max(key=)`/`min(key=abs)`;
- `collections.defaultdict(float)` (and `(list)`) accumulators, `d.get(k, 0.0)`, `d.setdefault(k, [])`, and
  item writes `ys[k] = v` into lists the function made (display, `list(v)`, a comprehension; in a loop too);
- running sums started as NumPy scalars (`np.float64(0.0)`), 0-d arrays (`np.zeros(())`, added into in place),
  Python ints (`tot = 0`), mixing ints and floats.

The checker's float32 pass runs these too.  Every choice goes through the generator's own `random.Random`, and
nothing here runs below level 8, so levels 1-7 make the programs they made before it.  The modules a program
uses (collections, copy, itertools, statistics) are imported at its top.
"""
from __future__ import annotations

OPT_NAMES = ["ps", "params_", "weights_", "theta_", "vars_"]
GRAD_NAMES = ["gs", "grads_", "dps", "g_list"]
STATE_NAMES = ["st", "state_", "opt_", "slots"]
DGRAD_NAMES = ["gd", "dgrads", "gst"]
BASE_NAMES = ["ws8", "base_", "init_", "src_"]
STEP_NAMES = ["step8", "epoch", "it8"]
ITEM_NAMES = ["p_", "w_i", "par"]
GITEM_NAMES = ["g_", "gi", "dp_"]
LR_NAMES = ["lr", "eta", "rate"]
HIST_NAMES = ["hist8", "seen", "kept", "log8", "buf8"]
ACC_NAMES8 = ["bins", "acc8", "tally", "sums_"]
RUN_NAMES = ["tot", "run8", "sofar", "cum8"]
FOUND_NAMES = ["found", "hit", "first_"]
LAMBDA_VARS = ["lt_", "le_", "lq_"]
KEYS8 = ["w", "b", "scale", "u"]


class Level8:
    """Mixin of Gen (gen.py): the productions of level 8."""

    # ------------------------------------------------------------------ module level
    def init_level8(self):
        self.l8_imports = []         # modules the program imports beyond level 5's

    def imp8(self, module):
        if module not in self.l8_imports:
            self.l8_imports.append(module)
        return module

    def module_text_level8(self, text):
        if not self.l8_imports:
            return text
        lines = "".join(f"import {m}\n" for m in sorted(self.l8_imports))
        return text.replace("import functools\n", "import functools\n" + lines, 1)

    def prelude_level8(self, scope, ctx):
        """The first lines of f at level 8: one or two of its statements, which the rest then reads."""
        lines = []
        for _ in range(self.rng.choice([1, 1, 2])):
            if self.p(0.9):
                more, scope, _ = self.pick([(w, lambda m=m: m(scope, ctx)) for w, m in self.makers8()])()
                lines += ["    " + ln for ln in more]
        return lines, scope

    def makers8(self):
        return [(3, self.optimizer_stmt), (2, self.control_stmt), (1.5, self.branch_list_stmt),
                (1.2, self.accum_stmt), (1, self.list_write_stmt), (1.2, self.running_sum_stmt)]

    def stmt_level8(self, scope, ctx, indent):
        if self.in_helper:
            return []
        prods = [(1.0, lambda: self.accum_stmt(scope, ctx)), (0.8, lambda: self.list_write_stmt(scope, ctx)),
                 (1.0, lambda: self.running_sum_stmt(scope, ctx))]
        if ctx["depth"] < 2:
            prods += [(2.0, lambda: self.optimizer_stmt(scope, ctx)), (1.5, lambda: self.control_stmt(scope, ctx)),
                      (1.2, lambda: self.branch_list_stmt(scope, ctx))]
        return prods

    # ------------------------------------------------------------------ small pieces
    def seqs8(self, scope, nonempty=True):
        """Sequences of numbers in scope: vectors and lists of numbers (non-empty ones if asked)."""
        n = self.n
        out = list(self.vars_of(scope, (n,)))
        out += [e for e, s in self.container_leaves(scope) if s == (n,)]
        out += [nm for nm, k in scope.names.items() if k[0] == "L" and k[1] == ("f", ()) and (k[2] >= 1 or not nonempty)]
        return out

    def fresh_vec(self, scope, d=1):
        """A new vector (never a name another holds)."""
        from .gen import is_fresh
        n = self.n
        e = self.aexpr(scope, (n,), d)
        if not is_fresh(e):
            e = self.choice([f"{e}.copy()", f"np.copy({e})", f"({e}) * 1.0", f"np.tanh({e})"])
        return e

    def zero_d_item(self, e):
        """A number item of parameters, now and then made a 0-d array (`p -= g` then changes it in place, where it
        rebinds the name of a number). Drawn from a stream of its own (`l8_zero_d`), so that the programs' other
        choices stay as they were before it."""
        import random
        stream = self.__dict__.setdefault("l8_zero_d", random.Random(f"s2s-fuzz-zero-d:{self.seed}:{self.level}"))
        return f"np.array({e})" if stream.random() < 0.35 else e

    def int_var(self, scope, values):
        from .gen import INT_NAMES
        k = self.loopvar(INT_NAMES, "i", scope.names)
        return k

    # ------------------------------------------------------------------ expressions
    def sexpr_level8(self, scope, d):
        if d <= 0:
            return []
        E = lambda: self.sexpr(scope, d - 1)      # noqa: E731
        L = lambda: self.leaf(scope, ())          # noqa: E731
        T = lambda: self.choice(["0.0", "0.5", "-0.5", "0.2", L()])   # noqa: E731
        full = self.seqs8(scope)
        some = self.seqs8(scope, nonempty=False)
        if not some:
            return []
        S = lambda: self.choice(full)              # noqa: E731
        A = lambda: self.choice(some)              # noqa: E731
        t = self.choice(LAMBDA_VARS)
        cmp_ = lambda: self.choice([">", "<", ">="])    # noqa: E731
        it = lambda: self.imp8("itertools")              # noqa: E731
        prods = [
            (1.0, lambda: f"next(filter(lambda {t}: {t} {cmp_()} {T()}, {A()}), {E()})"),
            (0.6, lambda: f"next(({t} * {L()} for {t} in {A()} if {t} {cmp_()} {T()}), {E()})"),
            (0.7, lambda: f"functools.reduce(lambda la_, lb_: la_ * 0.5 + {self.choice(['lb_', 'math.sin(lb_)', 'lb_ * lb_'])}, "
                          f"{A()}, {E()})"),
            (0.6, lambda: f"sum({it()}.takewhile(lambda {t}: {t} {cmp_()} {T()}, {A()}))"),
            (0.4, lambda: f"sum({it()}.dropwhile(lambda {t}: {t} {cmp_()} {T()}, {A()}))"),
            (0.4, lambda: f"sum({it()}.filterfalse(lambda {t}: {t} {cmp_()} {T()}, {A()}))"),
            (0.5, lambda: f"sum({it()}.accumulate({A()}, initial={E()}))"),
            (0.8, lambda: f"({E()} if {self.choice(['any', 'all'])}(({t} {cmp_()} {T()} for {t} in {A()})) else {E()})"),
        ]
        if full:
            prods += [
                (0.5, lambda: f"functools.reduce(lambda la_, lb_: la_ * {self.choice(['0.5', 'math.tanh(lb_)', 'lb_'])} + lb_, {S()})"),
                (0.6, lambda: f"list({it()}.accumulate({S()}, lambda la_, lb_: la_ * 0.5 + lb_))[-1]"),
                (0.4, lambda: f"sum({it()}.accumulate({S()}))"),
                (0.3, lambda: f"max({it()}.accumulate({S()}, max))"),
                (0.7, lambda: f"math.prod({S()})"),
                (0.5, lambda: f"math.prod([{E()}, {E()}])"),
                (0.7, lambda: f"{self.imp8('statistics')}.fmean({S()})"),
                (0.6, lambda: f"sorted({S()}, key=lambda {t}: abs({t} - {L()}))[{self.choice(['0', '-1'])}]"),
                (0.3, lambda: f"sorted({S()}, key=abs)[-1]"),
                (0.6, lambda: f"{self.choice(['max', 'min'])}({S()}, key=lambda {t}: {t} * {t})"),
                (0.3, lambda: f"min({S()}, key=abs)"),
            ]
        vecs = self.vars_of(scope, (self.n,))
        if vecs:
            V = lambda: self.choice(vecs)          # noqa: E731
            prods += [(0.7, lambda: f"sum((la_ * lb_ for la_, lb_ in zip({V()}, {V()}, strict=True)))"),
                      (0.3, lambda: f"sum((la_ - lb_ for la_, lb_ in zip({V()}, np.tanh({V()}), strict=True)))")]
        return prods

    # ------------------------------------------------------------------ optimizer steps
    def optimizer_stmt(self, scope, ctx):
        """Parameters the function made or copied, updated in place by item loops in an outer loop of steps."""
        scope = scope.copy()
        if self.p(0.35):
            return self.dict_optimizer(scope, ctx)
        n = self.n
        lines = []
        m = self.rng.randint(2, 3)
        kinds = [("f", (n,)) if self.p(0.75) else ("f", ()) for _ in range(m)]
        ps = self.fresh(OPT_NAMES, "c")
        holder = None           # another container holding ps's arrays (a shallow copy's source)
        vec_params = [nm for nm, k in scope.names.items() if k[0] == "c" and k[1] in ("list", "tuple") and k[2]
                      and all(x == ("f", (n,)) for x in k[2]) and nm not in ctx.get("readonly", ())]
        r = self.rng.random()
        if vec_params and r < 0.3:
            src = self.choice(vec_params)
            kinds = list(scope.names[src][2])
            if self.p(0.3) and src not in ctx.get("iterated", ()):
                ps = src        # params = [p.copy() for p in params]: the name rebound to the copies
            form = self.choice([f"[w8.copy() for w8 in {src}]", f"copy.deepcopy(list({src}))",
                                f"[np.array(w8, dtype=float) for w8 in {src}]"])
            if "copy." in form:
                self.imp8("copy")
            lines.append(f"{ps} = {form}")
        elif r < 0.55 and all(k[1] == (n,) for k in kinds):
            base = self.fresh(BASE_NAMES, "c")
            items = [self.held(self.aexpr(scope, (n,), 1)) for _ in kinds]
            lines.append(f"{base} = [{', '.join(items)}]")
            form = self.choice([f"[w8.copy() for w8 in {base}]", f"copy.deepcopy({base})", f"[np.copy(w8) for w8 in {base}]",
                                f"list({base})" if self.p(0.3) else f"[w8 * 1.0 for w8 in {base}]"])
            if "copy." in form:
                self.imp8("copy")
            if form.startswith("list("):
                holder = base   # a shallow copy: base's arrays change with ps's
            lines.append(f"{ps} = {form}")
            scope.names[base] = ("c", "list", list(kinds))
        else:
            items = [self.fresh_vec(scope) if k[1] else self.zero_d_item(self.sexpr(scope, 1)) for k in kinds]
            lines.append(f"{ps} = [{', '.join(items)}]")
        first = None
        if self.p(0.15):
            first = self.fresh(["first8", "head_", "p0_"], kinds[0])
            lines.append(f"{first} = {ps}[0]")
            self.unsafe.add(first)
        lr = self.choice(["0.1", "0.05", "0.3", self.leaf(scope, ())])
        if self.p(0.4):
            nm = self.fresh(LR_NAMES, ("f", ()))
            lines.append(f"{nm} = {lr}")
            scope.names[nm] = ("f", ())
            lr = nm
        steps = self.rng.randint(1, 3)
        step = "_" if self.p(0.5) else self.fresh(STEP_NAMES, "i")
        gs = self.fresh(GRAD_NAMES, "c")
        p, g = self.fresh(ITEM_NAMES, "item"), self.fresh(GITEM_NAMES, "item")
        c = self.leaf(scope, ())
        fewer = self.p(0.15)
        src = f"{ps}[:-1]" if fewer else ps
        grad = self.choice([f"np.cos({p}) * {c} + {p} * 0.1", f"np.tanh({p}) * 0.5", f"{p} * {c}",
                            f"np.sin({p} + {c}) * 0.5"])
        body = [f"{gs} = [{grad} for {p} in {src}]"]
        op = self.choice(["-=", "-=", "-=", "+=", "*="])
        looped = self.p(0.7)                       # the updates inside an outer loop of steps
        decay = looped and step != "_" and self.p(0.3)    # the step count read inside the steps (a decayed rate)
        rate = f"{lr} / (1.0 + {step})" if decay else lr

        def rhs_of(gv):
            return f"{rate} * {gv}" if op != "*=" else f"(1.0 - {rate} * np.tanh({gv}))"
        rhs = rhs_of(g)
        form = self.rng.random()
        strict = "" if fewer or self.p(0.7) else ", strict=True"
        if form < 0.45:
            upd = [f"for {p}, {g} in zip({ps}, {gs}{strict}):", f"    {p} {op} {rhs}"]
        elif form < 0.6 and not fewer:
            i = self.fresh(["i8", "k8", "j8"], "i")
            upd = [f"for {i}, {p} in enumerate({ps}):", f"    {p} {op} {rhs_of(f'{gs}[{i}]')}"]
        elif form < 0.75:
            i = self.fresh(["i8", "k8", "j8"], "i")
            upd = [f"for {i}, ({p}, {g}) in enumerate(zip({ps}, {gs})):", f"    {p} {op} {rhs} * (1.0 + {i} * 0.5)"]
        elif form < 0.85:
            upd = [f"for {p} in {ps}:", f"    {p} *= {self.choice(['0.9', '0.5', f'np.tanh({c}) * 0.5 + 0.6'])}"]
        else:
            upd = [f"{ps} = [{p} - {rate} * {g} for {p}, {g} in zip({ps}, {gs}{strict})]" if not fewer else
                   f"{ps} = [{p} - {rate} * {g} for {p}, {g} in zip({ps}, {gs})] + {ps}[len({gs}):]"]
        body += upd
        if steps and self.p(0.3):
            t = self.scalar_target(scope, ctx)
            if t not in scope.names:
                lines.append(f"{t} = 0.0")
            body.append(f"{t} = {t} + np.sum({ps}[0] * {ps}[-1]) * 0.1")
            scope.names[t] = ("f", ())
        if looped:
            lines.append(f"for {step} in range({steps}):")
            lines += ["    " + b for b in body]
        else:
            lines += body
        target = self.scalar_target(scope, ctx)
        read = self.choice([f"sum((np.sum({p} ** 2) for {p} in {ps}))", f"np.sum({ps}[0]) + np.sum({ps}[-1])",
                            f"sum((np.sum({p} * {g}) for {p}, {g} in zip({ps}, {gs})))",
                            f"np.sum({ps}[{self.rng.randrange(m)}] * {self.leaf(scope, ())})"])
        held = first if first is not None else f"{holder}[0]" if holder is not None and self.p(0.7) else None
        if held is not None:
            read = f"{read} + np.sum({held}) * 0.5"
        lines.append(f"{target} = {read}")
        scope.names[target] = ("f", ())
        scope.names[ps] = ("c", "list", list(kinds))
        if first is not None:
            scope.names[first] = kinds[0]
        return lines, scope, False

    def dict_optimizer(self, scope, ctx):
        """A dict of parameters (made, deep-copied or copied with dict()), updated by .values()/.items() loops."""
        n = self.n
        lines = []
        keys = self.rng.sample(KEYS8, self.rng.randint(2, 3))
        kinds = [("f", (n,)) if self.p(0.7) else ("f", ()) for _ in keys]
        st = self.fresh(STATE_NAMES, "c")
        dict_params = [nm for nm, k in scope.names.items() if k[0] == "c" and k[1] == "dict" and k[2]
                       and nm not in ctx.get("readonly", ())]
        r = self.rng.random()
        shared = None
        if dict_params and r < 0.35:
            src = self.choice(dict_params)
            keys = [key for key, _ in scope.names[src][2]]
            kinds = [k for _, k in scope.names[src][2]]
            if self.p(0.8):
                lines.append(f"{st} = {self.imp8('copy')}.deepcopy({src})")
            else:
                lines.append(f"{st} = {{k8: np.array(v8, dtype=float) for k8, v8 in {src}.items()}}")
        else:
            items = [self.fresh_vec(scope) if k[1] else self.zero_d_item(self.sexpr(scope, 1)) for k in kinds]
            disp = ", ".join(f"{key!r}: {it}" for key, it in zip(keys, items))
            if r < 0.6:
                lines.append(f"{st} = {{{disp}}}")
            elif r < 0.8:
                lines.append(f"{st} = dict({', '.join(f'{key}={it}' for key, it in zip(keys, items))})")
            else:
                base = self.fresh(BASE_NAMES, "c")
                lines.append(f"{base} = {{{disp}}}")
                if self.p(0.5):
                    lines.append(f"{st} = dict({base})")    # shallow: base's arrays change with st's
                    shared = base
                else:
                    lines.append(f"{st} = {self.imp8('copy')}.deepcopy({base})")
                scope.names[base] = ("c", "dict", list(zip(keys, kinds)))
        lr = self.choice(["0.1", "0.2", self.leaf(scope, ())])
        c = self.leaf(scope, ())
        gd = self.fresh(DGRAD_NAMES, "c")
        key, v, g = self.fresh(["k8", "key8", "name8"], "key"), self.fresh(ITEM_NAMES, "item"), self.fresh(GITEM_NAMES, "item")
        body = [f"{gd} = {{{key}: {self.choice([f'np.sin({v}) * {c}', f'{v} * 0.5 + {c}', f'np.tanh({v} * {c})'])} "
                f"for {key}, {v} in {st}.items()}}"]
        form = self.rng.random()
        if form < 0.35:
            body += [f"for {key}, {v} in {st}.items():", f"    {v} -= {lr} * {gd}[{key}]"]
        elif form < 0.55:
            body += [f"for {v} in {st}.values():", f"    {v} *= {self.choice(['0.9', '0.5'])}"]
        elif form < 0.75:
            body += [f"for {key} in {st}:", f"    {st}[{key}] = {st}[{key}] - {lr} * {gd}[{key}]"]
        elif form < 0.9:
            body += [f"for {v}, {g} in zip({st}.values(), {gd}.values()):", f"    {v} -= {lr} * {g}"]
        else:
            body += [f"{st} = {{{key}: {st}[{key}] - {lr} * {gd}[{key}] for {key} in {st}}}"]
        steps = self.rng.randint(1, 3)
        head = f"for {self.choice(['_', self.fresh(STEP_NAMES, 'i')])} in range({steps}):"
        lines += [head] + ["    " + b for b in body]
        target = self.scalar_target(scope, ctx)
        read = self.choice([f"sum((np.sum({v} ** 2) for {v} in {st}.values()))",
                            f"np.sum({st}[{keys[0]!r}]) * {self.leaf(scope, ())}",
                            f"sum((np.sum({st}[{key}] * {gd}[{key}]) for {key} in {st}))"])
        if shared is not None:
            read = f"{read} + np.sum({shared}[{keys[0]!r}])"
        lines.append(f"{target} = {read}")
        scope.names[target] = ("f", ())
        scope.names[st] = ("c", "dict", list(zip(keys, kinds)))
        return lines, scope, False

    # ------------------------------------------------------------------ control flow
    def control_stmt(self, scope, ctx):
        from .gen import Scope
        scope = scope.copy()
        sub = dict(ctx, depth=ctx["depth"] + 1, loop=True)
        s = self.scalar_target(scope, ctx)
        init = [] if s in scope.names else [f"{s} = {self.leaf(scope, ())}"]
        scope.names[s] = ("f", ())
        r = self.rng.random()
        if r < 0.3:
            # for _ in ...: for _ in ...
            k1, k2 = self.rng.randint(0, 3), self.rng.randint(1, 3)
            upd1 = f"{s} = {self.squash(f'{s} * 0.8 + {self.sexpr(scope, 1)}')}"
            upd2 = f"{s} = {self.squash(f'{s} * 0.9 + {self.sexpr(scope, 1)} * 0.5')}"
            inner, _, _ = self.block(scope.copy(), dict(sub, depth=sub["depth"] + 1), self.rng.randint(0, 1), 1)
            lines = init + [f"for _ in range({k1}):", f"    {upd1}", f"    for _ in range({k2}):", f"        {upd2}"]
            lines += ["    " + ln for ln in inner]
            if self.p(0.4):
                lines += [f"    for _ in range({self.rng.randint(0, 2)}):", f"        {s} = {s} * 0.5"]
            return lines, scope, False
        if r < 0.5:
            # an inner loop reusing the outer loop's variable, read after the inner loop
            i = self.int_var(scope, ())
            k1, k2 = self.rng.randint(1, 3), self.rng.randint(1, 3)
            both = tuple(sorted(set(range(k1)) | set(range(k2))))
            sc = Scope(dict(scope.names, **{i: ("i", both)}), scope.owned)
            lines = init + [f"for {i} in range({k1}):", f"    {s} = {self.squash(f'{s} + {self.sexpr(sc, 1)} * 0.5')}",
                            f"    for {i} in range({k2}):", f"        {s} = {self.squash(f'{s} * 0.7 + {i} * {self.leaf(sc, ())}')}",
                            f"    {s} = {s} * (1.0 + {i} * 0.25)"]
            body, _, _ = self.block(sc, sub, self.rng.randint(0, 1), 1)
            lines += body
            return lines, scope, False
        if r < 0.75:
            # a search: break on the first item that passes, else: the fallback
            seqs = self.seqs8(scope)
            found = self.fresh(FOUND_NAMES, ("f", ()))
            v = self.fresh(["v8", "cand", "item8"], ("f", ()))
            if seqs and self.p(0.8):
                src = self.choice(seqs)
                if self.p(0.5):
                    i = self.int_var(scope, ())
                    head = f"for {i}, {v} in enumerate({src}):"
                    names = {v: ("f", ()), i: ("i", tuple(range(self.n)))}
                else:
                    head, names = f"for {v} in {src}:", {v: ("f", ())}
            else:
                items = [self.leaf(scope, ()) for _ in range(self.rng.randint(1, 3))]
                head, names = f"for {v} in [{', '.join(items)}]:", {v: ("f", ())}
            self.unsafe.add(v)
            sc = Scope(dict(scope.names, **names), scope.owned)
            lines = init + [f"{found} = {self.sexpr(scope, 1)}", head]
            body, _, _ = self.block(sc, dict(sub, can_return=False), self.rng.randint(0, 1), 1)
            lines += body
            lines += [f"    if {v} {self.choice(['>', '<'])} {self.choice(['0.0', '0.3', '-0.3', s])}:",
                      f"        {found} = {self.squash(f'{v} * {self.leaf(sc, ())}')}", "        break"]
            if self.p(0.8):
                lines += ["else:", f"    {found} = {self.squash(self.sexpr(scope, 1))}"]
            lines.append(f"{s} = {s} + {found}")
            scope.names[found] = ("f", ())
            return lines, scope, False
        # while True: ... break on a condition (a counter bounds it)
        cnt = self.fresh(["n8", "cnt8", "tries8"], "i")
        limit = self.rng.randint(1, 4)
        sc = Scope(dict(scope.names, **{cnt: ("i", tuple(range(limit + 1)))}), scope.owned)
        upd = f"{s} = {self.squash(f'{s} * 0.7 + {self.sexpr(sc, 1)}')}"
        cond = f"{s} {self.choice(['>', '<'])} {self.choice(['0.0', '0.4', '-0.4'])}"
        lines = init + [f"{cnt} = 0"]
        body, _, _ = self.block(sc, dict(sub, can_return=False), self.rng.randint(0, 1), 1)
        if self.p(0.6):
            lines += ["while True:", f"    {upd}", f"    {cnt} += 1"] + body + [f"    if {cond} or {cnt} >= {limit}:",
                                                                          "        break"]
        else:
            lines += [f"while {cnt} < {limit}:", f"    {cnt} += 1", f"    {upd}"] + body + [f"    if {cond}:", "        break",
                                                                                     "else:", f"    {s} = {s} * 0.5"]
        scope.names[cnt] = ("i", tuple(range(limit + 1)))
        return lines, scope, False

    # ------------------------------------------------------------------ lists grown in branches and nested loops
    def branch_list_stmt(self, scope, ctx):
        from .gen import Scope
        scope = scope.copy()
        h = self.fresh(HIST_NAMES, "L")
        s = self.scalar_target(scope, ctx)
        init = [] if s in scope.names else [f"{s} = {self.leaf(scope, ())}"]
        scope.names[s] = ("f", ())
        if self.p(0.5):
            m = self.rng.randint(1, 4)
            k = self.int_var(scope, ())
            sc = Scope(dict(scope.names, **{k: ("i", tuple(range(m)))}), scope.owned)
            start = self.choice(["[]", "[]", f"[{self.leaf(scope, ())}]"])
            read = self.choice([f"({h}[-1] if {h} else 0.5)", f"sum({h}) * 0.1", f"len({h}) * 0.2",
                                f"({h}[0] * {h}[-1] if len({h}) > 1 else 1.0)"])
            cond = self.choice([f"{k} % 2 == 0", f"{s} > {self.choice(['0.0', '0.3'])}", self.cond(sc, 0)])
            lines = init + [f"{h} = {start}", f"for {k} in range({m}):", f"    if {cond}:",
                            f"        {h}.append({self.squash(self.sexpr(sc, 1))})", "    else:",
                            f"        {s} = {self.squash(f'{s} + {read}')}"]
            if self.p(0.4):
                lines += [f"    {s} = {s} * 0.9 + {read} * 0.1"]
            scope.names[h] = ("L", ("f", ()), 1 if start != "[]" else 0)
            return lines, scope, False
        a, b = self.rng.randint(1, 3), self.rng.randint(0, 3)
        i = self.int_var(scope, ())
        j = self.loopvar(["j8", "jj8"], "i", dict(scope.names, **{i: 0}))
        sc = Scope(dict(scope.names, **{i: ("i", tuple(range(a))), j: ("i", tuple(range(b)))}), scope.owned)
        lines = init + [f"{h} = []", f"for {i} in range({a}):"]
        if self.p(0.3):
            lines.append(f"    {s} = {s} + sum({h}) * 0.1")          # read before the inner loop grows it
        lines += [f"    for {j} in range({b}):", f"        {h}.append({self.squash(self.sexpr(sc, 1))})"]
        if self.p(0.3):
            lines += [f"        if {j} > 0:", f"            {h}.append({h}[-1] * 0.5)"]
        lines.append(f"    {s} = {self.squash(f'{s} * 0.5 + sum({h}) * 0.1')}")
        y = self.fresh(["y8", "h8", "el8"], ("f", ()))
        if self.p(0.6):
            lines += [f"for {y} in {h}:", f"    {s} = {s} + {y} * {self.leaf(scope, ())} * 0.1"]
        scope.names[h] = ("L", ("f", ()), a * b)
        return lines, scope, False

    # ------------------------------------------------------------------ dict accumulators, list item writes
    def accum_stmt(self, scope, ctx):
        scope = scope.copy()
        d = self.fresh(ACC_NAMES8, "c")
        seqs = self.seqs8(scope)
        v = self.fresh(["v8", "x8", "q8"], ("f", ()))
        i = self.fresh(["i8", "k8", "j8"], "i")
        if seqs and self.p(0.7):
            head = f"for {i}, {v} in enumerate({self.choice(seqs)}):"
        else:
            m = self.rng.randint(1, 4)
            head = f"for {i}, {v} in enumerate([{', '.join(self.sexpr(scope, 0) for _ in range(m))}]):"
        c = self.leaf(scope, ())
        # (keys known only at run time are refused by s2s today: written on a third of the programs)
        key = self.choice([f"{i} % 2", f"'pos' if {v} > 0 else 'neg'", f"min({i}, 1)"]) if self.p(0.35) else \
            self.choice(["'pos'", "'neg'"]) if self.p(0.5) else self.choice(["0", "1"])
        val = self.choice([f"{v} * {c}", f"{v} * {v}", f"math.tanh({v} + {c})"])
        coll = self.imp8("collections")
        r = self.rng.random()
        if r < 0.4:
            lines = [f"{d} = {coll}.defaultdict(float)", head, f"    {d}[{key}] += {val}"]
        elif r < 0.7:
            lines = [f"{d} = {{}}", head, f"    {d}[{key}] = {d}.get({key}, 0.0) + {val}"]
        elif r < 0.85:
            lines = [f"{d} = {{}}", head, f"    {d}.setdefault({key}, []).append({val})"]
        else:
            lines = [f"{d} = {coll}.defaultdict(list)", head, f"    {d}[{key}].append({val})"]
        lists = "append" in lines[-1]
        target = self.scalar_target(scope, ctx)
        k0, k1 = ("'pos'", "'neg'") if "'" in key else ("0", "1")
        if lists:
            read = self.choice([f"sum((sum(l8) for l8 in {d}.values()))", f"sum({d}.get({k0}, [0.0])) + len({d}) * 0.1",
                                f"sum((math.prod(l8) for l8 in {d}.values()))"])
        else:
            read = self.choice([f"sum({d}.values())", f"{d}.get({k0}, 0.0) * {d}.get({k1}, 1.0)",
                                f"sum((w8 * w8 for w8 in {d}.values()))", f"{d}.get({k0}, 0.0) - {d}.get({k1}, 0.0)",
                                f"max({d}.values())"])
        if not lists and "defaultdict" in lines[0] and self.p(0.3):
            lines.append(f"{d}['extra'] += {self.leaf(scope, ())}")   # a key the loop never made: its 0.0
        lines.append(f"{target} = {read}")
        scope.names[target] = ("f", ())
        return lines, scope, False

    def list_write_stmt(self, scope, ctx):
        scope = scope.copy()
        n = self.n
        ys = self.fresh(["ys8", "vals8", "slots8", "zs8"], "L")
        vecs = self.vars_of(scope, (n,))
        r = self.rng.random()
        if vecs and r < 0.3:
            lines, m = [f"{ys} = list({self.choice(vecs)})"], n
        elif vecs and r < 0.5:
            t = self.choice(LAMBDA_VARS)
            lines, m = [f"{ys} = [{t} * {self.leaf(scope, ())} for {t} in {self.choice(vecs)}]"], n
        else:
            m = self.rng.randint(2, 3)
            lines = [f"{ys} = [{', '.join(self.sexpr(scope, 1) for _ in range(m))}]"]
        k, j = self.rng.randrange(m), self.rng.randrange(-m, m)
        c = self.leaf(scope, ())
        r = self.rng.random()
        if r < 0.5:
            lines.append(f"{ys}[{k}] = {self.choice([f'{ys}[{j}] * {c}', self.sexpr(scope, 1), f'math.tanh({ys}[{j}] + {c})'])}")
            if self.p(0.3):
                lines.append(f"{ys}[{j}] = {ys}[{k}] * {ys}[{j}]")
        elif r < 0.65:
            i = self.fresh(["i8", "k8", "j8"], "i")
            lines += [f"for {i} in range(len({ys})):", f"    {ys}[{i}] = {self.squash(f'{ys}[{i}] * {c} + {i} * 0.1')}"]
        else:
            lines += [f"{ys}[{k}] += {c}"]
        scope.names[ys] = ("L", ("f", ()), m)
        return lines, scope, False

    # ------------------------------------------------------------------ running sums
    def running_sum_stmt(self, scope, ctx):
        from .gen import Scope
        scope = scope.copy()
        tot = self.fresh(RUN_NAMES, ("f", ()))
        zero_d = self.p(0.3)
        start = self.choice(["np.zeros(())", "np.array(0.0)", f"np.array({self.leaf(scope, ())}, dtype=float)"]) if zero_d \
            else self.choice(["np.float64(0.0)", "0", "0", f"np.float64({self.leaf(scope, ())})", "np.sum(np.zeros(2))",
                              "int(1)", "np.float64(1)"])
        seqs = self.seqs8(scope, nonempty=False)
        names = dict(scope.names)
        if seqs and self.p(0.65):
            v = self.fresh(["v8", "x8", "q8"], ("f", ()))
            head = f"for {v} in {self.choice(seqs)}:"
            names[v] = ("f", ())
            self.unsafe.add(v)
        else:
            v = self.fresh(["i8", "k8", "j8"], "i")
            m = self.rng.randint(1, 4)
            head = f"for {v} in range({m}):"
            names[v] = ("i", tuple(range(m)))
        sc = Scope(names, scope.owned)
        e = self.choice([f"{v} * {self.leaf(sc, ())}", self.squash(self.sexpr(sc, 1)), f"{v} * {v} * 0.5",
                         f"({v} > 0) * {self.leaf(sc, ())}"])
        if zero_d or self.p(0.5):
            upd = f"{tot} += {e}"
        else:
            upd = f"{tot} = {tot} + {e}"
        lines = [f"{tot} = {start}", head, f"    {upd}"]
        if self.p(0.3):
            lines.append(f"    {tot} = {tot} * 0.9")
        scope.names[tot] = ("f", ())
        if zero_d:
            self.unsafe.add(tot)        # (a 0-d array or, once rebound, a number: no in-place writes on it later)
        return lines, scope, False
