"""Stage 5: IR -> Python AST -> source text (rendered with astor).

Guarantees: the text is a self-contained module (it imports what it uses) whose
last function is the entry point; compiler temporaries used once are folded
into the expression that uses them, so the code reads like hand-written NumPy;
phis become assignments (at the end of each branch, before a loop and at each
back edge, as one tuple assignment where they depend on each other); each group
of statements from one user line is headed by a `# line N: ...` comment
(`# adjoint of line N: ...` in the reverse sweep).
"""
from __future__ import annotations

import ast
import numbers
import os
import re

import astor

from . import ir, prims

COMMENT = "__s2s_comment__"


def generate(fn: ir.Function, header: str = "", before: tuple = (), after: str = "") -> str:
    """The module text for `fn`: its imports, the functions `before` it, `fn`, then the
    Python text `after` (an entry point written by the driver, e.g. vjp's)."""
    imports: set[str] = set()
    data: list[str] = []
    keys: set[str] = set()
    defs = []
    for f in tuple(before) + (fn,):
        f = name_arrays(restore_names(coalesce_phis(f)))
        gen = _Codegen(f)
        defs.append(gen.function())
        imports |= gen.imports
        keys |= gen.keys
        data += [line for line in data_imports(f) if line not in data]
    if after:
        tree = ast.parse(after)
        defs += tree.body
        imports |= {line for _, line, alias in prims.MODULES if alias and re.search(rf"\b{alias}\.", after) and line}
    imports = sorted(imports, key=lambda line: (not line.startswith("import"), line))
    imports += data + rule_imports(keys)
    module_body = [ast.parse(line).body[0] for line in imports if line]
    module_body += defs
    module = ast.Module(body=module_body, type_ignores=[])
    text = astor.to_source(module, pretty_source=_pretty_source)
    text = _comments(text)
    text = re.sub(r"\n(def |import |from )", lambda m: "\n" + ("\n\n" if m.group(1) == "def " else "") + m.group(1), text)
    text = re.sub(r"\n{4,}", "\n\n\n", text)
    if header:
        text = header + "\n" + text
    return text


def rule_imports(keys) -> list[str]:
    """`import module` for the user modules whose custom rules the code calls (they register them)."""
    from .rules import custom
    return [f"import {m}" for m in custom.modules_for(keys)]


def data_imports(fn: ir.Function) -> list[str]:
    """`from module import name` for the data the function reads from its module.

    Data captured from a closure cannot be imported; compile_source supplies it.
    """
    lines = []
    for name, (obj, module) in sorted(fn.free.items()):
        if module is not None and module != "__main__" or module == "__main__":
            if module is not None:
                lines.append(f"from {module} import {name}")
    return lines


def _pretty_source(source):
    return "".join(source)


def _comments(text: str) -> str:
    out = []
    pattern = re.compile(r"^(\s*)('''|\"\"\"|'|\")" + COMMENT + r"(.*?)\2\s*$")
    for line in text.split("\n"):
        m = pattern.match(line)
        if m:
            body = m.group(3)
            out.append(f"{m.group(1)}# {body}")
        else:
            out.append(line)
    return "\n".join(out)


