"""SSA construction of loops: header phis, iteration over ranges, sequences and zips, break and continue.

`LoopLowering` holds these methods of the SSA builder (ssa.py).
"""
from __future__ import annotations

import ast
import bisect
import copy
import inspect

from s2s import ir
from s2s.errors import S2SError
from s2s.front.body_names import (_appended_names, _assigned_names, _augmented_names, _defined_only,
                                  _read_before_assigned, _written_arrays)
from s2s.front.effects import user_function
from s2s.front.endless import Endless, endless_part, endless_refused, never_ends, taken_sources
from s2s.front.functions import function_of
from s2s.front.generators import lazy_for
from s2s.front.library_loops import KINDS as _LIBRARY_ITERATORS
from s2s.front.lowering import flag_breaks, loop_level_nodes, normalise_exits
from s2s.front.helper_writes import writes_elements
from s2s.front.source import MISSING, Source, read_function
from s2s.front.unrolling import UnrollLowering
from s2s.front.zip_strict import check_lengths, check_lengths_at_end, strict_of, strict_zipped
from s2s.ir.walk import substitute_block


class _LoopFrame:
    def __init__(self, phis: dict, node):
        self.phis = phis  # user name -> ir.Phi
        self.node = node
        self.continues: list = []  # (ir.Continue, env)
        self.breaks: list = []
        self.pushed: dict = {}  # generated code's pushes onto its stacks when the loop ended (see ssa.pushed)
        self.grown: dict = {}  # a list (its root) the body appends to in place -> (the first such append, name)

class _Reversed:
    """A sequence iterated backwards (`for y in reversed(ys)`), element k being ys[-1 - k]."""

    def __init__(self, atom: ir.Atom):
        self.atom = atom


class _Counted:
    """The index enumerate(xs, start) gives (`for i, v in enumerate(xs, 1)`), element k being k + start."""

    def __init__(self, start: ir.Atom):
        self.start = start


