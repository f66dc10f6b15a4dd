"""Primitive keys: what a call in the user's code refers to, and how generated code spells it.

A key is either an operator name ('add', 'neg', 'lt', ...), a dotted path to a
library function ('numpy.tanh', 'numpy.linalg.inv', 'math.log',
'builtins.abs', 's2s.runtime.unbroadcast'), or one of the structural
primitives ('getitem', 'tuple', 'list', 'slice', 'and', 'or').
"""
from __future__ import annotations

import ast
import importlib
import operator

BINOPS = {
    "add": ast.Add, "sub": ast.Sub, "mul": ast.Mult, "truediv": ast.Div, "floordiv": ast.FloorDiv,
    "mod": ast.Mod, "pow": ast.Pow, "matmul": ast.MatMult, "bitand": ast.BitAnd, "bitor": ast.BitOr,
    "bitxor": ast.BitXor, "lshift": ast.LShift, "rshift": ast.RShift,
}
UNARYOPS = {"neg": ast.USub, "pos": ast.UAdd, "not": ast.Not, "invert": ast.Invert}
COMPAREOPS = {
    "eq": ast.Eq, "ne": ast.NotEq, "lt": ast.Lt, "le": ast.LtE, "gt": ast.Gt, "ge": ast.GtE,
    "is": ast.Is, "isnot": ast.IsNot, "in": ast.In, "notin": ast.NotIn,
}
BOOLOPS = {"and": ast.And, "or": ast.Or}

AST_TO_OP = {v: k for table in (BINOPS, UNARYOPS, COMPAREOPS, BOOLOPS) for k, v in table.items()}

# What an operator computes on constants: the one table every stage that folds constants reads (the SSA builder's
# fold_call, simplify, the fold stage, the rules' symbolic arithmetic); each says which of these it folds, and when
CONSTANT_OPS = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
    "floordiv": operator.floordiv, "mod": operator.mod, "pow": operator.pow, "neg": operator.neg,
    "eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge,
    "is": operator.is_, "isnot": operator.is_not, "not": operator.not_,
    "and": lambda a, b: a and b, "or": lambda a, b: a or b,
    "in": lambda a, b: a in b, "notin": lambda a, b: a not in b,
}
# constants whose identity is their value: `x is None` folds; `is` of two numbers depends on how Python stores them
SINGLETONS = (None, True, False, Ellipsis)

# How generated modules import each library prefix: (prefix, import line, name used in code)
MODULES = (
    ("numpy", "import numpy as np", "np"),
    ("math", "import math", "math"),
    ("s2s.runtime", "from s2s import runtime as rt", "rt"),
    ("s2s.rules.custom", "from s2s.rules import custom", "custom"),
    ("scipy.special", "from scipy import special", "special"),  # (optional: rules/scipy.py)
    ("scipy.stats", "from scipy import stats", "stats"),
    ("scipy.optimize", "from scipy import optimize", "optimize"),
    ("scipy.linalg", "from scipy import linalg", "linalg"),  # (optional: rules/scipy_linalg.py)
    ("scipy.spatial.distance", "from scipy.spatial import distance", "distance"),  # (cdist/pdist: rules/scipy.py)
    ("scipy.ndimage", "from scipy import ndimage", "ndimage"),  # (gaussian_filter: rules/scipy_ndimage.py)
    ("builtins", "", ""),
)
RESERVED_NAMES = ("np", "math", "rt", "custom")

# Array methods and attributes, spelled as the numpy function they call (x.sum(1) -> numpy.sum(x, 1)).
METHODS = {
    "sum": "numpy.sum", "mean": "numpy.mean", "prod": "numpy.prod", "max": "numpy.max", "min": "numpy.min",
    "std": "numpy.std", "var": "numpy.var", "dot": "numpy.ndarray.dot", "reshape": "numpy.reshape",
    "transpose": "numpy.transpose", "ravel": "numpy.ravel", "flatten": "numpy.ndarray.flatten",
    "squeeze": "numpy.squeeze",
    "cumsum": "numpy.cumsum", "cumprod": "numpy.cumprod", "clip": "numpy.ndarray.clip", "copy": "numpy.ndarray.copy",
    "take": "numpy.take",
    "argmax": "numpy.argmax", "argmin": "numpy.argmin", "any": "numpy.any", "all": "numpy.all",
    "trace": "numpy.trace", "diagonal": "numpy.diagonal", "swapaxes": "numpy.swapaxes",
    "repeat": "numpy.repeat", "round": "numpy.round", "astype": "numpy.ndarray.astype",
    # (x.conj() of a real array is x itself, where np.conj(x) is a new array: a view's key, rules/indexing.py)
    "conj": "numpy.ndarray.conj", "conjugate": "numpy.ndarray.conj",
    "item": "numpy.ndarray.item", "tolist": "numpy.ndarray.tolist",
    "argsort": "numpy.argsort", "nonzero": "numpy.nonzero", "searchsorted": "numpy.searchsorted",
    "compress": "numpy.ndarray.compress",  # (x.compress(c) is np.compress(c, x): rules/linear.py)
    # a dict's (an argument's: pytree parameters): lists a loop or a comprehension reads
    "values": "s2s.runtime.dict_values", "items": "s2s.runtime.dict_items", "keys": "s2s.runtime.dict_keys",
}
ATTRIBUTES = {"T": "numpy.transpose", "mT": "numpy.matrix_transpose", "shape": "numpy.shape", "ndim": "numpy.ndim", "size": "numpy.size",
              "dtype": "numpy.ndarray.dtype", "real": "numpy.real", "imag": "numpy.imag"}
