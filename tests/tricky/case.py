"""The registry and the checker of the tricky-program corpus (tests/test_tricky.py).

A program is registered with one of two decorators, given its arguments:

    @exact(np.array([1.0, 2.0]), 0.5)             # every float argument is differentiated
    @exact(x, 3, wrt=(0,))                         # only the first
    @refused(np.array([1.0, 2.0]))                 # the line holding `# refused` is where s2s must point
    @exact(..., xfail="one-line diagnosis")        # a known s2s bug: strict xfail

EXACT: the value equals the original's (run on copies of the arguments); value_and_grad (scalar
results), vjp (a random cotangent) and jvp (a random tangent) all agree with central finite
differences of the original; the arguments end as the original leaves them.
REFUSED: value_and_grad (or vjp) and jvp both raise an s2s.S2SError pointing at the marked line
(UnsupportedSyntaxError/NonDifferentiableError by file and line, a runtime error by a traceback
frame in the user's file at that line), and leave the arguments alone.  The original itself runs.
"""
import copy
import inspect
import traceback

import numpy as np

import s2s

CASES = []
EPS = 1e-6
REFUSED_MARK = "# refused"


class Case:
    def __init__(self, f, args, kind, wrt=None, xfail=None, rtol=1e-5, atol=1e-6, at=None):
        self.f, self.args, self.kind, self.xfail = f, args, kind, xfail
        self.rtol, self.atol = rtol, atol
        self.module = f.__module__.rsplit(".", 1)[-1]
        self.id = f"{self.module}.{f.__name__}"
        self.wrt = tuple(wrt) if wrt is not None else tuple(
            i for i, a in enumerate(args) if _differentiable(a))
        assert self.wrt, f"{self.id}: nothing to differentiate"
        self.filename = inspect.getsourcefile(f)
        if kind == "refused":
            lines, first = inspect.getsourcelines(at or f)
            self.filename = inspect.getsourcefile(at or f)
            marked = [first + k for k, text in enumerate(lines) if REFUSED_MARK in text]
            assert len(marked) == 1, f"{self.id}: mark exactly one line with '{REFUSED_MARK}'"
            self.line = marked[0]

    def check(self):
        (self._check_exact if self.kind == "exact" else self._check_refused)()


def _differentiable(a):
    if isinstance(a, bool) or a is None or isinstance(a, str):
        return False
    if isinstance(a, int):
        return False  # (a count or an index, unless wrt= says otherwise)
    if isinstance(a, float):
        return True
    if isinstance(a, np.ndarray):
        return np.issubdtype(a.dtype, np.floating)
    if isinstance(a, (tuple, list)):
        return bool(a) and all(_differentiable(v) for v in a)
    if isinstance(a, dict):
        return bool(a) and all(_differentiable(v) for v in a.values())
    return isinstance(a, np.floating)


def exact(*args, wrt=None, xfail=None, rtol=1e-5, atol=1e-6):
    def register(f):
        CASES.append(Case(f, args, "exact", wrt, xfail, rtol, atol))
        return f
    return register


def refused(*args, wrt=None, xfail=None, at=None):
    """`at`: the helper whose '# refused' line the error must point at (default: the program itself)."""
    def register(f):
        CASES.append(Case(f, args, "refused", wrt, xfail, at=at))
        return f
    return register


# ---- flattening (numbers, arrays, tuples/lists/dicts of them) -------------------------------

def flat(x):
    if isinstance(x, (tuple, list)):
        return np.concatenate([flat(v) for v in x]) if x else np.zeros(0)
    if isinstance(x, dict):
        return np.concatenate([flat(v) for v in x.values()]) if x else np.zeros(0)
    return np.asarray(x, dtype=np.float64).ravel()


def unflat(template, vec, upcast=False):
    """A value shaped like `template` holding the numbers `vec` (float64 arrays if upcast)."""
    out, used = _unflat(template, np.asarray(vec, dtype=np.float64), upcast)
    assert used == len(vec)
    return out


def _unflat(t, vec, upcast):
    if isinstance(t, (tuple, list)):
        items, used = [], 0
        for v in t:
            item, n = _unflat(v, vec[used:], upcast)
            items.append(item)
            used += n
        return type(t)(items), used
    if isinstance(t, dict):
        items, used = {}, 0
        for k, v in t.items():
            items[k], n = _unflat(v, vec[used:], upcast)
            used += n
        return items, used
    if isinstance(t, np.ndarray):
        dtype = np.float64 if upcast or not np.issubdtype(t.dtype, np.floating) else t.dtype
        return vec[:t.size].reshape(t.shape).astype(dtype), t.size
    return float(vec[0]), 1


def upcast(x):
    """float32 arrays (at any depth) as float64, for finite differences."""
    if isinstance(x, (tuple, list)):
        return type(x)(upcast(v) for v in x)
    if isinstance(x, dict):
        return {k: upcast(v) for k, v in x.items()}
    if isinstance(x, np.ndarray) and np.issubdtype(x.dtype, np.floating):
        return x.astype(np.float64)
    return x


def same_structure(g, t):
    if isinstance(t, (tuple, list)):
        return isinstance(g, (tuple, list)) and len(g) == len(t) and all(map(same_structure, g, t))
    if isinstance(t, dict):
        return isinstance(g, dict) and g.keys() == t.keys() and all(same_structure(g[k], t[k]) for k in t)
    if isinstance(t, np.ndarray):  # (a 0-d array too: API.md, an ndarray of the argument's shape, as JAX gives)
        return isinstance(g, np.ndarray) and g.shape == t.shape
    # a float (np.float64 is one) or a NumPy float scalar; a bool, an int or a 0-d array is not
    return isinstance(g, (float, np.floating))


