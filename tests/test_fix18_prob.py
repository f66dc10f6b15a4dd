"""Probability and statistics code s2s crashed on, refused or got imprecise (round 18, fix18prob, from hunt18prob).

- x[()] (an empty-tuple index: the value of a 0-d array, the array itself otherwise), which
  scipy.special.multigammaln starts with: an internal IndexError in every mode where the index read a value no
  derivative flows through (C1).

Each derivative is checked in every mode against finite differences or an analytic formula
(tests.conftest.check_every_mode), each value against NumPy's own, bit for bit.
"""
import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

special = pytest.importorskip("scipy.special")

D0 = np.array(3.0)
V3 = np.array([1.0, 2.0, 3.0])
X3 = np.array([0.3, 0.7, 1.1])


# ------------------------------------------------------------------ x[()] (C1)
def scale_by_item(a, d):  # (multigammaln's first line: d = np.asarray(d)[()])
    d = np.asarray(d)[()]
    return a * d


def item_of_data(x):
    return np.sum(x * D0[()])


def item_of_sum(x):
    a = np.asarray(np.sum(x ** 2))[()]
    return a * np.sin(a)


def item_of_vector(x):  # (x[()] of a 1-d array is x itself, a view)
    return np.sum(x[()] ** 3) + np.sum(V3[()] * x)


def item_written(x):
    z = np.zeros(())
    z[()] = np.sum(x ** 2)
    return z[()] * 2.0


def multigammaln_sum(x):  # (the Wishart / matrix-t normaliser)
    return special.multigammaln(np.sum(x) + 4.0, 3)


@pytest.mark.parametrize("f", [item_of_data, item_of_sum, item_of_vector, item_written, multigammaln_sum],
                         ids=lambda f: f.__name__)
def test_empty_tuple_index_in_every_mode(f):
    check_every_mode(f, X3, exact=True)


def test_empty_tuple_index_of_an_argument_not_differentiated():
    assert s2s.grad(scale_by_item)(2.0, 3) == 3.0
    value, tangent = s2s.jvp(scale_by_item)((2.0, 3), (1.0,))
    assert (value, tangent) == (6.0, 3.0)
    a = 4.0
    expected = sum(special.digamma(a - j / 2) for j in range(3))  # d/da multigammaln(a, 3)
    assert_close(s2s.grad(lambda a: special.multigammaln(a, 3))(a), expected, 1e-12, 0)
    curvature = sum(special.polygamma(1, a - j / 2) for j in range(3))
    assert_close(s2s.hessian(lambda a: special.multigammaln(a, 3))(a), curvature, 1e-12, 0)
