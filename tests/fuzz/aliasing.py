"""NumPy's aliasing and in-place patterns for the generator (levels 3-5; docs/semantics.md, docs/testing.md).

`AliasPatterns.alias_stmt` writes one of these small groups of statements, each valid Python whose value
NumPy computes as written:

- a view (`y[1:]`, `y[::-1]`, `np.flip(y)`, `y.reshape(n, 1)[:, 0]`, `M.T`, `M[1]`, `M.ravel()`) read, then
  its array written (an element, a slice, `+=`, `*=`);
- a copy (`.copy()`, `np.copy`, of the array or of a view) taken, the array written, the copy written too;
- another name for an array (`z = y`), element writes through it (in a loop too), the array read by its name;
- `+=`/`-=`/`*=` on an array in the branches of an `if` inside a loop that carries it (over `range`, a
  list, another array, `enumerate`/`zip` of arrays, a bounded `while`), an in-place operator after the join;
- element and slice writes whose value reads the same array (`y[1:] = y[:-1] * c`, `y[i] = y[i - 1] * c +
  ...` in a loop, `y[::-1] = y`, `M[:, j] = M[i] * c`);
- an array held in a tuple, list or dict, then written by element, read through the container;
- a loop over an array (`for v in y`, `enumerate(y)`, `zip(y, x)`, a matrix's rows) whose body writes it.

Now and then (`RISKY`) a variant that s2s refuses by design: the view read after the write, a write
through `.T`/`reshape`/`np.flip`, a write of a view of the array into itself (`y[1:] = y[:-1]`), an
in-place operator on an array a container or another name still holds, a loop over the array it updates
in place, a write through `y.astype(np.float64, copy=False)`. They show up as "rejected", each with the
line that s2s names.
"""
from __future__ import annotations

THRESH = ["0.0", "0.5", "-0.5", "0.2", "1.0"]
VIEW_NAMES = ["view", "part", "head", "tail", "rev", "flat", "col"]
COPY_NAMES = ["snap", "saved", "orig", "base", "kept"]
CONTAINER_NAMES = ["pair", "held", "bundle", "slots"]


