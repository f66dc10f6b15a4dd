"""Which operand's shape a call's result has for certain, whatever that operand is (an array, a number, a list).

`-x`, `x - c`, `x / c`, `x ** c`, `x * x`, `x * c` for a float c (`xs * 2` repeats a list) and `x + c` for a
number c (`x + x` joins two lists) keep x's shape. A shape read (the target of `rt.unbroadcast`, `np.shape`) of
such a value may read x instead: optimize/shapes.py moves the reads of values defined outside loops, and a
reversed loop (ad/loop_saves.py) reads x where it has x anyway, instead of recomputing or saving the value.
"""
from __future__ import annotations

from s2s import ir


def number(a) -> bool:
    """Is `a` a number constant?"""
    return type(a) is ir.Const and type(a.value) in (int, float, complex)


def kept(c: ir.Call) -> str | None:
    """The operand whose shape the result of `c` has, whatever that operand is; None where there is none."""
    names = {a.name for a in c.args if type(a) is ir.Var}
    if c.kwargs or len(names) != 1 or not all(type(a) is ir.Var or number(a) for a in c.args):
        return None
    x = names.pop()
    if c.op == "neg" or c.op in ("sub", "truediv") and len(c.args) == 2:
        return x  # (a list or a tuple takes neither)
    if c.op == "pow" and len(c.args) == 2 and type(c.args[0]) is ir.Var:
        return x
    if c.op == "mul" and len(c.args) == 2 and all(type(a) is ir.Var or type(a.value) in (float, complex)
                                                   for a in c.args):
        return x  # (x * x, x * 0.5: a sequence takes neither; `xs * 2` repeats a list)
    if c.op == "add" and len(c.args) == 2 and any(number(a) for a in c.args):
        return x  # (x + 1.0: a sequence does not take it; x + x joins two lists)
    return None
