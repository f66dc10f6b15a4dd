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
    """Is `atom` made by arithmetic or a ufunc that may give a NumPy scalar, as its name's last plain assignment
    bound it: of operands that may all have no axes (`2.0 * x[0] + p[1]`), or of a 0-d array the function made
    (`2.0 * z0 + p[1]` of z0 = np.array(0.0), a NumPy scalar: 0-d arithmetic), or a reduction to a number
    (np.sum(y))? `y -= v` on it rebinds the name as `y = y - v` does, whatever element writes the function made into
    the array the name held before (ssa's augmented assignment). (Arithmetic of parameters stays one array,
    changed in place.) `definition(name)`: the Call, Var or Const defining it, a phi's operands, or None."""
    value = definition(atom.name) if isinstance(atom, ir.Var) else None
    if isinstance(value, ir.Var):
        return arithmetic_result(value, definition)
    if not isinstance(value, ir.Call):
        return False
    if value.op == "s2s.runtime.augmented":  # (an earlier `y -= v` of the same value: its result, rebound)
        return arithmetic_result(value.args[1], definition)
    if value.op in prims.SCALAR_RESULTS:
        return not value.kwargs and len(value.args) == 1
    return _arithmetic(value) and (all(_no_axes(a, definition) for a in value.args) or
                                   any(_made_0d(a, definition) for a in value.args))


def _arithmetic(value) -> bool:
    return isinstance(value, ir.Call) and (value.op in ARITHMETIC or isinstance(prims.python_object(value.op),
                                                                                  np.ufunc))


def _no_axes(atom, definition, seen=frozenset()) -> bool:
    """May `atom` have no axes: a number, an element read, a number's function, a 0-d array the function made,
    arithmetic of such?"""
    if isinstance(atom, ir.Const):
        return type(atom.value) in (int, float, bool) or isinstance(atom.value, np.generic)
    if not isinstance(atom, ir.Var) or atom.name in seen:
        return isinstance(atom, ir.Var)
    value, seen = definition(atom.name), seen | {atom.name}
    if isinstance(value, list):  # (a join: each of its values)
        return all(_no_axes(v, definition, seen) for v in value if v is not None)
    if isinstance(value, (ir.Var, ir.Const)):
        return _no_axes(value, definition, seen)
    if _arithmetic(value):
        return all(_no_axes(a, definition, seen) for a in value.args)
    return isinstance(value, ir.Call) and value.op in SCALAR_CALLS or _made_0d(atom, definition)


def _made_0d(atom, definition, seen=frozenset()) -> bool:
    """Is `atom` a 0-d array the function made (np.array(0.0), np.zeros(())), a copy or an element write of one, a
    join of such, or arithmetic with one of them?"""
    if not isinstance(atom, ir.Var):
        return False
    if atom.name in seen:  # (a loop's join met again through its back edge: its other values decide)
        return True
    value, seen = definition(atom.name), seen | {atom.name}
    if isinstance(value, list):  # (a loop's or an if's join: each of its values)
        return all(_made_0d(v, definition, seen) for v in value if v is not None)
    if isinstance(value, ir.Var):
        return _made_0d(value, definition, seen)
    if not isinstance(value, ir.Call):
        return False
    if value.op in ("setitem", *prims.COPIES):  # (z0[...] = v, np.copy(z0): the array z0 is)
        return bool(value.args) and _made_0d(value.args[0], definition, seen)
    if value.op == prims.ARRAY or value.op in prims.AS_ARRAY:
        return len(value.args) == 1 and isinstance(value.args[0], ir.Const) and \
            type(value.args[0].value) in (int, float, bool)
    if value.op in prims.FILLED or value.op == prims.FULL:
        return bool(value.args) and isinstance(value.args[0], ir.Const) and value.args[0].value == ()
    return _arithmetic(value) and any(_made_0d(a, definition, seen) for a in value.args)
