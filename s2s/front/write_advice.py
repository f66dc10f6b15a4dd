"""What a refusal of an element write says to write instead (element_writes.py, containers.py): the write spelled
for the kind of container it is into (a dict the function made, a caller's argument, a list of lists, an element
of an expression such as `y.T[0]` or `y.flat[4]`), in the user's own names.
"""
from __future__ import annotations

import ast
import re

from s2s import ir
from s2s.front.line_statements import statement
from s2s.ir.names import base_name


# what keeps the meaning of a write into what the caller passed in (a running average: NumPy's caller sees it)
CALLERS = ("s2s does not change what the caller passed in ('{0}'), and a new value would leave the caller's "
            "as it was: to keep an update the caller sees (a running average), make it outside the function you "
            "differentiate, or return the new state with the result (return loss, {1}) and differentiate that with "
            "s2s.vjp{2}")


def key_write_fix(name: str, key, text: str = "") -> str:
    """What to write for `name[key] = v` into a dict the function made (`key`: the index, a node or an atom;
    `text`: the statement): the dict written whole, with all its keys, for keys by name; a list for values kept
    by a number known only at run time (a memo written in a loop, `cache[t] = a`), which no display can spell;
    a dict comprehension in place of a loop updating the dict's values (`for k in p: p[k] = p[k] - lr * g[k]`)."""
    if isinstance(key, (ast.Constant, ir.Const)) and isinstance(key.value, str):
        return (f"make a new dict: {name} = {{**{name}, {key.value!r}: value}}, or write it with all its keys at "
                f"once: {name} = {{'w': w, 'b': b}}")
    spelled = ast.unparse(key) if isinstance(key, ast.AST) else repr(key.value) if isinstance(key, ir.Const) else \
        user_name(key.name).strip("'") if isinstance(key, ir.Var) and user_name(key.name) != "a value" else "t"
    memo = (f"for values kept by number (a memo written in a loop), make a list, {name} = [] before the loop and "
            f"{name}.append(value) in it, read as {name}[{spelled}] (or an array: {name} = np.zeros((T, n)), "
            f"{name}[{spelled}] = value)")
    value = written_value(text, name)
    if value is not None and re.fullmatch(r"\w+", spelled) and \
            re.search(rf"\b{re.escape(name)}\[{re.escape(spelled)}\]", ast.unparse(value)):
        return (f"s2s follows a dict's keys written by name, not keys known only at run time: make the new dict "
                f"whole in place of the loop, {name} = {{{spelled}: {ast.unparse(value)} for {spelled} in keys}} "
                f"(a dict comprehension, keys the loop's: {name} itself for every key); {memo}")
    return (f"s2s follows a dict's keys written by name, not keys known only at run time: {memo}; for named "
            f"keys, {name} = {{'w': w, 'b': b}} with all its keys, or {name} = {{k: ... for k in keys}}")


def dicts_joined_fix(name: str, key, text: str = "") -> str:
    """What to write for `name[key] = v` where `name` may be one of several dicts the function makes (`new = {}` in
    each sweep of a loop, then `msgs = new`): each new dict made whole, its values by a function of the user's where
    they take statements."""
    spelled = ast.unparse(key) if isinstance(key, ast.AST) else repr(key.value) if isinstance(key, ir.Const) else \
        user_name(key.name).strip("'") if isinstance(key, ir.Var) and user_name(key.name) != "a value" else "k"
    value = written_value(text, name)
    shown = ast.unparse(value) if value is not None else "value"
    return (f"s2s writes by key one dict that its name always holds; make each new dict whole, a comprehension over "
            f"its keys, {name} = {{{spelled}: {shown} for {spelled} in keys}}, and where a value takes statements "
            f"(a message read from the dict of the sweep before), compute it in a function of your own, {name} = "
            f"{{{spelled}: value_at(old, {spelled}) for {spelled} in keys}}")


