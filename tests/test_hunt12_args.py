"""Arguments outside wrt, as the check of their classes reads them (hunt12reg F0, F0c, F1, F1b, F3, F12, F13).

The check (api/data_checks.py) runs none of the user's code: a property's getter that draws or counts ran twice
per call (the check, then the function), and the function saw the second draw (F0). It reads what a call reads:
an item read at an index the function computes is checked by its container's first and last item, not by each
(a dataset of 100,000 minibatches cost 125 ms per call; F0c). An ndarray subclass with operators of its own
(np.matrix, `S.todense()`) gave wrong gradients silently (F1); objects passed through *args, **kwargs or a mapping
proxy were not checked (F1b); a reverse Jacobian with an AttrDict config crashed (F3); a scipy.sparse matrix's
NumPy-named method crashed in generated code (F13); a config field named T was refused with advice that did not
work (F12).
"""
from __future__ import annotations

import dataclasses
import types
from collections import UserDict

import numpy as np
import pytest
import scipy
import scipy.sparse as sp

import s2s
from s2s.api import data_checks
from s2s.runtime import foreign
from tests.conftest import assert_close, numeric_grad, numeric_hessian

X = np.array([0.4, -0.2, 0.9])


def _every_mode(f, x, *data, hessian=True):
    """f(x, *data) differentiated with respect to x in every mode, against finite differences and f's value."""
    g = lambda v: f(v, *data)  # noqa: E731
    numeric = numeric_grad(g, (x,), 0)
    value, gradient = s2s.value_and_grad(f)(x, *data)
    assert value == pytest.approx(g(x), rel=1e-12, abs=1e-12)
    assert_close(gradient, numeric, what="value_and_grad")
    assert_close(s2s.grad(f)(x, *data), numeric, what="grad")
    assert_close(s2s.vjp(f)(x, *data)[1](1.0), numeric, what="vjp")
    v = np.array([0.7, -0.4, 0.3])
    value, tangent = s2s.jvp(f)((x, *data), (v,))
    assert value == pytest.approx(g(x), rel=1e-12, abs=1e-12)
    assert_close(tangent, numeric @ v, what="jvp")
    assert_close(s2s.jacobian(f, mode="forward")(x, *data), numeric, what="forward jacobian")
    assert_close(s2s.jacobian(f)(x, *data), numeric, what="reverse jacobian")
    if hessian:
        assert_close(s2s.hessian(f)(x, *data), numeric_hessian(g, x), 1e-4, 1e-5, what="hessian")


def _refused_in_every_mode(f, x, data, message, advice):
    runs = [lambda: s2s.grad(f)(x, data), lambda: s2s.value_and_grad(f)(x, data),
            lambda: s2s.vjp(f)(x, data)[1](1.0), lambda: s2s.jvp(f)((x, data), (np.ones(3),)),
            lambda: s2s.jacobian(f, mode="forward")(x, data), lambda: s2s.jacobian(f)(x, data),
            lambda: s2s.hessian(f)(x, data)]
    for run in runs:
        with pytest.raises(s2s.S2SError, match=message) as info:
            run()
        assert advice in str(info.value), str(info.value)
        assert f"{__file__}:" in str(info.value)


# --- F0: a property's getter runs once per call, the function's own read ---------------------------------------

