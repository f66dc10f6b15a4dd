"""How the keys stage (ad/inactive.iterated_keys) reads and names a loop's container and its reads at the loop's
items: the reads of one value at a constant key or attribute made one (`for k in P['w']: ... P['w'][k]`, each
P['w'] a value of its own in SSA), and the user's spelling of them that rt.dict_keys_only's refusal quotes.
"""
from __future__ import annotations

from s2s import ir
from s2s.ir.names import base_name


def same_reads(made: dict) -> dict:
    """name -> the first name read the same way, of reads at a constant key or attribute of one value (t6 = P['w']
    in the loop over t1 = P['w']; m.weights): the same object, P unchanged (a write makes a new version of it)."""
    first: dict = {}
    out = {}
    for name, c in made.items():
        if c.op in ("getitem", "getattr") and len(c.args) == 2 and not c.kwargs and type(c.args[0]) is ir.Var \
                and type(c.args[1]) is ir.Const and type(c.args[1].value) in (str, int):
            out[name] = first.setdefault((c.op, c.args[0].name, type(c.args[1].value), c.args[1].value), name)
    return out


def spelling(name: str, made: dict, defs: dict) -> str | None:
    """The user's spelling of `name`: its own (p, of p_1), or of a value s2s named, the expression P['w'] or
    m.weights that made it (None for another)."""
    if not getattr(defs.get(name), "temp", False):
        return base_name(name)
    c = made.get(name)
    if c is None or c.op not in ("getitem", "getattr") or len(c.args) != 2 or type(c.args[0]) is not ir.Var or \
            type(c.args[1]) is not ir.Const or type(c.args[1].value) not in (str, int):
        return None
    held = spelling(c.args[0].name, made, defs)
    key = c.args[1].value
    return None if held is None else f"{held}[{key!r}]" if c.op == "getitem" else f"{held}.{key}"


def spelled(read: ir.Assign) -> str:
    """`line 9: s = s + x[k] * order[k]`, the user's line of the read q[k] that rt.dict_keys_only's refusal names
    (its text: q may be a copy of p, order = p, which SSA reads as p)."""
    loc = getattr(read, "loc", None)
    return "" if loc is None else f"line {loc.line}: {loc.text.strip()}" if loc.text else f"line {loc.line}"
