"""s2s.checkpoint(fn): a call of fn inside a differentiated function keeps only its arguments and runs fn's forward
sweep again in its pullback. Every derivative is checked against finite differences; the values against NumPy's."""
import dataclasses
import inspect
import re

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, numeric_grad, numeric_hessian


def step(h, x, W, U):
    a = W @ h
    b = U @ x
    return np.tanh(a + b)


def rnn(W, U, h0, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = s2s.checkpoint(step)(h, xs[t], W, U)
    return np.sum(h ** 2)


def rnn_plain(W, U, h0, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(W @ h + U @ xs[t])
    return np.sum(h ** 2)


@s2s.checkpoint
def block(x, w):
    y = np.sin(w * x)
    return y * y + x


def stacked(x, w):
    for _ in range(3):
        x = block(x, w)
    return x  # a vector: jvp and jacobian


def stacked_sum(x, w):
    return np.sum(stacked(x, w))


def _data(seed=0, n=4, T=5):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, n)) * 0.5, rng.normal(size=(n, 3)) * 0.5, rng.normal(size=n),
            rng.normal(size=(T, 3)))


def test_outside_differentiation_it_is_the_function_itself():
    c = s2s.checkpoint(step)
    W, U, h0, xs = _data()
    np.testing.assert_array_equal(c(h0, xs[0], W, U), step(h0, xs[0], W, U))
    assert c.__name__ == "step" and c.__doc__ == step.__doc__
    assert inspect.signature(c) == inspect.signature(step)
    assert s2s.checkpoint(c) is c
    assert rnn(W, U, h0, xs) == rnn_plain(W, U, h0, xs)


def test_grad_every_argument_against_finite_differences():
    W, U, h0, xs = _data()
    args = (W, U, h0, xs)
    copies = [a.copy() for a in args]
    got = s2s.grad(rnn, wrt=(0, 1, 2, 3))(*args)
    for i in range(4):
        assert_close(got[i], numeric_grad(rnn, args, i), what=f"argument {i}")
        assert_close(got[i], s2s.grad(rnn_plain, wrt=i)(*args), what=f"argument {i} vs unchecked")
    for a, c in zip(args, copies):  # (the arguments unchanged)
        np.testing.assert_array_equal(a, c)
    value, g = s2s.value_and_grad(rnn)(*args)
    assert value == rnn_plain(*args)
    assert_close(g, numeric_grad(rnn, args, 0))


def test_the_generated_code_calls_the_function_and_its_pullback_and_saves_none_of_its_intermediates():
    text = s2s.grad(rnn).source
    assert re.search(r"h = custom\.\w*step\(h, xs\[t\], W, U\)", text), text
    # (the pullback gives the adjoints read alone: h's and W's, not those of the data xs[t] and the constant U)
    assert re.search(r"adjoints = custom\.\w*step_adjoint\(bh_1, h_next, h, xs\[t\w*\], W, U, wanted=\(0, 2\)\)",
                     text), text
    assert "np.tanh" not in text and "@" not in text and "U @" not in text, text  # (step's body is not here)
    saved = [line for line in text.splitlines() if "_saved.append(" in line]
    assert saved == ["        h_saved.append(h)"], text  # (the argument h each step, nothing of step's)


def test_vjp_jvp_and_jacobians_of_a_decorated_helper():
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=5), 0.7
    value, pull = s2s.vjp(stacked, wrt=(0, 1))(x, w)
    np.testing.assert_allclose(value, stacked(x, w))
    g = rng.normal(size=5)
    gx, gw = pull(g)
    assert_close(gx, numeric_grad(lambda x: np.sum(stacked(x, w) * g), (x,), 0))
    assert_close(gw, numeric_grad(lambda w: np.sum(stacked(x, w) * g), (w,), 0))
    dx = rng.normal(size=5)
    value, tangent = s2s.jvp(stacked, wrt=(0, 1))((x, w), (dx, 0.3))
    eps = 1e-6
    numeric = (stacked(x + eps * dx, w + eps * 0.3) - stacked(x - eps * dx, w - eps * 0.3)) / (2 * eps)
    assert_close(tangent, numeric)
    numeric_jac = np.stack([numeric_grad(lambda x: stacked(x, w)[i], (x,), 0) for i in range(5)])
    assert_close(s2s.jacobian(stacked)(x, w), numeric_jac, what="reverse")
    assert_close(s2s.jacobian(stacked, mode="forward")(x, w), numeric_jac, what="forward")


def test_second_derivatives():
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=3), 0.4
    assert_close(s2s.hessian(stacked_sum)(x, w), numeric_hessian(lambda x: stacked_sum(x, w), x), rtol=1e-4,
                 atol=1e-5)
    gg = s2s.grad(lambda w: s2s.grad(stacked_sum, wrt=1)(x, w))(w)
    assert_close(gg, numeric_hessian(lambda w: stacked_sum(x, w), w), rtol=1e-4, atol=1e-5)


