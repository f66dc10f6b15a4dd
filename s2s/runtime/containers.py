"""Lists, tuples and dicts the function builds or reads: `xs + [v]`, `{"w": w}`, `d.items()`, `f(**d)`, `sum(xs)`."""
from __future__ import annotations

import copy

import numpy as np

from s2s.runtime.joining import stack_adjoint
from s2s.errors import S2SError
from s2s.runtime.core import DictParts, Parts, TupleParts, _structured, tangent_as_array, unbroadcast, zeros_like
from s2s.runtime.higher import batch_sum_builtin_adjoint, batch_unbroadcast, sum_builtin_adjoint_transpose
from s2s.runtime.indexing import getitem_adjoint

__all__ = ["dict_keys_only", "sum_builtin_adjoint", "sum_builtin_tangent", "started_sum_adjoint", "started_sum_start_adjoint",
           "started_sum_tangent", "started_sum_start_tangent", "started_sum_adjoint_transpose",
           "started_sum_start_adjoint_transpose", "batch_started_sum_adjoint", "batch_started_sum_start_adjoint",
           "tuple_adjoint", "rows_of", "appended",
           "appended_adjoint", "appended_item_adjoint", "stack_adjoint_rows", "sum_adjoint_rows", "appended_tangent", "appended_adjoint_transpose",
           "appended_item_transpose", "dict_of", "dict_part", "dict_part_transpose", "dict_tangent", "dict_values", "dict_items",
           "dict_keys", "iterated", "iterated_tangent", "iterated_adjoint", "sort_order", "extremum_index", "largest",
           "smallest", "extremum_item_adjoint",
           "extremum_item_tangent", "default_share", "dict_values_adjoint", "dict_items_adjoint",
           "dict_items_transpose", "keyword", "keyword_adjoint",
           "dict_get", "saved_key", "ABSENT",
           "keyword_default_adjoint", "keyword_tangent", "dict_from_pairs", "dict_pairs_adjoint",
           "dict_pairs_tangent", "copy_saved", "deep_copy"]


def sum_builtin_adjoint(g, xs):
    """Adjoint of the builtin `sum(xs)`: each element (each row of an array) receives `g`, summed back to its shape
    where the sum broadcast it (sum([x[0], x]): x[0]'s is np.sum(g); a list of numbers added to an array, which
    NumPy reads as an array: its parts); none for a dict, whose keys sum(d) adds."""
    if isinstance(xs, (list, tuple)):
        parts = [unbroadcast(g, x) for x in xs]
        return Parts(parts) if isinstance(xs, list) else TupleParts(parts)
    return zeros_like(xs) if isinstance(xs, dict) else np.broadcast_to(g, np.shape(xs)).copy()


def sum_builtin_tangent(d):
    """Tangent of the builtin `sum(xs)` from the tangent `d` of xs (a list of tangents, or an array); items that are
    lists (added to an array start, which NumPy reads them with) have their tangents as arrays; a dict's: 0 (keys)."""
    if isinstance(d, dict):
        return 0.0
    if isinstance(d, (list, tuple)):
        return sum(tangent_as_array(p) if isinstance(p, (list, tuple)) else p for p in d)
    return np.sum(d, axis=0)


# ---------------------------------------------------------------- sum(xs, start): a list or tuple start joins the items
# (sum(nested, []) is nested[0] + nested[1] + ...: the adjoint of the joined list is cut back into the items' parts; a
# start that is a number or an array adds, as sum(xs) does)
def _joins(start, xs) -> bool:
    """Does sum(xs, start) join? Where start and the items are lists or tuples. A number or an array start adds, and
    so does a list start with items that are arrays or numbers (`[1.0, 2.0] + x` is NumPy's sum, the list read as an
    array); a list start with items of both kinds (joined, then added) is refused."""
    if not isinstance(start, (list, tuple)):
        return False
    kinds = {isinstance(x, (list, tuple)) for x in xs}
    if len(kinds) > 1:
        raise S2SError("sum(xs, start) with a list or tuple start whose items are lists and arrays (or numbers) "
                       "both joins and adds (start + xs[0] joins two lists, + an array adds elementwise): s2s does "
                       "not follow it; write the joins and the additions apart, np.array(start + xs[0]) + xs[1]")
    return kinds != {False}


