"""Round nine's probabilistic-programming hunt (/tmp/hunt/hunt9prob S1-S3): calls with effects (random draws, an
iterator's next item) taken as pure. Two calls of a function declared s2s.nondifferentiable or given a rule were
merged into one (S1); a draw whose result was unused was dropped as dead code, so every later draw differed (S2);
a Hessian (one call per column) or a pullback running the function again drew anew from a generator reached
through `self`, a module's dict or object, a helper module's list or a nondifferentiable helper (S3). Each mode
is checked against the function itself run from the same generator states and against central differences with
the generators reset before each evaluation."""
import sys

import numpy as np
import pytest

import s2s
from conftest import assert_close, module_from_text, numeric_grad, numeric_hessian

CALLS = [0]


def noise(n):
    CALLS[0] += 1
    return np.random.standard_normal(n)


s2s.nondifferentiable(noise)

BATCHES = iter(())


def next_batch():
    return next(BATCHES)


s2s.nondifferentiable(next_batch)


def reset_batches():
    global BATCHES
    BATCHES = iter([np.array([1.0, 2.0]), np.array([5.0, 7.0]), np.array([1.0, 1.0]), np.array([3.0, 3.0])])


def noisy_sample(mu, sigma):
    return mu + sigma * np.random.standard_normal(np.shape(mu))


@s2s.adjoint(noisy_sample)
def _(g, ans, mu, sigma):
    return g, np.sum(g * (ans - mu) / sigma)


@s2s.tangent(noisy_sample)
def _(tangents, ans, mu, sigma):
    dmu, dsigma = tangents
    out = 0.0 if dmu is None else dmu
    return out if dsigma is None else out + dsigma * (ans - mu) / sigma


def seeded(f, reset):
    def run(*args):
        reset()
        return f(*args)
    return run


def global_seed():
    np.random.seed(0)


def check_modes(f, args, reset, hessian=True):
    """f's value and derivatives with respect to args[0] in every mode, each call after `reset()`, against f
    itself and central differences of f with `reset()` before each evaluation; the arguments unchanged."""
    kept = [np.copy(a) if isinstance(a, np.ndarray) else a for a in args]
    g = seeded(f, reset)
    value = g(*args)
    expected = numeric_grad(g, args, 0)
    reset()
    v, grad = s2s.value_and_grad(f)(*args)
    assert v == pytest.approx(value, rel=1e-12), f"{f.__name__}: value_and_grad's value"
    assert_close(grad, expected, what=f"{f.__name__}: value_and_grad")
    reset()
    assert_close(s2s.grad(f)(*args), expected, what=f"{f.__name__}: grad")
    reset()
    v, pullback = s2s.vjp(f)(*args)
    assert v == pytest.approx(value, rel=1e-12), f"{f.__name__}: vjp's value"
    assert_close(pullback(1.0), expected, what=f"{f.__name__}: vjp")
    t = np.linspace(-1.0, 1.0, np.size(args[0])).reshape(np.shape(args[0])) + 0.3
    reset()
    v, tangent = s2s.jvp(f)(args, (t,))
    assert v == pytest.approx(value, rel=1e-12), f"{f.__name__}: jvp's value"
    assert_close(tangent, np.sum(expected * t), what=f"{f.__name__}: jvp")
    for mode in ("reverse", "forward"):
        reset()
        assert_close(s2s.jacobian(f, mode=mode)(*args), expected, what=f"{f.__name__}: {mode} jacobian")
    if hessian:
        h = numeric_hessian(lambda x: g(x, *args[1:]), args[0])
        reset()
        assert_close(s2s.hessian(f)(*args), h, 1e-4, 1e-5, what=f"{f.__name__}: hessian")
        for mode in ("reverse", "forward"):
            reset()
            assert_close(s2s.jacobian(s2s.grad(f), mode=mode)(*args), h, 1e-4, 1e-5,
                         what=f"{f.__name__}: {mode} jacobian of grad")
    for a, b in zip(args, kept):
        if isinstance(b, np.ndarray):
            assert np.array_equal(a, b), f"{f.__name__}: an argument changed"


