import importlib
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import s2s.pipeline  # noqa: E402

s2s.pipeline.VERIFY = True  # run the IR verifier after every stage in the tests


def module_from_text(tmp_path, name, text):
    """Write `text` to tmp_path/name.py and import it afresh as the module `name` (s2s reads the source)."""
    path = tmp_path / f"{name}.py"
    path.write_text(text)
    sys.path.insert(0, str(tmp_path))
    try:
        importlib.invalidate_caches()
        sys.modules.pop(name, None)
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


def numeric_grad(f, args, wrt, eps=1e-6):
    """Central finite differences of scalar f with respect to args[wrt]."""
    args = list(args)
    x = args[wrt]
    if np.ndim(x) == 0:
        xp, xm = list(args), list(args)
        xp[wrt], xm[wrt] = float(x) + eps, float(x) - eps
        return (f(*xp) - f(*xm)) / (2 * eps)
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        ap, am = list(args), list(args)
        ap[wrt], am[wrt] = xp, xm
        out[idx] = (f(*ap) - f(*am)) / (2 * eps)
    return out


def numeric_hessian(f, x, eps=1e-4):
    """Central differences of the central-difference gradient of scalar f at x: an array of shape
    x.shape + x.shape (a number for a number)."""
    if np.ndim(x) == 0:
        return (numeric_grad(f, (float(x) + eps,), 0, 1e-5) - numeric_grad(f, (float(x) - eps,), 0, 1e-5)) / (2 * eps)
    x = np.asarray(x, dtype=float)
    out = np.zeros(x.shape + x.shape)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = eps
        out[idx] = (numeric_grad(f, (x + e,), 0, 1e-5) - numeric_grad(f, (x - e,), 0, 1e-5)) / (2 * eps)
    return out


def check_every_mode(f, x, hessian=True, rtol=1e-5, atol=1e-6, exact=False):
    """f(x) (a number) through every transformation, against finite differences: value_and_grad, jvp, both
    Jacobians and (with `hessian`) the Hessian and the Jacobian of the gradient; the caller's x left as it was.
    With `exact`, the values must equal f(x) bit for bit. Returns the gradient."""
    x = np.asarray(x, dtype=float)
    kept = x.copy()

    def same(value):
        return value == f(x) if exact else value == pytest.approx(f(x), rel=1e-12, abs=1e-12)

    value, gradient = s2s.value_and_grad(f)(x)
    assert same(value), f"{f.__name__}: value_and_grad's value {value!r} is not f(x) = {f(x)!r}"
    numeric = numeric_grad(f, (x,), 0)
    assert_close(gradient, numeric, rtol, atol, what=f"{f.__name__}: grad")
    v = np.linspace(-1.0, 1.0, x.size).reshape(x.shape) + 0.25
    primal, tangent = s2s.jvp(f)((x,), (v,))
    assert same(primal), f"{f.__name__}: jvp's value is not f(x)"
    assert_close(tangent, np.sum(numeric * v), rtol, atol, what=f"{f.__name__}: jvp")
    assert_close(s2s.jacobian(f, mode="forward")(x), numeric, rtol, atol, what=f"{f.__name__}: forward jacobian")
    assert_close(s2s.jacobian(f)(x), numeric, rtol, atol, what=f"{f.__name__}: reverse jacobian")
    if hessian:
        expected = numeric_hessian(f, x)
        assert_close(s2s.hessian(f)(x), expected, 1e-4, 1e-5, what=f"{f.__name__}: hessian")
        assert_close(s2s.jacobian(s2s.grad(f))(x), expected, 1e-4, 1e-5, what=f"{f.__name__}: grad of grad")
    assert np.array_equal(x, kept), f"{f.__name__}: the caller's array changed"
    return gradient


NUMPY_2_NAMES = ("trapezoid", "vector_norm", "matrix_norm")  # in names of s2s's helpers and of test functions


def skip_unless_numpy_has_names_in(name: str) -> None:
    """Skip a test whose helper or function (by its name) serves a NumPy 2 function this NumPy lacks."""
    for part in NUMPY_2_NAMES:
        if part in name:
            skip_unless_numpy_has("numpy." + ("" if part == "trapezoid" else "linalg.") + part)


def skip_unless_numpy_has(key: str) -> None:
    """Skip a test of the rule for `key` ("numpy.linalg.vector_norm") when this NumPy does not have the
    function (rules for NumPy 2 functions are registered whatever NumPy is installed)."""
    if not key.startswith("numpy."):
        return
    obj = np
    for part in key.split(".")[1:]:
        obj = getattr(obj, part, None)
        if obj is None:
            pytest.skip(f"{key} is not in NumPy {np.__version__}")


def assert_close(analytic, numeric, rtol=1e-5, atol=1e-6, what=""):
    a, n = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    assert a.shape == n.shape, f"{what}: shape {a.shape} != {n.shape}"
    if not np.allclose(a, n, rtol=rtol, atol=atol):
        raise AssertionError(f"{what}: analytic vs numeric differ\nanalytic:\n{a}\nnumeric:\n{n}")


@pytest.fixture
def rng():
    return np.random.default_rng(0)
