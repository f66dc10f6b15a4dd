"""Notebook display of generated code: the `_repr_html_` of the callables the transformations return.

Jupyter calls `_repr_html_` to show an object that is the last expression of a
cell. A transformed function shows its generated source, syntax-highlighted by
Pygments when it is importable (an optional package, never a dependency) and
as an escaped `<pre>` block otherwise. Guarantees: the HTML holds the whole
source text; its colours are inline styles (no stylesheet is needed); it is
deterministic; a function that cannot be transformed shows the error's message
instead of raising inside the notebook's display machinery.
"""
from __future__ import annotations

import html

from s2s.errors import S2SError

STYLE = "font-size: 0.9em; line-height: 1.35; padding: 0.6em; overflow-x: auto;"


def source_html(text: str, title: str = "") -> str:
    """`text` (Python source) as an HTML block: highlighted by Pygments when it is installed."""
    head = f'<div style="font-family: monospace; color: #555;">{html.escape(title)}</div>' if title else ""
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer
    except ImportError:
        return f'<div>{head}<pre style="{STYLE}">{html.escape(text)}</pre></div>'
    body = highlight(text, PythonLexer(), HtmlFormatter(noclasses=True, nowrap=True))
    return f'<div>{head}<pre style="{STYLE}">{body}</pre></div>'


def repr_html(self) -> str:
    """`_repr_html_` for anything with `.source`: its generated code, or why it could not be made."""
    title = repr(self) if type(self).__repr__ is not object.__repr__ else getattr(self, "__name__", "")
    try:
        text = self.source
    except (S2SError, ValueError, TypeError) as exc:
        message = html.escape(f"{type(exc).__name__}: {exc}")
        return f'<div>{html.escape(title)}<pre style="{STYLE} color: #a00;">{message}</pre></div>'
    return source_html(text, title)
