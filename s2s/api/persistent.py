"""The on-disk cache of generated source, used when `S2S_CACHE_DIR` is set.

An entry is found by a hash of the function's source text, its module and
qualified name, the values its closure holds, the transformation and its
options, the custom rules registered (`s2s.adjoint`, ...: the function and rules each name the generated
text calls holds, and the library functions whose rules were replaced or removed), and the s2s version.
It also records what the transformation read from outside the function's text
(`facts.py`: module and class constants, helpers and their constants, module
attributes) with a description of each value, and a digest of every helper it
inlined (its text and the values of its defaults, which Python computed when
the helper was defined); the entry is used only if every one of them describes
the same today, so editing a constant, a helper or a constant a helper's default
names never serves a stale gradient. The next process compiles the stored text without
transforming again.

Guarantees:
- entries are written atomically (a temporary file, then `os.replace`);
- an entry is read only if it is a regular file of at most `MAX_BYTES` (it is
  opened non-blocking, so a FIFO in its place cannot hang the call), parses,
  has fields of the right types, names this key and this s2s version, and its
  SHA-256 covers everything that is executed or imported (text, entry name,
  filename, the modules data is imported from, facts, helper digests);
  otherwise it is ignored (and rewritten by the fresh transformation);
- an unusable `S2S_CACHE_DIR` (not a directory, not creatable or writable)
  gives one warning per process and directory, and the disk cache is off;
- data the function reads from its module or closure is looked up again by name.
"""
from __future__ import annotations

import hashlib
import importlib
import inspect
import json
import os
import re
import stat
import tempfile
import threading
import warnings

from s2s import ir
from s2s.ad.data_uses import Use
from s2s.api import facts as facts_mod
from s2s.back.compile import compile_source
from s2s.errors import S2SError
from s2s.front.source import read_function
from s2s.rules import custom, registry
from s2s.version import __version__

FORMAT = 5  # (5: generated code checks values the call cannot read where it reads them: rt.require_data)
MAX_BYTES = 16 * 1024 * 1024
_FIELDS = {"format": int, "s2s": str, "key": str, "text": str, "entry": str, "filename": str, "free": dict,
           "deps": dict, "user": list, "facts": list, "recursive": dict, "data": list}

_lock = threading.Lock()
_usable: dict = {}  # directory -> whether it can be used (decided once per process)

# The rules s2s made for recursive functions (api/recursion.py records them in s2s.rules.custom,
# `record_recursive`): generated text calls them as custom.<attribute>; an entry names the ones its text calls, and
# loading it makes them again
ROLES = ("function", "adjoint", "tangent", "adjoint_adjoint", "adjoint_tangent", "tangent_adjoint",
         "tangent_tangent")
_MADE_KEYS: set = set()  # the keys of the rules made for them whose own rules s2s makes too (not the user's)


def _version() -> str:
    return __version__


def _directory() -> str | None:
    """S2S_CACHE_DIR if it is set and usable (created if missing); warns once if it is not."""
    directory = os.environ.get("S2S_CACHE_DIR") or None
    if directory is None:
        return None
    usable = _usable.get(directory)
    if usable is None:
        problem = None
        try:
            os.makedirs(directory, exist_ok=True)
            if not os.path.isdir(directory):
                problem = "it is not a directory"
            elif not os.access(directory, os.W_OK | os.X_OK):
                problem = "it is not writable"
        except (OSError, ValueError) as exc:
            problem = f"it cannot be created ({exc})"
        usable = problem is None
        if not usable:
            _disable(directory, problem)
        else:
            _usable.setdefault(directory, True)
    return directory if usable else None


def _disable(directory: str, problem: str) -> None:
    with _lock:
        warn = _usable.get(directory) is not False
        _usable[directory] = False
    if warn:
        warnings.warn(f"S2S_CACHE_DIR={directory!r} is not used: {problem}; transformations are cached in "
                      f"memory only", RuntimeWarning, stacklevel=4)


def _source_text(f) -> str | None:
    generated = getattr(f, "__s2s_generated__", None)
    if generated is not None:
        return generated()[0]
    try:
        return inspect.getsource(f)
    except (OSError, TypeError):
        return None


