"""The public API contract (round 17, fix17api, from hunt17api's report).

C1. A derivative with respect to a Python int came back an int where the generated code computes it from other
    int arguments (`grad(lambda x, y: x * x * y, wrt=(0, 1))(2, 3.0)` gave `(12.0, 4)`; a list [2, 3]'s
    derivative [3.0, 2]; a vjp's pullback given the int cotangent 1 gave (3, 2)). API.md: a Python float for a
    float or int, at any depth.
C3. A 0-d array inside a container got a NumPy scalar as its derivative (a top-level one got a 0-d array), and an
    OrderedDict, defaultdict or dict subclass argument got a plain dict: the derivative mirrors the argument.

Each derivative is checked against analytic values or finite differences, its type against the argument's.
"""
import collections

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, numeric_grad


# ------------------------------------------------------------------ C1: a derivative w.r.t. an int is a float
def cube_times(x, y):
    return x * x * y


def mul(a, b):
    return a * b


def list_mul(p):
    return p[0] * p[1]


def nested_mul(p):
    return p["a"][0] * p["a"][1] * p["b"]


def _floats(tree):
    """Every leaf of `tree` is a Python float."""
    if isinstance(tree, dict):
        return all(_floats(v) for v in tree.values())
    if isinstance(tree, (tuple, list)):
        return all(_floats(v) for v in tree)
    return type(tree) is float


@pytest.mark.parametrize("args", [(2, 3.0), (2, 3), (2.0, 3)])
def test_int_arguments_give_float_derivatives(args):
    g = s2s.grad(cube_times, wrt=(0, 1))(*args)
    assert _floats(g), g
    x, y = args
    assert g == (2 * x * y, x * x)
    assert_close(g[1], numeric_grad(cube_times, (float(x), float(y)), 1))
    value, g2 = s2s.value_and_grad(cube_times, wrt=(0, 1))(*args)
    assert value == cube_times(*args) and _floats(g2) and g2 == g
    value, g3 = s2s.grad(cube_times, wrt=1, return_value=True)(*args)
    assert type(g3) is float and g3 == x * x


def test_list_and_tuple_of_ints_give_floats():
    for p in ([2, 3], (2, 3)):
        g = s2s.grad(list_mul)(p)
        assert type(g) is type(p) and _floats(g) and list(g) == [3.0, 2.0]
    p = {"a": [2, 3], "b": 4}
    g = s2s.grad(nested_mul)(p)
    assert g == {"a": [12.0, 8.0], "b": 6.0} and _floats(g)
    _, pullback = s2s.vjp(nested_mul)(p)
    g = pullback(1)
    assert g == {"a": [12.0, 8.0], "b": 6.0} and _floats(g)


def test_vjp_int_cotangent_gives_floats():
    value, pullback = s2s.vjp(mul, wrt=(0, 1))(2, 3)
    assert value == 6
    for ct in (1, 1.0, np.float64(1.0)):
        g = pullback(ct)
        assert g == (3.0, 2.0) and _floats(g), (ct, g)
    _, pullback = s2s.vjp(mul, wrt=1)(2, 3)
    assert type(pullback(2)) is float and pullback(2) == 4.0


def scaled(x, n):
    return x * n


def test_float_argument_times_int_is_float():
    g = s2s.grad(scaled)(2.0, 3)
    assert type(g) is float and g == 3.0
    assert s2s.grad(scaled, wrt=(0,))(2.0, 3) == (3.0,) and type(s2s.grad(scaled, wrt=(0,))(2.0, 3)[0]) is float


# ------------------------------------------------------------------ C3: the argument's structure and leaf types
def dict_mul(p):
    return p["a"] * p["a"] * p["b"]


def dict_vector(p):
    return p["a"] * np.array([1.0, 2.0]) * p["b"]


def _zero_d_arrays(tree, dtype=np.float64):
    leaves = list(tree.values()) if isinstance(tree, dict) else list(tree)
    return all(type(v) is np.ndarray and v.shape == () and v.dtype == dtype for v in leaves)


