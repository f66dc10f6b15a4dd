"""A function that calls a transformed function in its body (`s2s.grad(inner)(x)`, MAML's inner step) is
transformed again when something the inner function reads is rebound: the outer code read the inner gradient's
generated text once, from its namespace, which keeps what it read then, so after `XS = new_batch` the value and
the gradient stayed the first batch's (bug hunt, 2026-12-05: 5.76 for 1.96). References are analytic."""
import numpy as np
import pytest

import s2s

XS = np.array([[1.0, 0.0], [0.0, 1.0]])
XQ = np.array([[1.0, 1.0]])
SCALE = 2.0


def support_loss(w):
    return np.sum((XS @ w) ** 2)


def query_loss(w):
    return np.sum((XQ @ w) ** 2)


def maml_loss(w):
    return query_loss(w - 0.1 * s2s.grad(support_loss)(w))


def maml_expected(w):
    a = np.eye(2) - 0.2 * XS.T @ XS  # w1 = A w; loss = (q . w1)^2
    q = XQ[0]
    return (q @ a @ w) ** 2, 2 * (q @ a @ w) * (a.T @ q)


def inner(x):
    return SCALE * x ** 3


def outer(x):
    return s2s.grad(inner)(x) * x  # 3 SCALE x^3


@pytest.fixture
def restore_globals():
    saved = dict(XS=XS, SCALE=SCALE)
    yield
    globals().update(saved)


def test_the_inner_data_rebound(restore_globals):
    global XS
    vg = s2s.value_and_grad(maml_loss)
    w = np.array([1.0, 2.0])
    for batch in (XS, np.array([[2.0, 0.0], [0.0, 3.0]])):
        XS = batch
        value, grad = vg(w)
        want_value, want_grad = maml_expected(w)
        assert value == pytest.approx(want_value)
        np.testing.assert_allclose(grad, want_grad)


def test_an_inner_constant_rebound(restore_globals):
    global SCALE
    g = s2s.grad(outer)
    assert g(1.0) == pytest.approx(9 * SCALE)
    SCALE = 1.0
    assert g(1.0) == pytest.approx(9.0)
    assert s2s.jvp(outer)((1.0,), (1.0,))[1] == pytest.approx(9.0)


def inner_of_an_array(w):
    return SCALE * np.sum(w ** 2)  # (its gradient's text, `2.0 * (2 * w)`, looks up no name)


def outer_of_an_array(w):
    return np.sum(s2s.grad(inner_of_an_array)(w) * w)  # 2 SCALE sum(w^2)


@pytest.mark.parametrize("mode", ["grad", "jvp", "jacobian_forward", "hessian"])
def test_an_inner_constant_rebound_where_the_inner_text_reads_no_name(restore_globals, mode):
    """Bug hunt round 7: where the inner gradient's generated text looked up no name, nothing recorded that the
    outer code had read it, and after `SCALE = 10.0` every mode returned the old value and derivative."""
    global SCALE
    w, t = np.array([0.5, 1.0]), np.ones(2)
    run = {"grad": lambda: s2s.grad(outer_of_an_array)(w),
           "jvp": lambda: s2s.jvp(outer_of_an_array)((w,), (t,)),
           "jacobian_forward": lambda: s2s.jacobian(outer_of_an_array, mode="forward")(w),
           "hessian": lambda: s2s.hessian(outer_of_an_array)(w)}[mode]
    for scale in (2.0, 10.0):
        SCALE = scale
        want = {"grad": 4 * scale * w, "jvp": (2 * scale * np.sum(w ** 2), 4 * scale * np.sum(w * t)),
                "jacobian_forward": 4 * scale * w, "hessian": 4 * scale * np.eye(2)}[mode]
        got = run()
        for a, b in zip(got if mode == "jvp" else (got,), want if mode == "jvp" else (want,)):
            np.testing.assert_allclose(a, b)
