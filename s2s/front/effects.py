"""SSA construction of statements kept for their effect: `raise`, `with np.errstate(...)`, calls whose result is
discarded (print, logging, warnings, a helper of the user's), and the stacks of saved values in code s2s generated
(`y_saved.append(y)`, `y_saved.pop()`: a gradient transformed again). `EffectLowering` holds these methods of the
SSA builder (ssa.py).
"""
from __future__ import annotations

import ast
import inspect
import logging
import random

import numpy

from s2s import ir, prims
from s2s.errors import S2SError, UnsupportedSyntaxError
from s2s.front import fence
from s2s.front.helper_writes import argument_write, outside_write, user_function  # noqa: F401 (loops.py's)
from s2s.front.merges import UPDATE, method_refusal
from s2s.front.scatter_adds import ScatterAddLowering
from s2s.front.source import MISSING, Source, read_function
from s2s.front.ufunc_messages import out_value
from s2s.rules import registry

REQUIRE_METHOD = "s2s.runtime.require_method"  # (the check of a method call dispatched on the object's class)
RAISE = "raise"  # Effect(Call("raise", (exception class, *args))): `raise E(*args)` when it runs
EFFECTS = {"builtins.print", "s2s.runtime.require_scalar", "s2s.runtime.require_length",
           "s2s.runtime.require_keywords", "s2s.runtime.require_bound", "s2s.runtime.require_number",
           "s2s.runtime.require_immutable", "s2s.runtime.require_float_array", prims.REQUIRE_GENERATOR,
           "s2s.runtime.require_unshared", "s2s.runtime.require_array", REQUIRE_METHOD, "s2s.runtime.require_list",
           prims.REQUIRE_DATA, "s2s.runtime.zip_lengths", "s2s.runtime.require_points",
           "s2s.runtime.require_found", "s2s.runtime.require_item_shape"}
# library calls that change an argument (or NumPy's random state) in place and return None: refused wherever they
# are called, their result assigned or not (a name for None keeps nothing of what they do), saying what to write
_CHANGES_FIRST = "which changes its first argument in place and returns None"
IN_PLACE_CALLS = {
    numpy.copyto: (f"np.copyto(dst, src), {_CHANGES_FIRST}, with its None used or its array a part of one or an "
                   f"expression (s2s follows the call as a statement, on an array the function made, by its name)",
                   "call it as a statement on the array's name: np.copyto(dst, src); or write the values into the "
                   "array: dst[...] = src, or make a new one: dst = np.array(src) (with where=mask: dst[...] = "
                   "np.where(mask, src, dst), or dst = np.where(mask, src, dst))"),
    numpy.fill_diagonal: (f"np.fill_diagonal(a, v), {_CHANGES_FIRST}, with its None used or its array a part of "
                          f"one or an expression (s2s follows the call as a statement, on an array the function "
                          f"made, by its name)",
                          "call it as a statement on the array's name: a = ...; np.fill_diagonal(a, v); for a part "
                          "of an array, write the part's diagonal into the array itself by index: "
                          "A[rows, cols] = v"),
    numpy.put: (f"np.put(a, ind, v), {_CHANGES_FIRST}", "write the elements by index: a[ind] = v (for a vector a)"),
    numpy.putmask: (f"np.putmask(a, mask, v), {_CHANGES_FIRST}", "select instead: a = np.where(mask, v, a)"),
    numpy.place: (f"np.place(a, mask, vals), {_CHANGES_FIRST}", "write the selected elements: a[mask] = vals"),
    numpy.put_along_axis: (f"np.put_along_axis(a, ind, v, axis), {_CHANGES_FIRST}",
                           "write the elements by index into an array the function made, or select with np.where"),
    numpy.random.seed: ("np.random.seed(s), which changes NumPy's global random state",
                        "seed before calling the function, or draw from a generator made inside it: "
                        "rng = np.random.default_rng(s); rng.normal(...)"),
    numpy.random.shuffle: ("np.random.shuffle(x), which shuffles its argument in place",
                           "take a shuffled copy: x = rng.permutation(x)"),
}


