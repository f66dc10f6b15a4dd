"""Stage 5: IR -> Python AST -> source text (rendered with astor).

Guarantees: the text is a self-contained module (it imports what it uses: module
data from its module, at every order) whose last function is the entry point; data
it cannot import (a closure's) is named in a comment under its first line and
checked for when the text runs, with a message saying how to give it; compiler
temporaries used once are folded into the expression that uses them, so the code
reads like hand-written NumPy; phis become assignments (at the end of each branch,
before a loop and at each back edge, as one tuple assignment where they depend on
each other); each group
of statements from one user line is headed by a `# line N: ...` comment
(`# adjoint of line N: ...` in the reverse sweep).

Which temporaries fold, and `a and b` rebuilt from SSA's conditionals, is decided
in `folding.py`; the AST is written out as text (comments, `with` blocks) by `render.py`;
the line comments are read back into line maps by `linemap.py`; the data the text imports or is given, by
`data.py`.
"""
from __future__ import annotations

import ast
import copy
import numbers
from dataclasses import dataclass

from s2s import ir, prims
from s2s.prims import ADJOINT_BEGINS
from s2s.ir.walk import count_uses, defined_names, used_names
from s2s.back.folding import plan_inlining, short_circuits, views
from s2s.back.freeing import free_dead_values
from s2s.back.growing import grow_in_place
from s2s.back.data import _data_needed, data_imports
from s2s.back.linemap import CITED_FILES, file_name
from s2s.back.outofssa import _with_target, leave_ssa
from s2s.back.rules_needed import rules_needed
from s2s.back.render import _close_with, _comment_node, _errstate_ranges, _nest_with, _render
from s2s.rules import custom


def generate(fn: ir.Function, header: str = "", before: tuple = (), after: str = "") -> str:
    """The module text for `fn`: its imports, the functions `before` it, `fn`, then the
    Python text `after` (an entry point written by the driver, e.g. vjp's)."""
    imports: set[str] = set()
    data: list[str] = []
    keys: set[str] = set()
    defs = []
    fns = [grow_in_place(leave_ssa(f)) for f in tuple(before) + (fn,)]
    after_tree = ast.parse(after) if after else None
    aliases = _aliases(fns, after_tree)
    for f in fns:
        gen = _Codegen(f, aliases)
        defs.append(gen.function())
        imports |= gen.imports
        keys |= gen.keys
        data += [line for line in data_imports(f) if line not in data]
    if after_tree is not None:
        for node in ast.walk(after_tree):  # the driver's entry point spells the modules by their usual aliases
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                imports.add(_import_line(node.value.id, aliases))
                node.value.id = aliases[node.value.id]
        defs += after_tree.body
    imports = sorted(imports, key=lambda line: (not line.startswith("import"), line))
    imports += data + rule_imports(keys)
    header, rules = rules_needed(keys, fns[-1].name, header)
    header, checks = _data_needed(fns, fns[-1].name, header)
    return _render([ast.parse(line).body[0] for line in imports if line] + rules + checks + defs, header)


