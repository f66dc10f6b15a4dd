"""What generated text needs of `s2s.rules.custom` besides its imports (codegen.py puts it after them).

The rules s2s makes for a recursive function as it transforms (api/recursion.py) are not made by importing
anything: the text makes them again with one statement, `custom.recursive_rules(module, qualified name, role=
attribute, ...)`, where the process importing it has not. What it can neither import nor make again (a recursive
function of a closure or a script, whose name another process does not find; a function a script registered
rules for) it checks for, its message saying what to do.
"""
from __future__ import annotations

import ast
import textwrap

from s2s.rules import custom, registry

CUSTOM = "s2s.rules.custom."


def rules_needed(keys, entry: str, header: str) -> tuple:
    """(header, statements): after the imports, for the rules s2s made for recursive functions the code calls, a
    statement making them where the process importing the text has not (`custom.recursive_rules`, from the
    function's module and name); for those of a function it can neither import nor make (a recursive function of
    a closure or a script, a function whose rules a script registered), a check whose message says what to do
    (rather than an AttributeError in the middle of the function), named in the header too."""
    made: dict = {}  # recursive function -> {role: attribute}
    missing: dict = {}  # function -> the attributes the text cannot have made
    for key in sorted(keys):
        attribute = key[len(CUSTOM):] if key.startswith(CUSTOM) else None
        found = custom.made_for(attribute) if attribute else None
        if found is not None:
            fn, role = found
            module, qualname = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "")
            unnamed = module in (None, "__main__") or "<" in qualname
            (missing.setdefault(fn, []) if unnamed else made.setdefault(fn, {}).setdefault(role, [])).append(attribute)
        elif attribute and custom.registered_by(attribute) is not None:
            missing.setdefault(custom.registered_by(attribute), []).append(attribute)
    lines = []
    for fn, roles in made.items():
        while roles:  # (one call per name of each role: two where a text read from the disk cache names another)
            lines.append(f"custom.recursive_rules({fn.__module__!r}, {fn.__qualname__!r}, "
                         f"{', '.join(f'{role}={names.pop(0)!r}' for role, names in roles.items())})")
            roles = {role: names for role, names in roles.items() if names}
    notes = []
    for fn, attributes in missing.items():
        name = getattr(fn, "__name__", "f")
        if fn in custom.RECURSIVE_NAMES:
            where = "a closure" if "<" in fn.__qualname__ else "a script (__main__)"
            of = f"s2s.checkpoint({name})" if fn in custom.CHECKPOINTED else f"the recursive function {name}"
            what = (f"{entry} calls the derivatives s2s makes of {of}, defined in {where}, "
                    f"which another process cannot find by name")
            todo = f"define {name} at the top level of a module and transform again (the new text makes them)"
        elif registry.key_of(fn) in registry.NONDIFF:
            what = f"{entry} calls {name}, declared s2s.nondifferentiable by a script (__main__)"
            todo = f"declare it so before importing this text, or in a module defining {name}, which the text imports"
        else:
            what = f"{entry} calls {name}, whose rules a script (__main__) registered (s2s.adjoint, s2s.tangent)"
            todo = f"register them before importing this text, or in a module defining {name}, which the text imports"
        present = f"hasattr(custom, {attributes[0]!r})" if len(attributes) == 1 else \
            f"all(hasattr(custom, name) for name in {tuple(attributes)!r})"
        lines.append(f"if not {present}:\n    raise RuntimeError({f'{what}: {todo}'!r})")
        notes.append(textwrap.fill(f"{what}: {todo}.", 116, initial_indent="# ", subsequent_indent="# "))
    if notes:
        header = "\n".join([header] + notes if header else notes)
    return header, [ast.parse(line).body[0] for line in lines]
