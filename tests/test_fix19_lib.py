"""Library functions, draws and messages (round 19, fix19lib).

1. `np.gradient(y, x)` differentiated in its coordinates x was refused (the advice `np.diff(y) / np.diff(x)` was
   another formula). Its derivative in a spacing (a number h, or coordinates: NumPy's second-order non-uniform
   differences, edge_order 1 and 2, any axis, one coordinate array per axis) is now exact in every mode, through
   rt.gradient_spacing_tangent / _adjoint / _transpose (runtime/spacings.py), which evaluate NumPy's formula on
   numbers carrying one or two directions; a third derivative in x is refused.
2. Draws with a derivative through their parameters, beyond rng.normal & co (round 18): NumPy's rng.uniform(low,
   high) (Generator, RandomState, np.random.uniform) is low + (high - low) * rng.random(shape), and
   rng.lognormal(mean, sigma) is C's exp of mean + sigma * rng.standard_normal(shape) (rt.draw_exp: math.exp entry by
   entry; np.exp differs in the last bit), Python's random.gauss / normalvariate(mu, sigma) are mu + sigma * the
   same draw at (0.0, 1.0) and random.uniform(a, b) is a + (b - a) * random(): bit for bit (checked below over
   thousands of cases, on NumPy 2.x and 1.25). They are now differentiated so (ad/located_draws.py); gamma, beta and
   the others stay refused, saying why (no exact reparameterisation).
3. np.cross of two 2-vectors (a number each, and stacks of them) in a forward-mode Jacobian or a Hessian was refused
   (vector mode takes np.cross to keep its operands' rank): rt.cross_tangents now raises NotBatchable there, and
   the caller pushes one tangent at a time, exactly.
4. `[P[k] for k in P] if hasattr(P, 'keys') else P` with P a list display (fuzz level 9, seed 3700017): the branch
   not taken indexed the list by its own items, refused as "its index has a derivative". hasattr of a list, tuple
   or dict the function made is its type's, folded while building (front/outside.made_container).
5. Messages: (a) an int array given to jacobian(jacobian(f)) was refused naming jacobian_jvp_f, a generated function
   the user never called: now jacobian_jacobian_f; (b) the .source of grad with respect to a dict read by its keys
   returned the runtime's DictParts with np.float64 leaves, run on its own, where the call returns a dict of floats:
   it now ends with rt.given_back(bp, p); (c) a write into the caller's array inside a helper s2s follows
   (`def g(x): y = x; y[0] = v` called as g(a)) named the caller's 'a', not the helper's own 'x'.

Each program is checked against central differences (its derivatives) and NumPy (its value).
"""
import random

import numpy as np
import pytest

import s2s
from s2s import runtime as rt
from conftest import assert_close, check_every_mode, numeric_grad, numeric_hessian

XC = np.array([0.0, 0.4, 1.1, 1.5, 2.3, 2.6])  # unevenly spaced coordinates
YC = np.array([1.0, 2.0, 4.0, 3.0, 0.0, 1.5])
Z = np.arange(12.0).reshape(3, 4) ** 1.5


def _fd_jacobian(f, x, eps=1e-6):
    x = np.asarray(x, dtype=float)
    cols = [(np.asarray(f(x + eps * e)) - np.asarray(f(x - eps * e))) / (2 * eps) for e in np.eye(x.size)]
    return np.stack(cols, axis=-1)


# ---------------------------------------------------------------- 1. np.gradient in its coordinates
def squares_of_slopes(x):
    return np.sum(np.gradient(YC, x) ** 2)


def second_order_edges(x):
    return np.sum(np.sin(np.gradient(YC * x, x, edge_order=2)))


def slopes_times_x(x):
    return np.gradient(YC, x, edge_order=2) * x


def arclength(y, x):
    dy = np.gradient(y, x)
    return np.trapezoid(np.sqrt(1 + dy ** 2), x) if hasattr(np, "trapezoid") else np.trapz(np.sqrt(1 + dy ** 2), x)


def two_axes(x, y):
    gx, gy = np.gradient(Z * np.sum(x), x, y)
    return np.sum(gx * gy) + np.sum(np.gradient(Z, 0.7, y, edge_order=2)[1] ** 2)


def along_axis(x):
    return np.sum(np.gradient(Z, x, axis=-1, edge_order=2) ** 3)


def number_spacing(h):
    return np.sum(np.gradient(YC, h, edge_order=2) ** 2)


