"""The reverse stage: SSA function -> SSA function computing value and gradient.

The output holds the forward computation first, then the adjoint statements in
reverse order. Guarantees:
- only active values (see `analysis.activity`) get adjoints; the first
  contribution to an adjoint names it, several contributions are summed where
  the value is defined, so no adjoint is zero-initialised except the
  accumulators of a reversed loop and the untaken side of a reversed `if`;
- `if` keeps its structure: the reversed branch is chosen by the SSA value of
  the forward condition, nothing is taped;
- a loop is reversed by a loop running its iterations backwards; per iteration
  it saves only the values defined in the loop that the adjoint reads (one
  list per value, a stack), and a trip counter when the forward loop was not a
  plain `range` loop (loops.py).
"""
from __future__ import annotations

import copy
import dataclasses

from s2s import ir, prims
from s2s.ad.loops import ZERO, LoopReversal, base_name, LoopContext, LoopPlan, range_targets
from s2s.ad.analysis import ARITH_OPS, activity, forced_scalars, integers, proven_scalar, scalars
from s2s.front.results import maybe_int
from s2s.errors import NonDifferentiableError, UnsupportedSyntaxError, missing_rule
from s2s.ir.names import Namer
from s2s.rules import registry
from s2s.rules.symbolic import Emitter, lift, np, rt, to_atom
from s2s.ir.walk import call_definitions, contains_exit, defined_names, ends_with_exit, vars_of as walk_vars

ADJOINT_BEGINS = "adjoint_begins"  # marks, in a vjp, where the pullback's statements start


def reverse(fn: ir.Function, wrt: list[str], *, return_value: bool = False, seed: str | None = None,
            name: str | None = None, namer: Namer | None = None, single: bool | None = None) -> ir.Function:
    """The gradient function of `fn` with respect to the parameters `wrt`.

    With `seed` (a parameter name) the adjoint of the result is that parameter
    (a vjp); otherwise the result must be a scalar and its adjoint is 1.0.
    Returns the gradient (a tuple unless `single`; by default, unless one `wrt`), or `(value, gradient)`.
    """
    namer = namer or Namer()
    start = copy.deepcopy(namer)
    builder = _Reverse(fn, wrt, namer, seeded=seed is not None)
    builder.single = len(wrt) == 1 if single is None else single
    out = builder.run(return_value, seed, name or f"grad_{fn.name}")
    unread = builder.unread_buffers()
    if not unread:
        return out
    # the restores of these fresh buffers are read by nothing: build again without saving what they overwrote
    builder = _Reverse(fn, wrt, start, seeded=seed is not None, unsaved=unread)
    builder.single = len(wrt) == 1 if single is None else single
    out = builder.run(return_value, seed, name or f"grad_{fn.name}")
    namer.taken, namer.counters, namer.temps = start.taken, start.counters, start.temps
    return out


