"""Stage 3: Python AST -> structured SSA (`ir.Function`).

Guarantees: every name is assigned once (header phis aside, see `ir.Loop`);
expressions are three-address; every call is resolved to a primitive key or
inlined (user functions with source are descended into); early `return`,
`break` and `continue` end a branch, the rest of the block moving into the
other branch (the AST is lowered so first, by `lowering.py`). Construction follows Braun et al.,
"Simple and Efficient Construction of SSA Form" (CC 2013), specialised to
structured code: branches start from a copy of the environment, names that
differ at a join get a phi; loops get header phis for the names their body
assigns, trivial ones are removed once the body is built.
"""
from __future__ import annotations

import ast
import copy
import inspect
import numbers
import types

from numpy import ndarray as numpy_ndarray


from s2s.front import fence
from s2s import ir, prims
from s2s.errors import NonDifferentiableError, S2SError
from s2s.front.source import MISSING, Source, read_function
from s2s.front.lowering import always_exits, flag_breaks, loop_level_nodes, lower_loop_returns, normalise_exits
from s2s.ir.names import Namer, names_in
from s2s.rules import registry
from s2s.ir.walk import substitute_block

MAX_INLINE_DEPTH = 20
EFFECTS = {"builtins.print", "s2s.runtime.require_scalar", "s2s.runtime.require_bound", "s2s.runtime.require_number",
           "s2s.runtime.require_immutable"}
# operations whose result may share memory with an operand: writing into it is refused
VIEWS = {"getitem", "numpy.reshape", "numpy.transpose", "numpy.ravel", "numpy.squeeze", "numpy.expand_dims",
         "numpy.swapaxes", "numpy.moveaxis", "numpy.broadcast_to", "numpy.asarray", "numpy.diagonal",
         "numpy.atleast_1d", "numpy.atleast_2d", "numpy.atleast_3d", "numpy.flip", "numpy.fliplr", "numpy.flipud",
         "numpy.real", "numpy.imag", "builtins.range", "tuple", "list", "slice"}


def _bound_key(name: str) -> str:
    """The environment key of the flag that says whether `name` is bound on this path."""
    return f"<bound {name}>"


def _bound_name(key: str) -> str:
    return key[len("<bound "):-1] + "_bound"


class _Exit(Exception):
    """Raised internally when a path has left the block (return/break/continue)."""


def build_ssa(src: Source) -> ir.Function:
    """Lower a fenced function to SSA."""
    namer = Namer(names_in(src.tree) | set(prims.RESERVED_NAMES))
    builder = _Builder(src, namer)
    params = [a.arg for a in src.tree.args.args]
    for p in params:
        builder.defined.add(p)
        builder.env[p] = ir.Var(p)
    body = builder.function_body(src.tree.body, src.tree)
    defaults = tuple(d.value for d in src.tree.args.defaults)
    doc = ast.get_docstring(src.tree)
    return ir.Function(name=src.tree.name.replace("<lambda>", "lambda_"), params=params, body=body,
                       defaults=defaults, filename=src.filename, docstring=doc, free=dict(builder.free),
                       deps=dict(builder.deps), arrays=_written_versions(body, builder.roots),
                       opaque=dict(builder.opaque),
                       temps=frozenset(namer.temps))


# --------------------------------------------------------------------------- exit normalisation

class _LoopFrame:
    def __init__(self, phis: dict, node):
        self.phis = phis  # user name -> ir.Phi
        self.node = node
        self.continues: list = []  # (ir.Continue, env)
        self.breaks: list = []


