"""Round 12 NN hunt (hunt12nn) F0 and F3: the gradient of a function that calls s2s.grad of a loss with a loop
(MAML, an unrolled SGD step, the gradient of (grad . v)) was forward mode over the generated code, one sweep per
entry of the gradient (rt.forward_gradient): O(#params) runs of the function (400x-10,000x it), and each sweep drew
new random numbers (a dropout mask, gradient noise), so every entry but the first was the derivative of another
draw, value_and_grad's value was the last sweep's, and the generators were left advanced once per entry. Now such a
gradient is reverse mode over the stacks (one sweep, as s2s.vjp's pullback); where forward mode remains (a gradient
s2s generated, differentiated again: a mixed partial w.r.t. an array), every sweep takes the first one's draws
(api/draws.py, as a forward-mode Jacobian's columns do). Derivatives are checked against central differences with
the draws fixed (the seed set before each evaluation), values against the function, and the generators' state after.
"""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


def dropout_loss(w):
    h = np.array([1.0, -0.5])
    for _ in range(2):  # a loop that keeps values for its gradient, dropout drawn inside
        h = np.tanh(h * w) * (np.random.rand(2) > 0.3)
    return np.sum(h ** 2)


def meta(w):  # one unrolled SGD / MAML step
    return dropout_loss(w - 0.1 * s2s.grad(dropout_loss)(w))


def loss(W, x):
    h = x
    for _ in range(3):
        h = np.tanh(h @ W)
    return np.sum(h ** 2)


def maml(W, x):
    g = s2s.grad(loss)(W, x)
    return loss(W - 0.1 * g, x)


def maml_outer_draw(W, x):  # a draw in the outer function too, next to the inner gradient
    m = np.random.rand(*x.shape) > 0.4
    return loss(W - 0.1 * s2s.grad(loss)(W, x * m), x)


def generator_loss(W, x, r):
    h = x
    for _ in range(2):
        h = np.tanh(h @ W) * (r.random(h.shape) > 0.3)
    return np.sum(h ** 2)


def maml_generator(W, x, r):
    return generator_loss(W - 0.1 * s2s.grad(generator_loss)(W, x, r), x, r)


def noisy_sgd(W, x):  # Langevin / DP-SGD: noise added to the inner gradient
    for _ in range(2):
        W = W - 0.1 * (s2s.grad(loss)(W, x) + 0.01 * np.random.normal(size=W.shape))
    return loss(W, x)


def meta_kwonly(w, *, lr=0.1):
    return dropout_loss(w - lr * s2s.grad(dropout_loss)(w))


def seeded(f, seed):
    def run(*args):
        np.random.seed(seed)
        return f(*args)
    return run


def state_after(seed, f, *args):
    """The next number NumPy's global generator gives after `f(*args)` from `seed`."""
    np.random.seed(seed)
    f(*args)
    return np.random.rand()


W0 = np.random.default_rng(0).normal(size=(3, 3)) / 2
X0 = np.random.default_rng(1).normal(size=(2, 3))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_meta_gradient_with_dropout_in_the_inner_loss(seed):
    w = np.array([0.8, 1.2])
    expected = numeric_grad(seeded(meta, seed), (w,), 0)
    np.random.seed(seed)
    assert_close(s2s.grad(meta)(w), expected, what="grad")
    np.random.seed(seed)
    value, g = s2s.value_and_grad(meta)(w)
    assert value == seeded(meta, seed)(w)
    assert_close(g, expected, what="value_and_grad")
    np.random.seed(seed)
    assert_close(s2s.vjp(meta)(w)[1](1.0), expected, what="vjp")
    np.random.seed(seed)
    assert_close(s2s.grad(meta_kwonly)(w), expected, what="keyword-only (was refused on the forward route)")
    for transform in (s2s.grad, s2s.value_and_grad):
        assert state_after(seed, transform(meta), w) == state_after(seed, meta, w)


