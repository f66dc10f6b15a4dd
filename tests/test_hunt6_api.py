"""Round six of the bug hunts (docs/testing.md), the API's part (/tmp/hunt/hunt6dl items 1-3 and 7): Hessians with
respect to a tuple of container arguments, gradients of an array passed whole to np.concatenate and its kin, and
derivatives of functions that draw random numbers. Each against finite differences or an analytic value."""
import dataclasses
import math
import random

import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad


# ---------------------------------------------------------------------------------------------------------------
# finite differences over the leaves of containers (written here, independent of s2s.flatten and its pytrees)

def _leaf_paths(tree, prefix=()):
    """[(path, leaf)] of the numbers and arrays in `tree`: a path is a tuple of keys, indices and field names."""
    if dataclasses.is_dataclass(tree) and not isinstance(tree, type):
        return [p for f in dataclasses.fields(tree) for p in _leaf_paths(getattr(tree, f.name), prefix + (f.name,))]
    if isinstance(tree, dict):
        return [p for k, v in tree.items() for p in _leaf_paths(v, prefix + (k,))]
    if isinstance(tree, (list, tuple)):
        return [p for i, v in enumerate(tree) for p in _leaf_paths(v, prefix + (i,))]
    return [(prefix, tree)]


def _get(tree, path):
    for key in path:
        tree = getattr(tree, key) if dataclasses.is_dataclass(tree) else tree[key]
    return tree


def _replaced(tree, path, value):
    """A copy of `tree` with `value` at `path`."""
    if not path:
        return value
    key, rest = path[0], path[1:]
    if dataclasses.is_dataclass(tree):
        return dataclasses.replace(tree, **{key: _replaced(getattr(tree, key), rest, value)})
    if isinstance(tree, dict):
        return {**tree, key: _replaced(tree[key], rest, value)}
    items = list(tree)
    items[key] = _replaced(items[key], rest, value)
    return type(tree)(items)


def _bumped(args, i, path, index, step):
    """`args` with element `index` of the leaf at `path` of argument `i` moved by `step`."""
    leaf = _get(args[i], path)
    if np.ndim(leaf) == 0:
        new = float(leaf) + step
    else:
        new = np.array(leaf, dtype=float)
        new[index] += step
    out = list(args)
    out[i] = _replaced(args[i], path, new)
    return out


def _numeric_block(f, args, i, path_a, j, path_b, eps=1e-4):
    """d^2 f / d leaf_a d leaf_b by central differences (leaf_a at `path_a` of argument i, leaf_b at `path_b` of
    argument j), of shape leaf_a.shape + leaf_b.shape."""
    shape_a, shape_b = np.shape(_get(args[i], path_a)), np.shape(_get(args[j], path_b))
    out = np.zeros(shape_a + shape_b)
    for p in np.ndindex(*shape_a):
        for q in np.ndindex(*shape_b):
            total = 0.0
            for sa, sb, sign in ((1, 1, 1), (1, -1, -1), (-1, 1, -1), (-1, -1, 1)):
                moved = _bumped(_bumped(args, i, path_a, p, sa * eps), j, path_b, q, sb * eps)
                total += sign * f(*moved)
            out[p + q] = total / (4 * eps * eps)
    return out


def _check_tuple_hessian(H, f, args, positions, rtol=1e-5, atol=1e-5):
    """`H[i][j]` against finite differences: for container arguments, the block of leaf a of argument i and leaf b
    of argument j is `H[i][j][path_a][path_b]` (as `hessian(f, wrt=i)` nests them where i == j)."""
    assert type(H) is tuple and len(H) == len(positions)
    for i, pi in enumerate(positions):
        assert type(H[i]) is tuple and len(H[i]) == len(positions)
        for j, pj in enumerate(positions):
            for path_a, _ in _leaf_paths(args[pi]):
                for path_b, _ in _leaf_paths(args[pj]):
                    block = _get(_get(H[i][j], path_a), path_b)
                    assert isinstance(block, np.ndarray), (i, j, path_a, path_b, type(block))
                    assert_close(block, _numeric_block(f, args, pi, path_a, pj, path_b), rtol=rtol, atol=atol,
                                 what=f"H[{i}][{j}] at {path_a} {path_b}")


# ---------------------------------------------------------------------------------------------------------------
# 1. hessian(f, wrt=TUPLE) where an argument is a container (IndexError / KeyError inside generated code before)

@dataclasses.dataclass
class Params:
    a: np.ndarray
    b: float


