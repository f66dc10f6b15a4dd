"""Round 15 fixes of the public contract, API.md (fix15api).

D3: `.source` "copied to a file and imported, it runs and gives the same results. Its last top-level function is
the entry point: it takes f's parameters and returns what the transformed callable returns." The module of
`s2s.jacobian(f)` (both modes) and `s2s.hessian(f)` ended with the generated vjp or jvp (`vjp_f(x)`, `jvp_f(x, dx)`);
it now ends with `jacobian_f(x)` / `hessian_f(x, t)`, which assembles the Jacobian from them by the runtime's
helpers (runtime/jacobians.py), and the callable runs that entry point. jvp's entry takes f's parameters, then one
tangent per wrt entry (docs/naming.md).
"""
from __future__ import annotations

import ast
import importlib.util
import inspect
import itertools

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, numeric_grad, numeric_hessian

X = np.array([0.3, -0.5, 1.1])


def vec(x):
    return np.cumsum(np.sin(x)) * x[::-1]


def scalar_of_array(x, t):
    if t > 0:
        y = x * x * x
    else:
        y = np.exp(x)
    return np.sum(y) + x[0] * x[1]


def scalar(x):
    return x ** 3 + np.sin(x)


def of_dict(p, a=2.0):
    return np.sum(np.tanh(p["w"]) * p["b"] ** 2) * a


def two(x, y):
    return np.sum(np.sin(x) * y) + y ** 3


def two_vec(x, y):
    return np.sin(x) * y ** 2


_COUNT = itertools.count()


def _entry(d, tmp_path):
    """The last top-level function of `d.source`, written to a file and imported."""
    path = tmp_path / f"generated_{next(_COUNT)}.py"
    path.write_text(d.source)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    last = [n for n in ast.parse(d.source).body if isinstance(n, ast.FunctionDef)][-1]
    return getattr(module, last.name)


def _same(a, b):
    """`a` and `b` are equal, leaf by leaf, with the same structure, shapes and dtypes."""
    assert type(a) is type(b) or isinstance(a, float) and isinstance(b, float), (type(a), type(b))
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            _same(u, v)
    else:
        assert np.shape(a) == np.shape(b)
        assert np.asarray(a).dtype == np.asarray(b).dtype
        assert_close(np.asarray(a), np.asarray(b), rtol=0, atol=0)