class Noisy:
    """A fresh noise draw on each read (a dropout mask, a noise schedule)."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    @property
    def noise(self):
        return self.rng.normal(size=3)


class Counting:
    """A getter that counts its reads."""

    def __init__(self):
        self.calls = 0

    @property
    def K(self):
        self.calls += 1
        return np.eye(3) * self.calls


def times_noise(x, cfg):
    return np.sum(np.sin(x * cfg.noise))


def through_counted(x, lz):
    return np.sum((lz.K @ x) ** 2)


def test_a_property_getter_runs_once_per_call():
    e = np.random.default_rng(0).normal(size=3)  # (the draw the function makes)
    value, gradient = s2s.value_and_grad(times_noise)(X, Noisy(0))
    assert value == pytest.approx(times_noise(X, Noisy(0)), rel=1e-12)
    assert_close(gradient, e * np.cos(X * e))  # (analytic, with the function's draw)
    cfg = Noisy(0)
    s2s.grad(times_noise)(X, cfg)
    reference = np.random.default_rng(0)
    reference.normal(size=3)
    assert cfg.rng.normal() == reference.normal()  # (the generator advanced by the function's one draw)
    for run in [lambda c: s2s.grad(through_counted)(X, c), lambda c: s2s.vjp(through_counted)(X, c)[1](1.0),
                lambda c: s2s.jacobian(through_counted)(X, c),
                lambda c: s2s.jacobian(through_counted, mode="forward")(X, c)]:
        c = Counting()
        assert_close(run(c), 2.0 * X)  # (K = eye(3) on the one read: 2 x)
        assert c.calls == 1
        assert_close(run(c), 2.0 * 4.0 * X)  # (the second call's read: K = 2 eye(3))
    c = Counting()
    value, tangent = s2s.jvp(through_counted)((X, c), (np.ones(3),))
    assert value == pytest.approx(np.sum(X ** 2)) and tangent == pytest.approx(2.0 * np.sum(X)) and c.calls == 1
    c = Counting()
    assert_close(s2s.hessian(through_counted)(X, c), 2.0 * np.eye(3))
    assert c.calls == 1


# --- F0c: an item read at a computed index is checked by a sample, a loop's items each -------------------------

class Num(float):
    """A float the check looks at (no NumPy type), with no arithmetic of its own: each one it visits counts."""


def item_at(x, ys, i):
    return np.sum(np.sin(ys[i] * x))


def value_at(x, data, k):
    return np.sum(np.sin(data[k] * x))


def batch_at(w, batches, i):
    X, y = batches[i]
    return np.sum((np.tanh(X @ w) - y) ** 2)


def _visits(monkeypatch) -> list:
    seen = []
    real = foreign.foreign

    def counted(value, name, depth=0):
        seen.append(value)
        return real(value, name, depth)
    monkeypatch.setattr(data_checks, "foreign", counted)  # (the call's check)
    monkeypatch.setattr(foreign, "foreign", counted)  # (generated code's, where it reads the item: rt.require_data)
    return seen


def test_an_item_at_a_computed_index_is_checked_by_a_sample_not_by_each(monkeypatch):
    ys = [Num(0.5 + k * 1e-5) for k in range(10000)]
    data = {f"k{k}": Num(1.0 + k * 1e-5) for k in range(10000)}
    s2s.grad(item_at)(X, ys, 3)
    s2s.grad(value_at)(X, data, "k7")
    seen = _visits(monkeypatch)
    for _ in range(2):  # (the general call, then the fast one)
        assert_close(s2s.grad(item_at)(X, ys, 7), numeric_grad(lambda x: item_at(x, ys, 7), (X,), 0))
        assert len(seen) <= 2, len(seen)
        seen.clear()
        assert_close(s2s.grad(value_at)(X, data, "k7"), numeric_grad(lambda x: value_at(x, data, "k7"), (X,), 0))
        assert len(seen) <= 2, len(seen)
        seen.clear()
    rs = np.random.RandomState(0)
    batches = [(rs.randn(8, 3), rs.randn(8)) for _ in range(1000)]
    assert_close(s2s.grad(batch_at)(X, batches, 7), numeric_grad(lambda w: batch_at(w, batches, 7), (X,), 0))
    assert_close(s2s.jacobian(batch_at, mode="forward")(X, batches, 7),
                 numeric_grad(lambda w: batch_at(w, batches, 7), (X,), 0))


class P:
    def __init__(self, a):
        self.a = a

    def __mul__(self, o):
        return self.a * o * 3.0

    __rmul__ = __mul__


def test_a_foreign_item_is_refused_where_it_is_sampled_and_in_a_loop():
    a = np.array([1.0, 2.0, 3.0])
    ys = [a, a * 0.5, P(a)]  # (the last item)
    with pytest.raises(s2s.S2SError, match="is a P, whose class defines __mul__"):
        s2s.grad(item_at)(X, ys, 2)
    with pytest.raises(s2s.S2SError, match="is a P, whose class defines __mul__"):
        s2s.grad(value_at)(X, {"a": P(a), "b": a}, "a")


# --- F1: ndarray subclasses with operators of their own --------------------------------------------------------

class Tripled(np.ndarray):
    """An ndarray whose products are three times NumPy's."""

    def __mul__(self, o):
        return np.asarray(self) * o * 3.0

    __rmul__ = __mul__

    def __matmul__(self, o):
        return np.asarray(self) @ o * 3.0


class Tagged(np.ndarray):
    """An ndarray subclass with NumPy's arithmetic (a unit, a name): read as its array."""


def matrix_product(x, M):
    return np.sum(np.sin(M @ x))


M = np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]])


def row_product(x, M):
    return np.sum(np.sin(M[0] @ x + x * M[1]))


