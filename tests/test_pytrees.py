"""Containers (tuples, lists, dicts of numbers and arrays, nested) in every transformation.

Every derivative is checked against central finite differences taken leaf by leaf,
never against s2s itself; structures are checked exactly (container types, keys,
leaf shapes), as docs/spec API.md asks: jacobian with respect to a container is that
container with leaves of shape `value.shape + leaf.shape`, hessian a container of
containers `H[a][b]` of shape `leaf_a.shape + leaf_b.shape`.
"""
import copy

import numpy as np
import pytest

import s2s

EPS = 1e-6


# ---------------------------------------------------------------- finite differences on pytrees
def _leaves(t):
    if isinstance(t, dict):
        return [x for v in t.values() for x in _leaves(v)]
    if isinstance(t, (tuple, list)):
        return [x for v in t for x in _leaves(v)]
    return [t]


def _rebuild(t, it):
    if isinstance(t, dict):
        return {k: _rebuild(v, it) for k, v in t.items()}
    if isinstance(t, tuple):
        return tuple(_rebuild(v, it) for v in t)
    if isinstance(t, list):
        return [_rebuild(v, it) for v in t]
    return next(it)


def _with_leaf(tree, j, leaf):
    """`tree` with its leaf number j replaced."""
    new = [leaf if i == j else v for i, v in enumerate(_leaves(tree))]
    return _rebuild(tree, iter(new))


def _numeric_jacobian(f, args, index, eps=EPS):
    """d value / d args[index] by central differences, structured as API.md says."""
    x = args[index]
    value = f(*copy.deepcopy(args))
    v_leaves = _leaves(value)
    blocks = [[] for _ in v_leaves]  # blocks[a][b]
    for b, leaf in enumerate(_leaves(x)):
        arr = np.asarray(leaf, dtype=float)
        cols = [np.zeros(np.shape(v) + arr.shape) for v in v_leaves]
        for idx in np.ndindex(*arr.shape):
            xp, xm = arr.copy(), arr.copy()
            xp[idx] += eps
            xm[idx] -= eps
            pick = (lambda z: float(z)) if np.ndim(leaf) == 0 else (lambda z: z)
            ap, am = list(args), list(args)
            ap[index] = _with_leaf(x, b, pick(xp))
            am[index] = _with_leaf(x, b, pick(xm))
            vp = _leaves(f(*copy.deepcopy(ap)))
            vm = _leaves(f(*copy.deepcopy(am)))
            for a in range(len(v_leaves)):
                d = (np.asarray(vp[a], dtype=float) - np.asarray(vm[a], dtype=float)) / (2 * eps)
                cols[a][(Ellipsis,) + idx] = d
        for a in range(len(v_leaves)):
            blocks[a].append(cols[a])
    inner = [_rebuild(x, iter(row)) for row in blocks]
    return _rebuild(value, iter(inner))


def _numeric_hessian(f, args, index):
    """Central differences of the (central-difference) gradient: H[a][b]."""
    def gradient(*a):
        return _numeric_jacobian(f, list(a), index, eps=1e-4)
    return _numeric_jacobian(gradient, list(args), index, eps=1e-4)


def assert_tree_close(got, expected, rtol=1e-5, atol=1e-6, path="result"):
    if isinstance(expected, dict):
        assert isinstance(got, dict), f"{path}: {type(got).__name__} instead of a dict"
        assert list(got) == list(expected), f"{path}: keys {list(got)} instead of {list(expected)}"
        for k in expected:
            assert_tree_close(got[k], expected[k], rtol, atol, f"{path}[{k!r}]")
        return
    if isinstance(expected, (tuple, list)):
        assert isinstance(got, type(expected)), f"{path}: {type(got).__name__} instead of {type(expected).__name__}"
        assert len(got) == len(expected), f"{path}: {len(got)} parts instead of {len(expected)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_tree_close(g, e, rtol, atol, f"{path}[{i}]")
        return
    assert not isinstance(got, (tuple, list, dict)), f"{path}: a {type(got).__name__} instead of an array"
    assert np.shape(got) == np.shape(expected), f"{path}: shape {np.shape(got)} instead of {np.shape(expected)}"
    np.testing.assert_allclose(np.asarray(got, dtype=float), expected, rtol=rtol, atol=atol, err_msg=path)


# ---------------------------------------------------------------- functions of containers
def dict_scalar(p, x):
    return p["a"] * np.sum(np.sin(x)) + p["b"] ** 2


def dict_array(p, x):
    return p["a"] * np.sin(x) + p["b"][0] * x ** 2 + p["b"][1]


