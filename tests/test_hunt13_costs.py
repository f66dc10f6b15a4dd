"""Round 13's regression hunt (hunt13reg F8): the reverse Jacobian and the Hessian walked every leaf of the
arguments outside wrt on each call (its precision test, the refusal of complex data), 0.5-1 s per call for a list
of 100,000 minibatches of which the function reads one. The Jacobian's precision is its wrt arguments'; the
complex-data check reads a long list by its ends. A dataset that refuses to be walked shows it."""
import numpy as np
import pytest

import s2s
from conftest import assert_close, numeric_grad, numeric_hessian


class Dataset(list):
    """A list of minibatches that a walk over all of its items (iteration) refuses."""

    def __iter__(self):
        raise AssertionError("the whole dataset was walked")


def loss(w, batches, i):
    X, y = batches[i]
    return np.sum((np.tanh(X @ w) - y) ** 2)


RS = np.random.RandomState(0)
W = RS.randn(3)
BATCHES = Dataset([(RS.randn(8, 3), RS.randn(8)) for _ in range(1000)])


def test_the_jacobian_and_the_hessian_read_one_minibatch_of_a_dataset():
    expected = numeric_grad(lambda w: loss(w, list.__getitem__(BATCHES, slice(None)), 7), (W,), 0)
    assert_close(s2s.jacobian(loss)(W, BATCHES, 7), expected, what="reverse jacobian")
    hessian = numeric_hessian(lambda w: loss(w, list.__getitem__(BATCHES, slice(None)), 7), W)
    assert_close(s2s.hessian(loss)(W, BATCHES, 7), hessian, 1e-4, 1e-5, what="hessian")


def test_a_float32_argument_outside_wrt_leaves_the_jacobian_in_float64():
    X32 = [(RS.randn(8, 3).astype(np.float32), RS.randn(8).astype(np.float32))]
    J = s2s.jacobian(loss)(W, X32, 0)
    assert J.dtype == np.float64
    assert s2s.jacobian(loss)(W.astype(np.float32), X32, 0).dtype == np.float32


def test_complex_data_at_the_end_of_a_long_list_is_still_refused_by_the_hessian():
    data = [(RS.randn(8, 3), RS.randn(8)) for _ in range(100)] + [(RS.randn(8, 3) + 0j, RS.randn(8))]
    with pytest.raises(s2s.S2SError, match="complex argument reached a second derivative"):
        s2s.hessian(loss)(W, data, 0)
