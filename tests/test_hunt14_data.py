"""Round 14 fixes of data outside wrt and of dtypes (hunt14reg S2, S3, S4; hunt14opt dtype, M6).

S2: a parameter left at its default, a list, dict or tuple holding an np.matrix (`def f(x, Ws=WS)`), was refused by
grad and the reverse Jacobian, but the Hessian was silently wrong and jvp / the forward Jacobian crashed inside
np.matrix: the check of the call read the default from the generated forward function, which takes the tangents
after f's parameters and so has no defaults. Now every mode reads f's own defaults and refuses it at the user's line.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest

pytestmark = pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian

with warnings.catch_warnings():
    warnings.simplefilter("ignore", PendingDeprecationWarning)
    MATRIX = np.matrix([[0.5, -1.0, 0.2], [1.1, 0.3, -0.4], [0.0, 0.7, 0.9]])
ARRAY = np.asarray(MATRIX)
X = np.array([0.4, -0.2, 0.9])
WS = [ARRAY, MATRIX]
D = {"W": MATRIX}
PLAIN_WS = [ARRAY, 2.0 * ARRAY]
PLAIN_D = {"W": ARRAY}


# ------------------------------------------------------------------ S2: a default holding an np.matrix
def list_default(x, Ws=WS):
    return np.sum(np.square(x * Ws[1]))


def dict_default(x, d=D):
    return np.sum(np.square(x * d["W"]))


def tuple_default(x, Ws=(ARRAY, MATRIX)):
    return np.sum(np.square(x * Ws[1]))


def loop_over_default(x, Ws=WS):
    s = 0.0
    for W in Ws:
        s = s + np.sum(np.square(x * W))
    return s


def index_loop_over_default(x, Ws=WS):
    s = 0.0
    for i in range(len(Ws)):
        s = s + np.sum(np.sin(x * Ws[i]))
    return s


def every_mode(f, x):
    """Each transformation of f called at x, by name."""
    e = np.eye(x.size)
    return {
        "grad": lambda: s2s.grad(f)(x),
        "value_and_grad": lambda: s2s.value_and_grad(f)(x),
        "vjp": lambda: s2s.vjp(f)(x)[1](1.0),
        "jvp": lambda: s2s.jvp(f)((x,), (e[0],)),
        "jacobian forward": lambda: s2s.jacobian(f, mode="forward")(x),
        "jacobian reverse": lambda: s2s.jacobian(f)(x),
        "hessian": lambda: s2s.hessian(f)(x),
        "jacobian of grad": lambda: s2s.jacobian(s2s.grad(f))(x),
        "forward jacobian of grad": lambda: s2s.jacobian(s2s.grad(f), mode="forward")(x),
    }


@pytest.mark.parametrize("f", [list_default, dict_default, tuple_default, loop_over_default,
                               index_loop_over_default])
def test_a_default_holding_a_matrix_is_refused_in_every_mode(f):
    """The reproducer: hessian [[-1.7 1.76 1.54] ...] against [[2.58 0.34 -1.04] ...]; jvp ValueError, forward
    jacobian TypeError from matrix.sum."""
    for mode, call in every_mode(f, X).items():
        with pytest.raises(s2s.S2SError, match="matrix") as info:
            call()
        assert "np.asarray" in str(info.value), mode
        assert f.__code__.co_filename in str(info.value), mode  # (at the user's line)


def plain_list_default(x, Ws=PLAIN_WS):
    s = 0.0
    for W in Ws:
        s = s + np.sum(np.sin(x * W))
    return s + np.sum(np.square(x * Ws[1]))


def plain_dict_default(x, d=PLAIN_D):
    return np.sum(np.square(x * d["W"])) + np.sum(np.cos(x @ d["W"]))


@pytest.mark.parametrize("f", [plain_list_default, plain_dict_default])
def test_a_default_of_arrays_is_exact_in_every_mode(f):
    check_every_mode(f, X)
    assert_close(s2s.jacobian(s2s.grad(f), mode="forward")(X), numeric_hessian(f, X), 1e-4, 1e-5)


def test_a_default_matrix_passed_as_an_array_by_the_call_is_exact():
    """The call passing the default's place replaces it: the check reads the argument passed."""
    for f in (list_default, loop_over_default):
        g = lambda x: f(x, PLAIN_WS)  # noqa: E731 (the reference)
        assert_close(s2s.grad(f)(X, PLAIN_WS), numeric_grad(g, (X,), 0))
        assert_close(s2s.jvp(f)((X, PLAIN_WS), (np.ones(3),))[1], np.sum(numeric_grad(g, (X,), 0)))
        assert_close(s2s.jacobian(f, mode="forward")(X, PLAIN_WS), numeric_grad(g, (X,), 0))
        assert_close(s2s.hessian(f)(X, PLAIN_WS), numeric_hessian(g, X), 1e-4, 1e-5)


