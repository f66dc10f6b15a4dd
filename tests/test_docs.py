"""Every ```python block in docs/ (the guides and docs/reference/) runs, and every ```text block right
after one is its exact output.

Blocks of one Markdown file share one namespace and run in order, as a reader
would type them, in a scratch working directory of their own (which is also on
sys.path). A block fenced as ```python-norun is shown but not run. A block
with a title (```python title="model.py", ```ini title="pytest.ini") is a file:
it is written to the scratch directory under that name instead of being run. A ```console block holds
commands (`$ ...` lines, run by bash in the scratch directory, `python` being
this interpreter) each followed by its exact output, stdout and stderr merged.
A ```text block that directly follows a python block (blank lines between are
allowed) must equal what that block prints; with S2S_UPDATE_SNAPSHOTS=1 (or
pytest --s2s-update-snapshots) the test rewrites those output blocks (and the
outputs in console blocks) from the real output instead, so the printed
outputs in the docs are produced by running the code, never typed by hand.

The docstrings of the public API (rendered on the reference pages) run as
doctests, and the reference must name every public name, error, environment
variable and command-line subcommand.
"""
import contextlib
import difflib
import doctest
import io
import linecache
import os
import re
import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

from s2s import testing

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"
FENCE = re.compile(r'^```([\w-]*)(?:\s+title="([^"]+)")?\s*$')
EXPECTED_DOCS = {"tutorial.md", "modes.md", "syntax.md", "custom_rules.md", "naming.md", "snapshots.md",
                 "limitations.md", "debugging.md", "index.md", "install.md"}
EXPECTED_REFERENCE = {"index.md", "transformations.md", "inspecting.md", "rules.md", "checking.md", "pytrees.md",
                      "testing.md", "cli.md", "errors.md", "environment.md"}
PAGES = sorted(DOCS.rglob("*.md"))


@dataclass
class Block:
    lang: str
    start: int   # 1-based line of the first line inside the fence
    end: int     # 1-based line of the closing fence
    text: str
    title: str | None = None  # ```python title="model.py": a file written to the scratch directory


def page_name(path: Path) -> str:
    """The page's path under docs/ ("modes.md", "reference/cli.md")."""
    return path.relative_to(DOCS).as_posix()


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
            found.append(Block(match.group(1), i + 2, j + 1, "".join(lines[i + 1:j]), match.group(2)))
            i = j + 1
        else:
            i += 1
    return found


def output_pairs(path: Path, found: list[Block]):
    """(python block, text block or None) for every python block."""
    lines = path.read_text(encoding="utf-8").splitlines()
    pairs = []
    for k, block in enumerate(found):
        if block.lang != "python" or block.title:
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


COMMAND = re.compile(r"^\$ (.*)$")


def console_commands(block: Block) -> list[tuple[str, str]]:
    """(command, output shown) for each `$ command` line of a console block."""
    out = []
    for line in block.text.splitlines(keepends=True):
        match = COMMAND.match(line.rstrip("\n"))
        if match:
            out.append((match.group(1), ""))
        else:
            assert out, f"console block at line {block.start}: output before the first '$ ' command"
            out[-1] = (out[-1][0], out[-1][1] + line)
    return out


def shell_environment(scratch: Path) -> dict:
    """What the console blocks run with: `python` is this interpreter, s2s is importable, 80 columns."""
    shims = scratch / ".bin"
    shims.mkdir(exist_ok=True)
    for name in ("python", "python3"):
        shim = shims / name  # a script, not a symlink: a link would lose the virtual environment
        if not shim.exists():
            shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
            shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith("S2S_") and k not in ("NO_COLOR", "PYTHONPATH")}
    env.update(PATH=os.pathsep.join([str(shims), env.get("PATH", "")]), PYTHONPATH=str(ROOT), COLUMNS="80",
               PYTHONDONTWRITEBYTECODE="1")
    return env