def test_zero_d_leaves_of_containers_are_zero_d_arrays():
    p = {"a": np.array(2.0), "b": np.array(3.0)}
    expected = {"a": 12.0, "b": 4.0}
    for name, g in [("grad", s2s.grad(dict_mul)(p)), ("value_and_grad", s2s.value_and_grad(dict_mul)(p)[1]),
                    ("vjp", s2s.vjp(dict_mul)(p)[1](1.0))]:
        assert _zero_d_arrays(g), (name, g)
        assert {k: float(v) for k, v in g.items()} == expected, name
    for q in ([np.array(2.0), np.array(3.0)], (np.array(2.0), np.array(3.0))):
        g = s2s.grad(list_mul)(q)
        assert type(g) is type(q) and _zero_d_arrays(g) and [float(v) for v in g] == [3.0, 2.0]
    p32 = {"a": np.array(2.0, np.float32), "b": np.array(3.0, np.float32)}
    g = s2s.grad(dict_mul)(p32)
    assert _zero_d_arrays(g, np.float32) and float(g["a"]) == 12.0
    mixed = s2s.grad(lambda q: np.sum(q["a"] * q["v"]))({"a": np.array(2.0), "v": np.ones(2)})
    assert type(mixed["a"]) is np.ndarray and mixed["a"].shape == () and float(mixed["a"]) == 2.0
    assert_close(mixed["v"], [2.0, 2.0])


def _ordered(a=2.0, b=3.0):
    return collections.OrderedDict([("a", np.array(a)), ("b", np.array(b))])


def _default_dict(a=2.0, b=3.0):
    d = collections.defaultdict(list)
    d["a"], d["b"] = np.array(a), np.array(b)
    return d


class Params(dict):
    pass


@pytest.mark.parametrize("make", [_ordered, _default_dict, lambda: Params(a=np.array(2.0), b=np.array(3.0))])
def test_dict_types_are_kept(make):
    p = make()
    fd = {k: numeric_grad(lambda v, k=k: dict_mul({**p, k: v}), (float(p[k]),), 0) for k in p}
    results = {
        "grad": s2s.grad(dict_mul)(p),
        "value_and_grad": s2s.value_and_grad(dict_mul)(p)[1],
        "vjp": s2s.vjp(dict_mul)(p)[1](1.0),
        "jacobian": s2s.jacobian(dict_mul)(p),
        "jacobian forward": s2s.jacobian(dict_mul, mode="forward")(p),
    }
    for name, g in results.items():
        assert type(g) is type(p), (name, type(g))
        assert list(g) == ["a", "b"], name
        for k in p:
            assert_close(g[k], fd[k], what=f"{name} {k}")
    if isinstance(p, collections.defaultdict):
        assert results["grad"].default_factory is list
    h = s2s.hessian(dict_mul)(p)
    assert type(h) is type(p) and all(type(h[k]) is type(p) for k in p)
    assert_close(h["a"]["a"], 2 * 3.0)
    assert_close(h["a"]["b"], 2 * 2.0)
    assert_close(h["b"]["b"], 0.0)
    jac = s2s.jacobian(dict_vector)(p)
    assert type(jac) is type(p)
    assert_close(jac["a"], [3.0, 6.0])
    assert_close(jac["b"], [2.0, 4.0])


# ------------------------------------------------------------------ C2: None in a vjp cotangent
def two_values(a):
    return a * 2.0, np.sum(a)


def array_value(a):
    return np.sin(a)


def dict_value(a):
    return {"u": a * 2.0, "v": np.sum(a)}


def test_none_cotangent_is_refused_as_jvp_refuses_a_none_tangent():
    x = np.array([0.1, 0.2])
    _, pullback = s2s.vjp(two_values)(x)
    assert_close(pullback((np.ones(2), 0.0)), [2.0, 2.0])
    assert_close(pullback((np.zeros(2), 1.0)), [1.0, 1.0])
    for ct, where in [((np.ones(2), None), "at [1]"), ((None, 1.0), "at [0]"), ((None, None), "at [0]"),
                      (None, "got None:")]:
        with pytest.raises(s2s.S2SError, match="got None") as err:
            pullback(ct)
        assert where in str(err.value) and "np.zeros_like" in str(err.value), str(err.value)
    _, pullback = s2s.vjp(array_value)(x)
    assert_close(pullback(np.ones(2)), np.cos(x))
    with pytest.raises(s2s.CallError, match="got None"):
        pullback(None)
    _, pullback = s2s.vjp(dict_value)(x)
    with pytest.raises(s2s.CallError, match=r"got None at \['v'\]"):
        pullback({"u": np.ones(2), "v": None})
    with pytest.raises(s2s.CallError, match="is None"):  # (as jvp refuses a None tangent)
        s2s.jvp(two_values)((x,), (None,))


