"""Rule bugs hunt4geom found (wrong derivatives, crashes inside rules, false refusals), each checked against finite
differences or an analytic value in every mode, or refused at the user's line.
"""
import numpy as np
import pytest

import s2s
from conftest import assert_close, check_every_mode, numeric_grad
from s2s.errors import NonDifferentiableError


# ----------------------------------------------------------------- np.clip with crossed bounds (lo > hi)
# NumPy's clip is np.minimum(np.maximum(x, lo), hi): with lo > hi it returns hi, whose derivative is 1 in hi only
# (the masks x < lo and x > hi both held, so the derivative went to lo as well)
def clip_crossed(p):
    return np.sum(np.clip(p[:3], p[3], p[4]) ** 2)


def clip_method_crossed(p):
    return np.sum(p[:3].clip(p[3], p[4]) ** 3)


def clip_keywords_crossed(p):
    return np.sum(np.sin(np.clip(p[:3], min=p[3], max=p[4])))


def clip_one_crossed(p):
    return np.sum(np.clip(p[:3], p[3], 0.1) * p[:3])


CROSSED = np.array([0.2, -1.3, 0.7, 0.5, 0.1])  # lo = 0.5 > hi = 0.1
ORDERED = np.array([0.2, -1.3, 0.7, -0.5, 0.4])  # lo = -0.5 < hi = 0.4: each entry in another region


def test_clip_crossed_bounds_reproducer():
    def f(x, lo, hi):
        return np.clip(x, lo, hi)
    for x, lo, hi in [(0.2, 0.5, 0.1), (-1.3, 0.5, 0.0), (0.3, 0.5, 0.1)]:
        assert_close(s2s.grad(f, wrt=(0, 1, 2))(x, lo, hi), (0.0, 0.0, 1.0), what=f"grad at {(x, lo, hi)}")
        _, t = s2s.jvp(f, wrt=(1, 2))((x, lo, hi), (1.0, 0.0))
        assert_close(t, 0.0, what="jvp wrt lo")


@pytest.mark.parametrize("f", [clip_crossed, clip_method_crossed, clip_keywords_crossed, clip_one_crossed])
@pytest.mark.parametrize("p", [CROSSED, ORDERED], ids=["crossed", "ordered"])
def test_clip_bounds_in_every_mode(f, p):
    check_every_mode(f, p)


def test_clip_crossed_gradient_is_in_hi_only():
    g = s2s.grad(clip_crossed)(CROSSED)
    assert_close(g, [0.0, 0.0, 0.0, 0.0, 2 * 3 * 0.1], what="grad")  # d/dhi sum(hi ** 2 for 3 entries)
