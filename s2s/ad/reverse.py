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

This module is the driver: `reverse`, and the walk over statements, ifs and
adjoint sums. The rest of the pass is in its own modules, each a part of
`_Reverse`: the adjoints of assignments (statements.py), element writes and
their restores (writes.py), the stacks of generated code differentiated again
(stacks.py), and loops: the reversed loop (loops.py), what it saves (loop_saves.py) and
the forward sweep with its pushes (forward_copy.py).

The output is built, not patched: a statement is not edited once emitted (the one
exception, `loops._scatter`, is in docs/architecture.md). The name `collect` gives a
rule's result after the fact (bx for t7) is recorded and applied by `ir.walk.rename`
when `run` builds the function it returns.
"""
from __future__ import annotations

import copy
import dataclasses

from s2s import ir
from s2s.ad.analysis import activity, integers, keyed_params, nonfloat
from s2s.ad.keys_only import differentiated_keys
from s2s.ad.scalars import forced_scalars, proven_scalar, scalars
from s2s.ad.blocks import ZERO
from s2s.ad.forward_copy import ForwardCopy
from s2s.ad.grown_inner import GrownInner
from s2s.ad.grown_lists import GrownLists, functional_cuts
from s2s.ad.frozen_methods import refuse_frozen_methods
from s2s.ad.located_draws import located_draws
from s2s.ad.loop_saves import LoopSaves
from s2s.ad.loops import LoopContext, LoopPlan, LoopReversal
from s2s.ad.shrunk_lists import ShrunkLists, adds_before_cuts, in_place_shrinks
from s2s.ad.operands import arrays_of_displays, plain_augmented
from s2s.ad.stacks import StackAdjoints
from s2s.ad.statements import StatementAdjoints
from s2s.ad.writes import ElementWrites
from s2s.front.results import maybe_int
from s2s.ir.names import Namer
from s2s.ir.walk import (array_versions, call_definitions, calls_in, contains_exit, defined_names, ends_with_exit,
                         mark_arrays, mark_names, rename, temporaries)
from s2s.prims import ADJOINT_BEGINS, ONES


def reverse(fn: ir.Function, wrt: list[str], *, return_value: bool = False, seed: str | None = None,
            name: str | None = None, namer: Namer | None = None, single: bool | None = None) -> ir.Function:
    """The gradient function of `fn` with respect to the parameters `wrt`.

    With `seed` (a parameter name) the adjoint of the result is that parameter
    (a vjp); otherwise the result must be a scalar and its adjoint is 1.0.
    Returns the gradient (a tuple unless `single`; by default, unless one `wrt`), or `(value, gradient)`.
    """
    namer = namer or Namer()
    fn = arrays_of_displays(fn, namer)  # (np.maximum([a, b * b], 0.1): the rules see an array, as NumPy does)
    fn = plain_augmented(fn, wrt)  # (y[1:] += v: NumPy's casting check where y may hold integers)
    fn = differentiated_keys(fn, wrt)  # (rt.dict_keys_only(p) of a p with a derivative: no sequence of ints either)
    refuse_frozen_methods(fn, wrt)  # (stats.norm(mu, s).entropy(): refused at its own line)
    fn = located_draws(fn, wrt, namer)  # (rng.normal(mu, sigma): mu + sigma * rng.standard_normal(shape))
    # a gradient's list adjoints cut back in place: grown back in place where the reversed loop allows (shrunk_lists.py),
    # the others cut as new lists; where a loop does not allow, all of them so
    fn = adds_before_cuts(fn, namer)
    shrinks, kept = in_place_shrinks(fn)
    whole, begin = fn, copy.deepcopy(namer)
    fn = functional_cuts(fn, namer, kept)
    start = copy.deepcopy(namer)
    builder = _Reverse(fn, wrt, namer, seeded=seed is not None)
    builder.single, builder.shrinks = len(wrt) == 1 if single is None else single, shrinks
    out = builder.run(return_value, seed, name or f"grad_{fn.name}")
    if builder.shrinks_grown != shrinks:
        namer.taken, namer.counters, namer.temps = begin.taken, begin.counters, begin.temps
        fn, shrinks = functional_cuts(whole, namer), set()
        start = copy.deepcopy(namer)
        builder = _Reverse(fn, wrt, namer, seeded=seed is not None)
        builder.single = len(wrt) == 1 if single is None else single
        out = builder.run(return_value, seed, name or f"grad_{fn.name}")
    unread = builder.unread_buffers()
    if not unread:
        return out
    # the restores of these fresh buffers are read by nothing: build again without saving what they overwrote
    builder = _Reverse(fn, wrt, start, seeded=seed is not None, unsaved=unread)
    builder.single, builder.shrinks = len(wrt) == 1 if single is None else single, shrinks
    out = builder.run(return_value, seed, name or f"grad_{fn.name}")
    namer.taken, namer.counters, namer.temps = start.taken, start.counters, start.temps
    return out


class _Reverse(LoopReversal, LoopSaves, ForwardCopy, StatementAdjoints, ElementWrites, StackAdjoints, GrownLists,
               GrownInner, ShrunkLists):
    """One reverse transformation: its state, and the driver's methods. Its other parts (the bases) are the
    adjoints of loops, what they save and the forward sweep's pushes, of assignments, of element writes and of
    stacks, each in its own module."""

    def __init__(self, fn: ir.Function, wrt: list[str], namer: Namer, seeded: bool, unsaved=frozenset()):
        self.overwritten: dict[str, str] = {}  # version made by an element write -> the saved old elements
        self.unsaved = unsaved  # fresh buffers whose overwritten elements nothing reads: not saved
        self.primal = fn
        self.arrays = array_versions(fn.body)  # versions of arrays written in place -> the array's first name
        self.adjoint_stmts: list = []
        if self.arrays:
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
        self.temp_defs: set[str] = set()  # rule results not yet named after their value
        self.renamed: dict[str, str] = {}  # such a result named after its value in `collect` (t7 -> bx)
        self.restores: dict[str, str] = {}  # a value a reversed loop restores -> its forward name (the loop's pops)
        self.copied_pushes: set[str] = set()  # forward names whose pushes are copies (views of arrays written later)
        self.owned: set[str] = set()  # adjoint arrays this sweep made and nothing else refers to
        self.adjoint_names: set[str] = set()
        self.negations: dict[str, ir.Atom] = {}  # every `-x` the rules emitted: signs move outwards
        self.nonfloat = nonfloat(fn, wrt)  # names that may be bools or integers: `g * m` with g = 1.0 is `1.0 * m`
        self.defs = {}
        _index_definitions(fn.body, self.defs)
        self._ints = self._slices = None  # names known to hold ints, and slices (see _basic_index)
        self._strict_ints = None  # names that always hold a Python int (see _int_index)
        self._helper_changed = None  # names a runtime helper may change in place (see _changed_by_helpers)
        self._grown_lists = None  # lists the function grows by appends (see _grown)
        self._outside = None  # the parameters and the names defined outside every loop (see _before_loops)
        self._joined_only = None  # the list displays only np.concatenate reads (see _joined_lists)
        self.shrinks: set = set()  # list adjoints a loop cuts back in place, to grow back in place (shrunk_lists.py)
        self.shrinks_grown: set = set()  # those grown back in place
        self.joined: set[str] = set()  # adjoints joined by the phis of a reversed loop or if, once emitted
        self._shape_class = None  # name -> a representative of the names provably of its shape
        self.accumulators = False  # whether a reversed loop adds element adjoints into an rt.accumulator
        self.made = call_definitions(fn.body)  # name -> the call defining it
        self.stacks: dict = {}  # the stacks of generated code that carry derivatives (_active_stacks)
        self.stack_adjoints: dict[str, str] = {}  # such a stack's first name -> its adjoint, once made

    def adjoint_name(self, primal: str) -> str:
        name = self.namer.fresh("b" + primal)
        self.adjoint_names.add(name)
        return name

    def fresh(self) -> str:
        return self.namer.fresh("t")

    def defines(self, t, name: str) -> bool:
        """Is the adjoint statement `t` the assignment of `name`? (by the name `collect` gave it, if any)"""
        return isinstance(t, ir.Assign) and self.renamed.get(t.target, t.target) == name

    def _unused_index(self, body: list) -> str:
        """`_` for an adjoint loop's unused index, unless the user's function has a name `_` or a loop in
        `body` (the loop's own) counts with `_` already (generated code read again would see one name)."""
        inner = {n for t in ir.statements(body) if isinstance(t, ir.Loop)
                 for n in ([t.target] if isinstance(t.target, str) else list(t.target or ()))}
        if "_" in self.fn.params or "_" in defined_names(self.fn.body) or "_" in inner:
            return self.namer.fresh("unused")
        return "_"

    def _record_params(self) -> set:
        """The wrt parameters of which (or of a part of which: `p['layer'].W`) the function reads an attribute: a
        dataclass's or a namedtuple's, whose adjoint (the runtime's parts of its fields) is given back as one of
        its class (rt.record_like, which leaves any other as it is)."""
        candidates = {p for p in self.wrt if p not in self.sound_scalars}
        out, defined = set(), None
        for call in calls_in(self.fn.body):
            if call.op != "getattr" or not call.args or not isinstance(call.args[0], ir.Var):
                continue
            name, seen = call.args[0].name, set()
            while name not in self.fn.params:  # (back through the reads of parts: p['layer'], p.layers[0])
                made = self.made.get(name)
                if made is None or not made.args or not isinstance(made.args[0], ir.Var) or name in seen:
                    defined = set(defined_names(self.fn.body)) if defined is None else defined
                    if name in defined:  # (a loop's or a branch's value: any parameter may hold it)
                        return candidates
                    break  # (an object the function reads from outside: data, no parameter's part)
                seen.add(name)
                name = made.args[0].name
            out.add(name)
        return candidates & out

    def _scalar_parts(self, result) -> tuple:
        """The operands of the result's own operation that make it a number, where the others surely are and
        each is bound where the function returns (`energy` of `energy + 0.01 * np.sum(forces ** 2)`): the grad's
        check reads them, rather than computing the result again only to look at it. () where there are none."""
        top = {s.target: s.value for s in self.fn.body if isinstance(s, ir.Assign)}
        d = top.get(result.name) if isinstance(result, ir.Var) else None
        if not isinstance(d, ir.Call) or d.kwargs:
            return ()
        bound = set(self.fn.params) | set(top) | {p.target for s in self.fn.body if isinstance(s, (ir.If, ir.Loop))
                                                  for p in s.phis}
        known = scalars(self.fn, result_is_scalar=False)
        parts = tuple(dict.fromkeys(a for a in d.args if isinstance(a, ir.Var) and a.name not in known))
        if not parts or any(a.name not in bound for a in parts) or \
                not proven_scalar(self.fn, [a.name for a in parts]):
            return ()
        return parts

    def run(self, return_value: bool, seed: str | None, name: str) -> ir.Function:
        body = self.fn.body
        ret = body[-1]
        assert isinstance(ret, ir.Return)
        pending: dict[str, list] = {}
        seed_array = []
        if isinstance(ret.value, ir.Var) and ret.value.name in self.active:
            if seed is not None:
                pending[ret.value.name] = [ir.Var(seed)]
            elif ret.value.name in self.arrays or ret.value.name in self.arrays.values():
                # a 0-d array written by element: its adjoint is written by element too
                seed_name = self.adjoint_name(ret.value.name)
                seed_array = [ir.Assign(seed_name, ir.Call(ONES, (ir.Const(()),)), ret.loc)]
                pending[ret.value.name] = [ir.Var(seed_name)]
            else:
                pending[ret.value.name] = [ir.Const(1.0)]
        check = []
        if seed is None and not proven_scalar(self.fn):
            # check the arguments that make the result a scalar, else the result itself
            params = [p for p in self.fn.params if p in self.sound_scalars]
            by_params = bool(params) and proven_scalar(self.fn, params)
            parts = () if by_params else self._scalar_parts(ret.value)
            checked = tuple(ir.Var(p) for p in params) if by_params else parts or (ret.value,)
            # (the operands of the result's operation are read where that operation is: an error reading them, an
            # index out of range in y[i] of z = y[i] + 1.0, is raised at its line, as Python raises it)
            loc = next((s.loc for s in body if parts and isinstance(s, ir.Assign) and s.target == ret.value.name),
                       ret.loc)
            check = [ir.Effect(ir.Call("s2s.runtime.require_scalar", checked), loc)]
        self.stacks = self._active_stacks()
        adjoint = self.reverse_block(body[:-1], pending, {})
        self.adjoint_stmts = adjoint
        forward = self._require_float_arrays(self.forward_copy(body[:-1]))
        collected = []
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
            collected.append((p, atom))
        # the adjoint's temporaries named after their values (`collect`: t7 -> bx), once all are collected; the
        # forward sweep has none of them
        adjoint = rename(adjoint, self.renamed)
        grads = []
        ints = integers(self.fn) if any(isinstance(atom, ir.Var) for _, atom in collected) else set()
        records = self._record_params()
        for p, atom in collected:
            if isinstance(atom, ir.Var) and atom.name in self.renamed:
                atom = ir.Var(self.renamed[atom.name])
            certain = _maybe_int(atom, ints)
            if certain or maybe_int(atom, self.fn, adjoint):
                # a number's gradient is a float (y, the gradient of x * y, is an int in f(2, 3))
                tmp = self.namer.fresh("b" + p)
                to_float = "builtins.float" if p in self.sound_scalars or certain else "s2s.runtime.as_float"
                adjoint.append(ir.Assign(tmp, ir.Call(to_float, (atom,))))
                atom = ir.Var(tmp)
            elif p in records and isinstance(atom, ir.Var):  # (the adjoint of a dataclass is given back as one)
                tmp = self.namer.fresh("b" + p)
                adjoint.append(ir.Assign(tmp, ir.Call("s2s.runtime.record_like", (ir.Var(p), atom))))
                atom = ir.Var(tmp)
            elif isinstance(atom, ir.Var) and p in keyed_params(self.fn) and seed is None:
                tmp = self.namer.fresh("b" + p)  # (a dict read by its keys: given back plain, as the call gives it)
                adjoint.append(ir.Assign(tmp, ir.Call("s2s.runtime.given_back", (atom, ir.Var(p)))))
                atom = ir.Var(tmp)
            grads.append(atom)
        grad = grads[0] if self.single else self._pack(grads, adjoint)
        result = grad
        if return_value:
            result = self._pack([self.returned_value(ret.value, forward, ret.loc), grad], adjoint)
        checks_arguments = bool(check) and all(isinstance(a, ir.Var) and a.name in self.fn.params
                                               for a in check[0].value.args)
        # a vjp's pullback closes over the forward sweep: mark where the adjoint begins (with the value)
        marker = [ir.Effect(ir.Call(ADJOINT_BEGINS, (ret.value,)))] if seed is not None else []
        body_out = (check + forward if checks_arguments else forward + check) + marker + seed_array + adjoint + [
            ir.Return(result)]
        params = list(self.fn.params) + ([seed] if seed is not None else [])
        mark_names(body_out, temporaries(self.fn.body) | self.namer.temps, self.adjoint_names)
        mark_arrays(body_out, self.arrays)
        # (with a seed, `defaults` still belong to f's own parameters: the seed comes last, without one)
        return ir.Function(name=name, params=params, body=body_out, defaults=self.fn.defaults,
                           filename=self.fn.filename, free=dict(self.fn.free),
                           opaque=dict(self.fn.opaque), signature=self.fn.signature,
                           floats=tuple(dict.fromkeys(self.fn.floats + tuple(self.wrt))))

    def _pack(self, atoms: list, out: list) -> ir.Atom:
        tmp = self.fresh()
        out.append(ir.Assign(tmp, ir.Call("tuple", tuple(atoms))))
        return ir.Var(tmp)

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
                # name the freshly computed contribution after the value: bx rather than t7 (the statement
                # computing t7 is renamed in the function `run` returns)
                self.temp_defs.discard(only.name)
                target = self.renamed[only.name] = self.adjoint_name(name)
                if only.name in self.maybe_short:
                    self.maybe_short.add(target)
                if only.name in self.owned:
                    self.owned.add(target)
                if only.name in self.negations:
                    self.negations[target] = self.negations.pop(only.name)
                return ir.Var(target)
            return only
        owned = [c for c in contributions if isinstance(c, ir.Var) and c.name in self.owned]
        if owned:  # element adjoints are added into an array this sweep owns, in place
            first = next(i for i, c in enumerate(contributions) if c is owned[0])
            # (that one contribution only: `S_1 + S_1` gives S_1 the same adjoint twice, both to be added)
            contributions = self._add_scatters_into(owned[0], contributions[:first] + contributions[first + 1:], out)
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
            elif all(isinstance(o, ir.Var) and o.name in self.owned for o in operands):
                self.owned.add(target)  # (the array of whichever branch ran: the sweep's own on both paths)
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


def _maybe_int(atom, ints: set) -> bool:
    """Could this gradient be a Python int (an integer constant, or a length or shape entry: `ints` holds the
    function's `integers`)?"""
    if isinstance(atom, ir.Const):
        return isinstance(atom.value, int) and not isinstance(atom.value, bool)
    return atom.name in ints


def _index_definitions(stmts: list, out: dict, counter=None) -> None:
    """Order every defined name by its position in the function (for deterministic sorting)."""
    counter = counter if counter is not None else [0]
    for n in defined_names(stmts):
        if n not in out:
            out[n] = (counter[0], n)
            counter[0] += 1