def dict_times_array(p, w):
    return np.sum((p['a'] * w) ** 2)


def list_times_array(p, w):
    return np.sum((p[0] * w) ** 2) + np.sum(p[1] * w ** 3)


def dict_dict(p, q):
    return np.sum(p['a'] * q['b'] ** 2) + p['c'] * q['d'] ** 3 * np.sum(p['a'])


def dict_float(p, w):
    return np.sum(np.sin(p['a']) ** 2) * w ** 2 + w * np.sum(p['a'] ** 3)


def record_array(p, w):
    return np.sum((p.a * w) ** 2) * p.b + np.sum(w ** 3)


A = np.array([1.0, 2.0])
W = np.array([0.5, -1.0])


@pytest.mark.parametrize("f, args", [
    (dict_times_array, ({'a': A}, W)),
    (list_times_array, ([A, np.array([0.3, -0.7])], W)),
    (list_times_array, ((A, np.array([0.3, -0.7])), W)),
    (dict_dict, ({'a': A, 'c': 0.7}, {'b': np.array([3.0, 2.0]), 'd': 1.3})),
    (dict_float, ({'a': A}, 0.7)),
    (record_array, (Params(A, 1.5), W)),
], ids=["dict-array", "list-array", "tuple-array", "dict-dict", "dict-float", "dataclass-array"])
def test_hessian_tuple_wrt_of_container_arguments(f, args):
    H = s2s.hessian(f, wrt=(0, 1))(*args)
    _check_tuple_hessian(H, f, args, (0, 1))
    names = tuple(f.__code__.co_varnames[:2])
    _check_tuple_hessian(s2s.hessian(f, wrt=names)(*args), f, args, (0, 1))
    _check_tuple_hessian(s2s.hessian(f, wrt=(1, 0))(*args), f, args, (1, 0))
    # the diagonal blocks are the single-argument Hessians
    for i in (0, 1):
        single = s2s.hessian(f, wrt=i)(*args)
        for path_a, _ in _leaf_paths(args[i]):
            for path_b, _ in _leaf_paths(args[i]):
                assert_close(_get(_get(H[i][i], path_a), path_b), _get(_get(single, path_a), path_b))


def test_hessian_one_tuple_wrt_of_a_dict():
    p = {'a': A}
    H = s2s.hessian(dict_times_array, wrt=(0,))(p, W)
    _check_tuple_hessian(H, dict_times_array, (p, W), (0,))
    assert_close(H[0][0]['a']['a'], np.diag(2.0 * W ** 2), what="analytic")
    H = s2s.hessian(dict_times_array, wrt=(1,))(p, W)
    assert_close(H[0][0], np.diag(2.0 * A ** 2), what="1-tuple of an array")


def test_forward_jacobian_of_a_tuple_gradient_with_a_dict_argument():
    """jacobian(grad(f, wrt=(0, 1)), wrt=(0, 1), mode="forward") with a dict p: the vector mode of the gradient's
    tangents crashed on p's adjoint; J is nested as JAX's jacfwd (the value's structure outside, the wrt tuple
    inside), and agrees with reverse mode and finite differences."""
    p = {'a': A}
    g = s2s.grad(dict_times_array, wrt=(0, 1))
    forward = s2s.jacobian(g, wrt=(0, 1), mode="forward")(p, W)
    reverse = s2s.jacobian(g, wrt=(0, 1))(p, W)
    args = (p, W)
    # forward[i] has the structure of argument i (the gradient's part i), each leaf a tuple over j
    for i in (0, 1):
        for path_a, _ in _leaf_paths(args[i]):
            for j in (0, 1):
                for path_b, _ in _leaf_paths(args[j]):
                    numeric = _numeric_block(dict_times_array, args, i, path_a, j, path_b)
                    assert_close(_get(_get(forward[i], path_a)[j], path_b), numeric, what=f"forward {i} {j}")
                    assert_close(_get(_get(reverse[i], path_a)[j], path_b), numeric, what=f"reverse {i} {j}")
    # one argument of a gradient with respect to a dict, and with respect to the tuple
    for grad_wrt in (0, (0, 1)):
        J = s2s.jacobian(s2s.grad(dict_times_array, wrt=grad_wrt), wrt=1, mode="forward")(p, W)
        part = J['a'] if grad_wrt == 0 else J[0]['a']
        assert_close(part, _numeric_block(dict_times_array, args, 0, ('a',), 1, ()), what=f"grad wrt {grad_wrt}")