# ------------------------------------------------------------------ S3: svd at a tie in float32, forward mode
C9 = np.arange(9.0).reshape(3, 3)
W0 = np.array([0.3, -0.5, 0.8])


def skew(w):
    return np.array([[0, -w[2], w[1]], [w[2], 0, -w[0]], [-w[1], w[0], 0]])


def polar_float32(w):
    R = (np.eye(3) + 0.1 * skew(w)).astype(np.float32)  # singular values 1.004888, 1.004888, 1
    U, S, Vt = np.linalg.svd(R)
    return np.sum((U @ Vt) * C9)


def polar_float64(w):
    R = np.eye(3) + 0.1 * skew(w)
    U, S, Vt = np.linalg.svd(R)
    return np.sum((U @ Vt) * C9)


def projector_float32(w):
    R = np.eye(3) + 0.1 * skew(w)
    lam, V = np.linalg.eigh((R.T @ R).astype(np.float32))  # two eigenvalues 1 + 0.01 |w|^2 (tied)
    return np.sum((V[:, :1] @ V[:, :1].T) * C9)


def projector_float64(w):
    R = np.eye(3) + 0.1 * skew(w)
    lam, V = np.linalg.eigh(R.T @ R)
    return np.sum((V[:, :1] @ V[:, :1].T) * C9)


def test_svd_at_a_tie_in_float32_is_exact_in_forward_mode():
    """The reproducer: the float32 jvp along e2 was nan (the tie was measured in float64's eps, and float32's
    rounding of the tangent's numerator taken for a split of the tie); the float64 gradient is the reference."""
    assert np.linalg.svd((np.eye(3) + 0.1 * skew(W0)).astype(np.float32))[1][0] == pytest.approx(1.004888, abs=1e-6)
    expected = [0.18408941, -0.30300658, 0.14661884]  # (tests/test_hunt13_ties.py)
    assert_close(s2s.grad(polar_float64)(W0), expected, rtol=1e-6)
    assert_close(s2s.jacobian(polar_float32, mode="forward")(W0), expected, rtol=2e-4, atol=1e-5)
    assert_close(s2s.grad(polar_float32)(W0), expected, rtol=2e-4, atol=1e-5)
    for i, e in enumerate(np.eye(3)):
        value, tangent = s2s.jvp(polar_float32)((W0,), (e,))
        assert value == polar_float32(W0)
        assert_close(tangent, expected[i], rtol=2e-4, atol=1e-5, what=f"jvp e{i}")
        w32, e32 = W0.astype(np.float32), e.astype(np.float32)
        assert_close(s2s.jvp(polar_float32)((w32,), (e32,))[1], expected[i], rtol=2e-4, atol=1e-5)


