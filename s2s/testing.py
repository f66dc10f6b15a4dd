"""Snapshot tests for generated code: compare what s2s generates with a file kept in the repository.

    from s2s.testing import assert_source_matches
    assert_source_matches(s2s.grad(f), "tests/snapshots/grad_f.py")

Guarantees:
- `assert_source_matches` passes when the text equals the file, and otherwise
  raises `AssertionError` whose message holds a unified diff (saved -> actual);
  when the file does not exist the message holds the whole actual text.
- In update mode it writes the actual text to the file instead (creating its
  directories; an unchanged file is not rewritten) and passes. Update mode is
  on when the environment variable `S2S_UPDATE_SNAPSHOTS` is set to anything
  but "" or "0", or when pytest runs with `--s2s-update-snapshots` (the plugin
  in `s2s.pytest_plugin`).
- Files are read and written as UTF-8 with "\\n" line endings, so a checkout
  that turned them into "\\r\\n" still matches.
"""
from __future__ import annotations

import difflib
import os
from pathlib import Path

ENV_VAR = "S2S_UPDATE_SNAPSHOTS"

# Set by the pytest plugin's --s2s-update-snapshots; None defers to the environment variable.
_update_override: bool | None = None
# Snapshot files written in update mode during this process (the pytest plugin reports them).
written: list[str] = []


def updating() -> bool:
    """Whether snapshots are being written instead of compared."""
    if _update_override is not None:
        return _update_override
    return os.environ.get(ENV_VAR, "") not in ("", "0")


def _text_of(fn) -> str:
    if isinstance(fn, str):
        return fn
    text = getattr(fn, "source", None)
    if isinstance(text, str):
        return text
    from . import source

    return source(fn)


def assert_source_matches(fn, path) -> None:
    """Assert that the generated source of `fn` equals the file at `path`.

    `fn` is a transformed function (anything with `.source`, or accepted by
    `s2s.source`) or already a string, e.g. `s2s.ssa(f)`.
    """
    actual = _text_of(fn)
    path = Path(path)
    expected = path.read_text(encoding="utf-8") if path.is_file() else None
    if expected == actual:
        return
    if updating():
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as out:
            out.write(actual)
        written.append(str(path))
        return
    how = f"set {ENV_VAR}=1 or run pytest with --s2s-update-snapshots to accept it"
    if expected is None:
        raise AssertionError(f"snapshot {path} does not exist ({how}); the actual text is:\n{actual}")
    diff = "".join(_diff_lines(expected, actual, f"{path} (saved)", f"{path} (actual)"))
    raise AssertionError(f"generated text does not match the snapshot {path} ({how}):\n{diff}")


def _diff_lines(expected: str, actual: str, fromfile: str, tofile: str):
    for line in difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                     fromfile=fromfile, tofile=tofile):
        yield line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
