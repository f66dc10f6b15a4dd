"""Which values are numbers, backward from a scalar result (hunt round 10, geometry hunt's F3 and F2).

F3: `e = x * np.mean(x); if c: e = np.sum(e); return e` took `e` for a number (the value a join returns where
the branch is not taken), though np.sum reads it where it is taken: the adjoint of `x * np.mean(x)` left out the
sum into np.mean's number, and grad gave [2.667 3. 3.667] for [4.667 4.667 4.667]; with a stiffness k,
grad wrt k was an array. A name is now a number backward from the result only where each read of it that
carries a derivative makes it one (ad/scalars.py `_forced_by_reads`).

F2: a loop's phi entering as a number and given an array just before a break or continue stayed a number (only
its back edge was looked at): the values breaks and continues carry are now operands of the phi in the facts.

Each program is checked in every mode that applies (grad, value_and_grad, vjp, both Jacobians, the Hessian and
the Jacobian of the gradient) against central differences, the values against the function's, the arguments
left as they were, and the gradient with respect to a number a number. check_grad compares grad's output too
(it passed on F3: the reverse Jacobian does not know the result is a number)."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad

X3 = np.array([1.0, 2.0, 4.0])
W = 1.5
EDGES = np.array([[0, 1], [1, 2], [2, 0], [2, 3]])
V0 = np.random.default_rng(5).standard_normal((4, 3))
P0 = np.random.default_rng(23).standard_normal((5, 3))
P0[:, 2] = [0.5, 0.3, -0.2, 0.4, -0.1]
M0 = np.array([[0.5, 0.2, -0.3], [-0.4, 0.7, 0.1], [0.3, -0.6, 0.9]])


# ------------------------------------------------------------------ F3: a reduction on one path of a join

def reduced(x):  # the report's program
    e = x * np.mean(x)
    if x[0] > 0:
        e = np.sum(e)
    return e


def scale_invariant_springs(V, reduce=True):
    l = np.linalg.norm(V[EDGES[:, 0]] - V[EDGES[:, 1]], axis=1)
    L0 = np.mean(l)
    e = (l / L0 - 1.0) ** 2
    if reduce:
        e = np.sum(e)
    return e


def spring_energy(V, k, reduction="sum"):  # the gradient wrt k must be a number
    l = np.linalg.norm(V[EDGES[:, 0]] - V[EDGES[:, 1]], axis=1)
    e = 0.5 * k * (l - 1.0) ** 2
    if reduction == "sum":
        e = np.sum(e)
    return e


def early_returns(x, reduction="sum"):
    e = x * np.mean(x)
    if reduction == "none":
        return e
    if reduction == "mean":
        return np.mean(e)
    return np.sum(e)


def conditional_expression(x):
    e = x * np.mean(x)
    return np.sum(e) if x[0] > 0 else e


def _scaled(x, w):
    if np.ndim(x) == 0:
        y = x * w
    else:
        y = np.sum(x * w)
    return y


def ndim_dispatch(x, w):
    return _scaled(x, w)


def ndim_square(x, w):
    y = x * w
    if np.ndim(y) > 0:
        y = y @ y
    return y


def centred(x, w):
    z = (x - np.mean(x)) * w
    if x[0] > 0:
        z = np.sum(z ** 2)
    return z


def loop_sum(x, w):  # y is a number only from the loop's first iteration on
    y = x * w
    for i in range(2):
        y = np.sum(y)
    return y


def loop_norm(x, w):
    y = x * w
    for i in range(2):
        y = np.linalg.norm(y) * w
    return y


def while_ndim(x, w):
    y = x * w
    while np.ndim(y) > 0:
        y = np.sum(y * y)
    return y


# ------------------------------------------------------------------ F2: an array carried by break or continue

def first_below(P):  # the report's program
    s = np.sum(P ** 2)
    hit = 0.0
    for i in range(len(P)):
        if P[i, 2] < 0:
            hit = P[i]
            break
    return np.sum(hit * s)


def first_below_w(P, w):
    hit = 0.0
    for i in range(len(P)):
        if P[i, 2] < 0:
            hit = P[i]
            break
    return np.sum(hit * w)


def while_break(P, w):
    hit = 0.0
    i = 0
    while i < len(P):
        if P[i, 2] < 0:
            hit = P[i] * 1.0
            break
        i += 1
    return np.sum(hit * w)


def while_true(P, w):
    k = 0
    out = 0.0
    while True:
        if P[k, 2] < 0:
            out = P[k]
            break
        k += 1
    return np.sum(out * w)


def for_else(P, w):
    hit = 0.0
    for i in range(len(P)):
        if P[i, 2] < 0:
            hit = P[i]
            break
    else:
        hit = 1.0
    return np.sum(hit * w)


def continue_carries(P, w):
    s = np.sum(P ** 2)
    acc = 0.0
    for i in range(len(P)):
        if P[i, 2] < 0:
            acc = P[i] * s
            continue
        acc = acc * 1.0
    return np.sum(acc * w)


def inner_break(P, w):
    hit = 0.0
    for i in range(2):
        for j in range(len(P)):
            if P[j, 2] < 0:
                hit = P[j] + i
                break
    return np.sum(hit * w)


def rank_changes(M, w):  # u of rank 1 from np.zeros(3) is a matrix after the break: u[0] a row
    u = np.zeros(3)
    for i in range(3):
        if M[i, 0] < 0:
            u = M * 1.0
            break
    return np.sum(u[0] * w)


def _numeric_hessian(f, args, wrt, eps=1e-4):
    args = list(args)
    x = np.asarray(args[wrt], dtype=float)

    def g(v):
        shifted = list(args)
        shifted[wrt] = v
        return numeric_grad(f, shifted, wrt, 1e-5)
    if x.ndim == 0:
        return (g(float(x) + eps) - g(float(x) - eps)) / (2 * eps)
    out = np.zeros(x.shape + x.shape)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = eps
        out[idx] = (g(x + e) - g(x - e)) / (2 * eps)
    return out


def check(f, args, wrt, hessian=True):
    """f(*args) (a number) differentiated wrt args[wrt] in every mode, against central differences."""
    kept = [np.copy(a) for a in args]
    value = f(*args)
    numeric = numeric_grad(f, args, wrt)
    number = np.ndim(args[wrt]) == 0
    g = s2s.grad(f, wrt=wrt)(*args)
    assert_close(g, numeric, what=f"{f.__name__}: grad")
    assert not number or np.ndim(g) == 0, f"{f.__name__}: the gradient wrt a number is {g!r}"
    v, g = s2s.value_and_grad(f, wrt=wrt)(*args)
    assert v == pytest.approx(value, rel=1e-12, abs=1e-12)
    assert_close(g, numeric, what=f"{f.__name__}: value_and_grad")
    assert not number or np.ndim(g) == 0
    v, pullback = s2s.vjp(f, wrt=wrt)(*args)
    assert v == pytest.approx(value, rel=1e-12, abs=1e-12)
    g = pullback(1.0)
    assert_close(g, numeric, what=f"{f.__name__}: vjp")
    assert not number or np.ndim(g) == 0
    assert_close(s2s.jacobian(f, wrt=wrt)(*args), numeric, what=f"{f.__name__}: reverse jacobian")
    assert_close(s2s.jacobian(f, wrt=wrt, mode="forward")(*args), numeric, what=f"{f.__name__}: forward jacobian")
    if hessian:
        expected = _numeric_hessian(f, args, wrt)
        assert_close(s2s.hessian(f, wrt=wrt)(*args), expected, 1e-4, 1e-5, what=f"{f.__name__}: hessian")
        assert_close(s2s.jacobian(s2s.grad(f, wrt=wrt), wrt=wrt)(*args), expected, 1e-4, 1e-5,
                     what=f"{f.__name__}: jacobian of grad")
    s2s.check_grad(f, *args, wrt=wrt)
    for a, k in zip(args, kept):
        assert np.array_equal(a, k), f"{f.__name__}: an argument changed"


@pytest.mark.parametrize("f", [reduced, early_returns, conditional_expression], ids=lambda f: f.__name__)
def test_a_reduction_on_one_path_of_a_join(f):
    check(f, (X3,), 0)
    assert_close(s2s.grad(f)(X3), np.full(3, 2 * np.mean(X3)), what="analytic: d/dx_j sum(x) mean(x) = 2 mean(x)")


def test_scale_invariant_springs_with_a_reduce_flag():
    check(scale_invariant_springs, (V0,), 0)


@pytest.mark.parametrize("wrt", [0, 1])
def test_spring_energy_with_a_reduction_and_a_stiffness(wrt):
    check(spring_energy, (V0, 2.0), wrt)
    l = np.linalg.norm(V0[EDGES[:, 0]] - V0[EDGES[:, 1]], axis=1)
    if wrt == 1:  # the energy is linear in k
        assert s2s.grad(spring_energy, wrt=1)(V0, 100.0) == pytest.approx(np.sum(0.5 * (l - 1.0) ** 2))


@pytest.mark.parametrize("f", [ndim_dispatch, ndim_square, centred, loop_sum, loop_norm, while_ndim],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("wrt", [0, 1])
def test_a_value_a_number_only_on_some_paths(f, wrt):
    check(f, (X3, W), wrt)


def test_the_gradients_the_report_gave():
    assert s2s.grad(ndim_dispatch, wrt=1)(X3, W) == pytest.approx(7.0)
    assert s2s.grad(ndim_square, wrt=1)(X3, W) == pytest.approx(2 * W * 21.0)
    assert s2s.grad(loop_sum, wrt=1)(X3, W) == pytest.approx(7.0)
    assert_close(s2s.grad(centred)(X3, W), [-6.0, -1.5, 7.5], what="centred")


def test_first_point_below_the_ground():
    check(first_below, (P0,), 0)


@pytest.mark.parametrize("f", [first_below_w, while_break, while_true, for_else, continue_carries, inner_break],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("wrt", [0, 1])
def test_an_array_carried_by_a_break_or_continue(f, wrt):
    check(f, (P0, W), wrt)


def test_the_break_gives_the_row():
    assert s2s.grad(first_below_w, wrt=1)(P0, W) == pytest.approx(np.sum(P0[2]))


@pytest.mark.parametrize("wrt", [0, 1])
def test_a_rank_changed_by_a_break(wrt):
    check(rank_changes, (M0, W), wrt)


def test_the_generated_code_sums_into_the_mean():
    """The adjoint of `x * np.mean(x)` sums what reaches np.mean's number: the array `e` on one path."""
    text = s2s.grad(reduced).source
    assert "bt1 = rt.unbroadcast(be * x, t1)" in text, text


