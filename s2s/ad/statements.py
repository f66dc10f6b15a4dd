"""Reverse mode: the adjoint of one assignment.

`reverse_assign` applies a primitive's reverse rule (or a user's `s2s.adjoint` rule)
to the adjoint of the value an assignment defines, and hands each active operand
its part, summed back to the operand's shape where NumPy broadcast it. An active
operand with no rule is an error at the user's line, never a silent zero.

`StatementAdjoints` holds these methods of `_Reverse` (reverse.py); it reads the
rest of `_Reverse`'s state through `self`.
"""
from __future__ import annotations

from s2s import ir, prims
from s2s.ad.analysis import ARITH_OPS
from s2s.ad.operands import integer_operand, operand_refusal, parameters_after_g_ans, refuse_differentiated_index
from s2s.errors import missing_rule
from s2s.front.scatter_adds import ADDED_AT
from s2s.rules import custom, registry, rule_checks
from s2s.rules.primitive import applied
from s2s.rules.symbolic import Emitter, emit, lift, np, rt, to_atom


class StatementAdjoints:
    """The adjoints of assignments (mixed into reverse._Reverse)."""

    def reverse_assign(self, s: ir.Assign, pending: dict, out: list) -> None:
        if s.target in self.overwritten:  # put back what this write overwrote
            self.at(s.loc)
            base, index = ir.Var(self.arrays.get(s.target, s.target)), s.value.args[1:-1]
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
                s.target not in self.sound_scalars and value.op != prims.APPENDED:
            # a bare 0.0 (the adjoint on a path not taken) stands for zeros of the array: rules that index
            # or multiply it by matrices need them whole (not an append's, which read a number as every part's)
            whole = self.fresh()
            out.append(ir.Assign(whole, ir.Call("s2s.runtime.unbroadcast", (g, ir.Var(s.target))), self.loc))
            if g.name in self.owned:  # (the same array when it was one: still the sweep's own)
                self.owned.add(whole)
            g = ir.Var(whole)
        if rule.user is not None:
            self.apply_user_rule(rule, s, g, pending, out)
            return
        # (an index with a derivative: the rules of a write have entries for the array and the value only)
        refuse_differentiated_index(self.fn, s, lambda a: isinstance(a, ir.Var) and a.name in self.active)
        restore, self._restore = self._restore, None
        added = self._scatter_add(value) if value.op == "setitem" else None
        if added is not None:
            self._reverse_scatter_add(value, added.args[-1], g, pending, out)
            if restore is not None:
                out.append(restore)
            return
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
            with Emitter(self.fresh, self.loc, self.negations, self.nonfloat) as em:
                contrib = to_atom(applied(value.op, adjoint, lift(g), lift(ir.Var(s.target)), *args, **kwargs))
                if rule.broadcast and (i is None or self._needs_unbroadcast(value, i, s.target, g)):
                    contrib = to_atom(rt.unbroadcast(lift(contrib), lift(a)))
                if view and i == len(value.args) - 1:  # (an element of a list's adjoint: a part, or an array)
                    contrib = to_atom(rt.copy_adjoint(lift(contrib)))  # (a number as it is, once per element)
                kept = self._restored_alias(contrib, em.stmts)
                if kept is not None:  # (read where the operand's adjoints are summed, after restores)
                    contrib = to_atom(emit(kept, lift(contrib)))
            if value.op == "setitem" and i == 0:
                contrib = self._zero_in_place(g, em.stmts, contrib, value)
            out.extend(em.stmts)
            if em.stmts and isinstance(contrib, ir.Var) and isinstance(em.stmts[-1], ir.Assign) and \
                    em.stmts[-1].target == contrib.name:
                self.temp_defs.add(contrib.name)
            if isinstance(g, ir.Var) and g.name in self.maybe_short and isinstance(contrib, ir.Var):
                self.maybe_short.add(contrib.name)
            self.add_pending(pending, a.name, contrib)
        if restore is not None and value.op == "setitem":
            out.append(restore)

    def _scatter_add(self, value: ir.Call) -> ir.Call | None:
        """The call `rt.added_at(y, *index, v)` whose values the element write `y_1 = setitem(y, *index, t)`
        writes back at the same index (np.add.at, front/scatter_adds.py), else None."""
        t = value.args[-1]
        made = self.made.get(t.name) if isinstance(t, ir.Var) else None
        if made is None or made.op != ADDED_AT or made.kwargs or made.args[:-1] != value.args[:-1]:
            return None
        return made

    def _reverse_scatter_add(self, value: ir.Call, v, g, pending: dict, out: list) -> None:
        """`np.add.at(y, index, v)` adds v at index and leaves y's other elements: y's adjoint passes through
        unchanged, and v's is `g[index]` (each of v's elements that an index repeats takes the one element's
        adjoint), summed back to v's shape. The written value `t` then takes no adjoint here, so its
        `rt.added_at` has none to pass on (any other reader of t still gives it one, through the rule)."""
        base, index = value.args[0], value.args[1:-1]  # (v: the value rt.added_at adds)
        if isinstance(v, ir.Var) and v.name in self.active:
            written = ir.Call("setitem", value.args[:-1] + (v,))
            with Emitter(self.fresh, self.loc, self.negations, self.nonfloat) as em:
                contrib = emit("getitem", lift(g), *map(lift, index))
                if self._needs_unbroadcast(written, len(value.args) - 1, None):
                    contrib = rt.unbroadcast(contrib, lift(v))
                if isinstance(g, ir.Var) and g.name in self.owned and not self._element_slot(value, numeric=True):
                    contrib = np.copy(contrib)  # (a slice of g is a view, and g may be changed in place later)
                contrib = to_atom(contrib)
            out.extend(em.stmts)
            if em.stmts and isinstance(contrib, ir.Var) and em.stmts[-1].target == contrib.name:
                self.temp_defs.add(contrib.name)
            self.add_pending(pending, v.name, contrib)
        if isinstance(base, ir.Var) and base.name in self.active:
            self.add_pending(pending, base.name, g)

    def _differentiated_operands(self, rule, s: ir.Assign):
        """(position or None, active operand, its adjoint function) for every active operand.

        An operand passed by keyword takes the adjoint of the rule's parameter of
        that name; an active operand the rule has no entry for is an error, never
        a silent zero."""
        value = s.value
        out = []
        for i, a in enumerate(value.args):
            if isinstance(a, ir.Var) and a.name in self.active:
                if i >= len(rule.adjoints):  # (np.r_[p, 1.0], obj[t]: named as such)
                    if integer_operand(value.op, rule.adjoints, i):  # (an axis, a shape: no derivative)
                        continue
                    raise operand_refusal(self.fn, s, i, f"its argument {i + 1} has no derivative rule")
                if rule.adjoints[i] is not None:
                    out.append((i, a, rule.adjoints[i]))
        names = _rule_parameters(rule)
        for k, a in value.kwargs:
            if isinstance(a, ir.Var) and a.name in self.active:
                if k not in names or names.index(k) >= len(rule.adjoints):
                    if integer_operand(value.op, rule.adjoints, k):
                        continue
                    raise operand_refusal(self.fn, s, k, f"its keyword argument '{k}' has no derivative rule")
                adjoint = rule.adjoints[names.index(k)]
                if adjoint is not None:
                    out.append((None, a, adjoint))
        return out

    def _callee(self, value: ir.Call) -> str | None:
        """How the user spelled the callable of an opaque call."""
        if value.op == "call" and isinstance(value.args[0], ir.Var):
            return self.fn.opaque.get(value.args[0].name, value.args[0].name)
        if value.op == "callmethod":
            return f"the method .{value.args[1].value}()"
        return None

    def apply_user_rule(self, rule, s, g, pending, out) -> None:
        """A rule from `s2s.adjoint` is called: `adjoints = custom.f_adjoint(g, ans, *args)`,
        then each active argument takes its part (None means zero; broadcasting is undone). A keyword
        argument with a derivative (one the front end could not place: front/calls.rule_arguments) and a
        rule returning more adjoints than there are arguments are errors, never silent."""
        value = s.value
        for k, a in value.kwargs:
            if isinstance(a, ir.Var) and a.name in self.active:
                raise rule_checks.keyword_refusal(value.op, k, "adjoint", s.loc, self.fn.filename)
        wrong = custom.too_many_adjoints(value.op, rule.user, len(value.args), s.loc, self.fn.filename)
        if wrong is not None:
            raise wrong
        tmp = self.namer.fresh("adjoints")
        call_args = (g, ir.Var(s.target)) + tuple(value.args)
        kwargs = value.kwargs
        read = tuple(i for i, a in enumerate(value.args) if isinstance(a, ir.Var) and a.name in self.active)
        if value.op in registry.RECURSIVE_KEYS and len(read) < len(value.args):
            # (a checkpointed or recursive function's pullback, made by s2s: the adjoints of the arguments read here
            # alone, not those of its data or constants)
            kwargs = kwargs + (("wanted", ir.Const(read)),)
        out.append(ir.Assign(tmp, ir.Call(f"s2s.rules.custom.{rule.user}", call_args, kwargs), self.loc))
        for i, a in enumerate(value.args):
            if isinstance(a, ir.Var) and a.name in self.active:
                part = self.fresh()
                out.append(ir.Assign(part, ir.Call("s2s.runtime.adjoint_part", (ir.Var(tmp), ir.Const(i), a)),
                                     self.loc))
                self.temp_defs.add(part)
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
        if not isinstance(v, ir.Call):  # (a constant: `g = 0.0` folded from a name)
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


def _rule_parameters(rule) -> list:
    """The operand names a rule's adjoint functions take after (g, ans)."""
    for fn in rule.adjoints:
        if fn is not None:
            return list(parameters_after_g_ans(fn))
    return []
