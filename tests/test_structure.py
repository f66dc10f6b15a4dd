"""The package's shape (issue 11): no import cycle, no module over 600 lines, few imports inside functions,
each NumPy primitive's key named in at most two files.

The import graph is read from the source with `ast` (nothing is imported): an edge for every
`import s2s...` / `from s2s... import ...` (relative ones too) that runs when the module is
imported, i.e. outside functions. `from pkg import name` is an edge to the submodule `pkg.name`
when there is one, else to `pkg`. Importing a submodule also initialises its parent packages;
those implicit edges are not counted (a package's `__init__` re-exporting its submodules, as
`s2s/runtime/__init__.py` does for `rt.<name>`, is not a cycle).
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "s2s"

MAX_LINES = 600
# Modules allowed over MAX_LINES for now, each being edited by another engineer at the time of
# writing (so not split under them); remove a line once its module is split.
OVER_LIMIT = {
}

# Imports of s2s modules inside functions: each listed here, (file, imported module) -> the one-line reason it
# cannot be at the module's top (the cycle it would close), and at most MAX_IMPORTS_IN_FUNCTIONS of them. A cycle
# is broken by moving what both sides need down a layer or by passing a callable in (as rules/custom.py's
# ON_REGISTER and registry.RECURSIVE do), not by an import inside a function.
IMPORTS_IN_FUNCTIONS: dict = {
}
MAX_IMPORTS_IN_FUNCTIONS = 3


def _modules() -> dict:
    """Dotted module name -> (path, is a package)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        if package:
            parts = parts[:-1]
        out[".".join(parts)] = (path, package)
    return out