# ------------------------------------------------------------------ M5: a custom rule's mistakes are S2SErrors
def m5_two(x, y):
    return x * y


def m5_few(x, y):
    return x * y


def m5_one(x):
    return x * 2.0


def m5_right(x, y):
    return x * y


def test_rule_mistakes_are_s2s_errors_and_type_errors():
    @s2s.adjoint(m5_two)
    def _(g, ans, x, y):
        return g * y  # not a tuple

    @s2s.adjoint(m5_few)
    def _(g, ans, x, y):
        return (g * y,)  # one adjoint for two arguments

    def no_ans(g, x):
        return (g,)

    def tangent_no_ans(tangents, x):
        return tangents[0]

    cases = {
        "a bare value": (lambda: s2s.grad(lambda a: m5_two(a, 2.0))(3.0), "must return a tuple"),
        "too few adjoints": (lambda: s2s.grad(lambda a, b: m5_few(a, b), wrt=1)(2.0, 3.0), "returned 1 adjoint"),
        "no ans": (lambda: s2s.adjoint(m5_one)(no_ans), r"write def no_ans\(g, ans, x\)"),
        "tangent without ans": (lambda: s2s.tangent(m5_one)(tangent_no_ans), r"def tangent_no_ans\(tangents, ans, x\)"),
        "adjoint(42)": (lambda: s2s.adjoint(42), "registered for functions"),
        "tangent(None)": (lambda: s2s.tangent(None), "registered for functions"),
        "nondifferentiable(42)": (lambda: s2s.nondifferentiable(42), "registered for functions"),
        "a rule that is no function": (lambda: s2s.adjoint(m5_one)(42), "decorates the function that is the rule"),
    }
    for name, (run, words) in cases.items():
        with pytest.raises(s2s.S2SError, match=words) as err:
            run()
        assert isinstance(err.value, TypeError) and isinstance(err.value, s2s.RuleError), name

    @s2s.adjoint(m5_right)  # (a right rule after the mistakes: the derivative is the rule's)
    def _(g, ans, x, y):
        return g * y, g * x

    assert s2s.grad(lambda a, b: m5_right(a, b) * a, wrt=(0, 1))(2.0, 3.0) == (12.0, 4.0)


# ------------------------------------------------------------------ R4: a lambda whose default is a lambda
unused_default = lambda x, h=lambda t: t * 5.0: x * x * 3.0  # noqa: E731
called_default = lambda x, h=lambda t: t * 5.0: h(x) * x  # noqa: E731
thunk_default = lambda x, h=(lambda: 3.0): x * x * 3.0  # noqa: E731


def test_a_lambda_whose_default_is_a_lambda_is_read():
    for f in (unused_default, thunk_default):
        x = 1.5
        assert f(x) == 6.75
        assert_close(s2s.grad(f)(x), numeric_grad(f, (x,), 0))
        assert_close(s2s.grad(f)(x), 9.0)
        assert_close(s2s.jvp(f)((x,), (1.0,))[1], 9.0)
        assert_close(s2s.hessian(f)(x), 6.0)
    # (a call of the default: the refusal of a function only the run time knows, not "the file changed")
    with pytest.raises(s2s.UnsupportedSyntaxError, match="a value only the run time knows") as err:
        s2s.grad(called_default)(2.0)
    assert "file changed" not in str(err.value)


def test_a_lambda_whose_default_is_a_lambda_edited_after_import_is_refused(tmp_path):
    from tests.conftest import module_from_text
    mod = module_from_text(tmp_path, "lambda_default_edited", "g = lambda x, h=lambda t: t * 5.0: x * x\n")
    (tmp_path / "lambda_default_edited.py").write_text("g = lambda x, h=lambda t: t * 5.0: x * x * x\n")
    with pytest.raises(s2s.SourceUnavailableError, match="is not the code Python runs for it"):
        s2s.grad(mod.g)(2.0)


def act_five(t):
    return t * 5.0


def function_defaults(x, h=act_five, k=lambda t: t * 2.0):
    return x * x * 3.0


