"""What a statement list (a loop's body, a function's) does with names, read from its AST: the names it binds
(`_assigned_names`, `_defined_only`), updates (`_augmented_names`, `_typed_in_place`), writes elements of
(`_written_arrays`), grows (`_appended_names`), and reads before it binds them (`_read_before_assigned`). The SSA
builder's loops (loops.py) and the function's arrays written in place (ssa.py) are decided from them."""
from __future__ import annotations

import ast

from s2s.front.item_lists import grown_item
from s2s.front.scatter_adds import scatter_target


def _written_arrays(stmts) -> set[str]:
    """Names whose elements `stmts` assign (`y[i] = ...`, `y[i] += ...`, `np.add.at(y, i, v)`, a list
    `d[k].append(v)` grows in a dict: front/item_lists.py)."""
    out = set()
    for s in stmts:
        for node in ast.walk(s):
            if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) and isinstance(node.value, ast.Name):
                out.add(node.value.id)
            elif isinstance(node, ast.Expr) and scatter_target(node.value) is not None:
                out.add(scatter_target(node.value))
            elif isinstance(node, ast.Expr) and grown_item(node.value) is not None:  # (d.setdefault(k, []).append(v))
                out.add(grown_item(node.value)[0])
    return out


_MAKERS = {"array", "asarray", "zeros", "ones", "empty", "full"}
_DEFAULT_DTYPES = {"float", "float64", "double", "float_"}


def _typed_in_place(stmts) -> set[str]:
    """Names an augmented assignment updates (`acc += v`) that were made by a NumPy constructor whose array keeps a
    type `acc + v` would not: no axes (`np.array(0.0)`, `np.zeros(())`: `acc + v` is a NumPy scalar) or a dtype
    given other than float64 (`np.zeros(3, dtype=np.float32)`: promotion makes float64). Their `+=` writes the
    array's elements, `acc[...] = acc + v`, as NumPy does. But not an array of no axes of float64 whose every update
    the statement before or after it rebinds to the result of an operator (`s += x[i]; s = s * 0.9`): it updates
    the NumPy scalar such a rebind left, or the array is read only as an operand next, which makes a NumPy scalar
    either way; the update is a rebind as a number's (guarded where another name holds the array, as any in-place
    operator is)."""
    made, other = set(), set()  # (other: made by one that makes no float64 array of no axes as well)
    for node in ast.walk(ast.Module(body=list(stmts), type_ignores=[])):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and \
                _keeps_type(node.value):
            made.add(node.targets[0].id)
            if not _float_of_no_axes(node.value):
                other.add(node.targets[0].id)
    return made & _augmented_names(stmts) - (_rebound_after_updates(stmts) - other)


def _rebound_after_updates(stmts) -> set[str]:
    """Names each of whose augmented assignments (`s += v`) in `stmts` the statement before it or after it in its
    block rebinds to the result of an operator (`s = s * 0.9`)."""
    rebound, kept = set(), set()
    for node in ast.walk(ast.Module(body=list(stmts), type_ignores=[])):
        for block in (getattr(node, field, None) for field in ("body", "orelse", "finalbody")):
            if not isinstance(block, list):
                continue
            for before, s, after in zip([None] + block, block, block[1:] + [None]):
                if isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name):
                    name = s.target.id
                    (rebound if _operated(before, name) or _operated(after, name) else kept).add(name)
    return rebound - kept


def _operated(s, name: str) -> bool:
    """Is `s` the assignment of an operator's result to `name` (`s = s * 0.9`: a NumPy scalar, of an array of no
    axes too)?"""
    return isinstance(s, ast.Assign) and len(s.targets) == 1 and isinstance(s.targets[0], ast.Name) and \
        s.targets[0].id == name and isinstance(s.value, (ast.BinOp, ast.UnaryOp))


def _keeps_type(v) -> bool:
    if not (isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and v.func.attr in _MAKERS and
            isinstance(v.func.value, ast.Name) and v.func.value.id in ("np", "numpy") and v.args):
        return False
    dtype = next((k.value for k in v.keywords if k.arg == "dtype"), None)
    if dtype is not None and _dtype_spelled(v) not in _DEFAULT_DTYPES:
        return True
    first = v.args[0]
    if v.func.attr in ("array", "asarray"):  # np.array(0.0): a number makes an array of no axes
        return isinstance(first, ast.Constant) and isinstance(first.value, (int, float)) or \
            isinstance(first, ast.UnaryOp) and isinstance(first.operand, ast.Constant)
    return isinstance(first, ast.Tuple) and not first.elts  # np.zeros(())