def key_for(f, kind: str, wrt, options: dict) -> str | None:
    """The entry's key, or None when there is no usable cache directory or no source."""
    if _directory() is None:
        return None
    text = _source_text(f)
    if text is None:
        return None
    material = json.dumps({
        "format": FORMAT, "s2s": _version(), "kind": kind, "wrt": repr(wrt),
        "options": repr(sorted(options.items())), "source": text,
        "name": f"{getattr(f, '__module__', '')}:{getattr(f, '__qualname__', '')}",
        "closure": _closure_description(f),
        "code": _code_description(getattr(getattr(f, "__func__", f), "__code__", None)),
        "rules": _custom_rules(),
    }, sort_keys=True)
    return hashlib.sha256(material.encode()).hexdigest()


def _code_description(code) -> list | None:
    """What the code Python runs for the function is (its instructions, names and constants, and those of the
    functions defined in it): the text read for it may be another's (a filename linecache holds another text
    under now), whose entry must not be served. None for a generated function, whose key is its text."""
    if code is None:
        return None
    return [code.co_code.hex(), list(code.co_names), list(code.co_varnames), list(code.co_freevars),
            [_constant_description(c) for c in code.co_consts]]


def _constant_description(c):
    if hasattr(c, "co_code"):
        return _code_description(c)
    if isinstance(c, (tuple, frozenset)):  # (a frozenset's order is its strings' hashes: another per process)
        parts = [_constant_description(x) for x in c]
        return [type(c).__name__, parts if isinstance(c, tuple) else sorted(parts, key=repr)]
    return repr(c)


def _closure_description(f) -> list:
    out = []
    for cell in getattr(f, "__closure__", None) or ():
        try:
            out.append(facts_mod.describe(cell.cell_contents))
        except ValueError:
            out.append(["empty"])
    return out


def _custom_rules() -> list:
    """The rules users registered (they decide what is called and what is descended into), each with what the
    names generated code reaches it by hold: `custom.scale` is the `scale` registered first in this process (a
    second module's `scale` is `custom.scale_2`), so the names alone would let another import order serve one
    module's rule for the other's. The library functions whose rules were replaced or removed
    (`s2s.nondifferentiable(np.linalg.norm)`) are named with what they have now."""
    registry._load()
    # (not the rules s2s makes for recursive functions, and for their rules: the entry records those and makes
    # them again)
    made = registry.RECURSIVE_KEYS | _MADE_KEYS
    out = [["reverse", k, _held(k), r.user, _held(r.user)]
           for k, r in registry.REVERSE.items() if r.user is not None and k not in made]
    out += [["tangent", k, _held(k), r.fn, _held(r.fn)]
            for k, r in registry.TANGENT.items() if r.user and k not in made]
    out += [["nondifferentiable", k, _held(k)]
            for k in registry.NONDIFF if k.startswith("s2s.rules.custom.") and k not in made]
    out += [["library", k, "reverse" if k in registry.REVERSE else "", "tangent" if k in registry.TANGENT else "",
             "nondifferentiable" if k in registry.NONDIFF else ""] for k in custom.LIBRARY_CHANGED]
    return sorted(json.dumps(row) for row in out)


def _held(name) -> list:
    """What `name` (a key "s2s.rules.custom.scale", or the attribute of s2s.rules.custom a rule is reached by)
    holds: the module and qualified name of a function (its body is called at run time, not read: an edit of
    it needs no new entry); a library key names its function itself."""
    if not isinstance(name, str):
        return ["none"]
    prefix = "s2s.rules.custom."
    if "." in name and not name.startswith(prefix):
        return ["library"]
    obj = getattr(custom, name[len(prefix):] if name.startswith(prefix) else name, None)
    return [type(obj).__name__, getattr(obj, "__module__", None) or "", getattr(obj, "__qualname__", None) or ""]


def _path(directory: str, key: str) -> str:
    return os.path.join(directory, f"{key}.json")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _checksum(entry: dict) -> str:
    """SHA-256 of every field but the checksum itself."""
    return _sha(json.dumps({k: v for k, v in entry.items() if k != "sha256"}, sort_keys=True))


