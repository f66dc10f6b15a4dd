"""The public API's plumbing: which argument a `wrt` names (a parameter left at its default, `*args`, `**kwargs`)
in every transformation built from the others, check_grad on tuple values and containers holding counts, and
forward-mode Jacobians of tuple values. Each case is checked against an analytic value or finite differences."""
import numpy as np
import pytest

import s2s
from tests.conftest import assert_close


def with_default(x, z=1.0):
    return x * x + z * z * x


def with_keyword_only(x, *, z=2.0):
    return x * z * z


def star(x, *args):
    s = x
    for a in args:
        s = s * a
    return s


def star_star(x, **kw):
    return x * kw["a"] * kw["a"]


# ------------------------------------------------------------------------------------- wrt names a default


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_jacobian_wrt_a_parameter_left_at_its_default(mode):
    """jacobian(f, wrt="z")(1.5) with z left at its default 1.0 (was: IndexError in both modes)."""
    assert_close(s2s.jacobian(with_default, wrt="z", mode=mode)(1.5), 2 * 1.0 * 1.5)  # d/dz = 2 z x
    assert_close(s2s.jacobian(with_default, wrt=1, mode=mode)(1.5), 2 * 1.0 * 1.5)
    assert_close(s2s.jacobian(with_keyword_only, wrt="z", mode=mode)(1.5), 2 * 1.5 * 2.0)
    assert_close(s2s.jacobian(with_default, wrt=("x", "z"), mode=mode)(1.5), (2 * 1.5 + 1.0, 3.0))


def test_hessian_and_check_grad_wrt_a_parameter_left_at_its_default():
    assert_close(s2s.hessian(with_default, wrt="z")(1.5), 2 * 1.5)  # d2/dz2 = 2 x
    assert_close(s2s.hessian(with_keyword_only, wrt="z")(1.5), 2 * 1.5)
    assert s2s.check_grad(with_default, 1.5, wrt="z") is None
    assert s2s.check_grad(with_keyword_only, 1.5, wrt=("x", "z")) is None


# ----------------------------------------------------------------------------------- wrt names *args, **kwargs


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_jacobian_wrt_a_star_args_parameter_is_a_tuple_of_jacobians(mode):
    """As grad: the derivative with respect to the tuple `args` (was: ValueError, IndexError)."""
    jac = s2s.jacobian(star, wrt=1, mode=mode)
    for _ in range(2):  # (the second call takes the fast path, which read args[1] for the tuple)
        got = jac(2.0, 3.0, 4.0)
        assert isinstance(got, tuple) and len(got) == 2
        assert_close(got[0], 2.0 * 4.0) and assert_close(got[1], 2.0 * 3.0)
    assert_close(s2s.jacobian(star, wrt="args", mode=mode)(2.0, 3.0, 4.0)[1], 6.0)


def test_hessian_wrt_star_args_and_star_star_kwargs():
    h = s2s.hessian(star, wrt=1)(2.0, 3.0, 4.0)  # d2/(da_i da_j) of x a0 a1: x off the diagonal
    assert_close(np.array(h, dtype=float), [[0.0, 2.0], [2.0, 0.0]])
    h = s2s.hessian(star_star, wrt="kw")(2.0, a=3.0)
    assert list(h) == ["a"] and list(h["a"]) == ["a"]
    assert_close(h["a"]["a"], 2 * 2.0)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_jacobian_wrt_a_star_star_kwargs_parameter_is_a_dict(mode):
    got = s2s.jacobian(star_star, wrt="kw", mode=mode)(2.0, a=3.0)
    assert list(got) == ["a"]
    assert_close(got["a"], 2 * 2.0 * 3.0)


def test_check_grad_wrt_star_args():
    assert s2s.check_grad(star, 2.0, 3.0, 4.0, wrt=1) is None
    assert s2s.check_grad(star, 2.0, 3.0, 4.0, wrt=(0, "args")) is None


# -------------------------------------------------------------------------------------------- check_grad


def badly_cubed(x):
    return x ** 3


@s2s.adjoint(badly_cubed)
def _badly_cubed_adjoint(g, ans, x):
    return (g * 2.0 * x,)  # wrong: 3 x^2


@s2s.tangent(badly_cubed)
def _badly_cubed_tangent(tangents, ans, x):
    return 3.0 * x ** 2 * tangents[0]


def pair(x):
    return np.sum(x), x * 2.0


def wrong_pair(x):
    return np.sum(x), badly_cubed(x)


def star_wrong(x, *args):
    return x + badly_cubed(args[0])


def power_of_count(p):
    x, n = p
    y = x
    for i in range(n):
        y = y * x
    return np.sum(y)


