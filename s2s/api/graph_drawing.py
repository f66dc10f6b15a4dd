"""The drawing behind `s2s.graph`: nodes, clusters and edges of one IR function, labelled in Python's spelling.

Built by walking the statement lists in order (never from sets or ids), so it is deterministic;
`graph_dot.py` writes it as DOT text.
"""
from __future__ import annotations

import ast
import numbers
import re
from dataclasses import dataclass, field

from s2s import ir, prims
from s2s.prims import ADJOINT_BEGINS
from s2s.ir.walk import adjoint_names, count_uses

# single-use temporaries folded into the node that reads them: they only feed a loop, a test or the result
PLUMBING = frozenset({"range", "reversed", "zip", "enumerate", "tuple", "slice", "builtins.range",
                      "builtins.reversed", "builtins.zip", "builtins.enumerate"})
TESTS = frozenset(prims.COMPAREOPS) | frozenset(prims.BOOLOPS) | {"not"}
COMMUTATIVE = frozenset({"add", "mul", "eq", "ne", "and", "or", "bitand", "bitor", "bitxor"})
STACK_OPS = frozenset({"push", "pop"})
CHECKS = frozenset({"s2s.runtime.require_scalar", "s2s.runtime.require_bound", "s2s.runtime.require_immutable",
                    "s2s.runtime.require_unshared"})
UNNAMED = "·"


@dataclass
class Node:
    id: str
    label: str
    kind: str
    tooltip: str = ""


@dataclass
class Cluster:
    id: str
    label: str
    kind: str
    items: list = field(default_factory=list)
    tooltip: str = ""


@dataclass
class Edge:
    source: str  # an SSA name (resolved through folded temporaries when the DOT is written)
    target: str  # a node id, or with `target_by_name` an SSA name
    label: str = ""
    style: str = ""  # extra DOT attributes
    target_by_name: bool = False