class _Builder:
    def __init__(self, src: Source, namer: Namer, depth: int = 0):
        self.src = src
        self.namer = namer
        self.depth = depth
        self.defined: set[str] = set()
        self.env: dict[str, ir.Atom] = {}
        self.block: list = []
        self.loops: list[_LoopFrame] = []
        self.loc: ir.Loc | None = None
        self.returned: ir.Atom | None = None
        self.tuples: dict[str, list] = {}  # names of tuples built here -> their parts
        self.free: dict[str, tuple] = {}  # data read from the module or closure: name -> (object, module)
        self.deps: dict[str, str] = {}  # "module:qualname" -> source of every user function inlined
        self.definitions: dict[str, ir.Call] = {}  # name -> the call defining it (for array writes)
        self.opaque: dict[str, str] = {}  # callables with no rule or source -> how the user spelled them
        self.roots: dict[str, str] = {}  # versions of a written array -> the array's first name
        self.flag_tests: dict[str, tuple] = {}  # a `<name>_bound` flag's phi -> (the if's test, (then, else))
        self._reads: set | None = None  # the names the function reads somewhere
        self.boolops = 0  # `and`/`or` operations lowered so far (each keeps its value under its own key)

    # ----- helpers
    def error(self, node, construct, hint=""):
        return fence.unsupported(self.src, node, construct, hint)

    def version(self, name: str) -> str:
        if name not in self.defined and name not in prims.RESERVED_NAMES:
            self.defined.add(name)
            self.namer.reserve(name)
            return name
        new = self.namer.fresh(name)
        self.defined.add(new)
        return new

    def temp(self) -> str:
        name = self.namer.fresh("t")
        self.defined.add(name)
        return name

    def emit(self, stmt) -> None:
        self.block.append(stmt)

    def assign(self, target: str, value: ir.Expr) -> ir.Var:
        self.emit(ir.Assign(target, value, self.loc))
        if isinstance(value, ir.Call):
            self.definitions[target] = value
        return ir.Var(target)

    def materialise(self, value: ir.Expr, hint: str | None = None) -> ir.Atom:
        if isinstance(value, (ir.Var, ir.Const)):
            return value
        return self.assign(self.version(hint) if hint else self.temp(), value)

    def set_loc(self, node) -> None:
        line = getattr(node, "lineno", None)
        if line is not None:
            self.loc = ir.Loc(line, self.src.line(line).strip(), file=self.src.filename, scope=self.src.name)

    # ----- function bodies
    def function_body(self, stmts: list, node) -> list:
        stmts = lower_loop_returns(stmts, self.namer, self.error)
        stmts = normalise_exits(stmts)
        if not always_exits(stmts) and not (stmts and isinstance(stmts[-1], (ast.Return,))):
            last = stmts[-1] if stmts else node
            raise self.error(last, "a function that does not return a value on every path",
                             "end every path with a return statement")
        self.block = []
        try:
            self.statements(stmts)
        except _Exit:
            pass
        self.emit(ir.Return(self.returned, self.loc))
        return self.block

    # ----- statements
    def statements(self, stmts: list) -> None:
        for s in stmts:
            self.statement(s)

    def statement(self, s) -> None:
        self.set_loc(s)
        if isinstance(s, ast.Assign):
            value = self.expr(s.value, hint=self._hint(s.targets[0]))
            for target in s.targets:
                self.bind(target, value)
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self.bind(s.target, self.expr(s.value, hint=self._hint(s.target)))
        elif isinstance(s, ast.AugAssign):
            op = prims.AST_TO_OP[type(s.op)]
            if isinstance(s.target, ast.Subscript):  # y[i] += v  ->  y[i] = y[i] + v
                old = self.materialise(self.subscript(s.target))
                self.write_element(s.target, self.materialise(self.fold_call(op, (old, self.atom(s.value)))))
                return
            if not isinstance(s.target, ast.Name):
                raise self.error(s, "augmented assignment to an attribute")
            left = self.read(s.target.id, s.target)
            right = self.atom(s.value)
            if s.target.id in self.element_written() and self.array_root(left) is not None:
                # an array whose elements the function writes stays one object: `y *= v` is `y[...] = y * v`,
                # saved and put back by the reverse sweep like any element write
                whole = ast.copy_location(ast.Subscript(value=ast.Name(s.target.id, ast.Load()),
                                                        slice=ast.Constant(...), ctx=ast.Store()), s.target)
                self.write_element(whole, self.materialise(self.fold_call(op, (left, right))))
                return
            self.bind(s.target, self.fold_call(op, (left, right)))
            last = self.block[-1] if self.block else None
            if isinstance(last, ir.Assign) and ir.Var(last.target) == self.env[s.target.id]:
                last.inplace = True
        elif isinstance(s, ast.Expr):
            if isinstance(s.value, ast.Constant):
                return  # a docstring
            self.effect_call(s.value)
        elif isinstance(s, ast.Pass):
            pass
        elif isinstance(s, ast.If):
            self.if_statement(s)
        elif isinstance(s, (ast.For, ast.While)):
            self.loop(s)
        elif isinstance(s, ast.Return):
            self.return_statement(s)
        elif isinstance(s, ast.Break):
            self.jump(s, ir.Break)
        elif isinstance(s, ast.Continue):
            self.jump(s, ir.Continue)
        else:  # the fence admits nothing else
            raise self.error(s, f"the statement {type(s).__name__}")

    def _hint(self, target) -> str | None:
        return target.id if isinstance(target, ast.Name) else None

    def bind(self, target, value: ir.Expr) -> None:
        """Assign `value` to an assignment target (name or nested tuple of names)."""
        if isinstance(target, ast.Name):
            self.bound(target.id)
            if isinstance(value, (ir.Var, ir.Const)):
                # x = y: copy-propagate the value, the name now refers to it
                self.env[target.id] = value
            else:
                self.env[target.id] = self.assign(self.version(target.id), value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            atom = self.materialise(value)
            parts = self._tuple_parts(atom)
            if parts is not None and len(parts) != len(target.elts):
                raise self.error(target, "unpacking a tuple of the wrong length")
            for i, elt in enumerate(target.elts):
                if isinstance(elt, ast.Starred):
                    raise self.error(elt, "starred unpacking")
                part = parts[i] if parts is not None else self.fold_call("getitem", (atom, ir.Const(i)))
                self.bind(elt, part)
        elif isinstance(target, ast.Subscript):
            self.write_element(target, self.materialise(value))
        else:
            raise self.error(target, f"assignment to {type(target).__name__.lower()}")

    def write_element(self, target: ast.Subscript, value: ir.Atom) -> None:
        """`y[index] = value` on an array the function created: a new version of y (`setitem`).

        Generated code writes in place; the reverse sweep puts the overwritten
        elements back. Writing into a parameter, module data or a view of one is
        rejected: the caller's array would change."""
        if not isinstance(target.value, ast.Name):
            raise self.error(target, "assignment to an element of an expression", "assign to a named array")
        name = target.value.id
        base = self.read(name, target.value)
        root = self.array_root(base)
        if root is None:
            raise self.error(target, f"assignment to an element of '{name}', which the function did not create",
                             f"copy it first: {name} = np.copy({name})")
        index = target.slice
        parts = tuple(self.atom(e) for e in index.elts) if isinstance(index, ast.Tuple) else (self.atom(index),)
        new = self.assign(self.version(name), ir.Call("setitem", (base,) + parts + (value,)))
        self.roots[new.name] = root
        self.env[name] = new

    def array_root(self, atom):
        """The name of the fresh array `atom` is a version of, or None if it may be shared."""
        if not isinstance(atom, ir.Var):
            return None
        if atom.name in self.roots:
            return self.roots[atom.name]
        definition = self.definitions.get(atom.name)
        if definition is None or definition.op in VIEWS:
            return None
        self.roots[atom.name] = atom.name
        return atom.name

    def _tuple_parts(self, atom: ir.Atom):
        """The component atoms of a tuple built in this function, if it is one."""
        if isinstance(atom, ir.Const) and isinstance(atom.value, tuple):
            return [ir.Const(v) for v in atom.value]
        if isinstance(atom, ir.Var):
            return self.tuples.get(atom.name)
        return None

    def effect_call(self, node) -> None:
        """Calls kept for their effect: print, and the checks generated code makes (higher order)."""
        if self.stack_push(node):
            return
        target = self.static_value(node.func) if isinstance(node, ast.Call) else MISSING
        key = registry.key_of(target) if target is not MISSING else None
        if key in EFFECTS and not node.keywords:
            args = tuple(self.atom(a) for a in node.args)
            self.emit(ir.Effect(ir.Call(key, args), self.loc))
            return
        raise self.error(node, "a call whose result is discarded",
                         "s2s differentiates pure functions; assign the result to a name")

    def read(self, name: str, node) -> ir.Atom:
        if name in self.env:
            flag = self.env.get(_bound_key(name))
            if flag is not None and flag != ir.Const(True):
                # assigned on some paths only: Python raises UnboundLocalError on the others
                self.emit(ir.Effect(ir.Call("s2s.runtime.require_bound", (flag, ir.Const(name))), self.loc))
                self.bound(name)
            return self.env[name]
        obj = self.src.resolve(name)
        if obj is MISSING:
            raise self.error(node, f"the name '{name}', which is not defined here")
        return self.constant_or_error(obj, name, node)

    def bound(self, name: str) -> None:
        """`name` is assigned on this path from here on."""
        if _bound_key(name) in self.env:
            self.env[_bound_key(name)] = ir.Const(True)

    def element_written(self) -> set:
        """The names whose elements the function writes somewhere (`y[i] = v`)."""
        if not hasattr(self, "_element_written"):
            self._element_written = _written_arrays(self.src.tree.body)
        return self._element_written

    def read_anywhere(self) -> set:
        """The names the function reads somewhere."""
        if self._reads is None:
            self._reads = {n.id for n in ast.walk(self.src.tree) if isinstance(n, ast.Name)
                           and isinstance(n.ctx, ast.Load)}
        return self._reads

    def constant_or_error(self, obj, name, node) -> ir.Atom:
        if isinstance(obj, (bool, int, float, complex, str, type(None))) or obj is Ellipsis:
            return ir.Const(obj)
        if isinstance(obj, tuple) and all(isinstance(v, (bool, int, float, str, type(None))) for v in obj):
            return ir.Const(obj)
        if isinstance(obj, type):  # a class as a value: isinstance(x, np.ndarray)
            return ir.Var(self.free_name(name.rsplit(".", 1)[-1], obj))
        if callable(obj) or isinstance(obj, types.ModuleType):
            raise self.error(node, f"the function or module '{name}' used as a value",
                             "call it, or pass the data it holds as an argument")
        return ir.Var(self.free_name(name, obj))

    def free_name(self, name: str, obj) -> str:
        """A name for data the function reads from its module or closure (an array, a list...)."""
        for existing, (value, _) in self.free.items():
            if value is obj:
                return existing
        if name in self.free or name in self.defined:
            name = self.namer.fresh(name)
        self.namer.reserve(name)
        module = getattr(self.src.func, "__module__", None) if name not in self.src.closure else None
        if module is not None and self.src.globals.get(name) is not obj:
            module = _home_module(obj, name)
        self.free[name] = (obj, module)
        return name

    # ----- control flow
    def if_statement(self, s: ast.If) -> None:
        test = self.atom(s.test)
        self._branch(test, s.body, s.orelse, s)

    def _branch(self, test: ir.Atom, body: list, orelse: list, node) -> None:
        if_loc = self.loc
        env0 = dict(self.env)
        outer_block = self.block
        results = []
        for side, stmts in enumerate((body, orelse)):
            self.env = dict(env0)
            for key, flag in env0.items():  # under a test seen before, a flag is known (`if c: y = ..`)
                if key.startswith("<bound ") and isinstance(flag, ir.Var) and flag.name in self.flag_tests:
                    known_test, values = self.flag_tests[flag.name]
                    if known_test == test:
                        self.env[key] = values[side]
            self.block = []
            self.returned = None
            exited = False
            try:
                if callable(stmts):
                    stmts()
                else:
                    self.statements(stmts)
            except _Exit:
                exited = True
            results.append((self.block, dict(self.env), exited, self.returned))
        self.block = outer_block
        self.loc = if_loc
        (then_block, then_env, then_exit, then_ret), (else_block, else_env, else_exit, else_ret) = results
        phis = []
        if then_exit and else_exit:
            stmt = ir.If(test, then_block, else_block, [], self.loc)
            self.emit(stmt)
            if then_ret is not None or else_ret is not None:
                if then_ret is not None and else_ret is not None:
                    name = self.version("result")
                    stmt.phis.append(ir.Phi(name, [then_ret, else_ret]))
                    self.returned = ir.Var(name)
                    raise _ReturnedJoin()
            raise _Exit()
        if then_exit or else_exit:
            self.env = else_env if then_exit else then_env
            self.emit(ir.If(test, then_block, else_block, [], self.loc))
            return
        env = {}
        for name in sorted(then_env.keys() ^ else_env.keys()):
            # assigned on one path only: None on the other, where Python leaves the name unbound;
            # if the function reads it, a flag `<name>_bound` says which (see `read`)
            if not name.startswith("<"):
                if name in self.read_anywhere():
                    then_env.setdefault(_bound_key(name), ir.Const(name in then_env))
                    else_env.setdefault(_bound_key(name), ir.Const(name in else_env))
                then_env.setdefault(name, ir.Const(None))
                else_env.setdefault(name, ir.Const(None))
        for name in then_env.keys() ^ else_env.keys():
            if name.startswith("<bound "):  # (a name's flag is absent where it is surely bound)
                then_env.setdefault(name, ir.Const(True))
                else_env.setdefault(name, ir.Const(True))
        for name in then_env.keys() & else_env.keys():
            a, b = then_env[name], else_env[name]
            if a == b:
                env[name] = a
            else:
                target = self.version(_bound_name(name)) if name.startswith("<bound ") else \
                    self.temp() if name.startswith("<") else self.version(name)
                phis.append(ir.Phi(target, [a, b]))
                if name.startswith("<bound "):
                    self.flag_tests[target] = (test, (a, b))
                roots = {self.roots.get(o.name) for o in (a, b) if isinstance(o, ir.Var)}
                if len(roots) == 1 and None not in roots:  # both branches hold versions of one array
                    self.roots[target] = roots.pop()
                env[name] = ir.Var(target)
        phis.sort(key=lambda p: p.target)
        self.env = env
        self.emit(ir.If(test, then_block, else_block, phis, self.loc))

    def return_statement(self, s: ast.Return) -> None:
        if self.loops:
            raise self.error(s, "a return statement inside a loop", "break out of the loop and return after it")
        if s.value is None:
            raise self.error(s, "a return without a value")
        self.returned = self.atom(s.value, hint=None)
        raise _Exit()

    def jump(self, s, kind) -> None:
        if not self.loops:
            raise self.error(s, f"'{type(s).__name__.lower()}' outside a loop")
        frame = self.loops[-1]
        values = {phi.target: self.env[name] for name, phi in frame.phis.items()}
        stmt = kind(values, self.loc)
        self.emit(stmt)
        (frame.breaks if kind is ir.Break else frame.continues).append(stmt)
        raise _Exit()

    def loop(self, s) -> None:
        if s.orelse and any(isinstance(n, ast.Break) for n in loop_level_nodes(s.body)):
            # the else clause runs unless a break left the loop: `broke = True` before each break
            flag = self.namer.fresh("broke")
            at = lambda node: ast.copy_location(node, s)  # noqa: E731
            store, load = (lambda: at(ast.Name(flag, ast.Store()))), (lambda: at(ast.Name(flag, ast.Load())))
            self.statement(at(ast.Assign(targets=[store()], value=at(ast.Constant(False)), type_comment=None)))
            s = copy.copy(s)
            s.body = flag_breaks(s.body, lambda brk: [ast.copy_location(
                ast.Assign(targets=[store()], value=at(ast.Constant(True)), type_comment=None), brk), brk])
            orelse, s.orelse = s.orelse, []
            self.loop(s)
            self.statement(at(ast.If(test=at(ast.UnaryOp(ast.Not(), load())), body=orelse, orelse=[])))
            return
        written = _written_arrays(s.body)
        assigned = sorted(_assigned_names(s.body) | written |
                          (_assigned_names([s.target]) if isinstance(s, ast.For) else set()))
        loop_loc = self.loc
        iter_atom = None
        length = None
        elements = None
        if isinstance(s, ast.For):
            iter_atom, length, elements = self.iteration(s.iter, s.target)
        # header phis for names that exist before the loop and that the body assigns
        phis = {}
        for name in assigned:
            if name not in self.env and name in self.read_after(s):
                # first assigned in the loop (its target too) and read after it: unbound until the loop
                # assigns it, then its last value, as Python keeps it
                self.env[name] = ir.Const(None)
                self.env[_bound_key(name)] = ir.Const(False)
            if name in self.env:
                phis[name] = ir.Phi(self.version(name), [self.env[name], None])
                if name in written:  # an array written in the loop: the phi is a version of it
                    root = self.array_root(self.env[name])
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
            self.statements(normalise_exits(s.body))
        except _Exit:
            body_exited = True
        self.loops.pop()
        body = self.block
        self.block = outer_block
        end_env = self.env
        for name, phi in phis.items():
            phi.operands[1] = ir.Var(phi.target) if body_exited else end_env[name]
            back = phi.operands[1]
            init = phi.operands[0]
            if isinstance(back, ir.Var) and back.name in self.roots and isinstance(init, ir.Var) \
                    and self.roots.get(init.name) == self.roots[back.name]:
                # (a version of one array only if it enters the loop as that array too)
                self.roots[phi.target] = self.roots[back.name]
        node = ir.Loop("for" if isinstance(s, ast.For) else "while", list(phis.values()), body,
                       target=target_name, iter=iter_atom, header=header, test=test, loc=loop_loc)
        self._remove_trivial_phis(node, frame)
        self.env = dict(before_env)
        for name, phi in phis.items():
            self.env[name] = ir.Var(phi.target)
        for name, phi_ in list(phis.items()):
            if phi_ not in node.phis:
                self.env[name] = phi_.operands[0]
        self.emit(node)
        self.loc = loop_loc
        if s.orelse:
            self.statements(s.orelse)

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
        """Names the function reads after `node` ends (in the user's text)."""
        end = getattr(node, "end_lineno", None) or node.lineno
        return {n.id for n in ast.walk(self.src.tree)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load) and n.lineno > end}

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
        lengths = [self.fold_call("builtins.len", (_unreversed(seq),)) for seq, _ in sources if seq is not None]
        lengths = [self.materialise(v) for v in lengths]
        length = lengths[0] if len(lengths) == 1 else self.materialise(ir.Call("builtins.min", tuple(lengths)))
        rng = self.materialise(ir.Call("builtins.range", (length,)))
        elements = [(tgt, self._element(seq)) for seq, tgt in sources]
        return rng, length, elements

    def _element(self, seq):
        """element(k) of a sequence iterated by index: seq[k], seq[-1 - k] for reversed(seq), k for enumerate."""
        if seq is None:
            return lambda k: k
        if isinstance(seq, _Reversed):
            return lambda k: ir.Call("getitem", (seq.atom, self.materialise(ir.Call("sub", (ir.Const(-1), k)))))
        return lambda k: ir.Call("getitem", (seq, k))

    def _sequence_parts(self, it, target):
        """[(sequence atom or None for the index, target node)] for enumerate/zip/plain iterables."""
        if isinstance(it, ast.Call) and self._resolves_to(it.func, enumerate):
            if len(it.args) != 1 or it.keywords:
                raise self.error(it, "enumerate() with a start value")
            if not (isinstance(target, ast.Tuple) and len(target.elts) == 2):
                raise self.error(target, "enumerate() without unpacking into (index, value)")
            return [(None, target.elts[0])] + self._sequence_parts(it.args[0], target.elts[1])
        if isinstance(it, ast.Call) and self._resolves_to(it.func, zip):
            if it.keywords:
                raise self.error(it, "zip() with keywords")
            if not (isinstance(target, ast.Tuple) and len(target.elts) == len(it.args)):
                raise self.error(target, "zip() without unpacking one name per sequence")
            out = []
            for arg, elt in zip(it.args, target.elts):
                out += self._sequence_parts(arg, elt)
            return out
        if isinstance(it, ast.Call) and self._resolves_to(it.func, reversed) and len(it.args) == 1 \
                and not it.keywords:  # as generated gradients walk their stacks: for y in reversed(y_saved)
            return [(_Reversed(self.atom(it.args[0])), target)]
        return [(self.atom(it), target)]

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
        stack = self.atom(func.value)
        self.emit(ir.Effect(ir.Call("push", (stack, self.atom(node.args[0]))), self.loc))
        return True

    def stack_pop(self, node) -> bool:
        """Is `node` `y_saved.pop()` in generated code (the value `pop(y_saved)`)?"""
        return (self.generated() and isinstance(node.func, ast.Attribute) and node.func.attr == "pop"
                and not node.args and not node.keywords)

    def _resolves_to(self, func_node, obj) -> bool:
        return isinstance(func_node, ast.Name) and func_node.id not in self.env and self.src.resolve(func_node.id) is obj

    # ----- expressions
    def atom(self, node, hint: str | None = None) -> ir.Atom:
        return self.materialise(self.expr(node, hint), hint)

    def fold_call(self, op: str, args: tuple, kwargs: tuple = ()) -> ir.Expr:
        """A Call, or its value when every operand is a constant of a pure operator."""
        if all(isinstance(a, ir.Const) for a in args) and not kwargs and op in _FOLDABLE:
            try:
                return ir.Const(_FOLDABLE[op](*[a.value for a in args]))
            except Exception:
                pass
        if op == "getitem" and len(args) == 2 and isinstance(args[1], ir.Const) and isinstance(args[1].value, int):
            parts = self._tuple_parts(args[0])
            if parts is not None:
                return parts[args[1].value]
        return ir.Call(op, tuple(args), tuple(kwargs))

    def expr(self, node, hint: str | None = None) -> ir.Expr:
        if isinstance(node, ast.Constant):
            return ir.Const(node.value)
        if isinstance(node, ast.Name):
            return self.read(node.id, node)
        if isinstance(node, ast.BinOp):
            return self.fold_call(prims.AST_TO_OP[type(node.op)], (self.atom(node.left), self.atom(node.right)))
        if isinstance(node, ast.UnaryOp):
            operand = self.atom(node.operand)
            if isinstance(node.op, ast.UAdd):
                return operand
            return self.fold_call(prims.AST_TO_OP[type(node.op)], (operand,))
        if isinstance(node, ast.Compare):
            return self.comparison(self.atom(node.left), node.ops, node.comparators, node)
        if isinstance(node, ast.BoolOp):
            first = self.atom(node.values[0])
            if len(node.values) == 1:
                return first
            rest = ast.copy_location(ast.BoolOp(node.op, node.values[1:]), node.values[1])
            return self.short_circuit(first, lambda: self.atom(rest), isinstance(node.op, ast.And), node)
        if isinstance(node, ast.IfExp):
            return self.if_expression(node, hint)
        if isinstance(node, (ast.Tuple, ast.List)):
            parts = tuple(self.atom(e) for e in node.elts)
            op = "tuple" if isinstance(node, ast.Tuple) else "list"
            if all(isinstance(p, ir.Const) for p in parts) and op == "tuple":
                return ir.Const(tuple(p.value for p in parts))
            var = self.materialise(ir.Call(op, parts), hint)
            if op == "tuple":
                self.tuples[var.name] = list(parts)
            return var
        if isinstance(node, ast.Subscript):
            return self.subscript(node)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Call):
            return self.call(node, hint)
        if isinstance(node, ast.Slice):
            return self.slice(node)
        raise self.error(node, f"the expression {type(node).__name__}")

    def comparison(self, left: ir.Atom, ops: list, comparators: list, node) -> ir.Expr:
        """`a < b < c` is `a < b and b < c` with b evaluated once and c only when `a < b` holds."""
        right = self.atom(comparators[0])
        first = self.fold_call(prims.AST_TO_OP[type(ops[0])], (left, right))
        if len(ops) == 1:
            return first
        rest = lambda: self.materialise(self.comparison(right, ops[1:], comparators[1:], node))  # noqa: E731
        return self.short_circuit(self.materialise(first), rest, True, node)

    def short_circuit(self, first: ir.Atom, rest, is_and: bool, node) -> ir.Atom:
        """Python's `first and rest` (`rest if first else first`) or `first or rest` (`first if first
        else rest`): a conditional, so that the result is an operand and `rest()` runs only when needed."""
        if isinstance(first, ir.Const):
            try:
                truth = bool(first.value)
            except Exception:
                truth = None
            if truth is not None:
                return rest() if truth == is_and else first
        self.boolops += 1
        key = f"<boolop{self.boolops}>"

        def evaluate():
            self.env[key] = rest()

        def keep():
            self.env[key] = first
        self._branch(first, evaluate if is_and else keep, keep if is_and else evaluate, node)
        return self.env.pop(key)

    def if_expression(self, node: ast.IfExp, hint) -> ir.Expr:
        test = self.atom(node.test)
        key = f"<ifexp{len(self.block)}>"
        def branch(value_node):
            def run():
                self.env[key] = self.atom(value_node)
            return run
        self._branch(test, branch(node.body), branch(node.orelse), node)
        value = self.env.pop(key)
        if hint is not None and isinstance(value, ir.Var) and self.block and isinstance(self.block[-1], ir.If):
            # name the join after the user's variable: y = a if c else b  ->  phi y
            for phi in self.block[-1].phis:
                if phi.target == value.name:
                    new = self.version(hint)
                    phi.target = new
                    return ir.Var(new)
        return value

    def slice(self, node: ast.Slice) -> ir.Atom:
        parts = tuple(self.atom(p) if p is not None else ir.Const(None) for p in (node.lower, node.upper, node.step))
        if all(isinstance(p, ir.Const) for p in parts):
            return ir.Const(slice(*(p.value for p in parts)))
        return self.materialise(ir.Call("slice", parts))

    def subscript(self, node: ast.Subscript) -> ir.Expr:
        base = self.atom(node.value)
        index = node.slice
        if isinstance(index, ast.Tuple):
            parts = tuple(self.atom(e) for e in index.elts)
        else:
            parts = (self.atom(index),)
        return self.fold_call("getitem", (base,) + parts)

    def attribute(self, node: ast.Attribute) -> ir.Expr:
        obj = self.static_value(node)
        if obj is not MISSING:
            return self.constant_or_error(obj, ast.unparse(node), node)
        base = self.atom(node.value)
        key = prims.ATTRIBUTES.get(node.attr)
        if key is None:
            raise self.error(node, f"the attribute '.{node.attr}'")
        return ir.Call(key, (base,))

    def static_value(self, node):
        """The object a dotted name like `np.linalg.inv` refers to, or MISSING if it is not static."""
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return MISSING
            return self.src.resolve(node.id)
        if isinstance(node, ast.Attribute):
            base = self.static_value(node.value)
            if base is MISSING:
                return MISSING
            if not isinstance(base, types.ModuleType) and not isinstance(base, type):
                return MISSING
            return getattr(base, node.attr, MISSING)
        return MISSING

    def call(self, node: ast.Call, hint) -> ir.Expr:
        func = node.func
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            raise self.error(node, "a call with *args or **kwargs")
        target = self.static_value(func)
        if target is MISSING and self.stack_pop(node):
            return ir.Call("pop", (self.atom(func.value),))
        if target is MISSING and isinstance(func, ast.Attribute):
            key = prims.METHODS.get(func.attr)
            if key is None:
                base = self.atom(func.value)
                if self.is_opaque(base):  # a method of an object an opaque call made (a random generator...)
                    args = (base, ir.Const(func.attr)) + tuple(self.atom(a) for a in node.args)
                    kwargs = tuple((k.arg, self.atom(k.value)) for k in node.keywords)
                    return ir.Call("callmethod", args, kwargs)
                raise self.error(node, f"the method call '.{func.attr}()'")
            base = self.atom(func.value)
            args = (base,) + tuple(self.atom(a) for a in node.args)
            kwargs = tuple((k.arg, self.atom(k.value)) for k in node.keywords)
            if key == "numpy.reshape" and len(args) > 2:  # x.reshape(2, 3) -> np.reshape(x, (2, 3))
                args = (base, self.pack(args[1:]))
            if key == "numpy.transpose" and len(args) > 2:
                args = (base, self.pack(args[1:]))
            return ir.Call(key, args, kwargs)
        if target is MISSING:
            raise self.error(func, f"a call to '{ast.unparse(func)}', which is not defined here")
        args = tuple(self.atom(a) for a in node.args)
        kwargs = tuple((k.arg, self.atom(k.value)) for k in node.keywords)
        key = registry.key_of(target)
        if key in ("builtins.max", "builtins.min") and len(args) > 2 and not kwargs:
            # max(a, b, c) is max(max(a, b), c): the same first maximal operand, pairwise rules
            first = self.fold_call(key, args[:2])
            for a in args[2:]:
                first = self.fold_call(key, (self.materialise(first), a))
            return first
        if key is not None:
            return self.fold_call(key, args, kwargs)
        if target is slice and not kwargs:  # slice(None, -1, None), as generated code spells x[:-1]
            return ir.Const(slice(*(a.value for a in args))) if all(isinstance(a, ir.Const) for a in args) \
                else ir.Call("slice", args)
        if inspect.isfunction(target) and not (getattr(target, "__module__", None) or "").startswith("s2s."):
            return self.inline(target, args, kwargs, node)  # (s2s's own helpers have rules, or none)
        if not callable(target):
            raise self.error(func, f"a call to '{ast.unparse(func)}', which is not callable")
        # no rule and no source: called as it is; an error only where a derivative must pass through it
        callee = self.free_name(func.attr if isinstance(func, ast.Attribute) else ast.unparse(func), target)
        spelled, real = ast.unparse(func), getattr(target, "__name__", "")
        self.opaque[callee] = spelled if not real or real in spelled else f"{spelled} ({real})"
        return ir.Call("call", (ir.Var(callee),) + args, kwargs)

    def is_opaque(self, atom) -> bool:
        """Is `atom` an object s2s knows nothing of: made by an opaque call, or module data that is
        neither a number nor an array?"""
        if not isinstance(atom, ir.Var):
            return False
        d = self.definitions.get(atom.name)
        if d is not None:
            return d.op in ("call", "callmethod")
        if atom.name in self.free:
            obj = self.free[atom.name][0]
            return not isinstance(obj, (numpy_ndarray, numbers.Number, tuple, list, dict))
        return False

    def pack(self, atoms: tuple) -> ir.Atom:
        if all(isinstance(a, ir.Const) for a in atoms):
            return ir.Const(tuple(a.value for a in atoms))
        return self.materialise(ir.Call("tuple", atoms))

    def inline(self, fn, args, kwargs, node) -> ir.Expr:
        """Descend into a user function: its body is built in place, its parameters bound to `args`."""
        if self.depth >= MAX_INLINE_DEPTH:
            raise self.error(node, f"a call to {fn.__name__} nested more than {MAX_INLINE_DEPTH} deep (recursion?)")
        try:
            callee_src = read_function(fn)
        except S2SError:
            raise NonDifferentiableError(fn.__qualname__, self.src.filename, node.lineno, self.src.line(node.lineno),
                                         "it has no derivative rule and its source is unavailable") from None
        fence.check(callee_src)
        self.deps[f"{getattr(fn, '__module__', '')}:{fn.__qualname__}"] = callee_src.text
        sub = _Builder(callee_src, self.namer, self.depth + 1)
        sub.deps = self.deps
        sub.definitions = self.definitions
        sub.opaque = self.opaque
        sub.roots = self.roots
        sub.defined = self.defined
        sub.tuples = self.tuples
        sub.free = self.free
        sub.loc = self.loc
        params = [a.arg for a in callee_src.tree.args.args]
        bound = dict(zip(params, args))
        for k, v in kwargs:
            if k not in params:
                raise self.error(node, f"the keyword argument '{k}' that {fn.__name__} does not take")
            bound[k] = v
        defaults = callee_src.tree.args.defaults
        for p, d in zip(params[len(params) - len(defaults):], defaults):
            bound.setdefault(p, ir.Const(d.value))
        missing = [p for p in params if p not in bound]
        if missing:
            raise self.error(node, f"a call to {fn.__name__} missing the argument(s) {', '.join(missing)}")
        sub.env = dict(bound)
        body = sub.function_body(callee_src.tree.body, callee_src.tree)
        ret = body.pop()
        self.block.extend(body)
        return ret.value