def _parts_of(g, n: int, batched: bool = False) -> list:
    """The n parts of `g`, the adjoint (or tangent) of a list or tuple: its parts, an array's rows (axis 1 of a batch of
    tangents), or a bare number standing for each."""
    if isinstance(g, (list, tuple)):
        return list(g)
    if np.ndim(g) > batched:
        return [g[:, i] if batched else g[i] for i in range(n)]
    return [g] * n


def _cut(parts: list, xs, start) -> Parts:
    """`parts` (one per element of `start + xs[0] + xs[1] + ...`) cut into the adjoints of the items of xs."""
    at = len(start)
    out = []
    for x in xs:
        piece = parts[at:at + len(x)]
        out.append(TupleParts(piece) if isinstance(x, tuple) else Parts(piece))
        at += len(x)
    return TupleParts(out) if isinstance(xs, tuple) else Parts(out)


def _joined_like(start, parts: list):
    return TupleParts(parts) if isinstance(start, tuple) else Parts(parts)


def started_sum_adjoint(g, xs, start):
    """Adjoint of the builtin `sum(xs, start)` for xs: with a list or tuple start, which joins the items, each item's
    parts of the joined adjoint `g`; with a number or an array, `g` for every item (sum_builtin_adjoint)."""
    if not _joins(start, xs):
        return sum_builtin_adjoint(g, xs)
    return _cut(_parts_of(g, len(start) + sum(len(x) for x in xs)), xs, start)


def started_sum_start_adjoint(g, start, xs):
    """Adjoint of the builtin `sum(xs, start)` for start: its first parts of the joined adjoint `g` (a number or an
    array start, or one added to arrays: `g` summed back to its shape)."""
    if not _joins(start, xs):
        return unbroadcast(g, start)
    return _joined_like(start, _parts_of(g, len(start))[:len(start)])


def started_sum_tangent(d, xs, start):
    """Tangent of `sum(xs, start)` from the tangent `d` of xs: with a list or tuple start, the items' tangents joined
    after zeros for start's parts (its own tangent is added by started_sum_start_tangent)."""
    if not _joins(start, xs):
        return sum_builtin_tangent(d)
    items = _parts_of(d, len(xs))
    parts = [zeros_like(v) for v in start]
    for x, dx in zip(xs, items):
        parts += [zeros_like(v) for v in x] if isinstance(dx, (int, float)) and dx == 0 else _parts_of(dx, len(x))
    return _joined_like(start, parts)


def started_sum_start_tangent(d, xs, start):
    """Tangent of `sum(xs, start)` from the tangent `d` of start: start's tangents, then zeros for the items' parts (a
    list start added to arrays: its tangents as the array NumPy reads it as)."""
    if not _joins(start, xs):
        return tangent_as_array(d) if isinstance(d, (list, tuple)) else d
    parts = _parts_of(d, len(start))
    for x in xs:
        parts += [zeros_like(v) for v in x]
    return _joined_like(start, parts)


def started_sum_adjoint_transpose(G, g, xs, start):
    """The transpose of `started_sum_adjoint(., xs, start)` at `g`: the items' parts of `G` joined again after zeros
    for start's."""
    if not _joins(start, xs):
        return sum_builtin_adjoint_transpose(G, g, xs)
    parts = [zeros_like(v) for v in _parts_of(g, len(start))[:len(start)]]
    for x, Gx in zip(xs, _parts_of(G, len(xs))):
        parts += _parts_of(Gx, len(x))
    return _joined_like(start, parts)


def started_sum_start_adjoint_transpose(G, g, start, xs):
    """The transpose of `started_sum_start_adjoint(., start, xs)` at `g`: G's parts, then zeros for the items' parts
    (where it adds: G widened to g's shape)."""
    if not _joins(start, xs):
        return np.broadcast_to(tangent_as_array(G) if isinstance(G, (list, tuple)) else G, np.shape(g)) + \
            np.zeros(np.shape(g))
    rest = list(g)[len(start):] if isinstance(g, (list, tuple)) else []
    return _joined_like(start, _parts_of(G, len(start)) + [zeros_like(v) for v in rest])


