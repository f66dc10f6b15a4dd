"""What to write in place of an iterator tool of Python's or NumPy's called on values with a derivative
(`itertools.accumulate(x)`, `itertools.pairwise(x)`, `np.ndenumerate(M)`, `collections.deque(x)`): the same items
made by code s2s follows, each way checked to differentiate. These are classes and functions written in C (or,
for NumPy's, a class s2s does not see into): the user cannot make them dataclasses, and the items they give carry
the derivatives of x, so `s2s.nondifferentiable` would make the derivative silently zero.
"""
from __future__ import annotations

_POSITIONS = ("itertools.{name} over the positions, whose items carry no derivative, indexing x by them: [(x[i], "
              "x[j]) for i, j in itertools.{name}(range(len(x)), 2)] for itertools.{name}(x, 2)")

_INSTEAD = {
    "itertools.accumulate": "np.cumsum(x) for itertools.accumulate(x) (np.cumprod(x) for func=operator.mul, "
                            "np.maximum.accumulate(x) for func=max), or a loop that appends the running value: run = "
                            "0.0; out = []; for v in x: run = run + v; out.append(run)",
    "itertools.pairwise": "zip(x, x[1:]) for itertools.pairwise(x)",
    "itertools.chain": "one list of the items of both, [*a, *b] (np.concatenate((a, b)) of arrays), for "
                       "itertools.chain(a, b)",
    "itertools.chain.from_iterable": "a comprehension, [v for part in parts for v in part], for "
                                     "itertools.chain.from_iterable(parts)",
    "itertools.islice": "a slice, x[start:stop:step], for itertools.islice(x, start, stop, step)",
    "itertools.product": "a comprehension over both, [(a, b) for a in xs for b in ys], for itertools.product(xs, "
                         "ys); or itertools.product over the positions, whose items carry no derivative: [(xs[i], "
                         "ys[j]) for i, j in itertools.product(range(len(xs)), range(len(ys)))]",
    "itertools.combinations": _POSITIONS.format(name="combinations"),
    "itertools.combinations_with_replacement": _POSITIONS.format(name="combinations_with_replacement"),
    "itertools.permutations": _POSITIONS.format(name="permutations"),
    "itertools.repeat": "a list, [x] * n (or [x for _ in range(n)]), for itertools.repeat(x, n)",
    "itertools.cycle": "the items by position, x[k % len(x)]: zip(ys, [x[k % len(x)] for k in range(len(ys))]) for "
                       "zip(ys, itertools.cycle(x))",
    "itertools.count": "the count by position: [start + k * step for k in range(n)]",
    "itertools.starmap": "a comprehension, [f(a, b) for a, b in pairs], for itertools.starmap(f, pairs)",
    "itertools.compress": "a comprehension, [v for v, keep in zip(x, mask) if keep], for itertools.compress(x, "
                          "mask)",
    "itertools.zip_longest": "zip over the common length and the rest of the longer one added after it: "
                             "list(zip(a, b)) + [(fill, v) for v in b[len(a):]] for "
                             "itertools.zip_longest(a, b, fillvalue=fill) where b is the longer",
    "itertools.takewhile": "a loop that stops with break: out = []; for v in x: if not keep(v): break; out.append(v)",
    "itertools.dropwhile": "a loop over the positions: i = 0; while i < len(x) and drop(x[i]): i += 1; then x[i:]",
    "itertools.filterfalse": "a comprehension with if not, [v for v in x if not test(v)]",
    "itertools.tee": "the sequence itself, read as often as needed (a list or an array can be iterated again): "
                     "a = b = x, or list(x) once",
    "builtins.iter": "the list's items by position, a = xs[0]; b = xs[1] for a = next(it); b = next(it) with it = "
                     "iter(xs) (xs[k] if k < len(xs) else default for next(it, default)), or a for loop over xs",
    "builtins.next": "the list's items by position, a = xs[0]; b = xs[1] for a = next(it); b = next(it) with it = "
                     "iter(xs) (xs[k] if k < len(xs) else default for next(it, default)), or a for loop over xs",
    "builtins.filter": "a comprehension with if, [v for v in x if test(v)] ([v for v in x if v] for filter(None, x))",
    "functools.reduce": "a loop: acc = xs[0]; for v in xs[1:]: acc = f(acc, v)",
    "collections.deque": "a list, grown with .append(v), its items taken off by slices: first = xs[0]; xs = "
                         "xs[1:] for xs.popleft(), last = xs[-1]; xs = xs[:-1] for xs.pop()",
    "numpy.ndenumerate": "np.ndindex over the shape, reading the element at each index: for idx in "
                         "np.ndindex(M.shape): v = M[idx]",
    "numpy.nditer": "np.ndindex over the shape, reading the element at each index: for idx in np.ndindex(x.shape): "
                    "v = x[idx]",
}

# the module whose iterators not above get the general advice (functools.partial, operator.itemgetter: no)
_ITERATING = ("itertools",)


def iterator_advice(target, spelled: str) -> tuple[str, str] | None:
    """(why, fix) of a refused call of the standard library's or NumPy's iterator tool `target` (spelled by the
    user `spelled`) on values with a derivative; None for any other callable."""
    key = _qualified(target)
    if key is None:
        return None
    instead = _INSTEAD.get(key)
    if instead is None and key.split(".")[0] not in _ITERATING:
        return None
    why = (f"it makes its items in {'NumPy' if key.startswith('numpy.') else 'Python'}'s own code, which s2s does "
           f"not see into, and they carry the derivatives of what it is given")
    if instead is not None:
        return why, f"Write it with code s2s follows: {instead}."
    return why, (f"Write what {spelled} gives with code s2s follows: a for loop over the positions, for i in "
                 f"range(len(x)), reading x[i], or a comprehension (a list, tuple, dict or array of what it gives "
                 f"is followed too).")


def _qualified(target) -> str | None:
    """'itertools.accumulate', 'itertools.chain.from_iterable', 'functools.reduce', 'numpy.ndenumerate' of
    `target`, by its public module (functools' reduce is _functools'), or None."""
    owner = getattr(target, "__self__", None)
    module = getattr(target, "__module__", None) or (getattr(owner, "__module__", None) if isinstance(owner, type)
                                                      else None)
    name = getattr(target, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(name, str):
        return None
    key = f"{module.lstrip('_')}.{name}"
    return key if key in _INSTEAD or module.lstrip("_") in _ITERATING and not hasattr(target, "__code__") else None
