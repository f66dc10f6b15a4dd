"""Recursive functions (round 17, fix17rec; findings of hunt17num).

1. S1/C1: the derivative of a recursive call runs that call's forward sweep again (api/recursion.py): a random draw
   (`rng.random()`, `np.random.rand()`, a module's Generator) or an iterator's next item (`next(it)`) in the
   recursive function took other numbers the second time, so every mode gave another wrong derivative (or a bare
   StopIteration). s2s now refuses such a function at its first derivative, at the line that draws, saying what to
   write: draw the numbers before the recursion and pass them in. The advised program is checked exact.

2. R6: a recursive function met for the first time is descended into once (its recursive calls are calls); met
   again, in a later transformation, it was called at once, and its result taken as possibly a view of its
   arguments: `r = rsum(a, 2); a[0] = ...; r + a[0]` was exact in the first transformation and refused in the next
   (grad, then jvp), `a += 5.0` refused when run. It is now descended into once each time (front/inlining.py), so a
   transformation does not depend on the ones before it. A recursive function returning a view of its argument
   stays refused in every mode. Inside the recursive function, `r = rec(b, k - 1); b += 5.0; r + ...` was refused
   when run as if r held b: the check now looks at what r holds when the operator runs (a number holds nothing;
   a view of b is refused, as before).

3. R5: a function passed down a recursion (adaptive Simpson given its integrand) is refused, now saying so: the
   recursive function's derivative is made once for all calls, and s2s resolves a call of a function value while
   compiling; the advice (call the integrand by its name inside the recursion) is checked exact.
"""
import itertools

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, numeric_grad


def _modes(f):
    return {
        "grad": lambda x: s2s.grad(f)(x),
        "value_and_grad": lambda x: s2s.value_and_grad(f)(x)[1],
        "vjp": lambda x: s2s.vjp(f)(x)[1](1.0),
        "jvp": lambda x: s2s.jvp(f)((x,), (1.0,))[1],
        "jacobian reverse": lambda x: s2s.jacobian(f)(x),
        "jacobian forward": lambda x: s2s.jacobian(f, mode="forward")(x),
        "hessian": lambda x: s2s.hessian(f)(x),
    }


# ------------------------------------------------------------------------------ S1 and C1: draws in a recursion
def leaf_rng(w, rng, depth):
    if depth == 0:
        return np.sin(w * rng.random())  # the line refused
    return leaf_rng(w, rng, depth - 1) + leaf_rng(w * 1.1, rng, depth - 1)


def f_rng(w):
    rng = np.random.default_rng(5)
    return leaf_rng(w, rng, 2)


def leaf_global(w, depth):
    if depth == 0:
        return np.sin(w * np.random.rand())  # the line refused
    return leaf_global(w, depth - 1) + leaf_global(w * 1.1, depth - 1)


def f_global(w):  # (NumPy's global generator, seeded by the caller)
    return leaf_global(w, 2)


RNG = np.random.default_rng(11)


def leaf_module(w, depth):
    if depth == 0:
        return np.sin(w * RNG.normal())  # the line refused
    return leaf_module(w, depth - 1) + leaf_module(w * 1.1, depth - 1)


def f_module(w):
    return leaf_module(w, 2)


def noise(rng):
    return rng.uniform()  # the line refused: a helper s2s descends into


def leaf_helper(w, rng, depth):
    if depth == 0:
        return np.sin(w * noise(rng))
    return leaf_helper(w, rng, depth - 1) + leaf_helper(w * 1.1, rng, depth - 1)


def f_helper(w):
    return leaf_helper(w, np.random.default_rng(2), 2)


def build(w, it, depth):
    c = next(it)  # the line refused
    if depth == 0:
        return c * w
    return c * build(w, it, depth - 1) + build(w * c, it, depth - 1)


def f_exact_items(w):
    return build(w, iter([0.5, 1.5, 2.0, 0.7, 1.1, 0.3, 0.9]), 2)


def f_cycle(w):
    return build(w, itertools.cycle([0.5, 1.5, 2.0, 0.7, 1.1, 0.3, 0.9, 1.3]), 2)


DRAWING = [(f_rng, "rng.random()"), (f_global, "np.random.rand()"), (f_module, "RNG.normal()"),
           (f_helper, "rng.uniform()"), (f_exact_items, "next(it)"), (f_cycle, "next(it)")]