def written_value(text: str, name: str):
    """The value the statement `text` writes into an element of `name` (`p[k] = v`: v; `p[k] -= v`: p[k] - v),
    as a node, or None."""
    return _value_written(text, lambda target: isinstance(target.value, ast.Name) and target.value.id == name)


def _value_written(text: str, into) -> ast.expr | None:
    """The value the one assignment `text` writes into a subscript `into(target)` accepts (`y[i] -= v`: y[i] - v),
    as a node, or None (where the line holds more statements, the one that writes there)."""
    stmt = statement(text, lambda s: any(isinstance(t, ast.Subscript) and into(t) for t in (
        s.targets if isinstance(s, ast.Assign) else [s.target] if isinstance(s, ast.AugAssign) else [])))
    target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else \
        stmt.target if isinstance(stmt, ast.AugAssign) else None
    if not isinstance(target, ast.Subscript) or not into(target):
        return None
    if isinstance(stmt, ast.AugAssign):
        return ast.BinOp(ast.Subscript(target.value, target.slice, ast.Load()), stmt.op, stmt.value)
    return stmt.value


def rows_to_array(target: ast.Subscript, tree: ast.AST | None = None) -> str:
    """What to write for `D[i][j] = v` into a list of lists (a DP table): the row copied, written and stored back,
    by a name the function (`tree`) does not use, where no other name or slot holds that row (`shared_row`); or an
    array, written at one index."""
    inner, outer = target.value, target.slice
    name = inner.value.id
    parts = ", ".join(ast.unparse(p) for p in [*(inner.slice.elts if isinstance(inner.slice, ast.Tuple) else
                                                 [inner.slice]), *(outer.elts if isinstance(outer, ast.Tuple) else
                                                                   [outer])])
    row, at = ast.unparse(inner), ast.unparse(outer)
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | \
        {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)} if tree is not None else set()
    new = next(c for c in ("row", "new_row", *(f"row_{k}" for k in range(1, 1000))) if c not in used)
    shared = shared_row(tree, name, inner.slice, new) if tree is not None else "?"
    array = (f"for a rectangular table, make it an array, {name} = np.zeros((rows, columns)) in place of the list of "
             f"lists, and write it at one index, {name}[{parts}] = ... (reading it as {name}[i, j] too)")
    if isinstance(shared, tuple):  # (`M = [row, row]`: the list is held twice, and by its name)
        holder, display, times, read = shared
        again = f"; {holder} = {new}" if read else ""
        times = " twice" if times == 2 else f" {times} times" if times > 2 else ""
        return (f"s2s follows element writes into an array the function made, not into an item a list holds; and "
                f"the list {row} is '{holder}', which {name} holds{times}"
                f"{' and the function reads by its own name' if read else ''}: Python's write shows through each, so "
                f"make the new list and store it wherever '{holder}' is held: {new} = list({holder}); {new}[{at}] = "
                f"...; {name} = {display}{again}")
    caveat = "" if shared is None else \
        (f" (where no other name or slot holds the list {row}: one that does, as {name} = [r, r] or [[0.0] * m] * n "
         f"or r = {row} read later, sees Python's write too, and must be given the new list as well)")
    return (f"s2s follows element writes into an array the function made, not into an item a list holds: copy "
            f"the item, write the copy and store it back, {new} = list({row}); {new}[{at}] = ...; {row} = {new} "
            f"({new} = np.copy({row}) for an array){caveat}; or, {array}")