class _Reverse(LoopReversal):
    def __init__(self, fn: ir.Function, wrt: list[str], namer: Namer, seeded: bool, unsaved=frozenset()):
        self.overwritten: dict[str, str] = {}  # version made by an element write -> the saved old elements
        self.unsaved = unsaved  # fresh buffers whose overwritten elements nothing reads: not saved
        self.primal = fn
        self.adjoint_stmts: list = []
        if fn.arrays:
            fn = copy.deepcopy(fn)
            self._save_overwritten(fn.body, namer)
        self.fn = fn
        self.wrt = wrt
        self.namer = namer
        self.active = activity(fn, wrt)
        self.scalars = scalars(fn, result_is_scalar=not seeded)
        # scalars whatever path runs: a parameter returned only on a path not taken may be an array
        self.sound_scalars = scalars(fn, result_is_scalar=False, through_joins=False,
                                     assume=() if seeded else forced_scalars(fn))
        self.maybe_short: set[str] = set()  # adjoint names that may be a bare 0.0
        self.plans: dict[int, LoopPlan] = {}
        self.rev_blocks: dict[int, list] = {}
        self.loops: list[LoopContext] = []
        self.loc: ir.Loc | None = None  # the user line whose adjoint is being emitted
        self._restore: ir.Effect | None = None  # the write-back of an element write being reversed
        self.temp_defs: dict[str, ir.Assign] = {}  # rule results not yet named after their value
        self.restores: dict[str, str] = {}
        self.owned: set[str] = set()  # adjoint arrays this sweep made and nothing else refers to
        self.adjoint_names: set[str] = set()
        self.negations: dict[str, ir.Atom] = {}  # every `-x` the rules emitted: signs move outwards
        self.defs = {}
        _index_definitions(fn.body, self.defs)
        self._ints = None  # names known to hold ints (see _basic_index)
        self._strict_ints = None  # names that always hold a Python int (see _int_index)
        self._helper_changed = None  # names a runtime helper may change in place (see _changed_by_helpers)
        self.joined: set[str] = set()  # adjoints joined by the phis of a reversed loop or if, once emitted
        self._shape_class = None  # name -> a representative of the names provably of its shape
        self.accumulators = False  # whether a reversed loop adds element adjoints into an rt.accumulator
        self.made = call_definitions(fn.body)  # name -> the call defining it
        self.stacks: dict = {}  # the stacks of generated code that carry derivatives (_active_stacks)
        self.stack_adjoints: dict[str, str] = {}  # such a stack's first name -> its adjoint, once made

    # ----- names
    def adjoint_name(self, primal: str) -> str:
        name = self.namer.fresh("b" + primal)
        self.adjoint_names.add(name)
        return name

    def fresh(self) -> str:
        return self.namer.fresh("t")

    def _unused_index(self, body: list) -> str:
        """`_` for an adjoint loop's unused index, unless the user's function has a name `_` or a loop in
        `body` (the loop's own) counts with `_` already (generated code read again would see one name)."""
        inner = {n for t in ir.statements(body) if isinstance(t, ir.Loop)
                 for n in ([t.target] if isinstance(t.target, str) else list(t.target or ()))}
        if "_" in self.fn.params or "_" in defined_names(self.fn.body) or "_" in inner:
            return self.namer.fresh("unused")
        return "_"

    # ----- driver
    def run(self, return_value: bool, seed: str | None, name: str) -> ir.Function:
        body = self.fn.body
        ret = body[-1]
        assert isinstance(ret, ir.Return)
        pending: dict[str, list] = {}
        if isinstance(ret.value, ir.Var) and ret.value.name in self.active:
            if seed is not None:
                pending[ret.value.name] = [ir.Var(seed)]
            else:
                pending[ret.value.name] = [ir.Const(1.0)]
        check = []
        if seed is None and not proven_scalar(self.fn):
            # check the arguments that make the result a scalar, else the result itself
            params = [p for p in self.fn.params if p in self.sound_scalars]
            checked = tuple(ir.Var(p) for p in params) if params and proven_scalar(self.fn, params) else (ret.value,)
            check = [ir.Effect(ir.Call("s2s.runtime.require_scalar", checked), ret.loc)]
        self.stacks = self._active_stacks()
        adjoint = self.reverse_block(body[:-1], pending, {})
        self.adjoint_stmts = adjoint
        forward = self.forward_copy(body[:-1])
        grads = []
        for p in self.wrt:
            atom = self.collect(p, pending, out=adjoint)
            if atom is None:
                zero = ir.Const(0.0) if p in self.sound_scalars else None
                if zero is None:
                    tmp = self.namer.fresh("b" + p)
                    adjoint.append(ir.Assign(tmp, ir.Call("s2s.runtime.zeros_like", (ir.Var(p),))))
                    atom = ir.Var(tmp)
                else:
                    atom = zero
            elif isinstance(atom, ir.Var) and (atom.name in self.maybe_short or self.accumulators) and \
                    p not in self.sound_scalars:
                tmp = self.namer.fresh("b" + p)
                adjoint.append(ir.Assign(tmp, ir.Call("s2s.runtime.unbroadcast", (atom, ir.Var(p)))))
                atom = ir.Var(tmp)
            if _maybe_int(atom, self.fn) or maybe_int(atom, self.fn, adjoint):
                # a number's gradient is a float (y, the gradient of x * y, is an int in f(2, 3))
                tmp = self.namer.fresh("b" + p)
                to_float = "builtins.float" if p in self.scalars or _maybe_int(atom, self.fn) \
                    else "s2s.runtime.as_float"
                adjoint.append(ir.Assign(tmp, ir.Call(to_float, (atom,))))
                atom = ir.Var(tmp)
            grads.append(atom)
        grad = grads[0] if self.single else self._pack(grads, adjoint)
        result = grad
        if return_value:
            result = self._pack([ret.value, grad], adjoint)
        checks_arguments = bool(check) and check[0].value.args != (ret.value,)
        # a vjp's pullback closes over the forward sweep: mark where the adjoint begins (with the value)
        marker = [ir.Effect(ir.Call(ADJOINT_BEGINS, (ret.value,)))] if seed is not None else []
        body_out = (check + forward if checks_arguments else forward + check) + marker + adjoint + [ir.Return(result)]
        params = list(self.fn.params) + ([seed] if seed is not None else [])
        # (with a seed, `defaults` still belong to f's own parameters: the seed comes last, without one)
        return ir.Function(name=name, params=params, body=body_out, defaults=self.fn.defaults,
                           filename=self.fn.filename, free=dict(self.fn.free),
                           temps=frozenset(self.fn.temps) | frozenset(self.namer.temps),
                           restores=dict(self.restores), arrays=dict(self.fn.arrays),
                           loop_temps=frozenset(self.adjoint_names), opaque=dict(self.fn.opaque),
                           signature=self.fn.signature)

    def _pack(self, atoms: list, out: list) -> ir.Atom:
        tmp = self.fresh()
        out.append(ir.Assign(tmp, ir.Call("tuple", tuple(atoms))))
        return ir.Var(tmp)

    # ----- adjoint accumulation
    def collect(self, name: str, pending: dict, out: list, named: bool = True) -> ir.Atom | None:
        """The adjoint of `name`: its single contribution, or the sum of several (emitted into `out`).

        With `named`, the result is called `b<name>`; otherwise it stays a temporary that codegen
        may fold into its single use (the back edge of a reversed loop)."""
        contributions = pending.pop(name, [])
        if not contributions:
            return None
        short = all(isinstance(c, ir.Var) and c.name in self.maybe_short or isinstance(c, ir.Const)
                    for c in contributions)
        if len(contributions) == 1:
            only = contributions[0]
            if named and isinstance(only, ir.Var) and only.name in self.temp_defs:
                # name the freshly computed contribution after the value: bx rather than t7
                stmt = self.temp_defs.pop(only.name)
                stmt.target = self.adjoint_name(name)
                if only.name in self.maybe_short:
                    self.maybe_short.add(stmt.target)
                if only.name in self.owned:
                    self.owned.add(stmt.target)
                if only.name in self.negations:
                    self.negations[stmt.target] = self.negations.pop(only.name)
                return ir.Var(stmt.target)
            return only
        owned = [c for c in contributions if isinstance(c, ir.Var) and c.name in self.owned]
        if owned:  # element adjoints are added into an array this sweep owns, in place
            contributions = self._add_scatters_into(owned[0], [c for c in contributions if c is not owned[0]], out)
        total = contributions[0]
        for i, c in enumerate(contributions[1:]):
            last = i == len(contributions) - 2
            target = self.adjoint_name(name) if last and named else self.fresh()
            out.append(ir.Assign(target, ir.Call("add", (total, c)), self.loc))
            total = ir.Var(target)
        if short:
            self.maybe_short.add(total.name)
        return total

    def _add_scatters_into(self, base: ir.Var, others: list, out: list) -> list:
        """`base` with every `rt.getitem_adjoint` among `others` added in place (`rt.add_at`);
        returns the contributions left to sum, the updated base first."""
        rest = []
        for c in others:
            scatter = self._scatter(c, out)
            if scatter is None:
                rest.append(c)
                continue
            nxt = self.fresh()
            out.append(ir.Assign(nxt, ir.Call("s2s.runtime.add_at", (base,) + scatter), self.loc))
            self.owned.add(nxt)
            base = ir.Var(nxt)
        return [base] + rest

    def add_pending(self, pending: dict, name: str, atom) -> None:
        pending.setdefault(name, []).append(atom)

    # ----- stacks of saved values, in generated code differentiated again in reverse mode
    def _active_stacks(self) -> dict:
        """The stacks S of generated code that carry derivatives, each name -> the stack's first name (an
        if's phi may join a stack with None, the path that made none). Where the block holding the first
        name of S is reversed, `bS = rt.accumulator(S)` starts its adjoint: a list of zeros as long as S is
        when that block ends. The sweep then mirrors every change to S: `S.append(v)` reversed is
        `bv = bS.pop()`, `y = S.pop()` is `bS.append(by)`, and `y = S[k]` adds `by` into `bS[k]`."""
        pushed = {t.value.args[0].name for t in ir.statements(self.fn.body) if isinstance(t, ir.Effect)
                  and t.value.op == "push" and isinstance(t.value.args[0], ir.Var)}
        members = {n: n for n in pushed}
        phis = [p for t in ir.statements(self.fn.body) if isinstance(t, ir.If) for p in t.phis]
        changed = True
        while changed:
            changed = False
            for p in phis:
                stacks = {members[o.name] for o in p.operands if isinstance(o, ir.Var) and o.name in members}
                if p.target not in members and stacks and all(
                        isinstance(o, ir.Var) and o.name in members or o == ir.Const(None) for o in p.operands):
                    members[p.target] = stacks.pop() if len(stacks) == 1 else p.target
                    changed = True
        for p in phis:  # (a phi joining two stacks is one class with both)
            for o in p.operands:
                if isinstance(o, ir.Var) and o.name in members and members[o.name] != members[p.target]:
                    old = members[o.name]
                    members.update({n: members[p.target] for n, r in members.items() if r == old})
        active = {r for n, r in members.items() if n in self.active}
        members = {n: r for n, r in members.items() if r in active}
        written = set(self.fn.arrays) | set(self.fn.arrays.values())
        for t in ir.statements(self.fn.body):
            if not (isinstance(t, ir.Effect) and t.value.op == "push" and isinstance(t.value.args[0], ir.Var) and
                    t.value.args[0].name in members and isinstance(t.value.args[1], ir.Var)):
                continue
            made = self.made.get(t.value.args[1].name)
            if made is not None and made.op in prims.MAY_SHARE_MEMORY and made.args and \
                    any(n in written for n in walk_vars(made)) and \
                    not (made.op == "getitem" and self._element_of(made.args[0], made.args[1:], numeric=True)):
                # the gradient reads it when its write-backs have made it right again: this sweep would not
                raise UnsupportedSyntaxError(
                    f"reverse mode over a gradient that saved '{base_name(t.value.args[1].name)}', which may be "
                    f"a view of an array it writes", self.fn.filename, t.loc.line if t.loc else 0, 0,
                    t.loc.text if t.loc else "", "differentiate this gradient in forward mode: s2s.hessian(f), "
                    "or s2s.jacobian(s2s.grad(f), mode=\"forward\")")
        outside_loops = set(_defined_outside_loops(self.fn.body))
        for n in sorted(members, key=self._order):
            use = next((t for t in ir.statements(self.fn.body) if n in [a.name for a in ir.operands(t)
                        if isinstance(a, ir.Var)] and not _stack_use(t, n, members)), None)
            made = self.made.get(n)
            if n not in outside_loops and made is not None or use is not None or \
                    made not in (None, ir.Call("list", ())):  # (never made so by s2s: refused, not guessed)
                loc = getattr(use, "loc", None)
                raise UnsupportedSyntaxError(
                    f"reverse mode over the stack of saved values '{n}'", self.fn.filename,
                    loc.line if loc else 0, 0, loc.text if loc else "",
                    "differentiate this gradient in forward mode: s2s.hessian(f), or "
                    "s2s.jacobian(s2s.grad(f), mode=\"forward\")")
        return members

    def _start_stack_adjoints(self, stmts: list, out: list) -> None:
        """`bS = rt.accumulator(S)` for each stack carrying derivatives whose first name `stmts` define."""
        for t in stmts:
            names = [t.target] if isinstance(t, ir.Assign) else [p.target for p in getattr(t, "phis", ())] \
                if isinstance(t, ir.If) else []
            for n in names:
                if n in self.stacks and self.stacks[n] not in self.stack_adjoints:
                    self.stack_adjoints[self.stacks[n]] = self.adjoint_name(n)
                    out.append(ir.Assign(self.stack_adjoints[self.stacks[n]],
                                         ir.Call("s2s.runtime.accumulator", (ir.Var(n),)), t.loc))

    def _reverse_stack(self, s, pending: dict, out: list) -> None:
        """The adjoint of a push onto, a pop from, or a read of an element of a stack (see _active_stacks)."""
        self.at(s.loc)
        stack = ir.Var(self.stack_adjoints[self.stacks[s.value.args[0].name]])
        if isinstance(s, ir.Effect):  # push(S, v)
            value = s.value.args[1]
            if isinstance(value, ir.Var) and value.name in self.active:
                part = self.fresh()
                out.append(ir.Assign(part, ir.Call("pop", (stack,)), self.loc))
                self.maybe_short.add(part)  # (0.0 where nothing read what was pushed)
                self.add_pending(pending, value.name, ir.Var(part))
            else:
                out.append(ir.Effect(ir.Call("pop", (stack,)), self.loc))
            return
        g = self.collect(s.target, pending, out) if s.target in self.active else None
        pending.pop(s.target, None)
        if s.value.op == "pop":
            out.append(ir.Effect(ir.Call("push", (stack, g if isinstance(g, ir.Atom) else ZERO)), self.loc))
        elif isinstance(g, ir.Atom):
            index = s.value.args[1:]
            old, new = self.fresh(), self.fresh()
            out += [ir.Assign(old, ir.Call("getitem", (stack,) + index), self.loc),
                    ir.Assign(new, ir.Call("add", (ir.Var(old), g)), self.loc),
                    ir.Effect(ir.Call("setitem", (stack,) + index + (ir.Var(new),)), self.loc)]

    def _stack_op(self, s) -> bool:
        """Is `s` a push onto, a pop from or a read of an element of a stack that carries derivatives?"""
        if isinstance(s, ir.Effect):
            call = s.value
        elif isinstance(s, ir.Assign) and isinstance(s.value, ir.Call):
            call = s.value
        else:
            return False
        return call.op in ("push", "pop", "getitem") and (call.op == "push") == isinstance(s, ir.Effect) and \
            bool(call.args) and isinstance(call.args[0], ir.Var) and call.args[0].name in self.stacks

    # ----- statements in reverse
    def reverse_block(self, stmts: list, pending: dict, seed: dict) -> list:
        out: list = []
        self.rev_blocks[id(stmts)] = out
        if self.stacks:
            self._start_stack_adjoints(stmts, out)
        if seed:
            last = stmts[-1] if stmts else None
            if ends_with_exit(stmts):
                pass
            elif isinstance(last, ir.If) and (contains_exit(last.body) or contains_exit(last.orelse)):
                pass  # the fall-through end is inside that if: handed down there
            else:
                for n, atoms in seed.items():
                    for a in atoms:
                        self.add_pending(pending, n, a)
                seed = {}
        for i in range(len(stmts) - 1, -1, -1):
            s = stmts[i]
            inner_seed = seed if (i == len(stmts) - 1 and seed) else {}
            if self.stack_adjoints and self._stack_op(s):
                self._reverse_stack(s, pending, out)
            elif isinstance(s, ir.Assign):
                self.reverse_assign(s, pending, out)
            elif isinstance(s, ir.If):
                self.reverse_if(s, pending, out, inner_seed)
            elif isinstance(s, ir.Loop):
                self.reverse_loop(s, pending, out)
            elif isinstance(s, (ir.Break, ir.Continue)):
                ctx = self.loops[-1]
                for h, adj in ctx.carried.items():
                    v = s.values.get(h)
                    if isinstance(v, ir.Var) and v.name in self.active:
                        self.add_pending(pending, v.name, adj)
        return out

    def at(self, loc: ir.Loc | None) -> None:
        self.loc = dataclasses.replace(loc, adjoint=True) if loc is not None else None

    def _save_overwritten(self, stmts: list, namer: Namer) -> None:
        """Before each element write, keep the elements it overwrites (`y_old = np.copy(y[i])`):
        the reverse sweep writes them back, so adjoints of earlier lines see the values they saw."""
        i = 0
        while i < len(stmts):
            s = stmts[i]
            if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) and s.value.op == "setitem" and \
                    self.fn_arrays_root(s.target) not in self.unsaved:
                base, index = s.value.args[0], s.value.args[1:-1]
                view, old = namer.fresh("t"), namer.fresh(base_name(self_root(base)) + "_old")
                stmts[i:i] = [ir.Assign(view, ir.Call("getitem", (base,) + index), s.loc),
                              ir.Assign(old, ir.Call("numpy.copy", (ir.Var(view),)), s.loc)]
                self.overwritten[s.target] = old
                i += 2
            elif isinstance(s, ir.If):
                self._save_overwritten(s.body, namer)
                self._save_overwritten(s.orelse, namer)
            elif isinstance(s, ir.Loop):
                self._save_overwritten(s.body, namer)
            i += 1

    def fn_arrays_root(self, version: str) -> str:
        return self.primal.arrays.get(version, version)

    def unread_buffers(self) -> frozenset:
        """The arrays the function made (np.zeros, x * 1.0, np.copy(x), ..., at any depth of loops) whose
        restores the adjoint sweep could do without: nothing that may share their memory is read after the
        first restore (a restore inside a reversed loop counts from the loop's start, as its next iteration
        follows it). Reads of a shape alone (np.shape(y), rt.unbroadcast(g, y), the array rt.add_at adds
        into the adjoint of) do not count: a restore keeps it. The old element's value is read where an
        adjoint reads the array, a view of it, or the result of a rule that reads its result (np.exp)."""
        if not self.overwritten:
            return frozenset()
        roots = set(self.primal.arrays.values())
        # (an element of a stack, in generated code, shares its memory with names made before it)
        fresh = {s.target for s in ir.statements(self.primal.body) if isinstance(s, ir.Assign) and
                 s.target in roots and isinstance(s.value, ir.Call) and s.value.op not in NOT_FRESH}
        old_root = {old: self.fn_arrays_root(v) for v, old in self.overwritten.items()}
        roots = {r for r in old_root.values() if r in fresh}
        if not roots:
            return frozenset()
        # (an element of an array of numbers, y[i], is a NumPy scalar: a copy, which a restore leaves alone)
        copies = {s.target for s in ir.statements(self.primal.body) if isinstance(s, ir.Assign) and
                  isinstance(s.value, ir.Call) and s.value.op == "getitem" and
                  self._element_of(s.value.args[0], s.value.args[1:], numeric=True)}
        sharing = {r: _sharing_memory(self.primal, r, copies) for r in roots}
        for restored, n in self.restores.items():  # a popped value is the value pushed
            for r in roots:
                if n in sharing[r]:
                    sharing[r].add(restored)
        first: dict = {}  # root -> position from which its restores happen
        reads: dict = {r: [] for r in roots}  # root -> positions of reads of its memory
        counter = [0]

        def walk(stmts, loop_start):
            for s in stmts:
                counter[0] += 1
                here = counter[0]
                if isinstance(s, ir.Effect) and s.value.op == "setitem" and isinstance(s.value.args[-1], ir.Var):
                    old = s.value.args[-1].name
                    r = old_root.get(self.restores.get(old, old))
                    if r in roots:
                        at = loop_start if loop_start is not None else here
                        first[r] = min(first.get(r, at), at)
                        continue
                for r in roots:
                    if any(n in sharing[r] for n in _value_reads(s)):
                        reads[r].append(here)
                if isinstance(s, ir.Loop):
                    walk(s.body, here if loop_start is None else loop_start)
                else:
                    for block in ir.blocks(s):
                        walk(block, loop_start)
        walk(self.adjoint_stmts, None)
        return frozenset(r for r in roots if r in first and all(p < first[r] for p in reads[r]))

    def reverse_assign(self, s: ir.Assign, pending: dict, out: list) -> None:
        if s.target in self.overwritten:  # put back what this write overwrote
            self.at(s.loc)
            base, index = ir.Var(self.fn.arrays.get(s.target, s.target)), s.value.args[1:-1]
            restore = ir.Effect(ir.Call("setitem", (base,) + index + (ir.Var(self.overwritten[s.target]),)), self.loc)
            if s.target not in self.active:
                out.append(restore)
                pending.pop(s.target, None)
                return
            self._restore = restore
        if s.target not in self.active:
            pending.pop(s.target, None)
            return
        self.at(s.loc)
        g = self.collect(s.target, pending, out)
        if g is None:
            if self._restore is not None:
                out.append(self._restore)
                self._restore = None
            return
        value = s.value
        if isinstance(value, ir.Var):
            self.add_pending(pending, value.name, g)
            return
        if isinstance(value, ir.Const):
            return
        rule = registry.reverse_rule(value.op)
        if rule is None:
            if registry.is_nondiff(value.op):
                return
            target = self.fn.free.get(value.args[0].name, (None,))[0] if value.op == "call" else None
            raise missing_rule(value.op, s.loc, self.fn.filename, "it has no derivative rule and no Python source"
                               if value.op == "call" else "it has no reverse-mode rule", self._callee(value), target)
        args = [lift(a) for a in value.args]
        kwargs = {k: lift(v) for k, v in value.kwargs}
        if isinstance(g, ir.Var) and g.name in self.maybe_short and (not rule.broadcast or value.op == "setitem") and \
                s.target not in self.sound_scalars:
            # a bare 0.0 (the adjoint on a path not taken) stands for zeros of the array: rules that index
            # or multiply it by matrices need them whole
            whole = self.fresh()
            out.append(ir.Assign(whole, ir.Call("s2s.runtime.unbroadcast", (g, ir.Var(s.target))), self.loc))
            if g.name in self.owned:  # (the same array when it was one: still the sweep's own)
                self.owned.add(whole)
            g = ir.Var(whole)
        if rule.user is not None:
            self.apply_user_rule(rule, s, g, pending, out)
            return
        restore, self._restore = self._restore, None
        operands = self._differentiated_operands(rule, s)
        if value.op == "setitem":  # read the written value's adjoint before the base's is zeroed
            operands.reverse()
            if not self._basic_index(value.args[1:-1]):  # repeated indices: only the last write counts
                operands = [(i, a, (lambda g, ans, y, *rest: rt.setitem_value_adjoint(g, *rest[:-1]))
                             if i == len(value.args) - 1 else adjoint) for i, a, adjoint in operands]
        # the base's adjoint zeroed in place at the written slice: the value's adjoint, read first, is a copy
        view = value.op == "setitem" and self._zeroed_in_place(g, value) and \
            not self._element_slot(value, numeric=True) and any(i == 0 for i, _, _ in operands)
        for i, a, adjoint in operands:
            with Emitter(self.fresh, self.loc, self.negations) as em:
                contrib = to_atom(adjoint(lift(g), lift(ir.Var(s.target)), *args, **kwargs))
                if rule.broadcast and (i is None or self._needs_unbroadcast(value, i, s.target, g)):
                    contrib = to_atom(rt.unbroadcast(lift(contrib), lift(a)))
                if view and i == len(value.args) - 1:
                    contrib = to_atom(np.copy(lift(contrib)))
            if value.op == "setitem" and i == 0:
                contrib = self._zero_in_place(g, em.stmts, contrib, value)
            out.extend(em.stmts)
            if em.stmts and isinstance(contrib, ir.Var) and isinstance(em.stmts[-1], ir.Assign) and \
                    em.stmts[-1].target == contrib.name:
                self.temp_defs[contrib.name] = em.stmts[-1]
            if isinstance(g, ir.Var) and g.name in self.maybe_short and isinstance(contrib, ir.Var):
                self.maybe_short.add(contrib.name)
            self.add_pending(pending, a.name, contrib)
        if restore is not None and value.op == "setitem":
            out.append(restore)

    def _element_slot(self, value: ir.Call, numeric: bool = False) -> bool:
        """Is `y[index]` in `y_1 = setitem(y, *index, v)` known to be a single element? Where y was made
        by np.zeros/ones/empty/full of a shape of known length, and index holds that many ints.
        With `numeric`, y is also known to hold numbers (np.zeros/ones/empty without a dtype, or with a
        constant one that is not `object`): an element then takes only a number or a 0-d array."""
        return self._element_of(value.args[0], value.args[1:-1], numeric)

    def _element_of(self, base, index: tuple, numeric: bool = False) -> bool:
        """Is `base[index]` a single element of `base` (of a numeric one: a NumPy scalar, a copy)?"""
        if numeric and not self._numeric_made(base):
            return False
        if len(index) == 1 and isinstance(index[0], ir.Const) and isinstance(index[0].value, tuple):
            index = tuple(ir.Const(v) for v in index[0].value)
        if not all(isinstance(a, ir.Const) and isinstance(a.value, int) and not isinstance(a.value, bool) or
                   isinstance(a, ir.Var) and self._basic_index((a,)) for a in index):
            return False
        rank = self._rank_made(base)
        return rank is not None and rank == len(index)

    def _zeroed_in_place(self, g, value: ir.Call) -> bool:
        """Is the base's adjoint `g` of `y[index] = v` zeroed at index in place (`by[index] = 0.0`)? Where
        this sweep owns g (and it is not a bare 0.0) and index is basic (no element twice)."""
        return isinstance(g, ir.Var) and g.name in self.owned and g.name not in self.maybe_short and \
            (self._element_slot(value, numeric=True) or self._basic_index(value.args[1:-1]))

    def _numeric_made(self, atom) -> bool:
        root = self.fn.arrays.get(atom.name, atom.name) if isinstance(atom, ir.Var) else None
        d = self.made.get(root)
        if d is None or d.op not in ("numpy.zeros", "numpy.ones", "numpy.empty"):
            return False
        dtype = dict(d.kwargs).get("dtype", d.args[1] if len(d.args) > 1 else None)
        return dtype is None or isinstance(dtype, ir.Const) and dtype.value not in (object, "object", "O")

    def _rank_made(self, atom):
        root = self.fn.arrays.get(atom.name, atom.name) if isinstance(atom, ir.Var) else None
        d = self.made.get(root)
        if d is None or d.op not in ("numpy.zeros", "numpy.ones", "numpy.empty", "numpy.full") or not d.args:
            return None
        shape = d.args[0]
        if isinstance(shape, ir.Const):
            return len(shape.value) if isinstance(shape.value, tuple) else 1
        return 1 if isinstance(shape, ir.Var) and self._basic_index((shape,)) else None

    def _basic_index(self, index) -> bool:
        """Can `y[index] = v` write one element twice? Not with ints and slices (basic indexing)."""
        if self._ints is None:
            self._ints = integers(self.fn) | range_targets(self.fn.body) | self._python_ints()

        def basic(v):
            return v is None or v is Ellipsis or isinstance(v, (int, slice)) and not isinstance(v, bool) or \
                isinstance(v, tuple) and all(basic(x) for x in v)
        return all(basic(a.value) if isinstance(a, ir.Const) else a.name in self._ints for a in index)

    def _zero_in_place(self, g, stmts: list, contrib, value: ir.Call):
        """An array's adjoint that this sweep made itself (by an earlier write's adjoint, or a copy
        entering a reversed loop) has the overwritten elements zeroed in place: `by[i] = 0.0` where
        one element of a numeric array was written (its adjoint was read as a number, a copy), else
        `rt.zero_at`. Returns the base's adjoint after the write."""
        if not (stmts and isinstance(contrib, ir.Var) and stmts[-1].target == contrib.name):
            return contrib
        call = stmts[-1].value
        if call.op == "s2s.runtime.setitem_adjoint" and isinstance(g, ir.Var) and g.name in self.owned:
            # (`by[i] = 0.0` where by is one array from where it is made; after a join, generated code
            # transformed again would take it for an array of unknown origin: rt.zero_at, in place too)
            if self._zeroed_in_place(g, value) and g.name not in self.joined:
                stmts[-1] = ir.Effect(ir.Call("setitem", call.args + (ir.Const(0.0),)), stmts[-1].loc)
                return g
            stmts[-1].value = ir.Call("s2s.runtime.zero_at", call.args, call.kwargs)
        self.owned.add(contrib.name)
        return contrib

    def _differentiated_operands(self, rule, s: ir.Assign):
        """(position or None, active operand, its adjoint function) for every active operand.

        An operand passed by keyword takes the adjoint of the rule's parameter of
        that name; an active operand the rule has no entry for is an error, never
        a silent zero."""
        value = s.value
        out = []
        for i, a in enumerate(value.args):
            if isinstance(a, ir.Var) and a.name in self.active:
                if i >= len(rule.adjoints):
                    raise self._no_rule(s, f"its argument {i + 1} has no derivative rule")
                if rule.adjoints[i] is not None:
                    out.append((i, a, rule.adjoints[i]))
        names = _rule_parameters(rule)
        for k, a in value.kwargs:
            if isinstance(a, ir.Var) and a.name in self.active:
                if k not in names or names.index(k) >= len(rule.adjoints):
                    raise self._no_rule(s, f"its keyword argument '{k}' has no derivative rule")
                adjoint = rule.adjoints[names.index(k)]
                if adjoint is not None:
                    out.append((None, a, adjoint))
        return out

    def _no_rule(self, s: ir.Assign, why: str) -> NonDifferentiableError:
        return missing_rule(s.value.op, s.loc, self.fn.filename, why, self._callee(s.value))

    def _callee(self, value: ir.Call) -> str | None:
        """How the user spelled the callable of an opaque call."""
        if value.op == "call" and isinstance(value.args[0], ir.Var):
            return self.fn.opaque.get(value.args[0].name, value.args[0].name)
        if value.op == "callmethod":
            return f"the method .{value.args[1].value}()"
        return None

    def apply_user_rule(self, rule, s, g, pending, out) -> None:
        """A rule from `s2s.adjoint` is called: `adjoints = custom.f_adjoint(g, ans, *args)`,
        then each active argument takes its part (None means zero; broadcasting is undone)."""
        value = s.value
        tmp = self.namer.fresh("adjoints")
        call_args = (g, ir.Var(s.target)) + tuple(value.args)
        out.append(ir.Assign(tmp, ir.Call(f"s2s.rules.custom.{rule.user}", call_args, value.kwargs), self.loc))
        for i, a in enumerate(value.args):
            if isinstance(a, ir.Var) and a.name in self.active:
                part = self.fresh()
                out.append(ir.Assign(part, ir.Call("s2s.runtime.adjoint_part", (ir.Var(tmp), ir.Const(i), a)),
                                     self.loc))
                self.temp_defs[part] = out[-1]
                self.add_pending(pending, a.name, ir.Var(part))

    def _needs_unbroadcast(self, value: ir.Call, i: int, target: str, g=None) -> bool:
        if value.op == "setitem":  # the written value: only where it was broadcast into a larger slice
            v = value.args[i]
            if i == 0:
                return False
            # (a number written into a slice or a row was broadcast too: only an element slot is one number;
            # NumPy writes nothing but a number or a 0-d array into an element of a numeric array)
            return not isinstance(v, ir.Const) and not (v.name in self.scalars and self._element_slot(value)) \
                and not self._element_slot(value, numeric=True)
        if target in self.scalars:
            return False
        a = value.args[i]
        if isinstance(a, ir.Var) and not (isinstance(g, ir.Var) and g.name in self.maybe_short) and \
                self._same_shape(a.name, target):
            return False  # g has the shape of the result, which is the operand's
        others = [a for j, a in enumerate(value.args) if j != i]
        def scalar(a):
            return (isinstance(a, ir.Const) and not isinstance(a.value, (list, tuple))) or \
                (isinstance(a, ir.Var) and a.name in self.scalars)
        return not all(scalar(a) for a in others)

    def _same_shape(self, a: str, b: str) -> bool:
        """Are `a` and `b` provably arrays (or numbers) of one shape? Each made by an elementwise operation
        whose operands other than known numbers are all of one shape (`lx * lx`, `np.tanh(z)`, `t * 2.0`)."""
        if self._shape_class is None:
            self._shape_class = _shape_classes(self.fn, self.scalars)
        classes = self._shape_class
        return a in classes and b in classes and classes[a] == classes[b]

    def reverse_if(self, s: ir.If, pending: dict, out: list, seed: dict) -> None:
        self.at(s.loc)
        inside = set(defined_names(s.body)) | set(defined_names(s.orelse))
        branch_pending = [{}, {}]
        for phi in s.phis:
            if phi.target not in self.active:
                pending.pop(phi.target, None)
                continue
            g = self.collect(phi.target, pending, out)
            if g is None:
                continue
            for k in (0, 1):
                op = phi.operands[k]
                if isinstance(op, ir.Var) and op.name in self.active:
                    self.add_pending(branch_pending[k], op.name, g)
        if contains_exit(s.body) or contains_exit(s.orelse):
            # what comes after the if runs only on the paths that do not leave the loop here: its adjoints
            # go into the branches that fall through (and back out of them as leftovers), not around them
            targets = {p.target for p in s.phis}
            carry = {n: atoms for n, atoms in pending.items() if n not in targets and atoms}
            for n in carry:
                pending.pop(n)
            for k, stmts in enumerate((s.body, s.orelse)):
                if not ends_with_exit(stmts):
                    for n, atoms in carry.items():
                        branch_pending[k].setdefault(n, []).extend(atoms)
        blocks = []
        leftovers = []
        for k, stmts in enumerate((s.body, s.orelse)):
            rev = self.reverse_block(stmts, branch_pending[k], self._through_phis(s, k, seed))
            left = {n: v for n, v in branch_pending[k].items() if n not in inside and v}
            leftovers.append(left)
            blocks.append(rev)
        self.at(s.loc)
        phis = []
        for n in sorted(set(leftovers[0]) | set(leftovers[1]), key=self._order):
            operands = []
            for k in (0, 1):
                if n in leftovers[k]:  # a temporary: the phi after the if takes the adjoint's name
                    operands.append(self.collect(n, leftovers[k], blocks[k], named=False))
                else:
                    operands.append(ZERO)
            if operands[0] == operands[1]:  # the same adjoint on both paths
                self.add_pending(pending, n, operands[0])
                continue
            target = self.adjoint_name(n)
            phis.append(ir.Phi(target, operands))
            if ZERO in operands or any(isinstance(o, ir.Var) and o.name in self.maybe_short for o in operands):
                self.maybe_short.add(target)
            self.add_pending(pending, n, ir.Var(target))
        if any(blocks) or phis:
            self.at(s.loc)
            out.append(ir.If(s.test, blocks[0], blocks[1], phis, self.loc))
            self.joined.update(p.target for p in phis)

    def _through_phis(self, s: ir.If, k: int, seed: dict) -> dict:
        """The seed of a loop's fall-through end, handed into branch `k` of the `if` ending the body:
        an adjoint of one of the if's own phis goes to that branch's operand."""
        phis = {p.target: p for p in s.phis}
        out: dict[str, list] = {}
        for n, atoms in seed.items():
            if n in phis:
                op = phis[n].operands[k]
                if not (isinstance(op, ir.Var) and op.name in self.active):
                    continue
                n = op.name
            out.setdefault(n, []).extend(atoms)
        return out

    def _order(self, name: str):
        return self.defs.get(name, (1 << 30, name))

    # ----- loops


    # ----- the forward sweep, with what the loops save


