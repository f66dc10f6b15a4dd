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
    """Is `atom` made by arithmetic or a ufunc of operands that may have no axes (`2.0 * z0 + p[1]` of z0 =
    np.array(0.0), `np.sin(z)`), or a reduction to a number (np.sum(y)), as its name's last plain assignment bound
    it? NumPy makes a NumPy scalar there (0-d arithmetic), so `y -= v` on it rebinds the name as `y = y - v` does,
    whatever element writes the function made into the array the name held before (ssa's augmented assignment).
    (Arithmetic of a parameter or of an array with axes stays one array, changed in place.)"""
    value = definition(atom.name) if isinstance(atom, ir.Var) else None
    if isinstance(value, ir.Var):
        return arithmetic_result(value, definition)
    if not isinstance(value, ir.Call):
        return False
    if value.op == "s2s.runtime.augmented":  # (an earlier `y -= v` of the same value: its result, rebound)
        return arithmetic_result(value.args[1], definition)
    if value.op in prims.SCALAR_RESULTS:
        return not value.kwargs and len(value.args) == 1
    return (value.op in ARITHMETIC or isinstance(prims.python_object(value.op), np.ufunc)) and \
        all(_no_axes(a, definition) for a in value.args)


def _no_axes(atom, definition, depth: int = 0) -> bool:
    """May `atom` have no axes: a number, an element read, a number's function, a 0-d array the function made
    (np.array(0.0), np.zeros(()), a copy or an element write of one), arithmetic of such?"""
    value = definition(atom.name) if isinstance(atom, ir.Var) else atom
    if isinstance(value, ir.Var) and depth < 50:
        return _no_axes(value, definition, depth + 1)
    if isinstance(value, ir.Const):
        return type(value.value) in (int, float, bool) or isinstance(value.value, np.generic)
    if not isinstance(value, ir.Call) or depth >= 50:
        return False
    if value.op in ARITHMETIC or isinstance(prims.python_object(value.op), np.ufunc):
        return all(_no_axes(a, definition, depth + 1) for a in value.args)
    if value.op in ("setitem", *prims.COPIES):  # (z0[...] = v, np.copy(z0): the array z0 is)
        return bool(value.args) and _no_axes(value.args[0], definition, depth + 1)
    if value.op == prims.ARRAY or value.op in prims.AS_ARRAY:
        return len(value.args) == 1 and isinstance(value.args[0], ir.Const) and \
            type(value.args[0].value) in (int, float, bool)
    if value.op in prims.FILLED or value.op == prims.FULL:
        return bool(value.args) and isinstance(value.args[0], ir.Const) and value.args[0].value == ()
    return value.op in SCALAR_CALLS
