"""Round nine's messages (/tmp/hunt/hunt9prob M1, M2) and a false refusal the lead found.

M2: `s2s.check_grad` of a function drawing random numbers drew anew for each finite difference and for each
mode, and reported every derivative as wrong; now every evaluation starts from the generator states the first
one started from (api/draws.py's `Draws`), and a function whose calls differ all the same (an iterator's next
item, a generator made without a seed) is reported as drawing different values on each call."""
import re

import numpy as np
import pytest

import s2s
from conftest import numeric_grad

# ---------------------------------------------------------------------------------------------------------- M2

MODULE_RNG = np.random.default_rng(3)


def module_noise(n):
    return MODULE_RNG.standard_normal(n)


s2s.nondifferentiable(module_noise)


def passed_in(mu, rng):
    e = rng.standard_normal(2)
    return np.sum(np.tanh(mu * e) ** 2)


def global_state(mu):
    e = np.random.standard_normal(2)
    return np.sum(np.tanh(mu * e) ** 2)


def loop_module(mu):
    tot = 0.0
    for i in range(3):
        e = module_noise(2)
        tot = tot + np.sum(np.tanh(mu * e) ** 2)
    return tot


def in_dict(mu, cfg):
    tot = 0.0
    for i in range(2):
        tot = tot + np.sum(np.sin(mu * cfg["rng"].standard_normal(2)))
    return tot


def _states():
    return (MODULE_RNG.bit_generator.state, np.random.get_state()[1].copy())


@pytest.mark.parametrize("f, extra", [
    (passed_in, lambda: (np.random.default_rng(0),)),
    (global_state, lambda: ()),
    (loop_module, lambda: ()),
    (in_dict, lambda: ({"rng": np.random.default_rng(1)},)),
])
def test_check_grad_of_a_function_with_draws_passes(f, extra):
    mu = np.array([0.3, -0.2])
    np.random.seed(0)
    MODULE_RNG.bit_generator.state = np.random.default_rng(3).bit_generator.state
    args = (mu,) + extra()
    assert s2s.check_grad(f, *args) is None
    # the generators are left as one call of f leaves them
    after = _states()
    np.random.seed(0)
    MODULE_RNG.bit_generator.state = np.random.default_rng(3).bit_generator.state
    args2 = (mu,) + extra()
    f(*args2)
    assert after[0] == _states()[0] and np.array_equal(after[1], _states()[1])
    for a, b in zip(args[1:], args2[1:]):
        g, h = (a, b) if not isinstance(a, dict) else (a["rng"], b["rng"])
        assert g.bit_generator.state == h.bit_generator.state


def cube(x):
    return x * x * x


@s2s.adjoint(cube)
def _cube_adjoint(g, ans, x):
    return (2.0 * g * x * x,)  # wrong: 3 x^2


@s2s.tangent(cube)
def _cube_tangent(tangents, ans, x):
    return 3.0 * tangents[0] * x * x


def uses_cube(x, rng):
    return np.sum(cube(x) * rng.standard_normal(2)) + np.sum(x * np.random.standard_normal(2))


def test_check_grad_still_finds_a_wrong_rule_with_draws():
    x = np.array([1.0, 2.0])
    np.random.seed(4)
    with pytest.raises(AssertionError) as info:
        s2s.check_grad(uses_cube, x, np.random.default_rng(0))
    text = str(info.value)
    assert "reverse mode, d/dx: 2 of 2" in text and "forward mode" not in text  # the tangent rule is right
    assert "drew different values" not in text
    rows = re.findall(r"\((\d),\)\s+(\S+)\s+(\S+)", text)

    def reset(x):
        np.random.seed(4)
        return uses_cube(x, np.random.default_rng(0))
    numeric = numeric_grad(reset, (x,), 0)  # the differences of one draw
    np.random.seed(4)
    e = np.random.default_rng(0).standard_normal(2)
    d = np.random.standard_normal(2)
    assert np.allclose(numeric, 3 * x ** 2 * e + d, rtol=1e-6)
    for i, analytic, num in rows:
        i = int(i)
        assert float(num) == pytest.approx(numeric[i], rel=1e-6)
        assert float(analytic) == pytest.approx(2 * x[i] ** 2 * e[i] + d[i], rel=1e-8)  # the wrong rule's


def next_item(w, batches):
    b = next(batches)
    return np.sum(np.sin(w * b))


def unseeded(w):
    rng = np.random.default_rng()
    return np.sum(np.sin(w * rng.standard_normal(2)))


def test_check_grad_says_the_function_drew_different_values():
    w = np.array([0.3, 0.8])
    with pytest.raises(AssertionError, match="next_item drew different values on each call"):
        s2s.check_grad(next_item, w, iter([np.array([1.0, 2.0]) * k for k in range(1, 50)]))
    with pytest.raises(AssertionError, match="unseeded drew different values on each call") as info:
        s2s.check_grad(unseeded, w)
    assert "pass them in as an argument" in str(info.value)
