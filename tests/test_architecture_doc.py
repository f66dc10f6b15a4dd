"""docs/architecture.md names every module of the package (the folder listing shows the pipeline; the document
says what each module does). A line names `dir/x.py` (or `s2s/dir/x.py`), and after it, on the same line, a bare
`y.py` is of that directory."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _named() -> set:
    named = set()
    for line in (ROOT / "docs" / "architecture.md").read_text().splitlines():
        folder = ""
        for token in re.findall(r"`([^`]+)`", line):
            token = token.removeprefix("s2s/")
            if token.endswith("/"):
                folder = token
            elif token.endswith(".py"):
                if "/" in token:
                    folder = token.rsplit("/", 1)[0] + "/"
                    named.add(token)
                else:
                    named.add(folder + token)
    return named


def test_every_module_is_named_in_the_architecture_doc():
    named = _named()
    missing = [p.relative_to(ROOT / "s2s").as_posix() for p in sorted((ROOT / "s2s").rglob("*.py"))
               if p.name != "__init__.py" and p.relative_to(ROOT / "s2s").as_posix() not in named]
    assert not missing, f"docs/architecture.md does not name: {missing} (a line each, in its stage's table)"
