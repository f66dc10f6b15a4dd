"""Round 8, front end (hunt8autograd F1, F2, F5; hunt8cost C2). Each derivative checked against central differences
(conftest.check_every_mode: value_and_grad, jvp, both Jacobians, the Hessian, the Jacobian of the gradient) or an
analytic value."""
import numpy as np
import pytest

import s2s
from s2s.errors import S2SError
from tests.conftest import assert_close, check_every_mode, numeric_grad

# --------------------------------------------------------------------------- F1: a helper rebinding its parameter,
# bound to module or closure data of the same name: the helper's new local took the data's own name (the right-hand
# `v` of `v = v * o` read the new local itself: RecursionError in reverse mode, UnboundLocalError in forward mode)

X = np.random.RandomState(0).randn(6, 2)
y = np.arange(6.0)
v = np.array([1.0, 2.0, 3.0])
inputs = np.random.RandomState(1).randn(3, 2, 2)


def standardize(X):
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X


def objective(w):
    return np.mean((standardize(X) @ w - y) ** 2)


def scaled(v, o):
    v = v * o
    return v


def scaled_twice(v, o):
    w = v * o
    v = w + 1.0
    return v


def shifted(o, v):
    v = v + o
    return v


def module_data(o):
    return np.sum(scaled(v, o) ** 2)


def module_data_twice(o):
    return np.sum(scaled_twice(v, o) ** 2)


def folded_argument(o):
    return np.sum(scaled(v + 0.0, o) ** 2)


def aliased_argument(o):
    w = v
    return np.sum(scaled(w, o) ** 2)


def keyword_argument(o):
    return np.sum(shifted(o, v=v) ** 2)


def positional_second(o):
    return np.sum(shifted(o, v) ** 2)


def make(v):
    def f(o):
        return np.sum(scaled(v, o) ** 2) + np.sum(v)
    return f


class Layer:
    def forward(self, inputs, params):
        if inputs.ndim > 2:
            inputs = inputs.reshape((inputs.shape[0], -1))
        return np.tanh(inputs @ params)


layer = Layer()


def method_call(W):
    return np.sum(layer.forward(inputs, W.reshape(4, 2)) ** 2)


def test_helper_rebinding_its_parameter_bound_to_module_data():
    w = np.array([0.3, -0.2])
    Xs = standardize(X)
    analytic = 2 * Xs.T @ (Xs @ w - y) / 6
    assert_close(s2s.grad(objective)(w), analytic, what="grad")
    check_every_mode(objective, w)


@pytest.mark.parametrize("f", [module_data, module_data_twice, folded_argument, aliased_argument, keyword_argument,
                               positional_second, make(v), method_call], ids=lambda f: f.__qualname__)
def test_same_named_data_every_mode(f):
    x = np.linspace(-0.8, 0.9, 8) if f is method_call else np.array([0.5, -1.0, 2.0])
    kept = v.copy(), inputs.copy()
    check_every_mode(f, x)
    assert np.array_equal(kept[0], v) and np.array_equal(kept[1], inputs)


def added_in_place(v, o):
    v += o
    return v


def in_place_on_module_v(o):
    return np.sum(added_in_place(v, o) * o)


def test_in_place_on_same_named_module_data_is_refused_at_its_line():
    with pytest.raises(S2SError, match=r"'v \+= o' would change an array in place"):
        s2s.grad(in_place_on_module_v)(np.array([0.5, -1.0, 2.0]))
    assert np.array_equal(v, [1.0, 2.0, 3.0])


# --------------------------------------------------------------------------- F2: zip(*xs) in a for loop: xs's
# sequences are unpacked where their number is known (a helper's tuple result, a list display); refused naming the
# starred argument otherwise (was: "zip() without unpacking one name per sequence", what the user had done)

def halves(x):
    return x[:2], x[2:].reshape(2, 2)


def zip_of_helper_tuple(x):
    s = 0.0
    for a, b in zip(*halves(x)):
        s = s + a * np.sum(b ** 2)
    return s


def zip_of_list_display(x):
    s = 0.0
    for a, b in zip(*[[x[0], x[1]], [x[2] * x[3], x[4]]]):
        s = s + np.sin(a) * b
    return s


def zip_with_a_sequence_first(x):
    s = 0.0
    for c, a, b in zip(x[4:], *halves(x[:6])):
        s = s + c * a * np.sum(np.cos(b))
    return s


def zip_in_a_comprehension(x):
    return sum(a * np.sum(b ** 2) for a, b in zip(*halves(x)))


@pytest.mark.parametrize("f", [zip_of_helper_tuple, zip_of_list_display, zip_with_a_sequence_first,
                               zip_in_a_comprehension], ids=lambda f: f.__name__)
def test_zip_of_a_starred_tuple_known_here(f):
    check_every_mode(f, np.array([0.5, -1.0, 2.0, 0.3, 0.7, -0.4]))


def zip_of_array_rows(x):
    s = 0.0
    for a, b in zip(*x):
        s = s + a * b
    return s


def zip_of_array_rows_unpacked(x):
    s = 0.0
    xs0, xs1 = x
    for a, b in zip(xs0, xs1):
        s = s + a * b
    return s