class _Codegen:
    def __init__(self, fn: ir.Function):
        self.fn = fn
        self.imports: set[str] = set()
        self.keys: set[str] = set()  # the dotted primitives the code calls
        self.uses: dict[str, int] = {}
        _count_uses(fn.body, self.uses)
        self.defs: dict[str, ir.Assign] = {}
        self.inline: dict[str, ir.Call] = {}  # temporaries folded into their single use
        self.last_loc = None
        self.loop_depth = 0

    # ----- function
    def function(self) -> ast.FunctionDef:
        fn = self.fn
        args = ast.arguments(posonlyargs=[], args=[ast.arg(arg=p, annotation=None) for p in fn.params],
                             vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None,
                             defaults=[self.const(d) for d in fn.defaults])
        body = self.block(fn.body)
        fdef = ast.FunctionDef(name=fn.name, args=args, body=body or [ast.Pass()], decorator_list=[], returns=None,
                               type_comment=None)
        if "type_params" in ast.FunctionDef._fields:
            fdef.type_params = []
        return fdef

    # ----- statements
    def block(self, stmts: list, tail: list | None = None, test_read=None) -> list:
        """Render `stmts`, then the phi copies `tail` [(target, atom)] that end the block."""
        tail = tail or []
        reads = [a.name for _, a in tail if isinstance(a, ir.Var)]
        if isinstance(test_read, ir.Var):
            reads.append(test_read.name)
        self._plan_inlining(stmts, reads)
        out: list = []
        for s in stmts:
            if isinstance(s, ir.Assign) and s.target in self.inline:
                continue
            self._comment(s, out)
            out.extend(self.statement(s))
        out.extend(self.copies(tail))
        return out

    def _comment(self, s, out: list) -> None:
        loc = getattr(s, "loc", None)
        if loc is None or loc.line <= 0:
            return
        key = (loc.line, loc.adjoint)
        if key == self.last_loc:
            return
        self.last_loc = key
        prefix = "adjoint of line" if loc.adjoint else "line"
        where = "" if not loc.file or loc.file == self.fn.filename else f" of {os.path.basename(loc.file)}"
        out.append(ast.Expr(ast.Constant(f"{COMMENT}{prefix} {loc.line}{where}: {loc.text}")))
        if loc.file:
            CITED_FILES.setdefault(os.path.basename(loc.file), loc.file)

    def statement(self, s) -> list:
        if isinstance(s, (ir.Assign, ir.Effect)) and isinstance(s.value, ir.Call) and s.value.op == "setitem":
            args = s.value.args  # an element write, in place: y[index] = value
            parts = [self.index_part(a) for a in args[1:-1]]
            index = parts[0] if len(parts) == 1 else ast.Tuple(parts, ast.Load())
            target = ast.Subscript(self.atom(args[0]), index, ast.Store())
            return [ast.Assign(targets=[target], value=self.atom(args[-1]), type_comment=None)]
        if isinstance(s, ir.Assign):
            return [ast.Assign(targets=[ast.Name(s.target, ast.Store())], value=self.expr(s.value), type_comment=None)]
        if isinstance(s, ir.Effect):
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
                and self.uses.get(s.target, 0) == 0:
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

    # ----- folding temporaries into their use
    def _plan_inlining(self, stmts: list, tail_reads: list) -> None:
        """A temporary used once, later in the same block and not inside a nested loop, is folded there."""
        pending: dict[str, ir.Call] = {}
        for s in stmts:
            for name in _top_level_reads(s):
                if name in pending:
                    self.inline[name] = pending.pop(name)
            if isinstance(s, ir.Loop):
                for name in _phi_init_reads(s):
                    if name in pending:
                        self.inline[name] = pending.pop(name)
            if isinstance(s, ir.If):
                for name in _tail_reads(s):
                    pending.pop(name, None)
            # after phi coalescing a name may be reassigned: what reads it can no longer move past
            for written in _writes(s):
                for name in [n for n, call in pending.items() if written in self._reads_of(call, pending)]:
                    del pending[name]
            foldable = s.target in self.fn.temps or (self.loop_depth and s.target in self.fn.loop_temps) \
                if isinstance(s, ir.Assign) else False  # (in a loop body every statement counts: fold adjoints too)
            if (foldable and isinstance(s.value, ir.Call)
                    and self.uses.get(s.target, 0) == 1 and s.value.op not in ("pop", "list", "setitem")):
                pending[s.target] = s.value
        for name in tail_reads:
            if name in pending:
                self.inline[name] = pending.pop(name)

    def _reads_of(self, call: ir.Call, pending: dict) -> set:
        """Every name `call` reads, through the temporaries folded (or to be folded) into it."""
        from .walk import vars_of
        out = set()
        for n in vars_of(call):
            out.add(n)
            inner = self.inline.get(n) or pending.get(n)
            if inner is not None:
                out |= self._reads_of(inner, pending)
        return out

    # ----- expressions
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
            return ast.Call(ast.Name("slice", ast.Load()), [self.const(x) for x in (v.start, v.stop, v.step)], [])
        if isinstance(v, tuple):
            return ast.Tuple([self.const(x) for x in v], ast.Load())
        if isinstance(v, numbers.Integral):
            v = int(v)
        elif isinstance(v, numbers.Real):
            v = float(v)
            if v != v or v in (float("inf"), float("-inf")):
                return ast.Call(ast.Name("float", ast.Load()), [ast.Constant(repr(v))], [])
        if isinstance(v, (int, float)) and v < 0:
            return ast.UnaryOp(ast.USub(), ast.Constant(-v))
        return ast.Constant(v)

    def func(self, key: str) -> ast.expr:
        self.keys.add(key)
        found = prims.module_of(key)
        if found is not None and found[1]:
            self.imports.add(found[1])
        parts = prims.spelling(key).split(".")
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
        if op == "push":
            return ast.Call(ast.Attribute(self.atom(args[0]), "append", ast.Load()), [self.atom(args[1])], [])
        if op == "pop":
            return ast.Call(ast.Attribute(self.atom(args[0]), "pop", ast.Load()), [], [])
        if op == "slice":
            return ast.Call(ast.Name("slice", ast.Load()), [self.atom(a) for a in args], [])
        if op == "callmethod":  # a method of an opaque object
            return ast.Call(ast.Attribute(self.atom(args[0]), args[1].value, ast.Load()),
                            [self.atom(a) for a in args[2:]],
                            [ast.keyword(arg=k, value=self.atom(v)) for k, v in e.kwargs])
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