def equal_state(a, b):
    """Arguments after a call: the same values (NaN-aware), recursively."""
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(map(equal_state, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(equal_state(a[k], b[k]) for k in a)
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    return a == b or (a != a and b != b)


# ---- the checks ------------------------------------------------------------------------------

def _close(what, got, want, rtol, atol):
    got, want = flat(got), flat(want)
    assert got.shape == want.shape, f"{what}: {got.size} numbers instead of {want.size}"
    if not np.allclose(got, want, rtol=rtol, atol=atol):
        raise AssertionError(f"{what}: s2s gives\n{got}\nfinite differences / the original give\n{want}")


def fd_jacobian(f, args, w):
    """Central differences: rows = the output's numbers, columns = the numbers of args[w]."""
    base = [upcast(copy.deepcopy(a)) for a in args]
    x = flat(base[w])
    columns = []
    for k in range(x.size):
        outs = []
        for sign in (1.0, -1.0):
            xk = x.copy()
            xk[k] += sign * EPS
            call = [copy.deepcopy(a) for a in base]
            call[w] = unflat(base[w], xk, upcast=True)
            outs.append(flat(f(*call)))
        columns.append((outs[0] - outs[1]) / (2 * EPS))
    return np.stack(columns, axis=1)


def _check_exact(self):
    f, args, tol = self.f, self.args, dict(rtol=self.rtol, atol=self.atol)
    after = [copy.deepcopy(a) for a in args]
    value = f(*after)
    scalar = isinstance(value, (int, float, np.floating)) or (isinstance(value, np.ndarray) and value.ndim == 0)
    vtol = dict(rtol=1e-6 if self.rtol > 1e-5 else 1e-10, atol=1e-12)
    rng = np.random.default_rng(7)
    for w in self.wrt:
        name = f"{f.__code__.co_varnames[w]}"
        J = fd_jacobian(f, args, w)
        if scalar:
            a = [copy.deepcopy(v) for v in args]
            got, g = s2s.value_and_grad(f, wrt=w)(*a)
            _close(f"value_and_grad value", got, value, **vtol)
            assert same_structure(g, args[w]), f"d/d{name}: gradient {g!r} is not shaped like the argument"
            _close(f"value_and_grad d/d{name}", g, J[0], **tol)
            assert all(map(equal_state, a, after)), "value_and_grad left the arguments unlike the original does"
        a = [copy.deepcopy(v) for v in args]
        got, pullback = s2s.vjp(f, wrt=w)(*a)
        _close("vjp value", got, value, **vtol)
        ct = unflat(value, rng.normal(size=flat(value).size))
        g = pullback(ct)
        assert same_structure(g, args[w]), f"vjp d/d{name}: {g!r} is not shaped like the argument"
        _close(f"vjp pullback d/d{name}", g, flat(ct) @ J, **tol)
        assert all(map(equal_state, a, after)), "vjp left the arguments unlike the original does"
        a = [copy.deepcopy(v) for v in args]
        t = unflat(args[w], rng.normal(size=flat(args[w]).size))
        got, dv = s2s.jvp(f, wrt=w)(tuple(a), (t,))
        _close("jvp value", got, value, **vtol)
        _close(f"jvp tangent along {name}", dv, J @ flat(t), **tol)
        assert all(map(equal_state, a, after)), "jvp left the arguments unlike the original does"


def _check_refused(self):
    f, args = self.f, self.args
    f(*[copy.deepcopy(a) for a in args])  # the program is legal Python
    value = f(*[copy.deepcopy(a) for a in args])
    scalar = np.ndim(value) == 0 and not isinstance(value, (tuple, list))
    w = self.wrt[0]
    for mode in ("reverse", "forward"):
        a = [copy.deepcopy(v) for v in args]
        try:
            if mode == "reverse" and scalar:
                s2s.value_and_grad(f, wrt=w)(*a)
            elif mode == "reverse":
                _, pullback = s2s.vjp(f, wrt=w)(*a)
                pullback(value)
            else:
                t = unflat(args[w], np.ones(flat(args[w]).size))
                s2s.jvp(f, wrt=w)(tuple(a), (t,))
        except s2s.S2SError as err:
            where = self._error_line(err)
            assert where == (self.filename, self.line), (
                f"{mode}: the error points at {where}, not at line {self.line}:\n{err}")
        else:
            raise AssertionError(f"{mode}: s2s did not refuse (expected an S2SError at line {self.line})")
        assert all(equal_state(x, y) for x, y in zip(a, args)), f"{mode}: a refused call changed its arguments"


def _error_line(self, err):
    if isinstance(err, (s2s.UnsupportedSyntaxError, s2s.NonDifferentiableError)):
        return (err.filename, err.lineno)
    frames = [fr for fr in traceback.extract_tb(err.__traceback__) if fr.filename == self.filename]
    for fr in frames:
        if fr.lineno == self.line:
            return (fr.filename, fr.lineno)
    return (frames[-1].filename, frames[-1].lineno) if frames else ("<no frame in the user's file>", None)


Case._check_exact = _check_exact
Case._check_refused = _check_refused
Case._error_line = _error_line
