"""Level 9 of the fuzzer's generator: the constructs round 17's hunts found wrong or slow, none of which levels 1-8
write.

- a container read as a dict on one path and iterated or unpacked on the other (`if isinstance(P, dict): w, b =
  P['w'], P['b'] else: w, b = P`; `for v in (P.values() if isinstance(P, dict) else P)`; `list(P)`; a
  comprehension), on the function's container parameters and on containers it builds, tested by isinstance,
  `type(P) is dict` or hasattr(P, 'keys');
- lists of numbers written by slot: `zs = [0.0] * k`, `[0.0, 0.0, 0.0]`, `[None] * k`, `[v, v, v]`, written in a
  loop (forwards or backwards), a slot read before it is written again, `zs[-1] *= 0.5`, read by index and by sum;
- recursive helpers: a chain over a depth, a tree of two calls per level, halving a sequence (`xs[:m]`, `xs[m:]`),
  and a chain drawing random numbers from a Generator the function makes with a fixed seed (s2s must give the
  derivative of the draws the function made, or refuse);
- records read in loops: a dataclass or a NamedTuple the function builds from its values, its fields read in a
  loop of steps, and a method of it called there.

Every choice goes through the generator's own `random.Random`, and nothing here runs below level 9, so levels 1-8
make the programs they made before it.  The modules and definitions a program uses are written at its top.
"""
from __future__ import annotations

POLY_NAMES = ["P9", "pack9", "parts9"]
PART_NAMES = ["u9", "v9", "w9", "z9"]
SLOT_NAMES = ["zs", "slots9", "row9"]
SUM_NAMES = ["s9", "acc9", "tot9", "r9"]
REC_CALLS = ["chain9", "tree9", "halve9", "noisy9"]
SQUASH1 = ["np.tanh({})", "np.sin({})", "({}) * 0.5", "({}) / (1.0 + ({}) ** 2)"]


