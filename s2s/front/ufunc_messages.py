"""What to write instead of a ufunc method or keyword s2s refuses (np.maximum.at, np.add.reduceat, out=, where=):
the advice calls.py's `ufunc_method` gives, by the ufunc and the name the user wrote."""
from __future__ import annotations


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
