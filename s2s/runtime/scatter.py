"""`np.add.at(y, index, v)` (`np.subtract.at`: v negated) as an element write: `y[index] = rt.added_at(y, *index, v)`;
`np.fill_diagonal(a, v)` as `a[rt.diagonal_index(a)] = v`; `np.copyto(dst, src)` as `dst[...] = rt.castable(dst, src,
casting, where)`.

Generated code reaches this as `rt.added_at` (`s2s.runtime` re-exports it). The front end (front/effects.py) writes
the scatter-add as an element write, so that everything s2s knows about element writes (the overwritten elements
saved and put back, names sharing the array, loops, higher order) holds for it. `added_at` is pure: it returns
the values `y[index]` holds after `np.add.at(y, index, v)`, computed by that very call on a scratch array, so
writing them at `index` leaves `y` as NumPy's call leaves it, bit for bit (an element an index repeats is
written once per repeat, each time with its final value). Its derivative (rules/ufuncs.py) is that of the
linear map (y, v) -> out, out[k] = y[p_k] + sum over m with p_m = p_k of v[m] (v broadcast to y[index]'s shape).

`y[index] op= v` is the element write `y[index] = rt.augmented(part, part op v, "op")` (part = y[index], front/ssa.py)
where y may hold integers: `augmented` is its value, after the check NumPy makes (an in-place operator on the part
selected casts its result by the rule 'same_kind', and raises where it cannot: an int array's `y[1:] += 2.2`).
"""
from __future__ import annotations

import numpy as np

from s2s.runtime.core import batch_front, batch_key, batch_read

__all__ = ["added_at", "batch_added_at", "augmented", "diagonal_index", "castable"]

# the ufunc NumPy's in-place operator runs, by the operator's name in s2s's IR (prims.BINOPS)
_IN_PLACE = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "truediv": np.true_divide,
             "floordiv": np.floor_divide, "mod": np.remainder, "pow": np.power, "matmul": np.matmul,
             "lshift": np.left_shift, "rshift": np.right_shift, "bitor": np.bitwise_or, "bitxor": np.bitwise_xor,
             "bitand": np.bitwise_and}


def added_at(y, *index_and_v):
    """The values `y[index]` holds after `np.add.at(y, index, v)` (the arguments: y, the index's parts, v), each
    element an index repeats as often as it repeats; `y` is not changed. The scratch array is zeros but where the
    index reads (np.zeros of a large array costs only the pages it touches)."""
    *index, v = index_and_v
    if not isinstance(y, np.ndarray):
        raise TypeError("first operand must be array")  # (NumPy's words for np.add.at on a list or a number)
    idx = index[0] if len(index) == 1 else tuple(index)
    scratch = np.zeros(y.shape, dtype=y.dtype)
    scratch[idx] = y[idx]
    np.add.at(scratch, idx, v)
    return scratch[idx]


def batch_added_at(d_y, d_v, y, *index_and_v):
    """Tangents of `rt.added_at(y, *index, v)` with a leading batch axis (vector mode), from those of y (`d_y`)
    and of v (`d_v`), None or a bare zero where there are none: `d_y[:, index]` plus each tangent of v added up
    at the index and read back, as added_at adds v (a v that broadcast to y[index]'s shape gets its axes)."""
    *index, v = index_and_v
    index = tuple(index)
    key = batch_key(index)
    zero_y, zero_v = d_y is None or np.ndim(d_y) == 0 and d_y == 0, d_v is None or np.ndim(d_v) == 0 and d_v == 0
    if zero_v:
        return 0.0 if zero_y else batch_read(np.asarray(d_y), index)
    d_v = np.asarray(d_v)
    scratch = np.zeros(d_v.shape[:1] + np.shape(y), dtype=np.result_type(d_v.dtype, np.float64))
    rank = scratch[key].ndim
    if d_v.ndim < rank:  # (v broadcast to y[index]: its axes after the batch axis)
        d_v = d_v.reshape(d_v.shape[:1] + (1,) * (rank - d_v.ndim) + d_v.shape[1:])
    front = batch_front(index)  # (advanced indices a slice separates put their axes before the batch axis)
    np.add.at(scratch, key, np.moveaxis(d_v, 0, front) if front else d_v)
    out = batch_read(scratch, index)
    return out if zero_y else batch_read(np.asarray(d_y), index) + out


def diagonal_index(a, wrap=False):
    """The elements `np.fill_diagonal(a, v, wrap)` writes, as an index of `a`: one integer array per axis, the
    positions NumPy's `a.flat[:end:step] = v` writes (a tall matrix's diagonal starting again under it with
    `wrap`), NumPy's errors where it raises. `a[diagonal_index(a)] = v` is the call (front/scatter_adds.py)."""
    shape = np.shape(a)
    if len(shape) < 2:
        raise ValueError("array must be at least 2-d")
    end = None
    if len(shape) == 2:
        step = shape[1] + 1
        if not wrap:
            end = shape[1] * shape[1]
    else:
        if any(n != shape[0] for n in shape):
            raise ValueError("All dimensions of input must be of equal length")
        step = 1 + int(np.cumprod(shape[:-1]).sum())
    return np.unravel_index(np.arange(int(np.prod(shape)))[:end:step], shape)


def castable(dst, src, casting="same_kind", where=True):
    """`src`, once `np.copyto(dst, src, casting=casting, where=where)` is known to accept it: NumPy's own error
    where it does not (dst not an array, src not broadcasting to its shape, a float into an int array by 'same_kind'),
    which `dst[...] = src` (the call, front/scatter_adds.py) would not raise, casting by 'unsafe'. The call itself
    runs on a scratch array, so the check is NumPy's whatever its version. The derivative is the identity in src."""
    np.copyto(np.empty(np.shape(dst), dtype=dst.dtype) if isinstance(dst, np.ndarray) else dst, src, casting=casting,
              where=where)
    return src


def augmented(part, value, op):
    """`value`, computed as `part op v`, as `y[index] op= v` writes it back into y's part `part` (y[index]). Where
    part is an array (a slice, a fancy or boolean selection, y[...]), NumPy's operator runs in place on it and casts
    its result to part's dtype by the rule 'same_kind': an array of integers += 2.2 raises NumPy's own error here,
    where writing `value` would truncate it. An element (a NumPy scalar) is added to out of place, and written back
    as NumPy writes a number, truncating; a float32 part takes a float64 value rounded, as NumPy's in-place
    operator rounds it. The derivative is the identity in `value`."""
    if type(part) is not np.ndarray or type(value) is not np.ndarray and not isinstance(value, np.generic):
        return value
    if not np.can_cast(value.dtype, part.dtype, "same_kind"):
        ufunc = _IN_PLACE.get(op)
        if ufunc is not None:  # (NumPy's error, in its words: an operand of value's dtype meets the part's cast)
            ufunc(part, np.zeros((), value.dtype), out=np.empty_like(part))
        raise TypeError(f"Cannot cast the result of the in-place operator from {value.dtype!r} to {part.dtype!r} "
                        f"with casting rule 'same_kind'")
    return value