def test_a_function_default_the_body_does_not_call_is_data_of_the_signature():
    x = 1.5
    assert_close(s2s.grad(function_defaults)(x), 9.0)
    assert_close(s2s.grad(function_defaults)(x), numeric_grad(function_defaults, (x,), 0))
    assert_close(s2s.jvp(function_defaults)((x,), (1.0,))[1], 9.0)
    assert_close(s2s.jacobian(function_defaults, mode="forward")(x), 9.0)
    assert_close(s2s.hessian(function_defaults)(x), 6.0)
    value, pullback = s2s.vjp(function_defaults)(x)
    assert value == function_defaults(x) and pullback(1.0) == 9.0
    assert "h=act_five" in s2s.grad(function_defaults).source


# ------------------------------------------------------------------ hunt17reg C1: the jvp entry point's defaults
def with_defaults(x, lr=0.1, steps=2):
    return np.sum(np.sin(x) * lr) * steps


def test_the_jvp_entry_point_keeps_the_defaults():
    import inspect
    x, dx = np.array([0.7, 1.3, -0.4]), np.array([1.0, 0.5, -2.0])
    expected = np.sum(np.cos(x) * dx) * 0.1 * 2
    namespace = {}
    exec(compile(s2s.jvp(with_defaults).source, "<jvp text>", "exec"), namespace)  # (the text alone, as API.md says)
    entry = namespace["jvp_with_defaults"]
    assert str(inspect.signature(entry)) == "(x, lr=0.1, steps=2, *, dx)"
    value, tangent = entry(x, dx=dx)
    assert_close(value, with_defaults(x))
    assert_close(tangent, expected)
    assert_close(entry(x, 0.3, dx=dx)[1], expected * 3.0)
    for primals, scale in (((x,), 1.0), ((x, 0.2), 2.0), ((x, 0.2, 3), 3.0)):
        value, tangent = s2s.jvp(with_defaults)(primals, (dx,))
        assert_close(value, with_defaults(*primals))
        assert_close(tangent, expected * scale)
        assert_close(tangent, numeric_grad(lambda x: with_defaults(x, *primals[1:]), (x,), 0) @ dx, rtol=1e-4)
    assert_close(s2s.jvp(with_defaults, wrt="lr")((x,), (1.0,))[1], np.sum(np.sin(x)) * 2)
    assert_close(s2s.jacobian(with_defaults, mode="forward")(x), np.cos(x) * 0.2)
    assert_close(s2s.hessian(with_defaults)(x), np.diag(-np.sin(x) * 0.2))


# ------------------------------------------------------------------ M4: a list the function itself cannot take
def squares_sum(w):
    return np.sum(w ** 2)


def repeated(w):
    return np.sum(np.asarray(w * 2))


def test_a_list_the_function_refuses_gives_the_functions_type_error():
    with pytest.raises(TypeError) as own:
        squares_sum([1.0, 2.0])
    for name, run in [("grad", lambda: s2s.grad(squares_sum)([1.0, 2.0])),
                      ("value_and_grad", lambda: s2s.value_and_grad(squares_sum)([1.0, 2.0])),
                      ("vjp", lambda: s2s.vjp(squares_sum)([1.0, 2.0]))]:
        with pytest.raises(TypeError) as err:
            run()
        message = str(err.value)
        assert message.startswith(str(own.value)) and "np.asarray(w)" in message, (name, message)
        assert "repeated or joined" not in message, name
        assert isinstance(err.value, s2s.S2SError), name
    assert_close(s2s.grad(squares_sum)(np.array([1.0, 2.0])), [2.0, 4.0])
    # (a list the function does repeat, which NumPy then reads: still the refusal that says so)
    assert repeated([1.0, 2.0]) == 6.0
    with pytest.raises(s2s.S2SError, match="repeated or joined"):
        s2s.grad(repeated)([1.0, 2.0])


# ------------------------------------------------------------------ M1: a refusal inside a helper names the call
def m1_risky(v):
    try:
        return np.log(v)
    except FloatingPointError:
        return 0.0


def m1_middle(v):
    return m1_risky(v * 2.0) + v


def m1_user(x):
    y = x + 1.0
    return m1_middle(y) * 3.0