# ---------------------------------------------------------------------------------------------------------------
# 2. an array passed whole to np.concatenate and its kin (NumPy iterates over its rows): its gradient came out an
#    internal Parts (grad) or a list (vjp, value_and_grad) of the rows' derivatives, not an ndarray

def concatenate_rows(x):
    return np.sum(np.concatenate(x) ** 3)


def stack_rows(x):
    return np.sum(np.stack(x) ** 3)


def hstack_rows(x):
    return np.sum(np.hstack(x) ** 3)


def vstack_rows(x):
    return np.sum(np.vstack(x) ** 3)


def dstack_rows(x):
    return np.sum(np.dstack(x) ** 3)


def column_stack_rows(x):
    return np.sum(np.column_stack(x) ** 3)


def concatenate_flat(x):
    return np.sum(np.concatenate(x, axis=None) ** 3)


def stack_rows_scaled(x, s):
    return np.sum(np.stack(x, axis=1) ** 3) * s


def concatenate_in_a_dict(p):
    return np.sum(np.concatenate(p['x']) ** 3) + p['s'] ** 2


JOINS = [concatenate_rows, stack_rows, hstack_rows, vstack_rows, dstack_rows, column_stack_rows, concatenate_flat]
X23 = np.arange(6.0).reshape(2, 3) - 2.5
X234 = np.linspace(-1.0, 1.3, 24).reshape(2, 3, 4)


