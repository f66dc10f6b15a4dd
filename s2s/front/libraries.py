"""What s2s knows of a library's functions (NumPy's, SciPy's, the standard library's, an installed package's) when
the user's code calls one: whether it is a library's at all (s2s follows the Python source of one without a rule,
calls it as it is where its arguments are constants), how the user spelled it, the module generated code imports
it from, and the array API namespace scipy's source asks for (`xp = array_namespace(a)`)."""
from __future__ import annotations

import ast
import importlib
import inspect
import os
import sysconfig
import types

import numpy

from s2s.front.method_lookup import LIBRARIES


def numerical(fn) -> bool:
    """Is `fn` NumPy's or SciPy's, whose parameters `out` and `dtype` mean what `placed` takes them to?"""
    return (getattr(fn, "__module__", None) or "").split(".")[0] in ("numpy", "scipy")


def namespace_made_by(fn):
    """The module `fn` returns where it is an array API namespace's maker (scipy's `array_namespace(*arrays)`,
    array_api_compat's `array_namespace` and `get_namespace`) and given NumPy's arrays, which are all s2s
    differentiates: the namespace the library's code then calls (`xp.min(a, axis=0)`); else None."""
    if getattr(fn, "__name__", None) not in ("array_namespace", "get_namespace") or \
            (getattr(fn, "__module__", None) or "").split(".")[0] not in ("scipy", "array_api_compat"):
        return None
    try:
        namespace = fn(numpy.empty(0))
    except Exception:
        return None
    return namespace if isinstance(namespace, types.ModuleType) else None


def shown(node: ast.Call, fn) -> str:
    """A library function as the user called it, and its full name: `cdist (scipy.spatial.distance.cdist)`."""
    spelled, full = ast.unparse(node.func), f"{fn.__module__}.{fn.__qualname__}"
    return spelled if spelled == full else f"{spelled} ({full})"


def library_function(fn) -> bool:
    """Is `fn` a library's (NumPy, SciPy, the standard library, an installed package), not the user's own?"""
    if (getattr(fn, "__module__", None) or "").split(".")[0] in LIBRARIES:
        return True
    try:
        path = os.path.realpath(inspect.getsourcefile(fn) or "")
    except TypeError:
        return False
    return any(path.startswith(os.path.realpath(root) + os.sep) for root in INSTALLED if root)


# where installed packages and the standard library live (a user's code is elsewhere, or installed editable)
INSTALLED = tuple({sysconfig.get_paths().get(k) for k in ("purelib", "platlib", "stdlib", "platstdlib")} - {None})


def home_module(obj, name: str) -> str | None:
    """The module a library callable can be imported from under `name` (for generated imports)."""
    module = getattr(obj, "__module__", None)
    if not module or getattr(obj, "__name__", None) != name:
        return None
    try:
        return module if getattr(importlib.import_module(module), name, None) is obj else None
    except Exception:
        return None
