"""Round 18 (mend18jac): the Jacobian of a Jacobian of every function whose Hessian s2s takes, and how a generated
jvp takes its tangent parameters, said once by the forward stage (ir.Tangents, `__s2s_tangents__`)."""
import numpy as np
import pytest

import s2s
from s2s import ir
from tests.conftest import assert_close


def with_default(x, a=2.0):
    return np.sin(x) * a


def plain(x, a):
    return np.sin(x) * a


def test_the_generated_jvp_carries_how_it_takes_its_tangents(tmp_path, monkeypatch):
    from s2s.api import persistent
    x = np.array([0.3, 0.5])
    monkeypatch.setenv("S2S_CACHE_DIR", str(tmp_path))
    for f, wrt, want in ((with_default, 0, ir.Tangents(("dx",), True)), (plain, 0, ir.Tangents(("dx",), False)),
                         (plain, (0, 1), ir.Tangents(("dx", "da"), False))):
        jf = s2s.jvp(f, wrt=wrt)
        tangents = (np.ones(2),) if wrt == 0 else (np.ones(2), 1.0)
        value, tangent = jf((x, 2.0), tangents)
        assert_close(tangent, np.cos(x) * 2.0 + (np.sin(x) if wrt != 0 else 0.0))
        assert jf._current().__s2s_tangents__ == want
        assert jf.__s2s_tangent_names__() == want.names
        # (an entry of the disk cache, compiled again in another process, says so too)
        found = persistent.load(persistent.key_for(f, "jvp", wrt, {}), f)
        assert found is not None and found[1].__s2s_tangents__ == want


# ----- R1: the Jacobian of a Jacobian where the generated jvp calls a tangent helper with no derivative of its own:
# by rows, the forward-mode Jacobian of the generated pullback (forward over reverse, as a Hessian)
import statistics  # noqa: E402

from scipy.spatial.distance import cdist, pdist  # noqa: E402

A0 = np.array([[3.0, 0.5, 0.1], [0.5, 2.5, 0.3], [0.1, 0.3, 2.0]])
P = np.array([[0.2, -0.4], [1.1, 0.3], [-0.5, 0.8]])


def by_norm(x):
    return np.linalg.norm(x) * x


def by_cdist(x):
    return cdist(np.reshape(x[:2], (1, 2)), P)


def by_pdist(x):
    return pdist(np.stack([x[:2], x[1:], np.array([0.1, 0.9])]))


def by_cumprod(x):
    return np.cumprod(x)


def by_solve(x):
    return np.linalg.solve(A0 + np.diag(x), x)


def by_append(x):
    ys = []
    for v in x:
        ys.append(v * v)
    return np.array(ys) * x[0]


def by_statistics(x):
    xs = [x[0], x[1], x[2]]
    return np.array([statistics.variance(xs), statistics.stdev(xs)]) * x[1]


def by_cov(x):
    return np.cov(x, np.sin(x))


def by_cholesky(x):
    return np.linalg.cholesky(A0 + np.outer(x, x), upper=True)


def by_prod(x):
    return x * np.prod(x, where=np.array([True, False, True]))


def by_qr_r(x):
    return np.linalg.qr(A0 + np.diag(x), mode="r")


def by_qr_complete(x):
    q, r = np.linalg.qr(A0 + np.diag(x), mode="complete")
    return q * np.diag(r)


def by_svd(x):
    u, s, vt = np.linalg.svd(A0 + np.outer(x, x[::-1]))
    return u @ vt


def by_det(x):
    return np.linalg.det(A0 + np.outer(x, x)) * x


def numeric_jacobian(f, x, eps):
    """Central differences of f (a number or an array) in the array x: shape value.shape + x.shape."""
    cols = [(np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * eps)
            for e in np.eye(x.size).reshape((-1,) + x.shape) * eps]
    out = np.stack(cols, -1)
    return out.reshape(out.shape[:-1] + x.shape)


@pytest.mark.parametrize("f", [by_norm, by_cdist, by_pdist, by_cumprod, by_solve, by_append, by_statistics, by_cov,
                               by_cholesky, by_prod, by_qr_r, by_qr_complete, by_svd, by_det])