# methods of a list (or an array: sort) that change it in place, which s2s does not follow (it follows xs.append
# and xs.extend): what to write instead
LIST_METHODS = {
    "insert": "append in order and reverse once at the end: {name}.append(v) in the loop, then {name} = {name}[::-1]",
    "reverse": "make the reversed value: {name} = {name}[::-1]",
    "pop": "read and drop the last item: last = {name}[-1]; {name} = {name}[:-1]",
    "remove": "make the list without it: {name} = [v for v in {name} if v is not {given}]",
    "sort": "make the sorted value: {name} = np.sort({name}) for an array, {name} = sorted({name}) for a list",
    "clear": "start a new list: {name} = []",
    "update": UPDATE,
    "fill": "make a new array of that value: {name} = np.full_like({name}, value), or write every element of an "
            "array the function made: {name}[...] = value",
}


class EffectLowering(ScatterAddLowering):
    """(mixed into _Builder; reads the rest of its state through `self`)"""

    def exception_class(self, cls) -> ir.Atom:
        return self.constant_or_error(cls, cls.__name__, None)

    def raise_statement(self, s: ast.Raise) -> None:
        """`raise E(args)` or `raise E`: an effect that raises when it runs (no derivative flows through it)."""
        exc = s.exc
        func = exc.func if isinstance(exc, ast.Call) else exc
        cls = self.static_value(func) if exc is not None else MISSING
        if s.cause is not None or not (isinstance(cls, type) and issubclass(cls, BaseException)) or \
                isinstance(exc, ast.Call) and exc.keywords:
            raise self.error(s, "this raise statement",
                             "raise an exception class or a call of one with positional arguments, e.g. "
                             "raise ValueError('x must be positive')")
        args = tuple(self.atom(a) for a in exc.args) if isinstance(exc, ast.Call) else ()
        self.emit(ir.Effect(ir.Call(RAISE, (self.constant_or_error(cls, ast.unparse(func), func),) + args), self.loc))

    def errstate(self, node: ast.Call) -> None:
        """The start of `with np.errstate(...):`: an effect that codegen turns back into the with statement around
        what follows, up to the END_WITH effect (the forward sweep runs under it). `**settings` is passed on as
        written (a dict of the error settings, read when the code runs)."""
        if self.static_value(node.func) is not numpy.errstate:
            raise self.error(node, "a with statement", fence.WITH_HINT)
        self.emit(ir.Effect(ir.Call(prims.ERRSTATE, tuple(self.atom(a) for a in node.args),
                                    tuple((k.arg, self.atom(k.value)) for k in node.keywords)), self.loc))

    def effect_call(self, node) -> None:
        """Calls kept for their effect, whose result is discarded: print, logging (`logging.info(...)`,
        `logger.debug(...)`), `warnings.warn`, a helper of the user's (inlined: what it computes that matters
        runs, and no derivative flows out of it), and the checks generated code makes (higher order)."""
        if self.stack_push(node) or self.grow(node) or self.ufunc_at(node) or self.fill_diagonal(node) or \
                self.copy_into(node):
            return
        if not isinstance(node, ast.Call) or any(isinstance(a, ast.Starred) for a in node.args) or \
                any(k.arg is None for k in node.keywords):
            self.refuse_list_method(node)  # (d.update(**extra): what to write for the method)
            raise self.error(node, "this expression statement",
                             "s2s differentiates pure functions; assign the result to a name")
        target = self.static_value(node.func)
        if target is MISSING and self.own_effect_call(node):
            return
        key = registry.key_of(target) if target is not MISSING else None
        if key in EFFECTS:
            args = tuple(self.atom(a) for a in node.args)
            # print(..., sep=", "); rt.require_immutable(rm, 'rm *= 0.9', caller='bn') of generated code
            kwargs = tuple((k.arg, self.atom(k.value)) for k in node.keywords)
            self.emit(ir.Effect(ir.Call(key, args, kwargs), self.loc))
            return
        if key is None and inspect.isfunction(target) and user_function(target):
            args = tuple(self.atom(a) for a in node.args)
            kwargs = tuple((k.arg, self.atom(k.value)) for k in node.keywords)
            block = list(self.block)
            lent = self.lend_lists(node)
            try:
                self.inline(target, args, kwargs, node, returns_none=True)
                self.return_lists(lent)
                self.follow_grown_lists(len(block), node)
                return
            except S2SError as exc:
                # a body s2s does not read (it appends to a module's list, formats a report...): it runs as it is,
                # like logging, unless it changes what it was given (the function's own arrays and lists, whose
                # versions s2s follows, or the caller's)
                self.block[:] = block
                self.return_lists(lent)
                changed = argument_write(target, args, kwargs)
                if changed is not None:
                    raise self.changes_argument(node, target.__name__, changed, exc) from None
                self.refuse_outside_write(node, target)
            callee = self.free_name(node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id, target)
            self.emit(ir.Effect(ir.Call("call", (ir.Var(callee),) + args, kwargs), self.loc))
            return
        if _reports(target):  # logging.info(...), warnings.warn(...): called as written
            callee = self.free_name(node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id, target)
            self.emit(ir.Effect(ir.Call("call", (ir.Var(callee),) + tuple(self.atom(a) for a in node.args),
                                        tuple((k.arg, self.atom(k.value)) for k in node.keywords)), self.loc))
            return
        if target is MISSING and isinstance(node.func, ast.Attribute):
            base = self.atom(node.func.value)
            obj = self.free[base.name][0] if isinstance(base, ir.Var) and base.name in self.free else None
            if isinstance(obj, logging.Logger) or isinstance(obj, logging.LoggerAdapter):  # logger.debug(...)
                self.emit(ir.Effect(ir.Call("callmethod", (base, ir.Const(node.func.attr)) + tuple(
                    self.atom(a) for a in node.args), tuple((k.arg, self.atom(k.value)) for k in node.keywords)),
                    self.loc))
                return
        self.refuse_in_place(node, target)
        self.refuse_set_method(node)
        self.refuse_list_method(node)
        if self.discarded_draw(node, target):
            return
        raise self.error(node, "a call whose result is discarded",
                         "s2s keeps print, logging, warnings.warn and your own functions called for their effect; "
                         "a library function that writes into its argument (np.copyto, x.sort(), ...) is not "
                         "differentiated: assign the result to a name (y = np.sort(x) for np.sort(x), a new array)")

    def discarded_draw(self, node, target) -> bool:
        """`rng.uniform()`, `np.random.randn(3)`, `next(it)`, `skip()` (a function of the user's declared
        s2s.nondifferentiable) alone on its line: a draw, an iterator's next item, kept as the statement it is (a
        call that may have effects: optimize/dce.py keeps it too). False for any other call, whose result
        discarded is lost (`np.sort(x)`) or which may write into what it is given: refused."""
        start = len(self.block)
        value = self.expr(node)
        if type(value) is ir.Call and not value.op.startswith(prims.USER_FUNCTIONS):
            self.refuse_draw_into(node, value)  # (`rng.random(out=y)`, `np.multiply(y, 2.0, out=y)`)
        method = value.args[1].value if type(value) is ir.Call and value.op == "callmethod" and \
            type(value.args[1]) is ir.Const else None
        if method in prims.CHANGES_ARGUMENT_METHODS:  # (`rng.shuffle(idx)`)
            raise self.error(node, f"a call of {prims.CHANGES_ARGUMENT_METHODS[method][0]}",
                             prims.CHANGES_ARGUMENT_METHODS[method][1])
        if type(value) is ir.Call and registry.may_have_effects(value.op):
            if value.op.startswith(prims.USER_FUNCTIONS) and inspect.isfunction(target):
                changed = argument_write(target, value.args, value.kwargs)
                if changed is not None:
                    raise self.changes_argument(node, target.__name__, changed, S2SError(
                        "s2s runs a function declared s2s.nondifferentiable as it is")) from None
                self.refuse_outside_write(node, target)
            elif not _draw(value, self.free):
                del self.block[start:]
                return False
            self.emit(ir.Effect(value, self.loc))
            return True
        del self.block[start:]
        return False

    def refuse_draw_into(self, node: ast.Call, value: ir.Call) -> None:
        """Refuse a call whose result is discarded that writes it into an array it is given, by out=
        (`rng.random(out=y)`: y's values are the draws, which s2s, following y's values, would not see) or, a
        draw, by position (`rng.random(None, np.float64, y)`), as `u = rng.random(out=y)` is."""
        at, size = _out_place(value, self.free)
        given = next((k.value for k in node.keywords if k.arg == "out"), None)
        if given is None and at is not None and at < len(node.args):
            given = node.args[at]
        if given is None or _none(given):
            return
        args, keywords = [a for a in node.args if a is not given], [k for k in node.keywords if k.value is not given]
        shape = ast.Attribute(given, "shape", ast.Load())  # (the draws' shape was out='s: size= says it)
        if size is not None and size < len(args) and _none(args[size]):
            args[size] = shape
        elif size is not None and size >= len(args) and all(k.arg != "size" or _none(k.value) for k in keywords):
            keywords = [k for k in keywords if k.arg != "size"] + [ast.keyword("size", shape)]
        call = ast.Call(node.func, args, keywords)
        into = ast.unparse(given)
        value, note = out_value(call, given)  # (where=: np.where(m, np.f(...), y) keeps y's other entries)
        instead = f"{into} = {value}" if isinstance(given, ast.Name) else \
            f"u = {value}, and read u where the function reads the values written into {into}"
        advice = f"assign the result instead: {instead}{note}"
        loop = next((f.node for f in reversed(self.loops) if isinstance(f.node, ast.For) and
                     isinstance(f.node.target, ast.Name) and f.node.target.id == into), None)
        if loop is not None:  # (`for p in ps: np.clip(p, lo, hi, out=p)`: a new p alone would leave ps as it was)
            advice = f"make the list anew with the new values, in place of the loop: {ast.unparse(loop.iter)} = " \
                     f"[{value} for {into} in {ast.unparse(loop.iter)}]" if isinstance(
                         loop.iter, ast.Name) and self.list_root(self.env.get(loop.iter.id)) is not None else \
                f"{advice}, and store it where {into} came from"
        raise self.error(given, f"{ast.unparse(node.func)}() with out= (it writes its result into an existing "
                                f"array in place, which s2s does not follow)", advice)

    def refuse_outside_write(self, node, target) -> None:
        """Refuse running the helper `target` as it is where it writes into data of its module or closure that the
        function differentiated reads (`BUF[:] = x ** 3` in fill, then `np.sum(BUF)`): s2s follows values, and the
        derivative through that data would be lost."""
        written = outside_write(target)
        if written is None:
            return
        name, obj = written
        reads = {n.id for n in ast.walk(self.src.tree) if isinstance(n, ast.Name)}
        if any(self.src.closure.get(n, self.src.globals.get(n, MISSING)) is obj for n in reads):
            raise self.error(node, f"a call of {target.__name__}() for its effect, which writes into '{name}', data "
                                   f"of its module that this function reads",
                             f"return the new value from {target.__name__} and use it ({name}_new = "
                             f"{target.__name__}(...)): s2s follows values, not writes into module data") from None

    # ----- a list of this function's that a helper (or a nested function) grows: the same object in Python
    def follow_grown_lists(self, start: int, node) -> None:
        """After a call (at `node`) of a helper or a nested function whose statements were built into
        `self.block[start:]`: where its body appended to a list this function made and gave it (`record(traj,
        s)` running `traj.append(s)`), Python grew that one list object, so the versions the body made of it
        (lists.py) are this function's list's, and its name here holds the last one. Each if or loop of the
        body joins the versions it makes (a phi, branches.py and loops.py); a version that nothing carries on
        (a function chosen by a branch appending) is refused. Arrays it writes are followed as well."""
        self.follow_written_arrays(start)
        if len(self.block) == start or not self.list_roots:
            return
        last: dict = {}  # a list (its first name, lists.py) -> its last version the call made, at this level
        made: dict = {}  # every version of a list the call made -> the list
        carried: set = set()  # the versions another version is made of (a phi's operand, appended to, a jump's)
        for s in self.block[start:]:
            for target in [s.target] if isinstance(s, ir.Assign) else [p.target for p in getattr(s, "phis", ())]:
                if target in self.list_roots:
                    last[self.list_roots[target]] = target
        for s in ir.statements(self.block[start:]):
            if isinstance(s, (ir.Break, ir.Continue)):
                carried.update(v.name for v in s.values.values() if isinstance(v, ir.Var))
            defs = [(s.target, ir.operands(s))] if isinstance(s, ir.Assign) else \
                [(p.target, p.operands) for p in getattr(s, "phis", ())]
            for target, operands in defs:
                if target in self.list_roots:
                    made[target] = self.list_roots[target]
                    carried.update(o.name for o in operands if isinstance(o, ir.Var))
        if not made:
            return
        held = self._lists_held()
        for version, root in made.items():
            if root in held and version not in carried and last.get(root) != version:
                name = held[root][0]
                raise self.error(node, f"a call that appends to the list '{name}' on some of its paths, where s2s "
                                       "cannot tell which version of the list follows it",
                                 f"return the value and append it here: {name}.append(...)")
        for root, version in last.items():
            for name in held.get(root, ()):
                self.env[name] = ir.Var(version)

    def _lists_held(self) -> dict:
        """The lists this function grows (by their first names) -> the names holding a version of one here."""
        held: dict = {}
        for name, atom in self.env.items():
            root = None if name.startswith("<") else self.list_root(atom)
            if root is not None:
                held.setdefault(root, []).append(name)
        return held

    def lend_lists(self, node: ast.Call) -> list:
        """Before a call of a function of the user's (a helper, a method of the user's class, a nested function)
        that gives it lists this function grows (`record(path, s)`): inside its body, each such list's one name
        is the parameter it is given as (`traj`), so that `traj.append(s)` there grows it (lists.py; the caller's
        list follows, follow_grown_lists). Returns what to give back after the call (`return_lists`). A list
        given twice keeps its name here (an append in the body is refused: another name holds it).

        Refuses a body that writes `p += [v]` or `p *= n` on such a parameter without rebinding it first:
        Python extends the caller's list object in place, where s2s's `+=` on a list makes the name's next
        value (ssa.py), which the caller would not see. Refused at the helper's line, saying to append."""
        given = [(i, a.id) for i, a in enumerate(node.args) if isinstance(a, ast.Name)] + \
            [(k.arg, k.value.id) for k in node.keywords if k.arg is not None and isinstance(k.value, ast.Name)]
        given = [(at, name, self.list_root(self.env.get(name))) for at, name in given]
        given = [(at, name, root) for at, name, root in given if root is not None]
        found = self._callee_source(node.func) if given else None
        if found is None:
            return []
        src, callee, skip = found
        args = src.tree.args
        positional = [a.arg for a in args.posonlyargs + args.args][skip:]  # (`skip`: a method's self)
        stop = next((i for i, a in enumerate(node.args) if isinstance(a, ast.Starred)), len(node.args))
        params: dict = {}  # list -> the parameters it is given as
        for at, name, root in given:
            param = at if isinstance(at, str) else positional[at] if at < min(stop, len(positional)) else None
            write = _extended_in_place(src.tree.body, param) if param is not None else None
            if write is not None:
                raise fence.unsupported(
                    src, write, f"'{ast.unparse(write)}' in {callee}(), which changes in place the list its caller "
                                f"passed as '{param}' (the caller's '{name}', line {node.lineno})",
                    f"append to it instead: {param}.append(v) or {param}.extend([a, b]), which s2s follows into "
                    f"the caller's list; or return the new values and add them to the list in the caller")
            params.setdefault(root, set()).add(param)
        lent = []
        for root, names in params.items():
            if len(names) == 1 and None not in names:
                lent.append((root, self.list_owner.get(root)))
                self.list_owner[root] = names.pop()
        return lent

    def return_lists(self, lent: list) -> None:
        """After the call: each list lent by `lend_lists` has its name here again."""
        for root, owner in lent:
            if owner is None:
                self.list_owner.pop(root, None)
            else:
                self.list_owner[root] = owner

    def _callee_source(self, func):
        """(Source, name, leading arguments bound: a method's self) of the function of the user's that the callee
        expression `func` calls (a helper, a method of the user's class `obj.m`, a nested def), or None."""
        target = self.static_value(func)
        skip = 0
        if target is MISSING and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            method = self.effect_method(func)  # (front/methods.py: as Python finds it)
            target, skip = (method[1], method[2]) if method is not None else (MISSING, 0)
        if target is MISSING and isinstance(func, ast.Name) and func.id in self.env:
            fv = getattr(self.env[func.id], "value", None)
            node = getattr(fv, "node", None)
            if isinstance(node, ast.FunctionDef) and hasattr(fv, "definer"):  # a nested def
                outer = fv.definer.src
                return Source(tree=node, filename=outer.filename, text="", func=None, globals=outer.globals,
                              closure=outer.closure), node.name, len(fv.bound_args)
        if not (inspect.isfunction(target) and user_function(target)):
            return None
        try:
            return read_function(target), target.__name__, skip
        except S2SError:
            return None

    def own_effect_call(self, node: ast.Call) -> bool:
        """`push(v)` of a nested function, or `self.log(v)` / `LOG.log(traj, v)` of a method of the user's class,
        called for its effect: its body inlined as a helper's is (it may end without a return), a list of this
        function's it appends to followed (follow_grown_lists). Was `node` such a call?"""
        func = node.func
        method = self.effect_method(func) if isinstance(func, ast.Attribute) else None
        fv = None
        if method is None and isinstance(func, ast.Name) and self.sees(func.id):
            value = self.read(func.id, func)
            fv = value.value if isinstance(value, ir.Const) and getattr(value.value, "node", None) is not None \
                and hasattr(value.value, "definer") else None
        if method is None and fv is None:
            return False
        start = len(self.block)
        lent = self.lend_lists(node)
        try:
            args, kwargs = self.spread(node.args), self.keywords(node.keywords)
            if method is not None:
                self.method_effect(method[0], self.no_spread(args), self.no_spread(kwargs), node)
            else:
                self.apply(fv, args, kwargs, node, returns_none=True)
        finally:
            self.return_lists(lent)
        self.follow_grown_lists(start, node)
        return True

    def refuse_list_method(self, node) -> None:
        """Refuse `xs.insert(0, v)`, `xs.reverse()`, `xs.pop()`... (LIST_METHODS), saying what to write instead."""
        func = node.func if isinstance(node, ast.Call) else None
        if isinstance(func, ast.Attribute) and func.attr in LIST_METHODS and self.static_value(func) is MISSING:
            raise self.error(node, *method_refusal(func, node, LIST_METHODS, self.src.tree))

    def refuse_set_method(self, node) -> None:
        """Refuse `seen.add(k)` and the other methods that change a set the function made (`seen = set()`): s2s
        follows no set."""
        func = node.func if isinstance(node, ast.Call) else None
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in self.env):
            return
        if any(cls in (set, frozenset) for cls in self.makers(self.read(func.value.id, func.value))):
            raise self.error(node, f"the method .{func.attr}() of the set '{func.value.id}', which changes it "
                                   f"in place (s2s does not follow sets)", fence.BOOKKEEPING)

    def refuse_in_place(self, node, target) -> None:
        """Refuse a call of a library function that changes its argument in place (IN_PLACE_CALLS, and
        prims.CHANGES_ARGUMENT's, which the alias stage refuses too where a call reaches it unseen here):
        `_ = bisect.insort(a, v)` is refused at its line before anything reads the list it would change."""
        try:
            spelled, fix = IN_PLACE_CALLS.get(target, (None, None))
            key = _changing_objects().get(target)
        except TypeError:  # (an unhashable callable)
            return
        if spelled is None and key is not None:
            what, fix = prims.CHANGES_ARGUMENT[key]
            spelled = f"a call of {what}"
        if spelled is not None:
            raise self.error(node, spelled, fix)

    def changes_argument(self, node, name: str, changed: tuple, exc: S2SError) -> S2SError:
        """The error for a helper called for its effect that changes its argument in place where s2s could not
        follow it (`push(ys, v)` appending to the function's list, `setv(y[1:], 0, v)` writing into a view)."""
        param, where, src = changed
        why = exc.construct if isinstance(exc, UnsupportedSyntaxError) else (str(exc).splitlines() or [""])[0]
        line = src.line(where.lineno).strip()
        return self.error(node, f"a call of {name}() for its effect, which changes its argument '{param}' in place "
                                f"('{line}', line {where.lineno} of {name}), where s2s cannot follow the change "
                                f"({why})",
                          f"write by the array's or the list's own name here (y[i] = v, ys.append(v)), or make "
                          f"{name} return the new value and assign it (ys = {name}(ys, ...) with {name} returning "
                          "a new list or array)")

    # ----- stacks of saved values in generated code (higher order: grad(f) transformed again)
    def generated(self) -> bool:
        """Is this code s2s generated? Only there are list stacks (append, pop) accepted."""
        return self.src.filename.startswith("<s2s ")

    def stack_push(self, node) -> bool:
        """`y_saved.append(y)` in generated code becomes the effect `push(y_saved, y)`."""
        func = node.func if isinstance(node, ast.Call) else None
        if not (self.generated() and isinstance(func, ast.Attribute) and func.attr == "append"
                and len(node.args) == 1 and not node.keywords):
            return False
        stack, value = self.atom(func.value), self.atom(node.args[0])
        self.emit(ir.Effect(ir.Call("push", (stack, value)), self.loc))
        if isinstance(value, ir.Var):
            root = self.roots.get(value.name, value.name)
            self.pushed[root] = self.pushed.get(root, 0) + 1
        return True

    def stack_element(self, value: ir.Call) -> bool:
        """Is `value` an element of a stack in generated code (`for y in reversed(y_saved)`)? The gradient
        pushed that array as it was at the end of an iteration, and writes its old elements back into it."""
        return self.generated() and value.op == "getitem" and isinstance(value.args[0], ir.Var) and \
            self.definitions.get(value.args[0].name) == ir.Call("list", ())

    def stack_pop(self, node) -> bool:
        """Is `node` `y_saved.pop()` in generated code (the value `pop(y_saved)`)?"""
        return (self.generated() and isinstance(node.func, ast.Attribute) and node.func.attr == "pop"
                and not node.args and not node.keywords)


