"""`np.add.at(y, index, v)` and `np.subtract.at(y, index, v)` as statements: the scatter-add, an element write
`y[index] = rt.added_at(y, *index, v)` (runtime/scatter.py); `np.fill_diagonal(a, v)`, the element write
`a[rt.diagonal_index(a)] = v`; `np.copyto(dst, src)`, the element write `dst[...] = rt.castable(dst, src, casting,
where)` (`np.where(where, ..., dst)` with `where=`). `ScatterAddLowering` holds these methods of the SSA builder
(mixed into effects.EffectLowering); `scatter_target` tells a loop's header what the body writes.
"""
from __future__ import annotations

import ast
import inspect

import numpy

from s2s import ir
from s2s.rules import registry

AT = {"numpy.add": "add", "numpy.subtract": "subtract"}  # the ufuncs whose .at is an element write (ufunc_at)
ADDED_AT = "s2s.runtime.added_at"
DIAGONAL_INDEX = "s2s.runtime.diagonal_index"  # (the elements np.fill_diagonal(a, v, wrap) writes)
_FILL_DIAGONAL = inspect.signature(numpy.fill_diagonal)
CASTABLE = "s2s.runtime.castable"  # (src, once NumPy's np.copyto(dst, src, casting, where) is known to take it)
_COPYTO = inspect.Signature([inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=d) for n, d in
                             (("dst", inspect.Parameter.empty), ("src", inspect.Parameter.empty),
                              ("casting", "same_kind"), ("where", True))])
_WRITERS = {"fill_diagonal", "copyto"}  # (the functions whose first argument a loop's header reads as written)


class ScatterAddLowering:
    """(mixed into _Builder through effects.EffectLowering; reads the rest of its state through `self`)"""

    def ufunc_at(self, node) -> bool:
        """`np.add.at(y, index, v)`, the scatter-add (an element an index repeats gets each of its values), is the
        element write `y[index] = rt.added_at(y, *index, v)`: accepted where `y[index] = ...` is (y an array the
        function made), refused where that is, and differentiated as element writes are (runtime/scatter.py).
        `np.subtract.at(y, index, v)` adds -v. Is `node` such a call? (Another ufunc's `.at` is refused here.)"""
        func = node.func if isinstance(node, ast.Call) else None
        if not (isinstance(func, ast.Attribute) and func.attr == "at"):
            return False
        ufunc = self.static_value(func.value)
        if not isinstance(ufunc, numpy.ufunc):
            return False
        spelled = f"{ast.unparse(func.value)}.at"
        key = registry.key_of(ufunc)
        if key not in AT:
            self.ufunc_method(ufunc, func, node)  # (raises: no ufunc's .at has a record; it says what to write)
            return False
        if node.keywords:
            name = node.keywords[0].arg
            raise self.error(node, f"{spelled}() with a keyword argument ({name or '**'}=); NumPy's takes none",
                             f"{spelled}(y, index, v) writes into y itself: drop out=" if name == "out" else
                             f"pass y, the index and the values by position: {spelled}(y, index, v)")
        starred = any(isinstance(a, ast.Starred) for a in node.args)
        if len(node.args) != 3 or starred:
            raise self.error(node, f"{spelled}(*args)" if starred else f"{spelled}() with {len(node.args)} arguments",
                             f"write its three arguments: {spelled}(y, index, v)")
        y, index, values = node.args
        if not isinstance(y, ast.Name):
            raise self.error(node, f"{spelled}() into an expression", _into_array(y, index, values, spelled) or
                             f"name the array first: y = ...; {spelled}(y, index, v)")
        base = self.read(y.id, y)
        parts = self.index_parts(index) if isinstance(index, ast.Tuple) else (self.atom(index),)
        value = self.atom(values)
        if AT[key] == "subtract":  # (y - v is y + -v exactly, in floats and in integers alike)
            made = self.definitions.get(value.name) if isinstance(value, ir.Var) else None
            listed = isinstance(value, ir.Const) and isinstance(value.value, (list, tuple)) or \
                made is not None and getattr(made, "op", None) in ("list", "tuple")
            if listed:  # (a list or tuple of values is the array NumPy makes of it)
                value = self.materialise(ir.Call(registry.key_of(numpy.array), (value,)))
            value = self.materialise(self.fold_call("neg", (value,)))
        value = self.materialise(ir.Call(ADDED_AT, (base,) + parts + (value,)))
        # the write's index is the values just read, evaluated once: `y[t2, t4] = rt.added_at(y, t2, t4, v)`
        target = ast.copy_location(ast.Subscript(value=ast.Name(y.id, ast.Load()), slice=index, ctx=ast.Store()), y)
        self.write_element(target, value, parts)
        return True


    def copy_into(self, node) -> bool:
        """`np.copyto(dst, src, casting='same_kind', where=True)` on an array the function made: the element write
        `dst[...] = rt.castable(dst, src, casting, where)` (with `where` given, `np.where(where, that, dst)`), src
        once NumPy's call is known to accept it (its TypeError where it casts a float into an int array, as
        `dst[...] = src` would not), differentiated as element writes are. Is `node` such a call? (Where it is
        not one s2s reads so, effects.py refuses the call, saying what to write.)"""
        if not (isinstance(node, ast.Call) and _spelled(node.func, "copyto")) or \
                self.static_value(node.func) is not numpy.copyto or \
                any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            return False
        try:
            bound = _COPYTO.bind(*node.args, **{k.arg: k.value for k in node.keywords})
        except TypeError as exc:
            raise self.error(node, f"np.copyto() with these arguments ({exc})",
                             "pass the array and the values: np.copyto(dst, src)") from None
        dst = bound.arguments["dst"]
        if not isinstance(dst, ast.Name):
            return False
        base = self.read(dst.id, dst)
        given = {name: self.atom(bound.arguments[name]) for name in ("casting", "where") if name in bound.arguments}
        value = self.materialise(ir.Call(CASTABLE, (base, self.atom(bound.arguments["src"]),
                                                    given.get("casting", ir.Const("same_kind")),
                                                    given.get("where", ir.Const(True)))))
        if "where" in given:
            value = self.materialise(ir.Call(registry.key_of(numpy.where), (given["where"], value, base)))
        whole = ast.Constant(value=Ellipsis)
        target = ast.copy_location(ast.Subscript(value=ast.Name(dst.id, ast.Load()), slice=whole, ctx=ast.Store()),
                                   dst)
        self.write_element(target, value, (self.atom(whole),))
        return True

    def fill_diagonal(self, node) -> bool:
        """`np.fill_diagonal(a, v, wrap=False)` on an array the function made: the element write
        `a[rt.diagonal_index(a, wrap)] = v`, the elements NumPy's `a.flat[:end:step] = v` writes, one integer array
        per axis (runtime/scatter.py), differentiated as element writes are. Is `node` such a call? (Where it is not
        one s2s reads so, with `*args` or an expression for `a`, effects.py refuses the call, saying what to write.)"""
        if not (isinstance(node, ast.Call) and _spelled(node.func, "fill_diagonal")) or \
                self.static_value(node.func) is not numpy.fill_diagonal or \
                any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            return False
        try:
            bound = _FILL_DIAGONAL.bind(*node.args, **{k.arg: k.value for k in node.keywords})
        except TypeError as exc:
            raise self.error(node, f"np.fill_diagonal() with these arguments ({exc})",
                             "pass the array and the value: np.fill_diagonal(a, v) (wrap=True for a tall matrix's "
                             "diagonal that starts again)") from None
        a, values = bound.arguments["a"], bound.arguments["val"]
        if not isinstance(a, ast.Name):
            return False
        wrap = self.atom(bound.arguments["wrap"]) if "wrap" in bound.arguments else ir.Const(False)
        index = self.materialise(ir.Call(DIAGONAL_INDEX, (self.read(a.id, a), wrap)))
        value = self.atom(values)
        spelled = ast.parse(f"np.diag_indices_from({a.id})", mode="eval").body  # (what messages quote)
        target = ast.copy_location(ast.Subscript(value=ast.Name(a.id, ast.Load()), slice=spelled, ctx=ast.Store()), a)
        self.write_element(target, value, (index,))
        return True