def tuple_scalar(t):
    return t[0] * t[1][0] + np.sum(t[1][1] ** 2)


def list_array(ws, x):
    return ws[0] * x + np.tanh(ws[1] * x)


def nested(params, x):
    layer = params["layers"][0]
    h = np.tanh(layer["w"] @ x + layer["b"])
    return np.sum(h * params["scale"]) + params["layers"][1][0] * x[0]


def constant(coeffs, xs):
    return 1.5


X = np.array([0.5, -1.25, 2.0])
NET = {"layers": [{"w": np.array([[0.1, 0.2, -0.3], [0.4, -0.5, 0.6]]), "b": np.array([0.05, -0.1])}, [0.7]],
       "scale": np.array([1.5, -0.5])}

CASES = [
    ("dict-scalar", dict_scalar, ({"a": 0.7, "b": 1.3}, X)),
    ("dict-array-leaves-array-result", dict_array, ({"a": 0.7, "b": (np.array([1.0, 2.0, -1.0]), 0.3)}, X)),
    ("tuple-nested-scalar", tuple_scalar, ((0.5, [1.5, np.array([1.0, 2.0])]),)),
    ("list-array-result", list_array, ([0.8, -0.4], X)),
    ("nested-dict-list", nested, (NET, X)),
    ("constant", constant, ({"b": 1.3323, "w": -0.7538}, X)),
]


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("name,f,args", CASES, ids=[c[0] for c in CASES])
def test_jacobian_with_respect_to_containers(name, f, args, mode):
    wrt = tuple(range(len(args)))
    got = s2s.jacobian(f, wrt=wrt, mode=mode)(*copy.deepcopy(args))
    expected = tuple(_numeric_jacobian(f, list(args), k) for k in wrt)
    assert_tree_close(got, expected)
    single = s2s.jacobian(f, wrt=0, mode=mode)(*copy.deepcopy(args))
    assert_tree_close(single, expected[0])


@pytest.mark.parametrize("name,f,args", [c for c in CASES if c[0] in
                                         ("dict-scalar", "tuple-nested-scalar", "nested-dict-list", "constant")],
                         ids=["dict-scalar", "tuple-nested-scalar", "nested-dict-list", "constant"])
def test_hessian_with_respect_to_containers(name, f, args):
    got = s2s.hessian(f, wrt=0)(*copy.deepcopy(args))
    assert_tree_close(got, _numeric_hessian(f, list(args), 0), rtol=1e-4, atol=1e-4)


def test_hessian_of_array_argument_is_still_an_array():
    def f(x):
        return np.sum(x ** 3)
    H = s2s.hessian(f)(X)
    np.testing.assert_allclose(H, np.diag(6 * X))


def returns_tuple(p):
    return p["a"] * 2.0, np.array([p["a"], p["b"]]) ** 2


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_jacobian_of_a_tuple_result_is_nested_around_the_arguments_structure(mode):
    p = {"a": 0.5, "b": -1.5}
    got = s2s.jacobian(returns_tuple, mode=mode)(p)
    assert_tree_close(got, _numeric_jacobian(returns_tuple, [p], 0))


def test_vjp_and_jvp_with_containers():
    p = {"a": 0.7, "b": (np.array([1.0, 2.0, -1.0]), 0.3)}
    value, pullback = s2s.vjp(dict_array, wrt=(0, 1))(p, X)
    ct = np.array([1.0, -2.0, 0.5])
    gp, gx = pullback(ct)
    J = _numeric_jacobian(dict_array, [p, X], 0)
    expected = {"a": ct @ J["a"], "b": (ct @ J["b"][0], ct @ J["b"][1])}
    assert_tree_close(gp, expected)
    tp = {"a": 0.3, "b": (np.array([0.1, 0.0, -0.2]), 1.0)}
    v, t = s2s.jvp(dict_array)((p, X), (tp,))
    expected_t = J["a"] * tp["a"] + J["b"][0] @ tp["b"][0] + J["b"][1] * tp["b"][1]
    np.testing.assert_allclose(t, expected_t, rtol=1e-6)


# ---------------------------------------------------------------- the fuzzer's reproducers
def constant_of_tuple_array_list(theta, p, params):
    return 1.5


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_jacobian_of_constant_keeps_each_arguments_structure(mode):
    jac = s2s.jacobian(constant, wrt=("coeffs", "xs"), mode=mode)({"b": 1.3323, "w": -0.7538}, X)
    assert_tree_close(jac, ({"b": np.zeros(()), "w": np.zeros(())}, np.zeros(3)))
    jac = s2s.jacobian(constant_of_tuple_array_list, wrt=(0, 1, 2), mode=mode)((0.2,), X, [0.4])
    assert_tree_close(jac, ((np.zeros(()),), np.zeros(3), [np.zeros(())]))


