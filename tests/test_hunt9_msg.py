"""Round nine's messages (/tmp/hunt/hunt9prob M1, M2) and a false refusal the lead found.

M2: `s2s.check_grad` of a function drawing random numbers drew anew for each finite difference and for each
mode, and reported every derivative as wrong; now every evaluation starts from the generator states the first
one started from (api/draws.py's `Draws`), and a function whose calls differ all the same (an iterator's next
item, a generator made without a seed) is reported as drawing different values on each call."""
import re

import numpy as np
import pytest

import s2s
from conftest import numeric_grad

# ---------------------------------------------------------------------------------------------------------- M2

MODULE_RNG = np.random.default_rng(3)


def module_noise(n):
    return MODULE_RNG.standard_normal(n)


s2s.nondifferentiable(module_noise)


def passed_in(mu, rng):
    e = rng.standard_normal(2)
    return np.sum(np.tanh(mu * e) ** 2)


def global_state(mu):
    e = np.random.standard_normal(2)
    return np.sum(np.tanh(mu * e) ** 2)


def loop_module(mu):
    tot = 0.0
    for i in range(3):
        e = module_noise(2)
        tot = tot + np.sum(np.tanh(mu * e) ** 2)
    return tot


def in_dict(mu, cfg):
    tot = 0.0
    for i in range(2):
        tot = tot + np.sum(np.sin(mu * cfg["rng"].standard_normal(2)))
    return tot


def _states():
    return (MODULE_RNG.bit_generator.state, np.random.get_state()[1].copy())


@pytest.mark.parametrize("f, extra", [
    (passed_in, lambda: (np.random.default_rng(0),)),
    (global_state, lambda: ()),
    (loop_module, lambda: ()),
    (in_dict, lambda: ({"rng": np.random.default_rng(1)},)),
])
def test_check_grad_of_a_function_with_draws_passes(f, extra):
    mu = np.array([0.3, -0.2])
    np.random.seed(0)
    MODULE_RNG.bit_generator.state = np.random.default_rng(3).bit_generator.state
    args = (mu,) + extra()
    assert s2s.check_grad(f, *args) is None
    # the generators are left as one call of f leaves them
    after = _states()
    np.random.seed(0)
    MODULE_RNG.bit_generator.state = np.random.default_rng(3).bit_generator.state
    args2 = (mu,) + extra()
    f(*args2)
    assert after[0] == _states()[0] and np.array_equal(after[1], _states()[1])
    for a, b in zip(args[1:], args2[1:]):
        g, h = (a, b) if not isinstance(a, dict) else (a["rng"], b["rng"])
        assert g.bit_generator.state == h.bit_generator.state


def cube(x):
    return x * x * x


@s2s.adjoint(cube)
def _cube_adjoint(g, ans, x):
    return (2.0 * g * x * x,)  # wrong: 3 x^2


@s2s.tangent(cube)
def _cube_tangent(tangents, ans, x):
    return 3.0 * tangents[0] * x * x


def uses_cube(x, rng):
    return np.sum(cube(x) * rng.standard_normal(2)) + np.sum(x * np.random.standard_normal(2))


def test_check_grad_still_finds_a_wrong_rule_with_draws():
    x = np.array([1.0, 2.0])
    np.random.seed(4)
    with pytest.raises(AssertionError) as info:
        s2s.check_grad(uses_cube, x, np.random.default_rng(0))
    text = str(info.value)
    assert "reverse mode, d/dx: 2 of 2" in text and "forward mode" not in text  # the tangent rule is right
    assert "drew different values" not in text
    rows = re.findall(r"\((\d),\)\s+(\S+)\s+(\S+)", text)

    def reset(x):
        np.random.seed(4)
        return uses_cube(x, np.random.default_rng(0))
    numeric = numeric_grad(reset, (x,), 0)  # the differences of one draw
    np.random.seed(4)
    e = np.random.default_rng(0).standard_normal(2)
    d = np.random.standard_normal(2)
    assert np.allclose(numeric, 3 * x ** 2 * e + d, rtol=1e-6)
    for i, analytic, num in rows:
        i = int(i)
        assert float(num) == pytest.approx(numeric[i], rel=1e-6)
        assert float(analytic) == pytest.approx(2 * x[i] ** 2 * e[i] + d[i], rel=1e-8)  # the wrong rule's