MU = np.array([0.3, -0.4, 0.2])


# ---------------------------------------------------------------------------------------------------------------
# S1: two calls with the same arguments of a function declared nondifferentiable or with a rule are two calls

def two_noises(mu):
    return np.sum(mu * noise(3)) - np.sum(mu * noise(3)) ** 2


def two_samples(mu):
    z1 = noisy_sample(mu, 0.5)
    z2 = noisy_sample(mu, 0.5)
    return np.sum(np.tanh(z1) * z2)


def two_batches(w):
    b1 = next_batch()
    b2 = next_batch()
    return np.sum(w[:2] * b1) + np.sum(w[:2] * b2) ** 2 + w[2] ** 2


@pytest.mark.parametrize("f", [two_noises, two_samples])
def test_two_draws_of_a_nondifferentiable_or_ruled_function_are_two_draws(f):
    global_seed()
    first = f(MU)
    assert first != pytest.approx(0.0)
    check_modes(f, (MU,), global_seed)


def test_two_batches_of_a_nondifferentiable_provider_are_two_batches():
    reset_batches()
    assert two_batches(MU) == pytest.approx(0.3 * 1 - 0.4 * 2 + (0.3 * 5 - 0.4 * 7) ** 2 + 0.04)
    check_modes(two_batches, (MU,), reset_batches, hessian=False)  # (refused: one call per column, below)


def test_the_generated_code_calls_the_helper_twice():
    text = s2s.grad(two_noises).source
    assert text.count("custom.test_hunt9_draws_noise(3)") == 2, text


# ---------------------------------------------------------------------------------------------------------------
# S2: a draw whose result is unused is made all the same

def unused_draw_of_own_generator(mu):
    rng = np.random.default_rng(0)
    u = rng.uniform()
    e = rng.standard_normal(3)
    return np.sum((mu + e) ** 2)


def unused_draw_of_global_state(mu):
    skip = np.random.randn(3)
    e = np.random.randn(3)
    return np.sum(np.sin(mu * e))


def unused_draw_of_generator_argument(mu, rng):
    a = rng.standard_normal(3)
    b = rng.standard_normal(3)
    return np.sum(np.tanh(mu * b))


def unused_draws_in_a_loop(mu, rng):
    x = mu
    tot = 0.0
    for i in range(3):
        u = rng.uniform()
        e = rng.standard_normal(3)
        if u < 0.5:
            skip = noise(2)
            x = np.tanh(x * e + 0.1)
        else:
            x = np.sin(x) * e
        tot = tot + np.sum(x ** 2)
    return tot


def skipped_batch(w):
    _ = next_batch()
    b = next_batch()
    return np.sum(w[:2] * b) ** 2 + w[2]


def bare_draws(mu, rng):
    rng.uniform()
    np.random.standard_normal()
    noise(1)
    x = mu
    k = 0
    while k < 3:
        rng.standard_normal(2)
        x = np.tanh(x * rng.standard_normal(3) + 0.2)
        k = k + 1
    return np.sum(x ** 3)


def _generator_argument(f):
    rng = np.random.default_rng(5)
    state = rng.bit_generator.state

    def reset():
        rng.bit_generator.state = state
        global_seed()
    g = lambda mu: f(mu, rng)  # noqa: E731
    return g, rng, reset


@pytest.mark.parametrize("f", [unused_draw_of_own_generator, unused_draw_of_global_state])
def test_an_unused_draw_is_made(f):
    global_seed()
    value = f(MU)
    global_seed()
    assert s2s.value_and_grad(f)(MU)[0] == pytest.approx(value, rel=1e-12)
    check_modes(f, (MU,), global_seed)


@pytest.mark.parametrize("f", [unused_draw_of_generator_argument, unused_draws_in_a_loop, bare_draws])
def test_an_unused_draw_of_a_generator_argument_is_made(f):
    _, rng, reset = _generator_argument(f)
    check_modes(f, (MU, rng), reset)