def scaled_by_count(p):
    x, n = p
    return np.sum(x) * n


def count_only(x, n):
    s = 0.0
    for i in range(n):
        s = s + x
    return s


def test_check_grad_of_a_tuple_value_checks_each_part():
    """A function returning a tuple (was: ValueError building one array of the parts)."""
    assert s2s.check_grad(pair, np.array([1.0, 2.0, 3.0])) is None
    with pytest.raises(AssertionError) as info:
        s2s.check_grad(wrong_pair, np.array([1.0, 2.0]))
    text = str(info.value)
    assert "reverse mode, d[1]/dx" in text and "forward mode" not in text  # only the wrong rule's part
    assert "d[0]/dx" not in text


def test_check_grad_finds_a_wrong_derivative_with_respect_to_star_args():
    with pytest.raises(AssertionError) as info:
        s2s.check_grad(star_wrong, 1.0, 2.0, wrt=1)
    text = str(info.value)
    assert "reverse mode, d/dargs[0]" in text and "forward mode" not in text
    assert "8" in text and "12" in text  # analytic 2 x * 2 = 8, numeric 3 x^2 = 12 at x = 2


def test_check_grad_holds_a_count_in_a_container_fixed():
    """An int in a container that the function takes only as an int (range(n)) is not perturbed (was: TypeError
    from range(2.000001)); the float leaves are still checked, and an int used as a number still is."""
    assert s2s.check_grad(power_of_count, (np.array([1.0, 2.0]), 2)) is None
    assert s2s.check_grad(scaled_by_count, (np.array([1.0, 2.0]), 3)) is None
    with pytest.raises(TypeError, match="'n' is the int 3, which count_only takes only as an int"):
        s2s.check_grad(count_only, 2.0, 3, wrt=1)
    assert s2s.check_grad(count_only, 2.0, 3, wrt=0) is None


# ------------------------------------------------------------------------------------- forward-mode Jacobian


def two_parts(x):
    return x * 2.0, x * 3.0


def two_shapes(x):
    return x[0] * x[1], x * x


def test_forward_jacobian_of_a_tuple_value_is_a_tuple_of_jacobians():
    """The parts of a tuple value of one shape were stacked into one array whose elements were out of place
    (jacobian(f, mode="forward") of (2 x, 3 x) gave a (2, 2, 2) array, the 3s in the 2s' block); of two shapes,
    a ValueError."""
    x = np.array([1.0, -2.0])
    for mode in ("forward", "reverse"):
        got = s2s.jacobian(two_parts, mode=mode)(x)
        assert isinstance(got, tuple) and len(got) == 2, mode
        assert_close(got[0], 2.0 * np.eye(2), what=mode)
        assert_close(got[1], 3.0 * np.eye(2), what=mode)
        got = s2s.jacobian(two_shapes, mode=mode)(x)
        assert_close(got[0], [x[1], x[0]], what=mode)
        assert_close(got[1], np.diag(2 * x), what=mode)


# --------------------------------------------------------------------------------- leaves of container arguments


def flagged(p):
    return p["w"] * 2.0 if p["flag"] else p["w"] * p["w"]


def indexed(p):
    return p[0] * np.sum(p[1])


def counted(p):
    return p[0] * p[1]


@pytest.mark.parametrize("transform", [
    lambda f, p: s2s.grad(f)(p), lambda f, p: s2s.vjp(f)(p), lambda f, p: s2s.jvp(f)((p,), (p,)),
    lambda f, p: s2s.jacobian(f)(p), lambda f, p: s2s.jacobian(f, mode="forward")(p), lambda f, p: s2s.hessian(f)(p)])
def test_a_bool_or_integer_array_leaf_is_refused_as_at_the_top_level(transform):
    """A bool argument is refused; a bool inside a dict got a derivative, 2.0 for flag in p['w'] * p['flag']
    (JAX refuses both). An integer array likewise, by its place."""
    with pytest.raises(TypeError, match=r"holds a bool at p\['flag'\], which has no derivative"):
        transform(flagged, {"w": 2.0, "flag": True})
    with pytest.raises(TypeError, match=r"holds an array of (bool|int\d+) at p\[1\]; .*outside wrt.* p\[1\]\.astype\(float\)"):
        transform(indexed, (2.0, np.array([1, 2])))
    with pytest.raises(TypeError, match=r"holds an array of bool at p\[1\]"):
        transform(indexed, (2.0, np.array([True, False])))


def test_an_int_leaf_is_a_number_as_at_the_top_level():
    assert s2s.grad(counted)((2.0, 3)) == (3.0, 2.0)
    assert s2s.grad(with_default, wrt=1)(2.0, 3) == 2 * 3 * 2.0
    assert_close(s2s.hessian(counted)((2.0, 3))[0][1], 1.0)