def _count_uses(stmts: list, uses: dict) -> None:
    from .walk import vars_of

    def use(a):
        if isinstance(a, ir.Var):
            uses[a.name] = uses.get(a.name, 0) + 1

    for s in stmts:
        if isinstance(s, (ir.Assign, ir.Effect)):
            for n in vars_of(s.value):
                uses[n] = uses.get(n, 0) + 1
        elif isinstance(s, ir.Return):
            use(s.value)
        elif isinstance(s, ir.If):
            use(s.test)
            _count_uses(s.body, uses)
            _count_uses(s.orelse, uses)
            for p in s.phis:
                for o in p.operands:
                    use(o)
        elif isinstance(s, ir.Loop):
            use(s.iter)
            use(s.test)
            _count_uses(s.header, uses)
            _count_uses(s.body, uses)
            for p in s.phis:
                for o in p.operands:
                    use(o)
        elif isinstance(s, (ir.Break, ir.Continue)):
            for v in s.values.values():
                use(v)


def _top_level_reads(s) -> list[str]:
    """Names a statement reads outside its nested blocks (where a folded temporary may go)."""
    from .walk import vars_of
    if isinstance(s, (ir.Assign, ir.Effect)):
        return vars_of(s.value)
    if isinstance(s, ir.Return):
        return vars_of(s.value)
    if isinstance(s, ir.If):
        return vars_of(s.test)
    if isinstance(s, ir.Loop) and s.kind == "for":
        return vars_of(s.iter)
    return []


def _writes(s) -> list[str]:
    from .walk import defined_names
    if isinstance(s, (ir.Assign, ir.Effect)) and isinstance(s.value, ir.Call) and s.value.op == "setitem":
        base = s.value.args[0]
        return [base.name] if isinstance(base, ir.Var) else []  # an element write changes the array
    if isinstance(s, ir.Assign):
        if isinstance(s.value, ir.Call) and s.value.op in IN_PLACE and isinstance(s.value.args[0], ir.Var):
            return [s.target, s.value.args[0].name]  # the helper changes its first argument
        return [s.target]
    if isinstance(s, (ir.If, ir.Loop)):
        inner = s.body + (s.orelse if isinstance(s, ir.If) else s.header)
        return defined_names([s]) + [n for t in inner for n in _writes(t)]
    return []


def _phi_init_reads(s: ir.Loop) -> list[str]:
    return [o.name for p in s.phis for o in p.operands[:1] if isinstance(o, ir.Var)]


