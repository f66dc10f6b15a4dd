"""Primitives whose results carry no derivative: tests, rounding, indices, shapes, constructors.

A call to one of these is computed in every transformation and contributes
nothing to a derivative (its gradient is exactly zero, checked by the tests).
"""
from __future__ import annotations

from s2s import prims
from s2s.rules.primitive import nondiff

# ---------------------------------------------------------------- operators, structure and builtins
nondiff("floordiv", elementwise=True)  # piecewise constant
nondiff("slice")
nondiff("builtins.len", "builtins.range", "builtins.int", "builtins.bool", "builtins.round",
        "builtins.isinstance", "builtins.print", "builtins.enumerate", "builtins.zip")
nondiff("builtins.any", "builtins.all")  # (a bool: any([v for v in x if v > t]), any(filter(f, x)))
nondiff("builtins.type")  # (type(s).scale: a class, whose attribute is read as the code runs: front/attributes.py)

# ---------------------------------------------------------------- math
nondiff("math.floor", "math.ceil", "math.trunc", "math.isnan", "math.isinf", "math.isfinite", elementwise=True)

# ---------------------------------------------------------------- numpy: rounding, signs, tests, comparisons
nondiff("numpy.sign", "numpy.floor", "numpy.ceil", "numpy.rint", "numpy.trunc", "numpy.fix", "numpy.floor_divide",
        elementwise=True)  # (np.heaviside: a step in x, its h0 where x == 0; elementwise.py)
nondiff("numpy.round", "numpy.around")
# the integer and bool scalar types, called to convert (np.int32(v)): the value rounded, as int(v) and x.astype(int)
nondiff("numpy.int8", "numpy.int16", "numpy.int32", "numpy.int64", "numpy.uint8", "numpy.uint16", "numpy.uint32",
        "numpy.uint64", "numpy.bool_")
nondiff("numpy.isnan", "numpy.isinf", "numpy.isfinite", "numpy.signbit", "numpy.isposinf", "numpy.isneginf",
        "numpy.isreal", "numpy.isclose", elementwise=True)
nondiff("numpy.allclose", "numpy.array_equal", "numpy.isin")
nondiff("numpy.logical_and", "numpy.logical_or", "numpy.logical_not", "numpy.logical_xor", "numpy.equal",
        "numpy.not_equal", "numpy.greater", "numpy.less", "numpy.greater_equal", "numpy.less_equal",
        elementwise=True)
nondiff("numpy.any", "numpy.all")

# ---------------------------------------------------------------- numpy: shapes, constructors, indices
nondiff("numpy.shape", "numpy.ndim", "numpy.size", "numpy.broadcast_shapes")
nondiff("numpy.zeros", "numpy.ones", "numpy.zeros_like", "numpy.ones_like", "numpy.empty", "numpy.empty_like",
        "numpy.eye", "numpy.identity", "numpy.indices", "numpy.tri")
nondiff("numpy.triu_indices", "numpy.tril_indices", "numpy.diag_indices", "numpy.triu_indices_from",
        "numpy.tril_indices_from", "numpy.diag_indices_from", "numpy.unravel_index", "numpy.ravel_multi_index")
nondiff("numpy.argmax", "numpy.argmin", "numpy.argsort", "numpy.argwhere", "numpy.nonzero", "numpy.flatnonzero",
        "numpy.count_nonzero", "numpy.searchsorted", "numpy.digitize", "numpy.argpartition", "numpy.lexsort",
        "numpy.nanargmax", "numpy.nanargmin", "numpy.linalg.matrix_rank")
nondiff("s2s.runtime.dict_keys")  # a dict's keys carry no derivative
nondiff("s2s.runtime.dict_keys_only")  # (a dict's keys, where a loop reads the dict at them on some paths only)
nondiff("s2s.runtime.zip_lengths")  # zip(a, b, strict=True): the check of the lengths
nondiff("s2s.runtime.sort_order")  # sorted(): the order of the items carries no derivative
nondiff("s2s.runtime.extremum_index")  # max(xs, key=f): the position of the item it picks carries none
nondiff(prims.REQUIRE_GENERATOR)  # (a random generator passed in, checked: rng.binomial(n, p)'s own)