def _target(module: str, package: bool, node: ast.ImportFrom) -> str:
    """The absolute module a `from ... import` names."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not package:
        base = base[:-1]
    base = base[:len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _top_level_imports(tree: ast.Module) -> list:
    """Import statements that run when the module is imported: outside functions (in classes, `if`
    and `try` blocks too), but not under `if TYPE_CHECKING:`."""
    found = []

    def visit(body):
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.append(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
            else:
                for field in ("body", "orelse", "finalbody", "handlers"):
                    inner = getattr(node, field, None)
                    if isinstance(inner, list):
                        visit([n for n in inner if isinstance(n, ast.AST)])

    visit(tree.body)
    return found


def _edges(module: str, package: bool, nodes: list, modules: dict) -> set:
    out = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in modules}
            continue
        target = _target(module, package, node)
        if target not in modules:
            continue
        for alias in node.names:
            sub = f"{target}.{alias.name}"
            out.add(sub if sub in modules else target)
    out.discard(module)
    return out


def import_graph() -> dict:
    """s2s module -> the s2s modules it imports at module level."""
    modules = _modules()
    return {m: _edges(m, package, _top_level_imports(ast.parse(path.read_text(encoding="utf-8"))), modules)
            for m, (path, package) in modules.items()}


def imports_in_functions() -> list:
    """(file, line, function, module) of every import of an s2s module inside a function."""
    modules = _modules()
    found = []
    for module, (path, package) in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom):
                    names = [_target(module, package, node)]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                else:
                    continue
                for name in names:
                    if name == "s2s" or name.startswith("s2s."):
                        found.append((str(path.relative_to(PACKAGE.parent)), node.lineno, fn.name, name))
    return sorted(set(found))


def cycles(graph: dict) -> list:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_the_imports_it_should():
    """The graph is not empty by mistake: edges that exist today are found (top level, relative, from-pkg)."""
    graph = import_graph()
    assert "s2s.api.transform" in graph["s2s"]  # from s2s.api.transform import grad, ...
    assert "s2s.runtime.core" in graph["s2s.runtime"]  # the star re-exports
    assert "s2s.back.folding" in graph["s2s.back.codegen"]
    assert "s2s.errors" in graph["s2s.runtime.checks"]
    assert "s2s.ir" in graph["s2s.optimize"]  # from s2s import ir


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle():
    found = cycles(import_graph())
    assert not found, "import cycles among s2s modules (module-level imports): " + "; ".join(
        " <-> ".join(c) for c in found)


def test_the_runtime_imports_nothing_of_the_compiler():
    """Generated code imports `s2s.runtime` as `rt`: its modules import each other and the error types
    only, and `s2s.errors` only the primitive spellings (`s2s.prims`), the registry of line maps
    (`s2s.linemaps`) and the advice for iterator tools and signal processing (`s2s.iterator_advice`, `s2s.signal_advice`), which
    import no s2s module."""
    graph = import_graph()
    for module, targets in graph.items():
        if module == "s2s.runtime" or module.startswith("s2s.runtime."):
            outside = {t for t in targets if not t.startswith("s2s.runtime")} - {"s2s.errors"}
            assert not outside, f"{module} imports {sorted(outside)}"
    assert graph["s2s.errors"] <= {"s2s.prims", "s2s.linemaps", "s2s.iterator_advice", "s2s.signal_advice"}, \
        graph["s2s.errors"]
    assert graph["s2s.prims"] == set() == graph["s2s.linemaps"] == graph["s2s.iterator_advice"] == \
        graph["s2s.signal_advice"], (graph["s2s.prims"], graph["s2s.linemaps"], graph["s2s.iterator_advice"])


def test_no_module_over_the_line_limit():
    over = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = str(path.relative_to(PACKAGE.parent))
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES and name not in OVER_LIMIT:
            over[name] = n
    assert not over, f"modules over {MAX_LINES} lines (split them by topic): {over}"


def test_the_allow_list_names_real_modules():
    """Every allowed module exists (a renamed or deleted one is taken off the list)."""
    missing = [name for name in OVER_LIMIT if not (PACKAGE.parent / name).exists()]
    assert not missing, missing


def test_few_imports_inside_functions():
    found = imports_in_functions()
    listing = "\n".join(f"  {f}:{line} in {fn}(): {module}" for f, line, fn, module in found)
    assert len(found) <= MAX_IMPORTS_IN_FUNCTIONS and len(IMPORTS_IN_FUNCTIONS) <= MAX_IMPORTS_IN_FUNCTIONS, (
        f"{len(found)} imports of s2s modules inside functions (at most {MAX_IMPORTS_IN_FUNCTIONS}): import at "
        f"module top:\n{listing}")
    unexplained = [(f, line, module) for f, line, _, module in found if (f, module) not in IMPORTS_IN_FUNCTIONS]
    assert not unexplained, (f"imports of s2s modules inside functions without a reason in tests/test_structure.py's "
                             f"IMPORTS_IN_FUNCTIONS (import at module top instead): {unexplained}")


def test_the_in_function_import_finder_finds_one(tmp_path, monkeypatch):
    """The count is not zero by mistake: an import inside a function, absolute or relative, is found."""
    package = tmp_path / "s2s"
    (package / "api").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "api" / "__init__.py").write_text("")
    (package / "api" / "a.py").write_text("def f():\n    from s2s.api import b\n    from . import b\n")
    (package / "api" / "b.py").write_text("import os\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", package)
    assert [(f, fn, m) for f, _, fn, m in imports_in_functions()] == [
        ("s2s/api/a.py", "f", "s2s.api"), ("s2s/api/a.py", "f", "s2s.api")]


# A NumPy primitive's key (with a rule, or without a derivative) is named (as a quoted string) in at most two files
# of the package: its record in s2s/rules/ and prims.py's spelling tables. What the compiler knows of a primitive is
# a field of its record (read through s2s.rules.registry: registry.full_reduction, registry.of_shape, ...) or a
# named constant or small table in prims.py (prims.COPY, prims.SHAPE, prims.PACKED_METHODS, prims.PASSES_ON,
# prims.INTEGER_RESULTS, prims.NOT_NUMBERS). Files that still name a key
# besides those two, each with its reason (none today: take a line off once its file reads the fact from the record):
MAX_FILES_PER_KEY = 2
KEY_EXCEPTIONS: dict = {
}


def files_naming_keys() -> dict:
    """Each key of a NumPy primitive with a rule or without a derivative (registry.REVERSE | registry.TANGENT |
    registry.NONDIFF) -> the package's files whose text holds the key in quotes."""
    from s2s.rules import registry
    registry.tangent_rule("numpy.sin")  # (the tables fill on first use)
    texts = {str(p.relative_to(PACKAGE.parent)): p.read_text(encoding="utf-8") for p in sorted(PACKAGE.rglob("*.py"))}
    keys = sorted(k for k in set(registry.REVERSE) | set(registry.TANGENT) | registry.NONDIFF if k.startswith("numpy."))
    return {k: {f for f, text in texts.items() if f'"{k}"' in text or f"'{k}'" in text} for k in keys}


def test_each_numpy_key_is_named_in_at_most_two_files():
    found = files_naming_keys()
    assert len(found) > 100 and {"s2s/prims.py", "s2s/rules/linear.py"} <= found["numpy.sum"]  # (the search works)
    assert {"s2s/prims.py", "s2s/rules/nondiff.py"} <= found["numpy.shape"]  # (keys without a derivative too)
    over = {k: sorted(files) for k, files in found.items()
            if len(files - KEY_EXCEPTIONS.get(k, set())) > MAX_FILES_PER_KEY}
    assert not over, (f"NumPy keys named in more than {MAX_FILES_PER_KEY} files (put the fact in the primitive's "
                      f"record in s2s/rules/ or a named constant in s2s/prims.py): {over}")


def test_the_key_exceptions_name_real_files():
    missing = sorted({f for files in KEY_EXCEPTIONS.values() for f in files if not (PACKAGE.parent / f).exists()})
    assert not missing, missing
