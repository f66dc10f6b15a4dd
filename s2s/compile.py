"""Stage 6: source text -> Python function.

The text is compiled under a stable pseudo-filename that is registered in
`linecache`, so tracebacks, `inspect` and `pdb` show the generated lines.
"""
from __future__ import annotations

import linecache


def pseudo_filename(kind: str, fn_name: str, user_file: str, line: int) -> str:
    return f"<s2s {kind} of {fn_name} ({user_file}:{line})>"


def compile_source(text: str, filename: str, entry: str):
    """Execute the module text and return its function `entry`."""
    lines = text.splitlines(keepends=True)
    linecache.cache[filename] = (len(text), None, lines, filename)
    code = compile(text, filename, "exec")
    namespace: dict = {"__name__": "s2s_generated", "__file__": filename}
    exec(code, namespace)
    fn = namespace[entry]
    fn.__s2s_namespace__ = namespace
    return fn