def test_a_number_on_every_path_stays_one():
    """What is a number wherever it reaches the result needs no sum: `acc = acc + x[i] * w` with a number
    result, w's adjoint added as a number in the reversed loop."""
    def f(x, w):
        acc = 0.0
        for i in range(3):
            acc = acc + x[i] * w
        return acc
    check(f, (X3, W), 1)
    assert "        bw = bw + x[i_1]\n" in s2s.grad(f, wrt=1).source


def test_check_grad_compares_the_gradient(monkeypatch):
    """check_grad compares grad's output too (its values and its shape: a number's for a number), where the reverse
    Jacobian, which knows nothing of the result being a number, agrees: a grad giving the unsummed terms (F3's
    wrong gradient wrt the stiffness k, of shape (4,)) is reported as grad's disagreement."""
    from s2s.api import checks
    s2s.check_grad(spring_energy, V0, 2.0, wrt=1)
    right = checks.grad

    def terms(f, wrt=0):
        def g(V, k, reduction="sum"):
            l = np.linalg.norm(V[EDGES[:, 0]] - V[EDGES[:, 1]], axis=1)
            return 0.5 * (l - 1.0) ** 2
        return g if f is spring_energy else right(f, wrt=wrt)
    monkeypatch.setattr(checks, "grad", terms)
    with pytest.raises(AssertionError, match=r"grad mode, d/dk: shape \(4,\), finite differences give \(\)"):
        s2s.check_grad(spring_energy, V0, 2.0, wrt=1)
    monkeypatch.setattr(checks, "grad", lambda f, wrt=0: lambda *args: 2.0 * right(f, wrt=wrt)(*args))
    with pytest.raises(AssertionError, match=r"grad mode, d/dx: 3 of 3 element\(s\) differ"):
        s2s.check_grad(reduced, X3)