def matches(shown: str, printed: str) -> bool:
    """Whether a command's output is the one shown; `...` in a shown line stands for any text (timings)."""
    a, b = shown.splitlines(), printed.splitlines()
    return len(a) == len(b) and all(
        x == y or ("..." in x and re.fullmatch(".*".join(map(re.escape, x.split("..."))), y)) for x, y in zip(a, b))


def run_console(block: Block, scratch: Path) -> str:
    """Run the commands of a console block in `scratch`; return the block as it should read (the output
    shown where it matches, the real output where it does not)."""
    text = []
    for command, shown in console_commands(block):
        done = subprocess.run(["bash", "-c", command], cwd=scratch, env=shell_environment(scratch),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        text.append(f"$ {command}\n{shown if matches(shown, done.stdout) else done.stdout}")
    return "".join(text)


def test_the_docs_are_all_there():
    assert EXPECTED_DOCS <= {p.name for p in DOCS.glob("*.md")}
    assert EXPECTED_REFERENCE <= {p.name for p in REFERENCE.glob("*.md")}


@pytest.mark.parametrize("path", PAGES, ids=page_name)
def test_doc_code_blocks_run_and_print_what_the_doc_shows(path, monkeypatch, tmp_path):
    update = testing.updating()
    # The blocks run with the switch off: docs/snapshots.md shows what the switch does.
    monkeypatch.delenv(testing.ENV_VAR, raising=False)
    monkeypatch.setattr(testing, "_update_override", None)
    # snapshots the blocks write (in their own scratch directories) are not the run's own: not reported
    monkeypatch.setattr(testing, "written", [])
    found = blocks(path)
    # The blocks' namespace is an importable module, as a reader's own file would be (generated code that
    # uses custom rules imports the module that registered them).
    name = page_name(path)
    module = types.ModuleType("docs_" + re.sub(r"\W", "_", name[:-3]))
    monkeypatch.setitem(sys.modules, module.__name__, module)
    namespace = module.__dict__
    # each page runs in a scratch directory of its own, where the files it shows are written
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    rewrites = []
    mismatches = []
    pairs = dict((b.start, t) for b, t in output_pairs(path, found))
    for block in found:
        if block.title:
            (tmp_path / block.title).write_text(block.text, encoding="utf-8")
            sys.modules.pop(Path(block.title).stem, None)  # a fresh import sees this text
            continue
        if block.lang == "console":
            printed = run_console(block, tmp_path)
            expected = block
        elif block.lang == "python":
            try:
                printed = run_block(block, namespace, name)
            except Exception as exc:
                raise AssertionError(f"{name}:{block.start}: the code block raised "
                                     f"{type(exc).__name__}: {exc}") from exc
            expected = pairs[block.start]
        else:
            continue
        if expected is None:
            continue
        if printed != expected.text:
            if update:
                rewrites.append((expected, printed))
            else:
                diff = "".join(difflib.unified_diff(expected.text.splitlines(keepends=True),
                                                    printed.splitlines(keepends=True), "shown", "printed"))
                mismatches.append(f"{name}:{expected.start}: the output shown differs from the real one:\n{diff}")
    if rewrites:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        for expected, printed in reversed(rewrites):
            lines[expected.start - 1:expected.end - 1] = [printed]
        path.write_text("".join(lines), encoding="utf-8")
    assert not mismatches, "\n".join(mismatches) + "\n(set S2S_UPDATE_SNAPSHOTS=1 to rewrite the outputs)"


def test_norun_blocks_are_valid_python():
    for path in PAGES:
        for block in blocks(path):
            if block.lang == "python-norun":
                compile(block.text, f"{page_name(path)}:{block.start}", "exec")


# ---------------------------------------------------------------- the API reference

def reference_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(REFERENCE.glob("*.md")))