def scaled(params, n, x, scale=2.0):
    """A checkpointed helper taking a dict, an int, a default; calling another helper in a loop."""
    for _ in range(n):
        x = affine(params, x) * scale
    return x


def affine(params, x):
    return np.tanh(params["A"] @ x + params["b"])


def with_containers(A, b, x):
    params = {"A": A, "b": b}
    y = s2s.checkpoint(scaled)(params, 2, x)
    z = s2s.checkpoint(scaled)(params, 1, y, scale=0.5)
    return np.sum(z * y)


def test_containers_integers_defaults_and_helpers_inside():
    rng = np.random.default_rng(3)
    A, b, x = rng.normal(size=(3, 3)) * 0.5, rng.normal(size=3), rng.normal(size=3)
    args = (A, b, x)
    got = s2s.grad(with_containers, wrt=(0, 1, 2))(*args)
    for i in range(3):
        assert_close(got[i], numeric_grad(with_containers, args, i), what=f"argument {i}")
    assert re.search(r"custom\.\w*scaled\(params, 1, y, 0\.5\)", s2s.grad(with_containers).source)


def noisy(x, rng):
    return x * rng.normal()


def draws(x):
    rng = np.random.default_rng(0)
    return s2s.checkpoint(noisy)(x, rng)


def test_draws_inside_are_refused_saying_what_to_write():
    with pytest.raises(s2s.S2SError, match=r"s2s.checkpoint\(noisy\) runs each call of noisy again"):
        s2s.grad(draws)(1.5)


def test_only_python_functions_are_checkpointed():
    with pytest.raises(s2s.S2SError, match="s2s.checkpoint of a ufunc"):
        s2s.checkpoint(np.sin)


def inner(x):
    return np.exp(-x * x)


outer = s2s.checkpoint(lambda x, c: s2s.checkpoint(inner)(c * x) + inner(x))


def nested(x, c):
    y = outer(x, c)
    return np.sum(inner(y) * y)  # (inner also called unmarked: descended into)


def test_a_checkpointed_lambda_calling_a_checkpointed_helper_and_the_helper_unmarked():
    rng = np.random.default_rng(4)
    args = (rng.normal(size=4), 0.8)
    got = s2s.grad(nested, wrt=(0, 1))(*args)
    assert_close(got[0], numeric_grad(nested, args, 0))
    assert_close(got[1], numeric_grad(nested, args, 1))
    assert_close(s2s.hessian(nested)(*args), numeric_hessian(lambda x: nested(x, 0.8), args[0]), rtol=1e-4,
                 atol=1e-5)
    J = s2s.jacobian(outer, mode="forward")(*args)
    assert_close(J, np.stack([numeric_grad(lambda x, c: outer(x, c)[i], args, 0) for i in range(4)]))


def keyword_only(x, *, k):
    return x * k


def calls_keyword_only(x):
    return s2s.checkpoint(keyword_only)(x, k=2.0)


def test_keyword_only_parameters_are_refused_when_marked():
    with pytest.raises(s2s.S2SError, match="keyword-only parameters"):
        calls_keyword_only(1.0)


MODULE = '''
import numpy as np
import s2s


@s2s.checkpoint
def layer(h, w):
    return np.tanh(w * h)


def loss(w, h):
    for _ in range(3):
        h = layer(h, w)
    return np.sum(h)
'''


def test_saved_text_and_the_disk_cache_make_the_rules_again_in_another_process(tmp_path):
    import subprocess
    import sys
    (tmp_path / "ckpt_mod.py").write_text(MODULE)
    write = "import s2s, ckpt_mod; open('gen_loss.py', 'w').write(s2s.grad(ckpt_mod.loss).source)"
    read = "import numpy as np, gen_loss; print(repr(float(gen_loss.grad_loss(0.5, np.ones(2)))))"
    cached = "import numpy as np, s2s, ckpt_mod; print(repr(float(s2s.grad(ckpt_mod.loss)(0.5, np.ones(2)))))"
    root = str(__import__("pathlib").Path(__file__).resolve().parents[1])
    env = {**__import__("os").environ, "PYTHONPATH": f"{root}:{tmp_path}", "S2S_CACHE_DIR": str(tmp_path / "cache")}
    outputs = [subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300) for code in (write, read, cached, cached)]
    assert all(o.returncode == 0 for o in outputs), [o.stderr for o in outputs]
    numeric = numeric_grad(lambda w: np.sum(np.tanh(w * np.tanh(w * np.tanh(w * np.ones(2))))), (0.5,), 0)
    for o in outputs[1:]:
        assert_close(float(o.stdout), numeric)