# what makes a written array that other names made before it may share memory with (views are never written)
NOT_FRESH = prims.MAY_SHARE_MEMORY | {"pop"}
# calls that read only the shape (and dtype) of these operands, which restoring elements keeps
SHAPE_ONLY = {"numpy.shape": None, "numpy.ndim": None, "numpy.size": None, "builtins.len": None,
              "s2s.runtime.zeros_like": None, "s2s.runtime.unbroadcast": (1,), "s2s.runtime.getitem_adjoint": (1,),
              "s2s.runtime.sum_adjoint": (1,), "s2s.runtime.mean_adjoint": (1,), "s2s.runtime.add_at": (2,)}


def _sharing_memory(fn: ir.Function, root: str, copies=frozenset()) -> set:
    """The names whose value may share memory with the array `root`: its versions, views of them
    (prims.MAY_SHARE_MEMORY, except the names in `copies`), copies, and the joins and loop variables
    taking them."""
    out = {root} | {v for v, r in fn.arrays.items() if r == root}
    changed = True
    while changed:
        changed = False
        for s in ir.statements(fn.body):
            new = []
            if isinstance(s, ir.Assign) and s.target not in copies and (
                    isinstance(s.value, ir.Var) and s.value.name in out or
                    isinstance(s.value, ir.Call) and s.value.op in prims.MAY_SHARE_MEMORY
                    and any(n in out for n in walk_vars(s.value))):
                new.append(s.target)
            for p in getattr(s, "phis", ()):
                if any(isinstance(o, ir.Var) and o.name in out for o in p.operands):
                    new.append(p.target)
            if isinstance(s, ir.Loop) and isinstance(s.target, str) and s.iter is not None and \
                    any(n in out for n in walk_vars(s.iter)):
                new.append(s.target)
            if isinstance(s, (ir.Break, ir.Continue)):
                new += [t for t, v in s.values.items() if isinstance(v, ir.Var) and v.name in out]
            for n in new:
                if n not in out:
                    out.add(n)
                    changed = True
    return out


