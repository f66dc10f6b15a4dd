"""Reversing a loop: what the forward copy saves per iteration, and the loop running backwards.

A loop is reversed by a loop running its iterations backwards. The forward copy
pushes, per iteration, only the values defined in the loop that the reversed
body reads and cannot recompute cheaply (one list per value, a stack), and a
trip counter when the forward loop is not a plain `range` loop; an array
written in place is one object whose restores keep its contents right. The
reversed body's loop-carried adjoints are header phis of the reversed loop.

This module builds the reversed loop (`reverse_loop`) and records, in a
`LoopPlan`, what the forward sweep must push; what is saved is chosen in
loop_saves.py, and the forward sweep with its pushes is forward_copy.py.
`LoopReversal` holds the methods `_Reverse` (reverse.py) uses for loops; it
reads the rest of `_Reverse`'s state through `self`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from s2s import ir, prims
from s2s.ad.analysis import ARITH_OPS
from s2s.ad.blocks import ZERO, block_defining, block_holding, loops_in
from s2s.ir.names import base_name
from s2s.ad.loop_saves import read_shapes
from s2s.errors import NonDifferentiableError
from s2s.ir.walk import calls_in, contains_break, defined_names, map_blocks, substitute, substitute_block, used_names
from s2s.ir.walk import vars_of as walk_vars
from s2s.rules import registry


@dataclass
class LoopPlan:
    """What the forward copy of one loop must add: values to push, an optional trip counter."""

    saved: list = field(default_factory=list)  # primal names pushed each iteration
    shapes: dict = field(default_factory=dict)  # saved name -> the value whose shape (rt.shape_of) it is
    parts: set = field(default_factory=set)  # those saved as their parts' shapes (rt.shapes_of: a sequence's)
    stacks: dict = field(default_factory=dict)  # primal name -> stack name
    counter: str | None = None
    counter_next: str | None = None


@dataclass
class LoopContext:
    carried: dict  # header phi target -> adjoint atom at the end of the iteration


class LoopReversal:
    """The loop half of the reverse transformation (mixed into reverse._Reverse)."""

    def _copy_op(self, name: str) -> str:
        """How a reversed loop copies the adjoint of `name` that it adds into in place: np.copy where `name` is
        an array NumPy made and written in place; else `rt.copy_adjoint`, which copies a list's or a dict's
        parts into a new one (a list written by index is written in place too: np.copy of its adjoint would
        be an array, or fail for parts of two shapes)."""
        root = self.made.get(self.arrays.get(name, name))
        if root is not None and root.op.startswith("numpy.") and root.op not in prims.SEQUENCE_RESULTS \
                and root.op != prims.COPY_METHOD:  # (`q = p.copy()` of a dict argument: a dict, copied as one)
            return prims.COPY
        return "s2s.runtime.copy_adjoint"

    def _only_added_to(self, s: ir.Loop, name: str) -> bool:
        """Is every element write of the loop into the array `name` a scatter-add (np.add.at), whose adjoint
        leaves the array's adjoint as it is (statements.py), so that the reversed loop needs no copy of it?"""
        root = self.arrays[name]
        return all(self._scatter_add(t.value) is not None for t in ir.statements(s.body)
                   if isinstance(t, ir.Assign) and isinstance(t.value, ir.Call) and t.value.op == "setitem"
                   and self.arrays.get(t.target) == root)

    def reverse_loop(self, s: ir.Loop, pending: dict, out: list) -> None:
        self.at(s.loc)
        body_defs = set(defined_names(s.body)) | set(defined_names(s.header))
        if s.target:
            body_defs.add(s.target)
        active_phis = [p for p in s.phis if p.target in self.active]
        if not active_phis and not (body_defs & self.active) and not (body_defs & set(self.overwritten)) and \
                not any(self._stack_op(t) for t in ir.statements(s.body)):  # (a stack's adjoint follows it)
            for p in s.phis:
                pending.pop(p.target, None)
            return
        if any(n in self.active for n in defined_names(s.header)):
            raise NonDifferentiableError("a while-loop condition", self.fn.filename, s.loc.line if s.loc else 0,
                                         s.loc.text if s.loc else "",
                                         "values computed in a while condition cannot be used in the loop body")
        plan = LoopPlan()
        self.plans[id(s)] = plan
        range_loop = s.kind == "for" and not contains_break(s.body)
        # adjoints carried between reversed iterations
        carried: dict[str, ir.Var] = {}
        rphis = []
        for p in active_phis:
            init = self.collect(p.target, pending, out)
            adj = self.adjoint_name(p.target)
            carried[p.target] = ir.Var(adj)
            if p.target in self.arrays and not self._only_added_to(s, p.target):
                # an array written in the loop: its adjoint is zeroed in place
                self.owned.add(adj)
                if isinstance(init, ir.Var):
                    if init.name in self.maybe_short:  # (a 0.0 that stands for the whole array's zeros)
                        whole = self.fresh()
                        out.append(ir.Assign(whole, ir.Call("s2s.runtime.unbroadcast", (init, ir.Var(p.target))),
                                             self.loc))
                        init = ir.Var(whole)
                    # (an enclosing reversed loop's own copy is written in place as it is: rt.reused, not a
                    # copy per outer iteration)
                    op = "s2s.runtime.reused" if init.name in self.owned else self._copy_op(p.target)
                    copied = self.fresh()
                    out.append(ir.Assign(copied, ir.Call(op, (init,)), self.loc))
                    init = ir.Var(copied)
            rphis.append(ir.Phi(adj, [init if init is not None else ZERO, None]))
            if init is None or isinstance(init, ir.Var) and init.name in self.maybe_short:
                self.maybe_short.add(adj)
        for p in s.phis:
            if p not in active_phis:
                pending.pop(p.target, None)
        seed: dict[str, list] = {}
        for p in active_phis:
            back = p.operands[1]
            if isinstance(back, ir.Var) and back.name in self.active:
                seed.setdefault(back.name, []).append(carried[p.target])
        self.loops.append(LoopContext(carried))
        body_pending: dict[str, list] = {}
        rev_body = self.reverse_block(s.body, body_pending, seed)
        self.loops.pop()
        for p in active_phis:
            rphi = next(r for r in rphis if r.target == carried[p.target].name)
            self._cut_in_place(s, p, rphi, body_pending, rev_body, out)  # (a list grown and read: grown_lists.py)
            self._grow_in_place(s, p, rphi, body_pending, rev_body, out)  # (a list adjoint cut back: shrunk_lists.py)
            back = self.collect(p.target, body_pending, rev_body, named=False)
            short = back is None or isinstance(back, ir.Const) or back.name in self.maybe_short
            if short and p.target not in self.sound_scalars and _reads_whole(rev_body, rphi.target, self.renamed):
                # the iteration may have overwritten the value: the earlier iteration starts from zeros of its
                # shape, not a bare 0.0, since the reversed body indexes or multiplies that adjoint by matrices
                whole = self.fresh()
                rev_body.append(ir.Assign(whole, ir.Call("s2s.runtime.unbroadcast",
                                                         (back if back is not None else ZERO, ir.Var(p.target))),
                                          self.loc))
                back = ir.Var(whole)
            rphi.operands[1] = back if back is not None else ZERO
            if back is None or isinstance(back, ir.Const) or back.name in self.maybe_short:
                self.maybe_short.add(rphi.target)  # (a bare 0.0 after an iteration that overwrote the value)
        # contributions to values defined before the loop accumulate across iterations
        for n in sorted((k for k, v in body_pending.items() if v and k not in body_defs), key=self._order):
            init = self.collect(n, pending, out)
            if self._accumulate_nested(s, n, init, body_pending, rev_body, pending, out) or \
                    self._accumulate_in_place(s, n, init, body_pending, rev_body, pending, out):
                continue
            acc = self.adjoint_name(n)
            # an element's adjoint is added in place (rt.add_at), not as a whole array of zeros per iteration
            scatters = [self._scatter(c, rev_body) for c in body_pending[n]]
            body_pending[n] = [c for c, sc in zip(body_pending[n], scatters) if sc is None]
            current: ir.Atom = ir.Var(acc)
            for sc in scatters:
                if sc is not None:
                    nxt = self.fresh()
                    rev_body.append(ir.Assign(nxt, ir.Call("s2s.runtime.add_at", (current,) + sc), self.loc))
                    current = ir.Var(nxt)
            if any(sc is not None for sc in scatters) and init is not None:
                copied = self.fresh()  # the accumulator is changed in place: it must not be shared
                out.append(ir.Assign(copied, ir.Call(self._copy_op(n), (init,)), self.loc))
                if isinstance(init, ir.Var) and init.name in self.maybe_short:
                    self.maybe_short.add(copied)  # (a copy of a bare 0.0 is one too)
                init = ir.Var(copied)
            if body_pending[n]:
                contribution = self.collect(n, body_pending, rev_body, named=False)
                nxt = self.fresh()
                if not any(sc is not None for sc in scatters) and init is not None and n not in self.scalars:
                    copied = self.fresh()  # the sum is added into in place: it must not be shared
                    out.append(ir.Assign(copied, ir.Call("s2s.runtime.copy_adjoint", (init,)), self.loc))
                    if isinstance(init, ir.Var) and init.name in self.maybe_short:
                        self.maybe_short.add(copied)
                    init = ir.Var(copied)
                # (the loop owns the sum: 0.0 or a copy at first, then what add_into returned); numbers are
                # added as numbers
                op = "add" if n in self.scalars else "s2s.runtime.add_into"
                rev_body.append(ir.Assign(nxt, ir.Call(op, (current, contribution))))
                current = ir.Var(nxt)
            rphis.append(ir.Phi(acc, [init if init is not None else ZERO, current]))
            if init is None or isinstance(init, ir.Var) and init.name in self.maybe_short:
                self.maybe_short.add(acc)
            self.add_pending(pending, n, ir.Var(acc))
        # what the reversed body reads of the values this loop defines is saved per iteration
        own = set(defined_names(s.body, into_loops=False)) | {p.target for p in s.phis}
        if s.target and not range_loop:
            own.add(s.target)
        counters = {}  # trip counters of the loops directly inside, each saved where its loop runs
        for inner in loops_in(s.body, into_loops=False):
            iplan = self.plans.get(id(inner))
            if iplan is not None and iplan.counter:
                own.add(iplan.counter)
                counters[iplan.counter] = inner
        reads = used_names(rev_body)
        index = {s.target} if range_loop and s.target else set()
        # (an array written in place is one object whose contents the restores keep right: never saved,
        # unless this loop's body makes it anew each iteration; then that object is saved, once)
        arrays = self.arrays
        fresh = {r for r in set(arrays.values()) if r in own}
        needed = sorted({arrays[n] if arrays.get(n) in fresh else n for n in (own & reads)}
                        - index - {v for v in arrays if arrays[v] not in fresh}, key=self._order)
        # (a value read only for its shape that keeps the shape of one the reversed body has: that one's read)
        moved, as_array = self._shape_sources(s, needed, rev_body, own)
        needed = [n for n in needed if n not in moved]
        shape_reads = []  # (np.sin(h) read for its shape: rt.array_shape(h), h's shape as NumPy reads it)
        for n in sorted(as_array, key=self._order):
            shape_reads.append(ir.Assign(self.namer.fresh(base_name(n) + "_shape"),
                                         ir.Call("s2s.runtime.array_shape", (ir.Var(moved[n]),)), as_array[n]))
            moved[n] = shape_reads[-1].target
        recomputed = self._recomputable(s, needed, own)
        for d in recomputed:  # what recomputing reads must be there too
            reads.update(walk_vars(d.value))
            for n in walk_vars(d.value):
                if n in own and n not in needed and n not in index and n not in self.arrays:
                    needed.append(n)
        saved = sorted(set(needed) - {d.target for d in recomputed}, key=self._order)
        parts: set = set()
        shapes = self._shapes_only(s, saved, rev_body, recomputed, own, parts)
        saved = [shapes.get(n, n) for n in saved]
        nexts = self._saved_as_next(s, saved, range_loop)
        saved = [n for n in saved if n not in nexts]
        plan.saved = saved
        plan.shapes = {v: n for n, v in shapes.items()}
        plan.parts = {shapes[n] for n in parts}
        # a version of an array made before the loop is that array (its restores keep its contents right)
        subst: dict[str, ir.Atom] = {v: ir.Var(r) for v, r in arrays.items()
                                     if v in own and r not in fresh and v in reads}
        restored = {}
        for n in saved:
            plan.stacks[n] = self.namer.fresh(n + "_saved")
            restored[n] = self.namer.fresh(base_name(n))
            self.restores[restored[n]] = n
            subst[n] = ir.Var(restored[n])
            if n in fresh:  # every version of an array made in the body is that one object
                subst.update({v: ir.Var(restored[n]) for v, r in arrays.items() if r == n})
        for b, h in nexts.items():  # b is the next iteration's h: the value h had one reversed iteration ago
            following = self.namer.fresh(base_name(h) + "_next")
            subst[b] = ir.Var(following)
            rphis.append(ir.Phi(following, [ir.Var(h), ir.Var(restored[h])]))
        # the reversed iteration space: an outermost loop whose saved values are pushed once per
        # iteration walks its stacks backwards; otherwise the values are popped
        self.at(s.loc)
        top_block = self.rev_blocks[id(s.body)]
        made_at = {n: plan.shapes.get(n, n) for n in saved}  # (a shape is taken in the block making its value)
        direct = bool(saved) and not self.loops and \
            all(self._defining_block(s, made_at[n], counters) is top_block for n in saved)
        targets, iters = [], []
        pops: dict[int, list] = {}  # a reversed block (by id) -> the pops at its start
        if range_loop and (s.target in reads or not direct):
            rev_index = self.namer.fresh(s.target) if s.target in reads else self._unused_index(rev_body)
            if s.target in reads:
                subst[s.target] = ir.Var(rev_index)
            targets.append(rev_index)
            iters.append(self._emit(ir.Call("builtins.reversed", (s.iter,)), out))
        if direct:
            for n in saved:
                targets.append(restored[n])
                iters.append(self._emit(ir.Call("builtins.reversed", (ir.Var(plan.stacks[n]),)), out))
        else:
            for n in saved:  # each popped where the reversed body starts the block defining it
                pops.setdefault(id(self._defining_block(s, made_at[n], counters)), []).append(
                    ir.Assign(restored[n], ir.Call("pop", (ir.Var(plan.stacks[n]),)), self.loc, restores=n))
            if not range_loop:
                plan.counter = self.namer.fresh("trips")
                plan.counter_next = self.namer.fresh("trips")
                targets.append(self._unused_index(rev_body))
                iters.append(self._emit(ir.Call("builtins.range", (ir.Var(plan.counter),)), out))
        rev_iter = iters[0] if len(iters) == 1 else self._emit(ir.Call("builtins.zip", tuple(iters)), out)
        rev_target = targets[0] if len(targets) == 1 else tuple(targets)
        recompute = []
        for d in recomputed:
            again = self.fresh() if d.target in self.namer.temps else self.namer.fresh(base_name(d.target))
            subst[d.target] = ir.Var(again)
            recompute.append(ir.Assign(again, d.value, d.loc or self.loc))  # a failure points at its own line
        # the reversed body, built in order: its pops, what it recomputes, then the adjoints of the body (the
        # pops of a branch at the start of its reversed branch); a gradient differentiated again pops its own
        # stacks' adjoints first (stacks.py), and recomputation follows those too
        top = pops.pop(id(rev_body), [])
        rev_body = map_blocks(rev_body, lambda block, items: pops.get(id(block), []) + items)
        first = _leading_pops(rev_body)
        rev_body = read_shapes(top + rev_body[:first] + recompute + shape_reads + rev_body[first:], {**moved, **shapes})
        rev_body = substitute(rev_body, subst)
        for r in rphis:  # back edges read restored values; inits are read before the loop
            back = r.operands[1]
            r.operands[1] = subst.get(back.name, back) if isinstance(back, ir.Var) else back
        unobserved: set = set()  # (ids of) the zeroings no reversed iteration observes: left out of the body
        for p in active_phis:
            init = p.operands[0]
            if not (isinstance(init, ir.Var) and init.name in self.active) and range_loop and \
                    p.target in self.arrays and isinstance(subst.get(s.target), ir.Var) and \
                    isinstance(s.iter, ir.Var) and _one_sign(self.made.get(s.iter.name)):
                unobserved |= self._unobserved_zeroing(next(r for r in rphis if r.target == carried[p.target].name),
                                                       rev_body, subst[s.target], out)
        if unobserved:
            rev_body = map_blocks(rev_body, lambda block, items: [t for t in items if id(t) not in unobserved])
        self.at(s.loc)
        out.append(ir.Loop("for", rphis, rev_body, target=rev_target, iter=rev_iter, loc=self.loc,
                           restores={restored[n]: n for n in saved} if direct else {}))
        self.joined.update(r.target for r in rphis)
        for p in active_phis:
            init = p.operands[0]
            if isinstance(init, ir.Var) and init.name in self.active:
                self.add_pending(pending, init.name, carried[p.target])

    def _unobserved_zeroing(self, rphi: ir.Phi, rev_body: list, index: ir.Var, out: list) -> set:
        """The zeroings `by[i] = 0.0` (or `by[i, 1] = 0.0`) that nothing observes, in a reversed `range` loop
        whose numbers are all of one sign (each iteration's `i` its own row: `range(-3, 3)` writes each row of
        an array of 3 twice) and whose iterations read and zero only their own row `i` of an adjoint nothing
        reads after the loop (the array was made in the function: its first value has no adjoint): a zeroing
        that no read of its element follows in the reversed iteration goes (returns the ids of those statements
        of `rev_body`). One that a read follows stays: `y[i] = a; if c: y[i] = b` reads `by[i]` for `b`, zeroes
        it, and reads it again for `a`, which the overwrite hid. If every zeroing goes, the copy the loop made
        to zero in (`np.copy`) goes with them (the reversed loop's phi `rphi`, being built, starts from what
        was copied)."""
        adj = rphi.target
        if rphi.operands[1] != ir.Var(adj):
            return set()
        zeroings, unobserved = [], set()  # (the zeroings so far, each with the rest of its index)
        for t, looped in _flat(rev_body):
            if adj not in [a.name for a in ir.operands(t) if isinstance(a, ir.Var)]:
                continue
            c = t.value if isinstance(t, (ir.Assign, ir.Effect)) else None
            if looped or not isinstance(c, ir.Call) or c.args[:2] != (ir.Var(adj), index) or \
                    adj in [a.name for a in c.args[2:] if isinstance(a, ir.Var)]:
                return set()  # (in an inner loop, an iteration reads after its own zeroing)
            if isinstance(t, ir.Assign) and c.op == "getitem":
                unobserved.difference_update(id(z) for z, rest in zeroings if _may_overlap(rest, c.args[2:]))
            elif isinstance(t, ir.Effect) and c.op == "setitem" and c.args[-1] == ir.Const(0.0):
                zeroings.append((t, c.args[2:-1]))
                unobserved.add(id(t))
            else:
                return set()
        first = rphi.operands[0]
        made = next((t for t in out if isinstance(first, ir.Var) and self.defines(t, first.name)), None)
        if len(unobserved) == len(zeroings) and made is not None and isinstance(made.value, ir.Call) and \
                made.value.op in prims.COPIES:
            rphi.operands[0] = made.value.args[0]
        return unobserved

    def _accumulate_in_place(self, loop: ir.Loop, n: str, init, body_pending: dict, rev_body: list,
                             pending: dict, out: list) -> bool:
        """Where the only contributions a reversed iteration makes to `n` (defined before the loop) are the
        adjoints of elements `n[i]` (i an int), `bn[i] += g` in plain NumPy: `bn` is made once before
        the loop (`rt.accumulator`: zeros shaped like n, plus what came after the loop), and the
        iteration adds into it in place, with no helper call. A read inside an `if` is added where its
        branch runs (not joined with the other branch's 0.0 and added as a whole array of zeros)."""
        contributions = body_pending[n]
        uses: dict = {}
        for t in ir.statements(rev_body):
            for a in ir.operands(t):
                if isinstance(a, ir.Var):
                    uses[a.name] = uses.get(a.name, 0) + 1
        reads, carriers = [], []
        if not contributions or not all(isinstance(c, ir.Var) for c in contributions) or \
                len({c.name for c in contributions}) < len(contributions) or not all(
                uses.get(c.name, 0) == 0 and self._element_reads(n, c, rev_body, uses, reads, carriers)
                for c in contributions):
            return False
        acc = self.adjoint_name(n)
        self.at(loop.loc)
        args = (ir.Var(n),) if init is None or init == ZERO else (ir.Var(n), init)
        out.append(ir.Assign(acc, ir.Call("s2s.runtime.accumulator", args), self.loc))
        for where, t in carriers:  # (the sums and branch joins that only carried the reads' adjoints)
            if isinstance(t, ir.Phi):
                where.phis.remove(t)
            else:
                where.remove(t)
        for where, t in reads:  # one after the other, at the end of the block of each: twice adds twice
            where.remove(t)
            self.temp_defs.discard(t.target)
            g, _, *index = t.value.args
            old, new = self.fresh(), self.fresh()
            where += [ir.Assign(old, ir.Call("getitem", (ir.Var(acc),) + tuple(index)), t.loc),
                      ir.Assign(new, ir.Call("add", (ir.Var(old), g)), t.loc),
                      ir.Effect(ir.Call("setitem", (ir.Var(acc),) + tuple(index) + (ir.Var(new),)), t.loc)]
        body_pending[n] = []
        self.accumulators = True  # a tuple's accumulator is a list: gradients are given their structure
        self.add_pending(pending, n, ir.Var(acc))
        return True

    def _element_reads(self, n: str, atom, block: list, uses: dict, reads: list, carriers: list) -> bool:
        """Is `atom`, defined in `block`, a sum of adjoints of elements `n[i]` (i an int) of one reversed
        iteration: `rt.getitem_adjoint(g, n, *i)`, sums of such, each read once, and the phis of reversed ifs
        whose branches give such sums or nothing (reads inside an `if`, an `elif`, a nested `if`)? Appends
        (block, statement) of each read to `reads`, and of each sum or (if, phi) carrying them to `carriers`."""
        if atom == ZERO:
            return True
        if not isinstance(atom, ir.Var):
            return False
        for t in block:
            if isinstance(t, ir.Assign) and t.target == atom.name:
                c = t.value
                if not isinstance(c, ir.Call) or c.kwargs:
                    return False
                if c.op == "add" and len(c.args) == 2:
                    carriers.append((block, t))
                    return all(isinstance(a, ir.Var) and uses.get(a.name) == 1 and
                               self._element_reads(n, a, block, uses, reads, carriers) for a in c.args)
                if c.op != "s2s.runtime.getitem_adjoint" or len(c.args) < 3 or c.args[1] != ir.Var(n) or \
                        not self._int_index(c.args[2:]):
                    return False
                reads.append((block, t))
                return True
            phi = next((p for p in t.phis if p.target == atom.name), None) if isinstance(t, ir.If) else None
            if phi is not None:
                carriers.append((t, phi))
                return all(o == ZERO or isinstance(o, ir.Var) and uses.get(o.name) == 1 and
                           self._element_reads(n, o, arm, uses, reads, carriers)
                           for o, arm in zip(phi.operands, (t.body, t.orelse)))
        return False

    def _accumulate_nested(self, loop: ir.Loop, n: str, init, body_pending: dict, rev_body: list, pending: dict,
                           out: list) -> bool:
        """Where a reversed iteration's only contribution to `n` (defined before the loop) is the accumulator of a
        loop inside it (`bx = rt.accumulator(x)`, added into in place by element), that accumulator is made once,
        before this loop, and the inner loop adds into it across iterations: not zeros of x's size and a sum of
        them per iteration (O(n^2) for the rows of a matrix)."""
        if len(body_pending[n]) != 1 or not isinstance(body_pending[n][0], ir.Var):
            return False
        inner = body_pending[n][0].name
        made = [t for t in rev_body if isinstance(t, ir.Assign) and t.target == inner]
        if len(made) != 1 or made[0].value != ir.Call("s2s.runtime.accumulator", (ir.Var(n),)):
            return False
        at = rev_body.index(made[0])
        # (read only by the loops that add into it: a read of it elsewhere would see other iterations' sums)
        if any(inner in used_names([t]) for t in rev_body[at + 1:] if not isinstance(t, ir.Loop)):
            return False
        acc = self.adjoint_name(n)
        self.at(loop.loc)
        args = (ir.Var(n),) if init is None or init == ZERO else (ir.Var(n), init)
        out.append(ir.Assign(acc, ir.Call("s2s.runtime.accumulator", args), self.loc))
        del rev_body[at]
        substitute_block(rev_body, {inner: ir.Var(acc)})
        body_pending[n] = []
        self.accumulators = True
        self.add_pending(pending, n, ir.Var(acc))
        return True

    def _emit(self, call: ir.Call, out: list) -> ir.Var:
        name = self.fresh()
        out.append(ir.Assign(name, call, self.loc))
        return ir.Var(name)

    def _scatter(self, contribution, block: list):
        """(g, x, *index) if `contribution` is `rt.getitem_adjoint(g, x, *index)` computed at the top of
        `block` for this use only; its statement is then removed."""
        if not isinstance(contribution, ir.Var):
            return None
        for i, s in enumerate(block):
            if self.defines(s, contribution.name):
                if isinstance(s.value, ir.Call) and s.value.op == "s2s.runtime.getitem_adjoint" \
                        and not s.value.kwargs:
                    del block[i]
                    self.temp_defs.discard(s.target)
                    return s.value.args
                return None
        return None

    def _defining_block(self, loop: ir.Loop, name: str, counters: dict) -> list:
        """The reversed block whose start should restore `name` (defined in `loop`'s body, or the
        trip counter of a loop in it)."""
        if name in counters:
            where = block_holding(loop.body, counters[name])
        else:
            where = block_defining(loop.body, name)
        if where is None:
            return self.rev_blocks[id(loop.body)]
        return self.rev_blocks.get(id(where), self.rev_blocks[id(loop.body)])