@pytest.mark.parametrize("f, call", DRAWING, ids=[f.__name__ for f, _ in DRAWING])
def test_a_draw_in_a_recursive_function_is_refused_at_its_line(f, call):
    for name, run in _modes(f).items():
        with pytest.raises(s2s.S2SError) as error:
            run(0.7)
        text = str(error.value)
        assert call in text and "the line refused" in text, (name, text)
        assert "test_fix17_rec.py" in text and "pass" in text, (name, text)


# the advice: draw the numbers before the recursion, pass them in with the index of the next one
def leaf_drawn(w, draws, at, depth):
    if depth == 0:
        return np.sin(w * draws[at])
    half = 2 ** (depth - 1)
    return leaf_drawn(w, draws, at, depth - 1) + leaf_drawn(w * 1.1, draws, at + half, depth - 1)


def f_drawn(w):
    rng = np.random.default_rng(5)
    return leaf_drawn(w, rng.random(4), 0, 2)


def f_reference(w):  # the same draws as f_rng
    r = np.random.default_rng(5).random(4)
    return np.sin(w * r[0]) + np.sin(1.1 * w * r[1]) + np.sin(1.1 * w * r[2]) + np.sin(1.21 * w * r[3])


def test_the_advised_draws_before_the_recursion_are_exact():
    w = 0.7
    assert_close(f_drawn(w), f_reference(w), rtol=1e-14)
    assert_close(f_rng(w), f_reference(w), rtol=1e-14)
    r = np.random.default_rng(5).random(4)
    exact = (r[0] * np.cos(w * r[0]) + 1.1 * r[1] * np.cos(1.1 * w * r[1]) + 1.1 * r[2] * np.cos(1.1 * w * r[2])
             + 1.21 * r[3] * np.cos(1.21 * w * r[3]))
    second = -(r[0] ** 2 * np.sin(w * r[0]) + (1.1 * r[1]) ** 2 * np.sin(1.1 * w * r[1])
               + (1.1 * r[2]) ** 2 * np.sin(1.1 * w * r[2]) + (1.21 * r[3]) ** 2 * np.sin(1.21 * w * r[3]))
    assert_close(numeric_grad(f_drawn, (w,), 0), exact, rtol=1e-6)
    for name, run in _modes(f_drawn).items():
        assert_close(run(w), second if name == "hessian" else exact, rtol=1e-9, what=name)


# ------------------------------------------------------------------ R6: a recursive result read after a write
def rsum(a, k):
    if k == 0:
        return a[0] ** 2
    return a[k] ** 2 * 0.5 + rsum(a, k - 1)


def write_after(w):
    a = np.array([w, 2.0 * w, 3.0])
    r = rsum(a, 2)
    a[0] = 10.0 * w
    return r + a[0]


def iadd_after(x):
    a = x * 1.0
    r = rsum(a, 2)
    a += 5.0
    return r + np.sum(a)


def rview(a, k):
    if k == 0:
        return a[0:2]
    return rview(a, k - 1)


def view_after(w):
    a = np.array([w, 2.0 * w, 3.0])
    r = rview(a, 2)
    a[0] = 10.0 * w
    return np.sum(r) + a[0]


def test_a_recursive_result_read_after_a_write_is_exact_in_every_mode_and_order():
    w = 0.7
    assert_close(write_after(w), 0.5 * 9.0 + 0.5 * 4 * w * w + w * w + 10 * w, rtol=1e-14)
    exact = 4 * w + 2 * w + 10.0  # d/dw of 0.5 (2w)^2 + w^2 + 10 w
    assert_close(numeric_grad(write_after, (w,), 0), exact, rtol=1e-6)
    for _ in range(2):  # (the second time, rsum is met before)
        for name, run in _modes(write_after).items():
            assert_close(run(w), 6.0 if name == "hessian" else exact, rtol=1e-9, what=name)
    x = np.array([0.3, 1.2, -0.5])
    expected = np.array([2 * x[0] + 1.0, x[1] + 1.0, x[2] + 1.0])
    assert_close(numeric_grad(iadd_after, (x,), 0), expected, rtol=1e-6)
    for _ in range(2):
        assert_close(s2s.grad(iadd_after)(x), expected, rtol=1e-12)
        assert_close(s2s.vjp(iadd_after)(x)[1](1.0), expected, rtol=1e-12)
        assert_close(s2s.jvp(iadd_after)((x,), (np.eye(3)[1],))[1], expected[1], rtol=1e-12)
        assert_close(s2s.jacobian(iadd_after, mode="forward")(x), expected, rtol=1e-12)
        assert_close(s2s.hessian(iadd_after)(x), np.diag([2.0, 1.0, 1.0]), rtol=1e-12)
        assert_close(s2s.value_and_grad(iadd_after)(x)[0], iadd_after(x), rtol=1e-14)