# the shape queries, which read only an array's shape: what the passes emit and look for (np.shape(x)[0] is an int)
SHAPE, NDIM, SIZE = ATTRIBUTES["shape"], ATTRIBUTES["ndim"], ATTRIBUTES["size"]
# Methods taking a shape or axes as separate arguments, which their function takes as one tuple:
# x.reshape(2, 3) is np.reshape(x, (2, 3)), x.transpose(1, 0) is np.transpose(x, (1, 0))
PACKED_METHODS = frozenset({"reshape", "transpose"})
# Casts whose key depends on the type cast to: key -> (its key to an integer or bool type, which has no derivative,
# and to a type known only at run time, decided then): `x.astype(int)`, `x.astype(y.dtype)`
ASTYPE_METHOD = "numpy.ndarray.astype"
CASTS = {ASTYPE_METHOD: ("numpy.ndarray.astype_integer", "numpy.ndarray.astype_any")}
ASTYPE = "numpy.astype"  # NumPy 2's np.astype(x, dtype): read as the method x.astype(dtype)

# Keys generated code spells as the method or attribute the user wrote (`x.astype(np.float32)`, `x.dtype`), not as
# a function: `ndarray.astype` to a float type (differentiable) or to an integer or bool type (no derivative, a
# key of its own), `.item()`, `.tolist()`.
SPELLED_AS_METHOD = {"numpy.ndarray.astype": "astype", "numpy.ndarray.astype_integer": "astype",
                     "numpy.ndarray.astype_any": "astype",
                     "numpy.ndarray.item": "item", "numpy.ndarray.tolist": "tolist",
                     "numpy.ndarray.sum": "sum", "numpy.ndarray.mean": "mean",
                     "numpy.ndarray.clip": "clip",  # (x.clip(lo) has one bound, np.clip(x, lo) is an error)
                     "numpy.ndarray.copy": "copy",  # (x.copy() of a list or a dict is a list or a dict)
                     "numpy.ndarray.flatten": "flatten",  # (ravel's values, always a new array: np.ravel's a view)
                     "numpy.ndarray.compress": "compress", "numpy.ndarray.conj": "conj",
                     "numpy.ndarray.dot": "dot"}  # (a scipy.sparse matrix's A.dot(x) is its product; np.dot's is not)
# the reductions vector forward mode writes as methods of a batch of tangents (always an ndarray there):
# `dx.sum(axis=1)` for the tangents of `np.sum(x)`, the same reduction without np.sum's dispatch (~1 of its ~2 us)
BATCH_REDUCTION_METHODS = {"numpy.sum": "numpy.ndarray.sum", "numpy.mean": "numpy.ndarray.mean"}
SPELLED_AS_ATTRIBUTE = {"numpy.ndarray.dtype": "dtype"}

# `with np.errstate(...):` in the IR: the effect `numpy.errstate(...)`, then what runs under it, then the effect
# END_WITH; codegen writes the with statement again around the statements between the two
ERRSTATE = "numpy.errstate"
WITH_CONTEXTS = frozenset({ERRSTATE})
END_WITH = "end_with"
# marks, in a vjp, where the pullback's statements start (ad/reverse.py emits it, back/codegen.py splits there)
ADJOINT_BEGINS = "adjoint_begins"
# the copy reverse mode emits: of the elements an element write overwrites, of an adjoint a loop changes in place
# a list the function grows, extended in place where nothing else holds it: `xs += [v]` (back/growing.py)
GROW = "grow"
COPY = "numpy.copy"
FLOAT64 = "numpy.float64"  # np.float64(a): a as doubles (a located uniform draw's bound, ad/located_draws.py)
# a saved value's copy (the forward sweep's): an array's copied, a number kept as it is (np.copy of a NumPy
# number takes ~3 us per element of a loop, and makes a 0-d array of it)
COPY_SAVED = "s2s.runtime.copy_saved"
# the copies: np.copy(x), and x.copy() (a method, as written: a list's or a dict's is a list or a dict)
COPY_METHOD = "numpy.ndarray.copy"
COPIES = frozenset({COPY, COPY_METHOD})
# the transpose vector forward mode emits: a batch of tangents of a vector times a matrix, `db @ a.T`
TRANSPOSE = "numpy.transpose"
# the array of one value that the rules emit (`np.full(np.shape(x), g)`, a sum's adjoint) and simplification folds
FULL = "numpy.full"
# operations whose result is an integer (the analyses of values that may be Python ints)
INTEGER_RESULTS = frozenset({"builtins.len", "builtins.int", "builtins.round", SIZE, NDIM, "numpy.argmax",
                             "numpy.argmin", "floordiv"})