@pytest.mark.parametrize("f32, f64", [(polar_float32, polar_float64), (projector_float32, projector_float64)])
def test_ties_in_float32_at_random_points(f32, f64):
    """27 of 30 random points had a nan column in the forward Jacobian of the float32 polar factor."""
    rng = np.random.default_rng(14)
    for _ in range(30):
        w = rng.normal(size=3)
        expected = s2s.grad(f64)(w)
        assert_close(expected, numeric_grad(f64, (w,), 0), rtol=1e-5, atol=1e-6)
        assert_close(s2s.jacobian(f32, mode="forward")(w), expected, rtol=1e-3, atol=2e-4, what=f"forward at {w}")
        assert_close(s2s.grad(f32)(w), expected, rtol=1e-3, atol=2e-4, what=f"reverse at {w}")


# ------------------------------------------------------------------ S4: ufunc.outer of a float32 array and a number
W32 = np.array([-0.6423, 0.3105, 1.4607, 0.0472], dtype=np.float32)


def outer_by_a_float(w):
    return np.nanmean(np.multiply.outer(w, 1.5))  # (fuzz seed 2300118)


def outer_of_a_float_and_an_int(w):
    return np.sum(np.add.outer(w, 2.0) * np.subtract.outer(1.5, w)) + np.sum(np.power.outer(w, 2))


def outer_by_an_argument(w, c):
    return np.sum(np.sin(np.multiply.outer(w, c)))


@pytest.mark.parametrize("f", [outer_by_a_float, outer_of_a_float_and_an_int, outer_by_an_argument])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ufunc_outer_has_numpys_value_and_dtype(f, dtype):
    """np.multiply.outer(w32, 1.5) is float64 in NumPy 2 (outer makes an array of 1.5: no weak scalar), float32 in
    NumPy 1.x (a 0-d array's value decides); s2s's was float32 in both (it read 1.5 as the weak scalar of
    np.multiply(w, 1.5))."""
    w = W32.astype(dtype)
    args = (w, 1.5) if f is outer_by_an_argument else (w,)
    expected = f(*args)
    value, gradient = s2s.value_and_grad(f)(*args)
    assert type(value) is type(expected) and value == expected, (value, expected)
    primal, tangent = s2s.jvp(f)(args, (np.ones_like(w),))
    assert type(primal) is type(expected) and primal == expected
    primal, pullback = s2s.vjp(f)(*args)
    assert type(primal) is type(expected) and primal == expected
    reference = numeric_grad(f, (w.astype(float),) + args[1:], 0)  # (in float64: float32's rounding is 1e-7)
    tolerance = dict(rtol=1e-3, atol=1e-3) if dtype is np.float32 else {}
    assert_close(gradient, reference, **tolerance)
    assert gradient.dtype == dtype  # (the argument's precision, docs/limitations.md)
    assert_close(tangent, np.sum(reference), **tolerance)
    assert_close(pullback(1.0), reference, **tolerance)
    assert_close(s2s.jacobian(f, mode="forward")(*args), reference, **tolerance)
    assert_close(s2s.jacobian(f)(*args), reference, **tolerance)


def outer_of_itself(w):
    return np.sum(np.cos(np.subtract.outer(w, w[:2]))) + np.sum(np.multiply.outer(w[1], w) ** 2)


def test_ufunc_outer_of_arrays_with_a_derivative_in_every_mode():
    check_every_mode(outer_of_itself, W32.astype(float), exact=True)
    w = W32.astype(float)
    assert_close(s2s.hessian(outer_by_an_argument)(w, 1.5), numeric_hessian(lambda v: outer_by_an_argument(v, 1.5), w),
                 1e-4, 1e-5)


# ------------------------------------------------------------------ hunt14opt dtype: Jacobians and Hessians of containers
def of_a_dict(p):
    return np.sum(np.tanh(p["w"]) ** 2) + np.tanh(p["b"]) ** 2


def of_a_list(ps):
    return np.sum(np.tanh(ps[0]) ** 2) + np.sum(ps[1] ** 3)


def dict_of_a_dict(p):
    return {"u": np.tanh(p["w"]) * p["b"], "v": np.sin(p["b"])}


