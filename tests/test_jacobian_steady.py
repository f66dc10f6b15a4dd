"""The reverse-mode Jacobian's steady calls (the generated vjp found, positional arguments, one float array or
number with respect to which) call the generated code directly: the same values as the first call, against
independent references, and the same errors (the user's line, the jacobian's name, the original's refusal)."""
import inspect
import math
import traceback

import numpy as np
import pytest

import s2s
import sourcemap_functions as sf
from benchmarks.handwritten import ba_jacobian
from benchmarks.workloads import ba_inputs, ba_residual
from conftest import numeric_grad


def rotate(x, a):
    return np.array([np.cos(a) * x[0] - np.sin(a) * x[1], np.sin(a) * x[0] + np.cos(a) * x[1]]) * x[2]


def rotation_jacobian(x, a):
    c, s = math.cos(a), math.sin(a)
    return np.array([[c * x[2], -s * x[2], c * x[0] - s * x[1]],
                     [s * x[2], c * x[2], s * x[0] + c * x[1]]])


def test_steady_calls_equal_the_analytic_jacobian_and_return_new_arrays():
    jac = s2s.jacobian(rotate)
    x = np.array([0.3, -1.2, 2.0])
    first = jac(x, 0.7)
    for a in (0.7, -0.4, 2.5):  # (the steady path from the second call on)
        got = jac(x, a)
        np.testing.assert_allclose(got, rotation_jacobian(x, a), rtol=1e-13, atol=1e-15)
        assert got is not first and not np.shares_memory(got, first) and got.flags.writeable
    np.testing.assert_allclose(first, rotation_jacobian(x, 0.7), rtol=1e-13, atol=1e-15)


def test_steady_calls_of_the_bundle_adjustment_jacobian_both_branches():
    jac = s2s.jacobian(ba_residual)
    p, feat = ba_inputs()
    for _ in range(3):
        np.testing.assert_allclose(jac(p, feat), ba_jacobian(p, feat), rtol=1e-10, atol=1e-12)
    p0 = p.copy()
    p0[0:3] = 0.0  # sqtheta == 0: the else branch
    np.testing.assert_allclose(jac(p0, feat), ba_jacobian(p0, feat), rtol=1e-10, atol=1e-12)


def test_steady_calls_with_respect_to_a_number_and_of_a_number():
    jac_a = s2s.jacobian(rotate, wrt=1)
    x = np.array([0.3, -1.2, 2.0])
    for a in (0.7, 0.9):
        expected = np.array([-math.sin(a) * x[0] - math.cos(a) * x[1], math.cos(a) * x[0] - math.sin(a) * x[1]]) * x[2]
        np.testing.assert_allclose(jac_a(x, a), expected, rtol=1e-13)

    def energy(x):
        return np.sum(x * x) * 0.5

    jac = s2s.jacobian(energy)
    for x in (np.array([1.0, 2.0]), np.array([-3.0, 0.5])):
        np.testing.assert_allclose(jac(x), x, rtol=1e-15)
    scalar = s2s.jacobian(lambda t: np.sin(t) * t)
    for t in (0.3, 1.1):
        assert scalar(t) == pytest.approx(math.cos(t) * t + math.sin(t), rel=1e-13)


def test_steady_calls_of_a_tuple_value_take_the_general_way():
    def pair(x):
        return x * 2.0, np.sum(x * x)

    jac = s2s.jacobian(pair)
    for x in (np.array([1.0, -2.0]), np.array([0.5, 3.0])):
        twice, square = jac(x)
        np.testing.assert_allclose(twice, 2.0 * np.eye(2), rtol=1e-15)
        np.testing.assert_allclose(square, numeric_grad(lambda v: np.sum(v * v), (x,), 0), rtol=1e-6)


def _frames(exc):
    return [(f.filename, f.lineno) for f in traceback.extract_tb(exc.__traceback__)]


def test_steady_errors_end_at_the_users_line():
    file = inspect.getsourcefile(sf)
    lines = [i + 1 for i, text in enumerate(open(file).read().splitlines()) if "# fails-here" in text]
    jac = s2s.jacobian(sf.log_of_negative)
    jac(3.0, 1.0)
    with pytest.raises(ValueError) as info:  # in the generated vjp's forward sweep
        jac(1.0, 5.0)
    assert any(path == file and line in lines for path, line in _frames(info.value)), _frames(info.value)
    jac = s2s.jacobian(sf.fails_in_adjoint)
    jac(4.0)
    with pytest.raises(ZeroDivisionError) as info:  # in the pullback
        jac(0.0)
    assert any(path == file and line in lines for path, line in _frames(info.value)), _frames(info.value)


def test_steady_refusals_are_the_first_calls():
    def none_on_one_path(x):
        if x > 0.0:
            return x * 2.0
        return None

    jac = s2s.jacobian(none_on_one_path)
    assert jac(1.5) == 2.0
    with pytest.raises(s2s.ResultTypeError, match="^jacobian needs a function returning"):
        jac(-1.5)
    with pytest.raises(TypeError, match="positional argument"):  # as the original refuses the call
        jac(1.5, 2.0)


class _Scaled:
    def __init__(self, scale):
        self.scale = scale

    def apply(self, x):
        return np.sin(x) * self.scale


def test_steady_calls_of_a_bound_method():
    model = _Scaled(1.5)
    jac = s2s.jacobian(model.apply)  # (its vjp passes the object first: the general way)
    for x in (np.array([0.2, -0.7]), np.array([1.1, 0.4])):
        np.testing.assert_allclose(jac(x), np.diag(np.cos(x) * 1.5), rtol=1e-14)
