"""Regressions from the fifth bug hunt in probabilistic and Bayesian model code (hunt5prob)."""
import numpy as np
import pytest
from scipy import stats

import s2s
from tests.conftest import assert_close, numeric_grad

X4 = np.array([0.9, 1.7, 1.3, 2.2])
W4 = np.array([1.0, 2.0, 3.0, 4.0])


# ---------------------------------------------------------------- forward mode: a tangent narrower than its result
# A partial that does not read the wide operand (stats.uniform.logpdf in scale: -1 / scale; stats.expon.logpdf in
# loc: 1 / scale; np.where with a scalar condition) gave the tangent the scalar's shape: np.sum counted n equal
# terms once, indexing and products of it failed inside generated code.

def _uniform_sum(s):
    return np.sum(stats.uniform.logpdf(X4, 0.0, s))  # -4 log(s) for s >= 2.2


def _uniform_first(s):
    return stats.uniform.logpdf(X4, 0.0, s)[0]


def _uniform_dot(s):
    return np.ones(4) @ stats.uniform(0.0, s).logpdf(X4)


def _uniform_loop(s):
    t = 0.0
    for e in stats.uniform.logpdf(X4.reshape(2, 2), 0.0, s).ravel():
        t = t + e
    return t


def _uniform_average(s):
    return np.average(stats.uniform.logpdf(X4, 0.0, s), weights=W4)


def _uniform_einsum(s):
    return np.einsum("i->", stats.uniform.logpdf(X4, 0.0, s))


def _uniform_builtin_sum(s):
    return sum(stats.uniform.logpdf(X4, 0.0, s))


def _uniform_cumsum(s):
    return np.cumsum(stats.uniform.logpdf(X4, 0.0, s))[-1]


def _expon_loc(s):
    return np.sum(stats.expon.logpdf(X4, s, 2.0))  # -sum(x - loc) / 2 - 4 log 2: slope 4 / 2


def _expon_scalar_x(t):
    return np.sum(stats.expon.logpdf(t, np.array([0.0, 0.5, 1.0]), 2.0))  # slope -3 / 2


def _where_scalar_test(s):
    c = s > 0
    return np.sum(np.where(c, s, X4))  # 4 s for s > 0


@pytest.mark.parametrize("f, x, slope", [
    (_uniform_sum, 3.0, -4 / 3), (_uniform_first, 3.0, -1 / 3), (_uniform_dot, 3.0, -4 / 3),
    (_uniform_loop, 3.0, -4 / 3), (_uniform_average, 3.0, -1 / 3), (_uniform_einsum, 3.0, -4 / 3),
    (_uniform_builtin_sum, 3.0, -4 / 3), (_uniform_cumsum, 3.0, -4 / 3), (_expon_loc, 0.1, 2.0),
    (_expon_scalar_x, 1.5, -1.5), (_where_scalar_test, 0.5, 4.0)])
def test_a_partial_not_reading_the_wide_operand_is_widened_in_forward_mode(f, x, slope):
    assert_close(numeric_grad(f, (x,), 0), slope, what="finite differences")  # (the analytic slope)
    assert_close(s2s.grad(f)(x), slope, what="grad")
    assert_close(s2s.jvp(f)((x,), (1.0,))[1], slope, what="jvp")
    assert_close(s2s.jacobian(f, mode="forward")(x), slope, what="forward jacobian")


def _uniform_vector(p, x):
    return np.cumsum(stats.uniform.logpdf(x, 0.0, p[0])) * p[1]


def _uniform_vector_loss(p, x):
    return np.sum(_uniform_vector(p, x) ** 2)


def test_vector_mode_widens_a_narrow_tangent_where_ranks_are_known():
    # jacobian(mode="forward") knows the ranks (x: 1, p[0]: 0) and aligned dp[0] as dp[:, 0][:, None] alone:
    # one column of the Jacobian (and the Hessian, forward over reverse) was the same in every row
    p, x = np.array([2.5, 0.3]), X4
    # analytic: row i is ((i + 1) * -p1 / p0, -(i + 1) log p0)
    i = np.arange(1, 5)
    expected = np.stack([-i * p[1] / p[0], -i * np.log(p[0])], axis=1)
    assert_close(s2s.jacobian(_uniform_vector, mode="forward")(p, x), expected, what="forward jacobian")
    grad = s2s.grad(_uniform_vector_loss)
    numeric = np.array([(grad(p + e, x) - grad(p - e, x)) / 2e-6 for e in np.eye(2) * 1e-6])
    assert_close(s2s.hessian(_uniform_vector_loss)(p, x), numeric, 1e-4, 1e-5, what="hessian")
    assert_close(s2s.jacobian(grad, mode="forward")(p, x), numeric, 1e-4, 1e-5, what="forward jacobian of grad")


def test_a_tangent_that_reads_the_wide_operand_is_not_widened_again():
    # the generated code stays as a person writes it: no rt.broadcast_tangent where the partial has the shape
    def f(x, s):
        return np.sum(stats.norm.logpdf(x, 0.0, s))
    source = s2s.jvp(f, wrt=1).source
    assert "broadcast_tangent" not in source
    assert "broadcast_tangent" in s2s.jvp(_uniform_sum).source
