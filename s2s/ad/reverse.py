"""Stage 4: reverse mode. SSA function -> SSA function computing value and gradient.

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
  plain `range` loop.
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field

from s2s import ir, prims
from s2s.ad.analysis import activity, forced_scalars, proven_scalar, scalars
from s2s.front.results import maybe_int
from s2s.errors import NonDifferentiableError, missing_rule
from s2s.ir.names import Namer
from s2s.rules import registry
from s2s.rules.symbolic import Emitter, lift, rt, to_atom
from s2s.ir.walk import call_definitions, calls_in, contains_break, contains_exit, defined_names, ends_with_exit, used_names
from s2s.ir.walk import vars_of as walk_vars

ZERO = ir.Const(0.0)
ADJOINT_BEGINS = "adjoint_begins"  # marks, in a vjp, where the pullback's statements start


@dataclass
class _LoopPlan:
    """What the forward copy of one loop must add: values to push, an optional trip counter."""

    saved: list = field(default_factory=list)  # primal names pushed each iteration
    stacks: dict = field(default_factory=dict)  # primal name -> stack name
    counter: str | None = None
    counter_next: str | None = None


@dataclass
class _LoopContext:
    carried: dict  # header phi target -> adjoint atom at the end of the iteration


def reverse(fn: ir.Function, wrt: list[str], *, return_value: bool = False, seed: str | None = None,
            name: str | None = None, namer: Namer | None = None, single: bool | None = None) -> ir.Function:
    """The gradient function of `fn` with respect to the parameters `wrt`.

    With `seed` (a parameter name) the adjoint of the result is that parameter
    (a vjp); otherwise the result must be a scalar and its adjoint is 1.0.
    Returns the gradient (a tuple unless `single`; by default, unless one `wrt`), or `(value, gradient)`.
    """
    namer = namer or Namer()
    builder = _Reverse(fn, wrt, namer, seeded=seed is not None)
    builder.single = len(wrt) == 1 if single is None else single
    return builder.run(return_value, seed, name or f"grad_{fn.name}")


class _Reverse:
    def __init__(self, fn: ir.Function, wrt: list[str], namer: Namer, seeded: bool):
        self.overwritten: dict[str, str] = {}  # version made by an element write -> the saved old elements
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
        self.plans: dict[int, _LoopPlan] = {}
        self.rev_blocks: dict[int, list] = {}
        self.loops: list[_LoopContext] = []
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
        self.made = call_definitions(fn.body)  # name -> the call defining it

    # ----- names
    def adjoint_name(self, primal: str) -> str:
        name = self.namer.fresh("b" + primal)
        self.adjoint_names.add(name)
        return name

    def fresh(self) -> str:
        return self.namer.fresh("t")

    def _unused_index(self) -> str:
        """`_` for an adjoint loop's unused index, unless the user's function has a name `_`."""
        if "_" in self.fn.params or "_" in defined_names(self.fn.body):
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
        adjoint = self.reverse_block(body[:-1], pending, {})
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
            elif isinstance(atom, ir.Var) and atom.name in self.maybe_short and p not in self.sound_scalars:
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
                           loop_temps=frozenset(self.adjoint_names), opaque=dict(self.fn.opaque))

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

    # ----- statements in reverse
    def reverse_block(self, stmts: list, pending: dict, seed: dict) -> list:
        out: list = []
        self.rev_blocks[id(stmts)] = out
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
            if isinstance(s, ir.Assign):
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
            if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) and s.value.op == "setitem":
                base, index = s.value.args[0], s.value.args[1:-1]
                view, old = namer.fresh("t"), namer.fresh(_base(self_root(base)) + "_old")
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
            raise missing_rule(value.op, s.loc, self.fn.filename, "it has no derivative rule and no Python source"
                               if value.op == "call" else "it has no reverse-mode rule", self._callee(value))
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
        for i, a, adjoint in operands:
            with Emitter(self.fresh, self.loc, self.negations) as em:
                contrib = to_atom(adjoint(lift(g), lift(ir.Var(s.target)), *args, **kwargs))
                if rule.broadcast and (i is None or self._needs_unbroadcast(value, i, s.target)):
                    contrib = to_atom(rt.unbroadcast(lift(contrib), lift(a)))
            if value.op == "setitem" and i == 0:
                self._zero_in_place(g, em.stmts, contrib)
            out.extend(em.stmts)
            if em.stmts and isinstance(contrib, ir.Var) and em.stmts[-1].target == contrib.name:
                self.temp_defs[contrib.name] = em.stmts[-1]
            if isinstance(g, ir.Var) and g.name in self.maybe_short and isinstance(contrib, ir.Var):
                self.maybe_short.add(contrib.name)
            self.add_pending(pending, a.name, contrib)
        if restore is not None and value.op == "setitem":
            out.append(restore)

    def _element_slot(self, value: ir.Call) -> bool:
        """Is `y[index]` in `y_1 = setitem(y, *index, v)` known to be a single element? Where y was made
        by np.zeros/ones/empty/full of a shape of known length, and index holds that many ints."""
        index = value.args[1:-1]
        if len(index) == 1 and isinstance(index[0], ir.Const) and isinstance(index[0].value, tuple):
            index = tuple(ir.Const(v) for v in index[0].value)
        if not all(isinstance(a, ir.Const) and isinstance(a.value, int) and not isinstance(a.value, bool) or
                   isinstance(a, ir.Var) and self._basic_index((a,)) for a in index):
            return False
        rank = self._rank_made(value.args[0])
        return rank is not None and rank == len(index)

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
            from s2s.optimize.simplify import _integers
            self._ints = _integers(self.fn) | _range_targets(self.fn.body)

        def basic(v):
            return v is None or v is Ellipsis or isinstance(v, (int, slice)) and not isinstance(v, bool) or \
                isinstance(v, tuple) and all(basic(x) for x in v)
        return all(basic(a.value) if isinstance(a, ir.Const) else a.name in self._ints for a in index)

    def _zero_in_place(self, g, stmts: list, contrib) -> None:
        """An array's adjoint that this sweep made itself (by an earlier write's adjoint, or a copy
        entering a reversed loop) has the overwritten elements zeroed in place (`rt.zero_at`)."""
        if not (stmts and isinstance(contrib, ir.Var) and stmts[-1].target == contrib.name):
            return
        call = stmts[-1].value
        if call.op == "s2s.runtime.setitem_adjoint" and isinstance(g, ir.Var) and g.name in self.owned:
            stmts[-1].value = ir.Call("s2s.runtime.zero_at", call.args, call.kwargs)
        self.owned.add(contrib.name)

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

    def _needs_unbroadcast(self, value: ir.Call, i: int, target: str) -> bool:
        if value.op == "setitem":  # the written value: only where it was broadcast into a larger slice
            v = value.args[i]
            if i == 0:
                return False
            # (a number written into a slice or a row was broadcast too: only an element slot is one number)
            return not isinstance(v, ir.Const) and not (v.name in self.scalars and self._element_slot(value))
        if target in self.scalars:
            return False
        others = [a for j, a in enumerate(value.args) if j != i]
        def scalar(a):
            return (isinstance(a, ir.Const) and not isinstance(a.value, (list, tuple))) or \
                (isinstance(a, ir.Var) and a.name in self.scalars)
        return not all(scalar(a) for a in others)

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
    def reverse_loop(self, s: ir.Loop, pending: dict, out: list) -> None:
        self.at(s.loc)
        body_defs = set(defined_names(s.body)) | set(defined_names(s.header))
        if s.target:
            body_defs.add(s.target)
        active_phis = [p for p in s.phis if p.target in self.active]
        if not active_phis and not (body_defs & self.active) and not (body_defs & set(self.overwritten)):
            for p in s.phis:
                pending.pop(p.target, None)
            return
        if any(n in self.active for n in defined_names(s.header)):
            raise NonDifferentiableError("a while-loop condition", self.fn.filename, s.loc.line if s.loc else 0,
                                         s.loc.text if s.loc else "",
                                         "values computed in a while condition cannot be used in the loop body")
        plan = _LoopPlan()
        self.plans[id(s)] = plan
        range_loop = s.kind == "for" and not contains_break(s.body)
        # adjoints carried between reversed iterations
        carried: dict[str, ir.Var] = {}
        rphis = []
        for p in active_phis:
            init = self.collect(p.target, pending, out)
            adj = self.adjoint_name(p.target)
            carried[p.target] = ir.Var(adj)
            if p.target in self.fn.arrays:  # an array written in the loop: its adjoint is zeroed in place
                self.owned.add(adj)
                if isinstance(init, ir.Var):
                    if init.name in self.maybe_short:  # (a 0.0 that stands for the whole array's zeros)
                        whole = self.fresh()
                        out.append(ir.Assign(whole, ir.Call("s2s.runtime.unbroadcast", (init, ir.Var(p.target))),
                                             self.loc))
                        init = ir.Var(whole)
                    copied = self.fresh()
                    out.append(ir.Assign(copied, ir.Call("numpy.copy", (init,)), self.loc))
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
        self.loops.append(_LoopContext(carried))
        body_pending: dict[str, list] = {}
        rev_body = self.reverse_block(s.body, body_pending, seed)
        self.loops.pop()
        for p in active_phis:
            back = self.collect(p.target, body_pending, rev_body, named=False)
            rphi = next(r for r in rphis if r.target == carried[p.target].name)
            short = back is None or isinstance(back, ir.Const) or back.name in self.maybe_short
            if short and p.target not in self.sound_scalars and _reads_whole(rev_body, rphi.target):
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
                # (an array written in place is an array; anything else may be a tuple, list or dict)
                copy_op = "numpy.copy" if n in self.fn.arrays else "s2s.runtime.copy_adjoint"
                out.append(ir.Assign(copied, ir.Call(copy_op, (init,)), self.loc))
                init = ir.Var(copied)
            if body_pending[n]:
                contribution = self.collect(n, body_pending, rev_body, named=False)
                nxt = self.fresh()
                rev_body.append(ir.Assign(nxt, ir.Call("add", (current, contribution))))
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
        for inner in _loops_in(s.body, into_loops=False):
            iplan = self.plans.get(id(inner))
            if iplan is not None and iplan.counter:
                own.add(iplan.counter)
                counters[iplan.counter] = inner
        reads = used_names(rev_body)
        index = {s.target} if range_loop and s.target else set()
        # (an array written in place is one object whose contents the restores keep right: never saved,
        # unless this loop's body makes it anew each iteration; then that object is saved, once)
        arrays = self.fn.arrays
        fresh = {r for r in set(arrays.values()) if r in own}
        needed = sorted({arrays[n] if arrays.get(n) in fresh else n for n in (own & reads)}
                        - index - {v for v in arrays if arrays[v] not in fresh}, key=self._order)
        recomputed = self._recomputable(s, needed, own)
        for d in recomputed:  # what recomputing reads must be there too
            reads.update(walk_vars(d.value))
            for n in walk_vars(d.value):
                if n in own and n not in needed and n not in index and n not in self.fn.arrays:
                    needed.append(n)
        saved = sorted(set(needed) - {d.target for d in recomputed}, key=self._order)
        plan.saved = saved
        # a version of an array made before the loop is that array (its restores keep its contents right)
        subst: dict[str, ir.Atom] = {v: ir.Var(r) for v, r in arrays.items()
                                     if v in own and r not in fresh and v in reads}
        restored = {}
        for n in saved:
            plan.stacks[n] = self.namer.fresh(n + "_saved")
            restored[n] = self.namer.fresh(_base(n))
            self.restores[restored[n]] = n
            subst[n] = ir.Var(restored[n])
            if n in fresh:  # every version of an array made in the body is that one object
                subst.update({v: ir.Var(restored[n]) for v, r in arrays.items() if r == n})
        # the reversed iteration space: an outermost loop whose saved values are pushed once per
        # iteration walks its stacks backwards; otherwise the values are popped
        self.at(s.loc)
        top_block = self.rev_blocks[id(s.body)]
        direct = bool(saved) and not self.loops and \
            all(self._defining_block(s, n, counters) is top_block for n in saved)
        targets, iters = [], []
        if range_loop and (s.target in reads or not direct):
            rev_index = self.namer.fresh(s.target) if s.target in reads else self._unused_index()
            if s.target in reads:
                subst[s.target] = ir.Var(rev_index)
            targets.append(rev_index)
            iters.append(self._emit(ir.Call("builtins.reversed", (s.iter,)), out))
        if direct:
            for n in saved:
                targets.append(restored[n])
                iters.append(self._emit(ir.Call("builtins.reversed", (ir.Var(plan.stacks[n]),)), out))
        else:
            pops = [(self._defining_block(s, n, counters), ir.Assign(restored[n], ir.Call("pop", (ir.Var(plan.stacks[n]),)),
                                                           self.loc)) for n in saved]
            for block, pop in reversed(pops):
                block.insert(0, pop)
            if not range_loop:
                plan.counter = self.namer.fresh("trips")
                plan.counter_next = self.namer.fresh("trips")
                targets.append(self._unused_index())
                iters.append(self._emit(ir.Call("builtins.range", (ir.Var(plan.counter),)), out))
        rev_iter = iters[0] if len(iters) == 1 else self._emit(ir.Call("builtins.zip", tuple(iters)), out)
        rev_target = targets[0] if len(targets) == 1 else tuple(targets)
        recompute = []
        for d in recomputed:
            again = self.fresh() if d.target in self.namer.temps else self.namer.fresh(_base(d.target))
            subst[d.target] = ir.Var(again)
            recompute.append(ir.Assign(again, d.value, self.loc))
        first = 0  # recomputation follows the pops at the top of the reversed body
        while first < len(rev_body) and isinstance(rev_body[first], ir.Assign) and \
                isinstance(rev_body[first].value, ir.Call) and rev_body[first].value.op == "pop":
            first += 1
        rev_body[first:first] = recompute
        _substitute(rev_body, subst)
        for r in rphis:  # back edges read restored values; inits are read before the loop
            back = r.operands[1]
            r.operands[1] = subst.get(back.name, back) if isinstance(back, ir.Var) else back
        self.at(s.loc)
        out.append(ir.Loop("for", rphis, rev_body, target=rev_target, iter=rev_iter, loc=self.loc))
        for p in active_phis:
            init = p.operands[0]
            if isinstance(init, ir.Var) and init.name in self.active:
                self.add_pending(pending, init.name, carried[p.target])

    def _emit(self, call: ir.Call, out: list) -> ir.Var:
        name = self.fresh()
        out.append(ir.Assign(name, call, self.loc))
        return ir.Var(name)

    def _recomputable(self, loop: ir.Loop, needed: list, own: set) -> list:
        """Definitions at the top of `loop`'s body that are cheaper to recompute than to save:
        elementwise operations on values that are saved, recomputed or defined before the loop."""
        top = {s.target: s for s in loop.body if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call)}
        chosen: dict[str, ir.Assign] = {}
        available = {p.target for p in loop.phis} | ({loop.target} if loop.target else set())
        written = set(self.fn.arrays) | set(self.fn.arrays.values())

        def ok(name: str, depth: int = 0) -> bool:
            if name in chosen or name in available or name not in own:
                return True
            d = top.get(name)
            if d is None or depth > 8 or not _cheap(d.value.op):
                return False
            if name in written:  # the array itself: saved views of it must see its restores (one object)
                return False
            if any(n in written for n in walk_vars(d.value)):
                return False  # an array written in place holds other elements when the sweep gets here
            if all(ok(n, depth + 1) for n in walk_vars(d.value)):
                chosen[name] = d
                return True
            return False

        for n in needed:
            ok(n)
        order = [s.target for s in loop.body if isinstance(s, ir.Assign)]
        return [chosen[n] for n in order if n in chosen]

    def _scatter(self, contribution, block: list):
        """(g, x, *index) if `contribution` is `rt.getitem_adjoint(g, x, *index)` computed at the top of
        `block` for this use only; its statement is then removed."""
        if not isinstance(contribution, ir.Var):
            return None
        for i, s in enumerate(block):
            if isinstance(s, ir.Assign) and s.target == contribution.name:
                if isinstance(s.value, ir.Call) and s.value.op == "s2s.runtime.getitem_adjoint" \
                        and not s.value.kwargs:
                    del block[i]
                    self.temp_defs.pop(s.target, None)
                    return s.value.args
                return None
        return None

    def _defining_block(self, loop: ir.Loop, name: str, counters: dict) -> list:
        """The reversed block whose start should restore `name` (defined in `loop`'s body, or the
        trip counter of a loop in it)."""
        if name in counters:
            where = _block_holding(loop.body, counters[name])
        else:
            where = _block_defining(loop.body, name)
        if where is None:
            return self.rev_blocks[id(loop.body)]
        return self.rev_blocks.get(id(where), self.rev_blocks[id(loop.body)])

    # ----- the forward sweep, with what the loops save
    def forward_copy(self, stmts: list, in_loop: bool = False) -> list:
        """The forward sweep: `stmts` with each loop saving what its reversal reads
        (stacks are created before the outermost loop holding them)."""
        out = []
        for s in stmts:
            if isinstance(s, ir.Loop):
                out.extend([] if in_loop else self._stack_inits(s))
                out.append(self._forward_loop(s))
            elif isinstance(s, ir.If):
                new = copy.copy(s)
                new.body = self.forward_copy(s.body, in_loop)
                new.orelse = self.forward_copy(s.orelse, in_loop)
                new.phis = [ir.Phi(p.target, list(p.operands)) for p in s.phis]
                out.append(new)
            else:
                out.append(copy.copy(s))
        return out

    def _stack_inits(self, loop: ir.Loop) -> list:
        inits = []
        for inner in [loop] + list(_loops_in(loop.body)):
            plan = self.plans.get(id(inner))
            if plan:
                for n in plan.saved:
                    inits.append(ir.Assign(plan.stacks[n], ir.Call("list", ()), loop.loc))
        return inits

    def _forward_loop(self, s: ir.Loop) -> ir.Loop:
        plan = self.plans.get(id(s))
        new = copy.copy(s)
        new.phis = [ir.Phi(p.target, list(p.operands)) for p in s.phis]
        new.body = self.forward_copy(s.body, in_loop=True)
        new.header = list(s.header)
        if plan is None:
            return new
        pushes = {n: ir.Effect(ir.Call("push", (ir.Var(plan.stacks[n]), ir.Var(n))), s.loc) for n in plan.saved}
        at_start = [p.target for p in s.phis] + ([s.target] if s.target else [])
        if plan.counter:
            new.phis.append(ir.Phi(plan.counter, [ir.Const(0), ir.Var(plan.counter_next)]))
            new.body.insert(0, ir.Assign(plan.counter_next, ir.Call("add", (ir.Var(plan.counter), ir.Const(1))), s.loc))
            _add_jump_value(new.body, plan.counter, ir.Var(plan.counter_next))
        start = [pushes.pop(n) for n in at_start if n in pushes]
        _insert_pushes(new.body, pushes)
        new.body[0:0] = start
        return new


def _maybe_int(atom, fn: ir.Function) -> bool:
    """Could this gradient be a Python int (an integer constant, or a length or shape entry)?"""
    if isinstance(atom, ir.Const):
        return isinstance(atom.value, int) and not isinstance(atom.value, bool)
    from s2s.optimize.simplify import _integers
    return atom.name in _integers(fn)


def self_root(atom) -> str:
    return atom.name if isinstance(atom, ir.Var) else "y"


def _rule_parameters(rule) -> list:
    """The operand names a rule's adjoint functions take after (g, ans)."""
    import inspect
    for fn in rule.adjoints:
        if fn is not None:
            try:
                return [p.name for p in inspect.signature(fn).parameters.values()
                        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][2:]
            except (TypeError, ValueError):
                return []
    return []


