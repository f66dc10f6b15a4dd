"""Stage 4 (forward mode): SSA function -> SSA function computing value and tangent.

`forward(fn, wrt, namer)` returns `jvp_<name>(<params>, d<p> for p in wrt)`
returning `(value, tangent)`. Guarantees:
- each statement is followed by the statements computing its tangent (the
  tangent of `x` is named `dx`), and only values that depend on a `wrt`
  parameter and reach the result (`analysis.activity`) get one;
- a value without a tangent is zero: nothing is emitted for it, and a
  contribution of a zero argument is skipped; a zero is materialised
  (`0.0`, or `rt.zeros_like(x)` for a value that may be an array) only where a
  phi merges it with a nonzero tangent, or for a zero tangent of the result;
- control flow keeps its structure: an `if` gets tangent phis next to its
  phis, a loop gets tangent header phis and tangent values at each `break` and
  `continue`; nothing is saved, so there is no tape;
- the input IR is not modified.
"""
from __future__ import annotations

import copy
import dataclasses
import numbers

from s2s import ir, prims
from s2s.ad.analysis import activity, nonfloat
from s2s.ad.frozen_methods import refuse_frozen_methods
from s2s.ad.keys_only import differentiated_keys
from s2s.ad.located_draws import located_draws
from s2s.ad.scalars import scalars
from s2s.ad.operands import (arrays_of_displays, has_part, integer_operand, plain_augmented, operand_refusal,
                             parameters_after_g_ans, refuse_differentiated_index, uncovered)
from s2s.errors import missing_rule
from s2s.ir.names import Namer
from s2s.rules import registry, rule_checks
from s2s.rules.primitive import applied
from s2s.rules.symbolic import Emitter, emit, lift, to_atom
from s2s.ir.walk import adjoint_names, array_versions, defined_names, map_statements, mark_arrays, mark_names, rename, \
    temporaries
from s2s.ad.tangent_sums import add_tangent, emitted_op
from s2s.ad.vector_facts import ZEROS_LIKE, batched_axis, batched_product, elementwise_reads, parameter_buffers, \
    value_ranks
from s2s.ad.forward_writes import ADD_AT, ADJOINT_WRITES, MARK as WRITE, WRITTEN, write_in_place


def forward(fn: ir.Function, wrt: list[str], namer: Namer | None = None, name: str | None = None,
            batched: bool = False, ndims: dict | None = None, tangent_only: bool = False) -> ir.Function:
    """The tangent (jvp) function of `fn` with respect to the parameters `wrt`.

    With `batched`, every tangent carries a leading batch axis (vector mode: n
    tangents pushed at once); `NotBatchable` is raised for a primitive whose
    rule has no batched form. `ndims` (parameter -> number of dimensions) lets
    vector mode skip aligning operands whose rank is known to match. With
    `tangent_only` the function returns the tangent alone (a Hessian needs
    no gradient): what only the value needed is then dead code.
    """
    namer = namer or Namer()
    fn = plain_augmented(arrays_of_displays(fn, namer), wrt)  # (y[1:] += v: NumPy's check where y may hold integers)
    fn = differentiated_keys(fn, wrt)  # (rt.dict_keys_only(p) of a p with a derivative: no sequence of ints either)
    refuse_frozen_methods(fn, wrt)  # (stats.norm(mu, s).entropy(): refused at its own line)
    fn = located_draws(fn, wrt, namer)  # (rng.normal(mu, sigma): mu + sigma * rng.standard_normal(shape))
    return _Forward(fn, wrt, namer, batched, ndims or {}).run(name or f"jvp_{fn.name}", tangent_only)


# vector mode: the tangents of a list or tuple display, a sequence of its elements' batches that NumPy reads as the
# array of them with the batch axis first (`M @ [a, b, 1.0]`: a plain list of batches has it second)
BATCHED_DISPLAYS = {"list": "s2s.runtime.batch_list", "tuple": "s2s.runtime.batch_tuple"}

NotBatchable = registry.NotBatchable  # a primitive without a vector-mode form (its record says so)


