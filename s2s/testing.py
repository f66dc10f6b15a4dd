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

from s2s.api.transform import source

ENV_VAR = "S2S_UPDATE_SNAPSHOTS"

# Set by the pytest plugin's --s2s-update-snapshots; None defers to the environment variable.
_update_override: bool | None = None
# Snapshot files written in update mode during this process (the pytest plugin reports them).
written: list[str] = []


def updating() -> bool:
    """Whether `assert_source_matches` writes snapshot files instead of comparing with them.

    Returns
    -------
    bool
        True when pytest runs with `--s2s-update-snapshots`, or (without that option) when the
        environment variable `S2S_UPDATE_SNAPSHOTS` is set to anything but `""` or `"0"`.

    Examples
    --------
    >>> from s2s import testing
    >>> if testing.updating():
    ...     print("writing snapshots")
    """
    if _update_override is not None:
        return _update_override
    return os.environ.get(ENV_VAR, "") not in ("", "0")


def _text_of(fn) -> str:
    if isinstance(fn, str):
        return fn
    text = getattr(fn, "source", None)
    if isinstance(text, str):
        return text
    return source(fn)


def assert_source_matches(fn, path) -> None:
    """Assert that the generated source of `fn` equals the snapshot file at `path`.

    A snapshot test: keep the generated code of your important functions in files next to your
    tests, and a change of s2s (or of your function) that changes the generated code shows up as
    a readable diff. In update mode (`S2S_UPDATE_SNAPSHOTS=1`, or pytest's
    `--s2s-update-snapshots`) the file is written instead and the assertion passes.

    Parameters
    ----------
    fn : callable or str
        A transformed function (anything with `.source`, or accepted by `s2s.source`), or the text
        itself, e.g. `s2s.ssa(f)`.
    path : str or os.PathLike
        The snapshot file, read and written as UTF-8 with `"\\n"` line endings (so a checkout that
        turned them into `"\\r\\n"` still matches).

    Returns
    -------
    None
        When the text equals the file, or when update mode wrote it (creating missing directories;
        an unchanged file is not rewritten).

    Raises
    ------
    AssertionError
        The text differs from the file: the message holds a unified diff (saved -> actual) and how
        to accept the new text. When the file does not exist, the message holds the whole text.
    S2SError
        Reading `fn.source` transformed the function, and that failed.

    Examples
    --------
    >>> import os, tempfile
    >>> import s2s
    >>> from s2s.testing import assert_source_matches
    >>> def f(x):
    ...     return x * x
    >>> path = os.path.join(tempfile.mkdtemp(), "grad_f.py")
    >>> with open(path, "w") as file:
    ...     _ = file.write(s2s.grad(f).source)
    >>> assert_source_matches(s2s.grad(f), path)        # equal: passes silently
    >>> def f(x):
    ...     return x * x * x
    >>> assert_source_matches(s2s.grad(f), path)        # doctest: +ELLIPSIS
    Traceback (most recent call last):
    AssertionError: generated text does not match the snapshot .../grad_f.py (set S2S_UPDATE_SNAPSHOTS=1 ...
    ...
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