def shared_row(tree: ast.AST, name: str, at: ast.expr, new: str = "row"):
    """Who else may hold the list `name[at]` in the function `tree`: None where nobody does (`name` is bound only to
    displays or comprehensions of new lists, none repeated by `*`, and no name is bound to one of its items); where
    `name` is bound once, to a display of names, and `at` is a constant: (the name holding it, the display with that
    name spelled `new`, whether that name is read elsewhere); else "?" (not known here)."""
    bound = [n.value for n in ast.walk(tree) if isinstance(n, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == name for t in n.targets)]
    taken = any(isinstance(n, ast.Assign) and isinstance(n.value, ast.Subscript) and isinstance(n.value.value, ast.Name)
                and n.value.value.id == name or isinstance(n, (ast.For, ast.comprehension)) and
                isinstance(n.iter, ast.Name) and n.iter.id == name for n in ast.walk(tree))
    repeated = any(isinstance(e, ast.BinOp) and isinstance(e.op, ast.Mult) and any(  # (`[[0.0] * m] * n`)
        isinstance(side, ast.List) and not all(isinstance(i, ast.Constant) for i in side.elts)
        for side in (e.left, e.right)) for v in bound for e in ast.walk(v))
    fresh = (ast.List, ast.ListComp, ast.Call, ast.BinOp, ast.Constant)
    if bound and not taken and not repeated and all(
            isinstance(v, ast.ListComp) and isinstance(v.elt, fresh) or
            isinstance(v, ast.List) and all(isinstance(e, fresh) for e in v.elts) for v in bound):
        return None
    display = bound[0] if len(bound) == 1 else None
    if not isinstance(display, ast.List) or not isinstance(at, ast.Constant) or type(at.value) is not int or \
            not -len(display.elts) <= at.value < len(display.elts) or not isinstance(display.elts[at.value], ast.Name):
        return "?"
    holder = display.elts[at.value].id
    held = [isinstance(e, ast.Name) and e.id == holder for e in display.elts]
    spelled = "[" + ", ".join(new if h else ast.unparse(e) for e, h in zip(display.elts, held)) + "]"
    loads = sum(isinstance(n, ast.Name) and n.id == holder and isinstance(n.ctx, ast.Load) for n in ast.walk(tree))
    return holder, spelled, sum(held), loads > sum(held)