# calls whose result is a tuple with integer parts, which carry no derivative: key -> their positions (np.unique's
# index, inverse and counts after its values; np.frexp's exponent; np.divmod's quotient, rounded)
INTEGER_PARTS = {"numpy.unique": (1, 2, 3), "numpy.frexp": (1,), "numpy.divmod": (0,)}
# the parameters NumPy's functions take only as integers (or tuples of them; the few that take a float truncate it,
# np.repeat(x, 2.5), np.roll(x, 1.5)): an axis, a shape, a count, a shift, a diagonal's offset. They have no
# derivative (JAX gives an integer a float0 tangent), whatever they are computed from: `x.reshape(t, p["heads"], -1)`
# with an int kept in a differentiated dict, as range(p["n"]) or a slice bound x[:p["k"]] is (read where the rule of
# the function has no entry for the operand: ad/operands.py integer_operand)
INTEGER_PARAMETERS = frozenset({"axis", "axes", "axis1", "axis2", "source", "destination", "shape", "newshape", "reps",
                                "repeats", "shift", "k", "offset", "num", "indices_or_sections", "n", "decimals"})
# operations whose result is an integer where all their operands are
INTEGER_IF_ALL = frozenset({"add", "sub", "mul", "neg", "pos", "pow", "mod", "builtins.abs", "numpy.sign",
                            "s2s.runtime.abs_slope"})
# operations whose result is a bool (or an array of bools) or some other value without a derivative (the result check)
NOT_NUMBERS = set(COMPAREOPS) | {
    "not", "builtins.bool", "builtins.isinstance", "builtins.callable", "builtins.hasattr", "builtins.str",
    "builtins.repr", "s2s.runtime.dtype", "numpy.isnan", "numpy.isinf", "numpy.isfinite", "numpy.isclose",
    "numpy.allclose", "numpy.array_equal", "numpy.any", "numpy.all", "numpy.signbit", "numpy.logical_and",
    "numpy.logical_or", "numpy.logical_not", "numpy.logical_xor", "numpy.equal", "numpy.not_equal",
    "numpy.less", "numpy.less_equal", "numpy.greater", "numpy.greater_equal"}
# conversions to an array that return their operand itself where it is one (a view), and a new array of a list or
# a tuple (np.asarray([a, b]), np.asarray(list(y)))
AS_ARRAY = frozenset({"numpy.asarray", "numpy.asanyarray", "numpy.ascontiguousarray", "numpy.asfortranarray"})
ARRAY = "numpy.array"
# operations whose result is a bool or an array of bools: as an index, NumPy's advanced (boolean) indexing, a copy
BOOLEAN_RESULTS = NOT_NUMBERS - {"builtins.str", "builtins.repr", "s2s.runtime.dtype"}
# calls whose result is always an array of integers (or a tuple of them): as an index, advanced indexing, a copy
INDEX_ARRAYS = frozenset({METHODS["argsort"], METHODS["nonzero"]})
# NumPy functions whose result is a tuple of integer arrays of one axis each (`i, j = np.triu_indices(n, 1)`): the
# tuple, or an item of it, as an index is advanced indexing, a copy
INDEX_TUPLES = frozenset({METHODS["nonzero"], "numpy.triu_indices", "numpy.tril_indices", "numpy.triu_indices_from",
                          "numpy.tril_indices_from", "numpy.diag_indices", "numpy.diag_indices_from"})
# new arrays of numbers, of the shape their first argument gives, that carry no derivative (so have no record;
# np.full's record says it makes one: registry.of_shape)
ONES = "numpy.ones"
FILLED = frozenset({"numpy.zeros", ONES, "numpy.empty"})
# operations whose result is a float (an array of floats) whatever their numeric operands, without dtype=
FLOAT_RESULTS = FILLED | {"numpy.eye", "numpy.identity", "numpy.linspace", "numpy.logspace", "numpy.geomspace",
                          "builtins.float", "truediv"}