def batch_started_sum_adjoint(d, xs, start):
    """Tangents of `started_sum_adjoint(g, xs, start)`: each of the n tangents (leading axis) cut as `g` is."""
    if not _joins(start, xs):
        return batch_sum_builtin_adjoint(d, xs)
    return _cut(_parts_of(d, len(start) + sum(len(x) for x in xs), batched=True), xs, start)


def batch_started_sum_start_adjoint(d, start, xs):
    """Tangents of `started_sum_start_adjoint(g, start, xs)`: start's parts of each of the n tangents (where it adds:
    each summed back to start's shape)."""
    if not _joins(start, xs):
        return batch_unbroadcast(d, start)
    return _joined_like(start, _parts_of(d, len(start), batched=True)[:len(start)])


def tuple_adjoint(g, xs):
    """Adjoint of `tuple(xs)`: the parts of `g` (a number: the same for each) as an adjoint of `xs`, an array
    of xs's shape for an array, the container's parts otherwise (a dict: none, its keys were iterated)."""
    if isinstance(xs, dict):
        return zeros_like(xs)
    if isinstance(xs, np.ndarray):
        if not len(xs):
            return np.zeros(xs.shape)
        dtype = np.result_type(xs.dtype, float)
        if not isinstance(g, (list, tuple)):
            return np.full(xs.shape, g, dtype)
        try:  # (parts of the rows' shape: one array at C speed, where a stack of n broadcasts costs ~10 us each)
            out = np.array(g, dtype)
        except (ValueError, TypeError):  # (a bare 0.0 among arrays, parts NumPy broadcasts: row by row)
            out = None
        if out is not None and out.shape == xs.shape:
            return out
        return np.stack([np.broadcast_to(p, xs.shape[1:]) for p in g]).astype(dtype)
    return _structured(g, xs if isinstance(xs, (tuple, list)) else list(xs))


def rows_of(G, g):
    """The first `len(g)` rows (or parts) of `G`, a bare number standing for each: the adjoint of the parts `g`
    of `tuple_adjoint(g, xs)`, a list (Parts) for a list (a reversed loop's accumulator), an array of g's shape
    for an array (np.sum of the tuple gives one), else a tuple; zero for a dict's G (tuple(d): keys, no derivative)."""
    if isinstance(G, dict):
        return zeros_like(g)
    parts = (G[i] if isinstance(G, (list, tuple)) or np.ndim(G) > 0 else G for i in range(len(g)))
    if type(g) is np.ndarray and g.ndim:
        out = np.zeros(g.shape, np.result_type(g, float))
        for i, p in enumerate(parts):
            out[i] = p
        return out
    return Parts(parts) if isinstance(g, list) else TupleParts(parts)


# ---------------------------------------------------------------- lists the function grows: xs.append(v), xs + [v]
def appended(xs, v):
    """`xs + [v]`: a new list (the function's `xs.append(v)`; the old list stays as it was, for the adjoint)."""
    return xs + [v]


def appended_adjoint(g):
    """Adjoint of `appended(xs, v)` for `xs`: all but the last part of the list adjoint `g` (an array: its rows;
    a number: the same for every part)."""
    if isinstance(g, (list, tuple)):
        return Parts(g[:-1])
    return g[:-1] if np.ndim(g) > 0 else g


def appended_item_adjoint(g):
    """Adjoint of `appended(xs, v)` for `v`: the last part of the list adjoint `g` (an array: its last row; a
    number: the same for every part)."""
    if type(g) is np.ndarray:  # (a list's adjoint kept as an array of rows, once per append reversed: first)
        return g[-1] if g.ndim else g
    return g[-1] if isinstance(g, (list, tuple)) or np.ndim(g) > 0 else g


def stack_adjoint_rows(g, seq):
    """Adjoint of `np.stack(seq)` as one array whose rows are the parts (their list otherwise): where a list's
    adjoint is only cut back by the adjoints of the appends that grew it (back/growing.py), `g[:-1]` of an
    array is a view where a list's is a copy, one per append."""
    if type(g) is np.ndarray and g.ndim and g.shape[0] == len(seq):
        return g.copy()  # (rows nothing else refers to, as stack_adjoint's)
    return stack_adjoint(g, seq)