def test_a_refusal_inside_a_helper_names_the_users_calls():
    with pytest.raises(s2s.UnsupportedSyntaxError) as err:
        s2s.grad(m1_user)(1.0)
    message = str(err.value)
    assert message.startswith("a try statement is not supported")
    assert f"{__file__}:{m1_risky.__code__.co_firstlineno + 1}:5" in message  # (the construct, where it is)
    middle, user = m1_middle.__code__.co_firstlineno + 1, m1_user.__code__.co_firstlineno + 2
    assert f"called from {__file__}:{middle}\n    return m1_risky(v * 2.0) + v" in message
    assert f"called from {__file__}:{user}\n    return m1_middle(y) * 3.0" in message
    assert message.index(f":{middle}\n") < message.index(f":{user}\n")  # (innermost first)
    assert "@s2s.adjoint(m1_risky)" in message and "s2s.nondifferentiable(m1_risky)" in message
    assert err.value.lineno == m1_risky.__code__.co_firstlineno + 1  # (the SyntaxError's own location unchanged)
    # (a refusal at the transformed function's own line names no call)
    with pytest.raises(s2s.UnsupportedSyntaxError) as err:
        s2s.grad(m1_risky)(1.0)
    assert "called from" not in str(err.value)


# ------------------------------------------------------------------ hunt17geo M2: the Jacobian's own name
def grid_energy(V):
    d = V[1:] - V[:-1]
    return np.sum(np.sqrt(np.sum(d * d, axis=1) + 1.0))


def test_an_int_array_is_refused_by_the_name_of_the_transformation_called():
    V = np.array([[0, 0], [1, 2], [3, 3], [4, 1]])
    for name, run in [("grad_grid_energy", s2s.grad(grid_energy)), ("jacobian_grid_energy", s2s.jacobian(grid_energy)),
                      ("jacobian_grid_energy", s2s.jacobian(grid_energy, mode="forward")),
                      ("jacobian_grad_grid_energy", s2s.jacobian(s2s.grad(grid_energy))),
                      ("hessian_grid_energy", s2s.hessian(grid_energy))]:
        with pytest.raises(s2s.ArgumentTypeError, match="V.astype") as err:
            run(V)
        assert str(err.value).startswith(name + ": the argument 'V' is an array of int"), str(err.value)
    Vf = V.astype(float)
    J = s2s.jacobian(s2s.grad(grid_energy))(Vf)
    assert_close(J, s2s.hessian(grid_energy)(Vf))
    g = s2s.grad(grid_energy)(Vf)
    assert_close(g, numeric_grad(grid_energy, (Vf,), 0), rtol=1e-4)


# ------------------------------------------------------------------ P1: the fast call of np.float64, int, 0-d
def p1_tiny(x, y):
    return x * y + np.sin(x)


def _same(a, b):
    if isinstance(a, tuple):
        return type(b) is tuple and len(a) == len(b) and all(_same(u, v) for u, v in zip(a, b))
    return type(a) is type(b) and np.shape(a) == np.shape(b) and np.allclose(a, b)


@pytest.mark.parametrize("make", [float, np.float64, np.array, lambda v: int(v * 10)])
@pytest.mark.parametrize("options", [{}, {"wrt": (0, 1)}, {"wrt": 1}, {"return_value": True},
                                     {"wrt": (0, 1), "return_value": True}])
def test_the_fast_call_gives_what_the_general_path_gives(make, options, monkeypatch):
    x, y = make(0.3), make(0.4)
    g = s2s.grad(p1_tiny, **options)
    first = g(x, y)  # (the general path, building the entry)
    assert type(g).__call__ is not s2s.api.transformed.Transformed.__call__  # (the fast class is in use)
    with monkeypatch.context() as patched:  # (the general path reads the wrt arguments: the fast call does not)
        patched.setattr(s2s.api.transformed, "wrt_arguments", None)
        for _ in range(2):
            assert _same(g(x, y), first), (g(x, y), first)
    assert _same(s2s.api.transformed.Transformed._call(g, x, y), first)
    grads = first[1] if options.get("return_value") else first
    grads = grads if isinstance(grads, tuple) else (grads,)
    wrt = options.get("wrt", 0)
    for k, g_k in zip(wrt if isinstance(wrt, tuple) else (wrt,), grads):
        template = (x, y)[k]
        assert type(g_k) is (np.ndarray if type(template) is np.ndarray else float), (template, g_k)
        expected = float(y) + np.cos(float(x)) if k == 0 else float(x)
        assert_close(g_k, expected)
        assert_close(g_k, numeric_grad(p1_tiny, (float(x), float(y)), k), rtol=1e-4)