def _tail_reads(s: ir.If) -> list[str]:
    return [o.name for p in s.phis for o in p.operands if isinstance(o, ir.Var)]


def coalesce_phis(fn: ir.Function) -> ir.Function:
    """Let a value feeding only a phi be computed straight into the phi's name.

    `if c: y = x * x; y_2 = y` becomes `if c: y_2 = x * x`, and a loop body's
    `y_1 = y * x + 1.0; ...; y = y_1` becomes `y = y * x + 1.0` when nothing
    after it in the body reads the old `y`. The result is no longer SSA; it is
    only rendered.
    """
    import copy as _copy
    fn = _copy.deepcopy(fn)
    uses: dict = {}
    _count_uses(fn.body, uses)
    _coalesce_block(fn.body, uses)
    return fn


def _coalesce_block(stmts: list, uses: dict) -> None:
    from .walk import used_names
    for s in stmts:
        if isinstance(s, ir.If):
            _coalesce_block(s.body, uses)
            _coalesce_block(s.orelse, uses)
            for p in s.phis:
                for k, block in ((0, s.body), (1, s.orelse)):
                    v = p.operands[k]
                    d = _top_definition(block, v)
                    if d is None or uses.get(v.name) != 1:
                        continue
                    i = next(j for j, t in enumerate(block) if t is d)
                    others = {o.name for q in s.phis if q is not p for o in q.operands[k:k + 1]
                              if isinstance(o, ir.Var)}
                    if p.target in used_names(block[i + 1:]) | others:
                        continue  # the branch still reads the old value of that name after the definition
                    d.target = p.target
                    p.operands[k] = ir.Var(p.target)
        elif isinstance(s, ir.Loop):
            others = [o for p in s.phis for o in p.operands[1:] if isinstance(o, ir.Var)]
            for p in s.phis:
                v = p.operands[1]
                found = _definition_and_later_reads(s.body, v) if isinstance(v, ir.Var) else None
                if found is None:
                    continue
                d, later = found
                if p.target in later | {o.name for o in others if o != v}:
                    continue  # (jumps before the definition read the old value, as they should)
                # from its definition on, the new value lives in the phi's own name: every read of it
                # (later in the body, at the back edge, at a break) reads that name
                d.target = p.target
                from .ssa import substitute_block
                substitute_block(s.body, {v.name: ir.Var(p.target)})
                for q in s.phis:
                    q.operands = [ir.Var(p.target) if o == v else o for o in q.operands]
            _coalesce_block(s.body, uses)  # after: an inner if's phi renamed here passes its name on


def _definition_and_later_reads(block: list, v: ir.Var):
    """(the Assign or Phi defining `v` in `block` or its ifs, the names read after it), or None."""
    from .walk import used_names
    for i, s in enumerate(block):
        after = used_names(block[i + 1:])
        if isinstance(s, ir.Assign) and s.target == v.name:
            return s, after
        if isinstance(s, ir.If):
            for p in s.phis:
                if p.target == v.name:
                    return p, after
            tails = {o.name for p in s.phis for o in p.operands if isinstance(o, ir.Var)}
            for branch in (s.body, s.orelse):
                found = _definition_and_later_reads(branch, v)
                if found is not None:
                    return found[0], found[1] | after | tails
    return None


def _top_definition(block: list, v):
    if not isinstance(v, ir.Var):
        return None
    for s in block:
        if isinstance(s, ir.Assign) and s.target == v.name:
            return s
    return None


def _jump_reads(stmts: list) -> set:
    out = set()
    for s in stmts:
        if isinstance(s, (ir.Break, ir.Continue)):
            out.update(v.name for v in s.values.values() if isinstance(v, ir.Var))
        elif isinstance(s, ir.If):
            out |= _jump_reads(s.body) | _jump_reads(s.orelse)
    return out


def _with_target(s: ir.Loop, name: str) -> ir.Loop:
    import copy as _copy
    s = _copy.copy(s)
    s.target = name
    return s