def documented_objects() -> set[str]:
    """The objects the reference renders from their docstrings (`::: s2s.grad`)."""
    return set(re.findall(r"^::: ([\w.]+)", reference_text(), flags=re.M))


def test_every_public_name_has_a_reference_entry():
    import s2s
    missing = [name for name in s2s.__all__ if f"s2s.{name}" not in documented_objects()]
    assert not missing, f"public names with no '::: s2s.NAME' entry in docs/reference/: {missing}"
    for extra in ("s2s.testing.assert_source_matches", "s2s.testing.updating"):
        assert extra in documented_objects()


def test_every_error_class_is_in_the_reference():
    from s2s import errors
    classes = [name for name, obj in vars(errors).items()
               if isinstance(obj, type) and issubclass(obj, Exception) and obj.__module__ == errors.__name__]
    text = (REFERENCE / "errors.md").read_text(encoding="utf-8")
    missing = [name for name in classes if f"::: s2s.{name}" not in text and f"::: s2s.errors.{name}" not in text]
    assert not missing, f"exception classes missing from docs/reference/errors.md: {missing}"


def environment_variables() -> set[str]:
    """Every environment variable the package reads (`os.environ.get("NAME")`, `os.environ["NAME"]`,
    `os.getenv("NAME")`, or a module constant `NAME_VAR = "S2S_..."` it reads through)."""
    found = set()
    for path in (ROOT / "s2s").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"""(?:environ\.get|environ\[|getenv)\(?\s*["']([A-Z0-9_]+)["']""", text))
        found |= set(re.findall(r"""^\w*VAR\w*\s*=\s*["']([A-Z0-9_]+)["']""", text, flags=re.M))
    return found


def test_every_environment_variable_is_in_the_reference():
    names = environment_variables()
    assert {"S2S_CACHE_DIR", "S2S_VERIFY", "S2S_UPDATE_SNAPSHOTS"} <= names
    text = (REFERENCE / "environment.md").read_text(encoding="utf-8")
    missing = sorted(n for n in names if not re.search(rf"^## `{n}`", text, flags=re.M))
    assert not missing, f"environment variables with no '## `NAME`' section in docs/reference/environment.md: {missing}"


def test_every_command_line_subcommand_and_option_is_in_the_reference():
    import argparse

    from s2s import cli
    text = (REFERENCE / "cli.md").read_text(encoding="utf-8")
    subparsers = next(a for a in cli._parser()._actions if isinstance(a, argparse._SubParsersAction))
    for command, parser in subparsers.choices.items():
        assert re.search(rf"^## `(python -m )?s2s {command}\b", text, flags=re.M), \
            f"no section for 's2s {command}' in docs/reference/cli.md"
        for action in parser._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert f"`{option}" in text, f"'s2s {command} {option}' is not described in docs/reference/cli.md"


PUBLIC_MODULES = ["s2s.api.transform", "s2s.api.forward", "s2s.api.derived", "s2s.api.pytree", "s2s.rules.custom", "s2s.testing",
                  "s2s.api.graph",
                  "s2s.errors", "s2s.pytest_plugin", "s2s.cli", "s2s"]


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_docstring_examples_run(module_name, monkeypatch, tmp_path):
    """The `Examples` sections of the public docstrings (what the reference renders) are doctests."""
    import importlib
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(testing.ENV_VAR, raising=False)
    monkeypatch.setattr(testing, "_update_override", None)
    module = importlib.import_module(module_name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    out = io.StringIO()
    for test in finder.find(module, module_name):
        if test.name.split(".")[-1].startswith("_"):
            continue
        runner.run(test, out=out.write)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, out.getvalue()


def test_the_readme_links_only_into_the_repository():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if target.startswith(("http://", "https://", "#")):
            continue
        path = (ROOT / target.split("#")[0]).resolve()
        assert path.is_relative_to(ROOT), f"README.md links outside the repository: {target}"
        assert path.exists(), f"README.md links to a missing file: {target}"