def _close(a, b):
    """`a` and `b` are equal leaf by leaf (a dict's derivative a dict, a float's a float or a NumPy float)."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b)
        for k in a:
            _close(a[k], b[k])
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            _close(u, v)
    else:
        assert np.shape(a) == np.shape(b)
        assert_close(np.asarray(a), np.asarray(b), rtol=0, atol=0)


CASES = [  # (f, wrt, arguments)
    (scalar_of_array, 0, (X, 1)),
    (scalar, 0, (0.7,)),
    (of_dict, 0, ({"w": np.array([0.2, -0.4]), "b": 1.5},)),
    (two, (0, 1), (X, 0.7)),
]


@pytest.mark.parametrize("kind", ["grad", "value_and_grad", "jacobian", "jacobian_forward", "hessian"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_the_entry_point_of_the_source_gives_what_the_callable_gives(kind, case, tmp_path):
    f, wrt, args = CASES[case]
    if kind == "jacobian_forward":
        d = s2s.jacobian(f, wrt=wrt, mode="forward")
    else:
        d = getattr(s2s, kind)(f, wrt=wrt)
    got = d(*args)
    entry = _entry(d, tmp_path)
    if kind in ("grad", "value_and_grad"):  # (the callable gives a Python float for a float: the values are equal)
        _close(got, entry(*args))
        return
    _same(got, entry(*args))
    # the entry's value is right, not only the callable's: against finite differences
    if f is scalar_of_array:
        ref = numeric_hessian(lambda x: f(x, 1), X) if kind == "hessian" else numeric_grad(f, args, 0)
        assert_close(entry(*args), ref, rtol=1e-5, atol=1e-6)
    if f is scalar:
        ref = 6 * 0.7 - np.sin(0.7) if kind == "hessian" else 3 * 0.7 ** 2 + np.cos(0.7)
        assert_close(entry(*args), ref, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("wrt", [0, (0, 1)])
def test_the_entry_point_of_an_array_valued_jacobian(mode, wrt, tmp_path):
    f = vec if wrt == 0 else two_vec
    args = (X,) if wrt == 0 else (X, 0.7)
    d = s2s.jacobian(f, wrt=wrt, mode=mode)
    got = d(*args)
    entry = _entry(d, tmp_path)
    _same(got, entry(*args))
    if wrt == 0:
        assert_close(entry(X), np.stack([numeric_grad(lambda x: vec(x)[i], (X,), 0) for i in range(3)]), rtol=1e-5)
    else:
        assert_close(entry(*args)[0], np.diag(np.cos(X) * 0.49), rtol=1e-7)
        assert_close(entry(*args)[1], 2 * 0.7 * np.sin(X), rtol=1e-7)
    name = ast.parse(d.source).body[-1]
    assert name.name == "jacobian_" + f.__name__ and [a.arg for a in name.args.args] == list(
        f.__code__.co_varnames[:f.__code__.co_argcount])


def test_the_entry_point_of_a_hessian_is_named_for_it_and_takes_fs_parameters():
    d = s2s.hessian(scalar_of_array)
    last = ast.parse(d.source).body[-1]
    assert last.name == "hessian_scalar_of_array" and [a.arg for a in last.args.args] == ["x", "t"]
    assert "from s2s import runtime as rt" in d.source


def test_float32_leaves_keep_their_precision_in_the_entry_point(tmp_path):
    x = X.astype(np.float32)
    for d in (s2s.jacobian(vec), s2s.jacobian(vec, mode="forward"), s2s.hessian(scalar_of_array)):
        args = (x,) if "vec" in d.__name__ else (x, 1)
        got = d(*args)
        assert got.dtype == np.float32
        _same(got, _entry(d, tmp_path)(*args))


@pytest.mark.parametrize("case", range(len(CASES)))
def test_the_entry_point_of_vjp_returns_the_value_and_a_pullback(case, tmp_path):
    f, wrt, args = CASES[case]
    d = s2s.vjp(f, wrt=wrt)
    value, pullback = d(*args)
    value2, pullback2 = _entry(d, tmp_path)(*args)
    _close(value, value2)
    _close(pullback(1.0), pullback2(1.0))


@pytest.mark.parametrize("case", range(len(CASES)))
def test_the_entry_point_of_jvp_takes_the_primals_then_the_tangents(case, tmp_path):
    f, wrt, args = CASES[case]
    d = s2s.jvp(f, wrt=wrt)
    wrts = wrt if isinstance(wrt, tuple) else (wrt,)
    tangents = tuple(args[w] for w in wrts)  # (a direction of the arguments' structure)
    value, tangent = d(args, tangents)
    entry = _entry(d, tmp_path)
    if f is of_dict:  # (jvp_f keeps f's defaults, as f has them: the tangents are keyword-only after them)
        kwonly = [p.name for p in inspect.signature(entry).parameters.values() if p.kind is p.KEYWORD_ONLY]
        value2, tangent2 = entry(*args, **dict(zip(kwonly, tangents)))
    else:
        value2, tangent2 = entry(*args, *tangents)
    _close(value, value2)
    _close(tangent, tangent2)


# ------------------------------------------------------------------ D1: a runtime error at the user's line
def index_then_return(x, i):
    y = x * 2.0
    z = y[i] + 1.0  # the failing line
    return z


def _failing_line(call) -> str:
    import traceback
    with pytest.raises(IndexError) as info:
        call()
    frames = [fr for fr in traceback.extract_tb(info.value.__traceback__) if fr.filename == __file__]
    return frames[-1].line


@pytest.mark.parametrize("kind", ["grad", "value_and_grad", "vjp", "hessian"])
def test_an_error_reading_the_results_operands_is_shown_at_their_line(kind):
    x = np.ones(3)
    assert _failing_line(lambda: index_then_return(x, 7)).endswith("# the failing line")
    d = getattr(s2s, kind)(index_then_return)
    assert _failing_line(lambda: d(x, 7)).endswith("# the failing line")
    assert_close(s2s.grad(index_then_return)(x, 1), np.array([0.0, 2.0, 0.0]))


# ------------------------------------------------------------------ C1: a bare cotangent for a 1-tuple value
def one_tuple(x):
    return (x * 2.0,)


def one_key(x):
    return {"a": np.sin(x)}


@pytest.mark.parametrize("f, x", [(one_tuple, 3.0), (one_tuple, X), (one_key, X)])
def test_a_bare_cotangent_of_a_one_leaf_container_value_is_refused_clearly(f, x):
    value, pullback = s2s.vjp(f)(x)
    with pytest.raises(s2s.CallError, match="takes a cotangent with the structure and shape of the value"):
        pullback(np.ones_like(x) if np.ndim(x) else 1.0)
    seed = np.ones_like(x) if np.ndim(x) else 1.0
    got = pullback((seed,) if f is one_tuple else {"a": seed})
    assert_close(got, 2.0 * seed if f is one_tuple else np.cos(x))


# ------------------------------------------------------------------ R1, M1: a name defined nowhere
def debug_logged(x, debug=False):
    if debug:
        log_value(x)  # noqa: F821 (a debug helper not defined in this module)
    return np.sum(x * x)


def optional_kernel(x, use_fast):
    if use_fast:
        y = fast_kernel(x)  # noqa: F821 (an optional dependency missing here)
    else:
        y = np.sin(x) * x
    return np.sum(y)


def undefined_everywhere(x):
    return x * scale  # noqa: F821


def test_a_name_undefined_on_a_branch_that_does_not_run_is_not_refused():
    assert_close(s2s.grad(debug_logged)(X), 2 * X)
    assert_close(s2s.value_and_grad(debug_logged)(X)[0], np.sum(X * X))
    expected = np.cos(X) * X + np.sin(X)
    assert_close(s2s.grad(optional_kernel)(X, False), expected)
    assert_close(numeric_grad(optional_kernel, (X, False), 0), expected, rtol=1e-6)
    assert_close(s2s.vjp(optional_kernel)(X, False)[1](1.0), expected)
    assert_close(s2s.jvp(optional_kernel)((X, False), (np.ones(3),))[1], np.sum(expected))
    assert_close(s2s.jacobian(optional_kernel)(X, False), expected)
    assert_close(s2s.jacobian(optional_kernel, mode="forward")(X, False), expected)
    assert_close(s2s.hessian(optional_kernel)(X, False), numeric_hessian(lambda x: optional_kernel(x, False), X),
                 rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("f, args, line", [(debug_logged, (X, True), "log_value(x)"),
                                           (optional_kernel, (X, True), "y = fast_kernel(x)")])
def test_the_branch_that_runs_raises_pythons_name_error_at_the_users_line(f, args, line):
    import traceback
    for d in (s2s.grad(f), s2s.jacobian(f, mode="forward")):
        with pytest.raises(NameError, match="name '.*' is not defined") as info:
            d(*args)
        frames = [fr for fr in traceback.extract_tb(info.value.__traceback__) if fr.filename == __file__]
        assert frames[-1].line.startswith(line)


def test_a_name_undefined_on_every_path_is_refused_saying_it_is_not_defined():
    with pytest.raises(s2s.UnsupportedSyntaxError) as info:
        s2s.grad(undefined_everywhere)(2.0)
    message = str(info.value)
    assert message.startswith("name 'scale' is not defined") and "callable" not in message


# ------------------------------------------------------------------ M3: no internal class in a message
def cubed_entry(p):
    return p["a"] ** 3


def test_grad_of_a_dict_gradient_says_a_dict_flows_into_it():
    with pytest.raises(s2s.CallError, match=r"a dict flows into it") as info:
        s2s.grad(s2s.grad(cubed_entry))({"a": 2.0})
    assert "Parts" not in str(info.value)
    assert_close(s2s.grad(cubed_entry)({"a": 2.0})["a"], 12.0)


# ------------------------------------------------------------------ D2, D5: dtypes as JAX gives them
def exp_of_product(p):
    return np.sum(np.exp(p["a"] * p["b"])) + p["b"] ** 3


def test_a_hessian_block_has_the_dtype_of_the_gradient_leaf_it_differentiates():
    """jax.hessian (x64) of a dict of a float32 array 'a' and a float64 number 'b': H['a'][*] float32, H['b'][*]
    float64 (H['b']['a'] was float32, the column leaf's)."""
    p = {"a": np.array([0.5, 1.5], np.float32), "b": 0.3}
    h = s2s.hessian(exp_of_product)(p)
    assert [[np.asarray(h[a][b]).dtype for b in p] for a in p] == [[np.float32, np.float32],
                                                                   [np.float64, np.float64]]
    a, b = p["a"].astype(float), 0.3
    e = np.exp(a * b)
    assert_close(h["b"]["a"], e * (1 + a * b), rtol=1e-6)
    assert_close(h["b"]["b"], np.sum(a * a * e) + 6 * b, rtol=1e-6)
    assert_close(h["a"]["a"], np.diag(b * b * e), rtol=1e-6)


def exp_minus_float64(x):
    return np.sum(np.exp(x)) - np.float64(1.0)


def exp_plus_float64_array(x):
    return np.exp(x) + np.array([1.0, 2.0])


@pytest.mark.parametrize("f", [exp_minus_float64, exp_plus_float64_array])
def test_jvps_tangent_has_its_values_dtype_when_wider(f):
    """jax.jvp gives the tangent the value's dtype: float64 here, from a float32 x (it was float32)."""
    x = np.array([0.1, 0.2], np.float32)
    value, tangent = s2s.jvp(f)((x,), (np.ones(2, np.float32),))
    assert np.asarray(value).dtype == np.float64 and np.asarray(tangent).dtype == np.float64
    expected = np.exp(x.astype(float))
    assert_close(tangent, np.sum(expected) if f is exp_minus_float64 else expected, rtol=1e-6)


def test_the_runtime_import_of_an_entry_point_is_with_the_modules_imports():
    """`from s2s import runtime as rt` is among the imports at the top, not between the jvp and the entry point."""
    def cube(x):
        return np.sum(x ** 3)

    def triple(x):
        return 3.0 * x

    x = np.array([0.5, -1.0])
    for derived in (s2s.hessian(cube), s2s.jacobian(triple, mode="forward"), s2s.jacobian(triple)):
        derived(x)
        lines = derived.source.split("\n")
        first_def = next(i for i, line in enumerate(lines) if line.startswith("def "))
        assert "from s2s import runtime as rt" in lines[:first_def], derived.source
        assert lines[first_def - 2:first_def] == ["", ""], derived.source