def next_item(w, batches):
    b = next(batches)
    return np.sum(np.sin(w * b))


def unseeded(w):
    rng = np.random.default_rng()
    return np.sum(np.sin(w * rng.standard_normal(2)))


def test_check_grad_says_the_function_drew_different_values():
    w = np.array([0.3, 0.8])
    with pytest.raises(AssertionError, match="next_item drew different values on each call"):
        s2s.check_grad(next_item, w, iter([np.array([1.0, 2.0]) * k for k in range(1, 50)]))
    with pytest.raises(AssertionError, match="unseeded drew different values on each call") as info:
        s2s.check_grad(unseeded, w)
    assert "pass them in as an argument" in str(info.value)


# ---------------------------------------------------------------------------------------------------------- M1
# s2s.hessian / s2s.jacobian inside a function being differentiated is refused (a matrix s2s computed by calling
# generated code once per column is no code s2s can transform again); the advice was to write every entry out by
# hand. The matrix built from s2s.jvp columns (of s2s.grad(f), for a Hessian) is generated code all through and
# differentiates in every mode: the advice now gives that form, and its code, taken from the message as it is,
# runs and is right.

def logp(x, p):
    return -np.sum(np.log1p(np.exp(-x * np.arange(1.0, x.size + 1)))) - 0.5 * x @ x / p + np.sum(x ** 3) * p


def laplace(log_p, x):
    H = s2s.hessian(logp)(x, np.exp(log_p))
    return logp(x, np.exp(log_p)) - 0.5 * np.linalg.slogdet(10 * np.eye(x.size) - H)[1]


def F(x, p):
    return np.array([x[0] ** 2 + x[1] - p, x[0] - x[1] ** 3 + np.sin(p * x[0])])


def newton(p, x):
    for k in range(3):
        J = s2s.jacobian(F)(x, p)
        x = x - np.linalg.solve(J, F(x, p))
    return np.sum(x ** 2)


def _advice(f, args, names):
    """The refusal's message, and the code it advises (`names`: the assignments it names, each up to the next)."""
    with pytest.raises(s2s.NonDifferentiableError) as info:
        s2s.grad(f)(*args)
    text = str(info.value)
    codes = []
    for name, end in zip(names, names[1:] + ["in place of"]):
        found = re.search(re.escape(name) + r" = (.*?),? " + re.escape(end.split(" = ")[0]), text)
        assert found, text
        codes.append(f"{name} = {found.group(1)}")
    return text, codes


def _every_mode(f, x, other):
    from conftest import assert_close, numeric_hessian
    x = np.asarray(x, dtype=float)
    kept = x.copy()
    numeric = numeric_grad(lambda v: f(v, other), (x,), 0)
    value, gradient = s2s.value_and_grad(f)(x, other)
    assert value == pytest.approx(f(x, other), rel=1e-12)
    assert_close(gradient, numeric, what="grad")
    assert_close(s2s.vjp(f)(x, other)[1](1.0), numeric, what="vjp")
    t = np.linspace(0.5, 1.0, x.size).reshape(x.shape)
    assert_close(s2s.jvp(f)((x, other), (t,))[1], np.sum(numeric * t), what="jvp")
    assert_close(s2s.jacobian(f, mode="forward")(x, other), numeric, what="forward jacobian")
    assert_close(s2s.jacobian(f)(x, other), numeric, what="reverse jacobian")
    expected = numeric_hessian(lambda v: f(v, other), x)
    assert_close(s2s.hessian(f)(x, other), expected, 1e-4, 1e-5, what="hessian")
    assert_close(s2s.jacobian(s2s.grad(f))(x, other), expected, 1e-4, 1e-5, what="grad of grad")
    assert np.array_equal(x, kept)