def restore_names(fn: ir.Function) -> ir.Function:
    """Let a stack pop restore a value under its own name: `y = y_saved.pop()`, not `y_2 = ...`.

    Safe when nothing after the reversed loop reads the forward name (its value
    after the forward loop is needed only by adjoints emitted before the reversed
    loop, and those already ran).
    """
    if not fn.restores:
        return fn
    import copy as _copy
    from .ssa import substitute_block
    fn = _copy.deepcopy(fn)
    renames: dict[str, str] = {}
    _restore_block(fn.body, set(), fn.restores, renames)
    if renames:
        _rename_targets(fn.body, renames)
        substitute_block(fn.body, {k: ir.Var(v) for k, v in renames.items()})
    return fn


def _restore_block(stmts: list, later: set, restores: dict, renames: dict) -> None:
    from .walk import used_names
    for i, s in enumerate(stmts):
        after = later | used_names(stmts[i + 1:])
        if isinstance(s, ir.Loop):
            tails = {o.name for p in s.phis for o in p.operands if isinstance(o, ir.Var)}
            for name in _pop_targets(s.body) + _loop_targets(s):
                original = restores.get(name)
                if original is not None and original not in after and original not in renames.values():
                    renames[name] = original
            _restore_block(s.body, after | tails, restores, renames)
        elif isinstance(s, ir.If):
            tails = {o.name for p in s.phis for o in p.operands if isinstance(o, ir.Var)}
            _restore_block(s.body, after | tails, restores, renames)
            _restore_block(s.orelse, after | tails, restores, renames)


def _pop_targets(stmts: list) -> list:
    out = []
    for s in stmts:
        if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) and s.value.op == "pop":
            out.append(s.target)
        elif isinstance(s, ir.If):
            out += _pop_targets(s.body) + _pop_targets(s.orelse)
    return out


def name_arrays(fn: ir.Function) -> ir.Function:
    """Every version of an array written in place takes the array's own name (`y[i] = v` changes y)."""
    if not fn.arrays:
        return fn
    import copy as _copy
    from .ssa import substitute_block
    fn = _copy.deepcopy(fn)
    _rename_targets(fn.body, fn.arrays)
    substitute_block(fn.body, {k: ir.Var(v) for k, v in fn.arrays.items() if k != v})
    return fn


def _loop_targets(s: ir.Loop) -> list:
    return [s.target] if isinstance(s.target, str) else list(s.target or ())


def _rename_targets(stmts: list, renames: dict) -> None:
    for s in stmts:
        if isinstance(s, ir.Assign) and s.target in renames:
            s.target = renames[s.target]
        elif isinstance(s, ir.If):
            _rename_targets(s.body, renames)
            _rename_targets(s.orelse, renames)
            for p in s.phis:
                p.target = renames.get(p.target, p.target)
        elif isinstance(s, ir.Loop):
            for p in s.phis:
                p.target = renames.get(p.target, p.target)
            if isinstance(s.target, str):
                s.target = renames.get(s.target, s.target)
            elif s.target:
                s.target = tuple(renames.get(t, t) for t in s.target)
            _rename_targets(s.body, renames)


# runtime helpers that change their first argument in place (reads of it must not move past them)
IN_PLACE = {"s2s.runtime.zero_at", "s2s.runtime.add_at"}
# base name -> path of the user files that `# line N of NAME: ...` comments cite
CITED_FILES: dict[str, str] = {}
_LINE_COMMENT = re.compile(r"^\s*# (?:adjoint of )?line (\d+)(?: of ([^:]+))?: ")


def line_map(text: str, default_file: str) -> dict:
    """Generated line number -> (user file, user line), read off the `# line N: ...` comments.

    Every statement follows the comment of the user line it came from, so the
    map stays right whatever the optimisations removed or folded."""
    out = {}
    current = None
    for number, line in enumerate(text.splitlines(), start=1):
        m = _LINE_COMMENT.match(line)
        if m:
            name = m.group(2)
            current = (CITED_FILES.get(name, name) if name else default_file, int(m.group(1)))
            continue
        if current is not None and line.strip() and not line.lstrip().startswith(("#", "def ", "import ", "from ")):
            out[number] = current
    return out