def sum_adjoint_rows(g, xs):
    """`sum_builtin_adjoint(g, xs)` as one array whose rows are the items' adjoints, where the items are numbers or
    arrays of g's one shape (their list otherwise): as stack_adjoint_rows, for a list's adjoint only cut back by
    the adjoints of the appends that grew it (back/growing.py; `losses.append(l)` ... `sum(losses)`)."""
    if type(xs) is list and len(xs) > 1:
        first = xs[0]
        if type(first) is np.ndarray:
            shape = first.shape
            same = all(type(x) is np.ndarray and x.shape == shape for x in xs)
        else:
            shape, same = (), set(map(type, xs)) <= _FLOATS
        if same and np.shape(g) == shape:
            out = np.empty((len(xs),) + shape, np.result_type(g, np.float64))
            out[...] = g
            return out
    return sum_builtin_adjoint(g, xs)


_FLOATS = frozenset({float, np.float64})


class _GrownTangents(Parts):
    """The tangents of a list the function grows, made by `appended_tangent` for the list `of`."""
    __slots__ = ("of",)


def appended_tangent(dxs, dv, ys):
    """Tangent of `ys = appended(xs, v)` (None: no tangent; zeros of that part's structure). It reads the new
    list, not xs: the old list is then read by nothing after the append, which grows it in place
    (back/growing.py). Where it did (`ys` is the list `dxs` was made for, one item longer), nothing reads the old
    tangents either (a tangent is read where its value is): they are extended in place too, not copied (O(n^2)
    over a loop of n appends)."""
    dv = zeros_like(ys[-1]) if dv is None else dv
    if type(dxs) is _GrownTangents and dxs.of is ys and len(dxs) == len(ys) - 1:
        dxs.append(dv)
        return dxs
    out = _GrownTangents(zeros_like(ys[:-1]) if dxs is None else dxs)
    out.append(dv)
    out.of = ys
    return out


def appended_adjoint_transpose(G, g):
    """The transpose of `appended_adjoint(., xs)` at `g` (a list adjoint one longer): G's parts, then a zero; an
    array `g` (np.dot of a list gives one: appended_adjoint's g[:-1]) as an array, G its rows but the last; a bare
    number `g` (it stands for every part) as the total of G."""
    if type(g) is np.ndarray and g.ndim:
        out = np.zeros(g.shape, np.result_type(G, g))
        out[:-1] = G
        return out
    if not isinstance(g, (list, tuple)):
        return _total(G)
    parts = list(G) if isinstance(G, (list, tuple)) else [G] * (len(g) - 1)
    return Parts(parts + [zeros_like(g[-1])])


def appended_item_transpose(G, g):
    """The transpose of `appended_item_adjoint(., v)` at `g`: zeros, then G as the last part (its last row, an
    array `g`)."""
    if type(g) is np.ndarray and g.ndim:
        out = np.zeros(g.shape, np.result_type(G, g))
        out[-1] = G
        return out
    if not isinstance(g, (list, tuple)):
        return _total(G)
    return Parts([zeros_like(p) for p in g[:-1]] + [G])


def _total(G):
    """The transpose at a bare number `g` (a reversed loop's list adjoint before its first add, standing for every
    part alike): the sum of every entry of every part of `G`."""
    if isinstance(G, (list, tuple)):
        return sum((_total(p) for p in G), 0.0)
    return np.sum(G) if np.ndim(G) else G


# ---------------------------------------------------------------- dicts the function writes out: {"w": w, "b": b}
def dict_of(keys, *values):
    """`{keys[0]: values[0], ...}`: a dict display of the function (generated as the display itself)."""
    return dict(zip(keys, values))


def dict_part(g, keys, i):
    """Adjoint of `dict_of(keys, *values)` for value i: the part of the dict adjoint `g` at keys[i] (0.0: none)."""
    return g[keys[i]] if isinstance(g, dict) else g


def dict_part_transpose(G, g, keys, i):
    """The transpose of `dict_part(., keys, i)` (linear in its first argument) at `g`: `G` at keys[i] of a dict
    shaped like the dict adjoint `g`, zeros elsewhere (a bare 0.0 `g`: a dict of `G` alone)."""
    if not isinstance(g, dict):
        return DictParts({keys[i]: G})
    return DictParts((k, G if k == keys[i] else zeros_like(v)) for k, v in g.items())


