"""A test known while compiling (`if hi is None:` and `if soft:` of a helper's defaults, inlined) lowers only the
side Python takes. `x is None` of a constant was not folded, so the generated code held `if 0.25 is None:` (a
SyntaxWarning when compiled, a SyntaxError under -W error) and both sides of every such test, the dead one
differentiated too (bug hunt, 2026-12-05). References are analytic."""
import math
import warnings

import numpy as np
import pytest

import s2s


def clip_helper(v, lo=-1.0, hi=None, *, soft=False):
    if hi is None:
        hi = -lo
    if soft:
        return lo + (hi - lo) / (1.0 + math.exp(-v))
    return min(max(v, lo), hi)


def use_clip(x):
    return clip_helper(x) + clip_helper(x * 3, lo=-2.0) + clip_helper(x, soft=True) + clip_helper(x, -0.5, 0.25)


def expected_grad(x):
    e = math.exp(-x)
    return (abs(x) < 1) + 3 * (abs(3 * x) < 2) + 2 * e / (1 + e) ** 2 + (-0.5 < x < 0.25)


def code_lines(text: str) -> list:
    return [line for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_known_tests_take_one_side():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (`0.25 is None` compiled: SyntaxWarning)
        text = s2s.grad(use_clip).source
    assert not any(line.strip().startswith("if ") for line in code_lines(text))
    for x in (0.3, -0.7, 0.1):
        assert s2s.grad(use_clip)(x) == pytest.approx(expected_grad(x))
        assert s2s.value_and_grad(use_clip)(x)[0] == use_clip(x)


def reduce_helper(x, mode=None):
    if mode is None:
        return np.sum(x)
    return np.fft.fft(x)  # (no rule: refused if it were differentiated)


def uses_the_default(x):
    return reduce_helper(x * 2.0)


def test_a_dead_side_is_not_differentiated():
    np.testing.assert_allclose(s2s.grad(uses_the_default)(np.ones(3)), 2.0 * np.ones(3))


def scale_helper(x, a=None, b=2.0):
    y = x
    if a is not None:
        y = y * a
    if b is None:
        y = y * 10.0
    return y * y


def identity_tests(x):
    return scale_helper(x) + scale_helper(x, a=3.0)


def test_is_and_is_not_of_constants():
    assert s2s.grad(identity_tests)(1.5) == pytest.approx(2 * 1.5 + 18 * 1.5)
    assert not any(line.strip().startswith("if ") for line in code_lines(s2s.grad(identity_tests).source))