def _shape_classes(fn: ir.Function, scalars: set) -> dict:
    """name -> representative, for the results of elementwise operations (arrays or numbers, never
    containers): a result joins its operands' class when all of them that are not known numbers are in
    one class; a plain copy joins its source's."""
    parent: dict = {}

    def find(n):
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for s in ir.statements(fn.body):
        if not isinstance(s, ir.Assign):
            continue
        v = s.value
        if isinstance(v, ir.Var):
            if v.name in parent:
                parent[s.target] = find(v.name)
            continue
        if v.kwargs or v.op == "setitem" or not (v.op in ARITH_OPS or (registry.reverse_rule(v.op) is not None and
                                                                     registry.reverse_rule(v.op).broadcast)):
            continue
        if any(isinstance(a, ir.Const) and not isinstance(a.value, (int, float)) for a in v.args):
            continue
        arrays = {a.name for a in v.args if isinstance(a, ir.Var) and a.name not in scalars}
        parent[s.target] = s.target
        if len(arrays) == 1 or (arrays and all(n in parent for n in arrays)
                                and len({find(n) for n in arrays}) == 1):
            first = next(iter(arrays))
            if first in parent:
                parent[s.target] = find(first)
    return {n: find(n) for n in parent}


def _value_reads(s) -> list:
    """The names statement `s` reads for more than their shape."""
    value = s.value if isinstance(s, (ir.Assign, ir.Effect)) else None
    if isinstance(value, ir.Call) and value.op in SHAPE_ONLY:
        shape_only = SHAPE_ONLY[value.op]
        return [n for i, a in enumerate(value.args) if shape_only is not None and i not in shape_only
                for n in walk_vars(a)] + [n for _, a in value.kwargs for n in walk_vars(a)]
    return [a.name for a in ir.operands(s) if isinstance(a, ir.Var)]


