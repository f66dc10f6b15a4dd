"""The data generated text reads: imported from the module that binds it, or given by whoever runs the text.

`data_imports` writes `from module import name` for the data a function reads from a module; `data_to_give` names
the data it cannot import (a closure's, a script's), which `compile_source` supplies and `_data_needed` asks for
in the text's header. Data the code no longer reads (a record built and taken apart: its class) is neither.
"""
from __future__ import annotations

import ast
import builtins
import sys
import types

from s2s import ir
from s2s.back.compile import GENERATED_MODULE
from s2s.ir.walk import used_names


def data_imports(fn: ir.Function) -> list[str]:
    """`from module import name` for the data the function reads from its module.

    Data generated code read (a transformation of a transformation) is imported from the module that binds it,
    as the first transformation's text imported it. Data captured from a closure cannot be imported:
    compile_source supplies it, and `data_to_give` names it."""
    lines = []
    read = _data_read([fn])
    for name, (obj, module) in sorted(fn.free.items()):
        if name not in read:
            continue  # (data the code no longer reads: a record built and taken apart, its class)
        if module == "builtins" and getattr(builtins, name, None) is obj:
            continue  # ValueError, AssertionError: a builtin by its own name
        if isinstance(obj, types.ModuleType) and sys.modules.get(obj.__name__) is obj and module is not None:
            own = obj.__name__  # (a module the code reads data through: consts.W)
            lines.append(f"import {own}" if own == name else f"import {own} as {name}")
        elif module == GENERATED_MODULE and _data_home(obj, name) is not None:
            lines.append(f"from {_data_home(obj, name)} import {name}")
        elif module not in (None, "__main__", GENERATED_MODULE):  # (a script's data: another script is __main__ then)
            lines.append(f"from {module} import {name}")
        elif _imported_owner(obj):  # (the object of `act = Layer(3.0).fwd` in a module: its method's __self__;
            home, held = _held_home(obj)  # an entry of a module's tuple of layers: LAYERS[0])
            tuple_name = name.partition("[")[0]  # (STACK[-1].a: the code reads the entry through the tuple's name)
            lines += [f"import {home}"] * (f"import {home}" not in lines) + \
                [f"{name} = {home}.{held}" if name.isidentifier() else f"{tuple_name} = {home}.{tuple_name}"]
    return lines


def _held_home(obj) -> tuple | None:
    """(module, expression) of module-level data generated code reads the object `obj` by, where s2s followed
    what it holds: a bound method whose object it is (`act = Layer(3.0).fwd`: 'act.__self__'), or a tuple holding
    it (`LAYERS = (Dense(np.tanh), Shift())`, whose entries a loop over LAYERS runs once each: 'LAYERS[0]'); a
    module other than a script's first. None if no loaded module binds one."""
    if (type(obj).__module__ or "").split(".")[0] in ("builtins", "numpy"):  # (arrays, lists, numbers: no scan)
        return None
    found, script = None, sys.modules.get("__main__")
    for m, module in list(sys.modules.items()):
        m = "__main__" if module is script else m  # (a script's module, whatever else names it)
        if not isinstance(module, types.ModuleType) or found is not None and m == "__main__":
            continue
        for k, v in list(vars(module).items()):
            held = f"{k}.__self__" if isinstance(v, types.MethodType) and v.__self__ is obj else \
                next((f"{k}[{i}]" for i, e in enumerate(v) if e is obj), None) if type(v) is tuple else None
            if held is not None and not k.startswith("_"):
                if m != "__main__":
                    return m, held
                found = found or (m, held)
                break
    return found


def _imported_owner(obj) -> bool:
    """Can generated code import what holds the object `obj` (a module-level bound method's object, an entry of
    a module's tuple): is its module no script?"""
    home = _held_home(obj)
    return home is not None and home[0] != "__main__" and all(p.isidentifier() for p in home[0].split("."))


def data_to_give(fns) -> list[str]:
    """The data names the functions read that their text cannot import (a closure's arrays, lists, objects):
    whoever runs the text gives them (compile_source does), in sorted order."""
    out = set()
    read = _data_read(fns)
    for fn in fns:
        for name, (obj, module) in fn.free.items():
            if name not in read or "." in name or module == "builtins" and getattr(builtins, name, None) is obj:
                continue  # (consts.W: its module is imported by its first part)
            if isinstance(obj, types.ModuleType) and sys.modules.get(obj.__name__) is obj and module is not None:
                continue
            if (module == GENERATED_MODULE and _data_home(obj, name) is None or module in (None, "__main__")) and \
                    not _imported_owner(obj):
                out.add(name.partition("[")[0])  # (STACK[-1] read through the script's tuple: STACK itself)
    return sorted(out)


