"""Values outside wrt that the call's check could not read, and gave wrong derivatives silently (hunt13reg F1, F2).

F1: an item of a list or dict read at an index the function computes was checked by the container's first and last
items only (for a dataset read one item per call), but `for i in range(len(Ws)): Ws[i] @ x` (`for k in d: d[k]`,
`for k in keys:`, `for i in idx:`) reads every item, and a middle np.matrix gave a wrong gradient. F2: a field behind
a property or a `__getattr__`, `vars(m)['W']`, a module object's attribute or a module dict's item, a closure's
object, `sorted(Ws, key=...)[0]`, `list(reversed(Ws))[0]`: values the check could not read (or no use named).

Now a loop over each index or key of a container checks each item on the call (the loop reads each); any other read
the call cannot cover is checked where generated code reads it (`rt.require_data`, one type test: the getter runs
once). Each case is refused at the user's line in every mode; the plain versions are exact against finite
differences, and their generated code has no check where nothing foreign can occur.
"""
from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

pytestmark = pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")

import s2s
from s2s.api import data_checks
from s2s.runtime import foreign
from tests.conftest import assert_close, numeric_grad, numeric_hessian

with warnings.catch_warnings():  # (np.matrix warns that it is not the recommended way: which is the point here)
    warnings.simplefilter("ignore", PendingDeprecationWarning)
    MATRIX = np.matrix([[0.5, -1.0, 0.2], [1.1, 0.3, -0.4], [0.0, 0.7, 0.9]])
X = np.array([0.4, -0.2, 0.9])
A = np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0], [0.1, 0.2, 0.3]])
B = np.array([[0.5, -1.0, 0.2], [1.1, 0.3, -0.4], [0.0, 0.7, 0.9]])


class Scaled:
    """An object with arithmetic of its own: P * x is 3 a x, which NumPy's rule for * does not know."""

    def __init__(self, a):
        self.a = a

    def __mul__(self, o):
        return 3.0 * self.a * o

    __rmul__ = __mul__


class Held:
    def __init__(self, W):
        self.W = W


class Dense:
    """A field behind a property that computes it (`S.todense()` gives an np.matrix)."""

    def __init__(self, S, matrix=True):
        self._S, self._matrix = S, matrix

    @property
    def W(self):
        return np.asmatrix(self._S) if self._matrix else np.array(self._S)


class Lazy:
    """Fields given by `__getattr__`."""

    def __init__(self, **fields):
        self._fields = fields

    def __getattr__(self, k):
        try:
            return self.__dict__["_fields"][k]
        except KeyError:
            raise AttributeError(k) from None


class Scaling:
    def __init__(self, a):
        self._a = a

    @property
    def P(self):
        return Scaled(self._a) if isinstance(self._a, np.ndarray) and self._a.ndim == 1 and self._a[0] > 5 \
            else self._a


# --- F1: a loop over every index or key -------------------------------------------------------------------------

def over_indices(x, Ws):
    tot = 0.0
    for i in range(len(Ws)):
        tot = tot + np.sum(np.sin(Ws[i] @ x))
    return tot


def over_keys(x, d):
    tot = 0.0
    for k in d:
        tot = tot + np.sum(np.sin(d[k] @ x))
    return tot


def over_given_keys(x, d, keys):
    tot = 0.0
    for k in keys:
        tot = tot + np.sum(np.sin(d[k] @ x))
    return tot


def over_given_indices(x, Ws, idx):
    tot = 0.0
    for i in idx:
        tot = tot + np.sum(np.sin(Ws[i] @ x))
    return tot


def at_index(x, Ws, i):
    return np.sum(np.sin(Ws[i] @ x))


def at_shifted_index(x, Ws):
    tot = 0.0
    for i in range(1, len(Ws)):
        tot = tot + np.sum(np.sin((Ws[i] - Ws[i - 1]) @ x))
    return tot


def while_over_indices(x, Ws):
    i, tot = 0, 0.0
    while i < len(Ws):
        tot = tot + np.sum(np.sin(Ws[i] @ x))
        i += 1
    return tot


def nested_at(x, Ws, i, j):
    return np.sum(np.sin(Ws[i][j] @ x))


def unpacked_at(w, batches, i):
    X_, y = batches[i]
    return np.sum((np.tanh(X_ @ w) - y) ** 2)


# --- F2: values the call's check cannot read ----------------------------------------------------------------------

def copied(x, d):
    return np.sum(np.sin(copy.deepcopy(d)['W'] @ x))


def as_dict(x, d):
    return np.sum(np.sin(dict(d)['W'] @ x))