def element_of_an_expression(target: ast.Subscript, kind: str | None = None, text: str = "",
                             others: tuple = ()) -> str:
    """What to write for `y[1][2] = v` (y[1, 2] = v), `y.T[0] = v` (y[:, 0] = v), `y.flat[4] = v`
    (y[np.unravel_index(4, y.shape)] = v) and other writes through an expression: one index of the named array.
    `kind`: what the name holds, "array", "dict" or "list" where the function knows it, else None (`text`: the
    statement); an item of a dict or a list is replaced by making the container anew (nested_item_write); `others`:
    the user's other names for the container (`keep = opt`), bound to the new one too."""
    inner, outer = target.value, target.slice
    if isinstance(inner, ast.Subscript) and isinstance(inner.value, ast.Name) and \
            isinstance(inner.slice, ast.Constant) and isinstance(inner.slice.value, str):  # (d['a'][0] = v: a dict's)
        name, key, index = inner.value.id, ast.unparse(inner.slice), ast.unparse(outer)
        return f"write into a copy of the item and put it back: a = {name}[{key}].copy(); a[{index}] = ...; " \
               f"{' = '.join((name,) + tuple(others))} = {{**{name}, {key}: a}}"
    if isinstance(inner, ast.Subscript) and isinstance(inner.value, ast.Name):
        parts = [*(inner.slice.elts if isinstance(inner.slice, ast.Tuple) else [inner.slice]),
                 *(outer.elts if isinstance(outer, ast.Tuple) else [outer])]
        keyed = any(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts)
        if kind in ("dict", "list") or keyed:  # (m[k][n] of a dict of dicts, q[0]['W'] of a list of dicts)
            return nested_item_write(inner, outer, kind, text)
        if all(isinstance(p, (ast.Constant, ast.Name)) for p in parts):  # (ints: y[1][2] is y[1, 2])
            once = f"index the array once: {inner.value.id}[{', '.join(ast.unparse(p) for p in parts)}] = ..."
            return once if kind == "array" else \
                f"{once} where it is an array; {nested_item_write(inner, outer, None, text)}"
    if isinstance(inner, ast.Attribute) and inner.attr == "T" and isinstance(inner.value, ast.Name):
        name, parts = inner.value.id, outer.elts if isinstance(outer, ast.Tuple) else [outer]
        index = ", ".join(ast.unparse(p) for p in parts)  # (y.T[0, 1] = v: y[1, 0] = v, each index on its axis)
        if len(parts) == 1 or any(isinstance(p, ast.Starred) or isinstance(p, ast.Constant) and p.value in
                                  (Ellipsis, None) for p in parts):
            return f"write into the array by its own name, its indices reversed: {name}[:, {index}] = ... for " \
                   f"{name}.T[{index}] = ... of a matrix"
        # (a block, two slices or a slice and a list of indices, has its axes in the other order: the value
        # transposed; an index by a name is an integer, or an array of indices making a block)
        slices, rest = [p for p in parts if isinstance(p, ast.Slice)], [p for p in parts if not isinstance(p, ast.Slice)]
        fancy = any(isinstance(p, (ast.List, ast.Tuple, ast.Call, ast.Compare)) for p in rest)
        value = "(...).T" if len(slices) > 1 or slices and fancy else "..."
        unknown = [ast.unparse(p) for p in rest if not isinstance(p, (ast.List, ast.Tuple, ast.Call, ast.Compare,
                                                                      ast.Constant))] if slices and not fancy else []
        which = f" where {' and '.join(unknown)} {'is an integer' if len(unknown) == 1 else 'are integers'} " \
                f"(the value transposed, (...).T, where {'it is' if len(unknown) == 1 else 'they are'} an array of " \
                f"indices)" if unknown else ""
        return f"write into the array by its own name, its indices reversed: " \
               f"{name}[{', '.join(ast.unparse(p) for p in reversed(parts))}] = {value}{which} for " \
               f"{name}.T[{index}] = ... of a matrix"
    if isinstance(inner, ast.Attribute) and inner.attr == "flat" and isinstance(inner.value, ast.Name):
        name, index = inner.value.id, ast.unparse(outer)
        if isinstance(outer, ast.Slice):  # (K.flat[::n + 1] of an n x n matrix: its diagonal, GP jitter)
            diagonal = f"; for the diagonal of a square matrix (a step of n + 1 from 0), " \
                       f"{name}[np.diag_indices(len({name}))] = ..." \
                if outer.lower is None and outer.upper is None and outer.step is not None else ""
            return f"write into the array by its own name at those flat positions: {name}[np.unravel_index(" \
                   f"np.arange({name}.size)[{index}], {name}.shape)] = ... for {name}.flat[{index}] = ...{diagonal}"
        return f"write into the array by its own name at that flat position: " \
               f"{name}[np.unravel_index({index}, {name}.shape)] = ... for {name}.flat[{index}] = ..."
    return "write into a named array the function made, by one index: y[i, j] = v"


def user_name(name: str) -> str:
    """The user's name behind an SSA version, quoted (`cum_2` -> `'cum'`), or "a value" for a temporary."""
    base = base_name(name)
    return "a value" if re.fullmatch(r"t\d*", base) else f"'{base}'"


