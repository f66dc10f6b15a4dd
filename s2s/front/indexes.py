"""What a read at an index makes: NumPy's advanced indexing (`x[[0, 2]]`, `y[y > 0]`, `D[i, j]` of `i, j =
np.triu_indices(n, 1)`) a new array, basic indexing a view. Used by the SSA builder's element writes
(element_writes.py) and the alias stage (containers.py) to tell a copy, which may be written, from a view.
"""
from __future__ import annotations

import numpy

from s2s import ir, prims

_LISTS = frozenset({"list", "tuple", "builtins.list", "builtins.tuple"})  # (a list or a tuple the function makes)


def advanced_index(index, made_by) -> bool:
    """Is `index` (a part of an index) surely one of NumPy's advanced indexes: a list, an array of integers (a
    constant, np.argsort's or np.nonzero's, np.array of such), a bool or an array of bools (a comparison's)? A read
    with one (`x[[0, 2]]`, `x[np.argsort(x)]`, `y[y > 0]`) is a copy, never a view. `made_by(name)`: the call that
    made a name, else None. (An integer array held by a name the function did not make may be a number, a basic
    index: not known here.)"""
    if isinstance(index, ir.Const):
        return isinstance(index.value, (list, numpy.ndarray)) and numpy.ndim(index.value) > 0 or \
            type(index.value) in (bool, numpy.bool_)
    made = made_by(index.name) if isinstance(index, ir.Var) else None
    return made is not None and (made.op in prims.BOOLEAN_RESULTS or made.op in prims.INDEX_ARRAYS or
                                 made.op in prims.INDEX_TUPLES or made.op in ("list", "builtins.list") or
                                 made.op in prims.NO_COPY_RETURNS_OPERAND and bool(made.args) and
                                 advanced_index(made.args[0], made_by)) or \
        array_index(index, made_by)  # (np.array([0, 2]): a conversion of one; `i` of np.arange(n))


def array_index(index, made_by) -> bool:
    """Is `index` surely a NumPy array of at least one axis: np.arange's, np.eye's (`~np.eye(n, dtype=bool)`),
    np.argsort's, an item of np.triu_indices' (or np.nonzero's) tuple, arithmetic of such (`(i + 1) % n`)? As an
    index it is advanced indexing (of integers or booleans; NumPy refuses any other), a copy. (A comparison of
    numbers may be a Python bool, and `~True` the integer -2: not one.)"""
    if isinstance(index, ir.Const):
        return isinstance(index.value, numpy.ndarray) and index.value.ndim > 0
    made = made_by(index.name) if isinstance(index, ir.Var) else None
    if made is None:
        return False
    if made.op in prims.RESULT_AXES or made.op == prims.METHODS["argsort"]:
        return True
    if made.op == "getitem" and len(made.args) == 2 and isinstance(made.args[0], ir.Var) and \
            isinstance(made.args[1], ir.Const) and type(made.args[1].value) is int:
        return getattr(made_by(made.args[0].name), "op", None) in prims.INDEX_TUPLES  # (`i` of `i, j = ...`)
    return (made.op in prims.BINOPS and made.op != "matmul" or made.op in ("neg", "pos", "invert")) and \
        any(array_index(a, made_by) for a in made.args)  # (`i @ i` of vectors: a number)


def copying_read(call, made_by) -> bool:
    """Is `call`, of an operation that may return a view, a new array here: a read of elements by an advanced
    index (`x[[0, 2]]`, `y[y > 0]`), a conversion of a list or a tuple (`np.asarray([a, b])`, `np.asarray(list(y))`)?"""
    if not isinstance(call, ir.Call) or not call.args:
        return False
    if call.op in prims.AS_ARRAY:
        made = made_by(call.args[0].name) if isinstance(call.args[0], ir.Var) else None
        return made is not None and made.op in _LISTS
    return call.op == "getitem" and any(advanced_index(a, made_by) for a in call.args[1:])