def test_the_jacobian_of_a_jacobian_through_tangent_helpers_without_derivatives(f):
    if f is by_cholesky:
        pytest.importorskip("numpy", minversion="2.0")  # (cholesky's upper=)
    x = np.array([0.3, 0.7, -0.4])
    by_s2s = numeric_jacobian(s2s.jacobian(f), x, 1e-6)  # (differences of s2s's first derivative)
    by_hand = numeric_jacobian(lambda y: numeric_jacobian(f, y, 1e-5), x, 1e-4)  # (differences of differences)
    for inner in ("reverse", "forward"):
        for outer in ("reverse", "forward"):
            twice = s2s.jacobian(s2s.jacobian(f, mode=inner), mode=outer)(x)
            assert twice.shape == np.shape(f(x)) + (3, 3)
            assert_close(twice, by_s2s, atol=1e-7)
            assert_close(twice, by_hand, rtol=1e-4, atol=1e-5)


def norm_and_cumprod(x, a, c=1.5):
    return np.linalg.norm(x * a) * x * c + np.cumprod(x) * a[0]


def test_the_jacobian_of_a_jacobian_by_rows_in_two_parameters_with_defaults_and_its_source():
    x, a = np.array([0.3, 0.7, -0.4]), np.array([2.0, 1.5, 0.5])
    for c in (1.5, 2.0):
        for first, second in ((0, 1), (1, 0), ("a", "a")):
            position = 1 if second in (1, "a") else 0

            def first_jacobian(v):
                args = [x, a, c]
                args[position] = v
                return s2s.jacobian(norm_and_cumprod, wrt=first)(*args)
            want = numeric_jacobian(first_jacobian, (x, a)[position], 1e-6)
            for inner in ("reverse", "forward"):
                for outer in ("reverse", "forward"):
                    twice = s2s.jacobian(s2s.jacobian(norm_and_cumprod, wrt=first, mode=inner), wrt=second, mode=outer)
                    assert_close(twice(x, a) if c == 1.5 else twice(x, a, c), want, atol=1e-7)
    source = twice.source
    assert "rt.jacobian_rows(" in source and "def pullback_norm_and_cumprod" not in source
    namespace: dict = {}
    exec(source, namespace)  # (the text runs on its own and gives the same tensor)
    assert_close(namespace["jacobian_jacobian_norm_and_cumprod"](x, a, 2.0), twice(x, a, 2.0))
    assert "rt.jacobian_rows(" in s2s.jacobian(s2s.jacobian(by_solve), mode="forward").source  # (before a call)
    assert "rt.jacobian_columns(" in s2s.jacobian(s2s.jacobian(with_default)).source
    narrow = s2s.jacobian(s2s.jacobian(by_norm))(x.astype(np.float32))
    assert narrow.dtype == np.float32
    assert_close(narrow, s2s.jacobian(s2s.jacobian(by_norm))(x), rtol=1e-4, atol=1e-5)
    # (a number: |x| x'' = 2 sign(x))
    assert s2s.jacobian(s2s.jacobian(by_norm))(-0.5) == pytest.approx(-2.0)


def test_the_jacobian_of_a_jacobian_by_rows_pickles_after_use():
    import pickle
    twice = s2s.jacobian(s2s.jacobian(by_cumprod))
    x = np.array([0.3, 0.7, -0.4])
    first = twice(x)
    assert_close(pickle.loads(pickle.dumps(twice))(x), first)


# ----- C6: a defaultdict accumulated in a loop, differentiated twice in forward mode: the tangent of its tangent
from collections import defaultdict  # noqa: E402


def accumulated(x):
    log = defaultdict(float)
    for i in range(3):
        log[i % 2] += x[i] * x[i]
    log[1] *= 2.0
    return np.array([log[0] * log[1] + log[7], log[2] + x[0]])


def accumulated_twice(x):
    log = defaultdict(float)
    for ep in range(2):
        for i in range(3):
            log[i] += x[i] * (ep + 1)
    return log[0] * log[1] + log[2]