@pytest.mark.parametrize("f", [maml_outer_draw, noisy_sgd])
def test_meta_gradients_drawing_in_the_outer_function(f):
    expected = numeric_grad(seeded(f, 7), (W0, X0), 0)
    np.random.seed(7)
    value, g = s2s.value_and_grad(f)(W0, X0)
    assert_close(g, expected, what=f.__name__)
    assert value == seeded(f, 7)(W0, X0)
    assert state_after(7, s2s.grad(f), W0, X0) == state_after(7, f, W0, X0)


def test_meta_gradient_with_a_generator_argument():
    def run(W):
        return maml_generator(W, X0, np.random.default_rng(3))
    expected = numeric_grad(run, (W0,), 0)
    r = np.random.default_rng(3)
    assert_close(s2s.grad(maml_generator)(W0, X0, r), expected, what="grad")
    r2 = np.random.default_rng(3)
    maml_generator(W0, X0, r2)
    assert r.random() == r2.random()  # (left as one call leaves it)


def test_hessian_vector_product_by_grad_of_a_dot():
    v = np.random.default_rng(2).normal(size=W0.shape)

    def hvp_dot(W, x):
        return np.sum(s2s.grad(loss)(W, x) * v)
    expected = numeric_grad(lambda W: np.sum(s2s.grad(loss)(W, X0) * v), (W0,), 0)
    assert_close(s2s.grad(hvp_dot)(W0, X0), expected, what="grad of (grad . v)")
    assert_close(s2s.hessian(maml)(W0, X0).reshape(9, 9) @ v.ravel(),
                 numeric_grad(lambda W: np.sum(s2s.grad(maml)(W, X0) * v), (W0,), 0).ravel(), what="hessian")


def test_meta_gradient_is_one_reverse_sweep():
    """F3: the gradient of maml was rt.forward_gradient, one jvp sweep per entry of W (4,096 for a 64 x 64 W: 0.7 s
    where maml takes 0.07 ms); now the reverse sweep vjp's pullback runs, read as a gradient."""
    text = s2s.grad(maml).source
    assert "forward_gradient" not in text and "def jvp_" not in text
    assert text.splitlines()[0] == "# Generated by s2s: gradient of maml. Do not edit; regenerate from the source."
    W, x = np.random.default_rng(4).normal(size=(16, 16)) / 4, np.random.default_rng(5).normal(size=(2, 16))
    g = s2s.grad(maml)(W, x)
    assert_close(g, s2s.vjp(maml)(W, x)[1](1.0), rtol=1e-12, what="grad vs vjp")
    U = np.random.default_rng(6).normal(size=W.shape)
    assert_close(np.sum(g * U), (maml(W + 1e-6 * U, x) - maml(W - 1e-6 * U, x)) / 2e-6, what="directional")
    with pytest.raises(ValueError, match="vjp"):
        s2s.grad(lambda W, x: s2s.grad(loss)(W, x))(W, x)  # (a result that is not a number: refused as before)


def looped_dropout(a, w):
    h = w
    for _ in range(3):
        h = np.tanh(h * a) * (np.random.rand(*h.shape) > 0.2)
    return np.sum(h ** 2)


def test_forward_sweeps_of_a_mixed_partial_take_one_draw():
    """The gradient s2s made, differentiated again w.r.t. an array (a mixed partial): forward mode over its loops,
    one sweep per entry of w, each drawing what the first drew (it was: only the first entry right)."""
    a, w = 0.9, np.array([0.8, 1.2, -0.4])
    ga = s2s.grad(looped_dropout, wrt=0)
    mixed = s2s.grad(ga, wrt=1)
    assert "rt.forward_gradient" in mixed.source
    expected = numeric_grad(seeded(ga, 5), (a, w), 1)
    assert np.all(expected != 0.0)
    np.random.seed(5)
    assert_close(mixed(a, w), expected, what="mixed partial")
    np.random.seed(5)
    value, g = s2s.value_and_grad(ga, wrt=1)(a, w)
    assert value == seeded(ga, 5)(a, w)
    assert_close(g, expected, what="value_and_grad")
    assert state_after(5, mixed, a, w) == state_after(5, looped_dropout, a, w)


