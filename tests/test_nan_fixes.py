"""Derivatives of the NumPy functions that skip NaN (np.fmax, np.fmin, np.nan_to_num, the np.nan* reductions), found
wrong by the real-program bug hunt over ML and statistics programs: each checked against finite differences or an
analytic value. A NaN the function skips must not reach its derivative, in reverse, forward and vector mode."""
from __future__ import annotations

import numpy as np
import pytest

import s2s

from conftest import assert_close, check_every_mode, module_from_text, numeric_grad

NAN = np.nan


# ---------------------------------------------------------------- np.fmax, np.fmin: a NaN operand is skipped
# fmax(nan, y) is y and fmax(x, nan) is x: the derivative goes to the operand that is not NaN (the partials x >= y
# and x < y were both 0 at a NaN, and the derivative was lost: d/dfloor 1 for 2)

def fmax_floor(floor, data):
    return np.sum(np.fmax(data, floor))


def fmin_floor(floor, data):
    return np.sum(np.fmin(data, floor))


def fmax_floor_first(floor, data):
    return np.sum(np.fmax(floor, data))


def fmin_floor_first(floor, data):
    return np.sum(np.fmin(floor, data))


@pytest.mark.parametrize("f", [fmax_floor, fmin_floor, fmax_floor_first, fmin_floor_first])
def test_fmax_fmin_nan_operand_every_mode(f):
    data = np.array([0.5, NAN, 2.0])
    expected = 2.0  # the floor is taken at the NaN entry and at the entry it beats
    assert numeric_grad(f, (1.0, data), 0) == pytest.approx(expected)
    assert s2s.grad(f)(1.0, data) == pytest.approx(expected)
    assert s2s.jvp(f)((1.0, data), (1.0,))[1] == pytest.approx(expected)
    assert s2s.jacobian(f, mode="forward")(1.0, data) == pytest.approx(expected)
    assert s2s.jacobian(f)(1.0, data) == pytest.approx(expected)


def fmax_both(x, y):
    return np.sum(np.fmax(x, y) ** 2)


@pytest.mark.parametrize("name", ["grad", "jacobian_forward", "jacobian_reverse"])
def test_fmax_both_operands_with_nans(name):
    # NaN in x, in y, in neither: each entry's derivative goes to the operand fmax returns
    x = np.array([1.0, NAN, 3.0, 0.5])
    y = np.array([NAN, 2.0, 1.0, 4.0])
    got = {"grad": lambda: s2s.grad(fmax_both, wrt=(0, 1))(x, y),
           "jacobian_forward": lambda: s2s.jacobian(fmax_both, wrt=(0, 1), mode="forward")(x, y),
           "jacobian_reverse": lambda: s2s.jacobian(fmax_both, wrt=(0, 1))(x, y)}[name]()
    assert_close(got[0], [2.0, 0.0, 6.0, 0.0], what="d/dx")
    assert_close(got[1], [0.0, 4.0, 0.0, 8.0], what="d/dy")


def test_fmax_jvp_with_nan_tangent_of_skipped_entry():
    # the tangent of a skipped NaN entry is NaN (nan * ds): it must not reach the result (0 * nan)
    data = np.array([0.5, NAN, 2.0])

    def f(s, floor):
        return np.sum(np.fmax(data * s, floor))
    assert s2s.jvp(f, wrt=(0, 1))((1.0, 1.0), (1.0, 0.0))[1] == pytest.approx(2.0)  # d/ds: only the 2.0 entry
    assert s2s.jvp(f, wrt=(0, 1))((1.0, 1.0), (0.0, 1.0))[1] == pytest.approx(2.0)  # d/dfloor
    assert_close(s2s.jacobian(f, wrt=(0, 1), mode="forward")(1.0, 1.0), [2.0, 2.0], what="forward jacobian")


def test_fmax_broadcast_scalar_second_derivative():
    # a number against an array: the adjoint summed back to the number, and a Hessian through the masked rule
    data = np.array([0.5, NAN, 2.0, 3.0])

    def f(floor):
        return np.sum(np.fmin(data, floor) ** 3)
    value = lambda t: f(t)  # noqa: E731
    assert s2s.grad(f)(1.0) == pytest.approx(numeric_grad(value, (1.0,), 0), rel=1e-6)
    assert s2s.hessian(f)(1.0) == pytest.approx(3 * 6.0 * 1.0, rel=1e-9)  # three entries take floor: 3 * 6 floor
    assert s2s.grad(s2s.grad(f))(1.0) == pytest.approx(18.0, rel=1e-9)