def _aliases(fns: list, after_tree=None) -> dict:
    """How the generated module names the modules and builtins it uses: `np`, `rt`, `len`, ... unless
    the user's code already uses that name (a parameter `np`, a variable `len`), then `np_1`, or
    `builtins.len` (with `import builtins`)."""
    taken = set()
    for f in fns:
        taken |= set(f.params) | set(defined_names(f.body)) | used_names(f.body) | set(f.free) | {f.name}
    if after_tree is not None:
        for node in ast.walk(after_tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                node.value.s2s_module = True  # `rt.` of the driver's own text: not a user's name
        taken |= {n.id for n in ast.walk(after_tree) if isinstance(n, ast.Name) and not hasattr(n, "s2s_module")}
        taken |= {n.arg for n in ast.walk(after_tree) if isinstance(n, ast.arg)}
        taken |= {n.name for n in ast.walk(after_tree) if isinstance(n, ast.FunctionDef)}
    out = {}
    for alias in [a for _, _, a in prims.MODULES if a] + ["builtins"]:
        name, n = alias, 0
        while name in taken:
            n += 1
            name = f"{alias}_{n}"
        out[alias] = name
    out["<taken>"] = taken
    return out


def _import_line(alias: str, aliases: dict) -> str:
    """The import statement that binds module `alias` (np, rt, ...) under the name the module uses."""
    if alias == "builtins":
        line = "import builtins"
    else:
        line = next(line for _, line, a in prims.MODULES if a == alias)
    name = aliases.get(alias, alias)
    if name == alias:
        return line
    return line.rsplit(" as ", 1)[0] + f" as {name}"


def _arguments(params: list, defaults: list) -> ast.arguments:
    return ast.arguments(posonlyargs=[], args=[ast.arg(arg=p, annotation=None) for p in params], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=defaults)


def generate_vjp(fn: ir.Function, seed: str, header: str = "") -> str:
    """The module text of a vjp whose pullback is a closure over the forward sweep (`fn` marks where
    the adjoint begins). Its values are read, never reassigned, so the pullback can run many times."""
    fn = grow_in_place(leave_ssa(fn, restore=False), closure=True)
    gen = _Codegen(fn, _aliases([fn]))
    fdef = gen.closure_function(seed)
    imports = sorted(gen.imports, key=lambda line: (not line.startswith("import"), line))
    imports += data_imports(fn) + rule_imports(gen.keys)
    header, rules = rules_needed(gen.keys, fn.name, header)
    header, checks = _data_needed([fn], fn.name, header)
    return _render([ast.parse(line).body[0] for line in imports if line] + rules + checks + [fdef], header)


def rule_imports(keys) -> list[str]:
    """`import module` for the user modules whose custom rules the code calls (they register them)."""
    return [f"import {m}" for m in custom.modules_for(keys)]


class _Codegen:
    def __init__(self, fn: ir.Function, aliases: dict):
        self.fn = fn
        self.aliases = aliases
        self.imports: set[str] = set()
        self.keys: set[str] = set()  # the dotted primitives the code calls
        self.uses: dict[str, int] = {}
        self.defs: dict[str, ir.Assign] = {}
        self.inline: dict[str, ir.Call] = {}  # temporaries folded into their single use
        count_uses(fn.body, self.uses)
        body = short_circuits(fn.body, fn, self.uses, self.inline)
        if body is not fn.body:
            self.fn = fn = copy.copy(fn)
            fn.body = body
            self.uses = {}
            count_uses(fn.body, self.uses)
        self.last_loc = None
        self.loop_depth = 0
        self.views = views(fn.body)  # (name -> the names it may share memory with, and those it may hold)
        self.errstates = _errstate_ranges(fn.body)  # (file, first line, last line, call) of each np.errstate
        self.in_errstate = False  # rendering adjoint statements already inside one

    # ----- function
    def closure_function(self, seed: str) -> ast.FunctionDef:
        """`def name(params): <forward>; def pullback(seed): <adjoint>; return value, pullback`
        (the marker statement where the adjoint begins holds the value)."""
        fn = self.fn
        split = next(i for i, s in enumerate(fn.body) if isinstance(s, ir.Effect) and s.value.op == ADJOINT_BEGINS)
        value = fn.body[split].value.args[0]
        forward = self.block(fn.body[:split])
        self.last_loc = None
        name = "pullback"  # (another name if the user's code has one called so)
        for n in range(1, 1000):
            if name not in self.aliases["<taken>"]:
                break
            name = f"pullback_{n}"
        pullback = ast.FunctionDef(name=name, args=_arguments([seed], []), body=self.block(fn.body[split + 1:]),
                                   decorator_list=[], returns=None, type_comment=None)
        if "type_params" in ast.FunctionDef._fields:
            pullback.type_params = []
        ret = ast.Return(ast.Tuple([self.atom(value), ast.Name(name, ast.Load())], ast.Load()))
        params = [p for p in fn.params if p != seed]
        fdef = ast.FunctionDef(name=fn.name, args=self.arguments(params),
                               body=forward + [pullback, ret], decorator_list=[], returns=None, type_comment=None)
        if "type_params" in ast.FunctionDef._fields:
            fdef.type_params = []
        return fdef

    def function(self) -> ast.FunctionDef:
        fn = self.fn
        args = self.arguments(fn.params)
        body = free_dead_values(self.block(fn.body), fn.params)
        fdef = ast.FunctionDef(name=fn.name, args=args, body=body or [ast.Pass()], decorator_list=[], returns=None,
                               type_comment=None)
        if "type_params" in ast.FunctionDef._fields:
            fdef.type_params = []
        return fdef

    def arguments(self, params: list) -> ast.arguments:
        """The parameter list `def name(...)` of the function: the user's signature (`x, *args, k=1.0,
        **options`), with the parameters a transformation added (`dx`) keyword-only where it has more than
        positional ones."""
        fn = self.fn
        default = lambda d: self.atom(d) if isinstance(d, ir.Var) else self.const(d)  # noqa: E731
        sig = fn.signature
        if sig is None:
            return _arguments(params, [default(d) for d in fn.defaults])
        positional = fn.params[:sig.positional]
        own = set(positional) | set(sig.kwonly) | {sig.vararg, sig.kwarg}
        kwonly = list(sig.kwonly) + [p for p in params if p not in own]
        arg = lambda p: ast.arg(arg=p, annotation=None) if p else None  # noqa: E731
        return ast.arguments(posonlyargs=[], args=[arg(p) for p in positional], vararg=arg(sig.vararg),
                             kwonlyargs=[arg(p) for p in kwonly],
                             kw_defaults=[default(sig.kwdefaults[p]) if p in sig.kwdefaults else None
                                          for p in kwonly],
                             kwarg=arg(sig.kwarg), defaults=[default(d) for d in fn.defaults])

    # ----- statements
    def block(self, stmts: list, tail: list | None = None, test_read=None) -> list:
        """Render `stmts`, then the phi copies `tail` [(target, atom)] that end the block."""
        tail = tail or []
        reads = [a.name for _, a in tail if isinstance(a, ir.Var)]
        if isinstance(test_read, ir.Var):
            reads.append(test_read.name)
        plan_inlining(stmts, reads, self.fn, self.uses, self.views, self.inline, bool(self.loop_depth))
        out: list = []
        folded = None  # the user line of the temporaries folded into the next statement
        current = None  # the np.errstate the adjoint statements rendered last run under
        for s in stmts:
            if isinstance(s, ir.Assign) and s.target in self.inline:
                folded = s.loc or folded
                continue
            context = self._errstate_of(s)
            if context is not current:  # the adjoint of lines inside `with np.errstate(...)` runs under it too
                if current is not None:
                    out.append(_close_with())
                if context is not None:
                    out.append(self._open_with(context[3]))
                current = context
            outer, self.in_errstate = self.in_errstate, self.in_errstate or context is not None
            try:
                # a statement of no line of its own (an adjoint summed in a loop) is at the line of what it folds in
                self._comment(s if getattr(s, "loc", None) is not None or folded is None else _At(folded), out)
                folded = None
                out.extend(self.statement(s))
            finally:
                self.in_errstate = outer
        if current is not None:
            out.append(_close_with())
        out.extend(self.copies(tail))
        return _nest_with(out)

    def _errstate_of(self, s):
        """The `with np.errstate(...)` whose lines adjoint statement `s` comes from, if any."""
        loc = getattr(s, "loc", None)
        if self.in_errstate or not self.errstates or loc is None or not loc.adjoint:
            return None
        for found in self.errstates:
            if found[0] == loc.file and found[1] <= loc.line <= found[2]:
                return found
        return None

    def _open_with(self, call) -> ast.With:
        node = ast.With(items=[ast.withitem(context_expr=self.expr(call), optional_vars=None)], body=[],
                        type_comment=None)
        node.s2s_open = True
        return node

    def _comment(self, s, out: list) -> None:
        loc = getattr(s, "loc", None)
        if loc is None or loc.line <= 0:
            return
        key = (loc.line, loc.adjoint)
        if key == self.last_loc:
            return
        self.last_loc = key
        prefix = "adjoint of line" if loc.adjoint else "line"
        where = "" if not loc.file or loc.file == self.fn.filename else f" of {file_name(loc.file)}"
        out.append(_comment_node(f"{prefix} {loc.line}{where}: {loc.text}"))
        if loc.file:
            CITED_FILES.setdefault(file_name(loc.file), loc.file)

    def statement(self, s) -> list:
        if isinstance(s, (ir.Assign, ir.Effect)) and isinstance(s.value, ir.Call) and s.value.op == "setitem":
            args = s.value.args  # an element write, in place: y[index] = value
            parts = [self.index_part(a) for a in args[1:-1]]
            index = parts[0] if len(parts) == 1 else ast.Tuple(parts, ast.Load())
            target = ast.Subscript(self.atom(args[0]), index, ast.Store())
            added = self._added_to_itself(args) if s.loc is not None and s.loc.adjoint else None
            if added is not None:  # by[i] = by[i] + g  ->  by[i] += g: one in-place add into the buffer's part
                return [ast.AugAssign(target=target, op=ast.Add(), value=self.atom(added))]
            return [ast.Assign(targets=[target], value=self.atom(args[-1]), type_comment=None)]
        if isinstance(s, ir.Assign):
            return [ast.Assign(targets=[ast.Name(s.target, ast.Store())], value=self.expr(s.value), type_comment=None)]
        if isinstance(s, ir.Effect):
            if s.value.op in prims.WITH_CONTEXTS:  # with np.errstate(...): around what follows, up to END_WITH
                return [self._open_with(s.value)]
            if s.value.op == prims.END_WITH:
                return [_close_with()]
            if s.value.op == prims.GROW:  # xs += [v]: a list no other name holds, extended in place
                xs, v = s.value.args
                return [ast.AugAssign(ast.Name(xs.name, ast.Store()), ast.Add(), ast.List([self.atom(v)], ast.Load()))]
            if s.value.op == "raise":  # raise E(*args)
                cls, *args = s.value.args
                exc = ast.Call(self.atom(cls), [self.atom(a) for a in args], []) if args else self.atom(cls)
                return [ast.Raise(exc=exc, cause=None)]
            return [ast.Expr(self.expr(s.value))]
        if isinstance(s, ir.Return):
            return [ast.Return(self.atom(s.value))]
        if isinstance(s, ir.If):
            body = self.block(s.body, [(p.target, p.operands[0]) for p in s.phis])
            orelse = self.block(s.orelse, [(p.target, p.operands[1]) for p in s.phis])
            test = self.atom(s.test)
            if not body:
                body, orelse = orelse, []
                test = ast.UnaryOp(ast.Not(), test)
            self.last_loc = None
            if orelse and not s.phis and isinstance(body[-1], (ast.Break, ast.Continue, ast.Return)):
                # `if c: ...; continue` needs no else: the rest follows at the same level
                return [ast.If(test=test, body=body, orelse=[])] + orelse
            return [ast.If(test=test, body=body or [ast.Pass()], orelse=orelse)]
        if isinstance(s, ir.Loop):
            return self.loop(s)
        if isinstance(s, (ir.Break, ir.Continue)):
            jump = ast.Break() if isinstance(s, ir.Break) else ast.Continue()
            return self.copies(list(s.values.items())) + [jump]
        raise TypeError(f"cannot generate {type(s).__name__}")

    def loop(self, s: ir.Loop) -> list:
        self.loop_depth += 1
        try:
            return self._loop(s)
        finally:
            self.loop_depth -= 1

    def _loop(self, s: ir.Loop) -> list:
        if s.kind == "for" and s.loc is not None and s.loc.adjoint and isinstance(s.target, str) \
                and self.uses.get(s.target, 0) == 0 and "_" not in self.aliases["<taken>"]:
            s = _with_target(s, "_")  # a reversed loop that does not read its index
        before = self.copies([(p.target, p.operands[0]) for p in s.phis])
        back = [(p.target, p.operands[1]) for p in s.phis]
        if s.kind == "for":
            iter_expr = self.atom(s.iter)
            body = self.block(s.body, back)
            self.last_loc = None
            if isinstance(s.target, tuple):
                target = ast.Tuple([ast.Name(t, ast.Store()) for t in s.target], ast.Store())
            else:
                target = ast.Name(s.target or "_", ast.Store())
            return before + [ast.For(target=target, iter=iter_expr, body=body or [ast.Pass()], orelse=[],
                                     type_comment=None)]
        header = self.block(s.header, test_read=s.test)
        test = self.atom(s.test)
        body = self.block(s.body, back)
        self.last_loc = None
        if not header:
            return before + [ast.While(test=test, body=body or [ast.Pass()], orelse=[])]
        exit_ = ast.If(test=ast.UnaryOp(ast.Not(), test), body=[ast.Break()], orelse=[])
        return before + [ast.While(test=ast.Constant(True), body=header + [exit_] + body, orelse=[])]

    def copies(self, pairs: list) -> list:
        """Phi lowering: the parallel copies `a = x`, ordered so that none reads a name already
        overwritten (a copy reading b goes before b's own copy); a cycle becomes one tuple assignment."""
        pairs = [(t, v) for t, v in pairs if not (isinstance(v, ir.Var) and v.name == t)]
        rendered = [(t, self.atom(v)) for t, v in pairs]
        reads = {t: {n.id for n in ast.walk(v) if isinstance(n, ast.Name)} for t, v in rendered}
        ordered = []
        remaining = list(rendered)
        while remaining:
            for i, (t, v) in enumerate(remaining):
                if not any(t in reads[u] for u, _ in remaining if u != t):
                    ordered.append((t, v))
                    del remaining[i]
                    break
            else:  # a cycle such as a, b = b, a
                names = [ast.Name(t, ast.Store()) for t, _ in remaining]
                ordered.append((ast.Tuple(names, ast.Store()), ast.Tuple([v for _, v in remaining], ast.Load())))
                break
        return [ast.Assign(targets=[ast.Name(t, ast.Store()) if isinstance(t, str) else t], value=v,
                           type_comment=None) for t, v in ordered]

    # ----- expressions
    def _added_to_itself(self, args: tuple):
        """For the adjoint's `setitem(by, *index, v)` where v is `by[index] + g` (or `g + by[index]`), folded into
        this line, g; else None. NumPy reads `by[i] += g` as `by[i] = by[i] + g` with the sum made in place:
        the same values (the adjoint's buffers are floats, and a fancy index is read and written once, as
        there), one temporary array fewer."""
        value = args[-1]
        e = self.inline.get(value.name) if type(value) is ir.Var else None
        if not (isinstance(e, ir.Call) and e.op == "add" and len(e.args) == 2 and not e.kwargs):
            return None
        for part, other in ((e.args[0], e.args[1]), (e.args[1], e.args[0])):
            read = self.inline.get(part.name) if type(part) is ir.Var else None
            if isinstance(read, ir.Call) and read.op == "getitem" and not read.kwargs and \
                    tuple(read.args) == tuple(args[:-1]):
                return other
        return None

    def atom(self, a) -> ast.expr:
        if isinstance(a, ir.Var):
            if a.name in self.inline:
                return self.expr(self.inline[a.name])
            return ast.Name(a.name, ast.Load())
        return self.const(a.value)

    def const(self, v) -> ast.expr:
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return ast.Constant(v)
        if v is Ellipsis:
            return ast.Constant(...)
        if isinstance(v, slice):  # outside a subscript: slice(start, stop, step)
            return ast.Call(self.builtin("slice"), [self.const(x) for x in (v.start, v.stop, v.step)], [])
        if isinstance(v, tuple):
            return ast.Tuple([self.const(x) for x in v], ast.Load())
        if isinstance(v, numbers.Integral):
            v = int(v)
        elif isinstance(v, numbers.Real):
            v = float(v)
            if v != v or v in (float("inf"), float("-inf")):
                return ast.Call(self.builtin("float"), [ast.Constant(repr(v))], [])
        if isinstance(v, (int, float)) and v < 0:
            return ast.UnaryOp(ast.USub(), ast.Constant(-v))
        return ast.Constant(v)

    def builtin(self, name: str) -> ast.expr:
        """A builtin by its name, or as `builtins.name` where the user's code has a name so called."""
        if name not in self.aliases["<taken>"]:
            return ast.Name(name, ast.Load())
        self.imports.add(_import_line("builtins", self.aliases))
        return ast.Attribute(ast.Name(self.aliases["builtins"], ast.Load()), name, ast.Load())

    def func(self, key: str) -> ast.expr:
        self.keys.add(key)
        found = prims.module_of(key)
        if found is not None and not found[2]:  # a builtin
            return self.builtin(key[len(found[0]) + 1:])
        if found is not None and found[1]:
            self.imports.add(_import_line(found[2], self.aliases))
        parts = prims.spelling(key).split(".")
        if found is not None:
            parts[0] = self.aliases.get(parts[0], parts[0])
        node: ast.expr = ast.Name(parts[0], ast.Load())
        for p in parts[1:]:
            node = ast.Attribute(node, p, ast.Load())
        return node

    def expr(self, e) -> ast.expr:
        if not isinstance(e, ir.Call):
            return self.atom(e)
        op, args = e.op, e.args
        if op in prims.BINOPS:
            return ast.BinOp(self.atom(args[0]), prims.BINOPS[op](), self.atom(args[1]))
        if op in prims.UNARYOPS:
            return ast.UnaryOp(prims.UNARYOPS[op](), self.atom(args[0]))
        if op in prims.COMPAREOPS:
            return ast.Compare(self.atom(args[0]), [prims.COMPAREOPS[op]()], [self.atom(args[1])])
        if op in prims.BOOLOPS:
            return ast.BoolOp(prims.BOOLOPS[op](), [self.atom(a) for a in args])
        if op == "getitem":
            parts = [self.index_part(a) for a in args[1:]]
            index = parts[0] if len(parts) == 1 else ast.Tuple(parts, ast.Load())
            return ast.Subscript(self.atom(args[0]), index, ast.Load())
        if op == "tuple":
            return ast.Tuple([self.atom(a) for a in args], ast.Load())
        if op == "list":
            return ast.List([self.atom(a) for a in args], ast.Load())
        if op == "s2s.runtime.dict_of":  # a dict the function writes out: {"w": w, "b": b}
            return ast.Dict([ast.Constant(k) for k in args[0].value], [self.atom(a) for a in args[1:]])
        if op == prims.RECORD_NEW:  # a record the function builds: P(a=x, b=y)
            return ast.Call(self.atom(args[0]), [], [ast.keyword(k, self.atom(a))
                                                     for k, a in zip(args[1].value, args[2:])])
        if op == prims.APPENDED:  # a list the function grows: xs + [v]
            return ast.BinOp(self.atom(args[0]), ast.Add(), ast.List([self.atom(args[1])], ast.Load()))
        if op == "push":
            return ast.Call(ast.Attribute(self.atom(args[0]), "append", ast.Load()), [self.atom(args[1])], [])
        if op == "pop":
            return ast.Call(ast.Attribute(self.atom(args[0]), "pop", ast.Load()), [], [])
        if op == "slice":
            return ast.Call(self.builtin("slice"), [self.atom(a) for a in args], [])
        if op == "callmethod":  # a method of an opaque object
            return ast.Call(ast.Attribute(self.atom(args[0]), args[1].value, ast.Load()),
                            [self.atom(a) for a in args[2:]],
                            [ast.keyword(arg=k, value=self.atom(v)) for k, v in e.kwargs])
        if op in prims.SPELLED_AS_METHOD:  # x.astype(np.float32), x.item(): as the user wrote it
            return ast.Call(ast.Attribute(self.atom(args[0]), prims.SPELLED_AS_METHOD[op], ast.Load()),
                            [self.atom(a) for a in args[1:]],
                            [ast.keyword(arg=k, value=self.atom(v)) for k, v in e.kwargs])
        if op == "getattr":  # an attribute of an object: self.W, params.b
            return ast.Attribute(self.atom(args[0]), args[1].value, ast.Load())
        if op in prims.SPELLED_AS_ATTRIBUTE:  # x.dtype
            return ast.Attribute(self.atom(args[0]), prims.SPELLED_AS_ATTRIBUTE[op], ast.Load())
        if op == "call":  # a callable without rule or source, called as the user called it
            return ast.Call(self.atom(args[0]), [self.atom(a) for a in args[1:]],
                            [ast.keyword(arg=k, value=self.atom(v)) for k, v in e.kwargs])
        return ast.Call(self.func(op), [self.atom(a) for a in args],
                        [ast.keyword(arg=k, value=self.atom(v)) for k, v in e.kwargs])

    def index_part(self, a) -> ast.expr:
        if isinstance(a, ir.Const) and isinstance(a.value, slice):
            v = a.value
            return ast.Slice(*(None if x is None else self.const(x) for x in (v.start, v.stop, v.step)))
        if isinstance(a, ir.Var) and a.name in self.inline and self.inline[a.name].op == "slice":
            parts = self.inline[a.name].args
            return ast.Slice(*(None if isinstance(p, ir.Const) and p.value is None else self.atom(p) for p in parts))
        return self.atom(a)


@dataclass(frozen=True)
class _At:
    """A statement's place for `_comment`: the line of the temporaries folded into it."""
    loc: ir.Loc
