"""What to write instead of a ufunc method or keyword s2s refuses (np.maximum.at, np.add.reduceat, out=, where=):
the advice calls.py's `ufunc_method` gives, by the ufunc and the name the user wrote."""
from __future__ import annotations

import ast

from s2s.front.line_statements import statement


def ufunc_instead(spelled: str, method: str) -> str:
    """What to write instead of the ufunc method `spelled` (np.maximum.at), which has no record."""
    operation = spelled.rpartition(".")[0]
    if method == "at":
        return (f"{spelled}(a, i, v) writes into a in place, which s2s does not follow; write the updates as "
                f"element writes into an array the function made, one index at a time: for k in range(len(i)): "
                f"a[i[k]] = {operation}(a[i[k]], v[k])")
    if method == "reduceat":
        return f"reduce each slice by itself: np.array([{operation}.reduce(x[i:j]) for i, j in zip(starts, ends)])"
    if method == "accumulate":  # (np.add's, np.multiply's, np.maximum's, np.logaddexp's, ... have rules)
        return (f"write the running results as a loop along the axis: out = [x[0]]; for v in x[1:]: "
                f"out.append({operation}(out[-1], v)); then np.array(out)")
    if method == "reduce":
        return f"write it as a loop along the axis: r = x[0]; for v in x[1:]: r = {operation}(r, v)"
    return ("write it with the NumPy functions it stands for: np.sum for np.add.reduce, np.cumsum for "
            "np.add.accumulate, np.f(a[:, None], b) for np.f.outer")


def ufunc_keyword_fix(spelled: str, ufunc, name: str) -> str:
    """What to write instead of `name=` in a call of the ufunc method `spelled`."""
    operation = spelled.rpartition(".")[0]
    if name == "out":
        return f"assign the result instead: y = {spelled}(...)"
    if name == "dtype":
        return f"cast the operand instead: {spelled}(x.astype(np.float64))"
    if name == "where":
        identity = {"maximum": "-np.inf", "minimum": "np.inf"}.get(ufunc.__name__, "a neutral value") \
            if ufunc.identity is None else repr(ufunc.identity).replace("inf", "np.inf")
        return f"select the entries instead: {spelled}(np.where(mask, x, {identity}))"
    if name == "initial":
        return f"combine it with the result instead: {operation}({spelled}(x), initial)"
    return f"leave {name}= out"


# ufuncs whose value is inf or nan outside their domain, and the operand a mask (where=) keeps in it: np.where's
# derivative multiplies the entries it leaves out by 0, and 0 * inf is nan (the double where)
_GUARDED = {**dict.fromkeys(("divide", "true_divide", "floor_divide", "remainder", "fmod", "mod"), 1),
            **dict.fromkeys(("log", "log2", "log10", "log1p", "sqrt", "reciprocal", "arcsin", "arccos",
                             "arctanh"), 0)}


def out_instead(call: ast.Call, into: ast.expr, target: str | None = None) -> str:
    """What to write instead of `call`, which writes its result into `into` (out=), in the user's names: `y =
    np.multiply(x, 2.0)`; for `d = np.f(..., out=c)` (`target` d), which returns c itself, `c = np.f(...); d = c`."""
    value, note = out_value(call, into)
    written = ast.unparse(into)
    return f"assign the result instead: {written} = {value}" + (f"; {target} = {written}" if target else "") + note


def out_value(call: ast.Call, into: ast.expr) -> tuple[str, str]:
    """The value `call` writes into `into` (out=) as an expression, and a note on it ("" or " (...)"): the call
    without out=; with where=, NumPy leaves into's entries where the mask is False as they were (without out=, it
    leaves them unset), so `np.where(m, np.multiply(x, 2.0), y)`, a guarded operand kept in its domain."""
    mask = next((k.value for k in call.keywords if k.arg == "where"), None)
    plain = ast.Call(call.func, list(call.args), [k for k in call.keywords if k.arg not in ("out", "where")])
    if mask is None:
        return ast.unparse(plain), ""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    guarded = _GUARDED.get(name)
    if guarded is not None and guarded < len(plain.args):  # (np.divide(a, b, out=y, where=b != 0))
        safe = 0.0 if name in ("arcsin", "arccos", "arctanh") else 1.0
        plain.args[guarded] = ast.Call(ast.Attribute(ast.Name("np"), "where"),
                                       [mask, plain.args[guarded], ast.Constant(safe)], [])
    else:
        guarded = None
    written = ast.unparse(into)
    note = f" (np.where keeps {written}'s values where the mask is False, as where= does" + \
        (", and the operand given a safe value there keeps the derivative finite)" if guarded is not None else ")")
    return f"np.where({ast.unparse(mask)}, {ast.unparse(plain)}, {written})", note


def out_advice(text: str) -> str:
    """What to write instead of the assignment of a call with out= on the line `text` (`d = np.multiply(x, 3.0,
    out=c)`: c = np.multiply(x, 3.0); d = c), by `out_instead`; a generic form where the line shows no such call."""
    def written(s) -> ast.Call | None:
        value = s.value if isinstance(s, ast.Assign) and len(s.targets) == 1 else None
        return value if isinstance(value, ast.Call) and any(
            k.arg == "out" and not (isinstance(k.value, ast.Constant) and k.value.value is None)
            for k in value.keywords) else None
    stmt = statement(text, lambda s: written(s) is not None)
    call = written(stmt) if stmt is not None else None
    if call is None:
        return "assign the result instead: y = np.f(...)"
    into = next(k.value for k in call.keywords if k.arg == "out")
    if isinstance(into, ast.Tuple) and len(into.elts) == 1:  # (out=(c,), a ufunc's tuple of outputs)
        into = into.elts[0]
    return out_instead(call, into, ast.unparse(stmt.targets[0]))