def _extended_in_place(body: list, param: str):
    """The first `param += ...` or `param *= ...` in `body` (a function's statements, nested functions left out)
    before a statement of the body itself rebinds `param` (`param = list(param)`), or None."""
    for stmt in body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if any(isinstance(t, ast.Name) and t.id == param for t in targets):
                return None
        todo = [stmt]
        while todo:
            n = todo.pop()
            if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name) and n.target.id == param and \
                    isinstance(n.op, (ast.Add, ast.Mult)):
                return n
            todo.extend(c for c in ast.iter_child_nodes(n) if not isinstance(c, (ast.FunctionDef, ast.Lambda)))
    return None


# the draws of NumPy's and Python's random generators, by the method's name (rng.uniform(), r.gauss(0, 1)): called
# for their effect, they advance the generator
DRAWS = frozenset(name for cls in (numpy.random.Generator, numpy.random.RandomState, random.Random) for name in dir(cls)
                  if not name.startswith("_") and not hasattr(numpy.ndarray, name)) - set(prims.CHANGES_ARGUMENT_METHODS)


def _draw(value: ir.Call, free: dict) -> bool:
    """Is `value` (an opaque call) a draw of a random generator (`rng.uniform()`, `np.random.randn(3)`,
    `random.random()`) or an iterator's next item (`next(it)`)?"""
    if value.op == "callmethod":
        return type(value.args[1]) is ir.Const and value.args[1].value in DRAWS
    callee = free.get(value.args[0].name, (None,))[0] if type(value.args[0]) is ir.Var else None
    owner = getattr(callee, "__self__", None)
    return callee is next or isinstance(owner, (numpy.random.Generator, numpy.random.RandomState, random.Random))