def dict_gradient_doubled(x, pair):
    x, diff = (x, pair['bias'] + pair['bias'])
    return diff


def test_dict_gradient_scaled_in_generated_code():
    value, pullback = s2s.vjp(dict_gradient_doubled, wrt=(0, 1))(0.5, {"bias": 0.3, "w": 1.2})
    gx, gpair = pullback(1.0)
    assert gx == 0.0
    assert_tree_close(gpair, {"bias": 2.0, "w": 0.0})


def returned_only_on_a_path_not_taken(x):
    if True:
        if True:
            return 1.5
    return x


def tuple_reaches_result_only_on_other_path(state, b):
    for e in reversed(state):
        r = b or state
    return r


def test_gradient_of_unreached_array_parameter_has_its_shape():
    g = s2s.grad(returned_only_on_a_path_not_taken)(X)
    assert isinstance(g, np.ndarray) and g.shape == (3,) and not g.any()
    assert s2s.grad(returned_only_on_a_path_not_taken)(2.0) == 0.0


def test_gradient_of_unreached_tuple_parameter_is_a_tuple_of_zeros():
    value, (gstate, gb) = s2s.value_and_grad(tuple_reaches_result_only_on_other_path,
                                             wrt=("state", "b"))((0.99, 1.10), -1.13)
    assert value == -1.13
    assert isinstance(gstate, tuple) and tuple(gstate) == (0.0, 0.0)
    assert gb == 1.0


def power_series(x, n):
    y = 1.0
    for i in range(n):
        y = y * x
    return y


def test_gradient_of_array_through_a_loop_that_does_not_run():
    g = s2s.grad(power_series)(np.ones(3), 0)
    assert isinstance(g, np.ndarray) and g.shape == (3,) and not g.any()
    assert s2s.grad(power_series)(2.0, 3) == pytest.approx(12.0)


# ---------------------------------------------------------------- flatten
@pytest.mark.parametrize("tree", [
    {"w": np.arange(6.0).reshape(2, 3), "b": 0.5},
    (1.0, [2.0, np.array([3.0, 4.0])], {"k": np.zeros((0,)), "z": np.array(5.0)}),
    [],
    2.5,
    np.array([[1.0, 2.0]]),
], ids=["dict", "nested", "empty", "number", "array"])
def test_flatten_round_trips(tree):
    vector, unflatten = s2s.flatten(tree)
    assert vector.ndim == 1 and vector.dtype == float
    assert vector.size == sum(np.size(leaf) for leaf in _leaves(tree))
    back = unflatten(vector)
    assert_tree_close(back, tree, rtol=0, atol=0)
    for orig, new in zip(_leaves(tree), _leaves(back)):
        assert isinstance(new, float) if np.ndim(orig) == 0 and not isinstance(orig, np.ndarray) \
            else isinstance(new, np.ndarray)
    doubled = unflatten(2 * vector)
    assert_tree_close(doubled, _rebuild(tree, iter([2 * np.asarray(v) for v in _leaves(tree)])), rtol=0, atol=0)


def test_flatten_of_gradient_drives_an_optimiser():
    def loss(params, x):
        return np.sum((params["w"] * x + params["b"] - 1.0) ** 2)
    params = {"w": np.array([0.5, -0.5, 1.0]), "b": 0.0}
    vector, unflatten = s2s.flatten(params)
    for _ in range(200):
        g, _ = s2s.flatten(s2s.grad(loss)(unflatten(vector), X))
        vector = vector - 0.05 * g
    assert loss(unflatten(vector), X) < 1e-6


def test_unflatten_refuses_a_vector_of_the_wrong_length():
    _, unflatten = s2s.flatten((1.0, np.zeros(2)))
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        unflatten(np.zeros(4))


def returns_inside_loop_over_tuple(q, x, state):
    for v in state:
        return 1.5
    u = x / q
    return u


def test_gradient_of_arrays_returned_only_after_a_loop_that_returns_early():
    # fuzz seed 7081, level 4: the loop's return (a value a break carries) is a path of its own
    value, (gq, gx, gstate) = s2s.value_and_grad(returns_inside_loop_over_tuple, wrt=("q", "x", "state"))(
        np.array([0.5, 0.9, 0.1]), np.array([-0.4, 0.5, -0.9]), (1.1, -0.7, 1.1))
    assert value == 1.5
    assert gq.shape == (3,) and gx.shape == (3,) and not gq.any() and not gx.any()
    assert tuple(gstate) == (0.0, 0.0, 0.0)