def test_a_hessian_inside_advises_hessian_vector_products_which_differentiate(tmp_path):
    from conftest import module_from_text
    x = np.array([0.2, -0.4, 0.3])
    text, (hvp, H) = _advice(laplace, (0.3, x), ["hvp", "H"])
    assert hvp == "hvp = s2s.jvp(s2s.grad(logp))" and "in place of s2s.hessian(logp)(x, p)" in text
    assert "entries" not in text  # (no longer: write the matrix's entries out by hand)
    mod = module_from_text(tmp_path, "advised_hessian", f"""
import numpy as np
import s2s
from test_hunt9_msg import logp

{hvp}


def laplace(log_p, x):
    p = np.exp(log_p)
    {H}
    return logp(x, p) - 0.5 * np.linalg.slogdet(10 * np.eye(x.size) - H)[1]


def laplace_x(x, log_p):
    return laplace(log_p, x)
""")
    assert mod.laplace(0.3, x) == pytest.approx(logp(x, np.exp(0.3)) - 0.5 * np.linalg.slogdet(
        10 * np.eye(3) - s2s.hessian(logp)(x, np.exp(0.3)))[1], rel=1e-12)
    _every_mode(mod.laplace, 0.3, x)  # d/d log p
    _every_mode(mod.laplace_x, x, 0.3)  # d/dx: third derivatives of logp


def test_a_jacobian_inside_advises_jacobian_vector_products_which_differentiate(tmp_path):
    from conftest import module_from_text
    x = np.array([1.0, 0.5])
    text, (jvp_F, J) = _advice(newton, (0.7, x), ["jvp_F", "J"])
    assert jvp_F == "jvp_F = s2s.jvp(F)" and "in place of s2s.jacobian(F)(x, p)" in text
    assert "x = x - np.linalg.solve(J, F(x, p))" in text
    mod = module_from_text(tmp_path, "advised_jacobian", f"""
import numpy as np
import s2s
from test_hunt9_msg import F

{jvp_F}


def newton(p, x):
    for k in range(3):
        {J}
        x = x - np.linalg.solve(J, F(x, p))
    return np.sum(x ** 2)


def newton_x(x, p):
    return newton(p, x)
""")
    _every_mode(mod.newton, 0.7, x)
    _every_mode(mod.newton_x, x, 0.7)


# ------------------------------------------------------------------- a helper writing its parameter, in a loop
# A helper writing an element of its parameter, called in a loop on an array the function made (`y = write(y, ..)`),
# was refused with "assignment to an element of 'y', which the function did not create": the loop's header phi
# was made a version of the array only where the loop's own text writes y's elements. Now a name the loop gives
# to a helper of the user's (a module's function, a def of the function's own, a helper calling another) that
# writes elements of the parameter, or that a def of the function's writes by name, is such a version too.

def write(y, x, kind):
    if kind == 1:
        y[0] = x[0] * x[1]
    else:
        y[1] = np.tanh(x[0])
    return y


def write_through(y, x):
    y = write(y, x, 2)
    return y


def writes4(x):  # (the lead's: y stays zero, the value 0)
    y = np.zeros(3)
    for i in range(2):
        y = write(y, x * y[0], 1)
    return np.sum(y ** 2) + y[1]


def writes_ones(x):
    y = np.ones(3)
    for i in range(2):
        y = write(y, x * y[0] + y[2], 1)
        y = write(y, x * y[1], 2)
    return np.sum(y ** 2) + y[1]


def bound_to_another_name(x):
    y = np.ones(3) * 0.5
    for i in range(3):
        z = write(y, x + y[1], 1 + i % 2)
        y = z
    return np.sum(y ** 2) + 3.0 * y[0]