class _Forward:
    def __init__(self, fn: ir.Function, wrt: list[str], namer: Namer, batched: bool = False, ndims=None):
        self.fn = fn
        self.batched = batched
        self.ndims = value_ranks(fn, ndims) if batched else {}
        self.wrt = wrt
        self.namer = namer
        self.active = activity(fn, wrt)
        self.scalars = scalars(fn, result_is_scalar=False)
        self.tan: dict[str, ir.Atom] = {}  # primal name -> its tangent; absent means zero
        self.loops: list[list] = []  # per enclosing loop: [(header phi target, tangent phi target)]
        self.spelled: set[str] = set()  # primal names followed by a tangent statement
        # every `-x` the rules emitted (name -> x), shared by all statements as in reverse mode, so that a sign
        # moves outwards through the products of later lines: bt9 * (2 * -dt7) is spelled bt9 * (2 * dt7), negated
        self.negations: dict[str, ir.Atom] = {}
        self.nonfloat = nonfloat(fn, wrt)  # names that may be bools or integers (analysis.floats)
        # vector mode: a gradient's buffer bx = rt.zeros_like(x) and the writes into it have the shape of the
        # parameter x, which their tangents read instead (the buffer's values are then dead code in a Hessian)
        self.shaped_like = parameter_buffers(fn) if batched else {}
        self._made = None  # (primal name -> the op that made it, read by _new_sequence)

    # ----- names
    def fresh(self) -> str:
        return self.namer.fresh("t")

    def tangent_name(self, primal: str) -> str:
        return self.namer.fresh("d" + primal)

    # ----- driver
    def run(self, name: str, tangent_only: bool = False) -> ir.Function:
        self._name_result()
        params = list(self.fn.params)
        tparams = []
        for p in self.wrt:
            dp = self.tangent_name(p)
            tparams.append(dp)
            self.tan[p] = ir.Var(dp)
        ret = self.fn.body[-1]
        assert isinstance(ret, ir.Return), "SSA functions end with their return"
        body = self.block(self.fn.body[:-1])
        tangent = self.tangent_or_zero(ret.value, body, ret.loc)
        if tangent_only:
            body.append(ir.Return(tangent, ret.loc))
        else:
            result = self.fresh()
            body.append(ir.Assign(result, ir.Call("tuple", (ret.value, tangent)), ret.loc))
            body.append(ir.Return(ir.Var(result), ret.loc))
        # a compiler temporary with a tangent statement stays a statement, so that each value is
        # followed by its tangent; rule temporaries used once are folded by codegen as usual
        primal_temps = temporaries(self.fn.body)
        mark_names(body, (primal_temps - self.spelled) | (self.namer.temps - primal_temps), adjoint_names(self.fn.body))
        mark_arrays(body, array_versions(self.fn.body))
        primal = set(self.fn.params) | set(defined_names(self.fn.body))
        write_in_place(body, primal, self.tan, self.scalars, self.namer, self.batched)
        # (the tangents follow f's parameters, keyword-only where f has defaults, which the entry keeps as f has
        # them: jvp_f(x, lr=0.1, *, dx), called jvp_f(x, dx=dx) as f(x) is)
        signature = self.fn.signature
        if signature is None and self.fn.defaults:
            signature = ir.Signature(len(self.fn.params))
        return dataclasses.replace(self.fn, name=name, params=params + tparams, body=body, signature=signature,
                                   tangents=ir.Tangents(tuple(tparams), signature is not None),
                                   source_name=self.fn.source_name or self.fn.name,
                                   floats=tuple(dict.fromkeys(self.fn.floats + tuple(self.wrt))))

    def _name_result(self) -> None:
        """Call a returned compiler temporary `y` (its tangent `dy`), as a person would."""
        ret = self.fn.body[-1]
        if not (isinstance(ret, ir.Return) and isinstance(ret.value, ir.Var) and "y" not in self.namer.taken):
            return
        old = ret.value.name
        defining = [s for s in self.fn.body if isinstance(s, ir.Assign) and s.target == old]
        if not defining or old not in temporaries(self.fn.body):
            return
        self.namer.reserve("y")
        # new IR (the function transformed is left as it is): y is the user's name now, no temporary
        body = map_statements(rename(self.fn.body, {old: "y"}), lambda s: dataclasses.replace(s, temp=False)
                              if isinstance(s, ir.Assign) and s.target == "y" else s)
        self.fn = dataclasses.replace(self.fn, body=body)
        self.active = {("y" if n == old else n) for n in self.active}
        self.scalars = {("y" if n == old else n) for n in self.scalars}
        if old in self.ndims:
            self.ndims["y"] = self.ndims.pop(old)

    # ----- zeros, only where a phi or the result needs one
    def zero(self, atom: ir.Atom, out: list, loc) -> ir.Atom:
        """In vector mode even a number's zero tangents get their batch axis: a bare 0.0 that meets an
        array of the function (`np.ones(4) * a`) would take that array's axis for the batch's."""
        if not self.batched:
            if isinstance(atom, ir.Const):
                if isinstance(atom.value, numbers.Number):
                    return ir.Const(0.0)
            elif atom.name in self.scalars:
                return ir.Const(0.0)
        base = atom.name if isinstance(atom, ir.Var) else "zero"
        target = self.tangent_name(base)
        if self.batched:
            like = self.tan[self.wrt[0]]
            out.append(ir.Assign(target, ir.Call("s2s.runtime.batch_zeros", (atom, like)), loc))
        else:
            out.append(ir.Assign(target, ir.Call(ZEROS_LIKE, (atom,)), loc))
        return ir.Var(target)

    def tangent_of(self, atom) -> ir.Atom | None:
        if isinstance(atom, ir.Var):
            return self.tan.get(atom.name)
        return None

    def tangent_or_zero(self, atom: ir.Atom, out: list, loc) -> ir.Atom:
        t = self.tangent_of(atom)
        return t if t is not None else self.zero(atom, out, loc)

    # ----- statements
    def block(self, stmts: list) -> list:
        out: list = []
        for s in stmts:
            if isinstance(s, ir.Assign):
                out.append(copy.copy(s))
                self.assign(s, out)
            elif isinstance(s, ir.Effect):
                out.append(copy.copy(s))
                if s.value.op == "push":
                    self.push(s, out)
            elif isinstance(s, ir.If):
                out.append(self.if_(s))
            elif isinstance(s, ir.Loop):
                self.loop(s, out)
            elif isinstance(s, (ir.Break, ir.Continue)):
                out.append(self.jump(s, out))
            elif isinstance(s, ir.Return):
                raise AssertionError("a return inside a block: SSA keeps the one return at the end")
            else:
                raise TypeError(f"forward mode cannot handle {type(s).__name__}")
        return out

    def assign(self, s: ir.Assign, out: list) -> None:
        if s.target not in self.active:
            return
        value = s.value
        if isinstance(value, ir.Var):
            t = self.tangent_of(value)
            if t is not None:
                self.tan[s.target] = t
            return
        if isinstance(value, ir.Const):
            return
        tangents = [self.tangent_of(a) for a in value.args]
        if value.op == "list" and not value.args:  # a stack of saved values: its tangent is a parallel stack
            target = self.tangent_name(s.target)
            out.append(ir.Assign(target, ir.Call("list", ()), s.loc))
            self.tan[s.target] = ir.Var(target)
            self.spelled.add(s.target)
            return
        if value.op == "pop":  # y = y_saved.pop()  ->  dy = dy_saved.pop()
            if tangents[0] is not None:
                target = self.tangent_name(s.target)
                out.append(ir.Assign(target, ir.Call("pop", (tangents[0],)), s.loc))
                self.tan[s.target] = ir.Var(target)
                self.spelled.add(s.target)
            return
        if value.op in ("tuple", "list"):
            if any(t is not None for t in tangents):
                parts = tuple(self.tangent_or_zero(a, out, s.loc) for a in value.args)
                target = self.tangent_name(s.target)
                # (vector mode: a sequence NumPy reads as an array with the batch axis first, runtime/batched.py)
                op = BATCHED_DISPLAYS[value.op] if self.batched else value.op
                out.append(ir.Assign(target, ir.Call(op, parts), s.loc))
                self.tan[s.target] = ir.Var(target)
                self.spelled.add(s.target)
            return
        if all(t is None for t in tangents) and all(self.tangent_of(a) is None for _, a in value.kwargs):
            return
        rule = registry.tangent_rule(value.op)
        if rule is None:
            if registry.is_nondiff(value.op):
                return
            callee = self.fn.opaque.get(value.args[0].name) if value.op == "call" else \
                f"the method .{value.args[1].value}()" if value.op == "callmethod" else None
            target = self.fn.free.get(value.args[0].name, (None,))[0] if value.op == "call" else None
            raise missing_rule(value.op, s.loc, self.fn.filename, "it has no derivative rule and no Python source"
                               if callee else "it has no forward-mode rule", callee, target)
        if rule.user:
            self.apply_user_rule(rule, s, tangents, out)
            return
        self._refuse_uncovered(s, rule, tangents)
        if value.op == "setitem" and tangents[0] is not None and not value.kwargs:
            if s.target in self.nonfloat and len(tangents) > 1 and tangents[-1] is not None and not self.batched:
                t = self.fresh()  # (an array that may hold integers: NumPy truncates what is written into one)
                out.append(ir.Assign(t, ir.Call(WRITTEN, (tangents[-1], ir.Var(s.target))), s.loc, temp=True))
                tangents = tangents[:-1] + [ir.Var(t)]
            self._write(s, tangents, out)  # (in place where nothing else sees it: forward_writes.py)
            return
        adds = value.op == ADD_AT  # (rt.add_at(bx, g, x, i), rt.zero_at(bx, i) of generated code: so too)
        if value.op in ADJOINT_WRITES and not self.batched and not value.kwargs and tangents[0] is not None:
            # (g without a tangent adds 0.0: the tangent is an array shaped like x, as the primal's result is, where
            # it started as a bare 0.0 and the code after it indexes it)
            rest = ((tangents[1] if len(tangents) > 1 and tangents[1] is not None else ir.Const(0.0)),) + \
                value.args[2:] if adds else value.args[1:]
            self._write(s, tangents, out, ir.Call(ADJOINT_WRITES[value.op], (tangents[0],) + rest))
            return
        named = self._keyword_parts(s, rule)
        args = [lift(a) for a in value.args]
        kwargs = {k: lift(v) for k, v in value.kwargs}
        ans = lift(ir.Var(self.shaped_like.get(s.target, s.target)))  # (an element write's reads only its shape)
        parts, align = rule.parts, False
        if self.batched:
            found = registry.batched_parts(value.op, rule)
            if found is None or named:  # (an operand given by name: one call per tangent)
                raise NotBatchable(value.op)
            parts, align = found
            align = align and s.target not in self.scalars
        widened = {}  # operand position -> its tangent given a leading batch axis only (vector mode)
        with Emitter(self.fresh, s.loc, self.negations, self.nonfloat) as em:
            if rule.fn is not None and not self.batched:
                total = applied(value.op, rule.fn, tuple(lift(t) if t is not None else None for t in tangents), ans,
                                *args, **kwargs)
            elif self.batched and rule.batched_fn is not None and sum(t is not None for t in tangents) > 1:
                # the record's form for several tangents at once (an element write: the value's into the array's)
                lifted = tuple(lift(t) if t is not None else None for t in tangents)
                total = applied(value.op, rule.batched_fn, lifted, ans, *args, **kwargs)
            elif _is_square(value, tangents):
                # x * x: the one contribution 2 x dx (two operations on the tangent path, not three)
                total = 2.0 * args[0] * lift(tangents[0])
            else:
                total = None
                for i, t in enumerate(tangents):
                    part = parts[i] if i < len(parts) else None
                    if t is None:
                        continue
                    if part is None:  # (no derivative in that operand; one the batched form lacks: per tangent)
                        if self.batched and has_part(value.op, rule, i):
                            raise NotBatchable(value.op)
                        continue
                    d = lift(t)
                    if align:
                        d = self._align(d, value.args[i], s.target, ans)
                        # (None: rt.batch_align widened it completely; otherwise the batch of operand i's shape)
                        widened[i] = None if to_atom(d) != t and emitted_op(d, em) != "getitem" else to_atom(d)
                    contribution = self._plain_part(value, i, d, args) if self.batched else None
                    if contribution is None:
                        contribution = applied(value.op, part, d, ans, *args, **kwargs)
                    total = contribution if total is None else add_tangent(total, contribution, em)
                for j, (t, part) in enumerate(named):  # np.nan_to_num(z, nan=v): the part of v's parameter
                    contribution = applied(value.op, part, lift(t), ans, *args, **kwargs)
                    total = contribution if total is None else add_tangent(total, contribution, em)
                tangents = tangents + [t for t, _ in named]
            if total is None:
                return
            if rule.broadcast and not self.batched and self._may_be_narrower(total, tangents, value, ans, s.target, em):
                total = emit("s2s.runtime.broadcast_tangent", total, ans)
            elif widened and None not in widened.values() and self._may_be_narrower(
                    total, [widened.get(i) for i in range(len(tangents))], value, ans, s.target, em):
                total = emit("s2s.runtime.batch_align", total, ans)
        stmts = em.stmts
        atom = to_atom(total)
        if isinstance(atom, ir.Const):
            out.extend(stmts)
            return  # a constant tangent of a rule is a zero (e.g. a derivative that vanishes)
        if stmts and isinstance(atom, ir.Var) and stmts[-1].target == atom.name:
            # name the tangent after its value: dx rather than t7 (`stmts` is the rule's buffer, not yet
            # emitted: its last statement is named as it is built)
            stmts[-1].target = self.tangent_name(s.target)
            if atom.name in self.negations:
                self.negations[stmts[-1].target] = self.negations.pop(atom.name)
            self.namer.temps.discard(atom.name)
            atom = ir.Var(stmts[-1].target)
        out.extend(stmts)
        self.tan[s.target] = atom
        self.spelled.add(s.target)

    def _write(self, s: ir.Assign, tangents: list, out: list, call: ir.Call | None = None) -> None:
        """`y_2 = setitem(y_1, *index, v)`: y's tangents with v's written at index (a candidate of forward_writes;
        or `call`, another candidate)."""
        d_value = tangents[-1] if len(s.value.args) > 1 and tangents[-1] is not None else ir.Const(None)
        if d_value == ir.Const(None) and len(s.value.args) > 2 and self._new_sequence(s.value.args[-1]):
            d_value = self.zero(s.value.args[-1], out, s.loc)  # (`d[k] = []`: its zeros, [], which d[k]'s reads
            # take as a list's tangents, where a bare 0.0 would not be one: `list(dd[k])`)
        ans = ir.Var(self.shaped_like.get(s.target, s.target))
        target = self.tangent_name(s.target)
        out.append(ir.Assign(target, call or ir.Call(WRITE, (tangents[0], d_value, ans) + tuple(s.value.args[1:-1])),
                             s.loc))
        self.tan[s.target] = ir.Var(target)
        self.spelled.add(s.target)

    def _new_sequence(self, atom) -> bool:
        """Is `atom` a list or tuple the function makes without a tangent (`[]`, `list(keys)`)?"""
        if self._made is None:
            self._made = {t.target: t.value.op for t in ir.statements(self.fn.body) if isinstance(t, ir.Assign) and
                          isinstance(t.value, ir.Call)}
        return isinstance(atom, ir.Var) and self._made.get(atom.name) in prims.SEQUENCES

    def _plain_part(self, value: ir.Call, i: int, d, args: list):
        """Vector mode: the tangent part as NumPy spells it, where the operand's rank is known (it is an array, not
        a list of batched tangents) and the other arguments are constants: `dx[:, 1:]` for the record's
        `rt.batch_getitem(dx, slice(1, None))`, `dx.sum(axis=1)` for `rt.batch_sum(dx)` (the batch is an ndarray:
        its method, without np.sum's dispatch); None otherwise."""
        ranks = [self.ndims.get(a.name) if isinstance(a, ir.Var) else None for a in value.args]
        if registry.matrix_product(value.op) and len(ranks) == 2 and not value.kwargs and None not in ranks:
            return batched_product(value.op, i, d, args, ranks)
        rank = ranks[0] if i == 0 else None
        if rank is None:
            return None
        if value.op == "getitem" and not value.kwargs and all(self._plain_index(a) for a in value.args[1:]):
            return emit("getitem", d, slice(None), *args[1:])
        if registry.axis_reduction(value.op) and rank > 0 and len(value.args) == 1:
            options = {k: a.value for k, a in value.kwargs if isinstance(a, ir.Const)}
            if len(options) != len(value.kwargs) or not set(options) <= {"axis", "keepdims"}:
                return None
            axis = batched_axis(options.get("axis"), rank)
            if axis is None:
                return None
            keepdims = {"keepdims": True} if options.get("keepdims") is True else {}
            return emit(prims.BATCH_REDUCTION_METHODS.get(value.op, value.op), d, axis=axis, **keepdims)
        return None

    def _plain_index(self, a: ir.Atom) -> bool:
        """An index that selects the same way after a leading batch axis: a constant int, slice, None or `...`,
        or a number (a range loop's index)."""
        if isinstance(a, ir.Const):
            v = a.value
            return v is None or v is Ellipsis or isinstance(v, slice) or (type(v) is int)
        return self.ndims.get(a.name) == 0 and a.name in self.scalars

    def _refuse_uncovered(self, s: ir.Assign, rule, tangents: list) -> None:
        """An operand with a tangent that the rule has no entry for is refused at the user's line, as reverse mode
        refuses it, never dropped (a silent zero): np.average(x, 0, w) in w, np.linalg.norm(x, p) in p; and an
        index with a tangent, of a read or a write at an index (`y[i] = v` with i in wrt)."""
        refuse_differentiated_index(self.fn, s, lambda a: self.tangent_of(a) is not None)
        for i, t in enumerate(tangents):
            why = uncovered(s.value.op, rule, i) if t is not None else None
            if why is not None:
                raise operand_refusal(self.fn, s, i, why)

    def _keyword_parts(self, s: ir.Assign, rule) -> list:
        """(tangent, part) for each keyword argument with a tangent: the part of the rule's parameter of that name
        (as in reverse mode); one without a part is an error, never a silent zero. (The front end puts operands
        given by name in their places where it can: registry.positional.)"""
        out = []
        for k, a in s.value.kwargs:
            t = self.tangent_of(a)
            if t is None:
                continue
            names = _part_parameters(rule.parts) if rule.fn is None else []
            part = rule.parts[names.index(k)] if k in names and names.index(k) < len(rule.parts) else None
            if part is None and not integer_operand(s.value.op, rule.parts, k):  # (an axis: no derivative)
                raise operand_refusal(self.fn, s, k, f"its keyword argument '{k}' has no forward-mode rule")
            if part is not None:
                out.append((t, part))
        return out

    def push(self, s: ir.Effect, out: list) -> None:
        """`y_saved.append(y)` is followed by `dy_saved.append(dy)` (a zero where y has none), so the
        two stacks stay parallel."""
        stack, value = s.value.args
        dstack = self.tangent_of(stack)
        if dstack is None:
            return
        d = self.tangent_or_zero(value, out, s.loc)
        out.append(ir.Effect(ir.Call("push", (dstack, d)), s.loc))

    def apply_user_rule(self, rule, s: ir.Assign, tangents: list, out: list) -> None:
        """A rule from `s2s.tangent` is called: `dy = custom.f_tangent((dx, None), y, x, w)`, with
        None for each argument that has no tangent (the contract of `s2s.tangent`)."""
        if self.batched:
            raise NotBatchable(s.value.op)  # the user's rule sees one tangent per argument
        value = s.value
        for k, a in value.kwargs:  # (one the front end could not place: a tangent would be lost)
            if self.tangent_of(a) is not None:
                raise rule_checks.keyword_refusal(value.op, k, "tangent", s.loc, self.fn.filename)
        packed = self.fresh()
        parts = tuple(t if t is not None else ir.Const(None) for t in tangents)
        out.append(ir.Assign(packed, ir.Call("tuple", parts), s.loc))
        target = self.tangent_name(s.target)
        call_args = (ir.Var(packed), ir.Var(s.target)) + tuple(value.args)
        out.append(ir.Assign(target, ir.Call(f"s2s.rules.custom.{rule.fn}", call_args, value.kwargs), s.loc))
        self.tan[s.target] = ir.Var(target)
        self.spelled.add(s.target)

    def _align(self, d, operand: ir.Atom, target: str, ans):
        """Vector mode: the batched tangent `d` of `operand` made to broadcast against the result `target`.

        Where both ranks are known, a lower-rank tangent only gets unit axes after its batch axis
        (`dx[:, None]`: NumPy broadcasting does the rest); a tangent of the result's rank is used as
        it is. Otherwise `rt.batch_align` widens it at run time."""
        rank = self.ndims.get(target)
        r = self.ndims.get(operand.name) if isinstance(operand, ir.Var) else None
        if rank is None or r is None or r > rank:
            return emit("s2s.runtime.batch_align", d, ans)
        if r == rank:
            return d
        return emit("getitem", d, slice(None), *([None] * (rank - r)))

    def _may_be_narrower(self, total, tangents, value: ir.Call, ans, target: str, em) -> bool:
        """Can the tangent `total` of a broadcasting call be narrower than its result `ans`? It has the result's
        shape where it reads, elementwise, the result or each operand that may be an array (the operand itself
        or its tangent, one of `tangents`): `-(dscale / scale)` of stats.uniform.logpdf(x, 0.0, scale) reads
        neither x nor the result, and is widened to it (vectors_facts.elementwise_reads)."""
        atom = to_atom(total)
        if target in self.scalars or isinstance(atom, ir.Const):
            return False
        reads = elementwise_reads(atom, em.stmts)
        if to_atom(ans).name in reads:
            return False
        for j, a in enumerate(value.args):
            if _scalar_atom(a, self.scalars) or isinstance(a, ir.Var) and a.name in reads:
                continue
            t = to_atom(tangents[j]) if j < len(tangents) and tangents[j] is not None else None
            # (or t is itself `-x` and the rule's `-t` folded to x: `ones - 1.5 / z`, t = -(1.5 / z) * dz / z)
            inner = em.negations.get(t.name) if isinstance(t, ir.Var) else None
            if not (isinstance(t, ir.Var) and t.name in reads or isinstance(inner, ir.Var) and inner.name in reads):
                return True
        return any(isinstance(a, ir.Var) and a.name not in self.scalars and a.name not in reads
                   for _, a in value.kwargs)

    def if_(self, s: ir.If) -> ir.If:
        body = self.block(s.body)
        orelse = self.block(s.orelse)
        phis = [ir.Phi(p.target, list(p.operands)) for p in s.phis]
        for p in s.phis:
            if p.target not in self.active:
                continue
            ts = [self.tangent_of(o) for o in p.operands]
            if all(t is None for t in ts):
                continue
            ops = [ts[k] if ts[k] is not None else self.zero(p.operands[k], block, s.loc)
                   for k, block in ((0, body), (1, orelse))]
            target = self.tangent_name(p.target)
            phis.append(ir.Phi(target, ops))
            self.tan[p.target] = ir.Var(target)
        return ir.If(s.test, body, orelse, phis, s.loc)

    def loop(self, s: ir.Loop, out: list) -> None:
        phis = [ir.Phi(p.target, list(p.operands)) for p in s.phis]
        tphis = []
        for p in s.phis:
            if p.target in self.active:
                target = self.tangent_name(p.target)
                init = self.tangent_or_zero(p.operands[0], out, s.loc)
                tphis.append((p, ir.Phi(target, [init, None])))
                self.tan[p.target] = ir.Var(target)
        self.loops.append([(p.target, tp.target) for p, tp in tphis])
        header = self.block(s.header)
        body = self.block(s.body)
        self.loops.pop()
        for p, tp in tphis:
            back = p.operands[1]
            if back == ir.Var(p.target):  # the body always leaves by break/continue
                tp.operands[1] = ir.Var(tp.target)
            else:
                tp.operands[1] = self.tangent_or_zero(back, body, s.loc)
        phis += [tp for _, tp in tphis]
        out.append(ir.Loop(s.kind, phis, body, target=s.target, iter=s.iter, header=header, test=s.test, loc=s.loc))

    def jump(self, s, out: list):
        values = dict(s.values)
        for target, dtarget in (self.loops[-1] if self.loops else []):
            if target in s.values:
                values[dtarget] = self.tangent_or_zero(s.values[target], out, s.loc)
        return type(s)(values, s.loc)








def _part_parameters(parts) -> list:
    """The operand names a rule's tangent parts take after (d, ans)."""
    return next((list(parameters_after_g_ans(p)) for p in parts if p is not None), [])


def _is_square(value: ir.Call, tangents: list) -> bool:
    return registry.elementwise_product(value.op) and len(value.args) == 2 and not value.kwargs \
        and isinstance(value.args[0], ir.Var) and value.args[0] == value.args[1] and tangents[0] is not None


def _scalar_atom(a, known: set) -> bool:
    if isinstance(a, ir.Const):
        return isinstance(a.value, (numbers.Number, str)) or a.value is None
    return a.name in known