def store(key: str, text: str, fn, facts: list, f) -> None:
    directory = _directory()
    if directory is None:
        return
    rows = facts_mod.to_disk(facts, f)
    recursive = _recursive_used_by(text)
    deps = _dep_digests(getattr(fn, "__s2s_deps__", {}))
    if rows is None or recursive is None or deps is None:
        return  # it read, inlines or calls something another process cannot find again by name
    entry = {
        "format": FORMAT, "s2s": _version(), "key": key, "text": text,
        "entry": fn.__name__, "filename": fn.__code__.co_filename,
        "free": getattr(fn, "__s2s_free__", {}),
        "deps": deps,  # "module:qualname" of every helper inlined -> digest of its text and defaults
        "user": list(getattr(fn, "__s2s_user__", ("", ""))),
        "facts": rows,
        "recursive": recursive,  # custom attribute -> [module, qualname, role]: rules made again on loading
        "data": [list(u) for u in getattr(fn, "__s2s_data__", ())],  # the arguments' uses it checks (data_uses)
    }
    tangents = getattr(fn, "__s2s_tangents__", None)  # (a jvp: how it takes its tangents, ir.Tangents)
    if tangents is not None:
        entry["tangents"] = [list(tangents.names), tangents.keyword]
    try:
        entry["sha256"] = _checksum(entry)
        payload = json.dumps(entry)
    except (TypeError, ValueError):
        return  # a value with no JSON form: not stored
    try:
        os.makedirs(directory, exist_ok=True)  # it may have been deleted since: that is allowed
        handle, tmp = tempfile.mkstemp(dir=directory, prefix=".s2s-", suffix=".tmp")
    except OSError as exc:
        _disable(directory, f"an entry cannot be written ({exc})")
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(payload)
        os.replace(tmp, _path(directory, key))
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _read(path: str) -> str | None:
    """The text of a regular file of at most MAX_BYTES; None for anything else (never blocks)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(fd)  # the file may have been swapped since the stat
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        chunks, size = [], 0
        while size <= MAX_BYTES:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > MAX_BYTES:
            return None
        return b"".join(chunks).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    finally:
        os.close(fd)


def _valid(entry, key: str) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get("sha256"), str):
        return False
    if any(not isinstance(entry.get(name), kind) for name, kind in _FIELDS.items()):
        return False
    if entry["format"] != FORMAT or entry["s2s"] != _version() or entry["key"] != key:
        return False
    if not entry["entry"].isidentifier() or not entry["filename"].startswith("<s2s "):
        return False
    if not all(isinstance(k, str) and (m is None or isinstance(m, str)) for k, m in entry["free"].items()):
        return False
    if not all(isinstance(k, str) and isinstance(d, str) for k, d in entry["deps"].items()):
        return False
    if len(entry["user"]) != 2 or not all(isinstance(u, str) for u in entry["user"]):
        return False
    if not all(isinstance(k, str) and isinstance(v, list) and len(v) == 3 and all(isinstance(p, str) for p in v)
               and v[2] in ROLES for k, v in entry["recursive"].items()):
        return False
    return entry["sha256"] == _checksum(entry)


def load(key: str, f):
    """(text, compiled function, facts) from the entry for `key`, or None if it is missing, not
    valid, or something it read has changed."""
    directory = _directory()
    if directory is None:
        return None
    raw = _read(_path(directory, key))
    if raw is None:
        return None
    try:
        entry = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not _valid(entry, key):
        return None
    try:
        rows = facts_mod.from_disk(entry["facts"], f)
        if rows is None or not _deps_unchanged(entry["deps"]):
            return None
        free = _resolve_free(entry["free"], f)
        if free is None:
            return None
        if not _recreate(entry["recursive"]):  # the text calls their rules as custom.<name>
            return None
        user_file, user_name = entry["user"]
        fn = compile_source(entry["text"], entry["filename"], entry["entry"], free, user_file, user_name)
        fn.__s2s_data__ = tuple(Use(u[0], u[1], tuple(map(tuple, u[2])), *u[3:]) for u in entry["data"])
        if "tangents" in entry:
            fn.__s2s_tangents__ = ir.Tangents(tuple(entry["tangents"][0]), bool(entry["tangents"][1]))
    except Exception:
        return None
    return entry["text"], fn, rows


def _dep_digests(deps: dict) -> dict | None:
    """{"module:qualname": digest} of the helpers inlined (`deps`: name -> the source text read), or None if one
    cannot be found again by that name, or the name finds another text."""
    out = {}
    for name, text in deps.items():
        found = _dep_digest(name)
        if found is None or found[0] != text:
            return None
        out[name] = found[1]
    return out


def _deps_unchanged(deps: dict) -> bool:
    for name, digest in deps.items():
        found = _dep_digest(name)
        if found is None or found[1] != digest:
            return False
    return True


def _dep_digest(name: str) -> tuple | None:
    """(source text, digest) of the helper "module:qualname" as it is now, or None if it cannot be found.

    The digest covers the text and the values Python computed for the defaults when the helper was defined:
    `def helper(x, k=K)` bakes K's value of that moment into the code inlining it, so the same text with
    another K is another helper."""
    module, _, qualname = name.partition(":")
    try:
        obj = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
        text = read_function(obj).text
        obj = getattr(obj, "__func__", obj)  # (a class method, bound to its class)
        defaults = [facts_mod.describe(d) for d in getattr(obj, "__defaults__", None) or ()]
        kwdefaults = sorted([k, facts_mod.describe(d)] for k, d in (getattr(obj, "__kwdefaults__", None) or {}).items())
        return text, _sha(json.dumps([text, defaults, kwdefaults]))
    except Exception:
        return None


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
        elif "." in name and name.partition(".")[0] in names:  # data read through a dotted name (consts.W):
            root, _, rest = name.partition(".")                    # the code reads it through its first part
            try:
                value = closure[root] if root in closure else glob[root]
                for attr in rest.split("."):
                    value = getattr(value, attr)
            except (KeyError, AttributeError):
                return None
            out[name] = (value, module)
        elif module:  # a library object the function reached through attributes (np.random.default_rng)
            try:
                out[name] = (getattr(importlib.import_module(module), name), module)
            except (ImportError, AttributeError):
                return None
        else:
            return None
    return out


# ---------------------------------------------------------------------------------------------- recursive functions
def record_recursive(fn, names: dict, made_keys) -> None:
    """Remember the rules api/recursion.py made for the recursive function `fn`: `names` {role: attribute of
    s2s.rules.custom}, `made_keys` the keys of its rules whose own rules were made too."""
    _MADE_KEYS.update(made_keys)
    custom.record_recursive(fn, names)


def forget_recursive(fn) -> None:
    """`fn`'s rules are the user's now, no longer made by api/recursion.py: its entries name it as any function."""
    custom.forget_recursive(fn)


def _recursive_used_by(text: str) -> dict | None:
    """The recursive functions generated code `text` calls, as {attribute of s2s.rules.custom: [module,
    qualified name of the function, which of its objects]}; None if one of them cannot be found again by name
    in another process."""
    out = {}
    for attribute in sorted(set(re.findall(r"\bcustom\.(\w+)", text))):
        found = custom.made_for(attribute)
        if found is None:
            continue
        fn, role = found
        module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "")
        if not module or "<" in qualname:  # (a closure's; a script's, __main__, the same script run again finds)
            return None
        out[attribute] = [module, qualname, role]
    return out


def _recreate(used: dict) -> bool:
    """Make the rules of the recursive functions `_recursive_used_by` described (custom.recursive_rules, as the
    text itself does), under the attribute names the stored text reads; False if a function cannot be found, has
    rules of the user's now, or a name holds something else."""
    by_function: dict = {}
    for attribute, (module, qualname, role) in sorted(used.items()):
        by_function.setdefault((module, qualname), {})[role] = attribute
    try:
        for (module, qualname), attributes in by_function.items():
            custom.recursive_rules(module, qualname, **attributes)
    except S2SError:
        return False
    return all((custom.made_for(attribute) or (None, None))[1] == role for attribute, (_, _, role) in used.items())