# calls whose result is a new array of numbers with this many axes, whatever their arguments (front/alias_elements.py)
RESULT_AXES = {"numpy.arange": 1, "numpy.eye": 2, "numpy.identity": 2}
# calls whose result is always a NumPy array of at least one axis (whatever their arguments: lists, numbers)
ARRAY_RESULTS = frozenset({"numpy.concatenate", "numpy.stack"})
# calls whose result is a NumPy scalar for some operands (a cast; a reduction over all axes): a loop's running number
# may start as one (front/scalar_starts.py)
SCALAR_RESULTS = frozenset({"numpy.float64", "numpy.float32", "numpy.sum", "numpy.mean", "numpy.prod", "numpy.max",
                            "numpy.min", "numpy.dot", "numpy.vdot", "numpy.trace", "numpy.linalg.norm"})
# NumPy functions whose result is a list or a tuple of arrays
SEQUENCE_RESULTS = frozenset({"numpy.split", "numpy.array_split", "numpy.hsplit", "numpy.vsplit", "numpy.dsplit",
                              "numpy.broadcast_arrays", "numpy.meshgrid", "numpy.unstack", "numpy.nonzero",
                              "numpy.where", "numpy.unravel_index", "numpy.indices", "numpy.histogram",
                              "numpy.linalg.eigh", "numpy.linalg.eig", "numpy.linalg.svd", "numpy.linalg.qr",
                              "numpy.linalg.slogdet", "numpy.unique", "numpy.divmod", "numpy.modf", "numpy.frexp"})
# NumPy's factorisations, whose result is a tuple of new arrays that share memory with nothing (U of `U, s, Vt =
# np.linalg.svd(a)` may be written, the Kabsch reflection U[:, -1] *= -1), with the argument (its position, its
# name, its value) that makes the result one array instead (np.linalg.svd(a, compute_uv=False)), or None
FACTORISATIONS = {"numpy.linalg.eigh": None, "numpy.linalg.eig": None, "numpy.linalg.slogdet": None,
                  "numpy.linalg.svd": (2, "compute_uv", False), "numpy.linalg.qr": (1, "mode", "r")}


def python_object(key: str):
    """The Python object a dotted key names (None for operators and structural primitives). The key may
    name an attribute of an object in a module: 'scipy.stats.norm.logpdf' is a method of `stats.norm`."""
    if "." not in key:
        return None
    module, _, name = key.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except AttributeError:
        return None
    except ImportError:
        if "." not in module:
            return None
        owner = python_object(module)
        return None if owner is None else getattr(owner, name, None)


_ALIASING_OBJECTS: dict = {}


def aliasing_key(obj) -> str | None:
    """The key of MAY_RETURN_OPERAND or CHANGES_ARGUMENT that names the Python object `obj` (a library function
    called without s2s reading it, whose aliasing the alias stages know), else None."""
    if not _ALIASING_OBJECTS:
        for key in (*MAY_RETURN_OPERAND, *CHANGES_ARGUMENT):
            known = python_object(key)
            if known is not None:
                _ALIASING_OBJECTS[_hashable(known)] = key
    return _ALIASING_OBJECTS.get(_hashable(obj))


def _hashable(obj):
    """`obj` as a dict key (None for an unhashable one: an array)."""
    try:
        hash(obj)
    except TypeError:
        return None
    return obj


def module_of(key: str) -> tuple[str, str, str] | None:
    """(prefix, import line, alias) of a dotted key's library, or None for unknown prefixes."""
    for prefix, line, alias in MODULES:
        if key.startswith(prefix + "."):
            return prefix, line, alias
    return None


def spelling(key: str) -> str:
    """How generated code names a dotted key: 'numpy.linalg.inv' -> 'np.linalg.inv', 'builtins.abs' -> 'abs'."""
    found = module_of(key)
    if found is None:
        return key
    prefix, _, alias = found
    rest = key[len(prefix) + 1:]
    return f"{alias}.{rest}" if alias else rest


# ------------------------------------------- results that are their operands (front/alias.py, ssa.py, results.py)

# the call whose result is a view of its one operand where its subscripts sum over no index (front/alias_calls.py)
EINSUM = "numpy.einsum"
# what a loop or an unpacking reads of a value whose type only the run shows (rt.iterated): the value itself (a
# list, tuple or array), else a new list of what iterating it gives (a dict's keys)
ITERATED = "s2s.runtime.iterated"
# ------------------------------------------------------------------------------- Python's containers, as s2s builds them

# xs.append(v), xs + [v] in SSA: a new list, xs's items then v (back/growing.py grows it in place again)
APPENDED = "s2s.runtime.appended"
# a record the function builds, P(a=x, b=y) in SSA: record_new(cls, names, *values), cls(**dict(zip(names, values)))
RECORD_NEW = "s2s.runtime.record_new"
# calls that build a container holding their operands: displays, a grown list, dicts and records written out
CONTAINER_BUILDERS = frozenset({"list", "tuple", APPENDED, "s2s.runtime.dict_of", "s2s.runtime.dict_from_pairs",
                                RECORD_NEW})