def test_forward_sweeps_refuse_draws_they_cannot_put_back():
    def unseeded(a, w):
        h = w
        r = np.random.default_rng()  # (a generator made inside without a seed: each sweep other numbers)
        for _ in range(3):
            h = np.tanh(h * a) * (r.random(h.shape) > 0.2)
        return np.sum(h ** 2)
    # (16 entries: with 3, all three sweeps drew the same mask about once in a thousand runs, and nothing differed)
    w = np.linspace(-1.5, 1.7, 16)
    with pytest.raises(s2s.S2SError, match="gave different values"):
        s2s.grad(s2s.grad(unseeded, wrt=0), wrt=1)(0.9, w)


def test_second_derivative_through_a_loop_stays_forward():
    """grad of grad of a function with a loop (w.r.t. a number) is still one forward sweep, equal to the Hessian."""
    def f(a, n):
        y = np.zeros(n + 1)
        y[0] = 1.0
        for i in range(1, n + 1):
            y[i] = np.sin(y[i - 1]) * a + y[i - 1]
        return np.sum(y ** 2)
    gg = s2s.grad(s2s.grad(f))
    assert "forward_gradient" in gg.source or "jvp_grad_f(" in gg.source
    assert gg(0.8, 6) == s2s.hessian(f)(0.8, 6)
    assert_close(gg(0.8, 6), numeric_grad(lambda a: s2s.grad(f)(a, 6), (0.8,), 0), what="grad of grad")


def looped_dropout_loss(w):
    s = 0.0
    for i in range(2):
        s = s + np.sin(w[i] * s + w[0]) * (np.random.rand() > 0.2)
    return s


def unrolled_dropout(w):  # the inner gradient inside a loop of the caller's: reverse mode does not follow its stacks
    for k in range(2):
        w = w - 0.1 * s2s.grad(looped_dropout_loss)(w)
    return looped_dropout_loss(w)


@pytest.mark.parametrize("seed", [0, 2, 3])
def test_forward_sweeps_where_reverse_mode_does_not_follow_the_stacks_take_one_draw(seed):
    w = np.array([0.3, 0.8])
    assert "rt.forward_gradient" in s2s.grad(unrolled_dropout).source
    expected = numeric_grad(seeded(unrolled_dropout, seed), (w,), 0)
    np.random.seed(seed)
    value, g = s2s.value_and_grad(unrolled_dropout)(w)
    assert_close(g, expected, what="value_and_grad")
    assert value == seeded(unrolled_dropout, seed)(w)
    assert state_after(seed, s2s.grad(unrolled_dropout), w) == state_after(seed, unrolled_dropout, w)


def unrolled_kwonly(w, *, lr=0.1):
    for k in range(2):
        w = w - lr * s2s.grad(looped_dropout_loss)(w)
    return looped_dropout_loss(w)


def test_forward_sweeps_refused_for_keyword_only_parameters_say_what_works():
    """Where reverse mode does not follow the stacks and the function has keyword-only parameters (which forward
    sweeps over generated code do not take), the refusal is at the user's line and its advice gives the gradient
    (it was 'the gradient of generated code with loop stacks and *args ...', no line)."""
    w = np.array([0.3, 0.8])
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(unrolled_kwonly)(w)
    assert info.value.lineno == unrolled_kwonly.__code__.co_firstlineno + 2
    assert 's2s.jacobian(unrolled_kwonly, mode="forward")' in str(info.value)
    np.random.seed(2)
    got = s2s.jacobian(unrolled_kwonly, mode="forward")(w)
    assert_close(got, numeric_grad(seeded(unrolled_kwonly, 2), (w,), 0), what="the advice")
