"""The on-disk cache of generated source, used when `S2S_CACHE_DIR` is set.

An entry is keyed by a hash of the function's source text, its qualified name,
the values its closure holds, the transformation and its options, the custom
rules registered (`s2s.adjoint`, ...), and the s2s version. The next process compiles the stored text without transforming again.
Guarantees:
- entries are written atomically (a temporary file, then `os.replace`);
- an entry is used only if it parses, names this key and this s2s version, its
  text matches its recorded SHA-256, and the source of every helper function
  that was inlined is unchanged; otherwise it is ignored (and rewritten by the
  fresh transformation);
- data the function reads from its module or closure is looked up again by name.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import os
import tempfile

FORMAT = 1


def _version() -> str:
    from . import __version__
    return __version__


def _directory() -> str | None:
    return os.environ.get("S2S_CACHE_DIR") or None


def _source_text(f) -> str | None:
    generated = getattr(f, "__s2s_generated__", None)
    if generated is not None:
        return generated()[0]
    try:
        return inspect.getsource(f)
    except (OSError, TypeError):
        return None


def key_for(f, kind: str, wrt, options: dict) -> str | None:
    """The entry's key, or None when there is no cache directory or no source."""
    if _directory() is None:
        return None
    text = _source_text(f)
    if text is None:
        return None
    from .cache import closure_key
    material = json.dumps({
        "format": FORMAT, "s2s": _version(), "kind": kind, "wrt": repr(wrt),
        "options": repr(sorted(options.items())), "source": text,
        "name": f"{getattr(f, '__module__', '')}:{getattr(f, '__qualname__', '')}",
        "closure": repr(closure_key(f)),
        "rules": _custom_rules(),
    }, sort_keys=True)
    return hashlib.sha256(material.encode()).hexdigest()


def _custom_rules() -> list:
    """The rules users registered (they decide what is called and what is descended into)."""
    from .rules import registry
    registry._load()
    out = [("reverse", k, r.user) for k, r in registry.REVERSE.items() if r.user is not None]
    out += [("tangent", k, r.fn) for k, r in registry.TANGENT.items() if r.user]
    out += [("nondifferentiable", k, "") for k in registry.NONDIFF if k.startswith("s2s.rules.custom.")]
    return sorted(out)


def _path(key: str) -> str:
    return os.path.join(_directory(), f"{key}.json")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def store(key: str, text: str, fn) -> None:
    directory = _directory()
    if directory is None:
        return
    entry = {
        "format": FORMAT, "s2s": _version(), "key": key, "text": text, "sha256": _sha(text),
        "entry": fn.__name__, "filename": fn.__code__.co_filename,
        "free": getattr(fn, "__s2s_free__", {}),
        "deps": {name: _sha(src) for name, src in getattr(fn, "__s2s_deps__", {}).items()},
        "user": list(getattr(fn, "__s2s_user__", ("", ""))),
    }
    os.makedirs(directory, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=directory, prefix=".s2s-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(entry, out)
        os.replace(tmp, _path(key))
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def load(key: str, f):
    """(text, compiled function) from the entry for `key`, or None if it is missing or not valid."""
    try:
        with open(_path(key), encoding="utf-8") as fh:
            entry = json.load(fh)
    except (OSError, ValueError):
        return None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("s2s") != _version() \
            or entry.get("key") != key:
        return None
    text = entry.get("text")
    if not isinstance(text, str) or entry.get("sha256") != _sha(text):
        return None
    if not _deps_unchanged(entry.get("deps", {})):
        return None
    free = _resolve_free(entry.get("free", {}), f)
    if free is None:
        return None
    from .compile import compile_source
    user_file, user_name = (entry.get("user") or ["", ""])[:2]
    try:
        fn = compile_source(text, entry["filename"], entry["entry"], free, user_file, user_name)
    except Exception:
        return None
    return text, fn


def _deps_unchanged(deps: dict) -> bool:
    import importlib
    for name, digest in deps.items():
        module, _, qualname = name.partition(":")
        try:
            obj = importlib.import_module(module)
            for part in qualname.split("."):
                obj = getattr(obj, part)
            from .frontend import read_function
            if _sha(read_function(obj).text) != digest:
                return False
        except Exception:
            return False
    return True


def _resolve_free(names: dict, f) -> dict | None:
    closure = {}
    code = getattr(f, "__code__", None)
    if code is not None and getattr(f, "__closure__", None):
        for n, cell in zip(code.co_freevars, f.__closure__):
            try:
                closure[n] = cell.cell_contents
            except ValueError:
                pass
    glob = getattr(f, "__globals__", {})
    generated = getattr(f, "__s2s_generated__", None)
    if generated is not None:
        glob = generated()[3]
    out = {}
    for name, module in names.items():
        if name in closure:
            out[name] = (closure[name], module)
        elif name in glob:
            out[name] = (glob[name], module)
        elif module:  # a library object the function reached through attributes (np.random.default_rng)
            try:
                import importlib
                out[name] = (getattr(importlib.import_module(module), name), module)
            except (ImportError, AttributeError):
                return None
        else:
            return None
    return out