class Drawing:
    """Nodes, clusters and edges of one IR function, built by walking its statement lists in order."""

    def __init__(self, fn: ir.Function, users: set, mode: str | None, n_params: int):
        self.fn = fn
        self.users = set(users)
        self.mode = mode
        self.uses: dict = {}
        count_uses(fn.body, self.uses)
        self.folded: dict[str, ir.Call] = {}  # temporary -> the call it is folded into its reader as
        self.node_of: dict[str, str] = {}  # SSA name -> node id
        self.kind_of: dict[str, str] = {}  # node id -> kind
        self.edges: list[Edge] = []
        self.order: list[tuple[str, str]] = []  # invisible edges that only order the layout
        self.below = None  # (the forward sweep's last node, the reverse sweep's nodes): drawn below it
        self.ids: set[str] = set()
        self.counter = 0
        self.stacks = {s.value.args[0].name for s in ir.statements(fn.body)
                       if isinstance(s, ir.Effect) and isinstance(s.value, ir.Call) and s.value.op == "push"
                       and s.value.args and isinstance(s.value.args[0], ir.Var)}
        self.tangent_params = list(fn.params[n_params:]) if mode == "forward" else []
        self.seeds = list(fn.params[n_params:]) if mode == "reverse" else []  # a vjp's cotangent
        self.adjoint_names = adjoint_names(fn.body) | set(self.seeds) if mode == "reverse" else set()
        self.derived = self._derived_names()  # adjoints (reverse mode) or tangents (forward mode)
        self.named = {t for s in ir.statements(fn.body) for t in _targets(s) if not self.is_temp(t)}
        self._plan(fn.body)
        self.root: list = []
        for p in fn.params:
            kind = "tangent_param" if p in self.tangent_params else "seed_param" if p in self.seeds else "param"
            self.root.append(self._node(p, self.display(p), kind, name=p))
        body = fn.body[:-1] if fn.body and isinstance(fn.body[-1], ir.Return) else fn.body
        start = self._reverse_start(body) if mode == "reverse" else None
        if start is None:
            self._block(body, self.root)
        else:
            for sweep, stmts, label in (("forward", body[:start], "forward sweep: the value"),
                                        ("reverse", body[start:], "reverse sweep: the adjoints, in reverse order")):
                if stmts:
                    cluster = Cluster(f"cluster_{sweep}", label, f"{sweep}_sweep")
                    self._block(stmts, cluster.items)
                    self.root.append(cluster)
            sweeps = [c for c in self.root if isinstance(c, Cluster)]
            if len(sweeps) == 2:  # (layout only: the reverse sweep below the forward sweep)
                self.below = (_last_node(sweeps[0].items), _all_nodes(sweeps[1].items))
        if fn.body and isinstance(fn.body[-1], ir.Return):
            ret = fn.body[-1]
            node = self._node("return", _return_label(self.operands_text(ret.value)), "result", tooltip=self._where(ret))
            self.root.append(node)
            self._reads(ret.value, node.id)

    # ----- names
    def display(self, name: str) -> str:
        """The name behind an SSA version (`y_2` -> `y`, `bx_1` -> `bx`, `y_old_1` -> `y_old`): yours, its
        adjoint's or tangent's, or another name of the function; other names as they are."""
        if name in self.users:
            return name
        m = re.fullmatch(r"(.+?)(?:_\d+)+", name)
        if m:
            base = m.group(1)
            if base in self.users or (base[:1] in "bd" and base[1:] in self.users) or base in self.named:
                return base
        return name

    def is_temp(self, name: str) -> bool:
        """A compiler temporary (`t3`: the name generator spells no other name so), the adjoint or
        tangent of one (`bt3`, `dt3_1`), or a name made from one (`t9_saved`); never a name you wrote."""
        if name in self.users:
            return False
        return re.fullmatch(r"[bd]?t\d+(?:_[A-Za-z]\w*?)?(?:_\d+)*", name) is not None

    def _derived_names(self) -> set:
        """The names whose values are adjoints (reverse) or tangents (forward): seeded by the adjoint
        names the reverse stage made (or the tangent parameters), closed under data dependence."""
        seeds = set(self.adjoint_names) | set(self.tangent_params)
        if not seeds:
            return set()
        derived = set(seeds)
        changed = True
        while changed:  # (loops: a back edge is read before it is defined)
            changed = False
            for s in ir.statements(self.fn.body):
                targets = _targets(s)
                if not targets or all(t in derived for t in targets):
                    continue
                if isinstance(s, (ir.If, ir.Loop)):
                    for p in s.phis:
                        if p.target not in derived and any(isinstance(o, ir.Var) and o.name in derived
                                                           for o in p.operands):
                            derived.add(p.target)
                            changed = True
                    continue
                if any(isinstance(a, ir.Var) and a.name in derived for a in ir.operands(s)):
                    derived.update(targets)
                    changed = True
        return derived

    def _reverse_start(self, body: list) -> int | None:
        """Where the reverse sweep begins in the top-level statements: the first statement emitted for
        an adjoint (its line is an adjoint's) or touching an adjoint name."""
        for i, s in enumerate(body):
            for t in ir.statements([s]):
                if getattr(t, "loc", None) is not None and t.loc.adjoint:
                    return i
                names = set(_targets(t)) | {a.name for a in ir.operands(t) if isinstance(a, ir.Var)}
                if names & self.adjoint_names:
                    return i
        return None

    # ----- folding the plumbing
    def _plan(self, stmts: list, tests: tuple = ()) -> None:
        """Fold the temporaries of `stmts` that only feed a loop header, a test, the result or other
        plumbing; `tests` are the names a while loop's test reads after its header block `stmts`.

        A temporary is folded when every one of its reads is in `stmts` (nested blocks included) and
        is a place where an expression may stand: a call's argument, a test, a loop's iterable, the
        result. Its value is the same at each of them (SSA), so its text can stand in each."""
        sites = _folding_sites(stmts, tests)
        for s in stmts:
            if isinstance(s, ir.Assign) and isinstance(s.value, ir.Call) and self.is_temp(s.target):
                uses = self.uses.get(s.target, 0)
                op = s.value.op
                if op in PLUMBING and uses and sites[0].get(s.target, 0) == uses:
                    self.folded[s.target] = s.value
                elif op in TESTS and uses and sites[1].get(s.target, 0) == uses:
                    self.folded[s.target] = s.value
            for i, block in enumerate(ir.blocks(s)):
                header = isinstance(s, ir.Loop) and i == 0
                self._plan(block, (s.test,) if header and s.test is not None else ())

    # ----- nodes
    def fresh_id(self, base: str) -> str:
        ident = base
        while ident in self.ids:
            self.counter += 1
            ident = f"{base}#{self.counter}"
        self.ids.add(ident)
        return ident

    def _node(self, base: str, label: str, kind: str, name: str | None = None, tooltip: str = "") -> Node:
        node = Node(self.fresh_id(base), label, kind, tooltip)
        self.kind_of[node.id] = kind
        if name is not None:
            self.node_of[name] = node.id
        return node

    def _where(self, s) -> str:
        loc = getattr(s, "loc", None)
        if loc is None:
            return ""
        return f"{'adjoint of ' if loc.adjoint else ''}line {loc.line}: {loc.text.strip()}"

    def _value_kind(self, name: str) -> str:
        if name in self.stacks:
            return "saved"
        if name in self.derived:
            return "adjoint" if self.mode == "reverse" else "tangent"
        return "value"

    def _block(self, stmts: list, out: list) -> None:
        for s in stmts:
            if isinstance(s, ir.Assign):
                if s.target in self.folded:
                    continue
                kind = self._value_kind(s.target)
                if isinstance(s.value, ir.Call) and s.value.op == "pop":
                    kind = "saved"
                node = self._node(s.target, self._assign_label(s), kind, name=s.target, tooltip=self._where(s))
                out.append(node)
                self._reads(s.value, node.id)
            elif isinstance(s, ir.Effect):
                call = s.value
                if call.op == "push" and len(call.args) == 2 and isinstance(call.args[0], ir.Var):
                    # a loop saves a value for the reversed loop: an edge into the stack
                    if isinstance(call.args[1], ir.Var):
                        self.edges.append(Edge(call.args[1].name, call.args[0].name, "save",
                                                'style=dashed, color="#777777"', target_by_name=True))
                    continue
                if call.op in CHECKS or call.op == ADJOINT_BEGINS:  # (they compute nothing: not drawn)
                    continue
                if call.op == "setitem" and len(call.args) >= 3 and isinstance(call.args[0], ir.Var):
                    # an element write in place (y[i] = v): it looks like the array it changes
                    kind = self._value_kind(call.args[0].name)
                    label = self._element_write(call, self._letters(call))
                else:
                    kind, label = "effect", self.operands_text(call)
                node = self._node("effect", label, kind, tooltip=self._where(s))
                out.append(node)
                self._reads(call, node.id)
            elif isinstance(s, ir.If):
                self._if(s, out)
            elif isinstance(s, ir.Loop):
                self._loop(s, out)
            elif isinstance(s, (ir.Break, ir.Continue)):
                word = "break" if isinstance(s, ir.Break) else "continue"
                node = self._node(word, word, "jump", tooltip=self._where(s))
                out.append(node)
                for value in s.values.values():  # the values the loop's names take as it jumps
                    if isinstance(value, ir.Var):
                        self.edges.append(Edge(value.name, node.id, "", "style=dashed"))
            elif isinstance(s, ir.Return):  # a return inside a region (the last one is drawn by the caller)
                node = self._node("return", _return_label(self.operands_text(s.value)), "result", tooltip=self._where(s))
                out.append(node)
                self._reads(s.value, node.id)

    def _if(self, s: ir.If, out: list) -> None:
        adjoint = s.loc is not None and s.loc.adjoint
        line = f" (line {s.loc.line})" if s.loc is not None else ""
        cluster = Cluster(self.fresh_id("cluster_if"), f"{'adjoint of the ' if adjoint else ''}if{line}", "if",
                           tooltip=self._where(s))
        test = self._node("if", "if " + self.operands_text(s.test), "test", tooltip=self._where(s))
        cluster.items.append(test)
        self._reads(s.test, test.id)
        for word, stmts in (("then", s.body), ("else", s.orelse)):
            if stmts:
                branch = Cluster(self.fresh_id(f"{cluster.id}_{word}"), word, "branch")
                self._block(stmts, branch.items)
                cluster.items.append(branch)
                first = _first_node(branch.items)
                if first is not None:  # (layout only: the test above its branches)
                    self.order.append((test.id, first.id))
        out.append(cluster)
        for p in s.phis:
            out.append(self._phi(p, ("then", "else"), s))

    def _loop(self, s: ir.Loop, out: list) -> None:
        adjoint = s.loc is not None and s.loc.adjoint
        line = f" (line {s.loc.line})" if s.loc is not None else ""
        cluster = Cluster(self.fresh_id("cluster_loop"), f"{'adjoint of the ' if adjoint else ''}loop{line}",
                           "loop", tooltip=self._where(s))
        for p in s.phis:
            cluster.items.append(self._phi(p, ("enter", "next"), s))
        if s.kind == "for":
            targets = [s.target] if isinstance(s.target, str) else list(s.target or ())
            label = f"for {', '.join(self.text(ir.Var(t)) for t in targets)} in {self.operands_text(s.iter)}"
            node = self._node("for", label, "header", tooltip=self._where(s))
            for t in targets:
                self.node_of[t] = node.id
            cluster.items.append(node)
            self._reads(s.iter, node.id)
        else:
            self._block(s.header, cluster.items)
            node = self._node("while", "while " + self.operands_text(s.test), "test", tooltip=self._where(s))
            cluster.items.append(node)
            self._reads(s.test, node.id)
        body = len(cluster.items)
        self._block(s.body, cluster.items)
        first = _first_node(cluster.items[body:])
        if first is not None:  # (layout only: the loop's header above its body)
            self.order.append((node.id, first.id))
        out.append(cluster)

    def _phi(self, p: ir.Phi, roles: tuple, s) -> Node:
        """A join: the value a name has after an `if` (roles then/else) or at a loop's head (enter/next).
        Operands that are values are edges (the back edge dashed, labelled `next`); a constant operand
        is written in the label (`p`, `enter: 1.0`)."""
        kind = {"adjoint": "adjoint_join", "tangent": "tangent_join"}.get(self._value_kind(p.target), "join")
        lines = [self.display(p.target)]
        for role, o in zip(roles, p.operands):
            if isinstance(o, ir.Const):
                lines.append(f"{role}: {self.text(o)}")
        node = self._node(p.target, "\n".join(lines), kind, name=p.target, tooltip=self._where(s))
        for role, o in zip(roles, p.operands):
            if isinstance(o, ir.Var):
                if role == "next":
                    self.edges.append(Edge(o.name, node.id, role, "style=dashed, constraint=false"))
                else:
                    self.edges.append(Edge(o.name, node.id))
        return node

    def _assign_label(self, s: ir.Assign) -> str:
        v = s.value
        if isinstance(v, ir.Call) and v.op == "list" and not v.args and s.target in self.stacks:
            return "saved per iteration" if self.is_temp(s.target) else f"{self.display(s.target)} (saved per iteration)"
        letters = self._letters(v)
        if isinstance(v, ir.Call) and v.op == "setitem" and len(v.args) >= 3:  # an element write: y[i] = v
            return self._element_write(v, letters)
        expr = self.text(v, letters=letters)
        return expr if self.is_temp(s.target) else f"{self.display(s.target)} = {expr}"

    def _element_write(self, v: ir.Call, letters: dict) -> str:
        """`setitem(y, i, v)` as Python writes it: `y[i] = v`."""
        index = ast.Tuple([self._index(a, letters) for a in v.args[1:-1]], ast.Load()) \
            if len(v.args) > 3 else self._index(v.args[1], letters)
        where = ast.unparse(ast.Subscript(self._ast(v.args[0], letters), index, ast.Load()))
        return f"{where} = {self.text(v.args[-1], letters)}"

    # ----- edges
    def sources(self, expr) -> list[str]:
        """The unfolded names `expr` reads, through the temporaries folded into it, in order, once each."""
        out: list[str] = []
        for a in _atoms(expr):
            if isinstance(a, ir.Var):
                inner = self.folded.get(a.name)
                for n in (self.sources(inner) if inner is not None else [a.name]):
                    if n not in out:
                        out.append(n)
        return out

    def _letters(self, expr) -> dict:
        """`#1`, `#2`, ... for the unnamed values an operation reads, where their order matters."""
        unnamed = [n for n in self.sources(expr) if self.is_temp(n)]
        if len(unnamed) < 2:
            return {}
        if isinstance(expr, ir.Call) and expr.op in COMMUTATIVE and not any(
                isinstance(a, ir.Var) and a.name in self.folded for a in expr.args):
            return {}
        return {n: f"#{i + 1}" for i, n in enumerate(unnamed)}

    def _reads(self, expr, target: str) -> None:
        letters = self._letters(expr)
        for n in self.sources(expr):
            self.edges.append(Edge(n, target, letters.get(n, "")))

    # ----- labels
    def operands_text(self, expr) -> str:
        """`text(expr)` with the `#1`, `#2` its edges are labelled with (see `_reads`)."""
        return self.text(expr, letters=self._letters(expr))

    def text(self, expr, letters: dict | None = None, phi: bool = False) -> str:
        """`expr` in Python's spelling, with your names, `·` for unnamed values and folded plumbing inline."""
        if expr is None:
            return "?"
        try:
            return ast.unparse(self._ast(expr, letters or {}))
        except (ValueError, TypeError, AttributeError):  # a constant ast cannot spell
            return "?"

    def _ast(self, e, letters: dict) -> ast.expr:
        if isinstance(e, ir.Var):
            if e.name in self.folded:
                return self._ast(self.folded[e.name], letters)
            if self.is_temp(e.name):
                return ast.Name(letters.get(e.name, UNNAMED), ast.Load())
            return ast.Name(self.display(e.name), ast.Load())
        if isinstance(e, ir.Const):
            return _const(e.value)
        op, args = e.op, e.args
        a = [self._ast(x, letters) for x in args]
        kw = [ast.keyword(arg=k, value=self._ast(v, letters)) for k, v in e.kwargs]
        if op in prims.BINOPS and len(a) == 2:
            return ast.BinOp(a[0], prims.BINOPS[op](), a[1])
        if op in prims.UNARYOPS and len(a) == 1:
            return ast.UnaryOp(prims.UNARYOPS[op](), a[0])
        if op in prims.COMPAREOPS and len(a) == 2:
            return ast.Compare(a[0], [prims.COMPAREOPS[op]()], [a[1]])
        if op in prims.BOOLOPS:
            return ast.BoolOp(prims.BOOLOPS[op](), a)
        if op == "getitem" and a:
            parts = [self._index(x, letters) for x in args[1:]]
            index = parts[0] if len(parts) == 1 else ast.Tuple(parts, ast.Load())
            return ast.Subscript(a[0], index, ast.Load())
        if op == "tuple":
            return ast.Tuple(a, ast.Load())
        if op == "list":
            return ast.List(a, ast.Load())
        if op == "pop" and a:
            return ast.Call(ast.Attribute(a[0], "pop", ast.Load()), [], [])
        if op == "callmethod" and len(a) >= 2 and isinstance(args[1], ir.Const):
            return ast.Call(ast.Attribute(a[0], str(args[1].value), ast.Load()), a[2:], kw)
        if op == "call" and a:
            return ast.Call(a[0], a[1:], kw)
        return ast.Call(ast.Name(prims.spelling(op), ast.Load()), a, kw)

    def _index(self, x, letters: dict) -> ast.expr:
        if isinstance(x, ir.Const) and isinstance(x.value, slice):
            v = x.value
            return ast.Slice(*(None if y is None else _const(y) for y in (v.start, v.stop, v.step)))
        if isinstance(x, ir.Var) and x.name in self.folded and self.folded[x.name].op == "slice":
            parts = self.folded[x.name].args
            return ast.Slice(*(None if isinstance(p, ir.Const) and p.value is None else self._ast(p, letters)
                               for p in parts))
        return self._ast(x, letters)