def dict_tangent(keys, *parts):
    """Tangent of `dict_of(keys, *values)` from `parts`: the values' tangents, then the values (a tangent None:
    zeros of that value's structure)."""
    n = len(keys)
    return DictParts((k, zeros_like(v) if t is None else t) for k, t, v in zip(keys, parts[:n], parts[n:]))


# ---------------------------------------------------------------- a dict's values, items and keys, as lists
def dict_values(d):
    """`d.values()` as a list (a loop or a comprehension reads it by index)."""
    return list(d.values())


def dict_items(d):
    """`d.items()` as a list of (key, value) pairs."""
    return list(d.items())


def sort_order(keys, reverse=False):
    """The positions of `keys` in the order `sorted(keys, reverse=reverse)` puts them (stable, as Python's sort)."""
    keys = list(keys)
    return sorted(range(len(keys)), key=keys.__getitem__, reverse=reverse)


def extremum_index(keys, largest=True, empty=None):
    """The position of the first largest (smallest) of `keys`, the one `max(xs, key=f)` (`min`) picks of the items
    whose keys they are; `empty` where there are none and it is given, else the ValueError max() raises."""
    keys = list(keys)
    if not keys and empty is not None:
        return empty
    return (max if largest else min)(range(len(keys)), key=keys.__getitem__)


def largest(items, *default):
    """`max(items)`, or `max(items, default=d)`: the builtin's own result, the first item no other exceeds.
    Its derivative is shared among the items equal to it, as np.max's and max(a, b)'s at a tie
    (extremum_item_adjoint); where items is empty, the default's."""
    return max(items, default=default[0]) if default else max(items)


def smallest(items, *default):
    """`min(items)`, or `min(items, default=d)` (see largest)."""
    return min(items, default=default[0]) if default else min(items)


def _extremal(ans, items):
    """Which of `items` equal their extremum `ans` (a bool array over the first axis); none where ans is NaN."""
    if isinstance(items, np.ndarray):
        hit = np.asarray(items == ans)
        return hit.reshape(len(items), -1).all(axis=1) if hit.ndim > 1 else hit.reshape(-1)
    return np.array([bool(np.all(v == ans)) for v in items], dtype=bool)


def extremum_item_adjoint(g, ans, items):
    """Adjoint of largest(items) (smallest): `g` shared equally among the items equal to the result `ans` (all of
    it to the one extremal item where there is no tie), zero elsewhere, with the structure of `items` (Parts of a
    list, TupleParts of a tuple, an array's shape); none for a dict, whose keys max(d) compares."""
    if isinstance(items, dict):
        return zeros_like(items)
    hit = _extremal(ans, items)
    count = int(np.count_nonzero(hit))
    share = g if count == 1 else g / max(count, 1)
    if isinstance(items, np.ndarray):
        mask = hit.reshape(hit.shape + (1,) * (items.ndim - 1))
        return np.where(mask, share, 0.0) + np.zeros(items.shape)
    parts = [share if h else zeros_like(v) for v, h in zip(items, hit)]
    return TupleParts(parts) if isinstance(items, tuple) else Parts(parts)


def extremum_item_tangent(d, ans, items):
    """Tangent of largest(items) (smallest) from the tangent `d` of items (a list of tangents, a bare 0.0 for a
    constant item, or an array): the mean of those of the items equal to the result `ans`, zero if none is (a dict)."""
    if isinstance(items, dict):
        return 0.0
    hit = _extremal(ans, items)
    count = int(np.count_nonzero(hit))
    if isinstance(d, (list, tuple)):
        chosen = [p for p, h in zip(d, hit) if h]
    elif np.ndim(d) == 0:
        return d * 0.0
    else:
        chosen = list(np.asarray(d)[hit])
    if not chosen:
        return 0.0
    total = chosen[0]
    for p in chosen[1:]:
        total = total + p
    return total if count == 1 else total / count


def default_share(g, items):
    """The adjoint (or tangent) of the default of max(items, default=d) from that of the result: `g` where items is
    empty (the result is the default), else zero."""
    return zeros_like(g) if len(items) else g


def deep_copy(x, memo=None):
    """`copy.deepcopy(x)`: new containers of new arrays holding x's values, the identity for derivatives (its
    tangent the deep copy of x's, its adjoint the cotangent itself)."""
    return copy.deepcopy(x, memo)