def _defined_outside_loops(stmts: list):
    """The names assigned by `stmts` and their branches, outside every loop."""
    for s in stmts:
        if isinstance(s, ir.Assign):
            yield s.target
        elif isinstance(s, ir.If):
            yield from _defined_outside_loops(s.body)
            yield from _defined_outside_loops(s.orelse)


def _stack_use(s, stack: str, stacks: dict) -> bool:
    """Is `s` a use of the stack of generated code `stack` that reverse mode follows: its definition, a
    push onto it, a pop, a read of an element, its length, the iteration over it backwards, or an if whose
    phis join it with another name of it (`stacks`) or None?"""
    value = s.value if isinstance(s, (ir.Assign, ir.Effect)) else None
    if isinstance(s, ir.Assign) and s.target == stack:
        return True
    if isinstance(s, ir.If):
        return s.test != ir.Var(stack) and all(p.target in stacks for p in s.phis if ir.Var(stack) in p.operands)
    if not isinstance(value, ir.Call) or not value.args or value.args[0] != ir.Var(stack):
        return False
    if isinstance(s, ir.Effect):
        return value.op == "push" and ir.Var(stack) not in value.args[1:]
    return value.op in ("pop", "getitem", "builtins.len", "builtins.reversed") and ir.Var(stack) not in value.args[1:]


