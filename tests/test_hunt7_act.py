"""Values that carry no derivative though computed from differentiated ones (hunt round 7): draws of integer
random variables (a particle filter's resampled indices), a dict's keys, np.unique's integer outputs and the integer
leaves of a container differentiated, used as indices. Each against finite differences, in every mode."""
import numpy as np
import pytest

import s2s
from s2s.errors import NonDifferentiableError
from tests.conftest import assert_close, numeric_grad


def every_mode(f, fresh, x, hessian=False):
    """f(x, *fresh()) (a number) through grad, value_and_grad, jvp and both Jacobians (and the Hessian), each call
    with fresh arguments from `fresh()` (a generator seeded again), against central differences."""
    x = np.asarray(x, dtype=float)
    kept = x.copy()

    def plain(v):
        return f(v, *fresh())

    numeric = numeric_grad(plain, (x,), 0)
    value, g = s2s.value_and_grad(f)(x, *fresh())
    assert value == pytest.approx(plain(x), rel=1e-12)
    assert_close(g, numeric, what="grad")
    assert_close(s2s.grad(f)(x, *fresh()), numeric, what="grad")
    v = np.linspace(-1.0, 1.0, x.size).reshape(x.shape) + 0.25
    primal, tangent = s2s.jvp(f)((x,) + tuple(fresh()), (v,))
    assert primal == pytest.approx(plain(x), rel=1e-12)
    assert_close(tangent, np.sum(numeric * v), what="jvp")
    assert_close(s2s.jacobian(f, mode="forward")(x, *fresh()), numeric, what="forward jacobian")
    assert_close(s2s.jacobian(f)(x, *fresh()), numeric, what="reverse jacobian")
    if hessian:
        eps = 1e-4
        expected = np.array([(numeric_grad(plain, (x + eps * e,), 0, 1e-5) - numeric_grad(plain, (x - eps * e,), 0,
                                                                                          1e-5)) / (2 * eps)
                             for e in np.eye(x.size)])
        assert_close(s2s.hessian(f)(x, *fresh()), expected, 1e-4, 1e-5, what="hessian")
    assert np.array_equal(x, kept)
    return g


def seeded():
    return (np.random.default_rng(0),)


X4 = np.array([0.1, -0.4, 0.3, 0.7])


# ---------------------------------------------------------------- 1. draws of integer random variables

def resample(x, rng):  # a particle filter's resampling: the indices drawn carry no derivative
    w = np.exp(x)
    idx = rng.choice(4, size=4, p=w / w.sum())
    return np.sum(x[idx] ** 2 * w[idx])


def resample_one(x, rng):
    w = np.exp(-x ** 2)
    k = rng.choice(len(x), p=w / w.sum())
    return x[k] ** 3 + np.sum(w)


def resample_counts(x, rng):
    w = np.exp(x)
    idx = np.repeat(np.arange(4), rng.multinomial(4, w / w.sum()))
    return np.sum(np.sin(x[idx]))


def binomial_index(x, rng):
    k = rng.binomial(4, 1 / (1 + np.exp(-x[0])))
    x0 = np.cumsum(x)
    return x0[k] * x[1] + x[2] ** 2


def poisson_index(x, rng):
    k = rng.poisson(np.exp(x[0]))
    return np.sum(x[:min(k, 3) + 1] ** 2) + k * x[3]


def integers_drawn(x, rng):
    j = rng.integers(0, 4, size=3)
    g = rng.geometric(1 / (1 + x[0] ** 2))
    h = rng.hypergeometric(5, 4, 3)
    return np.sum(x[j] * x[1]) + g * x[2] + h * x[3] + rng.zipf(2.0 + x[0] ** 2) * 0.0


def permuted_positions(x, rng):
    p = rng.permutation(len(x))
    return np.sum(x[p] * np.arange(4.0)) + x[rng.negative_binomial(3, 0.5) % 4]


def made_inside(x):
    rng = np.random.default_rng(3)
    w = np.exp(x)
    idx = rng.choice(4, size=6, p=w / w.sum())
    return np.sum(np.cos(x[idx]))


def picked_constants(x, rng):  # items of an array without a derivative, picked with probabilities that have one
    w = np.exp(x)
    v = rng.choice(np.array([1.0, 2.0, 3.0, 4.0]), size=3, p=w / w.sum())
    return np.sum(v * x[:3])


@pytest.mark.parametrize("f", [resample, resample_one, resample_counts, binomial_index, poisson_index,
                               integers_drawn, permuted_positions, picked_constants])
def test_integer_draws_carry_no_derivative(f):
    every_mode(f, seeded, X4, hessian=f in (resample, binomial_index))


def test_a_generator_made_inside():
    every_mode(made_inside, tuple, X4, hessian=True)


def global_choice(x):
    w = np.exp(x)
    idx = np.random.choice(4, size=4, p=w / w.sum())
    return np.sum(x[idx] ** 2)


def test_numpys_global_generator():
    def fresh():
        np.random.seed(5)
        return ()
    every_mode(global_choice, fresh, X4)


def test_picking_items_with_a_derivative_stays_refused():
    def pick(x, rng):
        w = np.exp(x)
        return np.sum(rng.choice(x, size=3, p=w / w.sum()) ** 2)

    def permute(x, rng):
        return np.sum(rng.permutation(x) * np.arange(4.0))

    for f in (pick, permute):
        with pytest.raises(NonDifferentiableError) as e:
            s2s.grad(f)(X4, np.random.default_rng(0))
        assert "x[rng." in str(e.value) or "len(x)" in str(e.value)