def test_fmax_fmin_of_numbers_give_floats():
    # a number's derivative is a float (API.md), where np.where would make a 0-d array
    def f(a, b):
        return np.fmax(a, b) * 3.0 + np.fmin(a, b)
    ga, gb = s2s.grad(f, wrt=(0, 1))(1.0, 2.0)
    assert isinstance(ga, float) and isinstance(gb, float) and (ga, gb) == (1.0, 3.0)
    ga, gb = s2s.grad(f, wrt=(0, 1))(1.0, NAN)
    assert isinstance(ga, float) and (ga, gb) == (4.0, 0.0)


# ---------------------------------------------------------------- np.nan_to_num: the entries it replaces
# The "0 log 0 = 0" idiom: the tangent at p = 0 is 0 / 0 = nan, which nan_to_num replaces; its tangent rule
# np.isfinite(t) * dt spread that nan to every direction of forward mode (JAX: finite except at p = 0)

def entropy(p):
    return -np.sum(p * np.nan_to_num(np.log(p)))


def test_nan_to_num_entropy_forward_directions_away_from_the_zero():
    p = np.array([0.5, 0.5, 0.0])
    expected = -(np.log(0.5) + 1.0)  # d/dp_i of -p_i log p_i
    with np.errstate(divide="ignore", invalid="ignore"):
        jacobian = s2s.jacobian(entropy, mode="forward")(p)
        assert_close(jacobian[:2], [expected, expected], what="forward jacobian")
        for t in (np.array([1.0, 0.0, 0.0]), np.array([0.3, -0.7, 0.0])):
            assert s2s.jvp(entropy)((p,), (t,))[1] == pytest.approx(expected * t.sum())
        gradient = s2s.grad(entropy)(p)
    assert_close(gradient[:2], [expected, expected], what="grad")  # (and nan at p = 0, as JAX's)
    assert np.isnan(gradient[2])