# calls that make a dict (a display, dict(...), a comprehension's dict from pairs), whose keys the function may write
DICT_MAKERS = frozenset({"s2s.runtime.dict_of", "s2s.runtime.dict_from_pairs", "builtins.dict"})
# calls that copy a container's items into a new list or tuple (list(xs), tuple(xs)): they hold its items, not it
CONTAINER_COPIES = frozenset({"builtins.list", "builtins.tuple"})
# calls whose value is surely a list or a tuple: displays, copies, sorted(...), an append's new list
SEQUENCES = frozenset({"list", "tuple", *CONTAINER_COPIES, "builtins.sorted", APPENDED})


# operations whose result may share memory with an operand (a NumPy view, a container holding it): the alias
# check follows them
MAY_SHARE_MEMORY = frozenset({
    "getitem", "numpy.reshape", "numpy.transpose", "numpy.ravel", "numpy.squeeze", "numpy.expand_dims",
    "numpy.swapaxes", "numpy.moveaxis", "numpy.broadcast_to", "numpy.asarray", "numpy.asanyarray",
    "numpy.diagonal", "numpy.diag", "numpy.ascontiguousarray", "numpy.asfortranarray", "numpy.matrix_transpose",
    "numpy.linalg.matrix_transpose", "numpy.permute_dims", "numpy.broadcast_arrays", "numpy.atleast_1d",
    "numpy.atleast_2d", "numpy.atleast_3d", "numpy.real", "numpy.imag", "numpy.ndarray.conj",
    # (sometimes: the operand itself or a view of it, by run-time values: MAY_RETURN_OPERAND)
    EINSUM, "numpy.float64", "numpy.linalg.matrix_power", "numpy.meshgrid", "numpy.diff", "numpy.polyder",
    "builtins.max", "builtins.min", "numpy.linalg.diagonal", "s2s.runtime.largest", "s2s.runtime.smallest",
    "numpy.dsplit", "numpy.flip", "numpy.fliplr", "numpy.flipud", "numpy.rot90", "numpy.split", "numpy.array_split",
    "numpy.hsplit", "numpy.vsplit", "numpy.ndarray.view", "tuple", "list", "dict", "call", "callmethod", "getattr",
    "builtins.iter", "builtins.reversed", "builtins.zip", "builtins.enumerate", ITERATED,
    # containers s2s builds (xs.append(v), dict displays and comprehensions, d.values()) hold their operands
    APPENDED, "s2s.runtime.dict_of", "s2s.runtime.dict_from_pairs", "s2s.runtime.dict_values", RECORD_NEW,
    "s2s.runtime.dict_items", "s2s.runtime.keyword", "s2s.runtime.dict_get",
})
# operations whose result is one of their operands, or holds them: the positions of those operands (None: all);
# the result check (front/results.py) looks through them for a value without a derivative
PASSES_ON = {"and": None, "or": None, "builtins.max": None, "builtins.min": None, "tuple": None, "list": None,
             "s2s.runtime.largest": None, "s2s.runtime.smallest": None,  # (max(xs): an item of xs, or the default)
             "getitem": slice(0, 1), "numpy.array": slice(0, 1), "numpy.asarray": slice(0, 1),
             "numpy.where": slice(1, 3), ITERATED: slice(0, 1)}