def _none(node) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _out_place(value: ir.Call, free: dict) -> tuple:
    """Where a draw (`rng.random(size, dtype, out)`) takes the array it writes into and its size= among its
    positional arguments ((None, None) for a call of another kind)."""
    if value.op == "callmethod":
        name = value.args[1].value if type(value.args[1]) is ir.Const else None
    else:
        callee = free.get(value.args[0].name, (None,))[0] if type(value.args[0]) is ir.Var else None
        name = getattr(callee, "__name__", None) if callee is not None and _draw(value, free) else None
    return _OUT_PLACES.get(name, (None, None))


def _out_places() -> dict:
    """The random generators' methods that write into an array they are given -> the places of out= and size=
    (None if it has none) among their positional parameters (numpy.random.Generator.random: 2, 0)."""
    places = {}
    for cls in (numpy.random.Generator, numpy.random.RandomState, random.Random):
        for name in sorted(DRAWS):
            method = getattr(cls, name, None)
            try:
                params = [p for p in inspect.signature(method).parameters if p != "self"]
            except (TypeError, ValueError):  # (older NumPy: the signature is the docstring's first line)
                line = (getattr(method, "__doc__", None) or "").strip().partition("\n")[0]
                params = [p.partition("=")[0].strip() for p in line.partition("(")[2].rpartition(")")[0].split(",")]
            if "out" in params:
                places[name] = params.index("out"), params.index("size") if "size" in params else None
    return places


_OUT_PLACES = _out_places()


def _reports(fn) -> bool:
    """Does `fn` only report (log, warn), so that calling it as written is all there is to it?"""
    module = getattr(fn, "__module__", None) or ""
    return callable(fn) and module.split(".")[0] in ("logging", "warnings", "_warnings")  # (warnings.warn: C's)


_CHANGING: dict = {}


def _changing_objects() -> dict:
    """The Python objects of prims.CHANGES_ARGUMENT's keys (those that hash) -> their keys."""
    if not _CHANGING:
        objects = ((prims.python_object(key), key) for key in prims.CHANGES_ARGUMENT)
        _CHANGING.update((obj, key) for obj, key in objects if obj is not None and getattr(obj, "__hash__", None))
    return _CHANGING
