"""Round 12 (hunt12gfx, hunt12reg): refusals whose advice changed the program or did not fit, and false refusals
of ordinary code. Every rewrite a message advises is checked against the original program (its value) and finite
differences (its derivatives) in every mode that applies."""
import dataclasses

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad

IMG = np.random.default_rng(0).uniform(size=(2, 3, 3))
COL = np.array([0.1, 0.2, 0.3])


def _every_mode(f, args, wrt):
    """f(*args) (a number) through value_and_grad, vjp, jvp, both Jacobians and the Hessian, against f's value
    and finite differences; the caller's arrays left as they were."""
    kept = [np.copy(a) for a in args]
    numeric = numeric_grad(f, args, wrt)
    value, gradient = s2s.value_and_grad(f, wrt=wrt)(*args)
    assert value == pytest.approx(f(*args), rel=1e-12)
    assert_close(gradient, numeric, what="grad")
    value, pullback = s2s.vjp(f, wrt=wrt)(*args)
    assert value == pytest.approx(f(*args), rel=1e-12)
    assert_close(pullback(0.7), 0.7 * numeric, what="vjp")
    t = np.linspace(-1.0, 1.0, np.size(args[wrt])).reshape(np.shape(args[wrt])) + 0.25
    primal, tangent = s2s.jvp(f, wrt=wrt)(tuple(args), (t,))
    assert primal == pytest.approx(f(*args), rel=1e-12)
    assert_close(tangent, np.sum(numeric * t), what="jvp")
    for mode in ("forward", "reverse"):
        assert_close(s2s.jacobian(f, wrt=wrt, mode=mode)(*args), numeric, what=mode)
    x = np.asarray(args[wrt], dtype=float)
    expected = np.zeros(x.shape + x.shape)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = 1e-5
        at = [list(args), list(args)]
        at[0][wrt], at[1][wrt] = x + e, x - e
        expected[(...,) + idx] = (s2s.grad(f, wrt=wrt)(*at[0]) - s2s.grad(f, wrt=wrt)(*at[1])) / 2e-5
    assert_close(s2s.hessian(f, wrt=wrt)(*args), expected, 1e-4, 1e-5, what="hessian")
    for a, k in zip(args, kept):
        assert np.array_equal(a, k)


# ---- hunt12gfx F6: np.copyto(dst, src, where=mask) was advised dst[...] = src, which paints every element ----

def composite(img, col):
    out = img.copy()
    mask = img[..., 0] > 0.5
    np.copyto(out, col, where=mask[..., None])
    return np.sum(out ** 2)


def composite_written(img, col):  # the first rewrite advised
    out = img.copy()
    mask = img[..., 0] > 0.5
    out[...] = np.where(mask[..., None], col, out)
    return np.sum(out ** 2)


def composite_new(img, col):  # the second
    out = img.copy()
    mask = img[..., 0] > 0.5
    out = np.where(mask[..., None], col, out)
    return np.sum(out ** 2)


def test_copyto_with_where_is_the_selection():
    # (refused with this advice until round 20; the call is the element write out[...] = np.where(mask, col, out)
    # now: hunt20sim)
    for rewrite in (composite, composite_written, composite_new):
        assert rewrite(IMG, COL) == composite(IMG, COL)
        for wrt in (0, 1):
            _every_mode(rewrite, (IMG, COL), wrt)


# ---- hunt12gfx F1: the int half of a nearest-hit (t, k) tuple was taken as having a derivative ----

TS = np.array([3.0, 1.0, 2.0])
WS = np.array([10.0, 20.0, 30.0])


def nearest_generator(ts, w):
    t, i = min((ts[k], k) for k in range(3))
    return t * w[i]


def nearest_enumerate(ts, w):
    i, t = min(enumerate(ts), key=lambda p: p[1])
    return t * w[i]


def nearest_loop(ts, w):
    best = (np.inf, -1)
    for k in range(3):
        if ts[k] < best[0]:
            best = (ts[k], k)
            if ts[k] < 0.5:
                break
    return best[0] * w[best[1]]


def nearest_list(ts, w):
    hits = [(ts[0], 0), (ts[1], 1), (ts[2], 2)]
    best = min(hits, key=lambda h: h[0])
    return best[0] * w[best[1]]


