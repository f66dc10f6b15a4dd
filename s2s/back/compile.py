"""Stage 6: source text -> Python function.

The text is compiled under a stable pseudo-filename that is registered in
`linecache`, so tracebacks, `inspect` and `pdb` show the generated lines. A
pseudo-filename is never given to two different texts in one process: the
first text keeps the plain name, another text for the same name (another wrt,
value_and_grad, the function transformed again after a constant changed) gets
a digest of its text appended, `<s2s gradient of f (f.py:3) #1a2b3c4d>`.
"""
from __future__ import annotations

import builtins
import hashlib
import linecache
import threading
import types
import warnings

from s2s import prims
from s2s.back.linemap import line_map
from s2s.linemaps import register
from s2s.rules import custom

GENERATED_MODULE = "s2s_generated"  # the __name__ generated code runs under (a transformation of it reads data there)

_lock = threading.Lock()
_texts: dict = {}  # pseudo-filename -> digest of the text compiled under it


def pseudo_filename(kind: str, fn_name: str, user_file: str, line: int) -> str:
    return f"<s2s {kind} of {fn_name} ({user_file}:{line})>"


def unique_filename(filename: str, text: str) -> str:
    """`filename`, or `filename` with a digest of `text` when another text already has that name."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    base = filename
    if base.endswith(">") and " #" in base:  # a name made here before (stored in the persistent cache)
        stem, _, tail = base[:-1].rpartition(" #")
        if len(tail) >= 8 and all(c in "0123456789abcdef" for c in tail):
            base = stem + ">"
    with _lock:
        for size in (0, 8, 16, 64):
            name = base if size == 0 else f"{base[:-1]} #{digest[:size]}>" if base.endswith(">") \
                else f"{base} #{digest[:size]}"
            if _texts.setdefault(name, digest) == digest:
                return name
    raise RuntimeError(f"two texts with the same SHA-256 for {filename}")  # not reached


def compile_source(text: str, filename: str, entry: str, free: dict | None = None,
                   user_file: str = "", user_name: str = "", deps: dict | None = None):
    """Execute the module text and return its function `entry`.

    `free` (name -> (object, module)) provides the data the function reads from
    its module or closure; the text's own `from module import name` lines are
    then satisfied from it rather than re-imported."""
    filename = unique_filename(filename, text)
    lines = text.splitlines(keepends=True)
    linecache.cache[filename] = (len(text), None, lines, filename)
    if user_file:
        register(filename, line_map(text, user_file), user_name or entry)
    with warnings.catch_warnings():  # (`None[0]`, `2 is K.L1`: Python warned of the user's own text, if at all)
        warnings.simplefilter("ignore", SyntaxWarning)
        code = compile(text, filename, "exec")
    namespace: dict = {"__name__": GENERATED_MODULE, "__file__": filename}
    values = {name: obj for name, (obj, _) in (free or {}).items()}
    rule_modules = custom.registering_modules()
    if values or rule_modules:
        namespace.update(values)
        original_import = builtins.__import__

        def importer(name, globals=None, locals=None, fromlist=(), level=0):
            if globals is namespace and fromlist and all(n in values for n in fromlist) and not _library(name):
                return _Holder(values)  # (the user's data; not `from scipy import special as special_1`)
            try:
                return original_import(name, globals, locals, fromlist, level)
            except ModuleNotFoundError:
                if globals is namespace and not fromlist and name in rule_modules:
                    # `import m` of a module whose custom rules the code calls, which Python cannot import by
                    # its name (loaded with spec_from_file_location, or exec'd): its rules are registered here
                    return types.ModuleType(name)
                raise

        namespace["__builtins__"] = dict(vars(builtins), __import__=importer)
    exec(code, namespace)
    fn = namespace[entry]
    fn.__s2s_namespace__ = namespace
    # what the persistent cache records: the data names to supply again, the helpers' sources
    fn.__s2s_free__ = {name: module for name, (_, module) in (free or {}).items()}
    fn.__s2s_deps__ = dict(deps or {})
    fn.__s2s_user__ = (user_file, user_name)
    return fn


def _library(module: str) -> bool:
    """Is `module` one of the libraries generated code imports its calls from (prims.MODULES), or a package of
    one (`from scipy import special`)?"""
    return any(module == prefix or module.startswith(prefix + ".") or prefix.startswith(module + ".")
               for prefix, _, _ in prims.MODULES)


class _Holder:
    def __init__(self, values):
        self.__dict__.update(values)
