"""Round six of the bug hunts (docs/testing.md), the API's part (/tmp/hunt/hunt6dl items 1-3 and 7): Hessians with
respect to a tuple of container arguments, gradients of an array passed whole to np.concatenate and its kin, and
derivatives of functions that draw random numbers. Each against finite differences or an analytic value."""
import dataclasses

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
