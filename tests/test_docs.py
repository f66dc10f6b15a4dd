"""Every ```python block in docs/*.md runs, and every ```text block right after one is its exact output.

Blocks of one Markdown file share one namespace and run in order, as a reader
would type them. A block fenced as ```python-norun is shown but not run. A
```text block that directly follows a python block (blank lines between are
allowed) must equal what that block prints; with S2S_UPDATE_SNAPSHOTS=1 (or
pytest --s2s-update-snapshots) the test rewrites those output blocks from the
real output instead, so the printed outputs in the docs are produced by running
the code, never typed by hand.
"""
import contextlib
import difflib
import io
import linecache
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

from s2s import testing

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
FENCE = re.compile(r"^```([\w-]*)\s*$")
EXPECTED_DOCS = {"tutorial.md", "modes.md", "syntax.md", "custom_rules.md", "naming.md", "snapshots.md",
                 "limitations.md", "debugging.md"}


@dataclass
class Block:
    lang: str
    start: int   # 1-based line of the first line inside the fence
    end: int     # 1-based line of the closing fence
    text: str


def blocks(path: Path) -> list[Block]:
    """The fenced blocks of a Markdown file, in order."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    found, i = [], 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match and match.group(1):
            j = i + 1
            while j < len(lines) and lines[j].rstrip() != "```":
                j += 1
            assert j < len(lines), f"{path.name}:{i + 1}: a code block that is never closed"
            found.append(Block(match.group(1), i + 2, j + 1, "".join(lines[i + 1:j])))
            i = j + 1
        else:
            i += 1
    return found


def output_pairs(path: Path, found: list[Block]):
    """(python block, text block or None) for every python block."""
    lines = path.read_text(encoding="utf-8").splitlines()
    pairs = []
    for k, block in enumerate(found):
        if block.lang != "python":
            continue
        following = found[k + 1] if k + 1 < len(found) else None
        between = lines[block.end:following.start - 2] if following else []
        if following is not None and following.lang == "text" and all(not s.strip() for s in between):
            pairs.append((block, following))
        else:
            pairs.append((block, None))
    return pairs


def run_block(block: Block, namespace: dict, name: str) -> str:
    """Run one block (registered in linecache so s2s can read the functions it defines); return its stdout."""
    filename = f"<{name}:{block.start}>"
    linecache.cache[filename] = (len(block.text), None, block.text.splitlines(keepends=True), filename)
    code = compile(block.text, filename, "exec")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, namespace)
    return out.getvalue()


def test_the_docs_are_all_there():
    assert EXPECTED_DOCS <= {p.name for p in DOCS.glob("*.md")}


@pytest.mark.parametrize("path", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_doc_code_blocks_run_and_print_what_the_doc_shows(path, monkeypatch):
    update = testing.updating()
    # The blocks run with the switch off: docs/snapshots.md shows what the switch does.
    monkeypatch.delenv(testing.ENV_VAR, raising=False)
    monkeypatch.setattr(testing, "_update_override", None)
    # snapshots the blocks write (in their own scratch directories) are not the run's own: not reported
    monkeypatch.setattr(testing, "written", [])
    found = blocks(path)
    # The blocks' namespace is an importable module, as a reader's own file would be (generated code that
    # uses custom rules imports the module that registered them).
    module = types.ModuleType(f"docs_{path.stem}")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace = module.__dict__
    rewrites = []
    mismatches = []
    for block, expected in output_pairs(path, found):
        try:
            printed = run_block(block, namespace, path.name)
        except Exception as exc:
            raise AssertionError(f"{path.name}:{block.start}: the code block raised "
                                 f"{type(exc).__name__}: {exc}") from exc
        if expected is None:
            continue
        if printed != expected.text:
            if update:
                rewrites.append((expected, printed))
            else:
                diff = "".join(difflib.unified_diff(expected.text.splitlines(keepends=True),
                                                    printed.splitlines(keepends=True), "shown", "printed"))
                mismatches.append(f"{path.name}:{expected.start}: the output shown differs from the real one:\n{diff}")
    if rewrites:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for expected, printed in reversed(rewrites):
            lines[expected.start - 1:expected.end - 1] = [printed]
        path.write_text("".join(lines), encoding="utf-8")
    assert not mismatches, "\n".join(mismatches) + "\n(set S2S_UPDATE_SNAPSHOTS=1 to rewrite the outputs)"


def test_norun_blocks_are_valid_python():
    for path in sorted(DOCS.glob("*.md")):
        for block in blocks(path):
            if block.lang == "python-norun":
                compile(block.text, f"{path.name}:{block.start}", "exec")