@pytest.mark.parametrize("f", JOINS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", [X23, X234], ids=["2-d", "3-d"])
def test_gradient_of_an_array_joined_as_a_sequence_is_an_array(f, x):
    expected = 3.0 * x ** 2  # every element of x appears once in the joined array
    assert_close(expected, numeric_grad(f, (x,), 0), rtol=1e-4, what="the reference itself")
    results = {"grad": s2s.grad(f)(x), "grad again": s2s.grad(f)(x), "value_and_grad": s2s.value_and_grad(f)(x)[1],
               "vjp": s2s.vjp(f)(x)[1](1.0), "grad wrt=(0,)": s2s.grad(f, wrt=(0,))(x)[0]}
    for name, g in results.items():
        assert type(g) is np.ndarray and g.shape == x.shape and g.dtype == np.float64, (name, type(g))
        assert_close(g, expected, what=name)
        g2 = g / 2.0  # (what raised TypeError on the Parts)
        assert_close(g2.ravel(), expected.ravel() / 2.0, what=name)


def test_gradient_of_an_array_joined_as_a_sequence_keeps_float32():
    x = X23.astype(np.float32)
    g = s2s.grad(concatenate_rows)(x)
    assert type(g) is np.ndarray and g.dtype == np.float32 and g.shape == x.shape
    assert_close(g, 3.0 * X23 ** 2, rtol=1e-5)


def test_gradients_of_arrays_joined_as_sequences_with_other_arguments():
    s = 1.7
    gx, gs = s2s.grad(stack_rows_scaled, wrt=(0, 1))(X234, s)
    assert type(gx) is np.ndarray and gx.shape == X234.shape
    assert_close(gx, 3.0 * X234 ** 2 * s, what="x")
    assert_close(gs, np.sum(X234 ** 3), what="s")
    _, pullback = s2s.vjp(stack_rows_scaled, wrt=(0, 1))(X234, s)
    gx, gs = pullback(2.0)
    assert type(gx) is np.ndarray and gx.shape == X234.shape
    assert_close(gx, 6.0 * X234 ** 2 * s, what="vjp x")
    p = {'x': X23, 's': 0.5}
    g = s2s.grad(concatenate_in_a_dict)(p)
    assert type(g) is dict and type(g['x']) is np.ndarray and g['x'].shape == X23.shape
    assert_close(g['x'], 3.0 * X23 ** 2, what="dict leaf")
    assert_close(g['s'], 1.0, what="dict s")


# ---------------------------------------------------------------------------------------------------------------
# 3. a function that draws random numbers inside (a dropout mask): each basis tangent of a forward-mode Jacobian
#    or Hessian called it anew and drew a new mask, and the matrix was the derivative of no one draw

def dropout_generator(x, rng):
    mask = np.random.Generator.random(rng, x.shape[0]) < 0.5
    return np.sum(x * mask) ** 2


def dropout_global(x):
    mask = np.random.rand(x.shape[0]) < 0.5
    return np.sum(x * mask) ** 2


def dropout_python(x):
    total = 0.0
    for i in range(x.shape[0]):
        total = total + x[i] * (random.random() < 0.5)
    return total ** 2


def dropout_in_a_dict(x, config):
    mask = np.random.Generator.random(config['rng'], x.shape[0]) < 0.5
    return np.sum(x * mask) ** 2


def dropout_scaled(x, s, rng):
    mask = np.random.Generator.random(rng, x.shape[0]) < 0.5
    return (np.sum(x * mask) * s) ** 2


def dropout_of_a_dict(p):
    mask = np.random.rand(p['x'].shape[0]) < 0.5
    return np.sum(p['x'] * mask) ** 2 * p['s']


def dropout_vector(x):
    mask = np.random.rand(x.shape[0]) < 0.5
    y = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        y[i] = x[i] * mask[i]
        y[i] = y[i] * x[i]
    return y


XR = np.arange(1.0, 9.0)


def _mask_of_generator(seed=0):
    return (np.random.default_rng(seed).random(XR.shape[0]) < 0.5).astype(float)


def _mask_of_global(seed=0):
    np.random.seed(seed)
    return (np.random.rand(XR.shape[0]) < 0.5).astype(float)


def _mask_of_python(seed=0):
    random.seed(seed)
    return np.array([float(random.random() < 0.5) for _ in XR])


def test_hessian_of_a_dropout_drawn_from_a_generator_argument_sees_one_draw():
    m = _mask_of_generator()
    assert 0 < m.sum() < m.size  # (a mask that tells draws apart)
    rng = np.random.default_rng(0)
    H = s2s.hessian(dropout_generator)(XR, rng)
    assert_close(H, 2.0 * np.outer(m, m), what="hessian = 2 m m^T of the one draw")
    # the caller's generator is left as one call leaves it
    one = np.random.default_rng(0)
    dropout_generator(XR, one)
    assert rng.random() == one.random()
    H = s2s.jacobian(s2s.grad(dropout_generator), mode="forward")(XR, np.random.default_rng(0))
    assert_close(H, 2.0 * np.outer(m, m), what="jacobian(grad, forward)")
    H = s2s.hessian(dropout_in_a_dict)(XR, {'rng': np.random.default_rng(0)})
    assert_close(H, 2.0 * np.outer(m, m), what="a generator in a dict argument")


@pytest.mark.parametrize("transform", ["hessian", "jacobian(grad, forward)", "jacobian(grad)"])
def test_hessian_of_a_dropout_drawn_from_the_global_generators_sees_one_draw(transform):
    make = {"hessian": s2s.hessian, "jacobian(grad, forward)": lambda f: s2s.jacobian(s2s.grad(f), mode="forward"),
            "jacobian(grad)": lambda f: s2s.jacobian(s2s.grad(f))}[transform]
    for f, mask, seed, draw in ((dropout_global, _mask_of_global, np.random.seed, np.random.rand),
                                (dropout_python, _mask_of_python, random.seed, random.random)):
        m = mask()
        seed(0)
        H = make(f)(XR)
        assert_close(H, 2.0 * np.outer(m, m), what=f"{f.__name__}: hessian = 2 m m^T of the one draw")
        after = draw()
        seed(0)
        f(XR)  # (the generator is left as one call leaves it)
        assert after == draw(), f.__name__


def test_hessian_with_a_tuple_wrt_of_a_dropout_sees_one_draw():
    m = _mask_of_generator()
    s = 1.5
    H = s2s.hessian(dropout_scaled, wrt=(0, 1))(XR, s, np.random.default_rng(0))
    total = np.sum(XR * m)
    assert_close(H[0][0], 2.0 * s ** 2 * np.outer(m, m), what="xx")
    assert_close(H[0][1], 4.0 * s * total * m, what="xs")
    assert_close(H[1][0], 4.0 * s * total * m, what="sx")
    assert_close(H[1][1], 2.0 * total ** 2, what="ss")

    def fixed(x, s):  # the same function with the mask of the one draw: finite differences of it
        return (np.sum(x * m) * s) ** 2
    assert_close(H[1][1], _numeric_block(fixed, (XR, s), 1, (), 1, ()), rtol=1e-4, what="ss numeric")
    J = s2s.jacobian(dropout_scaled, wrt=(0, 1), mode="forward")(XR, s, np.random.default_rng(0))
    assert_close(J[0], numeric_grad(fixed, (XR, s), 0), rtol=1e-4, what="jacobian, x")
    assert_close(J[1], numeric_grad(fixed, (XR, s), 1), rtol=1e-4, what="jacobian, s")


def test_hessian_with_respect_to_a_dict_of_a_dropout_sees_one_draw():
    m = _mask_of_global()
    p = {'x': XR, 's': 0.5}
    np.random.seed(0)
    H = s2s.hessian(dropout_of_a_dict)(p)
    total = np.sum(XR * m)
    assert_close(H['x']['x'], 2.0 * p['s'] * np.outer(m, m), what="xx")
    assert_close(H['x']['s'], 2.0 * total * m, what="xs")
    assert_close(H['s']['x'], 2.0 * total * m, what="sx")
    assert_close(H['s']['s'], 0.0, what="ss")


def test_reverse_jacobian_whose_pullback_runs_the_function_again_sees_one_draw():
    """vjp's pullback runs the forward sweep again where the adjoint would consume what it saved (element
    writes in a loop): it drew a new mask at each row of the Jacobian, and the gradient of another draw than the
    value's."""
    m = _mask_of_global()
    np.random.seed(0)
    J = s2s.jacobian(dropout_vector)(XR)
    assert_close(J, np.diag(2.0 * XR * m), what="jacobian")
    after = np.random.rand()
    np.random.seed(0)
    dropout_vector(XR)
    assert after == np.random.rand()
    np.random.seed(0)
    value, pullback = s2s.vjp(dropout_vector)(XR)
    assert_close(value, XR ** 2 * m, what="value")
    assert_close(pullback(np.ones_like(XR)), 2.0 * XR * m, what="pullback of the value's draw")
    assert_close(pullback(np.ones_like(XR)), 2.0 * XR * m, what="and again")
    assert after == np.random.rand()


# ---------------------------------------------------------------------------------------------------------------
# 4. jacobian(mode="forward") refused np.sum(..., where=) (its vector mode has no rule for it), which jvp supports

def masked_sum(x, m):
    return np.sum(x ** 2, where=m)


def masked_sum_vector(x, m):
    return np.cumsum(x ** 2) * np.sum(x, where=m)


def test_forward_jacobian_of_a_masked_sum_pushes_one_tangent_at_a_time():
    x, m = np.array([1.0, 2.0, 3.0]), np.array([True, False, True])
    J = s2s.jacobian(masked_sum, mode="forward")(x, m)
    assert_close(J, 2.0 * x * m, what="analytic")
    assert_close(J, numeric_grad(masked_sum, (x, m), 0), what="finite differences")
    J = s2s.jacobian(masked_sum_vector, mode="forward")(x, m)
    numeric = np.stack([numeric_grad(lambda v, i=i: masked_sum_vector(v, m)[i], (x,), 0) for i in range(3)])
    assert_close(J, numeric, what="an array value")


def cubed_by_rule(x):
    return x ** 3


@s2s.adjoint(cubed_by_rule)
def _cubed_adjoint(g, ans, x):
    return (g * 3.0 * x ** 2,)


def calls_a_rule_without_tangent(x):
    return np.sum(cubed_by_rule(x))


def test_forward_jacobian_still_refuses_what_jvp_refuses():
    x = np.array([1.0, 2.0])
    with pytest.raises(s2s.NonDifferentiableError, match="cubed_by_rule") as info:
        s2s.jacobian(calls_a_rule_without_tangent, mode="forward")(x)
    assert "test_hunt6_api.py" in str(info.value)


# ---------------------------------------------------------------------------------------------------------------
# 4. a string (or None) among the leaves of a container argument: grad gave it the derivative 0.0, and
#    s2s.flatten raised NumPy's ValueError; a derivative has the structure of numbers and arrays (docs API.md)

def loss_with_a_setting(p):
    return np.sum(p['w'] ** 2) * (2.0 if p['act'] == 'relu' else 1.0)


@dataclasses.dataclass
class Layer:
    w: np.ndarray
    act: str


def layer_loss(layer):
    return np.sum(layer.w ** 2)


def loss_of_params_and_settings(params, settings):
    return np.sum(params['w'] ** 2) * (2.0 if settings['act'] == 'relu' else 1.0)


@pytest.mark.parametrize("transform", [
    lambda f: s2s.grad(f), lambda f: s2s.value_and_grad(f), lambda f: s2s.vjp(f), lambda f: s2s.hessian(f),
    lambda f: s2s.jacobian(f), lambda f: s2s.jacobian(f, mode="forward")],
    ids=["grad", "value_and_grad", "vjp", "hessian", "jacobian", "jacobian forward"])
def test_a_string_leaf_of_a_wrt_container_is_refused_with_its_path(transform):
    p = {'w': np.array([1.0, 2.0]), 'act': 'relu'}
    with pytest.raises(TypeError, match=r"holds a str at p\['act'\].*outside wrt"):
        transform(loss_with_a_setting)(p)
    with pytest.raises(TypeError, match=r"holds None at p\['act'\]"):
        transform(loss_with_a_setting)({'w': p['w'], 'act': None})


def test_a_string_field_of_a_dataclass_is_refused_and_the_settings_apart_work():
    with pytest.raises(TypeError, match=r"holds a str at layer\.act"):
        s2s.grad(layer_loss)(Layer(np.array([1.0, 2.0]), 'relu'))
    w = np.array([1.0, 2.0])
    g = s2s.grad(loss_of_params_and_settings)({'w': w}, {'act': 'relu'})
    assert_close(g['w'], 4.0 * w, what="what the refusal says to write")


def test_flatten_refuses_a_string_leaf_naming_it():
    with pytest.raises(TypeError, match=r"s2s.flatten: the leaf \['act'\] is a str"):
        s2s.flatten({'w': np.ones(2), 'act': 'relu'})
    vector, unflatten = s2s.flatten({'w': np.ones(2), 'b': 0.5})
    assert_close(vector, [1.0, 1.0, 0.5])


# ---------------------------------------------------------------------------------------------------------------
# found by the fuzzer (seed 1402003): the derivative with respect to a tuple came out a list where the adjoint
# was the runtime's list of parts; a derivative has its argument's kind of container

def tuple_in_a_loop(z, theta):
    feat = np.linspace(-1.0, 1.0, 3) * theta[1]
    n_iter = 0
    while n_iter < 3 and np.sum(feat) > -5.0:
        if np.prod(np.tanh(theta[0])) < 0.5:
            feat -= 0.5 * math.tanh(np.sum(theta[2]))
        else:
            feat += math.tanh(np.mean(feat))
    vec2, tmp, y = theta
    hist = np.copy(y)
    arr = hist[::-1].copy()
    return np.max(np.outer(feat, arr), axis=0) * z


def test_the_derivative_with_respect_to_a_tuple_is_a_tuple():
    theta = (np.array([-0.7484, -0.9849, -0.287]), -1.5966, np.array([0.3887, -0.9488, 1.2442]))
    z = 1.5737
    ct = np.array([0.07, -0.023, 1.079])
    gz, gt = s2s.vjp(tuple_in_a_loop, wrt=(0, 1))(z, theta)[1](ct)
    assert type(gt) is tuple and len(gt) == 3
    scalar = lambda z, t0, t1, t2: float(np.dot(ct, tuple_in_a_loop(z, (t0, t1, t2))))  # noqa: E731
    args = (z,) + theta
    for k, part in enumerate((gz,) + gt):
        assert_close(part, numeric_grad(scalar, args, k), rtol=1e-4, what=f"part {k}")
    g = s2s.grad(lambda z, theta: np.sum(tuple_in_a_loop(z, theta) * ct), wrt=1)(z, list(theta))
    assert type(g) is list and len(g) == 3


def dropout_method(x, rng):
    mask = rng.random(x.shape[0]) < 0.5  # (a method call on the argument: the generated module names nothing)
    return np.sum(x * mask) ** 2


def dropout_method_of_a_dict(p, rng):
    mask = rng.random(p['x'].shape[0]) < 0.5
    return np.sum(p['x'] * mask) ** 2


def test_hessian_of_a_dropout_drawn_by_a_method_of_a_generator_argument_sees_one_draw():
    m = _mask_of_generator()
    for make in (s2s.hessian, lambda f: s2s.jacobian(s2s.grad(f), mode="forward"),
                 lambda f: s2s.jacobian(s2s.grad(f))):
        rng = np.random.default_rng(0)
        assert_close(make(dropout_method)(XR, rng), 2.0 * np.outer(m, m), what="rng.random(n)")
        one = np.random.default_rng(0)
        dropout_method(XR, one)
        assert rng.random() == one.random()
    H = s2s.hessian(dropout_method_of_a_dict)({'x': XR}, np.random.default_rng(0))
    assert_close(H['x']['x'], 2.0 * np.outer(m, m), what="with respect to a dict, by basis tangents")