def nearest_appended(ts, w):
    hits = []
    for k in range(3):
        hits.append((ts[k] ** 2, k, w[k]))
    t, i, s = max(hits)
    return t * w[i] * s + ts[i]


def nearest_running_max(ts, w):
    best = (-np.inf, -1)
    for k in range(3):
        best = max(best, (ts[k] * w[k], k), key=lambda h: h[0])
    t, i = best
    return t * w[i]


def nearest_running_min(ts, w):
    best = (np.inf, -1)
    for k in range(3):
        best = min(best, (ts[k], k))
    return best[0] * w[best[1]]


def running_pair(ts, w):  # min of two tuples (its forward mode crashed: a tuple tangent times a share)
    best = (np.inf, -1.0)
    for k in range(3):
        best = min(best, (ts[k] * w[k], w[k]))
    return best[0] * best[1]


def smallest_pair(ts, w):  # both items carry a derivative: kept
    t, s = min((ts[k], w[k]) for k in range(3))
    return t * s


@pytest.mark.parametrize("f", [nearest_generator, nearest_enumerate, nearest_loop, nearest_list, nearest_appended,
                               nearest_running_max, nearest_running_min, running_pair, smallest_pair])
@pytest.mark.parametrize("wrt", [0, 1])
def test_an_int_item_of_a_picked_tuple_has_no_derivative(f, wrt):
    _every_mode(f, (TS, WS), wrt)


# ---- hunt12gfx F5: a starred argument of an array method, x.reshape(*x.shape[:-1], -1), was "Starred" ----

X3 = np.random.default_rng(0).normal(size=(2, 3, 2))


def encoded(x):
    return np.sum(np.sin(x).reshape(*x.shape[:-1], 2, -1)[..., 0, 0] ** 2 * np.arange(1.0, 4.0))


def reversed_axes(x):
    return np.sum(np.cos(x).transpose(*range(x.ndim)[::-1])[0] ** 3)


def known_shape(x):
    s = (3, 2, 2)
    return np.sum(x.reshape(*s)[1] ** 2)


def summed_axes(x):
    return np.sum(x.sum(*x.shape[:1]) ** 2)


@pytest.mark.parametrize("f", [encoded, reversed_axes, known_shape])
def test_starred_shape_of_an_array_method(f):
    _every_mode(f, (X3,), 0)


def test_starred_argument_of_another_array_method_is_refused_by_name():
    with pytest.raises(s2s.S2SError, match=r"\*x\.shape\[:1\], whose number of values is known only at run time"):
        s2s.grad(summed_axes)(X3)


# ---- hunt12gfx F2: np.cov with constant weights (aweights=, fweights=) was refused, advising y='s rewrite ----

PTS = np.random.default_rng(1).normal(size=(8, 3))
AW = np.random.default_rng(2).uniform(0.2, 1.0, 8)


def cov_aweights(P, w):
    return np.sum(np.cov(P.T, aweights=w) ** 2)


def cov_both(P, w):
    return np.sum(np.sin(np.cov(P, rowvar=False, fweights=np.arange(1, 9), aweights=w, ddof=2)))


def cov_frequencies(P, w):
    return np.sum(np.cov(P.T, fweights=np.arange(1, 9), bias=True) * w[:3])


def cov_written(P, w):  # the rewrite advised for a derivative in the weights
    c = w @ P / w.sum()
    Q = P - c
    C = (Q * w[:, None]).T @ Q / (w.sum() - (w ** 2).sum() / w.sum())
    return np.sum(C ** 2)


@pytest.mark.parametrize("f", [cov_aweights, cov_both, cov_frequencies])
def test_cov_with_constant_weights(f):
    _every_mode(f, (PTS, AW), 0)


def test_cov_in_its_weights_is_refused_with_a_rewrite_that_works():
    with pytest.raises(s2s.S2SError, match=r"(?s)np\.cov is differentiated in m .*w\.sum\(\) - \(w \*\* 2\)\.sum\(\)"):
        s2s.grad(cov_aweights, wrt=1)(PTS, AW)
    with pytest.raises(s2s.S2SError, match=r"np\.cov is differentiated in m"):
        s2s.jvp(cov_aweights, wrt=1)((PTS, AW), (AW,))
    assert cov_written(PTS, AW) == pytest.approx(cov_aweights(PTS, AW), rel=1e-12)
    for wrt in (0, 1):
        _every_mode(cov_written, (PTS, AW), wrt)


