"""The Jacobian of a tuple, list or dict value with respect to a tuple wrt nests the value's structure outside
the wrt tuple (`J[a][k]`, as docs/reference/transformations.md says and JAX's jacrev/jacfwd with argnums do);
it nested the wrt tuple outermost (bug hunt, 2026-12-05), so `jacobian(grad(f, wrt=(0, 1)), wrt=(0, 1))`, the
Hessian of two arguments, had its block [0][1] shaped y + x instead of x + y. References are analytic."""
import numpy as np
import pytest

import s2s


def pair(a, b):
    return (a * b, a + 2.0 * b)


def named(a, b):
    return {"p": a * b, "q": a + 2.0 * b}


def two_arrays(x, y):
    return np.sum(x) * np.sum(y ** 2)


MODES = ["reverse", "forward"]


@pytest.mark.parametrize("mode", MODES)
def test_a_tuple_value_outside_the_wrt_tuple(mode):
    J = s2s.jacobian(pair, wrt=(0, 1), mode=mode)(2.0, 3.0)
    assert [[float(v) for v in row] for row in J] == [[3.0, 2.0], [1.0, 2.0]]  # [d(ab)/da, d(ab)/db], ...


@pytest.mark.parametrize("mode", MODES)
def test_a_dict_value_outside_the_wrt_tuple(mode):
    J = s2s.jacobian(named, wrt=(0, 1), mode=mode)(2.0, 3.0)
    assert set(J) == {"p", "q"}
    assert [float(v) for v in J["p"]] == [3.0, 2.0] and [float(v) for v in J["q"]] == [1.0, 2.0]


@pytest.mark.parametrize("mode", MODES)
def test_the_hessian_of_two_arguments(mode):
    x, y = np.ones(2), np.array([1.0, 2.0, 3.0])
    H = s2s.jacobian(s2s.grad(two_arrays, wrt=(0, 1)), wrt=(0, 1), mode=mode)(x, y)
    np.testing.assert_allclose(H[0][0], np.zeros((2, 2)))
    np.testing.assert_allclose(H[0][1], np.outer(np.ones(2), 2 * y))  # d2f/dx dy: x.shape + y.shape
    np.testing.assert_allclose(H[1][0], np.outer(2 * y, np.ones(2)))
    np.testing.assert_allclose(H[1][1], 2 * np.sum(x) * np.eye(3))


@pytest.mark.parametrize("mode", MODES)
def test_an_array_value_keeps_one_jacobian_per_wrt(mode):
    J = s2s.jacobian(lambda_free, wrt=(0, 1), mode=mode)(np.array([1.0, 2.0]), 3.0)
    np.testing.assert_allclose(J[0], 3.0 * np.eye(2))
    np.testing.assert_allclose(J[1], [1.0, 2.0])


def lambda_free(x, c):
    return x * c