def _folding_sites(stmts: list, tests: tuple) -> tuple[dict, dict]:
    """(name -> reads where an expression may stand, name -> reads as a test) in `stmts` and the
    blocks nested in them; `tests` are extra test reads (a while loop's test after its header)."""
    anywhere: dict[str, int] = {}
    as_test: dict[str, int] = {}

    def add(a, test=False):
        if isinstance(a, ir.Var):
            anywhere[a.name] = anywhere.get(a.name, 0) + 1
            if test:
                as_test[a.name] = as_test.get(a.name, 0) + 1

    for t in ir.statements(stmts):
        if isinstance(t, (ir.Assign, ir.Effect)):
            v = t.value
            if isinstance(v, ir.Call) and v.op not in STACK_OPS:
                for a in _atoms(v):
                    add(a)
            elif not isinstance(v, ir.Call):
                add(v)
        elif isinstance(t, ir.Return):
            add(t.value)
        elif isinstance(t, ir.If):
            add(t.test, test=True)
        elif isinstance(t, ir.Loop):
            add(t.iter)
            if t.header:  # (the test is read after the header block, planned with it)
                continue
            add(t.test, test=True)
    for a in tests:
        add(a, test=True)
    return anywhere, as_test


def _return_label(value: str) -> str:
    return "return" if value == UNNAMED else f"return {value}"