def _base(name: str) -> str:
    """The user's name behind an SSA version: y_1 -> y (new versions are then y_2, y_3, ...)."""
    import re
    m = re.fullmatch(r"(.+?)_\d+", name)
    return m.group(1) if m else name


def _cheap(op: str) -> bool:
    """Worth recomputing in the reverse sweep rather than saving: a few floating-point operations."""
    if op in ("add", "sub", "mul", "truediv", "neg", "pow", "mod", "floordiv", "getitem", "not", "and", "or") \
            or op in prims.COMPAREOPS or op.startswith("math."):
        return True
    rule = registry.reverse_rule(op)
    return rule is not None and rule.broadcast


def _add_jump_value(stmts: list, target: str, value) -> None:
    for s in stmts:
        if isinstance(s, (ir.Break, ir.Continue)):
            s.values = dict(s.values)
            s.values[target] = value
        elif isinstance(s, ir.If):
            _add_jump_value(s.body, target, value)
            _add_jump_value(s.orelse, target, value)


def _insert_pushes(stmts: list, pushes: dict) -> None:
    """Insert each push right after the statement defining its value (copies of If blocks are edited)."""
    i = 0
    while i < len(stmts):
        s = stmts[i]
        defined = []
        if isinstance(s, ir.Assign):
            defined = [s.target]
        elif isinstance(s, ir.If):
            s.body = list(s.body)
            s.orelse = list(s.orelse)
            _insert_pushes(s.body, pushes)
            _insert_pushes(s.orelse, pushes)
            defined = [p.target for p in s.phis]
        elif isinstance(s, ir.Loop):
            defined = [p.target for p in s.phis]
        for n in defined:
            if n in pushes:
                i += 1
                push = pushes.pop(n)
                push.loc = s.loc or push.loc
                stmts.insert(i, push)
        i += 1