def as_float64(tree):
    if isinstance(tree, dict):
        return {k: as_float64(v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(as_float64(v) for v in tree)
    return np.float64(tree) if np.ndim(tree) == 0 else np.asarray(tree, dtype=float)


def blocks(J, outer, inner):
    """The blocks J[a][b] of a Jacobian of a container value (keys or indices `outer`) w.r.t. a container
    argument (`inner`)."""
    return [(a, b, J[a][b]) for a in outer for b in inner]


W3 = np.array([0.2, -0.1, 0.3], dtype=np.float32)


@pytest.mark.parametrize("f, p, keys", [
    (of_a_dict, {"w": W3, "b": np.float32(0.1)}, ("w", "b")),
    (of_a_list, [W3, W3[:2].copy()], (0, 1)),
])
def test_second_derivatives_of_float32_containers_are_float32(f, p, keys):
    """docs/limitations.md: the Hessian of a float32 argument keeps float32. With a dict or list of float32
    leaves every block was float64 (a plain array's was float32)."""
    reference = s2s.hessian(f)(as_float64(p))
    for second in (s2s.hessian(f), s2s.jacobian(s2s.grad(f), mode="forward"), s2s.jacobian(s2s.grad(f))):
        H = second(p)
        for a, b, block in blocks(H, keys, keys):
            assert np.asarray(block).dtype == np.float32, (a, b, type(block), np.asarray(block).dtype)
            assert_close(block, reference[a][b], rtol=1e-5, atol=1e-6)
    # (the float64 reference against finite differences of the gradient)
    flat = lambda v: of_a_dict({"w": v[:3], "b": v[3]}) if f is of_a_dict else of_a_list([v[:3], v[3:]])  # noqa
    v = np.concatenate([np.ravel(x) for x in (p.values() if isinstance(p, dict) else p)]).astype(float)
    numeric = numeric_hessian(flat, v)
    a, b = keys
    assert_close(reference[a][a], numeric[:3, :3], 1e-4, 1e-5)
    assert_close(reference[a][b], numeric[:3, 3:].reshape(np.shape(reference[a][b])), 1e-4, 1e-5)
    assert_close(reference[b][b], numeric[3:, 3:].reshape(np.shape(reference[b][b])), 1e-4, 1e-5)


def test_jacobian_of_a_container_value_wrt_a_float32_container_is_float32():
    p = {"w": W3, "b": np.float32(0.1)}
    reference = s2s.jacobian(dict_of_a_dict)(as_float64(p))
    for mode in ("forward", "reverse"):
        J = s2s.jacobian(dict_of_a_dict, mode=mode)(p)
        for a, b, block in blocks(J, ("u", "v"), ("w", "b")):
            assert np.asarray(block).dtype == np.float32, (mode, a, b)
            assert_close(block, reference[a][b], rtol=1e-5, atol=1e-6)
    numeric = numeric_grad(lambda w: dict_of_a_dict({"w": w, "b": 0.1})["u"][1], ({"w": W3.astype(float)}["w"],), 0)
    assert_close(reference["u"]["w"][1], numeric)


def test_a_float64_leaf_beside_a_float32_one_keeps_its_blocks():
    """Each block d value_a / d x_b in x_b's precision (the Jacobian's rule); a Hessian's block d grad_a / d x_b in
    the precision of the gradient it differentiates, x_a's."""
    p = {"w": W3, "b": 0.1}
    J = s2s.jacobian(dict_of_a_dict, mode="forward")(p)
    assert J["u"]["w"].dtype == np.float32 and J["v"]["w"].dtype == np.float32
    assert np.asarray(J["u"]["b"]).dtype == np.float64
    H = s2s.hessian(of_a_dict)(p)
    assert H["w"]["w"].dtype == np.float32 and H["w"]["b"].dtype == np.float32
    assert np.asarray(H["b"]["b"]).dtype == np.float64


# ------------------------------------------------------------------ hunt14opt M6: a derivative for an argument left at its default
XT = np.random.default_rng(37).normal(size=(5, 3))
YT = np.arange(5.0) / 5
PARAMS = {"a": np.array([0.5, -0.2]), "b": 0.3}


def train(w, lr=0.1, steps=3, mom=0.5, s=np.float32(2.0), p=PARAMS):
    v = np.zeros_like(w)
    for t in range(steps):
        g = 2 * XT.T @ (np.tanh(XT @ w) - YT) / 5
        v = mom * v + g
        w = w - lr * v
    return np.sum((np.tanh(XT @ w) - YT) ** 2) * s + np.sum(p["a"] ** 2) * p["b"]


def test_the_derivative_for_a_parameter_left_at_its_default_has_the_arguments_type():
    """grad(train, wrt="lr")(w) was an np.float64 where passing lr gave a Python float (the API: a Python float for
    a float); a float32 default's derivative was float64 where passing it gave float32."""
    w = np.array([0.2, -0.1, 0.4])
    e = 1e-6
    fd_lr = (train(w, lr=0.1 + e) - train(w, lr=0.1 - e)) / (2 * e)
    fd_mom = (train(w, mom=0.5 + e) - train(w, mom=0.5 - e)) / (2 * e)
    for got in (s2s.grad(train, wrt="lr")(w), s2s.value_and_grad(train, wrt="lr")(w)[1],
                s2s.vjp(train, wrt="lr")(w)[1](1.0), s2s.grad(train, wrt=(0, "lr"))(w)[1],
                s2s.grad(train, wrt="lr")(w, 0.1)):
        assert type(got) is float, type(got)
        assert_close(got, fd_lr, rtol=1e-5)
    both = s2s.grad(train, wrt=("lr", "mom"))(w, mom=0.5)
    assert [type(g) for g in both] == [float, float]
    assert_close(np.array(both), [fd_lr, fd_mom], rtol=1e-5)
    fd_s = (train(w, s=2.0 + e) - train(w, s=2.0 - e)) / (2 * e)
    for got in (s2s.grad(train, wrt="s")(w), s2s.jacobian(train, wrt="s")(w),
                s2s.jacobian(train, wrt="s", mode="forward")(w)):
        assert np.asarray(got).dtype == np.float32, type(got)
        assert_close(got, fd_s, rtol=1e-5)
    gp = s2s.grad(train, wrt="p")(w)
    assert type(gp) is dict and type(gp["b"]) is float and gp["a"].shape == (2,)
    assert_close(gp["a"], 2 * PARAMS["a"] * PARAMS["b"])
    assert_close(gp["b"], np.sum(PARAMS["a"] ** 2))


R100 = np.random.default_rng(100)
A100, B100, D100 = R100.normal(size=(3, 100, 100))


def polar_100(w, dtype):
    U, S, Vt = np.linalg.svd((A100 + w[0] * B100).astype(dtype))  # (two values 2.6e-4 of the largest apart)
    return np.sum((U @ Vt) * D100) + np.sum(S[:3] * w[1])


def test_a_float32_matrix_of_distinct_values_is_no_tie():
    """Ties in float32 are measured in float32's units, but not 64 k of them: those would take the distinct
    singular values of most 100 x 100 float32 matrices (thousandths apart) for ties, and forward mode would give
    nan."""
    w = np.array([0.1, 0.7])
    expected = s2s.jacobian(polar_100, mode="forward")(w, np.float64)
    assert_close(expected, numeric_grad(lambda v: polar_100(v, np.float64), (w,), 0), 1e-4, 1e-5)
    for gradient in (s2s.jacobian(polar_100, mode="forward")(w, np.float32), s2s.grad(polar_100)(w, np.float32)):
        assert np.all(np.isfinite(gradient))
        assert_close(gradient, expected, rtol=2e-2, atol=2e-2)