# ------------------------------------------------------------------------------------------- wrt names nothing


def no_parameters():
    return 1.0


@pytest.mark.parametrize("transform", [
    lambda f: s2s.grad(f)(), lambda f: s2s.jacobian(f)(), lambda f: s2s.jacobian(f, mode="forward")(),
    lambda f: s2s.hessian(f)(), lambda f: s2s.check_grad(f)])
def test_a_function_without_parameters_is_told_so(transform):
    """Was: 'positions count from 0, so the last is wrt=-1' (grad), an IndexError (forward Jacobian, hessian)."""
    with pytest.raises(ValueError, match="no_parameters has no parameters, so there is nothing to differentiate"):
        transform(no_parameters)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_a_wrt_naming_no_parameter_is_told_so_in_every_jacobian(mode):
    with pytest.raises(ValueError, match=r"wrt='q' is not a parameter of with_default; its parameters are \['x', 'z'\]"):
        s2s.jacobian(with_default, wrt="q", mode=mode)(1.0)
    with pytest.raises(ValueError, match="wrt=5 is out of range"):
        s2s.hessian(with_default, wrt=5)(1.0)


# ---------------------------------------------------------------------------- defaults changed in the process


def scaled(x, k=2.0):
    return x * k


def scaled_kw(x, *, k=2.0):
    return x * k


def uses_scaled(x):
    return scaled(x) * x + scaled_kw(x) * x


def own_keyword_only(x, *, k=2.0):
    return x * x * k


def test_a_helpers_defaults_changed_in_the_process_are_not_served_stale():
    """The cache's facts covered the helper object, not the defaults it was inlined with: assigning
    scaled.__defaults__ or an item of scaled_kw.__kwdefaults__ (or of f's own) kept the gradient of the old
    values (4 x for 6 x)."""
    g = s2s.grad(uses_scaled)
    own = s2s.grad(own_keyword_only)
    try:
        assert g(1.5) == 2 * 2.0 * 1.5 + 2 * 2.0 * 1.5 and own(1.5) == 2 * 1.5 * 2.0
        scaled.__defaults__ = (3.0,)
        assert g(1.5) == 2 * 3.0 * 1.5 + 2 * 2.0 * 1.5
        scaled_kw.__kwdefaults__["k"] = 5.0
        own_keyword_only.__kwdefaults__["k"] = 5.0
        assert g(1.5) == 2 * 3.0 * 1.5 + 2 * 5.0 * 1.5 and own(1.5) == 2 * 1.5 * 5.0
        assert own(1.5, k=2.0) == 2 * 1.5 * 2.0
    finally:
        scaled.__defaults__ = (2.0,)
        scaled_kw.__kwdefaults__["k"] = own_keyword_only.__kwdefaults__["k"] = 2.0
    assert g(1.5) == 2 * 2.0 * 1.5 + 2 * 2.0 * 1.5 and own(1.5) == 2 * 1.5 * 2.0


def _powered(x, scale=1.0, power=3):
    return scale * np.sum(x ** power)


def test_a_parameter_given_by_keyword_in_forward_mode():
    """`hessian(f)(x, power=2)`, `jacobian(f, mode="forward")(x, power=2)`: the keyword takes its place among the
    positional parameters before the tangents (it raised 'jvp_f() got multiple values for argument power')."""
    x = np.array([1.0, 2.0])
    assert np.array_equal(s2s.hessian(_powered)(x, power=2), 2.0 * np.eye(2))
    assert np.array_equal(s2s.jacobian(_powered, mode="forward")(x, power=2), 2.0 * x)
    assert np.array_equal(s2s.jacobian(_powered, mode="forward")(x, 2.0, power=2), 4.0 * x)
    assert s2s.jvp(_powered)((x,), (np.ones(2),), power=2) == (5.0, 6.0)


def _selected(a, b):
    return np.where(a > b, a, b) * 2.0


def test_the_derivative_of_a_number_is_a_float_where_numpy_makes_a_0d_array():
    """np.where of numbers is a 0-d array, and so was the gradient with respect to a float (API.md: a Python
    float for a float or int; a 0-d array for a 0-d array argument)."""
    assert s2s.grad(_selected, wrt=(0, 1))(1.5, 0.5) == (2.0, 0.0)
    assert all(type(g) is float for g in s2s.grad(_selected, wrt=(0, 1))(1.5, 0.5))
    assert type(s2s.value_and_grad(_selected)(0.5, 1.5)[1]) is float
    g = s2s.grad(_selected)(np.array(1.5), 0.5)
    assert type(g) is np.ndarray and g.ndim == 0 and g == 2.0