def named_before_the_loop(x):
    y = np.ones(3)
    w = y
    for i in range(2):
        y = write(y, x * y[0] + 0.2, 1)
    return np.sum(y ** 2) + w[0] * x[1]  # (w is y: NumPy's shows the writes)


def read_in_and_after(x):
    y = np.ones(3) * 0.5
    s = 0.0
    for i in range(2):
        prev = y
        y = write_through(y, x * s + 0.2)
        s = s + prev[1] * y[1] + y[0]
    return s + np.sum(np.sin(y))


def while_loop(x):
    y = np.ones(3) * 0.5
    i = 0
    while i < 3:
        y = write(y, x - y[2], 1 + i % 2)
        i += 1
    return np.sum(y ** 3)


def nested_def(x):
    def put(buf, v):
        buf[1] = v
        return buf
    y = np.ones(3)
    for i in range(2):
        y = put(y, np.sin(x[0] * y[1]) + x[1])
    return np.sum(y ** 2)


def closure(x):
    y = np.ones(3) * 0.5

    def put(v):
        y[0] = v
        return y
    for i in range(2):
        y = put(x[0] * y[0] + x[1])
    return np.sum(y ** 2)


@pytest.mark.parametrize("f", [writes4, writes_ones, bound_to_another_name, named_before_the_loop, read_in_and_after,
                               while_loop, nested_def, closure], ids=lambda f: f.__name__)
def test_a_helper_writing_a_loops_array_is_exact(f):
    from conftest import check_every_mode
    x = np.array([0.7, 1.3])
    check_every_mode(f, x)  # (every mode against differences, the caller's x unchanged)


HELPERS = {"write": write}


def through_a_container(x):
    y = np.ones(3)
    for i in range(2):
        y = HELPERS["write"](y, x * y[0] + 0.1, 1)  # refused
    return np.sum(y ** 2)


def through_a_container_copied(x):
    y = np.ones(3)
    for i in range(2):
        y = HELPERS["write"](np.copy(y), x * y[0] + 0.1, 1)
    return np.sum(y ** 2)


def rebound_in_a_branch(x):
    y = np.ones(3)
    for i in range(3):
        if i % 2 == 0:
            y = write(y, x * y[0] + 0.2, 1)
        else:
            y = y * 2.0
    return np.sum(y ** 2)


def test_what_is_still_refused_says_what_happened_and_the_advice_works():
    from conftest import check_every_mode
    x = np.array([0.7, 1.3])
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(through_a_container)(x)
    text = str(info.value)
    assert "did not create" not in text and "the array 'y' that the function made and a loop gives to write" in text
    assert "y = write(np.copy(y), ...)" in text
    check_every_mode(through_a_container_copied, x)
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(rebound_in_a_branch)(x)
    assert "rebinds 'y' to a new array (line" in str(info.value) and "y = y * 2.0)" in str(info.value)


def another_name_in_the_loop(x):
    y = np.ones(3)
    for i in range(2):
        yy = y
        xx = x * y[0]
        yy[0] = xx[0] * xx[1]
        y = yy
    return np.sum(y ** 2) + y[1]


def another_name_copied(x):
    y = np.ones(3)
    for i in range(2):
        yy = np.copy(y)
        xx = x * y[0]
        yy[0] = xx[0] * xx[1]
        y = yy
    return np.sum(y ** 2) + y[1]


def test_a_write_through_another_name_in_a_loop_is_not_said_to_be_of_an_array_not_made():
    from conftest import check_every_mode
    x = np.array([0.7, 1.3])
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(another_name_in_the_loop)(x)
    text = str(info.value)
    assert "did not create" not in text and "another name for the array 'y' that the function made" in text
    assert "yy = np.copy(y)" in text
    check_every_mode(another_name_copied, x)