def test_the_memory_benchmark_runs_and_its_three_forms_agree(capsys):
    from benchmarks import checkpoint_memory
    checkpoint_memory.main(["--steps", "6", "--width", "3", "--segment", "3", "--batch", "2"])
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines[2:]] == ["plain", "per", "segments"]
    W, U, h0, xs = _data(5, n=3, T=6)
    got = s2s.grad(checkpoint_memory.rnn_segments)(W, U, h0, xs.reshape(2, 3, 3))
    assert_close(got, numeric_grad(checkpoint_memory.rnn_plain, (W, U, h0, xs), 0))


def test_the_rnn_in_forward_mode_and_its_hessian():
    W, U, h0, xs = _data(6)
    dW = np.random.default_rng(7).normal(size=W.shape)
    value, tangent = s2s.jvp(rnn)((W, U, h0, xs), (dW,))
    assert value == rnn_plain(W, U, h0, xs)
    eps = 1e-6
    assert_close(tangent, (rnn(W + eps * dW, U, h0, xs) - rnn(W - eps * dW, U, h0, xs)) / (2 * eps))
    H = s2s.hessian(rnn, wrt=2)(W, U, h0, xs)
    assert_close(H, numeric_hessian(lambda h: rnn(W, U, h, xs), h0), rtol=1e-4, atol=1e-5)
    gg = s2s.jacobian(s2s.grad(rnn, wrt=2), wrt=2)(W, U, h0, xs)  # (reverse over reverse)
    assert_close(gg, H, rtol=1e-8, atol=1e-10)


@dataclasses.dataclass
class Net:
    W: np.ndarray

    @s2s.checkpoint
    def step(self, h):
        return np.tanh(self.W @ h)

    def loss(self, h):
        for _ in range(3):
            h = self.step(h)
        return np.sum(h)


def method_loss(W, h):
    return Net(W).loss(h)


def test_a_checkpointed_method_is_refused_saying_what_to_write():
    W, h = np.eye(3) * 0.5, np.ones(3)
    assert method_loss(W, h) == np.sum(np.tanh(0.5 * np.tanh(0.5 * np.tanh(0.5 * h))))
    with pytest.raises(s2s.S2SError, match=r"s2s.checkpoint on the method Net.step(.|\n)*called as step\(self.W, h\)"):
        s2s.grad(method_loss)(W, h)


@dataclasses.dataclass
class Params:
    W: np.ndarray
    b: float


def record_step(p, h):
    return np.tanh(p.W @ h + p.b)


def record_rnn(W, h):
    p = Params(W, 0.3)
    for _ in range(2):
        h = s2s.checkpoint(record_step)(p, h)
    return np.sum(h)


def record_depth(p, h, n):
    if n == 0:
        return h
    return record_depth(p, np.tanh(p.W @ h + p.b), n - 1)


def record_recursion(W, h):
    return np.sum(record_depth(Params(W, 0.3), h, 2))


@pytest.mark.parametrize("f", [record_rnn, record_recursion])
def test_a_dataclass_argument_carries_its_fields_derivatives(f):
    """(the rules took a dataclass argument for one without a derivative: a gradient of 0 through it)"""
    rng = np.random.default_rng(8)
    W, h = rng.normal(size=(3, 3)), rng.normal(size=3)
    gW, gh = s2s.grad(f, wrt=(0, 1))(W, h)
    assert_close(gW, numeric_grad(f, (W, h), 0))
    assert_close(gh, numeric_grad(f, (W, h), 1))
    dW, eps = rng.normal(size=(3, 3)), 1e-6
    assert_close(s2s.jvp(f)((W, h), (dW,))[1], (f(W + eps * dW, h) - f(W - eps * dW, h)) / (2 * eps))
    numeric = numeric_hessian(lambda w: f(w, h), W)
    assert_close(s2s.hessian(f)(W, h), numeric, rtol=1e-4, atol=1e-5)
    assert_close(s2s.jacobian(s2s.grad(f))(W, h), numeric, rtol=1e-4, atol=1e-5)


def closure_checkpoint(x):
    def inner(y):
        return y * y
    return s2s.checkpoint(inner)(x)


def test_a_checkpointed_closure_is_exact_and_its_text_says_it_cannot_be_made_elsewhere():
    assert s2s.grad(closure_checkpoint)(1.5) == 3.0
    text = s2s.grad(closure_checkpoint).source
    assert "the derivatives s2s makes of s2s.checkpoint(inner), defined in a closure" in text, text
    assert "custom.tests_test_checkpoint_closure_checkpoint_inner_adjoint(" in text or "_inner_adjoint(" in text
