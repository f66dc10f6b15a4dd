"""Programs against central finite differences; NumPy 2 dispatchers; check_grad's report."""
import numpy as np
import pytest

import s2s
from programs import classic as p
from conftest import assert_close, numeric_grad

R = np.random.default_rng(3)
X = R.normal(size=(6, 5))
Y = np.eye(3)[R.integers(0, 3, size=6)]

CASES = [
    (p.softmax_cross_entropy, (R.normal(size=(6, 3)), Y), 0),
    (p.logsumexp, (R.normal(size=7) * 3.0,), 0),
    (p.two_layer_mlp, (R.normal(size=(5, 4)) * 0.5, R.normal(size=4) * 0.1, R.normal(size=(4, 3)) * 0.5,
                       R.normal(size=3) * 0.1, X, Y), (0, 1, 2, 3)),
    (p.gaussian_log_density, (R.normal(size=3), R.normal(size=(3, 3)), R.normal(size=3)), (0, 1, 2)),
    (p.filled_by_loop, (R.normal(size=5), 0.8), (0, 1)),
]


@pytest.mark.parametrize("fn,args,wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_program_gradient(fn, args, wrt):
    got = s2s.grad(fn, wrt=wrt)(*args)
    wrts = wrt if isinstance(wrt, tuple) else (wrt,)
    got = got if isinstance(wrt, tuple) else (got,)
    for w, g in zip(wrts, got):
        assert_close(g, numeric_grad(fn, args, w), rtol=1e-5, atol=1e-6, what=f"{fn.__name__} d/d{w}")


def test_softmax_cross_entropy_gradient_is_the_textbook_one():
    logits, labels = CASES[0][1]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    assert_close(s2s.grad(p.softmax_cross_entropy)(logits, labels), (probs - labels) / logits.shape[0])


def test_numpy2_dispatchers_are_recognised():
    # In NumPy 2 np.sum, np.mean, ... are dispatcher objects, not plain functions: the rule must still apply
    assert not isinstance(np.sum, type(lambda: 0))
    assert s2s.grad(p.logsumexp).source.count("np.exp") >= 1
    from s2s.rules import registry
    for fn in (np.sum, np.mean, np.dot, np.transpose, np.linalg.solve, np.where, np.clip):
        assert registry.key_of(fn) is not None, fn


def wrong_rule_function(x):
    return np.sum(scaled_sin(x))


def scaled_sin(v):
    return np.sin(v)


def test_check_grad_reports_each_element():
    x = np.array([0.1, 0.7, -0.4])
    s2s.check_grad(p.logsumexp, x)  # a correct derivative passes
    try:
        @s2s.adjoint(scaled_sin)
        def _(g, ans, v):
            return (g * np.cos(v) * np.array([1.0, 2.0, 1.0]),)  # wrong in element 1

        @s2s.tangent(scaled_sin)
        def _(tangents, ans, v):
            return tangents[0] * np.cos(v) * np.array([1.0, 2.0, 1.0])

        with pytest.raises(AssertionError) as info:
            s2s.check_grad(wrong_rule_function, x)
        report = str(info.value)
        assert "(1,)" in report and "(0,)" not in report and "(2,)" not in report
        assert "analytic" in report and "numeric" in report
        assert f"{2.0 * np.cos(0.7):.6g}"[:6] in report
    finally:
        from s2s.rules import registry
        from s2s.rules.custom import key_for
        key = key_for(scaled_sin)
        registry.REVERSE.pop(key, None)
        registry.TANGENT.pop(key, None)
        s2s.api.cache.clear()
