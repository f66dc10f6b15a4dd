"""Round 8 (the lead's own finds): list arguments that NumPy reads as arrays, in rules that compare operands.
Each derivative checked against central differences of the function with the list's entries moved one by one."""
import numpy as np
import pytest

import s2s


def _differences(f, args, w, eps=1e-6):
    out = []
    for i in range(len(args[w])):
        up, down = [list(a) for a in args], [list(a) for a in args]
        up[w][i] += eps
        down[w][i] -= eps
        out.append((f(*up) - f(*down)) / (2 * eps))
    return np.array(out)


def maximum_of(x, y):
    return np.sum(np.maximum(x, y) ** 2)


def minimum_of(x, y):
    return np.sum(np.minimum(x, y) * np.asarray(x))


def fmax_of(x, y):
    return np.sum(np.fmax(x, y))


def fmin_of(x, y):
    return np.sum(np.fmin(y, x) ** 3)


def clipped_between(x, y):
    return np.sum(np.clip(np.asarray(x), [0.0, 0.0, 0.0], y))


@pytest.mark.parametrize("f", [maximum_of, minimum_of, fmax_of, fmin_of, clipped_between], ids=lambda f: f.__name__)
@pytest.mark.parametrize("w", [0, 1])
def test_two_list_arguments_compared_elementwise(f, w):
    """np.maximum(x, y) of two lists: its rule's (x > y) compared the lists in Python, lexicographically, to one
    bool: the gradient [0, 0, 0] for [0, 0, 2] without error, in every mode. NumPy's comparison now."""
    x, y = [1.0, 2.0, 3.0], [3.0, 4.0, 0.5]
    want = _differences(f, (x, y), w)
    assert np.allclose(s2s.grad(f, wrt=w)(x, y), want, atol=1e-6)
    assert np.allclose(s2s.vjp(f, wrt=w)(x, y)[1](1.0), want, atol=1e-6)
    assert np.allclose(np.asarray(s2s.jacobian(f, wrt=w, mode="forward")(x, y), dtype=float), want, atol=1e-6)
    t = [1.0, -0.5, 2.0]
    assert s2s.jvp(f, wrt=w)((x, y), (t,))[1] == pytest.approx(float(np.dot(want, t)), abs=1e-6)
    assert x == [1.0, 2.0, 3.0] and y == [3.0, 4.0, 0.5]


def stepped(x, h):
    return np.sum(np.heaviside(x, h))


def test_heaviside_of_a_list_at_zero():
    """np.heaviside(x, h0)'s derivative in h0 is 1 where x == 0: its rule's x == 0.0 of a list was False."""
    assert s2s.grad(stepped, wrt=1)([0.0, 1.0], [0.5, 0.5]) == [1.0, 0.0]