def test_the_second_tangent_of_a_defaultdict_keeps_its_default_factory():
    # (rt.zeros_like of a defaultdict's tangent, itself a dict of zeros, dropped the factory: KeyError: 0 in the
    # generated jvp of the jvp, where the Jacobian of the Jacobian's outer mode is forward)
    x = np.array([0.3, 0.7, -0.2])
    a, b, c = x ** 2
    want = np.zeros((2, 3, 3))  # (log[0] = a + c, log[1] = 2 b: the first component is 2 (a + c) b)
    want[0] = 4.0 * np.array([[b, 2 * x[0] * x[1], 0.0], [2 * x[0] * x[1], a + c, 2 * x[1] * x[2]],
                              [0.0, 2 * x[1] * x[2], b]])
    assert_close(want, numeric_jacobian(lambda y: numeric_jacobian(accumulated, y, 1e-5), x, 1e-4), atol=1e-5)
    for inner in ("reverse", "forward"):
        for outer in ("reverse", "forward"):
            assert_close(s2s.jacobian(s2s.jacobian(accumulated, mode=inner), mode=outer)(x), want, atol=1e-9)
    first = lambda y: accumulated(y)[0]  # noqa: E731
    assert_close(s2s.hessian(first)(x), want[0], atol=1e-9)
    assert_close(s2s.jacobian(s2s.grad(first), mode="forward")(x), want[0], atol=1e-9)
    # (two loops, vector mode: rt.batch_zeros of the tangent dropped the factory too; 9 x0 x1 + 3 x2)
    want = np.zeros((3, 3))
    want[0, 1] = want[1, 0] = 9.0
    for inner in ("reverse", "forward"):
        for outer in ("reverse", "forward"):
            assert_close(s2s.jacobian(s2s.jacobian(accumulated_twice, mode=inner), mode=outer)(x), want, atol=1e-9)
    assert_close(s2s.hessian(accumulated_twice)(x), want, atol=1e-9)
    value, tangent = s2s.jvp(accumulated)((x,), (np.ones(3),))
    assert_close(value, accumulated(x))
    assert_close(tangent, numeric_jacobian(accumulated, x, 1e-6) @ np.ones(3), atol=1e-7)


# ----- M1: a Jacobian of a Jacobian of a form it does not take says what form it needs
class Scaled:
    s = 1.5

    def f(self, x):
        return np.sin(x) * self.s * x[0]


def by_scalar(x):
    return np.sum(x ** 3)


def keyword_only(x, *, k=2.0):
    return np.sin(x) * k


def starred(x, *rest):
    return np.sin(x) * len(rest)


def test_the_jacobian_of_a_jacobian_of_a_method_or_keyword_parameters_says_what_form_it_needs():
    m, x = Scaled(), np.array([0.3, 0.7])
    with pytest.raises(s2s.CallError, match=r"bound method.*s2s.jacobian\(s2s.jacobian\(Scaled.f, wrt=1\), wrt=1\)"):
        s2s.jacobian(s2s.jacobian(m.f))
    # (what it says to write: f_i = 1.5 sin(x_i) x_0)
    want = np.zeros((2, 2, 2))
    for i in range(2):
        want[i, i, i] += -1.5 * np.sin(x[i]) * x[0]
        want[i, i, 0] += 1.5 * np.cos(x[i])
        want[i, 0, i] += 1.5 * np.cos(x[i])
    for inner in ("reverse", "forward"):
        for outer in ("reverse", "forward"):
            assert_close(s2s.jacobian(s2s.jacobian(Scaled.f, wrt=1, mode=inner), wrt=1, mode=outer)(m, x), want)
    assert_close(want, numeric_jacobian(lambda y: numeric_jacobian(lambda z: m.f(z), y, 1e-5), x, 1e-4), atol=1e-5)
    for f in (keyword_only, starred):
        with pytest.raises(s2s.CallError, match=r"positional parameters only.*by position"):
            s2s.jacobian(s2s.jacobian(f))
    with pytest.raises(s2s.CallError, match=r"one parameter for each wrt.*wrt='a'\), wrt='b'\)"):
        s2s.jacobian(s2s.jacobian(norm_and_cumprod, wrt=(0, 1)), wrt=0)
    # any other callable (a gradient: third derivatives): the refusal of a Jacobian transformed again, which names
    # the Jacobian of a Jacobian for second derivatives
    with pytest.raises(s2s.S2SError, match=r"s2s.jacobian\(s2s.jacobian\(f\)\) of a plain function"):
        s2s.jacobian(s2s.jacobian(s2s.grad(by_scalar)))(x)