def comprehended(x, d):
    return np.sum(np.sin({k: v for k, v in d.items()}['W'] @ x))


def sliced(x, Ws):
    return np.sum(np.sin(Ws[1:][0] @ x))


def starred(x, Ws):
    first, *rest = Ws
    return np.sum(np.sin(rest[0] @ x))


def got(x, d, k):
    return np.sum(np.sin(d.get(k) @ x))


def first_of(x, Ws):
    return np.sum(np.sin(next(iter(Ws)) @ x))


def through_field(x, m):
    return np.sum(np.sin(m.W @ x))


def through_transpose(x, m):
    return np.sum(np.sin(m.W.T @ x))


def field_less_one(x, m):
    return np.sum(np.sin((m.W - 1.0) @ x))


def through_vars(x, m):
    return np.sum(np.sin(vars(m)['W'] @ x))


def times_field(x, cfg):
    return np.sum(np.sin(cfg.P * x))


def through_sorted(x, Ws):
    ordered = sorted(Ws, key=lambda w: 0)
    return np.sum(np.sin(ordered[0] @ x))


def through_reversed(x, Ws):
    return np.sum(np.sin(list(reversed(Ws))[0] @ x))


MODEL = Held(A)
TABLE = {'W': A}


def module_field(x):
    return np.sum(np.sin(MODEL.W @ x))


def module_item(x):
    return np.sum(np.sin(TABLE['W'] @ x))


def closing_over(m):
    def closed(x):
        return np.sum(np.sin(m.W @ x))
    return closed


CLOSED = closing_over(Held(A))


def _modes(f, args):
    """Each mode's derivative in x (args[0]), with the value where the mode gives one."""
    rest = args[1:]
    v, pull = s2s.vjp(f)(*args)
    value, tangent = s2s.jvp(f)(args, (np.array([1.0, -0.5, 0.25]),))
    return {"grad": s2s.grad(f)(*args), "value_and_grad": s2s.value_and_grad(f)(*args)[1], "vjp": pull(1.0),
            "jvp": tangent, "jacobian": s2s.jacobian(f)(*args),
            "jacobian forward": s2s.jacobian(f, mode="forward")(*args),
            "hessian": s2s.hessian(f)(*args), "values": (v, value, s2s.value_and_grad(f)(*args)[0]), "rest": rest}


def test_items_read_at_shifted_indices_are_exact():
    _exact(at_shifted_index, (X, [A, B, A.T]))
    assert "require_data" not in s2s.grad(at_shifted_index).source  # (each item checked on the call)
    scaled = Scaled(np.array([1.0, 2.0, 3.0]))  # (an object an operator computes with where no derivative flows)
    assert_close(s2s.grad(made_of_object)(X, scaled), numeric_grad(made_of_object, (X, scaled), 0))


def made_of_object(x, p):
    return np.sum(np.sin(x) * (p * 2.0))


def _exact(f, args):
    before = copy.deepcopy(args[1:])
    got = _modes(f, args)
    want = numeric_grad(f, args, 0)
    for mode in ("grad", "value_and_grad", "vjp", "jacobian", "jacobian forward"):
        assert_close(got[mode], want, what=mode)
    assert_close(got["jvp"], want @ np.array([1.0, -0.5, 0.25]), what="jvp")
    assert_close(got["hessian"], numeric_hessian(lambda x: f(x, *args[1:]), args[0]), rtol=1e-4, atol=1e-5,
                 what="hessian")
    for v in got["values"]:
        assert v == pytest.approx(f(*args))
    assert _same(before, args[1:])  # (nothing the caller passed in changed)


def _same(a, b) -> bool:
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(p, q) for p, q in zip(a, b))
    if isinstance(a, dict):
        return type(b) is dict and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return np.array_equal(a, b) if isinstance(a, np.ndarray) else type(a) is type(b)


def _refused(f, args, message):
    runs = {"grad": lambda: s2s.grad(f)(*args), "value_and_grad": lambda: s2s.value_and_grad(f)(*args),
            "vjp": lambda: s2s.vjp(f)(*args)[1](1.0), "jvp": lambda: s2s.jvp(f)(args, (np.ones(3),)),
            "jacobian": lambda: s2s.jacobian(f)(*args),
            "jacobian forward": lambda: s2s.jacobian(f, mode="forward")(*args),
            "hessian": lambda: s2s.hessian(f)(*args)}
    line = f.__code__.co_firstlineno
    for mode, run in runs.items():
        for _ in range(2):  # (the general call, then the fast one)
            with pytest.raises(s2s.S2SError, match=message) as info:
                run()
            assert f"test_hunt13_data.py:{line + 1}" in str(info.value) or \
                any(f"test_hunt13_data.py:{line + k}" in str(info.value) for k in range(2, 4)), (mode, str(info.value))