def test_a_recursive_view_read_after_a_write_is_refused_in_every_mode_and_order():
    for _ in range(2):
        for name, run in _modes(view_after).items():
            with pytest.raises(s2s.S2SError, match="a view of 'a'"):
                run(0.7)


def rec_iadd(a, k):
    if k == 0:
        return a[0] ** 2
    b = a * 1.0
    r = rec_iadd(b, k - 1)
    b += 5.0
    return r + np.sum(b)


def f_rec_iadd(x):
    return rec_iadd(x, 3)


def rec_view_iadd(a, k):
    if k == 0:
        return a[0:2]
    b = a * 1.0
    r = rec_view_iadd(b, k - 1)
    b += 5.0
    return r * np.sum(b)


def f_rec_view_iadd(x):
    return np.sum(rec_view_iadd(x, 2))


def test_an_operator_after_a_recursive_call_inside_the_recursion_checks_what_the_result_holds():
    x = np.array([0.3, 1.2, -0.5])
    expected = np.array([2 * x[0] + 3.0, 3.0, 3.0])  # x0^2 + 3 sum(x) + 45
    assert_close(numeric_grad(f_rec_iadd, (x,), 0), expected, rtol=1e-6)
    assert_close(s2s.grad(f_rec_iadd)(x), expected, rtol=1e-12)
    assert_close(s2s.vjp(f_rec_iadd)(x)[1](1.0), expected, rtol=1e-12)
    assert_close(s2s.jvp(f_rec_iadd)((x,), (np.ones(3),))[1], np.sum(expected), rtol=1e-12)
    assert_close(s2s.jacobian(f_rec_iadd, mode="forward")(x), expected, rtol=1e-12)
    assert_close(s2s.hessian(f_rec_iadd)(x), np.diag([2.0, 0.0, 0.0]), rtol=1e-12, atol=1e-12)
    for run in (s2s.grad(f_rec_view_iadd), lambda v: s2s.jvp(f_rec_view_iadd)((v,), (np.ones(3),))):
        with pytest.raises(s2s.S2SError, match="'r' holds too"):
            run(x)


# --------------------------------------------------------------- R5: a function passed down a recursion
def integrand(t, s):
    return np.exp(-s * t * t)


def simpson(f, a, b, s):
    m = 0.5 * (a + b)
    return (b - a) / 6 * (f(a, s) + 4 * f(m, s) + f(b, s))


def asr_passed(f, a, b, s, whole, depth):
    m = 0.5 * (a + b)
    left, right = simpson(f, a, m, s), simpson(f, m, b, s)
    if depth <= 0 or abs(left + right - whole) < 1e-8:
        return left + right
    return asr_passed(f, a, m, s, left, depth - 1) + asr_passed(f, m, b, s, right, depth - 1)


def adaptive_passed(s):
    return asr_passed(integrand, 0.0, 2.0, s, simpson(integrand, 0.0, 2.0, s), 6)


def asr_named(a, b, s, whole, depth):
    m = 0.5 * (a + b)
    left, right = simpson(integrand, a, m, s), simpson(integrand, m, b, s)
    if depth <= 0 or abs(left + right - whole) < 1e-8:
        return left + right
    return asr_named(a, m, s, left, depth - 1) + asr_named(m, b, s, right, depth - 1)


def adaptive_named(s):
    return asr_named(0.0, 2.0, s, simpson(integrand, 0.0, 2.0, s), 6)


def test_a_function_passed_down_a_recursion_is_refused_with_advice_that_works():
    with pytest.raises(s2s.S2SError) as error:
        s2s.grad(adaptive_passed)(0.7)
    text = str(error.value)
    assert "passed to the recursive function asr_passed" in text and "call integrand by its name inside" in text
    assert adaptive_named(0.7) == adaptive_passed(0.7)
    reference = numeric_grad(adaptive_named, (0.7,), 0)  # (the branches taken stay the same within eps)
    for name, run in _modes(adaptive_named).items():
        if name != "hessian":
            assert_close(run(0.7), reference, rtol=1e-6, what=name)
