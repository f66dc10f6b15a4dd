"""`np.fromiter(values, dtype, count=-1)` as `np.array` of the list of its values.

np.fromiter reads its iterable wholly, where it is called, as list() does: a generator expression or map(...) passed
to it is read there (the list a comprehension makes), a list or an array is iterated as it is (so is `iter(xs)`,
the iterator of one read wholly here). The array is then
`np.array(items, dtype=dtype)`, whose derivative s2s has, and with a count its first `count` items
(`items[:count]`, all of them for a negative count). (NumPy raises where the iterable has fewer than `count`
items; here the array is the shorter one.)
"""
from __future__ import annotations

import ast

import numpy

_PARAMETERS = ("iter", "dtype", "count")


def is_fromiter(builder, node: ast.Call) -> bool:
    """Is `node` a call of np.fromiter (however the module or the function is named)?"""
    return isinstance(node.func, (ast.Name, ast.Attribute)) and builder.static_value(node.func) is numpy.fromiter


def fromiter_array(builder, node: ast.Call, hint):
    """The array `np.fromiter(values, dtype[, count])` makes, as np.array of the list of the values; None where
    the arguments are not these (`like=`, `*args`): the call is then refused as one without a rule."""
    if any(isinstance(a, ast.Starred) for a in node.args) or len(node.args) > 3 or \
            any(k.arg not in _PARAMETERS for k in node.keywords):
        return None
    given = dict(zip(_PARAMETERS, node.args)) | {k.arg: k.value for k in node.keywords}
    if "iter" not in given or "dtype" not in given or len(given) != len(node.args) + len(node.keywords):
        return None
    values, at = given["iter"], lambda n: ast.copy_location(n, node)
    while isinstance(values, ast.Call) and isinstance(values.func, ast.Name) and len(values.args) == 1 and \
            not values.keywords and not isinstance(values.args[0], ast.Starred) and \
            builder._resolves_to(values.func, iter):
        values = values.args[0]  # (`np.fromiter(iter(xs), float)`: the iterator gives xs's values, read here)
    lazy = isinstance(values, ast.GeneratorExp) or builder.lazy_kind(values) is not None
    if lazy:
        builder.consumed.add(id(values))  # (read wholly here, as list() reads it)
    try:
        items = builder.iterated(builder.atom(values))
    finally:
        builder.consumed.discard(id(values))
    dtype = builder.atom(given["dtype"])
    count = given.get("count")
    if count is not None and not (isinstance(count, ast.Constant) and type(count.value) is int and count.value < 0):
        name = builder.namer.fresh("items")
        builder.env[name] = items
        load = at(ast.Name(name, ast.Load()))
        part = at(ast.Subscript(load, at(ast.Slice(upper=count)), ast.Load()))
        if not (isinstance(count, ast.Constant) and type(count.value) is int):  # (a count only the run time knows)
            bound = builder.namer.fresh("count")
            builder.env[bound] = builder.atom(count)
            known = at(ast.Name(bound, ast.Load()))
            part = at(ast.IfExp(at(ast.Compare(known, [ast.Lt()], [at(ast.Constant(0))])), load,
                                at(ast.Subscript(load, at(ast.Slice(upper=known)), ast.Load()))))
        items = builder.atom(part)
    return builder.call_object(numpy.array, (items,), (("dtype", dtype),), node, "np.array")