# operations whose result, written into, may write into an operand too: an array made by one is not a fresh
# array of the function's own (np.diag of a vector is a new array; of a matrix a read-only view)
WRITE_THROUGH = frozenset({
    "getitem", "numpy.reshape", "numpy.transpose", "numpy.ravel", "numpy.squeeze", "numpy.expand_dims",
    "numpy.swapaxes", "numpy.moveaxis", "numpy.broadcast_to", "numpy.asarray", "numpy.diagonal",
    "numpy.ascontiguousarray", "numpy.asfortranarray", "numpy.matrix_transpose", "numpy.permute_dims",
    "numpy.broadcast_arrays", "numpy.atleast_1d", "numpy.atleast_2d", "numpy.atleast_3d", "numpy.flip",
    "numpy.fliplr", "numpy.flipud", "numpy.real", "numpy.imag", "builtins.range", "tuple", "list", "slice", "getattr",
    "numpy.linalg.diagonal", "numpy.linalg.matrix_transpose", "numpy.ndarray.conj",
    "numpy.asanyarray", "numpy.rot90", "numpy.ndarray.view",  # (views too: written into, they wrote their operand)
    "s2s.runtime.dict_get", "s2s.runtime.keyword",  # (`p.get("w")`: the dict's own value, or the default)
    "s2s.runtime.largest", "s2s.runtime.smallest",  # (max(arrays): the item itself, an array the list holds)
    ITERATED,  # (for row in m: m itself, whose rows are views)
})
# calls that return their operand itself when told not to copy (`y.astype(np.float64, copy=False)`,
# `np.array(y, copy=False)`, where no conversion is needed): the alias pass takes the result for a possible view
NO_COPY_RETURNS_OPERAND = frozenset({"numpy.array", *CASTS, *(k for keys in CASTS.values() for k in keys)})
# calls whose result is, by run-time values, a new array or one of their operands itself (or a view of it):
# key -> the positions of those operands (of the call as the user wrote it: an opaque call's too). The alias pass
# takes the result for a possible view of them and refuses writes into it (front/alias_calls.py), unless
# RETURNS_OPERAND_IF rules it out or EINSUM's subscripts sum over an index
MAY_RETURN_OPERAND = {
    EINSUM: slice(None),  # a view of its one operand for a pure transpose or diagonal ('ij->ji', 'ii->i')
    "numpy.float64": slice(0, 1),  # np.float64(a), np.double(a): `a` itself for an array of float64
    "numpy.linalg.matrix_power": slice(0, 1),  # M itself for n == 1
    "numpy.meshgrid": slice(None),  # views of its operands with copy=False
    "numpy.diff": slice(0, 1), "numpy.polyder": slice(0, 1),  # the operand itself for n=0, m=0
    "builtins.max": slice(None), "builtins.min": slice(None),  # one of the operands (of arrays: the object)
    # (no records: opaque calls)
    "numpy.real_if_close": slice(0, 1), "numpy.trim_zeros": slice(0, 1), "numpy.require": slice(0, 1),
    "numpy.asarray_chkfinite": slice(0, 1), "numpy.asmatrix": slice(0, 1),
    "numpy.rollaxis": slice(0, 1),  # (read as np.moveaxis, rules/linear.py, except where its axes' signs differ)
    "numpy.lib.stride_tricks.sliding_window_view": slice(0, 1),
    "numpy.lib.stride_tricks.as_strided": slice(0, 1), "numpy.frombuffer": slice(0, 1),
    "numpy.from_dlpack": slice(0, 1), "numpy.polyint": slice(0, 1),  # (polyint: the operand itself for m=0)
    ASTYPE: slice(0, 1),  # (NumPy 2's np.astype(y, dtype, copy=False): y itself where no conversion is needed)
    # ndarray's methods called as functions, `np.ndarray.view(y)`, `np.ndarray.conj(y)`: y itself or a view of it
    **{f"numpy.ndarray.{name}": slice(0, 1) for name in (
        "view", "conj", "conjugate", "reshape", "ravel", "squeeze", "swapaxes", "transpose", "diagonal", "getfield",
        "astype", "__array__", "__getitem__")},
}
# the argument that decides it, for those above where one does: key -> (its position, its name, its default, the
# value for which the result is the operand); a constant other than that value makes a new array
RETURNS_OPERAND_IF = {
    "numpy.linalg.matrix_power": (1, "n", None, 1), "numpy.meshgrid": (None, "copy", True, False),
    "numpy.diff": (1, "n", 1, 0), "numpy.polyder": (1, "m", 1, 0), "numpy.polyint": (1, "m", 1, 0),
    ASTYPE: (None, "copy", True, False), "numpy.ndarray.astype": (None, "copy", True, False),
}
# library functions (called, their result assigned or not) that change an argument in place, which s2s does not
# follow, beyond those the front refuses by object (front/effects.py IN_PLACE_CALLS): key -> (what the call does,
# what to write instead). The alias pass refuses them.
_IN_PLACE_OPERATORS = (("add", "+"), ("sub", "-"), ("mul", "*"), ("truediv", "/"), ("floordiv", "//"), ("mod", "%"),
                       ("pow", "**"), ("matmul", "@"), ("and", "&"), ("or", "|"), ("xor", "^"), ("lshift", "<<"),
                       ("rshift", ">>"))