def _spelled(func, name: str) -> bool:
    return isinstance(func, ast.Attribute) and func.attr == name or isinstance(func, ast.Name) and func.id == name


def scatter_target(node) -> str | None:
    """The name `np.add.at(y, index, v)` (a call of any `.at` with a name first, read by its spelling alone) or
    `np.fill_diagonal(a, v)`, `np.copyto(a, v)` writes into: before a loop's body is read, its header needs a phi
    for each array the body writes."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "at" and \
            node.args and isinstance(node.args[0], ast.Name):
        return node.args[0].id
    if isinstance(node, ast.Call) and any(_spelled(node.func, name) for name in _WRITERS) and node.args and \
            isinstance(node.args[0], ast.Name):
        return node.args[0].id
    return None


def _into_array(y: ast.expr, index: ast.expr, values: ast.expr, spelled: str) -> str | None:
    """For `np.add.at(F[:, 1], idx, v)`, a scatter into part of a named array, the same scatter into the array
    itself: `np.add.at(F, (idx, 1), v)`, the scatter's index parts taking the part's whole axes in turn, then its
    trailing axes (a part named first, `y = F[:, 1]`, would be written into as an element of another array, which
    s2s refuses); where the part is not whole axes and integers, the same said in words; None for another target."""
    if not isinstance(y, ast.Subscript):
        return None
    said = (f"scatter into the array itself, the part's index and the scatter's written as one: {spelled}("
            f"{ast.unparse(y.value)}, index, {ast.unparse(values)}) (a part named first would be written into as an element of another "
            f"array, which s2s refuses)")
    axes = list(y.slice.elts) if isinstance(y.slice, ast.Tuple) else [y.slice]
    parts = list(index.elts) if isinstance(index, ast.Tuple) else [index]
    whole = [isinstance(a, ast.Slice) and a.lower is None and a.upper is None and a.step is None for a in axes]
    if not isinstance(y.value, ast.Name) or not all(w or isinstance(a, ast.Name) or isinstance(a, ast.Constant) and
                                                    type(a.value) is int for a, w in zip(axes, whole)):
        return said  # (a part slice, an ellipsis, a new axis: its positions are not the array's, counted so)
    for k in [k for k, w in enumerate(whole) if w]:
        if parts:
            axes[k] = parts.pop(0)
    axes += parts
    while axes and isinstance(axes[-1], ast.Slice):
        axes.pop()
    joined = ", ".join(ast.unparse(a) for a in axes)
    return (f"scatter into the array itself, its index written whole: {spelled}({y.value.id}, "
            f"{'(' + joined + ')' if len(axes) > 1 else joined}, {ast.unparse(values)}) (with each index of the part an integer; a part "
            f"named first, y = {ast.unparse(y)}, would be written into as an element of another array, which s2s "
            f"refuses)")
