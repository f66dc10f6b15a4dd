"""Regressions from the twelfth bug hunt (hunt12ctl F0): an element written twice in one iteration of a `range`
loop ("default, then overwrite if ...") got the adjoint of the write that was overwritten too, since the reversed
loop dropped the zeroing `by[i] = 0.0` between the two writes' adjoints (f9a1142 dropped every zeroing of an
array made in the function, read only at `by[i]`). Now a zeroing goes only where no read of that element follows
it in the reversed iteration, and only in a range whose numbers are all of one sign (`range(-3, 3)` writes y[1]
twice, at i = -2 and i = 1). Checked against central differences in every mode; the last group are the distinct
failures a generator of element-write loops (writes, overwrites, conditional overwrites, reads, 1-D and 2-D)
found before the fix, reduced."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, every_mode, module_from_text, numeric_grad


# ---------------------------------------------------------------- an element written twice in one iteration

def written_twice(x):
    y = np.zeros(3)
    for i in range(3):
        y[i] = 2.0 * x[i] ** 2
        y[i] = 3.0 * x[i] ** 2  # only this write reaches the result
    return np.sum(y)


def clamped(x):
    y = np.zeros(len(x))
    for i in range(len(x)):
        y[i] = x[i]
        if y[i] > 1.0:
            y[i] = 1.0
    return np.sum(y ** 2)


def contact(z):
    F = np.zeros(len(z))
    for i in range(len(z)):
        F[i] = 0.1 * z[i]
        if z[i] < 0.0:
            F[i] = -100.0 * z[i]
    return np.sum(F * z)


def zeroed_if_negative(x):
    y = np.zeros_like(x)
    for i in range(len(x)):
        y[i] = x[i] ** 2
        if x[i] < 0:
            y[i] = 0.0
    return np.sum(y)


def reversed_range(x):
    y = np.empty(3)
    for i in range(2, -1, -1):
        y[i] = x[i]
        y[i] = 2 * x[i] * x[i]
    return np.sum(y * np.array([1.0, 2.0, 3.0]))


@pytest.mark.parametrize("f", [written_twice, clamped, contact, zeroed_if_negative, reversed_range])
def test_an_overwritten_element_gets_no_adjoint(f):
    every_mode(f, np.array([0.5, -0.3, 1.4]))


def test_written_twice_gradient_and_hessian_are_the_last_writes():
    x = np.array([0.5, -0.3, 1.4])
    assert_close(s2s.grad(written_twice)(x), 6.0 * x, what="grad")  # was 10 x
    assert_close(s2s.hessian(written_twice)(x), 6.0 * np.eye(3), what="hessian")  # was 10 on the diagonal
    assert_close(s2s.grad(clamped)(x), [1.0, -0.6, 0.0], what="grad")  # was [1, -0.6, 2]


def closed_loop(K, x0, umax=1.0):
    A = np.array([[1.0, 0.1], [0.0, 1.0]])
    B = np.array([[0.0, 0.005], [0.1, 0.1]])
    x = x0
    J = 0.0
    for t in range(20):
        u = np.zeros(2)
        for j in range(2):
            u[j] = -K[j] @ x
            if u[j] > umax:
                u[j] = umax
            elif u[j] < -umax:
                u[j] = -umax
        x = A @ x + B @ u
        J += x @ x + 0.01 * u @ u
    return J


def test_gain_tuning_with_per_actuator_saturation():
    K = np.array([[2.0, 1.0], [0.5, 0.8]])
    x0 = np.array([1.5, -0.4])
    for wrt in (0, 1):
        want = numeric_grad(closed_loop, (K, x0), wrt)
        assert_close(s2s.grad(closed_loop, wrt=wrt)(K, x0), want, what=f"grad wrt {wrt}")
        assert_close(s2s.vjp(closed_loop, wrt=wrt)(K, x0)[1](1.0), want, what=f"vjp wrt {wrt}")
        tangent = np.ones_like((K, x0)[wrt])
        assert_close(s2s.jvp(closed_loop, wrt=wrt)((K, x0), (tangent,))[1], np.sum(want), what=f"jvp wrt {wrt}")


def row_overwritten(x):
    X = np.zeros((3, 2))
    for t in range(3):
        X[t] = x * (t + 1.0)
        if x[0] * (t + 1.0) > 0.45:
            X[t] = 0.45 * x / x[0]
    return np.sum(X * X)


def test_an_overwritten_row():
    every_mode(row_overwritten, np.array([0.2, 0.7]))


# ---------------------------------------------------------------- indices of both signs

def both_signs(x):
    y = np.zeros(3)
    for i in range(-3, 3):  # y[0], y[1], y[2] are each written twice: at i - 3 and at i
        y[i] = x[i] * (i + 4.0)
    return np.sum(y * y)


def test_a_range_of_both_signs_writes_an_element_twice():
    x = np.array([0.5, -0.3, 1.4])
    every_mode(both_signs, x)
    assert_close(s2s.grad(both_signs)(x), 2 * x * np.array([4.0, 5.0, 6.0]) ** 2, what="grad")


# ---------------------------------------------------------------- the zeroings nothing observes still go

def written_once(x):
    y = np.zeros(len(x))
    for i in range(len(x) - 1, -1, -1):
        y[i] = np.sin(x[i])
    return np.sum(y * y)


def two_columns(x):
    y = np.zeros((3, 2))
    for i in range(3):
        y[i, 0] = x[i]
        y[i, 0] = 5.0 * x[i] ** 2
        y[i, 1] = x[i]
    return np.sum(y * y)


def test_an_element_written_once_keeps_no_copy_and_no_zeroing():
    x = np.array([0.5, -0.3, 1.4])
    every_mode(written_once, x)
    text = s2s.grad(written_once).source
    assert "np.copy" not in text and "= 0.0" not in text, text


def test_only_the_zeroing_a_read_follows_stays():
    x = np.array([0.5, -0.3, 1.4])
    every_mode(two_columns, x)
    text = s2s.grad(two_columns).source
    assert text.count("= 0.0") == 1, text  # y[i, 0] between its two writes; not y[i, 1], nor the last one


# ---------------------------------------------------------------- found by the generator of element-write loops (reduced)

def conditional_then_overwritten(x):
    y = np.full(3, 0.5)
    for i in range(3):
        if x[i] > 0.1:
            y[i] = np.tanh(x[i]) * 3.0
        y[i] = x[i] * x[0]
    return np.sum(np.sin(y))


def two_if_elses(x):
    y = np.zeros(len(x))
    for i in range(2, -1, -1):
        if x[i] < -0.2:
            y[i] = 1.5
        else:
            y[i] = x[i]
        if x[i] > 0.1:
            y[i] = 0.7 * x[i] + x[1]
        else:
            y[i] = x[i] ** 2
    return np.sum(np.sin(y))


def clamped_twice_then_constant(x):
    y = np.zeros(3)
    for i in range(3):
        y[i] = 2.0 * x[i]
        if y[i] > 0.8:
            y[i] = 0.8
        y[i] = 1.5 * x[0]
    return np.sum(np.sin(y))


def made_in_an_outer_loop(x):
    s = 0.0
    for t in range(2):
        y = np.zeros(3)
        for i in range(len(x) - 1, -1, -1):
            y[i] = 0.7 * x[i] + x[1]
            y[i] = x[i] * (t + 1.0)
        s = s + np.sum(y * y)
    return s


def rows_both_signs(x):
    y = np.zeros((3, 2))
    for i in range(2, -4, -1):  # rows 2, 1, 0, then -1, -2, -3: the same rows again
        y[i] = np.sin(x[i]) * (i + 5.0)
    return np.sum(y * y)


def conditional_both_signs(x):
    y = np.full(3, 0.5)
    for i in range(-3, 3):
        if x[i] > 0.1:
            y[i] = x[i] * (i + 4.0)
    return np.sum(np.sin(y))


@pytest.mark.parametrize("f", [conditional_then_overwritten, two_if_elses, clamped_twice_then_constant,
                               made_in_an_outer_loop, rows_both_signs, conditional_both_signs])
def test_generated_element_write_loops(f):
    every_mode(f, np.array([0.5, -0.3, 1.4]))


# ---------------------------------------------------------------- a few generated element-write loops

_WRITES = ["x[i]", "2.0 * x[i]", "x[i] ** 2", "np.sin(x[i])", "x[i] * x[0]", "1.5"]
_RANGES = ["range(3)", "range(len(x) - 1, -1, -1)", "range(1, 3)", "range(-3, 0)", "range(-3, 3)", "range(2, -4, -1)"]


def _element_loop(seed: int) -> str:
    """A loop writing, overwriting (under an `if` or not), and reading elements y[i] (or y[i, 0], y[i, 1], the row
    y[i] of a 3 x 2 array) in a random order; the first value of y is made in the function or comes from x."""
    r = np.random.default_rng(seed)
    two = r.random() < 0.4
    init = r.choice(["np.zeros((3, 2))", "np.zeros((3, 2))", "np.outer(x, np.ones(2))"] if two else
                    ["np.zeros(3)", "np.zeros(3)", "x.copy()"])
    elements = ["y[i, 0]", "y[i, 1]", "y[i]"] if two else ["y[i]"]
    body = []
    for _ in range(r.integers(2, 5)):
        el, e = r.choice(elements), r.choice(_WRITES)
        body += {0: [f"{el} = {e}"], 1: [f"if x[i] > 0.1:", f"    {el} = {e}"],
                 2: [f"s = s + np.sum({el}) * {e}"], 3: [f"{el} = {el} * 1.3 + {e}"]}[r.choice(4, p=[.35, .35, .15, .15])]
    lines = ["import numpy as np", "", "", "def f(x):", "    s = 0.0", f"    y = {init}",
             f"    for i in {r.choice(_RANGES)}:"] + ["        " + b for b in body] + ["    return s + np.sum(y * y)"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(24))
def test_a_generated_element_write_loop(tmp_path, seed):
    f = module_from_text(tmp_path, f"hunt12_element_loop_{seed}", _element_loop(seed)).f
    x = np.array([0.5, -0.3, 1.4])
    want = numeric_grad(f, (x,), 0)
    assert_close(s2s.grad(f)(x), want, what="grad")
    assert_close(s2s.jacobian(f, mode="forward")(x), want, what="forward jacobian")