def test_np_matrix_and_ndarray_subclasses_with_their_own_operators_are_refused():
    dense = sp.csr_matrix(M).todense()  # (an np.matrix, as scipy.sparse hands it out)
    assert type(dense) is np.matrix
    _refused_in_every_mode(matrix_product, X, dense, "the argument 'M' is a matrix", "pass np.asarray(M)")
    _refused_in_every_mode(matrix_product, X, M.view(Tripled), "the argument 'M' is a Tripled", "pass np.asarray(M)")
    # (a row of a matrix is a matrix: the gradient was wrong silently)
    _refused_in_every_mode(row_product, X, dense, "M\\[0\\], read from the argument 'M', is a matrix",
                           "pass np.asarray(...) of the matrix where the call passes it")
    _every_mode(matrix_product, X, np.asarray(dense))  # (the advice)
    _every_mode(row_product, X, np.asarray(dense))
    _every_mode(matrix_product, X, M.view(Tagged))


# --- F1b: *args, **kwargs, mappings ----------------------------------------------------------------------------

def through_varargs(x, *ps):
    return np.sum(np.sin(ps[0] * x))


def through_kwargs(x, **kw):
    return np.sum(np.sin(kw["p"] * x))


def through_mapping(x, d):
    return np.sum(np.sin(d["p"] * x))


def test_objects_through_varargs_kwargs_and_mappings_are_checked():
    a = np.array([1.0, 2.0, 3.0])
    for run in [lambda p: s2s.grad(through_varargs)(X, p), lambda p: s2s.grad(through_kwargs)(X, p=p),
                lambda p: s2s.jvp(through_varargs)((X, p), (np.ones(3),)),
                lambda p: s2s.jacobian(through_kwargs, mode="forward")(X, p=p),
                lambda p: s2s.grad(through_mapping)(X, types.MappingProxyType({"p": p})),
                lambda p: s2s.grad(through_mapping)(X, UserDict(p=p)),
                lambda p: s2s.jacobian(through_mapping)(X, types.MappingProxyType({"p": p}))]:
        with pytest.raises(s2s.S2SError, match="read from the argument '(ps|kw|d)', is a P"):
            run(P(a))
    _every_mode(through_varargs, X, a)
    _every_mode(through_mapping, X, types.MappingProxyType({"p": a}))
    numeric = numeric_grad(lambda x: through_kwargs(x, p=a), (X,), 0)
    assert_close(s2s.grad(through_kwargs)(X, p=a), numeric)
    assert_close(s2s.jacobian(through_kwargs, mode="forward")(X, p=a), numeric)


# --- F3: an AttrDict config ------------------------------------------------------------------------------------

class AttrDict(dict):
    def __getattr__(self, k):
        return self[k]


def with_attrdict(x, c):
    return np.sum(np.sin(c.A @ x) * c.s)


def test_an_attrdict_config_in_every_mode():
    _every_mode(with_attrdict, X, AttrDict(A=M, s=1.5))


# --- F13: a scipy.sparse matrix's NumPy-named method -----------------------------------------------------------

S = sp.csr_matrix(np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0], [0.0, 1.0, 1.0]]))


def sparse_diagonal(x, S):
    return np.sum(np.sin(S.diagonal() * x))


def sparse_diagonal_through_class(x, S):
    return np.sum(np.sin(scipy.sparse.csr_matrix.diagonal(S) * x))


def sparse_reads(x, S):
    return np.sum(np.sin(S.T @ x + S.dot(x) * S.sum() + S.shape[0]))


def test_a_sparse_matrix_method_numpy_does_not_read_is_refused_with_working_advice():
    _refused_in_every_mode(sparse_diagonal, X, S, r"S.diagonal\(\) of a scipy.sparse csr_matrix",
                           "scipy.sparse.csr_matrix.diagonal(S, ...)")
    _every_mode(sparse_diagonal_through_class, X, S)
    _every_mode(sparse_reads, X, S)


# --- F12: a field named T ---------------------------------------------------------------------------------------

@dataclasses.dataclass
class Temperature:
    T: float
    size: int


def tempered(x, cfg):
    y = x
    for _ in range(cfg.size):
        y = np.tanh(y * cfg.T)
    return np.sum(y)


def tempered_by_vars(x, cfg):
    y = x
    for _ in range(cfg.size):
        y = np.tanh(y * vars(cfg)["T"])
    return np.sum(y)


def test_a_field_named_t_is_refused_with_advice_that_works():
    with pytest.raises(s2s.S2SError, match="cfg.T of a Temperature, not an array") as info:
        s2s.grad(tempered)(X, Temperature(0.5, 2))
    assert "read it as vars(cfg)['T']" in str(info.value)
    assert "Read another field" not in str(info.value)
    _every_mode(tempered_by_vars, X, Temperature(0.5, 2))