def _first_node(items: list):
    for item in items:
        found = item if isinstance(item, Node) else _first_node(item.items)
        if found is not None:
            return found
    return None


def _all_nodes(items: list) -> list:
    out = []
    for item in items:
        out += [item] if isinstance(item, Node) else _all_nodes(item.items)
    return out


def _last_node(items: list):
    return _first_node(list(reversed([i if isinstance(i, Node) else Cluster(i.id, "", "", list(reversed(i.items)))
                                       for i in items])))


def _targets(s) -> list[str]:
    """The names a statement itself defines (phis of an If or Loop included; a loop's targets too)."""
    if isinstance(s, ir.Assign):
        return [s.target]
    if isinstance(s, ir.If):
        return [p.target for p in s.phis]
    if isinstance(s, ir.Loop):
        targets = [s.target] if isinstance(s.target, str) else list(s.target or ())
        return [p.target for p in s.phis] + targets
    return []


def _atoms(expr) -> list:
    if isinstance(expr, ir.Call):
        return list(expr.args) + [v for _, v in expr.kwargs]
    return [expr] if expr is not None else []


def _const(v) -> ast.expr:
    """A constant as Python would spell it; an object (a global array, a function) by a short description."""
    if v is Ellipsis:
        return ast.Constant(...)
    if isinstance(v, slice):
        return ast.Call(ast.Name("slice", ast.Load()), [_const(x) for x in (v.start, v.stop, v.step)], [])
    if isinstance(v, tuple):
        return ast.Tuple([_const(x) for x in v], ast.Load())
    if isinstance(v, (bool, str, bytes, type(None))):
        return ast.Constant(v)
    if isinstance(v, numbers.Real):
        v = int(v) if isinstance(v, numbers.Integral) else float(v)
        if v < 0:
            return ast.UnaryOp(ast.USub(), ast.Constant(-v))
        return ast.Constant(v)
    if isinstance(v, numbers.Complex):
        return ast.Constant(complex(v))
    name = getattr(v, "__name__", None)
    if isinstance(name, str):
        module = getattr(v, "__module__", "") or ""
        return ast.Name(prims.spelling(f"{module}.{name}") if module else name, ast.Load())
    shape = getattr(v, "shape", None)
    described = f"{type(v).__name__} of shape {tuple(shape)}" if shape is not None else type(v).__name__
    return ast.Name(f"<{described}>", ast.Load())