class _ReturnedJoin(_Exit):
    pass


class _Reversed:
    """A sequence iterated backwards (`for y in reversed(ys)`), element k being ys[-1 - k]."""

    def __init__(self, atom: ir.Atom):
        self.atom = atom


def _unreversed(seq):
    return seq.atom if isinstance(seq, _Reversed) else seq


def _home_module(obj, name: str) -> str | None:
    """The module a library callable can be imported from under `name` (for generated imports)."""
    import importlib
    module = getattr(obj, "__module__", None)
    if not module or getattr(obj, "__name__", None) != name:
        return None
    try:
        return module if getattr(importlib.import_module(module), name, None) is obj else None
    except Exception:
        return None


def _written_versions(body: list, roots: dict) -> dict:
    """Versions of arrays that are written in place -> the array's first name (codegen names them all so)."""
    from s2s.ir.walk import defined_names
    written = {roots[s] for s in roots if roots[s] != s}
    names = set(defined_names(body)) | set(roots)
    return {n: roots[n] for n in sorted(names) if roots.get(n) in written}


def _written_arrays(stmts) -> set[str]:
    """Names whose elements `stmts` assign (`y[i] = ...`, `y[i] += ...`)."""
    out = set()
    for s in stmts:
        for node in ast.walk(s):
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name):
                out.add(node.value.id)
    return out


def _assigned_names(stmts) -> set[str]:
    out = set()
    for s in stmts:
        for node in ast.walk(s):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                out.add(node.id)
    return out


def _index_name(target, length) -> str:
    """A range loop's index keeps the user's name; an iteration by index is counted by `k`."""
    return target.id if length is None else "k"


_FOLDABLE = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "truediv": lambda a, b: a / b, "pow": lambda a, b: a ** b, "neg": lambda a: -a,
    "floordiv": lambda a, b: a // b, "mod": lambda a, b: a % b,
}
