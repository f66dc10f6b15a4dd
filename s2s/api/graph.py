"""Pictures of the code s2s generates: `s2s.graph(f)` draws the SSA dataflow as Graphviz DOT.

    graph(f, wrt, mode, gradient) -> the IR of one stage -> nodes, clusters, edges -> DOT text

The picture is drawn from the IR the pipeline produced (`pipeline.py`): the
function's SSA form alone (`gradient=False`), or the program of
`value_and_grad(f, wrt)` (reverse mode: the forward sweep, then the adjoints in
reverse order) or of `jvp(f, wrt)` (forward mode: each value followed by its
tangent), optimised as the generated code is. Guarantees:
- one node per value (a statement of the IR), labelled with your names and the
  operation in Python's spelling; compiler temporaries get no name (`·`, or `#1`,
  `#2` with matching edge labels where the order of operands matters), and the
  plumbing that only feeds a loop header, a test or the result
  (`range(n)`, `zip(...)`, `(value, gradient)`) is folded into that node;
- edges are data dependences; a loop, an `if` and its two branches, and in
  reverse mode the forward and the reverse sweeps, are DOT clusters;
- parameters, tangent parameters, the result, adjoints, tangents and the values
  a reversed loop saves each have their own shape or colour;
- the text is deterministic (byte-identical across runs and processes): it is
  built by walking statement lists in order, never from sets or ids.

No Python package is needed for the DOT text; SVG and PNG are made by
Graphviz's `dot` program when it is installed.
"""
from __future__ import annotations

import ast
import numbers
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from s2s import ir, pipeline, prims
from s2s.api import forward as forward_api
from s2s.api import transform
from s2s.errors import S2SError
from s2s.ir.names import names_in
from s2s.ir.walk import count_uses
from s2s.ad.reverse import ADJOINT_BEGINS, reverse
from s2s.optimize import optimize

MODES = ("reverse", "forward")
FORMATS = {".dot": None, ".gv": None, ".svg": "svg", ".png": "png"}

# the look of each kind of node: DOT attributes
STYLES = {
    "param": 'shape=invhouse, fillcolor="#cfe2ff", color="#1f4e9c"',
    "tangent_param": 'shape=invhouse, fillcolor="#d6f0d6", color="#2e7d32"',
    "seed_param": 'shape=invhouse, fillcolor="#fde3c8", color="#c25e00"',
    "value": 'fillcolor="#ffffff"',
    "adjoint": 'fillcolor="#fde3c8", color="#c25e00"',
    "tangent": 'fillcolor="#d6f0d6", color="#2e7d32"',
    "saved": 'shape=cylinder, fillcolor="#eeeeee", color="#666666"',
    "join": 'shape=ellipse, fillcolor="#ffffff"',
    "adjoint_join": 'shape=ellipse, fillcolor="#fde3c8", color="#c25e00"',
    "tangent_join": 'shape=ellipse, fillcolor="#d6f0d6", color="#2e7d32"',
    "header": 'shape=cds, fillcolor="#f3f3f3"',
    "test": 'shape=diamond, fillcolor="#f3f3f3"',
    "effect": 'shape=note, fillcolor="#f7f7f7", color="#888888", fontcolor="#444444"',
    "jump": 'shape=octagon, fillcolor="#f3f3f3", fontsize=9',
    "result": 'shape=doubleoctagon, fillcolor="#ffe08a", color="#8a6d00"',
    "free": 'shape=plaintext, style="", fillcolor=""',
}
EDGE_COLORS = {"adjoint": "#c25e00", "adjoint_join": "#c25e00", "seed_param": "#c25e00", "tangent": "#2e7d32", "tangent_join": "#2e7d32",
               "tangent_param": "#2e7d32"}
CLUSTER_STYLES = {
    "forward_sweep": 'style="rounded", color="#9db3d9", bgcolor="#f7f9fd"',
    "reverse_sweep": 'style="rounded", color="#e0a36b", bgcolor="#fffaf4"',
    "loop": 'style="rounded,dashed", color="#555555", bgcolor="#ffffff"',
    "if": 'style="rounded", color="#555555", bgcolor="#ffffff"',
    "branch": 'style="rounded,dotted", color="#777777"',
}

# single-use temporaries folded into the node that reads them: they only feed a loop, a test or the result
PLUMBING = frozenset({"range", "reversed", "zip", "enumerate", "tuple", "slice", "builtins.range",
                      "builtins.reversed", "builtins.zip", "builtins.enumerate"})