def test_the_forward_sweep_draws_as_often_as_the_function():
    _, rng, reset = _generator_argument(unused_draws_in_a_loop)
    reset()
    CALLS[0] = 0
    unused_draws_in_a_loop(MU, rng)
    calls = CALLS[0]
    assert calls > 0
    for transform in (s2s.grad, s2s.value_and_grad):
        reset()
        CALLS[0] = 0
        transform(unused_draws_in_a_loop)(MU, rng)
        assert CALLS[0] == calls, transform.__name__
    reset()
    CALLS[0] = 0
    s2s.jvp(unused_draws_in_a_loop)((MU, rng), (np.ones(3),))
    assert CALLS[0] == calls


def test_a_skipped_batch_is_skipped():
    reset_batches()
    assert skipped_batch(MU) == pytest.approx((0.3 * 5 - 0.4 * 7) ** 2 + 0.2)
    check_modes(skipped_batch, (MU,), reset_batches, hessian=False)


def skipped_item(w, it):
    _ = next(it)
    b = next(it)
    return w * b


def test_a_skipped_item_of_an_iterator_is_skipped():
    assert s2s.value_and_grad(skipped_item)(0.5, iter([1.0, 1.9])) == pytest.approx((0.95, 1.9))
    assert s2s.jvp(skipped_item)((0.5, iter([1.0, 1.9])), (1.0,)) == pytest.approx((0.95, 1.9))


def bare_sort(x):
    np.sort(x)
    return np.sum(x ** 2)


def test_a_bare_call_of_a_pure_function_is_still_refused():
    with pytest.raises(s2s.UnsupportedSyntaxError, match="a call whose result is discarded"):
        s2s.grad(bare_sort)(MU)


# ---------------------------------------------------------------------------------------------------------------
# S3: generators reached through `self`, a module's dict or object, a helper module, a nondifferentiable helper

class VI:
    def __init__(self, y, seed):
        self.y = y
        self.rng = np.random.default_rng(seed)

    def neg_elbo(self, mu):
        tot = 0.0
        for s in range(3):
            z = mu + 0.5 * self.rng.standard_normal(3)
            tot = tot + np.sum((self.y - np.tanh(z)) ** 2)
        return tot / 3

    def path_loss(self, mu):
        x = np.zeros(4)
        x[0] = mu[0]
        for t in range(1, 4):
            x[t] = np.tanh(x[t - 1] * mu[1] + 0.3 * self.rng.standard_normal())
        return np.sum(x ** 2) + mu[2]


def test_hessian_of_a_method_drawing_from_its_objects_generator():
    vi = VI(np.array([0.5, -0.1, 0.2]), 0)

    def reset():
        vi.rng = np.random.default_rng(0)
    check_modes(vi.neg_elbo, (MU,), reset)
    check_modes(vi.path_loss, (MU,), reset)


CONFIG = {"rng": np.random.default_rng(0)}


class Holder:
    def __init__(self):
        self.rng = np.random.default_rng(0)


MODEL = Holder()


def reset_module_generators():
    CONFIG["rng"] = np.random.default_rng(0)  # (a new object: found afresh at each call)
    MODEL.rng = np.random.default_rng(0)
    global_seed()


def loop_config(mu):
    tot = 0.0
    x = mu
    for i in range(3):
        e = CONFIG["rng"].standard_normal(3)
        x = np.tanh(x * e + 0.1)
        tot = tot + np.sum(x ** 2)
    return tot


def loop_model(mu):
    tot = 0.0
    x = mu
    for i in range(3):
        e = MODEL.rng.standard_normal(3)
        x = np.tanh(x * e + 0.1)
        tot = tot + np.sum(x ** 2)
    return tot


def loop_noise(mu):
    tot = 0.0
    x = mu
    for i in range(3):
        e = noise(3)
        x = np.tanh(x * e + 0.1)
        tot = tot + np.sum(x ** 2)
    return tot


def path_config(mu):
    x = np.zeros(4)
    x[0] = mu[0]
    for t in range(1, 4):
        x[t] = np.tanh(x[t - 1] * mu[1] + 0.3 * CONFIG["rng"].standard_normal() + 0.2 * noise(1)[0])
    return np.sum(x ** 2) + mu[2]


