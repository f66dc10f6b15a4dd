"""Round 12 (hunt12gfx, hunt12reg): refusals whose advice changed the program or did not fit, and false refusals
of ordinary code. Every rewrite a message advises is checked against the original program (its value) and finite
differences (its derivatives) in every mode that applies."""
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


def test_copyto_with_where_advises_the_selection():
    with pytest.raises(s2s.S2SError, match=r"with where=mask: dst\[\.\.\.\] = np\.where\(mask, src, dst\)"):
        s2s.grad(composite, wrt=1)(IMG, COL)
    for rewrite in (composite_written, composite_new):
        assert rewrite(IMG, COL) == composite(IMG, COL)
        for wrt in (0, 1):
            _every_mode(rewrite, (IMG, COL), wrt)
