"""Line maps: the user line each generated line comes from, read off the `# line N: ...` comments.

Codegen heads each group of statements with such a comment (`file_name` says how it names a file
other than the function's own, and `CITED_FILES` remembers the path behind that name);
`line_map` reads the comments back, and `compile.py` registers the map for `sourcemap.py`.
"""
from __future__ import annotations

import os
import re

# base name -> path of the user files that `# line N of NAME: ...` comments cite
CITED_FILES: dict[str, str] = {}
_LINE_COMMENT = re.compile(r"^\s*# (?:adjoint of )?line (\d+)(?: of ([^:]+))?: ")


def line_map(text: str, default_file: str) -> dict:
    """Generated line number -> (user file, user line), read off the `# line N: ...` comments.

    Every statement follows the comment of the user line it came from, so the
    map stays right whatever the optimisations removed or folded."""
    out = {}
    current = None
    for number, line in enumerate(text.splitlines(), start=1):
        m = _LINE_COMMENT.match(line)
        if m:
            name = m.group(2)
            current = (CITED_FILES.get(name, name) if name else default_file, int(m.group(1)))
            continue
        if current is not None and line.strip() and not line.lstrip().startswith(("#", "def ", "import ", "from ")):
            out[number] = current
    return out


def file_name(path: str) -> str:
    """How a `# line N of NAME:` comment names a file: its base name, or `<gradient of g>` for code s2s
    generated (a transformed function called inside the one being differentiated)."""
    m = re.match(r"<s2s (.+?) \(", path)
    return f"<{m.group(1)}>" if m else os.path.basename(path)