def dict_keys(d):
    """`d.keys()` as a list: what iterating `d` gives (also where `d` may be a sequence, whose elements then index
    it: `for k in p: p[k]`)."""
    return list(d)


def dict_keys_only(d, name, item, read=None, differentiated=False):
    """`for item in name: ... name[item]` where that read (`read`: its line) runs on some paths only: the keys of
    the dict `d`, which carry no derivative; a sequence of ints or bools too (its items index it), unless
    `differentiated` (d carries a derivative here: its items are numbers); another list's, tuple's or array's
    items are its values, with their derivatives, which s2s took for indices there: refused."""
    if isinstance(d, (list, tuple, np.ndarray)):
        if not differentiated and (d.dtype.kind in "biu" if isinstance(d, np.ndarray) else
                                   all(isinstance(v, (int, np.integer, np.bool_)) for v in d)):
            return list(d)
        raise S2SError(f"the loop 'for {item} in {name}' reads {name}[{item}] on some paths only"
                       f"{f' ({read})' if read else ''}, so s2s takes {item} for a key of the dict {name} (with no "
                       f"derivative), but {name} is {'an' if type(d).__name__[0] in 'aeiou' else 'a'} "
                       f"{type(d).__name__} here, whose items are its values"
                       f"{', differentiated' if differentiated else ''}: loop over the dict's keys on the path that reads them (for {item} in {name}.keys()) and "
                       f"over the values on the other (for v in {name}), or over range(len({name})) and read {name}[i]")
    return list(d)


def iterated(xs, count=None):
    """What a for loop, a comprehension or an unpacking over `xs` reads, indexed by position: `xs` itself for a
    list, tuple or array (its elements carry their derivatives), else the list of what iterating it gives (a dict's
    keys, a set's or an iterator's elements), which carry none. An unpacking into `count` names raises Python's
    ValueError where there are more or fewer."""
    items = xs if isinstance(xs, _INDEXED) else list(xs)
    if count is not None and len(items) != count:
        raise ValueError(f"too many values to unpack (expected {count})" if len(items) > count else
                         f"not enough values to unpack (expected {count}, got {len(items)})")
    return items


def iterated_tangent(d, xs, items):
    """Tangent of `items = iterated(xs)` from the tangent `d` of xs: `d` itself where xs is a list, tuple or array,
    else zero (a dict's keys, a set's elements carry no derivative)."""
    return d if isinstance(xs, _INDEXED) else zeros_like(items)


def iterated_adjoint(g, xs):
    """Adjoint of `iterated(xs)`: the adjoint `g` of what the loop read, itself where xs is a list, tuple or array,
    else zero (with the structure of xs: a dict's)."""
    return g if isinstance(xs, _INDEXED) else zeros_like(xs)


_INDEXED = (list, tuple, np.ndarray)


def _part(g, i):
    return g[i] if isinstance(g, (list, tuple)) else g


def dict_values_adjoint(g, d):
    """Adjoint of `dict_values(d)`: part i of the list adjoint `g` for the i-th key (0.0: none)."""
    return _structured(DictParts((k, _part(g, i)) for i, k in enumerate(d)), d)


def dict_items_adjoint(g, d):
    """Adjoint of `dict_items(d)`: the value part of pair i of `g` for the i-th key (0.0: none)."""
    return _structured(DictParts((k, _part(_part(g, i), 1)) for i, k in enumerate(d)), d)


def dict_items_transpose(G, d):
    """Adjoint of `dict_items_adjoint(g, d)` with respect to g (a second derivative): pair i of a list of
    (key, value) adjoints holds the adjoint of the i-th key's value, and 0.0 for the key."""
    return Parts(TupleParts((0.0, G[k] if isinstance(G, dict) else G)) for k in d)


# ---------------------------------------------------------------- f(x, **d) for a dict known only at run time
def _holds(d, key) -> bool:
    """Does the dict `d` have `key` (not as ABSENT, which the reverse sweep writes back for a key a write
    added), or the sequence `d` an element at index `key`?"""
    return key in d and d[key] is not ABSENT if isinstance(d, dict) else len(d) > key