def _data_read(fns) -> set[str]:
    """The names the functions' code reads, their defaults among them (`def grad_f(x, w=W)`), and the first part of
    each dotted one (`V2` of `V2.__dict__`)."""
    read = set().union(*(used_names(f.body) | _default_names(f) for f in fns))
    return read | {name.split(".")[0] for name in read}


def _default_names(fn: ir.Function) -> set[str]:
    """The data names the parameter list of `fn` reads: defaults that are no constants (`w=W`, `w=w_default`)."""
    kwdefaults = fn.signature.kwdefaults.values() if fn.signature is not None else ()
    return {d.name for d in (*fn.defaults, *kwdefaults) if isinstance(d, ir.Var)}


def _data_home(obj, name: str) -> str | None:
    """A loaded module other than __main__ that binds `name` to `obj` itself (so `from module import name` gives
    this object); None if none does (data from a closure, or a script's: in another process __main__ is another
    script)."""
    return next((m for m, module in list(sys.modules.items()) if m != "__main__" and
                 isinstance(module, types.ModuleType) and vars(module).get(name, _ABSENT) is obj), None)


_ABSENT = object()


def _data_needed(fns, entry: str, header: str) -> tuple:
    """(header, statements): the header with a comment naming the data the text cannot import, and after the
    imports a check per name that it was given, whose message says how (rather than a NameError in the middle
    of the function)."""
    names = data_to_give(fns)
    if not names:
        return header, []
    objects = {n: obj for f in fns for n, (obj, _) in f.free.items() if n in names}
    # (the object of a script's bound method, `act = Layer(3.0).fwd`, is there as act.__self__, and an entry of its
    # tuple of layers as LAYERS[0], not by this name)
    values = {n: (home[1] if home is not None else n) for n, home in ((n, _held_home(objects.get(n))) for n in names)}
    note, checks = _asked_for(entry, names, values)
    header = f"{header}\n{note}" if header else note
    return header, [ast.parse(check).body[0] for check in checks]


def _asked_for(entry: str, names: list, values: dict) -> tuple:
    """(note, checks): the header comment asking for the data `names` the text cannot import, and the text of a
    check per name, run after the imports, that it was given (`values`: what the script binds each to, the name
    itself or an expression such as LAYERS[0])."""
    listed = " and ".join(n if values[n] == n else f"{n} ({_held(values[n])}: {values[n]})" for n in names)
    given = ", ".join(f'"{n}": {values[n]}' for n in names)
    it = "it" if len(names) == 1 else "them"
    note = (f"# {entry} reads {listed}, which this text cannot import (data from a closure or a script): give {it} when "
            f"running the text,\n# as exec(text, {{{given}}}), or set {it} on the module object before executing it.")
    checks = []
    for n in names:
        origin = "data from a closure or a script" if values[n] == n else _held(values[n], "the script's ")
        message = f"{entry} needs {n} ({origin}): run this text as exec(text, {{{n!r}: {values[n]}}})"
        checks.append(f"if {n!r} not in globals():\n    raise RuntimeError({message!r})")
    return note, checks


def with_default_data(text: str, entry: str, named: dict) -> str:
    """The module `text`, ending with the entry point `entry`, with the data its defaults `named` ({name: value},
    `def jacobian_f(x, w=W)`) read: imported from the module that binds it, else asked for in the header and
    checked after the imports, in `_data_needed`'s words for what a function reads (names the text imports or checks
    already: left as they are)."""
    lines = text.split("\n")
    imports, given = [], []
    for name, value in sorted(named.items()):
        if any(line.startswith("from ") and line.endswith(f" import {name}") or line == f"if {name!r} not in "
               f"globals():" for line in lines):
            continue
        home = _data_home(value, name)
        if home is not None:
            imports.append(f"from {home} import {name}")
        else:
            given.append(name)
    first = next((i for i, line in enumerate(lines) if line.startswith("def ")), len(lines))
    at = max((i + 1 for i, line in enumerate(lines[:first]) if line.startswith(("import ", "from "))), default=1)
    note, checks = _asked_for(entry, given, {n: n for n in given})
    lines[at:at] = imports + [line for check in checks for line in ["", *check.split("\n")]]
    if given:
        lines[1:1] = note.split("\n")
    return "\n".join(lines)


def _held(expression: str, whose: str = "the ") -> str:
    """What `_held_home`'s expression reads: 'the object of the bound method act', 'the entry 0 of the tuple
    LAYERS' (`whose`: "the script's ")."""
    if expression.endswith(".__self__"):
        return f"the object of {whose}bound method {expression[:-len('.__self__')]}"
    return f"the entry {expression.rpartition('[')[2][:-1]} of {whose}tuple {expression.rpartition('[')[0]}"