def _maybe_int(atom, fn: ir.Function) -> bool:
    """Could this gradient be a Python int (an integer constant, or a length or shape entry)?"""
    if isinstance(atom, ir.Const):
        return isinstance(atom.value, int) and not isinstance(atom.value, bool)
    return atom.name in integers(fn)


def self_root(atom) -> str:
    return atom.name if isinstance(atom, ir.Var) else "y"


def _rule_parameters(rule) -> list:
    """The operand names a rule's adjoint functions take after (g, ans)."""
    for fn in rule.adjoints:
        if fn is not None:
            return list(_parameters_after_g_ans(fn))
    return []


_PARAMETERS: dict = {}  # adjoint function -> its parameter names after (g, ans): inspect.signature is slow


def _parameters_after_g_ans(fn) -> tuple:
    found = _PARAMETERS.get(fn) if getattr(type(fn), "__hash__", None) is not None else None
    if found is None:
        import inspect
        try:
            found = tuple(p.name for p in inspect.signature(fn).parameters.values()
                          if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))[2:]
        except (TypeError, ValueError):
            found = ()
        if getattr(type(fn), "__hash__", None) is not None:
            _PARAMETERS[fn] = found
    return found


def _index_definitions(stmts: list, out: dict, counter=None) -> None:
    """Order every defined name by its position in the function (for deterministic sorting)."""
    counter = counter if counter is not None else [0]
    for n in defined_names(stmts):
        if n not in out:
            out[n] = (counter[0], n)
            counter[0] += 1