def _flat(stmts: list, looped: bool = False):
    """Every statement of `stmts` and of the blocks nested in them in the order they may run in (an if's
    branches one after the other), each with whether it is in a loop inside `stmts` (it may run again)."""
    for s in stmts:
        yield s, looped
        for block in ir.blocks(s):
            yield from _flat(block, looped or isinstance(s, ir.Loop))


def _one_sign(made) -> bool:
    """Is `made` a `range(...)` whose numbers are all of one sign, so that each indexes an element of its own
    (range(-2, 2) gives -2 and 1, one element of an array of 3)? Its step, and its start or stop, are constants."""
    if getattr(made, "op", None) != "builtins.range":
        return False
    if len(made.args) == 1:
        return True
    start, stop, step = (made.args + (ir.Const(1),))[:3]
    known = [a.value if isinstance(a, ir.Const) and type(a.value) is int else None for a in (start, stop, step)]
    start, stop, step = known
    if step is None:
        return False
    # rising from start, or falling to the element after stop
    return start is not None and (start >= 0 if step > 0 else start < 0) or \
        stop is not None and (stop <= 0 if step > 0 else stop >= -1)


def _may_overlap(a: tuple, b: tuple) -> bool:
    """May the elements `by[i, *a]` and `by[i, *b]` of one row overlap? Not where both are as many
    non-negative int constants and differ (by[i, 0] and by[i, 1])."""
    known = all(isinstance(k, ir.Const) and type(k.value) is int and k.value >= 0 for k in a + b)
    return not (known and len(a) == len(b) and a != b)