def test_zip_of_a_starred_array_refused_naming_it():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(S2SError, match=r"zip\(\*x\), x holding a number of sequences known only at run time .*"
                                       r"xs0, xs1 = x, then zip\(xs0, xs1\)") as e:
        s2s.grad(zip_of_array_rows)(x)
    assert "for a, b in zip(*x):" in str(e.value)
    assert_close(s2s.grad(zip_of_array_rows_unpacked)(x), numeric_grad(zip_of_array_rows, (x,), 0), what="advice")


# --------------------------------------------------------------------------- C2: the derivative of a recursive
# function needs about 5 Python frames per level where the function needs one: past the recursion limit, an S2SError
# at the user's line naming the depth and the limit to set (was a bare RecursionError, a 2,800-line traceback)

def chain(x, n):
    if n == 0:
        return x
    return chain(np.sin(x) + 0.1 * x, n - 1)


def _chain_derivative(x, n):
    d = 1.0
    for _ in range(n):
        d = d * (np.cos(x) + 0.1)
        x = np.sin(x) + 0.1 * x
    return d


@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_recursion_deeper_than_the_limit_allows(mode):
    import sys
    depth = 400
    run = (lambda: s2s.grad(chain)(0.7, depth)) if mode == "grad" else \
        (lambda: s2s.jvp(chain)((0.7, depth), (1.0,))[1])
    assert chain(0.7, depth) == pytest.approx(chain(0.7, depth))  # (the function itself runs at this depth)
    limit = sys.getrecursionlimit()
    if limit >= 6 * depth + 1000:
        pytest.skip("the recursion limit is raised already")
    with pytest.raises(S2SError, match=r"recursive function chain ran out of Python's recursion limit \(\d+ frames\) "
                                       r"\d+ calls of chain deep.*sys.setrecursionlimit\(6 \* depth \+ \d+\).*as a "
                                       r"loop") as e:
        run()
    assert "return chain(np.sin(x) + 0.1 * x, n - 1)" in "".join(__import__("traceback").format_tb(e.tb)[-1:])
    assert len(__import__("traceback").format_tb(e.tb)) < 20
    sys.setrecursionlimit(6 * depth + limit)  # (the advice)
    try:
        got = run()
    finally:
        sys.setrecursionlimit(limit)
    assert got == pytest.approx(_chain_derivative(0.7, depth), rel=1e-9, abs=1e-300)
    assert s2s.grad(chain)(0.7, 30) == pytest.approx(numeric_grad(chain, (0.7, 30), 0), rel=1e-6)


# --------------------------------------------------------------------------- F5: s2s.grad of a lambda or def made
# inside the function, reading only its closure and module (autograd's elementwise_grad the JAX way, nested): it is
# a Python function made from its own text, transformed as one defined in the factory is (was refused, with advice
# to define it at module level, which a lambda reading the factory's f cannot follow)

def egrad_lambda(f):
    def g(x):
        return s2s.grad(lambda z: np.sum(f(z)))(x)
    return g


def egrad_def(f):
    def g(x):
        def h(z):
            return np.sum(f(z))
        return s2s.grad(h)(x)
    return g


def _tanh_derivatives(x):
    t = np.tanh(x)
    d1 = 1 - t ** 2
    d2 = -2 * t * d1
    return d1, d2, -2 * d1 * d1 - 2 * t * d2


@pytest.mark.parametrize("egrad", [egrad_lambda, egrad_def], ids=lambda f: f.__name__)
def test_grad_of_a_function_made_inside_reading_its_closure(egrad):
    x = np.linspace(-2.0, 2.0, 5)
    d1, d2, d3 = _tanh_derivatives(x)
    assert_close(egrad(np.tanh)(x), d1, what="first")
    assert_close(egrad(egrad(np.tanh))(x), d2, 1e-10, 1e-12, what="second")
    assert_close(egrad(egrad(egrad(np.tanh)))(x), d3, 1e-10, 1e-12, what="third")
    inner = egrad(np.tanh)
    check_every_mode(lambda v: np.sum(inner(v) * v), x[:3], hessian=False)


def summed_second_derivative(x):
    return np.sum(egrad_lambda(np.sin)(x) * x)


def test_factory_inlined_into_the_differentiated_function():
    """egrad_lambda inlined: its f is np.sin, bound once (a parameter of the factory), known while compiling."""
    x = np.array([0.3, -0.7, 1.2])
    check_every_mode(summed_second_derivative, x)


def reads_a_variable(f):
    def g(x):
        return s2s.grad(lambda z: np.sum(f(z) * x))(x)
    return g


def reads_a_variable_as_advised(f):
    def g(x):
        return s2s.grad(lambda z, x: np.sum(f(z) * x), wrt=0)(x, x)
    return g


def test_grad_of_a_lambda_reading_a_variable_of_the_function():
    x = np.array([0.3, -0.7, 1.2])
    with pytest.raises(S2SError, match=r"reads 'x', a variable of the function whose value only the run knows.*"
                                       r"s2s.grad\(lambda z, x: \.\.\., wrt=0\)\(z, x\)"):
        s2s.jacobian(reads_a_variable(np.tanh))(x)
    g = reads_a_variable_as_advised(np.tanh)
    assert_close(s2s.jacobian(g)(x), np.diag(1 - np.tanh(x) ** 2 - 2 * x * np.tanh(x) * (1 - np.tanh(x) ** 2)),
                 what="advice")