class LoopLowering(UnrollLowering):
    """(mixed into _Builder; reads the rest of its state through `self`)"""

    def loop(self, s) -> None:
        if isinstance(s, ast.For):  # over a generator expression or map(...): the loops Python runs (generators.py)
            lowered = lazy_for(s, self.lazy_kind, self.namer.fresh)
            if lowered is not None:
                self.statements(lowered)
                return
        if self.unrolled_loop(s):  # (for layer in LAYERS: x = layer(x), zip(LAYERS, params), of a module's tuple)
            return
        if (s.orelse or strict_zipped(self, s)) and any(isinstance(n, ast.Break) for n in loop_level_nodes(s.body)):
            # the else clause (zip's strict check too) runs unless a break left the loop: `broke = True` before a break
            flag = self.namer.fresh("broke")
            at = lambda node: ast.copy_location(node, s)  # noqa: E731
            store, load = (lambda: at(ast.Name(flag, ast.Store()))), (lambda: at(ast.Name(flag, ast.Load())))
            self.statement(at(ast.Assign(targets=[store()], value=at(ast.Constant(False)), type_comment=None)))
            s = copy.copy(s)
            s.s2s_broke = flag
            s.body = flag_breaks(s.body, lambda brk: [ast.copy_location(
                ast.Assign(targets=[store()], value=at(ast.Constant(True)), type_comment=None), brk), brk])
            orelse, s.orelse = s.orelse, []
            self.loop(s)
            self.statement(at(ast.If(test=at(ast.UnaryOp(ast.Not(), load())), body=orelse, orelse=[])))
            return
        if isinstance(s, ast.For) and isinstance(s.iter, ast.Name) and self.env.get(s.iter.id) == ir.Const(()):
            self.statements(s.orelse)  # over a helper's empty *args: no iteration (only an else clause runs)
            return
        written = _written_arrays(s.body) | self._arrays_given(s.body)
        # `y *= v` on an array whose elements the function writes is an element write too (ssa.statement): in a
        # loop inside one that writes y's elements, the inner phi must be a version of y, or y would come back to
        # the outer loop as another array while its versions there keep y's name
        outer = set().union(*(_written_arrays(frame.node.body) for frame in self.loops))
        written |= _augmented_names(s.body) & outer & self.element_written()
        # (`xs.append(v)` makes a new version of a local list xs; np.append(...) is a call of a module's function)
        appended = {n for n in _appended_names(s.body) if n in self.env} | \
            self._lists_given(s.body + ([s.test] if isinstance(s, ast.While) else []))
        assigned = sorted(_assigned_names(s.body) | appended | written |
                          (_assigned_names([s.target]) if isinstance(s, ast.For) else set()))
        exposed = _read_before_assigned(s.body, _assigned_names([s.target]) if isinstance(s, ast.For) else set())
        loop_loc = self.loc
        iter_atom = None
        length = None
        elements = None
        checks = []
        if isinstance(s, ast.For):
            lazy = self._iterators_read_by(s)
            self.consumed.update(map(id, lazy))
            checks, self.zip_checks = self.zip_checks, []
            try:
                iter_atom, length, elements = self.iteration(s.iter, s.target)
            finally:
                self.consumed.difference_update(map(id, lazy))
                checks, self.zip_checks = self.zip_checks, checks
        # header phis for names that exist before the loop and that the body assigns
        phis = {}
        defined = _defined_only(s.body) - exposed - set(self.env)  # (`def h` in the body, h called after the loop)
        closed = {n.id for d in s.body if isinstance(d, ast.FunctionDef) and d.name in defined for n in ast.walk(d)
                  if isinstance(n, ast.Name)}  # (what h reads when it is called, after the loop too)
        for name in assigned:
            if name not in self.env and (name in self.read_after(s.body[-1]) or name in exposed or name in closed):
                # first assigned in the loop (its target too) and read after it, or in a later iteration before
                # that iteration assigns it (`if i == 0: y = ...` then `y` read): unbound until the loop
                # assigns it, then its last value, as Python keeps it
                self.env[name] = ir.Const(None)
                self.env[_bound_key(name)] = ir.Const(False)
            if name in self.env and name not in defined:
                phis[name] = ir.Phi(self.version(name), [self.env[name], None])
                self.join_lists(phis[name].target, [self.env[name]])  # (a list the body appends to)
                if name in written:  # an array written in the loop: the phi is a version of it
                    # (a dict written out before the loop, written by key in it: read at run time from here on, by
                    # any name, `e = d` before the loop too, as the write pops the one written into, dict_key_write)
                    self.dicts.pop(getattr(self.env[name], "name", None), None)
                    root = self.array_root(self.env[name], join=True) or self.list_object(self.env[name], name=name)
                    if root is not None:
                        self.roots[phis[name].target] = root
        for name in assigned:  # a flag saying whether the name is bound yet (see `read`)
            flag = self.env.get(_bound_key(name))
            if flag is not None and flag != ir.Const(True):
                phis[_bound_key(name)] = ir.Phi(self.version(_bound_name(_bound_key(name))), [flag, None])
        before_env = dict(self.env)
        for name, phi in phis.items():
            self.env[name] = ir.Var(phi.target)
        frame = _LoopFrame(phis, s)
        outer_block = self.block
        self.block = []
        self.loops.append(frame)
        self.loop_path.append(frame)
        for phi in phis.values():  # (each iteration gives the header's names their values anew)
            self.made_in[phi.target] = tuple(self.loop_path)
        header = []
        test = None
        target_name = None
        if isinstance(s, ast.While):
            test = self.atom(s.test)
            header = self.block
            self.block = []
        else:
            target_name = self.version(_index_name(s.target, length))
            if length is None:  # a range loop: the target is the index itself
                self.bound(s.target.id)
                self.env[s.target.id] = ir.Var(target_name)
            else:
                for tgt, get in elements:
                    self.set_loc(s)
                    self.bind(tgt, get(ir.Var(target_name)))
        body_exited = False
        try:
            self.statements(normalise_exits(s.body, self.namer.fresh))
        except _Exit:
            body_exited = True
        self.loops.pop()
        self.loop_path.pop()
        body = self.block
        self.block = outer_block
        end_env = self.env
        for name, atom in before_env.items():  # (a list grown through a call the scan above did not see)
            if name not in phis and not body_exited and end_env.get(name, atom) != atom and \
                    self.list_root(atom) is not None and self.list_root(end_env[name]) == self.list_root(atom):
                raise self.error(s, f"a loop in which a call appends to the list '{name}' where s2s does not see "
                                    "it given (a function called through another)",
                                 f"return the value from the function and append it in the loop: "
                                 f"{name}.append(...)")
        self.refuse_list_held_across(frame, phis, end_env, body_exited)
        for name, phi in phis.items():
            phi.operands[1] = ir.Var(phi.target) if body_exited else end_env[name]
            back = phi.operands[1]
            init = phi.operands[0]
            self.join_lists(phi.target, [init, back])
            # what the name holds at the back edge, at a `continue` and as a `break` leaves (the loop's value then)
            incoming = [v for v in [back] + [j.values[phi.target] for j in frame.continues + frame.breaks
                                             if phi.target in j.values] if v != ir.Var(phi.target)]
            root = self.roots.get(init.name) if isinstance(init, ir.Var) else None
            if root is not None and incoming and all(isinstance(v, ir.Var) and v.name in self.roots and
                                                     self.roots[v.name] == root for v in incoming):
                # (a version of one array only if it enters the loop as that array too, and every way out of an
                # iteration leaves the name with it)
                self.roots[phi.target] = root
            elif phi.target in self.roots and incoming:
                # another array comes back (`g = np.tanh(g)` then `g[i] = v`): the phi is not a version of the
                # one it entered as, whose name must keep that array after the loop
                entered = self.roots.pop(phi.target)
                if self.generated():
                    self._reroot_to_phi(phi.target, entered, body)
        node = ir.Loop("for" if isinstance(s, ast.For) else "while", list(phis.values()), body,
                       target=target_name, iter=iter_atom, header=header, test=test, loc=loop_loc)
        self._remove_trivial_phis(node, frame)
        frame.pushed = dict(self.pushed)  # (by generated code, onto its stacks, once the loop has ended)
        for phi in node.phis:  # (a write after the loop may make one an array of its own: ssa.array_root)
            self.phis[phi.target] = phi
            self.phi_loops[phi.target] = frame
        self.env = dict(before_env)
        for name, phi in phis.items():
            self.env[name] = ir.Var(phi.target)
        for name, phi_ in list(phis.items()):
            if phi_ not in node.phis:
                self.env[name] = phi_.operands[0]
        for name in defined & set(before_env):  # the function the loop's last iteration defined (each defines the
            self.env[name] = end_env.get(name, before_env[name])  # same one), where the flag says the loop ran
        self.emit(node)
        self.loc = loop_loc
        for lengths in checks:  # (zip(..., strict=True)'s, as the loop ends)
            check_lengths_at_end(self, s, lengths)
        if s.orelse:
            self.statements(s.orelse)

    def _lists_given(self, body) -> set:
        """The names of lists this function grows (lists.py) that loop `body` gives to a call of a function of
        the user's, as an argument or read by a nested function it calls: a helper that appends to one
        (`record(traj, s)`) makes its next versions (effects.follow_grown_lists), which the loop carries
        from one iteration to the next (a header phi; dropped again where no call appends)."""
        names = set()
        for n in (n for stmt in body for n in ast.walk(stmt) if isinstance(n, ast.Call)):
            try:
                target = self.static_value(n.func)
            except AttributeError:  # (np.summ: refused where the loop's body reads it)
                continue
            if target is not MISSING and not (inspect.isfunction(target) and user_function(target)):
                continue  # (np.array(traj), sum(traj): a library function, which reads the list)
            given = [a.value if isinstance(a, ast.Starred) else a for a in n.args] + [k.value for k in n.keywords]
            names.update(a.id for a in given if isinstance(a, ast.Name))
            if isinstance(n.func, ast.Name):
                names |= self._read_by_nested(n.func.id, set())
        return {name for name in names if name in self.env and self.list_root(self.env[name]) is not None}

    def _arrays_given(self, body) -> set:
        """The names of arrays loop `body` gives to a helper of the user's that writes elements of the parameter
        it binds them to (`y = write(y, v)`, write's `y[0] = v`): inlined, the helper writes the array the name
        holds, as `y[0] = v` in the body would, so the loop's header phi is a version of it (the alias stage
        refuses what NumPy would make of it otherwise: another array coming back, a read through another name)."""
        names = set()
        for n in (n for stmt in body for n in ast.walk(stmt) if isinstance(n, ast.Call)):
            try:  # (called for its effect too, `step(u, k)` alone: effects.follow_written_arrays)
                target = self.static_value(n.func)
            except AttributeError:  # (np.summ: refused where the loop's body reads it)
                continue
            nested = function_of(self.env.get(n.func.id)) if isinstance(n.func, ast.Name) else None
            if nested is not None and nested.node is not None:  # (a def of the function's own: its text)
                src = Source(nested.node, self.src.filename, "", None, self.src.globals, self.src.closure)
                own = {m.id for m in ast.walk(nested.node) if isinstance(m, ast.Name) and isinstance(m.ctx, ast.Store)}
                own |= {a.arg for a in ast.walk(nested.node.args) if isinstance(a, ast.arg)}
                names |= {w for w in _written_arrays(nested.node.body) if w in self.env and w not in own}  # (its
                # enclosing function's arrays it writes by their names: `y[0] = v` in a def reading y)
            elif inspect.isfunction(target) and user_function(target):
                try:
                    src = read_function(target)
                except S2SError:
                    continue
            else:
                continue
            if any(isinstance(a, ast.Starred) for a in n.args) or any(k.arg is None for k in n.keywords):
                continue
            given = [(i, None, a.id) for i, a in enumerate(n.args) if isinstance(a, ast.Name)] + \
                [(None, k.arg, k.value.id) for k in n.keywords if isinstance(k.value, ast.Name)]
            for i, key, name in given:
                if name in names or name not in self.env:
                    continue
                args = tuple(ir.Var(name) if j == i else ir.Const(None) for j in range(len(n.args)))
                kwargs = tuple((k.arg, ir.Var(name) if k.arg == key else ir.Const(None)) for k in n.keywords)
                if writes_elements(src, target if nested is None else None, args, kwargs):
                    names.add(name)
        return names

    def _read_by_nested(self, name: str, seen: set) -> set:
        """The names the nested function `name` holds reads, and those the nested functions it calls read."""
        fv = function_of(self.env.get(name))
        if fv is None or fv.node is None or name in seen:
            return set()
        seen.add(name)
        reads = {m.id for m in ast.walk(fv.node) if isinstance(m, ast.Name) and isinstance(m.ctx, ast.Load)}
        return reads.union(*(self._read_by_nested(r, seen) for r in reads))

    def _reroot_to_phi(self, phi: str, entered: str, body: list) -> None:
        """Generated code (a gradient differentiated again) writes into an array its loop rebinds each
        iteration (`b[...] = 0.0; ...; b = rt.setitem_adjoint(b2, i)`): the writes in the body go into the
        array the phi holds in that iteration, not the one it entered as. The phi is their array's first
        name: its versions are named by it (the array the loop entered with keeps its own name)."""
        versions = {phi}
        for t in ir.statements(body):
            if isinstance(t, ir.Assign) and isinstance(t.value, ir.Call) and t.value.op == "setitem" and \
                    isinstance(t.value.args[0], ir.Var) and t.value.args[0].name in versions:
                versions.add(t.target)
            for p in getattr(t, "phis", ()):
                if self.roots.get(p.target) == entered and any(
                        isinstance(o, ir.Var) and o.name in versions for o in p.operands if o is not None):
                    versions.add(p.target)
        if len(versions) > 1:
            for v in versions:
                self.roots[v] = phi

    def _remove_trivial_phis(self, node: ir.Loop, frame: _LoopFrame) -> None:
        """Drop header phis whose every back-edge operand is the phi itself or its init (Braun et al.)."""
        changed = True
        while changed:
            changed = False
            for phi in list(node.phis):
                incoming = [phi.operands[1]] + [j.values[phi.target] for j in frame.continues + frame.breaks]
                init = phi.operands[0]
                if all(v == ir.Var(phi.target) or v == init for v in incoming):
                    node.phis.remove(phi)
                    mapping = {phi.target: init}
                    substitute_block(node.body, mapping)
                    substitute_block(node.header, mapping)
                    if node.test == ir.Var(phi.target):
                        node.test = init
                    for other in node.phis:
                        other.operands = [mapping.get(o.name, o) if isinstance(o, ir.Var) else o for o in other.operands]
                    for j in frame.continues + frame.breaks:
                        j.values.pop(phi.target, None)
                        j.values = {k: (mapping.get(v.name, v) if isinstance(v, ir.Var) else v) for k, v in j.values.items()}
                    changed = True

    def read_after(self, node) -> set:
        """Names the function reads after `node` ends (in the user's text: after a loop's last body statement, its
        else clause too)."""
        end = getattr(node, "end_lineno", None) or node.lineno
        index = getattr(self, "_reads_index", None)
        if index is None or index[0] is not self.src.tree:  # (one walk of the text, not one per question)
            reads = sorted([(n.lineno, n.id) for n in ast.walk(self.src.tree)
                            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)] +
                           [(n.lineno, n.target.id) for n in ast.walk(self.src.tree)  # (y += v reads y too)
                            if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)])
            index = self._reads_index = (self.src.tree, [line for line, _ in reads], [n for _, n in reads], {})
        _, lines, names, found = index
        if end not in found:
            found[end] = frozenset(names[bisect.bisect_right(lines, end):])
        return found[end]

    def _iterators_read_by(self, s: ast.For) -> list:
        """The generator expressions and map(...) calls loop `s` iterates over (itself, or through zip and
        enumerate; filter(...) and itertools' accumulate, takewhile, dropwhile and filterfalse there too), which s2s
        computes before the loop where Python computes each value as the loop reaches it: the same, unless the loop
        changes a name they read (a name assigned, an array written, a list grown)."""
        found, todo = [], [s.iter]
        while todo:
            it = todo.pop()
            if isinstance(it, ast.Call) and self.lazy_kind(it) in (zip, enumerate):
                todo.extend(it.args)
            elif isinstance(it, ast.GeneratorExp) or self.lazy_kind(it) is map or \
                    it is not s.iter and self.lazy_kind(it) in (filter, *_LIBRARY_ITERATORS):
                found.append(it)
        if not found:
            return found
        changed = _assigned_names(s.body) | _augmented_names(s.body) | _written_arrays(s.body) | \
            _appended_names(s.body)
        for it in found:
            reads = sorted({n.id for n in ast.walk(it) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
                           & changed)
            if reads:
                what = "a generator expression" if isinstance(it, ast.GeneratorExp) else \
                    f"{self.lazy_kind(it).__name__}(...)"
                raise self.error(it, f"a for loop over {what} that reads '{reads[0]}', which the loop changes "
                                     "(Python computes each value as the loop reaches it)",
                                 "loop over a list computed before the loop: for v in [...]")
        return found

    def iteration(self, it, target):
        """(iterable atom, length atom or None, [(target, element(index) -> expr)]) of a for loop.

        `range(...)` loops iterate the range itself. Every other iterable is
        iterated by index so that the adjoint can send each element's adjoint
        back to its position: `for x in xs` runs `for k in range(len(xs))`.
        """
        if isinstance(it, ast.Call) and self._resolves_to(it.func, range):
            if it.keywords or not 1 <= len(it.args) <= 3:
                raise self.error(it, "range() with keywords or a wrong number of arguments")
            if not isinstance(target, ast.Name):
                raise self.error(target, "unpacking the values of a range()")
            args = tuple(self.atom(a) for a in it.args)
            return self.materialise(ir.Call("builtins.range", args)), None, None
        sources = self._sequence_parts(it, target)
        lengths = [self.materialise(self.fold_call("builtins.len", (_unreversed(seq),))) for seq, _ in sources
                   if seq is not None and not isinstance(seq, (_Counted, Endless))]
        if not lengths:  # (zip(itertools.count(), itertools.repeat(v)), or no zip: nothing stops the loop)
            raise endless_refused(self, sources)
        length = lengths[0] if len(lengths) == 1 else self.materialise(ir.Call("builtins.min", tuple(lengths)))
        sources = taken_sources(self, sources, length)  # (zip(xs, itertools.repeat(2.0)): as many as xs has)
        rng = self.materialise(ir.Call("builtins.range", (length,)))
        elements = [(tgt, self._element(seq)) for seq, tgt in sources]
        return rng, length, elements

    def _element(self, seq):
        """element(k) of a sequence iterated by index: seq[k], seq[-1 - k] for reversed(seq), k for enumerate."""
        if seq is None:
            return lambda k: k
        if isinstance(seq, _Counted):
            return lambda k: ir.Call("add", (k, seq.start))
        if isinstance(seq, _Reversed):
            return lambda k: ir.Call("getitem", (seq.atom, self.materialise(ir.Call("sub", (ir.Const(-1), k)))))
        return lambda k: ir.Call("getitem", (seq, k))

    def _sequence_parts(self, it, target):
        """[(sequence atom or None for the index, target node)] for enumerate/zip/plain iterables."""
        if isinstance(it, ast.Call) and self._resolves_to(it.func, enumerate):
            start = it.args[1:] + [k.value for k in it.keywords if k.arg == "start"]
            if not it.args or len(start) + 1 != len(it.args) + len(it.keywords) or len(start) > 1:
                raise self.error(it, "enumerate() with a start value")
            if not (isinstance(target, ast.Tuple) and len(target.elts) == 2):
                raise self.error(target, "enumerate() without unpacking into (index, value)")
            parts = self._sequence_parts(it.args[0], target.elts[1])
            index = _Counted(self.atom(start[0])) if start else None  # (evaluated after the sequence, as Python does)
            return [(index, target.elts[0])] + parts
        if isinstance(it, ast.Call) and self._resolves_to(it.func, zip):
            strict = strict_of(self, it)  # (zip(a, b, strict=True): their lengths checked, below)
            args = self._zip_sequences(it, target)
            if not (isinstance(target, ast.Tuple) and len(target.elts) == len(args)):
                raise self.error(target, "zip() without unpacking one name per sequence")
            out = []
            for arg, elt in zip(args, target.elts):
                out += self._sequence_parts(arg, elt)
            if strict:
                check_lengths(self, it, out, len(args), lambda q: _unreversed(q) if isinstance(q, (ir.Var, ir.Const,
                                                                                                 _Reversed)) else None)
            return out
        if isinstance(it, ast.Call) and self._resolves_to(it.func, iter) and len(it.args) == 1 and not it.keywords:
            return self._sequence_parts(it.args[0], target)  # (for v in iter(xs): the loop over xs)
        if isinstance(it, ast.Call) and self._resolves_to(it.func, reversed) and len(it.args) == 1 \
                and not it.keywords:  # as generated gradients walk their stacks: for y in reversed(y_saved)
            return [(_Reversed(self.iterated(self.atom(it.args[0]))), target)]
        atom = self.atom(it)
        made = self.definitions.get(atom.name) if isinstance(atom, ir.Var) else None
        if made is not None and never_ends(self, made):  # (itertools.count(1) beside xs in a zip)
            return endless_part(self, it, atom, target)
        if made is not None and made.op in ("call", "callmethod"):
            # an object a call s2s does not follow made (itertools.product(...), np.ndindex(n, m), filter(...)): an
            # iterator, perhaps, with no len(): the list of what it gives, as Python's loop takes it one by one
            atom = self.materialise(ir.Call("builtins.list", (atom,)))
        return [(self.iterated(atom), target)]


    def _zip_sequences(self, it: ast.Call, target) -> list:
        """The sequences `zip(...)` pairs: its arguments, `*xs` spread into the sequences xs holds where their number
        is known here (a tuple or list made in the function, a helper's tuple result), each then given a name of
        its own (all evaluated here, in order)."""
        if not any(isinstance(a, ast.Starred) for a in it.args):
            return it.args
        out = []
        for atom in self.spread(it.args):
            if not isinstance(atom, (ir.Var, ir.Const)):  # (a calls.Spread: *xs of a length known only at run time)
                xs = ast.unparse(atom.node.value)
                count = len(target.elts) - len(it.args) + 1 if isinstance(target, ast.Tuple) else 2
                names = ", ".join(f"xs{i}" for i in range(max(count, 2)))
                raise self.error(atom.node, f"zip(*{xs}), {xs} holding a number of sequences known only at run time",
                                 f"unpack them first, one name each: {names} = {xs}, then zip({names})")
            name = self.namer.fresh("zipped")
            self.env[name] = atom
            out.append(ast.copy_location(ast.Name(name, ast.Load()), it))
        return out


def _unreversed(seq):
    return seq.atom if isinstance(seq, _Reversed) else seq


def _index_name(target, length) -> str:
    """A range loop's index keeps the user's name; an iteration by index is counted by `k`."""
    return target.id if length is None else "k"


def _bound_key(name: str) -> str:
    """The environment key of the flag that says whether `name` is bound on this path."""
    return f"<bound {name}>"


def _bound_name(key: str) -> str:
    return key[len("<bound "):-1] + "_bound"


class _Exit(Exception):
    """Raised internally when a path has left the block (return/break/continue)."""
