import copy
import dataclasses
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


def numeric_hessian_wrt(f, args, wrt, eps=1e-4):
    """Central differences of the central-difference gradient of scalar f(*args) with respect to args[wrt] (a number
    or an array; a list is read as an array): an array of shape x.shape + x.shape (a number for a number)."""
    x = np.asarray(args[wrt], dtype=float)
    rows = []
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = eps
        up, down = list(args), list(args)
        up[wrt], down[wrt] = x + e.reshape(x.shape), x - e.reshape(x.shape)
        rows.append(np.ravel(numeric_grad(f, up, wrt, 1e-5) - numeric_grad(f, down, wrt, 1e-5)) / (2 * eps))
    return np.array(rows).reshape(x.shape + x.shape)


def same_contents(a, b) -> bool:
    """a and b are alike and hold the same numbers, item by item through dataclasses and other objects' fields,
    dicts (their keys in order), lists, tuples and a dict's views."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_contents(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(same_contents, a, b))
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    if type(a) in (type({}.keys()), type({}.values())):
        return list(a) == list(b)
    if dataclasses.is_dataclass(a) or type(a).__eq__ is object.__eq__ and hasattr(a, "__dict__"):  # (or a class's)
        return same_contents(vars(a), vars(b))
    return a == b


def fresh(args: tuple) -> tuple:
    """A deep copy of the arguments `args`, a dict's views (which copy.deepcopy cannot copy) made anew."""
    return tuple(type(a)(a) if isinstance(a, (set, frozenset)) else
                 dict.fromkeys(a).keys() if type(a) is type({}.keys()) else {i: v for i, v in enumerate(a)}.values()
                 if type(a) is type({}.values()) else copy.deepcopy(a) for a in args)


def every_mode(f, *args, wrt=0, hessian=True, reverse_over_reverse=True):
    """f(*args) (a number) by every transformation with respect to args[wrt] (a number, a list or an array), against
    central differences: value_and_grad, grad, vjp, jvp, both Jacobians and, with `hessian`, the Hessian and both
    Jacobians of the gradient (for a number, the gradient of the gradient too). Each value is f's own on a
    copy of the arguments, the derivative must not be about zero (it would check nothing), and the caller's
    arguments are left as they were. check_every_mode is the one-argument form, with tolerances and exact values.
    `reverse_over_reverse=False` leaves out the reverse Jacobian of the gradient, for a program where it is known
    to be wrong (a dict's key written twice in a loop: tests/test_mend20.py, strict xfail)."""
    name = f.__name__
    kept = fresh(args)
    plain = lambda *a: f(*fresh(a))  # noqa: E731
    expected = plain(*args)
    numeric = numeric_grad(plain, args, wrt)
    assert np.max(np.abs(numeric)) > 1e-3, f"{name}: a derivative about zero checks nothing"

    def same(value):
        return value == pytest.approx(expected, rel=1e-12, abs=1e-12)

    value, gradient = s2s.value_and_grad(f, wrt=wrt)(*args)
    assert same(value), f"{name}: value_and_grad's value {value!r} is not f's {expected!r}"
    assert_close(gradient, numeric, what=f"{name}: value_and_grad")
    assert_close(s2s.grad(f, wrt=wrt)(*args), numeric, what=f"{name}: grad")
    primal, pullback = s2s.vjp(f, wrt=wrt)(*args)
    assert same(primal), f"{name}: vjp's value is not f's"
    assert_close(pullback(1.0), numeric, what=f"{name}: vjp")
    v = np.linspace(-1.0, 1.0, np.size(numeric)).reshape(np.shape(numeric)) + 0.25
    v = float(v) if np.ndim(numeric) == 0 else list(v) if isinstance(args[wrt], list) else v
    primal, tangent = s2s.jvp(f, wrt=wrt)(args, (v,))
    assert same(primal), f"{name}: jvp's value is not f's"
    assert_close(tangent, np.sum(numeric * np.asarray(v)), what=f"{name}: jvp")
    for mode in ("forward", "reverse"):
        assert_close(s2s.jacobian(f, wrt=wrt, mode=mode)(*args), numeric, what=f"{name}: {mode} jacobian")
    if hessian:
        second = numeric_hessian_wrt(plain, args, wrt)
        assert_close(s2s.hessian(f, wrt=wrt)(*args), second, 1e-4, 1e-5, what=f"{name}: hessian")
        for mode in ("forward", "reverse") if reverse_over_reverse else ("forward",):
            assert_close(s2s.jacobian(s2s.grad(f, wrt=wrt), wrt=wrt, mode=mode)(*args), second, 1e-4, 1e-5,
                         what=f"{name}: {mode} jacobian of grad")
        if np.ndim(numeric) == 0:
            assert_close(s2s.grad(s2s.grad(f, wrt=wrt), wrt=wrt)(*args), second, 1e-4, 1e-5,
                         what=f"{name}: grad of grad")
    assert same_contents(args, kept), f"{name}: the caller's arguments changed"


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
