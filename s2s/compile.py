"""Stage 6: source text -> Python function.

The text is compiled under a stable pseudo-filename that is registered in
`linecache`, so tracebacks, `inspect` and `pdb` show the generated lines.
"""
from __future__ import annotations

import linecache


def pseudo_filename(kind: str, fn_name: str, user_file: str, line: int) -> str:
    return f"<s2s {kind} of {fn_name} ({user_file}:{line})>"


def compile_source(text: str, filename: str, entry: str, free: dict | None = None,
                   user_file: str = "", user_name: str = "", deps: dict | None = None):
    """Execute the module text and return its function `entry`.

    `free` (name -> (object, module)) provides the data the function reads from
    its module or closure; the text's own `from module import name` lines are
    then satisfied from it rather than re-imported."""
    lines = text.splitlines(keepends=True)
    linecache.cache[filename] = (len(text), None, lines, filename)
    if user_file:
        from .codegen import line_map
        from .sourcemap import register
        register(filename, line_map(text, user_file), user_name or entry)
    code = compile(text, filename, "exec")
    namespace: dict = {"__name__": "s2s_generated", "__file__": filename}
    if free:
        import builtins
        values = {name: obj for name, (obj, _) in free.items()}
        namespace.update(values)
        original_import = builtins.__import__

        def importer(name, globals=None, locals=None, fromlist=(), level=0):
            if globals is namespace and fromlist and all(n in values for n in fromlist):
                return _Holder(values)
            return original_import(name, globals, locals, fromlist, level)

        namespace["__builtins__"] = dict(vars(builtins), __import__=importer)
    exec(code, namespace)
    fn = namespace[entry]
    fn.__s2s_namespace__ = namespace
    # what the persistent cache records: the data names to supply again, the helpers' sources
    fn.__s2s_free__ = {name: module for name, (_, module) in (free or {}).items()}
    fn.__s2s_deps__ = dict(deps or {})
    fn.__s2s_user__ = (user_file, user_name)
    return fn


class _Holder:
    def __init__(self, values):
        self.__dict__.update(values)