@pytest.mark.parametrize("f", [squares_of_slopes, second_order_edges, along_axis])
def test_gradient_in_coordinates_every_mode(f):
    x = XC[:4] if f is along_axis else XC
    g = numeric_grad(f, (x,), 0)
    assert_close(s2s.grad(f)(x), g, what="grad")
    value, grad = s2s.value_and_grad(f)(x)
    assert_close(value, f(x), what="value")
    assert_close(s2s.vjp(f)(x)[1](1.0), g, what="vjp")
    v = np.linspace(0.3, -0.5, x.size)
    assert_close(s2s.jvp(f)((x,), (v,))[1], g @ v, what="jvp")
    H = numeric_hessian(f, x)
    atol = 1e-5 + 1e-7 * np.abs(H).max()
    assert_close(s2s.hessian(f)(x), H, rtol=1e-4, atol=atol, what="hessian")
    assert_close(s2s.jacobian(s2s.grad(f))(x), H, rtol=1e-4, atol=atol, what="jacobian of grad")


def test_gradient_in_coordinates_jacobians():
    J = _fd_jacobian(slopes_times_x, XC)
    assert_close(s2s.jacobian(slopes_times_x)(XC), J, what="reverse")
    assert_close(s2s.jacobian(slopes_times_x, mode="forward")(XC), J, what="forward")
    assert_close(slopes_times_x(XC), np.gradient(YC, XC, edge_order=2) * XC)


def test_gradient_arclength_in_values_and_coordinates():
    x = np.linspace(0, 1, 7) ** 1.3
    y = np.sin(3 * x)
    gy, gx = s2s.grad(arclength, wrt=(0, 1))(y, x)
    assert_close(gy, numeric_grad(arclength, (y, x), 0))
    assert_close(gx, numeric_grad(arclength, (y, x), 1))


def test_gradient_several_coordinate_arrays():
    x, y = np.array([0.0, 0.3, 1.0]), np.array([0.0, 0.5, 0.9, 1.7])
    gx, gy = s2s.grad(two_axes, wrt=(0, 1))(x, y)
    assert_close(gx, numeric_grad(two_axes, (x, y), 0))
    assert_close(gy, numeric_grad(two_axes, (x, y), 1))
    H = numeric_hessian(lambda_two_axes_y, y)
    assert_close(s2s.hessian(lambda_two_axes_y)(y), H, rtol=1e-4, atol=1e-7 * np.abs(H).max())


def lambda_two_axes_y(y):
    return two_axes(np.array([0.0, 0.3, 1.0]), y)


def test_gradient_number_spacing_still_exact():
    assert_close(s2s.grad(number_spacing)(0.7), numeric_grad(number_spacing, (0.7,), 0))
    assert_close(s2s.hessian(number_spacing)(0.7), numeric_hessian(number_spacing, 0.7), rtol=1e-4)


