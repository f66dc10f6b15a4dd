"""The DOT text of a drawing (`graph_drawing.py`): the look of each kind of node, edge and cluster, and quoting."""
from __future__ import annotations

from s2s.api.graph_drawing import Drawing, Node

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


def dot_text(drawing: Drawing, title: str) -> str:
    """The DOT text of `drawing` under `title` (a free name read but never defined gets a plain node of its own)."""
    lines = [f"digraph {_quote(drawing.fn.name)} {{",
             f"  graph [label={_quote(title)}, labelloc=t, fontname=\"Helvetica\", fontsize=12, "
             f"newrank=true, nodesep=0.25, ranksep=0.35];",
             '  node [fontname="Helvetica", fontsize=10, shape=box, style="rounded,filled", height=0.3];',
             '  edge [fontname="Helvetica", fontsize=8, color="#555555", arrowsize=0.6];']
    _emit(drawing.root, lines, "  ")
    declared = set(drawing.ids)
    params = [drawing.node_of[p] for p in drawing.fn.params]
    if params:
        lines.append("  { rank=source; " + " ".join(_quote(p) + ";" for p in params) + " }")
        drawing.order += list(zip(params, params[1:]))  # (layout only: the parameters in their order)
    seen = set()
    drawn: list[tuple] = []
    extra: list[str] = []
    for e in drawing.edges:
        inner = drawing.folded.get(e.source)
        sources = drawing.sources(inner) if inner is not None else [e.source]
        target = drawing.node_of.get(e.target) if e.target_by_name else e.target
        for name in sources:
            source = drawing.node_of.get(name)
            if source is None:  # read but never defined here (a free name): a plain node of its own
                source = drawing.fresh_id(name)
                drawing.node_of[name] = source
                drawing.kind_of[source] = "free"
                declared.add(source)
                extra.append(f"  {_quote(source)} [label={_quote(drawing.display(name))}, {STYLES['free']}];")
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
            color = EDGE_COLORS.get(drawing.kind_of.get(source, ""))
            if color and "color=" not in e.style:
                attrs.append(f"color={_quote(color)}")
            if e.style:
                attrs.append(e.style)
            lines.append(f"  {_quote(source)} -> {_quote(target)}" + (f" [{', '.join(attrs)}];" if attrs else ";"))
    order = list(drawing.order)
    if drawing.below is not None and drawing.below[0] is not None:
        # every node of the reverse sweep that nothing but parameters places goes below the forward sweep
        params = {drawing.node_of[p] for p in drawing.fn.params}
        placed = {t for (s, t, style) in drawn if s not in params and "constraint=false" not in style}
        order += [(drawing.below[0].id, n.id) for n in drawing.below[1] if n.id not in placed]
    for a, b in order:
        lines.append(f"  {_quote(a)} -> {_quote(b)} [style=invis];")
    lines[4:4] = extra
    lines.append("}")
    return "\n".join(lines) + "\n"


def _emit(items: list, lines: list, pad: str) -> None:
    for item in items:
        if isinstance(item, Node):
            attrs = [f"label={_quote(item.label)}", STYLES[item.kind]]
            if item.tooltip:
                attrs.append(f"tooltip={_quote(item.tooltip)}")
            lines.append(f"{pad}{_quote(item.id)} [{', '.join(attrs)}];")
        else:
            lines.append(f"{pad}subgraph {_quote(item.id)} {{")
            lines.append(f"{pad}  graph [label={_quote(item.label)}, {CLUSTER_STYLES[item.kind]}, "
                         f"fontsize=10, labeljust=l" + (f", tooltip={_quote(item.tooltip)}" if item.tooltip else "")
                         + "];")
            _emit(item.items, lines, pad + "  ")
            lines.append(f"{pad}}}")


def _quote(text: str) -> str:
    """A DOT string: quotes and backslashes escaped, newlines as DOT's centred line break."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
