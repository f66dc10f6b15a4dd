"""`s2s.graph`, `python -m s2s graph` and the notebook display of generated source.

The DOT text is always checked (structure, clusters, adjoint and tangent nodes,
your names, determinism); SVG and PNG only where Graphviz's `dot` is installed.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import s2s
from s2s.api import display
from s2s.api import graph as graph_module
from tests import graph_functions as gf

ROOT = Path(__file__).resolve().parents[1]
HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not installed")

NODE = re.compile(r'^\s*("(?:[^"\\]|\\.)*")\s*\[(.*)\];$')
EDGE = re.compile(r'^\s*("(?:[^"\\]|\\.)*")\s*->\s*("(?:[^"\\]|\\.)*")(?:\s*\[(.*)\])?;$')


def parse(dot: str) -> dict:
    """Nodes (id -> attribute text), edges, cluster names of a DOT text; asserts the structure."""
    assert dot.startswith("digraph ") and dot.endswith("}\n")
    depth = 0
    in_string = False
    escaped = False
    for ch in dot:  # braces balance outside strings
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            assert depth >= 0, "a '}' without its '{'"
    assert depth == 0 and not in_string
    nodes, edges, clusters = {}, [], []
    for line in dot.splitlines()[1:-1]:
        line = line.strip()
        if m := EDGE.match(line):
            edges.append((m.group(1), m.group(2), m.group(3) or ""))
        elif m := NODE.match(line):
            assert m.group(1) not in nodes, f"node {m.group(1)} declared twice"
            nodes[m.group(1)] = m.group(2)
        elif m := re.match(r'subgraph "(cluster[^"]*)" \{$', line):
            clusters.append(m.group(1))
        else:
            assert re.match(r"(graph|node|edge) \[.*\];$|\{ rank=source;( \"[^\"]*\";)* \}$|\}$", line), line
    for a, b, _ in edges:
        assert a in nodes and b in nodes, f"edge {a} -> {b} between undeclared nodes"
    return {"nodes": nodes, "edges": edges, "clusters": clusters}


def labels(parsed: dict, fill: str | None = None) -> list[str]:
    out = []
    for attrs in parsed["nodes"].values():
        if fill is None or f'fillcolor="{fill}"' in attrs:
            out.append(re.match(r'label="((?:[^"\\]|\\.)*)"', attrs).group(1))
    return out


ADJOINT = "#fde3c8"
TANGENT = "#d6f0d6"


# ---------------------------------------------------------------- the DOT text

def test_quickstart_shows_each_operation_with_your_names_and_the_adjoints():
    g = s2s.graph(gf.quickstart)
    parsed = parse(g.dot)
    names = labels(parsed)
    for expected in ("x1", "x2", "math.log(x1)", "x1 * x2", "math.sin(x2)", "#1 - #2", "1.0 / x1",
                     "bx1 = x2 + ·", "return (·, bx1)"):
        assert expected in names, (expected, names)
    assert "bx1 = x2 + ·" in labels(parsed, ADJOINT)
    assert {"cluster_forward", "cluster_reverse"} <= set(parsed["clusters"])
    # the operands of the subtraction are told apart by their edge labels
    assert ('"t3"', '"t5"', 'label="#1"') in parsed["edges"]
    assert ('"t4"', '"t5"', 'label="#2"') in parsed["edges"]
    # parameters and the result have shapes of their own
    assert "shape=invhouse" in parsed["nodes"]['"x1"']
    assert "shape=doubleoctagon" in parsed["nodes"]['"return"']


def test_the_reverse_sweep_is_drawn_below_the_forward_sweep():
    dot = s2s.graph(gf.quickstart).dot
    assert dot.index("subgraph \"cluster_forward\"") < dot.index("subgraph \"cluster_reverse\"")
    assert '"t5" -> "t7" [style=invis];' in dot


def test_a_loop_is_a_cluster_with_its_header_its_carried_value_and_the_saved_values():
    parsed = parse(s2s.graph(gf.running_product).dot)
    loops = [c for c in parsed["clusters"] if c.startswith("cluster_loop")]
    assert len(loops) == 2  # the loop and its adjoint
    names = labels(parsed)
    assert "for i in range(n)" in names
    assert "for i, p in zip(reversed(range(n)), reversed(p_saved))" in names
    assert "p\\nenter: 1.0" in names and "p = p * ·" in names
    assert any("shape=cylinder" in a and "p_saved" in a for a in parsed["nodes"].values())
    assert {"bp\\nenter: 1.0", "bx\\nenter: 0.0", "bp * p"} <= set(labels(parsed, ADJOINT))
    back_edges = [e for e in parsed["edges"] if 'label="next"' in e[2]]
    assert len(back_edges) == 3 and all("constraint=false" in e[2] for e in back_edges)
    assert ('"p"', '"p_saved"', 'label="save", style=dashed, color="#777777"') in parsed["edges"]


def test_an_if_is_a_cluster_with_its_test_and_both_branches():
    parsed = parse(s2s.graph(gf.branch).dot)
    assert {"cluster_if", "cluster_if_then", "cluster_if_else"} <= set(parsed["clusters"])
    adjoint_ifs = [c for c in parsed["clusters"] if c.startswith("cluster_if#")]
    assert len(adjoint_ifs) == 3  # the reversed if and its two branches
    names = labels(parsed)
    assert names.count("if x > 0.0") == 2  # the comparison is folded into both tests
    assert {"y = x * x", "y = -x", "y", "np.sin(y)"} <= set(names)
    assert {"by = x * ·", "by * x", "-by", "bx"} <= set(labels(parsed, ADJOINT))
    assert not any("t1" in n or "y_2" in n for n in names)  # no compiler temporaries, no SSA versions


def test_a_while_loop_with_break():
    parsed = parse(s2s.graph(gf.newton_sqrt).dot)
    names = labels(parsed)
    assert {"while k < 20", "break", "x_new = 0.5 * ·", "k = k + 1", "k\\nenter: 0"} <= set(names)
    assert not any(a == b for a, b, _ in parsed["edges"])  # no self-loops


def test_element_writes_and_the_function_alone():
    parsed = parse(s2s.graph(gf.element_writes).dot)
    assert "y[i] = ·" in labels(parsed)
    alone = parse(s2s.graph(gf.element_writes, gradient=False).dot)
    assert "cluster_reverse" not in alone["clusters"] and not labels(alone, ADJOINT)
    assert {"y = np.zeros(n)", "for i in range(n)", "y[i] = ·", "return"} <= set(labels(alone))


def test_nested_loops_and_element_writes_read_as_python():
    for mode in ("reverse", "forward"):
        parsed = parse(s2s.graph(gf.conv1d, wrt="kernel", mode=mode).dot)
        names = labels(parsed)
        assert {"for i in range(·)", "out[i] = ·", "width = ·[0]"} <= set(names), names
        assert "for j in range(width)" in names or mode == "reverse"  # (where range(width) is also saved)
        assert not any(re.search(r"setitem\(|_\d|\bt\d", n) for n in names), names  # no SSA or temporary names
        assert sum(c.startswith("cluster_loop") for c in parsed["clusters"]) == (4 if mode == "reverse" else 2)


def test_forward_mode_draws_tangents():
    g = s2s.graph(gf.running_product, mode="forward")
    parsed = parse(g.dot)
    assert "shape=invhouse" in parsed["nodes"]['"dx"'] and TANGENT in parsed["nodes"]['"dx"']
    assert {"dp\\nenter: 0.0", "p * dx", "dp = · + ·"} <= set(labels(parsed, TANGENT))
    assert "p = p * ·" in labels(parsed, "#ffffff")
    assert "cluster_reverse" not in parsed["clusters"]
    assert g.name == "jvp_running_product"


def test_several_wrt_and_arrays():
    parsed = parse(s2s.graph(gf.mlp, wrt=("w1", "w2")).dot)
    assert {"h = np.tanh(·)", "out = h @ w2"} <= set(labels(parsed))
    adjoints = labels(parsed, ADJOINT)
    assert any(n.startswith("bw1 = ") for n in adjoints) and any(n.startswith("bw2 = ") for n in adjoints)


def test_a_parameter_named_like_a_temporary_keeps_its_name():
    names = labels(parse(s2s.graph(gf.t1_is_mine).dot))
    assert "t1" in names and "t2 = t1 * x" in names


def test_unoptimized_and_transformed_functions():
    raw = parse(s2s.graph(gf.quickstart, optimized=False).dot)
    assert len(raw["nodes"]) >= len(parse(s2s.graph(gf.quickstart).dot)["nodes"])
    second = parse(s2s.graph(s2s.grad(gf.branch)).dot)  # the gradient of the generated gradient
    assert labels(second, ADJOINT)


def test_a_tuple_result_draws_the_vjp_with_its_cotangent():
    parsed = parse(s2s.graph(gf.polar, wrt=(0, 1)).dot)
    assert "shape=invhouse" in parsed["nodes"]['"cotangent"'] and ADJOINT in parsed["nodes"]['"cotangent"']
    assert {"cotangent[0]", "cotangent[1]", "br = · + ·", "btheta = #1 - #2"} <= set(labels(parsed, ADJOINT))
    assert "return ((#1, #2), (br, btheta))" in labels(parsed)
    assert not any("adjoint_begins" in n for n in labels(parsed))


def test_parameters_keep_their_order():
    dot = s2s.graph(gf.mlp).dot
    for a, b in (("w1", "b1"), ("b1", "w2"), ("w2", "x"), ("x", "y")):
        assert f'"{a}" -> "{b}" [style=invis];' in dot


def corpus():
    from tests import functions, functions_control
    return [(f, w) for f, _, w in functions.STRAIGHT] + [(c[0], c[2]) for c in functions_control.CONTROL]


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_every_corpus_function_is_drawn(mode):
    for f, wrt in corpus():
        for gradient in (True, False):
            parsed = parse(s2s.graph(f, wrt=wrt, mode=mode, gradient=gradient).dot)
            assert "?" not in labels(parsed), (f.__name__, mode, gradient)
            assert sum("doubleoctagon" in a for a in parsed["nodes"].values()) == 1


def test_the_text_is_the_same_in_every_process():
    code = ("import s2s; from tests import graph_functions as gf; "
            "print(''.join(s2s.graph(f, mode=m).dot for f in (gf.quickstart, gf.running_product, gf.branch, "
            "gf.newton_sqrt, gf.element_writes) for m in ('reverse', 'forward')), end='')")
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(ROOT))
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                              check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1
    here = "".join(s2s.graph(f, mode=m).dot for f in (gf.quickstart, gf.running_product, gf.branch,
                                                       gf.newton_sqrt, gf.element_writes)
                   for m in ("reverse", "forward"))
    assert outputs == {here}


def test_bad_arguments():
    with pytest.raises(ValueError, match="mode must be 'reverse' or 'forward'"):
        s2s.graph(gf.quickstart, mode="backward")
    with pytest.raises(ValueError, match="is not a parameter of quickstart"):
        s2s.graph(gf.quickstart, wrt="z")


# ---------------------------------------------------------------- saving and rendering

def test_save_dot_and_an_unknown_suffix(tmp_path):
    g = s2s.graph(gf.branch)
    path = g.save(tmp_path / "branch.dot")
    assert path.read_text(encoding="utf-8") == g.dot == g.source == str(g)
    with pytest.raises(ValueError, match=r"name the file \.dot or \.gv \(DOT text\), \.svg or \.png"):
        g.save(tmp_path / "branch.jpg")
    parsed = parse(g.dot)
    data_edges = [e for e in parsed["edges"] if e[2] != "style=invis"]
    assert repr(g) == f"<s2s.graph of value_and_grad_branch: {len(parsed['nodes'])} nodes, {len(data_edges)} edges>"


def test_without_graphviz_svg_and_png_say_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(graph_module.shutil, "which", lambda name: None)
    g = s2s.graph(gf.quickstart)
    assert g._repr_svg_() is None  # Jupyter falls back to the next representation
    for name in ("q.svg", "q.png"):
        with pytest.raises(s2s.S2SError, match="needs Graphviz's 'dot' program.*install Graphviz"):
            g.save(tmp_path / name)
        assert not (tmp_path / name).exists()


@needs_dot
def test_svg_and_png_with_graphviz(tmp_path):
    g = s2s.graph(gf.running_product)
    svg = g._repr_svg_()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "p_saved" in svg
    assert "adjoint of the loop (line 13)" in svg
    assert g.save(tmp_path / "p.svg").read_text(encoding="utf-8").count("<svg") == 1
    assert g.save(tmp_path / "p.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


# ---------------------------------------------------------------- the command line

FILE = ROOT / "tests" / "graph_functions.py"


def cli(*args, path=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if path is not None:
        env["PATH"] = path
    return subprocess.run([sys.executable, "-m", "s2s", "graph", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_prints_the_dot_text():
    done = cli(f"{FILE}:running_product", "--wrt", "x")
    assert done.returncode == 0, done.stderr
    assert done.stdout == s2s.graph(gf.running_product, wrt="x").dot and done.stderr == ""
    forward = cli(f"{FILE}:branch", "--mode", "forward")
    assert forward.returncode == 0 and forward.stdout == s2s.graph(gf.branch, mode="forward").dot
    alone = cli(f"{FILE}:branch", "--no-gradient")
    assert alone.returncode == 0 and alone.stdout == s2s.graph(gf.branch, gradient=False).dot


def test_cli_writes_a_file(tmp_path):
    out = tmp_path / "q.dot"
    done = cli(f"{FILE}:quickstart", "--wrt", "x1", "--wrt", "x2", "-o", str(out))
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
    assert out.read_text(encoding="utf-8") == s2s.graph(gf.quickstart, wrt=("x1", "x2")).dot


@pytest.mark.parametrize("args, message", [
    (["tests/nothing.py:f"], "s2s: error: tests/nothing.py: no such file"),
    ([f"{FILE}:cube"], "no function named 'cube'"),
    ([f"{FILE}:quickstart", "--wrt", "z"], "wrt='z' is not a parameter of quickstart"),
    ([f"{FILE}:quickstart", "--mode", "backward"], "invalid choice: 'backward'"),
    ([f"{FILE}:quickstart", "-o", "q.jpg"], "name the file .dot or .gv (DOT text), .svg or .png"),
    ([f"{FILE}:quickstart", "-o", "/no/such/directory/q.dot"], "/no/such/directory/q.dot: cannot be written"),
])
def test_cli_user_errors_are_one_line_and_exit_1(args, message):
    done = cli(*args)
    assert done.returncode == 1
    assert message in done.stderr and done.stderr.startswith("s2s: error: ")
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr and done.stdout == ""


def test_cli_without_graphviz_says_to_install_it(tmp_path):
    done = cli(f"{FILE}:quickstart", "-o", str(tmp_path / "q.svg"), path=str(tmp_path))
    assert done.returncode == 1 and "install Graphviz" in done.stderr and "Traceback" not in done.stderr


@needs_dot
def test_cli_writes_svg(tmp_path):
    done = cli(f"{FILE}:branch", "-o", str(tmp_path / "b.svg"))
    assert done.returncode == 0, done.stderr
    assert "<svg" in (tmp_path / "b.svg").read_text(encoding="utf-8")


# ---------------------------------------------------------------- notebook display of generated source

def test_transformed_functions_show_their_source_as_html():
    for fn in (s2s.grad(gf.quickstart), s2s.value_and_grad(gf.quickstart), s2s.vjp(gf.quickstart),
               s2s.jvp(gf.quickstart), s2s.jacobian(gf.quickstart), s2s.jacobian(gf.quickstart, mode="forward"),
               s2s.hessian(gf.quickstart)):
        page = fn._repr_html_()
        assert page.startswith("<div>") and page.endswith("</div>")
        text = re.sub(r"<[^>]+>", "", page)  # the highlighted markup removed: the source, escaped
        import html
        assert fn.source in html.unescape(text), type(fn)


def test_html_with_and_without_pygments(monkeypatch):
    source = s2s.grad(gf.branch).source
    pytest.importorskip("pygments")
    highlighted = display.source_html(source, "<s2s.grad of branch>")
    assert "<span style=" in highlighted and "&lt;s2s.grad of branch&gt;" in highlighted
    monkeypatch.setitem(sys.modules, "pygments", None)  # as if it were not installed
    plain = display.source_html(source)
    import html
    assert "<span" not in plain and f"<pre style=\"{display.STYLE}\">{html.escape(source)}</pre>" in plain


def test_html_of_a_function_that_cannot_be_transformed_shows_the_error():
    namespace = {}
    exec("def typed_at_the_prompt(x):\n    return x * x\n", namespace)
    page = s2s.grad(namespace["typed_at_the_prompt"])._repr_html_()
    assert "SourceUnavailableError" in page and "define it in a file" in page
