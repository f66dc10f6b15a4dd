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


def arithmetic_result(atom, definition) -> bool:
    """Is `atom` made by arithmetic or a ufunc (`2.0 * z0 + p[1]`, `np.sin(y)`), or a reduction to a number
    (np.sum(y)), as its name's last plain assignment bound it? NumPy makes a new value there, a NumPy scalar where
    the operands have no axes (0-d arithmetic), so `y -= v` on it rebinds the name as `y = y - v` does, whatever
    element writes the function made into the array the name held before (ssa's augmented assignment)."""
    value = definition(atom.name) if isinstance(atom, ir.Var) else None
    if isinstance(value, ir.Var):
        return arithmetic_result(value, definition)
    if not isinstance(value, ir.Call):
        return False
    if value.op == "s2s.runtime.augmented":  # (an earlier `y -= v` of the same value: its result, rebound)
        return arithmetic_result(value.args[1], definition)
    return value.op in ARITHMETIC or value.op in prims.SCALAR_RESULTS or \
        isinstance(prims.python_object(value.op), np.ufunc)
