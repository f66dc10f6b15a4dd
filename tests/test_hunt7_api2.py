"""The api bug hunt of round 7 (hunt7 api 2): tangents and cotangents smaller than their argument or value, and
functions decorated with a generic functools.wraps wrapper. Each derivative checked against central finite
differences or an analytic value, never against s2s itself."""
import functools

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


def directional(f, args, k, t, eps=1e-6):
    """Central differences of f along the direction t of its argument k."""
    plus, minus = list(args), list(args)
    plus[k] = args[k] + eps * t
    minus[k] = args[k] - eps * t
    return (np.asarray(f(*plus)) - np.asarray(f(*minus))) / (2 * eps)


# ----------------------------------------------------------------- tangents smaller than their argument (item 1)
WEIGHTS = np.array([1.0, 2.0, 3.0])
A = np.eye(3) * 0.5 + 0.1
X = np.array([1.0, -0.5, 0.2])


def weighted_tanh(A, x):
    return np.sum(np.tanh(A.T @ x) * WEIGHTS)


def test_a_tangent_broadcasting_to_its_argument_stands_for_the_array_it_broadcasts_to():
    """A (3,) tangent for a (3, 3) argument was read by the generated code as a vector (A.T @ x's tangent dA.T @ x
    a number): -1.117 for 1.185, no error; a (1, 3) one and a NumPy scalar crashed in matmul."""
    A0, X0 = A.copy(), X.copy()
    t = np.array([1.0, 2.0, -1.0])
    jf = s2s.jvp(weighted_tanh)
    for given, meant in ((t, np.broadcast_to(t, (3, 3))), (t[None, :], np.broadcast_to(t, (3, 3))),
                         (np.float64(0.5), np.full((3, 3), 0.5)), (0.5, np.full((3, 3), 0.5))):
        value, tangent = jf((A, X), (given,))
        assert value == pytest.approx(weighted_tanh(A, X))
        assert_close(tangent, directional(weighted_tanh, (A, X), 0, meant), what=f"jvp of {given!r}")
    for bad in (np.ones(4), np.ones((3, 1, 3)), np.ones((2, 3))):
        with pytest.raises(ValueError, match=r"the tangent of 'A' has shape .*, but 'A' has shape \(3, 3\)"):
            jf((A, X), (bad,))
    assert np.array_equal(A, A0) and np.array_equal(X, X0)


def weighted_tanh_of_dict(p, x):
    return np.sum(np.tanh(p["A"].T @ x) * WEIGHTS) * p["b"]


def rows_times_vector(xs):
    return xs[0] @ xs[1]


def test_the_leaves_of_a_container_tangent_are_shaped_as_the_arguments_leaves():
    """A dict or list argument's tangent went unchecked: a (3,) leaf for a (3, 3) one read as a vector (silently
    wrong), a number or a (1, 3) leaf crashed in matmul, a missing key raised KeyError inside generated code."""
    p = {"A": A, "b": 2.0}
    t = np.array([1.0, 2.0, -1.0])
    f = lambda A_, x: weighted_tanh_of_dict({"A": A_, "b": 2.0}, x)  # noqa: E731
    jf = s2s.jvp(weighted_tanh_of_dict)
    for given, meant in ((t, np.broadcast_to(t, (3, 3))), (1.0, np.ones((3, 3))), (t[None], np.broadcast_to(t, (3, 3)))):
        _, tangent = jf((p, X), ({"A": given, "b": 0.0},))
        assert_close(tangent, directional(f, (A, X), 0, meant), what=f"jvp of a dict, {given!r}")
    with pytest.raises(ValueError, match=r"the tangent of p\['A'\] has shape \(4,\), but p\['A'\] has shape"):
        jf((p, X), ({"A": np.ones(4), "b": 0.0},))
    with pytest.raises(ValueError, match=r"the tangent of 'p' is a dict of keys \['A'\], but 'p' is a dict of keys"):
        jf((p, X), ({"A": A},))
    xs = [np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([1.0, 2.0])]
    _, tangent = s2s.jvp(rows_times_vector)((xs,), ([np.ones(2), 1.0],))  # (dM = ones((2, 2)), dv = ones(2))
    assert_close(tangent, np.ones((2, 2)) @ xs[1] + xs[0] @ np.ones(2), what="jvp of a list")
    with pytest.raises(ValueError, match=r"the tangent of 'xs' is a list of 1, but 'xs' is a list of 2"):
        s2s.jvp(rows_times_vector)((xs,), ([np.ones(2)],))