class Level9:
    """Mixin of Gen (gen.py): the productions of level 9."""

    # ------------------------------------------------------------------ module level
    def init_level9(self):
        self.l9_imports = []    # modules the program imports beyond level 8's
        self.l9_defs = {}       # name -> module-level definition (recursive helpers, records)

    def imp9(self, module):
        if module not in self.l9_imports:
            self.l9_imports.append(module)
        return module

    def module_text_level9(self, text):
        lines = "".join(f"import {m}\n" for m in sorted(self.l9_imports) if f"import {m}\n" not in text)
        if lines:
            text = text.replace("import functools\n", "import functools\n" + lines, 1)
        return text + "".join(d + "\n\n" for d in self.l9_defs.values())

    def prelude_level9(self, scope, ctx):
        """The first lines of f at level 9: one or two of its statements, which the rest then reads."""
        lines = []
        for _ in range(self.rng.choice([1, 1, 2])):
            more, scope, _ = self.pick([(w, lambda m=m: m(scope, ctx)) for w, m in self.makers9()])()
            lines += ["    " + ln for ln in more]
        return lines, scope

    def makers9(self):
        return [(2.0, self.poly_stmt), (1.5, self.slot_list_stmt), (1.5, self.recursion_stmt),
                (1.2, self.record_loop_stmt)]

    def squash9(self, e):
        form = self.choice(SQUASH1)
        return form.format(e, e)

    # ------------------------------------------------------------------ a dict on one path, a sequence on another
    def poly_stmt(self, scope, ctx):
        """Items of a container taken by key where it is a dict and by position (unpacking, a loop, list(), a
        comprehension) where it is not: only the path the argument takes runs."""
        scope = scope.copy()
        lines = []
        own = [(nm, k) for nm, k in scope.names.items() if k[0] == "c" and k[2] and
               all((it[1] if k[1] == "dict" else it)[0] == "f" for it in k[2])]
        if own and self.p(0.6):
            P, kind = self.choice(own)
        else:
            P = self.fresh(POLY_NAMES, "c")
            m = self.rng.randint(2, 3)
            items = [("f", self.choice([(), (self.n,)])) for _ in range(m)]
            exprs = [self.sexpr(scope, 1) if it[1] == () else self.aexpr(scope, it[1], 1) for it in items]
            if self.p(0.5):
                keys = ["w", "b", "scale"][:m]
                kind = ("c", "dict", list(zip(keys, items)))
                lines.append(f"{P} = {{{', '.join(f'{k!r}: {e}' for k, e in zip(keys, exprs))}}}")
            else:
                kind = ("c", self.choice(["tuple", "list"]), items)
                display = f"({', '.join(exprs)},)" if kind[1] == "tuple" else f"[{', '.join(exprs)}]"
                lines.append(f"{P} = {display}")
            scope.names[P] = kind
            self.unsafe.add(P)
        is_dict = kind[1] == "dict"
        keys = [k for k, _ in kind[2]] if is_dict else ["w", "b", "scale"][:len(kind[2])]
        item_kinds = [k for _, k in kind[2]] if is_dict else list(kind[2])
        test = self.choice([f"isinstance({P}, dict)", f"type({P}) is dict", f"hasattr({P}, 'keys')"])
        values = f"{P}.values()" if self.p(0.7) else f"[{P}[k9] for k9 in {P}]"
        r = self.rng.random()
        if r < 0.4:
            names = [self.fresh(PART_NAMES, k) for k in item_kinds]
            by_key = ", ".join(f"{P}[{k!r}]" for k in keys)
            by_position = self.choice([P, f"list({P})", f"tuple({P})", f"[q9 for q9 in {P}]"])
            lines += [f"if {test}:", f"    {', '.join(names)} = {by_key}", "else:",
                      f"    {', '.join(names)} = {by_position}"]
            for nm, k in zip(names, item_kinds):
                scope.names[nm] = k
                self.unsafe.add(nm)
            return lines, scope, False
        s = self.fresh(SUM_NAMES, ("f", ()))
        v = self.choice(["q9", "e9"])
        term = self.choice([f"np.sum({v} * {v})", f"np.sum(np.tanh({v}))", f"np.sum({v}) * 0.5",
                            f"np.sum(np.sin({v}) * {self.leaf(scope, ())})"])
        if r < 0.7:
            lines += [f"{s} = 0.0", f"for {v} in ({values} if {test} else {P}):", f"    {s} = {s} + {term}"]
        elif r < 0.85:
            lines.append(f"{s} = sum({term} for {v} in ({values} if {test} else {P}))")
        else:
            seq = self.choice(["seq9", "its9"])
            lines += [f"{seq} = list({values}) if {test} else list({P})",
                      f"{s} = {self.choice([f'np.sum({seq}[0])', f'np.sum({seq}[-1]) * 0.5'])} + "
                      f"sum(np.sum({v}) for {v} in {seq})"]
        scope.names[s] = ("f", ())
        return lines, scope, False

    # ------------------------------------------------------------------ lists of numbers written by slot
    def slot_list_stmt(self, scope, ctx):
        from .gen import Scope
        scope = scope.copy()
        k = self.rng.randint(2, 4)
        zs = self.fresh(SLOT_NAMES, "c")
        leaf = self.leaf(scope, ())
        start = self.choice([f"[0.0] * {k}", f"[{', '.join(['0.0'] * k)}]", f"[None] * {k}",
                             f"[{', '.join([leaf] * k)}]", f"[1.0 for _ in range({k})]"])
        j = self.fresh(["k9", "j9", "m9"], "i")
        names = dict(scope.names)
        names[j] = ("i", tuple(range(k)))
        inner = Scope(names, scope.owned)
        head = self.choice([f"for {j} in range({k}):", f"for {j} in reversed(range({k})):",
                            f"for {j} in range({k} - 1, -1, -1):"])
        value = self.squash9(f"{self.sexpr(inner, 1)} * ({j} + 1)")
        lines = [f"{zs} = {start}", head, f"    {zs}[{j}] = {value}"]
        if "None" not in start and self.p(0.4):  # (the old slot read before it is written)
            lines[-1] = f"    {zs}[{j}] = {zs}[{j}] * 0.5 + {value}"
        if self.p(0.4):
            lines.append(self.choice([f"{zs}[-1] *= 0.5", f"{zs}[0] += {self.leaf(scope, ())}",
                                      f"{zs}[{k - 1}] = {zs}[0] * {zs}[{k - 1}]"]))
        s = self.fresh(SUM_NAMES, ("f", ()))
        lines.append(f"{s} = " + self.choice([f"sum({zs})", f"{zs}[0] * {zs}[-1] + sum({zs})",
                                              f"math.fsum({zs})", f"{zs}[{k // 2}] - {zs}[0]"]))
        scope.names[s] = ("f", ())
        return lines, scope, False

    # ------------------------------------------------------------------ recursive helpers
    def recursion_stmt(self, scope, ctx):
        scope = scope.copy()
        n = self.n
        which = self.choice(REC_CALLS)
        s = self.fresh(SUM_NAMES, ("f", ()))
        vecs = self.vars_of(scope, (n,))
        if which == "chain9":
            self.l9_defs.setdefault(which, (
                "def chain9(v, d):\n    if d <= 0:\n        return np.sum(np.tanh(v))\n"
                f"    return chain9({self.squash9('v')}, d - 1) * 0.5 + np.sum(v * v) * 0.25"))
            arg = self.choice(vecs) if vecs and self.p(0.5) else self.sexpr(scope, 1)
            call = f"chain9({arg}, {self.rng.randint(0, 4)})"
        elif which == "tree9":
            self.l9_defs.setdefault(which, (
                "def tree9(v, d):\n    if d == 0:\n        return np.sum(np.sin(v))\n"
                "    return tree9(v * 0.5, d - 1) + tree9(np.tanh(v), d - 1) * 0.5"))
            call = f"tree9({self.sexpr(scope, 1)}, {self.rng.randint(1, 3)})"
        elif which == "halve9":
            self.l9_defs.setdefault(which, (
                "def halve9(xs):\n    if len(xs) == 1:\n        return xs[0] * 1.0\n    m = len(xs) // 2\n"
                "    return halve9(xs[:m]) * 0.7 + np.tanh(halve9(xs[m:]))"))
            seq = self.choice(vecs) if vecs and self.p(0.7) else \
                f"[{', '.join(self.sexpr(scope, 1) for _ in range(self.rng.randint(1, 4)))}]"
            call = f"halve9({seq})"
        else:
            self.l9_defs.setdefault(which, (
                "def noisy9(v, g, d):\n    if d == 0:\n        return v * g.normal()\n"
                "    return noisy9(v * 0.9, g, d - 1) + g.random() * v"))
            arg = self.sexpr(scope, 1)
            call = f"noisy9({arg}, np.random.default_rng({self.rng.randint(0, 99)}), {self.rng.randint(0, 3)})"
        lines = [f"{s} = {call}"]
        if self.p(0.3):
            lines.append(f"{s} = {s} + {call}")
        scope.names[s] = ("f", ())
        return lines, scope, False

    # ------------------------------------------------------------------ records read in loops
    def record_loop_stmt(self, scope, ctx):
        scope = scope.copy()
        if self.p(0.5):
            self.imp9("dataclasses")
            self.l9_defs.setdefault("Cfg9", (
                "@dataclasses.dataclass\nclass Cfg9:\n    a: float\n    b: float\n\n"
                "    def step(self, r):\n        return np.tanh(r * self.a + self.b)"))
            cls = "Cfg9"
        else:
            self.imp9("typing")
            self.l9_defs.setdefault("Pair9", (
                "class Pair9(typing.NamedTuple):\n    a: float\n    b: float\n\n"
                "    def step(self, r):\n        return np.tanh(r * self.a + self.b)"))
            cls = "Pair9"
        c = self.fresh(["c9", "cfg9", "rec9"], "c")
        r = self.fresh(SUM_NAMES, ("f", ()))
        a, b = self.squash9(self.sexpr(scope, 1)), self.sexpr(scope, 1)
        make = f"{cls}({a}, {b})" if self.p(0.5) else f"{cls}(a={a}, b={b})"
        steps = self.rng.randint(1, 5)
        body = self.choice([f"{r} = np.tanh({r} * {c}.a + {c}.b)", f"{r} = {c}.step({r})",
                            f"{r} = {r} * 0.5 + math.sin({c}.a * {r}) * {c}.b"])
        lines = [f"{c} = {make}", f"{r} = {self.leaf(scope, ())}", f"for _ in range({steps}):", f"    {body}"]
        if self.p(0.4):
            lines.append(f"{r} = {r} + {c}.a * {c}.b")
        self.unsafe.add(c)
        scope.names[r] = ("f", ())
        return lines, scope, False