MIDDLE = [A, MATRIX, A.T]
F1 = [(over_indices, (X, MIDDLE)), (over_keys, (X, {'a': A, 'b': MATRIX, 'c': A.T})),
      (over_given_keys, (X, {'a': A, 'b': MATRIX, 'c': A.T}, ['a', 'b', 'c'])),
      (over_given_indices, (X, MIDDLE, [0, 1, 2])), (at_index, (X, MIDDLE, 1)), (at_shifted_index, (X, MIDDLE)),
      (while_over_indices, (X, MIDDLE)), (nested_at, (X, [[A, A], MIDDLE], 1, 1)),
      (unpacked_at, (X, [(A, X), (MATRIX, X), (A.T, X)], 1))]


@pytest.mark.parametrize("f, args", F1, ids=[f.__name__ for f, _ in F1])
def test_an_item_in_the_middle_read_at_a_computed_index_is_refused(f, args):
    _refused(f, args, "is a matrix, whose class defines")


@pytest.mark.parametrize("f, args", F1, ids=[f.__name__ for f, _ in F1])
def test_arrays_read_at_a_computed_index_are_exact(f, args):
    def plain(a):
        return np.asarray(a) if isinstance(a, np.matrix) else {k: plain(v) for k, v in a.items()} \
            if isinstance(a, dict) else type(a)(plain(v) for v in a) if isinstance(a, (list, tuple)) else a
    plain = tuple(plain(a) for a in args[1:])
    args = (args[0],) + plain
    _exact(f, args)


F2 = [(through_field, (X, Dense(B)), "m.W, read from the argument 'm', is a matrix"),
      (through_field, (X, Lazy(W=MATRIX)), "m.W, read from the argument 'm', is a matrix"),
      (through_transpose, (X, Dense(B)), "m.W, read from the argument 'm', is a matrix"),
      (field_less_one, (X, Held(MATRIX)), r"m.W - 1.0, read from the argument 'm', is a matrix"),
      (through_vars, (X, Held(MATRIX)), r"vars\(m\)\['W'\] is a matrix(.|\n)*np.asarray\(vars\(m\)\['W'\]\)"),
      (times_field, (X, Scaling(np.array([6.0, 2.0, 3.0]))), r"cfg.P, read from the argument 'cfg', is a Scaled"),
      (times_field, (X, Lazy(P=Scaled(np.array([1.0, 2.0, 3.0])))), "cfg.P, read from the argument 'cfg', is a Scaled"),
      (got, (X, {'a': A, 'b': MATRIX}, 'b'), r"is a matrix"), (first_of, (X, [MATRIX, A]), r"is a matrix"),
      (copied, (X, {'W': MATRIX}), "is a matrix"), (as_dict, (X, {'W': MATRIX}), "is a matrix"),
      (comprehended, (X, {'W': MATRIX}), "is a matrix"), (sliced, (X, [A, MATRIX]), "is a matrix"),
      (starred, (X, [A, MATRIX]), "is a matrix"),
      (through_sorted, (X, [MATRIX]), "is a matrix"),
      (through_reversed, (X, [A, MATRIX]), "is a matrix")]


@pytest.mark.parametrize("f, args, message", F2, ids=[f"{f.__name__}-{type(a[1]).__name__}" for f, a, _ in F2])
def test_a_value_the_call_cannot_read_is_refused_where_it_is_read(f, args, message):
    _refused(f, args, message)


def test_module_and_closure_data_is_refused_where_it_is_read(monkeypatch):
    _exact(module_field, (X,))
    _exact(module_item, (X,))
    _exact(CLOSED, (X,))
    monkeypatch.setattr(MODEL, "W", np.matrix(B))
    monkeypatch.setitem(TABLE, "W", np.matrix(B))
    _refused(module_field, (X,), r"MODEL.W is a matrix(.|\n)*np.asarray\(MODEL.W\)")
    _refused(module_item, (X,), r"TABLE\['W'\] is a matrix")
    _refused(closing_over(Held(np.matrix(B))), (X,), r"m.W is a matrix")
    _refused(closing_over(Held(Scaled(np.ones(3)))), (X,), r"m.W is a Scaled")