def outer_times(A, x):
    return np.outer(x, x) @ A


def test_a_cotangent_broadcasting_to_an_array_value_stands_for_the_array_it_broadcasts_to():
    """The pullback of a (3, 3) value read a (3,) cotangent as a vector (silently wrong) and crashed on 1.0 and on
    a (1, 3) one. The gradient of sum(ct * f) is checked by differences of that sum."""
    v, pullback = s2s.vjp(outer_times)(A, X)
    assert_close(v, outer_times(A, X), what="value")
    for given in (np.array([1.0, 2.0, -1.0]), 1.5, np.array([[1.0, 2.0, -1.0]]), np.float64(1.5)):
        meant = np.broadcast_to(given, (3, 3))
        assert_close(pullback(given), numeric_grad(lambda A_: np.sum(meant * outer_times(A_, X)), (A,), 0),
                     what=f"pullback of {given!r}")
    with pytest.raises(ValueError, match="takes a cotangent with the structure and shape of the value"):
        pullback(np.ones(4))


# ----------------------------------------------------------------- functools.wraps wrappers (item 2)
def logged(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def times_ten(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return 10.0 * fn(*args, **kwargs)
    return wrapper


def first_doubled(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        return fn(2.0 * args[0], *args[1:])  # (reads its arguments: transformed with its own parameters)
    return wrapper


class Model:
    def __init__(self, k):
        self.k = k

    @logged
    def loss(self, x):
        return self.k * x ** 3


@logged
def cubed_times(x, a=2.0):
    return a * x ** 3


@logged
def squared_residuals(w, x):
    return np.sum((x @ w) ** 2)


@times_ten
def scaled_power(x, *, p=3.0):
    return x ** p


@first_doubled
def doubled_cube(x, c):
    return x ** 3 + c


W = np.array([0.5, -1.0])
DATA = np.array([[1.0, 2.0], [0.3, 0.1]])


def test_a_logged_method_is_differentiated_with_respect_to_the_parameter_it_shows():
    """grad(m.loss) gave {} (the derivative with respect to the wrapper's **kwargs) for 1.5, so did
    grad(Model.loss, wrt=1), and jvp(m.loss) refused the bound wrapper ('has no parameter for it')."""
    m = Model(2.0)
    assert s2s.grad(m.loss)(0.5) == pytest.approx(6.0 * 0.25)
    assert s2s.grad(Model.loss, wrt=1)(m, 0.5) == pytest.approx(1.5)
    assert s2s.value_and_grad(m.loss)(0.5) == (pytest.approx(0.25), pytest.approx(1.5))
    assert s2s.jvp(m.loss)((0.5,), (2.0,)) == (pytest.approx(0.25), pytest.approx(3.0))
    assert s2s.vjp(m.loss)(0.5)[1](2.0) == pytest.approx(3.0)
    assert s2s.hessian(m.loss)(0.5) == pytest.approx(12.0 * 0.5)
    assert s2s.grad(s2s.grad(m.loss))(0.5) == pytest.approx(6.0)


def test_wrt_counts_the_parameters_a_logged_function_shows():
    """grad(f, wrt=1) of `@logged def f(x, a=2.0)` gave {} (the wrapper's **kwargs); a is meant: x ** 3."""
    assert s2s.grad(cubed_times, wrt=1)(0.5) == pytest.approx(0.125)
    assert s2s.grad(cubed_times, wrt="a")(0.5, 3.0) == pytest.approx(0.125)
    assert s2s.grad(cubed_times)(0.5, a=3.0) == pytest.approx(9.0 * 0.25)
    assert s2s.jvp(cubed_times, wrt=1)((0.5,), (1.0,))[1] == pytest.approx(0.125)
    assert "def grad_cubed_times(x, a=2.0)" in s2s.grad(cubed_times, wrt=1).source


def test_the_jacobian_and_hessian_of_a_logged_function():
    """jacobian crashed in derived.py (the gradient a tuple over *args, its rows taken for w's), hessian in the
    user's matmul; both now of w, the first parameter the function shows, against differences."""
    w0, d0 = W.copy(), DATA.copy()
    reference = numeric_grad(squared_residuals, (W, DATA), 0)
    assert_close(s2s.grad(squared_residuals)(W, DATA), reference, what="grad")
    assert_close(s2s.jacobian(squared_residuals)(W, DATA), reference, what="jacobian")
    assert_close(s2s.jacobian(squared_residuals, mode="forward")(W, DATA), reference, what="forward jacobian")
    g = lambda w: squared_residuals.__wrapped__(w, DATA)  # noqa: E731
    hessian = np.array([[numeric_grad(lambda w: numeric_grad(g, (w,), 0, eps=1e-4)[i], (W,), 0, eps=1e-4)[j]
                         for j in range(2)] for i in range(2)])
    assert_close(s2s.hessian(squared_residuals)(W, DATA), 2.0 * DATA.T @ DATA, what="hessian (analytic)")
    assert_close(hessian, 2.0 * DATA.T @ DATA, what="differences of the gradient")
    assert_close(s2s.grad(squared_residuals, wrt=1)(W, DATA), numeric_grad(squared_residuals, (W, DATA), 1),
                 what="grad wrt x")
    assert np.array_equal(W, w0) and np.array_equal(DATA, d0)


def test_what_a_wrapper_adds_is_differentiated_and_one_reading_its_arguments_keeps_its_parameters():
    """10.0 * fn(*args, **kwargs) keeps its factor, with a keyword-only parameter; a wrapper reading args[0] is
    not a pass-through and is differentiated with its own parameter, *args (a tuple derivative)."""
    assert s2s.grad(scaled_power)(0.5) == pytest.approx(30.0 * 0.25)
    assert s2s.grad(scaled_power)(0.5, p=2.0) == pytest.approx(20.0 * 0.5)
    assert s2s.grad(doubled_cube)(0.5, 1.0) == (pytest.approx(3.0 * 2.0), pytest.approx(1.0))


SCALES = np.array([1.0, 2.0])


@logged
def weighted_squares(x, w=SCALES):
    return np.sum(w * x ** 2)


def test_a_logged_functions_array_default_keeps_its_modules_name():
    """The function made for a logged one keeps what its defaults are called in their module (W=SCALES, as the
    undecorated function's code says), not a name the generated text cannot import; derivatives analytic."""
    x = np.array([0.5, 1.5])
    assert_close(s2s.grad(weighted_squares)(x), 2.0 * SCALES * x, what="grad in x")
    assert_close(s2s.grad(weighted_squares, wrt="w")(x), x ** 2, what="grad in the default w")
    assert "def grad_weighted_squares(x, w=SCALES)" in s2s.grad(weighted_squares).source


def weighted_tanh_keyword(x, *, A):
    return np.sum(np.tanh(A.T @ x) * WEIGHTS)


def summed_product_of_rest(x, *rest):
    return np.sum(rest[0] @ x)


def test_keyword_only_and_starred_arguments_tangents_are_shaped_too():
    """A keyword-only wrt argument's tangent was not checked nor widened (a (3,) one for A read as a vector:
    -1.117 for 1.185), and in wrt=('A', 0) the tangents were paired with the positional arguments alone, so A's
    was compared with x's shape (refused); a *rest argument's tuple tangent was not widened (-0.2 for -0.6)."""
    t = np.array([1.0, 2.0, -1.0])
    full = np.broadcast_to(t, (3, 3))
    jf = s2s.jvp(weighted_tanh_keyword, wrt="A")
    g = lambda A_, x: weighted_tanh_keyword(x, A=A_)  # noqa: E731
    assert_close(jf((X,), (t,), A=A)[1], directional(g, (A, X), 0, full), what="jvp in a keyword-only A")
    with pytest.raises(ValueError, match=r"the tangent of 'A' has shape \(4,\), but 'A' has shape \(3, 3\)"):
        jf((X,), (np.ones(4),), A=A)
    _, both = s2s.jvp(weighted_tanh_keyword, wrt=("A", 0))((X,), (np.ones((3, 3)), t), A=A)
    assert_close(both, directional(g, (A, X), 0, np.ones((3, 3))) + directional(g, (A, X), 1, t),
                 what="jvp in A and x")
    _, tangent = s2s.jvp(summed_product_of_rest, wrt=1)((X, A), ((t,),))
    h = lambda A_: summed_product_of_rest(X, A_)  # noqa: E731
    assert_close(tangent, directional(h, (A,), 0, full), what="jvp in *rest")


def scaled_cosine(x, *, scale=0.5):
    return scale * np.cos(x)


def test_a_keyword_only_wrt_is_paired_with_its_own_derivative():
    """The wrt positions left keyword-only parameters out, so a derivative was paired with another argument or
    none: grad(f, wrt='scale') raised IndexError (docs/syntax.md's errstate example); analytic values."""
    assert s2s.grad(scaled_cosine, wrt="scale")(0.3) == pytest.approx(np.cos(0.3))
    assert type(s2s.grad(scaled_cosine, wrt="scale")(0.3, scale=2.0)) is float
    both = s2s.grad(scaled_cosine, wrt=("scale", 0))(0.3, scale=2.0)
    assert both == (pytest.approx(np.cos(0.3)), pytest.approx(-2.0 * np.sin(0.3)))
    assert all(type(g) is float for g in both)
    with pytest.raises(TypeError, match="'scale' is an array of int64"):
        s2s.grad(scaled_cosine, wrt="scale")(0.3, scale=np.array([1, 2]))


def args_doubled(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(2.0 * args[0], *args[1:], **kwargs)  # (reads args[0]: not a pass-through)
    return wrapper


@args_doubled
def doubled_residuals(w, x):
    return np.sum((x @ w) ** 2)


class Doubled:
    k = 2.0

    @args_doubled
    def loss(self, x):
        return self.k * x ** 3


def test_a_wrapper_reading_its_arguments_refuses_what_it_cannot_mean():
    """Of a wrapper that reads its *args itself, jacobian crashed ('setting an array element with a sequence'),
    hessian and the forward Jacobian in the user's matmul, grad(f, wrt=1) gave {} (the **kwargs), and a bound
    method's grad the same; each is refused, naming f.__wrapped__. Its grad keeps its own parameter args
    (analytic: 2 * 2 X^T X (2 w) with the factor 2 of the wrapper)."""
    g = s2s.grad(doubled_residuals)(W, DATA)
    assert_close(g[0], 2.0 * 2.0 * DATA.T @ (DATA @ (2.0 * W)), what="grad in args[0]")
    for transform in (lambda: s2s.jacobian(doubled_residuals), lambda: s2s.hessian(doubled_residuals),
                      lambda: s2s.jacobian(doubled_residuals, mode="forward"),
                      lambda: s2s.grad(doubled_residuals, wrt=1), lambda: s2s.grad(Doubled().loss),
                      lambda: s2s.jvp(Doubled().loss)):
        with pytest.raises(s2s.S2SError, match=r"reads its arguments itself.*__wrapped__"):
            transform()


def test_a_wrapper_is_left_as_the_user_made_it():
    """Transforming a logged function set an attribute on the user's wrapper (`__s2s_forwarded__`, the function
    made for it): its `vars()` changed, and a `functools.wraps` of it later copied the attribute. What s2s makes
    for a wrapper is kept beside it now; a new transformation of the same wrapper finds it."""
    @logged
    def cube(x, a=2.0):
        return a * x ** 3

    before = dict(vars(cube))
    assert s2s.grad(cube)(0.5) == pytest.approx(6.0 * 0.25)
    assert s2s.grad(cube, wrt="a")(0.5) == pytest.approx(0.125)
    assert s2s.jvp(cube)((0.5,), (1.0,))[1] == pytest.approx(1.5)
    assert vars(cube) == before
    assert s2s.grad(cube)(1.0) == pytest.approx(6.0)  # (a new transformation, the same cached code)