# ---------------------------------------------------------------- 2. draws: uniform, lognormal, Python's random
def _bits(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.array_equal(a.view(np.uint64), b.view(np.uint64))


def _cases(n=600):
    R = np.random.default_rng(0)
    for k in range(n):
        lo = R.normal(size=(3,) if k % 2 else ()) * 10.0 ** R.integers(-3, 3)
        hi = lo + np.abs(R.normal(size=np.shape(lo))) * 10.0 ** R.integers(-3, 2)
        if k % 3 == 0:
            lo, hi = float(np.ravel(lo)[0]), float(np.ravel(hi)[0])
        size = [None, (3,), (2, 3)][k % 3]
        yield lo, hi, size, int(R.integers(1 << 30))


def test_numpy_uniform_and_lognormal_are_their_standard_draws_bit_for_bit():
    for lo, hi, size, seed in _cases():
        shape = np.broadcast_shapes(np.shape(lo), np.shape(hi)) if size is None else size
        for make in (np.random.default_rng, np.random.RandomState):
            a, b = make(seed), make(seed)
            assert _bits(a.uniform(lo, hi, size), lo + np.subtract(hi, lo) * rt.standard_draw(b.uniform, shape))
            sigma = np.abs(hi - lo) * 0.1
            assert _bits(a.lognormal(lo, sigma, size), rt.draw_exp(lo + sigma * b.standard_normal(shape)))
        np.random.seed(seed)
        v = np.random.uniform(lo, hi, size)
        np.random.seed(seed)
        assert _bits(v, lo + np.subtract(hi, lo) * rt.standard_draw(np.random.uniform, shape))


def test_python_gauss_normalvariate_uniform_are_their_standard_draws_bit_for_bit():
    R = np.random.default_rng(1)
    for _ in range(1000):
        mu, sigma = float(R.normal() * 10.0 ** R.integers(-3, 4)), float(abs(R.normal()) * 10.0 ** R.integers(-3, 4))
        seed = int(R.integers(1 << 30))
        for name in ("gauss", "normalvariate", "uniform"):
            a, b = random.Random(seed), random.Random(seed)
            for _ in range(3):  # (gauss keeps its second number for the next call)
                if name == "uniform":
                    assert _bits(a.uniform(mu, sigma), mu + (sigma - mu) * rt.standard_draw(b.uniform, None))
                else:
                    assert _bits(getattr(a, name)(mu, sigma), mu + sigma * getattr(b, name)(0.0, 1.0))


def uniform_draws(x):
    rng = np.random.default_rng(4)
    u = rng.uniform(x[0], x[0] + x[1] ** 2, size=(2, 3)) + rng.uniform(x[2], 2.0)
    return np.sum(np.sin(u) * x[1])


def uniform_of_a_random_state(x):
    rs = np.random.RandomState(2)
    return np.sum(rs.uniform(low=x[:2], high=x[2] + 3.0) ** 2)


def lognormal_draws(x):
    rng = np.random.default_rng(8)
    return np.sum(np.log1p(rng.lognormal(x[0], x[1] ** 2, size=4)) * x[2]) + np.sum(rng.lognormal(x[:2], 0.5))


def python_draws(x):
    r = random.Random(3)
    a = r.gauss(x[0], x[1] ** 2) * r.normalvariate(mu=x[2], sigma=0.5)
    return a + r.uniform(x[1], x[2] * 3.0) ** 2


@pytest.mark.parametrize("f", [uniform_draws, uniform_of_a_random_state, lognormal_draws, python_draws],
                         ids=lambda f: f.__name__)
def test_uniform_lognormal_and_python_draws_in_every_mode(f):
    check_every_mode(f, np.array([0.3, 0.7, 1.1]), exact=True)


def global_draws(a, b):
    return np.sum(np.random.uniform(a, b, 3)) + random.gauss(a, b) + random.uniform(a, b)


def test_global_draws_are_the_ones_the_function_makes():
    np.random.seed(5)
    random.seed(6)
    u = np.random.random_sample(3)
    z = random.gauss(0.0, 1.0)
    w = random.random()
    np.random.seed(5)
    random.seed(6)
    value, (da, db) = s2s.value_and_grad(global_draws, wrt=(0, 1))(0.3, 1.2)
    np.random.seed(5)
    random.seed(6)
    assert value == global_draws(0.3, 1.2)
    assert_close(da, np.sum(1 - u) + 1.0 + (1 - w), 1e-12, 0)
    assert_close(db, np.sum(u) + z + w, 1e-12, 0)


def uniform_backwards(a):
    return np.random.default_rng(0).uniform(a, a - 1.0)


def lognormal_negative(s):
    return np.sum(np.random.default_rng(0).lognormal(0.0, -s, 2))


def test_draw_checks_as_numpy_does():
    with pytest.raises(ValueError, match="high - low < 0"):
        s2s.grad(uniform_backwards)(0.3)
    with pytest.raises(ValueError, match="sigma < 0"):
        s2s.grad(lognormal_negative)(0.3)


def gamma_draw(k, s):
    return np.sum(np.random.default_rng(0).gamma(k, s, 3))


def beta_draw(a, b):
    return np.sum(np.random.default_rng(0).beta(a, b, 3))


@pytest.mark.parametrize("f", [gamma_draw, beta_draw], ids=lambda f: f.__name__)
def test_draws_without_an_exact_reparameterisation_stay_refused_saying_why(f):
    with pytest.raises(s2s.NonDifferentiableError, match="no such exact reparameterisation") as info:
        s2s.grad(f, wrt=(0, 1))(1.3, 0.7)
    assert "nondifferentiable" not in str(info.value)


# ---------------------------------------------------------------- 3. np.cross of 2-vectors in vector forward mode
B2 = np.array([0.3, -1.2])


def cross_with_a_constant(x):
    return np.cross(x, B2) * x[0] + np.cross(B2, x ** 2)


def cross_of_stacks(x):
    a = x.reshape(3, 2)
    return np.sum(np.cross(a, a[::-1] * 2.0) ** 2)


def cross_of_parts(x):
    return np.cross(x[:2], x[2:]) * x


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # (NumPy 2 deprecates np.cross of 2-vectors)
@pytest.mark.parametrize("f, x", [(cross_with_a_constant, np.array([0.5, 1.5])),
                                  (cross_of_stacks, np.arange(6.0) * 0.3 + 0.1)], ids=["constant", "stacks"])
def test_cross_of_2_vectors_in_every_mode(f, x):
    check_every_mode(f, x, exact=True)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_cross_of_2_vectors_forward_jacobian_of_a_vector():
    x = np.array([0.5, 1.5, -0.7, 2.0])
    J = _fd_jacobian(cross_of_parts, x)
    assert_close(s2s.jacobian(cross_of_parts, mode="forward")(x), J, what="forward")
    assert_close(s2s.jacobian(cross_of_parts)(x), J, what="reverse")


# ---------------------------------------------------------------- 4. hasattr of a container the function made
def items_if_mapping(x):
    P = [np.linalg.norm(x.reshape(2, 2), axis=0), x[0]]
    return sum(np.sum(np.tanh(e)) for e in ([P[k] for k in P] if hasattr(P, 'keys') else P))


def values_if_mapping(x):
    d = {'a': x[0] * 2.0, 'b': x[1:]}
    t = (x[2], x[3])
    parts = [d[k] for k in d] if hasattr(d, 'keys') else d
    extra = t[0] if hasattr(t, 'count') and not hasattr(t, 'append') else 0.0
    return np.sum(parts[0] * parts[1]) + extra


@pytest.mark.parametrize("f", [items_if_mapping, values_if_mapping], ids=lambda f: f.__name__)
def test_hasattr_of_a_container_made_here_is_its_types(f):
    check_every_mode(f, np.array([0.3, -0.7, 1.1, 0.4]), exact=True)


def fuzz_3700017(S, coeffs):  # (tests.fuzz level 9, seed 3700017, as generated)
    res = 1.5
    y02 = np.zeros(())
    s9 = coeffs[0]
    P9 = [np.linalg.norm(S, axis=0), res]
    acc9 = sum((np.sum(np.tanh(e9)) for e9 in ([P9[k9] for k9 in P9] if hasattr(P9, 'keys') else P9)))
    r = s9 * y02
    y2 = r * (0.5 * np.ones(4)) / (1.0 + P9[1] * P9[1])
    return np.sum(np.array(y02)) * acc9 + (r - r) + np.sum(y2)


def test_fuzz_3700017():
    S = np.array([[-0.5938, -0.8963, 1.4069, -1.0844], [-1.0972, 0.7623, -0.0778, 1.1407],
                  [-0.6203, 1.2307, 1.1762, 1.0075], [-0.2591, 0.7708, 1.0224, 0.5193]])
    value, (gS, gc) = s2s.value_and_grad(fuzz_3700017, wrt=(0, 1))(S, [1.5569])
    assert value == fuzz_3700017(S, [1.5569])
    assert_close(gS, numeric_grad(lambda S: fuzz_3700017(S, [1.5569]), (S,), 0))
    assert_close(gc, [numeric_grad(lambda c: fuzz_3700017(S, [c]), (1.5569,), 0)])


# ---------------------------------------------------------------- 5. messages
def cubes(x):
    return np.sum(x ** 3)


def test_int_array_to_a_jacobian_of_a_jacobian_names_it():
    for inner in (s2s.jacobian(cubes), s2s.jacobian(cubes, mode="forward")):
        with pytest.raises(s2s.ArgumentTypeError, match="^jacobian_jacobian_cubes: the argument 'x' is an array of "
                                                        "int64") as info:
            s2s.jacobian(inner)(np.array([1, 2, 3]))
        assert "jvp" not in str(info.value)


def by_keys(p, x, lr=0.1):
    s = 0.0
    for k in p:
        s = s + np.sum(p[k] * x) * lr
    return s


def test_source_of_a_gradient_by_a_dict_returns_what_the_call_returns():
    x = np.array([0.3, -0.7, 1.1])
    p = {'a': x, 'b': 0.5}
    transformed = s2s.grad(by_keys)
    namespace = {}
    exec(compile(transformed.source, "<grad_by_keys>", "exec"), namespace)
    standalone, called = namespace["grad_by_keys"](p, x), transformed(p, x)
    assert type(standalone) is dict and type(called) is dict and type(standalone['b']) is float
    assert_close(standalone['a'], 0.1 * x)
    assert standalone['b'] == called['b'] == pytest.approx(0.1 * np.sum(x))


def shifts_first(x):
    y = x
    y[0] = 2.0 * y[1]
    return np.sum(y)


def adds_one(x):
    y = x
    y += 1.0
    return np.sum(y)


def calls_shifts_first(a):
    return shifts_first(a) * 2.0


def calls_adds_one(a):
    return adds_one(a) * 2.0


@pytest.mark.parametrize("f", [calls_shifts_first, calls_adds_one], ids=lambda f: f.__name__)
def test_write_into_the_callers_array_in_a_helper_names_the_helpers_parameter(f):
    with pytest.raises(s2s.S2SError) as info:
        s2s.grad(f)(np.array([1.0, 2.0]))
    assert "caller passed in ('x'" in str(info.value) and "('a'" not in str(info.value)