def keyword(d, name, *default):
    """A parameter of a call `f(..., **d)` (`d[name]`) or `f(*d)` (`d[i]`): the value `d` holds, else the
    parameter's default (else Python's TypeError)."""
    if _holds(d, name):
        return d[name]
    if default:
        return default[0]
    raise TypeError(f"missing required argument '{name}'")


def dict_get(d, key, default=None):
    """`d.get(key, default)` of a dict the function did not build (an argument's, a part of one): its
    derivative is that of `keyword(d, key, default)`, which reads a dict as `get` does."""
    if not isinstance(d, dict):
        raise TypeError(f"s2s differentiates .get() of a dict, not of a {type(d).__name__}: index it (d[key]), "
                        "or compute the value in a function of its own marked s2s.nondifferentiable")
    return d.get(key, default)


class _Absent:
    """What `saved_key` keeps for a key the dict did not hold: the reverse sweep's restore writes it back
    (`q['c'] = q_old`), and the adjoint reads it as no value (zeros_like: 0.0)."""

    def __repr__(self):
        return "rt.ABSENT"


ABSENT = _Absent()


def saved_key(d, key):
    """The value a key write `d[key] = v` into a dict the function made replaces (`q = dict(p); q['c'] = v`), kept
    for the reverse sweep to write back: `d[key]` itself (rebinding a key changes no array), or ABSENT for a key d
    did not hold."""
    return d[key] if key in d else ABSENT


def keyword_adjoint(g, d, name):
    """Adjoint of `keyword(d, name, ...)` for `d`: `g` at key (or index) `name` when d holds it, else none."""
    return getitem_adjoint(g, d, name) if _holds(d, name) else zeros_like(d)


def keyword_default_adjoint(g, d, name):
    """Adjoint of `keyword(d, name, default)` for the default: `g` when d does not hold `name`."""
    return 0.0 if _holds(d, name) else g


def keyword_tangent(dd, ddefault, d, name, ans=None):
    """Tangent of `ans = keyword(d, name, default)` from the tangents of d and of the default (None: zero; of a
    list, tuple or dict default, d.get(k, []), its zeros, which a list joined to it adds to)."""
    if _holds(d, name):
        return 0.0 if dd is None else dd[name]
    return ddefault if ddefault is not None else zeros_like(ans) if isinstance(ans, (list, tuple, dict)) else 0.0


# ---------------------------------------------------------------- {k: v for ...}: a dict made from (key, value) pairs
def dict_from_pairs(pairs):
    """`dict(pairs)` of the (key, value) pairs a dict comprehension makes."""
    return dict(pairs)


def dict_pairs_adjoint(g, pairs):
    """Adjoint of `dict_from_pairs(pairs)`: each pair's value gets g's part at its key (none for the key; a
    key given twice keeps the last value, as dict does); of `dict(d)` of a dict d (a copy): g's part at each key."""
    if isinstance(pairs, dict):
        return _structured(g, pairs)
    last = {k: i for i, (k, _) in enumerate(pairs)}
    return Parts(TupleParts((0.0, (g[k] if isinstance(g, dict) else g) if last[k] == i else zeros_like(v)))
                 for i, (k, v) in enumerate(pairs))


def dict_pairs_tangent(dpairs, pairs):
    """Tangent of `dict_from_pairs(pairs)` from the pairs' tangents (the keys carry none); of `dict(d)` of a dict d,
    from d's tangent (None: zeros)."""
    if isinstance(pairs, dict):
        return DictParts((k, dpairs[k] if isinstance(dpairs, dict) else zeros_like(v)) for k, v in pairs.items())
    return DictParts((k, dp[1] if isinstance(dp, (list, tuple)) else zeros_like(v))
                     for (k, v), dp in zip(pairs, dpairs))


def copy_saved(x):
    """A copy of a value a reversed loop saves that holds an array written in place later (`[prod, x]` before
    `prod[1] = v`): its arrays copied, its tuples and lists kept (np.copy would make one array of them, or fail
    on parts of different shapes). A number (an element of an array of numbers, `y[i]`) is kept as it is:
    np.copy of it takes ~3 us, once per iteration of a loop writing elements."""
    if type(x) is np.float64 or type(x) is float:  # (the common case first: an element of a float array)
        return x
    if isinstance(x, np.ndarray):
        return x.copy()
    if isinstance(x, (tuple, list)):
        return type(x)(copy_saved(v) for v in x)
    return x
