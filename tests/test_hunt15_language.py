"""Round 15 fixes of legal programs s2s refused (fix15lang).

1: math.prod of a generator expression or of map(...) (`math.prod(np.sin(v) for v in x)`) was refused as an
iterator not read wholly where it is made: math.prod reads its iterable wholly, at once, as sum() and math.fsum() do.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import s2s
from tests.conftest import assert_close, check_every_mode, numeric_grad

X = np.array([0.3, -0.4, 0.8, 1.1])


# ------------------------------------------------------------------ 1: math.prod of a generator expression
def prod_generator(x):
    return math.prod(np.sin(v) for v in x)


def prod_generator_start(x):
    return math.prod((v * v + 1.0 for v in x), start=2.0)


def prod_map(x):
    return math.prod(map(np.cos, x))


def prod_zip(x):
    return math.prod(a * b + 0.5 for a, b in zip(x, x[::-1]))


def prod_stored_generator(x):
    g = (np.tanh(v) for v in x)
    return math.prod(g)


def prod_list(x):
    return math.prod([np.sin(v) for v in x])


def prod_array(x):
    return math.prod(x)


def min_generator(x):
    return min(np.sin(v) for v in x)


def max_generator(x):
    return max(v * v for v in x)


@pytest.mark.parametrize("f", [prod_generator, prod_generator_start, prod_map, prod_zip, prod_stored_generator,
                               prod_list, prod_array, min_generator, max_generator], ids=lambda f: f.__name__)
def test_prod_min_max_of_a_generator(f):
    assert s2s.grad(f)(X) is not None
    check_every_mode(f, X)
    _, pullback = s2s.vjp(f)(X)
    assert_close(pullback(2.0), 2.0 * numeric_grad(f, (X,), 0), what=f"{f.__name__}: vjp")


def test_prod_generator_value():
    assert s2s.value_and_grad(prod_generator)(X)[0] == pytest.approx(np.prod(np.sin(X)), rel=1e-14)