@pytest.mark.parametrize("f", [loop_config, loop_model, loop_noise, path_config])
def test_hessian_and_pullback_of_draws_from_module_data_and_helpers(f):
    check_modes(f, (MU,), reset_module_generators)


HELPER = '''
import numpy as np
import s2s
RNGS = [np.random.default_rng(0)]
def draw(n):
    return RNGS[0].standard_normal(n)
s2s.nondifferentiable(draw)
def draw_inline(n):
    return RNGS[0].standard_normal(n)
'''

USER = '''
import numpy as np
import hunt9_helper
def loop_helper(mu):
    tot = 0.0
    x = mu
    for i in range(3):
        x = np.tanh(x * hunt9_helper.draw(3) + 0.1) + 0.2 * np.tanh(x * hunt9_helper.draw_inline(3))
        tot = tot + np.sum(x ** 2)
    return tot
'''


def test_hessian_of_draws_from_a_helper_modules_list(tmp_path):
    helper = module_from_text(tmp_path, "hunt9_helper", HELPER)
    sys.path.insert(0, str(tmp_path))
    try:
        user = module_from_text(tmp_path, "hunt9_user", USER)

        def reset():
            helper.RNGS[0] = np.random.default_rng(0)
        check_modes(user.loop_helper, (MU,), reset)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("hunt9_user", None)
        sys.modules.pop("hunt9_helper", None)


def no_draws(x):
    tot = 0.0
    for i in range(3):
        x = np.tanh(x * 0.5 + 0.1)
        tot = tot + np.sum(x ** 2)
    return tot


def test_code_that_draws_nothing_saves_nothing():
    from s2s.api import draws
    d = draws.Draws((MU,), {})
    fn = s2s.jacobian(s2s.grad(no_draws), mode="forward")
    fn(MU)
    for t in (s2s.grad(no_draws), s2s.jvp(no_draws), s2s.vjp(no_draws)):
        t.source
        d.before(t._current_entry().fn)
    assert d._saved is None


def batches_in_a_loop(w):
    tot = 0.0
    for i in range(2):
        b = next_batch()
        tot = tot + np.sum(np.tanh(w[:2] * b)) ** 2 + w[2] ** 3
    return tot


def unseeded_in_a_loop(w):
    rng = np.random.default_rng()
    tot = 0.0
    for i in range(2):
        tot = tot + np.sum(np.tanh(w * rng.standard_normal(3))) ** 2
    return tot


@pytest.mark.parametrize("f", [batches_in_a_loop, unseeded_in_a_loop])
def test_a_hessian_of_a_state_that_cannot_be_put_back_is_refused(f):
    """An iterator's next item (a data provider) or a generator made inside without a seed: each column of the
    Hessian (one call per column) took other numbers, and the matrix was of no one function (not symmetric)."""
    reset_batches()
    s2s.grad(f)(MU)  # (first order: one call, right)
    for transform in (s2s.hessian, lambda g: s2s.jacobian(s2s.grad(g), mode="forward")):
        reset_batches()
        with pytest.raises(s2s.S2SError, match=f"(?s)cannot put back.*def {f.__name__}.*pass them in"):
            transform(f)(MU)


def path_batches(mu):
    x = np.zeros(3)
    x[0] = mu[0]
    for t in range(1, 3):
        x[t] = np.tanh(x[t - 1] * mu[1] + 0.3 * np.sum(next_batch()))
    return np.sum(x ** 2) + mu[2]


def test_a_pullback_running_the_function_again_on_a_state_that_cannot_be_put_back_is_refused():
    """The pullback of a function writing elements in a loop runs its forward sweep again: an iterator's next item
    there was the next batch, and the gradient of another function (0.529 for 0.535)."""
    reset_batches()
    s2s.grad(path_batches)(MU)
    reset_batches()
    value, pullback = s2s.vjp(path_batches)(MU)
    with pytest.raises(s2s.S2SError, match="(?s)cannot put back.*def path_batches"):
        pullback(1.0)
    reset_batches()
    with pytest.raises(s2s.S2SError, match="cannot put back"):
        s2s.jacobian(s2s.grad(batches_in_a_loop))(MU)