PLAIN = [(through_field, (X, Dense(B, matrix=False))), (field_less_one, (X, Held(B))), (through_field, (X, Lazy(W=B))),
         (through_field, (X, Held(B))),
         (through_transpose, (X, Dense(B, matrix=False))), (through_vars, (X, Held(B))),
         (times_field, (X, Scaling(np.array([1.0, 2.0, 3.0])))), (through_sorted, (X, [B, A])),
         (through_reversed, (X, [A, B])), (copied, (X, {'W': B})), (as_dict, (X, {'W': B})),
         (comprehended, (X, {'W': B})), (sliced, (X, [A, B])), (starred, (X, [A, B])),
         (got, (X, {'a': A, 'b': B}, 'b')), (first_of, (X, [B, A]))]


@pytest.mark.parametrize("f, args", PLAIN, ids=[f"{f.__name__}-{type(a[1]).__name__}" for f, a in PLAIN])
def test_the_same_reads_of_arrays_are_exact(f, args):
    _exact(f, args)


def test_a_property_runs_once_per_call():
    class Counting:
        calls = 0

        @property
        def W(self):
            Counting.calls += 1
            return B
    m = Counting()
    for run in (lambda: s2s.grad(through_field)(X, m), lambda: s2s.jacobian(through_field, mode="forward")(X, m)):
        for _ in range(2):
            Counting.calls = 0
            run()
            assert Counting.calls == 1


# --- cost and reading: a dataset read one item per call, arrays, dicts and lists of arrays ----------------------

class Num(float):
    """A float the check looks at (no NumPy type), with no arithmetic of its own: each one it visits counts."""


def scaled_at(x, ys, i):
    return np.sum(np.sin(ys[i] * x))


def batch_at(w, batches, i):
    X_, y = batches[i]
    return np.sum((np.tanh(X_ @ w) - y) ** 2)


def test_a_dataset_read_at_one_index_costs_one_check_per_call(monkeypatch):
    rs = np.random.RandomState(0)
    batches = [(rs.randn(4, 3), rs.randn(4)) for _ in range(100_000)]
    ys = [Num(0.5 + k * 1e-6) for k in range(100_000)]
    g, gi = s2s.grad(batch_at), s2s.grad(scaled_at)
    g(X, batches, 7)
    gi(X, ys, 3)
    seen = []

    def counted(value, name, depth=0):
        seen.append(value)
        return real(value, name, depth)
    real = foreign.foreign
    monkeypatch.setattr(data_checks, "foreign", counted)
    monkeypatch.setattr(foreign, "foreign", counted)
    listed = []
    items = data_checks._items
    monkeypatch.setattr(data_checks, "_items", lambda v, m: listed.append(v) or items(v, m))
    for _ in range(2):  # (the general call, then the fast one)
        assert_close(g(X, batches, 99_999), numeric_grad(lambda w: batch_at(w, batches, 99_999), (X,), 0))
        assert_close(gi(X, ys, 77_777), numeric_grad(lambda x: scaled_at(x, ys, 77_777), (X,), 0))
        assert len(seen) <= 1 and not listed, (len(seen), len(listed))  # (the one item read, where it is read)
        seen.clear()


def layers(x, Ws, bs):
    h = x
    for W, b in zip(Ws, bs):
        h = np.tanh(W @ h + b)
    return np.sum(h)


def rnn(W, U, xs, h0):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h * h)


def dict_model(x, p):
    return np.sum(np.tanh(p['W'] @ x + p['b']) * p['scale'])


def module_array(x):
    return np.sum(np.sin(A @ x))


def test_plain_code_reads_without_a_check_in_its_generated_code():
    Ws, bs = [A, B], [np.ones(3), np.zeros(3)]
    p = {'W': A, 'b': np.ones(3), 'scale': 2.0}
    for f, args in [(over_indices, (X, [A, B])), (over_keys, (X, {'a': A, 'b': B})), (layers, (X, Ws, bs)),
                    (dict_model, (X, p)), (module_array, (X,))]:
        _exact(f, args)
        for transform in (s2s.grad, s2s.jvp, s2s.hessian):
            assert "require_data" not in transform(f).source, (f.__name__, transform)
    xs = np.random.RandomState(1).randn(4, 3)
    assert_close(s2s.grad(rnn, wrt=0)(A * 0.3, B * 0.3, xs, X),
                 numeric_grad(rnn, (A * 0.3, B * 0.3, xs, X), 0))
    assert "require_data" not in s2s.grad(rnn, wrt=0).source
    with pytest.raises(s2s.S2SError, match="is a matrix"):
        s2s.grad(rnn, wrt=0)(A, B, np.matrix(xs), X)


def test_a_checked_read_reads_as_the_user_wrote_it():
    text = s2s.grad(through_field).source
    assert "rt.require_data(t1, 'matmul', 'm.W', 'm')" in text
    code = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert sum(line.count("m.W") for line in code) == 2  # (read once, where the check is; and the check's text)