# ---- hunt12reg F4: an object of a plain class made from a differentiated value was "no Python source" ----

class Arm:
    def __init__(self, L):
        self.L = L

    def fk(self, q):
        return self.L[0] * np.cos(q[0]) + self.L[1] * np.cos(q[0] + q[1])


@dataclasses.dataclass
class DataArm:  # the advice
    L: np.ndarray

    def fk(self, q):
        return self.L[0] * np.cos(q[0]) + self.L[1] * np.cos(q[0] + q[1])


def reach(L, q):
    return Arm(L).fk(q) ** 2


def reach_dataclass(L, q):
    return DataArm(L).fk(q) ** 2


LQ = (np.array([1.0, 0.7]), np.array([0.3, 0.5]))


def test_plain_class_from_a_differentiated_value_advises_a_dataclass():
    for transform in (s2s.grad, s2s.jvp):
        with pytest.raises(s2s.S2SError, match=r"(?s)the class Arm from a value with a derivative, and the attributes "
                                               r"of an object of a plain class carry none.*Make Arm a dataclass"):
            f = transform(reach, wrt=0)
            f(*LQ) if transform is s2s.grad else f(LQ, (LQ[0],))
    assert reach_dataclass(*LQ) == reach(*LQ)
    for wrt in (0, 1):
        _every_mode(reach_dataclass, LQ, wrt)


# ---- hunt12reg F5: a tuple of functions indexed by a range loop's counter: advise the for-each loop ----

def gelu(x):
    return 0.5 * x * (1 + np.tanh(0.79788456 * (x + 0.044715 * x ** 3)))


ACTS = (gelu, np.tanh, np.sin)


def by_counter(x):
    acts = (gelu, np.tanh, np.sin)
    h = x
    for i in range(3):
        h = acts[i](h)
    return np.sum(h)


def by_module_counter(x):
    h = x
    for i in range(len(ACTS)):
        h = ACTS[i](h) * (i + 1)
    return np.sum(h)


def each(x):  # the advice
    acts = (gelu, np.tanh, np.sin)
    h = x
    for fn in acts:
        h = fn(h)
    return np.sum(h)


def each_enumerated(x):
    h = x
    for i, fn in enumerate(ACTS):
        h = fn(h) * (i + 1)
    return np.sum(h)


@pytest.mark.parametrize("f, rewrite", [(by_counter, each), (by_module_counter, each_enumerated)])
def test_functions_by_a_counter_advise_the_loop_over_them(f, rewrite):
    x = np.array([0.3, -0.4, 0.8])
    with pytest.raises(s2s.S2SError, match=r"loop over the functions themselves.*for fn in (acts|ACTS)"):
        s2s.grad(f)(x)
    assert rewrite(x) == f(x)
    _every_mode(rewrite, (x,), 0)


# ---- hunt12reg F14: an np.int64 in a differentiated dict was advised float(...), which breaks a reshape ----

def reshaped(p, x):
    return np.sum(np.sin(x.reshape(p["n"], -1) * p["s"]))


def test_numpy_int_in_a_differentiated_dict_advises_int():
    x = np.array([0.3, -0.4, 0.8, 0.1])
    with pytest.raises(s2s.S2SError, match=r"pass int\(p\['n'\]\) for a count or a size"):
        s2s.grad(reshaped)({"n": np.int64(2), "s": 1.3}, x)
    p = {"n": 2, "s": 1.3}
    value, g = s2s.value_and_grad(reshaped)(p, x)
    assert value == reshaped(p, x) and g["n"] == 0.0
    step = {"n": 2, "s": 1.3 + 1e-6}, {"n": 2, "s": 1.3 - 1e-6}
    assert_close(g["s"], (reshaped(step[0], x) - reshaped(step[1], x)) / 2e-6)
    assert_close(s2s.jacobian(reshaped, mode="forward")(p, x)["s"], g["s"])
