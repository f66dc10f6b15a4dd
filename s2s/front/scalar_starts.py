"""Values a loop's running number may start as and still be a number (alias_iterations.number_carried): `run =
np.float64(0.0)`, `x[0] * 0.0`, `np.sum(x[:0])` are NumPy scalars where x is a vector, which `run += v` rebinds as it
does a float; an array there (a row of a matrix, a 0-d array) is refused when the generated code meets it."""
from __future__ import annotations

import numpy as np

from s2s import ir, prims

# (an element of a vector, len(), int(), float(): numbers too)
SCALAR_CALLS = prims.SCALAR_RESULTS | {"getitem", "builtins.len", "builtins.int", "builtins.float"}
ARITHMETIC = frozenset({"add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "neg", "pos"})


def may_be_scalar(atom, definition) -> bool:
    """May `atom` be a NumPy scalar or a number: a constant number, a call of SCALAR_CALLS, arithmetic of such?
    (`x0.copy()`, np.zeros(n) are arrays: a loop changing them in place is refused as it is.) `definition(name)`:
    the Call, Var or Const defining it (alias.py's)."""
    value = definition(atom.name) if isinstance(atom, ir.Var) else atom
    if isinstance(value, ir.Var):
        return may_be_scalar(value, definition)
    if isinstance(value, ir.Const):
        return type(value.value) in (int, float, bool) or isinstance(value.value, np.generic)
    if not isinstance(value, ir.Call):
        return False
    if value.op in ARITHMETIC:
        return all(may_be_scalar(a, definition) for a in value.args)
    return value.op in SCALAR_CALLS