def _leading_pops(stmts: list) -> int:
    """How many statements at the start of `stmts` are `v = pop(stack)`."""
    n = 0
    while n < len(stmts) and isinstance(stmts[n], ir.Assign) and isinstance(stmts[n].value, ir.Call) and \
            stmts[n].value.op == "pop":
        n += 1
    return n


def _reads_whole(stmts: list, name: str, renamed: dict) -> bool:
    """Does a call other than an elementwise one (which a 0.0 suits) read `name` in `stmts`, or a name that
    takes its value (a copy, a phi of an inner loop or if that starts from it, or the result of an elementwise
    operation on it, which is a bare number too for a bare 0.0: `np.reshape(g * 1.5, shape)`)? `renamed`: the
    results the sweep names after the value they are the adjoint of (t8 -> bt4), read by that name."""
    names = {name}
    changed = True
    while changed:
        changed = False
        for t in ir.statements(stmts):
            takes = [t.target] if isinstance(t, ir.Assign) and (
                isinstance(t.value, ir.Var) and t.value.name in names or
                isinstance(t.value, ir.Call) and _elementwise(t.value.op) and
                any(isinstance(a, ir.Var) and a.name in names for a in t.value.args)) else []
            takes += [p.target for p in getattr(t, "phis", ()) if any(
                isinstance(o, ir.Var) and o.name in names for o in p.operands if o is not None)]
            for n in takes + [renamed[n] for n in takes if n in renamed]:
                if n not in names:
                    names.add(n)
                    changed = True
    for c in calls_in(stmts):
        if any(isinstance(a, ir.Var) and a.name in names for a in c.args) and not _elementwise(c.op):
            return True
    return False


def _elementwise(op: str) -> bool:
    """Does `op` take a bare number where an array stood (arithmetic, a broadcasting rule)?"""
    if op in ARITH_OPS:
        return True
    rule = registry.reverse_rule(op)
    return rule is not None and rule.broadcast