class AliasPatterns:
    """Mixed into gen.Gen: its `rng`, `p`, `choice`, `fresh`, `new_name`, `sexpr`, `aexpr`, `squash`, `unsafe`."""

    def alias_stmt(self, scope, ctx):
        before, scope = scope, scope.copy()
        risky = 0.02   # (a refused variant: about 10 in 1,000 programs)
        pats = [(3, self._view_then_write), (2, self._copy_then_write), (2, self._alias_writes),
                (3, self._ops_in_loop_branches), (3, self._writes_reading_self), (1.5, self._held_then_written),
                (1.5, self._loop_over_written)]
        if self.p(risky):
            pats = [(1, self._refused_variant)]
        lines = self.pick(pats)(scope, ctx)
        if lines is None:  # (the names a pattern gave up on are not defined: not in the scope)
            return self.array_stmt(before, ctx)
        return lines, scope, False

    # ----- building blocks
    def _buffer(self, scope, ctx, shape, lines, allow_existing=True):
        """An array of `shape` the function owns, that nothing else refers to: an existing one or a new one
        (its definition appended to `lines`)."""
        ro = set(ctx.get("readonly", ())) | set(ctx.get("iterated", ()))   # (a loop over an array it changes is refused)
        have = [a for a in self.owned_arrays(scope, ctx) if scope.names[a][1] == shape and a not in self.unsafe
                and a not in ro]
        if have and allow_existing and self.p(0.5):
            return self.choice(have)
        n = self.n
        name = self.new_name(("f", shape))
        src = [v for v in self.vars_of(scope, shape) if v != name]
        if src:
            s = self.choice(src)
            e = self.choice([f"{s} * 1.0", f"np.copy({s})", f"{s}.copy()", f"np.tanh({s})"])
        elif len(shape) == 1:
            e = f"np.linspace(-1.0, 1.0, {n}) * {self.leaf(scope, ())}"
        else:
            vecs = self.vars_of(scope, (n,))
            e = f"np.outer({self.choice(vecs)}, {self.choice(vecs)})" if vecs else f"np.eye({n}) * {self.leaf(scope, ())}"
        lines.append(f"{name} = {e}")
        scope.names[name] = ("f", shape)
        scope.owned.add(name)
        self.unsafe.discard(name)
        return name

    def _shape(self):
        n = self.n
        return (n,) if self.p(0.7) else (n, n)

    def _index(self, shape):
        if len(shape) == 1:
            return str(self.rng.randrange(-shape[0], shape[0]))
        return f"{self.rng.randrange(shape[0])}, {self.rng.randrange(-shape[0], shape[0])}"

    def _write(self, scope, name, shape, ops=True):
        """One write into the array `name`: an element, a slice, a row, or (with `ops`) an in-place operator."""
        n = self.n
        S = self.sexpr(scope, 1)
        opts = [f"{name}[{self._index(shape)}] = {S}"]
        if len(shape) == 1:
            a = self.rng.randrange(n - 1)
            opts += [f"{name}[{a}:] = {self.squash(S)}", f"{name}[{a}] += {self.squash(S)}"]
        else:
            opts += [f"{name}[{self.rng.randrange(n)}] = {self.aexpr(scope, (n,), 1)}"]
        if ops:
            opts += [f"{name} += {S}", f"{name} *= np.tanh({S})", f"{name} -= 0.5 * {name}"]
        return self.choice(opts)

    def _view(self, name, shape):
        n = self.n
        if len(shape) == 1:
            return self.choice([f"{name}[1:]", f"{name}[:-1]", f"{name}[::-1]", f"np.flip({name})",
                                f"{name}.reshape({n}, 1)[:, 0]", f"{name}[{self.rng.randrange(n)}:]"])
        return self.choice([f"{name}.T", f"{name}[1]", f"{name}[:, 0]", f"{name}.ravel()", f"{name}.reshape({n * n})",
                            f"np.flip({name}, axis=0)", f"{name}[1:, :2]", f"np.transpose({name})"])

    def _scalar_of(self, scope, v):
        S = self.leaf(scope, ())
        return self.choice([f"np.sum({v} * {S})", f"np.sum(np.tanh({v}))", f"np.mean({v} * {v})",
                            f"np.max({v}) * {S}"])

    def _new_scalar(self, scope, e, lines):
        t = self.new_name(("f", ()))
        lines.append(f"{t} = {e}")
        scope.names[t] = ("f", ())
        return t

    def _header(self, scope, inner, avoid):
        """A loop header that does not iterate over `avoid`; adds its targets to `inner` (a Scope)."""
        n = self.n
        others = [v for v in self.vars_of(scope, (n,)) if v != avoid]
        r = self.rng.random()
        if not others:
            r *= 0.55
        if r < 0.3:
            i = self.loopvar(["i", "j", "k", "it", "step"], "i", inner.names)
            lo, hi = self.choice([(0, n), (1, n), (0, 2), (0, 3)])
            inner.names[i] = ("i", tuple(range(lo, hi)))
            return f"for {i} in range({lo}, {hi}):" if lo else f"for {i} in range({hi}):"
        if r < 0.55:
            v = self.fresh(["v", "xi", "el", "item"], ("f", ()))
            inner.names[v] = ("f", ())
            items = [self.leaf(scope, ()) for _ in range(self.rng.randint(2, 3))]
            return f"for {v} in [{', '.join(items)}]:"
        src = self.choice(others)
        v = self.fresh(["xi", "el", "a_i"], ("f", ()))
        inner.names[v] = ("f", ())
        self.unsafe.add(v)
        if r < 0.72:
            return f"for {v} in {src}:"
        if r < 0.86:
            i = self.loopvar(["i", "j", "k", "idx"], "i", inner.names)
            inner.names[i] = ("i", tuple(range(n)))
            return f"for {i}, {v} in enumerate({src}):"
        w = self.fresh(["b_i", "yi", "elem"], ("f", ()))
        inner.names[w] = ("f", ())
        self.unsafe.add(w)
        return f"for {v}, {w} in zip({src}, {self.choice(others)}):"

    # ----- the patterns (each returns its lines, or None to fall back)
    def _view_then_write(self, scope, ctx):
        lines = []
        shape = self._shape()
        b = self._buffer(scope, ctx, shape, lines)
        v = self.fresh(VIEW_NAMES, ("view",))
        lines.append(f"{v} = {self._view(b, shape)}")
        self._new_scalar(scope, self._scalar_of(scope, v), lines)
        lines.append(self._write(scope, b, shape))
        return lines

    def _copy_then_write(self, scope, ctx):
        lines = []
        shape = self._shape()
        b = self._buffer(scope, ctx, shape, lines)
        c = self.new_name(("f", shape))
        if len(shape) == 1:
            src = self.choice([f"{b}.copy()", f"np.copy({b})", f"{b}[::-1].copy()", f"np.flip({b}).copy()",
                               f"np.copy({b}.reshape({self.n}, 1)[:, 0])"])
        else:
            src = self.choice([f"{b}.copy()", f"np.copy({b})", f"{b}.T.copy()", f"np.copy({b}.T)",
                               f"np.copy({b}[::-1])"])
        lines.append(f"{c} = {src}")
        lines.append(self._write(scope, b, shape))
        scope.names[c] = ("f", shape)
        scope.owned.add(c)
        self.unsafe.discard(c)
        if self.p(0.6):
            lines.append(self._write(scope, c, shape))
        if self.p(0.5):
            self._new_scalar(scope, f"np.sum({c} * {b})", lines)
        return lines

    def _alias_writes(self, scope, ctx):
        lines = []
        shape = self._shape()
        b = self._buffer(scope, ctx, shape, lines)
        z = self.new_name(("f", shape))
        lines.append(f"{z} = {b}")
        n = self.n
        if len(shape) == 1 and self.p(0.5) and ctx["depth"] < 3:
            i = self.loopvar(["i", "j", "k"], "i", scope.names)
            lines += [f"for {i} in range(1, {n}):",
                      f"    {z}[{i}] = {z}[{i} - 1] * {self.choice(['0.5', '-0.75', '0.9'])} + {self.squash(self.sexpr(scope, 1))}"]
        else:
            lines.append(self._write(scope, z, shape, ops=False))
        lines.append(self._write(scope, b, shape, ops=False))
        self._new_scalar(scope, self._scalar_of(scope, b if self.p(0.6) else z), lines)
        scope.names[z] = ("f", shape)
        scope.owned.add(z)
        self.unsafe.update((z, b))
        return lines

    def _ops_in_loop_branches(self, scope, ctx):
        if ctx["depth"] >= 2:
            return None
        lines = []
        shape = (self.n,) if self.p(0.8) else (self.n, self.n)
        b = self._buffer(scope, ctx, shape, lines)
        inner = scope.copy()
        n_iter = None
        if self.p(0.15):
            n_iter = self.fresh(["count", "n_iter", "steps"], "i")
            lines += [f"{n_iter} = 0", f"while {n_iter} < {self.rng.randint(1, 3)} and np.sum({b}) > -5.0:",
                      f"    {n_iter} += 1"]
            inner.names[n_iter] = ("i", (1, 2, 3))
        else:
            lines.append(self._header(scope, inner, b))
        S = lambda: self.sexpr(inner, 1)  # noqa: E731
        idx = self.rng.randrange(self.n)
        cond = self.choice([f"{b}[{idx}] > {self.choice(THRESH)}" if len(shape) == 1 else
                            f"{b}[{idx}, 0] > {self.choice(THRESH)}",
                            self.cond(inner, 1), f"np.sum({b}) < {self.choice(THRESH)}"])
        ops = [f"{b} *= np.tanh({S()})", f"{b} += {self.squash(S())}", f"{b} -= 0.5 * {self.squash(S())}"]
        body = [f"    if {cond}:", f"        {self.choice(ops)}"]
        if self.p(0.3):
            body += [f"    elif {self.cond(inner, 0)}:", f"        {self._write(inner, b, shape, ops=False)}"]
        if self.p(0.75):
            body += ["    else:", f"        {self.choice(ops)}"]
        if self.p(0.4):  # an in-place operator after the join (fuzz seed 6299)
            tail = [f"{b} += 0.25", f"{b} -= 0.1 * {b}[::-1]" if len(shape) == 1 else f"{b} -= 0.1 * {b}.T",
                    f"{b} *= 0.9"]
            body.append(f"    {self.choice(tail)}")
        lines += body
        scope.names[b] = ("f", shape)
        # (s2s refuses an element write after a loop that changed the array by operators alone, "assignment to
        # an element of 'b', which the function did not create": rare elsewhere, kept out of the way here)
        scope.owned.discard(b)
        return lines

    def _writes_reading_self(self, scope, ctx):
        lines = []
        n = self.n
        shape = self._shape()
        b = self._buffer(scope, ctx, shape, lines)
        S = self.sexpr(scope, 1)
        c = self.choice(["0.5", "-0.5", "0.75", "1.5"])
        if len(shape) == 1:
            opts = [f"{b}[1:] = {b}[:-1] * {c}", f"{b}[:-1] = {b}[1:] * {c} + {self.squash(S)}",
                    f"{b}[::-1] = {b} * {c}", f"{b}[:] = np.tanh({b}[::-1]) + {self.squash(S)}",
                    f"{b}[::-1] = {b}", f"{b}[{self.rng.randrange(n)}] = {b}[{self.rng.randrange(n)}] * {c} + {S}",
                    f"{b}[{self.rng.randrange(n)}] = {b}[{self.rng.randrange(-n, n)}]"]
            if ctx["depth"] < 3:
                i = self.loopvar(["i", "j", "k"], "i", scope.names)
                opts += [f"for {i} in range(1, {n}):\n    {b}[{i}] = {b}[{i} - 1] * {c} + {self.squash(S)}",
                         f"for {i} in range({n}):\n    {b}[{i}] = {b}[-1]",
                         f"for {i} in range({n - 1}):\n    {b}[{i} + 1] = np.tanh({b}[{i}]) + {b}[{i} + 1] * {c}"]
            lines += self.choice(opts).split("\n")
        else:
            i, j = self.rng.randrange(n), self.rng.randrange(n)
            lines.append(self.choice([f"{b}[:, {j}] = {b}[{i}] * {c}", f"{b}[{i}] = {b}[:, {j}] + {self.squash(S)}",
                                      f"{b}[{i}] = {b}[{j}]", f"{b}[{i}, {j}] = {b}[{j}, {i}]",
                                      f"{b}[{i}, :] = {b}.T[{j}] * {c}", f"{b}[{i}, {j}] = {b}[{j}, {i}] * {c} + {S}"]))
        return lines

    def _held_then_written(self, scope, ctx):
        lines = []
        shape = (self.n,) if self.p(0.75) else (self.n, self.n)
        b = self._buffer(scope, ctx, shape, lines)
        S = self.leaf(scope, ())
        h = self.fresh(CONTAINER_NAMES, "c")
        kind = self.rng.randrange(3)
        if kind == 0:
            lines.append(f"{h} = ({b}, {S})")
            read = f"np.sum({h}[0]) * {h}[1]"
        elif kind == 1:
            lines.append(f"{h} = [{b}, {b} * 2.0]")
            read = f"np.sum({h}[0] * {h}[1])"
        else:
            lines.append(f"{h} = {{'w': {b}, 'k': {S}}}")
            read = f"np.sum({h}['w']) * {h}['k']"
        lines.append(self._write(scope, b, shape, ops=False))
        self._new_scalar(scope, read, lines)
        self.unsafe.add(b)
        return lines

    def _loop_over_written(self, scope, ctx):
        if ctx["depth"] >= 2:
            return None
        lines = []
        n = self.n
        shape = (n,) if self.p(0.75) else (n, n)
        b = self._buffer(scope, ctx, shape, lines)
        acc = self._new_scalar(scope, "0.0", lines)
        S = self.sexpr(scope, 1)
        if len(shape) == 1:
            v = self.fresh(["v", "xi", "el"], ("f", ()))
            i = self.loopvar(["i", "j", "k", "idx"], "i", scope.names)
            others = [o for o in self.vars_of(scope, (n,)) if o != b]
            # (the item is read before the write: s2s takes an item for a possible view of the array)
            opts = [[f"for {i}, {v} in enumerate({b}):", f"    {acc} = {acc} + {v}",
                     f"    {b}[{i}] = {v} * {self.choice(['0.5', '-0.5', '1.5'])} + {self.squash(S)}"],
                    [f"for {v} in {b}:", f"    {acc} = {acc} + np.sin({v})",
                     f"    {b}[{self.rng.randrange(n)}] = {b}[{self.rng.randrange(n)}] + {v} * 0.5"]]
            if others:
                w = self.fresh(["b_i", "yi"], ("f", ()))
                opts.append([f"for {v}, {w} in zip({b}, {self.choice(others)}):", f"    {acc} = {acc} + {v} * {w}",
                             f"    {b}[{self.rng.randrange(n)}] += {v} * {w}"])
            lines += self.choice(opts)
        else:
            row = self.fresh(["row", "r_i", "line"], ("view",))
            lines += [f"for {row} in {b}:", f"    {acc} = {acc} + np.sum({row}) * 0.5",
                      f"    {b}[{self.rng.randrange(n)}, {self.rng.randrange(n)}] = np.tanh({acc})"]
        return lines

    def _refused_variant(self, scope, ctx):
        """What s2s refuses by design (docs/semantics.md), each with a located error."""
        lines = []
        n = self.n
        shape = self._shape()
        b = self._buffer(scope, ctx, shape, lines)
        S = self.sexpr(scope, 1)
        r = self.rng.randrange(7)
        if r == 0:  # a view read after its array was written
            v = self.fresh(VIEW_NAMES, ("view",))
            lines += [f"{v} = {self._view(b, shape)}", self._write(scope, b, shape)]
            self._new_scalar(scope, self._scalar_of(scope, v), lines)
        elif r == 1:  # a write through a view
            v = self.fresh(VIEW_NAMES, ("view",))
            lines += [f"{v} = {self._view(b, shape)}", f"{v}[0] = {S}"]
            self._new_scalar(scope, f"np.sum({b})", lines)
        elif r == 2:  # a view of the array written into it
            lines.append(f"{b}[1:] = {b}[:-1]" if len(shape) == 1 else f"{b}[:, {n - 1}] = {b}[1]")
        elif r == 3:  # an in-place operator on an array a container holds
            h = self.fresh(CONTAINER_NAMES, "c")
            lines += [f"{h} = [{b}, {S}]", f"{b} += {S}"]
            self._new_scalar(scope, f"np.sum({h}[0]) * {h}[1]", lines)
        elif r == 4:  # an in-place operator on an array another name still refers to
            z = self.new_name(("f", shape))
            lines += [f"{z} = {b}", f"{b} *= np.tanh({S})"]
            self._new_scalar(scope, f"np.sum({z})", lines)
            self.unsafe.update((z, b))
        elif r == 6:  # a cast told not to copy, written: it may be the array itself
            z = self.new_name(("f", shape))
            lines += [f"{z} = {b}.astype(np.float64, copy=False)", f"{z}[{self._index(shape)}] = {S}"]
            self._new_scalar(scope, f"np.sum({b})", lines)
        else:  # a loop over the array it updates in place
            if ctx["depth"] >= 2 or len(shape) != 1:
                return None
            v = self.fresh(["v", "xi", "el"], ("f", ()))
            lines += [f"for {v} in {b}:", f"    {b} += {v} * 0.5"]
        self.unsafe.add(b)
        return lines