TESTS = frozenset(prims.COMPAREOPS) | frozenset(prims.BOOLOPS) | {"not"}
COMMUTATIVE = frozenset({"add", "mul", "eq", "ne", "and", "or", "bitand", "bitor", "bitxor"})
STACK_OPS = frozenset({"push", "pop"})
CHECKS = frozenset({"s2s.runtime.require_scalar", "s2s.runtime.require_bound", "s2s.runtime.require_immutable"})
UNNAMED = "·"


class Graph:
    """The dataflow picture `s2s.graph` returns: DOT text, rendered by Graphviz when it is installed.

    Attributes
    ----------
    dot : str
        The Graphviz DOT text (also `source` and `str(graph)`).
    name : str
        The name of the drawn function (`value_and_grad_f`, `jvp_f` or `f`).
    """

    def __init__(self, dot: str, name: str):
        self.dot = dot
        self.name = name

    @property
    def source(self) -> str:
        """The DOT text (the name the `graphviz` package uses for it)."""
        return self.dot

    def __str__(self) -> str:
        return self.dot

    def __repr__(self) -> str:
        nodes = len(re.findall(r"^\s*\"[^\"]*\" \[", self.dot, flags=re.M))
        edges = len(re.findall(r"^\s*\"[^\"]*\" -> .*(?<!\[style=invis\];)$", self.dot, flags=re.M))
        return f"<s2s.graph of {self.name}: {nodes} nodes, {edges} edges>"

    def pipe(self, format: str = "svg") -> bytes:
        """The picture in `format` (`"svg"`, `"png"`, or any other format of `dot -T`), made by Graphviz.

        Raises `S2SError` when Graphviz's `dot` program is not installed or fails.
        """
        return render(self.dot, format)

    def svg(self) -> str:
        """The picture as SVG text (needs Graphviz's `dot` program)."""
        return self.pipe("svg").decode("utf-8")

    def _repr_svg_(self):
        """Jupyter shows the SVG when Graphviz is installed; otherwise None, and it shows `repr` instead."""
        if shutil.which("dot") is None:
            return None
        return self.svg()

    def save(self, path) -> Path:
        """Write the graph to `path`: DOT text for `.dot` or `.gv`, a picture for `.svg` or `.png`.

        Returns the path. SVG and PNG need Graphviz's `dot` program (`S2SError` says how to install
        it when it is missing); another suffix raises `ValueError`.
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in FORMATS:
            raise ValueError(f"cannot tell the format of {str(path)!r} from its suffix: name the file .dot or "
                             f".gv (DOT text), .svg or .png (a picture, made by Graphviz)")
        if FORMATS[suffix] is None:
            path.write_text(self.dot, encoding="utf-8")
        else:
            path.write_bytes(render(self.dot, FORMATS[suffix], str(path)))
        return path


def render(dot: str, format: str, what: str | None = None) -> bytes:
    """Run Graphviz's `dot -T<format>` on the DOT text."""
    program = shutil.which("dot")
    what = what or f"a {format.upper()} picture"
    if program is None:
        raise S2SError(f"writing {what} needs Graphviz's 'dot' program, which is not on PATH: install Graphviz "
                       f"(apt-get install graphviz, brew install graphviz or conda install graphviz), or write "
                       f"the DOT text (.dot) and render it elsewhere")
    try:
        done = subprocess.run([program, f"-T{format}"], input=dot.encode("utf-8"), capture_output=True,
                              timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise S2SError(f"Graphviz's dot could not make {what}: {exc}") from exc
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        why = message[0] if message else f"exit status {done.returncode}"
        raise S2SError(f"Graphviz's dot could not make {what}: {why}")
    return done.stdout


def graph(f, wrt=0, mode: str = "reverse", gradient: bool = True, optimized: bool = True) -> Graph:
    """A picture of the dataflow of `f` and of its derivative, as Graphviz DOT.

    Draws the IR s2s compiles `f` into: one node per value, labelled with your names and the
    operation (`y = x * x`, `np.sin(y)`); compiler temporaries stay unnamed (`·`). Edges are data
    dependences. A loop, an `if` and its branches are boxes (DOT clusters). Parameters are blue
    (tangent parameters green), the result is a yellow double octagon. In reverse mode the
    forward sweep and the reverse sweep are two boxes: adjoints (`bx`, the adjoint of `x`) are
    orange, and the values a reversed loop saves are grey cylinders. In forward mode tangents
    (`dx`) are green. Nodes carry your source line as a tooltip in SVG.

    In a Jupyter notebook the returned object shows itself as a picture when Graphviz's `dot`
    program is installed.

    Parameters
    ----------
    f : callable
        A Python function whose source s2s can read, or a function already transformed by s2s
        (its generated code is drawn).
    wrt : int, str, or tuple of int and str, default 0
        The parameter(s) to differentiate with respect to, as in `grad`.
    mode : {"reverse", "forward"}, default "reverse"
        Reverse mode draws the program of `value_and_grad(f, wrt)` (for a function returning a
        tuple, list or dict, that of `vjp(f, wrt)`, whose cotangent is an orange parameter);
        forward mode that of `jvp(f, wrt)`.
    gradient : bool, default True
        If false, draw only the SSA form of `f` (what `s2s.ssa(f)` prints); `wrt` and `mode`
        are then not used.
    optimized : bool, default True
        Draw the program after simplification and dead-code elimination, as the generated code
        runs it; if false, as the reverse (or forward) stage emitted it.

    Returns
    -------
    Graph
        `.dot` (also `.source`) is the DOT text; `.save(path)` writes `.dot`, `.svg` or `.png`;
        `.pipe(format)` returns the picture's bytes; `_repr_svg_()` is the notebook display.

    Raises
    ------
    S2SError, ValueError, TypeError
        As `grad`: `f` cannot be read or transformed, or `wrt` is not a parameter of `f`.
        `ValueError` also for a `mode` other than `"reverse"` or `"forward"`.

    See Also
    --------
    - `ssa`, `stages`: the same IR as text.
    - `python -m s2s graph FILE.py:FUNC`: the same from the command line.

    Examples
    --------
    >>> import s2s
    >>> def f(x, y):
    ...     return x * x * y
    >>> picture = s2s.graph(f)
    >>> picture
    <s2s.graph of value_and_grad_f: 7 nodes, 8 edges>
    >>> print(picture.dot.splitlines()[0])
    digraph "value_and_grad_f" {
    >>> 'subgraph "cluster_reverse"' in picture.dot
    True
    >>> picture.save("f.dot").read_text() == picture.dot
    True
    """
    if mode not in MODES:
        raise ValueError(f"mode must be 'reverse' or 'forward', got {mode!r}")
    fn, primal, src = _program(f, wrt, mode, bool(gradient), bool(optimized))
    users = names_in(src.tree)
    params = ", ".join(primal.params)
    if not gradient:
        title = f"{primal.name}({params})"
    elif mode == "reverse":
        names, _ = transform.resolve_wrt(primal.params, wrt, primal.name)
        what = "vector-Jacobian product" if fn.name.startswith("vjp_") else "gradient"
        title = f"{primal.name}({params}) and its {what} with respect to {', '.join(names)} (reverse mode)"
    else:
        names, _ = transform.resolve_wrt(primal.params, wrt, primal.name)
        title = f"{primal.name}({params}) and its tangent along {', '.join(names)} (forward mode)"
    drawing = _Drawing(fn, users, mode if gradient else None, len(primal.params))
    return Graph(drawing.dot(title), fn.name)


def _program(f, wrt, mode: str, gradient: bool, optimized: bool):
    """(IR to draw, f's SSA, f's Source) for these options."""
    if not gradient:
        primal, src = pipeline.primal(f)
        return primal, primal, src
    if mode == "forward":
        primal, src, fwd, _ = forward_api._forward_ir(f, wrt)
        return (pipeline.stage("optimize", optimize, fwd) if optimized else fwd), primal, src
    try:
        primal, src = pipeline.primal(f, "value_and_grad")
    except ValueError:  # a tuple, list or dict result: the program of vjp(f), its cotangent a parameter
        primal, src = pipeline.primal(f, "vjp")
        names, single = transform.resolve_wrt(primal.params, wrt, primal.name)
        namer = transform._namer_for(primal)
        adj = pipeline.stage("reverse", reverse, primal, names, return_value=True, seed=namer.fresh("cotangent"),
                             namer=namer, name="vjp_" + primal.name, single=single)
        return (pipeline.stage("optimize", optimize, adj) if optimized else adj), primal, src
    stages = transform._grad_pipeline(primal, src, wrt, True)
    return (stages.optimized if optimized else stages.adjoint), primal, src


# ---------------------------------------------------------------------------------------- the drawing

@dataclass
class _Node:
    id: str
    label: str
    kind: str
    tooltip: str = ""


@dataclass
class _Cluster:
    id: str
    label: str
    kind: str
    items: list = field(default_factory=list)
    tooltip: str = ""


@dataclass
class _Edge:
    source: str  # an SSA name (resolved through folded temporaries when the DOT is written)
    target: str  # a node id, or with `target_by_name` an SSA name
    label: str = ""
    style: str = ""  # extra DOT attributes
    target_by_name: bool = False


class _Drawing:
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
        self.edges: list[_Edge] = []
        self.order: list[tuple[str, str]] = []  # invisible edges that only order the layout
        self.below = None  # (the forward sweep's last node, the reverse sweep's nodes): drawn below it
        self.ids: set[str] = set()
        self.counter = 0
        self.stacks = {s.value.args[0].name for s in ir.statements(fn.body)
                       if isinstance(s, ir.Effect) and isinstance(s.value, ir.Call) and s.value.op == "push"
                       and s.value.args and isinstance(s.value.args[0], ir.Var)}
        self.tangent_params = list(fn.params[n_params:]) if mode == "forward" else []
        self.seeds = list(fn.params[n_params:]) if mode == "reverse" else []  # a vjp's cotangent
        self.adjoint_names = set(fn.loop_temps) | set(self.seeds) if mode == "reverse" else set()
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
                    cluster = _Cluster(f"cluster_{sweep}", label, f"{sweep}_sweep")
                    self._block(stmts, cluster.items)
                    self.root.append(cluster)
            sweeps = [c for c in self.root if isinstance(c, _Cluster)]
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
        return name in self.fn.temps or re.fullmatch(r"[bd]?t\d+(?:_[A-Za-z]\w*?)?(?:_\d+)*", name) is not None

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
    def _fresh_id(self, base: str) -> str:
        ident = base
        while ident in self.ids:
            self.counter += 1
            ident = f"{base}#{self.counter}"
        self.ids.add(ident)
        return ident

    def _node(self, base: str, label: str, kind: str, name: str | None = None, tooltip: str = "") -> _Node:
        node = _Node(self._fresh_id(base), label, kind, tooltip)
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
                        self.edges.append(_Edge(call.args[1].name, call.args[0].name, "save",
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
                        self.edges.append(_Edge(value.name, node.id, "", "style=dashed"))
            elif isinstance(s, ir.Return):  # a return inside a region (the last one is drawn by the caller)
                node = self._node("return", _return_label(self.operands_text(s.value)), "result", tooltip=self._where(s))
                out.append(node)
                self._reads(s.value, node.id)

    def _if(self, s: ir.If, out: list) -> None:
        adjoint = s.loc is not None and s.loc.adjoint
        line = f" (line {s.loc.line})" if s.loc is not None else ""
        cluster = _Cluster(self._fresh_id("cluster_if"), f"{'adjoint of the ' if adjoint else ''}if{line}", "if",
                           tooltip=self._where(s))
        test = self._node("if", "if " + self.operands_text(s.test), "test", tooltip=self._where(s))
        cluster.items.append(test)
        self._reads(s.test, test.id)
        for word, stmts in (("then", s.body), ("else", s.orelse)):
            if stmts:
                branch = _Cluster(self._fresh_id(f"{cluster.id}_{word}"), word, "branch")
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
        cluster = _Cluster(self._fresh_id("cluster_loop"), f"{'adjoint of the ' if adjoint else ''}loop{line}",
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

    def _phi(self, p: ir.Phi, roles: tuple, s) -> _Node:
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
                    self.edges.append(_Edge(o.name, node.id, role, "style=dashed, constraint=false"))
                else:
                    self.edges.append(_Edge(o.name, node.id))
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
    def _sources(self, expr) -> list[str]:
        """The unfolded names `expr` reads, through the temporaries folded into it, in order, once each."""
        out: list[str] = []
        for a in _atoms(expr):
            if isinstance(a, ir.Var):
                inner = self.folded.get(a.name)
                for n in (self._sources(inner) if inner is not None else [a.name]):
                    if n not in out:
                        out.append(n)
        return out

    def _letters(self, expr) -> dict:
        """`#1`, `#2`, ... for the unnamed values an operation reads, where their order matters."""
        unnamed = [n for n in self._sources(expr) if self.is_temp(n)]
        if len(unnamed) < 2:
            return {}
        if isinstance(expr, ir.Call) and expr.op in COMMUTATIVE and not any(
                isinstance(a, ir.Var) and a.name in self.folded for a in expr.args):
            return {}
        return {n: f"#{i + 1}" for i, n in enumerate(unnamed)}

    def _reads(self, expr, target: str) -> None:
        letters = self._letters(expr)
        for n in self._sources(expr):
            self.edges.append(_Edge(n, target, letters.get(n, "")))

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

    # ----- DOT
    def dot(self, title: str) -> str:
        lines = [f"digraph {_quote(self.fn.name)} {{",
                 f"  graph [label={_quote(title)}, labelloc=t, fontname=\"Helvetica\", fontsize=12, "
                 f"newrank=true, nodesep=0.25, ranksep=0.35];",
                 '  node [fontname="Helvetica", fontsize=10, shape=box, style="rounded,filled", height=0.3];',
                 '  edge [fontname="Helvetica", fontsize=8, color="#555555", arrowsize=0.6];']
        self._emit(self.root, lines, "  ")
        declared = set(self.ids)
        params = [self.node_of[p] for p in self.fn.params]
        if params:
            lines.append("  { rank=source; " + " ".join(_quote(p) + ";" for p in params) + " }")
            self.order += list(zip(params, params[1:]))  # (layout only: the parameters in their order)
        seen = set()
        drawn: list[tuple] = []
        extra: list[str] = []
        for e in self.edges:
            inner = self.folded.get(e.source)
            sources = self._sources(inner) if inner is not None else [e.source]
            target = self.node_of.get(e.target) if e.target_by_name else e.target
            for name in sources:
                source = self.node_of.get(name)
                if source is None:  # read but never defined here (a free name): a plain node of its own
                    source = self._fresh_id(name)
                    self.node_of[name] = source
                    self.kind_of[source] = "free"
                    declared.add(source)
                    extra.append(f"  {_quote(source)} [label={_quote(self.display(name))}, {STYLES['free']}];")
                if target is None or target not in declared or source == target:
                    continue
                key = (source, target, e.label)
                if key in seen:
                    continue
                seen.add(key)
                drawn.append((source, target, e.style))
                attrs = []
                if e.label:
                    attrs.append(f"label={_quote(e.label)}")
                color = EDGE_COLORS.get(self.kind_of.get(source, ""))
                if color and "color=" not in e.style:
                    attrs.append(f"color={_quote(color)}")
                if e.style:
                    attrs.append(e.style)
                lines.append(f"  {_quote(source)} -> {_quote(target)}" + (f" [{', '.join(attrs)}];" if attrs else ";"))
        order = list(self.order)
        if self.below is not None and self.below[0] is not None:
            # every node of the reverse sweep that nothing but parameters places goes below the forward sweep
            params = {self.node_of[p] for p in self.fn.params}
            placed = {t for (s, t, style) in drawn if s not in params and "constraint=false" not in style}
            order += [(self.below[0].id, n.id) for n in self.below[1] if n.id not in placed]
        for a, b in order:
            lines.append(f"  {_quote(a)} -> {_quote(b)} [style=invis];")
        lines[4:4] = extra
        lines.append("}")
        return "\n".join(lines) + "\n"

    def _emit(self, items: list, lines: list, pad: str) -> None:
        for item in items:
            if isinstance(item, _Node):
                attrs = [f"label={_quote(item.label)}", STYLES[item.kind]]
                if item.tooltip:
                    attrs.append(f"tooltip={_quote(item.tooltip)}")
                lines.append(f"{pad}{_quote(item.id)} [{', '.join(attrs)}];")
            else:
                lines.append(f"{pad}subgraph {_quote(item.id)} {{")
                lines.append(f"{pad}  graph [label={_quote(item.label)}, {CLUSTER_STYLES[item.kind]}, "
                             f"fontsize=10, labeljust=l" + (f", tooltip={_quote(item.tooltip)}" if item.tooltip else "")
                             + "];")
                self._emit(item.items, lines, pad + "  ")
                lines.append(f"{pad}}}")


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
        found = item if isinstance(item, _Node) else _first_node(item.items)
        if found is not None:
            return found
    return None


def _all_nodes(items: list) -> list:
    out = []
    for item in items:
        out += [item] if isinstance(item, _Node) else _all_nodes(item.items)
    return out


def _last_node(items: list):
    return _first_node(list(reversed([i if isinstance(i, _Node) else _Cluster(i.id, "", "", list(reversed(i.items)))
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


def _quote(text: str) -> str:
    """A DOT string: quotes and backslashes escaped, newlines as DOT's centred line break."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
