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

The drawing (nodes, clusters, edges, labels) is built in `graph_drawing.py` and
written as DOT text by `graph_dot.py`. No Python package is needed for the DOT
text; SVG and PNG are made by Graphviz's `dot` program when it is installed.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from s2s import pipeline
from s2s.api import forward as forward_api
from s2s.api import transform
from s2s.api.graph_dot import dot_text
from s2s.api.graph_drawing import Drawing
from s2s.errors import CallError, S2SError
from s2s.ir.names import names_in
from s2s.ad.reverse import reverse
from s2s.optimize import optimize

MODES = ("reverse", "forward")
FORMATS = {".dot": None, ".gv": None, ".svg": "svg", ".png": "png"}


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
            raise CallError(f"cannot tell the format of {str(path)!r} from its suffix: name the file .dot or "
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
        raise CallError(f"mode must be 'reverse' or 'forward', got {mode!r}")
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
    drawing = Drawing(fn, users, mode if gradient else None, len(primal.params))
    return Graph(dot_text(drawing, title), fn.name)


def _program(f, wrt, mode: str, gradient: bool, optimized: bool):
    """(IR to draw, f's SSA, f's Source) for these options."""
    if not gradient:
        primal, src, _ = pipeline.primal(f)
        return primal, primal, src
    if mode == "forward":
        primal, src, fwd, _, _, _ = forward_api._forward_ir(f, wrt)
        return (pipeline.stage("optimize", optimize, fwd) if optimized else fwd), primal, src
    try:
        primal, src, _ = pipeline.primal(f, "value_and_grad")
    except ValueError:  # a tuple, list or dict result: the program of vjp(f), its cotangent a parameter
        primal, src, _ = pipeline.primal(f, "vjp")
        names, single = transform.resolve_wrt(primal.params, wrt, primal.name)
        namer = transform._namer_for(primal)
        adj = pipeline.stage("reverse", reverse, primal, names, return_value=True, seed=namer.fresh("cotangent"),
                             namer=namer, name="vjp_" + primal.name, single=single)
        return (pipeline.stage("optimize", optimize, adj) if optimized else adj), primal, src
    stages = transform._grad_pipeline(primal, src, wrt, True)
    return (stages.optimized if optimized else stages.adjoint), primal, src