def nested_item_write(inner: ast.Subscript, key: ast.AST, kind: str | None, text: str) -> str:
    """What to write for `c[i][key] = v` into an item of a dict or a list `c` (`kind`, None where the run time alone
    knows which): the container made anew, the item replaced by a copy written at `key`; a dict of dicts written
    in loops over its keys (`m[k][n] = ...`), by nested comprehensions over them."""
    name, first, second = inner.value.id, ast.unparse(inner.slice), ast.unparse(key)
    value = _nested_value(text, name)
    spelled = ast.unparse(value) if value is not None else "..."
    if kind == "dict" and isinstance(inner.slice, ast.Name) and isinstance(key, ast.Name):
        return (f"keep the values in one dict keyed by pairs, {name} = {{}} before the loops, {name}[{first}, "
                f"{second}] = {spelled}, each {name}[a][b] read as {name}[a, b] (in the order the loops write them, where "
                f"a value reads ones written before it: messages along a graph's edges); or, where every "
                f"{name}[{first}] already holds its keys and no value reads {name}, make it anew by a comprehension "
                f"over them: {name} = {{{first}: {{{second}: {spelled} for {second} in {name}[{first}]}} for "
                f"{first} in {name}}}")
    if kind == "dict":
        return (f"make the dict anew, the item a copy written at that key: a = {name}[{first}].copy(); a[{second}] = "
                f"{spelled}; {name} = {{k: a if k == {first} else item for k, item in {name}.items()}}")
    listed = (f"make the list anew, the item a copy written at that key: a = {name}[{first}].copy(); a[{second}] = "
              f"{spelled}; {name} = [a if pos == {first} else item for pos, item in enumerate({name})]")
    return listed if kind == "list" else \
        f"{listed} for a list, {name} = {{k: a if k == {first} else item for k, item in {name}.items()}} for a dict"


def _nested_value(text: str, name: str):
    """The value the statement `text` writes into `name[i][j]` (`name[i][j] -= v`: name[i][j] - v), or None."""
    return _value_written(text, lambda target: isinstance(target.value, ast.Subscript) and
                          isinstance(target.value.value, ast.Name) and target.value.value.id == name)


def new_container(name: str, own: str, target: ast.Subscript, loops: list, text: str) -> str:
    """What to write for `p[k] = v` into a parameter (or module data) `p`, an array, a list or a dict as only the
    run time shows, at a key that is no string: np.copy makes a 0-d object array of a list of arrays or a dict,
    which the write then fails on, so each kind is named. In a loop (`for k in p: p[k] = p[k] - lr * g[k]`), the
    new list's or dict's keys are known only at run time, which s2s follows in a comprehension: the one the loop
    is, made of `text` (the statement written) where its key is the loop's name."""
    copies = f"{own} = np.copy({name}) for an array, {own} = list({name}) for a list, {own} = dict({name}) for a dict"
    if not loops:
        return f"copy it first: {copies}"
    key = target.slice.id if isinstance(target.slice, ast.Name) else None
    loop = next((f.node for f in reversed(loops) if isinstance(f.node, ast.For) and
                 isinstance(f.node.target, ast.Name) and f.node.target.id == key), None)
    value = written_value(text, name)
    if loop is None or value is None:
        return (f"an array: copy it before the loop, {own} = np.copy({name}); a list or a dict: make the new one "
                f"whole in place of the loop, with a comprehension ({own} = [... for v in {name}], {own} = "
                f"{{k: ... for k in {name}}})")
    iterated = loop.iter
    if isinstance(iterated, ast.Call) and isinstance(iterated.func, ast.Attribute) and iterated.func.attr == "keys":
        iterated = iterated.func.value
    if isinstance(iterated, ast.Name) and iterated.id == name:  # (`for k in p`: a dict's keys)
        return (f"make a new dict in place of the loop: {own} = {{{key}: {ast.unparse(value)} for {key} in "
                f"{name}}} (np.copy makes no dict; s2s follows keys a loop writes in a comprehension)")
    return (f"make a new list in place of the loop: {own} = [{ast.unparse(value)} for {key} in "
            f"{ast.unparse(loop.iter)}] (np.copy makes an array of a list of arrays of one shape, and fails on "
            f"others; s2s follows a list a loop writes in a comprehension); or, for an array, copy it before the "
            f"loop: {own} = np.copy({name})")


def new_dict(name: str, key: str, own: str) -> str:
    return f"make a new dict holding every key: {own} = {{**{name}, {key!r}: value}}" + \
        ("" if own == name else f", and read {own} from there on")