def test_nan_to_num_replacement_operands_every_mode():
    # nan=, posinf=, neginf= take the derivative at the entries they replace, and nothing else
    x = np.array([1.5, NAN, np.inf, -np.inf, -2.0])

    def f(x, a, b, c):
        return np.sum(np.nan_to_num(x, nan=a, posinf=b, neginf=c) * np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    def f_positional(x, a, b, c):  # (forward mode takes them by position: a keyword's tangent is refused)
        return np.sum(np.nan_to_num(x, True, a, b, c) * np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    expected = (2.0, 3.0, 4.0)
    assert_close(s2s.grad(f, wrt=(1, 2, 3))(x, 0.5, 1.0, -1.0), expected, what="grad")
    assert_close(s2s.grad(f_positional, wrt=(1, 2, 3))(x, 0.5, 1.0, -1.0), expected, what="grad")
    assert_close(s2s.jacobian(f_positional, wrt=(1, 2, 3), mode="forward")(x, 0.5, 1.0, -1.0), expected,
                 what="jacobian")
    for k, e in enumerate(expected):
        tangents = tuple(1.0 if j == k else 0.0 for j in range(3))
        assert s2s.jvp(f_positional, wrt=(1, 2, 3))((x, 0.5, 1.0, -1.0), tangents)[1] == pytest.approx(e)

    def g(s):
        return np.sum(np.nan_to_num(x * s, posinf=0.0, neginf=0.0) ** 2)  # the tangent x: nan, inf where replaced
    assert s2s.jvp(g)((2.0,), (1.0,))[1] == pytest.approx(2 * 2.0 * (1.5 ** 2 + 2.0 ** 2))
    assert s2s.jacobian(g, mode="forward")(2.0) == pytest.approx(2 * 2.0 * (1.5 ** 2 + 2.0 ** 2))


# ---------------------------------------------------------------- the NaN-skipping reductions, forward mode
# The tangent of a missing entry (data * s at data = nan) is nan; the reduction skips the entry, so must its tangent
# (the rules computed sum(d * mask) or sum(2 (x - mean) * d) with 0 * nan = nan there: r10; JAX gives the finite
# value). Reverse mode stays nan here, as JAX's: the adjoint of data * s is sum(g * data), with 0 * nan.

REDUCTIONS = {"nanmax": "np.nanmax(z)", "nanmin": "np.nanmin(z)", "nanmax_axis": "np.nanmax(z, axis=1)",
              "nanmin_keepdims": "np.nanmin(z, axis=0, keepdims=True)", "nanvar": "np.nanvar(z)",
              "nanvar_ddof": "np.nanvar(z, axis=1, ddof=1)", "nanstd": "np.nanstd(z)",
              "nanstd_axis": "np.nanstd(z, axis=1)", "fmax_reduce": "np.fmax.reduce(z, axis=1)",
              "fmin_reduce": "np.fmin.reduce(z)", "fmax_accumulate": "np.fmax.accumulate(z, axis=1)",
              "nansum": "np.nansum(z, axis=0)", "nanmean": "np.nanmean(z)", "nanprod": "np.nanprod(z, axis=1)",
              "nancumsum": "np.nancumsum(z)", "nancumprod": "np.nancumprod(z, axis=1)",
              "nanmedian": "np.nanmedian(z)", "nanquantile": "np.nanquantile(z, 0.3, axis=0)",
              "fmax": "np.fmax(z, z[::-1, ::-1])", "nan_to_num": "np.nan_to_num(z, nan=0.3)"}


def _reduction_program(tmp_path, name):
    """scaled(s) and weighted(x): the sum of cubes of REDUCTIONS[name] of z = DATA * s (or * x), DATA with NaNs."""
    text = REDUCTIONS[name]
    module = module_from_text(tmp_path, f"nan_reduction_{name}", (
        "import numpy as np\n\n"
        "DATA = np.array([[0.5, np.nan, 2.0], [1.5, -1.0, np.nan]])\n\n\n"
        f"def scaled(s):\n    z = DATA * s\n    return np.sum({text} ** 3)\n\n\n"
        f"def weighted(x):\n    z = DATA * x\n    return np.sum({text} ** 3)\n"))
    return module.scaled, module.weighted


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_nan_reduction_forward_mode_skips_the_missing_tangent(tmp_path, name):
    scaled, weighted = _reduction_program(tmp_path, name)
    assert np.isfinite(scaled(1.3))
    expected = numeric_grad(scaled, (1.3,), 0)
    with np.errstate(invalid="ignore"):
        assert s2s.jvp(scaled)((1.3,), (1.0,))[1] == pytest.approx(expected, rel=1e-6)
        assert s2s.jacobian(scaled, mode="forward")(1.3) == pytest.approx(expected, rel=1e-6)
        x = np.array([[1.1, 0.7, 0.9], [1.3, 0.6, 1.2]])  # (no ties between entries: away from the kinks)
        assert_close(s2s.jacobian(weighted, mode="forward")(x), numeric_grad(weighted, (x,), 0), what=name)
        _, tangent = s2s.jvp(weighted)((x,), (np.ones_like(x),))
    assert tangent == pytest.approx(np.sum(numeric_grad(weighted, (x,), 0)), rel=1e-6)


def test_nanmax_nanvar_jvp_as_reported():
    # r10: nanmax(data * s) has slope max(data) = 2.0; nanvar(data * s) slope 2 s nanvar(data)
    data = np.array([0.5, NAN, 2.0])

    def f_max(s):
        return np.nanmax(data * s)

    def f_var(s):
        return np.nanvar(data * s)
    with np.errstate(invalid="ignore"):
        assert s2s.jvp(f_max)((1.3,), (1.0,))[1] == pytest.approx(2.0)
        assert s2s.jvp(f_var)((1.3,), (1.0,))[1] == pytest.approx(2 * 1.3 * np.nanvar(data))
        assert s2s.jacobian(f_var, mode="forward")(1.3) == pytest.approx(2 * 1.3 * np.nanvar(data))


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_nan_reduction_every_mode_with_constant_nans(tmp_path, name):
    # the NaN entries where the data has them, x elsewhere: every mode, second order included, against differences
    scaled, _ = _reduction_program(tmp_path, name)
    text = scaled.__module__
    module = module_from_text(tmp_path, f"{text}_masked", open(tmp_path / f"{text}.py").read().replace(
        "z = DATA * x", "z = np.where(np.isnan(DATA), np.nan, x)"))
    with np.errstate(invalid="ignore"):
        check_every_mode(module.weighted, np.array([[1.1, 0.7, 0.9], [1.3, 0.6, 1.2]]), rtol=1e-4, atol=1e-5)