def _float_of_no_axes(v: ast.Call) -> bool:
    """Does the constructor call `v` make a float64 array of no axes: np.array(0.0) (of a float), np.zeros(()),
    np.ones(()) or np.empty(()), given no dtype or float64?"""
    if _dtype_spelled(v) not in (None,) + tuple(_DEFAULT_DTYPES):
        return False
    first = v.args[0]
    if v.func.attr in ("array", "asarray"):
        number = first.operand if isinstance(first, ast.UnaryOp) else first
        return isinstance(number, ast.Constant) and type(number.value) is float or _dtype_spelled(v) is not None
    return v.func.attr in ("zeros", "ones", "empty") and isinstance(first, ast.Tuple) and not first.elts


def _dtype_spelled(v: ast.Call):
    """The dtype a constructor call is given, as spelled (`np.float32`: "float32"; "?" where not a name), or None."""
    dtype = next((k.value for k in v.keywords if k.arg == "dtype"), None)
    if dtype is None:
        return None
    return dtype.attr if isinstance(dtype, ast.Attribute) else dtype.id if isinstance(dtype, ast.Name) else \
        dtype.value if isinstance(dtype, ast.Constant) else "?"


def _augmented_names(stmts) -> set[str]:
    """Names `stmts` update with an augmented assignment (`y *= v`)."""
    return {node.target.id for s in stmts for node in ast.walk(s)
            if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name)}


def _read_before_assigned(stmts, targets: set) -> set[str]:
    """The names an iteration of a loop with body `stmts` (and `targets`, which each iteration assigns first) may
    read before it assigns them (an upward-exposed read): such a name carries its value from the iteration before.
    Assigned surely means on every path: in both branches of an if, not in a nested loop (which may not run)."""
    exposed: set = set()

    def reads(node) -> set:
        out = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        return out | {n.target.id for n in ast.walk(node) if isinstance(n, ast.AugAssign) and
                      isinstance(n.target, ast.Name)}

    def walk(block, assigned: set) -> set:
        assigned = set(assigned)
        for st in block:
            if isinstance(st, ast.If):
                exposed.update(reads(st.test) - assigned)
                assigned |= walk(st.body, assigned) & walk(st.orelse, assigned)
            elif isinstance(st, (ast.For, ast.While)):
                head = st.iter if isinstance(st, ast.For) else st.test
                exposed.update(reads(head) - assigned)
                inner = assigned | (_assigned_names([st.target]) if isinstance(st, ast.For) else set())
                walk(st.body, inner)
                walk(st.orelse, assigned)
            elif isinstance(st, ast.With):
                for item in st.items:
                    exposed.update(reads(item.context_expr) - assigned)
                assigned = walk(st.body, assigned)
            else:
                exposed.update(reads(st) - assigned)
                assigned |= _assigned_names([st])
                if isinstance(st, (ast.Break, ast.Continue, ast.Return, ast.Raise)):
                    break  # (what follows in this block does not run)
        return assigned

    walk(stmts, set(targets))
    return exposed


def _assigned_names(stmts) -> set[str]:
    """The names `stmts` bind: by assignment (their targets), and by a `def` (its name)."""
    return {node.id for s in stmts for node in ast.walk(s) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)} | \
        {node.name for s in stmts for node in ast.walk(s) if isinstance(node, ast.FunctionDef)}


def _defined_only(stmts) -> set[str]:
    """The names `stmts` bind by one `def` alone, not under an `if` or in a nested loop (none assigned otherwise)."""
    defs = [s.name for s in stmts if isinstance(s, ast.FunctionDef)]
    stored = {node.id for s in stmts for node in ast.walk(s) if isinstance(node, ast.Name) and
              isinstance(node.ctx, ast.Store)}
    nested = {node.name for s in stmts if not isinstance(s, ast.FunctionDef) for node in ast.walk(s)
              if isinstance(node, ast.FunctionDef)}
    return {name for name in defs if defs.count(name) == 1} - stored - nested


def _appended_names(stmts) -> set[str]:
    """The names `X` of the calls `X.append(...)`, `X.extend(...)` and `X.insert(...)` in `stmts` (a list's, or a
    module's)."""
    return {node.func.value.id for s in stmts for node in ast.walk(s)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "extend", "insert") and isinstance(node.func.value, ast.Name)}