_SORTED_LIST = "keep the values in a sorted array: h = np.sort(np.append(h, v)), its smallest h[0]"
CHANGES_ARGUMENT = {
    "heapq.heappush": ("heapq.heappush(h, v), which changes the list h in place", _SORTED_LIST),
    "heapq.heappop": ("heapq.heappop(h), which changes the list h in place",
                      "read the smallest value and drop it from a sorted array: v = h[0]; h = h[1:]"),
    "heapq.heapify": ("heapq.heapify(h), which reorders the list h in place", "make a sorted array: h = np.sort(h)"),
    "heapq.heapreplace": ("heapq.heapreplace(h, v), which changes the list h in place", _SORTED_LIST),
    "heapq.heappushpop": ("heapq.heappushpop(h, v), which changes the list h in place", _SORTED_LIST),
    "bisect.insort": ("bisect.insort(a, v), which inserts into the list a in place",
                      "keep the values in a sorted array: a = np.sort(np.append(a, v))"),
    "bisect.insort_left": ("bisect.insort_left(a, v), which inserts into the list a in place",
                           "keep the values in a sorted array: a = np.sort(np.append(a, v))"),
    "random.shuffle": ("random.shuffle(x), which shuffles its argument in place",
                       "take the items in a shuffled order: x = [x[i] for i in random.sample(range(len(x)), len(x))]"),
    "numpy.ndarray.sort": ("np.ndarray.sort(y), which sorts y in place", "make the sorted value: y = np.sort(y)"),
    "numpy.ndarray.partition": ("np.ndarray.partition(y, k), which reorders y in place",
                                "make the new value: y = np.partition(y, k)"),
    "numpy.ndarray.fill": ("np.ndarray.fill(y, v), which writes into y in place", "write y[...] = v"),
    "numpy.ndarray.put": ("np.ndarray.put(y, ind, v), which writes into y in place", "write y[ind] = v"),
    "numpy.ndarray.resize": ("np.ndarray.resize(y, shape), which changes y in place",
                             "make the new value: y = np.resize(y, shape)"),
    "builtins.list.sort": ("list.sort(xs), which sorts xs in place", "make the sorted value: xs = sorted(xs)"),
    "builtins.list.reverse": ("list.reverse(xs), which reverses xs in place", "make the reversed value: xs = xs[::-1]"),
    "operator.setitem": ("operator.setitem(y, i, v), which writes into y in place", "write y[i] = v"),
    "operator.delitem": ("operator.delitem(xs, i), which changes xs in place",
                         "make the new value: xs = xs[:i] + xs[i + 1:] for a list, np.delete(y, i) for an array"),
    "numpy.ndarray.__setitem__": ("np.ndarray.__setitem__(y, i, v), which writes into y in place", "write y[i] = v"),
    **{f"builtins.list.{name}": (f"list.{name}(xs, ...), which changes the list xs in place",
                                 f"call it as a method of the list the function made: xs.{name}(...)"
                                 if name in ("append", "extend") else "make the new list (xs = xs[:-1], "
                                 "xs = [v for v in xs if ...]) or build it with append")
       for name in ("append", "extend", "insert", "pop", "remove", "clear")},
    **{f"operator.i{op}": (f"operator.i{op}(a, b), which changes an array a in place",
                           f"write the operator: a {sign}= b (or a = a {sign} b, a new value)")
       for op, sign in _IN_PLACE_OPERATORS},
    **{f"numpy.ndarray.__i{op}__": (f"np.ndarray.__i{op}__(a, b), which changes the array a in place",
                                    f"write the operator: a {sign}= b (or a = a {sign} b, a new value)")
       for op, sign in _IN_PLACE_OPERATORS},
}
# builtins that read the names of the frame or module running them (in s2s, the generated code's): refused, with
# what to write instead
READS_THE_FRAME = {
    "globals": "read the module-level name itself (SCALE), or pass the value as an argument",
    "locals": "read the names themselves",
    "vars": "read the names themselves",
    "eval": "write the expression itself",
    "exec": "write the statements themselves",
    "dir": "name what you need",
}
# what changes an object in place when called on it (list, dict, set, deque and ndarray methods): a helper given
# an object (front/helper_writes.py), a function with a rule of the user's (rules/in_place.py)
MUTATING_METHODS = frozenset({
    "append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "popitem", "sort", "reverse",
    "add", "discard", "appendleft", "extendleft", "popleft", "rotate", "fill", "resize", "put", "itemset",
    "setfield", "setflags", "partition", "byteswap", "__setitem__", "__delitem__", "__setattr__", "__delattr__",
    "__iadd__", "__imul__", "__ior__", "__isub__",
})
# methods of objects an opaque call made (a random generator: np.random.default_rng(0), random.Random(0)) that
# change their argument in place: name -> (what the call does, what to write instead)
CHANGES_ARGUMENT_METHODS = {
    "shuffle": (".shuffle(x), which shuffles its argument in place",
                "index it by a permutation: x = x[rng.permutation(len(x))] for a NumPy generator (an array x); "
                "x = [x[i] for i in r.sample(range(len(x)), len(x))] for random.Random (a list x)"),
}
# calls that may do more than return a value, and whose effects s2s does not see (a draw from a random generator,
# `next(it)`, a helper appending to a module's list): the calls of what s2s does not read (OPAQUE_CALLS:
# `rng.uniform()`, `np.random.randn(3)`, `next(it)`) and of the user's functions s2s calls without reading them (their
# keys, under USER_FUNCTIONS: s2s.nondifferentiable, s2s.adjoint, s2s.tangent). Each such call is its own: never
# merged with another of the same arguments, never dropped where its result is unused (registry.may_have_effects)
OPAQUE_CALLS = frozenset({"call", "callmethod"})
# the factorisations and solvers of linear algebra, which raise on their data, not on its types or shapes alone (a
# LinAlgError: np.linalg.cholesky of a matrix that is not positive definite, a solve or an inverse of a singular one):
# where the result is unused (`L = np.linalg.cholesky(A)`, the check that A is positive definite) the call is kept in
# the forward computation (optimize/dce.py), so that the function raises where Python raises. (Not math's functions:
# an unused math.sqrt(x) is dropped, as any unused value is; docs/modes.md)
RAISING_CALLS = frozenset({"numpy.linalg." + n for n in ("cholesky", "inv", "solve", "tensorinv", "tensorsolve",
                                                           "matrix_power", "eig", "eigh", "eigvals", "eigvalsh", "svd",
                                                           "lstsq", "pinv")} |
                          {"scipy.linalg." + n for n in ("cholesky", "cho_factor", "inv", "solve", "solve_triangular",
                                                           "eigh", "svd", "sqrtm", "logm")})