def _reads_whole(stmts: list, name: str) -> bool:
    """Does a call other than an elementwise one (which a 0.0 suits) read `name` in `stmts`?"""
    for c in calls_in(stmts):
        if any(isinstance(a, ir.Var) and a.name == name for a in c.args) and c.op not in (
                "add", "sub", "mul", "truediv", "neg") and not (registry.reverse_rule(c.op) is not None
                                                                and registry.reverse_rule(c.op).broadcast):
            return True
    return False


def _range_targets(stmts: list) -> set:
    """The targets of `for i in range(...)` loops (ints)."""
    out = set()
    for s in stmts:
        if isinstance(s, ir.Loop):
            if s.kind == "for" and isinstance(s.target, str):
                out.add(s.target)
            out |= _range_targets(s.body)
        elif isinstance(s, ir.If):
            out |= _range_targets(s.body) | _range_targets(s.orelse)
    return out


def _loops_in(stmts: list, into_loops: bool = True):
    for s in stmts:
        if isinstance(s, ir.Loop):
            yield s
            if into_loops:
                yield from _loops_in(s.body)
        elif isinstance(s, ir.If):
            yield from _loops_in(s.body, into_loops)
            yield from _loops_in(s.orelse, into_loops)


def _block_holding(stmts: list, loop: ir.Loop):
    """The branch (at this loop level) holding `loop`, or None when it is at the top."""
    for s in stmts:
        if isinstance(s, ir.If):
            for block in (s.body, s.orelse):
                if any(t is loop for t in _loops_in(block, into_loops=False)):
                    inner = _block_holding(block, loop)
                    return inner if inner is not None else block
    return None


def _block_defining(stmts: list, name: str):
    """The statement list (at this loop level) whose statements define `name`, or None for the top."""
    for s in stmts:
        if isinstance(s, ir.If):
            for block in (s.body, s.orelse):
                if name in defined_names(block, into_loops=False):
                    inner = _block_defining(block, name)
                    return inner if inner is not None else block
    return None


def _index_definitions(stmts: list, out: dict, counter=None) -> None:
    """Order every defined name by its position in the function (for deterministic sorting)."""
    counter = counter if counter is not None else [0]
    for n in defined_names(stmts):
        if n not in out:
            out[n] = (counter[0], n)
            counter[0] += 1


def _substitute(stmts: list, mapping: dict) -> None:
    from s2s.ir.walk import substitute_block
    if mapping:
        substitute_block(stmts, mapping)