USER_FUNCTIONS = "s2s.rules.custom."
# what makes NumPy's random generators, whose methods (other than .shuffle) return new arrays and numbers, never
# their arguments: the alias pass takes `z = rng.standard_normal(n)` for an array of the function's own
RANDOM_GENERATORS = ("numpy.random.default_rng", "numpy.random.Generator", "numpy.random.RandomState")
# the classes of random generators, whose methods draw: NumPy's (np.random.choice is its global RandomState's) and
# Python's (random.randint, random.Random's)
GENERATOR_CLASSES = ("numpy.random.Generator", "numpy.random.RandomState", "random.Random")
# draws (a generator's methods, by name) whose values are integers: a step function of their parameters, with no
# derivative (rng.binomial(n, p), rng.poisson(lam), rng.multinomial(n, pvals), np.random.randint(k))
INTEGER_DRAWS = frozenset({"integers", "randint", "random_integers", "tomaxint", "binomial", "negative_binomial",
                           "poisson", "geometric", "hypergeometric", "multivariate_hypergeometric", "multinomial",
                           "zipf", "logseries", "randrange", "getrandbits", "binomialvariate"})
# draws that pick items of their population (rng.choice(x, p=w), rng.permutation(x), random.sample(xs, k)): a
# derivative only through the items picked, none through which are (their probabilities, sizes, counts); an
# integer population n stands for range(n). Their keywords other than the population:
SELECTING_DRAWS = frozenset({"choice", "permutation", "permuted", "choices", "sample"})
# NumPy's draws of real numbers (a Generator's, a RandomState's methods): a derivative through their parameters only
# as a location and a scale of a standard draw (ad/located_draws.py); refused otherwise, saying what to write
CONTINUOUS_DRAWS = frozenset({
    "normal", "exponential", "laplace", "gumbel", "logistic", "lognormal", "uniform", "gamma", "standard_gamma",
    "beta", "chisquare", "dirichlet", "f", "multivariate_normal", "noncentral_chisquare", "noncentral_f", "pareto",
    "power", "rayleigh", "standard_t", "triangular", "vonmises", "wald", "weibull"})
# an argument whose draw of integers or items is called (rng.binomial(n, p)), checked to be a random generator as
# the code runs (its result taken for one without a derivative: ad/inactive.py)
REQUIRE_GENERATOR = "s2s.runtime.require_generator"
# the check where generated code reads a value from data that the call's check cannot read (ad/data_uses.py)
REQUIRE_DATA = "s2s.runtime.require_data"
# (names other objects' methods have too, a distribution's .sample(n, theta): a draw only of a generator made in
# the function or named, random.sample)
UNSURE_DRAWS = frozenset({"sample", "choices"})
DRAW_SETTINGS = frozenset({"p", "size", "replace", "axis", "shuffle", "weights", "cum_weights", "k", "counts", "out"})
# the callable objects that NumPy functions make (np.poly1d(c), np.vectorize(f)), whose calls s2s does not follow:
# key of the maker -> what to write instead of `p(x)` (None: any other such object) (front/calls.py)
CALLABLE_OBJECTS = {
    "numpy.poly1d": "evaluate the polynomial from its coefficients c (highest power first): np.polyval(c, x)",
    "numpy.vectorize": "call the function itself: on the array if it is written with NumPy's operations, or on each "
                       "element, np.array([f(a) for a in x])",
    None: "call a function s2s sees instead (a def or a lambda), with the object's values as its arguments",
}
# what to write instead of np.piecewise where a derivative must pass through its pieces (rules/indexing.py; the
# functions of its funclist, which NumPy calls: front/numpy_callers.py)
PIECEWISE_INSTEAD = ("write the pieces as arrays and choose between them: np.where(x < 0, -x, x * x) for two, "
                     "np.select([x < 0, x < 1], [-x, x * x], default=1.0) for more (np.select takes the first "
                     "condition that holds, np.piecewise the last)")
# calls that write into their operand when told not to copy (`np.nan_to_num(z, copy=False)`): refused, with the
# position of their `copy` parameter
NO_COPY_WRITES_OPERAND = {"numpy.nan_to_num": 1}
